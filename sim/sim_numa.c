// SPDX-License-Identifier: MIT
/*
 * libnuma helpers. See sim_numa.h.
 */
#include "sim/sim_numa.h"

#include <numa.h>
#include <pthread.h>

static void numa_warm_once(void)
{
	struct bitmask *m;

	if (numa_available() < 0)
		return;
	m = numa_allocate_cpumask();
	if (!m)
		return;
	for (int n = 0; n <= numa_max_node(); n++)
		numa_node_to_cpus(n, m);
	numa_free_cpumask(m);
}

void sim_numa_warm(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, numa_warm_once);
}
