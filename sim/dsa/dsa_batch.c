// SPDX-License-Identifier: MIT
/*
 * DSA BATCH and DRAIN.
 *
 * BATCH fetches its list through the descriptor's address space one descriptor at a time and
 * runs each in order (one engine: in order is also what FENCE needs). Each listed descriptor
 * completes on its own (record, interrupt); the batch record then says how the whole went:
 *  - SUCCESS when every descriptor ended in SUCCESS (SUCCESS_PRED counts as a failure, which is
 *    what makes CR + FENCE a conditional);
 *  - BATCH_FAIL otherwise; result = 1 when a descriptor's own record could not be written;
 *  - a FENCE after a failure abandons that descriptor and the rest (not executed, no records):
 *    BATCH_FAIL with descs_completed = the fenced index;
 *  - a fault fetching the list: BATCH_PAGE_FAULT with descs_completed = the first unread
 *    index and fault_addr, so the rest can be resubmitted (list += 64 * n, count -= n).
 * descs_completed (bytes_completed's place) is the count on SUCCESS and BATCH_FAIL.
 *
 * DRAIN's ordering (earlier descriptors complete first) is the device core's; here it only
 * does the readbacks its flags ask for and completes.
 */
#include "sim/dsa/dsa_priv.h"

uint8_t sim_dsa_batch(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dma *dma = op->dma;
	uint32_t count = d->desc_count, i;
	bool failed = false, lost_record = false;

	for (i = 0; i < count; i++) {
		struct dsa_hw_desc sub;
		uint8_t st;

		/* The list has no partial completion of its own: fetch with page requests when
		 * the WQ can make them (a BATCH may not carry BOF). */
		dma->block_on_fault = op->cfg->prs;
		if (sim_dma_read(dma, &sub, d->desc_list_addr + (uint64_t)i * IDXD_DESC_SIZE,
				 sizeof(sub), NULL)) {
			st = sim_dsa_fault(op, i);
			op->rec.result = lost_record;
			if ((st & DSA_COMP_STATUS_MASK) == DSA_COMP_TRANSLATION_FAIL)
				return st;
			return DSA_COMP_BATCH_PAGE_FAULT;
		}
		if ((sub.flags & IDXD_OP_FLAG_FENCE) && failed)
			break;
		st = sim_dsa_exec_one(op->x, &sub, true, (uint16_t)i);
		if (st != DSA_COMP_SUCCESS)
			failed = true;
		if (st == DSA_COMP_CRA_XLAT || st == DSA_COMP_CRA_ALIGN)
			lost_record = true;
	}
	op->rec.bytes_completed = i;
	op->rec.result = lost_record;
	op->bytes = 0;
	return failed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS;
}

uint8_t sim_dsa_drain(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	uint64_t addr[2] = { d->rdback_addr, d->rdback_addr2 };
	uint32_t want[2] = { IDXD_DRAIN_F_RDBK_ADDR1, IDXD_DRAIN_F_RDBK_ADDR2 };

	op->dma->block_on_fault = op->cfg->prs;
	for (unsigned int i = 0; i < 2; i++) {
		uint8_t b;

		if (!(op->flags & want[i]))
			continue;
		/* A readback makes earlier writes visible at that address: one read does it. */
		if (sim_dma_read(op->dma, &b, addr[i], 1, NULL)) {
			op->rec.fault_addr = op->dma->fault.addr;
			return DSA_COMP_PFAULT_RDBA;
		}
	}
	return DSA_COMP_SUCCESS;
}
