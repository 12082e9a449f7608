/* SPDX-License-Identifier: MIT */
/*
 * pasid_uffd: the process-wide userfaultfd monitor that tells bindings when process memory
 * goes away (munmap, mremap, madvise(DONTNEED/FREE/REMOVE)).
 *
 * One per process, because a mapping can be registered with one userfaultfd only: every
 * binding subscribes to the same monitor, and the monitor thread hands each event to all of
 * them. Ranges are registered in write-protect mode with nothing ever write-protected, which
 * is what makes the kernel report the non-cooperative events (UNMAP, REMOVE, REMAP) without
 * changing how the process's own page faults are handled (MISSING mode would send them to
 * the monitor).
 *
 * The unmapping thread sleeps until the monitor has read its event, so the monitor's reader
 * thread does nothing but read and queue; the subscribers' callbacks run on a second thread
 * (the worker), where they may take locks, make iommufd calls and even unmap memory.
 */
#ifndef SVART_PASID_UFFD_H
#define SVART_PASID_UFFD_H

#include <stdint.h>

/**
 * struct pasid_uffd_sub - a subscriber.
 * @gone: [@start, @start + @len) no longer holds what it held (called on the worker thread;
 *	@start 0 with @len UINT64_MAX means anything may have gone).
 * @arg: passed to @gone.
 * @next: list link (the monitor's).
 */
struct pasid_uffd_sub {
	void (*gone)(void *arg, uint64_t start, uint64_t len);
	void *arg;
	struct pasid_uffd_sub *next;
};

/**
 * pasid_uffd_subscribe() - receive the events; starts the monitor for the first subscriber.
 * @sub: the subscriber, kept until pasid_uffd_unsubscribe().
 *
 * Opens the userfaultfd with UFFD_USER_MODE_ONLY first (which unprivileged processes may use
 * since Linux 5.11 even with vm.unprivileged_userfaultfd = 0), then without it.
 *
 * Return: 0; -EPERM / -ENOSYS when userfaultfd is not available to this process;
 * -EOPNOTSUPP when the kernel lacks the events or write-protect registration; -ENOMEM,
 * -EAGAIN (thread creation).
 */
int pasid_uffd_subscribe(struct pasid_uffd_sub *sub);

/**
 * pasid_uffd_unsubscribe() - stop receiving; the last one stops the monitor.
 * @sub: a subscribed subscriber.
 *
 * Waits for an event being delivered to @sub to finish. When the monitor stops, its
 * userfaultfd is closed, which unregisters every range.
 */
void pasid_uffd_unsubscribe(struct pasid_uffd_sub *sub);

/**
 * pasid_uffd_register() - have unmaps of [@start, @start + @len) reported.
 * @start: page aligned.
 * @len: page multiple.
 *
 * Only while subscribed. Registering a range again is cheap (the kernel finds it done).
 *
 * Return: 0; -EINVAL when the range holds a mapping userfaultfd cannot watch in this mode
 * (file-backed, VM_IO/PFNMAP, or a hole on kernels that require full coverage); -EBUSY when
 * another userfaultfd of the process already registered it; -ENODEV when no monitor runs.
 */
int pasid_uffd_register(uint64_t start, uint64_t len);

#endif /* SVART_PASID_UFFD_H */
