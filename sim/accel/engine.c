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
 */
#include "sim/accel/accel_internal.h"
#include "sim/sim_numa.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <numa.h>
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

static void engine_futex_wait(atomic_uint *word, unsigned int val)
{
	/* EINTR / EAGAIN just mean "look again". */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
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

static void engine_run(struct sim_accel_engine *eng, struct accel_item *it)
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

static void *engine_main(void *arg)
{
	struct sim_accel_engine *eng = arg;
	struct sim_accel_group *grp = eng->grp;
	uint64_t busy_start = 0, spin_start = 0;
	unsigned int spins = 0;
	struct accel_item it;

	engine_bind(eng);
	for (;;) {
		bool have = engine_pick(eng, &it);

		if (!have) {
			if (busy_start) {
				engine_count(&eng->busy_ns, accel_now_ns() - busy_start);
				busy_start = 0;
			}
			if (atomic_load_explicit(&eng->stop, memory_order_acquire))
				break;
			if (!spin_start) {
				spin_start = accel_now_ns();
				spins = 0;
			}
			if ((++spins & 63) || accel_now_ns() - spin_start < eng->dev->spin_ns) {
				accel_cpu_relax();
				continue;
			}
			/* Sleep, unless work or a stop arrived after we announced it. */
			atomic_fetch_add(&grp->sleepers, 1);
			atomic_thread_fence(memory_order_seq_cst);
			unsigned int seq =
				atomic_load_explicit(&grp->wake_seq, memory_order_acquire);

			have = engine_pick(eng, &it);
			if (!have && !atomic_load(&eng->stop)) {
				engine_futex_wait(&grp->wake_seq, seq);
				engine_count(&eng->sleeps, 1);
			}
			atomic_fetch_sub(&grp->sleepers, 1);
			spin_start = 0;
			if (!have)
				continue;
		}
		if (!busy_start)
			busy_start = accel_now_ns();
		spin_start = 0;
		engine_run(eng, &it);
	}
	return NULL;
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
		eng->grp = &dev->groups[group];
		eng->cur = 0;
		eng->budget = 0;
		atomic_store(&eng->stop, false);
		eng->state = NULL;
		ret = dev->state_create(&eng->state);
		if (ret)
			break;
		ret = -pthread_create(&eng->thread, NULL, engine_main, eng);
		if (ret) {
			dev->state_destroy(eng->state);
			eng->state = NULL;
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
		dev->state_destroy(eng->state);
		eng->state = NULL;
		eng->running = false;
	}
}
