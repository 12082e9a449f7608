// SPDX-License-Identifier: MIT
/*
 * Paths: which calls are sim's, opening sim's device nodes, and what stat(2) and access(2)
 * say about them.
 *
 * A device node exists exactly when sim's open of it does not fail with ENOENT (sim has no
 * "exists" call; see sim_preload_cdev_exists()). Its metadata is what devtmpfs shows on a
 * kernel: a character device with the driver's mode, in /dev's filesystem, made at boot.
 * Owner and group are the caller's, as after the udev rule or chown that an unprivileged user
 * of the real device needs: sim does not check permissions on open, so access(2) must not
 * either.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "svart/sim.h"
#include "sim/idxd/sim_idxd.h"
#include "sim/preload/preload.h"

atomic_bool sim_preload_used;

/*
 * Metadata of the nodes sim models. Modes are the drivers': iommufd's misc device is 0660
 * (drivers/iommu/iommufd/main.c), a VFIO device cdev gets the device-core default 0600
 * (drivers/vfio/device_cdev.c sets no mode). Numbers are plausible, not fixed by the kernel:
 * misc major 10 with a dynamic minor; vfio-dev has a dynamic major and minor N for vfioN.
 */
struct sim_preload_node {
	const char *path; /* exact, or a prefix followed by the decimal minor (prefix set) */
	bool prefix;
	mode_t mode;
	unsigned int major, minor;
	ino_t ino;
};

static const struct sim_preload_node sim_preload_nodes[] = {
	{ .path = "/dev/iommu", .mode = 0660, .major = 10, .minor = 123, .ino = 310 },
	{ .path = "/dev/vfio/devices/vfio",
	  .prefix = true,
	  .mode = 0600,
	  .major = 237,
	  .ino = 400 },
};

/* A sim node without an entry above (a driver added to sim later): a root-only cdev. */
static const struct sim_preload_node sim_preload_node_default = {
	.mode = 0600,
	.major = 240,
	.ino = 500,
};

void sim_preload_lookup(int dirfd, const char *path, struct sim_preload_target *t)
{
	const struct sim_chrdev *test = NULL;

	t->kind = SIM_PRELOAD_PASS;
	t->path = path;
	t->test_cdev = NULL;
	/* An absolute path ignores dirfd (openat(2)); a relative one is never sim's, for now. */
	if (!path || path[0] != '/')
		return;
	if (sim_preload_test_chrdev_find)
		test = sim_preload_test_chrdev_find(path);
	if (!test && sim_preload_vfio_mode()) {
		/* vfio-pci face: /dev/iommu and the VFIO cdevs; no idxd tree, no /dev/dsa. */
		if (!strcmp(path, "/dev/iommu") || !strncmp(path, "/dev/vfio/devices/vfio", 22)) {
			sim_preload_vfio_up();
			t->kind = SIM_PRELOAD_CDEV;
		}
		return;
	}
	if (test) {
		t->kind = SIM_PRELOAD_CDEV;
		t->test_cdev = test;
	} else if (sim_chrdev_find(path)) {
		t->kind = SIM_PRELOAD_CDEV;
	} else if (sim_idxd_tree_redirect(path, t->buf, sizeof(t->buf))) {
		/* /sys/bus/dsa and the other idxd paths: into sim's tree. */
		t->kind = SIM_PRELOAD_TREE;
		t->path = t->buf;
	} else if (sim_idxd_tree_contains(path)) {
		/* A tree path itself (from a realpath() before the rewrite, /proc/self/fd, ...). */
		t->kind = SIM_PRELOAD_TREE;
	}
}

void sim_preload_lookup_open(int dirfd, const char *path, struct sim_preload_target *t)
{
	sim_preload_lookup(dirfd, path, t);
	if (t->kind == SIM_PRELOAD_PASS && path && path[0] != '/' && dirfd != AT_FDCWD &&
	    sim_idxd_tree_root() && sim_idxd_tree_at(dirfd, path, t->buf, sizeof(t->buf))) {
		char kpath[PATH_MAX];

		t->kind = SIM_PRELOAD_TREE;
		t->path = t->buf;
		/* openat(<fd of /dev/dsa>, "wq0.0"): the node itself, not its placeholder. */
		strcpy(kpath, t->buf);
		sim_idxd_tree_unredirect(kpath);
		if (sim_chrdev_find(kpath)) {
			t->kind = SIM_PRELOAD_CDEV;
			strcpy(t->buf, kpath);
		}
	}
}

int sim_preload_open_tree(const struct sim_preload_target *t, int flags, mode_t mode)
{
	return (int)sim_preload_ret(sim_idxd_tree_open(t->path, flags, mode));
}

/* Opens through sim. Return: a descriptor or -errno. */
static int sim_preload_cdev_open_raw(const struct sim_preload_target *t, int flags)
{
	int fd, saved_errno;

	if (t->test_cdev)
		return t->test_cdev->open(t->path, flags);
	saved_errno = errno;
	fd = svart_sim_open(t->path, flags);
	if (fd < 0)
		fd = -errno;
	errno = saved_errno;
	return fd;
}

int sim_preload_open_cdev(const struct sim_preload_target *t, int flags)
{
	int fd;

	/* What the VFS decides before a character device's open() runs. */
	if (flags & O_DIRECTORY)
		return (int)sim_preload_ret(-ENOTDIR);
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return (int)sim_preload_ret(-EEXIST);
	fd = sim_preload_cdev_open_raw(t, flags);
	if (fd >= 0)
		atomic_store_explicit(&sim_preload_used, true, memory_order_relaxed);
	return (int)sim_preload_ret(fd);
}

/*
 * Whether sim has the node, by opening it: only ENOENT means no. The open has no effect a
 * caller can see (the kernel's opens of these nodes bind nothing), but a node whose open does
 * (a dedicated idxd WQ takes its one client slot) needs an exists() in struct sim_chrdev.
 */
static bool sim_preload_cdev_exists(const struct sim_preload_target *t)
{
	int fd = sim_preload_cdev_open_raw(t, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0)
		sim_file_close(fd);
	return fd != -ENOENT;
}

static const struct sim_preload_node *sim_preload_node_find(const char *path, unsigned int *minor)
{
	for (size_t i = 0; i < sizeof(sim_preload_nodes) / sizeof(sim_preload_nodes[0]); i++) {
		const struct sim_preload_node *n = &sim_preload_nodes[i];
		size_t len = strlen(n->path);

		if (!n->prefix && !strcmp(path, n->path)) {
			*minor = n->minor;
			return n;
		}
		if (n->prefix && !strncmp(path, n->path, len)) {
			unsigned int m = 0;

			for (const char *p = path + len; *p >= '0' && *p <= '9'; p++)
				m = m * 10 + (unsigned int)(*p - '0');
			*minor = m & 0xfffff;
			return n;
		}
	}
	*minor = sim_preload_node_default.minor;
	return &sim_preload_node_default;
}

int sim_preload_stat_cdev(const struct sim_preload_target *t, struct stat *st)
{
	const struct sim_chrdev *c = t->test_cdev ? t->test_cdev : sim_chrdev_find(t->path);
	const struct sim_preload_node *n;
	struct timespec now, up;
	unsigned int minor;
	mode_t mode;
	dev_t rdev;
	ino_t ino;

	if (c && c->getattr) {
		/* The driver says, without an open (which may have effects: a dedicated WQ). */
		int rc = c->getattr(t->path, &mode, &rdev);

		if (rc)
			return rc;
		ino = 600 + major(rdev) * 256 + minor(rdev);
	} else {
		if (!sim_preload_cdev_exists(t))
			return -ENOENT;
		n = sim_preload_node_find(t->path, &minor);
		mode = S_IFCHR | n->mode;
		rdev = makedev(n->major, minor);
		ino = n->ino + minor;
	}
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(0, 5); /* devtmpfs is usually the fifth anonymous device */
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_rdev = rdev;
	st->st_blksize = 4096;
	/* Made at boot: the wall clock minus the time since, to the second (stable across calls). */
	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_BOOTTIME, &up);
	st->st_atim.tv_sec = now.tv_sec - up.tv_sec;
	st->st_mtim = st->st_atim;
	st->st_ctim = st->st_atim;
	return 0;
}

int sim_preload_access_cdev(const struct sim_preload_target *t, int mode, bool effective)
{
	struct stat st;
	uid_t uid = effective ? geteuid() : getuid();
	mode_t bits;
	int rc;

	/* do_faccessat(): only F_OK and R/W/X_OK are defined. */
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	rc = sim_preload_stat_cdev(t, &st);
	if (rc)
		return rc;
	if (mode == F_OK)
		return 0;
	/* Root may read and write anything, and execute what has an x bit (none here). */
	if (uid == 0)
		bits = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) ? 07 : 06;
	else if (uid == st.st_uid)
		bits = (st.st_mode >> 6) & 07;
	else
		bits = st.st_mode & 07;
	return (mode & ~(int)bits) ? -EACCES : 0;
}
