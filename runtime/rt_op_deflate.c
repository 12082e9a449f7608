// SPDX-License-Identifier: MIT
/*
 * COMPRESS / DECOMPRESS for the job engine.
 *
 * This first version runs them on the CPU (ISA-L, rt_cpu_deflate.c) on every platform; the
 * IAA device path (AECS, fixed or two-pass dynamic Huffman, framing around the device's raw
 * deflate) plugs in through .prep/.complete.
 */
#include "runtime/rt_internal.h"

#include <errno.h>

#include "runtime/rt_cpu.h"

static bool deflate_pending(const struct svart_job *job)
{
	return job->off < job->a.len;
}

static enum rt_cpu_framing framing(unsigned int flags)
{
	switch (flags & SVART_COMP_FRAMING_MASK) {
	case SVART_COMP_ZLIB:
		return RT_CPU_ZLIB;
	case SVART_COMP_GZIP:
		return RT_CPU_GZIP;
	default:
		return RT_CPU_RAW;
	}
}

static void compress_cpu(struct svart_job *job)
{
	size_t out = 0;
	/* FIXED asks for speed: ISA-L's fastest level; otherwise zlib's default level. */
	int level = job->a.flags & SVART_COMP_FIXED ? 1 : RT_CPU_LEVEL_DEFAULT;

	job->res.status = rt_cpu_compress(job->a.dst, job->a.dst_len, job->a.src, job->a.len, level,
					  framing(job->a.flags), &out);
	job->res.value = job->res.status ? 0 : out;
	job->off = job->a.len;
}

static void decompress_cpu(struct svart_job *job)
{
	size_t out = 0;

	job->res.status = rt_cpu_decompress(job->a.dst, job->a.dst_len, job->a.src, job->a.len,
					    framing(job->a.flags), &out);
	job->res.value = job->res.status ? 0 : out;
	job->off = job->a.len;
}

const struct rt_op rt_op_compress = {
	.name = "compress",
	.unit = RT_UNIT_IAA,
	.opcode = IAX_OPCODE_COMPRESS,
	.cpu = compress_cpu,
	.pending = deflate_pending,
};

const struct rt_op rt_op_decompress = {
	.name = "decompress",
	.unit = RT_UNIT_IAA,
	.opcode = IAX_OPCODE_DECOMPRESS,
	.cpu = decompress_cpu,
	.pending = deflate_pending,
};
