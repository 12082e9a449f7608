// SPDX-License-Identifier: MIT
/*
 * The VFIO type1 container emulation on /dev/iommu (drivers/iommu/iommufd/vfio_compat.c):
 * SET_IOMMU, MAP_DMA, UNMAP_DMA and GET_INFO act on the compat IOAS chosen with
 * IOMMU_VFIO_IOAS, with the argument checks and errno values of the kernel. Type1 (v1)
 * semantics, which may unmap part of a mapping, disable large pages and cut areas first.
 *
 * The type1 structs are written out here from their documented layout: svart's own VFIO
 * header (pasid/vfio_uapi.h) carries only the cdev commands.
 */
#include <errno.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"

#define SIM_VFIO_TYPE1_IOMMU 1
#define SIM_VFIO_TYPE1v2_IOMMU 3

#define SIM_VFIO_DMA_MAP_FLAG_READ (1 << 0)
#define SIM_VFIO_DMA_MAP_FLAG_WRITE (1 << 1)
#define SIM_VFIO_DMA_UNMAP_FLAG_ALL (1 << 1)
#define SIM_VFIO_IOMMU_INFO_PGSIZES (1 << 0)
#define SIM_VFIO_IOMMU_INFO_CAPS (1 << 1)
#define SIM_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE 1
#define SIM_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL 3

struct sim_vfio_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t vaddr;
	uint64_t iova;
	uint64_t size;
};
_Static_assert(sizeof(struct sim_vfio_dma_map) == 32, "vfio_iommu_type1_dma_map");

struct sim_vfio_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t iova;
	uint64_t size;
};
_Static_assert(sizeof(struct sim_vfio_dma_unmap) == 24, "vfio_iommu_type1_dma_unmap");

struct sim_vfio_info {
	uint32_t argsz;
	uint32_t flags;
	uint64_t iova_pgsizes;
	uint32_t cap_offset;
	uint32_t pad;
};
_Static_assert(sizeof(struct sim_vfio_info) == 24, "vfio_iommu_type1_info");

struct sim_vfio_cap_header {
	uint16_t id;
	uint16_t version;
	uint32_t next; /* offset of the next capability from the start of the info */
};

struct sim_vfio_cap_iova_range {
	struct sim_vfio_cap_header header;
	uint32_t nr_iovas;
	uint32_t reserved;
	/* followed by nr_iovas of { u64 start; u64 end; } */
};
_Static_assert(sizeof(struct sim_vfio_cap_iova_range) == 16, "cap_iova_range");

struct sim_vfio_cap_dma_avail {
	struct sim_vfio_cap_header header;
	uint32_t avail;
};
_Static_assert(sizeof(struct sim_vfio_cap_dma_avail) == 12, "cap_dma_avail");

/* get_compat_ioas(): the IOAS set with IOMMU_VFIO_IOAS, or -ENODEV ("no container"). */
static struct sim_ioas *sim_vfio_compat_ioas(struct sim_iommufd_ctx *ictx)
{
	if (!ictx->vfio_ioas)
		return NULL;
	return sim_iommufd_get_ioas(ictx, ictx->vfio_ioas->obj.id);
}

int sim_vfio_compat_set_iommu(struct sim_iommufd_ctx *ictx, unsigned long type)
{
	struct sim_ioas *ioas;
	int rc = 0;

	if (type != SIM_VFIO_TYPE1_IOMMU && type != SIM_VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	/* VFIO fails SET_IOMMU when there is no group. */
	ioas = sim_vfio_compat_ioas(ictx);
	if (!ioas)
		return -ENODEV;
	/* Type1 may unmap inside a mapping, which large IOPTEs would not allow. */
	if (type == SIM_VFIO_TYPE1_IOMMU)
		rc = sim_iopt_disable_large_pages(&ioas->iopt);
	sim_iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

int sim_vfio_compat_map_dma(struct sim_iommufd_ctx *ictx, void *arg)
{
	const uint32_t supported = SIM_VFIO_DMA_MAP_FLAG_READ | SIM_VFIO_DMA_MAP_FLAG_WRITE;
	struct sim_vfio_dma_map map;
	struct sim_ioas *ioas;
	uint64_t iova;
	int prot = 0, rc;

	if (sim_copy_from_user(&map, arg, sizeof(map)))
		return -EFAULT;
	if (map.argsz < sizeof(map) || (map.flags & ~supported))
		return -EINVAL;
	if (map.flags & SIM_VFIO_DMA_MAP_FLAG_READ)
		prot |= SIM_IOMMU_READ;
	if (map.flags & SIM_VFIO_DMA_MAP_FLAG_WRITE)
		prot |= SIM_IOMMU_WRITE;
	ioas = sim_vfio_compat_ioas(ictx);
	if (!ioas)
		return -ENODEV;
	iova = map.iova;
	rc = sim_iopt_map_user(&ioas->iopt, &iova, map.vaddr, map.size, prot, false);
	sim_iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

int sim_vfio_compat_unmap_dma(struct sim_iommufd_ctx *ictx, void *arg)
{
	struct sim_vfio_dma_unmap unmap;
	uint64_t unmapped = 0;
	struct sim_ioas *ioas;
	int rc;

	if (sim_copy_from_user(&unmap, arg, sizeof(unmap)))
		return -EFAULT;
	if (unmap.argsz < sizeof(unmap) || (unmap.flags & ~SIM_VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = sim_vfio_compat_ioas(ictx);
	if (!ioas)
		return -ENODEV;
	if (unmap.flags & SIM_VFIO_DMA_UNMAP_FLAG_ALL) {
		rc = unmap.iova || unmap.size ? -EINVAL :
						sim_iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		rc = 0;
		/* Type1 (large pages disabled): cut at both ends so the range can go alone. */
		if (ioas->iopt.disable_large_pages && unmap.size) {
			uint64_t iovas[] = { unmap.iova + unmap.size - 1, unmap.iova - 1 };

			rc = sim_iopt_cut_iova(&ioas->iopt, iovas, unmap.iova ? 2 : 1);
		}
		if (!rc)
			rc = sim_iopt_unmap(&ioas->iopt, unmap.iova, unmap.size, &unmapped);
	}
	sim_iommufd_put_object(ictx, &ioas->obj);
	if (rc)
		return rc;
	unmap.size = unmapped;
	return sim_copy_to_user(arg, &unmap, sizeof(unmap));
}

/* The IOVA holes, as iommufd_fill_cap_iova() reports them. */
static int sim_vfio_fill_cap_iova(struct sim_ioas *ioas, char *cur, size_t avail)
{
	struct sim_vfio_cap_iova_range cap = {
		.header = { .id = SIM_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1 },
	};
	struct iommu_iova_range ranges[16];
	uint64_t align;
	uint32_t n = sim_iopt_iova_ranges(&ioas->iopt, ranges, 16, &align);

	if (n > 16)
		n = 16;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t range[2] = { ranges[i].start, ranges[i].last };

		if (avail >= sizeof(cap) + (i + 1) * sizeof(range) &&
		    sim_copy_to_user(cur + sizeof(cap) + i * sizeof(range), range, sizeof(range)))
			return -EFAULT;
	}
	cap.nr_iovas = n;
	if (avail >= sizeof(cap) + n * 16 && sim_copy_to_user(cur, &cap, sizeof(cap)))
		return -EFAULT;
	return (int)(sizeof(cap) + n * 16);
}

static int sim_vfio_fill_cap_dma_avail(struct sim_ioas *ioas, char *cur, size_t avail)
{
	/* iommufd's limit is the memory cgroup's; vfio's usual U16_MAX is too low for s390. */
	const struct sim_vfio_cap_dma_avail cap = {
		.header = { .id = SIM_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		.avail = UINT32_MAX,
	};

	if (avail >= sizeof(cap) && sim_copy_to_user(cur, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

/*
 * iommufd_vfio_iommu_get_info(): the capabilities follow the info; each one is written only
 * if it fits whole, and argsz comes back as the size the whole chain needs.
 */
int sim_vfio_compat_get_info(struct sim_iommufd_ctx *ictx, void *arg)
{
	int (*const fill[])(struct sim_ioas *, char *, size_t) = {
		sim_vfio_fill_cap_iova,
		sim_vfio_fill_cap_dma_avail,
	};
	const size_t minsz = offsetofend(struct sim_vfio_info, iova_pgsizes);
	struct sim_vfio_info info = {};
	size_t total = sizeof(info), copy;
	uint32_t last_cap = 0;
	struct sim_ioas *ioas;
	uint64_t pgsizes = UINT64_MAX;
	int rc = 0;

	if (sim_copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	copy = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	if (sim_copy_from_user(&info, arg, copy))
		return -EFAULT;
	ioas = sim_vfio_compat_ioas(ictx);
	if (!ioas)
		return -ENODEV;
	/* The page sizes every domain of the IOAS supports. */
	for (size_t i = 0; i < ioas->nr_hwpts; i++)
		pgsizes &= ioas->hwpts[i]->domain.pgsize_bitmap;
	info.flags = SIM_VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = pgsizes;
	info.cap_offset = 0;
	for (size_t i = 0; i < sizeof(fill) / sizeof(fill[0]); i++) {
		size_t avail = info.argsz > total ? info.argsz - total : 0;
		int cap_size = fill[i](ioas, avail ? (char *)arg + total : NULL, avail);

		if (cap_size < 0) {
			rc = cap_size;
			goto out_put;
		}
		/* Chain the previous capability to this one if the caller has room for it. */
		if (last_cap && info.argsz >= total &&
		    sim_copy_to_user((char *)arg + last_cap +
					     offsetof(struct sim_vfio_cap_header, next),
				     &(uint32_t){ (uint32_t)total }, sizeof(uint32_t))) {
			rc = -EFAULT;
			goto out_put;
		}
		last_cap = (uint32_t)total;
		total += ((size_t)cap_size + 7) & ~(size_t)7;
	}
	/* Without room for every capability only some were written: argsz says how much. */
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= SIM_VFIO_IOMMU_INFO_CAPS;
	rc = sim_copy_to_user(arg, &info, copy);
out_put:
	sim_iommufd_put_object(ictx, &ioas->obj);
	return rc;
}
