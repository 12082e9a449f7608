// SPDX-License-Identifier: MIT
/*
 * BAR2 portal mappings of sim DSA/IAA functions, and the pread/pwrite/mmap face of sim files.
 *
 * A portal mapping is an inaccessible reservation (PROT_NONE): nothing may reach sim through a
 * plain store, so one that tries faults at once instead of being lost. What hardware does on a
 * MOVDIR64B/ENQCMD to the page, sim does when the submission layer, having found the address
 * here (sim_vfio_portal_find()), hands it the descriptor (sim_wq_submit()). The table is small
 * (a process maps a few portal ranges) and consulted only when a portal is set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "sim/sim_file.h"
#include "sim/sim_platform.h"
#include "sim/vfio/sim_vfio.h"

#define PORTAL_MAX_MAPS 64

struct portal_map {
	uintptr_t base;
	size_t len; /* 0: free slot */
	int index; /* the VFIO cdev's N */
	uint64_t bar_off; /* BAR2 offset of base */
};

static pthread_mutex_t portal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct portal_map portal_maps[PORTAL_MAX_MAPS];
/* Mappings in the table: the interposer's munmap() asks on every call, so none costs a load. */
static atomic_uint portal_nr;

int sim_vfio_portal_map(int index, off_t off, size_t len, int flags, void **addr)
{
	int slot = -1;
	void *p;

	len = (len + IDXD_PORTAL_PAGE_SIZE - 1) & ~(size_t)(IDXD_PORTAL_PAGE_SIZE - 1);
	pthread_mutex_lock(&portal_lock);
	for (int i = 0; i < PORTAL_MAX_MAPS && slot < 0; i++)
		if (!portal_maps[i].len)
			slot = i;
	if (slot < 0) {
		pthread_mutex_unlock(&portal_lock);
		return -ENOSPC;
	}
	p = mmap(*addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | (flags & MAP_FIXED), -1, 0);
	if (p == MAP_FAILED) {
		int ret = -errno;

		pthread_mutex_unlock(&portal_lock);
		return ret;
	}
	/* MAP_FIXED may have replaced an older portal mapping at the same place. */
	for (int i = 0; i < PORTAL_MAX_MAPS; i++)
		if (portal_maps[i].len && portal_maps[i].base < (uintptr_t)p + len &&
		    (uintptr_t)p < portal_maps[i].base + portal_maps[i].len) {
			portal_maps[i].len = 0;
			atomic_fetch_sub_explicit(&portal_nr, 1, memory_order_relaxed);
		}
	portal_maps[slot] = (struct portal_map){ (uintptr_t)p, len, index, (uint64_t)off };
	atomic_fetch_add_explicit(&portal_nr, 1, memory_order_relaxed);
	pthread_mutex_unlock(&portal_lock);
	*addr = p;
	return 0;
}

int sim_vfio_portal_find(const void *addr, struct sim_accel_wq **wq, bool *limited)
{
	const uint32_t per_wq = IDXD_PORTALS_PER_WQ * IDXD_PORTAL_PAGE_SIZE;
	uintptr_t a = (uintptr_t)addr;
	int ret = -ENOENT;

	pthread_mutex_lock(&portal_lock);
	for (int i = 0; i < PORTAL_MAX_MAPS; i++) {
		const struct portal_map *m = &portal_maps[i];
		struct sim_accel_dev *dev;
		uint64_t off;

		if (!m->len || a < m->base || a >= m->base + m->len)
			continue;
		dev = sim_platform_dev_by_vfio(m->index);
		if (!dev)
			break;
		off = m->bar_off + (a - m->base);
		*wq = sim_accel_wq_find(dev, (unsigned int)(off / per_wq));
		if (!*wq)
			break;
		if (limited)
			*limited = off % per_wq / IDXD_PORTAL_PAGE_SIZE & 1;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&portal_lock);
	return ret;
}

bool sim_vfio_portal_unmap(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	bool found = false;

	if (!atomic_load_explicit(&portal_nr, memory_order_relaxed))
		return false;
	pthread_mutex_lock(&portal_lock);
	for (int i = 0; i < PORTAL_MAX_MAPS; i++) {
		struct portal_map *m = &portal_maps[i];

		/* A partial unmap forgets the whole mapping: portals are mapped and unmapped whole. */
		if (m->len && m->base < a + len && a < m->base + m->len) {
			m->len = 0;
			atomic_fetch_sub_explicit(&portal_nr, 1, memory_order_relaxed);
			found = true;
		}
	}
	pthread_mutex_unlock(&portal_lock);
	return found;
}

/* ---- pread / pwrite / mmap of sim files ---- */

static bool pio_access_ok(const struct sim_file *file, bool write)
{
	int acc = file->flags & O_ACCMODE;

	return write ? acc == O_WRONLY || acc == O_RDWR : acc == O_RDONLY || acc == O_RDWR;
}

static ssize_t sim_pio(int fd, void *buf, size_t count, off_t off, bool write)
{
	struct sim_file *file = sim_file_get(fd);
	off_t pos = off;
	ssize_t rc;

	if (!file)
		return -EBADF;
	/* pread/pwrite leave the file position alone: the op gets a private one. */
	if (off < 0)
		rc = -EINVAL;
	else if (!pio_access_ok(file, write))
		rc = -EBADF;
	else if (write)
		rc = file->ops->write ? file->ops->write(file, buf, count, &pos) : -EINVAL;
	else
		rc = file->ops->read ? file->ops->read(file, buf, count, &pos) : -EINVAL;
	sim_file_put(file);
	return rc;
}

ssize_t sim_pread(int fd, void *buf, size_t count, off_t off)
{
	return sim_pio(fd, buf, count, off, false);
}

ssize_t sim_pwrite(int fd, const void *buf, size_t count, off_t off)
{
	return sim_pio(fd, (void *)buf, count, off, true);
}

int sim_mmap(int fd, size_t len, int prot, int flags, off_t off, void **addr)
{
	struct sim_file *file = sim_file_get(fd);
	int acc, rc;

	if (!file)
		return -EBADF;
	acc = file->flags & O_ACCMODE;
	/* do_mmap()'s checks before the file's op, as the interposer makes them. */
	if (!len)
		rc = -EINVAL;
	else if (acc == O_WRONLY)
		rc = -EACCES;
	else if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
		rc = -EACCES;
	else
		rc = file->ops->mmap ? file->ops->mmap(file, len, prot, flags, off, addr) : -ENODEV;
	sim_file_put(file);
	return rc;
}
