// SPDX-License-Identifier: MIT
/*
 * sim device core overhead, measured and reported (never asserted: timing depends on the
 * machine and its load). One thread submits tiny descriptors (the test executor's NOOP: a
 * completion record and nothing else) and polls their records, at queue depth 1 and 32, through
 * ENQCMD on a shared WQ and MOVDIR64B on a dedicated WQ (credits counted by the submitter, as
 * svart's runtime does); then 4 KiB MEMMOVEs through the DSA executor at depth 32 against
 * memcpy. What is checked: every descriptor completes successfully, the copies are exact, and
 * no credit-counted MOVDIR64B is dropped.
 *
 * SIM_ACCEL_PERF_N scales the descriptor counts (default 1: 100000 NOOPs at depth 32).
 */
#include "sim_accel_util.h"

#define QD 32

static struct ut_rec recs[QD];

static double perf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void perf_wait(const struct ut_rec *rec)
{
	while (!ut_status(rec))
		accel_cpu_relax();
}

/* @n NOOPs at depth @qd through @how; returns ns per descriptor, counts failures. */
static double perf_noop(struct sim_accel_wq *wq, unsigned int how, unsigned int qd, unsigned int n,
			unsigned int *bad)
{
	struct dsa_hw_desc d;
	unsigned int sent = 0, done = 0;
	double t0 = perf_now();

	while (done < n) {
		/* Fill to the depth, then retire the oldest. */
		while (sent < n && sent - done < qd) {
			struct ut_rec *r = &recs[sent % qd];

			ut_desc(&d, DSA_OPCODE_NOOP, sent, r);
			while (sim_wq_submit(wq, &d, how) == -EAGAIN)
				accel_cpu_relax();
			sent++;
		}
		perf_wait(&recs[done % qd]);
		*bad += ut_status(&recs[done % qd]) != DSA_COMP_SUCCESS;
		done++;
	}
	return (perf_now() - t0) / n;
}

static double perf_memmove(struct sim_accel_wq *wq, unsigned int n, char *src, char *dst,
			   unsigned int *bad)
{
	struct dsa_hw_desc d;
	unsigned int sent = 0, done = 0;
	double t0 = perf_now();

	while (done < n) {
		while (sent < n && sent - done < QD) {
			unsigned int slot = sent % QD;
			struct ut_rec *r = &recs[slot];

			ut_desc(&d, DSA_OPCODE_MEMMOVE, 4096, r);
			d.src_addr = (uintptr_t)(src + (size_t)slot * 4096);
			d.dst_addr = (uintptr_t)(dst + (size_t)slot * 4096);
			while (sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD) == -EAGAIN)
				accel_cpu_relax();
			sent++;
		}
		perf_wait(&recs[done % QD]);
		*bad += ut_status(&recs[done % QD]) != DSA_COMP_SUCCESS;
		done++;
	}
	return (perf_now() - t0) / n;
}

int main(void)
{
	const char *env = getenv("SIM_ACCEL_PERF_N");
	unsigned int scale = env && atoi(env) > 0 ? (unsigned int)atoi(env) : 1;
	unsigned int n = 100000 * scale, bad = 0;
	struct sim_accel_dev *dev = ut_dev(NULL, 1);
	struct sim_accel_wq *swq = ut_wq(dev, 0, SIM_WQ_SHARED, 64);
	struct sim_accel_wq *dwq = ut_wq(dev, 1, SIM_WQ_DEDICATED, QD);
	struct sim_engine_stats es0, es1;
	struct sim_wq_stats st;
	double qd1, qd32, dqd32, mm, cp;
	char *src, *dst;

	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_wq_enable(swq), 0);
	T_EQ(sim_wq_enable(dwq), 0);
	sim_accel_process_pasid_set(1);
	T_EQ(sim_wq_set_pasid(dwq, 1, false), 0);

	perf_noop(swq, SIM_WQ_HOW_ENQCMD, QD, 1000, &bad); /* warm up */
	qd1 = perf_noop(swq, SIM_WQ_HOW_ENQCMD, 1, n / 4, &bad);
	sim_engine_stats(dev, 0, &es0);
	qd32 = perf_noop(swq, SIM_WQ_HOW_ENQCMD, QD, n, &bad);
	sim_engine_stats(dev, 0, &es1);
	/* The dedicated WQ's size is the credit count: never more in flight than that. */
	dqd32 = perf_noop(dwq, SIM_WQ_HOW_MOVDIR64B, QD, n, &bad);
	sim_wq_stats(dwq, &st);
	T_EQ(st.dropped, 0);
	T_EQ(bad, 0);
	printf("sim_accel NOOP: %.0f ns/desc at depth 1 (ENQCMD), %.0f ns/desc at depth %d "
	       "(ENQCMD), %.0f ns/desc at depth %d (MOVDIR64B); engine sleeps during the depth-%d "
	       "run: %llu\n",
	       qd1, qd32, QD, dqd32, QD, QD, (unsigned long long)(es1.sleeps - es0.sleeps));
	sim_accel_dev_destroy(dev);

	/* 4 KiB MEMMOVE through the DSA executor at depth 32, against memcpy. */
	{
		struct sim_accel_dev_params p = { .type = &sim_accel_type_dsa, .node = 0 };
		struct sim_accel_dev *dsa = NULL;
		struct sim_accel_wq *wq;
		unsigned int m = n / 4;
		double t0;

		T_EQ(sim_accel_dev_create(&p, &dsa), 0);
		if (!dsa)
			return t_done("sim_accel_perf");
		T_EQ(sim_engine_set_group(dsa, 0, 0), 0);
		wq = ut_wq(dsa, 0, SIM_WQ_SHARED, 64);
		T_EQ(sim_accel_dev_enable(dsa), 0);
		T_EQ(sim_wq_enable(wq), 0);
		src = aligned_alloc(4096, QD * 4096);
		dst = aligned_alloc(4096, QD * 4096);
		for (size_t i = 0; i < QD * 4096; i++)
			src[i] = (char)(i * 131 + 7);
		memset(dst, 0, QD * 4096);
		perf_memmove(wq, 1000, src, dst, &bad);
		mm = perf_memmove(wq, m, src, dst, &bad);
		T_EQ(bad, 0);
		T_CHECK(!memcmp(src, dst, QD * 4096));
		t0 = perf_now();
		for (unsigned int i = 0; i < m; i++) {
			unsigned int slot = i % QD;

			memcpy(dst + (size_t)slot * 4096, src + (size_t)slot * 4096, 4096);
			__asm__ volatile("" ::: "memory");
		}
		cp = (perf_now() - t0) / m;
		printf("sim_accel 4 KiB MEMMOVE at depth %d: %.0f ns/desc = %.2f GB/s; memcpy 4 KiB: "
		       "%.0f ns = %.2f GB/s; ratio %.2f\n",
		       QD, mm, 4096 / mm, cp, 4096 / cp, cp / mm);
		sim_accel_dev_destroy(dsa);
		free(src);
		free(dst);
	}
	return t_done("sim_accel_perf");
}
