// SPDX-License-Identifier: MIT
/*
 * sim's iommufd across fork(): a child's calls on an inherited descriptor reach the parent's
 * context (the kernel's shared struct file). The scenarios of the kernel selftest's
 * iommufd_ioas.fork_gone and fork_present (tools/testing/selftests/iommu/iommufd.c), and the
 * edges: a child exiting mid-session, private memory, the parent closing first, the child's
 * close, the refused cases and their errno values.
 *
 * The child runs its own checks and reports through its exit status.
 */
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/iommufd/selftest_uapi.h"
#include "sim_iommufd_util.h"

#define BUF_SIZE (16 * PAGE)
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

/* Shared anonymous memory, inherited by the children: the selftest's buffer. */
static uint8_t *shared_buf;

static int t_test(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return svart_sim_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int t_mock_domain(int fd, uint32_t ioas, uint32_t *stdev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas };
	int rc = t_test(fd, &cmd);

	if (!rc && stdev)
		*stdev = cmd.mock_domain.out_stdev_id;
	return rc;
}

static int t_create_access(int fd, uint32_t ioas, int *access_fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas };
	int rc = t_test(fd, &cmd);

	if (!rc)
		*access_fd = (int)cmd.create_access.out_access_fd;
	return rc;
}

static int t_access_rw(int fd, int access_fd, uint64_t iova, void *buf, uint64_t len,
		       uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = (uint32_t)access_fd,
		.access_rw = { .iova = iova,
			       .length = len,
			       .uptr = (uintptr_t)buf,
			       .flags = flags },
	};

	return t_test(fd, &cmd);
}

static int t_check_refs(int fd, const void *uptr, uint64_t len, uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)uptr, .refs = refs },
	};

	return t_test(fd, &cmd);
}

/* Waits for @child and checks it exited with 0 (its own checks passed). */
static void t_reap(pid_t child)
{
	int status = -1;

	T_EQ(child, waitpid(child, &status, 0));
	T_CHECK(WIFEXITED(status));
	T_EQ(0, WEXITSTATUS(status));
}

/* In a child: exit with the verdict of its checks. */
static void __attribute__((noreturn)) t_child_exit(void)
{
	if (t_failures)
		fprintf(stderr, "child %d: %d checks failed\n", (int)getpid(), t_failures);
	_exit(t_failures ? 1 : 0);
}

/*
 * The access reads what the IOAS maps, and its writes land there: through a shared buffer both
 * processes see the same bytes, so this checks against the parent's own view of the memory.
 */
static void t_check_access_shared(int fd, int access_fd)
{
	uint8_t tmp[3 * PAGE], pat[100];

	for (size_t i = 0; i < BUF_SIZE; i++)
		shared_buf[i] = (uint8_t)(i * 7 + 3);
	T_EQ(0, t_access_rw(fd, access_fd, APERTURE + PAGE - 50, tmp, sizeof(tmp), 0));
	T_EQ(0, memcmp(tmp, shared_buf + PAGE - 50, sizeof(tmp)));
	memset(pat, 0x5a, sizeof(pat));
	T_EQ(0, t_access_rw(fd, access_fd, APERTURE + 2 * PAGE - 50, pat, sizeof(pat),
			    MOCK_ACCESS_RW_WRITE));
	T_EQ(0x5a, shared_buf[2 * PAGE - 50]);
	T_EQ(0x5a, shared_buf[2 * PAGE + 49]);
	T_EQ((uint8_t)((2 * PAGE + 50) * 7 + 3), shared_buf[2 * PAGE + 50]);
}

/* fork_gone without a domain: pinning is deferred, and the child's mm is gone at attach. */
static void t_fork_gone_no_domain(void)
{
	int fd = svart_sim_iommufd_open(), access_fd = -1;
	uint32_t ioas = t_ioas_alloc(fd);
	uint64_t unmapped = 0;
	uint8_t b;
	pid_t child;

	T_EQ(0, t_create_access(fd, ioas, &access_fd));
	child = fork();
	if (!child) {
		T_EQ(0, t_map_fixed(fd, ioas, shared_buf, BUF_SIZE, APERTURE));
		t_child_exit();
	}
	t_reap(child);
	/* pfn reader on a dead mm: the selftest's EFAULT. */
	T_ERRNO(EFAULT, t_mock_domain(fd, ioas, NULL));
	T_ERRNO(EFAULT, t_access_rw(fd, access_fd, APERTURE, &b, 1, 0));
	/* The child's map is the parent's: UNMAP finds exactly it. */
	T_EQ(0, t_unmap(fd, ioas, APERTURE, BUF_SIZE, &unmapped));
	T_EQ(BUF_SIZE, unmapped);
	T_EQ(0, svart_sim_close(access_fd));
	T_EQ(0, svart_sim_close(fd));
}

/* fork_gone with a domain: pinned within the child, still valid after it exited. */
static void t_fork_gone_domain(void)
{
	int fd = svart_sim_iommufd_open(), access_fd = -1, fd2;
	uint32_t ioas = t_ioas_alloc(fd), stdev = 0;
	pid_t child;

	T_EQ(0, t_mock_domain(fd, ioas, &stdev));
	T_EQ(0, t_create_access(fd, ioas, &access_fd));
	child = fork();
	if (!child) {
		T_EQ(0, t_map_fixed(fd, ioas, shared_buf, BUF_SIZE, APERTURE));
		/* Pinned at map: the kernel's one pin per page, counted in the parent's sim. */
		T_EQ(0, t_check_refs(fd, shared_buf, BUF_SIZE, 1));
		t_child_exit();
	}
	t_reap(child);
	T_EQ(0, t_check_refs(fd, shared_buf, BUF_SIZE, 1));
	/* A second domain copies from the first: no pin from the dead mm needed. */
	T_EQ(0, t_mock_domain(fd, ioas, NULL));
	t_check_access_shared(fd, access_fd);
	T_EQ(0, svart_sim_close(access_fd));
	/* The last close drops the pins, though the child's connection was the other holder. */
	T_EQ(0, svart_sim_close(fd));
	fd2 = svart_sim_iommufd_open();
	T_EQ(0, t_check_refs(fd2, shared_buf, BUF_SIZE, 0));
	T_EQ(0, svart_sim_close(fd2));
}

/* fork_present: the parent pins from the live child's mm. */
static void t_fork_present(void)
{
	int fd = svart_sim_iommufd_open(), access_fd = -1, pipefds[2], efd;
	uint32_t ioas = t_ioas_alloc(fd);
	uint64_t one = 1, got = 0;
	pid_t child;
	char c;

	T_EQ(0, t_create_access(fd, ioas, &access_fd));
	T_EQ(0, pipe2(pipefds, O_CLOEXEC));
	efd = eventfd(0, EFD_CLOEXEC);
	T_CHECK(efd >= 0);
	child = fork();
	if (!child) {
		close(pipefds[1]);
		T_EQ(0, t_map_fixed(fd, ioas, shared_buf, BUF_SIZE, APERTURE));
		T_EQ(sizeof(one), write(efd, &one, sizeof(one)));
		T_EQ(0, read(pipefds[0], &c, 1)); /* the parent's close */
		t_child_exit();
	}
	close(pipefds[0]);
	T_EQ(sizeof(got), read(efd, &got, sizeof(got)));
	T_EQ(0, t_mock_domain(fd, ioas, NULL));
	t_check_access_shared(fd, access_fd);
	T_EQ(0, close(pipefds[1]));
	t_reap(child);
	close(efd);
	T_EQ(0, svart_sim_close(access_fd));
	T_EQ(0, svart_sim_close(fd));
}

/*
 * Private memory: the child's pages are its own after a write (copy on write), and the pin
 * takes those, not the parent's. sim copies them at the pin.
 */
static void t_fork_private(void)
{
	int fd = svart_sim_iommufd_open(), access_fd = -1;
	uint32_t ioas = t_ioas_alloc(fd);
	uint8_t *priv, tmp[PAGE];
	pid_t child;

	priv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(priv != MAP_FAILED);
	memset(priv, 0x11, 2 * PAGE);
	T_EQ(0, t_mock_domain(fd, ioas, NULL));
	T_EQ(0, t_create_access(fd, ioas, &access_fd));
	child = fork();
	if (!child) {
		memset(priv, 0xc1, 2 * PAGE);
		T_EQ(0, t_map_fixed(fd, ioas, priv, 2 * PAGE, APERTURE));
		t_child_exit();
	}
	t_reap(child);
	T_EQ(0, t_access_rw(fd, access_fd, APERTURE + PAGE, tmp, sizeof(tmp), 0));
	T_EQ(0xc1, tmp[0]);
	T_EQ(0xc1, tmp[PAGE - 1]);
	/* The parent's own copy is untouched. */
	T_EQ(0x11, priv[PAGE]);
	/* A read-only mapping in the child cannot be pinned for writing: EFAULT, as GUP. */
	child = fork();
	if (!child) {
		T_EQ(0, mprotect(priv, 2 * PAGE, PROT_READ));
		T_ERRNO(EFAULT, t_map_fixed(fd, ioas, priv, 2 * PAGE, APERTURE + 4 * PAGE));
		t_child_exit();
	}
	t_reap(child);
	T_EQ(0, svart_sim_close(access_fd));
	T_EQ(0, svart_sim_close(fd));
	munmap(priv, 2 * PAGE);
}

/*
 * A child that allocates objects and exits without closing: they stay in the shared context
 * with the IDs the parent's table hands out next, and the parent can use and destroy them.
 */
static void t_fork_session(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas = t_ioas_alloc(fd);
	uint64_t unmapped = 0;
	pid_t child;

	T_EQ(1, ioas);
	child = fork();
	if (!child) {
		struct iommu_fault_alloc fault = { .size = sizeof(fault) };
		struct iommu_destroy destroy = { .size = sizeof(destroy), .id = 99 };
		uint32_t ioas2 = t_ioas_alloc(fd);

		/* The parent's table: its IOAS is 1, so this is 2. */
		T_EQ(2, ioas2);
		T_EQ(0, t_map_fixed(fd, ioas2, shared_buf, PAGE, APERTURE));
		/* The kernel's errno values, from the parent's sim. */
		T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_DESTROY, &destroy));
		T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_IOAS_ALLOC, (void *)16));
		T_ERRNO(ENOTTY, svart_sim_ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), &destroy));
		T_ERRNO(EEXIST, t_map_fixed(fd, ioas2, shared_buf, PAGE, APERTURE));
		/* A new descriptor would land in the parent's table: refused. */
		T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
		t_child_exit();
	}
	t_reap(child);
	T_EQ(0, t_unmap(fd, 2, APERTURE, PAGE, &unmapped));
	T_EQ(PAGE, unmapped);
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_DESTROY,
				&(struct iommu_destroy){ sizeof(struct iommu_destroy), 2 }));
	T_EQ(2, t_ioas_alloc(fd));
	T_EQ(0, svart_sim_close(fd));
}

/*
 * The parent closes first: the child's descriptor keeps the context. The child's close ends
 * its use (EBADF after), and the parent's further forks are independent.
 */
static void t_fork_close_order(void)
{
	int fd = svart_sim_iommufd_open(), pipefds[2];
	uint32_t ioas = t_ioas_alloc(fd);
	pid_t child;
	char c = 0;

	T_EQ(0, pipe2(pipefds, O_CLOEXEC));
	child = fork();
	if (!child) {
		close(pipefds[1]);
		T_EQ(0, read(pipefds[0], &c, 1));
		/* The parent closed its descriptor: the context lives on in ours. */
		T_EQ(0, t_map_fixed(fd, ioas, shared_buf, PAGE, APERTURE));
		T_EQ(2, t_ioas_alloc(fd));
		T_EQ(0, svart_sim_close(fd));
		T_ERRNO(EBADF, svart_sim_ioctl(fd, IOMMU_IOAS_ALLOC, &c));
		t_child_exit();
	}
	close(pipefds[0]);
	T_EQ(0, svart_sim_close(fd));
	T_EQ(0, close(pipefds[1]));
	t_reap(child);
}

/* A forwarded descriptor inherited once more is refused, with a message. */
static void t_fork_twice(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas = t_ioas_alloc(fd);
	pid_t child;

	child = fork();
	if (!child) {
		pid_t grandchild = fork();

		if (!grandchild) {
			T_ERRNO(EOPNOTSUPP, t_map_fixed(fd, ioas, shared_buf, PAGE, APERTURE));
			t_child_exit();
		}
		t_reap(grandchild);
		/* The child's own connection is untouched. */
		T_EQ(0, t_map_fixed(fd, ioas, shared_buf, PAGE, APERTURE));
		t_child_exit();
	}
	t_reap(child);
	T_ERRNO(EEXIST, t_map_fixed(fd, ioas, shared_buf, PAGE, APERTURE));
	T_EQ(0, svart_sim_close(fd));
}

int main(void)
{
	shared_buf =
		mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_buf == MAP_FAILED) {
		perror("mmap");
		return T_EXIT_FAIL;
	}
	memset(shared_buf, 0, BUF_SIZE);
	t_fork_gone_no_domain();
	t_fork_gone_domain();
	t_fork_present();
	t_fork_private();
	t_fork_session();
	t_fork_close_order();
	t_fork_twice();
	munmap(shared_buf, BUF_SIZE);
	return t_done("sim_iommufd_fork");
}
