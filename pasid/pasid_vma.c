// SPDX-License-Identifier: MIT
/*
 * The mapping at an address: PROCMAP_QUERY where the kernel has it, /proc/self/maps text
 * otherwise. See pasid_vma.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasid/pasid_vma.h"

/*
 * include/uapi/linux/fs.h (Linux 6.11). Defined here because the distribution headers svart
 * builds against may predate it; the ABI is fixed (size-versioned like iommufd's structs).
 */
struct pasid_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
_Static_assert(sizeof(struct pasid_procmap_query) == 104, "procmap_query ABI");

#define PASID_PROCMAP_QUERY _IOWR('f', 17, struct pasid_procmap_query)
#define PASID_PROCMAP_VMA_READABLE 0x01
#define PASID_PROCMAP_VMA_WRITABLE 0x02
#define PASID_PROCMAP_VMA_EXECUTABLE 0x04
#define PASID_PROCMAP_VMA_SHARED 0x08

/* Set once a kernel answered ENOTTY: every later query parses the text directly. */
static bool no_procmap_query;

int pasid_vma_open(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int vma_query(int maps_fd, uint64_t addr, struct pasid_vma *vma)
{
	struct pasid_procmap_query q = { .size = sizeof(q), .query_addr = addr };

	if (ioctl(maps_fd, PASID_PROCMAP_QUERY, &q) < 0)
		return -errno;
	vma->start = q.vma_start;
	vma->end = q.vma_end;
	vma->prot = ((q.vma_flags & PASID_PROCMAP_VMA_READABLE) ? PROT_READ : 0) |
		    ((q.vma_flags & PASID_PROCMAP_VMA_WRITABLE) ? PROT_WRITE : 0) |
		    ((q.vma_flags & PASID_PROCMAP_VMA_EXECUTABLE) ? PROT_EXEC : 0);
	vma->shared = q.vma_flags & PASID_PROCMAP_VMA_SHARED;
	vma->file = q.inode != 0;
	return 0;
}

/*
 * The text form: "start-end perms offset dev inode path". Lines are in address order, so the
 * scan stops at the first mapping that ends above @addr.
 */
static int vma_parse(uint64_t addr, struct pasid_vma *vma)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end, inode;
		char perms[8];
		bool whole = strchr(line, '\n') != NULL;

		/* A path longer than the buffer: drop the rest of its line. */
		while (!whole && fgets(line + 256, sizeof(line) - 256, f))
			whole = strchr(line + 256, '\n') != NULL;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*x %*s %" SCNu64, &start, &end,
			   perms, &inode) != 4)
			continue;
		if (end <= addr)
			continue;
		if (start <= addr) {
			vma->start = start;
			vma->end = end;
			vma->prot = (perms[0] == 'r' ? PROT_READ : 0) |
				    (perms[1] == 'w' ? PROT_WRITE : 0) |
				    (perms[2] == 'x' ? PROT_EXEC : 0);
			vma->shared = perms[3] == 's';
			vma->file = inode != 0;
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

int pasid_vma_find(int maps_fd, uint64_t addr, struct pasid_vma *vma)
{
	int rc;

	if (maps_fd >= 0 && !__atomic_load_n(&no_procmap_query, __ATOMIC_RELAXED)) {
		rc = vma_query(maps_fd, addr, vma);
		if (rc != -ENOTTY && rc != -EINVAL)
			return rc;
		__atomic_store_n(&no_procmap_query, true, __ATOMIC_RELAXED);
	}
	return vma_parse(addr, vma);
}
