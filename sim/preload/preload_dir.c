// SPDX-License-Identifier: MIT
/*
 * Path calls that glibc implements without going through the interposed ones, so each must be
 * interposed itself to see sim's idxd tree (docs/SIM_IDXD.md): opendir() and scandir() open
 * the directory with an internal openat(); realpath() resolves each component with an internal
 * readlink(); fopen() opens with an internal open(). readlink() itself is here too, for `ls -l`
 * of the tree's symlinks.
 *
 * The kernel paths are handed to libc as the tree paths they stand for; what realpath() and
 * readlink() give back is turned into kernel paths again, so a program never sees the tree's
 * own location (libaccel-config builds its later paths from realpath() results).
 *
 * A stream on an attribute file is a fopencookie() stream over a descriptor from
 * sim_idxd_tree_open(): its reads and writes go through the same attribute checks as read()
 * and write() (stdio's own writes would otherwise reach the file, not the store).
 */
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/idxd/sim_idxd.h"
#include "sim/preload/preload.h"

/* A device node is no directory (when it exists). Return: NULL/-1 with errno set. */
static int sim_preload_cdev_notdir(const struct sim_preload_target *t)
{
	struct stat st;
	int rc = sim_preload_stat_cdev(t, &st);

	errno = rc ? -rc : ENOTDIR;
	return -1;
}

SIM_PRELOAD_EXPORT DIR *opendir(const char *path)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV) {
		sim_preload_cdev_notdir(&t);
		return NULL;
	}
	return sim_preload_real_opendir(t.path);
}

SIM_PRELOAD_EXPORT int scandir(const char *dir, struct dirent ***list,
			       int (*filter)(const struct dirent *),
			       int (*compar)(const struct dirent **, const struct dirent **))
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, dir, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_cdev_notdir(&t);
	return sim_preload_real_scandir(t.path, list, filter, compar);
}

SIM_PRELOAD_EXPORT int scandir64(const char *dir, struct dirent64 ***list,
				 int (*filter)(const struct dirent64 *),
				 int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, dir, &t);
	if (t.kind == SIM_PRELOAD_CDEV)
		return sim_preload_cdev_notdir(&t);
	return sim_preload_real_scandir64(t.path, list, filter, compar);
}

SIM_PRELOAD_EXPORT char *realpath(const char *path, char *resolved)
{
	struct sim_preload_target t;
	struct stat st;
	char *r;
	int rc;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV) {
		/* A node sim models resolves to itself (its path has no links in it). */
		rc = sim_preload_stat_cdev(&t, &st);
		if (rc) {
			errno = -rc;
			return NULL;
		}
		if (strlen(path) >= PATH_MAX) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		if (!resolved)
			return strdup(path);
		return strcpy(resolved, path);
	}
	r = sim_preload_real_realpath(t.path, resolved);
	if (r)
		sim_idxd_tree_unredirect(r);
	return r;
}

SIM_PRELOAD_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return realpath(path, resolved);
}

SIM_PRELOAD_EXPORT ssize_t readlink(const char *path, char *buf, size_t size)
{
	struct sim_preload_target t;
	char target[PATH_MAX + 1];
	struct stat st;
	ssize_t n;
	int rc;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV) {
		rc = sim_preload_stat_cdev(&t, &st);
		errno = rc ? -rc : EINVAL; /* not a symbolic link */
		return -1;
	}
	if (!sim_idxd_tree_root())
		return sim_preload_real_readlink(t.path, buf, size);
	/* The whole target first: it may be a tree path to turn back (/proc/self/fd/N). */
	n = sim_preload_real_readlink(t.path, target, PATH_MAX);
	if (n < 0)
		return n;
	target[n] = '\0';
	sim_idxd_tree_unredirect(target);
	n = (ssize_t)strlen(target);
	if ((size_t)n > size)
		n = (ssize_t)size;
	memcpy(buf, target, (size_t)n);
	return n;
}

/* ---- Streams on the tree ---- */

static ssize_t sim_preload_cookie_read(void *cookie, char *buf, size_t size)
{
	int fd = (int)(intptr_t)cookie;
	ssize_t rc;

	if (sim_idxd_fds_active() && sim_idxd_fd_read_fails(fd, &rc))
		return sim_preload_ret(rc);
	return sim_preload_real_read(fd, buf, size);
}

/* fopencookie's write returns what it wrote, 0 on error (errno set), never less. */
static ssize_t sim_preload_cookie_write(void *cookie, const char *buf, size_t size)
{
	int fd = (int)(intptr_t)cookie;
	ssize_t rc;

	if (!sim_idxd_fds_active() || !sim_idxd_fd_write(fd, buf, size, &rc))
		rc = sim_preload_real_write(fd, buf, size) < 0 ? -errno : (ssize_t)size;
	if (rc < 0) {
		errno = (int)-rc;
		return 0;
	}
	return rc;
}

static int sim_preload_cookie_seek(void *cookie, off64_t *off, int whence)
{
	off64_t r = lseek64((int)(intptr_t)cookie, *off, whence);

	if (r < 0)
		return -1;
	*off = r;
	return 0;
}

static int sim_preload_cookie_close(void *cookie)
{
	int fd = (int)(intptr_t)cookie;

	sim_idxd_fd_forget(fd);
	return sim_preload_real_close(fd);
}

/* fopen(3)'s mode string as open(2) flags; -1 for a mode fopen() rejects (EINVAL). */
static int sim_preload_fopen_flags(const char *mode)
{
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	for (const char *m = mode + 1; *m; m++) {
		if (*m == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*m == 'e')
			flags |= O_CLOEXEC;
		else if (*m == 'x')
			flags |= O_EXCL;
		else if (*m == ',')
			break; /* ",ccs=" */
	}
	return flags;
}

static FILE *sim_preload_fopen_tree(const struct sim_preload_target *t, const char *mode)
{
	static const cookie_io_functions_t io = {
		.read = sim_preload_cookie_read,
		.write = sim_preload_cookie_write,
		.seek = sim_preload_cookie_seek,
		.close = sim_preload_cookie_close,
	};
	int flags = sim_preload_fopen_flags(mode), fd;
	FILE *f;

	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	fd = sim_idxd_tree_open(t->path, flags, 0666);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fopencookie((void *)(intptr_t)fd, mode, io);
	if (!f) {
		int saved = errno;

		sim_idxd_fd_forget(fd);
		sim_preload_real_close(fd);
		errno = saved;
	}
	return f;
}

SIM_PRELOAD_EXPORT FILE *fopen(const char *path, const char *mode)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_TREE && mode)
		return sim_preload_fopen_tree(&t, mode);
	return sim_preload_real_fopen(t.path, mode);
}

SIM_PRELOAD_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	struct sim_preload_target t;

	sim_preload_lookup(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_TREE && mode)
		return sim_preload_fopen_tree(&t, mode);
	return sim_preload_real_fopen64(t.path, mode);
}
