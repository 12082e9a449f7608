/* SPDX-License-Identifier: MIT */
/*
 * The iommufd uAPI (/dev/iommu) as svart uses it, under the kernel's own names so that code
 * built on it reads like the kernel's and can be compared with it line by line.
 *
 * Debian 12's linux-libc-dev (Linux 6.1) ships no <linux/iommufd.h>, and svart needs the
 * layouts of Linux 7.0 (HWPT_ALLOC with fault_id, GET_HW_INFO with the PASID width, fault
 * queues), so the ABI is written out here from its documented layout rather than taken from
 * the build host. Every struct's size and every field's offset and size is pinned with a
 * _Static_assert: a wrong type or order breaks the build instead of talking nonsense to the
 * kernel. tests/abi_iommufd.c checks the numbers again against literal values, and
 * tests/abi_iommufd_system.c against a system <linux/iommufd.h> wherever one exists.
 *
 * The ABI rules sim relies on: each command is _IO(';', nr), with no size bits; each argument
 * struct starts with its own size in bytes; a struct only ever grows at its end, so the kernel
 * accepts any size from the command's min_size (the end of its first released layout) up,
 * zero-extends a short struct and refuses nonzero bytes past its own with E2BIG.
 */
#ifndef PASID_IOMMUFD_UAPI_H
#define PASID_IOMMUFD_UAPI_H

#if defined(_IOMMUFD_H) || defined(_UAPI_IOMMUFD_H)
#error "pasid/iommufd_uapi.h defines the iommufd uAPI under the kernel's own names, so it " \
	"cannot share a translation unit with the system <linux/iommufd.h>: include only one"
#endif
/* Included the other way round, the compiler reports "redefinition of struct iommu_destroy". */

#include <stddef.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

/* The kernel's offsetofend(): the offset of the first byte past @member. */
#define IOMMUFD_OFFSETOFEND(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* Pin the layout: a struct's size, and one field's offset and size. */
#define IOMMUFD_ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), "struct " #type " must be " #size " bytes")
#define IOMMUFD_ABI_CHECK(type, field, off, size)                           \
	_Static_assert(offsetof(struct type, field) == (off) &&             \
			       sizeof(((struct type *)0)->field) == (size), \
		       "struct " #type ": " #field " must be at offset " #off ", " #size " bytes")

#define IOMMUFD_TYPE (';')

enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	/*
	 * Linux 7.0 goes on with IOAS_CHANGE_PROCESS (0x92), VEVENTQ_ALLOC (0x93) and
	 * HW_QUEUE_ALLOC (0x94); svart uses none of them, so they are left out.
	 */
};

/* ---- object lifetime --------------------------------------------------------------------- */

/* Destroy any object by ID; EBUSY while something else still holds it. */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)
IOMMUFD_ABI_SIZE(iommu_destroy, 8);
IOMMUFD_ABI_CHECK(iommu_destroy, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_destroy, id, 4, 4);

/* ---- IO address spaces ------------------------------------------------------------------- */

struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags; /* must be 0 */
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)
IOMMUFD_ABI_SIZE(iommu_ioas_alloc, 12);
IOMMUFD_ABI_CHECK(iommu_ioas_alloc, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_alloc, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_alloc, out_ioas_id, 8, 4);

/* One IOVA interval; @last is inclusive so that the range can reach U64_MAX. */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};
IOMMUFD_ABI_SIZE(iommu_iova_range, 16);
IOMMUFD_ABI_CHECK(iommu_iova_range, start, 0, 8);
IOMMUFD_ABI_CHECK(iommu_iova_range, last, 8, 8);

/*
 * Read the usable IOVA ranges into @allowed_iovas (an array of struct iommu_iova_range of
 * @num_iovas entries). On EMSGSIZE @num_iovas holds the count needed and the array is filled
 * as far as it goes. Ranges narrow as devices attach: read them again after every attach.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas; /* in: array entries; out: ranges in the IOAS */
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)
IOMMUFD_ABI_SIZE(iommu_ioas_iova_ranges, 32);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, ioas_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, num_iovas, 8, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, __reserved, 12, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, allowed_iovas, 16, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_iova_ranges, out_iova_alignment, 24, 8);

/* Replace the list of ranges that must stay usable (num_iovas = 0 clears it). */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)
IOMMUFD_ABI_SIZE(iommu_ioas_allow_iovas, 24);
IOMMUFD_ABI_CHECK(iommu_ioas_allow_iovas, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_allow_iovas, ioas_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_allow_iovas, num_iovas, 8, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_allow_iovas, __reserved, 12, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_allow_iovas, allowed_iovas, 16, 8);

/* Flags of IOAS_MAP, IOAS_MAP_FILE and IOAS_COPY. */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0, /* else the kernel picks @iova and returns it */
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova; /* in with FIXED_IOVA, else out */
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)
IOMMUFD_ABI_SIZE(iommu_ioas_map, 40);
IOMMUFD_ABI_CHECK(iommu_ioas_map, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map, ioas_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map, __reserved, 12, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map, user_va, 16, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_map, length, 24, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_map, iova, 32, 8);

/* IOAS_MAP from a memfd at byte offset @start instead of from a user VA. */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)
IOMMUFD_ABI_SIZE(iommu_ioas_map_file, 40);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, ioas_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, fd, 12, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, start, 16, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, length, 24, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_map_file, iova, 32, 8);

/* Map into @dst_ioas_id what @src_ioas_id maps at [src_iova, src_iova + length). */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)
IOMMUFD_ABI_SIZE(iommu_ioas_copy, 40);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, dst_ioas_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, src_ioas_id, 12, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, length, 16, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, dst_iova, 24, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_copy, src_iova, 32, 8);

/* Unmap whole areas inside the range (iova 0, length U64_MAX: everything). */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length; /* in: range; out: bytes unmapped */
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)
IOMMUFD_ABI_SIZE(iommu_ioas_unmap, 24);
IOMMUFD_ABI_CHECK(iommu_ioas_unmap, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_unmap, ioas_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_ioas_unmap, iova, 8, 8);
IOMMUFD_ABI_CHECK(iommu_ioas_unmap, length, 16, 8);

/* ---- options and VFIO compatibility ------------------------------------------------------ */

enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0, /* global: object_id must be 0 */
	IOMMU_OPTION_HUGE_PAGES = 1, /* per IOAS: object_id is the IOAS */
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)
IOMMUFD_ABI_SIZE(iommu_option, 24);
IOMMUFD_ABI_CHECK(iommu_option, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_option, option_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_option, op, 8, 2);
IOMMUFD_ABI_CHECK(iommu_option, __reserved, 10, 2);
IOMMUFD_ABI_CHECK(iommu_option, object_id, 12, 4);
IOMMUFD_ABI_CHECK(iommu_option, val64, 16, 8);

enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/* Choose the IOAS that the VFIO container emulation on this iommufd uses. */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)
IOMMUFD_ABI_SIZE(iommu_vfio_ioas, 12);
IOMMUFD_ABI_CHECK(iommu_vfio_ioas, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_vfio_ioas, ioas_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_vfio_ioas, op, 8, 2);
IOMMUFD_ABI_CHECK(iommu_vfio_ioas, __reserved, 10, 2);

/* ---- hardware page tables ---------------------------------------------------------------- */

enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2, /* @fault_id is meaningful */
	IOMMU_HWPT_ALLOC_PASID = 1 << 3, /* may be attached to PASIDs */
};

/* Attributes of a VT-d first-stage (guest) page table. */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0, /* supervisor requests */
	IOMMU_VTD_S1_EAFE = 1 << 1, /* extended access flag */
	IOMMU_VTD_S1_WPE = 1 << 2, /* write protect */
};

/* Driver data of HWPT_ALLOC with IOMMU_HWPT_DATA_VTD_S1: a nested first-stage table. */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr; /* an IOVA of the parent (stage-2) IOAS */
	__u32 addr_width; /* 48 (4 levels) or 57 (5 levels) */
	__u32 __reserved;
};
IOMMUFD_ABI_SIZE(iommu_hwpt_vtd_s1, 24);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1, flags, 0, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1, pgtbl_addr, 8, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1, addr_width, 16, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1, __reserved, 20, 4);

enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	IOMMU_HWPT_DATA_AMD_GUEST = 3,
};

/*
 * Allocate a HWPT on @pt_id: from an IOAS a kernel-managed (paging) table, from a NEST_PARENT
 * HWPT or a vIOMMU a user-managed (nested) one described by @data_type and @data_uptr.
 * min_size is 24: data_* and fault_id came later and read as 0 when the caller's struct is
 * shorter.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id; /* with IOMMU_HWPT_FAULT_ID_VALID */
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)
IOMMUFD_ABI_SIZE(iommu_hwpt_alloc, 48);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, dev_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, pt_id, 12, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, out_hwpt_id, 16, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, __reserved, 20, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, data_type, 24, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, data_len, 28, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, data_uptr, 32, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, fault_id, 40, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_alloc, __reserved2, 44, 4);

/* ---- hardware information ---------------------------------------------------------------- */

enum iommu_hw_info_vtd_flags {
	/* Read-only mappings are refused on a nesting parent (Intel erratum 772415, SPR17). */
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/* GET_HW_INFO data of IOMMU_HW_INFO_TYPE_INTEL_VTD: the raw VT-d CAP and ECAP registers. */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};
IOMMUFD_ABI_SIZE(iommu_hw_info_vtd, 24);
IOMMUFD_ABI_CHECK(iommu_hw_info_vtd, flags, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info_vtd, __reserved, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info_vtd, cap_reg, 8, 8);
IOMMUFD_ABI_CHECK(iommu_hw_info_vtd, ecap_reg, 16, 8);

enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0, /* out: the driver reports no data */
	IOMMU_HW_INFO_TYPE_DEFAULT = 0, /* in: whatever the driver reports */
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	/* Negative sense, so that an older kernel's 0 keeps meaning "ATS may be used". */
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0, /* @in_data_type asks for a given type */
};

/*
 * Ask about the IOMMU behind @dev_id. The driver's data (struct iommu_hw_info_vtd on VT-d)
 * goes to @data_uptr, cut to @data_len with the rest of the buffer zeroed; @data_len comes
 * back as the driver's full length. The first layout ended with a u32 __reserved at 28:
 * out_max_pasid_log2 was carved out of it later, and min_size stays 32.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2; /* 0: no PASID support */
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)
IOMMUFD_ABI_SIZE(iommu_hw_info, 40);
IOMMUFD_ABI_CHECK(iommu_hw_info, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, dev_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, data_len, 12, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, data_uptr, 16, 8);
IOMMUFD_ABI_CHECK(iommu_hw_info, in_data_type, 24, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, out_data_type, 24, 4);
IOMMUFD_ABI_CHECK(iommu_hw_info, out_max_pasid_log2, 28, 1);
IOMMUFD_ABI_CHECK(iommu_hw_info, __reserved, 29, 3);
IOMMUFD_ABI_CHECK(iommu_hw_info, out_capabilities, 32, 8);

/* ---- dirty tracking (svart never enables it; sim answers with the kernel's errors) ------- */

enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)
IOMMUFD_ABI_SIZE(iommu_hwpt_set_dirty_tracking, 16);
IOMMUFD_ABI_CHECK(iommu_hwpt_set_dirty_tracking, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_set_dirty_tracking, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_set_dirty_tracking, hwpt_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_set_dirty_tracking, __reserved, 12, 4);

enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/* One bit per @page_size of [iova, iova + length) into the u64 array at @data. */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)
IOMMUFD_ABI_SIZE(iommu_hwpt_get_dirty_bitmap, 48);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, flags, 8, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, __reserved, 12, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, iova, 16, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, length, 24, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, page_size, 32, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_get_dirty_bitmap, data, 40, 8);

/* ---- cache invalidation of user-managed tables ------------------------------------------- */

/* Not the same numbering as enum iommu_hwpt_data_type: VT-d is 0 here and 1 there. */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0, /* only leaf entries changed */
};

/* One VT-d request: @npages 4 KiB pages from @addr; addr 0 with npages U64_MAX is all. */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};
IOMMUFD_ABI_SIZE(iommu_hwpt_vtd_s1_invalidate, 24);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1_invalidate, addr, 0, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1_invalidate, npages, 8, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1_invalidate, flags, 16, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_vtd_s1_invalidate, __reserved, 20, 4);

/*
 * Run @entry_num requests of @entry_len bytes each from @data_uptr against a nested HWPT (or
 * vIOMMU). @entry_num comes back as the number handled, on failure too; 0 only probes whether
 * @data_type is accepted.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)
IOMMUFD_ABI_SIZE(iommu_hwpt_invalidate, 32);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, hwpt_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, data_uptr, 8, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, data_type, 16, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, entry_len, 20, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, entry_num, 24, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_invalidate, __reserved, 28, 4);

/* ---- I/O page faults --------------------------------------------------------------------- */

enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1, /* the last record of its group */
};

enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = 1 << 0,
	IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};

/*
 * One record read from a fault queue fd (reads take whole groups of whole records). Every
 * record of a group carries the group's @cookie, which the response echoes.
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length; /* a size hint; the kernel leaves it 0 */
	__u32 cookie;
};
IOMMUFD_ABI_SIZE(iommu_hwpt_pgfault, 40);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, flags, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, dev_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, pasid, 8, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, grpid, 12, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, perm, 16, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, __reserved, 20, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, addr, 24, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, length, 32, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_pgfault, cookie, 36, 4);

/* PCIe page request response codes. */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0, /* tables fixed up: retry the access */
	IOMMUFD_PAGE_RESP_INVALID = 1, /* give up on the access */
};

/* One response written to a fault queue fd; completes the whole group of @cookie. */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};
IOMMUFD_ABI_SIZE(iommu_hwpt_page_response, 8);
IOMMUFD_ABI_CHECK(iommu_hwpt_page_response, cookie, 0, 4);
IOMMUFD_ABI_CHECK(iommu_hwpt_page_response, code, 4, 4);

/* Create a fault queue: an object (for HWPT_ALLOC's fault_id) and an fd to read it through. */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags; /* must be 0 */
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)
IOMMUFD_ABI_SIZE(iommu_fault_alloc, 16);
IOMMUFD_ABI_CHECK(iommu_fault_alloc, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_fault_alloc, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_fault_alloc, out_fault_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_fault_alloc, out_fault_fd, 12, 4);

/* ---- virtual IOMMUs ---------------------------------------------------------------------- */

/* Linux 7.0 has no VT-d vIOMMU type: on Intel, nested HWPTs hang off the parent HWPT. */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0, /* reserved: refused */
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/* min_size is 24 (through out_viommu_id): the driver data fields came later. */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id; /* a NEST_PARENT HWPT */
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)
IOMMUFD_ABI_SIZE(iommu_viommu_alloc, 40);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, flags, 4, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, type, 8, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, dev_id, 12, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, hwpt_id, 16, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, out_viommu_id, 20, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, data_len, 24, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, __reserved, 28, 4);
IOMMUFD_ABI_CHECK(iommu_viommu_alloc, data_uptr, 32, 8);

/* A device as the guest sees it on a vIOMMU; @virt_id is the guest's ID (vSID, vRID...). */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)
IOMMUFD_ABI_SIZE(iommu_vdevice_alloc, 24);
IOMMUFD_ABI_CHECK(iommu_vdevice_alloc, size, 0, 4);
IOMMUFD_ABI_CHECK(iommu_vdevice_alloc, viommu_id, 4, 4);
IOMMUFD_ABI_CHECK(iommu_vdevice_alloc, dev_id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_vdevice_alloc, out_vdevice_id, 12, 4);
IOMMUFD_ABI_CHECK(iommu_vdevice_alloc, virt_id, 16, 8);

/* ---- the command table ------------------------------------------------------------------- */

/*
 * Every command with its argument struct and the last field of that struct's first released
 * layout, as the kernel's dispatcher (drivers/iommu/iommufd/main.c, IOCTL_OP()) names it:
 * min_size = offsetofend(struct, field). X(cmd, struct tag, field) is expanded once per
 * command, in command-number order, so that IOMMU_##cmd, IOMMUFD_CMD_##cmd and
 * IOMMUFD_MIN_SIZE_##cmd can be pasted from @cmd: a dispatch table such as sim's, or a
 * test that walks every command, is written once.
 */
#define IOMMUFD_FOR_EACH_CMD(X)                                               \
	X(DESTROY, iommu_destroy, id)                                         \
	X(IOAS_ALLOC, iommu_ioas_alloc, out_ioas_id)                          \
	X(IOAS_ALLOW_IOVAS, iommu_ioas_allow_iovas, allowed_iovas)            \
	X(IOAS_COPY, iommu_ioas_copy, src_iova)                               \
	X(IOAS_IOVA_RANGES, iommu_ioas_iova_ranges, out_iova_alignment)       \
	X(IOAS_MAP, iommu_ioas_map, iova)                                     \
	X(IOAS_UNMAP, iommu_ioas_unmap, length)                               \
	X(OPTION, iommu_option, val64)                                        \
	X(VFIO_IOAS, iommu_vfio_ioas, __reserved)                             \
	X(HWPT_ALLOC, iommu_hwpt_alloc, __reserved)                           \
	X(GET_HW_INFO, iommu_hw_info, __reserved)                             \
	X(HWPT_SET_DIRTY_TRACKING, iommu_hwpt_set_dirty_tracking, __reserved) \
	X(HWPT_GET_DIRTY_BITMAP, iommu_hwpt_get_dirty_bitmap, data)           \
	X(HWPT_INVALIDATE, iommu_hwpt_invalidate, __reserved)                 \
	X(FAULT_QUEUE_ALLOC, iommu_fault_alloc, out_fault_fd)                 \
	X(IOAS_MAP_FILE, iommu_ioas_map_file, iova)                           \
	X(VIOMMU_ALLOC, iommu_viommu_alloc, out_viommu_id)                    \
	X(VDEVICE_ALLOC, iommu_vdevice_alloc, virt_id)

#define IOMMUFD_NR_CMDS 18

/*
 * The smallest @size each command accepts (smaller: EINVAL). Where a struct has grown, this is
 * less than its sizeof: HWPT_ALLOC 24 of 48, GET_HW_INFO 32 of 40, VIOMMU_ALLOC 24 of 40.
 */
#define IOMMUFD_MIN_SIZE_DESTROY 8
#define IOMMUFD_MIN_SIZE_IOAS_ALLOC 12
#define IOMMUFD_MIN_SIZE_IOAS_ALLOW_IOVAS 24
#define IOMMUFD_MIN_SIZE_IOAS_COPY 40
#define IOMMUFD_MIN_SIZE_IOAS_IOVA_RANGES 32
#define IOMMUFD_MIN_SIZE_IOAS_MAP 40
#define IOMMUFD_MIN_SIZE_IOAS_UNMAP 24
#define IOMMUFD_MIN_SIZE_OPTION 24
#define IOMMUFD_MIN_SIZE_VFIO_IOAS 12
#define IOMMUFD_MIN_SIZE_HWPT_ALLOC 24
#define IOMMUFD_MIN_SIZE_GET_HW_INFO 32
#define IOMMUFD_MIN_SIZE_HWPT_SET_DIRTY_TRACKING 16
#define IOMMUFD_MIN_SIZE_HWPT_GET_DIRTY_BITMAP 48
#define IOMMUFD_MIN_SIZE_HWPT_INVALIDATE 32
#define IOMMUFD_MIN_SIZE_FAULT_QUEUE_ALLOC 16
#define IOMMUFD_MIN_SIZE_IOAS_MAP_FILE 40
#define IOMMUFD_MIN_SIZE_VIOMMU_ALLOC 24
#define IOMMUFD_MIN_SIZE_VDEVICE_ALLOC 24

/* Each min_size is where the named field ends, and the whole struct is never shorter. */
#define IOMMUFD_MIN_SIZE_CHECK(cmd, type, last)                                            \
	_Static_assert(IOMMUFD_MIN_SIZE_##cmd == IOMMUFD_OFFSETOFEND(struct type, last) && \
			       IOMMUFD_MIN_SIZE_##cmd <= sizeof(struct type),              \
		       "IOMMUFD_MIN_SIZE_" #cmd " must end at " #type "." #last);
IOMMUFD_FOR_EACH_CMD(IOMMUFD_MIN_SIZE_CHECK)
#undef IOMMUFD_MIN_SIZE_CHECK

/* The command numbers run without a gap, so the table is indexable by nr - 0x80. */
#define IOMMUFD_COUNT_CMD(cmd, type, last) +1
_Static_assert(0 IOMMUFD_FOR_EACH_CMD(IOMMUFD_COUNT_CMD) == IOMMUFD_NR_CMDS &&
		       IOMMUFD_CMD_VDEVICE_ALLOC - IOMMUFD_CMD_BASE + 1 == IOMMUFD_NR_CMDS,
	       "IOMMUFD_FOR_EACH_CMD() must list every command from 0x80 to 0x91");
#undef IOMMUFD_COUNT_CMD

#endif /* PASID_IOMMUFD_UAPI_H */
