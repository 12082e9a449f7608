// SPDX-License-Identifier: MIT
/*
 * The system <linux/iommufd.h> as data, for tests/abi_iommufd_system.c. Only this file may
 * include the system header: svart's pasid/iommufd_uapi.h refuses to share a translation unit
 * with it.
 *
 * A struct member's presence cannot be tested by the preprocessor, so each struct and each
 * field that appeared after the first release (Linux 6.2) is listed only when an ioctl macro
 * that arrived in the same release or later is defined. The stand-ins are chosen late rather
 * than early: an older header then gets fewer comparisons, never a build failure.
 *   IOMMU_HWPT_INVALIDATE (6.8):     HWPT_ALLOC data_*, GET_HW_INFO out_capabilities,
 *                                    struct iommu_hwpt_vtd_s1 and the VT-d flags (6.7)
 *   IOMMU_FAULT_QUEUE_ALLOC (6.11):  HWPT_ALLOC fault_id and __reserved2, fault records
 *   IOMMU_IOAS_CHANGE_PROCESS:       the named __reserved in struct iommu_hwpt_pgfault
 *   IOMMU_HW_QUEUE_ALLOC:            GET_HW_INFO out_max_pasid_log2 and __reserved (both
 *                                    carved from a u32 __reserved), VIOMMU_ALLOC data_*,
 *                                    HWPT_ALLOC_PASID, the PASID capability bits and the
 *                                    ARM SMMUv3 vIOMMU type
 * Values added only by Linux 7.0 (IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, the AMD types) have no
 * such stand-in yet and are not compared.
 *
 * Debian 12 has no <linux/iommufd.h>: there both functions return 0. How the comparison was
 * checked against real kernel headers anyway is told at the top of tests/abi_iommufd_system.c.
 */
#include <stddef.h>

#include "support/abi_iommufd_sys.h"

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#define T_HAVE_SYS_IOMMUFD 1
#endif
#endif

#ifdef T_HAVE_SYS_IOMMUFD
#include <linux/iommufd.h>

#define F(type, field)                                                  \
	{                                                               \
		.name = #field, .offset = offsetof(struct type, field), \
		.size = sizeof(((struct type *)0)->field)               \
	}
#define S(type, arr)                                                       \
	{                                                                  \
		.name = #type, .size = sizeof(struct type),                \
		.nr_fields = sizeof(arr) / sizeof((arr)[0]), .fields = arr \
	}
#define V(val)                                                   \
	{                                                        \
		.name = #val, .value = (unsigned long long)(val) \
	}

static const struct t_abi_field destroy_fields[] = {
	F(iommu_destroy, size),
	F(iommu_destroy, id),
};

static const struct t_abi_field ioas_alloc_fields[] = {
	F(iommu_ioas_alloc, size),
	F(iommu_ioas_alloc, flags),
	F(iommu_ioas_alloc, out_ioas_id),
};

static const struct t_abi_field iova_range_fields[] = {
	F(iommu_iova_range, start),
	F(iommu_iova_range, last),
};

static const struct t_abi_field iova_ranges_fields[] = {
	F(iommu_ioas_iova_ranges, size),	  F(iommu_ioas_iova_ranges, ioas_id),
	F(iommu_ioas_iova_ranges, num_iovas),	  F(iommu_ioas_iova_ranges, __reserved),
	F(iommu_ioas_iova_ranges, allowed_iovas), F(iommu_ioas_iova_ranges, out_iova_alignment),
};

static const struct t_abi_field allow_iovas_fields[] = {
	F(iommu_ioas_allow_iovas, size),	  F(iommu_ioas_allow_iovas, ioas_id),
	F(iommu_ioas_allow_iovas, num_iovas),	  F(iommu_ioas_allow_iovas, __reserved),
	F(iommu_ioas_allow_iovas, allowed_iovas),
};

static const struct t_abi_field map_fields[] = {
	F(iommu_ioas_map, size),       F(iommu_ioas_map, flags),   F(iommu_ioas_map, ioas_id),
	F(iommu_ioas_map, __reserved), F(iommu_ioas_map, user_va), F(iommu_ioas_map, length),
	F(iommu_ioas_map, iova),
};

static const struct t_abi_field copy_fields[] = {
	F(iommu_ioas_copy, size),	 F(iommu_ioas_copy, flags),
	F(iommu_ioas_copy, dst_ioas_id), F(iommu_ioas_copy, src_ioas_id),
	F(iommu_ioas_copy, length),	 F(iommu_ioas_copy, dst_iova),
	F(iommu_ioas_copy, src_iova),
};

static const struct t_abi_field unmap_fields[] = {
	F(iommu_ioas_unmap, size),
	F(iommu_ioas_unmap, ioas_id),
	F(iommu_ioas_unmap, iova),
	F(iommu_ioas_unmap, length),
};

static const struct t_abi_field option_fields[] = {
	F(iommu_option, size),	     F(iommu_option, option_id), F(iommu_option, op),
	F(iommu_option, __reserved), F(iommu_option, object_id), F(iommu_option, val64),
};

static const struct t_abi_field vfio_ioas_fields[] = {
	F(iommu_vfio_ioas, size),
	F(iommu_vfio_ioas, ioas_id),
	F(iommu_vfio_ioas, op),
	F(iommu_vfio_ioas, __reserved),
};

#ifdef IOMMU_HWPT_ALLOC
static const struct t_abi_field hwpt_alloc_fields[] = {
	F(iommu_hwpt_alloc, size),	  F(iommu_hwpt_alloc, flags),
	F(iommu_hwpt_alloc, dev_id),	  F(iommu_hwpt_alloc, pt_id),
	F(iommu_hwpt_alloc, out_hwpt_id), F(iommu_hwpt_alloc, __reserved),
#ifdef IOMMU_HWPT_INVALIDATE
	F(iommu_hwpt_alloc, data_type),	  F(iommu_hwpt_alloc, data_len),
	F(iommu_hwpt_alloc, data_uptr),
#endif
#ifdef IOMMU_FAULT_QUEUE_ALLOC
	F(iommu_hwpt_alloc, fault_id),	  F(iommu_hwpt_alloc, __reserved2),
#endif
};
#endif

#ifdef IOMMU_GET_HW_INFO
static const struct t_abi_field hw_info_fields[] = {
	F(iommu_hw_info, size),
	F(iommu_hw_info, flags),
	F(iommu_hw_info, dev_id),
	F(iommu_hw_info, data_len),
	F(iommu_hw_info, data_uptr),
	F(iommu_hw_info, out_data_type),
#ifdef IOMMU_HWPT_INVALIDATE
	F(iommu_hw_info, out_capabilities),
#endif
#ifdef IOMMU_HW_QUEUE_ALLOC
	F(iommu_hw_info, out_max_pasid_log2),
	F(iommu_hw_info, __reserved),
#endif
};

static const struct t_abi_field hw_info_vtd_fields[] = {
	F(iommu_hw_info_vtd, flags),
	F(iommu_hw_info_vtd, __reserved),
	F(iommu_hw_info_vtd, cap_reg),
	F(iommu_hw_info_vtd, ecap_reg),
};
#endif

#ifdef IOMMU_HWPT_SET_DIRTY_TRACKING
static const struct t_abi_field set_dirty_fields[] = {
	F(iommu_hwpt_set_dirty_tracking, size),
	F(iommu_hwpt_set_dirty_tracking, flags),
	F(iommu_hwpt_set_dirty_tracking, hwpt_id),
	F(iommu_hwpt_set_dirty_tracking, __reserved),
};
#endif

#ifdef IOMMU_HWPT_GET_DIRTY_BITMAP
static const struct t_abi_field get_dirty_fields[] = {
	F(iommu_hwpt_get_dirty_bitmap, size),	   F(iommu_hwpt_get_dirty_bitmap, hwpt_id),
	F(iommu_hwpt_get_dirty_bitmap, flags),	   F(iommu_hwpt_get_dirty_bitmap, __reserved),
	F(iommu_hwpt_get_dirty_bitmap, iova),	   F(iommu_hwpt_get_dirty_bitmap, length),
	F(iommu_hwpt_get_dirty_bitmap, page_size), F(iommu_hwpt_get_dirty_bitmap, data),
};
#endif

#ifdef IOMMU_HWPT_INVALIDATE
static const struct t_abi_field hwpt_vtd_s1_fields[] = {
	F(iommu_hwpt_vtd_s1, flags),
	F(iommu_hwpt_vtd_s1, pgtbl_addr),
	F(iommu_hwpt_vtd_s1, addr_width),
	F(iommu_hwpt_vtd_s1, __reserved),
};

static const struct t_abi_field invalidate_fields[] = {
	F(iommu_hwpt_invalidate, size),	      F(iommu_hwpt_invalidate, hwpt_id),
	F(iommu_hwpt_invalidate, data_uptr),  F(iommu_hwpt_invalidate, data_type),
	F(iommu_hwpt_invalidate, entry_len),  F(iommu_hwpt_invalidate, entry_num),
	F(iommu_hwpt_invalidate, __reserved),
};

static const struct t_abi_field vtd_s1_invalidate_fields[] = {
	F(iommu_hwpt_vtd_s1_invalidate, addr),
	F(iommu_hwpt_vtd_s1_invalidate, npages),
	F(iommu_hwpt_vtd_s1_invalidate, flags),
	F(iommu_hwpt_vtd_s1_invalidate, __reserved),
};
#endif

#ifdef IOMMU_FAULT_QUEUE_ALLOC
static const struct t_abi_field pgfault_fields[] = {
	F(iommu_hwpt_pgfault, flags),	   F(iommu_hwpt_pgfault, dev_id),
	F(iommu_hwpt_pgfault, pasid),	   F(iommu_hwpt_pgfault, grpid),
	F(iommu_hwpt_pgfault, perm),
#ifdef IOMMU_IOAS_CHANGE_PROCESS
	F(iommu_hwpt_pgfault, __reserved),
#endif
	F(iommu_hwpt_pgfault, addr),	   F(iommu_hwpt_pgfault, length),
	F(iommu_hwpt_pgfault, cookie),
};

static const struct t_abi_field page_response_fields[] = {
	F(iommu_hwpt_page_response, cookie),
	F(iommu_hwpt_page_response, code),
};

static const struct t_abi_field fault_alloc_fields[] = {
	F(iommu_fault_alloc, size),
	F(iommu_fault_alloc, flags),
	F(iommu_fault_alloc, out_fault_id),
	F(iommu_fault_alloc, out_fault_fd),
};
#endif

#ifdef IOMMU_IOAS_MAP_FILE
static const struct t_abi_field map_file_fields[] = {
	F(iommu_ioas_map_file, size),	 F(iommu_ioas_map_file, flags),
	F(iommu_ioas_map_file, ioas_id), F(iommu_ioas_map_file, fd),
	F(iommu_ioas_map_file, start),	 F(iommu_ioas_map_file, length),
	F(iommu_ioas_map_file, iova),
};
#endif

#ifdef IOMMU_VIOMMU_ALLOC
static const struct t_abi_field viommu_alloc_fields[] = {
	F(iommu_viommu_alloc, size),	  F(iommu_viommu_alloc, flags),
	F(iommu_viommu_alloc, type),	  F(iommu_viommu_alloc, dev_id),
	F(iommu_viommu_alloc, hwpt_id),	  F(iommu_viommu_alloc, out_viommu_id),
#ifdef IOMMU_HW_QUEUE_ALLOC
	F(iommu_viommu_alloc, data_len),  F(iommu_viommu_alloc, __reserved),
	F(iommu_viommu_alloc, data_uptr),
#endif
};
#endif

#ifdef IOMMU_VDEVICE_ALLOC
static const struct t_abi_field vdevice_alloc_fields[] = {
	F(iommu_vdevice_alloc, size),	 F(iommu_vdevice_alloc, viommu_id),
	F(iommu_vdevice_alloc, dev_id),	 F(iommu_vdevice_alloc, out_vdevice_id),
	F(iommu_vdevice_alloc, virt_id),
};
#endif

static const struct t_abi_struct sys_structs[] = {
	S(iommu_destroy, destroy_fields),
	S(iommu_ioas_alloc, ioas_alloc_fields),
	S(iommu_iova_range, iova_range_fields),
	S(iommu_ioas_iova_ranges, iova_ranges_fields),
	S(iommu_ioas_allow_iovas, allow_iovas_fields),
	S(iommu_ioas_map, map_fields),
	S(iommu_ioas_copy, copy_fields),
	S(iommu_ioas_unmap, unmap_fields),
	S(iommu_option, option_fields),
	S(iommu_vfio_ioas, vfio_ioas_fields),
#ifdef IOMMU_HWPT_ALLOC
	S(iommu_hwpt_alloc, hwpt_alloc_fields),
#endif
#ifdef IOMMU_GET_HW_INFO
	S(iommu_hw_info, hw_info_fields),
	S(iommu_hw_info_vtd, hw_info_vtd_fields),
#endif
#ifdef IOMMU_HWPT_SET_DIRTY_TRACKING
	S(iommu_hwpt_set_dirty_tracking, set_dirty_fields),
#endif
#ifdef IOMMU_HWPT_GET_DIRTY_BITMAP
	S(iommu_hwpt_get_dirty_bitmap, get_dirty_fields),
#endif
#ifdef IOMMU_HWPT_INVALIDATE
	S(iommu_hwpt_vtd_s1, hwpt_vtd_s1_fields),
	S(iommu_hwpt_invalidate, invalidate_fields),
	S(iommu_hwpt_vtd_s1_invalidate, vtd_s1_invalidate_fields),
#endif
#ifdef IOMMU_FAULT_QUEUE_ALLOC
	S(iommu_hwpt_pgfault, pgfault_fields),
	S(iommu_hwpt_page_response, page_response_fields),
	S(iommu_fault_alloc, fault_alloc_fields),
#endif
#ifdef IOMMU_IOAS_MAP_FILE
	S(iommu_ioas_map_file, map_file_fields),
#endif
#ifdef IOMMU_VIOMMU_ALLOC
	S(iommu_viommu_alloc, viommu_alloc_fields),
#endif
#ifdef IOMMU_VDEVICE_ALLOC
	S(iommu_vdevice_alloc, vdevice_alloc_fields),
#endif
};

static const struct t_abi_value sys_values[] = {
	V(IOMMUFD_TYPE),
	V(IOMMU_DESTROY),
	V(IOMMU_IOAS_ALLOC),
	V(IOMMU_IOAS_ALLOW_IOVAS),
	V(IOMMU_IOAS_COPY),
	V(IOMMU_IOAS_IOVA_RANGES),
	V(IOMMU_IOAS_MAP),
	V(IOMMU_IOAS_UNMAP),
	V(IOMMU_OPTION),
	V(IOMMU_VFIO_IOAS),
	V(IOMMU_IOAS_MAP_FIXED_IOVA),
	V(IOMMU_IOAS_MAP_WRITEABLE),
	V(IOMMU_IOAS_MAP_READABLE),
	V(IOMMU_OPTION_RLIMIT_MODE),
	V(IOMMU_OPTION_HUGE_PAGES),
	V(IOMMU_OPTION_OP_SET),
	V(IOMMU_OPTION_OP_GET),
	V(IOMMU_VFIO_IOAS_GET),
	V(IOMMU_VFIO_IOAS_SET),
	V(IOMMU_VFIO_IOAS_CLEAR),
#ifdef IOMMU_HWPT_ALLOC
	V(IOMMU_HWPT_ALLOC),
#endif
#ifdef IOMMU_GET_HW_INFO
	V(IOMMU_GET_HW_INFO),
	V(IOMMU_HW_INFO_TYPE_NONE),
	V(IOMMU_HW_INFO_TYPE_INTEL_VTD),
#endif
#ifdef IOMMU_HWPT_SET_DIRTY_TRACKING
	V(IOMMU_HWPT_SET_DIRTY_TRACKING),
	V(IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
#endif
#ifdef IOMMU_HWPT_GET_DIRTY_BITMAP
	V(IOMMU_HWPT_GET_DIRTY_BITMAP),
	V(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
#endif
#ifdef IOMMU_HWPT_INVALIDATE
	V(IOMMU_HWPT_INVALIDATE),
	V(IOMMU_HWPT_ALLOC_NEST_PARENT),
	V(IOMMU_HWPT_ALLOC_DIRTY_TRACKING),
	V(IOMMU_HW_CAP_DIRTY_TRACKING),
	V(IOMMU_HWPT_DATA_NONE),
	V(IOMMU_HWPT_DATA_VTD_S1),
	V(IOMMU_VTD_S1_SRE),
	V(IOMMU_VTD_S1_EAFE),
	V(IOMMU_VTD_S1_WPE),
	V(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17),
	V(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1),
	V(IOMMU_VTD_INV_FLAGS_LEAF),
#endif
#ifdef IOMMU_FAULT_QUEUE_ALLOC
	V(IOMMU_FAULT_QUEUE_ALLOC),
	V(IOMMU_HWPT_FAULT_ID_VALID),
	V(IOMMU_PGFAULT_FLAGS_PASID_VALID),
	V(IOMMU_PGFAULT_FLAGS_LAST_PAGE),
	V(IOMMU_PGFAULT_PERM_READ),
	V(IOMMU_PGFAULT_PERM_WRITE),
	V(IOMMU_PGFAULT_PERM_EXEC),
	V(IOMMU_PGFAULT_PERM_PRIV),
	V(IOMMUFD_PAGE_RESP_SUCCESS),
	V(IOMMUFD_PAGE_RESP_INVALID),
#endif
#ifdef IOMMU_IOAS_MAP_FILE
	V(IOMMU_IOAS_MAP_FILE),
#endif
#ifdef IOMMU_VIOMMU_ALLOC
	V(IOMMU_VIOMMU_ALLOC),
	V(IOMMU_VIOMMU_TYPE_DEFAULT),
#endif
#ifdef IOMMU_VDEVICE_ALLOC
	V(IOMMU_VDEVICE_ALLOC),
#endif
#ifdef IOMMU_HW_QUEUE_ALLOC
	V(IOMMU_HWPT_ALLOC_PASID),
	V(IOMMU_HW_CAP_PCI_PASID_EXEC),
	V(IOMMU_HW_CAP_PCI_PASID_PRIV),
	V(IOMMU_VIOMMU_TYPE_ARM_SMMUV3),
#endif
};

unsigned int t_abi_iommufd_sys_structs(const struct t_abi_struct **structs)
{
	*structs = sys_structs;
	return sizeof(sys_structs) / sizeof(sys_structs[0]);
}

unsigned int t_abi_iommufd_sys_values(const struct t_abi_value **values)
{
	*values = sys_values;
	return sizeof(sys_values) / sizeof(sys_values[0]);
}

#else /* !T_HAVE_SYS_IOMMUFD */

unsigned int t_abi_iommufd_sys_structs(const struct t_abi_struct **structs)
{
	*structs = NULL;
	return 0;
}

unsigned int t_abi_iommufd_sys_values(const struct t_abi_value **values)
{
	*values = NULL;
	return 0;
}

#endif
