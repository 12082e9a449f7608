// SPDX-License-Identifier: MIT
/*
 * svart sim: run an unmodified program on sim. The program's own open/ioctl/read/poll/close
 * of /dev/iommu and /dev/vfio/devices/vfioN reach sim through libsvart-sim-preload.so, which
 * this command puts first in LD_PRELOAD before it execs the program (docs/SIM_PRELOAD.md).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"

/* Set by sim/preload/CMakeLists.txt; these defaults match its layout. */
#ifndef SVART_SIM_PRELOAD_NAME
#define SVART_SIM_PRELOAD_NAME "libsvart-sim-preload.so"
#endif
#ifndef SVART_SIM_PRELOAD_BUILD_REL
#define SVART_SIM_PRELOAD_BUILD_REL "../sim/preload"
#endif
#ifndef SVART_SIM_PRELOAD_BIN_TO_LIB
#define SVART_SIM_PRELOAD_BIN_TO_LIB "../lib"
#endif

/* Shells' statuses for a command that was not found / could not be run. */
#define SIM_EXIT_NOT_FOUND 127
#define SIM_EXIT_CANNOT_RUN 126

static void sim_usage(FILE *f)
{
	fprintf(f,
		"usage: svart sim [--help] -- PROGRAM [ARGS...]\n\n"
		"Runs PROGRAM on sim, svart's simulated platform: its own calls on /dev/iommu\n"
		"and /dev/vfio/devices/vfioN (open, ioctl, read, write, poll, close, stat,\n"
		"access) reach sim instead of the kernel, without recompiling. PROGRAM must be\n"
		"dynamically linked. The exit status is PROGRAM's; 127 if it was not found,\n"
		"126 if it could not be run.\n\n"
		"  --help    this text\n\n"
		"environment:\n"
		"  SVART_SIM_PRELOAD  path of the interposer library (default: the\n"
		"                     " SVART_SIM_PRELOAD_NAME " built or installed with svart)\n"
		"  SVART_SIM_DRIVER   the driver sim's DSA/IAA functions are bound to: idxd\n"
		"                     (default: the idxd sysfs tree, /dev/dsa, /dev/iax) or\n"
		"                     vfio-pci (VFIO cdevs with their regions, no idxd tree)\n\n"
		"Sets SVART_SIM=1 and prepends the library to LD_PRELOAD (and the ASan runtime\n"
		"before it when the library or PROGRAM was built with AddressSanitizer).\n");
}

/* Appends @path to the "looked in" list for the not-found message. */
static void sim_note(char *seen, size_t len, const char *path)
{
	size_t used = strlen(seen);

	snprintf(seen + used, len - used, "\n  %s", path);
}

static bool sim_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

/*
 * Finds the interposer: $SVART_SIM_PRELOAD, else next to this binary in the build tree, else
 * relative to the installed binary ($libdir/svart, $libdir), else the configured libdir.
 * Return: true with the canonical path in @out; false with the places tried in @seen.
 */
static bool sim_find_preload(char *out, char *seen, size_t seen_len)
{
	const char *env = getenv("SVART_SIM_PRELOAD");
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	const char *rel[] = {
		SVART_SIM_PRELOAD_BUILD_REL,
		SVART_SIM_PRELOAD_BIN_TO_LIB "/svart",
		SVART_SIM_PRELOAD_BIN_TO_LIB,
	};
	ssize_t n;

	seen[0] = '\0';
	if (env && *env) {
		sim_note(seen, seen_len, env);
		strcat(seen, " (SVART_SIM_PRELOAD)");
		return sim_is_file(env) && realpath(env, out);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(cand, sizeof(cand), "%s/%s/%s", exe, rel[i],
				 SVART_SIM_PRELOAD_NAME);
			sim_note(seen, seen_len, cand);
			if (sim_is_file(cand) && realpath(cand, out))
				return true;
		}
	}
#ifdef SVART_SIM_PRELOAD_LIBDIR
	snprintf(cand, sizeof(cand), "%s/svart/%s", SVART_SIM_PRELOAD_LIBDIR,
		 SVART_SIM_PRELOAD_NAME);
	sim_note(seen, seen_len, cand);
	if (sim_is_file(cand) && realpath(cand, out))
		return true;
	snprintf(cand, sizeof(cand), "%s/%s", SVART_SIM_PRELOAD_LIBDIR, SVART_SIM_PRELOAD_NAME);
	sim_note(seen, seen_len, cand);
	if (sim_is_file(cand) && realpath(cand, out))
		return true;
#endif
	return false;
}

/*
 * The DT_NEEDED entry of ELF file @path that names the ASan runtime ("libasan.so.8"), copied
 * to @out. An ASan-built library or program only runs with that runtime first in the process's
 * library list. Return: false if there is none, or @path is not a readable 64-bit ELF file.
 */
static bool sim_needs_asan(const char *path, char *out, size_t len)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	bool found = false;
	struct stat st;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(*eh)) {
		close(fd);
		return false;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return false;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || eh->e_shoff > (size_t)st.st_size ||
	    (size_t)eh->e_shnum * sizeof(*sh) > (size_t)st.st_size - eh->e_shoff)
		goto out;
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum && !found; i++) {
		const Elf64_Shdr *str;
		const Elf64_Dyn *dyn;
		const char *strtab;

		if (sh[i].sh_type != SHT_DYNAMIC || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset > (size_t)st.st_size ||
		    sh[i].sh_size > (size_t)st.st_size - sh[i].sh_offset)
			continue;
		str = &sh[sh[i].sh_link];
		if (str->sh_offset > (size_t)st.st_size ||
		    str->sh_size > (size_t)st.st_size - str->sh_offset)
			continue;
		dyn = (const Elf64_Dyn *)((const char *)map + sh[i].sh_offset);
		strtab = (const char *)map + str->sh_offset;
		for (size_t j = 0; j < sh[i].sh_size / sizeof(*dyn) && dyn[j].d_tag != DT_NULL;
		     j++) {
			const char *name = strtab + dyn[j].d_un.d_val;

			if (dyn[j].d_tag != DT_NEEDED || dyn[j].d_un.d_val >= str->sh_size ||
			    !memchr(name, '\0', str->sh_size - dyn[j].d_un.d_val))
				continue;
			if (!strncmp(name, "libasan.so", strlen("libasan.so")) &&
			    strlen(name) < len) {
				strcpy(out, name);
				found = true;
				break;
			}
		}
	}
out:
	munmap(map, (size_t)st.st_size);
	return found;
}

/* The file execvp() would run for @prog (first match on $PATH), or false. */
static bool sim_which(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return true;
	}
	if (!path)
		path = "/bin:/usr/bin";
	while (*path) {
		size_t dir_len = strcspn(path, ":");

		snprintf(out, len, "%.*s%s%s", (int)dir_len, path, dir_len ? "/" : "", prog);
		if (!access(out, X_OK))
			return true;
		path += dir_len + (path[dir_len] == ':');
	}
	return false;
}

int cmd_sim(int argc, char **argv)
{
	char lib[PATH_MAX], seen[8 * (PATH_MAX + 8)], asan[64] = "", prog_path[PATH_MAX];
	const char *old;
	char *preload;
	size_t size;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			sim_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (!strcmp(argv[i], "--"))
			break;
		fprintf(stderr, "svart sim: unknown argument '%s' (the program goes after --)\n\n",
			argv[i]);
		sim_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (i >= argc - 1) {
		fprintf(stderr, "svart sim: no program given\n\n");
		sim_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	argv += i + 1;
	/* The interposer reads it; an unknown value would silently mean idxd there. */
	old = getenv("SVART_SIM_DRIVER");
	if (old && *old && strcmp(old, "idxd") && strcmp(old, "vfio-pci")) {
		fprintf(stderr, "svart sim: SVART_SIM_DRIVER='%s': expected idxd or vfio-pci\n\n",
			old);
		sim_usage(stderr);
		return CLI_EXIT_USAGE;
	}

	if (!sim_find_preload(lib, seen, sizeof(seen))) {
		fprintf(stderr,
			"svart sim: %s not found; looked in:%s\n"
			"Build it (target svart_sim_preload) or set SVART_SIM_PRELOAD to its "
			"path.\n",
			SVART_SIM_PRELOAD_NAME, seen);
		return CLI_EXIT_FAIL;
	}
	/* ld.so splits LD_PRELOAD at spaces and colons. */
	if (strpbrk(lib, ": \t")) {
		fprintf(stderr,
			"svart sim: cannot preload '%s': LD_PRELOAD cannot hold a path "
			"with ':' or spaces\n",
			lib);
		return CLI_EXIT_FAIL;
	}
	if (!sim_needs_asan(lib, asan, sizeof(asan)) &&
	    sim_which(argv[0], prog_path, sizeof(prog_path)))
		sim_needs_asan(prog_path, asan, sizeof(asan));

	old = getenv("LD_PRELOAD");
	size = strlen(asan) + strlen(lib) + (old ? strlen(old) : 0) + 3;
	preload = malloc(size);
	if (!preload) {
		fprintf(stderr, "svart sim: %s\n", strerror(ENOMEM));
		return CLI_EXIT_FAIL;
	}
	/* The ASan runtime by soname: ld.so searches the default paths for it. */
	snprintf(preload, size, "%s%s%s%s%s", asan, *asan ? ":" : "", lib, old && *old ? ":" : "",
		 old ? old : "");
	if (setenv("LD_PRELOAD", preload, 1) || setenv("SVART_SIM", "1", 1)) {
		err = errno;
		fprintf(stderr, "svart sim: setenv: %s\n", strerror(err));
		free(preload);
		return CLI_EXIT_FAIL;
	}
	free(preload);
	fflush(stdout);
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "svart sim: cannot run '%s': %s\n", argv[0], strerror(err));
	return err == ENOENT || err == ENOTDIR ? SIM_EXIT_NOT_FOUND : SIM_EXIT_CANNOT_RUN;
}
