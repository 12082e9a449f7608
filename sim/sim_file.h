/* SPDX-License-Identifier: MIT */
/*
 * sim files: the simulated kernel files behind sim descriptors.
 *
 * Each sim file is backed by a real eventfd, so the descriptor number is a real one (no
 * collisions with the process's other files), poll(2) and epoll work on it, and its readiness
 * is the eventfd's: sim_file_set_readable() makes it POLLIN exactly while the file has data
 * (the iommufd fault queue uses that). The eventfd is always writable, which matches the
 * kernel's fault fd reporting EPOLLOUT unconditionally.
 *
 * Files are found by descriptor in a two-level table; a lookup takes a reference, so a close()
 * racing an ioctl() releases the file only after the ioctl returns, as the kernel's fget/fput
 * does. Ops return 0 / a count / -errno; only the svart_sim_* entry points turn that into
 * -1 + errno.
 */
#ifndef SVART_SIM_FILE_H
#define SVART_SIM_FILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sim_file;

struct sim_file_ops {
	const char *name;
	long (*ioctl)(struct sim_file *file, unsigned long cmd, void *arg);
	ssize_t (*read)(struct sim_file *file, void *buf, size_t count, off_t *pos);
	ssize_t (*write)(struct sim_file *file, const void *buf, size_t count, off_t *pos);
	/*
	 * Extra poll events beyond the eventfd's own readiness (e.g. POLLHUP). A file that has
	 * this op drives its readiness with sim_file_set_readable(); a file without it reports
	 * the kernel's DEFAULT_POLLMASK (readable and writable, always), as the VFS does for
	 * files with no .poll, like /dev/iommu and VFIO device cdevs.
	 */
	unsigned int (*poll)(struct sim_file *file);
	/*
	 * mmap(2) after the VFS's checks (length, access mode): *@addr comes in as the caller's
	 * address argument and goes out as the mapping, or fail with -errno. NULL: -ENODEV, as
	 * for a file without .mmap.
	 */
	int (*mmap)(struct sim_file *file, size_t len, int prot, int flags, off_t off, void **addr);
	/* Called once, when the last reference is dropped (after close and in-flight calls). */
	void (*release)(struct sim_file *file);
};

struct sim_file {
	const struct sim_file_ops *ops;
	void *private_data;
	int fd; /* the eventfd; -1 once closed */
	int flags; /* open(2) flags */
	off_t pos; /* file position, for the kernel's "pos must be 0" rules */
	atomic_int users;
	atomic_bool readable;
};

/**
 * sim_file_create() - make a sim file and its descriptor.
 * @ops: the file's operations (static storage).
 * @priv: private_data.
 * @flags: open(2) flags (O_CLOEXEC and O_NONBLOCK apply to the eventfd).
 * @out: the new file, holding one reference for the descriptor table.
 *
 * Return: the descriptor (>= 0) or -errno. The file is installed and visible on return, so
 * call it last, once nothing else can fail (the kernel's fd_install() rule).
 */
int sim_file_create(const struct sim_file_ops *ops, void *priv, int flags, struct sim_file **out);

/* Lookup by descriptor; takes a reference (pairs with sim_file_put()). NULL if not sim's. */
struct sim_file *sim_file_get(int fd);
void sim_file_put(struct sim_file *file);

/*
 * Makes the descriptor poll readable (true) or not (false). Idempotent; the file's owner
 * serialises calls for one file under its own lock.
 */
void sim_file_set_readable(struct sim_file *file, bool readable);

/*
 * Calls @fn for each installed file (table lock held for reading: @fn must not open or close
 * sim files). Stops at the first nonzero return and returns it; 0 otherwise.
 */
int sim_file_for_each(int (*fn)(int fd, struct sim_file *file, void *data), void *data);

/* Removes the descriptor and drops the table's reference. 0 or -EBADF. */
int sim_file_close(int fd);

/*
 * -errno-returning versions of the svart_sim_* calls, for svart's own OS layer.
 * sim_open(): a descriptor or -errno.
 */
int sim_open(const char *path, int flags);
long sim_ioctl(int fd, unsigned long cmd, void *arg);
ssize_t sim_read(int fd, void *buf, size_t count);
ssize_t sim_write(int fd, const void *buf, size_t count);
int sim_poll_events(int fd);

/*
 * Device nodes sim models, by path (sim/sim_chrdev.c). open() gets the path as given and
 * returns a descriptor from sim_file_create() or -errno.
 */
struct sim_chrdev {
	const char *path; /* exact path, or a prefix when prefix is set */
	bool prefix;
	int (*open)(const char *path, int flags);
	/*
	 * Optional: stat(2) of the node without opening it (for nodes whose open has effects,
	 * like a dedicated idxd WQ's single client): S_IFCHR | permission bits and the device
	 * number, or -ENOENT. NULL: the interposer opens the node to learn whether it exists.
	 */
	int (*getattr)(const char *path, mode_t *mode, dev_t *rdev);
};
const struct sim_chrdev *sim_chrdev_find(const char *path);

/* The open() of each node in sim/sim_chrdev.c's table, declared once for both sides. */
int sim_iommufd_fops_open(const char *path, int flags);
int sim_vfio_cdev_open(const char *path, int flags);

#endif /* SVART_SIM_FILE_H */
