// SPDX-License-Identifier: MIT
/*
 * Compression input for the benchmarks. See bench_text.h.
 */
#include "bench_text.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>

static size_t text_append_file(const char *path, uint8_t *dst, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(dst, 1, cap, f);
	fclose(f);
	return n;
}

static size_t text_append_glob(const char *pattern, uint8_t *dst, size_t cap)
{
	size_t n = 0;
	glob_t g;

	if (glob(pattern, 0, NULL, &g)) /* gl_pathv comes sorted */
		return 0;
	for (size_t i = 0; i < g.gl_pathc && n < cap; i++)
		n += text_append_file(g.gl_pathv[i], dst + n, cap - n);
	globfree(&g);
	return n;
}

size_t sb_text_fill(uint8_t *dst, size_t cap, const char *who)
{
	static const char *const words[] = { "the ",  "device ", "queue ", "of ", "memory ",
					     "page ", "and ",	 "fault ", "a ",  "record.\n" };
	size_t n = text_append_glob("/usr/share/common-licenses/*", dst, cap);
	uint64_t s = 7;

	n += text_append_glob("/usr/share/doc/*/copyright", dst + n, cap - n);
	if (!n) {
		fprintf(stderr, "%s: no text under /usr/share; using generated words\n", who);
		while (n < cap) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			for (const char *w = words[(s >> 33) % 10]; *w && n < cap; w++)
				dst[n++] = (uint8_t)*w;
		}
	}
	for (size_t have = n; n < cap; n += have)
		memcpy(dst + n, dst, cap - n < have ? cap - n : have);
	return n;
}
