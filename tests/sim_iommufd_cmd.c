// SPDX-License-Identifier: MIT
/*
 * sim iommufd dispatcher: the kernel's size rules (selftest cmd_fail, cmd_length, cmd_ex_fail),
 * DESTROY, ID allocation and reuse, global options, VFIO_IOAS, and safe user copies.
 */
#include <unistd.h>

#include "sim_iommufd_util.h"

/* selftest TEST_LENGTH: min-1 EINVAL; +1 with 0xff E2BIG; +1 with 0 behaves like sizeof. */
#define TEST_LENGTH(_struct, _ioctl, _last)                                                       \
	do {                                                                                      \
		size_t min_size = offsetofend(struct _struct, _last);                             \
		struct {                                                                          \
			struct _struct cmd;                                                       \
			uint8_t extra;                                                            \
		} __attribute__((packed)) c = { .cmd = { .size = min_size - 1 }, .extra = 0xff }; \
		int rc, old_errno;                                                                \
                                                                                                  \
		T_ERRNO(EINVAL, svart_sim_ioctl(fd, _ioctl, &c));                                 \
		c.cmd.size = sizeof(struct _struct) + 1;                                          \
		T_ERRNO(E2BIG, svart_sim_ioctl(fd, _ioctl, &c));                                  \
		c.cmd.size = sizeof(struct _struct);                                              \
		rc = svart_sim_ioctl(fd, _ioctl, &c);                                             \
		old_errno = errno;                                                                \
		close_out_fds(_ioctl, &c);                                                        \
		c.cmd.size = sizeof(struct _struct) + 1;                                          \
		c.extra = 0;                                                                      \
		if (rc)                                                                           \
			T_ERRNO(old_errno, svart_sim_ioctl(fd, _ioctl, &c));                      \
		else                                                                              \
			T_EQ(0, svart_sim_ioctl(fd, _ioctl, &c));                                 \
		close_out_fds(_ioctl, &c);                                                        \
	} while (0)

/* FAULT_QUEUE_ALLOC succeeds with a zeroed struct: its descriptors must not leak. */
static void close_out_fds(unsigned long ioctl_num, void *arg)
{
	struct iommu_fault_alloc *f = arg;

	if (ioctl_num == IOMMU_FAULT_QUEUE_ALLOC && svart_sim_is_fd((int)f->out_fault_fd))
		svart_sim_close((int)f->out_fault_fd);
}

static void test_cmd_length(void)
{
	int fd = svart_sim_iommufd_open();

	T_CHECK(fd >= 0);
	TEST_LENGTH(iommu_destroy, IOMMU_DESTROY, id);
	TEST_LENGTH(iommu_hw_info, IOMMU_GET_HW_INFO, __reserved);
	TEST_LENGTH(iommu_hwpt_alloc, IOMMU_HWPT_ALLOC, __reserved);
	TEST_LENGTH(iommu_hwpt_invalidate, IOMMU_HWPT_INVALIDATE, __reserved);
	TEST_LENGTH(iommu_ioas_alloc, IOMMU_IOAS_ALLOC, out_ioas_id);
	TEST_LENGTH(iommu_ioas_iova_ranges, IOMMU_IOAS_IOVA_RANGES, out_iova_alignment);
	TEST_LENGTH(iommu_ioas_allow_iovas, IOMMU_IOAS_ALLOW_IOVAS, allowed_iovas);
	TEST_LENGTH(iommu_ioas_map, IOMMU_IOAS_MAP, iova);
	TEST_LENGTH(iommu_ioas_copy, IOMMU_IOAS_COPY, src_iova);
	TEST_LENGTH(iommu_ioas_unmap, IOMMU_IOAS_UNMAP, length);
	TEST_LENGTH(iommu_option, IOMMU_OPTION, val64);
	TEST_LENGTH(iommu_vfio_ioas, IOMMU_VFIO_IOAS, __reserved);
	TEST_LENGTH(iommu_fault_alloc, IOMMU_FAULT_QUEUE_ALLOC, out_fault_fd);
	TEST_LENGTH(iommu_hwpt_set_dirty_tracking, IOMMU_HWPT_SET_DIRTY_TRACKING, __reserved);
	TEST_LENGTH(iommu_hwpt_get_dirty_bitmap, IOMMU_HWPT_GET_DIRTY_BITMAP, data);
	T_EQ(0, svart_sim_close(fd));
}

static void test_cmd_fail(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_destroy d = { .size = sizeof(d), .id = 0 };
	struct {
		struct iommu_destroy cmd;
		uint64_t future;
	} ex = { .cmd = { .size = sizeof(ex) } };
	void *unmapped;

	T_CHECK(fd >= 0);
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_DESTROY, &d));
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_DESTROY, NULL));
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), &d));
	/* Past IOMMU_TEST_CMD, the last command: the VFIO compat handler does not know it. */
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, _IO(IOMMUFD_TYPE, 0xa1), NULL));
	/* A hole in the table: the size is read first, then the number is unknown. */
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, _IO(IOMMUFD_TYPE, 0x95), NULL));
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, _IO(IOMMUFD_TYPE, 0x95), &d));
	/* Right number, wrong encoding: ENOTTY, but only after size was read. */
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, _IOWR(IOMMUFD_TYPE, 0x80, struct iommu_destroy), &d));
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, _IOWR(IOMMUFD_TYPE, 0x80, struct iommu_destroy), NULL));
	unmapped = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_IOAS_ALLOC, unmapped));
	munmap(unmapped, PAGE);
	/* VFIO compat probing. */
	T_EQ(0, svart_sim_ioctl(fd, _IO(';', 100), NULL));
	T_EQ(1, svart_sim_ioctl(fd, _IO(';', 101), (void *)3));

	/* cmd_ex_fail: a longer struct with a zero tail is fine, a nonzero one is E2BIG. */
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_DESTROY, &ex));
	ex.future = 1;
	T_ERRNO(E2BIG, svart_sim_ioctl(fd, IOMMU_DESTROY, &ex));
	ex.cmd.size = 7;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_DESTROY, &ex));
	/* A zero tail that runs into unmapped memory faults. */
	{
		char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct iommu_destroy *edge = (void *)(two + PAGE - sizeof(*edge));

		munmap(two + PAGE, PAGE);
		edge->size = 64;
		edge->id = 0;
		T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_DESTROY, edge));
		munmap(two, PAGE);
	}
	T_ERRNO(EBADF, svart_sim_ioctl(-1, IOMMU_DESTROY, &d));
	T_EQ(0, svart_sim_close(fd));
}

static void test_ids(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_ioas_alloc bad = { .size = sizeof(bad), .flags = 1 };
	uint32_t a, b, c;

	a = t_ioas_alloc(fd);
	b = t_ioas_alloc(fd);
	c = t_ioas_alloc(fd);
	T_EQ(1, a);
	T_EQ(2, b);
	T_EQ(3, c);
	/* A failed allocation uses no ID. */
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_IOAS_ALLOC, &bad));
	T_EQ(0, t_destroy(fd, b));
	T_ERRNO(ENOENT, t_destroy(fd, b));
	T_EQ(2, t_ioas_alloc(fd)); /* lowest free reused */
	T_EQ(4, t_ioas_alloc(fd));
	T_ERRNO(ENOENT, t_destroy(fd, 99));
	T_ERRNO(ENOENT, t_destroy(fd, 0x80000000u));
	/* Objects left behind are destroyed by close (ASan checks nothing leaks). */
	T_EQ(0, svart_sim_close(fd));
}

/* The kernel checks capable(CAP_SYS_RESOURCE), not the UID. */
static bool has_cap_sys_resource(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	char line[256];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 24);
}

static void test_global_options(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 3,
	};
	bool root = has_cap_sys_resource();

	T_EQ(0, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	T_EQ(0, cmd.val64);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 1;
	if (root) {
		T_EQ(0, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
		cmd.val64 = 2;
		T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
		cmd.op = IOMMU_OPTION_OP_GET;
		T_EQ(0, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
		T_EQ(1, cmd.val64);
		/* Not once objects exist. */
		t_ioas_alloc(fd);
		cmd.op = IOMMU_OPTION_OP_SET;
		cmd.val64 = 0;
		T_ERRNO(EBUSY, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	} else {
		T_ERRNO(EPERM, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	}
	cmd.op = IOMMU_OPTION_OP_GET;
	cmd.object_id = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	cmd.object_id = 0;
	cmd.__reserved = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	cmd.__reserved = 0;
	cmd.option_id = 7;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	cmd.option_id = IOMMU_OPTION_HUGE_PAGES;
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_OPTION, &cmd));
	T_EQ(0, svart_sim_close(fd));
}

static void test_vfio_ioas(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .op = IOMMU_VFIO_IOAS_GET };
	uint32_t ioas;

	T_ERRNO(ENODEV, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = 0;
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	ioas = t_ioas_alloc(fd);
	cmd.ioas_id = ioas;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.ioas_id = 0;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	T_EQ(ioas, cmd.ioas_id);
	cmd.op = IOMMU_VFIO_IOAS_CLEAR;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	T_ERRNO(ENODEV, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	/* Destroying the compat IOAS clears it; it is not a reference. */
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = ioas;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	T_EQ(0, t_destroy(fd, ioas));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	T_ERRNO(ENODEV, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = 9;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
	T_EQ(0, svart_sim_close(fd));
}

static void test_user_copy(void)
{
	char buf[16] = "abc", dst[16];
	void *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_EQ(0, sim_copy_from_user(dst, buf, sizeof(buf)));
	T_STREQ(dst, "abc");
	T_EQ(-EFAULT, sim_copy_from_user(dst, NULL, 4));
	T_EQ(-EFAULT, sim_copy_from_user(dst, none, 4));
	T_EQ(0, sim_copy_from_user(dst, ro, 4));
	T_EQ(-EFAULT, sim_copy_to_user(ro, buf, 4));
	T_EQ(-EFAULT, sim_copy_to_user(none, buf, 4));
	T_EQ(0, sim_copy_to_user(dst, buf, 4));
	munmap(none, PAGE);
	munmap(ro, PAGE);
}

int main(void)
{
	test_cmd_fail();
	test_cmd_length();
	test_ids();
	test_global_options();
	test_vfio_ioas();
	test_user_copy();
	return t_done("sim_iommufd_cmd");
}
