// SPDX-License-Identifier: MIT
/*
 * Groups: which engines serve which WQs (GRPCFG), and the engines' configuration and counters.
 */
#include "sim/accel/accel_internal.h"

#include <errno.h>
#include <string.h>

int sim_engine_set_group(struct sim_accel_dev *dev, unsigned int engine, int group)
{
	int ret = 0;

	if (engine >= dev->nr_engines || group < -1 || group >= (int)dev->nr_groups)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (atomic_load(&dev->state) == IDXD_DEV_STATE_ENABLED)
		ret = -EBUSY;
	else
		dev->engines[engine].group = group;
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int sim_engine_group(struct sim_accel_dev *dev, unsigned int engine)
{
	int group;

	if (engine >= dev->nr_engines)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	group = dev->engines[engine].group;
	pthread_mutex_unlock(&dev->lock);
	return group;
}

void sim_engine_stats(struct sim_accel_dev *dev, unsigned int engine, struct sim_engine_stats *out)
{
	struct sim_accel_engine *eng;

	memset(out, 0, sizeof(*out));
	if (engine >= dev->nr_engines)
		return;
	eng = &dev->engines[engine];
	out->descs = atomic_load(&eng->descs);
	out->busy_ns = atomic_load(&eng->busy_ns);
	out->translations = atomic_load(&eng->translations);
	out->page_requests = atomic_load(&eng->page_requests);
	out->faults = atomic_load(&eng->faults);
	out->sleeps = atomic_load(&eng->sleeps);
	pthread_mutex_lock(&dev->lock);
	out->running = eng->running;
	pthread_mutex_unlock(&dev->lock);
}

int sim_group_grpcfg(struct sim_accel_dev *dev, unsigned int group, union idxd_grpcfg_reg *out)
{
	if (group >= dev->nr_groups)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&dev->lock);
	for (unsigned int w = 0; w < dev->nr_wqs; w++)
		if (dev->wqs[w]->cfg.group_id == (int)group)
			out->wqs[w / 64] |= UINT64_C(1) << (w % 64);
	for (unsigned int i = 0; i < dev->nr_engines; i++)
		if (dev->engines[i].group == (int)group)
			out->engines |= UINT64_C(1) << i;
	pthread_mutex_unlock(&dev->lock);
	/* Traffic classes as the kernel programs them on version <= 2 (reads and writes TC 1). */
	out->flags.tc_a = 1;
	out->flags.tc_b = 1;
	return 0;
}
