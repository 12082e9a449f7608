// SPDX-License-Identifier: MIT
/*
 * DSA data movement: MEMMOVE, MEMFILL, COMPARE, COMPVAL, DUALCAST, CFLUSH.
 *
 * Each works on whole host runs (sim_dsa_walk), so a copy of contiguous memory is one memmove
 * per run and runs near memcpy speed. Copies always use memmove: the sanitizers rightly flag a
 * memcpy whose operands overlap, and glibc's memmove costs the same when they do not.
 */
#include "sim/dsa/dsa_priv.h"

#include <errno.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
#endif

#include "sim/sim_guard.h"

/* Largest piece a descending copy moves with one memmove when both sides are contiguous. */
#define DSA_DESC_CHUNK (UINT64_C(2) << 20)
/* Pattern buffer for MEMFILL / COMPVAL: a multiple of both pattern sizes. */
#define DSA_PAT_BUF 4096u
#define CACHE_LINE 64u

/* ---- MEMMOVE ---- */

static int run_move(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	memmove(host[1], host[0], n);
	return 0;
}

struct move_piece {
	void *dst, *src;
	uint64_t n;
};

static void move_piece_fn(void *arg)
{
	struct move_piece *p = arg;

	memmove(p->dst, p->src, p->n);
}

/* Guarded memmove of one piece at offset @off; a vanished page becomes a GONE fault. */
static int move_guarded(struct sim_dsa_op *op, uint64_t src, uint64_t dst, void *shost, void *dhost,
			uint64_t n)
{
	struct move_piece p = { .dst = dhost, .src = shost, .n = n };
	struct sim_dma *dma = op->dma;
	uintptr_t at;

	if (!sim_guard_call(move_piece_fn, &p, &at))
		return 0;
	dma->fault.kind = SIM_DMA_FAULT_GONE;
	if (at >= (uintptr_t)dhost && at - (uintptr_t)dhost < n) {
		dma->fault.addr = dst + (at - (uintptr_t)dhost);
		dma->fault.write = true;
	} else {
		dma->fault.addr = src + (at >= (uintptr_t)shost && at - (uintptr_t)shost < n ?
						 at - (uintptr_t)shost :
						 0);
		dma->fault.write = false;
	}
	dma->faults++;
	return -EFAULT;
}

/*
 * Overlapping copy with dst above src: from the top down, so no source byte is overwritten
 * before it is read. Progress (bytes_completed) counts from the end: the rest is the same
 * descriptor with a smaller transfer size.
 *
 * A chunk whose both sides translate as one host run each is moved with one memmove. Otherwise
 * the chunk is done page by page from its top, translating each piece just before moving it,
 * so a translation fault is reported at the highest page that fails, with everything above it
 * done and nothing below it touched.
 */
static int move_descending(struct sim_dsa_op *op, uint64_t src, uint64_t dst, uint64_t len,
			   uint64_t *done)
{
	struct sim_dma *dma = op->dma;
	uint64_t end = len;
	int ret = 0;

	while (end) {
		uint64_t start = end > DSA_DESC_CHUNK ? end - DSA_DESC_CHUNK : 0;
		uint64_t srun, drun;
		void *sh, *dh;
		bool bof = dma->block_on_fault;

		/* The whole-chunk attempt makes no page requests: they would be made for the
		 * chunk's lowest page first, out of the device's order. */
		dma->block_on_fault = false;
		if (!sim_dma_run(dma, src + start, end - start, SIM_DMA_READ, &sh, &srun) &&
		    srun == end - start &&
		    !sim_dma_run(dma, dst + start, end - start, SIM_DMA_WRITE, &dh, &drun) &&
		    drun == end - start) {
			dma->block_on_fault = bof;
			ret = move_guarded(op, src + start, dst + start, sh, dh, end - start);
			if (ret)
				goto out;
			end = start;
			continue;
		}
		dma->block_on_fault = bof;
		while (end > start) {
			/* The piece below end that stays within one page of each side. */
			uint64_t ps = ((src + end - 1) & ~(uint64_t)(SIM_DSA_PAGE - 1)) - src;
			uint64_t pd = ((dst + end - 1) & ~(uint64_t)(SIM_DSA_PAGE - 1)) - dst;
			uint64_t p = start;

			/* Offsets below 0 wrap to huge values: those pages begin before the
			 * buffer, and start (>= 0) bounds the piece. */
			if (ps < end && ps > p)
				p = ps;
			if (pd < end && pd > p)
				p = pd;
			ret = sim_dma_run(dma, src + p, end - p, SIM_DMA_READ, &sh, &srun);
			if (!ret)
				ret = sim_dma_run(dma, dst + p, end - p, SIM_DMA_WRITE, &dh, &drun);
			/* A translation reaches at least the end of its 4 KiB page (sim_dma.h), so
			 * a piece is one run on each side; a backend breaking that gets a fault
			 * rather than a wrong copy. */
			if (!ret && (srun < end - p || drun < end - p)) {
				dma->fault.kind = SIM_DMA_FAULT_XLATE;
				dma->fault.write = srun == end - p;
				dma->fault.addr =
					dma->fault.write ? dst + p + drun : src + p + srun;
				dma->faults++;
				ret = -EFAULT;
			}
			if (!ret)
				ret = move_guarded(op, src + p, dst + p, sh, dh, end - p);
			if (ret)
				goto out;
			end = p;
		}
	}
out:
	*done = len - end;
	return ret;
}

uint8_t sim_dsa_memmove(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint64_t src = d->src_addr, dst = d->dst_addr, n = d->xfer_size, done;
	int ret;

	if (dst > src && sim_dsa_overlap(src, n, dst, n)) {
		op->rec.result = IDXD_MEMMOVE_RES_DESCENDING;
		ret = move_descending(op, src, dst, n, &done);
	} else {
		struct sim_dsa_stream s[2] = { { src, SIM_DMA_READ }, { dst, SIM_DMA_WRITE } };

		op->rec.result = IDXD_MEMMOVE_RES_ASCENDING;
		ret = sim_dsa_walk(op, s, 2, n, run_move, NULL, &done);
	}
	op->bytes = done;
	if (ret)
		return sim_dsa_fault(op, done);
	return DSA_COMP_SUCCESS;
}

/* ---- patterns (MEMFILL, COMPVAL) ---- */

struct pattern {
	uint8_t buf[DSA_PAT_BUF + 16];
	unsigned int size; /* 8 or 16 */
	bool uniform; /* every byte the same: memset / byte compare */
};

/* @lo and @hi as the little-endian bytes of the pattern; byte i of the buffer is byte
 * (i mod size) of the pattern, i counted from the start of the destination. */
static void pattern_init(struct pattern *p, uint64_t lo, uint64_t hi, unsigned int size,
			 uint64_t need, bool fill_only)
{
	uint8_t pat[16];
	uint64_t fill = need + size < sizeof(p->buf) ? need + size : sizeof(p->buf);

	for (unsigned int i = 0; i < 8; i++) {
		pat[i] = (uint8_t)(lo >> (8 * i));
		pat[8 + i] = (uint8_t)(hi >> (8 * i));
	}
	p->size = size;
	p->uniform = true;
	for (unsigned int i = 1; i < size; i++)
		if (pat[i] != pat[0])
			p->uniform = false;
	/*
	 * Doubling copies, not a byte loop: building 4 KiB one byte (and one division) at a time
	 * cost ~8 us per descriptor, more than the fill itself up to 64 KiB. A uniform MEMFILL
	 * only reads buf[0]; COMPVAL reads the buffer whatever the pattern.
	 */
	memcpy(p->buf, pat, size);
	if (fill_only && p->uniform)
		return;
	for (uint64_t have = size; have < fill; have *= 2)
		memcpy(p->buf + have, p->buf, fill - have < have ? fill - have : have);
}

static int run_fill(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	const struct pattern *p = ctx;
	uint8_t *dst = host[0];
	uint64_t phase = off % p->size;

	if (p->uniform) {
		memset(dst, p->buf[0], n);
		return 0;
	}
	while (n) {
		uint64_t k = n < DSA_PAT_BUF ? n : DSA_PAT_BUF;

		/* DSA_PAT_BUF is a multiple of the pattern size: the phase carries over. */
		memcpy(dst, p->buf + phase, k);
		dst += k;
		n -= k;
	}
	return 0;
}

uint8_t sim_dsa_memfill(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dsa_stream s = { d->dst_addr, SIM_DMA_WRITE };
	bool wide = op->flags & IDXD_FILL_F_16B;
	uint64_t hi = wide ? sim_dsa_le(d->op_specific, 8) : d->pattern;
	struct pattern p;
	uint64_t done;

	pattern_init(&p, d->pattern, hi, wide ? 16 : 8, d->xfer_size, true);
	if (sim_dsa_walk(op, &s, 1, d->xfer_size, run_fill, &p, &done)) {
		/* Whole patterns only, so resuming at dst + bytes_completed keeps the phase. */
		done -= done % p.size;
		op->bytes = done;
		return sim_dsa_fault(op, done);
	}
	op->bytes = done;
	return DSA_COMP_SUCCESS;
}

/* ---- COMPARE, COMPVAL ---- */

/* Offset of the first byte where @a and @b differ; @n if none. */
static uint64_t first_diff(const uint8_t *a, const uint8_t *b, uint64_t n)
{
	uint64_t i = 0;

	/* memcmp finds a differing block fast; the byte loop only runs inside one block. */
	while (i < n) {
		uint64_t k = n - i < 256 ? n - i : 256;

		if (memcmp(a + i, b + i, k)) {
			while (a[i] == b[i])
				i++;
			return i;
		}
		i += k;
	}
	return n;
}

struct cmp_ctx {
	uint64_t diff; /* offset of the first difference, set when the walk stops */
	const struct pattern *pat;
};

static int run_compare(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct cmp_ctx *c = ctx;
	uint64_t i = first_diff(host[0], host[1], n);

	if (i == n)
		return 0;
	c->diff = off + i;
	return 1;
}

static int run_compval(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct cmp_ctx *c = ctx;
	const struct pattern *p = c->pat;
	const uint8_t *src = host[0];
	uint64_t phase = off % p->size, i = 0;

	while (i < n) {
		uint64_t k = n - i < DSA_PAT_BUF ? n - i : DSA_PAT_BUF;
		uint64_t j = first_diff(src + i, p->buf + phase, k);

		if (j < k) {
			c->diff = off + i + j;
			return 1;
		}
		i += k;
	}
	return 0;
}

/* Result, offset and status of a finished compare; CR turns a mismatch with expectations
 * into SUCCESS_PRED. */
static uint8_t compare_done(struct sim_dsa_op *op, int ret, const struct cmp_ctx *c, uint64_t done)
{
	uint8_t result = ret > 0 ? IDXD_COMPARE_RES_DIFFERENT : IDXD_COMPARE_RES_EQUAL;

	op->rec.result = result;
	op->rec.bytes_completed = ret > 0 ? (uint32_t)c->diff : 0;
	op->bytes = ret > 0 ? c->diff : done;
	if ((op->flags & IDXD_OP_FLAG_CR) && result != op->desc->expected_res)
		return DSA_COMP_SUCCESS_PRED;
	return DSA_COMP_SUCCESS;
}

uint8_t sim_dsa_compare(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dsa_stream s[2] = { { d->src_addr, SIM_DMA_READ },
				       { d->src2_addr, SIM_DMA_READ } };
	struct cmp_ctx c = { 0 };
	uint64_t done;
	int ret;

	ret = sim_dsa_walk(op, s, 2, d->xfer_size, run_compare, &c, &done);
	if (ret < 0) {
		op->bytes = done;
		return sim_dsa_fault(op, done);
	}
	return compare_done(op, ret, &c, done);
}

uint8_t sim_dsa_compval(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dsa_stream s = { d->src_addr, SIM_DMA_READ };
	struct pattern p;
	struct cmp_ctx c = { .pat = &p };
	uint64_t done;
	int ret;

	pattern_init(&p, d->comp_pattern, d->comp_pattern, 8, d->xfer_size, false);
	ret = sim_dsa_walk(op, &s, 1, d->xfer_size, run_compval, &c, &done);
	if (ret < 0) {
		/* As MEMFILL: whole patterns, so src + bytes_completed keeps the phase. */
		done -= done % p.size;
		op->bytes = done;
		return sim_dsa_fault(op, done);
	}
	return compare_done(op, ret, &c, done);
}

/* ---- DUALCAST ---- */

static int run_dualcast(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	memmove(host[1], host[0], n);
	memmove(host[2], host[0], n);
	return 0;
}

uint8_t sim_dsa_dualcast(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dsa_stream s[3] = { { d->src_addr, SIM_DMA_READ },
				       { d->dst_addr, SIM_DMA_WRITE },
				       { d->dest2, SIM_DMA_WRITE } };
	uint64_t done;

	if (sim_dsa_walk(op, s, 3, d->xfer_size, run_dualcast, NULL, &done)) {
		op->bytes = done;
		return sim_dsa_fault(op, done);
	}
	op->bytes = done;
	return DSA_COMP_SUCCESS;
}

/* ---- CFLUSH ---- */

static int run_cflush(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	uintptr_t p = (uintptr_t)host[0] & ~(uintptr_t)(CACHE_LINE - 1);
	uintptr_t end = (uintptr_t)host[0] + n;

	/*
	 * CLFLUSH writes back and invalidates: it serves both CC settings (CC=1 asks only for
	 * the write-back; keeping the line is a performance property no program can observe).
	 */
	for (; p < end; p += CACHE_LINE)
		_mm_clflush((const void *)p);
#endif
	return 0;
}

uint8_t sim_dsa_cflush(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	/* A flush reads no data and writes none; like CLFLUSH it needs read access (unverified
	 * for the device). */
	struct sim_dsa_stream s = { d->dst_addr, SIM_DMA_READ };
	uint64_t done;

	if (sim_dsa_walk(op, &s, 1, d->xfer_size, run_cflush, NULL, &done)) {
		op->bytes = done;
		return sim_dsa_fault(op, done);
	}
	op->bytes = done;
	return DSA_COMP_SUCCESS;
}
