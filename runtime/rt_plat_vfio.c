// SPDX-License-Identifier: MIT
/*
 * The vfio platform: DSA and IAA functions bound to vfio-pci, driven by svart itself as a
 * user-space driver, through their VFIO device cdevs and iommufd only.
 *
 * Each function's cdev is bound to one iommufd and the process address space to svart's PASID
 * through a nested IOAS (runtime/rt_bind.c: the sim platform's path). svart then programs the
 * device over BAR0 (pread/pwrite at the region's offset), as the kernel's idxd driver and
 * SPDK's user-mode driver do: one group with every engine and N dedicated WQs, each with the
 * PASID in WQCFG (pasid_en), enables device and WQs, checking CMDSTS, and maps the WQs'
 * portals from BAR2.
 *
 * Dedicated WQs and MOVDIR64B, not shared WQs and ENQCMD: ENQCMD takes the PASID from the
 * IA32_PASID MSR, which the kernel loads only with a PASID it allocated for the mm (SVA,
 * iommu_sva_bind_device()). A PASID svart attaches through iommufd is not that one, and user
 * space cannot load the MSR, so an ENQCMD would carry the wrong PASID or fault (#GP). A
 * dedicated WQ takes the PASID from WQCFG and MOVDIR64B carries none.
 *
 * svart owns the function while a context uses it: a device found enabled (a previous owner's
 * configuration) is reset, as vfio-pci's function reset on open would leave it, and on the
 * last close the WQs and the device are disabled and bus mastering is turned off.
 *
 * IAA is programmed the same way with the one difference the kernel's idxd driver makes: IAA has
 * no BATCH, so its WQCFG max_batch_shift is 0 (idxd.h idxd_wqcfg_set_max_batch_shift()); the
 * runtime's IAA operations need nothing else from the driver (the AECS lives in the caller's
 * memory, reached through the same PASID).
 *
 * SVART_VFIO_WQS picks N (default 2, at most WQCAP.num_wqs); SVART_VFIO_XFER caps each WQ's
 * maximum transfer size (WQCFG max_xfer_shift, as accel-config's --max-transfer-size does for
 * the kernel driver; default GENCAP's maximum); SVART_VFIO_SIM=1 drives sim's
 * devices in process (their cdevs and /dev/iommu, through the OS layer) instead of the
 * kernel's, which is how the tests run this platform. The portal store is the one step sim
 * stands in for (rt_os_portal_init()).
 */
#include "runtime/rt_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pasid/vfio_uapi.h"
#include "runtime/rt_bind.h"
#include "runtime/rt_os.h"
#include "runtime/rt_probe.h"
#include "sim/sim_platform.h"

#define VFIO_MAX_DEVS 16
#define VFIO_MAX_INDEX 64 /* cdev indexes tried when /dev/vfio/devices cannot be listed */
#define VFIO_DEFAULT_WQS 2u
#define VFIO_WQ_PRIORITY 10 /* the kernel's default WQ priority */
#define VFIO_CMD_SPINS 1000000 /* CMDSTS.active polls before giving up */
#define PCI_VENDOR_INTEL 0x8086
#define PCI_DEVICE_DSA_SPR 0x0b25
#define PCI_DEVICE_DSA_GNRD 0x11fb
#define PCI_DEVICE_DSA_DMR 0x1212
#define PCI_DEVICE_IAA_SPR 0x0cfe
#define PCI_DEVICE_IAA_DMR 0x1216
#define PCI_DEVICE_IAA_PTL 0xb02d
#define PCI_CMD_MEMORY 0x2u
#define PCI_CMD_MASTER 0x4u

struct vfio_dev {
	struct rt_bind_dev bind;
	char name[24]; /* "vfio3" */
	uint16_t pci_device;
	bool iaa; /* an IAA: RT_UNIT_IAA WQs, no batches */
	uint64_t cfg_off, bar0_off, bar2_off, bar2_size;
	uint16_t version;
	union idxd_gencap_reg gencap;
	union idxd_wqcap_reg wqcap;
	union idxd_grpcap_reg grpcap;
	union idxd_engcap_reg engcap;
	union idxd_opcap_reg opcap;
	uint32_t grpcfg_off, wqcfg_off, wqcfg_stride;
	unsigned int nr_wqs; /* WQs svart enabled: 0 .. nr_wqs-1 */
	uint32_t wq_size;
	unsigned int xfer_shift; /* WQCFG max_xfer_shift programmed */
	bool bof;
	bool enabled; /* svart enabled the device */
	void *portals; /* nr_wqs * 4 portal pages from BAR2 offset 0 */
	size_t portals_len;
};

/* The process's binding: devices are owned exclusively, so contexts share it by reference. */
static struct {
	pthread_mutex_t lock;
	unsigned int refs;
	int iommufd;
	bool sim;
	bool service_thread;
	unsigned int n;
	struct vfio_dev devs[VFIO_MAX_DEVS];
} vfio_bind = { .lock = PTHREAD_MUTEX_INITIALIZER, .iommufd = -1 };

/* ---- Regions ---- */

static int region_info(struct vfio_dev *d, unsigned int index, uint64_t *off, uint64_t *size,
		       uint32_t *flags)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	long ret = rt_os_ioctl(d->bind.vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &info);

	if (ret < 0)
		return (int)ret;
	*off = info.offset;
	*size = info.size;
	*flags = info.flags;
	return 0;
}

/* Exact-size region I/O: a short count is an I/O error (the region ends before the access). */
static int region_rw(struct vfio_dev *d, uint64_t off, void *buf, size_t len, bool write)
{
	ssize_t n = write ? rt_os_pwrite(d->bind.vfio_fd, buf, len, (off_t)off) :
			    rt_os_pread(d->bind.vfio_fd, buf, len, (off_t)off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int reg_read64(struct vfio_dev *d, uint32_t reg, uint64_t *val)
{
	return region_rw(d, d->bar0_off + reg, val, 8, false);
}

static int reg_write64(struct vfio_dev *d, uint32_t reg, uint64_t val)
{
	return region_rw(d, d->bar0_off + reg, &val, 8, true);
}

static int reg_write32(struct vfio_dev *d, uint32_t reg, uint32_t val)
{
	return region_rw(d, d->bar0_off + reg, &val, 4, true);
}

/*
 * Write CMD and wait for CMDSTS.active to clear (the kernel's idxd_cmd_exec() polls the same
 * way when it has no interrupt). Return: the CMDSTS error code (0 success), or -errno.
 */
static int dev_cmd(struct vfio_dev *d, unsigned int cmd, uint32_t operand)
{
	union idxd_cmd_reg c = { .bits = 0 };
	union idxd_cmdsts_reg s;
	uint64_t v;
	int ret;

	c.cmd = cmd;
	c.operand = operand;
	ret = reg_write32(d, IDXD_REG_CMD, c.bits);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < VFIO_CMD_SPINS; i++) {
		ret = reg_read64(d, IDXD_REG_CMDSTS, &v);
		if (ret)
			return ret;
		s.bits = (uint32_t)v;
		if (!s.active)
			return s.err;
		sched_yield();
	}
	return -ETIMEDOUT;
}

/* ---- Discovery ---- */

static bool is_dsa(uint16_t vendor, uint16_t device)
{
	return vendor == PCI_VENDOR_INTEL &&
	       (device == PCI_DEVICE_DSA_SPR || device == PCI_DEVICE_DSA_GNRD ||
		device == PCI_DEVICE_DSA_DMR);
}

static bool is_iaa(uint16_t vendor, uint16_t device)
{
	return vendor == PCI_VENDOR_INTEL &&
	       (device == PCI_DEVICE_IAA_SPR || device == PCI_DEVICE_IAA_DMR ||
		device == PCI_DEVICE_IAA_PTL);
}

/* The regions svart needs and the device's identity, from config space. 1: not a DSA/IAA. */
static int dev_identify(struct svart_ctx *ctx, struct vfio_dev *d)
{
	uint64_t size = 0;
	uint32_t flags = 0;
	uint16_t id[2];
	int ret;

	ret = region_info(d, VFIO_PCI_CONFIG_REGION_INDEX, &d->cfg_off, &size, &flags);
	if (ret)
		return ret;
	ret = region_rw(d, d->cfg_off, id, sizeof(id), false);
	if (ret)
		return ret;
	if (!is_dsa(id[0], id[1]) && !is_iaa(id[0], id[1]))
		return 1;
	d->pci_device = id[1];
	d->iaa = is_iaa(id[0], id[1]);
	ret = region_info(d, VFIO_PCI_BAR0_REGION_INDEX, &d->bar0_off, &size, &flags);
	if (!ret && (size < 0x1000 || !(flags & VFIO_REGION_INFO_FLAG_READ) ||
		     !(flags & VFIO_REGION_INFO_FLAG_WRITE)))
		ret = -ENXIO;
	if (ret) {
		rt_ctx_explain(ctx, "vfio: %s: BAR0 (registers) is not readable and writable: %s.",
			       d->name, strerror(-ret));
		return ret;
	}
	ret = region_info(d, VFIO_PCI_BAR2_REGION_INDEX, &d->bar2_off, &d->bar2_size, &flags);
	if (!ret && !(flags & VFIO_REGION_INFO_FLAG_MMAP))
		ret = -ENXIO;
	if (ret) {
		rt_ctx_explain(ctx, "vfio: %s: BAR2 (portals) cannot be mapped: %s.", d->name,
			       strerror(-ret));
		return ret;
	}
	return 0;
}

static int dev_read_caps(struct vfio_dev *d)
{
	uint64_t v;
	int ret;

	ret = reg_read64(d, IDXD_REG_VERSION, &v);
	d->version = (uint16_t)v;
	ret = ret ?: reg_read64(d, IDXD_REG_GENCAP, &d->gencap.bits);
	ret = ret ?: reg_read64(d, IDXD_REG_WQCAP, &d->wqcap.bits);
	ret = ret ?: reg_read64(d, IDXD_REG_GRPCAP, &d->grpcap.bits);
	ret = ret ?: reg_read64(d, IDXD_REG_ENGCAP, &d->engcap.bits);
	for (unsigned int i = 0; i < 4 && !ret; i++)
		ret = reg_read64(d, IDXD_REG_OPCAP + 8 * i, &d->opcap.bits[i]);
	ret = ret ?: reg_read64(d, IDXD_REG_TABLE_OFFSETS, &v);
	if (ret)
		return ret;
	d->grpcfg_off = (uint32_t)(v & 0xffff) * IDXD_TABLE_MULT;
	d->wqcfg_off = (uint32_t)((v >> 16) & 0xffff) * IDXD_TABLE_MULT;
	d->wqcfg_stride = idxd_wqcfg_stride(d->wqcap);
	return 0;
}

static unsigned int env_wqs(unsigned int max)
{
	const char *e = getenv("SVART_VFIO_WQS");
	unsigned long v;
	char *end;

	if (!e || !*e)
		return VFIO_DEFAULT_WQS < max ? VFIO_DEFAULT_WQS : max;
	v = strtoul(e, &end, 0);
	if (*end || !v)
		return 0;
	return v < max ? (unsigned int)v : max;
}

/*
 * SVART_VFIO_XFER: bytes (k/m/g suffixes), rounded up to a power of two as the kernel's
 * max_transfer_size attribute does. Return: the shift, @max when unset, or -EINVAL.
 */
static int env_xfer_shift(unsigned int max)
{
	const char *e = getenv("SVART_VFIO_XFER");
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!e || !*e)
		return (int)max;
	v = strtoull(e, &end, 0);
	if (v >> 33) /* past any GENCAP maximum (2^31) even before a suffix */
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	if (*end || !v)
		return -EINVAL;
	while (shift < 63 && (1ull << shift) < v)
		shift++;
	return shift <= max ? (int)shift : -EINVAL;
}

/* ---- Programming the device over BAR0 ---- */

static int dev_write_wqcfg(struct vfio_dev *d, unsigned int w, const union idxd_wqcfg_reg *r)
{
	uint32_t base = d->wqcfg_off + w * d->wqcfg_stride;
	int ret = 0;

	/* 32-bit writes of the configuration dwords, as the kernel's idxd_wq_config_write(). */
	for (unsigned int i = 0; i < 4 && !ret; i++)
		ret = reg_write32(d, base + 4 * i, r->bits[i]);
	if (d->wqcap.op_config && d->wqcfg_stride >= sizeof(*r))
		for (unsigned int i = IDXD_WQCFG_DW_OP_CONFIG; i < 16 && !ret; i++)
			ret = reg_write32(d, base + 4 * i, r->bits[i]);
	return ret;
}

static const char *cmdsts_name(int err)
{
	switch (err) {
	case IDXD_CMDSTS_ERR_BUSMASTER_EN:
		return "bus mastering not enabled";
	case IDXD_CMDSTS_ERR_PASID_INVAL:
		return "PASID not enabled";
	case IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE:
		return "WQ sizes over the total";
	case IDXD_CMDSTS_ERR_GRP_CONFIG:
	case IDXD_CMDSTS_ERR_GRP_CONFIG2:
	case IDXD_CMDSTS_ERR_GRP_CONFIG3:
	case IDXD_CMDSTS_ERR_GRP_CONFIG4:
		return "group configuration";
	case IDXD_CMDSTS_ERR_WQ_SIZE:
		return "WQ size";
	case IDXD_CMDSTS_ERR_WQ_PRIOR:
		return "WQ priority";
	case IDXD_CMDSTS_ERR_WQ_MODE:
		return "WQ mode";
	case IDXD_CMDSTS_ERR_PASID_EN:
		return "PASID enable";
	case IDXD_CMDSTS_ERR_MAX_BATCH_SIZE:
		return "max batch size";
	case IDXD_CMDSTS_ERR_MAX_XFER_SIZE:
		return "max transfer size";
	default:
		return "see the DSA specification's CMDSTS codes";
	}
}

/* Say why a command failed: a CMDSTS code (> 0) or an access error (< 0). */
static int cmd_explain(struct svart_ctx *ctx, struct vfio_dev *d, const char *what, int ret)
{
	if (ret > 0) {
		rt_ctx_explain(ctx, "vfio: %s: %s failed with CMDSTS 0x%02x (%s).", d->name, what,
			       ret, cmdsts_name(ret));
		return -EIO;
	}
	rt_ctx_explain(ctx, "vfio: %s: %s: register access failed: %s.", d->name, what,
		       strerror(-ret));
	return ret;
}

static void dev_disable(struct vfio_dev *d)
{
	uint16_t cmd;

	for (unsigned int w = 0; w < d->nr_wqs; w++)
		dev_cmd(d, IDXD_CMD_DISABLE_WQ, idxd_wq_cmd_operand(w));
	if (d->enabled)
		dev_cmd(d, IDXD_CMD_DISABLE_DEVICE, 0);
	d->enabled = false;
	d->nr_wqs = 0;
	/* What vfio-pci leaves on release anyway; a disabled DSA has no DMA to do. */
	if (!region_rw(d, d->cfg_off + 4, &cmd, 2, false)) {
		cmd &= ~PCI_CMD_MASTER;
		region_rw(d, d->cfg_off + 4, &cmd, 2, true);
	}
}

/* One group with every engine and @n dedicated WQs at svart's PASID; enable all. */
static int dev_program(struct svart_ctx *ctx, struct vfio_dev *d, unsigned int n)
{
	unsigned int ngrp = d->grpcap.bits & 0xff, neng = d->engcap.bits & 0xff;
	union idxd_gensts_reg sts;
	uint16_t cmd;
	uint64_t v;
	int ret;

	ret = reg_read64(d, IDXD_REG_GENSTS, &v);
	if (ret)
		return cmd_explain(ctx, d, "reading GENSTS", ret);
	sts.bits = (uint32_t)v;
	if (sts.state != IDXD_DEV_STATE_DISABLED) {
		/* A previous owner's configuration (vfio-pci's reset would have cleared it). */
		ret = dev_cmd(d, IDXD_CMD_RESET_DEVICE, 0);
		if (ret)
			return cmd_explain(ctx, d, "RESET_DEVICE", ret);
	}
	/* DMA needs bus mastering, which vfio-pci leaves to the driver. */
	ret = region_rw(d, d->cfg_off + 4, &cmd, 2, false);
	if (!ret) {
		cmd |= PCI_CMD_MEMORY | PCI_CMD_MASTER;
		ret = region_rw(d, d->cfg_off + 4, &cmd, 2, true);
	}
	if (ret)
		return cmd_explain(ctx, d, "enabling bus mastering", ret);

	d->wq_size = d->wqcap.total_wq_size / n;
	for (unsigned int g = 0; g < ngrp && !ret; g++) {
		uint32_t base = d->grpcfg_off + g * IDXD_GRPCFG_STRIDE;
		uint64_t wqs = g ? 0 : (UINT64_C(1) << n) - 1;
		uint64_t engines = g ? 0 : neng >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << neng) - 1;

		ret = reg_write64(d, base, wqs);
		for (unsigned int i = 1; i < 4 && !ret; i++)
			ret = reg_write64(d, base + 8 * i, 0);
		ret = ret ?: reg_write64(d, base + 32, engines);
	}
	d->bof = d->gencap.bof;
	for (unsigned int w = 0; w < d->wqcap.num_wqs && !ret; w++) {
		union idxd_wqcfg_reg r;

		memset(&r, 0, sizeof(r));
		if (w < n) {
			r.wq_size = d->wq_size;
			r.mode = IDXD_WQCFG_MODE_DEDICATED;
			r.bof = d->bof;
			r.priority = VFIO_WQ_PRIORITY;
			r.pasid = RT_BIND_PASID;
			r.pasid_en = 1;
			r.max_xfer_shift = d->xfer_shift;
			/* IAA has no BATCH: the kernel programs 0 whatever GENCAP says. */
			r.max_batch_shift = d->iaa ? 0 : d->gencap.max_batch_shift;
			memcpy(r.op_config, d->opcap.bits, sizeof(r.op_config));
		}
		ret = dev_write_wqcfg(d, w, &r);
	}
	if (ret)
		return cmd_explain(ctx, d, "writing GRPCFG/WQCFG", ret);
	ret = dev_cmd(d, IDXD_CMD_ENABLE_DEVICE, 0);
	if (ret)
		return cmd_explain(ctx, d, "ENABLE_DEVICE", ret);
	d->enabled = true;
	for (unsigned int w = 0; w < n; w++) {
		ret = dev_cmd(d, IDXD_CMD_ENABLE_WQ, w);
		if (ret)
			return cmd_explain(ctx, d, "ENABLE_WQ", ret);
		d->nr_wqs = w + 1;
	}
	d->portals_len = (size_t)n * IDXD_PORTALS_PER_WQ * IDXD_PORTAL_PAGE_SIZE;
	d->portals = NULL;
	ret = rt_os_mmap(d->bind.vfio_fd, d->portals_len, PROT_WRITE, MAP_SHARED,
			 (off_t)d->bar2_off, &d->portals);
	if (ret) {
		d->portals = NULL;
		rt_ctx_explain(ctx, "vfio: %s: mapping the WQ portals (BAR2) failed: %s.", d->name,
			       strerror(-ret));
		return ret;
	}
	return 0;
}

static void dev_release(struct vfio_dev *d)
{
	dev_disable(d);
	if (d->portals)
		rt_os_munmap(d->portals, d->portals_len);
	d->portals = NULL;
	rt_bind_undo(&d->bind);
}

/*
 * Take the cdev at @path: bind, identify, bind the address space, program. 0 and the device
 * added; 1: not a DSA or IAA (closed again); -errno explained.
 */
static int dev_take(struct svart_ctx *ctx, const char *path, const char *name)
{
	struct vfio_dev *d = &vfio_bind.devs[vfio_bind.n];
	unsigned int n;
	int fd, ret, xs;

	memset(d, 0, sizeof(*d));
	d->bind.vfio_fd = -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	fd = rt_os_open(path, O_RDWR | O_CLOEXEC, vfio_bind.sim);
	if (fd < 0) {
		if (fd == -ENOENT)
			return 1;
		rt_ctx_explain(ctx, "vfio: opening %s failed: %s%s.", path, strerror(-fd),
			       fd == -EACCES ? " (give the user access to the cdev)" : "");
		return 1; /* someone else's device, or not ours to open: look further */
	}
	ret = rt_bind_device(&d->bind, vfio_bind.iommufd, fd);
	if (ret) {
		rt_ctx_explain(ctx, "vfio: %s: binding to iommufd failed: %s%s.", d->name,
			       strerror(-ret), ret == -EBUSY || ret == -EINVAL ? " (in use?)" : "");
		rt_bind_undo(&d->bind);
		return 1;
	}
	ret = dev_identify(ctx, d);
	if (ret) {
		rt_bind_undo(&d->bind);
		return ret > 0 ? 1 : ret;
	}
	ret = dev_read_caps(d);
	if (ret) {
		cmd_explain(ctx, d, "reading the capability registers", ret);
		goto err_undo;
	}
	if (!d->wqcap.dedicated) {
		rt_ctx_explain(ctx,
			       "vfio: %s: the device has no dedicated WQs; svart submits with "
			       "MOVDIR64B to dedicated WQs on this platform.",
			       d->name);
		ret = -ENODEV;
		goto err_undo;
	}
	n = env_wqs(d->wqcap.num_wqs);
	if (!n || !d->wqcap.total_wq_size || !(d->engcap.bits & 0xff) || !(d->grpcap.bits & 0xff)) {
		rt_ctx_explain(ctx,
			       "vfio: %s: no WQ to configure (SVART_VFIO_WQS must be 1..%u; "
			       "the device reports %u WQ entries, %u engines, %u groups).",
			       d->name, (unsigned int)d->wqcap.num_wqs,
			       (unsigned int)d->wqcap.total_wq_size,
			       (unsigned int)(d->engcap.bits & 0xff),
			       (unsigned int)(d->grpcap.bits & 0xff));
		ret = -EINVAL;
		goto err_undo;
	}
	xs = env_xfer_shift(d->gencap.max_xfer_shift);
	if (xs < 0) {
		rt_ctx_explain(ctx,
			       "vfio: %s: SVART_VFIO_XFER must be 1 byte .. the device's maximum "
			       "transfer, %llu bytes.",
			       d->name, 1ull << d->gencap.max_xfer_shift);
		ret = -EINVAL;
		goto err_undo;
	}
	d->xfer_shift = (unsigned int)xs;
	ret = rt_bind_as(&d->bind, vfio_bind.iommufd, RT_BIND_PASID, vfio_bind.service_thread);
	if (ret) {
		rt_ctx_explain(
			ctx, "vfio: %s: binding the address space to PASID %#x failed: %s%s.",
			d->name, RT_BIND_PASID, strerror(-ret),
			ret == -EOPNOTSUPP ? " (needs VT-d in scalable mode with nesting)" : "");
		goto err_undo;
	}
	ret = dev_program(ctx, d, n);
	if (ret)
		goto err_undo;
	vfio_bind.n++;
	return 0;

err_undo:
	dev_release(d);
	return ret;
}

static int bind_devices(struct svart_ctx *ctx)
{
	char path[300], name[24];
	DIR *dir = NULL;
	struct dirent *de;
	int ret = 0;

	/*
	 * The kernel numbers the cdevs densely from 0 (an IDA), so where the directory cannot be
	 * listed the names are tried in order: in process on sim (no directory), and under the
	 * LD_PRELOAD interposer, which models the nodes but not /dev/vfio/devices itself.
	 */
	if (!vfio_bind.sim)
		dir = opendir("/dev/vfio/devices");
	if (!dir) {
		for (int i = 0; i < VFIO_MAX_INDEX && vfio_bind.n < VFIO_MAX_DEVS; i++) {
			snprintf(name, sizeof(name), "vfio%d", i);
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
			ret = dev_take(ctx, path, name);
			if (ret < 0)
				return ret;
		}
		return 0;
	}
	while ((de = readdir(dir)) && vfio_bind.n < VFIO_MAX_DEVS) {
		if (strncmp(de->d_name, "vfio", 4) || strlen(de->d_name) >= sizeof(name))
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		ret = dev_take(ctx, path, name);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

static void bind_release_locked(void)
{
	while (vfio_bind.n)
		dev_release(&vfio_bind.devs[--vfio_bind.n]);
	if (vfio_bind.iommufd >= 0)
		rt_os_close(vfio_bind.iommufd);
	vfio_bind.iommufd = -1;
	if (vfio_bind.sim)
		sim_platform_put();
	vfio_bind.sim = false;
}

static void explain_none(struct svart_ctx *ctx)
{
	struct rt_probe *p;

	if (vfio_bind.sim) {
		rt_ctx_explain(ctx,
			       "vfio: sim has no DSA or IAA with a VFIO cdev (SVART_SIM_CONFIG).");
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	rt_probe(p);
	if (!p->plat[RT_PROBE_VFIO].usable)
		rt_ctx_explain(ctx, "vfio: %s.", p->plat[RT_PROBE_VFIO].reason);
	else
		rt_ctx_explain(ctx, "vfio: no VFIO device cdev is a DSA or IAA svart could take "
				    "(bind the function to vfio-pci).");
	free(p);
}

static int bind_get(struct svart_ctx *ctx)
{
	const char *e = getenv("SVART_VFIO_SIM");
	int ret = 0;

	pthread_mutex_lock(&vfio_bind.lock);
	if (vfio_bind.refs++)
		goto out_unlock;
	vfio_bind.sim = e && !strcmp(e, "1");
	vfio_bind.service_thread = ctx->opts.flags & SVART_CTX_FAULT_THREAD;
	if (vfio_bind.sim) {
		/* Power the simulated machine on; everything after goes through the OS layer. */
		ret = sim_platform_get();
		if (ret) {
			rt_ctx_explain(ctx, "vfio: sim: %s.", sim_accel_platform_error());
			vfio_bind.sim = false;
			goto err_refs;
		}
	}
	ret = rt_os_open("/dev/iommu", O_RDWR | O_CLOEXEC, vfio_bind.sim);
	if (ret < 0) {
		rt_ctx_explain(ctx,
			       "vfio: opening /dev/iommu failed: %s (needs CONFIG_IOMMUFD and "
			       "access to the node).",
			       strerror(-ret));
		goto err_release;
	}
	vfio_bind.iommufd = ret;
	ret = bind_devices(ctx);
	if (!ret && !vfio_bind.n) {
		if (!ctx->why[0])
			explain_none(ctx);
		ret = -ENODEV;
	}
	if (ret)
		goto err_release;
	goto out_unlock;

err_release:
	bind_release_locked();
err_refs:
	vfio_bind.refs--;
out_unlock:
	pthread_mutex_unlock(&vfio_bind.lock);
	return ret;
}

static void bind_put(void)
{
	pthread_mutex_lock(&vfio_bind.lock);
	if (vfio_bind.refs && !--vfio_bind.refs)
		bind_release_locked();
	pthread_mutex_unlock(&vfio_bind.lock);
}

/* ---- Platform ops ---- */

static int vfio_add_wq(struct svart_ctx *ctx, struct vfio_dev *d, unsigned int w)
{
	void *page = (char *)d->portals + (size_t)w * IDXD_PORTALS_PER_WQ * IDXD_PORTAL_PAGE_SIZE;
	struct rt_wq *wq = calloc(1, sizeof(*wq));
	int ret;

	if (!wq)
		return -ENOMEM;
	snprintf(wq->name, sizeof(wq->name), "%s/wq%u", d->name, w);
	wq->unit = d->iaa ? RT_UNIT_IAA : RT_UNIT_DSA;
	wq->dedicated = true;
	wq->bof = d->bof;
	wq->size = d->wq_size;
	wq->max_xfer = UINT64_C(1) << d->xfer_shift;
	wq->max_batch = d->iaa ? 0 : 1u << d->gencap.max_batch_shift;
	wq->version = d->version;
	wq->overlap_copy = d->gencap.overlap_copy;
	wq->node = -1;
	memcpy(wq->opcap, d->opcap.bits, sizeof(wq->opcap));
	wq->plat = d;
	ret = rt_os_portal_init(&wq->portal, page, true);
	if (ret) {
		rt_ctx_explain(ctx, "vfio: %s: cannot submit to its portal: %s%s.", wq->name,
			       strerror(-ret),
			       ret == -EOPNOTSUPP ? " (this CPU lacks MOVDIR64B)" : "");
		free(wq);
		return ret;
	}
	ret = rt_ctx_add_wq(ctx, wq);
	if (ret) {
		free(wq);
		return ret == -ENOENT ? 0 : ret;
	}
	return 0;
}

static int vfio_open(struct svart_ctx *ctx)
{
	int ret = bind_get(ctx);

	if (ret)
		return ret;
	ctx->plat = &vfio_bind;
	/* Work sim does counts as sim's, as on the idxd platform under `svart sim`. */
	if (vfio_bind.sim || getenv("SVART_SIM"))
		ctx->path = SVART_PATH_SIM;
	for (unsigned int i = 0; i < vfio_bind.n; i++)
		for (unsigned int w = 0; w < vfio_bind.devs[i].nr_wqs; w++)
			if ((ret = vfio_add_wq(ctx, &vfio_bind.devs[i], w)))
				goto err_put;
	if (!ctx->nr_wqs) {
		rt_ctx_explain(ctx, "vfio: no WQ left after SVART_DEVICES.");
		ret = -ENODEV;
		goto err_put;
	}
	return 0;

err_put:
	ctx->plat = NULL;
	bind_put();
	return ret;
}

static void vfio_close(struct svart_ctx *ctx)
{
	if (!ctx->plat)
		return;
	ctx->plat = NULL;
	bind_put();
}

static int vfio_service(struct svart_ctx *ctx)
{
	int served = 0;

	if (vfio_bind.service_thread)
		return 0;
	for (unsigned int i = 0; i < vfio_bind.n; i++)
		served += rt_bind_service(&vfio_bind.devs[i].bind, 1);
	return served;
}

static int vfio_prefault(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
			 bool write)
{
	for (unsigned int i = 0; i < vfio_bind.n; i++) {
		int ret;

		if (wq && wq->plat != &vfio_bind.devs[i])
			continue;
		ret = rt_bind_prefault(&vfio_bind.devs[i].bind, 1, addr, len, write);
		if (ret)
			return ret;
	}
	return 0;
}

static int vfio_invalidate(struct svart_ctx *ctx, const void *addr, size_t len)
{
	for (unsigned int i = 0; i < vfio_bind.n; i++) {
		int ret = rt_bind_invalidate(&vfio_bind.devs[i].bind, 1, addr, len);

		if (ret < 0)
			return ret;
	}
	return 0;
}

const struct rt_platform_ops rt_platform_vfio = {
	.name = "vfio",
	.platform = SVART_PLATFORM_VFIO,
	.path = SVART_PATH_DEVICE,
	.cpu_threshold = { [RT_UNIT_DSA] = RT_DEF_CPU_THRESHOLD_DSA,
			   [RT_UNIT_IAA] = RT_DEF_CPU_THRESHOLD_IAA },
	.open = vfio_open,
	.close = vfio_close,
	.service = vfio_service,
	.prefault = vfio_prefault,
	.invalidate = vfio_invalidate,
	.assist = rt_plat_eopnotsupp_assist,
};
