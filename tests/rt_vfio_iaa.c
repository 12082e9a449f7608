// SPDX-License-Identifier: MIT
/*
 * IAA on the vfio platform, driving sim's IAA in process (SVART_VFIO_SIM=1): the runtime finds
 * the IAA function by its PCI ID through config space, programs dedicated WQs over BAR0 (no
 * batches, the PASID in WQCFG) and runs the IAA operations through the BAR2 portals. zlib is the
 * reference for compress and decompress, the CRC-64/XZ check value for CRC64. With
 * SVART_VFIO_XFER=4096 a 1 MiB stream takes a chain of decompress descriptors through the AECS;
 * the device's own WQ counters (sim's API, not the runtime's) show the descriptors arrived.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <zlib.h>

#include "svart.h"
#include "sim/sim_platform.h"
#include "tests/t_helpers.h"

#define PASID 0x5a7 /* RT_BIND_PASID */
#define TXT_LEN (1u << 20)

/* The IAA behind one of sim's VFIO cdevs (the default platform: dsa0 and iax1). */
static struct sim_accel_dev *find_iaa(void)
{
	for (int i = 0; i < 8; i++) {
		struct sim_accel_dev *dev = sim_platform_dev_by_vfio(i);

		if (dev && sim_accel_dev_type(dev) == &sim_accel_type_iaa)
			return dev;
	}
	return NULL;
}

static uint64_t submitted(struct sim_accel_dev *dev, unsigned int nr)
{
	uint64_t n = 0;

	for (unsigned int w = 0; w < nr; w++) {
		struct sim_wq_stats st;

		sim_wq_stats(sim_accel_wq_find(dev, w), &st);
		n += st.submitted;
	}
	return n;
}

/* Text that compresses about 3x, every line different. */
static void make_text(uint8_t *buf, size_t n)
{
	static const char *const words[] = {
		"the ",	  "device ", "stream ", "memory ", "page ",
		"queue ", "of ",     "and ",	"window ", "history "
	};
	size_t i = 0;
	unsigned int x = 12345, line = 0;

	while (i < n) {
		char tmp[32];
		int k = snprintf(tmp, sizeof(tmp), "%u: ", line++);

		for (int j = 0; j < k && i < n; j++)
			buf[i++] = (uint8_t)tmp[j];
		for (int w = 0; w < 9 && i < n; w++) {
			x = x * 1103515245u + 12345u;
			for (const char *p = words[(x >> 16) % 10]; *p && i < n; p++)
				buf[i++] = (uint8_t)*p;
		}
		if (i < n)
			buf[i++] = '\n';
	}
}

static char iaa_name[24]; /* "vfioN": the vfio platform names devices by their cdev */

static struct svart_ctx *new_ctx(int *err)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_VFIO,
				    .cpu_threshold = 1,
				    .devices = iaa_name };
	struct svart_ctx *ctx = NULL;

	*err = svart_ctx_create(&o, &ctx);
	return *err ? NULL : ctx;
}

/* zlib with a 4 KiB window: a stream the device's history covers. Return: its length. */
static size_t zlib_deflate_4k(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
	z_stream z;
	size_t out;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 12, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	out = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	deflateEnd(&z);
	return out;
}

int main(void)
{
	struct svart_stats st = { .size = sizeof(st) };
	uint8_t *txt, *comp, *out;
	size_t comp_cap = compressBound(TXT_LEN), clen, olen;
	struct sim_accel_dev *dev;
	struct svart_ctx *ctx;
	struct sim_wq_cfg wc;
	uLongf zlen;
	uint64_t crc, before;
	int ret;

	setenv("SVART_VFIO_SIM", "1", 1);
	setenv("SVART_VFIO_WQS", "2", 1);
	unsetenv("SVART_VFIO_XFER");
	unsetenv("SVART_SIM_CONFIG");
	unsetenv("SVART_DEVICES");
	unsetenv("SVART_BLOCK_ON_FAULT");

	txt = malloc(TXT_LEN);
	comp = malloc(comp_cap);
	out = malloc(TXT_LEN + 4096);
	T_CHECK(txt && comp && out);
	if (!txt || !comp || !out)
		return 1;
	make_text(txt, TXT_LEN);
	/* Power sim on first (the platform takes its own reference) to learn the IAA's cdev. */
	ret = sim_platform_get();
	if (ret) {
		fprintf(stderr, "sim platform: %s\n", sim_accel_platform_error());
		return 1;
	}
	dev = find_iaa();
	T_CHECK(dev != NULL);
	if (!dev)
		return t_done("rt_vfio_iaa");
	snprintf(iaa_name, sizeof(iaa_name), "vfio%d", sim_platform_vfio_index(dev));

	/* Bad transfer caps are explained: 0, and more than GENCAP's 2^31. */
	setenv("SVART_VFIO_XFER", "0", 1);
	T_CHECK(!new_ctx(&ret));
	T_EQ(ret, -EINVAL);
	setenv("SVART_VFIO_XFER", "4g", 1);
	T_CHECK(!new_ctx(&ret));
	T_EQ(ret, -EINVAL);
	unsetenv("SVART_VFIO_XFER");

	ctx = new_ctx(&ret);
	if (!ctx) {
		fprintf(stderr, "ctx: %s\n", svart_strerror(ret));
		return 1;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	T_EQ(svart_ctx_platform(ctx), SVART_PLATFORM_VFIO);
	T_CHECK(strstr(svart_ctx_describe(ctx), "0 DSA and 2 IAA"));

	/* What the runtime programmed into the IAA, seen from the device. */
	T_CHECK(sim_accel_dev_enabled(dev));
	for (unsigned int w = 0; w < 2; w++) {
		sim_wq_config_get(sim_accel_wq_find(dev, w), &wc);
		T_EQ(wc.mode, SIM_WQ_DEDICATED);
		T_EQ(wc.size, 64);
		T_CHECK(wc.pasid_en);
		T_EQ(wc.pasid, PASID);
		T_EQ(wc.max_batch_shift, 0); /* IAA has no BATCH */
		T_EQ(wc.max_xfer_shift, 31); /* GENCAP's maximum */
		T_EQ(sim_wq_state(sim_accel_wq_find(dev, w)), SIM_WQ_STATE_ENABLED);
	}
	before = submitted(dev, 2);

	/* Compress on the device; zlib inflates it back to the text. */
	T_RET(0, svart_compress(ctx, comp, comp_cap, txt, 64 << 10, SVART_COMP_ZLIB, &clen));
	T_CHECK(clen > 0 && clen < (64 << 10) / 2);
	zlen = TXT_LEN;
	T_EQ(uncompress(out, &zlen, comp, clen), Z_OK);
	T_EQ(zlen, 64 << 10);
	T_CHECK(!memcmp(out, txt, 64 << 10));
	/* zlib deflates (4 KiB window); the device inflates. */
	clen = zlib_deflate_4k(txt, 200000, comp, comp_cap);
	T_CHECK(clen > 0);
	memset(out, 0, 200000);
	T_RET(0, svart_decompress(ctx, out, TXT_LEN, comp, clen, SVART_COMP_ZLIB, &olen));
	T_EQ(olen, 200000);
	T_CHECK(!memcmp(out, txt, 200000));
	/* CRC-64/XZ's published check value. */
	T_RET(0, svart_crc64(ctx, "123456789", 9, 0x42F0E1EBA9EA3693ull,
			     SVART_CRC64_REFLECT | SVART_CRC64_INVERT, &crc));
	T_EQ(crc, 0x995DC9BBDF1939FAull);

	svart_ctx_stats(ctx, &st);
	printf("sim ops %llu cpu ops %llu descs %llu faults %llu fallbacks %llu\n",
	       (unsigned long long)st.path[SVART_PATH_SIM].ops,
	       (unsigned long long)st.path[SVART_PATH_CPU].ops, (unsigned long long)st.descriptors,
	       (unsigned long long)st.page_faults, (unsigned long long)st.cpu_fallbacks);
	T_CHECK(st.path[SVART_PATH_SIM].ops >= 3);
	T_EQ(st.path[SVART_PATH_CPU].ops, 0);
	T_EQ(st.cpu_fallbacks, 0);
	T_EQ(st.errors, 0);
	T_EQ(submitted(dev, 2) - before, st.descriptors);
	svart_ctx_destroy(ctx);

	/*
	 * WQs of 4 KiB per descriptor: a 1 MiB stream decompresses as a chain through the AECS,
	 * hundreds of descriptors, into a destination the device faults in.
	 */
	setenv("SVART_VFIO_XFER", "4096", 1);
	ctx = new_ctx(&ret);
	T_EQ(ret, 0);
	if (ctx) {
		struct svart_stats s2 = { .size = sizeof(s2) };
		uint8_t *dst = mmap(NULL, TXT_LEN, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		T_CHECK(dst != MAP_FAILED);
		sim_wq_config_get(sim_accel_wq_find(dev, 0), &wc);
		T_EQ(wc.max_xfer_shift, 12);
		before = submitted(dev, 2);
		clen = zlib_deflate_4k(txt, TXT_LEN, comp, comp_cap);
		T_CHECK(clen > 0);
		T_RET(0, svart_decompress(ctx, dst, TXT_LEN, comp, clen, SVART_COMP_ZLIB, &olen));
		T_EQ(olen, TXT_LEN);
		T_CHECK(!memcmp(dst, txt, TXT_LEN));
		svart_ctx_stats(ctx, &s2);
		printf("chain: descs %llu faults %llu cpu ops %llu\n",
		       (unsigned long long)s2.descriptors, (unsigned long long)s2.page_faults,
		       (unsigned long long)s2.path[SVART_PATH_CPU].ops);
		/* At least one descriptor per 4 KiB of input, all of them at the IAA's WQs. */
		T_CHECK(s2.descriptors >= clen / 4096);
		T_EQ(submitted(dev, 2) - before, s2.descriptors);
		T_EQ(s2.path[SVART_PATH_CPU].ops, 0);
		T_EQ(s2.cpu_fallbacks, 0);
		svart_ctx_destroy(ctx);
		munmap(dst, TXT_LEN);
	}
	unsetenv("SVART_VFIO_XFER");
	free(txt);
	free(comp);
	free(out);
	sim_platform_put();
	return t_done("rt_vfio_iaa");
}
