// SPDX-License-Identifier: MIT
/*
 * Engines: one thread each, serving the WQs of its group.
 *
 * An engine takes descriptors in order and executes each to completion before the next (in
 * order per engine). Among the group's WQs it arbitrates by weighted round robin: a WQ of
 * priority p is served up to p descriptors in a row while it has work, then the next WQ's turn
 * comes. A DRAIN waits, before it executes, until everything its WQ accepted earlier has
 * completed (scope: the WQ; see docs/SIM_DEVICES.md).
 *
 * Idle engines busy-poll for dev->spin_ns, then sleep on the group's futex word until a
 * submitter wakes them; a loaded device runs without a system call per descriptor.
 *
 * An engine is run by whoever holds its claim: its own thread, or a thread waiting for a
 * completion that assists through sim_wq_assist() (docs/SIM_DEVICES.md, "Assisted
 * execution"). Only which host thread runs the device model changes: the descriptor is taken
 * from the WQ, arbitrated, executed and completed exactly as the engine's thread would.
 */
#include "sim/accel/accel_internal.h"
#include "sim/sim_numa.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <numa.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t accel_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wait for a change of @word from @val, at most @timeout_ns (0: no limit). */
static void engine_futex_wait(atomic_uint *word, unsigned int val, uint64_t timeout_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(timeout_ns / 1000000000u),
			       .tv_nsec = (long)(timeout_ns % 1000000000u) };

	/* EINTR / EAGAIN / ETIMEDOUT just mean "look again". */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, timeout_ns ? &ts : NULL, NULL, 0);
}

void accel_group_wake(struct sim_accel_group *grp, bool all)
{
	atomic_fetch_add_explicit(&grp->wake_seq, 1, memory_order_release);
	syscall(SYS_futex, &grp->wake_seq, FUTEX_WAKE_PRIVATE, all ? INT_MAX : 1, NULL, NULL, 0);
}

/* The next WQ id after @cur in @mask, cyclically (@mask nonzero). */
static unsigned int engine_next_wq(unsigned int mask, unsigned int cur)
{
	unsigned int above = cur + 1 < 32 ? mask & ~((2u << cur) - 1) : 0;

	return (unsigned int)__builtin_ctz(above ? above : mask);
}

/* Bits set in @x; the builtin is a library call without -mpopcnt. */
static unsigned int engine_popcount(unsigned int x)
{
	unsigned int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static bool engine_pick(struct sim_accel_engine *eng, struct accel_item *it)
{
	struct sim_accel_dev *dev = eng->dev;
	unsigned int mask = atomic_load_explicit(&eng->grp->wq_mask, memory_order_acquire);

	if (!mask)
		return false;
	for (unsigned int n = engine_popcount(mask) + 1; n > 0; n--) {
		if (eng->budget && ((mask >> eng->cur) & 1) &&
		    accel_wq_take(dev->wqs[eng->cur], it)) {
			eng->budget--;
			return true;
		}
		eng->cur = engine_next_wq(mask, eng->cur);
		eng->budget =
			atomic_load_explicit(&dev->wqs[eng->cur]->rt_prio, memory_order_relaxed);
	}
	return false;
}

static void engine_count(_Atomic uint64_t *c, uint64_t n)
{
	/* Single writer: a plain read-modify-write, no locked instruction. */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static void engine_run(struct sim_accel_engine *eng, struct accel_item *it, bool assist)
{
	struct sim_accel_dev *dev = eng->dev;
	struct sim_accel_wq *wq = it->wq;
	struct sim_dma dma;
	struct sim_exec x;

	if (it->desc[7] == ACCEL_DRAIN_OPCODE)
		accel_wq_wait_completed(wq, it->pos);
	sim_dma_init(&dma, dev->dma_ops, dev->dma_priv);
	dma.pasid = it->pasid;
	dma.pasid_valid = it->pasid_valid;
	dma.priv_req = it->priv;
	memset(&x, 0, sizeof(x));
	x.dma = &dma;
	x.cfg = &wq->exec_cfg;
	x.env = &wq->env;
	x.state = eng->state;
	dev->exec(&x, it->desc);
	atomic_fetch_add_explicit(&wq->completed, 1, memory_order_release);
	engine_count(&eng->descs, 1);
	if (assist)
		engine_count(&eng->assisted, 1);
	engine_count(&eng->translations, dma.translations);
	if (dma.page_requests)
		engine_count(&eng->page_requests, dma.page_requests);
	if (dma.faults)
		engine_count(&eng->faults, dma.faults);
}

static void engine_bind(struct sim_accel_engine *eng)
{
	struct sim_accel_dev *dev = eng->dev;
	char name[16];

	snprintf(name, sizeof(name), "%.8s/e%u", dev->name, eng->id);
	pthread_setname_np(pthread_self(), name);
	/* A node this machine has: run there. Others (sim configs with more nodes than the host)
	 * are only a label for placement. */
	if (dev->node >= 0 && numa_available() >= 0 && dev->node <= numa_max_node())
		numa_run_on_node(dev->node);
}

static bool engine_claim(struct sim_accel_engine *eng)
{
	/* A plain load first: a held claim costs the looker no exclusive cache line. */
	return !atomic_load_explicit(&eng->claim, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&eng->claim, 1, memory_order_acquire);
}

static void engine_unclaim(struct sim_accel_engine *eng)
{
	atomic_store_explicit(&eng->claim, 0, memory_order_release);
}

/* Whether a WQ of @grp holds a descriptor (a read-only look). */
static bool group_has_work(struct sim_accel_dev *dev, struct sim_accel_group *grp)
{
	unsigned int mask = atomic_load_explicit(&grp->wq_mask, memory_order_acquire);

	for (; mask; mask &= mask - 1)
		if (accel_wq_ready(dev->wqs[__builtin_ctz(mask)]))
			return true;
	return false;
}

/* What the engine's thread saw of the group's holders (engine_has_work()). */
struct engine_watch {
	uint64_t since; /* when assist_calls was last seen to move; 0: not watching */
	unsigned int calls; /* its value then */
};

/*
 * Work for this engine's thread: a deferred descriptor, or a WQ of its group not empty while
 * no assistant is present and no holder is assisting. A present assistant runs the queue
 * itself (on the CPU that waits for it, with its caches) and wakes an engine for what it
 * leaves behind; the thread staying out of its way spares both a race for the claim and, on a
 * machine with few cores, the CPU. A holder (a completion queue) is given the same room while
 * it keeps calling sim_wq_assist(); once it has not for ACCEL_HOLD_GRACE_NS (its thread is busy
 * elsewhere, or preempted), the queue is the engine's again.
 */
static bool engine_has_work(struct sim_accel_engine *eng, struct engine_watch *w)
{
	struct sim_accel_group *grp = eng->grp;
	unsigned int calls;
	uint64_t now;

	if (atomic_load_explicit(&eng->deferred, memory_order_acquire))
		return true;
	if (atomic_load_explicit(&grp->assistants, memory_order_relaxed))
		return false;
	if (!atomic_load_explicit(&grp->holders, memory_order_relaxed)) {
		w->since = 0;
		return group_has_work(eng->dev, grp);
	}
	calls = atomic_load_explicit(&grp->assist_calls, memory_order_relaxed);
	now = accel_now_ns();
	if (!w->since || calls != w->calls) {
		w->calls = calls;
		w->since = now;
		return false;
	}
	return now - w->since >= ACCEL_HOLD_GRACE_NS && group_has_work(eng->dev, grp);
}

/* The engine's thread is in the way: an assistant arrived, or a holder assists again. */
static bool engine_thread_yields(struct sim_accel_engine *eng, const struct engine_watch *w)
{
	struct sim_accel_group *grp = eng->grp;

	return atomic_load_explicit(&grp->assistants, memory_order_relaxed) ||
	       (atomic_load_explicit(&grp->holders, memory_order_relaxed) &&
		atomic_load_explicit(&grp->assist_calls, memory_order_relaxed) != w->calls);
}

/*
 * Whether an assisting thread may execute @it itself. It must never wait for something only
 * its own caller could provide: a page request is answered by the runtime's fault service,
 * which runs inline in waiting threads, the assistant's caller included. So descriptors that
 * may make page requests stay with the engine's thread: BOF set, a BATCH (its list and its
 * descriptors' records), or a completion record that does not translate now (writing it would
 * make a page request). The record's look-up is an IOTLB hit the execution repeats.
 */
static bool engine_assist_may_run(struct sim_accel_engine *eng, const struct accel_item *it)
{
	struct sim_accel_dev *dev = eng->dev;
	uint32_t flags =
		(uint32_t)it->desc[4] | (uint32_t)it->desc[5] << 8 | (uint32_t)it->desc[6] << 16;
	uint64_t rec, run;
	struct sim_dma dma;
	void *host;

	if ((flags & IDXD_OP_FLAG_BOF) || it->desc[7] == ACCEL_BATCH_OPCODE)
		return false;
	if (!(flags & IDXD_OP_FLAG_CRAV))
		return true;
	memcpy(&rec, it->desc + 8, sizeof(rec));
	sim_dma_init(&dma, dev->dma_ops, dev->dma_priv);
	dma.pasid = it->pasid;
	dma.pasid_valid = it->pasid_valid;
	dma.priv_req = it->priv;
	return !sim_dma_run(&dma, rec, 1, SIM_DMA_WRITE, &host, &run);
}

/*
 * Run the engine while holding its claim: a deferred descriptor first (engine thread only),
 * then what arbitration picks, up to @max descriptors. The engine's thread (@w set) stops
 * early for an assistant (engine_thread_yields()). Return how many were executed.
 */
static unsigned int engine_serve(struct sim_accel_engine *eng, bool assist, unsigned int max,
				 const struct engine_watch *w)
{
	struct accel_item it;
	unsigned int n = 0;

	if (atomic_load_explicit(&eng->deferred, memory_order_acquire)) {
		if (assist)
			return 0; /* it goes first, and only the engine's thread may run it */
		engine_run(eng, &eng->held, false);
		atomic_store_explicit(&eng->deferred, false, memory_order_release);
		n++;
	}
	while (n < max && !(w && engine_thread_yields(eng, w)) && engine_pick(eng, &it)) {
		if (assist && !engine_assist_may_run(eng, &it)) {
			eng->held = it;
			atomic_store_explicit(&eng->deferred, true, memory_order_release);
			/* Pairs with the sleeper's increment + fence before it looks for work. The
			 * futex word is the group's: wake them all so that this engine is one. */
			atomic_thread_fence(memory_order_seq_cst);
			if (atomic_load_explicit(&eng->grp->sleepers, memory_order_relaxed) ||
			    atomic_load_explicit(&eng->grp->holders, memory_order_relaxed))
				accel_group_wake(eng->grp, true);
			break;
		}
		engine_run(eng, &it, assist);
		n++;
	}
	return n;
}

static void *engine_main(void *arg)
{
	struct sim_accel_engine *eng = arg;
	struct sim_accel_group *grp = eng->grp;
	uint64_t busy_start = 0, spin_start = 0, hold_sleep = ACCEL_HOLD_SLEEP_MIN_NS;
	struct engine_watch w = { 0 };
	unsigned int spins = 0;

	engine_bind(eng);
	for (;;) {
		unsigned int done = 0;

		if (engine_has_work(eng, &w) && engine_claim(eng)) {
			if (!busy_start)
				busy_start = accel_now_ns();
			done = engine_serve(eng, false, UINT_MAX, &w);
			engine_unclaim(eng);
		}
		if (done) {
			spin_start = 0;
			hold_sleep = ACCEL_HOLD_SLEEP_MIN_NS;
			continue;
		}
		if (busy_start) {
			atomic_fetch_add_explicit(&eng->busy_ns, accel_now_ns() - busy_start,
						  memory_order_relaxed);
			busy_start = 0;
		}
		/* Engines stop once their WQs are drained; a deferred descriptor is not yet
		 * completed, so none is left then, but the thread never abandons one. */
		if (atomic_load_explicit(&eng->stop, memory_order_acquire) &&
		    !atomic_load_explicit(&eng->deferred, memory_order_acquire))
			break;
		if (!spin_start) {
			spin_start = accel_now_ns();
			spins = 0;
		}
		/* A holder's engine does not spin: the holder runs the queue, and a timed sleep
		 * looks again soon enough (the spin would take a CPU the holder may want). */
		if (!atomic_load_explicit(&grp->holders, memory_order_relaxed) &&
		    ((++spins & 63) || accel_now_ns() - spin_start < eng->dev->spin_ns)) {
			accel_cpu_relax();
			continue;
		}
		/*
		 * Sleep, unless work or a stop arrived after we announced it. While the group has
		 * a holder, a holder may stop assisting without leaving: sleep with a time-out
		 * (longer the longer nothing is found), not counted in sleepers, so that
		 * submissions need no wake-up (accel_internal.h).
		 */
		bool held = atomic_load_explicit(&grp->holders, memory_order_relaxed);

		if (!held)
			atomic_fetch_add(&grp->sleepers, 1);
		atomic_thread_fence(memory_order_seq_cst);
		unsigned int seq = atomic_load_explicit(&grp->wake_seq, memory_order_acquire);

		if (engine_has_work(eng, &w)) {
			/* Work but no claim: a passing assistant runs the engine. Its release wakes
			 * nobody, so look again rather than sleep. (A present one wakes us as it
			 * leaves: sleeping is safe then; accel_internal.h.) */
			if (!held)
				atomic_fetch_sub(&grp->sleepers, 1);
			sched_yield();
			continue;
		}
		if (!atomic_load(&eng->stop)) {
			engine_futex_wait(&grp->wake_seq, seq, held ? hold_sleep : 0);
			if (held && hold_sleep < ACCEL_HOLD_SLEEP_MAX_NS)
				hold_sleep *= 2;
			engine_count(&eng->sleeps, 1);
		}
		if (!held)
			atomic_fetch_sub(&grp->sleepers, 1);
		spin_start = 0;
	}
	return NULL;
}

void sim_wq_assist_enter(void *wqp)
{
	struct sim_accel_wq *wq = wqp;

	/* Before the caller's submission, which then spares the wake-up. The group is the one
	 * of the WQ's last enable (a WQ never enabled has none; leave matches). */
	if (wq->rt_grp)
		atomic_fetch_add_explicit(&wq->rt_grp->assistants, 1, memory_order_relaxed);
}

void sim_wq_assist_leave(void *wqp)
{
	struct sim_accel_wq *wq = wqp;
	struct sim_accel_dev *dev = wq->dev;
	struct sim_accel_group *grp = wq->rt_grp;

	if (!grp)
		return;
	atomic_fetch_sub_explicit(&grp->assistants, 1, memory_order_relaxed);
	/* Pairs with a submitter's publish + fence + read of assistants (accel_internal.h). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&grp->sleepers, memory_order_relaxed) && group_has_work(dev, grp))
		accel_group_wake(grp, false);
}

void sim_wq_assist_hold(void *wqp)
{
	struct sim_accel_wq *wq = wqp;
	struct sim_accel_group *grp = wq->rt_grp;

	if (!grp)
		return;
	/* No wake-up: an engine asleep without a time-out (it saw no holder) is still counted in
	 * sleepers, so the holder's next submission wakes it, and it sleeps with one after. */
	atomic_fetch_add_explicit(&grp->holders, 1, memory_order_relaxed);
}

void sim_wq_assist_release(void *wqp)
{
	struct sim_accel_wq *wq = wqp;
	struct sim_accel_group *grp = wq->rt_grp;
	unsigned int h;

	if (!grp)
		return;
	/* Never below 0: a forked child's devices start with none, its queues may still hold. */
	h = atomic_load_explicit(&grp->holders, memory_order_relaxed);
	while (h && !atomic_compare_exchange_weak_explicit(
			    &grp->holders, &h, h - 1, memory_order_relaxed, memory_order_relaxed))
		;
	/* As a present assistant's leave: whatever is still queued gets an engine, also one in a
	 * timed sleep (not counted in sleepers). */
	atomic_thread_fence(memory_order_seq_cst);
	if (group_has_work(wq->dev, grp))
		accel_group_wake(grp, true);
}

int sim_wq_assist(void *wqp, unsigned int max)
{
	struct sim_accel_wq *wq = wqp;
	struct sim_accel_dev *dev = wq->dev;
	struct sim_accel_group *grp;

	/* An open head makes the rt_* copies visible (acquire pairs with enable's release). */
	if (atomic_load_explicit(&wq->head, memory_order_acquire) & ACCEL_WQ_CLOSED)
		return 0;
	grp = wq->rt_grp;
	/* The whole group: its engine serves all of its WQs, and sleeps while we are present. */
	if (!max || !group_has_work(dev, grp))
		return 0;
	/* A holder's sign of life: an engine's thread leaves the queue to it (and stops serving
	 * it, so that the claim below is free next time). Only the holders' engines read it. */
	if (atomic_load_explicit(&grp->holders, memory_order_relaxed))
		atomic_fetch_add_explicit(&grp->assist_calls, 1, memory_order_relaxed);
	for (unsigned int i = 0; i < dev->nr_engines; i++) {
		struct sim_accel_engine *eng = &dev->engines[i];
		unsigned int n;

		if (eng->group != (int)grp->id || !engine_claim(eng))
			continue;
		/* A stopping engine's state is going away; one never started has no group. */
		if (atomic_load_explicit(&eng->stop, memory_order_acquire) || eng->grp != grp) {
			engine_unclaim(eng);
			continue;
		}
		n = engine_serve(eng, true, max, NULL);
		engine_unclaim(eng);
		return (int)n;
	}
	return 0;
}

int accel_engines_start(struct sim_accel_dev *dev, int group)
{
	sigset_t all, old;
	int ret = 0;

	/* Engine threads take no process signals except the synchronous ones sim_guard needs. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sim_numa_warm(); /* before engine threads race to fill libnuma's cache */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned int i = 0; i < dev->nr_engines; i++) {
		struct sim_accel_engine *eng = &dev->engines[i];

		if (eng->group != group || eng->running)
			continue;
		/* No assistant runs it until its state exists (stop is false on a new engine). */
		atomic_store(&eng->stop, true);
		eng->grp = &dev->groups[group];
		eng->cur = 0;
		eng->budget = 0;
		/* Nobody runs a stopped engine; a forked child may inherit a claim mid-flight. */
		atomic_store(&eng->claim, 0);
		atomic_store(&eng->deferred, false);
		eng->state = NULL;
		ret = dev->state_create(&eng->state);
		if (ret)
			break;
		/* Assistants may run it from here (release: its state and group are set). */
		atomic_store_explicit(&eng->stop, false, memory_order_release);
		ret = -pthread_create(&eng->thread, NULL, engine_main, eng);
		if (ret) {
			atomic_store(&eng->stop, true);
			while (!engine_claim(eng))
				accel_cpu_relax();
			dev->state_destroy(eng->state);
			eng->state = NULL;
			engine_unclaim(eng);
			break;
		}
		eng->running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void accel_engines_stop(struct sim_accel_dev *dev)
{
	for (unsigned int i = 0; i < dev->nr_engines; i++)
		if (dev->engines[i].running)
			atomic_store(&dev->engines[i].stop, true);
	for (unsigned int g = 0; g < dev->nr_groups; g++)
		accel_group_wake(&dev->groups[g], true);
	for (unsigned int i = 0; i < dev->nr_engines; i++) {
		struct sim_accel_engine *eng = &dev->engines[i];

		if (!eng->running)
			continue;
		pthread_join(eng->thread, NULL);
		/* An assistant that claimed before the stop finishes its descriptor first. */
		while (!engine_claim(eng))
			accel_cpu_relax();
		dev->state_destroy(eng->state);
		eng->state = NULL;
		eng->running = false;
		engine_unclaim(eng);
	}
}
