// SPDX-License-Identifier: MIT
/*
 * svart info: what this host offers. CPU features, kernel interfaces, idxd devices and work
 * queues, topology, and for each platform whether it can run here and why not. A host without
 * any accelerator is a normal answer (exit 0): the simulator always runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svart.h"
#include "runtime/rt_probe.h"
#include "tools/cli.h"
#include "tools/json.h"

#define LABEL_W 28

static void info_usage(FILE *f)
{
	fprintf(f, "usage: svart info [--json]\n\n"
		   "Shows this host's platform: CPU features (ENQCMD, MOVDIR64B, ...), kernel\n"
		   "interfaces (/dev/iommu, VFIO and idxd cdevs), idxd devices and work queues,\n"
		   "NUMA topology, and which platforms (sim, idxd, vfio) can run, and why not.\n\n"
		   "  --json    one JSON object with the same facts\n"
		   "  --help    this text\n");
}

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

/* 1/0/-1 as yes/no/unknown. */
static const char *tri(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

static const char *access_str(bool r, bool w)
{
	return r && w ? "rw" : r ? "r-" : w ? "-w" : "--";
}

/* An integer column: "-" for unknown (-1). */
static const char *num(char *buf, size_t len, long long v)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%lld", v);
	return buf;
}

static void print_node(const struct rt_probe_node *n)
{
	if (!n->present) {
		printf("  %-*s absent\n", LABEL_W, n->path);
		return;
	}
	printf("  %-*s %s, %s", LABEL_W, n->path, n->is_chr ? "char device" : "not a char device",
	       access_str(n->readable, n->writable));
	if (n->pci[0] || n->vendor >= 0) {
		printf(", PCI %s", n->pci[0] ? n->pci : "?");
		if (n->vendor >= 0 && n->device >= 0)
			printf(" [%04x:%04x]", n->vendor, n->device);
	}
	printf("\n");
}

static void print_nodes(const char *label, const struct rt_probe_node *nodes, int n, int seen)
{
	if (!n) {
		printf("  %-*s none\n", LABEL_W, label);
		return;
	}
	for (int i = 0; i < n; i++)
		print_node(&nodes[i]);
	if (seen > n)
		printf("  %-*s %d more not shown\n", LABEL_W, "", seen - n);
}

static void print_cpu(const struct rt_probe_cpu *c)
{
	struct {
		const char *name;
		bool cpuid;
		int os;
	} feats[] = {
		{ "ENQCMD", c->enqcmd, c->os_enqcmd },
		{ "MOVDIR64B", c->movdir64b, c->os_movdir64b },
		{ "MOVDIRI", c->movdiri, c->os_movdiri },
		{ "WAITPKG", c->waitpkg, c->os_waitpkg },
	};

	printf("CPU\n");
	printf("  %-*s %s\n", LABEL_W, "vendor", c->vendor[0] ? c->vendor : "unknown");
	printf("  %-*s %s\n", LABEL_W, "model", c->model[0] ? c->model : "unknown");
	printf("  %-*s family %d, model %d, stepping %d%s\n", LABEL_W, "signature", c->family,
	       c->model_id, c->stepping, c->hypervisor ? " (under a hypervisor)" : "");
	printf("  %-*s %-8s %s\n", LABEL_W, "feature", "CPUID", "kernel (/proc/cpuinfo)");
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		printf("  %-*s %-8s %s\n", LABEL_W, feats[i].name, yesno(feats[i].cpuid),
		       tri(feats[i].os));
}

static void print_os(const struct rt_probe_os *os)
{
	char buf[32];

	printf("\nOS interfaces\n");
	printf("  %-*s %s (%s)\n", LABEL_W, "kernel", os->kernel[0] ? os->kernel : "unknown",
	       os->machine[0] ? os->machine : "?");
	printf("  %-*s uid %u%s, CAP_SYS_RAWIO %s\n", LABEL_W, "user", os->euid,
	       os->root ? " (root)" : "", tri(os->cap_sys_rawio));
	printf("  %-*s %s\n", LABEL_W, "vm.unprivileged_userfaultfd",
	       os->unprivileged_userfaultfd < 0 ?
		       "unknown" :
		       num(buf, sizeof(buf), os->unprivileged_userfaultfd));
	printf("  %-*s %s\n", LABEL_W, "/sys/bus/dsa", os->sys_bus_dsa ? "present" : "absent");
	printf("  %-*s %s\n", LABEL_W, "/sys/module/idxd",
	       os->sys_module_idxd ? "present" : "absent");
	print_node(&os->iommu);
	print_nodes("/dev/vfio/devices/*", os->vfio, os->n_vfio, os->n_vfio_seen);
	print_nodes("/dev/dsa/*, /dev/iax/*", os->wq_nodes, os->n_wq_nodes, os->n_wq_nodes_seen);
}

static void print_idxd(const struct rt_probe_idxd *x)
{
	char b[12][24];

	printf("\nidxd devices and work queues (libaccel-config)\n");
	if (!x->found) {
		printf("  none found: %s\n", x->reason);
		return;
	}
	printf("  %-8s %-4s %-6s %-9s %-4s %-13s %-10s %-5s %-4s %-11s %-9s %-6s %-7s %s\n",
	       "DEVICE", "TYPE", "VER", "STATE", "NUMA", "PCI", "LOCAL_CPUS", "PASID", "CFG",
	       "MAX_XFER", "MAX_BATCH", "GROUPS", "ENGINES", "WQS");
	for (int i = 0; i < x->n_devs; i++) {
		const struct rt_probe_dev *d = &x->devs[i];
		char ver[16];

		if (d->version < 0)
			snprintf(ver, sizeof(ver), "-");
		else
			snprintf(ver, sizeof(ver), "%#x", d->version);
		printf("  %-8s %-4s %-6s %-9s %-4s %-13s %-10s %-5s %-4s %-11s %-9s %-6d %-7d %d\n",
		       d->name, d->type, ver, d->state, num(b[0], 24, d->numa_node),
		       d->pci[0] ? d->pci : "-", d->pci_cpuset[0] ? d->pci_cpuset : "-",
		       d->pasid_enabled < 0 ? "-" : yesno(d->pasid_enabled),
		       d->configurable < 0 ? "-" : yesno(d->configurable),
		       num(b[1], 24, d->max_transfer_size), num(b[2], 24, d->max_batch_size),
		       d->n_groups, d->n_engines, d->n_wqs);
	}
	if (x->n_devs_seen > x->n_devs)
		printf("  (%d more devices not shown)\n", x->n_devs_seen - x->n_devs);

	printf("\n  %-14s %-9s %-6s %-9s %-4s %-4s %-3s %-3s %-3s %-7s %-10s %-9s %-16s %-6s %s\n",
	       "WQ", "MODE", "TYPE", "STATE", "SIZE", "PRIO", "BOF", "THR", "ATS", "CLIENTS",
	       "MAX_XFER", "MAX_BATCH", "CDEV", "ACCESS", "USABLE");
	for (int i = 0; i < x->n_wqs; i++) {
		const struct rt_probe_wq *w = &x->wqs[i];
		char name[2 * RT_PROBE_NAME_LEN + 2];

		snprintf(name, sizeof(name), "%s/%s", x->devs[w->dev].name, w->name);
		printf("  %-14s %-9s %-6s %-9s %-4s %-4s %-3s %-3s %-3s %-7s %-10s %-9s %-16s %-6s "
		       "%s\n",
		       name, w->mode, w->type, w->state, num(b[0], 24, w->size),
		       num(b[1], 24, w->priority), num(b[2], 24, w->block_on_fault),
		       num(b[3], 24, w->threshold), num(b[4], 24, w->ats_disable),
		       num(b[5], 24, w->clients), num(b[6], 24, w->max_transfer_size),
		       num(b[7], 24, w->max_batch_size), w->cdev[0] ? w->cdev : "-",
		       w->cdev[0] ? access_str(w->cdev_readable, w->cdev_writable) : "-",
		       yesno(w->usable));
	}
	if (!x->n_wqs)
		printf("  (no work queues)\n");
	if (x->n_wqs_seen > x->n_wqs)
		printf("  (%d more work queues not shown)\n", x->n_wqs_seen - x->n_wqs);
	if (x->lib_error[0])
		printf("  libaccel-config reported: %s\n", x->lib_error);
}

static void print_topo(const struct rt_probe_topo *t)
{
	char b[4][24];

	printf("\nTopology (hwloc)\n");
	if (!t->known) {
		printf("  unknown: %s\n", t->reason);
	} else {
		printf("  %-*s NUMA nodes %s, packages %s, cores %s, PUs %s\n", LABEL_W, "machine",
		       num(b[0], 24, t->numa_nodes), num(b[1], 24, t->packages),
		       num(b[2], 24, t->cores), num(b[3], 24, t->pus));
		for (int i = 0; i < t->n_numa; i++) {
			const struct rt_probe_numa *n = &t->numa[i];
			char label[32];

			snprintf(label, sizeof(label), "node %d", n->os_index);
			printf("  %-*s cpus %s", LABEL_W, label, n->cpuset[0] ? n->cpuset : "none");
			if (n->memory >= 0)
				printf(", memory %.1f GiB", (double)n->memory / (1ull << 30));
			printf("\n");
		}
	}
	if (t->libnuma_available)
		printf("  %-*s available, max node %d\n", LABEL_W, "libnuma", t->libnuma_max_node);
	else
		printf("  %-*s not available (no NUMA support in this kernel)\n", LABEL_W,
		       "libnuma");
}

static void print_platforms(const struct rt_probe *p)
{
	printf("\nPlatforms\n");
	for (int i = 0; i < RT_PROBE_NPLAT; i++)
		printf("  %-6s %-11s %s\n", rt_probe_plat_name(i),
		       p->plat[i].usable ? "usable" : "not usable", p->plat[i].reason);
	printf("  %-6s %s\n", "auto", rt_probe_plat_name(p->auto_pick));
}

/* ---- JSON ----------------------------------------------------------------------------- */

/* -1 (unknown) as null. */
static void json_num(struct json *j, const char *key, long long v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_int(j, key, v);
}

static void json_tri(struct json *j, const char *key, int v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_bool(j, key, v);
}

/* "" as null. */
static void json_opt_str(struct json *j, const char *key, const char *s)
{
	json_str(j, key, s[0] ? s : NULL);
}

static void json_node(struct json *j, const char *key, const struct rt_probe_node *n, bool vfio)
{
	json_obj_begin(j, key);
	json_str(j, "path", n->path);
	json_bool(j, "present", n->present);
	json_bool(j, "char_device", n->is_chr);
	json_bool(j, "readable", n->readable);
	json_bool(j, "writable", n->writable);
	if (vfio) {
		json_opt_str(j, "pci", n->pci);
		json_num(j, "vendor", n->vendor);
		json_num(j, "device", n->device);
	}
	json_obj_end(j);
}

static void json_cpu(struct json *j, const struct rt_probe_cpu *c)
{
	json_obj_begin(j, "cpu");
	json_opt_str(j, "vendor", c->vendor);
	json_opt_str(j, "model", c->model);
	json_num(j, "family", c->family);
	json_num(j, "model_id", c->model_id);
	json_num(j, "stepping", c->stepping);
	json_bool(j, "hypervisor", c->hypervisor);
	json_uint(j, "max_leaf", c->max_leaf);
	json_obj_begin(j, "cpuid");
	json_bool(j, "enqcmd", c->enqcmd);
	json_bool(j, "movdir64b", c->movdir64b);
	json_bool(j, "movdiri", c->movdiri);
	json_bool(j, "waitpkg", c->waitpkg);
	json_obj_end(j);
	json_obj_begin(j, "kernel_flags");
	json_tri(j, "enqcmd", c->os_enqcmd);
	json_tri(j, "movdir64b", c->os_movdir64b);
	json_tri(j, "movdiri", c->os_movdiri);
	json_tri(j, "waitpkg", c->os_waitpkg);
	json_obj_end(j);
	json_obj_end(j);
}

static void json_os(struct json *j, const struct rt_probe_os *os)
{
	json_obj_begin(j, "os");
	json_opt_str(j, "kernel", os->kernel);
	json_opt_str(j, "machine", os->machine);
	json_uint(j, "euid", os->euid);
	json_bool(j, "root", os->root);
	json_tri(j, "cap_sys_rawio", os->cap_sys_rawio);
	json_num(j, "unprivileged_userfaultfd", os->unprivileged_userfaultfd);
	json_bool(j, "sys_bus_dsa", os->sys_bus_dsa);
	json_bool(j, "sys_module_idxd", os->sys_module_idxd);
	json_node(j, "iommu", &os->iommu, false);
	json_arr_begin(j, "vfio_devices");
	for (int i = 0; i < os->n_vfio; i++)
		json_node(j, NULL, &os->vfio[i], true);
	json_arr_end(j);
	json_int(j, "vfio_devices_seen", os->n_vfio_seen);
	json_arr_begin(j, "wq_cdevs");
	for (int i = 0; i < os->n_wq_nodes; i++)
		json_node(j, NULL, &os->wq_nodes[i], false);
	json_arr_end(j);
	json_int(j, "wq_cdevs_seen", os->n_wq_nodes_seen);
	json_obj_end(j);
}

static void json_wq(struct json *j, const struct rt_probe_wq *w)
{
	json_obj_begin(j, NULL);
	json_str(j, "name", w->name);
	json_str(j, "mode", w->mode);
	json_str(j, "type", w->type);
	json_str(j, "state", w->state);
	json_opt_str(j, "wq_name", w->wq_name);
	json_opt_str(j, "driver_name", w->driver_name);
	json_num(j, "group_id", w->group_id);
	json_num(j, "size", w->size);
	json_num(j, "priority", w->priority);
	json_num(j, "block_on_fault", w->block_on_fault);
	json_num(j, "threshold", w->threshold);
	json_num(j, "ats_disable", w->ats_disable);
	json_num(j, "clients", w->clients);
	json_num(j, "max_transfer_size", w->max_transfer_size);
	json_num(j, "max_batch_size", w->max_batch_size);
	json_opt_str(j, "cdev", w->cdev);
	json_bool(j, "cdev_readable", w->cdev_readable);
	json_bool(j, "cdev_writable", w->cdev_writable);
	json_bool(j, "usable", w->usable);
	json_obj_end(j);
}

static void json_idxd(struct json *j, const struct rt_probe_idxd *x)
{
	json_obj_begin(j, "idxd");
	json_bool(j, "found", x->found);
	json_str(j, "reason", x->found ? NULL : x->reason);
	json_opt_str(j, "lib_error", x->lib_error);
	json_int(j, "devices_seen", x->n_devs_seen);
	json_int(j, "wqs_seen", x->n_wqs_seen);
	json_arr_begin(j, "devices");
	for (int i = 0; i < x->n_devs; i++) {
		const struct rt_probe_dev *d = &x->devs[i];

		json_obj_begin(j, NULL);
		json_str(j, "name", d->name);
		json_str(j, "type", d->type);
		json_num(j, "version", d->version);
		json_str(j, "state", d->state);
		json_num(j, "numa_node", d->numa_node);
		json_opt_str(j, "pci", d->pci);
		json_opt_str(j, "pci_local_cpus", d->pci_cpuset);
		json_tri(j, "pasid_enabled", d->pasid_enabled);
		json_tri(j, "configurable", d->configurable);
		json_num(j, "max_transfer_size", d->max_transfer_size);
		json_num(j, "max_batch_size", d->max_batch_size);
		json_num(j, "max_groups", d->max_groups);
		json_num(j, "max_work_queues", d->max_work_queues);
		json_num(j, "max_engines", d->max_engines);
		json_num(j, "max_work_queues_size", d->max_work_queues_size);
		json_int(j, "groups", d->n_groups);
		json_int(j, "engines", d->n_engines);
		json_arr_begin(j, "wqs");
		for (int k = 0; k < x->n_wqs; k++)
			if (x->wqs[k].dev == i)
				json_wq(j, &x->wqs[k]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_topo(struct json *j, const struct rt_probe_topo *t)
{
	json_obj_begin(j, "topology");
	json_bool(j, "known", t->known);
	json_str(j, "reason", t->known ? NULL : t->reason);
	json_num(j, "numa_nodes", t->numa_nodes);
	json_num(j, "packages", t->packages);
	json_num(j, "cores", t->cores);
	json_num(j, "pus", t->pus);
	json_arr_begin(j, "numa");
	for (int i = 0; i < t->n_numa; i++) {
		json_obj_begin(j, NULL);
		json_num(j, "os_index", t->numa[i].os_index);
		json_str(j, "cpus", t->numa[i].cpuset);
		json_num(j, "memory", t->numa[i].memory);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_bool(j, "libnuma_available", t->libnuma_available);
	json_num(j, "libnuma_max_node", t->libnuma_max_node);
	json_obj_end(j);
}

static int print_json(const struct rt_probe *p)
{
	struct json j;
	int ret;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "svart_version", svart_version());
	json_cpu(&j, &p->cpu);
	json_os(&j, &p->os);
	json_idxd(&j, &p->idxd);
	json_topo(&j, &p->topo);
	json_obj_begin(&j, "platforms");
	for (int i = 0; i < RT_PROBE_NPLAT; i++) {
		json_obj_begin(&j, rt_probe_plat_name(i));
		json_bool(&j, "usable", p->plat[i].usable);
		json_str(&j, "reason", p->plat[i].reason);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_str(&j, "auto", rt_probe_plat_name(p->auto_pick));
	json_obj_end(&j);
	ret = json_end(&j);
	if (ret) {
		fprintf(stderr, "svart info: writing JSON failed: %s\n", svart_strerror(ret));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	struct rt_probe *p;
	bool json = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			info_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			fprintf(stderr, "svart info: unknown option '%s'\n\n", argv[i]);
			info_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}

	/* Tens of KiB: not for the stack. */
	p = calloc(1, sizeof(*p));
	if (!p) {
		fprintf(stderr, "svart info: out of memory\n");
		return CLI_EXIT_FAIL;
	}
	ret = rt_probe(p);
	if (ret) {
		fprintf(stderr, "svart info: probe failed: %s\n", svart_strerror(ret));
		free(p);
		return CLI_EXIT_FAIL;
	}
	if (json) {
		ret = print_json(p);
	} else {
		printf("svart %s: platform probe\n\n", svart_version());
		print_cpu(&p->cpu);
		print_os(&p->os);
		print_idxd(&p->idxd);
		print_topo(&p->topo);
		print_platforms(p);
		ret = fflush(stdout) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	free(p);
	return ret;
}
