// SPDX-License-Identifier: MIT
/*
 * A plain svart application: only svart.h and the shared libsvart. It opens a context on the
 * platform $SVART_PLATFORM names, prints svart_ctx_describe(), runs the DSA operations as
 * jobs with cpu_threshold 1 and checks each result against a reference computed here
 * (bitwise CRC-32C and CRC-16/T10-DIF, byte loops), and that the device path ran them:
 * SVART_PATH_SIM on sim and on idxd under `svart sim --` (SVART_SIM set), SVART_PATH_DEVICE
 * on a real idxd or vfio host.
 *
 * tests/rt_idxd.sh runs it under `svart sim --` with SVART_PLATFORM=idxd and several sim
 * configurations; ctest rt_client_sim runs it in process with SVART_PLATFORM=sim.
 *
 * Options:
 *   --faults=partial|none|any  never-touched destinations must (partial) or must not (none,
 *                              block on fault) end in partial completions resolved by svart
 *   --create=ENODEV            svart_ctx_create() must fail with -ENODEV (nothing else runs)
 *   --disable=wqX.Y            unbind that WQ from the user driver halfway (the idxd sysfs),
 *                              then run everything again: results must stay exact
 *   --min-wqs=N                describe() must say N or more work queues in total
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svart.h"
#include "t_helpers.h"

#define PAGE 4096u

static enum svart_path want_path;
static unsigned long long faults_seen;

/* CRC-32C (Castagnoli), reflected, init and xorout ~0: the RFC 3720 definition, bit by bit. */
static uint32_t ref_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & -(c & 1));
	}
	return ~c;
}

/* CRC-16/T10-DIF: poly 0x8BB7, init 0, MSB first, no xorout (the DIF guard). */
static uint16_t ref_crc16_t10(const uint8_t *p, size_t n)
{
	uint16_t c = 0;

	while (n--) {
		c ^= (uint16_t)(*p++ << 8);
		for (int k = 0; k < 8; k++)
			c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x8BB7 : c << 1);
	}
	return c;
}

static void *fresh(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(T_EXIT_FAIL);
	}
	return p;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + (i >> 9));
}

/* Submit a prepared job, wait, check it finished with @status on the expected path. */
static const struct svart_result *run(struct svart_job *job, int prep, const char *what, int status)
{
	const struct svart_result *r;
	int ret;

	if (prep) {
		fprintf(stderr, "%s: prep: %s\n", what, svart_strerror(prep));
		t_failures++;
		return NULL;
	}
	ret = svart_submit(job);
	if (!ret)
		ret = svart_wait(job, 10LL * 1000 * 1000 * 1000);
	if (ret) {
		fprintf(stderr, "%s: %s\n", what, svart_strerror(ret));
		t_failures++;
		return NULL;
	}
	r = svart_job_result(job);
	t_checks++;
	if (r->status != status || r->path != want_path || !r->descriptors) {
		fprintf(stderr,
			"%s: status %d (%s) path %d descriptors %u, expected status %d path %d\n",
			what, r->status, svart_strerror(r->status), r->path, r->descriptors, status,
			want_path);
		t_failures++;
	}
	faults_seen += r->page_faults;
	return r;
}

static void mem_ops(struct svart_job *job)
{
	size_t n = 1u << 20;
	uint8_t *src = fresh(n), *dst = fresh(n), *d2 = fresh(n);
	const struct svart_result *r;

	fill(src, n, 7);
	/* dst and d2 are never touched before the device writes them. */
	r = run(job, svart_prep_memmove(job, dst, src, n), "memmove", 0);
	T_CHECK(!memcmp(dst, src, n));
	/* Overlapping, towards higher addresses: the descending copy. */
	run(job, svart_prep_memmove(job, dst + 100, dst, 8192), "memmove overlap", 0);
	T_CHECK(!memcmp(dst + 100, src, 8192));
	T_CHECK(!memcmp(dst, src, 100));

	r = run(job, svart_prep_memfill(job, d2, 0x0807060504030201ull, n - 3), "memfill", 0);
	for (size_t i = 0; i < n - 3; i += 4093)
		T_EQ(d2[i], i % 8 + 1);
	T_EQ(d2[n - 4], (n - 4) % 8 + 1);
	T_EQ(d2[n - 3], 0);

	memcpy(dst, src, n);
	r = run(job, svart_prep_memcmp(job, src, dst, n), "memcmp equal", 0);
	if (r)
		T_EQ(r->result, 0);
	dst[654321] ^= 0x10;
	r = run(job, svart_prep_memcmp(job, src, dst, n), "memcmp different", 0);
	if (r) {
		T_EQ(r->result, 1);
		T_EQ(r->value, 654321);
	}

	r = run(job, svart_prep_crc32c(job, "123456789", 9, 0), "crc32c check value", 0);
	if (r)
		T_EQ(r->value, 0xE3069283u);
	r = run(job, svart_prep_crc32c(job, src, n, 0), "crc32c 1 MiB", 0);
	if (r)
		T_EQ(r->value, ref_crc32c(src, n));

	/* Page-aligned destinations share address bits 11:0, as the device requires. */
	memset(dst, 0, n);
	memset(d2, 0, n);
	run(job, svart_prep_dualcast(job, dst, d2, src, 65536), "dualcast", 0);
	T_CHECK(!memcmp(dst, src, 65536) && !memcmp(d2, src, 65536));
	T_EQ(dst[65536], 0);
	munmap(src, n);
	munmap(dst, n);
	munmap(d2, n);
}

static void delta_ops(struct svart_job *job)
{
	size_t n = 65536, max = 4096;
	uint8_t *orig = fresh(n), *mod = fresh(n), *rec = fresh(max), *out = fresh(n);
	static const size_t words[] = { 0, 17, 4095, 8191 };
	const struct svart_result *r;
	size_t len = 0;

	fill(orig, n, 3);
	memcpy(mod, orig, n);
	for (unsigned int i = 0; i < 4; i++)
		mod[words[i] * 8 + 5] ^= 0xa5;
	r = run(job, svart_prep_delta_create(job, orig, mod, n, rec, max), "delta create", 0);
	if (r) {
		/* One 10-byte entry per changed 8-byte word: u16 index, then the new word. */
		len = r->value;
		T_EQ(len, 4 * 10);
		for (unsigned int i = 0; i < 4 && len == 40; i++) {
			T_EQ(rec[10 * i] | rec[10 * i + 1] << 8, words[i]);
			T_CHECK(!memcmp(rec + 10 * i + 2, mod + words[i] * 8, 8));
		}
	}
	memcpy(out, orig, n);
	run(job, svart_prep_delta_apply(job, out, n, rec, len), "delta apply", 0);
	T_CHECK(!memcmp(out, mod, n));
	munmap(orig, n);
	munmap(mod, n);
	munmap(rec, max);
	munmap(out, n);
}

static void dif_ops(struct svart_job *job)
{
	const struct svart_dif dif = { .block_size = 512, .ref_tag = 0x1000, .app_tag = 0x4242 };
	size_t nb = 16, n = nb * 512, pn = nb * 520;
	uint8_t *data = fresh(n), *prot = fresh(pn), *back = fresh(n);
	const struct svart_result *r;

	fill(data, n, 11);
	run(job, svart_prep_dif_insert(job, prot, data, n, &dif), "dif insert", 0);
	for (size_t b = 0; b < nb; b++) {
		const uint8_t *blk = prot + b * 520, *t = blk + 512;

		/* Tuple: guard, application tag (big-endian 16), reference tag (big-endian 32). */
		T_CHECK(!memcmp(blk, data + b * 512, 512));
		T_EQ(t[0] << 8 | t[1], ref_crc16_t10(data + b * 512, 512));
		T_EQ(t[2] << 8 | t[3], 0x4242);
		T_EQ((uint32_t)t[4] << 24 | t[5] << 16 | t[6] << 8 | t[7], 0x1000 + b);
	}
	run(job, svart_prep_dif_check(job, prot, pn, &dif), "dif check", 0);
	run(job, svart_prep_dif_strip(job, back, prot, pn, &dif), "dif strip", 0);
	T_CHECK(!memcmp(back, data, n));
	/* A corrupted block 5 fails its guard: DIF_ERR from the device, block 5 reported. */
	prot[5 * 520 + 100] ^= 1;
	r = run(job, svart_prep_dif_check(job, prot, pn, &dif), "dif check corrupt",
		-SVART_EDSA(0x09));
	if (r)
		T_EQ(r->value, 5);
	munmap(data, n);
	munmap(prot, pn);
	munmap(back, n);
}

/* disable-wq from inside the process: what `accel-config disable-wq` writes. */
static int unbind_wq(const char *wq)
{
	int fd = open("/sys/bus/dsa/drivers/user/unbind", O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, wq, strlen(wq));
	w = w < 0 ? -errno : 0;
	close(fd);
	return (int)w;
}

/* A batch of copies: one BATCH descriptor where the WQ takes it, else one job each. */
static void batch_ops(struct svart_ctx *ctx)
{
	enum { NJ = 8, SZ = 4096 };
	uint8_t *src = fresh(NJ * SZ), *dst = fresh(NJ * SZ);
	struct svart_job *jobs[NJ] = { 0 };
	struct svart_batch *b = NULL;

	fill(src, NJ * SZ, 5);
	memset(dst, 0, NJ * SZ);
	T_RET(0, svart_batch_alloc(ctx, NJ, &b));
	for (unsigned int i = 0; b && i < NJ; i++) {
		T_RET(0, svart_job_alloc(ctx, &jobs[i]));
		if (!jobs[i])
			break;
		T_RET(0, svart_prep_memmove(jobs[i], dst + i * SZ, src + i * SZ, SZ - i));
		T_RET(0, svart_batch_add(b, jobs[i]));
	}
	if (b) {
		T_RET(0, svart_batch_submit(b));
		T_RET(0, svart_batch_wait(b, 10LL * 1000 * 1000 * 1000));
	}
	for (unsigned int i = 0; i < NJ && jobs[i]; i++) {
		const struct svart_result *r = svart_job_result(jobs[i]);

		T_EQ(r->status, 0);
		T_EQ(r->path, want_path);
		T_CHECK(!memcmp(dst + i * SZ, src + i * SZ, SZ - i));
		T_CHECK(i == 0 || dst[i * SZ + SZ - i] == 0);
	}
	svart_batch_free(b);
	for (unsigned int i = 0; i < NJ; i++)
		svart_job_free(jobs[i]);
	munmap(src, NJ * SZ);
	munmap(dst, NJ * SZ);
}

static void run_all(struct svart_ctx *ctx, const char *faults)
{
	struct svart_stats st = { .size = sizeof(st) };
	struct svart_job *job;

	T_RET(0, svart_job_alloc(ctx, &job));
	faults_seen = 0;
	mem_ops(job);
	delta_ops(job);
	dif_ops(job);
	svart_job_free(job);
	batch_ops(ctx);
	T_RET(0, svart_ctx_stats(ctx, &st));
	printf("%s ops %llu, cpu ops %llu, descriptors %llu, partial completions %llu, "
	       "fallbacks %llu, errors %llu\n",
	       svart_platform_name(svart_ctx_platform(ctx)),
	       (unsigned long long)st.path[want_path].ops,
	       (unsigned long long)st.path[SVART_PATH_CPU].ops, (unsigned long long)st.descriptors,
	       faults_seen, (unsigned long long)st.cpu_fallbacks, (unsigned long long)st.errors);
	/* Every operation ran on the device: none fell back to the CPU. */
	T_EQ(st.cpu_fallbacks, 0);
	T_EQ(st.path[SVART_PATH_CPU].ops, 0);
	if (!strcmp(faults, "partial"))
		T_CHECK(faults_seen > 0);
	else if (!strcmp(faults, "none"))
		T_EQ(faults_seen, 0);
}

int main(int argc, char **argv)
{
	struct svart_ctx_opts o = { .size = sizeof(o), .cpu_threshold = 1 };
	const char *faults = "any", *create = NULL, *disable = NULL;
	unsigned int min_wqs = 1;
	struct svart_ctx *ctx;
	enum svart_platform plat;
	const char *why, *p;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--faults=", 9))
			faults = argv[i] + 9;
		else if (!strncmp(argv[i], "--create=", 9))
			create = argv[i] + 9;
		else if (!strncmp(argv[i], "--disable=", 10))
			disable = argv[i] + 10;
		else if (!strncmp(argv[i], "--min-wqs=", 10))
			min_wqs = (unsigned int)strtoul(argv[i] + 10, NULL, 10);
		else {
			fprintf(stderr, "rt_client: unknown option %s\n", argv[i]);
			return T_EXIT_FAIL;
		}
	}
	ret = svart_ctx_create(&o, &ctx);
	if (create) {
		printf("svart_ctx_create: %s\n", svart_strerror(ret));
		if (!ret)
			svart_ctx_destroy(ctx);
		T_EQ(ret, !strcmp(create, "ENODEV") ? -ENODEV : 0);
		return t_done("rt_client");
	}
	if (ret) {
		fprintf(stderr, "svart_ctx_create: %s\n", svart_strerror(ret));
		return T_EXIT_FAIL;
	}
	why = svart_ctx_describe(ctx);
	printf("%s\n", why);
	plat = svart_ctx_platform(ctx);
	if (plat == SVART_PLATFORM_SIM || getenv("SVART_SIM"))
		want_path = SVART_PATH_SIM;
	else if (plat == SVART_PLATFORM_CPU)
		want_path = SVART_PATH_CPU;
	else
		want_path = SVART_PATH_DEVICE;
	/* "... with D DSA and I IAA work queues." */
	p = strstr(why, " with ");
	if (p) {
		unsigned int d = 0, a = 0;

		T_EQ(sscanf(p, " with %u DSA and %u IAA", &d, &a), 2);
		T_CHECK(d + a >= min_wqs);
		T_CHECK(d >= 1);
	} else {
		T_CHECK(!"describe() names the work queues");
	}

	run_all(ctx, faults);
	if (disable) {
		ret = unbind_wq(disable);
		printf("disable-wq %s: %s\n", disable, svart_strerror(ret));
		T_EQ(ret, 0);
		/* The WQ is gone under the open file: writes fail, the other WQs take over. */
		run_all(ctx, faults);
	}
	svart_ctx_destroy(ctx);
	return t_done("rt_client");
}
