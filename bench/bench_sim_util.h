/* SPDX-License-Identifier: MIT */
/*
 * Shared by the svart-bench-xlate benchmarks (bench_xlate.c, bench_inval.c, bench_fault.c):
 * sim IOMMU devices bound to sim's iommufd through their VFIO cdevs, hand-built VT-d
 * first-stage tables in a "guest" region mapped into the IOAS, and the timing helpers the
 * manually timed benchmarks use.
 *
 * Everything here returns 0 / a count / -errno; a benchmark that cannot set up reports it
 * with sb_skip_with_error() (bench_skip()) instead of aborting the program.
 */
#ifndef SVART_BENCH_SIM_UTIL_H
#define SVART_BENCH_SIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/iommu/translate.h"
#include "svart_bench.h"

#define BENCH_PAGE 4096ULL
#define BENCH_2M (2ULL << 20)
#define BENCH_1G (1ULL << 30)

/* First-stage entry bits (x86-64 paging format, as VT-d's first stage uses it). */
#define BENCH_FS_P (1ULL << 0)
#define BENCH_FS_RW (1ULL << 1)
#define BENCH_FS_US (1ULL << 2)
#define BENCH_FS_A (1ULL << 5)
#define BENCH_FS_D (1ULL << 6)
#define BENCH_FS_PS (1ULL << 7)
#define BENCH_FS_ADDR 0x000ffffffffff000ULL
/* Present user-writable entries with A (and D on leaves) preset: walks then write nothing. */
#define BENCH_FS_TABLE (BENCH_FS_P | BENCH_FS_RW | BENCH_FS_US | BENCH_FS_A)
#define BENCH_FS_LEAF (BENCH_FS_TABLE | BENCH_FS_D)

/* IOVA of the guest region's page 0 (tables and their pages live there). */
#define BENCH_GBASE 0x40000000ULL

/*
 * A region of page-table pages. Page i sits at host address g + i * 4 KiB and at base +
 * i * 4 KiB in table pointers: base is BENCH_GBASE for nested translation (the region is
 * mapped into each IOAS there), or the host address g itself for first-stage-only
 * translation (table pointers are host addresses, no second stage in between).
 */
struct bench_pt {
	uint8_t *g;
	uint64_t base;
	size_t pages;
	size_t next; /* bump allocator */
};

/* A sim IOMMU device bound to its own iommufd, with an IOAS and a nest parent on it. */
struct bench_sim_env {
	int fd, vfd, idx;
	struct sim_iommu_dev *dev;
	uint32_t dev_id, ioas, s2;
};

/* ---- timing ---- */

/* CLOCK_MONOTONIC in nanoseconds (vDSO: no system call). */
static inline uint64_t bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/**
 * bench_median() - the median of @n samples (sorts @v in place).
 * @v: the samples.
 * @n: how many (0 gives 0).
 *
 * Return: the median (the mean of the middle two for even @n).
 */
double bench_median(double *v, size_t n);

/**
 * bench_skip() - end a run that cannot be set up: sb_skip_with_error() with "@what: @err"
 * and the loop drained, as Google Benchmark requires.
 * @st: the run.
 * @what: the step that failed.
 * @err: its -errno (0 for none).
 */
void bench_skip(struct sb_state *st, const char *what, int err);

/* ---- the sim unit ---- */

/**
 * bench_sim_configure() - give the sim VT-d unit an IOTLB of @entries x @ways (0: the
 * defaults, 4096 x 8) and the default device TLB. Allowed only while no sim IOMMU device
 * exists (every bench_sim_env is finished).
 * @entries: IOTLB capacity.
 * @ways: associativity.
 *
 * Return: 0, -EBUSY (devices exist), -EINVAL, -ENOMEM.
 */
int bench_sim_configure(uint32_t entries, uint32_t ways);

/**
 * bench_sim_env_init() - create a sim IOMMU device (PASID width 20, @ats: with a device TLB),
 * open an iommufd, bind the device's VFIO cdev to it, allocate an IOAS, map @pt's region at
 * BENCH_GBASE, and allocate a nest parent (NEST_PARENT | PASID) on the IOAS.
 * @e: the environment.
 * @name: the device's PCI name (unique among live devices).
 * @ats: give the device ATS.
 * @pt: the table region to map, or NULL.
 *
 * Return: 0 or -errno (nothing is left behind).
 */
int bench_sim_env_init(struct bench_sim_env *e, const char *name, bool ats,
		       const struct bench_pt *pt);

/**
 * bench_sim_env_fini() - close the cdev and the iommufd (detaching and destroying every
 * object) and destroy the device.
 * @e: the environment: one bench_sim_env_init() set up (also after it failed), or one whose
 *	fd and vfd are -1 and dev NULL. Left with fd and vfd -1, so a second call does nothing.
 */
void bench_sim_env_fini(struct bench_sim_env *e);

/**
 * bench_sim_map() - IOAS_MAP (read/write) of [@va, @va + @len) at the fixed IOVA @iova.
 * @e: the environment.
 * @va: host address (sim checks it is mapped: populated).
 * @len: bytes.
 * @iova: where.
 *
 * Return: 0 or -errno.
 */
int bench_sim_map(struct bench_sim_env *e, const void *va, uint64_t len, uint64_t iova);

/* bench_sim_unmap() - IOAS_UNMAP of [@iova, @iova + @len). Return: 0 or -errno. */
int bench_sim_unmap(struct bench_sim_env *e, uint64_t iova, uint64_t len);

/**
 * bench_sim_fault_queue() - IOMMU_FAULT_QUEUE_ALLOC on @e's iommufd.
 * @e: the environment.
 * @id: the fault object's ID.
 *
 * Return: the fault fd (a sim descriptor: svart_sim_read/write/close) or -errno.
 */
int bench_sim_fault_queue(struct bench_sim_env *e, uint32_t *id);

/**
 * bench_sim_nested() - allocate a nested VT-d HWPT (PASID-capable) over @e's nest parent.
 * @e: the environment.
 * @root_page: the top table's page in the (nested, BENCH_GBASE-based) region.
 * @addr_width: 48 (4-level) or 57 (5-level).
 * @fault_id: a fault queue to report page requests to, or 0.
 * @out: the HWPT ID.
 *
 * Return: 0 or -errno.
 */
int bench_sim_nested(struct bench_sim_env *e, size_t root_page, uint32_t addr_width,
		     uint32_t fault_id, uint32_t *out);

/* bench_sim_attach() - attach HWPT @hwpt at @pasid of @e's device. Return: 0 or -errno. */
int bench_sim_attach(struct bench_sim_env *e, uint32_t hwpt, uint32_t pasid);

/* bench_sim_did() - the domain id of what is attached at @pasid, 0 if nothing. */
uint32_t bench_sim_did(struct bench_sim_env *e, uint32_t pasid);

/* bench_sim_flush() - drop what the unit's IOTLB and @e's device TLB cache for @pasid. */
void bench_sim_flush(struct bench_sim_env *e, uint32_t pasid);

/* ---- process bindings (pasid/pasid_as) ---- */

struct pasid_as;
struct pasid_as_opts;

/* A sim IOMMU device whose PASID is bound to this process by pasid_as, as the runtime does. */
struct bench_as_env {
	struct sim_iommu_dev *dev;
	int ifd, vfd;
	uint32_t dev_id, pasid;
	struct pasid_as *as;
};

/**
 * bench_as_env_init() - create a sim IOMMU device (no ATS), open the iommufd and its VFIO cdev
 * through rt_os, bind the device, and bind this process's address space at @pasid.
 * @e: the environment.
 * @name: the device's PCI name (unique among live devices).
 * @pasid: the PASID.
 * @opts: pasid_as_bind() options, or NULL.
 *
 * Return: 0 or -errno (nothing is left behind).
 */
int bench_as_env_init(struct bench_as_env *e, const char *name, uint32_t pasid,
		      const struct pasid_as_opts *opts);

/* bench_as_env_fini() - unbind, close, destroy. @e: as for bench_sim_env_fini(). */
void bench_as_env_fini(struct bench_as_env *e);

/* ---- first-stage tables ---- */

/**
 * bench_pt_init() - allocate a table region of @pages pages (populated, zeroed).
 * @pt: the region.
 * @pages: its size in pages.
 * @host_ptrs: table pointers are host addresses (first-stage only), else IOVAs from
 *	BENCH_GBASE (nested).
 *
 * Return: 0 or -ENOMEM.
 */
int bench_pt_init(struct bench_pt *pt, size_t pages, bool host_ptrs);

/* bench_pt_fini() - unmap the region. */
void bench_pt_fini(struct bench_pt *pt);

/* bench_pt_page() - a zeroed page of the region. Return: its index, or -ENOMEM when full. */
long bench_pt_page(struct bench_pt *pt);

/* The address of region page @page in table pointers (an IOVA, or the host address). */
static inline uint64_t bench_pt_addr(const struct bench_pt *pt, size_t page)
{
	return pt->base + (uint64_t)page * BENCH_PAGE;
}

/**
 * bench_pt_set() - store @leaf for @va at @leaf_level under the table at page @top of
 * @levels levels (4 or 5), creating missing tables (BENCH_FS_TABLE).
 * @pt: the region.
 * @top: the top table's page.
 * @levels: 4 or 5.
 * @va: the input address.
 * @leaf_level: 1 (4 KiB), 2 (2 MiB, with PS) or 3 (1 GiB, with PS).
 * @leaf: the entry.
 *
 * Return: 0 or -ENOMEM (region full).
 */
int bench_pt_set(struct bench_pt *pt, size_t top, unsigned int levels, uint64_t va,
		 unsigned int leaf_level, uint64_t leaf);

/**
 * bench_pt_ent() - the entry for @va at @level under @top (the path must exist).
 * @pt: the region.
 * @top: the top table's page.
 * @levels: 4 or 5.
 * @va: the input address.
 * @level: 1..@levels.
 *
 * Return: a pointer into the region, or NULL if the path is missing.
 */
uint64_t *bench_pt_ent(struct bench_pt *pt, size_t top, unsigned int levels, uint64_t va,
		       unsigned int level);

/**
 * bench_pt_host_fetch() - a sim_vtd_s1_cfg.fetch for tables whose pointers are host
 * addresses (first-stage-only translation: no second stage in between).
 */
uint64_t *bench_pt_host_fetch(void *arg, uint64_t table_addr, bool write, int *s2_reason);

/**
 * bench_map_aligned() - @len bytes of private anonymous memory aligned to @align (a power of
 * two), populated for writing; the rest of the over-allocation is unmapped.
 * @len: bytes.
 * @align: alignment.
 *
 * Return: the address, or NULL.
 */
void *bench_map_aligned(size_t len, size_t align);

/* ---- worlds ---- */

/*
 * A world: the sim devices and tables a group of benchmarks runs on, built under one IOTLB
 * geometry. sim_iommu_configure() is allowed only while no device exists, so one world lives
 * at a time: a benchmark's setup asks for its world and the previous one is torn down first.
 * Benchmarks of one world are registered together, so a run switches rarely.
 */
struct bench_world {
	const char *name;
	uint32_t iotlb_entries, iotlb_ways; /* 0: the defaults */
	int (*build)(void); /* 0 or -errno; on failure it has destroyed what it built */
	void (*destroy)(void);
};

/**
 * bench_world_use() - make @w the live world, building it if it is not.
 * @w: the world.
 *
 * Return: 0, or the -errno of the configuration or the build (no world is live then).
 */
int bench_world_use(const struct bench_world *w);

/* bench_world_release() - tear down the live world, if any. */
void bench_world_release(void);

/* ---- the three parts of svart-bench-xlate ---- */

/* Register the translation, invalidation and fault benchmarks, in that order. */
void bench_xlate_register(void);
void bench_inval_register(void);
void bench_fault_register(void);

#endif /* SVART_BENCH_SIM_UTIL_H */
