/* SPDX-License-Identifier: MIT */
/*
 * libnuma helpers shared by sim's engine threads and the runtime's placement.
 */
#ifndef SVART_SIM_SIM_NUMA_H
#define SVART_SIM_SIM_NUMA_H

/**
 * sim_numa_warm() - fill libnuma's per-node CPU mask cache once, on the calling thread.
 *
 * numa_node_to_cpus() (behind numa_node_of_cpu() and numa_run_on_node()) fills that cache
 * lazily and without a lock: threads arriving together each allocate a mask for the same slot
 * and all but one leak (LeakSanitizer reports it). Call this before starting threads that use
 * libnuma. Idempotent and thread-safe.
 */
void sim_numa_warm(void);

#endif /* SVART_SIM_SIM_NUMA_H */
