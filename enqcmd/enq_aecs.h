/* SPDX-License-Identifier: MIT */
/*
 * enq_aecs: the IAA compression AECS (Analytics Engine Configuration and State) and the
 * software that fills it, the way drivers do it for real devices; and the decompress AECS pair
 * a stateful chain of descriptors passes its state through (at the end).
 *
 * IAA 1.0 has no opcode bit for fixed or dynamic Huffman: a COMPRESS descriptor reads its
 * Huffman codes and the block header bits from the AECS its src2 points to, and software builds
 * that AECS. Fixed mode (the kernel's iaa_crypto "fixed"): the RFC 1951 fixed codes and the
 * 3-bit header BFINAL|BTYPE=01. Dynamic mode (QPL's two-pass path): a statistics-mode COMPRESS
 * writes a histogram of the LZ77 symbols, software builds codes from it and writes the dynamic
 * block header into the output accumulator.
 *
 * The layout is the kernel's struct aecs_comp_table_record (drivers/crypto/intel/iaa/iaa_crypto.h)
 * and QPL's hw_enq_aecs_compress without the IAA 2 dictionary. Each code is a u32
 * (length << 15) | code, the code in its natural (most significant bit first) order; the device
 * emits it bit-reversed, as deflate sends Huffman codes.
 *
 * Hardware format helpers, free of sim: the runtime drives devices with them and sim's executor
 * reads the same layout.
 */
#ifndef SVART_ENQCMD_ENQ_AECS_H
#define SVART_ENQCMD_ENQ_AECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enqcmd/idxd_hw.h"

#define ENQ_AECS_LL_SYMS 286 /* literal/length symbols 0..285 */
#define ENQ_AECS_D_SYMS 30 /* distance symbols 0..29 */
#define ENQ_AECS_EOB 256
#define ENQ_AECS_ACCUM_BYTES 256
#define ENQ_AECS_ACCUM_BITS (8 * ENQ_AECS_ACCUM_BYTES)
#define ENQ_AECS_CODE_LEN_SHIFT 15
#define ENQ_AECS_CODE_MASK 0x7fffu
#define ENQ_AECS_MAX_CODE_LEN 15
#define ENQ_AECS_CODE(len, code) (((uint32_t)(len) << ENQ_AECS_CODE_LEN_SHIFT) | (uint32_t)(code))

/* The compress AECS, 0x620 bytes, 32-byte aligned in device memory. */
struct enq_aecs_comp {
	uint32_t crc; /* CRC seed in, CRC of the input so far out */
	uint32_t xor_checksum;
	uint32_t rsvd0[5];
	uint32_t num_output_accum_bits; /* bits of output_accum emitted before the first symbol */
	uint8_t output_accum[ENQ_AECS_ACCUM_BYTES];
	uint32_t ll_sym[ENQ_AECS_LL_SYMS];
	uint32_t rsvd1[2];
	uint32_t d_sym[ENQ_AECS_D_SYMS];
	uint32_t rsvd2[2];
};

/* What a statistics-mode COMPRESS writes to its destination: 1280 bytes. */
struct enq_aecs_hist {
	uint32_t ll[ENQ_AECS_LL_SYMS];
	uint32_t rsvd0[2];
	uint32_t d[ENQ_AECS_D_SYMS];
	uint32_t rsvd1[2];
};

_Static_assert(sizeof(struct enq_aecs_comp) == 0x620, "compress AECS is 0x620 bytes");
_Static_assert(offsetof(struct enq_aecs_comp, num_output_accum_bits) == 28, "accum bits at 28");
_Static_assert(offsetof(struct enq_aecs_comp, ll_sym) == 288, "ll_sym at 288");
_Static_assert(offsetof(struct enq_aecs_comp, d_sym) == 1440, "d_sym at 1440");
_Static_assert(sizeof(struct enq_aecs_hist) == 1280, "histogram is 1280 bytes");

/* Length (0 = the symbol has no code) and natural-order code of one AECS entry. */
static inline unsigned int enq_aecs_code_len(uint32_t sym)
{
	return sym >> ENQ_AECS_CODE_LEN_SHIFT;
}

static inline unsigned int enq_aecs_code_bits(uint32_t sym)
{
	return sym & ENQ_AECS_CODE_MASK;
}

/**
 * enq_aecs_comp_append_bits() - append header bits to the output accumulator.
 * @aecs: the AECS; bits already in the accumulator (the tail of a previous job) stay first.
 * @bits: the bits, deflate order (first bit in bit 0 of bits[0]).
 * @nbits: how many.
 *
 * Return: 0, or -ENOSPC when the accumulator would exceed 2048 bits (nothing changed).
 */
int enq_aecs_comp_append_bits(struct enq_aecs_comp *aecs, const uint8_t *bits, unsigned int nbits);

/**
 * enq_aecs_comp_set_fixed() - fixed-Huffman AECS (RFC 1951 3.2.6), as iaa_crypto's fixed mode.
 * @aecs: the AECS; its accumulator keeps what it holds, the 3-bit fixed block header follows.
 * @bfinal: mark the block final.
 *
 * Return: 0, or -ENOSPC (the accumulator is full).
 */
int enq_aecs_comp_set_fixed(struct enq_aecs_comp *aecs, bool bfinal);

/**
 * enq_aecs_comp_set_dynamic() - dynamic-Huffman AECS from a statistics-mode histogram.
 * @aecs: the AECS; its accumulator keeps what it holds, the dynamic block header follows.
 * @hist: symbol counts; every symbol gets a code (so any input compresses with these codes,
 *	as QPL's two-pass mode needs when the data differs from its statistics), EOB included.
 * @bfinal: mark the block final.
 *
 * Codes are length-limited to 15 bits (enq_aecs_huff_lengths()), canonical, and complete; the
 * header is RFC 1951's, its code-length runs never crossing from the literal/length lengths to
 * the distance lengths.
 *
 * Return: 0, -EINVAL when the counts are out of range, -ENOSPC when the header does not fit the
 * accumulator (the codes are then written, the accumulator unchanged).
 */
int enq_aecs_comp_set_dynamic(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
			      bool bfinal);

/* Bytes of scratch enq_aecs_comp_set_dynamic_ws() needs. */
size_t enq_aecs_dyn_work_size(void);

/**
 * enq_aecs_comp_set_dynamic_ws() - enq_aecs_comp_set_dynamic() without allocating.
 * @aecs, @hist, @bfinal: as enq_aecs_comp_set_dynamic().
 * @work: enq_aecs_dyn_work_size() bytes, 64-byte aligned, contents don't matter; callers on a
 *	submission path keep one per job so building the codes allocates nothing.
 *
 * Return: as enq_aecs_comp_set_dynamic().
 */
int enq_aecs_comp_set_dynamic_ws(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
				 bool bfinal, void *work);

/* ---- Huffman codes (the dynamic AECS's builder, exposed for its tests) --------------------- */

#define ENQ_AECS_HUFF_MAX_SYMS 320u /* deflate's alphabets have 286, 30 and 19 */
#define ENQ_AECS_CL_SYMS 19 /* the code-length alphabet */
#define ENQ_AECS_CL_MAX_LEN 7

/**
 * enq_aecs_huff_lengths() - lengths of a length-limited Huffman code from symbol counts.
 * @freq: the counts of @n symbols.
 * @n: 2 to ENQ_AECS_HUFF_MAX_SYMS.
 * @max_len: the longest code, 1 to 15.
 * @all: every symbol gets a code, counted or not (counts of 0 get the longest ones); otherwise
 *	only counted symbols do, and when fewer than two are, the lowest uncounted symbols make
 *	up two of length 1, so the code is always complete (Kraft sum exactly 1).
 * @len: out, @n lengths (0 = no code).
 *
 * Huffman's lengths (in place, Moffat and Katajainen); when the tree is deeper than @max_len,
 * an optimal length-limited code by package-merge for up to 32 coded symbols, above that a
 * fix-up that pays for clamping the deep leaves with the cheapest lengthenings (within 1% of
 * optimal on the histograms its test tries). Allocation-free; a few microseconds for deflate's
 * alphabets.
 *
 * Return: 0, or -EINVAL for @n or @max_len out of range or more coded symbols than 2^@max_len.
 */
int enq_aecs_huff_lengths(const uint32_t *freq, unsigned int n, unsigned int max_len, bool all,
			  uint8_t *len);

/**
 * enq_aecs_huff_codes() - canonical codes for code lengths (RFC 1951 3.2.2).
 * @len: @n lengths, 0 to 15 (0 = no code).
 * @n: up to ENQ_AECS_HUFF_MAX_SYMS.
 * @code: out, the codes in natural order (most significant bit first); 0 where len is 0.
 *
 * Return: 0, or -EINVAL when a length is above 15 or the lengths over-subscribe the code space.
 */
int enq_aecs_huff_codes(const uint8_t *len, unsigned int n, uint16_t *code);

/* ---- Stateful chains: one stream over several descriptors ---------------------------------- */

/*
 * A DECOMPRESS that continues a stream reads the state the previous descriptor wrote (bit
 * position, the block being decoded, the last 4 KiB of output, the running CRC) from its AECS.
 * The format of that state is the device's own; software only allocates it and passes it on.
 * A chain keeps two copies side by side (src2_size each, src2 pointing at the first): a
 * descriptor reads the copy its AECS toggle (flag bit 22) selects and writes the other (QPL's
 * ping-pong), so a descriptor that faults, or is redone on another WQ, always starts again from
 * intact state.
 */
#define ENQ_AECS_DECOMP_SIZE IDXD_IAX_AECS_DECOMP_SIZE

/* Where a chain's latest state is: nowhere yet (a fresh stream), or one of the two copies. */
enum enq_aecs_at {
	ENQ_AECS_AT_NONE = 0,
	ENQ_AECS_AT_0,
	ENQ_AECS_AT_1,
};

/**
 * enq_aecs_chain_flags() - descriptor flags (bits 16-22) for the next step of a chain.
 * @at: where the state is; ENQ_AECS_AT_NONE starts the stream without reading an AECS.
 * @wr: IDXD_IAX_WR_SRC2_ALWAYS for a step the next one continues, IDXD_IAX_WR_SRC2_ON_OVERFLOW
 *	for the step that should end the stream (state is only needed if the output overflows).
 *
 * Return: the flags to OR into the descriptor's.
 */
static inline uint32_t enq_aecs_chain_flags(enum enq_aecs_at at, unsigned int wr)
{
	uint32_t f = IDXD_IAX_F_WR_SRC2(wr);

	if (at != ENQ_AECS_AT_NONE)
		f |= IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS);
	if (at == ENQ_AECS_AT_1)
		f |= IDXD_IAX_F_AECS_SEL;
	return f;
}

/**
 * enq_aecs_chain_next() - where the state is after a step completed.
 * @at: where it was before the step.
 * @flags: the step's descriptor flags.
 * @overflow: the step completed with OUTBUF_OVERFLOW (write-src2 = 2 writes only then).
 *
 * Only for steps that completed (success or output overflow): a fault or an error writes
 * nothing the chain may rely on, and the state stays where it was.
 *
 * Return: the copy the step wrote, or @at if it wrote none.
 */
static inline enum enq_aecs_at enq_aecs_chain_next(enum enq_aecs_at at, uint32_t flags,
						   bool overflow)
{
	unsigned int wr = (flags & IDXD_IAX_F_WR_SRC2_MASK) >> 18;

	if (wr == IDXD_IAX_WR_SRC2_ALWAYS || (wr == IDXD_IAX_WR_SRC2_ON_OVERFLOW && overflow))
		return (flags & IDXD_IAX_F_AECS_SEL) ? ENQ_AECS_AT_0 : ENQ_AECS_AT_1;
	return at;
}

#endif /* SVART_ENQCMD_ENQ_AECS_H */
