// SPDX-License-Identifier: MIT
/*
 * The real libc functions behind the interposer, and the __wrap_* entry points through which
 * sim's own calls reach them.
 *
 * LD_PRELOAD interposers die in three classic ways (docs/SIM_PRELOAD.md): resolving the real
 * function allocates, the allocator initialises by opening files, and the open comes back
 * into the unresolved interposer; the interposer's own helpers call the function being
 * interposed; or it depends on state a constructor has not set yet. Here: every pointer is
 * resolved once, eagerly in a constructor and lazily on first use before that, with no
 * allocation of our own; a call that arrives while this thread is inside dlsym() makes the
 * raw system call instead; the file tables this needs are all static and zero-initialised.
 */
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sim/preload/preload.h"

#if !defined(__x86_64__)
/* The fallbacks below use x86-64's system-call set (newfstatat, poll); so does svart. */
#error "libsvart-sim-preload is written for x86-64"
#endif

static const char *const sim_preload_fn_names[SIM_PRELOAD_FN_NR] = {
#define SIM_PRELOAD_NAME(name) [SIM_PRELOAD_FN_##name] = #name,
	SIM_PRELOAD_FUNCS(SIM_PRELOAD_NAME)
#undef SIM_PRELOAD_NAME
};

/* Resolved pointers; SIM_PRELOAD_MISSING once dlsym() found nothing. */
#define SIM_PRELOAD_MISSING ((void *)1)
static _Atomic(void *) sim_preload_fns[SIM_PRELOAD_FN_NR];

/*
 * Set while this thread is inside dlsym(). Initial-exec TLS: the library is loaded at start-up
 * (LD_PRELOAD), and the access is then a plain %fs-relative load that cannot allocate, which
 * the general-dynamic model's __tls_get_addr() does not promise.
 */
static __thread bool sim_preload_resolving __attribute__((tls_model("initial-exec")));

void *sim_preload_real(enum sim_preload_fn fn)
{
	void *p = atomic_load_explicit(&sim_preload_fns[fn], memory_order_acquire);
	int saved_errno;

	if (__builtin_expect(p != NULL, 1))
		return p == SIM_PRELOAD_MISSING ? NULL : p;
	if (sim_preload_resolving)
		return NULL;
	saved_errno = errno;
	sim_preload_resolving = true;
	p = dlsym(RTLD_NEXT, sim_preload_fn_names[fn]);
	sim_preload_resolving = false;
	errno = saved_errno;
	/* Two threads may both get here; they store the same answer. */
	atomic_store_explicit(&sim_preload_fns[fn], p ? p : SIM_PRELOAD_MISSING,
			      memory_order_release);
	return p;
}

/*
 * Resolve everything while the process is still starting, so that later calls (from signal
 * handlers, or from an allocator's first malloc) find the pointers ready.
 */
__attribute__((constructor)) static void sim_preload_resolve_all(void)
{
	for (int fn = 0; fn < SIM_PRELOAD_FN_NR; fn++)
		sim_preload_real((enum sim_preload_fn)fn);
}

/* ---- open ------------------------------------------------------------------------------ */

int sim_preload_real_open(const char *path, int flags, mode_t mode)
{
	return SIM_PRELOAD_CALL(open, syscall(SYS_openat, AT_FDCWD, path, flags, mode), path, flags,
				mode);
}

int sim_preload_real_open64(const char *path, int flags, mode_t mode)
{
	return SIM_PRELOAD_CALL(open64, syscall(SYS_openat, AT_FDCWD, path, flags, mode), path,
				flags, mode);
}

int sim_preload_real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	return SIM_PRELOAD_CALL(openat, syscall(SYS_openat, dirfd, path, flags, mode), dirfd, path,
				flags, mode);
}

int sim_preload_real_openat64(int dirfd, const char *path, int flags, mode_t mode)
{
	return SIM_PRELOAD_CALL(openat64, syscall(SYS_openat, dirfd, path, flags, mode), dirfd,
				path, flags, mode);
}

/* The _2 variants are open without a mode: O_CREAT / O_TMPFILE there is glibc's abort. */
static long sim_preload_sys_open_2(int dirfd, const char *path, int flags)
{
	if (__OPEN_NEEDS_MODE(flags))
		__chk_fail();
	return syscall(SYS_openat, dirfd, path, flags);
}

int sim_preload_real___open_2(const char *path, int flags)
{
	return SIM_PRELOAD_CALL(__open_2, sim_preload_sys_open_2(AT_FDCWD, path, flags), path,
				flags);
}

int sim_preload_real___open64_2(const char *path, int flags)
{
	return SIM_PRELOAD_CALL(__open64_2, sim_preload_sys_open_2(AT_FDCWD, path, flags), path,
				flags);
}

int sim_preload_real___openat_2(int dirfd, const char *path, int flags)
{
	return SIM_PRELOAD_CALL(__openat_2, sim_preload_sys_open_2(dirfd, path, flags), dirfd, path,
				flags);
}

int sim_preload_real___openat64_2(int dirfd, const char *path, int flags)
{
	return SIM_PRELOAD_CALL(__openat64_2, sim_preload_sys_open_2(dirfd, path, flags), dirfd,
				path, flags);
}

/* ---- descriptors ------------------------------------------------------------------------- */

int sim_preload_real_ioctl(int fd, unsigned long request, void *arg)
{
	return SIM_PRELOAD_CALL(ioctl, syscall(SYS_ioctl, fd, request, arg), fd, request, arg);
}

ssize_t sim_preload_real_read(int fd, void *buf, size_t count)
{
	return SIM_PRELOAD_CALL(read, syscall(SYS_read, fd, buf, count), fd, buf, count);
}

ssize_t sim_preload_real_write(int fd, const void *buf, size_t count)
{
	return SIM_PRELOAD_CALL(write, syscall(SYS_write, fd, buf, count), fd, buf, count);
}

ssize_t sim_preload_real_pread(int fd, void *buf, size_t count, off_t pos)
{
	return SIM_PRELOAD_CALL(pread, syscall(SYS_pread64, fd, buf, count, pos), fd, buf, count,
				pos);
}

ssize_t sim_preload_real_pread64(int fd, void *buf, size_t count, off64_t pos)
{
	return SIM_PRELOAD_CALL(pread64, syscall(SYS_pread64, fd, buf, count, pos), fd, buf, count,
				pos);
}

ssize_t sim_preload_real_pwrite(int fd, const void *buf, size_t count, off_t pos)
{
	return SIM_PRELOAD_CALL(pwrite, syscall(SYS_pwrite64, fd, buf, count, pos), fd, buf, count,
				pos);
}

ssize_t sim_preload_real_pwrite64(int fd, const void *buf, size_t count, off64_t pos)
{
	return SIM_PRELOAD_CALL(pwrite64, syscall(SYS_pwrite64, fd, buf, count, pos), fd, buf,
				count, pos);
}

static long sim_preload_sys_read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	if (count > buflen)
		__chk_fail();
	return syscall(SYS_read, fd, buf, count);
}

static long sim_preload_sys_pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen)
{
	if (count > buflen)
		__chk_fail();
	return syscall(SYS_pread64, fd, buf, count, pos);
}

ssize_t sim_preload_real___read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	return SIM_PRELOAD_CALL(__read_chk, sim_preload_sys_read_chk(fd, buf, count, buflen), fd,
				buf, count, buflen);
}

ssize_t sim_preload_real___pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen)
{
	return SIM_PRELOAD_CALL(__pread_chk, sim_preload_sys_pread_chk(fd, buf, count, pos, buflen),
				fd, buf, count, pos, buflen);
}

ssize_t sim_preload_real___pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen)
{
	return SIM_PRELOAD_CALL(__pread64_chk,
				sim_preload_sys_pread_chk(fd, buf, count, pos, buflen), fd, buf,
				count, pos, buflen);
}

int sim_preload_real_close(int fd)
{
	return SIM_PRELOAD_CALL(close, syscall(SYS_close, fd), fd);
}

/* ---- poll ------------------------------------------------------------------------------ */

static long sim_preload_sys_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
				  const sigset_t *sigmask)
{
	/* The system call writes the time left back; ppoll(3)'s argument is const. */
	struct timespec left, *tp = NULL;

	if (timeout) {
		left = *timeout;
		tp = &left;
	}
	return syscall(SYS_ppoll, fds, nfds, tp, sigmask, (size_t)(_NSIG / 8));
}

static long sim_preload_sys_poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < nfds)
		__chk_fail();
	return syscall(SYS_poll, fds, nfds, timeout);
}

static long sim_preload_sys_ppoll_chk(struct pollfd *fds, nfds_t nfds,
				      const struct timespec *timeout, const sigset_t *sigmask,
				      size_t fdslen)
{
	if (fdslen / sizeof(*fds) < nfds)
		__chk_fail();
	return sim_preload_sys_ppoll(fds, nfds, timeout, sigmask);
}

int sim_preload_real_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return SIM_PRELOAD_CALL(poll, syscall(SYS_poll, fds, nfds, timeout), fds, nfds, timeout);
}

int sim_preload_real_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
			   const sigset_t *sigmask)
{
	return SIM_PRELOAD_CALL(ppoll, sim_preload_sys_ppoll(fds, nfds, timeout, sigmask), fds,
				nfds, timeout, sigmask);
}

int sim_preload_real___poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	return SIM_PRELOAD_CALL(__poll_chk, sim_preload_sys_poll_chk(fds, nfds, timeout, fdslen),
				fds, nfds, timeout, fdslen);
}

int sim_preload_real___ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
				 const sigset_t *sigmask, size_t fdslen)
{
	return SIM_PRELOAD_CALL(__ppoll_chk,
				sim_preload_sys_ppoll_chk(fds, nfds, timeout, sigmask, fdslen), fds,
				nfds, timeout, sigmask, fdslen);
}

/* ---- access and stat --------------------------------------------------------------------- */

static long sim_preload_sys_faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (!flags)
		return syscall(SYS_faccessat, dirfd, path, mode);
	return syscall(SYS_faccessat2, dirfd, path, mode, flags);
}

int sim_preload_real_access(const char *path, int mode)
{
	return SIM_PRELOAD_CALL(access, syscall(SYS_faccessat, AT_FDCWD, path, mode), path, mode);
}

int sim_preload_real_faccessat(int dirfd, const char *path, int mode, int flags)
{
	return SIM_PRELOAD_CALL(faccessat, sim_preload_sys_faccessat(dirfd, path, mode, flags),
				dirfd, path, mode, flags);
}

/* On x86-64 struct stat is the kernel's, and newfstatat fills it. */
int sim_preload_real_stat(const char *path, struct stat *st)
{
	return SIM_PRELOAD_CALL(stat, syscall(SYS_newfstatat, AT_FDCWD, path, st, 0), path, st);
}

int sim_preload_real_stat64(const char *path, struct stat64 *st)
{
	return SIM_PRELOAD_CALL(stat64, syscall(SYS_newfstatat, AT_FDCWD, path, st, 0), path, st);
}

int sim_preload_real_lstat(const char *path, struct stat *st)
{
	return SIM_PRELOAD_CALL(
		lstat, syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW), path, st);
}

int sim_preload_real_lstat64(const char *path, struct stat64 *st)
{
	return SIM_PRELOAD_CALL(lstat64,
				syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW),
				path, st);
}

int sim_preload_real_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return SIM_PRELOAD_CALL(fstatat, syscall(SYS_newfstatat, dirfd, path, st, flags), dirfd,
				path, st, flags);
}

int sim_preload_real_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return SIM_PRELOAD_CALL(fstatat64, syscall(SYS_newfstatat, dirfd, path, st, flags), dirfd,
				path, st, flags);
}

int sim_preload_real_statx(int dirfd, const char *path, int flags, unsigned int mask,
			   struct statx *stx)
{
	return SIM_PRELOAD_CALL(statx, syscall(SYS_statx, dirfd, path, flags, mask, stx), dirfd,
				path, flags, mask, stx);
}

ssize_t sim_preload_real_getxattr(const char *path, const char *name, void *value, size_t size)
{
	return SIM_PRELOAD_CALL(getxattr, syscall(SYS_getxattr, path, name, value, size), path,
				name, value, size);
}

ssize_t sim_preload_real_lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	return SIM_PRELOAD_CALL(lgetxattr, syscall(SYS_lgetxattr, path, name, value, size), path,
				name, value, size);
}

ssize_t sim_preload_real_listxattr(const char *path, char *list, size_t size)
{
	return SIM_PRELOAD_CALL(listxattr, syscall(SYS_listxattr, path, list, size), path, list,
				size);
}

ssize_t sim_preload_real_llistxattr(const char *path, char *list, size_t size)
{
	return SIM_PRELOAD_CALL(llistxattr, syscall(SYS_llistxattr, path, list, size), path, list,
				size);
}

/* ---- directories, links, streams -------------------------------------------------------- */

/*
 * These have no single system call behind them; a call made while this thread is inside
 * dlsym() (never seen: nothing in glibc's dlsym walks directories) fails with ENOSYS.
 */
#define SIM_PRELOAD_NOSYS(val)  \
	({                      \
		errno = ENOSYS; \
		val;            \
	})

DIR *sim_preload_real_opendir(const char *path)
{
	return SIM_PRELOAD_CALL(opendir, SIM_PRELOAD_NOSYS((DIR *)NULL), path);
}

int sim_preload_real_scandir(const char *dir, struct dirent ***list,
			     int (*filter)(const struct dirent *),
			     int (*compar)(const struct dirent **, const struct dirent **))
{
	return SIM_PRELOAD_CALL(scandir, SIM_PRELOAD_NOSYS(-1), dir, list, filter, compar);
}

int sim_preload_real_scandir64(const char *dir, struct dirent64 ***list,
			       int (*filter)(const struct dirent64 *),
			       int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	return SIM_PRELOAD_CALL(scandir64, SIM_PRELOAD_NOSYS(-1), dir, list, filter, compar);
}

char *sim_preload_real_realpath(const char *path, char *resolved)
{
	return SIM_PRELOAD_CALL(realpath, SIM_PRELOAD_NOSYS((char *)NULL), path, resolved);
}

ssize_t sim_preload_real_readlink(const char *path, char *buf, size_t size)
{
	return SIM_PRELOAD_CALL(readlink, syscall(SYS_readlinkat, AT_FDCWD, path, buf, size), path,
				buf, size);
}

FILE *sim_preload_real_fopen(const char *path, const char *mode)
{
	return SIM_PRELOAD_CALL(fopen, SIM_PRELOAD_NOSYS((FILE *)NULL), path, mode);
}

FILE *sim_preload_real_fopen64(const char *path, const char *mode)
{
	return SIM_PRELOAD_CALL(fopen64, SIM_PRELOAD_NOSYS((FILE *)NULL), path, mode);
}

/* ---- memory mappings --------------------------------------------------------------------- */

void *sim_preload_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return SIM_PRELOAD_CALL(mmap, (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off),
				addr, len, prot, flags, fd, off);
}

void *sim_preload_real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return SIM_PRELOAD_CALL(mmap64, (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off),
				addr, len, prot, flags, fd, off);
}

int sim_preload_real_munmap(void *addr, size_t len)
{
	return SIM_PRELOAD_CALL(munmap, syscall(SYS_munmap, addr, len), addr, len);
}

void *sim_preload_real_mremap(void *old, size_t old_size, size_t new_size, int flags,
			      void *new_addr)
{
	return SIM_PRELOAD_CALL(
		mremap, (void *)syscall(SYS_mremap, old, old_size, new_size, flags, new_addr), old,
		old_size, new_size, flags, new_addr);
}

int sim_preload_real_madvise(void *addr, size_t len, int advice)
{
	return SIM_PRELOAD_CALL(madvise, syscall(SYS_madvise, addr, len, advice), addr, len,
				advice);
}

int sim_preload_real_mprotect(void *addr, size_t len, int prot)
{
	return SIM_PRELOAD_CALL(mprotect, syscall(SYS_mprotect, addr, len, prot), addr, len, prot);
}

int sim_preload_real_dup(int fd)
{
	return SIM_PRELOAD_CALL(dup, syscall(SYS_dup, fd), fd);
}

int sim_preload_real_dup2(int oldfd, int newfd)
{
	return SIM_PRELOAD_CALL(dup2, syscall(SYS_dup2, oldfd, newfd), oldfd, newfd);
}

int sim_preload_real_dup3(int oldfd, int newfd, int flags)
{
	return SIM_PRELOAD_CALL(dup3, syscall(SYS_dup3, oldfd, newfd, flags), oldfd, newfd, flags);
}

/*
 * ---- __wrap_*: sim's own calls ------------------------------------------------------------
 *
 * The library is linked with --wrap=<name> for every interposed name, which binds sim's
 * references to <name> here. Signatures are libc's, variadic where libc's are.
 */

int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...);
int __wrap___open_2(const char *path, int flags);
int __wrap___open64_2(const char *path, int flags);
int __wrap___openat_2(int dirfd, const char *path, int flags);
int __wrap___openat64_2(int dirfd, const char *path, int flags);
int __wrap_ioctl(int fd, unsigned long request, ...);
ssize_t __wrap_read(int fd, void *buf, size_t count);
ssize_t __wrap_write(int fd, const void *buf, size_t count);
ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t pos);
ssize_t __wrap_pread64(int fd, void *buf, size_t count, off64_t pos);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t count, off_t pos);
ssize_t __wrap_pwrite64(int fd, const void *buf, size_t count, off64_t pos);
ssize_t __wrap___read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __wrap___pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen);
ssize_t __wrap___pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen);
int __wrap_close(int fd);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
		 const sigset_t *sigmask);
int __wrap___poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
int __wrap___ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
		       const sigset_t *sigmask, size_t fdslen);
int __wrap_access(const char *path, int mode);
int __wrap_faccessat(int dirfd, const char *path, int mode, int flags);
int __wrap_stat(const char *path, struct stat *st);
int __wrap_stat64(const char *path, struct stat64 *st);
int __wrap_lstat(const char *path, struct stat *st);
int __wrap_lstat64(const char *path, struct stat64 *st);
int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __wrap_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags);
int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx);
ssize_t __wrap_getxattr(const char *path, const char *name, void *value, size_t size);
ssize_t __wrap_lgetxattr(const char *path, const char *name, void *value, size_t size);
ssize_t __wrap_listxattr(const char *path, char *list, size_t size);
ssize_t __wrap_llistxattr(const char *path, char *list, size_t size);
DIR *__wrap_opendir(const char *path);
int __wrap_scandir(const char *dir, struct dirent ***list, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **));
int __wrap_scandir64(const char *dir, struct dirent64 ***list,
		     int (*filter)(const struct dirent64 *),
		     int (*compar)(const struct dirent64 **, const struct dirent64 **));
char *__wrap_realpath(const char *path, char *resolved);
char *__wrap___realpath_chk(const char *path, char *resolved, size_t resolvedlen);
ssize_t __wrap_readlink(const char *path, char *buf, size_t size);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fopen64(const char *path, const char *mode);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
int __wrap_munmap(void *addr, size_t len);
void *__wrap_mremap(void *old, size_t old_size, size_t new_size, int flags, ...);
int __wrap_madvise(void *addr, size_t len, int advice);
int __wrap_mprotect(void *addr, size_t len, int prot);
int __wrap_dup(int fd);
int __wrap_dup2(int oldfd, int newfd);
int __wrap_dup3(int oldfd, int newfd, int flags);

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	return sim_preload_real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	return sim_preload_real_open64(path, flags, mode);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	return sim_preload_real_openat(dirfd, path, flags, mode);
}

int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	return sim_preload_real_openat64(dirfd, path, flags, mode);
}

int __wrap___open_2(const char *path, int flags)
{
	return sim_preload_real___open_2(path, flags);
}

int __wrap___open64_2(const char *path, int flags)
{
	return sim_preload_real___open64_2(path, flags);
}

int __wrap___openat_2(int dirfd, const char *path, int flags)
{
	return sim_preload_real___openat_2(dirfd, path, flags);
}

int __wrap___openat64_2(int dirfd, const char *path, int flags)
{
	return sim_preload_real___openat64_2(dirfd, path, flags);
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	return sim_preload_real_ioctl(fd, request, arg);
}

ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	return sim_preload_real_read(fd, buf, count);
}

ssize_t __wrap_write(int fd, const void *buf, size_t count)
{
	return sim_preload_real_write(fd, buf, count);
}

ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t pos)
{
	return sim_preload_real_pread(fd, buf, count, pos);
}

ssize_t __wrap_pread64(int fd, void *buf, size_t count, off64_t pos)
{
	return sim_preload_real_pread64(fd, buf, count, pos);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t count, off_t pos)
{
	return sim_preload_real_pwrite(fd, buf, count, pos);
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t count, off64_t pos)
{
	return sim_preload_real_pwrite64(fd, buf, count, pos);
}

ssize_t __wrap___read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	return sim_preload_real___read_chk(fd, buf, count, buflen);
}

ssize_t __wrap___pread_chk(int fd, void *buf, size_t count, off_t pos, size_t buflen)
{
	return sim_preload_real___pread_chk(fd, buf, count, pos, buflen);
}

ssize_t __wrap___pread64_chk(int fd, void *buf, size_t count, off64_t pos, size_t buflen)
{
	return sim_preload_real___pread64_chk(fd, buf, count, pos, buflen);
}

int __wrap_close(int fd)
{
	return sim_preload_real_close(fd);
}

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return sim_preload_real_poll(fds, nfds, timeout);
}

int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
		 const sigset_t *sigmask)
{
	return sim_preload_real_ppoll(fds, nfds, timeout, sigmask);
}

int __wrap___poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	return sim_preload_real___poll_chk(fds, nfds, timeout, fdslen);
}

int __wrap___ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
		       const sigset_t *sigmask, size_t fdslen)
{
	return sim_preload_real___ppoll_chk(fds, nfds, timeout, sigmask, fdslen);
}

int __wrap_access(const char *path, int mode)
{
	return sim_preload_real_access(path, mode);
}

int __wrap_faccessat(int dirfd, const char *path, int mode, int flags)
{
	return sim_preload_real_faccessat(dirfd, path, mode, flags);
}

int __wrap_stat(const char *path, struct stat *st)
{
	return sim_preload_real_stat(path, st);
}

int __wrap_stat64(const char *path, struct stat64 *st)
{
	return sim_preload_real_stat64(path, st);
}

int __wrap_lstat(const char *path, struct stat *st)
{
	return sim_preload_real_lstat(path, st);
}

int __wrap_lstat64(const char *path, struct stat64 *st)
{
	return sim_preload_real_lstat64(path, st);
}

int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return sim_preload_real_fstatat(dirfd, path, st, flags);
}

int __wrap_fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return sim_preload_real_fstatat64(dirfd, path, st, flags);
}

int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	return sim_preload_real_statx(dirfd, path, flags, mask, stx);
}

ssize_t __wrap_getxattr(const char *path, const char *name, void *value, size_t size)
{
	return sim_preload_real_getxattr(path, name, value, size);
}

ssize_t __wrap_lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	return sim_preload_real_lgetxattr(path, name, value, size);
}

ssize_t __wrap_listxattr(const char *path, char *list, size_t size)
{
	return sim_preload_real_listxattr(path, list, size);
}

ssize_t __wrap_llistxattr(const char *path, char *list, size_t size)
{
	return sim_preload_real_llistxattr(path, list, size);
}

DIR *__wrap_opendir(const char *path)
{
	return sim_preload_real_opendir(path);
}

int __wrap_scandir(const char *dir, struct dirent ***list, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **))
{
	return sim_preload_real_scandir(dir, list, filter, compar);
}

int __wrap_scandir64(const char *dir, struct dirent64 ***list,
		     int (*filter)(const struct dirent64 *),
		     int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	return sim_preload_real_scandir64(dir, list, filter, compar);
}

char *__wrap_realpath(const char *path, char *resolved)
{
	return sim_preload_real_realpath(path, resolved);
}

char *__wrap___realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return sim_preload_real_realpath(path, resolved);
}

ssize_t __wrap_readlink(const char *path, char *buf, size_t size)
{
	return sim_preload_real_readlink(path, buf, size);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
	return sim_preload_real_fopen(path, mode);
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
	return sim_preload_real_fopen64(path, mode);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return sim_preload_real_mmap(addr, len, prot, flags, fd, off);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return sim_preload_real_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
	return sim_preload_real_munmap(addr, len);
}

void *__wrap_mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
	void *new_addr = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	return sim_preload_real_mremap(old, old_size, new_size, flags, new_addr);
}

int __wrap_madvise(void *addr, size_t len, int advice)
{
	return sim_preload_real_madvise(addr, len, advice);
}

int __wrap_mprotect(void *addr, size_t len, int prot)
{
	return sim_preload_real_mprotect(addr, len, prot);
}

int __wrap_dup(int fd)
{
	return sim_preload_real_dup(fd);
}

int __wrap_dup2(int oldfd, int newfd)
{
	return sim_preload_real_dup2(oldfd, newfd);
}

int __wrap_dup3(int oldfd, int newfd, int flags)
{
	return sim_preload_real_dup3(oldfd, newfd, flags);
}
