// SPDX-License-Identifier: MIT
/*
 * DSA CRCGEN and COPY_CRC: CRC-32C (polynomial 0x1EDC6F41) with the descriptor's seed and
 * bit-order flags.
 *
 * The device model (reference §2.1, DML's crc.cpp): an MSB-first register over the polynomial;
 * data bytes enter bit-reversed unless BYPASS_DATA_REF; unless BYPASS_INV_REF the register
 * starts at bitrev(~seed) and the result is ~bitrev(register).
 *
 * Everything runs on ISA-L's crc32_iscsi(), the reflected form: its register is the device's
 * bit-reversed, and it takes data bytes LSB first, which is the device's default bit-reversed
 * entry. So the default is crc_val = ~crc32_iscsi(data, ~seed) ("123456789", seed 0: the RFC
 * 3720 check value 0xE3069283; crc_val fed back as the seed continues the CRC); BYPASS_INV_REF
 * only changes the ends, bitrev(crc32_iscsi(data, bitrev(seed))); BYPASS_DATA_REF feeds each
 * byte bit-reversed, through a small buffer, since ISA-L has no non-reflected CRC-32C.
 */
#include "sim/dsa/dsa_priv.h"

#include <string.h>

#include <isa-l/crc.h>

/* crc32_iscsi() takes an int length; BYPASS_DATA_REF reverses this much at a time. */
#define CRC_CHUNK (1u << 30)
#define CRC_REV_BUF 1024u

static uint32_t bitrev32(uint32_t v)
{
	v = (v & 0x55555555u) << 1 | (v >> 1 & 0x55555555u);
	v = (v & 0x33333333u) << 2 | (v >> 2 & 0x33333333u);
	v = (v & 0x0f0f0f0fu) << 4 | (v >> 4 & 0x0f0f0f0fu);
	return __builtin_bswap32(v);
}

/* Reverse the bits of each byte of @v. */
static uint64_t bitrev_bytes(uint64_t v)
{
	v = (v & 0x5555555555555555ull) << 1 | (v >> 1 & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) << 2 | (v >> 2 & 0x3333333333333333ull);
	return (v & 0x0f0f0f0f0f0f0f0full) << 4 | (v >> 4 & 0x0f0f0f0f0f0f0f0full);
}

/* The running CRC: crc32_iscsi()'s register. */
struct crc_state {
	uint32_t reg;
	bool msb; /* BYPASS_DATA_REF */
	bool bypass; /* BYPASS_INV_REF */
};

static void crc_begin(struct crc_state *c, uint32_t seed, uint32_t op_flags)
{
	c->msb = op_flags & IDXD_CRC_F_BYPASS_DATA_REF;
	c->bypass = op_flags & IDXD_CRC_F_BYPASS_INV_REF;
	c->reg = c->bypass ? bitrev32(seed) : ~seed;
}

/* Returns the updated register (the caller stores it, so a guard abort leaves none half-made). */
static uint32_t crc_update(const struct crc_state *c, uint32_t reg, const uint8_t *p, uint64_t n)
{
	uint64_t w[CRC_REV_BUF / 8];

	while (n) {
		uint32_t k = n < CRC_CHUNK ? (uint32_t)n : CRC_CHUNK;

		if (c->msb) {
			k = k < CRC_REV_BUF ? k : CRC_REV_BUF;
			w[(k - 1) / 8] = 0; /* the tail word's unused bytes */
			memcpy(w, p, k);
			for (uint32_t i = 0; i < (k + 7) / 8; i++)
				w[i] = bitrev_bytes(w[i]);
			reg = crc32_iscsi((unsigned char *)w, (int)k, reg);
		} else {
			reg = crc32_iscsi((unsigned char *)p, (int)k, reg);
		}
		p += k;
		n -= k;
	}
	return reg;
}

/* crc_val as the record reports it for the register so far. */
static uint32_t crc_end(const struct crc_state *c)
{
	return c->bypass ? bitrev32(c->reg) : ~c->reg;
}

static int run_crc(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct crc_state *c = ctx;

	c->reg = crc_update(c, c->reg, host[0], n);
	return 0;
}

static int run_copy_crc(void *ctx, void *const host[], uint64_t off, uint64_t n)
{
	struct crc_state *c = ctx;
	uint32_t reg = crc_update(c, c->reg, host[0], n);

	memmove(host[1], host[0], n);
	c->reg = reg;
	return 0;
}

uint8_t sim_dsa_crc(struct sim_dsa_op *op)
{
	const struct dsa_hw_desc *d = op->desc;
	struct sim_dsa_stream s[2] = { { d->src_addr, SIM_DMA_READ },
				       { d->dst_addr, SIM_DMA_WRITE } };
	bool copy = op->opcode == DSA_OPCODE_COPY_CRC;
	uint32_t seed = d->crc_seed;
	struct crc_state c;
	uint64_t done;
	int ret;

	if (op->flags & IDXD_CRC_F_READ_SEED) {
		uint8_t b[4];

		if (sim_dma_read(op->dma, b, d->seed_addr, sizeof(b), NULL))
			return sim_dsa_fault(op, 0);
		seed = (uint32_t)sim_dsa_le(b, 4);
	}
	crc_begin(&c, seed, op->flags);
	ret = sim_dsa_walk(op, s, copy ? 2 : 1, d->xfer_size, copy ? run_copy_crc : run_crc, &c,
			   &done);
	/* On a fault crc_val is the CRC of the bytes completed: the seed to resume with. */
	op->rec.crc_val = crc_end(&c);
	op->bytes = done;
	if (ret)
		return sim_dsa_fault(op, done);
	return DSA_COMP_SUCCESS;
}
