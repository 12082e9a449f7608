// SPDX-License-Identifier: MIT
/*
 * Page faults through the runtime on the sim platform (device faults, partial completions,
 * resume): never-touched anonymous memory as source and destination, prefaulting ahead,
 * addresses that are really invalid (PROT_NONE, never mapped, read-only destination: -EFAULT,
 * quickly), and a destination unmapped by another thread while a large move runs (0 or
 * -EFAULT, never a crash). An alarm() watchdog turns a hang into a failure.
 * References: a bitwise CRC-32C built here, memcmp, and a pattern written through a memfd
 * (so the source has known contents without this process ever touching its mapping).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "svart.h"
#include "tests/t_helpers.h"
#include "tests/t_ref.h"

#define MIB (1u << 20)

static struct svart_ctx *ctx;

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 12) * 7 + 1);
}

/*
 * Fresh anonymous memory followed by a PROT_NONE page: without it the kernel merges
 * neighbouring mappings into one VMA, and the device's binding, which maps what a fault
 * resolves by VMA window, could make a fresh buffer present through its neighbour's fault.
 */
static void *anon(size_t n)
{
	uint8_t *p =
		mmap(NULL, n + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + n, 4096, PROT_NONE);
	return p;
}

static void unanon(void *p, size_t n)
{
	munmap(p, n + 4096);
}

/* A mapping of @n bytes of pattern this process has never touched through the mapping. */
static void *memfd_pattern(size_t n)
{
	size_t chunk = 64 << 10;
	uint8_t *buf = malloc(chunk);
	int fd = memfd_create("rt_faults", 0);
	void *p = NULL;

	if (fd < 0 || !buf)
		goto out;
	for (size_t off = 0; off < n; off += chunk) {
		for (size_t i = 0; i < chunk; i++)
			buf[i] = pat(off + i);
		if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
			goto out;
	}
	p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		p = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return p;
}

static struct svart_stats stats(void)
{
	struct svart_stats st = { .size = sizeof(st) };

	svart_ctx_stats(ctx, &st);
	return st;
}

static bool all_pattern(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i))
			return false;
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- never-touched memory ----------------------------------------------------------------- */

static void test_untouched(size_t n)
{
	uint8_t *src = memfd_pattern(n), *dst = anon(n), *z1 = anon(n), *z2 = anon(n);
	struct svart_stats before, after;
	size_t mis = 0;
	uint32_t crc = 0;

	T_CHECK(src && dst && z1 && z2);
	if (!src || !dst || !z1 || !z2)
		return;

	/* memmove: the device faults on both sides and resumes until done. */
	before = stats();
	T_RET(0, svart_memmove(ctx, dst, src, n));
	after = stats();
	T_CHECK(after.page_faults > before.page_faults);
	T_EQ(after.errors, before.errors);
	T_CHECK(all_pattern(dst, n));

	/* crc32c over untouched zeros, and over the untouched pattern. */
	before = stats();
	T_RET(0, svart_crc32c(ctx, z1, n, 0, &crc));
	after = stats();
	T_CHECK(after.page_faults > before.page_faults);
	T_EQ(crc, t_crc32c(z1, n, 0)); /* z1 reads as zeros; touching it now is fine */

	/* memcmp: two untouched buffers are equal; the pattern differs from zeros at 0. */
	before = stats();
	T_EQ(svart_memcmp(ctx, z2, z1 + 0, n, &mis), 0);
	T_EQ(mis, n);
	after = stats();
	T_CHECK(after.page_faults > before.page_faults);
	T_EQ(svart_memcmp(ctx, src, dst, n, &mis), 0);
	T_EQ(mis, n);
	dst[n - 3] ^= 0x40;
	T_EQ(svart_memcmp(ctx, src, dst, n, &mis), 1);
	T_EQ(mis, n - 3);
	printf("%zu MiB untouched: %llu page faults resolved in the last memcmp set\n", n / MIB,
	       (unsigned long long)(after.page_faults - before.page_faults));

	munmap(src, n);
	unanon(dst, n);
	unanon(z1, n);
	unanon(z2, n);
}

/* svart_as_prefault() first: the device finds everything present. */
static void test_prefault(size_t n)
{
	uint8_t *src = memfd_pattern(n), *dst = anon(n);
	struct svart_stats before, after;

	T_CHECK(src && dst);
	if (!src || !dst)
		return;
	T_RET(0, svart_as_prefault(ctx, src, n, 0));
	T_RET(0, svart_as_prefault(ctx, dst, n, 1));
	before = stats();
	T_RET(0, svart_memmove(ctx, dst, src, n));
	after = stats();
	T_EQ(after.page_faults, before.page_faults);
	T_EQ(after.path[SVART_PATH_CPU].ops, before.path[SVART_PATH_CPU].ops);
	T_CHECK(all_pattern(dst, n));
	/* A read-only mapping cannot be prefaulted for writing. */
	T_RET(EFAULT, svart_as_prefault(ctx, src, n, 1));
	munmap(src, n);
	unanon(dst, n);
}

/* ---- invalid addresses -------------------------------------------------------------------- */

static void test_invalid(void)
{
	size_t n = 4 * MIB;
	uint8_t *good = anon(n), *none = anon(n), *gone = anon(n), *ro = memfd_pattern(n);
	uint8_t *half = anon(2 * n);
	struct svart_job *job;
	size_t mis;
	uint32_t crc;

	T_CHECK(good && none && gone && ro && half);
	if (!good || !none || !gone || !ro || !half)
		return;
	memset(good, 0x11, n);
	mprotect(none, n, PROT_NONE);
	munmap(gone, n + 4096);
	munmap(half + n, n); /* a buffer whose second half is not mapped */

	T_RET(EFAULT, svart_memmove(ctx, good, none, n));
	T_RET(EFAULT, svart_memmove(ctx, none, good, n));
	T_RET(EFAULT, svart_memmove(ctx, good, gone, n));
	T_RET(EFAULT, svart_memmove(ctx, gone, good, n));
	T_RET(EFAULT, svart_memmove(ctx, half, good, 2 * n));
	T_RET(EFAULT, svart_memmove(ctx, ro, good, n)); /* read-only destination */
	T_RET(EFAULT, svart_crc32c(ctx, none, n, 0, &crc));
	T_RET(EFAULT, svart_crc32c(ctx, gone, n, 0, &crc));
	T_RET(EFAULT, svart_memcmp(ctx, good, gone, n, &mis));
	T_RET(EFAULT, svart_memfill(ctx, ro, 0, n));
	T_CHECK(all_pattern(ro, n)); /* nothing written */
	T_CHECK(!mprotect(none, n, PROT_READ));
	T_CHECK(all_zero(none, n)); /* nor into the PROT_NONE destination */
	/* The same through a job: the error is the job's result. */
	T_RET(0, svart_job_alloc(ctx, &job));
	T_RET(0, svart_prep_memmove(job, good, gone, n));
	T_RET(0, svart_submit(job));
	T_RET(0, svart_wait(job, -1));
	T_EQ(svart_job_result(job)->status, -EFAULT);
	svart_job_free(job);
	/* And the context still works afterwards. */
	T_RET(0, svart_memmove(ctx, half, good, n));
	T_CHECK(!memcmp(half, good, n));

	unanon(good, n);
	unanon(none, n);
	munmap(ro, n);
	munmap(half, 2 * n + 4096);
}

/* The CPU path (CPU platform; small operations on sim) answers -EFAULT too, never SIGSEGV. */
static void test_cpu_probe(void)
{
	struct svart_ctx_opts co = { .size = sizeof(co), .platform = SVART_PLATFORM_CPU };
	struct svart_ctx_opts so = { .size = sizeof(so), .platform = SVART_PLATFORM_SIM };
	struct svart_ctx *c[2] = { NULL, NULL };
	size_t n = 64 << 10;
	uint8_t *good = anon(n), *none = anon(n), *ro = memfd_pattern(n);
	uint32_t crc;

	T_CHECK(good && none && ro);
	T_RET(0, svart_ctx_create(&co, &c[0]));
	T_RET(0, svart_ctx_create(&so, &c[1])); /* default threshold: 100 bytes run on the CPU */
	if (!good || !none || !ro || !c[0] || !c[1])
		return;
	memset(good, 0x22, n);
	mprotect(none, n, PROT_NONE);
	for (int i = 0; i < 2; i++) {
		struct svart_stats st = { .size = sizeof(st) };
		size_t len = i ? 100 : n;

		T_RET(EFAULT, svart_memmove(c[i], good, none, len));
		T_RET(EFAULT, svart_memmove(c[i], ro, good, len));
		T_RET(EFAULT, svart_crc32c(c[i], none, len, 0, &crc));
		T_RET(EFAULT, svart_memfill(c[i], ro, 0, len));
		T_RET(0, svart_memmove(c[i], good + len / 2, good, len / 2));
		svart_ctx_stats(c[i], &st);
		T_EQ(st.path[SVART_PATH_CPU].ops, 5);
		T_EQ(st.errors, 4);
	}
	T_CHECK(all_pattern(ro, n));
	svart_ctx_destroy(c[0]);
	svart_ctx_destroy(c[1]);
	unanon(good, n);
	unanon(none, n);
	munmap(ro, n);
}

/* ---- unmapped mid-operation --------------------------------------------------------------- */

struct unmapper {
	void *addr;
	size_t len;
	long delay_us;
};

static void *unmap_fn(void *arg)
{
	struct unmapper *u = arg;
	struct timespec ts = { 0, u->delay_us * 1000 };

	nanosleep(&ts, NULL);
	munmap(u->addr, u->len);
	return NULL;
}

static void test_unmap_race(void)
{
	size_t n = 32 * MIB;
	uint8_t *src = anon(n);
	unsigned int ok = 0, efault = 0;

	T_CHECK(src != NULL);
	if (!src)
		return;
	memset(src, 0x3c, n);
	for (int i = 0; i < 11; i++) {
		struct unmapper u = { anon(n), n + 4096, 150l << i };
		pthread_t th;
		int ret;

		T_CHECK(u.addr != NULL);
		if (!u.addr)
			break;
		T_RET(0, pthread_create(&th, NULL, unmap_fn, &u));
		ret = svart_memmove(ctx, u.addr, src, n);
		pthread_join(th, NULL);
		T_CHECK(ret == 0 || ret == -EFAULT);
		ok += ret == 0;
		efault += ret == -EFAULT;
		/* The device must not reach the old range any more. */
		svart_as_invalidate(ctx, u.addr, n);
	}
	printf("unmapped mid-move: %u finished first, %u -EFAULT\n", ok, efault);
	unanon(src, n);
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	int ret;

	/* A hang anywhere below kills the test (SIGALRM's default action): a failure. */
	alarm(60);
	t_crc32c_init();
	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		fprintf(stderr, "svart_ctx_create: %s\n", svart_strerror(ret));
		return T_EXIT_FAIL;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	test_untouched(1 * MIB);
	test_untouched(8 * MIB);
	test_untouched(64 * MIB);
	test_prefault(16 * MIB);
	test_invalid();
	test_cpu_probe();
	test_unmap_race();
	svart_ctx_destroy(ctx);
	return t_done("rt_faults");
}
