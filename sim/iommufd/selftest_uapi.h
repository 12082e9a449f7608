/* SPDX-License-Identifier: MIT */
/*
 * The kernel selftest's test ABI (CONFIG_IOMMUFD_TEST): IOMMU_TEST_CMD and the mock driver's
 * data types, as Linux v6.17 defines them in drivers/iommu/iommufd/iommufd_test.h (the layout
 * of commit 80478a2b450e, which added the vIOMMU mmap fields; the selftest of that commit is
 * the one sim is run against, see docs/SIM_IOMMUFD.md).
 *
 * Written out from the documented layout under the kernel's names, like pasid/iommufd_uapi.h:
 * every size and offset the dispatcher and the mock driver depend on is pinned below, so a
 * wrong field breaks the build instead of talking nonsense to the selftest.
 *
 * Only sim includes this header; it is not part of svart's public API. It also carries the
 * three Linux 7.0 commands after VDEVICE_ALLOC, which only the selftest sends.
 */
#ifndef SIM_IOMMUFD_SELFTEST_UAPI_H
#define SIM_IOMMUFD_SELFTEST_UAPI_H

#include "pasid/iommufd_uapi.h"

/*
 * ---- Linux 7.0 commands that svart's own client does not use ----------------------------
 * pasid/iommufd_uapi.h stops at VDEVICE_ALLOC (0x91); the selftest also sends these three.
 */
#define IOMMUFD_CMD_IOAS_CHANGE_PROCESS 0x92
#define IOMMUFD_CMD_VEVENTQ_ALLOC 0x93
#define IOMMUFD_CMD_HW_QUEUE_ALLOC 0x94

/* Move the pin accounting of an iommufd's file-backed maps to the calling process. */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)
IOMMUFD_ABI_SIZE(iommu_ioas_change_process, 8);

/* A vIOMMU event queue (its fd reads struct iommufd_vevent_header + driver data). */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)
IOMMUFD_ABI_SIZE(iommu_veventq_alloc, 32);
IOMMUFD_ABI_CHECK(iommu_veventq_alloc, veventq_depth, 16, 4);

/* The reserved vEVENTQ type (VEVENTQ_ALLOC: EOPNOTSUPP); drivers define the others. */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
};

enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = 1U << 0,
};

/*
 * What a read of a vEVENTQ returns per event, followed by the event's data; a LOST_EVENTS
 * header (no data) at the tail says events after the previous one were dropped. @sequence
 * runs over [0, INT_MAX] and wraps to 0.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};
IOMMUFD_ABI_SIZE(iommufd_vevent_header, 8);
IOMMUFD_ABI_CHECK(iommufd_vevent_header, sequence, 4, 4);

/* A hardware queue of a vIOMMU, in guest memory at a nesting-parent IOVA. */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)
IOMMUFD_ABI_SIZE(iommu_hw_queue_alloc, 40);
IOMMUFD_ABI_CHECK(iommu_hw_queue_alloc, nesting_parent_iova, 24, 8);

/* The reserved HW queue type (HW_QUEUE_ALLOC: EOPNOTSUPP). */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
};

/* ---- the test ABI ------------------------------------------------------------------------ */

/* IOMMUFD_CMD_BASE + 32: far enough from the real commands to never collide with them. */
#define IOMMUFD_CMD_TEST 0xa0

enum {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN,
	IOMMU_TEST_OP_MD_CHECK_MAP,
	IOMMU_TEST_OP_MD_CHECK_REFS,
	IOMMU_TEST_OP_CREATE_ACCESS,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_RW,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	IOMMU_TEST_OP_DIRTY,
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	IOMMU_TEST_OP_TRIGGER_IOPF,
	IOMMU_TEST_OP_DEV_CHECK_CACHE,
	IOMMU_TEST_OP_TRIGGER_VEVENT,
	IOMMU_TEST_OP_PASID_ATTACH,
	IOMMU_TEST_OP_PASID_REPLACE,
	IOMMU_TEST_OP_PASID_DETACH,
	IOMMU_TEST_OP_PASID_CHECK_HWPT,
};

/* The mock paging domain's aperture; everything outside it is reserved in the IOAS. */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
};

/* ACCESS_PAGES flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	/* syzkaller mode: @iova is {u32 nth_area, u32 offset} */
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* ACCESS_RW flags (the kernel's IOMMUFD_ACCESS_RW_WRITE and __IOMMUFD_ACCESS_RW_SLOW_PATH) */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* CREATE_ACCESS flags */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* MOCK_DOMAIN_FLAGS device flags */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/* The mock driver fails the second set_dev_pasid of this PASID (replace error path test). */
#define IOMMU_TEST_PASID_RESERVED 1024

/*
 * IOMMU_TEST_CMD's argument: @op selects the union member, @id is the object most ops work on.
 * min_size is offsetofend(last): the whole struct but its tail padding, 68 of 72 bytes.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id; /* the iommufd device object bound to the mock device */
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags; /* MOCK_FLAGS_DEVICE_* */
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		struct {
			__u32 pasid;
			__u32 pt_id; /* @id is the stdev_id */
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id; /* 0: check that nothing is attached */
		} pasid_check;
	};
	__u32 last;
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_TEST)

IOMMUFD_ABI_SIZE(iommu_test_cmd, 72);
IOMMUFD_ABI_CHECK(iommu_test_cmd, op, 4, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, id, 8, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, add_reserved.start, 16, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, add_reserved.length, 24, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, mock_domain_flags.dev_flags, 28, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, check_map.uptr, 32, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, check_refs.refs, 32, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, access_pages.out_access_pages_id, 20, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, access_pages.uptr, 40, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, access_rw.flags, 40, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, dirty.iova, 24, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, dirty.out_nr_dirty, 56, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, trigger_iopf.perm, 28, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, trigger_iopf.addr, 32, 8);
IOMMUFD_ABI_CHECK(iommu_test_cmd, pasid_check.hwpt_id, 20, 4);
IOMMUFD_ABI_CHECK(iommu_test_cmd, last, 64, 4);

/* Mock device/IOMMU PASID width. */
#define MOCK_PASID_WIDTH 20

/* GET_HW_INFO of a mock device. */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg; /* IOMMU_HW_INFO_SELFTEST_REGVAL */
};
IOMMUFD_ABI_SIZE(iommu_test_hw_info, 8);

/* HWPT_ALLOC data of a mock nested domain; chosen to collide with no real data type. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/* Every entry of the nested domain's mock IOTLB starts as @iotlb. */
struct iommu_hwpt_selftest {
	__u32 iotlb;
};
IOMMUFD_ABI_SIZE(iommu_hwpt_selftest, 4);

/* HWPT_INVALIDATE of a mock nested domain. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0) /* every entry; @iotlb_id is ignored */

struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id; /* 0..MOCK_NESTED_DOMAIN_IOTLB_ID_MAX */
};
IOMMUFD_ABI_SIZE(iommu_hwpt_invalidate_selftest, 8);

/* VIOMMU_ALLOC type of the mock driver; its data is a loopback. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data; /* = @in_data */
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};
IOMMUFD_ABI_SIZE(iommu_viommu_selftest, 24);
IOMMUFD_ABI_CHECK(iommu_viommu_selftest, out_mmap_offset, 8, 8);

/* HWPT_INVALIDATE on a mock vIOMMU: the per-device mock cache. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

struct iommu_viommu_invalidate_selftest {
	__u32 flags; /* IOMMU_TEST_INVALIDATE_FLAG_ALL: every entry, @cache_id ignored */
	__u32 vdev_id; /* virtual ID of the vDEVICE */
	__u32 cache_id; /* 0..MOCK_DEV_CACHE_ID_MAX */
};
IOMMUFD_ABI_SIZE(iommu_viommu_invalidate_selftest, 12);

#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

struct iommu_viommu_event_selftest {
	__u32 virt_id;
};
IOMMUFD_ABI_SIZE(iommu_viommu_event_selftest, 4);

#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* SIM_IOMMUFD_SELFTEST_UAPI_H */
