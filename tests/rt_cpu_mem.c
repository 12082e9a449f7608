// SPDX-License-Identifier: MIT
/*
 * rt_cpu_memmove/memfill/memcmp/dualcast against byte-at-a-time references and the DSA
 * rules they carry (MEMFILL's pattern order, COMPARE's first-difference offset, DUALCAST's
 * address rules), at every small length and alignment and at sizes that take the large-size
 * paths, with guard bytes around every destination.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/idxd.h>

#include "svart.h"
#include "runtime/rt_cpu.h"
#include "tests/t_helpers.h"

#define GUARD 0xa5

static void fill_seq(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + (i >> 8));
}

static int guards_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != GUARD)
			return 0;
	return 1;
}

static void test_memmove(void)
{
	const size_t n = 4096;
	uint8_t *buf = malloc(3 * n), *want = malloc(3 * n), *tmp = malloc(n);
	int bad = 0;

	/* Overlapping both ways and disjoint, many lengths and offsets. */
	for (size_t len = 0; len <= 700 && !bad; len += 7)
		for (long shift = -70; shift <= 70 && !bad; shift += 13) {
			size_t src = n, dst = (size_t)((long)n + shift);

			fill_seq(buf, 3 * n, (unsigned int)len);
			memcpy(want, buf, 3 * n);
			memcpy(tmp, want + src, len); /* reference: through a separate buffer */
			memcpy(want + dst, tmp, len);
			T_EQ(rt_cpu_memmove(buf + dst, buf + src, len), 0);
			bad = memcmp(buf, want, 3 * n) != 0;
		}
	T_CHECK(!bad);
	T_RET(EINVAL, rt_cpu_memmove(NULL, buf, 1));
	T_RET(EINVAL, rt_cpu_memmove(buf, NULL, 1));
	T_EQ(rt_cpu_memmove(NULL, NULL, 0), 0);
	free(buf);
	free(want);
	free(tmp);
}

/* Every byte of @d[0..len) is byte (i % 8) of @pat, and the guards around it are intact. */
static int fill_ok(const uint8_t *d, size_t len, uint64_t pat)
{
	for (size_t i = 0; i < len; i++)
		if (d[i] != (uint8_t)(pat >> (8 * (i % 8))))
			return 0;
	return guards_ok(d - 64, 64) && guards_ok(d + len, 64);
}

static void test_memfill(void)
{
	static const uint64_t pats[] = { 0x0807060504030201ull, 0x4242424242424242ull,
					 0xff00000000000000ull, 0x00000000000000ffull };
	const size_t big[] = { 1000, 4096 + 5, (1 << 20) + 3, (33u << 20) + 17 };
	uint8_t *buf = malloc((34u << 20) + 256);
	int bad = 0;

	/* The device's example: pattern bytes in little-endian order from dst. */
	memset(buf, GUARD, 256);
	T_EQ(rt_cpu_memfill(buf + 64, 0x1122334455667788ull, 11), 0);
	T_EQ(buf[64], 0x88);
	T_EQ(buf[71], 0x11);
	T_EQ(buf[72], 0x88);
	T_EQ(buf[74], 0x66);
	T_EQ(buf[75], GUARD);

	for (size_t pi = 0; pi < 4; pi++)
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len <= 300 && !bad; len++) {
				memset(buf, GUARD, 512);
				T_EQ(rt_cpu_memfill(buf + 64 + off, pats[pi], len), 0);
				bad = !fill_ok(buf + 64 + off, len, pats[pi]);
				if (bad)
					fprintf(stderr, "memfill pat %zu off %zu len %zu\n", pi,
						off, len);
			}
	T_CHECK(!bad);
	for (size_t b = 0; b < sizeof(big) / sizeof(big[0]); b++) {
		memset(buf, GUARD, big[b] + 192);
		T_EQ(rt_cpu_memfill(buf + 64 + b, pats[0], big[b]), 0);
		T_CHECK(fill_ok(buf + 64 + b, big[b], pats[0]));
	}
	T_RET(EINVAL, rt_cpu_memfill(NULL, 1, 1));
	T_EQ(rt_cpu_memfill(NULL, 1, 0), 0);
	free(buf);
}

static void test_memcmp(void)
{
	const size_t n = 70000;
	uint8_t *a = malloc(n), *b = malloc(n);
	size_t mm = 77;
	int bad = 0;

	fill_seq(a, n, 3);
	memcpy(b, a, n);
	/* Equal: result 0 and offset 0, as the device reports it. */
	T_EQ(rt_cpu_memcmp(a, b, n, &mm), 0);
	T_EQ(mm, 0);
	T_EQ(rt_cpu_memcmp(a, b, 0, &mm), 0);
	T_EQ(rt_cpu_memcmp(a, b, n, NULL), 0);

	/* One differing byte at every position of every length up to 300, two alignments. */
	for (size_t off = 0; off < 2; off++)
		for (size_t len = 1; len <= 300 && !bad; len++)
			for (size_t pos = 0; pos < len && !bad; pos++) {
				b[off + pos] ^= 0x10;
				bad = rt_cpu_memcmp(a + off, b + off, len, &mm) != 1 || mm != pos;
				b[off + pos] ^= 0x10;
			}
	T_CHECK(!bad);
	/* Two differences: the first one counts; large offsets; a difference past len. */
	b[40000] ^= 1;
	b[50000] ^= 1;
	T_EQ(rt_cpu_memcmp(a, b, n, &mm), 1);
	T_EQ(mm, 40000);
	T_EQ(rt_cpu_memcmp(a + 3, b + 3, n - 3, &mm), 1);
	T_EQ(mm, 40000 - 3);
	T_EQ(rt_cpu_memcmp(a, b, 40000, &mm), 0);
	b[n - 1] ^= 0x80;
	T_EQ(rt_cpu_memcmp(a + 50001, b + 50001, n - 50001, &mm), 1);
	T_EQ(mm, n - 1 - 50001);

	T_RET(EINVAL, rt_cpu_memcmp(NULL, b, 1, &mm));
	T_RET(EINVAL, rt_cpu_memcmp(a, NULL, 1, &mm));
	free(a);
	free(b);
}

static void test_dualcast(void)
{
	const size_t n = 100000;
	uint8_t *buf = aligned_alloc(4096, 4 * 131072), *src = malloc(n);
	uint8_t *d1 = buf + 64, *d2 = buf + 2 * 131072 + 64;

	fill_seq(src, n, 9);
	memset(buf, GUARD, 4 * 131072);
	T_EQ(rt_cpu_dualcast(d1, d2, src, n), 0);
	T_CHECK(!memcmp(d1, src, n));
	T_CHECK(!memcmp(d2, src, n));
	T_CHECK(guards_ok(buf, 64) && guards_ok(d1 + n, 64) && guards_ok(d2 - 64, 64) &&
		guards_ok(d2 + n, 64));

	/* The destinations must agree in address bits 11:0. */
	T_RET(SVART_EDSA(DSA_COMP_DCAST_ERR), rt_cpu_dualcast(d1, d2 + 8, src, 16));
	T_RET(SVART_EDSA(DSA_COMP_DCAST_ERR), rt_cpu_dualcast(d1, d1 + 2048, src, 16));
	/* Any overlap among the three buffers. */
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS), rt_cpu_dualcast(d1, d1 + 4096, src, 8192));
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS), rt_cpu_dualcast(d1, d2, d1 + 10, 64));
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS), rt_cpu_dualcast(d1, d2, d2 - 10, 64));
	T_EQ(rt_cpu_dualcast(d1, d1 + 4096, d1 + 8192, 4096), 0); /* adjacent is fine */
	T_RET(EINVAL, rt_cpu_dualcast(NULL, d2, src, 1));
	T_EQ(rt_cpu_dualcast(d1, d2 + 1, src, 0), 0);
	free(buf);
	free(src);
}

int main(void)
{
	test_memmove();
	test_memfill();
	test_memcmp();
	test_dualcast();
	return t_done("rt_cpu_mem");
}
