// SPDX-License-Identifier: MIT
/*
 * enq_aecs's Huffman code builder and dynamic AECS: for random, text-derived and degenerate
 * histograms (no, one, two counted symbols, all symbols, equal counts, Fibonacci and power-of-2
 * counts that need length limiting, counts near 2^32) the code is complete (Kraft sum exactly
 * 1), within its length limit, codes exactly the symbols it should, and costs at most 1% more
 * than an optimal length-limited code (package-merge, below, written apart from the builder); the
 * canonical codes are RFC 1951's own example; streams coded with a dynamic AECS (header from
 * the accumulator, symbols with its codes) inflate with zlib, also after bits already in the
 * accumulator; bad arguments are -EINVAL, a full accumulator -ENOSPC.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

#include "enqcmd/enq_aecs.h"
#include "t_helpers.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* ---- References ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The cost (sum of count x length) of an optimal code with lengths <= @max_len for the @m
 * weights @w (Larmore and Hirschberg's package-merge): the sum of the 2m - 2 smallest items of
 * the list merged at the top level.
 */
static uint64_t pm_cost(const uint64_t *w, unsigned int m, unsigned int max_len)
{
	uint64_t *leaf = malloc(m * sizeof(*leaf)), *list = malloc(2 * m * sizeof(*list));
	uint64_t *next = malloc(2 * m * sizeof(*next)), cost = 0;
	unsigned int n = m, d, i, a, b, k;

	memcpy(leaf, w, m * sizeof(*leaf));
	qsort(leaf, m, sizeof(*leaf), cmp_u64);
	memcpy(list, leaf, m * sizeof(*leaf));
	for (d = 1; d < max_len; d++) {
		/* Pair up the list, merge the packages with the leaves. */
		for (a = 0, b = 0, k = 0; a < m || b + 1 < n;) {
			if (b + 1 < n && (a >= m || list[b] + list[b + 1] < leaf[a])) {
				next[k++] = list[b] + list[b + 1];
				b += 2;
			} else {
				next[k++] = leaf[a++];
			}
		}
		memcpy(list, next, k * sizeof(*list));
		n = k;
	}
	for (i = 0; i < 2 * m - 2; i++)
		cost += list[i];
	free(leaf);
	free(list);
	free(next);
	return cost;
}

/* The checks every built code must pass; returns its cost. */
static uint64_t check_code(const uint32_t *freq, unsigned int n, unsigned int max_len, bool all,
			   const uint8_t *len, const char *what)
{
	uint64_t kraft = 0, cost = 0, w[ENQ_AECS_HUFF_MAX_SYMS], opt;
	unsigned int s, m = 0, coded = 0, bad = 0;

	for (s = 0; s < n; s++) {
		if (len[s] > max_len || (freq[s] && !len[s]) || (all && !len[s]))
			bad++;
		if (len[s]) {
			kraft += 1ull << (max_len - len[s]);
			coded++;
		}
		cost += (uint64_t)freq[s] * len[s];
		if (freq[s] || all)
			w[m++] = freq[s];
	}
	T_EQ(bad, 0);
	T_EQ(kraft, 1ull << max_len); /* complete */
	if (!all && m >= 2)
		T_EQ(coded, m); /* nothing uncounted gets a code */
	if (m < 2) {
		T_EQ(coded, 2);
		return cost;
	}
	opt = pm_cost(w, m, max_len);
	T_CHECK(cost >= opt);
	if (cost * 100 > opt * 101)
		fprintf(stderr,
			"%s n=%u L=%u all=%d m=%u: cost %" PRIu64 " vs optimal %" PRIu64
			" (%.2f%%)\n",
			what, n, max_len, all, m, cost, opt, 100.0 * cost / opt - 100);
	T_CHECK(cost * 100 <= opt * 101);
	return cost;
}

static void build_check(const uint32_t *freq, unsigned int n, unsigned int max_len, bool all,
			const char *what)
{
	uint8_t len[ENQ_AECS_HUFF_MAX_SYMS];

	memset(len, 0xee, sizeof(len));
	T_EQ(enq_aecs_huff_lengths(freq, n, max_len, all, len), 0);
	check_code(freq, n, max_len, all, len, what);
}

/* ---- Lengths ---- */

static void test_lengths(const uint8_t *text, size_t tlen)
{
	static const unsigned int alph[3][2] = { { 286, 15 }, { 30, 15 }, { 19, 7 } };
	uint32_t f[ENQ_AECS_HUFF_MAX_SYMS];
	unsigned int i, s, a;

	for (a = 0; a < 3; a++) {
		unsigned int n = alph[a][0], L = alph[a][1];

		for (int all = 0; all < 2; all++) {
			/* No, one, two counted symbols; every symbol once; equal counts. */
			memset(f, 0, sizeof(f));
			build_check(f, n, L, all, "none");
			f[n - 1] = 5;
			build_check(f, n, L, all, "one (last)");
			f[n - 1] = 0;
			f[0] = 7;
			build_check(f, n, L, all, "one (first)");
			f[3] = 1000000;
			build_check(f, n, L, all, "two");
			for (s = 0; s < n; s++)
				f[s] = 1;
			build_check(f, n, L, all, "all once");
			/* Fibonacci and powers of two: Huffman trees as deep as there are symbols. */
			memset(f, 0, sizeof(f));
			f[0] = f[1] = 1;
			for (s = 2; s < n && s < 40; s++)
				f[s] = f[s - 1] + f[s - 2] > 100000000 ? 100000000 :
									 f[s - 1] + f[s - 2];
			build_check(f, n, L, all, "fibonacci");
			memset(f, 0, sizeof(f));
			for (s = 0; s < n && s < 31; s++)
				f[s] = 1u << s;
			build_check(f, n, L, all, "powers of 2");
			/* Counts near 2^32: the sums need 64 bits. */
			for (s = 0; s < n; s++)
				f[s] = 0xffffffffu - s;
			build_check(f, n, L, all, "huge");
			/* Random: dense, sparse, skewed. */
			for (i = 0; i < 300; i++) {
				unsigned int kind = i % 3;

				for (s = 0; s < n; s++) {
					uint32_t r = rnd();

					if (kind == 0)
						f[s] = r % 1000;
					else if (kind == 1)
						f[s] = r % 4 ? 0 : r % 50000;
					else
						f[s] = (r % 7 ? 1u : 1u << (r % 24)) * (r % 3);
				}
				build_check(f, n, L, all, "random");
			}
		}
	}
	/* Text: literal counts of text plus a few lengths and EOB, and the code-length counts. */
	for (size_t off = 0; off + 4096 <= tlen; off += 4096) {
		memset(f, 0, sizeof(f));
		for (i = 0; i < 4096; i++)
			f[text[off + i]]++;
		for (s = 257; s < 270; s++)
			f[s] = rnd() % 40;
		f[256] = 1;
		build_check(f, 286, 15, true, "text");
		build_check(f, 286, 15, false, "text");
	}
	/* Limits. */
	memset(f, 0, sizeof(f));
	uint8_t len[ENQ_AECS_HUFF_MAX_SYMS];

	T_RET(EINVAL, enq_aecs_huff_lengths(f, 1, 15, true, len));
	T_RET(EINVAL, enq_aecs_huff_lengths(f, ENQ_AECS_HUFF_MAX_SYMS + 1, 15, true, len));
	T_RET(EINVAL, enq_aecs_huff_lengths(f, 19, 0, true, len));
	T_RET(EINVAL, enq_aecs_huff_lengths(f, 19, 16, true, len));
	T_RET(EINVAL, enq_aecs_huff_lengths(f, 19, 4, true, len)); /* 19 codes > 2^4 */
	T_EQ(enq_aecs_huff_lengths(f, 16, 4, true, len), 0); /* 16 fit exactly */
	for (s = 0; s < 16; s++)
		T_EQ(len[s], 4);
}

/* ---- Canonical codes ---- */

static void test_codes(void)
{
	/* RFC 1951 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) give these codes. */
	static const uint8_t len[8] = { 3, 3, 3, 3, 3, 2, 4, 4 };
	static const uint16_t want[8] = { 2, 3, 4, 5, 6, 0, 14, 15 };
	uint8_t over[3] = { 1, 1, 1 }, big[2] = { 16, 1 };
	uint16_t code[8];

	T_EQ(enq_aecs_huff_codes(len, 8, code), 0);
	T_CHECK(!memcmp(code, want, sizeof(want)));
	T_RET(EINVAL, enq_aecs_huff_codes(over, 3, code));
	T_RET(EINVAL, enq_aecs_huff_codes(big, 2, code));
}

/* ---- Dynamic AECS: streams zlib inflates ---- */

static const uint16_t len_base[29] = { 3,  4,  5,  6,	7,   8,	  9,   10,  11, 13,
				       15, 17, 19, 23,	27,  31,  35,  43,  51, 59,
				       67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = { 1,    2,    3,	  4,	 5,	7,    9,    13,
					17,   25,   33,	  49,	 65,	97,   129,  193,
					257,  385,  513,  769,	 1025,	1537, 2049, 3073,
					4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2,	 3,  3,	 4,  4,	 5,  5,	 6,
					6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* A token: literal (len 0) or match. */
struct tok {
	uint16_t len, dist;
	uint8_t lit;
};

static unsigned int sym_of(const uint16_t *base, unsigned int n, unsigned int v)
{
	unsigned int s = 0;

	while (s + 1 < n && base[s + 1] <= v)
		s++;
	return s;
}

/* Greedy matches of 3..258 bytes up to 4096 back (brute force over a few candidates). */
static size_t tokenize(const uint8_t *in, size_t n, struct tok *t)
{
	size_t p = 0, k = 0;

	while (p < n) {
		unsigned int best = 0, bd = 0;

		for (unsigned int d = 1; d <= 4096 && d <= p; d += (d < 64 ? 1 : 61)) {
			unsigned int l = 0;

			while (l < 258 && p + l < n && in[p + l] == in[p + l - d])
				l++;
			if (l > best) {
				best = l;
				bd = d;
			}
		}
		if (best >= 3) {
			t[k++] = (struct tok){ .len = (uint16_t)best, .dist = (uint16_t)bd };
			p += best;
		} else {
			t[k++] = (struct tok){ .lit = in[p] };
			p++;
		}
	}
	return k;
}

struct wbits {
	uint8_t *p;
	size_t pos, cap;
	uint64_t acc;
	unsigned int n;
};

static void wput(struct wbits *w, uint64_t v, unsigned int n)
{
	w->acc |= v << w->n;
	w->n += n;
	while (w->n >= 8) {
		if (w->pos < w->cap)
			w->p[w->pos] = (uint8_t)w->acc;
		w->pos++;
		w->acc >>= 8;
		w->n -= 8;
	}
}

static void wcode(struct wbits *w, uint32_t sym)
{
	unsigned int n = enq_aecs_code_len(sym), c = enq_aecs_code_bits(sym), r = 0;

	for (unsigned int i = 0; i < n; i++, c >>= 1)
		r = (r << 1) | (c & 1);
	wput(w, r, n);
}

/*
 * Code @in with a dynamic AECS built from its own statistics, after @pre bits already in the
 * accumulator (a non-final fixed block holding only EOB), and inflate it with zlib.
 */
static void dyn_roundtrip(const uint8_t *in, size_t n, bool pre, const char *what)
{
	static struct enq_aecs_comp a __attribute__((aligned(64)));
	static struct enq_aecs_hist h;
	size_t cap = n * 2 + 1024, k, i, got = 0;
	struct tok *t = malloc((n + 1) * sizeof(*t));
	uint8_t *out = malloc(cap), *back = malloc(n + 1);
	struct wbits w = { .p = out, .cap = cap };
	z_stream z;
	int ret;

	memset(&a, 0, sizeof(a));
	memset(&h, 0, sizeof(h));
	k = tokenize(in, n, t);
	for (i = 0; i < k; i++) {
		if (t[i].len) {
			h.ll[257 + sym_of(len_base, 29, t[i].len)]++;
			h.d[sym_of(dist_base, 30, t[i].dist)]++;
		} else {
			h.ll[t[i].lit]++;
		}
	}
	if (pre) {
		/* BFINAL 0, BTYPE 01, fixed EOB (7 zero bits): 10 bits, not byte aligned. */
		uint8_t b[2] = { 0x02, 0x00 };

		T_EQ(enq_aecs_comp_append_bits(&a, b, 10), 0);
	}
	T_EQ(enq_aecs_comp_set_dynamic(&a, &h, true), 0);
	T_CHECK(a.num_output_accum_bits > (pre ? 10u : 0u) + 17);
	for (i = 0; i < ENQ_AECS_LL_SYMS; i++)
		T_CHECK(enq_aecs_code_len(a.ll_sym[i]) >= 1 &&
			enq_aecs_code_len(a.ll_sym[i]) <= 15);
	for (i = 0; i < ENQ_AECS_D_SYMS; i++)
		T_CHECK(enq_aecs_code_len(a.d_sym[i]) >= 1 && enq_aecs_code_len(a.d_sym[i]) <= 15);
	for (i = 0; i < a.num_output_accum_bits; i++)
		wput(&w, (a.output_accum[i / 8] >> (i % 8)) & 1, 1);
	for (i = 0; i < k; i++) {
		if (!t[i].len) {
			wcode(&w, a.ll_sym[t[i].lit]);
			continue;
		}
		unsigned int ls = sym_of(len_base, 29, t[i].len),
			     ds = sym_of(dist_base, 30, t[i].dist);

		wcode(&w, a.ll_sym[257 + ls]);
		wput(&w, t[i].len - len_base[ls], len_extra[ls]);
		wcode(&w, a.d_sym[ds]);
		wput(&w, t[i].dist - dist_base[ds], dist_extra[ds]);
	}
	wcode(&w, a.ll_sym[ENQ_AECS_EOB]);
	wput(&w, 0, 7);
	T_CHECK(w.pos <= cap);

	memset(&z, 0, sizeof(z));
	T_EQ(inflateInit2(&z, -15), Z_OK);
	z.next_in = out;
	z.avail_in = (uInt)w.pos;
	z.next_out = back;
	z.avail_out = (uInt)n + 1;
	ret = inflate(&z, Z_FINISH);
	got = z.total_out;
	inflateEnd(&z);
	if (ret != Z_STREAM_END || got != n)
		fprintf(stderr, "%s: zlib %d (%s), %zu of %zu bytes\n", what, ret,
			z.msg ? z.msg : "", got, n);
	T_EQ(ret, Z_STREAM_END);
	T_EQ(got, n);
	T_CHECK(got != n || !memcmp(back, in, n));
	free(t);
	free(out);
	free(back);
}

static void test_dynamic(const uint8_t *text, size_t tlen)
{
	static struct enq_aecs_comp a __attribute__((aligned(64)));
	static struct enq_aecs_hist h;
	size_t n = 6000;
	uint8_t *buf = malloc(n);

	dyn_roundtrip(text, tlen < 8192 ? tlen : 8192, false, "text");
	dyn_roundtrip(text, tlen < 8192 ? tlen : 8192, true, "text after 10 bits");
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)rnd();
	dyn_roundtrip(buf, n, false, "random");
	dyn_roundtrip(buf, 1, true, "one byte");
	dyn_roundtrip(buf, 0, false, "empty");
	memset(buf, 'a', n);
	dyn_roundtrip(buf, n, true, "one byte repeated");
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i % 97 < 50 ? 'x' : rnd() % 4);
	dyn_roundtrip(buf, n, false, "skewed");

	/* The header does not fit: -ENOSPC and the accumulator unchanged. */
	memset(&a, 0, sizeof(a));
	memset(&h, 0, sizeof(h));
	h.ll['a'] = 10;
	a.num_output_accum_bits = ENQ_AECS_ACCUM_BITS - 40;
	T_RET(ENOSPC, enq_aecs_comp_set_dynamic(&a, &h, true));
	T_EQ(a.num_output_accum_bits, ENQ_AECS_ACCUM_BITS - 40);
	free(buf);
}

/* Text from the source tree when the test runs from ctest, else a built-in paragraph. */
static size_t load_text(uint8_t *buf, size_t cap)
{
	static const char para[] =
		"The runtime picks the work queue for this thread, splits the transfer by the "
		"largest size the device takes, prepares the descriptor and submits it; the "
		"engine translates the source and the destination through the IOMMU and writes "
		"the completion record, status last.\n";
	const char *dir = getenv("SVART_SOURCE_DIR");
	char path[4096];
	size_t n = 0;
	FILE *f;

	if (dir) {
		snprintf(path, sizeof(path), "%s/docs/SIM_DEVICES.md", dir);
		f = fopen(path, "rb");
		if (f) {
			n = fread(buf, 1, cap, f);
			fclose(f);
		}
	}
	for (; n + sizeof(para) - 1 <= cap && n < 32768; n += sizeof(para) - 1)
		memcpy(buf + n, para, sizeof(para) - 1);
	return n;
}

int main(void)
{
	static uint8_t text[65536];
	size_t tlen = load_text(text, sizeof(text));

	test_codes();
	test_lengths(text, tlen);
	test_dynamic(text, tlen);
	return t_done("enq_aecs_huff");
}
