// SPDX-License-Identifier: MIT
/*
 * sim IAA executor: CRC64 against published check values, ISA-L's CRC-64 functions and a bitwise
 * reference (any polynomial, both bit orders, with and without inversion, narrow polynomials
 * MSB-aligned); MEMMOVE (overlap rules, sizes, faults without partial completion); NOOP/DRAIN;
 * validation (opcodes, flags, privilege) and the completion record rules (CRAV/RCR, alignment,
 * an unwritable record, interrupts).
 */
#include <isa-l/crc64.h>

#include "sim_iaa_util.h"

static struct iax_completion_record rec2[2] __attribute__((aligned(64)));

static uint64_t bitrev64(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/* The CRC64 descriptor's arithmetic, one bit at a time (QPL's model, written out). */
static uint64_t ref_crc64(const uint8_t *p, size_t n, uint64_t poly, bool refl, bool inv)
{
	uint64_t mask = poly, crc;

	for (int s = 1; s < 64; s <<= 1)
		mask |= mask << s;
	if (refl) {
		uint64_t rp = bitrev64(poly);

		mask = bitrev64(mask);
		crc = inv ? mask : 0;
		for (size_t i = 0; i < n; i++) {
			crc ^= p[i];
			for (int k = 0; k < 8; k++)
				crc = (crc >> 1) ^ ((crc & 1) ? rp : 0);
		}
	} else {
		crc = inv ? mask : 0;
		for (size_t i = 0; i < n; i++) {
			crc ^= (uint64_t)p[i] << 56;
			for (int k = 0; k < 8; k++)
				crc = (crc << 1) ^ ((crc >> 63) ? poly : 0);
		}
	}
	return inv ? crc ^ mask : crc;
}

static uint8_t crc64(struct t_iaa *t, const void *p, uint32_t n, uint64_t poly, uint16_t f,
		     uint64_t *out)
{
	struct iax_hw_desc d;
	uint8_t st;

	t_desc(&d, IAX_OPCODE_CRC64, 0);
	d.src1_addr = (uintptr_t)p;
	d.src1_size = n;
	d.compr_flags = f;
	memcpy((uint8_t *)&d + IDXD_IAX_DESC_CRC64_POLY_OFF, &poly, 8);
	st = t_iaa_run(t, &d);
	T_EQ(t_rec.status, st);
	memcpy(out, (uint8_t *)&t_rec + IDXD_IAX_COMP_CRC64_OFF, 8);
	return st;
}

#define REFL IDXD_IAX_CRC64F_BIT_ORDER
#define INV IDXD_IAX_CRC64F_INVERT

static void test_crc64(struct t_iaa *t)
{
	static const uint8_t check[] = "123456789";
	static const uint64_t polys[] = { 0x42f0e1eba9ea3693ull, 0x1bull,
					  0xad93d23594c935a9ull, 0x9a6c9329ac4bc9b5ull,
					  0x04c11db700000000ull, 0x8bb7000000000000ull };
	uint8_t *buf = malloc(200000), *hole = t_hole(1);
	uint64_t v, s = 3;

	/* Published check values. */
	T_EQ(crc64(t, check, 9, 0x42f0e1eba9ea3693ull, REFL | INV, &v), IAX_COMP_SUCCESS);
	T_EQ(v, 0x995dc9bbdf1939faull); /* CRC-64/XZ */
	crc64(t, check, 9, 0x42f0e1eba9ea3693ull, 0, &v);
	T_EQ(v, 0x6c40df5f0b497347ull); /* CRC-64/ECMA-182 */
	crc64(t, check, 9, 0x42f0e1eba9ea3693ull, INV, &v);
	T_EQ(v, 0x62ec59e3f1a4f00aull); /* CRC-64/WE */
	crc64(t, check, 9, 0x1bull, REFL | INV, &v);
	T_EQ(v, 0xb90956c775a41001ull); /* CRC-64/GO-ISO */
	crc64(t, check, 9, 0xad93d23594c935a9ull, REFL, &v);
	T_EQ(v, 0xe9c6d914c4b8d9caull); /* CRC-64/REDIS */
	crc64(t, check, 9, 0x04c11db700000000ull, REFL | INV, &v);
	T_EQ(v, 0xcbf43926ull); /* CRC-32 (gzip), right-aligned when reflected */
	crc64(t, check, 9, 0x04c11db700000000ull, INV, &v);
	T_EQ(v, 0xfc89191800000000ull); /* CRC-32/BZIP2, MSB-aligned */
	crc64(t, check, 9, 0x8bb7000000000000ull, 0, &v);
	T_EQ(v, 0xd0db000000000000ull); /* CRC-16/T10-DIF */

	for (size_t i = 0; i < 200000; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(s >> 56);
	}
	/* ISA-L's own functions agree where they exist. */
	crc64(t, buf, 100000, 0x42f0e1eba9ea3693ull, REFL | INV, &v);
	T_EQ(v, crc64_ecma_refl(0, buf, 100000));
	crc64(t, buf, 100000, 0x42f0e1eba9ea3693ull, INV, &v);
	T_EQ(v, crc64_ecma_norm(0, buf, 100000));
	crc64(t, buf, 100000, 0x1bull, INV, &v);
	T_EQ(v, crc64_iso_norm(0, buf, 100000));
	crc64(t, buf, 100000, 0xad93d23594c935a9ull, REFL | INV, &v);
	T_EQ(v, crc64_jones_refl(0, buf, 100000));
	/* The bitwise reference for every flag combination, odd lengths and starts, a length
	 * beyond the staging size. */
	for (unsigned int pi = 0; pi < sizeof(polys) / sizeof(polys[0]); pi++)
		for (uint16_t f = 0; f < 4; f++) {
			uint16_t fl = (f & 1 ? REFL : 0) | (f & 2 ? INV : 0);
			static const uint32_t lens[] = { 0, 1, 7, 8, 9, 1000, 70001 };

			for (unsigned int li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
				T_EQ(crc64(t, buf + li, lens[li], polys[pi], fl, &v),
				     IAX_COMP_SUCCESS);
				T_EQ(v, ref_crc64(buf + li, lens[li], polys[pi], f & 1, f & 2));
			}
		}

	/* Bad flags, reserved fields, a fault. */
	T_EQ(crc64(t, check, 9, 0x1b, 1, &v), IAX_COMP_INVALID_COMP_FLAG);
	struct iax_hw_desc d;

	t_desc(&d, IAX_OPCODE_CRC64, 0);
	d.src1_addr = (uintptr_t)check;
	d.src1_size = 9;
	d.dst_addr = 64;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_NOZERO_RESERVE);
	T_EQ(crc64(t, hole, 9, 0x1b, 0, &v), 0x03);
	/* The guard reports the address the copy touched: somewhere in the hole. */
	T_EQ(t_rec.fault_addr & ~(T_PAGE - 1), (uintptr_t)hole);
	munmap(hole, T_PAGE);
	free(buf);
}

static uint8_t memmove_op(struct t_iaa *t, void *dst, const void *src, uint32_t n)
{
	struct iax_hw_desc d;

	t_desc(&d, IAX_OPCODE_MEMMOVE, 0);
	d.src1_addr = (uintptr_t)src;
	d.dst_addr = (uintptr_t)dst;
	d.src1_size = n;
	return t_iaa_run(t, &d);
}

static void test_memmove(struct t_iaa *t)
{
	uint8_t *a = malloc(600000), *ref = malloc(600000), *hole = t_hole(1);
	uint8_t *edge = t_guarded(100); /* 100 bytes, then an inaccessible page */

	for (int i = 0; i < 600000; i++)
		a[i] = ref[i] = (uint8_t)(i * 7 + i / 251);
	T_EQ(memmove_op(t, a + 300000, a, 250000), IAX_COMP_SUCCESS);
	T_CHECK(!memcmp(a + 300000, ref, 250000));
	/* Overlap needs GENCAP.overlap_copy. */
	T_EQ(memmove_op(t, a + 1000, a, 300000), IAX_COMP_OVERLAP_BUFFERS);
	t->cfg.overlap_copy = true;
	memcpy(a, ref, 600000);
	T_EQ(memmove_op(t, a + 1000, a, 300000), IAX_COMP_SUCCESS);
	memmove(ref + 1000, ref, 300000);
	T_CHECK(!memcmp(a, ref, 600000));
	T_EQ(memmove_op(t, a, a + 77, 300000), IAX_COMP_SUCCESS);
	memmove(ref, ref + 77, 300000);
	T_CHECK(!memcmp(a, ref, 600000));
	t->cfg.overlap_copy = false;
	/* Sizes. */
	T_EQ(memmove_op(t, a + 1000, a, 0), IAX_COMP_INVALID_SIZE);
	t->cfg.max_xfer_shift = 16;
	T_EQ(memmove_op(t, a + 200000, a, 65537), IAX_COMP_INVALID_SIZE);
	T_EQ(memmove_op(t, a + 200000, a, 65536), IAX_COMP_SUCCESS);
	t->cfg.max_xfer_shift = 31;
	/* Faults: no partial completion even though the first bytes were copied. */
	T_EQ(memmove_op(t, edge, a, 200), 0x83);
	/* sim_dma reports the faulting copy's address (see the report on sim_guard). */
	T_CHECK(t_rec.fault_addr >= (uintptr_t)edge && t_rec.fault_addr < (uintptr_t)edge + 200);
	T_EQ(t_rec.bytes_completed, 0);
	T_EQ(memmove_op(t, a, hole, 200), 0x03);
	munmap(hole, T_PAGE);
	t_unguard(edge, 100);
	free(a);
	free(ref);
}

static void test_validation(struct t_iaa *t)
{
	struct iax_hw_desc d;
	uint8_t *hole = t_hole(1);

	t_desc(&d, IAX_OPCODE_NOOP, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	T_EQ(t_rec.status, IAX_COMP_SUCCESS);
	t_desc(&d, IAX_OPCODE_DRAIN, IDXD_OP_FLAG_FENCE);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);

	/* Analytics operations are not modelled; unknown and disabled opcodes. */
	t_desc(&d, IAX_OPCODE_SCAN, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_BAD_OPCODE);
	T_EQ(t_rec.status, IAX_COMP_BAD_OPCODE);
	t_desc(&d, 0x7f, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_BAD_OPCODE);
	t->cfg.opcap[IAX_OPCODE_NOOP / 8] &= (uint8_t) ~(1u << (IAX_OPCODE_NOOP % 8));
	t_desc(&d, IAX_OPCODE_NOOP, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_BAD_OPCODE);
	t->cfg.opcap[IAX_OPCODE_NOOP / 8] |= (uint8_t)(1u << (IAX_OPCODE_NOOP % 8));

	/* Flags: reserved bit 6, CR, BOF without WQ block-on-fault, op bits on NOOP. */
	t_desc(&d, IAX_OPCODE_MEMMOVE, 0x40);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	T_EQ(t_rec.invalid_flags, 0x40);
	t_desc(&d, IAX_OPCODE_MEMMOVE, IDXD_OP_FLAG_CR);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	t_desc(&d, IAX_OPCODE_NOOP, IDXD_OP_FLAG_BOF);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	T_EQ(t_rec.invalid_flags, IDXD_OP_FLAG_BOF);
	t_desc(&d, IAX_OPCODE_NOOP, IDXD_IAX_F_RD_SRC2(1));
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	t->cfg.wq_bof = true;
	t_desc(&d, IAX_OPCODE_MEMMOVE, IDXD_OP_FLAG_BOF);
	d.src1_addr = (uintptr_t)rec2;
	d.dst_addr = (uintptr_t)&rec2[1];
	d.src1_size = 8;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	t->cfg.wq_bof = false;
	t->cfg.cache_ctl = false;
	t_desc(&d, IAX_OPCODE_NOOP, IDXD_OP_FLAG_CC);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	t->cfg.cache_ctl = true;
	/* Supervisor request without the PASID capability's privileged-mode enable. */
	t_desc(&d, IAX_OPCODE_NOOP, 0);
	sim_dma_init(&t->dma, &sim_dma_identity_ops, NULL);
	t->dma.priv_req = true;
	T_EQ(sim_iaa_exec(&t->x, &d), IAX_COMP_PRIV_BAD);

	/* Records: CRAV alone writes one on error only. */
	t_desc(&d, IAX_OPCODE_NOOP, 0);
	d.flags = IDXD_OP_FLAG_CRAV;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	T_EQ(t_rec.status, 0);
	d.opcode = 0x7f;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_BAD_OPCODE);
	T_EQ(t_rec.status, IAX_COMP_BAD_OPCODE);
	/* A misaligned record: nothing written, SWERR. */
	t->swerrs = 0;
	t_desc(&d, IAX_OPCODE_NOOP, 0);
	d.completion_addr = (uintptr_t)&rec2[0] + 32;
	memset(rec2, 0, sizeof(rec2));
	T_EQ(t_iaa_run(t, &d), IAX_COMP_CRA_ALIGN);
	T_EQ(t->swerrs, 1);
	T_EQ(t->last_swerr.error, IAX_COMP_CRA_ALIGN);
	T_EQ(rec2[0].status | rec2[1].status, 0);
	/* A record that cannot be written: CRA_XLAT through SWERR. */
	t_desc(&d, IAX_OPCODE_NOOP, 0);
	d.completion_addr = (uintptr_t)hole;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_CRA_XLAT);
	T_EQ(t->swerrs, 2);
	T_EQ(t->last_swerr.error, IAX_COMP_CRA_XLAT);
	/* No record at all: errors go to SWERR. */
	t_desc(&d, 0x7f, 0);
	d.flags = 0;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_BAD_OPCODE);
	T_EQ(t->swerrs, 3);
	T_EQ(t->last_swerr.opcode, 0x7f);
	/* Interrupts: raised after the record; a bad handle is a software error. */
	t->interrupts = 0;
	t_desc(&d, IAX_OPCODE_NOOP, IDXD_OP_FLAG_RCI);
	d.int_handle = 3;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	T_EQ(t->interrupts, 1);
	d.int_handle = 0xffff;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	T_EQ(t->swerrs, 4);
	T_EQ(t->last_swerr.error, IAX_COMP_INT_HANDLE_INVAL);
	/* With the core's validity check the descriptor fails up front, record and all. */
	t->env.int_handle_valid = t_iaa_interrupt;
	t->interrupts = 0;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INT_HANDLE_INVAL);
	T_EQ(t_rec.status, IAX_COMP_INT_HANDLE_INVAL);
	T_EQ(t->interrupts, 1); /* the check itself; no completion interrupt */
	t->env.int_handle_valid = NULL;
	munmap(hole, T_PAGE);
}

int main(void)
{
	struct t_iaa t;

	t_iaa_init(&t);
	test_crc64(&t);
	test_memmove(&t);
	test_validation(&t);
	t_iaa_fini(&t);
	return t_done("sim_iaa_ops");
}
