// SPDX-License-Identifier: MIT
/*
 * The vfio-pci face of the interposer (SVART_SIM_DRIVER=vfio-pci, docs/SIM_PRELOAD.md).
 *
 * By default the interposer presents sim's DSA/IAA devices as bound to the kernel's idxd
 * driver (docs/SIM_IDXD.md). A PCI function is bound to one driver at a time, so in this mode
 * they are bound to vfio-pci instead: sim's platform is created with its IOMMU wiring (each
 * device gets a VFIO cdev, /dev/vfio/devices/vfioN, with its regions), and the idxd sysfs tree
 * and /dev/dsa, /dev/iax do not exist, as on a host where the functions were handed to vfio-pci.
 *
 * The one step a VFIO user driver takes without a system call is the MOVDIR64B/ENQCMD store to
 * a BAR2 portal, which sim must stand in for (sim/vfio/sim_vfio.h). The program's libsvart has
 * its own copy of sim that never saw the mapping, so the interposer exports
 * svart_sim_vfio_portal_v1(): the runtime finds it with dlsym() and gets the interposer's
 * submission function and WQ for a portal address (runtime/rt_os.c, rt_os_portal_init()). On
 * a real host the symbol is absent and the runtime executes the instruction.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "enqcmd/enq_portal.h"
#include "sim/accel/sim_accel.h"
#include "sim/preload/preload.h"
#include "sim/sim_platform.h"
#include "sim/vfio/sim_vfio.h"

/* 0: not read yet, 1: idxd (the default), 2: vfio-pci. */
static atomic_int vfio_mode;
static pthread_once_t vfio_once = PTHREAD_ONCE_INIT;

bool sim_preload_vfio_mode(void)
{
	int m = atomic_load_explicit(&vfio_mode, memory_order_relaxed);

	if (!m) {
		/* getenv() allocates nothing; `svart sim` has rejected other values already. */
		const char *e = getenv("SVART_SIM_DRIVER");

		m = e && !strcmp(e, "vfio-pci") ? 2 : 1;
		atomic_store_explicit(&vfio_mode, m, memory_order_relaxed);
	}
	return m == 2;
}

static void vfio_platform_up(void)
{
	/*
	 * Kept for the life of the process, as the idxd face keeps its platform. A failure (a
	 * bad SVART_SIM_CONFIG) leaves no devices: the cdevs' opens give ENOENT.
	 */
	sim_platform_get();
}

void sim_preload_vfio_up(void)
{
	if (sim_preload_vfio_mode())
		pthread_once(&vfio_once, vfio_platform_up);
}

/**
 * svart_sim_vfio_portal_v1() - the sim WQ behind a portal address this interposer mapped.
 * @page: an address inside a BAR2 mapping of a sim VFIO cdev.
 * @submit: out, the function that takes a descriptor stored to it (sim_wq_submit()).
 * @wq: out, the WQ to pass to @submit.
 *
 * _v1: the contract is enqcmd/'s SIM portal kind (enq_sim_submit_fn, the 64-byte descriptor);
 * a change to either gets a new name, so a program and an interposer from different builds
 * fall back to the instruction instead of calling each other wrongly.
 *
 * Return: 0, or -ENOENT when @page is no sim portal.
 */
SIM_PRELOAD_EXPORT int svart_sim_vfio_portal_v1(const void *page, enq_sim_submit_fn *submit,
						void **wq)
{
	struct sim_accel_wq *w;
	int ret = sim_vfio_portal_find(page, &w, NULL);

	if (ret)
		return ret;
	*submit = sim_wq_submit;
	*wq = w;
	return 0;
}
