/* SPDX-License-Identifier: MIT */
/* Helpers shared by the sim_iommufd_* tests: sim's iommufd, devices and VFIO cdevs. */
#ifndef SIM_IOMMUFD_UTIL_H
#define SIM_IOMMUFD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pasid/iommufd_uapi.h"
#include "pasid/vfio_uapi.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/sim_device.h"
#include "svart/sim.h"
#include "t_helpers.h"

#define PAGE 4096UL

static inline uint32_t t_ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	T_EQ(0, svart_sim_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	return cmd.out_ioas_id;
}

static inline int t_map(int fd, uint32_t ioas, void *va, uint64_t len, uint64_t *iova,
			uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova ? *iova : 0,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

#define T_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define T_FIXED (IOMMU_IOAS_MAP_FIXED_IOVA | T_RW)

static inline int t_map_fixed(int fd, uint32_t ioas, void *va, uint64_t len, uint64_t iova)
{
	return t_map(fd, ioas, va, len, &iova, T_FIXED);
}

static inline int t_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len, uint64_t *out)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = len
	};
	int rc = svart_sim_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (out)
		*out = cmd.length;
	return rc;
}

static inline int t_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return svart_sim_ioctl(fd, IOMMU_DESTROY, &cmd);
}

/* A sim VT-d device: with PASID (20 bits) or without. */
static inline struct sim_pdev *t_pdev(const char *name, uint8_t pasid_log2, int *index)
{
	struct sim_pdev_info info = {
		.name = name,
		.rid = 0x6a08,
		.max_pasid_log2 = pasid_log2,
		.ats = pasid_log2 != 0,
	};
	struct sim_pdev *pdev = NULL;
	int idx = sim_pdev_create(&info, &pdev);

	T_CHECK(idx >= 0);
	if (index)
		*index = idx;
	return pdev;
}

static inline int t_vfio_open(int index)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", index);
	return svart_sim_open(path, O_RDWR | O_CLOEXEC);
}

static inline uint32_t t_vfio_bind(int vfd, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	T_EQ(0, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	return bind.out_devid;
}

static inline int t_vfio_attach(int vfd, uint32_t *pt_id, bool pasid_op, uint32_t pasid)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = pasid_op ? VFIO_DEVICE_ATTACH_PASID : 0,
		.pt_id = *pt_id,
		.pasid = pasid,
	};
	int rc = svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (!rc)
		*pt_id = a.pt_id;
	return rc;
}

static inline int t_vfio_detach(int vfd, bool pasid_op, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = sizeof(d),
		.flags = pasid_op ? VFIO_DEVICE_DETACH_PASID : 0,
		.pasid = pasid,
	};

	return svart_sim_ioctl(vfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static inline int t_hwpt_alloc(int fd, uint32_t flags, uint32_t dev_id, uint32_t pt_id,
			       uint32_t data_type, void *data, uint32_t data_len, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static inline int t_hwpt_alloc_fault(int fd, uint32_t flags, uint32_t dev_id, uint32_t pt_id,
				     void *data, uint32_t data_len, uint32_t fault_id,
				     uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags | IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data ? IOMMU_HWPT_DATA_VTD_S1 : 0,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static inline void *t_buffer(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_CHECK(p != MAP_FAILED);
	return p;
}

#endif /* SIM_IOMMUFD_UTIL_H */
