// SPDX-License-Identifier: MIT
/*
 * The sim platform: sim's DSA/IAA devices driven the way svart drives a device it owns
 * through VFIO and iommufd. Each device's VFIO cdev is bound to a sim iommufd, the process
 * address space is bound to one PASID on it through a nested IOAS (runtime/rt_bind.c, the
 * vfio platform's code: pasid/pasid_as.c with svart's own first-stage table), shared WQs take
 * that PASID from the IA32_PASID emulation and dedicated WQs are programmed with it (the
 * WQCFG write a VFIO user driver makes).
 *
 * The binding is per process, like the kernel's PASID per mm: contexts share it by reference.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_bind.h"
#include "runtime/rt_os.h"
#include "sim/sim_platform.h"

#define SIM_PLAT_MAX_DEVS SIM_ACCEL_CFG_MAX_DEVS
/* Descriptors one assist may run: bounds how long a waiter is away from its own records. */
#define SIM_ASSIST_MAX 32u

/* The process's binding (one PASID per address space, as the kernel has it). */
static struct {
	pthread_mutex_t lock;
	unsigned int refs;
	int iommufd;
	unsigned int n;
	struct sim_accel_dev *dev[SIM_PLAT_MAX_DEVS];
	struct rt_bind_dev b[SIM_PLAT_MAX_DEVS]; /* dev[i]'s binding (runtime/rt_bind.c) */
	bool service_thread;
} sim_bind = { .lock = PTHREAD_MUTEX_INITIALIZER, .iommufd = -1 };

static void bind_release_locked(void)
{
	sim_accel_process_pasid_clear();
	while (sim_bind.n)
		rt_bind_undo(&sim_bind.b[--sim_bind.n]);
	if (sim_bind.iommufd >= 0)
		rt_os_close(sim_bind.iommufd);
	sim_bind.iommufd = -1;
	sim_platform_put();
}

/* Bind one device: VFIO cdev -> iommufd -> nested IOAS at svart's PASID. */
static int bind_dev(struct svart_ctx *ctx, struct sim_accel_dev *dev, bool thread)
{
	struct rt_bind_dev *b = &sim_bind.b[sim_bind.n];
	char path[64];
	int idx = sim_platform_vfio_index(dev), ret;

	if (idx < 0)
		return idx;
	*b = (struct rt_bind_dev){ .vfio_fd = -1 };
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", idx);
	ret = rt_os_open(path, O_RDWR, true);
	if (ret < 0)
		goto err;
	ret = rt_bind_device(b, sim_bind.iommufd, ret);
	if (!ret)
		ret = rt_bind_as(b, sim_bind.iommufd, RT_BIND_PASID, thread);
	if (ret)
		goto err;
	sim_bind.dev[sim_bind.n++] = dev;
	return 0;

err:
	rt_ctx_explain(ctx, "sim: binding %s (%s) failed: %s.", sim_accel_dev_name(dev), path,
		       strerror(-ret));
	rt_bind_undo(b);
	return ret;
}

static int bind_get(struct svart_ctx *ctx)
{
	bool thread = ctx->opts.flags & SVART_CTX_FAULT_THREAD;
	struct sim_accel_dev *dev = NULL;
	int ret = 0;

	pthread_mutex_lock(&sim_bind.lock);
	if (sim_bind.refs++)
		goto out_unlock;
	ret = sim_platform_get();
	if (ret) {
		rt_ctx_explain(ctx, "sim: %s.", sim_accel_platform_error());
		goto err_refs;
	}
	ret = rt_os_open("/dev/iommu", O_RDWR, true);
	if (ret < 0) {
		rt_ctx_explain(ctx, "sim: opening the sim iommufd failed: %s.", strerror(-ret));
		sim_platform_put();
		goto err_refs;
	}
	sim_bind.iommufd = ret;
	sim_bind.service_thread = thread;
	while ((dev = sim_accel_dev_next(dev)) && sim_bind.n < SIM_PLAT_MAX_DEVS) {
		if (sim_platform_vfio_index(dev) < 0)
			continue; /* not one of the platform's (a test made it) */
		ret = bind_dev(ctx, dev, thread);
		if (ret)
			goto err_release;
	}
	sim_accel_process_pasid_set(RT_BIND_PASID);
	ret = 0;
	goto out_unlock;

err_release:
	bind_release_locked();
err_refs:
	sim_bind.refs--;
out_unlock:
	pthread_mutex_unlock(&sim_bind.lock);
	return ret;
}

static void bind_put(void)
{
	pthread_mutex_lock(&sim_bind.lock);
	if (sim_bind.refs && !--sim_bind.refs)
		bind_release_locked();
	pthread_mutex_unlock(&sim_bind.lock);
}

static int sim_add_wq(struct svart_ctx *ctx, struct sim_accel_dev *dev, struct sim_accel_wq *swq)
{
	const struct sim_accel_caps *caps = sim_accel_dev_caps(dev);
	struct sim_wq_cfg cfg;
	struct rt_wq *wq;
	int ret;

	sim_wq_config_get(swq, &cfg);
	if (sim_wq_state(swq) != SIM_WQ_STATE_ENABLED || !cfg.size)
		return 0;
	if (cfg.mode == SIM_WQ_DEDICATED) {
		/* The WQCFG PASID a driver programs; disable/enable around it as hardware wants. */
		ret = sim_wq_set_pasid(swq, RT_BIND_PASID, false);
		if (ret) {
			rt_ctx_explain(ctx, "sim: %s/wq%d.%u: cannot set its PASID: %s.",
				       sim_accel_dev_name(dev), sim_accel_dev_id(dev),
				       sim_wq_id(swq), strerror(-ret));
			return 0;
		}
	}
	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return -ENOMEM;
	snprintf(wq->name, sizeof(wq->name), "%s/wq%d.%u", sim_accel_dev_name(dev),
		 sim_accel_dev_id(dev), sim_wq_id(swq));
	wq->unit = sim_accel_dev_type(dev) == &sim_accel_type_iaa ? RT_UNIT_IAA : RT_UNIT_DSA;
	wq->dedicated = cfg.mode == SIM_WQ_DEDICATED;
	wq->bof = cfg.block_on_fault;
	wq->size = cfg.size;
	wq->max_xfer = UINT64_C(1) << cfg.max_xfer_shift;
	wq->max_batch = wq->unit == RT_UNIT_DSA ? 1u << cfg.max_batch_shift : 0;
	wq->version = caps->version;
	wq->overlap_copy = caps->gencap.overlap_copy;
	wq->node = sim_accel_dev_node(dev);
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t bits = caps->opcap.bits[i] & cfg.op_config.bits[i];

		memcpy(wq->opcap + 8 * i, &bits, 8);
	}
	wq->plat = swq;
	ret = enq_portal_init_sim(&wq->portal, sim_wq_submit, swq,
				  wq->dedicated ? ENQ_SIM_HOW_MOVDIR64B : ENQ_SIM_HOW_ENQCMD);
	if (!ret)
		ret = rt_ctx_add_wq(ctx, wq);
	if (ret) {
		free(wq);
		return ret == -ENOENT ? 0 : ret;
	}
	return 0;
}

static int sim_open(struct svart_ctx *ctx)
{
	int ret = bind_get(ctx);

	if (ret)
		return ret;
	ctx->plat = &sim_bind;
	for (unsigned int i = 0; i < sim_bind.n; i++) {
		struct sim_accel_dev *dev = sim_bind.dev[i];

		for (unsigned int w = 0; w < sim_accel_dev_nr_wqs(dev); w++) {
			struct sim_accel_wq *swq = sim_accel_wq_find(dev, w);

			if (swq && (ret = sim_add_wq(ctx, dev, swq)))
				goto err_put;
		}
	}
	return 0;

err_put:
	ctx->plat = NULL;
	bind_put();
	return ret;
}

static void sim_close(struct svart_ctx *ctx)
{
	if (!ctx->plat)
		return;
	ctx->plat = NULL;
	bind_put();
}

static int sim_service(struct svart_ctx *ctx)
{
	return sim_bind.service_thread ? 0 : rt_bind_service(sim_bind.b, sim_bind.n);
}

static int sim_prefault(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
			bool write)
{
	struct sim_accel_dev *dev = wq ? sim_wq_dev(wq->plat) : NULL;

	if (!dev)
		return rt_bind_prefault(sim_bind.b, sim_bind.n, addr, len, write);
	for (unsigned int i = 0; i < sim_bind.n; i++)
		if (sim_bind.dev[i] == dev)
			return rt_bind_prefault(&sim_bind.b[i], 1, addr, len, write);
	return 0;
}

static int sim_invalidate(struct svart_ctx *ctx, const void *addr, size_t len)
{
	return rt_bind_invalidate(sim_bind.b, sim_bind.n, addr, len);
}

/*
 * The waiting thread runs an idle engine of the WQ's group (sim_wq_assist()): on a machine
 * with fewer cores than threads that want them, this keeps a waiter from spinning against the
 * engine it waits for, or waiting a futex wake-up and a scheduler round trip for a sleeping
 * one. A synchronous run announces itself first (ENTER), which spares its submission the
 * wake-up of a sleeping engine.
 */
static int sim_assist(struct svart_ctx *ctx, struct rt_wq *wq, enum rt_assist step)
{
	switch (step) {
	case RT_ASSIST_ENTER:
		sim_wq_assist_enter(wq->plat);
		return 0;
	case RT_ASSIST_LEAVE:
		sim_wq_assist_leave(wq->plat);
		return 0;
	case RT_ASSIST_HOLD:
		sim_wq_assist_hold(wq->plat);
		return 0;
	case RT_ASSIST_RELEASE:
		sim_wq_assist_release(wq->plat);
		return 0;
	default:
		return sim_wq_assist(wq->plat, SIM_ASSIST_MAX);
	}
}

const struct rt_platform_ops rt_platform_sim = {
	.name = "sim",
	.platform = SVART_PLATFORM_SIM,
	.path = SVART_PATH_SIM,
	.cpu_threshold = { [RT_UNIT_DSA] = RT_DEF_CPU_THRESHOLD_DSA,
			   [RT_UNIT_IAA] = RT_DEF_CPU_THRESHOLD_IAA },
	.open = sim_open,
	.close = sim_close,
	.service = sim_service,
	.prefault = sim_prefault,
	.invalidate = sim_invalidate,
	.assist = sim_assist,
};
