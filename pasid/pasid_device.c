// SPDX-License-Identifier: MIT
/* iommufd client: the VFIO device cdev side (bind to an iommufd, attach/detach, PASIDs). */
#include <stdint.h>

#include "pasid/pasid.h"
#include "runtime/rt_os.h"

int pasid_device_bind(int vfio_fd, int iommufd, uint32_t *out_dev_id)
{
	struct vfio_device_bind_iommufd cmd = { .argsz = sizeof(cmd), .iommufd = iommufd };
	int rc = (int)rt_os_ioctl(vfio_fd, VFIO_DEVICE_BIND_IOMMUFD, &cmd);

	if (!rc)
		*out_dev_id = cmd.out_devid;
	return rc;
}

int pasid_device_attach(int vfio_fd, bool use_pasid, uint32_t pasid, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.flags = use_pasid ? VFIO_DEVICE_ATTACH_PASID : 0,
		.pt_id = *pt_id,
		.pasid = use_pasid ? pasid : 0,
	};
	int rc = (int)rt_os_ioctl(vfio_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (!rc)
		*pt_id = cmd.pt_id;
	return rc;
}

int pasid_device_detach(int vfio_fd, bool use_pasid, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.flags = use_pasid ? VFIO_DEVICE_DETACH_PASID : 0,
		.pasid = use_pasid ? pasid : 0,
	};

	return (int)rt_os_ioctl(vfio_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}
