// SPDX-License-Identifier: MIT
/* Placeholder until the VFIO cdev model lands: no sim VFIO devices. */
#include <errno.h>

#include "sim/sim_file.h"

int sim_vfio_cdev_open(const char *path, int flags);
int sim_vfio_cdev_open(const char *path, int flags)
{
	return -ENOENT;
}
