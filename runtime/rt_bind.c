// SPDX-License-Identifier: MIT
/*
 * Device binding through VFIO cdevs and iommufd (rt_bind.h). The steps and their order are
 * the sim platform's (runtime/rt_plat_sim.c), factored out so that the vfio platform runs the
 * very same code against the kernel.
 */
#include "runtime/rt_bind.h"

#include <sys/mman.h>

#include "pasid/pasid.h"
#include "pasid/pasid_as.h"
#include "runtime/rt_os.h"

int rt_bind_device(struct rt_bind_dev *b, int iommufd, int vfio_fd)
{
	*b = (struct rt_bind_dev){ .vfio_fd = vfio_fd };
	return pasid_device_bind(vfio_fd, iommufd, &b->dev_id);
}

int rt_bind_as(struct rt_bind_dev *b, int iommufd, uint32_t pasid, bool service_thread)
{
	int ret = pasid_as_bind(iommufd, b->vfio_fd, b->dev_id, pasid, NULL, &b->as);

	if (ret)
		return ret;
	if (service_thread) {
		ret = pasid_as_start_service_thread(b->as);
		if (ret) {
			pasid_as_unbind(b->as);
			b->as = NULL;
		}
	}
	return ret;
}

void rt_bind_undo(struct rt_bind_dev *b)
{
	if (b->as)
		pasid_as_unbind(b->as);
	b->as = NULL;
	if (b->vfio_fd >= 0)
		rt_os_close(b->vfio_fd);
	b->vfio_fd = -1;
}

int rt_bind_service(struct rt_bind_dev *b, unsigned int n)
{
	int served = 0;

	for (unsigned int i = 0; i < n; i++) {
		int ret = b[i].as ? pasid_as_service(b[i].as, 0) : 0;

		if (ret > 0)
			served += ret;
	}
	return served;
}

int rt_bind_prefault(struct rt_bind_dev *b, unsigned int n, const void *addr, size_t len,
		     bool write)
{
	unsigned int prot = PROT_READ | (write ? PROT_WRITE : 0);

	for (unsigned int i = 0; i < n; i++) {
		int ret = b[i].as ? pasid_as_prefault(b[i].as, addr, len, prot) : 0;

		if (ret)
			return ret;
	}
	return 0;
}

int rt_bind_invalidate(struct rt_bind_dev *b, unsigned int n, const void *addr, size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		int ret = b[i].as ? pasid_as_invalidate(b[i].as, addr, len) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}
