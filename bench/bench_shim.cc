// SPDX-License-Identifier: MIT
/*
 * The C face of Google Benchmark (svart_bench.h). The only C++ file in svart: it holds
 * nothing but the translation between the C API and benchmark::*.
 *
 * Google Benchmark's Setup()/Teardown() take plain function pointers without a user
 * argument, so each registration with a fixture gets one of a fixed pool of trampolines,
 * which finds its C callbacks and argument by its slot number.
 */
#include <benchmark/benchmark.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "svart_bench.h"

namespace {

using benchmark::State;
using benchmark::internal::Benchmark;

State *S(struct sb_state *st)
{
	return reinterpret_cast<State *>(st);
}

const State *S(const struct sb_state *st)
{
	return reinterpret_cast<const State *>(st);
}

Benchmark *B(struct sb_bench *b)
{
	return reinterpret_cast<Benchmark *>(b);
}

struct sb_bench *H(Benchmark *b)
{
	return reinterpret_cast<struct sb_bench *>(b);
}

struct Fixture {
	sb_fixture_fn setup;
	sb_fixture_fn teardown;
	void *arg;
};

constexpr size_t kFixtures = 1024;
Fixture fixtures[kFixtures];
size_t nfixtures;

template <size_t N> void setup_tramp(const State &st)
{
	fixtures[N].setup(reinterpret_cast<const struct sb_state *>(&st), fixtures[N].arg);
}

template <size_t N> void teardown_tramp(const State &st)
{
	fixtures[N].teardown(reinterpret_cast<const struct sb_state *>(&st), fixtures[N].arg);
}

using Tramp = void (*)(const State &);

template <size_t... I>
constexpr std::pair<std::array<Tramp, sizeof...(I)>, std::array<Tramp, sizeof...(I)>>
make_tramps(std::index_sequence<I...>)
{
	return { { setup_tramp<I>... }, { teardown_tramp<I>... } };
}

const auto tramps = make_tramps(std::make_index_sequence<kFixtures>{});

benchmark::TimeUnit time_unit(enum sb_unit u)
{
	switch (u) {
	case SB_US:
		return benchmark::kMicrosecond;
	case SB_MS:
		return benchmark::kMillisecond;
	case SB_S:
		return benchmark::kSecond;
	default:
		return benchmark::kNanosecond;
	}
}

/* Forwards every run to a C callback, and to the console unless quiet. */
class CallbackReporter : public benchmark::BenchmarkReporter {
    public:
	CallbackReporter(sb_result_fn cb, void *arg, bool quiet) : cb_(cb), arg_(arg), quiet_(quiet)
	{
	}

	bool ReportContext(const Context &context) override
	{
		return quiet_ ? true : console_.ReportContext(context);
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs)
			forward(r);
		if (!quiet_)
			console_.ReportRuns(runs);
	}

	void Finalize() override
	{
		if (!quiet_)
			console_.Finalize();
	}

    private:
	void forward(const Run &r)
	{
		std::string name = r.benchmark_name();
		std::vector<const char *> names;
		std::vector<double> values;
		struct sb_result res = {};

		if (!cb_)
			return;
		for (const auto &c : r.counters) {
			names.push_back(c.first.c_str());
			values.push_back(c.second.value);
		}
		res.name = name.c_str();
		res.aggregate = r.run_type == Run::RT_Aggregate ? r.aggregate_name.c_str() : "";
		res.label = r.report_label.c_str();
		res.error = r.error_occurred ? r.error_message.c_str() : nullptr;
		res.iterations = r.iterations;
		res.threads = r.threads;
		res.real_time = r.GetAdjustedRealTime();
		res.cpu_time = r.GetAdjustedCPUTime();
		res.time_unit = benchmark::GetTimeUnitString(r.time_unit);
		res.ncounters = names.size();
		res.counter_names = names.data();
		res.counter_values = values.data();
		cb_(&res, arg_);
	}

	benchmark::ConsoleReporter console_;
	sb_result_fn cb_;
	void *arg_;
	bool quiet_;
};

} // namespace

extern "C" {

struct sb_bench *sb_register(const char *name, sb_fn fn, sb_fixture_fn setup,
			     sb_fixture_fn teardown, void *arg)
{
	Benchmark *b;

	if (!name || !fn)
		return nullptr;
	if ((setup || teardown) && nfixtures == kFixtures) {
		fprintf(stderr, "svart_bench: more than %zu benchmarks with fixtures\n", kFixtures);
		return nullptr;
	}
	b = benchmark::RegisterBenchmark(
		name, [fn, arg](State &st) { fn(reinterpret_cast<struct sb_state *>(&st), arg); });
	if (setup || teardown) {
		size_t i = nfixtures++;

		fixtures[i] = Fixture{ setup, teardown, arg };
		if (setup)
			b->Setup(tramps.first[i]);
		if (teardown)
			b->Teardown(tramps.second[i]);
	}
	return H(b);
}

struct sb_bench *sb_arg(struct sb_bench *b, int64_t a)
{
	return b ? H(B(b)->Arg(a)) : nullptr;
}

struct sb_bench *sb_args(struct sb_bench *b, const int64_t *args, size_t n)
{
	if (!b || (!args && n))
		return nullptr;
	return H(B(b)->Args(std::vector<int64_t>(args, args + n)));
}

struct sb_bench *sb_range(struct sb_bench *b, int64_t lo, int64_t hi)
{
	return b && lo <= hi ? H(B(b)->Range(lo, hi)) : nullptr;
}

struct sb_bench *sb_range_multiplier(struct sb_bench *b, int mult)
{
	return b && mult > 1 ? H(B(b)->RangeMultiplier(mult)) : nullptr;
}

struct sb_bench *sb_dense_range(struct sb_bench *b, int64_t lo, int64_t hi, int step)
{
	return b && lo <= hi && step > 0 ? H(B(b)->DenseRange(lo, hi, step)) : nullptr;
}

struct sb_bench *sb_arg_names(struct sb_bench *b, const char *const *names, size_t n)
{
	if (!b || (!names && n))
		return nullptr;
	return H(B(b)->ArgNames(std::vector<std::string>(names, names + n)));
}

struct sb_bench *sb_use_manual_time(struct sb_bench *b)
{
	return b ? H(B(b)->UseManualTime()) : nullptr;
}

struct sb_bench *sb_use_real_time(struct sb_bench *b)
{
	return b ? H(B(b)->UseRealTime()) : nullptr;
}

struct sb_bench *sb_unit(struct sb_bench *b, enum sb_unit unit)
{
	return b ? H(B(b)->Unit(time_unit(unit))) : nullptr;
}

struct sb_bench *sb_iterations(struct sb_bench *b, int64_t n)
{
	return b && n > 0 ? H(B(b)->Iterations(n)) : nullptr;
}

struct sb_bench *sb_repetitions(struct sb_bench *b, int n)
{
	return b && n > 0 ? H(B(b)->Repetitions(n)) : nullptr;
}

struct sb_bench *sb_min_time(struct sb_bench *b, double seconds)
{
	return b && seconds > 0 ? H(B(b)->MinTime(seconds)) : nullptr;
}

struct sb_bench *sb_threads(struct sb_bench *b, int n)
{
	return b && n > 0 ? H(B(b)->Threads(n)) : nullptr;
}

bool sb_keep_running(struct sb_state *st)
{
	return S(st)->KeepRunning();
}

bool sb_keep_running_batch(struct sb_state *st, int64_t n)
{
	return S(st)->KeepRunningBatch(n);
}

int64_t sb_range_arg(const struct sb_state *st, size_t i)
{
	return S(st)->range(i);
}

int64_t sb_iterations_done(const struct sb_state *st)
{
	return S(st)->iterations();
}

int sb_thread_index(const struct sb_state *st)
{
	return S(st)->thread_index();
}

int sb_thread_count(const struct sb_state *st)
{
	return S(st)->threads();
}

void sb_set_bytes_processed(struct sb_state *st, int64_t bytes)
{
	S(st)->SetBytesProcessed(bytes);
}

void sb_set_items_processed(struct sb_state *st, int64_t items)
{
	S(st)->SetItemsProcessed(items);
}

void sb_counter_set(struct sb_state *st, const char *name, double value, unsigned int flags)
{
	int f = 0;

	if (!name)
		return;
	if (flags & SB_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & SB_COUNTER_AVG_THREADS)
		f |= benchmark::Counter::kAvgThreads;
	if (flags & SB_COUNTER_ITER_INVARIANT)
		f |= benchmark::Counter::kIsIterationInvariant;
	if (flags & SB_COUNTER_AVG_ITERATIONS)
		f |= benchmark::Counter::kAvgIterations;
	if (flags & SB_COUNTER_INVERT)
		f |= benchmark::Counter::kInvert;
	S(st)->counters[name] =
		benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f),
				   flags & SB_COUNTER_1024 ? benchmark::Counter::kIs1024 :
							     benchmark::Counter::kIs1000);
}

void sb_set_iteration_time(struct sb_state *st, double seconds)
{
	S(st)->SetIterationTime(seconds);
}

void sb_pause_timing(struct sb_state *st)
{
	S(st)->PauseTiming();
}

void sb_resume_timing(struct sb_state *st)
{
	S(st)->ResumeTiming();
}

void sb_skip_with_error(struct sb_state *st, const char *msg)
{
	S(st)->SkipWithError(msg ? msg : "error");
}

void sb_set_label(struct sb_state *st, const char *label)
{
	S(st)->SetLabel(label ? label : "");
}

void sb_do_not_optimize(const void *p)
{
	benchmark::DoNotOptimize(p);
}

void sb_clobber_memory(void)
{
	benchmark::ClobberMemory();
}

int sb_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

int sb_run(const struct sb_run_opts *opts, sb_result_fn cb, void *arg)
{
	struct sb_run_opts o = opts ? *opts : sb_run_opts{};
	std::vector<std::string> flags = { "svart_bench" };
	std::vector<char *> argv;
	size_t n;

	if (o.min_time < 0 || o.repetitions < 0)
		return -EINVAL;
	/* Google Benchmark takes its settings as flags; Initialize() resets every one. */
	flags.push_back(std::string("--benchmark_filter=") + (o.filter ? o.filter : "."));
	if (o.min_time > 0)
		flags.push_back("--benchmark_min_time=" + std::to_string(o.min_time));
	if (o.repetitions > 0)
		flags.push_back("--benchmark_repetitions=" + std::to_string(o.repetitions));
	if (o.json_out) {
		flags.push_back(std::string("--benchmark_out=") + o.json_out);
		flags.push_back("--benchmark_out_format=json");
	}
	for (std::string &f : flags)
		argv.push_back(&f[0]);
	argv.push_back(nullptr);
	int argc = static_cast<int>(flags.size());
	benchmark::Initialize(&argc, argv.data());
	if (argc != 1)
		return -EINVAL;

	CallbackReporter rep(cb, arg, o.quiet);
	/* A NULL file reporter: Google Benchmark writes --benchmark_out itself. */
	n = benchmark::RunSpecifiedBenchmarks(&rep, nullptr);
	return static_cast<int>(n);
}

} // extern "C"
