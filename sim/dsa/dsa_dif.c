// SPDX-License-Identifier: MIT
/*
 * DSA T10 DIF operations: DIF_CHECK, DIF_INS, DIF_STRP, DIF_UPDT.
 *
 * Every data block (512, 520, 4096 or 4104 bytes) is followed by an 8-byte tuple: big-endian
 * guard (CRC-16 T10-DIF of the block, polynomial 0x8BB7, MSB first; ISA-L's crc16_t10dif), app
 * tag and ref tag. The operations go block by block; a block counts as completed only once its
 * tuple is checked and everything it writes is written, so bytes_completed (source bytes) and
 * the tags left in the completion record are exactly the next block's. A failed check stops
 * the operation at that block with DIF_ERR and the failed checks in dif_status.
 */
#include "sim/dsa/dsa_priv.h"

#include <string.h>

#include <isa-l/crc.h>

/* The descriptor's byte 42 and the op's flag bytes (40: source, 41: destination). */
#define DIF_FLAGS_OFF 2
#define DIF_SRC_FLAGS_OFF 0
#define DIF_DST_FLAGS_OFF 1
/* Tag sets: source (CHECK, STRP, UPDT) at byte 48, destination (INS, UPDT) at byte 56. */
#define DIF_SRC_SET_OFF 8
#define DIF_DST_SET_OFF 16

struct dif_tags {
	uint32_t ref;
	uint16_t mask;
	uint16_t app;
};

static void dif_tags_load(struct dif_tags *t, const uint8_t *p)
{
	t->ref = (uint32_t)sim_dsa_le(p, 4);
	t->mask = (uint16_t)sim_dsa_le(p + 4, 2);
	t->app = (uint16_t)sim_dsa_le(p + 6, 2);
}

/* Record image of a tag set (same layout as the descriptor's). */
static void dif_tags_store(uint8_t *p, const struct dif_tags *t)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(t->ref >> (8 * i));
	p[4] = (uint8_t)t->mask;
	p[5] = (uint8_t)(t->mask >> 8);
	p[6] = (uint8_t)t->app;
	p[7] = (uint8_t)(t->app >> 8);
}

static void dif_tags_next(struct dif_tags *t, bool ref_fixed, bool app_inc)
{
	if (!ref_fixed)
		t->ref++;
	if (app_inc)
		t->app++;
}

uint8_t sim_dsa_dif_check_desc(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint8_t dif_flags = d->op_specific[DIF_FLAGS_OFF];
	uint64_t n = d->xfer_size, bs = idxd_dif_block_size(dif_flags);
	uint64_t tb = bs + IDXD_DIF_TUPLE_SIZE;

	if (dif_flags & IDXD_DIF_F_RSVD_MASK)
		return DSA_COMP_NOZERO_RESERVE;
	if ((op->opcode == DSA_OPCODE_DIF_INS || op->opcode == DSA_OPCODE_DIF_UPDT) &&
	    (d->op_specific[DIF_DST_FLAGS_OFF] & IDXD_DIF_DST_F_RSVD_MASK))
		return DSA_COMP_NOZERO_RESERVE;
	/* Partial blocks: XFER_ERANGE (the hardware's status for this is unverified). */
	switch (op->opcode) {
	case DSA_OPCODE_DIF_CHECK:
		return n % tb ? DSA_COMP_XFER_ERANGE : 0;
	case DSA_OPCODE_DIF_INS:
		if (n % bs)
			return DSA_COMP_XFER_ERANGE;
		return sim_dsa_overlap(d->src_addr, n, d->dst_addr, n / bs * tb) ?
			       DSA_COMP_OVERLAP_BUFFERS :
			       0;
	case DSA_OPCODE_DIF_STRP:
		if (n % tb)
			return DSA_COMP_XFER_ERANGE;
		return sim_dsa_overlap(d->src_addr, n, d->dst_addr, n / tb * bs) ?
			       DSA_COMP_OVERLAP_BUFFERS :
			       0;
	default: /* UPDT */
		if (n % tb)
			return DSA_COMP_XFER_ERANGE;
		return sim_dsa_overlap(d->src_addr, n, d->dst_addr, n) ? DSA_COMP_OVERLAP_BUFFERS :
									 0;
	}
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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

/* dif_status bits for a source tuple @t whose block's computed guard is @guard. */
static uint8_t dif_verify(uint8_t sflags, const uint8_t *t, uint16_t guard,
			  const struct dif_tags *exp)
{
	uint16_t app = be16(t + 2);
	uint32_t ref = be32(t + 4);
	static const uint8_t all_f[IDXD_DIF_TUPLE_SIZE] = { 0xff, 0xff, 0xff, 0xff,
							    0xff, 0xff, 0xff, 0xff };
	uint8_t err = 0;

	/* An all-F tuple marks a block not to check; with ALL_F_ERROR it is itself an error. */
	if ((sflags & IDXD_DIF_SRC_F_ALL_F_DETECT) && !memcmp(t, all_f, sizeof(all_f)))
		return sflags & IDXD_DIF_SRC_F_ALL_F_ERROR ? IDXD_DIF_ERR_ALL_F : 0;
	if ((sflags & IDXD_DIF_SRC_F_APP_REF_F_SKIP) && app == 0xffff && ref == 0xffffffffu)
		return 0;
	if ((sflags & IDXD_DIF_SRC_F_APP_F_SKIP) && app == 0xffff)
		return 0;
	if (!(sflags & IDXD_DIF_SRC_F_GUARD_CHECK_DIS) && be16(t) != guard)
		err |= IDXD_DIF_ERR_GUARD;
	/* A mask bit set excludes that app-tag bit; mask 0xffff disables the check. */
	if ((app & ~exp->mask) != (exp->app & ~exp->mask))
		err |= IDXD_DIF_ERR_APP;
	if (!(sflags & IDXD_DIF_SRC_F_REF_CHECK_DIS) && ref != exp->ref)
		err |= IDXD_DIF_ERR_REF;
	return err;
}

struct dif_crc {
	uint16_t crc;
};

static int run_guard(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct dif_crc *c = ctx;

	c->crc = crc16_t10dif(c->crc, host[0], n);
	return 0;
}

static int run_guard_copy(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct dif_crc *c = ctx;

	c->crc = crc16_t10dif_copy(c->crc, host[1], host[0], n);
	return 0;
}

uint8_t sim_dsa_dif(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	const uint8_t *os = d->op_specific;
	uint8_t dif_flags = os[DIF_FLAGS_OFF], sflags = os[DIF_SRC_FLAGS_OFF];
	uint8_t dflags = os[DIF_DST_FLAGS_OFF];
	bool ins = op->opcode == DSA_OPCODE_DIF_INS, updt = op->opcode == DSA_OPCODE_DIF_UPDT;
	bool check = !ins, copy = op->opcode != DSA_OPCODE_DIF_CHECK, gen = ins || updt;
	uint64_t bs = idxd_dif_block_size(dif_flags), tb = bs + IDXD_DIF_TUPLE_SIZE;
	uint64_t sstep = ins ? bs : tb, dstep = op->opcode == DSA_OPCODE_DIF_STRP ? bs : tb;
	uint64_t nblocks = d->xfer_size / sstep, k;
	uint16_t seed = dif_flags & IDXD_DIF_F_INVERT_CRC_SEED ? 0xffff : 0;
	uint16_t inv = dif_flags & IDXD_DIF_F_INVERT_CRC_RESULT ? 0xffff : 0;
	struct dif_tags src = { 0 }, dst = { 0 };
	uint8_t st = DSA_COMP_SUCCESS;

	if (check)
		dif_tags_load(&src, os + DIF_SRC_SET_OFF);
	if (gen)
		dif_tags_load(&dst, os + DIF_DST_SET_OFF);

	for (k = 0; k < nblocks; k++) {
		uint64_t so = k * sstep, dso = k * dstep, done;
		struct sim_dsa_stream s[2] = { { d->src_addr + so, SIM_DMA_READ },
					       { d->dst_addr + dso, SIM_DMA_WRITE } };
		struct dif_crc c = { seed };
		uint8_t t[IDXD_DIF_TUPLE_SIZE] = { 0 }, out[IDXD_DIF_TUPLE_SIZE], err;
		uint16_t guard;

		if (sim_dsa_walk(op, s, copy ? 2 : 1, bs, copy ? run_guard_copy : run_guard, &c,
				 &done))
			goto fault;
		guard = c.crc ^ inv;
		if (check) {
			if (sim_dma_read(op->dma, t, d->src_addr + so + bs, sizeof(t), NULL))
				goto fault;
			err = dif_verify(sflags, t, guard, &src);
			if (err) {
				op->rec.dif_status = err;
				op->rec.bytes_completed = (uint32_t)so;
				st = DSA_COMP_DIF_ERR;
				break;
			}
		}
		if (gen) {
			/* Pass-through takes the source tuple's field (UPDT only; INS has none). */
			bool pg = updt && (dflags & IDXD_DIF_DST_F_GUARD_PASS);
			bool pa = updt && (dflags & IDXD_DIF_DST_F_APP_PASS);
			bool pr = updt && (dflags & IDXD_DIF_DST_F_REF_PASS);

			put_tuple(out, pg ? be16(t) : guard, pa ? be16(t + 2) : dst.app,
				  pr ? be32(t + 4) : dst.ref);
			if (sim_dma_write(op->dma, d->dst_addr + dso + bs, out, sizeof(out), NULL))
				goto fault;
		}
		if (check)
			dif_tags_next(&src, sflags & IDXD_DIF_SRC_F_REF_FIXED,
				      sflags & IDXD_DIF_SRC_F_APP_INCREMENT);
		if (gen)
			dif_tags_next(&dst, dflags & IDXD_DIF_DST_F_REF_FIXED,
				      dflags & IDXD_DIF_DST_F_APP_INCREMENT);
		continue;
fault:
		st = sim_dsa_fault(op, so);
		break;
	}
	op->bytes = k * sstep;
	/* The tags of the next block to process: the seeds to resume with. */
	if (check)
		dif_tags_store(op->rec.op_specific, &src);
	if (gen)
		dif_tags_store(op->rec.op_specific + 8, &dst);
	return st;
}
