// SPDX-License-Identifier: MIT
/* iommufd client: IOAS commands, DESTROY and OPTION. */
#include <errno.h>
#include <stdint.h>

#include "pasid/pasid.h"
#include "runtime/rt_os.h"

int pasid_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return (int)rt_os_ioctl(iommufd, IOMMU_DESTROY, &cmd);
}

int pasid_ioas_alloc(int iommufd, uint32_t *out_ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc)
		*out_ioas_id = cmd.out_ioas_id;
	return rc;
}

int pasid_ioas_map(int iommufd, uint32_t ioas_id, const void *va, uint64_t length, uint32_t flags,
		   uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = (flags & IOMMU_IOAS_MAP_FIXED_IOVA) ? *iova : 0,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_IOAS_MAP, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

int pasid_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		     uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd);

	if (!rc && unmapped)
		*unmapped = cmd.length;
	return rc;
}

int pasid_ioas_copy(int iommufd, uint32_t dst_ioas_id, uint64_t dst_iova, uint32_t src_ioas_id,
		    uint64_t src_iova, uint64_t length, uint32_t flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst_ioas_id,
		.src_ioas_id = src_ioas_id,
		.length = length,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	return (int)rt_os_ioctl(iommufd, IOMMU_IOAS_COPY, &cmd);
}

int pasid_ioas_allow_iovas(int iommufd, uint32_t ioas_id, const struct iommu_iova_range *ranges,
			   uint32_t num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return (int)rt_os_ioctl(iommufd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

int pasid_ioas_iova_ranges(int iommufd, uint32_t ioas_id, struct iommu_iova_range *ranges,
			   uint32_t *num, uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	/* On EMSGSIZE the kernel still reports how many ranges there are. */
	if (!rc || rc == -EMSGSIZE)
		*num = cmd.num_iovas;
	if (!rc && alignment)
		*alignment = cmd.out_iova_alignment;
	return rc;
}

int pasid_option(int iommufd, uint32_t option_id, uint16_t op, uint32_t object_id, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = op == IOMMU_OPTION_OP_SET ? *val : 0,
	};
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_OPTION, &cmd);

	if (!rc && op == IOMMU_OPTION_OP_GET)
		*val = cmd.val64;
	return rc;
}
