// SPDX-License-Identifier: MIT
/*
 * Every synchronous operation on a sim context, checked against references that do not share
 * code with svart: libc (memcpy/memcmp), bitwise/table CRCs built here from the polynomials,
 * zlib for deflate in all three framings, delta records and DIF tuples built by hand.
 * Sizes run from 1 B to 64 MiB (64 MiB only for memmove and CRC-32C, to keep the run short)
 * at odd source/destination alignments.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "svart.h"
#include "tests/t_helpers.h"
#include "tests/t_ref.h"

#define BIG (64u << 20)
#define SLACK 4096u

static struct svart_ctx *ctx;
static uint8_t *bufa, *bufb, *bufc;

/* ---- references ------------------------------------------------------------------------- */

static uint64_t ref_crc64(const uint8_t *p, size_t n, uint64_t poly, unsigned int flags)
{
	uint64_t c = flags & SVART_CRC64_INVERT ? ~0ull : 0, rpoly = 0;

	for (int i = 0; i < 64; i++)
		if (poly & (1ull << i))
			rpoly |= 1ull << (63 - i);
	for (size_t i = 0; i < n; i++) {
		if (flags & SVART_CRC64_REFLECT) {
			c ^= p[i];
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ rpoly : c >> 1;
		} else {
			c ^= (uint64_t)p[i] << 56;
			for (int k = 0; k < 8; k++)
				c = c >> 63 ? (c << 1) ^ poly : c << 1;
		}
	}
	return flags & SVART_CRC64_INVERT ? ~c : c;
}

/* CRC-16/T10-DIF: poly 0x8BB7, init 0, MSB first ("123456789" -> 0xD0DB). */
static uint16_t ref_crc16(const uint8_t *p, size_t n)
{
	uint16_t c = 0;

	while (n--) {
		c ^= (uint16_t)(*p++ << 8);
		for (int k = 0; k < 8; k++)
			c = c & 0x8000 ? (uint16_t)((c << 1) ^ 0x8BB7) : (uint16_t)(c << 1);
	}
	return c;
}

static void fill_rand(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* Compressible text-like data: words from a small dictionary. */
static void fill_text(uint8_t *p, size_t n, uint32_t seed)
{
	static const char *const words[] = { "svart ", "offload ", "the ", "device ", "queue ",
					     "page ",  "fault ",   "DSA ", "IAA ",    "deflate\n" };
	uint32_t x = seed | 1;
	size_t i = 0;

	while (i < n) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % 10];
		for (; *w && i < n; w++)
			p[i++] = (uint8_t)*w;
	}
}

/* ---- tests ------------------------------------------------------------------------------ */

static const size_t sizes[] = {
	1, 2, 7, 63, 64, 65, 4095, 4096, 4097, 12289, 65536 + 5, (1u << 20) + 3, (4u << 20) - 1
};
static const size_t aligns[] = { 0, 1, 3, 63 };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_memmove(void)
{
	for (size_t s = 0; s < N(sizes); s++) {
		size_t n = sizes[s];

		for (size_t a = 0; a < N(aligns); a++) {
			uint8_t *src = bufa + aligns[a], *dst = bufb + aligns[(a + 1) % N(aligns)];

			fill_rand(src, n, (uint32_t)(n + a));
			memset(dst - 1, 0xA5, n + 2);
			T_RET(0, svart_memmove(ctx, dst, src, n));
			T_CHECK(!memcmp(dst, src, n));
			/* Nothing written outside [dst, dst + n). */
			T_EQ(dst[-1], 0xA5);
			T_EQ(dst[n], 0xA5);
		}
	}
	/* Overlapping both ways, as memmove. */
	fill_rand(bufa, 100000, 7);
	memcpy(bufc, bufa, 100000);
	memmove(bufc + 4097, bufc, 90000);
	T_RET(0, svart_memmove(ctx, bufa + 4097, bufa, 90000));
	T_CHECK(!memcmp(bufa, bufc, 100000));
	memmove(bufc + 1, bufc + 5000, 90000);
	T_RET(0, svart_memmove(ctx, bufa + 1, bufa + 5000, 90000));
	T_CHECK(!memcmp(bufa, bufc, 100000));
	/* 64 MiB, odd alignment on both sides. */
	fill_rand(bufa, BIG + 8, 64);
	T_RET(0, svart_memmove(ctx, bufb + 5, bufa + 3, BIG));
	T_CHECK(!memcmp(bufb + 5, bufa + 3, BIG));
	T_RET(0, svart_memmove(ctx, bufb, bufa, 0));
}

static void test_memfill(void)
{
	const uint64_t pat = 0x8877665544332211ull;

	for (size_t s = 0; s < N(sizes); s++) {
		size_t n = sizes[s];
		uint8_t *dst = bufb + aligns[s % N(aligns)];
		bool ok = true;

		memset(dst - 1, 0xA5, n + 2);
		T_RET(0, svart_memfill(ctx, dst, pat, n));
		/* Byte i is byte (i % 8) of the pattern, counted from the destination start. */
		for (size_t i = 0; i < n && ok; i++)
			ok = dst[i] == (uint8_t)(pat >> (8 * (i % 8)));
		T_CHECK(ok);
		T_EQ(dst[-1], 0xA5);
		T_EQ(dst[n], 0xA5);
	}
}

static void test_memcmp(void)
{
	for (size_t s = 0; s < N(sizes); s++) {
		size_t n = sizes[s], mis = 12345;
		uint8_t *a = bufa + aligns[s % N(aligns)], *b = bufb + aligns[(s + 1) % N(aligns)];

		fill_rand(a, n, (uint32_t)s);
		memcpy(b, a, n);
		T_EQ(svart_memcmp(ctx, a, b, n, &mis), 0);
		T_EQ(mis, n);
		/* First, middle and last byte differing. */
		size_t at[3] = { 0, n / 2, n - 1 };

		for (int k = 0; k < 3; k++) {
			b[at[k]] ^= 0x10;
			T_EQ(svart_memcmp(ctx, a, b, n, &mis), 1);
			T_EQ(mis, at[k]);
			b[at[k]] ^= 0x10;
		}
		/* Two differences: the first one is reported. */
		if (n > 2) {
			b[n - 1] ^= 1;
			b[n / 3] ^= 1;
			T_EQ(svart_memcmp(ctx, a, b, n, NULL), 1);
			T_EQ(svart_memcmp(ctx, a, b, n, &mis), 1);
			T_EQ(mis, n / 3);
		}
	}
}

static void test_crc32c(void)
{
	uint32_t crc = 0, c2 = 0;

	T_EQ(t_crc32c((const uint8_t *)"123456789", 9, 0), 0xE3069283u);
	T_RET(0, svart_crc32c(ctx, "123456789", 9, 0, &crc));
	T_EQ(crc, 0xE3069283u);
	/* Continuation: crc("12345" | "6789") = crc("6789", seed = crc("12345")). */
	T_RET(0, svart_crc32c(ctx, "12345", 5, 0, &crc));
	T_RET(0, svart_crc32c(ctx, "6789", 4, crc, &c2));
	T_EQ(c2, 0xE3069283u);
	T_RET(0, svart_crc32c(ctx, "x", 0, 0x1234, &crc));
	T_EQ(crc, 0x1234);
	for (size_t s = 0; s < N(sizes); s++) {
		size_t n = sizes[s];
		uint8_t *p = bufa + aligns[s % N(aligns)];

		fill_rand(p, n, (uint32_t)(3 * s));
		T_RET(0, svart_crc32c(ctx, p, n, 0xDEADBEEF, &crc));
		T_EQ(crc, t_crc32c(p, n, 0xDEADBEEF));
		/* copy_crc32c: same CRC, and a copy. */
		c2 = 0;
		T_RET(0, svart_copy_crc32c(ctx, bufb + 1, p, n, 0, &c2));
		T_EQ(c2, t_crc32c(p, n, 0));
		T_CHECK(!memcmp(bufb + 1, p, n));
	}
	fill_rand(bufa, BIG + 1, 99);
	T_RET(0, svart_crc32c(ctx, bufa + 1, BIG, 0, &crc));
	T_EQ(crc, t_crc32c(bufa + 1, BIG, 0));
}

static void test_dualcast(void)
{
	static const size_t dn[] = { 1, 100, 4096, 65537 };

	for (size_t s = 0; s < N(dn); s++) {
		size_t n = dn[s];
		/* d1/d2 share bits 11:0 (the device form); d3 does not (the CPU form). */
		uint8_t *src = bufa + 7, *d1 = bufb + 64, *d2 = bufb + (8u << 20) + 64,
			*d3 = bufc + 9;

		fill_rand(src, n, (uint32_t)n);
		memset(d1, 0, n);
		memset(d2, 0, n);
		T_RET(0, svart_dualcast(ctx, d1, d2, src, n));
		T_CHECK(!memcmp(d1, src, n));
		T_CHECK(!memcmp(d2, src, n));
		memset(d3, 0, n);
		memset(d1, 0, n);
		T_RET(0, svart_dualcast(ctx, d1, d3, src, n));
		T_CHECK(!memcmp(d1, src, n));
		T_CHECK(!memcmp(d3, src, n));
	}
}

/* One hand-built delta entry: u16 word index (little-endian), then the word's new 8 bytes. */
static void delta_entry(uint8_t *e, uint16_t idx, const uint8_t *word)
{
	e[0] = (uint8_t)idx;
	e[1] = (uint8_t)(idx >> 8);
	memcpy(e + 2, word, 8);
}

static void test_delta(void)
{
	const size_t n = 64 * 1024;
	uint8_t *orig = bufa, *mod = bufb, *dst = bufc, want[40];
	_Alignas(8) uint8_t rec[4096];
	static const uint16_t idx[] = { 0, 5, 1000, 8191 };
	size_t dlen = 99;

	fill_rand(orig, n, 5);
	memcpy(mod, orig, n);
	T_RET(0, svart_delta_create(ctx, orig, mod, n, rec, sizeof(rec), &dlen));
	T_EQ(dlen, 0);
	for (size_t i = 0; i < N(idx); i++) {
		mod[idx[i] * 8 + (i % 8)] ^= 0x5A;
		delta_entry(want + 10 * i, idx[i], mod + idx[i] * 8);
	}
	T_RET(0, svart_delta_create(ctx, orig, mod, n, rec, sizeof(rec), &dlen));
	T_EQ(dlen, 40);
	T_CHECK(!memcmp(rec, want, 40));
	memcpy(dst, orig, n);
	T_RET(0, svart_delta_apply(ctx, dst, n, rec, dlen));
	T_CHECK(!memcmp(dst, mod, n));
	/* A hand-built record applies the same way. */
	memcpy(dst, orig, n);
	T_RET(0, svart_delta_apply(ctx, dst, n, want, 40));
	T_CHECK(!memcmp(dst, mod, n));
	/* Record capacity: 40 bytes needed, 30 given -> -ENOSPC (CPU path: below 80 bytes). */
	T_RET(0, svart_delta_create(ctx, orig, mod, n, rec, 45, &dlen));
	T_EQ(dlen, 40);
	T_RET(ENOSPC, svart_delta_create(ctx, orig, mod, n, rec, 30, &dlen));
	/* Every word different: 8 entries of 10 bytes for 64 bytes. */
	fill_rand(mod, 64, 77);
	for (int i = 0; i < 8; i++)
		mod[i * 8] = (uint8_t)~orig[i * 8];
	T_RET(0, svart_delta_create(ctx, orig, mod, 64, rec, 80, &dlen));
	T_EQ(dlen, 80);
	memcpy(dst, orig, 64);
	T_RET(0, svart_delta_apply(ctx, dst, 64, rec, dlen));
	T_CHECK(!memcmp(dst, mod, 64));
}

static void test_dif(void)
{
	static const uint32_t bss[] = { 512, 520, 4096, 4104 };
	size_t bad = 99;

	T_EQ(ref_crc16((const uint8_t *)"123456789", 9), 0xD0DB);
	for (size_t k = 0; k < N(bss); k++) {
		uint32_t bs = bss[k], nb = 5;
		struct svart_dif d = { .block_size = bs, .ref_tag = 0x100 + k, .app_tag = 0xBEEF };
		struct svart_dif o = { .block_size = bs, .ref_tag = 0x77, .app_tag = 0x1234 };
		size_t len = (size_t)bs * nb, plen = (size_t)(bs + 8) * nb;
		uint8_t *src = bufa + 3, *pi = bufb + 1, *out = bufc + 5;
		bool ok = true;

		fill_rand(src, len, bs);
		T_RET(0, svart_dif_insert(ctx, pi, src, len, &d));
		/* Reference tuples: guard, app tag, ref tag + block (all big-endian). */
		for (uint32_t b = 0; b < nb && ok; b++) {
			const uint8_t *blk = pi + (size_t)b * (bs + 8), *t = blk + bs;
			uint16_t g = ref_crc16(src + (size_t)b * bs, bs);
			uint32_t r = d.ref_tag + b;

			ok = !memcmp(blk, src + (size_t)b * bs, bs) && t[0] == g >> 8 &&
			     t[1] == (uint8_t)g && t[2] == 0xBE && t[3] == 0xEF &&
			     t[4] == (uint8_t)(r >> 24) && t[5] == (uint8_t)(r >> 16) &&
			     t[6] == (uint8_t)(r >> 8) && t[7] == (uint8_t)r;
		}
		T_CHECK(ok);
		T_RET(0, svart_dif_check(ctx, pi, plen, &d, &bad));
		memset(out, 0, len);
		T_RET(0, svart_dif_strip(ctx, out, pi, plen, &d, &bad));
		T_CHECK(!memcmp(out, src, len));
		/* Update to new tags, then check those. */
		T_RET(0, svart_dif_update(ctx, out, pi, plen, &d, &o, &bad));
		T_RET(0, svart_dif_check(ctx, out, plen, &o, &bad));
		T_EQ(out[bs + 2], 0x12);
		T_EQ(out[bs + 3], 0x34);
		/* A corrupt data byte in block 3: DIF_ERR, bad block 3. */
		pi[(size_t)3 * (bs + 8) + 17] ^= 1;
		bad = 99;
		T_RET(SVART_EDSA(0x09), svart_dif_check(ctx, pi, plen, &d, &bad));
		T_EQ(bad, 3);
		bad = 99;
		T_RET(SVART_EDSA(0x09), svart_dif_strip(ctx, out, pi, plen, &d, &bad));
		T_EQ(bad, 3);
		/* ... unless guard checks are off. */
		d.flags = SVART_DIF_NO_GUARD_CHECK;
		T_RET(0, svart_dif_check(ctx, pi, plen, &d, &bad));
		d.flags = 0;
		pi[(size_t)3 * (bs + 8) + 17] ^= 1;
		/* Wrong starting ref tag: block 0 fails. */
		d.ref_tag++;
		T_RET(SVART_EDSA(0x09), svart_dif_check(ctx, pi, plen, &d, &bad));
		T_EQ(bad, 0);
		d.flags = SVART_DIF_NO_REF_CHECK;
		T_RET(0, svart_dif_check(ctx, pi, plen, &d, &bad));
	}
}

static int zlib_wbits(unsigned int framing)
{
	return framing == SVART_COMP_RAW ? -15 : framing == SVART_COMP_ZLIB ? 15 : 31;
}

static int zlib_inflate(unsigned int framing, const uint8_t *src, size_t n, uint8_t *dst,
			size_t cap, size_t *out)
{
	z_stream z = { 0 };
	int ret;

	if (inflateInit2(&z, zlib_wbits(framing)) != Z_OK)
		return -1;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	ret = inflate(&z, Z_FINISH);
	*out = z.total_out;
	inflateEnd(&z);
	return ret == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

static int zlib_deflate(unsigned int framing, const uint8_t *src, size_t n, uint8_t *dst,
			size_t cap, size_t *out)
{
	z_stream z = { 0 };
	int ret;

	if (deflateInit2(&z, 6, Z_DEFLATED, zlib_wbits(framing), 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	ret = deflate(&z, Z_FINISH);
	*out = z.total_out;
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : -1;
}

static void test_deflate(void)
{
	static const size_t cn[] = { 0, 1, 100, 4096, 65536 + 7, (1u << 20) + 1 };
	static const unsigned int fr[] = { SVART_COMP_RAW, SVART_COMP_ZLIB, SVART_COMP_GZIP };

	for (size_t f = 0; f < N(fr); f++) {
		for (size_t s = 0; s < N(cn); s++) {
			for (int kind = 0; kind < 3; kind++) {
				size_t n = cn[s], clen = 0, dlen = 0, cap = n + n / 8 + 1024;
				unsigned int fl = fr[f] | (kind == 2 ? SVART_COMP_FIXED : 0);
				uint8_t *src = bufa + 1, *c = bufb + 3, *d = bufc + 5;

				if (kind == 1)
					fill_rand(src, n, (uint32_t)n);
				else
					fill_text(src, n, (uint32_t)n);
				/* svart compress -> zlib inflate. */
				T_RET(0, svart_compress(ctx, c, cap, src, n, fl, &clen));
				T_CHECK(clen > 0);
				T_RET(0, zlib_inflate(fr[f], c, clen, d, n + 1, &dlen));
				T_EQ(dlen, n);
				T_CHECK(!memcmp(d, src, n));
				if (kind == 0 && n >= 4096)
					T_CHECK(clen < n / 2);
				/* zlib deflate -> svart decompress, exact destination size. */
				T_RET(0, zlib_deflate(fr[f], src, n, c, cap, &clen));
				memset(d, 0xA5, n + 1);
				T_RET(0, svart_decompress(ctx, d, n, c, clen, fr[f], &dlen));
				T_EQ(dlen, n);
				T_CHECK(!memcmp(d, src, n));
				T_EQ(d[n], 0xA5);
			}
		}
	}
}

static void test_crc64(void)
{
	const uint64_t poly = 0x42F0E1EBA9EA3693ull;
	const unsigned int xz = SVART_CRC64_REFLECT | SVART_CRC64_INVERT;
	uint64_t crc = 0;

	T_EQ(ref_crc64((const uint8_t *)"123456789", 9, poly, xz), 0x995DC9BBDF1939FAull);
	T_RET(0, svart_crc64(ctx, "123456789", 9, poly, xz, &crc));
	T_EQ(crc, 0x995DC9BBDF1939FAull);
	/* CRC-64/ECMA-182: same polynomial, MSB first, no inversion. */
	T_RET(0, svart_crc64(ctx, "123456789", 9, poly, 0, &crc));
	T_EQ(crc, 0x6C40DF5F0B497347ull);
	/* CRC-64/GO-ISO: poly 0x1B, reflected and inverted. */
	T_RET(0, svart_crc64(ctx, "123456789", 9, 0x1Bull, xz, &crc));
	T_EQ(crc, 0xB90956C775A41001ull);
	for (size_t s = 0; s < N(sizes) && sizes[s] <= (1u << 20) + 3; s++) {
		size_t n = sizes[s];
		uint8_t *p = bufa + aligns[s % N(aligns)];

		fill_rand(p, n, (uint32_t)(11 * s));
		for (unsigned int fl = 0; fl <= SVART_CRC64_FLAGS_ALL; fl++) {
			T_RET(0, svart_crc64(ctx, p, n, poly, fl, &crc));
			T_EQ(crc, ref_crc64(p, n, poly, fl));
		}
	}
}

static void test_flush(void)
{
	fill_rand(bufa, 8192, 1);
	memcpy(bufb, bufa, 8192);
	T_RET(0, svart_cache_flush(ctx, bufa + 3, 8000, 0));
	T_RET(0, svart_cache_flush(ctx, bufa, 8192, SVART_FLUSH_KEEP));
	/* A flush never changes contents. */
	T_CHECK(!memcmp(bufa, bufb, 8192));
}

static uint8_t *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	struct svart_stats st = { .size = sizeof(st) };
	int ret;

	t_crc32c_init();
	ret = svart_ctx_create(&o, &ctx);
	if (ret)
		T_SKIP("no sim context: %s", svart_strerror(ret));
	bufa = map(BIG + SLACK);
	bufb = map(BIG + SLACK);
	bufc = map(BIG + SLACK);
	if (!bufa || !bufb || !bufc)
		T_SKIP("cannot map 3 x 64 MiB");
	/* Leave a guard byte before every buffer start used with a -1 check. */
	bufb += 64;

	test_memmove();
	test_memfill();
	test_memcmp();
	test_crc32c();
	test_dualcast();
	test_delta();
	test_dif();
	test_deflate();
	test_crc64();
	test_flush();

	T_RET(0, svart_ctx_stats(ctx, &st));
	printf("sim ops %llu cpu ops %llu descriptors %llu faults %llu fallbacks %llu\n",
	       (unsigned long long)st.path[SVART_PATH_SIM].ops,
	       (unsigned long long)st.path[SVART_PATH_CPU].ops, (unsigned long long)st.descriptors,
	       (unsigned long long)st.page_faults, (unsigned long long)st.cpu_fallbacks);
	/* The device path really ran (cpu_threshold 1). */
	T_CHECK(st.path[SVART_PATH_SIM].ops > 100);
	T_CHECK(st.descriptors > 100);
	svart_ctx_destroy(ctx);
	return t_done("rt_ops");
}
