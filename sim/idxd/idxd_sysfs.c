// SPDX-License-Identifier: MIT
/*
 * The idxd sysfs attributes of sim's devices: names, visibility, the text each show routine
 * emits and the rules each store applies, as drivers/dma/idxd/sysfs.c does in Linux 6.12 (with
 * the kernel's vsprintf conventions: "%#x" of 0 is "0x0", bitmaps as comma-separated 32-bit
 * words, most significant first). Stores parse their input the way kstrto*() do.
 *
 * Everything here runs with idxd_lock() held (the public entry points at the end take it).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/idxd.h>

#include "sim/idxd/idxd_private.h"

#define KW(n) (&(n)->kd->wqs[(n)->sub])
#define KG(n) (&(n)->kd->groups[(n)->sub])

/* ---- Emitting ---- */

static ssize_t __attribute__((format(printf, 3, 4)))
emit(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EIO;
	return (size_t)n >= len ? (ssize_t)len - 1 : n;
}

/* "%*pb" of a 256-bit map: eight 32-bit words, most significant first. */
static ssize_t emit_bitmap(char *buf, size_t len, const uint64_t bits[4])
{
	size_t n = 0;

	for (int w = 7; w >= 0; w--) {
		uint32_t word = (uint32_t)(bits[w / 2] >> (32 * (w % 2)));
		ssize_t r = emit(buf + n, len - n, "%08x%s", word, w ? "," : "\n");

		if (r < 0)
			return r;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* ---- Parsing, as kstrto*() ---- */

static int k_strtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	bool any = false;

	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0' && tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2]))
			base = 16;
		else if (s[0] == '0')
			base = 8;
		else
			base = 10;
	}
	if (base == 16 && s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
		s += 2;
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

static int k_strtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int ret;

	if (*s == '-') {
		ret = k_strtoull(s + 1, base, &v);
		if (ret)
			return ret;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*res = (long long)(0 - v);
		return 0;
	}
	ret = k_strtoull(s, base, &v);
	if (ret)
		return ret;
	if (v > LLONG_MAX)
		return -ERANGE;
	*res = (long long)v;
	return 0;
}

static int k_strtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = k_strtoull(s, base, &v);

	if (ret)
		return ret;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

static int k_strtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int ret = k_strtoll(s, base, &v);

	if (ret)
		return ret;
	if (v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	*res = (int)v;
	return 0;
}

static int k_strtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'e':
	case 'E':
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*res = true;
		return 0;
	case 'd':
	case 'D':
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*res = false;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* sysfs_streq(): equal but for one trailing newline on either side. */
static bool k_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (!*a && *b == '\n' && !b[1])
		return true;
	return !*b && *a == '\n' && !a[1];
}

/* strim() into @out (at most @size - 1 characters kept). */
static void k_strim_copy(char *out, size_t size, const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* bitmap_parse() of a 256-bit map: comma-separated 32-bit hex words, least significant last. */
static int k_bitmap_parse(const char *s, uint64_t bits[4])
{
	const char *end = s + strlen(s);
	unsigned int word = 0;

	memset(bits, 0, 4 * sizeof(bits[0]));
	if (end > s && end[-1] == '\n')
		end--;
	if (end == s)
		return 0;
	while (end > s) {
		const char *start = end;
		uint32_t v = 0;

		while (start > s && start[-1] != ',')
			start--;
		if (start == end)
			return -EINVAL;
		if (end - start > 8)
			return -EOVERFLOW;
		for (const char *p = start; p < end; p++) {
			if (!isxdigit((unsigned char)*p))
				return -EINVAL;
			v = v << 4 | (uint32_t)(isdigit((unsigned char)*p) ?
							*p - '0' :
							tolower((unsigned char)*p) - 'a' + 10);
		}
		if (word >= 8) {
			if (v)
				return -EOVERFLOW;
		} else {
			bits[word / 2] |= (uint64_t)v << (32 * (word % 2));
		}
		word++;
		end = start > s ? start - 1 : s;
		if (start > s && end == s)
			return -EINVAL; /* a leading comma */
	}
	return 0;
}

/* ---- Helpers ---- */

static bool dev_enabled(const struct idxd_node *n)
{
	return sim_accel_dev_enabled(n->kd->hw);
}

static bool wq_disabled(const struct idxd_node *n)
{
	return sim_wq_state(KW(n)->hw) == SIM_WQ_STATE_DISABLED;
}

static bool is_dsa(const struct idxd_node *n)
{
	return !n->kd->iaa;
}

static unsigned int free_rdbufs(const struct idxd_kdev *kd)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < kd->nr_groups; i++)
		used += kd->groups[i].rdbufs_reserved;
	return used >= kd->caps->grpcap.total_rdbufs ? 0 : kd->caps->grpcap.total_rdbufs - used;
}

/* ---- Device attributes ---- */

static ssize_t dev_version_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "0x%x\n", n->kd->caps->version);
}

static ssize_t dev_max_groups_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->nr_groups);
}

static ssize_t dev_max_wqs_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->nr_wqs);
}

static ssize_t dev_max_wqs_size_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", (unsigned int)n->kd->caps->wqcap.total_wq_size);
}

static ssize_t dev_max_engines_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->nr_engines);
}

static ssize_t dev_numa_node_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", sim_accel_dev_node(n->kd->hw));
}

static ssize_t dev_max_batch_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", 1u << n->kd->caps->gencap.max_batch_shift);
}

static ssize_t dev_max_xfer_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%llu\n", 1ull << n->kd->caps->gencap.max_xfer_shift);
}

static ssize_t dev_op_cap_show(const struct idxd_node *n, char *buf, size_t len)
{
	uint64_t bits[4];

	memcpy(bits, n->kd->caps->opcap.bits, sizeof(bits));
	/* 6.9.1+: BATCH is hidden where user submission is not safe (every device today). */
	if (is_dsa(n))
		bits[0] &= ~(UINT64_C(1) << DSA_OPCODE_BATCH);
	return emit_bitmap(buf, len, bits);
}

static ssize_t dev_gen_cap_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "0x%llx\n", (unsigned long long)n->kd->caps->gencap.bits);
}

static ssize_t dev_configurable_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->configurable ? 1u : 0u);
}

static ssize_t dev_clients_show(const struct idxd_node *n, char *buf, size_t len)
{
	int c = 0;

	for (unsigned int i = 0; i < n->kd->nr_wqs; i++)
		c += n->kd->wqs[i].clients;
	return emit(buf, len, "%d\n", c);
}

static ssize_t dev_pasid_enabled_show(const struct idxd_node *n, char *buf, size_t len)
{
	/* device_user_pasid_enabled(): sim's IOMMU always does SVA. */
	return emit(buf, len, "%u\n", 1u);
}

static ssize_t dev_state_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%s\n", dev_enabled(n) ? "enabled" : "disabled");
}

static ssize_t dev_errors_show(const struct idxd_node *n, char *buf, size_t len)
{
	idxd_swerr_sync(n->kd);
	return emit_bitmap(buf, len, n->kd->sw_err.bits);
}

static ssize_t dev_max_rdbufs_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", (unsigned int)n->kd->caps->grpcap.total_rdbufs);
}

static ssize_t dev_rdbuf_limit_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->rdbuf_limit);
}

static int dev_rdbuf_limit_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;

	if (k_strtoull(buf, 10, &v))
		return -EINVAL;
	if (dev_enabled(n) || !n->kd->configurable || !n->kd->caps->grpcap.rdbuf_limit)
		return -EPERM;
	if (v > n->kd->caps->grpcap.total_rdbufs)
		return -EINVAL;
	n->kd->rdbuf_limit = (unsigned int)v;
	return 0;
}

static ssize_t dev_cdev_major_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", n->kd->major);
}

static ssize_t dev_cmd_status_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "0x%x\n", n->kd->cmd_status);
}

static int dev_cmd_status_store(const struct idxd_node *n, const char *buf, size_t len)
{
	n->kd->cmd_status = 0;
	return 0;
}

static ssize_t dev_iaa_cap_show(const struct idxd_node *n, char *buf, size_t len)
{
	if (n->kd->caps->version < IDXD_VERSION_2)
		return -EOPNOTSUPP;
	return emit(buf, len, "0x%llx\n", (unsigned long long)n->kd->caps->iaacap.bits);
}

static ssize_t dev_evl_size_show(const struct idxd_node *n, char *buf, size_t len)
{
	return -EOPNOTSUPP; /* sim's devices have no event log */
}

static bool vis_dsa(const struct idxd_node *n)
{
	return is_dsa(n);
}

static bool vis_iaa_cap(const struct idxd_node *n)
{
	return !is_dsa(n) && n->kd->caps->version >= IDXD_VERSION_2;
}

static bool vis_evl(const struct idxd_node *n)
{
	return n->kd->caps->gencap.evl_support;
}

static const struct idxd_attr dev_attrs[] = {
	{ .name = "version", .mode = 0444, .show = dev_version_show },
	{ .name = "max_groups", .mode = 0444, .show = dev_max_groups_show },
	{ .name = "max_work_queues", .mode = 0444, .show = dev_max_wqs_show },
	{ .name = "max_work_queues_size", .mode = 0444, .show = dev_max_wqs_size_show },
	{ .name = "max_engines", .mode = 0444, .show = dev_max_engines_show },
	{ .name = "numa_node", .mode = 0444, .show = dev_numa_node_show },
	{ .name = "max_batch_size", .mode = 0444, .show = dev_max_batch_show, .visible = vis_dsa },
	{ .name = "max_transfer_size", .mode = 0444, .show = dev_max_xfer_show },
	{ .name = "op_cap", .mode = 0444, .show = dev_op_cap_show },
	{ .name = "gen_cap", .mode = 0444, .show = dev_gen_cap_show },
	{ .name = "configurable", .mode = 0444, .show = dev_configurable_show },
	{ .name = "clients", .mode = 0444, .show = dev_clients_show },
	{ .name = "pasid_enabled", .mode = 0444, .show = dev_pasid_enabled_show },
	{ .name = "state", .mode = 0444, .show = dev_state_show },
	{ .name = "errors", .mode = 0444, .show = dev_errors_show },
	{ .name = "max_tokens", .mode = 0444, .show = dev_max_rdbufs_show, .visible = vis_dsa },
	{ .name = "max_read_buffers",
	  .mode = 0444,
	  .show = dev_max_rdbufs_show,
	  .visible = vis_dsa },
	{ .name = "token_limit",
	  .mode = 0644,
	  .show = dev_rdbuf_limit_show,
	  .store = dev_rdbuf_limit_store,
	  .visible = vis_dsa },
	{ .name = "read_buffer_limit",
	  .mode = 0644,
	  .show = dev_rdbuf_limit_show,
	  .store = dev_rdbuf_limit_store,
	  .visible = vis_dsa },
	{ .name = "cdev_major", .mode = 0444, .show = dev_cdev_major_show },
	{ .name = "cmd_status",
	  .mode = 0644,
	  .show = dev_cmd_status_show,
	  .store = dev_cmd_status_store,
	  .no_record = true },
	{ .name = "iaa_cap", .mode = 0444, .show = dev_iaa_cap_show, .visible = vis_iaa_cap },
	{ .name = "event_log_size", .mode = 0644, .show = dev_evl_size_show, .visible = vis_evl },
};

/* ---- WQ attributes ---- */

static ssize_t wq_clients_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", KW(n)->clients);
}

static ssize_t wq_state_show(const struct idxd_node *n, char *buf, size_t len)
{
	/* A WQ being disabled is still enabled until DISABLE_WQ completes. */
	return emit(buf, len, "%s\n", wq_disabled(n) ? "disabled" : "enabled");
}

static ssize_t wq_group_id_show(const struct idxd_node *n, char *buf, size_t len)
{
	if (KW(n)->group < 0)
		return emit(buf, len, "-1\n");
	return emit(buf, len, "%u\n", (unsigned int)KW(n)->group);
}

static int wq_group_id_store(const struct idxd_node *n, const char *buf, size_t len)
{
	long long id;

	if (k_strtoll(buf, 10, &id))
		return -EINVAL;
	if (!n->kd->configurable || !wq_disabled(n))
		return -EPERM;
	if (id > (long long)n->kd->nr_groups - 1 || id < -1)
		return -EINVAL;
	KW(n)->group = (int)id;
	return 0;
}

static ssize_t wq_mode_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%s\n", KW(n)->dedicated ? "dedicated" : "shared");
}

static int wq_mode_store(const struct idxd_node *n, const char *buf, size_t len)
{
	if (!n->kd->configurable || !wq_disabled(n))
		return -EPERM;
	if (k_streq(buf, "dedicated")) {
		KW(n)->dedicated = true;
		KW(n)->threshold = 0;
	} else if (k_streq(buf, "shared")) {
		KW(n)->dedicated = false;
	} else {
		return -EINVAL;
	}
	return 0;
}

static ssize_t wq_size_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->size);
}

static int wq_size_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;

	if (k_strtoull(buf, 10, &v))
		return -EINVAL;
	/* Sizes change only while the device is disabled (not just the WQ). */
	if (!n->kd->configurable || dev_enabled(n))
		return -EPERM;
	if (v > idxd_wq_space_left(n->kd, KW(n)))
		return -EINVAL;
	KW(n)->size = (uint32_t)v;
	return 0;
}

static ssize_t wq_priority_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->priority);
}

static int wq_priority_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;

	if (k_strtoull(buf, 10, &v))
		return -EINVAL;
	if (!n->kd->configurable || !wq_disabled(n))
		return -EPERM;
	if (v > IDXD_MAX_PRIORITY)
		return -EINVAL;
	KW(n)->priority = (unsigned int)v;
	return 0;
}

static ssize_t wq_bof_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->bof ? 1u : 0u);
}

static int wq_bof_store(const struct idxd_node *n, const char *buf, size_t len)
{
	bool v;
	int ret;

	if (!n->kd->caps->gencap.bof)
		return -EOPNOTSUPP;
	if (!n->kd->configurable)
		return -EPERM;
	if (!wq_disabled(n))
		return -ENXIO;
	ret = k_strtobool(buf, &v);
	if (ret)
		return ret;
	if (v && KW(n)->prs_disable)
		return -EOPNOTSUPP;
	KW(n)->bof = v;
	return 0;
}

static ssize_t wq_threshold_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->threshold);
}

static int wq_threshold_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned int v;

	if (k_strtouint(buf, 0, &v))
		return -EINVAL;
	if (v > KW(n)->size || !v)
		return -EINVAL;
	if (!n->kd->configurable)
		return -EPERM;
	if (!wq_disabled(n))
		return -ENXIO;
	if (KW(n)->dedicated)
		return -EINVAL;
	KW(n)->threshold = v;
	return 0;
}

static const char *const wq_type_names[] = {
	[SIM_WQ_TYPE_NONE] = "none",
	[SIM_WQ_TYPE_KERNEL] = "kernel",
	[SIM_WQ_TYPE_USER] = "user",
};

static ssize_t wq_type_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%s\n", wq_type_names[KW(n)->type]);
}

static int wq_type_store(const struct idxd_node *n, const char *buf, size_t len)
{
	enum sim_wq_type t;

	if (!wq_disabled(n))
		return -EPERM;
	if (k_streq(buf, "none"))
		t = SIM_WQ_TYPE_NONE;
	else if (k_streq(buf, "kernel"))
		t = SIM_WQ_TYPE_KERNEL;
	else if (k_streq(buf, "user"))
		t = SIM_WQ_TYPE_USER;
	else
		return -EINVAL;
	/* Changing the type clears the name. */
	if (t != KW(n)->type)
		memset(KW(n)->name, 0, sizeof(KW(n)->name));
	KW(n)->type = t;
	return 0;
}

static ssize_t wq_name_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%s\n", KW(n)->name);
}

static int wq_name_store(const struct idxd_node *n, const char *buf, size_t len)
{
	size_t l = strlen(buf);

	if (!wq_disabled(n))
		return -EPERM;
	if (l > IDXD_WQ_NAME_SIZE || !l)
		return -EINVAL;
	k_strim_copy(KW(n)->name, sizeof(KW(n)->name), buf);
	return 0;
}

static ssize_t wq_driver_name_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%s\n", KW(n)->driver_name);
}

static int wq_driver_name_store(const struct idxd_node *n, const char *buf, size_t len)
{
	size_t l = strlen(buf);

	if (!wq_disabled(n))
		return -EPERM;
	if (l > IDXD_DRIVER_NAME_SIZE || !l)
		return -EINVAL;
	k_strim_copy(KW(n)->driver_name, sizeof(KW(n)->driver_name), buf);
	return 0;
}

static ssize_t wq_cdev_minor_show(const struct idxd_node *n, char *buf, size_t len)
{
	if (KW(n)->minor < 0)
		return -ENXIO;
	return emit(buf, len, "%d\n", KW(n)->minor);
}

/* __get_sysfs_u64(): non-zero, rounded up to a power of two. */
static int get_sysfs_u64(const char *buf, unsigned long long *v)
{
	if (k_strtoull(buf, 0, v) || !*v)
		return -EINVAL;
	if (*v > (1ull << 63))
		return -EINVAL;
	if (*v & (*v - 1))
		*v = 1ull << (64 - __builtin_clzll(*v));
	return 0;
}

static ssize_t wq_max_xfer_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%llu\n", (unsigned long long)KW(n)->max_xfer_bytes);
}

static int wq_max_xfer_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;
	int ret;

	if (!n->kd->configurable || !wq_disabled(n))
		return -EPERM;
	ret = get_sysfs_u64(buf, &v);
	if (ret)
		return ret;
	if (v > 1ull << n->kd->caps->gencap.max_xfer_shift)
		return -EINVAL;
	KW(n)->max_xfer_bytes = v;
	return 0;
}

static ssize_t wq_max_batch_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->max_batch_size);
}

static int wq_max_batch_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;
	int ret;

	if (!n->kd->configurable || !wq_disabled(n))
		return -EPERM;
	ret = get_sysfs_u64(buf, &v);
	if (ret)
		return ret;
	if (v > 1ull << n->kd->caps->gencap.max_batch_shift)
		return -EINVAL;
	KW(n)->max_batch_size = (uint32_t)v;
	return 0;
}

static ssize_t wq_ats_disable_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->ats_disable ? 1u : 0u);
}

static int wq_ats_disable_store(const struct idxd_node *n, const char *buf, size_t len)
{
	bool v;
	int ret;

	if (!wq_disabled(n) || !n->kd->configurable)
		return -EPERM;
	ret = k_strtobool(buf, &v);
	if (ret)
		return ret;
	KW(n)->ats_disable = v;
	return 0;
}

static ssize_t wq_prs_disable_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KW(n)->prs_disable ? 1u : 0u);
}

static int wq_prs_disable_store(const struct idxd_node *n, const char *buf, size_t len)
{
	bool v;
	int ret;

	if (!wq_disabled(n))
		return -EPERM;
	if (!n->kd->caps->wqcap.prs)
		return -EOPNOTSUPP;
	ret = k_strtobool(buf, &v);
	if (ret)
		return ret;
	KW(n)->prs_disable = v;
	/* Without page requests, block on fault cannot work. */
	if (v)
		KW(n)->bof = false;
	return 0;
}

static ssize_t wq_occupancy_show(const struct idxd_node *n, char *buf, size_t len)
{
	struct sim_wq_stats st;

	if (!n->kd->caps->wqcap.occupancy)
		return -EOPNOTSUPP;
	sim_wq_stats(KW(n)->hw, &st);
	return emit(buf, len, "%u\n", st.occupancy);
}

static ssize_t wq_retries_show(const struct idxd_node *n, char *buf, size_t len)
{
	if (KW(n)->dedicated)
		return -EOPNOTSUPP;
	return emit(buf, len, "%u\n", KW(n)->enqcmds_retries);
}

static int wq_retries_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned int v;
	int ret;

	if (KW(n)->dedicated)
		return -EOPNOTSUPP;
	ret = k_strtouint(buf, 10, &v);
	if (ret)
		return ret;
	/* No state check: the value takes effect when sim next enables the WQ. */
	KW(n)->enqcmds_retries = v > IDXD_ENQCMDS_MAX_RETRIES ? IDXD_ENQCMDS_MAX_RETRIES : v;
	return 0;
}

static ssize_t wq_op_config_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit_bitmap(buf, len, KW(n)->op_config.bits);
}

static int wq_op_config_store(const struct idxd_node *n, const char *buf, size_t len)
{
	uint64_t bits[4];
	int ret;

	if (!wq_disabled(n))
		return -EPERM;
	ret = k_bitmap_parse(buf, bits);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < 4; i++)
		if (bits[i] & ~n->kd->caps->opcap.bits[i])
			return -EINVAL;
	memcpy(KW(n)->op_config.bits, bits, sizeof(bits));
	return 0;
}

static bool vis_op_config(const struct idxd_node *n)
{
	return n->kd->caps->wqcap.op_config;
}

static bool vis_prs(const struct idxd_node *n)
{
	return n->kd->caps->wqcap.prs;
}

static bool vis_ats(const struct idxd_node *n)
{
	return n->kd->caps->wqcap.ats;
}

static const struct idxd_attr wq_attrs[] = {
	{ .name = "clients", .mode = 0444, .show = wq_clients_show },
	{ .name = "state", .mode = 0444, .show = wq_state_show },
	{ .name = "group_id", .mode = 0644, .show = wq_group_id_show, .store = wq_group_id_store },
	{ .name = "mode", .mode = 0644, .show = wq_mode_show, .store = wq_mode_store },
	{ .name = "size", .mode = 0644, .show = wq_size_show, .store = wq_size_store },
	{ .name = "priority", .mode = 0644, .show = wq_priority_show, .store = wq_priority_store },
	{ .name = "block_on_fault", .mode = 0644, .show = wq_bof_show, .store = wq_bof_store },
	{ .name = "threshold",
	  .mode = 0644,
	  .show = wq_threshold_show,
	  .store = wq_threshold_store },
	{ .name = "type", .mode = 0644, .show = wq_type_show, .store = wq_type_store },
	{ .name = "name", .mode = 0644, .show = wq_name_show, .store = wq_name_store },
	{ .name = "cdev_minor", .mode = 0444, .show = wq_cdev_minor_show },
	{ .name = "max_transfer_size",
	  .mode = 0644,
	  .show = wq_max_xfer_show,
	  .store = wq_max_xfer_store },
	{ .name = "max_batch_size",
	  .mode = 0644,
	  .show = wq_max_batch_show,
	  .store = wq_max_batch_store,
	  .visible = vis_dsa },
	{ .name = "ats_disable",
	  .mode = 0644,
	  .show = wq_ats_disable_show,
	  .store = wq_ats_disable_store,
	  .visible = vis_ats },
	{ .name = "prs_disable",
	  .mode = 0644,
	  .show = wq_prs_disable_show,
	  .store = wq_prs_disable_store,
	  .visible = vis_prs },
	{ .name = "occupancy", .mode = 0444, .show = wq_occupancy_show },
	{ .name = "enqcmds_retries",
	  .mode = 0644,
	  .show = wq_retries_show,
	  .store = wq_retries_store },
	{ .name = "op_config",
	  .mode = 0644,
	  .show = wq_op_config_show,
	  .store = wq_op_config_store,
	  .visible = vis_op_config },
	{ .name = "driver_name",
	  .mode = 0644,
	  .show = wq_driver_name_show,
	  .store = wq_driver_name_store },
};

/* ---- Group attributes ---- */

static ssize_t group_list(const struct idxd_node *n, char *buf, size_t len, bool engines)
{
	const struct idxd_kdev *kd = n->kd;
	unsigned int nr = engines ? kd->nr_engines : kd->nr_wqs;
	size_t off = 0;

	for (unsigned int i = 0; i < nr; i++) {
		int g = engines ? kd->engine_group[i] : kd->wqs[i].group;
		ssize_t r;

		if (g != (int)n->sub)
			continue;
		r = emit(buf + off, len - off, "%s%d.%u ", engines ? "engine" : "wq", kd->id, i);
		if (r < 0)
			return r;
		off += (size_t)r;
	}
	/* Nothing: an empty file (0 bytes), as the kernel's show returns 0. */
	if (!off)
		return 0;
	buf[off - 1] = '\n';
	return (ssize_t)off;
}

static ssize_t group_wqs_show(const struct idxd_node *n, char *buf, size_t len)
{
	return group_list(n, buf, len, false);
}

static ssize_t group_engines_show(const struct idxd_node *n, char *buf, size_t len)
{
	return group_list(n, buf, len, true);
}

static ssize_t group_use_limit_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KG(n)->use_rdbuf_limit ? 1u : 0u);
}

/* The common part of the read-buffer stores: parse, then IAA, cfg, device state. */
static int group_rdbuf_begin(const struct idxd_node *n, const char *buf, unsigned long long *v)
{
	if (k_strtoull(buf, 10, v))
		return -EINVAL;
	if (!is_dsa(n))
		return -EOPNOTSUPP;
	if (!n->kd->configurable || dev_enabled(n))
		return -EPERM;
	return 0;
}

static int group_use_limit_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;
	int ret = group_rdbuf_begin(n, buf, &v);

	if (ret)
		return ret;
	if (!n->kd->rdbuf_limit)
		return -EPERM;
	KG(n)->use_rdbuf_limit = !!v;
	return 0;
}

static ssize_t group_allowed_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KG(n)->rdbufs_allowed);
}

static int group_allowed_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned int engines = 0;
	unsigned long long v;
	int ret = group_rdbuf_begin(n, buf, &v);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < n->kd->nr_engines; i++)
		engines += n->kd->engine_group[i] == (int)n->sub;
	if (v < 4ull * engines ||
	    v > (unsigned long long)KG(n)->rdbufs_reserved + free_rdbufs(n->kd))
		return -EINVAL;
	KG(n)->rdbufs_allowed = (unsigned int)v;
	return 0;
}

static ssize_t group_reserved_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u\n", KG(n)->rdbufs_reserved);
}

static int group_reserved_store(const struct idxd_node *n, const char *buf, size_t len)
{
	unsigned long long v;
	int ret = group_rdbuf_begin(n, buf, &v);

	if (ret)
		return ret;
	if (v > n->kd->caps->grpcap.total_rdbufs ||
	    v > (unsigned long long)free_rdbufs(n->kd) + KG(n)->rdbufs_reserved)
		return -EINVAL;
	KG(n)->rdbufs_reserved = (unsigned int)v;
	return 0;
}

static ssize_t group_tc_a_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", KG(n)->tc_a);
}

static ssize_t group_tc_b_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", KG(n)->tc_b);
}

static int group_tc_store(const struct idxd_node *n, const char *buf, int *tc)
{
	long long v;

	if (k_strtoll(buf, 10, &v))
		return -EINVAL;
	if (!n->kd->configurable || dev_enabled(n))
		return -EPERM;
	/* Up to version 2 only with the tc_override module parameter, which sim does not set. */
	if (n->kd->caps->version <= IDXD_VERSION_2)
		return -EPERM;
	if (v < 0 || v > 7)
		return -EINVAL;
	*tc = (int)v;
	return 0;
}

static int group_tc_a_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return group_tc_store(n, buf, &KG(n)->tc_a);
}

static int group_tc_b_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return group_tc_store(n, buf, &KG(n)->tc_b);
}

static ssize_t group_desc_pl_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", KG(n)->desc_progress_limit);
}

static ssize_t group_batch_pl_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", KG(n)->batch_progress_limit);
}

static int group_pl_store(const char *buf, int *pl)
{
	int v;

	if (k_strtoint(buf, 10, &v))
		return -EINVAL;
	if (v & ~3)
		return -EINVAL;
	*pl = v;
	return 0;
}

static int group_desc_pl_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return group_pl_store(buf, &KG(n)->desc_progress_limit);
}

static int group_batch_pl_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return group_pl_store(buf, &KG(n)->batch_progress_limit);
}

static bool vis_progress(const struct idxd_node *n)
{
	return n->kd->caps->grpcap.progress_limit;
}

static const struct idxd_attr group_attrs[] = {
	{ .name = "work_queues", .mode = 0444, .show = group_wqs_show },
	{ .name = "engines", .mode = 0444, .show = group_engines_show },
	{ .name = "use_token_limit",
	  .mode = 0644,
	  .show = group_use_limit_show,
	  .store = group_use_limit_store,
	  .visible = vis_dsa },
	{ .name = "use_read_buffer_limit",
	  .mode = 0644,
	  .show = group_use_limit_show,
	  .store = group_use_limit_store,
	  .visible = vis_dsa },
	{ .name = "tokens_allowed",
	  .mode = 0644,
	  .show = group_allowed_show,
	  .store = group_allowed_store,
	  .visible = vis_dsa },
	{ .name = "read_buffers_allowed",
	  .mode = 0644,
	  .show = group_allowed_show,
	  .store = group_allowed_store,
	  .visible = vis_dsa },
	{ .name = "tokens_reserved",
	  .mode = 0644,
	  .show = group_reserved_show,
	  .store = group_reserved_store,
	  .visible = vis_dsa },
	{ .name = "read_buffers_reserved",
	  .mode = 0644,
	  .show = group_reserved_show,
	  .store = group_reserved_store,
	  .visible = vis_dsa },
	{ .name = "traffic_class_a",
	  .mode = 0644,
	  .show = group_tc_a_show,
	  .store = group_tc_a_store },
	{ .name = "traffic_class_b",
	  .mode = 0644,
	  .show = group_tc_b_show,
	  .store = group_tc_b_store },
	{ .name = "desc_progress_limit",
	  .mode = 0644,
	  .show = group_desc_pl_show,
	  .store = group_desc_pl_store,
	  .visible = vis_progress },
	{ .name = "batch_progress_limit",
	  .mode = 0644,
	  .show = group_batch_pl_show,
	  .store = group_batch_pl_store,
	  .visible = vis_progress },
};

/* ---- Engine, cdev and driver attributes ---- */

static ssize_t engine_group_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%d\n", n->kd->engine_group[n->sub]);
}

static int engine_group_store(const struct idxd_node *n, const char *buf, size_t len)
{
	long long id;

	if (k_strtoll(buf, 10, &id))
		return -EINVAL;
	if (!n->kd->configurable)
		return -EPERM;
	if (id > (long long)n->kd->nr_groups - 1 || id < -1)
		return -EINVAL;
	/* No state check: the device gets it with its next configuration (device enable). */
	n->kd->engine_group[n->sub] = (int)id;
	return 0;
}

static const struct idxd_attr engine_attrs[] = {
	{ .name = "group_id",
	  .mode = 0644,
	  .show = engine_group_show,
	  .store = engine_group_store },
};

static ssize_t cdev_dev_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "%u:%d\n", n->kd->major, KW(n)->minor);
}

static ssize_t cdev_uevent_show(const struct idxd_node *n, char *buf, size_t len)
{
	return emit(buf, len, "MAJOR=%u\nMINOR=%d\nDEVNAME=%s/wq%d.%u\n", n->kd->major,
		    KW(n)->minor, n->kd->iaa ? "iax" : "dsa", n->kd->id, n->sub);
}

/* Writing uevent asks for an event to be synthesised: nothing to do in sim. */
static int uevent_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return 0;
}

static const struct idxd_attr cdev_attrs[] = {
	{ .name = "dev", .mode = 0444, .show = cdev_dev_show },
	{ .name = "uevent",
	  .mode = 0644,
	  .show = cdev_uevent_show,
	  .store = uevent_store,
	  .no_record = true },
};

static int drv_bind_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return idxd_bind(n->drv, buf, len);
}

static int drv_unbind_store(const struct idxd_node *n, const char *buf, size_t len)
{
	return idxd_unbind(n->drv, buf, len);
}

static const struct idxd_attr drv_attrs[] = {
	{ .name = "bind", .mode = 0200, .store = drv_bind_store },
	{ .name = "unbind", .mode = 0200, .store = drv_unbind_store },
	{ .name = "uevent", .mode = 0200, .store = uevent_store, .no_record = true },
};

#define ARRAY_NR(a) (sizeof(a) / sizeof((a)[0]))

const struct idxd_attr *idxd_obj_attrs(enum idxd_obj obj, unsigned int *nr)
{
	switch (obj) {
	case IDXD_OBJ_DEV:
		*nr = ARRAY_NR(dev_attrs);
		return dev_attrs;
	case IDXD_OBJ_WQ:
		*nr = ARRAY_NR(wq_attrs);
		return wq_attrs;
	case IDXD_OBJ_GROUP:
		*nr = ARRAY_NR(group_attrs);
		return group_attrs;
	case IDXD_OBJ_ENGINE:
		*nr = ARRAY_NR(engine_attrs);
		return engine_attrs;
	case IDXD_OBJ_CDEV:
		*nr = ARRAY_NR(cdev_attrs);
		return cdev_attrs;
	case IDXD_OBJ_DRIVER:
		*nr = ARRAY_NR(drv_attrs);
		return drv_attrs;
	default:
		*nr = 0;
		return NULL;
	}
}

bool idxd_attr_visible(const struct idxd_node *n)
{
	return !n->attr->visible || n->attr->visible(n);
}

/* ---- Names and paths ---- */

/* Decimal digits at *@p (at least one, no sign); advances *@p. */
static bool parse_uint(const char **p, const char *end, unsigned int *v)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		x = x * 10 + (unsigned int)(*s - '0');
		if (x > INT_MAX)
			return false;
	}
	*p = s;
	*v = (unsigned int)x;
	return true;
}

/* "<prefix>N.M" naming a sub-object: N the device id, M the sub id. */
static bool parse_sub(const char *name, size_t len, const char *prefix, unsigned int *dev,
		      unsigned int *sub)
{
	size_t pl = strlen(prefix);
	const char *p = name + pl, *end = name + len;

	if (len <= pl || memcmp(name, prefix, pl))
		return false;
	if (!parse_uint(&p, end, dev) || p >= end || *p != '.')
		return false;
	p++;
	return parse_uint(&p, end, sub) && p == end;
}

static struct idxd_kdev *dev_by_id(unsigned int id)
{
	for (unsigned int i = 0; i < idxd_nr_devs(); i++)
		if (idxd_dev_at(i)->id == (int)id)
			return idxd_dev_at(i);
	return NULL;
}

int idxd_obj_by_name(const char *name, size_t len, struct idxd_node *n)
{
	struct idxd_kdev *kd;
	unsigned int d, s;

	memset(n, 0, sizeof(*n));
	kd = idxd_dev_by_name(name, len);
	if (kd) {
		n->obj = IDXD_OBJ_DEV;
		n->kd = kd;
		return 0;
	}
	if (parse_sub(name, len, "wq", &d, &s))
		n->obj = IDXD_OBJ_WQ;
	else if (parse_sub(name, len, "group", &d, &s))
		n->obj = IDXD_OBJ_GROUP;
	else if (parse_sub(name, len, "engine", &d, &s))
		n->obj = IDXD_OBJ_ENGINE;
	else if (parse_sub(name, len, "dsa!wq", &d, &s) || parse_sub(name, len, "iax!wq", &d, &s))
		n->obj = IDXD_OBJ_CDEV;
	else
		return -ENOENT;
	kd = dev_by_id(d);
	if (!kd)
		return -ENOENT;
	n->kd = kd;
	n->sub = s;
	switch (n->obj) {
	case IDXD_OBJ_WQ:
		return s < kd->nr_wqs ? 0 : -ENOENT;
	case IDXD_OBJ_GROUP:
		return s < kd->nr_groups ? 0 : -ENOENT;
	case IDXD_OBJ_ENGINE:
		return s < kd->nr_engines ? 0 : -ENOENT;
	default:
		/* The cdev device exists while the WQ is bound to the user driver. */
		if (s >= kd->nr_wqs || kd->wqs[s].minor < 0 ||
		    memcmp(name, kd->iaa ? "iax" : "dsa", 3))
			return -ENOENT;
		return 0;
	}
}

int idxd_obj_name(const struct idxd_node *n, char *buf, size_t len)
{
	const char *type = n->kd ? (n->kd->iaa ? "iax" : "dsa") : "";

	switch (n->obj) {
	case IDXD_OBJ_DEV:
		return snprintf(buf, len, "%s", n->kd->name);
	case IDXD_OBJ_WQ:
		return snprintf(buf, len, "wq%d.%u", n->kd->id, n->sub);
	case IDXD_OBJ_GROUP:
		return snprintf(buf, len, "group%d.%u", n->kd->id, n->sub);
	case IDXD_OBJ_ENGINE:
		return snprintf(buf, len, "engine%d.%u", n->kd->id, n->sub);
	case IDXD_OBJ_CDEV:
		return snprintf(buf, len, "%s!wq%d.%u", type, n->kd->id, n->sub);
	case IDXD_OBJ_DRIVER:
		return snprintf(buf, len, "%s", idxd_drv_names[n->drv]);
	default:
		return -EINVAL;
	}
}

bool idxd_node_path(const struct idxd_node *n, char *buf, size_t len)
{
	char name[64];
	int r;

	if (idxd_obj_name(n, name, sizeof(name)) < 0)
		return false;
	r = snprintf(buf, len, "/sys/bus/dsa/%s/%s%s%s",
		     n->obj == IDXD_OBJ_DRIVER ? "drivers" : "devices", name, n->attr ? "/" : "",
		     n->attr ? n->attr->name : "");
	return r > 0 && (size_t)r < len;
}

struct comp {
	const char *s;
	size_t n;
};

static bool comp_is(const struct comp *c, const char *s)
{
	return strlen(s) == c->n && !memcmp(c->s, s, c->n);
}

/* The attribute @c of @n's object, or -ENOENT. */
static int node_attr(struct idxd_node *n, const struct comp *c)
{
	unsigned int nr;
	const struct idxd_attr *a = idxd_obj_attrs(n->obj, &nr);

	for (unsigned int i = 0; i < nr; i++) {
		if (!comp_is(c, a[i].name))
			continue;
		n->attr = &a[i];
		if (!idxd_attr_visible(n)) {
			n->attr = NULL;
			return -ENOENT;
		}
		return 0;
	}
	return -ENOENT;
}

static enum idxd_drv drv_by_name(const struct comp *c)
{
	for (int d = IDXD_DRV_IDXD; d < IDXD_DRV_NR; d++)
		if (comp_is(c, idxd_drv_names[d]))
			return (enum idxd_drv)d;
	return IDXD_DRV_NONE;
}

/* What follows an object's directory: nothing, an attribute, or its driver link. */
static int node_rest(struct idxd_node *n, const struct comp *c, unsigned int nc)
{
	if (!nc)
		return 0;
	if (comp_is(&c[0], "driver") && (n->obj == IDXD_OBJ_DEV || n->obj == IDXD_OBJ_WQ)) {
		enum idxd_drv d = n->obj == IDXD_OBJ_DEV ? n->kd->drv : n->kd->wqs[n->sub].drv;

		if (d == IDXD_DRV_NONE)
			return -ENOENT;
		memset(n, 0, sizeof(*n));
		n->obj = IDXD_OBJ_DRIVER;
		n->drv = d;
		return node_rest(n, c + 1, nc - 1);
	}
	if (nc != 1)
		return -ENOENT;
	return node_attr(n, &c[0]);
}

int idxd_node_parse(const char *path, struct idxd_node *n)
{
	struct comp c[16];
	unsigned int nc = 0;
	struct idxd_node sub;

	memset(n, 0, sizeof(*n));
	for (const char *p = path; *p;) {
		const char *s;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		if (nc == ARRAY_NR(c))
			return -ENOENT;
		c[nc].s = s;
		c[nc].n = (size_t)(p - s);
		nc++;
	}
	if (nc < 5 || !comp_is(&c[0], "sys"))
		return -ENOENT;
	/* /sys/bus/dsa/{devices,drivers}/<name>/... */
	if (comp_is(&c[1], "bus") && comp_is(&c[2], "dsa")) {
		if (comp_is(&c[3], "devices")) {
			if (idxd_obj_by_name(c[4].s, c[4].n, n))
				return -ENOENT;
			return node_rest(n, c + 5, nc - 5);
		}
		if (comp_is(&c[3], "drivers")) {
			n->obj = IDXD_OBJ_DRIVER;
			n->drv = drv_by_name(&c[4]);
			if (n->drv == IDXD_DRV_NONE)
				return -ENOENT;
			return node_rest(n, c + 5, nc - 5);
		}
		return -ENOENT;
	}
	/* SIM_IDXD_PCI_ROOT/<bdf>/<dev>[/<wq|group|engine>[/<cdev>]]/... */
	if (!comp_is(&c[1], "devices") || !comp_is(&c[2], strrchr(SIM_IDXD_PCI_ROOT, '/') + 1))
		return -ENOENT;
	if (idxd_obj_by_name(c[4].s, c[4].n, n) || n->obj != IDXD_OBJ_DEV ||
	    !comp_is(&c[3], n->kd->bdf))
		return -ENOENT;
	if (nc == 5)
		return 0;
	if (!idxd_obj_by_name(c[5].s, c[5].n, &sub) && sub.kd == n->kd &&
	    (sub.obj == IDXD_OBJ_WQ || sub.obj == IDXD_OBJ_GROUP || sub.obj == IDXD_OBJ_ENGINE)) {
		*n = sub;
		if (nc > 6 && n->obj == IDXD_OBJ_WQ && !idxd_obj_by_name(c[6].s, c[6].n, &sub) &&
		    sub.obj == IDXD_OBJ_CDEV && sub.kd == n->kd && sub.sub == n->sub) {
			*n = sub;
			return node_rest(n, c + 7, nc - 7);
		}
		return node_rest(n, c + 6, nc - 6);
	}
	return node_rest(n, c + 5, nc - 5);
}

/* ---- Show and store ---- */

ssize_t idxd_node_show(const struct idxd_node *n, char *buf, size_t len)
{
	if (!n->attr)
		return -EISDIR;
	if (!n->attr->show)
		return -EACCES;
	return n->attr->show(n, buf, len);
}

ssize_t idxd_node_store(const struct idxd_node *n, const char *buf, size_t len, bool record)
{
	char page[IDXD_SYSFS_PAGE + 1], path[256];
	int ret;

	if (!n->attr)
		return -EISDIR;
	if (!n->attr->store)
		return -EACCES;
	if (!len)
		return 0;
	/* kernfs hands the store at most a page, NUL-terminated. */
	if (len > IDXD_SYSFS_PAGE)
		len = IDXD_SYSFS_PAGE;
	memcpy(page, buf, len);
	page[len] = '\0';
	ret = n->attr->store(n, page, len);
	if (ret)
		return ret;
	if (record && !n->attr->no_record && idxd_node_path(n, path, sizeof(path)))
		idxd_state_record(path, page, len);
	return (ssize_t)len;
}

ssize_t sim_idxd_sysfs_read(const char *path, char *buf, size_t len)
{
	struct idxd_node n;
	ssize_t ret;

	if (!path || !buf)
		return -EFAULT;
	ret = sim_idxd_get();
	if (ret)
		return -ENOENT;
	idxd_lock();
	ret = idxd_node_parse(path, &n);
	if (!ret)
		ret = idxd_node_show(&n, buf, len);
	idxd_unlock();
	return ret;
}

ssize_t sim_idxd_sysfs_write(const char *path, const void *buf, size_t len)
{
	struct idxd_node n;
	ssize_t ret;

	if (!path || !buf)
		return -EFAULT;
	ret = sim_idxd_get();
	if (ret)
		return -ENOENT;
	idxd_lock();
	ret = idxd_node_parse(path, &n);
	if (!ret)
		ret = idxd_node_store(&n, buf, len, true);
	idxd_unlock();
	return ret;
}
