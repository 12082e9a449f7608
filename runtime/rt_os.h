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

/* pread(2)/pwrite(2): VFIO region access at (index << 40 | offset). A count or -errno. */
ssize_t rt_os_pread(int fd, void *buf, size_t count, off_t off);
ssize_t rt_os_pwrite(int fd, const void *buf, size_t count, off_t off);
/* mmap(2) of @fd: 0 with *@addr the mapping (in: the address argument), or -errno. */
int rt_os_mmap(int fd, size_t len, int prot, int flags, off_t off, void **addr);
/* munmap(2) of what rt_os_mmap() mapped: 0 or -errno. */
int rt_os_munmap(void *addr, size_t len);

struct enq_portal;
/**
 * rt_os_portal_init() - a portal on a WQ portal page mapped from a VFIO BAR.
 * @p: the portal.
 * @page: the mapped portal page (64-byte aligned).
 * @dedicated: MOVDIR64B (dedicated WQ) rather than ENQCMD.
 *
 * A page sim mapped is sim's (sim_vfio_portal_find()): sim takes the descriptor in place of
 * the instruction, which is the one hardware-only step of a VFIO user driver sim stands in
 * for; a store to it would reach nothing. Any other page gets the instruction.
 *
 * Return: 0, or enq_portal_init_hw()'s -EINVAL / -EOPNOTSUPP (the CPU lacks the instruction).
 */
int rt_os_portal_init(struct enq_portal *p, void *page, bool dedicated);

#endif
