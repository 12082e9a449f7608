/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the pasid_as_* tests: a sim VT-d device with PASIDs bound to sim's iommufd, a
 * page-response log, and the device-side check of a binding: walking the first-stage table it
 * built the way the IOMMU does (sim/iommu/vtd_s1: table fetches and the leaf through the
 * parent IOAS) and checking that VA -> host address is the identity (in sim the host address
 * behind an IOVA is the process VA that IOAS_MAP was given).
 */
#ifndef PASID_AS_UTIL_H
#define PASID_AS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasid/pasid.h"
#include "pasid/pasid_as.h"
#include "runtime/rt_os.h"
#include "svart/sim.h"
#include "t_helpers.h"

#include "sim/iommu/vtd_s1.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/sim_device.h"

#define T_PAGE 4096UL
#define T_2M (2UL << 20)

/* Page responses the device received. */
struct t_resp {
	atomic_int n;
	atomic_uint code[64];
	atomic_uint grpid[64];
};

static struct t_resp t_resp;

static void t_on_response(struct sim_pdev *pdev, void *priv, uint32_t pasid, bool pasid_valid,
			  uint32_t grpid, uint32_t code)
{
	int n = atomic_load(&t_resp.n);

	if (n < 64) {
		atomic_store(&t_resp.code[n], code);
		atomic_store(&t_resp.grpid[n], grpid);
	}
	atomic_fetch_add(&t_resp.n, 1);
}

static const struct sim_pdev_ops t_resp_ops = { .page_response = t_on_response };

/* The last response's code, or -1 when there is none. */
static inline int t_last_code(void)
{
	int n = atomic_load(&t_resp.n);

	return n ? (int)atomic_load(&t_resp.code[(n - 1) % 64]) : -1;
}

struct t_dev {
	struct sim_pdev *pdev;
	int ifd, vfd;
	uint32_t dev_id;
};

/* A sim VT-d device with @pasid_log2 PASID bits, bound to a fresh sim iommufd. */
static inline int t_dev_open(struct t_dev *d, const char *name, uint8_t pasid_log2)
{
	struct sim_pdev_info info = {
		.name = name,
		.rid = 0x6a08,
		.max_pasid_log2 = pasid_log2,
		.ats = true,
		.ops = &t_resp_ops,
	};
	char path[64];
	int idx = sim_pdev_create(&info, &d->pdev);

	if (idx < 0)
		return idx;
	d->ifd = rt_os_open("/dev/iommu", O_RDWR | O_CLOEXEC, true);
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", idx);
	d->vfd = rt_os_open(path, O_RDWR | O_CLOEXEC, true);
	if (d->ifd < 0 || d->vfd < 0)
		return -ENODEV;
	return pasid_device_bind(d->vfd, d->ifd, &d->dev_id);
}

static inline void t_dev_close(struct t_dev *d)
{
	rt_os_close(d->vfd);
	rt_os_close(d->ifd);
	sim_pdev_destroy(d->pdev);
}

static uint64_t *t_fetch(void *arg, uint64_t addr, bool write, int *s2_reason)
{
	uintptr_t host;
	uint64_t contig;
	int rc = sim_iopt_translate(arg, addr, write, &host, &contig);

	if (rc) {
		*s2_reason = rc;
		return NULL;
	}
	return (uint64_t *)host;
}

/*
 * The device's view of @va on (@pdev, @pasid): 0 with *@host; -EFAULT for a first-stage fault
 * (res->fault says which); -ENOENT / -EACCES from the second stage for the leaf; -ENXIO when
 * nothing is attached. @access: SIM_VTD_S1_ACC_* (no SET_AD: a probe leaves A/D alone).
 */
static inline int t_walk(struct sim_pdev *pdev, uint32_t pasid, uint64_t va, unsigned int access,
			 uintptr_t *host, struct sim_vtd_s1_result *res)
{
	struct sim_hwpt *h = sim_pdev_get_hwpt(pdev, pasid);
	struct sim_vtd_s1_result local;
	struct sim_hwpt_vtd_s1_data hc;
	struct sim_vtd_s1_cfg cfg;
	uint64_t contig;
	int rc;

	if (!res)
		res = &local;
	if (!h)
		return -ENXIO;
	rc = sim_hwpt_vtd_s1(h, &hc);
	if (!rc) {
		cfg = (struct sim_vtd_s1_cfg){
			.pgtbl_addr = hc.pgtbl_addr,
			.addr_width = hc.addr_width,
			.flags = (uint32_t)hc.flags,
			.caps = SIM_VTD_S1_CAPS_ALL,
			.fetch = t_fetch,
			.arg = sim_hwpt_iopt(h),
		};
		rc = sim_vtd_s1_walk(&cfg, va, access, res);
	}
	if (!rc)
		rc = sim_iopt_translate(sim_hwpt_iopt(h), res->oa, access & SIM_VTD_S1_ACC_WRITE,
					host, &contig);
	sim_hwpt_put_shortterm(h);
	return rc;
}

/* True when the device reads (and, with @write, writes) @va as the process's own @va. */
static inline bool t_maps(struct sim_pdev *pdev, uint32_t pasid, const void *va, bool write)
{
	uintptr_t host = 0;

	return t_walk(pdev, pasid, (uintptr_t)va, write ? SIM_VTD_S1_ACC_WRITE : 0, &host, NULL) ==
		       0 &&
	       host == (uintptr_t)va;
}

/* True when the device's walk of @va faults with @fault in the first stage. */
static inline bool t_faults(struct sim_pdev *pdev, uint32_t pasid, const void *va, bool write,
			    enum sim_vtd_s1_fault fault)
{
	struct sim_vtd_s1_result res;
	uintptr_t host;

	return t_walk(pdev, pasid, (uintptr_t)va, write ? SIM_VTD_S1_ACC_WRITE : 0, &host, &res) ==
		       -EFAULT &&
	       res.fault == fault;
}

/* The IOVA the device's walk of @va ends at (0 if it faults). */
static inline uint64_t t_iova_of(struct sim_pdev *pdev, uint32_t pasid, const void *va)
{
	struct sim_vtd_s1_result res;
	uintptr_t host;

	if (t_walk(pdev, pasid, (uintptr_t)va, 0, &host, &res))
		return 0;
	return res.oa;
}

/* Whether the binding's IOAS (as the device's parent sees it) still maps @iova. */
static inline bool t_iova_mapped(struct sim_pdev *pdev, uint32_t pasid, uint64_t iova)
{
	struct sim_hwpt *h = sim_pdev_get_hwpt(pdev, pasid);
	uintptr_t host;
	uint64_t contig;
	int rc;

	if (!h)
		return false;
	rc = sim_iopt_translate(sim_hwpt_iopt(h), iova, false, &host, &contig);
	sim_hwpt_put_shortterm(h);
	return rc == 0;
}

/* @len bytes of anonymous memory aligned to @align (a power of two), never touched. */
static inline void *t_map_aligned(size_t len, size_t align, int prot)
{
	uint8_t *p = mmap(NULL, len + align, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((void *)(a + len), (uintptr_t)p + len + align - (a + len));
	return (void *)a;
}

static inline struct pasid_as_info t_info(struct pasid_as *as)
{
	struct pasid_as_info info;

	pasid_as_info(as, &info);
	return info;
}

/* Page request from the device, answered by the binding; returns the response code. */
static inline int t_request(struct t_dev *d, struct pasid_as *as, uint32_t pasid, const void *va,
			    uint32_t perm, uint32_t grpid)
{
	int before = atomic_load(&t_resp.n);

	T_EQ(0, sim_iopf_report(d->pdev, pasid, true, (uintptr_t)va, perm, grpid, true));
	if (atomic_load(&t_resp.n) == before)
		T_EQ(1, pasid_as_service(as, 0));
	T_EQ(before + 1, atomic_load(&t_resp.n));
	return t_last_code();
}

#endif /* PASID_AS_UTIL_H */
