// SPDX-License-Identifier: MIT
/*
 * sim VFIO cdevs and PASID attachment: BIND rules, the selftest's device_pasid.pasid_attach
 * rules (through VFIO and through the iommufd device API for the non-VFIO cases), reserved
 * regions, atomic replace, and the device-side view (sim_pdev_get_hwpt()).
 */
#include <string.h>
#include <unistd.h>

#include "sim_iommufd_util.h"

static uint32_t n_ranges(int fd, uint32_t ioas)
{
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd), .ioas_id = ioas };

	svart_sim_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	return cmd.num_iovas;
}

/* The HWPT ID attached at (pdev, pasid) as the device side sees it; 0 if none. */
static uint32_t dev_hwpt(struct sim_pdev *pdev, uint32_t pasid)
{
	struct sim_hwpt *h = sim_pdev_get_hwpt(pdev, pasid);
	uint32_t id;

	if (!h)
		return 0;
	id = h->obj.id;
	sim_hwpt_put_shortterm(h);
	return id;
}

static void test_bind(void)
{
	int fd = svart_sim_iommufd_open(), idx, vfd, vfd2, pfd[2];
	struct sim_pdev *pdev = t_pdev("0000:6a:01.0", 20, &idx);
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = fd };
	uint32_t pt = 0;
	char path[64];

	T_ERRNO(ENOENT, svart_sim_open("/dev/vfio/devices/vfio200", O_RDWR));
	T_ERRNO(ENOENT, svart_sim_open("/dev/vfio/devices/vfiox", O_RDWR));
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio0%d", idx);
	T_ERRNO(ENOENT, svart_sim_open(path, O_RDWR));
	vfd = t_vfio_open(idx);
	T_CHECK(vfd >= 0);
	/* Nothing but BIND before binding. */
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, false, 0));
	T_ERRNO(EINVAL, t_vfio_detach(vfd, false, 0));
	bind.argsz = 15;
	T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.argsz = sizeof(bind);
	bind.iommufd = -1;
	T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.iommufd = fd;
	bind.flags = 2;
	T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.flags = 0;
	bind.iommufd = vfd; /* a sim file, but not an iommufd */
	T_ERRNO(EBADFD, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	T_EQ(0, pipe(pfd));
	bind.iommufd = pfd[0];
	T_ERRNO(EBADFD, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	close(pfd[0]);
	close(pfd[1]);
	bind.iommufd = 1000000;
	T_ERRNO(EBADF, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	T_ERRNO(EFAULT, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, NULL));
	bind.iommufd = fd;
	T_EQ(0, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	T_CHECK(bind.out_devid != 0);
	T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	/* A second open of the same device cannot bind while the first is bound. */
	vfd2 = t_vfio_open(idx);
	T_ERRNO(EINVAL, svart_sim_ioctl(vfd2, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	{
		struct vfio_device_info info = { .argsz = sizeof(info) };

		T_EQ(0, svart_sim_ioctl(vfd, VFIO_DEVICE_GET_INFO, &info));
		T_CHECK(info.flags & VFIO_DEVICE_FLAGS_PCI);
		info.argsz = 8;
		T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_GET_INFO, &info));
	}
	T_ERRNO(ENOTTY, svart_sim_ioctl(vfd, _IO(';', 99), NULL));
	/* Attach argument checks. */
	{
		struct vfio_device_attach_iommufd_pt a = { .argsz = 11, .pt_id = 1 };

		T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
		a.argsz = 12;
		a.flags = 2;
		T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
		a.flags = VFIO_DEVICE_ATTACH_PASID;
		T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
		a.flags = 0;
		a.pt_id = 999;
		T_ERRNO(ENOENT, svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
		a.pt_id = bind.out_devid;
		T_ERRNO(EINVAL, svart_sim_ioctl(vfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	}
	T_EQ(0, svart_sim_close(vfd));
	/* Once the first file is gone, the second can bind. */
	bind.out_devid = 0;
	T_EQ(0, svart_sim_ioctl(vfd2, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	T_CHECK(bind.out_devid != 0);
	/* Closing the iommufd first: the bound cdev keeps the context alive. */
	T_EQ(0, svart_sim_close(fd));
	T_EQ(0, svart_sim_close(vfd2));
	sim_pdev_destroy(pdev);
	/* Destroyed devices disappear from /dev/vfio/devices. */
	T_ERRNO(ENOENT, t_vfio_open(idx));
}

static void test_pasid_attach(void)
{
	int fd = svart_sim_iommufd_open(), idx, idx2, vfd, vfd2;
	struct sim_pdev *pdev = t_pdev("0000:6a:01.0", 20, &idx);
	struct sim_pdev *plain = t_pdev("0000:6a:02.0", 0, &idx2);
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x1000, .addr_width = 48 };
	const uint32_t VTD = IOMMU_HWPT_DATA_VTD_S1, PASID = IOMMU_HWPT_ALLOC_PASID;
	uint32_t ioas, dev_id, dev2, s2, s2_nopasid, nested, nested2, nested_nopasid, pt;
	const uint32_t pasid = 100;
	struct sim_iommufd_ctx *ictx;
	struct sim_idev *idev;
	struct sim_file *file;
	uint32_t ranges0;

	ioas = t_ioas_alloc(fd);
	vfd = t_vfio_open(idx);
	dev_id = t_vfio_bind(vfd, fd);
	vfd2 = t_vfio_open(idx2);
	dev2 = t_vfio_bind(vfd2, fd);
	ranges0 = n_ranges(fd, ioas);

	T_EQ(0,
	     t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT | PASID, dev_id, ioas, 0, NULL, 0, &s2));
	T_EQ(0,
	     t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, dev_id, ioas, 0, NULL, 0, &s2_nopasid));
	T_EQ(0, t_hwpt_alloc(fd, PASID, dev_id, s2, VTD, &s1, sizeof(s1), &nested));
	T_EQ(0, t_hwpt_alloc(fd, PASID, dev_id, s2, VTD, &s1, sizeof(s1), &nested2));
	T_EQ(0, t_hwpt_alloc(fd, 0, dev_id, s2, VTD, &s1, sizeof(s1), &nested_nopasid));

	/* Detaching a PASID never attached is fine. */
	T_EQ(0, t_vfio_detach(vfd, true, pasid));

	/* RID on a non-PASID HWPT: PASID attach EINVAL. */
	pt = s2_nopasid;
	T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
	/* The RID attach to a paging HWPT reserved the interrupt window. */
	T_EQ(ranges0 + 1, n_ranges(fd, ioas));
	pt = nested;
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, true, pasid));
	/* RID replaced onto the PASID-capable s2: now the PASID attach works. */
	pt = s2;
	T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
	T_EQ(s2, dev_hwpt(pdev, 0));
	T_EQ(ranges0 + 1, n_ranges(fd, ioas)); /* same IOAS: reserved once */
	pt = nested;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(nested, dev_hwpt(pdev, pasid));
	T_EQ(0, dev_hwpt(pdev, pasid + 1));
	/* Moving the RID back to a non-PASID HWPT while a PASID is attached: EINVAL, kept. */
	pt = s2_nopasid;
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, false, 0));
	T_EQ(s2, dev_hwpt(pdev, 0));
	/* Non-PASID HWPT or an IOAS on a PASID: EINVAL, nothing created. */
	pt = nested_nopasid;
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, true, pasid + 1));
	pt = ioas;
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, true, pasid + 1));
	T_EQ(0, dev_hwpt(pdev, pasid + 1));
	T_ERRNO(ENOENT, t_destroy(fd, nested_nopasid + 1)); /* no auto HWPT left */
	/* PASID range: 2^20 on this device, none on the plain one. */
	pt = nested2;
	T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, true, 1u << 20));
	pt = ioas;
	T_EQ(0, t_vfio_attach(vfd2, &pt, false, 0));
	{
		uint32_t plain_s2;

		T_EQ(0, t_hwpt_alloc(fd, PASID, dev2, ioas, 0, NULL, 0, &plain_s2));
		pt = plain_s2;
		T_ERRNO(EINVAL, t_vfio_attach(vfd2, &pt, true, 1));
		T_EQ(0, t_vfio_detach(vfd2, false, 0));
		T_EQ(0, t_destroy(fd, plain_s2));
	}
	/* The PASID attach did not add reserved regions (only RID attaches do). */
	T_EQ(ranges0 + 1, n_ranges(fd, ioas));

	/* Through the iommufd device API: EBUSY and replace of an unattached PASID. */
	file = sim_file_get(fd);
	ictx = file->private_data;
	idev = pdev->idev;
	pthread_mutex_lock(&ictx->mutex);
	pt = nested2;
	T_EQ(-EBUSY, sim_iommufd_device_attach(idev, pasid, &pt));
	pt = nested2;
	T_EQ(-EINVAL, sim_iommufd_device_replace(idev, pasid + 5, &pt));
	pt = ioas;
	T_EQ(-EINVAL, sim_iommufd_device_replace(idev, pasid, &pt));
	pt = nested;
	T_EQ(0, sim_iommufd_device_replace(idev, pasid, &pt)); /* same HWPT: no-op */
	pthread_mutex_unlock(&ictx->mutex);
	sim_file_put(file);
	T_EQ(nested, dev_hwpt(pdev, pasid));

	/* VFIO turns a second attach into replace: nested -> nested. */
	pt = nested2;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(nested2, dev_hwpt(pdev, pasid));
	T_EQ(0, t_destroy(fd, nested)); /* no longer held */
	T_ERRNO(EBUSY, t_destroy(fd, nested2));
	/* A PASID HWPT for the RID, with the RID automatic domain on another IOAS. */
	{
		uint32_t ioas2 = t_ioas_alloc(fd);

		pt = ioas2;
		T_ERRNO(EINVAL, t_vfio_attach(vfd, &pt, false, 0)); /* auto domain not PASID */
		T_EQ(s2, dev_hwpt(pdev, 0));
		T_EQ(0, t_vfio_detach(vfd, true, pasid));
		T_EQ(0, dev_hwpt(pdev, pasid));
		pt = ioas2;
		T_EQ(0, t_vfio_attach(vfd, &pt, false, 0)); /* auto domain on ioas2 */
		T_CHECK(pt != ioas2);
		T_EQ(pt, dev_hwpt(pdev, 0));
		/* Reserved regions moved with the RID. */
		T_EQ(ranges0, n_ranges(fd, ioas));
		T_EQ(ranges0 + 1, n_ranges(fd, ioas2));
		T_ERRNO(EBUSY, t_destroy(fd, ioas2));
		{
			uint32_t auto_id = pt;

			pt = s2;
			T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
			/* The replaced automatic domain is gone. */
			T_ERRNO(ENOENT, t_destroy(fd, auto_id));
		}
		T_EQ(0, t_destroy(fd, ioas2));
	}
	/* Close detaches everything and unbinds. */
	pt = nested2;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, svart_sim_close(vfd));
	T_EQ(0, dev_hwpt(pdev, 0));
	T_EQ(0, dev_hwpt(pdev, pasid));
	T_EQ(ranges0, n_ranges(fd, ioas));
	T_EQ(0, t_destroy(fd, nested2));
	T_EQ(0, t_destroy(fd, nested_nopasid));
	T_EQ(0, t_destroy(fd, s2));
	T_EQ(0, t_destroy(fd, s2_nopasid));
	T_ERRNO(ENOENT, t_destroy(fd, dev_id));
	T_EQ(0, svart_sim_close(vfd2));
	sim_pdev_destroy(pdev);
	sim_pdev_destroy(plain);
	T_EQ(0, svart_sim_close(fd));
}

int main(void)
{
	test_bind();
	test_pasid_attach();
	return t_done("sim_iommufd_pasid");
}
