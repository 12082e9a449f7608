// SPDX-License-Identifier: MIT
/*
 * SVART_SIM_CONFIG: the default platform's shape, the syntax (every key, comments, separators,
 * numbers), multi-node configurations, configuration files, strict errors with their
 * line:column messages, hardware-level errors when a configuration is applied (CMDSTS), and the
 * platform registry (created once, found by name, torn down by the last put).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "sim_accel_util.h"

static struct sim_accel_config cfg;
static char err[512];

static int parse(const char *text)
{
	return sim_accel_config_parse(text, strlen(text), &cfg, err, sizeof(err));
}

/* @text fails with exactly @msg. */
#define T_PARSE_ERR(text, msg)              \
	do {                                \
		T_RET(EINVAL, parse(text)); \
		T_STREQ(err, msg);          \
		T_EQ(cfg.nr_devs, 0);       \
	} while (0)

static void test_default(void)
{
	const struct sim_accel_dev_spec *d;

	sim_accel_config_default(&cfg);
	T_EQ(cfg.nr_devs, 2);
	d = &cfg.devs[0];
	T_EQ(d->kind, SIM_ACCEL_DSA);
	T_EQ(d->node, 0);
	T_EQ(d->engines, 1);
	T_EQ(d->groups, 1);
	T_EQ(d->version, 1);
	T_EQ(d->spin_us, 50);
	T_CHECK(d->enabled);
	T_EQ(d->nr_wqs, 2);
	T_EQ(d->wqs[0].cfg.mode, SIM_WQ_SHARED);
	T_EQ(d->wqs[0].cfg.size, 64);
	T_EQ(d->wqs[0].cfg.threshold, 64);
	T_EQ(d->wqs[0].cfg.priority, 10);
	T_EQ(d->wqs[0].cfg.type, SIM_WQ_TYPE_USER);
	T_EQ(d->wqs[1].cfg.mode, SIM_WQ_DEDICATED);
	T_EQ(d->wqs[1].cfg.size, 32);
	T_EQ(d->wqs[1].cfg.threshold, 0);
	T_CHECK(!d->wqs[1].cfg.pasid_en);
	d = &cfg.devs[1];
	T_EQ(d->kind, SIM_ACCEL_IAA);
	T_EQ(d->nr_wqs, 1);
	T_EQ(d->wqs[0].cfg.mode, SIM_WQ_SHARED);
	T_EQ(d->wqs[0].cfg.size, 64);
	/* The documented text is what the default is. */
	T_EQ(parse(sim_accel_config_default_text()), 0);
	T_EQ(cfg.nr_devs, 2);
}

static void test_syntax(void)
{
	const struct sim_accel_wq_spec *w;
	const struct sim_accel_dev_spec *d;

	T_EQ(parse(""), 0);
	T_EQ(cfg.nr_devs, 0);
	T_EQ(parse(" \n;;\t# nothing here\n"), 0);
	T_EQ(cfg.nr_devs, 0);

	T_EQ(parse("# two DSAs and an IAA\n"
		   "dsa node=1 engines=3 groups=2 version=2 spin_us=0 wq_total=256\t"
		   "wq=dedicated:16:group=1:pasid=0x1f:priv=1:prio=15:xfer=64k:batch=100:"
		   "name=db-log.1:enabled=0 # a comment\n"
		   "dsa enabled=0; iaa node=-1 wq=shared:128:threshold=100:bof=1:ats_disable=1:"
		   "prs_disable=0:retries=0\r\n"),
	     0);
	T_EQ(cfg.nr_devs, 3);
	d = &cfg.devs[0];
	T_EQ(d->kind, SIM_ACCEL_DSA);
	T_EQ(d->node, 1);
	T_EQ(d->engines, 3);
	T_EQ(d->groups, 2);
	T_EQ(d->version, 2);
	T_EQ(d->spin_us, 0);
	T_EQ(d->total_wq_size, 256);
	T_EQ(d->line, 2);
	w = &d->wqs[0];
	T_EQ(w->cfg.mode, SIM_WQ_DEDICATED);
	T_EQ(w->cfg.size, 16);
	T_EQ(w->cfg.group_id, 1);
	T_EQ(w->cfg.pasid, 0x1f);
	T_CHECK(w->cfg.pasid_en);
	T_CHECK(w->cfg.priv);
	T_EQ(w->cfg.priority, 15);
	T_EQ(w->cfg.max_xfer_shift, 16);
	T_EQ(w->cfg.max_batch_shift, 7); /* 100 rounds up to 128, as sysfs does */
	T_STREQ(w->cfg.name, "db-log.1");
	T_CHECK(!w->enabled);
	T_CHECK(w->xfer_set && w->batch_set);
	d = &cfg.devs[1];
	T_CHECK(!d->enabled);
	T_EQ(d->nr_wqs, 0);
	d = &cfg.devs[2];
	T_EQ(d->kind, SIM_ACCEL_IAA);
	T_EQ(d->node, -1);
	T_EQ(d->line, 3);
	w = &d->wqs[0];
	T_EQ(w->cfg.threshold, 100);
	T_CHECK(w->cfg.block_on_fault);
	T_CHECK(w->cfg.ats_disable);
	T_EQ(w->cfg.enqcmds_retries, 0);
	T_CHECK(!w->xfer_set);
}

static void test_errors(void)
{
	T_PARSE_ERR("dsb", "1:1: unknown device type 'dsb' (dsa, iax)");
	T_PARSE_ERR("dsa foo=1", "1:5: unknown key 'foo'");
	T_PARSE_ERR("dsa\n  iax speed=3", "2:7: unknown key 'speed'");
	T_PARSE_ERR("dsa engines=0", "1:13: 0: at least 1");
	T_PARSE_ERR("dsa engines=17", "1:13: 17: at most 16");
	T_PARSE_ERR("dsa engines=x", "1:13: 'x' is not a number");
	T_PARSE_ERR("dsa engines=0x", "1:13: '0x' is not a number");
	T_PARSE_ERR("dsa node=99999999999999999999999",
		    "1:10: '99999999999999999999999' is too large");
	T_PARSE_ERR("dsa engines", "1:5: expected key=value, got 'engines'");
	T_PARSE_ERR("dsa =3", "1:5: expected key=value, got '=3'");
	T_PARSE_ERR("dsa engines=", "1:13: missing value for 'engines'");
	T_PARSE_ERR("dsa node=1 node=2", "1:12: 'node' given twice");
	T_PARSE_ERR("dsa version=3", "1:13: 3: at most 2");
	T_PARSE_ERR("dsa enabled=yes", "1:13: 'yes': expected 0 or 1");
	T_PARSE_ERR("dsa wq=shared", "1:8: wq: expected mode:size");
	T_PARSE_ERR("dsa wq=fifo:4", "1:8: wq: 'fifo' is not a mode (shared, dedicated)");
	T_PARSE_ERR("dsa wq=shared:0", "1:15: 0: at least 1");
	T_PARSE_ERR("dsa wq=shared:4:prio=16", "1:22: 16: at most 15");
	T_PARSE_ERR("dsa wq=shared:4:prio=1:prio=2", "1:24: wq: 'prio' given twice");
	T_PARSE_ERR("dsa wq=shared:4:colour=red", "1:17: wq: unknown key 'colour'");
	T_PARSE_ERR("dsa wq=shared:4:prio", "1:17: wq: expected key=value, got 'prio'");
	T_PARSE_ERR("dsa wq=shared:4:prio=", "1:22: wq: missing value for 'prio'");
	T_PARSE_ERR("dsa wq=shared:4:threshold=5", "1:8: wq: threshold 5 exceeds size 4");
	T_PARSE_ERR("dsa wq=dedicated:4:threshold=2", "1:8: wq: threshold applies to shared WQs");
	T_PARSE_ERR("dsa wq=shared:4:pasid=3",
		    "1:8: wq: pasid applies to dedicated WQs (shared WQs take the submitter's)");
	T_PARSE_ERR("dsa wq=shared:4:bof=1:prs_disable=1",
		    "1:8: wq: bof needs page requests (prs_disable=0)");
	T_PARSE_ERR("iax wq=shared:4:batch=8", "1:23: batch: iax has no batch descriptors");
	T_PARSE_ERR("dsa wq=shared:4:xfer=0", "1:22: xfer: at least 1");
	T_PARSE_ERR("dsa wq=shared:4:xfer=4g", "1:22: 4g: at most 2147483648");
	T_PARSE_ERR("dsa wq=shared:4:name=a/b",
		    "1:22: name: letters, digits, '_', '-' and '.' only");
	T_PARSE_ERR("dsa wq=shared:4:pasid=0x100000", "1:23: 0x100000: at most 1048575");
	T_PARSE_ERR("dsa wq=shared:4:group=1", "1:8: wq: group 1, but the device has groups=1");
	T_PARSE_ERR("dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; dsa; "
		    "dsa; dsa",
		    "1:81: too many devices (at most 16)");
	T_PARSE_ERR("dsa!", "1:4: expected a blank after 'dsa'");
	T_PARSE_ERR("!", "1:1: expected a device type (dsa, iax), got '!'");
	/* Not NUL-terminated: the parser stops at len. */
	T_EQ(sim_accel_config_parse("dsa engines=2XXXX", 13, &cfg, err, sizeof(err)), 0);
	T_EQ(cfg.devs[0].engines, 2);
	/* A tiny error buffer is truncated, not overrun. */
	{
		char small[6] = "zzzzz";

		T_RET(EINVAL, sim_accel_config_parse("dsb", 3, &cfg, small, 4));
		T_STREQ(small, "1:1");
		T_RET(EINVAL, sim_accel_config_parse("dsb", 3, &cfg, NULL, 0));
	}
}

static void test_load(void)
{
	char path[] = "/tmp/svart-sim-config-XXXXXX";
	const char *text = "# file\ndsa wq=shared:8\n\niax nope=1\n";
	int fd = mkstemp(path);
	char arg[64];

	T_CHECK(fd >= 0);
	T_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(arg, sizeof(arg), "@%s", path);
	T_RET(EINVAL, sim_accel_config_load(arg, &cfg, err, sizeof(err)));
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:4:5: unknown key 'nope'", path);
		T_STREQ(err, want);
	}
	fd = open(path, O_WRONLY | O_TRUNC);
	T_EQ(write(fd, "dsa wq=shared:8\n", 16), 16);
	close(fd);
	T_EQ(sim_accel_config_load(arg, &cfg, err, sizeof(err)), 0);
	T_EQ(cfg.nr_devs, 1);
	T_EQ(cfg.devs[0].wqs[0].cfg.size, 8);
	unlink(path);
	T_RET(ENOENT, sim_accel_config_load(arg, &cfg, err, sizeof(err)));
	T_CHECK(strstr(err, "cannot read") != NULL);
	T_RET(EINVAL, sim_accel_config_load("dsa x=1", &cfg, err, sizeof(err)));
	T_STREQ(err, "SVART_SIM_CONFIG:1:5: unknown key 'x'");
	T_EQ(sim_accel_config_load(NULL, &cfg, err, sizeof(err)), 0);
	T_EQ(cfg.nr_devs, 2);
}

/* Configurations the syntax accepts but the hardware refuses, with CMDSTS in the message. */
static void test_apply_errors(void)
{
	struct sim_accel_dev *devs[SIM_ACCEL_CFG_MAX_DEVS];

	T_EQ(parse("dsa wq=shared:100 wq=dedicated:100"), 0);
	T_RET(EINVAL, sim_accel_config_apply(&cfg, NULL, devs, err, sizeof(err)));
	T_STREQ(err, "line 1: dsa0: ENABLE_DEVICE failed, CMDSTS 0x14 (WQ sizes exceed wq_total)");
	T_CHECK(sim_accel_dev_next(NULL) == NULL); /* nothing left behind */

	T_EQ(parse("iax\ndsa groups=2 engines=1 wq=shared:8 wq=shared:8:group=1"), 0);
	T_RET(EINVAL, sim_accel_config_apply(&cfg, NULL, devs, err, sizeof(err)));
	T_STREQ(err,
		"line 2: dsa1: ENABLE_DEVICE failed, CMDSTS 0x15 (a WQ's group has no engine)");
	T_CHECK(sim_accel_dev_next(NULL) == NULL);

	/* A version-2 setting on a version-1 device. */
	T_EQ(parse("dsa wq=shared:8:prs_disable=1"), 0);
	T_RET(EOPNOTSUPP, sim_accel_config_apply(&cfg, NULL, devs, err, sizeof(err)));
	T_STREQ(err, "1:8: dsa0 wq0.0: not supported by this device version");
	T_EQ(parse("dsa version=2 wq=shared:8:prs_disable=1 wq_total=16"), 0);
	T_EQ(sim_accel_config_apply(&cfg, NULL, devs, err, sizeof(err)), 0);
	T_EQ(sim_accel_dev_caps(devs[0])->wqcap.total_wq_size, 16);
	T_EQ(devs[0]->spin_ns, 50000); /* the default busy-poll */
	sim_accel_config_unapply(NULL, devs, 1);
	/* spin_us=0: engines sleep as soon as they are idle. */
	T_EQ(parse("dsa spin_us=0 wq=shared:8"), 0);
	T_EQ(sim_accel_config_apply(&cfg, NULL, devs, err, sizeof(err)), 0);
	T_EQ(devs[0]->spin_ns, 0);
	sim_accel_config_unapply(NULL, devs, 1);
	T_CHECK(sim_accel_dev_next(NULL) == NULL);
}

static int prov_attached, prov_detached;

static int prov_attach(struct sim_accel_dev *dev, const struct sim_dma_ops **ops, void **priv)
{
	prov_attached++;
	*ops = &sim_dma_identity_ops;
	*priv = (void *)(uintptr_t)(0x1000 + sim_accel_dev_id(dev));
	return 0;
}

static void prov_detach(struct sim_accel_dev *dev, void *priv)
{
	T_EQ((uintptr_t)priv, 0x1000 + sim_accel_dev_id(dev));
	prov_detached++;
}

static const struct sim_accel_dma_provider prov = {
	.attach = prov_attach,
	.detach = prov_detach,
};

static void test_platform_default(void)
{
	struct sim_accel_dev *dsa, *iax;
	struct sim_engine_stats es;
	struct sim_wq_cfg c;

	unsetenv("SVART_SIM_CONFIG");
	T_EQ(sim_accel_platform_set_dma_provider(&prov), 0);
	T_EQ(sim_accel_platform_get(), 0);
	T_EQ(sim_accel_platform_get(), 0); /* a second reference */
	T_RET(EBUSY, sim_accel_platform_set_dma_provider(NULL));
	T_EQ(prov_attached, 2);
	dsa = sim_accel_dev_find("dsa0");
	iax = sim_accel_dev_find("iax1");
	T_CHECK(dsa && iax);
	if (!dsa || !iax)
		return;
	T_CHECK(sim_accel_dev_enabled(dsa));
	T_CHECK(sim_accel_dev_type(dsa) == &sim_accel_type_dsa);
	T_CHECK(sim_accel_dev_type(iax) == &sim_accel_type_iaa);
	T_EQ(sim_accel_dev_node(dsa), 0);
	T_EQ(sim_wq_state(sim_accel_wq_find(dsa, 0)), SIM_WQ_STATE_ENABLED);
	T_EQ(sim_wq_state(sim_accel_wq_find(dsa, 1)), SIM_WQ_STATE_ENABLED);
	T_EQ(sim_wq_state(sim_accel_wq_find(dsa, 2)), SIM_WQ_STATE_DISABLED);
	sim_wq_config_get(sim_accel_wq_find(dsa, 1), &c);
	T_EQ(c.mode, SIM_WQ_DEDICATED);
	T_EQ(c.size, 32);
	T_STREQ(c.name, "svart");
	sim_wq_config_get(sim_accel_wq_find(iax, 0), &c);
	T_EQ(c.mode, SIM_WQ_SHARED);
	T_EQ(c.size, 64);
	T_EQ(c.max_batch_shift, 0); /* IAA has no batches */
	T_EQ(sim_wq_state(sim_accel_wq_find(iax, 0)), SIM_WQ_STATE_ENABLED);
	/* One engine each, in group 0, running. */
	T_EQ(sim_engine_group(dsa, 0), 0);
	T_EQ(sim_engine_group(dsa, 1), -1);
	sim_engine_stats(dsa, 0, &es);
	T_CHECK(es.running);
	sim_engine_stats(iax, 0, &es);
	T_CHECK(es.running);

	/* A NOOP through the real DSA executor of the default platform. */
	{
		struct dsa_hw_desc d;
		struct ut_rec rec;

		sim_accel_process_pasid_set(1);
		ut_desc(&d, DSA_OPCODE_NOOP, 0, &rec);
		T_EQ(sim_wq_submit(sim_accel_wq_find(dsa, 0), &d, SIM_WQ_HOW_ENQCMD), 0);
		T_CHECK(UT_WAIT(ut_status(&rec) != 0));
		T_EQ(ut_status(&rec), DSA_COMP_SUCCESS);
	}

	/* And a NOOP through the IAA executor (64-byte record). */
	{
		struct iax_hw_desc d;
		_Alignas(64) struct iax_completion_record cr;

		memset(&d, 0, sizeof(d));
		memset(&cr, 0, sizeof(cr));
		d.opcode = IAX_OPCODE_NOOP;
		d.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
		d.completion_addr = (uintptr_t)&cr;
		T_EQ(sim_wq_submit(sim_accel_wq_find(iax, 0), &d, SIM_WQ_HOW_ENQCMD), 0);
		T_CHECK(UT_WAIT(atomic_load_explicit((_Atomic uint8_t *)&cr.status,
						     memory_order_acquire) != 0));
		T_EQ(cr.status, IAX_COMP_SUCCESS);
	}

	sim_accel_platform_put();
	T_CHECK(sim_accel_dev_find("dsa0") == dsa); /* still one reference */
	sim_accel_platform_put();
	T_CHECK(sim_accel_dev_find("dsa0") == NULL);
	T_EQ(prov_detached, 2);
	sim_accel_platform_put(); /* unbalanced: ignored */
	T_EQ(sim_accel_platform_set_dma_provider(NULL), 0);
}

static void test_platform_multinode(void)
{
	struct sim_accel_dev *dev;
	unsigned int n = 0;
	int nodes[4] = { 0 };
	const char *names[4] = { 0 };

	setenv("SVART_SIM_CONFIG",
	       "dsa node=0; dsa node=1 engines=2 groups=2 wq=shared:32:group=1 "
	       "wq=dedicated:16:group=0; iax node=1 wq=shared:128",
	       1);
	T_EQ(sim_accel_platform_get(), 0);
	for (dev = sim_accel_dev_next(NULL); dev && n < 4; dev = sim_accel_dev_next(dev), n++) {
		names[n] = sim_accel_dev_name(dev);
		nodes[n] = sim_accel_dev_node(dev);
	}
	T_EQ(n, 3);
	T_STREQ(names[0], "dsa0");
	T_STREQ(names[1], "dsa1");
	T_STREQ(names[2], "iax2");
	T_EQ(nodes[0], 0);
	T_EQ(nodes[1], 1);
	T_EQ(nodes[2], 1);
	dev = sim_accel_dev_find("dsa1");
	if (dev) {
		union idxd_grpcfg_reg g;

		/* Engines spread over the groups: engine 0 in group 0, engine 1 in group 1. */
		T_EQ(sim_group_grpcfg(dev, 1, &g), 0);
		T_EQ(g.engines, 2);
		T_EQ(g.wqs[0], 1);
		T_EQ(sim_wq_state(sim_accel_wq_find(dev, 0)), SIM_WQ_STATE_ENABLED);
	}
	sim_accel_platform_put();

	/* A bad variable: get fails and says why; nothing is created. */
	setenv("SVART_SIM_CONFIG", "dsa wq=shared:4:prio=0", 1);
	T_RET(EINVAL, sim_accel_platform_get());
	T_STREQ(sim_accel_platform_error(), "SVART_SIM_CONFIG:1:22: 0: at least 1");
	T_CHECK(sim_accel_dev_next(NULL) == NULL);
	unsetenv("SVART_SIM_CONFIG");
}

int main(void)
{
	test_default();
	test_syntax();
	test_errors();
	test_load();
	test_apply_errors();
	test_platform_default();
	test_platform_multinode();
	return t_done("sim_accel_config");
}
