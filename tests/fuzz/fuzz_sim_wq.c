// SPDX-License-Identifier: MIT
/*
 * Fuzz target: any 64 bytes through a sim DSA or IAA work queue, by ENQCMD, MOVDIR64B or the
 * cdev write(), with the engines running (issue: "a fuzz target feeds random descriptors
 * through a sim WQ with the sanitizers on").
 *
 * Checked on every input: no crash and no sanitizer report; every accepted descriptor is
 * executed or dropped into SWERR (the WQ drains); nothing outside the arena and its guard is
 * written (a canary page after the guard never changes).
 *
 * Every 8-byte field that can hold an address (bytes 8, 16, 24, 40, 48, 56, whatever the
 * opcode) is folded into the arena or the PROT_NONE guard after it: the identity backend makes
 * I/O addresses host addresses, and a raw one could hit the fuzzer's own heap (which a device
 * would write just as happily) or, under ASan, be reported as a wild pointer before the guard
 * sees the fault. Transfers are capped at 64 KiB by the WQ, so nothing that starts in the
 * arena ends past the guard. Non-address fields at those offsets stay fuzzed, only folded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/idxd.h>

#include "sim/accel/sim_accel.h"
#include "sim/sim_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_target_unavailable(void);

#define FZ_PAGE 4096u
#define FZ_ARENA (16 * FZ_PAGE)
#define FZ_GUARD (64 * FZ_PAGE) /* > 64 KiB max transfer + any offset into the last page */
#define FZ_TOTAL (FZ_ARENA + FZ_GUARD + FZ_PAGE)

static uint8_t *fz_base, *fz_canary;
static struct sim_accel_dev *fz_dev[2];
static struct sim_accel_wq *fz_wq[2][2]; /* [dsa, iaa][shared, dedicated] */

const char *fuzz_target_unavailable(void)
{
	return NULL;
}

static struct sim_accel_wq *fz_make_wq(struct sim_accel_dev *dev, unsigned int id,
				       enum sim_wq_mode mode, bool dsa)
{
	struct sim_accel_wq *wq = sim_accel_wq_find(dev, id);
	struct sim_wq_cfg c;

	sim_wq_config_get(wq, &c);
	c.mode = mode;
	c.size = 8;
	c.threshold = mode == SIM_WQ_SHARED ? 8 : 0;
	c.priority = 10;
	c.group_id = 0;
	c.type = SIM_WQ_TYPE_USER;
	c.block_on_fault = false;
	c.max_xfer_shift = 16;
	c.max_batch_shift = dsa ? 3 : 0;
	c.pasid = 1;
	c.pasid_en = mode == SIM_WQ_DEDICATED;
	strcpy(c.name, "fuzz");
	if (sim_wq_config_set(wq, &c))
		__builtin_trap();
	return wq;
}

static void fz_init(void)
{
	static const struct sim_accel_type *const types[2] = { &sim_accel_type_dsa,
							       &sim_accel_type_iaa };

	if (fz_base)
		return;
	fz_base = mmap(NULL, FZ_TOTAL, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_base == MAP_FAILED || mprotect(fz_base, FZ_ARENA, PROT_READ | PROT_WRITE))
		__builtin_trap();
	fz_canary = fz_base + FZ_ARENA + FZ_GUARD;
	if (mprotect(fz_canary, FZ_PAGE, PROT_READ | PROT_WRITE))
		__builtin_trap();
	memset(fz_canary, 0x5a, FZ_PAGE);
	if (sim_guard_init())
		__builtin_trap();
	for (int t = 0; t < 2; t++) {
		struct sim_accel_dev_params p = { .type = types[t], .node = 0, .spin_us = 1 };

		if (sim_accel_dev_create(&p, &fz_dev[t]) || sim_engine_set_group(fz_dev[t], 0, 0))
			__builtin_trap();
		fz_wq[t][0] = fz_make_wq(fz_dev[t], 0, SIM_WQ_SHARED, t == 0);
		fz_wq[t][1] = fz_make_wq(fz_dev[t], 1, SIM_WQ_DEDICATED, t == 0);
		if (sim_accel_dev_enable(fz_dev[t]) || sim_wq_enable(fz_wq[t][0]) ||
		    sim_wq_enable(fz_wq[t][1]))
			__builtin_trap();
	}
	sim_accel_process_pasid_set(1);
}

/* An address in the arena (mostly aligned) or the guard after it. */
static uint64_t fz_addr(uint64_t raw)
{
	uintptr_t base = (uintptr_t)fz_base;
	uint64_t off = raw >> 8;

	if ((raw & 0xff) < 0xe0)
		return base + ((raw & 1 ? off : off & ~(uint64_t)63) % FZ_ARENA);
	return base + FZ_ARENA + off % (FZ_GUARD / 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Address-bearing 8-byte fields of DSA and IAA descriptors (and batch lists). */
	static const unsigned int addr_off[] = { 8, 16, 24, 40, 48, 56 };
	uint8_t desc[64] __attribute__((aligned(64)));

	fz_init();
	while (size >= 66) {
		unsigned int sel = data[0], how = data[1] % 3;
		struct sim_accel_wq *wq = fz_wq[sel & 1][(sel >> 1) & 1];

		memcpy(desc, data + 2, 64);
		for (unsigned int i = 0; i < sizeof(addr_off) / sizeof(addr_off[0]); i++) {
			uint64_t v;

			memcpy(&v, desc + addr_off[i], 8);
			v = fz_addr(v);
			memcpy(desc + addr_off[i], &v, 8);
		}
		sim_wq_submit(wq, desc, how);
		data += 66;
		size -= 66;
	}
	for (int t = 0; t < 2; t++) {
		uint64_t swerr_ack = 3; /* valid | overflow */

		sim_wq_drain(fz_wq[t][0]);
		sim_wq_drain(fz_wq[t][1]);
		sim_accel_swerr_ack(fz_dev[t], swerr_ack);
	}
	for (unsigned int i = 0; i < FZ_PAGE; i++)
		if (fz_canary[i] != 0x5a)
			__builtin_trap();
	return 0;
}
