/* SPDX-License-Identifier: MIT */
/*
 * Waiting for a completion record: the device writes the status byte last, so "done" is
 * "status != 0" (software zeroes the record before submitting, enq_cr_reset()).
 *
 * A wait has three phases, each bounded by the policy:
 *   1. spin (spin_ns) with the selected strategy:
 *        UMWAIT  UMONITOR on the status byte's line, re-check, UMWAIT until a store to the
 *                line or a TSC deadline slice_tsc ahead (C0.1, or C0.2 with c02)
 *        TPAUSE  pause for slice_tsc TSC ticks at a time, then re-check (no monitor)
 *        PAUSE   PAUSE instructions between checks, doubling from 1 to pause_max
 *   2. sched_yield() between checks (yield_ns), so a 2-core box runs the other threads
 *   3. nanosleep(), doubling from sleep_min_ns to sleep_max_ns, never past the deadline
 * AUTO picks UMWAIT when enq_cpu() has WAITPKG, else PAUSE; UMWAIT and TPAUSE fall back to
 * PAUSE without WAITPKG (the instruction would raise SIGILL). Selection (enq_wait_select()) is
 * separate from execution so that tests can check it with a forced feature set, and the
 * waiting instructions can be replaced (enq_wait_set_insn_ops()) so that the UMWAIT/TPAUSE
 * loops run in tests on a CPU without them.
 */
#ifndef SVART_ENQCMD_ENQ_WAIT_H
#define SVART_ENQCMD_ENQ_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "enqcmd/enq_cpu.h"

enum enq_wait_strategy {
	ENQ_WAIT_AUTO = 0,
	ENQ_WAIT_UMWAIT,
	ENQ_WAIT_TPAUSE,
	ENQ_WAIT_PAUSE,
};

struct enq_wait_policy {
	enum enq_wait_strategy strategy;
	uint64_t spin_ns; /* phase 1 length; UINT64_MAX: spin until done or timeout */
	uint64_t yield_ns; /* phase 2 length; UINT64_MAX: never sleep */
	uint32_t pause_max; /* PAUSE back-off cap (0 reads as 1) */
	uint32_t slice_tsc; /* UMWAIT / TPAUSE deadline, TSC ticks ahead (0 reads as 1) */
	uint32_t sleep_min_ns,
		sleep_max_ns; /* phase 3 (0 reads as 1; max below min reads as min) */
	bool c02; /* UMWAIT / TPAUSE: C0.2 (deeper, slower to wake) instead of C0.1 */
};

/*
 * Defaults: about 20 us of spinning covers a 4 KiB copy or a small compress; after 200 us a
 * completion is far enough away that sleeping in 10 us .. 500 us steps costs little latency
 * and gives the core back (sched_yield() alone does not when nothing else is runnable).
 */
#define ENQ_WAIT_SPIN_NS 20000ull
#define ENQ_WAIT_YIELD_NS 180000ull
#define ENQ_WAIT_PAUSE_MAX 64u
#define ENQ_WAIT_SLICE_TSC 20000u
#define ENQ_WAIT_SLEEP_MIN_NS 10000u
#define ENQ_WAIT_SLEEP_MAX_NS 500000u

/* UMWAIT / TPAUSE control (ECX bit 0): the optimized state requested. */
#define ENQ_WAIT_CTRL_C02 0u
#define ENQ_WAIT_CTRL_C01 1u

/* The instructions a wait executes; replaceable in tests (enq_wait_set_insn_ops()). */
struct enq_wait_insn_ops {
	void (*umonitor)(const volatile void *addr);
	/* Return: true (CF=1) when the OS time limit (IA32_UMWAIT_CONTROL) ended the wait. */
	bool (*umwait)(uint32_t ctrl, uint64_t tsc_deadline);
	bool (*tpause)(uint32_t ctrl, uint64_t tsc_deadline);
	uint64_t (*rdtsc)(void);
};

/* The real instructions: f3 0f ae f0 (UMONITOR rax), f2 0f ae f1 (UMWAIT ecx),
 * 66 0f ae f1 (TPAUSE ecx), RDTSC. Without x86-64 they do nothing (never selected). */
extern const struct enq_wait_insn_ops enq_wait_insn_real;

/* Reads the status byte once, with acquire ordering: the rest of the record may be read after
 * a nonzero result. Return: the status byte (0: not done). */
static inline uint8_t enq_poll(const volatile uint8_t *status)
{
	return __atomic_load_n(status, __ATOMIC_ACQUIRE);
}

/**
 * enq_wait_policy_init() - fill @pol with the defaults (ENQ_WAIT_*, strategy AUTO, C0.1).
 * @pol: the policy.
 */
void enq_wait_policy_init(struct enq_wait_policy *pol);

/**
 * enq_wait_select() - the strategy a wait with @pol would execute on @cpu.
 * @pol: the policy (NULL: defaults).
 * @cpu: the feature set (normally enq_cpu()).
 *
 * Pure: executes nothing. Return: UMWAIT, TPAUSE or PAUSE, never AUTO.
 */
enum enq_wait_strategy enq_wait_select(const struct enq_wait_policy *pol,
				       const struct enq_cpu *cpu);

/**
 * enq_wait() - wait until *@status is nonzero or @timeout_ns has passed.
 * @status: the completion record's status byte.
 * @timeout_ns: 0 checks once; UINT64_MAX waits forever.
 * @pol: the policy (NULL: defaults).
 *
 * Measures time with CLOCK_MONOTONIC. Allocation-free; the only system calls are the clock
 * (vDSO), sched_yield() and nanosleep() of phases 2 and 3.
 *
 * Return: 0 when the status is nonzero (read it with enq_poll() or the record's field);
 * -ETIMEDOUT, never before @timeout_ns has passed; -EINVAL for a NULL @status.
 */
int enq_wait(const volatile uint8_t *status, uint64_t timeout_ns,
	     const struct enq_wait_policy *pol);

/**
 * enq_wait_set_insn_ops() - test hook: execute @ops instead of the real instructions.
 * @ops: replacement (kept by pointer), or NULL for enq_wait_insn_real.
 */
void enq_wait_set_insn_ops(const struct enq_wait_insn_ops *ops);

#endif /* SVART_ENQCMD_ENQ_WAIT_H */
