// SPDX-License-Identifier: MIT
/*
 * sim's idxd sysfs tree as real files (sim/idxd/idxd_tree.c), driven the way the interposer
 * drives it, without the interposer:
 *  - which paths are redirected (whole components only) and how tree paths turn back into
 *    kernel paths;
 *  - the layout: bus links resolving into the PCI device, driver links, cdev directories and
 *    /dev placeholders following binds and unbinds;
 *  - attribute descriptors: text refreshed at each open (an earlier reader keeps its text),
 *    kernfs' access checks (EACCES), stores through registered descriptors and their
 *    duplicates, read errors, a stale registration (descriptor reused for another file)
 *    never taken for the attribute;
 *  - relative lookups from a directory descriptor of the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/idxd/sim_idxd.h"
#include "t_helpers.h"

static char tp[PATH_MAX];

/* The tree path of kernel path @path (exits if it is not redirected). */
static const char *tree(const char *path)
{
	if (sim_idxd_tree_redirect(path, tp, sizeof(tp)) != 1) {
		fprintf(stderr, "%s: not redirected\n", path);
		exit(T_EXIT_FAIL);
	}
	return tp;
}

/* The text of an open descriptor from the start. */
static const char *text_of(int fd)
{
	static char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool exists(const char *kpath)
{
	struct stat st;

	return !lstat(tree(kpath), &st);
}

static void test_paths(void)
{
	char buf[PATH_MAX];

	T_CHECK(sim_idxd_path_ours("/sys/bus/dsa"));
	T_CHECK(sim_idxd_path_ours("/sys/bus/dsa/devices/dsa0/state"));
	T_CHECK(sim_idxd_path_ours("/dev/dsa/wq0.0"));
	T_CHECK(sim_idxd_path_ours("/dev/iax"));
	T_CHECK(sim_idxd_path_ours("/sys/module/idxd"));
	T_CHECK(sim_idxd_path_ours(SIM_IDXD_PCI_ROOT "/0000:f0:01.0"));
	T_CHECK(!sim_idxd_path_ours("/sys/bus/dsax"));
	T_CHECK(!sim_idxd_path_ours("/sys/bus/iax"));
	T_CHECK(!sim_idxd_path_ours("/dev/dsa0"));
	T_CHECK(!sim_idxd_path_ours("/sys/module/idxd_bus"));
	T_CHECK(!sim_idxd_path_ours("/sys/devices/pci0000:00"));
	T_CHECK(!sim_idxd_path_ours("sys/bus/dsa"));
	T_EQ(sim_idxd_tree_redirect("/proc/self/maps", buf, sizeof(buf)), 0);

	/* Redirected, then back: realpath() of a bus link names the PCI device's WQ. */
	T_CHECK(sim_idxd_tree_root() == NULL); /* nothing of ours was asked for yet */
	T_CHECK(realpath(tree("/sys/bus/dsa/devices/wq0.1"), buf) != NULL);
	T_CHECK(sim_idxd_tree_root() != NULL);
	T_CHECK(sim_idxd_tree_contains(buf));
	sim_idxd_tree_unredirect(buf);
	T_STREQ(buf, SIM_IDXD_PCI_ROOT "/0000:f0:01.0/dsa0/wq0.1");
	T_CHECK(realpath(tree("/sys/bus/dsa/devices/dsa0/driver"), buf) != NULL);
	sim_idxd_tree_unredirect(buf);
	T_STREQ(buf, "/sys/bus/dsa/drivers/idxd");
	strcpy(buf, "/not/in/the/tree");
	sim_idxd_tree_unredirect(buf);
	T_STREQ(buf, "/not/in/the/tree");
}

static void test_layout(void)
{
	T_CHECK(exists("/sys/bus/dsa/devices/dsa0"));
	T_CHECK(exists("/sys/bus/dsa/devices/iax1"));
	T_CHECK(exists("/sys/bus/dsa/devices/engine1.7"));
	T_CHECK(exists("/sys/bus/dsa/devices/dsa!wq0.1"));
	T_CHECK(exists("/sys/bus/dsa/drivers/user/wq0.1"));
	T_CHECK(exists("/sys/bus/dsa/drivers/idxd/dsa0"));
	T_CHECK(exists("/sys/module/idxd"));
	T_CHECK(exists("/dev/dsa/wq0.0"));
	T_CHECK(exists("/dev/iax/wq1.0"));
	T_CHECK(!exists("/dev/dsa/wq0.2"));
	T_CHECK(exists("/sys/bus/dsa/devices/dsa0/max_batch_size"));
	T_CHECK(!exists("/sys/bus/dsa/devices/iax1/max_batch_size")); /* hidden on IAA */
	T_CHECK(!exists("/sys/bus/dsa/devices/wq0.2/driver"));

	/* disable-wq: the links and the nodes go; enabling brings them back. */
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/drivers/user/unbind", "wq0.1", 5), 5);
	T_CHECK(!exists("/dev/dsa/wq0.1"));
	T_CHECK(!exists("/sys/bus/dsa/devices/dsa!wq0.1"));
	T_CHECK(!exists("/sys/bus/dsa/drivers/user/wq0.1"));
	T_CHECK(!exists("/sys/bus/dsa/devices/wq0.1/driver"));
	T_CHECK(!exists("/sys/bus/dsa/devices/wq0.1/dsa!wq0.1"));
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/devices/wq0.1/name", "w", 1), 1);
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/devices/wq0.1/priority", "2", 1), 1);
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/devices/wq0.1/mode", "dedicated", 9), 9);
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/drivers/user/bind", "wq0.1", 5), 5);
	T_CHECK(exists("/dev/dsa/wq0.1"));
	T_CHECK(exists("/sys/bus/dsa/devices/wq0.1/driver"));
	T_CHECK(exists("/sys/bus/dsa/devices/wq0.1/dsa!wq0.1/dev"));
	/* /dev/iax goes with its last node, as devtmpfs removes empty directories. */
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/drivers/user/unbind", "wq1.0", 5), 5);
	T_CHECK(!exists("/dev/iax"));
}

static void test_attr_fds(void)
{
	char path[PATH_MAX], name[PATH_MAX];
	int fd, fd2, old, dfd, d;
	ssize_t ret;

	/* Refreshed at open: an earlier reader keeps the text it opened. */
	strcpy(path, tree("/sys/bus/dsa/devices/wq0.3/priority"));
	old = sim_idxd_tree_open(path, O_RDONLY, 0);
	T_CHECK(old >= 0);
	T_STREQ(text_of(old), "0\n");
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/devices/wq0.3/priority", "7", 1), 1);
	fd = sim_idxd_tree_open(path, O_RDONLY, 0);
	T_STREQ(text_of(fd), "7\n");
	T_STREQ(text_of(old), "0\n");
	close(fd);
	close(old);

	/* kernfs' checks: no store, no show, no new files. */
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/devices/dsa0/version"), O_WRONLY, 0), -EACCES);
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/devices/dsa0/version"), O_RDWR, 0), -EACCES);
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/drivers/idxd/bind"), O_RDONLY, 0), -EACCES);
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/devices/dsa0/new"), O_WRONLY | O_CREAT, 0644),
	     -EACCES);
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/devices/dsa0/state"),
				O_RDONLY | O_CREAT | O_EXCL, 0644),
	     -EEXIST);
	T_EQ(sim_idxd_tree_open(tree("/sys/bus/dsa/devices/dsa0/nothing"), O_RDONLY, 0), -ENOENT);

	/* A writer's write() is the store: errno and all. */
	fd = sim_idxd_tree_open(tree("/sys/bus/dsa/devices/wq0.3/priority"), O_WRONLY | O_TRUNC, 0);
	T_CHECK(fd >= 0);
	T_CHECK(sim_idxd_fds_active());
	T_CHECK(sim_idxd_fd_write(fd, "16", 2, &ret));
	T_EQ(ret, -EINVAL);
	T_CHECK(sim_idxd_fd_write(fd, "12\n", 3, &ret));
	T_EQ(ret, 3);
	/* ... and a duplicate's, as shells redirect. */
	d = dup(fd);
	sim_idxd_fd_dup(fd, d);
	sim_idxd_fd_forget(fd);
	close(fd);
	T_CHECK(sim_idxd_fd_write(d, "13", 2, &ret));
	T_EQ(ret, 2);
	fd = sim_idxd_tree_open(tree("/sys/bus/dsa/devices/wq0.3/priority"), O_RDONLY, 0);
	T_STREQ(text_of(fd), "13\n");
	/* A read-only descriptor is no writer (EBADF, as write(2) on it). */
	T_CHECK(!sim_idxd_fd_write(fd, "1", 1, &ret));
	close(fd);

	/*
	 * A descriptor replaced behind sim's back (a dup2() the interposer did not see) is not
	 * the attribute any more: its writes go to its file.
	 */
	snprintf(name, sizeof(name), "%s/plain", sim_idxd_tree_root());
	fd2 = open(name, O_RDWR | O_CREAT, 0600);
	T_EQ(dup2(fd2, d), d);
	T_CHECK(!sim_idxd_fd_write(d, "5", 1, &ret));
	T_CHECK(!sim_idxd_fds_active());
	close(fd2);
	close(d);
	unlink(name);

	/* A show that fails makes the read fail. */
	fd = sim_idxd_tree_open(tree("/sys/bus/dsa/devices/wq0.3/cdev_minor"), O_RDONLY, 0);
	T_CHECK(fd >= 0);
	T_CHECK(sim_idxd_fd_read_fails(fd, &ret));
	T_EQ(ret, -ENXIO);
	sim_idxd_fd_forget(fd);
	close(fd);

	/* openat(dfd, "attr") from an O_PATH descriptor of the tree. */
	dfd = open(tree("/sys/bus/dsa/devices/wq0.0"), O_PATH | O_DIRECTORY);
	T_CHECK(dfd >= 0);
	T_EQ(sim_idxd_tree_at(dfd, "mode", path, sizeof(path)), 1);
	fd = sim_idxd_tree_open(path, O_RDONLY, 0);
	T_STREQ(text_of(fd), "shared\n");
	close(fd);
	close(dfd);
	dfd = open("/", O_PATH | O_DIRECTORY);
	T_EQ(sim_idxd_tree_at(dfd, "mode", path, sizeof(path)), 0);
	close(dfd);
}

int main(void)
{
	unsetenv("SVART_SIM_CONFIG");
	unsetenv(SIM_IDXD_STATE_ENV);
	test_paths();
	test_layout();
	test_attr_fds();
	return t_done("sim_idxd_tree");
}
