/* SPDX-License-Identifier: MIT */
/*
 * sim accelerator device core: DSA and IAA devices as the idxd hardware presents them.
 *
 * A device (struct sim_accel_dev) has groups; a group joins engines and work queues. Engines are
 * threads; a WQ is a bounded lock-free ring that submitters (ENQCMD / MOVDIR64B / the cdev
 * write()) append 64-byte descriptors to and the engines of the WQ's group take them from,
 * arbitrating among the group's WQs by priority. Each descriptor runs in its own address space
 * (a struct sim_dma over the device's translation backend, with the PASID the submission gave
 * it) through the device type's executor (sim/accel/sim_exec.h).
 *
 * Configuration follows the hardware and the kernel's rules: WQ settings change only while the
 * WQ is disabled, sizes and groups only while the device is disabled, and the enable commands
 * report the CMDSTS error codes of enqcmd/idxd_hw.h. See docs/SIM_DEVICES.md, "Device core".
 *
 * Threads: configuration and commands take the device's mutex; the submit path and the engines
 * take no lock (the ring's atomics and a futex word per group for sleeping engines).
 */
#ifndef SVART_SIM_ACCEL_SIM_ACCEL_H
#define SVART_SIM_ACCEL_SIM_ACCEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/sim_dma.h"

/* Model limits (the registers allow more; nothing svart configures needs it). */
#define SIM_ACCEL_MAX_WQS 16
#define SIM_ACCEL_MAX_ENGINES 16
#define SIM_ACCEL_MAX_GROUPS 8
#define SIM_ACCEL_MAX_WQ_TOTAL 4096 /* WQCAP.total_wq_size */
#define SIM_ACCEL_MAX_INT_HANDLES 64
#define SIM_ACCEL_MAX_IDS 64 /* the dsaN/iaxN namespace */
#define SIM_WQ_NAME_MAX 64 /* with the NUL; the kernel allows 1024 */
#define SIM_WQ_MAX_RETRIES 64 /* enqcmds_retries cap, as sysfs */

/* sim_wq_submit() @how, the numbers enqcmd/'s SIM portal kind passes. */
#define SIM_WQ_HOW_ENQCMD 0u
#define SIM_WQ_HOW_MOVDIR64B 1u
#define SIM_WQ_HOW_WRITE 2u
#define SIM_WQ_HOW_MASK 0xffu
/* Or'ed into @how: the submission came through the limited portal (admits up to threshold). */
#define SIM_WQ_HOW_LIMITED 0x100u

/*
 * SWERR error codes for descriptors the device drops on arrival (no completion record exists to
 * report them). The specification's values were not available to us (docs/reference): these are
 * sim's own, outside the completion-status codes (< 0x40). Unverified.
 */
#define SIM_SWERR_DWQ_FULL 0x61 /* MOVDIR64B / write() to a full dedicated WQ */
#define SIM_SWERR_WQ_DISABLED 0x62 /* MOVDIR64B / write() to a WQ that is not enabled */
#define SIM_SWERR_MOVDIR_SWQ 0x63 /* MOVDIR64B to a shared WQ */

/* Default WQ limits, as the kernel sets them (K-drv idxd.h WQ_DEFAULT_*). */
#define SIM_WQ_DEFAULT_XFER_SHIFT 21 /* 2 MiB */
#define SIM_WQ_DEFAULT_BATCH_SHIFT 5 /* 32 */
#define SIM_WQ_DEFAULT_RETRIES 32

struct sim_accel_dev;
struct sim_accel_wq;

/* Capabilities: the read-only registers at the start of BAR0, decoded. */
struct sim_accel_caps {
	uint16_t version; /* IDXD_VERSION_1 / _2 */
	union idxd_gencap_reg gencap;
	union idxd_wqcap_reg wqcap;
	union idxd_grpcap_reg grpcap;
	union idxd_engcap_reg engcap;
	union idxd_opcap_reg opcap;
	union idxd_iaacap_reg iaacap; /* IAA 2 only */
	uint16_t pci_device; /* PCI device id: 0x0b25 DSA, 0x0cfe IAA (SPR) */
	uint16_t int_handles; /* interrupt handles REQUEST_INT_HANDLE can give */
	bool pasid_priv; /* PASID capability: privileged mode enabled */
	bool prs; /* PRI: page requests possible at all */
};

/* A device type: DSA or IAA. */
struct sim_accel_type {
	const char *prefix; /* "dsa" / "iax": the device name is prefix + id */
	/* Execute one descriptor (sim_exec.h); @desc is 64-byte aligned. */
	uint8_t (*exec)(struct sim_exec *x, const void *desc);
	/* Per-engine executor state; NULL: none. */
	int (*state_create)(void **state);
	void (*state_destroy)(void *state);
	const struct sim_accel_caps *caps; /* defaults */
};

/* The DSA and IAA types, with sim/dsa/'s and sim/iaa/'s executors (types.c). */
extern const struct sim_accel_type sim_accel_type_dsa;
extern const struct sim_accel_type sim_accel_type_iaa;

enum sim_accel_kind {
	SIM_ACCEL_DSA = 0,
	SIM_ACCEL_IAA,
};

/* The type of a kind (types.c; the only file that names the executors). */
const struct sim_accel_type *sim_accel_type_get(enum sim_accel_kind kind);
/* Their default capabilities (DSA 1.0 / IAA 1.0 as on Sapphire Rapids). */
extern const struct sim_accel_caps sim_accel_caps_dsa;
extern const struct sim_accel_caps sim_accel_caps_iaa;

/**
 * sim_accel_caps_for_version() - a type's default capabilities for another version.
 * @type: the device type.
 * @version: IDXD_VERSION_1 or IDXD_VERSION_2.
 * @out: the capabilities (DSA 2 / IAA 2 add op_config, PRS disable, 64-byte WQCFG, ...).
 *
 * Return: 0, or -EINVAL for an unknown version.
 */
int sim_accel_caps_for_version(const struct sim_accel_type *type, unsigned int version,
			       struct sim_accel_caps *out);

/* ---- Work queues ---- */

enum sim_wq_mode {
	SIM_WQ_SHARED = IDXD_WQCFG_MODE_SHARED,
	SIM_WQ_DEDICATED = IDXD_WQCFG_MODE_DEDICATED,
};

/* The sysfs "type" attribute. */
enum sim_wq_type {
	SIM_WQ_TYPE_NONE = 0,
	SIM_WQ_TYPE_KERNEL,
	SIM_WQ_TYPE_USER,
};

enum sim_wq_state {
	SIM_WQ_STATE_DISABLED = 0,
	SIM_WQ_STATE_ENABLED,
	SIM_WQ_STATE_DRAINING, /* disable in progress: refuses work, finishing what it has */
};

/*
 * A WQ's configuration: WQCFG plus what the kernel keeps beside it (sysfs attributes). Ranges as
 * sysfs: priority 0..15 (0 fails enable), threshold <= size, max_xfer_shift <= GENCAP's,
 * max_batch_shift <= GENCAP's (0 on IAA), group_id -1..groups-1.
 */
struct sim_wq_cfg {
	uint32_t size;
	uint32_t threshold; /* limited-portal admission; shared WQs only */
	int group_id;
	enum sim_wq_mode mode;
	uint8_t priority;
	bool block_on_fault;
	bool ats_disable;
	bool prs_disable; /* needs WQCAP.prs */
	uint32_t pasid; /* dedicated WQs: WQCFG.pasid, used when pasid_en */
	bool pasid_en;
	bool priv;
	uint8_t max_xfer_shift;
	uint8_t max_batch_shift;
	union idxd_opcap_reg op_config; /* needs WQCAP.op_config to differ from OPCAP */
	enum sim_wq_type type;
	char name[SIM_WQ_NAME_MAX];
	uint32_t enqcmds_retries; /* write() on a shared WQ: tries = 1 + this */
};

/* Counters of one WQ; monotonic over the WQ's life. */
struct sim_wq_stats {
	uint64_t submitted; /* accepted into the WQ */
	uint64_t retries; /* ENQCMD / write() answered retry (full or not enabled) */
	uint64_t dropped; /* MOVDIR64B / write() descriptors dropped (full, disabled, wrong mode) */
	uint64_t completed; /* executed (or aborted) */
	uint64_t aborted; /* taken out unexecuted by ABORT_WQ */
	uint32_t occupancy; /* in the WQ now, not yet taken by an engine */
};

/* Counters of one engine. */
struct sim_engine_stats {
	uint64_t descs; /* descriptors executed */
	uint64_t busy_ns; /* time spent with work, idle spinning excluded */
	uint64_t translations, page_requests, faults; /* sim_dma counters, summed */
	uint64_t sleeps; /* times the engine slept on its futex */
	bool running;
};

/**
 * sim_wq_submit() - a descriptor arrives at a WQ portal (the enqcmd/ SIM portal callback).
 * @wq: the struct sim_accel_wq.
 * @desc64: 64 bytes.
 * @how: SIM_WQ_HOW_ENQCMD, _MOVDIR64B or _WRITE, optionally | SIM_WQ_HOW_LIMITED.
 *
 * ENQCMD: takes the process PASID (sim_accel_process_pasid_set(), the IA32_PASID emulation;
 * the descriptor's PASID word is replaced, Priv cleared); none set → -EPERM, as the #GP. On a
 * shared WQ: accepted, or -EAGAIN (ZF=1) when the WQ is full or not enabled. On a dedicated WQ:
 * -EAGAIN always (the device does not take ENQCMD there; unverified, see the doc).
 * MOVDIR64B: no feedback, returns 0. On a dedicated WQ the WQCFG PASID/Priv apply; a full or
 * disabled WQ drops the descriptor and records it in SWERR. On a shared WQ it is dropped and
 * recorded (unverified).
 * WRITE (the idxd cdev write()): shared WQ: the process PASID, Priv 0, ENQCMDS tried
 * 1 + enqcmds_retries times, then -EAGAIN; dedicated WQ: as MOVDIR64B; a WQ that is not enabled
 * gives -ENXIO (the cdev is gone).
 *
 * Hot path: no lock, no allocation; a futex wake-up only when an engine sleeps.
 *
 * Return: 0 accepted (or silently dropped, MOVDIR64B), -EAGAIN, -EPERM, -ENXIO, -EINVAL (@how).
 */
int sim_wq_submit(void *wq, const void *desc64, unsigned int how);

/**
 * sim_wq_assist() - run an idle engine of @wq's group on the calling thread.
 * @wq: the struct sim_accel_wq the caller waits on.
 * @max: most descriptors to execute.
 *
 * For a thread that would otherwise spin waiting for a completion: when @wq holds work and an
 * engine of its group is not running, the caller becomes that engine for up to @max
 * descriptors, taken, arbitrated and executed exactly as its thread would. Descriptors that
 * may make page requests (BOF, BATCH, a record that does not translate) are left to the
 * engine's thread. docs/SIM_DEVICES.md, "Assisted execution".
 *
 * Return: descriptors executed (0: no work, or every engine of the group busy).
 */
int sim_wq_assist(void *wq, unsigned int max);

/**
 * sim_wq_assist_enter() - announce a thread that will assist @wq's group until it leaves.
 * @wq: the WQ the caller is about to submit to and wait on.
 *
 * While one is present, submissions to the group do not wake its sleeping engines (a futex
 * wake-up per descriptor): the present thread calls sim_wq_assist() until its own work is done
 * and then sim_wq_assist_leave(), which wakes an engine for whatever is still queued. Every
 * enter needs its leave, on the same @wq.
 */
void sim_wq_assist_enter(void *wq);
/* sim_wq_assist_leave() - the end of a sim_wq_assist_enter(): hand what is queued to an engine. */
void sim_wq_assist_leave(void *wq);

/**
 * sim_wq_assist_hold() - announce a thread that will assist @wq's group while it keeps calling
 * sim_wq_assist() (a completion queue with jobs in flight), until sim_wq_assist_release().
 * @wq: a WQ the caller submitted to.
 *
 * As sim_wq_assist_enter(), submissions do not wake the group's engines, but the holder may stop
 * assisting without releasing: engines then take the queue over after a grace period (they sleep
 * with a time-out while a holder exists). Every hold needs its release, on the same @wq.
 */
void sim_wq_assist_hold(void *wq);
/* sim_wq_assist_release() - the end of a sim_wq_assist_hold(): hand what is queued to an engine. */
void sim_wq_assist_release(void *wq);

/**
 * sim_wq_config_get() - the WQ's configuration.
 * @wq: the WQ.
 * @cfg: out.
 */
void sim_wq_config_get(struct sim_accel_wq *wq, struct sim_wq_cfg *cfg);

/**
 * sim_wq_config_set() - replace the WQ's configuration.
 * @wq: the WQ.
 * @cfg: the new configuration, validated as a whole before anything changes.
 *
 * Return: 0; -EBUSY when the WQ is not disabled, or when size or group_id change while the device
 * is enabled (the sysfs face maps -EBUSY to the kernel's per-attribute errno); -EINVAL for a value
 * out of range (priority > 15, threshold > size, threshold on a dedicated WQ, shifts above the
 * device's, op_config bits not in OPCAP, group out of range, PASID over 20 bits, name too long);
 * -EOPNOTSUPP for a feature the device lacks (BOF, PRS disable, ATS disable, op_config, a mode).
 * The sum of WQ sizes is checked by ENABLE_DEVICE (CMDSTS 0x14), as hardware does.
 */
int sim_wq_config_set(struct sim_accel_wq *wq, const struct sim_wq_cfg *cfg);

/**
 * sim_wq_enable() - ENABLE_WQ.
 * @wq: the WQ.
 *
 * Starts the engines of the WQ's group that are not running yet.
 *
 * Return: 0, or -errno with the device's CMDSTS set: 0x20 device not enabled (-ENXIO), 0x21 WQ
 * enabled (-EBUSY), 0x22 size 0 or no group with an engine (-EINVAL), 0x23 priority 0, 0x24 mode
 * not supported, 0x25 BOF not supported, 0x26 PASID_EN without PASID support, 0x27 max batch,
 * 0x28 max transfer (all -EINVAL); 0x03 when an engine could not start (its -errno).
 */
int sim_wq_enable(struct sim_accel_wq *wq);

/**
 * sim_wq_disable() - DISABLE_WQ: refuse new work, wait until every accepted descriptor completed.
 * @wq: the WQ.
 *
 * Return: 0 (also for a WQ already disabled); -ENXIO with CMDSTS 0x32 if the device is not
 * enabled.
 */
int sim_wq_disable(struct sim_accel_wq *wq);

/**
 * sim_wq_drain() - DRAIN_WQ: wait until every descriptor accepted before the call completed.
 * @wq: the WQ.
 *
 * Return: 0, or -ENXIO (CMDSTS 0x32) if the device is not enabled.
 */
int sim_wq_drain(struct sim_accel_wq *wq);

/**
 * sim_wq_abort() - ABORT_WQ: descriptors no engine has taken yet are discarded unexecuted (no
 * completion record, counted in stats.aborted); waits for the ones executing.
 * @wq: the WQ.
 *
 * Return: 0, or -ENXIO (CMDSTS 0x32).
 */
int sim_wq_abort(struct sim_accel_wq *wq);

/**
 * sim_wq_reset() - RESET_WQ: the configuration back to its reset values (the WQ must be
 * disabled).
 * @wq: the WQ.
 *
 * Return: 0, -EBUSY if enabled, -ENXIO (CMDSTS 0x32) if the device is not enabled.
 */
int sim_wq_reset(struct sim_accel_wq *wq);

/**
 * sim_wq_set_pasid() - what the kernel's cdev open() does on a dedicated WQ: disable, set
 * WQCFG PASID/Priv (pasid_en), enable again if it was enabled.
 * @wq: a dedicated WQ.
 * @pasid: the PASID (20 bits).
 * @priv: WQCFG Priv.
 *
 * Return: 0, -EINVAL (shared WQ, PASID too wide), or an error of disable/enable.
 */
int sim_wq_set_pasid(struct sim_accel_wq *wq, uint32_t pasid, bool priv);

/* State, identity and counters. */
enum sim_wq_state sim_wq_state(const struct sim_accel_wq *wq);
unsigned int sim_wq_id(const struct sim_accel_wq *wq);
struct sim_accel_dev *sim_wq_dev(const struct sim_accel_wq *wq);
void sim_wq_stats(struct sim_accel_wq *wq, struct sim_wq_stats *out);

/**
 * sim_wq_wqcfg() - the WQ's WQCFG table entry as BAR0 shows it.
 * @wq: the WQ.
 * @out: 64 bytes (the first 32 are the entry on a device without op_config).
 */
void sim_wq_wqcfg(struct sim_accel_wq *wq, union idxd_wqcfg_reg *out);

/* ---- The process PASID (the IA32_PASID MSR emulation) ---- */

/*
 * Set when the process binds its address space (the kernel loads IA32_PASID lazily on the first
 * ENQCMD; sim keeps one value for the whole process). ENQCMD and shared-WQ write() without it
 * fail with -EPERM.
 */
void sim_accel_process_pasid_set(uint32_t pasid);
void sim_accel_process_pasid_clear(void);
/* True and *@pasid when set. */
bool sim_accel_process_pasid_get(uint32_t *pasid);

/* ---- Devices ---- */

#define SIM_ACCEL_SPIN_NONE UINT32_MAX

struct sim_accel_dev_params {
	const struct sim_accel_type *type;
	const struct sim_accel_caps *caps; /* NULL: the type's */
	int node; /* NUMA node; -1: none */
	/* Translation backend (sim_dma.h); NULL: sim_dma_identity_ops. */
	const struct sim_dma_ops *dma_ops;
	void *dma_priv;
	unsigned int spin_us; /* engine busy-poll before sleeping; 0: default (50) */
	/* SIM_ACCEL_SPIN_NONE in spin_us: engines sleep as soon as they are idle. */
};

/**
 * sim_accel_dev_create() - create a device, disabled, with reset configuration: no group has
 * an engine or WQ, every WQ size 0.
 * @p: parameters.
 * @out: the device.
 *
 * The name is the type's prefix and an id from one namespace shared by every type, lowest free
 * first (the kernel's idxd_ida: dsa0, iax1, ...).
 *
 * Return: 0, -EINVAL (bad caps: more WQs/engines/groups or WQ space than the model holds, no
 * executor), -ENOSPC (ids), -ENOMEM.
 */
int sim_accel_dev_create(const struct sim_accel_dev_params *p, struct sim_accel_dev **out);

/**
 * sim_accel_dev_destroy() - disable (draining everything) and free; NULL is ignored.
 * @dev: the device.
 */
void sim_accel_dev_destroy(struct sim_accel_dev *dev);

/**
 * sim_accel_dev_set_dma() - replace the translation backend while the device is disabled.
 * @dev: the device.
 * @ops: backend (NULL: identity).
 * @priv: its data.
 *
 * Return: 0 or -EBUSY.
 */
int sim_accel_dev_set_dma(struct sim_accel_dev *dev, const struct sim_dma_ops *ops, void *priv);

/**
 * sim_accel_dev_enable() - ENABLE_DEVICE: checks the configuration as the hardware does.
 * @dev: the device.
 *
 * Return: 0, or -errno with CMDSTS: 0x10 already enabled (-EBUSY), 0x14 WQ sizes over
 * total_wq_size (-EINVAL), 0x15 a WQ with a size in no group or in a group without engines
 * (-EINVAL).
 */
int sim_accel_dev_enable(struct sim_accel_dev *dev);

/**
 * sim_accel_dev_disable() - DISABLE_DEVICE: disables every WQ (draining them), stops the engines.
 * @dev: the device.
 *
 * Return: 0, or -ENXIO with CMDSTS 0x31 when the device was not enabled.
 */
int sim_accel_dev_disable(struct sim_accel_dev *dev);

/**
 * sim_accel_dev_reset() - RESET_DEVICE: disable, then every WQ, group and engine setting back to
 * reset values; SWERR cleared; interrupt handles kept.
 * @dev: the device.
 */
void sim_accel_dev_reset(struct sim_accel_dev *dev);

/**
 * sim_accel_dev_drain_pasid() - DRAIN_PASID. sim drains every WQ of the device, which waits for
 * at least the descriptors of @pasid (documented superset).
 * @dev: the device.
 * @pasid: the PASID.
 *
 * Return: 0, or -ENXIO (CMDSTS 0x32) when the device is not enabled.
 */
int sim_accel_dev_drain_pasid(struct sim_accel_dev *dev, uint32_t pasid);

/**
 * sim_accel_dev_cmd() - a write of the CMD register (BAR0 0xa0), for register-level faces.
 * @dev: the device.
 * @cmd: the register value (union idxd_cmd_reg); WQ commands take idxd_wq_cmd_operand().
 *
 * REQUEST_INT_HANDLE returns the handle in CMDSTS.result.
 *
 * Return: the CMDSTS register value after the command (err 0 on success).
 */
uint32_t sim_accel_dev_cmd(struct sim_accel_dev *dev, uint32_t cmd);

/* The CMDSTS register after the last command. */
uint32_t sim_accel_dev_cmdsts(struct sim_accel_dev *dev);

/* -errno for a CMDSTS error code (0 for success). */
int sim_accel_cmdsts_errno(uint8_t err);

/* Identity and state. */
const char *sim_accel_dev_name(const struct sim_accel_dev *dev);
int sim_accel_dev_id(const struct sim_accel_dev *dev);
int sim_accel_dev_node(const struct sim_accel_dev *dev);
const struct sim_accel_type *sim_accel_dev_type(const struct sim_accel_dev *dev);
const struct sim_accel_caps *sim_accel_dev_caps(const struct sim_accel_dev *dev);
bool sim_accel_dev_enabled(const struct sim_accel_dev *dev);
unsigned int sim_accel_dev_nr_wqs(const struct sim_accel_dev *dev);
unsigned int sim_accel_dev_nr_engines(const struct sim_accel_dev *dev);
unsigned int sim_accel_dev_nr_groups(const struct sim_accel_dev *dev);

/**
 * sim_accel_wq_find() - WQ @id of @dev (0..WQCAP.num_wqs-1), or NULL.
 * @dev: the device.
 * @id: the WQ id.
 */
struct sim_accel_wq *sim_accel_wq_find(struct sim_accel_dev *dev, unsigned int id);

/**
 * sim_accel_reg_read() - read a 64-bit BAR0 register (or 8 bytes of a table).
 * @dev: the device.
 * @off: 8-aligned offset: VERSION..CMDCAP, SWERR, IAACAP, the GRPCFG and WQCFG tables at
 *	TABLE_OFFSETS.
 * @val: out.
 *
 * Return: 0, or -EINVAL for an offset not modelled (reads as 0 on hardware; sim says so).
 */
int sim_accel_reg_read(struct sim_accel_dev *dev, unsigned int off, uint64_t *val);

/* ---- Groups and engines ---- */

/**
 * sim_engine_set_group() - the engine's group_id (sysfs engine<N>.<M>/group_id).
 * @dev: the device.
 * @engine: engine id (0..ENGCAP.num_engines-1).
 * @group: -1 (none) .. groups-1.
 *
 * Return: 0, -EINVAL (range), -EBUSY while the device is enabled (sim keeps the engine set of a
 * running group fixed).
 */
int sim_engine_set_group(struct sim_accel_dev *dev, unsigned int engine, int group);
int sim_engine_group(struct sim_accel_dev *dev, unsigned int engine);
void sim_engine_stats(struct sim_accel_dev *dev, unsigned int engine, struct sim_engine_stats *out);

/**
 * sim_group_grpcfg() - group @group's GRPCFG entry as BAR0 shows it.
 * @dev: the device.
 * @group: group id.
 * @out: the entry.
 *
 * Return: 0 or -EINVAL.
 */
int sim_group_grpcfg(struct sim_accel_dev *dev, unsigned int group, union idxd_grpcfg_reg *out);

/* ---- SWERR and interrupts ---- */

/* A copy of the SWERR register (4 x u64 at BAR0 0xc0). */
void sim_accel_swerr_read(struct sim_accel_dev *dev, union idxd_swerr_reg *out);

/**
 * sim_accel_swerr_ack() - write @bits (IDXD_SWERR_VALID | IDXD_SWERR_OVERFLOW) to SWERR word 0:
 * write-1-to-clear, as hardware.
 * @dev: the device.
 * @bits: the bits to clear.
 */
void sim_accel_swerr_ack(struct sim_accel_dev *dev, uint64_t bits);

/*
 * An eventfd, owned by the device, readable exactly while SWERR.valid is set (what the kernel's
 * cdev poll() reports through the WQ's err_queue).
 */
int sim_accel_swerr_fd(const struct sim_accel_dev *dev);

/**
 * sim_accel_int_handle_request() - REQUEST_INT_HANDLE: a completion-interrupt handle for
 * descriptors with RCI, backed by an eventfd the runtime polls.
 * @dev: the device.
 * @index: the vector index (MSI-X or IMS entry; < caps.int_handles).
 * @handle: out, the handle for descriptors' int_handle field.
 * @fd: out (may be NULL), the eventfd (owned by the device; closed on release). Each interrupt
 *	adds 1 to its counter.
 *
 * Return: 0, -EINVAL (CMDSTS 0x41, index out of range), -ENOSPC (0x42, no free handle), or
 * -errno from eventfd().
 */
int sim_accel_int_handle_request(struct sim_accel_dev *dev, unsigned int index, uint16_t *handle,
				 int *fd);

/**
 * sim_accel_int_handle_release() - RELEASE_INT_HANDLE.
 * @dev: the device.
 * @handle: a handle from sim_accel_int_handle_request().
 *
 * Waits for an engine signalling it right now, then closes the eventfd.
 *
 * Return: 0 or -EINVAL (CMDSTS 0x41).
 */
int sim_accel_int_handle_release(struct sim_accel_dev *dev, uint16_t handle);

/* ---- Configuration (config.c): SVART_SIM_CONFIG ---- */

#define SIM_ACCEL_CFG_MAX_DEVS 16

struct sim_accel_wq_spec {
	struct sim_wq_cfg cfg; /* op_config is not set by the syntax: the device's OPCAP */
	bool enabled;
	bool xfer_set, batch_set; /* else the device's defaults */
	unsigned int pos_line, pos_col; /* where it was described, for messages */
};

struct sim_accel_dev_spec {
	enum sim_accel_kind kind;
	int node;
	unsigned int version; /* 1 or 2 */
	unsigned int engines; /* engines with a group (threads), spread over the groups */
	unsigned int groups;
	unsigned int total_wq_size; /* 0: the type's */
	unsigned int spin_us;
	bool enabled;
	unsigned int nr_wqs;
	struct sim_accel_wq_spec wqs[SIM_ACCEL_MAX_WQS];
	unsigned int line; /* where it was described, for messages */
};

struct sim_accel_config {
	unsigned int nr_devs;
	struct sim_accel_dev_spec devs[SIM_ACCEL_CFG_MAX_DEVS];
};

/**
 * sim_accel_config_default() - the default platform: dsa0 (one group, one engine, WQ 0 shared
 * size 64, WQ 1 dedicated size 32) and iax1 (one group, one engine, WQ 0 shared size 64), on
 * node 0, enabled.
 * @out: the configuration.
 */
void sim_accel_config_default(struct sim_accel_config *out);

/* The default configuration in the syntax it is written in. */
const char *sim_accel_config_default_text(void);

/**
 * sim_accel_config_parse() - parse the configuration syntax (docs/SIM_DEVICES.md).
 * @text: the text; need not be NUL-terminated.
 * @len: its length.
 * @out: the configuration.
 * @err: out, on -EINVAL: "line:column: message" (NUL-terminated, truncated to @errlen).
 * @errlen: size of @err.
 *
 * Strict: unknown keys, bad numbers, values out of range and duplicates are errors. Allocates
 * nothing.
 *
 * Return: 0, or -EINVAL with @err filled.
 */
int sim_accel_config_parse(const char *text, size_t len, struct sim_accel_config *out, char *err,
			   size_t errlen);

/**
 * sim_accel_config_load() - the configuration SVART_SIM_CONFIG names.
 * @value: the variable's value: a configuration, or "@path" to read one from a file; NULL: the
 *	default configuration.
 * @out: the configuration.
 * @err: out, on error: a message naming the source ("SVART_SIM_CONFIG:1:5: ..." or the path).
 * @errlen: size of @err.
 *
 * Return: 0, -EINVAL (syntax), or -errno reading the file (-EFBIG over 64 KiB).
 */
int sim_accel_config_load(const char *value, struct sim_accel_config *out, char *err,
			  size_t errlen);

struct sim_accel_dma_provider;

/**
 * sim_accel_config_apply() - create and configure the devices of @cfg.
 * @cfg: the configuration.
 * @dma: the translation backend provider (NULL: identity), attached to each device before it
 *	is configured; the devices keep its priv (detached by sim_accel_config_unapply()).
 * @devs: out, @cfg->nr_devs devices (created in order, so ids follow the namespace).
 * @err: out, on error: which device and why (with CMDSTS when an enable failed).
 * @errlen: size of @err.
 *
 * Return: 0, or -errno; on error no device is left behind.
 */
int sim_accel_config_apply(const struct sim_accel_config *cfg,
			   const struct sim_accel_dma_provider *dma, struct sim_accel_dev **devs,
			   char *err, size_t errlen);

/**
 * sim_accel_config_unapply() - destroy devices made by sim_accel_config_apply(), last first,
 * detaching their translation backend after each is disabled.
 * @dma: the provider given to apply (NULL: none).
 * @devs: the devices.
 * @n: how many.
 */
void sim_accel_config_unapply(const struct sim_accel_dma_provider *dma, struct sim_accel_dev **devs,
			      unsigned int n);

/* ---- The platform (registry.c) ---- */

/*
 * How the platform's devices get their translation backend: attach() is called for each device
 * after creation, before it is configured and enabled (e.g. sim_iommu_dev_create() and
 * sim_iommu_dma_ops); detach() after the device is disabled, before it is freed.
 */
struct sim_accel_dma_provider {
	int (*attach)(struct sim_accel_dev *dev, const struct sim_dma_ops **ops, void **priv);
	void (*detach)(struct sim_accel_dev *dev, void *priv);
};

/**
 * sim_accel_platform_set_dma_provider() - the provider for devices the platform creates next.
 * @p: the provider (static storage); NULL: identity translation.
 *
 * Return: 0, or -EBUSY while the platform exists.
 */
int sim_accel_platform_set_dma_provider(const struct sim_accel_dma_provider *p);

/**
 * sim_accel_platform_get() - the configured devices; created on the first call (thread-safe)
 * from SVART_SIM_CONFIG or the default. Takes a reference.
 *
 * Return: 0, or -errno (then sim_accel_platform_error() says why; no reference is taken).
 */
int sim_accel_platform_get(void);

/* Drops a reference; the last one destroys the platform's devices. Pairs with _get(). */
void sim_accel_platform_put(void);

/* The reason the last sim_accel_platform_get() failed ("" if none). */
const char *sim_accel_platform_error(void);

/**
 * sim_accel_dev_find() - a live device by name ("dsa0"), or NULL.
 * @name: the name.
 *
 * Covers every device (the platform's and any created directly). The pointer stays valid until
 * the device is destroyed.
 */
struct sim_accel_dev *sim_accel_dev_find(const char *name);

/**
 * sim_accel_dev_next() - iterate over live devices in id order.
 * @prev: NULL for the first.
 *
 * Return: the device after @prev, or NULL.
 */
struct sim_accel_dev *sim_accel_dev_next(struct sim_accel_dev *prev);

#endif /* SVART_SIM_ACCEL_SIM_ACCEL_H */
