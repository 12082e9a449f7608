// SPDX-License-Identifier: MIT
/*
 * svart_decompress of streams longer than one IAA descriptor: the runtime's stateful chain
 * through the decompress AECS (runtime/rt_op_deflate.c). sim IAAs with WQ max transfers of
 * 4 KiB and 64 KiB make a 1 MiB text stream take hundreds of descriptors. zlib writes the
 * streams (levels 1, 6 and 9 with a 4 KiB window, stored blocks, fixed codes, many small
 * blocks with sync / partial / full flushes) and the original text is the reference. Also:
 * a distance beyond 4 KiB met mid-chain (the CPU redoes the stream; -SVART_EIAA_ANALYTICS(17)
 * without fallback), corrupt and truncated input mid-chain (-EBADMSG, nothing past dst_len),
 * a destination too small (-ENOSPC, guard page), faults on fresh pages mid-chain, and many
 * chains in flight on a completion queue.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "svart.h"
#include "tests/t_helpers.h"

/* Two IAAs: iax0 takes 4 KiB per descriptor, iax1 64 KiB. */
#define SIM_CONFIG "iax node=0 wq=shared:32:xfer=4k; iax node=0 wq=shared:32:xfer=64k"
#define TXT_LEN (1u << 20)

static struct svart_ctx *c4, *c64, *c4fb; /* c4fb: iax0 with CPU fallback */

static struct svart_ctx *new_ctx(const char *devices, uint32_t flags)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .flags = flags,
				    .cpu_threshold = 1,
				    .devices = devices };
	struct svart_ctx *ctx = NULL;
	int ret = svart_ctx_create(&o, &ctx);

	if (ret)
		fprintf(stderr, "svart_ctx_create(%s): %s\n", devices, svart_strerror(ret));
	return ctx;
}

static struct svart_stats stats(struct svart_ctx *ctx)
{
	struct svart_stats st = { .size = sizeof(st) };

	svart_ctx_stats(ctx, &st);
	return st;
}

/* Pseudo-English with line numbers: compresses about 3x, every line a little different. */
static void make_text(uint8_t *buf, size_t n)
{
	static const char *const words[] = {
		"the ",	       "of ",	  "and ",    "a ",	 "to ",	     "in ",
		"is ",	       "device ", "stream ", "memory ",	 "page ",    "queue ",
		"work ",       "that ",	  "for ",    "with ",	 "block ",   "history ",
		"window ",     "engine ", "it ",     "header ",	 "deflate ", "descriptor ",
		"state ",      "output ", "input ",  "on ",	 "as ",	     "by ",
		"completion ", "record ", "fault ",  "address ", ". ",	     ", ",
	};
	uint32_t x = 2463534242u;
	size_t i = 0, line = 0;

	while (i < n) {
		char tmp[32];
		const char *w;
		size_t l;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (x % 11 == 0) {
			l = (size_t)snprintf(tmp, sizeof(tmp), "\n%zu: ", ++line);
			w = tmp;
		} else {
			/* Skewed: the first words far more often. */
			unsigned int k = (x >> 8) % 36;

			w = words[(k * k) / 36];
			l = strlen(w);
		}
		if (l > n - i)
			l = n - i;
		memcpy(buf + i, w, l);
		i += l;
	}
}

/*
 * zlib's deflate: @wbits as deflateInit2 (negative raw, +16 gzip), @strategy, and with
 * @flush_every a flush every that many input bytes, cycling through sync, partial, full and
 * block flushes (empty stored blocks, empty fixed blocks, many block boundaries).
 * Bytes out, or -1.
 */
static long z_deflate(int level, int wbits, int strategy, size_t flush_every, const void *src,
		      size_t n, void *dst, size_t cap)
{
	static const int flushes[4] = { Z_SYNC_FLUSH, Z_PARTIAL_FLUSH, Z_FULL_FLUSH, Z_BLOCK };
	z_stream z = { 0 };
	size_t at = 0;
	unsigned int k = 0;
	long out = -1;
	int ret;

	if (deflateInit2(&z, level, Z_DEFLATED, wbits, 8, strategy) != Z_OK)
		return -1;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	do {
		size_t take = flush_every && n - at > flush_every ? flush_every : n - at;
		bool end = at + take == n;

		z.next_in = (Bytef *)src + at;
		z.avail_in = (uInt)take;
		ret = deflate(&z, end ? Z_FINISH : flushes[k++ % 4]);
		at += take;
		if (z.avail_in || (end && ret != Z_STREAM_END) || (!end && ret != Z_OK))
			goto out_end;
	} while (at < n);
	out = (long)z.total_out;
out_end:
	deflateEnd(&z);
	return out;
}

/* One decompress as an async job: the result (status, path, descriptors) is what tests see. */
static struct svart_result run_job(struct svart_ctx *ctx, void *dst, size_t dl, const void *src,
				   size_t sl, unsigned int flags)
{
	struct svart_result r = { .status = -EINVAL };
	struct svart_job *job = NULL;

	if (svart_job_alloc(ctx, &job))
		return r;
	if (!svart_prep_decompress(job, dst, dl, src, sl, flags) && !svart_submit(job) &&
	    !svart_wait(job, -1))
		r = *svart_job_result(job);
	svart_job_free(job);
	return r;
}

static size_t div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

static const int frame_wbits[3] = { -12, 12, 28 }; /* 4 KiB window: raw, zlib, gzip */
static const char *const frame_name[3] = { "raw", "zlib", "gzip" };

struct variant {
	const char *name;
	int level, strategy;
	size_t flush_every;
};

static const struct variant variants[] = {
	{ "level 1", 1, Z_DEFAULT_STRATEGY, 0 },	 { "level 9", 9, Z_DEFAULT_STRATEGY, 0 },
	{ "stored", 0, Z_DEFAULT_STRATEGY, 0 },		 { "fixed", 6, Z_FIXED, 0 },
	{ "small blocks", 6, Z_DEFAULT_STRATEGY, 1000 }, { "rle, flushes", 6, Z_RLE, 5000 },
};

/* Every variant and framing, decompressed on the device in a chain of descriptors. */
static void test_chain(struct svart_ctx *ctx, size_t xfer, const uint8_t *txt, size_t n, uint8_t *c,
		       uint8_t *d, size_t cap)
{
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const struct variant *va = &variants[v];

		for (unsigned int fr = 0; fr < 3; fr++) {
			long clen = z_deflate(va->level, frame_wbits[fr], va->strategy,
					      va->flush_every, txt, n, c, cap);
			struct svart_stats a = stats(ctx), b;
			struct svart_result r;

			T_CHECK(clen > 0);
			if (clen <= 0)
				continue;
			memset(d, 0, n);
			r = run_job(ctx, d, cap, c, (size_t)clen, fr);
			b = stats(ctx);
			T_RET(0, r.status);
			T_EQ(r.value, n);
			T_CHECK(!memcmp(d, txt, n));
			T_EQ(r.path, SVART_PATH_SIM);
			T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
			/* At least one descriptor per max transfer of input and of output. */
			T_CHECK(r.descriptors >= div_up((size_t)clen, xfer));
			T_CHECK(r.descriptors >= div_up(n, xfer));
			T_EQ(b.descriptors - a.descriptors, r.descriptors);
			printf("%-5zu KiB xfer %-12s %-4s: %7ld -> %zu bytes, %u descriptors\n",
			       xfer >> 10, va->name, frame_name[fr], clen, (size_t)r.value,
			       r.descriptors);
		}
	}
}

/* The synchronous call runs the same chain; a tiny input with a large output resumes. */
static void test_sync_and_expand(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	struct svart_stats a = stats(c4), b;
	size_t out = 0, big = 1u << 20;
	uint8_t *zeros = calloc(1, big);
	long clen;

	clen = z_deflate(6, 28, Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
	T_RET(0, svart_decompress(c4, d, cap, c, (size_t)clen, SVART_COMP_GZIP, &out));
	b = stats(c4);
	T_EQ(out, n);
	T_CHECK(!memcmp(d, txt, n));
	T_EQ(b.path[SVART_PATH_SIM].ops, a.path[SVART_PATH_SIM].ops + 1);
	T_CHECK(b.descriptors - a.descriptors >= n / 4096);

	/* 1 MiB of zeros is about 1 KiB of deflate: one input chunk, 256+ output steps. */
	clen = z_deflate(9, 12, Z_DEFAULT_STRATEGY, 0, zeros, big, c, cap);
	T_CHECK(clen > 0 && clen < 4096);
	memset(d, 0xff, big);
	a = stats(c4);
	T_RET(0, svart_decompress(c4, d, cap, c, (size_t)clen, SVART_COMP_ZLIB, &out));
	b = stats(c4);
	T_EQ(out, big);
	T_CHECK(!memcmp(d, zeros, big));
	T_CHECK(b.descriptors - a.descriptors >= big / 4096);
	T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);

	/* An empty stream: one descriptor, nothing out. */
	clen = z_deflate(6, 28, Z_DEFAULT_STRATEGY, 0, zeros, 0, c, cap);
	out = 1;
	T_RET(0, svart_decompress(c4, d, cap, c, (size_t)clen, SVART_COMP_GZIP, &out));
	T_EQ(out, 0);

	/* svart's own compress on the 4 KiB WQ (independent chunks) reads back both ways. */
	T_RET(0, svart_compress(c4, c, cap, txt, n, SVART_COMP_GZIP, &out));
	T_EQ(out > 0 && out < n, 1);
	{
		z_stream z = { 0 };

		T_EQ(inflateInit2(&z, 31), Z_OK);
		z.next_in = c;
		z.avail_in = (uInt)out;
		z.next_out = d;
		z.avail_out = (uInt)cap;
		T_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
		T_EQ(z.total_out, n);
		T_CHECK(!memcmp(d, txt, n));
		inflateEnd(&z);
	}
	memset(d, 0, n);
	clen = (long)out;
	T_RET(0, svart_decompress(c4, d, cap, c, (size_t)clen, SVART_COMP_GZIP, &out));
	T_EQ(out, n);
	T_CHECK(!memcmp(d, txt, n));
	free(zeros);
}

/* @raw (@rlen bytes of raw deflate of @data) framed as zlib (@fr 1) or gzip (2) into @c. */
static size_t frame(unsigned int fr, uint8_t *c, const uint8_t *raw, size_t rlen,
		    const uint8_t *data, size_t n)
{
	static const uint8_t gz[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	size_t hdr = fr == 1 ? 2 : 10;
	uint32_t v;

	memcpy(c + hdr, raw, rlen);
	if (fr == 1) {
		c[0] = 0x78; /* 32 KiB window */
		c[1] = 0x9c;
		v = (uint32_t)adler32(adler32(0, NULL, 0), data, (uInt)n);
		for (unsigned int i = 0; i < 4; i++)
			c[hdr + rlen + i] = (uint8_t)(v >> (24 - 8 * i));
		return hdr + rlen + 4;
	}
	memcpy(c, gz, sizeof(gz));
	v = (uint32_t)crc32(crc32(0, NULL, 0), data, (uInt)n);
	for (unsigned int i = 0; i < 4; i++) {
		c[hdr + rlen + i] = (uint8_t)(v >> (8 * i));
		c[hdr + rlen + 4 + i] = (uint8_t)(n >> (8 * i));
	}
	return hdr + rlen + 8;
}

/* zlib reads @c (@fr framing, 32 KiB window) back as exactly @want. */
static bool z_inflate_ok(unsigned int fr, const uint8_t *c, size_t clen, uint8_t *d, size_t cap,
			 const uint8_t *want, size_t n)
{
	z_stream z = { 0 };
	bool ok;

	if (inflateInit2(&z, fr == 0 ? -15 : fr == 1 ? 15 : 31) != Z_OK)
		return false;
	z.next_in = (Bytef *)c;
	z.avail_in = (uInt)clen;
	z.next_out = d;
	z.avail_out = (uInt)cap;
	ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == n && !memcmp(d, want, n);
	inflateEnd(&z);
	return ok;
}

/*
 * A stream whose first 200 KiB use a 4 KiB window and whose rest uses 32 KiB, with a match
 * 20 KiB back in it: the chain has run for dozens of descriptors when the device meets the
 * first distance it cannot take (error 17). With fallback the CPU redoes the stream; without,
 * the analytics error is the result.
 */
static void test_far(const uint8_t *txt, uint8_t *c, uint8_t *d, size_t cap)
{
	size_t n = 300u << 10, at = 200u << 10, rlen = 8192;
	uint8_t *src = malloc(n), *raw = malloc(cap);
	z_stream z = { 0 };
	uint32_t x = 77;
	long alen, blen;

	memcpy(src, txt, n);
	/* Random bytes (no shorter match is possible), then the same bytes 20 KiB later. */
	for (size_t i = 0; i < rlen; i++) {
		x = x * 1664525u + 1013904223u;
		src[at + 10 + i] = (uint8_t)(x >> 24);
	}
	memcpy(src + at + (20u << 10), src + at + 10, rlen);
	/* Part one: blocks that are not final, ending byte-aligned (a full flush). */
	T_EQ(deflateInit2(&z, 6, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = src;
	z.avail_in = (uInt)at;
	z.next_out = raw;
	z.avail_out = (uInt)cap;
	T_EQ(deflate(&z, Z_FULL_FLUSH), Z_OK);
	alen = (long)z.total_out;
	deflateEnd(&z);
	/* Part two: a fresh raw stream with a 32 KiB window, ending the whole one. */
	blen = z_deflate(6, -15, Z_DEFAULT_STRATEGY, 0, src + at, n - at, raw + alen,
			 cap - (size_t)alen);
	/* The repeat must be a match for this to test anything. */
	T_CHECK(alen > 0 && blen > 0 && (size_t)blen < (n - at) - rlen / 2);
	for (unsigned int fr = 0; fr < 3; fr++) {
		size_t clen = (size_t)(alen + blen);
		struct svart_stats a = stats(c4fb), b;
		struct svart_result r;

		if (fr)
			clen = frame(fr, c, raw, clen, src, n);
		else
			memcpy(c, raw, clen);
		T_CHECK(z_inflate_ok(fr, c, clen, d, cap, src, n));
		memset(d, 0, n);
		r = run_job(c4fb, d, cap, c, clen, fr);
		b = stats(c4fb);
		T_RET(0, r.status);
		T_EQ(r.value, n);
		T_CHECK(!memcmp(d, src, n));
		T_EQ(r.path, SVART_PATH_CPU);
		T_EQ(b.cpu_fallbacks, a.cpu_fallbacks + 1);
		/* The device got well into the stream first: 200 KiB of output at 4 KiB. */
		T_CHECK(r.descriptors >= 50);
		printf("far %-4s: the device ran %u descriptors, then the CPU\n", frame_name[fr],
		       r.descriptors);

		r = run_job(c4, d, cap, c, clen, fr);
		T_RET(SVART_EIAA_ANALYTICS(17), r.status);
		T_EQ(r.path, SVART_PATH_SIM);
	}
	free(src);
	free(raw);
}

/*
 * Bytes after a zlib/gzip trailer (zlib and ISA-L ignore them): the device's input is cut
 * where the trailer should start, so it finds the stream ending early and the CPU finishes;
 * without fallback that is -EBADMSG. A raw stream has no trailer: the device ignores the rest.
 */
static void test_trailing(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	for (unsigned int fr = 0; fr < 3; fr++) {
		long clen = z_deflate(6, frame_wbits[fr], Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
		struct svart_result r;

		memcpy(c + clen, "junk!", 5);
		memset(d, 0, n);
		r = run_job(c4fb, d, cap, c, (size_t)clen + 5, fr);
		T_RET(0, r.status);
		T_EQ(r.value, n);
		T_CHECK(!memcmp(d, txt, n));
		T_EQ(r.path, fr ? SVART_PATH_CPU : SVART_PATH_SIM);
		r = run_job(c4, d, cap, c, (size_t)clen + 5, fr);
		T_RET(fr ? EBADMSG : 0, r.status);
	}
}

static bool canary_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xa5)
			return false;
	return true;
}

/* Corrupt and truncated streams, found mid-chain: -EBADMSG, nothing past dst_len. */
static void test_corrupt(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	size_t dl = n + 4096;
	struct svart_result r;
	long clen;

	for (unsigned int fr = 0; fr < 3; fr++) {
		clen = z_deflate(6, frame_wbits[fr], Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
		T_CHECK(clen > 16);
		for (unsigned int k = 1; k <= 3; k++) {
			size_t pos = (size_t)clen * k / 4;

			/* raw has no check value: only decoding errors can catch a flip there. */
			if (fr == 0)
				break;
			c[pos] ^= 0x10;
			memset(d, 0xa5, cap);
			r = run_job(c4fb, d, dl, c, (size_t)clen, fr);
			T_RET(EBADMSG, r.status);
			T_CHECK(canary_ok(d + dl, cap - dl));
			c[pos] ^= 0x10;
		}
		/* Truncated at three quarters: the last step's check for the final EOB. */
		memset(d, 0xa5, cap);
		r = run_job(c4, d, dl, c, (size_t)clen * 3 / 4, fr);
		T_RET(EBADMSG, r.status);
		T_EQ(r.path, SVART_PATH_SIM);
		T_CHECK(r.descriptors >= (size_t)clen * 3 / 4 / 4096);
		T_CHECK(canary_ok(d + dl, cap - dl));
		/* Trailer missing (framed), or the raw stream cut by one byte. */
		r = run_job(c4, d, dl, c, (size_t)clen - 1, fr);
		T_RET(EBADMSG, r.status);
		T_CHECK(canary_ok(d + dl, cap - dl));
	}
	/* A stored block's LEN/NLEN broken half-way through a stored-only raw stream. */
	clen = z_deflate(0, -12, Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
	T_CHECK(clen > (long)n);
	{
		/* Stored blocks: 5-byte headers every up to 65535 bytes; find the one past half. */
		size_t at = 0;

		while (at + 5 < (size_t)clen) {
			size_t len = c[at + 1] | (size_t)c[at + 2] << 8;

			if (at > (size_t)clen / 2)
				break;
			at += 5 + len;
		}
		T_CHECK(at > (size_t)clen / 2 && at + 5 < (size_t)clen);
		c[at + 3] ^= 0x01; /* NLEN no longer ~LEN */
		memset(d, 0xa5, cap);
		r = run_job(c4, d, dl, c, (size_t)clen, SVART_COMP_RAW);
		T_RET(EBADMSG, r.status);
		T_EQ(r.path, SVART_PATH_SIM);
		T_CHECK(r.descriptors >= (size_t)clen / 2 / 4096);
		T_CHECK(canary_ok(d + dl, cap - dl));
	}
}

/* Destinations that end right before a PROT_NONE page. */
static void test_enospc(const uint8_t *txt, size_t n, uint8_t *c, size_t cap)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), span = (n + 2 * pg) & ~(pg - 1);
	uint8_t *m =
		mmap(NULL, span + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *end = m + span;

	T_CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	mprotect(end, pg, PROT_NONE);
	for (unsigned int fr = 0; fr < 3; fr++) {
		long clen = z_deflate(6, frame_wbits[fr], Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
		struct svart_ctx *ctxs[2] = { c4, c64 };

		for (unsigned int i = 0; i < 2; i++) {
			struct svart_result r;

			r = run_job(ctxs[i], end - (n - 1), n - 1, c, (size_t)clen, fr);
			T_RET(ENOSPC, r.status);
			T_EQ(r.path, SVART_PATH_SIM);
			r = run_job(ctxs[i], end - n / 2, n / 2, c, (size_t)clen, fr);
			T_RET(ENOSPC, r.status);
			r = run_job(ctxs[i], end, 0, c, (size_t)clen, fr);
			T_RET(ENOSPC, r.status);
			/* Exactly enough fits. */
			memset(end - n, 0, n);
			r = run_job(ctxs[i], end - n, n, c, (size_t)clen, fr);
			T_RET(0, r.status);
			T_EQ(r.value, n);
			T_CHECK(!memcmp(end - n, txt, n));
		}
	}
	munmap(m, span + pg);
}

/*
 * Fresh pages: sim's address space maps them into the device's view 2 MiB-aligned window by
 * window as they fault. Source and destination each straddle a window boundary half-way: the
 * chain faults at its start on both (the source's fault-in, 256 KiB, reaches over its
 * boundary) and again 512 KiB into the output, mid-chain, each fault resolved and the
 * descriptor redone from the AECS copy it read the first time.
 */
static void test_faults(const uint8_t *txt, size_t n, uint8_t *c, size_t cap)
{
	size_t win = 2u << 20, span = 4 * win;
	long clen = z_deflate(6, 28, Z_DEFAULT_STRATEGY, 0, txt, n, c, cap);
	uint8_t *sm = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dm = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *src, *dst;
	struct svart_result r;

	T_CHECK(sm != MAP_FAILED && dm != MAP_FAILED && clen > 0);
	if (sm == MAP_FAILED || dm == MAP_FAILED || clen <= 0)
		return;
	src = (uint8_t *)(((uintptr_t)sm + 2 * win - 1) & ~(uintptr_t)(win - 1)) - clen / 2;
	dst = (uint8_t *)(((uintptr_t)dm + 2 * win - 1) & ~(uintptr_t)(win - 1)) - n / 2;
	/* The CPU touches the source; the device has not seen any of these pages. */
	memcpy(src, c, (size_t)clen);
	r = run_job(c4, dst, n, src, (size_t)clen, SVART_COMP_GZIP);
	T_RET(0, r.status);
	T_EQ(r.value, n);
	T_CHECK(!memcmp(dst, txt, n));
	T_EQ(r.path, SVART_PATH_SIM);
	/* A faulting descriptor is sent again: it counts as a descriptor too. */
	T_CHECK(r.page_faults >= 3);
	T_CHECK(r.descriptors >= n / 4096 + r.page_faults);
	printf("faults: %u resolved over a %u-descriptor chain\n", r.page_faults, r.descriptors);
	munmap(sm, span);
	munmap(dm, span);
}

/* Chains in flight together on a completion queue, on both WQ sizes' contexts in turn. */
static void test_cq(const uint8_t *txt, size_t n)
{
	enum { NJOBS = 6 };
	struct svart_ctx *ctxs[2] = { c4, c64 };
	size_t cap = n + n / 2;
	uint8_t *c[NJOBS], *d[NJOBS];
	long clen[NJOBS];

	for (unsigned int j = 0; j < NJOBS; j++) {
		/* Each a different stretch of the text, so outputs cannot be confused. */
		size_t len = n / 2 + j * 1000;

		c[j] = malloc(cap);
		d[j] = malloc(cap);
		clen[j] = z_deflate(1 + (int)j, frame_wbits[j % 3], Z_DEFAULT_STRATEGY, 0,
				    txt + j * 4096, len, c[j], cap);
		T_CHECK(clen[j] > 0);
	}
	for (unsigned int i = 0; i < 2; i++) {
		struct svart_cq *cq = NULL;
		struct svart_job *jobs[NJOBS] = { 0 }, *got[NJOBS];
		unsigned int reaped = 0;

		T_RET(0, svart_cq_create(ctxs[i], NJOBS, &cq));
		if (!cq)
			continue;
		for (unsigned int j = 0; j < NJOBS; j++) {
			T_RET(0, svart_job_alloc(ctxs[i], &jobs[j]));
			memset(d[j], 0, cap);
			T_RET(0, svart_prep_decompress(jobs[j], d[j], cap, c[j], (size_t)clen[j],
						       j % 3));
			svart_job_set_data(jobs[j], (void *)(uintptr_t)j);
			T_RET(0, svart_cq_submit(cq, jobs[j]));
		}
		while (reaped < NJOBS) {
			int k = svart_cq_reap(cq, got, NJOBS, 1, 10 * 1000000000ll);

			T_CHECK(k > 0);
			if (k <= 0)
				break;
			for (int g = 0; g < k; g++) {
				unsigned int j = (unsigned int)(uintptr_t)svart_job_data(got[g]);
				const struct svart_result *r = svart_job_result(got[g]);
				size_t len = n / 2 + j * 1000;

				T_RET(0, r->status);
				T_EQ(r->value, len);
				T_EQ(r->path, SVART_PATH_SIM);
				T_CHECK(r->descriptors > 1);
				T_CHECK(!memcmp(d[j], txt + j * 4096, len));
			}
			reaped += (unsigned int)k;
		}
		T_EQ(reaped, NJOBS);
		for (unsigned int j = 0; j < NJOBS; j++)
			svart_job_free(jobs[j]);
		svart_cq_destroy(cq);
	}
	for (unsigned int j = 0; j < NJOBS; j++) {
		free(c[j]);
		free(d[j]);
	}
}

int main(void)
{
	size_t n = TXT_LEN, cap = 2 * TXT_LEN;
	uint8_t *txt, *c, *d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The sim platform is made at the first sim context: its configuration goes first. */
	setenv("SVART_SIM_CONFIG", SIM_CONFIG, 1);
	c4 = new_ctx("iax0", SVART_CTX_NO_FALLBACK);
	c64 = new_ctx("iax1", SVART_CTX_NO_FALLBACK);
	c4fb = new_ctx("iax0", 0);
	if (!c4 || !c64 || !c4fb)
		T_SKIP("no sim IAA contexts");
	txt = malloc(n);
	c = malloc(cap);
	d = malloc(cap);
	make_text(txt, n);

	test_chain(c4, 4096, txt, n, c, d, cap);
	test_chain(c64, 65536, txt, n, c, d, cap);
	test_sync_and_expand(txt, n, c, d, cap);
	test_far(txt, c, d, cap);
	test_trailing(txt, n, c, d, cap);
	test_corrupt(txt, n, c, d, cap);
	test_enospc(txt, n, c, cap);
	test_faults(txt, n, c, cap);
	test_cq(txt, n);

	free(txt);
	free(c);
	free(d);
	svart_ctx_destroy(c4fb);
	svart_ctx_destroy(c64);
	svart_ctx_destroy(c4);
	return t_done("rt_deflate_chain");
}
