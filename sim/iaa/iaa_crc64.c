// SPDX-License-Identifier: MIT
/*
 * IAA CRC64 (opcode 0x44): any polynomial of up to 64 bits, given most-significant-bit aligned
 * in the descriptor (u64 at byte 56). Flag bit 15 processes the data least significant bit first
 * with the bit-reversed polynomial (the result is then right-aligned); bit 14 starts the register
 * at all ones over the polynomial's width and inverts the result (QPL crc.cpp, idxd-config).
 *
 * The three 64-bit polynomials ISA-L has (ECMA-182, ISO, Jones) use ISA-L's folding code; any
 * other runs a slicing-by-8 table, cached per engine for the last polynomial seen.
 */
#include <string.h>

#include <isa-l/crc64.h>

#include "sim/iaa/iaa_priv.h"

#define CRC64_STAGE (64u * 1024)

typedef uint64_t (*crc64_isal_fn)(uint64_t seed, const unsigned char *buf, uint64_t len);

static uint64_t crc64_bitrev(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/* All ones from the polynomial's lowest set bit up: its width, MSB-aligned. */
static uint64_t crc64_width_mask(uint64_t poly)
{
	poly |= poly << 1;
	poly |= poly << 2;
	poly |= poly << 4;
	poly |= poly << 8;
	poly |= poly << 16;
	poly |= poly << 32;
	return poly;
}

static crc64_isal_fn crc64_isal(uint64_t poly, bool refl)
{
	switch (poly) {
	case 0x42f0e1eba9ea3693ull:
		return refl ? crc64_ecma_refl : crc64_ecma_norm;
	case 0x000000000000001bull:
		return refl ? crc64_iso_refl : crc64_iso_norm;
	case 0xad93d23594c935a9ull:
		return refl ? crc64_jones_refl : crc64_jones_norm;
	default:
		return NULL;
	}
}

static void crc64_build(struct iaa_crc64_cache *c, uint64_t poly, bool refl)
{
	uint64_t rpoly = crc64_bitrev(poly);

	for (unsigned int i = 0; i < 256; i++) {
		uint64_t r;

		if (refl) {
			r = i;
			for (int j = 0; j < 8; j++)
				r = (r >> 1) ^ ((r & 1) ? rpoly : 0);
		} else {
			r = (uint64_t)i << 56;
			for (int j = 0; j < 8; j++)
				r = (r << 1) ^ ((r >> 63) ? poly : 0);
		}
		c->tab[0][i] = r;
	}
	for (unsigned int i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++) {
			uint64_t p = c->tab[k - 1][i];

			c->tab[k][i] = refl ? (p >> 8) ^ c->tab[0][p & 0xff] :
					      (p << 8) ^ c->tab[0][p >> 56];
		}
	c->poly = poly;
	c->refl = refl;
	c->valid = true;
}

static uint64_t crc64_slice(const struct iaa_crc64_cache *c, uint64_t crc, const uint8_t *p,
			    size_t n)
{
	const uint64_t(*t)[256] = c->tab;

	if (c->refl) {
		for (; n >= 8; n -= 8, p += 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			w ^= crc;
			crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^
			      t[4][(w >> 24) & 0xff] ^ t[3][(w >> 32) & 0xff] ^
			      t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
		}
		while (n--)
			crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
	} else {
		for (; n >= 8; n -= 8, p += 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			w = __builtin_bswap64(w) ^ crc;
			crc = t[7][w >> 56] ^ t[6][(w >> 48) & 0xff] ^ t[5][(w >> 40) & 0xff] ^
			      t[4][(w >> 32) & 0xff] ^ t[3][(w >> 24) & 0xff] ^
			      t[2][(w >> 16) & 0xff] ^ t[1][(w >> 8) & 0xff] ^ t[0][w & 0xff];
		}
		while (n--)
			crc = (crc << 8) ^ t[0][(crc >> 56) ^ *p++];
	}
	return crc;
}

uint8_t iaa_crc64(struct iaa_job *job)
{
	uint64_t poly, mask, crc, done = 0;
	struct iaa_crc64_cache *c = job->st->crc64;
	bool refl = job->opflags & IDXD_IAX_CRC64F_BIT_ORDER;
	bool inv = job->opflags & IDXD_IAX_CRC64F_INVERT;
	crc64_isal_fn fn;

	memcpy(&poly, (const uint8_t *)job->d + IDXD_IAX_DESC_CRC64_POLY_OFF, sizeof(poly));
	mask = crc64_width_mask(poly);
	if (refl)
		mask = crc64_bitrev(mask);
	fn = crc64_isal(poly, refl);
	/*
	 * ISA-L's functions invert the register on entry and exit: seed 0 gives the inverted CRC,
	 * seed ~0 (then inverted back) the plain one.
	 */
	crc = fn ? (inv ? 0 : ~0ull) : (inv ? mask : 0);
	if (!fn && (!c->valid || c->poly != poly || c->refl != refl))
		crc64_build(c, poly, refl);

	while (done < job->src1_size) {
		uint64_t n =
			job->src1_size - done < CRC64_STAGE ? job->src1_size - done : CRC64_STAGE;

		if (sim_dma_read(job->x->dma, job->st->cin, job->src1 + done, n, NULL))
			return iaa_fault(job);
		if (fn)
			crc = fn(crc, job->st->cin, n);
		else
			crc = crc64_slice(c, crc, job->st->cin, n);
		done += n;
	}
	if (fn)
		crc = inv ? crc : ~crc;
	else if (inv)
		crc ^= mask;
	memcpy((uint8_t *)&job->rec + IDXD_IAX_COMP_CRC64_OFF, &crc, sizeof(crc));
	job->rec.bytes_completed = job->src1_size;
	return IAX_COMP_SUCCESS;
}
