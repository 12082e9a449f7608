// SPDX-License-Identifier: MIT
/*
 * rt_cpu_dif_*: T10 DIF insert/check/strip/update against tuples built here from the
 * definitions (a bitwise CRC-16 T10-DIF, big-endian guard/app/ref), with the tag rules
 * (increment or fixed, app mask, F escapes), the failure report (bytes_completed, dif_status,
 * resume tags) and the argument errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/idxd.h>

#include "svart.h"
#include "enqcmd/idxd_hw.h"
#include "runtime/rt_cpu.h"
#include "tests/t_helpers.h"

#define NBLK 5

/* CRC-16/T10-DIF, bit by bit: polynomial 0x8BB7, MSB first, from @init. */
static uint16_t ref_crc16(uint16_t init, const uint8_t *p, size_t n)
{
	uint16_t r = init;

	while (n--) {
		r ^= (uint16_t)(*p++ << 8);
		for (int i = 0; i < 8; i++)
			r = (uint16_t)((r << 1) ^ ((r & 0x8000) ? 0x8bb7 : 0));
	}
	return r;
}

static void put_tuple(uint8_t *t, uint16_t guard, uint16_t app, uint32_t ref)
{
	t[0] = (uint8_t)(guard >> 8);
	t[1] = (uint8_t)guard;
	t[2] = (uint8_t)(app >> 8);
	t[3] = (uint8_t)app;
	t[4] = (uint8_t)(ref >> 24);
	t[5] = (uint8_t)(ref >> 16);
	t[6] = (uint8_t)(ref >> 8);
	t[7] = (uint8_t)ref;
}

/*
 * @prot: NBLK blocks of @bs from @data, each with the tuple the device would insert for
 * seed/inversion @dif_flags, app tag @app (+i if @app_inc) and ref tag @ref (+i if @ref_inc).
 */
static void build(uint8_t *prot, const uint8_t *data, unsigned int bs, uint8_t dif_flags,
		  uint16_t app, int app_inc, uint32_t ref, int ref_inc)
{
	for (unsigned int i = 0; i < NBLK; i++) {
		uint8_t *p = prot + i * (bs + 8);
		uint16_t g = ref_crc16(dif_flags & IDXD_DIF_F_INVERT_CRC_SEED ? 0xffff : 0,
				       data + i * bs, bs);

		if (dif_flags & IDXD_DIF_F_INVERT_CRC_RESULT)
			g = (uint16_t)~g;
		memcpy(p, data + i * bs, bs);
		put_tuple(p + bs, g, (uint16_t)(app + (app_inc ? i : 0)), ref + (ref_inc ? i : 0));
	}
}

static void test_insert_check_strip(const uint8_t *data, uint8_t *prot, uint8_t *want, uint8_t *out)
{
	for (uint8_t flags = 0; flags < 16; flags++) {
		unsigned int bs = rt_cpu_dif_block_size(flags), step = bs + 8;
		struct rt_cpu_dif ins = { .dif_flags = flags,
					  .dst_app_tag = 0xdcba,
					  .dst_ref_tag = 0x87654321,
					  .dst_app_mask = 0xffff };
		struct rt_cpu_dif chk = { .dif_flags = flags,
					  .src_app_tag = 0xdcba,
					  .src_ref_tag = 0x87654321 };
		struct rt_cpu_dif_result r;

		/* Insert: incrementing ref, fixed app; the mask does not touch what is written. */
		build(want, data, bs, flags, 0xdcba, 0, 0x87654321, 1);
		memset(prot, 0xee, NBLK * step + 8);
		T_EQ(rt_cpu_dif_insert(prot, data, NBLK * bs, &ins, &r), 0);
		T_CHECK(!memcmp(prot, want, NBLK * step));
		T_EQ(prot[NBLK * step], 0xee);
		T_EQ(r.bytes_completed, NBLK * bs);
		T_EQ(r.ref_tag, 0x87654321 + NBLK);

		/* Check and strip accept it. */
		T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
		T_EQ(r.bytes_completed, NBLK * step);
		T_EQ(r.dif_status, 0);
		T_EQ(r.ref_tag, 0x87654321 + NBLK);
		T_EQ(r.app_tag, 0xdcba);
		memset(out, 0xee, NBLK * bs + 8);
		T_EQ(rt_cpu_dif_strip(out, prot, NBLK * step, &chk, &r), 0);
		T_CHECK(!memcmp(out, data, NBLK * bs));
		T_EQ(out[NBLK * bs], 0xee);
	}
}

/* One bad block (the fourth): each kind of error, the report and the partial strip. */
static void test_errors(const uint8_t *data, uint8_t *prot, uint8_t *out)
{
	const unsigned int bs = 512, step = 520, bad = 3;
	struct rt_cpu_dif chk = { .src_app_tag = 0x1000,
				  .src_ref_tag = 100,
				  .src_flags = IDXD_DIF_SRC_F_APP_INCREMENT };
	struct rt_cpu_dif_result r;
	uint8_t *t = prot + bad * step + bs;

	build(prot, data, bs, 0, 0x1000, 1, 100, 1);
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);

	/* Guard: one data bit flipped. */
	prot[bad * step + 17] ^= 4;
	memset(out, 0xee, NBLK * bs);
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_strip(out, prot, NBLK * step, &chk, &r));
	T_EQ(r.dif_status, IDXD_DIF_ERR_GUARD);
	T_EQ(r.bytes_completed, bad * step);
	T_EQ(r.ref_tag, 100 + bad); /* the seeds to resume the failing block with */
	T_EQ(r.app_tag, 0x1000 + bad);
	T_CHECK(!memcmp(out, data, bad * bs)); /* the good blocks before it were written */
	T_EQ(out[bad * bs], 0xee);
	chk.src_flags |= IDXD_DIF_SRC_F_GUARD_CHECK_DIS;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_GUARD_CHECK_DIS;
	prot[bad * step + 17] ^= 4;

	/* Ref tag. */
	t[7] ^= 1;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.dif_status, IDXD_DIF_ERR_REF);
	chk.src_flags |= IDXD_DIF_SRC_F_REF_CHECK_DIS;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_REF_CHECK_DIS;
	t[7] ^= 1;
	/* A fixed ref tag fails from the second block on. */
	chk.src_flags |= IDXD_DIF_SRC_F_REF_FIXED;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.bytes_completed, step);
	T_EQ(r.ref_tag, 100);
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_REF_FIXED;

	/* App tag, and the mask: 1 bits are left out of the compare, 0xffff disables it. */
	t[3] ^= 0x30; /* bits 4 and 5 of the app tag */
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.dif_status, IDXD_DIF_ERR_APP);
	chk.src_app_mask = 0x0010;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	chk.src_app_mask = 0x0030;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_app_mask = 0xffff;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_app_mask = 0;
	/* Fixed app tag: all blocks but the first fail. */
	t[3] ^= 0x30;
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_APP_INCREMENT;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.bytes_completed, step);
	chk.src_flags |= IDXD_DIF_SRC_F_APP_INCREMENT;

	/* Several failures in one block: all bits reported. */
	t[0] ^= 1;
	t[2] ^= 1;
	t[4] ^= 1;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.dif_status, IDXD_DIF_ERR_GUARD | IDXD_DIF_ERR_APP | IDXD_DIF_ERR_REF);

	/* F escapes: app 0xffff, app+ref all ones, and the all-F tuple. */
	put_tuple(t, 0x1234, 0xffff, 7);
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	chk.src_flags |= IDXD_DIF_SRC_F_APP_F_SKIP;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_APP_F_SKIP;
	chk.src_flags |= IDXD_DIF_SRC_F_APP_REF_F_SKIP;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	put_tuple(t, 0x1234, 0xffff, 0xffffffff);
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_flags &= (uint8_t)~IDXD_DIF_SRC_F_APP_REF_F_SKIP;
	put_tuple(t, 0xffff, 0xffff, 0xffffffff);
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	chk.src_flags |= IDXD_DIF_SRC_F_ALL_F_DETECT;
	T_EQ(rt_cpu_dif_check(prot, NBLK * step, &chk, &r), 0);
	chk.src_flags |= IDXD_DIF_SRC_F_ALL_F_ERROR;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_check(prot, NBLK * step, &chk, &r));
	T_EQ(r.dif_status, IDXD_DIF_ERR_ALL_F);
	T_EQ(r.bytes_completed, bad * step);
}

static void test_update(const uint8_t *data, uint8_t *prot, uint8_t *want, uint8_t *out)
{
	const unsigned int bs = 4096, step = 4104;
	const uint8_t flags = IDXD_DIF_F_BLKSZ_4096 | IDXD_DIF_F_INVERT_CRC_SEED;
	struct rt_cpu_dif upd = {
		.dif_flags = flags,
		.src_app_tag = 1,
		.src_ref_tag = 10,
		.dst_app_tag = 0x2000,
		.dst_ref_tag = 0x500,
		.dst_flags = IDXD_DIF_DST_F_APP_INCREMENT | IDXD_DIF_DST_F_REF_FIXED,
	};
	struct rt_cpu_dif_result r;

	build(prot, data, bs, flags, 1, 0, 10, 1);
	build(want, data, bs, flags, 0x2000, 1, 0x500, 0);
	T_EQ(rt_cpu_dif_update(out, prot, NBLK * step, &upd, &r), 0);
	T_CHECK(!memcmp(out, want, NBLK * step));

	/* Pass-through: the source's app and ref tags, a recomputed guard. */
	upd.dst_flags = IDXD_DIF_DST_F_APP_PASS | IDXD_DIF_DST_F_REF_PASS;
	T_EQ(rt_cpu_dif_update(out, prot, NBLK * step, &upd, &r), 0);
	T_CHECK(!memcmp(out, prot, NBLK * step));
	/* Guard pass-through still checks the source first: a bad block stops the update. */
	prot[2 * step + bs] ^= 1;
	upd.dst_flags = IDXD_DIF_DST_F_GUARD_PASS;
	T_RET(SVART_EDSA(DSA_COMP_DIF_ERR), rt_cpu_dif_update(out, prot, NBLK * step, &upd, &r));
	T_EQ(r.bytes_completed, 2 * step);
	prot[2 * step + bs] ^= 1;
}

static void test_bad_args(const uint8_t *data, uint8_t *prot)
{
	struct rt_cpu_dif d = { 0 };
	struct rt_cpu_dif_result r;

	T_RET(EINVAL, rt_cpu_dif_check(prot, 519, &d, &r));
	T_RET(EINVAL, rt_cpu_dif_insert(prot, data, 520, &d, &r));
	T_RET(EINVAL, rt_cpu_dif_check(prot, 520, NULL, &r));
	T_RET(EINVAL, rt_cpu_dif_check(NULL, 520, &d, &r));
	T_RET(EINVAL, rt_cpu_dif_strip(NULL, prot, 520, &d, &r));
	d.dif_flags = 0x10;
	T_RET(EINVAL, rt_cpu_dif_check(prot, 520, &d, &r));
	d.dif_flags = 0;
	d.dst_flags = 0x01;
	T_RET(EINVAL, rt_cpu_dif_insert(prot, data, 512, &d, &r));
	d.dst_flags = 0;
	/* Overlapping source and destination. */
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS),
	      rt_cpu_dif_insert(prot + 100, prot, 512, &d, &r));
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS),
	      rt_cpu_dif_strip(prot + 519, prot, 520, &d, &r));
	T_RET(SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS),
	      rt_cpu_dif_update(prot, prot + 519, 520, &d, &r));
	T_EQ(rt_cpu_dif_check(prot, 0, &d, NULL), 0);
	T_EQ(rt_cpu_dif_block_size(IDXD_DIF_F_BLKSZ_520), 520);
	T_EQ(rt_cpu_dif_block_size(IDXD_DIF_F_BLKSZ_4104), 4104);
}

int main(void)
{
	const size_t sz = NBLK * 4112 + 64;
	uint8_t *data = malloc(sz), *prot = malloc(sz), *want = malloc(sz), *out = malloc(sz);

	/* The catalogue check value pins the reference CRC. */
	T_EQ(ref_crc16(0, (const uint8_t *)"123456789", 9), 0xd0db);
	for (size_t i = 0; i < sz; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 9));

	test_insert_check_strip(data, prot, want, out);
	test_errors(data, prot, out);
	test_update(data, prot, want, out);
	test_bad_args(data, prot);

	free(data);
	free(prot);
	free(want);
	free(out);
	return t_done("rt_cpu_dif");
}
