// SPDX-License-Identifier: MIT
/*
 * The vfio platform: DSA/IAA functions bound to vfio-pci, reached through their VFIO device
 * cdevs and iommufd (the same nested-IOAS binding as the sim platform, pasid/pasid_as.c).
 *
 * What exists: discovery (rt_probe), the iommufd client and the PASID binding. What does not
 * yet: driving the device itself over VFIO (BAR0 configuration: groups, WQCFG, enabling
 * WQs, and the portal BAR mapping), which the kernel's idxd driver does on the idxd platform.
 * Until then this platform explains itself and declines, so AUTO moves on.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "runtime/rt_probe.h"

static int vfio_open(struct svart_ctx *ctx)
{
	struct rt_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	rt_probe(p);
	if (!p->plat[RT_PROBE_VFIO].usable)
		rt_ctx_explain(ctx, "vfio: %s.", p->plat[RT_PROBE_VFIO].reason);
	else
		rt_ctx_explain(ctx, "vfio: found VFIO device cdevs, but svart does not yet program "
				    "DSA/IAA devices over VFIO (use the idxd platform).");
	free(p);
	return -ENODEV;
}

static void vfio_close(struct svart_ctx *ctx)
{
}

const struct rt_platform_ops rt_platform_vfio = {
	.name = "vfio",
	.platform = SVART_PLATFORM_VFIO,
	.path = SVART_PATH_DEVICE,
	.open = vfio_open,
	.close = vfio_close,
	.service = rt_plat_eopnotsupp_service,
	.prefault = rt_plat_populate,
	.invalidate = rt_plat_eopnotsupp_invalidate,
};
