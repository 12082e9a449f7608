// SPDX-License-Identifier: MIT
/*
 * Default capability registers of the sim DSA and IAA (Sapphire Rapids class, version 1.0), and
 * what version 2.0 adds.
 *
 * Values follow a DSA 1.0 gen_cap read from sysfs on Sapphire Rapids (0x40915f0107: BOF, overlap
 * copy, cache control to memory, destination readback, 2^31-byte transfers, 1024-descriptor
 * batches, 8 x 256 IMS entries, configurable) and the kernel's sysfs maxima (8 WQs of 128 entries
 * in all, 4 groups, 4 DSA / 8 IAA engines). OPCAP lists exactly the operations sim's executors
 * implement. Where no source gave a bit (IAA gen_cap, DSA 2 extras) the choice is marked.
 */
#include "sim/accel/sim_accel.h"

#include <errno.h>
#include <linux/idxd.h>

#define BIT64(n) (UINT64_C(1) << (n))

const struct sim_accel_caps sim_accel_caps_dsa = {
	.version = IDXD_VERSION_1,
	.gencap = { {
		.bof = 1,
		.overlap_copy = 1,
		.cache_ctl_mem = 1,
		.dest_readback = 1,
		.max_xfer_shift = 31,
		.max_batch_shift = 10,
		.max_ims_mult = 8,
		.config_en = 1,
	} },
	.wqcap = { {
		.total_wq_size = 128,
		.num_wqs = 8,
		.shared = 1,
		.dedicated = 1,
		.ats = 1,
		.priority = 1,
	} },
	.grpcap = { {
		.num_groups = 4,
		.total_rdbufs = 96,
		.rdbuf_ctrl = 1,
		.rdbuf_limit = 1,
	} },
	.engcap = { { .num_engines = 4 } },
	/* NOOP..DUALCAST (0x00-0x09), CRCGEN..DIF_UPDT (0x10-0x15), CFLUSH (0x20). */
	.opcap = { .bits = { 0x3f03ffull | BIT64(DSA_OPCODE_CFLUSH) } },
	.pci_device = 0x0b25,
	.int_handles = SIM_ACCEL_MAX_INT_HANDLES,
	.pasid_priv = true,
	.prs = true,
};

const struct sim_accel_caps sim_accel_caps_iaa = {
	.version = IDXD_VERSION_1,
	/* IAA gen_cap: BOF, cache control, 2^31-byte transfers, no batches; others unverified. */
	.gencap = { {
		.bof = 1,
		.cache_ctl_mem = 1,
		.max_xfer_shift = 31,
		.max_batch_shift = 0,
		.max_ims_mult = 8,
		.config_en = 1,
	} },
	.wqcap = { {
		.total_wq_size = 128,
		.num_wqs = 8,
		.shared = 1,
		.dedicated = 1,
		.ats = 1,
		.priority = 1,
	} },
	.grpcap = { { .num_groups = 4 } },
	.engcap = { { .num_engines = 8 } },
	/* NOOP, DRAIN, MEMMOVE, DECOMPRESS, COMPRESS, CRC64: what sim/iaa/ executes. */
	.opcap = { .bits = { BIT64(IAX_OPCODE_NOOP) | BIT64(IAX_OPCODE_DRAIN) |
				     BIT64(IAX_OPCODE_MEMMOVE),
			     BIT64(IAX_OPCODE_DECOMPRESS - 64) | BIT64(IAX_OPCODE_COMPRESS - 64) |
				     BIT64(IAX_OPCODE_CRC64 - 64) } },
	.pci_device = 0x0cfe,
	.int_handles = SIM_ACCEL_MAX_INT_HANDLES,
	.pasid_priv = true,
	.prs = true,
};

int sim_accel_caps_for_version(const struct sim_accel_type *type, unsigned int version,
			       struct sim_accel_caps *out)
{
	if (version != 1 && version != 2 && version != IDXD_VERSION_1 && version != IDXD_VERSION_2)
		return -EINVAL;
	*out = *type->caps;
	if (version == 1 || version == IDXD_VERSION_1) {
		out->version = IDXD_VERSION_1;
		return 0;
	}
	/*
	 * Version 2 (Granite Rapids): 64-byte WQCFG with op_config, prs_disable honoured, group
	 * progress limits, drain readback (K-reg, reference section 6). No event log: sim writes
	 * completion-record faults to SWERR as version 1 does.
	 */
	out->version = IDXD_VERSION_2;
	out->gencap.cmd_cap = 1;
	out->gencap.drain_readback = out->gencap.max_batch_shift ? 1 : 0;
	out->wqcap.wqcfg_size = 1;
	out->wqcap.op_config = 1;
	out->wqcap.prs = 1;
	out->grpcap.progress_limit = out->gencap.max_batch_shift ? 1 : 0;
	return 0;
}
