/* SPDX-License-Identifier: MIT */
/*
 * sim/iommu/vtd_s1: what VT-d hardware does for one request translated by a first-stage
 * (x86-64 format) page table: the walk, its checks, the A/D updates and the fault it reports.
 *
 * The tables are read through a caller callback because in nested translation every table
 * address (the PASID entry's FSPTPTR and each entry's pointer) is a stage-2 input address:
 * the caller translates it through the parent and charges the second-stage walk itself.
 *
 * Sources: Intel VT-d specification (first-stage translation, first-stage paging entries,
 * fault reasons), Intel SDM vol. 3A ch. 4 (the x86-64 paging format VT-d reuses), QEMU
 * hw/i386/intel_iommu.c (vtd_iova_to_flpte(), vtd_flpte_nonzero_rsvd(),
 * vtd_iova_fl_check_canonical()) and Linux drivers/iommu/intel/{pasid.c,iommu.h}. Where they
 * differ, vtd_s1.c says which one the walker follows and why.
 *
 * Thread-safe: the walker only reads entries with atomic loads and sets A/EA/D with
 * compare-and-swap, so several walkers and a table builder may run at once.
 */
#ifndef SVART_SIM_IOMMU_VTD_S1_H
#define SVART_SIM_IOMMU_VTD_S1_H

#include <stdbool.h>
#include <stdint.h>

/* Request attributes (sim_vtd_s1_walk() @access). A request is a read unless WRITE is set. */
enum sim_vtd_s1_access {
	SIM_VTD_S1_ACC_WRITE = 1 << 0, /* a write (else a read) */
	SIM_VTD_S1_ACC_EXEC = 1 << 1, /* PCIe Execute-Requested (reads only) */
	SIM_VTD_S1_ACC_PRIV = 1 << 2, /* PCIe Privileged-Mode-Requested: a supervisor request */
	SIM_VTD_S1_ACC_SET_AD = 1 << 3, /* do the A/EA/D updates (off: a side-effect-free probe) */
};

/* Hardware capabilities the walk depends on (sim_vtd_s1_cfg.caps). */
enum sim_vtd_s1_caps {
	SIM_VTD_S1_CAP_FL1GP = 1 << 0, /* CAP.FL1GP (bit 56): 1 GiB first-stage pages */
	SIM_VTD_S1_CAP_FL5LP = 1 << 1, /* CAP.FL5LP (bit 60): 5-level first-stage tables */
};
#define SIM_VTD_S1_CAPS_ALL (SIM_VTD_S1_CAP_FL1GP | SIM_VTD_S1_CAP_FL5LP)

/* Effective permissions of a translation for the request's privilege (result.prot). */
enum sim_vtd_s1_prot {
	SIM_VTD_S1_PROT_R = 1 << 0,
	SIM_VTD_S1_PROT_W = 1 << 1,
	SIM_VTD_S1_PROT_X = 1 << 2,
	SIM_VTD_S1_PROT_U = 1 << 3, /* U/S=1 at every level: a user-mode page */
};

/* Why a walk failed (result.fault). */
enum sim_vtd_s1_fault {
	SIM_VTD_S1_FAULT_NONE = 0,
	SIM_VTD_S1_FAULT_BAD_WIDTH, /* addr_width not 48/57, or 57 without FL5LP */
	SIM_VTD_S1_FAULT_BAD_PTPTR, /* pgtbl_addr not 4 KiB aligned or beyond the HAW */
	SIM_VTD_S1_FAULT_PRIV_BLOCKED, /* supervisor request while SRE=0 */
	SIM_VTD_S1_FAULT_EXEC_BLOCKED, /* execute request while execute requests are disabled */
	SIM_VTD_S1_FAULT_NON_CANONICAL, /* VA not canonical for addr_width */
	SIM_VTD_S1_FAULT_NOT_PRESENT, /* P=0 at @level */
	SIM_VTD_S1_FAULT_RESERVED, /* a reserved bit set at @level */
	SIM_VTD_S1_FAULT_PRIV, /* user request, U/S=0 at @level */
	SIM_VTD_S1_FAULT_WRITE, /* write, R/W=0 at @level */
	SIM_VTD_S1_FAULT_EXEC, /* execute request, XD=1 at @level */
	SIM_VTD_S1_FAULT_S2_FETCH, /* the table at @fault_addr could not be fetched */
	SIM_VTD_S1_FAULT_AD_UPDATE, /* the table at @fault_addr could not be written for A/D */
};

/**
 * struct sim_vtd_s1_cfg - what the PASID entry and the capability registers say.
 * @pgtbl_addr: FSPTPTR: address of the top-level table (a stage-2 input address in nesting).
 * @addr_width: 48 (4-level) or 57 (5-level), as iommu_hwpt_vtd_s1.addr_width.
 * @flags: IOMMU_VTD_S1_SRE / _EAFE / _WPE from pasid/iommufd_uapi.h.
 * @caps: SIM_VTD_S1_CAP_*.
 * @haw: host (output) address width: entry address bits at and above it are reserved;
 *	0 means 52, the architectural maximum (MGAW-like limit of the stage-2 input).
 * @exec_requests: model a VT-d 3.x PASID entry with ERE=1 and NXE=1: execute requests are
 *	allowed and XD is honoured. Off (what Linux programs, and what current VT-d allows):
 *	execute requests fault and XD is ignored. See vtd_s1.c.
 * @fetch: map the 4 KiB table at @table_addr to a host pointer, or return NULL for a
 *	second-stage fault (optionally storing a caller-defined reason in *@s2_reason, reported
 *	back in result.s2_reason). @write is true when the walker is about to set A/EA/D in it.
 * @arg: passed to @fetch.
 */
struct sim_vtd_s1_cfg {
	uint64_t pgtbl_addr;
	uint32_t addr_width;
	uint32_t flags;
	uint32_t caps;
	uint32_t haw;
	bool exec_requests;
	uint64_t *(*fetch)(void *arg, uint64_t table_addr, bool write, int *s2_reason);
	void *arg;
};

/**
 * struct sim_vtd_s1_result - outcome of one walk.
 * @oa: output address (page base + offset) on success.
 * @page_size: 4096, 2 MiB or 1 GiB on success.
 * @prot: SIM_VTD_S1_PROT_* the translation grants to a request of this privilege.
 * @leaf: the leaf entry as read before any A/D update.
 * @mem_refs: table-entry reads (one per level per attempt); second-stage costs not included.
 * @ad_updates: entries written to set A/EA/D.
 * @restarts: walks restarted because an entry changed under an A/D update.
 * @fault: SIM_VTD_S1_FAULT_NONE on success.
 * @level: level of the faulting entry or table (5 = PML5E .. 1 = PTE), 0 before the walk.
 * @levels: paging levels of the configuration (4 or 5), to tell the top table apart.
 * @fault_addr: the request's VA, or the table address for S2_FETCH / AD_UPDATE.
 * @s2_reason: what @fetch stored for S2_FETCH / AD_UPDATE.
 */
struct sim_vtd_s1_result {
	uint64_t oa;
	uint64_t page_size;
	unsigned int prot;
	uint64_t leaf;
	unsigned int mem_refs;
	unsigned int ad_updates;
	unsigned int restarts;
	enum sim_vtd_s1_fault fault;
	unsigned int level;
	unsigned int levels;
	uint64_t fault_addr;
	int s2_reason;
};

int sim_vtd_s1_walk(const struct sim_vtd_s1_cfg *cfg, uint64_t va, unsigned int access,
		    struct sim_vtd_s1_result *res);
const char *sim_vtd_s1_fault_name(enum sim_vtd_s1_fault fault);
unsigned int sim_vtd_s1_fault_code(const struct sim_vtd_s1_result *res);

#endif /* SVART_SIM_IOMMU_VTD_S1_H */
