// SPDX-License-Identifier: MIT
/*
 * CPU T10 DIF: DIF_CHECK, DIF_INS, DIF_STRP and DIF_UPDT as DSA executes them. Each block is
 * followed by an 8-byte tuple: big-endian guard (CRC-16 T10-DIF of the block, ISA-L's
 * crc16_t10dif), app tag and ref tag.
 *
 * Where the sources disagree (docs/CPU_PATH.md): the app-tag mask is applied as the DSA
 * documentation and SPDK use it (a 1 bit excludes that bit from the check; DML's software
 * path inverts it), insert writes the app tag unmasked (dsa-perf-micros verifies hardware
 * output that way), and all-F detection without its error flag skips the block's checks.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <isa-l/crc.h>
#include <linux/idxd.h>

#include "svart.h"
#include "enqcmd/idxd_hw.h"
#include "runtime/rt_cpu.h"

struct dif_tuple {
	uint16_t guard;
	uint16_t app;
	uint32_t ref;
};

/* Per-block tag state: the values for the current block and how they move on. */
struct dif_tags {
	uint32_t ref;
	uint16_t app;
	bool ref_inc;
	bool app_inc;
};

unsigned int rt_cpu_dif_block_size(uint8_t dif_flags)
{
	return idxd_dif_block_size(dif_flags);
}

static bool ranges_overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return alen && blen && x < y + blen && y < x + alen;
}

static uint16_t dif_guard(const uint8_t *blk, unsigned int bs, uint8_t dif_flags)
{
	uint16_t g = crc16_t10dif(dif_flags & IDXD_DIF_F_INVERT_CRC_SEED ? 0xffff : 0, blk, bs);

	return dif_flags & IDXD_DIF_F_INVERT_CRC_RESULT ? (uint16_t)~g : g;
}

static struct dif_tuple tuple_read(const uint8_t *p)
{
	struct dif_tuple t;

	memcpy(&t.guard, p, 2);
	memcpy(&t.app, p + 2, 2);
	memcpy(&t.ref, p + 4, 4);
	t.guard = be16toh(t.guard);
	t.app = be16toh(t.app);
	t.ref = be32toh(t.ref);
	return t;
}

static void tuple_write(uint8_t *p, struct dif_tuple t)
{
	uint16_t g = htobe16(t.guard), a = htobe16(t.app);
	uint32_t r = htobe32(t.ref);

	memcpy(p, &g, 2);
	memcpy(p + 2, &a, 2);
	memcpy(p + 4, &r, 4);
}

static void tags_next(struct dif_tags *t)
{
	t->ref += t->ref_inc;
	t->app += t->app_inc;
}

static struct dif_tags src_tags(const struct rt_cpu_dif *dif)
{
	return (struct dif_tags){
		.ref = dif->src_ref_tag,
		.app = dif->src_app_tag,
		.ref_inc = !(dif->src_flags & IDXD_DIF_SRC_F_REF_FIXED),
		.app_inc = dif->src_flags & IDXD_DIF_SRC_F_APP_INCREMENT,
	};
}

static struct dif_tags dst_tags(const struct rt_cpu_dif *dif)
{
	return (struct dif_tags){
		.ref = dif->dst_ref_tag,
		.app = dif->dst_app_tag,
		.ref_inc = !(dif->dst_flags & IDXD_DIF_DST_F_REF_FIXED),
		.app_inc = dif->dst_flags & IDXD_DIF_DST_F_APP_INCREMENT,
	};
}

/* The IDXD_DIF_ERR_* bits of one source block and its tuple; 0 when it passes. */
static uint8_t block_check(const uint8_t *blk, unsigned int bs, const struct rt_cpu_dif *dif,
			   const struct dif_tags *tags)
{
	struct dif_tuple t = tuple_read(blk + bs);
	uint8_t sf = dif->src_flags, st = 0;
	bool app_f = t.app == 0xffff, all_f = app_f && t.ref == 0xffffffffu && t.guard == 0xffff;

	if ((sf & IDXD_DIF_SRC_F_ALL_F_DETECT) && all_f)
		return sf & IDXD_DIF_SRC_F_ALL_F_ERROR ? IDXD_DIF_ERR_ALL_F : 0;
	if ((sf & IDXD_DIF_SRC_F_APP_REF_F_SKIP) && app_f && t.ref == 0xffffffffu)
		return 0;
	if ((sf & IDXD_DIF_SRC_F_APP_F_SKIP) && app_f)
		return 0;
	if (!(sf & IDXD_DIF_SRC_F_GUARD_CHECK_DIS) && t.guard != dif_guard(blk, bs, dif->dif_flags))
		st |= IDXD_DIF_ERR_GUARD;
	if (dif->src_app_mask != 0xffff && ((t.app ^ tags->app) & ~dif->src_app_mask))
		st |= IDXD_DIF_ERR_APP;
	if (!(sf & IDXD_DIF_SRC_F_REF_CHECK_DIS) && t.ref != tags->ref)
		st |= IDXD_DIF_ERR_REF;
	return st;
}

static int dif_validate(const struct rt_cpu_dif *dif, size_t len, unsigned int unit)
{
	if (!dif || (dif->dif_flags & IDXD_DIF_F_RSVD_MASK) ||
	    (dif->dst_flags & IDXD_DIF_DST_F_RSVD_MASK) || len % unit)
		return -EINVAL;
	return 0;
}

static void result_set(struct rt_cpu_dif_result *res, size_t done, uint8_t status,
		       const struct dif_tags *tags)
{
	if (!res)
		return;
	res->bytes_completed = done;
	res->dif_status = status;
	res->ref_tag = tags->ref;
	res->app_tag = tags->app;
}

enum dif_op { DIF_CHECK, DIF_STRIP, DIF_UPDATE };

/* CHECK, STRIP and UPDATE: @len bytes of blocks with tuples from @src. */
static int dif_walk(enum dif_op op, uint8_t *dst, const uint8_t *src, size_t len,
		    const struct rt_cpu_dif *dif, struct rt_cpu_dif_result *res)
{
	unsigned int bs = dif ? rt_cpu_dif_block_size(dif->dif_flags) : 512;
	size_t step = bs + IDXD_DIF_TUPLE_SIZE, out_step = op == DIF_STRIP ? bs : step;
	struct dif_tags in, out;
	int ret;

	ret = dif_validate(dif, len, (unsigned int)step);
	if (ret)
		return ret;
	if ((!src && len) || (op != DIF_CHECK && !dst && len))
		return -EINVAL;
	if (op != DIF_CHECK && ranges_overlap(dst, len / step * out_step, src, len))
		return -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS);

	in = src_tags(dif);
	out = dst_tags(dif);
	for (size_t off = 0; off < len; off += step) {
		const uint8_t *blk = src + off;
		uint8_t st = block_check(blk, bs, dif, &in);

		if (st) {
			result_set(res, off, st, &in);
			return -SVART_EDSA(DSA_COMP_DIF_ERR);
		}
		if (op == DIF_STRIP) {
			memcpy(dst + off / step * bs, blk, bs);
		} else if (op == DIF_UPDATE) {
			struct dif_tuple t = tuple_read(blk + bs);
			uint8_t df = dif->dst_flags;
			uint8_t *d = dst + off;

			memcpy(d, blk, bs);
			if (!(df & IDXD_DIF_DST_F_GUARD_PASS))
				t.guard = dif_guard(blk, bs, dif->dif_flags);
			if (!(df & IDXD_DIF_DST_F_APP_PASS))
				t.app = out.app;
			if (!(df & IDXD_DIF_DST_F_REF_PASS))
				t.ref = out.ref;
			tuple_write(d + bs, t);
			tags_next(&out);
		}
		tags_next(&in);
	}
	result_set(res, len, 0, &in);
	return 0;
}

int rt_cpu_dif_check(const void *src, size_t len, const struct rt_cpu_dif *dif,
		     struct rt_cpu_dif_result *res)
{
	return dif_walk(DIF_CHECK, NULL, src, len, dif, res);
}

int rt_cpu_dif_strip(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		     struct rt_cpu_dif_result *res)
{
	return dif_walk(DIF_STRIP, dst, src, len, dif, res);
}

int rt_cpu_dif_update(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		      struct rt_cpu_dif_result *res)
{
	return dif_walk(DIF_UPDATE, dst, src, len, dif, res);
}

int rt_cpu_dif_insert(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		      struct rt_cpu_dif_result *res)
{
	unsigned int bs = dif ? rt_cpu_dif_block_size(dif->dif_flags) : 512;
	const uint8_t *s = src;
	uint8_t *d = dst;
	struct dif_tags out;
	int ret;

	ret = dif_validate(dif, len, bs);
	if (ret)
		return ret;
	if (len && (!src || !dst))
		return -EINVAL;
	if (ranges_overlap(dst, len / bs * (bs + IDXD_DIF_TUPLE_SIZE), src, len))
		return -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS);

	out = dst_tags(dif);
	for (size_t off = 0; off < len; off += bs) {
		struct dif_tuple t = {
			.guard = dif_guard(s + off, bs, dif->dif_flags),
			.app = out.app,
			.ref = out.ref,
		};

		memcpy(d, s + off, bs);
		tuple_write(d + bs, t);
		d += bs + IDXD_DIF_TUPLE_SIZE;
		tags_next(&out);
	}
	result_set(res, len, 0, &out);
	return 0;
}
