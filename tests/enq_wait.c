// SPDX-License-Identifier: MIT
/*
 * Completion waits (enqcmd/enq_wait.h). Strategy selection is checked with forced feature
 * sets; the UMWAIT and TPAUSE loops run with stand-in instructions (this CPU may lack
 * WAITPKG) that record what they were asked to do; the PAUSE, yield and sleep phases run for
 * real against a thread that writes the status byte. Timing is only asserted one way: a
 * timeout is never reported before it has passed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "enqcmd/enq_cpu.h"
#include "enqcmd/enq_wait.h"
#include "t_helpers.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct enq_cpu cpu_none = { .os_enqcmd = -1, .os_movdir64b = -1, .os_waitpkg = -1 };
static struct enq_cpu cpu_wait = { .cpuid_waitpkg = true,
				   .os_enqcmd = -1,
				   .os_movdir64b = -1,
				   .os_waitpkg = 1 };

static void test_select(void)
{
	struct enq_wait_policy pol;

	enq_cpu_judge(&cpu_none);
	enq_cpu_judge(&cpu_wait);
	T_CHECK(cpu_wait.waitpkg);
	T_CHECK(!cpu_none.waitpkg);

	enq_wait_policy_init(&pol);
	T_EQ(pol.strategy, ENQ_WAIT_AUTO);
	T_EQ(pol.spin_ns, ENQ_WAIT_SPIN_NS);
	T_EQ(pol.yield_ns, ENQ_WAIT_YIELD_NS);
	T_EQ(pol.pause_max, ENQ_WAIT_PAUSE_MAX);
	T_EQ(pol.slice_tsc, ENQ_WAIT_SLICE_TSC);
	T_EQ(pol.sleep_min_ns, ENQ_WAIT_SLEEP_MIN_NS);
	T_EQ(pol.sleep_max_ns, ENQ_WAIT_SLEEP_MAX_NS);
	T_EQ(pol.c02, false);
	/* The default gives the core back: it does not spin without end. */
	T_CHECK(pol.spin_ns < UINT64_MAX && pol.yield_ns < UINT64_MAX);

	T_EQ(enq_wait_select(&pol, &cpu_wait), ENQ_WAIT_UMWAIT);
	T_EQ(enq_wait_select(&pol, &cpu_none), ENQ_WAIT_PAUSE);
	T_EQ(enq_wait_select(NULL, &cpu_wait), ENQ_WAIT_UMWAIT);
	T_EQ(enq_wait_select(NULL, &cpu_none), ENQ_WAIT_PAUSE);
	pol.strategy = ENQ_WAIT_UMWAIT;
	T_EQ(enq_wait_select(&pol, &cpu_wait), ENQ_WAIT_UMWAIT);
	T_EQ(enq_wait_select(&pol, &cpu_none), ENQ_WAIT_PAUSE);
	pol.strategy = ENQ_WAIT_TPAUSE;
	T_EQ(enq_wait_select(&pol, &cpu_wait), ENQ_WAIT_TPAUSE);
	T_EQ(enq_wait_select(&pol, &cpu_none), ENQ_WAIT_PAUSE);
	pol.strategy = ENQ_WAIT_PAUSE;
	T_EQ(enq_wait_select(&pol, &cpu_wait), ENQ_WAIT_PAUSE);
	pol.strategy = (enum enq_wait_strategy)99;
	T_EQ(enq_wait_select(&pol, &cpu_wait), ENQ_WAIT_PAUSE);

	/* This host: AUTO is UMWAIT exactly when the kernel lists waitpkg. */
	T_EQ(enq_wait_select(NULL, enq_cpu()),
	     enq_cpu()->waitpkg ? ENQ_WAIT_UMWAIT : ENQ_WAIT_PAUSE);
}

static void test_poll(void)
{
	volatile uint8_t status = 0;

	T_EQ(enq_poll(&status), 0);
	status = 0x83;
	T_EQ(enq_poll(&status), 0x83);
	T_EQ(enq_wait(&status, 0, NULL), 0);
	status = 0;
	T_RET(ETIMEDOUT, enq_wait(&status, 0, NULL));
	T_RET(EINVAL, enq_wait(NULL, 1000, NULL));
}

/* ---- Stand-in WAITPKG instructions -------------------------------------------------------- */

enum { CALL_NONE, CALL_MONITOR, CALL_WAIT };

static struct {
	volatile uint8_t *status;
	const volatile void *monitored;
	unsigned int n_monitor, n_umwait, n_tpause;
	unsigned int
		set_after; /* the umwait/tpause call that "completes" the descriptor; 0 never */
	bool set_on_monitor; /* the record lands between the caller's check and the arming */
	unsigned int order_bad; /* umwait not directly after umonitor */
	int last;
	uint32_t ctrl;
	uint64_t tsc, deadline_delta;
} fw;

static void fake_umonitor(const volatile void *addr)
{
	fw.monitored = addr;
	fw.n_monitor++;
	fw.last = CALL_MONITOR;
	if (fw.set_on_monitor)
		*fw.status = 1;
}

static bool fake_umwait(uint32_t ctrl, uint64_t deadline)
{
	if (fw.last != CALL_MONITOR)
		fw.order_bad++;
	fw.last = CALL_WAIT;
	fw.ctrl = ctrl;
	fw.deadline_delta = deadline - fw.tsc;
	if (++fw.n_umwait == fw.set_after)
		*fw.status = 1;
	return false;
}

static bool fake_tpause(uint32_t ctrl, uint64_t deadline)
{
	fw.ctrl = ctrl;
	fw.deadline_delta = deadline - fw.tsc;
	if (++fw.n_tpause == fw.set_after)
		*fw.status = 1;
	return false;
}

static uint64_t fake_rdtsc(void)
{
	return fw.tsc += 1000;
}

static const struct enq_wait_insn_ops fake_ops = {
	.umonitor = fake_umonitor,
	.umwait = fake_umwait,
	.tpause = fake_tpause,
	.rdtsc = fake_rdtsc,
};

static void fw_reset(volatile uint8_t *status)
{
	memset(&fw, 0, sizeof(fw));
	fw.status = status;
	*status = 0;
}

static void test_umwait_loop(void)
{
	volatile uint8_t status __attribute__((aligned(64)));
	struct enq_wait_policy pol;
	uint64_t t0;

	enq_cpu_force(&cpu_wait);
	enq_wait_set_insn_ops(&fake_ops);
	enq_wait_policy_init(&pol);
	pol.spin_ns = UINT64_MAX;

	/* The device writes the record during the 5th wait: 5 arm + wait rounds, in order. */
	fw_reset(&status);
	fw.set_after = 5;
	T_EQ(enq_wait(&status, UINT64_MAX, &pol), 0);
	T_EQ(fw.n_umwait, 5);
	T_EQ(fw.n_monitor, 5);
	T_EQ(fw.order_bad, 0);
	T_EQ(fw.n_tpause, 0);
	T_CHECK(fw.monitored == (const volatile void *)&status);
	T_EQ(fw.ctrl, ENQ_WAIT_CTRL_C01);
	T_EQ(fw.deadline_delta, ENQ_WAIT_SLICE_TSC);

	/* Written after the caller's check but before the monitor was armed: the re-check after
	 * arming sees it, and no UMWAIT is issued (it would sleep to the deadline). */
	fw_reset(&status);
	fw.set_on_monitor = true;
	T_EQ(enq_wait(&status, UINT64_MAX, &pol), 0);
	T_EQ(fw.n_monitor, 1);
	T_EQ(fw.n_umwait, 0);

	/* C0.2 and a custom slice reach the instruction. */
	fw_reset(&status);
	fw.set_after = 1;
	pol.c02 = true;
	pol.slice_tsc = 777;
	T_EQ(enq_wait(&status, UINT64_MAX, &pol), 0);
	T_EQ(fw.ctrl, ENQ_WAIT_CTRL_C02);
	T_EQ(fw.deadline_delta, 777);

	/* TPAUSE slices, no monitor. */
	fw_reset(&status);
	fw.set_after = 3;
	pol.strategy = ENQ_WAIT_TPAUSE;
	T_EQ(enq_wait(&status, UINT64_MAX, &pol), 0);
	T_EQ(fw.n_tpause, 3);
	T_EQ(fw.n_monitor, 0);
	T_EQ(fw.n_umwait, 0);

	/* Never completed: the UMWAIT loop ends with -ETIMEDOUT, not before the timeout. */
	fw_reset(&status);
	pol.strategy = ENQ_WAIT_AUTO;
	t0 = now_ns();
	T_RET(ETIMEDOUT, enq_wait(&status, 2000000, &pol));
	T_CHECK(now_ns() - t0 >= 2000000);
	T_CHECK(fw.n_umwait > 0);

	/* Without WAITPKG the same policy never touches the instructions. */
	enq_cpu_force(&cpu_none);
	fw_reset(&status);
	T_RET(ETIMEDOUT, enq_wait(&status, 1000000, &pol));
	T_EQ(fw.n_monitor + fw.n_umwait + fw.n_tpause, 0);

	/* Phase 1 of length 0: straight to yield / sleep, the instructions are not used. */
	enq_cpu_force(&cpu_wait);
	fw_reset(&status);
	pol.spin_ns = 0;
	T_RET(ETIMEDOUT, enq_wait(&status, 1000000, &pol));
	T_EQ(fw.n_monitor + fw.n_umwait + fw.n_tpause, 0);

	enq_wait_set_insn_ops(NULL);
	enq_cpu_force(NULL);
}

/* ---- Real waits against a writer thread --------------------------------------------------- */

struct writer {
	volatile uint8_t *status;
	uint64_t delay_ns;
	uint8_t value;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	sleep_ns(w->delay_ns);
	/* The device's last store: the status byte, with release ordering. */
	__atomic_store_n(w->status, w->value, __ATOMIC_RELEASE);
	return NULL;
}

/* Starts a writer, waits with @pol, returns enq_wait()'s result. */
static int wait_for_writer(const struct enq_wait_policy *pol, uint64_t delay_ns, uint64_t *took)
{
	volatile uint8_t status = 0;
	struct writer w = { .status = &status, .delay_ns = delay_ns, .value = 0x01 };
	pthread_t t;
	uint64_t t0;
	int ret;

	if (pthread_create(&t, NULL, writer_main, &w))
		return -EAGAIN;
	t0 = now_ns();
	ret = enq_wait(&status, 10000000000ull, pol);
	*took = now_ns() - t0;
	pthread_join(t, NULL);
	if (!ret && enq_poll(&status) != 0x01)
		ret = -EIO;
	return ret;
}

static void test_real_waits(void)
{
	struct enq_wait_policy pol;
	uint64_t took, t0;
	volatile uint8_t never = 0;

	/* Whatever this CPU has: the real instructions are only used if enq_cpu() allows. */
	enq_cpu_force(&cpu_none);

	/* The pause loop alone (phase 1 without end). */
	enq_wait_policy_init(&pol);
	pol.strategy = ENQ_WAIT_PAUSE;
	pol.spin_ns = UINT64_MAX;
	T_EQ(wait_for_writer(&pol, 2000000, &took), 0);
	T_CHECK(took < 10000000000ull);

	/* The defaults: spin, then yield, then sleep. */
	T_EQ(wait_for_writer(NULL, 3000000, &took), 0);

	/* Yield only. */
	pol.spin_ns = 0;
	pol.yield_ns = UINT64_MAX;
	T_EQ(wait_for_writer(&pol, 2000000, &took), 0);

	/* Sleep only, with degenerate bounds (0 reads as 1 ns; max below min reads as min). */
	pol.yield_ns = 0;
	pol.sleep_min_ns = 0;
	pol.sleep_max_ns = 0;
	pol.pause_max = 0;
	T_EQ(wait_for_writer(&pol, 2000000, &took), 0);

	/* Timeouts: never reported early, in every phase. */
	enq_wait_policy_init(&pol);
	t0 = now_ns();
	T_RET(ETIMEDOUT, enq_wait(&never, 5000000, &pol));
	T_CHECK(now_ns() - t0 >= 5000000);

	pol.spin_ns = UINT64_MAX;
	t0 = now_ns();
	T_RET(ETIMEDOUT, enq_wait(&never, 2000000, &pol));
	T_CHECK(now_ns() - t0 >= 2000000);

	pol.spin_ns = 0;
	pol.yield_ns = 0;
	pol.sleep_min_ns = 50000000; /* a sleep step longer than the timeout is cut to it */
	pol.sleep_max_ns = 50000000;
	t0 = now_ns();
	T_RET(ETIMEDOUT, enq_wait(&never, 3000000, &pol));
	took = now_ns() - t0;
	T_CHECK(took >= 3000000);

	enq_cpu_force(NULL);
}

int main(void)
{
	test_select();
	test_poll();
	test_umwait_loop();
	test_real_waits();
	return t_done("enq_wait");
}
