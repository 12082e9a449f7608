/* SPDX-License-Identifier: MIT */
/*
 * The runtime's internal objects: contexts, work queues, jobs, and the platform ops tables.
 *
 *   svart_ctx ── ops (const struct rt_platform_ops: sim | idxd | vfio | cpu)
 *      │         plat (the backend's state: bound address space, fds)
 *      ├── wqs[]  struct rt_wq: one device work queue: portal, credits, limits, NUMA node
 *      └── stats  atomic counters
 *   svart_job ── op (const struct rt_op: how to build, finish, resume and CPU-run it)
 *                args, progress (offsets, running CRC), one descriptor + record in flight
 *
 * A job runs one descriptor at a time: prep a chunk from the job's progress, submit it to a
 * WQ, poll its completion record, and let the op's completion handler advance the progress
 * (success), resume after faulting in (partial completion), or give up to the CPU. Sync calls
 * are a job on the caller's stack.
 */
#ifndef SVART_RUNTIME_RT_INTERNAL_H
#define SVART_RUNTIME_RT_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enqcmd/enq_portal.h"
#include "enqcmd/idxd_hw.h"
#include "svart.h"

/* Which kind of device an operation needs. */
enum rt_unit {
	RT_UNIT_DSA = 0,
	RT_UNIT_IAA,
	RT_UNIT_NR,
};

struct svart_ctx;
struct rt_wq;

/* One device work queue as the runtime uses it. */
struct rt_wq {
	struct svart_ctx *ctx;
	char name[72]; /* "dsa0/wq0.1": device and WQ names of up to 31 characters */
	enum rt_unit unit;
	bool dedicated;
	bool bof; /* block_on_fault enabled: descriptors may set BOF */
	uint32_t size; /* entries */
	uint64_t max_xfer; /* bytes per descriptor */
	uint32_t max_batch; /* descriptors per BATCH; 0: no batches (IAA) */
	uint16_t version; /* device version, 0x100 / 0x200 */
	bool overlap_copy; /* GENCAP.overlap_copy */
	int node; /* NUMA node, -1 unknown */
	uint8_t opcap[32]; /* opcodes the WQ accepts */
	struct enq_portal portal;
	struct enq_credits credits; /* dedicated WQs: MOVDIR64B must never overflow */
	void *plat; /* the backend's (sim: struct sim_accel_wq *, idxd: fd) */
	atomic_uint_fast64_t submitted, retries;
};

static inline bool rt_wq_has_op(const struct rt_wq *wq, uint8_t opcode)
{
	return wq->opcap[opcode / 8] & (1u << (opcode % 8));
}

/* What a waiting thread tells the platform (rt_platform_ops.assist). */
enum rt_assist {
	RT_ASSIST_RUN, /* waiting for @wq now: run queued work if the device lets this thread */
	RT_ASSIST_ENTER, /* about to submit to @wq and wait until done: no wake-up needed */
	RT_ASSIST_LEAVE, /* done waiting after an ENTER on @wq */
	/* A completion queue has jobs in flight on @wq and will RUN while it reaps them; it may
	 * stop reaping without RELEASE (the device then runs them itself after a while). */
	RT_ASSIST_HOLD,
	RT_ASSIST_RELEASE, /* no more jobs of that queue on @wq */
};

/* A platform backend. Every op is set: the ones a platform lacks return -EOPNOTSUPP. */
struct rt_platform_ops {
	const char *name;
	enum svart_platform platform;
	enum svart_path path; /* what its WQs count as */
	/* Operations below this many bytes run on the CPU unless the caller set a threshold. */
	uint32_t cpu_threshold[RT_UNIT_NR];
	/* Find WQs (rt_ctx_add_wq()), bind the address space. Explains failures in ctx->why. */
	int (*open)(struct svart_ctx *ctx);
	/* Undo open; WQs are freed by the core afterwards. */
	void (*close)(struct svart_ctx *ctx);
	/* Serve pending I/O page requests without waiting: number served, 0, or -errno. */
	int (*service)(struct svart_ctx *ctx);
	/*
	 * Make the range present for the device behind @wq (NULL: every device), after a partial
	 * completion or as a hint. -EFAULT when it is not mapped with that permission.
	 */
	int (*prefault)(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
			bool write);
	/* The process changed the mapping of the range. */
	int (*invalidate)(struct svart_ctx *ctx, const void *addr, size_t len);
	/*
	 * A thread waiting for a descriptor on @wq lends itself to the device (sim: it runs an
	 * idle engine's loop, docs/SUBMISSION.md "Assisted waits"). RUN: descriptors executed or
	 * 0; ENTER/LEAVE bracket a submit-and-wait, HOLD/RELEASE a completion queue's jobs in
	 * flight: 0. -EOPNOTSUPP on hardware (nothing to lend).
	 */
	int (*assist)(struct svart_ctx *ctx, struct rt_wq *wq, enum rt_assist step);
};

extern const struct rt_platform_ops rt_platform_sim;
extern const struct rt_platform_ops rt_platform_idxd;
extern const struct rt_platform_ops rt_platform_vfio;
extern const struct rt_platform_ops rt_platform_cpu;

/* Shared op implementations for backends. */
int rt_plat_eopnotsupp_service(struct svart_ctx *ctx);
int rt_plat_populate(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
		     bool write);
int rt_plat_eopnotsupp_invalidate(struct svart_ctx *ctx, const void *addr, size_t len);
int rt_plat_eopnotsupp_assist(struct svart_ctx *ctx, struct rt_wq *wq, enum rt_assist step);

/* Resolved options (struct svart_ctx_opts + environment + defaults). */
struct rt_opts {
	enum svart_platform platform;
	uint32_t flags;
	uint32_t cpu_threshold;
	uint32_t fault_retries;
	uint32_t enqcmd_retries;
	uint32_t fault_window; /* bytes faulted in after a partial completion */
	bool block_on_fault; /* set BOF where the WQ allows it */
	bool comp_dynamic_default;
	char devices[128];
	int log_level;
};

/*
 * Default CPU thresholds (bytes; smaller operations run on the CPU), per unit. DSA: Intel's
 * DSA Transparent Offload library (DTO) ships DTO_MIN_BYTES=8192 as its tuned value for
 * memcpy/memset/memcmp on Sapphire Rapids. IAA: the kernel's iaa_crypto offloads single 4 KiB
 * pages (zswap), so a page is worth the device. sim takes the same values so that a program
 * makes on sim the choices it will make on hardware (docs/API.md, "CPU threshold").
 */
#define RT_DEF_CPU_THRESHOLD_DSA 8192u
#define RT_DEF_CPU_THRESHOLD_IAA 4096u
#define RT_DEF_FAULT_RETRIES 64u
#define RT_DEF_ENQCMD_RETRIES 32u
#define RT_DEF_FAULT_WINDOW (256u << 10)

struct rt_stats {
	atomic_uint_fast64_t ops[SVART_PATH_MAX], bytes[SVART_PATH_MAX];
	atomic_uint_fast64_t descriptors, page_faults, page_requests, enqcmd_retries;
	atomic_uint_fast64_t cpu_fallbacks, errors;
};

/*
 * The per-job counts of struct rt_stats kept by one thread without atomics (a completion
 * queue's, which belongs to one thread at a time) and added to the context's in one go
 * (rt_counts_fold()): a queue's jobs cost no locked instruction on the context's shared line.
 */
struct rt_counts {
	uint64_t ops[SVART_PATH_MAX], bytes[SVART_PATH_MAX];
	uint64_t descriptors, errors;
	bool any; /* something to fold */
};

/* Add @c to @ctx's counters and zero it. */
void rt_counts_fold(struct svart_ctx *ctx, struct rt_counts *c);

#define RT_MAX_WQS 64

struct svart_ctx {
	const struct rt_platform_ops *ops;
	void *plat;
	struct rt_opts opts;
	struct rt_wq *wqs[RT_MAX_WQS];
	unsigned int nr_wqs;
	unsigned int nr_unit[RT_UNIT_NR];
	uint64_t generation; /* placement caches compare it */
	uint32_t cpu_threshold[RT_UNIT_NR]; /* opts.cpu_threshold, else the platform's */
	struct rt_stats stats;
	char why[1024];
	uint64_t id; /* process-unique, never reused: per-thread caches compare it */
	enum svart_path path; /* what this context's WQs count as */
	void *iaa_fixed_aecs; /* lazily built, shared read-only */
	struct svart_cq *cqs; /* its completion queues (they hold WQs), under lock */
	pthread_mutex_t lock;
};

/* ---- context helpers ---------------------------------------------------------------------- */

/* Add a WQ found by a backend; the core owns it from here. -ENOSPC when full. */
int rt_ctx_add_wq(struct svart_ctx *ctx, struct rt_wq *wq);
/*
 * @ctx is going away: its completion queues give back the WQs they hold and forget it (a queue
 * may still be destroyed afterwards). Before the platform closes.
 */
void rt_cq_ctx_destroy(struct svart_ctx *ctx);
/* Append a sentence to ctx->why. */
void rt_ctx_explain(struct svart_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Logging (SVART_LOG=error|warn|info|debug), to stderr. */
enum { RT_LOG_ERROR = 0, RT_LOG_WARN, RT_LOG_INFO, RT_LOG_DEBUG };
void rt_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_log_level(void);

/* Options from the environment: fills what @o leaves default. 0 or -EINVAL (message logged). */
int rt_opts_resolve(const struct svart_ctx_opts *in, struct rt_opts *o);

/*
 * Serve the device's pending page requests (ops->service()) and count what was served in
 * the context's page_requests: the one place that counts them, whatever the platform.
 */
static inline int rt_ctx_service(struct svart_ctx *ctx)
{
	int served = ctx->ops->service(ctx);

	if (served > 0)
		atomic_fetch_add_explicit(&ctx->stats.page_requests, (unsigned int)served,
					  memory_order_relaxed);
	return served;
}

/* ---- placement ---------------------------------------------------------------------------- */

/* The WQ for a job of @unit from this thread, near @node (-1: the calling CPU's node). */
struct rt_wq *rt_place_pick(struct svart_ctx *ctx, enum rt_unit unit, const void *buf);
/* The ordered candidates for @unit near @node: up to @max WQs, nearest first. Testable. */
unsigned int rt_place_order(struct svart_ctx *ctx, enum rt_unit unit, int node, struct rt_wq **out,
			    unsigned int max);
/* The next WQ after @wq for @unit (round robin over all), or NULL if only @wq exists. */
struct rt_wq *rt_place_next(struct svart_ctx *ctx, struct rt_wq *wq);
/*
 * The NUMA node of the memory at @buf, or -1 if unknown: get_mempolicy(MPOL_F_NODE |
 * MPOL_F_ADDR) by default (0 without a system call on a one-node host). Never NULL; tests
 * point it elsewhere to place buffers on nodes this host lacks.
 */
extern int (*rt_place_mem_node)(const void *buf);

/* ---- jobs --------------------------------------------------------------------------------- */

enum rt_op_id {
	RT_OP_NONE = 0,
	RT_OP_MEMMOVE,
	RT_OP_MEMFILL,
	RT_OP_MEMCMP,
	RT_OP_CRC32C,
	RT_OP_COPY_CRC32C,
	RT_OP_DUALCAST,
	RT_OP_DELTA_CREATE,
	RT_OP_DELTA_APPLY,
	RT_OP_DIF_INSERT,
	RT_OP_DIF_CHECK,
	RT_OP_DIF_STRIP,
	RT_OP_DIF_UPDATE,
	RT_OP_CACHE_FLUSH,
	RT_OP_COMPRESS,
	RT_OP_DECOMPRESS,
	RT_OP_CRC64,
	RT_OP_NR,
};

struct rt_args {
	void *dst, *dst2;
	const void *src, *src2;
	size_t len; /* input bytes */
	size_t dst_len; /* compress/decompress output capacity, delta_max */
	uint64_t pattern; /* memfill; crc64 poly */
	uint32_t seed; /* crc32c */
	unsigned int flags;
	struct svart_dif dif, dif_out;
};

enum rt_job_state {
	RT_JOB_IDLE = 0, /* nothing prepared */
	RT_JOB_PREPARED,
	RT_JOB_RUNNING, /* a descriptor in flight */
	RT_JOB_DONE,
};

/* What the op's completion handler decided. */
enum rt_step {
	RT_STEP_NEXT, /* progress made: submit the next chunk, or done if nothing is left */
	RT_STEP_DONE, /* finished (result set) */
	RT_STEP_FAULT, /* partial completion at job->fault_addr: fault in, then resume */
	RT_STEP_CPU, /* the device cannot do (the rest of) it: finish on the CPU */
	RT_STEP_ERROR, /* finished with job->res.status */
};

struct svart_job;

/* How one operation runs. */
struct rt_op {
	const char *name;
	enum rt_unit unit;
	uint8_t opcode;
	/*
	 * Build the descriptor for the next chunk from the job's progress. Return 0, or
	 * RT_STEP_CPU-worthy -EOPNOTSUPP when this WQ cannot do it.
	 */
	int (*prep)(struct svart_job *job, struct rt_wq *wq);
	/* Interpret the completion record of the chunk in flight. */
	enum rt_step (*complete)(struct svart_job *job, struct rt_wq *wq, uint8_t status);
	/* Finish the rest (from the job's progress) on the CPU; sets res.status and value. */
	void (*cpu)(struct svart_job *job);
	/* Whether anything is left for the device. */
	bool (*pending)(const struct svart_job *job);
};

extern const struct rt_op *const rt_ops_dsa[RT_OP_NR];
extern const struct rt_op *const rt_ops_iaa[RT_OP_NR];

struct svart_job {
	/* Descriptor and record first: they need their alignment and are the hot data. */
	alignas(64) union {
		struct dsa_hw_desc dsa;
		struct iax_hw_desc iax;
		uint8_t raw[64];
	} desc;
	alignas(64) union {
		struct dsa_completion_record dsa;
		struct iax_completion_record iax;
		uint8_t raw[64];
	} cr;
	struct svart_ctx *ctx;
	const struct rt_op *op;
	enum rt_op_id op_id;
	enum rt_job_state state;
	struct rt_args a;
	/* Progress. */
	uint64_t off; /* input bytes done */
	uint64_t out_off; /* output bytes done (delta, compress, DIF) */
	uint64_t chunk; /* input bytes of the descriptor in flight */
	uint32_t crc; /* running CRC-32C */
	uint64_t crc64;
	uint64_t fault_addr;
	bool fault_write;
	unsigned int fault_tries; /* partial completions since the last progress */
	uint64_t fault_off, fault_out_off; /* progress at the last partial completion */
	struct rt_wq *wq;
	bool on_credit; /* holds a credit of wq */
	bool assist; /* a synchronous run: submissions are announced (RT_ASSIST_ENTER) */
	struct rt_wq *assist_wq; /* where the announcement is, until RT_ASSIST_LEAVE */
	/* Op scratch (IAA: AECS, framing state). */
	void *aecs;
	uint8_t frame_hdr; /* bytes of framing header already written */
	uint32_t adler;
	struct svart_result res;
	void *user_data;
	/* Completion queue / batch membership. */
	struct svart_cq *cq;
	struct rt_counts *counts; /* the queue's counts while in one, else NULL (atomics) */
	struct svart_job *next;
	bool heap; /* from svart_job_alloc() */
};

void rt_job_init(struct svart_job *job, struct svart_ctx *ctx);
void rt_job_fini(struct svart_job *job);
/* Validate and store an operation; -errno for bad arguments. */
int rt_job_prep(struct svart_job *job, enum rt_op_id op, const struct rt_args *a);
/* Start; errors of the operation land in job->res. */
int rt_job_submit(struct svart_job *job);
/*
 * Hand the prepared descriptor to @wq (credits, bounded ENQCMD retries): 0, -EAGAIN, -errno.
 * On success the job is on @wq (job->wq) but its state is the caller's to set.
 */
int rt_job_submit_wq(struct svart_job *job, struct rt_wq *wq);
/* Prepare and submit the job's next chunk, with fail-over and CPU fallback. */
void rt_job_issue(struct svart_job *job);
/* Reset a prepared job's progress and result for a new run. */
void rt_job_reset(struct svart_job *job);
/* Progress without waiting: 0 done, -EINPROGRESS. */
int rt_job_poll(struct svart_job *job);
/* Progress until done or the deadline (CLOCK_MONOTONIC ns; 0 = none): 0 or -ETIMEDOUT. */
int rt_job_wait(struct svart_job *job, uint64_t deadline_ns);
/* Run to completion and return res.status (sync calls). */
int rt_job_run(struct svart_job *job);
/*
 * The calling thread's job for synchronous calls on @ctx: allocated once per thread, its
 * completion record registered with the device (prefaulted) so the device can always write it.
 */
struct svart_job *rt_job_sync(struct svart_ctx *ctx);

uint64_t rt_now_ns(void);
/* Wait a little in a polling loop: pause, then yield, then short sleeps as @spin grows. */
void rt_idle(unsigned int spin);

/* Op helpers. */
void rt_job_finish(struct svart_job *job, int status, enum svart_path path);
/*
 * A device status an op does not handle itself: the job goes to the CPU (RT_STEP_CPU; with
 * SVART_CTX_NO_FALLBACK the error below), e.g. a status that says this WQ cannot run it.
 */
enum rt_step rt_job_dev_error(struct svart_job *job, uint8_t status);
/* The -SVART_EDSA/-SVART_EIAA code of a completion status (write bit removed). */
static inline int rt_dev_status_error(enum rt_unit unit, uint8_t status)
{
	return unit == RT_UNIT_IAA ? -SVART_EIAA(status) : -SVART_EDSA(status);
}

#endif /* SVART_RUNTIME_RT_INTERNAL_H */
