/* SPDX-License-Identifier: MIT */
/*
 * sim's vfio-pci face of a DSA/IAA function: the regions a VFIO user driver reads, writes and
 * maps (vfio_pci.c), and the portal pages it maps from BAR2 (vfio_portal.c). docs/SIM_IOMMUFD.md,
 * "VFIO regions of a sim DSA/IAA".
 *
 * The one step of a VFIO user driver that sim cannot take the way hardware does is the store
 * to a portal: MOVDIR64B/ENQCMD to BAR2 is an instruction, not a system call. sim's BAR2
 * mapping is an inaccessible reservation (a stray plain store faults instead of vanishing),
 * and sim_vfio_portal_find() tells the submitter which WQ an address inside it belongs to, so
 * that the submission layer can hand the descriptor to that WQ (the SIM portal kind).
 */
#ifndef SVART_SIM_VFIO_SIM_VFIO_H
#define SVART_SIM_VFIO_SIM_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sim_accel_wq;
struct sim_file;
struct sim_vfio_pci;

/* pread(2) / pwrite(2) / mmap(2) on a sim descriptor: a count / 0, or -errno (-EBADF: not
 * sim's). */
ssize_t sim_pread(int fd, void *buf, size_t count, off_t off);
ssize_t sim_pwrite(int fd, const void *buf, size_t count, off_t off);
/* @addr: in, the caller's address argument; out, the mapping. The VFS's checks come first. */
int sim_mmap(int fd, size_t len, int prot, int flags, off_t off, void **addr);

/**
 * sim_vfio_pci_create() - the region model of the device behind /dev/vfio/devices/vfio@index.
 * @index: the cdev's N.
 * @out: the model, or NULL when no DSA/IAA stands behind the cdev (a bare sim PCI device: it
 *	has no regions).
 *
 * The register shadow starts as the device's current configuration.
 *
 * Return: 0 or -ENOMEM.
 */
int sim_vfio_pci_create(int index, struct sim_vfio_pci **out);
void sim_vfio_pci_destroy(struct sim_vfio_pci *vp);

/*
 * read()/write() at a region offset (index << 40 | offset), with vfio-pci's rules: a count, or
 * -EINVAL (no such region, offset past the BAR), -EFAULT (config space out of range), -EIO
 * (BAR access while PCI_COMMAND.MEMORY is clear).
 */
ssize_t sim_vfio_pci_rw(struct sim_vfio_pci *vp, void *buf, size_t count, off_t pos, bool write);
/* VFIO_DEVICE_GET_REGION_INFO; @vp may be NULL (no regions). */
int sim_vfio_pci_region_info(struct sim_vfio_pci *vp, void *arg);
/* mmap of a region: BAR2 only (portals); -EINVAL otherwise, as vfio-pci for a BAR it cannot map. */
int sim_vfio_pci_mmap(struct sim_vfio_pci *vp, size_t len, int prot, int flags, off_t off,
		      void **addr);

/**
 * sim_vfio_portal_map() - reserve @len bytes of portal pages of cdev @index from BAR2 offset @off.
 * @index: the cdev's N.
 * @off: page-aligned offset into BAR2.
 * @len: bytes (page multiple).
 * @flags: the caller's mmap flags (MAP_FIXED honoured).
 * @addr: in: the caller's address; out: the reservation.
 *
 * Return: 0, -ENOSPC (table full), or mmap's -errno.
 */
int sim_vfio_portal_map(int index, off_t off, size_t len, int flags, void **addr);

/**
 * sim_vfio_portal_find() - the WQ a store to @addr would reach.
 * @addr: an address inside a sim BAR2 mapping.
 * @wq: out: the WQ.
 * @limited: out (may be NULL): the limited portal page.
 *
 * For the submission layer's portal set-up, not the submit path (it takes a lock).
 *
 * Return: 0, or -ENOENT when @addr is not in a sim portal mapping (or its WQ is gone).
 */
int sim_vfio_portal_find(const void *addr, struct sim_accel_wq **wq, bool *limited);

/**
 * sim_vfio_portal_unmap() - forget the portal mappings inside [@addr, @addr + @len).
 * @addr: start.
 * @len: length.
 *
 * Called before munmap() of the range (which the caller still does).
 *
 * Return: true when the range held a sim portal mapping.
 */
bool sim_vfio_portal_unmap(const void *addr, size_t len);

#endif /* SVART_SIM_VFIO_SIM_VFIO_H */
