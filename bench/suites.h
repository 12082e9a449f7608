/* SPDX-License-Identifier: MIT */
/*
 * The benchmark suites as registration functions, so that one program (svart-bench-xlate,
 * `svart bench`) can pick which to run and drive them through sb_main() or sb_run().
 * Register, run, then sb_suites_release().
 */
#ifndef SVART_BENCH_SUITES_H
#define SVART_BENCH_SUITES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * sb_suite_ops() - register the end-to-end operations: memmove, memfill, compare, CRC-32C,
 * compress, decompress through the public API on a context of $SVART_PLATFORM (default AUTO:
 * the hardware when usable, else sim), each beside its CPU baseline, named
 * "ops/<op>/<who>/<bytes>" (<who> "svart" for svart, else the baseline), and each op async,
 * Q jobs in flight on a completion queue, "ops/<op>_async/svart/<bytes>/qd:Q".
 * @full: 256 B .. 64 MiB (every power of 4), async at 4 KiB and 64 KiB with Q = 1 .. 64; else
 *	4 KiB, 64 KiB, 1 MiB and 16 MiB, and six async cases.
 */
void sb_suite_ops(bool full);

/*
 * sb_suite_ops_describe() - the platform the ops suite ran on ("sim", "idxd", ...) and
 * svart_ctx_describe()'s paragraph, once an ops benchmark has run; "" before.
 * @platform: out, may be NULL.
 */
const char *sb_suite_ops_describe(const char **platform);

/*
 * sb_suite_xlate() - register the sim IOMMU benchmarks (docs/BENCHMARKS.md).
 * @full: everything svart-bench-xlate has (translation, invalidation, faults); else only
 *	xlate/hit/<leaf>/iotlb and xlate/walk_nested/4lvl/<leaf>/iotlb for the three leaf sizes.
 */
void sb_suite_xlate(bool full);

/*
 * sb_suite_fault_partial() - register the partial-completion benchmarks (bench_partial.c):
 * a sim memmove into never-touched, CPU-touched or prefaulted memory, "fault/partial/...".
 * @full: 4 KiB and 2 MiB pages, 64 KiB .. 16 MiB, four fault windows (bench_fault_register()
 *	calls it so); else the three states of one 2 MiB buffer of 4 KiB pages.
 */
void sb_suite_fault_partial(bool full);

/*
 * sb_suite_submit() - register the submission benchmarks (bench_submit.c): ENQCMD accept/retry
 * with 1 and 2 submitters per shared WQ size, MOVDIR64B with credits, BATCH against single
 * descriptors, and each completion-wait policy, "submit/...", on the runtime's WQs.
 * @full: all of them; else submit/enqcmd/wq:16 with 2 threads and batch vs single at n:16.
 */
void sb_suite_submit(bool full);

/* sb_suites_release() - tear down what the last run left (contexts, sim devices, tables). */
void sb_suites_release(void);

#endif /* SVART_BENCH_SUITES_H */
