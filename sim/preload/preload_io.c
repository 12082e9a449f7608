// SPDX-License-Identifier: MIT
/*
 * Descriptor calls: ioctl, read, write, pread, pwrite (and the fortified reads), close.
 * A descriptor sim owns goes to sim; any other to libc, untouched, except descriptors of
 * idxd sysfs attribute files (sim/idxd/): a write to one is the attribute's store, and a read
 * fails when the attribute's show routine did (sim_idxd_fd_write(), _read_fails()).
 *
 * dup(), dup2() and dup3() go to libc; the only thing added is that a duplicate of an idxd
 * attribute descriptor is one too (shells redirect `echo 1 > /sys/...` through dup2()).
 * Not interposed, on purpose: fcntl() acts on the eventfd behind a sim descriptor, which
 * gives the kernel's answers for F_GETFD/F_SETFD/F_GETFL/F_SETFL; a duplicate of a sim
 * descriptor is a plain eventfd sim does not know (docs/SIM_PRELOAD.md lists these limits).
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "svart/sim.h"
#include "sim/idxd/sim_idxd.h"
#include "sim/preload/preload.h"

/* The file behind @fd with a reference (pairs with sim_file_put()), or NULL if not sim's. */
static struct sim_file *sim_preload_file(int fd)
{
	if (!sim_preload_active() || fd < 0)
		return NULL;
	return sim_file_get(fd);
}

/*
 * Commands do_vfs_ioctl() handles for every file before the driver sees any: they act on the
 * open file itself, which for a sim descriptor is the eventfd.
 */
static bool sim_preload_vfs_ioctl(unsigned long request)
{
	return request == FIOCLEX || request == FIONCLEX || request == FIONBIO ||
	       request == FIOASYNC;
}

SIM_PRELOAD_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	/* Every ioctl has one argument slot; reading it when the caller passed none is harmless. */
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!sim_preload_vfs_ioctl(request) && sim_preload_is_sim_fd(fd))
		return svart_sim_ioctl(fd, request, arg);
	return sim_preload_real_ioctl(fd, request, arg);
}

/* An idxd attribute whose show routine failed: the read fails the same way. */
static bool sim_preload_attr_read(int fd, ssize_t *ret)
{
	ssize_t rc;

	if (!sim_idxd_fds_active() || !sim_idxd_fd_read_fails(fd, &rc))
		return false;
	*ret = sim_preload_ret(rc);
	return true;
}

/* A write to an idxd attribute: its store (sysfs ignores the position). */
static bool sim_preload_attr_write(int fd, const void *buf, size_t count, ssize_t *ret)
{
	ssize_t rc;

	if (!sim_idxd_fds_active() || !sim_idxd_fd_write(fd, buf, count, &rc))
		return false;
	*ret = sim_preload_ret(rc);
	return true;
}

SIM_PRELOAD_EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	ssize_t ret;

	if (sim_preload_is_sim_fd(fd))
		return svart_sim_read(fd, buf, count);
	if (sim_preload_attr_read(fd, &ret))
		return ret;
	return sim_preload_real_read(fd, buf, count);
}

SIM_PRELOAD_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	ssize_t ret;

	if (sim_preload_is_sim_fd(fd))
		return svart_sim_write(fd, buf, count);
	if (sim_preload_attr_write(fd, buf, count, &ret))
		return ret;
	return sim_preload_real_write(fd, buf, count);
}

static bool sim_preload_may(const struct sim_file *file, bool write)
{
	int acc = file->flags & O_ACCMODE;

	return write ? acc == O_WRONLY || acc == O_RDWR : acc == O_RDONLY || acc == O_RDWR;
}

/*
 * pread(2)/pwrite(2) on a sim file, in ksys_pread64()'s order: the file's access mode (EBADF),
 * a missing op (EINVAL), then the op at @pos, leaving the file position alone. The negative
 * position check (EINVAL) comes first, in the callers, as the kernel makes it before it looks
 * the descriptor up.
 *
 * Not modelled yet: anonymous-inode files (the iommufd fault fd) lack FMODE_PREAD, so the
 * kernel fails pread/pwrite on them with ESPIPE at any position, before the op runs; sim
 * does not record which of its files are anonymous. A device cdev (VFIO) has FMODE_PREAD and
 * its op sees the position, which is what this does for every sim file.
 */
static ssize_t sim_preload_sim_rw_at(struct sim_file *file, void *buf, size_t count, off_t pos,
				     bool write)
{
	ssize_t rc;

	if (!sim_preload_may(file, write))
		rc = -EBADF;
	else if (write)
		rc = file->ops->write ? file->ops->write(file, buf, count, &pos) : -EINVAL;
	else
		rc = file->ops->read ? file->ops->read(file, buf, count, &pos) : -EINVAL;
	sim_file_put(file); /* Pairs with sim_preload_file() */
	return sim_preload_ret(rc);
}

SIM_PRELOAD_EXPORT ssize_t pread(int fd, void *buf, size_t count, off_t pos)
{
	struct sim_file *file;
	ssize_t ret;

	if (pos >= 0 && sim_preload_attr_read(fd, &ret))
		return ret;
	if (pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real_pread(fd, buf, count, pos);
	return sim_preload_sim_rw_at(file, buf, count, pos, false);
}

SIM_PRELOAD_EXPORT ssize_t pread64(int fd, void *buf, size_t count, off64_t pos)
{
	struct sim_file *file;
	ssize_t ret;

	if (pos >= 0 && sim_preload_attr_read(fd, &ret))
		return ret;
	if (pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real_pread64(fd, buf, count, pos);
	return sim_preload_sim_rw_at(file, buf, count, pos, false);
}

SIM_PRELOAD_EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t pos)
{
	struct sim_file *file;
	ssize_t ret;

	if (pos >= 0 && sim_preload_attr_write(fd, buf, count, &ret))
		return ret;
	if (pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real_pwrite(fd, buf, count, pos);
	return sim_preload_sim_rw_at(file, (void *)buf, count, pos, true);
}

SIM_PRELOAD_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t pos)
{
	struct sim_file *file;
	ssize_t ret;

	if (pos >= 0 && sim_preload_attr_write(fd, buf, count, &ret))
		return ret;
	if (pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real_pwrite64(fd, buf, count, pos);
	return sim_preload_sim_rw_at(file, (void *)buf, count, pos, true);
}

/*
 * The fortified reads, which glibc calls when the buffer's size is known at compile time:
 * glibc's check first (an overflow aborts), then the plain call.
 */
SIM_PRELOAD_EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	ssize_t ret;

	if (count <= buflen && sim_preload_attr_read(fd, &ret))
		return ret;
	if (count > buflen || !sim_preload_is_sim_fd(fd))
		return sim_preload_real___read_chk(fd, buf, count, buflen);
	return svart_sim_read(fd, buf, count);
}

SIM_PRELOAD_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen)
{
	struct sim_file *file;
	ssize_t ret;

	if (count <= buflen && pos >= 0 && sim_preload_attr_read(fd, &ret))
		return ret;
	if (count > buflen || pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real___pread_chk(fd, buf, count, pos, buflen);
	return sim_preload_sim_rw_at(file, buf, count, pos, false);
}

SIM_PRELOAD_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t pos,
					 size_t buflen)
{
	struct sim_file *file;
	ssize_t ret;

	if (count <= buflen && pos >= 0 && sim_preload_attr_read(fd, &ret))
		return ret;
	if (count > buflen || pos < 0 || !(file = sim_preload_file(fd)))
		return sim_preload_real___pread64_chk(fd, buf, count, pos, buflen);
	return sim_preload_sim_rw_at(file, buf, count, pos, false);
}

SIM_PRELOAD_EXPORT int close(int fd)
{
	/* One step, so that a racing close cannot make this close somebody else's file. */
	if (sim_preload_active() && fd >= 0 && sim_file_close(fd) == 0)
		return 0;
	if (sim_idxd_fds_active())
		sim_idxd_fd_forget(fd);
	return sim_preload_real_close(fd);
}

SIM_PRELOAD_EXPORT int dup(int fd)
{
	int ret = sim_preload_real_dup(fd);

	if (ret >= 0 && sim_idxd_fds_active())
		sim_idxd_fd_dup(fd, ret);
	return ret;
}

SIM_PRELOAD_EXPORT int dup2(int oldfd, int newfd)
{
	int ret = sim_preload_real_dup2(oldfd, newfd);

	if (ret >= 0 && sim_idxd_fds_active())
		sim_idxd_fd_dup(oldfd, ret);
	return ret;
}

SIM_PRELOAD_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int ret = sim_preload_real_dup3(oldfd, newfd, flags);

	if (ret >= 0 && sim_idxd_fds_active())
		sim_idxd_fd_dup(oldfd, ret);
	return ret;
}
