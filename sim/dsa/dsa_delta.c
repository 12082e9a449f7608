// SPDX-License-Identifier: MIT
/*
 * DSA CR_DELTA (create a delta record) and AP_DELTA (apply one).
 *
 * A delta record is a list of 10-byte entries: the little-endian u16 index of an 8-byte word
 * (its byte offset / 8), then the 8 bytes of that word from the second source. Transfers are at
 * most 0x80000 bytes, so an index always fits.
 *
 * Both work through small local buffers instead of host runs: these operations are bounded in
 * size, and copying lets the record's entries be checked and written in whole units, which is
 * what makes bytes_completed and delta_rec_size exact for resubmission after a fault.
 */
#include "sim/dsa/dsa_priv.h"

#include <string.h>

/* Source bytes compared per step; entries buffered before they are written. */
#define DELTA_CHUNK 2048u
#define DELTA_BATCH 64u

struct delta_out {
	uint64_t addr; /* delta_addr */
	uint32_t written; /* bytes of record written so far */
	uint32_t nbuf; /* buffered entries */
	uint8_t buf[DELTA_BATCH * IDXD_DELTA_ENTRY_SIZE];
	uint64_t off[DELTA_BATCH]; /* source offset of each buffered entry */
};

/*
 * Write the buffered entries. On a fault, *@resume is the source offset of the first entry not
 * completely written (everything before it is either equal or in the record) and out->written
 * counts only whole entries.
 */
static int delta_flush(struct sim_dsa_op *op, struct delta_out *o, uint64_t *resume)
{
	uint64_t done;
	int ret;

	if (!o->nbuf)
		return 0;
	ret = sim_dma_write(op->dma, o->addr + o->written, o->buf,
			    (uint64_t)o->nbuf * IDXD_DELTA_ENTRY_SIZE, &done);
	if (ret) {
		uint32_t whole = (uint32_t)(done / IDXD_DELTA_ENTRY_SIZE);

		o->written += whole * IDXD_DELTA_ENTRY_SIZE;
		*resume = o->off[whole];
		return ret;
	}
	o->written += o->nbuf * IDXD_DELTA_ENTRY_SIZE;
	o->nbuf = 0;
	return 0;
}

uint8_t sim_dsa_cr_delta(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint64_t n = d->xfer_size, pos = 0, resume = 0;
	uint8_t a[DELTA_CHUNK], b[DELTA_CHUNK];
	struct delta_out o = { .addr = d->delta_addr };
	uint32_t max = d->max_delta_size;
	uint8_t result = IDXD_DELTA_RES_EQUAL, st;
	struct sim_dma_fault rfault;
	bool rfaulted = false;

	while (pos < n && !rfaulted) {
		uint64_t k = n - pos < DELTA_CHUNK ? n - pos : DELTA_CHUNK, got;

		/* A fault in either source shortens the chunk to what both delivered; the
		 * second source is read only as far as the first went, so the fault kept is
		 * the lower one. */
		if (sim_dma_read(op->dma, a, d->src_addr + pos, k, &got)) {
			rfault = op->dma->fault;
			rfaulted = true;
			k = got;
		}
		if (k && sim_dma_read(op->dma, b, d->src2_addr + pos, k, &got)) {
			rfault = op->dma->fault;
			rfaulted = true;
			k = got;
		}
		k -= k % IDXD_DELTA_WORD_SIZE;
		for (uint64_t i = 0; i < k; i += IDXD_DELTA_WORD_SIZE) {
			uint8_t *e;

			if (!memcmp(a + i, b + i, IDXD_DELTA_WORD_SIZE))
				continue;
			if (o.written + (o.nbuf + 1) * IDXD_DELTA_ENTRY_SIZE > max) {
				/* Overflow: the record holds what fitted; processing stops at
				 * the word that did not. */
				if (delta_flush(op, &o, &resume))
					goto write_fault;
				result = IDXD_DELTA_RES_OVERFLOW;
				op->rec.bytes_completed = (uint32_t)(pos + i);
				op->bytes = pos + i;
				goto done;
			}
			if (o.nbuf == DELTA_BATCH && delta_flush(op, &o, &resume))
				goto write_fault;
			e = o.buf + o.nbuf * IDXD_DELTA_ENTRY_SIZE;
			e[0] = (uint8_t)((pos + i) / IDXD_DELTA_WORD_SIZE);
			e[1] = (uint8_t)((pos + i) / IDXD_DELTA_WORD_SIZE >> 8);
			memcpy(e + 2, b + i, IDXD_DELTA_WORD_SIZE);
			o.off[o.nbuf++] = pos + i;
			result = IDXD_DELTA_RES_DELTAS;
		}
		pos += k;
	}
	if (delta_flush(op, &o, &resume))
		goto write_fault;
	op->bytes = pos;
	if (rfaulted) {
		op->dma->fault = rfault;
		op->rec.result = result;
		op->rec.delta_rec_size = o.written;
		return sim_dsa_fault(op, pos);
	}
done:
	op->rec.result = result;
	op->rec.delta_rec_size = o.written;
	st = DSA_COMP_SUCCESS;
	if ((op->flags & IDXD_OP_FLAG_CR) && !(d->expected_res_mask & IDXD_DELTA_EXPECT(result)))
		st = DSA_COMP_SUCCESS_PRED;
	return st;

write_fault:
	op->rec.result = result;
	op->rec.delta_rec_size = o.written;
	op->bytes = resume;
	return sim_dsa_fault(op, resume);
}

uint8_t sim_dsa_ap_delta(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint8_t buf[DELTA_BATCH * IDXD_DELTA_ENTRY_SIZE];
	uint64_t rec = d->src_addr, dst = d->dst_addr, n = d->xfer_size;
	uint32_t size = d->delta_rec_size, pos = 0;
	int64_t last = -1;

	/* bytes_completed counts delta-record bytes: resume with the record advanced by it and
	 * the destination unchanged. */
	while (pos < size) {
		uint64_t k = size - pos < sizeof(buf) ? size - pos : sizeof(buf), got;
		bool rfaulted = false;

		if (sim_dma_read(op->dma, buf, rec + pos, k, &got)) {
			rfaulted = true;
			k = got;
		}
		k -= k % IDXD_DELTA_ENTRY_SIZE;
		for (uint64_t i = 0; i < k; i += IDXD_DELTA_ENTRY_SIZE) {
			uint64_t off = (uint64_t)(buf[i] | buf[i + 1] << 8) * IDXD_DELTA_WORD_SIZE;

			op->rec.bytes_completed = (uint32_t)(pos + i);
			if ((int64_t)off <= last)
				return DSA_COMP_DR_OFFSET_NOINC;
			if (off >= n)
				return DSA_COMP_DR_OFFSET_ERANGE;
			if (sim_dma_write(op->dma, dst + off, buf + i + 2, IDXD_DELTA_WORD_SIZE,
					  NULL)) {
				op->bytes = pos + i;
				return sim_dsa_fault(op, pos + i);
			}
			last = (int64_t)off;
		}
		pos += (uint32_t)k;
		if (rfaulted) {
			op->bytes = pos;
			return sim_dsa_fault(op, pos);
		}
	}
	op->rec.bytes_completed = 0;
	op->bytes = size;
	return DSA_COMP_SUCCESS;
}
