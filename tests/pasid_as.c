// SPDX-License-Identifier: MIT
/*
 * Binding a process address space to a device PASID (pasid/pasid_as) against sim: what bind
 * builds (checked from the device side: the HWPT attached at the PASID, its VT-d S1 data, a
 * walk of the table through the parent IOAS), prefault, page requests (success, INVALID for
 * unmapped / wrong access / supervisor, groups), explicit invalidation in the required order,
 * 4- and 5-level tables, the service thread, and unbind leaving no object behind.
 *
 * Reference values: the VT-d S1 format (a 2 MiB leaf where VA and IOVA are 2 MiB aligned), the
 * kernel's errnos, and the identity that in sim an IOVA leads back to the VA that was mapped.
 */
#include <pthread.h>

#include "pasid_as_util.h"

#define PASID 0x55u

static struct t_dev dev;

static void test_bind_args(void)
{
	struct pasid_as_opts opts = { .size = sizeof(opts) };
	struct {
		struct pasid_as_opts o;
		uint32_t extra;
	} big = { .o = { .size = sizeof(big) } };
	struct t_dev plain;
	struct pasid_as *as = (struct pasid_as *)1;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, 0, NULL, &as), -EINVAL);
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, 1u << 20, NULL, &as), -EINVAL);
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, NULL), -EINVAL);
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, 999, PASID, NULL, &as), -ENOENT); /* GET_HW_INFO */
	opts.addr_width = 50;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	opts.addr_width = 0;
	opts.window_shift = 22;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	opts.window_shift = 11;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	opts.window_shift = 0;
	opts.flags = 1u << 7;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	opts.flags = 0;
	opts.max_table_pages = 1u << 20;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	opts.max_table_pages = 0;
	opts.size = 8; /* ends before addr_width */
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), -EINVAL);
	big.extra = 1;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &big.o, &as), -E2BIG);
	T_CHECK(as == (struct pasid_as *)1); /* untouched on failure */
	/* A larger struct with a zero tail is fine. */
	big.extra = 0;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &big.o, &as), 0);
	pasid_as_unbind(as);
	/* A device without PASIDs. */
	T_EQ(t_dev_open(&plain, "0000:6b:01.0", 0), 0);
	T_EQ(pasid_as_bind(plain.ifd, plain.vfd, plain.dev_id, 1, NULL, &as), -EOPNOTSUPP);
	t_dev_close(&plain);
	/* The RID on a HWPT without the PASID flag: the kernel's EINVAL, nothing left behind. */
	{
		uint32_t ioas, hwpt, pt;
		struct pasid_as_info info;

		T_EQ(pasid_ioas_alloc(dev.ifd, &ioas), 0);
		T_EQ(pasid_hwpt_alloc_paging(dev.ifd, dev.dev_id, ioas, 0, &hwpt), 0);
		pt = hwpt;
		T_EQ(pasid_device_attach(dev.vfd, false, 0, &pt), 0);
		T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), -EINVAL);
		T_EQ(pasid_device_detach(dev.vfd, false, 0), 0);
		T_EQ(pasid_destroy(dev.ifd, hwpt), 0);
		/* The failed bind's objects took the IDs above and gave them back. */
		for (uint32_t id = hwpt + 1; id < hwpt + 8; id++)
			T_EQ(pasid_destroy(dev.ifd, id), -ENOENT);
		T_EQ(pasid_destroy(dev.ifd, ioas), 0);
		/* And the next bind works. */
		T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), 0);
		pasid_as_info(as, &info);
		T_CHECK(info.ioas_id != 0);
		pasid_as_unbind(as);
	}
}

/* What bind builds, seen from the device; unbind leaves nothing. */
static void test_bind_objects(void)
{
	struct pasid_as_opts opts = { .size = sizeof(opts), .addr_width = 48 };
	struct sim_hwpt_vtd_s1_data s1;
	struct pasid_as_info info;
	struct pasid_as *as;
	struct sim_hwpt *h;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), 0);
	info = t_info(as);
	/* sim's VT-d has FL5LP: the default is 5-level. */
	T_EQ(info.addr_width, 57);
	T_CHECK(info.ioas_id && info.parent_id && info.nested_id && info.fault_id);
	T_EQ(info.windows, 0);
	T_EQ(info.table_pages, 1); /* the root */
	T_CHECK(pasid_as_fault_fd(as) >= 0);
	h = sim_pdev_get_hwpt(dev.pdev, PASID);
	T_CHECK(h != NULL);
	if (h) {
		T_EQ(sim_hwpt_kind(h), SIM_HWPT_NESTED);
		T_EQ(h->obj.id, info.nested_id);
		T_CHECK(sim_hwpt_has_fault(h));
		T_EQ(sim_hwpt_vtd_s1(h, &s1), 0);
		T_EQ(s1.pgtbl_addr, info.root_iova);
		T_EQ(s1.addr_width, 57);
		T_EQ(s1.flags, 0); /* SRE off */
		T_EQ(sim_hwpt_parent(h)->obj.id, info.parent_id);
		/* The root table is in the IOAS at its IOVA. */
		{
			uintptr_t host;
			uint64_t contig;

			T_EQ(sim_iopt_translate(sim_hwpt_iopt(h), info.root_iova, true, &host,
						&contig),
			     0);
		}
		sim_hwpt_put_shortterm(h);
	}
	/* The RID was left alone. */
	T_CHECK(sim_pdev_get_hwpt(dev.pdev, 0) == NULL);
	pasid_as_unbind(as);
	T_CHECK(sim_pdev_get_hwpt(dev.pdev, PASID) == NULL);
	/* Every object is gone: DESTROY of each ID is ENOENT. */
	T_EQ(pasid_destroy(dev.ifd, info.nested_id), -ENOENT);
	T_EQ(pasid_destroy(dev.ifd, info.parent_id), -ENOENT);
	T_EQ(pasid_destroy(dev.ifd, info.fault_id), -ENOENT);
	T_EQ(pasid_destroy(dev.ifd, info.ioas_id), -ENOENT);

	/* 4-level on request; no fault queue on request. */
	opts.flags = PASID_AS_NO_FAULT;
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), 0);
	info = t_info(as);
	T_EQ(info.addr_width, 48);
	T_EQ(info.fault_id, 0);
	T_EQ(pasid_as_fault_fd(as), -EOPNOTSUPP);
	T_EQ(pasid_as_service(as, 0), -EOPNOTSUPP);
	T_EQ(pasid_as_start_service_thread(as), -EOPNOTSUPP);
	{
		/* The IOMMU itself answers INVALID: the HWPT has no fault queue. */
		int before = atomic_load(&t_resp.n);

		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, 0x10000, IOMMU_PGFAULT_PERM_READ, 1,
					true));
		T_EQ(atomic_load(&t_resp.n), before + 1);
		T_EQ(t_last_code(), IOMMUFD_PAGE_RESP_INVALID);
	}
	pasid_as_unbind(as);
}

static void test_prefault(unsigned int aw)
{
	struct pasid_as_opts opts = { .size = sizeof(opts), .addr_width = aw };
	struct sim_vtd_s1_result res;
	struct pasid_as_info info;
	struct pasid_as *as;
	uintptr_t host;
	uint8_t *buf, *ro, *guard;
	uint64_t iova0;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), 0);
	/* 4 MiB, 2 MiB aligned, never touched: two whole windows, 2 MiB leaves. */
	buf = t_map_aligned(2 * T_2M, T_2M, PROT_READ | PROT_WRITE);
	T_CHECK(buf != NULL);
	T_EQ(pasid_as_prefault(as, buf, 2 * T_2M, PROT_READ | PROT_WRITE), 0);
	info = t_info(as);
	T_EQ(info.windows, 2);
	T_EQ(info.mapped_bytes, 2 * T_2M);
	for (size_t off = 0; off < 2 * T_2M; off += 511 * T_PAGE + 8) {
		T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)buf + off, SIM_VTD_S1_ACC_WRITE, &host,
			    &res),
		     0);
		T_EQ(host, (uintptr_t)buf + off);
		T_EQ(res.page_size, T_2M);
		T_EQ(res.levels, aw == 57 ? 5 : 4);
		T_EQ(res.prot & (SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_W | SIM_VTD_S1_PROT_U),
		     SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_W | SIM_VTD_S1_PROT_U);
		/* Not executable: the mapping is not. */
		T_EQ(res.leaf >> 63, 1);
	}
	/* The device writes, the process reads (same memory in sim). */
	T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)buf + 12345, SIM_VTD_S1_ACC_WRITE, &host, NULL), 0);
	*(volatile uint8_t *)host = 0x5a;
	T_EQ(buf[12345], 0x5a);
	/* The walker's A/D updates land in table memory: it is mapped writable in the IOAS. */
	T_EQ(t_walk(dev.pdev, PASID, (uintptr_t)buf, SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_SET_AD,
		    &host, &res),
	     0);
	T_EQ(res.fault, SIM_VTD_S1_FAULT_NONE);
	/* Prefault again: nothing new. */
	T_EQ(pasid_as_prefault(as, buf + 100, 3 * T_PAGE, PROT_READ), 0);
	T_EQ(t_info(as).windows, 2);

	/* Read-only memory between two guards: windows cut to the mapping, 4 KiB leaves. */
	guard = mmap(NULL, 8 * T_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(guard + 2 * T_PAGE, 4 * T_PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	T_CHECK(ro == guard + 2 * T_PAGE);
	T_EQ(pasid_as_prefault(as, ro, 4 * T_PAGE, PROT_WRITE), -EFAULT);
	T_EQ(pasid_as_prefault(as, ro - T_PAGE, 2 * T_PAGE, PROT_READ), -EFAULT); /* guard */
	T_EQ(t_info(as).windows, 2); /* nothing mapped by a refused prefault */
	T_EQ(pasid_as_prefault(as, ro + T_PAGE, 10, PROT_READ), 0);
	info = t_info(as);
	T_EQ(info.windows, 3);
	/* The whole mapping (4 pages) is one window: cut to the mapping, not to the request. */
	T_EQ(info.mapped_bytes, 2 * T_2M + 4 * T_PAGE);
	for (int i = 0; i < 4; i++) {
		T_CHECK(t_maps(dev.pdev, PASID, ro + i * T_PAGE, false));
		T_CHECK(t_faults(dev.pdev, PASID, ro + i * T_PAGE, true, SIM_VTD_S1_FAULT_WRITE));
	}
	T_CHECK(t_faults(dev.pdev, PASID, guard + T_PAGE, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	T_CHECK(t_faults(dev.pdev, PASID, guard + 6 * T_PAGE, false, SIM_VTD_S1_FAULT_NOT_PRESENT));

	/* Bad arguments. */
	T_EQ(pasid_as_prefault(as, buf, 0, PROT_READ), -EINVAL);
	T_EQ(pasid_as_prefault(as, buf, T_PAGE, 0), -EINVAL);
	T_EQ(pasid_as_prefault(as, buf, T_PAGE, PROT_EXEC), -EINVAL);
	T_EQ(pasid_as_prefault(as, (void *)(1ULL << (aw - 1)), T_PAGE, PROT_READ), -EINVAL);
	/* The table's own memory is never the device's. */
	{
		struct sim_hwpt *h = sim_pdev_get_hwpt(dev.pdev, PASID);
		uint64_t contig;

		T_EQ(sim_iopt_translate(sim_hwpt_iopt(h), t_info(as).root_iova, false, &host,
					&contig),
		     0);
		sim_hwpt_put_shortterm(h);
		T_EQ(pasid_as_prefault(as, (void *)host, T_PAGE, PROT_READ), -EFAULT);
	}

	/* Invalidate half of one 2 MiB window: the whole window goes, the other stays. */
	iova0 = t_iova_of(dev.pdev, PASID, buf);
	T_CHECK(iova0 != 0);
	T_CHECK((iova0 & (T_2M - 1)) == 0); /* 2 MiB leaf: the IOVA is 2 MiB aligned */
	T_CHECK(t_iova_mapped(dev.pdev, PASID, iova0));
	T_EQ(pasid_as_invalidate(as, buf + T_PAGE, T_PAGE), 1);
	T_CHECK(t_faults(dev.pdev, PASID, buf, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	T_CHECK(t_faults(dev.pdev, PASID, buf + T_2M - 1, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	T_CHECK(t_maps(dev.pdev, PASID, buf + T_2M, true));
	T_CHECK(!t_iova_mapped(dev.pdev, PASID, iova0));
	T_EQ(pasid_as_invalidate(as, buf, T_PAGE), 0); /* nothing there any more */
	T_EQ(pasid_as_invalidate(as, buf, 0), 0);
	/* Everything: table pages go back to the pool once the flush is done (root only). */
	T_EQ(pasid_as_invalidate(as, NULL, SIZE_MAX), 2);
	info = t_info(as);
	T_EQ(info.windows, 0);
	T_EQ(info.mapped_bytes, 0);
	T_EQ(info.table_pages, 1);
	T_CHECK(!t_maps(dev.pdev, PASID, ro, false));

	pasid_as_unbind(as);
	munmap(buf, 2 * T_2M);
	munmap(guard, 8 * T_PAGE);
}

/* Invalidation order, as the sim IOMMU sees it: HWPT_INVALIDATE before IOAS_UNMAP. */
struct order_log {
	int n;
	char what[16];
	uint64_t a[16], b[16];
	bool leaf[16];
};

static void on_unmap(void *data, struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	struct order_log *log = data;

	if (log->n < 16) {
		log->what[log->n] = 'U';
		log->a[log->n] = iova;
		log->b[log->n] = length;
	}
	log->n++;
}

static void on_flush(void *data, struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages, bool leaf)
{
	struct order_log *log = data;

	if (log->n < 16) {
		log->what[log->n] = 'F';
		log->a[log->n] = addr;
		log->b[log->n] = npages;
		log->leaf[log->n] = leaf;
	}
	log->n++;
}

static void test_invalidate_order(void)
{
	struct order_log log = { 0 };
	struct sim_iommu_notifier nb = { .iopt_unmap = on_unmap,
					 .hwpt_flush = on_flush,
					 .data = &log };
	struct pasid_as_opts opts = { .size = sizeof(opts), .window_shift = 12 };
	struct pasid_as *as;
	uint8_t *buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint64_t iova;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, &opts, &as), 0);
	/* 4 KiB windows: three pages, three windows, one leaf table. */
	T_EQ(pasid_as_prefault(as, buf + 5 * T_PAGE, 3 * T_PAGE, PROT_READ | PROT_WRITE), 0);
	T_EQ(t_info(as).windows, 3);
	T_EQ(t_info(as).table_pages, 5); /* root + 4 levels below (5-level table) */
	iova = t_iova_of(dev.pdev, PASID, buf + 6 * T_PAGE);
	sim_iommu_notifier_register(&nb);
	/* The middle page: a leaf-only flush of exactly it, then its IOVA unmapped. */
	T_EQ(pasid_as_invalidate(as, buf + 6 * T_PAGE, 1), 1);
	T_EQ(log.n, 2);
	T_EQ(log.what[0], 'F');
	T_EQ(log.a[0], (uintptr_t)buf + 6 * T_PAGE);
	T_EQ(log.b[0], 1);
	T_CHECK(log.leaf[0]);
	T_EQ(log.what[1], 'U');
	T_EQ(log.a[1], iova);
	T_EQ(log.b[1], T_PAGE);
	T_EQ(t_info(as).table_pages, 5);
	/*
	 * The other two (not adjacent): two flushes, then two unmaps. Page 7 goes second and
	 * empties the leaf table (and the tables above), so its flush is not leaf-only: that is
	 * what drops the paging-structure cache entries pointing at the freed tables.
	 */
	log.n = 0;
	T_EQ(pasid_as_invalidate(as, buf, T_2M), 2);
	T_EQ(log.n, 4);
	T_EQ(log.what[0], 'F');
	T_EQ(log.what[1], 'F');
	T_EQ(log.what[2], 'U');
	T_EQ(log.what[3], 'U');
	for (int i = 0; i < 2; i++) {
		T_EQ(log.b[i], 1);
		if (log.a[i] == (uintptr_t)buf + 5 * T_PAGE)
			T_CHECK(log.leaf[i]);
		else
			T_CHECK(log.a[i] == (uintptr_t)buf + 7 * T_PAGE && !log.leaf[i]);
	}
	/* The 4 tables below the root were held until the flush, then released. */
	T_EQ(t_info(as).table_pages, 1);
	sim_iommu_notifier_unregister(&nb);
	pasid_as_unbind(as);
	munmap(buf, T_2M);
}

static void test_faults(void)
{
	struct pasid_as *as;
	struct pasid_as_info info;
	uint8_t *buf = t_map_aligned(T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint8_t *ro = mmap(NULL, 2 * T_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* A one-page hole between two inaccessible pages: nothing else can be mapped there. */
	uint8_t *hole =
		mmap(NULL, 3 * T_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) + T_PAGE;
	unsigned char vec = 0;
	int before;

	munmap(hole, T_PAGE);
	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), 0);

	/* A read request on an untouched page: populated for the process, SUCCESS, mapped. */
	T_EQ(mincore(buf + 77 * T_PAGE, T_PAGE, &vec), 0);
	T_EQ(vec & 1, 0);
	T_EQ(t_request(&dev, as, PASID, buf + 77 * T_PAGE + 5, IOMMU_PGFAULT_PERM_READ, 3),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_EQ(atomic_load(&t_resp.grpid[(atomic_load(&t_resp.n) - 1) % 64]), 3);
	T_EQ(mincore(buf + 77 * T_PAGE, T_PAGE, &vec), 0);
	T_EQ(vec & 1, 1);
	T_CHECK(t_maps(dev.pdev, PASID, buf + 77 * T_PAGE, false));
	/* The window is the whole 2 MiB chunk, writable (anonymous memory): no second fault. */
	T_CHECK(t_maps(dev.pdev, PASID, buf, true));
	T_CHECK(t_maps(dev.pdev, PASID, buf + T_2M - 1, true));
	info = t_info(as);
	T_EQ(info.windows, 1);
	T_EQ(info.faults, 1);
	T_EQ(info.groups, 1);
	/* A request for a page already mapped (a duplicate): SUCCESS, nothing new. */
	T_EQ(t_request(&dev, as, PASID, buf + 9, IOMMU_PGFAULT_PERM_WRITE, 4),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_EQ(t_info(as).windows, 1);

	/* Unmapped, write to read-only, supervisor: INVALID, nothing mapped. */
	T_EQ(t_request(&dev, as, PASID, hole, IOMMU_PGFAULT_PERM_READ, 5),
	     IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(t_request(&dev, as, PASID, ro, IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE, 6),
	     IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(t_request(&dev, as, PASID, ro, IOMMU_PGFAULT_PERM_EXEC, 7), IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(t_request(&dev, as, PASID, buf, IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_PRIV, 8),
	     IOMMUFD_PAGE_RESP_INVALID);
	/* Beyond the address width, and a non-canonical address. */
	T_EQ(t_request(&dev, as, PASID, (void *)(1ULL << 56), IOMMU_PGFAULT_PERM_READ, 9),
	     IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(t_info(as).windows, 1);
	T_EQ(t_info(as).faults_invalid, 5);
	T_CHECK(t_faults(dev.pdev, PASID, hole, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
	/* Read on the read-only page is fine, and stays read-only for the device. */
	T_EQ(t_request(&dev, as, PASID, ro + T_PAGE, IOMMU_PGFAULT_PERM_READ, 10),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_CHECK(t_maps(dev.pdev, PASID, ro, false));
	T_CHECK(t_faults(dev.pdev, PASID, ro, true, SIM_VTD_S1_FAULT_WRITE));

	/* mprotect raises access: the write request remaps the window writable. */
	T_EQ(mprotect(ro, 2 * T_PAGE, PROT_READ | PROT_WRITE), 0);
	T_EQ(t_request(&dev, as, PASID, ro, IOMMU_PGFAULT_PERM_WRITE, 11),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_CHECK(t_maps(dev.pdev, PASID, ro, true));
	T_CHECK(t_maps(dev.pdev, PASID, ro + T_PAGE, true));

	/* A group of three (two buffers), answered once, all three mapped. */
	{
		uint8_t *b2 = mmap(NULL, 4 * T_PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *b3 = mmap(NULL, 4 * T_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		T_EQ(pasid_as_invalidate(as, NULL, SIZE_MAX), 2);
		before = atomic_load(&t_resp.n);
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)buf + T_PAGE,
					IOMMU_PGFAULT_PERM_READ, 20, false));
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)b2 + 3 * T_PAGE,
					IOMMU_PGFAULT_PERM_WRITE, 20, false));
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)buf + 300 * T_PAGE,
					IOMMU_PGFAULT_PERM_WRITE, 20, true));
		/* And a second group in the queue behind it. */
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)hole,
					IOMMU_PGFAULT_PERM_READ, 21, false));
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)b3,
					IOMMU_PGFAULT_PERM_READ, 21, true));
		T_EQ(atomic_load(&t_resp.n), before);
		T_EQ(pasid_as_service(as, 1000), 2);
		T_EQ(atomic_load(&t_resp.n), before + 2);
		T_EQ(atomic_load(&t_resp.grpid[before % 64]), 20);
		T_EQ(atomic_load(&t_resp.code[before % 64]), IOMMUFD_PAGE_RESP_SUCCESS);
		/* The second group fails at its first request: INVALID for the group. */
		T_EQ(atomic_load(&t_resp.grpid[(before + 1) % 64]), 21);
		T_EQ(atomic_load(&t_resp.code[(before + 1) % 64]), IOMMUFD_PAGE_RESP_INVALID);
		T_CHECK(t_maps(dev.pdev, PASID, buf + T_PAGE, false));
		T_CHECK(t_maps(dev.pdev, PASID, b2 + 3 * T_PAGE, true));
		T_CHECK(t_maps(dev.pdev, PASID, buf + 300 * T_PAGE, true));
		/* The kernel's SVA handler stops at the first failure: b3 was not mapped. */
		T_CHECK(t_faults(dev.pdev, PASID, b3, false, SIM_VTD_S1_FAULT_NOT_PRESENT));
		T_EQ(t_info(as).windows, 2); /* buf's 2 MiB, b2's 4 pages */
		/* Nothing left: a non-blocking service finds nothing; a bounded wait times out. */
		T_EQ(pasid_as_service(as, 0), 0);
		T_EQ(pasid_as_service(as, 1), 0);
		T_EQ(pasid_as_invalidate(as, b2, 4 * T_PAGE), 1);
		munmap(b2, 4 * T_PAGE);
		munmap(b3, 4 * T_PAGE);
	}

	/* A group left pending at unbind is answered INVALID by the detach. */
	before = atomic_load(&t_resp.n);
	T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)buf, IOMMU_PGFAULT_PERM_READ, 30,
				true));
	T_EQ(atomic_load(&t_resp.n), before);
	pasid_as_unbind(as);
	T_EQ(atomic_load(&t_resp.n), before + 1);
	T_EQ(t_last_code(), IOMMUFD_PAGE_RESP_INVALID);
	munmap(buf, T_2M);
	munmap(ro, 2 * T_PAGE);
	munmap(hole - T_PAGE, 3 * T_PAGE);
}

static void test_service_thread(void)
{
	struct pasid_as *as;
	uint8_t *buf =
		mmap(NULL, 64 * T_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int before;

	T_EQ(pasid_as_bind(dev.ifd, dev.vfd, dev.dev_id, PASID, NULL, &as), 0);
	T_EQ(pasid_as_start_service_thread(as), 0);
	T_EQ(pasid_as_start_service_thread(as), -EBUSY);
	for (int i = 0; i < 8; i++) {
		before = atomic_load(&t_resp.n);
		T_EQ(0, sim_iopf_report(dev.pdev, PASID, true, (uintptr_t)buf + i * 8 * T_PAGE,
					IOMMU_PGFAULT_PERM_WRITE, 40 + i, true));
		/* Answered by the thread; wait for it (bounded: 10 s). */
		for (int spin = 0; spin < 10000 && atomic_load(&t_resp.n) == before; spin++)
			usleep(1000);
		T_EQ(atomic_load(&t_resp.n), before + 1);
		T_EQ(t_last_code(), IOMMUFD_PAGE_RESP_SUCCESS);
		T_CHECK(t_maps(dev.pdev, PASID, buf + i * 8 * T_PAGE, true));
	}
	/* Unbind stops the thread. */
	pasid_as_unbind(as);
	munmap(buf, 64 * T_PAGE);
}

int main(void)
{
	if (t_dev_open(&dev, "0000:6a:01.0", 20)) {
		T_CHECK(!"sim device");
		return t_done("pasid_as");
	}
	test_bind_args();
	test_bind_objects();
	test_prefault(57);
	test_prefault(48);
	test_invalidate_order();
	test_faults();
	test_service_thread();
	t_dev_close(&dev);
	return t_done("pasid_as");
}
