// SPDX-License-Identifier: MIT
/*
 * sim VT-d: the IOMMU "driver" for svart's simulated DSA/IAA devices, answering as the kernel's
 * drivers/iommu/intel driver does for GET_HW_INFO, domain allocation (paging, nest parent,
 * nested VTD_S1), attach checks and the VTD_S1 cache invalidation format.
 *
 * The CAP/ECAP values describe what sim implements (bit positions from the kernel's
 * drivers/iommu/intel/iommu.h); see sim_vtd_cap/sim_vtd_ecap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"

/* CAP_REG */
#define SIM_VTD_CAP_ND(n) ((uint64_t)(n) << 0) /* 2:0 domains = 2^(4+2n) */
#define SIM_VTD_CAP_SAGAW_4L (1ULL << (8 + 2)) /* 12:8 bit 2: 4-level (48-bit) S2 */
#define SIM_VTD_CAP_SAGAW_5L (1ULL << (8 + 3)) /* bit 3: 5-level (57-bit) S2 */
#define SIM_VTD_CAP_MGAW(w) ((uint64_t)((w)-1) << 16) /* 21:16 max guest address width - 1 */
#define SIM_VTD_CAP_SLLPS_2M (1ULL << 34) /* 37:34 S2 large pages: 2 MiB */
#define SIM_VTD_CAP_SLLPS_1G (1ULL << 35) /* and 1 GiB */
#define SIM_VTD_CAP_PSI (1ULL << 39) /* page-selective invalidation */
#define SIM_VTD_CAP_MAMV(m) ((uint64_t)(m) << 48) /* 53:48 max address mask value */
#define SIM_VTD_CAP_FL1GP (1ULL << 56) /* first-stage 1 GiB pages */
#define SIM_VTD_CAP_FL5LP (1ULL << 60) /* first-stage 5-level paging */

/* ECAP_REG */
#define SIM_VTD_ECAP_C (1ULL << 0) /* page walks snoop (coherent) */
#define SIM_VTD_ECAP_QI (1ULL << 1) /* queued invalidation (needed by scalable mode) */
#define SIM_VTD_ECAP_DT (1ULL << 2) /* device TLB (ATS) invalidation */
#define SIM_VTD_ECAP_NEST (1ULL << 26) /* nested translation */
#define SIM_VTD_ECAP_PRS (1ULL << 29) /* page requests */
#define SIM_VTD_ECAP_PSS(b) ((uint64_t)((b)-1) << 35) /* 39:35 PASID bits - 1 */
#define SIM_VTD_ECAP_PASID (1ULL << 40) /* PASID support */
#define SIM_VTD_ECAP_SMTS (1ULL << 43) /* scalable mode */
#define SIM_VTD_ECAP_SLTS (1ULL << 46) /* second-stage translation */
#define SIM_VTD_ECAP_FLTS (1ULL << 47) /* first-stage translation */
#define SIM_VTD_ECAP_SMPWC (1ULL << 48) /* scalable-mode page walks coherent */

/*
 * Not set, because sim does not do them: SRS (supervisor requests, bit 31; so S1 SRE is
 * refused at attach), EAFS (extended accessed flag, bit 34; so EAFE is refused), ERS (execute
 * requests), SLADS/SSADS (dirty tracking), PT (pass-through), caching mode, and the register
 * offsets (FRO/NFR/IRO: sim has no register file).
 */
static const uint64_t sim_vtd_cap = SIM_VTD_CAP_ND(6) | SIM_VTD_CAP_SAGAW_4L |
				    SIM_VTD_CAP_SAGAW_5L | SIM_VTD_CAP_MGAW(57) |
				    SIM_VTD_CAP_SLLPS_2M | SIM_VTD_CAP_SLLPS_1G | SIM_VTD_CAP_PSI |
				    SIM_VTD_CAP_MAMV(18) | SIM_VTD_CAP_FL1GP | SIM_VTD_CAP_FL5LP;
static const uint64_t sim_vtd_ecap = SIM_VTD_ECAP_C | SIM_VTD_ECAP_QI | SIM_VTD_ECAP_DT |
				     SIM_VTD_ECAP_NEST | SIM_VTD_ECAP_PRS | SIM_VTD_ECAP_PSS(20) |
				     SIM_VTD_ECAP_PASID | SIM_VTD_ECAP_SMTS | SIM_VTD_ECAP_SLTS |
				     SIM_VTD_ECAP_FLTS | SIM_VTD_ECAP_SMPWC;

#define SIM_VTD_PAGE_SIZE 4096ULL

/* Driver data of a nested domain: the guest's stage-1 configuration. */
struct sim_vtd_nested {
	struct iommu_hwpt_vtd_s1 s1;
};

static int sim_vtd_hw_info(struct sim_pdev *pdev, void *buf, uint32_t *len, uint32_t *type)
{
	struct iommu_hw_info_vtd vtd = {
		/* The kernel reports the SPR17 erratum on every VT-d unit. */
		.flags = IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17,
		.cap_reg = sim_vtd_cap,
		.ecap_reg = sim_vtd_ecap,
	};

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		return -EOPNOTSUPP;
	memcpy(buf, &vtd, sizeof(vtd));
	*len = sizeof(vtd);
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return 0;
}

static int sim_vtd_paging_geometry(struct sim_pdev *pdev, uint32_t flags,
				   struct sim_iopt_domain *geo)
{
	geo->pgsize_bitmap = (1ULL << 12) | (1ULL << 21) | (1ULL << 30);
	geo->aperture_start = 0;
	geo->aperture_end = (1ULL << 57) - 1; /* MGAW 57 */
	return 0;
}

static int sim_vtd_alloc_paging(struct sim_pdev *pdev, uint32_t flags,
				const struct sim_user_data *data, void **priv)
{
	const uint32_t supported = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				   IOMMU_HWPT_ALLOC_PASID;

	if (flags & ~supported)
		return -EOPNOTSUPP;
	/* Paging domains take no user data on VT-d; no second-stage dirty bits (SSADS). */
	if (data || (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	*priv = NULL;
	return 0;
}

static int sim_vtd_alloc_nested(struct sim_pdev *pdev, struct sim_hwpt_paging *parent,
				uint32_t flags, const struct sim_user_data *data, void **priv)
{
	struct sim_vtd_nested *nested;
	struct iommu_hwpt_vtd_s1 s1;
	int rc;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return -EOPNOTSUPP;
	if (data->type != IOMMU_HWPT_DATA_VTD_S1)
		return -EOPNOTSUPP;
	if (parent->common.owner != &sim_vtd_ops || !parent->nest_parent)
		return -EINVAL;
	rc = sim_copy_struct_from_user_data(&s1, sizeof(s1),
					    offsetofend(struct iommu_hwpt_vtd_s1, __reserved), data,
					    IOMMU_HWPT_DATA_VTD_S1);
	if (rc)
		return rc;
	nested = calloc(1, sizeof(*nested));
	if (!nested)
		return -ENOMEM;
	/* flags and addr_width are checked when the domain is attached, as on VT-d. */
	nested->s1 = s1;
	*priv = nested;
	return 0;
}

static void sim_vtd_domain_free(void *priv)
{
	free(priv);
}

/* intel_pasid_setup_nested()'s configuration checks. */
static int sim_vtd_attach_check(struct sim_pdev *pdev, struct sim_hwpt *hwpt, uint32_t pasid)
{
	const struct sim_vtd_nested *nested = hwpt->domain_priv;

	if (hwpt->obj.type != SIM_OBJ_HWPT_NESTED)
		return 0;
	if (nested->s1.addr_width == 57) {
		if (!(sim_vtd_cap & SIM_VTD_CAP_FL5LP))
			return -EINVAL;
	} else if (nested->s1.addr_width != 48) {
		return -EINVAL;
	}
	if ((nested->s1.flags & IOMMU_VTD_S1_SRE) && !(sim_vtd_ecap & (1ULL << 31)))
		return -EINVAL;
	if ((nested->s1.flags & IOMMU_VTD_S1_EAFE) && !(sim_vtd_ecap & (1ULL << 34)))
		return -EINVAL;
	return 0;
}

static int sim_vtd_cache_invalidate_user(struct sim_hwpt *hwpt, struct sim_user_data_array *array)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	uint32_t index, processed = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
		rc = -EINVAL;
		goto out;
	}
	for (index = 0; index < array->entry_num; index++) {
		rc = sim_copy_struct_from_user_array(
			&inv, sizeof(inv),
			offsetofend(struct iommu_hwpt_vtd_s1_invalidate, __reserved), array,
			IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, index);
		if (rc)
			break;
		if ((inv.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv.__reserved) {
			rc = -EOPNOTSUPP;
			break;
		}
		if ((inv.addr & (SIM_VTD_PAGE_SIZE - 1)) ||
		    (inv.npages == UINT64_MAX && inv.addr)) {
			rc = -EINVAL;
			break;
		}
		sim_iommu_notify_flush(hwpt, inv.addr, inv.npages,
				       inv.flags & IOMMU_VTD_INV_FLAGS_LEAF);
		processed++;
	}
out:
	array->entry_num = processed;
	return rc;
}

int sim_hwpt_vtd_s1(const struct sim_hwpt *hwpt, struct sim_hwpt_vtd_s1_data *cfg)
{
	const struct sim_vtd_nested *nested = hwpt->domain_priv;

	if (hwpt->obj.type != SIM_OBJ_HWPT_NESTED || hwpt->owner != &sim_vtd_ops)
		return -EINVAL;
	cfg->flags = nested->s1.flags;
	cfg->pgtbl_addr = nested->s1.pgtbl_addr;
	cfg->addr_width = nested->s1.addr_width;
	return 0;
}

/* No second-stage dirty bits (SSADS): VT-d never allocates a dirty-tracking domain. */
static int sim_vtd_set_dirty_tracking(struct sim_hwpt *hwpt, bool enable)
{
	return -EOPNOTSUPP;
}

static int sim_vtd_read_and_clear_dirty(struct sim_hwpt *hwpt, uint64_t iova, uint64_t length,
					bool no_clear,
					void (*record)(void *ctx, uint64_t iova, uint64_t length),
					void *ctx)
{
	return -EOPNOTSUPP;
}

/* Linux 7.0 has no VT-d vIOMMU type: nested HWPTs hang off the parent HWPT instead. */
static const struct sim_viommu_ops *sim_vtd_viommu_ops(struct sim_pdev *pdev, uint32_t type)
{
	return NULL;
}

const struct sim_iommu_ops sim_vtd_ops = {
	.name = "sim-vtd",
	.viommu_ops = sim_vtd_viommu_ops,
	.hw_info = sim_vtd_hw_info,
	.dirty_tracking = false,
	.paging_geometry = sim_vtd_paging_geometry,
	.alloc_paging = sim_vtd_alloc_paging,
	.alloc_nested = sim_vtd_alloc_nested,
	.domain_free = sim_vtd_domain_free,
	.attach_check = sim_vtd_attach_check,
	.cache_invalidate_user = sim_vtd_cache_invalidate_user,
	.set_dirty_tracking = sim_vtd_set_dirty_tracking,
	.read_and_clear_dirty = sim_vtd_read_and_clear_dirty,
};
