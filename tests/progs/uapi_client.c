// SPDX-License-Identifier: MIT
/*
 * A plain iommufd client: libc and the uAPI structs of pasid/iommufd_uapi.h, nothing of svart
 * (it does not link libsvart). Run directly it talks to the kernel; under `svart sim --` the
 * same binary talks to sim. Every expectation is the kernel's (drivers/iommu/iommufd/main.c,
 * ioas.c; the selftest's iommufd.cmd_fail), so the two runs must agree.
 *
 * Exit 0 pass, 1 fail, 77 skip: no /dev/iommu to open (the reason, with the errno's name, is
 * printed; tests/sim_preload.sh looks for "ENOENT" in it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pasid/iommufd_uapi.h"

static int failures, checks;

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		checks++;                                                                       \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "uapi_client:%d: check failed: %s\n", __LINE__, #cond); \
			failures++;                                                             \
		}                                                                               \
	} while (0)

/* @call must fail with errno @e. */
#define CHECK_ERRNO(e, call)                                                                \
	do {                                                                                \
		long r_;                                                                    \
		int e_;                                                                     \
		errno = 0;                                                                  \
		r_ = (long)(call);                                                          \
		e_ = errno;                                                                 \
		checks++;                                                                   \
		if (r_ != -1 || e_ != (e)) {                                                \
			fprintf(stderr, "uapi_client:%d: %s: expected -1/%s, got %ld/%s\n", \
				__LINE__, #call, strerrorname_np(e), r_,                    \
				e_ ? strerrorname_np(e_) : "0");                            \
			failures++;                                                         \
		}                                                                           \
	} while (0)

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	*id = cmd.out_ioas_id;
	return rc;
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

int main(void)
{
	struct iommu_ioas_alloc short_cmd = { .size = 8 },
				flags_cmd = { .size = sizeof(flags_cmd) };
	uint32_t ioas1 = 0, ioas2 = 0;
	struct pollfd pfd;
	struct stat st;
	char buf[16];
	int fd;

	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		printf("SKIP: open(/dev/iommu): %s (%s)\n", strerrorname_np(e), strerror(e));
		return e == ENOENT || e == EACCES || e == EPERM ? 77 : 1;
	}

	/* The node: a misc character device (major 10), there for access(2) as for open(2). */
	CHECK(stat("/dev/iommu", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10);
	CHECK(access("/dev/iommu", F_OK) == 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);

	/* IDs start at 1 and differ (xa_alloc with XA_FLAGS_ALLOC1). */
	CHECK(ioas_alloc(fd, &ioas1) == 0);
	CHECK(ioas_alloc(fd, &ioas2) == 0);
	CHECK(ioas1 >= 1 && ioas2 >= 1 && ioas1 != ioas2);

	/* Bad input, each with the kernel's errno. */
	CHECK_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), NULL)); /* cmd_fail: unknown */
	CHECK_ERRNO(ENOENT, destroy(fd, 0)); /* cmd_fail: no object 0 */
	CHECK_ERRNO(EFAULT, ioctl(fd, IOMMU_DESTROY, NULL)); /* size unreadable */
	CHECK_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_ALLOC, &short_cmd)); /* size < min_size */
	flags_cmd.flags = 1;
	CHECK_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &flags_cmd)); /* flags must be 0 */

	/* Destroy frees the ID: a second destroy finds nothing. */
	CHECK(destroy(fd, ioas1) == 0);
	CHECK_ERRNO(ENOENT, destroy(fd, ioas1));
	CHECK(destroy(fd, ioas2) == 0);

	/* iommufd_fops has no read, write or poll: EINVAL, EINVAL, and vfs_poll()'s default mask. */
	CHECK_ERRNO(EINVAL, read(fd, buf, sizeof(buf)));
	CHECK_ERRNO(EINVAL, write(fd, buf, sizeof(buf)));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	CHECK(poll(&pfd, 1, 0) == 1);
	CHECK(pfd.revents == (POLLIN | POLLOUT));

	CHECK(close(fd) == 0);
	CHECK_ERRNO(EBADF, ioctl(fd, IOMMU_IOAS_ALLOC, &flags_cmd));

	printf("uapi_client: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
