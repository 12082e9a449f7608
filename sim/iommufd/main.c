// SPDX-License-Identifier: MIT
/* Placeholder until the iommufd model lands: /dev/iommu is absent. */
#include <errno.h>

#include "sim/sim_file.h"

int sim_iommufd_fops_open(const char *path, int flags);
int sim_iommufd_fops_open(const char *path, int flags)
{
	return -ENOENT;
}
