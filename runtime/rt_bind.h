/* SPDX-License-Identifier: MIT */
/*
 * Binding a device svart owns through its VFIO cdev: the cdev to an iommufd, then the
 * process's address space to one PASID of it through a nested IOAS with svart's own
 * first-stage table (pasid/pasid_as.c). Shared by the platforms that drive devices this way
 * (vfio; sim takes the same path): the kernel and sim are told apart by the OS layer only.
 */
#ifndef SVART_RT_BIND_H
#define SVART_RT_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* svart's PASID on devices it binds itself (any value below 2^20 the device has not given out). */
#define RT_BIND_PASID 0x5a7

struct pasid_as;

/* One bound device. vfio_fd -1 / as NULL: not (yet) bound. */
struct rt_bind_dev {
	int vfio_fd;
	uint32_t dev_id;
	struct pasid_as *as;
};

/**
 * rt_bind_device() - bind an open VFIO cdev to @iommufd (VFIO_DEVICE_BIND_IOMMUFD).
 * @b: the binding; takes ownership of @vfio_fd (closed by rt_bind_undo(), also on failure).
 * @iommufd: the iommufd.
 * @vfio_fd: the cdev, open O_RDWR.
 *
 * Region access needs this first (the cdev refuses it before BIND).
 *
 * Return: 0 or the kernel's -errno.
 */
int rt_bind_device(struct rt_bind_dev *b, int iommufd, int vfio_fd);

/**
 * rt_bind_as() - bind the process's address space to (@b, @pasid) through a nested IOAS.
 * @b: a device bound with rt_bind_device().
 * @iommufd: its iommufd.
 * @pasid: the PASID.
 * @service_thread: answer page requests on a thread of the binding's own.
 *
 * Return: 0 or pasid_as_bind()'s -errno (-EOPNOTSUPP: no VT-d nesting with PASIDs).
 */
int rt_bind_as(struct rt_bind_dev *b, int iommufd, uint32_t pasid, bool service_thread);

/* Undo both steps in the kernel's order (PASID detach, then unbind by closing the cdev). */
void rt_bind_undo(struct rt_bind_dev *b);

/* Serve pending page requests of @n bindings: the number served, or 0. */
int rt_bind_service(struct rt_bind_dev *b, unsigned int n);

/* pasid_as_prefault() / pasid_as_invalidate() on each of @n bindings: 0 or the first -errno. */
int rt_bind_prefault(struct rt_bind_dev *b, unsigned int n, const void *addr, size_t len,
		     bool write);
int rt_bind_invalidate(struct rt_bind_dev *b, unsigned int n, const void *addr, size_t len);

#endif /* SVART_RT_BIND_H */
