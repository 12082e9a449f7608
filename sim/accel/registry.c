// SPDX-License-Identifier: MIT
/*
 * The sim platform: the devices SVART_SIM_CONFIG (or the default) describes, created once per
 * process on first use and shared by reference.
 *
 * The devices stay reachable from here until the last reference is dropped, so a thread that
 * still submits while the process exits finds closed WQs (device.c's exit handler), never freed
 * memory.
 */
#include "sim/accel/accel_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int reg_refs;
static unsigned int reg_nr;
static struct sim_accel_dev *reg_devs[SIM_ACCEL_CFG_MAX_DEVS];
static const struct sim_accel_dma_provider *reg_dma;
static const struct sim_accel_dma_provider *reg_dma_used;
static char reg_error[512];

int sim_accel_platform_set_dma_provider(const struct sim_accel_dma_provider *p)
{
	int ret = 0;

	if (p && (!p->attach || !p->detach))
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	if (reg_refs)
		ret = -EBUSY;
	else
		reg_dma = p;
	pthread_mutex_unlock(&reg_lock);
	return ret;
}

int sim_accel_platform_get(void)
{
	struct sim_accel_config *cfg;
	int ret = 0;

	pthread_mutex_lock(&reg_lock);
	if (reg_refs) {
		reg_refs++;
		goto out_unlock;
	}
	ret = -ENOMEM;
	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		strcpy(reg_error, "out of memory");
		goto out_unlock;
	}
	ret = sim_accel_config_load(getenv("SVART_SIM_CONFIG"), cfg, reg_error, sizeof(reg_error));
	if (!ret)
		ret = sim_accel_config_apply(cfg, reg_dma, reg_devs, reg_error, sizeof(reg_error));
	if (!ret) {
		reg_nr = cfg->nr_devs;
		reg_dma_used = reg_dma;
		reg_refs = 1;
		reg_error[0] = '\0';
	}
	free(cfg);
out_unlock:
	pthread_mutex_unlock(&reg_lock);
	return ret;
}

void sim_accel_platform_put(void)
{
	pthread_mutex_lock(&reg_lock);
	if (reg_refs && !--reg_refs) {
		sim_accel_config_unapply(reg_dma_used, reg_devs, reg_nr);
		reg_nr = 0;
	}
	pthread_mutex_unlock(&reg_lock);
}

const char *sim_accel_platform_error(void)
{
	return reg_error;
}
