/* SPDX-License-Identifier: MIT */
/*
 * svart_bench: Google Benchmark for benchmarks written in C. bench_shim.cc (the only C++ in
 * svart) registers C functions with Google Benchmark and forwards its State, so a benchmark
 * program is C, runs with Google Benchmark's flags and prints its console and JSON formats
 * (tools/compare.py works on two runs' JSON).
 *
 *	static void bm_copy(struct sb_state *st, void *arg)
 *	{
 *		size_t n = (size_t)sb_range_arg(st, 0);
 *
 *		while (sb_keep_running(st))
 *			memcpy(dst, src, n);
 *		sb_set_bytes_processed(st, sb_iterations_done(st) * (int64_t)n);
 *	}
 *
 *	int main(int argc, char **argv)
 *	{
 *		sb_range(sb_register("copy", bm_copy, NULL, NULL, NULL), 256, 1 << 20);
 *		return sb_main(argc, argv);
 *	}
 *
 * Registration happens before sb_main()/sb_run(); benchmarks run in the calling thread (or in
 * Google Benchmark's threads with sb_threads()).
 */
#ifndef SVART_BENCH_H
#define SVART_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A running benchmark's state (benchmark::State). */
struct sb_state;
/* A registered benchmark (benchmark::internal::Benchmark). */
struct sb_bench;

/* The benchmark body: loop with sb_keep_running(). @arg is sb_register()'s. */
typedef void (*sb_fn)(struct sb_state *st, void *arg);
/* Per-run setup / teardown, outside the timed region and outside benchmark threads. */
typedef void (*sb_fixture_fn)(const struct sb_state *st, void *arg);

/**
 * sb_register() - register a benchmark.
 * @name: its name; runs are named "name/arg1/arg2..." after their arguments.
 * @fn: the body.
 * @setup: called before each run (each argument set, repetition, thread count), or NULL.
 * @teardown: called after each run, or NULL.
 * @arg: passed to @fn, @setup and @teardown.
 *
 * Return: the handle for the sb_arg()... calls, or NULL (NULL name or fn; more than 1024
 * benchmarks with a setup or teardown). Every configuration call accepts NULL and returns
 * NULL, so a chain of calls needs one check.
 */
struct sb_bench *sb_register(const char *name, sb_fn fn, sb_fixture_fn setup,
			     sb_fixture_fn teardown, void *arg);

/* One run with argument @a (Benchmark::Arg). */
struct sb_bench *sb_arg(struct sb_bench *b, int64_t a);
/* One run with @n arguments (Benchmark::Args). */
struct sb_bench *sb_args(struct sb_bench *b, const int64_t *args, size_t n);
/* Runs with @lo, @hi and the powers of the range multiplier between (Benchmark::Range). */
struct sb_bench *sb_range(struct sb_bench *b, int64_t lo, int64_t hi);
/* The multiplier sb_range() uses (default 8). Call it before sb_range(). */
struct sb_bench *sb_range_multiplier(struct sb_bench *b, int mult);
/* Runs with @lo, @lo + @step, ... <= @hi (Benchmark::DenseRange). */
struct sb_bench *sb_dense_range(struct sb_bench *b, int64_t lo, int64_t hi, int step);
/* Names of the arguments, shown as "name/size:4096" (Benchmark::ArgNames). */
struct sb_bench *sb_arg_names(struct sb_bench *b, const char *const *names, size_t n);
/* The body measures its own time and reports it with sb_set_iteration_time(). */
struct sb_bench *sb_use_manual_time(struct sb_bench *b);
/* Judge the iteration count by wall-clock time instead of CPU time. */
struct sb_bench *sb_use_real_time(struct sb_bench *b);

enum sb_unit { SB_NS, SB_US, SB_MS, SB_S };
/* The unit times are reported in. */
struct sb_bench *sb_unit(struct sb_bench *b, enum sb_unit unit);
/* A fixed iteration count instead of Google Benchmark's estimate. */
struct sb_bench *sb_iterations(struct sb_bench *b, int64_t n);
/* Run each argument set @n times and report mean/median/stddev/cv. */
struct sb_bench *sb_repetitions(struct sb_bench *b, int n);
/* Minimum seconds per run (overrides --benchmark_min_time). */
struct sb_bench *sb_min_time(struct sb_bench *b, double seconds);
/* Run the body in @n threads at once. */
struct sb_bench *sb_threads(struct sb_bench *b, int n);

/* ---- in the body ---- */

/* True while the benchmark wants another iteration; false ends the timed loop. */
bool sb_keep_running(struct sb_state *st);
/* As sb_keep_running(), counting @n iterations per true: the body runs @n in a row. */
bool sb_keep_running_batch(struct sb_state *st, int64_t n);
/* Argument @i of this run (0 when it has none). */
int64_t sb_range_arg(const struct sb_state *st, size_t i);
/* Iterations run so far (after the loop: all of them). */
int64_t sb_iterations_done(const struct sb_state *st);
/* This thread's index and the run's thread count. */
int sb_thread_index(const struct sb_state *st);
int sb_thread_count(const struct sb_state *st);

/* Total bytes / items processed by the run: reported per second. */
void sb_set_bytes_processed(struct sb_state *st, int64_t bytes);
void sb_set_items_processed(struct sb_state *st, int64_t items);

/* Counter flags (benchmark::Counter::Flags), combinable. */
#define SB_COUNTER_RATE 0x01 /* divided by the run's time */
#define SB_COUNTER_AVG_THREADS 0x02 /* divided by the thread count */
#define SB_COUNTER_ITER_INVARIANT 0x04 /* multiplied by the iterations */
#define SB_COUNTER_AVG_ITERATIONS 0x08 /* divided by the iterations */
#define SB_COUNTER_INVERT 0x10 /* inverted, after everything else */
#define SB_COUNTER_1024 0x20 /* shown with 1024 as k (sizes), not 1000 */

/* Set a user counter; it appears in the console and JSON output and in sb_result. */
void sb_counter_set(struct sb_state *st, const char *name, double value, unsigned int flags);
/* With sb_use_manual_time(): the time this iteration took. */
void sb_set_iteration_time(struct sb_state *st, double seconds);
/* Stop / restart the clock inside the loop (costly: use for coarse steps only). */
void sb_pause_timing(struct sb_state *st);
void sb_resume_timing(struct sb_state *st);
/* End the run as failed with @msg; the loop must then be left (sb_keep_running() is false). */
void sb_skip_with_error(struct sb_state *st, const char *msg);
/* A label printed after the run's numbers. */
void sb_set_label(struct sb_state *st, const char *label);
/* Keep the compiler from discarding a computation whose result is otherwise unused. */
void sb_do_not_optimize(const void *p);
/* A compiler barrier for memory: pending writes are considered observed. */
void sb_clobber_memory(void);

/* ---- running ---- */

/**
 * sb_main() - run the registered benchmarks as Google Benchmark's main() would.
 * @argc: argument count.
 * @argv: arguments: --benchmark_filter=REGEX, --benchmark_format=console|json|csv,
 *	--benchmark_out=FILE, --benchmark_out_format=json, --benchmark_min_time=SECONDS,
 *	--benchmark_repetitions=N, ... (--help lists them).
 *
 * Return: the exit status for main(): 0, or 1 for an unrecognised argument.
 */
int sb_main(int argc, char **argv);

/* One reported run, valid during the sb_result_fn call only. */
struct sb_result {
	const char *name; /* e.g. "crc32c/ours/4096", with "_mean" etc. for aggregates */
	const char *aggregate; /* "" for a measured run, else "mean", "median", "stddev", "cv" */
	const char *label; /* sb_set_label()'s, or "" */
	const char *error; /* NULL, or sb_skip_with_error()'s message */
	int64_t iterations;
	int64_t threads;
	double real_time; /* per iteration, in time_unit */
	double cpu_time;
	const char *time_unit; /* "ns", "us", "ms", "s" */
	size_t ncounters; /* user counters, with bytes_per_second and items_per_second */
	const char *const *counter_names;
	const double *counter_values;
};

typedef void (*sb_result_fn)(const struct sb_result *r, void *arg);

struct sb_run_opts {
	const char *filter; /* regex, NULL for all */
	const char *json_out; /* write Google Benchmark's JSON here too, or NULL */
	double min_time; /* seconds per run, 0 for the default */
	int repetitions; /* 0 for the default (1) */
	bool quiet; /* no console table */
};

/**
 * sb_run() - run the registered benchmarks that match @opts->filter and report each run to
 * @cb (then in the console table unless quiet, and in @opts->json_out).
 * @opts: what to run; NULL runs everything with defaults.
 * @cb: called once per run and aggregate, or NULL.
 * @arg: passed to @cb.
 *
 * Return: the number of runs (benchmark and argument set) that matched, or -EINVAL for a
 * bad option.
 */
int sb_run(const struct sb_run_opts *opts, sb_result_fn cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* SVART_BENCH_H */
