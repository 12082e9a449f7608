// SPDX-License-Identifier: MIT
/*
 * VT-d first-stage walk, as hardware does it for one request.
 *
 * Checks, in the order they apply, and where each comes from:
 *
 *  Before the walk (the PASID entry and the request):
 *  1. addr_width 48 -> 4 levels, 57 -> 5 levels only with CAP.FL5LP; anything else is a
 *     mis-programmed PASID entry (FLPM). VT-d "PASID entry" FLPM field; QEMU
 *     vtd_is_fl_level_supported().                                     -> BAD_WIDTH
 *  2. FSPTPTR is a 4 KiB-aligned address below the HAW (the field is bits 63:12; bits beyond
 *     the HAW are reserved). QEMU VTD_FR_PASID_ENTRY_FSPTPTR_INV (0x73). -> BAD_PTPTR
 *  3. A supervisor request (PR=1) with SRE=0 is blocked, not downgraded to user: Linux
 *     commit 54c80d907400 ("Use user privilege for RID2PASID translation": "Clear the SRE ...
 *     so that requests requesting the supervisor privilege are blocked and treated as DMA
 *     remapping faults"). Requests without PR are user requests.      -> PRIV_BLOCKED
 *  4. Execute-Requested: VT-d 3.x allowed it only with the PASID entry's ERE=1; later
 *     revisions removed ER support and deprecated NXE/XD (Linux commit "iommu/vt-d: Remove
 *     control over Execute-Requested requests", 2024). cfg.exec_requests models ERE=NXE=1;
 *     without it an execute request is blocked.                        -> EXEC_BLOCKED
 *  5. The VA is canonical for the width: bits 63:47 (or 63:56) equal. VT-d first-stage
 *     translation; QEMU vtd_iova_fl_check_canonical(), fault 0x80 SNG.1. -> NON_CANONICAL
 *
 *  At each level (VT-d "first-stage paging entries" = SDM vol. 3A 4.5 IA-32e formats):
 *  6. The table fetch goes through cfg.fetch (stage-2 in nesting).     -> S2_FETCH
 *  7. P=0.                                                             -> NOT_PRESENT
 *  8. Reserved bits (SDM 4.5 tables 4-14..4-20; QEMU VTD_FPTE_*_RSVD_MASK):
 *     - every level: address bits 51:HAW;
 *     - PML5E, PML4E: bit 7 (PS);
 *     - PDPE with PS=1: bits 29:13, and PS itself without CAP.FL1GP (1 GiB pages);
 *     - PDE with PS=1: bits 20:13;
 *     - PTE bit 7 is PAT and large-page bit 12 is PAT: not reserved.
 *     Ignored, never faulting: bits 11:8 (bit 10 is EA when EAFE=1), bit 6 in non-leaf
 *     entries, bits 62:52 (SDM: ignored / protection key, which VT-d does not use) and bit 63
 *     (XD) unless cfg.exec_requests. SDM makes XD reserved when EFER.NXE=0; VT-d deprecated
 *     it with NXE and QEMU ignores bits 63:52 (VTD_FS_UPPER_IGNORED), so do we.
 *                                                                      -> RESERVED
 *  After the walk, from the entries of every level (SDM 4.6 access rights, with VT-d's
 *  request privilege in place of CPL, WPE in place of CR0.WP):
 *  9. User request: U/S=1 at every level.                              -> PRIV (QEMU 0x81)
 * 10. Write: R/W=1 at every level, for user requests always and for supervisor requests only
 *     when WPE=1 (WPE=0: supervisor writes ignore R/W). QEMU VTD_FR_SM_WRITE (0x85).
 *                                                                      -> WRITE
 * 11. Execute (cfg.exec_requests): XD=0 at every level.                -> EXEC
 *     Not modelled: SMEP (supervisor fetch from a user page), because VT-d's PASID-entry SMEP
 *     went away with ER support.
 *
 *  A P=0 or reserved entry ends the walk before any permission is judged, as on x86 ("no
 *  valid translation" outranks access rights). QEMU instead checks U/S and R/W entry by entry
 *  on the way down, so for a table that is both under-privileged high up and broken lower
 *  down QEMU reports the permission fault where we report the broken entry.
 *
 *  A/EA/D (VT-d "accessed, extended accessed and dirty flags"): only after the request is
 *  known to succeed, A on every entry used, EA as well when EAFE=1 (bit 10), D on the leaf
 *  for writes; each with compare-and-swap so concurrent walkers never lose each other's bits.
 *  If an entry changed in any other bit meanwhile, the walk restarts. A faulting request
 *  sets nothing (QEMU sets A level by level as it descends; a fault leaves upper A set there).
 *  The A/D write needs the table writable at stage 2: cfg.fetch(write=true); a failure is
 *  QEMU's VTD_FR_FS_BIT_UPDATE_FAILED (0x91).                          -> AD_UPDATE
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "pasid/iommufd_uapi.h"
#include "sim/iommu/vtd_s1.h"

#define FS_P (1ULL << 0)
#define FS_RW (1ULL << 1)
#define FS_US (1ULL << 2)
#define FS_A (1ULL << 5)
#define FS_D (1ULL << 6)
#define FS_PS (1ULL << 7)
#define FS_EA (1ULL << 10)
#define FS_XD (1ULL << 63)
#define FS_ADDR 0x000ffffffffff000ULL /* bits 51:12 */
#define FS_RSVD_2M 0x00000000001fe000ULL /* bits 20:13 */
#define FS_RSVD_1G 0x000000003fffe000ULL /* bits 29:13 */

#define MAX_LEVELS 5

static unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static bool is_canonical(uint64_t va, unsigned int width)
{
	/* Shift the sign bit (width - 1) up to bit 63 and back: canonical values survive. */
	return (uint64_t)((int64_t)(va << (64 - width)) >> (64 - width)) == va;
}

static uint64_t rsvd_mask(const struct sim_vtd_s1_cfg *cfg, unsigned int haw, uint64_t e,
			  unsigned int level)
{
	uint64_t m = FS_ADDR & ~((1ULL << haw) - 1);

	switch (level) {
	case 5:
	case 4:
		m |= FS_PS;
		break;
	case 3:
		if (e & FS_PS)
			m |= (cfg->caps & SIM_VTD_S1_CAP_FL1GP) ? FS_RSVD_1G : FS_PS;
		break;
	case 2:
		if (e & FS_PS)
			m |= FS_RSVD_2M;
		break;
	}
	return m;
}

static int fault(struct sim_vtd_s1_result *res, enum sim_vtd_s1_fault f, unsigned int level)
{
	res->fault = f;
	res->level = level;
	return -EFAULT;
}

/**
 * sim_vtd_s1_walk() - translate one request through a VT-d first-stage table.
 * @cfg: the PASID entry's first-stage settings and the table fetch callback.
 * @va: the request's address.
 * @access: SIM_VTD_S1_ACC_* (read unless WRITE; EXEC only with reads).
 * @res: filled on success and on a translation fault.
 *
 * Does what hardware does for an untranslated request: every check listed at the top of
 * vtd_s1.c, then (with SIM_VTD_S1_ACC_SET_AD) the A/EA/D updates. Allocation-free.
 *
 * Return: 0 with @res->oa/page_size/prot; -EFAULT with @res->fault/level/fault_addr for a
 * translation fault; -EINVAL for a caller error (NULL arguments, unknown @access bits,
 * WRITE|EXEC, @cfg->haw outside 12..52), with @res untouched.
 */
int sim_vtd_s1_walk(const struct sim_vtd_s1_cfg *cfg, uint64_t va, unsigned int access,
		    struct sim_vtd_s1_result *res)
{
	const unsigned int known = SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_EXEC |
				   SIM_VTD_S1_ACC_PRIV | SIM_VTD_S1_ACC_SET_AD;
	bool write = access & SIM_VTD_S1_ACC_WRITE, exec = access & SIM_VTD_S1_ACC_EXEC;
	bool user = !(access & SIM_VTD_S1_ACC_PRIV);
	uint64_t seen[MAX_LEVELS + 1], taddr[MAX_LEVELS + 1];
	unsigned int idx[MAX_LEVELS + 1];
	unsigned int levels, haw, level, leaf_level, no_us, no_rw, xd;
	uint64_t table, e, size;

	if (!cfg || !cfg->fetch || !res || (access & ~known) || (write && exec))
		return -EINVAL;
	haw = cfg->haw ? cfg->haw : 52;
	if (haw < 12 || haw > 52)
		return -EINVAL;

	memset(res, 0, sizeof(*res));
	res->fault_addr = va;
	res->levels = cfg->addr_width == 57 ? 5 : 4;

	if (cfg->addr_width == 48)
		levels = 4;
	else if (cfg->addr_width == 57 && (cfg->caps & SIM_VTD_S1_CAP_FL5LP))
		levels = 5;
	else
		return fault(res, SIM_VTD_S1_FAULT_BAD_WIDTH, 0);
	if ((cfg->pgtbl_addr & 0xfff) || (cfg->pgtbl_addr >> haw))
		return fault(res, SIM_VTD_S1_FAULT_BAD_PTPTR, 0);
	if (!user && !(cfg->flags & IOMMU_VTD_S1_SRE))
		return fault(res, SIM_VTD_S1_FAULT_PRIV_BLOCKED, 0);
	if (exec && !cfg->exec_requests)
		return fault(res, SIM_VTD_S1_FAULT_EXEC_BLOCKED, 0);
	if (!is_canonical(va, cfg->addr_width))
		return fault(res, SIM_VTD_S1_FAULT_NON_CANONICAL, 0);

restart:
	table = cfg->pgtbl_addr;
	/* The topmost level at which a permission bit denies, 0 when none does. */
	no_us = no_rw = xd = 0;
	for (level = levels;; level--) {
		int s2 = 0;
		uint64_t *t = cfg->fetch(cfg->arg, table, false, &s2);

		if (!t) {
			res->fault_addr = table;
			res->s2_reason = s2;
			return fault(res, SIM_VTD_S1_FAULT_S2_FETCH, level);
		}
		idx[level] = (va >> level_shift(level)) & 0x1ff;
		taddr[level] = table;
		e = __atomic_load_n(&t[idx[level]], __ATOMIC_ACQUIRE);
		seen[level] = e;
		res->mem_refs++;

		if (!(e & FS_P))
			return fault(res, SIM_VTD_S1_FAULT_NOT_PRESENT, level);
		if (e & rsvd_mask(cfg, haw, e, level))
			return fault(res, SIM_VTD_S1_FAULT_RESERVED, level);
		if (!(e & FS_US) && !no_us)
			no_us = level;
		if (!(e & FS_RW) && !no_rw)
			no_rw = level;
		if ((e & FS_XD) && cfg->exec_requests && !xd)
			xd = level;
		if (level == 1 || (level <= 3 && (e & FS_PS)))
			break;
		table = e & FS_ADDR;
	}
	leaf_level = level;

	if (user && no_us)
		return fault(res, SIM_VTD_S1_FAULT_PRIV, no_us);
	if (write && no_rw && (user || (cfg->flags & IOMMU_VTD_S1_WPE)))
		return fault(res, SIM_VTD_S1_FAULT_WRITE, no_rw);
	if (exec && xd)
		return fault(res, SIM_VTD_S1_FAULT_EXEC, xd);

	if (access & SIM_VTD_S1_ACC_SET_AD) {
		for (level = levels; level >= leaf_level; level--) {
			uint64_t want = FS_A, cur = seen[level];
			uint64_t *w;
			int s2 = 0;

			if (cfg->flags & IOMMU_VTD_S1_EAFE)
				want |= FS_EA;
			if (level == leaf_level && write)
				want |= FS_D;
			if ((cur & want) == want)
				continue;
			w = cfg->fetch(cfg->arg, taddr[level], true, &s2);
			if (!w) {
				res->fault_addr = taddr[level];
				res->s2_reason = s2;
				return fault(res, SIM_VTD_S1_FAULT_AD_UPDATE, level);
			}
			w += idx[level];
			while (!__atomic_compare_exchange_n(w, &cur, cur | want, false,
							    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				/* Another walker's A/EA/D is fine; any other change is a new table. */
				if ((cur ^ seen[level]) & ~(FS_A | FS_EA | FS_D)) {
					res->restarts++;
					goto restart;
				}
				if ((cur & want) == want)
					break;
			}
			res->ad_updates++;
		}
	}

	size = 1ULL << level_shift(leaf_level);
	e = seen[leaf_level];
	res->leaf = e;
	res->page_size = size;
	res->oa = (e & FS_ADDR & ~(size - 1)) | (va & (size - 1));
	res->prot = SIM_VTD_S1_PROT_R;
	if (!no_rw || (!user && !(cfg->flags & IOMMU_VTD_S1_WPE)))
		res->prot |= SIM_VTD_S1_PROT_W;
	if (cfg->exec_requests && !xd)
		res->prot |= SIM_VTD_S1_PROT_X;
	if (!no_us)
		res->prot |= SIM_VTD_S1_PROT_U;
	res->fault_addr = 0;
	return 0;
}

/**
 * sim_vtd_s1_fault_name() - a short name for a fault reason, for logs and test messages.
 * @fault: the reason.
 *
 * Return: a static string; "unknown" for values outside the enum.
 */
const char *sim_vtd_s1_fault_name(enum sim_vtd_s1_fault fault)
{
	static const char *const names[] = {
		[SIM_VTD_S1_FAULT_NONE] = "none",
		[SIM_VTD_S1_FAULT_BAD_WIDTH] = "bad address width",
		[SIM_VTD_S1_FAULT_BAD_PTPTR] = "bad first-stage table pointer",
		[SIM_VTD_S1_FAULT_PRIV_BLOCKED] = "supervisor request with SRE=0",
		[SIM_VTD_S1_FAULT_EXEC_BLOCKED] = "execute request not enabled",
		[SIM_VTD_S1_FAULT_NON_CANONICAL] = "non-canonical address",
		[SIM_VTD_S1_FAULT_NOT_PRESENT] = "not present",
		[SIM_VTD_S1_FAULT_RESERVED] = "reserved bit set",
		[SIM_VTD_S1_FAULT_PRIV] = "user access to supervisor page",
		[SIM_VTD_S1_FAULT_WRITE] = "write to read-only page",
		[SIM_VTD_S1_FAULT_EXEC] = "execute from XD page",
		[SIM_VTD_S1_FAULT_S2_FETCH] = "second-stage fault fetching a table",
		[SIM_VTD_S1_FAULT_AD_UPDATE] = "second-stage fault setting A/D",
	};

	if ((unsigned int)fault >= sizeof(names) / sizeof(names[0]) || !names[fault])
		return "unknown";
	return names[fault];
}

/**
 * sim_vtd_s1_fault_code() - the VT-d scalable-mode fault reason code for a failed walk.
 * @res: a result with @res->fault set.
 *
 * Codes as QEMU's VTDFaultReason spells them (hw/i386/intel_iommu_internal.h): 0x70 first-
 * stage entry access failed below the top, 0x71 not present, 0x72 reserved bit, 0x73 invalid
 * FSPTPTR (also a failed fetch of the top table), 0x80 non-canonical, 0x81 privilege, 0x85
 * write, 0x91 A/D update failed. Reasons for which no source gives a code return 0.
 *
 * Return: the code, or 0.
 */
unsigned int sim_vtd_s1_fault_code(const struct sim_vtd_s1_result *res)
{
	switch (res->fault) {
	case SIM_VTD_S1_FAULT_BAD_PTPTR:
		return 0x73;
	case SIM_VTD_S1_FAULT_S2_FETCH:
		/* The top table is addressed by the PASID entry itself. */
		return res->level == res->levels ? 0x73 : 0x70;
	case SIM_VTD_S1_FAULT_NON_CANONICAL:
		return 0x80;
	case SIM_VTD_S1_FAULT_NOT_PRESENT:
		return 0x71;
	case SIM_VTD_S1_FAULT_RESERVED:
		return 0x72;
	case SIM_VTD_S1_FAULT_PRIV:
		return 0x81;
	case SIM_VTD_S1_FAULT_WRITE:
		return 0x85;
	case SIM_VTD_S1_FAULT_AD_UPDATE:
		return 0x91;
	default:
		return 0;
	}
}
