// SPDX-License-Identifier: MIT
/*
 * The C shim over Google Benchmark, driven through sb_run(): arguments and their names,
 * setup/teardown per run with the registration's argument, counters (plain, rate, per
 * iteration), bytes processed, manual timing, labels, errors, the result callback and the
 * JSON file. Expected values are fixed by the benchmarks themselves (a manual time of 2 ms,
 * a counter of 42), not measured.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svart_bench.h"
#include "tests/t_helpers.h"

struct fixture_count {
	int setups, teardowns, bodies;
	int64_t last_arg;
};

static void fx_setup(const struct sb_state *st, void *arg)
{
	struct fixture_count *c = arg;

	c->setups++;
	c->last_arg = sb_range_arg(st, 0);
}

static void fx_teardown(const struct sb_state *st, void *arg)
{
	((struct fixture_count *)arg)->teardowns++;
}

static void bm_counted(struct sb_state *st, void *arg)
{
	struct fixture_count *c = arg;
	int64_t n = sb_range_arg(st, 0), m = sb_range_arg(st, 1);
	volatile int64_t sink = 0;

	c->bodies++;
	while (sb_keep_running(st))
		sink += n * m;
	sb_set_bytes_processed(st, sb_iterations_done(st) * n);
	sb_set_items_processed(st, sb_iterations_done(st));
	sb_counter_set(st, "answer", 42, 0);
	sb_counter_set(st, "per_iter", (double)sb_iterations_done(st) * 3,
		       SB_COUNTER_AVG_ITERATIONS);
	sb_set_label(st, "labelled");
}

/* Manual time: every iteration claims 2 ms, whatever it took. */
static void bm_manual(struct sb_state *st, void *arg)
{
	while (sb_keep_running(st))
		sb_set_iteration_time(st, 0.002);
}

static void bm_fails(struct sb_state *st, void *arg)
{
	sb_skip_with_error(st, "deliberate");
	while (sb_keep_running(st))
		;
}

static void bm_batch(struct sb_state *st, void *arg)
{
	int64_t calls = 0;

	while (sb_keep_running_batch(st, 8))
		calls += 8;
	sb_counter_set(st, "calls_per_iter", (double)calls, SB_COUNTER_AVG_ITERATIONS);
}

struct seen {
	int counted_8_2, counted_64_2, manual, fails, batch, other;
};

static double counter(const struct sb_result *r, const char *name)
{
	for (size_t i = 0; i < r->ncounters; i++)
		if (!strcmp(r->counter_names[i], name))
			return r->counter_values[i];
	return NAN;
}

static void on_result(const struct sb_result *r, void *arg)
{
	struct seen *s = arg;

	if (!strcmp(r->name, "selftest/counted/n:8/m:2")) {
		s->counted_8_2++;
		T_EQ(counter(r, "answer"), 42);
		T_EQ(counter(r, "per_iter"), 3);
		T_CHECK(counter(r, "bytes_per_second") > 0);
		T_CHECK(counter(r, "items_per_second") > 0);
		T_STREQ(r->label, "labelled");
		T_CHECK(r->error == NULL);
		T_CHECK(r->iterations > 0);
		T_STREQ(r->time_unit, "us");
		T_STREQ(r->aggregate, "");
	} else if (!strcmp(r->name, "selftest/counted/n:64/m:2")) {
		s->counted_64_2++;
	} else if (!strcmp(r->name, "selftest/manual/iterations:5/manual_time")) {
		s->manual++;
		/* 2 ms per iteration, reported in ms. */
		T_CHECK(fabs(r->real_time - 2.0) < 1e-6);
		T_STREQ(r->time_unit, "ms");
	} else if (!strcmp(r->name, "selftest/fails")) {
		s->fails++;
		T_STREQ(r->error, "deliberate");
	} else if (!strcmp(r->name, "selftest/batch")) {
		s->batch++;
		T_EQ(counter(r, "calls_per_iter"), 1);
		T_CHECK(r->iterations % 8 == 0);
	} else {
		fprintf(stderr, "unexpected run %s\n", r->name);
		s->other++;
	}
}

int main(void)
{
	static const char *const names[] = { "n", "m" };
	static const int64_t args8[] = { 8, 2 }, args64[] = { 64, 2 };
	struct fixture_count fc = { 0 };
	char json[] = "/tmp/svart-bench-selftest-XXXXXX";
	struct sb_run_opts opts = { .filter = "^selftest/", .min_time = 0.01, .quiet = true };
	struct seen seen = { 0 };
	struct sb_bench *b;
	char *doc;
	long len;
	FILE *f;
	int fd, n;

	b = sb_register("selftest/counted", bm_counted, fx_setup, fx_teardown, &fc);
	b = sb_arg_names(sb_args(sb_args(b, args8, 2), args64, 2), names, 2);
	T_CHECK(sb_unit(b, SB_US) != NULL);
	T_CHECK(sb_unit(sb_use_manual_time(sb_iterations(
				sb_register("selftest/manual", bm_manual, NULL, NULL, NULL), 5)),
			SB_MS) != NULL);
	T_CHECK(sb_register("selftest/fails", bm_fails, NULL, NULL, NULL) != NULL);
	T_CHECK(sb_register("selftest/batch", bm_batch, NULL, NULL, NULL) != NULL);
	T_CHECK(sb_register("other/not_run", bm_fails, NULL, NULL, NULL) != NULL);
	/* Bad registrations, and NULL passing through a chain. */
	T_CHECK(sb_register(NULL, bm_fails, NULL, NULL, NULL) == NULL);
	T_CHECK(sb_register("x", NULL, NULL, NULL, NULL) == NULL);
	T_CHECK(sb_arg(sb_range(NULL, 1, 2), 3) == NULL);

	fd = mkstemp(json);
	if (fd < 0)
		T_SKIP("mkstemp failed");
	close(fd);
	opts.json_out = json;
	n = sb_run(&opts, on_result, &seen);
	T_EQ(n, 5); /* runs (argument sets) that matched */
	T_EQ(seen.counted_8_2, 1);
	T_EQ(seen.counted_64_2, 1);
	T_EQ(seen.manual, 1);
	T_EQ(seen.fails, 1);
	T_EQ(seen.batch, 1);
	T_EQ(seen.other, 0);
	/* Setup and teardown once around each run of the fixture benchmark, with its arg. */
	T_CHECK(fc.setups >= 2);
	T_EQ(fc.setups, fc.teardowns);
	T_EQ(fc.setups, fc.bodies);
	T_EQ(fc.last_arg, 64);

	/* Google Benchmark's JSON file, with our runs in it. */
	f = fopen(json, "rb");
	T_CHECK(f != NULL);
	if (f) {
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		doc = calloc(1, (size_t)len + 1);
		T_EQ(fread(doc, 1, (size_t)len, f), len);
		fclose(f);
		T_CHECK(strstr(doc, "\"benchmarks\"") != NULL);
		T_CHECK(strstr(doc, "\"name\": \"selftest/counted/n:8/m:2\"") != NULL);
		T_CHECK(strstr(doc, "\"answer\": 4.2") != NULL);
		free(doc);
	}
	unlink(json);

	T_RET(EINVAL, sb_run(&(struct sb_run_opts){ .min_time = -1 }, NULL, NULL));
	return t_done("bench_shim_selftest");
}
