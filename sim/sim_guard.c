// SPDX-License-Identifier: MIT
/*
 * Guarded memory access for sim device threads. See sim_guard.h.
 *
 * The handler is process-wide (signal dispositions are), the guard state per thread. A fault
 * inside a guard unwinds with siglongjmp(); SA_NODEFER keeps SIGSEGV unblocked in the handler, so
 * leaving it by a jump that does not restore the mask (sigsetjmp(.., 0), the cheap kind) leaves
 * the thread able to take the next fault.
 */
#include "sim/sim_guard.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>

struct guard_state {
	sigjmp_buf env;
	volatile sig_atomic_t active;
	volatile uintptr_t addr;
};

static __thread struct guard_state guard_tls;

static struct sigaction guard_old_segv, guard_old_bus;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_init_err;

static void guard_chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = sig == SIGBUS ? &guard_old_bus : &guard_old_segv;

	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/*
	 * Not ours and nobody else's: restore the default action and return; the faulting
	 * instruction runs again and the process dies the way it would have without svart.
	 */
	signal(sig, SIG_DFL);
}

static void guard_handler(int sig, siginfo_t *si, void *uc)
{
	struct guard_state *g = &guard_tls;

	if (!g->active) {
		guard_chain(sig, si, uc);
		return;
	}
	g->active = 0;
	g->addr = (uintptr_t)si->si_addr;
	siglongjmp(g->env, 1);
}

static void guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &guard_old_segv) || sigaction(SIGBUS, &sa, &guard_old_bus))
		guard_init_err = -errno;
}

int sim_guard_init(void)
{
	pthread_once(&guard_once, guard_install);
	return guard_init_err;
}

/*
 * ThreadSanitizer runs signal handlers through its own wrapper and loses track of a siglongjmp
 * that does not restore the signal mask: the process then dies on the first guarded fault.
 * Under TSan only, pay for the mask save (a system call per guarded call).
 */
#if defined(__SANITIZE_THREAD__)
#define GUARD_SAVEMASK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GUARD_SAVEMASK 1
#endif
#endif
#ifndef GUARD_SAVEMASK
#define GUARD_SAVEMASK 0
#endif

/*
 * The guarded region: arm, run @body, disarm. A macro because sigsetjmp() must be called in the
 * frame that stays live for the whole region.
 */
#define GUARDED(fault_addr, body)                                  \
	({                                                         \
		struct guard_state *g_ = &guard_tls;               \
		int ret_ = 0;                                      \
		if (sigsetjmp(g_->env, GUARD_SAVEMASK)) {          \
			*(fault_addr) = g_->addr;                  \
			ret_ = -EFAULT;                            \
		} else {                                           \
			g_->active = 1;                            \
			atomic_signal_fence(memory_order_seq_cst); \
			body;                                      \
			atomic_signal_fence(memory_order_seq_cst); \
			g_->active = 0;                            \
		}                                                  \
		ret_;                                              \
	})

int sim_guard_call(void (*fn)(void *arg), void *arg, uintptr_t *fault_addr)
{
	return GUARDED(fault_addr, fn(arg));
}

int sim_guard_memcpy(void *dst, const void *src, size_t n, uintptr_t *fault_addr)
{
	return GUARDED(fault_addr, memcpy(dst, src, n));
}

int sim_guard_memmove(void *dst, const void *src, size_t n, uintptr_t *fault_addr)
{
	return GUARDED(fault_addr, memmove(dst, src, n));
}

int sim_guard_memset(void *dst, int c, size_t n, uintptr_t *fault_addr)
{
	return GUARDED(fault_addr, memset(dst, c, n));
}

int sim_guard_memcmp(const void *a, const void *b, size_t n, int *result, uintptr_t *fault_addr)
{
	volatile int r = 0;
	int ret = GUARDED(fault_addr, r = memcmp(a, b, n));

	*result = r;
	return ret;
}

struct probe {
	uintptr_t p;
	int write;
};

static void probe_one(void *arg)
{
	struct probe *pr = arg;

	if (pr->write)
		__atomic_fetch_add((volatile char *)pr->p, 0, __ATOMIC_RELAXED);
	else
		(void)*(volatile const char *)pr->p;
}

uintptr_t sim_guard_probe(uintptr_t start, uintptr_t end, uintptr_t hint, int write)
{
	struct probe pr = { .write = write };
	uintptr_t at;

	pr.p = hint >= start && hint < end ? hint & ~(uintptr_t)4095 : start;
	if (pr.p < start)
		pr.p = start;
	while (pr.p < end) {
		if (sim_guard_call(probe_one, &pr, &at))
			return pr.p;
		pr.p = (pr.p & ~(uintptr_t)4095) + 4096;
	}
	return end;
}
