// SPDX-License-Identifier: MIT
/*
 * The public operations: argument checks (the errors svart.h documents), then a job — on the
 * caller's stack for the synchronous calls, the caller's for svart_prep_*().
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define API SVART_API

static bool overlap(const void *a, size_t na, const void *b, size_t nb)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return na && nb && x < y + nb && y < x + na;
}

/* A buffer argument: NULL only with a zero length. */
static int check_buf(const void *p, size_t len)
{
	if (len > SIZE_MAX / 2)
		return -EOVERFLOW;
	if (!p && len)
		return -EINVAL;
	return 0;
}

static bool dif_block_ok(uint32_t bs)
{
	return bs == 512 || bs == 520 || bs == 4096 || bs == 4104;
}

static int check_dif(const struct svart_dif *d)
{
	if (!d || !dif_block_ok(d->block_size) || (d->flags & ~SVART_DIF_FLAGS_ALL))
		return -EINVAL;
	return 0;
}

/* Validate @a for @op; 0 or the documented -errno. */
static int args_check(enum rt_op_id op, const struct rt_args *a)
{
	size_t dlen;
	int ret;

	ret = op == RT_OP_MEMFILL ? 0 : check_buf(a->src, a->len);
	if (!ret && op != RT_OP_CRC32C && op != RT_OP_CRC64 && op != RT_OP_MEMCMP &&
	    op != RT_OP_DIF_CHECK && op != RT_OP_COMPRESS && op != RT_OP_DECOMPRESS &&
	    op != RT_OP_DELTA_CREATE && op != RT_OP_DELTA_APPLY)
		ret = check_buf(a->dst, a->len);
	if (ret)
		return ret;
	switch (op) {
	case RT_OP_MEMMOVE:
	case RT_OP_MEMFILL:
	case RT_OP_CRC32C:
		return 0;
	case RT_OP_MEMCMP:
		return check_buf(a->src2, a->len);
	case RT_OP_COPY_CRC32C:
		return overlap(a->dst, a->len, a->src, a->len) ? -EINVAL : 0;
	case RT_OP_DUALCAST:
		ret = check_buf(a->dst2, a->len);
		if (!ret && (overlap(a->dst, a->len, a->src, a->len) ||
			     overlap(a->dst2, a->len, a->src, a->len) ||
			     overlap(a->dst, a->len, a->dst2, a->len)))
			ret = -EINVAL;
		return ret;
	case RT_OP_DELTA_CREATE:
		ret = check_buf(a->src2, a->len);
		if (!ret)
			ret = check_buf(a->dst, a->dst_len);
		/* The record format (and the device) work on 8-byte aligned words. */
		if (!ret && (a->len % 8 || a->len > IDXD_DELTA_MAX_XFER ||
			     ((uintptr_t)a->src | (uintptr_t)a->src2 | (uintptr_t)a->dst) % 8))
			ret = -EINVAL;
		return ret;
	case RT_OP_DELTA_APPLY:
		ret = check_buf(a->dst, a->len);
		if (!ret)
			ret = check_buf(a->src, a->dst_len);
		if (!ret && (a->len % 8 || a->len > IDXD_DELTA_MAX_XFER ||
			     a->dst_len % IDXD_DELTA_ENTRY_SIZE ||
			     ((uintptr_t)a->dst | (uintptr_t)a->src) % 8 ||
			     overlap(a->dst, a->len, a->src, a->dst_len)))
			ret = -EINVAL;
		return ret;
	case RT_OP_DIF_INSERT:
	case RT_OP_DIF_CHECK:
	case RT_OP_DIF_STRIP:
	case RT_OP_DIF_UPDATE: {
		uint32_t bs = a->dif.block_size, sb, db;

		ret = check_dif(&a->dif);
		if (!ret && op == RT_OP_DIF_UPDATE)
			ret = check_dif(&a->dif_out);
		if (ret)
			return ret;
		if (a->dif_out.block_size && a->dif_out.block_size != bs)
			return -EINVAL;
		sb = op == RT_OP_DIF_INSERT ? bs : bs + 8;
		db = op == RT_OP_DIF_STRIP ? bs : bs + 8;
		if (a->len % sb)
			return -EINVAL;
		if (op == RT_OP_DIF_CHECK)
			return 0;
		dlen = a->len / sb * db;
		ret = check_buf(a->dst, dlen);
		if (!ret && overlap(a->dst, dlen, a->src, a->len))
			ret = -EINVAL;
		return ret;
	}
	case RT_OP_CACHE_FLUSH:
		return (a->flags & ~SVART_FLUSH_KEEP) ? -EINVAL : 0;
	case RT_OP_COMPRESS:
	case RT_OP_DECOMPRESS:
		if (a->flags & ~SVART_COMP_FLAGS_ALL ||
		    (a->flags & SVART_COMP_FRAMING_MASK) > SVART_COMP_GZIP)
			return -EINVAL;
		ret = check_buf(a->dst, a->dst_len);
		if (!ret && overlap(a->dst, a->dst_len, a->src, a->len))
			ret = -EINVAL;
		return ret;
	case RT_OP_CRC64:
		return (a->flags & ~SVART_CRC64_FLAGS_ALL) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static int job_prep(struct svart_job *job, enum rt_op_id op, const struct rt_args *a)
{
	int ret;

	if (!job)
		return -EINVAL;
	if (job->state == RT_JOB_RUNNING)
		return -EBUSY;
	ret = args_check(op, a);
	if (ret)
		return ret;
	return rt_job_prep(job, op, a);
}

/* Run @op synchronously; *@res gets the result. */
static int run(struct svart_ctx *ctx, enum rt_op_id op, const struct rt_args *a,
	       struct svart_result *res)
{
	struct svart_job *job;
	int ret;

	if (!ctx)
		return -EINVAL;
	job = rt_job_sync(ctx);
	if (!job)
		return -ENOMEM;
	ret = job_prep(job, op, a);
	if (!ret)
		ret = rt_job_run(job);
	if (res)
		*res = job->res;
	return ret;
}

/* ---- synchronous -------------------------------------------------------------------------- */

API int svart_memmove(struct svart_ctx *ctx, void *dst, const void *src, size_t len)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len };

	return run(ctx, RT_OP_MEMMOVE, &a, NULL);
}

API int svart_memfill(struct svart_ctx *ctx, void *dst, uint64_t pattern, size_t len)
{
	struct rt_args a = { .dst = dst, .len = len, .pattern = pattern };

	return run(ctx, RT_OP_MEMFILL, &a, NULL);
}

API int svart_memcmp(struct svart_ctx *ctx, const void *x, const void *y, size_t len,
		     size_t *mismatch)
{
	struct rt_args a = { .src = x, .src2 = y, .len = len };
	struct svart_result r;
	int ret = run(ctx, RT_OP_MEMCMP, &a, &r);

	if (ret)
		return ret;
	if (mismatch)
		*mismatch = r.result ? r.value : len;
	return r.result;
}

API int svart_crc32c(struct svart_ctx *ctx, const void *buf, size_t len, uint32_t seed,
		     uint32_t *crc)
{
	struct rt_args a = { .src = buf, .len = len, .seed = seed };
	struct svart_result r;
	int ret;

	if (!crc)
		return -EINVAL;
	ret = run(ctx, RT_OP_CRC32C, &a, &r);
	if (!ret)
		*crc = (uint32_t)r.value;
	return ret;
}

API int svart_copy_crc32c(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			  uint32_t seed, uint32_t *crc)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len, .seed = seed };
	struct svart_result r;
	int ret;

	if (!crc)
		return -EINVAL;
	ret = run(ctx, RT_OP_COPY_CRC32C, &a, &r);
	if (!ret)
		*crc = (uint32_t)r.value;
	return ret;
}

API int svart_dualcast(struct svart_ctx *ctx, void *dst1, void *dst2, const void *src, size_t len)
{
	struct rt_args a = { .dst = dst1, .dst2 = dst2, .src = src, .len = len };

	return run(ctx, RT_OP_DUALCAST, &a, NULL);
}

API int svart_delta_create(struct svart_ctx *ctx, const void *orig, const void *mod, size_t len,
			   void *delta, size_t delta_max, size_t *delta_len)
{
	struct rt_args a = {
		.src = orig,
		.src2 = mod,
		.len = len,
		.dst = delta,
		.dst_len = delta_max,
	};
	struct svart_result r;
	int ret;

	if (!delta_len)
		return -EINVAL;
	ret = run(ctx, RT_OP_DELTA_CREATE, &a, &r);
	*delta_len = ret ? 0 : r.value;
	return ret;
}

API int svart_delta_apply(struct svart_ctx *ctx, void *dst, size_t len, const void *delta,
			  size_t delta_len)
{
	struct rt_args a = { .dst = dst, .len = len, .src = delta, .dst_len = delta_len };

	return run(ctx, RT_OP_DELTA_APPLY, &a, NULL);
}

static int run_dif(struct svart_ctx *ctx, enum rt_op_id op, void *dst, const void *src, size_t len,
		   const struct svart_dif *in, const struct svart_dif *out, size_t *bad_block)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len };
	struct svart_result r;
	int ret;

	if (!in || (op == RT_OP_DIF_UPDATE && !out))
		return -EINVAL;
	a.dif = *in;
	if (out)
		a.dif_out = *out;
	ret = run(ctx, op, &a, &r);
	if (bad_block)
		*bad_block = ret == -SVART_EDSA(DSA_COMP_DIF_ERR) ? r.value : 0;
	return ret;
}

API int svart_dif_insert(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			 const struct svart_dif *dif)
{
	return run_dif(ctx, RT_OP_DIF_INSERT, dst, src, len, dif, NULL, NULL);
}

API int svart_dif_check(struct svart_ctx *ctx, const void *src, size_t len,
			const struct svart_dif *dif, size_t *bad_block)
{
	return run_dif(ctx, RT_OP_DIF_CHECK, NULL, src, len, dif, NULL, bad_block);
}

API int svart_dif_strip(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			const struct svart_dif *dif, size_t *bad_block)
{
	return run_dif(ctx, RT_OP_DIF_STRIP, dst, src, len, dif, NULL, bad_block);
}

API int svart_dif_update(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			 const struct svart_dif *in, const struct svart_dif *out, size_t *bad_block)
{
	return run_dif(ctx, RT_OP_DIF_UPDATE, dst, src, len, in, out, bad_block);
}

API int svart_cache_flush(struct svart_ctx *ctx, void *addr, size_t len, unsigned int flags)
{
	struct rt_args a = { .dst = addr, .src = addr, .len = len, .flags = flags };

	return run(ctx, RT_OP_CACHE_FLUSH, &a, NULL);
}

/* compress and decompress: the same arguments, the output length in the result's value. */
static int run_deflate(struct svart_ctx *ctx, enum rt_op_id op, void *dst, size_t dst_len,
		       const void *src, size_t src_len, unsigned int flags, size_t *out_len)
{
	struct rt_args a = {
		.dst = dst,
		.dst_len = dst_len,
		.src = src,
		.len = src_len,
		.flags = flags,
	};
	struct svart_result r;
	int ret;

	if (!out_len)
		return -EINVAL;
	ret = run(ctx, op, &a, &r);
	*out_len = ret ? 0 : r.value;
	return ret;
}

API int svart_compress(struct svart_ctx *ctx, void *dst, size_t dst_len, const void *src,
		       size_t src_len, unsigned int flags, size_t *out_len)
{
	return run_deflate(ctx, RT_OP_COMPRESS, dst, dst_len, src, src_len, flags, out_len);
}

API int svart_decompress(struct svart_ctx *ctx, void *dst, size_t dst_len, const void *src,
			 size_t src_len, unsigned int flags, size_t *out_len)
{
	return run_deflate(ctx, RT_OP_DECOMPRESS, dst, dst_len, src, src_len, flags, out_len);
}

API int svart_crc64(struct svart_ctx *ctx, const void *buf, size_t len, uint64_t poly,
		    unsigned int flags, uint64_t *crc)
{
	struct rt_args a = { .src = buf, .len = len, .pattern = poly, .flags = flags };
	struct svart_result r;
	int ret;

	if (!crc)
		return -EINVAL;
	ret = run(ctx, RT_OP_CRC64, &a, &r);
	if (!ret)
		*crc = r.value;
	return ret;
}

/* ---- jobs --------------------------------------------------------------------------------- */

API int svart_job_alloc(struct svart_ctx *ctx, struct svart_job **out)
{
	struct svart_job *job;

	if (!ctx || !out)
		return -EINVAL;
	job = aligned_alloc(64, sizeof(*job));
	if (!job)
		return -ENOMEM;
	rt_job_init(job, ctx);
	job->heap = true;
	/* The device writes the record without faulting: register it (a hint; errors do not
	 * matter, a fault would be resolved anyway). */
	ctx->ops->prefault(ctx, NULL, &job->cr, sizeof(job->cr), true);
	*out = job;
	return 0;
}

API void svart_job_free(struct svart_job *job)
{
	if (!job)
		return;
	rt_job_fini(job);
	free(job);
}

API int svart_prep_memmove(struct svart_job *job, void *dst, const void *src, size_t len)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len };

	return job_prep(job, RT_OP_MEMMOVE, &a);
}

API int svart_prep_memfill(struct svart_job *job, void *dst, uint64_t pattern, size_t len)
{
	struct rt_args a = { .dst = dst, .len = len, .pattern = pattern };

	return job_prep(job, RT_OP_MEMFILL, &a);
}

API int svart_prep_memcmp(struct svart_job *job, const void *x, const void *y, size_t len)
{
	struct rt_args a = { .src = x, .src2 = y, .len = len };

	return job_prep(job, RT_OP_MEMCMP, &a);
}

API int svart_prep_crc32c(struct svart_job *job, const void *buf, size_t len, uint32_t seed)
{
	struct rt_args a = { .src = buf, .len = len, .seed = seed };

	return job_prep(job, RT_OP_CRC32C, &a);
}

API int svart_prep_copy_crc32c(struct svart_job *job, void *dst, const void *src, size_t len,
			       uint32_t seed)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len, .seed = seed };

	return job_prep(job, RT_OP_COPY_CRC32C, &a);
}

API int svart_prep_dualcast(struct svart_job *job, void *dst1, void *dst2, const void *src,
			    size_t len)
{
	struct rt_args a = { .dst = dst1, .dst2 = dst2, .src = src, .len = len };

	return job_prep(job, RT_OP_DUALCAST, &a);
}

API int svart_prep_delta_create(struct svart_job *job, const void *orig, const void *mod,
				size_t len, void *delta, size_t delta_max)
{
	struct rt_args a = {
		.src = orig,
		.src2 = mod,
		.len = len,
		.dst = delta,
		.dst_len = delta_max,
	};

	return job_prep(job, RT_OP_DELTA_CREATE, &a);
}

API int svart_prep_delta_apply(struct svart_job *job, void *dst, size_t len, const void *delta,
			       size_t delta_len)
{
	struct rt_args a = { .dst = dst, .len = len, .src = delta, .dst_len = delta_len };

	return job_prep(job, RT_OP_DELTA_APPLY, &a);
}

static int prep_dif(struct svart_job *job, enum rt_op_id op, void *dst, const void *src, size_t len,
		    const struct svart_dif *in, const struct svart_dif *out)
{
	struct rt_args a = { .dst = dst, .src = src, .len = len };

	if (!in || (op == RT_OP_DIF_UPDATE && !out))
		return -EINVAL;
	a.dif = *in;
	if (out)
		a.dif_out = *out;
	return job_prep(job, op, &a);
}

API int svart_prep_dif_insert(struct svart_job *job, void *dst, const void *src, size_t len,
			      const struct svart_dif *dif)
{
	return prep_dif(job, RT_OP_DIF_INSERT, dst, src, len, dif, NULL);
}

API int svart_prep_dif_check(struct svart_job *job, const void *src, size_t len,
			     const struct svart_dif *dif)
{
	return prep_dif(job, RT_OP_DIF_CHECK, NULL, src, len, dif, NULL);
}

API int svart_prep_dif_strip(struct svart_job *job, void *dst, const void *src, size_t len,
			     const struct svart_dif *dif)
{
	return prep_dif(job, RT_OP_DIF_STRIP, dst, src, len, dif, NULL);
}

API int svart_prep_dif_update(struct svart_job *job, void *dst, const void *src, size_t len,
			      const struct svart_dif *in, const struct svart_dif *out)
{
	return prep_dif(job, RT_OP_DIF_UPDATE, dst, src, len, in, out);
}

API int svart_prep_cache_flush(struct svart_job *job, void *addr, size_t len, unsigned int flags)
{
	struct rt_args a = { .dst = addr, .src = addr, .len = len, .flags = flags };

	return job_prep(job, RT_OP_CACHE_FLUSH, &a);
}

API int svart_prep_compress(struct svart_job *job, void *dst, size_t dst_len, const void *src,
			    size_t src_len, unsigned int flags)
{
	struct rt_args a = {
		.dst = dst,
		.dst_len = dst_len,
		.src = src,
		.len = src_len,
		.flags = flags,
	};

	return job_prep(job, RT_OP_COMPRESS, &a);
}

API int svart_prep_decompress(struct svart_job *job, void *dst, size_t dst_len, const void *src,
			      size_t src_len, unsigned int flags)
{
	struct rt_args a = {
		.dst = dst,
		.dst_len = dst_len,
		.src = src,
		.len = src_len,
		.flags = flags,
	};

	return job_prep(job, RT_OP_DECOMPRESS, &a);
}

API int svart_prep_crc64(struct svart_job *job, const void *buf, size_t len, uint64_t poly,
			 unsigned int flags)
{
	struct rt_args a = { .src = buf, .len = len, .pattern = poly, .flags = flags };

	return job_prep(job, RT_OP_CRC64, &a);
}

API void svart_job_set_data(struct svart_job *job, void *data)
{
	if (job)
		job->user_data = data;
}

API void *svart_job_data(const struct svart_job *job)
{
	return job ? job->user_data : NULL;
}

API int svart_submit(struct svart_job *job)
{
	if (!job)
		return -EINVAL;
	if (job->cq)
		return -EBUSY;
	return rt_job_submit(job);
}

API int svart_poll(struct svart_job *job)
{
	return job ? rt_job_poll(job) : -EINVAL;
}

API int svart_wait(struct svart_job *job, int64_t timeout_ns)
{
	if (!job)
		return -EINVAL;
	return rt_job_wait(job, timeout_ns < 0 ? 0 : rt_now_ns() + (uint64_t)timeout_ns + 1);
}

API const struct svart_result *svart_job_result(const struct svart_job *job)
{
	return job ? &job->res : NULL;
}
