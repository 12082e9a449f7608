/* SPDX-License-Identifier: MIT */
/*
 * sim iommufd across fork(): a child's inherited sim descriptors forward to the parent's sim.
 *
 * In the kernel an iommufd descriptor inherited over fork() is the same file: the child's
 * IOAS_MAP lands in the parent's context and records the child's mm as the pages' source.
 * sim lives in the process, so the child gets a copy of it. fork.c turns the child's copies of
 * sim's iommufd, fault, access and VFIO files into proxies: their calls travel over a socket to
 * a thread in the parent that runs them on the real files, with the child as the "current
 * process" for user memory (sim_copy_{from,to}_user) and as the source of the pages it maps.
 * Pages mapped from another process are resolved into the parent's address space when they
 * are pinned (sim_mm_resolve_pages()); see docs/SIM_IOMMUFD.md, "fork()".
 */
#ifndef SIM_IOMMUFD_FORK_H
#define SIM_IOMMUFD_FORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sim_iopt_pages;

/* Another process's address space (the kernel's mm_struct held by iopt_pages), refcounted. */
struct sim_mm;

/*
 * The process whose memory sim_copy_{from,to}_user() address on this thread: a child being
 * served, or 0 for our own process. Thread-local: only the thread serving a child sets it.
 */
extern __thread pid_t sim_fork_uaccess_pid;

/** sim_fork_init() - install the fork handlers (once; called at the first /dev/iommu open). */
void sim_fork_init(void);

/**
 * sim_mm_get_current() - the mm of the process the running command came from.
 *
 * Return: a reference (drop it with sim_mm_put()) when this thread serves a forked child, or
 * NULL when the command is our own process's (the common case: one thread-local load).
 */
struct sim_mm *sim_mm_get_current(void);
void sim_mm_put(struct sim_mm *mm);

/**
 * sim_mm_resolve_pages() - make pages mapped from another process addressable here (pin time).
 * @pages: pages with a source mm; on success their uptr is an address of this process and
 *         the source mm is dropped.
 *
 * The kernel pins the source process's pages. sim aliases them when the same shared object is
 * mapped at the same address here (a MAP_SHARED region inherited over fork(): exact), and
 * otherwise copies them into memory of its own (a snapshot: later writes by the other process
 * are not seen). Idempotent; safe against concurrent callers.
 *
 * Return: 0; -EFAULT when the source process is gone (the kernel's dead-mm pin) or a page is
 * not mapped with the access the pages need; -ENOMEM.
 */
int sim_mm_resolve_pages(struct sim_iopt_pages *pages);

/**
 * sim_mm_pages_rw() - read or write pages that may belong to another process, unpinned.
 * @pages: the pages.
 * @offset: byte offset from pages->uptr.
 * @data: our buffer.
 * @len: bytes.
 * @write: direction (true: @data into the pages).
 *
 * Return: 0, or -EFAULT (unmapped, or the source process is gone).
 */
int sim_mm_pages_rw(struct sim_iopt_pages *pages, uint64_t offset, void *data, size_t len,
		    bool write);

/**
 * sim_fork_dup_user_fd() - a descriptor of ours for the caller's descriptor @fd.
 *
 * For our own process an F_DUPFD_CLOEXEC copy; for a forked child being served, the child's
 * descriptor fetched with pidfd_getfd(2) (IOAS_MAP_FILE's memfd).
 *
 * Return: the new descriptor, or -EBADF.
 */
int sim_fork_dup_user_fd(int fd);

/**
 * sim_process_rw() - copy between our buffer and process @pid's memory.
 * @pid: the process; 0 for our own.
 * @va: address in that process.
 * @buf: our buffer.
 * @n: bytes.
 * @write: true to write @buf to @va.
 *
 * Return: 0, or -EFAULT if any byte is not accessible (or the process is gone).
 */
int sim_process_rw(pid_t pid, uintptr_t va, void *buf, size_t n, bool write);

/**
 * sim_fork_reap() - settle the connections of children that have exited.
 *
 * A child's exit closes its end of the connection; the serving thread notices on its own,
 * but a close() in the parent right after waitpid() must already see the child's references
 * gone (the kernel drops them at the child's exit). Never blocks: a connection whose thread is
 * busy is left to it. Cheap (one atomic load) when no child was ever served.
 */
void sim_fork_reap(void);

#endif /* SIM_IOMMUFD_FORK_H */
