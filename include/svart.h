/* SPDX-License-Identifier: MIT */
/*
 * svart: a runtime for Shared Virtual Addressing accelerators (Intel DSA and IAA class
 * devices): binds process address spaces to device PASIDs, submits 64-byte descriptors with
 * ENQCMD / MOVDIR64B, resolves I/O page faults, and falls back to the CPU when it must.
 *
 * Conventions (every function below):
 *  - returns 0, a count, or a negative error code: -errno, or -SVART_E* for device
 *    statuses; errno is never part of the contract;
 *  - svart_strerror() turns any of those codes into readable text.
 */
#ifndef SVART_H
#define SVART_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SVART_BUILDING)
#define SVART_API __attribute__((visibility("default")))
#else
#define SVART_API
#endif

#define SVART_VERSION_MAJOR 0
#define SVART_VERSION_MINOR 1
#define SVART_VERSION_PATCH 0

/*
 * Error codes beyond errno. Linux errno values are below 4096; svart's own codes start at
 * 0x1000 and are returned negated, like errno values.
 *
 * A device that ends a descriptor with an error status the runtime cannot resolve reports it
 * as -SVART_EDSA(status) or -SVART_EIAA(status), status being the completion record's status
 * with the write-fault bit (0x80) removed; svart_strerror() names the status as the DSA/IAA
 * specifications do.
 */
#define SVART_EBASE 0x1000
#define SVART_EDSA(status) (SVART_EBASE + 0x000 + ((status)&0x7f))
#define SVART_EIAA(status) (SVART_EBASE + 0x100 + ((status)&0x7f))
/* IAA analytics error: the completion record's error_code (e.g. 17 = distance too far). */
#define SVART_EIAA_ANALYTICS(code) (SVART_EBASE + 0x200 + ((code)&0xff))
#define SVART_EMAX (SVART_EBASE + 0x300)

/**
 * svart_version() - the library's version, as a string "MAJOR.MINOR.PATCH".
 *
 * Return: a static string; never NULL.
 */
SVART_API const char *svart_version(void);

/**
 * svart_strerror() - text for an error code returned by svart.
 * @err: a code as returned (negative) or its absolute value; 0 gives "Success".
 *
 * Return: a static string; never NULL, thread-safe. Unknown codes give "Unknown error".
 */
SVART_API const char *svart_strerror(int err);

/* ---- contexts ----------------------------------------------------------------------------- */

struct svart_ctx;
struct svart_job;
struct svart_batch;
struct svart_cq;

/* Where work can run. */
enum svart_platform {
	SVART_PLATFORM_AUTO = 0, /* hardware when usable (idxd), else sim */
	SVART_PLATFORM_SIM, /* the in-process simulated platform (nested IOAS binding) */
	SVART_PLATFORM_IDXD, /* the kernel idxd driver: /dev/dsa, /dev/iax work queues, SVA */
	SVART_PLATFORM_VFIO, /* VFIO device cdevs bound through iommufd (nested IOAS binding) */
	SVART_PLATFORM_CPU, /* no device: every operation on the CPU */
};

/* Which path executed (the last part of) an operation. */
enum svart_path {
	SVART_PATH_NONE = 0,
	SVART_PATH_DEVICE, /* a DSA/IAA device */
	SVART_PATH_SIM, /* a sim device */
	SVART_PATH_CPU, /* svart's CPU implementation */
	SVART_PATH_MAX,
};

/* svart_ctx_opts.flags */
#define SVART_CTX_NO_FALLBACK (1u << 0) /* never use the CPU: device errors and -EAGAIN instead */
#define SVART_CTX_PLACE_BY_BUFFER (1u << 1) /* pick the WQ nearest the buffer, not the caller */
#define SVART_CTX_FAULT_THREAD (1u << 2) /* serve I/O page requests on a thread, not inline */
#define SVART_CTX_NO_PREFAULT (1u << 3) /* never fault in ahead: let the device fault */
#define SVART_CTX_FLAGS_ALL 0xfu

/*
 * Context options. Zero means "default" for every field; the environment (docs/API.md,
 * "Configuration") overrides defaults but never a field the caller set.
 */
struct svart_ctx_opts {
	uint32_t size; /* sizeof(struct svart_ctx_opts): must be set */
	enum svart_platform platform; /* SVART_PLATFORM_AUTO: see svart_ctx_create() */
	uint32_t flags; /* SVART_CTX_* */
	/* operations below this many bytes run on the CPU; 0: the platform's default per unit */
	uint32_t cpu_threshold;
	uint32_t fault_retries; /* partial completions resumed per operation before the CPU */
	uint32_t enqcmd_retries; /* ENQCMD retries on one WQ before trying the next */
	const char *devices; /* comma-separated device names to use ("dsa0,iax1"), or NULL */
};

/**
 * svart_ctx_create() - open a context: pick a platform, bind the address space, find WQs.
 * @opts: options, or NULL for defaults (opts->size must be set otherwise).
 * @out: the new context.
 *
 * AUTO (or $SVART_PLATFORM when AUTO) tries idxd, then sim; svart_ctx_describe()
 * says which one was chosen and why the others were not. A context is thread-safe: any
 * number of threads may run operations on it.
 *
 * Return: 0; -EINVAL (bad options: unknown flags, size too small, unknown platform name in
 * $SVART_PLATFORM); -ENODEV (the requested platform is not usable here); -ENOMEM; or the
 * error that binding the address space gave.
 */
SVART_API int svart_ctx_create(const struct svart_ctx_opts *opts, struct svart_ctx **out);

/**
 * svart_ctx_destroy() - wait for nothing, free everything; NULL is ignored.
 * @ctx: the context. No job of it may be in flight.
 */
SVART_API void svart_ctx_destroy(struct svart_ctx *ctx);

/* The platform a context runs on. */
SVART_API enum svart_platform svart_ctx_platform(const struct svart_ctx *ctx);

/* A platform's name ("sim", "idxd", ...), or "unknown". */
SVART_API const char *svart_platform_name(enum svart_platform platform);

/**
 * svart_ctx_describe() - one paragraph saying what the context uses and why.
 * @ctx: the context.
 *
 * Return: a string owned by @ctx, valid until it is destroyed.
 */
SVART_API const char *svart_ctx_describe(const struct svart_ctx *ctx);

/* ---- statistics --------------------------------------------------------------------------- */

struct svart_path_stats {
	uint64_t ops; /* operations finished on this path */
	uint64_t bytes; /* input bytes processed on this path */
};

struct svart_stats {
	uint32_t size; /* in: sizeof(struct svart_stats) */
	struct svart_path_stats path[SVART_PATH_MAX];
	uint64_t descriptors; /* descriptors submitted */
	uint64_t page_faults; /* partial completions resolved and resumed */
	uint64_t page_requests; /* I/O page requests served for the device */
	uint64_t enqcmd_retries; /* ENQCMD / write() answered "retry" */
	uint64_t cpu_fallbacks; /* operations finished on the CPU after a device attempt */
	uint64_t errors; /* operations that ended with an error */
};

/**
 * svart_ctx_stats() - counters since the context was created.
 * @ctx: the context.
 * @out: filled up to @out->size bytes (set it first).
 *
 * Return: 0, or -EINVAL when @out->size is too small for the first field.
 */
SVART_API int svart_ctx_stats(struct svart_ctx *ctx, struct svart_stats *out);

/* ---- address space ------------------------------------------------------------------------ */

/**
 * svart_as_prefault() - make [@addr, @addr + @len) present for the device ahead of use.
 * @ctx: the context.
 * @addr: start.
 * @len: bytes.
 * @write: the device will write there.
 *
 * Return: 0; -EFAULT (not mapped with that permission); -EOPNOTSUPP on a platform with nothing
 * to prefault (CPU).
 */
SVART_API int svart_as_prefault(struct svart_ctx *ctx, const void *addr, size_t len, int write);

/**
 * svart_as_invalidate() - tell svart that the mapping of [@addr, @addr + @len) changed.
 * @ctx: the context.
 * @addr: start.
 * @len: bytes.
 *
 * Needed only by programs that change mappings (munmap, mremap, mprotect, MADV_DONTNEED) of
 * memory they gave svart while svart cannot see the change itself (no userfaultfd; mprotect
 * always). Returns after the device can no longer reach the old mapping.
 *
 * Return: 0, or -errno.
 */
SVART_API int svart_as_invalidate(struct svart_ctx *ctx, const void *addr, size_t len);

/* ---- synchronous operations --------------------------------------------------------------- */

/*
 * Every operation below runs on a device WQ when one fits, else on the CPU, and returns when
 * it is finished. Common errors (each function lists its own beside these):
 *   -EINVAL     a NULL buffer with a nonzero length, overlapping buffers where the operation
 *               forbids them, unknown flags;
 *   -EOVERFLOW  a length above SIZE_MAX / 2;
 *   -EFAULT     memory that is not mapped (with the needed permission): a device page fault
 *               that faulting in cannot resolve, or the CPU path's probe;
 *   -EAGAIN     every WQ stayed full and SVART_CTX_NO_FALLBACK forbids the CPU;
 *   -SVART_EDSA(s), -SVART_EIAA(s)  a device status that the runtime cannot resolve, when
 *               SVART_CTX_NO_FALLBACK forbids finishing on the CPU.
 * A zero length is valid and does nothing (compress still produces an empty stream).
 * Nothing is written outside the destination ranges the call names.
 */

/* dst = src (overlap allowed, as memmove). */
SVART_API int svart_memmove(struct svart_ctx *ctx, void *dst, const void *src, size_t len);

/* dst[i] = byte (i % 8) of @pattern, little-endian (the DSA MEMFILL pattern). */
SVART_API int svart_memfill(struct svart_ctx *ctx, void *dst, uint64_t pattern, size_t len);

/**
 * svart_memcmp() - compare two buffers.
 * @mismatch: out (may be NULL): offset of the first differing byte; @len when equal.
 *
 * Return: 0 equal, 1 different, or a negative error.
 */
SVART_API int svart_memcmp(struct svart_ctx *ctx, const void *a, const void *b, size_t len,
			   size_t *mismatch);

/**
 * svart_crc32c() - CRC-32C (Castagnoli, RFC 3720) of @buf.
 * @seed: 0 to start; a previous result to continue (crc(A|B) = crc32c(B, seed = crc(A))).
 * @crc: out. Seed 0 over "123456789" gives 0xE3069283.
 */
SVART_API int svart_crc32c(struct svart_ctx *ctx, const void *buf, size_t len, uint32_t seed,
			   uint32_t *crc);

/* dst = src and *@crc = CRC-32C of src, as svart_crc32c(); the buffers must not overlap. */
SVART_API int svart_copy_crc32c(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
				uint32_t seed, uint32_t *crc);

/*
 * dst1 = dst2 = src. The device requires dst1 and dst2 to share address bits 11:0; other pairs
 * run on the CPU. No two of the three buffers may overlap.
 */
SVART_API int svart_dualcast(struct svart_ctx *ctx, void *dst1, void *dst2, const void *src,
			     size_t len);

/**
 * svart_delta_create() - the delta record that turns @orig into @mod (DSA format: 10-byte
 * entries, a u16 index of an 8-byte word then the word's new 8 bytes).
 * @orig, @mod: @len bytes each: a multiple of 8, at most 512 KiB (the u16 word index).
 * @delta: out, the record; @delta_max its capacity (the device needs at least 80 bytes;
 *	smaller records are made on the CPU).
 * @delta_len: out, bytes of record written (0: identical).
 *
 * Return: 0; -ENOSPC when the record does not fit in @delta_max (nothing useful written);
 * -EINVAL for lengths/alignment the format cannot express.
 */
SVART_API int svart_delta_create(struct svart_ctx *ctx, const void *orig, const void *mod,
				 size_t len, void *delta, size_t delta_max, size_t *delta_len);

/* Apply a record from svart_delta_create() to @dst (@len bytes). -EINVAL for a bad record. */
SVART_API int svart_delta_apply(struct svart_ctx *ctx, void *dst, size_t len, const void *delta,
				size_t delta_len);

/* T10 DIF (protection information: 8 bytes after each block). */
#define SVART_DIF_REF_FIXED (1u << 0) /* reference tag the same for every block */
#define SVART_DIF_APP_INC (1u << 1) /* application tag + 1 per block */
#define SVART_DIF_NO_GUARD_CHECK (1u << 2)
#define SVART_DIF_NO_REF_CHECK (1u << 3)
#define SVART_DIF_SKIP_APP_FFFF (1u << 4) /* no checks on blocks with app tag 0xFFFF */
#define SVART_DIF_SKIP_ALL_F (1u << 5) /* ... with app 0xFFFF and ref 0xFFFFFFFF */
#define SVART_DIF_FLAGS_ALL 0x3fu

struct svart_dif {
	uint32_t block_size; /* data bytes per block: 512, 520, 4096 or 4104 */
	uint32_t flags; /* SVART_DIF_* */
	uint32_t ref_tag; /* the first block's reference tag */
	uint16_t app_tag; /* the first block's application tag */
	uint16_t app_mask; /* checks: 1 bits of the application tag are not compared */
};

/*
 * DIF errors: -SVART_EDSA(0x09) (DIF_ERR) when a block fails its check; *@bad_block (where
 * given) is the index of the first failing block. Lengths must be whole blocks (-EINVAL).
 */
/* dst (len / bs * (bs + 8) bytes) = src (@len bytes of data) with tuples inserted. */
SVART_API int svart_dif_insert(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			       const struct svart_dif *dif);
/* Check @len bytes of protected data (blocks of bs + 8). */
SVART_API int svart_dif_check(struct svart_ctx *ctx, const void *src, size_t len,
			      const struct svart_dif *dif, size_t *bad_block);
/* Check and strip: dst gets the data only. */
SVART_API int svart_dif_strip(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			      const struct svart_dif *dif, size_t *bad_block);
/* Check with @in's tags, write the blocks to dst with @out's tags. */
SVART_API int svart_dif_update(struct svart_ctx *ctx, void *dst, const void *src, size_t len,
			       const struct svart_dif *in, const struct svart_dif *out,
			       size_t *bad_block);

/* svart_cache_flush() flags */
#define SVART_FLUSH_KEEP (1u << 0) /* write modified lines back but keep them cached */

/* Write back (and by default invalidate) the cache lines of [@addr, @addr + @len). */
SVART_API int svart_cache_flush(struct svart_ctx *ctx, void *addr, size_t len, unsigned int flags);

/* svart_compress() / svart_decompress() flags */
#define SVART_COMP_RAW 0x0u /* raw deflate (RFC 1951) */
#define SVART_COMP_ZLIB 0x1u /* zlib (RFC 1950) */
#define SVART_COMP_GZIP 0x2u /* gzip (RFC 1952) */
#define SVART_COMP_FRAMING_MASK 0x3u
#define SVART_COMP_FIXED (1u << 2) /* compress: fixed Huffman codes, one pass (fastest) */
#define SVART_COMP_DYNAMIC 0u /* compress: dynamic Huffman codes, two passes (default) */
#define SVART_COMP_FLAGS_ALL 0x7u

/**
 * svart_compress() - deflate @src into @dst.
 * @out_len: out, bytes written.
 *
 * On IAA the device's 4 KiB history window applies (ratio is a little lower than zlib's);
 * the output is a standard stream any inflater reads.
 *
 * Return: 0; -ENOSPC when @dst_len is too small (nothing past @dst_len written).
 */
SVART_API int svart_compress(struct svart_ctx *ctx, void *dst, size_t dst_len, const void *src,
			     size_t src_len, unsigned int flags, size_t *out_len);

/**
 * svart_decompress() - inflate @src (framing from @flags) into @dst.
 * @out_len: out, bytes written.
 *
 * Streams the device cannot take (distances beyond its 4 KiB history) finish on the CPU.
 *
 * Return: 0; -ENOSPC when the output does not fit in @dst_len; -EBADMSG for corrupt input
 * (including a bad zlib/gzip check value); nothing past @dst_len is written either way.
 */
SVART_API int svart_decompress(struct svart_ctx *ctx, void *dst, size_t dst_len, const void *src,
			       size_t src_len, unsigned int flags, size_t *out_len);

/* svart_crc64() flags, as the IAA CRC64 operation */
#define SVART_CRC64_REFLECT (1u << 0) /* LSB-first (reflected) CRC */
#define SVART_CRC64_INVERT (1u << 1) /* initial value and final XOR all ones */
#define SVART_CRC64_FLAGS_ALL 0x3u

/**
 * svart_crc64() - a 64-bit CRC with polynomial @poly (normal form, x^64 implied; a narrower
 * polynomial is given MSB-aligned, as IAA takes it).
 * E.g. CRC-64/XZ: poly 0x42F0E1EBA9EA3693, REFLECT | INVERT ("123456789" -> 0x995DC9BBDF1939FA).
 */
SVART_API int svart_crc64(struct svart_ctx *ctx, const void *buf, size_t len, uint64_t poly,
			  unsigned int flags, uint64_t *crc);

/* ---- asynchronous jobs -------------------------------------------------------------------- */

/* The outcome of a job. */
struct svart_result {
	int status; /* 0, or a negative error as the synchronous call would return */
	enum svart_path path; /* the path that finished it */
	uint32_t descriptors; /* descriptors submitted */
	uint32_t page_faults; /* partial completions resolved */
	uint32_t retries; /* ENQCMD retries */
	uint8_t dev_status; /* the last device completion status (0: none) */
	uint8_t result; /* op result: 1 = memcmp different */
	uint64_t bytes; /* input bytes processed */
	uint64_t value; /* op value: CRC, mismatch offset, output length, delta length, bad block */
};

/**
 * svart_job_alloc() - a job object for @ctx (reusable for any number of operations).
 * Return: 0 or -ENOMEM.
 */
SVART_API int svart_job_alloc(struct svart_ctx *ctx, struct svart_job **out);

/* Free a job that is not in flight; NULL is ignored. */
SVART_API void svart_job_free(struct svart_job *job);

/*
 * Prepare an operation (arguments as the synchronous calls; the output pointers of those are
 * replaced by the result's value). Return 0 or the argument error the synchronous call would
 * give; -EBUSY while the job is in flight. Buffers must stay valid until the job completes.
 */
SVART_API int svart_prep_memmove(struct svart_job *job, void *dst, const void *src, size_t len);
SVART_API int svart_prep_memfill(struct svart_job *job, void *dst, uint64_t pattern, size_t len);
SVART_API int svart_prep_memcmp(struct svart_job *job, const void *a, const void *b, size_t len);
SVART_API int svart_prep_crc32c(struct svart_job *job, const void *buf, size_t len, uint32_t seed);
SVART_API int svart_prep_copy_crc32c(struct svart_job *job, void *dst, const void *src, size_t len,
				     uint32_t seed);
SVART_API int svart_prep_dualcast(struct svart_job *job, void *dst1, void *dst2, const void *src,
				  size_t len);
SVART_API int svart_prep_delta_create(struct svart_job *job, const void *orig, const void *mod,
				      size_t len, void *delta, size_t delta_max);
SVART_API int svart_prep_delta_apply(struct svart_job *job, void *dst, size_t len,
				     const void *delta, size_t delta_len);
SVART_API int svart_prep_dif_insert(struct svart_job *job, void *dst, const void *src, size_t len,
				    const struct svart_dif *dif);
SVART_API int svart_prep_dif_check(struct svart_job *job, const void *src, size_t len,
				   const struct svart_dif *dif);
SVART_API int svart_prep_dif_strip(struct svart_job *job, void *dst, const void *src, size_t len,
				   const struct svart_dif *dif);
SVART_API int svart_prep_dif_update(struct svart_job *job, void *dst, const void *src, size_t len,
				    const struct svart_dif *in, const struct svart_dif *out);
SVART_API int svart_prep_cache_flush(struct svart_job *job, void *addr, size_t len,
				     unsigned int flags);
SVART_API int svart_prep_compress(struct svart_job *job, void *dst, size_t dst_len, const void *src,
				  size_t src_len, unsigned int flags);
SVART_API int svart_prep_decompress(struct svart_job *job, void *dst, size_t dst_len,
				    const void *src, size_t src_len, unsigned int flags);
SVART_API int svart_prep_crc64(struct svart_job *job, const void *buf, size_t len, uint64_t poly,
			       unsigned int flags);

/* Caller data carried by a job (returned by completion queues). */
SVART_API void svart_job_set_data(struct svart_job *job, void *data);
SVART_API void *svart_job_data(const struct svart_job *job);

/**
 * svart_submit() - start a prepared job.
 * Return: 0 (running; or already finished, e.g. on the CPU: svart_poll() says so); -EINVAL
 * (not prepared); -EBUSY (in flight). Errors of the operation itself arrive in the result.
 */
SVART_API int svart_submit(struct svart_job *job);

/**
 * svart_poll() - make progress without waiting.
 * Return: 0 finished (svart_job_result()), -EINPROGRESS not yet, -EINVAL never submitted.
 */
SVART_API int svart_poll(struct svart_job *job);

/**
 * svart_wait() - make progress until the job finishes or @timeout_ns passes.
 * @timeout_ns: nanoseconds; negative waits without limit.
 * Return: 0 finished, -ETIMEDOUT, -EINVAL never submitted.
 */
SVART_API int svart_wait(struct svart_job *job, int64_t timeout_ns);

/* The result of a finished job (contents undefined while it runs). */
SVART_API const struct svart_result *svart_job_result(const struct svart_job *job);

/* ---- batches ------------------------------------------------------------------------------ */

/**
 * svart_batch_alloc() - a batch of up to @max jobs, submitted together (one DSA BATCH
 * descriptor where the device can take them, else one submission each).
 * Return: 0, -EINVAL (@max 0 or above 4096), -ENOMEM.
 */
SVART_API int svart_batch_alloc(struct svart_ctx *ctx, unsigned int max, struct svart_batch **out);
SVART_API void svart_batch_free(struct svart_batch *batch);

/* Add a prepared job. -ENOSPC when full, -EBUSY while the batch is in flight. */
SVART_API int svart_batch_add(struct svart_batch *batch, struct svart_job *job);

/* Empty the batch (its jobs are not freed). -EBUSY while in flight. */
SVART_API int svart_batch_reset(struct svart_batch *batch);

/* Submit every job of the batch. 0, -EINVAL (empty), -EBUSY. */
SVART_API int svart_batch_submit(struct svart_batch *batch);

/*
 * Progress; 0 when every job finished (each job's own result tells how it went),
 * -EINPROGRESS / -ETIMEDOUT otherwise.
 */
SVART_API int svart_batch_poll(struct svart_batch *batch);
SVART_API int svart_batch_wait(struct svart_batch *batch, int64_t timeout_ns);

/* ---- completion queues -------------------------------------------------------------------- */

/**
 * svart_cq_create() - a completion queue: many jobs in flight, reaped as they finish.
 * @entries: jobs that may be in flight at once (1 .. 65536).
 * A CQ belongs to one thread at a time (no internal locking).
 * Return: 0, -EINVAL, -ENOMEM.
 */
SVART_API int svart_cq_create(struct svart_ctx *ctx, unsigned int entries, struct svart_cq **out);
SVART_API void svart_cq_destroy(struct svart_cq *cq);

/* Submit a prepared job through @cq. 0, -EBUSY (CQ full or job in flight), -EINVAL. */
SVART_API int svart_cq_submit(struct svart_cq *cq, struct svart_job *job);

/**
 * svart_cq_reap() - collect finished jobs.
 * @jobs: out, up to @max finished jobs (in completion order found).
 * @min: wait until at least this many (or the queue is empty) or @timeout_ns passes.
 * Return: the number of jobs stored (0 .. @max), or -EINVAL.
 */
SVART_API int svart_cq_reap(struct svart_cq *cq, struct svart_job **jobs, unsigned int max,
			    unsigned int min, int64_t timeout_ns);

/* Jobs in flight on @cq. */
SVART_API unsigned int svart_cq_inflight(const struct svart_cq *cq);

#ifdef __cplusplus
}
#endif

#endif /* SVART_H */
