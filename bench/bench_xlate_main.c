// SPDX-License-Identifier: MIT
/*
 * svart-bench-xlate: the whole sim IOMMU suite (bench_xlate.c, bench_inval.c, bench_fault.c)
 * under Google Benchmark's own main() and flags.
 */
#include "suites.h"
#include "svart_bench.h"

int main(int argc, char **argv)
{
	int ret;

	sb_suite_xlate(true);
	ret = sb_main(argc, argv);
	sb_suites_release();
	return ret;
}
