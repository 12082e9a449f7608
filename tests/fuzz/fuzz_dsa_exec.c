// SPDX-License-Identifier: MIT
/*
 * Fuzz target: random 64-byte descriptors (and batch lists of them) into the sim DSA executor.
 *
 * Properties checked on every input:
 *  - no crash, no sanitizer report;
 *  - the returned status is one a DSA defines, and when a record was due and could be
 *    written, the record's status byte is that status;
 *  - nothing outside the buffers a descriptor may name is written: a canary page beyond the
 *    guard region never changes.
 *
 * Address fields are not left raw: the identity backend makes an I/O address a host address,
 * and a raw one could point at the fuzzer's own heap, which a real device would write just
 * as happily. Each is rewritten to an address in the arena (any alignment), in the read-only
 * view of the batch-list page, in the PROT_NONE guard that follows, or to one of a few
 * addresses that never map (NULL page, kernel half, non-canonical). Transfers are at most
 * 64 KiB (max_xfer_shift <= 16), so anything starting in the arena ends inside the 1 MiB
 * guard. Batch lists are read through a read-only view, so no descriptor can rewrite the
 * list it is part of (which would smuggle raw addresses in).
 *
 * Two backends: identity (a missing page is a guard fault, GONE) and a 4 KiB-page one that
 * translates only the arena and list (XLATE, and page requests answered as the input says).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/idxd.h>

#include "sim/accel/sim_exec.h"
#include "sim/sim_dma.h"
#include "sim/sim_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_target_unavailable(void);

/*
 * ASan's memcpy/memcmp interceptors check a range's shadow before touching it and report an
 * address outside the application's ranges (kernel half, non-canonical) as a wild pointer,
 * and UBSan reports NULL passed to memcpy, where the plain build takes the fault that the
 * guard turns into a device page fault. The sanitizer build (ASan and UBSan come together in
 * svart's) leaves those addresses out; the plain build covers them.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#ifndef FZ_ASAN
#define FZ_ASAN 0
#endif

#define FZ_PAGE 4096u
#define FZ_ARENA (16 * FZ_PAGE) /* read/write data */
#define FZ_LIST FZ_PAGE /* batch lists: read-only view of fz_list_rw */
#define FZ_GUARD (256 * FZ_PAGE) /* PROT_NONE */
#define FZ_TOTAL (FZ_ARENA + FZ_LIST + FZ_GUARD + FZ_PAGE)

static uint8_t *fz_base; /* arena | list (ro) | guard | canary */
static uint8_t *fz_list_rw; /* writable view of the list page */
static uint8_t *fz_canary;

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
	int fd;

	if (fz_base)
		return;
	fz_base = mmap(NULL, FZ_TOTAL, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_base == MAP_FAILED)
		__builtin_trap();
	if (mprotect(fz_base, FZ_ARENA, PROT_READ | PROT_WRITE))
		__builtin_trap();
	/* The list page twice: writable for the fuzzer, read-only where the device reads. */
	fd = memfd_create("fuzz_dsa_list", 0);
	if (fd < 0 || ftruncate(fd, FZ_LIST))
		__builtin_trap();
	fz_list_rw = mmap(NULL, FZ_LIST, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fz_list_rw == MAP_FAILED || mmap(fz_base + FZ_ARENA, FZ_LIST, PROT_READ,
					     MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		__builtin_trap();
	close(fd);
	fz_canary = fz_base + FZ_ARENA + FZ_LIST + FZ_GUARD;
	if (mprotect(fz_canary, FZ_PAGE, PROT_READ | PROT_WRITE))
		__builtin_trap();
	for (unsigned int i = 0; i < FZ_PAGE; i++)
		fz_canary[i] = (uint8_t)(i * 7 + 3);
	if (sim_guard_init())
		__builtin_trap();
}

/* An address the device may be pointed at: see the header comment. */
static uint64_t fz_addr(struct fz_in *in, bool list)
{
	uint64_t sel = fz_take(in, 1), off = fz_take(in, 2);
	uintptr_t base = (uintptr_t)fz_base;

	if (list || sel < 0x20)
		return base + FZ_ARENA + (off % FZ_LIST);
	if (sel < 0xd0) {
		/* Mostly well-aligned, like real buffers, sometimes not. */
		if (sel & 1)
			off &= ~(uint64_t)63;
		return base + (off % FZ_ARENA);
	}
	switch (sel & 7) {
	case 0:
	case 1:
	case 2:
		return base + FZ_ARENA + FZ_LIST + (off * 16 % FZ_GUARD / 2);
	case 3:
		if (FZ_ASAN)
			return base + FZ_ARENA + FZ_LIST + FZ_GUARD / 4 + off;
		return off & 0xfff; /* NULL page */
	case 4:
		if (FZ_ASAN)
			return base + FZ_ARENA + FZ_LIST + off;
		return 0xffff888000000000ull + (off << 12);
	case 5:
		if (FZ_ASAN)
			return base + FZ_ARENA + FZ_LIST + FZ_GUARD / 2 + off;
		return 0x0000800000000000ull + off; /* non-canonical */
	default:
		return base + FZ_ARENA - (off % 64); /* running into the list / guard */
	}
}

static void fz_put64(uint8_t *d, size_t off, uint64_t v)
{
	memcpy(d + off, &v, sizeof(v));
}

/* Alignments and size relations a runtime would get right (for the steered descriptors). */
static void fz_shape_fields(uint8_t *d, uint32_t n)
{
	static const uint32_t bs[4] = { 512, 520, 4096, 4104 };
	uint64_t a;

	switch (d[7]) {
	case DSA_OPCODE_BATCH:
		memcpy(&a, d + 16, 8);
		fz_put64(d, 16, a & ~(uint64_t)63);
		break;
	case DSA_OPCODE_CR_DELTA:
	case DSA_OPCODE_AP_DELTA:
		for (int off = 16; off <= 24; off += 8) {
			memcpy(&a, d + off, 8);
			fz_put64(d, off, a & ~(uint64_t)7);
		}
		n &= ~7u;
		memcpy(d + 32, &n, 4);
		break;
	case DSA_OPCODE_DUALCAST:
		memcpy(&a, d + 24, 8);
		fz_put64(d, 40, (uintptr_t)fz_base + (n & 0xf000) + (a & 0xfff));
		break;
	case DSA_OPCODE_DIF_CHECK:
	case DSA_OPCODE_DIF_STRP:
	case DSA_OPCODE_DIF_UPDT:
	case DSA_OPCODE_DIF_INS: {
		uint32_t b = bs[d[42] & 3] + (d[7] == DSA_OPCODE_DIF_INS ? 0 : 8);

		n = (n % 8 + 1) * b;
		memcpy(d + 32, &n, 4);
		break;
	}
	default:
		break;
	}
}

/* Op-specific bytes 40-63 as a runtime would fill them: used fields random, the rest 0. */
static void fz_op_specific(uint8_t *d, struct fz_in *in)
{
	uint64_t r = fz_take(in, 8);
	uint32_t v;

	memset(d + 40, 0, 24);
	switch (d[7]) {
	case DSA_OPCODE_MEMFILL:
		memcpy(d + 40, &r, 8); /* the upper pattern half, if asked for */
		break;
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
		d[40] = r & 1;
		break;
	case DSA_OPCODE_CR_DELTA:
		v = (uint32_t)(r % 300);
		if (r & 0x100000)
			v -= v % 10;
		memcpy(d + 48, &v, 4);
		d[56] = (uint8_t)(r >> 24) & 7;
		break;
	case DSA_OPCODE_AP_DELTA:
		v = (uint32_t)(r % 40) * 10 + ((r >> 20) & 1);
		memcpy(d + 40, &v, 4);
		break;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC:
		memcpy(d + 40, &r, 4);
		break;
	case DSA_OPCODE_DIF_CHECK:
	case DSA_OPCODE_DIF_STRP:
	case DSA_OPCODE_DIF_INS:
	case DSA_OPCODE_DIF_UPDT:
		d[40] = d[7] == DSA_OPCODE_DIF_INS ? 0 : (uint8_t)r;
		d[41] = d[7] == DSA_OPCODE_DIF_INS || d[7] == DSA_OPCODE_DIF_UPDT ?
				(uint8_t)(r >> 8) & 0xf8 :
				0;
		d[42] = (uint8_t)(r >> 16) & 0x0f;
		v = (uint32_t)(r >> 24);
		memcpy(d + 48, &v, 4);
		memcpy(d + 56, &v, 4);
		d[52] = d[60] = (uint8_t)(r >> 56) & (uint8_t)(r >> 48);
		d[55] = d[63] = (uint8_t)(r >> 40);
		if (d[7] == DSA_OPCODE_DIF_INS)
			memset(d + 48, 0, 8);
		if (d[7] != DSA_OPCODE_DIF_INS && d[7] != DSA_OPCODE_DIF_UPDT)
			memset(d + 56, 0, 8);
		break;
	default:
		break;
	}
}

static const uint8_t fz_opcodes[] = {
	DSA_OPCODE_NOOP,      DSA_OPCODE_BATCH,	   DSA_OPCODE_DRAIN,	DSA_OPCODE_MEMMOVE,
	DSA_OPCODE_MEMFILL,   DSA_OPCODE_COMPARE,  DSA_OPCODE_COMPVAL,	DSA_OPCODE_CR_DELTA,
	DSA_OPCODE_AP_DELTA,  DSA_OPCODE_DUALCAST, DSA_OPCODE_CRCGEN,	DSA_OPCODE_COPY_CRC,
	DSA_OPCODE_DIF_CHECK, DSA_OPCODE_DIF_INS,  DSA_OPCODE_DIF_STRP, DSA_OPCODE_DIF_UPDT,
	DSA_OPCODE_CFLUSH,
};

/*
 * Seven descriptors in eight are steered the way a runtime builds them (a valid opcode,
 * plausible flags, zero reserved fields, sensible op-specific fields and sizes, an aligned
 * record), so they get past validation and run; the eighth stays raw. Either way every address
 * the opcode may use is replaced (see the header comment).
 */
static void fz_fix(uint8_t *d, struct fz_in *in)
{
	uint8_t shape = (uint8_t)fz_take(in, 1), opcode;
	bool steer = (shape & 7) != 0;

	if (steer) {
		uint8_t f4 = d[4], f5 = d[5], f6 = d[6], op;
		bool cr, opf;

		d[7] = op = fz_opcodes[d[7] % sizeof(fz_opcodes)];
		cr = op == DSA_OPCODE_COMPARE || op == DSA_OPCODE_COMPVAL ||
		     op == DSA_OPCODE_CR_DELTA;
		opf = op == DSA_OPCODE_DRAIN || op == DSA_OPCODE_MEMFILL ||
		      op == DSA_OPCODE_DUALCAST || op == DSA_OPCODE_CRCGEN ||
		      op == DSA_OPCODE_COPY_CRC;
		/* CRAV | RCR; FENCE, BOF, RCI, CC, CR and op bits where the opcode has them,
		 * each in about one descriptor in four (and any of them, now and then). */
		d[4] = (uint8_t)((f4 & f5 & (cr ? 0x93 : 0x13)) | 0x0c);
		d[5] = f5 & f6 & 0x01;
		if (!(shape & 0x40)) {
			if (op == DSA_OPCODE_NOOP || op == DSA_OPCODE_BATCH ||
			    op == DSA_OPCODE_DRAIN)
				d[4] &= (uint8_t)~IDXD_OP_FLAG_BOF;
			if (op == DSA_OPCODE_BATCH || op == DSA_OPCODE_DRAIN)
				d[4] &= (uint8_t)~IDXD_OP_FLAG_FENCE;
			if (op < DSA_OPCODE_MEMMOVE || op == DSA_OPCODE_COMPARE ||
			    op == DSA_OPCODE_COMPVAL || op == DSA_OPCODE_CRCGEN ||
			    op == DSA_OPCODE_DIF_CHECK)
				d[5] = 0;
		}
		d[6] = opf ? f6 & f4 & 0x07 : 0;
		d[2] &= 0x0f; /* PASID dword bits 30:20 and Priv */
		d[3] = 0;
		d[38] = d[39] = 0;
		if (shape & 0x18)
			fz_op_specific(d, in);
		else
			memset(d + 40 + (d[0] & 15), 0, 24 - (d[0] & 15));
	}
	opcode = d[7];

	if (steer && (shape & 0x70))
		fz_put64(d, 8, ((uintptr_t)fz_base + fz_take(in, 2) % FZ_ARENA) & ~(uint64_t)31);
	else
		fz_put64(d, 8, fz_addr(in, false));
	if (opcode != DSA_OPCODE_MEMFILL) /* else a pattern */
		fz_put64(d, 16, fz_addr(in, opcode == DSA_OPCODE_BATCH));
	if (opcode != DSA_OPCODE_COMPVAL) /* else a pattern */
		fz_put64(d, 24, fz_addr(in, false));
	if (opcode == DSA_OPCODE_CR_DELTA || opcode == DSA_OPCODE_DUALCAST)
		fz_put64(d, 40, fz_addr(in, false));
	if (opcode == DSA_OPCODE_CRCGEN || opcode == DSA_OPCODE_COPY_CRC)
		fz_put64(d, 48, fz_addr(in, false));
	if (steer) {
		/* Mostly sizes that run, now and then one that does not; BATCH: a count. */
		uint32_t n = (uint32_t)fz_take(in, 3);

		if (opcode == DSA_OPCODE_BATCH)
			n = shape & 0x80 ? n % 40 : n % 8;
		else
			n = shape & 0x80 ? n % (FZ_ARENA + 1) : n % (FZ_ARENA / 8 + 1);
		memcpy(d + 32, &n, sizeof(n));
		if (!(shape & 0x80))
			fz_shape_fields(d, n);
	}
}

/* A page-granular backend translating only the arena and the list view. */
struct fz_pr {
	uint8_t answers; /* page_request results, two bits each */
	unsigned int calls;
};

static int fz_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			struct sim_dma_xlate *out)
{
	uintptr_t base = (uintptr_t)fz_base;

	if (iova < base || iova >= base + FZ_ARENA + FZ_LIST)
		return -EFAULT;
	if ((access & SIM_DMA_WRITE) && iova >= base + FZ_ARENA)
		return -EFAULT;
	out->host = (uintptr_t)iova;
	out->len = FZ_PAGE - (iova & (FZ_PAGE - 1));
	return 0;
}

static int fz_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	static const int res[4] = { 0, -EFAULT, -ETIMEDOUT, -EIO };
	struct fz_pr *p = dma->priv;

	return res[(p->answers >> (2 * (p->calls++ % 4))) & 3];
}

static const struct sim_dma_ops fz_ops = { .translate = fz_translate,
					   .page_request = fz_page_request };

static bool fz_interrupt(void *arg, uint16_t handle)
{
	return !(handle & 1);
}

static void fz_swerr(void *arg, const struct sim_swerr *e)
{
	(*(unsigned int *)arg)++;
}

static bool fz_status_defined(uint8_t st)
{
	st &= DSA_COMP_STATUS_MASK;
	return (st >= DSA_COMP_SUCCESS && st <= DSA_COMP_DIF_ERR) ||
	       (st >= DSA_COMP_BAD_OPCODE && st <= DSA_COMP_TRANSLATION_FAIL);
}

const char *fuzz_target_unavailable(void)
{
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct sim_exec_cfg cfg = { 0 };
	struct sim_exec_env env = { 0 };
	struct fz_pr pr = { 0 };
	struct sim_exec x = { 0 };
	struct sim_dma dma;
	uint8_t desc[64], *rec;
	uint64_t caps, shifts, rec_addr, list_addr, slot;
	unsigned int nswerr = 0, nsub;
	bool identity, want;
	uint8_t st;

	fz_init();
	if (size < 4)
		return 0;
	caps = fz_take(&in, 2);
	caps |= fz_take(&in, 1) & 0xff; /* the device capabilities: 3 in 4 present */
	shifts = fz_take(&in, 1);
	cfg.version = caps & 1 ? 0x200 : 0x100;
	cfg.overlap_copy = caps & 2;
	cfg.cache_ctl = caps & 4;
	cfg.dest_readback = caps & 8;
	cfg.drain_readback = caps & 16;
	cfg.wq_bof = caps & 32;
	cfg.prs = caps & 64;
	cfg.priv_ok = caps & 128;
	identity = caps & 0x100;
	/* WQ maxima: mostly the largest the arena allows, 64 KiB and 32 descriptors. */
	cfg.max_xfer_shift = shifts & 0x30 ? 16 : (unsigned int)(shifts & 15) + 1;
	cfg.max_batch_shift = shifts & 0xc0 ? 5 : (unsigned int)(shifts & 7) % 6;
	memset(cfg.opcap, 0xff, sizeof(cfg.opcap));
	if ((caps & 0x600) == 0x600)
		cfg.opcap[0] = (uint8_t)fz_take(&in, 1);
	pr.answers = (uint8_t)fz_take(&in, 1);

	memset(desc, 0, sizeof(desc));
	{
		size_t n = in.len < 64 ? in.len : 64;

		memcpy(desc, in.p, n);
		in.p += n;
		in.len -= n;
	}
	fz_fix(desc, &in);
	/* The batch list page: sub-descriptors with fixed addresses, from where the list
	 * starts (older ones, fixed the same way, may follow). */
	memcpy(&list_addr, desc + 16, sizeof(list_addr));
	slot = list_addr - ((uintptr_t)fz_base + FZ_ARENA);
	slot = slot < FZ_LIST ? slot / 64 : 0;
	nsub = (unsigned int)fz_take(&in, 1) % 9;
	for (unsigned int i = 0; i < nsub && in.len; i++) {
		uint8_t sub[64] = { 0 };
		size_t n = in.len < 64 ? in.len : 64;

		memcpy(sub, in.p, n);
		in.p += n;
		in.len -= n;
		fz_fix(sub, &in);
		memcpy(fz_list_rw + (slot + i) % (FZ_LIST / 64) * 64, sub, 64);
	}

	memcpy(&rec_addr, desc + 8, sizeof(rec_addr));

	env.interrupt = fz_interrupt;
	env.int_handle_valid = caps & 0x400 ? fz_interrupt : NULL;
	env.swerr = fz_swerr;
	env.arg = &nswerr;
	sim_dma_init(&dma, identity ? &sim_dma_identity_ops : &fz_ops, &pr);
	dma.priv_req = (caps & 0x1800) == 0x1800;
	x.dma = &dma;
	x.cfg = &cfg;
	x.env = &env;

	st = sim_dsa_exec(&x, (const struct dsa_hw_desc *)desc);

	if (!fz_status_defined(st))
		__builtin_trap();
	/* A record due at a writable, aligned arena address holds the returned status. */
	want = (desc[4] & IDXD_OP_FLAG_CRAV) &&
	       ((desc[4] & IDXD_OP_FLAG_RCR) || st != DSA_COMP_SUCCESS);
	rec = (uint8_t *)(uintptr_t)rec_addr;
	if (want && !(rec_addr & 31) && rec_addr >= (uintptr_t)fz_base &&
	    rec_addr + 32 <= (uintptr_t)fz_base + FZ_ARENA && *rec != st)
		__builtin_trap();
	for (unsigned int i = 0; i < FZ_PAGE; i++)
		if (fz_canary[i] != (uint8_t)(i * 7 + 3))
			__builtin_trap();
	return 0;
}
