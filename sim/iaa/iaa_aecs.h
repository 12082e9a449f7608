/* SPDX-License-Identifier: MIT */
/*
 * The compress AECS moved to enqcmd/enq_aecs.h (hardware format helpers live in enqcmd/ so the
 * runtime and sim share them). These names keep sim's executor and its tests reading as before.
 */
#ifndef SVART_SIM_IAA_IAA_AECS_H
#define SVART_SIM_IAA_IAA_AECS_H

#include "enqcmd/enq_aecs.h"

#define iaa_aecs_comp enq_aecs_comp
#define iaa_aecs_hist enq_aecs_hist

#define IAA_AECS_LL_SYMS ENQ_AECS_LL_SYMS
#define IAA_AECS_D_SYMS ENQ_AECS_D_SYMS
#define IAA_AECS_EOB ENQ_AECS_EOB
#define IAA_AECS_ACCUM_BYTES ENQ_AECS_ACCUM_BYTES
#define IAA_AECS_ACCUM_BITS ENQ_AECS_ACCUM_BITS
#define IAA_AECS_CODE_LEN_SHIFT ENQ_AECS_CODE_LEN_SHIFT
#define IAA_AECS_CODE_MASK ENQ_AECS_CODE_MASK
#define IAA_AECS_MAX_CODE_LEN ENQ_AECS_MAX_CODE_LEN
#define IAA_AECS_CODE(len, code) ENQ_AECS_CODE(len, code)

static inline unsigned int iaa_aecs_code_len(uint32_t sym)
{
	return enq_aecs_code_len(sym);
}

static inline unsigned int iaa_aecs_code_bits(uint32_t sym)
{
	return enq_aecs_code_bits(sym);
}

static inline int iaa_aecs_comp_append_bits(struct enq_aecs_comp *aecs, const uint8_t *bits,
					    unsigned int nbits)
{
	return enq_aecs_comp_append_bits(aecs, bits, nbits);
}

static inline int iaa_aecs_comp_set_fixed(struct enq_aecs_comp *aecs, bool bfinal)
{
	return enq_aecs_comp_set_fixed(aecs, bfinal);
}

static inline int iaa_aecs_comp_set_dynamic(struct enq_aecs_comp *aecs,
					    const struct enq_aecs_hist *hist, bool bfinal)
{
	return enq_aecs_comp_set_dynamic(aecs, hist, bfinal);
}

#endif /* SVART_SIM_IAA_IAA_AECS_H */
