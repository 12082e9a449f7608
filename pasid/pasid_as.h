/* SPDX-License-Identifier: MIT */
/*
 * pasid_as: a process address space bound to a device PASID through a nested IOAS.
 *
 *   process VA --(first stage: svart's VT-d table, pasid_pgtbl)--> IOVA
 *   IOVA --(second stage: the IOAS, i.e. the kernel's pin of process memory)--> memory
 *
 * The binding allocates the IOAS, the nest-parent HWPT, the fault queue and the nested HWPT
 * whose first stage is a table svart builds in memory mapped into the same IOAS, and attaches
 * the device's PASID to it. Process memory is mapped into the IOAS in windows (at most one
 * 2 MiB-aligned chunk of one mapping each, at IOVAs the IOAS picks) and into the first stage
 * VA -> IOVA, on demand (page requests, pasid_as_service()) or ahead of time
 * (pasid_as_prefault()). It is kept coherent with the process by pasid_as_invalidate() and,
 * where the kernel allows it, by userfaultfd events. docs/IOMMU_MODEL.md ("Binding
 * lifecycle") has the picture, the orders the kernel requires and the window that remains.
 *
 * Only rt_os/pasid calls reach the iommufd, so the same code runs on the kernel and on sim.
 *
 * Thread-safe: one mutex serialises table edits (page requests, prefault, invalidation, the
 * userfaultfd monitor); none of it is a hot path. pasid_as_unbind() must not race with other
 * calls on the same binding.
 */
#ifndef SVART_PASID_AS_H
#define SVART_PASID_AS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pasid_as_opts.flags */
enum pasid_as_flags {
	/* No userfaultfd: coherency only through pasid_as_invalidate(). */
	PASID_AS_NO_UFFD = 1 << 0,
	/* No fault queue: pages come from pasid_as_prefault() only (requests get INVALID). */
	PASID_AS_NO_FAULT = 1 << 1,
};

/**
 * struct pasid_as_opts - binding options; NULL means all defaults.
 * @size: sizeof(struct pasid_as_opts) as the caller knows it (at least up to @addr_width);
 *	bytes beyond what this version knows must be zero.
 * @flags: PASID_AS_* flags.
 * @addr_width: first-stage width, 48 or 57; 0 picks 57 when the IOMMU has 5-level first-stage
 *	tables (CAP.FL5LP) and 48 otherwise.
 * @window_shift: log2 of the mapping window, 12..21; 0 means 21 (2 MiB).
 * @max_table_pages: cap on first-stage table memory in 4 KiB pages; 0 means 4096 (16 MiB).
 */
struct pasid_as_opts {
	uint32_t size;
	uint32_t flags;
	unsigned int addr_width;
	unsigned int window_shift;
	unsigned int max_table_pages;
};

/**
 * struct pasid_as_info - what a binding is made of and has done (diagnostics and tests).
 * @ioas_id, @parent_id, @nested_id, @fault_id: iommufd object IDs (@fault_id 0 without a queue).
 * @root_iova: the first-stage table root (iommu_hwpt_vtd_s1.pgtbl_addr).
 * @addr_width: 48 or 57.
 * @uffd: unmaps are reported by userfaultfd.
 * @windows, @mapped_bytes: current windows and the bytes they map.
 * @table_pages: first-stage table pages in use.
 * @faults, @faults_invalid: page requests resolved, and answered INVALID.
 * @groups: page-request groups answered.
 * @invalidations: HWPT_INVALIDATE calls made.
 * @uffd_events: userfaultfd events that reached this binding.
 * @unwatched: windows userfaultfd could not watch (registration refused: file mapping, ...).
 */
struct pasid_as_info {
	uint32_t ioas_id, parent_id, nested_id, fault_id;
	uint64_t root_iova;
	unsigned int addr_width;
	bool uffd;
	uint64_t windows, mapped_bytes, table_pages;
	uint64_t faults, faults_invalid, groups, invalidations, uffd_events, unwatched;
};

struct pasid_as;

/**
 * pasid_as_bind() - bind the calling process's address space to (@dev_id, @pasid).
 * @iommufd: the iommufd (kernel or sim) the device is bound to.
 * @vfio_fd: the device's VFIO cdev, bound to @iommufd.
 * @dev_id: its iommufd device ID.
 * @pasid: the PASID to attach (1 .. 2^max_pasid_log2 - 1).
 * @opts: options, or NULL.
 * @out: the binding.
 *
 * The device's RID attachment is the caller's business; it must be PASID-compatible (a
 * PASID-capable HWPT, or none), else the PASID attach fails with EINVAL.
 *
 * Return: 0; -EINVAL bad @opts or @pasid; -E2BIG nonzero unknown @opts bytes; -EOPNOTSUPP the
 * device's IOMMU is not VT-d with nesting and PASIDs, or @addr_width 57 without FL5LP;
 * -ENOMEM; or the iommufd's errno for the step that failed (nothing is left behind).
 */
int pasid_as_bind(int iommufd, int vfio_fd, uint32_t dev_id, uint32_t pasid,
		  const struct pasid_as_opts *opts, struct pasid_as **out);

/**
 * pasid_as_prefault() - map [@addr, @addr + @len) for the device ahead of its accesses.
 * @as: the binding.
 * @addr: start (rounded down to 4 KiB).
 * @len: bytes (> 0; the end is rounded up to 4 KiB).
 * @prot: PROT_READ and/or PROT_WRITE the device needs.
 *
 * The whole range is checked first: every page must be in a mapping allowing @prot. Pages
 * are populated for the process (as the kernel's SVA fault handler would) and mapped in
 * windows, with 2 MiB first-stage leaves where a window is a whole aligned 2 MiB chunk.
 * Anonymous memory the process may write is mapped writable whatever @prot says (see
 * docs/IOMMU_MODEL.md, "Windows").
 *
 * Return: 0; -EINVAL bad @prot / @len / range beyond the address width; -EFAULT a page not
 * mapped with @prot (nothing was mapped); -ENOMEM out of table pages or memory, or another
 * -errno from the iommufd (what was mapped before the failure stays mapped).
 */
int pasid_as_prefault(struct pasid_as *as, const void *addr, size_t len, unsigned int prot);

/**
 * pasid_as_invalidate() - forget what is mapped for the device in [@addr, @addr + @len).
 * @as: the binding.
 * @addr: start.
 * @len: bytes.
 *
 * For programs that change their mappings in ways userfaultfd does not report (mprotect,
 * or any change when userfaultfd is unavailable). Every window touching the range goes:
 * first-stage entries cleared, HWPT_INVALIDATE, IOAS_UNMAP, table pages freed, in that order.
 * The device faults on its next access and gets whatever is mapped then.
 *
 * Return: the number of windows removed (0: nothing was mapped there), or -errno from the
 * iommufd (-EIO once an invalidation has failed: nothing more is unmapped until unbind).
 */
int pasid_as_invalidate(struct pasid_as *as, const void *addr, size_t len);

/**
 * pasid_as_fault_fd() - the fault queue's descriptor, readable (POLLIN) when page requests
 * wait. For poll/epoll only: read it with pasid_as_service().
 * @as: the binding.
 *
 * Return: the descriptor, or -EOPNOTSUPP for a binding without a fault queue.
 */
int pasid_as_fault_fd(struct pasid_as *as);

/**
 * pasid_as_service() - answer the pending page-request groups.
 * @as: the binding.
 * @timeout_ms: how long to wait for the first group (0: do not wait; -1: forever).
 *
 * Each request is resolved as the kernel's SVA handler resolves it for the process: the page
 * must be in a mapping with the requested access (read, write, execute; supervisor requests
 * are refused since SRE is off); it is populated and mapped, and the group is answered
 * SUCCESS, or INVALID at its first request that fails. Reads until the queue is empty.
 *
 * Return: the number of groups answered, or -errno (-EOPNOTSUPP without a fault queue).
 */
int pasid_as_service(struct pasid_as *as, int timeout_ms);

/**
 * pasid_as_start_service_thread() - answer page requests on a thread of the binding's own,
 * until unbind.
 * @as: the binding.
 *
 * Return: 0; -EBUSY already running; -EOPNOTSUPP without a fault queue; -errno.
 */
int pasid_as_start_service_thread(struct pasid_as *as);

/**
 * pasid_as_info() - fill @info.
 * @as: the binding.
 * @info: out.
 */
void pasid_as_info(struct pasid_as *as, struct pasid_as_info *info);

/**
 * pasid_as_unbind() - tear the binding down in the kernel's order and free it.
 * @as: the binding; NULL does nothing.
 *
 * Stops the service thread and the userfaultfd subscription, then: detach the PASID (pending
 * groups are answered INVALID by the kernel), destroy the nested HWPT, destroy the parent,
 * close the fault fd, destroy the fault queue, unmap the IOAS, destroy the IOAS. Errors cannot
 * be reported; each step runs regardless, and none leaves an object behind unless the iommufd
 * itself is gone.
 */
void pasid_as_unbind(struct pasid_as *as);

#endif /* SVART_PASID_AS_H */
