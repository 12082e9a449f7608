// SPDX-License-Identifier: MIT
/* iommufd client: fault queues (allocation, reading groups, responding). */
#include <errno.h>
#include <stdint.h>

#include "pasid/pasid.h"
#include "runtime/rt_os.h"

int pasid_fault_queue_alloc(int iommufd, uint32_t *out_fault_id, int *out_fault_fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int rc = (int)rt_os_ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		*out_fault_id = cmd.out_fault_id;
		*out_fault_fd = (int)cmd.out_fault_fd;
	}
	return rc;
}

int pasid_fault_read(int fault_fd, struct iommu_hwpt_pgfault *recs, unsigned int max)
{
	ssize_t n = rt_os_read(fault_fd, recs, (size_t)max * sizeof(*recs));

	if (n < 0)
		return (int)n;
	/* The kernel hands out whole 40-byte records only; anything else is a broken file. */
	if (n % sizeof(*recs))
		return -EIO;
	return (int)(n / sizeof(*recs));
}

int pasid_fault_respond(int fault_fd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response resp = { .cookie = cookie, .code = code };
	ssize_t n = rt_os_write(fault_fd, &resp, sizeof(resp));

	if (n < 0)
		return (int)n;
	return n == sizeof(resp) ? 0 : -EIO;
}
