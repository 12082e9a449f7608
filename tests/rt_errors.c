// SPDX-License-Identifier: MIT
/*
 * Bad input to every public call returns the specific -errno svart.h documents: NULL
 * buffers, overlapping buffers where forbidden, lengths above SIZE_MAX / 2, unknown flags,
 * malformed DIF blocks, corrupt compressed input and too-small outputs (with no write past
 * the destination length). Zero lengths are valid and do nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "svart.h"
#include "tests/t_helpers.h"

#define HUGE_LEN (SIZE_MAX / 2 + 1)

static struct svart_ctx *ctx;

static void test_ctx(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o), .platform = SVART_PLATFORM_SIM };
	struct svart_stats st = { .size = 0 };
	struct svart_ctx *c = NULL;

	o.flags = 1u << 31;
	T_RET(EINVAL, svart_ctx_create(&o, &c));
	o.flags = 0;
	o.platform = (enum svart_platform)42;
	T_RET(EINVAL, svart_ctx_create(&o, &c));
	o.platform = SVART_PLATFORM_SIM;
	o.size = 4;
	T_RET(EINVAL, svart_ctx_create(&o, &c));
	T_CHECK(c == NULL);
	T_RET(EINVAL, svart_ctx_stats(ctx, &st));
	T_STREQ(svart_platform_name(SVART_PLATFORM_SIM), "sim");
	T_STREQ(svart_platform_name((enum svart_platform)42), "unknown");
	T_STREQ(svart_strerror(0), "Success");
	T_CHECK(svart_strerror(-ENOSPC) != NULL);
	svart_ctx_destroy(NULL);
}

static void test_null_and_overflow(uint8_t *a, uint8_t *b)
{
	uint32_t crc;
	uint64_t c64;
	size_t n;

	T_RET(EINVAL, svart_memmove(NULL, a, b, 8));
	T_RET(EINVAL, svart_memmove(ctx, NULL, b, 8));
	T_RET(EINVAL, svart_memmove(ctx, a, NULL, 8));
	T_RET(EOVERFLOW, svart_memmove(ctx, a, b, HUGE_LEN));
	T_RET(EOVERFLOW, svart_memmove(ctx, a, b, SIZE_MAX));
	T_RET(EINVAL, svart_memfill(ctx, NULL, 0, 8));
	T_RET(EOVERFLOW, svart_memfill(ctx, a, 0, HUGE_LEN));
	T_RET(EINVAL, svart_memcmp(ctx, NULL, b, 8, NULL));
	T_RET(EINVAL, svart_memcmp(ctx, a, NULL, 8, NULL));
	T_RET(EOVERFLOW, svart_memcmp(ctx, a, b, HUGE_LEN, NULL));
	T_RET(EINVAL, svart_crc32c(ctx, NULL, 8, 0, &crc));
	T_RET(EINVAL, svart_crc32c(ctx, a, 8, 0, NULL));
	T_RET(EOVERFLOW, svart_crc32c(ctx, a, HUGE_LEN, 0, &crc));
	T_RET(EINVAL, svart_copy_crc32c(ctx, NULL, b, 8, 0, &crc));
	T_RET(EINVAL, svart_copy_crc32c(ctx, a, b, 8, 0, NULL));
	T_RET(EINVAL, svart_dualcast(ctx, a, NULL, b, 8));
	T_RET(EINVAL, svart_crc64(ctx, NULL, 8, 0x1b, 0, &c64));
	T_RET(EINVAL, svart_crc64(ctx, a, 8, 0x1b, 0, NULL));
	T_RET(EINVAL, svart_crc64(ctx, a, 8, 0x1b, 1u << 7, &c64));
	T_RET(EOVERFLOW, svart_crc64(ctx, a, HUGE_LEN, 0x1b, 0, &c64));
	T_RET(EINVAL, svart_compress(ctx, a, 64, b, 8, 0, NULL));
	T_RET(EINVAL, svart_compress(ctx, NULL, 64, b, 8, 0, &n));
	T_RET(EINVAL, svart_compress(ctx, a, 64, b, 8, 1u << 5, &n));
	T_RET(EINVAL, svart_compress(ctx, a, 64, b, 8, 3, &n)); /* framing 3 does not exist */
	T_RET(EOVERFLOW, svart_compress(ctx, a, 64, b, HUGE_LEN, 0, &n));
	T_RET(EINVAL, svart_decompress(ctx, a, 64, NULL, 8, 0, &n));
	T_RET(EINVAL, svart_cache_flush(ctx, a, 64, 1u << 4));
	T_RET(EINVAL, svart_cache_flush(ctx, NULL, 64, 0));

	/* Zero lengths: valid, nothing written, NULL allowed. */
	a[0] = 0x5A;
	T_RET(0, svart_memmove(ctx, a, b, 0));
	T_RET(0, svart_memmove(ctx, NULL, NULL, 0));
	T_RET(0, svart_memfill(ctx, a, 0, 0));
	T_EQ(a[0], 0x5A);
	T_EQ(svart_memcmp(ctx, NULL, NULL, 0, &n), 0);
	T_EQ(n, 0);
	crc = 1;
	T_RET(0, svart_crc32c(ctx, NULL, 0, 0x77, &crc));
	T_EQ(crc, 0x77);
}

static void test_overlap(uint8_t *a)
{
	uint32_t crc;
	size_t n;

	/* memmove allows overlap; these forbid it. */
	T_RET(0, svart_memmove(ctx, a + 1, a, 100));
	T_RET(EINVAL, svart_copy_crc32c(ctx, a + 8, a, 64, 0, &crc));
	T_RET(EINVAL, svart_dualcast(ctx, a, a + 4096, a + 32, 64));
	T_RET(EINVAL, svart_dualcast(ctx, a, a + 32, a + 8192, 64));
	T_RET(EINVAL, svart_compress(ctx, a, 4096, a + 100, 100, 0, &n));
	T_RET(EINVAL, svart_decompress(ctx, a + 10, 4096, a, 100, 0, &n));
}

static void test_delta(uint8_t *a, uint8_t *b, uint8_t *r)
{
	size_t n;

	n = 5;
	T_RET(0, svart_delta_create(ctx, a, b, 0, r, 80, &n)); /* zero length: empty record */
	T_EQ(n, 0);
	T_RET(0, svart_delta_apply(ctx, a, 0, r, 0));
	T_RET(EINVAL, svart_delta_create(ctx, a, b, 64, r, 80, NULL));
	T_RET(EINVAL, svart_delta_create(ctx, a, b, 63, r, 80, &n)); /* not whole words */
	T_RET(EINVAL, svart_delta_create(ctx, a, b, (512u << 10) + 8, r, 80, &n)); /* > u16 */
	T_RET(EINVAL, svart_delta_create(ctx, a + 1, b, 64, r, 80, &n)); /* unaligned words */
	T_RET(EINVAL, svart_delta_apply(ctx, a, 64, r, 15)); /* not whole entries */
	T_RET(EINVAL, svart_delta_apply(ctx, a, 60, r, 10));
	T_RET(EINVAL, svart_delta_apply(ctx, a, 64, a + 8, 10)); /* record inside dst */
	/* Entries past the buffer or out of order: a bad record. */
	memset(a, 0, 64);
	memset(r, 0, 20);
	r[0] = 8; /* word 8 of a 64-byte buffer: past the end */
	T_RET(EINVAL, svart_delta_apply(ctx, a, 64, r, 10));
	r[0] = 3;
	r[10] = 2; /* not increasing */
	memset(r + 2, 0xFF, 8);
	T_RET(EINVAL, svart_delta_apply(ctx, a, 64, r, 20));
}

static void test_dif(uint8_t *a, uint8_t *b)
{
	struct svart_dif d = { .block_size = 512 }, bad = { .block_size = 500 };
	size_t blk;

	T_RET(EINVAL, svart_dif_insert(ctx, b, a, 512, &bad)); /* unsupported block size */
	T_RET(EINVAL, svart_dif_insert(ctx, b, a, 500, &d)); /* not whole blocks */
	T_RET(EINVAL, svart_dif_insert(ctx, b, a, 512, NULL));
	T_RET(EINVAL, svart_dif_check(ctx, a, 512, &d, &blk)); /* check takes bs + 8 blocks */
	T_RET(EINVAL, svart_dif_strip(ctx, b, a, 1024, &d, &blk));
	T_RET(EINVAL, svart_dif_update(ctx, b, a, 520, &d, NULL, &blk));
	bad.block_size = 4096;
	T_RET(EINVAL, svart_dif_update(ctx, b, a, 520, &d, &bad, &blk)); /* sizes differ */
	d.flags = 1u << 9;
	T_RET(EINVAL, svart_dif_insert(ctx, b, a, 512, &d));
	d.flags = 0;
	T_RET(EINVAL, svart_dif_insert(ctx, a + 100, a, 512, &d)); /* overlap */
	T_RET(EOVERFLOW, svart_dif_check(ctx, a, HUGE_LEN, &d, &blk));
}

static void test_deflate(uint8_t *src, uint8_t *dst, uint8_t *tmp)
{
	const size_t n = 65536;
	size_t clen = 0, out = 99;
	uLongf zl;

	for (size_t i = 0; i < n; i++)
		src[i] = (uint8_t)("abcdefgh"[i % 8] + (i / 4096));
	/* Output too small for compress: -ENOSPC, nothing past dst_len written. */
	memset(dst, 0xA5, 4096);
	T_RET(ENOSPC, svart_compress(ctx, dst, 16, src, n, SVART_COMP_ZLIB, &out));
	T_EQ(out, 0);
	T_EQ(dst[16], 0xA5);
	T_EQ(dst[4095], 0xA5);

	/* A zlib stream made by zlib. */
	zl = 8192;
	T_EQ(compress2(tmp, &zl, src, n, 6), Z_OK);
	clen = zl;
	/* Too small: -ENOSPC, nothing past dst_len. */
	memset(dst, 0xA5, n + 64);
	T_RET(ENOSPC, svart_decompress(ctx, dst, 1000, tmp, clen, SVART_COMP_ZLIB, &out));
	T_EQ(dst[1000], 0xA5);
	T_EQ(dst[n], 0xA5);
	T_RET(ENOSPC, svart_decompress(ctx, dst, n - 1, tmp, clen, SVART_COMP_ZLIB, &out));
	T_EQ(dst[n - 1], 0xA5);
	/* Truncated stream. */
	memset(dst, 0xA5, n + 64);
	T_RET(EBADMSG, svart_decompress(ctx, dst, n, tmp, clen / 2, SVART_COMP_ZLIB, &out));
	T_EQ(dst[n], 0xA5);
	/* Bad Adler-32 trailer. */
	tmp[clen - 1] ^= 0xFF;
	T_RET(EBADMSG, svart_decompress(ctx, dst, n, tmp, clen, SVART_COMP_ZLIB, &out));
	tmp[clen - 1] ^= 0xFF;
	/* Bad zlib header check bits. */
	tmp[1] ^= 1;
	T_RET(EBADMSG, svart_decompress(ctx, dst, n, tmp, clen, SVART_COMP_ZLIB, &out));
	tmp[1] ^= 1;
	/* Wrong framing: a zlib stream read as gzip. */
	T_RET(EBADMSG, svart_decompress(ctx, dst, n, tmp, clen, SVART_COMP_GZIP, &out));
	/* Garbage as raw deflate: block type 3 is invalid (first byte 0x07: BFINAL, BTYPE 11). */
	memset(tmp, 0x07, 64);
	memset(dst, 0xA5, 256);
	T_RET(EBADMSG, svart_decompress(ctx, dst, 128, tmp, 64, SVART_COMP_RAW, &out));
	T_EQ(dst[128], 0xA5);
	/* Corrupt gzip CRC. */
	{
		z_stream z = { 0 };

		T_EQ(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = src;
		z.avail_in = (uInt)n;
		z.next_out = tmp;
		z.avail_out = 8192;
		T_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
		clen = z.total_out;
		deflateEnd(&z);
		T_RET(0, svart_decompress(ctx, dst, n, tmp, clen, SVART_COMP_GZIP, &out));
		T_EQ(out, n);
		tmp[clen - 6] ^= 0x01; /* CRC-32 of the trailer */
		T_RET(EBADMSG, svart_decompress(ctx, dst, n, tmp, clen, SVART_COMP_GZIP, &out));
	}
}

static void test_jobs(uint8_t *a, uint8_t *b)
{
	struct svart_job *job = NULL;
	struct svart_batch *bt = NULL;
	struct svart_cq *cq = NULL;

	T_RET(EINVAL, svart_job_alloc(NULL, &job));
	T_RET(EINVAL, svart_job_alloc(ctx, NULL));
	T_RET(0, svart_job_alloc(ctx, &job));
	T_RET(EINVAL, svart_poll(job)); /* never submitted */
	T_RET(EINVAL, svart_wait(job, 0));
	T_RET(EINVAL, svart_submit(job)); /* not prepared */
	T_RET(EINVAL, svart_prep_memmove(job, NULL, b, 8));
	T_RET(EOVERFLOW, svart_prep_crc32c(job, a, HUGE_LEN, 0));
	T_RET(EINVAL, svart_prep_compress(job, a, 64, b, 8, 1u << 6));
	T_RET(EINVAL, svart_prep_memmove(NULL, a, b, 8));
	T_RET(EINVAL, svart_poll(NULL));
	T_CHECK(svart_job_result(NULL) == NULL);

	T_RET(EINVAL, svart_batch_alloc(ctx, 0, &bt));
	T_RET(EINVAL, svart_batch_alloc(ctx, 4097, &bt));
	T_RET(0, svart_batch_alloc(ctx, 1, &bt));
	T_RET(EINVAL, svart_batch_submit(bt)); /* empty */
	T_RET(0, svart_prep_memmove(job, a, b, 64));
	T_RET(0, svart_batch_add(bt, job));
	T_RET(ENOSPC, svart_batch_add(bt, job)); /* full */
	T_RET(0, svart_batch_reset(bt));
	svart_batch_free(bt);

	T_RET(EINVAL, svart_cq_create(ctx, 0, &cq));
	T_RET(EINVAL, svart_cq_create(ctx, 65537, &cq));
	svart_job_free(job);
	svart_job_free(NULL);
	svart_batch_free(NULL);
	svart_cq_destroy(NULL);
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
	uint8_t *a, *b, *c;
	int ret;

	ret = svart_ctx_create(&o, &ctx);
	if (ret)
		T_SKIP("no sim context: %s", svart_strerror(ret));
	a = map(1u << 20);
	b = map(1u << 20);
	c = map(1u << 20);
	if (!a || !b || !c)
		T_SKIP("no memory");
	memset(a, 1, 1u << 20);
	memset(b, 2, 1u << 20);
	test_ctx();
	test_null_and_overflow(a, b);
	test_overlap(a);
	test_delta(a, b, c);
	test_dif(a, b);
	test_deflate(a, b, c);
	test_jobs(a, b);
	svart_ctx_destroy(ctx);
	return t_done("rt_errors");
}
