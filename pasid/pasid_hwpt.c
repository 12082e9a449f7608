// SPDX-License-Identifier: MIT
/* iommufd client: hardware information and HW pagetables. */
#include <stdint.h>
#include <string.h>

#include "pasid/pasid.h"
#include "runtime/rt_os.h"

int pasid_hw_info(int iommufd, uint32_t dev_id, struct pasid_hw_info *out)
{
	struct iommu_hw_info_vtd vtd = { 0 };
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_GET_HW_INFO, &cmd);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->data_type = cmd.out_data_type;
	out->max_pasid_log2 = cmd.out_max_pasid_log2;
	out->capabilities = cmd.out_capabilities;
	if (cmd.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD)
		out->vtd = vtd;
	return 0;
}

int pasid_hwpt_alloc_paging(int iommufd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			    uint32_t *out_hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out_hwpt_id = cmd.out_hwpt_id;
	return rc;
}

int pasid_hwpt_alloc_nested(int iommufd, uint32_t dev_id, uint32_t parent_id,
			    const struct iommu_hwpt_vtd_s1 *s1, uint32_t fault_id, uint32_t flags,
			    uint32_t *out_hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags | (fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0),
		.dev_id = dev_id,
		.pt_id = parent_id,
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
		.data_len = sizeof(*s1),
		.data_uptr = (uintptr_t)s1,
		.fault_id = fault_id,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out_hwpt_id = cmd.out_hwpt_id;
	return rc;
}

int pasid_hwpt_invalidate(int iommufd, uint32_t hwpt_id,
			  const struct iommu_hwpt_vtd_s1_invalidate *inv, uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(*inv),
		.entry_num = *num,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_HWPT_INVALIDATE, &cmd);

	/* entry_num is written back on failure too: the entries applied before the bad one. */
	*num = cmd.entry_num;
	return rc;
}
