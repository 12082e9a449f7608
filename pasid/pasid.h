/* SPDX-License-Identifier: MIT */
/*
 * pasid/: svart's iommufd client. Typed wrappers over the iommufd and VFIO cdev commands,
 * returning 0 / a count or -errno. They go through the OS layer, so the same calls drive the
 * kernel's /dev/iommu and sim's.
 *
 * The wrappers validate nothing the kernel validates: passing bad values through is how the
 * tests check that sim answers like the kernel. They only fill the structs completely (size,
 * zeroed reserved fields) so a caller cannot forget one.
 */
#ifndef SVART_PASID_H
#define SVART_PASID_H

#include <stdbool.h>
#include <stdint.h>

#include "pasid/iommufd_uapi.h"
#include "pasid/vfio_uapi.h"

/* Generic */
int pasid_destroy(int iommufd, uint32_t id);

/* IOAS */
int pasid_ioas_alloc(int iommufd, uint32_t *out_ioas_id);
/*
 * pasid_ioas_map() - map @length bytes of process memory at @va into @ioas_id.
 * @flags: IOMMU_IOAS_MAP_{READABLE,WRITEABLE,FIXED_IOVA}.
 * @iova: in: the IOVA with FIXED_IOVA; out: the IOVA used.
 */
int pasid_ioas_map(int iommufd, uint32_t ioas_id, const void *va, uint64_t length, uint32_t flags,
		   uint64_t *iova);
/* @unmapped (may be NULL): bytes unmapped. iova 0 + length UINT64_MAX unmaps everything. */
int pasid_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		     uint64_t *unmapped);
int pasid_ioas_copy(int iommufd, uint32_t dst_ioas_id, uint64_t dst_iova, uint32_t src_ioas_id,
		    uint64_t src_iova, uint64_t length, uint32_t flags);
int pasid_ioas_allow_iovas(int iommufd, uint32_t ioas_id, const struct iommu_iova_range *ranges,
			   uint32_t num);
/*
 * pasid_ioas_iova_ranges() - the usable IOVA ranges of an IOAS.
 * @num: in: capacity of @ranges; out: the total number of ranges.
 * Return: 0, or -EMSGSIZE when @ranges was too small (*num says how many there are, the first
 * entries are filled), or another -errno.
 */
int pasid_ioas_iova_ranges(int iommufd, uint32_t ioas_id, struct iommu_iova_range *ranges,
			   uint32_t *num, uint64_t *alignment);
/* OPTION: @op IOMMU_OPTION_OP_SET / _GET; @val in for SET, out for GET. */
int pasid_option(int iommufd, uint32_t option_id, uint16_t op, uint32_t object_id, uint64_t *val);

/* Device information (GET_HW_INFO) for a VT-d device. */
struct pasid_hw_info {
	uint32_t data_type; /* IOMMU_HW_INFO_TYPE_* */
	uint8_t max_pasid_log2; /* 0: no PASID support */
	uint64_t capabilities; /* IOMMU_HW_CAP_* */
	struct iommu_hw_info_vtd vtd; /* valid when data_type is INTEL_VTD */
};
int pasid_hw_info(int iommufd, uint32_t dev_id, struct pasid_hw_info *out);

/* HW pagetables */
/* @flags: IOMMU_HWPT_ALLOC_{NEST_PARENT,PASID,...}; @pt_id: an IOAS. */
int pasid_hwpt_alloc_paging(int iommufd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			    uint32_t *out_hwpt_id);
/*
 * pasid_hwpt_alloc_nested() - a nested HWPT whose first stage is the VT-d table @s1.
 * @parent_id: a NEST_PARENT paging HWPT.
 * @fault_id: a FAULT object to deliver page requests to, or 0 for none.
 * @flags: extra IOMMU_HWPT_ALLOC_* flags (e.g. PASID); FAULT_ID_VALID is added for @fault_id.
 */
int pasid_hwpt_alloc_nested(int iommufd, uint32_t dev_id, uint32_t parent_id,
			    const struct iommu_hwpt_vtd_s1 *s1, uint32_t fault_id, uint32_t flags,
			    uint32_t *out_hwpt_id);
/*
 * pasid_hwpt_invalidate() - VT-d first-stage invalidation.
 * @num: in: entries in @inv; out: entries the kernel processed (also on failure).
 */
int pasid_hwpt_invalidate(int iommufd, uint32_t hwpt_id,
			  const struct iommu_hwpt_vtd_s1_invalidate *inv, uint32_t *num);

/* Fault queues */
int pasid_fault_queue_alloc(int iommufd, uint32_t *out_fault_id, int *out_fault_fd);
/*
 * pasid_fault_read() - read whole fault groups (non-blocking).
 * Return: the number of records read (0: nothing pending), or -errno.
 */
int pasid_fault_read(int fault_fd, struct iommu_hwpt_pgfault *recs, unsigned int max);
/* Respond to the group with @cookie: code IOMMUFD_PAGE_RESP_SUCCESS or _INVALID. */
int pasid_fault_respond(int fault_fd, uint32_t cookie, uint32_t code);

/* VFIO device cdev */
int pasid_device_bind(int vfio_fd, int iommufd, uint32_t *out_dev_id);
/*
 * pasid_device_attach() - attach the device's RID (@use_pasid false) or @pasid to @pt_id.
 * @pt_id: in: an IOAS or HWPT; out: the HWPT used (an automatic one for an IOAS).
 * Attaching again replaces the previous attachment (VFIO's semantics).
 */
int pasid_device_attach(int vfio_fd, bool use_pasid, uint32_t pasid, uint32_t *pt_id);
int pasid_device_detach(int vfio_fd, bool use_pasid, uint32_t pasid);

#endif /* SVART_PASID_H */
