// SPDX-License-Identifier: MIT
/*
 * sim's mock driver and IOMMU_TEST_CMD (the kernel selftest's test ABI): every op's success
 * and error paths, against the kernel's documented errno values and hand-computed IDs,
 * addresses and pin counts. Also the pieces of the core the selftest needs: accesses (pins,
 * unmap notification, alignment), vIOMMUs and vDEVICEs, IOAS_MAP_FILE, IOAS_CHANGE_PROCESS
 * and the VFIO type1 compat calls.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/iommufd/selftest_uapi.h"
#include "sim_iommufd_util.h"

#define MOCK_PAGE 2048UL
#define BUF_SIZE (16 * PAGE)
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

static int t_test(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return svart_sim_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* MOCK_DOMAIN(_FLAGS): the three IDs, or the ioctl's -1. */
static int t_mock_domain(int fd, uint32_t pt_id, uint32_t flags, uint32_t *stdev, uint32_t *hwpt,
			 uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.op = flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS : IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = flags },
	};
	int rc = t_test(fd, &cmd);

	if (rc)
		return rc;
	if (stdev)
		*stdev = cmd.mock_domain.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	return 0;
}

static int t_replace(int fd, uint32_t stdev, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return t_test(fd, &cmd);
}

static int t_check_map(int fd, uint32_t hwpt, uint64_t iova, uint64_t len, const void *uptr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { .iova = iova, .length = len, .uptr = (uintptr_t)uptr },
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

static int t_check_iotlb(int fd, uint32_t hwpt, uint32_t id, uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt,
		.check_iotlb = { .id = id, .iotlb = val },
	};

	return t_test(fd, &cmd);
}

static int t_check_cache(int fd, uint32_t idev, uint32_t id, uint32_t val)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev,
		.check_dev_cache = { .id = id, .cache = val },
	};

	return t_test(fd, &cmd);
}

static int t_invalidate(int fd, uint32_t id, void *reqs, uint32_t type, uint32_t len, uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = len,
		.entry_num = *num,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

static int t_pasid(int fd, uint32_t op, uint32_t stdev, uint32_t pasid, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = op,
		.id = stdev,
		.pasid_attach = { .pasid = pasid, .pt_id = pt_id },
	};

	return t_test(fd, &cmd);
}

static int t_create_access(int fd, uint32_t ioas, uint32_t flags, int *access_fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = t_test(fd, &cmd);

	if (!rc)
		*access_fd = (int)cmd.create_access.out_access_fd;
	return rc;
}

static int t_access_pages(int fd, int access_fd, uint64_t iova, uint64_t len, const void *uptr,
			  uint32_t flags, uint32_t *item)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = (uint32_t)access_fd,
		.access_pages = { .flags = flags,
				  .iova = iova,
				  .length = len,
				  .uptr = (uintptr_t)uptr },
	};
	int rc = t_test(fd, &cmd);

	if (!rc && item)
		*item = cmd.access_pages.out_access_pages_id;
	return rc;
}

static int t_destroy_access_pages(int fd, int access_fd, uint32_t item)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = (uint32_t)access_fd,
		.destroy_access_pages = { .access_pages_id = item },
	};

	return t_test(fd, &cmd);
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

static int t_hw_info(int fd, uint32_t dev, void *data, uint32_t len, struct iommu_hw_info *out)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_GET_HW_INFO, &cmd);

	*out = cmd;
	return rc;
}

static int t_ranges(int fd, uint32_t ioas, struct iommu_iova_range *r, uint32_t n, uint32_t *num,
		    uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = n,
		.allowed_iovas = (uintptr_t)r,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	*num = cmd.num_iovas;
	*align = cmd.out_iova_alignment;
	return rc;
}

/* The dispatcher's size rules for IOMMU_TEST_CMD and unknown ops. */
static void test_dispatch(void)
{
	int fd = svart_sim_iommufd_open();
	struct {
		struct iommu_test_cmd cmd;
		uint8_t extra;
	} big = { .cmd = { .op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
			   .memory_limit = { .limit = 65536 } } };

	T_EQ(IOMMU_TEST_CMD, _IO(';', 0xa0));
	/* min_size is offsetofend(last) = 68; the struct is 72. */
	big.cmd.size = 67;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	big.cmd.size = 68;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	big.cmd.size = sizeof(big.cmd) + 1;
	big.extra = 1;
	T_ERRNO(E2BIG, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	big.extra = 0;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	T_ERRNO(EFAULT, svart_sim_ioctl(fd, IOMMU_TEST_CMD, NULL));
	/* The kernel's batch needs 12 bytes (a long and a u32). */
	big.cmd.size = sizeof(big.cmd);
	big.cmd.memory_limit.limit = 11;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	big.cmd.memory_limit.limit = 12;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	/* Ops the mock driver does not have. */
	big.cmd.op = 0;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	big.cmd.op = IOMMU_TEST_OP_PASID_CHECK_HWPT + 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_TEST_CMD, &big));
	T_EQ(0, svart_sim_close(fd));
}

/* MOCK_DOMAIN: IDs, geometry, GET_HW_INFO, lifetime. */
static void test_mock_domain(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas, stdev, hwpt, idev, stdev2, hwpt2, idev2, num;
	struct iommu_iova_range r[4];
	struct iommu_test_hw_info info[2];
	struct iommu_hw_info hw;
	uint64_t align;

	ioas = t_ioas_alloc(fd);
	T_EQ(1, ioas);
	T_ERRNO(ENOENT, t_mock_domain(fd, 99, 0, NULL, NULL, NULL));
	T_ERRNO(EINVAL, t_mock_domain(fd, ioas, 1u << 3, NULL, NULL, NULL));
	/* The failed attempts used no IDs: selftest object, device object, then the domain. */
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	T_EQ(2, stdev);
	T_EQ(3, idev);
	T_EQ(4, hwpt);
	/* The aperture and 2048-byte pages are the IOAS's usable range and alignment now. */
	T_EQ(0, t_ranges(fd, ioas, r, 4, &num, &align));
	T_EQ(1, num);
	T_EQ(1u << 24, r[0].start);
	T_EQ((1u << 31) - 1, r[0].last);
	T_EQ(2048, align);
	/* The domain takes 2048-byte multiples only. */
	{
		void *buf = t_buffer(PAGE);

		T_ERRNO(EINVAL, t_map(fd, ioas, buf, 1024, NULL, T_RW));
		T_EQ(0, t_map(fd, ioas, buf, 2048, NULL, T_RW));
		munmap(buf, PAGE);
	}

	/* GET_HW_INFO: the selftest type; no PASID unless the device was made with it. */
	memset(info, 0xa5, sizeof(info));
	T_EQ(0, t_hw_info(fd, idev, info, sizeof(info), &hw));
	T_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, hw.out_data_type);
	T_EQ(sizeof(struct iommu_test_hw_info), hw.data_len);
	T_EQ(0, info[0].flags);
	T_EQ(0xdeadbeef, info[0].test_reg);
	T_EQ(0, info[1].flags); /* the rest of a larger buffer is zeroed */
	T_EQ(0, hw.out_max_pasid_log2);
	T_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, hw.out_capabilities);
	T_EQ(0, t_mock_domain(fd, hwpt, MOCK_FLAGS_DEVICE_PASID, &stdev2, &hwpt2, &idev2));
	T_EQ(hwpt, hwpt2); /* attached to the HWPT given, not a new one */
	T_EQ(0, t_hw_info(fd, idev2, NULL, 0, &hw));
	T_EQ(20, hw.out_max_pasid_log2);

	/* Nothing can go while in use; the device object belongs to the selftest object. */
	T_ERRNO(EBUSY, t_destroy(fd, ioas));
	T_ERRNO(EBUSY, t_destroy(fd, hwpt));
	T_ERRNO(EBUSY, t_destroy(fd, idev));
	/* Mock devices are not VFIO cdevs. */
	T_ERRNO(ENOENT, svart_sim_open("/dev/vfio/devices/vfio0", O_RDWR));
	T_EQ(0, t_destroy(fd, stdev2));
	T_EQ(0, t_destroy(fd, stdev));
	/* The auto domain and the device object went with the last selftest object. */
	T_ERRNO(ENOENT, t_destroy(fd, hwpt));
	T_ERRNO(ENOENT, t_destroy(fd, idev));
	T_ERRNO(ENOENT, t_hw_info(fd, idev, NULL, 0, &hw));
	T_EQ(0, t_ranges(fd, ioas, r, 4, &num, &align));
	T_EQ(0, r[0].start);
	T_EQ(UINT64_MAX, r[0].last);
	T_EQ(0, svart_sim_close(fd));
}

static void test_replace(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas, ioas2, stdev, hwpt, idev, paging, parent;

	ioas = t_ioas_alloc(fd);
	ioas2 = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, &hwpt, &idev));
	/* Replacing the IOAS frees the automatic domain. */
	T_EQ(0, t_replace(fd, stdev, ioas2));
	T_ERRNO(ENOENT, t_replace(fd, stdev, hwpt));
	T_ERRNO(ENOENT, t_replace(fd, 99, ioas));
	T_ERRNO(ENOENT, t_replace(fd, idev, ioas)); /* not a selftest object */
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, ioas, 0, NULL, 0, &paging));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, &parent));
	/* Unknown flags, and user data on a paging domain, are EOPNOTSUPP. */
	T_ERRNO(EOPNOTSUPP,
		t_hwpt_alloc(fd, ~IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, NULL));
	T_EQ(0, t_replace(fd, stdev, paging));
	T_ERRNO(EBUSY, t_destroy(fd, paging));
	T_EQ(0, t_replace(fd, stdev, parent));
	T_EQ(0, t_destroy(fd, paging));
	T_EQ(0, t_replace(fd, stdev, ioas));
	T_EQ(0, t_destroy(fd, parent));
	T_EQ(0, t_destroy(fd, ioas2));
	T_EQ(0, svart_sim_close(fd));
}

/* MD_CHECK_MAP and MD_CHECK_REFS against what was mapped and pinned. */
static void test_check_map_refs(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas, ioas2, stdev, hwpt;
	char *buf = t_buffer(BUF_SIZE), *other = t_buffer(PAGE);
	uint64_t iova = APERTURE, iova2 = 0;
	void *gone;

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, &hwpt, NULL));
	T_EQ(0, t_check_refs(fd, buf, BUF_SIZE, 0));
	T_EQ(0, t_map_fixed(fd, ioas, buf + MOCK_PAGE, 4 * PAGE, iova));
	T_EQ(0, t_check_map(fd, hwpt, iova, 4 * PAGE, buf + MOCK_PAGE));
	T_EQ(0, t_check_map(fd, hwpt, iova + PAGE, MOCK_PAGE, buf + MOCK_PAGE + PAGE));
	/* The wrong user page, an unmapped IOVA, misalignment, the wrong object. */
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, iova, PAGE, buf));
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, iova, PAGE, other));
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, iova + 4 * PAGE, PAGE, buf + MOCK_PAGE + 4 * PAGE));
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, iova + 1, PAGE, buf + MOCK_PAGE + 1));
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, iova, 100, buf + MOCK_PAGE));
	T_ERRNO(ENOENT, t_check_map(fd, ioas, iova, PAGE, buf + MOCK_PAGE));
	T_ERRNO(ENOENT, t_check_map(fd, 99, iova, PAGE, buf + MOCK_PAGE));
	gone = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, PAGE);
	T_ERRNO(EFAULT, t_check_map(fd, hwpt, iova, MOCK_PAGE, gone));

	/* Bytes 2048..2048+16K of buf touch 5 pages, each pinned once. */
	T_EQ(0, t_check_refs(fd, buf, 5 * PAGE, 1));
	T_EQ(0, t_check_refs(fd, buf + 5 * PAGE, PAGE, 0));
	T_ERRNO(EIO, t_check_refs(fd, buf, PAGE, 2));
	T_ERRNO(EINVAL, t_check_refs(fd, buf + 1, PAGE, 1));
	T_ERRNO(EINVAL, t_check_refs(fd, buf, 100, 1));
	T_ERRNO(EFAULT, t_check_refs(fd, gone, PAGE, 0));
	/* A second map of the same memory pins it again; a copy of a map does not. */
	T_EQ(0, t_map(fd, ioas, buf, PAGE, &iova2, T_RW));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 2));
	T_EQ(0, t_check_refs(fd, buf + PAGE, PAGE, 1));
	ioas2 = t_ioas_alloc(fd);
	{
		struct iommu_ioas_copy copy = {
			.size = sizeof(copy),
			.flags = T_RW,
			.dst_ioas_id = ioas,
			.src_ioas_id = ioas,
			.length = PAGE,
			.src_iova = iova2,
		};

		T_EQ(0, svart_sim_ioctl(fd, IOMMU_IOAS_COPY, &copy));
		T_EQ(0, t_check_refs(fd, buf, PAGE, 2));
		T_EQ(0, t_unmap(fd, ioas, copy.dst_iova, PAGE, NULL));
	}
	T_EQ(0, t_unmap(fd, ioas, iova2, PAGE, NULL));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 1));
	/* Without a domain nothing is pinned; pins go with the last domain. */
	iova2 = APERTURE;
	T_EQ(0, t_map_fixed(fd, ioas2, buf + 8 * PAGE, PAGE, iova2));
	T_EQ(0, t_check_refs(fd, buf + 8 * PAGE, PAGE, 0));
	T_EQ(0, t_destroy(fd, stdev));
	T_EQ(0, t_check_refs(fd, buf, BUF_SIZE, 0));
	/* The first domain attached pins what is already mapped. */
	T_EQ(0, t_mock_domain(fd, ioas2, 0, &stdev, &hwpt, NULL));
	T_EQ(0, t_check_refs(fd, buf + 8 * PAGE, PAGE, 1));
	T_EQ(0, t_check_map(fd, hwpt, iova2, PAGE, buf + 8 * PAGE));
	T_EQ(0, svart_sim_close(fd));
	/* Closing the context unpins everything (the selftest's teardown check). */
	fd = svart_sim_iommufd_open();
	T_EQ(0, t_check_refs(fd, buf, BUF_SIZE, 0));
	T_EQ(0, svart_sim_close(fd));
	munmap(buf, BUF_SIZE);
	munmap(other, PAGE);
}

/* Nested domains with IOMMU_HWPT_DATA_SELFTEST: allocation errors, mock IOTLB, invalidation. */
static void test_nested(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv[2] = {};
	const uint32_t SELF = IOMMU_HWPT_DATA_SELFTEST, INV = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	uint32_t ioas, stdev, idev, parent, plain, nested, num;

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, NULL, &idev));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, &parent));
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, ioas, 0, NULL, 0, &plain));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, 0, idev, parent, SELF + 1, &data, sizeof(data), NULL));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, idev, parent, SELF, &data, 3, NULL));
	T_ERRNO(EFAULT, t_hwpt_alloc(fd, 0, idev, parent, SELF, NULL, sizeof(data), NULL));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, parent, SELF,
					 &data, sizeof(data), NULL));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, idev, plain, SELF, &data, sizeof(data), NULL));
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, parent, SELF, &data, sizeof(data), &nested));
	T_ERRNO(EINVAL, t_hwpt_alloc(fd, 0, idev, nested, SELF, &data, sizeof(data), NULL));
	for (uint32_t i = 0; i < 4; i++)
		T_EQ(0, t_check_iotlb(fd, nested, i, IOMMU_TEST_IOTLB_DEFAULT));
	T_ERRNO(EINVAL, t_check_iotlb(fd, nested, 0, 0));
	T_ERRNO(EINVAL, t_check_iotlb(fd, nested, 4, IOMMU_TEST_IOTLB_DEFAULT));
	T_ERRNO(ENOENT, t_check_iotlb(fd, parent, 0, IOMMU_TEST_IOTLB_DEFAULT));

	/* Invalidation: type, sizes, flags and IDs checked entry by entry. */
	num = 0;
	T_EQ(0, t_invalidate(fd, nested, inv, INV, sizeof(*inv), &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, parent, inv, INV, sizeof(*inv), &num));
	T_EQ(0, num);
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested, inv, INV + 1, sizeof(*inv), &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested, inv, INV, sizeof(*inv) + 1, &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested, inv, INV, 1, &num));
	T_EQ(0, num);
	inv[0].iotlb_id = 4;
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested, inv, INV, sizeof(*inv), &num));
	T_EQ(0, num);
	/* The first entry is done before the second one fails. */
	inv[0].iotlb_id = 0;
	inv[1].flags = 2;
	num = 2;
	T_ERRNO(EOPNOTSUPP, t_invalidate(fd, nested, inv, INV, sizeof(*inv), &num));
	T_EQ(1, num);
	T_EQ(0, t_check_iotlb(fd, nested, 0, 0));
	T_EQ(0, t_check_iotlb(fd, nested, 1, IOMMU_TEST_IOTLB_DEFAULT));
	/* FLAG_ALL ignores the ID, but the kernel's driver still range-checks it. */
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].iotlb_id = 99;
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, nested, inv, INV, sizeof(*inv), &num));
	T_EQ(0, num);
	inv[0].iotlb_id = 3;
	num = 1;
	T_EQ(0, t_invalidate(fd, nested, inv, INV, sizeof(*inv), &num));
	T_EQ(1, num);
	for (uint32_t i = 0; i < 4; i++)
		T_EQ(0, t_check_iotlb(fd, nested, i, 0));

	/* The nested domain holds its parent. */
	T_EQ(0, t_replace(fd, stdev, nested));
	T_ERRNO(EBUSY, t_destroy(fd, nested));
	T_ERRNO(EBUSY, t_destroy(fd, parent));
	T_EQ(0, t_replace(fd, stdev, ioas));
	T_EQ(0, t_destroy(fd, nested));
	T_EQ(0, t_destroy(fd, parent));
	T_EQ(0, svart_sim_close(fd));
}

static int t_dirty_bitmap(int fd, uint32_t hwpt, uint64_t iova, uint64_t len, uint64_t psize,
			  void *bitmap, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = len,
		.page_size = psize,
		.data = (uintptr_t)bitmap,
	};

	return svart_sim_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

static int t_set_dirty(int fd, uint32_t hwpt, uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.hwpt_id = hwpt,
	};

	return svart_sim_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

/* Dirty tracking of the mock domain: OP_DIRTY marks, GET_DIRTY_BITMAP reads and clears. */
static void test_dirty(void)
{
	int fd = svart_sim_iommufd_open();
	char *buf = t_buffer(BUF_SIZE);
	uint8_t user[16], *odd = (uint8_t *)buf + 1; /* any alignment */
	struct iommu_test_cmd dirty = {
		.op = IOMMU_TEST_OP_DIRTY,
		.dirty = { .iova = APERTURE, .length = BUF_SIZE, .page_size = MOCK_PAGE },
	};
	uint32_t ioas, idev, nodirty_idev, dhwpt, plain;
	const uint32_t ENABLE = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, NULL, NULL, &idev));
	T_EQ(0, t_mock_domain(fd, t_ioas_alloc(fd), MOCK_FLAGS_DEVICE_NO_DIRTY, NULL, NULL,
			      &nodirty_idev));
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, nodirty_idev, ioas, 0,
					 NULL, 0, NULL));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, idev, ioas, 0, NULL, 0, &dhwpt));
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, ioas, 0, NULL, 0, &plain));
	T_ERRNO(EOPNOTSUPP, t_set_dirty(fd, plain, ENABLE));
	T_ERRNO(EOPNOTSUPP, t_set_dirty(fd, dhwpt, 2));
	T_ERRNO(EINVAL, t_mock_domain(fd, dhwpt, MOCK_FLAGS_DEVICE_NO_DIRTY, NULL, NULL, NULL));
	T_EQ(0, t_map_fixed(fd, ioas, buf, BUF_SIZE, APERTURE));

	/* Both need tracking on. */
	memset(user, 0xff, sizeof(user));
	dirty.id = dhwpt;
	dirty.dirty.uptr = (uintptr_t)user;
	T_ERRNO(EINVAL, t_test(fd, &dirty));
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, user, 0));
	T_ERRNO(EOPNOTSUPP, t_dirty_bitmap(fd, plain, APERTURE, BUF_SIZE, MOCK_PAGE, user, 0));
	T_EQ(0, t_set_dirty(fd, dhwpt, ENABLE));

	/* Mark pages 0, 3 and 31 of the 32 mapped: 3 dirty. Outside the map counts nothing. */
	memset(user, 0, sizeof(user));
	user[0] = 0x09;
	user[3] = 0x80;
	T_EQ(0, t_test(fd, &dirty));
	T_EQ(3, dirty.dirty.out_nr_dirty);
	dirty.dirty.iova = APERTURE + BUF_SIZE;
	T_EQ(0, t_test(fd, &dirty));
	T_EQ(0, dirty.dirty.out_nr_dirty);
	dirty.dirty.iova = APERTURE + 1;
	T_ERRNO(EINVAL, t_test(fd, &dirty));
	dirty.dirty.iova = APERTURE;
	dirty.id = plain;
	T_ERRNO(EINVAL, t_test(fd, &dirty)); /* no dirty ops */
	dirty.id = 99;
	T_ERRNO(ENOENT, t_test(fd, &dirty));

	/* Read without clearing into an unaligned bitmap; bits set by the user stay set. */
	memset(odd, 0, 4);
	odd[1] = 0x10;
	T_EQ(0, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	T_EQ(0x09, odd[0]);
	T_EQ(0x10, odd[1]);
	T_EQ(0x80, odd[3]);
	/* A page size of 4 KiB: bit i covers mock pages 2i and 2i + 1. */
	memset(odd, 0, 4);
	T_EQ(0, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, PAGE, odd,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	T_EQ(0x03, odd[0]); /* pages 0 and 3 */
	T_EQ(0x80, odd[1]); /* page 31 */
	/* Reading clears: a second read finds nothing. */
	memset(odd, 0, 4);
	T_EQ(0, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd, 0));
	T_EQ(0x09, odd[0]);
	memset(odd, 0, 4);
	T_EQ(0, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd, 0));
	T_EQ(0, odd[0] | odd[3]);
	/* The range must be mapped, aligned, and name a page size. */
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE + PAGE, MOCK_PAGE, odd, 0));
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE + 1, PAGE, MOCK_PAGE, odd, 0));
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, 0, odd, 0));
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE, MOCK_PAGE, PAGE, odd, 0));
	T_ERRNO(EOVERFLOW, t_dirty_bitmap(fd, dhwpt, UINT64_MAX - MOCK_PAGE + 1, 2 * MOCK_PAGE,
					  MOCK_PAGE, odd, 0));
	T_ERRNO(EOPNOTSUPP, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd, 2));
	T_ERRNO(EFAULT, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, NULL, 0));
	/* Enabling again starts clean. */
	dirty.id = dhwpt;
	user[0] = 1;
	T_EQ(0, t_test(fd, &dirty));
	T_EQ(0, t_set_dirty(fd, dhwpt, ENABLE));
	memset(odd, 0, 4);
	T_EQ(0, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd, 0));
	T_EQ(0, odd[0]);
	T_EQ(0, t_set_dirty(fd, dhwpt, 0));
	T_ERRNO(EINVAL, t_dirty_bitmap(fd, dhwpt, APERTURE, BUF_SIZE, MOCK_PAGE, odd, 0));
	T_EQ(0, svart_sim_close(fd));
	munmap(buf, BUF_SIZE);
}

/* A page request from a mock device reaches the fault queue of the RID's domain. */
static void test_iopf(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_test_cmd trig = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .pasid = 1,
				  .grpid = 2,
				  .perm = IOMMU_PGFAULT_PERM_READ,
				  .addr = 0xdeadb000 },
	};
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	struct iommu_hwpt_pgfault rec;
	uint32_t ioas, stdev, idev, parent, iopf;

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, NULL, &idev));
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, &parent));
	/* A nested domain needs its driver data. */
	T_ERRNO(EOPNOTSUPP,
		t_hwpt_alloc_fault(fd, 0, idev, parent, NULL, 0, fa.out_fault_id, NULL));
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.flags = IOMMU_HWPT_FAULT_ID_VALID,
			.dev_id = idev,
			.pt_id = parent,
			.data_type = IOMMU_HWPT_DATA_SELFTEST,
			.data_len = sizeof(data),
			.data_uptr = (uintptr_t)&data,
			.fault_id = fa.out_fault_id,
		};

		T_EQ(0, svart_sim_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd));
		iopf = cmd.out_hwpt_id;
	}
	T_EQ(0, t_replace(fd, stdev, iopf));
	trig.trigger_iopf.dev_id = 99;
	T_ERRNO(ENOENT, t_test(fd, &trig));
	/* PASID 1 has no attachment: the mock IOMMU's user PASID table falls back to the RID. */
	trig.trigger_iopf.dev_id = idev;
	T_EQ(0, t_test(fd, &trig));
	T_EQ(sizeof(rec), svart_sim_read((int)fa.out_fault_fd, &rec, sizeof(rec)));
	T_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	T_EQ(idev, rec.dev_id);
	T_EQ(1, rec.pasid);
	T_EQ(2, rec.grpid);
	T_EQ(IOMMU_PGFAULT_PERM_READ, rec.perm);
	T_EQ(0xdeadb000, rec.addr);
	resp.cookie = rec.cookie;
	T_EQ(sizeof(resp), svart_sim_write((int)fa.out_fault_fd, &resp, sizeof(resp)));
	/* No PASID: the record has no PASID flag. */
	trig.trigger_iopf.pasid = 0;
	T_EQ(0, t_test(fd, &trig));
	T_EQ(sizeof(rec), svart_sim_read((int)fa.out_fault_fd, &rec, sizeof(rec)));
	T_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	T_EQ(0, t_replace(fd, stdev, ioas));
	T_EQ(0, svart_sim_close((int)fa.out_fault_fd));
	T_EQ(0, svart_sim_close(fd));
}

/* PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT, with the mock driver's PASID 1024 error. */
static void test_pasid(void)
{
	int fd = svart_sim_iommufd_open();
	uint32_t ioas, stdev, idev, nopasid, s2, plain, nested, rid_hwpt;
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	const uint32_t ATTACH = IOMMU_TEST_OP_PASID_ATTACH, REPLACE = IOMMU_TEST_OP_PASID_REPLACE,
		       DETACH = IOMMU_TEST_OP_PASID_DETACH, CHECK = IOMMU_TEST_OP_PASID_CHECK_HWPT;

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_PASID, &stdev, &rid_hwpt, &idev));
	T_EQ(0, t_mock_domain(fd, ioas, 0, &nopasid, NULL, NULL));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_PASID, idev, ioas, 0, NULL, 0, &s2));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, &plain));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_PASID, idev, plain, IOMMU_HWPT_DATA_SELFTEST,
			     &data, sizeof(data), &nested));
	/* Detaching what is not attached is fine. */
	T_EQ(0, t_pasid(fd, DETACH, stdev, 100, 0));
	T_EQ(0, t_pasid(fd, CHECK, stdev, 100, 0));
	T_ERRNO(ENOENT, t_pasid(fd, ATTACH, 99, 100, s2));
	/* The RID's auto domain is not PASID-compatible. */
	T_ERRNO(EINVAL, t_pasid(fd, ATTACH, stdev, 100, s2));
	T_EQ(0, t_replace(fd, stdev, s2));
	T_EQ(0, t_pasid(fd, ATTACH, stdev, 100, s2));
	T_EQ(0, t_pasid(fd, CHECK, stdev, 100, s2));
	T_ERRNO(EINVAL, t_pasid(fd, CHECK, stdev, 100, nested));
	T_ERRNO(EINVAL, t_pasid(fd, CHECK, stdev, 100, 0));
	T_ERRNO(EINVAL, t_pasid(fd, CHECK, stdev, 100, ioas)); /* not a HWPT */
	T_ERRNO(ENOENT, t_pasid(fd, CHECK, stdev, 100, 99));
	T_ERRNO(EBUSY, t_pasid(fd, ATTACH, stdev, 100, nested));
	T_ERRNO(EINVAL, t_pasid(fd, ATTACH, stdev, 101, plain)); /* not PASID-compatible */
	T_ERRNO(EINVAL, t_pasid(fd, ATTACH, stdev, 102, ioas));
	T_ERRNO(EINVAL, t_pasid(fd, ATTACH, nopasid, 100, s2)); /* device has no PASIDs */
	T_ERRNO(EINVAL, t_pasid(fd, ATTACH, stdev, 1u << 20, s2)); /* 20 bits */
	T_EQ(0, t_pasid(fd, REPLACE, stdev, 100, nested));
	T_EQ(0, t_pasid(fd, CHECK, stdev, 100, nested));
	T_ERRNO(EINVAL, t_pasid(fd, REPLACE, stdev, 200, s2)); /* not attached */
	T_ERRNO(EBUSY, t_destroy(fd, nested));
	T_EQ(0, t_pasid(fd, DETACH, stdev, 100, 0));
	T_EQ(0, t_pasid(fd, CHECK, stdev, 100, 0));
	/* PASID 1024: the replace after an attach fails, the old domain stays. */
	T_EQ(0, t_pasid(fd, ATTACH, stdev, IOMMU_TEST_PASID_RESERVED, s2));
	T_ERRNO(ENOMEM, t_pasid(fd, REPLACE, stdev, IOMMU_TEST_PASID_RESERVED, nested));
	T_EQ(0, t_pasid(fd, CHECK, stdev, IOMMU_TEST_PASID_RESERVED, s2));
	T_EQ(0, t_pasid(fd, REPLACE, stdev, IOMMU_TEST_PASID_RESERVED, nested));
	T_EQ(0, t_pasid(fd, CHECK, stdev, IOMMU_TEST_PASID_RESERVED, nested));
	T_EQ(0, t_pasid(fd, DETACH, stdev, IOMMU_TEST_PASID_RESERVED, 0));
	/* A PASID left attached goes with the device. */
	T_EQ(0, t_pasid(fd, ATTACH, stdev, 300, nested));
	T_EQ(0, t_destroy(fd, stdev));
	T_EQ(0, t_destroy(fd, nested));
	T_EQ(0, svart_sim_close(fd));
}

/* vIOMMU and vDEVICE of the mock driver; its invalidations clear the device's mock cache. */
static void test_viommu(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_viommu_invalidate_selftest inv[2] = {};
	struct iommu_viommu_selftest vdata = { .in_data = 0xbeef };
	uint32_t ioas, stdev, idev, parent, plain, viommu, nested, num;
	const uint32_t INV = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .virt_id = 0x99 };

	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, NULL, &idev));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, &parent));
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, ioas, 0, NULL, 0, &plain));
	va.dev_id = idev;
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va)); /* hwpt_id 0 */
	va.hwpt_id = plain;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va)); /* not a nest parent */
	va.hwpt_id = parent;
	va.type = 0xdead;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	va.type = IOMMU_VIOMMU_TYPE_DEFAULT;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	va.type = IOMMU_VIOMMU_TYPE_SELFTEST;
	va.flags = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	va.flags = 0;
	va.dev_id = 99;
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	va.dev_id = idev;
	/* The driver data is a loopback. */
	va.data_uptr = (uintptr_t)&vdata;
	va.data_len = sizeof(vdata);
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	T_EQ(0xbeef, vdata.out_data);
	T_EQ(0, t_destroy(fd, va.out_viommu_id));
	va.data_len = 0;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va));
	viommu = va.out_viommu_id;
	T_ERRNO(EBUSY, t_destroy(fd, parent));

	/* A nested domain on the vIOMMU needs the device's vDEVICE to be attached. */
	T_ERRNO(EOPNOTSUPP, t_hwpt_alloc(fd, 1u << 31, idev, viommu, IOMMU_HWPT_DATA_SELFTEST,
					 &data, sizeof(data), NULL));
	T_EQ(0, t_hwpt_alloc(fd, 0, idev, viommu, IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &nested));
	T_ERRNO(EBUSY, t_destroy(fd, viommu));
	T_ERRNO(ENOENT, t_replace(fd, stdev, nested));
	vd.viommu_id = 99;
	vd.dev_id = idev;
	T_ERRNO(ENOENT, svart_sim_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd));
	vd.viommu_id = viommu;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd));
	T_ERRNO(EEXIST, svart_sim_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd));
	T_EQ(0, t_replace(fd, stdev, nested));

	/* HWPT_INVALIDATE on the vIOMMU: the device cache, through the virtual ID. */
	for (uint32_t i = 0; i < 4; i++)
		T_EQ(0, t_check_cache(fd, idev, i, IOMMU_TEST_DEV_CACHE_DEFAULT));
	T_ERRNO(EINVAL, t_check_cache(fd, idev, 4, IOMMU_TEST_DEV_CACHE_DEFAULT));
	T_ERRNO(EINVAL, t_check_cache(fd, idev, 0, 0));
	T_ERRNO(ENOENT, t_check_cache(fd, 99, 0, 0));
	num = 0;
	T_EQ(0, t_invalidate(fd, viommu, inv, INV, sizeof(*inv), &num));
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, viommu, inv, INV + 1, sizeof(*inv), &num));
	T_EQ(0, num);
	inv[0].vdev_id = 0x9; /* no such virtual ID */
	num = 1;
	T_ERRNO(EINVAL, t_invalidate(fd, viommu, inv, INV, sizeof(*inv), &num));
	inv[0].vdev_id = 0x99;
	inv[0].cache_id = 1;
	inv[1].vdev_id = 0x99;
	inv[1].cache_id = 4;
	num = 2;
	T_ERRNO(EINVAL, t_invalidate(fd, viommu, inv, INV, sizeof(*inv), &num));
	T_EQ(1, num);
	T_EQ(0, t_check_cache(fd, idev, 1, 0));
	T_EQ(0, t_check_cache(fd, idev, 0, IOMMU_TEST_DEV_CACHE_DEFAULT));
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	num = 1;
	T_EQ(0, t_invalidate(fd, viommu, inv, INV, sizeof(*inv), &num));
	for (uint32_t i = 0; i < 4; i++)
		T_EQ(0, t_check_cache(fd, idev, i, 0));
	T_ERRNO(EINVAL, t_invalidate(fd, viommu, inv, 7, sizeof(*inv), &num));

	T_EQ(0, t_replace(fd, stdev, ioas));
	T_EQ(0, t_destroy(fd, vd.out_vdevice_id));
	T_EQ(0, t_destroy(fd, nested));
	T_EQ(0, t_destroy(fd, viommu));
	T_EQ(0, t_destroy(fd, parent));
	T_EQ(0, svart_sim_close(fd));
}

/* Accesses: RW through the IOAS, pins, the unmap notification, alignment, lifetime. */
static void test_access(void)
{
	int fd = svart_sim_iommufd_open(), rw_fd, pin_fd;
	char *buf = t_buffer(BUF_SIZE), tmp[64], ref[64];
	uint32_t ioas, ioas2, item, item2, num;
	struct iommu_iova_range r[2];
	uint64_t iova = 0, iova2 = 0, align;

	ioas = t_ioas_alloc(fd);
	ioas2 = t_ioas_alloc(fd);
	T_ERRNO(EOPNOTSUPP, t_create_access(fd, ioas, 2, &rw_fd));
	T_ERRNO(ENOENT, t_create_access(fd, 99, 0, &rw_fd));
	T_EQ(0, t_create_access(fd, ioas, 0, &rw_fd));
	/* The access holds its IOAS. */
	T_ERRNO(EBUSY, t_destroy(fd, ioas));

	/* ACCESS_RW copies through the IOAS's mapping of buf, across pages. */
	for (unsigned int i = 0; i < BUF_SIZE; i++)
		buf[i] = (char)(i * 7 + 3);
	T_EQ(0, t_map(fd, ioas, buf, BUF_SIZE, &iova, T_RW));
	T_EQ(0, t_access_rw(fd, rw_fd, iova + PAGE - 20, tmp, 40, 0));
	T_EQ(0, memcmp(tmp, buf + PAGE - 20, 40));
	for (unsigned int i = 0; i < sizeof(ref); i++)
		ref[i] = (char)(0x40 + i);
	T_EQ(0,
	     t_access_rw(fd, rw_fd, iova + 3 * PAGE - 1, ref, sizeof(ref), MOCK_ACCESS_RW_WRITE));
	T_EQ(0, memcmp(buf + 3 * PAGE - 1, ref, sizeof(ref)));
	T_EQ(0, t_access_rw(fd, rw_fd, iova, tmp, 8, MOCK_ACCESS_RW_SLOW_PATH));
	T_ERRNO(ENOENT, t_access_rw(fd, rw_fd, iova + BUF_SIZE - 4, tmp, 8, 0));
	T_ERRNO(EINVAL, t_access_rw(fd, rw_fd, iova, tmp, 0, 0));
	T_ERRNO(EOPNOTSUPP, t_access_rw(fd, rw_fd, iova, tmp, 8, 2));
	T_ERRNO(EBADFD, t_access_rw(fd, fd, iova, tmp, 8, 0));
	T_ERRNO(EBADFD, t_access_rw(fd, 1000, iova, tmp, 8, 0));
	T_ERRNO(ENOMEM, t_access_rw(fd, rw_fd, iova, tmp, (16 << 20) + 1, 0));
	T_ERRNO(EFAULT, t_access_rw(fd, rw_fd, iova, NULL, 8, 0));
	/* A read-only map refuses writes. */
	{
		uint64_t ro = 0;

		T_EQ(0, t_map(fd, ioas, buf, PAGE, &ro, IOMMU_IOAS_MAP_READABLE));
		T_ERRNO(EPERM, t_access_rw(fd, rw_fd, ro, ref, 8, MOCK_ACCESS_RW_WRITE));
		T_EQ(0, t_unmap(fd, ioas, ro, PAGE, NULL));
	}
	/* An access that does not pin cannot ACCESS_PAGES. */
	T_ERRNO(EOPNOTSUPP, t_access_pages(fd, rw_fd, iova, PAGE, buf, 0, NULL));

	/* A pinning access makes the IOAS page-aligned. */
	T_EQ(0, t_ranges(fd, ioas2, r, 2, &num, &align));
	T_EQ(1, align);
	T_EQ(0, t_create_access(fd, ioas2, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &pin_fd));
	T_EQ(0, t_ranges(fd, ioas2, r, 2, &num, &align));
	T_EQ(PAGE, align);
	T_ERRNO(EINVAL, t_map(fd, ioas2, buf, MOCK_PAGE, NULL, T_RW));
	T_EQ(0, t_map(fd, ioas2, buf, 4 * PAGE, &iova2, T_RW));
	T_EQ(0, t_check_refs(fd, buf, 4 * PAGE, 0));
	T_EQ(0, t_access_pages(fd, pin_fd, iova2 + PAGE, 2 * PAGE, buf + PAGE, 0, &item));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 0));
	T_EQ(0, t_check_refs(fd, buf + PAGE, 2 * PAGE, 1));
	/* A second pin of the same pages does not count twice. */
	T_EQ(0, t_access_pages(fd, pin_fd, iova2 + PAGE, PAGE, buf + PAGE, 0, &item2));
	T_EQ(0, t_check_refs(fd, buf + PAGE, PAGE, 1));
	T_EQ(item + 1, item2);
	T_EQ(0, t_destroy_access_pages(fd, pin_fd, item2));
	T_ERRNO(ENOENT, t_destroy_access_pages(fd, pin_fd, item2));
	/* The pages pinned must be the pages under uptr. */
	T_ERRNO(EBADE, t_access_pages(fd, pin_fd, iova2, PAGE, buf + PAGE, 0, NULL));
	T_ERRNO(ENOENT, t_access_pages(fd, pin_fd, iova2 + 3 * PAGE, 2 * PAGE, NULL, 0, NULL));
	T_ERRNO(EINVAL, t_access_pages(fd, pin_fd, iova2, 0, NULL, 0, NULL));
	T_ERRNO(EOPNOTSUPP, t_access_pages(fd, pin_fd, iova2, PAGE, NULL, 2, NULL));
	T_ERRNO(ENOMEM, t_access_pages(fd, pin_fd, iova2, (16 << 20) + 1, NULL, 0, NULL));
	T_ERRNO(EBADFD, t_access_pages(fd, 1000, iova2, PAGE, NULL, 0, NULL));
	/* syzkaller IOVAs: {area 0, offset PAGE}. */
	T_EQ(0, t_access_pages(fd, pin_fd, (uint64_t)PAGE << 32, PAGE, buf + PAGE,
			       MOCK_FLAGS_ACCESS_SYZ, &item2));
	T_EQ(0, t_destroy_access_pages(fd, pin_fd, item2));

	/* UNMAP of pinned pages asks the access to unpin them first; the item is gone. */
	T_EQ(0, t_unmap(fd, ioas2, iova2, 4 * PAGE, NULL));
	T_ERRNO(ENOENT, t_destroy_access_pages(fd, pin_fd, item));
	T_EQ(0, t_check_refs(fd, buf, 4 * PAGE, 0));

	/* ACCESS_REPLACE_IOAS: pins on the old IOAS are dropped. */
	T_EQ(0, t_map(fd, ioas2, buf, 4 * PAGE, &iova2, T_RW));
	T_EQ(0, t_access_pages(fd, pin_fd, iova2, PAGE, buf, 0, &item));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 1));
	{
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
			.id = (uint32_t)pin_fd,
			.access_replace_ioas = { .ioas_id = 99 },
		};

		T_ERRNO(ENOENT, t_test(fd, &cmd));
		cmd.access_replace_ioas.ioas_id = ioas;
		T_EQ(0, t_test(fd, &cmd));
	}
	T_EQ(0, t_check_refs(fd, buf, PAGE, 0));
	T_ERRNO(ENOENT, t_destroy_access_pages(fd, pin_fd, item));
	T_EQ(0, t_destroy(fd, ioas2));

	/* Closing the access fd destroys the access and lets go of the IOAS. */
	T_EQ(0, t_access_pages(fd, pin_fd, iova, PAGE, buf, MOCK_FLAGS_ACCESS_WRITE, &item));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 1));
	T_EQ(0, svart_sim_close(pin_fd));
	T_EQ(0, t_check_refs(fd, buf, PAGE, 0));
	T_EQ(0, svart_sim_close(rw_fd));
	T_EQ(0, t_destroy(fd, ioas));
	/* An access keeps the context alive after its fd is closed. */
	T_EQ(0, t_create_access(fd, t_ioas_alloc(fd), 0, &rw_fd));
	T_EQ(0, svart_sim_close(fd));
	T_EQ(0, svart_sim_close(rw_fd));
	munmap(buf, BUF_SIZE);
}

static void test_add_reserved(void)
{
	int fd = svart_sim_iommufd_open();
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.add_reserved = { .start = PAGE, .length = PAGE },
	};
	struct iommu_iova_range r[4];
	void *buf = t_buffer(PAGE);
	uint32_t ioas, num;
	uint64_t align;

	ioas = t_ioas_alloc(fd);
	cmd.id = 99;
	T_ERRNO(ENOENT, t_test(fd, &cmd));
	cmd.id = ioas;
	T_EQ(0, t_test(fd, &cmd));
	T_EQ(0, t_ranges(fd, ioas, r, 4, &num, &align));
	T_EQ(2, num);
	T_EQ(PAGE - 1, r[0].last);
	T_EQ(2 * PAGE, r[1].start);
	T_ERRNO(EINVAL, t_map_fixed(fd, ioas, buf, PAGE, PAGE));
	T_EQ(0, t_map_fixed(fd, ioas, buf, PAGE, 4 * PAGE));
	cmd.add_reserved.start = 4 * PAGE;
	T_ERRNO(EADDRINUSE, t_test(fd, &cmd));
	cmd.add_reserved.length = 0;
	T_ERRNO(EINVAL, t_test(fd, &cmd));
	T_EQ(0, svart_sim_close(fd));
	munmap(buf, PAGE);
}

/* IOAS_MAP_FILE: a memfd range, checked against another mapping of the same file. */
static void test_map_file(void)
{
	int fd = svart_sim_iommufd_open(), mfd = memfd_create("t", 0);
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = T_RW,
		.start = PAGE,
		.length = 2 * PAGE,
	};
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	uint32_t ioas, stdev, hwpt;
	char *view;

	T_CHECK(mfd >= 0);
	T_EQ(0, ftruncate(mfd, 4 * PAGE));
	view = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	T_CHECK(view != MAP_FAILED);
	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, &stdev, &hwpt, NULL));
	/* No maps at all: the process change has nothing to refuse. */
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	cmd.ioas_id = ioas;
	cmd.fd = mfd;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	/* The domain maps the file's pages: the same frames as the test's own view. */
	T_EQ(0, t_check_map(fd, hwpt, cmd.iova, 2 * PAGE, view + PAGE));
	T_ERRNO(EINVAL, t_check_map(fd, hwpt, cmd.iova, PAGE, view));
	T_EQ(0, t_check_refs(fd, view + PAGE, 2 * PAGE, 1));
	T_EQ(0, t_check_refs(fd, view, PAGE, 0));
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	cp.__reserved = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	cp.__reserved = 0;
	/* Past the end of the file (pinned now, a domain is attached), a bad fd. */
	cmd.start = 3 * PAGE;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	cmd.fd = 1000;
	T_ERRNO(EBADF, svart_sim_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	cmd.fd = mfd;
	cmd.flags = 0;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	cmd.flags = 1u << 3;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	/* A user-memory map makes the process change impossible. */
	{
		void *buf = t_buffer(PAGE);

		T_EQ(0, t_map(fd, ioas, buf, PAGE, NULL, T_RW));
		T_ERRNO(EINVAL, svart_sim_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
		munmap(buf, PAGE);
	}
	T_EQ(0, svart_sim_close(fd));
	fd = svart_sim_iommufd_open();
	T_EQ(0, t_check_refs(fd, view, 4 * PAGE, 0));
	T_EQ(0, svart_sim_close(fd));
	munmap(view, 4 * PAGE);
	close(mfd);
}

/* VFIO type1 compat on the IOAS chosen with IOMMU_VFIO_IOAS. */
static void test_vfio_compat(void)
{
	int fd = svart_sim_iommufd_open();
	struct {
		uint32_t argsz, flags;
		uint64_t vaddr, iova, size;
	} map = { .argsz = sizeof(map), .flags = 3, .iova = APERTURE, .size = 4 * PAGE };
	struct {
		uint32_t argsz, flags;
		uint64_t iova, size;
	} unmap = { .argsz = sizeof(unmap), .iova = APERTURE + PAGE, .size = PAGE };
	struct iommu_vfio_ioas set = { .size = sizeof(set), .op = IOMMU_VFIO_IOAS_SET };
	struct {
		uint32_t argsz, flags;
		uint64_t iova_pgsizes;
		uint32_t cap_offset, pad;
		uint8_t caps[64];
	} info = { .argsz = sizeof(info) };
	const unsigned long SET_IOMMU = _IO(';', 102), GET_INFO = _IO(';', 112),
			    MAP_DMA = _IO(';', 113), UNMAP_DMA = _IO(';', 114);
	char *buf = t_buffer(4 * PAGE);
	uint32_t ioas;

	map.vaddr = (uintptr_t)buf;
	T_ERRNO(ENODEV, svart_sim_ioctl(fd, SET_IOMMU, (void *)3));
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, SET_IOMMU, (void *)2));
	T_ERRNO(ENODEV, svart_sim_ioctl(fd, MAP_DMA, &map));
	map.argsz = 1;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, MAP_DMA, &map));
	map.argsz = sizeof(map);
	T_ERRNO(ENODEV, svart_sim_ioctl(fd, GET_INFO, &info));
	ioas = t_ioas_alloc(fd);
	T_EQ(0, t_mock_domain(fd, ioas, 0, NULL, NULL, NULL));
	set.ioas_id = ioas;
	T_EQ(0, svart_sim_ioctl(fd, IOMMU_VFIO_IOAS, &set));
	/* Type1 (v1): large pages off, so a map can be cut. */
	T_EQ(0, svart_sim_ioctl(fd, SET_IOMMU, (void *)1));
	T_EQ(0, svart_sim_ioctl(fd, MAP_DMA, &map));
	T_EQ(0, svart_sim_ioctl(fd, UNMAP_DMA, &unmap));
	T_EQ(PAGE, unmap.size);
	{
		uint64_t iova = APERTURE + PAGE;

		T_EQ(0, t_map_fixed(fd, ioas, buf + PAGE, PAGE, iova));
	}
	/* FLAG_ALL needs iova and size 0. */
	unmap.flags = 2;
	T_ERRNO(EINVAL, svart_sim_ioctl(fd, UNMAP_DMA, &unmap));
	unmap.iova = 0;
	unmap.size = 0;
	T_EQ(0, svart_sim_ioctl(fd, UNMAP_DMA, &unmap));
	T_EQ(4 * PAGE, unmap.size);
	/* GET_INFO: 2048-byte pages, the aperture as the one IOVA range, then DMA_AVAIL. */
	T_EQ(0, svart_sim_ioctl(fd, GET_INFO, &info));
	T_EQ(3, info.flags);
	T_EQ(2048, info.iova_pgsizes);
	T_EQ(24, info.cap_offset);
	T_EQ(24 + 32 + 16, info.argsz);
	{
		uint16_t id = 0, next = 0;
		uint32_t nr;
		uint64_t range[2];

		memcpy(&id, info.caps, 2);
		memcpy(&next, info.caps + 4, 2);
		memcpy(&nr, info.caps + 8, 4);
		memcpy(range, info.caps + 16, 16);
		T_EQ(1, id);
		T_EQ(56, next);
		T_EQ(1, nr);
		T_EQ(APERTURE, range[0]);
		T_EQ((1u << 31) - 1, range[1]);
		memcpy(&id, info.caps + 32, 2);
		T_EQ(3, id);
	}
	T_EQ(0, svart_sim_close(fd));
	munmap(buf, 4 * PAGE);
}

int main(void)
{
	test_dispatch();
	test_mock_domain();
	test_replace();
	test_check_map_refs();
	test_nested();
	test_dirty();
	test_iopf();
	test_pasid();
	test_viommu();
	test_access();
	test_add_reserved();
	test_map_file();
	test_vfio_compat();
	return t_done("sim_iommufd_selftest");
}
