// SPDX-License-Identifier: MIT
/*
 * The idxd driver's view of sim's devices: bring-up, the driver core's bind and unbind with
 * the idxd, user and dmaengine drivers' probe and remove, and the state file that carries the
 * configuration from one process to the next.
 *
 * Probe and remove follow drivers/dma/idxd/device.c and cdev.c (Linux 6.12): the device probe
 * writes the driver's configuration to the device and enables it; a WQ probe checks what
 * drv_enable_wq() checks, in its order and with its cmd_status codes, then enables the WQ
 * (and, for the user driver, makes its character device). Removing a WQ disables it, which
 * drains it (no accepted descriptor is lost), and clears what idxd_wq_disable_cleanup()
 * clears; removing a device removes its WQs, disables and resets it, and clears the
 * configuration as idxd_device_clear_state() does.
 *
 * The state file ($SVART_SIM_IDXD_STATE) is a log of the sysfs writes that succeeded, one per
 * line ("<path> <value, %-escaped>"). Every process replays it when the face comes up, so that
 * `svart sim -- accel-config ...` commands, each a new process with a new sim, act on one
 * configuration. It assumes every process starts from the same SVART_SIM_CONFIG.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/idxd.h>

#include "sim/idxd/idxd_private.h"

#define IDXD_STATE_MAX (1u << 20)
#define IDXD_MINORS 256u

const char *const idxd_drv_names[IDXD_DRV_NR] = {
	[IDXD_DRV_IDXD] = "idxd",
	[IDXD_DRV_USER] = "user",
	[IDXD_DRV_DMAENGINE] = "dmaengine",
};

static pthread_mutex_t idxd_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t idxd_init_mutex = PTHREAD_MUTEX_INITIALIZER;
/* 0: not brought up yet; 1: up; < 0: -errno of the attempt (not retried). */
static atomic_int idxd_up;
static char idxd_err[512];
static unsigned int idxd_nr;
static struct idxd_kdev *idxd_devs[SIM_ACCEL_CFG_MAX_DEVS];
/* Minor numbers per type (dsa, iax): the kernel's per-type IDA. */
static uint64_t idxd_minors[2][IDXD_MINORS / 64];
static bool idxd_replaying;

void idxd_lock(void)
{
	pthread_mutex_lock(&idxd_mutex);
}

void idxd_unlock(void)
{
	pthread_mutex_unlock(&idxd_mutex);
}

unsigned int idxd_nr_devs(void)
{
	return idxd_nr;
}

struct idxd_kdev *idxd_dev_at(unsigned int i)
{
	return i < idxd_nr ? idxd_devs[i] : NULL;
}

struct idxd_kdev *idxd_dev_by_name(const char *name, size_t len)
{
	for (unsigned int i = 0; i < idxd_nr; i++)
		if (strlen(idxd_devs[i]->name) == len && !memcmp(idxd_devs[i]->name, name, len))
			return idxd_devs[i];
	return NULL;
}

uint32_t idxd_wq_space_left(const struct idxd_kdev *kd, const struct idxd_kwq *kw)
{
	uint32_t used = 0;

	for (unsigned int i = 0; i < kd->nr_wqs; i++)
		if (&kd->wqs[i] != kw)
			used += kd->wqs[i].size;
	return used >= kd->caps->wqcap.total_wq_size ? 0 : kd->caps->wqcap.total_wq_size - used;
}

/* ---- Minors ---- */

static int idxd_minor_alloc(bool iaa)
{
	uint64_t *map = idxd_minors[iaa];

	for (unsigned int i = 0; i < IDXD_MINORS; i++) {
		if (!(map[i / 64] & (UINT64_C(1) << (i % 64)))) {
			map[i / 64] |= UINT64_C(1) << (i % 64);
			return (int)i;
		}
	}
	return -ENOSPC;
}

static void idxd_minor_free(bool iaa, int minor)
{
	if (minor >= 0 && (unsigned int)minor < IDXD_MINORS)
		idxd_minors[iaa][minor / 64] &= ~(UINT64_C(1) << (minor % 64));
}

/* ---- Configuration: the driver's copy and the device's ---- */

static unsigned int idxd_log2(uint64_t v)
{
	return v ? 63u - (unsigned int)__builtin_clzll(v) : 0;
}

/* The kernel's defaults (idxd_setup_wqs(), idxd_wq_disable_cleanup()). */
void idxd_wq_cleanup(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	kw->type = SIM_WQ_TYPE_NONE;
	kw->threshold = 0;
	kw->priority = 0;
	kw->enqcmds_retries = IDXD_ENQCMDS_RETRIES;
	kw->dedicated = false;
	kw->bof = false;
	kw->ats_disable = false;
	kw->prs_disable = false;
	memset(kw->name, 0, sizeof(kw->name));
	kw->max_xfer_bytes = IDXD_WQ_DEFAULT_MAX_XFER;
	kw->max_batch_size = kd->iaa ? 0 : IDXD_WQ_DEFAULT_MAX_BATCH;
	kw->op_config = kd->caps->opcap;
}

static void idxd_group_reset(struct idxd_kdev *kd, struct idxd_kgroup *g)
{
	memset(g, 0, sizeof(*g));
	g->rdbufs_allowed = kd->caps->grpcap.total_rdbufs;
	/* Traffic classes: 1 on devices up to version 2 (tc_override off), else -1. */
	g->tc_a = g->tc_b = kd->caps->version <= IDXD_VERSION_2 ? 1 : -1;
}

/* idxd_device_clear_state() of a configurable device. */
static void idxd_dev_clear_state(struct idxd_kdev *kd)
{
	for (unsigned int i = 0; i < kd->nr_wqs; i++) {
		idxd_wq_cleanup(kd, &kd->wqs[i]);
		kd->wqs[i].size = 0;
		kd->wqs[i].group = -1;
	}
	for (unsigned int i = 0; i < kd->nr_engines; i++)
		kd->engine_group[i] = -1;
	for (unsigned int i = 0; i < kd->nr_groups; i++)
		idxd_group_reset(kd, &kd->groups[i]);
}

/*
 * The kernel's WQCFG write for @kw. A WQ without a group gets no WQCFG from the kernel
 * (idxd_wq_config_write() skips it), so the device sees size 0 for it.
 *
 * sim's device refuses size or group changes while it is enabled; the kernel lets a WQ of an
 * enabled device change group and writes GRPCFG again. Such a change fails here (-EBUSY), and
 * the caller reports it as a configuration error (docs/SIM_IDXD.md, "Differences").
 */
static int idxd_wq_push(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	const struct sim_accel_caps *caps = kd->caps;
	struct sim_wq_cfg c;
	size_t n;

	sim_wq_config_get(kw->hw, &c);
	c.size = kw->group >= 0 ? kw->size : 0;
	c.group_id = kw->group;
	c.mode = kw->dedicated ? SIM_WQ_DEDICATED : SIM_WQ_SHARED;
	c.threshold = kw->dedicated ? 0 : (kw->threshold < c.size ? kw->threshold : c.size);
	c.priority = (uint8_t)kw->priority;
	c.block_on_fault = kw->bof;
	c.ats_disable = kw->ats_disable;
	c.prs_disable = kw->prs_disable;
	/* User WQs get their PASID when a process opens them (cdev open). */
	c.pasid = 0;
	c.pasid_en = false;
	c.priv = false;
	c.max_xfer_shift = (uint8_t)idxd_log2(kw->max_xfer_bytes);
	c.max_batch_shift = kd->iaa ? 0 : (uint8_t)idxd_log2(kw->max_batch_size);
	if (caps->wqcap.op_config)
		c.op_config = kw->op_config;
	c.type = kw->type;
	/* sim's WQCFG keeps a shorter name; the driver's copy is the one sysfs shows. */
	n = strnlen(kw->name, sizeof(c.name) - 1);
	memcpy(c.name, kw->name, n);
	c.name[n] = '\0';
	c.enqcmds_retries = kw->enqcmds_retries;
	return sim_wq_config_set(kw->hw, &c);
}

/* ---- Bring-up ---- */

static void idxd_wq_load(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	enum sim_wq_state st = sim_wq_state(kw->hw);
	struct sim_wq_cfg c;

	sim_wq_config_get(kw->hw, &c);
	kw->size = c.size;
	kw->group = c.group_id;
	kw->dedicated = c.mode == SIM_WQ_DEDICATED;
	kw->bof = c.block_on_fault;
	kw->ats_disable = c.ats_disable;
	kw->prs_disable = c.prs_disable;
	kw->priority = c.priority;
	kw->threshold = c.threshold;
	kw->type = c.type;
	snprintf(kw->name, sizeof(kw->name), "%s", c.name);
	/* What `config-wq --driver-name` would have set for a WQ of this type. */
	snprintf(kw->driver_name, sizeof(kw->driver_name), "%s",
		 c.type == SIM_WQ_TYPE_USER   ? "user" :
		 c.type == SIM_WQ_TYPE_KERNEL ? "dmaengine" :
						"");
	kw->max_xfer_bytes = UINT64_C(1) << c.max_xfer_shift;
	kw->max_batch_size = kd->iaa ? 0 : 1u << c.max_batch_shift;
	kw->op_config = c.op_config;
	kw->enqcmds_retries = c.enqcmds_retries;
	kw->minor = -1;
	kw->drv = IDXD_DRV_NONE;
	if (st == SIM_WQ_STATE_DISABLED)
		return;
	/* Enabled by SVART_SIM_CONFIG: as if bound to the driver of its type. */
	if (c.type == SIM_WQ_TYPE_KERNEL) {
		kw->drv = IDXD_DRV_DMAENGINE;
	} else {
		kw->type = SIM_WQ_TYPE_USER;
		kw->drv = IDXD_DRV_USER;
		kw->minor = idxd_minor_alloc(kd->iaa);
	}
}

static int idxd_dev_load(struct sim_accel_dev *dev, struct idxd_kdev **out)
{
	struct idxd_kdev *kd = calloc(1, sizeof(*kd));
	int id = sim_accel_dev_id(dev);

	if (!kd)
		return -ENOMEM;
	kd->hw = dev;
	kd->caps = sim_accel_dev_caps(dev);
	kd->sva = idxd_sva_dev_get(dev);
	if (!kd->sva) {
		free(kd);
		return -ENOMEM;
	}
	snprintf(kd->name, sizeof(kd->name), "%s", sim_accel_dev_name(dev));
	snprintf(kd->bdf, sizeof(kd->bdf), "0000:f0:%02x.%x", (id % 31) + 1, (id / 31) % 8);
	kd->id = id;
	kd->iaa = !strcmp(sim_accel_dev_type(dev)->prefix, "iax");
	kd->configurable = kd->caps->gencap.config_en;
	kd->major = kd->iaa ? SIM_IDXD_IAX_MAJOR : SIM_IDXD_DSA_MAJOR;
	kd->nr_wqs = sim_accel_dev_nr_wqs(dev);
	kd->nr_engines = sim_accel_dev_nr_engines(dev);
	kd->nr_groups = sim_accel_dev_nr_groups(dev);
	for (unsigned int i = 0; i < kd->nr_engines; i++)
		kd->engine_group[i] = sim_engine_group(dev, i);
	for (unsigned int i = 0; i < kd->nr_groups; i++)
		idxd_group_reset(kd, &kd->groups[i]);
	for (unsigned int i = 0; i < kd->nr_wqs; i++) {
		kd->wqs[i].hw = sim_accel_wq_find(dev, i);
		kd->wqs[i].id = i;
		idxd_wq_load(kd, &kd->wqs[i]);
	}
	kd->drv = sim_accel_dev_enabled(dev) ? IDXD_DRV_IDXD : IDXD_DRV_NONE;
	*out = kd;
	return 0;
}

static void idxd_state_replay(void);

static int idxd_init(void)
{
	int ret;

	/*
	 * Devices the platform creates from here on translate through SVA. -EBUSY: the platform
	 * exists already (a svart process that used it before); its devices get the SVA backend
	 * when they are next bound to the idxd driver.
	 */
	sim_accel_platform_set_dma_provider(&idxd_sva_provider);
	ret = sim_accel_platform_get(); /* Kept for the life of the process. */
	if (ret) {
		snprintf(idxd_err, sizeof(idxd_err), "%s", sim_accel_platform_error());
		return ret;
	}
	for (struct sim_accel_dev *dev = sim_accel_dev_next(NULL);
	     dev && idxd_nr < SIM_ACCEL_CFG_MAX_DEVS; dev = sim_accel_dev_next(dev)) {
		ret = idxd_dev_load(dev, &idxd_devs[idxd_nr]);
		if (ret) {
			snprintf(idxd_err, sizeof(idxd_err), "%s: out of memory",
				 sim_accel_dev_name(dev));
			return ret;
		}
		idxd_nr++;
	}
	idxd_lock();
	idxd_state_replay();
	idxd_unlock();
	return 0;
}

int sim_idxd_get(void)
{
	int up = atomic_load_explicit(&idxd_up, memory_order_acquire);

	if (up)
		return up > 0 ? 0 : up;
	pthread_mutex_lock(&idxd_init_mutex);
	up = atomic_load(&idxd_up);
	if (!up) {
		up = idxd_init();
		if (!up)
			up = 1;
		atomic_store_explicit(&idxd_up, up, memory_order_release);
	}
	pthread_mutex_unlock(&idxd_init_mutex);
	return up > 0 ? 0 : up;
}

const char *sim_idxd_error(void)
{
	return atomic_load_explicit(&idxd_up, memory_order_acquire) < 0 ? idxd_err : "";
}

/* ---- Probe and remove ---- */

/* idxd_device_drv_probe(). */
static int idxd_dev_probe(struct idxd_kdev *kd)
{
	unsigned int configured = 0;
	int ret;

	if (sim_accel_dev_enabled(kd->hw)) {
		kd->cmd_status = IDXD_SCMD_DEV_ENABLED;
		return -ENXIO;
	}
	if (kd->configurable) {
		/* idxd_wqs_setup(): the WQs with a group are the configured ones. */
		for (unsigned int i = 0; i < kd->nr_wqs; i++) {
			struct idxd_kwq *kw = &kd->wqs[i];

			if (kw->group < 0)
				continue;
			if (!kw->dedicated && !kd->caps->wqcap.shared) {
				kd->cmd_status = IDXD_SCMD_WQ_NO_SWQ_SUPPORT;
				return -ENXIO;
			}
			configured++;
		}
		if (!configured) {
			kd->cmd_status = IDXD_SCMD_WQ_NONE_CONFIGURED;
			return -ENXIO;
		}
	}
	/* Bound to the idxd driver, the device translates through the process's SVA domain. */
	ret = idxd_sva_install(kd->sva);
	if (ret)
		return -ENXIO;
	if (kd->configurable) {
		for (unsigned int i = 0; i < kd->nr_engines && !ret; i++)
			ret = sim_engine_set_group(kd->hw, i, kd->engine_group[i]);
		for (unsigned int i = 0; i < kd->nr_wqs && !ret; i++)
			ret = idxd_wq_push(kd, &kd->wqs[i]);
		if (ret) {
			kd->cmd_status = IDXD_CMDSTS_ERR_CONFIG;
			return -ENXIO;
		}
	}
	if (sim_accel_dev_enable(kd->hw)) {
		/* idxd_cmd_exec() keeps the CMDSTS error byte. */
		kd->cmd_status = sim_accel_dev_cmdsts(kd->hw) & 0xff;
		return -ENXIO;
	}
	kd->drv = IDXD_DRV_IDXD;
	kd->cmd_status = 0;
	return 0;
}

/* idxd_drv_enable_wq(): its checks, in its order. */
static int idxd_wq_enable(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	if (!sim_accel_dev_enabled(kd->hw)) {
		kd->cmd_status = IDXD_SCMD_DEV_NOT_ENABLED;
		return -ENXIO;
	}
	if (sim_wq_state(kw->hw) != SIM_WQ_STATE_DISABLED) {
		kd->cmd_status = IDXD_SCMD_WQ_ENABLED;
		return -EBUSY;
	}
	if (kw->group < 0) {
		kd->cmd_status = IDXD_SCMD_WQ_NO_GRP;
		return -ENXIO;
	}
	if (!kw->name[0]) {
		kd->cmd_status = IDXD_SCMD_WQ_NO_NAME;
		return -ENXIO;
	}
	if (!kw->dedicated) {
		/* sim emulates ENQCMD, so shared WQs are supported whatever the CPU. */
		if (!kd->caps->wqcap.shared) {
			kd->cmd_status = IDXD_SCMD_WQ_NO_SVM;
			return -ENXIO;
		}
		if (!kw->threshold) {
			kd->cmd_status = IDXD_SCMD_WQ_NO_THRESH;
			return -ENXIO;
		}
	}
	if (kd->configurable && idxd_wq_push(kd, kw)) {
		kd->cmd_status = IDXD_CMDSTS_ERR_CONFIG;
		return -ENXIO;
	}
	if (sim_wq_enable(kw->hw)) {
		kd->cmd_status = sim_accel_dev_cmdsts(kd->hw) & 0xff;
		return -ENXIO;
	}
	return 0;
}

/* The user (cdev) and dmaengine drivers' probe. */
static int idxd_wq_probe(struct idxd_kdev *kd, struct idxd_kwq *kw, enum idxd_drv drv)
{
	const char *dn = idxd_drv_names[drv];
	int ret;

	if (!sim_accel_dev_enabled(kd->hw))
		return -ENXIO;
	/* idxd_wq_driver_name_match(): the WQ's driver_name must start with the driver's. */
	if (strncmp(kw->driver_name, dn, strlen(dn))) {
		kd->cmd_status = IDXD_SCMD_WQ_NO_DRV_NAME_;
		return -ENODEV;
	}
	kw->type = drv == IDXD_DRV_USER ? SIM_WQ_TYPE_USER : SIM_WQ_TYPE_KERNEL;
	ret = idxd_wq_enable(kd, kw);
	if (ret)
		return ret;
	if (drv == IDXD_DRV_USER) {
		kw->minor = idxd_minor_alloc(kd->iaa);
		if (kw->minor < 0) {
			kd->cmd_status = IDXD_SCMD_CDEV_ERR;
			sim_wq_disable(kw->hw);
			idxd_wq_cleanup(kd, kw);
			return -ENOSPC;
		}
	}
	kw->drv = drv;
	kd->cmd_status = 0;
	return 0;
}

/* The user/dmaengine drivers' remove: the cdev goes, the WQ is disabled (drained) and reset. */
static void idxd_wq_remove(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	if (kw->drv == IDXD_DRV_USER) {
		idxd_minor_free(kd->iaa, kw->minor);
		kw->minor = -1;
	}
	/* DISABLE_WQ waits for every accepted descriptor: in-flight work completes. */
	if (sim_accel_dev_enabled(kd->hw) && sim_wq_state(kw->hw) != SIM_WQ_STATE_DISABLED)
		sim_wq_disable(kw->hw);
	idxd_wq_cleanup(kd, kw);
	kw->drv = IDXD_DRV_NONE;
}

/* idxd_device_drv_remove(). */
static void idxd_dev_remove(struct idxd_kdev *kd)
{
	for (unsigned int i = 0; i < kd->nr_wqs; i++)
		if (kd->wqs[i].drv != IDXD_DRV_NONE)
			idxd_wq_remove(kd, &kd->wqs[i]);
	if (sim_accel_dev_enabled(kd->hw))
		sim_accel_dev_disable(kd->hw);
	if (kd->configurable) {
		sim_accel_dev_reset(kd->hw);
		idxd_dev_clear_state(kd);
	}
	kd->drv = IDXD_DRV_NONE;
}

int idxd_bind(enum idxd_drv drv, const char *name, size_t len)
{
	struct idxd_node n;
	int ret;

	/* bus_find_device_by_name() compares with sysfs_streq(): one trailing newline is fine. */
	if (len && name[len - 1] == '\n')
		len--;
	if (idxd_obj_by_name(name, len, &n))
		return -ENODEV;
	if (drv == IDXD_DRV_IDXD) {
		if (n.obj != IDXD_OBJ_DEV)
			return -ENODEV;
		if (n.kd->drv != IDXD_DRV_NONE)
			return -EBUSY;
		ret = idxd_dev_probe(n.kd);
	} else {
		if (n.obj != IDXD_OBJ_WQ)
			return -ENODEV;
		if (n.kd->wqs[n.sub].drv != IDXD_DRV_NONE)
			return -EBUSY;
		ret = idxd_wq_probe(n.kd, &n.kd->wqs[n.sub], drv);
	}
	idxd_tree_sync(n.kd);
	return ret;
}

int idxd_unbind(enum idxd_drv drv, const char *name, size_t len)
{
	struct idxd_node n;

	if (len && name[len - 1] == '\n')
		len--;
	if (idxd_obj_by_name(name, len, &n))
		return -ENODEV;
	if (n.obj == IDXD_OBJ_DEV && n.kd->drv == drv && drv == IDXD_DRV_IDXD)
		idxd_dev_remove(n.kd);
	else if (n.obj == IDXD_OBJ_WQ && n.kd->wqs[n.sub].drv == drv && drv != IDXD_DRV_NONE)
		idxd_wq_remove(n.kd, &n.kd->wqs[n.sub]);
	else
		return -ENODEV;
	idxd_tree_sync(n.kd);
	return 0;
}

void idxd_swerr_sync(struct idxd_kdev *kd)
{
	union idxd_swerr_reg r;

	sim_accel_swerr_read(kd->hw, &r);
	if (!r.valid)
		return;
	/* What the error interrupt handler does: keep a copy, acknowledge the register. */
	kd->sw_err = r;
	sim_accel_swerr_ack(kd->hw, IDXD_SWERR_VALID | IDXD_SWERR_OVERFLOW);
}

/* ---- The state file ---- */

static bool idxd_state_plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '%';
}

void idxd_state_record(const char *path, const char *buf, size_t len)
{
	const char *file = getenv(SIM_IDXD_STATE_ENV);
	size_t plen, n = 0;
	char *line;
	int fd;

	if (!file || !*file || idxd_replaying)
		return;
	plen = strlen(path);
	line = malloc(plen + 3 * len + 2);
	if (!line)
		return;
	memcpy(line, path, plen);
	n = plen;
	line[n++] = ' ';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (idxd_state_plain(c)) {
			line[n++] = (char)c;
		} else {
			snprintf(line + n, 4, "%%%02x", c);
			n += 3;
		}
	}
	line[n++] = '\n';
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* One write per line: O_APPEND keeps lines whole. */
		if (write(fd, line, n) != (ssize_t)n) {
			/* A full disk loses the record: the next process sees less configured. */
		}
		close(fd);
	}
	free(line);
}

static int idxd_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line: the store it records, replayed; a line that no longer applies is skipped. */
static void idxd_state_apply(char *line)
{
	char *sp = strchr(line, ' '), *val, *w;
	struct idxd_node n;

	if (!sp)
		return;
	*sp = '\0';
	val = w = sp + 1;
	for (char *r = val; *r; r++) {
		int hi, lo;

		if (*r == '%' && (hi = idxd_hex(r[1])) >= 0 && (lo = idxd_hex(r[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	if (idxd_node_parse(line, &n) || !n.attr || !n.attr->store)
		return;
	idxd_node_store(&n, val, (size_t)(w - val), false);
}

static void idxd_state_replay(void)
{
	const char *file = getenv(SIM_IDXD_STATE_ENV);
	size_t got = 0;
	char *text, *line;
	int fd;

	if (!file || !*file)
		return;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* No file yet: nothing was configured. */
	text = malloc(IDXD_STATE_MAX + 1);
	if (!text)
		goto out_close;
	for (;;) {
		ssize_t r = read(fd, text + got, IDXD_STATE_MAX - got);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == IDXD_STATE_MAX)
			break;
	}
	text[got] = '\0';
	idxd_replaying = true;
	for (line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		idxd_state_apply(line);
		line = nl ? nl + 1 : NULL;
	}
	idxd_replaying = false;
	free(text);
out_close:
	close(fd);
}
