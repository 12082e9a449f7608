/* SPDX-License-Identifier: MIT */
/*
 * The CPU instructions the submission layer may execute: ENQCMD, MOVDIR64B and WAITPKG
 * (UMONITOR / UMWAIT / TPAUSE). An instruction is usable only when CPUID reports it AND the
 * kernel does not deny it in /proc/cpuinfo: the kernel clears "enqcmd" when it cannot fix up
 * IA32_PASID, and a user ENQCMD then gets SIGSEGV instead of a PASID (reference:
 * idxd-sysfs-cdev.md §6), and an administrator can hide any flag with clearcpuid=.
 *
 * runtime/rt_probe reads the same facts for the platform report; this helper is the small,
 * cached, allocation-free subset the hot paths gate on, plus a test hook that forces the
 * feature set so every selection can be exercised on a machine that has none of them.
 */
#ifndef SVART_ENQCMD_ENQ_CPU_H
#define SVART_ENQCMD_ENQ_CPU_H

#include <stdbool.h>

struct enq_cpu {
	/* CPUID.(EAX=7,ECX=0):ECX bits 29, 28 and 5; false when leaf 7 does not exist. */
	bool cpuid_enqcmd, cpuid_movdir64b, cpuid_waitpkg;
	/* The same flags in /proc/cpuinfo: 1 listed, 0 not listed, -1 unknown (no file). */
	int os_enqcmd, os_movdir64b, os_waitpkg;
	/* What may be executed: set by enq_cpu_judge() from the facts above. */
	bool enqcmd, movdir64b, waitpkg;
};

/**
 * enq_cpu_judge() - decide which instructions may run from the CPUID and kernel facts.
 * @c: facts filled by enq_cpu_detect() or by hand (a test); its usable flags are rewritten.
 *
 * An instruction is usable when CPUID reports it and /proc/cpuinfo does not say 0 (an unknown
 * kernel view, -1, trusts CPUID). Reads nothing but @c.
 */
void enq_cpu_judge(struct enq_cpu *c);

/**
 * enq_cpu_detect() - read CPUID leaf 7 and the "flags" line of /proc/cpuinfo, then judge.
 * @out: filled completely.
 *
 * Not for hot paths (it opens /proc/cpuinfo): use enq_cpu(). On other architectures every
 * flag is false.
 *
 * Return: 0, or -EINVAL if @out is NULL.
 */
int enq_cpu_detect(struct enq_cpu *out);

/**
 * enq_cpu() - the feature set the submission layer gates on.
 *
 * The first call detects (once per process, thread-safe); later calls are a load. While a
 * test has forced a set with enq_cpu_force(), that set is returned instead.
 *
 * Return: a pointer valid for the life of the process (or of the forced set).
 */
const struct enq_cpu *enq_cpu(void);

/**
 * enq_cpu_force() - test hook: make enq_cpu() return @c instead of the detected set.
 * @c: the set to report (kept by pointer, not copied: keep it alive), or NULL to go back to
 *	detection.
 *
 * Forcing a feature the CPU lacks makes selection code choose it; executing the instruction
 * would then raise SIGILL, so tests that force a feature must stop short of execution (the
 * INJECT portal and enq_wait_set_insn_ops() exist for that).
 */
void enq_cpu_force(const struct enq_cpu *c);

#endif /* SVART_ENQCMD_ENQ_CPU_H */
