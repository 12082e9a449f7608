// SPDX-License-Identifier: MIT
/*
 * io_pagetable: the IOVA -> user VA map of an IOAS, its allowed and reserved ranges and the
 * domains (HW pagetables) it feeds. Follows drivers/iommu/iommufd/io_pagetable.c rule for rule.
 *
 * Areas live in an array sorted by IOVA (binary search; inserts shift, which is fine for the
 * number of mappings a process makes). Reserved ranges are few and unsorted; allowed ranges are
 * sorted and disjoint. "Pinning" is modelled as checking that the user memory can be faulted
 * in with the needed access (MADV_POPULATE_READ/WRITE) once a domain is attached, which is when
 * the kernel pins; the memory is not actually locked against a later munmap(). The pin counts
 * the kernel would hold are kept all the same (pin.c), for the selftest's MD_CHECK_REFS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sim/iommufd/fork.h"
#include "sim/iommufd/iommufd_private.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define SIM_ULONG_MAX UINT64_MAX

static bool sim_overlaps(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

static uint64_t sim_roundup_pow_of_two(uint64_t v)
{
	return v <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(v - 1));
}

/* ---- notifiers -------------------------------------------------------------------------- */

static struct sim_iommu_notifier *sim_notifiers;
static pthread_rwlock_t sim_notifier_lock = PTHREAD_RWLOCK_INITIALIZER;

void sim_iommu_notifier_register(struct sim_iommu_notifier *n)
{
	pthread_rwlock_wrlock(&sim_notifier_lock);
	n->next = sim_notifiers;
	sim_notifiers = n;
	pthread_rwlock_unlock(&sim_notifier_lock);
}

void sim_iommu_notifier_unregister(struct sim_iommu_notifier *n)
{
	pthread_rwlock_wrlock(&sim_notifier_lock);
	for (struct sim_iommu_notifier **p = &sim_notifiers; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			break;
		}
	}
	pthread_rwlock_unlock(&sim_notifier_lock);
}

void sim_iommu_notify_unmap(struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	pthread_rwlock_rdlock(&sim_notifier_lock);
	for (struct sim_iommu_notifier *n = sim_notifiers; n; n = n->next)
		if (n->iopt_unmap)
			n->iopt_unmap(n->data, iopt, iova, length);
	pthread_rwlock_unlock(&sim_notifier_lock);
}

void sim_iommu_notify_flush(struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages, bool leaf)
{
	pthread_rwlock_rdlock(&sim_notifier_lock);
	for (struct sim_iommu_notifier *n = sim_notifiers; n; n = n->next)
		if (n->hwpt_flush)
			n->hwpt_flush(n->data, hwpt, addr, npages, leaf);
	pthread_rwlock_unlock(&sim_notifier_lock);
}

void sim_iommu_notify_attach(struct sim_pdev *pdev, uint32_t pasid, struct sim_hwpt *old,
			     struct sim_hwpt *new)
{
	pthread_rwlock_rdlock(&sim_notifier_lock);
	for (struct sim_iommu_notifier *n = sim_notifiers; n; n = n->next)
		if (n->attach)
			n->attach(n->data, pdev, pasid, old, new);
	pthread_rwlock_unlock(&sim_notifier_lock);
}

/* ---- pages ------------------------------------------------------------------------------ */

static struct sim_iopt_pages *sim_iopt_alloc_pages(uint64_t uptr, uint64_t length, bool writable,
						   int *err)
{
	struct sim_iopt_pages *pages;
	uint64_t end;

	if (length > SIZE_MAX - SIM_PAGE_SIZE || length == 0) {
		*err = -EINVAL;
		return NULL;
	}
	if (__builtin_add_overflow(uptr, length, &end)) {
		*err = -EOVERFLOW;
		return NULL;
	}
	pages = calloc(1, sizeof(*pages));
	if (!pages) {
		*err = -ENOMEM;
		return NULL;
	}
	atomic_init(&pages->refs, 1);
	pages->uptr = uptr & ~(SIM_PAGE_SIZE - 1);
	pages->length = end - pages->uptr;
	pages->writable = writable;
	pages->file_fd = -1;
	/* A forked child's map: its mm is the source (the kernel's pages->source_mm). */
	pages->src_mm = sim_mm_get_current();
	return pages;
}

static void sim_iopt_put_pages(struct sim_iopt_pages *pages)
{
	if (atomic_fetch_sub(&pages->refs, 1) != 1)
		return;
	sim_pages_pin_release(pages);
	if (pages->file_fd >= 0) {
		munmap((void *)pages->uptr, pages->map_len);
		close(pages->file_fd);
	}
	if (pages->src_mm)
		sim_mm_put(pages->src_mm); /* Pairs with sim_mm_get_current() */
	if (pages->snap_len)
		munmap((void *)pages->uptr, pages->snap_len);
	free(pages);
}

/* /proc/self/maps fallback for kernels without MADV_POPULATE_*: every byte mapped with @prot. */
static int sim_check_maps(uintptr_t start, uintptr_t end, bool write)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	uintptr_t cur = start;

	if (!f)
		return -EFAULT;
	while (cur < end && fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		char perms[5];

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) != 3)
			continue;
		if (hi <= cur || lo > cur)
			continue;
		if (perms[0] != 'r' || (write && perms[1] != 'w'))
			break;
		cur = hi;
	}
	fclose(f);
	return cur >= end ? 0 : -EFAULT;
}

/*
 * The kernel pins with FOLL_WRITE for writable pages; a range that cannot be faulted in with
 * that access gives EFAULT.
 */
static int sim_iopt_pin_pages(struct sim_iopt_pages *pages, uint64_t start_byte, uint64_t length)
{
	uintptr_t start, end;
	size_t len;
	int advice = pages->writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

	/* Another process's pages become ours first (EFAULT once that process is gone). */
	if (__atomic_load_n(&pages->src_mm, __ATOMIC_ACQUIRE)) {
		int rc = sim_mm_resolve_pages(pages);

		if (rc)
			return rc;
	}
	start = (pages->uptr + start_byte) & ~(SIM_PAGE_SIZE - 1);
	end = pages->uptr + start_byte + length;
	len = ((end - start) + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1);

	/* memfd_pin_folios() refuses what lies past the end of the file. */
	if (pages->file_fd >= 0) {
		struct stat st;

		if (fstat(pages->file_fd, &st) ||
		    pages->file_start + start_byte + length > (uint64_t)st.st_size)
			return -EINVAL;
	}
	if (!madvise((void *)start, len, advice))
		return 0;
	/* Old kernels reject the advice itself; any other failure is a bad range. */
	if (errno == EINVAL && madvise(NULL, 0, advice) && errno == EINVAL)
		return sim_check_maps(start, end, pages->writable);
	return -EFAULT;
}

/* The PAGE_SIZE indexes of @pages that bytes [@start_byte, @start_byte + @length) touch. */
static void sim_pages_index_range(uint64_t start_byte, uint64_t length, size_t *first, size_t *last)
{
	*first = start_byte / SIM_PAGE_SIZE;
	*last = (start_byte + length - 1) / SIM_PAGE_SIZE;
}

/* Pins an area for the IOAS's domains (every domain shares the one pin). */
static int sim_iopt_pin_area(struct sim_iopt_area *area)
{
	uint64_t length = area->last - area->iova + 1;
	size_t first, last;
	int rc;

	if (area->pinned)
		return 0;
	rc = sim_iopt_pin_pages(area->pages, area->start_byte, length);
	if (rc)
		return rc;
	sim_pages_index_range(area->start_byte, length, &first, &last);
	rc = sim_pages_pin(area->pages, first, last);
	if (rc)
		return rc;
	area->pinned = true;
	return 0;
}

static void sim_iopt_unpin_area(struct sim_iopt_area *area)
{
	size_t first, last;

	if (!area->pinned)
		return;
	sim_pages_index_range(area->start_byte, area->last - area->iova + 1, &first, &last);
	sim_pages_unpin(area->pages, first, last);
	area->pinned = false;
}

/* ---- the table -------------------------------------------------------------------------- */

void sim_iopt_init(struct sim_iopt *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	pthread_rwlock_init(&iopt->lock, NULL);
	/* Tables start as software tables: the whole size_t space, no alignment. */
	iopt->iova_alignment = 1;
}

void sim_iopt_destroy(struct sim_iopt *iopt)
{
	/* Areas are unmapped by the owner (IOAS destroy); domains are gone by now. */
	free(iopt->areas);
	free(iopt->reserved);
	free(iopt->allowed);
	free(iopt->domains);
	free(iopt->accesses);
	pthread_rwlock_destroy(&iopt->lock);
}

/* Index of the first area with last >= @iova (the first that could contain or follow it). */
static size_t sim_area_lower_bound(const struct sim_iopt *iopt, uint64_t iova)
{
	size_t lo = 0, hi = iopt->nr_areas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (iopt->areas[mid]->last < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The lowest area intersecting [start, last], or NULL. */
static struct sim_iopt_area *sim_area_iter_first(const struct sim_iopt *iopt, uint64_t start,
						 uint64_t last, size_t *idx)
{
	size_t i = sim_area_lower_bound(iopt, start);

	if (i < iopt->nr_areas && iopt->areas[i]->iova <= last) {
		if (idx)
			*idx = i;
		return iopt->areas[i];
	}
	return NULL;
}

static bool sim_reserved_intersects(const struct sim_iopt *iopt, uint64_t start, uint64_t last)
{
	for (size_t i = 0; i < iopt->nr_reserved; i++)
		if (sim_overlaps(start, last, iopt->reserved[i].start, iopt->reserved[i].last))
			return true;
	return false;
}

static bool sim_allowed_intersects(const struct sim_iopt *iopt, uint64_t start, uint64_t last)
{
	for (size_t i = 0; i < iopt->nr_allowed; i++)
		if (sim_overlaps(start, last, iopt->allowed[i].start, iopt->allowed[i].last))
			return true;
	return false;
}

static int sim_area_insert(struct sim_iopt *iopt, struct sim_iopt_area *area)
{
	size_t i;

	if (iopt->nr_areas == iopt->cap_areas) {
		size_t cap = iopt->cap_areas ? iopt->cap_areas * 2 : 16;
		struct sim_iopt_area **a = realloc(iopt->areas, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		iopt->areas = a;
		iopt->cap_areas = cap;
	}
	i = sim_area_lower_bound(iopt, area->iova);
	memmove(&iopt->areas[i + 1], &iopt->areas[i], (iopt->nr_areas - i) * sizeof(*iopt->areas));
	iopt->areas[i] = area;
	iopt->nr_areas++;
	return 0;
}

static void sim_area_remove_at(struct sim_iopt *iopt, size_t i)
{
	memmove(&iopt->areas[i], &iopt->areas[i + 1],
		(iopt->nr_areas - i - 1) * sizeof(*iopt->areas));
	iopt->nr_areas--;
}

/* ---- IOVA allocation -------------------------------------------------------------------- */

/* __alloc_iova_check_range(): align *@start up (no wrap), keep the page offset, fit @length. */
static bool sim_alloc_iova_check_range(uint64_t *start, uint64_t last, uint64_t length,
				       uint64_t iova_alignment, uint64_t page_offset)
{
	uint64_t aligned_start;

	if (__builtin_add_overflow(*start, iova_alignment - 1, &aligned_start))
		return false;
	aligned_start &= ~(iova_alignment - 1);
	aligned_start |= page_offset;
	if (aligned_start >= last || last - aligned_start < length - 1)
		return false;
	*start = aligned_start;
	return true;
}

static int sim_range_cmp(const void *a, const void *b)
{
	const struct sim_iopt_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The used IOVA (reserved ranges and areas), sorted by start; entries may overlap, the
 * hole walk below merges them.
 */
static struct sim_iopt_range *sim_iopt_used_ranges(const struct sim_iopt *iopt, size_t *nr)
{
	size_t n = iopt->nr_reserved + iopt->nr_areas, k = 0;
	struct sim_iopt_range *used = malloc((n ? n : 1) * sizeof(*used));

	if (!used)
		return NULL;
	for (size_t i = 0; i < iopt->nr_reserved; i++)
		used[k++] = iopt->reserved[i];
	for (size_t i = 0; i < iopt->nr_areas; i++)
		used[k++] =
			(struct sim_iopt_range){ iopt->areas[i]->iova, iopt->areas[i]->last, NULL };
	qsort(used, k, sizeof(*used), sim_range_cmp);
	*nr = k;
	return used;
}

/* First hole of @used inside [lo, hi] that fits; 0 with *@iova, or -ENOSPC. */
static int sim_alloc_in_span(const struct sim_iopt_range *used, size_t nr, uint64_t lo, uint64_t hi,
			     uint64_t length, uint64_t align, uint64_t page_offset, uint64_t *iova)
{
	uint64_t cur = lo;

	for (size_t i = 0; i <= nr; i++) {
		uint64_t hole_last, start;

		if (i < nr) {
			if (used[i].last < cur)
				continue;
			if (used[i].start > hi)
				goto last_hole;
			if (used[i].start > cur) {
				hole_last = used[i].start - 1;
				start = cur;
				if (sim_alloc_iova_check_range(&start, hole_last, length, align,
							       page_offset)) {
					*iova = start;
					return 0;
				}
			}
			if (used[i].last >= hi)
				return -ENOSPC;
			cur = used[i].last + 1;
			continue;
		}
last_hole:
		start = cur;
		if (sim_alloc_iova_check_range(&start, hi, length, align, page_offset)) {
			*iova = start;
			return 0;
		}
		return -ENOSPC;
	}
	return -ENOSPC;
}

/* iopt_alloc_iova(): never returns IOVA 0 (the search starts at PAGE_SIZE). */
static int sim_iopt_alloc_iova(struct sim_iopt *iopt, uint64_t *iova, uint64_t uptr,
			       uint64_t length)
{
	uint64_t page_offset = uptr % SIM_PAGE_SIZE;
	uint64_t win_lo = SIM_PAGE_SIZE, win_hi = SIM_ULONG_MAX - SIM_PAGE_SIZE;
	struct sim_iopt_range *used;
	uint64_t iova_alignment;
	size_t nr_used;
	int rc = -ENOSPC;

	if (length == 0 || length >= SIM_ULONG_MAX / 2)
		return -EOVERFLOW;
	/* Keep the alignment the user VA has: it lets a THP map as one large IOPTE. */
	iova_alignment = sim_roundup_pow_of_two(length);
	if (uptr && (1ULL << __builtin_ctzll(uptr)) < iova_alignment)
		iova_alignment = 1ULL << __builtin_ctzll(uptr);
	if (iova_alignment >= SIM_HPAGE_SIZE)
		iova_alignment = SIM_HPAGE_SIZE;
	if (iova_alignment < iopt->iova_alignment)
		return -EINVAL;

	used = sim_iopt_used_ranges(iopt, &nr_used);
	if (!used)
		return -ENOMEM;
	if (!iopt->nr_allowed) {
		uint64_t start = win_lo;

		if (sim_alloc_iova_check_range(&start, win_hi, length, iova_alignment, page_offset))
			rc = sim_alloc_in_span(used, nr_used, start, win_hi, length, iova_alignment,
					       page_offset, iova);
	} else {
		for (size_t i = 0; i < iopt->nr_allowed && rc; i++) {
			uint64_t lo = iopt->allowed[i].start, hi = iopt->allowed[i].last;

			if (hi < win_lo || lo > win_hi)
				continue;
			lo = lo < win_lo ? win_lo : lo;
			hi = hi > win_hi ? win_hi : hi;
			/* Adjacent allowed ranges form one span, as in the interval tree walk. */
			while (i + 1 < iopt->nr_allowed && iopt->allowed[i + 1].start == hi + 1) {
				i++;
				hi = iopt->allowed[i].last > win_hi ? win_hi :
								      iopt->allowed[i].last;
			}
			if (!sim_alloc_iova_check_range(&lo, hi, length, iova_alignment,
							page_offset))
				continue;
			rc = sim_alloc_in_span(used, nr_used, lo, hi, length, iova_alignment,
					       page_offset, iova);
		}
	}
	free(used);
	return rc;
}

static int sim_iopt_check_iova(struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (sim_reserved_intersects(iopt, iova, last))
		return -EINVAL;
	if (sim_area_iter_first(iopt, iova, last, NULL))
		return -EEXIST;
	return 0;
}

/* ---- map / unmap ------------------------------------------------------------------------ */

int sim_iopt_map_pages(struct sim_iopt *iopt, struct sim_iopt_pages_elm *elms, size_t nr,
		       uint64_t length, uint64_t *dst_iova, int prot, bool alloc_iova)
{
	struct sim_iopt_area **areas;
	uint64_t iova;
	size_t i;
	int rc = 0;

	areas = calloc(nr, sizeof(*areas));
	if (!areas)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		areas[i] = calloc(1, sizeof(**areas));
		if (!areas[i]) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	pthread_rwlock_wrlock(&iopt->lock);
	if ((length & (iopt->iova_alignment - 1)) || !length) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (alloc_iova)
		rc = sim_iopt_alloc_iova(iopt, dst_iova, elms[0].pages->uptr + elms[0].start_byte,
					 length);
	else
		rc = sim_iopt_check_iova(iopt, *dst_iova, length);
	if (rc)
		goto out_unlock;

	/* Validate every piece (iopt_insert_area()'s checks) before anything is inserted. */
	iova = *dst_iova;
	for (i = 0; i < nr; i++) {
		struct sim_iopt_area *area = areas[i];

		if ((prot & SIM_IOMMU_WRITE) && !elms[i].pages->writable) {
			rc = -EPERM;
			goto out_unlock;
		}
		area->prot = prot;
		if (((elms[i].pages->uptr + elms[i].start_byte) % SIM_PAGE_SIZE) &
		    (iopt->iova_alignment - 1)) {
			rc = -EINVAL;
			goto out_unlock;
		}
		area->iova = iova;
		if (__builtin_add_overflow(iova, elms[i].length - 1, &area->last)) {
			rc = -EOVERFLOW;
			goto out_unlock;
		}
		area->start_byte = elms[i].start_byte;
		area->pages = elms[i].pages;
		iova += elms[i].length;
	}
	/* With a domain attached the pages are pinned now (EFAULT), else lazily. */
	if (iopt->nr_domains) {
		for (i = 0; i < nr; i++) {
			rc = sim_iopt_pin_area(areas[i]);
			if (rc)
				goto out_unpin;
		}
	}
	for (i = 0; i < nr; i++) {
		rc = sim_area_insert(iopt, areas[i]);
		if (rc) {
			/* Undo the inserts so far: nothing changes on failure. */
			while (i--) {
				size_t idx;

				sim_area_iter_first(iopt, areas[i]->iova, areas[i]->iova, &idx);
				sim_area_remove_at(iopt, idx);
			}
			goto out_unpin;
		}
	}
	/* The areas now own the page references (moved from the list). */
	for (i = 0; i < nr; i++) {
		elms[i].pages = NULL;
		areas[i] = NULL;
	}
	goto out_unlock;

out_unpin:
	for (i = 0; i < nr; i++)
		sim_iopt_unpin_area(areas[i]);
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
out_free:
	for (i = 0; i < nr; i++)
		free(areas[i]);
	free(areas);
	return rc;
}

int sim_iopt_map_user(struct sim_iopt *iopt, uint64_t *iova, uint64_t uptr, uint64_t length,
		      int prot, bool alloc_iova)
{
	struct sim_iopt_pages_elm elm;
	int rc = 0;

	elm.pages = sim_iopt_alloc_pages(uptr, length, prot & SIM_IOMMU_WRITE, &rc);
	if (!elm.pages)
		return rc;
	elm.start_byte = uptr - elm.pages->uptr;
	elm.length = length;
	rc = sim_iopt_map_pages(iopt, &elm, 1, length, iova, prot, alloc_iova);
	if (elm.pages)
		sim_iopt_put_pages(elm.pages); /* Pairs with sim_iopt_alloc_pages() on failure */
	return rc;
}

void sim_iopt_put_pages_list(struct sim_iopt_pages_elm *elms, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (elms[i].pages)
			sim_iopt_put_pages(elms[i].pages);
	free(elms);
}

/* iopt_get_pages(): the pieces of contiguous areas covering [iova, iova + length). */
int sim_iopt_get_pages(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
		       struct sim_iopt_pages_elm **out, size_t *nr_out)
{
	struct sim_iopt_pages_elm *elms = NULL;
	uint64_t last_iova, cur;
	size_t nr = 0, i;
	bool done = false;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;

	pthread_rwlock_rdlock(&iopt->lock);
	cur = iova;
	if (!sim_area_iter_first(iopt, iova, iova, &i)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	/* Each next area must start right where the previous one ended. */
	for (; i < iopt->nr_areas && iopt->areas[i]->iova <= cur; i++) {
		struct sim_iopt_area *area = iopt->areas[i];
		uint64_t last = last_iova < area->last ? last_iova : area->last;
		struct sim_iopt_pages_elm *n;

		n = realloc(elms, (nr + 1) * sizeof(*elms));
		if (!n) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		elms = n;
		elms[nr].pages = area->pages;
		elms[nr].start_byte = area->start_byte + (cur - area->iova);
		elms[nr].length = last - cur + 1;
		atomic_fetch_add(&area->pages->refs, 1); /* Pairs with sim_iopt_put_pages_list() */
		nr++;
		if (last == last_iova) {
			done = true;
			break;
		}
		cur = last + 1;
	}
	if (!done)
		rc = -ENOENT;
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	if (rc) {
		sim_iopt_put_pages_list(elms, nr);
		return rc;
	}
	*out = elms;
	*nr_out = nr;
	return 0;
}

/* iommufd_access_notify_unmap(): every access on @iopt unpins what it has in the range. */
static void sim_iopt_notify_accesses(struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	for (size_t i = 0;; i++) {
		struct sim_access *access;

		pthread_rwlock_rdlock(&iopt->lock);
		access = i < iopt->nr_accesses ? iopt->accesses[i] : NULL;
		pthread_rwlock_unlock(&iopt->lock);
		if (!access)
			break;
		/* Its unmap op unpins, which takes the lock for writing. */
		access->ops->unmap(access->data, iova, length);
	}
}

/*
 * iopt_unmap_iova_range(): removes the areas inside [start, last] lowest first. An area that
 * sticks out stops the walk with ENOENT, keeping the areas already removed, exactly as the
 * kernel does (the command reports the error and the earlier areas are gone). An area that
 * accesses have pinned pages of is unmapped only after they unpinned them on request.
 */
static int sim_iopt_unmap_iova_range(struct sim_iopt *iopt, uint64_t start, uint64_t last,
				     uint64_t *unmapped)
{
	uint64_t unmapped_bytes = 0, lo = UINT64_MAX, hi = 0;
	struct sim_iopt_area *area;
	unsigned int tries = 0;
	size_t idx;
	int rc = -ENOENT;

again:
	pthread_rwlock_wrlock(&iopt->lock);
	while ((area = sim_area_iter_first(iopt, start, last, &idx))) {
		/* Locked by an object that has not been destroyed (a HW queue), before ENOENT. */
		if (area->num_locks) {
			rc = -EBUSY;
			goto out_unlock;
		}
		if (area->iova < start || area->last > last) {
			rc = -ENOENT;
			goto out_unlock;
		}
		if (area->num_accesses) {
			uint64_t area_iova = area->iova, area_len = area->last - area->iova + 1;

			area->prevent_access = true;
			pthread_rwlock_unlock(&iopt->lock);
			sim_iopt_notify_accesses(iopt, area_iova, area_len);
			/* Something is not responding to unmap requests. */
			if (++tries > 100) {
				rc = -EDEADLOCK;
				goto out_notify;
			}
			goto again;
		}
		sim_area_remove_at(iopt, idx);
		unmapped_bytes += area->last - area->iova + 1;
		lo = area->iova < lo ? area->iova : lo;
		hi = area->last > hi ? area->last : hi;
		sim_iopt_unpin_area(area);
		sim_iopt_put_pages(area->pages);
		free(area);
	}
	if (unmapped_bytes)
		rc = 0;
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
out_notify:
	/* Cached translations die before the unmap returns. */
	if (unmapped_bytes)
		sim_iommu_notify_unmap(iopt, lo, hi - lo + 1);
	if (unmapped)
		*unmapped = unmapped_bytes;
	return rc;
}

int sim_iopt_unmap(struct sim_iopt *iopt, uint64_t iova, uint64_t length, uint64_t *unmapped)
{
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return sim_iopt_unmap_iova_range(iopt, iova, last, unmapped);
}

int sim_iopt_unmap_all(struct sim_iopt *iopt, uint64_t *unmapped)
{
	int rc = sim_iopt_unmap_iova_range(iopt, 0, SIM_ULONG_MAX, unmapped);

	return rc == -ENOENT ? 0 : rc;
}

int sim_iopt_translate(struct sim_iopt *iopt, uint64_t iova, bool write, uintptr_t *host_va,
		       uint64_t *contig_len)
{
	struct sim_iopt_area *area;
	int rc = 0;

	pthread_rwlock_rdlock(&iopt->lock);
	area = sim_area_iter_first(iopt, iova, iova, NULL);
	if (!area) {
		rc = -ENOENT;
	} else if (!(area->prot & (write ? SIM_IOMMU_WRITE : SIM_IOMMU_READ))) {
		rc = -EACCES;
	} else {
		*host_va = area->pages->uptr + area->start_byte + (iova - area->iova);
		*contig_len = area->last - iova + 1;
	}
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

/* ---- allowed / reserved ----------------------------------------------------------------- */

/* Takes ownership of @ranges (sorted, disjoint, validated by the caller) on success. */
int sim_iopt_set_allow_iova(struct sim_iopt *iopt, struct sim_iopt_range *ranges, size_t nr)
{
	pthread_rwlock_wrlock(&iopt->lock);
	for (size_t i = 0; i < nr; i++) {
		if (sim_reserved_intersects(iopt, ranges[i].start, ranges[i].last)) {
			pthread_rwlock_unlock(&iopt->lock);
			return -EADDRINUSE;
		}
	}
	free(iopt->allowed);
	iopt->allowed = ranges;
	iopt->nr_allowed = nr;
	pthread_rwlock_unlock(&iopt->lock);
	return 0;
}

/* iopt_reserve_iova() with the lock held for writing. */
static int sim_iopt_reserve_locked(struct sim_iopt *iopt, uint64_t start, uint64_t last,
				   const void *owner)
{
	if (sim_area_iter_first(iopt, start, last, NULL) ||
	    sim_allowed_intersects(iopt, start, last))
		return -EADDRINUSE;
	if (iopt->nr_reserved == iopt->cap_reserved) {
		size_t cap = iopt->cap_reserved ? iopt->cap_reserved * 2 : 8;
		struct sim_iopt_range *r = realloc(iopt->reserved, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		iopt->reserved = r;
		iopt->cap_reserved = cap;
	}
	iopt->reserved[iopt->nr_reserved++] = (struct sim_iopt_range){ start, last, owner };
	return 0;
}

static void sim_iopt_remove_reserved_locked(struct sim_iopt *iopt, const void *owner)
{
	size_t k = 0;

	for (size_t i = 0; i < iopt->nr_reserved; i++)
		if (iopt->reserved[i].owner != owner)
			iopt->reserved[k++] = iopt->reserved[i];
	iopt->nr_reserved = k;
}

int sim_iopt_reserve_iova(struct sim_iopt *iopt, uint64_t start, uint64_t last, const void *owner)
{
	int rc;

	pthread_rwlock_wrlock(&iopt->lock);
	rc = sim_iopt_reserve_locked(iopt, start, last, owner);
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

void sim_iopt_remove_reserved_iova(struct sim_iopt *iopt, const void *owner)
{
	pthread_rwlock_wrlock(&iopt->lock);
	sim_iopt_remove_reserved_locked(iopt, owner);
	pthread_rwlock_unlock(&iopt->lock);
}

int sim_iopt_enforce_dev_resv_regions(struct sim_iopt *iopt, const struct sim_pdev *pdev)
{
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->lock);
	for (unsigned int i = 0; i < pdev->nr_resv; i++) {
		rc = sim_iopt_reserve_locked(iopt, pdev->resv[i].start,
					     pdev->resv[i].start + pdev->resv[i].length - 1, pdev);
		if (rc) {
			sim_iopt_remove_reserved_locked(iopt, pdev);
			break;
		}
	}
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

uint32_t sim_iopt_iova_ranges(struct sim_iopt *iopt, struct iommu_iova_range *out, uint32_t max,
			      uint64_t *alignment)
{
	struct sim_iopt_range *res;
	uint32_t n = 0;
	uint64_t cur = 0;
	bool done = false;

	pthread_rwlock_rdlock(&iopt->lock);
	*alignment = iopt->iova_alignment;
	res = malloc((iopt->nr_reserved ? iopt->nr_reserved : 1) * sizeof(*res));
	if (res && iopt->nr_reserved) {
		memcpy(res, iopt->reserved, iopt->nr_reserved * sizeof(*res));
		qsort(res, iopt->nr_reserved, sizeof(*res), sim_range_cmp);
	}
	for (size_t i = 0; res && i < iopt->nr_reserved && !done; i++) {
		if (res[i].last < cur)
			continue;
		if (res[i].start > cur) {
			if (n < max)
				out[n] = (struct iommu_iova_range){ cur, res[i].start - 1 };
			n++;
		}
		if (res[i].last == SIM_ULONG_MAX)
			done = true;
		else
			cur = res[i].last + 1;
	}
	if (!done) {
		if (n < max)
			out[n] = (struct iommu_iova_range){ cur, SIM_ULONG_MAX };
		n++;
	}
	pthread_rwlock_unlock(&iopt->lock);
	free(res);
	return n;
}

/* ---- domains ---------------------------------------------------------------------------- */

static uint64_t sim_domain_alignment(const struct sim_iopt_domain *d)
{
	return 1ULL << __builtin_ctzll(d->pgsize_bitmap);
}

/* Every area conforms to a larger alignment; -EADDRINUSE if not. */
static int sim_iopt_check_iova_alignment(struct sim_iopt *iopt, uint64_t align)
{
	uint64_t mask = align - 1;

	for (size_t i = 0; i < iopt->nr_areas; i++) {
		struct sim_iopt_area *a = iopt->areas[i];

		if ((a->iova & mask) || ((a->last - a->iova + 1) & mask) ||
		    (((a->pages->uptr + a->start_byte) % SIM_PAGE_SIZE) & mask))
			return -EADDRINUSE;
	}
	return 0;
}

static int sim_iopt_calculate_iova_alignment(struct sim_iopt *iopt)
{
	uint64_t align = iopt->disable_large_pages ? SIM_PAGE_SIZE : 1;
	int rc;

	for (size_t i = 0; i < iopt->nr_domains; i++)
		if (sim_domain_alignment(iopt->domains[i]) > align)
			align = sim_domain_alignment(iopt->domains[i]);
	/* Accesses that pin pages need page-aligned areas too. */
	for (size_t i = 0; i < iopt->nr_accesses; i++)
		if (iopt->accesses[i]->iova_alignment > align)
			align = iopt->accesses[i]->iova_alignment;
	if (align > iopt->iova_alignment) {
		rc = sim_iopt_check_iova_alignment(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

int sim_iopt_add_domain(struct sim_iopt *iopt, struct sim_iopt_domain *domain)
{
	uint64_t new_align;
	int rc;

	pthread_rwlock_wrlock(&iopt->lock);
	new_align = sim_domain_alignment(domain);
	if (new_align < iopt->iova_alignment)
		new_align = iopt->iova_alignment;
	if (new_align > SIM_PAGE_SIZE) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (new_align != iopt->iova_alignment) {
		rc = sim_iopt_check_iova_alignment(iopt, new_align);
		if (rc)
			goto out_unlock;
	}
	/* Nothing may be mapped outside the domain's aperture. */
	if (domain->aperture_start != 0) {
		rc = sim_iopt_reserve_locked(iopt, 0, domain->aperture_start - 1, domain);
		if (rc)
			goto out_reserved;
	}
	if (domain->aperture_end != SIM_ULONG_MAX) {
		rc = sim_iopt_reserve_locked(iopt, domain->aperture_end + 1, SIM_ULONG_MAX, domain);
		if (rc)
			goto out_reserved;
	}
	if (iopt->nr_domains == iopt->cap_domains) {
		size_t cap = iopt->cap_domains ? iopt->cap_domains * 2 : 4;
		struct sim_iopt_domain **d = realloc(iopt->domains, cap * sizeof(*d));

		if (!d) {
			rc = -ENOMEM;
			goto out_reserved;
		}
		iopt->domains = d;
		iopt->cap_domains = cap;
	}
	/* The first domain pins every area (the others share those pins). */
	if (!iopt->nr_domains) {
		for (size_t i = 0; i < iopt->nr_areas; i++) {
			rc = sim_iopt_pin_area(iopt->areas[i]);
			if (rc) {
				while (i--)
					sim_iopt_unpin_area(iopt->areas[i]);
				goto out_reserved;
			}
		}
	}
	iopt->iova_alignment = new_align;
	iopt->domains[iopt->nr_domains++] = domain;
	pthread_rwlock_unlock(&iopt->lock);
	return 0;

out_reserved:
	sim_iopt_remove_reserved_locked(iopt, domain);
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

void sim_iopt_remove_domain(struct sim_iopt *iopt, struct sim_iopt_domain *domain)
{
	pthread_rwlock_wrlock(&iopt->lock);
	for (size_t i = 0; i < iopt->nr_domains; i++) {
		if (iopt->domains[i] == domain) {
			iopt->domains[i] = iopt->domains[--iopt->nr_domains];
			break;
		}
	}
	sim_iopt_remove_reserved_locked(iopt, domain);
	/* The last domain takes its pins along (accesses keep their own). */
	if (!iopt->nr_domains)
		for (size_t i = 0; i < iopt->nr_areas; i++)
			sim_iopt_unpin_area(iopt->areas[i]);
	/* Alignment can only shrink here, so this cannot fail. */
	sim_iopt_calculate_iova_alignment(iopt);
	pthread_rwlock_unlock(&iopt->lock);
}

int sim_iopt_disable_large_pages(struct sim_iopt *iopt)
{
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->lock);
	if (iopt->disable_large_pages)
		goto out_unlock;
	/* Not once domains may already hold large IOPTEs. */
	if (iopt->nr_domains && iopt->nr_areas) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iopt->disable_large_pages = true;
	rc = sim_iopt_calculate_iova_alignment(iopt);
	if (rc)
		iopt->disable_large_pages = false;
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

void sim_iopt_enable_large_pages(struct sim_iopt *iopt)
{
	pthread_rwlock_wrlock(&iopt->lock);
	iopt->disable_large_pages = false;
	sim_iopt_calculate_iova_alignment(iopt);
	pthread_rwlock_unlock(&iopt->lock);
}

/* ---- accesses --------------------------------------------------------------------------- */

/* iopt_add_access(): the IOAS's alignment grows to the access's if every area allows it. */
int sim_iopt_add_access(struct sim_iopt *iopt, struct sim_access *access)
{
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->lock);
	if (iopt->nr_accesses == iopt->cap_accesses) {
		size_t cap = iopt->cap_accesses ? iopt->cap_accesses * 2 : 4;
		struct sim_access **a = realloc(iopt->accesses, cap * sizeof(*a));

		if (!a) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		iopt->accesses = a;
		iopt->cap_accesses = cap;
	}
	iopt->accesses[iopt->nr_accesses++] = access;
	rc = sim_iopt_calculate_iova_alignment(iopt);
	if (rc)
		iopt->nr_accesses--;
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

void sim_iopt_remove_access(struct sim_iopt *iopt, struct sim_access *access)
{
	pthread_rwlock_wrlock(&iopt->lock);
	for (size_t i = 0; i < iopt->nr_accesses; i++) {
		if (iopt->accesses[i] == access) {
			memmove(&iopt->accesses[i], &iopt->accesses[i + 1],
				(iopt->nr_accesses - i - 1) * sizeof(*iopt->accesses));
			iopt->nr_accesses--;
			break;
		}
	}
	sim_iopt_calculate_iova_alignment(iopt);
	pthread_rwlock_unlock(&iopt->lock);
}

/*
 * iopt_area_contig_is_aligned(): inside a run of areas, every seam must fall on a page
 * boundary of both areas' pages, or the pages of the run would not line up one after another.
 */
static bool sim_area_seam_aligned(const struct sim_iopt_area *area, uint64_t cur, uint64_t last,
				  uint64_t first_iova, uint64_t last_iova)
{
	if (cur != first_iova && (area->start_byte + (cur - area->iova)) % SIM_PAGE_SIZE)
		return false;
	if (last != last_iova && (area->start_byte + (last - area->iova) + 1) % SIM_PAGE_SIZE)
		return false;
	return true;
}

/* Undoes the access pins of [iova, last_iova] (lock held for writing). */
static void sim_iopt_access_unpin_locked(struct sim_iopt *iopt, uint64_t iova, uint64_t last_iova)
{
	uint64_t cur = iova;
	size_t i;

	if (!sim_area_iter_first(iopt, iova, iova, &i))
		return;
	for (; i < iopt->nr_areas && iopt->areas[i]->iova <= cur; i++) {
		struct sim_iopt_area *area = iopt->areas[i];
		uint64_t last = last_iova < area->last ? last_iova : area->last;
		size_t first_idx, last_idx;

		sim_pages_index_range(area->start_byte + (cur - area->iova), last - cur + 1,
				      &first_idx, &last_idx);
		sim_pages_unpin(area->pages, first_idx, last_idx);
		if (area->num_accesses)
			area->num_accesses--;
		if (last == last_iova)
			break;
		cur = last + 1;
	}
}

int sim_iopt_access_pin(struct sim_iopt *iopt, uint64_t iova, uint64_t length, bool write,
			uintptr_t *out_va)
{
	uint64_t last_iova = iova + length - 1, cur = iova;
	bool done = false;
	size_t i;
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->lock);
	if (!sim_area_iter_first(iopt, iova, iova, &i)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	for (; i < iopt->nr_areas && iopt->areas[i]->iova <= cur; i++) {
		struct sim_iopt_area *area = iopt->areas[i];
		uint64_t last = last_iova < area->last ? last_iova : area->last;
		uint64_t start_byte = area->start_byte + (cur - area->iova);
		size_t first_idx, last_idx;

		if (area->prevent_access ||
		    !sim_area_seam_aligned(area, cur, last, iova, last_iova)) {
			rc = -EINVAL;
			break;
		}
		if (!(area->prot & (write ? SIM_IOMMU_WRITE : SIM_IOMMU_READ))) {
			rc = -EPERM;
			break;
		}
		rc = sim_iopt_pin_pages(area->pages, start_byte, last - cur + 1);
		if (rc)
			break;
		sim_pages_index_range(start_byte, last - cur + 1, &first_idx, &last_idx);
		rc = sim_pages_pin(area->pages, first_idx, last_idx);
		if (rc)
			break;
		area->num_accesses++;
		for (size_t p = first_idx; p <= last_idx; p++)
			*out_va++ = area->pages->uptr + p * SIM_PAGE_SIZE;
		if (last == last_iova) {
			done = true;
			break;
		}
		cur = last + 1;
	}
	if (!rc && !done)
		rc = -ENOENT;
	/* Nothing stays pinned on failure: [iova, cur) is what was pinned so far. */
	if (rc && cur != iova)
		sim_iopt_access_unpin_locked(iopt, iova, cur - 1);
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

void sim_iopt_access_unpin(struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	pthread_rwlock_wrlock(&iopt->lock);
	sim_iopt_access_unpin_locked(iopt, iova, iova + length - 1);
	pthread_rwlock_unlock(&iopt->lock);
}

void sim_iopt_lock_areas(struct sim_iopt *iopt, uint64_t iova, uint64_t length, bool lock)
{
	uint64_t last = iova + length - 1;
	size_t i;

	pthread_rwlock_wrlock(&iopt->lock);
	if (sim_area_iter_first(iopt, iova, last, &i)) {
		for (; i < iopt->nr_areas && iopt->areas[i]->iova <= last; i++) {
			if (lock)
				iopt->areas[i]->num_locks++;
			else if (iopt->areas[i]->num_locks)
				iopt->areas[i]->num_locks--;
		}
	}
	pthread_rwlock_unlock(&iopt->lock);
}

/*
 * iommufd_access_rw(): the copy goes through the process mapping behind each area, with the
 * kernel's checks on the way (an area being unmapped, or mapped without the permission).
 */
int sim_iopt_access_rw(struct sim_iopt *iopt, uint64_t iova, void *data, uint64_t length,
		       bool write)
{
	uint64_t last_iova = iova + length - 1, cur = iova;
	bool done = false;
	size_t i;
	int rc = 0;

	pthread_rwlock_rdlock(&iopt->lock);
	if (!sim_area_iter_first(iopt, iova, iova, &i)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	for (; i < iopt->nr_areas && iopt->areas[i]->iova <= cur; i++) {
		struct sim_iopt_area *area = iopt->areas[i];
		uint64_t last = last_iova < area->last ? last_iova : area->last;
		uint64_t offset = area->start_byte + (cur - area->iova);
		uint64_t bytes = last - cur + 1;

		if (area->prevent_access) {
			rc = -EINVAL;
			break;
		}
		if (write && !(area->prot & SIM_IOMMU_WRITE)) {
			rc = -EPERM;
			break;
		}
		/* The pages' process, not the caller's: the two differ across fork(). */
		rc = sim_mm_pages_rw(area->pages, offset, data, bytes, write);
		if (rc)
			break;
		data = (char *)data + bytes;
		if (last == last_iova) {
			done = true;
			break;
		}
		cur = last + 1;
	}
	if (!rc && !done)
		rc = -ENOENT;
out_unlock:
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

/* ---- IOAS_MAP_FILE ---------------------------------------------------------------------- */

#define SIM_HUGETLBFS_MAGIC 0x958458f6

/*
 * The kernel pins a memfd's folios straight from the file. sim has to reach them through a
 * mapping, so it maps the file itself (MAP_SHARED, the pages' own granule: a hugetlbfs file
 * cannot be mapped in 4 KiB pieces) and keeps a descriptor for the size checks at pin time.
 */
int sim_iopt_map_file(struct sim_iopt *iopt, uint64_t *iova, int fd, uint64_t start,
		      uint64_t length, int prot, bool alloc_iova)
{
	bool writable = prot & SIM_IOMMU_WRITE;
	struct sim_iopt_pages_elm elm;
	uint64_t granule = SIM_PAGE_SIZE, start_down, end;
	struct statfs sfs;
	void *va;
	int rc, dupfd;

	if (!length || length > SIZE_MAX - SIM_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(start, length, &end))
		return -EOVERFLOW;
	/* The caller's descriptor: a forked child's is not in our table. */
	dupfd = sim_fork_dup_user_fd(fd);
	if (dupfd < 0)
		return dupfd;
	if (!fstatfs(dupfd, &sfs) && sfs.f_type == SIM_HUGETLBFS_MAGIC && sfs.f_bsize > 0)
		granule = (uint64_t)sfs.f_bsize;
	start_down = start & ~(granule - 1);
	if (end > UINT64_MAX - granule) {
		rc = -EOVERFLOW;
		goto out_close;
	}
	elm.pages = calloc(1, sizeof(*elm.pages));
	if (!elm.pages) {
		rc = -ENOMEM;
		goto out_close;
	}
	elm.pages->map_len = ((end + granule - 1) & ~(granule - 1)) - start_down;
	va = mmap(NULL, elm.pages->map_len, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
		  dupfd, (off_t)start_down);
	if (va == MAP_FAILED) {
		/* Not a mappable file (the kernel takes only memfds): EINVAL, as memfd_pin_folios. */
		rc = errno == EACCES ? -EPERM : -EINVAL;
		goto out_free;
	}
	atomic_init(&elm.pages->refs, 1);
	elm.pages->uptr = (uintptr_t)va;
	elm.pages->length = end - start_down;
	elm.pages->writable = writable;
	elm.pages->file_fd = dupfd;
	elm.pages->file_start = start_down;
	elm.start_byte = start - start_down;
	elm.length = length;
	rc = sim_iopt_map_pages(iopt, &elm, 1, length, iova, prot, alloc_iova);
	if (elm.pages)
		sim_iopt_put_pages(elm.pages); /* Pairs with the atomic_init() above on failure */
	return rc;

out_free:
	free(elm.pages);
out_close:
	close(dupfd);
	return rc;
}

bool sim_iopt_all_file_backed(struct sim_iopt *iopt)
{
	bool all = true;

	pthread_rwlock_rdlock(&iopt->lock);
	for (size_t i = 0; i < iopt->nr_areas && all; i++)
		all = iopt->areas[i]->pages->file_fd >= 0;
	pthread_rwlock_unlock(&iopt->lock);
	return all;
}

/* ---- VFIO type1 cuts -------------------------------------------------------------------- */

/* iopt_area_split(): @area becomes [area->iova, @iova] and a new area takes the rest. */
static int sim_iopt_area_split(struct sim_iopt *iopt, struct sim_iopt_area *area, uint64_t iova)
{
	uint64_t new_start = iova + 1, align = iopt->iova_alignment, old_last = area->last;
	size_t lfirst, llast, rfirst, rlast, first, last;
	struct sim_iopt_area *rhs;
	int rc;

	if (area->prevent_access)
		return -EBUSY;
	if ((new_start & (align - 1)) ||
	    ((area->start_byte + (new_start - area->iova)) & (align - 1)))
		return -EINVAL;
	/* Pins of accesses are not tracked finely enough to be split. */
	if (area->num_accesses)
		return -EINVAL;
	/* A domain could map the area with large pages, which cannot be cut. */
	if (iopt->nr_domains && !iopt->disable_large_pages)
		return -EINVAL;
	rhs = calloc(1, sizeof(*rhs));
	if (!rhs)
		return -ENOMEM;
	*rhs = *area;
	rhs->iova = new_start;
	rhs->start_byte = area->start_byte + (new_start - area->iova);
	sim_pages_index_range(area->start_byte, iova - area->iova + 1, &lfirst, &llast);
	sim_pages_index_range(rhs->start_byte, rhs->last - rhs->iova + 1, &rfirst, &rlast);
	/* A pinned area's pin moves to the halves: both pinned before the whole lets go. */
	if (area->pinned) {
		rc = sim_pages_pin(area->pages, rfirst, rlast);
		if (rc)
			goto out_free;
		rc = sim_pages_pin(area->pages, lfirst, llast);
		if (rc)
			goto out_unpin_rhs;
	}
	area->last = iova;
	rc = sim_area_insert(iopt, rhs);
	if (rc) {
		area->last = old_last;
		goto out_unpin_lhs;
	}
	atomic_fetch_add(&area->pages->refs, 1); /* Pairs with the unmap of the new area */
	if (area->pinned) {
		sim_pages_index_range(area->start_byte, old_last - area->iova + 1, &first, &last);
		sim_pages_unpin(area->pages, first, last);
	}
	return 0;

out_unpin_lhs:
	if (area->pinned)
		sim_pages_unpin(area->pages, lfirst, llast);
out_unpin_rhs:
	if (area->pinned)
		sim_pages_unpin(area->pages, rfirst, rlast);
out_free:
	free(rhs);
	return rc;
}

int sim_iopt_cut_iova(struct sim_iopt *iopt, const uint64_t *iovas, size_t num)
{
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->lock);
	for (size_t i = 0; i < num && !rc; i++) {
		struct sim_iopt_area *area = sim_area_iter_first(iopt, iovas[i], iovas[i], NULL);

		if (!area || area->last == iovas[i])
			continue;
		rc = sim_iopt_area_split(iopt, area, iovas[i]);
	}
	pthread_rwlock_unlock(&iopt->lock);
	return rc;
}

int sim_iopt_area_last(struct sim_iopt *iopt, uint64_t iova, uint64_t *last)
{
	struct sim_iopt_area *area;

	pthread_rwlock_rdlock(&iopt->lock);
	area = sim_area_iter_first(iopt, iova, iova, NULL);
	if (area)
		*last = area->last;
	pthread_rwlock_unlock(&iopt->lock);
	return area ? 0 : -ENOENT;
}
