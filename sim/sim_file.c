// SPDX-License-Identifier: MIT
/*
 * sim files: descriptor table, references, readiness, and the svart_sim_* system-call face.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "svart/sim.h"
#include "sim/iommufd/fork.h"
#include "sim/sim_file.h"

/*
 * Two-level table indexed by descriptor: 1024 chunks of 1024 slots covers descriptors below
 * 2^20, the kernel's default nr_open. Chunks are allocated on first use and kept.
 */
#define SIM_FD_CHUNK_SHIFT 10
#define SIM_FD_CHUNK (1u << SIM_FD_CHUNK_SHIFT)
#define SIM_FD_MAX (SIM_FD_CHUNK * SIM_FD_CHUNK)

static struct sim_file **sim_fd_table[SIM_FD_CHUNK];
/*
 * Readers (every call on a sim descriptor) take it shared; install and close take it
 * exclusive. Calls on sim files are slow-path system calls, so a rwlock is the simple,
 * obviously correct choice here.
 */
static pthread_rwlock_t sim_fd_lock = PTHREAD_RWLOCK_INITIALIZER;

static struct sim_file **sim_fd_slot(int fd, bool create)
{
	unsigned int hi, lo;

	if (fd < 0 || (unsigned int)fd >= SIM_FD_MAX)
		return NULL;
	hi = (unsigned int)fd >> SIM_FD_CHUNK_SHIFT;
	lo = (unsigned int)fd & (SIM_FD_CHUNK - 1);
	if (!sim_fd_table[hi]) {
		if (!create)
			return NULL;
		sim_fd_table[hi] = calloc(SIM_FD_CHUNK, sizeof(**sim_fd_table));
		if (!sim_fd_table[hi])
			return NULL;
	}
	return &sim_fd_table[hi][lo];
}

int sim_file_create(const struct sim_file_ops *ops, void *priv, int flags, struct sim_file **out)
{
	struct sim_file *file, **slot;
	int efd_flags = 0, fd;

	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	if (flags & O_CLOEXEC)
		efd_flags |= EFD_CLOEXEC;
	if (flags & O_NONBLOCK)
		efd_flags |= EFD_NONBLOCK;
	fd = eventfd(0, efd_flags);
	if (fd < 0) {
		int rc = -errno;

		free(file);
		return rc;
	}
	file->ops = ops;
	file->private_data = priv;
	file->fd = fd;
	file->flags = flags;
	atomic_init(&file->users, 1); /* Pairs with sim_file_close() */
	atomic_init(&file->readable, false);

	pthread_rwlock_wrlock(&sim_fd_lock);
	slot = sim_fd_slot(fd, true);
	if (!slot) {
		pthread_rwlock_unlock(&sim_fd_lock);
		close(fd);
		free(file);
		return fd >= (int)SIM_FD_MAX ? -EMFILE : -ENOMEM;
	}
	/*
	 * A stale entry means the program closed a sim descriptor behind sim's back and the
	 * kernel reused the number for this eventfd: drop the stale file's table reference.
	 */
	if (*slot) {
		struct sim_file *stale = *slot;

		stale->fd = -1;
		*slot = NULL;
		pthread_rwlock_unlock(&sim_fd_lock);
		sim_file_put(stale);
		pthread_rwlock_wrlock(&sim_fd_lock);
		slot = sim_fd_slot(fd, true);
	}
	*slot = file;
	pthread_rwlock_unlock(&sim_fd_lock);
	/* No poll op: the VFS's DEFAULT_POLLMASK, readable from the start and for good. */
	if (!ops->poll)
		sim_file_set_readable(file, true);
	*out = file;
	return fd;
}

struct sim_file *sim_file_get(int fd)
{
	struct sim_file **slot, *file = NULL;

	pthread_rwlock_rdlock(&sim_fd_lock);
	slot = sim_fd_slot(fd, false);
	if (slot && *slot) {
		file = *slot;
		atomic_fetch_add(&file->users, 1); /* Pairs with sim_file_put() */
	}
	pthread_rwlock_unlock(&sim_fd_lock);
	return file;
}

void sim_file_put(struct sim_file *file)
{
	if (atomic_fetch_sub(&file->users, 1) != 1)
		return;
	if (file->ops->release)
		file->ops->release(file);
	free(file);
}

void sim_file_set_readable(struct sim_file *file, bool readable)
{
	uint64_t v = 1;
	int fd = file->fd;

	if (atomic_exchange(&file->readable, readable) == readable || fd < 0)
		return;
	/*
	 * The eventfd counter is 1 while readable and 0 otherwise. Both calls are non-blocking
	 * in effect: the counter never exceeds 1, and the read only happens after a write.
	 */
	if (readable) {
		if (write(fd, &v, sizeof(v)) != sizeof(v))
			atomic_store(&file->readable, false);
	} else {
		if (read(fd, &v, sizeof(v)) != sizeof(v))
			atomic_store(&file->readable, true);
	}
}

int sim_file_for_each(int (*fn)(int fd, struct sim_file *file, void *data), void *data)
{
	int rc = 0;

	pthread_rwlock_rdlock(&sim_fd_lock);
	for (unsigned int hi = 0; hi < SIM_FD_CHUNK && !rc; hi++) {
		for (unsigned int lo = 0; sim_fd_table[hi] && lo < SIM_FD_CHUNK && !rc; lo++) {
			struct sim_file *file = sim_fd_table[hi][lo];

			if (file)
				rc = fn((int)(hi << SIM_FD_CHUNK_SHIFT | lo), file, data);
		}
	}
	pthread_rwlock_unlock(&sim_fd_lock);
	return rc;
}

int sim_file_close(int fd)
{
	struct sim_file **slot, *file;

	/* A forked child that exited has let go of what it shared with us (fork.c). */
	sim_fork_reap();
	pthread_rwlock_wrlock(&sim_fd_lock);
	slot = sim_fd_slot(fd, false);
	if (!slot || !*slot) {
		pthread_rwlock_unlock(&sim_fd_lock);
		return -EBADF;
	}
	file = *slot;
	*slot = NULL;
	pthread_rwlock_unlock(&sim_fd_lock);
	/*
	 * Close the eventfd before the release callback, like the kernel: the descriptor number
	 * is gone the moment close() returns even if an ioctl on another thread still holds the
	 * file.
	 */
	file->fd = -1;
	close(fd);
	sim_file_put(file); /* Pairs with sim_file_create() */
	return 0;
}

/* ---- -errno face for svart's OS layer ------------------------------------------------- */

int sim_open(const char *path, int flags)
{
	const struct sim_chrdev *cdev;

	if (!path)
		return -EFAULT;
	cdev = sim_chrdev_find(path);
	if (!cdev)
		return -ENOENT;
	return cdev->open(path, flags);
}

long sim_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct sim_file *file = sim_file_get(fd);
	long rc;

	if (!file)
		return -EBADF;
	rc = file->ops->ioctl ? file->ops->ioctl(file, cmd, arg) : -ENOTTY;
	sim_file_put(file);
	return rc;
}

static int sim_access_ok(const struct sim_file *file, bool write)
{
	int acc = file->flags & O_ACCMODE;

	if (write)
		return acc == O_WRONLY || acc == O_RDWR;
	return acc == O_RDONLY || acc == O_RDWR;
}

ssize_t sim_read(int fd, void *buf, size_t count)
{
	struct sim_file *file = sim_file_get(fd);
	ssize_t rc;

	if (!file)
		return -EBADF;
	if (!sim_access_ok(file, false))
		rc = -EBADF;
	else
		rc = file->ops->read ? file->ops->read(file, buf, count, &file->pos) : -EINVAL;
	sim_file_put(file);
	return rc;
}

ssize_t sim_write(int fd, const void *buf, size_t count)
{
	struct sim_file *file = sim_file_get(fd);
	ssize_t rc;

	if (!file)
		return -EBADF;
	if (!sim_access_ok(file, true))
		rc = -EBADF;
	else
		rc = file->ops->write ? file->ops->write(file, buf, count, &file->pos) : -EINVAL;
	sim_file_put(file);
	return rc;
}

int sim_poll_events(int fd)
{
	struct sim_file *file = sim_file_get(fd);
	int ev;

	if (!file)
		return -EBADF;
	ev = POLLOUT | POLLWRNORM;
	if (atomic_load(&file->readable))
		ev |= POLLIN | POLLRDNORM;
	if (file->ops->poll)
		ev |= (int)file->ops->poll(file);
	sim_file_put(file);
	return ev;
}

/* ---- libc-shaped public face: -1 + errno ----------------------------------------------- */

static long sim_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

SVART_API int svart_sim_open(const char *path, int flags)
{
	return (int)sim_ret(sim_open(path, flags));
}

SVART_API int svart_sim_iommufd_open(void)
{
	return svart_sim_open("/dev/iommu", O_RDWR | O_CLOEXEC);
}

SVART_API int svart_sim_ioctl(int fd, unsigned long cmd, void *arg)
{
	return (int)sim_ret(sim_ioctl(fd, cmd, arg));
}

SVART_API ssize_t svart_sim_read(int fd, void *buf, size_t count)
{
	return sim_ret(sim_read(fd, buf, count));
}

SVART_API ssize_t svart_sim_write(int fd, const void *buf, size_t count)
{
	return sim_ret(sim_write(fd, buf, count));
}

SVART_API int svart_sim_poll_events(int fd)
{
	return (int)sim_ret(sim_poll_events(fd));
}

SVART_API int svart_sim_close(int fd)
{
	return (int)sim_ret(sim_file_close(fd));
}

SVART_API int svart_sim_is_fd(int fd)
{
	struct sim_file *file = sim_file_get(fd);

	if (!file)
		return 0;
	sim_file_put(file);
	return 1;
}
