// SPDX-License-Identifier: MIT
/*
 * sim HW pagetables on sim VT-d: the selftest's alloc_hwpt_nested list (allocation errors,
 * lifetime, every HWPT_INVALIDATE case), paging flags, dirty tracking, and GET_HW_INFO.
 */
#include <string.h>

#include "sim_iommufd_util.h"

struct inv_log {
	int calls;
	uint64_t addr, npages;
	bool leaf;
};

static void log_flush(void *data, struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages, bool leaf)
{
	struct inv_log *log = data;

	log->calls++;
	log->addr = addr;
	log->npages = npages;
	log->leaf = leaf;
}

static int t_invalidate(int fd, uint32_t hwpt, void *reqs, uint32_t type, uint32_t len,
			uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = len,
		.entry_num = *num,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

static void test_alloc_hwpt_nested(void)
{
	int fd = svart_sim_iommufd_open(), idx, vfd;
	struct sim_pdev *pdev = t_pdev("0000:6a:01.0", 20, &idx);
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x100000, .addr_width = 48 };
	struct iommu_hwpt_vtd_s1_invalidate inv[2] = {};
	uint32_t ioas, dev_id, parent, not_parent, nested[2], num, pt;
	struct inv_log log = {};
	struct sim_iommu_notifier n = { .hwpt_flush = log_flush, .data = &log };
	const uint32_t VTD = IOMMU_HWPT_DATA_VTD_S1;

	ioas = t_ioas_alloc(fd);
	vfd = t_vfio_open(idx);
	dev_id = t_vfio_bind(vfd, fd);

	/* Wrong object types for dev_id / pt_id. */
	T_ERRNO(ENOENT, t_hwpt_alloc(fd, 0, ioas, dev_id, 0, NULL, 0, &parent));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, dev_id, 0, NULL, 0, &parent));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, 999, 0, NULL, 0, &parent));
	T_ERRNO(EOPNOTSUPP,
		t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_FAULT_ID_VALID, dev_id,
			     ioas, 0, NULL, 0, &parent));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, 1u << 30, dev_id, ioas, 0, NULL, 0, &parent));
	/* sim VT-d has no dirty tracking; paging takes no user data. */
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, dev_id, ioas, 0, NULL,
					 0, &parent));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, 0, dev_id, ioas, VTD, &s1, sizeof(s1), &parent));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, dev_id, ioas, 0, NULL, 0, &parent));
	T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, ioas, 0, NULL, 0, &not_parent));

	/* Nested allocation failures, in the kernel's order. */
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, parent, 0, &s1, sizeof(s1), &nested[0]));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, 0, dev_id, parent, 7, &s1, sizeof(s1), &nested[0]));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &s1, sizeof(s1) - 1, &nested[0]));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &s1, sizeof(s1) + 8, &nested[0]));
	T_ERRNO(EFAULT, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, NULL, sizeof(s1), &nested[0]));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, dev_id, parent, VTD, &s1,
					 sizeof(s1), &nested[0]));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, dev_id, not_parent, VTD, &s1, sizeof(s1), &nested[0]));
	T_ERRNO(ENOENT,
		t_hwpt_alloc_fault(fd, 0, dev_id, parent, &s1, sizeof(s1), UINT32_MAX, &nested[0]));
	T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &s1, sizeof(s1), &nested[0]));
	T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &s1, sizeof(s1), &nested[1]));
	/* Failed allocations used no ID: IDs are dense. */
	T_EQ(nested[0] + 1, nested[1]);
	T_ERRNO(EINVAL,
		t_hwpt_alloc(fd, 0, dev_id, nested[0], VTD, &s1, sizeof(s1), &nested[1] + 0));
	{
		struct sim_hwpt_vtd_s1_data cfg;
		struct sim_file *file = sim_file_get(fd);
		struct sim_iommufd_ctx *ictx = file->private_data;
		struct sim_hwpt *h = (struct sim_hwpt *)ictx->objs[nested[0]];

		T_EQ(0, sim_hwpt_vtd_s1(h, &cfg));
		T_EQ(0x100000, cfg.pgtbl_addr);
		T_EQ(48, cfg.addr_width);
		T_EQ(SIM_HWPT_NESTED, sim_hwpt_kind(h));
		T_CHECK(sim_hwpt_parent(h) == (struct sim_hwpt *)ictx->objs[parent]);
		T_CHECK(sim_hwpt_iopt(h) == &((struct sim_ioas *)ictx->objs[ioas])->iopt);
		T_EQ(-EINVAL, sim_hwpt_vtd_s1(sim_hwpt_parent(h), &cfg));
		sim_file_put(file);
	}

	/* The parent is held by its children. */
	T_ERRNO(EBUSY, t_destroy(fd, parent));
	T_ERRNO(EBUSY, t_destroy(fd, ioas));

	/* HWPT_INVALIDATE */
	sim_iommu_notifier_register(&n);
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, parent, inv, 0, sizeof(*inv), &num));
	T_EQ(0, num);
	num = 0;
	T_EQ(0, t_invalidate(fd, nested[0], inv, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, sizeof(*inv),
			     &num));
	num = 0;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 9, sizeof(*inv), &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv) + 1, &num));
	T_EQ(0, num);
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, 1, &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, 0, &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], NULL, 0, sizeof(*inv), &num));
	num = 1;
	T_ERRNO(ENOENT, t_invalidate(fd, 999, inv, 0, sizeof(*inv), &num));
	inv[0].flags = 0xffffffff;
	num = 1;
	T_ERRNO(EOPNOTSUPP, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	T_EQ(0, num);
	inv[0].flags = 0;
	inv[0].__reserved = 1;
	num = 1;
	T_ERRNO(EOPNOTSUPP, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	inv[0].__reserved = 0;
	inv[0].addr = 0x1001;
	inv[0].npages = 1;
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	inv[0].addr = 0x1000;
	inv[0].npages = UINT64_MAX;
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	T_EQ(0, log.calls);
	/* Two entries, the second bad: one processed and applied. */
	inv[0].npages = 4;
	inv[0].flags = IOMMU_VTD_INV_FLAGS_LEAF;
	inv[1].addr = 0x2001;
	inv[1].npages = 1;
	num = 2;
	T_ERRNO(EINVAL, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	T_EQ(1, num);
	T_EQ(1, log.calls);
	T_EQ(0x1000, log.addr);
	T_EQ(4, log.npages);
	T_CHECK(log.leaf);
	/* Two good ones, the second the "everything" form. */
	inv[1].addr = 0;
	inv[1].npages = UINT64_MAX;
	num = 2;
	T_EQ(0, t_invalidate(fd, nested[0], inv, 0, sizeof(*inv), &num));
	T_EQ(2, num);
	T_EQ(3, log.calls);
	T_EQ(UINT64_MAX, log.npages);
	sim_iommu_notifier_unregister(&n);

	/* Attach-time VT-d checks of the S1 config (EINVAL, nothing attached). */
	{
		struct iommu_hwpt_vtd_s1 bad = s1;
		uint32_t h;

		bad.addr_width = 39;
		T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &bad, sizeof(bad), &h));
		pt = h;
		T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, false, 0));
		T_EQ(0, t_destroy(fd, h));
		bad.addr_width = 57;
		bad.flags = IOMMU_VTD_S1_SRE;
		T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &bad, sizeof(bad), &h));
		pt = h;
		T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, false, 0));
		T_EQ(0, t_destroy(fd, h));
		bad.flags = IOMMU_VTD_S1_WPE;
		T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, parent, VTD, &bad, sizeof(bad), &h));
		pt = h;
		T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
		T_EQ(h, pt);
		T_ERRNO(EBUSY, t_destroy(fd, h));
		T_EQ(0, t_vfio_detach(vfd, false, 0));
		T_EQ(0, t_destroy(fd, h));
	}

	/* Dirty tracking on a domain without it. */
	{
		struct iommu_hwpt_set_dirty_tracking set = { .size = sizeof(set),
							     .hwpt_id = parent,
							     .flags = 1 };
		struct iommu_hwpt_get_dirty_bitmap get = {
			.size = sizeof(get), .hwpt_id = parent, .length = PAGE, .page_size = PAGE
		};

		T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
		set.flags = 2;
		T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
		set.flags = 0;
		set.hwpt_id = nested[0];
		T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
		T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	}

	T_EQ(0, t_destroy(fd, nested[0]));
	T_EQ(0, t_destroy(fd, nested[1]));
	T_EQ(0, t_destroy(fd, parent));
	T_EQ(0, t_destroy(fd, not_parent));
	T_EQ(0, t_destroy(fd, ioas));
	/* The device object is held by its binding. */
	T_ERRNO(EBUSY, t_destroy(fd, dev_id));
	T_EQ(0, svart_sim_close(vfd));
	T_ERRNO(ENOENT, t_destroy(fd, dev_id));
	sim_pdev_destroy(pdev);
	T_EQ(0, svart_sim_close(fd));
}

static void test_get_hw_info(void)
{
	int fd = svart_sim_iommufd_open(), idx, idx2, vfd, vfd2;
	struct sim_pdev *pdev = t_pdev("0000:6a:01.0", 20, &idx);
	struct sim_pdev *plain = t_pdev("0000:6a:02.0", 0, &idx2);
	struct {
		struct iommu_hw_info_vtd vtd;
		uint64_t extra;
	} data;
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };
	uint32_t dev_id, dev2;

	vfd = t_vfio_open(idx);
	dev_id = t_vfio_bind(vfd, fd);
	vfd2 = t_vfio_open(idx2);
	dev2 = t_vfio_bind(vfd2, fd);

	cmd.dev_id = dev_id;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd)); /* data_len 0 */
	T_EQ(sizeof(struct iommu_hw_info_vtd), cmd.data_len);
	T_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, cmd.out_data_type);
	T_EQ(20, cmd.out_max_pasid_log2);
	T_EQ(0, cmd.out_capabilities); /* ATS supported, no dirty tracking */

	memset(&data, 0xa5, sizeof(data));
	cmd.data_len = sizeof(data);
	cmd.data_uptr = (uintptr_t)&data;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	T_EQ(sizeof(data.vtd), cmd.data_len);
	T_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, data.vtd.flags);
	T_EQ(0, data.extra); /* tail zeroed */
	/* The capabilities sim promises (bit positions from intel/iommu.h). */
	T_EQ(1, (data.vtd.ecap_reg >> 26) & 1); /* NEST */
	T_EQ(1, (data.vtd.ecap_reg >> 29) & 1); /* PRS */
	T_EQ(19, (data.vtd.ecap_reg >> 35) & 0x1f); /* PSS: 20 bits */
	T_EQ(1, (data.vtd.ecap_reg >> 40) & 1); /* PASID */
	T_EQ(1, (data.vtd.ecap_reg >> 2) & 1); /* device TLB */
	T_EQ(1, (data.vtd.cap_reg >> 60) & 1); /* FL5LP */
	T_EQ(1, (data.vtd.cap_reg >> 56) & 1); /* FL1GP */
	T_EQ(1, (data.vtd.cap_reg >> 39) & 1); /* PSI */
	T_EQ(0, (data.vtd.ecap_reg >> 31) & 1); /* no SRS */

	/* Short buffer: partially filled. */
	memset(&data, 0xa5, sizeof(data));
	cmd.data_len = 4;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	T_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, data.vtd.flags);
	T_EQ(0xa5a5a5a5, data.vtd.__reserved);
	T_EQ(sizeof(data.vtd), cmd.data_len);

	/* Requested types. */
	cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 0;
	cmd.in_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3; /* ignored without the flag */
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 2;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.__reserved[1] = 0;
	cmd.data_uptr = 0;
	cmd.data_len = 8;
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));

	/* The device without PASID or ATS. */
	cmd.dev_id = dev2;
	cmd.data_len = 0;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));
	T_EQ(0, cmd.out_max_pasid_log2);
	T_EQ(IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, cmd.out_capabilities);
	/* Not a device. */
	cmd.dev_id = t_ioas_alloc(fd);
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd));

	T_EQ(0, svart_sim_close(vfd));
	T_EQ(0, svart_sim_close(vfd2));
	sim_pdev_destroy(pdev);
	sim_pdev_destroy(plain);
	T_EQ(0, svart_sim_close(fd));
}

int main(void)
{
	test_alloc_hwpt_nested();
	test_get_hw_info();
	return t_done("sim_iommufd_hwpt");
}
