// SPDX-License-Identifier: MIT
/*
 * CPU delta records: CR_DELTA and AP_DELTA in the DSA record format (10-byte entries: a
 * little-endian u16 index of the 8-byte word, then the word from the second source). No
 * library produces this format, hence the code.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/idxd.h>

#include "svart.h"
#include "enqcmd/idxd_hw.h"
#include "runtime/rt_cpu.h"

/* Equal stretches are skipped this many bytes at a time with memcmp(). */
#define RT_CPU_DELTA_SKIP 256

_Static_assert(RT_CPU_DELTA_ENTRY == IDXD_DELTA_ENTRY_SIZE, "delta entry size");
_Static_assert(RT_CPU_DELTA_MAX_LEN == IDXD_DELTA_MAX_XFER, "delta transfer limit");

static bool ranges_overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return alen && blen && x < y + blen && y < x + alen;
}

static bool misaligned8(const void *p)
{
	return (uintptr_t)p & 7;
}

int rt_cpu_delta_create(const void *src1, const void *src2, size_t len, void *delta,
			size_t max_delta, size_t *delta_size)
{
	const uint8_t *a = src1, *b = src2;
	uint8_t *d = delta;
	size_t w = 0;

	if (!src1 || !src2 || !delta || !delta_size)
		return -EINVAL;
	if ((len & 7) || misaligned8(src1) || misaligned8(src2) || misaligned8(delta))
		return -SVART_EDSA(DSA_COMP_ADDR_ALIGN);
	if (!len || len > RT_CPU_DELTA_MAX_LEN)
		return -SVART_EDSA(DSA_COMP_XFER_ERANGE);
	if (max_delta % RT_CPU_DELTA_ENTRY || max_delta < IDXD_DELTA_MIN_MAX_SIZE)
		return -SVART_EDSA(DSA_COMP_DR_ERANGE);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t x, y;
		uint16_t idx;

		if (!(i % RT_CPU_DELTA_SKIP) && len - i >= RT_CPU_DELTA_SKIP &&
		    !memcmp(a + i, b + i, RT_CPU_DELTA_SKIP)) {
			i += RT_CPU_DELTA_SKIP - 8;
			continue;
		}
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x == y)
			continue;
		if (w + RT_CPU_DELTA_ENTRY > max_delta) {
			*delta_size = w;
			return IDXD_DELTA_RES_OVERFLOW;
		}
		idx = htole16((uint16_t)(i / 8));
		memcpy(d + w, &idx, 2);
		memcpy(d + w + 2, &y, 8);
		w += RT_CPU_DELTA_ENTRY;
	}
	*delta_size = w;
	return w ? IDXD_DELTA_RES_DELTAS : IDXD_DELTA_RES_EQUAL;
}

int rt_cpu_delta_apply(void *dst, size_t len, const void *delta, size_t delta_size)
{
	const uint8_t *r = delta;
	uint8_t *d = dst;
	long prev = -1;

	if (!dst || (!delta && delta_size))
		return -EINVAL;
	if ((len & 7) || misaligned8(dst) || misaligned8(delta))
		return -SVART_EDSA(DSA_COMP_ADDR_ALIGN);
	if (delta_size % RT_CPU_DELTA_ENTRY)
		return -SVART_EDSA(DSA_COMP_DR_ERANGE);
	if (ranges_overlap(dst, len, delta, delta_size))
		return -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS);

	/* Check every entry before writing any, so a bad record leaves @dst as it was. */
	for (size_t off = 0; off < delta_size; off += RT_CPU_DELTA_ENTRY) {
		uint16_t idx;

		memcpy(&idx, r + off, 2);
		idx = le16toh(idx);
		if ((size_t)idx * 8 >= len)
			return -SVART_EDSA(DSA_COMP_DR_OFFSET_ERANGE);
		if ((long)idx <= prev)
			return -SVART_EDSA(DSA_COMP_DR_OFFSET_NOINC);
		prev = idx;
	}
	for (size_t off = 0; off < delta_size; off += RT_CPU_DELTA_ENTRY) {
		uint16_t idx;

		memcpy(&idx, r + off, 2);
		memcpy(d + (size_t)le16toh(idx) * 8, r + off + 2, 8);
	}
	return 0;
}
