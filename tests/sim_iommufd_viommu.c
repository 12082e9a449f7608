// SPDX-License-Identifier: MIT
/*
 * sim's vIOMMU extras, on the kernel selftest's mock vIOMMU: mmap() of the iommufd (the offset
 * allocator and the exact-region rules of iommufd_fops_mmap(), sharing, the owner held while
 * mapped), vEVENTQs (records, sequence numbers, the LOST_EVENTS header, poll, the errno rules
 * of VEVENTQ_ALLOC and TRIGGER_VEVENT) and HW queues (pinned and locked memory, index order,
 * destroy order, contiguity). Expected values are the kernel's (Linux 6.17/7.0
 * drivers/iommu/iommufd/{main,driver,eventq,viommu}.c and selftest.c), computed by hand.
 */
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/iommufd/selftest_uapi.h"
#include "sim_iommufd_util.h"

#define APERTURE ((uint64_t)MOCK_APERTURE_START)
#define HDR sizeof(struct iommufd_vevent_header)
#define REC (HDR + sizeof(struct iommu_viommu_event_selftest))

static int t_test(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return svart_sim_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int t_mock_domain(int fd, uint32_t ioas, uint32_t *stdev, uint32_t *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas };
	int rc = t_test(fd, &cmd);

	*stdev = cmd.mock_domain.out_stdev_id;
	*idev = cmd.mock_domain.out_idev_id;
	return rc;
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

static int t_trigger(int fd, uint32_t idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev },
	};

	return t_test(fd, &cmd);
}

static int t_viommu(int fd, uint32_t idev, uint32_t parent, struct iommu_viommu_selftest *data,
		    uint32_t *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = idev,
		.hwpt_id = parent,
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.data_uptr = (uintptr_t)data,
		.data_len = data ? sizeof(*data) : 0,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	*out = cmd.out_viommu_id;
	return rc;
}

static int t_veventq(int fd, struct iommu_veventq_alloc *cmd, uint32_t *id, int *qfd)
{
	int rc;

	cmd->size = sizeof(*cmd);
	rc = svart_sim_ioctl(fd, IOMMU_VEVENTQ_ALLOC, cmd);
	if (!rc) {
		*id = cmd->out_veventq_id;
		*qfd = (int)cmd->out_veventq_fd;
	}
	return rc;
}

static int t_hw_queue(int fd, uint32_t viommu, uint32_t type, uint32_t index, uint64_t iova,
		      uint64_t len, uint32_t *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = len,
	};
	int rc = svart_sim_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/* The fixture of the selftest's iommufd_viommu: IOAS, mock device, nest parent, vIOMMU. */
struct t_fix {
	int fd;
	uint32_t ioas, stdev, idev, parent, viommu, nested;
};

static void t_fix_setup(struct t_fix *f)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	f->fd = svart_sim_iommufd_open();
	T_CHECK(f->fd >= 0);
	f->ioas = t_ioas_alloc(f->fd);
	T_EQ(0, t_mock_domain(f->fd, f->ioas, &f->stdev, &f->idev));
	T_EQ(0, t_hwpt_alloc(f->fd, IOMMU_HWPT_ALLOC_NEST_PARENT, f->idev, f->ioas, 0, NULL, 0,
			     &f->parent));
	T_EQ(0, t_viommu(f->fd, f->idev, f->parent, NULL, &f->viommu));
	T_EQ(0, t_hwpt_alloc(f->fd, 0, f->idev, f->viommu, IOMMU_HWPT_DATA_SELFTEST, &data,
			     sizeof(data), &f->nested));
}

/* mmap() of the iommufd through the file's op, as the interposer calls it after its checks. */
static int t_mmap(int fd, size_t len, int prot, int flags, off_t off, void **addr)
{
	struct sim_file *file = sim_file_get(fd);
	int rc;

	*addr = NULL;
	rc = file->ops->mmap(file, len, prot, flags, off, addr);
	sim_file_put(file);
	return rc;
}

/* munmap() and what the interposer tells sim after it. */
static void t_munmap(void *addr, size_t len)
{
	T_EQ(0, munmap(addr, len));
	sim_iommufd_munmap_notify(addr, len);
}

static void test_mmap(void)
{
	struct iommu_viommu_selftest d1 = { .in_data = 0xbeef }, d2 = { .in_data = 0xcafe };
	struct iommu_viommu_selftest d3 = { .in_data = 7 };
	const int RW = PROT_READ | PROT_WRITE;
	uint32_t v1, v2, v3;
	struct t_fix f;
	void *a, *b;

	t_fix_setup(&f);
	/* The fixture's vIOMMU had no data, so no region: the first one starts at PAGE_SIZE. */
	T_EQ(0, t_viommu(f.fd, f.idev, f.parent, &d1, &v1));
	T_EQ(0xbeef, d1.out_data);
	T_EQ(PAGE, d1.out_mmap_offset);
	T_EQ(2 * PAGE, d1.out_mmap_length);
	T_EQ(0, t_viommu(f.fd, f.idev, f.parent, &d2, &v2));
	T_EQ(3 * PAGE, d2.out_mmap_offset);

	/* Only the exact region: offset inside it, past it, half or twice the length: ENXIO. */
	T_RET(ENXIO, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, PAGE + PAGE, &a));
	T_RET(ENXIO, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, 5 * PAGE, &a));
	T_RET(ENXIO, t_mmap(f.fd, PAGE, RW, MAP_SHARED, PAGE, &a));
	T_RET(ENXIO, t_mmap(f.fd, 4 * PAGE, RW, MAP_SHARED, PAGE, &a));
	T_RET(ENXIO, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, 0, &a));
	/* MMIO rules before the lookup: shared only (EINVAL), never executable (EPERM). */
	T_RET(EINVAL, t_mmap(f.fd, 2 * PAGE, RW, MAP_PRIVATE, PAGE, &a));
	T_RET(EPERM, t_mmap(f.fd, 2 * PAGE, RW | PROT_EXEC, MAP_SHARED, PAGE, &a));
	T_RET(EINVAL, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, PAGE + 1, &a));

	/* The VFS rounds the length up to pages: 2 * PAGE - 1 maps the whole region. */
	T_EQ(0, t_mmap(f.fd, 2 * PAGE - 1, RW, MAP_SHARED, PAGE, &a));
	T_EQ(0xbeef, *(volatile uint32_t *)a);
	T_EQ(0, t_mmap(f.fd, 2 * PAGE, PROT_READ, MAP_SHARED, 3 * PAGE, &b));
	T_EQ(0xcafe, *(volatile uint32_t *)b);
	/* Two mappings of one region share its pages, as they share the kernel's. */
	void *a2;

	T_EQ(0, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, PAGE, &a2));
	((volatile uint32_t *)a)[PAGE / 4 + 1] = 0x12345678;
	T_EQ(0x12345678, ((volatile uint32_t *)a2)[PAGE / 4 + 1]);

	/* Each mapping holds the vIOMMU until its last page goes. */
	T_ERRNO(EBUSY, t_destroy(f.fd, v1));
	t_munmap(a2, 2 * PAGE);
	T_ERRNO(EBUSY, t_destroy(f.fd, v1));
	t_munmap(a, PAGE);
	t_munmap(a, PAGE); /* again: nothing more is dropped */
	T_ERRNO(EBUSY, t_destroy(f.fd, v1));
	t_munmap((char *)a + PAGE, PAGE);
	T_EQ(0, t_destroy(f.fd, v1));
	/* The freed range is reused first fit. */
	T_EQ(0, t_viommu(f.fd, f.idev, f.parent, &d3, &v3));
	T_EQ(PAGE, d3.out_mmap_offset);
	T_EQ(0, t_destroy(f.fd, v3));
	/* The region went with its owner. */
	T_RET(ENXIO, t_mmap(f.fd, 2 * PAGE, RW, MAP_SHARED, PAGE, &a));

	/* A mapping keeps the context: closing the fd first leaves the mapping working. */
	T_EQ(0, svart_sim_close(f.fd));
	T_EQ(0xcafe, *(volatile uint32_t *)b);
	t_munmap(b, 2 * PAGE); /* the context is released here (LeakSanitizer checks) */
}

/* Reads @count bytes from a vEVENTQ fd into @buf; returns what read() returned. */
static ssize_t t_read(int qfd, void *buf, size_t count)
{
	memset(buf, 0xa5, count);
	return svart_sim_read(qfd, buf, count);
}

static void t_check_rec(const uint8_t *p, uint32_t flags, uint32_t seq, uint32_t virt_id)
{
	struct iommufd_vevent_header h;
	struct iommu_viommu_event_selftest e;

	memcpy(&h, p, HDR);
	T_EQ(flags, h.flags);
	T_EQ(seq, h.sequence);
	if (!(flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS)) {
		memcpy(&e, p + HDR, sizeof(e));
		T_EQ(virt_id, e.virt_id);
	}
}

static void test_veventq(void)
{
	struct iommu_veventq_alloc q = {};
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd) };
	struct sim_iommufd_ctx *ictx;
	struct sim_veventq *veventq;
	uint8_t buf[128];
	uint32_t qid, qid2, vdev;
	struct t_fix f;
	int qfd, qfd2, err;

	t_fix_setup(&f);
	/* VEVENTQ_ALLOC: reserved bits and the DEFAULT type EOPNOTSUPP, depth 0 EINVAL. */
	q.viommu_id = f.viommu;
	q.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	q.veventq_depth = 2;
	q.flags = 1;
	T_ERRNO(EOPNOTSUPP, t_veventq(f.fd, &q, &qid, &qfd));
	q.flags = 0;
	q.__reserved = 1;
	T_ERRNO(EOPNOTSUPP, t_veventq(f.fd, &q, &qid, &qfd));
	q.__reserved = 0;
	q.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	T_ERRNO(EOPNOTSUPP, t_veventq(f.fd, &q, &qid, &qfd));
	q.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	q.veventq_depth = 0;
	T_ERRNO(EINVAL, t_veventq(f.fd, &q, &qid, &qfd));
	q.veventq_depth = 2;
	q.viommu_id = f.ioas;
	T_ERRNO(ENOENT, t_veventq(f.fd, &q, &qid, &qfd));
	q.viommu_id = f.viommu;

	/* Reporting needs a vEVENTQ of the type: EOPNOTSUPP before one exists... */
	vd.viommu_id = f.viommu;
	vd.dev_id = f.idev;
	vd.virt_id = 0x99;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_VDEVICE_ALLOC, &vd));
	vdev = vd.out_vdevice_id;
	/* ...and the device attached to a nested domain of the vIOMMU (ENOENT otherwise). */
	T_ERRNO(ENOENT, t_trigger(f.fd, f.idev));
	T_EQ(0, t_replace(f.fd, f.stdev, f.nested));
	T_ERRNO(EOPNOTSUPP, t_trigger(f.fd, f.idev));
	T_ERRNO(ENOENT, t_trigger(f.fd, f.ioas)); /* not a device */

	T_EQ(0, t_veventq(f.fd, &q, &qid, &qfd));
	/* One vEVENTQ per type; another type may have its own. */
	T_ERRNO(EEXIST, t_veventq(f.fd, &q, &qid2, &qfd2));
	q.type = 0x1234;
	T_EQ(0, t_veventq(f.fd, &q, &qid2, &qfd2));
	/* IDs: fixture 1..7, vDEVICE 8; the replace freed the auto domain's 4 (lowest first). */
	T_EQ(4, qid);
	T_EQ(9, qid2);
	/* Both hold the vIOMMU; the fd holds the vEVENTQ. */
	T_ERRNO(EBUSY, t_destroy(f.fd, f.viommu));
	T_ERRNO(EBUSY, t_destroy(f.fd, qid2));
	T_EQ(0, svart_sim_close(qfd2));
	T_EQ(0, t_destroy(f.fd, qid2));

	/* Nothing queued: not readable, a read gives 0 bytes. */
	T_EQ(0, svart_sim_poll_events(qfd) & POLLIN);
	T_EQ(0, t_read(qfd, buf, sizeof(buf)));
	/* One event: header {0, seq 0} + the virtual ID; a buffer short of a record reads 0. */
	T_EQ(0, t_trigger(f.fd, f.idev));
	T_CHECK(svart_sim_poll_events(qfd) & POLLIN);
	T_EQ(0, t_read(qfd, buf, REC - 1));
	T_EQ(REC, t_read(qfd, buf, sizeof(buf)));
	t_check_rec(buf, 0, 0, 0x99);
	T_EQ(0, svart_sim_poll_events(qfd) & POLLIN);
	/* No write op: EINVAL. */
	T_ERRNO(EINVAL, svart_sim_write(qfd, buf, REC));

	/* Depth 2, three events: two records, then a LOST_EVENTS header with the third's seq. */
	for (int i = 0; i < 3; i++)
		T_EQ(0, t_trigger(f.fd, f.idev));
	T_EQ(2 * REC + HDR, t_read(qfd, buf, sizeof(buf)));
	t_check_rec(buf, 0, 1, 0x99);
	t_check_rec(buf + REC, 0, 2, 0x99);
	t_check_rec(buf + 2 * REC, IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 3, 0);
	T_EQ(0, svart_sim_poll_events(qfd) & POLLIN);

	/* Five more: 4 and 5 queued, 6..8 lost: one header, with the last lost sequence. */
	for (int i = 0; i < 5; i++)
		T_EQ(0, t_trigger(f.fd, f.idev));
	T_EQ(REC, t_read(qfd, buf, REC + HDR - 1));
	t_check_rec(buf, 0, 4, 0x99);
	T_EQ(REC, t_read(qfd, buf, REC));
	t_check_rec(buf, 0, 5, 0x99);
	T_CHECK(svart_sim_poll_events(qfd) & POLLIN); /* the header waits */
	T_EQ(0, t_read(qfd, buf, HDR - 1));
	T_EQ(HDR, t_read(qfd, buf, HDR));
	t_check_rec(buf, IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 8, 0);

	/* An event queued after a loss replaces the header: the gap in sequence shows it. */
	for (int i = 0; i < 3; i++)
		T_EQ(0, t_trigger(f.fd, f.idev)); /* 9, 10, lost 11 */
	T_EQ(REC, t_read(qfd, buf, REC));
	T_EQ(0, t_trigger(f.fd, f.idev)); /* 12: there is room again */
	T_EQ(2 * REC, t_read(qfd, buf, sizeof(buf)));
	t_check_rec(buf, 0, 10, 0x99);
	t_check_rec(buf + REC, 0, 12, 0x99);

	/* Sequence numbers run over [0, INT_MAX] and wrap to 0. */
	ictx = sim_iommufd_ctx_from_fd(f.fd, &err);
	T_CHECK(ictx != NULL);
	pthread_mutex_lock(&ictx->mutex);
	veventq = (struct sim_veventq *)sim_iommufd_get_object(ictx, qid, SIM_OBJ_VEVENTQ);
	T_CHECK(veventq != NULL);
	veventq->sequence = INT_MAX;
	sim_iommufd_put_object(ictx, &veventq->obj);
	pthread_mutex_unlock(&ictx->mutex);
	sim_iommufd_ctx_put(ictx);
	T_EQ(0, t_trigger(f.fd, f.idev));
	T_EQ(0, t_trigger(f.fd, f.idev));
	T_EQ(2 * REC, t_read(qfd, buf, sizeof(buf)));
	t_check_rec(buf, 0, INT_MAX, 0x99);
	t_check_rec(buf + REC, 0, 0, 0x99);

	/* A virtual ID of 0 is the mock's "none": ENOENT. */
	T_EQ(0, t_replace(f.fd, f.stdev, f.ioas));
	T_EQ(0, t_destroy(f.fd, vdev));
	vd.virt_id = 0;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_VDEVICE_ALLOC, &vd));
	T_EQ(0, t_replace(f.fd, f.stdev, f.nested));
	T_ERRNO(ENOENT, t_trigger(f.fd, f.idev));

	/* Events left queued are freed with the vEVENTQ (at close here; LeakSanitizer checks). */
	T_EQ(0, t_replace(f.fd, f.stdev, f.ioas));
	T_EQ(0, t_destroy(f.fd, vd.out_vdevice_id));
	vd.virt_id = 0x88;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_VDEVICE_ALLOC, &vd));
	T_EQ(0, t_replace(f.fd, f.stdev, f.nested));
	T_EQ(0, t_trigger(f.fd, f.idev));
	T_EQ(0, svart_sim_close(qfd));
	T_EQ(0, svart_sim_close(f.fd));
}

static void test_hw_queue(void)
{
	const uint32_t T = IOMMU_HW_QUEUE_TYPE_SELFTEST, MAX = IOMMU_TEST_HW_QUEUE_MAX;
	uint64_t iova = APERTURE, iova2 = APERTURE + PAGE, unmapped;
	uint32_t q0, q1, q;
	struct t_fix f;
	char *buf, *far;

	buf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	far = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(buf != MAP_FAILED && far != MAP_FAILED);
	memset(buf, 1, 4 * PAGE);
	memset(far, 2, 4 * PAGE);
	t_fix_setup(&f);

	/* Checks before any lookup: flags/DEFAULT EOPNOTSUPP, length 0 EINVAL, wrap EOVERFLOW. */
	T_ERRNO(EOPNOTSUPP,
		t_hw_queue(f.fd, f.viommu, IOMMU_HW_QUEUE_TYPE_DEFAULT, 0, iova, PAGE, NULL));
	T_ERRNO(EINVAL, t_hw_queue(f.fd, f.viommu, T, 0, iova, 0, NULL));
	T_ERRNO(EOVERFLOW, t_hw_queue(f.fd, f.viommu, T, 0, ~0ull, PAGE, NULL));
	T_ERRNO(ENOENT, t_hw_queue(f.fd, f.ioas, T, 0, iova, PAGE, NULL));
	T_ERRNO(EOPNOTSUPP, t_hw_queue(f.fd, f.viommu, 0x1234, 0, iova, PAGE, NULL));
	/* The memory must be mapped in the nesting parent's IOAS. */
	T_ERRNO(ENOENT, t_hw_queue(f.fd, f.viommu, T, 0, iova, PAGE, NULL));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buf, PAGE, iova));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buf + PAGE, PAGE, iova2));

	/* Index order: 1 before 0 is EIO, MAX and above EINVAL (after the pin succeeded). */
	T_ERRNO(EIO, t_hw_queue(f.fd, f.viommu, T, 1, iova, PAGE, NULL));
	T_ERRNO(EINVAL, t_hw_queue(f.fd, f.viommu, T, MAX, iova, PAGE, NULL));
	/* Failed allocations leave nothing pinned or locked: the page unmaps and maps again. */
	T_EQ(0, t_unmap(f.fd, f.ioas, iova, PAGE, &unmapped));
	T_EQ(PAGE, unmapped);
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buf, PAGE, iova));

	/* Queue 0, then its internal access: the next two IDs (fixture: ioas 1, stdev 2, idev 3,
	 * auto hwpt 4, parent 5, viommu 6, nested 7). */
	T_EQ(0, t_hw_queue(f.fd, f.viommu, T, 0, iova, PAGE, &q0));
	T_EQ(8, q0);
	T_ERRNO(EBUSY, t_destroy(f.fd, q0 + 1)); /* the access is held by its queue */
	T_ERRNO(EEXIST, t_hw_queue(f.fd, f.viommu, T, 0, iova, PAGE, NULL));
	/* The queue's area is locked: EBUSY, even for a range the area sticks out of. */
	T_ERRNO(EBUSY, t_unmap(f.fd, f.ioas, iova, PAGE, NULL));
	T_ERRNO(EBUSY, t_unmap(f.fd, f.ioas, iova, PAGE / 2, NULL));
	T_ERRNO(EBUSY, t_unmap(f.fd, f.ioas, 0, UINT64_MAX, NULL));
	/* The second page is not the queue's. */
	T_EQ(0, t_unmap(f.fd, f.ioas, iova2, PAGE, &unmapped));
	T_EQ(PAGE, unmapped);

	/* Queue 1 inside the same page, unaligned; it depends on queue 0. */
	T_EQ(0, t_hw_queue(f.fd, f.viommu, T, 1, iova + PAGE / 2, PAGE / 2, &q1));
	T_EQ(10, q1);
	T_ERRNO(EBUSY, t_destroy(f.fd, q0));
	T_ERRNO(EBUSY, t_destroy(f.fd, f.viommu));
	T_EQ(0, t_destroy(f.fd, q1));
	T_EQ(0, t_destroy(f.fd, q0));
	T_EQ(0, t_unmap(f.fd, f.ioas, iova, PAGE, &unmapped));
	T_EQ(PAGE, unmapped);

	/* Two IOVA-adjacent pages that are not adjacent in the process: EFAULT, nothing kept. */
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buf, PAGE, iova));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, far + PAGE, PAGE, iova2));
	T_ERRNO(EFAULT, t_hw_queue(f.fd, f.viommu, T, 0, iova + 8, PAGE, NULL));
	T_EQ(0, t_unmap(f.fd, f.ioas, iova2, PAGE, NULL));
	/* Adjacent in both: a two-page queue, both areas locked. */
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buf + PAGE, PAGE, iova2));
	T_EQ(0, t_hw_queue(f.fd, f.viommu, T, 0, iova + 8, PAGE, &q));
	T_EQ(8, q); /* IDs of the failed attempt were freed */
	T_ERRNO(EBUSY, t_unmap(f.fd, f.ioas, iova2, PAGE, NULL));
	/* Left alive: close destroys queue, access, vIOMMU... in dependency order. */
	T_EQ(0, svart_sim_close(f.fd));
	munmap(buf, 4 * PAGE);
	munmap(far, 4 * PAGE);
}

int main(void)
{
	test_mmap();
	test_veventq();
	test_hw_queue();
	return t_done("sim_iommufd_viommu");
}
