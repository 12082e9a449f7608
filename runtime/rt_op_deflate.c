// SPDX-License-Identifier: MIT
/*
 * COMPRESS / DECOMPRESS for the job engine: IAA drives raw deflate the way real IAA 1.0 needs
 * (QPL, the kernel's iaa_crypto), the CPU (ISA-L, rt_cpu_deflate.c) takes what it cannot.
 *
 * Compress. IAA 1.0 has no opcode bit for the Huffman mode: the AECS the descriptor reads holds
 * the codes and the block header bits. SVART_COMP_FIXED reads the context's fixed AECS (built
 * once, iaa_crypto's table); the default dynamic mode is QPL's two passes per chunk: a
 * statistics-mode COMPRESS writes the symbol histogram, software builds codes and header into
 * the job's own AECS (enq_aecs.c's code builder), and the coding pass compresses the same
 * input with it.
 * Input above the WQ's max transfer is cut into chunks, each its own block: non-final chunks end
 * with EOB and an empty non-final stored block (byte-aligned, so the next chunk's output
 * appends), the last one with EOB in a block whose header has BFINAL. The device keeps no
 * history across descriptors, so chunks never reference each other: the compress AECS (0x620
 * bytes) holds codes, the output accumulator and the CRC but no history (only IAA 2's
 * load-dictionary flags could supply one; not modelled), and a chunk loses only the matches it
 * could have had into the previous chunk's last 4 KiB (under 0.2% of a 2 MiB chunk). Framing
 * is CPU work: the zlib/gzip header at the start, the trailer at the end (adler32 over the
 * input, or the device's CRC-32s chained with crc32_combine() and ISIZE).
 *
 * Decompress. The framing is parsed and checked on the CPU; the raw stream goes to the device
 * as a stateful chain of descriptors, the way IAA needs a long stream (QPL's FIRST/LAST jobs):
 * input in chunks of at most the WQ's max transfer, each descriptor's output appended after the
 * last one's, every descriptor but the first reading the state the previous one wrote to the
 * job's AECS pair (enq_aecs_chain_*). All stop at the final block's EOB; the one whose input
 * reaches the end also checks that it was reached (error 15: truncated). A descriptor's output
 * is bounded by the destination left and by the max transfer too (whether IAA applies its max
 * transfer to max_dst_size is unverified; bounding it costs a resumed descriptor per max
 * transfer of output and keeps each descriptor's engine time bounded). OUTBUF_OVERFLOW below
 * the destination's end resumes at src + bytes_completed with the AECS it wrote; at the
 * destination's end it is -ENOSPC. A stream that fits one descriptor uses no AECS at all, like
 * iaa_crypto.
 *
 * The device's input stops where the zlib/gzip trailer starts (a->len - trailer): a descriptor
 * that overflows counts every byte it took into its bit accumulator as consumed, so had the
 * trailer been given too, the stream's end could lie anywhere in the last 8 bytes taken. The
 * stream must then end exactly there; one that ends earlier (bytes after the trailer, which
 * zlib and ISA-L ignore) is left to the CPU. The trailer is checked against the device's CRC-32
 * (gzip; seeded from the AECS at each step, it covers the whole output) or an adler32 of the
 * output (zlib).
 *
 * Streams that reference beyond the device's 4 KiB history (analytics error 17), at whatever
 * step of the chain, are redone whole on the CPU: ISA-L cannot pick up the device's state (its
 * format is the device's own, and mid-block it holds the block's Huffman tables), and block
 * boundaries where a CPU inflate could start are not known without it. The output the device
 * wrote is overwritten from the start.
 *
 * Faults: IAA completes a faulting descriptor with no progress (0x03 / 0x83), so every pass
 * is prepared from the job's progress alone and the engine's resubmission redoes it whole; a
 * chained step reads the AECS copy it did the first time (it writes only the other one).
 *
 * Progress: job->off / out_off / chunk as the engine defines them (decompress: off is the next
 * descriptor's input position in src, framing header included); job->crc the gzip CRC-32 so
 * far (compress); job->crc64 (reset to 0 by rt_job_reset()) holds the DFL_* state bits below.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "enqcmd/enq_aecs.h"
#include "enqcmd/enq_desc.h"
#include "runtime/rt_cpu.h"

#define DFL_ST(s) ((s)&DSA_COMP_STATUS_MASK)

/* Analytics error codes (QPL hw_status.h; docs/SIM_DEVICES.md). */
#define DFL_AE_BAD_DIST 17 /* a distance beyond the 4 KiB history */
#define DFL_AE_AECS 22
#define DFL_AE_OUT_OVERFLOW 25 /* compress output beyond max_dst_size */

/* job->crc64 bits. */
#define DFL_STARTED 1u /* framing header handled, scratch ready */
#define DFL_HIST 2u /* compress: this chunk's dynamic AECS is built, the coding pass is next */
/* decompress: where the chain's state is (enum enq_aecs_at) */
#define DFL_AT_SHIFT 2
#define DFL_AT_MASK (3u << DFL_AT_SHIFT)
#define DFL_END 16u /* decompress: the stream and its trailer are done */
/* decompress: an output overflow took the input up to its end (the stream's end is unsure) */
#define DFL_OVF_END 32u

#define DFL_ZLIB_HDR 2
#define DFL_ZLIB_TRAILER 4
#define DFL_GZIP_HDR 10
#define DFL_GZIP_TRAILER 8

/* What the device reads and writes for a dynamic compress, kept per job in job->aecs. */
struct dfl_scratch {
	alignas(64) struct enq_aecs_comp aecs;
	alignas(64) struct enq_aecs_hist hist;
	/* The code builder's scratch (enq_aecs_dyn_work_size()) follows at DFL_WORK_OFF. */
};

#define DFL_WORK_OFF ((sizeof(struct dfl_scratch) + 63) & ~(size_t)63)
/* A decompress chain uses the same scratch for its AECS pair. */
#define DFL_DAECS_PAIR (2 * (size_t)ENQ_AECS_DECOMP_SIZE)

static bool deflate_pending(const struct svart_job *job)
{
	return job->off < job->a.len;
}

static unsigned int frame_of(unsigned int flags)
{
	return flags & SVART_COMP_FRAMING_MASK;
}

static enum rt_cpu_framing framing(unsigned int flags)
{
	switch (frame_of(flags)) {
	case SVART_COMP_ZLIB:
		return RT_CPU_ZLIB;
	case SVART_COMP_GZIP:
		return RT_CPU_GZIP;
	default:
		return RT_CPU_RAW;
	}
}

static size_t trailer_len(unsigned int flags)
{
	switch (frame_of(flags)) {
	case SVART_COMP_ZLIB:
		return DFL_ZLIB_TRAILER;
	case SVART_COMP_GZIP:
		return DFL_GZIP_TRAILER;
	default:
		return 0;
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- COMPRESS ----------------------------------------------------------------------------- */

/*
 * The context's fixed AECS pair: [0] non-final block header, [1] final. Built once, then only
 * read (by the device too), so jobs share it.
 */
static const struct enq_aecs_comp *fixed_aecs(struct svart_ctx *ctx)
{
	struct enq_aecs_comp *f = __atomic_load_n(&ctx->iaa_fixed_aecs, __ATOMIC_ACQUIRE);

	if (f)
		return f;
	pthread_mutex_lock(&ctx->lock);
	f = ctx->iaa_fixed_aecs;
	if (!f) {
		/* 2 x 0x620 is a multiple of 64; each copy stays 32-byte aligned. */
		f = aligned_alloc(64, 2 * sizeof(*f));
		if (f) {
			memset(f, 0, 2 * sizeof(*f));
			/* A 3-bit header always fits an empty accumulator. */
			enq_aecs_comp_set_fixed(&f[0], false);
			enq_aecs_comp_set_fixed(&f[1], true);
			/* Freed by rt_ctx's destroy. */
			__atomic_store_n(&ctx->iaa_fixed_aecs, (void *)f, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return f;
}

/*
 * The job's scratch, allocated on its first dynamic compress or chained decompress, kept until
 * fini; sized for either, so a job reused for the other op allocates nothing.
 */
static struct dfl_scratch *job_scratch(struct svart_job *job)
{
	size_t size;

	if (job->aecs)
		return job->aecs;
	size = DFL_WORK_OFF + enq_aecs_dyn_work_size();
	if (size < DFL_DAECS_PAIR)
		size = DFL_DAECS_PAIR;
	size = (size + 63) & ~(size_t)63;
	/* Pairs with free() in rt_job_fini(). */
	job->aecs = aligned_alloc(64, size);
	return job->aecs;
}

/*
 * First prep of a run: the scratch, the framing header. -ENOSPC when not even the framing
 * fits (no other WQ or the CPU could do better), -ENOMEM.
 */
static int compress_start(struct svart_job *job)
{
	const struct rt_args *a = &job->a;
	bool fixed = a->flags & SVART_COMP_FIXED;
	uint8_t *dst = a->dst;
	size_t hdr = 0;

	if (fixed ? !fixed_aecs(job->ctx) : !job_scratch(job))
		return -ENOMEM;
	if (frame_of(a->flags) == SVART_COMP_ZLIB)
		hdr = DFL_ZLIB_HDR;
	else if (frame_of(a->flags) == SVART_COMP_GZIP)
		hdr = DFL_GZIP_HDR;
	if (a->dst_len < hdr + trailer_len(a->flags))
		return -ENOSPC;
	if (hdr == DFL_ZLIB_HDR) {
		/*
		 * CINFO 4: the device's window is 4 KiB, and inflaters may size theirs from it;
		 * FLEVEL 0 (fastest) for fixed codes, 1 (fast) for dynamic; FCHECK makes it % 31.
		 */
		dst[0] = 0x48;
		dst[1] = fixed ? 0x0d : 0x4b;
	} else if (hdr == DFL_GZIP_HDR) {
		static const uint8_t gz[DFL_GZIP_HDR] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

		memcpy(dst, gz, sizeof(gz));
		dst[8] = fixed ? 4 : 0; /* XFL: fastest */
	}
	job->out_off = hdr;
	job->frame_hdr = (uint8_t)hdr;
	job->crc = 0;
	job->crc64 = DFL_STARTED;
	return 0;
}

static int compress_prep(struct svart_job *job, struct rt_wq *wq)
{
	const struct rt_args *a = &job->a;
	struct dfl_scratch *s = job->aecs;
	uint64_t room, chunk;
	uint16_t cflags;
	bool last;
	int ret;

	if (!rt_wq_has_op(wq, IAX_OPCODE_COMPRESS))
		return -EOPNOTSUPP;
	if (!(job->crc64 & DFL_STARTED)) {
		ret = compress_start(job);
		if (ret)
			return ret;
		s = job->aecs;
	}
	/* A dynamic AECS was built for job->chunk: keep it unless this WQ cannot take as much. */
	if ((job->crc64 & DFL_HIST) && job->chunk > wq->max_xfer)
		job->crc64 &= ~DFL_HIST;
	if (!(job->crc64 & DFL_HIST)) {
		chunk = a->len - job->off;
		if (chunk > wq->max_xfer)
			chunk = wq->max_xfer;
		if (chunk > UINT32_MAX)
			chunk = UINT32_MAX & ~(uint64_t)4095;
		job->chunk = chunk;
	}
	chunk = job->chunk;
	last = job->off + chunk == a->len;
	room = a->dst_len - job->out_off;
	room = room > trailer_len(a->flags) ? room - trailer_len(a->flags) : 0;
	if (room > UINT32_MAX)
		room = UINT32_MAX;

	if (!(a->flags & SVART_COMP_FIXED) && !(job->crc64 & DFL_HIST)) {
		/* Pass 1: the histogram of the symbols this chunk codes to, EOB included. */
		enq_iax_prep_compress(&job->desc.iax, (uintptr_t)&s->hist, sizeof(s->hist),
				      (uintptr_t)a->src + job->off, (uint32_t)chunk,
				      IDXD_IAX_COMPF_STATS_MODE |
					      IDXD_IAX_COMPF_END_PROC(IDXD_IAX_END_PROC_EOB),
				      0, 0, 0, &job->cr.iax);
		return 0;
	}
	/* The coding pass: non-final chunks end byte-aligned after an empty stored block. */
	cflags = IDXD_IAX_COMPF_FLUSH_OUTPUT |
		 IDXD_IAX_COMPF_END_PROC(last ? IDXD_IAX_END_PROC_EOB : IDXD_IAX_END_PROC_EOB_SB);
	enq_iax_prep_compress(
		&job->desc.iax, (uintptr_t)a->dst + job->out_off, (uint32_t)room,
		(uintptr_t)a->src + job->off, (uint32_t)chunk, cflags,
		a->flags & SVART_COMP_FIXED ?
			(uintptr_t) &
				((const struct enq_aecs_comp *)job->ctx->iaa_fixed_aecs)[last] :
			(uintptr_t)&s->aecs,
		IDXD_IAX_AECS_COMP_SIZE, IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS), &job->cr.iax);
	return 0;
}

/* Largest stored-block stream of @len bytes with framing: what the CPU path can always fit. */
static uint64_t stored_bound(uint64_t len, unsigned int flags)
{
	uint64_t blocks = len ? (len + 65534) / 65535 : 1;

	return len + 5 * blocks + DFL_GZIP_HDR + trailer_len(flags);
}

/*
 * The output did not fit. A device block can be larger than the input (fixed codes on
 * incompressible data), while the CPU falls back to stored blocks: let it try when those fit.
 */
static enum rt_step compress_overflow(struct svart_job *job)
{
	job->res.status = -ENOSPC;
	if (job->a.dst_len >= stored_bound(job->a.len, job->a.flags)) {
		rt_log(RT_LOG_DEBUG, "compress: device output overflows, trying the CPU");
		return RT_STEP_CPU;
	}
	return RT_STEP_ERROR;
}

/* The last chunk is out: the trailer, the result. */
static enum rt_step compress_finish(struct svart_job *job)
{
	const struct rt_args *a = &job->a;
	uint8_t *p = (uint8_t *)a->dst + job->out_off;

	if (a->dst_len - job->out_off < trailer_len(a->flags)) {
		job->res.status = -ENOSPC;
		return RT_STEP_ERROR;
	}
	if (frame_of(a->flags) == SVART_COMP_ZLIB) {
		uint32_t ad = isal_adler32(1, a->src, a->len);

		p[0] = (uint8_t)(ad >> 24);
		p[1] = (uint8_t)(ad >> 16);
		p[2] = (uint8_t)(ad >> 8);
		p[3] = (uint8_t)ad;
	} else if (frame_of(a->flags) == SVART_COMP_GZIP) {
		put_le32(p, job->crc);
		put_le32(p + 4, (uint32_t)a->len);
	}
	job->out_off += trailer_len(a->flags);
	job->res.value = job->out_off;
	return RT_STEP_NEXT;
}

static enum rt_step compress_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	struct iax_completion_record *cr = &job->cr.iax;
	bool coding = (job->a.flags & SVART_COMP_FIXED) || (job->crc64 & DFL_HIST);
	struct dfl_scratch *s = job->aecs;
	uint8_t st = DFL_ST(status);

	if (st == IDXD_IAX_COMP_PAGE_FAULT_NOBOF) {
		/* No progress: the same pass is prepared again after the fault-in. */
		job->fault_addr = cr->fault_addr;
		job->fault_write = status & DSA_COMP_STATUS_WRITE;
		return RT_STEP_FAULT;
	}
	if (st == IAX_COMP_OUTBUF_OVERFLOW ||
	    (st == IAX_COMP_ANALYTICS_ERROR && cr->error_code == DFL_AE_OUT_OVERFLOW))
		return compress_overflow(job);
	if (st != IAX_COMP_SUCCESS)
		return rt_job_dev_error(job, status);

	if (!coding) {
		int ret;

		memset(&s->aecs, 0, sizeof(s->aecs));
		ret = enq_aecs_comp_set_dynamic_ws(&s->aecs, &s->hist,
						   job->off + job->chunk == job->a.len,
						   (uint8_t *)s + DFL_WORK_OFF);
		if (ret) {
			rt_log(RT_LOG_DEBUG, "compress: no dynamic codes from the histogram (%d)",
			       ret);
			job->res.status = -SVART_EIAA(DFL_AE_AECS);
			return RT_STEP_CPU;
		}
		job->crc64 |= DFL_HIST;
		return RT_STEP_NEXT;
	}
	job->out_off += cr->output_size;
	/* The record's CRC-32 covers this chunk from a zero seed. */
	job->crc = (uint32_t)crc32_combine(job->crc, cr->crc, (z_off_t)job->chunk);
	job->off += job->chunk;
	job->crc64 &= ~DFL_HIST;
	if (job->off < job->a.len)
		return RT_STEP_NEXT;
	return compress_finish(job);
}

static void compress_cpu(struct svart_job *job)
{
	size_t out = 0;
	/* FIXED asks for speed: ISA-L's fastest level; otherwise zlib's default level. */
	int level = job->a.flags & SVART_COMP_FIXED ? 1 : RT_CPU_LEVEL_DEFAULT;

	/* Whatever the device wrote is rewritten from the start. */
	job->res.status = rt_cpu_compress(job->a.dst, job->a.dst_len, job->a.src, job->a.len, level,
					  framing(job->a.flags), &out);
	job->res.value = job->res.status ? 0 : out;
	job->off = job->a.len;
}

/* ---- DECOMPRESS --------------------------------------------------------------------------- */

/*
 * The framing header's length, or -EBADMSG for one zlib/inflate would reject, -EOPNOTSUPP for
 * what the device path leaves to the CPU (a preset dictionary, a header CRC).
 */
static long parse_header(const uint8_t *p, size_t len, unsigned int flags)
{
	size_t at;

	switch (frame_of(flags)) {
	case SVART_COMP_ZLIB:
		if (len < DFL_ZLIB_HDR || (p[0] & 0x0f) != 8 || (p[0] >> 4) > 7 ||
		    ((unsigned int)p[0] << 8 | p[1]) % 31)
			return -EBADMSG;
		if (p[1] & 0x20) /* FDICT */
			return -EOPNOTSUPP;
		return DFL_ZLIB_HDR;
	case SVART_COMP_GZIP:
		if (len < DFL_GZIP_HDR || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 ||
		    (p[3] & 0xe0))
			return -EBADMSG;
		if (p[3] & 0x02) /* FHCRC */
			return -EOPNOTSUPP;
		at = DFL_GZIP_HDR;
		if (p[3] & 0x04) { /* FEXTRA */
			if (len - at < 2)
				return -EBADMSG;
			at += 2 + (p[at] | (size_t)p[at + 1] << 8);
			if (at > len)
				return -EBADMSG;
		}
		for (unsigned int f = 0x08; f <= 0x10; f <<= 1) { /* FNAME, FCOMMENT */
			const uint8_t *z;

			if (!(p[3] & f))
				continue;
			z = memchr(p + at, 0, len - at);
			if (!z)
				return -EBADMSG;
			at = (size_t)(z - p) + 1;
		}
		return (long)at;
	default:
		return 0;
	}
}

static enum enq_aecs_at chain_at(const struct svart_job *job)
{
	return (enum enq_aecs_at)((job->crc64 & DFL_AT_MASK) >> DFL_AT_SHIFT);
}

/* Where the device's input ends: the trailer is not given to it (see the header comment). */
static uint64_t decompress_end(const struct svart_job *job)
{
	return job->a.len - trailer_len(job->a.flags);
}

static bool decompress_pending(const struct svart_job *job)
{
	return job->a.len && !(job->crc64 & DFL_END);
}

static int decompress_prep(struct svart_job *job, struct rt_wq *wq)
{
	const struct rt_args *a = &job->a;
	uint64_t chunk, room, left, end = decompress_end(job);
	uint16_t dflags;
	uint32_t flags = 0;
	uintptr_t aecs = 0;
	bool last;

	if (!rt_wq_has_op(wq, IAX_OPCODE_DECOMPRESS))
		return -EOPNOTSUPP;
	if (!(job->crc64 & DFL_STARTED)) {
		long hdr = parse_header(a->src, a->len, a->flags);

		if (hdr < 0)
			return (int)hdr;
		/* No room for the trailer: truncated. */
		if (a->len - (uint64_t)hdr < trailer_len(a->flags))
			return -EBADMSG;
		job->off = (uint64_t)hdr;
		job->out_off = 0;
		job->crc64 = DFL_STARTED;
	}
	/*
	 * 0 after an output overflow took the rest of the input: the state still holds output
	 * and possibly the final EOB (a zero src1_size is accepted by sim; on hardware unverified).
	 */
	chunk = end - job->off;
	if (chunk > wq->max_xfer)
		chunk = wq->max_xfer;
	if (chunk > UINT32_MAX)
		chunk = UINT32_MAX & ~(uint64_t)4095;
	last = job->off + chunk == end;
	left = a->dst_len - job->out_off;
	room = left;
	if (room > wq->max_xfer)
		room = wq->max_xfer;
	if (room > UINT32_MAX)
		room = UINT32_MAX;
	job->chunk = chunk;

	dflags = IDXD_IAX_DECOMPF_ENABLE | IDXD_IAX_DECOMPF_FLUSH_OUTPUT |
		 IDXD_IAX_DECOMPF_STOP_ON_EOB | IDXD_IAX_DECOMPF_SEL_BFINAL_EOB;
	if (last)
		dflags |= IDXD_IAX_DECOMPF_CHECK_FOR_EOB;
	/* State to pass on: more input follows, the output may be resumed, or a chain runs. */
	if (!last || room < left || chain_at(job) != ENQ_AECS_AT_NONE) {
		struct dfl_scratch *s = job_scratch(job);

		if (!s)
			return -ENOMEM;
		aecs = (uintptr_t)s;
		flags = enq_aecs_chain_flags(chain_at(job), last ? IDXD_IAX_WR_SRC2_ON_OVERFLOW :
								   IDXD_IAX_WR_SRC2_ALWAYS);
	}
	enq_iax_prep_decompress(&job->desc.iax, (uintptr_t)a->dst + job->out_off, (uint32_t)room,
				(uintptr_t)a->src + job->off, (uint32_t)chunk, dflags, aecs,
				aecs ? ENQ_AECS_DECOMP_SIZE : 0, flags, &job->cr.iax);
	return 0;
}

/*
 * The stream ended at src + @at, after the final block's EOB: the trailer must follow right
 * there, where the device's input ended. Anything else (data after the trailer, or a trailer
 * that does not match when an output overflow left the stream's end unsure) goes to the CPU,
 * which reads the stream bit by bit; without fallback it is -EBADMSG.
 */
static enum rt_step decompress_trailer(struct svart_job *job, uint64_t at)
{
	const struct rt_args *a = &job->a;
	const struct iax_completion_record *cr = &job->cr.iax;
	uint64_t end = decompress_end(job), out = job->out_off;
	const uint8_t *t = (const uint8_t *)a->src + end;
	bool bad;

	job->res.status = -EBADMSG;
	if (at != end && trailer_len(a->flags)) {
		rt_log(RT_LOG_DEBUG,
		       "decompress: %llu bytes after the stream, finishing on the CPU",
		       (unsigned long long)(a->len - at));
		return RT_STEP_CPU;
	}
	if (frame_of(a->flags) == SVART_COMP_ZLIB)
		bad = get_be32(t) != isal_adler32(1, a->dst, out);
	else if (frame_of(a->flags) == SVART_COMP_GZIP)
		/* The record's CRC-32 was seeded from the AECS: it covers the whole output. */
		bad = get_le32(t) != cr->crc || get_le32(t + 4) != (uint32_t)out;
	else
		bad = false;
	if (bad)
		return (job->crc64 & DFL_OVF_END) ? RT_STEP_CPU : RT_STEP_ERROR;
	job->res.status = 0;
	job->res.value = out;
	job->off = a->len;
	job->crc64 |= DFL_END;
	return RT_STEP_NEXT;
}

static enum rt_step decompress_complete(struct svart_job *job, struct rt_wq *wq, uint8_t status)
{
	struct iax_completion_record *cr = &job->cr.iax;
	const struct iax_hw_desc *d = &job->desc.iax;
	uint8_t st = DFL_ST(status);
	bool last = job->off + job->chunk == decompress_end(job);
	uint64_t left = job->a.dst_len - job->out_off;
	enum enq_aecs_at at;

	switch (st) {
	case IAX_COMP_SUCCESS:
	case IAX_COMP_OUTBUF_OVERFLOW:
		break;
	case IDXD_IAX_COMP_PAGE_FAULT_NOBOF:
		job->fault_addr = cr->fault_addr;
		job->fault_write = status & DSA_COMP_STATUS_WRITE;
		return RT_STEP_FAULT;
	case IAX_COMP_ANALYTICS_ERROR:
		if (cr->error_code == DFL_AE_BAD_DIST) {
			/* Valid deflate with a window the device lacks: the CPU has 32 KiB. */
			rt_log(RT_LOG_DEBUG,
			       "decompress: distance beyond 4 KiB at input %llu, redoing it on the CPU",
			       (unsigned long long)job->off);
			/* What SVART_CTX_NO_FALLBACK reports (docs/API.md: analytics errors). */
			job->res.status = -SVART_EIAA_ANALYTICS(DFL_AE_BAD_DIST);
			return RT_STEP_CPU;
		}
		if (cr->error_code == DFL_AE_AECS || cr->error_code == DFL_AE_OUT_OVERFLOW)
			return rt_job_dev_error(job, status);
		job->res.status = -EBADMSG;
		return RT_STEP_ERROR;
	default:
		return rt_job_dev_error(job, status);
	}

	/* A record the descriptor could not have written: the device, not the data, is wrong. */
	if (cr->bytes_completed > job->chunk || cr->output_size > d->max_dst_size)
		return rt_job_dev_error(job, status);
	at = enq_aecs_chain_next(chain_at(job), d->flags, st == IAX_COMP_OUTBUF_OVERFLOW);
	job->crc64 = (job->crc64 & ~(uint64_t)DFL_AT_MASK) | (uint64_t)at << DFL_AT_SHIFT;

	if (st == IAX_COMP_OUTBUF_OVERFLOW) {
		if (d->max_dst_size >= left) {
			/* The destination itself is full and the stream has more. */
			job->res.status = -ENOSPC;
			return RT_STEP_ERROR;
		}
		/* Resumable only with the state written and progress made. */
		if (at == ENQ_AECS_AT_NONE || (!cr->bytes_completed && !cr->output_size))
			return rt_job_dev_error(job, status);
		job->off += cr->bytes_completed;
		job->out_off += cr->output_size;
		if (job->off == decompress_end(job))
			job->crc64 |= DFL_OVF_END;
		return RT_STEP_NEXT;
	}
	job->out_off += cr->output_size;
	if (!last && cr->bytes_completed == job->chunk) {
		/* The input ran out mid-stream: the next chunk continues from the AECS. */
		job->off += job->chunk;
		return RT_STEP_NEXT;
	}
	return decompress_trailer(job, job->off + cr->bytes_completed);
}

static void decompress_cpu(struct svart_job *job)
{
	size_t out = 0;

	/* From the start, whatever the device did (see the header comment). */
	job->res.status = rt_cpu_decompress(job->a.dst, job->a.dst_len, job->a.src, job->a.len,
					    framing(job->a.flags), &out);
	job->res.value = job->res.status ? 0 : out;
	job->off = job->a.len;
	job->crc64 |= DFL_END;
}

const struct rt_op rt_op_compress = {
	.name = "compress",
	.unit = RT_UNIT_IAA,
	.opcode = IAX_OPCODE_COMPRESS,
	.prep = compress_prep,
	.complete = compress_complete,
	.cpu = compress_cpu,
	.pending = deflate_pending,
};

const struct rt_op rt_op_decompress = {
	.name = "decompress",
	.unit = RT_UNIT_IAA,
	.opcode = IAX_OPCODE_DECOMPRESS,
	.prep = decompress_prep,
	.complete = decompress_complete,
	.cpu = decompress_cpu,
	.pending = decompress_pending,
};
