// SPDX-License-Identifier: MIT
/*
 * sim device core, submission semantics: ENQCMD retry on a full shared WQ (and the limited
 * portal's threshold), the process PASID (none -> the #GP's -EPERM; the descriptor's own PASID
 * ignored), MOVDIR64B on a dedicated WQ with the WQCFG PASID, a full dedicated WQ dropping the
 * descriptor into SWERR, the wrong instruction for a mode, write(), in-order execution, DRAIN
 * ordering, DISABLE_WQ and ABORT_WQ against in-flight work, priority arbitration, and RCI
 * interrupts through the handle's eventfd.
 *
 * The test executor (sim_accel_util.h) blocks on UT_OP_BLOCK until released, which makes "the
 * engine is busy, the WQ fills" deterministic.
 */
#include "enqcmd/enq_portal.h"
#include "sim_accel_util.h"

#define PASID_PROC 0x123u
#define PASID_DWQ 0x456u

static struct sim_accel_dev *dev;
static struct sim_accel_wq *swq, *dwq;

/* Put the engine on a BLOCK descriptor through @wq and wait until it holds it. */
static void block_engine(struct sim_accel_wq *wq, unsigned int how, struct ut_rec *rec)
{
	struct dsa_hw_desc d;

	ut_rearm();
	ut_desc(&d, UT_OP_BLOCK, 9999, rec);
	T_EQ(sim_wq_submit(wq, &d, how), 0);
	T_CHECK(UT_WAIT(atomic_load(&ut_blocked) == 1));
}

static void test_no_pasid(void)
{
	struct dsa_hw_desc d;
	struct ut_rec rec;
	uint32_t pasid;

	sim_accel_process_pasid_clear();
	T_CHECK(!sim_accel_process_pasid_get(&pasid));
	ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
	/* The #GP comes from the CPU: before the device, whatever the WQ. */
	T_RET(EPERM, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD));
	T_RET(EPERM, sim_wq_submit(dwq, &d, SIM_WQ_HOW_ENQCMD));
	T_RET(EPERM, sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE));
	T_RET(EINVAL, sim_wq_submit(swq, &d, 3));
	T_RET(EINVAL, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD | 0x200));
	sim_accel_process_pasid_set(PASID_PROC);
	T_CHECK(sim_accel_process_pasid_get(&pasid));
	T_EQ(pasid, PASID_PROC);
}

/* Shared WQ of size 4, threshold 2: the 6th ENQCMD (1 in the engine + 4 queued) retries. */
static void test_swq_full(void)
{
	struct ut_rec block, rec[6];
	struct sim_wq_stats st0, st;
	struct dsa_hw_desc d;
	unsigned int n0;

	sim_wq_stats(swq, &st0);
	block_engine(swq, SIM_WQ_HOW_ENQCMD, &block);
	n0 = atomic_load(&ut_log_n);

	ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec[0]);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD | SIM_WQ_HOW_LIMITED), 0);
	ut_desc(&d, DSA_OPCODE_NOOP, 2, &rec[1]);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD | SIM_WQ_HOW_LIMITED), 0);
	/* The limited portal admits up to the threshold (2). */
	ut_desc(&d, DSA_OPCODE_NOOP, 3, &rec[2]);
	T_RET(EAGAIN, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD | SIM_WQ_HOW_LIMITED));
	/* The unlimited one up to the size (4). */
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	ut_desc(&d, DSA_OPCODE_NOOP, 4, &rec[3]);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	ut_desc(&d, DSA_OPCODE_NOOP, 5, &rec[4]);
	T_RET(EAGAIN, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD));
	/* write(): ENQCMDS tried 1 + enqcmds_retries times, then -EAGAIN. */
	T_RET(EAGAIN, sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE));
	sim_wq_stats(swq, &st);
	T_EQ(st.occupancy, 4);
	T_EQ(st.submitted - st0.submitted, 5);
	T_EQ(st.retries - st0.retries, 3);
	T_EQ(atomic_load(&ut_log_n), n0); /* nothing ran while blocked */

	ut_release();
	T_CHECK(UT_WAIT(ut_status(&rec[3]) != 0));
	T_EQ(ut_status(&block), DSA_COMP_SUCCESS);
	for (int i = 0; i < 4; i++)
		T_EQ(ut_status(&rec[i]), DSA_COMP_SUCCESS);
	T_EQ(ut_status(&rec[4]), 0);
	/* In order: the engine ran them as they were accepted. */
	for (unsigned int i = 0; i < 4; i++)
		T_EQ(ut_log[n0 + i].seq, i + 1);
	/* Room again. */
	T_CHECK(UT_WAIT(({
		sim_wq_stats(swq, &st);
		st.occupancy == 0;
	})));
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE), 0);
	T_CHECK(UT_WAIT(ut_status(&rec[4]) != 0));
}

/* The executor sees the process PASID, never the descriptor's PASID/Priv. */
static void test_swq_pasid(void)
{
	struct dsa_hw_desc d;
	struct ut_rec rec;
	unsigned int n;
	uint32_t word = 0x80000777u; /* Priv | PASID 0x777 */

	ut_desc(&d, DSA_OPCODE_NOOP, 42, &rec);
	memcpy(&d, &word, sizeof(word));
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_log[n].seq, 42);
	T_EQ(ut_log[n].pasid, PASID_PROC);
	T_CHECK(ut_log[n].pasid_valid);
	T_CHECK(!ut_log[n].priv_req);
	/* ENQCMD rewrote the PASID word: PASID from IA32_PASID, Priv cleared. */
	T_EQ(ut_log[n].desc_word0, PASID_PROC);
	/* The WQ's limits reach the executor. */
	T_EQ(ut_log[n].max_xfer_shift, SIM_WQ_DEFAULT_XFER_SHIFT);

	/* The same through write(). */
	ut_desc(&d, DSA_OPCODE_NOOP, 43, &rec);
	memcpy(&d, &word, sizeof(word));
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_log[n].pasid, PASID_PROC);
	T_CHECK(!ut_log[n].priv_req);
}

/* MOVDIR64B on a dedicated WQ: WQCFG PASID and Priv. */
static void test_dwq_pasid(void)
{
	struct dsa_hw_desc d;
	struct ut_rec rec;
	uint32_t word = 0x999u;
	struct sim_wq_cfg c;
	unsigned int n;

	T_EQ(sim_wq_set_pasid(dwq, PASID_DWQ, true), 0);
	T_EQ(sim_wq_state(dwq), SIM_WQ_STATE_ENABLED);
	sim_wq_config_get(dwq, &c);
	T_CHECK(c.pasid_en);
	T_EQ(c.pasid, PASID_DWQ);
	T_RET(EINVAL, sim_wq_set_pasid(swq, 1, false));
	T_RET(EINVAL, sim_wq_set_pasid(dwq, 1u << 20, false));

	ut_desc(&d, DSA_OPCODE_NOOP, 7, &rec);
	memcpy(&d, &word, sizeof(word));
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(dwq, &d, SIM_WQ_HOW_MOVDIR64B), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_log[n].pasid, PASID_DWQ);
	T_CHECK(ut_log[n].pasid_valid);
	T_CHECK(ut_log[n].priv_req);
	/* MOVDIR64B does not touch the descriptor. */
	T_EQ(ut_log[n].desc_word0, 0x999u);

	/* The dedicated write() is a MOVDIR64B too. */
	ut_desc(&d, DSA_OPCODE_NOOP, 8, &rec);
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(dwq, &d, SIM_WQ_HOW_WRITE), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_log[n].pasid, PASID_DWQ);
}

/* Size 2: BLOCK in the engine, 2 queued, the next two MOVDIR64Bs are dropped. */
static void test_dwq_overflow(void)
{
	struct ut_rec block, rec[4];
	union idxd_swerr_reg e;
	struct sim_wq_stats st0, st;
	struct dsa_hw_desc d;
	int efd = sim_accel_swerr_fd(dev);

	sim_accel_swerr_ack(dev, IDXD_SWERR_ACK);
	T_CHECK(!ut_readable(efd));
	sim_wq_stats(dwq, &st0);
	block_engine(dwq, SIM_WQ_HOW_MOVDIR64B, &block);
	for (unsigned int i = 0; i < 4; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, 100 + i, &rec[i]);
		/* Posted: no feedback, whatever happens to it. */
		T_EQ(sim_wq_submit(dwq, &d, SIM_WQ_HOW_MOVDIR64B), 0);
	}
	sim_wq_stats(dwq, &st);
	T_EQ(st.dropped - st0.dropped, 2);
	T_EQ(st.submitted - st0.submitted, 3);

	sim_accel_swerr_read(dev, &e);
	T_EQ(e.valid, 1);
	T_EQ(e.overflow, 1); /* the second drop found SWERR still valid */
	T_EQ(e.desc_valid, 1);
	T_EQ(e.wq_idx_valid, 1);
	T_EQ(e.wq_idx, sim_wq_id(dwq));
	T_EQ(e.error, SIM_SWERR_DWQ_FULL);
	T_EQ(e.operation, DSA_OPCODE_NOOP);
	T_EQ(e.pasid, PASID_DWQ);
	T_EQ(e.priv, 1);
	T_CHECK(ut_readable(efd));
	/* The BAR0 view says the same. */
	{
		uint64_t w0 = 0, intc = 0;

		T_EQ(sim_accel_reg_read(dev, IDXD_REG_SWERR, &w0), 0);
		T_EQ(w0, e.bits[0]);
		T_EQ(sim_accel_reg_read(dev, IDXD_REG_INTCAUSE, &intc), 0);
		T_EQ(intc & IDXD_INTC_ERR, IDXD_INTC_ERR);
	}

	ut_release();
	T_CHECK(UT_WAIT(ut_status(&rec[1]) != 0));
	T_EQ(ut_status(&rec[0]), DSA_COMP_SUCCESS);
	/* Give a dropped descriptor every chance to show up: it must not. */
	T_CHECK(UT_WAIT(({
		sim_wq_stats(dwq, &st);
		st.completed == st.submitted;
	})));
	T_EQ(ut_status(&rec[2]), 0);
	T_EQ(ut_status(&rec[3]), 0);

	/* Acknowledge: write-1-to-clear; the poll readiness follows valid. */
	sim_accel_swerr_ack(dev, IDXD_SWERR_OVERFLOW);
	sim_accel_swerr_read(dev, &e);
	T_EQ(e.valid, 1);
	T_EQ(e.overflow, 0);
	T_CHECK(ut_readable(efd));
	sim_accel_swerr_ack(dev, IDXD_SWERR_VALID);
	sim_accel_swerr_read(dev, &e);
	T_EQ(e.valid, 0);
	T_CHECK(!ut_readable(efd));
}

/* ENQCMD on a dedicated WQ retries; MOVDIR64B on a shared WQ is dropped. */
static void test_wrong_mode(void)
{
	struct sim_wq_stats st0, st;
	union idxd_swerr_reg e;
	struct dsa_hw_desc d;
	struct ut_rec rec;

	ut_desc(&d, DSA_OPCODE_NOOP, 5, &rec);
	sim_wq_stats(dwq, &st0);
	T_RET(EAGAIN, sim_wq_submit(dwq, &d, SIM_WQ_HOW_ENQCMD));
	sim_wq_stats(dwq, &st);
	T_EQ(st.retries - st0.retries, 1);
	T_EQ(st.submitted, st0.submitted);

	sim_accel_swerr_ack(dev, IDXD_SWERR_ACK);
	sim_wq_stats(swq, &st0);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_MOVDIR64B), 0);
	sim_wq_stats(swq, &st);
	T_EQ(st.dropped - st0.dropped, 1);
	T_EQ(st.submitted, st0.submitted);
	sim_accel_swerr_read(dev, &e);
	T_EQ(e.valid, 1);
	T_EQ(e.error, SIM_SWERR_MOVDIR_SWQ);
	T_EQ(e.wq_idx, sim_wq_id(swq));
	sim_accel_swerr_ack(dev, IDXD_SWERR_ACK);
	T_EQ(ut_status(&rec), 0);
}

/* Many descriptors through one engine run in submission order. */
static void test_in_order(void)
{
	enum { N = 300 };
	static struct ut_rec rec[N];
	struct dsa_hw_desc d;
	unsigned int n0 = atomic_load(&ut_log_n), sent = 0;

	while (sent < N) {
		ut_desc(&d, DSA_OPCODE_NOOP, sent, &rec[sent]);
		if (sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD) == 0)
			sent++;
		else
			sched_yield();
	}
	T_CHECK(UT_WAIT(ut_status(&rec[N - 1]) != 0));
	for (unsigned int i = 0; i < N; i++) {
		T_EQ(ut_status(&rec[i]), DSA_COMP_SUCCESS);
		if (ut_log[n0 + i].seq != i) {
			T_EQ(ut_log[n0 + i].seq, i);
			break;
		}
	}
}

/* A MEMMOVE through the identity address space. */
static void test_copy(void)
{
	static char src[8192], dst[8192];
	struct dsa_hw_desc d;
	struct ut_rec rec;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7 + 3);
	memset(dst, 0, sizeof(dst));
	ut_desc(&d, DSA_OPCODE_MEMMOVE, sizeof(src), &rec);
	d.src_addr = (uintptr_t)src;
	d.dst_addr = (uintptr_t)dst;
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_status(&rec), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(src, dst, sizeof(src)));
}

struct cmd_thread {
	int (*fn)(struct sim_accel_wq *wq);
	struct sim_accel_wq *wq;
	struct ut_rec *watch; /* its status when fn returned */
	atomic_bool done;
	uint8_t watch_status;
	int ret;
};

static void *cmd_thread_main(void *arg)
{
	struct cmd_thread *t = arg;

	t->ret = t->fn(t->wq);
	t->watch_status = t->watch ? ut_status(t->watch) : 0;
	atomic_store(&t->done, true);
	return NULL;
}

/* DRAIN (taken by the second engine) completes only after the blocked earlier descriptor. */
static void test_drain(struct sim_accel_dev *dev2)
{
	struct sim_accel_wq *wq = sim_accel_wq_find(dev2, 0);
	struct ut_rec block, drain, after;
	struct timespec ts = { .tv_nsec = 30 * 1000 * 1000 };
	struct dsa_hw_desc d;
	unsigned int n0;

	block_engine(wq, SIM_WQ_HOW_ENQCMD, &block);
	n0 = atomic_load(&ut_log_n);
	ut_desc(&d, DSA_OPCODE_DRAIN, 1, &drain);
	T_EQ(sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD), 0);
	/* The other engine takes the DRAIN (the WQ empties) but must not run it yet. */
	T_CHECK(UT_WAIT(({
		struct sim_wq_stats st;

		sim_wq_stats(wq, &st);
		st.occupancy == 0;
	})));
	nanosleep(&ts, NULL);
	T_EQ(ut_status(&drain), 0);
	T_EQ(atomic_load(&ut_log_n), n0);
	/* Both engines are held now: a later descriptor waits in the WQ. */
	ut_desc(&d, DSA_OPCODE_NOOP, 2, &after);
	T_EQ(sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD), 0);
	ut_release();
	/* Whenever the DRAIN's record is there, the earlier descriptor's must be too. */
	T_CHECK(UT_WAIT(ut_status(&drain) != 0));
	T_EQ(ut_status(&block), DSA_COMP_SUCCESS);
	T_EQ(ut_status(&drain), DSA_COMP_SUCCESS);
	T_CHECK(UT_WAIT(ut_status(&after) != 0));
}

/* DISABLE_WQ waits for the descriptor in the engine and the queued ones. */
static void test_disable_waits(void)
{
	struct ut_rec block, queued;
	struct timespec ts = { .tv_nsec = 30 * 1000 * 1000 };
	struct cmd_thread t = { .fn = sim_wq_disable, .wq = swq, .watch = &queued };
	struct dsa_hw_desc d;
	pthread_t th;

	block_engine(swq, SIM_WQ_HOW_ENQCMD, &block);
	ut_desc(&d, DSA_OPCODE_NOOP, 1, &queued);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_EQ(pthread_create(&th, NULL, cmd_thread_main, &t), 0);
	T_CHECK(UT_WAIT(sim_wq_state(swq) == SIM_WQ_STATE_DRAINING));
	nanosleep(&ts, NULL);
	T_CHECK(!atomic_load(&t.done));
	/* Draining: new work is refused (ENQCMD retry, write() -ENXIO). */
	T_RET(EAGAIN, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD));
	T_RET(ENXIO, sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE));
	ut_release();
	pthread_join(th, NULL);
	T_EQ(t.ret, 0);
	T_EQ(t.watch_status, DSA_COMP_SUCCESS); /* done before disable returned */
	T_EQ(ut_status(&block), DSA_COMP_SUCCESS);
	T_EQ(sim_wq_state(swq), SIM_WQ_STATE_DISABLED);
	/* Disabled: ENQCMD retries, MOVDIR64B is dropped (SWERR), write() has no cdev. */
	sim_accel_swerr_ack(dev, IDXD_SWERR_ACK);
	T_RET(EAGAIN, sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD));
	T_RET(ENXIO, sim_wq_submit(swq, &d, SIM_WQ_HOW_WRITE));
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_MOVDIR64B), 0);
	{
		union idxd_swerr_reg e;

		sim_accel_swerr_read(dev, &e);
		T_EQ(e.error, SIM_SWERR_WQ_DISABLED);
		sim_accel_swerr_ack(dev, IDXD_SWERR_ACK);
	}
	T_EQ(sim_wq_disable(swq), 0); /* already disabled: fine, as the kernel */
	T_EQ(sim_wq_enable(swq), 0);
}

/* ABORT_WQ: what waits in the WQ is discarded without a record. */
static void test_abort(void)
{
	struct ut_rec block, queued[3];
	struct cmd_thread t = { .fn = sim_wq_abort, .wq = swq };
	struct sim_wq_stats st0, st;
	struct dsa_hw_desc d;
	pthread_t th;

	sim_wq_stats(swq, &st0);
	block_engine(swq, SIM_WQ_HOW_ENQCMD, &block);
	for (int i = 0; i < 3; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, 10 + i, &queued[i]);
		T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	}
	T_EQ(pthread_create(&th, NULL, cmd_thread_main, &t), 0);
	T_CHECK(UT_WAIT(({
		sim_wq_stats(swq, &st);
		st.aborted - st0.aborted == 3;
	})));
	T_CHECK(!atomic_load(&t.done)); /* still waiting for the one in the engine */
	ut_release();
	pthread_join(th, NULL);
	T_EQ(t.ret, 0);
	T_EQ(ut_status(&block), DSA_COMP_SUCCESS);
	for (int i = 0; i < 3; i++)
		T_EQ(ut_status(&queued[i]), 0);
	T_EQ(sim_wq_state(swq), SIM_WQ_STATE_ENABLED);
}

/* Weighted arbitration: a priority-3 WQ gets about three turns for one of a priority-1 WQ. */
static void test_priority(void)
{
	struct sim_accel_dev *d3 = ut_dev(NULL, 1);
	struct sim_accel_wq *lo = ut_wq(d3, 0, SIM_WQ_SHARED, 16);
	struct sim_accel_wq *hi = ut_wq(d3, 1, SIM_WQ_SHARED, 16);
	struct ut_rec block, rl[8], rh[8];
	struct sim_wq_cfg c;
	struct dsa_hw_desc d;
	unsigned int n0, hi_first8 = 0;

	sim_wq_config_get(lo, &c);
	c.priority = 1;
	T_EQ(sim_wq_config_set(lo, &c), 0);
	sim_wq_config_get(hi, &c);
	c.priority = 3;
	T_EQ(sim_wq_config_set(hi, &c), 0);
	T_EQ(sim_accel_dev_enable(d3), 0);
	T_EQ(sim_wq_enable(lo), 0);
	T_EQ(sim_wq_enable(hi), 0);

	block_engine(lo, SIM_WQ_HOW_ENQCMD, &block);
	n0 = atomic_load(&ut_log_n);
	for (int i = 0; i < 8; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, 100 + i, &rl[i]);
		T_EQ(sim_wq_submit(lo, &d, SIM_WQ_HOW_ENQCMD), 0);
		ut_desc(&d, DSA_OPCODE_NOOP, 200 + i, &rh[i]);
		T_EQ(sim_wq_submit(hi, &d, SIM_WQ_HOW_ENQCMD), 0);
	}
	ut_release();
	T_CHECK(UT_WAIT(ut_status(&rl[7]) != 0 && ut_status(&rh[7]) != 0));
	for (unsigned int i = 0; i < 8; i++)
		hi_first8 += ut_log[n0 + i].seq >= 200;
	/* 3:1 gives 6 of the first 8; plain round robin would give 4. */
	T_CHECK(hi_first8 >= 5);
	/* Each WQ's own order is kept. */
	for (unsigned int i = 0, l = 0, h = 0; i < 16; i++) {
		uint32_t s = ut_log[n0 + i].seq;

		if (s >= 200)
			T_EQ(s, 200 + h++);
		else
			T_EQ(s, 100 + l++);
	}
	sim_accel_dev_destroy(d3);
}

/* RCI: the handle's eventfd counts interrupts; a bad handle is reported to the executor. */
static void test_interrupts(void)
{
	struct dsa_hw_desc d;
	struct ut_rec rec;
	uint64_t count = 0;
	uint16_t h = 0xffff;
	unsigned int n;
	int fd = -1;

	T_EQ(sim_accel_int_handle_request(dev, 1, &h, &fd), 0);
	T_CHECK(fd >= 0);
	T_EQ(sim_accel_dev_cmdsts(dev) >> 8 & 0xffff, h);
	T_CHECK(!ut_readable(fd));
	for (int i = 0; i < 2; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
		d.flags |= IDXD_OP_FLAG_RCI;
		d.int_handle = h;
		n = atomic_load(&ut_log_n);
		T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
		T_CHECK(UT_WAIT(atomic_load(&ut_done) > n));
		T_CHECK(ut_readable(fd));
		T_CHECK(ut_log[n].int_ok);
	}
	T_EQ(read(fd, &count, sizeof(count)), (ssize_t)sizeof(count));
	T_EQ(count, 2);
	T_EQ(sim_accel_int_handle_release(dev, h), 0);
	T_RET(EINVAL, sim_accel_int_handle_release(dev, h));
	T_EQ(sim_accel_dev_cmdsts(dev) & 0xff, IDXD_CMDSTS_ERR_INVAL_INT_IDX);

	/* A released handle: the executor learns it is invalid (INT_HANDLE_INVAL is its job). */
	ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
	d.flags |= IDXD_OP_FLAG_RCI;
	d.int_handle = h;
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(swq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_CHECK(UT_WAIT(atomic_load(&ut_done) > n));
	T_CHECK(!ut_log[n].int_ok);
}

/* Through enqcmd/'s SIM portal kind: the callback type and the @how numbers agree. */
static void test_portal(void)
{
	struct enq_portal ps, pd;
	struct dsa_hw_desc d;
	struct ut_rec rec;

	T_EQ(SIM_WQ_HOW_ENQCMD, ENQ_SIM_HOW_ENQCMD);
	T_EQ(SIM_WQ_HOW_MOVDIR64B, ENQ_SIM_HOW_MOVDIR64B);
	T_EQ(SIM_WQ_HOW_WRITE, ENQ_SIM_HOW_WRITE);
	T_EQ(enq_portal_init_sim(&ps, sim_wq_submit, swq, ENQ_SIM_HOW_ENQCMD), 0);
	T_EQ(enq_portal_init_sim(&pd, sim_wq_submit, dwq, ENQ_SIM_HOW_MOVDIR64B), 0);
	ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
	T_EQ(enq_submit(&ps, &d), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	ut_desc(&d, DSA_OPCODE_NOOP, 2, &rec);
	T_EQ(enq_submit(&pd, &d), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_status(&rec), DSA_COMP_SUCCESS);
	sim_accel_process_pasid_clear();
	T_RET(EPERM, enq_enqcmd(&ps, &d));
	sim_accel_process_pasid_set(PASID_PROC);
}

int main(void)
{
	struct sim_accel_dev *dev2;

	dev = ut_dev(NULL, 1);
	swq = ut_wq(dev, 0, SIM_WQ_SHARED, 4);
	dwq = ut_wq(dev, 1, SIM_WQ_DEDICATED, 2);
	{
		struct sim_wq_cfg c;

		sim_wq_config_get(swq, &c);
		c.threshold = 2;
		T_EQ(sim_wq_config_set(swq, &c), 0);
	}
	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_wq_enable(swq), 0);
	T_EQ(sim_wq_enable(dwq), 0);

	test_no_pasid();
	test_swq_full();
	test_swq_pasid();
	test_dwq_pasid();
	test_dwq_overflow();
	test_wrong_mode();
	test_in_order();
	test_copy();
	test_portal();
	test_disable_waits();
	test_abort();
	test_interrupts();

	/* Two engines on one WQ for DRAIN. */
	dev2 = ut_dev(NULL, 2);
	ut_wq(dev2, 0, SIM_WQ_SHARED, 8);
	T_EQ(sim_accel_dev_enable(dev2), 0);
	T_EQ(sim_wq_enable(sim_accel_wq_find(dev2, 0)), 0);
	test_drain(dev2);
	sim_accel_dev_destroy(dev2);

	test_priority();
	sim_accel_dev_destroy(dev);
	return t_done("sim_accel_wq");
}
