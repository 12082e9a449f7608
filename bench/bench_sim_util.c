// SPDX-License-Identifier: MIT
/*
 * sim environments, hand-built first-stage tables and timing helpers for svart-bench-xlate.
 * See bench_sim_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_sim_util.h"
#include "pasid/iommufd_uapi.h"
#include "pasid/pasid.h"
#include "pasid/pasid_as.h"
#include "pasid/vfio_uapi.h"
#include "runtime/rt_os.h"
#include "sim/iommufd/iommufd_private.h"
#include "svart/sim.h"

/* ---- timing ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_skip(struct sb_state *st, const char *what, int err)
{
	char msg[160];

	if (err)
		snprintf(msg, sizeof(msg), "%s: %s", what, strerror(-err));
	else
		snprintf(msg, sizeof(msg), "%s", what);
	sb_skip_with_error(st, msg);
	while (sb_keep_running(st))
		;
}

/* ---- the sim unit ---- */

int bench_sim_configure(uint32_t entries, uint32_t ways)
{
	struct sim_iommu_cfg cfg = { .iotlb = { .entries = entries, .ways = ways } };

	return sim_iommu_configure(&cfg);
}

/* The sim ioctl face is the kernel's (-1 + errno); the rest of svart speaks -errno. */
static int bsim_ioctl(int fd, unsigned long cmd, void *arg)
{
	return svart_sim_ioctl(fd, cmd, arg) ? -errno : 0;
}

int bench_sim_map(struct bench_sim_env *e, const void *va, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = e->ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return bsim_ioctl(e->fd, IOMMU_IOAS_MAP, &cmd);
}

int bench_sim_unmap(struct bench_sim_env *e, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = e->ioas,
		.iova = iova,
		.length = len,
	};

	return bsim_ioctl(e->fd, IOMMU_IOAS_UNMAP, &cmd);
}

static int hwpt_alloc(struct bench_sim_env *e, uint32_t flags, uint32_t pt_id,
		      struct iommu_hwpt_vtd_s1 *s1, uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags | (fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0),
		.dev_id = e->dev_id,
		.pt_id = pt_id,
		.data_type = s1 ? IOMMU_HWPT_DATA_VTD_S1 : IOMMU_HWPT_DATA_NONE,
		.data_len = s1 ? sizeof(*s1) : 0,
		.data_uptr = (uintptr_t)s1,
		.fault_id = fault_id,
	};
	int ret = bsim_ioctl(e->fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*out = cmd.out_hwpt_id;
	return ret;
}

int bench_sim_env_init(struct bench_sim_env *e, const char *name, bool ats,
		       const struct bench_pt *pt)
{
	struct sim_pdev_info info = {
		.name = name,
		.rid = 0x6a08,
		.max_pasid_log2 = 20,
		.ats = ats,
	};
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[64];
	int ret;

	memset(e, 0, sizeof(*e));
	e->fd = e->vfd = -1;
	e->fd = svart_sim_iommufd_open();
	if (e->fd < 0)
		return -errno;
	e->idx = sim_iommu_dev_create(&info, &e->dev);
	if (e->idx < 0) {
		ret = e->idx;
		e->dev = NULL;
		goto out_fini;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", e->idx);
	e->vfd = svart_sim_open(path, O_RDWR | O_CLOEXEC);
	if (e->vfd < 0) {
		ret = -errno;
		goto out_fini;
	}
	bind.iommufd = e->fd;
	ret = bsim_ioctl(e->vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (ret)
		goto out_fini;
	e->dev_id = bind.out_devid;
	ret = bsim_ioctl(e->fd, IOMMU_IOAS_ALLOC, &ioas);
	if (ret)
		goto out_fini;
	e->ioas = ioas.out_ioas_id;
	if (pt) {
		ret = bench_sim_map(e, pt->g, pt->pages * BENCH_PAGE, BENCH_GBASE);
		if (ret)
			goto out_fini;
	}
	ret = hwpt_alloc(e, IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID, e->ioas, NULL, 0,
			 &e->s2);
	if (ret)
		goto out_fini;
	return 0;

out_fini:
	bench_sim_env_fini(e);
	return ret;
}

void bench_sim_env_fini(struct bench_sim_env *e)
{
	/* Closing the cdev detaches; closing the iommufd destroys every object. */
	if (e->vfd >= 0)
		svart_sim_close(e->vfd);
	if (e->fd >= 0)
		svart_sim_close(e->fd);
	sim_iommu_dev_destroy(e->dev);
	memset(e, 0, sizeof(*e));
	e->fd = e->vfd = -1;
}

int bench_sim_fault_queue(struct bench_sim_env *e, uint32_t *id)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int ret = bsim_ioctl(e->fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (ret)
		return ret;
	*id = cmd.out_fault_id;
	return (int)cmd.out_fault_fd;
}

int bench_sim_nested(struct bench_sim_env *e, size_t root_page, uint32_t addr_width,
		     uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = BENCH_GBASE + (uint64_t)root_page * BENCH_PAGE,
		.addr_width = addr_width,
	};

	return hwpt_alloc(e, IOMMU_HWPT_ALLOC_PASID, e->s2, &s1, fault_id, out);
}

int bench_sim_attach(struct bench_sim_env *e, uint32_t hwpt, uint32_t pasid)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = VFIO_DEVICE_ATTACH_PASID,
		.pt_id = hwpt,
		.pasid = pasid,
	};

	return bsim_ioctl(e->vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

uint32_t bench_sim_did(struct bench_sim_env *e, uint32_t pasid)
{
	/* Pairs with sim_hwpt_put_shortterm() below. */
	struct sim_hwpt *h = sim_pdev_get_hwpt(sim_iommu_dev_pdev(e->dev), pasid);
	uint32_t did;

	if (!h)
		return 0;
	did = sim_hwpt_did(h);
	sim_hwpt_put_shortterm(h);
	return did;
}

void bench_sim_flush(struct bench_sim_env *e, uint32_t pasid)
{
	/* IOTLB before the device TLB, as VT-d requires of software. */
	sim_iommu_inv_pasid(bench_sim_did(e, pasid), pasid);
	sim_iommu_inv_devtlb(e->dev, pasid, 0, UINT64_MAX);
}

/* ---- process bindings ---- */

int bench_as_env_init(struct bench_as_env *e, const char *name, uint32_t pasid,
		      const struct pasid_as_opts *opts)
{
	struct sim_pdev_info info = {
		.name = name,
		.rid = 0x6a08,
		.max_pasid_log2 = 20,
	};
	char path[64];
	int ret, idx;

	memset(e, 0, sizeof(*e));
	e->ifd = e->vfd = -1;
	e->pasid = pasid;
	idx = sim_iommu_dev_create(&info, &e->dev);
	if (idx < 0) {
		e->dev = NULL;
		return idx;
	}
	/* rt_os, as the runtime opens them: pasid_as only speaks rt_os. */
	ret = e->ifd = rt_os_open("/dev/iommu", O_RDWR | O_CLOEXEC, true);
	if (ret < 0)
		goto out_fini;
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", idx);
	ret = e->vfd = rt_os_open(path, O_RDWR | O_CLOEXEC, true);
	if (ret < 0)
		goto out_fini;
	ret = pasid_device_bind(e->vfd, e->ifd, &e->dev_id);
	if (!ret)
		ret = pasid_as_bind(e->ifd, e->vfd, e->dev_id, pasid, opts, &e->as);
	if (ret)
		goto out_fini;
	return 0;

out_fini:
	bench_as_env_fini(e);
	return ret;
}

void bench_as_env_fini(struct bench_as_env *e)
{
	pasid_as_unbind(e->as);
	if (e->vfd >= 0)
		rt_os_close(e->vfd);
	if (e->ifd >= 0)
		rt_os_close(e->ifd);
	sim_iommu_dev_destroy(e->dev);
	memset(e, 0, sizeof(*e));
	e->ifd = e->vfd = -1;
}

/* ---- first-stage tables ---- */

void *bench_map_aligned(size_t len, size_t align)
{
	uint8_t *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if (a + len < (uintptr_t)p + len + align)
		munmap((void *)(a + len), (uintptr_t)p + len + align - (a + len));
	return (void *)a;
}

int bench_pt_init(struct bench_pt *pt, size_t pages, bool host_ptrs)
{
	pt->g = bench_map_aligned(pages * BENCH_PAGE, BENCH_PAGE);
	pt->base = host_ptrs ? (uintptr_t)pt->g : BENCH_GBASE;
	pt->pages = pt->g ? pages : 0;
	pt->next = 0;
	return pt->g ? 0 : -ENOMEM;
}

void bench_pt_fini(struct bench_pt *pt)
{
	if (pt->g)
		munmap(pt->g, pt->pages * BENCH_PAGE);
	memset(pt, 0, sizeof(*pt));
}

long bench_pt_page(struct bench_pt *pt)
{
	if (pt->next >= pt->pages)
		return -ENOMEM;
	memset(pt->g + pt->next * BENCH_PAGE, 0, BENCH_PAGE);
	return (long)pt->next++;
}

static inline uint64_t *pt_table(struct bench_pt *pt, size_t page)
{
	return (uint64_t *)(pt->g + page * BENCH_PAGE);
}

static inline unsigned int pt_idx(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 0x1ff;
}

static inline size_t pt_page_of(const struct bench_pt *pt, uint64_t ent)
{
	return (size_t)(((ent & BENCH_FS_ADDR) - pt->base) / BENCH_PAGE);
}

int bench_pt_set(struct bench_pt *pt, size_t top, unsigned int levels, uint64_t va,
		 unsigned int leaf_level, uint64_t leaf)
{
	size_t table = top;

	for (unsigned int l = levels; l > leaf_level; l--) {
		uint64_t *ent = &pt_table(pt, table)[pt_idx(va, l)];

		if (!(*ent & BENCH_FS_P)) {
			long p = bench_pt_page(pt);

			if (p < 0)
				return (int)p;
			*ent = bench_pt_addr(pt, (size_t)p) | BENCH_FS_TABLE;
		}
		table = pt_page_of(pt, *ent);
	}
	pt_table(pt, table)[pt_idx(va, leaf_level)] = leaf;
	return 0;
}

uint64_t *bench_pt_ent(struct bench_pt *pt, size_t top, unsigned int levels, uint64_t va,
		       unsigned int level)
{
	size_t table = top;

	for (unsigned int l = levels; l > level; l--) {
		uint64_t ent = pt_table(pt, table)[pt_idx(va, l)];

		if (!(ent & BENCH_FS_P) || pt_page_of(pt, ent) >= pt->pages)
			return NULL;
		table = pt_page_of(pt, ent);
	}
	return &pt_table(pt, table)[pt_idx(va, level)];
}

uint64_t *bench_pt_host_fetch(void *arg, uint64_t table_addr, bool write, int *s2_reason)
{
	return (uint64_t *)(uintptr_t)table_addr;
}

/* ---- worlds ---- */

static const struct bench_world *live_world;

int bench_world_use(const struct bench_world *w)
{
	int ret;

	if (live_world == w)
		return 0;
	bench_world_release();
	ret = bench_sim_configure(w->iotlb_entries, w->iotlb_ways);
	if (ret)
		return ret;
	ret = w->build();
	if (ret)
		return ret;
	live_world = w;
	return 0;
}

void bench_world_release(void)
{
	if (!live_world)
		return;
	live_world->destroy();
	live_world = NULL;
}
