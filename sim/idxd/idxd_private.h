/* SPDX-License-Identifier: MIT */
/*
 * Internals of sim's idxd driver face (sim/idxd/). Only sim/idxd/ and its tests include this.
 *
 * The face keeps what the kernel's driver keeps beside the hardware: the software copy of the
 * configuration that sysfs stores edit (struct idxd_kdev/_kwq/_kgroup, like the kernel's
 * struct idxd_device/_wq/_group), which driver each device and WQ is bound to, cmd_status,
 * the cdev minors. The hardware (sim/accel/) sees that configuration only when a device or WQ
 * is enabled, as the kernel writes GRPCFG/WQCFG then.
 *
 * One mutex (idxd_lock()) covers all of it; it is taken before any device lock of sim/accel/,
 * never after. The translation backend (idxd_sva.c), which engine threads call, takes no lock.
 */
#ifndef SVART_SIM_IDXD_IDXD_PRIVATE_H
#define SVART_SIM_IDXD_IDXD_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/accel/sim_accel.h"
#include "sim/idxd/sim_idxd.h"

/* Kernel constants (drivers/dma/idxd/idxd.h, registers.h). */
#define IDXD_WQ_NAME_SIZE 1024
#define IDXD_DRIVER_NAME_SIZE 128
#define IDXD_MAX_PRIORITY 15
#define IDXD_ENQCMDS_RETRIES 32
#define IDXD_ENQCMDS_MAX_RETRIES 64
#define IDXD_WQ_DEFAULT_MAX_XFER (UINT64_C(1) << 21)
#define IDXD_WQ_DEFAULT_MAX_BATCH 32u
#define IDXD_SYSFS_PAGE 4096u
/* The 6.7+ software status for a driver_name mismatch (not in every <linux/idxd.h>). */
#define IDXD_SCMD_WQ_NO_DRV_NAME_ 0x80200000u

enum idxd_drv {
	IDXD_DRV_NONE = 0,
	IDXD_DRV_IDXD, /* devices */
	IDXD_DRV_USER, /* WQs: the cdev */
	IDXD_DRV_DMAENGINE, /* WQs: kernel use (nothing in sim uses it) */
	IDXD_DRV_NR,
};

/* "idxd", "user", "dmaengine" (index by enum idxd_drv; [0] is NULL). */
extern const char *const idxd_drv_names[IDXD_DRV_NR];

struct idxd_sva_dev;

/* The kernel's struct idxd_wq: configuration as sysfs sets it, and the binding. */
struct idxd_kwq {
	struct sim_accel_wq *hw;
	unsigned int id;
	uint32_t size;
	int group; /* -1: none */
	bool dedicated, bof, ats_disable, prs_disable;
	unsigned int priority;
	uint32_t threshold;
	enum sim_wq_type type;
	char name[IDXD_WQ_NAME_SIZE + 1];
	char driver_name[IDXD_DRIVER_NAME_SIZE + 1];
	uint64_t max_xfer_bytes;
	uint32_t max_batch_size;
	union idxd_opcap_reg op_config;
	unsigned int enqcmds_retries;
	enum idxd_drv drv; /* bound driver */
	int minor; /* the cdev's, -1 while there is none */
	int clients; /* open cdev files */
};

/* The kernel's struct idxd_group: what sysfs keeps per group beside WQs and engines. */
struct idxd_kgroup {
	unsigned int rdbufs_reserved, rdbufs_allowed;
	bool use_rdbuf_limit;
	int tc_a, tc_b;
	int desc_progress_limit, batch_progress_limit;
};

/* The kernel's struct idxd_device. */
struct idxd_kdev {
	struct sim_accel_dev *hw;
	const struct sim_accel_caps *caps;
	struct idxd_sva_dev *sva;
	char name[16]; /* dsa0, iax1 */
	char bdf[16]; /* PCI address under SIM_IDXD_PCI_ROOT */
	int id;
	bool iaa;
	bool configurable;
	unsigned int major;
	unsigned int nr_wqs, nr_engines, nr_groups;
	uint32_t cmd_status;
	unsigned int rdbuf_limit;
	union idxd_swerr_reg sw_err; /* the driver's copy, as the error interrupt leaves it */
	enum idxd_drv drv;
	int engine_group[SIM_ACCEL_MAX_ENGINES];
	struct idxd_kgroup groups[SIM_ACCEL_MAX_GROUPS];
	struct idxd_kwq wqs[SIM_ACCEL_MAX_WQS];
};

/* ---- idxd_core.c: state, lookups, driver binding, the state file ---- */

void idxd_lock(void);
void idxd_unlock(void);

/* Devices in id order; the array does not change once sim_idxd_get() succeeded. */
unsigned int idxd_nr_devs(void);
struct idxd_kdev *idxd_dev_at(unsigned int i);

/* "dsa0", "iax1"; NULL if none. */
struct idxd_kdev *idxd_dev_by_name(const char *name, size_t len);

/* Maximum WQ space left for @kw: max_work_queues_size minus every other WQ's size. */
uint32_t idxd_wq_space_left(const struct idxd_kdev *kd, const struct idxd_kwq *kw);

/*
 * Driver core bind_store()/unbind_store() for @drv with the device name @name (@len bytes, a
 * trailing newline allowed). Called with idxd_lock() held.
 * Return: 0, or -errno (-ENODEV: no such device or no match; -EBUSY: already bound; the
 * probe's error).
 */
int idxd_bind(enum idxd_drv drv, const char *name, size_t len);
int idxd_unbind(enum idxd_drv drv, const char *name, size_t len);

/* What disable-wq leaves of a WQ's configuration (kernel idxd_wq_disable_cleanup()). */
void idxd_wq_cleanup(struct idxd_kdev *kd, struct idxd_kwq *kw);

/* The kernel's idxd->sw_err brought up to date from the device (under idxd_lock()). */
void idxd_swerr_sync(struct idxd_kdev *kd);

/*
 * Append a successful store to the state file (no-op without $SVART_SIM_IDXD_STATE, or while
 * the file is being replayed). @path: the attribute's canonical path.
 */
void idxd_state_record(const char *path, const char *buf, size_t len);

/* ---- idxd_sysfs.c: the attribute model ---- */

enum idxd_obj {
	IDXD_OBJ_NONE = 0,
	IDXD_OBJ_DEV,
	IDXD_OBJ_WQ,
	IDXD_OBJ_GROUP,
	IDXD_OBJ_ENGINE,
	IDXD_OBJ_CDEV, /* dsa!wqX.Y: the WQ's character device */
	IDXD_OBJ_DRIVER, /* /sys/bus/dsa/drivers/<drv> */
};

struct idxd_node;

struct idxd_attr {
	const char *name;
	mode_t mode; /* 0444, 0644, 0200 */
	/* Return the length written to @buf (< @len), or -errno. NULL: write-only. */
	ssize_t (*show)(const struct idxd_node *n, char *buf, size_t len);
	/* @buf is NUL-terminated at @len. Return 0, or -errno. NULL: read-only. */
	int (*store)(const struct idxd_node *n, const char *buf, size_t len);
	/* NULL: always there. */
	bool (*visible)(const struct idxd_node *n);
	/* Writes that change no configuration (cmd_status, uevent): not in the state file. */
	bool no_record;
};

/* Something sysfs shows: an object (attr NULL) or one of its attributes. */
struct idxd_node {
	enum idxd_obj obj;
	struct idxd_kdev *kd; /* not for DRIVER */
	unsigned int sub; /* WQ, group or engine id */
	enum idxd_drv drv; /* DRIVER */
	const struct idxd_attr *attr;
};

/**
 * idxd_node_parse() - what a kernel path names.
 * @path: the path from "/sys/..." on (the tree's root already stripped).
 * @n: out.
 *
 * Return: 0 (@n->attr NULL for an object's directory), -ENOENT (no such object or attribute,
 * or not a path the face knows).
 */
int idxd_node_parse(const char *path, struct idxd_node *n);

/* The object named @name (@len bytes: "dsa0", "wq0.1", "dsa!wq0.1", ...). Return: 0 or -ENOENT. */
int idxd_obj_by_name(const char *name, size_t len, struct idxd_node *n);

/* The object's attributes, visible or not, in the kernel's order. */
const struct idxd_attr *idxd_obj_attrs(enum idxd_obj obj, unsigned int *nr);
bool idxd_attr_visible(const struct idxd_node *n);

/* Show and store with idxd_lock() held by the caller. */
ssize_t idxd_node_show(const struct idxd_node *n, char *buf, size_t len);
ssize_t idxd_node_store(const struct idxd_node *n, const char *buf, size_t len, bool record);

/* The canonical path of @n ("/sys/bus/dsa/devices/wq0.1/size"); false if it does not fit. */
bool idxd_node_path(const struct idxd_node *n, char *buf, size_t len);

/* "dsa0", "wq0.1", "group0.0", "engine0.2", "dsa!wq0.1" */
int idxd_obj_name(const struct idxd_node *n, char *buf, size_t len);

/* ---- idxd_tree.c ---- */

/* Make the tree match @kd's binding state (driver links, cdev directories, /dev nodes).
 * No-op while there is no tree. Called with idxd_lock() held. */
void idxd_tree_sync(struct idxd_kdev *kd);

/* ---- idxd_sva.c ---- */

/* Installs the SVA backend on every device the platform creates (sim_accel_platform_get()). */
extern const struct sim_accel_dma_provider idxd_sva_provider;
extern const struct sim_dma_ops idxd_sva_ops;

/* The SVA state of @dev: the one the provider attached, or a new one. NULL: -ENOMEM. */
struct idxd_sva_dev *idxd_sva_dev_get(struct sim_accel_dev *dev);

/* Make @dev translate through SVA (the device must be disabled). Return: 0 or -errno. */
int idxd_sva_install(struct idxd_sva_dev *sd);

/**
 * idxd_sva_bind() - iommu_sva_bind_device() for this process: allocate its PASID on first use
 * and let @sd translate it.
 * @sd: the device.
 * @pasid: out.
 *
 * Return: 0 or -ENOMEM.
 */
int idxd_sva_bind(struct idxd_sva_dev *sd, uint32_t *pasid);

/* Drop one bond of @sd (pairs with idxd_sva_bind()). */
void idxd_sva_unbind(struct idxd_sva_dev *sd);

#endif /* SVART_SIM_IDXD_IDXD_PRIVATE_H */
