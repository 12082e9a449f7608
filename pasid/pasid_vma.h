/* SPDX-License-Identifier: MIT */
/*
 * pasid_vma: what the process has mapped at an address (the VMA as the kernel sees it), for
 * the binding's page-request checks. Uses the PROCMAP_QUERY ioctl on /proc/self/maps (Linux
 * 6.11+): one system call, no text; older kernels get the same answer by parsing the file.
 */
#ifndef SVART_PASID_VMA_H
#define SVART_PASID_VMA_H

#include <stdbool.h>
#include <stdint.h>

/* A mapping: [start, end), PROT_READ/WRITE/EXEC bits of its protection. */
struct pasid_vma {
	uint64_t start;
	uint64_t end;
	unsigned int prot;
	bool shared;
	bool file;
};

/**
 * pasid_vma_open() - a descriptor for pasid_vma_find() (/proc/self/maps, close-on-exec).
 *
 * Return: the descriptor, or -errno.
 */
int pasid_vma_open(void);

/**
 * pasid_vma_find() - the mapping containing @addr.
 * @maps_fd: from pasid_vma_open().
 * @addr: any address.
 * @vma: out.
 *
 * The answer can be stale as soon as it is returned (another thread may munmap): callers use
 * it to size and label a mapping, and let the kernel's own checks (MADV_POPULATE_*, the pin
 * of IOAS_MAP) decide what is really accessible.
 *
 * Return: 0; -ENOENT when nothing is mapped at @addr; another -errno when the query failed.
 */
int pasid_vma_find(int maps_fd, uint64_t addr, struct pasid_vma *vma);

#endif /* SVART_PASID_VMA_H */
