// SPDX-License-Identifier: MIT
/*
 * sim IOAS / io_pagetable against the kernel selftest's iommufd_ioas scenarios: area,
 * unmap_fully_contained_areas, area_auto_iova, reserved_overflow, area_allowed, copy_area,
 * iova_ranges, ioas_option_huge_pages, ioas_iova_alloc, plus pinning (EFAULT once a domain is
 * attached), translation and the unmap notifier. Run with and without a sim VT-d domain.
 */
#include <string.h>

#include "sim_iommufd_util.h"

static uint8_t *buffer;
#define BUFSZ (64 * PAGE)

/* The io_pagetable behind an IOAS ID, for reserving IOVA as the selftest's test command does. */
static struct sim_iopt *t_iopt(int fd, uint32_t ioas_id)
{
	struct sim_file *file = sim_file_get(fd);
	struct sim_iommufd_ctx *ictx = file->private_data;
	struct sim_ioas *ioas = (struct sim_ioas *)ictx->objs[ioas_id];

	sim_file_put(file);
	return &ioas->iopt;
}

struct fixture {
	int fd;
	uint32_t ioas;
	uint64_t base;
	int vfd;
	struct sim_pdev *pdev;
	bool domain;
};

static void setup(struct fixture *f, bool domain)
{
	memset(f, 0, sizeof(*f));
	f->fd = svart_sim_iommufd_open();
	f->ioas = t_ioas_alloc(f->fd);
	f->base = 1UL << 24;
	f->vfd = -1;
	f->domain = domain;
	if (domain) {
		int idx;
		uint32_t pt = f->ioas;

		f->pdev = t_pdev("0000:6a:01.0", 20, &idx);
		f->vfd = t_vfio_open(idx);
		t_vfio_bind(f->vfd, f->fd);
		T_EQ(0, t_vfio_attach(f->vfd, &pt, false, 0));
	}
}

static void teardown(struct fixture *f)
{
	if (f->vfd >= 0)
		T_EQ(0, svart_sim_close(f->vfd));
	if (f->pdev)
		sim_pdev_destroy(f->pdev);
	T_EQ(0, svart_sim_close(f->fd));
}

static void test_area(bool domain)
{
	struct fixture f;
	uint64_t b;

	setup(&f, domain);
	b = f.base;
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, b, PAGE, NULL));
	for (int i = 0; i != 10; i++)
		T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b + i * PAGE));
	for (int i = 0; i != 10; i++)
		T_EQ(0, t_unmap(f.fd, f.ioas, b + i * PAGE, PAGE, NULL));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 2 * PAGE, b + 16 * PAGE));
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, b + 16 * PAGE, PAGE, NULL));
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, b + 17 * PAGE, PAGE, NULL));
	T_ERRNO(EEXIST, t_map_fixed(f.fd, f.ioas, buffer, 2 * PAGE, b + 16 * PAGE));
	T_ERRNO(EEXIST, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b + 16 * PAGE));
	T_ERRNO(EEXIST, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b + 17 * PAGE));
	T_ERRNO(EEXIST, t_map_fixed(f.fd, f.ioas, buffer, 2 * PAGE, b + 15 * PAGE));
	T_ERRNO(EEXIST, t_map_fixed(f.fd, f.ioas, buffer, 3 * PAGE, b + 15 * PAGE));
	/* Bad input: nothing mapped. */
	T_ERRNO(EINVAL, t_map(f.fd, f.ioas, buffer, PAGE, NULL, IOMMU_IOAS_MAP_FIXED_IOVA));
	T_ERRNO(EOPNOTSUPP, t_map(f.fd, f.ioas, buffer, PAGE, NULL, T_RW | 8));
	T_ERRNO(EINVAL, t_map_fixed(f.fd, f.ioas, buffer, 0, b));
	T_ERRNO(EOVERFLOW, t_map_fixed(f.fd, f.ioas, buffer, UINT64_MAX, b));
	T_ERRNO(EOVERFLOW, t_map_fixed(f.fd, f.ioas, (void *)(uintptr_t)-PAGE, 2 * PAGE, b));
	T_ERRNO(ENOENT, t_map_fixed(f.fd, 77, buffer, PAGE, b));
	T_ERRNO(EINVAL, t_unmap(f.fd, f.ioas, b, 0, NULL));
	T_ERRNO(EOVERFLOW, t_unmap(f.fd, f.ioas, UINT64_MAX - PAGE, 2 * PAGE, NULL));
	if (domain)
		T_ERRNO(EINVAL, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b + 1));
	{
		uint64_t len;

		T_EQ(0, t_unmap(f.fd, f.ioas, 0, UINT64_MAX, &len));
		T_EQ(2 * PAGE, len);
		T_EQ(0, t_unmap(f.fd, f.ioas, 0, UINT64_MAX, &len));
		T_EQ(0, len);
	}
	teardown(&f);
}

static void test_unmap_fully_contained(bool domain)
{
	struct fixture f;
	uint64_t b, len;

	setup(&f, domain);
	b = f.base + 4 * PAGE;
	for (int i = 0; i != 4; i++)
		T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 8 * PAGE, b + i * 16 * PAGE));
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, b - 4 * PAGE, 8 * PAGE, NULL));
	T_ERRNO(ENOENT,
		t_unmap(f.fd, f.ioas, b + 3 * 16 * PAGE + 8 * PAGE - 4 * PAGE, 8 * PAGE, NULL));
	T_EQ(0, t_unmap(f.fd, f.ioas, b - 4 * PAGE, 64 * PAGE, &len));
	T_EQ(32 * PAGE, len);

	/* As in the kernel, areas wholly inside are removed before one sticking out stops it. */
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 2 * PAGE, b + PAGE));
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, b, 2 * PAGE, NULL));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, b)); /* first one is gone */
	teardown(&f);
}

static void test_area_auto_iova(bool domain)
{
	struct iommu_iova_range ranges[1] = {};
	struct iommu_ioas_allow_iovas allow = { .size = sizeof(allow) };
	uint64_t iovas[10] = { 0 };
	struct fixture f;

	setup(&f, domain);
	allow.ioas_id = f.ioas;
	for (int i = 0; i != 10; i++) {
		size_t length = PAGE * (i + 1);

		T_EQ(0, t_map(f.fd, f.ioas, buffer, length, &iovas[i], T_RW));
		T_EQ(0, iovas[i] % (1UL << (__builtin_ffsl(length) - 1)));
		T_CHECK(iovas[i] != 0);
	}
	for (int i = 0; i != 10; i++)
		T_EQ(0, t_unmap(f.fd, f.ioas, iovas[i], PAGE * (i + 1), NULL));

	/* Avoid reserved IOVA. */
	T_EQ(0, sim_iopt_reserve_iova(t_iopt(f.fd, f.ioas), 4 * PAGE, 104 * PAGE - 1, NULL));
	for (int i = 0; i != 10; i++) {
		T_EQ(0, t_map(f.fd, f.ioas, buffer, PAGE * (i + 1), &iovas[i], T_RW));
		T_CHECK(iovas[i] + PAGE * (i + 1) <= 4 * PAGE || iovas[i] >= 104 * PAGE);
	}
	/* Allowed range intersecting the reserved one. */
	ranges[0].start = PAGE;
	ranges[0].last = 200 * PAGE - 1;
	allow.num_iovas = 1;
	allow.allowed_iovas = (uintptr_t)ranges;
	T_ERRNO(EADDRINUSE, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	for (int i = 0; i != 10; i++)
		T_EQ(0, t_unmap(f.fd, f.ioas, iovas[i], PAGE * (i + 1), NULL));

	/* Allocate from an allowed region. */
	ranges[0].start = 200 * PAGE;
	ranges[0].last = 600 * PAGE - 1;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	for (int i = 0; i != 10; i++) {
		T_EQ(0, t_map(f.fd, f.ioas, buffer, PAGE * (i + 1), &iovas[i], T_RW));
		T_CHECK(iovas[i] >= 200 * PAGE && iovas[i] + PAGE * (i + 1) <= 600 * PAGE);
	}
	/* Fixed IOVA ignores the allowed list. */
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, 1000 * PAGE));
	teardown(&f);
}

static void test_reserved_overflow(void)
{
	struct fixture f;
	uint64_t iova = 0;

	setup(&f, false);
	T_EQ(0,
	     sim_iopt_reserve_iova(t_iopt(f.fd, f.ioas), 6, 6 + 0xffffffffffff8001ULL - 1, NULL));
	/*
	 * The selftest's buffer is 2 MiB aligned, so the IOVA alignment is 0x8000 and the
	 * 0x6ff9-byte hole left at the top cannot hold an aligned 0x5000. Nothing is pinned
	 * without a domain, so any aligned VA does.
	 */
	T_ERRNO(ENOSPC, t_map(f.fd, f.ioas, (void *)(1UL << 30), 0x5000, &iova, T_RW));
	/* A page-aligned VA asks only 4 KiB alignment: it fits at the top. */
	T_EQ(0, t_map(f.fd, f.ioas, (void *)((1UL << 30) + PAGE), 0x5000, &iova, T_RW));
	T_EQ(0xffffffffffff9000ULL, iova);
	teardown(&f);
}

static void test_area_allowed(void)
{
	struct iommu_iova_range ranges[2] = {};
	struct iommu_ioas_allow_iovas allow = { .size = sizeof(allow) };
	struct fixture f;
	struct sim_iopt *iopt;

	setup(&f, false);
	iopt = t_iopt(f.fd, f.ioas);
	allow.ioas_id = f.ioas;
	allow.allowed_iovas = (uintptr_t)ranges;
	ranges[0].start = 16 * PAGE;
	ranges[0].last = 32 * PAGE - 1;
	allow.num_iovas = 1;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	/* Reserved intersecting an allowed range. */
	T_EQ(-EADDRINUSE, sim_iopt_reserve_iova(iopt, 16 * PAGE, 17 * PAGE - 1, NULL));
	allow.num_iovas = 0;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	T_EQ(0, sim_iopt_reserve_iova(iopt, 16 * PAGE, 17 * PAGE - 1, NULL));
	allow.num_iovas = 1;
	T_ERRNO(EADDRINUSE, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	/* Bad lists: start >= last, overlapping entries, reserved field, bad pointer. */
	ranges[0] = (struct iommu_iova_range){ 40 * PAGE, 40 * PAGE };
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	ranges[0] = (struct iommu_iova_range){ 40 * PAGE, 50 * PAGE };
	ranges[1] = (struct iommu_iova_range){ 45 * PAGE, 60 * PAGE };
	allow.num_iovas = 2;
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	allow.__reserved = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	allow.__reserved = 0;
	allow.allowed_iovas = 0;
	T_ERRNO(EFAULT, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	teardown(&f);
}

/*
 * The kernel reads allowed ranges one at a time: a count far beyond the caller's buffer is
 * EFAULT at the first unreadable entry (found by fuzzing: sim once allocated num_iovas
 * entries up front, 96 GiB for this call), and an overlap before it is EINVAL. Many valid
 * ranges are accepted in any order.
 */
static void test_allow_iovas_long(void)
{
	struct iommu_ioas_allow_iovas allow = { .size = sizeof(allow) };
	struct iommu_iova_range *r;
	struct fixture f;
	uint8_t *pages;
	unsigned int n = 2 * PAGE / sizeof(*r) - 1, i;

	setup(&f, false);
	/* Two readable pages of ranges, then a PROT_NONE page. */
	pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(pages != MAP_FAILED);
	mprotect(pages + 2 * PAGE, PAGE, PROT_NONE);
	/* Placed so that the last readable entry ends exactly at the PROT_NONE page. */
	r = (struct iommu_iova_range *)(pages + 2 * PAGE) - n;
	for (i = 0; i < n; i++) /* descending order: sim must not need sorted input */
		r[i] = (struct iommu_iova_range){ (uint64_t)(n - i) << 24,
						  ((uint64_t)(n - i) << 24) + PAGE - 1 };
	allow.ioas_id = f.ioas;
	allow.allowed_iovas = (uintptr_t)r;
	allow.num_iovas = n;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	allow.num_iovas = UINT32_MAX;
	T_ERRNO(EFAULT, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	r[n - 1] = r[0]; /* an overlap before the unreadable entry wins */
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	munmap(pages, 3 * PAGE);
	teardown(&f);
}

static void test_copy_area(bool domain)
{
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE,
		.length = PAGE,
	};
	struct fixture f;
	uint32_t ioas2;

	setup(&f, domain);
	copy.dst_ioas_id = f.ioas;
	copy.src_ioas_id = f.ioas;
	copy.src_iova = f.base;
	copy.dst_iova = f.base + 10 * PAGE;
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 4 * PAGE, f.base));
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	/* Copy into a new IOAS at dst 0, then translate both to the same VA. */
	ioas2 = t_ioas_alloc(f.fd);
	copy.dst_ioas_id = ioas2;
	copy.dst_iova = 0;
	copy.src_iova = f.base + 2 * PAGE;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	{
		uintptr_t va = 0;
		uint64_t len = 0;

		T_EQ(0, sim_iopt_translate(t_iopt(f.fd, ioas2), 16, true, &va, &len));
		T_EQ((uintptr_t)buffer + 2 * PAGE + 16, va);
		T_EQ(PAGE - 16, len);
	}
	/* sub-range of one area ok; across a hole ENOENT (copy_sweep). */
	copy.dst_iova = 5 * PAGE;
	copy.src_iova = f.base + PAGE;
	copy.length = 2 * PAGE;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	copy.dst_iova = 20 * PAGE;
	copy.src_iova = f.base + 3 * PAGE;
	T_ERRNO(ENOENT, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	copy.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	/* Write through a read-only source is refused. */
	{
		uint64_t ro_iova = 40 * PAGE;

		T_EQ(0, t_map(f.fd, f.ioas, buffer, PAGE, &ro_iova,
			      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE));
		copy.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE;
		copy.src_ioas_id = f.ioas;
		copy.src_iova = ro_iova;
		copy.length = PAGE;
		copy.dst_iova = 30 * PAGE;
		T_ERRNO(EPERM, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
		copy.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;
		T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_COPY, &copy));
	}
	teardown(&f);
}

static void test_iova_ranges(bool domain)
{
	struct iommu_iova_range ranges[5];
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd) };
	struct fixture f;

	setup(&f, domain);
	cmd.ioas_id = f.ioas;
	cmd.num_iovas = 5;
	cmd.allowed_iovas = (uintptr_t)ranges;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	if (!domain) {
		T_EQ(1, cmd.num_iovas);
		T_EQ(0, ranges[0].start);
		T_EQ(UINT64_MAX, ranges[0].last);
		T_EQ(1, cmd.out_iova_alignment);
	} else {
		/* VT-d: aperture 57 bits, the interrupt window reserved, 4 KiB pages. */
		T_EQ(2, cmd.num_iovas);
		T_EQ(0, ranges[0].start);
		T_EQ(0xfedfffffULL, ranges[0].last);
		T_EQ(0xfef00000ULL, ranges[1].start);
		T_EQ((1ULL << 57) - 1, ranges[1].last);
		T_EQ(PAGE, cmd.out_iova_alignment);
	}
	cmd.num_iovas = 0;
	T_ERRNO(EMSGSIZE, svart_sim_ioctl(f.fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	T_EQ(domain ? 2 : 1, cmd.num_iovas);
	/* Reserve [PAGE, 2PAGE-1]: one range more; a short array gets the first ones. */
	T_EQ(0, sim_iopt_reserve_iova(t_iopt(f.fd, f.ioas), PAGE, 2 * PAGE - 1, NULL));
	memset(ranges, 0, sizeof(ranges));
	cmd.num_iovas = 1;
	T_ERRNO(EMSGSIZE, svart_sim_ioctl(f.fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	T_EQ(domain ? 3 : 2, cmd.num_iovas);
	T_EQ(0, ranges[0].start);
	T_EQ(PAGE - 1, ranges[0].last);
	T_EQ(0, ranges[1].start); /* untouched */
	cmd.__reserved = 1;
	T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(f.fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	teardown(&f);
}

static void test_huge_pages_option(void)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 3,
	};
	struct fixture f;

	setup(&f, false);
	cmd.object_id = f.ioas;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	T_EQ(1, cmd.val64);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 0;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	cmd.val64 = 3;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	T_EQ(0, cmd.val64);
	/* Page alignment now applies to a software table too. */
	T_ERRNO(EINVAL, t_map_fixed(f.fd, f.ioas, buffer, PAGE - 1, f.base));
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 2;
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	cmd.val64 = 1;
	T_EQ(0, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	/* Disabling while an unaligned area exists: EADDRINUSE. */
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 3, f.base));
	cmd.val64 = 0;
	T_ERRNO(EADDRINUSE, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	teardown(&f);

	/* With a domain and areas: EINVAL. */
	setup(&f, true);
	cmd.object_id = f.ioas;
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, f.base));
	T_ERRNO(EINVAL, svart_sim_ioctl(f.fd, IOMMU_OPTION, &cmd));
	teardown(&f);
}

static void test_iova_alloc(bool domain)
{
	struct fixture f;

	setup(&f, domain);
	for (size_t length = 1; length != PAGE * 2; length++) {
		uint64_t iova = 0;

		if (domain && (length % PAGE)) {
			T_ERRNO(EINVAL, t_map(f.fd, f.ioas, buffer, length, &iova, T_RW));
			continue;
		}
		if (t_map(f.fd, f.ioas, buffer, length, &iova, T_RW)) {
			T_CHECK(0);
			break;
		}
		T_CHECK(iova != 0);
		T_EQ(0, t_unmap(f.fd, f.ioas, iova, length, NULL));
	}
	teardown(&f);
}

static void test_pin(void)
{
	uint8_t *half = t_buffer(4 * PAGE);
	uint8_t *ro = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct fixture f;
	uint32_t pt;

	munmap(half + 2 * PAGE, 2 * PAGE);
	/* Without a domain nothing is pinned: the maps succeed. */
	setup(&f, false);
	T_EQ(0, t_map_fixed(f.fd, f.ioas, half, 4 * PAGE, f.base));
	{
		int idx, vfd;
		struct sim_pdev *pdev = t_pdev("0000:6a:02.0", 0, &idx);

		vfd = t_vfio_open(idx);
		t_vfio_bind(vfd, f.fd);
		pt = f.ioas;
		/* Attaching pins: the unmapped half faults, and nothing is attached. */
		T_ERRNO(EFAULT, t_vfio_attach(vfd, &pt, false, 0));
		/* The automatic HWPT (it would have been ID 3) was aborted. */
		T_ERRNO(ENOENT, t_destroy(f.fd, f.ioas + 2));
		T_EQ(0, t_unmap(f.fd, f.ioas, 0, UINT64_MAX, NULL));
		pt = f.ioas;
		T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
		/* With a domain: EFAULT for unmapped VA, EFAULT for writing read-only VA. */
		T_ERRNO(EFAULT, t_map_fixed(f.fd, f.ioas, half, 4 * PAGE, f.base));
		T_ERRNO(EFAULT, t_map_fixed(f.fd, f.ioas, ro, PAGE, f.base));
		{
			uint64_t iova = f.base;

			T_EQ(0, t_map(f.fd, f.ioas, ro, PAGE, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE));
		}
		/* Mapped and translatable; read-only area refuses writes. */
		{
			uintptr_t va;
			uint64_t len;

			T_EQ(0, sim_iopt_translate(t_iopt(f.fd, f.ioas), f.base + 5, false, &va,
						   &len));
			T_EQ((uintptr_t)ro + 5, va);
			T_EQ(-EACCES,
			     sim_iopt_translate(t_iopt(f.fd, f.ioas), f.base, true, &va, &len));
			T_EQ(-ENOENT, sim_iopt_translate(t_iopt(f.fd, f.ioas), f.base + PAGE, false,
							 &va, &len));
		}
		/* IOAS with a HWPT cannot go; the HWPT cannot go while attached. */
		T_ERRNO(EBUSY, t_destroy(f.fd, f.ioas));
		T_ERRNO(EBUSY, t_destroy(f.fd, pt));
		T_EQ(0, svart_sim_close(vfd));
		/* Closing the cdev detached and freed the automatic HWPT. */
		T_ERRNO(ENOENT, t_destroy(f.fd, pt));
		sim_pdev_destroy(pdev);
	}
	T_EQ(0, t_destroy(f.fd, f.ioas)); /* mappings alone do not block */
	teardown(&f);
	munmap(half, 2 * PAGE);
	munmap(ro, 2 * PAGE);
}

struct unmap_log {
	int calls;
	uint64_t iova, length;
};

static void log_unmap(void *data, struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	struct unmap_log *log = data;

	log->calls++;
	log->iova = iova;
	log->length = length;
}

static void test_notifier(void)
{
	struct unmap_log log = {};
	struct sim_iommu_notifier n = { .iopt_unmap = log_unmap, .data = &log };
	struct fixture f;

	setup(&f, false);
	sim_iommu_notifier_register(&n);
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, 2 * PAGE, f.base));
	T_EQ(0, t_map_fixed(f.fd, f.ioas, buffer, PAGE, f.base + 4 * PAGE));
	T_EQ(0, t_unmap(f.fd, f.ioas, f.base, 2 * PAGE, NULL));
	T_EQ(1, log.calls);
	T_EQ(f.base, log.iova);
	T_EQ(2 * PAGE, log.length);
	T_ERRNO(ENOENT, t_unmap(f.fd, f.ioas, f.base, 2 * PAGE, NULL));
	T_EQ(1, log.calls);
	sim_iommu_notifier_unregister(&n);
	T_EQ(0, t_unmap(f.fd, f.ioas, 0, UINT64_MAX, NULL));
	T_EQ(1, log.calls);
	teardown(&f);
}

int main(void)
{
	uint8_t *raw;

	/* 2 MiB aligned, like the selftest's buffer: auto IOVA keeps the VA's alignment. */
	raw = t_buffer(BUFSZ + (2UL << 20));
	buffer = (uint8_t *)(((uintptr_t)raw + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	memset(buffer, 0, BUFSZ);
	for (int d = 0; d < 2; d++) {
		test_area(d);
		test_unmap_fully_contained(d);
		test_area_auto_iova(d);
		test_copy_area(d);
		test_iova_ranges(d);
		test_iova_alloc(d);
	}
	test_reserved_overflow();
	test_area_allowed();
	test_allow_iovas_long();
	test_huge_pages_option();
	test_pin();
	test_notifier();
	munmap(raw, BUFSZ + (2UL << 20));
	return t_done("sim_iommufd_ioas");
}
