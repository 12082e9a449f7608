/* SPDX-License-Identifier: MIT */
/*
 * sim devices: the simulated PCI functions behind /dev/vfio/devices/vfioN.
 *
 * A sim_pdev is what the kernel spreads over struct pci_dev, struct device's iommu state and the
 * IOMMU group: a name, a requester ID, the IOMMU driver that translates for it, its PASID width,
 * ATS/PRI capability and reserved IOVA regions. Each device is its own IOMMU group.
 *
 * The device side of sim (the DSA/IAA engines and the IOMMU translation model) uses:
 *   - sim_pdev_get_hwpt(): the HW pagetable attached to (device, PASID), for translation;
 *   - sim_iopf_report(): a page request; the answer comes back through ops->page_response.
 */
#ifndef SIM_SIM_DEVICE_H
#define SIM_SIM_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sim_pdev;
struct sim_hwpt;
struct sim_iopt;
struct sim_iommu_ops;
struct sim_iopf;
struct sim_attach_handle;
struct sim_idev;

/* A reserved IOVA region of a device (the kernel's iommu_resv_region). */
struct sim_resv_region {
	uint64_t start;
	uint64_t length;
};

struct sim_pdev_ops {
	/*
	 * The IOMMU's page response for a page-request group: @code is IOMMUFD_PAGE_RESP_SUCCESS
	 * or _INVALID, @pasid/@grpid those of the group's last request. Called with no sim lock
	 * held, possibly from the thread that reported the request (immediate error response).
	 */
	void (*page_response)(struct sim_pdev *pdev, void *priv, uint32_t pasid, bool pasid_valid,
			      uint32_t grpid, uint32_t code);
	/*
	 * Optional: the device's last reference is gone (after sim_pdev_destroy() and the last
	 * cdev close); @priv may be freed now. Not called for a device whose creation failed.
	 */
	void (*release)(struct sim_pdev *pdev, void *priv);
};

struct sim_pdev_info {
	const char *name; /* e.g. "0000:6a:01.0" */
	uint32_t rid; /* bus << 8 | devfn */
	const struct sim_iommu_ops *iommu; /* NULL: sim VT-d */
	uint8_t max_pasid_log2; /* 0: no PASID support */
	bool ats; /* ATS capability (device TLB) */
	bool pasid_exec, pasid_priv; /* PCI PASID capability bits */
	const struct sim_resv_region *resv; /* NULL with nr_resv 0: the driver's default */
	unsigned int nr_resv;
	bool no_resv; /* really no reserved regions, even on VT-d */
	bool no_cdev; /* not published as /dev/vfio/devices/vfioN (the selftest's mock devices) */
	const struct sim_pdev_ops *ops;
	void *priv;
};

/* One attachment slot: (PASID -> handle). */
struct sim_pdev_attach {
	uint32_t pasid;
	struct sim_attach_handle *handle;
};

struct sim_pdev {
	char name[64];
	uint32_t rid;
	int vfio_index; /* N in /dev/vfio/devices/vfioN */
	const struct sim_iommu_ops *iommu;
	uint32_t max_pasids; /* 0 or 1 << max_pasid_log2 */
	bool ats, pasid_exec, pasid_priv;
	struct sim_resv_region *resv;
	unsigned int nr_resv;
	const struct sim_pdev_ops *ops;
	void *priv;
	atomic_int refs;
	bool registered;

	/*
	 * Attachments, sorted by PASID. Written under the owning iommufd context's mutex and
	 * this lock for writing; read by the device side under it for reading.
	 */
	pthread_rwlock_t lock;
	struct sim_pdev_attach *attach;
	unsigned int nr_attach, cap_attach;

	/* The iommufd device object while bound (VFIO cdev bind), under dev_lock. */
	pthread_mutex_t dev_lock;
	struct sim_idev *idev;
	bool opened; /* a VFIO cdev has bound it */

	/* Page requests without LAST_PAGE, waiting for their group's last one. */
	pthread_mutex_t iopf_lock;
	struct sim_iopf *partial;
};

/**
 * sim_pdev_create() - create a sim device and publish it as /dev/vfio/devices/vfioN.
 * @info: the device's properties (copied).
 * @out: the device, holding one reference for the caller.
 *
 * N is the lowest free index; a device created with @info->no_cdev has none (vfio_index -1).
 *
 * Return: N (>= 0; 0 with no_cdev), or -EINVAL (bad info), -ENOMEM.
 */
int sim_pdev_create(const struct sim_pdev_info *info, struct sim_pdev **out);

/**
 * sim_pdev_destroy() - unpublish a device and drop the caller's reference.
 * @pdev: from sim_pdev_create().
 *
 * Open cdevs keep the memory alive until they close; new opens get ENOENT.
 */
void sim_pdev_destroy(struct sim_pdev *pdev);

/** sim_pdev_find_vfio() - the published device vfio@index, with a reference, or NULL. */
struct sim_pdev *sim_pdev_find_vfio(int index);
void sim_pdev_get(struct sim_pdev *pdev);
void sim_pdev_put(struct sim_pdev *pdev);

/**
 * sim_pdev_get_hwpt() - the HW pagetable attached to (@pdev, @pasid), for translation.
 * @pdev: the device.
 * @pasid: the PASID; 0 (IOMMU_NO_PASID) means the RID.
 *
 * Takes a short-term reference: release it promptly with sim_hwpt_put_shortterm(); a detach
 * and destroy racing with it waits for the release.
 *
 * Return: the HWPT, or NULL if nothing is attached there.
 */
struct sim_hwpt *sim_pdev_get_hwpt(struct sim_pdev *pdev, uint32_t pasid);
void sim_hwpt_put_shortterm(struct sim_hwpt *hwpt);

/* HWPT accessors for the translation model. */
enum sim_hwpt_kind {
	SIM_HWPT_PAGING,
	SIM_HWPT_NESTED,
};
enum sim_hwpt_kind sim_hwpt_kind(const struct sim_hwpt *hwpt);
/* The io_pagetable translating @hwpt's (stage-2) addresses: its IOAS's, or its parent's. */
struct sim_iopt *sim_hwpt_iopt(struct sim_hwpt *hwpt);
/* A nested HWPT's parent; NULL for paging HWPTs. */
struct sim_hwpt *sim_hwpt_parent(struct sim_hwpt *hwpt);
/* Whether @hwpt has a fault queue (page requests are forwarded instead of failing). */
bool sim_hwpt_has_fault(const struct sim_hwpt *hwpt);

/*
 * A VT-d nested HWPT's stage-1 configuration (struct iommu_hwpt_vtd_s1 fields). Not named
 * sim_vtd_s1_cfg: that is the walker's configuration (sim/iommu/vtd_s1.h), and the
 * translation model includes both headers.
 */
struct sim_hwpt_vtd_s1_data {
	uint64_t flags;
	uint64_t pgtbl_addr;
	uint32_t addr_width;
};
/** sim_hwpt_vtd_s1() - copy a VT-d nested HWPT's S1 config. 0, or -EINVAL if not one. */
int sim_hwpt_vtd_s1(const struct sim_hwpt *hwpt, struct sim_hwpt_vtd_s1_data *cfg);

/*
 * sim_hwpt_did() - the HWPT's VT-d domain id: what the IOTLB tags its entries with. Every
 * HWPT (paging or nested) has its own, unique across iommufd contexts, for its lifetime.
 */
uint32_t sim_hwpt_did(const struct sim_hwpt *hwpt);
/* sim_hwpt_aperture_end() - last input address of a paging HWPT (its IOAS's for a nested one). */
uint64_t sim_hwpt_aperture_end(struct sim_hwpt *hwpt);

/**
 * sim_iommu_did_alloc() - allocate a VT-d domain id for a new HWPT (sim/iommu/translate.c).
 * @did: out, the id (never 0 or 1, which VT-d's driver reserves).
 *
 * Return: 0, or -ENOSPC when all 2^16 ids are in use.
 */
int sim_iommu_did_alloc(uint32_t *did);
/**
 * sim_iommu_did_free() - release a domain id; its IOTLB entries are invalidated first, so
 * the next owner of the id never sees them. 0 is ignored.
 * @did: from sim_iommu_did_alloc().
 */
void sim_iommu_did_free(uint32_t did);

/**
 * sim_pdev_for_each_attach() - call @fn for every attachment of @pdev (RID = PASID 0).
 * @pdev: the device.
 * @fn: called with the attachment lock held for reading: quick, and no attach/detach.
 * @arg: passed to @fn.
 */
void sim_pdev_for_each_attach(struct sim_pdev *pdev,
			      void (*fn)(void *arg, uint32_t pasid, struct sim_hwpt *hwpt),
			      void *arg);

/**
 * sim_iopt_translate() - look up an IOVA in an io_pagetable.
 * @iopt: from sim_hwpt_iopt().
 * @iova: the address.
 * @write: the access needs write permission.
 * @host_va: out, the process address @iova maps to.
 * @contig_len: out, bytes mapped contiguously from @iova (to the end of its area).
 *
 * Takes the io_pagetable's lock for reading; allocation-free.
 *
 * Return: 0, -ENOENT (not mapped), -EACCES (mapped without the permission).
 */
int sim_iopt_translate(struct sim_iopt *iopt, uint64_t iova, bool write, uintptr_t *host_va,
		       uint64_t *contig_len);

/*
 * Notifiers for whoever caches translations (the IOMMU model): iopt_unmap runs after areas
 * leave an io_pagetable and before the UNMAP (or IOAS destroy) returns; hwpt_flush runs for
 * each accepted HWPT_INVALIDATE entry (@npages U64_MAX with @addr 0 = everything); attach runs
 * when (@pdev, @pasid) changed from @old to @new (either may be NULL: attach, detach), after
 * the device side can no longer find @old and while @old is still alive. All run with no sim
 * lock held other than the context's mutex; they must not call back into iommufd. Any
 * callback may be NULL.
 */
struct sim_iommu_notifier {
	void (*iopt_unmap)(void *data, struct sim_iopt *iopt, uint64_t iova, uint64_t length);
	void (*hwpt_flush)(void *data, struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages,
			   bool leaf);
	void (*attach)(void *data, struct sim_pdev *pdev, uint32_t pasid, struct sim_hwpt *old,
		       struct sim_hwpt *new);
	void *data;
	struct sim_iommu_notifier *next;
};
void sim_iommu_notifier_register(struct sim_iommu_notifier *n);
void sim_iommu_notifier_unregister(struct sim_iommu_notifier *n);
void sim_iommu_notify_unmap(struct sim_iopt *iopt, uint64_t iova, uint64_t length);
void sim_iommu_notify_flush(struct sim_hwpt *hwpt, uint64_t addr, uint64_t npages, bool leaf);
void sim_iommu_notify_attach(struct sim_pdev *pdev, uint32_t pasid, struct sim_hwpt *old,
			     struct sim_hwpt *new);

/**
 * sim_iopf_report() - a page request from @pdev (the IOMMU's page request queue).
 * @pdev: the requesting device.
 * @pasid: the PASID (with @pasid_valid).
 * @pasid_valid: whether the request carries a PASID.
 * @addr: the faulting address (page aligned by the caller or not; passed through).
 * @perm: IOMMU_PGFAULT_PERM_* bits.
 * @grpid: page request group index.
 * @last_page: last request of the group.
 *
 * Requests without @last_page are parked; the last one forms a group with every parked request
 * of the same @grpid. The group goes to the fault queue of the HWPT attached at @pasid (or the
 * RID without @pasid_valid); with no HWPT or no fault queue there the device gets an INVALID
 * response at once, through ops->page_response.
 *
 * Return: 0 (queued or answered), -ENOMEM.
 */
int sim_iopf_report(struct sim_pdev *pdev, uint32_t pasid, bool pasid_valid, uint64_t addr,
		    uint32_t perm, uint32_t grpid, bool last_page);

#endif /* SIM_SIM_DEVICE_H */
