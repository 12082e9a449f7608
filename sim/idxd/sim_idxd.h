/* SPDX-License-Identifier: MIT */
/*
 * sim as the kernel's idxd driver (docs/SIM_IDXD.md): the sysfs face of sim's DSA/IAA devices
 * (/sys/bus/dsa, with the kernel's attribute names, formats and store rules), the WQ character
 * devices /dev/dsa/wqX.Y and /dev/iax/wqX.Y (open = SVA bind of the process, write() = the
 * kernel's descriptor submission, mmap = EPERM as on a kernel with the INTEL-SA-01084 fixes),
 * and the SVA translation backend the devices use while they are bound to the idxd driver.
 *
 * The sysfs face exists in two forms: sim_idxd_sysfs_read()/_write() on a path (what a read()
 * or write() of the kernel's attribute file returns), and a real directory tree that sim
 * materialises in a private temporary directory so that unmodified programs (libaccel-config,
 * accel-config, DPDK's idxd bus) can scandir(), realpath(), stat() and open() it. The
 * LD_PRELOAD interposer (sim/preload/) redirects the kernel's paths into that tree and routes
 * reads and writes of attribute files here.
 *
 * Errors are -errno, the ones the kernel's store or probe would give.
 */
#ifndef SVART_SIM_IDXD_SIM_IDXD_H
#define SVART_SIM_IDXD_SIM_IDXD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The emulated kernel: Linux 6.12 with the idxd fixes of 6.9.1 (write() on the cdev, mmap
 * refused without CAP_SYS_RAWIO, BATCH refused in write()) and the wq driver_name attribute
 * of 6.7. op_cap and errors use the bitmap format of 6.1 and later.
 */
#define SIM_IDXD_KERNEL "6.12"

/* Where sim's devices sit in the PCI hierarchy: a host bridge no Intel platform uses. */
#define SIM_IDXD_PCI_ROOT "/sys/devices/pci0000:f0"

/* Character device majors (the kernel's are dynamic; these are fixed for sim). */
#define SIM_IDXD_DSA_MAJOR 236
#define SIM_IDXD_IAX_MAJOR 235

/* The environment variable naming the state file that carries configuration across processes. */
#define SIM_IDXD_STATE_ENV "SVART_SIM_IDXD_STATE"

/**
 * sim_idxd_get() - bring up the idxd face: sim's platform (SVART_SIM_CONFIG, or the default)
 * with the SVA backend on its devices, the driver's view of them, and the configuration
 * replayed from $SVART_SIM_IDXD_STATE when set. Idempotent and thread-safe; the face lives
 * until the process exits.
 *
 * Return: 0, or -errno (sim_idxd_error() says why).
 */
int sim_idxd_get(void);

/* Why sim_idxd_get() failed ("" if it did not). */
const char *sim_idxd_error(void);

/**
 * sim_idxd_sysfs_read() - read an attribute as read(2) of the kernel's sysfs file would.
 * @path: "/sys/bus/dsa/devices/<dev|wq|group|engine>/<attr>",
 *	SIM_IDXD_PCI_ROOT "/<bdf>/<dev>[/<sub>]/<attr>", or "<dev>/driver/..." forms.
 * @buf: out, the text (not NUL-terminated).
 * @len: its size.
 *
 * Return: the length, or -errno: -ENOENT (no such file), -EACCES (write-only file), or the
 * show routine's error (cdev_minor without a cdev: -ENXIO; occupancy without support:
 * -EOPNOTSUPP; ...).
 */
ssize_t sim_idxd_sysfs_read(const char *path, char *buf, size_t len);

/**
 * sim_idxd_sysfs_write() - write an attribute as write(2) of the kernel's sysfs file would.
 * @path: as sim_idxd_sysfs_read(), or "/sys/bus/dsa/drivers/<drv>/{bind,unbind}".
 * @buf: the bytes written (a trailing newline is accepted, as by kstrto*()).
 * @len: how many (at most a page is taken, as kernfs does).
 *
 * Applies the kernel's store rules to the driver's configuration; bind and unbind probe and
 * remove synchronously. A successful change is appended to $SVART_SIM_IDXD_STATE.
 *
 * Return: @len (or the page size when @len is larger), or -errno: -ENOENT, -EACCES (read-only
 * file), or the store's or probe's error (-EINVAL, -EPERM, -ENXIO, -ENODEV, -EBUSY, ...).
 */
ssize_t sim_idxd_sysfs_write(const char *path, const void *buf, size_t len);

/* ---- The materialised tree (for the interposer) ---- */

/* The tree's root directory, or NULL while there is none. */
const char *sim_idxd_tree_root(void);

/**
 * sim_idxd_path_ours() - whether @path names something under the kernel paths the face owns:
 * /sys/bus/dsa, SIM_IDXD_PCI_ROOT, /sys/module/idxd, /dev/dsa, /dev/iax (whole components).
 * @path: an absolute path.
 *
 * Cheap (string compares), brings nothing up.
 */
bool sim_idxd_path_ours(const char *path);

/**
 * sim_idxd_tree_redirect() - the tree path standing for @path.
 * @path: an absolute path.
 * @buf: out, the tree path.
 * @len: its size.
 *
 * Brings the face and the tree up on first use. A path that is not ours, or any path while
 * the face cannot be brought up (reported once on stderr), is not redirected.
 *
 * Return: 1 redirected, 0 not.
 */
int sim_idxd_tree_redirect(const char *path, char *buf, size_t len);

/* Whether @path is inside the tree's root directory (false while there is no tree). */
bool sim_idxd_tree_contains(const char *path);

/**
 * sim_idxd_tree_at() - the tree path of @rel relative to directory descriptor @dirfd.
 * @dirfd: a directory descriptor.
 * @rel: a relative path.
 * @buf: out.
 * @len: its size.
 *
 * Return: 1 when @dirfd is a directory of the tree (@buf filled), else 0.
 */
int sim_idxd_tree_at(int dirfd, const char *rel, char *buf, size_t len);

/**
 * sim_idxd_tree_unredirect() - turn a tree path back into the kernel path it stands for,
 * in place (what realpath() and readlink() report).
 * @path: a NUL-terminated path; left alone when it is not inside the tree.
 */
void sim_idxd_tree_unredirect(char *path);

/**
 * sim_idxd_tree_open() - open(2) of a tree path: an attribute's file is regenerated from the
 * model first (so it reads what the kernel's show routine says now), the access mode is
 * checked against the attribute's (kernfs: -EACCES), and the descriptor is registered so that
 * writes to it reach the attribute's store.
 * @path: a path inside the tree.
 * @flags: open(2) flags.
 * @mode: open(2) mode.
 *
 * Return: a descriptor, or -errno.
 */
int sim_idxd_tree_open(const char *path, int flags, mode_t mode);

/*
 * Descriptors of attribute files that need more than a plain file: writable ones (their
 * writes are stores) and ones whose show routine failed (their reads fail). Non-zero while any
 * is registered, so the interposer's read/write/close pay one relaxed load otherwise.
 */
extern atomic_int sim_idxd_fds_nr;

static inline bool sim_idxd_fds_active(void)
{
	return atomic_load_explicit(&sim_idxd_fds_nr, memory_order_relaxed) != 0;
}

/**
 * sim_idxd_fd_write() - a write(2) to a registered attribute descriptor.
 * @fd: the descriptor.
 * @buf: the bytes.
 * @count: how many.
 * @ret: out: the count or -errno, as the kernel's write would give.
 *
 * Return: true when @fd is a registered attribute (then *@ret is the result), false when the
 * caller must write to it as to any file.
 */
bool sim_idxd_fd_write(int fd, const void *buf, size_t count, ssize_t *ret);

/* As sim_idxd_fd_write() for read(2): true with *@ret = -errno when the read must fail. */
bool sim_idxd_fd_read_fails(int fd, ssize_t *ret);

/* @fd is being closed: forget it. */
void sim_idxd_fd_forget(int fd);

/*
 * dup2(@oldfd, @newfd) (or dup, dup3) made @newfd: it is what @oldfd is, as shells do for
 * `echo 1 > /sys/...` (open, dup2 to 1, close, write to 1).
 */
void sim_idxd_fd_dup(int oldfd, int newfd);

/* ---- The WQ character devices (sim/sim_chrdev.c) ---- */

/**
 * sim_idxd_cdev_open() - open("/dev/dsa/wqX.Y" or "/dev/iax/wqX.Y").
 * @path: the node.
 * @flags: open(2) flags.
 *
 * The node exists while the WQ is bound to the user driver. Binds the process's address space
 * to the device (one PASID per process, kept until exit, loaded as the emulated IA32_PASID);
 * a dedicated WQ takes one opener and gets the PASID in its WQCFG.
 *
 * Return: a descriptor, or -errno: -ENOENT (no such node), -EBUSY (dedicated WQ in use),
 * -ENOMEM, or the WQ PASID update's error.
 */
int sim_idxd_cdev_open(const char *path, int flags);

/**
 * sim_idxd_cdev_getattr() - what stat(2) says about a WQ node, without opening it.
 * @path: the node.
 * @mode: out, S_IFCHR and the permission bits.
 * @rdev: out, the device number.
 *
 * Return: 0, or -ENOENT.
 */
int sim_idxd_cdev_getattr(const char *path, mode_t *mode, dev_t *rdev);

/* ---- SVA: the devices' translation of process virtual addresses ---- */

/* Whether any address space is bound (the interposer then reports unmaps). */
bool sim_idxd_sva_active(void);

/**
 * sim_idxd_sva_invalidate() - the process changed or dropped mappings in [@addr, @addr + @len)
 * (munmap, mremap, mprotect, madvise): drop the cached translations, as the kernel's MMU
 * notifier does for an SVA domain.
 * @addr: start.
 * @len: length in bytes.
 */
void sim_idxd_sva_invalidate(uint64_t addr, uint64_t len);

struct sim_idxd_sva_stats {
	uint64_t iotlb_hits, iotlb_misses;
	uint64_t not_present; /* translation faults on pages not resident */
	uint64_t page_requests, pr_success, pr_invalid;
	uint64_t invalidations;
};

/* Counters of the SVA backend since the process started. */
void sim_idxd_sva_stats(struct sim_idxd_sva_stats *out);

#endif /* SVART_SIM_IDXD_SIM_IDXD_H */
