// SPDX-License-Identifier: MIT
/*
 * Work queues: configuration, the WQ commands, and the portal (sim_wq_submit()).
 *
 * The ring is a bounded multi-producer multi-consumer queue (see accel_internal.h for the
 * ordering). Its capacity is fixed when the WQ is created (a power of two of at least twice the
 * device's total WQ space), so a configured size only limits occupancy and engines never see the
 * ring move under them.
 */
#include "sim/accel/accel_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- The process PASID: IA32_PASID ---- */

#define ACCEL_PASID_VALID (UINT32_C(1) << 31)

static _Atomic uint32_t accel_process_pasid;

void sim_accel_process_pasid_set(uint32_t pasid)
{
	atomic_store_explicit(&accel_process_pasid,
			      (pasid & IDXD_DESC_PASID_MASK) | ACCEL_PASID_VALID,
			      memory_order_release);
}

void sim_accel_process_pasid_clear(void)
{
	atomic_store_explicit(&accel_process_pasid, 0, memory_order_release);
}

bool sim_accel_process_pasid_get(uint32_t *pasid)
{
	uint32_t v = atomic_load_explicit(&accel_process_pasid, memory_order_acquire);

	if (!(v & ACCEL_PASID_VALID))
		return false;
	*pasid = v & IDXD_DESC_PASID_MASK;
	return true;
}

/* ---- Creation and configuration ---- */

static bool wq_env_interrupt(void *arg, uint16_t handle)
{
	struct sim_accel_wq *wq = arg;

	return accel_interrupt(wq->dev, handle);
}

static bool wq_env_int_handle_valid(void *arg, uint16_t handle)
{
	struct sim_accel_wq *wq = arg;

	return accel_int_handle_valid(wq->dev, handle);
}

static void wq_env_swerr(void *arg, const struct sim_swerr *e)
{
	struct sim_accel_wq *wq = arg;
	union idxd_swerr_reg r = { .bits = { 0 } };

	r.valid = 1;
	r.desc_valid = 1;
	r.wq_idx_valid = 1;
	r.batch = e->batch;
	r.fault_rw = e->fault_write;
	r.priv = e->priv;
	r.error = e->error;
	r.wq_idx = wq->id;
	r.operation = e->opcode;
	r.pasid = e->pasid;
	r.batch_idx = e->batch_idx;
	r.invalid_flags = e->invalid_flags;
	r.fault_addr = e->fault_addr;
	accel_swerr_record(wq->dev, &r);
}

void accel_wq_cfg_reset(struct sim_accel_wq *wq)
{
	const struct sim_accel_caps *caps = &wq->dev->caps;
	struct sim_wq_cfg *c = &wq->cfg;

	memset(c, 0, sizeof(*c));
	c->group_id = -1;
	c->mode = SIM_WQ_SHARED;
	c->max_xfer_shift = caps->gencap.max_xfer_shift < SIM_WQ_DEFAULT_XFER_SHIFT ?
				    caps->gencap.max_xfer_shift :
				    SIM_WQ_DEFAULT_XFER_SHIFT;
	c->max_batch_shift = caps->gencap.max_batch_shift < SIM_WQ_DEFAULT_BATCH_SHIFT ?
				     caps->gencap.max_batch_shift :
				     SIM_WQ_DEFAULT_BATCH_SHIFT;
	c->op_config = caps->opcap;
	c->type = SIM_WQ_TYPE_NONE;
	c->enqcmds_retries = SIM_WQ_DEFAULT_RETRIES;
}

int accel_wq_create(struct sim_accel_dev *dev, unsigned int id, struct sim_accel_wq **out)
{
	uint64_t cap = 2;
	struct sim_accel_wq *wq;

	/* Twice the WQ space: a slot is reused long after its taker released it. */
	while (cap < 2ull * dev->caps.wqcap.total_wq_size)
		cap <<= 1;
	wq = aligned_alloc(ACCEL_CACHELINE, sizeof(*wq));
	if (!wq)
		return -ENOMEM;
	memset(wq, 0, sizeof(*wq));
	wq->slots = aligned_alloc(ACCEL_CACHELINE, cap * sizeof(*wq->slots));
	if (!wq->slots) {
		free(wq);
		return -ENOMEM;
	}
	memset(wq->slots, 0, cap * sizeof(*wq->slots));
	for (uint64_t i = 0; i < cap; i++)
		atomic_init(&wq->slots[i].seq, i);
	wq->mask = cap - 1;
	wq->dev = dev;
	wq->id = id;
	atomic_init(&wq->head, ACCEL_WQ_CLOSED);
	atomic_init(&wq->state, SIM_WQ_STATE_DISABLED);
	wq->env.interrupt = wq_env_interrupt;
	wq->env.int_handle_valid = wq_env_int_handle_valid;
	wq->env.swerr = wq_env_swerr;
	wq->env.arg = wq;
	accel_wq_cfg_reset(wq);
	*out = wq;
	return 0;
}

void accel_wq_destroy(struct sim_accel_wq *wq)
{
	if (!wq)
		return;
	free(wq->slots);
	free(wq);
}

void sim_wq_config_get(struct sim_accel_wq *wq, struct sim_wq_cfg *cfg)
{
	pthread_mutex_lock(&wq->dev->lock);
	*cfg = wq->cfg;
	pthread_mutex_unlock(&wq->dev->lock);
}

static int wq_cfg_check(struct sim_accel_wq *wq, const struct sim_wq_cfg *c)
{
	const struct sim_accel_caps *caps = &wq->dev->caps;
	union idxd_opcap_reg extra;
	bool op_config_differs = false;

	if (c->priority > 15 || c->group_id < -1 || c->group_id >= (int)wq->dev->nr_groups)
		return -EINVAL;
	if (c->size > caps->wqcap.total_wq_size || c->threshold > c->size)
		return -EINVAL;
	if (c->mode != SIM_WQ_SHARED && c->mode != SIM_WQ_DEDICATED)
		return -EINVAL;
	if (c->mode == SIM_WQ_DEDICATED && c->threshold)
		return -EINVAL;
	if (c->max_xfer_shift > caps->gencap.max_xfer_shift ||
	    c->max_batch_shift > caps->gencap.max_batch_shift)
		return -EINVAL;
	if (c->pasid > IDXD_DESC_PASID_MASK || c->type > SIM_WQ_TYPE_USER ||
	    c->enqcmds_retries > SIM_WQ_MAX_RETRIES)
		return -EINVAL;
	if (!memchr(c->name, '\0', sizeof(c->name)))
		return -EINVAL;
	for (unsigned int i = 0; i < 4; i++) {
		extra.bits[i] = c->op_config.bits[i] & ~caps->opcap.bits[i];
		if (extra.bits[i])
			return -EINVAL;
		if (c->op_config.bits[i] != caps->opcap.bits[i])
			op_config_differs = true;
	}
	/* Features the device does not have (sysfs hides or refuses these). */
	if ((c->mode == SIM_WQ_SHARED && !caps->wqcap.shared) ||
	    (c->mode == SIM_WQ_DEDICATED && !caps->wqcap.dedicated))
		return -EOPNOTSUPP;
	if ((c->block_on_fault && !caps->gencap.bof) || (c->prs_disable && !caps->wqcap.prs) ||
	    (c->ats_disable && !caps->wqcap.ats) || (op_config_differs && !caps->wqcap.op_config))
		return -EOPNOTSUPP;
	/* The kernel clears BOF when PRS is disabled and refuses BOF then. */
	if (c->block_on_fault && c->prs_disable)
		return -EOPNOTSUPP;
	return 0;
}

int sim_wq_config_set(struct sim_accel_wq *wq, const struct sim_wq_cfg *cfg)
{
	struct sim_accel_dev *dev = wq->dev;
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = -EBUSY;
	if (atomic_load(&wq->state) != SIM_WQ_STATE_DISABLED)
		goto out_unlock;
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED &&
	    (cfg->size != wq->cfg.size || cfg->group_id != wq->cfg.group_id))
		goto out_unlock;
	ret = wq_cfg_check(wq, cfg);
	if (ret)
		goto out_unlock;
	wq->cfg = *cfg;
out_unlock:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* ---- Commands ---- */

static bool wq_group_has_engine(struct sim_accel_dev *dev, int group)
{
	for (unsigned int i = 0; i < dev->nr_engines; i++)
		if (dev->engines[i].group == group)
			return true;
	return false;
}

static void wq_exec_cfg(struct sim_accel_wq *wq)
{
	const struct sim_accel_caps *caps = &wq->dev->caps;
	const struct sim_wq_cfg *c = &wq->cfg;
	struct sim_exec_cfg *x = &wq->exec_cfg;
	union idxd_opcap_reg ops;

	memset(x, 0, sizeof(*x));
	x->version = caps->version;
	x->max_xfer_shift = c->max_xfer_shift;
	x->max_batch_shift = c->max_batch_shift;
	x->overlap_copy = caps->gencap.overlap_copy;
	x->cache_ctl = caps->gencap.cache_ctl_mem || caps->gencap.cache_ctl_cache;
	x->dest_readback = caps->gencap.dest_readback;
	x->drain_readback = caps->gencap.drain_readback;
	x->wq_bof = c->block_on_fault;
	x->prs = caps->prs && !(caps->wqcap.prs && c->prs_disable);
	x->priv_ok = caps->pasid_priv;
	for (unsigned int i = 0; i < 4; i++)
		ops.bits[i] = caps->opcap.bits[i] &
			      (caps->wqcap.op_config ? c->op_config.bits[i] : ~0ull);
	memcpy(x->opcap, ops.bits, sizeof(x->opcap));
}

int sim_wq_enable(struct sim_accel_wq *wq)
{
	struct sim_accel_dev *dev = wq->dev;
	const struct sim_accel_caps *caps = &dev->caps;
	const struct sim_wq_cfg *c = &wq->cfg;
	struct sim_accel_group *grp;
	uint8_t err = 0;
	int ret;

	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) != IDXD_DEV_STATE_ENABLED)
		err = IDXD_CMDSTS_ERR_DEV_NOTEN;
	else if (atomic_load(&wq->state) != SIM_WQ_STATE_DISABLED)
		err = IDXD_CMDSTS_ERR_WQ_ENABLED;
	else if (!c->size || c->group_id < 0 || !wq_group_has_engine(dev, c->group_id))
		/* No engine would ever take its work: sim refuses it as a size error. */
		err = IDXD_CMDSTS_ERR_WQ_SIZE;
	else if (!c->priority)
		err = IDXD_CMDSTS_ERR_WQ_PRIOR;
	else if ((c->mode == SIM_WQ_SHARED && !caps->wqcap.shared) ||
		 (c->mode == SIM_WQ_DEDICATED && !caps->wqcap.dedicated))
		err = IDXD_CMDSTS_ERR_WQ_MODE;
	else if (c->block_on_fault && !caps->gencap.bof)
		err = IDXD_CMDSTS_ERR_BOF_EN;
	else if (c->max_batch_shift > caps->gencap.max_batch_shift)
		err = IDXD_CMDSTS_ERR_MAX_BATCH_SIZE;
	else if (c->max_xfer_shift > caps->gencap.max_xfer_shift)
		err = IDXD_CMDSTS_ERR_MAX_XFER_SIZE;
	if (err) {
		ret = accel_cmd_fail(dev, err);
		goto out_unlock;
	}

	grp = &dev->groups[c->group_id];
	wq->rt_size = c->size;
	wq->rt_thresh = c->mode == SIM_WQ_SHARED ? c->threshold : c->size;
	wq->rt_dedicated = c->mode == SIM_WQ_DEDICATED;
	wq->rt_pasid = c->pasid;
	wq->rt_pasid_en = c->pasid_en;
	wq->rt_priv = c->priv;
	atomic_store_explicit(&wq->rt_prio, c->priority, memory_order_relaxed);
	wq->rt_retries = c->enqcmds_retries;
	wq->rt_grp = grp;
	wq_exec_cfg(wq);

	ret = accel_engines_start(dev, c->group_id);
	if (ret) {
		accel_set_cmdsts(dev, IDXD_CMDSTS_HW_ERR, 0);
		goto out_unlock;
	}
	atomic_fetch_or(&grp->wq_mask, 1u << wq->id);
	atomic_store(&wq->state, SIM_WQ_STATE_ENABLED);
	/* Opening head publishes the rt_* fields to submitters (release). */
	atomic_fetch_and_explicit(&wq->head, ~ACCEL_WQ_CLOSED, memory_order_acq_rel);
	accel_set_cmdsts(dev, IDXD_CMDSTS_SUCCESS, 0);
out_unlock:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

void accel_wq_wait_completed(struct sim_accel_wq *wq, uint64_t target)
{
	struct timespec ts = { .tv_nsec = 20000 };

	for (unsigned int i = 0;
	     atomic_load_explicit(&wq->completed, memory_order_acquire) < target; i++) {
		if (i < 1024)
			accel_cpu_relax();
		else if (i < 2048)
			sched_yield();
		else
			nanosleep(&ts, NULL);
	}
}

/* Take and discard what no engine has taken, up to position @end. */
static void wq_discard(struct sim_accel_wq *wq, uint64_t end)
{
	struct accel_item it;

	while (atomic_load_explicit(&wq->tail, memory_order_acquire) < end) {
		if (!accel_wq_take(wq, &it)) {
			/* Claimed by a submitter, not yet published: wait for it. */
			accel_cpu_relax();
			continue;
		}
		atomic_fetch_add(&wq->aborted, 1);
		atomic_fetch_add_explicit(&wq->completed, 1, memory_order_release);
	}
}

void accel_wq_shutdown(struct sim_accel_wq *wq, bool abort)
{
	uint64_t end;

	atomic_store(&wq->state, SIM_WQ_STATE_DRAINING);
	end = atomic_fetch_or(&wq->head, ACCEL_WQ_CLOSED) & ~ACCEL_WQ_CLOSED;
	if (abort)
		wq_discard(wq, end);
	/* Hardware DISABLE_WQ waits for the WQ to drain: every accepted descriptor completes. */
	accel_wq_wait_completed(wq, end);
	if (wq->rt_grp)
		atomic_fetch_and(&wq->rt_grp->wq_mask, ~(1u << wq->id));
	atomic_store(&wq->state, SIM_WQ_STATE_DISABLED);
}

static int wq_cmd_begin(struct sim_accel_wq *wq)
{
	pthread_mutex_lock(&wq->dev->lock);
	if (atomic_load(&wq->dev->state) != IDXD_DEV_STATE_ENABLED) {
		int ret = accel_cmd_fail(wq->dev, IDXD_CMDSTS_ERR_DEV_NOT_EN);

		pthread_mutex_unlock(&wq->dev->lock);
		return ret;
	}
	return 0;
}

static int wq_cmd_end(struct sim_accel_wq *wq)
{
	accel_set_cmdsts(wq->dev, IDXD_CMDSTS_SUCCESS, 0);
	pthread_mutex_unlock(&wq->dev->lock);
	return 0;
}

int sim_wq_disable(struct sim_accel_wq *wq)
{
	int ret = wq_cmd_begin(wq);

	if (ret)
		return ret;
	if (atomic_load(&wq->state) != SIM_WQ_STATE_DISABLED)
		accel_wq_shutdown(wq, false);
	return wq_cmd_end(wq);
}

int sim_wq_drain(struct sim_accel_wq *wq)
{
	int ret = wq_cmd_begin(wq);

	if (ret)
		return ret;
	accel_wq_wait_completed(wq, atomic_load(&wq->head) & ~ACCEL_WQ_CLOSED);
	return wq_cmd_end(wq);
}

int sim_wq_abort(struct sim_accel_wq *wq)
{
	uint64_t end;
	int ret = wq_cmd_begin(wq);

	if (ret)
		return ret;
	end = atomic_load(&wq->head) & ~ACCEL_WQ_CLOSED;
	wq_discard(wq, end);
	accel_wq_wait_completed(wq, end);
	return wq_cmd_end(wq);
}

int sim_wq_reset(struct sim_accel_wq *wq)
{
	int ret = wq_cmd_begin(wq);

	if (ret)
		return ret;
	if (atomic_load(&wq->state) != SIM_WQ_STATE_DISABLED) {
		ret = -EBUSY;
		accel_set_cmdsts(wq->dev, IDXD_CMDSTS_ERR_WQ_ENABLED, 0);
		pthread_mutex_unlock(&wq->dev->lock);
		return ret;
	}
	accel_wq_cfg_reset(wq);
	return wq_cmd_end(wq);
}

int sim_wq_set_pasid(struct sim_accel_wq *wq, uint32_t pasid, bool priv)
{
	struct sim_wq_cfg cfg;
	bool was_enabled;
	int ret;

	if (pasid > IDXD_DESC_PASID_MASK)
		return -EINVAL;
	sim_wq_config_get(wq, &cfg);
	if (cfg.mode != SIM_WQ_DEDICATED)
		return -EINVAL;
	was_enabled = sim_wq_state(wq) != SIM_WQ_STATE_DISABLED;
	if (was_enabled) {
		ret = sim_wq_disable(wq);
		if (ret)
			return ret;
	}
	cfg.pasid = pasid;
	cfg.pasid_en = true;
	cfg.priv = priv;
	ret = sim_wq_config_set(wq, &cfg);
	if (!ret && was_enabled)
		ret = sim_wq_enable(wq);
	return ret;
}

/* ---- The portal ---- */

/* Engines take from here: the slot at tail if it holds its descriptor. */
bool accel_wq_take(struct sim_accel_wq *wq, struct accel_item *it)
{
	uint64_t pos = atomic_load_explicit(&wq->tail, memory_order_relaxed);
	struct accel_slot *slot;

	for (;;) {
		int64_t d;

		slot = &wq->slots[pos & wq->mask];
		d = (int64_t)(atomic_load_explicit(&slot->seq, memory_order_acquire) - (pos + 1));
		if (d == 0) {
			if (atomic_compare_exchange_weak_explicit(&wq->tail, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (d < 0) {
			return false;
		} else {
			pos = atomic_load_explicit(&wq->tail, memory_order_relaxed);
		}
	}
	memcpy(it->desc, slot->desc, IDXD_DESC_SIZE);
	it->pasid = slot->pasid;
	it->pasid_valid = slot->pasid_valid;
	it->priv = slot->priv;
	it->wq = wq;
	it->pos = pos;
	atomic_store_explicit(&slot->seq, pos + wq->mask + 1, memory_order_release);
	return true;
}

bool accel_wq_ready(struct sim_accel_wq *wq)
{
	for (;;) {
		uint64_t pos = atomic_load_explicit(&wq->tail, memory_order_acquire);
		int64_t d = (int64_t)(atomic_load_explicit(&wq->slots[pos & wq->mask].seq,
							   memory_order_acquire) -
				      (pos + 1));

		if (d <= 0)
			return d == 0;
		/* Taken since tail was read: look at the new tail. */
	}
}

struct wq_sub {
	const void *desc;
	uint32_t pasid;
	bool pasid_valid;
	bool priv;
	bool stamp; /* ENQCMD(S): the PASID word is replaced */
	uint32_t limit;
};

/* Append one descriptor: 0, -EAGAIN (full), -ENXIO (closed). */
static int wq_push(struct sim_accel_wq *wq, const struct wq_sub *s)
{
	uint64_t pos = atomic_load_explicit(&wq->head, memory_order_acquire);
	struct sim_accel_group *grp;
	struct accel_slot *slot;
	unsigned int spins = 0;

	for (;;) {
		uint64_t tail, seq;

		if (pos & ACCEL_WQ_CLOSED)
			return -ENXIO;
		/* Occupancy from a tail that may be stale (only ever behind): exact when it
		 * matters. */
		tail = atomic_load_explicit(&wq->tail_seen, memory_order_relaxed);
		if ((int64_t)(pos - tail) >= (int64_t)s->limit) {
			uint64_t now;

			tail = atomic_load_explicit(&wq->tail, memory_order_acquire);
			atomic_store_explicit(&wq->tail_seen, tail, memory_order_relaxed);
			if ((int64_t)(pos - tail) >= (int64_t)s->limit) {
				now = atomic_load_explicit(&wq->head, memory_order_acquire);
				if (now == pos)
					return -EAGAIN;
				pos = now;
				continue;
			}
		}
		slot = &wq->slots[pos & wq->mask];
		seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
		if (seq == pos) {
			if (atomic_compare_exchange_weak_explicit(&wq->head, &pos, pos + 1,
								  memory_order_acq_rel,
								  memory_order_acquire))
				break;
			continue;
		}
		if ((int64_t)(seq - pos) < 0) {
			/* Its last taker has not released it yet (preempted mid-copy). */
			if (++spins & 1023)
				accel_cpu_relax();
			else
				sched_yield();
		}
		pos = atomic_load_explicit(&wq->head, memory_order_acquire);
	}
	memcpy(slot->desc, s->desc, IDXD_DESC_SIZE);
	if (s->stamp) {
		/*
		 * ENQCMD: bits 19:0 from IA32_PASID, Priv (bit 31) cleared. The SDM wants the
		 * source's bits 30:20 zero; what it does with others is unverified: ignored.
		 */
		uint32_t word = s->pasid;

		memcpy(slot->desc + IDXD_DESC_PASID_WORD_OFF, &word, sizeof(word));
	}
	slot->pasid = s->pasid;
	slot->pasid_valid = s->pasid_valid;
	slot->priv = s->priv;
	atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
	/* Pairs with the engine's sleepers increment + fence before it re-checks for work, and
	 * with a leaving assistant's (or holder's) decrement + fence before it looks for work
	 * left. Engines of a group with a holder sleep with a time-out, uncounted: no wake-up. */
	atomic_thread_fence(memory_order_seq_cst);
	grp = wq->rt_grp;
	if (atomic_load_explicit(&grp->sleepers, memory_order_relaxed) &&
	    !atomic_load_explicit(&grp->assistants, memory_order_relaxed))
		accel_group_wake(grp, false);
	return 0;
}

/* A posted write the device cannot take: dropped, recorded in SWERR. */
static int wq_drop(struct sim_accel_wq *wq, const void *desc, uint8_t error, uint32_t pasid,
		   bool priv)
{
	union idxd_swerr_reg r = { .bits = { 0 } };

	r.valid = 1;
	r.desc_valid = 1;
	r.wq_idx_valid = 1;
	r.error = error;
	r.wq_idx = wq->id;
	r.operation = ((const uint8_t *)desc)[7];
	r.pasid = pasid;
	r.priv = priv;
	atomic_fetch_add_explicit(&wq->dropped, 1, memory_order_relaxed);
	accel_swerr_record(wq->dev, &r);
	return 0;
}

static int wq_retry(struct sim_accel_wq *wq)
{
	atomic_fetch_add_explicit(&wq->retries, 1, memory_order_relaxed);
	return -EAGAIN;
}

/* MOVDIR64B, and write() on a dedicated WQ (the kernel uses MOVDIR64B there). */
static int wq_posted(struct sim_accel_wq *wq, const void *desc)
{
	struct wq_sub s = {
		.desc = desc,
		.pasid = wq->rt_pasid,
		.pasid_valid = wq->rt_pasid_en,
		.priv = wq->rt_priv,
		.limit = wq->rt_size,
	};
	int ret;

	if (!wq->rt_dedicated)
		return wq_drop(wq, desc, SIM_SWERR_MOVDIR_SWQ, 0, false);
	ret = wq_push(wq, &s);
	if (ret == -EAGAIN)
		return wq_drop(wq, desc, SIM_SWERR_DWQ_FULL, s.pasid, s.priv);
	if (ret == -ENXIO)
		return wq_drop(wq, desc, SIM_SWERR_WQ_DISABLED, s.pasid, s.priv);
	return ret;
}

int sim_wq_submit(void *wqp, const void *desc64, unsigned int how)
{
	struct sim_accel_wq *wq = wqp;
	unsigned int kind = how & SIM_WQ_HOW_MASK;
	bool limited = how & SIM_WQ_HOW_LIMITED;
	struct wq_sub s = { .desc = desc64, .pasid_valid = true, .stamp = true };
	uint64_t head;
	int ret;

	if ((how & ~(SIM_WQ_HOW_MASK | SIM_WQ_HOW_LIMITED)) || kind > SIM_WQ_HOW_WRITE)
		return -EINVAL;
	/* ENQCMD without a PASID is a #GP in the CPU, before the device sees anything. */
	if (kind == SIM_WQ_HOW_ENQCMD && !sim_accel_process_pasid_get(&s.pasid))
		return -EPERM;

	/* An open head makes the rt_* copies visible (acquire pairs with enable's release). */
	head = atomic_load_explicit(&wq->head, memory_order_acquire);
	if (head & ACCEL_WQ_CLOSED) {
		switch (kind) {
		case SIM_WQ_HOW_ENQCMD:
			return wq_retry(wq); /* ZF=1: "device not enabled" is a retry */
		case SIM_WQ_HOW_MOVDIR64B:
			return wq_drop(wq, desc64, SIM_SWERR_WQ_DISABLED, 0, false);
		default:
			return -ENXIO; /* write(): the WQ's cdev is gone */
		}
	}

	if (kind == SIM_WQ_HOW_MOVDIR64B || (kind == SIM_WQ_HOW_WRITE && wq->rt_dedicated))
		return wq_posted(wq, desc64);
	if (wq->rt_dedicated)
		return wq_retry(wq); /* ENQCMD on a dedicated WQ is not accepted */

	s.limit = limited ? wq->rt_thresh : wq->rt_size;
	if (kind == SIM_WQ_HOW_ENQCMD) {
		ret = wq_push(wq, &s);
		return ret ? wq_retry(wq) : 0;
	}

	/* write() on a shared WQ: the kernel stamps the file's PASID and tries ENQCMDS. */
	if (!sim_accel_process_pasid_get(&s.pasid))
		return -EPERM;
	for (uint32_t i = 0;; i++) {
		ret = wq_push(wq, &s);
		if (ret != -EAGAIN || i >= wq->rt_retries)
			break;
		accel_cpu_relax();
	}
	if (ret == -ENXIO)
		return ret;
	return ret ? wq_retry(wq) : 0;
}

/* ---- Queries ---- */

enum sim_wq_state sim_wq_state(const struct sim_accel_wq *wq)
{
	return (enum sim_wq_state)atomic_load(&wq->state);
}

unsigned int sim_wq_id(const struct sim_accel_wq *wq)
{
	return wq->id;
}

struct sim_accel_dev *sim_wq_dev(const struct sim_accel_wq *wq)
{
	return wq->dev;
}

void sim_wq_stats(struct sim_accel_wq *wq, struct sim_wq_stats *out)
{
	uint64_t tail = atomic_load(&wq->tail);
	uint64_t head = atomic_load(&wq->head) & ~ACCEL_WQ_CLOSED;

	out->submitted = head;
	out->retries = atomic_load(&wq->retries);
	out->dropped = atomic_load(&wq->dropped);
	out->completed = atomic_load(&wq->completed);
	out->aborted = atomic_load(&wq->aborted);
	out->occupancy = head > tail ? (uint32_t)(head - tail) : 0;
}

void sim_wq_wqcfg(struct sim_accel_wq *wq, union idxd_wqcfg_reg *out)
{
	struct sim_wq_stats st;
	struct sim_wq_cfg c;

	sim_wq_config_get(wq, &c);
	sim_wq_stats(wq, &st);
	memset(out, 0, sizeof(*out));
	out->wq_size = c.size;
	out->wq_thresh = c.threshold;
	out->mode = c.mode;
	out->bof = c.block_on_fault;
	out->ats_disable = c.ats_disable;
	out->prs_disable = c.prs_disable;
	out->priority = c.priority;
	out->pasid = c.pasid;
	out->pasid_en = c.pasid_en;
	out->priv = c.priv;
	out->max_xfer_shift = c.max_xfer_shift;
	out->max_batch_shift = c.max_batch_shift;
	out->occupancy = st.occupancy;
	out->mode_support = 1;
	/* wq_state: 0 disabled, 1 enabled (encoding unverified). */
	out->wq_state = sim_wq_state(wq) == SIM_WQ_STATE_ENABLED;
	if (wq->dev->caps.wqcap.op_config)
		memcpy(out->op_config, c.op_config.bits, sizeof(out->op_config));
}
