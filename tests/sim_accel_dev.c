// SPDX-License-Identifier: MIT
/*
 * sim device core, devices and configuration rules: the shared dsaN/iaxN namespace, ENABLE_DEVICE
 * and ENABLE_WQ with the CMDSTS codes of enqcmd/idxd_hw.h, the configuration rules (-EBUSY while
 * enabled, ranges, features a version lacks), the CMD register face (WQ bitmaps, invalid
 * commands, interrupt handles), the BAR0 registers (capabilities, WQCFG, GRPCFG, GENSTS), what
 * the executor is told about its WQ, and engines starting lazily and stopping on disable.
 */
#include <sys/wait.h>

#include "sim_accel_util.h"

static struct sim_wq_cfg cfg_of(struct sim_accel_wq *wq)
{
	struct sim_wq_cfg c;

	sim_wq_config_get(wq, &c);
	return c;
}

static void test_names(void)
{
	struct sim_accel_dev_params pd = { .type = &ut_type, .node = 0 };
	struct sim_accel_type iax = ut_type;
	struct sim_accel_dev_params pi = { .type = &iax, .node = 1 };
	struct sim_accel_dev *a, *b, *c;

	iax.prefix = "iax";
	iax.caps = &sim_accel_caps_iaa;
	/* One namespace for both types, lowest id first: the kernel's idxd_ida. */
	T_EQ(sim_accel_dev_create(&pd, &a), 0);
	T_EQ(sim_accel_dev_create(&pi, &b), 0);
	T_STREQ(sim_accel_dev_name(a), "dsa0");
	T_STREQ(sim_accel_dev_name(b), "iax1");
	T_EQ(sim_accel_dev_node(b), 1);
	T_CHECK(sim_accel_dev_find("iax1") == b);
	T_CHECK(sim_accel_dev_find("dsa1") == NULL);
	T_CHECK(sim_accel_dev_next(NULL) == a);
	T_CHECK(sim_accel_dev_next(a) == b);
	T_CHECK(sim_accel_dev_next(b) == NULL);
	sim_accel_dev_destroy(a);
	T_CHECK(sim_accel_dev_find("dsa0") == NULL);
	T_EQ(sim_accel_dev_create(&pd, &c), 0);
	T_STREQ(sim_accel_dev_name(c), "dsa0");
	sim_accel_dev_destroy(c);
	sim_accel_dev_destroy(b);
	sim_accel_dev_destroy(NULL);

	/* Bad parameters. */
	pd.node = -2;
	T_RET(EINVAL, sim_accel_dev_create(&pd, &a));
	T_RET(EINVAL, sim_accel_dev_create(NULL, &a));
	{
		struct sim_accel_caps caps = sim_accel_caps_dsa;

		caps.wqcap.num_wqs = SIM_ACCEL_MAX_WQS + 1;
		pd.node = 0;
		pd.caps = &caps;
		T_RET(EINVAL, sim_accel_dev_create(&pd, &a));
		caps = sim_accel_caps_dsa;
		caps.engcap.num_engines = 0;
		T_RET(EINVAL, sim_accel_dev_create(&pd, &a));
	}
}

static void test_config_rules(void)
{
	struct sim_accel_dev *dev = ut_dev(NULL, 1);
	struct sim_accel_wq *wq = ut_wq(dev, 0, SIM_WQ_SHARED, 16);
	struct sim_accel_wq *wq1 = sim_accel_wq_find(dev, 1);
	struct sim_wq_cfg c = cfg_of(wq), bad;

	T_CHECK(sim_accel_wq_find(dev, 8) == NULL); /* DSA 1: 8 WQs */
	T_EQ(sim_accel_dev_nr_wqs(dev), 8);
	T_EQ(sim_accel_dev_nr_engines(dev), 4);
	T_EQ(sim_accel_dev_nr_groups(dev), 4);
	/* Reset values, as the kernel sets them. */
	{
		struct sim_wq_cfg r = cfg_of(wq1);

		T_EQ(r.size, 0);
		T_EQ(r.group_id, -1);
		T_EQ(r.max_xfer_shift, 21);
		T_EQ(r.max_batch_shift, 5);
		T_EQ(r.enqcmds_retries, 32);
		T_EQ(r.op_config.bits[0], sim_accel_caps_dsa.opcap.bits[0]);
	}

	/* Ranges. */
	bad = c;
	bad.priority = 16;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.threshold = 17;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.mode = SIM_WQ_DEDICATED; /* keeps threshold 16 */
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.max_xfer_shift = 32;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.max_batch_shift = 11;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.group_id = 4;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.pasid = 1u << 20;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.size = 129;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	memset(bad.name, 'x', sizeof(bad.name));
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.enqcmds_retries = 65;
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.op_config.bits[3] = 1; /* opcode 0xc0: not in OPCAP */
	T_RET(EINVAL, sim_wq_config_set(wq, &bad));
	/* Version 1 lacks PRS disable and op_config. */
	bad = c;
	bad.prs_disable = true;
	T_RET(EOPNOTSUPP, sim_wq_config_set(wq, &bad));
	bad = c;
	bad.op_config.bits[0] &= ~1ull;
	T_RET(EOPNOTSUPP, sim_wq_config_set(wq, &bad));
	T_EQ(cfg_of(wq).priority, 10); /* nothing changed by the failures */

	/* Sizes over WQCAP.total_wq_size pass the setter; ENABLE_DEVICE refuses them. */
	ut_wq(dev, 1, SIM_WQ_DEDICATED, 120);
	T_RET(EINVAL, sim_accel_dev_enable(dev));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE);
	T_CHECK(!sim_accel_dev_enabled(dev));
	ut_wq(dev, 1, SIM_WQ_DEDICATED, 8);
	/* A WQ with space in a group without an engine. */
	{
		struct sim_wq_cfg g = cfg_of(wq1);

		g.group_id = 2;
		T_EQ(sim_wq_config_set(wq1, &g), 0);
		T_RET(EINVAL, sim_accel_dev_enable(dev));
		T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_GRP_CONFIG);
		g.group_id = 0;
		T_EQ(sim_wq_config_set(wq1, &g), 0);
	}

	/* ENABLE_WQ before the device. */
	T_RET(ENXIO, sim_wq_enable(wq));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_DEV_NOTEN);
	T_RET(ENXIO, sim_wq_disable(wq));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_DEV_NOT_EN);
	T_RET(ENXIO, sim_accel_dev_disable(dev));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_DIS_DEV_EN);

	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_accel_dev_cmdsts(dev), 0);
	T_RET(EBUSY, sim_accel_dev_enable(dev));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_DEV_ENABLED);
	T_RET(EBUSY, sim_accel_dev_set_dma(dev, NULL, NULL));
	T_RET(EBUSY, sim_engine_set_group(dev, 1, 0));

	/* Engines start with their first WQ, not before. */
	{
		struct sim_engine_stats es;

		sim_engine_stats(dev, 0, &es);
		T_CHECK(!es.running);
	}

	/* ENABLE_WQ checks. */
	{
		struct sim_accel_wq *w2 = sim_accel_wq_find(dev, 2);
		struct sim_wq_cfg g = cfg_of(w2);

		T_RET(EINVAL, sim_wq_enable(w2)); /* size 0 */
		T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_WQ_SIZE);
		g.priority = 0;
		g.group_id = 0;
		T_RET(EBUSY, sim_wq_config_set(w2, &g)); /* group change: device enabled */
	}
	bad = c;
	bad.priority = 0;
	T_EQ(sim_wq_config_set(wq, &bad), 0);
	T_RET(EINVAL, sim_wq_enable(wq));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_WQ_PRIOR);
	T_EQ(sim_wq_config_set(wq, &c), 0);
	T_EQ(sim_wq_enable(wq), 0);
	T_RET(EBUSY, sim_wq_enable(wq));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_WQ_ENABLED);
	{
		struct sim_engine_stats es;

		sim_engine_stats(dev, 0, &es);
		T_CHECK(es.running);
		sim_engine_stats(dev, 1, &es); /* no group: no thread */
		T_CHECK(!es.running);
	}
	/* Enabled: configuration is frozen; RESET_WQ too. */
	T_RET(EBUSY, sim_wq_config_set(wq, &c));
	T_RET(EBUSY, sim_wq_reset(wq));
	T_EQ(sim_accel_dev_cmdsts(dev), IDXD_CMDSTS_ERR_WQ_ENABLED);
	/* Disabled WQ, enabled device: WQ settings change, size does not. */
	T_EQ(sim_wq_disable(wq), 0);
	bad = c;
	bad.priority = 3;
	T_EQ(sim_wq_config_set(wq, &bad), 0);
	bad.size = 8;
	T_RET(EBUSY, sim_wq_config_set(wq, &bad));

	/* DISABLE_DEVICE stops the engines. */
	T_EQ(sim_wq_enable(wq), 0);
	T_EQ(sim_accel_dev_disable(dev), 0);
	T_EQ(sim_wq_state(wq), SIM_WQ_STATE_DISABLED);
	{
		struct sim_engine_stats es;

		sim_engine_stats(dev, 0, &es);
		T_CHECK(!es.running);
	}
	/* RESET_DEVICE: configuration back to reset values. */
	sim_accel_dev_reset(dev);
	T_EQ(cfg_of(wq).size, 0);
	T_EQ(sim_engine_group(dev, 0), -1);
	sim_accel_dev_destroy(dev);
}

/* Version 2: op_config and prs_disable exist; the executor sees OPCAP & op_config. */
static void test_v2_exec_cfg(void)
{
	struct sim_accel_caps caps;
	struct sim_accel_dev *dev;
	struct sim_accel_wq *wq;
	struct sim_wq_cfg c;
	struct dsa_hw_desc d;
	struct ut_rec rec;
	unsigned int n;

	T_EQ(sim_accel_caps_for_version(&ut_type, 2, &caps), 0);
	T_EQ(caps.version, IDXD_VERSION_2);
	T_EQ(caps.wqcap.op_config, 1);
	T_EQ(idxd_wqcfg_stride(caps.wqcap), 64);
	T_RET(EINVAL, sim_accel_caps_for_version(&ut_type, 3, &caps));
	T_EQ(sim_accel_caps_for_version(&ut_type, 2, &caps), 0);

	dev = ut_dev(&caps, 1);
	wq = ut_wq(dev, 0, SIM_WQ_SHARED, 8);
	c = cfg_of(wq);
	c.op_config.bits[0] &= ~(1ull << DSA_OPCODE_MEMFILL);
	c.prs_disable = true;
	c.max_xfer_shift = 12;
	T_EQ(sim_wq_config_set(wq, &c), 0);
	c.block_on_fault = true; /* BOF without page requests */
	T_RET(EOPNOTSUPP, sim_wq_config_set(wq, &c));
	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_wq_enable(wq), 0);

	sim_accel_process_pasid_set(7);
	ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
	n = atomic_load(&ut_log_n);
	T_EQ(sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	T_EQ(ut_log[n].max_xfer_shift, 12);
	T_CHECK(!ut_log[n].wq_bof);
	T_EQ(ut_log[n].opcap0,
	     (uint8_t)(sim_accel_caps_dsa.opcap.bits[0] & ~(1ull << DSA_OPCODE_MEMFILL)));
	T_EQ(ut_log[n].pasid, 7);

	/* WQCFG in BAR0: 64-byte stride on version 2, fields where the reference puts them. */
	{
		uint64_t off, v2 = 0, v0 = 0, v4 = 0, ver = 0;
		union idxd_table_offsets_reg t;
		union idxd_wqcfg_reg w;

		T_EQ(sim_accel_reg_read(dev, IDXD_REG_VERSION, &ver), 0);
		T_EQ(ver, 0x200);
		T_EQ(sim_accel_reg_read(dev, IDXD_REG_TABLE_OFFSETS, &t.bits[0]), 0);
		off = t.wqcfg * IDXD_TABLE_MULT;
		T_EQ(sim_accel_reg_read(dev, (unsigned int)off, &v0), 0);
		T_EQ(sim_accel_reg_read(dev, (unsigned int)off + 8, &v2), 0);
		T_EQ(sim_accel_reg_read(dev, (unsigned int)off + 32, &v4), 0);
		/* dw0 = size 8, dw1 = threshold 8 */
		T_EQ(v0, 8ull | 8ull << 32);
		/* dw2: mode 0 (shared), prs_disable bit 3, priority 10 at bits 7:4; dw3: xfer 12 */
		T_EQ(v2 & 0xffffffff, (1u << 3) | (10u << 4));
		T_EQ((v2 >> 32) & 0x1f, 12);
		T_EQ(v4, sim_accel_caps_dsa.opcap.bits[0] & ~(1ull << DSA_OPCODE_MEMFILL));
		sim_wq_wqcfg(wq, &w);
		T_EQ(w.wq_state, 1);
	}
	sim_accel_dev_destroy(dev);
}

static void test_registers_and_cmd(void)
{
	struct sim_accel_dev *dev = ut_dev(NULL, 2);
	struct sim_accel_wq *wq;
	union idxd_cmd_reg cmd = { .bits = 0 };
	union idxd_gencap_reg gc;
	union idxd_grpcfg_reg g;
	uint64_t v = 0, off;
	uint16_t handles[SIM_ACCEL_MAX_INT_HANDLES];
	uint32_t sts;

	/* Capabilities: the Sapphire Rapids gen_cap bits sim claims. */
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_GENCAP, &gc.bits), 0);
	T_EQ(gc.max_xfer_shift, 31);
	T_EQ(gc.max_batch_shift, 10);
	T_EQ(gc.bof, 1);
	T_EQ(gc.overlap_copy, 1);
	T_EQ(gc.bits & 0x1ff, 0x107); /* as read from a real device's sysfs gen_cap */
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_WQCAP, &v), 0);
	T_EQ(v & 0xffff, 128);
	T_EQ((v >> 16) & 0xff, 8);
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_ENGCAP, &v), 0);
	T_EQ(v, 4);
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_OPCAP, &v), 0);
	T_EQ(v & 0xffffffff, 0x3f03ff);
	T_EQ(v >> 32 & 1, 1); /* CFLUSH, opcode 0x20 */
	T_RET(EINVAL, sim_accel_reg_read(dev, 0x04, &v));
	T_RET(EINVAL, sim_accel_reg_read(dev, 0x3000, &v));
	T_RET(EINVAL, sim_accel_reg_read(dev, IDXD_REG_IAACAP, &v));
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_GENSTS, &v), 0);
	T_EQ(v, IDXD_DEV_STATE_DISABLED);

	/* The CMD face. */
	wq = ut_wq(dev, 3, SIM_WQ_SHARED, 4);
	cmd.cmd = IDXD_CMD_ENABLE_DEVICE;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_GENSTS, &v), 0);
	T_EQ(v, IDXD_DEV_STATE_ENABLED);
	cmd.cmd = IDXD_CMD_ENABLE_WQ;
	cmd.operand = 9;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_INVAL_WQIDX);
	cmd.operand = 3;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	T_EQ(sim_wq_state(wq), SIM_WQ_STATE_ENABLED);
	cmd.cmd = IDXD_CMD_DRAIN_WQ;
	cmd.operand = idxd_wq_cmd_operand(3);
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	cmd.cmd = IDXD_CMD_DISABLE_WQ;
	cmd.operand = idxd_wq_cmd_operand(20);
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_INVAL_WQIDX);
	cmd.operand = idxd_wq_cmd_operand(3);
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	T_EQ(sim_wq_state(wq), SIM_WQ_STATE_DISABLED);
	cmd.cmd = 0x1f;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_INVAL_CMD);

	/* GRPCFG: group 0 holds WQ 3 and engines 0, 1. */
	T_EQ(sim_group_grpcfg(dev, 0, &g), 0);
	T_EQ(g.wqs[0], 1u << 3);
	T_EQ(g.engines, 3);
	T_RET(EINVAL, sim_group_grpcfg(dev, 4, &g));
	T_EQ(sim_accel_reg_read(dev, IDXD_REG_TABLE_OFFSETS, &v), 0);
	off = (v & 0xffff) * IDXD_TABLE_MULT;
	T_EQ(sim_accel_reg_read(dev, (unsigned int)off + 32, &v), 0);
	T_EQ(v, 3);

	/* Interrupt handles: index range (0x41), then running out (0x42). */
	cmd.cmd = IDXD_CMD_REQUEST_INT_HANDLE;
	cmd.operand = SIM_ACCEL_MAX_INT_HANDLES;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_ERR_INVAL_INT_IDX);
	for (unsigned int i = 0; i < SIM_ACCEL_MAX_INT_HANDLES; i++) {
		cmd.operand = i;
		sts = sim_accel_dev_cmd(dev, cmd.bits);
		T_EQ(sts & 0xff, 0);
		handles[i] = (uint16_t)(sts >> 8);
	}
	T_EQ(handles[5], 5);
	cmd.operand = 0;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_ERR_NO_HANDLE);
	T_RET(ENOSPC, sim_accel_int_handle_request(dev, 0, &handles[0], NULL));
	cmd.cmd = IDXD_CMD_RELEASE_INT_HANDLE;
	cmd.operand = 5;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_ERR_INVAL_INT_IDX);
	T_EQ(sim_accel_int_handle_request(dev, 0, &handles[5], NULL), 0);
	T_EQ(handles[5], 5);

	cmd.cmd = IDXD_CMD_DISABLE_DEVICE;
	cmd.operand = 0;
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), 0);
	T_EQ(sim_accel_dev_cmd(dev, cmd.bits), IDXD_CMDSTS_ERR_DIS_DEV_EN);
	T_EQ(sim_accel_cmdsts_errno(IDXD_CMDSTS_ERR_DIS_DEV_EN), -ENXIO);
	T_EQ(sim_accel_cmdsts_errno(IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE), -EINVAL);
	T_EQ(sim_accel_cmdsts_errno(IDXD_CMDSTS_ERR_NO_HANDLE), -ENOSPC);
	sim_accel_dev_destroy(dev);
}

/* Destroying an enabled device with work queued drains it first. */
static void test_destroy_busy(void)
{
	enum { N = 64 };
	static struct ut_rec rec[N];
	struct sim_accel_dev *dev = ut_dev(NULL, 1);
	struct sim_accel_wq *wq = ut_wq(dev, 0, SIM_WQ_SHARED, N);
	struct dsa_hw_desc d;

	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_wq_enable(wq), 0);
	sim_accel_process_pasid_set(1);
	for (unsigned int i = 0; i < N; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, i, &rec[i]);
		T_EQ(sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD), 0);
	}
	sim_accel_dev_destroy(dev);
	for (unsigned int i = 0; i < N; i++)
		T_EQ(ut_status(&rec[i]), DSA_COMP_SUCCESS);
}

/* fork(): the child's devices are disabled, its process has no PASID, and it can bring the
 * device up again with engines of its own. */
static void test_fork(void)
{
	struct sim_accel_dev *dev = ut_dev(NULL, 1);
	struct sim_accel_wq *wq = ut_wq(dev, 0, SIM_WQ_SHARED, 8);
	struct dsa_hw_desc d;
	struct ut_rec rec;
	int status = -1;
	pid_t pid;

	T_EQ(sim_accel_dev_enable(dev), 0);
	T_EQ(sim_wq_enable(wq), 0);
	sim_accel_process_pasid_set(3);
	pid = fork();
	if (pid == 0) {
		uint32_t pasid;
		int bad = 0;

		bad |= sim_accel_dev_enabled(dev);
		bad |= sim_wq_state(wq) != SIM_WQ_STATE_DISABLED;
		bad |= sim_accel_process_pasid_get(&pasid);
		ut_desc(&d, DSA_OPCODE_NOOP, 1, &rec);
		bad |= sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD) != -EPERM;
		sim_accel_process_pasid_set(4);
		bad |= sim_accel_dev_enable(dev) != 0;
		bad |= sim_wq_enable(wq) != 0;
		bad |= sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD) != 0;
		bad |= !UT_WAIT(ut_status(&rec) == DSA_COMP_SUCCESS);
		sim_accel_dev_destroy(dev);
		_exit(bad ? 1 : 0);
	}
	T_CHECK(pid > 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The parent's device is untouched. */
	T_CHECK(sim_accel_dev_enabled(dev));
	ut_desc(&d, DSA_OPCODE_NOOP, 2, &rec);
	T_EQ(sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) != 0));
	sim_accel_dev_destroy(dev);
}

int main(void)
{
	test_names();
	test_config_rules();
	test_v2_exec_cfg();
	test_registers_and_cmd();
	test_destroy_busy();
	test_fork();
	return t_done("sim_accel_dev");
}
