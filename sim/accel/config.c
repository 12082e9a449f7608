// SPDX-License-Identifier: MIT
/*
 * SVART_SIM_CONFIG: the syntax that describes sim's devices, its parser, the default platform,
 * and turning a parsed configuration into configured, enabled devices.
 *
 *   config  := { device ( ';' | newline ) }        '#' starts a comment to the end of the line
 *   device  := ( "dsa" | "iax" ) { blank key '=' value }
 *   keys    := node engines groups version spin_us wq_total enabled wq
 *   wq      := mode ':' size { ':' wqkey '=' value }      (mode: shared | dedicated)
 *   wqkeys  := prio group threshold bof ats_disable prs_disable pasid priv xfer batch name
 *              retries enabled
 *
 * docs/SIM_DEVICES.md ("Device core") documents each key. The parser is strict (unknown keys,
 * duplicates, bad numbers and out-of-range values are errors, reported as "line:column:
 * message"), works on a bounded input without allocating, and never reads past @len.
 */
#include "sim/accel/accel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_FILE_MAX (64 * 1024)
#define CFG_DEFAULT_PRIO 10
#define CFG_DEFAULT_NAME "svart"

/* The default platform, in the syntax it documents. */
static const char cfg_default_text[] = "dsa node=0 engines=1 wq=shared:64 wq=dedicated:32\n"
				       "iax node=0 engines=1 wq=shared:64\n";

struct cfg_pos {
	unsigned int line, col;
};

struct cfg_parser {
	const char *p, *end;
	struct cfg_pos pos;
	char *err;
	size_t errlen;
};

/* A token: text and where it starts. */
struct cfg_tok {
	const char *s;
	size_t n;
	struct cfg_pos pos;
};

__attribute__((format(printf, 3, 4))) static int cfg_error(struct cfg_parser *ps, struct cfg_pos at,
							   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%u:%u: ", at.line, at.col);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void cfg_advance(struct cfg_parser *ps)
{
	if (*ps->p == '\n') {
		ps->pos.line++;
		ps->pos.col = 1;
	} else {
		ps->pos.col++;
	}
	ps->p++;
}

static bool cfg_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool cfg_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Blanks and a comment, not the newline that ends it. */
static void cfg_skip_blanks(struct cfg_parser *ps)
{
	while (ps->p < ps->end) {
		if (cfg_blank(*ps->p)) {
			cfg_advance(ps);
		} else if (*ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				cfg_advance(ps);
		} else {
			break;
		}
	}
}

static bool cfg_at_end_of_device(struct cfg_parser *ps)
{
	return ps->p >= ps->end || *ps->p == ';' || *ps->p == '\n';
}

static void cfg_word(struct cfg_parser *ps, struct cfg_tok *t)
{
	t->s = ps->p;
	t->pos = ps->pos;
	while (ps->p < ps->end && cfg_word_char(*ps->p))
		cfg_advance(ps);
	t->n = (size_t)(ps->p - t->s);
}

/* A value: everything up to a blank, ';', newline or '#'. */
static void cfg_value(struct cfg_parser *ps, struct cfg_tok *t)
{
	t->s = ps->p;
	t->pos = ps->pos;
	while (ps->p < ps->end && !cfg_blank(*ps->p) && *ps->p != ';' && *ps->p != '\n' &&
	       *ps->p != '#')
		cfg_advance(ps);
	t->n = (size_t)(ps->p - t->s);
}

static bool cfg_is(const struct cfg_tok *t, const char *word)
{
	return strlen(word) == t->n && !memcmp(t->s, word, t->n);
}

/* An unsigned number: decimal or 0x hex, optional k/m/g (binary) suffix when @suffix. */
static int cfg_number(struct cfg_parser *ps, const struct cfg_tok *t, bool suffix, uint64_t max,
		      uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	size_t i = 0, n = t->n;
	unsigned int base = 10;

	if (suffix && n > 1) {
		switch (t->s[n - 1]) {
		case 'k':
		case 'K':
			mult = UINT64_C(1) << 10;
			break;
		case 'm':
		case 'M':
			mult = UINT64_C(1) << 20;
			break;
		case 'g':
		case 'G':
			mult = UINT64_C(1) << 30;
			break;
		}
		if (mult != 1)
			n--;
	}
	if (n > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n)
		return cfg_error(ps, t->pos, "'%.*s' is not a number", (int)t->n, t->s);
	for (; i < n; i++) {
		char c = t->s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return cfg_error(ps, t->pos, "'%.*s' is not a number", (int)t->n, t->s);
		if (v > (UINT64_MAX - d) / base)
			return cfg_error(ps, t->pos, "'%.*s' is too large", (int)t->n, t->s);
		v = v * base + d;
	}
	if (v > UINT64_MAX / mult)
		return cfg_error(ps, t->pos, "'%.*s' is too large", (int)t->n, t->s);
	v *= mult;
	if (v > max)
		return cfg_error(ps, t->pos, "%.*s: at most %llu", (int)t->n, t->s,
				 (unsigned long long)max);
	*out = v;
	return 0;
}

static int cfg_range(struct cfg_parser *ps, const struct cfg_tok *t, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	int ret = cfg_number(ps, t, false, max, out);

	if (!ret && *out < min)
		return cfg_error(ps, t->pos, "%.*s: at least %llu", (int)t->n, t->s,
				 (unsigned long long)min);
	return ret;
}

static int cfg_bool(struct cfg_parser *ps, const struct cfg_tok *t, bool *out)
{
	if (cfg_is(t, "0") || cfg_is(t, "1")) {
		*out = t->s[0] == '1';
		return 0;
	}
	return cfg_error(ps, t->pos, "'%.*s': expected 0 or 1", (int)t->n, t->s);
}

/* The shift of the power of two @v rounds up to (the kernel's sysfs rounding). */
static uint8_t cfg_shift_up(uint64_t v)
{
	uint8_t s = 0;

	while ((UINT64_C(1) << s) < v)
		s++;
	return s;
}

/* ---- WQ specs ---- */

enum {
	WK_PRIO,
	WK_GROUP,
	WK_THRESHOLD,
	WK_BOF,
	WK_ATS,
	WK_PRS,
	WK_PASID,
	WK_PRIV,
	WK_XFER,
	WK_BATCH,
	WK_NAME,
	WK_RETRIES,
	WK_ENABLED,
	WK_NR,
};

static const char *const cfg_wq_keys[WK_NR] = {
	[WK_PRIO] = "prio",	  [WK_GROUP] = "group",	    [WK_THRESHOLD] = "threshold",
	[WK_BOF] = "bof",	  [WK_ATS] = "ats_disable", [WK_PRS] = "prs_disable",
	[WK_PASID] = "pasid",	  [WK_PRIV] = "priv",	    [WK_XFER] = "xfer",
	[WK_BATCH] = "batch",	  [WK_NAME] = "name",	    [WK_RETRIES] = "retries",
	[WK_ENABLED] = "enabled",
};

/* Split @v at the next ':' starting at *@off: the field in @f. */
static bool cfg_field(const struct cfg_tok *v, size_t *off, struct cfg_tok *f)
{
	size_t i = *off;

	if (i > v->n)
		return false;
	f->s = v->s + i;
	f->pos = v->pos;
	f->pos.col += (unsigned int)i;
	while (i < v->n && v->s[i] != ':')
		i++;
	f->n = (size_t)(v->s + i - f->s);
	*off = i + 1;
	return true;
}

static int cfg_wq_key(struct cfg_parser *ps, struct sim_accel_dev_spec *d,
		      struct sim_accel_wq_spec *w, unsigned int key, const struct cfg_tok *val,
		      bool *thresh_set)
{
	struct sim_wq_cfg *c = &w->cfg;
	uint64_t v;
	int ret;

	switch (key) {
	case WK_PRIO:
		ret = cfg_range(ps, val, 1, 15, &v);
		c->priority = (uint8_t)v;
		return ret;
	case WK_GROUP:
		ret = cfg_range(ps, val, 0, SIM_ACCEL_MAX_GROUPS - 1, &v);
		c->group_id = (int)v;
		return ret;
	case WK_THRESHOLD:
		*thresh_set = true;
		ret = cfg_range(ps, val, 0, SIM_ACCEL_MAX_WQ_TOTAL, &v);
		c->threshold = (uint32_t)v;
		return ret;
	case WK_BOF:
		return cfg_bool(ps, val, &c->block_on_fault);
	case WK_ATS:
		return cfg_bool(ps, val, &c->ats_disable);
	case WK_PRS:
		return cfg_bool(ps, val, &c->prs_disable);
	case WK_PASID:
		ret = cfg_range(ps, val, 0, IDXD_DESC_PASID_MASK, &v);
		c->pasid = (uint32_t)v;
		c->pasid_en = true;
		return ret;
	case WK_PRIV:
		return cfg_bool(ps, val, &c->priv);
	case WK_XFER:
		ret = cfg_number(ps, val, true, UINT64_C(1) << 31, &v);
		if (!ret && !v)
			ret = cfg_error(ps, val->pos, "xfer: at least 1");
		c->max_xfer_shift = cfg_shift_up(v);
		w->xfer_set = true;
		return ret;
	case WK_BATCH:
		if (d->kind == SIM_ACCEL_IAA)
			return cfg_error(ps, val->pos, "batch: iax has no batch descriptors");
		ret = cfg_range(ps, val, 1, 1024, &v);
		c->max_batch_shift = cfg_shift_up(v);
		w->batch_set = true;
		return ret;
	case WK_NAME:
		if (!val->n || val->n >= SIM_WQ_NAME_MAX)
			return cfg_error(ps, val->pos, "name: 1 to %d characters",
					 SIM_WQ_NAME_MAX - 1);
		for (size_t i = 0; i < val->n; i++)
			if (!cfg_word_char(val->s[i]) && val->s[i] != '-' && val->s[i] != '.')
				return cfg_error(ps, val->pos,
						 "name: letters, digits, '_', '-' and '.' only");
		memcpy(c->name, val->s, val->n);
		c->name[val->n] = '\0';
		return 0;
	case WK_RETRIES:
		ret = cfg_range(ps, val, 0, SIM_WQ_MAX_RETRIES, &v);
		c->enqcmds_retries = (uint32_t)v;
		return ret;
	default:
		return cfg_bool(ps, val, &w->enabled);
	}
}

static int cfg_wq(struct cfg_parser *ps, struct sim_accel_dev_spec *d, const struct cfg_tok *val)
{
	struct sim_accel_wq_spec *w;
	struct cfg_tok f, k;
	unsigned int seen = 0;
	bool thresh_set = false;
	size_t off = 0;
	uint64_t v;
	int ret;

	if (d->nr_wqs == SIM_ACCEL_MAX_WQS)
		return cfg_error(ps, val->pos, "too many WQs (at most %d)", SIM_ACCEL_MAX_WQS);
	w = &d->wqs[d->nr_wqs];
	memset(w, 0, sizeof(*w));
	w->enabled = true;
	w->pos_line = val->pos.line;
	w->pos_col = val->pos.col;
	w->cfg.priority = CFG_DEFAULT_PRIO;
	w->cfg.group_id = 0;
	w->cfg.type = SIM_WQ_TYPE_USER;
	w->cfg.enqcmds_retries = SIM_WQ_DEFAULT_RETRIES;
	strcpy(w->cfg.name, CFG_DEFAULT_NAME);

	cfg_field(val, &off, &f);
	if (cfg_is(&f, "shared"))
		w->cfg.mode = SIM_WQ_SHARED;
	else if (cfg_is(&f, "dedicated"))
		w->cfg.mode = SIM_WQ_DEDICATED;
	else
		return cfg_error(ps, f.pos, "wq: '%.*s' is not a mode (shared, dedicated)",
				 (int)f.n, f.s);
	if (!cfg_field(val, &off, &f))
		return cfg_error(ps, val->pos, "wq: expected mode:size");
	ret = cfg_range(ps, &f, 1, SIM_ACCEL_MAX_WQ_TOTAL, &v);
	if (ret)
		return ret;
	w->cfg.size = (uint32_t)v;

	while (cfg_field(val, &off, &f)) {
		unsigned int key;
		const char *eq = memchr(f.s, '=', f.n);

		if (!eq || eq == f.s)
			return cfg_error(ps, f.pos, "wq: expected key=value, got '%.*s'", (int)f.n,
					 f.s);
		k = f;
		k.n = (size_t)(eq - f.s);
		f.s = eq + 1;
		f.n -= k.n + 1;
		f.pos.col += (unsigned int)k.n + 1;
		for (key = 0; key < WK_NR && !cfg_is(&k, cfg_wq_keys[key]); key++)
			;
		if (key == WK_NR)
			return cfg_error(ps, k.pos, "wq: unknown key '%.*s'", (int)k.n, k.s);
		if (seen & (1u << key))
			return cfg_error(ps, k.pos, "wq: '%s' given twice", cfg_wq_keys[key]);
		seen |= 1u << key;
		if (!f.n)
			return cfg_error(ps, f.pos, "wq: missing value for '%s'", cfg_wq_keys[key]);
		ret = cfg_wq_key(ps, d, w, key, &f, &thresh_set);
		if (ret)
			return ret;
	}

	if (w->cfg.mode == SIM_WQ_SHARED) {
		if (!thresh_set)
			w->cfg.threshold = w->cfg.size;
		if (w->cfg.threshold > w->cfg.size)
			return cfg_error(ps, val->pos, "wq: threshold %u exceeds size %u",
					 w->cfg.threshold, w->cfg.size);
		if (w->cfg.pasid_en)
			return cfg_error(ps, val->pos,
					 "wq: pasid applies to dedicated WQs (shared WQs take the "
					 "submitter's)");
	} else if (thresh_set) {
		return cfg_error(ps, val->pos, "wq: threshold applies to shared WQs");
	}
	if (w->cfg.block_on_fault && w->cfg.prs_disable)
		return cfg_error(ps, val->pos, "wq: bof needs page requests (prs_disable=0)");
	d->nr_wqs++;
	return 0;
}

/* ---- Devices ---- */

enum {
	DK_NODE,
	DK_ENGINES,
	DK_GROUPS,
	DK_VERSION,
	DK_SPIN,
	DK_TOTAL,
	DK_ENABLED,
	DK_NR,
};

static const char *const cfg_dev_keys[DK_NR] = {
	[DK_NODE] = "node",	  [DK_ENGINES] = "engines", [DK_GROUPS] = "groups",
	[DK_VERSION] = "version", [DK_SPIN] = "spin_us",    [DK_TOTAL] = "wq_total",
	[DK_ENABLED] = "enabled",
};

static int cfg_dev_key(struct cfg_parser *ps, struct sim_accel_dev_spec *d, unsigned int key,
		       const struct cfg_tok *val)
{
	uint64_t v;
	int ret;

	switch (key) {
	case DK_NODE:
		if (cfg_is(val, "-1")) {
			d->node = -1;
			return 0;
		}
		ret = cfg_range(ps, val, 0, 1023, &v);
		d->node = (int)v;
		return ret;
	case DK_ENGINES:
		ret = cfg_range(ps, val, 1, SIM_ACCEL_MAX_ENGINES, &v);
		d->engines = (unsigned int)v;
		return ret;
	case DK_GROUPS:
		ret = cfg_range(ps, val, 1, SIM_ACCEL_MAX_GROUPS, &v);
		d->groups = (unsigned int)v;
		return ret;
	case DK_VERSION:
		ret = cfg_range(ps, val, 1, 2, &v);
		d->version = (unsigned int)v;
		return ret;
	case DK_SPIN:
		ret = cfg_range(ps, val, 0, 1000000, &v);
		d->spin_us = (unsigned int)v;
		return ret;
	case DK_TOTAL:
		ret = cfg_range(ps, val, 1, SIM_ACCEL_MAX_WQ_TOTAL, &v);
		d->total_wq_size = (unsigned int)v;
		return ret;
	default:
		return cfg_bool(ps, val, &d->enabled);
	}
}

static int cfg_device(struct cfg_parser *ps, struct sim_accel_config *out)
{
	struct sim_accel_dev_spec *d;
	struct cfg_tok type, key, val;
	unsigned int seen = 0;
	int ret;

	cfg_word(ps, &type);
	if (!type.n)
		return cfg_error(ps, type.pos, "expected a device type (dsa, iax), got '%c'",
				 *ps->p);
	if (out->nr_devs == SIM_ACCEL_CFG_MAX_DEVS)
		return cfg_error(ps, type.pos, "too many devices (at most %d)",
				 SIM_ACCEL_CFG_MAX_DEVS);
	d = &out->devs[out->nr_devs];
	memset(d, 0, sizeof(*d));
	if (cfg_is(&type, "dsa"))
		d->kind = SIM_ACCEL_DSA;
	else if (cfg_is(&type, "iax") || cfg_is(&type, "iaa"))
		d->kind = SIM_ACCEL_IAA;
	else
		return cfg_error(ps, type.pos, "unknown device type '%.*s' (dsa, iax)", (int)type.n,
				 type.s);
	d->node = 0;
	d->version = 1;
	d->engines = 1;
	d->groups = 1;
	d->spin_us = ACCEL_DEFAULT_SPIN_US;
	d->enabled = true;
	d->line = type.pos.line;

	for (;;) {
		unsigned int k;

		cfg_skip_blanks(ps);
		if (cfg_at_end_of_device(ps))
			break;
		if (ps->p == type.s + type.n)
			return cfg_error(ps, ps->pos, "expected a blank after '%.*s'", (int)type.n,
					 type.s);
		cfg_word(ps, &key);
		if (!key.n || ps->p >= ps->end || *ps->p != '=') {
			cfg_value(ps, &val);
			return cfg_error(ps, key.pos, "expected key=value, got '%.*s'",
					 (int)(val.s + val.n - key.s), key.s);
		}
		cfg_advance(ps);
		cfg_value(ps, &val);
		if (!val.n)
			return cfg_error(ps, val.pos, "missing value for '%.*s'", (int)key.n,
					 key.s);
		if (cfg_is(&key, "wq")) {
			ret = cfg_wq(ps, d, &val);
			if (ret)
				return ret;
			continue;
		}
		for (k = 0; k < DK_NR && !cfg_is(&key, cfg_dev_keys[k]); k++)
			;
		if (k == DK_NR)
			return cfg_error(ps, key.pos, "unknown key '%.*s'", (int)key.n, key.s);
		if (seen & (1u << k))
			return cfg_error(ps, key.pos, "'%s' given twice", cfg_dev_keys[k]);
		seen |= 1u << k;
		ret = cfg_dev_key(ps, d, k, &val);
		if (ret)
			return ret;
	}

	for (unsigned int i = 0; i < d->nr_wqs; i++) {
		struct sim_accel_wq_spec *w = &d->wqs[i];

		if (!d->enabled)
			w->enabled = false;
		if (w->cfg.group_id >= (int)d->groups) {
			struct cfg_pos at = { w->pos_line, w->pos_col };

			return cfg_error(ps, at, "wq: group %d, but the device has groups=%u",
					 w->cfg.group_id, d->groups);
		}
	}
	out->nr_devs++;
	return 0;
}

int sim_accel_config_parse(const char *text, size_t len, struct sim_accel_config *out, char *err,
			   size_t errlen)
{
	struct cfg_parser ps = {
		.p = text,
		.end = text + len,
		.pos = { 1, 1 },
		.err = err,
		.errlen = errlen,
	};
	int ret;

	if (err && errlen)
		err[0] = '\0';
	out->nr_devs = 0;
	while (ps.p < ps.end) {
		cfg_skip_blanks(&ps);
		if (ps.p >= ps.end)
			break;
		if (*ps.p == ';' || *ps.p == '\n') {
			cfg_advance(&ps);
			continue;
		}
		ret = cfg_device(&ps, out);
		if (ret) {
			out->nr_devs = 0;
			return ret;
		}
	}
	return 0;
}

void sim_accel_config_default(struct sim_accel_config *out)
{
	/* Cannot fail: tests/sim_accel_config.c parses the same text. */
	sim_accel_config_parse(cfg_default_text, sizeof(cfg_default_text) - 1, out, NULL, 0);
}

const char *sim_accel_config_default_text(void)
{
	return cfg_default_text;
}

static int cfg_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = -errno;
	if (fstat(fd, &st))
		goto out_close;
	ret = -EFBIG;
	if (st.st_size > CFG_FILE_MAX)
		goto out_close;
	ret = -ENOMEM;
	buf = malloc(CFG_FILE_MAX + 1);
	if (!buf)
		goto out_close;
	for (;;) {
		ssize_t n = read(fd, buf + got, CFG_FILE_MAX + 1 - got);

		if (n < 0) {
			ret = -errno;
			free(buf);
			goto out_close;
		}
		if (!n)
			break;
		got += (size_t)n;
		if (got > CFG_FILE_MAX) {
			ret = -EFBIG;
			free(buf);
			goto out_close;
		}
	}
	*text = buf;
	*len = got;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

int sim_accel_config_load(const char *value, struct sim_accel_config *out, char *err, size_t errlen)
{
	const char *source = "SVART_SIM_CONFIG";
	char msg[256];
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!value) {
		sim_accel_config_default(out);
		return 0;
	}
	if (value[0] == '@') {
		source = value + 1;
		ret = cfg_read_file(source, &text, &len);
		if (ret) {
			if (err && errlen)
				snprintf(err, errlen, "%s: cannot read (%s)", source,
					 ret == -EFBIG ? "larger than 64 KiB" : strerror(-ret));
			return ret;
		}
		ret = sim_accel_config_parse(text, len, out, msg, sizeof(msg));
		free(text);
	} else {
		ret = sim_accel_config_parse(value, strlen(value), out, msg, sizeof(msg));
	}
	if (ret && err && errlen)
		snprintf(err, errlen, "%s:%s", source, msg);
	return ret;
}

/* ---- Applying a configuration ---- */

__attribute__((format(printf, 4, 5))) static int cfg_apply_err(char *err, size_t errlen, int ret,
							       const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int cfg_apply_dev(const struct sim_accel_dev_spec *d,
			 const struct sim_accel_dma_provider *dma, struct sim_accel_dev **out,
			 char *err, size_t errlen)
{
	const struct sim_accel_type *type = sim_accel_type_get(d->kind);
	struct sim_accel_dev_params p = {
		.type = type,
		.node = d->node,
		.spin_us = d->spin_us ? d->spin_us : SIM_ACCEL_SPIN_NONE,
	};
	struct sim_accel_caps caps;
	const struct sim_dma_ops *ops;
	struct sim_accel_dev *dev;
	void *priv;
	int ret;

	ret = sim_accel_caps_for_version(type, d->version, &caps);
	if (ret)
		return cfg_apply_err(err, errlen, ret, "line %u: version %u", d->line, d->version);
	/* A configuration may ask for more than the default part has. */
	if (d->groups > caps.grpcap.num_groups)
		caps.grpcap.num_groups = d->groups;
	if (d->engines > caps.engcap.num_engines)
		caps.engcap.num_engines = d->engines;
	if (d->nr_wqs > caps.wqcap.num_wqs)
		caps.wqcap.num_wqs = d->nr_wqs;
	if (d->total_wq_size)
		caps.wqcap.total_wq_size = d->total_wq_size;
	p.caps = &caps;
	ret = sim_accel_dev_create(&p, &dev);
	if (ret)
		return cfg_apply_err(err, errlen, ret, "line %u: cannot create a %s device (%s)",
				     d->line, type->prefix, strerror(-ret));
	if (dma) {
		ret = dma->attach(dev, &ops, &priv);
		if (ret) {
			cfg_apply_err(err, errlen, ret, "line %u: %s: translation backend: %s",
				      d->line, sim_accel_dev_name(dev), strerror(-ret));
			sim_accel_dev_destroy(dev);
			return ret;
		}
		sim_accel_dev_set_dma(dev, ops, priv);
	}
	*out = dev;

	for (unsigned int i = 0; i < d->engines; i++) {
		ret = sim_engine_set_group(dev, i, (int)(i % d->groups));
		if (ret)
			return cfg_apply_err(err, errlen, ret, "line %u: %s: engine %u: %s",
					     d->line, dev->name, i, strerror(-ret));
	}
	for (unsigned int i = 0; i < d->nr_wqs; i++) {
		const struct sim_accel_wq_spec *w = &d->wqs[i];
		struct sim_wq_cfg c;

		sim_wq_config_get(dev->wqs[i], &c);
		c.size = w->cfg.size;
		c.threshold = w->cfg.threshold;
		c.group_id = w->cfg.group_id;
		c.mode = w->cfg.mode;
		c.priority = w->cfg.priority;
		c.block_on_fault = w->cfg.block_on_fault;
		c.ats_disable = w->cfg.ats_disable;
		c.prs_disable = w->cfg.prs_disable;
		c.pasid = w->cfg.pasid;
		c.pasid_en = w->cfg.pasid_en;
		c.priv = w->cfg.priv;
		if (w->xfer_set)
			c.max_xfer_shift = w->cfg.max_xfer_shift;
		if (w->batch_set)
			c.max_batch_shift = w->cfg.max_batch_shift;
		c.type = w->cfg.type;
		memcpy(c.name, w->cfg.name, sizeof(c.name));
		c.enqcmds_retries = w->cfg.enqcmds_retries;
		ret = sim_wq_config_set(dev->wqs[i], &c);
		if (ret)
			return cfg_apply_err(err, errlen, ret, "%u:%u: %s wq%d.%u: %s", w->pos_line,
					     w->pos_col, dev->name, dev->id, i,
					     ret == -EOPNOTSUPP ?
						     "not supported by this device version" :
						     "value out of the device's range");
	}
	if (!d->enabled)
		return 0;
	ret = sim_accel_dev_enable(dev);
	if (ret)
		return cfg_apply_err(
			err, errlen, ret, "line %u: %s: ENABLE_DEVICE failed, CMDSTS %#x%s",
			d->line, dev->name, sim_accel_dev_cmdsts(dev),
			(sim_accel_dev_cmdsts(dev) & 0xff) == IDXD_CMDSTS_ERR_WQ_SIZE_ERANGE ?
				" (WQ sizes exceed wq_total)" :
			(sim_accel_dev_cmdsts(dev) & 0xff) == IDXD_CMDSTS_ERR_GRP_CONFIG ?
				" (a WQ's group has no engine)" :
				"");
	for (unsigned int i = 0; i < d->nr_wqs; i++) {
		if (!d->wqs[i].enabled)
			continue;
		ret = sim_wq_enable(dev->wqs[i]);
		if (ret)
			return cfg_apply_err(err, errlen, ret,
					     "%u:%u: %s wq%d.%u: ENABLE_WQ failed, CMDSTS %#x",
					     d->wqs[i].pos_line, d->wqs[i].pos_col, dev->name,
					     dev->id, i, sim_accel_dev_cmdsts(dev));
	}
	return 0;
}

void sim_accel_config_unapply(const struct sim_accel_dma_provider *dma, struct sim_accel_dev **devs,
			      unsigned int n)
{
	while (n--) {
		struct sim_accel_dev *dev = devs[n];

		if (!dev)
			continue;
		if (sim_accel_dev_enabled(dev))
			sim_accel_dev_disable(dev);
		if (dma)
			dma->detach(dev, dev->dma_priv);
		sim_accel_dev_destroy(dev);
		devs[n] = NULL;
	}
}

int sim_accel_config_apply(const struct sim_accel_config *cfg,
			   const struct sim_accel_dma_provider *dma, struct sim_accel_dev **devs,
			   char *err, size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	for (unsigned int i = 0; i < cfg->nr_devs; i++) {
		devs[i] = NULL;
		ret = cfg_apply_dev(&cfg->devs[i], dma, &devs[i], err, errlen);
		if (ret) {
			sim_accel_config_unapply(dma, devs, i + 1);
			return ret;
		}
	}
	return 0;
}
