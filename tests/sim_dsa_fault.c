// SPDX-License-Identifier: MIT
/*
 * sim DSA executor, page faults: partial completion at a chosen page with the exact
 * bytes_completed and fault_addr, nothing written beyond what was completed, and resubmission
 * of the rest per the reference's resume table giving the same result as one uninterrupted run
 * (every op that has a resume rule); block-on-fault page requests (success, Invalid Request);
 * memory gone under a translation; batch list faults and FENCE.
 */
#include <stdlib.h>

#include "sim_dsa_util.h"

static struct tdsa P; /* over the page-failing backend, no page requests */
static struct tpf pf;

#define NP 16

static uint8_t *map_rand(void)
{
	uint8_t *m = tmap(NP);

	tfill_rand(m, NP * TPAGE);
	return m;
}

static void test_memmove_partial(void)
{
	uint8_t *a = map_rand(), *b = tmap(NP);
	size_t off = 100, n = 6 * TPAGE + 100;
	struct dsa_hw_desc d;

	/* Source page 3 missing: everything before it copied, nothing after. */
	memset(b, 0, NP * TPAGE);
	tpf_bad(&pf, a + 3 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_MEMMOVE, 0);
	d.src_addr = (uintptr_t)(a + off);
	d.dst_addr = (uintptr_t)(b + off);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, 3 * TPAGE - off);
	T_EQ(P.rec.fault_addr, (uintptr_t)(a + 3 * TPAGE));
	T_EQ(P.rec.result, 0);
	T_CHECK(!memcmp(b + off, a + off, 3 * TPAGE - off));
	T_EQ(b[3 * TPAGE], 0);
	/* Fault the page in, resubmit the rest: src, dst += bc, xfer -= bc. */
	tpf_clear(&pf);
	d.src_addr += P.rec.bytes_completed;
	d.dst_addr += P.rec.bytes_completed;
	d.xfer_size -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(b + off, a + off, n));
	T_EQ(b[off + n], 0);

	/* A destination page missing: the write bit. */
	tpf_bad(&pf, b + 2 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_MEMMOVE, 0);
	d.src_addr = (uintptr_t)a;
	d.dst_addr = (uintptr_t)(b + 7);
	d.xfer_size = 4 * TPAGE;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(P.rec.bytes_completed, 2 * TPAGE - 7);
	T_EQ(P.rec.fault_addr, (uintptr_t)(b + 2 * TPAGE));
	tpf_clear(&pf);
	tunmap(a, NP);
	tunmap(b, NP);
}

static void test_memmove_descending_partial(void)
{
	uint8_t *m = map_rand(), *orig = malloc(NP * TPAGE), *ref = malloc(NP * TPAGE);
	size_t so = 100, dso = 5100, n = 5 * TPAGE;
	struct dsa_hw_desc d;
	uint32_t bc;

	memcpy(orig, m, NP * TPAGE);
	memcpy(ref, m, NP * TPAGE);
	memmove(ref + dso, ref + so, n);

	/*
	 * Page 4 of the buffer missing; it holds source bytes [16284, 20380) and destination
	 * bytes [11284, 15380) of the copy. Going down from the top, the device copies
	 * [20380, 20480) (source page 5, destination page 6) and then needs source page 4.
	 */
	tpf_bad(&pf, m + 4 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_MEMMOVE, 0);
	d.src_addr = (uintptr_t)(m + so);
	d.dst_addr = (uintptr_t)(m + dso);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.result, IDXD_MEMMOVE_RES_DESCENDING);
	bc = P.rec.bytes_completed;
	T_EQ(bc, 100);
	T_EQ(P.rec.fault_addr & ~(uint64_t)(TPAGE - 1), (uintptr_t)(m + 4 * TPAGE));
	/* Exactly the top bc bytes of the destination are written. */
	T_CHECK(!memcmp(m + dso + n - bc, ref + dso + n - bc, bc));
	T_CHECK(!memcmp(m, orig, dso + n - bc));
	T_CHECK(!memcmp(m + dso + n, orig + dso + n, NP * TPAGE - dso - n));
	/* Resume: same src and dst, xfer -= bc. */
	tpf_clear(&pf);
	d.xfer_size -= bc;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_EQ(P.rec.result, IDXD_MEMMOVE_RES_DESCENDING);
	T_CHECK(!memcmp(m, ref, NP * TPAGE));

	/* A missing destination page: faults on the write side, and resumes the same way. */
	tfill_rand(m, NP * TPAGE);
	memcpy(ref, m, NP * TPAGE);
	memmove(ref + dso, ref + so, n);
	tpf_bad(&pf, m + 2 * TPAGE); /* destination bytes [3092, 7188), source [8092, 12188) */
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	bc = P.rec.bytes_completed;
	/* Source page 2 is reached first, at source bytes below 12188 (bc = n - 12188). */
	T_EQ(bc, n - 12188);
	tpf_clear(&pf);
	d.xfer_size -= bc;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(m, ref, NP * TPAGE));
	free(orig);
	free(ref);
	tunmap(m, NP);
}

static void test_fill_compare_partial(void)
{
	uint8_t *b = tmap(NP), *a = map_rand(), *c = tmap(NP);
	uint64_t pat = 0x0102030405060708ull;
	struct dsa_hw_desc d;
	size_t n = 5 * TPAGE;

	/* MEMFILL: progress in whole patterns, so dst += bc keeps the pattern's phase. */
	tpf_bad(&pf, b + 2 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_MEMFILL, 0);
	d.dst_addr = (uintptr_t)(b + 3);
	d.pattern = pat;
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(P.rec.bytes_completed, (2 * TPAGE - 3) / 8 * 8);
	T_EQ(P.rec.fault_addr, (uintptr_t)(b + 2 * TPAGE));
	tpf_clear(&pf);
	d.dst_addr += P.rec.bytes_completed;
	d.xfer_size -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	for (size_t i = 0; i < n; i++)
		if (b[3 + i] != (uint8_t)(pat >> (8 * (i % 8)))) {
			T_EQ(b[3 + i], (uint8_t)(pat >> (8 * (i % 8))));
			break;
		}

	/* COMPARE: a fault before the difference; the resumed compare finds it. */
	memcpy(c, a, n);
	c[4 * TPAGE + 10] ^= 1;
	tpf_bad(&pf, c + 2 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_COMPARE, 0);
	d.src_addr = (uintptr_t)a;
	d.src2_addr = (uintptr_t)c;
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, 2 * TPAGE);
	T_EQ(P.rec.fault_addr, (uintptr_t)(c + 2 * TPAGE));
	tpf_clear(&pf);
	d.src_addr += P.rec.bytes_completed;
	d.src2_addr += P.rec.bytes_completed;
	d.xfer_size -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_EQ(P.rec.result, IDXD_COMPARE_RES_DIFFERENT);
	T_EQ(P.rec.bytes_completed, 2 * TPAGE + 10);

	/* COMPVAL from an unaligned source: whole patterns again. */
	for (size_t i = 0; i < n; i++)
		a[5 + i] = (uint8_t)(pat >> (8 * (i % 8)));
	a[5 + 3 * TPAGE + 1] ^= 2;
	tpf_bad(&pf, a + 2 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_COMPVAL, 0);
	d.src_addr = (uintptr_t)(a + 5);
	d.comp_pattern = pat;
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, (2 * TPAGE - 5) / 8 * 8);
	tpf_clear(&pf);
	{
		uint32_t bc = P.rec.bytes_completed;

		d.src_addr += bc;
		d.xfer_size -= bc;
		TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
		T_EQ(P.rec.result, IDXD_COMPARE_RES_DIFFERENT);
		T_EQ(P.rec.bytes_completed + bc, 3 * TPAGE + 1); /* the flipped byte */
	}
	tunmap(a, NP);
	tunmap(b, NP);
	tunmap(c, NP);
}

static void test_dualcast_crc_partial(void)
{
	uint8_t *s = map_rand(), *d1 = tmap(NP), *d2 = tmap(NP);
	struct dsa_hw_desc d;
	size_t n = 6 * TPAGE - 50;
	uint32_t bc, first;

	tpf_bad(&pf, d2 + 3 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_DUALCAST, 0);
	d.src_addr = (uintptr_t)(s + 50);
	d.dst_addr = (uintptr_t)(d1 + 50);
	d.dest2 = (uintptr_t)(d2 + 50);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(P.rec.bytes_completed, 3 * TPAGE - 50);
	tpf_clear(&pf);
	bc = P.rec.bytes_completed;
	d.src_addr += bc;
	d.dst_addr += bc;
	d.dest2 += bc;
	d.xfer_size -= bc;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(d1 + 50, s + 50, n));
	T_CHECK(!memcmp(d2 + 50, s + 50, n));

	/* CRCGEN: crc_val holds the CRC so far; it seeds the rest. Every flag mode. */
	for (uint32_t m = 0; m < 4; m++) {
		uint32_t flags = (m & 1 ? IDXD_CRC_F_BYPASS_INV_REF : 0) |
				 (m & 2 ? IDXD_CRC_F_BYPASS_DATA_REF : 0);

		tpf_bad(&pf, s + 4 * TPAGE);
		tdsa_desc(&P, &d, DSA_OPCODE_CRCGEN, flags);
		d.src_addr = (uintptr_t)(s + 11);
		d.xfer_size = (uint32_t)n;
		d.crc_seed = 0x600df00d;
		TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
		bc = P.rec.bytes_completed;
		T_EQ(bc, 4 * TPAGE - 11);
		first = (uint32_t)P.rec.crc_val;
		T_EQ(first, ref_dsa_crc32c(0x600df00d, flags, s + 11, bc));
		tpf_clear(&pf);
		d.src_addr += bc;
		d.xfer_size -= bc;
		d.crc_seed = first;
		TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
		T_EQ(P.rec.crc_val, ref_dsa_crc32c(0x600df00d, flags, s + 11, n));
	}

	/* COPY_CRC with a missing destination page. */
	memset(d1, 0, NP * TPAGE);
	tpf_bad(&pf, d1 + TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_COPY_CRC, 0);
	d.src_addr = (uintptr_t)s;
	d.dst_addr = (uintptr_t)(d1 + 1);
	d.xfer_size = (uint32_t)n;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	bc = P.rec.bytes_completed;
	T_EQ(bc, TPAGE - 1);
	tpf_clear(&pf);
	d.src_addr += bc;
	d.dst_addr += bc;
	d.xfer_size -= bc;
	d.crc_seed = (uint32_t)P.rec.crc_val;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(d1 + 1, s, n));
	T_EQ(P.rec.crc_val, ref_dsa_crc32c(0, 0, s, n));
	tunmap(s, NP);
	tunmap(d1, NP);
	tunmap(d2, NP);
}

/* Delta record of @n bytes with indices relative to the start. */
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

static void test_delta_partial(void)
{
	uint8_t *s1 = map_rand(), *s2 = tmap(NP), *rec = tmap(NP), *dst = tmap(NP);
	uint8_t want[200];
	size_t n = 4 * TPAGE, wn;
	struct dsa_hw_desc d;
	uint32_t bc, rs;

	memcpy(s2, s1, n);
	for (int p = 0; p < 4; p++)
		s2[p * TPAGE + 800] ^= 0x21; /* one differing word per page */

	/* A source fault on page 2: pages 0-1 recorded. */
	tpf_bad(&pf, s2 + 2 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_CR_DELTA, 0);
	d.src_addr = (uintptr_t)s1;
	d.src2_addr = (uintptr_t)s2;
	d.xfer_size = (uint32_t)n;
	d.delta_addr = (uintptr_t)rec;
	d.max_delta_size = 80;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, 2 * TPAGE);
	T_EQ(P.rec.delta_rec_size, 20);
	T_EQ(P.rec.fault_addr, (uintptr_t)(s2 + 2 * TPAGE));
	/* Resume: sources += bc, record += delta_rec_size, max -= it; indices restart. */
	tpf_clear(&pf);
	bc = P.rec.bytes_completed;
	rs = P.rec.delta_rec_size;
	d.src_addr += bc;
	d.src2_addr += bc;
	d.xfer_size -= bc;
	d.delta_addr += rs;
	d.max_delta_size -= rs;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_EQ(P.rec.delta_rec_size, 20);
	wn = ref_delta(want, s1, s2, 2 * TPAGE);
	wn += ref_delta(want + wn, s1 + bc, s2 + bc, n - bc);
	T_EQ(wn, 40);
	T_CHECK(!memcmp(rec, want, wn));

	/* A record write fault inside an entry: that entry and later ones are not counted. */
	memcpy(s2, s1, n);
	s2[5 * 8] ^= 1;
	s2[9 * 8] ^= 1;
	s2[200 * 8] ^= 1;
	tpf_bad(&pf, rec + TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_CR_DELTA, 0);
	d.src_addr = (uintptr_t)s1;
	d.src2_addr = (uintptr_t)s2;
	d.xfer_size = (uint32_t)n;
	d.delta_addr = (uintptr_t)(rec + TPAGE - 16); /* entry 1 crosses into the bad page */
	d.max_delta_size = 100; /* >= 80 still after the resume takes 10 off */
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(P.rec.bytes_completed, 9 * 8);
	T_EQ(P.rec.delta_rec_size, 10);
	T_EQ(P.rec.fault_addr, (uintptr_t)(rec + TPAGE));
	tpf_clear(&pf);
	bc = P.rec.bytes_completed;
	rs = P.rec.delta_rec_size;
	d.src_addr += bc;
	d.src2_addr += bc;
	d.xfer_size -= bc;
	d.delta_addr += rs;
	d.max_delta_size -= rs;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_EQ(P.rec.delta_rec_size, 20);
	T_EQ(tle(rec + TPAGE - 16, 2), 5);
	T_EQ(tle(rec + TPAGE - 6, 2), 0); /* word 9, relative to the resumed start */
	T_EQ(tle(rec + TPAGE + 4, 2), 191);

	/* AP_DELTA: a record read fault, then a destination write fault; each resumes with
	 * the record advanced by bc and the destination unchanged. Words 3, 103, ... 1103:
	 * entries 0-4 in page 0, 5-10 in page 1, 11 (byte 8824) in page 2. */
	memcpy(s2, s1, n);
	for (int i = 0; i < 12; i++)
		s2[(size_t)(i * 100 + 3) * 8] ^= 0x44;
	wn = ref_delta(want, s1, s2, n);
	T_EQ(wn, 120);
	memcpy(rec + TPAGE - 56, want, wn); /* entry 5 straddles the record's page end */
	memcpy(dst, s1, n);
	tpf_bad(&pf, rec + TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_AP_DELTA, 0);
	d.src_addr = (uintptr_t)(rec + TPAGE - 56);
	d.dst_addr = (uintptr_t)dst;
	d.xfer_size = (uint32_t)n;
	d.delta_rec_size = (uint32_t)wn;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, 50);
	T_EQ(P.rec.fault_addr, (uintptr_t)(rec + TPAGE));
	tpf_clear(&pf);
	tpf_bad(&pf, dst + 2 * TPAGE);
	d.src_addr += P.rec.bytes_completed;
	d.delta_rec_size -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(P.rec.bytes_completed, 60);
	T_EQ(P.rec.fault_addr, (uintptr_t)(dst + 1103 * 8));
	tpf_clear(&pf);
	d.src_addr += P.rec.bytes_completed;
	d.delta_rec_size -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, s2, n));
	tunmap(s1, NP);
	tunmap(s2, NP);
	tunmap(rec, NP);
	tunmap(dst, NP);
}

static void dif_desc(struct dsa_hw_desc *d, uint8_t opcode, const void *src, void *dst, size_t n)
{
	tdsa_desc(&P, d, opcode, 0);
	d->src_addr = (uintptr_t)src;
	d->dst_addr = (uintptr_t)dst;
	d->xfer_size = (uint32_t)n;
}

static void test_dif_partial(void)
{
	uint8_t *data = map_rand(), *prot = tmap(NP), *out = tmap(NP), *want = tmap(NP);
	size_t bs = 512, tb = 520, nb = 20;
	struct dsa_hw_desc d;
	uint32_t bc, k;

	ref_dif_insert(want, data, bs, nb, 0xabcd, 1000);

	/* INS, a destination page missing: block 7 (bytes 3640..4160) crosses into page 1. */
	tpf_bad(&pf, out + TPAGE);
	dif_desc(&d, DSA_OPCODE_DIF_INS, data, out, bs * nb);
	d.ins_app_tag_seed = 0xabcd;
	d.ins_ref_tag_seed = 1000;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	bc = P.rec.bytes_completed;
	T_EQ(bc, 7 * bs);
	T_EQ(P.rec.dif_ins_ref_tag, 1007);
	/* Resume: src += bc, dst += bc + 8 * blocks, tags from the record. */
	tpf_clear(&pf);
	k = bc / (uint32_t)bs;
	d.src_addr += bc;
	d.dst_addr += bc + 8 * k;
	d.xfer_size -= bc;
	d.ins_ref_tag_seed = P.rec.dif_ins_ref_tag;
	d.ins_app_tag_seed = P.rec.dif_ins_app_tag;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(out, want, tb * nb));

	/* CHECK, a source page missing. */
	memcpy(prot, want, tb * nb);
	tpf_bad(&pf, prot + 2 * TPAGE); /* block 15 (7800..8320) is the first to reach it */
	dif_desc(&d, DSA_OPCODE_DIF_CHECK, prot, NULL, tb * nb);
	d.chk_app_tag_seed = 0xabcd;
	d.chk_ref_tag_seed = 1000;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	bc = P.rec.bytes_completed;
	T_EQ(bc, 15 * tb);
	T_EQ(P.rec.dif_chk_ref_tag, 1015);
	tpf_clear(&pf);
	d.src_addr += bc;
	d.xfer_size -= bc;
	d.chk_ref_tag_seed = P.rec.dif_chk_ref_tag;
	d.chk_app_tag_seed = P.rec.dif_chk_app_tag;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);

	/* STRP: dst += bs * blocks. */
	memset(out, 0, NP * TPAGE);
	tpf_bad(&pf, out + TPAGE); /* block 8 (4096..4608) is the first to reach it */
	dif_desc(&d, DSA_OPCODE_DIF_STRP, prot, out, tb * nb);
	d.chk_app_tag_seed = 0xabcd;
	d.chk_ref_tag_seed = 1000;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	bc = P.rec.bytes_completed;
	T_EQ(bc, 8 * tb);
	tpf_clear(&pf);
	k = bc / (uint32_t)tb;
	d.src_addr += bc;
	d.dst_addr += bs * k;
	d.xfer_size -= bc;
	d.chk_ref_tag_seed = P.rec.dif_chk_ref_tag;
	d.chk_app_tag_seed = P.rec.dif_chk_app_tag;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(out, data, bs * nb));

	/* UPDT: dst += bc; both tag sets from the record. */
	ref_dif_insert(want, data, bs, nb, 0x0102, 77);
	tpf_bad(&pf, prot + TPAGE); /* block 7 (3640..4160) reaches source page 1 first */
	dif_desc(&d, DSA_OPCODE_DIF_UPDT, prot, out, tb * nb);
	d.src_app_tag_seed = 0xabcd;
	d.src_ref_tag_seed = 1000;
	d.dest_app_tag_seed = 0x0102;
	d.dest_ref_tag_seed = 77;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	bc = P.rec.bytes_completed;
	T_EQ(bc, 7 * tb);
	T_EQ(P.rec.dif_upd_src_ref_tag, 1007);
	T_EQ(P.rec.dif_upd_dest_ref_tag, 84);
	tpf_clear(&pf);
	d.src_addr += bc;
	d.dst_addr += bc;
	d.xfer_size -= bc;
	d.src_ref_tag_seed = P.rec.dif_upd_src_ref_tag;
	d.src_app_tag_seed = P.rec.dif_upd_src_app_tag;
	d.dest_ref_tag_seed = P.rec.dif_upd_dest_ref_tag;
	d.dest_app_tag_seed = P.rec.dif_upd_dest_app_tag;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(out, want, tb * nb));

	tunmap(data, NP);
	tunmap(prot, NP);
	tunmap(out, NP);
	tunmap(want, NP);
}

static void test_cflush_partial(void)
{
	uint8_t *b = tmap(NP);
	struct dsa_hw_desc d;

	tpf_bad(&pf, b + 5 * TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_CFLUSH, 0);
	d.dst_addr = (uintptr_t)(b + 64);
	d.xfer_size = 8 * TPAGE;
	TDSA_RUN(&P, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(P.rec.bytes_completed, 5 * TPAGE - 64);
	T_EQ(P.rec.fault_addr, (uintptr_t)(b + 5 * TPAGE));
	tpf_clear(&pf);
	tunmap(b, NP);
}

static void test_block_on_fault(void)
{
	struct tdsa *t = aligned_alloc(32, sizeof(*t));
	uint8_t *a = map_rand(), *b = tmap(NP);
	struct dsa_hw_desc d;

	tdsa_init(t, &tpf_ops_prs, &pf);

	/* A successful page request: the descriptor completes; one request per missing page. */
	pf.mode = TPF_PR_OK;
	pf.nreq = 0;
	tpf_bad(&pf, a + TPAGE);
	tpf_bad(&pf, b + 3 * TPAGE);
	tdsa_desc(t, &d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_BOF);
	d.src_addr = (uintptr_t)a;
	d.dst_addr = (uintptr_t)b;
	d.xfer_size = 5 * TPAGE;
	TDSA_RUN(t, &d, DSA_COMP_SUCCESS);
	T_EQ(pf.nreq, 2);
	T_CHECK(!memcmp(a, b, 5 * TPAGE));

	/* Without BOF no request is made, even though the WQ could. */
	pf.nreq = 0;
	tpf_bad(&pf, a + TPAGE);
	d.flags &= ~IDXD_OP_FLAG_BOF;
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(pf.nreq, 0);
	/* Nor with BOF on a WQ whose page requests are off. */
	t->cfg.prs = false;
	d.flags |= IDXD_OP_FLAG_BOF;
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(pf.nreq, 0);
	t->cfg.prs = true;

	/* Invalid Request: partial completion 0x04 (| 0x80 for a write), resumable. */
	pf.mode = TPF_PR_IR;
	tpf_clear(&pf);
	tpf_bad(&pf, b + 2 * TPAGE);
	memset(b, 0, NP * TPAGE);
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
	T_EQ(t->rec.bytes_completed, 2 * TPAGE);
	T_EQ(t->rec.fault_addr, (uintptr_t)(b + 2 * TPAGE));
	T_EQ(pf.nreq, 1);
	tpf_clear(&pf);
	d.src_addr += t->rec.bytes_completed;
	d.dst_addr += t->rec.bytes_completed;
	d.xfer_size -= t->rec.bytes_completed;
	TDSA_RUN(t, &d, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(a, b, 5 * TPAGE));

	/* The completion record makes page requests whenever the WQ can, BOF or not. */
	pf.mode = TPF_PR_OK;
	pf.nreq = 0;
	tpf_bad(&pf, &t->rec);
	tdsa_desc(t, &d, DSA_OPCODE_NOOP, 0);
	TDSA_RUN(t, &d, DSA_COMP_SUCCESS);
	T_EQ(pf.nreq, 1);
	/* ... and when the WQ cannot: CRA_XLAT through SWERR. */
	tpf_bad(&pf, &t->rec);
	t->cfg.prs = false;
	tdsa_desc(t, &d, DSA_OPCODE_NOOP, 0);
	T_EQ(tdsa_exec(t, &d), DSA_COMP_CRA_XLAT);
	T_EQ(t->swerr.error, DSA_COMP_CRA_XLAT);
	T_EQ(t->rec.status, 0);
	tpf_clear(&pf);
	free(t);
	tunmap(a, NP);
	tunmap(b, NP);
}

static void test_gone(void)
{
	struct tdsa *t = aligned_alloc(32, sizeof(*t));
	uint8_t *a = map_rand(), *b = tmap(NP);
	struct dsa_hw_desc d;

	/* Identity translation of a PROT_NONE page: the guard catches the touch. */
	tdsa_init(t, &sim_dma_identity_ops, NULL);
	tdsa_desc(t, &d, DSA_OPCODE_MEMMOVE, 0);
	d.src_addr = (uintptr_t)(a + NP * TPAGE - 100);
	d.dst_addr = (uintptr_t)b;
	d.xfer_size = 200;
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	/* Where in the page depends on how memmove touches it; the page is exact. */
	T_EQ(t->rec.fault_addr & ~(uint64_t)(TPAGE - 1), (uintptr_t)(a + NP * TPAGE));
	T_EQ(t->rec.bytes_completed, 0);
	d.src_addr = (uintptr_t)a;
	d.dst_addr = (uintptr_t)(b + NP * TPAGE - 100);
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(t->rec.fault_addr & ~(uint64_t)(TPAGE - 1), (uintptr_t)(b + NP * TPAGE));
	/* Every op: gone memory is a fault, never a crash. */
	tdsa_desc(t, &d, DSA_OPCODE_CRCGEN, 0);
	d.src_addr = (uintptr_t)(a + NP * TPAGE - 10);
	d.xfer_size = 20;
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	tdsa_desc(t, &d, DSA_OPCODE_CFLUSH, 0);
	d.dst_addr = (uintptr_t)(a + NP * TPAGE - 64);
	d.xfer_size = 128;
	TDSA_RUN(t, &d, DSA_COMP_PAGE_FAULT_NOBOF);
	T_EQ(t->rec.fault_addr, (uintptr_t)(a + NP * TPAGE));
	free(t);
	tunmap(a, NP);
	tunmap(b, NP);
}

static void test_batch_faults(void)
{
	uint8_t *lm = tmap(4), *a = map_rand(), *b = tmap(NP);
	struct dsa_hw_desc *list = (struct dsa_hw_desc *)(lm + TPAGE - 128), d;
	static struct dsa_completion_record r[6] __attribute__((aligned(32)));
	unsigned int n;

	/* Six descriptors, the list's page boundary after the second. */
	memset(r, 0, sizeof(r));
	memset(lm, 0, 4 * TPAGE);
	for (int i = 0; i < 6; i++) {
		list[i].opcode = DSA_OPCODE_MEMMOVE;
		list[i].flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		list[i].completion_addr = (uintptr_t)&r[i];
		list[i].src_addr = (uintptr_t)(a + i * 100);
		list[i].dst_addr = (uintptr_t)(b + i * 100);
		list[i].xfer_size = 100;
	}
	tpf_bad(&pf, lm + TPAGE);
	tdsa_desc(&P, &d, DSA_OPCODE_BATCH, 0);
	d.desc_list_addr = (uintptr_t)list;
	d.desc_count = 6;
	TDSA_RUN(&P, &d, DSA_COMP_BATCH_PAGE_FAULT);
	T_EQ(P.rec.bytes_completed, 2);
	T_EQ(P.rec.fault_addr, (uintptr_t)(lm + TPAGE));
	T_EQ(r[1].status, DSA_COMP_SUCCESS);
	T_EQ(r[2].status, 0);
	/* Resume: list += 64 * dc, count -= dc. */
	tpf_clear(&pf);
	d.desc_list_addr += 64 * P.rec.bytes_completed;
	d.desc_count -= P.rec.bytes_completed;
	TDSA_RUN(&P, &d, DSA_COMP_SUCCESS);
	for (int i = 0; i < 6; i++)
		T_EQ(r[i].status, DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(a, b, 600));

	/* A failure, then a FENCE: the fenced descriptor and the rest are abandoned. */
	memset(r, 0, sizeof(r));
	memset(b, 0, 600);
	list[0].opcode = DSA_OPCODE_COMPARE; /* a vs b differ; CR expects equal: PRED */
	list[0].flags |= IDXD_OP_FLAG_CR;
	list[0].expected_res = 0;
	list[3].flags |= IDXD_OP_FLAG_FENCE;
	d.desc_list_addr = (uintptr_t)list;
	d.desc_count = 6;
	TDSA_RUN(&P, &d, DSA_COMP_BATCH_FAIL);
	T_EQ(P.rec.bytes_completed, 3);
	T_EQ(r[0].status, DSA_COMP_SUCCESS_PRED);
	T_EQ(r[1].status, DSA_COMP_SUCCESS); /* no fence: it runs */
	T_EQ(r[2].status, DSA_COMP_SUCCESS);
	T_EQ(r[3].status, 0);
	T_EQ(r[5].status, 0);
	T_CHECK(!memcmp(a + 100, b + 100, 200));
	T_EQ(b[300], 0);

	/* A descriptor whose record cannot be written: BATCH_FAIL with result 1, SWERR. */
	list[0].opcode = DSA_OPCODE_MEMMOVE;
	list[0].flags &= ~IDXD_OP_FLAG_CR;
	list[3].flags &= ~IDXD_OP_FLAG_FENCE;
	list[4].completion_addr = (uintptr_t)(lm + 2 * TPAGE);
	tpf_bad(&pf, lm + 2 * TPAGE);
	n = P.nswerr;
	memset(r, 0, sizeof(r));
	TDSA_RUN(&P, &d, DSA_COMP_BATCH_FAIL);
	T_EQ(P.rec.result, 1);
	T_EQ(P.rec.bytes_completed, 6);
	T_EQ(P.nswerr, n + 1);
	T_EQ(P.swerr.error, DSA_COMP_CRA_XLAT);
	T_CHECK(P.swerr.batch);
	T_EQ(P.swerr.batch_idx, 4);
	T_EQ(r[5].status, DSA_COMP_SUCCESS);
	tpf_clear(&pf);

	/* A listed descriptor's own page fault fails the batch; its record says where. */
	list[4].completion_addr = (uintptr_t)&r[4];
	tpf_bad(&pf, b + TPAGE);
	list[2].dst_addr = (uintptr_t)(b + TPAGE - 40);
	memset(r, 0, sizeof(r));
	TDSA_RUN(&P, &d, DSA_COMP_BATCH_FAIL);
	T_EQ(P.rec.result, 0);
	T_EQ(r[2].status, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(r[2].bytes_completed, 40);
	T_EQ(r[3].status, DSA_COMP_SUCCESS);
	tpf_clear(&pf);
	tunmap(lm, 4);
	tunmap(a, NP);
	tunmap(b, NP);
}

int main(void)
{
	tdsa_init(&P, &tpf_ops_noprs, &pf);
	test_memmove_partial();
	test_memmove_descending_partial();
	test_fill_compare_partial();
	test_dualcast_crc_partial();
	test_delta_partial();
	test_dif_partial();
	test_cflush_partial();
	test_block_on_fault();
	test_gone();
	test_batch_faults();
	return t_done("sim_dsa_fault");
}
