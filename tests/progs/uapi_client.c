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

#include "t_helpers.h" /* libc only: these programs link no svart code */
#include "pasid/iommufd_uapi.h"

/* @call must fail with errno @e. */
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
	T_CHECK(stat("/dev/iommu", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10);
	T_CHECK(access("/dev/iommu", F_OK) == 0);
	T_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);

	/* IDs start at 1 and differ (xa_alloc with XA_FLAGS_ALLOC1). */
	T_CHECK(ioas_alloc(fd, &ioas1) == 0);
	T_CHECK(ioas_alloc(fd, &ioas2) == 0);
	T_CHECK(ioas1 >= 1 && ioas2 >= 1 && ioas1 != ioas2);

	/* Bad input, each with the kernel's errno. */
	T_ERRNO(ENOTTY, ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), NULL)); /* cmd_fail: unknown */
	T_ERRNO(ENOENT, destroy(fd, 0)); /* cmd_fail: no object 0 */
	T_ERRNO(EFAULT, ioctl(fd, IOMMU_DESTROY, NULL)); /* size unreadable */
	T_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_ALLOC, &short_cmd)); /* size < min_size */
	flags_cmd.flags = 1;
	T_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &flags_cmd)); /* flags must be 0 */

	/* Destroy frees the ID: a second destroy finds nothing. */
	T_CHECK(destroy(fd, ioas1) == 0);
	T_ERRNO(ENOENT, destroy(fd, ioas1));
	T_CHECK(destroy(fd, ioas2) == 0);

	/* iommufd_fops has no read, write or poll: EINVAL, EINVAL, and vfs_poll()'s default mask. */
	T_ERRNO(EINVAL, read(fd, buf, sizeof(buf)));
	T_ERRNO(EINVAL, write(fd, buf, sizeof(buf)));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	T_CHECK(poll(&pfd, 1, 0) == 1);
	T_CHECK(pfd.revents == (POLLIN | POLLOUT));

	T_CHECK(close(fd) == 0);
	T_ERRNO(EBADF, ioctl(fd, IOMMU_IOAS_ALLOC, &flags_cmd));

	return t_done("uapi_client");
}
