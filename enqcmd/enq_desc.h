/* SPDX-License-Identifier: MIT */
/*
 * Descriptor and completion-record preparation, one inline helper per DSA and IAA opcode.
 *
 * Each enq_prep_*() zeroes the whole 64-byte descriptor (PASID and Priv stay 0: ENQCMD and the
 * kernel's write() path replace them, a dedicated WQ uses its WQCFG PASID), sets the opcode,
 * the operation's fields at the offsets <linux/idxd.h> and enqcmd/idxd_hw.h pin, and the
 * flags: the caller's @flags, plus CRAV | RCR and the completion record address when @cr is
 * not NULL. Op-specific flag bits (IDXD_DRAIN_F_*, IDXD_CRC_F_*, IDXD_IAX_F_*, ...) are the
 * caller's, in @flags; a helper adds one only where it is implied by the call itself
 * (IDXD_FILL_F_16B for the 16-byte fill, IDXD_OP_FLAG_CR with an expected result,
 * IDXD_CRC_F_READ_SEED with a seed address).
 *
 * The helpers validate nothing: the device (or sim, or the kernel's write()) reports what it
 * rejects, and the caller is expected to know its buffers. Reset the completion record
 * (enq_cr_reset(), enq_iax_cr_reset()) before submitting: a wait treats any nonzero status as
 * done. Records are 32-byte aligned on DSA and 64-byte aligned on IAA (IDXD_*_COMP_ALIGN).
 */
#ifndef SVART_ENQCMD_ENQ_DESC_H
#define SVART_ENQCMD_ENQ_DESC_H

#include <stdint.h>
#include <string.h>

#include "enqcmd/idxd_hw.h"

/* DIF tag seeds and mask: a check/strip set at bytes 48-55, an insert set at 56-63. */
struct enq_dif_tags {
	uint32_t ref_seed;
	uint16_t app_mask; /* a 1 bit excludes that app-tag bit from the compare */
	uint16_t app_seed;
};

/* Zeroes a DSA completion record (32 bytes) before its descriptor is submitted. */
static inline void enq_cr_reset(struct dsa_completion_record *cr)
{
	memset((void *)cr, 0, sizeof(*cr));
}

/* Zeroes an IAA completion record (64 bytes). */
static inline void enq_iax_cr_reset(struct iax_completion_record *cr)
{
	memset((void *)cr, 0, sizeof(*cr));
}

static inline uint32_t enq_desc_flags(uint32_t flags, const void *cr)
{
	return (flags | (cr ? IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR : 0)) & IDXD_DESC_FLAGS_MASK;
}

/* The part every DSA helper shares: zero, opcode, flags, record. */
static inline void enq_dsa_prep(struct dsa_hw_desc *d, uint8_t opcode, uint32_t flags,
				struct dsa_completion_record *cr)
{
	memset(d, 0, sizeof(*d));
	d->opcode = opcode;
	d->flags = enq_desc_flags(flags, cr);
	d->completion_addr = (uintptr_t)cr;
}

/* The part every IAA helper shares. */
static inline void enq_iax_prep(struct iax_hw_desc *d, uint8_t opcode, uint32_t flags,
				struct iax_completion_record *cr)
{
	memset(d, 0, sizeof(*d));
	d->opcode = opcode;
	d->flags = enq_desc_flags(flags, cr);
	d->completion_addr = (uintptr_t)cr;
}

/* ---- DSA --------------------------------------------------------------------------------- */

/* NOOP: writes only the status (use it to probe a WQ or with FENCE in a batch). */
static inline void enq_prep_noop(struct dsa_hw_desc *d, uint32_t flags,
				 struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_NOOP, flags, cr);
}

/* BATCH: @count (2 .. WQ max batch) descriptors at @list (64-byte aligned). */
static inline void enq_prep_batch(struct dsa_hw_desc *d, uint64_t list, uint32_t count,
				  uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_BATCH, flags, cr);
	d->desc_list_addr = list;
	d->desc_count = count;
}

/* DRAIN: readback addresses count only with IDXD_DRAIN_F_RDBK_ADDR1 / _ADDR2 in @flags. */
static inline void enq_prep_drain(struct dsa_hw_desc *d, uint64_t rdback1, uint64_t rdback2,
				  uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_DRAIN, flags, cr);
	d->rdback_addr = rdback1;
	d->rdback_addr2 = rdback2;
}

static inline void enq_prep_memmove(struct dsa_hw_desc *d, uint64_t dst, uint64_t src, uint32_t len,
				    uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_MEMMOVE, flags, cr);
	d->src_addr = src;
	d->dst_addr = dst;
	d->xfer_size = len;
}

/* MEMFILL, 8-byte pattern: dst byte i = pattern byte (i mod 8), little-endian. */
static inline void enq_prep_memfill(struct dsa_hw_desc *d, uint64_t dst, uint64_t pattern,
				    uint32_t len, uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_MEMFILL, flags, cr);
	d->pattern = pattern;
	d->dst_addr = dst;
	d->xfer_size = len;
}

/* MEMFILL, 16-byte pattern (DSA 2): @lo at byte 16, @hi at byte 40, IDXD_FILL_F_16B. */
static inline void enq_prep_memfill16(struct dsa_hw_desc *d, uint64_t dst, uint64_t lo, uint64_t hi,
				      uint32_t len, uint32_t flags,
				      struct dsa_completion_record *cr)
{
	enq_prep_memfill(d, dst, lo, len, flags | IDXD_FILL_F_16B, cr);
	memcpy((uint8_t *)d + IDXD_DESC_PATTERN_UPPER_OFF, &hi, sizeof(hi));
}

/* COMPARE: result 0 equal, 1 different (bytes_completed = first difference). */
static inline void enq_prep_compare(struct dsa_hw_desc *d, uint64_t src1, uint64_t src2,
				    uint32_t len, uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_COMPARE, flags, cr);
	d->src_addr = src1;
	d->src2_addr = src2;
	d->xfer_size = len;
}

/* COMPVAL: compares @src with the 8-byte @pattern repeated. */
static inline void enq_prep_compval(struct dsa_hw_desc *d, uint64_t src, uint64_t pattern,
				    uint32_t len, uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_COMPVAL, flags, cr);
	d->src_addr = src;
	d->comp_pattern = pattern;
	d->xfer_size = len;
}

/*
 * COMPARE / COMPVAL with a check: IDXD_OP_FLAG_CR and expected_res (byte 40); a result other
 * than @res completes with SUCCESS_PRED. Call after the prep helper.
 */
static inline void enq_desc_set_expected(struct dsa_hw_desc *d, uint8_t res)
{
	d->flags |= IDXD_OP_FLAG_CR;
	d->expected_res = res;
}

/*
 * CR_DELTA: 8-byte words of @src1 and @src2 (multiples of 8) are compared; each difference
 * adds a 10-byte entry at @delta, up to @max_delta bytes (a multiple of 10, >= 80).
 */
static inline void enq_prep_cr_delta(struct dsa_hw_desc *d, uint64_t src1, uint64_t src2,
				     uint32_t len, uint64_t delta, uint32_t max_delta,
				     uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_CR_DELTA, flags, cr);
	d->src_addr = src1;
	d->src2_addr = src2;
	d->xfer_size = len;
	d->delta_addr = delta;
	d->max_delta_size = max_delta;
}

/* CR_DELTA with a check: SUCCESS iff bit[result] of @mask (IDXD_DELTA_EXPECT()) is set. */
static inline void enq_desc_set_expected_mask(struct dsa_hw_desc *d, uint8_t mask)
{
	d->flags |= IDXD_OP_FLAG_CR;
	d->expected_res_mask = mask;
}

/* AP_DELTA: applies the @delta_size-byte record at @delta to @dst (@len bytes). */
static inline void enq_prep_ap_delta(struct dsa_hw_desc *d, uint64_t dst, uint32_t len,
				     uint64_t delta, uint32_t delta_size, uint32_t flags,
				     struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_AP_DELTA, flags, cr);
	d->src_addr = delta;
	d->dst_addr = dst;
	d->xfer_size = len;
	d->delta_rec_size = delta_size;
}

/* DUALCAST: @src to @dst1 and @dst2, which must agree in bits 11:0. */
static inline void enq_prep_dualcast(struct dsa_hw_desc *d, uint64_t dst1, uint64_t dst2,
				     uint64_t src, uint32_t len, uint32_t flags,
				     struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_DUALCAST, flags, cr);
	d->src_addr = src;
	d->dst_addr = dst1;
	d->dest2 = dst2;
	d->xfer_size = len;
}

/* CRCGEN: CRC-32C of @src from @seed (crc_val in the record; reference §2.1). */
static inline void enq_prep_crcgen(struct dsa_hw_desc *d, uint64_t src, uint32_t len, uint32_t seed,
				   uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_CRCGEN, flags, cr);
	d->src_addr = src;
	d->xfer_size = len;
	d->crc_seed = seed;
}

/* COPY_CRC: CRCGEN plus a copy to @dst. */
static inline void enq_prep_copy_crc(struct dsa_hw_desc *d, uint64_t dst, uint64_t src,
				     uint32_t len, uint32_t seed, uint32_t flags,
				     struct dsa_completion_record *cr)
{
	enq_prep_crcgen(d, src, len, seed, flags, cr);
	d->opcode = DSA_OPCODE_COPY_CRC;
	d->dst_addr = dst;
}

/* CRCGEN / COPY_CRC reading the seed from @addr (4-byte aligned): IDXD_CRC_F_READ_SEED. */
static inline void enq_desc_set_crc_seed_addr(struct dsa_hw_desc *d, uint64_t addr)
{
	d->flags |= IDXD_CRC_F_READ_SEED;
	d->seed_addr = addr;
}

/* DIF_CHECK: @len = blocks * (block size + 8); @dif_flags selects the block size. */
static inline void enq_prep_dif_check(struct dsa_hw_desc *d, uint64_t src, uint32_t len,
				      uint8_t src_dif_flags, uint8_t dif_flags,
				      const struct enq_dif_tags *chk, uint32_t flags,
				      struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_DIF_CHECK, flags, cr);
	d->src_addr = src;
	d->xfer_size = len;
	d->src_dif_flags = src_dif_flags;
	d->dif_chk_flags = dif_flags;
	d->chk_ref_tag_seed = chk->ref_seed;
	d->chk_app_tag_mask = chk->app_mask;
	d->chk_app_tag_seed = chk->app_seed;
}

/* DIF_INS: @len = blocks * block size of source; writes blocks * (block size + 8). */
static inline void enq_prep_dif_insert(struct dsa_hw_desc *d, uint64_t dst, uint64_t src,
				       uint32_t len, uint8_t dest_dif_flags, uint8_t dif_flags,
				       const struct enq_dif_tags *ins, uint32_t flags,
				       struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_DIF_INS, flags, cr);
	d->src_addr = src;
	d->dst_addr = dst;
	d->xfer_size = len;
	d->dest_dif_flag = dest_dif_flags;
	d->dif_ins_flags = dif_flags;
	d->ins_ref_tag_seed = ins->ref_seed;
	d->ins_app_tag_mask = ins->app_mask;
	d->ins_app_tag_seed = ins->app_seed;
}

/* DIF_STRP: checks like DIF_CHECK and writes the blocks without their tuples to @dst. */
static inline void enq_prep_dif_strip(struct dsa_hw_desc *d, uint64_t dst, uint64_t src,
				      uint32_t len, uint8_t src_dif_flags, uint8_t dif_flags,
				      const struct enq_dif_tags *chk, uint32_t flags,
				      struct dsa_completion_record *cr)
{
	enq_prep_dif_check(d, src, len, src_dif_flags, dif_flags, chk, flags, cr);
	d->opcode = DSA_OPCODE_DIF_STRP;
	d->dst_addr = dst;
}

/* DIF_UPDT: checks with the @src set, rewrites the tuples with the @dst set. */
static inline void enq_prep_dif_update(struct dsa_hw_desc *d, uint64_t dst, uint64_t src,
				       uint32_t len, uint8_t src_dif_flags, uint8_t dest_dif_flags,
				       uint8_t dif_flags, const struct enq_dif_tags *src_tags,
				       const struct enq_dif_tags *dst_tags, uint32_t flags,
				       struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_DIF_UPDT, flags, cr);
	d->src_addr = src;
	d->dst_addr = dst;
	d->xfer_size = len;
	d->src_upd_flags = src_dif_flags;
	d->upd_dest_flags = dest_dif_flags;
	d->dif_upd_flags = dif_flags;
	d->src_ref_tag_seed = src_tags->ref_seed;
	d->src_app_tag_mask = src_tags->app_mask;
	d->src_app_tag_seed = src_tags->app_seed;
	d->dest_ref_tag_seed = dst_tags->ref_seed;
	d->dest_app_tag_mask = dst_tags->app_mask;
	d->dest_app_tag_seed = dst_tags->app_seed;
}

/* CFLUSH: without IDXD_OP_FLAG_CC invalidates the lines; with it writes them back and keeps
 * them. */
static inline void enq_prep_cflush(struct dsa_hw_desc *d, uint64_t dst, uint32_t len,
				   uint32_t flags, struct dsa_completion_record *cr)
{
	enq_dsa_prep(d, DSA_OPCODE_CFLUSH, flags, cr);
	d->dst_addr = dst;
	d->xfer_size = len;
}

/* ---- IAA --------------------------------------------------------------------------------- */

static inline void enq_iax_prep_noop(struct iax_hw_desc *d, uint32_t flags,
				     struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_NOOP, flags, cr);
}

static inline void enq_iax_prep_drain(struct iax_hw_desc *d, uint32_t flags,
				      struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_DRAIN, flags, cr);
}

static inline void enq_iax_prep_memmove(struct iax_hw_desc *d, uint64_t dst, uint64_t src,
					uint32_t len, uint32_t flags,
					struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_MEMMOVE, flags, cr);
	d->src1_addr = src;
	d->dst_addr = dst;
	d->src1_size = len;
}

/*
 * COMPRESS: deflate @src_len bytes at @src into at most @dst_max bytes at @dst.
 * @compr_flags: IDXD_IAX_COMPF_* (statistics mode, flush, end processing / EOB, ...).
 * @aecs, @aecs_size: the AECS (32-byte aligned, size a multiple of 32), or 0, 0; say how it is
 *	used with IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS) / IDXD_IAX_F_WR_SRC2(...) /
 *	IDXD_IAX_F_AECS_SEL in @flags.
 * The kernel's iaa_crypto uses flags CRAV | RCR | CC | RD_SRC2(AECS) and compr_flags
 * IDXD_IAX_COMPF_IAA_CRYPTO (flush, append EOB) with its fixed-Huffman AECS; statistics mode
 * writes IDXD_IAX_STATS_HIST_SIZE bytes.
 */
static inline void enq_iax_prep_compress(struct iax_hw_desc *d, uint64_t dst, uint32_t dst_max,
					 uint64_t src, uint32_t src_len, uint16_t compr_flags,
					 uint64_t aecs, uint32_t aecs_size, uint32_t flags,
					 struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_COMPRESS, flags, cr);
	d->src1_addr = src;
	d->src1_size = src_len;
	d->dst_addr = dst;
	d->max_dst_size = dst_max;
	d->compr_flags = compr_flags;
	d->src2_addr = aecs;
	d->src2_size = aecs_size;
}

/*
 * DECOMPRESS: inflate @src_len bytes at @src into at most @dst_max bytes at @dst.
 * @decompr_flags: IDXD_IAX_DECOMPF_* (ENABLE is required; FLUSH_OUTPUT, STOP/CHECK_FOR_EOB...;
 *	the kernel's set is IDXD_IAX_DECOMPF_IAA_CRYPTO).
 * @aecs, @aecs_size: the decompress AECS (state to resume a stream), or 0, 0; used per the
 *	RD/WR_SRC2 bits in @flags.
 */
static inline void enq_iax_prep_decompress(struct iax_hw_desc *d, uint64_t dst, uint32_t dst_max,
					   uint64_t src, uint32_t src_len, uint16_t decompr_flags,
					   uint64_t aecs, uint32_t aecs_size, uint32_t flags,
					   struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_DECOMPRESS, flags, cr);
	d->src1_addr = src;
	d->src1_size = src_len;
	d->dst_addr = dst;
	d->max_dst_size = dst_max;
	d->decompr_flags = decompr_flags;
	d->src2_addr = aecs;
	d->src2_size = aecs_size;
}

/*
 * CRC64: @poly (narrower polynomials MSB-aligned) at byte 56, @crc_flags
 * (IDXD_IAX_CRC64F_*) at bytes 38-39; the result is a u64 at record byte 40.
 */
static inline void enq_iax_prep_crc64(struct iax_hw_desc *d, uint64_t src, uint32_t len,
				      uint64_t poly, uint16_t crc_flags, uint32_t flags,
				      struct iax_completion_record *cr)
{
	enq_iax_prep(d, IAX_OPCODE_CRC64, flags, cr);
	d->src1_addr = src;
	d->src1_size = len;
	d->compr_flags = crc_flags;
	memcpy((uint8_t *)d + IDXD_IAX_DESC_CRC64_POLY_OFF, &poly, sizeof(poly));
}

#endif /* SVART_ENQCMD_ENQ_DESC_H */
