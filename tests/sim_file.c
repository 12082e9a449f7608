// SPDX-License-Identifier: MIT
/*
 * The sim file layer: descriptors are real, readiness follows sim_file_set_readable(), calls
 * route by descriptor, release waits for the last user, and the libc-shaped face reports
 * errors through errno like the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svart/sim.h"
#include "sim/sim_file.h"
#include "runtime/rt_os.h"
#include "t_helpers.h"

static int released;
static int last_cmd;

static long t_ioctl(struct sim_file *f, unsigned long cmd, void *arg)
{
	last_cmd = (int)cmd;
	return cmd == 1 ? 0 : -ENOTTY;
}

static ssize_t t_read(struct sim_file *f, void *buf, size_t n, off_t *pos)
{
	if (*pos)
		return -ESPIPE;
	memset(buf, 'x', n);
	return (ssize_t)n;
}

static void t_release(struct sim_file *f)
{
	released++;
}

static unsigned int t_pollop(struct sim_file *f)
{
	return 0;
}

static const struct sim_file_ops t_ops = {
	.name = "test",
	.poll = t_pollop,
	.ioctl = t_ioctl,
	.read = t_read,
	.release = t_release,
};

/* A file with no poll op, like /dev/iommu: the VFS's DEFAULT_POLLMASK. */
static const struct sim_file_ops t_plain_ops = {
	.name = "plain",
	.release = t_release,
};

static int t_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

int main(void)
{
	struct sim_file *f, *g;
	char buf[8];
	struct stat st;
	int fd, rfd;

	fd = sim_file_create(&t_ops, NULL, O_RDONLY | O_CLOEXEC, &f);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return t_done("sim_file");
	/* A real descriptor, close-on-exec as asked. */
	T_EQ(fstat(fd, &st), 0);
	T_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	T_EQ(svart_sim_is_fd(fd), 1);
	T_CHECK(rt_os_is_sim(fd));

	/* Readiness: writable always, readable only while set, visible to poll(2) itself. */
	T_EQ(t_poll(fd), POLLOUT);
	T_EQ(svart_sim_poll_events(fd) & (POLLIN | POLLOUT), POLLOUT);
	sim_file_set_readable(f, true);
	sim_file_set_readable(f, true); /* idempotent: the counter stays at one */
	T_EQ(t_poll(fd), POLLIN | POLLOUT);
	T_EQ(rt_os_poll(fd, POLLIN, 0) & POLLIN, POLLIN);
	sim_file_set_readable(f, false);
	T_EQ(t_poll(fd), POLLOUT);
	T_EQ(rt_os_poll(fd, POLLIN, 0), 0);

	/* Calls route to the ops; errors come back as errno through the libc face. */
	T_EQ(svart_sim_ioctl(fd, 1, NULL), 0);
	T_EQ(last_cmd, 1);
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, 2, NULL));
	T_EQ(rt_os_ioctl(fd, 2, NULL), -ENOTTY);
	T_EQ(svart_sim_read(fd, buf, sizeof(buf)), sizeof(buf));
	T_EQ(buf[7], 'x');
	/* Opened read-only: write is EBADF before any op runs, as the VFS does. */
	T_ERRNO(EBADF, svart_sim_write(fd, buf, 1));
	T_EQ(rt_os_write(fd, buf, 1), -EBADF);

	/* An in-flight user keeps the file alive across close(); release runs once, last. */
	g = sim_file_get(fd);
	T_CHECK(g == f);
	T_EQ(svart_sim_close(fd), 0);
	T_EQ(svart_sim_is_fd(fd), 0);
	T_EQ(released, 0);
	sim_file_put(g);
	T_EQ(released, 1);
	T_ERRNO(EBADF, svart_sim_close(fd));
	T_ERRNO(EBADF, svart_sim_ioctl(fd, 1, NULL));
	T_ERRNO(EBADF, svart_sim_poll_events(fd));

	/*
	 * A sim descriptor closed behind sim's back: the number is reused by the next sim file,
	 * which replaces the stale entry (and releases it).
	 */
	fd = sim_file_create(&t_ops, NULL, O_RDWR, &f);
	T_CHECK(fd >= 0);
	close(fd);
	rfd = sim_file_create(&t_ops, NULL, O_RDWR, &g);
	T_EQ(rfd, fd);
	T_EQ(released, 2);
	T_EQ(svart_sim_close(rfd), 0);
	T_EQ(released, 3);

	/* No poll op: readable and writable from the start, as the kernel reports such files. */
	fd = sim_file_create(&t_plain_ops, NULL, O_RDWR, &f);
	T_EQ(t_poll(fd), POLLIN | POLLOUT);
	T_EQ(svart_sim_poll_events(fd) & (POLLIN | POLLOUT), POLLIN | POLLOUT);
	T_EQ(svart_sim_close(fd), 0);
	T_EQ(released, 4);

	/* Paths sim does not model; out-of-range and negative descriptors. */
	T_ERRNO(ENOENT, svart_sim_open("/dev/null", O_RDWR));
	T_ERRNO(EFAULT, svart_sim_open(NULL, O_RDWR));
	T_ERRNO(EBADF, svart_sim_ioctl(-1, 1, NULL));
	T_ERRNO(EBADF, svart_sim_ioctl(1 << 30, 1, NULL));
	T_EQ(svart_sim_is_fd(0), 0);
	/* Real descriptors go to the kernel through the OS layer. */
	T_EQ(rt_os_ioctl(0, 0x3b80, NULL) < 0, 1);
	return t_done("sim_file");
}
