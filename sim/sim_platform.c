// SPDX-License-Identifier: MIT
/*
 * The sim platform: accel devices wired to the sim IOMMU. See sim_platform.h.
 */
#include "sim/sim_platform.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "sim/iommu/translate.h"
#include "sim/sim_device.h"

/* Which IOMMU device belongs to which accel device (a handful of devices: a table). */
struct plat_link {
	const struct sim_accel_dev *dev;
	struct sim_iommu_dev *idev;
	int vfio_index;
};

static pthread_mutex_t plat_lock = PTHREAD_MUTEX_INITIALIZER;
static struct plat_link plat_links[SIM_ACCEL_CFG_MAX_DEVS];

/*
 * The PCI function a device would be on a Sapphire Rapids socket: DSA 0000:6a:01.0, IAA
 * 0000:6a:02.0, ... one device number per accel id.
 */
static int plat_attach(struct sim_accel_dev *dev, const struct sim_dma_ops **ops, void **priv)
{
	const struct sim_accel_caps *caps = sim_accel_dev_caps(dev);
	unsigned int id = (unsigned int)sim_accel_dev_id(dev);
	struct sim_pdev_info info = { 0 };
	struct sim_iommu_dev *idev;
	char name[32];
	int ret, slot = -1;

	snprintf(name, sizeof(name), "0000:6a:%02x.0", (id + 1) & 0x1f);
	info.name = name;
	info.rid = 0x6a << 8 | ((id + 1) & 0x1f) << 3;
	info.max_pasid_log2 = 20;
	info.ats = true;
	info.pasid_priv = caps->pasid_priv;
	ret = sim_iommu_dev_create(&info, &idev);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&plat_lock);
	for (int i = 0; i < SIM_ACCEL_CFG_MAX_DEVS; i++) {
		if (!plat_links[i].dev) {
			plat_links[i] = (struct plat_link){ dev, idev, ret };
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&plat_lock);
	if (slot < 0) {
		sim_iommu_dev_destroy(idev);
		return -ENOSPC;
	}
	*ops = &sim_iommu_dma_ops;
	*priv = idev;
	return 0;
}

static void plat_detach(struct sim_accel_dev *dev, void *priv)
{
	pthread_mutex_lock(&plat_lock);
	for (int i = 0; i < SIM_ACCEL_CFG_MAX_DEVS; i++)
		if (plat_links[i].dev == dev)
			plat_links[i] = (struct plat_link){ 0 };
	pthread_mutex_unlock(&plat_lock);
	sim_iommu_dev_destroy(priv);
}

static const struct sim_accel_dma_provider plat_provider = {
	.attach = plat_attach,
	.detach = plat_detach,
};

int sim_platform_get(void)
{
	/* -EBUSY: the platform exists already (with this provider, set before it was made). */
	sim_accel_platform_set_dma_provider(&plat_provider);
	return sim_accel_platform_get();
}

void sim_platform_put(void)
{
	sim_accel_platform_put();
}

int sim_platform_vfio_index(const struct sim_accel_dev *dev)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&plat_lock);
	for (int i = 0; i < SIM_ACCEL_CFG_MAX_DEVS; i++)
		if (plat_links[i].dev == dev)
			ret = plat_links[i].vfio_index;
	pthread_mutex_unlock(&plat_lock);
	return ret;
}

struct sim_accel_dev *sim_platform_dev_by_vfio(int index)
{
	struct sim_accel_dev *dev = NULL;

	pthread_mutex_lock(&plat_lock);
	for (int i = 0; i < SIM_ACCEL_CFG_MAX_DEVS; i++)
		if (plat_links[i].dev && plat_links[i].vfio_index == index)
			dev = (struct sim_accel_dev *)plat_links[i].dev;
	pthread_mutex_unlock(&plat_lock);
	return dev;
}
