/* SPDX-License-Identifier: MIT */
/*
 * Shared by the tests/sim_dsa_*.c programs: an execution context for sim_dsa_exec() (a device
 * with every capability, counting callbacks), a translation backend that fails chosen 4 KiB
 * pages and answers page requests the way a test says, guarded buffers, and independent
 * bitwise references for the CRCs the device computes.
 */
#ifndef SVART_TESTS_SIM_DSA_UTIL_H
#define SVART_TESTS_SIM_DSA_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/idxd.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/sim_dma.h"
#include "sim/sim_guard.h"
#include "t_helpers.h"

#define TPAGE 4096u

/* ---- the execution context ---- */

struct tdsa {
	struct sim_exec x;
	struct sim_exec_cfg cfg;
	struct sim_exec_env env;
	struct sim_dma dma;
	const struct sim_dma_ops *ops;
	void *priv;
	bool priv_req;
	/* callbacks' log */
	unsigned int nswerr, nint;
	struct sim_swerr swerr; /* the last one */
	uint16_t last_handle;
	uint16_t bad_handle; /* int_handle_valid() refuses this one */
	/* a 32-byte aligned completion record */
	struct dsa_completion_record rec __attribute__((aligned(32)));
};

static inline bool tdsa_interrupt(void *arg, uint16_t handle)
{
	struct tdsa *t = arg;

	t->nint++;
	t->last_handle = handle;
	return handle != t->bad_handle;
}

static inline bool tdsa_handle_valid(void *arg, uint16_t handle)
{
	struct tdsa *t = arg;

	return handle != t->bad_handle;
}

static inline void tdsa_swerr(void *arg, const struct sim_swerr *e)
{
	struct tdsa *t = arg;

	t->nswerr++;
	t->swerr = *e;
}

/* A DSA 2 device with every capability and every opcode enabled. */
static inline void tdsa_init(struct tdsa *t, const struct sim_dma_ops *ops, void *priv)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->priv = priv;
	t->cfg.version = IDXD_VERSION_2;
	t->cfg.max_xfer_shift = 24;
	t->cfg.max_batch_shift = 5;
	t->cfg.overlap_copy = true;
	t->cfg.cache_ctl = true;
	t->cfg.dest_readback = true;
	t->cfg.drain_readback = true;
	t->cfg.wq_bof = true;
	t->cfg.prs = true;
	t->cfg.priv_ok = true;
	memset(t->cfg.opcap, 0xff, sizeof(t->cfg.opcap));
	t->env.interrupt = tdsa_interrupt;
	t->env.int_handle_valid = tdsa_handle_valid;
	t->env.swerr = tdsa_swerr;
	t->env.arg = t;
	t->bad_handle = 0xdead;
	t->x.dma = &t->dma;
	t->x.cfg = &t->cfg;
	t->x.env = &t->env;
	if (sim_guard_init())
		exit(T_EXIT_FAIL);
}

/* Run @d as the device core would: a fresh address-space view per descriptor. */
static inline uint8_t tdsa_exec(struct tdsa *t, const struct dsa_hw_desc *d)
{
	sim_dma_init(&t->dma, t->ops, t->priv);
	t->dma.priv_req = t->priv_req;
	return sim_dsa_exec(&t->x, d);
}

/* A descriptor with a completion record requested into t->rec (cleared). */
static inline void tdsa_desc(struct tdsa *t, struct dsa_hw_desc *d, uint8_t opcode, uint32_t flags)
{
	memset(d, 0, sizeof(*d));
	memset(&t->rec, 0, sizeof(t->rec));
	d->opcode = opcode;
	d->flags = flags | IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	d->completion_addr = (uintptr_t)&t->rec;
}

/* Status as returned and as written; both must agree. */
#define TDSA_RUN(t, d, want)                   \
	do {                                   \
		uint8_t st_ = tdsa_exec(t, d); \
		T_EQ(st_, want);               \
		T_EQ((t)->rec.status, want);   \
	} while (0)

/* ---- a backend that fails chosen pages ---- */

enum tpf_mode {
	TPF_NO_PRS = 0, /* no page_request op */
	TPF_PR_OK, /* page requests succeed (and make the page present) */
	TPF_PR_IR, /* answered Invalid Request */
	TPF_PR_TIMEOUT,
	TPF_PR_RF, /* Response Failure */
};

#define TPF_MAX_BAD 8

struct tpf {
	uint64_t bad[TPF_MAX_BAD]; /* page-aligned IOVAs that do not translate; 0 = unused */
	unsigned int nreq; /* page requests seen */
	enum tpf_mode mode;
};

static inline int tpf_find(struct tpf *p, uint64_t page)
{
	for (int i = 0; i < TPF_MAX_BAD; i++)
		if (p->bad[i] && p->bad[i] == page)
			return i;
	return -1;
}

static inline int tpf_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
				struct sim_dma_xlate *out)
{
	struct tpf *p = dma->priv;
	uint64_t page = iova & ~(uint64_t)(TPAGE - 1);

	if (tpf_find(p, page) >= 0)
		return -EFAULT;
	out->host = (uintptr_t)iova;
	out->len = TPAGE - (iova & (TPAGE - 1));
	return 0;
}

static inline int tpf_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	struct tpf *p = dma->priv;
	int i = tpf_find(p, iova & ~(uint64_t)(TPAGE - 1));

	p->nreq++;
	switch (p->mode) {
	case TPF_PR_OK:
		if (i >= 0)
			p->bad[i] = 0;
		return 0;
	case TPF_PR_IR:
		return -EFAULT;
	case TPF_PR_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static const struct sim_dma_ops tpf_ops_noprs = { .translate = tpf_translate };
static const struct sim_dma_ops tpf_ops_prs = { .translate = tpf_translate,
						.page_request = tpf_page_request };

static inline void tpf_bad(struct tpf *p, const void *addr)
{
	for (int i = 0; i < TPF_MAX_BAD; i++)
		if (!p->bad[i]) {
			p->bad[i] = (uintptr_t)addr & ~(uintptr_t)(TPAGE - 1);
			return;
		}
	exit(T_EXIT_FAIL);
}

static inline void tpf_clear(struct tpf *p)
{
	memset(p->bad, 0, sizeof(p->bad));
}

/* ---- buffers ---- */

/* @pages of read/write memory followed by one PROT_NONE page; page-aligned. */
static inline uint8_t *tmap(size_t pages)
{
	uint8_t *m = mmap(NULL, (pages + 1) * TPAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		exit(T_EXIT_FAIL);
	if (mprotect(m + pages * TPAGE, TPAGE, PROT_NONE))
		exit(T_EXIT_FAIL);
	return m;
}

static inline void tunmap(uint8_t *m, size_t pages)
{
	munmap(m, (pages + 1) * TPAGE);
}

static uint64_t t_rng = 0x243f6a8885a308d3ull;

static inline uint64_t trand(void)
{
	t_rng ^= t_rng << 13;
	t_rng ^= t_rng >> 7;
	t_rng ^= t_rng << 17;
	return t_rng;
}

static inline void tfill_rand(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)trand();
}

/* ---- independent references ---- */

static inline uint8_t ref_rev8(uint8_t b)
{
	uint8_t r = 0;

	for (int i = 0; i < 8; i++)
		if (b & (1u << i))
			r |= (uint8_t)(0x80u >> i);
	return r;
}

static inline uint32_t ref_rev32(uint32_t v)
{
	uint32_t r = 0;

	for (int i = 0; i < 32; i++)
		if (v & (1u << i))
			r |= 0x80000000u >> i;
	return r;
}

/*
 * The device's CRC-32C as the reference sheet (§2.1) describes it, one bit at a time: an
 * MSB-first register; data bytes bit-reversed unless BYPASS_DATA_REF; seed and result
 * inverted and reversed unless BYPASS_INV_REF.
 */
static inline uint32_t ref_dsa_crc32c(uint32_t seed, uint32_t flags, const uint8_t *p, size_t n)
{
	uint32_t reg = flags & IDXD_CRC_F_BYPASS_INV_REF ? seed : ref_rev32(~seed);

	for (size_t i = 0; i < n; i++) {
		uint8_t b = flags & IDXD_CRC_F_BYPASS_DATA_REF ? p[i] : ref_rev8(p[i]);

		reg ^= (uint32_t)b << 24;
		for (int k = 0; k < 8; k++)
			reg = reg & 0x80000000u ? (reg << 1) ^ 0x1edc6f41u : reg << 1;
	}
	return flags & IDXD_CRC_F_BYPASS_INV_REF ? reg : ~ref_rev32(reg);
}

/* CRC-16 T10-DIF (poly 0x8BB7, MSB first, no reflection), one bit at a time. */
static inline uint16_t ref_crc16_t10dif(uint16_t crc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int k = 0; k < 8; k++)
			crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x8bb7) : (uint16_t)(crc << 1);
	}
	return crc;
}

static inline void ref_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ref_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Protected layout: @nb blocks of @bs data bytes from @data, each followed by its tuple
 * (guard over the block with init 0, app tag @app, ref tag @ref + block index). */
static inline void ref_dif_insert(uint8_t *out, const uint8_t *data, size_t bs, size_t nb,
				  uint16_t app, uint32_t ref)
{
	for (size_t k = 0; k < nb; k++) {
		uint8_t *o = out + k * (bs + 8);

		memcpy(o, data + k * bs, bs);
		ref_put_be16(o + bs, ref_crc16_t10dif(0, data + k * bs, bs));
		ref_put_be16(o + bs + 2, app);
		ref_put_be32(o + bs + 4, ref + (uint32_t)k);
	}
}

/* Little-endian reads of record / descriptor bytes. */
static inline uint64_t tle(const void *p, unsigned int n)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

#endif /* SVART_TESTS_SIM_DSA_UTIL_H */
