// SPDX-License-Identifier: MIT
/*
 * DSA operations for the job engine: how each one is cut into descriptors, what its
 * completion record means, how it resumes after a partial completion (dsa-iaa-device.md §4's
 * table), and its CPU implementation.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <string.h>

#include "enqcmd/enq_desc.h"
#include "runtime/rt_cpu.h"

#define DSA_ST(s) ((s)&DSA_COMP_STATUS_MASK)

/* Bytes for the next descriptor: what is left, capped by the WQ (xfer_size is 32 bits). */
static uint32_t dsa_chunk(const struct svart_job *job, const struct rt_wq *wq, uint64_t align)
{
	uint64_t left = job->a.len - job->off;
	uint64_t max = wq->max_xfer < UINT32_MAX ? wq->max_xfer : UINT32_MAX;

	if (left > max)
		left = max - max % align;
	return (uint32_t)left;
}

static bool dsa_pending(const struct svart_job *job)
{
	return job->off < job->a.len;
}

/* A partial completion: record where, and how far the descriptor got. */
static enum rt_step dsa_partial(struct svart_job *job, uint8_t status)
{
	job->fault_addr = job->cr.dsa.fault_addr;
	job->fault_write = status & DSA_COMP_STATUS_WRITE;
	return RT_STEP_FAULT;
}

static bool dsa_is_fault(uint8_t status)
{
	uint8_t s = DSA_ST(status);

	return s == DSA_COMP_PAGE_FAULT_NOBOF || s == DSA_COMP_PAGE_FAULT_IR;
}

enum rt_step rt_job_dev_error(struct svart_job *job, uint8_t status)
{
	rt_log(RT_LOG_DEBUG, "%s on %s: status %#x (%s), finishing on the CPU", job->op->name,
	       job->wq ? job->wq->name : "?", status,
	       svart_strerror(rt_dev_status_error(job->op->unit, status)));
	job->res.status = rt_dev_status_error(job->op->unit, status);
	return RT_STEP_CPU;
}

static uint32_t dsa_flags(const struct svart_job *job)
{
	(void)job;
	return 0;
}

/*
 * The completion of ops whose progress is bytes_completed from the chunk's start: success
 * advances by the chunk, a partial completion by what the device did (for a descending
 * MEMMOVE the chunk was cut from the end and the device did its last bytes: the same count).
 */
static enum rt_step simple_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	if (DSA_ST(status) == DSA_COMP_SUCCESS) {
		job->off += job->chunk;
		return RT_STEP_NEXT;
	}
	if (dsa_is_fault(status)) {
		job->off += job->cr.dsa.bytes_completed;
		return dsa_partial(job, status);
	}
	return rt_job_dev_error(job, status);
}

/* ---- MEMMOVE ------------------------------------------------------------------------------ */

static bool ranges_overlap(uintptr_t a, uintptr_t b, size_t n)
{
	return a < b + n && b < a + n;
}

static int memmove_prep(struct svart_job *job, struct rt_wq *wq)
{
	const struct rt_args *a = &job->a;
	uintptr_t dst = (uintptr_t)a->dst, src = (uintptr_t)a->src;
	uint32_t n;

	if (ranges_overlap(dst, src, a->len)) {
		/*
		 * Chunks of an overlapping move must run in the direction memmove would, and only
		 * a device with overlap_copy takes them. Descending: chunks from the end.
		 */
		if (!wq->overlap_copy)
			return -EOPNOTSUPP;
		n = dsa_chunk(job, wq, 1);
		job->chunk = n;
		if (dst > src) {
			uint64_t at = a->len - job->off - n;

			enq_prep_memmove(&job->desc.dsa, dst + at, src + at, n, dsa_flags(job),
					 &job->cr.dsa);
			return 0;
		}
	}
	n = dsa_chunk(job, wq, 1);
	job->chunk = n;
	enq_prep_memmove(&job->desc.dsa, dst + job->off, src + job->off, n, dsa_flags(job),
			 &job->cr.dsa);
	return 0;
}

static void memmove_cpu(struct svart_job *job)
{
	const struct rt_args *a = &job->a;

	/* Whatever the device did is consistent with a restart: memmove is idempotent unless
	 * the buffers overlap, and overlapping moves never reach the device without
	 * overlap_copy; with it, redo only what is left. */
	if (ranges_overlap((uintptr_t)a->dst, (uintptr_t)a->src, a->len) && a->dst > a->src)
		rt_cpu_memmove(a->dst, a->src, a->len - job->off);
	else
		rt_cpu_memmove((char *)a->dst + job->off, (const char *)a->src + job->off,
			       a->len - job->off);
	job->off = a->len;
	job->res.status = 0;
}

static const struct rt_op op_memmove = {
	.name = "memmove",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_MEMMOVE,
	.prep = memmove_prep,
	.complete = simple_complete,
	.cpu = memmove_cpu,
	.pending = dsa_pending,
};

/* ---- MEMFILL ------------------------------------------------------------------------------ */

/* The pattern as seen from byte @off: MEMFILL counts pattern bytes from each descriptor's dst. */
static uint64_t pattern_at(uint64_t pattern, uint64_t off)
{
	unsigned int r = (off % 8) * 8;

	return r ? (pattern >> r) | (pattern << (64 - r)) : pattern;
}

static int memfill_prep(struct svart_job *job, struct rt_wq *wq)
{
	/* Chunks stay multiples of 8 so the pattern phase only moves with partial progress. */
	uint32_t n = dsa_chunk(job, wq, 8);

	job->chunk = n;
	enq_prep_memfill(&job->desc.dsa, (uintptr_t)job->a.dst + job->off,
			 pattern_at(job->a.pattern, job->off), n, dsa_flags(job), &job->cr.dsa);
	return 0;
}

static void memfill_cpu(struct svart_job *job)
{
	rt_cpu_memfill((char *)job->a.dst + job->off, pattern_at(job->a.pattern, job->off),
		       job->a.len - job->off);
	job->off = job->a.len;
	job->res.status = 0;
}

static const struct rt_op op_memfill = {
	.name = "memfill",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_MEMFILL,
	.prep = memfill_prep,
	.complete = simple_complete,
	.cpu = memfill_cpu,
	.pending = dsa_pending,
};

/* ---- COMPARE ------------------------------------------------------------------------------ */

static int memcmp_prep(struct svart_job *job, struct rt_wq *wq)
{
	uint32_t n = dsa_chunk(job, wq, 1);

	job->chunk = n;
	enq_prep_compare(&job->desc.dsa, (uintptr_t)job->a.src + job->off,
			 (uintptr_t)job->a.src2 + job->off, n, dsa_flags(job), &job->cr.dsa);
	return 0;
}

static enum rt_step memcmp_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	if (DSA_ST(status) == DSA_COMP_SUCCESS) {
		if (job->cr.dsa.result) {
			job->res.result = 1;
			job->res.value = job->off + job->cr.dsa.bytes_completed;
			job->res.status = 0;
			job->off = job->a.len;
			return RT_STEP_DONE;
		}
		job->off += job->chunk;
		job->res.value = job->a.len;
		return RT_STEP_NEXT;
	}
	if (dsa_is_fault(status)) {
		job->off += job->cr.dsa.bytes_completed;
		return dsa_partial(job, status);
	}
	return rt_job_dev_error(job, status);
}

static void memcmp_cpu(struct svart_job *job)
{
	size_t mis;
	int r = rt_cpu_memcmp((const char *)job->a.src + job->off,
			      (const char *)job->a.src2 + job->off, job->a.len - job->off, &mis);

	job->res.result = r ? 1 : 0;
	job->res.value = r ? job->off + mis : job->a.len;
	job->off = job->a.len;
	job->res.status = 0;
}

static const struct rt_op op_memcmp = {
	.name = "memcmp",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_COMPARE,
	.prep = memcmp_prep,
	.complete = memcmp_complete,
	.cpu = memcmp_cpu,
	.pending = dsa_pending,
};

/* ---- CRCGEN / COPY_CRC -------------------------------------------------------------------- */

static int crc_prep(struct svart_job *job, struct rt_wq *wq)
{
	uint32_t n = dsa_chunk(job, wq, 1);

	job->chunk = n;
	if (job->op_id == RT_OP_COPY_CRC32C)
		enq_prep_copy_crc(&job->desc.dsa, (uintptr_t)job->a.dst + job->off,
				  (uintptr_t)job->a.src + job->off, n, job->crc, dsa_flags(job),
				  &job->cr.dsa);
	else
		enq_prep_crcgen(&job->desc.dsa, (uintptr_t)job->a.src + job->off, n, job->crc,
				dsa_flags(job), &job->cr.dsa);
	return 0;
}

static enum rt_step crc_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	if (DSA_ST(status) == DSA_COMP_SUCCESS) {
		job->crc = (uint32_t)job->cr.dsa.crc_val;
		job->off += job->chunk;
		job->res.value = job->crc;
		return RT_STEP_NEXT;
	}
	if (dsa_is_fault(status)) {
		/* crc_val holds the CRC of the bytes completed: the seed to resume with. */
		job->crc = (uint32_t)job->cr.dsa.crc_val;
		job->off += job->cr.dsa.bytes_completed;
		return dsa_partial(job, status);
	}
	return rt_job_dev_error(job, status);
}

static void crc_cpu(struct svart_job *job)
{
	const char *src = (const char *)job->a.src + job->off;
	size_t n = job->a.len - job->off;

	if (job->op_id == RT_OP_COPY_CRC32C)
		memcpy((char *)job->a.dst + job->off, src, n);
	job->crc = rt_cpu_crc32c(job->crc, src, n);
	job->off = job->a.len;
	job->res.value = job->crc;
	job->res.status = 0;
}

static const struct rt_op op_crc32c = {
	.name = "crc32c",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_CRCGEN,
	.prep = crc_prep,
	.complete = crc_complete,
	.cpu = crc_cpu,
	.pending = dsa_pending,
};

static const struct rt_op op_copy_crc32c = {
	.name = "copy_crc32c",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_COPY_CRC,
	.prep = crc_prep,
	.complete = crc_complete,
	.cpu = crc_cpu,
	.pending = dsa_pending,
};

/* ---- DUALCAST ----------------------------------------------------------------------------- */

static int dualcast_prep(struct svart_job *job, struct rt_wq *wq)
{
	uintptr_t d1 = (uintptr_t)job->a.dst, d2 = (uintptr_t)job->a.dst2;
	uint32_t n;

	/* The device needs dst1[11:0] == dst2[11:0] (else DCAST_ERR): others go to the CPU. */
	if ((d1 ^ d2) & IDXD_DUALCAST_ADDR_MATCH_MASK)
		return -EOPNOTSUPP;
	n = dsa_chunk(job, wq, 1);
	job->chunk = n;
	enq_prep_dualcast(&job->desc.dsa, d1 + job->off, d2 + job->off,
			  (uintptr_t)job->a.src + job->off, n, dsa_flags(job), &job->cr.dsa);
	return 0;
}

static void dualcast_cpu(struct svart_job *job)
{
	size_t n = job->a.len - job->off;
	const char *src = (const char *)job->a.src + job->off;

	memcpy((char *)job->a.dst + job->off, src, n);
	memcpy((char *)job->a.dst2 + job->off, src, n);
	job->off = job->a.len;
	job->res.status = 0;
}

static const struct rt_op op_dualcast = {
	.name = "dualcast",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_DUALCAST,
	.prep = dualcast_prep,
	.complete = simple_complete,
	.cpu = dualcast_cpu,
	.pending = dsa_pending,
};

/* ---- CR_DELTA / AP_DELTA ------------------------------------------------------------------ */

static int delta_create_prep(struct svart_job *job, struct rt_wq *wq)
{
	size_t max = job->a.dst_len - job->a.dst_len % IDXD_DELTA_ENTRY_SIZE;

	/* One descriptor covers the whole record: its u16 word indices start at src. */
	if (job->a.len > wq->max_xfer || job->a.len > IDXD_DELTA_MAX_XFER ||
	    max < IDXD_DELTA_MIN_MAX_SIZE || max > UINT32_MAX)
		return -EOPNOTSUPP;
	job->chunk = job->a.len;
	enq_prep_cr_delta(&job->desc.dsa, (uintptr_t)job->a.src, (uintptr_t)job->a.src2,
			  (uint32_t)job->a.len, (uintptr_t)job->a.dst, (uint32_t)max,
			  dsa_flags(job), &job->cr.dsa);
	return 0;
}

static enum rt_step delta_create_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	if (DSA_ST(status) == DSA_COMP_SUCCESS) {
		if (job->cr.dsa.result == IDXD_DELTA_RES_OVERFLOW) {
			/* The record would not fit in delta_max. */
			job->res.status = -ENOSPC;
			job->res.value = 0;
			return RT_STEP_ERROR;
		}
		job->res.value = job->cr.dsa.delta_rec_size;
		job->off = job->a.len;
		return RT_STEP_NEXT;
	}
	if (dsa_is_fault(status)) {
		/*
		 * Resuming would make later entries relative to the resumed source: restart the
		 * whole record instead (the inputs are only read, the record rewritten).
		 */
		job->off = 0;
		return dsa_partial(job, status);
	}
	return rt_job_dev_error(job, status);
}

static void delta_create_cpu(struct svart_job *job)
{
	/*
	 * The CPU kernel keeps the device's limits (capacity a multiple of 10, at least 80) and
	 * returns the CR_DELTA result (EQUAL/DELTAS/OVERFLOW): round the capacity down, build a
	 * small record in a bounce buffer, and turn the result into the API's 0 / -ENOSPC.
	 */
	uint64_t bounce[IDXD_DELTA_MIN_MAX_SIZE / 8];
	size_t max = job->a.dst_len - job->a.dst_len % IDXD_DELTA_ENTRY_SIZE, out = 0;
	bool small = max < IDXD_DELTA_MIN_MAX_SIZE;
	/* A zero length is a valid empty record for the API, an error for the kernel. */
	int ret = !job->a.len ? 0 :
				rt_cpu_delta_create(job->a.src, job->a.src2, job->a.len,
						    small ? (void *)bounce : job->a.dst,
						    small ? sizeof(bounce) : max, &out);

	if (ret == IDXD_DELTA_RES_OVERFLOW || (ret >= 0 && out > max))
		ret = -ENOSPC;
	else if (ret > 0)
		ret = 0;
	if (!ret && small && out)
		memcpy(job->a.dst, bounce, out);
	job->res.status = ret;
	job->res.value = ret ? 0 : out;
	job->off = job->a.len;
}

static const struct rt_op op_delta_create = {
	.name = "delta_create",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_CR_DELTA,
	.prep = delta_create_prep,
	.complete = delta_create_complete,
	.cpu = delta_create_cpu,
	.pending = dsa_pending,
};

/* Progress of AP_DELTA counts delta-record bytes (job->out_off), not destination bytes. */
static bool delta_apply_pending(const struct svart_job *job)
{
	return job->out_off < job->a.dst_len;
}

static int delta_apply_prep(struct svart_job *job, struct rt_wq *wq)
{
	if (job->a.len > wq->max_xfer || job->a.len > IDXD_DELTA_MAX_XFER)
		return -EOPNOTSUPP;
	enq_prep_ap_delta(&job->desc.dsa, (uintptr_t)job->a.dst, (uint32_t)job->a.len,
			  (uintptr_t)job->a.src + job->out_off,
			  (uint32_t)(job->a.dst_len - job->out_off), dsa_flags(job), &job->cr.dsa);
	return 0;
}

static enum rt_step delta_apply_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	uint8_t s = DSA_ST(status);

	if (s == DSA_COMP_SUCCESS) {
		job->out_off = job->a.dst_len;
		job->off = job->a.len;
		return RT_STEP_NEXT;
	}
	if (dsa_is_fault(status)) {
		job->out_off += job->cr.dsa.bytes_completed;
		return dsa_partial(job, status);
	}
	if (s == DSA_COMP_DR_OFFSET_NOINC || s == DSA_COMP_DR_OFFSET_ERANGE ||
	    s == DSA_COMP_DR_ERANGE) {
		job->res.status = -EINVAL; /* a malformed record */
		return RT_STEP_ERROR;
	}
	return rt_job_dev_error(job, status);
}

static void delta_apply_cpu(struct svart_job *job)
{
	job->res.status =
		rt_cpu_delta_apply(job->a.dst, job->a.len, (const char *)job->a.src + job->out_off,
				   job->a.dst_len - job->out_off);
	job->out_off = job->a.dst_len;
	job->off = job->a.len;
}

static const struct rt_op op_delta_apply = {
	.name = "delta_apply",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_AP_DELTA,
	.prep = delta_apply_prep,
	.complete = delta_apply_complete,
	.cpu = delta_apply_cpu,
	.pending = delta_apply_pending,
};

/* ---- DIF ---------------------------------------------------------------------------------- */

static uint8_t dif_blk_flags(uint32_t bs)
{
	switch (bs) {
	case 512:
		return IDXD_DIF_F_BLKSZ_512;
	case 520:
		return IDXD_DIF_F_BLKSZ_520;
	case 4096:
		return IDXD_DIF_F_BLKSZ_4096;
	default:
		return IDXD_DIF_F_BLKSZ_4104;
	}
}

static uint8_t dif_src_flags(const struct svart_dif *d)
{
	uint8_t f = 0;

	if (d->flags & SVART_DIF_REF_FIXED)
		f |= IDXD_DIF_SRC_F_REF_FIXED;
	if (d->flags & SVART_DIF_APP_INC)
		f |= IDXD_DIF_SRC_F_APP_INCREMENT;
	if (d->flags & SVART_DIF_NO_GUARD_CHECK)
		f |= IDXD_DIF_SRC_F_GUARD_CHECK_DIS;
	if (d->flags & SVART_DIF_NO_REF_CHECK)
		f |= IDXD_DIF_SRC_F_REF_CHECK_DIS;
	if (d->flags & SVART_DIF_SKIP_APP_FFFF)
		f |= IDXD_DIF_SRC_F_APP_F_SKIP;
	if (d->flags & SVART_DIF_SKIP_ALL_F)
		f |= IDXD_DIF_SRC_F_APP_REF_F_SKIP;
	return f;
}

static uint8_t dif_dst_flags(const struct svart_dif *d)
{
	uint8_t f = 0;

	if (d->flags & SVART_DIF_REF_FIXED)
		f |= IDXD_DIF_DST_F_REF_FIXED;
	if (d->flags & SVART_DIF_APP_INC)
		f |= IDXD_DIF_DST_F_APP_INCREMENT;
	return f;
}

/* The tags of block @blk, as the device would compute them from the first block's. */
static struct enq_dif_tags dif_tags_at(const struct svart_dif *d, uint64_t blk)
{
	struct enq_dif_tags t = {
		.ref_seed = d->ref_tag,
		.app_mask = d->app_mask,
		.app_seed = d->app_tag,
	};

	if (!(d->flags & SVART_DIF_REF_FIXED))
		t.ref_seed += (uint32_t)blk;
	if (d->flags & SVART_DIF_APP_INC)
		t.app_seed += (uint16_t)blk;
	return t;
}

/* Source bytes per block: data only for INSERT, data + tuple for the others. */
static uint32_t dif_src_block(const struct svart_job *job)
{
	uint32_t bs = job->a.dif.block_size;

	return job->op_id == RT_OP_DIF_INSERT ? bs : bs + IDXD_DIF_TUPLE_SIZE;
}

static uint32_t dif_dst_block(const struct svart_job *job)
{
	uint32_t bs = job->a.dif.block_size;

	return job->op_id == RT_OP_DIF_STRIP ? bs : bs + IDXD_DIF_TUPLE_SIZE;
}

static int dif_prep(struct svart_job *job, struct rt_wq *wq)
{
	const struct rt_args *a = &job->a;
	uint32_t sb = dif_src_block(job), db = dif_dst_block(job);
	uint64_t blk = job->off / sb;
	uint32_t n = dsa_chunk(job, wq, sb);
	uint64_t src = (uintptr_t)a->src + job->off, dst = (uintptr_t)a->dst + blk * db;
	uint8_t bf = dif_blk_flags(a->dif.block_size);
	struct enq_dif_tags in = dif_tags_at(&a->dif, blk), out;

	if (n < sb)
		return -EOPNOTSUPP; /* the WQ's max transfer is below one block */
	job->chunk = n;
	switch (job->op_id) {
	case RT_OP_DIF_CHECK:
		enq_prep_dif_check(&job->desc.dsa, src, n, dif_src_flags(&a->dif), bf, &in,
				   dsa_flags(job), &job->cr.dsa);
		break;
	case RT_OP_DIF_STRIP:
		enq_prep_dif_strip(&job->desc.dsa, dst, src, n, dif_src_flags(&a->dif), bf, &in,
				   dsa_flags(job), &job->cr.dsa);
		break;
	case RT_OP_DIF_INSERT:
		enq_prep_dif_insert(&job->desc.dsa, dst, src, n, dif_dst_flags(&a->dif), bf, &in,
				    dsa_flags(job), &job->cr.dsa);
		break;
	default:
		out = dif_tags_at(&a->dif_out, blk);
		enq_prep_dif_update(&job->desc.dsa, dst, src, n, dif_src_flags(&a->dif),
				    dif_dst_flags(&a->dif_out), bf, &in, &out, dsa_flags(job),
				    &job->cr.dsa);
		break;
	}
	return 0;
}

static enum rt_step dif_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	uint32_t sb = dif_src_block(job);
	uint8_t s = DSA_ST(status);

	if (s == DSA_COMP_SUCCESS) {
		job->off += job->chunk;
		return RT_STEP_NEXT;
	}
	if (s == DSA_COMP_DIF_ERR) {
		/* bytes_completed: source bytes of the blocks that passed. */
		job->res.value = (job->off + job->cr.dsa.bytes_completed) / sb;
		job->res.result = job->cr.dsa.result; /* which check failed */
		job->res.status = -SVART_EDSA(DSA_COMP_DIF_ERR);
		return RT_STEP_ERROR;
	}
	if (dsa_is_fault(status)) {
		/* Resume at a block boundary: tags are recomputed from the block index. */
		job->off += job->cr.dsa.bytes_completed - job->cr.dsa.bytes_completed % sb;
		return dsa_partial(job, status);
	}
	return rt_job_dev_error(job, status);
}

static void dif_cpu(struct svart_job *job)
{
	const struct rt_args *a = &job->a;
	uint32_t sb = dif_src_block(job), db = dif_dst_block(job);
	uint64_t blk = job->off / sb;
	struct enq_dif_tags in = dif_tags_at(&a->dif, blk), out = dif_tags_at(&a->dif_out, blk);
	struct rt_cpu_dif d = {
		.dif_flags = dif_blk_flags(a->dif.block_size),
		.src_ref_tag = in.ref_seed,
		.src_app_tag = in.app_seed,
		.src_app_mask = in.app_mask,
	};
	struct rt_cpu_dif_result r = { 0 };
	const char *src = (const char *)a->src + job->off;
	char *dst = a->dst ? (char *)a->dst + blk * db : NULL;
	size_t n = a->len - job->off;
	int ret;

	switch (job->op_id) {
	case RT_OP_DIF_CHECK:
		d.src_flags = dif_src_flags(&a->dif);
		ret = rt_cpu_dif_check(src, n, &d, &r);
		break;
	case RT_OP_DIF_STRIP:
		d.src_flags = dif_src_flags(&a->dif);
		ret = rt_cpu_dif_strip(dst, src, n, &d, &r);
		break;
	case RT_OP_DIF_INSERT:
		/* Insert takes the destination set: the tags to write. */
		d.dst_flags = dif_dst_flags(&a->dif);
		d.dst_ref_tag = in.ref_seed;
		d.dst_app_tag = in.app_seed;
		d.dst_app_mask = in.app_mask;
		ret = rt_cpu_dif_insert(dst, src, n, &d, &r);
		break;
	default:
		d.src_flags = dif_src_flags(&a->dif);
		d.dst_flags = dif_dst_flags(&a->dif_out);
		d.dst_ref_tag = out.ref_seed;
		d.dst_app_tag = out.app_seed;
		d.dst_app_mask = out.app_mask;
		ret = rt_cpu_dif_update(dst, src, n, &d, &r);
		break;
	}
	if (ret == -SVART_EDSA(DSA_COMP_DIF_ERR)) {
		job->res.value = blk + r.bytes_completed / sb;
		job->res.result = r.dif_status;
	}
	job->res.status = ret;
	if (!ret)
		job->off = a->len;
}

#define DIF_OP(id, nm, opc)                   \
	static const struct rt_op op_##id = { \
		.name = nm,                   \
		.unit = RT_UNIT_DSA,          \
		.opcode = opc,                \
		.prep = dif_prep,             \
		.complete = dif_complete,     \
		.cpu = dif_cpu,               \
		.pending = dsa_pending,       \
	}

DIF_OP(dif_check, "dif_check", DSA_OPCODE_DIF_CHECK);
DIF_OP(dif_strip, "dif_strip", DSA_OPCODE_DIF_STRP);
DIF_OP(dif_insert, "dif_insert", DSA_OPCODE_DIF_INS);
DIF_OP(dif_update, "dif_update", DSA_OPCODE_DIF_UPDT);

/* ---- CFLUSH ------------------------------------------------------------------------------- */

static int cflush_prep(struct svart_job *job, struct rt_wq *wq)
{
	uint32_t n = dsa_chunk(job, wq, 64);

	job->chunk = n;
	enq_prep_cflush(&job->desc.dsa, (uintptr_t)job->a.dst + job->off, n,
			(job->a.flags & SVART_FLUSH_KEEP) ? IDXD_OP_FLAG_CC : 0, &job->cr.dsa);
	return 0;
}

static void cflush_cpu(struct svart_job *job)
{
	/*
	 * CLFLUSH writes back and invalidates; "keep" (CC=1) would be CLWB, which not every
	 * CPU has: flushing is the conservative superset (the data is the same either way).
	 */
	for (uintptr_t p = ((uintptr_t)job->a.dst + job->off) & ~(uintptr_t)63;
	     p < (uintptr_t)job->a.dst + job->a.len; p += 64)
		__builtin_ia32_clflush((const void *)p);
	__builtin_ia32_mfence();
	job->off = job->a.len;
	job->res.status = 0;
}

static const struct rt_op op_cache_flush = {
	.name = "cache_flush",
	.unit = RT_UNIT_DSA,
	.opcode = DSA_OPCODE_CFLUSH,
	.prep = cflush_prep,
	.complete = simple_complete,
	.cpu = cflush_cpu,
	.pending = dsa_pending,
};

const struct rt_op *const rt_ops_dsa[RT_OP_NR] = {
	[RT_OP_MEMMOVE] = &op_memmove,
	[RT_OP_MEMFILL] = &op_memfill,
	[RT_OP_MEMCMP] = &op_memcmp,
	[RT_OP_CRC32C] = &op_crc32c,
	[RT_OP_COPY_CRC32C] = &op_copy_crc32c,
	[RT_OP_DUALCAST] = &op_dualcast,
	[RT_OP_DELTA_CREATE] = &op_delta_create,
	[RT_OP_DELTA_APPLY] = &op_delta_apply,
	[RT_OP_DIF_INSERT] = &op_dif_insert,
	[RT_OP_DIF_CHECK] = &op_dif_check,
	[RT_OP_DIF_STRIP] = &op_dif_strip,
	[RT_OP_DIF_UPDATE] = &op_dif_update,
	[RT_OP_CACHE_FLUSH] = &op_cache_flush,
};
