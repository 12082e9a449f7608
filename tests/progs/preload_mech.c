// SPDX-License-Identifier: MIT
/*
 * The interposer's mechanics, against the fake node of libsvart-sim-preload-fake.so
 * (fake_chrdev.h), so that they are tested whatever state sim's own models are in: every
 * interposed entry point routes a sim path or descriptor to sim and leaves everything else to
 * libc, with the kernel's argument handling and errno. Plain libc; it must run under
 * `SVART_SIM_PRELOAD=.../libsvart-sim-preload-fake.so svart sim --` (tests/sim_preload.sh).
 *
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "t_helpers.h" /* libc only: these programs link no svart code */
#include "fake_chrdev.h"

/* glibc's fortified entry points, called directly to test them without a fortified build. */
int __open_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen);
int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);

static void test_paths(void)
{
	struct statx stx;
	struct stat st;
	char xattr[64];

	/* A character device, owned by the caller, with a default root-only mode. */
	T_CHECK(stat(FAKE_PATH, &st) == 0);
	T_CHECK(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600);
	T_CHECK(st.st_uid == getuid() && st.st_nlink == 1 && st.st_rdev != 0);
	T_CHECK(lstat(FAKE_PATH, &st) == 0 && S_ISCHR(st.st_mode));
	T_CHECK(fstatat(AT_FDCWD, FAKE_PATH, &st, 0) == 0 && S_ISCHR(st.st_mode));
	T_CHECK(fstatat(-1, FAKE_PATH, &st, 0) == 0); /* absolute: dirfd is ignored */
	T_ERRNO(EINVAL, fstatat(AT_FDCWD, FAKE_PATH, &st, 0x40000000));
	T_CHECK(statx(AT_FDCWD, FAKE_PATH, 0, STATX_BASIC_STATS, &stx) == 0);
	T_CHECK(S_ISCHR(stx.stx_mode) && stx.stx_rdev_major == major(st.st_rdev));
	T_ERRNO(EINVAL, statx(AT_FDCWD, FAKE_PATH, AT_STATX_SYNC_TYPE, 0, &stx));

	T_CHECK(access(FAKE_PATH, F_OK) == 0);
	T_CHECK(access(FAKE_PATH, R_OK | W_OK) == 0);
	T_ERRNO(EACCES, access(FAKE_PATH, X_OK));
	T_ERRNO(EINVAL, access(FAKE_PATH, 8));
	T_CHECK(faccessat(AT_FDCWD, FAKE_PATH, W_OK, AT_EACCESS) == 0);
	T_ERRNO(EINVAL, faccessat(AT_FDCWD, FAKE_PATH, F_OK, 0x40000000));

	/* No extended attributes (what ls -l asks for), as on devtmpfs without SELinux. */
	T_ERRNO(ENODATA, lgetxattr(FAKE_PATH, "security.selinux", xattr, sizeof(xattr)));
	T_ERRNO(ENODATA, getxattr(FAKE_PATH, "system.posix_acl_access", xattr, sizeof(xattr)));
	T_CHECK(listxattr(FAKE_PATH, xattr, sizeof(xattr)) == 0);
	T_CHECK(llistxattr(FAKE_PATH, xattr, sizeof(xattr)) == 0);

	/* A node sim does not have is absent to every call. */
	T_ERRNO(ENOENT, stat(FAKE_PREFIX "9", &st));
	T_ERRNO(ENOENT, access(FAKE_PREFIX "9", F_OK));
	T_ERRNO(ENOENT, lgetxattr(FAKE_PREFIX "9", "security.selinux", xattr, sizeof(xattr)));
	T_ERRNO(ENOENT, open(FAKE_PREFIX "9", O_RDWR));

	/* Other paths are libc's. */
	T_CHECK(stat("/dev/null", &st) == 0 && st.st_rdev == makedev(1, 3));
	T_ERRNO(ENOENT, stat("/nonexistent/svart", &st));
}

static void test_open(void)
{
	int fd;

	/* What the VFS decides before a character device's open. */
	T_ERRNO(ENOTDIR, open(FAKE_PATH, O_RDONLY | O_DIRECTORY));
	T_ERRNO(EEXIST, open(FAKE_PATH, O_RDWR | O_CREAT | O_EXCL, 0600));

	/* Every entry point reaches sim; O_CLOEXEC reaches the descriptor. */
	fd = open(FAKE_PATH, O_RDWR | O_CLOEXEC);
	T_CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	T_CHECK(close(fd) == 0);
	fd = open64(FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && fcntl(fd, F_GETFD) == 0);
	T_CHECK(close(fd) == 0);
	fd = openat(-1, FAKE_PATH, O_RDWR | O_CREAT, 0600); /* O_CREAT of an existing node */
	T_CHECK(fd >= 0 && close(fd) == 0);
	fd = openat64(AT_FDCWD, FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && close(fd) == 0);
	fd = __open_2(FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && close(fd) == 0);
	fd = __openat_2(AT_FDCWD, FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && close(fd) == 0);

	/* A sim descriptor closes once; its number then serves other files normally. */
	fd = open(FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && close(fd) == 0);
	T_ERRNO(EBADF, close(fd));
	T_CHECK(open("/dev/null", O_RDONLY) == fd);
	T_CHECK(read(fd, &fd, sizeof(fd)) == 0 && close(fd) == 0);
}

static void test_io(void)
{
	struct fake_echo echo = { .in = 41 };
	struct fake_last_write last;
	char buf[16] = "";
	int fd, anon, ro;

	fd = open(FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0);

	T_CHECK(ioctl(fd, FAKE_IOC_ECHO, &echo) == 0 && echo.out == 42);
	T_ERRNO(EFAULT, ioctl(fd, FAKE_IOC_ECHO, NULL));
	T_ERRNO(ENOTTY, ioctl(fd, _IO('Z', 99), NULL));
	/* The VFS's own ioctls act on the descriptor. */
	T_CHECK(ioctl(fd, FIOCLEX) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	T_CHECK(ioctl(fd, FIONCLEX) == 0 && fcntl(fd, F_GETFD) == 0);

	/* read() moves the file position; pread() reads at its own and leaves it. */
	T_CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "0123", 4));
	T_CHECK(pread(fd, buf, 3, 1) == 3 && !memcmp(buf, "123", 3));
	T_CHECK(pread64(fd, buf, 2, 8) == 2 && !memcmp(buf, "89", 2));
	T_CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "4567", 4));
	T_CHECK(__read_chk(fd, buf, 4, sizeof(buf)) == 2 && !memcmp(buf, "89", 2));
	T_CHECK(read(fd, buf, 4) == 0);
	T_CHECK(__pread64_chk(fd, buf, 1, 0, sizeof(buf)) == 1 && buf[0] == '0');
	T_ERRNO(EINVAL, pread(fd, buf, 1, -1));

	/* write() and pwrite() hand the op the file position and the given one. */
	T_CHECK(write(fd, "abc", 3) == 3);
	T_CHECK(ioctl(fd, FAKE_IOC_LAST_WRITE, &last) == 0 && last.pos == 10 && last.count == 3);
	T_CHECK(pwrite(fd, "xy", 2, 5) == 2);
	T_CHECK(ioctl(fd, FAKE_IOC_LAST_WRITE, &last) == 0 && last.pos == 5 && last.count == 2);
	T_CHECK(pwrite64(fd, "z", 1, 7) == 1);
	T_CHECK(ioctl(fd, FAKE_IOC_LAST_WRITE, &last) == 0 && last.pos == 7 && last.count == 1);
	T_ERRNO(EINVAL, pwrite(fd, "z", 1, -1));

	/* The access mode is checked (vfs_read/vfs_write: EBADF). */
	ro = open(FAKE_PATH, O_RDONLY);
	T_CHECK(ro >= 0);
	T_ERRNO(EBADF, write(ro, "a", 1));
	T_ERRNO(EBADF, pwrite(ro, "a", 1, 0));
	T_CHECK(read(ro, buf, 1) == 1);
	T_CHECK(close(ro) == 0);

	/* A descriptor sim makes in an ioctl (a fault fd, say) is sim's too. */
	anon = ioctl(fd, FAKE_IOC_NEW_FD);
	T_CHECK(anon >= 0 && anon != fd);
	echo.in = 7;
	T_CHECK(ioctl(anon, FAKE_IOC_ECHO, &echo) == 0 && echo.out == 8);
	T_ERRNO(EINVAL, read(anon, buf, 1)); /* no read op */
	T_CHECK(close(anon) == 0);
	T_ERRNO(EBADF, ioctl(anon, FAKE_IOC_ECHO, &echo));

	T_CHECK(close(fd) == 0);
	T_ERRNO(EBADF, ioctl(fd, FAKE_IOC_ECHO, &echo));
	T_ERRNO(EBADF, read(fd, buf, 1));
}

static int fortify_child(int fd)
{
	char small[4];

	/* Asks for more than the buffer holds: glibc's check must still abort. */
	__read_chk(fd, small, 8, sizeof(small));
	return 0;
}

static void test_fortify_abort(void)
{
	int fd = open(FAKE_PATH, O_RDWR), status = 0;
	pid_t pid;

	T_CHECK(fd >= 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* Keep the expected abort's "buffer overflow detected" out of the test log. */
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDERR_FILENO);
		_exit(fortify_child(fd));
	}
	T_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	T_CHECK(close(fd) == 0);
}

static void on_alarm(int sig)
{
	static const char msg[] = "preload_mech: poll blocked despite a ready sim descriptor\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void test_poll(void)
{
	struct pollfd *volatile bad = (struct pollfd *)8;
	struct pollfd pfd[2];
	struct timespec ts = { 0, 0 };
	struct timeval tv = { 0, 0 };
	int fd, pipefd[2];
	fd_set rfds;

	fd = open(FAKE_PATH, O_RDWR);
	T_CHECK(fd >= 0 && pipe(pipefd) == 0);

	/* Not readable: POLLOUT only (the eventfd's, as a kernel fault fd reports EPOLLOUT). */
	pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	pfd[1] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	T_CHECK(poll(pfd, 2, 0) == 1 && pfd[0].revents == POLLOUT && pfd[1].revents == 0);
	pfd[0].events = POLLIN;
	T_CHECK(poll(pfd, 2, 0) == 0 && pfd[0].revents == 0);

	/* Readable through the eventfd: poll, ppoll and select (not interposed) all see it. */
	T_CHECK(ioctl(fd, FAKE_IOC_SET_READABLE, (void *)1) == 0);
	T_CHECK(poll(pfd, 2, 0) == 1 && pfd[0].revents == POLLIN);
	T_CHECK(ppoll(pfd, 2, &ts, NULL) == 1 && pfd[0].revents == POLLIN);
	T_CHECK(__poll_chk(pfd, 2, 0, sizeof(pfd)) == 1 && pfd[0].revents == POLLIN);
	FD_ZERO(&rfds);
	FD_SET(fd, &rfds);
	T_CHECK(select(fd + 1, &rfds, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &rfds));
	/* ...so sim's own write to its eventfd reached libc, not the fake's write op. */
	{
		struct fake_last_write last;

		T_CHECK(ioctl(fd, FAKE_IOC_LAST_WRITE, &last) == 0 && last.count == 0);
	}
	T_CHECK(ioctl(fd, FAKE_IOC_SET_READABLE, (void *)0) == 0);
	T_CHECK(poll(pfd, 2, 0) == 0);

	/* Both ready: the count covers both. */
	T_CHECK(write(pipefd[1], "x", 1) == 1);
	T_CHECK(ioctl(fd, FAKE_IOC_SET_READABLE, (void *)1) == 0);
	T_CHECK(poll(pfd, 2, 0) == 2 && pfd[1].revents == POLLIN);
	T_CHECK(ioctl(fd, FAKE_IOC_SET_READABLE, (void *)0) == 0);

	/*
	 * POLLHUP exists only in sim's poll op: reported without being asked for, and an
	 * infinite poll must return at once (the alarm fails the test if it blocks).
	 */
	T_CHECK(ioctl(fd, FAKE_IOC_SET_HUP) == 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	T_CHECK(poll(pfd, 1, -1) == 1 && pfd[0].revents == POLLHUP);
	T_CHECK(ppoll(pfd, 1, NULL, NULL) == 1 && pfd[0].revents == POLLHUP);
	alarm(0);

	/* poll(2)'s own errors stay libc's (an unreadable array: the interposer must not touch it). */
	T_ERRNO(EFAULT, poll(bad, 1, 0));

	T_CHECK(close(fd) == 0 && close(pipefd[0]) == 0 && close(pipefd[1]) == 0);
}

static void test_passthrough(void)
{
	int fd = open("/dev/null", O_RDWR), n;
	char c;

	/* Calls on other files keep libc's behaviour, errno included. */
	T_CHECK(fd >= 0);
	errno = 1234;
	T_CHECK(read(fd, &c, 1) == 0 && errno == 1234);
	T_CHECK(write(fd, &c, 1) == 1 && errno == 1234);
	T_ERRNO(ENOTTY, ioctl(fd, FIONREAD, &n));
	errno = 1234;
	T_CHECK(close(fd) == 0 && errno == 1234);
	T_ERRNO(EBADF, read(fd, &c, 1));
	T_ERRNO(EBADF, close(fd));
}

static void *thread_main(void *arg)
{
	long bad = 0;

	for (int i = 0; i < 200; i++) {
		struct fake_echo echo = { .in = (uint64_t)i };
		int fd = open(FAKE_PATH, O_RDWR | O_CLOEXEC);

		if (fd < 0 || ioctl(fd, FAKE_IOC_ECHO, &echo) || echo.out != (uint64_t)i + 1 ||
		    close(fd))
			bad++;
	}
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t t[4];
	void *bad;

	for (int i = 0; i < 4; i++)
		T_CHECK(pthread_create(&t[i], NULL, thread_main, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		T_CHECK(pthread_join(t[i], &bad) == 0);
		T_CHECK(bad == NULL);
	}
}

int main(void)
{
	struct stat st;

	if (stat(FAKE_PATH, &st)) {
		fprintf(stderr, "preload_mech: %s: %s: run me under libsvart-sim-preload-fake.so\n",
			FAKE_PATH, strerror(errno));
		return 1;
	}
	test_paths();
	test_open();
	test_io();
	test_fortify_abort();
	test_poll();
	test_passthrough();
	test_threads();
	return t_done("preload_mech");
}
