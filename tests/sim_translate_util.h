/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the sim_translate* tests: a sim IOMMU device bound to an iommufd through
 * its VFIO cdev, a "guest" memory region mapped into the IOAS at a fixed IOVA where the tests
 * build first-stage tables by hand, and nested HWPTs over a nest parent.
 */
#ifndef SIM_TRANSLATE_UTIL_H
#define SIM_TRANSLATE_UTIL_H

#include "sim/iommu/translate.h"
#include "sim_iommufd_util.h"

/* First-stage entry bits (x86-64 format; docs/IOMMU_MODEL.md, reference §5). */
#define FS_P (1ULL << 0)
#define FS_RW (1ULL << 1)
#define FS_US (1ULL << 2)
#define FS_A (1ULL << 5)
#define FS_D (1ULL << 6)
#define FS_PS (1ULL << 7)
#define FS_XD (1ULL << 63)
#define FS_TABLE (FS_P | FS_RW | FS_US)

#define GBASE 0x40000000ULL /* IOVA of guest page 0 */

struct t_env {
	int fd, vfd, idx;
	struct sim_iommu_dev *dev;
	uint32_t dev_id, ioas, s2;
	uint8_t *g; /* guest memory: page i at IOVA GBASE + i * PAGE */
	size_t gpages;
	unsigned int next_page; /* bump allocator for table pages */
};

static inline uint64_t *t_tbl(struct t_env *e, unsigned int page)
{
	return (uint64_t *)(e->g + (size_t)page * PAGE);
}

static inline uint64_t t_gpa(unsigned int page)
{
	return GBASE + (uint64_t)page * PAGE;
}

static inline unsigned int t_idx(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* A zeroed guest page for a table. */
static inline unsigned int t_page(struct t_env *e)
{
	unsigned int p = e->next_page++;

	T_CHECK(p < e->gpages);
	memset(t_tbl(e, p), 0, PAGE);
	return p;
}

/*
 * Build the path for @va below the top table @top (@levels 4 or 5) down to @leaf_level,
 * creating missing tables (P|RW|US), and store @leaf there. Returns the leaf entry's address.
 */
static inline uint64_t *t_set(struct t_env *e, unsigned int top, unsigned int levels, uint64_t va,
			      unsigned int leaf_level, uint64_t leaf)
{
	unsigned int table = top;

	for (unsigned int l = levels; l > leaf_level; l--) {
		uint64_t *ent = &t_tbl(e, table)[t_idx(va, l)];

		if (!(*ent & FS_P))
			*ent = t_gpa(t_page(e)) | FS_TABLE;
		table = (unsigned int)(((*ent & 0x000ffffffffff000ULL) - GBASE) / PAGE);
	}
	t_tbl(e, table)[t_idx(va, leaf_level)] = leaf;
	return &t_tbl(e, table)[t_idx(va, leaf_level)];
}

/* The entry for @va at @level (the path must exist). */
static inline uint64_t *t_ent(struct t_env *e, unsigned int top, unsigned int levels, uint64_t va,
			      unsigned int level)
{
	unsigned int table = top;

	for (unsigned int l = levels; l > level; l--) {
		uint64_t ent = t_tbl(e, table)[t_idx(va, l)];

		table = (unsigned int)(((ent & 0x000ffffffffff000ULL) - GBASE) / PAGE);
	}
	return &t_tbl(e, table)[t_idx(va, level)];
}

/* Device, iommufd, VFIO bind, IOAS with the guest memory, and a PASID-capable nest parent. */
static inline void t_env_init(struct t_env *e, const char *name, bool ats, size_t gpages)
{
	struct sim_pdev_info info = {
		.name = name,
		.rid = 0x6a08,
		.max_pasid_log2 = 20,
		.ats = ats,
	};

	memset(e, 0, sizeof(*e));
	e->fd = svart_sim_iommufd_open();
	T_CHECK(e->fd >= 0);
	e->idx = sim_iommu_dev_create(&info, &e->dev);
	T_CHECK(e->idx >= 0);
	e->vfd = t_vfio_open(e->idx);
	T_CHECK(e->vfd >= 0);
	e->dev_id = t_vfio_bind(e->vfd, e->fd);
	e->ioas = t_ioas_alloc(e->fd);
	e->gpages = gpages;
	e->g = t_buffer(gpages * PAGE);
	T_EQ(0, t_map_fixed(e->fd, e->ioas, e->g, gpages * PAGE, GBASE));
	T_EQ(0, t_hwpt_alloc(e->fd, IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
			     e->dev_id, e->ioas, 0, NULL, 0, &e->s2));
}

/* Closing the cdev detaches everything; the device's memory goes with its last reference. */
static inline void t_env_fini(struct t_env *e)
{
	T_EQ(0, svart_sim_close(e->vfd));
	T_EQ(0, svart_sim_close(e->fd));
	sim_iommu_dev_destroy(e->dev);
	munmap(e->g, e->gpages * PAGE);
}

/* A nested VT-d HWPT over the nest parent, rooted at guest page @top; @fault_id 0: none. */
static inline uint32_t t_nested(struct t_env *e, unsigned int top, uint32_t addr_width,
				uint32_t fault_id)
{
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = t_gpa(top), .addr_width = addr_width };
	uint32_t id = 0;

	if (fault_id)
		T_EQ(0, t_hwpt_alloc_fault(e->fd, IOMMU_HWPT_ALLOC_PASID, e->dev_id, e->s2, &s1,
					   sizeof(s1), fault_id, &id));
	else
		T_EQ(0, t_hwpt_alloc(e->fd, IOMMU_HWPT_ALLOC_PASID, e->dev_id, e->s2,
				     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), &id));
	return id;
}

static inline void t_attach(struct t_env *e, uint32_t pt, uint32_t pasid)
{
	T_EQ(0, t_vfio_attach(e->vfd, &pt, true, pasid));
}

/* The domain id of what is attached at @pasid (0 if nothing). */
static inline uint32_t t_did(struct t_env *e, uint32_t pasid)
{
	struct sim_hwpt *h = sim_pdev_get_hwpt(sim_iommu_dev_pdev(e->dev), pasid);
	uint32_t did;

	if (!h)
		return 0;
	did = sim_hwpt_did(h);
	sim_hwpt_put_shortterm(h);
	return did;
}

static inline struct sim_iommu_stats t_stats(struct t_env *e)
{
	struct sim_iommu_stats s;

	sim_iommu_stats(e->dev, &s);
	return s;
}

/* Translate and return the host address (0 on failure, with *@ret set if given). */
static inline uintptr_t t_xlate(struct t_env *e, uint32_t pasid, uint64_t va, unsigned int acc,
				int *ret)
{
	struct sim_dma_xlate x = { 0 };
	int r = sim_iommu_translate(e->dev, pasid, true, va, acc, &x, NULL);

	if (ret)
		*ret = r;
	return r ? 0 : x.host;
}

/* Whether translating (@pasid, @va) for a read walked (1), hit a cache (0), or failed (-1). */
static inline int t_walked(struct t_env *e, uint32_t pasid, uint64_t va)
{
	uint64_t before = t_stats(e).walks;
	int ret;

	t_xlate(e, pasid, va, SIM_DMA_READ, &ret);
	if (ret)
		return -1;
	return (int)(t_stats(e).walks - before);
}

static inline int t_hwpt_invalidate(int fd, uint32_t hwpt, uint64_t addr, uint64_t npages,
				    uint32_t flags)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = { .addr = addr,
						    .npages = npages,
						    .flags = flags };
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};

	return svart_sim_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
}

/* A buffer of @len bytes whose start is aligned to @align (the rest of the mapping unmapped). */
static inline uint8_t *t_aligned(size_t len, size_t align)
{
	uint8_t *p = t_buffer(len + align);
	uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);

	if ((uint8_t *)a > p)
		munmap(p, a - (uintptr_t)p);
	if (a + len < (uintptr_t)p + len + align)
		munmap((void *)(a + len), (uintptr_t)p + len + align - (a + len));
	return (uint8_t *)a;
}

#endif /* SIM_TRANSLATE_UTIL_H */
