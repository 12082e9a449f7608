/* SPDX-License-Identifier: MIT */
/*
 * svart/sim.h: the simulated platform's system-call face.
 *
 * sim models the kernel's /dev/iommu (iommufd), the VFIO device cdevs /dev/vfio/devices/vfioN
 * and, later, the idxd cdevs, in process. Its files are real file descriptors (so poll(2),
 * epoll and close-on-exec behave), and the calls below behave exactly like their libc
 * namesakes on the kernel's files: they return -1 and set errno to the value the kernel would.
 * This is the one place in svart where errno is the contract, so that code written against the
 * kernel uAPI runs unchanged against sim (the LD_PRELOAD interposer, libsvart-sim-preload.so,
 * routes a program's own libc calls here).
 *
 * Descriptors from sim must be closed with svart_sim_close() (the interposer does this for
 * close(2)); dup(2) of a sim descriptor gives a plain eventfd that sim does not know.
 */
#ifndef SVART_SIM_H
#define SVART_SIM_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "svart.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * svart_sim_open() - open a simulated device node.
 * @path: "/dev/iommu", "/dev/vfio/devices/vfioN", ...
 * @flags: open(2) flags; O_CLOEXEC and O_NONBLOCK are honoured, access mode is checked.
 *
 * Return: a new file descriptor, or -1 with errno: ENOENT for a path sim does not model,
 * ENODEV / ENXIO as the kernel gives them, EMFILE when out of descriptors.
 */
SVART_API int svart_sim_open(const char *path, int flags);

/**
 * svart_sim_iommufd_open() - open sim's /dev/iommu (same as svart_sim_open("/dev/iommu", O_RDWR)).
 *
 * Return: a file descriptor, or -1 with errno.
 */
SVART_API int svart_sim_iommufd_open(void);

/**
 * svart_sim_ioctl() - ioctl(2) on a sim descriptor.
 *
 * Return: what the kernel's ioctl returns (usually 0), or -1 with errno. A descriptor that is
 * not sim's gives EBADF (use svart_sim_is_fd() to route).
 */
SVART_API int svart_sim_ioctl(int fd, unsigned long cmd, void *arg);

/** svart_sim_read() - read(2) on a sim descriptor; -1 with errno on error. */
SVART_API ssize_t svart_sim_read(int fd, void *buf, size_t count);

/** svart_sim_write() - write(2) on a sim descriptor; -1 with errno on error. */
SVART_API ssize_t svart_sim_write(int fd, const void *buf, size_t count);

/**
 * svart_sim_poll_events() - the poll(2) events a sim descriptor reports now (POLLIN, ...).
 *
 * poll(2)/epoll on the descriptor itself also work: sim keeps the underlying eventfd
 * readable exactly while the file has data to read.
 *
 * Return: an event mask, or -1 with errno (EBADF).
 */
SVART_API int svart_sim_poll_events(int fd);

/** svart_sim_close() - close(2) a sim descriptor; the file is released with its last user. */
SVART_API int svart_sim_close(int fd);

/** svart_sim_is_fd() - whether @fd is a live sim descriptor (1) or not (0). */
SVART_API int svart_sim_is_fd(int fd);

#ifdef __cplusplus
}
#endif

#endif /* SVART_SIM_H */
