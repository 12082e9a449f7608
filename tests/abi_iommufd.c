// SPDX-License-Identifier: MIT
/*
 * pasid/iommufd_uapi.h and pasid/vfio_uapi.h against the ABI's published numbers. Every
 * expected value is a literal taken from the iommufd ABI reference (Linux 7.0 sizes, and the
 * min_size of each command from the kernel dispatcher's IOCTL_OP() list), never one of the
 * headers' own macros, so a wrong number in a header cannot check itself.
 */
#include <stdint.h>

#include "pasid/iommufd_uapi.h"
#include "pasid/vfio_uapi.h"
#include "t_helpers.h"

/*
 * Where the compiler put @field: fill it with 0xff in a zeroed struct and find the bytes
 * that changed. Compared with literal offsets, not with offsetof(), so the header's own
 * assertions are not what is being re-read.
 */
#define T_FIELD_AT(type, field, off, len)                                              \
	do {                                                                           \
		struct type _s;                                                        \
		memset(&_s, 0, sizeof(_s));                                            \
		memset(&_s.field, 0xff, sizeof(_s.field));                             \
		T_EQ(first_set(&_s, sizeof(_s)), off);                                 \
		T_EQ(last_set(&_s, sizeof(_s)) + 1 - first_set(&_s, sizeof(_s)), len); \
	} while (0)

static size_t first_set(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n && !b[i]; i++)
		;
	return i;
}

static size_t last_set(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n && !b[n - 1])
		n--;
	return n - 1;
}

static void test_ioctl_numbers(void)
{
	/* _IO(';', nr): type ';' = 0x3b in bits 15:8, nr in 7:0, no direction or size bits. */
	T_EQ(IOMMUFD_TYPE, 0x3b);
	T_EQ(IOMMU_DESTROY, 0x3b80);
	T_EQ(IOMMU_IOAS_ALLOC, 0x3b81);
	T_EQ(IOMMU_IOAS_ALLOW_IOVAS, 0x3b82);
	T_EQ(IOMMU_IOAS_COPY, 0x3b83);
	T_EQ(IOMMU_IOAS_IOVA_RANGES, 0x3b84);
	T_EQ(IOMMU_IOAS_MAP, 0x3b85);
	T_EQ(IOMMU_IOAS_UNMAP, 0x3b86);
	T_EQ(IOMMU_OPTION, 0x3b87);
	T_EQ(IOMMU_VFIO_IOAS, 0x3b88);
	T_EQ(IOMMU_HWPT_ALLOC, 0x3b89);
	T_EQ(IOMMU_GET_HW_INFO, 0x3b8a);
	T_EQ(IOMMU_HWPT_SET_DIRTY_TRACKING, 0x3b8b);
	T_EQ(IOMMU_HWPT_GET_DIRTY_BITMAP, 0x3b8c);
	T_EQ(IOMMU_HWPT_INVALIDATE, 0x3b8d);
	T_EQ(IOMMU_FAULT_QUEUE_ALLOC, 0x3b8e);
	T_EQ(IOMMU_IOAS_MAP_FILE, 0x3b8f);
	T_EQ(IOMMU_VIOMMU_ALLOC, 0x3b90);
	T_EQ(IOMMU_VDEVICE_ALLOC, 0x3b91);

	/* VFIO_BASE 100 + 18..20 on the same ';' type. */
	T_EQ(VFIO_DEVICE_BIND_IOMMUFD, 0x3b76);
	T_EQ(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0x3b77);
	T_EQ(VFIO_DEVICE_DETACH_IOMMUFD_PT, 0x3b78);
	T_EQ(VFIO_DEVICE_GET_INFO, 0x3b6b);
}

/* The command table must match the numbers: nr, ioctl word and min_size from one X(). */
static void test_cmd_table(void)
{
	static const struct {
		const char *name;
		unsigned long ioctl;
		unsigned int nr, min_size, size;
	} cmds[] = {
#define T_CMD(cmd, type, last) \
	{ #cmd, IOMMU_##cmd, IOMMUFD_CMD_##cmd, IOMMUFD_MIN_SIZE_##cmd, sizeof(struct type) },
		IOMMUFD_FOR_EACH_CMD(T_CMD)
#undef T_CMD
	};
	unsigned int i;

	T_EQ(sizeof(cmds) / sizeof(cmds[0]), 18);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		T_EQ(cmds[i].nr, 0x80 + i);
		T_EQ(cmds[i].ioctl, 0x3b80 + i);
		T_CHECK(cmds[i].min_size >= 8 && cmds[i].min_size <= cmds[i].size);
		T_CHECK(cmds[i].min_size % 4 == 0);
	}
	T_STREQ(cmds[0].name, "DESTROY");
	T_STREQ(cmds[17].name, "VDEVICE_ALLOC");
}

static void test_struct_sizes(void)
{
	T_EQ(sizeof(struct iommu_destroy), 8);
	T_EQ(sizeof(struct iommu_ioas_alloc), 12);
	T_EQ(sizeof(struct iommu_iova_range), 16);
	T_EQ(sizeof(struct iommu_ioas_iova_ranges), 32);
	T_EQ(sizeof(struct iommu_ioas_allow_iovas), 24);
	T_EQ(sizeof(struct iommu_ioas_map), 40);
	T_EQ(sizeof(struct iommu_ioas_map_file), 40);
	T_EQ(sizeof(struct iommu_ioas_copy), 40);
	T_EQ(sizeof(struct iommu_ioas_unmap), 24);
	T_EQ(sizeof(struct iommu_option), 24);
	T_EQ(sizeof(struct iommu_vfio_ioas), 12);
	T_EQ(sizeof(struct iommu_hwpt_vtd_s1), 24);
	T_EQ(sizeof(struct iommu_hwpt_alloc), 48);
	T_EQ(sizeof(struct iommu_hw_info_vtd), 24);
	T_EQ(sizeof(struct iommu_hw_info), 40);
	T_EQ(sizeof(struct iommu_hwpt_set_dirty_tracking), 16);
	T_EQ(sizeof(struct iommu_hwpt_get_dirty_bitmap), 48);
	T_EQ(sizeof(struct iommu_hwpt_vtd_s1_invalidate), 24);
	T_EQ(sizeof(struct iommu_hwpt_invalidate), 32);
	T_EQ(sizeof(struct iommu_hwpt_pgfault), 40);
	T_EQ(sizeof(struct iommu_hwpt_page_response), 8);
	T_EQ(sizeof(struct iommu_fault_alloc), 16);
	T_EQ(sizeof(struct iommu_viommu_alloc), 40);
	T_EQ(sizeof(struct iommu_vdevice_alloc), 24);

	T_EQ(sizeof(struct vfio_device_bind_iommufd), 24);
	T_EQ(sizeof(struct vfio_device_attach_iommufd_pt), 16);
	T_EQ(sizeof(struct vfio_device_detach_iommufd_pt), 12);
}

/* The fields whose place is easiest to get wrong: late additions, u16/u8 ones, in/out ones. */
static void test_field_layout(void)
{
	T_FIELD_AT(iommu_option, op, 8, 2);
	T_FIELD_AT(iommu_option, object_id, 12, 4);
	T_FIELD_AT(iommu_vfio_ioas, op, 8, 2);
	T_FIELD_AT(iommu_ioas_map, iova, 32, 8);
	T_FIELD_AT(iommu_ioas_map_file, fd, 12, 4);
	T_FIELD_AT(iommu_ioas_map_file, start, 16, 8);
	T_FIELD_AT(iommu_ioas_unmap, length, 16, 8);
	T_FIELD_AT(iommu_ioas_iova_ranges, out_iova_alignment, 24, 8);
	T_FIELD_AT(iommu_hwpt_alloc, __reserved, 20, 4);
	T_FIELD_AT(iommu_hwpt_alloc, data_uptr, 32, 8);
	T_FIELD_AT(iommu_hwpt_alloc, fault_id, 40, 4);
	T_FIELD_AT(iommu_hw_info, in_data_type, 24, 4);
	T_FIELD_AT(iommu_hw_info, out_data_type, 24, 4);
	T_FIELD_AT(iommu_hw_info, out_max_pasid_log2, 28, 1);
	T_FIELD_AT(iommu_hw_info, __reserved, 29, 3);
	T_FIELD_AT(iommu_hw_info, out_capabilities, 32, 8);
	T_FIELD_AT(iommu_hw_info_vtd, ecap_reg, 16, 8);
	T_FIELD_AT(iommu_hwpt_vtd_s1, addr_width, 16, 4);
	T_FIELD_AT(iommu_hwpt_invalidate, entry_num, 24, 4);
	T_FIELD_AT(iommu_hwpt_vtd_s1_invalidate, flags, 16, 4);
	T_FIELD_AT(iommu_hwpt_pgfault, perm, 16, 4);
	T_FIELD_AT(iommu_hwpt_pgfault, addr, 24, 8);
	T_FIELD_AT(iommu_hwpt_pgfault, cookie, 36, 4);
	T_FIELD_AT(iommu_hwpt_page_response, code, 4, 4);
	T_FIELD_AT(iommu_fault_alloc, out_fault_fd, 12, 4);
	T_FIELD_AT(iommu_viommu_alloc, out_viommu_id, 20, 4);
	T_FIELD_AT(iommu_viommu_alloc, data_uptr, 32, 8);
	T_FIELD_AT(iommu_vdevice_alloc, virt_id, 16, 8);
	T_FIELD_AT(vfio_device_bind_iommufd, iommufd, 8, 4);
	T_FIELD_AT(vfio_device_bind_iommufd, token_uuid_ptr, 16, 8);
	T_FIELD_AT(vfio_device_attach_iommufd_pt, pasid, 12, 4);
	T_FIELD_AT(vfio_device_detach_iommufd_pt, pasid, 8, 4);

	/* __aligned_u64 keeps 8-byte alignment, so the structs look the same to 32-bit code. */
	T_EQ(_Alignof(struct iommu_ioas_map), 8);
	T_EQ(_Alignof(struct iommu_hwpt_pgfault), 8);
}

static void test_min_sizes(void)
{
	T_EQ(IOMMUFD_MIN_SIZE_DESTROY, 8);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_ALLOC, 12);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_ALLOW_IOVAS, 24);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_COPY, 40);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_IOVA_RANGES, 32);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_MAP, 40);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_UNMAP, 24);
	T_EQ(IOMMUFD_MIN_SIZE_OPTION, 24);
	T_EQ(IOMMUFD_MIN_SIZE_VFIO_IOAS, 12);
	T_EQ(IOMMUFD_MIN_SIZE_HWPT_ALLOC, 24);
	T_EQ(IOMMUFD_MIN_SIZE_GET_HW_INFO, 32);
	T_EQ(IOMMUFD_MIN_SIZE_HWPT_SET_DIRTY_TRACKING, 16);
	T_EQ(IOMMUFD_MIN_SIZE_HWPT_GET_DIRTY_BITMAP, 48);
	T_EQ(IOMMUFD_MIN_SIZE_HWPT_INVALIDATE, 32);
	T_EQ(IOMMUFD_MIN_SIZE_FAULT_QUEUE_ALLOC, 16);
	T_EQ(IOMMUFD_MIN_SIZE_IOAS_MAP_FILE, 40);
	T_EQ(IOMMUFD_MIN_SIZE_VIOMMU_ALLOC, 24);
	T_EQ(IOMMUFD_MIN_SIZE_VDEVICE_ALLOC, 24);

	T_EQ(VFIO_MIN_ARGSZ_BIND_IOMMUFD, 16);
	T_EQ(VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT, 12);
	T_EQ(VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT_PASID, 16);
	T_EQ(VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT, 8);
	T_EQ(VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT_PASID, 12);
}

static void test_flag_values(void)
{
	T_EQ(IOMMU_IOAS_MAP_FIXED_IOVA, 0x1);
	T_EQ(IOMMU_IOAS_MAP_WRITEABLE, 0x2);
	T_EQ(IOMMU_IOAS_MAP_READABLE, 0x4);
	T_EQ(IOMMU_OPTION_RLIMIT_MODE, 0);
	T_EQ(IOMMU_OPTION_HUGE_PAGES, 1);
	T_EQ(IOMMU_OPTION_OP_SET, 0);
	T_EQ(IOMMU_OPTION_OP_GET, 1);
	T_EQ(IOMMU_VFIO_IOAS_GET, 0);
	T_EQ(IOMMU_VFIO_IOAS_SET, 1);
	T_EQ(IOMMU_VFIO_IOAS_CLEAR, 2);

	T_EQ(IOMMU_HWPT_ALLOC_NEST_PARENT, 0x1);
	T_EQ(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0x2);
	T_EQ(IOMMU_HWPT_FAULT_ID_VALID, 0x4);
	T_EQ(IOMMU_HWPT_ALLOC_PASID, 0x8);
	T_EQ(IOMMU_HWPT_DATA_NONE, 0);
	T_EQ(IOMMU_HWPT_DATA_VTD_S1, 1);
	T_EQ(IOMMU_HWPT_DATA_ARM_SMMUV3, 2);
	T_EQ(IOMMU_HWPT_DATA_AMD_GUEST, 3);
	T_EQ(IOMMU_VTD_S1_SRE, 0x1);
	T_EQ(IOMMU_VTD_S1_EAFE, 0x2);
	T_EQ(IOMMU_VTD_S1_WPE, 0x4);

	/* Invalidation numbers VT-d 0, unlike the HWPT data type (1): easy to mix up. */
	T_EQ(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, 0);
	T_EQ(IOMMU_VTD_INV_FLAGS_LEAF, 0x1);

	T_EQ(IOMMU_HW_INFO_FLAG_INPUT_TYPE, 0x1);
	T_EQ(IOMMU_HW_INFO_TYPE_NONE, 0);
	T_EQ(IOMMU_HW_INFO_TYPE_DEFAULT, 0);
	T_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, 1);
	T_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 2);
	T_EQ(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, 3);
	T_EQ(IOMMU_HW_INFO_TYPE_AMD, 4);
	T_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, 0x1);
	T_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, 0x1);
	T_EQ(IOMMU_HW_CAP_PCI_PASID_EXEC, 0x2);
	T_EQ(IOMMU_HW_CAP_PCI_PASID_PRIV, 0x4);
	T_EQ(IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, 0x8);
	T_EQ(IOMMU_HWPT_DIRTY_TRACKING_ENABLE, 0x1);
	T_EQ(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 0x1);

	T_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID, 0x1);
	T_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 0x2);
	T_EQ(IOMMU_PGFAULT_PERM_READ, 0x1);
	T_EQ(IOMMU_PGFAULT_PERM_WRITE, 0x2);
	T_EQ(IOMMU_PGFAULT_PERM_EXEC, 0x4);
	T_EQ(IOMMU_PGFAULT_PERM_PRIV, 0x8);
	T_EQ(IOMMUFD_PAGE_RESP_SUCCESS, 0);
	T_EQ(IOMMUFD_PAGE_RESP_INVALID, 1);

	T_EQ(IOMMU_VIOMMU_TYPE_DEFAULT, 0);
	T_EQ(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, 1);
	T_EQ(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, 2);

	T_EQ(VFIO_DEVICE_BIND_FLAG_TOKEN, 0x1);
	T_EQ(VFIO_DEVICE_ATTACH_PASID, 0x1);
	T_EQ(VFIO_DEVICE_DETACH_PASID, 0x1);
}

/*
 * The structs that grew did so at their end: the fields a newer kernel added start exactly
 * where the first layout (min_size) stopped, so a caller built for the older layout passes
 * a shorter size and the kernel reads the rest as 0.
 */
static void test_extensions(void)
{
	T_EQ(IOMMUFD_MIN_SIZE_HWPT_ALLOC, offsetof(struct iommu_hwpt_alloc, data_type));
	T_EQ(IOMMUFD_MIN_SIZE_GET_HW_INFO, offsetof(struct iommu_hw_info, out_capabilities));
	T_EQ(IOMMUFD_MIN_SIZE_VIOMMU_ALLOC, offsetof(struct iommu_viommu_alloc, data_len));
	T_EQ(VFIO_MIN_ARGSZ_BIND_IOMMUFD,
	     offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr));
	T_EQ(VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT,
	     offsetof(struct vfio_device_attach_iommufd_pt, pasid));
	T_EQ(VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT,
	     offsetof(struct vfio_device_detach_iommufd_pt, pasid));
}

int main(void)
{
	test_ioctl_numbers();
	test_cmd_table();
	test_struct_sizes();
	test_field_layout();
	test_min_sizes();
	test_flag_values();
	test_extensions();
	return t_done("abi_iommufd");
}
