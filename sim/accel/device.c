// SPDX-License-Identifier: MIT
/*
 * sim accelerator devices: creation, the device commands, SWERR, interrupt handles, BAR0 reads,
 * the device namespace and what happens to engine threads when the process exits.
 */
#include "sim/accel/accel_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* Live devices by id; one id namespace for every type, as the kernel's idxd_ida. */
static pthread_mutex_t accel_devs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_accel_dev *accel_devs;
static uint64_t accel_ids;
static bool accel_exit_hooks;

/* ---- Command status ---- */

void accel_set_cmdsts(struct sim_accel_dev *dev, uint8_t err, uint16_t result)
{
	union idxd_cmdsts_reg r = { .bits = 0 };

	r.err = err;
	r.result = result;
	atomic_store(&dev->cmdsts, r.bits);
}

int sim_accel_cmdsts_errno(uint8_t err)
{
	switch (err) {
	case IDXD_CMDSTS_SUCCESS:
		return 0;
	case IDXD_CMDSTS_ERR_DEV_ENABLED:
	case IDXD_CMDSTS_ERR_WQ_ENABLED:
		return -EBUSY;
	case IDXD_CMDSTS_ERR_DEV_NOTEN:
	case IDXD_CMDSTS_ERR_DIS_DEV_EN:
	case IDXD_CMDSTS_ERR_DEV_NOT_EN:
		return -ENXIO;
	case IDXD_CMDSTS_ERR_NO_HANDLE:
		return -ENOSPC;
	case IDXD_CMDSTS_HW_ERR:
		return -EIO;
	default:
		return -EINVAL;
	}
}

int accel_cmd_fail(struct sim_accel_dev *dev, uint8_t err)
{
	accel_set_cmdsts(dev, err, 0);
	return sim_accel_cmdsts_errno(err);
}

uint32_t sim_accel_dev_cmdsts(struct sim_accel_dev *dev)
{
	return atomic_load(&dev->cmdsts);
}

/*
 * A type's optional ops, when it has none: no per-engine state. (exec is required: a device
 * that cannot execute would leave every completion record unwritten.)
 */
static int accel_no_state_create(void **state)
{
	*state = NULL;
	return 0;
}

static void accel_no_state_destroy(void *state)
{
}

/* ---- Exit and fork ---- */

static void accel_at_fork_prepare(void)
{
	pthread_mutex_lock(&accel_devs_lock);
}

static void accel_at_fork_parent(void)
{
	pthread_mutex_unlock(&accel_devs_lock);
}

/*
 * The child has no engine threads and, as on Linux, no PASID (ENQCMD fails there). Its devices
 * come up disabled, with what the parent had queued discarded (the child is single-threaded
 * here, so it can take from the rings itself), and can be configured and enabled again. Locks
 * another parent thread held at fork() are re-created.
 */
static void accel_at_fork_child(void)
{
	struct accel_item it;

	sim_accel_process_pasid_clear();
	for (struct sim_accel_dev *dev = accel_devs; dev; dev = dev->next) {
		pthread_mutex_init(&dev->lock, NULL);
		pthread_mutex_init(&dev->swerr_lock, NULL);
		pthread_mutex_init(&dev->inth_lock, NULL);
		for (unsigned int i = 0; i < dev->nr_engines; i++)
			dev->engines[i].running = false;
		for (unsigned int g = 0; g < dev->nr_groups; g++) {
			atomic_store(&dev->groups[g].wq_mask, 0);
			atomic_store(&dev->groups[g].sleepers, 0);
			atomic_store(&dev->groups[g].assistants, 0);
			atomic_store(&dev->groups[g].holders, 0);
		}
		for (unsigned int w = 0; w < dev->nr_wqs; w++) {
			struct sim_accel_wq *wq = dev->wqs[w];

			atomic_fetch_or(&wq->head, ACCEL_WQ_CLOSED);
			while (accel_wq_take(wq, &it)) {
				atomic_fetch_add(&wq->aborted, 1);
				atomic_fetch_add(&wq->completed, 1);
			}
			/* What the parent's engines had taken but not finished never will. */
			atomic_store(&wq->completed, atomic_load(&wq->tail));
			atomic_store(&wq->state, SIM_WQ_STATE_DISABLED);
		}
		atomic_store(&dev->state, IDXD_DEV_STATE_DISABLED);
	}
	pthread_mutex_unlock(&accel_devs_lock);
}

/*
 * At exit, stop the engine threads before other exit handlers and destructors free what an
 * executing descriptor might touch. WQs are closed first (late submissions are refused); memory
 * stays allocated and reachable, so a thread still submitting cannot crash on it. An engine that
 * does not stop within a second (a page request waiting for a fault service that exited) is left
 * to the process's end.
 */
static void accel_at_exit(void)
{
	pthread_mutex_lock(&accel_devs_lock);
	for (struct sim_accel_dev *dev = accel_devs; dev; dev = dev->next) {
		if (pthread_mutex_trylock(&dev->lock)) {
			/* A command is running in another thread: leave this device alone. */
			dev->leaked = true;
			continue;
		}
		for (unsigned int w = 0; w < dev->nr_wqs; w++)
			atomic_fetch_or(&dev->wqs[w]->head, ACCEL_WQ_CLOSED);
		for (unsigned int i = 0; i < dev->nr_engines; i++)
			if (dev->engines[i].running)
				atomic_store(&dev->engines[i].stop, true);
		for (unsigned int g = 0; g < dev->nr_groups; g++)
			accel_group_wake(&dev->groups[g], true);
		for (unsigned int i = 0; i < dev->nr_engines; i++) {
			struct sim_accel_engine *eng = &dev->engines[i];
			struct timespec ts;

			if (!eng->running)
				continue;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			if (pthread_timedjoin_np(eng->thread, NULL, &ts)) {
				dev->leaked = true;
				continue;
			}
			dev->state_destroy(eng->state);
			eng->state = NULL;
			eng->running = false;
		}
		/*
		 * What is still queued will not run: the device is down. A later destroy (from a
		 * destructor) then has nothing to wait for.
		 */
		for (unsigned int w = 0; w < dev->nr_wqs; w++)
			atomic_store(&dev->wqs[w]->state, SIM_WQ_STATE_DISABLED);
		atomic_store(&dev->state, IDXD_DEV_STATE_DISABLED);
		pthread_mutex_unlock(&dev->lock);
	}
	pthread_mutex_unlock(&accel_devs_lock);
}

/* ---- Creation ---- */

static int accel_caps_check(const struct sim_accel_caps *caps)
{
	if (!caps->wqcap.num_wqs || caps->wqcap.num_wqs > SIM_ACCEL_MAX_WQS)
		return -EINVAL;
	if (!caps->engcap.num_engines || caps->engcap.num_engines > SIM_ACCEL_MAX_ENGINES)
		return -EINVAL;
	if (!caps->grpcap.num_groups || caps->grpcap.num_groups > SIM_ACCEL_MAX_GROUPS)
		return -EINVAL;
	if (!caps->wqcap.total_wq_size || caps->wqcap.total_wq_size > SIM_ACCEL_MAX_WQ_TOTAL)
		return -EINVAL;
	if (caps->int_handles > SIM_ACCEL_MAX_INT_HANDLES)
		return -EINVAL;
	return 0;
}

static void accel_dev_free(struct sim_accel_dev *dev)
{
	if (dev->wqs)
		for (unsigned int w = 0; w < dev->nr_wqs; w++)
			accel_wq_destroy(dev->wqs[w]);
	free(dev->wqs);
	free(dev->engines);
	free(dev->groups);
	for (unsigned int h = 0; h < SIM_ACCEL_MAX_INT_HANDLES; h++)
		if (atomic_load(&dev->inth[h].fd) >= 0)
			close(atomic_load(&dev->inth[h].fd));
	if (dev->swerr_fd >= 0)
		close(dev->swerr_fd);
	pthread_mutex_destroy(&dev->inth_lock);
	pthread_mutex_destroy(&dev->swerr_lock);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

/* Publish: take the lowest free id, name the device, link it. */
static int accel_dev_publish(struct sim_accel_dev *dev)
{
	struct sim_accel_dev **pp;
	int id;

	pthread_mutex_lock(&accel_devs_lock);
	if (accel_ids == UINT64_MAX) {
		pthread_mutex_unlock(&accel_devs_lock);
		return -ENOSPC;
	}
	id = __builtin_ctzll(~accel_ids);
	accel_ids |= UINT64_C(1) << id;
	dev->id = id;
	snprintf(dev->name, sizeof(dev->name), "%s%d", dev->type->prefix, id);
	for (pp = &accel_devs; *pp && (*pp)->id < id; pp = &(*pp)->next)
		;
	dev->next = *pp;
	*pp = dev;
	if (!accel_exit_hooks) {
		accel_exit_hooks = true;
		atexit(accel_at_exit);
		pthread_atfork(accel_at_fork_prepare, accel_at_fork_parent, accel_at_fork_child);
	}
	pthread_mutex_unlock(&accel_devs_lock);
	return 0;
}

int sim_accel_dev_create(const struct sim_accel_dev_params *p, struct sim_accel_dev **out)
{
	const struct sim_accel_caps *caps;
	struct sim_accel_dev *dev;
	int ret;

	if (!p || !p->type || !p->type->prefix || !p->type->caps || !p->type->exec || p->node < -1)
		return -EINVAL;
	caps = p->caps ? p->caps : p->type->caps;
	ret = accel_caps_check(caps);
	if (ret)
		return ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->swerr_lock, NULL);
	pthread_mutex_init(&dev->inth_lock, NULL);
	dev->swerr_fd = -1;
	for (unsigned int h = 0; h < SIM_ACCEL_MAX_INT_HANDLES; h++)
		atomic_init(&dev->inth[h].fd, -1);
	dev->type = p->type;
	dev->exec = p->type->exec;
	dev->state_create = p->type->state_create ? p->type->state_create : accel_no_state_create;
	dev->state_destroy =
		p->type->state_destroy ? p->type->state_destroy : accel_no_state_destroy;
	dev->caps = *caps;
	dev->node = p->node;
	dev->dma_ops = p->dma_ops ? p->dma_ops : &sim_dma_identity_ops;
	dev->dma_priv = p->dma_priv;
	if (p->spin_us == SIM_ACCEL_SPIN_NONE)
		dev->spin_ns = 0;
	else
		dev->spin_ns = (uint64_t)(p->spin_us ? p->spin_us : ACCEL_DEFAULT_SPIN_US) * 1000u;
	atomic_init(&dev->state, IDXD_DEV_STATE_DISABLED);
	dev->nr_wqs = caps->wqcap.num_wqs;
	dev->nr_engines = caps->engcap.num_engines;
	dev->nr_groups = caps->grpcap.num_groups;

	ret = -errno;
	dev->swerr_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dev->swerr_fd < 0)
		goto out_free;
	ret = -ENOMEM;
	dev->groups = aligned_alloc(ACCEL_CACHELINE, dev->nr_groups * sizeof(*dev->groups));
	dev->engines = aligned_alloc(ACCEL_CACHELINE, dev->nr_engines * sizeof(*dev->engines));
	dev->wqs = calloc(dev->nr_wqs, sizeof(*dev->wqs));
	if (!dev->groups || !dev->engines || !dev->wqs)
		goto out_free;
	memset(dev->groups, 0, dev->nr_groups * sizeof(*dev->groups));
	memset(dev->engines, 0, dev->nr_engines * sizeof(*dev->engines));
	for (unsigned int g = 0; g < dev->nr_groups; g++) {
		dev->groups[g].dev = dev;
		dev->groups[g].id = g;
	}
	for (unsigned int i = 0; i < dev->nr_engines; i++) {
		dev->engines[i].dev = dev;
		dev->engines[i].id = i;
		dev->engines[i].group = -1;
	}
	for (unsigned int w = 0; w < dev->nr_wqs; w++) {
		ret = accel_wq_create(dev, w, &dev->wqs[w]);
		if (ret)
			goto out_free;
	}
	ret = accel_dev_publish(dev);
	if (ret)
		goto out_free;
	*out = dev;
	return 0;

out_free:
	accel_dev_free(dev);
	return ret;
}

static void accel_dev_disable_locked(struct sim_accel_dev *dev)
{
	for (unsigned int w = 0; w < dev->nr_wqs; w++)
		if (atomic_load(&dev->wqs[w]->state) != SIM_WQ_STATE_DISABLED)
			accel_wq_shutdown(dev->wqs[w], false);
	accel_engines_stop(dev);
	atomic_store(&dev->state, IDXD_DEV_STATE_DISABLED);
}

void sim_accel_dev_destroy(struct sim_accel_dev *dev)
{
	struct sim_accel_dev **pp;

	if (!dev)
		return;
	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED)
		accel_dev_disable_locked(dev);
	pthread_mutex_unlock(&dev->lock);

	pthread_mutex_lock(&accel_devs_lock);
	for (pp = &accel_devs; *pp && *pp != dev; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = dev->next;
	accel_ids &= ~(UINT64_C(1) << dev->id);
	pthread_mutex_unlock(&accel_devs_lock);
	/* An engine that did not stop at exit may still run: its memory must stay. */
	if (!dev->leaked)
		accel_dev_free(dev);
}

int sim_accel_dev_set_dma(struct sim_accel_dev *dev, const struct sim_dma_ops *ops, void *priv)
{
	int ret = -EBUSY;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_DISABLED) {
		dev->dma_ops = ops ? ops : &sim_dma_identity_ops;
		dev->dma_priv = priv;
		ret = 0;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* ---- Device commands ---- */

int sim_accel_dev_enable(struct sim_accel_dev *dev)
{
	unsigned int total = 0;
	uint8_t err = 0;
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED) {
		err = IDXD_CMDSTS_ERR_DEV_ENABLED;
		goto out;
	}
	for (unsigned int w = 0; w < dev->nr_wqs; w++) {
		const struct sim_wq_cfg *c = &dev->wqs[w]->cfg;
		bool engine = false;

		total += c->size;
		if (!c->size)
			continue;
		if (c->group_id >= 0)
			for (unsigned int i = 0; i < dev->nr_engines; i++)
				engine |= dev->engines[i].group == c->group_id;
		/* A WQ with space that no engine could serve. */
		if (!engine && !err)
			err = IDXD_CMDSTS_ERR_GRP_CONFIG;
	}
	if (total > dev->caps.wqcap.total_wq_size)
		err = IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE;
	if (!err)
		atomic_store(&dev->state, IDXD_DEV_STATE_ENABLED);
out:
	if (err)
		ret = accel_cmd_fail(dev, err);
	else
		accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int sim_accel_dev_disable(struct sim_accel_dev *dev)
{
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) != IDXD_DEV_STATE_ENABLED) {
		/* The kernel reads this code as "the device was already disabled". */
		ret = accel_cmd_fail(dev, IDXD_CMDSTS_ERR_DIS_DEV_EN);
	} else {
		accel_dev_disable_locked(dev);
		accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

void sim_accel_dev_reset(struct sim_accel_dev *dev)
{
	uint64_t drain;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED)
		accel_dev_disable_locked(dev);
	for (unsigned int w = 0; w < dev->nr_wqs; w++)
		accel_wq_cfg_reset(dev->wqs[w]);
	for (unsigned int i = 0; i < dev->nr_engines; i++)
		dev->engines[i].group = -1;
	pthread_mutex_lock(&dev->swerr_lock);
	memset(&dev->swerr, 0, sizeof(dev->swerr));
	if (read(dev->swerr_fd, &drain, sizeof(drain)) < 0) {
		/* Already not readable. */
	}
	pthread_mutex_unlock(&dev->swerr_lock);
	accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
	pthread_mutex_unlock(&dev->lock);
}

int sim_accel_dev_drain_pasid(struct sim_accel_dev *dev, uint32_t pasid)
{
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) != IDXD_DEV_STATE_ENABLED) {
		ret = accel_cmd_fail(dev, IDXD_CMDSTS_ERR_DEV_NOT_EN);
		goto out_unlock;
	}
	/* Every WQ: a superset of @pasid's descriptors, which is all DRAIN_PASID promises. */
	for (unsigned int w = 0; w < dev->nr_wqs; w++)
		accel_wq_wait_completed(dev->wqs[w],
					atomic_load(&dev->wqs[w]->head) & ~ACCEL_WQ_CLOSED);
	accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
out_unlock:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* Commands 7-10 name WQs by a bitmap window (idxd_wq_cmd_operand()). */
static uint32_t accel_cmd_wqs(struct sim_accel_dev *dev, uint32_t operand,
			      int (*fn)(struct sim_accel_wq *wq))
{
	unsigned int base = ((operand >> 16) & 0xf) * 16;
	uint32_t bits = operand & 0xffff;

	if (!bits) {
		accel_set_cmdsts(dev, IDXD_CMDSTS_INVAL_WQIDX, 0);
		return sim_accel_dev_cmdsts(dev);
	}
	for (unsigned int b = 0; b < 16; b++) {
		if (!(bits & (1u << b)))
			continue;
		if (base + b >= dev->nr_wqs) {
			accel_set_cmdsts(dev, IDXD_CMDSTS_INVAL_WQIDX, 0);
			break;
		}
		if (fn(dev->wqs[base + b]))
			break;
	}
	return sim_accel_dev_cmdsts(dev);
}

static int accel_wq_drain_cmd(struct sim_accel_wq *wq)
{
	return sim_wq_drain(wq);
}

uint32_t sim_accel_dev_cmd(struct sim_accel_dev *dev, uint32_t cmd)
{
	union idxd_cmd_reg c = { .bits = cmd };
	uint16_t handle;

	switch (c.cmd) {
	case IDXD_CMD_ENABLE_DEVICE:
		sim_accel_dev_enable(dev);
		break;
	case IDXD_CMD_DISABLE_DEVICE:
		sim_accel_dev_disable(dev);
		break;
	case IDXD_CMD_DRAIN_ALL:
		return accel_cmd_wqs(dev, (1u << dev->nr_wqs) - 1, accel_wq_drain_cmd);
	case IDXD_CMD_ABORT_ALL:
		return accel_cmd_wqs(dev, (1u << dev->nr_wqs) - 1, sim_wq_abort);
	case IDXD_CMD_RESET_DEVICE:
		sim_accel_dev_reset(dev);
		break;
	case IDXD_CMD_ENABLE_WQ:
		if (c.operand >= dev->nr_wqs)
			accel_set_cmdsts(dev, IDXD_CMDSTS_INVAL_WQIDX, 0);
		else
			sim_wq_enable(dev->wqs[c.operand]);
		break;
	case IDXD_CMD_DISABLE_WQ:
		return accel_cmd_wqs(dev, c.operand, sim_wq_disable);
	case IDXD_CMD_DRAIN_WQ:
		return accel_cmd_wqs(dev, c.operand, accel_wq_drain_cmd);
	case IDXD_CMD_ABORT_WQ:
		return accel_cmd_wqs(dev, c.operand, sim_wq_abort);
	case IDXD_CMD_RESET_WQ:
		return accel_cmd_wqs(dev, c.operand, sim_wq_reset);
	case IDXD_CMD_DRAIN_PASID:
	case IDXD_CMD_ABORT_PASID: /* sim: drains (the PASID's descriptors complete) */
		sim_accel_dev_drain_pasid(dev, c.operand);
		break;
	case IDXD_CMD_REQUEST_INT_HANDLE:
		sim_accel_int_handle_request(dev, c.operand & 0xffff, &handle, NULL);
		break;
	case IDXD_CMD_RELEASE_INT_HANDLE:
		sim_accel_int_handle_release(dev, (uint16_t)c.operand);
		break;
	default:
		accel_set_cmdsts(dev, IDXD_CMDSTS_INVAL_CMD, 0);
		break;
	}
	return sim_accel_dev_cmdsts(dev);
}

/* ---- SWERR ---- */

void accel_swerr_record(struct sim_accel_dev *dev, const union idxd_swerr_reg *reg)
{
	uint64_t one = 1;

	pthread_mutex_lock(&dev->swerr_lock);
	if (dev->swerr.valid) {
		/* Hardware keeps the first error and notes that more were lost. */
		dev->swerr.overflow = 1;
	} else {
		dev->swerr = *reg;
		dev->swerr.valid = 1;
		dev->swerr.overflow = 0;
		if (write(dev->swerr_fd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow at one write per valid period. */
		}
	}
	pthread_mutex_unlock(&dev->swerr_lock);
}

void sim_accel_swerr_read(struct sim_accel_dev *dev, union idxd_swerr_reg *out)
{
	pthread_mutex_lock(&dev->swerr_lock);
	*out = dev->swerr;
	pthread_mutex_unlock(&dev->swerr_lock);
}

void sim_accel_swerr_ack(struct sim_accel_dev *dev, uint64_t bits)
{
	uint64_t drain;

	pthread_mutex_lock(&dev->swerr_lock);
	if ((bits & IDXD_SWERR_VALID) && dev->swerr.valid) {
		dev->swerr.valid = 0;
		if (read(dev->swerr_fd, &drain, sizeof(drain)) < 0) {
			/* Not readable already: nothing to drain. */
		}
	}
	if (bits & IDXD_SWERR_OVERFLOW)
		dev->swerr.overflow = 0;
	pthread_mutex_unlock(&dev->swerr_lock);
}

int sim_accel_swerr_fd(const struct sim_accel_dev *dev)
{
	return dev->swerr_fd;
}

/* ---- Interrupt handles ---- */

int sim_accel_int_handle_request(struct sim_accel_dev *dev, unsigned int index, uint16_t *handle,
				 int *fd)
{
	unsigned int n = dev->caps.int_handles;
	int efd, ret;

	if (index >= n)
		return accel_cmd_fail(dev, IDXD_CMDSTS_ERR_INVAL_INT_IDX);
	pthread_mutex_lock(&dev->inth_lock);
	for (unsigned int h = 0; h < n; h++) {
		if (atomic_load(&dev->inth[h].fd) >= 0)
			continue;
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0) {
			ret = -errno;
			accel_set_cmdsts(dev, IDXD_CMDSTS_HW_ERR, 0);
			goto out_unlock;
		}
		dev->inth[h].index = index;
		atomic_store(&dev->inth[h].fd, efd);
		*handle = (uint16_t)h;
		if (fd)
			*fd = efd;
		accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, (uint16_t)h);
		ret = 0;
		goto out_unlock;
	}
	ret = accel_cmd_fail(dev, IDXD_CMDSTS_ERR_NO_HANDLE);
out_unlock:
	pthread_mutex_unlock(&dev->inth_lock);
	return ret;
}

int sim_accel_int_handle_release(struct sim_accel_dev *dev, uint16_t handle)
{
	struct accel_inth *h;
	int fd;

	if (handle >= dev->caps.int_handles)
		return accel_cmd_fail(dev, IDXD_CMDSTS_ERR_INVAL_INT_IDX);
	h = &dev->inth[handle];
	pthread_mutex_lock(&dev->inth_lock);
	fd = atomic_exchange(&h->fd, -1);
	if (fd < 0) {
		pthread_mutex_unlock(&dev->inth_lock);
		return accel_cmd_fail(dev, IDXD_CMDSTS_ERR_INVAL_INT_IDX);
	}
	/* Pairs with accel_interrupt(): an engine that saw the fd finishes its write first. */
	while (atomic_load(&h->users))
		sched_yield();
	close(fd);
	accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
	pthread_mutex_unlock(&dev->inth_lock);
	return 0;
}

bool accel_int_handle_valid(struct sim_accel_dev *dev, uint16_t handle)
{
	return handle < dev->caps.int_handles && atomic_load(&dev->inth[handle].fd) >= 0;
}

bool accel_interrupt(struct sim_accel_dev *dev, uint16_t handle)
{
	struct accel_inth *h;
	uint64_t one = 1;
	int fd;

	if (handle >= dev->caps.int_handles)
		return false;
	h = &dev->inth[handle];
	atomic_fetch_add(&h->users, 1);
	fd = atomic_load(&h->fd);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN at a counter of 2^64 - 2: the interrupt is still pending. */
	}
	atomic_fetch_sub_explicit(&h->users, 1, memory_order_release);
	return fd >= 0;
}

/* ---- BAR0 ---- */

#define ACCEL_GRPCFG_OFF 0x400u
#define ACCEL_WQCFG_OFF 0x800u

int sim_accel_reg_read(struct sim_accel_dev *dev, unsigned int off, uint64_t *val)
{
	const struct sim_accel_caps *c = &dev->caps;
	uint32_t stride = idxd_wqcfg_stride(c->wqcap);
	union idxd_swerr_reg swerr;

	if (off & 7)
		return -EINVAL;
	if (off >= ACCEL_GRPCFG_OFF &&
	    off < ACCEL_GRPCFG_OFF + dev->nr_groups * IDXD_GRPCFG_STRIDE) {
		union idxd_grpcfg_reg g;
		unsigned int rel = off - ACCEL_GRPCFG_OFF;

		sim_group_grpcfg(dev, rel / IDXD_GRPCFG_STRIDE, &g);
		*val = g.bits[(rel % IDXD_GRPCFG_STRIDE) / 8];
		return 0;
	}
	if (off >= ACCEL_WQCFG_OFF && off < ACCEL_WQCFG_OFF + dev->nr_wqs * stride) {
		union idxd_wqcfg_reg w;
		unsigned int rel = off - ACCEL_WQCFG_OFF;

		sim_wq_wqcfg(dev->wqs[rel / stride], &w);
		memcpy(val, (const char *)&w + rel % stride, 8);
		return 0;
	}
	switch (off) {
	case IDXD_REG_VERSION:
		*val = c->version;
		return 0;
	case IDXD_REG_GENCAP:
		*val = c->gencap.bits;
		return 0;
	case IDXD_REG_WQCAP:
		*val = c->wqcap.bits;
		return 0;
	case IDXD_REG_GRPCAP:
		*val = c->grpcap.bits;
		return 0;
	case IDXD_REG_ENGCAP:
		*val = c->engcap.bits;
		return 0;
	case IDXD_REG_OPCAP:
	case IDXD_REG_OPCAP + 8:
	case IDXD_REG_OPCAP + 16:
	case IDXD_REG_OPCAP + 24:
		*val = c->opcap.bits[(off - IDXD_REG_OPCAP) / 8];
		return 0;
	case IDXD_REG_TABLE_OFFSETS: {
		union idxd_table_offsets_reg t = { .bits = { 0, 0 } };

		t.grpcfg = ACCEL_GRPCFG_OFF / IDXD_TABLE_MULT;
		t.wqcfg = ACCEL_WQCFG_OFF / IDXD_TABLE_MULT;
		*val = t.bits[0];
		return 0;
	}
	case IDXD_REG_TABLE_OFFSETS + 8:
	case IDXD_REG_GENCFG:
	case IDXD_REG_GENCTRL:
		*val = 0;
		return 0;
	case IDXD_REG_GENSTS:
		*val = (uint64_t)atomic_load(&dev->state);
		return 0;
	case IDXD_REG_INTCAUSE:
		sim_accel_swerr_read(dev, &swerr);
		*val = swerr.valid ? IDXD_INTC_ERR : 0;
		return 0;
	case IDXD_REG_CMDSTS:
		*val = sim_accel_dev_cmdsts(dev);
		return 0;
	case IDXD_REG_CMDCAP:
		/* Commands 1-14 (ENABLE_DEVICE .. RELEASE_INT_HANDLE). */
		*val = c->gencap.cmd_cap ? 0x7ffeull : 0;
		return 0;
	case IDXD_REG_SWERR:
	case IDXD_REG_SWERR + 8:
	case IDXD_REG_SWERR + 16:
	case IDXD_REG_SWERR + 24:
		sim_accel_swerr_read(dev, &swerr);
		*val = swerr.bits[(off - IDXD_REG_SWERR) / 8];
		return 0;
	case IDXD_REG_IAACAP:
		if (strcmp(dev->type->prefix, "iax") || c->version < IDXD_VERSION_2)
			return -EINVAL;
		*val = c->iaacap.bits;
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- Queries and the namespace ---- */

const char *sim_accel_dev_name(const struct sim_accel_dev *dev)
{
	return dev->name;
}

int sim_accel_dev_id(const struct sim_accel_dev *dev)
{
	return dev->id;
}

int sim_accel_dev_node(const struct sim_accel_dev *dev)
{
	return dev->node;
}

const struct sim_accel_type *sim_accel_dev_type(const struct sim_accel_dev *dev)
{
	return dev->type;
}

const struct sim_accel_caps *sim_accel_dev_caps(const struct sim_accel_dev *dev)
{
	return &dev->caps;
}

bool sim_accel_dev_enabled(const struct sim_accel_dev *dev)
{
	return atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED;
}

unsigned int sim_accel_dev_nr_wqs(const struct sim_accel_dev *dev)
{
	return dev->nr_wqs;
}

unsigned int sim_accel_dev_nr_engines(const struct sim_accel_dev *dev)
{
	return dev->nr_engines;
}

unsigned int sim_accel_dev_nr_groups(const struct sim_accel_dev *dev)
{
	return dev->nr_groups;
}

struct sim_accel_wq *sim_accel_wq_find(struct sim_accel_dev *dev, unsigned int id)
{
	return id < dev->nr_wqs ? dev->wqs[id] : NULL;
}

struct sim_accel_dev *sim_accel_dev_find(const char *name)
{
	struct sim_accel_dev *dev;

	pthread_mutex_lock(&accel_devs_lock);
	for (dev = accel_devs; dev; dev = dev->next)
		if (!strcmp(dev->name, name))
			break;
	pthread_mutex_unlock(&accel_devs_lock);
	return dev;
}

struct sim_accel_dev *sim_accel_dev_next(struct sim_accel_dev *prev)
{
	struct sim_accel_dev *dev;

	pthread_mutex_lock(&accel_devs_lock);
	if (!prev)
		dev = accel_devs;
	else
		for (dev = accel_devs; dev && dev->id <= prev->id; dev = dev->next)
			;
	pthread_mutex_unlock(&accel_devs_lock);
	return dev;
}
