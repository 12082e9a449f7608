// SPDX-License-Identifier: MIT
/*
 * The vfio-pci regions of a sim DSA/IAA function (drivers/vfio/pci/vfio_pci_core.c,
 * vfio_pci_rdwr.c, vfio_pci_config.c): config space, BAR0 (the MMIO registers) and BAR2 (the
 * portals), with the kernel's errno rules for region indexes, offsets and sizes.
 *
 * BAR0 is a register file over the sim device (sim/accel/). Configuration registers (GRPCFG,
 * WQCFG, GENCFG) are latched here, as the hardware latches them, and reach the device when a
 * command needs them: ENABLE_DEVICE takes the groups and WQ sizes, ENABLE_WQ the WQ's WQCFG.
 * Then sim's own checks run (sim_wq_config_set(), sim_accel_dev_cmd()), so the CMDSTS codes are
 * the ones every other face of sim reports. A value sim's configuration API cannot even hold
 * (a shift over GENCAP's, a mode the device lacks) is refused here with the enable command's
 * CMDSTS code for that field, which is where hardware reports it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pasid/vfio_uapi.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/sim_platform.h"
#include "sim/vfio/sim_vfio.h"

#define VP_CFG_SIZE 4096u /* PCIe: the extended config space */
#define VP_BAR0_SIZE 0x10000u /* 64 KiB, as on Sapphire Rapids */
#define VP_PCI_COMMAND 0x04
#define VP_CMD_MEMORY 0x2u
#define VP_CMD_MASTER 0x4u
#define VP_REGION_SHIFT 40 /* VFIO_PCI_OFFSET_SHIFT */
#define VP_REGION_MASK ((UINT64_C(1) << VP_REGION_SHIFT) - 1)

struct sim_vfio_pci {
	pthread_mutex_t lock;
	int index;
	uint16_t command; /* PCI_COMMAND: MEMORY and MASTER are the bits that matter */
	uint64_t bar2_size;
	uint32_t cmdsts; /* the CMDSTS this face reports: the device's, or its own refusal */
	uint64_t gencfg, genctrl;
	union idxd_grpcfg_reg grp[SIM_ACCEL_MAX_GROUPS];
	union idxd_wqcfg_reg wq[SIM_ACCEL_MAX_WQS];
	uint32_t grpcfg_off, wqcfg_off, wqcfg_stride;
};

static struct sim_accel_dev *vp_dev(const struct sim_vfio_pci *vp)
{
	return sim_platform_dev_by_vfio(vp->index);
}

/* The latches take the device's configuration (at open, and after a reset command). */
static void vp_sync(struct sim_vfio_pci *vp, struct sim_accel_dev *dev)
{
	for (unsigned int g = 0; g < sim_accel_dev_nr_groups(dev); g++)
		sim_group_grpcfg(dev, g, &vp->grp[g]);
	for (unsigned int w = 0; w < sim_accel_dev_nr_wqs(dev); w++)
		sim_wq_wqcfg(sim_accel_wq_find(dev, w), &vp->wq[w]);
}

int sim_vfio_pci_create(int index, struct sim_vfio_pci **out)
{
	struct sim_accel_dev *dev = sim_platform_dev_by_vfio(index);
	const struct sim_accel_caps *caps;
	struct sim_vfio_pci *vp;
	uint64_t v;

	*out = NULL;
	if (!dev)
		return 0;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	caps = sim_accel_dev_caps(dev);
	pthread_mutex_init(&vp->lock, NULL);
	vp->index = index;
	/* vfio-pci enables the device (memory decoding) on open; bus mastering is the driver's. */
	vp->command = VP_CMD_MEMORY;
	vp->bar2_size = (uint64_t)caps->wqcap.num_wqs * IDXD_PORTALS_PER_WQ * IDXD_PORTAL_PAGE_SIZE;
	while (vp->bar2_size & (vp->bar2_size - 1))
		vp->bar2_size += vp->bar2_size & -vp->bar2_size;
	vp->cmdsts = sim_accel_dev_cmdsts(dev);
	sim_accel_reg_read(dev, IDXD_REG_TABLE_OFFSETS, &v);
	vp->grpcfg_off = (uint32_t)(v & 0xffff) * IDXD_TABLE_MULT;
	vp->wqcfg_off = (uint32_t)((v >> 16) & 0xffff) * IDXD_TABLE_MULT;
	vp->wqcfg_stride = idxd_wqcfg_stride(caps->wqcap);
	vp_sync(vp, dev);
	*out = vp;
	return 0;
}

void sim_vfio_pci_destroy(struct sim_vfio_pci *vp)
{
	if (!vp)
		return;
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}

/* ---- Config space ---- */

static void vp_config(const struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint8_t *cfg)
{
	uint16_t did = sim_accel_dev_caps(dev)->pci_device;

	memset(cfg, 0, 64);
	cfg[0x00] = 0x86; /* Intel */
	cfg[0x01] = 0x80;
	cfg[0x02] = did & 0xff;
	cfg[0x03] = did >> 8;
	cfg[0x04] = vp->command & 0xff;
	cfg[0x05] = vp->command >> 8;
	cfg[0x0a] = 0x80; /* class 0x0880: system peripheral, other (as DSA and IAA report) */
	cfg[0x0b] = 0x08;
	cfg[0x10] = 0x0c; /* BAR0: 64-bit prefetchable memory; the address is vfio-pci's business */
	cfg[0x18] = 0x0c; /* BAR2 */
}

static ssize_t vp_config_rw(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, void *buf,
			    size_t count, uint64_t pos, bool write)
{
	uint8_t cfg[64];

	/* vfio_config_do_rw(): any byte outside the config space is -EFAULT. */
	if (pos >= VP_CFG_SIZE || pos + count > VP_CFG_SIZE)
		return -EFAULT;
	if (!write) {
		vp_config(vp, dev, cfg);
		memset(buf, 0, count);
		if (pos < sizeof(cfg))
			memcpy(buf, cfg + pos,
			       count < sizeof(cfg) - pos ? count : sizeof(cfg) - pos);
		return (ssize_t)count;
	}
	/*
	 * vfio-pci virtualises the header: of what a driver writes, the command register's
	 * MEMORY and MASTER bits are what this model keeps; other writes are dropped.
	 */
	for (size_t i = 0; i < count; i++) {
		uint64_t at = pos + i;
		uint8_t b = ((const uint8_t *)buf)[i];

		if (at == VP_PCI_COMMAND)
			vp->command =
				(vp->command & ~0xffu) | (b & (VP_CMD_MEMORY | VP_CMD_MASTER));
	}
	return (ssize_t)count;
}

/* ---- BAR0 ---- */

static bool vp_in_grpcfg(const struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint64_t off,
			 unsigned int *g, unsigned int *rel)
{
	if (off < vp->grpcfg_off ||
	    off >= vp->grpcfg_off + (uint64_t)sim_accel_dev_nr_groups(dev) * IDXD_GRPCFG_STRIDE)
		return false;
	*g = (unsigned int)(off - vp->grpcfg_off) / IDXD_GRPCFG_STRIDE;
	*rel = (unsigned int)(off - vp->grpcfg_off) % IDXD_GRPCFG_STRIDE;
	return true;
}

static bool vp_in_wqcfg(const struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint64_t off,
			unsigned int *w, unsigned int *rel)
{
	if (off < vp->wqcfg_off ||
	    off >= vp->wqcfg_off + (uint64_t)sim_accel_dev_nr_wqs(dev) * vp->wqcfg_stride)
		return false;
	*w = (unsigned int)(off - vp->wqcfg_off) / vp->wqcfg_stride;
	*rel = (unsigned int)(off - vp->wqcfg_off) % vp->wqcfg_stride;
	return true;
}

/* One aligned qword of BAR0 as a read sees it. */
static uint64_t vp_qword(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint64_t off)
{
	unsigned int i, rel;
	uint64_t v = 0;

	if (vp_in_grpcfg(vp, dev, off, &i, &rel))
		return vp->grp[i].bits[rel / 8];
	if (vp_in_wqcfg(vp, dev, off, &i, &rel)) {
		union idxd_wqcfg_reg live;

		/* Latched configuration; the status dwords (4-7) are the WQ's own. */
		if (rel / 4 >= 4 && rel / 4 < 8) {
			sim_wq_wqcfg(sim_accel_wq_find(dev, i), &live);
			memcpy(&v, (const char *)&live + rel, 8);
		} else {
			memcpy(&v, (const char *)&vp->wq[i] + rel, 8);
		}
		return v;
	}
	switch (off) {
	case IDXD_REG_GENCFG:
		return vp->gencfg;
	case IDXD_REG_GENCTRL:
		return vp->genctrl;
	case IDXD_REG_CMD:
		return 0; /* CMD reads back 0 once the command completed (sim's are synchronous) */
	case IDXD_REG_CMDSTS:
		return vp->cmdsts;
	default:
		/* Registers sim does not model read as 0, as reserved space does. */
		if (sim_accel_reg_read(dev, (unsigned int)off, &v))
			v = 0;
		return v;
	}
}

/* The enable command's CMDSTS for a WQCFG field sim's configuration cannot hold; 0: none. */
static uint8_t vp_wqcfg_refusal(const struct sim_accel_caps *caps, const union idxd_wqcfg_reg *r)
{
	if ((r->mode == IDXD_WQCFG_MODE_SHARED && !caps->wqcap.shared) ||
	    (r->mode == IDXD_WQCFG_MODE_DEDICATED && !caps->wqcap.dedicated))
		return IDXD_CMDSTS_ERR_WQ_MODE;
	if (r->bof && !caps->gencap.bof)
		return IDXD_CMDSTS_ERR_BOF_EN;
	if (r->max_batch_shift > caps->gencap.max_batch_shift)
		return IDXD_CMDSTS_ERR_MAX_BATCH_SIZE;
	if (r->max_xfer_shift > caps->gencap.max_xfer_shift)
		return IDXD_CMDSTS_ERR_MAX_XFER_SIZE;
	return 0;
}

static void vp_fail(struct sim_vfio_pci *vp, uint8_t err)
{
	union idxd_cmdsts_reg s = { .bits = 0 };

	s.err = err;
	vp->cmdsts = s.bits;
}

/* ENABLE_WQ: the latched WQCFG becomes the WQ's configuration, then the device's checks run. */
static void vp_enable_wq(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint32_t cmd,
			 unsigned int w)
{
	const struct sim_accel_caps *caps = sim_accel_dev_caps(dev);
	struct sim_accel_wq *wq = sim_accel_wq_find(dev, w);
	const union idxd_wqcfg_reg *r = &vp->wq[w];
	struct sim_wq_cfg c;
	uint8_t err;

	if (wq && sim_accel_dev_enabled(dev) && sim_wq_state(wq) == SIM_WQ_STATE_DISABLED) {
		sim_wq_config_get(wq, &c);
		/* The device's size and priority checks come first (0x22, 0x23): sim's. */
		err = c.size && r->priority ? vp_wqcfg_refusal(caps, r) : 0;
		if (err)
			return vp_fail(vp, err);
		/* Size and group were taken at ENABLE_DEVICE and cannot change while enabled. */
		c.mode = r->mode;
		c.threshold = r->mode == IDXD_WQCFG_MODE_SHARED ? r->wq_thresh : 0;
		c.block_on_fault = r->bof;
		c.ats_disable = r->ats_disable && caps->wqcap.ats;
		c.prs_disable = r->prs_disable && caps->wqcap.prs;
		c.priority = r->priority;
		c.pasid = r->pasid;
		c.pasid_en = r->pasid_en;
		c.priv = r->priv;
		c.max_xfer_shift = r->max_xfer_shift;
		c.max_batch_shift = r->max_batch_shift;
		c.type = SIM_WQ_TYPE_USER;
		if (caps->wqcap.op_config)
			for (unsigned int i = 0; i < 4; i++)
				c.op_config.bits[i] = r->op_config[i] & caps->opcap.bits[i];
		/* A threshold over the size is the one value left that sim refuses: a size error. */
		if (sim_wq_config_set(wq, &c))
			return vp_fail(vp, IDXD_CMDSTS_ERR_WQ_SIZE);
	}
	vp->cmdsts = sim_accel_dev_cmd(dev, cmd);
}

/* ENABLE_DEVICE: groups and WQ sizes from the latches, then the device's checks. */
static void vp_enable_device(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint32_t cmd)
{
	unsigned int ngrp = sim_accel_dev_nr_groups(dev);

	if (sim_accel_dev_enabled(dev))
		goto out_cmd; /* the device answers 0x10 */
	if (!(vp->command & VP_CMD_MASTER))
		return vp_fail(vp, IDXD_CMDSTS_ERR_BUSMASTER_EN);
	for (unsigned int e = 0; e < sim_accel_dev_nr_engines(dev); e++) {
		int group = -1;

		for (unsigned int g = 0; g < ngrp; g++) {
			if (!(vp->grp[g].engines & (UINT64_C(1) << e)))
				continue;
			/* An engine in two groups: a group configuration error. */
			if (group >= 0)
				return vp_fail(vp, IDXD_CMDSTS_ERR_GRP_CONFIG);
			group = (int)g;
		}
		sim_engine_set_group(dev, e, group);
	}
	for (unsigned int w = 0; w < sim_accel_dev_nr_wqs(dev); w++) {
		struct sim_accel_wq *wq = sim_accel_wq_find(dev, w);
		struct sim_wq_cfg c;
		int group = -1;

		for (unsigned int g = 0; g < ngrp; g++) {
			if (!(vp->grp[g].wqs[w / 64] & (UINT64_C(1) << (w % 64))))
				continue;
			if (group >= 0)
				return vp_fail(vp, IDXD_CMDSTS_ERR_GRP_CONFIG);
			group = (int)g;
		}
		sim_wq_config_get(wq, &c);
		c.size = vp->wq[w].wq_size;
		c.group_id = group;
		if (c.threshold > c.size)
			c.threshold = c.size;
		if (sim_wq_config_set(wq, &c))
			return vp_fail(vp, IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE);
	}
out_cmd:
	vp->cmdsts = sim_accel_dev_cmd(dev, cmd);
}

static void vp_cmd(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint32_t cmd)
{
	union idxd_cmd_reg c = { .bits = cmd };

	switch (c.cmd) {
	case IDXD_CMD_ENABLE_DEVICE:
		vp_enable_device(vp, dev, cmd);
		return;
	case IDXD_CMD_ENABLE_WQ:
		if (c.operand < sim_accel_dev_nr_wqs(dev))
			return vp_enable_wq(vp, dev, cmd, c.operand);
		break;
	default:
		break;
	}
	vp->cmdsts = sim_accel_dev_cmd(dev, cmd);
	/* Resets put the configuration registers back to their reset values. */
	if (c.cmd == IDXD_CMD_RESET_DEVICE || c.cmd == IDXD_CMD_RESET_WQ)
		vp_sync(vp, dev);
}

/* A 4- or 8-byte register write at an offset aligned to its width. */
static void vp_write(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint64_t off, uint64_t val,
		     unsigned int width)
{
	unsigned int i, rel;

	if (vp_in_grpcfg(vp, dev, off, &i, &rel)) {
		memcpy((char *)&vp->grp[i] + rel, &val, width);
		return;
	}
	if (vp_in_wqcfg(vp, dev, off, &i, &rel)) {
		/* dw4-5 are occupancy controls sim does not model; dw6-7 are read-only status. */
		for (unsigned int b = 0; b < width; b += 4)
			if ((rel + b) / 4 < 4 || (rel + b) / 4 >= 8)
				memcpy((char *)&vp->wq[i] + rel + b, (const char *)&val + b, 4);
		return;
	}
	switch (off) {
	case IDXD_REG_GENCFG:
		memcpy(&vp->gencfg, &val, width);
		return;
	case IDXD_REG_GENCTRL:
		memcpy(&vp->genctrl, &val, width);
		return;
	case IDXD_REG_CMD:
		vp_cmd(vp, dev, (uint32_t)val);
		return;
	case IDXD_REG_SWERR:
		sim_accel_swerr_ack(dev, val & IDXD_SWERR_ACK);
		return;
	default:
		return; /* read-only or reserved: dropped */
	}
}

static ssize_t vp_bar0_rw(struct sim_vfio_pci *vp, struct sim_accel_dev *dev, uint8_t *buf,
			  size_t count, uint64_t pos, bool write)
{
	size_t done = 0;

	/* vfio_pci_core_do_io_rw(): the widest aligned access that fits, 8, 4, 2 or 1 bytes. */
	while (done < count) {
		uint64_t off = pos + done;
		size_t left = count - done;
		unsigned int w = (left >= 8 && !(off % 8)) ? 8 :
				 (left >= 4 && !(off % 4)) ? 4 :
				 (left >= 2 && !(off % 2)) ? 2 :
							     1;

		if (write) {
			uint64_t v = 0;

			memcpy(&v, buf + done, w);
			/* The registers take 32- and 64-bit writes; narrower ones are dropped. */
			if (w >= 4)
				vp_write(vp, dev, off, v, w);
		} else {
			uint64_t q = vp_qword(vp, dev, off & ~UINT64_C(7));

			memcpy(buf + done, (const char *)&q + (off & 7), w);
		}
		done += w;
	}
	return (ssize_t)done;
}

ssize_t sim_vfio_pci_rw(struct sim_vfio_pci *vp, void *buf, size_t count, off_t pos, bool write)
{
	unsigned int index = (unsigned int)((uint64_t)pos >> VP_REGION_SHIFT);
	uint64_t off = (uint64_t)pos & VP_REGION_MASK, end;
	struct sim_accel_dev *dev;
	ssize_t ret;

	if (!vp || pos < 0 || index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	dev = vp_dev(vp);
	if (!dev)
		return -ENODEV;
	pthread_mutex_lock(&vp->lock);
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = vp_config_rw(vp, dev, buf, count, off, write);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX:
	case VFIO_PCI_BAR2_REGION_INDEX:
		end = index == VFIO_PCI_BAR0_REGION_INDEX ? VP_BAR0_SIZE : vp->bar2_size;
		if (off >= end) {
			ret = -EINVAL;
			break;
		}
		if (count > end - off)
			count = (size_t)(end - off);
		/* __vfio_pci_memory_enabled(): BAR access with memory decoding off is -EIO. */
		if (!(vp->command & VP_CMD_MEMORY)) {
			ret = -EIO;
			break;
		}
		if (index == VFIO_PCI_BAR0_REGION_INDEX) {
			ret = vp_bar0_rw(vp, dev, buf, count, off, write);
		} else {
			/*
			 * A portal takes one 64-byte atomic store; read()/write() split into
			 * 8-byte accesses, which sim drops, and reads see all-ones (unverified).
			 */
			if (!write)
				memset(buf, 0xff, count);
			ret = (ssize_t)count;
		}
		break;
	default:
		/* BAR1/3/4/5 (the upper halves of 64-bit BARs, or absent), ROM, VGA. */
		ret = -EINVAL;
		break;
	}
	pthread_mutex_unlock(&vp->lock);
	return ret;
}

int sim_vfio_pci_region_info(struct sim_vfio_pci *vp, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (sim_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.index >= VFIO_PCI_NUM_REGIONS || !vp)
		return -EINVAL;
	info.offset = (uint64_t)info.index << VP_REGION_SHIFT;
	info.cap_offset = 0;
	info.flags = 0;
	info.size = 0;
	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = VP_CFG_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX:
		/* Real vfio-pci also offers mmap with the MSI-X table carved out; sim: pread/pwrite. */
		info.size = VP_BAR0_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		info.size = vp->bar2_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP;
		break;
	case VFIO_PCI_VGA_REGION_INDEX:
		return -EINVAL; /* not a VGA device */
	default:
		break; /* an absent BAR or ROM: size 0, no flags */
	}
	return sim_copy_to_user(arg, &info, minsz);
}

int sim_vfio_pci_mmap(struct sim_vfio_pci *vp, size_t len, int prot, int flags, off_t off,
		      void **addr)
{
	unsigned int index = (unsigned int)((uint64_t)off >> VP_REGION_SHIFT);
	uint64_t start = (uint64_t)off & VP_REGION_MASK;

	(void)prot;
	/* vfio_pci_core_mmap()'s order: region, shared mapping, mappable BAR, bounds. */
	if (!vp || off < 0 || index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if ((flags & MAP_TYPE) != MAP_SHARED)
		return -EINVAL;
	if (index != VFIO_PCI_BAR2_REGION_INDEX)
		return -EINVAL;
	if ((start & (IDXD_PORTAL_PAGE_SIZE - 1)) || start + len > vp->bar2_size ||
	    start + len < start)
		return -EINVAL;
	return sim_vfio_portal_map(vp->index, (off_t)start, len, flags, addr);
}
