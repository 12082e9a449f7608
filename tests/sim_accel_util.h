/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the sim device-core tests: a test device type whose executor is small enough to
 * reason about exactly, and a log of what it saw.
 *
 * Test executor, by opcode:
 *   NOOP (0x00), DRAIN (0x02)   write a 32-byte record with status 1 if CRAV
 *   MEMMOVE (0x03)              copy through the descriptor's sim_dma, then the record
 *   UT_OP_BLOCK (0x7e)          wait until ut_release() is called, then the record
 *   anything else               status 0x10 in the record
 * An RCI descriptor raises env->interrupt(int_handle) after the record; the answer is logged.
 * Every call appends what the engine gave it to ut_log: the descriptor's PASID word and
 * xfer_size (tests number their descriptors there), the sim_dma PASID/Priv, the WQ limits.
 * ut_done counts finished calls: with one engine, entry n is complete once ut_done > n.
 */
#ifndef SVART_TESTS_SIM_ACCEL_UTIL_H
#define SVART_TESTS_SIM_ACCEL_UTIL_H

#include <errno.h>
#include <linux/idxd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/accel/accel_internal.h"
#include "sim/accel/sim_accel.h"
#include "t_helpers.h"

#define UT_OP_BLOCK 0x7e
#define UT_LOG_MAX 4096

struct ut_entry {
	uint32_t desc_word0; /* PASID word as the executor received it */
	uint32_t seq; /* the descriptor's xfer_size */
	uint8_t opcode;
	uint32_t pasid;
	bool pasid_valid, priv_req;
	unsigned int max_xfer_shift;
	bool wq_bof, int_ok;
	uint8_t opcap0; /* cfg->opcap[0] */
};

static struct ut_entry ut_log[UT_LOG_MAX];
static atomic_uint ut_log_n;
static atomic_bool ut_released;
static atomic_uint ut_blocked; /* BLOCK descriptors currently waiting */
static atomic_uint ut_done; /* executor calls finished (log entries complete) */

static inline void ut_release(void)
{
	atomic_store(&ut_released, true);
}

static inline void ut_rearm(void)
{
	atomic_store(&ut_released, false);
}

static uint8_t ut_exec(struct sim_exec *x, const void *d)
{
	const struct dsa_hw_desc *desc = d;
	struct dsa_completion_record cr;
	unsigned int i = atomic_fetch_add(&ut_log_n, 1);
	uint8_t status = DSA_COMP_SUCCESS;
	uint32_t word0;
	uint64_t done;

	memcpy(&word0, d, sizeof(word0));
	if (i < UT_LOG_MAX) {
		struct ut_entry *e = &ut_log[i];

		e->desc_word0 = word0;
		e->seq = desc->xfer_size;
		e->opcode = desc->opcode;
		e->pasid = x->dma->pasid;
		e->pasid_valid = x->dma->pasid_valid;
		e->priv_req = x->dma->priv_req;
		e->max_xfer_shift = x->cfg->max_xfer_shift;
		e->wq_bof = x->cfg->wq_bof;
		e->opcap0 = x->cfg->opcap[0];
	}
	switch (desc->opcode) {
	case DSA_OPCODE_NOOP:
	case DSA_OPCODE_DRAIN:
		break;
	case DSA_OPCODE_MEMMOVE:
		if (sim_dma_copy(x->dma, desc->dst_addr, desc->src_addr, desc->xfer_size, &done))
			status = DSA_COMP_PAGE_FAULT_NOBOF;
		break;
	case UT_OP_BLOCK:
		atomic_fetch_add(&ut_blocked, 1);
		while (!atomic_load(&ut_released))
			sched_yield();
		atomic_fetch_sub(&ut_blocked, 1);
		break;
	default:
		status = DSA_COMP_BAD_OPCODE;
		break;
	}
	if (desc->flags & IDXD_OP_FLAG_CRAV) {
		memset(&cr, 0, sizeof(cr));
		cr.status = status;
		sim_dma_write_record(x->dma, desc->completion_addr, &cr, sizeof(cr));
	}
	if (desc->flags & IDXD_OP_FLAG_RCI) {
		bool ok = x->env->interrupt(x->env->arg, desc->int_handle);

		if (i < UT_LOG_MAX)
			ut_log[i].int_ok = ok;
	}
	atomic_fetch_add_explicit(&ut_done, 1, memory_order_release);
	return status;
}

static const struct sim_accel_type ut_type = {
	.prefix = "dsa",
	.exec = ut_exec,
	.caps = &sim_accel_caps_dsa,
};

/* A 32-byte-aligned record per descriptor. */
struct ut_rec {
	_Alignas(32) struct dsa_completion_record cr;
};

static inline void ut_desc(struct dsa_hw_desc *d, uint8_t opcode, uint32_t seq, struct ut_rec *rec)
{
	memset(d, 0, sizeof(*d));
	d->opcode = opcode;
	d->xfer_size = seq;
	if (rec) {
		memset(rec, 0, sizeof(*rec));
		d->flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		d->completion_addr = (uintptr_t)&rec->cr;
	}
}

static inline uint8_t ut_status(const struct ut_rec *rec)
{
	return atomic_load_explicit((_Atomic uint8_t *)&rec->cr.status, memory_order_acquire);
}

/* Wait (bounded, 10 s) until @cond holds; false on timeout. */
#define UT_WAIT(cond)                                        \
	({                                                   \
		struct timespec _ts = { .tv_nsec = 100000 }; \
		int _n = 0;                                  \
		while (!(cond) && _n++ < 100000)             \
			nanosleep(&_ts, NULL);               \
		(cond);                                      \
	})

static inline bool ut_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* A device of the test type: @engines engines in group 0, disabled, WQs unconfigured. */
static inline struct sim_accel_dev *ut_dev(const struct sim_accel_caps *caps, unsigned int engines)
{
	struct sim_accel_dev_params p = { .type = &ut_type, .caps = caps, .node = 0 };
	struct sim_accel_dev *dev = NULL;

	if (sim_accel_dev_create(&p, &dev)) {
		fprintf(stderr, "cannot create a test device\n");
		exit(T_EXIT_FAIL);
	}
	for (unsigned int i = 0; i < engines; i++)
		T_EQ(sim_engine_set_group(dev, i, 0), 0);
	return dev;
}

/* Configure WQ @id: @mode, @size, priority 10, group 0, type user. */
static inline struct sim_accel_wq *ut_wq(struct sim_accel_dev *dev, unsigned int id,
					 enum sim_wq_mode mode, uint32_t size)
{
	struct sim_accel_wq *wq = sim_accel_wq_find(dev, id);
	struct sim_wq_cfg c;

	sim_wq_config_get(wq, &c);
	c.mode = mode;
	c.size = size;
	c.threshold = mode == SIM_WQ_SHARED ? size : 0;
	c.priority = 10;
	c.group_id = 0;
	c.type = SIM_WQ_TYPE_USER;
	strcpy(c.name, "test");
	T_EQ(sim_wq_config_set(wq, &c), 0);
	return wq;
}

/*
 * An enabled test device with one engine that never spins (so tests see its sleeps and
 * wake-ups), one enabled shared WQ 0 of @size, translating through @dma_ops, and the
 * process PASID set to @pasid. Exits on failure to create it.
 */
static inline struct sim_accel_wq *ut_dev_shared_wq(const struct sim_dma_ops *dma_ops,
						    uint32_t size, uint32_t pasid,
						    struct sim_accel_dev **devp)
{
	struct sim_accel_dev_params p = {
		.type = &ut_type,
		.node = 0,
		.dma_ops = dma_ops,
		.spin_us = SIM_ACCEL_SPIN_NONE,
	};
	struct sim_accel_wq *wq;

	if (sim_accel_dev_create(&p, devp)) {
		fprintf(stderr, "cannot create a test device\n");
		exit(T_EXIT_FAIL);
	}
	T_EQ(sim_engine_set_group(*devp, 0, 0), 0);
	wq = ut_wq(*devp, 0, SIM_WQ_SHARED, size);
	T_EQ(sim_accel_dev_enable(*devp), 0);
	T_EQ(sim_wq_enable(wq), 0);
	sim_accel_process_pasid_set(pasid);
	return wq;
}

#endif /* SVART_TESTS_SIM_ACCEL_UTIL_H */
