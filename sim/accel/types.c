// SPDX-License-Identifier: MIT
/*
 * The device types: DSA with sim/dsa/'s executor, IAA with sim/iaa/'s. The only file of the
 * device core that names the executors (tests plug in their own types instead).
 */
#include "sim/accel/sim_accel.h"

#include <linux/idxd.h>

static uint8_t type_dsa_exec(struct sim_exec *x, const void *desc)
{
	return sim_dsa_exec(x, desc);
}

static uint8_t type_iaa_exec(struct sim_exec *x, const void *desc)
{
	return sim_iaa_exec(x, desc);
}

const struct sim_accel_type sim_accel_type_dsa = {
	.prefix = "dsa",
	.exec = type_dsa_exec,
	.caps = &sim_accel_caps_dsa,
};

const struct sim_accel_type sim_accel_type_iaa = {
	.prefix = "iax",
	.exec = type_iaa_exec,
	.state_create = sim_iaa_state_create,
	.state_destroy = sim_iaa_state_destroy,
	.caps = &sim_accel_caps_iaa,
};

const struct sim_accel_type *sim_accel_type_get(enum sim_accel_kind kind)
{
	return kind == SIM_ACCEL_IAA ? &sim_accel_type_iaa : &sim_accel_type_dsa;
}
