// SPDX-License-Identifier: MIT
/*
 * rt_cpu_compress/decompress against zlib, the independent implementation: zlib inflates
 * everything svart writes (raw, zlib and gzip framing, every level), svart inflates what
 * zlib writes at levels 1, 6 and 9, matches 30000 bytes back prove the 32 KiB window, and
 * short outputs and corrupt or truncated input never write past the output buffer (a
 * PROT_NONE page follows it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "runtime/rt_cpu.h"
#include "tests/t_helpers.h"

static const int zbits[] = { [RT_CPU_RAW] = -15, [RT_CPU_ZLIB] = 15, [RT_CPU_GZIP] = 31 };
static const char *const fname[] = { "raw", "zlib", "gzip" };

/* Text to compress: the system's license texts, else generated words. */
static size_t load_text(uint8_t *buf, size_t cap)
{
	static const char *const files[] = {
		"/usr/share/common-licenses/GPL-3",
		"/usr/share/common-licenses/Apache-2.0",
		"/usr/share/common-licenses/LGPL-2.1",
		"/usr/share/common-licenses/GPL-2",
	};
	static const char *const words[] = { "the ",  "device ", "queue ", "of ", "memory ",
					     "page ", "and ",	 "fault ", "a ",  "record\n" };
	size_t n = 0;
	uint64_t s = 7;

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]) && n < cap; f++) {
		FILE *fp = fopen(files[f], "rb");

		if (!fp)
			continue;
		n += fread(buf + n, 1, cap - n, fp);
		fclose(fp);
	}
	while (n < cap) {
		const char *w;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		w = words[(s >> 33) % 10];
		for (; *w && n < cap; w++)
			buf[n++] = (uint8_t)*w;
	}
	return n;
}

/* zlib's inflate of @src in @framing into @dst; returns the size or -1. */
static long z_inflate(uint8_t *dst, size_t dst_len, const uint8_t *src, size_t src_len,
		      enum rt_cpu_framing framing)
{
	z_stream zs = { 0 };
	long got;
	int ret;

	if (inflateInit2(&zs, zbits[framing]) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)src_len;
	zs.next_out = dst;
	zs.avail_out = (uInt)dst_len;
	ret = inflate(&zs, Z_FINISH);
	got = ret == Z_STREAM_END ? (long)zs.total_out : -1;
	inflateEnd(&zs);
	return got;
}

static long z_deflate(uint8_t *dst, size_t dst_len, const uint8_t *src, size_t src_len, int level,
		      enum rt_cpu_framing framing)
{
	z_stream zs = { 0 };
	long got;

	if (deflateInit2(&zs, level, Z_DEFLATED, zbits[framing], 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)src_len;
	zs.next_out = dst;
	zs.avail_out = (uInt)dst_len;
	got = deflate(&zs, Z_FINISH) == Z_STREAM_END ? (long)zs.total_out : -1;
	deflateEnd(&zs);
	return got;
}

static void test_roundtrips(const uint8_t *text, size_t text_len, uint8_t *comp, uint8_t *back)
{
	static const size_t sizes[] = { 0, 1, 100, 65535, 65536, 200000, 1 << 20 };
	static const int levels[] = { 0, 1, 2, 3, 4, 6, 9, RT_CPU_LEVEL_DEFAULT };

	for (int f = RT_CPU_RAW; f <= RT_CPU_GZIP; f++)
		for (size_t li = 0; li < sizeof(levels) / sizeof(levels[0]); li++)
			for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
				size_t n = sizes[si] < text_len ? sizes[si] : text_len, clen = 0;
				size_t bound = rt_cpu_compress_bound(n, (enum rt_cpu_framing)f);
				long got;
				int ret;

				ret = rt_cpu_compress(comp, bound, text, n, levels[li],
						      (enum rt_cpu_framing)f, &clen);
				T_EQ(ret, 0);
				got = z_inflate(back, n + 1, comp, clen, (enum rt_cpu_framing)f);
				if (got != (long)n || memcmp(back, text, n))
					fprintf(stderr, "%s level %d size %zu: zlib got %ld\n",
						fname[f], levels[li], n, got);
				T_EQ(got, (long)n);
				T_CHECK(!memcmp(back, text, n));
				/* Text compresses; level 0 stores. */
				if (n >= 65536)
					T_CHECK(levels[li] ? clen < n / 2 : clen > n);
				/* And svart reads it back. */
				T_EQ(rt_cpu_decompress(back, n, comp, clen, (enum rt_cpu_framing)f,
						       &clen),
				     0);
				T_EQ(clen, n);
			}
}

static void test_zlib_streams(const uint8_t *text, size_t n, uint8_t *comp, uint8_t *back)
{
	static const int levels[] = { 1, 6, 9 };

	for (int f = RT_CPU_RAW; f <= RT_CPU_GZIP; f++)
		for (size_t li = 0; li < 3; li++) {
			long clen =
				z_deflate(comp, 2 * n, text, n, levels[li], (enum rt_cpu_framing)f);
			size_t got = 0;

			T_CHECK(clen > 0);
			T_EQ(rt_cpu_decompress(back, n, comp, (size_t)clen, (enum rt_cpu_framing)f,
					       &got),
			     0);
			T_EQ(got, n);
			T_CHECK(!memcmp(back, text, n));
			/* The framing must match. */
			T_RET(EBADMSG, rt_cpu_decompress(back, n, comp, (size_t)clen,
							 (enum rt_cpu_framing)((f + 1) % 3), &got));
		}
}

/*
 * 5000 random bytes, 25000 zeros, the same 5000 bytes: only a window reaching 30000 bytes
 * back finds the repeat (IAA's 4 KiB window would not).
 */
static void test_window(uint8_t *comp, uint8_t *back)
{
	const size_t blk = 5000, gap = 25000, n = 2 * blk + gap;
	uint8_t *in = calloc(1, n);
	uint64_t s = 99;
	size_t clen = 0;

	for (size_t i = 0; i < blk; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		in[i] = (uint8_t)(s >> 56);
	}
	memcpy(in + blk + gap, in, blk);
	for (int level = 1; level <= 9; level++) {
		T_EQ(rt_cpu_compress(comp, 2 * n, in, n, level, RT_CPU_RAW, &clen), 0);
		if (clen >= blk + blk / 2)
			fprintf(stderr, "window: level %d: %zu bytes\n", level, clen);
		T_CHECK(clen < blk + blk / 2); /* without the repeat: over 2 * blk */
		T_EQ(z_inflate(back, n, comp, clen, RT_CPU_RAW), (long)n);
		T_CHECK(!memcmp(back, in, n));
	}
	free(in);
}

/* @len bytes that end exactly where a PROT_NONE page begins. */
static uint8_t *guarded(uint8_t *region, size_t page, size_t len)
{
	return region + 64 * page - len;
}

static void test_guard(const uint8_t *text, size_t n, uint8_t *comp)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *region =
		mmap(NULL, 65 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t clen = 0, got = 0, small;
	int bad = 0;

	if (region == MAP_FAILED)
		T_SKIP("mmap failed");
	mprotect(region + 64 * page, page, PROT_NONE);
	if (n > 100000)
		n = 100000;

	/* Output one byte short, and a tiny output: -ENOSPC, no write past dst_len. */
	T_EQ(rt_cpu_compress(comp, 4 * n, text, n, 6, RT_CPU_GZIP, &clen), 0);
	T_RET(ENOSPC, rt_cpu_decompress(guarded(region, page, n - 1), n - 1, comp, clen,
					RT_CPU_GZIP, &got));
	T_RET(ENOSPC,
	      rt_cpu_decompress(guarded(region, page, 7), 7, comp, clen, RT_CPU_GZIP, &got));
	T_EQ(rt_cpu_decompress(guarded(region, page, n), n, comp, clen, RT_CPU_GZIP, &got), 0);
	T_EQ(got, n);
	for (int level = 0; level <= 9; level += 3) {
		T_EQ(rt_cpu_compress(comp, 4 * n, text, n, level, RT_CPU_ZLIB, &clen), 0);
		T_RET(ENOSPC, rt_cpu_compress(guarded(region, page, clen - 1), clen - 1, text, n,
					      level, RT_CPU_ZLIB, &got));
		T_RET(ENOSPC, rt_cpu_compress(guarded(region, page, 9), 9, text, n, level,
					      RT_CPU_ZLIB, &got));
		T_EQ(rt_cpu_compress(guarded(region, page, clen), clen, text, n, level, RT_CPU_ZLIB,
				     &got),
		     0);
	}

	/* Corruption: flip a byte at many positions; truncate at many lengths. Decompress
	 * into an output that ends at the guard page. A checked framing that reports
	 * success must have produced the original. */
	small = 20000;
	for (int f = RT_CPU_RAW; f <= RT_CPU_GZIP && !bad; f++) {
		uint8_t *dst = guarded(region, page, small);

		T_EQ(rt_cpu_compress(comp, 4 * n, text, small, 6, (enum rt_cpu_framing)f, &clen),
		     0);
		for (size_t pos = 0; pos < clen && !bad; pos += 1 + pos / 16) {
			int ret;

			comp[pos] ^= (uint8_t)(0x5a + pos);
			ret = rt_cpu_decompress(dst, small, comp, clen, (enum rt_cpu_framing)f,
						&got);
			comp[pos] ^= (uint8_t)(0x5a + pos);
			if (ret == 0 && f != RT_CPU_RAW &&
			    (got != small || memcmp(dst, text, small)))
				bad = 1;
			if (ret != 0 && ret != -EBADMSG && ret != -ENOSPC)
				bad = 1;
			if (bad)
				fprintf(stderr, "%s flip at %zu: %d\n", fname[f], pos, ret);
		}
		for (size_t cut = 0; cut < clen && !bad; cut += 1 + cut / 8) {
			int ret = rt_cpu_decompress(dst, small, comp, cut, (enum rt_cpu_framing)f,
						    &got);

			if (ret != -EBADMSG) {
				fprintf(stderr, "%s cut at %zu of %zu: %d\n", fname[f], cut, clen,
					ret);
				bad = 1;
			}
		}
	}
	T_CHECK(!bad);
	munmap(region, 65 * page);
}

static void test_bad_args(const uint8_t *text, uint8_t *comp)
{
	size_t out;

	T_RET(EINVAL, rt_cpu_compress(comp, 1000, text, 100, 10, RT_CPU_RAW, &out));
	T_RET(EINVAL, rt_cpu_compress(comp, 1000, text, 100, -2, RT_CPU_RAW, &out));
	T_RET(EINVAL, rt_cpu_compress(comp, 1000, text, 100, 6, (enum rt_cpu_framing)3, &out));
	T_RET(EINVAL, rt_cpu_compress(comp, 1000, text, 100, 6, RT_CPU_RAW, NULL));
	T_RET(EINVAL, rt_cpu_compress(comp, 1000, NULL, 100, 6, RT_CPU_RAW, &out));
	T_RET(EINVAL, rt_cpu_decompress(comp, 1000, text, 100, (enum rt_cpu_framing) - 1, &out));
	T_RET(EINVAL, rt_cpu_decompress(NULL, 1000, text, 100, RT_CPU_RAW, &out));
	T_RET(EBADMSG, rt_cpu_decompress(comp, 1000, text, 0, RT_CPU_RAW, &out));
	T_EQ(rt_cpu_isal_level(1), 0);
	T_EQ(rt_cpu_isal_level(6), 3);
	T_EQ(rt_cpu_isal_level(RT_CPU_LEVEL_DEFAULT), 3);
	T_RET(EINVAL, rt_cpu_isal_level(0));
}

struct thread_arg {
	const uint8_t *text;
	int ret;
};

/* A second thread gets its own work areas, freed when it exits (ASan checks the leak). */
static void *thread_fn(void *p)
{
	struct thread_arg *a = p;
	uint8_t comp[4096], back[2000];
	size_t clen = 0, got = 0;

	a->ret = rt_cpu_compress(comp, sizeof(comp), a->text, 2000, 3, RT_CPU_GZIP, &clen);
	if (!a->ret)
		a->ret = rt_cpu_decompress(back, sizeof(back), comp, clen, RT_CPU_GZIP, &got);
	if (!a->ret && (got != 2000 || memcmp(back, a->text, 2000)))
		a->ret = -EIO;
	return NULL;
}

int main(void)
{
	const size_t cap = 1 << 20;
	uint8_t *text = malloc(cap), *comp = malloc(2 * cap + 4096), *back = malloc(cap + 1);
	struct thread_arg targ;
	pthread_t th;
	size_t n = load_text(text, cap);

	test_roundtrips(text, n, comp, back);
	test_zlib_streams(text, n < 300000 ? n : 300000, comp, back);
	test_window(comp, back);
	test_guard(text, n, comp);
	test_bad_args(text, comp);

	targ.text = text;
	T_EQ(pthread_create(&th, NULL, thread_fn, &targ), 0);
	pthread_join(th, NULL);
	T_EQ(targ.ret, 0);

	free(text);
	free(comp);
	free(back);
	return t_done("rt_cpu_deflate");
}
