// SPDX-License-Identifier: MIT
/*
 * svart_compress / svart_decompress on a sim IAA: fixed and two-pass dynamic Huffman, raw /
 * zlib / gzip framing, checked against zlib in both directions; the CPU fallback for distances
 * beyond the device's 4 KiB history; -ENOSPC and -EBADMSG with nothing written past dst_len;
 * input and output larger than the WQ's max transfer (2 MiB on sim) in chunks (decompress
 * chains with small WQs: rt_deflate_chain.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "svart.h"
#include "tests/t_helpers.h"

static struct svart_ctx *ctx;

/* Real text: the common licenses, concatenated; a word generator where they are missing. */
static size_t load_text(uint8_t *buf, size_t cap)
{
	static const char *const words[] = { "the ",	 "license ", "software ", "copy ",
					     "of ",	 "and ",     "to ",	  "any ",
					     "program ", "work ",    "terms ",	  "conditions ",
					     "\n",	 "you ",     "may " };
	DIR *d = opendir("/usr/share/common-licenses");
	struct dirent *e;
	size_t n = 0;
	uint32_t x = 12345;

	while (d && (e = readdir(d)) && n < cap) {
		char path[512];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/usr/share/common-licenses/%s", e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		n += fread(buf + n, 1, cap - n, f);
		fclose(f);
	}
	if (d)
		closedir(d);
	while (n < cap) {
		const char *w;
		size_t l;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % (sizeof(words) / sizeof(words[0]))];
		l = strlen(w);
		if (l > cap - n)
			l = cap - n;
		memcpy(buf + n, w, l);
		n += l;
	}
	return n;
}

/* zlib's inflate with @wbits: bytes out, or -1. */
static long z_inflate(int wbits, const void *src, size_t n, void *dst, size_t cap)
{
	z_stream z = { 0 };
	long out = -1;

	if (inflateInit2(&z, wbits) != Z_OK)
		return -1;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END)
		out = (long)z.total_out;
	inflateEnd(&z);
	return out;
}

/* zlib's deflate at @level with @wbits (negative raw, +16 gzip): bytes out, or -1. */
static long z_deflate(int level, int wbits, const void *src, size_t n, void *dst, size_t cap)
{
	z_stream z = { 0 };
	long out = -1;

	if (deflateInit2(&z, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END)
		out = (long)z.total_out;
	deflateEnd(&z);
	return out;
}

static struct svart_stats stats(void)
{
	struct svart_stats st = { .size = sizeof(st) };

	svart_ctx_stats(ctx, &st);
	return st;
}

static const int frame_wbits[3] = { -15, 15, 31 };
static const char *const frame_name[3] = { "raw", "zlib", "gzip" };

/* Compress on the device in both modes and framings; zlib must read it back exactly. */
static void test_compress(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	for (unsigned int mode = 0; mode < 2; mode++) {
		for (unsigned int fr = 0; fr < 3; fr++) {
			unsigned int flags = fr | (mode ? SVART_COMP_FIXED : SVART_COMP_DYNAMIC);
			struct svart_stats a = stats(), b;
			size_t out = 0;
			long back;

			T_RET(0, svart_compress(ctx, c, cap, txt, n, flags, &out));
			b = stats();
			T_EQ(b.path[SVART_PATH_SIM].ops, a.path[SVART_PATH_SIM].ops + 1);
			T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
			/* Dynamic: a statistics pass and a coding pass per chunk. */
			T_CHECK(b.descriptors - a.descriptors >= (mode ? 1u : 2u));
			back = z_inflate(frame_wbits[fr], c, out, d, cap);
			T_EQ(back, (long)n);
			T_CHECK(back == (long)n && !memcmp(d, txt, n));
			printf("compress %s %-4s: %zu -> %zu (%.2fx)\n",
			       mode ? "fixed  " : "dynamic", frame_name[fr], n, out,
			       (double)n / (double)out);
		}
	}
}

/* zlib's streams with a 4 KiB window decompress on the device. */
static void test_decompress_device(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	static const int levels[2] = { 1, 6 };
	static const int wbits[3] = { -12, 12, 28 };

	for (unsigned int l = 0; l < 2; l++) {
		for (unsigned int fr = 0; fr < 3; fr++) {
			long clen = z_deflate(levels[l], wbits[fr], txt, n, c, cap);
			struct svart_stats a = stats(), b;
			size_t out = 0;

			T_CHECK(clen > 0);
			memset(d, 0, n);
			T_RET(0, svart_decompress(ctx, d, cap, c, (size_t)clen, fr, &out));
			b = stats();
			T_EQ(out, n);
			T_CHECK(!memcmp(d, txt, n));
			T_EQ(b.path[SVART_PATH_SIM].ops, a.path[SVART_PATH_SIM].ops + 1);
			T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
		}
	}
}

/* A match 13000 bytes back: valid deflate the device cannot take; the CPU finishes it. */
static void test_decompress_far(uint8_t *c, uint8_t *d, size_t cap)
{
	size_t n = 16000;
	uint8_t *src = malloc(n);
	uint32_t x = 99;

	for (size_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		src[i] = (uint8_t)(x >> 24);
	}
	memcpy(src + 13000, src, 3000);
	for (unsigned int fr = 0; fr < 3; fr++) {
		long clen = z_deflate(6, fr == 0 ? -15 : fr == 1 ? 15 : 31, src, n, c, cap);
		struct svart_stats a = stats(), b;
		size_t out = 0;

		/* The repeat must have been coded as a match for this to test anything. */
		T_CHECK(clen > 0 && (size_t)clen < n - 2000);
		T_RET(0, svart_decompress(ctx, d, cap, c, (size_t)clen, fr, &out));
		b = stats();
		T_EQ(out, n);
		T_CHECK(!memcmp(d, src, n));
		T_EQ(b.cpu_fallbacks, a.cpu_fallbacks + 1);
		T_EQ(b.path[SVART_PATH_CPU].ops, a.path[SVART_PATH_CPU].ops + 1);
	}
	free(src);
}

/* Output buffers that end right before a PROT_NONE page. */
static void test_enospc(const uint8_t *txt, size_t n, uint8_t *c, size_t cap)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), span = (n + 2 * pg) & ~(pg - 1);
	uint8_t *m =
		mmap(NULL, span + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *end = m + span;
	size_t out = 1;
	long clen;

	T_CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	mprotect(end, pg, PROT_NONE);
	for (unsigned int fr = 0; fr < 3; fr++) {
		T_RET(ENOSPC, svart_compress(ctx, end - 200, 200, txt, n, fr, &out));
		T_EQ(out, 0);
		T_RET(ENOSPC,
		      svart_compress(ctx, end - 300, 300, txt, n, fr | SVART_COMP_FIXED, &out));
		/* Too small for the framing alone. */
		T_RET(ENOSPC, svart_compress(ctx, end - 3, 3, txt, n, fr, &out));
		clen = z_deflate(6, fr == 0 ? -12 : fr == 1 ? 12 : 28, txt, n, c, cap);
		T_RET(ENOSPC,
		      svart_decompress(ctx, end - (n - 1), n - 1, c, (size_t)clen, fr, &out));
		T_EQ(out, 0);
		/* Exactly enough fits. */
		T_RET(0, svart_decompress(ctx, end - n, n, c, (size_t)clen, fr, &out));
		T_EQ(out, n);
		T_CHECK(!memcmp(end - n, txt, n));
	}
	munmap(m, span + pg);
}

/* Corrupt streams: -EBADMSG, and nothing written past dst_len (a canary tail). */
static void test_corrupt(const uint8_t *txt, size_t n, uint8_t *c, uint8_t *d, size_t cap)
{
	size_t dl = n + 100, out;
	long clen;

	for (unsigned int fr = 0; fr < 3; fr++) {
		struct svart_stats a = stats(), b;

		clen = z_deflate(6, fr == 0 ? -12 : fr == 1 ? 12 : 28, txt, n, c, cap);
		T_CHECK(clen > 16);
		memset(d, 0xa5, cap);
		if (fr) {
			/* The check value: the last byte of the trailer's first word. */
			size_t at = fr == 1 ? (size_t)clen - 1 : (size_t)clen - 8;

			c[at] ^= 0x40;
			T_RET(EBADMSG, svart_decompress(ctx, d, dl, c, (size_t)clen, fr, &out));
			c[at] ^= 0x40;
			/* The header. */
			c[0] ^= fr == 1 ? 0x01 : 0x80;
			T_RET(EBADMSG, svart_decompress(ctx, d, dl, c, (size_t)clen, fr, &out));
			c[0] ^= fr == 1 ? 0x01 : 0x80;
			/* A missing trailer. */
			T_RET(EBADMSG, svart_decompress(ctx, d, dl, c, (size_t)clen - 4, fr, &out));
		}
		/* Truncated deflate data. */
		T_RET(EBADMSG, svart_decompress(ctx, d, dl, c, (size_t)clen / 2, fr, &out));
		b = stats();
		/* All of these are the device path's verdicts, not CPU fallbacks. */
		T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
		for (size_t i = dl; i < cap; i++) {
			if (d[i] != 0xa5) {
				T_CHECK(!"written past dst_len");
				break;
			}
		}
	}
	/* A raw stream with block type 3. */
	c[0] = 0x07;
	memset(c + 1, 0, 64);
	T_RET(EBADMSG, svart_decompress(ctx, d, dl, c, 65, SVART_COMP_RAW, &out));
}

/* Fresh pages are not in the device's IOAS yet: faults, resolved, the same pass reissued. */
static void test_faults(const uint8_t *txt, size_t n)
{
	size_t cap = 2 * n, out = 0, back = 0;
	uint8_t *src = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *c = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *d = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct svart_stats a, b;

	T_CHECK(src != MAP_FAILED && c != MAP_FAILED && d != MAP_FAILED);
	if (src == MAP_FAILED || c == MAP_FAILED || d == MAP_FAILED)
		return;
	memcpy(src, txt, n);
	a = stats();
	T_RET(0, svart_compress(ctx, c, cap, src, n, SVART_COMP_GZIP, &out));
	T_RET(0, svart_decompress(ctx, d, cap, c, out, SVART_COMP_GZIP, &back));
	b = stats();
	T_EQ(back, n);
	T_CHECK(!memcmp(d, txt, n));
	T_CHECK(b.page_faults > a.page_faults);
	T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
	T_EQ(b.path[SVART_PATH_SIM].ops, a.path[SVART_PATH_SIM].ops + 2);
	printf("faults: %llu resolved over a compress and a decompress of fresh pages\n",
	       (unsigned long long)(b.page_faults - a.page_faults));
	munmap(src, n);
	munmap(c, cap);
	munmap(d, cap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 4 MiB + a bit: three chunks on sim's 2 MiB WQs, round trip both ways; rough figures. */
static void test_large(const uint8_t *txt, size_t tn)
{
	size_t n = (4u << 20) + 12345, cap = n + n / 4 + 4096, out = 0, back = 0;
	uint8_t *src = malloc(n), *c = malloc(cap), *d = malloc(cap);
	struct svart_ctx_opts co = { .size = sizeof(co), .platform = SVART_PLATFORM_CPU };
	struct svart_ctx *cpu = NULL;
	struct svart_stats a, b;
	double t;

	/* The text with a varying line number, so chunks differ. */
	for (size_t i = 0, k = 0; i < n; k++) {
		char tag[32];
		int l = snprintf(tag, sizeof(tag), "[%zu] ", k);
		size_t take = tn / 16 < n - i ? tn / 16 : n - i;

		memcpy(src + i, tag, (size_t)l < n - i ? (size_t)l : n - i);
		i += (size_t)l < n - i ? (size_t)l : n - i;
		take = take < n - i ? take : n - i;
		memcpy(src + i, txt + (k * 977) % (tn - take), take);
		i += take;
	}
	for (unsigned int mode = 0; mode < 2; mode++) {
		unsigned int flags = SVART_COMP_GZIP | (mode ? SVART_COMP_FIXED : 0);

		a = stats();
		t = now_s();
		T_RET(0, svart_compress(ctx, c, cap, src, n, flags, &out));
		t = now_s() - t;
		b = stats();
		T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
		T_CHECK(b.descriptors - a.descriptors >= (mode ? 3u : 6u));
		T_EQ(z_inflate(31, c, out, d, cap), (long)n);
		T_CHECK(!memcmp(d, src, n));
		printf("large %s gzip: %zu -> %zu (%.2fx), sim %.1f MB/s\n",
		       mode ? "fixed" : "dynamic", n, out, (double)n / (double)out, n / t / 1e6);
		a = stats();
		t = now_s();
		T_RET(0, svart_decompress(ctx, d, cap, c, out, SVART_COMP_GZIP, &back));
		t = now_s() - t;
		b = stats();
		T_EQ(back, n);
		T_CHECK(!memcmp(d, src, n));
		/* 4 MiB of output: a chain of descriptors on the device (rt_deflate_chain.c). */
		T_EQ(b.cpu_fallbacks, a.cpu_fallbacks);
		T_CHECK(b.descriptors - a.descriptors >= 2);
		printf("large %s gunzip on %s: %.1f MB/s\n", mode ? "fixed" : "dynamic",
		       b.cpu_fallbacks == a.cpu_fallbacks ? "sim" : "cpu", n / t / 1e6);
	}
	if (!svart_ctx_create(&co, &cpu)) {
		T_RET(0, svart_compress(cpu, c, cap, txt, tn, SVART_COMP_GZIP, &out));
		printf("cpu gzip of the text: %zu -> %zu (%.2fx)\n", tn, out,
		       (double)tn / (double)out);
		t = now_s();
		T_RET(0, svart_compress(cpu, c, cap, src, n, SVART_COMP_GZIP, &out));
		t = now_s() - t;
		printf("large cpu gzip: %zu -> %zu (%.2fx), %.1f MB/s\n", n, out,
		       (double)n / (double)out, n / t / 1e6);
		t = now_s();
		T_RET(0, svart_decompress(cpu, d, cap, c, out, SVART_COMP_GZIP, &back));
		t = now_s() - t;
		printf("large cpu gunzip: %.1f MB/s\n", n / t / 1e6);
		svart_ctx_destroy(cpu);
	}
	free(src);
	free(c);
	free(d);
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	size_t cap = 1 << 20, n;
	uint8_t *txt, *c, *d;
	int ret;

	/* Progress shows even if a run is killed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = svart_ctx_create(&o, &ctx);
	if (ret)
		T_SKIP("no sim context: %s", svart_strerror(ret));
	txt = malloc(256 << 10);
	c = malloc(cap);
	d = malloc(cap);
	n = load_text(txt, 256 << 10);

	test_compress(txt, n, c, d, cap);
	test_decompress_device(txt, n, c, d, cap);
	test_decompress_far(c, d, cap);
	test_enospc(txt, n, c, cap);
	test_corrupt(txt, n, c, d, cap);
	test_faults(txt, n);
	test_large(txt, n);

	free(txt);
	free(c);
	free(d);
	svart_ctx_destroy(ctx);
	return t_done("rt_deflate");
}
