/* SPDX-License-Identifier: MIT */
/*
 * Internal structures of the sim accelerator device core (sim/accel/). Only the files of
 * sim/accel/ and tests include this; everything else goes through sim_accel.h.
 *
 * Memory ordering of a WQ (a bounded MPMC ring after D. Vyukov):
 *  - head counts descriptors ever accepted; its bit 63 closes the WQ (disabled or draining), so
 *    a submitter's compare-and-swap on head both claims a slot and proves the WQ was open;
 *  - tail counts descriptors ever taken by engines (or aborted); occupancy = head - tail;
 *  - completed counts descriptors executed; DRAIN and the disable/drain commands wait on it;
 *  - slot.seq == position: free for the submitter of that position; == position + 1: holds
 *    that descriptor; the taker sets it to position + capacity.
 * Sleeping engines: an engine increments group.sleepers, fences, reads group.wake_seq, looks for
 * work once more and futex-waits on wake_seq; a submitter publishes its slot, fences and, only
 * if sleepers is nonzero, bumps wake_seq and wakes one engine (Dekker: one of the two sees the
 * other).
 *
 * Running an engine: whoever holds engine.claim (its thread, or a thread assisting through
 * sim_wq_assist()) is the engine: it alone picks, executes and counts, so an engine still runs
 * one descriptor at a time, in order. An engine never sleeps while work it could take is
 * visible (a WQ of its group not empty, or a descriptor an assistant deferred to it): the
 * claim's release wakes nobody.
 *
 * Present assistants (group.assistants) take the wake-up over: a submitter that sees one does
 * not wake a sleeping engine, as that thread runs the group's queue itself until it leaves,
 * and on leaving (decrement, fence, look for work) wakes an engine for what is left. The same
 * Dekker pairing as the sleepers: the submitter publishes, fences, reads assistants.
 *
 * Holders (group.holders, a completion queue with jobs in flight) are present assistants that
 * may stop assisting without leaving: submitters do not wake for them either, but an engine
 * thread only stays out while assist_calls keeps moving, takes the queue over once it has not
 * moved for ACCEL_HOLD_GRACE_NS. An engine that sees a holder as it goes to sleep sleeps with a
 * time-out and is not counted in sleepers, so submissions make no wake-up for it; one that saw
 * none is counted and woken by the next submission as usual (then sleeps with a time-out). A
 * holder's release wakes every engine, timed sleepers included, if work is queued.
 */
#ifndef SVART_SIM_ACCEL_ACCEL_INTERNAL_H
#define SVART_SIM_ACCEL_ACCEL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/accel/sim_accel.h"

#define ACCEL_CACHELINE 64
#define ACCEL_WQ_CLOSED (UINT64_C(1) << 63)
#define ACCEL_DEFAULT_SPIN_US 50u
/* A holder that has not assisted for this long is not running the queue: engines take it. */
#define ACCEL_HOLD_GRACE_NS 50000u
/* An engine's sleep while a holder exists: from this, doubling while nothing is found. */
#define ACCEL_HOLD_SLEEP_MIN_NS 50000u
#define ACCEL_HOLD_SLEEP_MAX_NS 1000000u
#define ACCEL_DRAIN_OPCODE 0x02 /* DSA_OPCODE_DRAIN == IAX_OPCODE_DRAIN */
#define ACCEL_BATCH_OPCODE 0x01 /* DSA_OPCODE_BATCH; IAA has no opcode 1 */

struct accel_slot {
	_Atomic uint64_t seq;
	uint32_t pasid;
	bool pasid_valid;
	bool priv;
	_Alignas(ACCEL_CACHELINE) unsigned char desc[IDXD_DESC_SIZE];
};

struct sim_accel_group {
	struct sim_accel_dev *dev;
	unsigned int id;
	_Alignas(ACCEL_CACHELINE) atomic_uint wake_seq; /* futex word */
	atomic_uint sleepers;
	/* Threads between sim_wq_assist_enter() and _leave(): they will run what is queued. */
	atomic_uint assistants;
	/* Holders between sim_wq_assist_hold() and _release(): they run what is queued while they
	 * keep assisting (assist_calls moves); engines take over when it stops moving. */
	atomic_uint holders;
	_Alignas(ACCEL_CACHELINE) atomic_uint assist_calls; /* sim_wq_assist() calls with work */
	/* WQs of this group that engines serve (enabled or draining), bit = WQ id. */
	atomic_uint wq_mask;
};

/* What an engine takes from a WQ. */
struct accel_item {
	_Alignas(ACCEL_CACHELINE) unsigned char desc[IDXD_DESC_SIZE];
	struct sim_accel_wq *wq;
	uint64_t pos;
	uint32_t pasid;
	bool pasid_valid;
	bool priv;
};

struct sim_accel_engine {
	struct sim_accel_dev *dev;
	unsigned int id;
	int group; /* configuration; -1: none */
	/* Run time, owned by the thread while running. */
	struct sim_accel_group *grp;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	void *state;
	unsigned int cur; /* weighted round robin: WQ being served */
	unsigned int budget; /* descriptors left for it before moving on */
	/* 1 while a thread runs the engine (see the top of this file). */
	_Alignas(ACCEL_CACHELINE) atomic_uint claim;
	/* A descriptor an assistant took but may not execute itself: the engine's thread runs it
	 * before anything else. Written under the claim. */
	atomic_bool deferred;
	struct accel_item held;
	/* Counters: written by the claim's holder, read by anyone. */
	_Alignas(ACCEL_CACHELINE) _Atomic uint64_t descs;
	_Atomic uint64_t busy_ns; /* busy periods of the engine's own thread */
	_Atomic uint64_t translations, page_requests, faults;
	_Atomic uint64_t sleeps;
	_Atomic uint64_t assisted; /* descriptors executed by assisting threads */
};

struct sim_accel_wq {
	struct sim_accel_dev *dev;
	unsigned int id;
	struct sim_wq_cfg cfg; /* under dev->lock */
	atomic_int state; /* enum sim_wq_state */

	/* Copies of cfg taken at enable: what the submit path and the engines read. */
	uint32_t rt_size, rt_thresh;
	bool rt_dedicated;
	uint32_t rt_pasid;
	bool rt_pasid_en, rt_priv;
	atomic_uchar rt_prio; /* also read by engines holding a stale WQ mask */
	uint32_t rt_retries;
	struct sim_accel_group *rt_grp;
	struct sim_exec_cfg exec_cfg;
	struct sim_exec_env env;

	struct accel_slot *slots; /* capacity = mask + 1, fixed for the WQ's life */
	uint64_t mask;

	_Alignas(ACCEL_CACHELINE) _Atomic uint64_t head; /* submitters */
	/* A tail value seen lately (never ahead of tail): spares submitters the engines' line. */
	_Atomic uint64_t tail_seen;
	_Alignas(ACCEL_CACHELINE) _Atomic uint64_t tail; /* engines */
	_Alignas(ACCEL_CACHELINE) _Atomic uint64_t completed; /* engines */
	_Atomic uint64_t aborted;
	_Alignas(ACCEL_CACHELINE) _Atomic uint64_t retries; /* slow paths */
	_Atomic uint64_t dropped;
};

struct accel_inth {
	atomic_int fd; /* -1: free */
	atomic_int users; /* engines signalling it right now */
	unsigned int index;
};

struct sim_accel_dev {
	char name[16];
	int id;
	int node;
	const struct sim_accel_type *type;
	/* The type's ops (exec is required; absent state ops mean a stateless type). */
	uint8_t (*exec)(struct sim_exec *x, const void *desc);
	int (*state_create)(void **state);
	void (*state_destroy)(void *state);
	struct sim_accel_caps caps;
	const struct sim_dma_ops *dma_ops;
	void *dma_priv;
	uint64_t spin_ns;

	pthread_mutex_t lock; /* configuration and commands */
	atomic_int state; /* enum idxd_dev_state */
	atomic_uint cmdsts;

	unsigned int nr_wqs, nr_engines, nr_groups;
	struct sim_accel_group *groups;
	struct sim_accel_engine *engines;
	struct sim_accel_wq **wqs;

	pthread_mutex_t swerr_lock;
	union idxd_swerr_reg swerr;
	int swerr_fd;

	pthread_mutex_t inth_lock;
	struct accel_inth inth[SIM_ACCEL_MAX_INT_HANDLES];

	struct sim_accel_dev *next; /* the list of live devices, by id */
	bool leaked; /* at exit, an engine did not stop in time: never free */
};

/* device.c */
/* Set the CMDSTS register: error code and result (e.g. the interrupt handle). */
void accel_set_cmdsts(struct sim_accel_dev *dev, uint8_t err, uint16_t result);
/* Set CMDSTS to @err and return its -errno (sim_accel_cmdsts_errno()). */
int accel_cmd_fail(struct sim_accel_dev *dev, uint8_t err);
/* Record a software error: the first one is kept, later ones set overflow. */
void accel_swerr_record(struct sim_accel_dev *dev, const union idxd_swerr_reg *reg);
/* Signal interrupt handle @handle; false when it is not allocated. Engines only. */
bool accel_interrupt(struct sim_accel_dev *dev, uint16_t handle);
/* True when @handle is allocated. */
bool accel_int_handle_valid(struct sim_accel_dev *dev, uint16_t handle);

/* wq.c */
/* Allocate WQ @id of @dev, disabled, with reset configuration: 0 or -ENOMEM. */
int accel_wq_create(struct sim_accel_dev *dev, unsigned int id, struct sim_accel_wq **out);
void accel_wq_destroy(struct sim_accel_wq *wq);
/* The configuration's reset values (the kernel's defaults); dev->lock held or not yet shared. */
void accel_wq_cfg_reset(struct sim_accel_wq *wq);
/* Close, then (abort and) wait for everything accepted; dev->lock held. */
void accel_wq_shutdown(struct sim_accel_wq *wq, bool abort);
/* Wait until wq->completed >= target (spin, yield, then sleep). */
void accel_wq_wait_completed(struct sim_accel_wq *wq, uint64_t target);
/* Take the descriptor at the WQ's tail into @it; false when there is none (yet). */
bool accel_wq_take(struct sim_accel_wq *wq, struct accel_item *it);
/* Whether the WQ holds a descriptor an engine could take now (a read-only look). */
bool accel_wq_ready(struct sim_accel_wq *wq);

/* engine.c */
/* Start the threads of @group's engines that are not running: 0 or -errno. dev->lock held. */
int accel_engines_start(struct sim_accel_dev *dev, int group);
/* Stop and join every running engine, destroying its executor state. dev->lock held. */
void accel_engines_stop(struct sim_accel_dev *dev);
/* Wake one (or @all) engines sleeping on @grp's futex word. */
void accel_group_wake(struct sim_accel_group *grp, bool all);

/* A monotonic clock in ns. */
uint64_t accel_now_ns(void);

static inline void accel_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif /* SVART_SIM_ACCEL_ACCEL_INTERNAL_H */
