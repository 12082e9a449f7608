// SPDX-License-Identifier: MIT
/*
 * Building compress AECS images. See enq_aecs.h.
 *
 * Dynamic codes are built here, not with ISA-L. isal_create_hufftables() did it before (QPL's
 * hw_create_huff_tables derives from the same ISA-L code) and cost ~21 us per call (its
 * _subset variant ~16 us), about twice what ISA-L level 1 takes to compress the 4 KiB chunk
 * the codes are for: it works on 64-bit histograms with a heap and builds ISA-L's own emission
 * tables, which the AECS does not need. zlib keeps its tree builder internal, and the libraries
 * that export one (libdeflate, zopfli) are not installed. The builder below is the textbook
 * one: an LSD radix sort of the counts, Moffat and Katajainen's in-place Huffman lengths,
 * zlib's length-limiting fix-up, canonical codes, and RFC 1951's header with runs of code
 * lengths (tests/enq_aecs_huff.c checks its costs against optimal length-limited codes).
 */
#include "enqcmd/enq_aecs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static unsigned int aecs_bitrev(unsigned int v, unsigned int n)
{
	unsigned int r = 0;

	for (unsigned int i = 0; i < n; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

int enq_aecs_comp_append_bits(struct enq_aecs_comp *aecs, const uint8_t *bits, unsigned int nbits)
{
	unsigned int at = aecs->num_output_accum_bits, sh = at % 8, nbytes = (nbits + 7) / 8, i;
	uint8_t *p = &aecs->output_accum[at / 8];
	unsigned int carry;

	if (at > ENQ_AECS_ACCUM_BITS || nbits > ENQ_AECS_ACCUM_BITS - at)
		return -ENOSPC;
	if (!nbits)
		return 0;
	/* Byte by byte, shifted to the accumulator's bit position; bits past the end are 0. */
	carry = p[0] & ((1u << sh) - 1);
	for (i = 0; i < nbytes; i++) {
		unsigned int v = bits[i];

		if (i == nbytes - 1 && nbits % 8)
			v &= (1u << (nbits % 8)) - 1;
		carry |= v << sh;
		p[i] = (uint8_t)carry;
		carry >>= 8;
	}
	if ((sh + nbits + 7) / 8 > nbytes)
		p[nbytes] = (uint8_t)carry;
	aecs->num_output_accum_bits = at + nbits;
	return 0;
}

int enq_aecs_comp_set_fixed(struct enq_aecs_comp *aecs, bool bfinal)
{
	/* BFINAL, then BTYPE = 01 sent least significant bit first. */
	uint8_t hdr = (uint8_t)((bfinal ? 1 : 0) | 1u << 1);
	unsigned int s;

	for (s = 0; s < ENQ_AECS_LL_SYMS; s++) {
		if (s < 144)
			aecs->ll_sym[s] = ENQ_AECS_CODE(8, 0x30 + s);
		else if (s < 256)
			aecs->ll_sym[s] = ENQ_AECS_CODE(9, 0x190 + s - 144);
		else if (s < 280)
			aecs->ll_sym[s] = ENQ_AECS_CODE(7, s - 256);
		else
			aecs->ll_sym[s] = ENQ_AECS_CODE(8, 0xc0 + s - 280);
	}
	for (s = 0; s < ENQ_AECS_D_SYMS; s++)
		aecs->d_sym[s] = ENQ_AECS_CODE(5, s);
	return enq_aecs_comp_append_bits(aecs, &hdr, 3);
}

/* ---- Huffman code lengths ---- */

/*
 * The symbols that get a code, ascending by count, equal counts by symbol: uncounted ones (all
 * mode) first as they are, then the counted ones through a stable LSD radix sort of
 * count << 16 | symbol on the count's bytes, skipping bytes every key shares (the counts of a
 * 4 KiB chunk take two passes, of a 1 MiB chunk three). Setting the uncounted symbols aside
 * keeps the long runs into one bucket, a chain of dependent counter updates, out of the sort.
 */
static unsigned int huff_sort(const uint32_t *freq, unsigned int n, bool all, uint64_t *key,
			      uint64_t *tmp)
{
	uint16_t cnt[4][256];
	uint64_t *src, *dst, *t;
	unsigned int z = 0, m = 0, nb, b, i, s, d;
	uint32_t max = 0;

	for (s = 0; s < n; s++) {
		if (freq[s]) {
			tmp[m++] = (uint64_t)freq[s] << 16 | s;
			max |= freq[s];
		} else if (all) {
			key[z++] = s;
		}
	}
	src = tmp;
	dst = key + z;
	nb = max ? (39u - (unsigned int)__builtin_clz(max)) / 8 : 0;
	memset(cnt, 0, sizeof(cnt[0]) * nb);
	for (i = 0; i < m; i++)
		for (b = 0; b < nb; b++)
			cnt[b][(src[i] >> (16 + 8 * b)) & 0xff]++;
	for (b = 0; b < nb; b++) {
		unsigned int sh = 16 + 8 * b, sum = 0;

		if (cnt[b][(src[0] >> sh) & 0xff] == m)
			continue;
		for (d = 0; d < 256; d++) {
			unsigned int c = cnt[b][d];

			cnt[b][d] = (uint16_t)sum;
			sum += c;
		}
		for (i = 0; i < m; i++)
			dst[cnt[b][(src[i] >> sh) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != key + z)
		memcpy(key + z, src, m * sizeof(*key));
	return z + m;
}

/*
 * Huffman's code lengths for @m >= 2 ascending weights, in place (Moffat and Katajainen,
 * "In-place calculation of minimum-redundancy codes", 1995): @a's weights become parent
 * indices, then depths. Only how many leaves sit at each depth is kept, leaves deeper than
 * @max_len counted at @max_len. Equal weights take a leaf before a tree, so the uncounted
 * symbols of an all-symbols code form a balanced subtree, not a chain.
 */
static void huff_depths(uint64_t *a, int m, unsigned int max_len, unsigned int *bl)
{
	int root = 0, leaf = 2, next, avail, used, depth;

	a[0] += a[1];
	for (next = 1; next < m - 1; next++) {
		if (leaf >= m || a[root] < a[leaf]) {
			a[next] = a[root];
			a[root++] = (uint64_t)next;
		} else {
			a[next] = a[leaf++];
		}
		if (leaf >= m || (root < next && a[root] < a[leaf])) {
			a[next] += a[root];
			a[root++] = (uint64_t)next;
		} else {
			a[next] += a[leaf++];
		}
	}
	a[m - 2] = 0;
	for (next = m - 3; next >= 0; next--)
		a[next] = a[a[next]] + 1;
	avail = 1;
	used = 0;
	depth = 0;
	root = m - 2;
	while (avail > 0) {
		while (root >= 0 && a[root] == (uint64_t)depth) {
			used++;
			root--;
		}
		if (avail > used)
			bl[(unsigned int)depth < max_len ? (unsigned int)depth : max_len] +=
				(unsigned int)(avail - used);
		avail = 2 * used;
		depth++;
		used = 0;
	}
}

/* Up to this many coded symbols, a code that needs limiting is built by package-merge. */
#define HUFF_PM_MAX 32u

/*
 * An optimal length-limited code (Larmore and Hirschberg's package-merge) for the @m <= 32
 * symbols of @key, as depth counts in @bl. The lists are built from max_len up; the code takes
 * the first 2m - 2 items of the top list, and at every level the items taken are a prefix of
 * that level's list (the packages taken are the first ones, made of the first items below), so
 * each level only needs how many leaves its prefix holds: leaf i is one bit longer for each
 * level whose prefix takes more than i leaves.
 */
static void huff_pm(const uint64_t *key, unsigned int m, unsigned int max_len, unsigned int *bl)
{
	uint64_t list[2][2 * HUFF_PM_MAX];
	uint8_t leaf[ENQ_AECS_MAX_CODE_LEN + 1][2 * HUFF_PM_MAX];
	unsigned int cnt[ENQ_AECS_MAX_CODE_LEN + 1], taken[ENQ_AECS_MAX_CODE_LEN + 1];
	unsigned int d, i, a, b, k, n, cur = 0;

	for (i = 0; i < m; i++) {
		list[0][i] = key[i] >> 16;
		leaf[max_len][i] = 1;
	}
	n = m;
	for (d = max_len - 1; d >= 1; d--) {
		const uint64_t *below = list[cur];
		uint64_t *out = list[cur ^ 1];

		for (a = 0, b = 0, k = 0; a < m || b + 1 < n; k++) {
			if (b + 1 < n && (a >= m || below[b] + below[b + 1] < key[a] >> 16)) {
				out[k] = below[b] + below[b + 1];
				leaf[d][k] = 0;
				b += 2;
			} else {
				out[k] = key[a++] >> 16;
				leaf[d][k] = 1;
			}
		}
		cnt[d] = k;
		n = k;
		cur ^= 1;
	}
	cnt[max_len] = m;
	for (d = 1, k = 2 * m - 2; d <= max_len; d++) {
		unsigned int nl = 0;

		for (i = 0; i < k && i < cnt[d]; i++)
			nl += leaf[d][i];
		taken[d] = nl;
		k = 2 * (k - nl);
	}
	memset(bl, 0, (max_len + 1) * sizeof(*bl));
	for (i = 0; i < m; i++) {
		unsigned int len = 0;

		for (d = 1; d <= max_len; d++)
			len += taken[d] > i;
		bl[len]++;
	}
}

/*
 * Make the clamped depth counts @bl (leaves deeper than @max_len counted at @max_len) a
 * complete code again, cheaply in bits. @key holds the symbols by ascending count, so the
 * leaves of each length are a run of it (longest lengths first) and moving the run's boundary
 * symbol keeps that order. Clamping over-subscribes the code by E units of 2^-max_len: pay
 * them by lengthening, each time, the symbol that costs the fewest bits per unit it frees (the
 * lowest count of a length l frees 2^(max_len - l - 1)); then spend what the last move freed
 * beyond E by shortening the symbols that save the most bits per unit. zlib's gen_bitlen
 * fix-up (always lengthen the deepest leaf short of max_len) came out 10-20% above the optimum
 * on skewed counts of small alphabets, which package-merge now takes (HUFF_PM_MAX); for the
 * larger ones this stays within 1% of package-merge on the histograms tests/enq_aecs_huff.c
 * tries.
 */
static void huff_limit(const uint64_t *key, unsigned int max_len, unsigned int *bl)
{
	unsigned int start[ENQ_AECS_MAX_CODE_LEN + 2], l, best;
	int64_t e = 0;

	for (l = 1; l <= max_len; l++)
		e += (int64_t)bl[l] << (max_len - l);
	e -= (int64_t)1 << max_len;
	while (e > 0) {
		uint64_t bw = UINT64_MAX;

		/* start[l]: where the run of length l begins in @key. */
		start[max_len] = 0;
		for (l = max_len; l > 1; l--)
			start[l - 1] = start[l] + bl[l];
		best = 0;
		for (l = 1; l < max_len; l++) {
			int64_t freed = (int64_t)1 << (max_len - l - 1);
			uint64_t w;

			if (!bl[l])
				continue;
			/* bits per unit freed, scaled by 2^max_len to stay in integers */
			w = (key[start[l]] >> 16) * ((uint64_t)1 << max_len) /
			    (uint64_t)(freed < e ? freed : e);
			if (w < bw) {
				bw = w;
				best = l;
			}
		}
		bl[best]--;
		bl[best + 1]++;
		e -= (int64_t)1 << (max_len - best - 1);
	}
	while (e < 0) {
		uint64_t bw = 0;

		start[max_len] = 0;
		for (l = max_len; l > 1; l--)
			start[l - 1] = start[l] + bl[l];
		best = 0;
		for (l = 2; l <= max_len; l++) {
			int64_t cost = (int64_t)1 << (max_len - l);
			uint64_t w;

			if (!bl[l] || cost > -e)
				continue;
			w = ((key[start[l] + bl[l] - 1] >> 16) << max_len) / (uint64_t)cost + 1;
			if (w > bw) {
				bw = w;
				best = l;
			}
		}
		bl[best]--;
		bl[best - 1]++;
		e += (int64_t)1 << (max_len - best);
	}
}

int enq_aecs_huff_lengths(const uint32_t *freq, unsigned int n, unsigned int max_len, bool all,
			  uint8_t *len)
{
	uint64_t key[ENQ_AECS_HUFF_MAX_SYMS], a[ENQ_AECS_HUFF_MAX_SYMS];
	unsigned int bl[ENQ_AECS_MAX_CODE_LEN + 1] = { 0 };
	unsigned int m, i, d, k, kraft;

	if (n < 2 || n > ENQ_AECS_HUFF_MAX_SYMS || max_len < 1 || max_len > ENQ_AECS_MAX_CODE_LEN)
		return -EINVAL;
	for (i = 0, m = 0; i < n; i++)
		m += freq[i] || all;
	if (m > 1u << max_len)
		return -EINVAL;
	memset(len, 0, n);
	m = huff_sort(freq, n, all, key, a);
	if (m < 2) {
		/* One or no symbol: two codes of one bit, the other the lowest free symbol. */
		unsigned int s = m ? (unsigned int)(key[0] & 0xffff) : 0;

		len[s] = 1;
		len[s == 0 ? 1 : 0] = 1;
		return 0;
	}
	for (i = 0; i < m; i++)
		a[i] = key[i] >> 16;
	huff_depths(a, (int)m, max_len, bl);

	for (d = 1, kraft = 0; d <= max_len; d++)
		kraft += bl[d] << (max_len - d);
	if (kraft > 1u << max_len) {
		if (m <= HUFF_PM_MAX)
			huff_pm(key, m, max_len, bl);
		else
			huff_limit(key, max_len, bl);
	}
	/* The longest codes to the lowest counts. */
	for (d = max_len, i = 0; d >= 1; d--)
		for (k = 0; k < bl[d]; k++)
			len[key[i++] & 0xffff] = (uint8_t)d;
	return 0;
}

int enq_aecs_huff_codes(const uint8_t *len, unsigned int n, uint16_t *code)
{
	unsigned int bl[ENQ_AECS_MAX_CODE_LEN + 1] = { 0 }, next[ENQ_AECS_MAX_CODE_LEN + 1];
	unsigned int s, l, c, left = 1;

	if (n > ENQ_AECS_HUFF_MAX_SYMS)
		return -EINVAL;
	for (s = 0; s < n; s++) {
		if (len[s] > ENQ_AECS_MAX_CODE_LEN)
			return -EINVAL;
		bl[len[s]]++;
	}
	for (l = 1; l <= ENQ_AECS_MAX_CODE_LEN; l++) {
		left <<= 1;
		if (bl[l] > left)
			return -EINVAL;
		left -= bl[l];
	}
	bl[0] = 0;
	for (l = 1, c = 0; l <= ENQ_AECS_MAX_CODE_LEN; l++) {
		c = (c + bl[l - 1]) << 1;
		next[l] = c;
	}
	for (s = 0; s < n; s++)
		code[s] = len[s] ? (uint16_t)next[len[s]]++ : 0;
	return 0;
}

/* ---- The dynamic block header (RFC 1951 3.2.7) ---- */

/* The order code-length code lengths are sent in. */
static const uint8_t aecs_cl_order[ENQ_AECS_CL_SYMS] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
							 11, 4,	 12, 3, 13, 2, 14, 1, 15 };

/* The longest header: 17 + 19 * 3 bits, then 316 code lengths of up to 7 + 7 bits. */
#define AECS_HDR_MAX_BYTES 576u

struct aecs_dyn_work {
	uint8_t ll_len[ENQ_AECS_LL_SYMS];
	uint8_t d_len[ENQ_AECS_D_SYMS];
	uint8_t cl_len[ENQ_AECS_CL_SYMS];
	uint16_t ll_code[ENQ_AECS_LL_SYMS];
	uint16_t d_code[ENQ_AECS_D_SYMS];
	uint16_t cl_code[ENQ_AECS_CL_SYMS];
	uint32_t cl_freq[ENQ_AECS_CL_SYMS];
	uint32_t ll_freq[ENQ_AECS_LL_SYMS];
	/* code-length symbols: symbol | extra bits << 5 */
	uint16_t rle[ENQ_AECS_LL_SYMS + ENQ_AECS_D_SYMS];
	uint8_t hdr[AECS_HDR_MAX_BYTES];
};

/*
 * Runs of code lengths as code-length symbols: 16 repeats the previous length 3-6 times, 17
 * and 18 give 3-10 and 11-138 zeros. Each alphabet is run on its own (as zlib's deflate does):
 * RFC 1951 lets a run cross into the distance lengths, but nothing needs it, and a decoder
 * that rejects it would reject the whole stream.
 */
static unsigned int aecs_rle(const uint8_t *l, unsigned int n, uint16_t *out, uint32_t *freq)
{
	unsigned int i = 0, k = 0, v, run, r;

	while (i < n) {
		v = l[i];
		for (run = 1; i + run < n && l[i + run] == v; run++)
			;
		i += run;
		if (!v) {
			for (; run >= 11; run -= r) {
				r = run < 138 ? run : 138;
				out[k++] = (uint16_t)(18 | (r - 11) << 5);
				freq[18]++;
			}
			if (run >= 3) {
				out[k++] = (uint16_t)(17 | (run - 3) << 5);
				freq[17]++;
				run = 0;
			}
		} else {
			out[k++] = (uint16_t)v;
			freq[v]++;
			for (run--; run >= 3; run -= r) {
				r = run < 6 ? run : 6;
				out[k++] = (uint16_t)(16 | (r - 3) << 5);
				freq[16]++;
			}
		}
		for (; run; run--) {
			out[k++] = (uint16_t)v;
			freq[v]++;
		}
	}
	return k;
}

struct aecs_bits {
	uint8_t *p;
	unsigned int pos;
	unsigned int nacc;
	uint64_t acc;
};

static inline void aecs_put(struct aecs_bits *b, uint32_t v, unsigned int n)
{
	b->acc |= (uint64_t)v << b->nacc;
	b->nacc += n;
	while (b->nacc >= 8) {
		b->p[b->pos++] = (uint8_t)b->acc;
		b->acc >>= 8;
		b->nacc -= 8;
	}
}

/* Huffman codes go out most significant bit first: reversed into the LSB-first stream. */
static inline void aecs_put_code(struct aecs_bits *b, unsigned int code, unsigned int n)
{
	aecs_put(b, aecs_bitrev(code, n), n);
}

static unsigned int aecs_header(struct aecs_dyn_work *w, bool bfinal)
{
	static const uint8_t extra[3] = { 2, 3, 7 };
	struct aecs_bits b = { .p = w->hdr };
	unsigned int hlit, hdist, hclen, nrle, i;

	for (hlit = ENQ_AECS_LL_SYMS; hlit > 257 && !w->ll_len[hlit - 1]; hlit--)
		;
	for (hdist = ENQ_AECS_D_SYMS; hdist > 1 && !w->d_len[hdist - 1]; hdist--)
		;
	memset(w->cl_freq, 0, sizeof(w->cl_freq));
	nrle = aecs_rle(w->ll_len, hlit, w->rle, w->cl_freq);
	nrle += aecs_rle(w->d_len, hdist, w->rle + nrle, w->cl_freq);
	/* Cannot fail: 19 symbols, max_len 7. */
	enq_aecs_huff_lengths(w->cl_freq, ENQ_AECS_CL_SYMS, ENQ_AECS_CL_MAX_LEN, false, w->cl_len);
	enq_aecs_huff_codes(w->cl_len, ENQ_AECS_CL_SYMS, w->cl_code);
	for (hclen = ENQ_AECS_CL_SYMS; hclen > 4 && !w->cl_len[aecs_cl_order[hclen - 1]]; hclen--)
		;

	aecs_put(&b, bfinal ? 1 : 0, 1);
	aecs_put(&b, 2, 2); /* BTYPE 10: dynamic Huffman */
	aecs_put(&b, hlit - 257, 5);
	aecs_put(&b, hdist - 1, 5);
	aecs_put(&b, hclen - 4, 4);
	for (i = 0; i < hclen; i++)
		aecs_put(&b, w->cl_len[aecs_cl_order[i]], 3);
	for (i = 0; i < nrle; i++) {
		unsigned int sym = w->rle[i] & 0x1f;

		aecs_put_code(&b, w->cl_code[sym], w->cl_len[sym]);
		if (sym >= 16)
			aecs_put(&b, w->rle[i] >> 5, extra[sym - 16]);
	}
	if (b.nacc)
		b.p[b.pos] = (uint8_t)b.acc;
	return b.pos * 8 + b.nacc;
}

size_t enq_aecs_dyn_work_size(void)
{
	return sizeof(struct aecs_dyn_work);
}

int enq_aecs_comp_set_dynamic_ws(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
				 bool bfinal, void *work)
{
	struct aecs_dyn_work *w = work;
	unsigned int s;
	int ret;

	memcpy(w->ll_freq, hist->ll, sizeof(w->ll_freq));
	/* A block always ends with EOB: it must have a code even if the statistics missed it. */
	if (!w->ll_freq[ENQ_AECS_EOB])
		w->ll_freq[ENQ_AECS_EOB] = 1;
	ret = enq_aecs_huff_lengths(w->ll_freq, ENQ_AECS_LL_SYMS, ENQ_AECS_MAX_CODE_LEN, true,
				    w->ll_len);
	if (!ret)
		ret = enq_aecs_huff_lengths(hist->d, ENQ_AECS_D_SYMS, ENQ_AECS_MAX_CODE_LEN, true,
					    w->d_len);
	if (!ret)
		ret = enq_aecs_huff_codes(w->ll_len, ENQ_AECS_LL_SYMS, w->ll_code);
	if (!ret)
		ret = enq_aecs_huff_codes(w->d_len, ENQ_AECS_D_SYMS, w->d_code);
	if (ret)
		return ret;
	for (s = 0; s < ENQ_AECS_LL_SYMS; s++)
		aecs->ll_sym[s] = ENQ_AECS_CODE(w->ll_len[s], w->ll_code[s]);
	for (s = 0; s < ENQ_AECS_D_SYMS; s++)
		aecs->d_sym[s] = ENQ_AECS_CODE(w->d_len[s], w->d_code[s]);
	return enq_aecs_comp_append_bits(aecs, w->hdr, aecs_header(w, bfinal));
}

int enq_aecs_comp_set_dynamic(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
			      bool bfinal)
{
	struct aecs_dyn_work w;

	return enq_aecs_comp_set_dynamic_ws(aecs, hist, bfinal, &w);
}
