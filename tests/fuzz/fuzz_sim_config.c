// SPDX-License-Identifier: MIT
/*
 * Fuzz target: SVART_SIM_CONFIG text into the configuration parser.
 *
 * Property: any bytes give either a configuration within the model's limits or -EINVAL with a
 * NUL-terminated "line:column: message" inside the error buffer; the parser never reads past
 * the input (the harness copies it to a buffer that ends exactly at a PROT_NONE page) and never
 * crashes.
 *
 * Random bytes rarely get past the device type, so the first input byte chooses between the
 * raw bytes, a "token soup" (the rest of the input picks tokens of the syntax and joins them)
 * and a generator that follows the grammar (devices, keys, WQ specs with their sub-keys) and
 * picks values, some out of range: that one reaches every key's parser and the checks after a
 * device.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/accel/sim_accel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_target_unavailable(void);

#define FZ_PAGE 4096
#define FZ_MAX (4 * FZ_PAGE)

static const char *const fz_tokens[] = {
	"dsa",
	"iax",
	"iaa",
	" ",
	"\t",
	"\n",
	";",
	"#c\n",
	"=",
	":",
	"node",
	"engines",
	"groups",
	"version",
	"spin_us",
	"wq_total",
	"enabled",
	"wq",
	"shared",
	"dedicated",
	"prio",
	"group",
	"threshold",
	"bof",
	"ats_disable",
	"prs_disable",
	"pasid",
	"priv",
	"xfer",
	"batch",
	"name",
	"retries",
	"0",
	"1",
	"2",
	"15",
	"16",
	"64",
	"-1",
	"0x10",
	"4k",
	"2m",
	"1g",
	"99999999999999999999",
	"a.b-c",
	"wq=shared:8",
	"wq=dedicated:4:pasid=3",
	":prio=",
	"\r",
};

static const char *const fz_dev_keys[] = { "node",    "engines",  "groups", "version",
					   "spin_us", "wq_total", "enabled" };
static const char *const fz_wq_keys[] = { "prio",	 "group",	"threshold", "bof",
					  "ats_disable", "prs_disable", "pasid",     "priv",
					  "xfer",	 "batch",	"name",	     "retries",
					  "enabled" };
/* Mostly values every key accepts, some that only a few accept or none does. */
static const char *const fz_values[] = { "1",  "1",  "1",  "2",	   "8",	 "8", "0", "15",
					 "16", "64", "-1", "0x1f", "4k", "x", "",  "a_b" };

static char *fz_buf; /* FZ_MAX bytes followed by a PROT_NONE page */

struct fz_gen {
	const uint8_t *p, *end;
	char *out;
	size_t n;
};

static unsigned int fz_pick(struct fz_gen *g, unsigned int n)
{
	return g->p < g->end ? *g->p++ % n : 0;
}

static void fz_put(struct fz_gen *g, const char *s)
{
	size_t l = strlen(s);

	if (g->n + l <= FZ_MAX) {
		memcpy(g->out + g->n, s, l);
		g->n += l;
	}
}

#define FZ_ARRAY(a) (sizeof(a) / sizeof((a)[0]))

static size_t fz_generate(const uint8_t *data, size_t size, char *out)
{
	struct fz_gen g = { .p = data, .end = data + size, .out = out };

	/* A few devices: a long run of random choices would nearly always hold a bad one. */
	for (unsigned int devs = 1 + fz_pick(&g, 3); devs && g.p < g.end; devs--) {
		fz_put(&g, fz_pick(&g, 2) ? "dsa" : "iax");
		for (unsigned int k = fz_pick(&g, 6); k; k--) {
			fz_put(&g, " ");
			if (fz_pick(&g, 2)) {
				fz_put(&g, fz_dev_keys[fz_pick(&g, FZ_ARRAY(fz_dev_keys))]);
				fz_put(&g, "=");
				fz_put(&g, fz_values[fz_pick(&g, FZ_ARRAY(fz_values))]);
				continue;
			}
			fz_put(&g, fz_pick(&g, 2) ? "wq=shared:" : "wq=dedicated:");
			fz_put(&g, fz_values[fz_pick(&g, FZ_ARRAY(fz_values))]);
			for (unsigned int j = fz_pick(&g, 4); j; j--) {
				fz_put(&g, ":");
				fz_put(&g, fz_wq_keys[fz_pick(&g, FZ_ARRAY(fz_wq_keys))]);
				fz_put(&g, "=");
				fz_put(&g, fz_values[fz_pick(&g, FZ_ARRAY(fz_values))]);
			}
		}
		fz_put(&g, fz_pick(&g, 2) ? "\n" : "; ");
	}
	return g.n;
}

static void fz_init(void)
{
	char *m;

	if (fz_buf)
		return;
	m = mmap(NULL, FZ_MAX + FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (m == MAP_FAILED)
		__builtin_trap();
	mprotect(m + FZ_MAX, FZ_PAGE, PROT_NONE);
	fz_buf = m;
}

static void fz_check(const char *text, size_t len)
{
	static struct sim_accel_config cfg;
	char err[96];
	int ret;

	memset(err, 0x55, sizeof(err));
	/* Right-aligned against the guard page: one byte too many would fault. */
	memcpy(fz_buf + FZ_MAX - len, text, len);
	ret = sim_accel_config_parse(fz_buf + FZ_MAX - len, len, &cfg, err, sizeof(err));
	if (ret == 0) {
		if (cfg.nr_devs > SIM_ACCEL_CFG_MAX_DEVS)
			__builtin_trap();
		for (unsigned int i = 0; i < cfg.nr_devs; i++) {
			const struct sim_accel_dev_spec *d = &cfg.devs[i];

			if (d->nr_wqs > SIM_ACCEL_MAX_WQS || !d->engines ||
			    d->engines > SIM_ACCEL_MAX_ENGINES || !d->groups ||
			    d->groups > SIM_ACCEL_MAX_GROUPS)
				__builtin_trap();
			for (unsigned int w = 0; w < d->nr_wqs; w++) {
				const struct sim_wq_cfg *c = &d->wqs[w].cfg;

				if (!c->size || c->threshold > c->size || c->priority > 15 ||
				    c->group_id < 0 || c->group_id >= (int)d->groups ||
				    !memchr(c->name, '\0', sizeof(c->name)))
					__builtin_trap();
			}
		}
	} else if (ret != -EINVAL || !memchr(err, '\0', sizeof(err)) || !strchr(err, ':')) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char soup[FZ_MAX];
	size_t n = 0;

	fz_init();
	if (!size)
		return 0;
	if (data[0] % 3 == 0) {
		fz_check((const char *)data + 1, size - 1 < FZ_MAX ? size - 1 : FZ_MAX);
		return 0;
	}
	if (data[0] % 3 == 2) {
		fz_check(soup, fz_generate(data + 1, size - 1, soup));
		return 0;
	}
	for (size_t i = 1; i < size; i++) {
		const char *t = fz_tokens[data[i] % (sizeof(fz_tokens) / sizeof(fz_tokens[0]))];
		size_t l = strlen(t);

		if (n + l > FZ_MAX)
			break;
		memcpy(soup + n, t, l);
		n += l;
	}
	fz_check(soup, n);
	return 0;
}

const char *fuzz_target_unavailable(void)
{
	return NULL;
}
