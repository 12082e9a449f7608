// SPDX-License-Identifier: MIT
/*
 * Descriptor preparation (enqcmd/enq_desc.h), checked byte for byte against descriptors built
 * by hand from the byte table of the reference (dsa-iaa-device.md §1.1, §2, §2.2, §5): numeric
 * offsets and little-endian values, never the struct fields the helpers use. Every helper
 * starts from a descriptor full of 0xff, so a byte it forgets to zero shows up.
 */
#include <stdint.h>

#include "enqcmd/enq_desc.h"
#include "t_helpers.h"

/* Fake record addresses: the helpers store them and never dereference them. */
#define CR_DSA 0x00007f0012345660ull /* 32-byte aligned */
#define CR_IAX 0x00007f00abcdef40ull /* 64-byte aligned */
#define DSA_CR ((struct dsa_completion_record *)(uintptr_t)CR_DSA)
#define IAX_CR ((struct iax_completion_record *)(uintptr_t)CR_IAX)

/* Flags bits 2 and 3 (reference §1.2). */
#define F_CRAV_RCR 0x0c

static void put(uint8_t *b, unsigned int off, uint64_t v, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

/* A zero descriptor with flags (bytes 4-6), opcode (byte 7) and record address (8-15). */
static void exp_init(uint8_t *b, uint8_t opcode, uint32_t flags, uint64_t cr)
{
	memset(b, 0, 64);
	put(b, 4, flags, 3);
	b[7] = opcode;
	put(b, 8, cr, 8);
}

static void dirty(void *d)
{
	memset(d, 0xff, 64);
}

static int check_bytes(const char *what, const void *got, const uint8_t *exp)
{
	const uint8_t *g = got;

	for (unsigned int i = 0; i < 64; i++) {
		if (g[i] != exp[i]) {
			fprintf(stderr, "%s: byte %u is 0x%02x, expected 0x%02x\n", what, i, g[i],
				exp[i]);
			return 1;
		}
	}
	return 0;
}

#define T_BYTES(what, got, exp) T_EQ(check_bytes(what, got, exp), 0)

/* MEMMOVE and IAA COMPRESS written out as literal arrays, the rest from the offset table. */
static void test_literal(void)
{
	struct dsa_hw_desc d;
	struct iax_hw_desc x;
	const uint8_t memmove_exp[64] = {
		0x00, 0x00, 0x00, 0x00, /* PASID[19:0], Priv[31]: 0 */
		0x0d, 0x00, 0x00, /* flags: FENCE | CRAV | RCR */
		0x03, /* opcode MEMMOVE */
		0x60, 0x56, 0x34, 0x12, 0x00, 0x7f, 0x00, 0x00, /* completion record */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* src */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* dst */
		0x45, 0x23, 0x01, 0x00, /* xfer_size */
		/* bytes 36-63: int_handle, reserved, op-specific: 0 */
	};
	const uint8_t
		compress_exp
			[64] = {
				0x00, 0x00, 0x00, 0x00,
				0x0c, 0x01, 0x01, /* CRAV, RCR, CC (8), RD_SRC2 = AECS (17:16) */
				0x43, /* IAX_OPCODE_COMPRESS */
				0x40, 0xef, 0xcd, 0xab,
				0x00, 0x7f, 0x00, 0x00, /* completion record */
				0x00, 0x10, 0x20, 0x30,
				0x40, 0x00, 0x00, 0x00, /* src1 */
				0x00, 0x80, 0x70, 0x60,
				0x50, 0x00, 0x00, 0x00, /* dst */
				0x00, 0x10, 0x00, 0x00, /* src1_size 4096 */
				0x00, 0x00, /* int_handle */
				0x06, 0x00, /* compr_flags: FLUSH_OUTPUT | END_PROC = EOB */
				0x20, 0x30, 0x40, 0x50,
				0x60, 0x00, 0x00, 0x00, /* src2: the AECS */
				0x00, 0x20, 0x00, 0x00, /* max_dst_size 8192 */
				0x20, 0x06, 0x00, 0x00, /* src2_size 0x620 */
				/* filter_flags, num_inputs: 0 */
			};

	dirty(&d);
	enq_prep_memmove(&d, 0x1122334455667788ull, 0x0102030405060708ull, 0x12345,
			 IDXD_OP_FLAG_FENCE, DSA_CR);
	T_BYTES("memmove", &d, memmove_exp);

	dirty(&x);
	enq_iax_prep_compress(&x, 0x5060708000ull, 8192, 0x4030201000ull, 4096,
			      IDXD_IAX_COMPF_IAA_CRYPTO, 0x6050403020ull, IDXD_IAX_AECS_COMP_SIZE,
			      IDXD_OP_FLAG_CC | IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS), IAX_CR);
	T_BYTES("compress", &x, compress_exp);
}

/* The common part: 24-bit flags, record optional, PASID untouched. */
static void test_common(void)
{
	struct dsa_hw_desc d;
	uint8_t e[64];

	/* Bits above the 24-bit flags field must not reach the opcode byte. */
	dirty(&d);
	enq_prep_noop(&d, 0xff000000u | IDXD_OP_FLAG_FENCE, DSA_CR);
	exp_init(e, 0x00, 0x0d, CR_DSA);
	T_BYTES("noop flags", &d, e);

	/* Without a record: no CRAV, no RCR, address 0. */
	dirty(&d);
	enq_prep_noop(&d, IDXD_OP_FLAG_RCI, NULL);
	exp_init(e, 0x00, 0x10, 0);
	T_BYTES("noop no record", &d, e);
}

static void test_dsa(void)
{
	struct dsa_hw_desc d;
	struct enq_dif_tags chk = { .ref_seed = 0x11223344,
				    .app_mask = 0x5566,
				    .app_seed = 0x7788 };
	struct enq_dif_tags ins = { .ref_seed = 0xa1b2c3d4,
				    .app_mask = 0xe5f6,
				    .app_seed = 0x0718 };
	uint8_t e[64];

	dirty(&d);
	enq_prep_batch(&d, 0x7000001000ull, 17, 0, DSA_CR);
	exp_init(e, 0x01, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0x7000001000ull, 8);
	put(e, 32, 17, 4);
	T_BYTES("batch", &d, e);

	dirty(&d);
	enq_prep_drain(&d, 0x1111, 0x2222, IDXD_DRAIN_F_RDBK_ADDR1 | IDXD_DRAIN_F_RDBK_ADDR2,
		       DSA_CR);
	exp_init(e, 0x02, F_CRAV_RCR | 0x030000, CR_DSA);
	put(e, 16, 0x1111, 8);
	put(e, 24, 0x2222, 8);
	T_BYTES("drain", &d, e);

	dirty(&d);
	enq_prep_memfill(&d, 0xd000, 0x0123456789abcdefull, 300, 0, DSA_CR);
	exp_init(e, 0x04, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0x0123456789abcdefull, 8);
	put(e, 24, 0xd000, 8);
	put(e, 32, 300, 4);
	T_BYTES("memfill", &d, e);

	dirty(&d);
	enq_prep_memfill16(&d, 0xd000, 0x0123456789abcdefull, 0xfedcba9876543210ull, 4096, 0,
			   DSA_CR);
	exp_init(e, 0x04, F_CRAV_RCR | (1u << 18), CR_DSA);
	put(e, 16, 0x0123456789abcdefull, 8);
	put(e, 24, 0xd000, 8);
	put(e, 32, 4096, 4);
	put(e, 40, 0xfedcba9876543210ull, 8);
	T_BYTES("memfill16", &d, e);

	dirty(&d);
	enq_prep_compare(&d, 0xa000, 0xb000, 64, 0, DSA_CR);
	exp_init(e, 0x05, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 64, 4);
	T_BYTES("compare", &d, e);

	/* With a check: flag bit 7 and expected_res at byte 40. */
	enq_desc_set_expected(&d, IDXD_COMPARE_RES_DIFFERENT);
	put(e, 4, F_CRAV_RCR | 0x80, 3);
	e[40] = 1;
	T_BYTES("compare+cr", &d, e);

	dirty(&d);
	enq_prep_compval(&d, 0xa000, 0x5a5a5a5a5a5a5a5aull, 128, IDXD_OP_FLAG_BOF, DSA_CR);
	exp_init(e, 0x06, F_CRAV_RCR | 0x02, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0x5a5a5a5a5a5a5a5aull, 8);
	put(e, 32, 128, 4);
	T_BYTES("compval", &d, e);

	dirty(&d);
	enq_prep_cr_delta(&d, 0xa000, 0xb000, 4096, 0xc000, 800, 0, DSA_CR);
	enq_desc_set_expected_mask(&d, IDXD_DELTA_EXPECT(IDXD_DELTA_RES_DELTAS));
	exp_init(e, 0x07, F_CRAV_RCR | 0x80, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 4096, 4);
	put(e, 40, 0xc000, 8);
	put(e, 48, 800, 4);
	e[56] = 0x02;
	T_BYTES("cr_delta", &d, e);

	dirty(&d);
	enq_prep_ap_delta(&d, 0xe000, 4096, 0xc000, 30, 0, DSA_CR);
	exp_init(e, 0x08, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xc000, 8);
	put(e, 24, 0xe000, 8);
	put(e, 32, 4096, 4);
	put(e, 40, 30, 4);
	T_BYTES("ap_delta", &d, e);

	dirty(&d);
	enq_prep_dualcast(&d, 0x10123, 0x20123, 0x30000, 512, IDXD_DUALCAST_F_DEST2_STS, DSA_CR);
	exp_init(e, 0x09, F_CRAV_RCR | 0x010000, CR_DSA);
	put(e, 16, 0x30000, 8);
	put(e, 24, 0x10123, 8);
	put(e, 32, 512, 4);
	put(e, 40, 0x20123, 8);
	T_BYTES("dualcast", &d, e);

	dirty(&d);
	enq_prep_crcgen(&d, 0xa000, 9, 0xdeadbeef, 0, DSA_CR);
	exp_init(e, 0x10, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 32, 9, 4);
	put(e, 40, 0xdeadbeef, 4);
	T_BYTES("crcgen", &d, e);

	/* Seed from memory: op flag bit 16 and seed_addr at byte 48. */
	enq_desc_set_crc_seed_addr(&d, 0xf004);
	put(e, 4, F_CRAV_RCR | 0x010000, 3);
	put(e, 48, 0xf004, 8);
	T_BYTES("crcgen seed addr", &d, e);

	dirty(&d);
	enq_prep_copy_crc(&d, 0xb000, 0xa000, 4096, 0, IDXD_CRC_F_BYPASS_INV_REF, DSA_CR);
	exp_init(e, 0x11, F_CRAV_RCR | 0x020000, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 4096, 4);
	T_BYTES("copy_crc", &d, e);

	dirty(&d);
	enq_prep_dif_check(&d, 0xa000, 2 * 520, IDXD_DIF_SRC_F_REF_FIXED, IDXD_DIF_F_BLKSZ_512,
			   &chk, 0, DSA_CR);
	exp_init(e, 0x12, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 32, 1040, 4);
	e[40] = 0x80;
	e[42] = 0x00;
	put(e, 48, 0x11223344, 4);
	put(e, 52, 0x5566, 2);
	put(e, 54, 0x7788, 2);
	T_BYTES("dif_check", &d, e);

	dirty(&d);
	enq_prep_dif_insert(&d, 0xb000, 0xa000, 4096, IDXD_DIF_DST_F_APP_INCREMENT,
			    IDXD_DIF_F_BLKSZ_4096 | IDXD_DIF_F_INVERT_CRC_SEED, &ins, 0, DSA_CR);
	exp_init(e, 0x13, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 4096, 4);
	e[41] = 0x10;
	e[42] = 0x06;
	put(e, 56, 0xa1b2c3d4, 4);
	put(e, 60, 0xe5f6, 2);
	put(e, 62, 0x0718, 2);
	T_BYTES("dif_insert", &d, e);

	dirty(&d);
	enq_prep_dif_strip(&d, 0xb000, 0xa000, 4104, IDXD_DIF_SRC_F_GUARD_CHECK_DIS,
			   IDXD_DIF_F_BLKSZ_4096, &chk, 0, DSA_CR);
	exp_init(e, 0x14, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 4104, 4);
	e[40] = 0x20;
	e[42] = 0x02;
	put(e, 48, 0x11223344, 4);
	put(e, 52, 0x5566, 2);
	put(e, 54, 0x7788, 2);
	T_BYTES("dif_strip", &d, e);

	dirty(&d);
	enq_prep_dif_update(&d, 0xb000, 0xa000, 528, IDXD_DIF_SRC_F_APP_INCREMENT,
			    IDXD_DIF_DST_F_REF_FIXED, IDXD_DIF_F_BLKSZ_520, &chk, &ins, 0, DSA_CR);
	exp_init(e, 0x15, F_CRAV_RCR, CR_DSA);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 528, 4);
	e[40] = 0x10;
	e[41] = 0x80;
	e[42] = 0x01;
	put(e, 48, 0x11223344, 4);
	put(e, 52, 0x5566, 2);
	put(e, 54, 0x7788, 2);
	put(e, 56, 0xa1b2c3d4, 4);
	put(e, 60, 0xe5f6, 2);
	put(e, 62, 0x0718, 2);
	T_BYTES("dif_update", &d, e);

	dirty(&d);
	enq_prep_cflush(&d, 0xb000, 8192, IDXD_OP_FLAG_CC, DSA_CR);
	exp_init(e, 0x20, F_CRAV_RCR | 0x100, CR_DSA);
	put(e, 24, 0xb000, 8);
	put(e, 32, 8192, 4);
	T_BYTES("cflush", &d, e);
}

static void test_iax(void)
{
	struct iax_hw_desc x;
	uint8_t e[64];

	dirty(&x);
	enq_iax_prep_noop(&x, 0, IAX_CR);
	exp_init(e, 0x00, F_CRAV_RCR, CR_IAX);
	T_BYTES("iax noop", &x, e);

	dirty(&x);
	enq_iax_prep_drain(&x, 0, IAX_CR);
	exp_init(e, 0x02, F_CRAV_RCR, CR_IAX);
	T_BYTES("iax drain", &x, e);

	dirty(&x);
	enq_iax_prep_memmove(&x, 0xb000, 0xa000, 777, 0, IAX_CR);
	exp_init(e, 0x03, F_CRAV_RCR, CR_IAX);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 777, 4);
	T_BYTES("iax memmove", &x, e);

	/* Statistics mode, no AECS: compr_flags bit 0. */
	dirty(&x);
	enq_iax_prep_compress(&x, 0xb000, IDXD_IAX_STATS_HIST_SIZE, 0xa000, 65536,
			      IDXD_IAX_COMPF_STATS_MODE, 0, 0, 0, IAX_CR);
	exp_init(e, 0x43, F_CRAV_RCR, CR_IAX);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 65536, 4);
	put(e, 38, 0x0001, 2);
	put(e, 48, 1280, 4); /* 286 + 2 + 30 + 2 u32 counts */
	T_BYTES("iax compress stats", &x, e);

	/* The kernel's decompress flags (enable, flush, both EOB bits = 0x000f); read the AECS,
	 * write it back always (bits 19:18 = 1), second copy (bit 22). */
	dirty(&x);
	enq_iax_prep_decompress(&x, 0xb000, 65536, 0xa000, 1000, IDXD_IAX_DECOMPF_IAA_CRYPTO,
				0xc000, IDXD_IAX_AECS_DECOMP_SIZE,
				IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS) |
					IDXD_IAX_F_WR_SRC2(IDXD_IAX_WR_SRC2_ALWAYS) |
					IDXD_IAX_F_AECS_SEL,
				IAX_CR);
	exp_init(e, 0x42, F_CRAV_RCR | 0x450000, CR_IAX);
	put(e, 16, 0xa000, 8);
	put(e, 24, 0xb000, 8);
	put(e, 32, 1000, 4);
	put(e, 38, 0x000f, 2);
	put(e, 40, 0xc000, 8);
	put(e, 48, 65536, 4);
	put(e, 52, 0x1500, 4);
	T_BYTES("iax decompress", &x, e);

	dirty(&x);
	enq_iax_prep_crc64(&x, 0xa000, 9, 0xad93d23594c93659ull,
			   IDXD_IAX_CRC64F_INVERT | IDXD_IAX_CRC64F_BIT_ORDER, 0, IAX_CR);
	exp_init(e, 0x44, F_CRAV_RCR, CR_IAX);
	put(e, 16, 0xa000, 8);
	put(e, 32, 9, 4);
	put(e, 38, 0xc000, 2);
	put(e, 56, 0xad93d23594c93659ull, 8);
	T_BYTES("iax crc64", &x, e);
}

static void test_cr_reset(void)
{
	struct dsa_completion_record cr;
	struct iax_completion_record icr;
	uint8_t zero[64] = { 0 };

	memset((void *)&cr, 0xa5, sizeof(cr));
	enq_cr_reset(&cr);
	T_EQ(memcmp((void *)&cr, zero, 32), 0);
	T_EQ(sizeof(cr), 32);

	memset((void *)&icr, 0x5a, sizeof(icr));
	enq_iax_cr_reset(&icr);
	T_EQ(memcmp((void *)&icr, zero, 64), 0);
	T_EQ(sizeof(icr), 64);
}

int main(void)
{
	test_literal();
	test_common();
	test_dsa();
	test_iax();
	test_cr_reset();
	return t_done("enq_desc");
}
