// SPDX-License-Identifier: MIT
/*
 * sim DSA executor, the success paths: every opcode's output and completion record checked
 * against plain C references (memcpy/memmove/memcmp, hand-built delta records, bitwise CRC-32C
 * and CRC-16 T10-DIF, the published CRC check values), over the identity backend and over a
 * backend that scatters pages so that every operation crosses non-contiguous host runs.
 */
#include <stdlib.h>

#include "sim_dsa_util.h"

static struct tdsa T;
static struct dsa_completion_record recs[8] __attribute__((aligned(32)));

static void test_noop(void)
{
	struct dsa_hw_desc d;
	unsigned int nint;

	tdsa_desc(&T, &d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_FENCE);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);

	/* Success without RCR: no record. */
	tdsa_desc(&T, &d, DSA_OPCODE_NOOP, 0);
	d.flags = IDXD_OP_FLAG_CRAV;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_SUCCESS);
	T_EQ(T.rec.status, 0);

	/* RCI: one interrupt with the descriptor's handle, after the record. */
	nint = T.nint;
	tdsa_desc(&T, &d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_RCI);
	d.int_handle = 7;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.nint, nint + 1);
	T_EQ(T.last_handle, 7);
}

static void test_memmove(void)
{
	static const size_t sizes[] = { 1, 7, 64, 4095, 4096, 4097, 100000, 1 << 20 };
	size_t pages = ((1 << 20) + 2 * TPAGE) / TPAGE;
	uint8_t *a = tmap(pages), *b = tmap(pages), *ref = malloc(pages * TPAGE);
	struct dsa_hw_desc d;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], so = i % 5, dof = (i * 3) % 11 + 1;

		tfill_rand(a, n + so);
		memset(b, 0, n + dof + 1);
		tdsa_desc(&T, &d, DSA_OPCODE_MEMMOVE, 0);
		d.src_addr = (uintptr_t)(a + so);
		d.dst_addr = (uintptr_t)(b + dof);
		d.xfer_size = (uint32_t)n;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.result, IDXD_MEMMOVE_RES_ASCENDING);
		T_EQ(T.rec.bytes_completed, 0);
		T_CHECK(!memcmp(b + dof, a + so, n));
		T_EQ(b[dof - 1], 0);
		T_EQ(b[dof + n], 0);
	}

	/* Overlap, dst above src: a descending copy, result 1; below: ascending, result 0. */
	for (int dir = 0; dir < 3; dir++) {
		size_t n = 300000, shift = 4097 + 13;
		uint8_t *src = dir == 1 ? a + shift : a, *dst = dir == 0 ? a + shift : a;

		if (dir == 2)
			dst = src; /* the same buffer: nothing moves */
		tfill_rand(a, n + shift);
		memcpy(ref, a, n + shift);
		memmove(ref + (dst - a), ref + (src - a), n);
		tdsa_desc(&T, &d, DSA_OPCODE_MEMMOVE, 0);
		d.src_addr = (uintptr_t)src;
		d.dst_addr = (uintptr_t)dst;
		d.xfer_size = (uint32_t)n;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.result,
		     dir == 0 ? IDXD_MEMMOVE_RES_DESCENDING : IDXD_MEMMOVE_RES_ASCENDING);
		T_CHECK(!memcmp(a, ref, n + shift));
	}
	free(ref);
	tunmap(a, pages);
	tunmap(b, pages);

	/* Descending across several of the executor's 2 MiB chunks. */
	{
		size_t n = (5u << 20) + 123, shift = 8191;
		size_t big = (n + shift) / TPAGE + 1;
		uint8_t *m = tmap(big), *r = malloc(big * TPAGE);

		tfill_rand(m, n + shift);
		memcpy(r, m, n + shift);
		memmove(r + shift, r, n);
		tdsa_desc(&T, &d, DSA_OPCODE_MEMMOVE, 0);
		d.src_addr = (uintptr_t)m;
		d.dst_addr = (uintptr_t)(m + shift);
		d.xfer_size = (uint32_t)n;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.result, IDXD_MEMMOVE_RES_DESCENDING);
		T_CHECK(!memcmp(m, r, n + shift));
		free(r);
		tunmap(m, big);
	}
}

static void test_memfill(void)
{
	uint8_t *b = tmap(4);
	uint8_t pat[16];
	struct dsa_hw_desc d;
	uint64_t lo = 0x0807060504030201ull, hi = 0x1817161514131211ull;
	size_t n = 10000, off = 3;

	for (int i = 0; i < 8; i++) {
		pat[i] = (uint8_t)(lo >> (8 * i));
		pat[8 + i] = (uint8_t)(hi >> (8 * i));
	}
	memset(b, 0xee, 4 * TPAGE);
	tdsa_desc(&T, &d, DSA_OPCODE_MEMFILL, 0);
	d.pattern = lo;
	d.dst_addr = (uintptr_t)(b + off);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	for (size_t i = 0; i < n; i++)
		if (b[off + i] != pat[i % 8]) {
			T_EQ(b[off + i], pat[i % 8]);
			break;
		}
	T_EQ(b[off - 1], 0xee);
	T_EQ(b[off + n], 0xee);

	/* DSA 2: 16-byte pattern, upper half at byte 40. */
	memset(b, 0xee, 4 * TPAGE);
	tdsa_desc(&T, &d, DSA_OPCODE_MEMFILL, IDXD_FILL_F_16B);
	d.pattern = lo;
	memcpy(d.op_specific, &hi, 8);
	d.dst_addr = (uintptr_t)(b + off);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	for (size_t i = 0; i < n; i++)
		if (b[off + i] != pat[i % 16]) {
			T_EQ(b[off + i], pat[i % 16]);
			break;
		}
	T_EQ(b[off + n], 0xee);

	/* A pattern of one repeated byte. */
	memset(b, 0xee, 4 * TPAGE);
	tdsa_desc(&T, &d, DSA_OPCODE_MEMFILL, 0);
	d.pattern = 0x5a5a5a5a5a5a5a5aull;
	d.dst_addr = (uintptr_t)b;
	d.xfer_size = 5;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(b, "\x5a\x5a\x5a\x5a\x5a\xee", 6));
	tunmap(b, 4);
}

static void test_compare(void)
{
	uint8_t *a = tmap(8), *b = tmap(8);
	size_t n = 7 * TPAGE + 100;
	struct dsa_hw_desc d;

	tfill_rand(a, n);
	memcpy(b, a, n);
	tdsa_desc(&T, &d, DSA_OPCODE_COMPARE, 0);
	d.src_addr = (uintptr_t)a;
	d.src2_addr = (uintptr_t)b;
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.result, IDXD_COMPARE_RES_EQUAL);
	T_EQ(T.rec.bytes_completed, 0);

	b[12345] ^= 0x10;
	b[20000] ^= 0x01;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.result, IDXD_COMPARE_RES_DIFFERENT);
	T_EQ(T.rec.bytes_completed, 12345);

	/* Check result: expecting equal and seeing a difference is SUCCESS_PRED. */
	d.flags |= IDXD_OP_FLAG_CR;
	d.expected_res = IDXD_COMPARE_RES_EQUAL;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS_PRED);
	T_EQ(T.rec.result, IDXD_COMPARE_RES_DIFFERENT);
	d.expected_res = IDXD_COMPARE_RES_DIFFERENT;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);

	/* COMPVAL: the pattern repeats from the start of src. */
	{
		uint64_t pat = 0x1122334455667788ull;
		size_t off = 5;

		for (size_t i = 0; i < n; i++)
			a[off + i] = (uint8_t)(pat >> (8 * (i % 8)));
		tdsa_desc(&T, &d, DSA_OPCODE_COMPVAL, 0);
		d.src_addr = (uintptr_t)(a + off);
		d.comp_pattern = pat;
		d.xfer_size = (uint32_t)n;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.result, IDXD_COMPARE_RES_EQUAL);
		a[off + 5003] ^= 0x80;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.result, IDXD_COMPARE_RES_DIFFERENT);
		T_EQ(T.rec.bytes_completed, 5003);
		d.flags |= IDXD_OP_FLAG_CR;
		d.expected_res = 0;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS_PRED);
	}
	tunmap(a, 8);
	tunmap(b, 8);
}

/* The delta record the spec defines, built by hand: u16 word index, then 8 bytes of src2. */
static size_t ref_delta(uint8_t *out, const uint8_t *s1, const uint8_t *s2, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i += 8)
		if (memcmp(s1 + i, s2 + i, 8)) {
			out[w] = (uint8_t)(i / 8);
			out[w + 1] = (uint8_t)(i / 8 >> 8);
			memcpy(out + w + 2, s2 + i, 8);
			w += 10;
		}
	return w;
}

static void test_delta(void)
{
	uint8_t *s1 = tmap(16), *s2 = tmap(16), *rec = tmap(16), *dst = tmap(16);
	uint8_t want[1000];
	size_t n = 8 * TPAGE, wn;
	struct dsa_hw_desc d;

	tfill_rand(s1, n);
	memcpy(s2, s1, n);
	s2[3 * 8] ^= 1;
	s2[100 * 8 + 7] ^= 0xff;
	s2[n - 1] ^= 0x42; /* last word */
	wn = ref_delta(want, s1, s2, n);
	T_EQ(wn, 30);

	tdsa_desc(&T, &d, DSA_OPCODE_CR_DELTA, 0);
	d.src_addr = (uintptr_t)s1;
	d.src2_addr = (uintptr_t)s2;
	d.xfer_size = (uint32_t)n;
	d.delta_addr = (uintptr_t)rec;
	d.max_delta_size = 80;
	memset(rec, 0xcc, 100);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.result, IDXD_DELTA_RES_DELTAS);
	T_EQ(T.rec.delta_rec_size, 30);
	T_CHECK(!memcmp(rec, want, 30));
	T_EQ(rec[30], 0xcc);
	/* Indices as the hand-made record has them: words 3, 100, n/8 - 1. */
	T_EQ(tle(rec, 2), 3);
	T_EQ(tle(rec + 10, 2), 100);
	T_EQ(tle(rec + 20, 2), n / 8 - 1);

	/* AP_DELTA: the record turns a copy of src1 into src2. */
	memcpy(dst, s1, n);
	tdsa_desc(&T, &d, DSA_OPCODE_AP_DELTA, 0);
	d.src_addr = (uintptr_t)rec;
	d.dst_addr = (uintptr_t)dst;
	d.xfer_size = (uint32_t)n;
	d.delta_rec_size = 30;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, s2, n));

	/* Identical sources: result 0, an empty record. CR with mask {0} is SUCCESS. */
	tdsa_desc(&T, &d, DSA_OPCODE_CR_DELTA, IDXD_OP_FLAG_CR);
	d.src_addr = (uintptr_t)s1;
	d.src2_addr = (uintptr_t)s1;
	d.xfer_size = (uint32_t)n;
	d.delta_addr = (uintptr_t)rec;
	d.max_delta_size = 80;
	d.expected_res_mask = IDXD_DELTA_EXPECT(IDXD_DELTA_RES_EQUAL);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.result, IDXD_DELTA_RES_EQUAL);
	T_EQ(T.rec.delta_rec_size, 0);
	d.expected_res_mask = IDXD_DELTA_EXPECT(IDXD_DELTA_RES_DELTAS);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS_PRED);

	/* Overflow: 10 differing words, room for 8; processing stops at the 9th. */
	memcpy(s2, s1, n);
	for (int i = 0; i < 10; i++)
		s2[(size_t)(i * 37 + 5) * 8] ^= 0x5;
	wn = ref_delta(want, s1, s2, n);
	T_EQ(wn, 100);
	tdsa_desc(&T, &d, DSA_OPCODE_CR_DELTA, IDXD_OP_FLAG_CR);
	d.src_addr = (uintptr_t)s1;
	d.src2_addr = (uintptr_t)s2;
	d.xfer_size = (uint32_t)n;
	d.delta_addr = (uintptr_t)rec;
	d.max_delta_size = 80;
	d.expected_res_mask = IDXD_DELTA_EXPECT(IDXD_DELTA_RES_OVERFLOW);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.result, IDXD_DELTA_RES_OVERFLOW);
	T_EQ(T.rec.delta_rec_size, 80);
	T_EQ(T.rec.bytes_completed, (8 * 37 + 5) * 8);
	T_CHECK(!memcmp(rec, want, 80));

	tunmap(s1, 16);
	tunmap(s2, 16);
	tunmap(rec, 16);
	tunmap(dst, 16);
}

static void test_dualcast(void)
{
	uint8_t *s = tmap(4), *d1 = tmap(4), *d2 = tmap(4);
	size_t n = 3 * TPAGE + 1;
	struct dsa_hw_desc d;

	tfill_rand(s, n);
	tdsa_desc(&T, &d, DSA_OPCODE_DUALCAST, 0);
	d.src_addr = (uintptr_t)s;
	d.dst_addr = (uintptr_t)(d1 + 0x10);
	d.dest2 = (uintptr_t)(d2 + 0x10);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(d1 + 0x10, s, n));
	T_CHECK(!memcmp(d2 + 0x10, s, n));
	tunmap(s, 4);
	tunmap(d1, 4);
	tunmap(d2, 4);
}

static uint32_t crcgen(const void *buf, size_t n, uint32_t seed, uint32_t flags)
{
	struct dsa_hw_desc d;

	tdsa_desc(&T, &d, DSA_OPCODE_CRCGEN, flags);
	d.src_addr = (uintptr_t)buf;
	d.xfer_size = (uint32_t)n;
	d.crc_seed = seed;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	return (uint32_t)T.rec.crc_val;
}

static void test_crc(void)
{
	static const uint32_t modes[4] = { 0, IDXD_CRC_F_BYPASS_INV_REF, IDXD_CRC_F_BYPASS_DATA_REF,
					   IDXD_CRC_F_BYPASS_INV_REF | IDXD_CRC_F_BYPASS_DATA_REF };
	/* "123456789", seed 0: the RFC 3720 check value, then the reference sheet's values for
	 * the bypass flags (computed from DML's reference model, not measured on hardware). */
	static const uint32_t check[4] = { 0xe3069283u, 0x045fc71au, 0xa8f022a0u, 0xc052a8c8u };
	uint8_t *b = tmap(16), *c = tmap(16);
	uint32_t *seedp = (uint32_t *)(b + 15 * TPAGE);
	struct dsa_hw_desc d;

	memcpy(b, "123456789", 9);
	for (int m = 0; m < 4; m++) {
		T_EQ(crcgen(b, 9, 0, modes[m]), check[m]);
		T_EQ(ref_dsa_crc32c(0, modes[m], b, 9), check[m]);
	}
	/* Random data and seeds, every mode, against the bitwise model. */
	for (int it = 0; it < 40; it++) {
		size_t n = 1 + trand() % (3 * TPAGE), off = trand() % 64;
		uint32_t seed = (uint32_t)trand(), m = modes[it % 4];

		tfill_rand(b + off, n);
		T_EQ(crcgen(b + off, n, seed, m), ref_dsa_crc32c(seed, m, b + off, n));
	}
	/* crc_val fed back as the seed continues the CRC: crc(A|B) = crc(B, crc(A)). */
	tfill_rand(b, 10000);
	for (int m = 0; m < 4; m++)
		T_EQ(crcgen(b + 3000, 7000, crcgen(b, 3000, 0x1234, modes[m]), modes[m]),
		     crcgen(b, 10000, 0x1234, modes[m]));

	/* Seed read from memory (op bit 16) instead of the descriptor. */
	*seedp = 0xabcdef01u;
	tdsa_desc(&T, &d, DSA_OPCODE_CRCGEN, IDXD_CRC_F_READ_SEED);
	d.src_addr = (uintptr_t)b;
	d.xfer_size = 777;
	d.crc_seed = 0x11111111;
	d.seed_addr = (uintptr_t)seedp;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.crc_val, ref_dsa_crc32c(0xabcdef01u, 0, b, 777));

	/* COPY_CRC copies and returns the CRC of what it copied. */
	tfill_rand(b, 5 * TPAGE);
	tdsa_desc(&T, &d, DSA_OPCODE_COPY_CRC, 0);
	d.src_addr = (uintptr_t)(b + 1);
	d.dst_addr = (uintptr_t)(c + 2);
	d.xfer_size = 5 * TPAGE - 1;
	d.crc_seed = 0;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(c + 2, b + 1, 5 * TPAGE - 1));
	T_EQ(T.rec.crc_val, ref_dsa_crc32c(0, 0, b + 1, 5 * TPAGE - 1));
	tunmap(b, 16);
	tunmap(c, 16);
}

static void dif_desc(struct dsa_hw_desc *d, uint8_t opcode, uint8_t dif_flags, const void *src,
		     void *dst, size_t n)
{
	tdsa_desc(&T, d, opcode, 0);
	d->src_addr = (uintptr_t)src;
	d->dst_addr = (uintptr_t)dst;
	d->xfer_size = (uint32_t)n;
	d->op_specific[2] = dif_flags;
}

static void test_dif(void)
{
	static const size_t bsz[4] = { 512, 520, 4096, 4104 };
	uint8_t *data = tmap(16), *prot = tmap(16), *out = tmap(16), *want = tmap(16);
	struct dsa_hw_desc d;

	/* The guard's CRC: check value of CRC-16/T10-DIF. */
	T_EQ(ref_crc16_t10dif(0, (const uint8_t *)"123456789", 9), 0xd0db);

	for (int bi = 0; bi < 4; bi++) {
		size_t bs = bsz[bi], nb = 3, tb = bs + 8;

		tfill_rand(data, bs * nb);
		ref_dif_insert(want, data, bs, nb, 0x1234, 100);

		/* INS: app tag fixed, ref tag incrementing (dest flags 0). */
		dif_desc(&d, DSA_OPCODE_DIF_INS, (uint8_t)bi, data, out, bs * nb);
		d.ins_ref_tag_seed = 100;
		d.ins_app_tag_seed = 0x1234;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_CHECK(!memcmp(out, want, tb * nb));
		T_EQ(T.rec.dif_ins_ref_tag, 103);
		T_EQ(T.rec.dif_ins_app_tag, 0x1234);

		/* CHECK accepts it and leaves the next block's tags. */
		dif_desc(&d, DSA_OPCODE_DIF_CHECK, (uint8_t)bi, want, NULL, tb * nb);
		d.chk_ref_tag_seed = 100;
		d.chk_app_tag_seed = 0x1234;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.dif_chk_ref_tag, 103);

		/* STRP gives the data back. */
		memset(out, 0, tb * nb);
		dif_desc(&d, DSA_OPCODE_DIF_STRP, (uint8_t)bi, want, out, tb * nb);
		d.chk_ref_tag_seed = 100;
		d.chk_app_tag_seed = 0x1234;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_CHECK(!memcmp(out, data, bs * nb));
		T_EQ(out[bs * nb], 0);

		/* UPDT re-tags: the output is what INS with the new tags makes. */
		ref_dif_insert(prot, data, bs, nb, 0x5678, 7);
		dif_desc(&d, DSA_OPCODE_DIF_UPDT, (uint8_t)bi, want, out, tb * nb);
		d.src_ref_tag_seed = 100;
		d.src_app_tag_seed = 0x1234;
		d.dest_ref_tag_seed = 7;
		d.dest_app_tag_seed = 0x5678;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_CHECK(!memcmp(out, prot, tb * nb));
		T_EQ(T.rec.dif_upd_src_ref_tag, 103);
		T_EQ(T.rec.dif_upd_dest_ref_tag, 10);
	}

	/* Check failures at block 1 of 3 (512-byte blocks): which bit, where, which tags. */
	{
		size_t bs = 512, tb = 520, nb = 3;
		struct {
			size_t byte;
			uint8_t status;
		} bad[] = { { tb + 10, IDXD_DIF_ERR_GUARD },
			    { tb + bs + 2, IDXD_DIF_ERR_APP },
			    { tb + bs + 7, IDXD_DIF_ERR_REF } };

		tfill_rand(data, bs * nb);
		for (size_t i = 0; i < 3; i++) {
			ref_dif_insert(want, data, bs, nb, 0x1234, 100);
			want[bad[i].byte] ^= 1;
			dif_desc(&d, DSA_OPCODE_DIF_CHECK, 0, want, NULL, tb * nb);
			d.chk_ref_tag_seed = 100;
			d.chk_app_tag_seed = 0x1234;
			TDSA_RUN(&T, &d, DSA_COMP_DIF_ERR);
			T_EQ(T.rec.dif_status, bad[i].status);
			T_EQ(T.rec.bytes_completed, tb);
			T_EQ(T.rec.dif_chk_ref_tag, 101);
			/* ... and the disable flag or mask that lets it pass. */
			d.op_specific[0] = i == 0 ? IDXD_DIF_SRC_F_GUARD_CHECK_DIS :
					   i == 2 ? IDXD_DIF_SRC_F_REF_CHECK_DIS :
						    0;
			if (i == 1)
				d.chk_app_tag_mask = 0x0100; /* the flipped bit */
			TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		}

		/* Ref tag fixed (src flag b7), app tag incrementing (b4). */
		for (size_t k = 0; k < nb; k++) {
			ref_dif_insert(want + k * tb, data + k * bs, bs, 1, (uint16_t)(0x10 + k),
				       55);
		}
		dif_desc(&d, DSA_OPCODE_DIF_CHECK, 0, want, NULL, tb * nb);
		d.op_specific[0] = IDXD_DIF_SRC_F_REF_FIXED | IDXD_DIF_SRC_F_APP_INCREMENT;
		d.chk_ref_tag_seed = 55;
		d.chk_app_tag_seed = 0x10;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ(T.rec.dif_chk_ref_tag, 55);
		T_EQ(T.rec.dif_chk_app_tag, 0x13);
		/* Same for INS (dest flags): it makes the very same bytes. */
		dif_desc(&d, DSA_OPCODE_DIF_INS, 0, data, out, bs * nb);
		d.op_specific[1] = IDXD_DIF_DST_F_REF_FIXED | IDXD_DIF_DST_F_APP_INCREMENT;
		d.ins_ref_tag_seed = 55;
		d.ins_app_tag_seed = 0x10;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_CHECK(!memcmp(out, want, tb * nb));

		/* All-F tuple: with detect + error it is an error; with detect alone the block
		 * is not checked; with APP_F_SKIP an app tag of 0xffff skips the block. */
		ref_dif_insert(want, data, bs, nb, 0x1234, 100);
		memset(want + tb + bs, 0xff, 8);
		dif_desc(&d, DSA_OPCODE_DIF_CHECK, 0, want, NULL, tb * nb);
		d.chk_ref_tag_seed = 100;
		d.chk_app_tag_seed = 0x1234;
		d.op_specific[0] = IDXD_DIF_SRC_F_ALL_F_DETECT | IDXD_DIF_SRC_F_ALL_F_ERROR;
		TDSA_RUN(&T, &d, DSA_COMP_DIF_ERR);
		T_EQ(T.rec.dif_status, IDXD_DIF_ERR_ALL_F);
		T_EQ(T.rec.bytes_completed, tb);
		d.op_specific[0] = IDXD_DIF_SRC_F_ALL_F_DETECT;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		d.op_specific[0] = 0;
		TDSA_RUN(&T, &d, DSA_COMP_DIF_ERR);
		/* Not all-F any more (a broken guard), but the app tag is 0xffff: skipped. */
		want[tb + bs] ^= 0x1;
		d.op_specific[0] = IDXD_DIF_SRC_F_APP_F_SKIP;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);

		/* Guard seed and result inversion (dif_flags bits 2, 3). */
		dif_desc(&d, DSA_OPCODE_DIF_INS,
			 IDXD_DIF_F_INVERT_CRC_SEED | IDXD_DIF_F_INVERT_CRC_RESULT, data, out, bs);
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_EQ((out[bs] << 8 | out[bs + 1]), (uint16_t)~ref_crc16_t10dif(0xffff, data, bs));

		/* UPDT pass-through: source guard/app/ref copied, tags not regenerated. */
		ref_dif_insert(want, data, bs, nb, 0x1234, 100);
		dif_desc(&d, DSA_OPCODE_DIF_UPDT, 0, want, out, tb * nb);
		d.src_ref_tag_seed = 100;
		d.src_app_tag_seed = 0x1234;
		d.op_specific[1] = IDXD_DIF_DST_F_GUARD_PASS | IDXD_DIF_DST_F_APP_PASS |
				   IDXD_DIF_DST_F_REF_PASS;
		d.dest_ref_tag_seed = 9;
		d.dest_app_tag_seed = 9;
		TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
		T_CHECK(!memcmp(out, want, tb * nb));
	}
	tunmap(data, 16);
	tunmap(prot, 16);
	tunmap(out, 16);
	tunmap(want, 16);
}

static void test_cflush_drain(void)
{
	uint8_t *b = tmap(4);
	struct dsa_hw_desc d;

	tfill_rand(b, 4 * TPAGE);
	tdsa_desc(&T, &d, DSA_OPCODE_CFLUSH, 0);
	d.dst_addr = (uintptr_t)(b + 3);
	d.xfer_size = 3 * TPAGE;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	tdsa_desc(&T, &d, DSA_OPCODE_CFLUSH, IDXD_OP_FLAG_CC);
	d.dst_addr = (uintptr_t)b;
	d.xfer_size = 100;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);

	tdsa_desc(&T, &d, DSA_OPCODE_DRAIN, IDXD_DRAIN_F_RDBK_ADDR1 | IDXD_DRAIN_F_RDBK_ADDR2);
	d.rdback_addr = (uintptr_t)b;
	d.rdback_addr2 = (uintptr_t)(b + TPAGE);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	tunmap(b, 4);
}

static void test_batch(void)
{
	struct dsa_hw_desc list[4] __attribute__((aligned(64))), d;
	uint8_t *a = tmap(2), *b = tmap(2), *c = tmap(2);
	uint64_t descs = T.x.descs;

	memset(list, 0, sizeof(list));
	memset(recs, 0, sizeof(recs));
	tfill_rand(a, 1000);
	for (int i = 0; i < 4; i++) {
		list[i].flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		list[i].completion_addr = (uintptr_t)&recs[i];
	}
	list[0].opcode = DSA_OPCODE_MEMMOVE;
	list[0].src_addr = (uintptr_t)a;
	list[0].dst_addr = (uintptr_t)b;
	list[0].xfer_size = 1000;
	list[1].opcode = DSA_OPCODE_MEMFILL;
	list[1].pattern = 0;
	list[1].dst_addr = (uintptr_t)c;
	list[1].xfer_size = 1000;
	/* Compare b (a copy of a) with a, after a FENCE: runs after the copy. */
	list[2].opcode = DSA_OPCODE_COMPARE;
	list[2].flags |= IDXD_OP_FLAG_FENCE;
	list[2].src_addr = (uintptr_t)a;
	list[2].src2_addr = (uintptr_t)b;
	list[2].xfer_size = 1000;
	list[3].opcode = DSA_OPCODE_NOOP;
	memset(c, 0x77, 1000);

	tdsa_desc(&T, &d, DSA_OPCODE_BATCH, 0);
	d.desc_list_addr = (uintptr_t)list;
	d.desc_count = 4;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.rec.bytes_completed, 4);
	T_EQ(T.rec.result, 0);
	for (int i = 0; i < 4; i++)
		T_EQ(recs[i].status, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(a, b, 1000));
	T_EQ(c[999], 0);
	T_EQ(recs[2].result, IDXD_COMPARE_RES_EQUAL);
	T_EQ(T.x.descs, descs + 5);
	tunmap(a, 2);
	tunmap(b, 2);
	tunmap(c, 2);
}

/*
 * A backend that scatters I/O pages over host pages in a shuffled order: nothing is
 * contiguous beyond 4 KiB, so every operation walks many short runs, and MEMMOVE's descending
 * path runs page by page.
 */
#define SC_PAGES 64
#define SC_BASE 0x7e0000000000ull

struct scatter {
	uint8_t *host;
	unsigned int map[SC_PAGES];
};

static int sc_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			struct sim_dma_xlate *out)
{
	struct scatter *s = dma->priv;
	uint64_t pg = (iova - SC_BASE) / TPAGE;

	if (iova < SC_BASE || pg >= SC_PAGES) {
		/* Outside the scattered range (the completion record): identity. */
		out->host = (uintptr_t)iova;
		out->len = TPAGE - (iova & (TPAGE - 1));
		return 0;
	}
	out->host = (uintptr_t)(s->host + (size_t)s->map[pg] * TPAGE + (iova & (TPAGE - 1)));
	out->len = TPAGE - (iova & (TPAGE - 1));
	return 0;
}

static const struct sim_dma_ops sc_ops = { .translate = sc_translate };

static uint8_t *sc_ptr(struct scatter *s, uint64_t iova)
{
	return s->host + (size_t)s->map[(iova - SC_BASE) / TPAGE] * TPAGE + (iova & (TPAGE - 1));
}

/* Copy between the scattered view and a flat buffer. */
static void sc_get(struct scatter *s, uint8_t *flat, uint64_t iova, size_t n)
{
	for (size_t i = 0; i < n; i++)
		flat[i] = *sc_ptr(s, iova + i);
}

static void sc_put(struct scatter *s, uint64_t iova, const uint8_t *flat, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*sc_ptr(s, iova + i) = flat[i];
}

static void test_scattered(void)
{
	static struct tdsa S;
	struct scatter sc;
	uint8_t *flat = malloc(SC_PAGES * TPAGE), *ref = malloc(SC_PAGES * TPAGE);
	struct dsa_hw_desc d;
	size_t n = 20 * TPAGE + 77;

	sc.host = tmap(SC_PAGES);
	for (unsigned int i = 0; i < SC_PAGES; i++)
		sc.map[i] = (i * 37 + 11) % SC_PAGES; /* 37 is prime to 64: a permutation */
	tdsa_init(&S, &sc_ops, &sc);

	/* Ascending and descending overlapping moves, compared through the same mapping. */
	for (int dir = 0; dir < 2; dir++) {
		uint64_t src = SC_BASE + 100, dst = SC_BASE + 100 + 5 * TPAGE + 3;

		if (dir) {
			uint64_t t = src;

			src = dst;
			dst = t;
		}
		tfill_rand(flat, SC_PAGES * TPAGE);
		sc_put(&sc, SC_BASE, flat, SC_PAGES * TPAGE);
		memcpy(ref, flat, SC_PAGES * TPAGE);
		memmove(ref + (dst - SC_BASE), ref + (src - SC_BASE), n);
		tdsa_desc(&S, &d, DSA_OPCODE_MEMMOVE, 0);
		d.src_addr = src;
		d.dst_addr = dst;
		d.xfer_size = (uint32_t)n;
		T_EQ(tdsa_exec(&S, &d), DSA_COMP_SUCCESS);
		T_EQ(S.rec.result, dir ? IDXD_MEMMOVE_RES_ASCENDING : IDXD_MEMMOVE_RES_DESCENDING);
		sc_get(&sc, flat, SC_BASE, SC_PAGES * TPAGE);
		T_CHECK(!memcmp(flat, ref, SC_PAGES * TPAGE));
	}

	/* CRC and DIF across page runs. */
	tfill_rand(flat, n);
	sc_put(&sc, SC_BASE + 5, flat, n);
	tdsa_desc(&S, &d, DSA_OPCODE_CRCGEN, 0);
	d.src_addr = SC_BASE + 5;
	d.xfer_size = (uint32_t)n;
	d.crc_seed = 0x77;
	T_EQ(tdsa_exec(&S, &d), DSA_COMP_SUCCESS);
	T_EQ(S.rec.crc_val, ref_dsa_crc32c(0x77, 0, flat, n));

	ref_dif_insert(ref, flat, 4104, 3, 0x4242, 1);
	tdsa_desc(&S, &d, DSA_OPCODE_DIF_INS, 0);
	d.src_addr = SC_BASE + 5;
	d.dst_addr = SC_BASE + 30 * TPAGE + 9;
	d.xfer_size = 3 * 4104;
	d.op_specific[2] = IDXD_DIF_F_BLKSZ_4104;
	d.ins_app_tag_seed = 0x4242;
	d.ins_ref_tag_seed = 1;
	T_EQ(tdsa_exec(&S, &d), DSA_COMP_SUCCESS);
	sc_get(&sc, flat, SC_BASE + 30 * TPAGE + 9, 3 * 4112);
	T_CHECK(!memcmp(flat, ref, 3 * 4112));

	tunmap(sc.host, SC_PAGES);
	free(flat);
	free(ref);
}

int main(void)
{
	tdsa_init(&T, &sim_dma_identity_ops, NULL);
	test_noop();
	test_memmove();
	test_memfill();
	test_compare();
	test_delta();
	test_dualcast();
	test_crc();
	test_dif();
	test_cflush_drain();
	test_batch();
	test_scattered();
	return t_done("sim_dsa_ops");
}
