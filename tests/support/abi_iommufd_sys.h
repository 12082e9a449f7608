/* SPDX-License-Identifier: MIT */
/*
 * The system's <linux/iommufd.h>, described as data: svart's pasid/iommufd_uapi.h and the
 * system header define the same names and cannot meet in one translation unit, so
 * abi_iommufd_sys.c (which sees only the system header) lists layouts and values here for
 * tests/abi_iommufd_system.c (which sees only svart's) to compare by name.
 */
#ifndef T_ABI_IOMMUFD_SYS_H
#define T_ABI_IOMMUFD_SYS_H

struct t_abi_field {
	const char *name;
	unsigned int offset;
	unsigned int size;
};

struct t_abi_struct {
	const char *name; /* the struct tag, e.g. "iommu_hwpt_alloc" */
	unsigned int size;
	unsigned int nr_fields;
	const struct t_abi_field *fields;
};

struct t_abi_value {
	const char *name; /* an ioctl number or a flag, e.g. "IOMMU_IOAS_MAP" */
	unsigned long long value;
};

/*
 * The structs of the system header, each with the fields that header version is known to
 * have (older headers lack newer structs and fields), and the ioctl numbers and flag values
 * it defines. Return: the number of structs in *@structs / values in *@values; 0 when the
 * system has no <linux/iommufd.h>.
 */
unsigned int t_abi_iommufd_sys_structs(const struct t_abi_struct **structs);
unsigned int t_abi_iommufd_sys_values(const struct t_abi_value **values);

#endif /* T_ABI_IOMMUFD_SYS_H */
