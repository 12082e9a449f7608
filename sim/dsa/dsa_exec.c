// SPDX-License-Identifier: MIT
/*
 * The sim DSA executor: descriptor validation, dispatch, completion record, interrupt and
 * software-error reports. The operations themselves live in dsa_mem.c, dsa_crc.c,
 * dsa_delta.c, dsa_dif.c and dsa_batch.c.
 *
 * Validation order (the reference leaves the hardware's precedence unverified; this is the
 * order the checks are listed in docs/SIM_DEVICES.md):
 *   BAD_OPCODE, INVALID_FLAGS, CRA_ALIGN, PRIV_BAD, NOZERO_RESERVE, XFER_ERANGE,
 *   INT_HANDLE_INVAL, then the op's own checks (DESC_CNT_ERANGE, DESCLIST_ALIGN, ADDR_ALIGN,
 *   DR_ERANGE, DCAST_ERR, OVERLAP_BUFFERS).
 * A descriptor that fails validation touches no memory but its completion record.
 */
#include "sim/dsa/dsa_priv.h"

#include <string.h>

#include "sim/sim_guard.h"

#define F_FENCE IDXD_OP_FLAG_FENCE
#define F_BOF IDXD_OP_FLAG_BOF
#define F_CR IDXD_OP_FLAG_CR
#define F_CC IDXD_OP_FLAG_CC
#define F_A1 IDXD_OP_FLAG_ADDR1_TCS
#define F_A2 IDXD_OP_FLAG_ADDR2_TCS
#define F_A3 IDXD_OP_FLAG_ADDR3_TCS
/* Flags about the completion itself, accepted with every opcode. */
#define F_COMPLETION                                                                    \
	(IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_CRSTS | \
	 IDXD_OP_FLAG_CR_TCS)
/* Flags about how the destination is written. */
#define F_WRITES (F_CC | IDXD_OP_FLAG_STORD | IDXD_OP_FLAG_DRDBK | IDXD_OP_FLAG_DSTS)

#define DRAIN_OP_FLAGS                                                                        \
	(IDXD_DRAIN_F_RDBK_ADDR1 | IDXD_DRAIN_F_RDBK_ADDR2 | IDXD_DRAIN_F_SUPPRESS_TCA_RDBK | \
	 IDXD_DRAIN_F_SUPPRESS_TCB_RDBK)
#define CRC_OP_FLAGS (IDXD_CRC_F_READ_SEED | IDXD_CRC_F_BYPASS_INV_REF | IDXD_CRC_F_BYPASS_DATA_REF)

/* Which transfer-size rule an opcode follows. */
enum dsa_xfer_rule {
	XFER_NONE = 0, /* no transfer size (NOOP, DRAIN; BATCH has a count) */
	XFER_WQ, /* 1 .. WQ maximum */
	XFER_DELTA, /* 1 .. min(WQ maximum, 0x80000) */
};

struct dsa_op_info {
	bool valid;
	uint8_t xfer; /* enum dsa_xfer_rule */
	uint32_t flags; /* accepted flag bits 23:0 (before the device and WQ conditions) */
	uint32_t rsvd; /* bit i: op-specific byte 40 + i is reserved (must be zero) */
	uint8_t (*check)(struct sim_dsa_op *op);
	uint8_t (*run)(struct sim_dsa_op *op);
};

/* ---- per-op checks that need nothing but the descriptor ---- */

static uint8_t check_memmove(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;

	if (!op->cfg->overlap_copy &&
	    sim_dsa_overlap(d->src_addr, d->xfer_size, d->dst_addr, d->xfer_size))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t check_dualcast(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint32_t n = d->xfer_size;

	if ((d->dst_addr & IDXD_DUALCAST_ADDR_MATCH_MASK) !=
	    (d->dest2 & IDXD_DUALCAST_ADDR_MATCH_MASK))
		return DSA_COMP_DCAST_ERR;
	if (sim_dsa_overlap(d->src_addr, n, d->dst_addr, n) ||
	    sim_dsa_overlap(d->src_addr, n, d->dest2, n) ||
	    sim_dsa_overlap(d->dst_addr, n, d->dest2, n))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t check_crc(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;

	if ((op->flags & IDXD_CRC_F_READ_SEED) && (d->seed_addr & (IDXD_CRC_SEED_ALIGN - 1)))
		return DSA_COMP_ADDR_ALIGN;
	if (op->opcode == DSA_OPCODE_COPY_CRC &&
	    sim_dsa_overlap(d->src_addr, d->xfer_size, d->dst_addr, d->xfer_size))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t check_cr_delta(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint64_t n = d->xfer_size, rec_max;

	/*
	 * Sources and size are in 8-byte words. The record is not held to 8 bytes, nor its
	 * room to DML's minimum of 80: resuming after a fault advances it by delta_rec_size
	 * (whole 10-byte entries) and takes that off its room, which neither rule survives.
	 */
	if ((d->src_addr | d->src2_addr | n) & (IDXD_DELTA_WORD_SIZE - 1))
		return DSA_COMP_ADDR_ALIGN;
	if (d->max_delta_size % IDXD_DELTA_ENTRY_SIZE)
		return DSA_COMP_DR_ERANGE;
	/* Only the part of the record that can ever be written counts as its extent. */
	rec_max = n / IDXD_DELTA_WORD_SIZE * IDXD_DELTA_ENTRY_SIZE;
	if (rec_max > d->max_delta_size)
		rec_max = d->max_delta_size;
	if (sim_dsa_overlap(d->delta_addr, rec_max, d->src_addr, n) ||
	    sim_dsa_overlap(d->delta_addr, rec_max, d->src2_addr, n))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t check_ap_delta(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;

	/* The record itself may sit anywhere: a resume advances it by whole entries. */
	if ((d->dst_addr | d->xfer_size) & (IDXD_DELTA_WORD_SIZE - 1))
		return DSA_COMP_ADDR_ALIGN;
	if (!d->delta_rec_size || d->delta_rec_size % IDXD_DELTA_ENTRY_SIZE)
		return DSA_COMP_DR_ERANGE;
	if (sim_dsa_overlap(d->src_addr, d->delta_rec_size, d->dst_addr, d->xfer_size))
		return DSA_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t check_batch(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;

	if (d->desc_count < IDXD_BATCH_MIN_DESCS ||
	    (uint64_t)d->desc_count > (UINT64_C(1) << op->cfg->max_batch_shift))
		return DSA_COMP_DESC_CNT_ERANGE;
	if (d->desc_list_addr & (IDXD_DESC_LIST_ALIGN - 1))
		return DSA_COMP_DESCLIST_ALIGN;
	return 0;
}

static uint8_t run_noop(struct sim_dsa_op *op)
{
	return DSA_COMP_SUCCESS;
}

/*
 * The flags each opcode accepts: DML's per-operation flag sets (the best proxy the reference
 * has for the hardware's table, which is unverified), plus the completion flags.
 */
static const struct dsa_op_info dsa_ops[DSA_OPCODE_CFLUSH + 1] = {
	[DSA_OPCODE_NOOP] = { true, XFER_NONE, F_FENCE, 0xffffff, NULL, run_noop },
	[DSA_OPCODE_BATCH] = { true, XFER_NONE, F_A1, 0xffffff, check_batch, sim_dsa_batch },
	[DSA_OPCODE_DRAIN] = { true, XFER_NONE, F_A1 | F_A2 | DRAIN_OP_FLAGS, 0xffffff, NULL,
			       sim_dsa_drain },
	[DSA_OPCODE_MEMMOVE] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1 | F_A2 | F_WRITES, 0xffffff,
				 check_memmove, sim_dsa_memmove },
	[DSA_OPCODE_MEMFILL] = { true, XFER_WQ, F_FENCE | F_BOF | F_A2 | F_WRITES | IDXD_FILL_F_16B,
				 0xffffff, NULL, sim_dsa_memfill },
	[DSA_OPCODE_COMPARE] = { true, XFER_WQ, F_FENCE | F_BOF | F_CR | F_A1 | F_A2, 0xfffffe,
				 NULL, sim_dsa_compare },
	[DSA_OPCODE_COMPVAL] = { true, XFER_WQ, F_FENCE | F_BOF | F_CR | F_A1, 0xfffffe, NULL,
				 sim_dsa_compval },
	[DSA_OPCODE_CR_DELTA] = { true, XFER_DELTA,
				  F_FENCE | F_BOF | F_CR | F_A1 | F_A2 | F_A3 | F_WRITES, 0xfef000,
				  check_cr_delta, sim_dsa_cr_delta },
	[DSA_OPCODE_AP_DELTA] = { true, XFER_DELTA, F_FENCE | F_BOF | F_A1 | F_A2 | F_WRITES,
				  0xfffff0, check_ap_delta, sim_dsa_ap_delta },
	[DSA_OPCODE_DUALCAST] = { true, XFER_WQ,
				  F_FENCE | F_BOF | F_A1 | F_A2 | F_A3 | F_WRITES |
					  IDXD_DUALCAST_F_DEST2_STS,
				  0xffff00, check_dualcast, sim_dsa_dualcast },
	[DSA_OPCODE_CRCGEN] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1 | F_A3 | CRC_OP_FLAGS,
				0xff00f0, check_crc, sim_dsa_crc },
	[DSA_OPCODE_COPY_CRC] = { true, XFER_WQ,
				  F_FENCE | F_BOF | F_A1 | F_A2 | F_A3 | F_WRITES | CRC_OP_FLAGS,
				  0xff00f0, check_crc, sim_dsa_crc },
	[DSA_OPCODE_DIF_CHECK] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1, 0xff00fa,
				   sim_dsa_dif_check_desc, sim_dsa_dif },
	[DSA_OPCODE_DIF_INS] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1 | F_A2 | F_WRITES, 0x00fff9,
				 sim_dsa_dif_check_desc, sim_dsa_dif },
	[DSA_OPCODE_DIF_STRP] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1 | F_A2 | F_WRITES, 0xff00fa,
				  sim_dsa_dif_check_desc, sim_dsa_dif },
	[DSA_OPCODE_DIF_UPDT] = { true, XFER_WQ, F_FENCE | F_BOF | F_A1 | F_A2 | F_WRITES, 0x0000f8,
				  sim_dsa_dif_check_desc, sim_dsa_dif },
	[DSA_OPCODE_CFLUSH] = { true, XFER_WQ, F_FENCE | F_BOF | F_A2 | F_WRITES, 0xffffff, NULL,
				sim_dsa_cflush },
};

static bool dsa_opcap(const struct sim_exec_cfg *cfg, uint8_t opcode)
{
	return (cfg->opcap[opcode / 8] >> (opcode % 8)) & 1;
}

/* Flag bits the device or this WQ do not allow for this descriptor. */
static uint32_t dsa_bad_flags(const struct sim_dsa_op *op, const struct dsa_op_info *info)
{
	const struct sim_exec_cfg *cfg = op->cfg;
	uint32_t f = op->flags, bad = f & ~(info->flags | F_COMPLETION);

	if ((f & F_BOF) && !cfg->wq_bof)
		bad |= F_BOF;
	/* CFLUSH's CC selects write-back vs invalidate, not cache allocation. */
	if ((f & F_CC) && op->opcode != DSA_OPCODE_CFLUSH && !cfg->cache_ctl)
		bad |= F_CC;
	if ((f & IDXD_OP_FLAG_DRDBK) && !cfg->dest_readback)
		bad |= IDXD_OP_FLAG_DRDBK;
	if (op->opcode == DSA_OPCODE_DRAIN && !cfg->drain_readback)
		bad |= f & (IDXD_DRAIN_F_RDBK_ADDR1 | IDXD_DRAIN_F_RDBK_ADDR2);
	if (op->opcode == DSA_OPCODE_MEMFILL && cfg->version < IDXD_VERSION_2)
		bad |= f & IDXD_FILL_F_16B;
	return bad;
}

/* 0xff in byte i of the result for each bit i of @bits. */
static uint64_t dsa_byte_mask(uint8_t bits)
{
	uint64_t x = (bits * UINT64_C(0x0101010101010101)) & UINT64_C(0x8040201008040201);

	/* Each byte now holds its own bit or 0: make the nonzero ones 0xff. */
	x = ((((x & UINT64_C(0x7f7f7f7f7f7f7f7f)) + UINT64_C(0x7f7f7f7f7f7f7f7f)) | x) >> 7) &
	    UINT64_C(0x0101010101010101);
	return x * 0xff;
}

static bool dsa_reserved_nonzero(const struct sim_dsa_op *op, const struct dsa_op_info *info)
{
	const struct dsa_hw_desc *d = op->desc;
	uint32_t rsvd = info->rsvd;
	uint64_t w[3];

	if (d->rsvd || d->rsvd1)
		return true;
	if (op->opcode == DSA_OPCODE_MEMFILL && (op->flags & IDXD_FILL_F_16B))
		rsvd &= ~0xffu; /* pattern_upper */
	/* Eight bytes at a time: this runs for every descriptor (a byte loop was ~10 ns). */
	memcpy(w, d->op_specific, sizeof(w));
	for (unsigned int i = 0; i < 3; i++)
		if (w[i] & dsa_byte_mask((uint8_t)(rsvd >> (8 * i))))
			return true;
	return false;
}

static uint8_t dsa_validate(struct sim_dsa_op *op, const struct dsa_op_info **infop)
{
	const struct dsa_hw_desc *d = op->desc;
	const struct sim_exec_cfg *cfg = op->cfg;
	const struct sim_exec_env *env = op->x->env;
	const struct dsa_op_info *info = NULL;
	uint32_t bad;
	uint8_t st;

	if (op->opcode < sizeof(dsa_ops) / sizeof(dsa_ops[0]))
		info = &dsa_ops[op->opcode];
	if (!info || !info->valid || !dsa_opcap(cfg, op->opcode))
		return DSA_COMP_BAD_OPCODE;
	/* Neither may appear in a batch list; which status hardware gives is unverified. */
	if (op->in_batch && (op->opcode == DSA_OPCODE_BATCH || op->opcode == DSA_OPCODE_DRAIN))
		return DSA_COMP_BAD_OPCODE;
	*infop = info;

	bad = dsa_bad_flags(op, info);
	if (bad) {
		op->rec.invalid_flags = bad;
		return DSA_COMP_INVALID_FLAGS;
	}
	if ((op->flags & IDXD_OP_FLAG_CRAV) && !idxd_dsa_comp_addr_ok(d->completion_addr))
		return DSA_COMP_CRA_ALIGN;
	if (op->dma->priv_req && !cfg->priv_ok)
		return DSA_COMP_PRIV_BAD;
	if (dsa_reserved_nonzero(op, info))
		return DSA_COMP_NOZERO_RESERVE;
	if (info->xfer != XFER_NONE) {
		uint64_t max = UINT64_C(1) << cfg->max_xfer_shift;

		if (info->xfer == XFER_DELTA && max > IDXD_DELTA_MAX_XFER)
			max = IDXD_DELTA_MAX_XFER;
		if (!d->xfer_size || d->xfer_size > max)
			return DSA_COMP_XFER_ERANGE;
	}
	if ((op->flags & IDXD_OP_FLAG_RCI) && env && env->int_handle_valid &&
	    !env->int_handle_valid(env->arg, d->int_handle))
		return DSA_COMP_INT_HANDLE_INVAL;
	if (info->check) {
		st = info->check(op);
		if (st)
			return st;
	}
	return 0;
}

static void dsa_swerr(struct sim_dsa_op *op, uint8_t st, bool fault_write, uint64_t fault_addr)
{
	const struct sim_exec_env *env = op->x->env;
	struct sim_swerr e = {
		.error = st & DSA_COMP_STATUS_MASK,
		.opcode = op->opcode,
		.fault_write = fault_write,
		.batch = op->in_batch,
		.batch_idx = op->batch_idx,
		.pasid = op->dma->pasid,
		.priv = op->dma->priv_req,
		.invalid_flags = op->rec.invalid_flags,
		.fault_addr = fault_addr,
	};

	if (env && env->swerr)
		env->swerr(env->arg, &e);
}

static bool dsa_status_ok(uint8_t st)
{
	return st == DSA_COMP_SUCCESS || st == DSA_COMP_SUCCESS_PRED;
}

/* Write the record (status last), report what cannot be written, raise the interrupt. */
static uint8_t dsa_complete(struct sim_dsa_op *op, uint8_t st)
{
	const struct sim_exec_env *env = op->x->env;
	uint64_t addr = op->desc->completion_addr;
	bool reported = false;

	op->rec.status = st;
	if (!(op->flags & IDXD_OP_FLAG_CRAV)) {
		/* No record to write: errors go to SWERR. */
		if (!dsa_status_ok(st)) {
			dsa_swerr(op, st, st & DSA_COMP_STATUS_WRITE, op->rec.fault_addr);
			reported = true;
		}
	} else if ((op->flags & IDXD_OP_FLAG_RCR) || st != DSA_COMP_SUCCESS) {
		if (!idxd_dsa_comp_addr_ok(addr)) {
			dsa_swerr(op, DSA_COMP_CRA_ALIGN, false, addr);
			return DSA_COMP_CRA_ALIGN;
		}
		/* The record has no partial completion to fall back on: it makes page requests
		 * whenever the WQ can, BOF or not (unverified). */
		op->dma->block_on_fault = op->cfg->prs;
		if (sim_dma_write_record(op->dma, addr, &op->rec, sizeof(op->rec))) {
			/* The record's address, not the byte the write stopped at: a record
			 * never crosses a page. */
			dsa_swerr(op, DSA_COMP_CRA_XLAT, true, addr);
			return DSA_COMP_CRA_XLAT;
		}
	}
	if ((st & DSA_COMP_STATUS_MASK) == DSA_COMP_TRANSLATION_FAIL && !reported)
		dsa_swerr(op, st, op->dma->fault.write, op->rec.fault_addr);
	if ((op->flags & IDXD_OP_FLAG_RCI) && env && env->interrupt &&
	    st != DSA_COMP_INT_HANDLE_INVAL && !env->interrupt(env->arg, op->desc->int_handle) &&
	    !env->int_handle_valid) {
		/* Without a validity check up front the device core can only tell us now,
		 * with the record already written: log it. */
		dsa_swerr(op, DSA_COMP_INT_HANDLE_INVAL, false, 0);
	}
	return st;
}

uint8_t sim_dsa_exec_one(struct sim_exec *x, const struct dsa_hw_desc *desc, bool in_batch,
			 uint16_t batch_idx)
{
	const struct dsa_op_info *info = NULL;
	struct sim_dsa_op op;
	uint8_t st;

	memset(&op, 0, sizeof(op));
	op.x = x;
	op.dma = x->dma;
	op.cfg = x->cfg;
	op.desc = desc;
	op.flags = desc->flags;
	op.opcode = desc->opcode;
	op.in_batch = in_batch;
	op.batch_idx = batch_idx;
	op.bof = (op.flags & F_BOF) && x->cfg->wq_bof && x->cfg->prs;

	st = dsa_validate(&op, &info);
	if (!st) {
		op.dma->block_on_fault = op.bof;
		st = info->run(&op);
	}
	x->descs++;
	x->bytes += op.bytes;
	return dsa_complete(&op, st);
}

uint8_t sim_dsa_exec(struct sim_exec *x, const struct dsa_hw_desc *desc)
{
	/* Idempotent and cheap after the first call; a fault must never reach an unarmed
	 * handler, whoever set up this engine. */
	sim_guard_init();
	return sim_dsa_exec_one(x, desc, false, 0);
}
