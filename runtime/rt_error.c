// SPDX-License-Identifier: MIT
/*
 * svart_strerror(): errno text, and the DSA/IAA completion statuses by their spec names.
 *
 * strerror() is neither thread-safe nor stable across locales, so errno text comes from
 * strerrordesc_np() (glibc 2.32+), which returns static English strings.
 */
#include <string.h>
#include <linux/idxd.h>

#include "svart.h"

struct rt_status_text {
	uint8_t status;
	const char *text;
};

/* DSA completion status codes (DSA spec, table "Completion Status"). */
static const struct rt_status_text dsa_status[] = {
	{ DSA_COMP_SUCCESS, "DSA: success" },
	{ DSA_COMP_SUCCESS_PRED, "DSA: success with false predicate" },
	{ DSA_COMP_PAGE_FAULT_NOBOF, "DSA: partial completion, page fault (block-on-fault off)" },
	{ DSA_COMP_PAGE_FAULT_IR, "DSA: page fault response invalid" },
	{ DSA_COMP_BATCH_FAIL, "DSA: batch: one or more descriptors failed" },
	{ DSA_COMP_BATCH_PAGE_FAULT, "DSA: batch: page fault reading the descriptor list" },
	{ DSA_COMP_DR_OFFSET_NOINC, "DSA: delta record offsets not increasing" },
	{ DSA_COMP_DR_OFFSET_ERANGE, "DSA: delta record offset out of range" },
	{ DSA_COMP_DIF_ERR, "DSA: DIF check error" },
	{ DSA_COMP_BAD_OPCODE, "DSA: unsupported operation code" },
	{ DSA_COMP_INVALID_FLAGS, "DSA: invalid flags" },
	{ DSA_COMP_NOZERO_RESERVE, "DSA: non-zero reserved field" },
	{ DSA_COMP_XFER_ERANGE, "DSA: transfer size out of range" },
	{ DSA_COMP_DESC_CNT_ERANGE, "DSA: batch descriptor count out of range" },
	{ DSA_COMP_DR_ERANGE, "DSA: delta record size out of range" },
	{ DSA_COMP_OVERLAP_BUFFERS, "DSA: overlapping buffers" },
	{ DSA_COMP_DCAST_ERR, "DSA: dualcast destinations differ in address bits 11:0" },
	{ DSA_COMP_DESCLIST_ALIGN, "DSA: misaligned batch descriptor list" },
	{ DSA_COMP_INT_HANDLE_INVAL, "DSA: invalid interrupt handle" },
	{ DSA_COMP_CRA_XLAT, "DSA: completion record address translation fault" },
	{ DSA_COMP_CRA_ALIGN, "DSA: misaligned completion record address" },
	{ DSA_COMP_ADDR_ALIGN, "DSA: misaligned address" },
	{ DSA_COMP_PRIV_BAD, "DSA: privileged descriptor not allowed" },
	{ DSA_COMP_TRAFFIC_CLASS_CONF, "DSA: traffic class configuration error" },
	{ DSA_COMP_PFAULT_RDBA, "DSA: page fault on readback address" },
	{ DSA_COMP_HW_ERR1, "DSA: hardware error" },
	{ DSA_COMP_HW_ERR_DRB, "DSA: hardware error (drain readback)" },
	{ DSA_COMP_TRANSLATION_FAIL, "DSA: address translation failure" },
};

/* IAA completion status codes (IAA spec, table "Completion Status"). */
static const struct rt_status_text iaa_status[] = {
	{ IAX_COMP_SUCCESS, "IAA: success" },
	{ 0x03, "IAA: page fault (block-on-fault off); the descriptor must be resubmitted" },
	{ IAX_COMP_PAGE_FAULT_IR, "IAA: page fault response invalid" },
	{ IAX_COMP_ANALYTICS_ERROR, "IAA: analytics error" },
	{ IAX_COMP_OUTBUF_OVERFLOW, "IAA: output buffer overflow" },
	{ IAX_COMP_BAD_OPCODE, "IAA: unsupported operation code" },
	{ IAX_COMP_INVALID_FLAGS, "IAA: invalid flags" },
	{ IAX_COMP_NOZERO_RESERVE, "IAA: non-zero reserved field" },
	{ IAX_COMP_INVALID_SIZE, "IAA: invalid size" },
	{ IAX_COMP_OVERLAP_BUFFERS, "IAA: overlapping buffers" },
	{ IAX_COMP_INT_HANDLE_INVAL, "IAA: invalid interrupt handle" },
	{ IAX_COMP_CRA_XLAT, "IAA: completion record address translation fault" },
	{ IAX_COMP_CRA_ALIGN, "IAA: misaligned completion record address" },
	{ IAX_COMP_ADDR_ALIGN, "IAA: misaligned address" },
	{ IAX_COMP_PRIV_BAD, "IAA: privileged descriptor not allowed" },
	{ IAX_COMP_TRAFFIC_CLASS_CONF, "IAA: traffic class configuration error" },
	{ IAX_COMP_PFAULT_RDBA, "IAA: page fault on readback address" },
	{ IAX_COMP_HW_ERR1, "IAA: hardware error" },
	{ IAX_COMP_HW_ERR_DRB, "IAA: hardware error (drain readback)" },
	{ IAX_COMP_TRANSLATION_FAIL, "IAA: address translation failure" },
	{ IAX_COMP_PRS_TIMEOUT, "IAA: page request timeout" },
	{ IAX_COMP_WATCHDOG, "IAA: watchdog expired" },
	{ IAX_COMP_INVALID_COMP_FLAG, "IAA: invalid compression flags" },
	{ IAX_COMP_INVALID_FILTER_FLAG, "IAA: invalid filter flags" },
	{ IAX_COMP_INVALID_INPUT_SIZE, "IAA: invalid input size" },
	{ IAX_COMP_INVALID_NUM_ELEMS, "IAA: invalid number of elements" },
	{ IAX_COMP_INVALID_SRC1_WIDTH, "IAA: invalid source-1 element width" },
	{ IAX_COMP_INVALID_INVERT_OUT, "IAA: invalid invert-output flag" },
};

/* IAA analytics error codes (completion record byte 1, IAA spec "Analytics Error Codes"). */
static const struct rt_status_text iaa_analytics[] = {
	{ 1, "IAA: decompress: header too big" },
	{ 2, "IAA: decompress: undefined code-length code" },
	{ 3, "IAA: decompress: first literal/length code has length 16" },
	{ 4, "IAA: decompress: first distance code has length 16" },
	{ 5, "IAA: decompress: no literal/length codes" },
	{ 6, "IAA: decompress: wrong number of literal/length codes" },
	{ 7, "IAA: decompress: wrong number of distance codes" },
	{ 8, "IAA: decompress: bad code-length code length" },
	{ 9, "IAA: decompress: bad literal/length code length" },
	{ 10, "IAA: decompress: bad distance code length" },
	{ 11, "IAA: decompress: bad literal/length code" },
	{ 12, "IAA: decompress: bad distance code" },
	{ 13, "IAA: decompress: invalid block type 3" },
	{ 14, "IAA: decompress: stored block LEN does not match NLEN" },
	{ 15, "IAA: decompress: bad end of file" },
	{ 16, "IAA: decompress: bad length" },
	{ 17, "IAA: decompress: distance zero or beyond the history window" },
	{ 18, "IAA: decompress: reference before the start of the stream" },
	{ 19, "IAA: timeout" },
	{ 20, "IAA: PRLE format error" },
	{ 21, "IAA: output element width too small" },
	{ 22, "IAA: AECS error" },
	{ 23, "IAA: source 1 too small" },
	{ 24, "IAA: source 2 too small" },
	{ 25, "IAA: unrecoverable output overflow" },
	{ 26, "IAA: distance spans mini-blocks" },
	{ 27, "IAA: length spans mini-blocks" },
	{ 28, "IAA: bad mini-block size" },
	{ 29, "IAA: verify failure" },
	{ 30, "IAA: invalid Huffman code" },
	{ 31, "IAA: PRLE bit width greater than 32" },
	{ 32, "IAA: too few elements" },
	{ 34, "IAA: zero-decompress header error" },
	{ 35, "IAA: more than 286 literal/length codes" },
	{ 36, "IAA: more than 30 distance codes" },
};

static const char *rt_lookup(const struct rt_status_text *t, size_t n, unsigned int status)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].status == status)
			return t[i].text;
	return NULL;
}

#define RT_LOOKUP(t, s) rt_lookup(t, sizeof(t) / sizeof((t)[0]), s)

SVART_API const char *svart_strerror(int err)
{
	const char *s = NULL;
	unsigned int e;

	if (err == 0)
		return "Success";
	/* -INT_MIN overflows; treat it as unknown rather than invoking UB. */
	if (err == (int)(1u << 31))
		return "Unknown error";
	e = err < 0 ? (unsigned int)-err : (unsigned int)err;

	if (e < SVART_EBASE) {
		s = strerrordesc_np((int)e);
	} else if (e < SVART_EBASE + 0x100) {
		s = RT_LOOKUP(dsa_status, e - SVART_EBASE);
		if (!s)
			s = "DSA: unknown completion status";
	} else if (e < SVART_EBASE + 0x200) {
		s = RT_LOOKUP(iaa_status, e - SVART_EBASE - 0x100);
		if (!s)
			s = "IAA: unknown completion status";
	} else if (e < SVART_EMAX) {
		s = RT_LOOKUP(iaa_analytics, e - SVART_EBASE - 0x200);
		if (!s)
			s = "IAA: analytics error";
	}
	return s ? s : "Unknown error";
}

SVART_API const char *svart_version(void)
{
#define RT_STR2(x) #x
#define RT_STR(x) RT_STR2(x)
	return RT_STR(SVART_VERSION_MAJOR) "." RT_STR(SVART_VERSION_MINOR) "." RT_STR(
		SVART_VERSION_PATCH);
}
