// SPDX-License-Identifier: MIT
/*
 * The vfio platform driving sim's DSA in process (SVART_VFIO_SIM=1): discovery through the
 * VFIO cdevs' config space, the nested-IOAS PASID binding, BAR0 programming and BAR2 portals.
 * Results are checked against hand-computed values and the CRC-32C check value; the device's
 * own state (sim's API, not the runtime's) shows what the runtime programmed and how many
 * descriptors reached each WQ.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "svart.h"
#include "sim/sim_platform.h"
#include "tests/t_helpers.h"

#define PASID 0x5a7 /* RT_BIND_PASID */

static uint64_t wq_submitted(struct sim_accel_dev *dev, unsigned int w)
{
	struct sim_wq_stats st;

	sim_wq_stats(sim_accel_wq_find(dev, w), &st);
	return st.submitted;
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_VFIO,
				    .cpu_threshold = 1 };
	struct svart_stats st = { .size = sizeof(st) };
	struct sim_accel_dev *dev;
	struct svart_ctx *ctx;
	size_t n = 4 << 20, mis;
	struct sim_wq_cfg wc;
	uint64_t before;
	char *a, *b, *c;
	uint32_t crc;
	int ret;

	setenv("SVART_VFIO_SIM", "1", 1);
	setenv("SVART_VFIO_WQS", "2", 1);
	/* The default platform: dsa0 (a shared and a dedicated WQ, enabled) and iax1. */
	unsetenv("SVART_SIM_CONFIG");
	unsetenv("SVART_DEVICES");

	/* A bad knob is explained, not guessed at. */
	setenv("SVART_VFIO_WQS", "0", 1);
	ret = svart_ctx_create(&o, &ctx);
	T_EQ(ret, -EINVAL);
	setenv("SVART_VFIO_WQS", "2", 1);

	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		fprintf(stderr, "ctx: %s\n", svart_strerror(ret));
		return 1;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	T_EQ(svart_ctx_platform(ctx), SVART_PLATFORM_VFIO);
	T_CHECK(strstr(svart_ctx_describe(ctx), "2 DSA and 2 IAA"));

	/* What the runtime programmed, seen from the device: dedicated WQs at svart's PASID. */
	dev = sim_platform_dev_by_vfio(0);
	T_CHECK(dev != NULL);
	if (!dev)
		return t_done("rt_vfio");
	T_CHECK(sim_accel_dev_enabled(dev));
	for (unsigned int w = 0; w < 2; w++) {
		sim_wq_config_get(sim_accel_wq_find(dev, w), &wc);
		T_EQ(wc.mode, SIM_WQ_DEDICATED);
		T_EQ(wc.size, 64); /* WQCAP.total_wq_size 128 / 2 */
		T_CHECK(wc.pasid_en);
		T_EQ(wc.pasid, PASID);
		T_EQ(wc.group_id, 0);
		T_EQ(sim_wq_state(sim_accel_wq_find(dev, w)), SIM_WQ_STATE_ENABLED);
	}
	sim_wq_config_get(sim_accel_wq_find(dev, 2), &wc);
	T_EQ(wc.size, 0);
	for (unsigned int e = 0; e < sim_accel_dev_nr_engines(dev); e++)
		T_EQ(sim_engine_group(dev, e), 0);
	before = wq_submitted(dev, 0) + wq_submitted(dev, 1);

	/* Source written by the CPU; destination never touched: the device faults it in. */
	a = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(a != MAP_FAILED && b != MAP_FAILED && c != MAP_FAILED);
	for (size_t i = 0; i < n; i++)
		a[i] = (char)(i * 7 + 3);
	T_RET(0, svart_memmove(ctx, b, a, n));
	for (size_t i = 0; i < n; i += 4093)
		if (b[i] != (char)(i * 7 + 3)) {
			T_EQ(b[i], (char)(i * 7 + 3));
			break;
		}
	T_CHECK(!memcmp(a, b, n));
	T_EQ(svart_memcmp(ctx, a, b, n, &mis), 0);
	b[n - 12345] ^= 1;
	T_EQ(svart_memcmp(ctx, a, b, n, &mis), 1);
	T_EQ(mis, n - 12345);
	/* An untouched source reads as zeros through the device too. */
	T_RET(0, svart_memfill(ctx, b, 0x0807060504030201ull, 1000));
	T_EQ(b[0], 1);
	T_EQ(b[7], 8);
	T_EQ(b[999], 8);
	T_RET(0, svart_memmove(ctx, b, c, 8192));
	T_EQ(b[0], 0);
	T_EQ(b[8191], 0);
	T_RET(0, svart_crc32c(ctx, "123456789", 9, 0, &crc));
	T_EQ(crc, 0xE3069283u);

	svart_ctx_stats(ctx, &st);
	printf("sim ops %llu cpu ops %llu descs %llu faults %llu page requests %llu "
	       "fallbacks %llu\n",
	       (unsigned long long)st.path[SVART_PATH_SIM].ops,
	       (unsigned long long)st.path[SVART_PATH_CPU].ops, (unsigned long long)st.descriptors,
	       (unsigned long long)st.page_faults, (unsigned long long)st.page_requests,
	       (unsigned long long)st.cpu_fallbacks);
	/* sim did the work: the sim path, as the idxd platform reports under `svart sim`. */
	T_CHECK(st.path[SVART_PATH_SIM].ops >= 6);
	T_EQ(st.path[SVART_PATH_DEVICE].ops, 0);
	T_EQ(st.path[SVART_PATH_CPU].ops, 0);
	T_EQ(st.cpu_fallbacks, 0);
	T_EQ(st.errors, 0);
	/* Untouched pages were resolved through the nested IOAS: page requests or partials. */
	T_CHECK(st.page_faults + st.page_requests > 0);
	/* Every descriptor the runtime counted arrived at one of the two WQs. */
	T_EQ(wq_submitted(dev, 0) + wq_submitted(dev, 1) - before, st.descriptors);

	svart_ctx_destroy(ctx);
	munmap(a, n);
	munmap(b, n);
	munmap(c, n);

	/*
	 * The last close disabled the device and unbound it: it can be taken again. This time
	 * with block-on-fault and no prefaulting, so the device's page requests for untouched
	 * memory go through the nested HWPT's fault queue and are answered by the runtime.
	 */
	setenv("SVART_BLOCK_ON_FAULT", "1", 1);
	o.flags = SVART_CTX_NO_PREFAULT;
	ret = svart_ctx_create(&o, &ctx);
	T_EQ(ret, 0);
	if (!ret) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		b = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		T_RET(0, svart_memfill(ctx, a, 0x5a5a5a5a5a5a5a5aull, 1 << 20));
		T_RET(0, svart_memmove(ctx, b, a, 1 << 20));
		T_EQ(b[0], 0x5a);
		T_EQ(b[(1 << 20) - 1], 0x5a);
		T_EQ(svart_memcmp(ctx, a, b, 1 << 20, &mis), 0);
		svart_ctx_stats(ctx, &st);
		printf("BOF: descs %llu faults %llu page requests %llu fallbacks %llu\n",
		       (unsigned long long)st.descriptors, (unsigned long long)st.page_faults,
		       (unsigned long long)st.page_requests, (unsigned long long)st.cpu_fallbacks);
		T_CHECK(st.page_requests > 0);
		T_EQ(st.cpu_fallbacks, 0);
		svart_ctx_destroy(ctx);
		munmap(a, 1 << 20);
		munmap(b, 1 << 20);
	}
	return t_done("rt_vfio");
}
