/* SPDX-License-Identifier: MIT */
/*
 * sim_guard: memory accesses that survive memory which is gone.
 *
 * A sim device reaches process memory through host pointers that the IOMMU model produced from
 * its caches. The process may unmap that memory at any time (the window between munmap() and the
 * invalidation that follows it, see docs/IOMMU_MODEL.md). Hardware would see a translation fault
 * there, not crash the host; so every device access to process memory runs inside a guard: a
 * SIGSEGV or SIGBUS raised inside it unwinds to the guard (siglongjmp) and becomes -EFAULT with
 * the faulting address, and any other SIGSEGV/SIGBUS goes to the handler that was installed
 * before svart's (or the default action).
 *
 * Costs one sigsetjmp() (no signal mask save) per guarded call: callers guard whole page runs,
 * never single bytes.
 *
 * Rules for guarded code: no locks taken, no allocation, no calls that cannot be abandoned
 * halfway (the unwind skips the rest of the function). Guards do not nest.
 */
#ifndef SVART_SIM_GUARD_H
#define SVART_SIM_GUARD_H

#include <stddef.h>
#include <stdint.h>

/**
 * sim_guard_init() - install the SIGSEGV/SIGBUS handler (once per process; idempotent).
 *
 * Return: 0, or -errno from sigaction().
 */
int sim_guard_init(void);

/**
 * sim_guard_call() - run @fn(@arg), turning a memory fault inside it into -EFAULT.
 * @fn: the accesses to guard (see the rules above).
 * @arg: passed to @fn.
 * @fault_addr: out, on -EFAULT: the address whose access faulted (si_addr).
 *
 * Return: 0 when @fn returned, -EFAULT when it faulted (it did not finish).
 */
int sim_guard_call(void (*fn)(void *arg), void *arg, uintptr_t *fault_addr);

/* Guarded memcpy/memmove/memset/memcmp: 0 or -EFAULT with *@fault_addr, as sim_guard_call(). */
int sim_guard_memcpy(void *dst, const void *src, size_t n, uintptr_t *fault_addr);
int sim_guard_memmove(void *dst, const void *src, size_t n, uintptr_t *fault_addr);
int sim_guard_memset(void *dst, int c, size_t n, uintptr_t *fault_addr);
/* *@result = memcmp(@a, @b, @n) on success. */
int sim_guard_memcmp(const void *a, const void *b, size_t n, int *result, uintptr_t *fault_addr);

/**
 * sim_guard_probe() - the first inaccessible page of [@start, @end).
 * @start: first address of the range.
 * @end: end of the range.
 * @hint: where a guarded access faulted (si_addr). A vector copy reports the address its
 *	faulting instruction started at, which may lie in an accessible page before the hole, so
 *	the fault address alone is not where the hole is: probing starts at @hint's page.
 * @write: probe for write access (an atomic add of 0: the contents never change).
 *
 * Return: the first address in the range (a page start, or @start) whose probe faults, or
 * @end when every page is accessible (the memory came back).
 */
uintptr_t sim_guard_probe(uintptr_t start, uintptr_t end, uintptr_t hint, int write);

#endif /* SVART_SIM_GUARD_H */
