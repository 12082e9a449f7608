// SPDX-License-Identifier: MIT
/*
 * The device nodes sim models. Each entry's open() builds the simulated kernel file; the
 * interposer and svart_sim_open() find them here by path.
 */
#include <string.h>

#include "sim/idxd/sim_idxd.h"
#include "sim/sim_file.h"

static const struct sim_chrdev sim_chrdevs[] = {
	{ .path = "/dev/iommu", .open = sim_iommufd_fops_open },
	{ .path = "/dev/vfio/devices/vfio", .prefix = true, .open = sim_vfio_cdev_open },
	/* idxd WQs (sim/idxd/idxd_cdev.c); the open checks the rest of the name. */
	{ .path = "/dev/dsa/wq",
	  .prefix = true,
	  .open = sim_idxd_cdev_open,
	  .getattr = sim_idxd_cdev_getattr },
	{ .path = "/dev/iax/wq",
	  .prefix = true,
	  .open = sim_idxd_cdev_open,
	  .getattr = sim_idxd_cdev_getattr },
};

const struct sim_chrdev *sim_chrdev_find(const char *path)
{
	for (size_t i = 0; i < sizeof(sim_chrdevs) / sizeof(sim_chrdevs[0]); i++) {
		const struct sim_chrdev *c = &sim_chrdevs[i];

		if (c->prefix ? !strncmp(path, c->path, strlen(c->path)) : !strcmp(path, c->path))
			return c;
	}
	return NULL;
}
