/* SPDX-License-Identifier: MIT */
/*
 * sim IAA executor internals, shared by iaa_exec.c (dispatch, validation, completion),
 * iaa_compress.c, iaa_decompress.c and iaa_crc64.c.
 *
 * Memory. Every device access to process memory goes through sim_dma into per-engine staging
 * buffers (struct iaa_state): the deflate code (ours and ISA-L's) only ever touches memory the
 * engine owns, so it needs no guard and works the same whatever the translation's runs look
 * like. The extra copy costs a few percent next to compression; the staging sizes bound it.
 */
#ifndef SVART_SIM_IAA_IAA_PRIV_H
#define SVART_SIM_IAA_IAA_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/idxd.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/iaa/iaa_aecs.h"

/* ---- Limits of the model ---- */

#define IAA_HIST 4096u /* the device's history window */
#define IAA_MAX_MATCH 258u
#define IAA_MIN_MATCH 4u /* the matcher finds matches of 4 or more (deflate allows 3) */

/* Compress: input is staged in chunks after IAA_HIST bytes of history. */
#define IAA_CIN_CHUNK (256u * 1024)
#define IAA_CIN_SIZE (IAA_HIST + IAA_MAX_MATCH + IAA_CIN_CHUNK + 16)
/* Compressed output is staged and flushed to the destination when this much is pending. */
#define IAA_COUT_FLUSH (64u * 1024)
#define IAA_COUT_SIZE (IAA_COUT_FLUSH + 1024)
#define IAA_HASH_BITS 14
/* Positions inside a match that join the hash table (speed against ratio). */
#define IAA_HASH_INSERT 3
/* The statistics pass's tokens are kept for a COMPRESS of the same bytes (see iaa_compress.c). */
#define IAA_MEMO_MAX_IN (2u * 1024 * 1024)
#define IAA_MEMO_MAX_TOK (512u * 1024)

/*
 * Decompress: input staging and an output staging of IAA_HIST history + a segment. 64 KiB
 * segments keep the staging in L2 between ISA-L's stores and the copy to the destination
 * (256 KiB ones cost 0.81x isal_inflate at 1 MiB instead of 0.91x: docs/SIM_DEVICES.md).
 */
#define IAA_DIN_CHUNK (64u * 1024)
#define IAA_DOUT_SEG (64u * 1024)
#define IAA_DOUT_SLACK 1024u /* ISA-L may store past avail_out; pending bytes land here too */
#define IAA_DOUT_SIZE (IAA_HIST + IAA_DOUT_SEG + IAA_DOUT_SLACK)
/* Raw bits of one block header: the longest deflate header is under 4500 bits. */
#define IAA_HDR_MAX_BYTES 576u

/* ---- Decompress AECS: the sim's own layout (see docs/SIM_DEVICES.md) ---- */

/*
 * Real hardware keeps its inflate state in undocumented AECS bits. sim keeps its own, within
 * the 0x1500-byte decompress AECS, behind a magic word: crc and xor_checksum stay at 0 and 4
 * where software reads them; a header-less (all-zero past offset 8) AECS is a fresh stream.
 */
#define IAA_DAECS_MAGIC 0x53494d31u /* "SIM1" */
#define IAA_DAECS_SIZE 0x1500u

enum iaa_dblk {
	IAA_DBLK_NONE = 0, /* between blocks: the next bits are a block header */
	IAA_DBLK_STORED,
	IAA_DBLK_HUFF, /* fixed or dynamic; hdr[] holds the raw header bits */
	IAA_DBLK_DONE, /* after the final block's EOB */
};

struct iaa_daecs {
	uint32_t crc;
	uint32_t xor_checksum;
	uint32_t magic;
	uint8_t blk; /* enum iaa_dblk */
	uint8_t bfinal; /* of the current block */
	uint8_t last_eob; /* the last token was an EOB (bit 0), of a final block (bit 1) */
	uint8_t rsvd0;
	uint32_t stored_rem; /* IAA_DBLK_STORED: bytes left */
	uint32_t hist_len; /* valid bytes at the end of history[] */
	uint64_t total_out; /* stream output so far (saturated use: references before start) */
	uint64_t acc; /* input bits consumed but not decoded, first bit in bit 0 */
	uint16_t acc_bits; /* 0..64 */
	uint16_t hdr_bits; /* IAA_DBLK_HUFF: header length; IAA_DBLK_NONE: partial header bits */
	uint16_t pend_len; /* output decoded but not yet written (it did not fit) */
	uint16_t rsvd1;
	uint8_t hdr[IAA_HDR_MAX_BYTES];
	uint8_t pend[IAA_MAX_MATCH + 6];
	uint8_t rsvd2[2];
	uint8_t history[IAA_HIST];
};

_Static_assert(sizeof(struct iaa_daecs) <= IAA_DAECS_SIZE, "sim decompress state fits the AECS");

/* ---- Per-engine state ---- */

struct iaa_crc64_cache {
	bool valid;
	bool refl;
	uint64_t poly;
	uint64_t tab[8][256];
};

/* Encoder tables derived from one AECS's codes; rebuilt when the codes change. */
struct iaa_enc {
	bool valid;
	uint32_t ll_sym[IAA_AECS_LL_SYMS]; /* the codes these tables were built from */
	uint32_t d_sym[IAA_AECS_D_SYMS];
	/* bit-reversed code | length << 16 (one load per literal); length 0 = no code */
	uint32_t lit[257];
	uint32_t len_bits[IAA_MAX_MATCH + 1]; /* code | extra << n, by match length */
	uint8_t len_n[IAA_MAX_MATCH + 1];
	uint32_t dist_bits[IAA_HIST + 1];
	uint8_t dist_n[IAA_HIST + 1];
};

/*
 * The LZ77 tokens of the last statistics pass and a copy of its input. A token is a literal
 * run (count, bit 31 clear) or a match (bit 31, distance << 9 | length).
 */
struct iaa_memo {
	bool valid;
	bool lits_only;
	uint32_t size;
	uint32_t ntok;
	uint8_t *in;
	uint32_t *tok;
};

#define IAA_TOK_MATCH (1u << 31)

struct inflate_state;

struct iaa_state {
	/* compress */
	uint16_t *head; /* 1 << IAA_HASH_BITS positions, modulo 64 KiB */
	uint8_t *cin;
	uint8_t *cout;
	struct iaa_enc *enc;
	struct iaa_memo memo;
	uint8_t len_sym[IAA_MAX_MATCH + 1]; /* match length -> length symbol - 257 */
	uint8_t dist_sym[IAA_HIST + 1]; /* distance -> distance symbol */
	/* decompress */
	struct inflate_state *inf;
	uint8_t *din;
	uint8_t *dout;
	struct iaa_daecs *daecs; /* the state in and out */
	/* AECS images */
	struct iaa_aecs_comp *caecs;
	struct iaa_crc64_cache *crc64;
};

/* ---- One descriptor ---- */

struct iaa_job {
	struct sim_exec *x;
	struct iaa_state *st;
	const struct iax_hw_desc *d;
	uint32_t flags; /* op flags 23:0 */
	uint8_t opcode;
	uint16_t opflags; /* compression / decompression / CRC64 flags (bytes 38-39) */
	uint64_t src1, dst, src2;
	uint32_t src1_size, max_dst, src2_size;
	/* AECS: read at aecs_rd if aecs_read, written at aecs_wr per wr_src2 */
	bool aecs_read;
	unsigned int wr_src2;
	uint64_t aecs_rd, aecs_wr;
	bool crc32c;
	/* checksums of the op's data stream (compress: input, decompress: output) */
	uint32_t crc;
	uint16_t xor_csum;
	bool xor_odd; /* an odd byte is waiting for its partner */
	struct iax_completion_record rec;
};

/* Deflate's length and distance symbol tables (RFC 1951 3.2.5). */
extern const uint16_t iaa_len_base[29];
extern const uint8_t iaa_len_extra[29];
extern const uint16_t iaa_dist_base[30];
extern const uint8_t iaa_dist_extra[30];

/* Execution of one opcode: fills job->rec (not status) and returns the status. */
uint8_t iaa_compress(struct iaa_job *job);
uint8_t iaa_decompress(struct iaa_job *job);
uint8_t iaa_crc64(struct iaa_job *job);

/* Status for the fault in job->x->dma->fault; fills fault_addr, clears partial results. */
uint8_t iaa_fault(struct iaa_job *job);
/* ANALYTICS_ERROR with @code. */
uint8_t iaa_analytics_error(struct iaa_job *job, uint8_t code);
/* Fold @len bytes into the job's CRC-32/CRC-32C and XOR checksum. */
void iaa_csum(struct iaa_job *job, const uint8_t *buf, size_t len);

/* Analytics error codes (QPL hw_status.h, docs/reference). */
enum {
	IAA_AE_BIGHDR = 1,
	IAA_AE_UNDEF_CL_CODE = 2,
	IAA_AE_FIRST_LL_CODE_16 = 3,
	IAA_AE_NO_LL_CODE = 5,
	IAA_AE_WRONG_NUM_LL_CODES = 6,
	IAA_AE_WRONG_NUM_D_CODES = 7,
	IAA_AE_BAD_CL_CODE_LEN = 8,
	IAA_AE_BAD_LL_CODE_LEN = 9,
	IAA_AE_BAD_D_CODE_LEN = 10,
	IAA_AE_BAD_LL_CODE = 11,
	IAA_AE_BAD_D_CODE = 12,
	IAA_AE_INVALID_BLOCK_TYPE = 13,
	IAA_AE_INVALID_STORED_LEN = 14,
	IAA_AE_BAD_EOF = 15,
	IAA_AE_BAD_LEN = 16,
	IAA_AE_BAD_DIST = 17,
	IAA_AE_REF_BEFORE_START = 18,
	IAA_AE_AECS_ERROR = 22,
	IAA_AE_UNRECOVERABLE_OUTPUT_OVERFLOW = 25,
	IAA_AE_INVALID_HUFFCODE = 30,
	IAA_AE_TOO_MANY_LL_CODES = 35,
	IAA_AE_TOO_MANY_D_CODES = 36,
};

#endif /* SVART_SIM_IAA_IAA_PRIV_H */
