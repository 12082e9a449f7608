/* SPDX-License-Identifier: MIT */
/*
 * The OS layer: the one place in svart's own code that knows whether a descriptor is the
 * kernel's or sim's. pasid/, enqcmd/ and runtime/ call these instead of libc so that the same
 * code drives /dev/iommu, VFIO cdevs and idxd cdevs on a real kernel or on sim.
 *
 * All return 0 / a count / a descriptor, or -errno (errno is converted here, once).
 */
#ifndef SVART_RT_OS_H
#define SVART_RT_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Open @path on sim (@sim true) or the kernel. Return: a descriptor or -errno. */
int rt_os_open(const char *path, int flags, bool sim);
long rt_os_ioctl(int fd, unsigned long cmd, void *arg);
ssize_t rt_os_read(int fd, void *buf, size_t count);
ssize_t rt_os_write(int fd, const void *buf, size_t count);
/* poll(2) for one descriptor. Return: revents (0 on timeout) or -errno. */
int rt_os_poll(int fd, short events, int timeout_ms);
int rt_os_close(int fd);
bool rt_os_is_sim(int fd);

#endif
