// SPDX-License-Identifier: MIT
/*
 * Fuzz target: any 64 bytes into the sim IAA executor.
 *
 * Property: every descriptor ends with a defined status (no crash, no hang, no sanitizer
 * report), and nothing is written outside what the descriptor may write: its destination, the
 * AECS copy it writes, its completion record (checked byte for byte against a snapshot).
 *
 * Addresses are confined to an arena framed by PROT_NONE pages: each address field is taken
 * modulo the arena plus its guards, or aimed at one of the arena's landmarks (a deflate stream
 * of text, a fixed-code AECS, a record slot), so the fuzzer reaches the deep paths and faults
 * alike. The rest of the input overwrites the arena's start and mutates the stream.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <zlib.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/iaa/iaa_aecs.h"
#include "sim/sim_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_target_unavailable(void);

#define FZ_PAGE 4096u
#define FZ_ARENA (16u * FZ_PAGE)
#define FZ_STREAM_OFF (8u * FZ_PAGE) /* a raw deflate stream */
#define FZ_AECS_OFF (12u * FZ_PAGE) /* a fixed-code compress AECS */
#define FZ_REC_OFF (14u * FZ_PAGE) /* completion records */
/* PROT_NONE after the arena: longer than any range the fuzzer can make, so every access past
 * the arena lands in a guard page (under ASan too, which checks whole ranges up front). */
#define FZ_TAIL (24u * FZ_PAGE)

static uint8_t *fz_arena, *fz_pristine, *fz_before;
static uint32_t fz_stream_len;
static void *fz_state;
static bool fz_ready;

struct fz_in {
	const uint8_t *p;
	size_t len;
};

static uint64_t fz_take(struct fz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->len; i++, in->p++, in->len--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static void fz_init(void)
{
	uint8_t text[24000];
	struct iaa_aecs_comp *a;
	z_stream z;
	uint8_t *m;

	if (fz_ready)
		return;
	fz_ready = true;
	if (sim_guard_init() || sim_iaa_state_create(&fz_state))
		return;
	m = mmap(NULL, FZ_PAGE + FZ_ARENA + FZ_TAIL, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return;
	mprotect(m, FZ_PAGE, PROT_NONE);
	mprotect(m + FZ_PAGE + FZ_ARENA, FZ_TAIL, PROT_NONE);
	fz_pristine = mmap(NULL, 2 * FZ_ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (fz_pristine == MAP_FAILED)
		return;
	fz_before = fz_pristine + FZ_ARENA;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[i % 44] ^
				    (i % 1000 == 0 ? 0x20 : 0));
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY);
	z.next_in = text;
	z.avail_in = sizeof(text);
	z.next_out = fz_pristine + FZ_STREAM_OFF;
	z.avail_out = 4 * FZ_PAGE;
	deflate(&z, Z_FINISH);
	fz_stream_len = (uint32_t)z.total_out;
	deflateEnd(&z);
	a = (struct iaa_aecs_comp *)(fz_pristine + FZ_AECS_OFF);
	iaa_aecs_comp_set_fixed(a, true);
	fz_arena = m + FZ_PAGE;
}

const char *fuzz_target_unavailable(void)
{
	fz_init();
	return fz_arena ? NULL : "cannot set up the arena or the executor state";
}

/* An address for a descriptor field: in the arena or its guards, or at a landmark. */
static uint64_t fz_addr(uint64_t raw)
{
	uintptr_t base = (uintptr_t)fz_arena;

	switch (raw & 7) {
	case 0:
		return base + FZ_STREAM_OFF + ((raw >> 3) % 8);
	case 1:
		return base + FZ_AECS_OFF + ((raw >> 3) % 4) * 32;
	case 2:
		return base + FZ_REC_OFF + ((raw >> 3) % 8) * 64;
	default:
		return base - FZ_PAGE + (raw >> 3) % (FZ_ARENA + 2 * FZ_PAGE);
	}
}

static bool fz_in_range(uint64_t a, uint64_t start, uint64_t len)
{
	return a >= start && a - start < len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ops[] = { IAX_OPCODE_NOOP,	      IAX_OPCODE_DRAIN,
				       IAX_OPCODE_MEMMOVE,    IAX_OPCODE_DECOMPRESS,
				       IAX_OPCODE_COMPRESS,   IAX_OPCODE_CRC64,
				       IAX_OPCODE_DECOMPRESS, IAX_OPCODE_COMPRESS };
	struct fz_in in = { data, size };
	struct sim_exec_cfg cfg = { .version = IDXD_VERSION_1 };
	struct sim_exec_env env = { 0 };
	struct iax_hw_desc d;
	struct sim_exec x;
	struct sim_dma dma;
	uint64_t wr_start = 0, wr_len = 0, aecs_start = 0, aecs_len = 0, rec = 0;
	uint32_t flags, mutations;
	uint8_t status, knobs, steer;

	fz_init();
	if (!fz_arena || size < 2)
		return 0;
	memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
	if (size < sizeof(d))
		memset((uint8_t *)&d + size, 0, sizeof(d) - size);
	in.p += size < sizeof(d) ? size : sizeof(d);
	in.len -= size < sizeof(d) ? size : sizeof(d);
	knobs = (uint8_t)fz_take(&in, 1);
	steer = (uint8_t)fz_take(&in, 1);

	d.src1_addr = fz_addr(d.src1_addr);
	d.dst_addr = fz_addr(d.dst_addr);
	d.src2_addr = fz_addr(d.src2_addr);
	d.src1_size %= FZ_ARENA + FZ_PAGE;
	d.max_dst_size %= FZ_ARENA + FZ_PAGE;
	d.src2_size %= 0x3000;
	d.completion_addr = (knobs & 0x60) == 0x60 ? fz_addr(d.completion_addr) :
						     (uintptr_t)fz_arena + FZ_REC_OFF;
	if (knobs & 1) {
		/* A well-formed descriptor of a modelled opcode: the work itself gets fuzzed. */
		uint64_t poly = d.src2_addr ^ ((uint64_t)d.src2_size << 40);
		uint16_t opf = d.compr_flags;

		d.opcode = ops[(knobs >> 1) & 7];
		d.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | (d.flags & IDXD_OP_FLAG_BOF);
		/* Destinations in the first pages, clear of the stream and the AECSs. */
		d.dst_addr = (uintptr_t)fz_arena + d.dst_addr % FZ_PAGE;
		d.max_dst_size %= 3 * FZ_PAGE;
		d.filter_flags = 0;
		d.num_inputs = 0;
		d.compr_flags = 0;
		switch (d.opcode) {
		case IAX_OPCODE_MEMMOVE:
			d.src2_addr = 0;
			d.src2_size = 0;
			d.max_dst_size = 0;
			break;
		case IAX_OPCODE_CRC64:
			d.dst_addr = 0;
			d.max_dst_size = 0;
			d.src2_addr = 0;
			d.src2_size = 0;
			d.compr_flags = opf & 0xc000;
			memcpy((uint8_t *)&d + IDXD_IAX_DESC_CRC64_POLY_OFF, &poly, sizeof(poly));
			break;
		case IAX_OPCODE_COMPRESS:
			d.compr_flags = opf & 0x1f;
			d.flags |= IDXD_IAX_F_RD_SRC2(1) | (steer & 2 ? IDXD_IAX_F_WR_SRC2(1) : 0);
			d.src2_addr = (uintptr_t)fz_arena + FZ_AECS_OFF;
			d.src2_size = 0x620;
			break;
		case IAX_OPCODE_DECOMPRESS:
			d.compr_flags = (opf & 0x43df) | IDXD_IAX_DECOMPF_ENABLE;
			d.flags |= (steer & 2 ? IDXD_IAX_F_RD_SRC2(1) : 0) |
				   IDXD_IAX_F_WR_SRC2((steer >> 2) & 3 ? (steer >> 2) & 1 ? 1 : 2 :
									 0) |
				   (steer & 0x10 ? IDXD_IAX_F_AECS_SEL : 0);
			d.src2_addr = (uintptr_t)fz_arena + 4 * FZ_PAGE + 64 * ((steer >> 5) % 4);
			d.src2_size = 0x1500;
			if (steer & 0x80) {
				d.src1_addr = (uintptr_t)fz_arena + FZ_STREAM_OFF;
				d.src1_size = fz_stream_len - (uint32_t)((poly >> 3) % 64);
			}
			break;
		default:
			break;
		}
		if (steer & 0x40)
			d.flags |= IDXD_OP_FLAG_CRC_RFC3720 &
				   -(uint32_t)(d.opcode >= 0x42 && d.opcode <= 0x43);
	}

	/* The arena: pristine, then the input's remaining bytes mutate it. */
	memcpy(fz_arena, fz_pristine, FZ_ARENA);
	mutations = (uint32_t)fz_take(&in, 1) % 8;
	for (uint32_t i = 0; i < mutations && in.len >= 3; i++) {
		uint32_t off = (uint32_t)fz_take(&in, 2) % (4 * FZ_PAGE);

		fz_arena[FZ_STREAM_OFF + off] ^= (uint8_t)fz_take(&in, 1);
	}
	if (in.len)
		memcpy(fz_arena, in.p, in.len < FZ_PAGE ? in.len : FZ_PAGE);
	memcpy(fz_before, fz_arena, FZ_ARENA);

	cfg.max_xfer_shift = 10 + (knobs & 7) * 2;
	cfg.wq_bof = knobs & 2;
	cfg.overlap_copy = knobs & 4;
	cfg.cache_ctl = knobs & 8;
	memset(cfg.opcap, 0xff, sizeof(cfg.opcap));
	sim_dma_init(&dma, &sim_dma_identity_ops, NULL);
	x = (struct sim_exec){ .dma = &dma, .cfg = &cfg, .env = &env, .state = fz_state };
	status = sim_iaa_exec(&x, &d);

	/* Statuses the executor may give. */
	switch (status & 0x7f) {
	case IAX_COMP_SUCCESS:
	case 0x03:
	case IAX_COMP_PAGE_FAULT_IR:
	case IAX_COMP_ANALYTICS_ERROR:
	case IAX_COMP_OUTBUF_OVERFLOW:
	case IAX_COMP_BAD_OPCODE:
	case IAX_COMP_INVALID_FLAGS:
	case IAX_COMP_NOZERO_RESERVE:
	case IAX_COMP_INVALID_SIZE:
	case IAX_COMP_OVERLAP_BUFFERS:
	case IAX_COMP_CRA_XLAT:
	case IAX_COMP_CRA_ALIGN:
	case IAX_COMP_ADDR_ALIGN:
	case IAX_COMP_PRIV_BAD:
	case IAX_COMP_TRANSLATION_FAIL:
	case IAX_COMP_PRS_TIMEOUT:
	case IAX_COMP_INVALID_COMP_FLAG:
		break;
	default:
		__builtin_trap();
	}

	/* What the descriptor may have written. */
	flags = d.flags;
	if (d.opcode == IAX_OPCODE_MEMMOVE) {
		wr_start = d.dst_addr;
		wr_len = d.src1_size;
	} else if (d.opcode == IAX_OPCODE_COMPRESS || d.opcode == IAX_OPCODE_DECOMPRESS) {
		wr_start = d.dst_addr;
		wr_len = d.max_dst_size;
		aecs_len = (flags & IDXD_IAX_F_WR_SRC2_MASK) ? d.src2_size : 0;
		aecs_start = d.src2_addr + ((flags & IDXD_IAX_F_AECS_SEL) ? 0 : d.src2_size);
	}
	if (flags & IDXD_OP_FLAG_CRAV)
		rec = d.completion_addr;
	for (uint32_t i = 0; i < FZ_ARENA; i++) {
		uint64_t a = (uintptr_t)fz_arena + i;

		if (fz_arena[i] == fz_before[i] || fz_in_range(a, wr_start, wr_len) ||
		    fz_in_range(a, aecs_start, aecs_len) || (rec && fz_in_range(a, rec, 64)))
			continue;
		__builtin_trap();
	}
	/* A record, when written (its status byte changed), says what the executor returned. */
	if (rec && fz_in_range(rec, (uintptr_t)fz_arena, FZ_ARENA - 63) && !(rec & 63) &&
	    fz_arena[rec - (uintptr_t)fz_arena] != fz_before[rec - (uintptr_t)fz_arena] &&
	    fz_arena[rec - (uintptr_t)fz_arena] != status)
		__builtin_trap();
	return 0;
}
