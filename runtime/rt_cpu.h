/* SPDX-License-Identifier: MIT */
/*
 * rt_cpu: the runtime's CPU kernels. They are what a user without a device gets, and what the
 * runtime falls back to when a device cannot take a descriptor, so each one gives the result
 * the DSA/IAA operation it stands in for would give (docs/CPU_PATH.md, the reference's
 * dsa-iaa-device.md §2 and §5).
 *
 * Errors, as everywhere in svart: 0 / a count / -errno. Input the device would reject with a
 * status gives the same status as -SVART_EDSA(status) (e.g. a DIF check failure is
 * -SVART_EDSA(DSA_COMP_DIF_ERR)), so the runtime can fall back without translating; input no
 * descriptor can express (NULL buffers, unknown flags) is -EINVAL. Every kernel validates its
 * arguments before it writes anything.
 *
 * The copy, compare, fill and CRC kernels allocate nothing. rt_cpu_compress() and
 * rt_cpu_decompress() keep one ISA-L work area per thread, allocated on a thread's first call
 * and freed when the thread exits.
 */
#ifndef SVART_RUNTIME_RT_CPU_H
#define SVART_RUNTIME_RT_CPU_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- memory: MEMMOVE, MEMFILL, COMPARE, DUALCAST ---- */

/**
 * rt_cpu_memmove() - copy @len bytes from @src to @dst; the buffers may overlap (MEMMOVE).
 * @dst: destination.
 * @src: source.
 * @len: bytes; 0 does nothing.
 *
 * glibc's memmove, inline: a call of our own around it cost 10-20% at 256 bytes.
 *
 * Return: 0, or -EINVAL for a NULL buffer with @len > 0.
 */
static inline int rt_cpu_memmove(void *dst, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (!dst || !src)
		return -EINVAL;
	memmove(dst, src, len);
	return 0;
}

/**
 * rt_cpu_memfill() - fill @dst with an 8-byte pattern, as DSA MEMFILL does: byte i of @dst is
 * byte (i % 8) of @pattern in little-endian order, counted from @dst; a tail shorter than 8
 * bytes gets the pattern's low bytes.
 * @dst: destination.
 * @pattern: the pattern.
 * @len: bytes; 0 does nothing.
 *
 * Return: 0, or -EINVAL for a NULL @dst with @len > 0.
 */
int rt_cpu_memfill(void *dst, uint64_t pattern, size_t len);

/**
 * rt_cpu_memcmp() - compare two buffers (COMPARE).
 * @a: first buffer.
 * @b: second buffer.
 * @len: bytes.
 * @mismatch: if not NULL, set to the offset of the first differing byte, or to 0 when the
 *	buffers are equal (the device's bytes_completed).
 *
 * Return: 0 equal, 1 different (the device's result), or -EINVAL for a NULL buffer with
 * @len > 0.
 */
int rt_cpu_memcmp(const void *a, const void *b, size_t len, size_t *mismatch);

/**
 * rt_cpu_dualcast() - copy @src to two destinations (DUALCAST).
 * @dst1: first destination.
 * @dst2: second destination; bits 11:0 of its address must equal those of @dst1.
 * @src: source.
 * @len: bytes.
 *
 * Return: 0; -SVART_EDSA(DSA_COMP_DCAST_ERR) when the destinations differ in bits 11:0;
 * -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS) when any two of the three buffers overlap; -EINVAL
 * for a NULL buffer with @len > 0.
 */
int rt_cpu_dualcast(void *dst1, void *dst2, const void *src, size_t len);

/* ---- delta records: CR_DELTA, AP_DELTA ---- */

/*
 * The DSA delta record: one 10-byte entry per differing 8-byte word, a little-endian u16 word
 * index (byte offset / 8) and the word's 8 bytes from the second source.
 */
#define RT_CPU_DELTA_ENTRY 10
#define RT_CPU_DELTA_MAX_LEN 0x80000u /* 65536 words: the u16 index */

/**
 * rt_cpu_delta_create() - record where @src2 differs from @src1 (CR_DELTA).
 * @src1: the original.
 * @src2: the new data.
 * @len: bytes, a multiple of 8, at most RT_CPU_DELTA_MAX_LEN.
 * @delta: the record; 8-byte aligned like both sources (the device's rule).
 * @max_delta: bytes available at @delta: a multiple of 10, at least 80.
 * @delta_size: set to the bytes written to @delta.
 *
 * On overflow the record holds every entry that fit and stops, as on the device.
 *
 * Return: 0 identical, 1 a record was written, 2 the record overflowed @max_delta (the
 * device's result); -SVART_EDSA(DSA_COMP_ADDR_ALIGN) for a size or address that is not a
 * multiple of 8; -SVART_EDSA(DSA_COMP_XFER_ERANGE) for @len 0 or above the maximum;
 * -SVART_EDSA(DSA_COMP_DR_ERANGE) for a bad @max_delta; -EINVAL for NULL arguments.
 */
int rt_cpu_delta_create(const void *src1, const void *src2, size_t len, void *delta,
			size_t max_delta, size_t *delta_size);

/**
 * rt_cpu_delta_apply() - write a delta record's words into @dst (AP_DELTA).
 * @dst: the buffer the record was made against (its first source), 8-byte aligned.
 * @len: its size in bytes, a multiple of 8.
 * @delta: the record, 8-byte aligned.
 * @delta_size: its size: a multiple of 10.
 *
 * The whole record is checked before @dst is written, so a bad record leaves @dst untouched
 * (the device may have applied the entries before the bad one).
 *
 * Return: 0; -SVART_EDSA(DSA_COMP_DR_ERANGE) for a size that is not a multiple of 10;
 * -SVART_EDSA(DSA_COMP_DR_OFFSET_NOINC) when the word indexes do not increase;
 * -SVART_EDSA(DSA_COMP_DR_OFFSET_ERANGE) for an index beyond @len;
 * -SVART_EDSA(DSA_COMP_ADDR_ALIGN) for an address or @len not a multiple of 8;
 * -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS) when the record overlaps @dst; -EINVAL for NULL.
 */
int rt_cpu_delta_apply(void *dst, size_t len, const void *delta, size_t delta_size);

/* ---- T10 DIF: DIF_CHECK, DIF_INS, DIF_STRP, DIF_UPDT ---- */

/*
 * The descriptor's DIF fields. Flags are the device's: IDXD_DIF_SRC_F_* (source, for check,
 * strip and update), IDXD_DIF_DST_F_* (destination, for insert and update), IDXD_DIF_F_*
 * (block size and guard CRC seed/result inversion), from enqcmd/idxd_hw.h. An app-tag mask
 * bit set to 1 leaves that tag bit out of the check; a mask of 0xffff disables the app-tag
 * check. Tags are the values for the first block; each increments per block unless its
 * *_REF_FIXED flag is set (ref tag) or its *_APP_INCREMENT flag is clear (app tag).
 */
struct rt_cpu_dif {
	uint8_t src_flags;
	uint8_t dst_flags;
	uint8_t dif_flags;
	uint32_t src_ref_tag;
	uint16_t src_app_tag;
	uint16_t src_app_mask;
	uint32_t dst_ref_tag;
	uint16_t dst_app_tag;
	uint16_t dst_app_mask;
};

/*
 * What a DIF operation reports, like the device's completion record. After a DIF_ERR,
 * @bytes_completed counts the source bytes of the blocks that passed (everything before the
 * failing block was processed and written), @dif_status holds the IDXD_DIF_ERR_* bits of the
 * failing block and the tags are the source tags expected for it, the seeds to resume from.
 * After success the tags are those the next block would get.
 */
struct rt_cpu_dif_result {
	size_t bytes_completed;
	uint8_t dif_status;
	uint32_t ref_tag;
	uint16_t app_tag;
};

/* Bytes of one block (512, 520, 4096 or 4104) that @dif_flags select. */
unsigned int rt_cpu_dif_block_size(uint8_t dif_flags);

/**
 * rt_cpu_dif_check() - check the 8-byte tuple after each block of @src (DIF_CHECK).
 * @src: blocks, each followed by its tuple.
 * @len: bytes: a multiple of (block size + 8).
 * @dif: flags and source tags.
 * @res: if not NULL, the outcome (see struct rt_cpu_dif_result).
 *
 * Return: 0; -SVART_EDSA(DSA_COMP_DIF_ERR) when a block fails; -EINVAL for reserved flag
 * bits, a bad @len or NULL buffers.
 */
int rt_cpu_dif_check(const void *src, size_t len, const struct rt_cpu_dif *dif,
		     struct rt_cpu_dif_result *res);

/**
 * rt_cpu_dif_insert() - copy blocks from @src to @dst, appending a tuple to each (DIF_INS).
 * @dst: n * (block size + 8) bytes.
 * @src: n * block size bytes.
 * @len: bytes of @src: a multiple of the block size.
 * @dif: flags and destination tags.
 * @res: if not NULL, the outcome.
 *
 * Return: 0; -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS) when the buffers overlap; -EINVAL as
 * rt_cpu_dif_check().
 */
int rt_cpu_dif_insert(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		      struct rt_cpu_dif_result *res);

/**
 * rt_cpu_dif_strip() - check each block's tuple, copy the blocks without tuples (DIF_STRP).
 * @dst: n * block size bytes.
 * @src: n * (block size + 8) bytes.
 * @len: bytes of @src.
 * @dif: flags and source tags.
 * @res: if not NULL, the outcome.
 *
 * Return: as rt_cpu_dif_check(), and -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS).
 */
int rt_cpu_dif_strip(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		     struct rt_cpu_dif_result *res);

/**
 * rt_cpu_dif_update() - check each block's tuple against the source fields, copy the block
 * with a tuple made from the destination fields (DIF_UPDT). The IDXD_DIF_DST_F_*_PASS flags
 * copy that tuple field from the source instead.
 * @dst: n * (block size + 8) bytes.
 * @src: n * (block size + 8) bytes.
 * @len: bytes of @src.
 * @dif: flags, source and destination tags.
 * @res: if not NULL, the outcome.
 *
 * Return: as rt_cpu_dif_strip().
 */
int rt_cpu_dif_update(void *dst, const void *src, size_t len, const struct rt_cpu_dif *dif,
		      struct rt_cpu_dif_result *res);

/* ---- CRC ---- */

/**
 * rt_cpu_crc32c() - CRC-32C (Castagnoli, iSCSI, RFC 3720) of @buf, as DSA CRCGEN computes it
 * without its bypass flags.
 * @crc: 0 to start; a previous result to continue: crc(A‖B) = crc(B, crc(A)).
 * @buf: data.
 * @len: bytes.
 *
 * Return: the CRC ("123456789" from 0 gives 0xE3069283).
 */
uint32_t rt_cpu_crc32c(uint32_t crc, const void *buf, size_t len);

/* The CRC-32C implementations, for tests and benchmarks; AUTO picks by size and CPU. */
enum rt_cpu_crc32c_impl {
	RT_CPU_CRC32C_AUTO,
	RT_CPU_CRC32C_ISAL, /* ISA-L crc32_iscsi (its own dispatch) */
	RT_CPU_CRC32C_CRC32, /* the SSE4.2 CRC32 instruction, one stream */
	RT_CPU_CRC32C_FOLD, /* VPCLMULQDQ folding, 16 x 128-bit lanes */
	RT_CPU_CRC32C_HYBRID, /* VPCLMULQDQ folding beside three CRC32-instruction streams */
	RT_CPU_CRC32C_NIMPL,
};

/**
 * rt_cpu_crc32c_impl() - rt_cpu_crc32c() with a given implementation.
 * @impl: the implementation.
 * @crc: as rt_cpu_crc32c().
 * @buf: data.
 * @len: bytes.
 * @out: the CRC.
 *
 * Return: 0, -EOPNOTSUPP when this CPU lacks what @impl needs, -EINVAL for a bad @impl.
 */
int rt_cpu_crc32c_impl(enum rt_cpu_crc32c_impl impl, uint32_t crc, const void *buf, size_t len,
		       uint32_t *out);

/* Name of @impl ("isal", "crc32", "fold", "hybrid", "auto"), or "?" . */
const char *rt_cpu_crc32c_impl_name(enum rt_cpu_crc32c_impl impl);

/* CRC-64 flags: IAA's CRC64 op flags (descriptor bytes 38-39). */
#define RT_CPU_CRC64_INVERT (1u << 14) /* IDXD_IAX_CRC64F_INVERT */
#define RT_CPU_CRC64_REFLECT (1u << 15) /* IDXD_IAX_CRC64F_BIT_ORDER */

/**
 * rt_cpu_crc64() - the CRC IAA's CRC64 operation computes.
 * @poly: the polynomial without its x^width term, MSB-aligned: a width-w CRC has its
 *	polynomial in bits 63..64-w (CRC-32 is 0x04C11DB700000000); the lowest set bit gives w.
 * @flags: RT_CPU_CRC64_REFLECT: bytes enter least significant bit first, with the
 *	bit-reversed polynomial, and a narrower CRC sits in the low bits of the result (else
 *	most significant bit first, the result MSB-aligned). RT_CPU_CRC64_INVERT: the register
 *	starts as all ones over the CRC's width and the result is inverted over it.
 * @buf: data.
 * @len: bytes.
 * @out: the CRC.
 *
 * Return: 0, or -EINVAL for @poly 0, unknown flags or a NULL pointer.
 */
int rt_cpu_crc64(uint64_t poly, unsigned int flags, const void *buf, size_t len, uint64_t *out);

/* ---- deflate ---- */

enum rt_cpu_framing {
	RT_CPU_RAW, /* RFC 1951 */
	RT_CPU_ZLIB, /* RFC 1950 */
	RT_CPU_GZIP, /* RFC 1952 */
};

#define RT_CPU_LEVEL_DEFAULT (-1) /* zlib's Z_DEFAULT_COMPRESSION: level 6 */

/**
 * rt_cpu_isal_level() - the ISA-L level rt_cpu_compress() uses for zlib-style @level.
 * @level: 1..9, or RT_CPU_LEVEL_DEFAULT.
 *
 * Return: 0..3, or -EINVAL (level 0 stores, without ISA-L; other values are invalid).
 */
int rt_cpu_isal_level(int level);

/* Largest output rt_cpu_compress() can produce for @src_len bytes in @framing. */
size_t rt_cpu_compress_bound(size_t src_len, enum rt_cpu_framing framing);

/**
 * rt_cpu_compress() - deflate @src in one call, with a full 32 KiB window.
 * @dst: output.
 * @dst_len: its size; nothing is written beyond it.
 * @src: input.
 * @src_len: its size.
 * @level: zlib-style 0 (stored blocks) .. 9, or RT_CPU_LEVEL_DEFAULT; see rt_cpu_isal_level().
 * @framing: RT_CPU_RAW, RT_CPU_ZLIB or RT_CPU_GZIP.
 * @out: set to the bytes written.
 *
 * Return: 0; -ENOSPC when the output does not fit @dst_len; -EINVAL for a bad level, framing
 * or pointer; -ENOMEM when the thread's work area cannot be allocated (first call only).
 */
int rt_cpu_compress(void *dst, size_t dst_len, const void *src, size_t src_len, int level,
		    enum rt_cpu_framing framing, size_t *out);

/**
 * rt_cpu_decompress() - inflate one complete stream in one call.
 * @dst: output.
 * @dst_len: its size; nothing is written beyond it.
 * @src: input: one stream in @framing; bytes after its end are ignored.
 * @src_len: its size.
 * @framing: RT_CPU_RAW, RT_CPU_ZLIB or RT_CPU_GZIP (header and checksum are verified).
 * @out: set to the bytes written.
 *
 * Return: 0; -ENOSPC when the output does not fit @dst_len; -EBADMSG for corrupt,
 * truncated or mis-framed input or a checksum mismatch; -EINVAL; -ENOMEM as
 * rt_cpu_compress().
 */
int rt_cpu_decompress(void *dst, size_t dst_len, const void *src, size_t src_len,
		      enum rt_cpu_framing framing, size_t *out);

#endif /* SVART_RUNTIME_RT_CPU_H */
