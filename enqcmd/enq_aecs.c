// SPDX-License-Identifier: MIT
/*
 * Building compress AECS images. See enq_aecs.h.
 *
 * Dynamic codes come from ISA-L: isal_create_hufftables() builds length-limited codes for every
 * symbol and the matching dynamic block header, which is what QPL's two-pass mode does (its
 * hw_create_huff_tables derives from the same ISA-L code). ISA-L keeps the codes bit-reversed
 * for emission and packs the length codes with their extra bits; they are turned back into the
 * AECS's natural-order (length << 15) | code entries here.
 */
#include "enqcmd/enq_aecs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

/* Deflate: extra bits of length symbols 257..285 and the first length of each. */
static const uint8_t aecs_len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
					    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t aecs_len_base[29] = { 3,	4,  5,	6,   7,	  8,   9,   10,	 11, 13,
					    15, 17, 19, 23,  27,  31,  35,  43,	 51, 59,
					    67, 83, 99, 115, 131, 163, 195, 227, 258 };

static unsigned int aecs_bitrev(unsigned int v, unsigned int n)
{
	unsigned int r = 0;

	for (unsigned int i = 0; i < n; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

int enq_aecs_comp_append_bits(struct enq_aecs_comp *aecs, const uint8_t *bits, unsigned int nbits)
{
	unsigned int at = aecs->num_output_accum_bits;

	if (at > ENQ_AECS_ACCUM_BITS || nbits > ENQ_AECS_ACCUM_BITS - at)
		return -ENOSPC;
	for (unsigned int i = 0; i < nbits; i++, at++) {
		unsigned int b = (bits[i / 8] >> (i % 8)) & 1;
		uint8_t *p = &aecs->output_accum[at / 8];

		*p = (uint8_t)((*p & ~(1u << (at % 8))) | (b << (at % 8)));
	}
	aecs->num_output_accum_bits = at;
	return 0;
}

int enq_aecs_comp_set_fixed(struct enq_aecs_comp *aecs, bool bfinal)
{
	/* BFINAL, then BTYPE = 01 sent least significant bit first. */
	uint8_t hdr = (uint8_t)((bfinal ? 1 : 0) | 1u << 1);
	unsigned int s;

	for (s = 0; s < ENQ_AECS_LL_SYMS; s++) {
		if (s < 144)
			aecs->ll_sym[s] = ENQ_AECS_CODE(8, 0x30 + s);
		else if (s < 256)
			aecs->ll_sym[s] = ENQ_AECS_CODE(9, 0x190 + s - 144);
		else if (s < 280)
			aecs->ll_sym[s] = ENQ_AECS_CODE(7, s - 256);
		else
			aecs->ll_sym[s] = ENQ_AECS_CODE(8, 0xc0 + s - 280);
	}
	for (s = 0; s < ENQ_AECS_D_SYMS; s++)
		aecs->d_sym[s] = ENQ_AECS_CODE(5, s);
	return enq_aecs_comp_append_bits(aecs, &hdr, 3);
}

/* ISA-L's working set is ~20 KiB (its histogram carries a hash table): heap, not stack. */
struct aecs_isal {
	struct isal_huff_histogram hist;
	struct isal_hufftables ht;
};

size_t enq_aecs_dyn_work_size(void)
{
	return sizeof(struct aecs_isal);
}

int enq_aecs_comp_set_dynamic_ws(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
				 bool bfinal, void *work)
{
	struct aecs_isal *w = work;
	unsigned int s, nbits;

	memset(w, 0, sizeof(*w));
	for (s = 0; s < ENQ_AECS_LL_SYMS; s++)
		w->hist.lit_len_histogram[s] = hist->ll[s];
	for (s = 0; s < ENQ_AECS_D_SYMS; s++)
		w->hist.dist_histogram[s] = hist->d[s];
	/* A block always ends with EOB: it must have a code even if the statistics missed it. */
	if (!w->hist.lit_len_histogram[ENQ_AECS_EOB])
		w->hist.lit_len_histogram[ENQ_AECS_EOB] = 1;
	if (isal_create_hufftables(&w->ht, &w->hist))
		return -EINVAL;

	for (s = 0; s <= ENQ_AECS_EOB; s++) {
		unsigned int n = w->ht.lit_table_sizes[s];

		aecs->ll_sym[s] = ENQ_AECS_CODE(n, aecs_bitrev(w->ht.lit_table[s], n));
	}
	/* len_table[L - 3]: bits 4:0 code length + extra bits, above: code, then extra bits. */
	for (s = 0; s < 29; s++) {
		uint32_t e = w->ht.len_table[aecs_len_base[s] - 3];
		unsigned int n = (e & 0x1f) - aecs_len_extra[s];
		unsigned int code = (e >> 5) & ((1u << n) - 1);

		aecs->ll_sym[257 + s] = ENQ_AECS_CODE(n, aecs_bitrev(code, n));
	}
	for (s = 0; s < ENQ_AECS_D_SYMS; s++) {
		unsigned int n = w->ht.dcodes_sizes[s];

		aecs->d_sym[s] = ENQ_AECS_CODE(n, aecs_bitrev(w->ht.dcodes[s], n));
	}

	/* ISA-L writes the header for a final block; BFINAL is its first bit. */
	nbits = w->ht.deflate_hdr_count * 8 + w->ht.deflate_hdr_extra_bits;
	w->ht.deflate_hdr[0] = (uint8_t)((w->ht.deflate_hdr[0] & ~1u) | (bfinal ? 1 : 0));
	return enq_aecs_comp_append_bits(aecs, w->ht.deflate_hdr, nbits);
}

int enq_aecs_comp_set_dynamic(struct enq_aecs_comp *aecs, const struct enq_aecs_hist *hist,
			      bool bfinal)
{
	void *w = calloc(1, sizeof(struct aecs_isal));
	int ret;

	if (!w)
		return -ENOMEM;
	ret = enq_aecs_comp_set_dynamic_ws(aecs, hist, bfinal, w);
	free(w);
	return ret;
}
