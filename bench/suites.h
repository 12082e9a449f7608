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
 * "ops/<op>/<who>/<bytes>" (<who> "svart" for svart, else the baseline), and async 4 KiB
 * memmoves through a completion queue, "ops/memmove_async/svart/qd:N".
 * @full: 256 B .. 64 MiB (every power of 4); else 4 KiB, 64 KiB, 1 MiB and 16 MiB.
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

/* sb_suites_release() - tear down what the last run left (contexts, sim devices, tables). */
void sb_suites_release(void);

#endif /* SVART_BENCH_SUITES_H */
