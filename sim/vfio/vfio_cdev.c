// SPDX-License-Identifier: MIT
/*
 * VFIO device cdevs /dev/vfio/devices/vfioN (drivers/vfio/device_cdev.c, vfio_main.c and the
 * vfio-pci iommufd glue): BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT with and without a PASID, and
 * GET_INFO. Closing the cdev detaches everything and unbinds. The regions of a DSA/IAA
 * behind the cdev (GET_REGION_INFO, read/write at region offsets, mmap of the portals) are
 * vfio_pci.c's; like the kernel's, they need a bound device (-EINVAL before BIND).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "pasid/vfio_uapi.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/sim_device.h"
#include "sim/sim_file.h"
#include "sim/vfio/sim_vfio.h"

/* One open of a device cdev (the kernel's struct vfio_device_file). */
struct sim_vfio_df {
	struct sim_pdev *pdev;
	pthread_mutex_t lock;
	struct sim_iommufd_ctx *ictx; /* set by BIND */
	struct sim_idev *idev;
	bool rid_attached;
	uint32_t *pasids; /* PASIDs attached through this file (vdev->pasid_attached) */
	unsigned int nr_pasids;
	struct sim_vfio_pci *regions; /* NULL: no DSA/IAA behind the cdev, no regions */
};

static int sim_vfio_find_pasid(const struct sim_vfio_df *df, uint32_t pasid)
{
	for (unsigned int i = 0; i < df->nr_pasids; i++)
		if (df->pasids[i] == pasid)
			return (int)i;
	return -1;
}

static int sim_vfio_bind(struct sim_vfio_df *df, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct sim_pdev *pdev = df->pdev;
	struct sim_iommufd_ctx *ictx;
	struct sim_idev *idev;
	uint32_t devid;
	int rc;

	if (sim_copy_from_user(&bind, arg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.iommufd < 0)
		return -EINVAL;
	if (bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN)
		return -EINVAL;
	if (bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
		uint8_t uuid[16];

		if (bind.argsz < offsetofend(struct vfio_device_bind_iommufd, token_uuid_ptr))
			return -EINVAL;
		if (sim_copy_from_user(&bind.token_uuid_ptr, (char *)arg + minsz,
				       sizeof(bind.token_uuid_ptr)) ||
		    sim_copy_from_user(uuid, sim_u64_to_user_ptr(bind.token_uuid_ptr),
				       sizeof(uuid)))
			return -EFAULT;
		/* A sim device is never a VF: a token is "incorrectly provided". */
		return -EINVAL;
	}

	pthread_mutex_lock(&df->lock);
	if (df->ictx) {
		rc = -EINVAL;
		goto out_unlock;
	}
	ictx = sim_iommufd_ctx_from_fd(bind.iommufd, &rc);
	if (!ictx)
		goto out_unlock;
	pthread_mutex_lock(&pdev->dev_lock);
	/* The cdev path opens a device once at a time. */
	if (pdev->opened) {
		pthread_mutex_unlock(&pdev->dev_lock);
		rc = -EINVAL;
		goto out_put_ctx;
	}
	pthread_mutex_lock(&ictx->mutex);
	idev = sim_iommufd_device_bind(ictx, pdev, &devid, &rc);
	pthread_mutex_unlock(&ictx->mutex);
	if (!idev) {
		pthread_mutex_unlock(&pdev->dev_lock);
		goto out_put_ctx;
	}
	pdev->opened = true;
	pdev->idev = idev;
	pthread_mutex_unlock(&pdev->dev_lock);
	df->ictx = ictx;
	df->idev = idev;
	bind.out_devid = devid;
	/* Like the kernel, the device stays bound even if the ID cannot be reported. */
	rc = sim_copy_to_user(&((struct vfio_device_bind_iommufd *)arg)->out_devid, &devid,
			      sizeof(devid));
	pthread_mutex_unlock(&df->lock);
	return rc;

out_put_ctx:
	sim_iommufd_ctx_put(ictx);
out_unlock:
	pthread_mutex_unlock(&df->lock);
	return rc;
}

/* df->lock and ictx->mutex held. */
static void sim_vfio_detach_pasid(struct sim_vfio_df *df, uint32_t pasid)
{
	int i = sim_vfio_find_pasid(df, pasid);

	if (i < 0)
		return;
	sim_iommufd_device_detach(df->idev, pasid);
	df->pasids[i] = df->pasids[--df->nr_pasids];
}

static int sim_vfio_attach_pt(struct sim_vfio_df *df, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	struct vfio_device_attach_iommufd_pt attach;
	struct sim_iommufd_ctx *ictx = df->ictx;
	bool pasid_op;
	int rc;

	if (sim_copy_from_user(&attach, arg, minsz))
		return -EFAULT;
	if (attach.argsz < minsz || (attach.flags & ~VFIO_DEVICE_ATTACH_PASID))
		return -EINVAL;
	pasid_op = attach.flags & VFIO_DEVICE_ATTACH_PASID;
	if (pasid_op) {
		const size_t xend = offsetofend(struct vfio_device_attach_iommufd_pt, pasid);

		if (attach.argsz < xend)
			return -EINVAL;
		if (sim_copy_from_user(&attach.pasid, (char *)arg + minsz, xend - minsz))
			return -EFAULT;
	}

	pthread_mutex_lock(&ictx->mutex);
	if (pasid_op) {
		if (sim_vfio_find_pasid(df, attach.pasid) >= 0) {
			rc = sim_iommufd_device_replace(df->idev, attach.pasid, &attach.pt_id);
		} else {
			uint32_t *p = realloc(df->pasids, (df->nr_pasids + 1) * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				goto out_unlock;
			}
			df->pasids = p;
			rc = sim_iommufd_device_attach(df->idev, attach.pasid, &attach.pt_id);
			if (!rc)
				df->pasids[df->nr_pasids++] = attach.pasid;
		}
	} else if (df->rid_attached) {
		rc = sim_iommufd_device_replace(df->idev, SIM_IOMMU_NO_PASID, &attach.pt_id);
	} else {
		rc = sim_iommufd_device_attach(df->idev, SIM_IOMMU_NO_PASID, &attach.pt_id);
		if (!rc)
			df->rid_attached = true;
	}
	if (rc)
		goto out_unlock;
	if (sim_copy_to_user(&((struct vfio_device_attach_iommufd_pt *)arg)->pt_id, &attach.pt_id,
			     sizeof(attach.pt_id))) {
		rc = -EFAULT;
		/* The kernel detaches when it cannot report the HWPT ID. */
		if (pasid_op) {
			sim_vfio_detach_pasid(df, attach.pasid);
		} else {
			sim_iommufd_device_detach(df->idev, SIM_IOMMU_NO_PASID);
			df->rid_attached = false;
		}
	}
out_unlock:
	pthread_mutex_unlock(&ictx->mutex);
	return rc;
}

static int sim_vfio_detach_pt(struct sim_vfio_df *df, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	struct vfio_device_detach_iommufd_pt detach;
	struct sim_iommufd_ctx *ictx = df->ictx;
	bool pasid_op;

	if (sim_copy_from_user(&detach, arg, minsz))
		return -EFAULT;
	if (detach.argsz < minsz || (detach.flags & ~VFIO_DEVICE_DETACH_PASID))
		return -EINVAL;
	pasid_op = detach.flags & VFIO_DEVICE_DETACH_PASID;
	if (pasid_op) {
		const size_t xend = offsetofend(struct vfio_device_detach_iommufd_pt, pasid);

		if (detach.argsz < xend)
			return -EINVAL;
		if (sim_copy_from_user(&detach.pasid, (char *)arg + minsz, xend - minsz))
			return -EFAULT;
	}
	pthread_mutex_lock(&ictx->mutex);
	if (pasid_op) {
		/* Detaching a PASID that is not attached is a no-op. */
		sim_vfio_detach_pasid(df, detach.pasid);
	} else if (df->rid_attached) {
		sim_iommufd_device_detach(df->idev, SIM_IOMMU_NO_PASID);
		df->rid_attached = false;
	}
	pthread_mutex_unlock(&ictx->mutex);
	return 0;
}

static int sim_vfio_get_info(struct sim_vfio_df *df, void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (sim_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = 9; /* VFIO_PCI_NUM_REGIONS */
	info.num_irqs = 5; /* VFIO_PCI_NUM_IRQS */
	return sim_copy_to_user(arg, &info, minsz);
}

static long sim_vfio_fops_ioctl(struct sim_file *file, unsigned long cmd, void *arg)
{
	struct sim_vfio_df *df = file->private_data;
	bool bound;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return sim_vfio_bind(df, arg);
	pthread_mutex_lock(&df->lock);
	bound = df->ictx != NULL;
	pthread_mutex_unlock(&df->lock);
	/* Everything else needs a bound device. */
	if (!bound)
		return -EINVAL;

	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		int rc;

		pthread_mutex_lock(&df->lock);
		rc = sim_vfio_attach_pt(df, arg);
		pthread_mutex_unlock(&df->lock);
		return rc;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT: {
		int rc;

		pthread_mutex_lock(&df->lock);
		rc = sim_vfio_detach_pt(df, arg);
		pthread_mutex_unlock(&df->lock);
		return rc;
	}
	case VFIO_DEVICE_GET_INFO:
		return sim_vfio_get_info(df, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return sim_vfio_pci_region_info(df->regions, arg);
	default:
		return -ENOTTY;
	}
}

/* vfio_device_fops_read()/write()/mmap(): nothing before BIND grants access. */
static bool sim_vfio_bound(struct sim_vfio_df *df)
{
	bool bound;

	pthread_mutex_lock(&df->lock);
	bound = df->ictx != NULL;
	pthread_mutex_unlock(&df->lock);
	return bound;
}

static ssize_t sim_vfio_fops_read(struct sim_file *file, void *buf, size_t count, off_t *pos)
{
	struct sim_vfio_df *df = file->private_data;
	ssize_t rc;

	if (!sim_vfio_bound(df) || !df->regions)
		return -EINVAL;
	rc = sim_vfio_pci_rw(df->regions, buf, count, *pos, false);
	if (rc > 0)
		*pos += rc;
	return rc;
}

static ssize_t sim_vfio_fops_write(struct sim_file *file, const void *buf, size_t count, off_t *pos)
{
	struct sim_vfio_df *df = file->private_data;
	ssize_t rc;

	if (!sim_vfio_bound(df) || !df->regions)
		return -EINVAL;
	rc = sim_vfio_pci_rw(df->regions, (void *)buf, count, *pos, true);
	if (rc > 0)
		*pos += rc;
	return rc;
}

static int sim_vfio_fops_mmap(struct sim_file *file, size_t len, int prot, int flags, off_t off,
			      void **addr)
{
	struct sim_vfio_df *df = file->private_data;

	if (!sim_vfio_bound(df))
		return -EINVAL;
	return sim_vfio_pci_mmap(df->regions, len, prot, flags, off, addr);
}

static void sim_vfio_fops_release(struct sim_file *file)
{
	struct sim_vfio_df *df = file->private_data;
	struct sim_pdev *pdev = df->pdev;

	if (df->ictx) {
		struct sim_iommufd_ctx *ictx = df->ictx;

		pthread_mutex_lock(&ictx->mutex);
		while (df->nr_pasids)
			sim_vfio_detach_pasid(df, df->pasids[0]);
		if (df->rid_attached)
			sim_iommufd_device_detach(df->idev, SIM_IOMMU_NO_PASID);
		sim_iommufd_device_unbind(df->idev);
		pthread_mutex_unlock(&ictx->mutex);
		pthread_mutex_lock(&pdev->dev_lock);
		pdev->idev = NULL;
		pdev->opened = false;
		pthread_mutex_unlock(&pdev->dev_lock);
		sim_iommufd_ctx_put(ictx); /* Pairs with sim_vfio_bind() */
	}
	free(df->pasids);
	sim_vfio_pci_destroy(df->regions);
	pthread_mutex_destroy(&df->lock);
	sim_pdev_put(pdev); /* Pairs with sim_vfio_cdev_open() */
	free(df);
}

static const struct sim_file_ops sim_vfio_fops = {
	.name = "vfio-device",
	.ioctl = sim_vfio_fops_ioctl,
	.read = sim_vfio_fops_read,
	.write = sim_vfio_fops_write,
	.mmap = sim_vfio_fops_mmap,
	.release = sim_vfio_fops_release,
};

int sim_vfio_cdev_open(const char *path, int flags)
{
	static const char prefix[] = "/dev/vfio/devices/vfio";
	struct sim_vfio_df *df;
	struct sim_pdev *pdev;
	struct sim_file *file;
	const char *p;
	long index = 0;
	int fd;

	if (strncmp(path, prefix, sizeof(prefix) - 1))
		return -ENOENT;
	p = path + sizeof(prefix) - 1;
	/* Exactly the decimal names the kernel creates: vfio0, vfio12 (no sign, no "01"). */
	if (!*p || (p[0] == '0' && p[1]))
		return -ENOENT;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || index > 100000)
			return -ENOENT;
		index = index * 10 + (*p - '0');
	}
	pdev = sim_pdev_find_vfio((int)index);
	if (!pdev)
		return -ENOENT;
	df = calloc(1, sizeof(*df));
	if (!df) {
		sim_pdev_put(pdev);
		return -ENOMEM;
	}
	df->pdev = pdev;
	fd = sim_vfio_pci_create((int)index, &df->regions);
	if (fd < 0) {
		free(df);
		sim_pdev_put(pdev);
		return fd;
	}
	pthread_mutex_init(&df->lock, NULL);
	fd = sim_file_create(&sim_vfio_fops, df, flags, &file);
	if (fd < 0) {
		sim_vfio_pci_destroy(df->regions);
		pthread_mutex_destroy(&df->lock);
		free(df);
		sim_pdev_put(pdev);
	}
	return fd;
}
