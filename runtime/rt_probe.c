// SPDX-License-Identifier: MIT
/*
 * Platform probe (see rt_probe.h). Every source is read defensively: a file that cannot be
 * read, a value that does not parse, or a library getter that returns NULL or a negated errno
 * is recorded as unknown (-1 or ""), never a crash and never an error return.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/capability.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <accel-config/libaccel_config.h>
#include <hwloc.h>
#include <numa.h>

#include "runtime/rt_probe.h"

#define RT_SYS_DSA "/sys/bus/dsa/devices"

static const char *const rt_probe_plat_names[RT_PROBE_NPLAT] = {
	[RT_PROBE_SIM] = "sim",
	[RT_PROBE_IDXD] = "idxd",
	[RT_PROBE_VFIO] = "vfio",
};

const char *rt_probe_plat_name(enum rt_probe_plat plat)
{
	if ((unsigned int)plat >= RT_PROBE_NPLAT)
		return "unknown";
	return rt_probe_plat_names[plat];
}

/* Copies @src (NULL reads as "") into @dst, always terminated, truncating. */
static void probe_strcpy(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!len)
		return;
	n = src ? strlen(src) : 0;
	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Appends one "; "-separated piece to a reason; an overflowing reason ends in "...". */
static void __attribute__((format(printf, 3, 4)))
reason_add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;
	int n;

	if (used + 1 >= len)
		return;
	if (used) {
		n = snprintf(buf + used, len - used, "; ");
		if (n < 0 || (size_t)n >= len - used)
			goto overflow;
		used += n;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len - used)
		return;
overflow:
	if (len >= 4)
		memcpy(buf + len - 4, "...", 4);
}

/*
 * Reads a sysfs-style attribute: one value, the trailing newline stripped. Returns its length
 * or -errno (-ENODATA for an empty file).
 */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return n ? (int)n : -ENODATA;
}

/* An integer attribute (any base strtoll accepts), or -1 when unreadable or malformed. */
static long long read_ll(const char *path)
{
	char buf[64], *end;
	long long v;

	if (read_attr(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -1;
	return v;
}

/* ---- CPU ------------------------------------------------------------------------------ */

static void probe_cpu(struct rt_probe_cpu *cpu)
{
	cpu->family = cpu->model_id = cpu->stepping = -1;
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d, max_ext;

	if (!__get_cpuid(0, &a, &b, &c, &d))
		return;
	cpu->max_leaf = a;
	memcpy(cpu->vendor, &b, 4);
	memcpy(cpu->vendor + 4, &d, 4);
	memcpy(cpu->vendor + 8, &c, 4);
	cpu->vendor[12] = '\0';

	if (cpu->max_leaf >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
		unsigned int base = (a >> 8) & 0xf;

		cpu->family = base == 0xf ? (int)(base + ((a >> 20) & 0xff)) : (int)base;
		cpu->model_id = (a >> 4) & 0xf;
		if (base == 0x6 || base == 0xf)
			cpu->model_id |= ((a >> 16) & 0xf) << 4;
		cpu->stepping = a & 0xf;
		cpu->hypervisor = (c >> 31) & 1;
	}

	/* Leaf 7 must exist: CPUID above the maximum leaf returns the highest leaf's data. */
	if (cpu->max_leaf >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		cpu->enqcmd = (c >> 29) & 1;
		cpu->movdir64b = (c >> 28) & 1;
		cpu->movdiri = (c >> 27) & 1;
		cpu->waitpkg = (c >> 5) & 1;
	}

	max_ext = __get_cpuid_max(0x80000000, NULL);
	if (max_ext >= 0x80000004) {
		unsigned int brand[12];
		char *s, *e;

		for (unsigned int i = 0; i < 3; i++)
			__get_cpuid(0x80000002 + i, &brand[4 * i], &brand[4 * i + 1],
				    &brand[4 * i + 2], &brand[4 * i + 3]);
		memcpy(cpu->model, brand, 48);
		cpu->model[48] = '\0';
		for (s = cpu->model; *s == ' '; s++)
			;
		memmove(cpu->model, s, strlen(s) + 1);
		for (e = cpu->model + strlen(cpu->model); e > cpu->model && e[-1] == ' ';)
			*--e = '\0';
	}
#endif
}

/* The kernel's view of the same features: the "flags" line of /proc/cpuinfo. */
static void probe_cpuinfo(struct rt_probe_cpu *cpu)
{
	char *line = NULL, *save, *tok;
	size_t cap = 0;
	FILE *f;

	cpu->os_enqcmd = cpu->os_movdir64b = cpu->os_movdiri = cpu->os_waitpkg = -1;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *colon;

		if (strncmp(line, "flags", 5) || !(colon = strchr(line, ':')))
			continue;
		cpu->os_enqcmd = cpu->os_movdir64b = cpu->os_movdiri = cpu->os_waitpkg = 0;
		for (tok = strtok_r(colon + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(tok, "enqcmd"))
				cpu->os_enqcmd = 1;
			else if (!strcmp(tok, "movdir64b"))
				cpu->os_movdir64b = 1;
			else if (!strcmp(tok, "movdiri"))
				cpu->os_movdiri = 1;
			else if (!strcmp(tok, "waitpkg"))
				cpu->os_waitpkg = 1;
		}
		break;
	}
	free(line);
	fclose(f);
}

/* ---- OS interfaces -------------------------------------------------------------------- */

static bool path_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void probe_node(struct rt_probe_node *node, const char *path)
{
	struct stat st;

	probe_strcpy(node->path, sizeof(node->path), path);
	node->vendor = node->device = -1;
	if (stat(path, &st))
		return;
	node->present = true;
	node->is_chr = S_ISCHR(st.st_mode);
	/* AT_EACCESS: the effective ids decide what open() will allow, not the real ones. */
	node->readable = !faccessat(AT_FDCWD, path, R_OK, AT_EACCESS);
	node->writable = !faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
}

/* The PCI function behind a VFIO device cdev, from /sys/class/vfio-dev/<name>/device. */
static void probe_vfio_pci(struct rt_probe_node *node, const char *name)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *bdf;

	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/device", name);
	if (realpath(path, real)) {
		bdf = strrchr(real, '/');
		probe_strcpy(node->pci, sizeof(node->pci), bdf ? bdf + 1 : real);
	}
	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/device/vendor", name);
	node->vendor = (int)read_ll(path);
	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/device/device", name);
	node->device = (int)read_ll(path);
}

static int filter_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every entry of @dir, in version order (wq0.2 before wq0.10). A missing @dir adds none. */
static void probe_dir(const char *dir, struct rt_probe_node *nodes, int cap, int *n, int *seen,
		      bool vfio)
{
	struct dirent **ents;
	char path[PATH_MAX];
	int cnt;

	cnt = scandir(dir, &ents, filter_dots, versionsort);
	if (cnt < 0)
		return;
	for (int i = 0; i < cnt; i++) {
		(*seen)++;
		if (*n < cap) {
			struct rt_probe_node *node = &nodes[(*n)++];

			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			probe_node(node, path);
			if (vfio)
				probe_vfio_pci(node, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
}

static int probe_cap_sys_rawio(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	return (data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective & CAP_TO_MASK(CAP_SYS_RAWIO)) ? 1 : 0;
}

static void probe_os(struct rt_probe_os *os)
{
	struct utsname uts;

	if (!uname(&uts)) {
		probe_strcpy(os->kernel, sizeof(os->kernel), uts.release);
		probe_strcpy(os->machine, sizeof(os->machine), uts.machine);
	}
	os->euid = geteuid();
	os->root = os->euid == 0;
	os->cap_sys_rawio = probe_cap_sys_rawio();
	os->unprivileged_userfaultfd = (int)read_ll("/proc/sys/vm/unprivileged_userfaultfd");
	os->sys_bus_dsa = path_exists("/sys/bus/dsa");
	os->sys_module_idxd = path_exists("/sys/module/idxd");
	probe_node(&os->iommu, "/dev/iommu");
	probe_dir("/dev/vfio/devices", os->vfio, RT_PROBE_MAX_VFIO, &os->n_vfio, &os->n_vfio_seen,
		  true);
	probe_dir("/dev/dsa", os->wq_nodes, RT_PROBE_MAX_WQ_NODES, &os->n_wq_nodes,
		  &os->n_wq_nodes_seen, false);
	probe_dir("/dev/iax", os->wq_nodes, RT_PROBE_MAX_WQ_NODES, &os->n_wq_nodes,
		  &os->n_wq_nodes_seen, false);
}

/* ---- idxd (libaccel-config) ----------------------------------------------------------- */

/*
 * libaccel-config logs to stderr and its log callback carries no user pointer, so the
 * probe running on this thread is found through a thread-local. Errors are kept (the first
 * one) for the report; anything less severe only reaches stderr when ACCFG_LOG asked for it.
 */
static __thread struct rt_probe_idxd *probe_log_target;

static void probe_accfg_log(struct accfg_ctx *ctx, int priority, const char *file, int line,
			    const char *fn, const char *format, va_list args)
	__attribute__((format(printf, 6, 0)));

static void probe_accfg_log(struct accfg_ctx *ctx, int priority, const char *file, int line,
			    const char *fn, const char *format, va_list args)
{
	struct rt_probe_idxd *x = probe_log_target;
	size_t n;

	/* Only errors matter to the probe; the library's chatter would pollute `svart info`. */
	if (priority > LOG_ERR || !x || x->lib_error[0])
		return;
	vsnprintf(x->lib_error, sizeof(x->lib_error), format, args);
	n = strlen(x->lib_error);
	while (n && x->lib_error[n - 1] == '\n')
		x->lib_error[--n] = '\0';
}

/* Negated errnos (failed reads) and other negative values are "unknown". */
static long long sane_ll(long long v)
{
	return v < 0 ? -1 : v;
}

static long long sane_u64(uint64_t v)
{
	return (int64_t)v < 0 ? -1 : (long long)v;
}

static int sane_uint(unsigned int v)
{
	return (int)v < 0 ? -1 : (int)v;
}

/*
 * 3.5.3's add_wq() passes the `type` string to strdup() unchecked: a WQ directory without a
 * readable, non-empty `type` crashes the library. Check every WQ of @dev before enumerating.
 */
static bool wqs_enumerable(const char *dev)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64];
	struct dirent **ents;
	bool ok = true;
	int cnt;

	snprintf(dir, sizeof(dir), RT_SYS_DSA "/%s", dev);
	cnt = scandir(dir, &ents, filter_dots, alphasort);
	if (cnt < 0)
		return false;
	for (int i = 0; i < cnt; i++) {
		if (ok && !strncmp(ents[i]->d_name, "wq", 2)) {
			int n = snprintf(path, sizeof(path), "%s/%s/type", dir, ents[i]->d_name);

			if (n < 0 || (size_t)n >= sizeof(path) ||
			    read_attr(path, buf, sizeof(buf)) < 0)
				ok = false;
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

static const char *wq_state_str(enum accfg_wq_state s)
{
	switch (s) {
	case ACCFG_WQ_DISABLED:
		return "disabled";
	case ACCFG_WQ_ENABLED:
		return "enabled";
	case ACCFG_WQ_QUIESCING:
		return "quiescing";
	case ACCFG_WQ_LOCKED:
		return "locked";
	default:
		return "unknown";
	}
}

static const char *wq_type_str(enum accfg_wq_type t)
{
	switch (t) {
	case ACCFG_WQT_KERNEL:
		return "kernel";
	case ACCFG_WQT_USER:
		return "user";
	case ACCFG_WQT_NONE:
		return "none";
	default:
		return "unknown";
	}
}

static void probe_wq(struct rt_probe_idxd *x, int dev_idx, struct accfg_wq *wq)
{
	struct rt_probe_wq *w = &x->wqs[x->n_wqs++];
	const char *devname = x->devs[dev_idx].name;
	char path[PATH_MAX], buf[64];
	enum accfg_wq_state state;
	enum accfg_wq_type type;

	w->dev = dev_idx;
	probe_strcpy(w->name, sizeof(w->name), accfg_wq_get_devname(wq));
	/* accfg_wq_get_mode() dereferences NULL when `mode` cannot be read: read it here. */
	snprintf(path, sizeof(path), RT_SYS_DSA "/%s/%s/mode", devname, w->name);
	if (read_attr(path, buf, sizeof(buf)) > 0 &&
	    (!strcmp(buf, "shared") || !strcmp(buf, "dedicated")))
		probe_strcpy(w->mode, sizeof(w->mode), buf);
	else
		probe_strcpy(w->mode, sizeof(w->mode), "unknown");
	type = accfg_wq_get_type(wq);
	probe_strcpy(w->type, sizeof(w->type), wq_type_str(type));
	state = accfg_wq_get_state(wq);
	probe_strcpy(w->state, sizeof(w->state), wq_state_str(state));
	probe_strcpy(w->wq_name, sizeof(w->wq_name), accfg_wq_get_type_name(wq));
	probe_strcpy(w->driver_name, sizeof(w->driver_name), accfg_wq_get_driver_name(wq));
	w->group_id = accfg_wq_get_group_id(wq);
	if (w->group_id < -1)
		w->group_id = -1;
	w->size = sane_u64(accfg_wq_get_size(wq));
	w->priority = (int)sane_ll(accfg_wq_get_priority(wq));
	w->block_on_fault = (int)sane_ll(accfg_wq_get_block_on_fault(wq));
	w->threshold = (int)sane_ll(accfg_wq_get_threshold(wq));
	w->ats_disable = (int)sane_ll(accfg_wq_get_ats_disable(wq));
	w->clients = (int)sane_ll(accfg_wq_get_clients(wq));
	w->max_transfer_size = sane_u64(accfg_wq_get_max_transfer_size(wq));
	w->max_batch_size = sane_uint(accfg_wq_get_max_batch_size(wq));

	/* The cdev exists only while a user WQ is enabled; asking otherwise logs an error. */
	if (type == ACCFG_WQT_USER && state == ACCFG_WQ_ENABLED &&
	    !accfg_wq_get_user_dev_path(wq, path, sizeof(path))) {
		struct rt_probe_node node = { 0 };

		probe_node(&node, path);
		probe_strcpy(w->cdev, sizeof(w->cdev), path);
		w->cdev_readable = node.present && node.readable;
		w->cdev_writable = node.present && node.writable;
	}
}

static void probe_dev(struct rt_probe_idxd *x, struct accfg_device *dev)
{
	int idx = x->n_devs++;
	struct rt_probe_dev *d = &x->devs[idx];
	char path[PATH_MAX], real[PATH_MAX];
	struct accfg_group *group;
	struct accfg_engine *engine;
	struct accfg_wq *wq;

	probe_strcpy(d->name, sizeof(d->name), accfg_device_get_devname(dev));
	switch (accfg_device_get_type(dev)) {
	case ACCFG_DEVICE_DSA:
		probe_strcpy(d->type, sizeof(d->type), "dsa");
		break;
	case ACCFG_DEVICE_IAX:
		probe_strcpy(d->type, sizeof(d->type), "iax");
		break;
	default:
		probe_strcpy(d->type, sizeof(d->type), "unknown");
		break;
	}
	d->version = sane_uint(accfg_device_get_version(dev));
	switch (accfg_device_get_state(dev)) {
	case ACCFG_DEVICE_ENABLED:
		probe_strcpy(d->state, sizeof(d->state), "enabled");
		break;
	case ACCFG_DEVICE_DISABLED:
		probe_strcpy(d->state, sizeof(d->state), "disabled");
		break;
	default:
		probe_strcpy(d->state, sizeof(d->state), "unknown");
		break;
	}
	d->numa_node = (int)sane_ll(accfg_device_get_numa_node(dev));
	d->max_transfer_size = sane_u64(accfg_device_get_max_transfer_size(dev));
	/* The attribute does not exist on IAA; the library then holds -ENOENT. */
	d->max_batch_size = sane_uint(accfg_device_get_max_batch_size(dev));
	d->max_groups = sane_uint(accfg_device_get_max_groups(dev));
	d->max_work_queues = sane_uint(accfg_device_get_max_work_queues(dev));
	d->max_engines = sane_uint(accfg_device_get_max_engines(dev));
	d->max_work_queues_size = sane_uint(accfg_device_get_max_work_queues_size(dev));
	d->configurable = sane_uint(accfg_device_get_configurable(dev));
	/* 3.5.3 returns (bool)char*, true whenever the file is non-empty: read it ourselves. */
	snprintf(path, sizeof(path), RT_SYS_DSA "/%s/pasid_enabled", d->name);
	d->pasid_enabled = (int)sane_ll(read_ll(path));

	/* The device's parent in sysfs is its PCI function. */
	snprintf(path, sizeof(path), RT_SYS_DSA "/%s", d->name);
	if (realpath(path, real)) {
		char *slash = strrchr(real, '/');
		unsigned int dom, bus, dv, fn;
		char tail;

		if (slash) {
			*slash = '\0';
			slash = strrchr(real, '/');
		}
		if (slash && sscanf(slash + 1, "%x:%x:%x.%x%c", &dom, &bus, &dv, &fn, &tail) == 4)
			probe_strcpy(d->pci, sizeof(d->pci), slash + 1);
	}

	accfg_group_foreach(dev, group) d->n_groups++;
	accfg_engine_foreach(dev, engine) d->n_engines++;
	if (!wqs_enumerable(d->name)) {
		if (!x->lib_error[0])
			snprintf(x->lib_error, sizeof(x->lib_error),
				 "%s: a WQ has no readable type attribute; WQs not enumerated",
				 d->name);
		return;
	}
	accfg_wq_foreach(dev, wq)
	{
		d->n_wqs++;
		x->n_wqs_seen++;
		if (x->n_wqs < RT_PROBE_MAX_WQS)
			probe_wq(x, idx, wq);
	}
}

static void probe_idxd(struct rt_probe_idxd *x, const struct rt_probe_os *os)
{
	struct accfg_device *dev;
	struct accfg_ctx *ctx = NULL;
	int ret;

	probe_log_target = x;
	ret = accfg_new(&ctx);
	if (ret < 0 || !ctx) {
		snprintf(x->reason, sizeof(x->reason), "libaccel-config: accfg_new failed: %s",
			 strerror(ret < 0 ? -ret : ENOMEM));
		goto out;
	}
	accfg_set_log_fn(ctx, probe_accfg_log);
	accfg_device_foreach(ctx, dev)
	{
		x->n_devs_seen++;
		if (x->n_devs < RT_PROBE_MAX_DEVS)
			probe_dev(x, dev);
	}
	/* Pairs with accfg_new() */
	accfg_unref(ctx);

	x->found = x->n_devs > 0;
	if (x->found)
		goto out;
	if (!os->sys_bus_dsa)
		snprintf(x->reason, sizeof(x->reason), "no /sys/bus/dsa (idxd driver %s)",
			 os->sys_module_idxd ? "loaded, bus missing" : "not loaded");
	else
		snprintf(x->reason, sizeof(x->reason), "no DSA/IAA devices under " RT_SYS_DSA);
	if (x->lib_error[0])
		reason_add(x->reason, sizeof(x->reason), "libaccel-config: %s", x->lib_error);
out:
	probe_log_target = NULL;
}

/* ---- topology (hwloc, libnuma) -------------------------------------------------------- */

static int nbobjs(hwloc_topology_t topo, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(topo, type);

	return n < 0 ? -1 : n;
}

static void probe_pci_locality(hwloc_topology_t topo, struct rt_probe_dev *d)
{
	unsigned int dom, bus, dv, fn;
	hwloc_obj_t obj;

	if (sscanf(d->pci, "%x:%x:%x.%x", &dom, &bus, &dv, &fn) != 4)
		return;
	obj = hwloc_get_pcidev_by_busid(topo, dom, bus, dv, fn);
	if (!obj)
		return;
	obj = hwloc_get_non_io_ancestor_obj(topo, obj);
	if (obj && obj->cpuset)
		hwloc_bitmap_list_snprintf(d->pci_cpuset, sizeof(d->pci_cpuset), obj->cpuset);
}

static void probe_topo(struct rt_probe_topo *t, struct rt_probe_idxd *x)
{
	hwloc_topology_t topo;
	hwloc_obj_t node = NULL;

	t->numa_nodes = t->packages = t->cores = t->pus = -1;
	t->libnuma_available = numa_available() == 0;
	t->libnuma_max_node = t->libnuma_available ? numa_max_node() : -1;

	if (hwloc_topology_init(&topo)) {
		snprintf(t->reason, sizeof(t->reason), "hwloc_topology_init failed: %s",
			 strerror(errno));
		return;
	}
	/*
	 * PCI discovery costs a sysfs walk: only pay it when there are devices to place. The
	 * linux component reads PCI from sysfs by itself; the libpciaccess-based `pci` plugin
	 * leaks on every load (LeakSanitizer) and the GPU plugins are of no use here.
	 */
	if (x->n_devs) {
		hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
		hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
					      "pci");
		hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
					      "opencl");
		hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "gl");
	}
	if (hwloc_topology_load(topo)) {
		snprintf(t->reason, sizeof(t->reason), "hwloc_topology_load failed: %s",
			 strerror(errno));
		goto out_destroy;
	}
	t->known = true;
	t->numa_nodes = nbobjs(topo, HWLOC_OBJ_NUMANODE);
	t->packages = nbobjs(topo, HWLOC_OBJ_PACKAGE);
	t->cores = nbobjs(topo, HWLOC_OBJ_CORE);
	t->pus = nbobjs(topo, HWLOC_OBJ_PU);
	while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)) &&
	       t->n_numa < RT_PROBE_MAX_NUMA) {
		struct rt_probe_numa *n = &t->numa[t->n_numa++];

		n->os_index = node->os_index == HWLOC_UNKNOWN_INDEX ? -1 : (int)node->os_index;
		if (node->cpuset)
			hwloc_bitmap_list_snprintf(n->cpuset, sizeof(n->cpuset), node->cpuset);
		n->memory = node->attr ? (long long)node->attr->numanode.local_memory : -1;
	}
	for (int i = 0; i < x->n_devs; i++)
		probe_pci_locality(topo, &x->devs[i]);
out_destroy:
	/* Pairs with hwloc_topology_init() */
	hwloc_topology_destroy(topo);
}

/* ---- verdicts ------------------------------------------------------------------------- */

static bool cpu_enqcmd(const struct rt_probe_cpu *cpu)
{
	/* Without the kernel's ENQCMD support a user ENQCMD faults for want of a PASID. */
	return cpu->enqcmd && cpu->os_enqcmd != 0;
}

static void reason_cpu(char *buf, size_t len, const struct rt_probe_cpu *cpu, bool need_enq,
		       bool need_mov)
{
	bool enq = cpu_enqcmd(cpu);

	if (need_enq && need_mov && !enq && !cpu->movdir64b) {
		if (cpu->enqcmd)
			reason_add(buf, len, "CPU lacks MOVDIR64B; kernel has ENQCMD disabled");
		else
			reason_add(buf, len, "CPU lacks ENQCMD and MOVDIR64B");
	} else if (need_enq && !enq) {
		reason_add(buf, len,
			   cpu->enqcmd ? "kernel has ENQCMD disabled" : "CPU lacks ENQCMD");
	} else if (need_mov && !cpu->movdir64b) {
		reason_add(buf, len, "CPU lacks MOVDIR64B");
	}
}

static void verdict_idxd(struct rt_probe *p)
{
	struct rt_probe_verdict *v = &p->plat[RT_PROBE_IDXD];
	const struct rt_probe_os *os = &p->os;
	int n_user = 0, n_access = 0, n_usable = 0, n_busy = 0;
	bool shared = false, dedicated = false;
	char list[RT_PROBE_REASON_LEN] = "";

	for (int i = 0; i < p->idxd.n_wqs; i++) {
		struct rt_probe_wq *w = &p->idxd.wqs[i];
		bool is_shared = !strcmp(w->mode, "shared");
		bool is_ded = !strcmp(w->mode, "dedicated");

		if (strcmp(w->type, "user") || strcmp(w->state, "enabled") || !w->cdev[0])
			continue;
		n_user++;
		if (!w->cdev_readable || !w->cdev_writable)
			continue;
		/* A dedicated WQ takes one open file system-wide: open() gets EBUSY. */
		if (is_ded && w->clients > 0) {
			n_busy++;
			continue;
		}
		n_access++;
		shared |= is_shared;
		dedicated |= is_ded;
		w->usable = (is_shared && cpu_enqcmd(&p->cpu)) || (is_ded && p->cpu.movdir64b);
		if (!w->usable)
			continue;
		n_usable++;
		reason_add(list, sizeof(list), "%s (%s, %s)", w->cdev, w->mode,
			   is_shared ? "ENQCMD" : "MOVDIR64B");
	}

	if (n_usable) {
		v->usable = true;
		/*
		 * Kernels with the INTEL-SA-01084 fix (6.9.1+, stable backports) refuse portal
		 * mmap without CAP_SYS_RAWIO and offer write() on the cdev instead. The kernel
		 * submits those with the same instruction, so the rule above still holds.
		 */
		reason_add(v->reason, sizeof(v->reason), "%d usable WQ%s, submission %s: %s",
			   n_usable, n_usable > 1 ? "s" : "",
			   os->cap_sys_rawio == 1 ? "by portal (CAP_SYS_RAWIO)" :
						    "by write() on the cdev (no CAP_SYS_RAWIO for "
						    "portal mmap)",
			   list);
		return;
	}

	if (!os->sys_bus_dsa)
		reason_add(v->reason, sizeof(v->reason), "no /sys/bus/dsa (idxd driver %s)",
			   os->sys_module_idxd ? "loaded, bus missing" : "not loaded");
	else if (!p->idxd.found)
		reason_add(v->reason, sizeof(v->reason), "no DSA/IAA devices");
	if (!os->n_wq_nodes)
		reason_add(v->reason, sizeof(v->reason), "no /dev/dsa or /dev/iax work queues");
	else if (!n_user)
		reason_add(v->reason, sizeof(v->reason), "no enabled user WQ with a cdev");
	if (n_user && !n_access && !n_busy)
		reason_add(v->reason, sizeof(v->reason),
			   "no WQ cdev with read+write access for uid %u", os->euid);
	if (n_busy && !n_access)
		reason_add(v->reason, sizeof(v->reason), "every accessible dedicated WQ is in use");
	if (n_access)
		reason_cpu(v->reason, sizeof(v->reason), &p->cpu, shared, dedicated);
	else
		/* No WQ to judge by: name what is missing for either mode. */
		reason_cpu(v->reason, sizeof(v->reason), &p->cpu, true, true);
}

static void verdict_vfio(struct rt_probe *p)
{
	struct rt_probe_verdict *v = &p->plat[RT_PROBE_VFIO];
	const struct rt_probe_os *os = &p->os;
	const struct rt_probe_node *io = &os->iommu;
	bool iommu_ok = io->present && io->is_chr && io->readable && io->writable;
	/*
	 * MOVDIR64B only: svart's PASID is not the kernel's IA32_PASID, so an ENQCMD could not
	 * carry it; the vfio platform programs dedicated WQs with the PASID (rt_plat_vfio.c).
	 */
	bool cpu_ok = p->cpu.movdir64b;
	char list[RT_PROBE_REASON_LEN] = "";
	int n_access = 0;

	for (int i = 0; i < os->n_vfio; i++) {
		const struct rt_probe_node *n = &os->vfio[i];

		if (!n->is_chr || !n->readable || !n->writable)
			continue;
		n_access++;
		if (n->vendor >= 0 && n->device >= 0)
			reason_add(list, sizeof(list), "%s (%s %04x:%04x)", n->path, n->pci,
				   n->vendor, n->device);
		else
			reason_add(list, sizeof(list), "%s", n->path);
	}

	if (iommu_ok && n_access && cpu_ok) {
		v->usable = true;
		reason_add(v->reason, sizeof(v->reason), "iommufd; %d VFIO device%s: %s", n_access,
			   n_access > 1 ? "s" : "", list);
		reason_add(v->reason, sizeof(v->reason),
			   "submission: MOVDIR64B to dedicated WQs svart configures");
		return;
	}
	if (!io->present)
		reason_add(v->reason, sizeof(v->reason), "no /dev/iommu");
	else if (!io->is_chr)
		reason_add(v->reason, sizeof(v->reason), "/dev/iommu is not a character device");
	else if (!io->readable || !io->writable)
		reason_add(v->reason, sizeof(v->reason),
			   "/dev/iommu not readable+writable for uid %u", os->euid);
	if (!os->n_vfio)
		reason_add(v->reason, sizeof(v->reason),
			   "no VFIO device cdevs (/dev/vfio/devices/vfio*)");
	else if (!n_access)
		reason_add(v->reason, sizeof(v->reason),
			   "no VFIO device cdev with read+write access for uid %u", os->euid);
	if (!cpu_ok)
		reason_cpu(v->reason, sizeof(v->reason), &p->cpu, false, true);
}

void rt_probe_judge(struct rt_probe *p)
{
	memset(p->plat, 0, sizeof(p->plat));
	for (int i = 0; i < p->idxd.n_wqs; i++)
		p->idxd.wqs[i].usable = false;

	p->plat[RT_PROBE_SIM].usable = true;
	probe_strcpy(p->plat[RT_PROBE_SIM].reason, sizeof(p->plat[RT_PROBE_SIM].reason),
		     "embedded simulator");
	verdict_idxd(p);
	verdict_vfio(p);
	/* Real hardware first, the kernel-managed path before the userspace-driver one. */
	if (p->plat[RT_PROBE_IDXD].usable)
		p->auto_pick = RT_PROBE_IDXD;
	else if (p->plat[RT_PROBE_VFIO].usable)
		p->auto_pick = RT_PROBE_VFIO;
	else
		p->auto_pick = RT_PROBE_SIM;
}

int rt_probe(struct rt_probe *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	probe_cpu(&out->cpu);
	probe_cpuinfo(&out->cpu);
	probe_os(&out->os);
	probe_idxd(&out->idxd, &out->os);
	probe_topo(&out->topo, &out->idxd);
	rt_probe_judge(out);
	return 0;
}
