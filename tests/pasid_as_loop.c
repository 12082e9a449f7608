// SPDX-License-Identifier: MIT
/*
 * Bind and unbind 1000 times, with a prefault, a page request and an invalidation in each
 * round, and check that nothing accumulates: open descriptors (/proc/self/fd), heap in use
 * (mallinfo2; under ASan, whose allocator mallinfo2 does not see, LeakSanitizer checks at
 * exit instead), mappings (/proc/self/maps lines), and iommufd objects (after the last
 * unbind, DESTROY of every ID the bindings used is ENOENT).
 */
#include <dirent.h>
#include <malloc.h>

#include "pasid_as_util.h"

#define PASID 0x99u
#define ROUNDS 1000

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1; /* the DIR's own */
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static void round_trip(struct t_dev *d, uint8_t *buf, uint32_t *max_id)
{
	struct pasid_as *as;
	struct pasid_as_info info;

	T_EQ(pasid_as_bind(d->ifd, d->vfd, d->dev_id, PASID, NULL, &as), 0);
	T_EQ(pasid_as_prefault(as, buf, T_PAGE, PROT_READ | PROT_WRITE), 0);
	T_EQ(t_request(d, as, PASID, buf + T_2M, IOMMU_PGFAULT_PERM_WRITE, 1),
	     IOMMUFD_PAGE_RESP_SUCCESS);
	T_EQ(pasid_as_invalidate(as, buf, T_PAGE), 1);
	info = t_info(as);
	T_EQ(info.windows, 1);
	if (info.ioas_id > *max_id)
		*max_id = info.ioas_id;
	if (info.nested_id > *max_id)
		*max_id = info.nested_id;
	pasid_as_unbind(as);
}

int main(void)
{
	struct t_dev d;
	uint8_t *buf = t_map_aligned(2 * T_2M, T_2M, PROT_READ | PROT_WRITE);
	uint32_t max_id = 0;
	int fds, maps;
	size_t heap;

	if (t_dev_open(&d, "0000:6a:01.0", 20)) {
		T_CHECK(!"sim device");
		return t_done("pasid_as_loop");
	}
	/* Warm up: first-use allocations (sim tables, libc's opendir/stdio) are not leaks. */
	for (int i = 0; i < 20; i++)
		round_trip(&d, buf, &max_id);
	fds = count_fds();
	maps = count_maps();
	heap = mallinfo2().uordblks;
	for (int i = 0; i < ROUNDS; i++)
		round_trip(&d, buf, &max_id);
	/* 0 when ASan owns the heap; then LeakSanitizer does this job. */
	if (heap)
		T_EQ(mallinfo2().uordblks, heap);
	T_EQ(count_fds(), fds);
	/*
	 * A leaked table chunk or buffer would add a mapping per round (1000); the slack is for
	 * allocators that map more arenas as they go (ASan's does).
	 */
	T_CHECK(count_maps() <= maps + 16);
	/* IDs are reused lowest-first: a handful, all gone. */
	T_CHECK(max_id > 0 && max_id < 16);
	for (uint32_t id = 1; id <= max_id + 4; id++)
		if (id != d.dev_id)
			T_EQ(pasid_destroy(d.ifd, id), -ENOENT);
	t_dev_close(&d);
	munmap(buf, 2 * T_2M);
	return t_done("pasid_as_loop");
}
