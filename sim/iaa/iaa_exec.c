// SPDX-License-Identifier: MIT
/*
 * sim IAA executor: validation, dispatch, completion records, and the simple opcodes (NOOP,
 * DRAIN, MEMMOVE). The deflate and CRC64 work is in iaa_compress.c, iaa_decompress.c and
 * iaa_crc64.c. See sim/accel/sim_exec.h for the contract and docs/SIM_DEVICES.md for what the
 * model does and does not do.
 *
 * Checks run in a fixed order (opcode, flags, record alignment, privilege, interrupt handle, op
 * flags and reserved fields, AECS alignment and size, sizes, overlap), the DSA executor's order
 * where they share checks; the hardware's order of precedence is unverified. The record rules
 * (CRAV/RCR, SWERR, BOF for the record write) are the DSA executor's too.
 *
 * IAA never reports partial progress on a page fault: the status is 0x03 (| 0x80 for a write)
 * with fault_addr, bytes_completed 0, and software resubmits the whole descriptor (QPL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "sim/iaa/iaa_priv.h"
#include "sim/sim_guard.h"

const uint16_t iaa_len_base[29] = { 3,	4,  5,	6,  7,	8,  9,	10, 11,	 13,  15,  17,	19,  23, 27,
				    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
const uint8_t iaa_len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
const uint16_t iaa_dist_base[30] = {
	1,   2,	  3,   4,   5,	 7,    9,    13,   17,	 25,   33,   49,   65,	  97,	 129,
	193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
};
const uint8_t iaa_dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				     6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* Descriptor flags bits 0-15 IAA opcodes accept (iaa_flags_allowed() narrows and adds). */
#define IAA_F_COMMON                                                                    \
	(IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_RCI | \
	 IDXD_OP_FLAG_CRSTS | IDXD_OP_FLAG_ADDR1_TCS | IDXD_OP_FLAG_ADDR2_TCS |         \
	 IDXD_OP_FLAG_ADDR3_TCS | IDXD_OP_FLAG_CR_TCS | IDXD_OP_FLAG_STORD | IDXD_OP_FLAG_DSTS)
/* IAA op-specific flags of COMPRESS / DECOMPRESS (bit 20, SRC2_STS, has no known meaning). */
#define IAA_F_SRC2                                                                   \
	(IDXD_IAX_F_RD_SRC2_MASK | IDXD_IAX_F_WR_SRC2_MASK | IDXD_OP_FLAG_SRC2_STS | \
	 IDXD_OP_FLAG_CRC_RFC3720 | IDXD_IAX_F_AECS_SEL)

/* Compression flags sim implements: statistics, flush, end processing, literals only. */
#define IAA_COMPF_OK                                                                            \
	(IDXD_IAX_COMPF_STATS_MODE | IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(3) | \
	 IDXD_IAX_COMPF_LITERALS_ONLY)
/* Decompression flags sim implements (no BE16, no indexing). */
#define IAA_DECOMPF_OK                                                                            \
	(IDXD_IAX_DECOMPF_ENABLE | IDXD_IAX_DECOMPF_FLUSH_OUTPUT | IDXD_IAX_DECOMPF_STOP_ON_EOB | \
	 IDXD_IAX_DECOMPF_CHECK_FOR_EOB | IDXD_IAX_DECOMPF_SEL_BFINAL_EOB |                       \
	 IDXD_IAX_DECOMPF_IGNORE_END_BITS(7) | IDXD_IAX_DECOMPF_SUPPRESS_OUTPUT |                 \
	 IDXD_IAX_DECOMPF_IGNORE_END_BITS_HI)
#define IAA_CRC64F_OK (IDXD_IAX_CRC64F_INVERT | IDXD_IAX_CRC64F_BIT_ORDER)

int sim_iaa_state_create(void **state)
{
	struct iaa_state *st;
	unsigned int l, d, s;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->head = calloc(1u << IAA_HASH_BITS, sizeof(*st->head));
	st->cin = malloc(IAA_CIN_SIZE);
	st->cout = malloc(IAA_COUT_SIZE);
	st->enc = calloc(1, sizeof(*st->enc));
	st->inf = calloc(1, sizeof(*st->inf));
	st->din = malloc(IAA_DIN_CHUNK + 128);
	st->dout = malloc(IAA_DOUT_SIZE);
	st->daecs = calloc(1, sizeof(*st->daecs));
	st->caecs = calloc(1, sizeof(*st->caecs));
	st->crc64 = calloc(1, sizeof(*st->crc64));
	/* Untouched until a statistics pass uses them (the allocation maps, it does not fill). */
	st->memo.in = malloc(IAA_MEMO_MAX_IN);
	st->memo.tok = malloc(IAA_MEMO_MAX_TOK * sizeof(uint32_t));
	if (!st->memo.in || !st->memo.tok || !st->head || !st->cin || !st->cout || !st->enc ||
	    !st->inf || !st->din || !st->dout || !st->daecs || !st->caecs || !st->crc64) {
		sim_iaa_state_destroy(st);
		return -ENOMEM;
	}
	for (s = 0, l = 3; l <= IAA_MAX_MATCH; l++) {
		while (s < 28 && l >= iaa_len_base[s + 1])
			s++;
		st->len_sym[l] = (uint8_t)s;
	}
	for (s = 0, d = 1; d <= IAA_HIST; d++) {
		while (s < 29 && d >= iaa_dist_base[s + 1])
			s++;
		st->dist_sym[d] = (uint8_t)s;
	}
	*state = st;
	return 0;
}

void sim_iaa_state_destroy(void *state)
{
	struct iaa_state *st = state;

	if (!st)
		return;
	free(st->head);
	free(st->cin);
	free(st->cout);
	free(st->enc);
	free(st->inf);
	free(st->din);
	free(st->dout);
	free(st->daecs);
	free(st->caecs);
	free(st->crc64);
	free(st->memo.in);
	free(st->memo.tok);
	free(st);
}

void iaa_csum(struct iaa_job *job, const uint8_t *buf, size_t len)
{
	uint16_t x = 0;
	size_t i = 0;

	if (!len)
		return;
	if (job->crc32c)
		job->crc = ~crc32_iscsi((unsigned char *)buf, (int)len, ~job->crc);
	else
		job->crc = crc32_gzip_refl(job->crc, buf, len);
	/* 16-bit little-endian words from the start of the job's data; an odd tail byte is low. */
	if (job->xor_odd) {
		x ^= (uint16_t)buf[0] << 8;
		i = 1;
	}
	/* Four independent 64-bit lanes (the compiler vectorises them), folded once at the end. */
	if (len - i >= 32) {
		uint64_t w[4] = { 0 }, v;

		for (; i + 32 <= len; i += 32) {
			for (unsigned int k = 0; k < 4; k++) {
				memcpy(&v, buf + i + 8 * k, sizeof(v));
				w[k] ^= v;
			}
		}
		v = w[0] ^ w[1] ^ w[2] ^ w[3];
		v ^= v >> 32;
		x ^= (uint16_t)(v ^ (v >> 16));
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, buf + i, sizeof(w));
		w ^= w >> 32;
		x ^= (uint16_t)(w ^ (w >> 16));
	}
	for (; i + 2 <= len; i += 2)
		x ^= (uint16_t)(buf[i] | buf[i + 1] << 8);
	if (i < len)
		x ^= buf[i];
	job->xor_odd = (job->xor_odd + len) & 1;
	job->xor_csum ^= x;
}

uint8_t iaa_fault(struct iaa_job *job)
{
	const struct sim_dma_fault *f = &job->x->dma->fault;
	uint8_t status;

	switch (f->kind) {
	case SIM_DMA_FAULT_IR:
		status = IAX_COMP_PAGE_FAULT_IR;
		break;
	case SIM_DMA_FAULT_TIMEOUT:
		status = IAX_COMP_PRS_TIMEOUT;
		break;
	case SIM_DMA_FAULT_RF:
		status = IAX_COMP_TRANSLATION_FAIL;
		break;
	default:
		status = IDXD_IAX_COMP_PAGE_FAULT_NOBOF;
		break;
	}
	/* No partial completion on IAA: what was produced is not reported. */
	memset(&job->rec, 0, sizeof(job->rec));
	job->rec.fault_addr = f->addr;
	return status | (f->write ? DSA_COMP_STATUS_WRITE : 0);
}

uint8_t iaa_analytics_error(struct iaa_job *job, uint8_t code)
{
	job->rec.error_code = code;
	return IAX_COMP_ANALYTICS_ERROR;
}

static bool iaa_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static uint8_t iaa_memmove(struct iaa_job *job)
{
	struct sim_dma *dma = job->x->dma;
	uint64_t done;

	if (iaa_overlap(job->src1, job->src1_size, job->dst, job->src1_size) &&
	    !job->x->cfg->overlap_copy)
		return IAX_COMP_OVERLAP_BUFFERS;
	if (job->dst > job->src1 && job->dst < job->src1 + job->src1_size) {
		/* Overlapping with dst above src: copy descending, staged a chunk at a time. */
		uint64_t left = job->src1_size;

		while (left) {
			uint64_t n = left < IAA_CIN_SIZE ? left : IAA_CIN_SIZE;

			left -= n;
			if (sim_dma_read(dma, job->st->cin, job->src1 + left, n, NULL) ||
			    sim_dma_write(dma, job->dst + left, job->st->cin, n, NULL))
				return iaa_fault(job);
		}
		return IAX_COMP_SUCCESS;
	}
	if (sim_dma_copy(dma, job->dst, job->src1, job->src1_size, &done))
		return iaa_fault(job);
	return IAX_COMP_SUCCESS;
}

/* Flags bits 16-23 and the common bits an opcode may set; anything else is INVALID_FLAGS. */
static uint32_t iaa_flags_allowed(const struct iaa_job *job)
{
	const struct sim_exec_cfg *cfg = job->x->cfg;
	uint32_t ok = IAA_F_COMMON;

	if (cfg->wq_bof)
		ok |= IDXD_OP_FLAG_BOF;
	if (cfg->cache_ctl)
		ok |= IDXD_OP_FLAG_CC;
	if (cfg->dest_readback)
		ok |= IDXD_OP_FLAG_DRDBK;
	switch (job->opcode) {
	case IAX_OPCODE_NOOP:
	case IAX_OPCODE_DRAIN:
		ok &= IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_RCI |
		      IDXD_OP_FLAG_CRSTS | IDXD_OP_FLAG_CR_TCS;
		break;
	case IAX_OPCODE_COMPRESS:
	case IAX_OPCODE_DECOMPRESS:
		ok |= IAA_F_SRC2;
		break;
	default:
		break;
	}
	return ok;
}

/* Op flags (bytes 38-39) and reserved fields; fills the job's AECS view. */
static uint8_t iaa_check_op(struct iaa_job *job)
{
	const struct iax_hw_desc *d = job->d;
	unsigned int rd = (job->flags & IDXD_IAX_F_RD_SRC2_MASK) >> 16;
	uint32_t need = 0;

	switch (job->opcode) {
	case IAX_OPCODE_COMPRESS:
		if (job->opflags & ~IAA_COMPF_OK)
			return IAX_COMP_INVALID_COMP_FLAG;
		/* Compression-2 flags (IAA 2 header generation) and num_inputs: unused. */
		if (d->filter_flags)
			return IAX_COMP_INVALID_COMP_FLAG;
		if (d->num_inputs)
			return IAX_COMP_NOZERO_RESERVE;
		need = IDXD_IAX_AECS_COMP_SIZE;
		break;
	case IAX_OPCODE_DECOMPRESS:
		if ((job->opflags & ~IAA_DECOMPF_OK) || !(job->opflags & IDXD_IAX_DECOMPF_ENABLE))
			return IAX_COMP_INVALID_COMP_FLAG;
		if (d->filter_flags || d->num_inputs)
			return IAX_COMP_NOZERO_RESERVE;
		need = sizeof(struct iaa_daecs);
		break;
	case IAX_OPCODE_CRC64:
		if (job->opflags & ~IAA_CRC64F_OK)
			return IAX_COMP_INVALID_COMP_FLAG;
		if (d->dst_addr || d->src2_addr || d->max_dst_size || d->src2_size)
			return IAX_COMP_NOZERO_RESERVE;
		return 0;
	case IAX_OPCODE_MEMMOVE:
		if (job->opflags || d->src2_addr || d->max_dst_size || d->src2_size ||
		    d->filter_flags || d->num_inputs)
			return IAX_COMP_NOZERO_RESERVE;
		return 0;
	default:
		return 0;
	}

	if (rd == IDXD_IAX_RD_SRC2_INPUT || rd == 3) {
		/* A second input is for the analytics operations. */
		job->rec.invalid_flags = job->flags & IDXD_IAX_F_RD_SRC2_MASK;
		return IAX_COMP_INVALID_FLAGS;
	}
	job->wr_src2 = (job->flags & IDXD_IAX_F_WR_SRC2_MASK) >> 18;
	if (job->wr_src2 == 3) {
		job->rec.invalid_flags = job->flags & IDXD_IAX_F_WR_SRC2_MASK;
		return IAX_COMP_INVALID_FLAGS;
	}
	job->aecs_read = rd == IDXD_IAX_RD_SRC2_AECS;
	if (!job->aecs_read && !job->wr_src2)
		return 0;
	if ((job->src2 | job->src2_size) & (IDXD_IAX_AECS_ALIGN - 1))
		return IAX_COMP_ADDR_ALIGN;
	if (job->src2_size < need)
		return IAX_COMP_INVALID_SIZE;
	/* The toggle picks the copy to read; state is written to the other (QPL). */
	job->aecs_rd = job->src2 + ((job->flags & IDXD_IAX_F_AECS_SEL) ? job->src2_size : 0);
	job->aecs_wr = job->src2 + ((job->flags & IDXD_IAX_F_AECS_SEL) ? 0 : job->src2_size);
	if (job->wr_src2 && iaa_overlap(job->aecs_wr, need, job->src1, job->src1_size))
		return IAX_COMP_OVERLAP_BUFFERS;
	return 0;
}

static uint8_t iaa_validate(struct iaa_job *job)
{
	const struct sim_exec_cfg *cfg = job->x->cfg;
	uint64_t max_xfer = UINT64_C(1) << cfg->max_xfer_shift;
	const struct sim_exec_env *env = job->x->env;
	uint32_t bad;
	uint8_t status;

	if (!job->st)
		return IAX_COMP_HW_ERR1; /* the engine has no state: a device fault */
	if (!(cfg->opcap[job->opcode / 8] & (1u << (job->opcode % 8))))
		return IAX_COMP_BAD_OPCODE;
	switch (job->opcode) {
	case IAX_OPCODE_NOOP:
	case IAX_OPCODE_DRAIN:
	case IAX_OPCODE_MEMMOVE:
	case IAX_OPCODE_DECOMPRESS:
	case IAX_OPCODE_COMPRESS:
	case IAX_OPCODE_CRC64:
		break;
	default:
		/* The analytics operations (SCAN, EXTRACT, SELECT, EXPAND, ...) are not modelled. */
		return IAX_COMP_BAD_OPCODE;
	}
	bad = job->flags & ~iaa_flags_allowed(job);
	if (bad) {
		job->rec.invalid_flags = bad;
		return IAX_COMP_INVALID_FLAGS;
	}
	if ((job->flags & IDXD_OP_FLAG_CRAV) &&
	    (job->d->completion_addr & (IDXD_IAX_COMP_ALIGN - 1)))
		return IAX_COMP_CRA_ALIGN;
	if (job->x->dma->priv_req && !cfg->priv_ok)
		return IAX_COMP_PRIV_BAD;
	if ((job->flags & IDXD_OP_FLAG_RCI) && env && env->int_handle_valid &&
	    !env->int_handle_valid(env->arg, job->d->int_handle))
		return IAX_COMP_INT_HANDLE_INVAL;
	status = iaa_check_op(job);
	if (status)
		return status;
	switch (job->opcode) {
	case IAX_OPCODE_MEMMOVE:
		if (!job->src1_size || job->src1_size > max_xfer)
			return IAX_COMP_INVALID_SIZE;
		break;
	case IAX_OPCODE_COMPRESS:
	case IAX_OPCODE_DECOMPRESS:
		if (job->src1_size > max_xfer)
			return IAX_COMP_INVALID_SIZE;
		if (iaa_overlap(job->src1, job->src1_size, job->dst, job->max_dst))
			return IAX_COMP_OVERLAP_BUFFERS;
		if ((job->aecs_read || job->wr_src2) &&
		    (iaa_overlap(job->src2, 2ull * job->src2_size, job->dst, job->max_dst)))
			return IAX_COMP_OVERLAP_BUFFERS;
		break;
	case IAX_OPCODE_CRC64:
		if (job->src1_size > max_xfer)
			return IAX_COMP_INVALID_SIZE;
		break;
	default:
		break;
	}
	return 0;
}

static uint8_t iaa_run(struct iaa_job *job)
{
	switch (job->opcode) {
	case IAX_OPCODE_NOOP:
	case IAX_OPCODE_DRAIN:
		/* Ordering (DRAIN waits for earlier descriptors) is the device core's. */
		return IAX_COMP_SUCCESS;
	case IAX_OPCODE_MEMMOVE:
		return iaa_memmove(job);
	case IAX_OPCODE_COMPRESS:
		return iaa_compress(job);
	case IAX_OPCODE_DECOMPRESS:
		return iaa_decompress(job);
	case IAX_OPCODE_CRC64:
		return iaa_crc64(job);
	default:
		return IAX_COMP_BAD_OPCODE;
	}
}

static void iaa_swerr(struct iaa_job *job, uint8_t error, bool fault_write, uint64_t fault_addr)
{
	const struct sim_exec_env *env = job->x->env;
	struct sim_swerr e = {
		.error = error & DSA_COMP_STATUS_MASK,
		.opcode = job->opcode,
		.fault_write = fault_write,
		.pasid = job->x->dma->pasid,
		.priv = job->x->dma->priv_req,
		.invalid_flags = job->rec.invalid_flags,
		.fault_addr = fault_addr,
	};

	if (env && env->swerr)
		env->swerr(env->arg, &e);
}

/* Write the record (status last), report what cannot be written, raise the interrupt. */
static uint8_t iaa_complete(struct iaa_job *job, uint8_t status)
{
	struct sim_exec *x = job->x;
	const struct sim_exec_env *env = x->env;
	uint64_t cra = job->d->completion_addr;
	bool reported = false;

	job->rec.status = status;
	if (!(job->flags & IDXD_OP_FLAG_CRAV)) {
		/* No record to write: errors go to SWERR. */
		if (status != IAX_COMP_SUCCESS) {
			iaa_swerr(job, status, status & DSA_COMP_STATUS_WRITE, job->rec.fault_addr);
			reported = true;
		}
	} else if ((job->flags & IDXD_OP_FLAG_RCR) || status != IAX_COMP_SUCCESS) {
		/* RCR asks for a record always; with CRAV alone one is written on error only. */
		if (cra & (IDXD_IAX_COMP_ALIGN - 1)) {
			iaa_swerr(job, IAX_COMP_CRA_ALIGN, false, cra);
			return IAX_COMP_CRA_ALIGN;
		}
		/* No partial completion to fall back on: page requests whenever the WQ can
		 * make them, BOF or not (as the DSA executor; unverified). */
		x->dma->block_on_fault = x->cfg->prs;
		if (sim_dma_write_record(x->dma, cra, &job->rec, sizeof(job->rec))) {
			iaa_swerr(job, IAX_COMP_CRA_XLAT, true, cra);
			return IAX_COMP_CRA_XLAT;
		}
	}
	if ((status & DSA_COMP_STATUS_MASK) == IAX_COMP_TRANSLATION_FAIL && !reported)
		iaa_swerr(job, status, status & DSA_COMP_STATUS_WRITE, job->rec.fault_addr);
	if ((job->flags & IDXD_OP_FLAG_RCI) && env && env->interrupt &&
	    status != IAX_COMP_INT_HANDLE_INVAL && !env->interrupt(env->arg, job->d->int_handle) &&
	    !env->int_handle_valid) {
		/* Without the check up front the core tells us now, the record written: log it. */
		iaa_swerr(job, IAX_COMP_INT_HANDLE_INVAL, false, 0);
	}
	return status;
}

uint8_t sim_iaa_exec(struct sim_exec *x, const struct iax_hw_desc *desc)
{
	struct iaa_job job;
	uint32_t w;
	uint8_t status;

	/* Idempotent and cheap after the first call; a fault must never reach an unarmed handler,
	 * whoever set up this engine. */
	sim_guard_init();
	memset(&job, 0, sizeof(job));
	job.x = x;
	job.st = x->state;
	job.d = desc;
	memcpy(&w, (const uint8_t *)desc + IDXD_DESC_OPFLAGS_WORD_OFF, sizeof(w));
	job.flags = w & IDXD_DESC_FLAGS_MASK;
	job.opcode = (uint8_t)(w >> IDXD_DESC_OPCODE_SHIFT);
	job.opflags = desc->compr_flags;
	job.src1 = desc->src1_addr;
	job.dst = desc->dst_addr;
	job.src2 = desc->src2_addr;
	job.src1_size = desc->src1_size;
	job.max_dst = desc->max_dst_size;
	job.src2_size = desc->src2_size;
	job.crc32c = job.flags & IDXD_OP_FLAG_CRC_RFC3720;
	x->dma->fault.kind = SIM_DMA_FAULT_NONE;

	status = iaa_validate(&job);
	if (!status) {
		x->dma->block_on_fault =
			(job.flags & IDXD_OP_FLAG_BOF) && x->cfg->wq_bof && x->cfg->prs;
		status = iaa_run(&job);
		if (status == IAX_COMP_SUCCESS && job.opcode != IAX_OPCODE_NOOP &&
		    job.opcode != IAX_OPCODE_DRAIN)
			x->bytes += job.src1_size;
	}
	x->descs++;
	return iaa_complete(&job, status);
}
