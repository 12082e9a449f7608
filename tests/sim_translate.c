// SPDX-License-Identifier: MIT
/*
 * sim IOMMU translation walks, set up through the real iommufd path (VFIO cdev bind, PASID
 * attach of nested VT-d HWPTs over a nest parent, IOAS_MAP): hand-built first-stage tables give
 * the host addresses computed by hand for 4- and 5-level tables and 4 KiB / 2 MiB / 1 GiB
 * leaves; the memory references of a two-dimensional walk; A/D updates; permission faults
 * (read-only, user/supervisor, XD); widths, canonical form, reserved bits; second-stage faults;
 * PASIDs out of range or not attached.
 */
#include "sim_translate_util.h"

#define VA1 0x00007f1234567000ULL /* 4 KiB pages */
#define VA2 0x00007f1234600000ULL /* a 2 MiB page */
#define VA3 0x00007f0040000000ULL /* a 1 GiB page */
#define IOVA_2M 0x80000000ULL
#define IOVA_1G 0x200000000ULL
#define SZ_2M (2ULL << 20)

/* Data pages live at the top of the guest region, tables at the bottom. */
#define DATA(n) (48u + (n))

static int xlate_fault(struct t_env *e, uint32_t pasid, uint64_t va, unsigned int acc,
		       struct sim_xlate_fault *f)
{
	struct sim_dma_xlate x;

	memset(f, 0xa5, sizeof(*f));
	return sim_iommu_translate(e->dev, pasid, true, va, acc, &x, f);
}

static void test_4level(void)
{
	struct t_env e;
	struct sim_iommu_stats s0, s1;
	struct sim_dma_xlate x;
	unsigned int top;
	uint64_t *leaf;

	t_env_init(&e, "0000:6a:01.0", false, 64);
	top = t_page(&e);
	t_attach(&e, t_nested(&e, top, 48, 0), 1);
	leaf = t_set(&e, top, 4, VA1, 1, t_gpa(DATA(0)) | FS_P | FS_RW | FS_US);

	/* VA1 + 0x123 -> guest page DATA(0) -> its host page, same offset. */
	s0 = t_stats(&e);
	T_EQ(0, sim_iommu_translate(e.dev, 1, true, VA1 + 0x123, SIM_DMA_READ, &x, NULL));
	T_EQ((uintptr_t)e.g + DATA(0) * PAGE + 0x123, x.host);
	T_EQ(PAGE - 0x123, x.len);
	s1 = t_stats(&e);
	/* One 2-D walk: 4 first-stage reads, 4 A updates, 4 table + 1 leaf second-stage walks. */
	T_EQ(1, s1.walks - s0.walks);
	T_EQ(4, s1.s1_refs - s0.s1_refs);
	T_EQ(4, s1.ad_updates - s0.ad_updates);
	T_EQ(5, s1.s2_walks - s0.s2_walks);
	T_EQ(4 + 4 + 5 * 4, s1.mem_refs - s0.mem_refs);
	T_EQ(1, s1.iotlb_misses - s0.iotlb_misses);
	/* A on every level, D not (a read). */
	for (unsigned int l = 4; l >= 1; l--)
		T_CHECK(*t_ent(&e, top, 4, VA1, l) & FS_A);
	T_CHECK(!(*leaf & FS_D));

	/* The IOTLB answers the rest of the page. */
	T_EQ(0, t_walked(&e, 1, VA1 + 0xff8));
	T_EQ((uintptr_t)e.g + DATA(0) * PAGE + 0x800, t_xlate(&e, 1, VA1 + 0x800, 0, NULL));
	T_EQ(2, t_stats(&e).iotlb_hits - s1.iotlb_hits);

	/* A write must walk once more to set D (the cached entry had D clear), then hits. */
	s0 = t_stats(&e);
	T_EQ((uintptr_t)e.g + DATA(0) * PAGE + 8, t_xlate(&e, 1, VA1 + 8, SIM_DMA_WRITE, NULL));
	s1 = t_stats(&e);
	T_EQ(1, s1.walks - s0.walks);
	T_EQ(1, s1.ad_updates - s0.ad_updates);
	T_CHECK(*leaf & FS_D);
	T_EQ((uintptr_t)e.g + DATA(0) * PAGE + 16, t_xlate(&e, 1, VA1 + 16, SIM_DMA_WRITE, NULL));
	T_EQ(s1.walks, t_stats(&e).walks);

	/* With A preset everywhere, a 4-level nested walk costs the textbook 24 references. */
	t_set(&e, top, 4, VA1 + PAGE, 1, t_gpa(DATA(1)) | FS_P | FS_RW | FS_US | FS_A);
	s0 = t_stats(&e);
	T_EQ((uintptr_t)e.g + DATA(1) * PAGE, t_xlate(&e, 1, VA1 + PAGE, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(0, s1.ad_updates - s0.ad_updates);
	T_EQ(24, s1.mem_refs - s0.mem_refs);
	t_env_fini(&e);
}

static void test_leaf_sizes(void)
{
	uint8_t *h2 = t_aligned(SZ_2M, SZ_2M), *h3 = t_buffer(2 * PAGE);
	struct sim_xlate_fault f;
	struct sim_dma_xlate x;
	struct t_env e;
	unsigned int top;

	t_env_init(&e, "0000:6a:01.0", true, 64);
	T_EQ(0, t_map_fixed(e.fd, e.ioas, h2, SZ_2M, IOVA_2M));
	/* Only two 4 KiB pages of the 1 GiB leaf's output are mapped in the second stage. */
	T_EQ(0, t_map_fixed(e.fd, e.ioas, h3, 2 * PAGE, IOVA_1G + 0x5000));
	top = t_page(&e);
	t_attach(&e, t_nested(&e, top, 48, 0), 1);
	t_set(&e, top, 4, VA2, 2, IOVA_2M | FS_P | FS_RW | FS_US | FS_PS);
	t_set(&e, top, 4, VA3, 3, IOVA_1G | FS_P | FS_RW | FS_US | FS_PS);

	/* 2 MiB leaf over a 2 MiB-aligned contiguous host range: one entry for the whole page. */
	T_EQ(0, sim_iommu_translate(e.dev, 1, true, VA2 + 0x12345, 0, &x, NULL));
	T_EQ((uintptr_t)h2 + 0x12345, x.host);
	T_EQ(SZ_2M - 0x12345, x.len);
	T_EQ(0, t_walked(&e, 1, VA2 + 0x1ff000));
	T_EQ((uintptr_t)h2 + 0x1ff000, t_xlate(&e, 1, VA2 + 0x1ff000, 0, NULL));
	T_EQ((uintptr_t)h2, t_xlate(&e, 1, VA2, SIM_DMA_WRITE, NULL));

	/* 1 GiB leaf: GPA IOVA_1G + offset; cached per 4 KiB because the S2 is not contiguous. */
	T_EQ(0, sim_iommu_translate(e.dev, 1, true, VA3 + 0x5123, 0, &x, NULL));
	T_EQ((uintptr_t)h3 + 0x123, x.host);
	T_EQ(PAGE - 0x123, x.len);
	T_EQ(0, t_walked(&e, 1, VA3 + 0x5fff));
	T_EQ(1, t_walked(&e, 1, VA3 + 0x6123));
	T_EQ((uintptr_t)h3 + 0x1123, t_xlate(&e, 1, VA3 + 0x6123, 0, NULL));
	/* The leaf is valid, its output is not mapped: a second-stage fault, not recoverable. */
	T_EQ(-EFAULT, xlate_fault(&e, 1, VA3 + 0x7008, 0, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_EQ(IOVA_1G + 0x7008, f.addr);
	T_CHECK(!f.recoverable);
	T_EQ(-EFAULT, xlate_fault(&e, 1, VA3 + 0x3ffff000, 0, &f));
	T_EQ(IOVA_1G + 0x3ffff000, f.addr);
	t_env_fini(&e);
	munmap(h2, SZ_2M);
	munmap(h3, 2 * PAGE);
}

static void test_5level(void)
{
	const uint64_t va = 0x00abcdef12345000ULL, hi = 0xff00000000001000ULL;
	struct sim_iommu_stats s0, s1;
	struct sim_xlate_fault f;
	struct t_env e;
	unsigned int top4, top5;

	t_env_init(&e, "0000:6a:01.0", false, 64);
	top5 = t_page(&e);
	top4 = t_page(&e);
	t_attach(&e, t_nested(&e, top5, 57, 0), 2);
	t_attach(&e, t_nested(&e, top4, 48, 0), 1);
	t_set(&e, top5, 5, va, 1, t_gpa(DATA(2)) | FS_P | FS_RW | FS_US);
	t_set(&e, top5, 5, hi, 1, t_gpa(DATA(3)) | FS_P | FS_RW | FS_US);

	s0 = t_stats(&e);
	T_EQ((uintptr_t)e.g + DATA(2) * PAGE + 0x10, t_xlate(&e, 2, va + 0x10, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(5, s1.s1_refs - s0.s1_refs);
	T_EQ(6, s1.s2_walks - s0.s2_walks);
	T_EQ(5, s1.ad_updates - s0.ad_updates);
	/* Bits 63:57 copies of bit 56: canonical in the upper half. */
	T_EQ((uintptr_t)e.g + DATA(3) * PAGE, t_xlate(&e, 2, hi, 0, NULL));
	/* Bit 56 set without 63:57: not canonical at 57 bits (VT-d 0x80), no walk at all. */
	s0 = t_stats(&e);
	T_EQ(-EFAULT, xlate_fault(&e, 2, 0x0100000000000000ULL, 0, &f));
	T_EQ(SIM_XLATE_S1, f.reason);
	T_EQ(SIM_VTD_S1_FAULT_NON_CANONICAL, f.s1);
	T_EQ(0x80, f.code);
	T_CHECK(!f.recoverable);
	T_EQ(s0.s1_refs, t_stats(&e).s1_refs);
	/* The same VA fits 57 bits but not 48 (bit 47 set, 63:48 clear). */
	T_EQ(-EFAULT, xlate_fault(&e, 1, 0x0000800000000000ULL, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_NON_CANONICAL, f.s1);
	/* Canonical upper half at 48 bits walks (and finds nothing: recoverable, level 4). */
	T_EQ(-EFAULT, xlate_fault(&e, 1, 0xffff800000000000ULL, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_NOT_PRESENT, f.s1);
	T_EQ(4, f.level);
	T_EQ(0x71, f.code);
	T_CHECK(f.recoverable);
	t_env_fini(&e);
}

static void test_faults(void)
{
	const uint64_t va_ro = VA1 + 0x10000, va_sup = VA1 + 0x20000, va_np = VA1 + 0x30000;
	const uint64_t va_pde_ro = 0x00007f1235000000ULL, va_rsvd = 0x00007f1234800000ULL;
	const uint64_t va_ps4 = 0x00007e0000000000ULL, va_s2tbl = 0x00007f1235200000ULL;
	const uint64_t va_s2leaf = VA1 + 0x40000;
	uint8_t *buf = t_buffer(2 * PAGE);
	uint32_t ioas2, paging, n1;
	struct sim_xlate_fault f;
	uint64_t faults;
	struct sim_dma_xlate x;
	struct t_env e;
	unsigned int top;
	uint64_t *ent;

	t_env_init(&e, "0000:6a:01.0", false, 64);
	top = t_page(&e);
	n1 = t_nested(&e, top, 48, 0);
	t_attach(&e, n1, 1);
	t_set(&e, top, 4, VA1, 1, t_gpa(DATA(0)) | FS_P | FS_RW | FS_US);

	/* Read-only leaf: reads fine, a write faults at level 1 (VT-d 0x85), recoverable. */
	t_set(&e, top, 4, va_ro, 1, t_gpa(DATA(1)) | FS_P | FS_US);
	T_EQ((uintptr_t)e.g + DATA(1) * PAGE + 4, t_xlate(&e, 1, va_ro + 4, 0, NULL));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_ro + 4, SIM_DMA_WRITE, &f));
	T_EQ(SIM_XLATE_S1, f.reason);
	T_EQ(SIM_VTD_S1_FAULT_WRITE, f.s1);
	T_EQ(1, f.level);
	T_EQ(0x85, f.code);
	T_EQ(va_ro + 4, f.addr);
	T_CHECK(f.recoverable);
	T_CHECK(!(*t_ent(&e, top, 4, va_ro, 1) & FS_D)); /* a faulting request sets nothing */
	/* R/W=0 in a PDE makes the whole 2 MiB read-only: the fault names level 2. */
	t_set(&e, top, 4, va_pde_ro, 1, t_gpa(DATA(2)) | FS_P | FS_RW | FS_US);
	*t_ent(&e, top, 4, va_pde_ro, 2) &= ~FS_RW;
	T_EQ((uintptr_t)e.g + DATA(2) * PAGE, t_xlate(&e, 1, va_pde_ro, 0, NULL));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_pde_ro, SIM_DMA_WRITE, &f));
	T_EQ(SIM_VTD_S1_FAULT_WRITE, f.s1);
	T_EQ(2, f.level);

	/* Supervisor page (U/S=0): a user request faults (0x81); SRE=0 blocks supervisor ones. */
	t_set(&e, top, 4, va_sup, 1, t_gpa(DATA(3)) | FS_P | FS_RW);
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_sup, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_PRIV, f.s1);
	T_EQ(0x81, f.code);
	T_CHECK(f.recoverable);
	T_EQ(-EFAULT, xlate_fault(&e, 1, VA1, SIM_XLATE_PRIV, &f));
	T_EQ(SIM_VTD_S1_FAULT_PRIV_BLOCKED, f.s1);
	T_CHECK(!f.recoverable);
	/* Execute requests are blocked while ERE is off (the default, as Linux programs it). */
	T_EQ(-EFAULT, xlate_fault(&e, 1, VA1, SIM_XLATE_EXEC, &f));
	T_EQ(SIM_VTD_S1_FAULT_EXEC_BLOCKED, f.s1);
	T_CHECK(!f.recoverable);

	/* Not present (0x71), then present: negative results are never cached. */
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_np, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_NOT_PRESENT, f.s1);
	T_EQ(1, f.level);
	T_CHECK(f.recoverable);
	t_set(&e, top, 4, va_np, 1, t_gpa(DATA(4)) | FS_P | FS_RW | FS_US);
	T_EQ((uintptr_t)e.g + DATA(4) * PAGE, t_xlate(&e, 1, va_np, 0, NULL));

	/* Reserved bits: bit 13 of a 2 MiB PDE, PS in a PML4E (0x72), never recoverable. */
	t_set(&e, top, 4, va_rsvd, 2, IOVA_2M | FS_P | FS_RW | FS_US | FS_PS | (1ULL << 13));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_rsvd, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_RESERVED, f.s1);
	T_EQ(2, f.level);
	T_EQ(0x72, f.code);
	T_CHECK(!f.recoverable);
	t_tbl(&e, top)[t_idx(va_ps4, 4)] = t_gpa(t_page(&e)) | FS_TABLE | FS_PS;
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_ps4, 0, &f));
	T_EQ(SIM_VTD_S1_FAULT_RESERVED, f.s1);
	T_EQ(4, f.level);

	/* A table pointer to an unmapped GPA: the fetch of the level-1 table faults in S2. */
	ent = t_set(&e, top, 4, va_s2tbl, 2, 0);
	*ent = 0x30000000ULL | FS_TABLE;
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_s2tbl, 0, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_EQ(SIM_VTD_S1_FAULT_S2_FETCH, f.s1);
	T_EQ(1, f.level);
	T_EQ(0x30000000ULL, f.addr);
	T_EQ(0x70, f.code);
	T_CHECK(!f.recoverable);
	/* A leaf whose output is not mapped in S2. */
	t_set(&e, top, 4, va_s2leaf, 1, 0x30000000ULL | FS_P | FS_RW | FS_US);
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_s2leaf + 0x10, 0, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_EQ(0x30000010ULL, f.addr);
	T_CHECK(!f.recoverable);

	/* A paging HWPT (second stage only) on its own IOAS: read-only and read-write areas. */
	ioas2 = t_ioas_alloc(e.fd);
	{
		uint64_t iova = 0x10000;

		T_EQ(0, t_map(e.fd, ioas2, buf, PAGE, &iova,
			      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE));
	}
	T_EQ(0, t_map_fixed(e.fd, ioas2, buf + PAGE, PAGE, 0x11000));
	T_EQ(0, t_hwpt_alloc(e.fd, IOMMU_HWPT_ALLOC_PASID, e.dev_id, ioas2, 0, NULL, 0, &paging));
	t_attach(&e, paging, 3);
	T_CHECK(t_did(&e, 1) >= 2 && t_did(&e, 3) >= 2 && t_did(&e, 1) != t_did(&e, 3));
	T_EQ(0, sim_iommu_translate(e.dev, 3, true, 0x10010, 0, &x, NULL));
	T_EQ((uintptr_t)buf + 0x10, x.host);
	T_EQ(PAGE - 0x10, x.len);
	T_EQ(0, t_walked(&e, 3, 0x10020));
	T_EQ(-EFAULT, xlate_fault(&e, 3, 0x10010, SIM_DMA_WRITE, &f));
	T_EQ(SIM_XLATE_S2_PERM, f.reason);
	T_CHECK(f.recoverable);
	T_EQ((uintptr_t)buf + PAGE + 0x10, t_xlate(&e, 3, 0x11010, SIM_DMA_WRITE, NULL));
	T_EQ(-EFAULT, xlate_fault(&e, 3, 0x12000, 0, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_CHECK(f.recoverable);
	/* Beyond the 57-bit second-stage width. */
	T_EQ(-EFAULT, xlate_fault(&e, 3, 1ULL << 57, 0, &f));
	T_EQ(SIM_XLATE_ADDR_WIDTH, f.reason);
	T_CHECK(!f.recoverable);
	T_EQ(-EFAULT, xlate_fault(&e, 3, 0x10000, SIM_XLATE_EXEC, &f));
	T_EQ(SIM_XLATE_EXEC_BLOCKED, f.reason);

	/* PASIDs: not attached, beyond the device's 20 bits, no PASID with nothing on the RID. */
	faults = t_stats(&e).faults;
	T_EQ(-ENXIO, xlate_fault(&e, 9, VA1, 0, &f));
	T_EQ(faults + 1, t_stats(&e).faults);
	T_EQ(SIM_XLATE_NOT_ATTACHED, f.reason);
	T_EQ(-ENXIO, xlate_fault(&e, 1u << 20, VA1, 0, &f));
	T_EQ(SIM_XLATE_PASID_RANGE, f.reason);
	T_EQ(-ENXIO, sim_iommu_translate(e.dev, 1, false, VA1, 0, &x, NULL));
	/* Bad access bits. */
	T_EQ(-EINVAL,
	     sim_iommu_translate(e.dev, 1, true, VA1, SIM_DMA_WRITE | SIM_XLATE_EXEC, &x, NULL));
	T_EQ(-EINVAL, sim_iommu_translate(e.dev, 1, true, VA1, 0x100, &x, NULL));
	/* Still fine after all that. */
	T_EQ((uintptr_t)e.g + DATA(0) * PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ(faults + 3, t_stats(&e).faults); /* -EINVAL is a caller error, not a fault */

	/* The unit is busy while a device exists. */
	T_EQ(-EBUSY, sim_iommu_configure(NULL));
	t_env_fini(&e);
	munmap(buf, 2 * PAGE);
}

/* XD, with the PASID entries' ERE/NXE enabled (a configuration Linux does not program). */
static void test_exec(void)
{
	const uint64_t va_xd = VA1 + PAGE, va_pde_xd = 0x00007f1235000000ULL;
	struct sim_iommu_cfg cfg = { .exec_requests = true };
	struct sim_xlate_fault f;
	struct t_env e;
	unsigned int top;

	T_EQ(-EINVAL, sim_iommu_configure(&(struct sim_iommu_cfg){ .iotlb.flags = 1 }));
	T_EQ(-EINVAL, sim_iommu_configure(&(struct sim_iommu_cfg){ .iotlb.ways = 3 }));
	T_EQ(0, sim_iommu_configure(&cfg));
	t_env_init(&e, "0000:6a:01.0", true, 64);
	top = t_page(&e);
	t_attach(&e, t_nested(&e, top, 48, 0), 1);
	t_set(&e, top, 4, VA1, 1, t_gpa(DATA(0)) | FS_P | FS_RW | FS_US);
	t_set(&e, top, 4, va_xd, 1, t_gpa(DATA(1)) | FS_P | FS_RW | FS_US | FS_XD);
	t_set(&e, top, 4, va_pde_xd, 1, t_gpa(DATA(2)) | FS_P | FS_RW | FS_US);
	*t_ent(&e, top, 4, va_pde_xd, 2) |= FS_XD;

	T_EQ((uintptr_t)e.g + DATA(0) * PAGE, t_xlate(&e, 1, VA1, SIM_XLATE_EXEC, NULL));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_xd, SIM_XLATE_EXEC, &f));
	T_EQ(SIM_VTD_S1_FAULT_EXEC, f.s1);
	T_EQ(1, f.level);
	T_CHECK(f.recoverable);
	/* XD pages stay readable; and a read does not make the entry executable. */
	T_EQ((uintptr_t)e.g + DATA(1) * PAGE, t_xlate(&e, 1, va_xd, 0, NULL));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_xd, SIM_XLATE_EXEC, &f));
	T_EQ(-EFAULT, xlate_fault(&e, 1, va_pde_xd, SIM_XLATE_EXEC, &f));
	T_EQ(SIM_VTD_S1_FAULT_EXEC, f.s1);
	T_EQ(2, f.level);
	t_env_fini(&e);
	T_EQ(0, sim_iommu_configure(NULL));
}

int main(void)
{
	test_4level();
	test_leaf_sizes();
	test_5level();
	test_faults();
	test_exec();
	return t_done("sim_translate");
}
