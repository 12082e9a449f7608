// SPDX-License-Identifier: MIT
/*
 * sim_vtd_s1_walk() against hand-built first-stage tables: every entry below is written as a
 * raw u64 and every expected address is worked out by hand in the comments.
 *
 * Entry bits used: P=0x1 RW=0x2 US=0x4 A=0x20 D=0x40 PS=0x80 EA=0x400 XD=1<<63.
 * So 0x27 = P|RW|US|A, 0x25 = P|US|A, 0x67 = P|RW|US|A|D, 0xa7 = 0x27|PS, 0x07 = P|RW|US.
 *
 * "Table memory": page i of tbl[] lives at table address 0x100000 + i * 0x1000 (a stage-2
 * input address in nesting); fetch() maps it back, and fails on request.
 */
#include <errno.h>
#include <pthread.h>

#include "pasid/iommufd_uapi.h"
#include "sim/iommu/vtd_s1.h"
#include "t_helpers.h"

#define NPAGES 16
#define TADDR(i) (0x100000ULL + (uint64_t)(i)*0x1000)

static uint64_t tbl[NPAGES][512] __attribute__((aligned(4096)));
static uint64_t fail_read = ~0ULL, fail_write = ~0ULL;
static unsigned int fetches;

static uint64_t *fetch(void *arg, uint64_t addr, bool write, int *s2)
{
	(void)arg;
	__atomic_fetch_add(&fetches, 1, __ATOMIC_RELAXED);
	if (addr == fail_read || (write && addr == fail_write)) {
		*s2 = 7;
		return NULL;
	}
	if (addr < TADDR(0) || addr >= TADDR(NPAGES) || (addr & 0xfff))
		return NULL;
	return tbl[(addr - TADDR(0)) / 0x1000];
}

static struct sim_vtd_s1_cfg cfg4 = {
	.pgtbl_addr = TADDR(0),
	.addr_width = 48,
	.caps = SIM_VTD_S1_CAPS_ALL,
	.fetch = fetch,
};

static struct sim_vtd_s1_result res;

static int walk(const struct sim_vtd_s1_cfg *cfg, uint64_t va, unsigned int acc)
{
	return sim_vtd_s1_walk(cfg, va, acc, &res);
}

/* Expect a fault of @f at @lvl. */
#define T_FAULT(rc, f, lvl)                                                          \
	do {                                                                         \
		T_EQ(rc, -EFAULT);                                                   \
		T_STREQ(sim_vtd_s1_fault_name(res.fault), sim_vtd_s1_fault_name(f)); \
		T_EQ(res.level, lvl);                                                \
	} while (0)

static void build(void)
{
	/*
	 * 4-level chain for VA 0x7fe8c8bff123:
	 *   PML4 idx = bits 47:39 = 0x0ff, PDPT idx = bits 38:30 = 0x1a3,
	 *   PD idx = bits 29:21 = 0x045, PT idx = bits 20:12 = 0x1ff, offset 0x123.
	 *   (0xff<<39 = 0x7f8000000000, 0x1a3<<30 = 0x68c0000000, 0x45<<21 = 0x8a00000,
	 *    0x1ff<<12 = 0x1ff000: sum 0x7fe8c8bff000.)
	 * PML4 = page 0 (0x100000), PDPT = page 1, PD = page 2, PT = page 3.
	 */
	tbl[0][0x0ff] = 0x101027;
	tbl[1][0x1a3] = 0x102027;
	tbl[2][0x045] = 0x103027;
	tbl[3][0x1ff] = 0xabcde027; /* 4K page at 0xabcde000 */
	tbl[3][0x1fe] = 0xabcdf025; /* read-only */
	tbl[3][0x1fd] = 0x80000000abce0027ULL; /* XD */
	tbl[3][0x1fc] = 0x10000000027ULL; /* address bit 40: reserved when HAW <= 40 */
	tbl[3][0x1fb] = 0x7ff00000abcd0027ULL; /* bits 62:52 set: ignored */
	/* 2M leaf: PD idx 0x046 -> VA 0x7fe8c8c00000, at 0x40000000. */
	tbl[2][0x046] = 0x400000a7;
	/* 2M leaf with bit 13 set (reserved 20:13). */
	tbl[2][0x047] = 0x400020a7;
	/* 2M leaf with PAT (bit 12): not address, not reserved. 0x40200000 | 0x1000. */
	tbl[2][0x048] = 0x402010a7;
	/* 1G leaf: PDPT idx 0x1a4 -> VA 0x7fe900000000, at 0x1c0000000. */
	tbl[1][0x1a4] = 0x1c00000a7ULL;
	/* 1G leaf with bit 20 set (reserved 29:13). */
	tbl[1][0x1a5] = 0x1c01000a7ULL;
	/* PS in a PML4E: reserved. */
	tbl[0][0x0fd] = 0x1000000a7ULL;

	/*
	 * Supervisor-only branch: PML4 idx 0x0fe has U/S=0 (0x23 = P|RW|A), PDPT page 5,
	 * 1G leaf at 0x80000000 in PDPT[0]. VA 0xfe<<39 = 0x7f0000000000.
	 */
	tbl[0][0x0fe] = 0x105023;
	tbl[5][0x000] = 0x800000a5; /* 1G, read-only (0xa5 = P|US|A|PS) */

	/*
	 * A/D branch, nothing preset: PML4 idx 0x0fc (VA 0x7e0000000000) -> page 6 -> page 7 ->
	 * page 8, PT entries 0..3 at 0xdead0000.. with 0x07 = P|RW|US.
	 */
	tbl[0][0x0fc] = 0x106007;
	tbl[6][0x000] = 0x107007;
	tbl[7][0x000] = 0x108007;
	tbl[8][0x000] = 0xdead0007;
	tbl[8][0x001] = 0xdead1007;
	tbl[8][0x002] = 0xdead2005; /* read-only */
	tbl[8][0x003] = 0xdead3007;
	/* PML4 idx 0x0fb (VA 0x7d8000000000) -> page 9, empty: faults at level 3. */
	tbl[0][0x0fb] = 0x109007;

	/*
	 * 5-level root, page 4: PML5 idx = bits 56:48. VA 0x00017fe8c8bff123 has idx 1 and the
	 * same lower indices as the 4-level chain, so PML5[1] -> page 0 reaches 0xabcde123.
	 */
	tbl[4][1] = 0x100027;
	tbl[4][2] = 0x1000a7; /* PS in a PML5E: reserved */
}

static void test_translate(void)
{
	struct sim_vtd_s1_cfg c5 = cfg4;

	T_EQ(walk(&cfg4, 0x7fe8c8bff123, 0), 0);
	T_EQ(res.oa, 0xabcde123);
	T_EQ(res.page_size, 4096);
	T_EQ(res.mem_refs, 4);
	T_EQ(res.leaf, 0xabcde027);
	T_EQ(res.prot, SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_W | SIM_VTD_S1_PROT_U);

	/* 2M: 0x40000000 + offset 0x12345 within the 2M page. */
	T_EQ(walk(&cfg4, 0x7fe8c8c12345, SIM_VTD_S1_ACC_WRITE), 0);
	T_EQ(res.oa, 0x40012345);
	T_EQ(res.page_size, 2 << 20);
	T_EQ(res.mem_refs, 3);
	/* PAT bit 12 of a 2M leaf is not part of the address: 0x40200000 + 5. */
	T_EQ(walk(&cfg4, 0x7fe8c9000005, 0), 0);
	T_EQ(res.oa, 0x40200005);

	/* 1G: 0x1c0000000 + offset 0x2345678. */
	T_EQ(walk(&cfg4, 0x7fe902345678, 0), 0);
	T_EQ(res.oa, 0x1c2345678);
	T_EQ(res.page_size, 1 << 30);
	T_EQ(res.mem_refs, 2);

	/* Bits 62:52 and (without execute requests) XD are ignored. */
	T_EQ(walk(&cfg4, 0x7fe8c8bfb010, 0), 0);
	T_EQ(res.oa, 0xabcd0010);
	T_EQ(walk(&cfg4, 0x7fe8c8bfd010, 0), 0);
	T_EQ(res.oa, 0xabce0010);

	/* 5-level. */
	c5.pgtbl_addr = TADDR(4);
	c5.addr_width = 57;
	T_EQ(walk(&c5, 0x00017fe8c8bff123, 0), 0);
	T_EQ(res.oa, 0xabcde123);
	T_EQ(res.mem_refs, 5);
	/* Not present at level 5 (PML5 idx 0). */
	T_FAULT(walk(&c5, 0x7fe8c8bff123, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 5);
	/* PS in PML5E (idx 2: VA 2<<48). */
	T_FAULT(walk(&c5, 0x0002000000000000, 0), SIM_VTD_S1_FAULT_RESERVED, 5);
	/* 57-bit canonical: bit 56 set needs 63:57 set. 0x0100... is not canonical. */
	T_FAULT(walk(&c5, 0x0100000000000000, 0), SIM_VTD_S1_FAULT_NON_CANONICAL, 0);
	/* Upper half is canonical: PML5 idx (bits 56:48 of 0xff00...) = 0x100, empty. */
	T_FAULT(walk(&c5, 0xff00000000000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 5);
	/* Without FL5LP a 57-bit width is a bad PASID entry. */
	c5.caps = SIM_VTD_S1_CAP_FL1GP;
	T_FAULT(walk(&c5, 0x00017fe8c8bff123, 0), SIM_VTD_S1_FAULT_BAD_WIDTH, 0);
}

static void test_faults(void)
{
	struct sim_vtd_s1_cfg c = cfg4;

	/* Not present at each level. */
	T_FAULT(walk(&cfg4, 0x0000008000000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 4); /* idx 1 */
	T_EQ(res.fault_addr, 0x0000008000000000);
	T_EQ(sim_vtd_s1_fault_code(&res), 0x71);
	T_FAULT(walk(&cfg4, 0x7f8000000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 3); /* 0xff,0 */
	T_FAULT(walk(&cfg4, 0x7fe8c0000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 2); /* .,0x1a3,0 */
	T_FAULT(walk(&cfg4, 0x7fe8c8a00000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 1); /* ..,0x45,0 */
	T_EQ(res.mem_refs, 4);

	/* Reserved bits. */
	T_FAULT(walk(&cfg4, 0x7e8000000000, 0), SIM_VTD_S1_FAULT_RESERVED, 4); /* PS in PML4E */
	T_EQ(sim_vtd_s1_fault_code(&res), 0x72);
	T_FAULT(walk(&cfg4, 0x7fe8c8e00000, 0), SIM_VTD_S1_FAULT_RESERVED, 2); /* 2M bit 13 */
	T_FAULT(walk(&cfg4, 0x7fe940000000, 0), SIM_VTD_S1_FAULT_RESERVED, 3); /* 1G bit 20 */
	/* A 1G leaf without FL1GP: PS in a PDPE is reserved. */
	c.caps = SIM_VTD_S1_CAP_FL5LP;
	T_FAULT(walk(&c, 0x7fe902345678, 0), SIM_VTD_S1_FAULT_RESERVED, 3);
	/* Address bit 40 with a 40-bit HAW (bits 51:40 reserved), fine with 41 bits. */
	c = cfg4;
	c.haw = 40;
	T_FAULT(walk(&c, 0x7fe8c8bfc000, 0), SIM_VTD_S1_FAULT_RESERVED, 1);
	c.haw = 41;
	T_EQ(walk(&c, 0x7fe8c8bfc008, 0), 0);
	T_EQ(res.oa, 0x10000000008);
	/* A table pointer beyond the HAW is reserved too: bit 20 of PML4E -> 0x101027 has it. */
	c.haw = 20;
	T_FAULT(walk(&c, 0x7fe8c8bff123, 0), SIM_VTD_S1_FAULT_BAD_PTPTR, 0); /* root 0x100000 */
	c.haw = 21;
	T_FAULT(walk(&c, 0x7fe8c8bff123, 0), SIM_VTD_S1_FAULT_RESERVED, 1); /* 0xabcde000 */

	/* Canonical 48-bit: bit 47 set requires 63:48 set. */
	T_FAULT(walk(&cfg4, 0x0000800000000000, 0), SIM_VTD_S1_FAULT_NON_CANONICAL, 0);
	T_EQ(sim_vtd_s1_fault_code(&res), 0x80);
	T_FAULT(walk(&cfg4, 0x0001000000000000, 0), SIM_VTD_S1_FAULT_NON_CANONICAL, 0);
	T_FAULT(walk(&cfg4, 0xffff800000000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 4);

	/* Bad widths, bad root pointer. */
	c = cfg4;
	c.addr_width = 39;
	T_FAULT(walk(&c, 0x1000, 0), SIM_VTD_S1_FAULT_BAD_WIDTH, 0);
	c.addr_width = 0;
	T_FAULT(walk(&c, 0x1000, 0), SIM_VTD_S1_FAULT_BAD_WIDTH, 0);
	c = cfg4;
	c.pgtbl_addr = TADDR(0) + 0x800;
	T_FAULT(walk(&c, 0x1000, 0), SIM_VTD_S1_FAULT_BAD_PTPTR, 0);

	/* Caller errors. */
	T_EQ(sim_vtd_s1_walk(NULL, 0, 0, &res), -EINVAL);
	T_EQ(sim_vtd_s1_walk(&cfg4, 0, SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_EXEC, &res), -EINVAL);
	T_EQ(sim_vtd_s1_walk(&cfg4, 0, 1 << 9, &res), -EINVAL);
}

static void test_permissions(void)
{
	struct sim_vtd_s1_cfg c = cfg4;

	/* Read-only 4K page (PT idx 0x1fe, VA 0x7fe8c8bfe000). */
	T_EQ(walk(&cfg4, 0x7fe8c8bfe010, 0), 0);
	T_EQ(res.oa, 0xabcdf010);
	T_EQ(res.prot, SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_U);
	T_FAULT(walk(&cfg4, 0x7fe8c8bfe010, SIM_VTD_S1_ACC_WRITE), SIM_VTD_S1_FAULT_WRITE, 1);
	T_EQ(sim_vtd_s1_fault_code(&res), 0x85);

	/* User request to the supervisor branch: U/S=0 at level 4. */
	T_FAULT(walk(&cfg4, 0x7f0000001000, 0), SIM_VTD_S1_FAULT_PRIV, 4);
	T_EQ(sim_vtd_s1_fault_code(&res), 0x81);
	/* Supervisor request with SRE=0: blocked before the walk. */
	T_FAULT(walk(&cfg4, 0x7f0000001000, SIM_VTD_S1_ACC_PRIV), SIM_VTD_S1_FAULT_PRIV_BLOCKED, 0);
	T_EQ(res.mem_refs, 0);
	/* SRE=1: supervisor reads it (1G at 0x80000000 + 0x1000); the page is not user. */
	c.flags = IOMMU_VTD_S1_SRE;
	T_EQ(walk(&c, 0x7f0000001000, SIM_VTD_S1_ACC_PRIV), 0);
	T_EQ(res.oa, 0x80001000);
	T_EQ(res.prot, SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_W);
	/* WPE=0: supervisor writes ignore R/W=0 (the 1G leaf is read-only). */
	T_EQ(walk(&c, 0x7f0000001000, SIM_VTD_S1_ACC_PRIV | SIM_VTD_S1_ACC_WRITE), 0);
	/* WPE=1: they honour it. */
	c.flags = IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_WPE;
	T_FAULT(walk(&c, 0x7f0000001000, SIM_VTD_S1_ACC_PRIV | SIM_VTD_S1_ACC_WRITE),
		SIM_VTD_S1_FAULT_WRITE, 3);
	T_EQ(walk(&c, 0x7f0000001000, SIM_VTD_S1_ACC_PRIV), 0);
	T_EQ(res.prot, SIM_VTD_S1_PROT_R);
	/* A user write is refused whatever WPE says. */
	c.flags = IOMMU_VTD_S1_SRE;
	T_FAULT(walk(&c, 0x7fe8c8bfe010, SIM_VTD_S1_ACC_WRITE), SIM_VTD_S1_FAULT_WRITE, 1);

	/* Execute: blocked unless execute requests are modelled; then XD denies. */
	T_FAULT(walk(&cfg4, 0x7fe8c8bff123, SIM_VTD_S1_ACC_EXEC), SIM_VTD_S1_FAULT_EXEC_BLOCKED, 0);
	c = cfg4;
	c.exec_requests = true;
	T_EQ(walk(&c, 0x7fe8c8bff123, SIM_VTD_S1_ACC_EXEC), 0);
	T_EQ(res.prot,
	     SIM_VTD_S1_PROT_R | SIM_VTD_S1_PROT_W | SIM_VTD_S1_PROT_X | SIM_VTD_S1_PROT_U);
	T_FAULT(walk(&c, 0x7fe8c8bfd010, SIM_VTD_S1_ACC_EXEC), SIM_VTD_S1_FAULT_EXEC, 1);
	T_EQ(walk(&c, 0x7fe8c8bfd010, 0), 0); /* reading an XD page is fine */
	T_EQ(res.prot & SIM_VTD_S1_PROT_X, 0);

	/* A not-present entry outranks a permission denied higher up. */
	T_FAULT(walk(&cfg4, 0x7f0040000000, 0), SIM_VTD_S1_FAULT_NOT_PRESENT, 3);
}

static void test_ad(void)
{
	struct sim_vtd_s1_cfg c = cfg4;

	/* Probe without SET_AD: nothing written. */
	T_EQ(walk(&cfg4, 0x7e0000000000, 0), 0);
	T_EQ(res.oa, 0xdead0000);
	T_EQ(tbl[0][0x0fc], 0x106007);
	T_EQ(tbl[8][0], 0xdead0007);

	/* Read: A (0x20) on all four entries, no D. */
	T_EQ(walk(&cfg4, 0x7e0000000000, SIM_VTD_S1_ACC_SET_AD), 0);
	T_EQ(res.ad_updates, 4);
	T_EQ(res.leaf, 0xdead0007); /* as read, before the update */
	T_EQ(tbl[0][0x0fc], 0x106027);
	T_EQ(tbl[6][0], 0x107027);
	T_EQ(tbl[7][0], 0x108027);
	T_EQ(tbl[8][0], 0xdead0027);
	/* Again: nothing left to set. */
	T_EQ(walk(&cfg4, 0x7e0000000000, SIM_VTD_S1_ACC_SET_AD), 0);
	T_EQ(res.ad_updates, 0);

	/* Write to PT idx 1: A|D (0x60) on the leaf only; upper entries already have A. */
	T_EQ(walk(&cfg4, 0x7e0000001000, SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_SET_AD), 0);
	T_EQ(res.ad_updates, 1);
	T_EQ(tbl[8][1], 0xdead1067);
	T_EQ(tbl[7][0], 0x108027);

	/* A faulting write (read-only idx 2) sets nothing, not even A. */
	T_FAULT(walk(&cfg4, 0x7e0000002000, SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_SET_AD),
		SIM_VTD_S1_FAULT_WRITE, 1);
	T_EQ(tbl[8][2], 0xdead2005);
	/* Nor does a walk ending not-present: PML4 idx 0x0fb keeps its A clear. */
	T_FAULT(walk(&cfg4, 0x7d8000000000, SIM_VTD_S1_ACC_SET_AD), SIM_VTD_S1_FAULT_NOT_PRESENT,
		3);
	T_EQ(tbl[0][0x0fb], 0x109007);

	/* EAFE: EA (0x400) with A. Upper entries get EA too. */
	c.flags = IOMMU_VTD_S1_EAFE;
	T_EQ(walk(&c, 0x7e0000003000, SIM_VTD_S1_ACC_SET_AD), 0);
	T_EQ(tbl[8][3], 0xdead3427);
	T_EQ(tbl[7][0], 0x108427);
	T_EQ(res.ad_updates, 4);

	/* The A/D write needs the table writable at stage 2 (PT page 8 at 0x108000). */
	tbl[8][0] = 0xdead0007;
	fail_write = TADDR(8);
	T_FAULT(walk(&cfg4, 0x7e0000000000, SIM_VTD_S1_ACC_SET_AD), SIM_VTD_S1_FAULT_AD_UPDATE, 1);
	T_EQ(res.fault_addr, TADDR(8));
	T_EQ(sim_vtd_s1_fault_code(&res), 0x91);
	T_EQ(walk(&cfg4, 0x7e0000000000, 0), 0); /* reads still work */
	fail_write = ~0ULL;
}

static void test_s2_fetch(void)
{
	/* The PD (page 2, 0x102000) cannot be fetched: fault at level 2 naming that address. */
	fail_read = TADDR(2);
	fetches = 0;
	T_FAULT(walk(&cfg4, 0x7fe8c8bff123, 0), SIM_VTD_S1_FAULT_S2_FETCH, 2);
	T_EQ(res.fault_addr, TADDR(2));
	T_EQ(res.s2_reason, 7);
	T_EQ(res.mem_refs, 2);
	T_EQ(fetches, 3);
	T_EQ(sim_vtd_s1_fault_code(&res), 0x70);
	/* The root itself: the PASID entry's pointer is bad. */
	fail_read = TADDR(0);
	T_FAULT(walk(&cfg4, 0x7fe8c8bff123, 0), SIM_VTD_S1_FAULT_S2_FETCH, 4);
	T_EQ(res.fault_addr, TADDR(0));
	T_EQ(sim_vtd_s1_fault_code(&res), 0x73);
	fail_read = ~0ULL;
}

/*
 * Walkers setting different bits in the same entries at once lose none: per round, half the
 * threads read and half write the same page, so the leaf must end with A|D and the three
 * upper entries with A. A plain read-modify-write would sometimes store A over A|D.
 */
#define NTHREADS 8
#define ROUNDS 3000
static pthread_barrier_t start, done;

static void *ad_thread(void *p)
{
	uintptr_t i = (uintptr_t)p;
	struct sim_vtd_s1_result r;
	intptr_t bad = 0;

	for (unsigned int round = 0; round < ROUNDS; round++) {
		pthread_barrier_wait(&start);
		/* PML4 idx 0x0f9 (VA 0x7c8000000000) -> page 11 -> 12 -> PT page 10, idx 0. */
		bad |= sim_vtd_s1_walk(&cfg4, 0x7c8000000000,
				       SIM_VTD_S1_ACC_SET_AD | ((i & 1) ? SIM_VTD_S1_ACC_WRITE : 0),
				       &r);
		pthread_barrier_wait(&done);
	}
	return (void *)bad;
}

static void test_concurrent_ad(void)
{
	pthread_t th[NTHREADS];
	unsigned int lost = 0;

	pthread_barrier_init(&start, NULL, NTHREADS + 1);
	pthread_barrier_init(&done, NULL, NTHREADS + 1);
	for (uintptr_t i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, ad_thread, (void *)i);
	for (unsigned int round = 0; round < ROUNDS; round++) {
		tbl[0][0x0f9] = TADDR(11) | 0x7;
		tbl[11][0] = TADDR(12) | 0x7;
		tbl[12][0] = TADDR(10) | 0x7;
		tbl[10][0] = 0x200007;
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		lost += tbl[0][0x0f9] != (TADDR(11) | 0x27);
		lost += tbl[11][0] != (TADDR(12) | 0x27);
		lost += tbl[12][0] != (TADDR(10) | 0x27);
		lost += tbl[10][0] != 0x200067;
	}
	for (unsigned int i = 0; i < NTHREADS; i++) {
		void *rc;

		pthread_join(th[i], &rc);
		T_EQ((intptr_t)rc, 0);
	}
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	T_EQ(lost, 0);
}

int main(void)
{
	build();
	test_translate();
	test_faults();
	test_permissions();
	test_ad();
	test_s2_fetch();
	test_concurrent_ad();
	return t_done("vtd_s1_walk");
}
