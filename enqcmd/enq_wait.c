// SPDX-License-Identifier: MIT
/*
 * Completion waits (see enq_wait.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "enqcmd/enq_portal.h"
#include "enqcmd/enq_wait.h"

#if defined(__x86_64__)
/*
 * Encodings as the kernel's arch/x86/include/asm/mwait.h __umonitor() / __umwait() /
 * __tpause() write them for assemblers without WAITPKG: the address in rax, the control in
 * ecx, the TSC deadline in edx:eax. CF=1 reports that the OS time limit ended the wait.
 */
static void enq_real_umonitor(const volatile void *addr)
{
	__asm__ __volatile__(".byte 0xf3, 0x0f, 0xae, 0xf0" : : "a"(addr) : "memory");
}

static bool enq_real_umwait(uint32_t ctrl, uint64_t tsc_deadline)
{
	bool cf;

	__asm__ __volatile__(".byte 0xf2, 0x0f, 0xae, 0xf1\n\tsetc %0"
			     : "=qm"(cf)
			     : "c"(ctrl), "a"((uint32_t)tsc_deadline),
			       "d"((uint32_t)(tsc_deadline >> 32))
			     : "cc", "memory");
	return cf;
}

static bool enq_real_tpause(uint32_t ctrl, uint64_t tsc_deadline)
{
	bool cf;

	__asm__ __volatile__(".byte 0x66, 0x0f, 0xae, 0xf1\n\tsetc %0"
			     : "=qm"(cf)
			     : "c"(ctrl), "a"((uint32_t)tsc_deadline),
			       "d"((uint32_t)(tsc_deadline >> 32))
			     : "cc", "memory");
	return cf;
}

static uint64_t enq_real_rdtsc(void)
{
	return __builtin_ia32_rdtsc();
}
#else
/* Never selected without WAITPKG, which only x86-64 has. */
static void enq_real_umonitor(const volatile void *addr)
{
	(void)addr;
}

static bool enq_real_umwait(uint32_t ctrl, uint64_t tsc_deadline)
{
	(void)ctrl;
	(void)tsc_deadline;
	return false;
}

static bool enq_real_tpause(uint32_t ctrl, uint64_t tsc_deadline)
{
	(void)ctrl;
	(void)tsc_deadline;
	return false;
}

static uint64_t enq_real_rdtsc(void)
{
	return 0;
}
#endif

const struct enq_wait_insn_ops enq_wait_insn_real = {
	.umonitor = enq_real_umonitor,
	.umwait = enq_real_umwait,
	.tpause = enq_real_tpause,
	.rdtsc = enq_real_rdtsc,
};

static const struct enq_wait_insn_ops *enq_wait_insn = &enq_wait_insn_real;

static const struct enq_wait_policy enq_wait_default = {
	.strategy = ENQ_WAIT_AUTO,
	.spin_ns = ENQ_WAIT_SPIN_NS,
	.yield_ns = ENQ_WAIT_YIELD_NS,
	.pause_max = ENQ_WAIT_PAUSE_MAX,
	.slice_tsc = ENQ_WAIT_SLICE_TSC,
	.sleep_min_ns = ENQ_WAIT_SLEEP_MIN_NS,
	.sleep_max_ns = ENQ_WAIT_SLEEP_MAX_NS,
	.c02 = false,
};

void enq_wait_set_insn_ops(const struct enq_wait_insn_ops *ops)
{
	__atomic_store_n(&enq_wait_insn, ops ? ops : &enq_wait_insn_real, __ATOMIC_RELEASE);
}

void enq_wait_policy_init(struct enq_wait_policy *pol)
{
	*pol = enq_wait_default;
}

enum enq_wait_strategy enq_wait_select(const struct enq_wait_policy *pol, const struct enq_cpu *cpu)
{
	enum enq_wait_strategy s = pol ? pol->strategy : ENQ_WAIT_AUTO;

	switch (s) {
	case ENQ_WAIT_AUTO:
		return cpu->waitpkg ? ENQ_WAIT_UMWAIT : ENQ_WAIT_PAUSE;
	case ENQ_WAIT_UMWAIT:
	case ENQ_WAIT_TPAUSE:
		return cpu->waitpkg ? s : ENQ_WAIT_PAUSE;
	default:
		return ENQ_WAIT_PAUSE;
	}
}

static uint64_t enq_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t enq_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Per-wait state of phase 1 and 3. */
struct enq_wait_state {
	enum enq_wait_strategy strategy;
	const struct enq_wait_insn_ops *ops;
	uint32_t ctrl;
	uint32_t pauses, pause_max;
	uint64_t slice;
	uint64_t sleep_ns, sleep_max_ns;
};

/* One step of phase 1. */
static void enq_wait_spin(struct enq_wait_state *w, const volatile uint8_t *status)
{
	switch (w->strategy) {
	case ENQ_WAIT_UMWAIT:
		/*
		 * Arm first, then re-check: a status written between the caller's check and the
		 * arming would be missed until the deadline (the monitor sees later stores only).
		 */
		w->ops->umonitor(status);
		if (enq_poll(status))
			return;
		w->ops->umwait(w->ctrl, w->ops->rdtsc() + w->slice);
		return;
	case ENQ_WAIT_TPAUSE:
		w->ops->tpause(w->ctrl, w->ops->rdtsc() + w->slice);
		return;
	default:
		for (uint32_t i = 0; i < w->pauses; i++)
			enq_cpu_relax();
		if (w->pauses < w->pause_max) {
			uint64_t next = (uint64_t)w->pauses * 2;

			w->pauses = next > w->pause_max ? w->pause_max : (uint32_t)next;
		}
		return;
	}
}

/* One step of phase 3: sleep, never past @deadline. */
static void enq_wait_sleep(struct enq_wait_state *w, uint64_t now, uint64_t deadline)
{
	uint64_t ns = w->sleep_ns;
	struct timespec ts;

	if (deadline - now < ns)
		ns = deadline - now;
	ts.tv_sec = ns / 1000000000ull;
	ts.tv_nsec = ns % 1000000000ull;
	/* EINTR only ends this step early; the loop re-checks. */
	nanosleep(&ts, NULL);
	w->sleep_ns = w->sleep_ns * 2 > w->sleep_max_ns ? w->sleep_max_ns : w->sleep_ns * 2;
}

int enq_wait(const volatile uint8_t *status, uint64_t timeout_ns, const struct enq_wait_policy *pol)
{
	struct enq_wait_state w;
	uint64_t start, now, deadline, spin_end, yield_end;

	if (!status)
		return -EINVAL;
	if (enq_poll(status))
		return 0;
	if (!pol)
		pol = &enq_wait_default;

	w.strategy = enq_wait_select(pol, enq_cpu());
	w.ops = __atomic_load_n(&enq_wait_insn, __ATOMIC_ACQUIRE);
	w.ctrl = pol->c02 ? ENQ_WAIT_CTRL_C02 : ENQ_WAIT_CTRL_C01;
	w.pauses = 1;
	w.pause_max = pol->pause_max ? pol->pause_max : 1;
	w.slice = pol->slice_tsc ? pol->slice_tsc : 1;
	w.sleep_ns = pol->sleep_min_ns ? pol->sleep_min_ns : 1;
	w.sleep_max_ns = pol->sleep_max_ns > w.sleep_ns ? pol->sleep_max_ns : w.sleep_ns;

	start = enq_now_ns();
	deadline = enq_add_sat(start, timeout_ns);
	spin_end = enq_add_sat(start, pol->spin_ns);
	yield_end = enq_add_sat(spin_end, pol->yield_ns);
	for (;;) {
		if (enq_poll(status))
			return 0;
		now = enq_now_ns();
		if (now >= deadline)
			/* One last look: the status may have landed while the clock was read. */
			return enq_poll(status) ? 0 : -ETIMEDOUT;
		if (now < spin_end)
			enq_wait_spin(&w, status);
		else if (now < yield_end)
			sched_yield();
		else
			enq_wait_sleep(&w, now, deadline);
	}
}
