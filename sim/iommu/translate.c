// SPDX-License-Identifier: MIT
/*
 * The sim VT-d unit's translation path. See translate.h and docs/IOMMU_MODEL.md.
 *
 * Layout of a translation (device @dev, PASID key k = the PASID, or 0 for the RID):
 *
 *   devTLB(k, iova) -- hit --> done
 *      | miss (fill snapshot taken first)
 *   PASID cache(k) -> domain id d (miss: the attachment, under its short-term reference)
 *   IOTLB(d, k, iova) -- hit --> insert into the devTLB, done
 *      | miss (fill snapshot)
 *   walk the HWPT: paging = the IOAS lookup; nested = the first-stage walk, every table
 *   fetch and the leaf through the parent's IOAS, inside sim_guard
 *      -> insert into the IOTLB, then the devTLB
 *
 * The PASID cache models VT-d's: a per-device direct-mapped array of (k -> d) words that lets
 * an IOTLB hit skip the attachment lookup (an rwlock and an atomic on a shared line). An
 * entry is valid only for the device's current attachment generation, which every attach,
 * replace and detach bumps before the caches are flushed, so a fill that raced a change is
 * never used.
 *
 * In front of all of it sits a per-thread translation cache (xl_tc: a sim engine is a thread,
 * so this is the engine's own small translation cache, as a real device's engines keep): a few
 * copies of entries of the device's front cache (its device TLB, else the IOTLB), each
 * revalidated on use with sim_iotlb_ref_valid(). It never answers for anything its source
 * entry would not answer for: replacement, eviction and every invalidation of the source make
 * the copy fail validation. Its hits are counted as hits of the source cache.
 *
 * Invalidation ordering follows VT-d: IOTLB first, then the device TLBs, so a device cannot
 * refill from a stale IOTLB entry; both caches' fill protocols (sim_iotlb_fill_begin() before
 * the inner level is consulted) make a racing fill harmless.
 *
 * Locks: xl.lock (devices list, domain ids, the unit's IOTLB pointer and configuration) is
 * taken by control paths only, inside the iommufd context's mutex and outside a device's
 * attachment lock; dev->prq_lock guards page-request slots. The hot path takes neither.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pasid/iommufd_uapi.h"
#include "sim/iommu/translate.h"
#include "sim/sim_guard.h"

#define XL_PAGE 4096ULL
#define XL_PAGE_MASK (XL_PAGE - 1)

/* Memory references charged for one second-stage translation (a 4-level table walk). */
#define XL_S2_REFS 4

/* VT-d domain ids: 16 bits (CAP.ND = 6); Linux reserves 0 and 1 (FLPT_DEFAULT_DID). */
#define XL_NR_DIDS 65536u
#define XL_FIRST_DID 2u

/* Page-request group indexes: 9 bits in VT-d's page request descriptor. */
#define XL_PRG_SLOTS 512u

#define XL_DEF_PRQ_TIMEOUT_MS 5000u

/* First-stage leaf bits the IOTLB entry remembers. */
#define XL_FS_D (1ULL << 6)

/* sim_iotlb_entry.opaque: the leaf's D flag is known set (or the stage has no D flag). */
#define XL_E_DIRTY 0x1ULL

/* PASID cache: VALID | gen[62:36] | did[35:20] | key[19:0]. */
#define XL_PC_SLOTS 64u
#define XL_PC_VALID (1ULL << 63)
#define XL_PC_GEN_BITS 27
#define XL_PC_DID_SHIFT 20
#define XL_PC_GEN_SHIFT 36

enum xl_ctr {
	C_DEVTLB_HIT,
	C_DEVTLB_MISS,
	C_IOTLB_HIT,
	C_IOTLB_MISS,
	C_WALKS,
	C_S1_REFS,
	C_AD_UPDATES,
	C_S2_WALKS,
	C_FILLS_DROPPED,
	C_FAULTS,
	C_PRQ,
	C_PRQ_GROUPS,
	C_PRQ_SUCCESS,
	C_PRQ_INVALID,
	C_PRQ_TIMEOUT,
	C_PRQ_LATE,
	C_NR,
};

enum xl_prg_state {
	PRG_FREE = 0,
	PRG_WAITING, /* sent, the requester waits */
	PRG_DONE, /* answered, the requester has not collected the code yet */
	PRG_ABANDONED, /* the requester timed out; freed by the late response */
	PRG_LOST, /* a report failed after parking pages under this index: never reused */
};

struct xl_prg {
	enum xl_prg_state state;
	bool pasid_valid;
	uint32_t pasid;
	uint32_t code;
};

struct sim_iommu_dev {
	struct sim_pdev *pdev;
	struct sim_iotlb *iotlb; /* the unit's: never replaced while a device exists */
	struct sim_iotlb *devtlb; /* NULL without ATS */
	uint32_t max_pasids;
	bool exec_requests;
	struct sim_iommu_dev *next; /* xl.devs, under xl.lock */

	_Atomic uint64_t attach_gen;
	_Atomic uint64_t pc[XL_PC_SLOTS];

	pthread_mutex_t prq_lock;
	pthread_cond_t prq_cond;
	unsigned int prq_timeout_ms;
	uint32_t prg_next;
	struct xl_prg prg[XL_PRG_SLOTS];

	/* Relaxed counters, on their own lines: engines of one device share them. */
	_Atomic uint64_t ctr[C_NR] __attribute__((aligned(64)));
};

static struct {
	pthread_mutex_t lock;
	struct sim_iotlb *iotlb; /* created with the first device */
	struct sim_iommu_cfg cfg;
	struct sim_iommu_dev *devs;
	unsigned int nr_devs; /* created and not yet released */
	uint64_t did_map[XL_NR_DIDS / 64];
	uint32_t did_next;
	_Atomic uint64_t inv_global, inv_domain, inv_pasid, inv_range, inv_devtlb;
} xl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.did_next = XL_FIRST_DID,
};

static pthread_once_t xl_once = PTHREAD_ONCE_INIT;

/* ---- per-thread translation cache ------------------------------------------------------- */

static inline uint32_t perm_needed(unsigned int access);

#define XL_TC_SLOTS 8u

/* A copy of one entry of the device's front cache, and where it came from. */
struct xl_tc_slot {
	uint64_t base; /* input page base */
	uint64_t out; /* output page base */
	const _Atomic uint64_t *ver; /* the source entry's version word */
	uint64_t ver_val, epoch_val;
	uint32_t key; /* PASID, 0 for requests without one */
	uint8_t shift;
	uint8_t perm; /* SIM_IOTLB_PERM_* */
	bool dirty; /* XL_E_DIRTY */
	bool valid;
};

/*
 * One per thread, for one device at a time: its copies and its share of the device's
 * counters. The slots are the owner's alone; dev and ctr are read by sim_iommu_stats() and
 * cleared by the device's release (under xl_tc_lock), so they are atomics, written by the
 * owner with plain load + store (one writer: no read-modify-write, no shared line).
 */
struct xl_tc {
	_Atomic(struct sim_iommu_dev *) dev;
	const _Atomic uint64_t *epoch; /* the front cache's flush epoch */
	enum xl_ctr front; /* the counter of the front cache's hits: C_DEVTLB_HIT or C_IOTLB_HIT */
	struct xl_tc *next; /* xl_tc_list */
	bool registered;
	struct xl_tc_slot slot[XL_TC_SLOTS];
	_Atomic uint64_t ctr[C_NR]; /* counted here, not yet in dev->ctr */
};

/*
 * Not initial-exec: one initial-exec variable marks all of libsvart.so's TLS (~2 KiB) as
 * static, and dlopen() of the library (ctypes, plugins) then fails for want of static TLS
 * space. A static link (the benchmarks, libsvart.a users) gets local-exec anyway.
 */
static __thread struct xl_tc xl_tc;

/* xl_tc_list, and every cache's dev while anyone but the owner looks at it. */
static pthread_mutex_t xl_tc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xl_tc *xl_tc_list;
static pthread_key_t xl_tc_key; /* its destructor folds a leaving thread's counts */

/*
 * Counters: in this thread's translation cache when it serves @dev (a plain add on a line no
 * other thread writes), else a relaxed atomic add on the device. sim_iommu_stats() sums both.
 */
static inline void ctr_add(struct sim_iommu_dev *dev, enum xl_ctr c, uint64_t n)
{
	struct xl_tc *tc = &xl_tc;

	if (atomic_load_explicit(&tc->dev, memory_order_relaxed) == dev)
		atomic_store_explicit(&tc->ctr[c],
				      atomic_load_explicit(&tc->ctr[c], memory_order_relaxed) + n,
				      memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&dev->ctr[c], n, memory_order_relaxed);
}

static inline void ctr_inc(struct sim_iommu_dev *dev, enum xl_ctr c)
{
	ctr_add(dev, c, 1);
}

static inline void inv_count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* The counter of hits in @dev's front cache (the one the translation cache copies). */
static inline enum xl_ctr front_hit(const struct sim_iommu_dev *dev)
{
	return dev->devtlb ? C_DEVTLB_HIT : C_IOTLB_HIT;
}

/* Give @tc's counts to its device. xl_tc_lock held. */
static void tc_fold(struct xl_tc *tc)
{
	struct sim_iommu_dev *dev = atomic_load_explicit(&tc->dev, memory_order_relaxed);

	for (int c = 0; c < C_NR; c++) {
		uint64_t n = atomic_load_explicit(&tc->ctr[c], memory_order_relaxed);

		if (dev && n)
			atomic_fetch_add_explicit(&dev->ctr[c], n, memory_order_relaxed);
		atomic_store_explicit(&tc->ctr[c], 0, memory_order_relaxed);
	}
}

/* Thread exit: the counts go to the device, the cache leaves the list. */
static void tc_exit(void *arg)
{
	struct xl_tc *tc = arg, **pp;

	pthread_mutex_lock(&xl_tc_lock);
	tc_fold(tc);
	atomic_store_explicit(&tc->dev, NULL, memory_order_relaxed);
	for (pp = &xl_tc_list; *pp; pp = &(*pp)->next) {
		if (*pp == tc) {
			*pp = tc->next;
			break;
		}
	}
	tc->registered = false;
	pthread_mutex_unlock(&xl_tc_lock);
}

/*
 * Point this thread's cache at @dev (front cache epoch @epoch, NULL until the first copy):
 * empties it. Taken on the miss path only, when a thread moves between devices.
 */
static void tc_retarget(struct xl_tc *tc, struct sim_iommu_dev *dev, const _Atomic uint64_t *epoch)
{
	pthread_mutex_lock(&xl_tc_lock);
	if (!tc->registered) {
		tc->next = xl_tc_list;
		xl_tc_list = tc;
		tc->registered = true;
		/* Pairs with tc_exit(). */
		pthread_setspecific(xl_tc_key, tc);
	}
	tc_fold(tc);
	memset(tc->slot, 0, sizeof(tc->slot));
	tc->epoch = epoch;
	tc->front = front_hit(dev);
	atomic_store_explicit(&tc->dev, dev, memory_order_relaxed);
	pthread_mutex_unlock(&xl_tc_lock);
}

/*
 * The slot of @iova. The page number alone would put a copy's source and destination at the
 * same offset of two 2 MiB (or 1 GiB) aligned buffers in one slot, evicting each other on
 * every descriptor; folding in the 2 MiB and 1 GiB frame numbers separates them.
 */
static inline unsigned int tc_index(uint64_t iova)
{
	return (unsigned int)((iova >> 12) ^ (iova >> 21) ^ (iova >> 30)) % XL_TC_SLOTS;
}

/* Keep a copy of the front-cache entry @e that translated @iova for @key. */
static void tc_fill(struct sim_iommu_dev *dev, uint32_t key, uint64_t iova,
		    const struct sim_iotlb_entry *e, const struct sim_iotlb_ref *ref)
{
	struct xl_tc *tc = &xl_tc;
	struct xl_tc_slot *s;

	if (atomic_load_explicit(&tc->dev, memory_order_relaxed) != dev)
		tc_retarget(tc, dev, ref->epoch);
	else if (tc->epoch != ref->epoch)
		tc->epoch = ref->epoch; /* retargeted by a miss (empty): the owner's field */
	s = &tc->slot[tc_index(iova)];
	s->base = iova & ~((1ULL << e->shift) - 1);
	s->out = e->out;
	s->ver = ref->ver;
	s->ver_val = ref->ver_val;
	s->epoch_val = ref->epoch_val;
	s->key = key;
	s->shift = e->shift;
	s->perm = (uint8_t)e->perm;
	s->dirty = e->opaque & XL_E_DIRTY;
	s->valid = true;
}

/* @dev is going away: no cache may name it any more (its address can be reused). */
static void tc_forget(struct sim_iommu_dev *dev)
{
	pthread_mutex_lock(&xl_tc_lock);
	for (struct xl_tc *tc = xl_tc_list; tc; tc = tc->next) {
		if (atomic_load_explicit(&tc->dev, memory_order_relaxed) == dev) {
			for (int c = 0; c < C_NR; c++)
				atomic_store_explicit(&tc->ctr[c], 0, memory_order_relaxed);
			atomic_store_explicit(&tc->dev, NULL, memory_order_relaxed);
		}
	}
	pthread_mutex_unlock(&xl_tc_lock);
}

/* @dev's counters: the device's plus what the threads' caches have not folded yet. */
static void tc_counters(struct sim_iommu_dev *dev, uint64_t *v)
{
	/* Under the lock: a fold moving counts from a cache to the device is not seen twice. */
	pthread_mutex_lock(&xl_tc_lock);
	for (int c = 0; c < C_NR; c++)
		v[c] = atomic_load_explicit(&dev->ctr[c], memory_order_relaxed);
	for (struct xl_tc *tc = xl_tc_list; tc; tc = tc->next)
		if (atomic_load_explicit(&tc->dev, memory_order_relaxed) == dev)
			for (int c = 0; c < C_NR; c++)
				v[c] += atomic_load_explicit(&tc->ctr[c], memory_order_relaxed);
	pthread_mutex_unlock(&xl_tc_lock);
}

/*
 * This thread's copy for (@dev, @key, @iova), if it is still exactly what the front cache
 * holds and grants @access. The whole hit path of a translation: no lock, no RMW, no store
 * outside this thread's own cache.
 */
static inline const struct xl_tc_slot *tc_lookup(struct sim_iommu_dev *dev, uint32_t key,
						 uint64_t iova, unsigned int access)
{
	struct xl_tc *tc = &xl_tc;
	const struct xl_tc_slot *s = &tc->slot[tc_index(iova)];
	uint32_t need;

	if (atomic_load_explicit(&tc->dev, memory_order_relaxed) != dev || !s->valid ||
	    s->key != key || ((iova ^ s->base) >> s->shift))
		return NULL;
	need = perm_needed(access);
	if ((s->perm & need) != need || ((access & SIM_DMA_WRITE) && !s->dirty))
		return NULL;
	if (atomic_load_explicit(tc->epoch, memory_order_acquire) != s->epoch_val ||
	    atomic_load_explicit(s->ver, memory_order_acquire) != s->ver_val)
		return NULL;
	return s;
}

/* ---- PASID cache ------------------------------------------------------------------------ */

static inline uint64_t pc_tag(uint64_t gen, uint32_t key)
{
	return XL_PC_VALID | (gen & ((1ULL << XL_PC_GEN_BITS) - 1)) << XL_PC_GEN_SHIFT | key;
}

/* The domain id cached for @key at generation @gen, or 0. */
static inline uint32_t pc_lookup(struct sim_iommu_dev *dev, uint32_t key, uint64_t gen)
{
	uint64_t v = atomic_load_explicit(&dev->pc[key % XL_PC_SLOTS], memory_order_relaxed);
	const uint64_t did_mask = 0xffffULL << XL_PC_DID_SHIFT;

	if ((v & ~did_mask) != pc_tag(gen, key))
		return 0;
	return (uint32_t)((v & did_mask) >> XL_PC_DID_SHIFT);
}

static inline void pc_fill(struct sim_iommu_dev *dev, uint32_t key, uint64_t gen, uint32_t did)
{
	atomic_store_explicit(&dev->pc[key % XL_PC_SLOTS],
			      pc_tag(gen, key) | (uint64_t)did << XL_PC_DID_SHIFT,
			      memory_order_relaxed);
}

/*
 * An attachment of @dev changed: entries filled before this are dead (the generation), and
 * the array is cleared as well so that a generation wrap (2^27 changes) cannot revive one.
 */
static void pc_invalidate(struct sim_iommu_dev *dev)
{
	atomic_fetch_add_explicit(&dev->attach_gen, 1, memory_order_acq_rel);
	for (unsigned int i = 0; i < XL_PC_SLOTS; i++)
		atomic_store_explicit(&dev->pc[i], 0, memory_order_relaxed);
}

/* ---- faults and permissions ------------------------------------------------------------- */

static int xl_fault(struct sim_xlate_fault *f, enum sim_xlate_reason reason, uint64_t addr,
		    bool recoverable)
{
	if (f) {
		memset(f, 0, sizeof(*f));
		f->reason = reason;
		f->addr = addr;
		f->recoverable = recoverable;
	}
	return reason == SIM_XLATE_PASID_RANGE || reason == SIM_XLATE_NOT_ATTACHED ? -ENXIO :
										     -EFAULT;
}

/* What @perm (SIM_IOTLB_PERM_*) must contain for @access. */
static inline uint32_t perm_needed(unsigned int access)
{
	uint32_t need;

	if (access & SIM_DMA_WRITE)
		need = SIM_IOTLB_PERM_W;
	else if (access & SIM_XLATE_EXEC)
		need = SIM_IOTLB_PERM_R | SIM_IOTLB_PERM_X;
	else
		need = SIM_IOTLB_PERM_R;
	/* Supervisor requests may use user pages: VT-d has no SMAP for device requests. */
	if (!(access & SIM_XLATE_PRIV))
		need |= SIM_IOTLB_PERM_U;
	return need;
}

/*
 * A cached entry answers the request only if it grants it and, for a write, the leaf's D flag
 * is known set: otherwise hardware walks again to set D (as the CPU does for a TLB entry
 * cached with D=0).
 */
static inline bool entry_permits(const struct sim_iotlb_entry *e, unsigned int access)
{
	uint32_t need = perm_needed(access);

	if ((e->perm & need) != need)
		return false;
	return !(access & SIM_DMA_WRITE) || (e->opaque & XL_E_DIRTY);
}

/* ---- second stage ----------------------------------------------------------------------- */

/*
 * The io_pagetable lookup with the mapping's permissions (R and/or W). sim_iopt_translate()
 * answers one permission at a time, so the second probe only runs on walks.
 */
static int s2_lookup(struct sim_iopt *iopt, uint64_t addr, uintptr_t *host, uint64_t *contig,
		     uint32_t *perm)
{
	uintptr_t h2;
	uint64_t c2;
	int rc;

	rc = sim_iopt_translate(iopt, addr, false, host, contig);
	if (!rc) {
		*perm = SIM_IOTLB_PERM_R;
		if (!sim_iopt_translate(iopt, addr, true, &h2, &c2))
			*perm |= SIM_IOTLB_PERM_W;
		return 0;
	}
	if (rc != -EACCES)
		return rc;
	rc = sim_iopt_translate(iopt, addr, true, host, contig);
	if (!rc)
		*perm = SIM_IOTLB_PERM_W;
	return rc;
}

/* A walk's outcome: the translation of the request and, if @cacheable, the entry for it. */
struct xl_res {
	uintptr_t host;
	uint64_t len;
	bool cacheable;
	struct sim_iotlb_entry e;
};

/*
 * Choose the IOTLB entry for input page @in (first-stage leaf of @leaf_size, or the input
 * address itself for a paging walk) whose second-stage input is @s2_in at host @host: the
 * whole leaf when the second stage maps it contiguously to an aligned host range with the
 * same permissions, else the 4 KiB sub-page, else (host not page-aligned with the input)
 * nothing.
 */
static void pick_entry(struct sim_iopt *iopt, uint64_t in, uint64_t s2_in, uintptr_t host,
		       uint64_t contig, uint32_t s2_perm, uint64_t leaf_size, struct xl_res *r)
{
	static const uint8_t shifts[] = { SIM_IOTLB_SHIFT_1G, SIM_IOTLB_SHIFT_2M };

	for (unsigned int i = 0; i < sizeof(shifts); i++) {
		uint64_t size = 1ULL << shifts[i], off = s2_in & (size - 1);
		uintptr_t hb;
		uint64_t cb;
		uint32_t pb;

		if (size > leaf_size || ((host ^ s2_in) & (size - 1)))
			continue;
		if (!off) {
			if (contig < size)
				continue;
		} else if (s2_lookup(iopt, s2_in - off, &hb, &cb, &pb) || cb < size ||
			   hb != host - off || pb != s2_perm) {
			continue;
		}
		r->cacheable = true;
		r->e.shift = shifts[i];
		r->e.out = host - off;
		r->len = size - (in & (size - 1));
		return;
	}
	r->len = XL_PAGE - (in & XL_PAGE_MASK);
	if (r->len > contig)
		r->len = contig;
	if ((host ^ s2_in) & XL_PAGE_MASK)
		return; /* host pages do not line up with input pages: serve uncached */
	r->cacheable = true;
	r->e.shift = SIM_IOTLB_SHIFT_4K;
	r->e.out = host & ~(uintptr_t)XL_PAGE_MASK;
}

/* A paging HWPT: the second stage alone. */
static int walk_paging(struct sim_iommu_dev *dev, struct sim_hwpt *hwpt, uint64_t iova,
		       unsigned int access, struct xl_res *r, struct sim_xlate_fault *f)
{
	struct sim_iopt *iopt = sim_hwpt_iopt(hwpt);
	uint32_t perm;
	uintptr_t host;
	uint64_t contig;

	ctr_inc(dev, C_WALKS);
	if (iova > sim_hwpt_aperture_end(hwpt))
		return xl_fault(f, SIM_XLATE_ADDR_WIDTH, iova, false);
	if ((access & SIM_XLATE_EXEC) && !dev->exec_requests)
		return xl_fault(f, SIM_XLATE_EXEC_BLOCKED, iova, false);
	ctr_inc(dev, C_S2_WALKS);
	if (s2_lookup(iopt, iova, &host, &contig, &perm))
		return xl_fault(f, SIM_XLATE_S2_NOT_PRESENT, iova, true);
	/* The second stage has no U/S or X; privilege is not checked at this stage. */
	perm |= SIM_IOTLB_PERM_U | (dev->exec_requests ? SIM_IOTLB_PERM_X : 0);
	if ((perm & perm_needed(access)) != perm_needed(access))
		return xl_fault(f, SIM_XLATE_S2_PERM, iova, true);
	r->host = host;
	r->e.perm = perm;
	r->e.opaque = XL_E_DIRTY; /* sim's second stage keeps no A/D */
	pick_entry(iopt, iova, iova, host, contig, perm & (SIM_IOTLB_PERM_R | SIM_IOTLB_PERM_W),
		   1ULL << SIM_IOTLB_SHIFT_1G, r);
	return 0;
}

/* A nested walk's state, shared with the fetch callback and the guarded body. */
struct xl_nested {
	struct sim_iopt *iopt;
	unsigned int s2_walks;
	struct sim_vtd_s1_cfg cfg;
	uint64_t va;
	unsigned int acc;
	struct sim_vtd_s1_result res;
	int rc;
};

/* A first-stage table (an IOAS address) to the host page holding it. */
static uint64_t *nested_fetch(void *arg, uint64_t table_addr, bool write, int *s2_reason)
{
	struct xl_nested *w = arg;
	uintptr_t host;
	uint64_t contig;
	int rc;

	/*
	 * Hardware translates a table's address once, when it reads the entry; the A/D write
	 * goes to the address it already has. The write probe only checks permission.
	 */
	if (!write)
		w->s2_walks++;
	rc = sim_iopt_translate(w->iopt, table_addr, write, &host, &contig);
	if (rc) {
		*s2_reason = rc;
		return NULL;
	}
	/* The walker reads aligned 64-bit entries of a whole 4 KiB table. */
	if ((host & 7) || contig < XL_PAGE) {
		*s2_reason = -EINVAL;
		return NULL;
	}
	return (uint64_t *)host;
}

/*
 * Runs under sim_guard: the walker dereferences host pointers of page-table pages that the
 * process may have unmapped. No lock is held across a dereference (the io_pagetable's read
 * lock is taken and dropped inside each fetch), so abandoning the walk mid-way is safe.
 */
static void nested_walk_guarded(void *arg)
{
	struct xl_nested *w = arg;

	w->rc = sim_vtd_s1_walk(&w->cfg, w->va, w->acc, &w->res);
}

static enum sim_xlate_reason s2_reason(int rc)
{
	return rc == -EACCES ? SIM_XLATE_S2_PERM : SIM_XLATE_S2_NOT_PRESENT;
}

static bool s1_recoverable(enum sim_vtd_s1_fault fault)
{
	switch (fault) {
	case SIM_VTD_S1_FAULT_NOT_PRESENT:
	case SIM_VTD_S1_FAULT_PRIV:
	case SIM_VTD_S1_FAULT_WRITE:
	case SIM_VTD_S1_FAULT_EXEC:
		return true;
	default:
		return false;
	}
}

static uint32_t s1_perm(unsigned int prot)
{
	return ((prot & SIM_VTD_S1_PROT_R) ? SIM_IOTLB_PERM_R : 0) |
	       ((prot & SIM_VTD_S1_PROT_W) ? SIM_IOTLB_PERM_W : 0) |
	       ((prot & SIM_VTD_S1_PROT_X) ? SIM_IOTLB_PERM_X : 0) |
	       ((prot & SIM_VTD_S1_PROT_U) ? SIM_IOTLB_PERM_U : 0);
}

/* A nested VT-d HWPT: the two-dimensional walk. */
static int walk_nested(struct sim_iommu_dev *dev, struct sim_hwpt *hwpt, uint64_t iova,
		       unsigned int access, struct xl_res *r, struct sim_xlate_fault *f)
{
	struct sim_hwpt_vtd_s1_data s1;
	struct xl_nested w = { .iopt = sim_hwpt_iopt(hwpt), .va = iova };
	uint32_t s2_perm, perm;
	uintptr_t host, gone_at = 0;
	uint64_t gpa, contig;
	int ret;

	ctr_inc(dev, C_WALKS);
	if (sim_hwpt_vtd_s1(hwpt, &s1))
		return xl_fault(f, SIM_XLATE_NOT_ATTACHED, iova, false); /* not a VT-d domain */
	w.cfg = (struct sim_vtd_s1_cfg){
		.pgtbl_addr = s1.pgtbl_addr,
		.addr_width = s1.addr_width,
		.flags = (uint32_t)s1.flags,
		.caps = SIM_VTD_S1_CAPS_ALL, /* sim VT-d has CAP.FL1GP and CAP.FL5LP */
		.exec_requests = dev->exec_requests,
		.fetch = nested_fetch,
		.arg = &w,
	};
	w.acc = SIM_VTD_S1_ACC_SET_AD | ((access & SIM_DMA_WRITE) ? SIM_VTD_S1_ACC_WRITE : 0) |
		((access & SIM_XLATE_EXEC) ? SIM_VTD_S1_ACC_EXEC : 0) |
		((access & SIM_XLATE_PRIV) ? SIM_VTD_S1_ACC_PRIV : 0);

	ret = sim_guard_call(nested_walk_guarded, &w, &gone_at);
	ctr_add(dev, C_S1_REFS, w.res.mem_refs);
	ctr_add(dev, C_AD_UPDATES, w.res.ad_updates);
	ctr_add(dev, C_S2_WALKS, w.s2_walks);
	if (ret)
		return xl_fault(f, SIM_XLATE_GONE, gone_at, false);
	if (w.rc == -EFAULT) {
		enum sim_vtd_s1_fault sf = w.res.fault;
		bool s2 = sf == SIM_VTD_S1_FAULT_S2_FETCH || sf == SIM_VTD_S1_FAULT_AD_UPDATE;

		ret = xl_fault(f, s2 ? s2_reason(w.res.s2_reason) : SIM_XLATE_S1, w.res.fault_addr,
			       !s2 && s1_recoverable(sf));
		if (f) {
			f->s1 = sf;
			f->level = w.res.level;
			f->code = sim_vtd_s1_fault_code(&w.res);
		}
		return ret;
	}
	if (w.rc)
		return w.rc;

	/* The leaf's output is a second-stage input too; a fault there is the host's to fix. */
	gpa = w.res.oa;
	ctr_inc(dev, C_S2_WALKS);
	ret = s2_lookup(w.iopt, gpa, &host, &contig, &s2_perm);
	if (ret)
		return xl_fault(f, s2_reason(ret), gpa, false);
	perm = s1_perm(w.res.prot) & (s2_perm | SIM_IOTLB_PERM_X | SIM_IOTLB_PERM_U);
	if ((perm & perm_needed(access)) != perm_needed(access))
		return xl_fault(f, SIM_XLATE_S2_PERM, gpa, false);
	r->host = host;
	r->e.perm = perm;
	r->e.opaque = ((w.res.leaf & XL_FS_D) || (access & SIM_DMA_WRITE)) ? XL_E_DIRTY : 0;
	pick_entry(w.iopt, iova, gpa, host, contig, s2_perm, w.res.page_size, r);
	/*
	 * A supervisor request with WPE=0 is granted W regardless of R/W: that entry must not
	 * answer a later user request. (sim VT-d refuses SRE, so this stays theoretical.)
	 */
	if ((access & SIM_XLATE_PRIV) && !(s1.flags & IOMMU_VTD_S1_WPE))
		r->cacheable = false;
	return 0;
}

/* The IOMMU's part: PASID cache, IOTLB, walk. */
static int xl_iommu(struct sim_iommu_dev *dev, uint32_t key, uint64_t iova, unsigned int access,
		    struct xl_res *r, struct sim_xlate_fault *f)
{
	uint64_t gen = atomic_load_explicit(&dev->attach_gen, memory_order_acquire);
	struct sim_iotlb_fill fill;
	struct sim_iotlb_ref ref;
	struct sim_hwpt *hwpt;
	uint32_t did, pc_did;
	int ret;

	pc_did = pc_lookup(dev, key, gen);
	if (pc_did && sim_iotlb_lookup_ref(dev->iotlb, pc_did, key, iova, &r->e, &ref) &&
	    entry_permits(&r->e, access))
		goto out_hit;

	hwpt = sim_pdev_get_hwpt(dev->pdev, key); /* Pairs with sim_hwpt_put_shortterm() */
	if (!hwpt)
		return xl_fault(f, SIM_XLATE_NOT_ATTACHED, iova, false);
	/* The attachment decides; a PASID-cache word that raced a change is only a miss. */
	did = sim_hwpt_did(hwpt);
	if (did != pc_did) {
		pc_fill(dev, key, gen, did);
		if (sim_iotlb_lookup_ref(dev->iotlb, did, key, iova, &r->e, &ref) &&
		    entry_permits(&r->e, access)) {
			sim_hwpt_put_shortterm(hwpt);
			goto out_hit;
		}
	}
	ctr_inc(dev, C_IOTLB_MISS);
	memset(r, 0, sizeof(*r));
	sim_iotlb_fill_begin(dev->iotlb, did, key, &fill);
	if (sim_hwpt_kind(hwpt) == SIM_HWPT_NESTED)
		ret = walk_nested(dev, hwpt, iova, access, r, f);
	else
		ret = walk_paging(dev, hwpt, iova, access, r, f);
	/* A fill refused because an invalidation raced the walk still serves this request. */
	if (!ret && r->cacheable && sim_iotlb_insert(dev->iotlb, &fill, iova, &r->e))
		ctr_inc(dev, C_FILLS_DROPPED);
	sim_hwpt_put_shortterm(hwpt);
	return ret;

out_hit:
	/* Without a device TLB the IOTLB is the front cache: this thread keeps a copy. */
	if (!dev->devtlb)
		tc_fill(dev, key, iova, &r->e, &ref);
	ctr_inc(dev, C_IOTLB_HIT);
	r->cacheable = true;
	r->host = (uintptr_t)sim_iotlb_xlate(&r->e, iova);
	r->len = (1ULL << r->e.shift) - (iova & ((1ULL << r->e.shift) - 1));
	return 0;
}

/*
 * Everything after this thread's translation cache: kept out of line so that the hit path
 * pays for no stack frame (this one holds a fill snapshot and a walk's state).
 */
static __attribute__((noinline)) int
xl_translate_slow(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid, uint64_t iova,
		  unsigned int access, struct sim_dma_xlate *out, struct sim_xlate_fault *fault)
{
	struct sim_iotlb_fill dfill;
	struct sim_iotlb_entry e;
	struct sim_iotlb_ref ref;
	struct xl_res r;
	uint32_t key = 0;
	int ret;

	/* A thread translating for @dev counts in its own cache from here (ctr_add()). */
	if (atomic_load_explicit(&xl_tc.dev, memory_order_relaxed) != dev)
		tc_retarget(&xl_tc, dev, NULL);
	if (pasid_valid) {
		if (pasid >= dev->max_pasids) {
			ctr_inc(dev, C_FAULTS);
			return xl_fault(fault, SIM_XLATE_PASID_RANGE, iova, false);
		}
		key = pasid;
	}
	if (dev->devtlb) {
		if (sim_iotlb_lookup_ref(dev->devtlb, 0, key, iova, &e, &ref) &&
		    entry_permits(&e, access)) {
			tc_fill(dev, key, iova, &e, &ref);
			ctr_inc(dev, front_hit(dev));
			out->host = (uintptr_t)sim_iotlb_xlate(&e, iova);
			out->len = (1ULL << e.shift) - (iova & ((1ULL << e.shift) - 1));
			return 0;
		}
		ctr_inc(dev, C_DEVTLB_MISS);
		/* Before asking the IOMMU: a device-TLB invalidation from now on refuses the fill. */
		sim_iotlb_fill_begin(dev->devtlb, 0, key, &dfill);
	}
	ret = xl_iommu(dev, key, iova, access, &r, fault);
	if (ret) {
		ctr_inc(dev, C_FAULTS);
		return ret;
	}
	if (dev->devtlb && r.cacheable)
		sim_iotlb_insert(dev->devtlb, &dfill, iova, &r.e);
	out->host = r.host;
	out->len = r.len;
	return 0;
}

int sim_iommu_translate(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid, uint64_t iova,
			unsigned int access, struct sim_dma_xlate *out,
			struct sim_xlate_fault *fault)
{
	const unsigned int known = SIM_DMA_WRITE | SIM_XLATE_EXEC | SIM_XLATE_PRIV;
	const struct xl_tc_slot *s;

	if ((access & ~known) || ((access & SIM_DMA_WRITE) && (access & SIM_XLATE_EXEC)))
		return -EINVAL;
	/*
	 * No PASID-range check before the cache: it holds only PASIDs that passed it, so an
	 * out-of-range one misses and is refused on the slow path.
	 */
	s = tc_lookup(dev, pasid_valid ? pasid : 0, iova, access);
	if (s) {
		struct xl_tc *tc = &xl_tc;
		uint64_t mask = (1ULL << s->shift) - 1;
		enum xl_ctr c = tc->front;

		/* tc_lookup() checked that this thread's cache serves @dev: count here. */
		atomic_store_explicit(&tc->ctr[c],
				      atomic_load_explicit(&tc->ctr[c], memory_order_relaxed) + 1,
				      memory_order_relaxed);
		out->host = (uintptr_t)(s->out | (iova & mask));
		out->len = mask + 1 - (iova & mask);
		return 0;
	}
	return xl_translate_slow(dev, pasid, pasid_valid, iova, access, out, fault);
}

/* ---- invalidation ----------------------------------------------------------------------- */

/* Callers hold xl.lock (the IOTLB pointer is stable under it). */
static void inv_range_locked(uint32_t did, uint32_t pasid, uint64_t addr, uint64_t npages, bool ih)
{
	inv_count(&xl.inv_range);
	if (xl.iotlb)
		sim_iotlb_flush_range(xl.iotlb, did, pasid, addr, npages, ih);
}

static void inv_pasid_locked(uint32_t did, uint32_t pasid)
{
	inv_count(&xl.inv_pasid);
	if (xl.iotlb)
		sim_iotlb_flush_pasid(xl.iotlb, did, pasid, 0);
}

static void inv_domain_locked(uint32_t did)
{
	inv_count(&xl.inv_domain);
	if (xl.iotlb)
		sim_iotlb_flush_domain(xl.iotlb, did);
}

static void inv_devtlb(struct sim_iommu_dev *dev, uint32_t pasid, uint64_t addr, uint64_t npages)
{
	if (!dev || !dev->devtlb)
		return;
	inv_count(&xl.inv_devtlb);
	sim_iotlb_flush_range(dev->devtlb, 0, pasid, addr, npages, false);
}

void sim_iommu_inv_range(uint32_t did, uint32_t pasid, uint64_t addr, uint64_t npages, bool ih)
{
	pthread_mutex_lock(&xl.lock);
	inv_range_locked(did, pasid, addr, npages, ih);
	pthread_mutex_unlock(&xl.lock);
}

void sim_iommu_inv_pasid(uint32_t did, uint32_t pasid)
{
	pthread_mutex_lock(&xl.lock);
	/* G=2 spares global entries; sim caches none (PGE is not modelled), so all go. */
	inv_pasid_locked(did, pasid);
	pthread_mutex_unlock(&xl.lock);
}

void sim_iommu_inv_domain(uint32_t did)
{
	pthread_mutex_lock(&xl.lock);
	inv_domain_locked(did);
	pthread_mutex_unlock(&xl.lock);
}

void sim_iommu_inv_global(void)
{
	pthread_mutex_lock(&xl.lock);
	inv_count(&xl.inv_global);
	if (xl.iotlb)
		sim_iotlb_flush_all(xl.iotlb);
	pthread_mutex_unlock(&xl.lock);
}

void sim_iommu_inv_devtlb(struct sim_iommu_dev *dev, uint32_t pasid, uint64_t addr, uint64_t npages)
{
	inv_devtlb(dev, pasid, addr, npages);
}

static const struct sim_pdev_ops xl_pdev_ops;

static struct sim_iommu_dev *dev_of(struct sim_pdev *pdev)
{
	return pdev->ops == &xl_pdev_ops ? pdev->priv : NULL;
}

/* [iova, iova + length) in 4 KiB pages; length 0 stands for the whole 2^64 space. */
static uint64_t range_pages(uint64_t iova, uint64_t length)
{
	uint64_t last = iova + length - 1;

	if (!length || last < iova)
		return UINT64_MAX;
	return (last >> 12) - (iova >> 12) + 1;
}

struct unmap_ctx {
	struct sim_iommu_dev *dev;
	struct sim_iopt *iopt;
	uint64_t iova, npages;
};

static void unmap_one(void *arg, uint32_t pasid, struct sim_hwpt *hwpt)
{
	struct unmap_ctx *c = arg;
	uint32_t did = sim_hwpt_did(hwpt);

	if (sim_hwpt_iopt(hwpt) != c->iopt)
		return;
	if (sim_hwpt_kind(hwpt) == SIM_HWPT_PAGING && c->npages != UINT64_MAX) {
		/* Entries are keyed by IOVA: drop exactly the range, as VT-d's PSI does. */
		inv_range_locked(did, pasid, c->iova & ~XL_PAGE_MASK, c->npages, false);
		inv_devtlb(c->dev, pasid, c->iova & ~XL_PAGE_MASK, c->npages);
	} else if (sim_hwpt_kind(hwpt) == SIM_HWPT_PAGING) {
		inv_pasid_locked(did, pasid);
		inv_devtlb(c->dev, pasid, 0, UINT64_MAX);
	} else {
		/*
		 * Nested entries are keyed by first-stage addresses: any of them may go through
		 * the unmapped range (leaf or table). Drop the nested domain, as VT-d hardware
		 * does for a second-stage page-selective invalidation of a nested domain.
		 */
		inv_domain_locked(did);
		inv_devtlb(c->dev, pasid, 0, UINT64_MAX);
	}
}

/* IOAS unmap: runs before IOMMU_IOAS_UNMAP returns. */
static void xl_iopt_unmap(void *data, struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	struct unmap_ctx c = { .iopt = iopt, .iova = iova, .npages = range_pages(iova, length) };

	pthread_mutex_lock(&xl.lock);
	for (c.dev = xl.devs; c.dev; c.dev = c.dev->next)
		sim_pdev_for_each_attach(c.dev->pdev, unmap_one, &c);
	pthread_mutex_unlock(&xl.lock);
}

struct flush_ctx {
	struct sim_iommu_dev *dev;
	struct sim_hwpt *hwpt;
	uint64_t addr, npages;
	bool leaf;
};

static void flush_one(void *arg, uint32_t pasid, struct sim_hwpt *hwpt)
{
	struct flush_ctx *c = arg;

	if (hwpt != c->hwpt)
		return;
	inv_range_locked(sim_hwpt_did(hwpt), pasid, c->addr, c->npages, c->leaf);
	inv_devtlb(c->dev, pasid, c->addr, c->npages);
}

/* HWPT_INVALIDATE entry: the nested domain's range on every PASID it is attached at. */
static void xl_hwpt_flush(void *data, struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages,
			  bool leaf)
{
	struct flush_ctx c = { .hwpt = hwpt, .addr = addr, .npages = npages, .leaf = leaf };

	pthread_mutex_lock(&xl.lock);
	for (c.dev = xl.devs; c.dev; c.dev = c.dev->next)
		sim_pdev_for_each_attach(c.dev->pdev, flush_one, &c);
	pthread_mutex_unlock(&xl.lock);
}

/* Attach, replace, detach of (pdev, pasid): nothing cached for the PASID survives. */
static void xl_attach(void *data, struct sim_pdev *pdev, uint32_t pasid, struct sim_hwpt *old,
		      struct sim_hwpt *new)
{
	struct sim_iommu_dev *dev = dev_of(pdev);

	pthread_mutex_lock(&xl.lock);
	if (dev)
		pc_invalidate(dev);
	/*
	 * The new domain too: a walk that took its short-term reference before an earlier
	 * detach may have cached (did, pasid) after that detach's flush.
	 */
	if (old)
		inv_pasid_locked(sim_hwpt_did(old), pasid);
	if (new)
		inv_pasid_locked(sim_hwpt_did(new), pasid);
	inv_devtlb(dev, pasid, 0, UINT64_MAX);
	pthread_mutex_unlock(&xl.lock);
}

static struct sim_iommu_notifier xl_notifier = {
	.iopt_unmap = xl_iopt_unmap,
	.hwpt_flush = xl_hwpt_flush,
	.attach = xl_attach,
};

static void xl_init_once(void)
{
	/* A failure leaves the guard off: faults in a walk then crash as they would anyway. */
	(void)sim_guard_init();
	/* Without the key a thread's unfolded hits are lost at its exit: counters only. */
	(void)pthread_key_create(&xl_tc_key, tc_exit);
	sim_iommu_notifier_register(&xl_notifier);
}

static void xl_init(void)
{
	pthread_once(&xl_once, xl_init_once);
}

/* ---- domain ids ------------------------------------------------------------------------- */

int sim_iommu_did_alloc(uint32_t *did)
{
	int ret = -ENOSPC;

	xl_init();
	pthread_mutex_lock(&xl.lock);
	/* Next fit: a freed id is reused as late as possible. */
	for (uint32_t i = 0; i < XL_NR_DIDS - XL_FIRST_DID; i++) {
		uint32_t d = xl.did_next + i;

		if (d >= XL_NR_DIDS)
			d -= XL_NR_DIDS - XL_FIRST_DID;
		if (xl.did_map[d / 64] & (1ULL << (d % 64)))
			continue;
		xl.did_map[d / 64] |= 1ULL << (d % 64);
		xl.did_next = d + 1 < XL_NR_DIDS ? d + 1 : XL_FIRST_DID;
		*did = d;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&xl.lock);
	return ret;
}

void sim_iommu_did_free(uint32_t did)
{
	if (did < XL_FIRST_DID || did >= XL_NR_DIDS)
		return;
	pthread_mutex_lock(&xl.lock);
	inv_domain_locked(did);
	xl.did_map[did / 64] &= ~(1ULL << (did % 64));
	pthread_mutex_unlock(&xl.lock);
}

/* ---- devices ---------------------------------------------------------------------------- */

static void xl_page_response(struct sim_pdev *pdev, void *priv, uint32_t pasid, bool pasid_valid,
			     uint32_t grpid, uint32_t code)
{
	struct sim_iommu_dev *dev = priv;
	struct xl_prg *s;

	if (grpid >= XL_PRG_SLOTS)
		return;
	pthread_mutex_lock(&dev->prq_lock);
	s = &dev->prg[grpid];
	/* A response for a group this device did not send (or no longer waits for) is dropped. */
	if (s->pasid == (pasid_valid ? pasid : 0) && s->pasid_valid == pasid_valid) {
		if (s->state == PRG_WAITING) {
			s->state = PRG_DONE;
			s->code = code;
			pthread_cond_broadcast(&dev->prq_cond);
		} else if (s->state == PRG_ABANDONED) {
			s->state = PRG_FREE;
			ctr_inc(dev, C_PRQ_LATE);
			pthread_cond_broadcast(&dev->prq_cond);
		}
	}
	pthread_mutex_unlock(&dev->prq_lock);
}

static void xl_pdev_release(struct sim_pdev *pdev, void *priv)
{
	struct sim_iommu_dev *dev = priv, **pp;

	pthread_mutex_lock(&xl.lock);
	for (pp = &xl.devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	xl.nr_devs--;
	pthread_mutex_unlock(&xl.lock);
	tc_forget(dev);
	sim_iotlb_destroy(dev->devtlb);
	pthread_cond_destroy(&dev->prq_cond);
	pthread_mutex_destroy(&dev->prq_lock);
	free(dev);
}

static const struct sim_pdev_ops xl_pdev_ops = {
	.page_response = xl_page_response,
	.release = xl_pdev_release,
};

/* Caller holds xl.lock. */
static int unit_get_iotlb(void)
{
	if (xl.iotlb)
		return 0;
	return sim_iotlb_create(&xl.cfg.iotlb, &xl.iotlb);
}

int sim_iommu_dev_create(const struct sim_pdev_info *info, struct sim_iommu_dev **out)
{
	struct sim_iotlb_cfg devtlb_cfg;
	struct sim_pdev_info pinfo;
	struct sim_iommu_dev *dev;
	pthread_condattr_t ca;
	int ret;

	if (!info || !out || info->ops || info->priv)
		return -EINVAL;
	xl_init();
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	pthread_mutex_init(&dev->prq_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dev->prq_cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_mutex_lock(&xl.lock);
	ret = unit_get_iotlb();
	if (ret)
		goto out_unlock;
	if (info->ats) {
		devtlb_cfg = xl.cfg.devtlb;
		devtlb_cfg.flags |= SIM_IOTLB_F_DEVTLB;
		ret = sim_iotlb_create(&devtlb_cfg, &dev->devtlb);
		if (ret)
			goto out_unlock;
	}
	dev->iotlb = xl.iotlb;
	dev->exec_requests = xl.cfg.exec_requests;
	dev->prq_timeout_ms = xl.cfg.prq_timeout_ms ? xl.cfg.prq_timeout_ms : XL_DEF_PRQ_TIMEOUT_MS;
	/* Counted from here: sim_iommu_configure() may not replace the IOTLB under us. */
	xl.nr_devs++;
	pthread_mutex_unlock(&xl.lock);

	pinfo = *info;
	pinfo.ops = &xl_pdev_ops;
	pinfo.priv = dev;
	ret = sim_pdev_create(&pinfo, &dev->pdev);
	if (ret < 0) {
		pthread_mutex_lock(&xl.lock);
		xl.nr_devs--;
		goto out_unlock;
	}
	dev->max_pasids = dev->pdev->max_pasids;
	pthread_mutex_lock(&xl.lock);
	dev->next = xl.devs;
	xl.devs = dev;
	pthread_mutex_unlock(&xl.lock);
	*out = dev;
	return ret;

out_unlock:
	pthread_mutex_unlock(&xl.lock);
	sim_iotlb_destroy(dev->devtlb);
	pthread_cond_destroy(&dev->prq_cond);
	pthread_mutex_destroy(&dev->prq_lock);
	free(dev);
	return ret;
}

void sim_iommu_dev_destroy(struct sim_iommu_dev *dev)
{
	if (dev)
		sim_pdev_destroy(dev->pdev); /* the memory goes in xl_pdev_release() */
}

struct sim_pdev *sim_iommu_dev_pdev(struct sim_iommu_dev *dev)
{
	return dev->pdev;
}

void sim_iommu_dev_set_prq_timeout(struct sim_iommu_dev *dev, unsigned int timeout_ms)
{
	pthread_mutex_lock(&xl.lock);
	if (!timeout_ms)
		timeout_ms = xl.cfg.prq_timeout_ms ? xl.cfg.prq_timeout_ms : XL_DEF_PRQ_TIMEOUT_MS;
	pthread_mutex_unlock(&xl.lock);
	pthread_mutex_lock(&dev->prq_lock);
	dev->prq_timeout_ms = timeout_ms;
	pthread_mutex_unlock(&dev->prq_lock);
}

int sim_iommu_configure(const struct sim_iommu_cfg *cfg)
{
	struct sim_iommu_cfg c = cfg ? *cfg : (struct sim_iommu_cfg){ 0 };
	struct sim_iotlb *tlb, *old;
	int ret;

	if (c.iotlb.flags || (c.devtlb.flags & ~SIM_IOTLB_F_DEVTLB))
		return -EINVAL;
	c.devtlb.flags |= SIM_IOTLB_F_DEVTLB;
	xl_init();
	/* Validate the device-TLB geometry now rather than at the next device's creation. */
	ret = sim_iotlb_create(&c.devtlb, &tlb);
	if (ret)
		return ret;
	sim_iotlb_destroy(tlb);
	ret = sim_iotlb_create(&c.iotlb, &tlb);
	if (ret)
		return ret;
	pthread_mutex_lock(&xl.lock);
	if (xl.nr_devs) {
		pthread_mutex_unlock(&xl.lock);
		sim_iotlb_destroy(tlb);
		return -EBUSY;
	}
	old = xl.iotlb;
	xl.iotlb = tlb;
	xl.cfg = c;
	pthread_mutex_unlock(&xl.lock);
	/* Every user of the old one (flushes) held xl.lock while using it. */
	sim_iotlb_destroy(old);
	return 0;
}

/* ---- page requests ---------------------------------------------------------------------- */

static struct timespec deadline_after(unsigned int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* A free PRG index, waiting for one until @deadline. prq_lock held. */
static int prg_alloc(struct sim_iommu_dev *dev, const struct timespec *deadline)
{
	for (;;) {
		for (uint32_t i = 0; i < XL_PRG_SLOTS; i++) {
			uint32_t g = (dev->prg_next + i) % XL_PRG_SLOTS;

			if (dev->prg[g].state == PRG_FREE) {
				dev->prg_next = g + 1;
				return (int)g;
			}
		}
		if (pthread_cond_timedwait(&dev->prq_cond, &dev->prq_lock, deadline) == ETIMEDOUT)
			return -ETIMEDOUT;
	}
}

static uint32_t prq_perm(unsigned int access)
{
	uint32_t perm =
		(access & SIM_DMA_WRITE) ? IOMMU_PGFAULT_PERM_WRITE : IOMMU_PGFAULT_PERM_READ;

	if (access & SIM_XLATE_EXEC)
		perm |= IOMMU_PGFAULT_PERM_EXEC;
	if (access & SIM_XLATE_PRIV)
		perm |= IOMMU_PGFAULT_PERM_PRIV;
	return perm;
}

int sim_iommu_page_group(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid,
			 const struct sim_iommu_prq_page *pages, unsigned int n,
			 unsigned int timeout_ms)
{
	const unsigned int known = SIM_DMA_WRITE | SIM_XLATE_EXEC | SIM_XLATE_PRIV;
	uint32_t key = pasid_valid ? pasid : 0, code;
	struct timespec deadline;
	struct sim_hwpt *hwpt;
	struct xl_prg *s;
	bool has_fault;
	int grpid, ret;

	if (!dev || !pages || !n || n > XL_PRG_SLOTS)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if ((pages[i].access & ~known) ||
		    ((pages[i].access & SIM_DMA_WRITE) && (pages[i].access & SIM_XLATE_EXEC)))
			return -EINVAL;
	if (pasid_valid && pasid >= dev->max_pasids)
		return -EIO;
	/* Without a fault queue the IOMMU would answer at once: report it as no fault path. */
	hwpt = sim_pdev_get_hwpt(dev->pdev, key); /* Pairs with sim_hwpt_put_shortterm() */
	if (!hwpt)
		return -EIO;
	has_fault = sim_hwpt_has_fault(hwpt);
	sim_hwpt_put_shortterm(hwpt);
	if (!has_fault)
		return -EIO;

	pthread_mutex_lock(&dev->prq_lock);
	deadline = deadline_after(timeout_ms ? timeout_ms : dev->prq_timeout_ms);
	grpid = prg_alloc(dev, &deadline);
	if (grpid < 0) {
		pthread_mutex_unlock(&dev->prq_lock);
		ctr_inc(dev, C_PRQ_TIMEOUT);
		return grpid;
	}
	s = &dev->prg[grpid];
	*s = (struct xl_prg){ .state = PRG_WAITING, .pasid_valid = pasid_valid, .pasid = key };
	pthread_mutex_unlock(&dev->prq_lock);

	ctr_inc(dev, C_PRQ_GROUPS);
	for (unsigned int i = 0; i < n; i++) {
		/* May answer at once (detached meanwhile): xl_page_response() takes prq_lock. */
		ret = sim_iopf_report(dev->pdev, key, pasid_valid, pages[i].iova & ~XL_PAGE_MASK,
				      prq_perm(pages[i].access), (uint32_t)grpid, i == n - 1);
		if (ret) {
			pthread_mutex_lock(&dev->prq_lock);
			/* Pages already parked under this index would join its next group. */
			s->state = i ? PRG_LOST : PRG_FREE;
			pthread_mutex_unlock(&dev->prq_lock);
			return ret;
		}
		ctr_inc(dev, C_PRQ);
	}

	pthread_mutex_lock(&dev->prq_lock);
	while (s->state == PRG_WAITING) {
		if (pthread_cond_timedwait(&dev->prq_cond, &dev->prq_lock, &deadline) ==
			    ETIMEDOUT &&
		    s->state == PRG_WAITING) {
			/* The index stays taken until the late response arrives. */
			s->state = PRG_ABANDONED;
			pthread_mutex_unlock(&dev->prq_lock);
			ctr_inc(dev, C_PRQ_TIMEOUT);
			return -ETIMEDOUT;
		}
	}
	code = s->code;
	s->state = PRG_FREE;
	pthread_cond_broadcast(&dev->prq_cond); /* a requester may wait for a free index */
	pthread_mutex_unlock(&dev->prq_lock);
	if (code == IOMMUFD_PAGE_RESP_SUCCESS) {
		ctr_inc(dev, C_PRQ_SUCCESS);
		return 0;
	}
	ctr_inc(dev, C_PRQ_INVALID);
	return -EFAULT;
}

int sim_iommu_page_request(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid,
			   uint64_t iova, unsigned int access, unsigned int timeout_ms)
{
	const struct sim_iommu_prq_page page = { .iova = iova, .access = access };

	return sim_iommu_page_group(dev, pasid, pasid_valid, &page, 1, timeout_ms);
}

/* ---- stats ------------------------------------------------------------------------------ */

void sim_iommu_stats(struct sim_iommu_dev *dev, struct sim_iommu_stats *out)
{
	struct sim_iotlb_stats ts;
	uint64_t v[C_NR];

	memset(out, 0, sizeof(*out));
	tc_counters(dev, v);
#define LD(c) v[c]
	out->devtlb_hits = LD(C_DEVTLB_HIT);
	out->devtlb_misses = LD(C_DEVTLB_MISS);
	out->iotlb_hits = LD(C_IOTLB_HIT);
	out->iotlb_misses = LD(C_IOTLB_MISS);
	out->walks = LD(C_WALKS);
	out->s1_refs = LD(C_S1_REFS);
	out->ad_updates = LD(C_AD_UPDATES);
	out->s2_walks = LD(C_S2_WALKS);
	out->mem_refs = out->s1_refs + out->ad_updates + out->s2_walks * XL_S2_REFS;
	out->fills_dropped = LD(C_FILLS_DROPPED);
	out->faults = LD(C_FAULTS);
	out->page_requests = LD(C_PRQ);
	out->prq_groups = LD(C_PRQ_GROUPS);
	out->prq_success = LD(C_PRQ_SUCCESS);
	out->prq_invalid = LD(C_PRQ_INVALID);
	out->prq_timeouts = LD(C_PRQ_TIMEOUT);
	out->prq_late = LD(C_PRQ_LATE);
#undef LD
	out->inv_global = atomic_load(&xl.inv_global);
	out->inv_domain = atomic_load(&xl.inv_domain);
	out->inv_pasid = atomic_load(&xl.inv_pasid);
	out->inv_range = atomic_load(&xl.inv_range);
	out->inv_devtlb = atomic_load(&xl.inv_devtlb);
	sim_iotlb_stats(dev->iotlb, &ts);
	out->iotlb_entries = ts.entries;
	out->iotlb_capacity = ts.capacity;
	out->iotlb_evictions = ts.evictions;
	out->iotlb_flush_scanned = ts.flush_scanned;
	if (dev->devtlb) {
		sim_iotlb_stats(dev->devtlb, &ts);
		out->devtlb_entries = ts.entries;
		out->devtlb_capacity = ts.capacity;
	}
}

/* ---- sim_dma backend -------------------------------------------------------------------- */

/*
 * The last translation fault of this thread, so that the page_request op (which sim_dma calls
 * right after a failed translate op, on the same thread, for the same address) knows whether
 * a page request can help.
 */
static __thread struct {
	const struct sim_iommu_dev *dev;
	uint64_t iova;
	bool valid, recoverable;
} xl_last;

static int xl_dma_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			    struct sim_dma_xlate *out)
{
	struct sim_iommu_dev *dev = dma->priv;
	unsigned int acc = (access & SIM_DMA_WRITE) | (dma->priv_req ? SIM_XLATE_PRIV : 0);
	struct sim_xlate_fault f;
	int ret;

	ret = sim_iommu_translate(dev, dma->pasid, dma->pasid_valid, iova, acc, out, &f);
	if (ret == -EFAULT) {
		xl_last.dev = dev;
		xl_last.iova = iova;
		xl_last.recoverable = f.recoverable;
		xl_last.valid = true;
	}
	return ret;
}

static int xl_dma_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	struct sim_iommu_dev *dev = dma->priv;
	unsigned int acc = (access & SIM_DMA_WRITE) | (dma->priv_req ? SIM_XLATE_PRIV : 0);
	int ret;

	if (xl_last.valid && xl_last.dev == dev && xl_last.iova == iova) {
		xl_last.valid = false;
		if (!xl_last.recoverable)
			return -EOPNOTSUPP;
	}
	ret = sim_iommu_page_request(dev, dma->pasid, dma->pasid_valid, iova, acc, 0);
	/* No fault queue: a translation fault, as the model says. */
	return ret == -EIO ? -EOPNOTSUPP : ret;
}

const struct sim_dma_ops sim_iommu_dma_ops = {
	.translate = xl_dma_translate,
	.page_request = xl_dma_page_request,
};
