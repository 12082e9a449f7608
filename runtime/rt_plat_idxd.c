// SPDX-License-Identifier: MIT
/*
 * The idxd platform: work queues the kernel's idxd driver exposes as /dev/dsa/wqX.Y and
 * /dev/iax/wqX.Y, found through libaccel-config (rt_probe). Opening a WQ's cdev binds the
 * process to its PASID (the kernel's SVA); descriptors go through the mapped portal with
 * ENQCMD / MOVDIR64B, or through write() on the cdev where the kernel refuses the mapping
 * (INTEL-SA-01084) or the CPU lacks the instruction. The kernel follows the process's
 * mappings itself (SVA shares the CPU page tables), so there is nothing to invalidate.
 *
 * Every WQ that cannot be used is explained with the command that fixes it.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/rt_probe.h"

struct idxd_plat {
	int fds[RT_MAX_WQS];
	unsigned int nr_fds;
};

/* Why a WQ is unusable, with the fix; NULL when usable. */
static const char *idxd_wq_problem(const struct rt_probe_wq *w, const struct rt_probe_dev *d,
				   char *buf, size_t len)
{
	if (strcmp(d->state, "enabled")) {
		snprintf(buf, len, "%s is %s (accel-config enable-device %s)", d->name, d->state,
			 d->name);
		return buf;
	}
	if (strcmp(w->type, "user")) {
		snprintf(
			buf, len,
			"%s/%s is of type %s, not user (accel-config disable-wq %s/%s; "
			"accel-config config-wq %s/%s --type=user --driver-name=user --name=svart)",
			d->name, w->name, w->type, d->name, w->name, d->name, w->name);
		return buf;
	}
	if (strcmp(w->state, "enabled")) {
		snprintf(buf, len, "%s/%s is %s (accel-config enable-wq %s/%s)", d->name, w->name,
			 w->state, d->name, w->name);
		return buf;
	}
	if (!w->cdev[0]) {
		snprintf(buf, len, "%s/%s has no character device", d->name, w->name);
		return buf;
	}
	if (d->pasid_enabled == 0 && !strcmp(w->mode, "shared")) {
		snprintf(buf, len,
			 "%s has PASID/SVA disabled, so its shared WQ %s cannot be used (boot with "
			 "intel_iommu=on,sm_on)",
			 d->name, w->name);
		return buf;
	}
	return NULL;
}

static const char *idxd_open_problem(int err, const struct rt_probe_wq *w,
				     const struct rt_probe_dev *d, char *buf, size_t len)
{
	switch (err) {
	case EACCES:
	case EPERM:
		snprintf(buf, len,
			 "permission denied on %s (give this user access to it, e.g. chown or a "
			 "udev rule for /dev/%s/*)",
			 w->cdev, strncmp(d->name, "iax", 3) ? "dsa" : "iax");
		break;
	case EBUSY:
		snprintf(buf, len, "%s: dedicated WQ %s/%s is owned by another process", w->cdev,
			 d->name, w->name);
		break;
	default:
		snprintf(buf, len, "%s: open failed: %s", w->cdev, strerror(err));
		break;
	}
	return buf;
}

/*
 * GENCAP as the device's gen_cap attribute shows it ("0x915f0107"); 0 when unreadable, which
 * only costs the capabilities read from it (overlapping copies then run on the CPU).
 */
static uint64_t idxd_gen_cap(const char *dev)
{
	unsigned long long v = 0;
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/dsa/devices/%s/gen_cap", dev);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llx", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int idxd_add(struct svart_ctx *ctx, struct idxd_plat *p, const struct rt_probe_wq *w,
		    const struct rt_probe_dev *d, int fd)
{
	bool dedicated = !strcmp(w->mode, "dedicated");
	struct rt_wq *wq;
	int ret;

	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return -ENOMEM;
	snprintf(wq->name, sizeof(wq->name), "%s/%s", d->name, w->name);
	wq->unit = strncmp(d->name, "iax", 3) ? RT_UNIT_DSA : RT_UNIT_IAA;
	wq->dedicated = dedicated;
	wq->bof = w->block_on_fault > 0;
	wq->size = w->size > 0 ? (uint32_t)w->size : 1;
	wq->max_xfer = w->max_transfer_size > 0 ? (uint64_t)w->max_transfer_size : 4096;
	wq->max_batch = w->max_batch_size > 0 ? (uint32_t)w->max_batch_size : 0;
	wq->version = d->version > 0 ? (uint16_t)d->version : 0x100;
	wq->node = d->numa_node;
	/* GENCAP bit 1: MEMMOVE may take overlapping buffers (else OVERLAP_BUFFERS). */
	wq->overlap_copy = idxd_gen_cap(d->name) >> 1 & 1;
	/* op_cap's format depends on the kernel; the device rejects what it lacks. */
	memset(wq->opcap, 0xff, sizeof(wq->opcap));
	ret = enq_portal_open_idxd(&wq->portal, fd, dedicated, 0);
	if (ret) {
		free(wq);
		return ret;
	}
	/*
	 * write() refuses DSA BATCH on every device the kernel marks unsafe for user submission
	 * (all of them today): batches go one descriptor per job instead of failing first.
	 */
	if (wq->portal.kind == ENQ_PORTAL_WRITE)
		wq->max_batch = 0;
	wq->plat = (void *)(intptr_t)fd;
	ret = rt_ctx_add_wq(ctx, wq);
	if (ret) {
		enq_portal_fini(&wq->portal);
		free(wq);
		return ret;
	}
	p->fds[p->nr_fds++] = fd;
	return 0;
}

static void idxd_close(struct svart_ctx *ctx)
{
	struct idxd_plat *p = ctx->plat;

	for (unsigned int i = 0; i < ctx->nr_wqs; i++)
		enq_portal_fini(&ctx->wqs[i]->portal);
	if (!p)
		return;
	for (unsigned int i = 0; i < p->nr_fds; i++)
		close(p->fds[i]);
	free(p);
	ctx->plat = NULL;
}

static int idxd_open(struct svart_ctx *ctx)
{
	struct rt_probe *probe;
	struct idxd_plat *p;
	unsigned int configured = 0;
	char buf[384];
	int ret = 0;

	probe = calloc(1, sizeof(*probe));
	p = calloc(1, sizeof(*p));
	if (!probe || !p) {
		ret = -ENOMEM;
		goto out_free;
	}
	rt_probe(probe);
	if (!probe->idxd.found) {
		rt_ctx_explain(ctx, "idxd: %s.", probe->idxd.reason);
		ret = -ENODEV;
		goto out_free;
	}
	ctx->plat = p;
	/* Under `svart sim --` these are sim's devices behind the kernel's interface. */
	if (getenv("SVART_SIM"))
		ctx->path = SVART_PATH_SIM;
	for (int i = 0; i < probe->idxd.n_wqs && p->nr_fds < RT_MAX_WQS; i++) {
		const struct rt_probe_wq *w = &probe->idxd.wqs[i];
		const struct rt_probe_dev *d = &probe->idxd.devs[w->dev];
		const char *why = idxd_wq_problem(w, d, buf, sizeof(buf));
		int fd;

		if (why) {
			rt_log(RT_LOG_INFO, "idxd: skipping %s", why);
			/*
			 * describe() names WQs someone configured and svart cannot use; the
			 * never-configured ones (size 0, type none) would drown them.
			 */
			if (w->size > 0 || strcmp(w->type, "none")) {
				rt_ctx_explain(ctx, "idxd: %s.", why);
				configured++;
			}
			continue;
		}
		configured++;
		fd = open(w->cdev, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			rt_ctx_explain(ctx, "idxd: %s.",
				       idxd_open_problem(errno, w, d, buf, sizeof(buf)));
			continue;
		}
		ret = idxd_add(ctx, p, w, d, fd);
		if (ret) {
			close(fd);
			if (ret != -ENOENT)
				rt_ctx_explain(ctx, "idxd: %s/%s: %s.", d->name, w->name,
					       strerror(-ret));
			ret = 0;
		}
	}
	if (!ctx->nr_wqs && !configured)
		rt_ctx_explain(ctx, "idxd: no work queue is configured (accel-config config-wq, "
				    "then enable-device and enable-wq; docs/PLATFORMS.md).");
	free(probe);
	return 0;

out_free:
	free(probe);
	free(p);
	ctx->plat = NULL;
	return ret;
}

static int idxd_invalidate(struct svart_ctx *ctx, const void *addr, size_t len)
{
	/* The device walks the CPU's own page tables (SVA): the kernel keeps it coherent. */
	return 0;
}

const struct rt_platform_ops rt_platform_idxd = {
	.name = "idxd",
	.platform = SVART_PLATFORM_IDXD,
	.path = SVART_PATH_DEVICE,
	.cpu_threshold = { [RT_UNIT_DSA] = RT_DEF_CPU_THRESHOLD_DSA,
			   [RT_UNIT_IAA] = RT_DEF_CPU_THRESHOLD_IAA },
	.open = idxd_open,
	.close = idxd_close,
	.service = rt_plat_eopnotsupp_service,
	.prefault = rt_plat_populate,
	.invalidate = idxd_invalidate,
	.assist = rt_plat_eopnotsupp_assist,
};
