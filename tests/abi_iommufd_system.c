// SPDX-License-Identifier: MIT
/*
 * pasid/iommufd_uapi.h against the system's <linux/iommufd.h>, wherever the build host has
 * one: every struct, field (by name: offset and size), ioctl number and flag the system header
 * defines must match svart's. The two headers cannot meet in one translation unit, so the
 * system side is data from tests/support/abi_iommufd_sys.c. An older system header has fewer
 * structs and fields and is compared on those; a newer one may have grown a struct past svart's
 * (noted, not a failure: the kernel accepts the shorter size).
 *
 * Debian 12 ships no <linux/iommufd.h>, so there this test skips. The comparison was verified
 * by hand instead, building this file and the support file with a kernel header in a scratch
 * directory ahead of the system include path (none of it is in the tree):
 *   - include/uapi/linux/iommufd.h of torvalds/linux at b4d90dbc4c1b (the header Linux
 *     6.17-rc6 installs, guard aside): 24 structs, 133 fields and 58 values compared, pass;
 *   - the header Linux 6.9.9 installs: 18 structs, 93 fields and 40 values compared, pass
 *     (no fault queue, vIOMMU or MAP_FILE yet; its u32 iommu_hw_info.__reserved skipped);
 *   - the 6.17 header with data_uptr and fault_id of struct iommu_hwpt_alloc swapped and
 *     IOMMU_HWPT_ALLOC_PASID changed: exit 1, naming each difference.
 * With <scratch>/linux/iommufd.h in place, from the top of the source tree:
 *   cc -std=gnu11 -D_GNU_SOURCE -I<scratch> -I. -Itests tests/abi_iommufd_system.c \
 *      tests/support/abi_iommufd_sys.c -o /tmp/t && /tmp/t
 */
#include <stddef.h>

#include "pasid/iommufd_uapi.h"
#include "support/abi_iommufd_sys.h"
#include "t_helpers.h"

#define F(type, field)                                                  \
	{                                                               \
		.name = #field, .offset = offsetof(struct type, field), \
		.size = sizeof(((struct type *)0)->field)               \
	}
#define FIELDS(...) ((const struct t_abi_field[]){ __VA_ARGS__ })
#define S(type, ...)                                                                   \
	{                                                                              \
		.name = #type, .size = sizeof(struct type),                            \
		.nr_fields = sizeof(FIELDS(__VA_ARGS__)) / sizeof(struct t_abi_field), \
		.fields = FIELDS(__VA_ARGS__)                                          \
	}
#define V(val)                                                   \
	{                                                        \
		.name = #val, .value = (unsigned long long)(val) \
	}

static const struct t_abi_struct our_structs[] = {
	S(iommu_destroy, F(iommu_destroy, size), F(iommu_destroy, id)),
	S(iommu_ioas_alloc, F(iommu_ioas_alloc, size), F(iommu_ioas_alloc, flags),
	  F(iommu_ioas_alloc, out_ioas_id)),
	S(iommu_iova_range, F(iommu_iova_range, start), F(iommu_iova_range, last)),
	S(iommu_ioas_iova_ranges, F(iommu_ioas_iova_ranges, size),
	  F(iommu_ioas_iova_ranges, ioas_id), F(iommu_ioas_iova_ranges, num_iovas),
	  F(iommu_ioas_iova_ranges, __reserved), F(iommu_ioas_iova_ranges, allowed_iovas),
	  F(iommu_ioas_iova_ranges, out_iova_alignment)),
	S(iommu_ioas_allow_iovas, F(iommu_ioas_allow_iovas, size),
	  F(iommu_ioas_allow_iovas, ioas_id), F(iommu_ioas_allow_iovas, num_iovas),
	  F(iommu_ioas_allow_iovas, __reserved), F(iommu_ioas_allow_iovas, allowed_iovas)),
	S(iommu_ioas_map, F(iommu_ioas_map, size), F(iommu_ioas_map, flags),
	  F(iommu_ioas_map, ioas_id), F(iommu_ioas_map, __reserved), F(iommu_ioas_map, user_va),
	  F(iommu_ioas_map, length), F(iommu_ioas_map, iova)),
	S(iommu_ioas_map_file, F(iommu_ioas_map_file, size), F(iommu_ioas_map_file, flags),
	  F(iommu_ioas_map_file, ioas_id), F(iommu_ioas_map_file, fd),
	  F(iommu_ioas_map_file, start), F(iommu_ioas_map_file, length),
	  F(iommu_ioas_map_file, iova)),
	S(iommu_ioas_copy, F(iommu_ioas_copy, size), F(iommu_ioas_copy, flags),
	  F(iommu_ioas_copy, dst_ioas_id), F(iommu_ioas_copy, src_ioas_id),
	  F(iommu_ioas_copy, length), F(iommu_ioas_copy, dst_iova), F(iommu_ioas_copy, src_iova)),
	S(iommu_ioas_unmap, F(iommu_ioas_unmap, size), F(iommu_ioas_unmap, ioas_id),
	  F(iommu_ioas_unmap, iova), F(iommu_ioas_unmap, length)),
	S(iommu_option, F(iommu_option, size), F(iommu_option, option_id), F(iommu_option, op),
	  F(iommu_option, __reserved), F(iommu_option, object_id), F(iommu_option, val64)),
	S(iommu_vfio_ioas, F(iommu_vfio_ioas, size), F(iommu_vfio_ioas, ioas_id),
	  F(iommu_vfio_ioas, op), F(iommu_vfio_ioas, __reserved)),
	S(iommu_hwpt_vtd_s1, F(iommu_hwpt_vtd_s1, flags), F(iommu_hwpt_vtd_s1, pgtbl_addr),
	  F(iommu_hwpt_vtd_s1, addr_width), F(iommu_hwpt_vtd_s1, __reserved)),
	S(iommu_hwpt_alloc, F(iommu_hwpt_alloc, size), F(iommu_hwpt_alloc, flags),
	  F(iommu_hwpt_alloc, dev_id), F(iommu_hwpt_alloc, pt_id), F(iommu_hwpt_alloc, out_hwpt_id),
	  F(iommu_hwpt_alloc, __reserved), F(iommu_hwpt_alloc, data_type),
	  F(iommu_hwpt_alloc, data_len), F(iommu_hwpt_alloc, data_uptr),
	  F(iommu_hwpt_alloc, fault_id), F(iommu_hwpt_alloc, __reserved2)),
	S(iommu_hw_info_vtd, F(iommu_hw_info_vtd, flags), F(iommu_hw_info_vtd, __reserved),
	  F(iommu_hw_info_vtd, cap_reg), F(iommu_hw_info_vtd, ecap_reg)),
	S(iommu_hw_info, F(iommu_hw_info, size), F(iommu_hw_info, flags), F(iommu_hw_info, dev_id),
	  F(iommu_hw_info, data_len), F(iommu_hw_info, data_uptr), F(iommu_hw_info, in_data_type),
	  F(iommu_hw_info, out_data_type), F(iommu_hw_info, out_max_pasid_log2),
	  F(iommu_hw_info, __reserved), F(iommu_hw_info, out_capabilities)),
	S(iommu_hwpt_set_dirty_tracking, F(iommu_hwpt_set_dirty_tracking, size),
	  F(iommu_hwpt_set_dirty_tracking, flags), F(iommu_hwpt_set_dirty_tracking, hwpt_id),
	  F(iommu_hwpt_set_dirty_tracking, __reserved)),
	S(iommu_hwpt_get_dirty_bitmap, F(iommu_hwpt_get_dirty_bitmap, size),
	  F(iommu_hwpt_get_dirty_bitmap, hwpt_id), F(iommu_hwpt_get_dirty_bitmap, flags),
	  F(iommu_hwpt_get_dirty_bitmap, __reserved), F(iommu_hwpt_get_dirty_bitmap, iova),
	  F(iommu_hwpt_get_dirty_bitmap, length), F(iommu_hwpt_get_dirty_bitmap, page_size),
	  F(iommu_hwpt_get_dirty_bitmap, data)),
	S(iommu_hwpt_vtd_s1_invalidate, F(iommu_hwpt_vtd_s1_invalidate, addr),
	  F(iommu_hwpt_vtd_s1_invalidate, npages), F(iommu_hwpt_vtd_s1_invalidate, flags),
	  F(iommu_hwpt_vtd_s1_invalidate, __reserved)),
	S(iommu_hwpt_invalidate, F(iommu_hwpt_invalidate, size), F(iommu_hwpt_invalidate, hwpt_id),
	  F(iommu_hwpt_invalidate, data_uptr), F(iommu_hwpt_invalidate, data_type),
	  F(iommu_hwpt_invalidate, entry_len), F(iommu_hwpt_invalidate, entry_num),
	  F(iommu_hwpt_invalidate, __reserved)),
	S(iommu_hwpt_pgfault, F(iommu_hwpt_pgfault, flags), F(iommu_hwpt_pgfault, dev_id),
	  F(iommu_hwpt_pgfault, pasid), F(iommu_hwpt_pgfault, grpid), F(iommu_hwpt_pgfault, perm),
	  F(iommu_hwpt_pgfault, __reserved), F(iommu_hwpt_pgfault, addr),
	  F(iommu_hwpt_pgfault, length), F(iommu_hwpt_pgfault, cookie)),
	S(iommu_hwpt_page_response, F(iommu_hwpt_page_response, cookie),
	  F(iommu_hwpt_page_response, code)),
	S(iommu_fault_alloc, F(iommu_fault_alloc, size), F(iommu_fault_alloc, flags),
	  F(iommu_fault_alloc, out_fault_id), F(iommu_fault_alloc, out_fault_fd)),
	S(iommu_viommu_alloc, F(iommu_viommu_alloc, size), F(iommu_viommu_alloc, flags),
	  F(iommu_viommu_alloc, type), F(iommu_viommu_alloc, dev_id),
	  F(iommu_viommu_alloc, hwpt_id), F(iommu_viommu_alloc, out_viommu_id),
	  F(iommu_viommu_alloc, data_len), F(iommu_viommu_alloc, __reserved),
	  F(iommu_viommu_alloc, data_uptr)),
	S(iommu_vdevice_alloc, F(iommu_vdevice_alloc, size), F(iommu_vdevice_alloc, viommu_id),
	  F(iommu_vdevice_alloc, dev_id), F(iommu_vdevice_alloc, out_vdevice_id),
	  F(iommu_vdevice_alloc, virt_id)),
};

static const struct t_abi_value our_values[] = {
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
	V(IOMMU_HWPT_ALLOC),
	V(IOMMU_GET_HW_INFO),
	V(IOMMU_HWPT_SET_DIRTY_TRACKING),
	V(IOMMU_HWPT_GET_DIRTY_BITMAP),
	V(IOMMU_HWPT_INVALIDATE),
	V(IOMMU_FAULT_QUEUE_ALLOC),
	V(IOMMU_IOAS_MAP_FILE),
	V(IOMMU_VIOMMU_ALLOC),
	V(IOMMU_VDEVICE_ALLOC),
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
	V(IOMMU_HWPT_ALLOC_NEST_PARENT),
	V(IOMMU_HWPT_ALLOC_DIRTY_TRACKING),
	V(IOMMU_HWPT_FAULT_ID_VALID),
	V(IOMMU_HWPT_ALLOC_PASID),
	V(IOMMU_VTD_S1_SRE),
	V(IOMMU_VTD_S1_EAFE),
	V(IOMMU_VTD_S1_WPE),
	V(IOMMU_HWPT_DATA_NONE),
	V(IOMMU_HWPT_DATA_VTD_S1),
	V(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17),
	V(IOMMU_HW_INFO_TYPE_NONE),
	V(IOMMU_HW_INFO_TYPE_INTEL_VTD),
	V(IOMMU_HW_CAP_DIRTY_TRACKING),
	V(IOMMU_HW_CAP_PCI_PASID_EXEC),
	V(IOMMU_HW_CAP_PCI_PASID_PRIV),
	V(IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
	V(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
	V(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1),
	V(IOMMU_VTD_INV_FLAGS_LEAF),
	V(IOMMU_PGFAULT_FLAGS_PASID_VALID),
	V(IOMMU_PGFAULT_FLAGS_LAST_PAGE),
	V(IOMMU_PGFAULT_PERM_READ),
	V(IOMMU_PGFAULT_PERM_WRITE),
	V(IOMMU_PGFAULT_PERM_EXEC),
	V(IOMMU_PGFAULT_PERM_PRIV),
	V(IOMMUFD_PAGE_RESP_SUCCESS),
	V(IOMMUFD_PAGE_RESP_INVALID),
	V(IOMMU_VIOMMU_TYPE_DEFAULT),
	V(IOMMU_VIOMMU_TYPE_ARM_SMMUV3),
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct t_abi_struct *our_struct(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(our_structs); i++)
		if (!strcmp(our_structs[i].name, name))
			return &our_structs[i];
	return NULL;
}

static const struct t_abi_field *our_field(const struct t_abi_struct *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_fields; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}

static const struct t_abi_value *our_value(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(our_values); i++)
		if (!strcmp(our_values[i].name, name))
			return &our_values[i];
	return NULL;
}

/* Return: the number of fields compared. */
static unsigned int compare_struct(const struct t_abi_struct *sys)
{
	const struct t_abi_struct *ours = our_struct(sys->name);
	unsigned int i;

	if (!ours) {
		fprintf(stderr, "struct %s: in the system header, not in svart's\n", sys->name);
		T_CHECK(ours != NULL);
		return 0;
	}
	if (sys->size > ours->size)
		printf("note: struct %s is %u bytes in the system header, %u in svart's: the "
		       "system header is newer\n",
		       sys->name, sys->size, ours->size);

	for (i = 0; i < sys->nr_fields; i++) {
		const struct t_abi_field *sf = &sys->fields[i];
		const struct t_abi_field *of = our_field(ours, sf->name);

		if (!of) {
			fprintf(stderr, "struct %s: field %s missing in svart's header\n",
				sys->name, sf->name);
			T_CHECK(of != NULL);
			continue;
		}
		if (of->offset != sf->offset || of->size != sf->size)
			fprintf(stderr,
				"struct %s: %s at %u (%u bytes) in the system header, "
				"at %u (%u bytes) in svart's\n",
				sys->name, sf->name, sf->offset, sf->size, of->offset, of->size);
		T_EQ(of->offset, sf->offset);
		T_EQ(of->size, sf->size);
		/* A field of the system header lies inside the system's struct. */
		T_CHECK(sf->offset + sf->size <= sys->size);
	}
	return sys->nr_fields;
}

int main(void)
{
	const struct t_abi_struct *structs;
	const struct t_abi_value *values;
	unsigned int nr_structs, nr_values, nr_fields = 0, i;

	nr_structs = t_abi_iommufd_sys_structs(&structs);
	nr_values = t_abi_iommufd_sys_values(&values);
	if (!nr_structs)
		T_SKIP("no <linux/iommufd.h> on this system (Debian 12 ships none)");

	for (i = 0; i < nr_structs; i++)
		nr_fields += compare_struct(&structs[i]);

	for (i = 0; i < nr_values; i++) {
		const struct t_abi_value *ov = our_value(values[i].name);

		if (!ov) {
			fprintf(stderr, "%s: in the system header's list, not in svart's\n",
				values[i].name);
			T_CHECK(ov != NULL);
			continue;
		}
		if (ov->value != values[i].value)
			fprintf(stderr, "%s: 0x%llx in the system header, 0x%llx in svart's\n",
				values[i].name, values[i].value, ov->value);
		T_EQ(ov->value, values[i].value);
	}

	/* The oldest header (Linux 6.2) already has ten structs and their fields. */
	T_CHECK(nr_structs >= 10 && nr_fields >= 40 && nr_values >= 20);
	printf("compared %u structs, %u fields and %u values with the system <linux/iommufd.h>\n",
	       nr_structs, nr_fields, nr_values);
	return t_done("abi_iommufd_system");
}
