// SPDX-License-Identifier: MIT
/*
 * A process address space bound to a device PASID through a nested IOAS. See pasid_as.h and
 * docs/IOMMU_MODEL.md ("Binding lifecycle").
 *
 * State: a sorted array of windows, each one IOAS_MAP of process memory (never crossing a
 * window-size boundary, never crossing a mapping) mirrored VA -> IOVA in the first stage.
 * A window is the unit of everything: it is mapped whole, and invalidated whole (IOAS_UNMAP
 * cannot split a mapping, and a window is small enough that refaulting the rest is cheap).
 *
 * Locking: as->lock around every window/table edit (page requests, prefault, invalidate,
 * the userfaultfd monitor); as->svc_lock serialises readers of the fault queue (it guards the
 * record buffer). Order: svc_lock, then lock. The userfaultfd monitor takes as->lock on its
 * worker thread only; its reader never waits for it, so a thread that holds as->lock and
 * unmaps watched memory (a free() trimming the heap, inside sim or libc) is never stuck.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasid/pasid.h"
#include "pasid/pasid_as.h"
#include "pasid/pasid_pgtbl.h"
#include "pasid/pasid_uffd.h"
#include "pasid/pasid_vma.h"
#include "runtime/rt_os.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

/* VT-d CAP/ECAP bits the binding depends on (Linux drivers/iommu/intel/iommu.h). */
#define VTD_CAP_MGAW(cap) ((unsigned int)(((cap) >> 16) & 0x3f) + 1)
#define VTD_CAP_FL1GP (1ULL << 56)
#define VTD_CAP_FL5LP (1ULL << 60)
#define VTD_ECAP_NEST (1ULL << 26)
#define VTD_ECAP_PRS (1ULL << 29)
#define VTD_ECAP_PASID (1ULL << 40)

#define AS_PAGE 4096ULL
/* Page-request records read at once: more than any device's outstanding group. */
#define AS_RECS 256
/* Table-pool chunks: 256 KiB each, one IOAS_MAP per chunk. */
#define AS_CHUNK_PAGES 64
#define AS_MAX_CHUNKS 64
#define AS_DEFAULT_TABLE_PAGES 4096

struct as_window {
	uint64_t va;
	uint64_t len;
	uint64_t iova;
	unsigned int prot; /* PROT_READ | PROT_WRITE | PROT_EXEC granted to the device */
};

struct as_chunk {
	uint64_t va;
	uint64_t len;
};

struct pasid_as {
	int iommufd;
	int vfio_fd;
	int fault_fd; /* -1: no fault queue */
	int maps_fd; /* -1: parse /proc/self/maps each time */
	uint32_t dev_id, pasid;
	uint32_t ioas_id, parent_id, nested_id, fault_id;
	unsigned int addr_width;
	uint64_t window; /* bytes, a power of two */
	uint64_t user_limit; /* first VA past the lower canonical half */
	bool populate; /* MADV_POPULATE_* works on this kernel */

	pthread_mutex_t lock;
	struct pasid_pgtbl_pool *pool;
	struct pasid_pgtbl *pt;
	struct as_chunk chunk[AS_MAX_CHUNKS]; /* table memory: never mapped for the device */
	unsigned int nr_chunks;
	struct as_window *win; /* sorted by va, disjoint */
	size_t nr_win, cap_win;
	uint64_t mapped_bytes;
	bool inv_broken; /* an invalidation failed: no IOVA or table page is reused until unbind */
	bool uffd;
	struct pasid_uffd_sub sub;
	uint64_t faults, faults_invalid, groups, invalidations, uffd_events, unwatched;

	pthread_mutex_t svc_lock;
	struct iommu_hwpt_pgfault recs[AS_RECS];
	bool svc_running;
	pthread_t svc_thread;
	int svc_stop_fd;
};

/* ---- windows ----------------------------------------------------------------------------- */

/* Index of the first window that ends above @va (nr_win if none). */
static size_t win_after(const struct pasid_as *as, uint64_t va)
{
	size_t lo = 0, hi = as->nr_win;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (as->win[mid].va + as->win[mid].len <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned int pgtbl_prot(unsigned int prot)
{
	/* U/S=1: the device's requests are user requests (SRE is off). */
	return PASID_PGTBL_READ | PASID_PGTBL_USER | ((prot & PROT_WRITE) ? PASID_PGTBL_WRITE : 0) |
	       ((prot & PROT_EXEC) ? 0 : PASID_PGTBL_NOEXEC);
}

/*
 * HWPT_INVALIDATE for what @inv records; then the deferred table pages go back to the pool.
 * A ranged request that fails is retried as a whole-PASID flush; if that fails too, the
 * binding stops reusing anything (inv_broken: no IOVA unmapped, no table page reclaimed until
 * unbind) rather than let a stale cached translation reach reused memory.
 *
 * Return: 0, or -EIO once broken.
 */
static int as_flush(struct pasid_as *as, const struct pasid_pgtbl_inv *inv)
{
	struct iommu_hwpt_vtd_s1_invalidate vi[PASID_PGTBL_INV_MAX];
	uint32_t num = pasid_pgtbl_inv_to_vtd(inv, vi, PASID_PGTBL_INV_MAX);
	int rc = 0;

	if (num) {
		as->invalidations++;
		rc = pasid_hwpt_invalidate(as->iommufd, as->nested_id, vi, &num);
		if (rc) {
			vi[0] = (struct iommu_hwpt_vtd_s1_invalidate){ .npages = UINT64_MAX };
			num = 1;
			as->invalidations++;
			rc = pasid_hwpt_invalidate(as->iommufd, as->nested_id, vi, &num);
		}
	}
	if (rc)
		as->inv_broken = true;
	if (as->inv_broken)
		return -EIO;
	pasid_pgtbl_reclaim(as->pt);
	return 0;
}

/*
 * Removes windows [@first, @last): first-stage entries, invalidation, then the IOVAs (only
 * once no cached translation can lead to them, since the IOAS may hand them out again), then
 * the table pages. Returns the number removed or -errno.
 */
static int as_unmap_windows(struct pasid_as *as, size_t first, size_t last)
{
	struct pasid_pgtbl_inv inv;
	int rc;

	pasid_pgtbl_inv_init(&inv);
	/* Exactly what was mapped: no split, so no allocation, so this cannot fail. */
	for (size_t i = first; i < last; i++)
		pasid_pgtbl_unmap(as->pt, as->win[i].va, as->win[i].len, &inv);
	rc = as_flush(as, &inv);
	for (size_t i = first; i < last; i++) {
		/* After a failed flush the IOVAs stay mapped (and pinned) until unbind. */
		if (!rc)
			pasid_ioas_unmap(as->iommufd, as->ioas_id, as->win[i].iova, as->win[i].len,
					 NULL);
		as->mapped_bytes -= as->win[i].len;
	}
	memmove(&as->win[first], &as->win[last], (as->nr_win - last) * sizeof(as->win[0]));
	as->nr_win -= last - first;
	return rc ? rc : (int)(last - first);
}

static int as_win_reserve(struct pasid_as *as)
{
	struct as_window *w;
	size_t cap = as->cap_win ? as->cap_win * 2 : 16;

	if (as->nr_win < as->cap_win)
		return 0;
	w = realloc(as->win, cap * sizeof(*w));
	if (!w)
		return -ENOMEM;
	as->win = w;
	as->cap_win = cap;
	return 0;
}

/* IOAS_MAP [ws, we) and mirror it in the first stage. Capacity is reserved by the caller. */
static int as_map_window(struct pasid_as *as, uint64_t ws, uint64_t we, unsigned int prot)
{
	uint32_t flags =
		IOMMU_IOAS_MAP_READABLE | ((prot & PROT_WRITE) ? IOMMU_IOAS_MAP_WRITEABLE : 0);
	struct pasid_pgtbl_inv inv;
	uint64_t iova = 0, len = we - ws;
	size_t i;
	int rc;

	/* The kernel pins here (populating, checking the access); sim checks the same way. */
	rc = pasid_ioas_map(as->iommufd, as->ioas_id, (const void *)(uintptr_t)ws, len, flags,
			    &iova);
	if (rc)
		return rc;
	pasid_pgtbl_inv_init(&inv);
	rc = pasid_pgtbl_map(as->pt, ws, iova, len, pgtbl_prot(prot), 0, &inv);
	if (rc) {
		/* A failed map may have published and then dropped tables: flush before reuse. */
		if (as_flush(as, &inv) == 0)
			pasid_ioas_unmap(as->iommufd, as->ioas_id, iova, len, NULL);
		return rc;
	}
	i = win_after(as, ws);
	memmove(&as->win[i + 1], &as->win[i], (as->nr_win - i) * sizeof(as->win[0]));
	as->win[i] = (struct as_window){ .va = ws, .len = len, .iova = iova, .prot = prot };
	as->nr_win++;
	as->mapped_bytes += len;
	return 0;
}

/*
 * Fault the pages in for the process, as the kernel's SVA handler does, so the device finds
 * them present; this is also the access check (it fails where the process would fault).
 */
static int as_populate(struct pasid_as *as, uint64_t ws, uint64_t len, bool write)
{
	if (!as->populate)
		return 0; /* old kernel: the pin of IOAS_MAP populates and checks */
	if (madvise((void *)(uintptr_t)ws, len, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ))
		return -EFAULT;
	return 0;
}

/*
 * Registers the mapping with the userfaultfd monitor before anything of it is pinned: an
 * unmap from then on is reported, and the report's invalidation (which waits for as->lock)
 * comes after this window exists. An unmap that came before finds nothing pinned yet.
 */
static void as_watch(struct pasid_as *as, uint64_t ws, uint64_t we)
{
	/*
	 * The window, not its whole mapping: anonymous mappings merge, so a mapping can hold
	 * anything (malloc's big blocks, thread data), and each unmap in a watched range makes
	 * the unmapping thread wait for the monitor. Windows next to each other merge back into
	 * one registered mapping.
	 */
	if (as->uffd && pasid_uffd_register(ws, we - ws))
		as->unwatched++;
}

static bool in_chunk(const struct pasid_as *as, uint64_t va)
{
	for (unsigned int i = 0; i < as->nr_chunks; i++)
		if (va - as->chunk[i].va < as->chunk[i].len)
			return true;
	return false;
}

/*
 * Makes the page at @va (aligned) accessible to the device with @need (PROT_*): nothing to do
 * when a window covers it with enough access; otherwise the window around it (the window-size
 * chunk, cut to the mapping, to neighbouring windows and away from table memory) is mapped.
 * A window that cannot be populated or pinned whole shrinks to the page itself.
 *
 * Access granted: what @need asks, plus write on anonymous memory that allows it. Populating
 * such memory for write gives the window real, exclusive pages, which a read-only pin would
 * not (it could pin the shared zero page, which the process's next write replaces under the
 * device's feet); and the next request is likely a write anyway. File-backed memory is
 * written only when asked, so a read does not turn page-cache pages into private copies or
 * dirty a shared file.
 */
static int as_resolve(struct pasid_as *as, uint64_t va, unsigned int need)
{
	uint64_t ws, we, chunk = va & ~(as->window - 1);
	struct pasid_vma vma;
	unsigned int prot;
	size_t i;
	int rc;

	if (va >= as->user_limit)
		return -EFAULT;
	i = win_after(as, va);
	if (i < as->nr_win && as->win[i].va <= va && (as->win[i].prot & need) == need)
		return 0;
	rc = pasid_vma_find(as->maps_fd, va, &vma);
	if (rc)
		return rc == -ENOENT ? -EFAULT : rc;
	/* A first-stage page is always readable: write- or execute-only cannot be given. */
	if ((vma.prot & need) != need || !(vma.prot & PROT_READ) || in_chunk(as, va))
		return -EACCES;
	rc = as_win_reserve(as);
	if (rc)
		return rc;
	/* Mapped, but with less access than the mapping now allows (mprotect raised it). */
	if (i < as->nr_win && as->win[i].va <= va) {
		rc = as_unmap_windows(as, i, i + 1);
		if (rc < 0)
			return rc;
	}

	ws = chunk > vma.start ? chunk : vma.start;
	we = chunk + as->window < vma.end ? chunk + as->window : vma.end;
	i = win_after(as, va);
	if (i < as->nr_win && as->win[i].va < we)
		we = as->win[i].va;
	if (i > 0 && as->win[i - 1].va + as->win[i - 1].len > ws)
		ws = as->win[i - 1].va + as->win[i - 1].len;
	for (unsigned int c = 0; c < as->nr_chunks; c++) {
		uint64_t cs = as->chunk[c].va, ce = cs + as->chunk[c].len;

		if (ce <= ws || cs >= we)
			continue;
		if (ce <= va)
			ws = ce;
		else
			we = cs;
	}

	as_watch(as, ws, we);
	prot = PROT_READ | (need & PROT_WRITE) | (vma.prot & PROT_EXEC);
	if ((vma.prot & PROT_WRITE) && !vma.file)
		prot |= PROT_WRITE;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt) {
			if (we - ws == AS_PAGE)
				break;
			ws = va;
			we = va + AS_PAGE;
		}
		rc = as_populate(as, ws, we - ws, prot & PROT_WRITE);
		/* Writable but not writable now (say, a file hole): enough for a read. */
		if (rc && (prot & PROT_WRITE) && !(need & PROT_WRITE)) {
			prot &= ~PROT_WRITE;
			rc = as_populate(as, ws, we - ws, false);
		}
		if (!rc)
			rc = as_map_window(as, ws, we, prot);
		if (!rc)
			return 0;
	}
	return rc == -ENOMEM ? rc : -EFAULT;
}

/* ---- coherency ------------------------------------------------------------------------- */

/* Windows touching [s, e): the index range [*first, *last). */
static void win_range(const struct pasid_as *as, uint64_t s, uint64_t e, size_t *first,
		      size_t *last)
{
	size_t j = win_after(as, s);

	*first = j;
	while (j < as->nr_win && as->win[j].va < e)
		j++;
	*last = j;
}

/* The userfaultfd monitor's report: [start, start + len) is gone. */
static void as_gone(void *arg, uint64_t start, uint64_t len)
{
	struct pasid_as *as = arg;
	size_t first, last;

	pthread_mutex_lock(&as->lock);
	as->uffd_events++;
	win_range(as, start, start + len, &first, &last);
	if (last > first)
		as_unmap_windows(as, first, last);
	pthread_mutex_unlock(&as->lock);
}

int pasid_as_invalidate(struct pasid_as *as, const void *addr, size_t len)
{
	uint64_t s = (uintptr_t)addr & ~(AS_PAGE - 1), e;
	size_t first, last;
	int rc = 0;

	if (!len)
		return 0;
	if (__builtin_add_overflow((uintptr_t)addr, len, &e))
		e = UINT64_MAX;
	pthread_mutex_lock(&as->lock);
	win_range(as, s, e, &first, &last);
	if (last > first)
		rc = as_unmap_windows(as, first, last);
	else if (as->inv_broken)
		rc = -EIO;
	pthread_mutex_unlock(&as->lock);
	return rc;
}

int pasid_as_prefault(struct pasid_as *as, const void *addr, size_t len, unsigned int prot)
{
	uint64_t s = (uintptr_t)addr & ~(AS_PAGE - 1), e, va;
	struct pasid_vma vma;
	int rc = 0;

	if (!len || !prot || (prot & ~(PROT_READ | PROT_WRITE)))
		return -EINVAL;
	if (__builtin_add_overflow((uintptr_t)addr, len, &e) || e > as->user_limit)
		return -EINVAL;
	e = (e + AS_PAGE - 1) & ~(AS_PAGE - 1);

	pthread_mutex_lock(&as->lock);
	/* All of it must be accessible before any of it is mapped. */
	for (va = s; va < e; va = vma.end) {
		rc = pasid_vma_find(as->maps_fd, va, &vma);
		if (rc) {
			rc = rc == -ENOENT ? -EFAULT : rc;
			goto out_unlock;
		}
		if ((vma.prot & prot) != prot || !(vma.prot & PROT_READ)) {
			rc = -EFAULT;
			goto out_unlock;
		}
	}
	/* Table memory is never the device's to touch. */
	for (unsigned int c = 0; c < as->nr_chunks; c++) {
		if (as->chunk[c].va < e && as->chunk[c].va + as->chunk[c].len > s) {
			rc = -EFAULT;
			goto out_unlock;
		}
	}
	for (va = s; va < e;) {
		size_t i;

		rc = as_resolve(as, va, prot);
		if (rc)
			break;
		i = win_after(as, va);
		va = as->win[i].va + as->win[i].len;
	}
out_unlock:
	pthread_mutex_unlock(&as->lock);
	return rc;
}

/* ---- page requests ----------------------------------------------------------------------- */

static bool as_fault(struct pasid_as *as, const struct iommu_hwpt_pgfault *r)
{
	unsigned int need = ((r->perm & IOMMU_PGFAULT_PERM_READ) ? PROT_READ : 0) |
			    ((r->perm & IOMMU_PGFAULT_PERM_WRITE) ? PROT_WRITE : 0) |
			    ((r->perm & IOMMU_PGFAULT_PERM_EXEC) ? PROT_EXEC : 0);

	/* Supervisor requests: the table is built with SRE off, so none is legitimate. */
	if (r->perm & IOMMU_PGFAULT_PERM_PRIV)
		return false;
	if (!(r->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) || r->pasid != as->pasid)
		return false;
	return as_resolve(as, r->addr & ~(AS_PAGE - 1), need | PROT_READ) == 0;
}

int pasid_as_fault_fd(struct pasid_as *as)
{
	return as->fault_fd >= 0 ? as->fault_fd : -EOPNOTSUPP;
}

int pasid_as_service(struct pasid_as *as, int timeout_ms)
{
	int groups = 0, n, rc;

	if (as->fault_fd < 0)
		return -EOPNOTSUPP;
	if (timeout_ms) {
		rc = rt_os_poll(as->fault_fd, POLLIN, timeout_ms);
		if (rc < 0)
			return rc;
		if (!(rc & POLLIN))
			return 0;
	}
	pthread_mutex_lock(&as->svc_lock);
	while ((n = pasid_fault_read(as->fault_fd, as->recs, AS_RECS)) > 0) {
		for (int i = 0; i < n;) {
			uint32_t cookie = as->recs[i].cookie;
			bool ok = true;

			/* A group is the records sharing a cookie, up to LAST_PAGE. */
			pthread_mutex_lock(&as->lock);
			for (; i < n && as->recs[i].cookie == cookie; i++) {
				const struct iommu_hwpt_pgfault *r = &as->recs[i];

				/* The kernel's SVA handler stops at the first failure; so do we. */
				if (ok) {
					as->faults++;
					ok = as_fault(as, r);
					as->faults_invalid += !ok;
				}
				if (r->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) {
					i++;
					break;
				}
			}
			as->groups++;
			pthread_mutex_unlock(&as->lock);
			/* Fails only if the group was answered meanwhile (detach): nothing to do. */
			pasid_fault_respond(as->fault_fd, cookie,
					    ok ? IOMMUFD_PAGE_RESP_SUCCESS :
						 IOMMUFD_PAGE_RESP_INVALID);
			groups++;
		}
	}
	pthread_mutex_unlock(&as->svc_lock);
	return n < 0 && !groups ? n : groups;
}

static void *as_service_main(void *arg)
{
	struct pasid_as *as = arg;

	for (;;) {
		/*
		 * poll(2) on both: a sim fault fd is a real eventfd that is readable exactly while
		 * groups wait (see rt_os_poll()), a kernel one is the kernel's.
		 */
		struct pollfd p[2] = { { .fd = as->fault_fd, .events = POLLIN },
				       { .fd = as->svc_stop_fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents || (p[0].revents & (POLLNVAL | POLLERR)))
			break;
		if (p[0].revents & POLLIN)
			pasid_as_service(as, 0);
	}
	return NULL;
}

int pasid_as_start_service_thread(struct pasid_as *as)
{
	sigset_t all, old;
	int rc;

	if (as->fault_fd < 0)
		return -EOPNOTSUPP;
	if (as->svc_running)
		return -EBUSY;
	as->svc_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (as->svc_stop_fd < 0)
		return -errno;
	/* A library thread takes none of the application's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&as->svc_thread, NULL, as_service_main, as);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		close(as->svc_stop_fd);
		as->svc_stop_fd = -1;
		return rc;
	}
	as->svc_running = true;
	return 0;
}

static void as_stop_service_thread(struct pasid_as *as)
{
	uint64_t one = 1;

	if (!as->svc_running)
		return;
	if (write(as->svc_stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(as->svc_thread, NULL);
	close(as->svc_stop_fd);
	as->svc_stop_fd = -1;
	as->svc_running = false;
}

/* ---- bind / unbind ----------------------------------------------------------------------- */

/* Table-pool hook: every chunk of table memory goes into the IOAS, readable and writable
 * (the walker sets A/D in it). */
static int as_chunk_add(void *arg, void *va, size_t len, uint64_t *iova)
{
	struct pasid_as *as = arg;
	int rc;

	if (as->nr_chunks == AS_MAX_CHUNKS)
		return -ENOMEM;
	/*
	 * Pinned table memory must not become copy-on-write in a child; it also keeps the
	 * chunk from merging with the process's own mappings, which the monitor may watch.
	 */
	madvise(va, len, MADV_DONTFORK);
	rc = pasid_ioas_map(as->iommufd, as->ioas_id, va, len,
			    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, iova);
	if (rc)
		return rc;
	as->chunk[as->nr_chunks++] = (struct as_chunk){ .va = (uintptr_t)va, .len = len };
	return 0;
}

static const struct pasid_pgtbl_pool_ops as_pool_ops = { .chunk_add = as_chunk_add };

static int as_opts(const struct pasid_as_opts *uopts, struct pasid_as_opts *opts)
{
	const size_t min = offsetof(struct pasid_as_opts, addr_width) + sizeof(uopts->addr_width);

	memset(opts, 0, sizeof(*opts));
	if (!uopts)
		return 0;
	if (uopts->size < min)
		return -EINVAL;
	for (size_t b = sizeof(*opts); b < uopts->size; b++)
		if (((const uint8_t *)uopts)[b])
			return -E2BIG;
	memcpy(opts, uopts, uopts->size < sizeof(*opts) ? uopts->size : sizeof(*opts));
	if (opts->flags & ~(PASID_AS_NO_UFFD | PASID_AS_NO_FAULT))
		return -EINVAL;
	if (opts->addr_width && opts->addr_width != 48 && opts->addr_width != 57)
		return -EINVAL;
	if (opts->window_shift && (opts->window_shift < 12 || opts->window_shift > 21))
		return -EINVAL;
	if (opts->max_table_pages > AS_MAX_CHUNKS * AS_CHUNK_PAGES)
		return -EINVAL;
	return 0;
}

/* Whether MADV_POPULATE_* exists here (Linux 5.14+), asked of memory known to be mapped. */
static bool populate_works(void *page)
{
	return madvise(page, AS_PAGE, MADV_POPULATE_WRITE) == 0;
}

static int as_build_table(struct pasid_as *as, const struct pasid_hw_info *hw,
			  unsigned int table_pages)
{
	struct pasid_pgtbl_cfg cfg = {
		.addr_width = as->addr_width,
		.oa_width = VTD_CAP_MGAW(hw->vtd.cap_reg) < 52 ? VTD_CAP_MGAW(hw->vtd.cap_reg) : 52,
		.page_sizes = PASID_PGTBL_SZ_4K | PASID_PGTBL_SZ_2M |
			      ((hw->vtd.cap_reg & VTD_CAP_FL1GP) ? PASID_PGTBL_SZ_1G : 0),
		/* The table is live: freed tables wait for their invalidation. */
		.flags = PASID_PGTBL_DEFER_FREE,
		.ops = pasid_pgtbl_pool_ops(),
	};
	int rc;

	rc = pasid_pgtbl_pool_create(AS_CHUNK_PAGES,
				     (table_pages + AS_CHUNK_PAGES - 1) / AS_CHUNK_PAGES,
				     &as_pool_ops, as, &as->pool);
	if (rc)
		return rc;
	cfg.ops_arg = as->pool;
	rc = pasid_pgtbl_create(&cfg, &as->pt);
	if (rc) {
		pasid_pgtbl_pool_destroy(as->pool);
		as->pool = NULL;
	}
	return rc;
}

int pasid_as_bind(int iommufd, int vfio_fd, uint32_t dev_id, uint32_t pasid,
		  const struct pasid_as_opts *uopts, struct pasid_as **out)
{
	struct iommu_hwpt_vtd_s1 s1 = { 0 };
	struct pasid_as_opts opts;
	struct pasid_hw_info hw;
	struct pasid_as *as;
	uint32_t pt_id;
	bool fault;
	int rc;

	if (!out)
		return -EINVAL;
	rc = as_opts(uopts, &opts);
	if (rc)
		return rc;
	rc = pasid_hw_info(iommufd, dev_id, &hw);
	if (rc)
		return rc;
	if (hw.data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD || !(hw.vtd.ecap_reg & VTD_ECAP_NEST) ||
	    !(hw.vtd.ecap_reg & VTD_ECAP_PASID) || !hw.max_pasid_log2)
		return -EOPNOTSUPP;
	if (!pasid || (hw.max_pasid_log2 < 32 && pasid >> hw.max_pasid_log2))
		return -EINVAL;
	if (opts.addr_width == 57 && !(hw.vtd.cap_reg & VTD_CAP_FL5LP))
		return -EOPNOTSUPP;
	/* Without PRS the device never sends page requests: a queue could not be attached. */
	fault = !(opts.flags & PASID_AS_NO_FAULT) && (hw.vtd.ecap_reg & VTD_ECAP_PRS);

	as = calloc(1, sizeof(*as));
	if (!as)
		return -ENOMEM;
	as->iommufd = iommufd;
	as->vfio_fd = vfio_fd;
	as->dev_id = dev_id;
	as->pasid = pasid;
	as->fault_fd = -1;
	as->svc_stop_fd = -1;
	as->addr_width = opts.addr_width		  ? opts.addr_width :
			 (hw.vtd.cap_reg & VTD_CAP_FL5LP) ? 57 :
							    48;
	as->user_limit = 1ULL << (as->addr_width - 1);
	as->window = 1ULL << (opts.window_shift ? opts.window_shift : 21);
	pthread_mutex_init(&as->lock, NULL);
	pthread_mutex_init(&as->svc_lock, NULL);
	/* Without the query descriptor each lookup parses the text instead: slower, same. */
	as->maps_fd = pasid_vma_open();

	rc = pasid_ioas_alloc(iommufd, &as->ioas_id);
	if (rc)
		goto out_free;
	/* PASID-capable, so the caller may also put the device's RID on it. */
	rc = pasid_hwpt_alloc_paging(iommufd, dev_id, as->ioas_id,
				     IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
				     &as->parent_id);
	if (rc)
		goto out_destroy_ioas;
	/* After the parent: its domain fixes the IOVA alignment the table chunks get. */
	rc = as_build_table(as, &hw,
			    opts.max_table_pages ? opts.max_table_pages : AS_DEFAULT_TABLE_PAGES);
	if (rc)
		goto out_destroy_parent;
	as->populate = as->nr_chunks && populate_works((void *)(uintptr_t)as->chunk[0].va);
	if (fault) {
		rc = pasid_fault_queue_alloc(iommufd, &as->fault_id, &as->fault_fd);
		if (rc)
			goto out_destroy_parent;
	}
	s1.pgtbl_addr = pasid_pgtbl_root_iova(as->pt);
	s1.addr_width = as->addr_width;
	/* flags 0: SRE off (user requests only), no EAFE, no WPE. */
	rc = pasid_hwpt_alloc_nested(iommufd, dev_id, as->parent_id, &s1, as->fault_id,
				     IOMMU_HWPT_ALLOC_PASID, &as->nested_id);
	if (rc)
		goto out_destroy_fault;
	pt_id = as->nested_id;
	rc = pasid_device_attach(vfio_fd, true, pasid, &pt_id);
	if (rc)
		goto out_destroy_nested;

	if (!(opts.flags & PASID_AS_NO_UFFD)) {
		as->sub = (struct pasid_uffd_sub){ .gone = as_gone, .arg = as };
		/* Not fatal: without it, coherency is the caller's pasid_as_invalidate(). */
		as->uffd = pasid_uffd_subscribe(&as->sub) == 0;
	}
	*out = as;
	return 0;

out_destroy_nested:
	pasid_destroy(iommufd, as->nested_id);
out_destroy_fault:
	if (as->fault_fd >= 0) {
		rt_os_close(as->fault_fd);
		pasid_destroy(iommufd, as->fault_id);
	}
out_destroy_parent:
	pasid_destroy(iommufd, as->parent_id);
	/* The table chunks, if any were mapped. */
	pasid_ioas_unmap(iommufd, as->ioas_id, 0, UINT64_MAX, NULL);
out_destroy_ioas:
	pasid_destroy(iommufd, as->ioas_id);
	pasid_pgtbl_destroy(as->pt);
	pasid_pgtbl_pool_destroy(as->pool);
out_free:
	if (as->maps_fd >= 0)
		close(as->maps_fd);
	pthread_mutex_destroy(&as->svc_lock);
	pthread_mutex_destroy(&as->lock);
	free(as);
	return rc;
}

void pasid_as_unbind(struct pasid_as *as)
{
	if (!as)
		return;
	as_stop_service_thread(as);
	/* No report may reach the binding once its objects start going. */
	if (as->uffd)
		pasid_uffd_unsubscribe(&as->sub);
	/* The order the kernel requires (each object holds the next one). */
	pasid_device_detach(as->vfio_fd, true, as->pasid);
	pasid_destroy(as->iommufd, as->nested_id);
	pasid_destroy(as->iommufd, as->parent_id);
	if (as->fault_fd >= 0) {
		rt_os_close(as->fault_fd);
		pasid_destroy(as->iommufd, as->fault_id);
	}
	pasid_ioas_unmap(as->iommufd, as->ioas_id, 0, UINT64_MAX, NULL);
	pasid_destroy(as->iommufd, as->ioas_id);
	/* Detached: no walk can reach the table any more. */
	pasid_pgtbl_destroy(as->pt);
	pasid_pgtbl_pool_destroy(as->pool);
	if (as->maps_fd >= 0)
		close(as->maps_fd);
	free(as->win);
	pthread_mutex_destroy(&as->svc_lock);
	pthread_mutex_destroy(&as->lock);
	free(as);
}

void pasid_as_info(struct pasid_as *as, struct pasid_as_info *info)
{
	pthread_mutex_lock(&as->lock);
	*info = (struct pasid_as_info){
		.ioas_id = as->ioas_id,
		.parent_id = as->parent_id,
		.nested_id = as->nested_id,
		.fault_id = as->fault_id,
		.root_iova = pasid_pgtbl_root_iova(as->pt),
		.addr_width = as->addr_width,
		.uffd = as->uffd,
		.windows = as->nr_win,
		.mapped_bytes = as->mapped_bytes,
		.table_pages = pasid_pgtbl_pool_in_use(as->pool),
		.faults = as->faults,
		.faults_invalid = as->faults_invalid,
		.groups = as->groups,
		.invalidations = as->invalidations,
		.uffd_events = as->uffd_events,
		.unwatched = as->unwatched,
	};
	pthread_mutex_unlock(&as->lock);
}
