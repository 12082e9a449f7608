// SPDX-License-Identifier: MIT
/*
 * The vfio-pci regions of a sim DSA and IAA (sim/vfio/vfio_pci.c): region info and vfio-pci's errno
 * rules, config space identity, BAR0 registers against the device's capabilities, a VFIO user
 * driver's configuration sequence with the CMDSTS codes the DSA specification lists for bad
 * configurations, and BAR2 portal mappings; for IAA its PCI ID, capabilities and the rule that
 * its WQs take no batches (CMDSTS 0x27 for a nonzero WQCFG max_batch_shift). References: drivers/vfio/pci/ (vfio_pci_rw,
 * vfio_pci_bar_rw, vfio_config_do_rw, vfio_pci_core_mmap) and the DSA register layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pasid/vfio_uapi.h"
#include "pasid/pasid.h"
#include "sim/sim_file.h"
#include "sim/sim_platform.h"
#include "sim/vfio/sim_vfio.h"
#include "tests/t_helpers.h"

#define REG(i) ((off_t)(i) << 40)
#define BAR0 REG(VFIO_PCI_BAR0_REGION_INDEX)
#define CFG REG(VFIO_PCI_CONFIG_REGION_INDEX)

static int fd;

static uint64_t rd64(uint32_t off)
{
	uint64_t v = 0;

	T_EQ(sim_pread(fd, &v, 8, BAR0 + off), 8);
	return v;
}

static void wr32(uint32_t off, uint32_t v)
{
	T_EQ(sim_pwrite(fd, &v, 4, BAR0 + off), 4);
}

static void wr64(uint32_t off, uint64_t v)
{
	T_EQ(sim_pwrite(fd, &v, 8, BAR0 + off), 8);
}

/* A command; returns CMDSTS.err. */
static unsigned int cmd(unsigned int code, uint32_t operand)
{
	union idxd_cmd_reg c = { .bits = 0 };

	c.cmd = code;
	c.operand = operand;
	wr32(IDXD_REG_CMD, c.bits);
	return (unsigned int)(rd64(IDXD_REG_CMDSTS) & 0xff);
}

static void set_command(uint16_t v)
{
	T_EQ(sim_pwrite(fd, &v, 2, CFG + 4), 2);
}

static void wqcfg(uint32_t base, unsigned int w, uint32_t size, uint32_t dw2, uint32_t dw3)
{
	wr32(base + w * 32 + 0, size);
	wr32(base + w * 32 + 4, 0);
	wr32(base + w * 32 + 8, dw2);
	wr32(base + w * 32 + 12, dw3);
}

/* WQCFG dw2: dedicated, priority, PASID enabled. */
static uint32_t dw2_ded(unsigned int prio, uint32_t pasid)
{
	return 1u | prio << 4 | pasid << 8 | 1u << 28;
}

int main(void)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct sim_accel_dev *dev;
	struct sim_accel_wq *wq;
	struct sim_wq_cfg wc;
	uint32_t dev_id, grp, wqt;
	uint16_t id[2];
	uint8_t b[16];
	bool limited;
	void *portal;
	int ifd, ret;
	uint64_t v;

	setenv("SVART_SIM_CONFIG",
	       "dsa engines=2 groups=2 wq=shared:16; iax version=2 wq=shared:16", 1);
	ret = sim_platform_get();
	if (ret) {
		fprintf(stderr, "sim platform: %s\n", sim_accel_platform_error());
		return 1;
	}
	dev = sim_platform_dev_by_vfio(0);
	T_CHECK(dev && !strcmp(sim_accel_dev_name(dev), "dsa0"));
	T_CHECK(!sim_platform_dev_by_vfio(7));
	ifd = sim_open("/dev/iommu", O_RDWR);
	fd = sim_open("/dev/vfio/devices/vfio0", O_RDWR);
	T_CHECK(ifd >= 0 && fd >= 0);

	/* Nothing before BIND (vfio_device_fops_read: access not granted). */
	T_EQ(sim_pread(fd, id, 4, CFG), -EINVAL);
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	T_RET(0, pasid_device_bind(fd, ifd, &dev_id));

	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_INFO, &di), 0);
	T_CHECK(di.flags & VFIO_DEVICE_FLAGS_PCI);
	T_EQ(di.num_regions, VFIO_PCI_NUM_REGIONS);

	/* Region info: config, BAR0 (rw, no mmap in sim), BAR2 (mmap), absent BAR1, VGA, past 9. */
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	T_EQ(ri.offset, (uint64_t)7 << 40);
	T_EQ(ri.size, 4096);
	T_EQ(ri.flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	T_EQ(ri.offset, 0);
	T_EQ(ri.size, 0x10000);
	T_EQ(ri.flags & VFIO_REGION_INFO_FLAG_MMAP, 0);
	ri.index = VFIO_PCI_BAR2_REGION_INDEX;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	T_EQ(ri.offset, (uint64_t)2 << 40);
	T_EQ(ri.size, 8 * 4 * 4096); /* 8 WQs x 4 portal pages */
	T_CHECK(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ri.index = VFIO_PCI_BAR1_REGION_INDEX;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	T_EQ(ri.size, 0);
	T_EQ(ri.flags, 0);
	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	ri.index = VFIO_PCI_NUM_REGIONS;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	ri.argsz = 16;
	ri.index = 0;
	T_EQ(sim_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);

	/* Config space: Intel DSA (SPR), class 0x0880; out of range is -EFAULT. */
	T_EQ(sim_pread(fd, id, 4, CFG), 4);
	T_EQ(id[0], 0x8086);
	T_EQ(id[1], 0x0b25);
	T_EQ(sim_pread(fd, b, 2, CFG + 0x0a), 2);
	T_EQ(b[0] | b[1] << 8, 0x0880);
	T_EQ(sim_pread(fd, b, 2, CFG + 4095), -EFAULT);
	T_EQ(sim_pread(fd, b, 1, CFG + 4096), -EFAULT);

	/* BAR0 bounds: past the end -EINVAL, across it truncated; other regions -EINVAL. */
	T_EQ(sim_pread(fd, b, 8, BAR0 + 0x10000), -EINVAL);
	T_EQ(sim_pread(fd, b, 16, BAR0 + 0xfff8), 8);
	T_EQ(sim_pread(fd, b, 8, REG(VFIO_PCI_BAR1_REGION_INDEX)), -EINVAL);
	T_EQ(sim_pread(fd, b, 8, REG(VFIO_PCI_ROM_REGION_INDEX)), -EINVAL);
	T_EQ(sim_pread(fd, b, 8, REG(VFIO_PCI_NUM_REGIONS)), -EINVAL);

	/* Registers: the DSA 1.0 capabilities sim_accel_caps_dsa sets (caps.c), by hand. */
	T_EQ(rd64(IDXD_REG_VERSION), 0x100);
	v = rd64(IDXD_REG_WQCAP);
	T_EQ(v & 0xffff, 128); /* total_wq_size */
	T_EQ((v >> 16) & 0xff, 8); /* num_wqs */
	T_CHECK(v & (1ull << 49)); /* dedicated */
	T_EQ(rd64(IDXD_REG_ENGCAP) & 0xff, 4);
	T_EQ(rd64(IDXD_REG_GRPCAP) & 0xff, 4);
	v = rd64(IDXD_REG_GENCAP);
	T_EQ((v >> 16) & 0x1f, 31); /* max_xfer_shift */
	T_EQ((v >> 21) & 0xf, 10); /* max_batch_shift */
	T_EQ(rd64(IDXD_REG_GENSTS) & 3, 1); /* the configuration made it enabled */
	/* A 4-byte read of the upper half of a 64-bit register. */
	T_EQ(sim_pread(fd, b, 4, BAR0 + IDXD_REG_WQCAP + 4), 4);
	T_EQ(b[2] & 2, 2); /* bit 49 */
	v = rd64(IDXD_REG_TABLE_OFFSETS);
	grp = (uint32_t)(v & 0xffff) * 0x100;
	wqt = (uint32_t)((v >> 16) & 0xffff) * 0x100;
	T_CHECK(grp && wqt);
	T_EQ(rd64(wqt) & 0xffff, 16); /* WQ 0's size, as configured */

	/* Memory decoding off: BAR access is -EIO (__vfio_pci_memory_enabled). */
	set_command(0);
	T_EQ(sim_pread(fd, b, 8, BAR0), -EIO);
	set_command(2);

	/* A user driver's sequence. Disable; ENABLE_DEVICE without bus mastering: 0x12. */
	T_EQ(cmd(IDXD_CMD_DISABLE_DEVICE, 0), 0);
	T_EQ(rd64(IDXD_REG_GENSTS) & 3, 0);
	T_EQ(cmd(IDXD_CMD_DISABLE_DEVICE, 0), 0x31);
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0x12);
	set_command(2 | 4);
	/* Unknown command, bad WQ index. */
	T_EQ(cmd(0x1f, 0), 0x01);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 9), 0x02);

	/* Group 0: engine 0, WQ 0; group 1: engine 1. WQ 0 dedicated, size 16, priority 0. */
	wr64(grp + 0, 1);
	wr64(grp + 32, 1);
	wr64(grp + 64 + 0, 0);
	wr64(grp + 64 + 32, 2);
	wqcfg(wqt, 0, 16, dw2_ded(0, 0x42), 0);
	T_EQ(rd64(grp + 32), 1); /* the latch reads back */
	/* WQ sizes over WQCAP.total_wq_size: 0x14. */
	wr32(wqt + 32, 120);
	wr64(grp + 0, 3);
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0x14);
	/* WQ 1 in two groups: group configuration, 0x15. */
	wr32(wqt + 32, 8);
	wr64(grp + 64, 2);
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0x15);
	wr64(grp + 64, 0);
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0);
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0x10);
	T_EQ(sim_engine_group(dev, 0), 0);
	T_EQ(sim_engine_group(dev, 1), 1);
	/* Priority 0: 0x23; max batch shift 15 > GENCAP's 10: 0x27. */
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0x23);
	wqcfg(wqt, 0, 16, dw2_ded(5, 0x42), 21u | 15u << 5);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0x27);
	wqcfg(wqt, 0, 16, dw2_ded(5, 0x42), 21u | 5u << 5);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0x21);
	wq = sim_accel_wq_find(dev, 0);
	sim_wq_config_get(wq, &wc);
	T_EQ(wc.mode, SIM_WQ_DEDICATED);
	T_EQ(wc.size, 16);
	T_EQ(wc.pasid, 0x42);
	T_CHECK(wc.pasid_en);
	T_EQ(wc.priority, 5);
	T_EQ(wc.max_xfer_shift, 21);
	T_EQ(wc.max_batch_shift, 5);
	T_EQ(sim_wq_state(wq), SIM_WQ_STATE_ENABLED);
	/* WQCFG dw6: wq_state (bits 31:30) from the WQ itself. */
	T_EQ(sim_pread(fd, b, 4, BAR0 + wqt + 24), 4);
	T_EQ(b[3] >> 6, 1);
	/* Writes to read-only capability registers are dropped. */
	wr64(IDXD_REG_WQCAP, 0);
	T_EQ(rd64(IDXD_REG_WQCAP) & 0xffff, 128);

	/* BAR2: shared mappings of BAR2 only, within the BAR. */
	portal = NULL;
	T_EQ(sim_mmap(fd, 0x4000, PROT_WRITE, MAP_PRIVATE, REG(2), &portal), -EINVAL);
	T_EQ(sim_mmap(fd, 0x1000, PROT_WRITE, MAP_SHARED, REG(0), &portal), -EINVAL);
	T_EQ(sim_mmap(fd, 0x2000, PROT_WRITE, MAP_SHARED, REG(2) + 0x1f000, &portal), -EINVAL);
	T_EQ(sim_mmap(fd, 0x1000, PROT_WRITE, MAP_SHARED, REG(2) + 0x800, &portal), -EINVAL);
	T_EQ(sim_mmap(fd, 0x8000, PROT_WRITE, MAP_SHARED, REG(2), &portal), 0);
	T_CHECK(portal && portal != MAP_FAILED);
	T_RET(0, sim_vfio_portal_find((char *)portal + 0x40, &wq, &limited));
	T_CHECK(wq == sim_accel_wq_find(dev, 0));
	T_CHECK(!limited);
	T_RET(0, sim_vfio_portal_find((char *)portal + 0x5000, &wq, &limited));
	T_CHECK(wq == sim_accel_wq_find(dev, 1)); /* WQ 1's limited page */
	T_CHECK(limited);
	T_RET(ENOENT, sim_vfio_portal_find((char *)portal + 0x8000, &wq, NULL));
	T_CHECK(sim_vfio_portal_unmap(portal, 0x8000));
	munmap(portal, 0x8000);
	T_RET(ENOENT, sim_vfio_portal_find(portal, &wq, NULL));

	/* DISABLE_WQ, RESET_DEVICE: the latches go back to reset values with the device. */
	T_EQ(cmd(IDXD_CMD_DISABLE_WQ, idxd_wq_cmd_operand(0)), 0);
	T_EQ(cmd(IDXD_CMD_RESET_DEVICE, 0), 0);
	T_EQ(rd64(grp + 32), 0);
	T_EQ(rd64(wqt) & 0xffff, 0);

	T_EQ(sim_file_close(fd), 0);

	/* IAA (version 2): same layout, its own ID; batches are refused in WQCFG. */
	dev = sim_platform_dev_by_vfio(1);
	T_CHECK(dev && sim_accel_dev_type(dev) == &sim_accel_type_iaa);
	fd = sim_open("/dev/vfio/devices/vfio1", O_RDWR);
	T_CHECK(fd >= 0);
	T_RET(0, pasid_device_bind(fd, ifd, &dev_id));
	T_EQ(sim_pread(fd, id, 4, CFG), 4);
	T_EQ(id[0], 0x8086);
	T_EQ(id[1], 0x0cfe); /* IAA (SPR) */
	T_EQ(rd64(IDXD_REG_VERSION), 0x200);
	v = rd64(IDXD_REG_GENCAP);
	T_EQ((v >> 21) & 0xf, 0); /* max_batch_shift: no BATCH on IAA */
	T_EQ(rd64(IDXD_REG_ENGCAP) & 0xff, 8);
	/* IAACAP: what sim_accel_caps_iaa has (no IAA 2 extras implemented: 0). */
	T_EQ(rd64(IDXD_REG_IAACAP), sim_accel_dev_caps(dev)->iaacap.bits);
	T_EQ(cmd(IDXD_CMD_DISABLE_DEVICE, 0), 0);
	set_command(2 | 4);
	v = rd64(IDXD_REG_TABLE_OFFSETS);
	grp = (uint32_t)(v & 0xffff) * 0x100;
	wqt = (uint32_t)((v >> 16) & 0xffff) * 0x100;
	T_EQ(rd64(IDXD_REG_WQCAP) >> 24 & 0xf, 1); /* version 2: 64-byte WQCFG */
	wr64(grp + 0, 1);
	wr64(grp + 32, 0xff);
	for (unsigned int w = 0; w < 8; w++)
		for (unsigned int i = 0; i < 16; i++)
			wr32(wqt + w * 64 + i * 4, 0);
	wr32(wqt + 0, 16);
	wr32(wqt + 8, dw2_ded(5, 0x42));
	wr32(wqt + 12, 21u | 1u << 5); /* a batch of 2: refused */
	T_EQ(cmd(IDXD_CMD_ENABLE_DEVICE, 0), 0);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0x27);
	wr32(wqt + 12, 21u);
	T_EQ(cmd(IDXD_CMD_ENABLE_WQ, 0), 0);
	sim_wq_config_get(sim_accel_wq_find(dev, 0), &wc);
	T_EQ(wc.mode, SIM_WQ_DEDICATED);
	T_EQ(wc.pasid, 0x42);
	T_EQ(wc.max_batch_shift, 0);
	T_EQ(sim_wq_state(sim_accel_wq_find(dev, 0)), SIM_WQ_STATE_ENABLED);
	T_EQ(cmd(IDXD_CMD_DISABLE_WQ, idxd_wq_cmd_operand(0)), 0);
	T_EQ(cmd(IDXD_CMD_DISABLE_DEVICE, 0), 0);
	T_EQ(sim_file_close(fd), 0);
	T_EQ(sim_file_close(ifd), 0);
	sim_platform_put();
	return t_done("sim_vfio_regions");
}
