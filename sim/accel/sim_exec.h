/* SPDX-License-Identifier: MIT */
/*
 * sim_exec: the contract between a sim accelerator's engines (sim/accel/, the device core:
 * WQs, groups, engines, portals) and the descriptor executors (sim/dsa/ and sim/iaa/).
 *
 * An engine thread takes a descriptor from a WQ, sets up a struct sim_exec for it (the
 * address space = a struct sim_dma for the descriptor's PASID, the WQ's limits, callbacks into
 * the device) and calls the device type's executor. The executor validates the descriptor the
 * way the device does, executes it with every memory access going through @dma, writes the
 * completion record (status byte last) if one is requested, raises the completion interrupt and
 * returns the status it reported. A BATCH is executed by the DSA executor itself (it fetches the
 * list through @dma and runs each descriptor in order, honouring FENCE); ordering across
 * descriptors (DRAIN, in-order per engine) is the device core's job.
 *
 * The executor never crashes on any 64 bytes and never writes outside the buffers the
 * descriptor names (and its completion record).
 */
#ifndef SVART_SIM_ACCEL_SIM_EXEC_H
#define SVART_SIM_ACCEL_SIM_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/idxd.h>

#include "sim/sim_dma.h"

/* A software error the device records in SWERR (BAR0 0xC0) instead of a completion record. */
struct sim_swerr {
	uint8_t error; /* status code, e.g. DSA_COMP_CRA_XLAT */
	uint8_t opcode;
	bool fault_write;
	bool batch; /* the descriptor was part of a batch */
	uint16_t batch_idx;
	uint32_t pasid;
	bool priv;
	uint32_t invalid_flags;
	uint64_t fault_addr;
};

/* What the executor needs to know of the device and the WQ the descriptor came through. */
struct sim_exec_cfg {
	uint16_t version; /* 0x100 (DSA/IAA 1.0), 0x200 (2.0) */
	unsigned int max_xfer_shift; /* WQ max transfer size = 1 << shift */
	unsigned int max_batch_shift; /* WQ max batch size = 1 << shift; 0 on IAA */
	bool overlap_copy; /* GENCAP.overlap_copy */
	bool cache_ctl; /* GENCAP cache control (CC flag accepted) */
	bool dest_readback, drain_readback; /* GENCAP bits 8, 9 */
	bool wq_bof; /* WQCFG.bof: descriptors may set BOF */
	bool prs; /* page requests possible for this WQ (PRS enabled, not disabled) */
	bool priv_ok; /* the PASID capability's privileged-mode enable */
	uint8_t opcap[32]; /* opcodes enabled (OPCAP & WQ op_config), bit n = opcode n */
};

struct sim_exec_env {
	/* Completion interrupt for RCI; return false for an invalid handle (INT_HANDLE_INVAL). */
	bool (*interrupt)(void *arg, uint16_t handle);
	/*
	 * Optional: true when @handle can take a completion interrupt. The DSA executor checks
	 * it with the descriptor (INT_HANDLE_INVAL in the record, op not run); interrupt()
	 * comes after the record, so its answer can only be logged (SWERR). NULL: all valid.
	 */
	bool (*int_handle_valid)(void *arg, uint16_t handle);
	/* Record a software error (completion record not writable, ...). */
	void (*swerr)(void *arg, const struct sim_swerr *err);
	void *arg;
};

struct sim_exec {
	struct sim_dma *dma; /* the descriptor's address space; block_on_fault set by the exec */
	const struct sim_exec_cfg *cfg;
	const struct sim_exec_env *env;
	void *state; /* per-engine executor state (IAA: deflate/inflate state), or NULL */
	/* Counters, owned by the engine thread. */
	uint64_t descs, bytes;
};

/**
 * sim_dsa_exec() - execute one DSA descriptor (any 64 bytes).
 * @x: the execution context; @x->dma has pasid/priv_req set by the device core.
 * @desc: the descriptor as the WQ received it (the core already applied the ENQCMD PASID or
 *	the dedicated WQ's PASID into @x->dma; the descriptor's own PASID word is not used).
 *
 * Return: the status byte reported (written to the completion record if requested; reported
 * through env->swerr if the record could not be written).
 */
uint8_t sim_dsa_exec(struct sim_exec *x, const struct dsa_hw_desc *desc);

/**
 * sim_iaa_exec() - execute one IAA descriptor (any 64 bytes). As sim_dsa_exec().
 * @x: the execution context; @x->state from sim_iaa_state_create().
 * @desc: the descriptor.
 */
uint8_t sim_iaa_exec(struct sim_exec *x, const struct iax_hw_desc *desc);

/* Per-engine IAA state (deflate/inflate work areas), created once per engine thread. */
int sim_iaa_state_create(void **state);
void sim_iaa_state_destroy(void *state);

#endif /* SVART_SIM_ACCEL_SIM_EXEC_H */
