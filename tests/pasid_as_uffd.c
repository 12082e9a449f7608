// SPDX-License-Identifier: MIT
/*
 * Coherency of a bound address space with the process (pasid/pasid_as + pasid_uffd): munmap,
 * madvise(MADV_DONTNEED), mremap and MAP_FIXED replacement remove the device's mappings of the
 * range (first-stage entries gone, IOVAs unmapped from the IOAS) through userfaultfd events;
 * mprotect has no event and needs pasid_as_invalidate(); without userfaultfd every change
 * does. Two bindings watching the same memory are both told. userfaultfd also works for a
 * process without privilege (UFFD_USER_MODE_ONLY).
 *
 * The uffd-specific assertions are skipped, with the reason printed, where userfaultfd is not
 * available to this process; the explicit path is checked everywhere.
 */
#include <sys/utsname.h>
#include <sys/wait.h>

#include "pasid/pasid_uffd.h"
#include "pasid_as_util.h"

#define PASID 0x77u

static struct t_dev dev;

/* Events are handled on the monitor's worker thread: wait (bounded, 10 s) for the result. */
static bool wait_windows(struct pasid_as *as, uint64_t n)
{
	for (int i = 0; i < 10000; i++) {
		if (t_info(as).windows == n)
			return true;
		usleep(1000);
	}
	return false;
}

/* The device's view of a whole range after it went: every page faults, no IOVA is mapped. */
static void check_gone(const uint8_t *va, size_t len, uint64_t iova)
{
	for (size_t off = 0; off < len; off += T_PAGE)
		T_CHECK(t_faults(dev.pdev, PASID, va + off, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	if (iova)
		T_CHECK(!t_iova_mapped(dev.pdev, PASID, iova));
}

static void test_munmap(struct pasid_as *as)
{
	uint8_t *buf = t_map_aligned(4 * T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint64_t iova[4], events;

	T_EQ(pasid_as_prefault(as, buf, 4 * T_2M, PROT_READ | PROT_WRITE), 0);
	T_EQ(t_info(as).windows, 4);
	for (int i = 0; i < 4; i++)
		iova[i] = t_iova_of(dev.pdev, PASID, buf + i * T_2M);
	events = t_info(as).uffd_events;

	/* A whole window. */
	T_EQ(munmap(buf + 3 * T_2M, T_2M), 0);
	T_CHECK(wait_windows(as, 3));
	T_CHECK(t_info(as).uffd_events > events);
	check_gone(buf + 3 * T_2M, T_2M, iova[3]);
	T_CHECK(t_maps(dev.pdev, PASID, buf, true));

	/* One page inside a window: the window goes, the rest refaults around the hole. */
	T_EQ(munmap(buf + T_2M + 5 * T_PAGE, T_PAGE), 0);
	T_CHECK(wait_windows(as, 2));
	check_gone(buf + T_2M, T_2M, iova[1]);
	T_CHECK(t_maps(dev.pdev, PASID, buf + 2 * T_2M, true));
	T_EQ(t_request(&dev, as, PASID, buf + T_2M + 6 * T_PAGE, IOMMU_PGFAULT_PERM_WRITE, 1),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_CHECK(t_maps(dev.pdev, PASID, buf + T_2M + 6 * T_PAGE, true));
	T_CHECK(t_maps(dev.pdev, PASID, buf + 2 * T_2M - 1, true));
	T_CHECK(t_faults(dev.pdev, PASID, buf + T_2M + 5 * T_PAGE, false,
			 SIM_VTD_S1_FAULT_NOT_PRESENT));
	T_EQ(t_request(&dev, as, PASID, buf + T_2M + 5 * T_PAGE, IOMMU_PGFAULT_PERM_READ, 2),
	     IOMMUFD_PAGE_RESP_INVALID);

	/* MAP_FIXED over a bound range replaces it: reported as an unmap. */
	T_CHECK(mmap(buf, T_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		     0) == buf);
	T_CHECK(wait_windows(as, 2)); /* [buf+2M+6p .. 2M) and the third chunk remain */
	check_gone(buf, T_2M, iova[0]);

	munmap(buf, 4 * T_2M);
	T_CHECK(wait_windows(as, 0));
	T_EQ(t_info(as).table_pages, 1);
}

static void test_dontneed(struct pasid_as *as)
{
	uint8_t *buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint64_t iova;

	memset(buf, 0xab, T_2M);
	T_EQ(pasid_as_prefault(as, buf, T_2M, PROT_READ | PROT_WRITE), 0);
	iova = t_iova_of(dev.pdev, PASID, buf);
	T_EQ(madvise(buf + 8 * T_PAGE, 2 * T_PAGE, MADV_DONTNEED), 0);
	T_CHECK(wait_windows(as, 0));
	check_gone(buf, T_2M, iova);
	/* The process sees zeroes there now, and so does the device once it refaults. */
	T_EQ(buf[8 * T_PAGE], 0);
	T_EQ(t_request(&dev, as, PASID, buf + 8 * T_PAGE, IOMMU_PGFAULT_PERM_READ, 3),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	{
		uintptr_t host;

		T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)buf + 8 * T_PAGE, 0, &host, NULL), 0);
		T_EQ(*(volatile uint8_t *)host, 0);
		T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)buf, 0, &host, NULL), 0);
		T_EQ(*(volatile uint8_t *)host, 0xab);
	}
	munmap(buf, T_2M);
	T_CHECK(wait_windows(as, 0));
}

static void test_mremap(struct pasid_as *as)
{
	uint8_t *src = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint8_t *dst = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint64_t iova_src, iova_dst;

	src[0] = 0x11;
	T_EQ(pasid_as_prefault(as, src, T_2M, PROT_READ | PROT_WRITE), 0);
	T_EQ(pasid_as_prefault(as, dst, T_2M, PROT_READ | PROT_WRITE), 0);
	T_EQ(t_info(as).windows, 2);
	iova_src = t_iova_of(dev.pdev, PASID, src);
	iova_dst = t_iova_of(dev.pdev, PASID, dst);
	/* Move src onto dst: src's range goes (REMAP), dst's is replaced (UNMAP). */
	T_CHECK(mremap(src, T_2M, T_2M, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == dst);
	T_CHECK(wait_windows(as, 0));
	check_gone(src, T_2M, iova_src);
	check_gone(dst, T_2M, iova_dst);
	/* The moved memory is found at its new address on the next request. */
	T_EQ(t_request(&dev, as, PASID, dst, IOMMU_PGFAULT_PERM_READ, 4),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	{
		uintptr_t host;

		T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)dst, 0, &host, NULL), 0);
		T_EQ(*(volatile uint8_t *)host, 0x11);
	}
	munmap(dst, T_2M);
	T_CHECK(wait_windows(as, 0));
}

/* mprotect has no userfaultfd event: the explicit call is the only way. */
static void test_mprotect(struct pasid_as *as)
{
	uint8_t *buf =
		mmap(NULL, 4 * T_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_EQ(pasid_as_prefault(as, buf, 4 * T_PAGE, PROT_READ | PROT_WRITE), 0);
	T_EQ(mprotect(buf, 4 * T_PAGE, PROT_READ), 0);
	T_EQ(t_info(as).windows, 1);
	T_EQ(pasid_as_invalidate(as, buf, 4 * T_PAGE), 1);
	T_CHECK(t_faults(dev.pdev, PASID, buf, true, SIM_VTD_S1_FAULT_NOT_PRESENT));
	T_EQ(t_request(&dev, as, PASID, buf, IOMMU_PGFAULT_PERM_WRITE, 5),
	     IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(t_request(&dev, as, PASID, buf, IOMMU_PGFAULT_PERM_READ, 6),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_CHECK(t_faults(dev.pdev, PASID, buf, true, SIM_VTD_S1_FAULT_WRITE));
	munmap(buf, 4 * T_PAGE);
	pasid_as_invalidate(as, buf, 4 * T_PAGE);
	T_EQ(t_info(as).windows, 0);
}

/* Without userfaultfd, a munmap leaves the binding stale until the explicit call. */
static void test_explicit(void)
{
	struct pasid_as_opts opts = { .size = sizeof(opts), .flags = PASID_AS_NO_UFFD };
	struct pasid_as *as;
	uint8_t *buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint64_t iova;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), 0);
	T_CHECK(!t_info(as).uffd);
	T_EQ(pasid_as_prefault(as, buf, T_2M, PROT_READ | PROT_WRITE), 0);
	iova = t_iova_of(dev.pdev, PASID, buf);
	T_EQ(munmap(buf, T_2M), 0);
	/* The window the program must close: the device still translates the old range. */
	T_EQ(t_info(as).windows, 1);
	T_EQ(t_iova_of(dev.pdev, PASID, buf), iova);
	T_EQ(pasid_as_invalidate(as, buf, T_2M), 1);
	check_gone(buf, T_2M, iova);
	T_EQ(t_info(as).uffd_events, 0);
	pasid_as_unbind(as);
}

/* Two bindings (two PASIDs) over the same memory: one event, both invalidated. */
static void test_two_bindings(void)
{
	struct pasid_as *a, *b;
	uint8_t *buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &a), 0);
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID + 1, NULL, &b), 0);
	T_EQ(pasid_as_prefault(a, buf, T_2M, PROT_READ), 0);
	T_EQ(pasid_as_prefault(b, buf, T_2M, PROT_READ | PROT_WRITE), 0);
	T_CHECK(t_maps(dev.pdev, PASID, buf, false));
	T_CHECK(t_maps(dev.pdev, PASID + 1, buf, true));
	T_EQ(munmap(buf, T_2M), 0);
	T_CHECK(wait_windows(a, 0));
	T_CHECK(wait_windows(b, 0));
	T_CHECK(t_faults(dev.pdev, PASID + 1, buf, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	pasid_as_unbind(a);
	/* b keeps being told after a leaves. */
	buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	T_EQ(pasid_as_prefault(b, buf, T_2M, PROT_READ), 0);
	T_EQ(munmap(buf, T_2M), 0);
	T_CHECK(wait_windows(b, 0));
	pasid_as_unbind(b);
}

static void gone_count(void *arg, uint64_t start, uint64_t len)
{
	__atomic_fetch_add((int *)arg, 1, __ATOMIC_RELAXED);
}

/*
 * The monitor as an unprivileged process (vm.unprivileged_userfaultfd is usually 0): in a
 * child that dropped root, before anything in this process subscribed (the monitor is
 * per-process state a child must not inherit live).
 */
static void test_unprivileged(void)
{
	struct utsname u;
	int major = 0, minor = 0, status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		printf("already unprivileged: the main run covers it\n");
		return;
	}
	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	pid = fork();
	if (pid == 0) {
		struct pasid_uffd_sub sub = { .gone = gone_count };
		int count = 0, rc;
		uint8_t *p;

		sub.arg = &count;
		if (setgid(65534) || setuid(65534))
			_exit(10);
		rc = pasid_uffd_subscribe(&sub);
		if (rc)
			_exit(rc == -EPERM ? 11 : 12);
		p = mmap(NULL, 4 * T_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
		if (pasid_uffd_register((uintptr_t)p, 4 * T_PAGE))
			_exit(13);
		p[0] = 1; /* write faults are the process's own: not write-protected */
		munmap(p, 4 * T_PAGE);
		for (int i = 0; i < 10000 && !__atomic_load_n(&count, __ATOMIC_RELAXED); i++)
			usleep(1000);
		pasid_uffd_unsubscribe(&sub);
		_exit(count >= 1 ? 0 : 14);
	}
	T_CHECK(pid > 0);
	waitpid(pid, &status, 0);
	T_CHECK(WIFEXITED(status));
	/* UFFD_USER_MODE_ONLY (Linux 5.11) makes it work without privilege. */
	if (major > 5 || (major == 5 && minor >= 11))
		T_EQ(WEXITSTATUS(status), 0);
	else
		T_CHECK(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 11);
}

int main(void)
{
	struct pasid_as *as;

	test_unprivileged();
	if (t_dev_open(&dev, "0000:6a:01.0", 20)) {
		T_CHECK(!"sim device");
		return t_done("pasid_as_uffd");
	}
	test_explicit();
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), 0);
	test_mprotect(as);
	if (t_info(as).uffd) {
		test_munmap(as);
		test_dontneed(as);
		test_mremap(as);
		T_EQ(t_info(as).unwatched, 0);
		pasid_as_unbind(as);
		test_two_bindings();
	} else {
		printf("SKIP (part): userfaultfd is not available to this process (%s); the "
		       "uffd-driven invalidation checks did not run\n",
		       geteuid() ? "unprivileged, kernel without UFFD_USER_MODE_ONLY?" :
				   "kernel without the events?");
		pasid_as_unbind(as);
	}
	t_dev_close(&dev);
	return t_done("pasid_as_uffd");
}
