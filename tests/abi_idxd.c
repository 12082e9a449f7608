// SPDX-License-Identifier: MIT
/*
 * enqcmd/idxd_hw.h against the hardware formats: descriptor and completion-record layout, BAR0
 * register bitfields decoded from hand-assembled raw values, and the helpers. Every expected
 * value is a literal from the spec facts (docs reference §1, §6), not from the header, so a
 * wrong bit position fails here even when the header agrees with itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "enqcmd/idxd_hw.h"
#include "t_helpers.h"

/* Little-endian load from a byte image, independent of any struct. */
static uint64_t le(const void *p, size_t off, size_t n)
{
	const uint8_t *b = (const uint8_t *)p + off;
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void test_desc_layout(void)
{
	struct dsa_hw_desc d;
	struct iax_hw_desc x;

	T_EQ(sizeof(struct dsa_hw_desc), 64);
	T_EQ(sizeof(struct iax_hw_desc), 64);
	T_EQ(offsetof(struct dsa_hw_desc, completion_addr), 8);
	T_EQ(offsetof(struct dsa_hw_desc, src_addr), 16);
	T_EQ(offsetof(struct dsa_hw_desc, dst_addr), 24);
	T_EQ(offsetof(struct dsa_hw_desc, xfer_size), 32);
	T_EQ(offsetof(struct dsa_hw_desc, int_handle), 36);
	T_EQ(offsetof(struct dsa_hw_desc, dest2), 40);
	T_EQ(offsetof(struct dsa_hw_desc, seed_addr), 48);
	T_EQ(offsetof(struct dsa_hw_desc, expected_res_mask), 56);
	T_EQ(offsetof(struct dsa_hw_desc, ins_ref_tag_seed), 56);
	T_EQ(offsetof(struct dsa_hw_desc, dest_app_tag_seed), 62);
	T_EQ(offsetof(struct iax_hw_desc, compr_flags), 38);
	T_EQ(offsetof(struct iax_hw_desc, max_dst_size), 48);
	T_EQ(offsetof(struct iax_hw_desc, src2_size), 52);
	T_EQ(IDXD_IAX_DESC_CRC64_POLY_OFF, 56);
	T_EQ(IDXD_DESC_PATTERN_UPPER_OFF, 40);

	/* The bitfield words: PASID[19:0], Priv[31] at byte 0; flags[23:0], opcode at byte 7. */
	memset(&d, 0, sizeof(d));
	d.pasid = 0x12345;
	d.priv = 1;
	d.flags = 0xabcdef;
	d.opcode = 0x5a;
	d.completion_addr = 0x1122334455667788ull;
	T_EQ(le(&d, 0, 4), 0x80012345);
	T_EQ(le(&d, 4, 4), 0x5aabcdef);
	T_EQ(((uint8_t *)&d)[7], 0x5a);
	T_EQ(le(&d, 8, 8), 0x1122334455667788ull);
	T_EQ(idxd_desc_opflags(0x5a, 0xabcdef), 0x5aabcdef);
	/* Flag bits above 23 must not leak into the opcode byte. */
	T_EQ(idxd_desc_opflags(0x03, 0xff000008), 0x03000008);

	/* The reserved PASID-word bits 30:20 stay clear when PASID and Priv are set. */
	T_EQ(le(&d, 0, 4) & 0x7ff00000, 0);

	memset(&x, 0, sizeof(x));
	x.opcode = IAX_OPCODE_DECOMPRESS;
	x.decompr_flags = 0x800f;
	T_EQ(le(&x, 4, 4), 0x42000000);
	T_EQ(le(&x, 38, 2), 0x800f);
}

static void test_comp_layout(void)
{
	struct dsa_completion_record cr;
	struct iax_completion_record icr;
	uint8_t img[32];

	T_EQ(sizeof(struct dsa_completion_record), 32);
	T_EQ(sizeof(struct iax_completion_record), 64);
	T_EQ(offsetof(struct dsa_completion_record, result), 1);
	T_EQ(offsetof(struct dsa_completion_record, bytes_completed), 4);
	T_EQ(offsetof(struct dsa_completion_record, fault_addr), 8);
	T_EQ(offsetof(struct dsa_completion_record, crc_val), 16);
	T_EQ(offsetof(struct dsa_completion_record, delta_rec_size), 16);
	T_EQ(offsetof(struct dsa_completion_record, dif_ins_ref_tag), 24);
	T_EQ(offsetof(struct dsa_completion_record, dif_upd_dest_app_tag), 30);
	T_EQ(offsetof(struct iax_completion_record, error_code), 1);
	T_EQ(offsetof(struct iax_completion_record, output_size), 24);
	T_EQ(offsetof(struct iax_completion_record, output_bits), 28);
	T_EQ(offsetof(struct iax_completion_record, xor_csum), 30);
	T_EQ(offsetof(struct iax_completion_record, crc), 32);
	T_EQ(offsetof(struct iax_completion_record, sum), 44);
	T_EQ(IDXD_IAX_COMP_CRC64_OFF, 40);
	T_EQ(IDXD_DSA_COMP_ALIGN, 32);
	T_EQ(IDXD_IAX_COMP_ALIGN, 64);

	/* invalid_flags is a 24-bit field at byte 16; byte 19 is reserved. */
	memset(img, 0, sizeof(img));
	img[16] = 0xaa;
	img[17] = 0xbb;
	img[18] = 0xcc;
	img[19] = 0xdd;
	memcpy(&cr, img, sizeof(cr));
	T_EQ(cr.invalid_flags, 0xccbbaa);

	memset(&icr, 0, sizeof(icr));
	icr.status = IAX_COMP_OUTBUF_OVERFLOW;
	icr.output_bits = 5;
	icr.xor_csum = 0xbeef;
	T_EQ(((uint8_t *)&icr)[0], 0x0b);
	T_EQ(((uint8_t *)&icr)[28], 5);
	T_EQ(le(&icr, 30, 2), 0xbeef);
}

static void test_comp_helpers(void)
{
	struct dsa_completion_record cr;
	struct iax_completion_record icr;

	memset(&cr, 0, sizeof(cr));
	T_EQ(idxd_comp_status(&cr), 0);
	cr.status = 0x83; /* page fault, BOF=0, on a write */
	T_EQ(idxd_comp_status(&cr), 0x03);
	T_CHECK(idxd_comp_is_write_fault(&cr));
	cr.status = 0x03;
	T_EQ(idxd_comp_status(&cr), 0x03);
	T_CHECK(!idxd_comp_is_write_fault(&cr));
	cr.status = 0x01;
	T_EQ(idxd_comp_status(&cr), 0x01);
	T_CHECK(!idxd_comp_is_write_fault(&cr));
	/* 0x7f is the widest code the mask keeps. */
	cr.status = 0xff;
	T_EQ(idxd_comp_status(&cr), 0x7f);

	memset(&icr, 0, sizeof(icr));
	icr.status = 0x83;
	T_EQ(idxd_iax_comp_status(&icr), 0x03);
	T_CHECK(idxd_iax_comp_is_write_fault(&icr));
	icr.status = 0x0a;
	T_EQ(idxd_iax_comp_status(&icr), 0x0a);
	T_CHECK(!idxd_iax_comp_is_write_fault(&icr));

	/* fault_info (DSA 2): byte 2; bit 0 address masked, bits 3:1 operand. */
	memset(&cr, 0, sizeof(cr));
	((uint8_t *)&cr)[2] = 0x07;
	T_EQ(idxd_comp_fault_info(&cr), 0x07);
	T_EQ(idxd_comp_fault_info(&cr) & IDXD_FAULT_INFO_ADDR_MASKED, 1);
	T_EQ((idxd_comp_fault_info(&cr) & IDXD_FAULT_INFO_OPERAND_MASK) >>
		     IDXD_FAULT_INFO_OPERAND_SHIFT,
	     3);

	/* Partial completions: 0x03, 0x04, 0x06 (with or without the write bit). */
	T_CHECK(idxd_dsa_status_is_partial(0x03));
	T_CHECK(idxd_dsa_status_is_partial(0x83));
	T_CHECK(idxd_dsa_status_is_partial(0x04));
	T_CHECK(idxd_dsa_status_is_partial(0x06));
	T_CHECK(!idxd_dsa_status_is_partial(0x00));
	T_CHECK(!idxd_dsa_status_is_partial(0x01));
	T_CHECK(!idxd_dsa_status_is_partial(0x05));
	T_CHECK(!idxd_dsa_status_is_partial(0x1a));

	T_CHECK(idxd_dsa_comp_addr_ok(0x7f0000001000ull));
	T_CHECK(idxd_dsa_comp_addr_ok(0x7f0000001020ull));
	T_CHECK(!idxd_dsa_comp_addr_ok(0x7f0000001010ull));
	T_CHECK(!idxd_dsa_comp_addr_ok(0x7f0000001001ull));
	T_CHECK(idxd_iax_comp_addr_ok(0x7f0000001040ull));
	T_CHECK(!idxd_iax_comp_addr_ok(0x7f0000001020ull));
}

static void test_op_flags(void)
{
	/* Op-specific bits are flags bits 16-23. */
	T_EQ(IDXD_CRC_F_READ_SEED, 0x010000);
	T_EQ(IDXD_CRC_F_BYPASS_INV_REF, 0x020000);
	T_EQ(IDXD_CRC_F_BYPASS_DATA_REF, 0x040000);
	T_EQ(IDXD_DRAIN_F_RDBK_ADDR2, 0x020000);
	T_EQ(IDXD_FILL_F_16B, 0x040000);
	T_EQ(IDXD_DUALCAST_F_DEST2_STS, 0x010000);
	/* The IAA src2 fields agree with the bits <linux/idxd.h> names. */
	T_EQ(IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_AECS), IDXD_OP_FLAG_RD_SRC2_AECS);
	T_EQ(IDXD_IAX_F_RD_SRC2(IDXD_IAX_RD_SRC2_INPUT), IDXD_OP_FLAG_RD_SRC2_2ND);
	T_EQ(IDXD_IAX_F_WR_SRC2(IDXD_IAX_WR_SRC2_ALWAYS), IDXD_OP_FLAG_WR_SRC2_AECS_COMP);
	T_EQ(IDXD_IAX_F_WR_SRC2(IDXD_IAX_WR_SRC2_ON_OVERFLOW), IDXD_OP_FLAG_WR_SRC2_AECS_OVFL);
	T_EQ(IDXD_IAX_F_AECS_SEL, 0x400000);
	/* The kernel's fixed-Huffman flags: compress flush|append EOB = 0x6, decompress 0xf. */
	T_EQ(IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(IDXD_IAX_END_PROC_EOB), 0x6);
	T_EQ(IDXD_IAX_DECOMPF_ENABLE | IDXD_IAX_DECOMPF_FLUSH_OUTPUT |
		     IDXD_IAX_DECOMPF_STOP_ON_EOB | IDXD_IAX_DECOMPF_CHECK_FOR_EOB,
	     0xf);
	T_EQ(IDXD_IAX_DECOMPF_SUPPRESS_OUTPUT, 0x200);
	T_EQ(IDXD_IAX_DECOMPF_IGNORE_END_BITS(7), 0x1c0);
	T_EQ(IDXD_IAX_DECOMPF_IGNORE_END_BITS(8), 0); /* out-of-range counts are masked */
	T_EQ(IDXD_IAX_COMPF_HDR_GEN(7), 0x7000);
	T_EQ(IDXD_IAX_COMPF_LOAD_DICT(3), 0xc00);
	T_EQ(IDXD_IAX_CRC64F_INVERT | IDXD_IAX_CRC64F_BIT_ORDER, 0xc000);

	T_EQ(IDXD_DELTA_EXPECT(IDXD_DELTA_RES_OVERFLOW), 0x4);
	T_EQ(idxd_dif_block_size(0x00), 512);
	T_EQ(idxd_dif_block_size(0x01), 520);
	T_EQ(idxd_dif_block_size(0x02), 4096);
	T_EQ(idxd_dif_block_size(0x03), 4104);
	/* Only bits 1:0 select the size; the inversion bits above do not. */
	T_EQ(idxd_dif_block_size(0x0e), 4096);
	T_EQ(IDXD_IAX_AECS_COMP_SIZE, 1568);
}

static void test_caps(void)
{
	union idxd_gencap_reg g;
	union idxd_wqcap_reg w;
	union idxd_grpcap_reg gr;
	union idxd_opcap_reg op;

	/* bof, overlap_copy, dest_readback(8), evl_support=1 (13), max_xfer_shift=31 (20:16),
	 * max_batch_shift=10 (24:21), config_en (31). */
	g.bits = 0x815f2103ull;
	T_EQ(g.bof, 1);
	T_EQ(g.overlap_copy, 1);
	T_EQ(g.cache_ctl_mem, 0);
	T_EQ(g.cmd_cap, 0);
	T_EQ(g.dest_readback, 1);
	T_EQ(g.drain_readback, 0);
	T_EQ(g.evl_support, 1);
	T_EQ(g.max_xfer_shift, 31);
	T_EQ(g.max_batch_shift, 10);
	T_EQ(g.max_ims_mult, 0);
	T_EQ(g.config_en, 1);
	T_EQ(idxd_gencap_max_xfer(g), 0x80000000ull);
	T_EQ(idxd_gencap_max_batch(g), 1024);
	/* And back: fields set one by one give the same raw value. */
	g.bits = 0;
	g.max_ims_mult = 0x3f;
	g.cmd_cap = 1;
	T_EQ(g.bits, 0x7e000010ull);

	/* total_wq_size=128, num_wqs=8, wqcfg_size=1, shared(48) dedicated(49) op_config(54) prs(55). */
	w.bits = 0x00c3000001080080ull;
	T_EQ(w.total_wq_size, 128);
	T_EQ(w.num_wqs, 8);
	T_EQ(w.wqcfg_size, 1);
	T_EQ(w.shared, 1);
	T_EQ(w.dedicated, 1);
	T_EQ(w.ats, 0);
	T_EQ(w.priority, 0);
	T_EQ(w.occupancy, 0);
	T_EQ(w.op_config, 1);
	T_EQ(w.prs, 1);
	T_EQ(idxd_wqcfg_stride(w), 64);
	w.wqcfg_size = 0;
	T_EQ(idxd_wqcfg_stride(w), 32);

	gr.bits = 0x56004ull; /* 4 groups, 0x60 read buffers, rdbuf_ctrl, progress_limit */
	T_EQ(gr.num_groups, 4);
	T_EQ(gr.total_rdbufs, 0x60);
	T_EQ(gr.rdbuf_ctrl, 1);
	T_EQ(gr.rdbuf_limit, 0);
	T_EQ(gr.progress_limit, 1);

	/* NOOP(0), MEMMOVE(3) in word 0; DECOMPRESS(0x42) is bit 2 of word 1; 0xff the top. */
	memset(&op, 0, sizeof(op));
	op.bits[0] = 0x9;
	op.bits[1] = 0x4;
	op.bits[3] = 1ull << 63;
	T_CHECK(idxd_opcap_has(&op, 0x00));
	T_CHECK(idxd_opcap_has(&op, 0x03));
	T_CHECK(!idxd_opcap_has(&op, 0x01));
	T_CHECK(idxd_opcap_has(&op, 0x42));
	T_CHECK(!idxd_opcap_has(&op, 0x43));
	T_CHECK(idxd_opcap_has(&op, 0xff));
	T_CHECK(!idxd_opcap_has(&op, 0xfe));
	memset(&op, 0, sizeof(op));
	idxd_opcap_set(&op, 0x20);
	T_EQ(op.words[1], 0x1);
	T_EQ(op.bits[0], 0x100000000ull);
}

static void test_regs(void)
{
	union idxd_table_offsets_reg t;
	union idxd_gensts_reg s;
	union idxd_gencfg_reg gc;
	union idxd_genctrl_reg gt;
	union idxd_cmd_reg c;
	union idxd_cmdsts_reg cs;
	union idxd_swerr_reg e;
	union idxd_grpcfg_reg grp;
	union idxd_iaacap_reg ia;

	T_EQ(IDXD_REG_GENCAP, 0x10);
	T_EQ(IDXD_REG_WQCAP, 0x20);
	T_EQ(IDXD_REG_GRPCAP, 0x30);
	T_EQ(IDXD_REG_ENGCAP, 0x38);
	T_EQ(IDXD_REG_OPCAP, 0x40);
	T_EQ(IDXD_REG_TABLE_OFFSETS, 0x60);
	T_EQ(IDXD_REG_GENCFG, 0x80);
	T_EQ(IDXD_REG_GENCTRL, 0x88);
	T_EQ(IDXD_REG_GENSTS, 0x90);
	T_EQ(IDXD_REG_INTCAUSE, 0x98);
	T_EQ(IDXD_REG_CMD, 0xa0);
	T_EQ(IDXD_REG_CMDSTS, 0xa8);
	T_EQ(IDXD_REG_CMDCAP, 0xb0);
	T_EQ(IDXD_REG_SWERR, 0xc0);
	T_EQ(IDXD_REG_IAACAP, 0x180);

	t.bits[0] = 0x0007000600050004ull;
	t.bits[1] = 0x8;
	T_EQ(t.grpcfg * IDXD_TABLE_MULT, 0x400);
	T_EQ(t.wqcfg * IDXD_TABLE_MULT, 0x500);
	T_EQ(t.msix_perm * IDXD_TABLE_MULT, 0x600);
	T_EQ(t.ims * IDXD_TABLE_MULT, 0x700);
	T_EQ(t.perfmon * IDXD_TABLE_MULT, 0x800);

	gc.bits = 0x3040; /* rdbuf_limit 0x40, user_int_en (12), evl_en (13) */
	T_EQ(gc.rdbuf_limit, 0x40);
	T_EQ(gc.user_int_en, 1);
	T_EQ(gc.evl_en, 1);
	gt.bits = 0x5;
	T_EQ(gt.softerr_int_en, 1);
	T_EQ(gt.halt_int_en, 0);
	T_EQ(gt.evl_int_en, 1);

	s.bits = 0xb; /* halt, warm reset */
	T_EQ(s.state, IDXD_DEV_STATE_HALT);
	T_EQ(s.reset_type, IDXD_RESET_WARM);
	T_EQ(IDXD_DEV_STATE_HALT, 3);
	T_EQ(IDXD_RESET_WARM, 2);

	/* ENABLE_WQ(6) on WQ 5 with an interrupt on completion. */
	c.bits = 0;
	c.cmd = IDXD_CMD_ENABLE_WQ;
	c.operand = 5;
	c.int_req = 1;
	T_EQ(c.bits, 0x80600005);
	c.bits = 0x00d10000; /* REQUEST_INT_HANDLE, IMS table */
	T_EQ(c.cmd, 13);
	T_EQ(c.cmd, IDXD_CMD_REQUEST_INT_HANDLE);
	T_EQ(c.operand, IDXD_CMD_INT_HANDLE_IMS);
	T_EQ(IDXD_CMD_RELEASE_INT_HANDLE, 14);
	T_EQ(IDXD_CMD_DRAIN_PASID, 11);

	cs.bits = 0x80abcd21;
	T_EQ(cs.err, 0x21);
	T_EQ(cs.err, IDXD_CMDSTS_ERR_WQ_ENABLED);
	T_EQ(cs.result, 0xabcd);
	T_EQ(cs.active, 1);
	T_EQ(IDXD_CMDSTS_ERR_MAX_XFER_SIZE, 0x28);
	T_EQ(IDXD_CMDSTS_ERR_NO_HANDLE, 0x42);

	/* WQ-command operand: bit (id % 16) plus the 16-WQ window index from bit 16. */
	T_EQ(idxd_wq_cmd_operand(0), 0x1);
	T_EQ(idxd_wq_cmd_operand(5), 0x20);
	T_EQ(idxd_wq_cmd_operand(17), 0x10002);

	/* valid, desc_valid, fault_rw, error 0x03, wq_idx 7, operation 0x03, pasid 0x12345. */
	e.bits[0] = 0x0123450300070325ull;
	e.bits[1] = 0x00abcdef00000011ull;
	e.bits[2] = 0x7fff12345000ull;
	e.bits[3] = 0;
	T_EQ(e.valid, 1);
	T_EQ(e.overflow, 0);
	T_EQ(e.desc_valid, 1);
	T_EQ(e.wq_idx_valid, 0);
	T_EQ(e.batch, 0);
	T_EQ(e.fault_rw, 1);
	T_EQ(e.priv, 0);
	T_EQ(e.error, 0x03);
	T_EQ(e.wq_idx, 7);
	T_EQ(e.operation, 0x03);
	T_EQ(e.pasid, 0x12345);
	T_EQ(e.batch_idx, 0x11);
	T_EQ(e.invalid_flags, 0xabcdef);
	T_EQ(e.fault_addr, 0x7fff12345000ull);
	T_EQ(IDXD_SWERR_ACK, 0x3);

	memset(&grp, 0, sizeof(grp));
	grp.wqs[0] = 0x3;
	grp.engines = 0xf;
	/* tc_a 1, tc_b 2, use_rdbuf_limit, reserved 0x12, allowed 0x34, progress limits 2 / 3 */
	grp.flags.bits = 0x3203401291ull;
	T_EQ(grp.flags.tc_a, 1);
	T_EQ(grp.flags.tc_b, 2);
	T_EQ(grp.flags.use_rdbuf_limit, 1);
	T_EQ(grp.flags.rdbufs_reserved, 0x12);
	T_EQ(grp.flags.rdbufs_allowed, 0x34);
	T_EQ(grp.flags.desc_progress_limit, 2);
	T_EQ(grp.flags.batch_progress_limit, 3);
	T_EQ(le(&grp, 0, 8), 0x3);
	T_EQ(le(&grp, 32, 8), 0xf);
	T_EQ(le(&grp, 40, 8), 0x3203401291ull);

	ia.bits = 0x100; /* header_gen */
	T_EQ(ia.header_gen, 1);
	T_EQ(ia.dict_comp, 0);
	T_EQ(ia.crypto_gcm, 0);
}

static void test_wqcfg(void)
{
	union idxd_wqcfg_reg q;

	memset(&q, 0, sizeof(q));
	q.wq_size = 32;
	q.wq_thresh = 16;
	q.mode = IDXD_WQCFG_MODE_DEDICATED;
	q.bof = 1;
	q.priority = 0xf;
	q.pasid = 0xabcde;
	q.pasid_en = 1;
	q.priv = 1;
	q.max_xfer_shift = 21;
	q.max_batch_shift = 5;
	q.op_config[0] = 0x8; /* MEMMOVE */
	T_EQ(q.bits[0], 0x20);
	T_EQ(q.bits[1], 0x10);
	/* mode(0) bof(1) priority(7:4) pasid(27:8) pasid_en(28) priv(29) */
	T_EQ(q.bits[2], 0x3abcdef3);
	/* max_xfer_shift(4:0) max_batch_shift(8:5) */
	T_EQ(q.bits[3], 0xb5);
	T_EQ(q.bits[8], 0x8);
	T_EQ(q.bits[IDXD_WQCFG_DW_MODE], 0x3abcdef3);
	T_EQ(q.bits[IDXD_WQCFG_DW_OP_CONFIG], 0x8);

	/* Shared WQ: only ats_disable(2) and prs_disable(3) in dw2. */
	memset(&q, 0, sizeof(q));
	q.bits[2] = 0xc;
	T_EQ(q.mode, IDXD_WQCFG_MODE_SHARED);
	T_EQ(q.bof, 0);
	T_EQ(q.ats_disable, 1);
	T_EQ(q.prs_disable, 1);
	T_EQ(q.pasid, 0);

	/* dw6: occupancy 0x1234, mode_support(29), wq_state(31:30) = 1. */
	q.bits[6] = 0x60001234;
	T_EQ(q.occupancy, 0x1234);
	T_EQ(q.occupancy_int, 0);
	T_EQ(q.mode_support, 1);
	T_EQ(q.wq_state, 1);
	q.bits[4] = 0x1ffff;
	q.bits[5] = 0x10040;
	T_EQ(q.occupancy_inth, 0xffff);
	T_EQ(q.occupancy_table_sel, 1);
	T_EQ(q.occupancy_limit, 0x40);
	T_EQ(q.occupancy_int_en, 1);
}

static void test_portals(void)
{
	T_EQ(IDXD_PORTAL_PAGE_SIZE, 4096);
	T_EQ(idxd_portal_offset(0, false, false), 0x0);
	T_EQ(idxd_portal_offset(0, true, false), 0x1000);
	T_EQ(idxd_portal_offset(0, false, true), 0x2000);
	T_EQ(idxd_portal_offset(1, true, true), 0x7000);
	T_EQ(idxd_portal_offset(3, true, false), 0xd000);
	/* The offset is computed in 64 bits: a huge WQ id must not wrap. */
	T_EQ(idxd_portal_offset(0xffffffffu, false, false), 0x3fffffffc000ull);
}

int main(void)
{
	test_desc_layout();
	test_comp_layout();
	test_comp_helpers();
	test_op_flags();
	test_caps();
	test_regs();
	test_wqcfg();
	test_portals();
	return t_done("abi_idxd");
}
