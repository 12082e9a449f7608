// SPDX-License-Identifier: MIT
/*
 * Contexts: options (caller, environment, defaults), platform choice, the WQ table, statistics.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API SVART_API

static const char *const plat_names[] = {
	[SVART_PLATFORM_AUTO] = "auto", [SVART_PLATFORM_SIM] = "sim",
	[SVART_PLATFORM_IDXD] = "idxd", [SVART_PLATFORM_VFIO] = "vfio",
	[SVART_PLATFORM_CPU] = "cpu",
};

API const char *svart_platform_name(enum svart_platform p)
{
	if ((unsigned int)p < sizeof(plat_names) / sizeof(plat_names[0]))
		return plat_names[p];
	return "unknown";
}

/* ---- logging ------------------------------------------------------------------------------ */

static int log_level = -1;

int rt_log_level(void)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	const char *e;
	int lvl = RT_LOG_WARN;

	if (__atomic_load_n(&log_level, __ATOMIC_RELAXED) >= 0)
		return log_level;
	e = getenv("SVART_LOG");
	if (e) {
		for (int i = 0; i < 4; i++)
			if (!strcasecmp(e, names[i]))
				lvl = i;
	}
	__atomic_store_n(&log_level, lvl, __ATOMIC_RELAXED);
	return lvl;
}

void rt_log(int level, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };
	char buf[512];
	va_list ap;

	if (level > rt_log_level())
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "svart: %s: %s\n", tags[level], buf);
}

void rt_ctx_explain(struct svart_ctx *ctx, const char *fmt, ...)
{
	size_t used = strlen(ctx->why);
	va_list ap;

	if (used >= sizeof(ctx->why) - 2)
		return;
	if (used)
		ctx->why[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(ctx->why + used, sizeof(ctx->why) - used, fmt, ap);
	va_end(ap);
}

/* ---- options ------------------------------------------------------------------------------ */

/* A number from the environment: 0 and *@out set, 1 when unset, -EINVAL when malformed. */
static int env_u32(const char *name, uint32_t *out)
{
	const char *e = getenv(name);
	unsigned long long v;
	char *end;

	if (!e || !*e)
		return 1;
	errno = 0;
	v = strtoull(e, &end, 0);
	if (errno || end == e || v > UINT32_MAX) {
		rt_log(RT_LOG_ERROR, "%s=\"%s\": not a number", name, e);
		return -EINVAL;
	}
	/* K/M suffixes for sizes. */
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v > UINT32_MAX) {
		rt_log(RT_LOG_ERROR, "%s=\"%s\": not a number", name, e);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int env_bool(const char *name, bool *out)
{
	uint32_t v;
	int ret = env_u32(name, &v);

	if (!ret) {
		if (v > 1) {
			rt_log(RT_LOG_ERROR, "%s: 0 or 1", name);
			return -EINVAL;
		}
		*out = v;
	}
	return ret < 0 ? ret : 0;
}

static int env_platform(enum svart_platform *out)
{
	const char *e = getenv("SVART_PLATFORM");

	if (!e || !*e)
		return 0;
	for (unsigned int i = 0; i < sizeof(plat_names) / sizeof(plat_names[0]); i++) {
		if (!strcasecmp(e, plat_names[i])) {
			*out = i;
			return 0;
		}
	}
	rt_log(RT_LOG_ERROR, "SVART_PLATFORM=\"%s\": one of auto, sim, idxd, vfio, cpu", e);
	return -EINVAL;
}

int rt_opts_resolve(const struct svart_ctx_opts *in, struct rt_opts *o)
{
	struct svart_ctx_opts def = { .size = sizeof(def) };
	const char *e;
	bool b;
	int ret;

	if (!in)
		in = &def;
	/* Fields past what the caller's struct has read as zero (defaults). */
	if (in->size < offsetof(struct svart_ctx_opts, flags) + sizeof(in->flags))
		return -EINVAL;
	memset(o, 0, sizeof(*o));
#define OPT(field) \
	(in->size >= offsetof(struct svart_ctx_opts, field) + sizeof(in->field) ? in->field : 0)
	o->platform = in->platform;
	o->flags = in->flags;
	o->cpu_threshold = OPT(cpu_threshold);
	o->fault_retries = OPT(fault_retries);
	o->enqcmd_retries = OPT(enqcmd_retries);
	e = in->size >= offsetof(struct svart_ctx_opts, devices) + sizeof(in->devices) ?
		    in->devices :
		    NULL;
#undef OPT
	if (o->flags & ~SVART_CTX_FLAGS_ALL || (unsigned int)o->platform > SVART_PLATFORM_CPU)
		return -EINVAL;
	if (o->platform == SVART_PLATFORM_AUTO && (ret = env_platform(&o->platform)))
		return ret;
	if (!o->cpu_threshold && (ret = env_u32("SVART_CPU_THRESHOLD", &o->cpu_threshold)) < 0)
		return ret;
	if (!o->fault_retries && (ret = env_u32("SVART_FAULT_RETRIES", &o->fault_retries)) < 0)
		return ret;
	if (!o->enqcmd_retries && (ret = env_u32("SVART_ENQCMD_RETRIES", &o->enqcmd_retries)) < 0)
		return ret;
	if ((ret = env_u32("SVART_FAULT_WINDOW", &o->fault_window)) < 0)
		return ret;
	if ((ret = env_bool("SVART_BLOCK_ON_FAULT", &o->block_on_fault)))
		return ret;
	b = true;
	if ((ret = env_bool("SVART_FALLBACK", &b)))
		return ret;
	if (!b)
		o->flags |= SVART_CTX_NO_FALLBACK;
	b = false;
	if ((ret = env_bool("SVART_FAULT_THREAD", &b)))
		return ret;
	if (b)
		o->flags |= SVART_CTX_FAULT_THREAD;
	if (!e)
		e = getenv("SVART_DEVICES");
	if (e) {
		if (strlen(e) >= sizeof(o->devices))
			return -EINVAL;
		strcpy(o->devices, e);
	}
	if (!o->fault_retries)
		o->fault_retries = RT_DEF_FAULT_RETRIES;
	if (!o->enqcmd_retries)
		o->enqcmd_retries = RT_DEF_ENQCMD_RETRIES;
	if (!o->fault_window)
		o->fault_window = RT_DEF_FAULT_WINDOW;
	o->fault_window = (o->fault_window + 4095) & ~4095u;
	o->log_level = rt_log_level();
	return 0;
}

/* ---- WQs ---------------------------------------------------------------------------------- */

/* Whether @name is allowed by the devices filter ("dsa0,iax1"): its device part matches. */
static bool ctx_wants(const struct svart_ctx *ctx, const char *wq_name)
{
	const char *f = ctx->opts.devices, *slash = strchr(wq_name, '/');
	size_t dev_len = slash ? (size_t)(slash - wq_name) : strlen(wq_name);

	if (!*f)
		return true;
	while (*f) {
		size_t n = strcspn(f, ",");

		if ((n == dev_len && !strncmp(f, wq_name, n)) ||
		    (n == strlen(wq_name) && !strncmp(f, wq_name, n)))
			return true;
		f += n;
		if (*f == ',')
			f++;
	}
	return false;
}

int rt_ctx_add_wq(struct svart_ctx *ctx, struct rt_wq *wq)
{
	if (!ctx_wants(ctx, wq->name)) {
		rt_log(RT_LOG_DEBUG, "%s: not in the devices list", wq->name);
		return -ENOENT;
	}
	if (ctx->nr_wqs == RT_MAX_WQS)
		return -ENOSPC;
	wq->ctx = ctx;
	if (wq->dedicated)
		enq_credits_init(&wq->credits, wq->size);
	ctx->wqs[ctx->nr_wqs++] = wq;
	ctx->nr_unit[wq->unit]++;
	ctx->generation++;
	return 0;
}

/* ---- create / destroy --------------------------------------------------------------------- */

static const struct rt_platform_ops *plat_ops(enum svart_platform p)
{
	switch (p) {
	case SVART_PLATFORM_SIM:
		return &rt_platform_sim;
	case SVART_PLATFORM_IDXD:
		return &rt_platform_idxd;
	case SVART_PLATFORM_VFIO:
		return &rt_platform_vfio;
	case SVART_PLATFORM_CPU:
		return &rt_platform_cpu;
	default:
		return NULL;
	}
}

static void ctx_drop_wqs(struct svart_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nr_wqs; i++)
		free(ctx->wqs[i]);
	ctx->nr_wqs = 0;
	memset(ctx->nr_unit, 0, sizeof(ctx->nr_unit));
}

/* Try one platform; on failure leave ctx as it was (apart from why). */
static int ctx_try(struct svart_ctx *ctx, enum svart_platform p)
{
	const struct rt_platform_ops *ops = plat_ops(p);
	int ret;

	ctx->ops = ops;
	ctx->path = ops->path;
	ret = ops->open(ctx);
	if (!ret && !ctx->nr_wqs && p != SVART_PLATFORM_CPU) {
		rt_ctx_explain(ctx, "%s: no usable work queue.", ops->name);
		ops->close(ctx);
		ret = -ENODEV;
	}
	if (ret) {
		ctx_drop_wqs(ctx);
		ctx->ops = NULL;
		ctx->plat = NULL;
	}
	return ret;
}

API int svart_ctx_create(const struct svart_ctx_opts *opts, struct svart_ctx **out)
{
	static const enum svart_platform order[] = { SVART_PLATFORM_IDXD, SVART_PLATFORM_SIM };
	struct svart_ctx *ctx;
	struct rt_opts o;
	int ret;

	if (!out)
		return -EINVAL;
	ret = rt_opts_resolve(opts, &o);
	if (ret)
		return ret;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	static atomic_uint_fast64_t ctx_ids;

	ctx->opts = o;
	ctx->id = atomic_fetch_add(&ctx_ids, 1) + 1;
	pthread_mutex_init(&ctx->lock, NULL);
	if (o.platform != SVART_PLATFORM_AUTO) {
		ret = ctx_try(ctx, o.platform);
	} else {
		ret = -ENODEV;
		for (unsigned int i = 0; ret && i < sizeof(order) / sizeof(order[0]); i++)
			ret = ctx_try(ctx, order[i]);
	}
	if (ret) {
		rt_log(RT_LOG_INFO, "no platform: %s", ctx->why);
		goto err_free;
	}
	/* 0: the platform's default, per unit (the option means one value for every unit). */
	for (unsigned int u = 0; u < RT_UNIT_NR; u++)
		ctx->cpu_threshold[u] =
			o.cpu_threshold ? o.cpu_threshold : ctx->ops->cpu_threshold[u];
	rt_ctx_explain(ctx, "Using %s with %u DSA and %u IAA work queue%s.", ctx->ops->name,
		       ctx->nr_unit[RT_UNIT_DSA], ctx->nr_unit[RT_UNIT_IAA],
		       ctx->nr_wqs == 1 ? "" : "s");
	rt_log(RT_LOG_INFO, "%s", ctx->why);
	*out = ctx;
	return 0;

err_free:
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
	return ret == -EINVAL ? -EINVAL : ret;
}

API void svart_ctx_destroy(struct svart_ctx *ctx)
{
	if (!ctx)
		return;
	rt_cq_ctx_destroy(ctx);
	ctx->ops->close(ctx);
	ctx_drop_wqs(ctx);
	free(ctx->iaa_fixed_aecs);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

API enum svart_platform svart_ctx_platform(const struct svart_ctx *ctx)
{
	return ctx ? ctx->ops->platform : SVART_PLATFORM_AUTO;
}

API const char *svart_ctx_describe(const struct svart_ctx *ctx)
{
	return ctx ? ctx->why : "";
}

API int svart_ctx_stats(struct svart_ctx *ctx, struct svart_stats *out)
{
	struct svart_stats s;
	uint32_t size;

	if (!ctx || !out || out->size < sizeof(out->size))
		return -EINVAL;
	size = out->size < sizeof(s) ? out->size : sizeof(s);
	memset(&s, 0, sizeof(s));
	s.size = size;
	for (int p = 0; p < SVART_PATH_MAX; p++) {
		s.path[p].ops = atomic_load(&ctx->stats.ops[p]);
		s.path[p].bytes = atomic_load(&ctx->stats.bytes[p]);
	}
	s.descriptors = atomic_load(&ctx->stats.descriptors);
	s.page_faults = atomic_load(&ctx->stats.page_faults);
	s.page_requests = atomic_load(&ctx->stats.page_requests);
	s.enqcmd_retries = atomic_load(&ctx->stats.enqcmd_retries);
	s.cpu_fallbacks = atomic_load(&ctx->stats.cpu_fallbacks);
	s.errors = atomic_load(&ctx->stats.errors);
	memcpy(out, &s, size);
	return 0;
}

API int svart_as_prefault(struct svart_ctx *ctx, const void *addr, size_t len, int write)
{
	if (!ctx || (!addr && len) || len > SIZE_MAX / 2)
		return !ctx || !addr ? -EINVAL : -EOVERFLOW;
	if (!len)
		return 0;
	return ctx->ops->prefault(ctx, NULL, addr, len, write);
}

API int svart_as_invalidate(struct svart_ctx *ctx, const void *addr, size_t len)
{
	if (!ctx || (!addr && len) || len > SIZE_MAX / 2)
		return !ctx || !addr ? -EINVAL : -EOVERFLOW;
	if (!len)
		return 0;
	return ctx->ops->invalidate(ctx, addr, len);
}
