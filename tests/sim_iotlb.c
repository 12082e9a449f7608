// SPDX-License-Identifier: MIT
/*
 * sim IOTLB / device TLB: hits and misses, large pages, every invalidation granularity
 * dropping exactly what it covers, capacity, generation-tag reuse, fills racing flushes, and a
 * concurrent lookup-vs-flush run checking that a returned flush is never undone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sim/iommu/iotlb.h"
#include "t_helpers.h"

#define K4 (UINT64_C(1) << 12)
#define M2 (UINT64_C(1) << 21)
#define G1 (UINT64_C(1) << 30)

/* A recognisable output address per (domain, pasid, input page). */
static uint64_t out_of(uint32_t domain, uint32_t pasid, uint64_t addr, uint8_t shift)
{
	uint64_t v = ((uint64_t)domain << 44) ^ ((uint64_t)pasid << 36) ^ (addr >> shift << 8);

	return (v << shift) & ((UINT64_C(1) << 52) - 1);
}

static int put(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr, uint8_t shift,
	       bool global)
{
	struct sim_iotlb_fill f;
	struct sim_iotlb_entry e = {
		.out = out_of(domain, pasid, addr, shift),
		.opaque = addr ^ pasid,
		.perm = SIM_IOTLB_PERM_R | SIM_IOTLB_PERM_W,
		.shift = shift,
		.global = global,
	};

	sim_iotlb_fill_begin(tlb, domain, pasid, &f);
	return sim_iotlb_insert(tlb, &f, addr, &e);
}

static bool hit(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr)
{
	struct sim_iotlb_entry e;

	return sim_iotlb_lookup(tlb, domain, pasid, addr, &e);
}

static struct sim_iotlb *mk(uint32_t entries, uint32_t ways, uint32_t tag_slots, uint32_t flags)
{
	struct sim_iotlb_cfg cfg = {
		.entries = entries, .ways = ways, .tag_slots = tag_slots, .flags = flags
	};
	struct sim_iotlb *tlb = NULL;
	int ret = sim_iotlb_create(&cfg, &tlb);

	T_EQ(ret, 0);
	if (ret)
		exit(T_EXIT_FAIL);
	return tlb;
}

static void test_create(void)
{
	struct sim_iotlb_cfg cfg = { 0 };
	struct sim_iotlb *tlb = NULL;
	struct sim_iotlb_stats st;

	T_EQ(sim_iotlb_create(NULL, &tlb), 0);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.capacity, SIM_IOTLB_DEF_ENTRIES);
	T_EQ(st.entries, 0);
	sim_iotlb_destroy(tlb);
	sim_iotlb_destroy(NULL);

	cfg.flags = SIM_IOTLB_F_DEVTLB;
	T_EQ(sim_iotlb_create(&cfg, &tlb), 0);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.capacity, SIM_IOTLB_DEVTLB_DEF_ENTRIES);
	sim_iotlb_destroy(tlb);

	cfg = (struct sim_iotlb_cfg){ .ways = 3 };
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .ways = 128 };
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .entries = 100, .ways = 8 }; /* not a multiple */
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .entries = 24, .ways = 8 }; /* 3 sets */
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .tag_slots = 2 };
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .tag_slots = 48 };
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
	cfg = (struct sim_iotlb_cfg){ .flags = 0x2 };
	T_RET(EINVAL, sim_iotlb_create(&cfg, &tlb));
}

static void test_basic(void)
{
	struct sim_iotlb *tlb = mk(0, 0, 0, 0);
	struct sim_iotlb_entry e = { 0 }, bad;
	struct sim_iotlb_fill f;
	struct sim_iotlb_stats st;
	uint64_t a = 0x7f0012345000;

	T_CHECK(!sim_iotlb_lookup(tlb, 1, 5, a, &e));
	T_EQ(put(tlb, 1, 5, a, SIM_IOTLB_SHIFT_4K, false), 0);
	T_CHECK(sim_iotlb_lookup(tlb, 1, 5, a + 0x123, &e));
	T_EQ(e.out, out_of(1, 5, a, 12));
	T_EQ(sim_iotlb_xlate(&e, a + 0x123), out_of(1, 5, a, 12) + 0x123);
	T_EQ(e.opaque, a ^ 5);
	T_EQ(e.perm, SIM_IOTLB_PERM_R | SIM_IOTLB_PERM_W);
	T_EQ(e.shift, 12);
	/* Neighbouring pages, other PASIDs and other domains miss. */
	T_CHECK(!hit(tlb, 1, 5, a + K4));
	T_CHECK(!hit(tlb, 1, 5, a - 1));
	T_CHECK(!hit(tlb, 1, 6, a));
	T_CHECK(!hit(tlb, 2, 5, a));

	/* Re-inserting a key replaces it in place: no duplicate, no eviction. */
	sim_iotlb_fill_begin(tlb, 1, 5, &f);
	e = (struct sim_iotlb_entry){
		.out = 0x1000, .opaque = 77, .perm = SIM_IOTLB_PERM_R, .shift = 12
	};
	T_EQ(sim_iotlb_insert(tlb, &f, a, &e), 0);
	T_CHECK(sim_iotlb_lookup(tlb, 1, 5, a, &e));
	T_EQ(e.out, 0x1000);
	T_EQ(e.opaque, 77);

	/* Bad entries are refused before anything changes. */
	bad = (struct sim_iotlb_entry){ .out = 0x1000, .shift = 13 };
	T_RET(EINVAL, sim_iotlb_insert(tlb, &f, a, &bad));
	bad = (struct sim_iotlb_entry){ .out = 0x1000, .shift = 21 }; /* out not 2 MiB aligned */
	T_RET(EINVAL, sim_iotlb_insert(tlb, &f, a, &bad));
	bad = (struct sim_iotlb_entry){ .out = 0x1000, .shift = 12, .perm = 0x10 };
	T_RET(EINVAL, sim_iotlb_insert(tlb, &f, a, &bad));

	sim_iotlb_stats(tlb, &st);
	T_EQ(st.inserts, 2);
	T_EQ(st.evictions, 0);
	T_EQ(st.entries, 1);
	T_EQ(st.hits, 2);
	T_EQ(st.misses, 5);
	sim_iotlb_destroy(tlb);
}

static void test_large_pages(void)
{
	struct sim_iotlb *tlb = mk(0, 0, 0, 0);
	struct sim_iotlb_entry e;
	uint64_t b2 = 0x40000000 + 3 * M2, b1 = 5 * G1, a;
	int misses = 0;

	T_EQ(put(tlb, 1, 1, b2 + 0x5000, SIM_IOTLB_SHIFT_2M, false), 0);
	for (a = b2; a < b2 + M2; a += K4) {
		if (!sim_iotlb_lookup(tlb, 1, 1, a + 8, &e) || e.shift != 21 ||
		    sim_iotlb_xlate(&e, a + 8) != out_of(1, 1, b2, 21) + (a - b2) + 8)
			misses++;
	}
	T_EQ(misses, 0);
	T_CHECK(!hit(tlb, 1, 1, b2 - 1));
	T_CHECK(!hit(tlb, 1, 1, b2 + M2));

	T_EQ(put(tlb, 1, 1, b1, SIM_IOTLB_SHIFT_1G, false), 0);
	T_CHECK(sim_iotlb_lookup(tlb, 1, 1, b1 + G1 - 1, &e));
	T_EQ(sim_iotlb_xlate(&e, b1 + G1 - 1), out_of(1, 1, b1, 30) + G1 - 1);
	T_CHECK(hit(tlb, 1, 1, b1 + 0x12345678));
	T_CHECK(!hit(tlb, 1, 1, b1 + G1));
	T_CHECK(!hit(tlb, 1, 2, b1));
	sim_iotlb_destroy(tlb);
}

/* Pages 0..15 of 4 KiB at 1 MiB, for (1,1), (1,2) and (2,1). */
#define BASE UINT64_C(0x100000)
#define NP 16

static void fill3(struct sim_iotlb *tlb)
{
	int i;

	for (i = 0; i < NP; i++) {
		put(tlb, 1, 1, BASE + i * K4, 12, false);
		put(tlb, 1, 2, BASE + i * K4, 12, false);
		put(tlb, 2, 1, BASE + i * K4, 12, false);
	}
}

static int count_hits(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid)
{
	int i, n = 0;

	for (i = 0; i < NP; i++)
		n += hit(tlb, domain, pasid, BASE + i * K4);
	return n;
}

static void test_flush_range(void)
{
	struct sim_iotlb *tlb = mk(0, 0, 0, 0);
	struct sim_iotlb_stats st;
	int i;

	fill3(tlb);
	/* Pages 5, 6, 7 of (1,1): npages 3 is no power of two. */
	sim_iotlb_flush_range(tlb, 1, 1, BASE + 5 * K4, 3, true);
	for (i = 0; i < NP; i++)
		T_EQ(hit(tlb, 1, 1, BASE + i * K4), i < 5 || i > 7);
	T_EQ(count_hits(tlb, 1, 2), NP);
	T_EQ(count_hits(tlb, 2, 1), NP);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.range_dropped, 3);
	T_EQ(st.flush_range, 1);
	T_EQ(st.range_escalated, 0);

	/* npages 0 and an unknown PASID change nothing; low address bits are ignored. */
	sim_iotlb_flush_range(tlb, 1, 1, BASE, 0, false);
	sim_iotlb_flush_range(tlb, 1, 9, BASE, NP, false);
	sim_iotlb_flush_range(tlb, 3, 1, BASE, NP, false);
	T_EQ(count_hits(tlb, 1, 1), NP - 3);
	sim_iotlb_flush_range(tlb, 1, 1, BASE + 0xfff, 1, false);
	T_CHECK(!hit(tlb, 1, 1, BASE));
	T_CHECK(hit(tlb, 1, 1, BASE + K4));

	/* A 2 MiB entry overlapped by a one-page flush goes; one beside the range stays. */
	T_EQ(put(tlb, 1, 1, 10 * M2, 21, false), 0);
	T_EQ(put(tlb, 1, 1, 11 * M2, 21, false), 0);
	T_EQ(put(tlb, 1, 1, 2 * G1, 30, false), 0);
	sim_iotlb_flush_range(tlb, 1, 1, 10 * M2 + 77 * K4, 1, true);
	T_CHECK(!hit(tlb, 1, 1, 10 * M2));
	T_CHECK(!hit(tlb, 1, 1, 10 * M2 + M2 - 1));
	T_CHECK(hit(tlb, 1, 1, 11 * M2));
	T_CHECK(hit(tlb, 1, 1, 2 * G1));
	/* A range straddling two 2 MiB pages drops both; a 1 GiB page under a flush goes too. */
	T_EQ(put(tlb, 1, 1, 10 * M2, 21, false), 0);
	sim_iotlb_flush_range(tlb, 1, 1, 11 * M2 - K4, 2, false);
	T_CHECK(!hit(tlb, 1, 1, 10 * M2));
	T_CHECK(!hit(tlb, 1, 1, 11 * M2));
	sim_iotlb_flush_range(tlb, 1, 1, 2 * G1 + 3 * M2, 1, false);
	T_CHECK(!hit(tlb, 1, 1, 2 * G1));
	/* A global entry inside a page-selective range goes as well. */
	T_EQ(put(tlb, 1, 1, 3 * G1, 12, true), 0);
	sim_iotlb_flush_range(tlb, 1, 1, 3 * G1, 1, false);
	T_CHECK(!hit(tlb, 1, 1, 3 * G1));
	T_EQ(count_hits(tlb, 1, 2), NP);
	T_EQ(count_hits(tlb, 2, 1), NP);

	/* The very top page: the range end must not wrap to 0. */
	T_EQ(put(tlb, 1, 1, UINT64_MAX & ~(K4 - 1), 12, false), 0);
	T_EQ(put(tlb, 1, 1, 0, 12, false), 0);
	sim_iotlb_flush_range(tlb, 1, 1, UINT64_MAX & ~(K4 - 1), 4, false);
	T_CHECK(!hit(tlb, 1, 1, UINT64_MAX));
	T_CHECK(hit(tlb, 1, 1, 0));

	/* Above the ceiling: whole PASID, O(1), other PASIDs untouched. */
	sim_iotlb_stats(tlb, &st);
	uint64_t scanned = st.flush_scanned;
	sim_iotlb_flush_range(tlb, 1, 1, BASE, SIM_IOTLB_DEF_RANGE_CEILING + 1, false);
	T_EQ(count_hits(tlb, 1, 1), 0);
	T_CHECK(!hit(tlb, 1, 1, 0));
	T_EQ(count_hits(tlb, 1, 2), NP);
	T_EQ(count_hits(tlb, 2, 1), NP);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.range_escalated, 1);
	T_EQ(st.flush_scanned, scanned);
	sim_iotlb_destroy(tlb);
}

static void test_flush_pasid_domain_all(void)
{
	struct sim_iotlb *tlb = mk(0, 0, 0, 0);
	struct sim_iotlb_stats st;
	uint64_t g = 7 * G1;

	fill3(tlb);
	T_EQ(put(tlb, 1, 1, g, 12, true), 0);
	T_EQ(put(tlb, 1, 2, g, 12, true), 0);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.flush_scanned, 0);
	T_EQ(st.entries, 3 * NP + 2);

	/* G=2: non-global entries of (1,1) only. */
	sim_iotlb_flush_pasid(tlb, 1, 1, SIM_IOTLB_FLUSH_KEEP_GLOBAL);
	T_EQ(count_hits(tlb, 1, 1), 0);
	T_CHECK(hit(tlb, 1, 1, g));
	T_EQ(count_hits(tlb, 1, 2), NP);
	T_EQ(count_hits(tlb, 2, 1), NP);
	/* Refilled entries are live again after a generation flush. */
	T_EQ(put(tlb, 1, 1, BASE, 12, false), 0);
	T_CHECK(hit(tlb, 1, 1, BASE));
	/* Without the flag: everything of (1,1), the global entry too. */
	sim_iotlb_flush_pasid(tlb, 1, 1, 0);
	T_CHECK(!hit(tlb, 1, 1, BASE));
	T_CHECK(!hit(tlb, 1, 1, g));
	T_CHECK(hit(tlb, 1, 2, g));

	/* iommufd's "everything": addr 0, npages U64_MAX = the whole PASID, globals too. */
	sim_iotlb_flush_range(tlb, 1, 2, 0, UINT64_MAX, true);
	T_EQ(count_hits(tlb, 1, 2), 0);
	T_CHECK(!hit(tlb, 1, 2, g));
	T_EQ(count_hits(tlb, 2, 1), NP);

	/* Domain: every PASID of domain 1, none of domain 2. */
	fill3(tlb);
	sim_iotlb_flush_domain(tlb, 1);
	T_EQ(count_hits(tlb, 1, 1), 0);
	T_EQ(count_hits(tlb, 1, 2), 0);
	T_EQ(count_hits(tlb, 2, 1), NP);
	sim_iotlb_flush_domain(tlb, 42); /* unknown: nothing */
	T_EQ(count_hits(tlb, 2, 1), NP);

	/* Global. */
	fill3(tlb);
	sim_iotlb_flush_all(tlb);
	T_EQ(count_hits(tlb, 1, 1) + count_hits(tlb, 1, 2) + count_hits(tlb, 2, 1), 0);
	fill3(tlb);
	T_EQ(count_hits(tlb, 1, 1) + count_hits(tlb, 1, 2) + count_hits(tlb, 2, 1), 3 * NP);

	/* The O(1) property: no generation flush examined a single entry. */
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.flush_scanned, 0);
	T_EQ(st.flush_pasid, 2);
	T_EQ(st.flush_domain, 2);
	T_EQ(st.flush_global, 1);
	T_EQ(st.range_escalated, 1);
	T_EQ(st.range_dropped, 0);
	sim_iotlb_destroy(tlb);
}

static void test_capacity(void)
{
	struct sim_iotlb *tlb = mk(64, 8, 0, 0);
	struct sim_iotlb_stats st;
	int i, n = 640, recent = 0;

	for (i = 0; i < n; i++)
		T_EQ(put(tlb, 1, 1 + i % 3, BASE + (uint64_t)i * K4, 12, false), 0);
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.capacity, 64);
	T_CHECK(st.entries <= 64);
	T_EQ(st.entries, 64); /* 640 hashed inserts fill all 8 sets */
	T_EQ(st.inserts, n);
	T_EQ(st.evictions, n - st.entries);
	/* LRU: the last insert of each set is still there. */
	recent = hit(tlb, 1, 1 + (n - 1) % 3, BASE + (uint64_t)(n - 1) * K4);
	T_EQ(recent, 1);
	sim_iotlb_destroy(tlb);
}

/*
 * Generation tags: one bucket of four (domain, PASID) slots, so a fifth PASID takes a slot
 * from another. Entries of a flushed or displaced owner must stay dead whatever happens to
 * the slot afterwards, including the owner getting the very same slot back.
 */
static void test_tag_reuse(void)
{
	struct sim_iotlb *tlb = mk(256, 8, 4, 0);
	struct sim_iotlb_stats st;
	struct sim_iotlb_fill f;
	struct sim_iotlb_entry e = { .out = 0x5000, .shift = 12, .perm = SIM_IOTLB_PERM_R };
	uint64_t x = 0x10000, y = 0x20000;
	int round, p, resurrected = 0;

	T_EQ(put(tlb, 1, 1, x, 12, false), 0);
	sim_iotlb_flush_pasid(tlb, 1, 1, 0);
	T_CHECK(!hit(tlb, 1, 1, x));
	T_EQ(put(tlb, 1, 1, y, 12, false), 0); /* live, displaced below */
	for (round = 0; round < 20; round++) {
		for (p = 2; p < 2 + 5; p++)
			T_EQ(put(tlb, 1, (uint32_t)(p + round * 5), 0x1000 * p, 12, false), 0);
		/* (1,1) comes back, likely on a slot it held before. */
		sim_iotlb_fill_begin(tlb, 1, 1, &f);
		resurrected += hit(tlb, 1, 1, x) + hit(tlb, 1, 1, y);
	}
	T_EQ(resurrected, 0);
	sim_iotlb_stats(tlb, &st);
	T_CHECK(st.tag_evictions >= 20 * 5);

	/* A fill whose tag is taken during its walk is refused. */
	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	for (p = 500; p < 505; p++)
		sim_iotlb_fill_begin(tlb, 1, (uint32_t)p, &(struct sim_iotlb_fill){ 0 });
	T_RET(EAGAIN, sim_iotlb_insert(tlb, &f, x, &e));
	T_CHECK(!hit(tlb, 1, 1, x));
	/* And a fresh one works. */
	T_EQ(put(tlb, 1, 1, x, 12, false), 0);
	T_CHECK(hit(tlb, 1, 1, x));

	/* Domain tags too: more domains than slots never resurrect a flushed domain. */
	sim_iotlb_flush_domain(tlb, 1);
	for (p = 10; p < 30; p++)
		T_EQ(put(tlb, (uint32_t)p, 1, x, 12, false), 0);
	T_CHECK(!hit(tlb, 1, 1, x));
	sim_iotlb_destroy(tlb);
}

/* A flush between fill_begin and insert refuses the fill; unrelated flushes do not. */
static void test_fill_race(void)
{
	struct sim_iotlb *tlb = mk(0, 0, 0, 0);
	struct sim_iotlb_entry e = { .out = 0x9000, .shift = 12, .perm = SIM_IOTLB_PERM_R };
	struct sim_iotlb_stats st;
	struct sim_iotlb_fill f;
	uint64_t a = 0x30000;

	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	sim_iotlb_flush_range(tlb, 1, 1, a + K4 * 100, 1, false); /* even elsewhere: refuse */
	T_RET(EAGAIN, sim_iotlb_insert(tlb, &f, a, &e));
	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	sim_iotlb_flush_pasid(tlb, 1, 1, SIM_IOTLB_FLUSH_KEEP_GLOBAL);
	T_RET(EAGAIN, sim_iotlb_insert(tlb, &f, a, &e));
	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	sim_iotlb_flush_domain(tlb, 1);
	T_RET(EAGAIN, sim_iotlb_insert(tlb, &f, a, &e));
	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	sim_iotlb_flush_all(tlb);
	T_RET(EAGAIN, sim_iotlb_insert(tlb, &f, a, &e));
	T_CHECK(!hit(tlb, 1, 1, a));

	/* Flushes of another PASID or domain leave the fill alone. */
	sim_iotlb_fill_begin(tlb, 1, 1, &f);
	T_EQ(put(tlb, 1, 2, a, 12, false), 0);
	T_EQ(put(tlb, 2, 1, a, 12, false), 0);
	sim_iotlb_flush_range(tlb, 1, 2, a, 1, false);
	sim_iotlb_flush_pasid(tlb, 1, 2, 0);
	sim_iotlb_flush_domain(tlb, 2);
	T_EQ(sim_iotlb_insert(tlb, &f, a, &e), 0);
	T_CHECK(hit(tlb, 1, 1, a));
	sim_iotlb_stats(tlb, &st);
	T_EQ(st.fills_dropped, 4);
	sim_iotlb_destroy(tlb);
}

static void test_devtlb(void)
{
	struct sim_iotlb *dt = mk(0, 4, 0, SIM_IOTLB_F_DEVTLB);
	struct sim_iotlb_stats st;

	/* Tagged by PASID only: the domain argument is ignored. */
	T_EQ(put(dt, 7, 1, BASE, 12, false), 0);
	T_CHECK(hit(dt, 0, 1, BASE));
	T_CHECK(hit(dt, 3, 1, BASE));
	T_CHECK(!hit(dt, 0, 2, BASE));
	fill3(dt); /* (1,1) and (2,1) are one tag here */
	sim_iotlb_flush_range(dt, 0, 1, BASE, 2, false);
	T_EQ(count_hits(dt, 0, 1), NP - 2);
	T_EQ(count_hits(dt, 0, 2), NP);
	sim_iotlb_flush_pasid(dt, 0, 2, 0);
	T_EQ(count_hits(dt, 0, 2), 0);
	T_EQ(count_hits(dt, 0, 1), NP - 2);
	sim_iotlb_flush_domain(dt, 0); /* "all" on a device TLB */
	T_EQ(count_hits(dt, 0, 1), 0);
	sim_iotlb_stats(dt, &st);
	T_EQ(st.capacity, SIM_IOTLB_DEVTLB_DEF_ENTRIES);
	T_EQ(st.entries, 0);
	sim_iotlb_destroy(dt);
}

/*
 * Concurrency, modelled on the real protocol: a "page table" holds a version per page; the
 * mutator changes the version of the pages a flush will cover, flushes, and only then
 * publishes that version as the floor a lookup may return. Lookers read the floor, look up,
 * and on a miss fill PASID 1 from the table the way an engine would (fill_begin, read, insert):
 * a walk that read a version before the change must not get cached after the flush. PASID 2
 * is filled by the mutator only, so its own lookups after a flush must miss outright.
 */
#define CP 64
#define CPASIDS 2

struct conc {
	struct sim_iotlb *tlb;
	_Atomic uint64_t pt[CPASIDS][CP];
	_Atomic uint64_t minver[CPASIDS][CP];
	atomic_bool stop;
	uint64_t looker_hits[2], looker_fills[2], looker_bad[2], mut_bad, mut_flushes;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t conc_out(uint32_t pasid, int page)
{
	return ((uint64_t)pasid << 32) | ((uint64_t)page << 12);
}

/*
 * An engine's miss path: snapshot, "walk" (read the table), insert. @walk_spin stretches the
 * walk the way a multi-level walk does, so flushes land inside it often enough to matter.
 */
static void conc_fill(struct conc *c, int pi, int page, int walk_spin)
{
	volatile int spin;

	struct sim_iotlb_fill f;
	struct sim_iotlb_entry e = { .out = conc_out((uint32_t)pi + 1, page),
				     .perm = SIM_IOTLB_PERM_R,
				     .shift = 12 };

	sim_iotlb_fill_begin(c->tlb, 1, (uint32_t)pi + 1, &f);
	e.opaque = atomic_load_explicit(&c->pt[pi][page], memory_order_acquire) << 16 |
		   (uint64_t)(pi << 8 | page);
	for (spin = 0; spin < walk_spin; spin++)
		;
	sim_iotlb_insert(c->tlb, &f, (uint64_t)page << 12, &e);
}

static bool conc_entry_ok(const struct sim_iotlb_entry *e, int pi, int page, uint64_t minv)
{
	return e->out == conc_out((uint32_t)pi + 1, page) &&
	       (e->opaque & 0xffff) == (uint64_t)(pi << 8 | page) && (e->opaque >> 16) >= minv;
}

struct looker_arg {
	struct conc *c;
	int id;
};

static void *looker(void *p)
{
	struct looker_arg *la = p;
	struct conc *c = la->c;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(la->id + 1);

	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		struct sim_iotlb_entry e;
		int page, pi;
		uint64_t minv;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (int)((seed >> 33) % CP);
		pi = (int)((seed >> 50) % CPASIDS);
		minv = atomic_load_explicit(&c->minver[pi][page], memory_order_acquire);
		if (sim_iotlb_lookup(c->tlb, 1, (uint32_t)pi + 1, (uint64_t)page << 12, &e)) {
			c->looker_hits[la->id]++;
			if (!conc_entry_ok(&e, pi, page, minv))
				c->looker_bad[la->id]++;
		} else if (pi == 0) {
			conc_fill(c, pi, page, (int)(seed >> 40) % 512);
			c->looker_fills[la->id]++;
		}
	}
	return NULL;
}

static void *mutator(void *p)
{
	struct conc *c = p;
	uint64_t ver = 1, start = now_ns(), iter;
	bool cov[CPASIDS][CP];
	volatile int spin;

	/* Bounded by time (about 0.4 s, whatever the sanitizer overhead) and by count. */
	for (iter = 0; iter < 200000 && now_ns() - start < 400000000u; iter++) {
		int pi = (int)(iter % CPASIDS), first = (int)(iter % 50), n = 1 + (int)(iter % 13);
		int kind = (int)(iter / CPASIDS % 4), page, q;

		for (page = 0; page < CP; page++)
			if ((page + (int)iter) % 3 == 0)
				conc_fill(c, 1, page, 0);
		for (q = 0; q < CPASIDS; q++)
			for (page = 0; page < CP; page++)
				cov[q][page] = (kind >= 2 || q == pi) &&
					       (kind != 0 || (page >= first && page < first + n));
		/* Change the mappings, then invalidate: the order a driver uses. */
		for (q = 0; q < CPASIDS; q++)
			for (page = 0; page < CP; page++)
				if (cov[q][page])
					atomic_store_explicit(&c->pt[q][page], ver + 1,
							      memory_order_release);
		switch (kind) {
		case 0:
			sim_iotlb_flush_range(c->tlb, 1, (uint32_t)pi + 1, (uint64_t)first << 12,
					      (uint64_t)n, true);
			break;
		case 1:
			sim_iotlb_flush_pasid(c->tlb, 1, (uint32_t)pi + 1, 0);
			break;
		case 2:
			sim_iotlb_flush_domain(c->tlb, 1);
			break;
		default:
			sim_iotlb_flush_all(c->tlb);
			break;
		}
		c->mut_flushes++;
		for (q = 0; q < CPASIDS; q++) {
			for (page = 0; page < CP; page++) {
				struct sim_iotlb_entry e;

				if (!cov[q][page])
					continue;
				atomic_store_explicit(&c->minver[q][page], ver + 1,
						      memory_order_release);
				if (!sim_iotlb_lookup(c->tlb, 1, (uint32_t)q + 1,
						      (uint64_t)page << 12, &e))
					continue;
				/* Only lookers fill PASID 1, and only with the new version. */
				if (q == 1 || !conc_entry_ok(&e, q, page, ver + 1))
					c->mut_bad++;
			}
		}
		/*
		 * Again a little later: a stale fill would land once its walk ends, after the
		 * check above. Nothing but lookers' fills of the new version may appear.
		 */
		for (spin = 0; spin < 2000; spin++)
			;
		for (page = 0; page < CP; page++) {
			struct sim_iotlb_entry e;

			if (cov[0][page] &&
			    sim_iotlb_lookup(c->tlb, 1, 1, (uint64_t)page << 12, &e) &&
			    !conc_entry_ok(&e, 0, page, ver + 1))
				c->mut_bad++;
		}
		ver++;
	}
	atomic_store(&c->stop, true);
	return NULL;
}

static void test_concurrency(void)
{
	static struct conc c;
	struct looker_arg la[2] = { { &c, 0 }, { &c, 1 } };
	pthread_t m, l[2];
	struct sim_iotlb_stats st;
	int i;

	c.tlb = mk(0, 0, 0, 0);
	T_EQ(pthread_create(&l[0], NULL, looker, &la[0]), 0);
	T_EQ(pthread_create(&l[1], NULL, looker, &la[1]), 0);
	T_EQ(pthread_create(&m, NULL, mutator, &c), 0);
	pthread_join(m, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(l[i], NULL);
	T_EQ(c.mut_bad, 0);
	T_EQ(c.looker_bad[0], 0);
	T_EQ(c.looker_bad[1], 0);
	T_CHECK(c.mut_flushes > 0);
	sim_iotlb_stats(c.tlb, &st);
	T_CHECK(st.inserts > 0);
	printf("concurrency: %" PRIu64 " flushes, %" PRIu64 " looker hits, %" PRIu64
	       " looker fills, %" PRIu64 " fills dropped\n",
	       c.mut_flushes, c.looker_hits[0] + c.looker_hits[1],
	       c.looker_fills[0] + c.looker_fills[1], st.fills_dropped);
	sim_iotlb_destroy(c.tlb);
}

int main(void)
{
	test_create();
	test_basic();
	test_large_pages();
	test_flush_range();
	test_flush_pasid_domain_all();
	test_capacity();
	test_tag_reuse();
	test_fill_race();
	test_devtlb();
	test_concurrency();
	return t_done("sim_iotlb");
}
