// SPDX-License-Identifier: MIT
/*
 * IAA operations for the job engine: CRC64 here; COMPRESS and DECOMPRESS (framing, AECS,
 * two-pass dynamic Huffman) in rt_op_deflate.c.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <string.h>

#include "enqcmd/enq_desc.h"
#include "runtime/rt_cpu.h"

#define IAA_ST(s) ((s)&DSA_COMP_STATUS_MASK)

static bool iaa_pending(const struct svart_job *job)
{
	return job->off < job->a.len;
}

static uint16_t crc64_flags(unsigned int f)
{
	return (f & SVART_CRC64_REFLECT ? RT_CPU_CRC64_REFLECT : 0) |
	       (f & SVART_CRC64_INVERT ? RT_CPU_CRC64_INVERT : 0);
}

static int crc64_prep(struct svart_job *job, struct rt_wq *wq)
{
	/* CRC64 has no seed: one descriptor must cover the input. */
	if (job->a.len > wq->max_xfer || job->a.len > UINT32_MAX)
		return -EOPNOTSUPP;
	job->chunk = job->a.len;
	enq_iax_prep_crc64(&job->desc.iax, (uintptr_t)job->a.src, (uint32_t)job->a.len,
			   job->a.pattern, crc64_flags(job->a.flags), 0, &job->cr.iax);
	return 0;
}

static enum rt_step crc64_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	uint8_t s = IAA_ST(status);

	if (s == IAX_COMP_SUCCESS) {
		uint64_t v;

		memcpy(&v, job->cr.raw + IDXD_IAX_COMP_CRC64_OFF, sizeof(v));
		job->res.value = v;
		job->off = job->a.len;
		return RT_STEP_NEXT;
	}
	if (s == IDXD_IAX_COMP_PAGE_FAULT_NOBOF) {
		/* IAA makes no partial progress: fault in and resubmit the whole descriptor. */
		job->fault_addr = job->cr.iax.fault_addr;
		job->fault_write = status & DSA_COMP_STATUS_WRITE;
		return RT_STEP_FAULT;
	}
	return rt_job_dev_error(job, status);
}

static void crc64_cpu(struct svart_job *job)
{
	uint64_t v = 0;

	job->res.status =
		rt_cpu_crc64(job->a.pattern, crc64_flags(job->a.flags), job->a.src, job->a.len, &v);
	job->res.value = v;
	job->off = job->a.len;
}

static const struct rt_op op_crc64 = {
	.name = "crc64",
	.unit = RT_UNIT_IAA,
	.opcode = IAX_OPCODE_CRC64,
	.prep = crc64_prep,
	.complete = crc64_complete,
	.cpu = crc64_cpu,
	.pending = iaa_pending,
};

extern const struct rt_op rt_op_compress, rt_op_decompress;

const struct rt_op *const rt_ops_iaa[RT_OP_NR] = {
	[RT_OP_CRC64] = &op_crc64,
	[RT_OP_COMPRESS] = &rt_op_compress,
	[RT_OP_DECOMPRESS] = &rt_op_decompress,
};
