// SPDX-License-Identifier: MIT
/*
 * open(2) and its aliases: sim's device nodes open on sim, files of sim's idxd sysfs tree
 * through sim_idxd_tree_open() (refreshed from the model, writers registered), every other
 * path in libc.
 *
 * glibc has seven entry points for it: open, open64, openat, openat64, and the fortified
 * __open_2, __open64_2, __openat_2 and __openat64_2 that _FORTIFY_SOURCE builds call when
 * the flags are not a compile-time constant (those take no mode; O_CREAT there aborts in
 * glibc, which the pass-through keeps). fopen() and the other stdio openers call glibc's
 * internal open and are not seen here.
 */
#undef _FORTIFY_SOURCE
#include <fcntl.h>
#include <stdarg.h>

#include "sim/preload/preload.h"

SIM_PRELOAD_EXPORT int open(const char *path, int flags, ...)
{
	struct sim_preload_target t;
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	sim_preload_lookup_open(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH))
		return sim_preload_open_tree(&t, flags, mode);
	return sim_preload_real_open(t.path, flags, mode);
}

SIM_PRELOAD_EXPORT int open64(const char *path, int flags, ...)
{
	struct sim_preload_target t;
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	sim_preload_lookup_open(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH))
		return sim_preload_open_tree(&t, flags, mode);
	return sim_preload_real_open64(t.path, flags, mode);
}

SIM_PRELOAD_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	struct sim_preload_target t;
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	sim_preload_lookup_open(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH))
		return sim_preload_open_tree(&t, flags, mode);
	return sim_preload_real_openat(dirfd, t.path, flags, mode);
}

SIM_PRELOAD_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	struct sim_preload_target t;
	mode_t mode = 0;

	SIM_PRELOAD_OPEN_MODE(flags, mode);
	sim_preload_lookup_open(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH))
		return sim_preload_open_tree(&t, flags, mode);
	return sim_preload_real_openat64(dirfd, t.path, flags, mode);
}

/*
 * The fortified variants. Flags that need a mode go to glibc whatever the path, so that its
 * "O_CREAT or O_TMPFILE without mode" abort happens as it would without sim.
 */
SIM_PRELOAD_EXPORT int __open_2(const char *path, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup_open(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_tree(&t, flags, 0);
	return sim_preload_real___open_2(t.path, flags);
}

SIM_PRELOAD_EXPORT int __open64_2(const char *path, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup_open(AT_FDCWD, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_tree(&t, flags, 0);
	return sim_preload_real___open64_2(t.path, flags);
}

SIM_PRELOAD_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup_open(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_tree(&t, flags, 0);
	return sim_preload_real___openat_2(dirfd, t.path, flags);
}

SIM_PRELOAD_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	struct sim_preload_target t;

	sim_preload_lookup_open(dirfd, path, &t);
	if (t.kind == SIM_PRELOAD_CDEV && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_cdev(&t, flags);
	if (t.kind == SIM_PRELOAD_TREE && !(flags & O_PATH) && !__OPEN_NEEDS_MODE(flags))
		return sim_preload_open_tree(&t, flags, 0);
	return sim_preload_real___openat64_2(dirfd, t.path, flags);
}
