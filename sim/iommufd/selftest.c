// SPDX-License-Identifier: MIT
/*
 * The kernel selftest's mock driver and test ABI (drivers/iommu/iommufd/selftest.c, built with
 * CONFIG_IOMMUFD_TEST), so that tools/testing/selftests/iommu/iommufd runs against sim under
 * `svart sim --`. Semantics follow Linux v6.17 (selftest_uapi.h has the layouts).
 *
 * The mock IOMMU is a second struct sim_iommu_ops next to VT-d: paging domains of 2048-byte
 * pages with the aperture [MOCK_APERTURE_START, MOCK_APERTURE_LAST], nested domains carrying a
 * four-entry mock IOTLB, a vIOMMU type whose invalidations clear a per-device mock cache, and
 * mock devices (no PCI, no reserved regions, optionally 20 PASID bits) that IOMMU_TEST_CMD
 * creates already bound to the context and attached.
 *
 * Where the kernel looks at struct pages, sim looks at what it keeps instead: MD_CHECK_MAP
 * compares the process address an IOVA maps with the user pointer (or, when they differ, the
 * page frames behind both, for memfd maps), MD_CHECK_REFS reads the pin counts of pin.c.
 * Dirty bits are kept per 2048-byte page; a HUGE_IOVA domain reports them per 1 MiB page
 * where the kernel would have mapped one (see sim_mock_huge_entry()). The mock vIOMMU offers
 * two pages to mmap() (a memory file sim keeps, where the kernel has two pages of its own),
 * reports vEVENTs through TRIGGER_VEVENT and has HW queues that must be made in index order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

#define MOCK_IO_PAGE_SIZE (SIM_PAGE_SIZE / 2)
#define MOCK_HUGE_PAGE_SIZE (512 * MOCK_IO_PAGE_SIZE)
/* ACCESS_PAGES and ACCESS_RW refuse more, so a fuzzer cannot make the driver allocate GiBs. */
#define SIM_TEST_MAX_ACCESS (16UL << 20)

/* The memory limit the kernel applies to its pin batches; kept for SET_TEMP_MEMORY_LIMIT. */
static uint32_t sim_test_memory_limit = 65536;

/* ---- mock devices ----------------------------------------------------------------------- */

struct sim_mock_dev {
	uint32_t flags; /* MOCK_FLAGS_DEVICE_* */
	uint32_t cache[MOCK_DEV_CACHE_NUM];
	/* The next set_dev_pasid of PASID IOMMU_TEST_PASID_RESERVED fails (replace error path). */
	bool pasid_1024_fake_error;
};

static atomic_uint sim_mock_dev_seq;

static void sim_mock_dev_release(struct sim_pdev *pdev, void *priv)
{
	free(priv);
}

static const struct sim_pdev_ops sim_mock_pdev_ops = {
	.release = sim_mock_dev_release,
};

static struct sim_mock_dev *sim_to_mock_dev(const struct sim_pdev *pdev)
{
	return pdev->iommu == &sim_mock_ops ? pdev->priv : NULL;
}

/* mock_dev_create(): a device on the mock bus, its own group, behind the mock IOMMU. */
static int sim_mock_dev_create(uint32_t dev_flags, struct sim_pdev **out)
{
	const uint32_t valid_flags =
		MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA | MOCK_FLAGS_DEVICE_PASID;
	struct sim_pdev_info info = {
		.iommu = &sim_mock_ops,
		.max_pasid_log2 = dev_flags & MOCK_FLAGS_DEVICE_PASID ? MOCK_PASID_WIDTH : 0,
		/* Not a PCI device: none of the PCI capability bits of GET_HW_INFO apply. */
		.ats = true,
		.no_resv = true,
		.no_cdev = true,
		.ops = &sim_mock_pdev_ops,
	};
	struct sim_mock_dev *mdev;
	char name[32];
	int rc;

	if (dev_flags & ~valid_flags)
		return -EINVAL;
	mdev = calloc(1, sizeof(*mdev));
	if (!mdev)
		return -ENOMEM;
	mdev->flags = dev_flags;
	for (int i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		mdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	snprintf(name, sizeof(name), "iommufd_mock%u", atomic_fetch_add(&sim_mock_dev_seq, 1));
	info.name = name;
	info.priv = mdev;
	rc = sim_pdev_create(&info, out);
	if (rc < 0) {
		free(mdev);
		return rc;
	}
	return 0;
}

/* ---- the mock IOMMU driver -------------------------------------------------------------- */

/* One dirty bit per MOCK_IO_PAGE_SIZE page of the aperture. */
#define MOCK_DIRTY_BITS ((MOCK_APERTURE_LAST - MOCK_APERTURE_START + 1) / MOCK_IO_PAGE_SIZE)

/*
 * A mock paging domain allocated with DIRTY_TRACKING (others have no driver data): the
 * kernel keeps the dirty bit in each page's xarray entry (MOCK_PFN_DIRTY_IOVA), sim keeps a
 * bitmap over the aperture. Bits of pages unmapped since they were set are never read: the
 * core only asks about mapped IOVA, and enabling tracking starts from a clean bitmap.
 */
struct sim_mock_paging {
	bool dirty_track; /* MOCK_DIRTY_TRACK */
	uint8_t dirty[MOCK_DIRTY_BITS / 8];
};

/* A mock nested domain: its mock IOTLB, which invalidations clear entry by entry. */
struct sim_mock_nested {
	uint32_t iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

static int sim_mock_hw_info(struct sim_pdev *pdev, void *buf, uint32_t *len, uint32_t *type)
{
	const struct iommu_test_hw_info info = { .test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL };

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	memcpy(buf, &info, sizeof(info));
	*len = sizeof(info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return 0;
}

static int sim_mock_paging_geometry(struct sim_pdev *pdev, uint32_t flags,
				    struct sim_iopt_domain *geo)
{
	const struct sim_mock_dev *mdev = sim_to_mock_dev(pdev);

	geo->pgsize_bitmap = MOCK_IO_PAGE_SIZE;
	if (mdev && (mdev->flags & MOCK_FLAGS_DEVICE_HUGE_IOVA))
		geo->pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	geo->aperture_start = MOCK_APERTURE_START;
	geo->aperture_end = MOCK_APERTURE_LAST;
	return 0;
}

static int sim_mock_alloc_paging(struct sim_pdev *pdev, uint32_t flags,
				 const struct sim_user_data *data, void **priv)
{
	const uint32_t paging_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				      IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID;
	const struct sim_mock_dev *mdev = sim_to_mock_dev(pdev);
	bool no_dirty = mdev && (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);

	if (data)
		return -EOPNOTSUPP;
	if ((flags & ~paging_flags) || ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && no_dirty))
		return -EOPNOTSUPP;
	*priv = NULL;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) {
		*priv = calloc(1, sizeof(struct sim_mock_paging));
		if (!*priv)
			return -ENOMEM;
	}
	return 0;
}

/* The dirty bit of the mock page at @iova, or -1 outside the aperture. */
static long sim_mock_dirty_index(uint64_t iova)
{
	if (iova < MOCK_APERTURE_START || iova > MOCK_APERTURE_LAST)
		return -1;
	return (long)((iova - MOCK_APERTURE_START) / MOCK_IO_PAGE_SIZE);
}

/* Enabling starts clean: the core clears the dirty bits first (iopt_clear_dirty_data()). */
static int sim_mock_set_dirty_tracking(struct sim_hwpt *hwpt, bool enable)
{
	struct sim_mock_paging *mp = hwpt->domain_priv;

	if (!mp)
		return -EINVAL;
	if (enable)
		memset(mp->dirty, 0, sizeof(mp->dirty));
	mp->dirty_track = enable;
	return 0;
}

/*
 * Whether the kernel would have mapped the 1 MiB block around @iova as one mock huge page
 * (MOCK_PFN_HUGE_IOVA): the iommu core uses the large page size where one area maps the whole
 * block and the physical address is aligned to it, that is, from a huge page.
 */
static bool sim_mock_huge_entry(struct sim_iopt *iopt, uint64_t iova)
{
	uint64_t block = iova & ~(MOCK_HUGE_PAGE_SIZE - 1), contig;
	uintptr_t va;

	if (sim_iopt_translate(iopt, block, false, &va, &contig) || contig < MOCK_HUGE_PAGE_SIZE)
		return false;
	return sim_frames_contiguous(va, MOCK_HUGE_PAGE_SIZE);
}

/* Tests and clears the dirty bits of the mock pages of [@head, @head + @size). */
static bool sim_mock_test_and_clear_dirty(struct sim_mock_paging *mp, uint64_t head, uint64_t size,
					  bool no_clear)
{
	bool dirty = false;

	for (uint64_t cur = head; cur < head + size; cur += MOCK_IO_PAGE_SIZE) {
		long i = sim_mock_dirty_index(cur);

		if (i < 0 || !(mp->dirty[i / 8] & (1u << (i % 8))))
			continue;
		dirty = true;
		if (!no_clear)
			mp->dirty[i / 8] &= (uint8_t) ~(1u << (i % 8));
	}
	return dirty;
}

/* mock_domain_read_and_clear_dirty(): reading needs tracking on; a huge page counts whole. */
static int sim_mock_read_and_clear_dirty(struct sim_hwpt *hwpt, uint64_t iova, uint64_t length,
					 bool no_clear,
					 void (*record)(void *ctx, uint64_t iova, uint64_t length),
					 void *ctx)
{
	struct sim_hwpt_paging *paging = sim_to_hwpt_paging(hwpt);
	struct sim_mock_paging *mp = hwpt->domain_priv;
	bool huge = paging && (paging->domain.pgsize_bitmap & MOCK_HUGE_PAGE_SIZE);
	uint64_t last = iova + length - 1, pgsize;

	if (!mp || !mp->dirty_track)
		return -EINVAL;
	for (uint64_t cur = iova; cur <= last && cur >= iova; cur += pgsize) {
		pgsize = MOCK_IO_PAGE_SIZE;
		if (huge && sim_mock_huge_entry(&paging->ioas->iopt, cur))
			pgsize = MOCK_HUGE_PAGE_SIZE;
		if (sim_mock_test_and_clear_dirty(mp, cur & ~(pgsize - 1), pgsize, no_clear))
			record(ctx, cur, pgsize);
	}
	return 0;
}

/* __mock_domain_alloc_nested(): the IOTLB starts with the user's value in every entry. */
static int sim_mock_nested_alloc(const struct sim_user_data *data, void **priv)
{
	struct iommu_hwpt_selftest user_cfg;
	struct sim_mock_nested *nested;
	int rc;

	if (data->type != IOMMU_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	rc = sim_copy_struct_from_user_data(&user_cfg, sizeof(user_cfg),
					    offsetofend(struct iommu_hwpt_selftest, iotlb), data,
					    IOMMU_HWPT_DATA_SELFTEST);
	if (rc)
		return rc;
	nested = calloc(1, sizeof(*nested));
	if (!nested)
		return -ENOMEM;
	for (int i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		nested->iotlb[i] = user_cfg.iotlb;
	*priv = nested;
	return 0;
}

static int sim_mock_alloc_nested(struct sim_pdev *pdev, struct sim_hwpt_paging *parent,
				 uint32_t flags, const struct sim_user_data *data, void **priv)
{
	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return -EOPNOTSUPP;
	if (parent->common.owner != &sim_mock_ops)
		return -EINVAL;
	return sim_mock_nested_alloc(data, priv);
}

static void sim_mock_domain_free(void *priv)
{
	free(priv);
}

/*
 * mock_domain_nop_attach() for the RID, mock_domain_set_dev_pasid_nop() for a PASID. Called
 * for attach and replace alike, once the core's checks passed; nothing changes on error.
 */
static int sim_mock_attach_check(struct sim_pdev *pdev, struct sim_hwpt *hwpt, uint32_t pasid)
{
	struct sim_mock_dev *mdev = sim_to_mock_dev(pdev);
	struct sim_hwpt_paging *paging = sim_to_hwpt_paging(hwpt);
	struct sim_hwpt_nested *nested = sim_to_hwpt_nested(hwpt);

	if (!mdev)
		return -EINVAL;
	if (pasid == SIM_IOMMU_NO_PASID) {
		/* A dirty-tracking domain needs a device whose IOMMU can track. */
		if (paging && paging->dirty_tracking && (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
			return -EINVAL;
		/* A nested domain of a vIOMMU needs the device's vDEVICE on it. */
		if (nested && nested->viommu && !sim_viommu_find_vdev(nested->viommu, pdev))
			return -ENOENT;
		return 0;
	}
	if (pasid == IOMMU_TEST_PASID_RESERVED) {
		struct sim_hwpt *cur = sim_pdev_get_hwpt(pdev, pasid);

		/*
		 * The kernel's flag flips on every set_dev_pasid of this PASID and a detach
		 * (the blocked domain) clears it: a first attach sets it, the replace after it
		 * fails and clears it.
		 */
		if (cur)
			sim_hwpt_put_shortterm(cur);
		if (cur && mdev->pasid_1024_fake_error) {
			mdev->pasid_1024_fake_error = false;
			return -ENOMEM;
		}
		mdev->pasid_1024_fake_error = true;
	}
	return 0;
}

/* mock_domain_cache_invalidate_user(): entries handled in order, the first bad one stops. */
static int sim_mock_cache_invalidate_user(struct sim_hwpt *hwpt, struct sim_user_data_array *array)
{
	struct sim_mock_nested *nested = hwpt->domain_priv;
	struct iommu_hwpt_invalidate_selftest inv;
	uint32_t processed = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	for (uint32_t i = 0; i < array->entry_num; i++) {
		rc = sim_copy_struct_from_user_array(
			&inv, sizeof(inv),
			offsetofend(struct iommu_hwpt_invalidate_selftest, iotlb_id), array,
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, i);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(nested->iotlb, 0, sizeof(nested->iotlb));
		else
			nested->iotlb[inv.iotlb_id] = 0;
		processed++;
	}
out:
	array->entry_num = processed;
	return rc;
}

/* ---- the mock vIOMMU -------------------------------------------------------------------- */

/* The mock vIOMMU's data (struct mock_viommu): its mmap() pages and its HW queues. */
struct sim_mock_viommu {
	int memfd; /* -1 without VIOMMU_ALLOC data */
	uint32_t *page; /* sim's mapping of the two pages */
	uint64_t mmap_offset;
	struct sim_hw_queue *hw_queue[IOMMU_TEST_HW_QUEUE_MAX];
};

#define SIM_MOCK_VIOMMU_MMAP_LEN (2 * SIM_PAGE_SIZE)

static void sim_mock_viommu_free(struct sim_mock_viommu *mv)
{
	if (mv->page)
		munmap(mv->page, SIM_MOCK_VIOMMU_MMAP_LEN);
	if (mv->memfd >= 0)
		close(mv->memfd);
	free(mv);
}

/*
 * Two zeroed pages in a memory file, mapped for the driver; userspace maps the same file, so
 * what one writes the other reads, as with the kernel's __get_free_pages() region.
 */
static int sim_mock_viommu_pages(struct sim_mock_viommu *mv)
{
	void *va;

	mv->memfd = memfd_create("sim-mock-viommu", MFD_CLOEXEC);
	if (mv->memfd < 0)
		return -errno;
	if (ftruncate(mv->memfd, SIM_MOCK_VIOMMU_MMAP_LEN))
		return -errno;
	va = mmap(NULL, SIM_MOCK_VIOMMU_MMAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mv->memfd, 0);
	if (va == MAP_FAILED)
		return -errno;
	mv->page = va;
	return 0;
}

static int sim_mock_viommu_init(struct sim_viommu *viommu, struct sim_pdev *pdev,
				const struct sim_user_data *data)
{
	struct iommu_viommu_selftest cfg;
	struct sim_mock_viommu *mv;
	uint32_t n;
	int rc;

	if (data) {
		rc = sim_copy_struct_from_user_data(
			&cfg, sizeof(cfg), offsetofend(struct iommu_viommu_selftest, out_data),
			data, IOMMU_VIOMMU_TYPE_SELFTEST);
		if (rc)
			return rc;
	}
	mv = calloc(1, sizeof(*mv));
	if (!mv)
		return -ENOMEM;
	mv->memfd = -1;
	if (data) {
		rc = sim_mock_viommu_pages(mv);
		if (rc)
			goto out_free;
		rc = sim_iommufd_alloc_mmap(viommu->ictx, &viommu->obj, mv->memfd,
					    SIM_MOCK_VIOMMU_MMAP_LEN, &mv->mmap_offset);
		if (rc)
			goto out_free;
		/* A loopback through both the page and out_data. */
		*mv->page = cfg.in_data;
		cfg.out_data = cfg.in_data;
		cfg.out_mmap_offset = mv->mmap_offset;
		cfg.out_mmap_length = SIM_MOCK_VIOMMU_MMAP_LEN;
		/* iommu_copy_struct_to_user(): what the user's struct has room for. */
		n = data->len < sizeof(cfg) ? data->len : sizeof(cfg);
		rc = sim_copy_to_user(sim_u64_to_user_ptr(data->uptr), &cfg, n);
		if (rc)
			goto out_destroy_mmap;
	}
	viommu->priv = mv;
	return 0;

out_destroy_mmap:
	sim_iommufd_destroy_mmap(viommu->ictx, &viommu->obj, mv->mmap_offset);
out_free:
	sim_mock_viommu_free(mv);
	return rc;
}

static void sim_mock_viommu_destroy(struct sim_viommu *viommu)
{
	struct sim_mock_viommu *mv = viommu->priv;

	if (mv->mmap_offset)
		sim_iommufd_destroy_mmap(viommu->ictx, &viommu->obj, mv->mmap_offset);
	sim_mock_viommu_free(mv);
}

static bool sim_mock_hw_queue_supported(struct sim_viommu *viommu, uint32_t type)
{
	return type == IOMMU_HW_QUEUE_TYPE_SELFTEST;
}

/* mock_hw_queue_destroy(): the slot frees up and the dependency on the previous queue goes. */
static void sim_mock_hw_queue_destroy(struct sim_hw_queue *hw_queue)
{
	struct sim_mock_viommu *mv = hw_queue->viommu->priv;
	uint32_t index = (uint32_t)(uintptr_t)hw_queue->priv;

	mv->hw_queue[index] = NULL;
	if (index) /* Pairs with sim_mock_hw_queue_init() */
		atomic_fetch_sub(&mv->hw_queue[index - 1]->obj.users, 1);
}

/*
 * mock_hw_queue_init_phys(): indexes below IOMMU_TEST_HW_QUEUE_MAX, each once, each after the
 * one before it, which it then depends on (so queues are destroyed in descending order); the
 * address the core found must be where the parent domain maps the queue.
 */
static int sim_mock_hw_queue_init(struct sim_hw_queue *hw_queue, uint32_t index, uintptr_t base_va)
{
	struct sim_mock_viommu *mv = hw_queue->viommu->priv;
	struct sim_hw_queue *prev = NULL;
	uintptr_t va;
	uint64_t contig;

	if (index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;
	if (mv->hw_queue[index])
		return -EEXIST;
	if (index) {
		prev = mv->hw_queue[index - 1];
		if (!prev)
			return -EIO;
	}
	if (sim_iopt_translate(&hw_queue->viommu->hwpt->ioas->iopt, hw_queue->base_addr, false, &va,
			       &contig) ||
	    va != base_va)
		return -EFAULT;
	/* iommufd_hw_queue_depend(): the previous queue cannot go before this one. */
	if (prev)
		atomic_fetch_add(&prev->obj.users, 1); /* Pairs with sim_mock_hw_queue_destroy() */
	mv->hw_queue[index] = hw_queue;
	hw_queue->priv = (void *)(uintptr_t)index;
	hw_queue->destroy = sim_mock_hw_queue_destroy;
	return 0;
}

static int sim_mock_viommu_alloc_nested(struct sim_viommu *viommu, uint32_t flags,
					const struct sim_user_data *data, void **priv)
{
	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return -EOPNOTSUPP;
	return sim_mock_nested_alloc(data, priv);
}

/*
 * mock_viommu_cache_invalidate(): the whole array is read first (a bad entry length or an
 * unreadable entry fails it with nothing done), then entries run in order until a bad one.
 */
static int sim_mock_viommu_cache_invalidate(struct sim_viommu *viommu,
					    struct sim_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest *cmds;
	uint32_t done = 0;
	int rc = 0;

	/* A zero-length array checks the data type only. */
	if (!array->entry_num && array->type == IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return 0;
	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST || !array->entry_num) {
		array->entry_num = 0;
		return -EINVAL;
	}
	cmds = calloc(array->entry_num, sizeof(*cmds));
	if (!cmds) {
		array->entry_num = 0;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < array->entry_num && !rc; i++)
		rc = sim_copy_struct_from_user(
			&cmds[i], sizeof(*cmds),
			sim_u64_to_user_ptr(array->uptr + (uint64_t)array->entry_len * i),
			array->entry_len);
	for (; !rc && done < array->entry_num; done++) {
		const struct iommu_viommu_invalidate_selftest *cur = &cmds[done];
		struct sim_vdevice *vdev;
		struct sim_mock_dev *mdev;

		if (cur->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (cur->cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		vdev = sim_viommu_find_virt_id(viommu, cur->vdev_id);
		mdev = vdev ? sim_to_mock_dev(vdev->idev->pdev) : NULL;
		if (!mdev) {
			rc = -EINVAL;
			break;
		}
		if (cur->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(mdev->cache, 0, sizeof(mdev->cache));
		else
			mdev->cache[cur->cache_id] = 0;
	}
	array->entry_num = done;
	free(cmds);
	return rc;
}

static const struct sim_viommu_ops sim_mock_viommu_ops = {
	.init = sim_mock_viommu_init,
	.destroy = sim_mock_viommu_destroy,
	.alloc_nested = sim_mock_viommu_alloc_nested,
	.cache_invalidate = sim_mock_viommu_cache_invalidate,
	.hw_queue_supported = sim_mock_hw_queue_supported,
	.hw_queue_init = sim_mock_hw_queue_init,
};

static const struct sim_viommu_ops *sim_mock_viommu_type(struct sim_pdev *pdev, uint32_t type)
{
	return type == IOMMU_VIOMMU_TYPE_SELFTEST ? &sim_mock_viommu_ops : NULL;
}

const struct sim_iommu_ops sim_mock_ops = {
	.name = "iommufd-mock",
	/* mock_ops.user_pasid_table: PASID faults fall back to the RID's domain. */
	.user_pasid_table = true,
	.viommu_ops = sim_mock_viommu_type,
	.hw_info = sim_mock_hw_info,
	/* IOMMU_CAP_DIRTY_TRACKING; a NO_DIRTY device refuses dirty domains in its own ops. */
	.dirty_tracking = true,
	.paging_geometry = sim_mock_paging_geometry,
	.alloc_paging = sim_mock_alloc_paging,
	.alloc_nested = sim_mock_alloc_nested,
	.domain_free = sim_mock_domain_free,
	.attach_check = sim_mock_attach_check,
	.cache_invalidate_user = sim_mock_cache_invalidate_user,
	.set_dirty_tracking = sim_mock_set_dirty_tracking,
	.read_and_clear_dirty = sim_mock_read_and_clear_dirty,
};

/* ---- selftest objects: a mock device bound to the context (IOMMUFD_OBJ_SELFTEST) ------- */

struct sim_selftest_obj {
	struct sim_iommufd_object obj;
	struct sim_idev *idev;
	struct sim_pdev *pdev;
};

void sim_selftest_destroy(struct sim_iommufd_object *obj)
{
	struct sim_selftest_obj *sobj = (struct sim_selftest_obj *)obj;
	struct sim_pdev *pdev = sobj->pdev;

	/* PASIDs left attached go first: the device is going away under them. */
	while (pdev->nr_attach && pdev->attach[pdev->nr_attach - 1].pasid != SIM_IOMMU_NO_PASID)
		sim_iommufd_device_detach(sobj->idev, pdev->attach[pdev->nr_attach - 1].pasid);
	sim_iommufd_device_detach(sobj->idev, SIM_IOMMU_NO_PASID);
	sim_iommufd_device_unbind(sobj->idev);
	sim_pdev_destroy(pdev);
}

/* iommufd_test_mock_domain(): create a mock device, bind it and attach it to cmd->id. */
static int sim_test_mock_domain(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct sim_iommufd_ctx *ictx = ucmd->ictx;
	uint32_t pt_id = cmd->id, dev_flags = 0, idev_id;
	struct sim_selftest_obj *sobj;
	struct sim_idev *idev;
	int rc;

	sobj = (struct sim_selftest_obj *)sim_iommufd_object_alloc(ictx, sizeof(*sobj),
								   SIM_OBJ_SELFTEST);
	if (!sobj)
		return -ENOMEM;
	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	rc = sim_mock_dev_create(dev_flags, &sobj->pdev);
	if (rc)
		goto out_sobj;
	idev = sim_iommufd_device_bind(ictx, sobj->pdev, &idev_id, &rc);
	if (!idev)
		goto out_mdev;
	sobj->idev = idev;
	rc = sim_iommufd_device_attach(idev, SIM_IOMMU_NO_PASID, &pt_id);
	if (rc)
		goto out_unbind;
	/* Userspace destroys the stdev_id to destroy the device. */
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev_id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_detach;
	sim_iommufd_object_finalize(ictx, &sobj->obj);
	return 0;

out_detach:
	sim_iommufd_device_detach(idev, SIM_IOMMU_NO_PASID);
out_unbind:
	sim_iommufd_device_unbind(idev);
out_mdev:
	sim_pdev_destroy(sobj->pdev);
out_sobj:
	sim_iommufd_object_abort(ictx, &sobj->obj);
	return rc;
}

static struct sim_selftest_obj *sim_test_get_sobj(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_selftest_obj *)sim_iommufd_get_object(ictx, id, SIM_OBJ_SELFTEST);
}

/* iommufd_test_mock_domain_replace(): the device moves to another IOAS or HWPT. */
static int sim_test_mock_domain_replace(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct sim_selftest_obj *sobj = sim_test_get_sobj(ucmd->ictx, cmd->id);
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	int rc;

	if (!sobj)
		return -ENOENT;
	rc = sim_iommufd_device_replace(sobj->idev, SIM_IOMMU_NO_PASID, &pt_id);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	sim_iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int sim_test_pasid_op(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct sim_selftest_obj *sobj = sim_test_get_sobj(ucmd->ictx, cmd->id);
	int rc = 0;

	if (!sobj)
		return -ENOENT;
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		rc = sim_iommufd_device_attach(sobj->idev, cmd->pasid_attach.pasid,
					       &cmd->pasid_attach.pt_id);
		if (rc)
			break;
		rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
		if (rc)
			sim_iommufd_device_detach(sobj->idev, cmd->pasid_attach.pasid);
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = sim_iommufd_device_replace(sobj->idev, cmd->pasid_replace.pasid,
						&cmd->pasid_replace.pt_id);
		if (!rc)
			rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		/* Detaching what is not attached is fine. */
		sim_iommufd_device_detach(sobj->idev, cmd->pasid_detach.pasid);
		break;
	}
	sim_iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

/* iommufd_test_pasid_check_hwpt(): hwpt_id 0 checks that nothing is attached. */
static int sim_test_pasid_check_hwpt(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct sim_selftest_obj *sobj = sim_test_get_sobj(ucmd->ictx, cmd->id);
	struct sim_iommufd_object *pt_obj;
	struct sim_hwpt *attached;
	int rc = 0;

	if (!sobj)
		return -ENOENT;
	attached = sim_pdev_get_hwpt(sobj->pdev, cmd->pasid_check.pasid);
	if (!cmd->pasid_check.hwpt_id) {
		rc = attached ? -EINVAL : 0;
		goto out_put;
	}
	pt_obj = sim_iommufd_get_object(ucmd->ictx, cmd->pasid_check.hwpt_id, SIM_OBJ_ANY);
	if (!pt_obj) {
		rc = -ENOENT;
		goto out_put;
	}
	if (pt_obj->type != SIM_OBJ_HWPT_PAGING && pt_obj->type != SIM_OBJ_HWPT_NESTED)
		rc = -EINVAL;
	else if (!attached || &attached->obj != pt_obj)
		rc = -EINVAL;
	sim_iommufd_put_object(ucmd->ictx, pt_obj);
out_put:
	if (attached)
		sim_hwpt_put_shortterm(attached);
	sim_iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

/* ---- checks on domains, pins and caches ------------------------------------------------- */

static int sim_test_add_reserved(struct sim_iommufd_ucmd *ucmd, uint32_t ioas_id, uint64_t start,
				 uint64_t length)
{
	struct sim_ioas *ioas;
	uint64_t last;
	int rc;

	if (!length || __builtin_add_overflow(start, length - 1, &last))
		return -EINVAL;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (!ioas)
		return -ENOENT;
	/* No owner: the range stays for the IOAS's life, as iopt_reserve_iova(..., NULL). */
	rc = sim_iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* get_md_pagetable(): a paging HWPT of the mock driver. */
static struct sim_hwpt_paging *sim_test_get_md_paging(struct sim_iommufd_ctx *ictx, uint32_t id,
						      int *err)
{
	struct sim_hwpt_paging *hwpt;

	hwpt = (struct sim_hwpt_paging *)sim_iommufd_get_object(ictx, id, SIM_OBJ_HWPT_PAGING);
	if (!hwpt) {
		*err = -ENOENT;
		return NULL;
	}
	if (hwpt->common.owner != &sim_mock_ops) {
		sim_iommufd_put_object(ictx, &hwpt->common.obj);
		*err = -EINVAL;
		return NULL;
	}
	return hwpt;
}

/* The process address @iova maps in @iopt, whatever the mapping's permissions. */
static int sim_test_iova_to_va(struct sim_iopt *iopt, uint64_t iova, uintptr_t *va)
{
	uint64_t contig;
	int rc = sim_iopt_translate(iopt, iova, false, va, &contig);

	if (rc == -EACCES)
		rc = sim_iopt_translate(iopt, iova, true, va, &contig);
	return rc;
}

/*
 * iommufd_test_md_check_pa(): every MOCK_IO_PAGE_SIZE page at @iova must map the page under
 * @uptr. The kernel reads the domain's stored PFN; sim's domain maps exactly what the IOAS
 * maps, so the IOAS's process address for the IOVA is compared with @uptr.
 */
static int sim_test_md_check_map(struct sim_iommufd_ucmd *ucmd, uint32_t mockpt_id, uint64_t iova,
				 uint64_t length, uint64_t uptr)
{
	struct sim_hwpt_paging *hwpt;
	uint64_t end;
	int rc = 0;

	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE || uptr % MOCK_IO_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	hwpt = sim_test_get_md_paging(ucmd->ictx, mockpt_id, &rc);
	if (!hwpt)
		return rc;
	for (; length; length -= MOCK_IO_PAGE_SIZE) {
		uintptr_t va;
		char probe;

		/* get_user_pages_fast() of @uptr comes first: EFAULT if it is not mapped. */
		if (sim_copy_from_user(&probe, sim_u64_to_user_ptr(uptr), 1)) {
			rc = -EFAULT;
			break;
		}
		if (sim_test_iova_to_va(&hwpt->ioas->iopt, iova, &va) ||
		    !sim_same_frame(va, (uintptr_t)uptr)) {
			rc = -EINVAL;
			break;
		}
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
	}
	sim_iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* iommufd_test_md_check_refs(): the pin count of every page under @uptr is @refs. */
static int sim_test_md_check_refs(uint64_t uptr, uint64_t length, uint32_t refs)
{
	uint64_t end;

	if (length % SIM_PAGE_SIZE || uptr % SIM_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	for (; length; length -= SIM_PAGE_SIZE, uptr += SIM_PAGE_SIZE) {
		unsigned int count;
		int rc = sim_pin_count((uintptr_t)uptr, &count);

		if (rc)
			return rc;
		if (count != refs)
			return -EIO;
	}
	return 0;
}

static int sim_test_md_check_iotlb(struct sim_iommufd_ucmd *ucmd, uint32_t id, uint32_t iotlb_id,
				   uint32_t iotlb)
{
	struct sim_hwpt *hwpt;
	int rc = 0;

	hwpt = (struct sim_hwpt *)sim_iommufd_get_object(ucmd->ictx, id, SIM_OBJ_HWPT_NESTED);
	if (!hwpt)
		return -ENOENT;
	if (hwpt->owner != &sim_mock_ops || iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    ((struct sim_mock_nested *)hwpt->domain_priv)->iotlb[iotlb_id] != iotlb)
		rc = -EINVAL;
	sim_iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

static int sim_test_dev_check_cache(struct sim_iommufd_ucmd *ucmd, uint32_t idev_id,
				    uint32_t cache_id, uint32_t cache)
{
	struct sim_mock_dev *mdev;
	struct sim_idev *idev;
	int rc = 0;

	idev = sim_iommufd_get_device(ucmd->ictx, idev_id);
	if (!idev)
		return -ENOENT;
	mdev = sim_to_mock_dev(idev->pdev);
	if (!mdev || cache_id > MOCK_DEV_CACHE_ID_MAX || mdev->cache[cache_id] != cache)
		rc = -EINVAL;
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/*
 * iommufd_test_dirty(): mark dirty every mapped page whose bit is set in the user's bitmap
 * (bit i is the page at @iova + i * @page_size; like the kernel, the page is found by the
 * index IOVA / page_size in the mock's 2048-byte page table).
 */
static int sim_test_dirty(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length, psize = cmd->dirty.page_size;
	struct sim_hwpt_paging *hwpt;
	struct sim_mock_paging *mp;
	uint64_t max, count = 0;
	uint8_t *bits;
	int rc = 0;

	if (!psize || !length || iova % psize || length % psize || !cmd->dirty.uptr)
		return -EINVAL;
	hwpt = sim_test_get_md_paging(ucmd->ictx, cmd->id, &rc);
	if (!hwpt)
		return rc;
	mp = hwpt->common.domain_priv;
	if (!mp || !mp->dirty_track) {
		rc = -EINVAL;
		goto out_put;
	}
	max = length / psize;
	/* The kernel's kvzalloc() of the bitmap would fail long before this. */
	if (max > SIM_TEST_MAX_ACCESS * 8) {
		rc = -ENOMEM;
		goto out_put;
	}
	bits = calloc(1, (max + 7) / 8);
	if (!bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = sim_copy_from_user(bits, sim_u64_to_user_ptr(cmd->dirty.uptr), (max + 7) / 8);
	for (uint64_t i = 0; !rc && i < max; i++) {
		uint64_t page = (iova + i * psize) / psize * MOCK_IO_PAGE_SIZE;
		long d = sim_mock_dirty_index(page);
		uintptr_t va;

		if (!(bits[i / 8] & (1u << (i % 8))) || d < 0 ||
		    sim_test_iova_to_va(&hwpt->ioas->iopt, page, &va))
			continue;
		mp->dirty[d / 8] |= (uint8_t)(1u << (d % 8));
		count++;
	}
	free(bits);
	if (!rc) {
		cmd->dirty.out_nr_dirty = count;
		rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
out_put:
	sim_iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* iommufd_test_trigger_iopf(): one page request, the last of its group, from the device. */
static int sim_test_trigger_iopf(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct sim_idev *idev = sim_iommufd_get_device(ucmd->ictx, cmd->trigger_iopf.dev_id);
	int rc;

	if (!idev)
		return -ENOENT;
	rc = sim_iopf_report(idev->pdev, cmd->trigger_iopf.pasid,
			     cmd->trigger_iopf.pasid != SIM_IOMMU_NO_PASID, cmd->trigger_iopf.addr,
			     cmd->trigger_iopf.perm, cmd->trigger_iopf.grpid, true);
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* ---- accesses (the selftest's mdev-like driver) ----------------------------------------- */

struct sim_staccess_item {
	struct sim_staccess_item *next;
	uint64_t iova;
	uint64_t length;
	uint32_t id;
};

/* One access fd: the access and the ranges pinned through it (struct selftest_access). */
struct sim_staccess {
	struct sim_access *access;
	pthread_mutex_t lock;
	struct sim_staccess_item *items;
	uint32_t next_id;
};

static void sim_staccess_release(struct sim_file *file);

static const struct sim_file_ops sim_staccess_fops = {
	.name = "[iommufd_test_staccess]",
	.release = sim_staccess_release,
};

/* The access behind an access fd, with a file reference (put it with sim_file_put()). */
static struct sim_file *sim_staccess_get(int fd, struct sim_staccess **staccess)
{
	struct sim_file *file = sim_file_get(fd);

	if (!file)
		return NULL;
	if (file->ops != &sim_staccess_fops) {
		sim_file_put(file);
		return NULL;
	}
	*staccess = file->private_data;
	return file;
}

/* iommufd_test_access_unmap(): unpin every item the unmapped range touches. */
static void sim_staccess_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct sim_staccess *staccess = data;
	uint64_t iova_last = iova + length - 1;
	struct sim_staccess_item **pp, *item;

	pthread_mutex_lock(&staccess->lock);
	for (pp = &staccess->items; (item = *pp);) {
		if (iova > item->iova + item->length - 1 || iova_last < item->iova) {
			pp = &item->next;
			continue;
		}
		*pp = item->next;
		sim_access_unpin_pages(staccess->access, item->iova, item->length);
		free(item);
	}
	pthread_mutex_unlock(&staccess->lock);
}

static const struct sim_access_ops sim_staccess_ops_pin = {
	.needs_pin_pages = true,
	.unmap = sim_staccess_unmap,
};

static const struct sim_access_ops sim_staccess_ops = {
	.unmap = sim_staccess_unmap,
};

static void sim_staccess_release(struct sim_file *file)
{
	struct sim_staccess *staccess = file->private_data;

	if (staccess->access) {
		struct sim_iommufd_ctx *ictx = staccess->access->ictx;

		/* The context's mutex first, as on the ioctl path: unpinning takes it. */
		pthread_mutex_lock(&ictx->mutex);
		sim_staccess_unmap(staccess, 0, UINT64_MAX);
		pthread_mutex_unlock(&ictx->mutex);
		sim_access_destroy(staccess->access);
	}
	pthread_mutex_destroy(&staccess->lock);
	free(staccess);
}

static int sim_test_create_access(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint32_t flags = cmd->create_access.flags, id;
	struct sim_staccess *staccess;
	struct sim_access *access;
	struct sim_file *file;
	int rc, fd;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	staccess = calloc(1, sizeof(*staccess));
	if (!staccess)
		return -ENOMEM;
	pthread_mutex_init(&staccess->lock, NULL);
	access = sim_access_create(ucmd->ictx,
				   (flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
					   &sim_staccess_ops_pin :
					   &sim_staccess_ops,
				   staccess, &id, &rc);
	if (!access)
		goto out_free;
	rc = sim_access_attach(access, cmd->id);
	if (rc)
		goto out_destroy;
	staccess->access = access;
	fd = sim_file_create(&sim_staccess_fops, staccess, O_RDWR | O_CLOEXEC, &file);
	if (fd < 0) {
		rc = fd;
		staccess->access = NULL;
		goto out_destroy;
	}
	cmd->create_access.out_access_fd = (uint32_t)fd;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	/* Nobody saw the fd: its release destroys the access and frees the rest. */
	if (rc)
		sim_file_close(fd);
	return rc;

out_destroy:
	sim_access_destroy(access);
out_free:
	pthread_mutex_destroy(&staccess->lock);
	free(staccess);
	return rc;
}

/* The syzkaller form of an IOVA: {u32 nth_area, u32 offset} into the access's IOAS. */
static uint64_t sim_test_syz_conv_iova(struct sim_access *access, uint64_t iova)
{
	struct {
		uint32_t nth_area;
		uint32_t offset;
	} syz;
	struct sim_iopt *iopt;
	uint64_t ret = 0;

	if (!access->ioas)
		return 0;
	memcpy(&syz, &iova, sizeof(syz));
	iopt = &access->ioas->iopt;
	pthread_rwlock_rdlock(&iopt->lock);
	if (syz.nth_area < iopt->nr_areas)
		ret = iopt->areas[syz.nth_area]->iova + syz.offset;
	pthread_rwlock_unlock(&iopt->lock);
	return ret;
}

/* The pages pinned for an access must be the pages under @uptr (iommufd_test_check_pages). */
static int sim_test_check_pages(uint64_t uptr, const uintptr_t *pages, size_t npages)
{
	for (; npages; npages--, pages++, uptr += SIM_PAGE_SIZE) {
		char probe;

		if (sim_copy_from_user(&probe, sim_u64_to_user_ptr(uptr), 1))
			return -EFAULT;
		if (!sim_same_frame(*pages, uptr & ~(SIM_PAGE_SIZE - 1)))
			return -EBADE;
	}
	return 0;
}

static int sim_test_access_pages(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->access_pages.iova, length = cmd->access_pages.length, end;
	uint32_t flags = cmd->access_pages.flags;
	struct sim_staccess_item *item;
	struct sim_staccess *staccess;
	struct sim_file *file;
	uintptr_t *pages;
	size_t npages;
	int rc;

	if (length > SIM_TEST_MAX_ACCESS)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	file = sim_staccess_get((int)cmd->id, &staccess);
	if (!file)
		return -EBADFD;
	if (!staccess->access->ops->needs_pin_pages) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = sim_test_syz_conv_iova(staccess->access, iova);
	if (__builtin_add_overflow(iova, length, &end) || end > UINT64_MAX - SIM_PAGE_SIZE) {
		rc = -EOVERFLOW;
		goto out_put;
	}
	npages = (((end + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1)) -
		  (iova & ~(SIM_PAGE_SIZE - 1))) /
		 SIM_PAGE_SIZE;
	pages = calloc(npages ? npages : 1, sizeof(*pages));
	if (!pages) {
		rc = -ENOMEM;
		goto out_put;
	}

	/*
	 * As in the kernel, the pin and the item go in under the access's lock, so an unmap
	 * that runs in between finds the item to unpin.
	 */
	pthread_mutex_lock(&staccess->lock);
	rc = sim_access_pin_pages(staccess->access, iova, length, flags & MOCK_FLAGS_ACCESS_WRITE,
				  pages);
	if (rc)
		goto out_unlock;
	/* A NULL uptr skips the check (syzkaller). */
	if (cmd->access_pages.uptr) {
		rc = sim_test_check_pages(cmd->access_pages.uptr - (iova % SIM_PAGE_SIZE), pages,
					  npages);
		if (rc)
			goto out_unaccess;
	}
	item = calloc(1, sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto out_unaccess;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	item->next = staccess->items;
	staccess->items = item;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc)
		goto out_unlock;
	staccess->items = item->next;
	free(item);
out_unaccess:
	sim_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	pthread_mutex_unlock(&staccess->lock);
	free(pages);
out_put:
	sim_file_put(file);
	return rc;
}

static int sim_test_access_rw(struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->access_rw.iova, length = cmd->access_rw.length;
	void *ubuf = sim_u64_to_user_ptr(cmd->access_rw.uptr);
	uint32_t flags = cmd->access_rw.flags;
	bool write = flags & MOCK_ACCESS_RW_WRITE;
	struct sim_staccess *staccess;
	struct sim_file *file;
	void *tmp;
	int rc;

	if (length > SIM_TEST_MAX_ACCESS)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	file = sim_staccess_get((int)cmd->id, &staccess);
	if (!file)
		return -EBADFD;
	tmp = calloc(1, length ? length : 1);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (write) {
		rc = sim_copy_from_user(tmp, ubuf, length);
		if (rc)
			goto out_free;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = sim_test_syz_conv_iova(staccess->access, iova);
	/* SLOW_PATH picks the kernel's copy without the pinned pages; sim has one path. */
	rc = sim_access_rw(staccess->access, iova, tmp, length, write);
	if (!rc && !write)
		rc = sim_copy_to_user(ubuf, tmp, length);
out_free:
	free(tmp);
out_put:
	sim_file_put(file);
	return rc;
}

static int sim_test_destroy_access_pages(uint32_t access_fd, uint32_t item_id)
{
	struct sim_staccess_item **pp, *item;
	struct sim_staccess *staccess;
	struct sim_file *file;
	int rc = -ENOENT;

	file = sim_staccess_get((int)access_fd, &staccess);
	if (!file)
		return -EBADFD;
	pthread_mutex_lock(&staccess->lock);
	for (pp = &staccess->items; (item = *pp); pp = &item->next) {
		if (item->id != item_id)
			continue;
		*pp = item->next;
		sim_access_unpin_pages(staccess->access, item->iova, item->length);
		free(item);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&staccess->lock);
	sim_file_put(file);
	return rc;
}

static int sim_test_access_replace_ioas(uint32_t access_fd, uint32_t ioas_id)
{
	struct sim_staccess *staccess;
	struct sim_file *file;
	int rc;

	file = sim_staccess_get((int)access_fd, &staccess);
	if (!file)
		return -EBADFD;
	rc = sim_access_replace(staccess->access, ioas_id);
	sim_file_put(file);
	return rc;
}

/* ---- dispatch --------------------------------------------------------------------------- */

/*
 * iommufd_test_trigger_vevent(): an event carrying the device's virtual ID, on the vIOMMU of
 * the nested domain its RID is attached to. ENOENT when it is not attached to one, or has no
 * vDEVICE there, or its virtual ID is 0 (the mock's "unset").
 */
static int sim_test_trigger_vevent(struct sim_iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iommu_viommu_event_selftest test = {};
	struct sim_hwpt_nested *nested;
	struct sim_vdevice *vdev = NULL;
	struct sim_idev *idev;
	struct sim_hwpt *hwpt;
	int rc = -ENOENT;

	idev = sim_iommufd_get_device(ucmd->ictx, cmd->trigger_vevent.dev_id);
	if (!idev)
		return -ENOENT;
	hwpt = sim_pdev_get_hwpt(idev->pdev, SIM_IOMMU_NO_PASID);
	nested = hwpt ? sim_to_hwpt_nested(hwpt) : NULL;
	if (nested && nested->viommu)
		vdev = sim_viommu_find_vdev(nested->viommu, idev->pdev);
	if (vdev && vdev->virt_id) {
		test.virt_id = (uint32_t)vdev->virt_id;
		rc = sim_viommu_report_event(nested->viommu, IOMMU_VEVENTQ_TYPE_SELFTEST, &test,
					     sizeof(test));
	}
	if (hwpt)
		sim_hwpt_put_shortterm(hwpt);
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

int sim_iommufd_test(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return sim_test_add_reserved(ucmd, cmd->id, cmd->add_reserved.start,
					     cmd->add_reserved.length);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return sim_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return sim_test_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return sim_test_md_check_map(ucmd, cmd->id, cmd->check_map.iova,
					     cmd->check_map.length, cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return sim_test_md_check_refs(cmd->check_refs.uptr, cmd->check_refs.length,
					      cmd->check_refs.refs);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return sim_test_md_check_iotlb(ucmd, cmd->id, cmd->check_iotlb.id,
					       cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return sim_test_dev_check_cache(ucmd, cmd->id, cmd->check_dev_cache.id,
						cmd->check_dev_cache.cache);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return sim_test_create_access(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return sim_test_access_replace_ioas(cmd->id, cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return sim_test_access_pages(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return sim_test_access_rw(cmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return sim_test_destroy_access_pages(cmd->id,
						     cmd->destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* The kernel's batch needs room for one entry (a long and a u32). */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t))
			return -EINVAL;
		sim_test_memory_limit = cmd->memory_limit.limit;
		return 0;
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return sim_test_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return sim_test_trigger_vevent(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
		return sim_test_pasid_op(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return sim_test_pasid_check_hwpt(ucmd, cmd);
	case IOMMU_TEST_OP_DIRTY:
		return sim_test_dirty(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
