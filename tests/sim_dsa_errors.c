// SPDX-License-Identifier: MIT
/*
 * sim DSA executor, the error statuses: each one the executor reports (see
 * docs/SIM_DEVICES.md, "DSA executor"), where it is reported (record, SWERR, or both), what
 * the record carries with it, that a descriptor failing validation touches no memory, and the
 * precedence between errors that the executor chose.
 */
#include "sim_dsa_util.h"

static struct tdsa T;
static uint8_t *A, *B; /* 4 pages each, PROT_NONE page after */

/* A MEMMOVE of 100 bytes A -> B, with B cleared, to show whether it ran. */
static void mm_desc(struct dsa_hw_desc *d, uint32_t flags)
{
	memset(B, 0, 200);
	memset(A, 0x3c, 200);
	tdsa_desc(&T, d, DSA_OPCODE_MEMMOVE, flags);
	d->src_addr = (uintptr_t)A;
	d->dst_addr = (uintptr_t)B;
	d->xfer_size = 100;
}

static bool mm_ran(void)
{
	return B[0] == 0x3c;
}

static void test_bad_opcode(void)
{
	static const uint8_t ops[] = { 0x0a, 0x0b, 0x0f, 0x16, 0x17, 0x1f, 0x21, 0x7f, 0xff };
	struct dsa_hw_desc d;

	for (size_t i = 0; i < sizeof(ops); i++) {
		tdsa_desc(&T, &d, ops[i], 0);
		TDSA_RUN(&T, &d, DSA_COMP_BAD_OPCODE);
	}
	/* An opcode the WQ does not enable (OPCAP & op_config). */
	T.cfg.opcap[DSA_OPCODE_MEMMOVE / 8] &= (uint8_t) ~(1u << (DSA_OPCODE_MEMMOVE % 8));
	mm_desc(&d, 0);
	TDSA_RUN(&T, &d, DSA_COMP_BAD_OPCODE);
	T_CHECK(!mm_ran());
	memset(T.cfg.opcap, 0xff, sizeof(T.cfg.opcap));
}

static void expect_invalid_flags(struct dsa_hw_desc *d, uint32_t bits)
{
	TDSA_RUN(&T, d, DSA_COMP_INVALID_FLAGS);
	T_EQ(T.rec.invalid_flags, bits);
	T_EQ(tle((const uint8_t *)&T.rec + IDXD_COMP_INVALID_FLAGS_OFF, 3), bits);
}

static void test_invalid_flags(void)
{
	struct dsa_hw_desc d;

	tdsa_desc(&T, &d, DSA_OPCODE_NOOP, IDXD_FLAG_RSVD6);
	expect_invalid_flags(&d, IDXD_FLAG_RSVD6);
	mm_desc(&d, IDXD_OP_FLAG_CR | (1u << 20));
	expect_invalid_flags(&d, IDXD_OP_FLAG_CR | (1u << 20));
	T_CHECK(!mm_ran());
	tdsa_desc(&T, &d, DSA_OPCODE_BATCH, IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_FENCE);
	expect_invalid_flags(&d, IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_FENCE);
	tdsa_desc(&T, &d, DSA_OPCODE_CRCGEN, IDXD_CRC_F_CRC64);
	expect_invalid_flags(&d, IDXD_CRC_F_CRC64);

	/* Flags the device or the WQ do not support. */
	T.cfg.wq_bof = false;
	mm_desc(&d, IDXD_OP_FLAG_BOF);
	expect_invalid_flags(&d, IDXD_OP_FLAG_BOF);
	T.cfg.wq_bof = true;
	T.cfg.cache_ctl = false;
	T.cfg.dest_readback = false;
	mm_desc(&d, IDXD_OP_FLAG_CC | IDXD_OP_FLAG_DRDBK);
	expect_invalid_flags(&d, IDXD_OP_FLAG_CC | IDXD_OP_FLAG_DRDBK);
	/* CFLUSH's CC is not cache control. */
	tdsa_desc(&T, &d, DSA_OPCODE_CFLUSH, IDXD_OP_FLAG_CC);
	d.dst_addr = (uintptr_t)A;
	d.xfer_size = 64;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T.cfg.cache_ctl = true;
	T.cfg.dest_readback = true;
	T.cfg.drain_readback = false;
	tdsa_desc(&T, &d, DSA_OPCODE_DRAIN, IDXD_DRAIN_F_RDBK_ADDR1);
	expect_invalid_flags(&d, IDXD_DRAIN_F_RDBK_ADDR1);
	T.cfg.drain_readback = true;
	T.cfg.version = IDXD_VERSION_1;
	tdsa_desc(&T, &d, DSA_OPCODE_MEMFILL, IDXD_FILL_F_16B);
	expect_invalid_flags(&d, IDXD_FILL_F_16B);
	T.cfg.version = IDXD_VERSION_2;
}

static void test_completion_reporting(void)
{
	struct dsa_hw_desc d;
	unsigned int n;

	/* A misaligned record: nothing runs, nothing is written, SWERR says CRA_ALIGN. */
	n = T.nswerr;
	mm_desc(&d, 0);
	d.completion_addr += 8;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_CRA_ALIGN);
	T_EQ(T.nswerr, n + 1);
	T_EQ(T.swerr.error, DSA_COMP_CRA_ALIGN);
	T_EQ(T.swerr.opcode, DSA_OPCODE_MEMMOVE);
	T_EQ(T.swerr.fault_addr, d.completion_addr);
	T_CHECK(!mm_ran());
	T_EQ(T.rec.status, 0);
	T_EQ(tle((uint8_t *)&T.rec + 8, 8), 0);

	/* A record on a page that is not there: the op ran, SWERR says CRA_XLAT. */
	n = T.nswerr;
	mm_desc(&d, 0);
	d.completion_addr = (uintptr_t)(A + 4 * TPAGE + 64);
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_CRA_XLAT);
	T_EQ(T.nswerr, n + 1);
	T_EQ(T.swerr.error, DSA_COMP_CRA_XLAT);
	T_EQ(T.swerr.fault_addr, d.completion_addr);
	T_CHECK(T.swerr.fault_write);
	T_CHECK(mm_ran());

	/* No record address: errors go to SWERR, successes nowhere. */
	n = T.nswerr;
	tdsa_desc(&T, &d, 0x0b, 0);
	d.flags = 0;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_BAD_OPCODE);
	T_EQ(T.nswerr, n + 1);
	T_EQ(T.swerr.error, DSA_COMP_BAD_OPCODE);
	T_EQ(T.rec.status, 0);
	tdsa_desc(&T, &d, DSA_OPCODE_NOOP, 0);
	d.flags = 0;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_SUCCESS);
	T_EQ(T.nswerr, n + 1);

	/* RCR clear: a record only when the status is not SUCCESS (SUCCESS_PRED included). */
	tdsa_desc(&T, &d, 0x0b, 0);
	d.flags = IDXD_OP_FLAG_CRAV;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_BAD_OPCODE);
	T_EQ(T.rec.status, DSA_COMP_BAD_OPCODE);
	memset(A, 1, 16);
	memset(B, 2, 16);
	tdsa_desc(&T, &d, DSA_OPCODE_COMPARE, IDXD_OP_FLAG_CR);
	d.flags &= ~IDXD_OP_FLAG_RCR;
	d.src_addr = (uintptr_t)A;
	d.src2_addr = (uintptr_t)B;
	d.xfer_size = 16;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_SUCCESS_PRED);
	T_EQ(T.rec.status, DSA_COMP_SUCCESS_PRED);

	/* RCI with a handle the device does not know: 0x19, the op does not run, no
	 * interrupt. */
	n = T.nint;
	mm_desc(&d, IDXD_OP_FLAG_RCI);
	d.int_handle = T.bad_handle;
	TDSA_RUN(&T, &d, DSA_COMP_INT_HANDLE_INVAL);
	T_CHECK(!mm_ran());
	T_EQ(T.nint, n);
	d.int_handle = 3;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.nint, n + 1);
	/* A core that cannot check handles up front: the failed interrupt is logged. */
	T.env.int_handle_valid = NULL;
	n = T.nswerr;
	mm_desc(&d, IDXD_OP_FLAG_RCI);
	d.int_handle = T.bad_handle;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(T.nswerr, n + 1);
	T_EQ(T.swerr.error, DSA_COMP_INT_HANDLE_INVAL);
	T.env.int_handle_valid = tdsa_handle_valid;

	/* Privileged request without the PASID capability's privileged mode. */
	T.cfg.priv_ok = false;
	T.priv_req = true;
	mm_desc(&d, 0);
	TDSA_RUN(&T, &d, DSA_COMP_PRIV_BAD);
	T_CHECK(!mm_ran());
	T.cfg.priv_ok = true;
	mm_desc(&d, 0);
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T.priv_req = false;
}

static void test_reserved_and_sizes(void)
{
	struct dsa_hw_desc d;

	mm_desc(&d, 0);
	d.rsvd = 1; /* PASID dword bits 30:20 */
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	mm_desc(&d, 0);
	d.rsvd1 = 0x100; /* bytes 38-39 */
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	mm_desc(&d, 0);
	d.op_specific[23] = 1; /* MEMMOVE uses none of bytes 40-63 */
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	T_CHECK(!mm_ran());
	/* The PASID and Priv fields themselves are the core's business, not reserved. */
	mm_desc(&d, 0);
	d.pasid = 0x12345;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	/* CRC: bytes 44-47 reserved, 40-43 and 48-55 not. */
	tdsa_desc(&T, &d, DSA_OPCODE_CRCGEN, 0);
	d.src_addr = (uintptr_t)A;
	d.xfer_size = 8;
	d.crc_seed = 0xffffffff;
	d.seed_addr = 0x1234;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	d.crc_rsvd = 1;
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	/* DIF: dif_flags bits 7:4, INS destination flags bits 2:0. */
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_CHECK, 0);
	d.src_addr = (uintptr_t)A;
	d.xfer_size = 520;
	d.op_specific[2] = 0x10;
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_INS, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)B;
	d.xfer_size = 512;
	d.op_specific[1] = 0x01;
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);

	/* Transfer sizes: 0, one past the WQ maximum; the delta ops' own limit. */
	mm_desc(&d, 0);
	d.xfer_size = 0;
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
	T.cfg.max_xfer_shift = 12;
	mm_desc(&d, 0);
	d.xfer_size = 4097;
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
	d.xfer_size = 4096;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T.cfg.max_xfer_shift = 24;
	tdsa_desc(&T, &d, DSA_OPCODE_CR_DELTA, 0);
	d.src_addr = (uintptr_t)A;
	d.src2_addr = (uintptr_t)A;
	d.delta_addr = (uintptr_t)B;
	d.max_delta_size = 80;
	d.xfer_size = IDXD_DELTA_MAX_XFER + 8;
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
	/* DIF: not a whole number of blocks. */
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_CHECK, 0);
	d.src_addr = (uintptr_t)A;
	d.xfer_size = 512; /* CHECK needs (512 + 8) * n */
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_INS, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)B;
	d.xfer_size = 520; /* INS needs 512 * n */
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
}

static void test_batch_errors(void)
{
	struct dsa_hw_desc list[2] __attribute__((aligned(64))), d;
	static struct dsa_completion_record r[2] __attribute__((aligned(32)));

	tdsa_desc(&T, &d, DSA_OPCODE_BATCH, 0);
	d.desc_list_addr = (uintptr_t)list;
	d.desc_count = 1;
	TDSA_RUN(&T, &d, DSA_COMP_DESC_CNT_ERANGE);
	d.desc_count = (1u << T.cfg.max_batch_shift) + 1;
	TDSA_RUN(&T, &d, DSA_COMP_DESC_CNT_ERANGE);
	d.desc_count = 2;
	d.desc_list_addr += 32;
	TDSA_RUN(&T, &d, DSA_COMP_DESCLIST_ALIGN);

	/* BATCH and DRAIN inside a batch: BAD_OPCODE for that descriptor; the batch fails. */
	memset(list, 0, sizeof(list));
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 2; i++) {
		list[i].flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		list[i].completion_addr = (uintptr_t)&r[i];
	}
	list[0].opcode = DSA_OPCODE_BATCH;
	list[0].desc_list_addr = (uintptr_t)list;
	list[0].desc_count = 2;
	list[1].opcode = DSA_OPCODE_DRAIN;
	d.desc_list_addr = (uintptr_t)list;
	TDSA_RUN(&T, &d, DSA_COMP_BATCH_FAIL);
	T_EQ(T.rec.bytes_completed, 2);
	T_EQ(T.rec.result, 0);
	T_EQ(r[0].status, DSA_COMP_BAD_OPCODE);
	T_EQ(r[1].status, DSA_COMP_BAD_OPCODE);
}

static void test_op_checks(void)
{
	struct dsa_hw_desc d;

	/* ADDR_ALIGN: delta operands and sizes are 8-byte units; the CRC seed is 4-aligned. */
	tdsa_desc(&T, &d, DSA_OPCODE_CR_DELTA, 0);
	d.src_addr = (uintptr_t)A + 4;
	d.src2_addr = (uintptr_t)A + 2 * TPAGE;
	d.delta_addr = (uintptr_t)B;
	d.max_delta_size = 80;
	d.xfer_size = 64;
	TDSA_RUN(&T, &d, DSA_COMP_ADDR_ALIGN);
	d.src_addr = (uintptr_t)A;
	d.xfer_size = 60;
	TDSA_RUN(&T, &d, DSA_COMP_ADDR_ALIGN);
	d.xfer_size = 64;
	/* DR_ERANGE: the maximum record size is whole entries. */
	d.max_delta_size = 75;
	TDSA_RUN(&T, &d, DSA_COMP_DR_ERANGE);
	/* The record address is not held to 8 bytes (a resume advances it by entries). */
	d.max_delta_size = 70;
	d.delta_addr = (uintptr_t)B + 10;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	/* The record may not overlap a source. */
	d.max_delta_size = 80;
	d.delta_addr = (uintptr_t)A + 16;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	d.delta_addr = (uintptr_t)B;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);

	tdsa_desc(&T, &d, DSA_OPCODE_AP_DELTA, 0);
	d.src_addr = (uintptr_t)B;
	d.dst_addr = (uintptr_t)A + 4;
	d.xfer_size = 64;
	d.delta_rec_size = 10;
	TDSA_RUN(&T, &d, DSA_COMP_ADDR_ALIGN);
	d.dst_addr = (uintptr_t)A;
	d.delta_rec_size = 15;
	TDSA_RUN(&T, &d, DSA_COMP_DR_ERANGE);
	d.delta_rec_size = 0;
	TDSA_RUN(&T, &d, DSA_COMP_DR_ERANGE);
	d.delta_rec_size = 10;
	d.src_addr = (uintptr_t)A + 56;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);

	tdsa_desc(&T, &d, DSA_OPCODE_CRCGEN, IDXD_CRC_F_READ_SEED);
	d.src_addr = (uintptr_t)A;
	d.xfer_size = 8;
	d.seed_addr = (uintptr_t)B + 2;
	TDSA_RUN(&T, &d, DSA_COMP_ADDR_ALIGN);

	/* OVERLAP_BUFFERS: MEMMOVE without the overlap capability; COPY_CRC; DIF. */
	T.cfg.overlap_copy = false;
	mm_desc(&d, 0);
	d.dst_addr = (uintptr_t)A + 99;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	d.dst_addr = (uintptr_t)A + 100; /* adjacent is fine */
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T.cfg.overlap_copy = true;
	tdsa_desc(&T, &d, DSA_OPCODE_COPY_CRC, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)A + 50;
	d.xfer_size = 100;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_INS, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)A + 1023; /* src's last byte */
	d.xfer_size = 1024;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	/* INS writes 2 * 520 bytes: ending right where src begins is no overlap. */
	d.src_addr = (uintptr_t)A + 3000;
	d.dst_addr = (uintptr_t)A + 3000 - 1040;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_STRP, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)A + 1039;
	d.xfer_size = 1040;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	tdsa_desc(&T, &d, DSA_OPCODE_DIF_UPDT, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)A;
	d.xfer_size = 520;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);

	/* DUALCAST: destinations must agree in address bits 11:0; no overlaps. */
	tdsa_desc(&T, &d, DSA_OPCODE_DUALCAST, 0);
	d.src_addr = (uintptr_t)A;
	d.dst_addr = (uintptr_t)B;
	d.dest2 = (uintptr_t)B + 2 * TPAGE + 8;
	d.xfer_size = 100;
	TDSA_RUN(&T, &d, DSA_COMP_DCAST_ERR);
	d.dest2 = (uintptr_t)B + 2 * TPAGE;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	/* dst2 [A+4K, A+12K) overlaps src [A+8K, A+16K). */
	d.src_addr = (uintptr_t)A + 2 * TPAGE;
	d.dst_addr = (uintptr_t)B + TPAGE;
	d.dest2 = (uintptr_t)A + TPAGE;
	d.xfer_size = 2 * TPAGE;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
}

static void test_apply_errors(void)
{
	uint8_t rec[50];
	struct dsa_hw_desc d;

	/* Entries for words 1, 3, 2: the third goes backwards. */
	memset(rec, 0, sizeof(rec));
	rec[0] = 1;
	memset(rec + 2, 0x11, 8);
	rec[10] = 3;
	memset(rec + 12, 0x33, 8);
	rec[20] = 2;
	memset(rec + 22, 0x22, 8);
	memcpy(B + 1024, rec, 30);
	memset(A, 0, 64);
	tdsa_desc(&T, &d, DSA_OPCODE_AP_DELTA, 0);
	d.src_addr = (uintptr_t)B + 1024;
	d.dst_addr = (uintptr_t)A;
	d.xfer_size = 64;
	d.delta_rec_size = 30;
	TDSA_RUN(&T, &d, DSA_COMP_DR_OFFSET_NOINC);
	T_EQ(T.rec.bytes_completed, 20);
	T_EQ(A[8], 0x11); /* the entries before it were applied */
	T_EQ(A[24], 0x33);
	T_EQ(A[16], 0);
	/* An equal offset is not an increase either. */
	B[1024 + 20] = 3;
	TDSA_RUN(&T, &d, DSA_COMP_DR_OFFSET_NOINC);
	/* Word 8 is beyond 64 bytes. */
	B[1024 + 20] = 8;
	TDSA_RUN(&T, &d, DSA_COMP_DR_OFFSET_ERANGE);
	T_EQ(T.rec.bytes_completed, 20);
	B[1024 + 20] = 7;
	TDSA_RUN(&T, &d, DSA_COMP_SUCCESS);
	T_EQ(A[56], 0x22);
}

static void test_faults_as_errors(void)
{
	struct dsa_hw_desc d;
	struct tpf pf = { 0 };
	unsigned int n;

	/* DRAIN readback at an address that does not translate: PFAULT_RDBA. */
	tdsa_desc(&T, &d, DSA_OPCODE_DRAIN, IDXD_DRAIN_F_RDBK_ADDR2);
	d.rdback_addr2 = (uintptr_t)(A + 4 * TPAGE + 5);
	TDSA_RUN(&T, &d, DSA_COMP_PFAULT_RDBA);
	T_EQ(T.rec.fault_addr, d.rdback_addr2);

	/* A page request that fails (Response Failure, time-out): TRANSLATION_FAIL, in the
	 * record and in SWERR. */
	for (int m = 0; m < 2; m++) {
		struct tdsa *t = aligned_alloc(32, sizeof(*t));

		tdsa_init(t, &tpf_ops_prs, &pf);
		pf.mode = m ? TPF_PR_TIMEOUT : TPF_PR_RF;
		tpf_clear(&pf);
		tpf_bad(&pf, A + TPAGE);
		tdsa_desc(t, &d, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_BOF);
		d.src_addr = (uintptr_t)A;
		d.dst_addr = (uintptr_t)B;
		d.xfer_size = 2 * TPAGE;
		n = t->nswerr;
		TDSA_RUN(t, &d, DSA_COMP_TRANSLATION_FAIL);
		T_EQ(t->nswerr, n + 1);
		T_EQ(t->swerr.error, DSA_COMP_TRANSLATION_FAIL);
		T_EQ(t->rec.fault_addr, (uintptr_t)(A + TPAGE));
		T_EQ(pf.nreq, m + 1);
		free(t);
	}
}

static void test_precedence(void)
{
	struct dsa_hw_desc d;
	unsigned int n;

	/* Unknown opcode with reserved flags: BAD_OPCODE. */
	tdsa_desc(&T, &d, 0x0b, IDXD_FLAG_RSVD6);
	TDSA_RUN(&T, &d, DSA_COMP_BAD_OPCODE);
	/* Bad flags and a misaligned record: no record can say INVALID_FLAGS; SWERR says
	 * CRA_ALIGN. */
	n = T.nswerr;
	mm_desc(&d, IDXD_FLAG_RSVD6);
	d.completion_addr += 4;
	T_EQ(tdsa_exec(&T, &d), DSA_COMP_CRA_ALIGN);
	T_EQ(T.nswerr, n + 1);
	T_EQ(T.swerr.error, DSA_COMP_CRA_ALIGN);
	/* Flags before Priv before reserved before size before the op's own checks. */
	T.cfg.priv_ok = false;
	T.priv_req = true;
	mm_desc(&d, IDXD_FLAG_RSVD6);
	d.rsvd1 = 1;
	TDSA_RUN(&T, &d, DSA_COMP_INVALID_FLAGS);
	mm_desc(&d, 0);
	d.rsvd1 = 1;
	TDSA_RUN(&T, &d, DSA_COMP_PRIV_BAD);
	T.cfg.priv_ok = true;
	T.priv_req = false;
	mm_desc(&d, 0);
	d.rsvd1 = 1;
	d.xfer_size = 0;
	TDSA_RUN(&T, &d, DSA_COMP_NOZERO_RESERVE);
	T.cfg.overlap_copy = false;
	mm_desc(&d, IDXD_OP_FLAG_RCI);
	d.int_handle = T.bad_handle;
	d.dst_addr = d.src_addr + 1;
	d.xfer_size = 0;
	TDSA_RUN(&T, &d, DSA_COMP_XFER_ERANGE);
	d.xfer_size = 100;
	TDSA_RUN(&T, &d, DSA_COMP_INT_HANDLE_INVAL);
	d.int_handle = 0;
	TDSA_RUN(&T, &d, DSA_COMP_OVERLAP_BUFFERS);
	T.cfg.overlap_copy = true;
}

int main(void)
{
	tdsa_init(&T, &sim_dma_identity_ops, NULL);
	A = tmap(4);
	B = tmap(4);
	test_bad_opcode();
	test_invalid_flags();
	test_completion_reporting();
	test_reserved_and_sizes();
	test_batch_errors();
	test_op_checks();
	test_apply_errors();
	test_faults_as_errors();
	test_precedence();
	tunmap(A, 4);
	tunmap(B, 4);
	return t_done("sim_dsa_errors");
}
