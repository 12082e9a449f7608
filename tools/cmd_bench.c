// SPDX-License-Identifier: MIT
/*
 * svart bench: the operations end to end against their CPU baselines, and the sim IOMMU's
 * translation cost, in one run (bench/bench_ops.c, bench/bench_xlate.c through the Google
 * Benchmark shim). Progress on stderr, then a summary table: each figure with its baseline
 * and the ratio. --json writes Google Benchmark's JSON (tools/compare.py reads it); a plot
 * is drawn with gnuplot when it is installed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svart.h"
#include "tools/cli.h"

#ifdef SVART_HAVE_BENCH

#include <spawn.h>
#include <sys/wait.h>

#include "suites.h"
#include "svart_bench.h"

extern char **environ;

/* Quick profile: Google Benchmark stops a run once it has measured this long. */
#define QUICK_MIN_TIME 0.2

struct res {
	char name[96];
	char op[32], who[32], size[32];
	char qd[16]; /* "qd:8" for async rows, else "" */
	double bps; /* bytes per second; 0 when not set */
	double ns; /* real time per iteration */
	double ratio; /* compression ratio; 0 when not set */
	/* fault/partial/...: the faults_per_op, p50_ns and prefault_p50_ns counters */
	double faults, p50, prefault;
	bool failed;
};

struct acc {
	struct res *r;
	size_t n, cap;
	bool tty;
	struct timespec t0;
};

static void bench_usage(FILE *f)
{
	fprintf(f,
		"usage: svart bench [--full] [--filter REGEX] [--json FILE] [--plot FILE | --no-plot]\n"
		"                   [--min-time SECONDS]\n\n"
		"Benchmarks svart's operations (memmove, memfill, compare, CRC-32C, compress,\n"
		"decompress; async memmove at queue depth 1..64) on $SVART_PLATFORM (default: the\n"
		"hardware when usable, else sim), each against its CPU baseline in the same run\n"
		"(glibc, ISA-L, zlib), and the sim IOMMU's translation cost. Prints a summary with\n"
		"each figure, its baseline and the ratio.\n\n"
		"  --full          256 B .. 64 MiB, the whole translation and submission suites\n"
		"                  (long)\n"
		"  --filter REGEX  only the benchmarks whose name matches (e.g. 'ops/crc32c')\n"
		"  --json FILE     Google Benchmark's JSON (tools/compare.py reads it)\n"
		"  --plot FILE     the plot, .png or .svg (default svart-bench.png; needs gnuplot)\n"
		"  --no-plot       no plot\n"
		"  --min-time S    seconds each benchmark measures (default %.2f, --full 0.5)\n"
		"  --help          this text\n",
		QUICK_MIN_TIME);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static double counter(const struct sb_result *r, const char *name)
{
	for (size_t i = 0; i < r->ncounters; i++)
		if (!strcmp(r->counter_names[i], name))
			return r->counter_values[i];
	return 0;
}

static double to_ns(double t, const char *unit)
{
	if (!strcmp(unit, "us"))
		return t * 1e3;
	if (!strcmp(unit, "ms"))
		return t * 1e6;
	if (!strcmp(unit, "s"))
		return t * 1e9;
	return t;
}

/*
 * "ops/<op>/<who>/<size>[/qd:N]" or "xlate/<kind>/..." into its parts ("" where absent).
 */
static void split_name(struct res *x)
{
	char buf[96], *save = NULL, *part[5] = { 0 };
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", x->name);
	for (char *p = strtok_r(buf, "/", &save); p && n < 5; p = strtok_r(NULL, "/", &save))
		part[n++] = p;
	x->op[0] = x->who[0] = x->size[0] = x->qd[0] = 0;
	if (n < 4 || strcmp(part[0], "ops"))
		return;
	snprintf(x->op, sizeof(x->op), "%s", part[1]);
	snprintf(x->who, sizeof(x->who), "%s", part[2]);
	snprintf(x->size, sizeof(x->size), "%s", part[3]);
	if (n == 5)
		snprintf(x->qd, sizeof(x->qd), "%s", part[4]);
}

static void on_result(const struct sb_result *r, void *arg)
{
	struct acc *a = arg;
	struct res *x;
	size_t len;

	if (r->aggregate[0])
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct res *p = realloc(a->r, cap * sizeof(*p));

		if (!p)
			return; /* the summary lacks this row; the JSON still has it */
		a->r = p;
		a->cap = cap;
	}
	x = &a->r[a->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", r->name);
	/* Google Benchmark appends "/real_time" to wall-clock runs: the summary goes without. */
	len = strlen(x->name);
	if (len > 10 && !strcmp(x->name + len - 10, "/real_time"))
		x->name[len - 10] = 0;
	split_name(x);
	x->failed = r->error != NULL;
	x->bps = counter(r, "bytes_per_second");
	x->ratio = counter(r, "ratio");
	x->faults = counter(r, "faults_per_op");
	x->p50 = counter(r, "p50_ns");
	x->prefault = counter(r, "prefault_p50_ns");
	x->ns = to_ns(r->real_time, r->time_unit);
	if (a->tty)
		fprintf(stderr, "\r\033[K[%3zu %5.1fs] %-44s", a->n, elapsed(&a->t0), x->name);
	else
		fprintf(stderr, "[%3zu %5.1fs] %s", a->n, elapsed(&a->t0), x->name);
	if (x->failed)
		fprintf(stderr, "  FAILED: %s", r->error);
	else if (x->bps > 0)
		fprintf(stderr, "  %.2f GB/s", x->bps / 1e9);
	else
		fprintf(stderr, "  %.1f ns", x->ns);
	if (!a->tty || x->failed)
		fputc('\n', stderr);
	fflush(stderr);
}

static const struct res *find(const struct acc *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->r[i].name, name))
			return &a->r[i];
	return NULL;
}

/* "4096" as "4 KiB"; anything else ("qd:8") as it is. */
static const char *size_str(char *buf, size_t len, const char *size)
{
	char *end;
	unsigned long long v = strtoull(size, &end, 10);

	if (*end || end == size)
		snprintf(buf, len, "%s", size);
	else if (v >= (1ull << 20) && !(v % (1ull << 20)))
		snprintf(buf, len, "%llu MiB", v >> 20);
	else if (v >= 1024 && !(v % 1024))
		snprintf(buf, len, "%llu KiB", v >> 10);
	else
		snprintf(buf, len, "%llu B", v);
	return buf;
}

static void print_rate(const struct res *x)
{
	if (x->failed)
		printf(" %10s", "failed");
	else
		printf(" %6.2f GB/s", x->bps / 1e9);
}

static void summary_ops(const struct acc *a)
{
	bool head = false;
	char sz[32], base[96], label[48];

	for (size_t i = 0; i < a->n; i++) {
		const struct res *s = &a->r[i];
		size_t oplen = strlen(s->op);
		bool async = s->qd[0] && oplen > 6 && !strcmp(s->op + oplen - 6, "_async");
		bool paired = false;

		if (!s->op[0] || strcmp(s->who, "svart"))
			continue;
		if (async)
			oplen -= 6;
		for (size_t j = 0; j < a->n && !paired; j++) {
			const struct res *b = &a->r[j];

			/*
			 * A sync op against each of its baselines at its size; an async op against
			 * the first baseline of the same op and size (memcpy, memset, memcmp, ISA-L).
			 */
			if (strncmp(b->op, s->op, oplen) || b->op[oplen] || b->qd[0] ||
			    strcmp(b->size, s->size) || !strcmp(b->who, "svart"))
				continue;
			paired = async;
			if (!head) {
				printf("\n%-22s %-9s %12s  %-9s %12s %7s  %s\n", "operation",
				       "size", "svart", "baseline", "", "ratio",
				       "compression ratio");
				head = true;
			}
			snprintf(base, sizeof(base), "%s", b->who);
			snprintf(label, sizeof(label), "%.*s%s%s", (int)oplen, s->op,
				 async ? " async " : "", async ? s->qd : "");
			printf("%-22s %-9s", label, size_str(sz, sizeof(sz), s->size));
			print_rate(s);
			printf("  %-9s", base);
			print_rate(b);
			if (s->failed || b->failed || b->bps <= 0)
				printf(" %7s", "-");
			else
				printf(" %6.2fx", s->bps / b->bps);
			if (s->ratio > 0 || b->ratio > 0)
				printf("  %.2f vs %.2f", s->ratio, b->ratio);
			printf("\n");
		}
	}
}

/* Partial completion: each fault/partial run with its faults and its prefault's time. */
static void summary_fault(const struct acc *a)
{
	bool head = false;

	for (size_t i = 0; i < a->n; i++) {
		const struct res *x = &a->r[i];
		char name[96], *cut;

		if (strncmp(x->name, "fault/partial/", strlen("fault/partial/")))
			continue;
		if (!head) {
			printf("\n%-40s %12s %10s %14s\n", "partial completion (sim memmove)",
			       "p50", "faults/op", "prefault p50");
			head = true;
		}
		/* "fault/partial/4k/untouched/2097152/iterations:100/manual_time": the middle. */
		snprintf(name, sizeof(name), "%s", x->name + strlen("fault/partial/"));
		cut = strstr(name, "/iterations:");
		if (cut)
			*cut = 0;
		printf("%-40s", name);
		if (x->failed) {
			printf(" %12s\n", "failed");
			continue;
		}
		printf(" %9.1f us %10.2f", x->p50 / 1e3, x->faults);
		if (x->prefault > 0)
			printf(" %11.1f us", x->prefault / 1e3);
		printf("\n");
	}
}

static void summary_xlate(const struct acc *a)
{
	static const char *const leaf[] = { "4k", "2m", "1g" };
	char name[96];
	bool head = false;

	for (size_t i = 0; i < sizeof(leaf) / sizeof(leaf[0]); i++) {
		const struct res *h, *m;

		snprintf(name, sizeof(name), "xlate/hit/%s/iotlb", leaf[i]);
		h = find(a, name);
		snprintf(name, sizeof(name), "xlate/walk_nested/4lvl/%s/iotlb", leaf[i]);
		m = find(a, name);
		if (!h && !m)
			continue;
		if (!head) {
			printf("\n%-16s %-9s %12s %18s %7s\n", "translation", "page", "IOTLB hit",
			       "nested miss", "ratio");
			head = true;
		}
		printf("%-16s %-9s", "sim IOMMU", leaf[i]);
		if (h && !h->failed)
			printf(" %9.1f ns", h->ns);
		else
			printf(" %12s", "-");
		if (m && !m->failed)
			printf(" %15.1f ns", m->ns);
		else
			printf(" %18s", "-");
		if (h && m && !h->failed && !m->failed && h->ns > 0)
			printf(" %6.1fx", m->ns / h->ns);
		printf("\n");
	}
}

/* ---- the plot ---- */

static bool have_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n + strlen(prog) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
			if (!access(buf, X_OK))
				return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

static bool is_size(const char *s)
{
	char *end;

	strtoull(s, &end, 10);
	return end != s && !*end;
}

/* A series: every ops result with a numeric size for one (op, who), in arrival order. */
static int write_data(FILE *f, const struct acc *a, char (*titles)[64], int max, int *nxlate)
{
	int n = 0;

	for (size_t i = 0; i < a->n && n < max; i++) {
		const struct res *x = &a->r[i];
		bool seen = false;

		/* Async rows are one point per queue depth: not a curve over size. */
		if (!x->op[0] || !is_size(x->size) || x->failed || x->qd[0])
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !a->r[j].failed && is_size(a->r[j].size) && !a->r[j].qd[0] &&
			       !strcmp(a->r[j].op, x->op) && !strcmp(a->r[j].who, x->who);
		if (seen)
			continue;
		snprintf(titles[n++], 64, "%s %s", x->op, x->who);
		fprintf(f, "# %s %s\n", x->op, x->who);
		for (size_t j = i; j < a->n; j++)
			if (!a->r[j].failed && !strcmp(a->r[j].op, x->op) && !a->r[j].qd[0] &&
			    !strcmp(a->r[j].who, x->who) && is_size(a->r[j].size))
				fprintf(f, "%s %.6g\n", a->r[j].size, a->r[j].bps / 1e9);
		fprintf(f, "\n\n");
	}
	/* The last block: translation cost by page size. */
	*nxlate = 0;
	for (int i = 0; i < 3; i++) {
		static const char *const leaf[] = { "4k", "2m", "1g" };
		char name[96];
		const struct res *h, *m;

		snprintf(name, sizeof(name), "xlate/hit/%s/iotlb", leaf[i]);
		h = find(a, name);
		snprintf(name, sizeof(name), "xlate/walk_nested/4lvl/%s/iotlb", leaf[i]);
		m = find(a, name);
		if (!h || !m || h->failed || m->failed)
			continue;
		fprintf(f, "%s %.6g %.6g\n", leaf[i], h->ns, m->ns);
		(*nxlate)++;
	}
	return n;
}

static int run_gnuplot(const char *script)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ))
		return -errno;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int plot(const struct acc *a, const char *out, const char *platform)
{
	char data[] = "/tmp/svart-bench-data-XXXXXX", script[] = "/tmp/svart-bench-gp-XXXXXX";
	char titles[64][64];
	size_t olen = strlen(out);
	bool svg = olen > 4 && !strcmp(out + olen - 4, ".svg");
	int dfd, sfd, n, nx, ret;
	FILE *df = NULL, *sf = NULL;

	if (!have_program("gnuplot")) {
		fprintf(stderr, "svart bench: no plot: gnuplot is not installed "
				"(apt-get install gnuplot-nox)\n");
		return 0;
	}
	dfd = mkstemp(data);
	if (dfd < 0)
		return -errno;
	sfd = mkstemp(script);
	if (sfd < 0) {
		ret = -errno;
		goto out_data;
	}
	df = fdopen(dfd, "w");
	sf = fdopen(sfd, "w");
	if (!df || !sf) {
		ret = -ENOMEM;
		goto out_files;
	}
	n = write_data(df, a, titles, 64, &nx);
	fflush(df);
	if (!n && !nx) {
		fprintf(stderr, "svart bench: no plot: nothing to draw\n");
		ret = 0;
		goto out_files;
	}
	/* noenhanced: the underscores in "isal_l1" are not subscripts. */
	fprintf(sf, "set terminal %s size 1400,650 font ',10' noenhanced\nset output '%s'\n",
		svg ? "svg" : "pngcairo", out);
	fprintf(sf, "set multiplot layout 1,%d title 'svart bench (%s)'\n", n && nx ? 2 : 1,
		platform);
	if (n) {
		fprintf(sf,
			"set logscale x 2\nset logscale y 10\nset format x '%%.0b%%B'\nset xlabel 'bytes'\n"
			"set ylabel 'GB/s'\nset key left top font ',8'\nset grid\n"
			"set title 'throughput: svart (solid) vs CPU baseline (dashed)'\nplot ");
		for (int i = 0, color = 0; i < n; i++) {
			bool svart = strstr(titles[i], " svart") != NULL;

			/* One colour per operation: svart solid, its baselines dashed. */
			if (svart || !i)
				color++;
			fprintf(sf,
				"%s'%s' index %d using 1:2 with linespoints lc %d dt %d "
				"title '%s'",
				i ? ", " : "", data, i, color, svart ? 1 : 2, titles[i]);
		}
		fprintf(sf, "\nunset logscale\nunset format\n");
	}
	if (nx)
		fprintf(sf,
			"set logscale y\nset xlabel 'page size'\nset ylabel 'ns'\n"
			"set title 'sim IOMMU translation by page size'\nset key left top\n"
			"set style data linespoints\n"
			"plot '%s' index %d using 0:2:xtic(1) title 'IOTLB hit', "
			"'' index %d using 0:3 title 'nested miss (4-level)'\n",
			data, n, n);
	fprintf(sf, "unset multiplot\n");
	fflush(sf);
	ret = run_gnuplot(script);
	if (!ret)
		fprintf(stderr, "svart bench: plot written to %s\n", out);
	else
		fprintf(stderr, "svart bench: gnuplot failed: no plot\n");
out_files:
	if (sf)
		fclose(sf);
	else
		close(sfd);
	unlink(script);
out_data:
	if (df)
		fclose(df);
	else
		close(dfd);
	unlink(data);
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	const char *filter = NULL, *json = NULL, *plot_out = "svart-bench.png", *platform;
	struct acc a = { 0 };
	double min_time = 0;
	bool full = false;
	int ret, runs;

	for (int i = 1; i < argc; i++) {
		bool more = i + 1 < argc;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			bench_usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(argv[i], "--full")) {
			full = true;
		} else if (!strcmp(argv[i], "--no-plot")) {
			plot_out = NULL;
		} else if (!strcmp(argv[i], "--filter") && more) {
			filter = argv[++i];
		} else if (!strcmp(argv[i], "--json") && more) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--plot") && more) {
			plot_out = argv[++i];
		} else if (!strcmp(argv[i], "--min-time") && more) {
			char *end;

			min_time = strtod(argv[++i], &end);
			if (*end || !(min_time > 0)) {
				fprintf(stderr, "svart bench: bad --min-time '%s'\n", argv[i]);
				return CLI_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "svart bench: unknown or incomplete option '%s'\n\n",
				argv[i]);
			bench_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (plot_out) {
		size_t l = strlen(plot_out);

		/* The name goes into a gnuplot script inside single quotes. */
		if (l < 5 || strchr(plot_out, '\'') ||
		    (strcmp(plot_out + l - 4, ".png") && strcmp(plot_out + l - 4, ".svg"))) {
			fprintf(stderr, "svart bench: --plot takes a .png or .svg file name "
					"(without ')\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (!min_time)
		min_time = full ? 0 : QUICK_MIN_TIME;

	sb_suite_ops(full);
	sb_suite_xlate(full);
	/* The full translation suite registers all of them with its fault benchmarks. */
	if (!full)
		sb_suite_fault_partial(false);
	sb_suite_submit(full);
	a.tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &a.t0);
	fprintf(stderr, "svart bench: %s profile%s%s\n", full ? "full" : "quick",
		filter ? ", filter " : "", filter ? filter : "");
	runs = sb_run(
		&(struct sb_run_opts){
			.filter = filter, .json_out = json, .min_time = min_time, .quiet = true },
		on_result, &a);
	if (a.tty)
		fprintf(stderr, "\r\033[K");
	sb_suites_release();
	if (runs < 0) {
		fprintf(stderr, "svart bench: bad options for the benchmark library\n");
		free(a.r);
		return CLI_EXIT_USAGE;
	}
	fprintf(stderr, "svart bench: %d benchmarks in %.1f s\n", runs, elapsed(&a.t0));
	if (!runs) {
		fprintf(stderr, "svart bench: no benchmark matches '%s'\n", filter ? filter : "");
		free(a.r);
		return CLI_EXIT_FAIL;
	}

	sb_suite_ops_describe(&platform);
	printf("svart bench: %s profile on %s; throughput in GB/s (10^9 bytes/s), ratio = svart "
	       "/ baseline\n",
	       full ? "full" : "quick", platform[0] ? platform : "(no ops run)");
	summary_ops(&a);
	summary_xlate(&a);
	summary_fault(&a);
	if (json)
		printf("\nJSON (Google Benchmark format): %s\n", json);

	ret = CLI_EXIT_OK;
	for (size_t i = 0; i < a.n; i++)
		if (a.r[i].failed)
			ret = CLI_EXIT_FAIL;
	if (plot_out && plot(&a, plot_out, platform[0] ? platform : "sim") < 0)
		ret = CLI_EXIT_FAIL;
	free(a.r);
	return ret;
}

#else /* !SVART_HAVE_BENCH */

int cmd_bench(int argc, char **argv)
{
	fprintf(stderr, "svart bench: this svart was built without benchmarks "
			"(configure with -DSVART_BUILD_BENCH=ON and Google Benchmark installed)\n");
	return CLI_EXIT_FAIL;
}

#endif
