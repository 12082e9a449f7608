// SPDX-License-Identifier: MIT
/*
 * The WQ character devices /dev/dsa/wqX.Y and /dev/iax/wqX.Y, as drivers/dma/idxd/cdev.c has
 * them since Linux 6.9.1 (INTEL-SA-01084) and 8dfa57aabff6:
 *
 *  open()    the node exists while the WQ is bound to the user driver. A dedicated WQ takes
 *            one opener (-EBUSY after). The process's address space is bound to the device
 *            (SVA, idxd_sva.c): one PASID per process, allocated at the first open and kept;
 *            it becomes the emulated IA32_PASID (ENQCMD) and, on a dedicated WQ, the WQCFG
 *            PASID (the WQ is disabled and enabled around the change, as the kernel does).
 *  mmap()    -EPERM: the kernel refuses the portal without CAP_SYS_RAWIO on every device
 *            (user_submission_safe is false for all of them), and sim's portal could not take
 *            a real ENQCMD anyway. Clients fall back to write(), as enqcmd/ and the kernel's
 *            own selftests do. sim refuses whatever the caller's capabilities.
 *  write()   submits len / 64 descriptors in order (trailing bytes ignored, len < 64 gives 0):
 *            copy fault -EFAULT, DSA BATCH -EINVAL, a completion record not aligned to 32 (DSA)
 *            or 64 (IAA) bytes -EINVAL; a dedicated WQ gets the descriptor unmodified (a
 *            MOVDIR64B, lost to SWERR if the WQ is full), a shared one with priv 0 and the
 *            process PASID, retried enqcmds_retries times before -EAGAIN. After an error the
 *            count submitted so far is returned, else the error. A process other than the
 *            opener (a forked child) gets -EPERM. A WQ disabled under the file gives -ENXIO.
 *  poll()    EPOLLIN | EPOLLRDNORM once the device has recorded a software error.
 *  read, ioctl: none (-EINVAL, -ENOTTY), as the kernel's file has none.
 *  release   drains what the process submitted (DRAIN_PASID on a shared WQ; on a dedicated
 *            WQ disable, clear the WQCFG PASID, enable), then drops the SVA bond.
 *
 * The kernel's per-open sysfs directory (file<K>, with cr_faults) is not modelled.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/idxd.h>

#include "sim/idxd/idxd_private.h"
#include "sim/sim_file.h"
#include "sim/sim_guard.h"

struct idxd_cdev_ctx {
	struct idxd_kdev *kd;
	struct idxd_kwq *kw;
	uint32_t pasid;
	pid_t pid; /* the opener's process: its mm */
	bool dedicated;
};

/* "/dev/dsa/wqN.M" or "/dev/iax/wqN.M": the WQ, with idxd_lock() held; NULL if no node. */
static struct idxd_kwq *idxd_cdev_lookup(const char *path, struct idxd_kdev **kdp)
{
	char type[4], canon[64];
	unsigned int d, w;

	if (sscanf(path, "/dev/%3[a-z]/wq%u.%u", type, &d, &w) != 3 ||
	    (strcmp(type, "dsa") && strcmp(type, "iax")))
		return NULL;
	/* Only the name itself: not "wq00.1", "wq0.1x" or "wq+0.1". */
	snprintf(canon, sizeof(canon), "/dev/%s/wq%u.%u", type, d, w);
	if (strcmp(canon, path))
		return NULL;
	for (unsigned int i = 0; i < idxd_nr_devs(); i++) {
		struct idxd_kdev *kd = idxd_dev_at(i);

		if (kd->id != (int)d || kd->iaa != !strcmp(type, "iax"))
			continue;
		if (w >= kd->nr_wqs || kd->wqs[w].minor < 0)
			return NULL;
		*kdp = kd;
		return &kd->wqs[w];
	}
	return NULL;
}

int sim_idxd_cdev_getattr(const char *path, mode_t *mode, dev_t *rdev)
{
	struct idxd_kdev *kd;
	struct idxd_kwq *kw;
	int ret = -ENOENT;

	if (sim_idxd_get())
		return -ENOENT;
	idxd_lock();
	kw = idxd_cdev_lookup(path, &kd);
	if (kw) {
		/* devtmpfs' default for a node without a devnode callback. */
		*mode = S_IFCHR | 0600;
		*rdev = makedev(kd->major, (unsigned int)kw->minor);
		ret = 0;
	}
	idxd_unlock();
	return ret;
}

/* ---- write() ---- */

static int idxd_cdev_submit(const struct idxd_cdev_ctx *ctx, const void *desc)
{
	const struct dsa_hw_desc *d = desc;
	uint64_t align = ctx->kd->iaa ? IDXD_IAX_COMP_ALIGN : IDXD_DSA_COMP_ALIGN;

	/* Indirect submission cannot be checked: refused where user submission is not safe. */
	if (!ctx->kd->iaa && d->opcode == DSA_OPCODE_BATCH)
		return -EINVAL;
	if (d->completion_addr & (align - 1))
		return -EINVAL;
	return sim_wq_submit(ctx->kw->hw, desc, SIM_WQ_HOW_WRITE);
}

static ssize_t idxd_cdev_write(struct sim_file *file, const void *buf, size_t count, off_t *pos)
{
	const struct idxd_cdev_ctx *ctx = file->private_data;
	size_t nr = count / IDXD_DESC_SIZE;
	ssize_t written = 0;

	if (getpid() != ctx->pid)
		return -EPERM;
	for (size_t i = 0; i < nr; i++) {
		_Alignas(64) unsigned char desc[IDXD_DESC_SIZE];
		uintptr_t at;
		int ret;

		/* copy_from_user(): an unmapped buffer is -EFAULT, not a crash. */
		if (sim_guard_memcpy(desc, (const unsigned char *)buf + i * IDXD_DESC_SIZE,
				     IDXD_DESC_SIZE, &at))
			ret = -EFAULT;
		else
			ret = idxd_cdev_submit(ctx, desc);
		if (ret)
			return written ? written : ret;
		written += IDXD_DESC_SIZE;
	}
	return written;
}

/* ---- poll(), mmap(), release ---- */

static unsigned int idxd_cdev_poll(struct sim_file *file)
{
	struct idxd_cdev_ctx *ctx = file->private_data;
	bool err;

	idxd_lock();
	idxd_swerr_sync(ctx->kd);
	err = ctx->kd->sw_err.valid;
	idxd_unlock();
	return err ? POLLIN | POLLRDNORM : 0;
}

static int idxd_cdev_mmap(struct sim_file *file, size_t len, int prot, int flags, off_t off,
			  void **addr)
{
	/* !user_submission_safe && !capable(CAP_SYS_RAWIO): sim acts as the unprivileged case. */
	return -EPERM;
}

/* The kernel's idxd_wq_disable_pasid(): drain, then the WQ runs without a PASID again. */
static void idxd_cdev_dwq_clear_pasid(struct idxd_kwq *kw)
{
	struct sim_wq_cfg c;

	if (sim_wq_state(kw->hw) != SIM_WQ_STATE_ENABLED || sim_wq_disable(kw->hw))
		return;
	sim_wq_config_get(kw->hw, &c);
	c.pasid = 0;
	c.pasid_en = false;
	sim_wq_config_set(kw->hw, &c);
	sim_wq_enable(kw->hw);
}

static void idxd_cdev_release(struct sim_file *file)
{
	struct idxd_cdev_ctx *ctx = file->private_data;

	idxd_lock();
	if (ctx->dedicated)
		idxd_cdev_dwq_clear_pasid(ctx->kw);
	else if (sim_accel_dev_enabled(ctx->kd->hw))
		sim_accel_dev_drain_pasid(ctx->kd->hw, ctx->pasid);
	idxd_sva_unbind(ctx->kd->sva); /* Pairs with idxd_sva_bind() in open */
	ctx->kw->clients--;
	idxd_unlock();
	free(ctx);
}

static const struct sim_file_ops idxd_cdev_fops = {
	.name = "idxd-wq-cdev",
	.write = idxd_cdev_write,
	.poll = idxd_cdev_poll,
	.mmap = idxd_cdev_mmap,
	.release = idxd_cdev_release,
};

/* ---- open() ---- */

/*
 * sim checks no permissions, so $SVART_SIM_IDXD_DENY ("wq0.0,wq1.0") names the WQs whose node
 * refuses the caller with EACCES, as a 0600 root-owned /dev/dsa/wqX.Y does a user without a
 * udev rule: lets tests see what a client does then.
 */
static bool idxd_cdev_denied(const struct idxd_kdev *kd, const struct idxd_kwq *kw)
{
	const char *e = getenv("SVART_SIM_IDXD_DENY");
	char name[32];
	size_t n;

	if (!e)
		return false;
	n = (size_t)snprintf(name, sizeof(name), "wq%d.%u", kd->id, kw->id);
	while (*e) {
		size_t len = strcspn(e, ",");

		if (len == n && !memcmp(e, name, n))
			return true;
		e += len;
		if (*e)
			e++;
	}
	return false;
}

int sim_idxd_cdev_open(const char *path, int flags)
{
	struct idxd_cdev_ctx *ctx;
	struct sim_file *file;
	struct idxd_kdev *kd;
	struct idxd_kwq *kw;
	int ret;

	if (sim_idxd_get())
		return -ENOENT;
	/* copy_from_user() in write() runs guarded. */
	ret = sim_guard_init();
	if (ret)
		return ret;
	idxd_lock();
	ret = -ENOENT;
	kw = idxd_cdev_lookup(path, &kd);
	if (!kw)
		goto out_unlock;
	ret = -EACCES;
	if (idxd_cdev_denied(kd, kw))
		goto out_unlock;
	ret = -EBUSY;
	if (kw->dedicated && kw->clients > 0)
		goto out_unlock;
	ret = -ENOMEM;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		goto out_unlock;
	ctx->kd = kd;
	ctx->kw = kw;
	ctx->pid = getpid();
	ctx->dedicated = kw->dedicated;
	ret = idxd_sva_bind(kd->sva, &ctx->pasid);
	if (ret)
		goto out_free;
	if (ctx->dedicated) {
		ret = sim_wq_set_pasid(kw->hw, ctx->pasid, false);
		if (ret)
			goto out_unbind;
	}
	ret = sim_file_create(&idxd_cdev_fops, ctx, flags, &file);
	if (ret < 0)
		goto out_clear;
	kw->clients++;
	/* IA32_PASID: the kernel loads it at the first ENQCMD; sim keeps it process-wide. */
	sim_accel_process_pasid_set(ctx->pasid);
	idxd_unlock();
	return ret;

out_clear:
	if (ctx->dedicated)
		idxd_cdev_dwq_clear_pasid(kw);
out_unbind:
	idxd_sva_unbind(kd->sva);
out_free:
	free(ctx);
out_unlock:
	idxd_unlock();
	return ret;
}
