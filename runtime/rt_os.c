// SPDX-License-Identifier: MIT
/*
 * The OS layer (see rt_os.h). A sim descriptor is a real eventfd registered in sim's file
 * table, so the routing test is a table lookup; everything else goes to libc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "enqcmd/enq_portal.h"
#include "runtime/rt_os.h"
#include "sim/accel/sim_accel.h"
#include "sim/sim_file.h"
#include "sim/vfio/sim_vfio.h"

bool rt_os_is_sim(int fd)
{
	struct sim_file *file = sim_file_get(fd);

	if (!file)
		return false;
	sim_file_put(file);
	return true;
}

int rt_os_open(const char *path, int flags, bool sim)
{
	int fd;

	if (sim)
		return sim_open(path, flags);
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

long rt_os_ioctl(int fd, unsigned long cmd, void *arg)
{
	long rc;

	if (rt_os_is_sim(fd))
		return sim_ioctl(fd, cmd, arg);
	rc = ioctl(fd, cmd, arg);
	return rc < 0 ? -errno : rc;
}

ssize_t rt_os_read(int fd, void *buf, size_t count)
{
	ssize_t rc;

	if (rt_os_is_sim(fd))
		return sim_read(fd, buf, count);
	rc = read(fd, buf, count);
	return rc < 0 ? -errno : rc;
}

ssize_t rt_os_write(int fd, const void *buf, size_t count)
{
	ssize_t rc;

	if (rt_os_is_sim(fd))
		return sim_write(fd, buf, count);
	rc = write(fd, buf, count);
	return rc < 0 ? -errno : rc;
}

int rt_os_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	/*
	 * A sim file's eventfd carries its readiness, so poll(2) on it is exact for POLLIN; the
	 * file's extra events (POLLHUP, ...) are merged from sim afterwards.
	 */
	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rt_os_is_sim(fd)) {
		int ev = sim_poll_events(fd);

		if (ev < 0)
			return ev;
		return rc == 0 ? (ev & ~(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM) & events) :
				 (ev & (events | POLLHUP | POLLERR));
	}
	return rc ? pfd.revents : 0;
}

int rt_os_close(int fd)
{
	if (rt_os_is_sim(fd))
		return sim_file_close(fd);
	return close(fd) < 0 ? -errno : 0;
}

ssize_t rt_os_pread(int fd, void *buf, size_t count, off_t off)
{
	ssize_t rc;

	if (rt_os_is_sim(fd))
		return sim_pread(fd, buf, count, off);
	rc = pread(fd, buf, count, off);
	return rc < 0 ? -errno : rc;
}

ssize_t rt_os_pwrite(int fd, const void *buf, size_t count, off_t off)
{
	ssize_t rc;

	if (rt_os_is_sim(fd))
		return sim_pwrite(fd, buf, count, off);
	rc = pwrite(fd, buf, count, off);
	return rc < 0 ? -errno : rc;
}

int rt_os_mmap(int fd, size_t len, int prot, int flags, off_t off, void **addr)
{
	void *p;

	if (rt_os_is_sim(fd))
		return sim_mmap(fd, len, prot, flags, off, addr);
	p = mmap(*addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int rt_os_munmap(void *addr, size_t len)
{
	/* sim forgets its portal mapping; the reservation itself is an ordinary mapping. */
	sim_vfio_portal_unmap(addr, len);
	return munmap(addr, len) < 0 ? -errno : 0;
}

int rt_os_portal_init(struct enq_portal *p, void *page, bool dedicated)
{
	unsigned int how = dedicated ? ENQ_SIM_HOW_MOVDIR64B : ENQ_SIM_HOW_ENQCMD;
	int (*preload_find)(const void *, enq_sim_submit_fn *, void **);
	struct sim_accel_wq *wq;
	enq_sim_submit_fn submit;
	void *pwq;

	if (!sim_vfio_portal_find(page, &wq, NULL))
		return enq_portal_init_sim(p, sim_wq_submit, wq, how);
	/*
	 * Under `svart sim` the interposer's copy of sim mapped the page, not ours: it exports
	 * the same lookup (sim/preload/preload_vfio.c). Absent on a real host.
	 */
	*(void **)&preload_find = dlsym(RTLD_DEFAULT, "svart_sim_vfio_portal_v1");
	if (preload_find && !preload_find(page, &submit, &pwq))
		return enq_portal_init_sim(p, submit, pwq, how);
	return enq_portal_init_hw(p, page, dedicated);
}
