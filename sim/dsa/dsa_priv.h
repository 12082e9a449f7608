/* SPDX-License-Identifier: MIT */
/*
 * The sim DSA executor's internals: one struct sim_dsa_op per descriptor being executed, the
 * run walker every memory-touching operation uses, and one entry point per operation family
 * (dsa_mem.c, dsa_crc.c, dsa_delta.c, dsa_dif.c, dsa_batch.c). dsa_exec.c validates, dispatches
 * and completes. docs/SIM_DEVICES.md ("DSA executor") describes the semantics and every choice
 * the reference left open.
 *
 * Each operation function runs after validation, fills op->rec (everything but the status) and
 * returns the status byte; validation helpers return 0 for "valid" or a status byte.
 */
#ifndef SVART_SIM_DSA_DSA_PRIV_H
#define SVART_SIM_DSA_DSA_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/idxd.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/sim_dma.h"

/* The device's page size: the granule of descending copies and of fault reports. */
#define SIM_DSA_PAGE 4096u

struct sim_dsa_op {
	struct sim_exec *x;
	struct sim_dma *dma;
	const struct sim_exec_cfg *cfg;
	const struct dsa_hw_desc *desc;
	uint32_t flags; /* desc flags[23:0] */
	uint8_t opcode;
	bool in_batch;
	uint16_t batch_idx;
	/* BOF as it applies to data accesses (desc BOF && WQ bof && PRS). */
	bool bof;
	struct dsa_completion_record rec; /* the record image; rec.status is set by dsa_exec.c */
	uint64_t bytes; /* bytes processed, for the engine's counters */
};

/* One address stream of a walk. */
struct sim_dsa_stream {
	uint64_t iova;
	unsigned int access; /* SIM_DMA_READ / SIM_DMA_WRITE */
};

#define SIM_DSA_MAX_STREAMS 3

/*
 * A walk callback: process @n bytes at offset @off of every stream; @host[i] is stream i's host
 * address for that offset. Runs inside sim_guard (no locks, no allocation, may be abandoned
 * halfway: keep results in locals and publish them to @ctx only as the last step). Return 0 to
 * go on, a positive value to stop the walk (it is returned).
 */
typedef int (*sim_dsa_run_fn)(void *ctx, void *const host[], uint64_t off, uint64_t n);

/**
 * sim_dsa_walk() - run @fn over @len bytes of @ns parallel streams, one host run at a time.
 * @op: the descriptor (its dma view).
 * @s: the streams.
 * @ns: 1..SIM_DSA_MAX_STREAMS.
 * @len: bytes.
 * @fn: the per-run work.
 * @ctx: passed to @fn.
 * @done: out: bytes fully processed before a fault or a stop (whole runs).
 *
 * Every stream is translated for the current offset before @fn touches anything, so a
 * translation fault stops the walk with nothing of the faulting run done; memory that vanished
 * under a translation (guard fault) ends it as SIM_DMA_FAULT_GONE with the run not counted.
 *
 * Return: 0, a positive value from @fn, or -EFAULT with op->dma->fault set.
 */
int sim_dsa_walk(struct sim_dsa_op *op, const struct sim_dsa_stream *s, unsigned int ns,
		 uint64_t len, sim_dsa_run_fn fn, void *ctx, uint64_t *done);

/**
 * sim_dsa_fault() - turn op->dma->fault into a partial-completion status.
 * @op: the descriptor; rec.bytes_completed := @done, rec.fault_addr := the faulting address.
 * @done: progress to report.
 *
 * Return: 0x03 / 0x04 (| 0x80 for a write) or 0x22 (TRANSLATION_FAIL).
 */
uint8_t sim_dsa_fault(struct sim_dsa_op *op, uint64_t done);

/* True when [a, a + an) and [b, b + bn) share a byte (empty ranges share none). */
static inline bool sim_dsa_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	unsigned __int128 ae = (unsigned __int128)a + an, be = (unsigned __int128)b + bn;

	return an && bn && a < be && b < ae;
}

/* Little-endian loads/stores of descriptor and record fields by byte offset. */
static inline uint64_t sim_dsa_le(const void *p, unsigned int size)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* ---- operations (run after validation); each returns the status byte ---- */

/* dsa_mem.c */
uint8_t sim_dsa_memmove(struct sim_dsa_op *op);
uint8_t sim_dsa_memfill(struct sim_dsa_op *op);
uint8_t sim_dsa_compare(struct sim_dsa_op *op);
uint8_t sim_dsa_compval(struct sim_dsa_op *op);
uint8_t sim_dsa_dualcast(struct sim_dsa_op *op);
uint8_t sim_dsa_cflush(struct sim_dsa_op *op);

/* dsa_crc.c: CRCGEN and COPY_CRC. */
uint8_t sim_dsa_crc(struct sim_dsa_op *op);

/* dsa_delta.c */
uint8_t sim_dsa_cr_delta(struct sim_dsa_op *op);
uint8_t sim_dsa_ap_delta(struct sim_dsa_op *op);

/* dsa_dif.c: CHECK, INS, STRP, UPDT; and their validation (sizes, overlap, reserved bits). */
uint8_t sim_dsa_dif(struct sim_dsa_op *op);
uint8_t sim_dsa_dif_check_desc(struct sim_dsa_op *op);

/* dsa_batch.c: BATCH (runs each listed descriptor through sim_dsa_exec_one()) and DRAIN. */
uint8_t sim_dsa_batch(struct sim_dsa_op *op);
uint8_t sim_dsa_drain(struct sim_dsa_op *op);

/**
 * sim_dsa_exec_one() - validate, execute and complete one descriptor.
 * @x: the execution context.
 * @desc: the descriptor.
 * @in_batch: @desc came from a batch list (BATCH and DRAIN are then refused).
 * @batch_idx: its index in the list.
 *
 * Return: the status reported (as sim_dsa_exec()).
 */
uint8_t sim_dsa_exec_one(struct sim_exec *x, const struct dsa_hw_desc *desc, bool in_batch,
			 uint16_t batch_idx);

#endif /* SVART_SIM_DSA_DSA_PRIV_H */
