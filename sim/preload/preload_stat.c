// SPDX-License-Identifier: MIT
/*
 * access(2), the stat(2) family and the extended-attribute reads for sim's device nodes, so
 * that programs which check for /dev/iommu before opening it find it, and `ls -l` (which asks
 * for the SELinux label and ACLs) lists it.
 *
 * glibc 2.33 and later export stat, lstat and fstatat (and their 64 aliases) directly, and
 * programs built against it call those; the older __xstat family stays only for binaries
 * built before 2.33 and is not interposed. statx is what coreutils (ls, stat) use. fstat() of
 * an open sim descriptor is not interposed: it describes the eventfd (docs/SIM_PRELOAD.md).
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sim/preload/preload.h"

SIM_PRELOAD_EXPORT int access(const char *path, int mode)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return (int)sim_preload_ret(sim_preload_access_cdev(&t, mode, false));
	return sim_preload_real_access(t.path, mode);
}

SIM_PRELOAD_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup(dirfd, path, &t);
	if (t.kind != SIM_PRELOAD_CDEV)
		return sim_preload_real_faccessat(dirfd, t.path, mode, flags);
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return (int)sim_preload_ret(-EINVAL);
	return (int)sim_preload_ret(sim_preload_access_cdev(&t, mode, flags & AT_EACCESS));
}

/* fstatat()'s flag check (vfs_fstatat()), then the node's metadata. */
static int sim_preload_fstatat_cdev(const struct sim_preload_target *t, struct stat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return (int)sim_preload_ret(-EINVAL);
	return (int)sim_preload_ret(sim_preload_stat_cdev(t, st));
}

/* struct stat64 is struct stat on x86-64 (both are the kernel's). */
_Static_assert(sizeof(struct stat64) == sizeof(struct stat), "stat64 and stat must match");

SIM_PRELOAD_EXPORT int stat(const char *path, struct stat *st)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, st, 0);
	return sim_preload_real_stat(t.path, st);
}

SIM_PRELOAD_EXPORT int stat64(const char *path, struct stat64 *st)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, (struct stat *)st, 0);
	return sim_preload_real_stat64(t.path, st);
}

SIM_PRELOAD_EXPORT int lstat(const char *path, struct stat *st)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, st, AT_SYMLINK_NOFOLLOW);
	return sim_preload_real_lstat(t.path, st);
}

SIM_PRELOAD_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
	return sim_preload_real_lstat64(t.path, st);
}

SIM_PRELOAD_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, st, flags);
	return sim_preload_real_fstatat(dirfd, t.path, st, flags);
}

SIM_PRELOAD_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_fstatat_cdev(&t, (struct stat *)st, flags);
	return sim_preload_real_fstatat64(dirfd, t.path, st, flags);
}

static void sim_preload_statx_ts(struct statx_timestamp *to, const struct timespec *from)
{
	to->tv_sec = from->tv_sec;
	to->tv_nsec = (uint32_t)from->tv_nsec;
}

SIM_PRELOAD_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask,
			     struct statx *stx)
{
	struct sim_preload_target t;
	struct stat st;
	int rc;

	sim_preload_lookup(dirfd, path, &t);
	if (t.kind != SIM_PRELOAD_CDEV)
		return sim_preload_real_statx(dirfd, t.path, flags, mask, stx);
	/* vfs_statx()'s argument checks. */
	if ((flags &
	     ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return (int)sim_preload_ret(-EINVAL);
	rc = sim_preload_stat_cdev(&t, &st);
	if (rc)
		return (int)sim_preload_ret(rc);
	/* Everything the basic stat has, whatever was asked (the kernel may return more). */
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st.st_blksize;
	stx->stx_nlink = (uint32_t)st.st_nlink;
	stx->stx_uid = st.st_uid;
	stx->stx_gid = st.st_gid;
	stx->stx_mode = (uint16_t)st.st_mode;
	stx->stx_ino = st.st_ino;
	stx->stx_size = 0;
	stx->stx_blocks = 0;
	sim_preload_statx_ts(&stx->stx_atime, &st.st_atim);
	sim_preload_statx_ts(&stx->stx_ctime, &st.st_ctim);
	sim_preload_statx_ts(&stx->stx_mtime, &st.st_mtim);
	stx->stx_rdev_major = major(st.st_rdev);
	stx->stx_rdev_minor = minor(st.st_rdev);
	stx->stx_dev_major = major(st.st_dev);
	stx->stx_dev_minor = minor(st.st_dev);
	return 0;
}

/*
 * A devtmpfs node without SELinux has no extended attributes: reads give ENODATA and the list
 * is empty (ENOENT, as everywhere, when sim has no such node).
 */
static ssize_t sim_preload_xattr_cdev(const struct sim_preload_target *t, bool list)
{
	struct stat st;
	int rc = sim_preload_stat_cdev(t, &st);

	if (rc)
		return sim_preload_ret(rc);
	return list ? 0 : sim_preload_ret(-ENODATA);
}

SIM_PRELOAD_EXPORT ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_xattr_cdev(&t, false);
	return sim_preload_real_getxattr(t.path, name, value, size);
}

SIM_PRELOAD_EXPORT ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_xattr_cdev(&t, false);
	return sim_preload_real_lgetxattr(t.path, name, value, size);
}

SIM_PRELOAD_EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_xattr_cdev(&t, true);
	return sim_preload_real_listxattr(t.path, list, size);
}

SIM_PRELOAD_EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_xattr_cdev(&t, true);
	return sim_preload_real_llistxattr(t.path, list, size);
}
