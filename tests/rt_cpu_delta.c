// SPDX-License-Identifier: MIT
/*
 * rt_cpu_delta_create/apply: the DSA delta record byte for byte (10-byte entries, u16 word
 * index then the new word), its result codes, overflow, and the errors AP_DELTA and CR_DELTA
 * report for bad records, sizes and addresses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/idxd.h>

#include "svart.h"
#include "runtime/rt_cpu.h"
#include "tests/t_helpers.h"

#define LEN 4096

static void put_entry(uint8_t *rec, size_t i, uint16_t idx, uint64_t word)
{
	rec[i * 10] = (uint8_t)idx;
	rec[i * 10 + 1] = (uint8_t)(idx >> 8);
	memcpy(rec + i * 10 + 2, &word, 8);
}

int main(void)
{
	static const uint16_t changed[] = { 0, 1, 7, 31, 32, 33, 100, 300, 511 };
	const size_t nchanged = sizeof(changed) / sizeof(changed[0]);
	uint64_t *a = aligned_alloc(64, LEN), *b = aligned_alloc(64, LEN),
		 *c = aligned_alloc(64, LEN);
	uint8_t *rec = aligned_alloc(64, 8192), *want = aligned_alloc(64, 8192);
	size_t size = 12345;

	for (size_t i = 0; i < LEN / 8; i++)
		a[i] = 0x0101010101010101ull * (i & 0xff) + i;
	memcpy(b, a, LEN);

	/* Identical: result 0, empty record. */
	T_EQ(rt_cpu_delta_create(a, b, LEN, rec, 800, &size), 0);
	T_EQ(size, 0);

	/* Changed words, including one byte of a word: entries in order, new data. */
	for (size_t i = 0; i < nchanged; i++) {
		b[changed[i]] ^= 0xff00ull << (8 * (i % 6));
		put_entry(want, i, changed[i], b[changed[i]]);
	}
	memset(rec, 0xee, 8192);
	T_EQ(rt_cpu_delta_create(a, b, LEN, rec, 800, &size), 1);
	T_EQ(size, nchanged * 10);
	T_CHECK(!memcmp(rec, want, nchanged * 10));
	T_EQ(rec[nchanged * 10], 0xee); /* nothing past the record */

	/* Applying the record to the first source gives the second. */
	memcpy(c, a, LEN);
	T_EQ(rt_cpu_delta_apply(c, LEN, rec, size), 0);
	T_CHECK(!memcmp(c, b, LEN));
	T_EQ(rt_cpu_delta_apply(c, LEN, rec, 0), 0);

	/* Overflow: max 80 bytes holds 8 entries; result 2, the 8 that fit. */
	memset(rec, 0xee, 8192);
	T_EQ(rt_cpu_delta_create(a, b, LEN, rec, 80, &size), 2);
	T_EQ(size, 80);
	T_CHECK(!memcmp(rec, want, 80));
	T_EQ(rec[80], 0xee);
	/* Exactly enough room is not an overflow. */
	T_EQ(rt_cpu_delta_create(a, b, LEN, rec, nchanged * 10, &size), 1);

	/* The largest transfer: the u16 index reaches word 65535. */
	{
		uint64_t *x = aligned_alloc(64, RT_CPU_DELTA_MAX_LEN);
		uint64_t *y = aligned_alloc(64, RT_CPU_DELTA_MAX_LEN);

		memset(x, 0, RT_CPU_DELTA_MAX_LEN);
		memset(y, 0, RT_CPU_DELTA_MAX_LEN);
		y[65535] = 42;
		y[40000] = 7;
		T_EQ(rt_cpu_delta_create(x, y, RT_CPU_DELTA_MAX_LEN, rec, 80, &size), 1);
		T_EQ(size, 20);
		T_EQ(rec[0] | rec[1] << 8, 40000);
		T_EQ(rec[10] | rec[11] << 8, 65535);
		T_EQ(rt_cpu_delta_apply(x, RT_CPU_DELTA_MAX_LEN, rec, size), 0);
		T_EQ(x[65535], 42);
		T_EQ(x[40000], 7);
		free(x);
		free(y);
	}

	/* CR_DELTA errors. */
	T_RET(SVART_EDSA(DSA_COMP_ADDR_ALIGN), rt_cpu_delta_create(a, b, LEN - 4, rec, 800, &size));
	T_RET(SVART_EDSA(DSA_COMP_ADDR_ALIGN),
	      rt_cpu_delta_create((uint8_t *)a + 4, b, 64, rec, 800, &size));
	T_RET(SVART_EDSA(DSA_COMP_ADDR_ALIGN), rt_cpu_delta_create(a, b, 64, rec + 2, 800, &size));
	T_RET(SVART_EDSA(DSA_COMP_XFER_ERANGE), rt_cpu_delta_create(a, b, 0, rec, 800, &size));
	T_RET(SVART_EDSA(DSA_COMP_XFER_ERANGE),
	      rt_cpu_delta_create(a, b, RT_CPU_DELTA_MAX_LEN + 8, rec, 800, &size));
	T_RET(SVART_EDSA(DSA_COMP_DR_ERANGE), rt_cpu_delta_create(a, b, LEN, rec, 70, &size));
	T_RET(SVART_EDSA(DSA_COMP_DR_ERANGE), rt_cpu_delta_create(a, b, LEN, rec, 85, &size));
	T_RET(EINVAL, rt_cpu_delta_create(a, b, LEN, NULL, 800, &size));
	T_RET(EINVAL, rt_cpu_delta_create(a, b, LEN, rec, 800, NULL));

	/* AP_DELTA errors, each leaving the destination untouched. */
	memcpy(c, a, LEN);
	put_entry(rec, 0, 5, 1);
	put_entry(rec, 1, 5, 2); /* same index twice */
	T_RET(SVART_EDSA(DSA_COMP_DR_OFFSET_NOINC), rt_cpu_delta_apply(c, LEN, rec, 20));
	put_entry(rec, 1, 4, 2); /* decreasing */
	T_RET(SVART_EDSA(DSA_COMP_DR_OFFSET_NOINC), rt_cpu_delta_apply(c, LEN, rec, 20));
	put_entry(rec, 1, LEN / 8, 2); /* one word past the end */
	T_RET(SVART_EDSA(DSA_COMP_DR_OFFSET_ERANGE), rt_cpu_delta_apply(c, LEN, rec, 20));
	T_CHECK(!memcmp(c, a, LEN));
	put_entry(rec, 1, LEN / 8 - 1, 2); /* the last word: applies */
	T_EQ(rt_cpu_delta_apply(c, LEN, rec, 20), 0);
	T_EQ(c[5], 1);
	T_EQ(c[LEN / 8 - 1], 2);
	memcpy(c, a, LEN);
	T_RET(SVART_EDSA(DSA_COMP_DR_ERANGE), rt_cpu_delta_apply(c, LEN, rec, 15));
	T_RET(SVART_EDSA(DSA_COMP_ADDR_ALIGN), rt_cpu_delta_apply(c, LEN - 1, rec, 10));
	T_RET(SVART_EDSA(DSA_COMP_ADDR_ALIGN), rt_cpu_delta_apply((uint8_t *)c + 1, 64, rec, 10));
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS),
	      rt_cpu_delta_apply(c, LEN, (uint8_t *)c + 80, 10));
	T_RET(EINVAL, rt_cpu_delta_apply(NULL, LEN, rec, 10));
	T_CHECK(!memcmp(c, a, LEN));

	free(a);
	free(b);
	free(c);
	free(rec);
	free(want);
	return t_done("rt_cpu_delta");
}
