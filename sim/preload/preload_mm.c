// SPDX-License-Identifier: MIT
/*
 * Memory-mapping calls.
 *
 * mmap() of a sim descriptor goes to the file's mmap op after the checks the VFS makes first
 * (do_mmap()): length 0 is EINVAL, a file not open for reading EACCES, a shared writable
 * mapping of a file not open for writing EACCES, a file without the op ENODEV. Anonymous
 * mappings and other descriptors go to libc untouched.
 *
 * munmap(), mremap(), mprotect() and madvise() go to libc; when they succeed and a sim device
 * translates this process's addresses (idxd SVA), the range's cached translations are dropped
 * afterwards, as the kernel's MMU notifier drops an SVA domain's IOTLB entries
 * (sim_idxd_sva_invalidate()). glibc's own calls (free() unmapping a large block) are not
 * seen: docs/SIM_IDXD.md describes that window.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>

#include "sim/idxd/sim_idxd.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/preload/preload.h"
#include "sim/vfio/sim_vfio.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * The mapping of a sim file; drops the reference (pairs with sim_file_get()). The op gets the
 * caller's address (a hint, or the place with MAP_FIXED) in *addr.
 */
static void *sim_preload_mmap_sim(struct sim_file *file, void *hint, size_t len, int prot,
				  int flags, off_t off)
{
	int acc = file->flags & O_ACCMODE;
	void *addr = hint;
	int rc;

	if (!len)
		rc = -EINVAL;
	else if (acc == O_WRONLY)
		rc = -EACCES;
	else if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
		rc = -EACCES;
	else
		rc = file->ops->mmap ? file->ops->mmap(file, len, prot, flags, off, &addr) :
				       -ENODEV;
	sim_file_put(file);
	if (rc) {
		errno = -rc;
		return MAP_FAILED;
	}
	return addr;
}

SIM_PRELOAD_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct sim_file *file;

	if (!(flags & MAP_ANONYMOUS) && fd >= 0 && sim_preload_active() &&
	    (file = sim_file_get(fd)))
		return sim_preload_mmap_sim(file, addr, len, prot, flags, off);
	return sim_preload_real_mmap(addr, len, prot, flags, fd, off);
}

SIM_PRELOAD_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	struct sim_file *file;

	if (!(flags & MAP_ANONYMOUS) && fd >= 0 && sim_preload_active() &&
	    (file = sim_file_get(fd)))
		return sim_preload_mmap_sim(file, addr, len, prot, flags, off);
	return sim_preload_real_mmap64(addr, len, prot, flags, fd, off);
}

/* After a successful change of [@addr, @addr + @len): the devices' caches follow. */
static void sim_preload_mm_changed(const void *addr, size_t len)
{
	if (sim_idxd_sva_active())
		sim_idxd_sva_invalidate((uintptr_t)addr, len);
}

SIM_PRELOAD_EXPORT int munmap(void *addr, size_t len)
{
	int ret;

	/* A VFIO BAR2 portal mapping is forgotten with its pages (vfio-pci face). */
	if (sim_preload_active())
		sim_vfio_portal_unmap(addr, len);
	ret = sim_preload_real_munmap(addr, len);

	if (!ret) {
		sim_preload_mm_changed(addr, len);
		/* An iommufd mapping's references go with its last page (vm_close). */
		sim_iommufd_munmap_notify(addr, len);
	}
	return ret;
}

SIM_PRELOAD_EXPORT void *mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
	void *new_addr = NULL, *ret;
	va_list ap;

	/* The fifth argument is there only with MREMAP_FIXED (as glibc reads it). */
	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	ret = sim_preload_real_mremap(old, old_size, new_size, flags, new_addr);
	if (ret != MAP_FAILED) {
		sim_preload_mm_changed(old, old_size);
		/* A fixed destination replaced whatever was mapped there. */
		if (flags & MREMAP_FIXED)
			sim_preload_mm_changed(ret, new_size);
	}
	return ret;
}

SIM_PRELOAD_EXPORT int mprotect(void *addr, size_t len, int prot)
{
	int ret = sim_preload_real_mprotect(addr, len, prot);

	if (!ret)
		sim_preload_mm_changed(addr, len);
	return ret;
}

SIM_PRELOAD_EXPORT int madvise(void *addr, size_t len, int advice)
{
	int ret = sim_preload_real_madvise(addr, len, advice);

	/* Advice that only brings pages in changes no translation; the rest may drop pages. */
	if (!ret && advice != MADV_WILLNEED && advice != MADV_POPULATE_READ &&
	    advice != MADV_POPULATE_WRITE)
		sim_preload_mm_changed(addr, len);
	return ret;
}
