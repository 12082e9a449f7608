// SPDX-License-Identifier: MIT
/*
 * svart's iommufd client (pasid/) against sim, in the order svart's nested binding will use
 * it: IOAS, nest-parent HWPT, fault queue, nested VT-d first-stage HWPT on a PASID through
 * the VFIO cdev, invalidation, a page-request round trip, and teardown in the kernel's
 * required order. Errors come back as -errno with the kernel's values; out-parameters are
 * filled as the kernel fills them, including on failure where the uAPI says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svart/sim.h"
#include "pasid/pasid.h"
#include "runtime/rt_os.h"
#include "sim/sim_device.h"
#include "t_helpers.h"

#define PASID 0x1234u

static atomic_uint resp_count, resp_code, resp_pasid, resp_grpid;

static void t_page_response(struct sim_pdev *pdev, void *priv, uint32_t pasid, bool pasid_valid,
			    uint32_t grpid, uint32_t code)
{
	atomic_store(&resp_code, code);
	atomic_store(&resp_pasid, pasid);
	atomic_store(&resp_grpid, grpid);
	atomic_fetch_add(&resp_count, 1);
}

static const struct sim_pdev_ops t_pdev_ops = { .page_response = t_page_response };

int main(void)
{
	struct sim_pdev_info info = {
		.name = "0000:6a:01.0",
		.rid = 0x6a08,
		.max_pasid_log2 = 20,
		.ats = true,
		.ops = &t_pdev_ops,
	};
	struct iommu_hwpt_vtd_s1_invalidate inv[2] = { 0 };
	struct iommu_iova_range ranges[4];
	struct iommu_hwpt_pgfault rec[4];
	struct iommu_hwpt_vtd_s1 s1 = { 0 };
	uint32_t ioas, parent, nested, fault_id, dev_id, pt, num, other_ioas;
	struct pasid_hw_info hw;
	struct sim_pdev *pdev;
	uint64_t iova, val, align, unmapped;
	int ifd, vfd, ffd, idx;
	char path[64];
	void *buf;

	idx = sim_pdev_create(&info, &pdev);
	T_CHECK(idx >= 0);
	if (idx < 0)
		return t_done("pasid_client");
	ifd = rt_os_open("/dev/iommu", O_RDWR | O_CLOEXEC, true);
	T_CHECK(ifd >= 0);
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", idx);
	vfd = rt_os_open(path, O_RDWR | O_CLOEXEC, true);
	T_CHECK(vfd >= 0);
	/* A node sim does not model, and the kernel's /dev/iommu absent here. */
	T_EQ(rt_os_open("/dev/vfio/devices/vfio999", O_RDWR, true), -ENOENT);

	/* Device binding: once per iommufd; a descriptor that is not an iommufd is EBADFD. */
	T_EQ(pasid_device_bind(vfd, 0, &dev_id), -EBADFD);
	T_EQ(pasid_device_bind(vfd, ifd, &dev_id), 0);
	T_CHECK(dev_id >= 1);
	T_EQ(pasid_device_bind(vfd, ifd, &dev_id), -EINVAL);

	/* Hardware information: a VT-d device with 20 PASID bits and nesting. */
	T_EQ(pasid_hw_info(ifd, dev_id, &hw), 0);
	T_EQ(hw.data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	T_EQ(hw.max_pasid_log2, 20);
	T_CHECK(hw.vtd.ecap_reg & (1ull << 26)); /* ECAP.NEST */
	T_EQ(pasid_hw_info(ifd, 999, &hw), -ENOENT);

	/* IOAS: alloc, options, map (auto IOVA), ranges, unmap rules. */
	T_EQ(pasid_ioas_alloc(ifd, &ioas), 0);
	T_EQ(pasid_option(ifd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas, &val), 0);
	T_EQ(val, 1);
	buf = mmap(NULL, 1 << 21, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(buf != MAP_FAILED);
	T_EQ(pasid_ioas_map(ifd, ioas, buf, 1 << 21,
			    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, &iova),
	     0);
	T_CHECK(iova != 0);
	T_EQ(pasid_ioas_map(ifd, ioas, buf, 4096, 0, &iova), -EINVAL); /* neither R nor W */
	num = 4;
	T_EQ(pasid_ioas_iova_ranges(ifd, ioas, ranges, &num, &align), 0);
	T_CHECK(num >= 1);
	num = 0;
	T_EQ(pasid_ioas_iova_ranges(ifd, ioas, ranges, &num, &align), -EMSGSIZE);
	T_CHECK(num >= 1); /* the count comes back with EMSGSIZE */
	T_EQ(pasid_ioas_unmap(ifd, ioas, iova, 4096, NULL), -ENOENT); /* no splitting */

	/* COPY into a second IOAS at a fixed IOVA. */
	T_EQ(pasid_ioas_alloc(ifd, &other_ioas), 0);
	T_EQ(pasid_ioas_copy(ifd, other_ioas, 1ull << 32, ioas, iova, 1 << 21,
			     IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE),
	     0);
	T_EQ(pasid_ioas_unmap(ifd, other_ioas, 0, UINT64_MAX, &unmapped), 0);
	T_EQ(unmapped, 1 << 21);
	T_EQ(pasid_destroy(ifd, other_ioas), 0);

	/* Nest parent (PASID-capable), fault queue, nested first stage. */
	T_EQ(pasid_hwpt_alloc_paging(ifd, dev_id, ioas,
				     IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
				     &parent),
	     0);
	T_EQ(pasid_fault_queue_alloc(ifd, &fault_id, &ffd), 0);
	T_CHECK(ffd >= 0 && rt_os_is_sim(ffd));
	s1.addr_width = 48;
	s1.pgtbl_addr = iova; /* a table IOVA inside the parent IOAS */
	T_EQ(pasid_hwpt_alloc_nested(ifd, dev_id, parent, &s1, fault_id, IOMMU_HWPT_ALLOC_PASID,
				     &nested),
	     0);
	/* Nested on nested, and a fault id that is not a FAULT. */
	T_EQ(pasid_hwpt_alloc_nested(ifd, dev_id, nested, &s1, 0, IOMMU_HWPT_ALLOC_PASID, &pt),
	     -EINVAL);
	T_EQ(pasid_hwpt_alloc_nested(ifd, dev_id, parent, &s1, ioas, IOMMU_HWPT_ALLOC_PASID, &pt),
	     -ENOENT);

	/* The RID sits on the PASID-capable parent; the PASID on the nested HWPT. */
	pt = parent;
	T_EQ(pasid_device_attach(vfd, false, 0, &pt), 0);
	T_EQ(pt, parent);
	pt = nested;
	T_EQ(pasid_device_attach(vfd, true, PASID, &pt), 0);
	/* PASID beyond the device's 20 bits. */
	pt = nested;
	T_EQ(pasid_device_attach(vfd, true, 1u << 20, &pt), -EINVAL);
	/* Attached HWPTs and their parents cannot go. */
	T_EQ(pasid_destroy(ifd, nested), -EBUSY);
	T_EQ(pasid_destroy(ifd, parent), -EBUSY);

	/* Invalidation: entry_num counts entries applied, also when the second one is bad. */
	inv[0].addr = 0x1000;
	inv[0].npages = 1;
	inv[0].flags = IOMMU_VTD_INV_FLAGS_LEAF;
	inv[1].addr = 0x1001; /* not 4 KiB aligned */
	inv[1].npages = 1;
	num = 2;
	T_EQ(pasid_hwpt_invalidate(ifd, nested, inv, &num), -EINVAL);
	T_EQ(num, 1);
	inv[1].addr = 0;
	inv[1].npages = UINT64_MAX; /* the whole PASID */
	num = 2;
	T_EQ(pasid_hwpt_invalidate(ifd, nested, inv, &num), 0);
	T_EQ(num, 2);
	num = 1;
	T_EQ(pasid_hwpt_invalidate(ifd, parent, inv, &num), -EINVAL); /* not nested */
	T_EQ(num, 0);

	/* Page request round trip: a group of two pages, read as one group, one response. */
	T_EQ(pasid_fault_read(ffd, rec, 4), 0); /* nothing pending */
	T_EQ(rt_os_poll(ffd, POLLIN, 0), 0);
	T_EQ(sim_iopf_report(pdev, PASID, true, 0x7000, IOMMU_PGFAULT_PERM_READ, 5, false), 0);
	T_EQ(rt_os_poll(ffd, POLLIN, 0), 0); /* parked until LAST_PAGE */
	T_EQ(sim_iopf_report(pdev, PASID, true, 0x8000, IOMMU_PGFAULT_PERM_WRITE, 5, true), 0);
	T_EQ(rt_os_poll(ffd, POLLIN, 0) & POLLIN, POLLIN);
	T_EQ(pasid_fault_read(ffd, rec, 1), 0); /* all-or-nothing: the group does not fit */
	T_EQ(pasid_fault_read(ffd, rec, 4), 2);
	T_EQ(rec[0].pasid, PASID);
	T_EQ(rec[0].addr, 0x7000);
	T_EQ(rec[1].addr, 0x8000);
	T_EQ(rec[0].dev_id, dev_id);
	T_EQ(rec[0].cookie, rec[1].cookie);
	T_CHECK(rec[1].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	T_CHECK(!(rec[0].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE));
	T_CHECK(rec[0].flags & IOMMU_PGFAULT_FLAGS_PASID_VALID);
	T_EQ(atomic_load(&resp_count), 0);
	T_EQ(pasid_fault_respond(ffd, rec[0].cookie, 7), -EINVAL); /* unknown code */
	T_EQ(pasid_fault_respond(ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS), 0);
	T_EQ(atomic_load(&resp_count), 1);
	T_EQ(atomic_load(&resp_code), IOMMUFD_PAGE_RESP_SUCCESS);
	T_EQ(atomic_load(&resp_pasid), PASID);
	T_EQ(atomic_load(&resp_grpid), 5);
	T_EQ(pasid_fault_respond(ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL);

	/* A pending group is answered INVALID when its PASID is detached. */
	T_EQ(sim_iopf_report(pdev, PASID, true, 0x9000, IOMMU_PGFAULT_PERM_READ, 6, true), 0);
	T_EQ(pasid_device_detach(vfd, true, PASID), 0);
	T_EQ(atomic_load(&resp_count), 2);
	T_EQ(atomic_load(&resp_code), IOMMUFD_PAGE_RESP_INVALID);
	/* Nothing attached there any more: the device gets INVALID at once. */
	T_EQ(sim_iopf_report(pdev, PASID, true, 0x9000, IOMMU_PGFAULT_PERM_READ, 7, true), 0);
	T_EQ(atomic_load(&resp_count), 3);
	T_EQ(pasid_device_detach(vfd, true, PASID), 0); /* detaching again is fine */

	/*
	 * Teardown in the kernel's order: detach, destroy nested, destroy parent, close the
	 * fault fd, destroy the fault, unmap, destroy the IOAS.
	 */
	T_EQ(pasid_device_detach(vfd, false, 0), 0);
	T_EQ(pasid_destroy(ifd, nested), 0);
	T_EQ(pasid_destroy(ifd, parent), 0);
	T_EQ(pasid_destroy(ifd, fault_id), -EBUSY); /* the fault fd still holds it */
	T_EQ(rt_os_close(ffd), 0);
	T_EQ(pasid_destroy(ifd, fault_id), 0);
	T_EQ(pasid_ioas_unmap(ifd, ioas, 0, UINT64_MAX, &unmapped), 0);
	T_EQ(unmapped, 1 << 21);
	T_EQ(pasid_destroy(ifd, ioas), 0);
	T_EQ(pasid_destroy(ifd, ioas), -ENOENT);

	T_EQ(rt_os_close(vfd), 0);
	T_EQ(rt_os_close(ifd), 0);
	T_EQ(rt_os_close(ifd), -EBADF);
	sim_pdev_destroy(pdev);
	munmap(buf, 1 << 21);
	return t_done("pasid_client");
}
