// SPDX-License-Identifier: MIT
/*
 * svart-bench-cpu: the runtime's CPU kernels (runtime/rt_cpu_*) against their baselines, in
 * one run: glibc memcpy/memset/memcmp, ISA-L crc32_iscsi / crc64 / igzip, zlib levels 1 and
 * 6. Names are "<op>/<who>/<bytes>"; pairs to compare share <op> and <bytes>.
 *
 * Default sizes: 256 B, 4 KiB, 64 KiB, 256 KiB, 1 MiB, 16 MiB. With --svart_full (or
 * SVART_BENCH_FULL=1): every power of 4 from 256 B to 64 MiB plus 256 KiB and 16 MiB, and the
 * CRC-32C implementations one by one (the crossover data in docs/CPU_PATH.md).
 *
 * Compression input is real text: the files in /usr/share/common-licenses, then every
 * /usr/share/doc/PACKAGE/copyright, in sorted order, repeated to the size needed; generated
 * words if none is readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/crc64.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "runtime/rt_cpu.h"
#include "bench_text.h"
#include "svart_bench.h"

#define MAX_SIZE (64u << 20)

static uint8_t *buf_a, *buf_b, *buf_c, *text;
static size_t max_size;

/* ---- sizes ---- */

static size_t size_of(const struct sb_state *st)
{
	return (size_t)sb_range_arg(st, 0);
}

/* Small sizes run 16 calls per loop check so the loop's cost stays out of the numbers. */
static int64_t batch(size_t n)
{
	return n <= 4096 ? 16 : 1;
}

static void done(struct sb_state *st, size_t n)
{
	sb_set_bytes_processed(st, sb_iterations_done(st) * (int64_t)n);
}

/* ---- memory ---- */

static void bm_memcpy(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);

	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++)
			memcpy(buf_b, buf_a, n);
	sb_clobber_memory();
	done(st, n);
}

static void bm_memmove(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);

	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++)
			rt_cpu_memmove(buf_b, buf_a, n);
	done(st, n);
}

static void bm_memset(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);

	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++)
			memset(buf_b, 0x5a, n);
	sb_clobber_memory();
	done(st, n);
}

static void bm_memfill(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);

	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++)
			rt_cpu_memfill(buf_b, 0x0807060504030201ull, n);
	done(st, n);
}

/* Equal buffers: both compares read everything. */
static void bm_memcmp(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);
	int r = 0;

	memcpy(buf_b, buf_a, n);
	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++) {
			r += memcmp(buf_a, buf_b, n);
			sb_do_not_optimize(&r);
		}
	done(st, n);
}

static void bm_rt_memcmp(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), at;
	int64_t k = batch(n);
	int r = 0;

	memcpy(buf_b, buf_a, n);
	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++) {
			r += rt_cpu_memcmp(buf_a, buf_b, n, &at);
			sb_do_not_optimize(&r);
		}
	done(st, n);
}

/* ---- CRC ---- */

static void bm_crc_isal(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int64_t k = batch(n);
	uint32_t c = 0;

	while (sb_keep_running_batch(st, k))
		for (int64_t i = 0; i < k; i++)
			c = crc32_iscsi(buf_a, (int)n, c);
	sb_do_not_optimize(&c);
	done(st, n);
}

static void bm_crc_ours(struct sb_state *st, void *arg)
{
	enum rt_cpu_crc32c_impl impl = (enum rt_cpu_crc32c_impl)(intptr_t)arg;
	size_t n = size_of(st);
	int64_t k = batch(n);
	uint32_t c = 0;

	if (impl == RT_CPU_CRC32C_AUTO) {
		while (sb_keep_running_batch(st, k))
			for (int64_t i = 0; i < k; i++)
				c = rt_cpu_crc32c(c, buf_a, n);
	} else {
		if (rt_cpu_crc32c_impl(impl, 0, buf_a, 1, &c)) {
			sb_skip_with_error(st, "not on this CPU");
			while (sb_keep_running(st))
				;
			return;
		}
		while (sb_keep_running_batch(st, k))
			for (int64_t i = 0; i < k; i++)
				rt_cpu_crc32c_impl(impl, c, buf_a, n, &c);
	}
	sb_do_not_optimize(&c);
	done(st, n);
}

#define POLY_ECMA 0x42f0e1eba9ea3693ull
#define POLY_NVME 0xad93d23594c93659ull /* not one of ISA-L's: the table path */

static void bm_crc64_isal(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	uint64_t c = 0;

	while (sb_keep_running(st))
		c = crc64_ecma_refl(c, buf_a, n);
	sb_do_not_optimize(&c);
	done(st, n);
}

static void bm_crc64_ours(struct sb_state *st, void *arg)
{
	uint64_t poly = *(const uint64_t *)arg, c = 0;
	size_t n = size_of(st);

	while (sb_keep_running(st)) {
		rt_cpu_crc64(poly, RT_CPU_CRC64_REFLECT | RT_CPU_CRC64_INVERT, buf_a, n, &c);
		sb_do_not_optimize(&c);
	}
	done(st, n);
}

/* ---- deflate ---- */

/* arg: for ISA-L and ours, the level; for zlib, the zlib level. */
struct zcase {
	int level;
};

static uint8_t isal_level_buf[ISAL_DEF_LVL3_DEFAULT];
static const uint32_t isal_level_size[] = { ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
					    ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT };

static size_t isal_compress(uint8_t *dst, size_t cap, const uint8_t *src, size_t n, int level)
{
	static struct isal_zstream z;

	isal_deflate_stateless_init(&z);
	z.level = (uint32_t)level;
	z.level_buf = isal_level_buf;
	z.level_buf_size = isal_level_size[level];
	z.gzip_flag = IGZIP_ZLIB;
	z.hist_bits = ISAL_DEF_MAX_HIST_BITS;
	z.end_of_stream = 1;
	z.flush = NO_FLUSH;
	z.next_in = (uint8_t *)src;
	z.avail_in = (uint32_t)n;
	z.next_out = dst;
	z.avail_out = (uint32_t)cap;
	return isal_deflate_stateless(&z) == COMP_OK ? z.total_out : 0;
}

static void ratio(struct sb_state *st, size_t n, size_t out)
{
	sb_counter_set(st, "ratio", out ? (double)n / (double)out : 0, 0);
}

static void bm_deflate_isal(struct sb_state *st, void *arg)
{
	int level = ((const struct zcase *)arg)->level;
	size_t n = size_of(st), out = 0;

	while (sb_keep_running(st))
		out = isal_compress(buf_b, 2 * max_size, text, n, level);
	if (!out)
		sb_skip_with_error(st, "isal_deflate_stateless failed");
	ratio(st, n, out);
	done(st, n);
}

static void bm_deflate_zlib(struct sb_state *st, void *arg)
{
	int level = ((const struct zcase *)arg)->level;
	size_t n = size_of(st);
	uLongf out = 0;

	while (sb_keep_running(st)) {
		out = compressBound((uLong)n);
		if (compress2(buf_b, &out, text, (uLong)n, level) != Z_OK)
			out = 0;
	}
	ratio(st, n, out);
	done(st, n);
}

static void bm_deflate_ours(struct sb_state *st, void *arg)
{
	int level = ((const struct zcase *)arg)->level;
	size_t n = size_of(st), out = 0;
	int ret = 0;

	while (sb_keep_running(st))
		ret = rt_cpu_compress(buf_b, 2 * max_size, text, n, level, RT_CPU_ZLIB, &out);
	if (ret)
		sb_skip_with_error(st, "rt_cpu_compress failed");
	ratio(st, n, out);
	done(st, n);
}

/* The input for inflate: text compressed by ISA-L at its level 3 (zlib framing). */
static size_t inflate_setup(size_t n)
{
	return isal_compress(buf_c, 2 * max_size, text, n, 3);
}

static void bm_inflate_isal(struct sb_state *st, void *arg)
{
	static struct inflate_state s;
	size_t n = size_of(st), clen = inflate_setup(n);

	while (sb_keep_running(st)) {
		isal_inflate_init(&s);
		s.crc_flag = ISAL_ZLIB;
		s.next_in = buf_c;
		s.avail_in = (uint32_t)clen;
		s.next_out = buf_b;
		s.avail_out = (uint32_t)n;
		if (isal_inflate_stateless(&s) != ISAL_DECOMP_OK || s.total_out != n)
			sb_skip_with_error(st, "isal_inflate_stateless failed");
	}
	done(st, n);
}

static void bm_inflate_zlib(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), clen = inflate_setup(n);

	while (sb_keep_running(st)) {
		uLongf out = (uLongf)n;

		if (uncompress(buf_b, &out, buf_c, (uLong)clen) != Z_OK || out != n)
			sb_skip_with_error(st, "uncompress failed");
	}
	done(st, n);
}

static void bm_inflate_ours(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), clen = inflate_setup(n), out = 0;

	while (sb_keep_running(st))
		if (rt_cpu_decompress(buf_b, n, buf_c, clen, RT_CPU_ZLIB, &out) || out != n)
			sb_skip_with_error(st, "rt_cpu_decompress failed");
	done(st, n);
}

/* ---- registration ---- */

static const size_t sizes_default[] = { 256, 4096, 65536, 262144, 1 << 20, 16 << 20 };
static const size_t sizes_full[] = { 256,    1024,    4096,    16384,	 65536,
				     262144, 1 << 20, 4 << 20, 16 << 20, 64 << 20 };
static const size_t *sizes = sizes_default;
static size_t nsizes = sizeof(sizes_default) / sizeof(sizes_default[0]);

static void reg(const char *name, sb_fn fn, void *arg, size_t max)
{
	struct sb_bench *b = sb_register(name, fn, NULL, NULL, arg);

	for (size_t i = 0; i < nsizes && b; i++)
		if (sizes[i] <= max)
			sb_arg(b, (int64_t)sizes[i]);
	if (!b)
		fprintf(stderr, "svart-bench-cpu: cannot register %s\n", name);
}

int main(int argc, char **argv)
{
	static const struct zcase isal_l[] = { { 0 }, { 1 }, { 2 }, { 3 } };
	static const struct zcase zl[] = { { 1 }, { 6 } };
	/* zlib-style levels whose ISA-L level (rt_cpu_isal_level) covers 0..3. */
	static const struct zcase ours_l[] = { { 1 }, { 2 }, { 3 }, { 6 } };
	static const uint64_t ecma = POLY_ECMA, nvme = POLY_NVME;
	const char *env = getenv("SVART_BENCH_FULL");
	bool full = env && *env && strcmp(env, "0");
	char name[64];
	int j = 1;

	/* Our own flag; the rest is Google Benchmark's. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--svart_full"))
			full = true;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	if (full) {
		sizes = sizes_full;
		nsizes = sizeof(sizes_full) / sizeof(sizes_full[0]);
	}
	max_size = sizes[nsizes - 1];

	buf_a = aligned_alloc(64, max_size);
	buf_b = aligned_alloc(64, 2 * max_size);
	buf_c = aligned_alloc(64, 2 * max_size);
	text = aligned_alloc(64, max_size);
	if (!buf_a || !buf_b || !buf_c || !text) {
		fprintf(stderr, "svart-bench-cpu: out of memory\n");
		return 1;
	}
	/* Touch everything once so no run pays for first-touch page faults. */
	for (size_t i = 0; i < max_size; i++)
		buf_a[i] = (uint8_t)(i * 2654435761u >> 13);
	memset(buf_b, 0, 2 * max_size);
	memset(buf_c, 0, 2 * max_size);
	sb_text_fill(text, max_size, "svart-bench-cpu");

	reg("memmove/glibc_memcpy", bm_memcpy, NULL, MAX_SIZE);
	reg("memmove/ours", bm_memmove, NULL, MAX_SIZE);
	reg("memfill/glibc_memset", bm_memset, NULL, MAX_SIZE);
	reg("memfill/ours", bm_memfill, NULL, MAX_SIZE);
	reg("memcmp/glibc", bm_memcmp, NULL, MAX_SIZE);
	reg("memcmp/ours", bm_rt_memcmp, NULL, MAX_SIZE);

	reg("crc32c/isal", bm_crc_isal, NULL, MAX_SIZE);
	reg("crc32c/ours", bm_crc_ours, (void *)(intptr_t)RT_CPU_CRC32C_AUTO, MAX_SIZE);
	if (full)
		for (int i = RT_CPU_CRC32C_CRC32; i < RT_CPU_CRC32C_NIMPL; i++) {
			snprintf(name, sizeof(name), "crc32c/%s",
				 rt_cpu_crc32c_impl_name((enum rt_cpu_crc32c_impl)i));
			reg(name, bm_crc_ours, (void *)(intptr_t)i, MAX_SIZE);
		}
	reg("crc64/isal_ecma", bm_crc64_isal, NULL, MAX_SIZE);
	reg("crc64/ours_ecma", bm_crc64_ours, (void *)&ecma, MAX_SIZE);
	reg("crc64/ours_nvme_table", bm_crc64_ours, (void *)&nvme, MAX_SIZE);

	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "deflate/isal_l%d", isal_l[i].level);
		reg(name, bm_deflate_isal, (void *)&isal_l[i], 16u << 20);
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "deflate/ours_z%d_isal%d", ours_l[i].level,
			 rt_cpu_isal_level(ours_l[i].level));
		reg(name, bm_deflate_ours, (void *)&ours_l[i], 16u << 20);
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "deflate/zlib_z%d", zl[i].level);
		reg(name, bm_deflate_zlib, (void *)&zl[i], 16u << 20);
	}
	reg("inflate/isal", bm_inflate_isal, NULL, 16u << 20);
	reg("inflate/ours", bm_inflate_ours, NULL, 16u << 20);
	reg("inflate/zlib", bm_inflate_zlib, NULL, 16u << 20);

	return sb_main(argc, argv);
}
