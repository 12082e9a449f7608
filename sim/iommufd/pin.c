// SPDX-License-Identifier: MIT
/*
 * Page pins, as the kernel's pages.c keeps them and as IOMMU_TEST_OP_MD_CHECK_REFS sees them.
 *
 * The kernel pins each page of an iopt_pages once while anything needs it: a domain the pages
 * are mapped into (through any area sharing the pages) or an access that pinned them. The
 * selftest reads that back as page_ref_count() / GUP_PIN_COUNTING_BIAS, per physical page, so
 * two IOAS_MAPs of one buffer are two pins and an IOAS_COPY of it is still one.
 *
 * sim does not lock pages, so it keeps the same count in a table keyed by the page frame the
 * pinned virtual page was backed by when it was pinned (read from /proc/self/pagemap, which
 * shows frame numbers to CAP_SYS_ADMIN). Without the privilege the key is the virtual page,
 * which is exact unless one page is mapped at two addresses (memfd maps).
 *
 * /proc/self/pagemap is opened per call, never cached: a descriptor kept across fork() would
 * go on describing the parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/iommufd/iommufd_private.h"

#define SIM_PM_PRESENT (1ULL << 63)
#define SIM_PM_PFN_MASK ((1ULL << 55) - 1)
/* Keys made from a virtual page number have the top bit set: no frame number does. */
#define SIM_PIN_KEY_VA (1ULL << 63)

struct sim_pin_slot {
	uint64_t key; /* 0: empty */
	uint32_t count;
};

static struct sim_pin_slot *sim_pin_table;
static size_t sim_pin_cap, sim_pin_used;
static pthread_mutex_t sim_pin_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t sim_pin_hash(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key & (cap - 1);
}

/* Slot of @key, or the empty slot where it would go. sim_pin_lock held, table not empty. */
static struct sim_pin_slot *sim_pin_find(uint64_t key)
{
	size_t i = sim_pin_hash(key, sim_pin_cap);

	while (sim_pin_table[i].key && sim_pin_table[i].key != key)
		i = (i + 1) & (sim_pin_cap - 1);
	return &sim_pin_table[i];
}

/*
 * Grows the table so @more new keys fit at a load of at most 1/2. Slots whose count dropped
 * to 0 are dropped here; they are never removed in place, which keeps probing simple.
 */
static int sim_pin_reserve(size_t more)
{
	struct sim_pin_slot *old = sim_pin_table;
	size_t old_cap = sim_pin_cap, cap = sim_pin_cap ? sim_pin_cap : 256;

	if ((sim_pin_used + more) * 2 <= sim_pin_cap)
		return 0;
	while ((sim_pin_used + more) * 2 > cap)
		cap *= 2;
	sim_pin_table = calloc(cap, sizeof(*sim_pin_table));
	if (!sim_pin_table) {
		sim_pin_table = old;
		return -ENOMEM;
	}
	sim_pin_cap = cap;
	sim_pin_used = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key || !old[i].count)
			continue;
		*sim_pin_find(old[i].key) = old[i];
		sim_pin_used++;
	}
	free(old);
	return 0;
}

/*
 * The keys of the @n pages starting at page-aligned @va. Pages must be populated (the caller
 * checked them with MADV_POPULATE_*), or a key falls back to the virtual page.
 */
static void sim_pin_keys(uintptr_t va, size_t n, uint64_t *keys)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t done = 0;

	while (fd >= 0 && done < n) {
		uint64_t ent[64];
		size_t chunk = n - done < 64 ? n - done : 64;
		off_t off = (off_t)((va / SIM_PAGE_SIZE + done) * sizeof(uint64_t));
		ssize_t got = pread(fd, ent, chunk * sizeof(uint64_t), off);

		if (got <= 0)
			break;
		chunk = (size_t)got / sizeof(uint64_t);
		for (size_t i = 0; i < chunk; i++) {
			uint64_t pfn = ent[i] & SIM_PM_PFN_MASK;

			keys[done + i] = (ent[i] & SIM_PM_PRESENT) && pfn ? pfn : 0;
		}
		done += chunk;
	}
	for (; done < n; done++)
		keys[done] = 0;
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < n; i++)
		if (!keys[i])
			keys[i] = SIM_PIN_KEY_VA | (va / SIM_PAGE_SIZE + i);
}

int sim_pages_pin(struct sim_iopt_pages *pages, size_t first, size_t last)
{
	size_t npages = (pages->length + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE, more = 0;
	uint64_t *keys;
	int rc = 0;

	if (last < first || last >= npages)
		return -EINVAL;
	keys = malloc((last - first + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* Read outside the lock: the frames are the caller's, pinned or not. */
	sim_pin_keys(pages->uptr + first * SIM_PAGE_SIZE, last - first + 1, keys);

	pthread_mutex_lock(&sim_pin_lock);
	if (!pages->pin_users) {
		pages->pin_users = calloc(npages, sizeof(*pages->pin_users));
		pages->pin_keys = calloc(npages, sizeof(*pages->pin_keys));
		if (!pages->pin_users || !pages->pin_keys) {
			free(pages->pin_users);
			free(pages->pin_keys);
			pages->pin_users = NULL;
			pages->pin_keys = NULL;
			rc = -ENOMEM;
			goto out_unlock;
		}
	}
	/* Room for every new key first, so the loop below cannot fail half way. */
	for (size_t i = first; i <= last; i++)
		more += !pages->pin_users[i];
	rc = sim_pin_reserve(more);
	if (rc)
		goto out_unlock;
	for (size_t i = first; i <= last; i++) {
		struct sim_pin_slot *slot;

		if (pages->pin_users[i]++)
			continue;
		pages->pin_keys[i] = keys[i - first];
		slot = sim_pin_find(pages->pin_keys[i]);
		if (!slot->key) {
			slot->key = pages->pin_keys[i];
			sim_pin_used++;
		}
		slot->count++;
	}
out_unlock:
	pthread_mutex_unlock(&sim_pin_lock);
	free(keys);
	return rc;
}

void sim_pages_unpin(struct sim_iopt_pages *pages, size_t first, size_t last)
{
	pthread_mutex_lock(&sim_pin_lock);
	for (size_t i = first; pages->pin_users && i <= last; i++) {
		struct sim_pin_slot *slot;

		if (!pages->pin_users[i] || --pages->pin_users[i])
			continue;
		slot = sim_pin_find(pages->pin_keys[i]);
		if (slot->key && slot->count)
			slot->count--;
	}
	pthread_mutex_unlock(&sim_pin_lock);
}

void sim_pages_pin_release(struct sim_iopt_pages *pages)
{
	/* Every user unpinned before the last reference went: only the arrays are left. */
	free(pages->pin_users);
	free(pages->pin_keys);
	pages->pin_users = NULL;
	pages->pin_keys = NULL;
}

int sim_pin_count(uintptr_t va, unsigned int *count)
{
	uint64_t key;
	char probe;

	/* get_user_pages_fast() of an unmapped address fails; so does this read. */
	if (sim_copy_from_user(&probe, (const void *)va, 1))
		return -EFAULT;
	sim_pin_keys(va & ~(SIM_PAGE_SIZE - 1), 1, &key);
	pthread_mutex_lock(&sim_pin_lock);
	*count = sim_pin_table ? sim_pin_find(key)->count : 0;
	pthread_mutex_unlock(&sim_pin_lock);
	return 0;
}

bool sim_same_frame(uintptr_t a, uintptr_t b)
{
	uint64_t ka, kb;

	if (a == b)
		return true;
	if ((a ^ b) & (SIM_PAGE_SIZE - 1))
		return false;
	sim_pin_keys(a & ~(SIM_PAGE_SIZE - 1), 1, &ka);
	sim_pin_keys(b & ~(SIM_PAGE_SIZE - 1), 1, &kb);
	/* Virtual keys only match for one address, handled above. */
	return ka == kb && !(ka & SIM_PIN_KEY_VA);
}

bool sim_frames_contiguous(uintptr_t va, size_t len)
{
	size_t n = len / SIM_PAGE_SIZE;
	bool ok = true;
	uint64_t *keys;

	if (!n || (va | len) % SIM_PAGE_SIZE)
		return false;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return false;
	sim_pin_keys(va, n, keys);
	/* Real frame numbers only: virtual keys say nothing about physical layout. */
	if ((keys[0] & SIM_PIN_KEY_VA) || keys[0] % n)
		ok = false;
	for (size_t i = 1; ok && i < n; i++)
		ok = keys[i] == keys[0] + i;
	free(keys);
	return ok;
}
