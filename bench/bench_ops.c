// SPDX-License-Identifier: MIT
/*
 * The operations end to end (docs/BENCHMARKS.md, "Operations"): svart's public API on a
 * context of $SVART_PLATFORM (AUTO: the hardware when usable, else sim), cpu_threshold 1 so
 * that every size takes the device path, each beside its CPU baseline in the same run:
 *   ops/memmove/{svart,memcpy}/N        ops/memfill/{svart,memset}/N
 *   ops/compare/{svart,memcmp}/N        ops/crc32c/{svart,isal}/N      (ISA-L crc32_iscsi)
 *   ops/compress/{svart,isal_l1,zlib_l1,zlib_l6}/N                     (counter "ratio")
 *   ops/decompress/{svart,isal,zlib}/N  (all inflate the stream svart_compress() made)
 *   ops/<op>_async/svart/N/qd:Q         every op above, Q jobs of N bytes in flight on a
 *                                       completion queue (judged against the op's sync
 *                                       CPU baseline at N)
 * Buffers are 2 MiB aligned (MADV_HUGEPAGE), prefaulted for the device with
 * svart_as_prefault() and touched by one untimed call, so the IOTLB is warm. Times are wall
 * clock: a device (or sim engine thread) works while the caller's CPU time stands still.
 *
 * Input is real text (the files bench_cpu.c uses: /usr/share/common-licenses, then every
 * /usr/share/doc/PACKAGE/copyright, sorted, repeated to the size needed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "svart.h"
#include "bench_sim_util.h"
#include "bench_text.h"
#include "suites.h"
#include "svart_bench.h"

#define OPS_ALIGN (2u << 20)
#define OPS_QD_MAX 64u
#define OPS_FILL 0x5a5a5a5a5a5a5a5aULL

static struct {
	size_t max; /* largest size registered */
	struct svart_ctx *ctx;
	uint8_t *text, *dst, *aux; /* max bytes each */
	uint8_t *comp; /* compressed text: comp_cap bytes */
	size_t comp_cap, comp_len, comp_n; /* comp_len bytes hold text[0, comp_n) */
	char describe[1024];
	const char *platform;
} ops;

/* ---- the world: a context and its buffers ---- */

static void *ops_map(size_t len)
{
	size_t total = len + OPS_ALIGN;
	uint8_t *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + OPS_ALIGN - 1) & ~(uintptr_t)(OPS_ALIGN - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + total > a + len)
		munmap((void *)(a + len), (uintptr_t)p + total - a - len);
	/* Transparent huge pages where the kernel allows: the 2 MiB leaves of the target. */
	madvise((void *)a, len, MADV_HUGEPAGE);
	memset((void *)a, 0, len);
	return (void *)a;
}

static void ops_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

static void ops_destroy(void)
{
	svart_ctx_destroy(ops.ctx);
	ops.ctx = NULL;
	ops_unmap(ops.text, ops.max);
	ops_unmap(ops.dst, ops.max);
	ops_unmap(ops.aux, ops.max);
	ops_unmap(ops.comp, ops.comp_cap);
	ops.text = ops.dst = ops.aux = ops.comp = NULL;
	ops.comp_n = ops.comp_len = 0;
}

static int ops_prefault(void *p, size_t len, int write)
{
	int ret = svart_as_prefault(ops.ctx, p, len, write);

	/* The CPU platform has nothing to prefault. */
	return ret == -EOPNOTSUPP ? 0 : ret;
}

static int ops_build(void)
{
	struct svart_ctx_opts o = {
		.size = sizeof(o),
		.platform = SVART_PLATFORM_AUTO, /* $SVART_PLATFORM decides */
		.cpu_threshold = 1, /* every size on the device path */
	};
	int ret;

	ops.comp_cap = ops.max + ops.max / 8 + (64u << 10);
	ops.text = ops_map(ops.max);
	ops.dst = ops_map(ops.max);
	ops.aux = ops_map(ops.max);
	ops.comp = ops_map(ops.comp_cap);
	if (!ops.text || !ops.dst || !ops.aux || !ops.comp) {
		ret = -ENOMEM;
		goto out_destroy;
	}
	sb_text_fill(ops.text, ops.max, "svart bench");
	ret = svart_ctx_create(&o, &ops.ctx);
	if (ret)
		goto out_destroy;
	ret = ops_prefault(ops.text, ops.max, 1);
	if (!ret)
		ret = ops_prefault(ops.dst, ops.max, 1);
	if (!ret)
		ret = ops_prefault(ops.aux, ops.max, 1);
	if (!ret)
		ret = ops_prefault(ops.comp, ops.comp_cap, 1);
	if (ret)
		goto out_destroy;
	ops.platform = svart_platform_name(svart_ctx_platform(ops.ctx));
	snprintf(ops.describe, sizeof(ops.describe), "%s", svart_ctx_describe(ops.ctx));
	return 0;

out_destroy:
	ops_destroy();
	return ret;
}

/* Its own world: the xlate suite's sim units may only be configured with no device alive. */
static const struct bench_world ops_world = {
	.name = "ops",
	.build = ops_build,
	.destroy = ops_destroy,
};

static bool setup(struct sb_state *st)
{
	int ret = bench_world_use(&ops_world);

	if (ret)
		bench_skip(st, "creating the context and buffers", ret);
	return !ret;
}

static size_t size_of(const struct sb_state *st)
{
	return (size_t)sb_range_arg(st, 0);
}

static void done(struct sb_state *st, size_t n)
{
	sb_set_bytes_processed(st, sb_iterations_done(st) * (int64_t)n);
}

static void fail(struct sb_state *st, const char *what, int err)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s", what, err ? svart_strerror(err) : "wrong result");
	sb_skip_with_error(st, msg);
}

/* ---- memmove, memfill, compare ---- */

static void bm_memmove_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int ret;

	if (!setup(st))
		return;
	ret = svart_memmove(ops.ctx, ops.dst, ops.text, n); /* warm: untimed */
	while (!ret && sb_keep_running(st))
		ret = svart_memmove(ops.ctx, ops.dst, ops.text, n);
	if (ret || memcmp(ops.dst, ops.text, n))
		fail(st, "svart_memmove", ret);
	done(st, n);
}

static void bm_memmove_memcpy(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);

	if (!setup(st))
		return;
	while (sb_keep_running(st)) {
		memcpy(ops.dst, ops.text, n);
		sb_clobber_memory();
	}
	done(st, n);
}

static void bm_memfill_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int ret;

	if (!setup(st))
		return;
	ret = svart_memfill(ops.ctx, ops.dst, OPS_FILL, n);
	while (!ret && sb_keep_running(st))
		ret = svart_memfill(ops.ctx, ops.dst, OPS_FILL, n);
	if (ret || ops.dst[0] != 0x5a || ops.dst[n - 1] != 0x5a)
		fail(st, "svart_memfill", ret);
	done(st, n);
}

static void bm_memfill_memset(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);

	if (!setup(st))
		return;
	while (sb_keep_running(st)) {
		memset(ops.dst, 0x5a, n);
		sb_clobber_memory();
	}
	done(st, n);
}

/* Equal buffers: both sides read all of them. */
static void bm_compare_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), at = 0;
	int ret;

	if (!setup(st))
		return;
	memcpy(ops.aux, ops.text, n);
	ret = svart_memcmp(ops.ctx, ops.aux, ops.text, n, &at);
	while (!ret && sb_keep_running(st))
		ret = svart_memcmp(ops.ctx, ops.aux, ops.text, n, &at);
	if (ret || at != n)
		fail(st, "svart_memcmp", ret < 0 ? ret : 0);
	done(st, n);
}

static void bm_compare_memcmp(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	int r = 0;

	if (!setup(st))
		return;
	memcpy(ops.aux, ops.text, n);
	while (sb_keep_running(st)) {
		r |= memcmp(ops.aux, ops.text, n);
		sb_clobber_memory();
	}
	if (r)
		fail(st, "memcmp", 0);
	done(st, n);
}

/* ---- CRC-32C ---- */

static void bm_crc32c_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	uint32_t crc = 0;
	int ret;

	if (!setup(st))
		return;
	ret = svart_crc32c(ops.ctx, ops.text, n, 0, &crc);
	while (!ret && sb_keep_running(st))
		ret = svart_crc32c(ops.ctx, ops.text, n, 0, &crc);
	/* ISA-L returns the raw register: the RFC 3720 CRC is ~crc32_iscsi(buf, len, ~0). */
	if (ret || crc != ~crc32_iscsi(ops.text, (int)n, 0xffffffffu))
		fail(st, "svart_crc32c", ret);
	done(st, n);
}

static void bm_crc32c_isal(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	uint32_t crc = 0;

	if (!setup(st))
		return;
	while (sb_keep_running(st))
		crc = ~crc32_iscsi(ops.text, (int)n, 0xffffffffu);
	sb_do_not_optimize(&crc);
	done(st, n);
}

/* ---- compress ---- */

static uint8_t isal_level_buf[ISAL_DEF_LVL1_DEFAULT];

static size_t isal_compress(uint8_t *dst, size_t cap, const uint8_t *src, size_t n)
{
	static struct isal_zstream z;

	isal_deflate_stateless_init(&z);
	z.level = 1;
	z.level_buf = isal_level_buf;
	z.level_buf_size = sizeof(isal_level_buf);
	z.gzip_flag = IGZIP_ZLIB;
	z.end_of_stream = 1;
	z.flush = NO_FLUSH;
	z.next_in = (uint8_t *)src;
	z.avail_in = (uint32_t)n;
	z.next_out = dst;
	z.avail_out = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
	return isal_deflate_stateless(&z) == COMP_OK ? z.total_out : 0;
}

/* What the ops' compressed output inflates to must be the input (zlib is the judge). */
static bool inflates_to(const uint8_t *c, size_t clen, const uint8_t *want, size_t n)
{
	uLongf out = (uLongf)n;

	return uncompress(ops.aux, &out, c, (uLong)clen) == Z_OK && out == n &&
	       !memcmp(ops.aux, want, n);
}

static void ratio(struct sb_state *st, size_t n, size_t out)
{
	sb_counter_set(st, "ratio", out ? (double)n / (double)out : 0, 0);
}

static void bm_compress_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), out = 0;
	int ret;

	if (!setup(st))
		return;
	ret = svart_compress(ops.ctx, ops.comp, ops.comp_cap, ops.text, n, SVART_COMP_ZLIB, &out);
	while (!ret && sb_keep_running(st))
		ret = svart_compress(ops.ctx, ops.comp, ops.comp_cap, ops.text, n, SVART_COMP_ZLIB,
				     &out);
	if (ret || !inflates_to(ops.comp, out, ops.text, n))
		fail(st, "svart_compress", ret);
	/* The decompress benchmarks may start from this stream. */
	ops.comp_n = ret ? 0 : n;
	ops.comp_len = out;
	ratio(st, n, out);
	done(st, n);
}

static void bm_compress_isal(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), out = 0;

	if (!setup(st))
		return;
	while (sb_keep_running(st))
		out = isal_compress(ops.dst, ops.max, ops.text, n);
	if (!out || !inflates_to(ops.dst, out, ops.text, n))
		fail(st, "isal_deflate_stateless", 0);
	ratio(st, n, out);
	done(st, n);
}

static void bm_compress_zlib(struct sb_state *st, void *arg)
{
	int level = (int)(intptr_t)arg;
	size_t n = size_of(st);
	uLongf out = 0;
	int zret = Z_OK;

	if (!setup(st))
		return;
	while (zret == Z_OK && sb_keep_running(st)) {
		out = (uLongf)ops.comp_cap;
		zret = compress2(ops.comp, &out, ops.text, (uLong)n, level);
	}
	ops.comp_n = 0; /* ops.comp now holds zlib's stream */
	if (zret != Z_OK)
		fail(st, "compress2", 0);
	ratio(st, n, out);
	done(st, n);
}

/* ---- decompress: every inflater reads the stream svart_compress() makes ---- */

static bool decomp_input(struct sb_state *st, size_t n)
{
	int ret = 0;

	if (ops.comp_n != n)
		ret = svart_compress(ops.ctx, ops.comp, ops.comp_cap, ops.text, n, SVART_COMP_ZLIB,
				     &ops.comp_len);
	ops.comp_n = ret ? 0 : n;
	if (ret)
		fail(st, "svart_compress (input)", ret);
	return !ret;
}

static void bm_decompress_svart(struct sb_state *st, void *arg)
{
	size_t n = size_of(st), out = 0;
	int ret;

	if (!setup(st) || !decomp_input(st, n))
		return;
	ret = svart_decompress(ops.ctx, ops.dst, ops.max, ops.comp, ops.comp_len, SVART_COMP_ZLIB,
			       &out);
	while (!ret && sb_keep_running(st))
		ret = svart_decompress(ops.ctx, ops.dst, ops.max, ops.comp, ops.comp_len,
				       SVART_COMP_ZLIB, &out);
	if (ret || out != n || memcmp(ops.dst, ops.text, n))
		fail(st, "svart_decompress", ret);
	ratio(st, n, ops.comp_len);
	done(st, n);
}

static void bm_decompress_isal(struct sb_state *st, void *arg)
{
	static struct inflate_state s;
	size_t n = size_of(st);
	bool ok = true;

	if (!setup(st) || !decomp_input(st, n))
		return;
	while (ok && sb_keep_running(st)) {
		isal_inflate_init(&s);
		s.crc_flag = ISAL_ZLIB;
		s.next_in = ops.comp;
		s.avail_in = (uint32_t)ops.comp_len;
		s.next_out = ops.dst;
		s.avail_out = (uint32_t)ops.max;
		ok = isal_inflate_stateless(&s) == ISAL_DECOMP_OK && s.total_out == n;
	}
	if (!ok)
		fail(st, "isal_inflate_stateless", 0);
	ratio(st, n, ops.comp_len);
	done(st, n);
}

static void bm_decompress_zlib(struct sb_state *st, void *arg)
{
	size_t n = size_of(st);
	uLongf out = 0;
	int zret = Z_OK;

	if (!setup(st) || !decomp_input(st, n))
		return;
	while (zret == Z_OK && sb_keep_running(st)) {
		out = (uLongf)ops.max;
		zret = uncompress(ops.dst, &out, ops.comp, (uLong)ops.comp_len);
	}
	if (zret != Z_OK || out != n)
		fail(st, "uncompress", 0);
	ratio(st, n, ops.comp_len);
	done(st, n);
}

/* ---- async: Q jobs of one operation in flight on a completion queue ---- */

enum async_op { A_MEMMOVE, A_MEMFILL, A_COMPARE, A_CRC32C, A_COMPRESS, A_DECOMPRESS, A_NR };

static const char *const async_name[A_NR] = { "memmove", "memfill",  "compare",
					      "crc32c",	 "compress", "decompress" };

/*
 * Slot i (job i) works on its own bytes: input text + i * n, output dst + i * n (memfill,
 * memmove, decompress) or comp + i * zcap (compress), compared aux + i * n (compare). No two
 * jobs in flight write the same bytes, and each job's result has a value known in advance.
 */
static struct {
	uint64_t want[OPS_QD_MAX]; /* crc32c: the CRC; decompress: the input stream's length */
	size_t got[OPS_QD_MAX]; /* compress: the last output length */
	size_t zcap; /* compressed bytes per slot */
} as;

static uint8_t *async_out(enum async_op op, unsigned int i, size_t n)
{
	return op == A_COMPRESS ? ops.comp + i * as.zcap : ops.dst + (size_t)i * n;
}

/* The untimed part: inputs and the values each slot's result must have. */
static int async_inputs(enum async_op op, size_t n, unsigned int qd)
{
	int ret = 0;

	/* Deflate of text stays well under 1.5x; 4 KiB more for the framing of tiny inputs. */
	as.zcap = (n + n / 2 + 4096 + 63) & ~(size_t)63;
	if ((size_t)qd * n > ops.max || (size_t)qd * as.zcap > ops.comp_cap)
		return -EINVAL;
	switch (op) {
	case A_MEMMOVE:
	case A_MEMFILL:
		/* What the sync benchmarks left there would pass the final check: clear it. */
		memset(ops.dst, 0, (size_t)qd * n);
		break;
	case A_COMPARE:
		memcpy(ops.aux, ops.text, (size_t)qd * n);
		break;
	case A_CRC32C:
		for (unsigned int i = 0; i < qd; i++)
			as.want[i] = ~crc32_iscsi(ops.text + (size_t)i * n, (int)n, 0xffffffffu);
		break;
	case A_COMPRESS:
	case A_DECOMPRESS:
		/* ops.comp holds qd streams now, not the sync benchmarks' one. */
		ops.comp_n = 0;
		memset(ops.dst, 0, (size_t)qd * n);
		for (unsigned int i = 0; i < qd && !ret && op == A_DECOMPRESS; i++) {
			size_t out = 0;

			ret = svart_compress(ops.ctx, ops.comp + i * as.zcap, as.zcap,
					     ops.text + (size_t)i * n, n, SVART_COMP_ZLIB, &out);
			as.want[i] = out;
		}
		break;
	default:
		break;
	}
	return ret;
}

static int async_prep(enum async_op op, struct svart_job *job, unsigned int i, size_t n)
{
	const uint8_t *in = ops.text + (size_t)i * n;
	uint8_t *out = async_out(op, i, n);

	svart_job_set_data(job, (void *)(uintptr_t)i);
	switch (op) {
	case A_MEMMOVE:
		return svart_prep_memmove(job, out, in, n);
	case A_MEMFILL:
		return svart_prep_memfill(job, out, OPS_FILL, n);
	case A_COMPARE:
		return svart_prep_memcmp(job, ops.aux + (size_t)i * n, in, n);
	case A_CRC32C:
		return svart_prep_crc32c(job, in, n, 0);
	case A_COMPRESS:
		return svart_prep_compress(job, out, as.zcap, in, n, SVART_COMP_ZLIB);
	case A_DECOMPRESS:
		return svart_prep_decompress(job, out, n, ops.comp + i * as.zcap, as.want[i],
					     SVART_COMP_ZLIB);
	default:
		return -EINVAL;
	}
}

/* A finished job's result: 0 when it is what the job's slot must give, else an error. */
static int async_check(enum async_op op, const struct svart_job *job, size_t n)
{
	const struct svart_result *r = svart_job_result(job);
	unsigned int i = (unsigned int)(uintptr_t)svart_job_data(job);

	if (r->status)
		return r->status;
	switch (op) {
	case A_COMPARE:
		return r->result == 0 && r->value == n ? 0 : -EIO;
	case A_CRC32C:
		return r->value == as.want[i] ? 0 : -EIO;
	case A_COMPRESS:
		as.got[i] = r->value;
		return r->value && r->value <= as.zcap ? 0 : -EIO;
	case A_DECOMPRESS:
		return r->value == n ? 0 : -EIO;
	default:
		return 0;
	}
}

/* After the run: the bytes every slot's last job left (the outputs are deterministic). */
static bool async_verify(enum async_op op, size_t n, unsigned int qd)
{
	switch (op) {
	case A_MEMMOVE:
	case A_DECOMPRESS:
		return !memcmp(ops.dst, ops.text, (size_t)qd * n);
	case A_MEMFILL:
		for (size_t k = 0; k < (size_t)qd * n; k++)
			if (ops.dst[k] != 0x5a)
				return false;
		return true;
	case A_COMPRESS:
		for (unsigned int i = 0; i < qd; i++)
			if (!inflates_to(async_out(op, i, n), as.got[i], ops.text + (size_t)i * n,
					 n))
				return false;
		return true;
	default:
		return true; /* compare, crc32c: every result was checked */
	}
}

static void bm_async(struct sb_state *st, void *arg)
{
	enum async_op op = (enum async_op)(intptr_t)arg;
	size_t n = size_of(st);
	unsigned int qd = (unsigned int)sb_range_arg(st, 1);
	struct svart_job *jobs[OPS_QD_MAX] = { 0 }, *got[OPS_QD_MAX];
	struct svart_cq *cq = NULL;
	int64_t finished = 0, on_cpu = 0;
	int ret, bad = 0;

	if (!setup(st))
		return;
	if (!qd || qd > OPS_QD_MAX || !n) {
		bench_skip(st, "queue depth", -EINVAL);
		return;
	}
	ret = async_inputs(op, n, qd);
	if (ret) {
		bench_skip(st, "the inputs (queue depth x size too large?)", ret);
		return;
	}
	ret = svart_cq_create(ops.ctx, qd, &cq);
	for (unsigned int i = 0; i < qd && !ret; i++) {
		ret = svart_job_alloc(ops.ctx, &jobs[i]);
		if (!ret)
			ret = async_prep(op, jobs[i], i, n);
		if (!ret)
			ret = svart_cq_submit(cq, jobs[i]);
	}
	if (ret) {
		bench_skip(st, "completion queue", ret);
		goto out_free;
	}
	/* One iteration: reap what has finished (at least one), submit it again as it was. */
	while (!bad && sb_keep_running(st)) {
		int k = svart_cq_reap(cq, got, qd, 1, -1);

		if (k <= 0) {
			bad = k ? k : -EIO;
			break;
		}
		for (int i = 0; i < k && !bad; i++) {
			bad = async_check(op, got[i], n);
			on_cpu += svart_job_result(got[i])->path == SVART_PATH_CPU;
			if (!bad)
				bad = svart_cq_submit(cq, got[i]);
		}
		finished += k;
	}
	/* The jobs still in flight: reaped and checked, not counted (the clock has stopped). */
	while (svart_cq_inflight(cq)) {
		int k = svart_cq_reap(cq, got, qd, 1, -1);

		if (k < 0)
			break;
		for (int i = 0; i < k && !bad; i++)
			bad = async_check(op, got[i], n);
	}
	if (bad || !async_verify(op, n, qd))
		fail(st, "async job", bad < 0 ? bad : 0);
	sb_set_bytes_processed(st, finished * (int64_t)n);
	sb_set_items_processed(st, finished);
	if (op == A_COMPRESS || op == A_DECOMPRESS) {
		size_t clen = 0;

		for (unsigned int i = 0; i < qd; i++)
			clen += op == A_COMPRESS ? as.got[i] : as.want[i];
		ratio(st, (size_t)qd * n, clen);
	}
	/* Jobs the runtime finished on the CPU (WQ full past the ENQCMD retries, ...). */
	sb_counter_set(st, "cpu_share", finished ? (double)on_cpu / (double)finished : 0, 0);
out_free:
	for (unsigned int i = 0; i < qd; i++)
		svart_job_free(jobs[i]);
	svart_cq_destroy(cq);
}

/* ---- registration ---- */

static void reg(const char *name, sb_fn fn, void *arg, const int64_t *sizes, size_t nsizes)
{
	struct sb_bench *b = sb_use_real_time(sb_register(name, fn, NULL, NULL, arg));

	for (size_t i = 0; i < nsizes && b; i++)
		b = sb_arg(b, sizes[i]);
	if (!b)
		fprintf(stderr, "svart bench: cannot register %s\n", name);
}

/*
 * Async: every op at 4 KiB and 64 KiB, queue depth 1 .. 64 with --full; the quick profile
 * keeps 4 KiB memmoves at 1, 8, 32, 64 and one 64 KiB case of CRC-32C and of compress.
 */
static void reg_async(bool full)
{
	static const int64_t sizes[] = { 4 << 10, 64 << 10 };
	static const int64_t qds[] = { 1, 2, 4, 8, 16, 32, 64 };
	static const int64_t quick[][3] = {
		{ A_MEMMOVE, 4 << 10, 1 },  { A_MEMMOVE, 4 << 10, 8 }, { A_MEMMOVE, 4 << 10, 32 },
		{ A_MEMMOVE, 4 << 10, 64 }, { A_CRC32C, 64 << 10, 8 }, { A_COMPRESS, 64 << 10, 8 },
	};
	static const char *const names[] = { "", "qd" };
	char name[64];

	for (int op = 0; op < A_NR; op++) {
		struct sb_bench *b = NULL;
		bool any = full;

		for (size_t i = 0; !full && i < sizeof(quick) / sizeof(quick[0]); i++)
			any |= quick[i][0] == op;
		if (!any)
			continue; /* a family without arguments would run once with size 0 */
		snprintf(name, sizeof(name), "ops/%s_async/svart", async_name[op]);
		b = sb_use_real_time(sb_register(name, bm_async, NULL, NULL, (void *)(intptr_t)op));
		for (size_t s = 0; full && s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t q = 0; q < sizeof(qds) / sizeof(qds[0]); q++)
				b = sb_args(b, (const int64_t[]){ sizes[s], qds[q] }, 2);
		for (size_t i = 0; !full && i < sizeof(quick) / sizeof(quick[0]); i++)
			if (quick[i][0] == op)
				b = sb_args(b, &quick[i][1], 2);
		if (!sb_arg_names(b, names, 2))
			fprintf(stderr, "svart bench: cannot register %s\n", name);
	}
}

void sb_suite_ops(bool full)
{
	static const int64_t quick[] = { 4 << 10, 64 << 10, 1 << 20, 16 << 20 };
	/* Compression on sim is the slow path: the quick profile stops at 1 MiB. */
	static const int64_t quick_z[] = { 4 << 10, 64 << 10, 1 << 20 };
	static const int64_t every[] = { 256,	    1 << 10, 4 << 10, 16 << 10, 64 << 10,
					 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20 };
	const int64_t *sz = full ? every : quick, *zsz = full ? every : quick_z;
	size_t n = full ? sizeof(every) / sizeof(every[0]) : sizeof(quick) / sizeof(quick[0]);
	size_t zn = full ? n : sizeof(quick_z) / sizeof(quick_z[0]);
	ops.max = (size_t)sz[n - 1];
	reg("ops/memmove/svart", bm_memmove_svart, NULL, sz, n);
	reg("ops/memmove/memcpy", bm_memmove_memcpy, NULL, sz, n);
	reg("ops/memfill/svart", bm_memfill_svart, NULL, sz, n);
	reg("ops/memfill/memset", bm_memfill_memset, NULL, sz, n);
	reg("ops/compare/svart", bm_compare_svart, NULL, sz, n);
	reg("ops/compare/memcmp", bm_compare_memcmp, NULL, sz, n);
	reg("ops/crc32c/svart", bm_crc32c_svart, NULL, sz, n);
	reg("ops/crc32c/isal", bm_crc32c_isal, NULL, sz, n);
	reg("ops/compress/svart", bm_compress_svart, NULL, zsz, zn);
	reg("ops/compress/isal_l1", bm_compress_isal, NULL, zsz, zn);
	reg("ops/compress/zlib_l1", bm_compress_zlib, (void *)(intptr_t)1, zsz, zn);
	reg("ops/compress/zlib_l6", bm_compress_zlib, (void *)(intptr_t)6, zsz, zn);
	reg("ops/decompress/svart", bm_decompress_svart, NULL, zsz, zn);
	reg("ops/decompress/isal", bm_decompress_isal, NULL, zsz, zn);
	reg("ops/decompress/zlib", bm_decompress_zlib, NULL, zsz, zn);
	reg_async(full);
}

const char *sb_suite_ops_describe(const char **platform)
{
	if (platform)
		*platform = ops.platform ? ops.platform : "";
	return ops.describe;
}
