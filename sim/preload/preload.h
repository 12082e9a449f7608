/* SPDX-License-Identifier: MIT */
/*
 * libsvart-sim-preload.so internals: the LD_PRELOAD interposer that runs unmodified programs
 * on sim (docs/SIM_PRELOAD.md).
 *
 * The library defines libc's names (open, ioctl, read, ...) and exports only those
 * (preload.map.in). A call on a path sim models, or on a descriptor sim owns, goes to sim;
 * everything else goes to the next definition in the lookup order (libc, or another
 * interposer), found with dlsym(RTLD_NEXT) and called with the caller's arguments unchanged.
 *
 * sim itself is linked into this library and calls read(), write() and close() on its own
 * eventfds. Those calls must reach libc, not the interposer (which would route them back into
 * sim): the library is linked with -Wl,--wrap=<name> for every interposed name, so sim's
 * references bind to __wrap_<name> (preload_real.c), which calls the real function. For the
 * same reason the interposer's own files never call an interposed name: they use the
 * sim_preload_real_*() helpers.
 */
#ifndef SVART_SIM_PRELOAD_H
#define SVART_SIM_PRELOAD_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>

#include "sim/sim_file.h"

#define SIM_PRELOAD_EXPORT __attribute__((visibility("default")))

/*
 * Every libc function the library defines. sim/preload/CMakeLists.txt has the same list (it
 * generates the version script and the --wrap options from it); tests/sim_preload.sh checks
 * that the two agree with what the library exports.
 */
/* clang-format off */
#define SIM_PRELOAD_FUNCS(X)                                                                   \
	X(open) X(open64) X(openat) X(openat64)                                                \
	X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2)                                \
	X(ioctl) X(read) X(write) X(pread) X(pread64) X(pwrite) X(pwrite64)                    \
	X(__read_chk) X(__pread_chk) X(__pread64_chk) X(close)                                 \
	X(poll) X(ppoll) X(__poll_chk) X(__ppoll_chk)                                          \
	X(access) X(faccessat) X(stat) X(stat64) X(lstat) X(lstat64) X(fstatat) X(fstatat64)  \
	X(statx) X(getxattr) X(lgetxattr) X(listxattr) X(llistxattr)                          \
	X(opendir) X(scandir) X(scandir64) X(realpath) X(__realpath_chk) X(readlink)           \
	X(fopen) X(fopen64) X(mmap) X(mmap64) X(munmap) X(mremap) X(madvise) X(mprotect)      \
	X(dup) X(dup2) X(dup3)
/*
 * Not libc names: what the library exports for svart's runtime in the program (found with
 * dlsym(), preload_vfio.c). Listed here, in the same block, so the export check covers them.
 */
#define SIM_PRELOAD_EXTRA_EXPORTS(X) X(svart_sim_vfio_portal_v1)

enum sim_preload_fn {
#define SIM_PRELOAD_ENUM(name) SIM_PRELOAD_FN_##name,
	SIM_PRELOAD_FUNCS(SIM_PRELOAD_ENUM)
#undef SIM_PRELOAD_ENUM
	SIM_PRELOAD_FN_NR
};
/* clang-format on */

/* glibc's fortified entry points; <unistd.h> etc. declare them only under _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen);
int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
		const sigset_t *sigmask, size_t fdslen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
/* glibc's "buffer overflow detected" abort, what the real _chk functions call. */
void __chk_fail(void) __attribute__((noreturn));

/*
 * The next definition of @fn after this library (libc's, usually), or NULL while it cannot be
 * had: during a dlsym() that re-enters the interposer on the same thread (a malloc that opens
 * files while it initialises, say), or if no library defines @fn. Callers then make the
 * system call themselves.
 */
void *sim_preload_real(enum sim_preload_fn fn);

/* Calls the real @name, or evaluates @fallback (a raw system call) when there is none. */
#define SIM_PRELOAD_CALL(name, fallback, ...)                                                \
	({                                                                                   \
		__typeof__(&name) sim_preload_fn_ = sim_preload_real(SIM_PRELOAD_FN_##name); \
		sim_preload_fn_ ? sim_preload_fn_(__VA_ARGS__) : (fallback);                 \
	})

/* The real functions, for the interposer's pass-through paths (preload_real.c). */
int sim_preload_real_open(const char *path, int flags, mode_t mode);
int sim_preload_real_open64(const char *path, int flags, mode_t mode);
int sim_preload_real_openat(int dirfd, const char *path, int flags, mode_t mode);
int sim_preload_real_openat64(int dirfd, const char *path, int flags, mode_t mode);
int sim_preload_real___open_2(const char *path, int flags);
int sim_preload_real___open64_2(const char *path, int flags);
int sim_preload_real___openat_2(int dirfd, const char *path, int flags);
int sim_preload_real___openat64_2(int dirfd, const char *path, int flags);
int sim_preload_real_ioctl(int fd, unsigned long request, void *arg);
ssize_t sim_preload_real_read(int fd, void *buf, size_t count);
ssize_t sim_preload_real_write(int fd, const void *buf, size_t count);
ssize_t sim_preload_real_pread(int fd, void *buf, size_t count, off_t pos);
ssize_t sim_preload_real_pread64(int fd, void *buf, size_t count, off64_t pos);
ssize_t sim_preload_real_pwrite(int fd, const void *buf, size_t count, off_t pos);
ssize_t sim_preload_real_pwrite64(int fd, const void *buf, size_t count, off64_t pos);
ssize_t sim_preload_real___read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t sim_preload_real___pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen);
ssize_t sim_preload_real___pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen);
int sim_preload_real_close(int fd);
int sim_preload_real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int sim_preload_real_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
			   const sigset_t *sigmask);
int sim_preload_real___poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
int sim_preload_real___ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
				 const sigset_t *sigmask, size_t fdslen);
int sim_preload_real_access(const char *path, int mode);
int sim_preload_real_faccessat(int dirfd, const char *path, int mode, int flags);
int sim_preload_real_stat(const char *path, struct stat *st);
int sim_preload_real_stat64(const char *path, struct stat64 *st);
int sim_preload_real_lstat(const char *path, struct stat *st);
int sim_preload_real_lstat64(const char *path, struct stat64 *st);
int sim_preload_real_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int sim_preload_real_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags);
int sim_preload_real_statx(int dirfd, const char *path, int flags, unsigned int mask,
			   struct statx *stx);
ssize_t sim_preload_real_getxattr(const char *path, const char *name, void *value, size_t size);
ssize_t sim_preload_real_lgetxattr(const char *path, const char *name, void *value, size_t size);
ssize_t sim_preload_real_listxattr(const char *path, char *list, size_t size);
ssize_t sim_preload_real_llistxattr(const char *path, char *list, size_t size);
DIR *sim_preload_real_opendir(const char *path);
int sim_preload_real_scandir(const char *dir, struct dirent ***list,
			     int (*filter)(const struct dirent *),
			     int (*compar)(const struct dirent **, const struct dirent **));
int sim_preload_real_scandir64(const char *dir, struct dirent64 ***list,
			       int (*filter)(const struct dirent64 *),
			       int (*compar)(const struct dirent64 **, const struct dirent64 **));
char *sim_preload_real_realpath(const char *path, char *resolved);
ssize_t sim_preload_real_readlink(const char *path, char *buf, size_t size);
FILE *sim_preload_real_fopen(const char *path, const char *mode);
FILE *sim_preload_real_fopen64(const char *path, const char *mode);
void *sim_preload_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *sim_preload_real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
int sim_preload_real_munmap(void *addr, size_t len);
void *sim_preload_real_mremap(void *old, size_t old_size, size_t new_size, int flags,
			      void *new_addr);
int sim_preload_real_madvise(void *addr, size_t len, int advice);
int sim_preload_real_mprotect(void *addr, size_t len, int prot);
int sim_preload_real_dup(int fd);
int sim_preload_real_dup2(int oldfd, int newfd);
int sim_preload_real_dup3(int oldfd, int newfd, int flags);

/* open(2)'s mode argument: there only when the flags ask for one (glibc reads it the same way). */
#define SIM_PRELOAD_OPEN_MODE(flags, mode)               \
	do {                                             \
		if (__OPEN_NEEDS_MODE(flags)) {          \
			va_list ap_;                     \
			va_start(ap_, flags);            \
			mode = (mode_t)va_arg(ap_, int); \
			va_end(ap_);                     \
		}                                        \
	} while (0)

/* ---- the driver sim's devices present (SVART_SIM_DRIVER, preload_vfio.c) ---------------- */

/* True when SVART_SIM_DRIVER=vfio-pci: VFIO cdevs and /dev/iommu only, no idxd face. */
bool sim_preload_vfio_mode(void);

/*
 * In vfio-pci mode, power sim's platform on (once, for the life of the process) so that its
 * devices have VFIO cdevs; a no-op otherwise.
 */
void sim_preload_vfio_up(void);

/* Exported (SIM_PRELOAD_EXTRA_EXPORTS); the contract is in preload_vfio.c. */
int svart_sim_vfio_portal_v1(const void *page,
			     int (**submit)(void *wq, const void *desc64, unsigned int how),
			     void **wq);

/* ---- descriptors ------------------------------------------------------------------------ */

/*
 * Set once this process has a sim descriptor (the first successful open of a sim node).
 * Until then descriptor calls pass straight through with one relaxed load of overhead.
 */
extern atomic_bool sim_preload_used;

static inline bool sim_preload_active(void)
{
	return atomic_load_explicit(&sim_preload_used, memory_order_relaxed);
}

/* Whether @fd is sim's (never touches errno). */
static inline bool sim_preload_is_sim_fd(int fd)
{
	struct sim_file *file;

	if (!sim_preload_active() || fd < 0)
		return false;
	file = sim_file_get(fd);
	if (!file)
		return false;
	sim_file_put(file);
	return true;
}

/* ---- paths ------------------------------------------------------------------------------ */

enum sim_preload_kind {
	SIM_PRELOAD_PASS, /* not sim's: call libc with target.path */
	SIM_PRELOAD_CDEV, /* a device node sim models */
	/*
	 * Inside the directory tree sim keeps for idxd's sysfs (sim/idxd/, docs/SIM_IDXD.md):
	 * target.path is the tree path. Path calls hand it to libc like PASS; open() goes
	 * through sim_idxd_tree_open(), which refreshes attribute files and registers writers.
	 */
	SIM_PRELOAD_TREE,
};

/*
 * Where a path call goes. path is what to hand libc for SIM_PRELOAD_PASS and _TREE: the
 * caller's own string, or the rewritten copy in buf for a kernel path sim redirects (idxd's
 * /sys/bus/dsa, /dev/dsa, ... into its tree).
 */
struct sim_preload_target {
	enum sim_preload_kind kind;
	const char *path;
	/* A node from the test hook below (NULL: one of sim's own, opened by svart_sim_open()). */
	const struct sim_chrdev *test_cdev;
	char buf[PATH_MAX];
};

/*
 * Classifies @path as seen from @dirfd. Only absolute paths can be sim's (relative ones,
 * whatever @dirfd, pass through). NULL passes through too, so libc reports EFAULT.
 */
void sim_preload_lookup(int dirfd, const char *path, struct sim_preload_target *t);

/*
 * As sim_preload_lookup(), and a relative path is looked up from @dirfd when that is a
 * directory of sim's tree (libaccel-config's openat(dfd, "attr") after open(dir, O_PATH)).
 * For the open family only: it costs a readlink() of /proc/self/fd while the tree exists.
 */
void sim_preload_lookup_open(int dirfd, const char *path, struct sim_preload_target *t);

/* Opens a SIM_PRELOAD_TREE target. Return: a descriptor, or -1 with errno. */
int sim_preload_open_tree(const struct sim_preload_target *t, int flags, mode_t mode);

/*
 * Test hook: tests/progs builds a variant of this library with a fake device node defined
 * here. In the shipped library the weak reference stays NULL.
 */
const struct sim_chrdev *sim_preload_test_chrdev_find(const char *path)
	__attribute__((weak, visibility("hidden")));

/* Opens a SIM_PRELOAD_CDEV target. Return: a descriptor, or -1 with errno (open(2)'s rules). */
int sim_preload_open_cdev(const struct sim_preload_target *t, int flags);

/*
 * stat(2) of a SIM_PRELOAD_CDEV target, as devtmpfs would report it.
 * Return: 0, or -errno (-ENOENT when sim has no such device).
 */
int sim_preload_stat_cdev(const struct sim_preload_target *t, struct stat *st);

/*
 * access(2)'s permission check on a SIM_PRELOAD_CDEV target, for the real (@effective false)
 * or effective IDs. Return: 0, or -errno.
 */
int sim_preload_access_cdev(const struct sim_preload_target *t, int mode, bool effective);

/* Sets errno from a -errno return; passes other values through. */
static inline long sim_preload_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

#endif /* SVART_SIM_PRELOAD_H */
