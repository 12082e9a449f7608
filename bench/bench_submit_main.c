// SPDX-License-Identifier: MIT
/*
 * svart-bench-submit: the whole submission suite (bench_submit.c) under Google Benchmark's own
 * main() and flags.
 */
#include "suites.h"
#include "svart_bench.h"

int main(int argc, char **argv)
{
	int ret;

	sb_suite_submit(true);
	ret = sb_main(argc, argv);
	sb_suites_release();
	return ret;
}
