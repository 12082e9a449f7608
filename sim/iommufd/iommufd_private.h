/* SPDX-License-Identifier: MIT */
/*
 * sim iommufd: the in-process model of the kernel's iommufd (drivers/iommu/iommufd/).
 *
 * Shapes follow the kernel so behaviour can be checked side by side: a context per open
 * /dev/iommu holding an ID-indexed table of refcounted objects (base object first), commands
 * dispatched through a table with the kernel's size rules, IOAS objects wrapping an io_pagetable,
 * HW pagetables (paging or nested) backed by a "driver" (a const ops table: sim VT-d, later the
 * kernel selftest's mock driver), iommufd device objects created by binding a sim device through
 * its VFIO cdev, and fault queues with a real descriptor.
 *
 * Locking, outermost first:
 *   ictx->mutex   every ioctl on the context, VFIO cdev ioctls that touch it, close();
 *   pdev->lock    (rwlock) a device's attachments: written by attach/replace/detach, read by the
 *                 device side (sim_pdev_get_hwpt(), sim_iopf_report());
 *   iopt->lock    (rwlock) an io_pagetable: written by map/unmap/..., read by translation;
 *   fault->mutex  a fault queue's lists.
 * Device callbacks (page responses, invalidation notifiers) run with none of these held except
 * where their documentation says so.
 */
#ifndef SIM_IOMMUFD_PRIVATE_H
#define SIM_IOMMUFD_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pasid/iommufd_uapi.h"
#include "sim/sim_device.h"
#include "sim/sim_file.h"

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* The kernel's PAGE_SIZE on x86-64; io_pagetable works in these units. */
#define SIM_PAGE_SIZE 4096UL
/* HPAGE_SIZE: the cap on automatic IOVA alignment (THP size). */
#define SIM_HPAGE_SIZE (2UL << 20)
#define SIM_IOMMU_NO_PASID 0u

struct sim_iommufd_ctx;
struct sim_hwpt;
struct sim_hwpt_paging;
struct sim_idev;
struct sim_fault;
struct sim_access;
struct sim_viommu;
struct sim_viommu_ops;
struct sim_hw_queue;
struct sim_vevent;
struct sim_iommufd_mmap;

/* ---- user memory ------------------------------------------------------------------------ */

/**
 * sim_copy_from_user() - copy from a caller-supplied pointer without trusting it.
 * @dst: kernel-side buffer.
 * @src: user pointer (may be NULL, unmapped or unreadable).
 * @n: bytes.
 *
 * Reads through process_vm_readv() on our own process, so a bad pointer gives an error instead
 * of SIGSEGV, like the kernel's copy_from_user().
 *
 * Return: 0, or -EFAULT if any byte is unreadable.
 */
int sim_copy_from_user(void *dst, const void *src, size_t n);

/**
 * sim_copy_to_user() - copy to a caller-supplied pointer without trusting it.
 * @dst: user pointer.
 * @src: source.
 * @n: bytes.
 *
 * Return: 0, or -EFAULT if any byte is unwritable.
 */
int sim_copy_to_user(void *dst, const void *src, size_t n);

/** sim_clear_user() - zero @n bytes of user memory. Return: 0 or -EFAULT. */
int sim_clear_user(void *dst, size_t n);

/**
 * sim_copy_struct_from_user() - the kernel's copy_struct_from_user().
 * @dst: kernel struct of @ksize bytes.
 * @ksize: size of the kernel struct.
 * @src: user struct of @usize bytes.
 * @usize: size the caller declared.
 *
 * A shorter user struct is zero-extended; a longer one must have only zero bytes past @ksize.
 *
 * Return: 0, -E2BIG (nonzero tail), -EFAULT.
 */
int sim_copy_struct_from_user(void *dst, size_t ksize, const void *src, size_t usize);

static inline void *sim_u64_to_user_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

/* ---- objects ---------------------------------------------------------------------------- */

enum sim_iommufd_object_type {
	SIM_OBJ_NONE,
	SIM_OBJ_ANY = SIM_OBJ_NONE,
	SIM_OBJ_DEVICE,
	SIM_OBJ_HWPT_PAGING,
	SIM_OBJ_HWPT_NESTED,
	SIM_OBJ_IOAS,
	SIM_OBJ_FAULT,
	/* The kernel selftest's mock device objects (IOMMUFD_OBJ_SELFTEST, selftest.c). */
	SIM_OBJ_SELFTEST,
	SIM_OBJ_ACCESS,
	SIM_OBJ_VIOMMU,
	SIM_OBJ_VDEVICE,
	SIM_OBJ_VEVENTQ,
	SIM_OBJ_HW_QUEUE,
	SIM_OBJ_MAX,
};

/*
 * The base of every object. @users counts long-term references: the table holds one, and
 * every object or attachment that depends on this one holds one (DESTROY needs users == 1).
 * @shortterm counts references taken by device-side threads (translation, page requests);
 * destruction waits for it to drain instead of failing, as the kernel's shortterm_users.
 */
struct sim_iommufd_object {
	enum sim_iommufd_object_type type;
	uint32_t id;
	atomic_int users;
	atomic_int shortterm;
};

/* Per-type destructors; abort undoes an unpublished object (defaults to destroy). */
struct sim_iommufd_object_ops {
	void (*destroy)(struct sim_iommufd_object *obj);
	void (*abort)(struct sim_iommufd_object *obj);
};

struct sim_iommufd_ctx {
	struct sim_file *file;
	pthread_mutex_t mutex;
	/* Object table indexed by ID; ID 0 is never used. */
	struct sim_iommufd_object **objs;
	uint32_t nr_slots;
	uint32_t nr_objects;
	bool account_mm; /* IOMMU_OPTION_RLIMIT_MODE */
	struct sim_ioas *vfio_ioas;
	/* Regions drivers offer to mmap() of the fd (the kernel's mt_mmap), by offset: mmap.c */
	struct sim_iommufd_mmap *mmaps;
};

/**
 * sim_iommufd_object_alloc() - reserve an ID and allocate a zeroed object.
 * @ictx: context (mutex held).
 * @size: size of the containing struct; the base object must be its first member.
 * @type: object type.
 *
 * The ID is reserved but lookups of it fail (ENOENT) until sim_iommufd_object_finalize().
 * The object starts with users = 1 (the table's).
 *
 * Return: the object, or NULL (out of memory or IDs).
 */
struct sim_iommufd_object *sim_iommufd_object_alloc(struct sim_iommufd_ctx *ictx, size_t size,
						    enum sim_iommufd_object_type type);
/** sim_iommufd_object_finalize() - publish an allocated object: its ID becomes visible. */
void sim_iommufd_object_finalize(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj);
/** sim_iommufd_object_abort() - free an unpublished object and its ID (no destructor). */
void sim_iommufd_object_abort(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj);
/** sim_iommufd_object_abort_and_destroy() - run the abort/destroy op, then abort. */
void sim_iommufd_object_abort_and_destroy(struct sim_iommufd_ctx *ictx,
					  struct sim_iommufd_object *obj);
/**
 * sim_iommufd_get_object() - look up a published object and take a reference.
 * @ictx: context (mutex held).
 * @id: object ID.
 * @type: wanted type, or SIM_OBJ_ANY.
 *
 * Return: the object (put it with sim_iommufd_put_object()), or NULL: absent, unpublished or of
 * another type (callers turn that into the kernel's errno, usually ENOENT).
 */
struct sim_iommufd_object *sim_iommufd_get_object(struct sim_iommufd_ctx *ictx, uint32_t id,
						  enum sim_iommufd_object_type type);
void sim_iommufd_put_object(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj);
/**
 * sim_iommufd_object_remove() - unpublish and destroy an object nobody else holds.
 * @ictx: context (mutex held).
 * @obj: the object, with a reference held by the caller that this call consumes; or NULL to
 *       remove by @id (userspace DESTROY).
 * @id: object ID.
 *
 * Return: 0, -ENOENT (absent), -EBUSY (someone else holds it; nothing changes).
 */
int sim_iommufd_object_remove(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj,
			      uint32_t id);
/** sim_iommufd_ctx_get()/put() - hold the context's file (fault fds, VFIO binds do). */
void sim_iommufd_ctx_get(struct sim_iommufd_ctx *ictx);
void sim_iommufd_ctx_put(struct sim_iommufd_ctx *ictx);
/**
 * sim_iommufd_ctx_from_fd() - the context behind a descriptor, with a reference.
 * Return: the context, or NULL with *@err = -EBADF (not a descriptor) / -EBADFD (not iommufd).
 */
struct sim_iommufd_ctx *sim_iommufd_ctx_from_fd(int fd, int *err);

/* Waits for device-side (shortterm) references to drain; see struct sim_iommufd_object. */
void sim_iommufd_object_wait_shortterm(struct sim_iommufd_object *obj);

/* Command context, as the kernel's struct iommufd_ucmd. */
struct sim_iommufd_ucmd {
	struct sim_iommufd_ctx *ictx;
	void *ubuffer;
	uint32_t user_size;
	void *cmd;
};
/* Copies the (possibly updated) command back: min(user_size, @size) bytes. 0 or -EFAULT. */
int sim_iommufd_ucmd_respond(struct sim_iommufd_ucmd *ucmd, size_t size);

/* ---- io_pagetable ----------------------------------------------------------------------- */

#define SIM_IOMMU_READ (1 << 0)
#define SIM_IOMMU_WRITE (1 << 1)

/* The user memory behind areas; shared by areas made by IOAS_COPY. */
struct sim_iopt_pages {
	atomic_int refs;
	uintptr_t uptr; /* page aligned start */
	size_t length; /* bytes from uptr */
	bool writable;
	/* Pins (pin.c): per page of uptr, the users that need it pinned and its frame key. */
	uint32_t *pin_users;
	uint64_t *pin_keys;
	/* IOAS_MAP_FILE: the file (sim's own descriptor) mapped by sim at uptr, else -1. */
	int file_fd;
	uint64_t file_start; /* file offset of uptr */
	size_t map_len; /* bytes sim mapped at uptr */
	/*
	 * Mapped by a forked child (fork.c): uptr is the child's address until the first pin
	 * resolves it into ours (sim_mm_resolve_pages()), which drops src_mm. snap_len: bytes
	 * sim copied into memory of its own at uptr then (0: uptr aliases the same pages).
	 */
	struct sim_mm *src_mm;
	size_t snap_len;
};

struct sim_iopt_area {
	uint64_t iova;
	uint64_t last;
	struct sim_iopt_pages *pages;
	uint64_t start_byte; /* offset of iova's byte in pages */
	int prot;
	bool pinned; /* pinned for the IOAS's domains */
	bool prevent_access; /* being unmapped: accesses may not pin it any more */
	unsigned int num_accesses; /* access pins inside the area */
	unsigned int num_locks; /* pins of internal accesses (HW queues): UNMAP is EBUSY */
};

struct sim_iopt_range {
	uint64_t start;
	uint64_t last;
	const void *owner;
};

/* What the io_pagetable needs to know about an attached domain. */
struct sim_iopt_domain {
	uint64_t pgsize_bitmap;
	uint64_t aperture_start;
	uint64_t aperture_end;
};

struct sim_iopt {
	pthread_rwlock_t lock;
	struct sim_iopt_area **areas; /* sorted by iova, disjoint */
	size_t nr_areas, cap_areas;
	struct sim_iopt_range *reserved; /* unsorted; may overlap each other */
	size_t nr_reserved, cap_reserved;
	struct sim_iopt_range *allowed; /* sorted, disjoint */
	size_t nr_allowed;
	struct sim_iopt_domain **domains;
	size_t nr_domains, cap_domains;
	/* Accesses attached to the IOAS (the kernel's iopt->access_list). */
	struct sim_access **accesses;
	size_t nr_accesses, cap_accesses;
	uint64_t iova_alignment;
	bool disable_large_pages;
};

/* A list of user-memory pieces to map (one per source area for COPY). */
struct sim_iopt_pages_elm {
	struct sim_iopt_pages *pages;
	uint64_t start_byte;
	uint64_t length;
};

void sim_iopt_init(struct sim_iopt *iopt);
void sim_iopt_destroy(struct sim_iopt *iopt);
int sim_iopt_map_user(struct sim_iopt *iopt, uint64_t *iova, uint64_t uptr, uint64_t length,
		      int prot, bool alloc_iova);
int sim_iopt_get_pages(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
		       struct sim_iopt_pages_elm **out, size_t *nr);
void sim_iopt_put_pages_list(struct sim_iopt_pages_elm *elms, size_t nr);
int sim_iopt_map_pages(struct sim_iopt *iopt, struct sim_iopt_pages_elm *elms, size_t nr,
		       uint64_t length, uint64_t *iova, int prot, bool alloc_iova);
int sim_iopt_unmap(struct sim_iopt *iopt, uint64_t iova, uint64_t length, uint64_t *unmapped);
int sim_iopt_unmap_all(struct sim_iopt *iopt, uint64_t *unmapped);
int sim_iopt_set_allow_iova(struct sim_iopt *iopt, struct sim_iopt_range *ranges, size_t nr);
/* Fills up to @max holes of the reserved set; returns how many there are. */
uint32_t sim_iopt_iova_ranges(struct sim_iopt *iopt, struct iommu_iova_range *out, uint32_t max,
			      uint64_t *alignment);
int sim_iopt_reserve_iova(struct sim_iopt *iopt, uint64_t start, uint64_t last, const void *owner);
void sim_iopt_remove_reserved_iova(struct sim_iopt *iopt, const void *owner);
int sim_iopt_add_domain(struct sim_iopt *iopt, struct sim_iopt_domain *domain);
void sim_iopt_remove_domain(struct sim_iopt *iopt, struct sim_iopt_domain *domain);
int sim_iopt_disable_large_pages(struct sim_iopt *iopt);
void sim_iopt_enable_large_pages(struct sim_iopt *iopt);
/* Reserves a device's regions (owner = @pdev); on failure none stays. */
int sim_iopt_enforce_dev_resv_regions(struct sim_iopt *iopt, const struct sim_pdev *pdev);
/*
 * IOAS_MAP_FILE: maps [@start, @start + @length) of the file @fd (sim maps it into the process
 * and keeps its own descriptor). Return: 0, -EBADF, -EINVAL, -EOVERFLOW, -ENOMEM, or
 * sim_iopt_map_pages()'s errors.
 */
int sim_iopt_map_file(struct sim_iopt *iopt, uint64_t *iova, int fd, uint64_t start,
		      uint64_t length, int prot, bool alloc_iova);
/* Whether every area of @iopt maps a file (IOAS_CHANGE_PROCESS needs that). */
bool sim_iopt_all_file_backed(struct sim_iopt *iopt);
/* The last IOVA of the area that maps @iova: 0, or -ENOENT if none does. */
int sim_iopt_area_last(struct sim_iopt *iopt, uint64_t iova, uint64_t *last);
/*
 * iopt_cut_iova(): split the areas containing each of @iovas so that one ends there (VFIO
 * type1 unmaps). Return: 0, -EINVAL (misaligned, pinned by an access, or large pages
 * allowed while a domain is attached), -ENOMEM.
 */
int sim_iopt_cut_iova(struct sim_iopt *iopt, const uint64_t *iovas, size_t num);

/* Accesses on an io_pagetable (iopt_add_access() and the access_* helpers of pages.c). */
int sim_iopt_add_access(struct sim_iopt *iopt, struct sim_access *access);
void sim_iopt_remove_access(struct sim_iopt *iopt, struct sim_access *access);
/*
 * Pins [@iova, @iova + @length) for an access; @out_va gets the page-aligned process address
 * of every PAGE_SIZE page the range touches. Return: 0, -ENOENT (not fully mapped), -EINVAL
 * (being unmapped, or areas that do not meet at page boundaries), -EPERM, -EFAULT, -ENOMEM.
 */
int sim_iopt_access_pin(struct sim_iopt *iopt, uint64_t iova, uint64_t length, bool write,
			uintptr_t *out_va);
void sim_iopt_access_unpin(struct sim_iopt *iopt, uint64_t iova, uint64_t length);
/*
 * Locks (@lock) or unlocks the areas under [@iova, @iova + @length), which an internal access
 * pinned: while locked, an UNMAP touching them fails with EBUSY (the kernel's num_locks).
 */
void sim_iopt_lock_areas(struct sim_iopt *iopt, uint64_t iova, uint64_t length, bool lock);
/* Copies between @data and [@iova, @iova + @length) of @iopt: the kernel's access_rw(). */
int sim_iopt_access_rw(struct sim_iopt *iopt, uint64_t iova, void *data, uint64_t length,
		       bool write);

/* ---- pins (pin.c) ----------------------------------------------------------------------- */

/*
 * sim_pages_pin() - pin pages @first..@last (PAGE_SIZE indexes from pages->uptr) for one more
 * user; a page is counted once per @pages however many users need it. The pages must be
 * populated. Return: 0, -EINVAL, -ENOMEM (nothing pinned).
 */
int sim_pages_pin(struct sim_iopt_pages *pages, size_t first, size_t last);
void sim_pages_unpin(struct sim_iopt_pages *pages, size_t first, size_t last);
/* Frees the pin arrays of @pages, which nothing pins any more. */
void sim_pages_pin_release(struct sim_iopt_pages *pages);
/* The pins on the page frame behind @va (MD_CHECK_REFS). Return: 0, -EFAULT (unmapped). */
int sim_pin_count(uintptr_t va, unsigned int *count);
/* Whether @a and @b are the same byte of the same page frame. */
bool sim_same_frame(uintptr_t a, uintptr_t b);
/*
 * Whether the @len bytes at @va (page aligned) are backed by physically contiguous frames
 * aligned to @len: where an IOMMU would map one large page (needs CAP_SYS_ADMIN to see).
 */
bool sim_frames_contiguous(uintptr_t va, size_t len);

/* ---- IOAS ------------------------------------------------------------------------------- */

struct sim_ioas {
	struct sim_iommufd_object obj;
	struct sim_iopt iopt;
	/* Paging HWPTs on this IOAS, in creation order (auto domains are searched here). */
	struct sim_hwpt_paging **hwpts;
	size_t nr_hwpts, cap_hwpts;
};

struct sim_ioas *sim_ioas_alloc(struct sim_iommufd_ctx *ictx);
void sim_ioas_destroy(struct sim_iommufd_object *obj);
struct sim_ioas *sim_iommufd_get_ioas(struct sim_iommufd_ctx *ictx, uint32_t id);
int sim_ioas_add_hwpt(struct sim_ioas *ioas, struct sim_hwpt_paging *hwpt);
void sim_ioas_del_hwpt(struct sim_ioas *ioas, struct sim_hwpt_paging *hwpt);

int sim_ioas_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_allow_iovas(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_copy(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_iova_ranges(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_map(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_unmap(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_option(struct sim_iommufd_ucmd *ucmd);
int sim_option_rlimit_mode(struct iommu_option *cmd, struct sim_iommufd_ctx *ictx);
int sim_vfio_ioas(struct sim_iommufd_ucmd *ucmd);

/* ---- driver interface ------------------------------------------------------------------- */

/* The kernel's struct iommu_user_data / iommu_user_data_array. */
struct sim_user_data {
	uint32_t type;
	uint64_t uptr;
	uint32_t len;
};

struct sim_user_data_array {
	uint32_t type;
	uint64_t uptr;
	uint32_t entry_len;
	uint32_t entry_num;
};

/*
 * The kernel's iommu_copy_struct_from_user(): type must match (EINVAL), len within
 * [min_len, ksize] (EINVAL), then copy_struct_from_user() (EFAULT).
 */
int sim_copy_struct_from_user_data(void *dst, size_t ksize, size_t min_len,
				   const struct sim_user_data *data, uint32_t type);
/* The array version for entry @index (iommu_copy_struct_from_user_array()). */
int sim_copy_struct_from_user_array(void *dst, size_t ksize, size_t min_len,
				    const struct sim_user_data_array *array, uint32_t type,
				    uint32_t index);

/**
 * struct sim_iommu_ops - one IOMMU "driver" (the kernel's iommu_ops + domain ops).
 *
 * Everything that differs between IOMMUs sits here so the core stays generic: sim VT-d for
 * svart's devices, and the kernel selftest's mock driver. Every op must be set (a driver
 * without a feature implements it as returning the kernel's errno).
 */
struct sim_iommu_ops {
	const char *name;
	/* A page request with a PASID nothing is attached at goes to the RID's domain. */
	bool user_pasid_table;
	/* The vIOMMU type @type of this IOMMU: its ops, or NULL (VIOMMU_ALLOC: EOPNOTSUPP). */
	const struct sim_viommu_ops *(*viommu_ops)(struct sim_pdev *pdev, uint32_t type);
	/* IOMMU_GET_HW_INFO: fill @buf (at most 64 bytes), set *@len and *@type. In: *@type
	 * is the requested type (DEFAULT = any). Return 0 or -EOPNOTSUPP. */
	int (*hw_info)(struct sim_pdev *pdev, void *buf, uint32_t *len, uint32_t *type);
	bool dirty_tracking; /* IOMMU_CAP_DIRTY_TRACKING */
	/* Paging domain geometry (pgsize_bitmap, aperture). */
	int (*paging_geometry)(struct sim_pdev *pdev, uint32_t flags, struct sim_iopt_domain *geo);
	/* domain_alloc_paging_flags(): validate flags/user data; *@priv gets driver data. */
	int (*alloc_paging)(struct sim_pdev *pdev, uint32_t flags, const struct sim_user_data *data,
			    void **priv);
	/* domain_alloc_nested(): @parent is a paging HWPT of this driver. */
	int (*alloc_nested)(struct sim_pdev *pdev, struct sim_hwpt_paging *parent, uint32_t flags,
			    const struct sim_user_data *data, void **priv);
	void (*domain_free)(void *priv);
	/* Driver checks at attach (both RID and PASID); 0 or -errno, nothing changes on error. */
	int (*attach_check)(struct sim_pdev *pdev, struct sim_hwpt *hwpt, uint32_t pasid);
	/* cache_invalidate_user(); sets array->entry_num to the entries handled. */
	int (*cache_invalidate_user)(struct sim_hwpt *hwpt, struct sim_user_data_array *array);
	/*
	 * The dirty ops of a paging domain allocated with DIRTY_TRACKING (iommu_dirty_ops):
	 * set_dirty_tracking() starts (from a clean state) or stops tracking;
	 * read_and_clear_dirty() calls @record for each dirty page of [@iova, @iova + @length),
	 * which the IOAS maps, and clears it unless @no_clear. 0 or -errno.
	 */
	int (*set_dirty_tracking)(struct sim_hwpt *hwpt, bool enable);
	int (*read_and_clear_dirty)(struct sim_hwpt *hwpt, uint64_t iova, uint64_t length,
				    bool no_clear,
				    void (*record)(void *ctx, uint64_t iova, uint64_t length),
				    void *ctx);
};

/* ---- HW pagetables ---------------------------------------------------------------------- */

struct sim_hwpt {
	struct sim_iommufd_object obj;
	const struct sim_iommu_ops *owner;
	void *domain_priv;
	struct sim_fault *fault;
	bool pasid_compat;
	uint32_t did; /* VT-d domain id (sim_iommu_did_alloc()), 0 until allocated */
};

struct sim_hwpt_paging {
	struct sim_hwpt common;
	struct sim_ioas *ioas;
	struct sim_iopt_domain domain;
	bool domain_added; /* domain is in ioas->iopt */
	bool auto_domain;
	bool nest_parent;
	bool dirty_tracking;
};

struct sim_hwpt_nested {
	struct sim_hwpt common;
	struct sim_hwpt_paging *parent;
	struct sim_viommu *viommu; /* allocated on a vIOMMU (which holds the parent) */
};

static inline struct sim_hwpt_paging *sim_to_hwpt_paging(struct sim_hwpt *hwpt)
{
	return hwpt->obj.type == SIM_OBJ_HWPT_PAGING ? (struct sim_hwpt_paging *)hwpt : NULL;
}

static inline struct sim_hwpt_nested *sim_to_hwpt_nested(struct sim_hwpt *hwpt)
{
	return hwpt->obj.type == SIM_OBJ_HWPT_NESTED ? (struct sim_hwpt_nested *)hwpt : NULL;
}

/* The paging HWPT whose IOAS backs @hwpt (itself, or a nested HWPT's parent). */
static inline struct sim_hwpt_paging *sim_find_hwpt_paging(struct sim_hwpt *hwpt)
{
	if (hwpt->obj.type == SIM_OBJ_HWPT_PAGING)
		return (struct sim_hwpt_paging *)hwpt;
	if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED)
		return ((struct sim_hwpt_nested *)hwpt)->parent;
	return NULL;
}

struct sim_hwpt_paging *sim_hwpt_paging_alloc(struct sim_iommufd_ctx *ictx, struct sim_ioas *ioas,
					      struct sim_idev *idev, uint32_t flags,
					      const struct sim_user_data *data, int *err);
void sim_hwpt_paging_destroy(struct sim_iommufd_object *obj);
void sim_hwpt_paging_abort(struct sim_iommufd_object *obj);
void sim_hwpt_nested_destroy(struct sim_iommufd_object *obj);
/* Drops one users reference; destroys the HWPT if it was an auto domain left unused. */
void sim_hwpt_put(struct sim_iommufd_ctx *ictx, struct sim_hwpt *hwpt);

int sim_hwpt_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
int sim_hwpt_invalidate(struct sim_iommufd_ucmd *ucmd);
int sim_hwpt_set_dirty_tracking(struct sim_iommufd_ucmd *ucmd);
int sim_hwpt_get_dirty_bitmap(struct sim_iommufd_ucmd *ucmd);

/* ---- devices ---------------------------------------------------------------------------- */

/* One attachment of a device (RID or one PASID) to a HWPT: the kernel's attach handle. */
struct sim_attach_handle {
	struct sim_idev *idev;
	struct sim_hwpt *hwpt;
	uint32_t pasid;
};

struct sim_idev {
	struct sim_iommufd_object obj;
	struct sim_iommufd_ctx *ictx;
	struct sim_pdev *pdev;
};

/**
 * sim_iommufd_device_bind() - create the iommufd device object for @pdev (VFIO bind).
 * @ictx: context (mutex held).
 * @pdev: the device (sim_pdev_get() taken by the caller is not consumed).
 * @id: out, the device ID.
 *
 * The caller holds the object as a user until sim_iommufd_device_unbind().
 *
 * Return: the device object, or NULL with *@err (-EBUSY if already bound, -ENOMEM).
 */
struct sim_idev *sim_iommufd_device_bind(struct sim_iommufd_ctx *ictx, struct sim_pdev *pdev,
					 uint32_t *id, int *err);
/* Destroys the device object; everything must be detached first. Context mutex held. */
void sim_iommufd_device_unbind(struct sim_idev *idev);
void sim_idev_destroy(struct sim_iommufd_object *obj);
/*
 * The kernel's iommufd_device_attach()/replace()/detach() for (@idev, @pasid); pt_id in/out.
 * Context mutex held. Return: 0 or -errno (see the ABI notes, §2 Attach/replace/detach).
 */
int sim_iommufd_device_attach(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id);
int sim_iommufd_device_replace(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id);
void sim_iommufd_device_detach(struct sim_idev *idev, uint32_t pasid);
struct sim_idev *sim_iommufd_get_device(struct sim_iommufd_ctx *ictx, uint32_t id);
int sim_get_hw_info(struct sim_iommufd_ucmd *ucmd);

/* ---- fault queue ------------------------------------------------------------------------ */

struct sim_iopf {
	struct sim_iopf *next;
	struct iommu_hwpt_pgfault rec; /* dev_id, cookie filled at read */
};

/* A page-request group: faults sharing a grpid, the last one with LAST_PAGE. */
struct sim_iopf_group {
	struct sim_iopf_group *next;
	struct sim_iopf *faults; /* in arrival order */
	uint32_t fault_count;
	struct sim_attach_handle *handle;
	struct sim_pdev *pdev; /* where the response goes */
	uint32_t cookie;
	uint32_t last_pasid, last_grpid;
	bool last_pasid_valid;
};

struct sim_fault {
	struct sim_iommufd_object obj;
	struct sim_iommufd_ctx *ictx;
	struct sim_file *file;
	pthread_mutex_t mutex;
	struct sim_iopf_group *deliver, *deliver_tail;
	/* Groups read but not answered, indexed by cookie (1-based, lowest free reused). */
	struct sim_iopf_group **response;
	uint32_t nr_response;
};

int sim_fault_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
void sim_fault_destroy(struct sim_iommufd_object *obj);
struct sim_fault *sim_iommufd_get_fault(struct sim_iommufd_ctx *ictx, uint32_t id);
/* Answers INVALID every group delivered through @handle (detach/replace). */
void sim_fault_auto_response(struct sim_hwpt *hwpt, struct sim_attach_handle *handle);
/* Queues @group on @hwpt's fault object (pdev->lock held for reading). */
void sim_fault_queue_group(struct sim_fault *fault, struct sim_iopf_group *group);
/* Sends the response for @group to its device and frees it. No locks held. */
void sim_iopf_group_respond(struct sim_iopf_group *group, uint32_t code);

/* ---- vIOMMUs and vDEVICEs (viommu.c) ---------------------------------------------------- */

/* What a driver implements for one vIOMMU type (the kernel's iommufd_viommu_ops). */
struct sim_viommu_ops {
	/* viommu_init(): @data is the VIOMMU_ALLOC driver data (NULL when data_len is 0). */
	int (*init)(struct sim_viommu *viommu, struct sim_pdev *pdev,
		    const struct sim_user_data *data);
	void (*destroy)(struct sim_viommu *viommu);
	/* alloc_domain_nested(): like sim_iommu_ops.alloc_nested, on the vIOMMU. */
	int (*alloc_nested)(struct sim_viommu *viommu, uint32_t flags,
			    const struct sim_user_data *data, void **priv);
	/* HWPT_INVALIDATE on the vIOMMU; sets array->entry_num to the entries handled. */
	int (*cache_invalidate)(struct sim_viommu *viommu, struct sim_user_data_array *array);
	/* get_hw_queue_size() != 0: whether the vIOMMU has HW queues of @type (else EOPNOTSUPP). */
	bool (*hw_queue_supported)(struct sim_viommu *viommu, uint32_t type);
	/*
	 * hw_queue_init_phys(): the queue's memory is pinned and contiguous from @base_va (the
	 * process address sim's devices use where hardware uses a physical one). May set
	 * hw_queue->destroy and ->priv. 0 or -errno; on error nothing is left to undo.
	 */
	int (*hw_queue_init)(struct sim_hw_queue *hw_queue, uint32_t index, uintptr_t base_va);
};

struct sim_vdevice;
struct sim_veventq;

struct sim_viommu {
	struct sim_iommufd_object obj;
	struct sim_iommufd_ctx *ictx;
	const struct sim_iommu_ops *iommu; /* the physical IOMMU's driver */
	const struct sim_viommu_ops *ops;
	struct sim_hwpt_paging *hwpt; /* the nesting parent, held */
	uint32_t type;
	void *priv; /* driver data */
	struct sim_vdevice **vdevs;
	size_t nr_vdevs, cap_vdevs;
	struct sim_veventq *veventqs; /* at most one per type; changed under the context mutex */
};

struct sim_vdevice {
	struct sim_iommufd_object obj;
	struct sim_viommu *viommu; /* held */
	struct sim_idev *idev; /* held */
	uint64_t virt_id;
};

int sim_viommu_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
int sim_vdevice_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
void sim_viommu_destroy(struct sim_iommufd_object *obj);
void sim_vdevice_destroy(struct sim_iommufd_object *obj);
/* The vDEVICE of @pdev on @viommu, or NULL (the kernel's iommufd_viommu_get_vdev_id()). */
struct sim_vdevice *sim_viommu_find_vdev(struct sim_viommu *viommu, const struct sim_pdev *pdev);
/* The vDEVICE with virtual ID @virt_id, or NULL (iommufd_viommu_find_dev()). */
struct sim_vdevice *sim_viommu_find_virt_id(struct sim_viommu *viommu, uint64_t virt_id);

/* ---- vEVENTQs (eventq.c) and HW queues (hw_queue.c) ------------------------------------- */

/*
 * A vIOMMU event queue (IOMMUFD_OBJ_VEVENTQ): events a driver reports on a vIOMMU, read from
 * its descriptor as struct iommufd_vevent_header + data, with sequence numbers and, once
 * @depth events wait, one LOST_EVENTS header at the tail instead of new events.
 */
struct sim_veventq {
	struct sim_iommufd_object obj;
	struct sim_iommufd_ctx *ictx;
	struct sim_viommu *viommu; /* held */
	struct sim_veventq *next; /* on viommu->veventqs */
	struct sim_file *file; /* NULL once the descriptor is released */
	pthread_mutex_t mutex; /* the queue below: reporters and readers */
	struct sim_vevent *head, *tail;
	bool lost; /* a LOST_EVENTS header follows @tail */
	uint32_t lost_sequence;
	uint32_t type;
	uint32_t depth;
	uint32_t num_events; /* events queued (the header is not one) */
	uint32_t sequence; /* the next event's, in [0, INT_MAX] */
};

int sim_veventq_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
void sim_veventq_destroy(struct sim_iommufd_object *obj);

/**
 * sim_viommu_report_event() - queue a driver event on @viommu's vEVENTQ of @type.
 * @viommu: the vIOMMU (context mutex held).
 * @type: the vEVENTQ type.
 * @data: event data, @len bytes (not 0).
 * @len: length of @data.
 *
 * The kernel's iommufd_viommu_report_event(): a full queue (or no memory) records a lost
 * event instead, with its own sequence number.
 *
 * Return: 0, -EOPNOTSUPP (no vEVENTQ of @type), -ENOMEM (the event was recorded as lost),
 * -EINVAL (no data).
 */
int sim_viommu_report_event(struct sim_viommu *viommu, uint32_t type, const void *data, size_t len);

/* A vIOMMU's hardware-accelerated queue in guest memory (IOMMUFD_OBJ_HW_QUEUE). */
struct sim_hw_queue {
	struct sim_iommufd_object obj;
	struct sim_viommu *viommu; /* held */
	struct sim_access *access; /* internal access pinning and locking the memory, held */
	uint32_t type;
	uint64_t base_addr; /* nesting_parent_iova */
	uint64_t length;
	void *priv; /* driver data */
	void (*destroy)(struct sim_hw_queue *hw_queue); /* driver's undo of hw_queue_init */
};

int sim_hw_queue_alloc_ioctl(struct sim_iommufd_ucmd *ucmd);
void sim_hw_queue_destroy(struct sim_iommufd_object *obj);

/* ---- mmap() of the iommufd (mmap.c) ----------------------------------------------------- */

/**
 * sim_iommufd_alloc_mmap() - offer @length bytes of the memory file @memfd to mmap().
 * @ictx: the context (mutex held).
 * @owner: the object the region belongs to; each mapping holds it (DESTROY is EBUSY).
 * @memfd: a memory file the driver keeps open until sim_iommufd_destroy_mmap(); mappings
 *         share it, as they share the kernel driver's MMIO page.
 * @length: page-aligned, not 0.
 * @offset: out, the mmap() offset: the lowest free one from PAGE_SIZE (the kernel's
 *          mtree_alloc_range() from PAGE_SIZE).
 *
 * Return: 0, -EINVAL (length), -ENOMEM, -ENOSPC.
 */
int sim_iommufd_alloc_mmap(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *owner,
			   int memfd, uint64_t length, uint64_t *offset);
/* Withdraws the region at @offset (context mutex held); mappings made stay valid. */
void sim_iommufd_destroy_mmap(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *owner,
			      uint64_t offset);
/* The iommufd's mmap op: iommufd_fops_mmap()'s checks, then a shared mapping of the region. */
int sim_iommufd_fops_mmap(struct sim_file *file, size_t len, int prot, int flags, off_t off,
			  void **addr);
/**
 * sim_iommufd_munmap_notify() - the process unmapped [@addr, @addr + @len) (munmap succeeded).
 * @addr: start.
 * @len: length.
 *
 * When the last page of an iommufd mapping goes, the owner and context references it held are
 * dropped (the kernel's vm_close). Cheap when no iommufd mapping exists. No locks held.
 */
void sim_iommufd_munmap_notify(const void *addr, size_t len);

/* ---- accesses (access.c) ---------------------------------------------------------------- */

/* The kernel's iommufd_access_ops. */
struct sim_access_ops {
	bool needs_pin_pages;
	/* The IOAS unmaps [@iova, @iova + @length): unpin everything pinned in it, now. */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

/* An in-kernel user of an IOAS (struct iommufd_access): reads, writes and pins through it. */
struct sim_access {
	struct sim_iommufd_object obj;
	struct sim_iommufd_ctx *ictx;
	const struct sim_access_ops *ops;
	void *data;
	struct sim_ioas *ioas; /* NULL while detached or changing */
	struct sim_ioas *ioas_unpin; /* where pins made so far are undone */
	uint64_t iova_alignment;
};

/**
 * sim_access_create() - create an access object for an in-process "driver".
 * @ictx: the context (its mutex not held).
 * @ops: the driver's ops.
 * @data: passed to @ops.
 * @id: out, the object ID.
 * @err: out, the error when NULL is returned.
 *
 * The driver holds the object and a context reference until sim_access_destroy().
 *
 * Return: the access, or NULL with *@err = -ENOMEM.
 */
struct sim_access *sim_access_create(struct sim_iommufd_ctx *ictx, const struct sim_access_ops *ops,
				     void *data, uint32_t *id, int *err);
/* Detaches and destroys the access, then drops its context reference. No lock held. */
void sim_access_destroy(struct sim_access *access);
/* Attach to the IOAS @ioas_id: 0, -EINVAL (attached already), -ENOENT, -EADDRINUSE, -ENOMEM. */
int sim_access_attach(struct sim_access *access, uint32_t ioas_id);
/* Move to another IOAS; pins on the old one are unmapped through ops->unmap. 0 or -errno. */
int sim_access_replace(struct sim_access *access, uint32_t ioas_id);
/* iommufd_access_pin_pages(): see sim_iopt_access_pin(); -ENOENT while detached. */
int sim_access_pin_pages(struct sim_access *access, uint64_t iova, uint64_t length, bool write,
			 uintptr_t *out_va);
void sim_access_unpin_pages(struct sim_access *access, uint64_t iova, uint64_t length);
/* iommufd_access_rw(): 0, -EINVAL, -EOVERFLOW, -ENOENT, -EPERM, -EFAULT. */
int sim_access_rw(struct sim_access *access, uint64_t iova, void *data, uint64_t length,
		  bool write);
void sim_access_object_destroy(struct sim_iommufd_object *obj);

/* ---- the kernel selftest's mock driver (selftest.c) ------------------------------------- */

/* IOMMU_TEST_CMD: the selftest's test ops. */
int sim_iommufd_test(struct sim_iommufd_ucmd *ucmd);
void sim_selftest_destroy(struct sim_iommufd_object *obj);

/* ---- command handlers in main.c --------------------------------------------------------- */

extern const struct sim_iommufd_object_ops sim_iommufd_object_ops[SIM_OBJ_MAX];

/* Drivers. */
extern const struct sim_iommu_ops sim_vtd_ops;
extern const struct sim_iommu_ops sim_mock_ops;

int sim_ioas_map_file(struct sim_iommufd_ucmd *ucmd);
int sim_ioas_change_process(struct sim_iommufd_ucmd *ucmd);

/* VFIO type1 container emulation (vfio_compat.c); context mutex held. 0 or -errno. */
int sim_vfio_compat_set_iommu(struct sim_iommufd_ctx *ictx, unsigned long type);
int sim_vfio_compat_map_dma(struct sim_iommufd_ctx *ictx, void *arg);
int sim_vfio_compat_unmap_dma(struct sim_iommufd_ctx *ictx, void *arg);
int sim_vfio_compat_get_info(struct sim_iommufd_ctx *ictx, void *arg);

#endif /* SIM_IOMMUFD_PRIVATE_H */
