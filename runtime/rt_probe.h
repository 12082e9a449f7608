/* SPDX-License-Identifier: MIT */
/*
 * Platform probe: what this host offers to svart. CPU instructions (CPUID), the kernel's
 * interfaces (/dev/iommu, VFIO device cdevs, idxd work queue cdevs, sysfs), the idxd devices
 * and work queues libaccel-config sees, the hwloc topology, and for each platform (sim, idxd,
 * vfio) whether it can run here and, if not, every piece that is missing.
 *
 * The result is one plain struct of fixed-size arrays: nothing to free, safe to copy. It is
 * large (tens of KiB), so allocate it rather than putting it on a small stack. "Unknown" is
 * -1 in integer fields and "" in strings; missing hardware is an answer, never an error.
 */
#ifndef SVART_RUNTIME_RT_PROBE_H
#define SVART_RUNTIME_RT_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#define RT_PROBE_NAME_LEN 32
#define RT_PROBE_PATH_LEN 64
#define RT_PROBE_REASON_LEN 512
#define RT_PROBE_CPUSET_LEN 128

#define RT_PROBE_MAX_WQ_NODES 64 /* entries of /dev/dsa plus /dev/iax */
#define RT_PROBE_MAX_VFIO 32 /* entries of /dev/vfio/devices */
#define RT_PROBE_MAX_DEVS 32 /* idxd devices (dsaN, iaxN) */
#define RT_PROBE_MAX_WQS 256 /* idxd work queues, all devices together */
#define RT_PROBE_MAX_NUMA 64 /* NUMA nodes listed one by one */

enum rt_probe_plat {
	RT_PROBE_SIM,
	RT_PROBE_IDXD,
	RT_PROBE_VFIO,
	RT_PROBE_NPLAT,
};

struct rt_probe_cpu {
	char vendor[13]; /* CPUID leaf 0, e.g. "GenuineIntel" */
	char model[49]; /* brand string, leaves 0x80000002..4; "" if absent */
	int family, model_id, stepping; /* leaf 1, display values; -1 if unknown */
	bool hypervisor; /* leaf 1 ECX[31] */
	unsigned int max_leaf;
	/* CPUID.(EAX=7,ECX=0):ECX; false when leaf 7 does not exist. */
	bool enqcmd; /* bit 29 */
	bool movdir64b; /* bit 28 */
	bool movdiri; /* bit 27 */
	bool waitpkg; /* bit 5 */
	/*
	 * The same features as the kernel reports them in /proc/cpuinfo (1/0, -1 unknown). They
	 * can differ from CPUID: the kernel clears ENQCMD when it cannot support it, and then a
	 * user ENQCMD gets no PASID fixup (SIGSEGV instead).
	 */
	int os_enqcmd, os_movdir64b, os_movdiri, os_waitpkg;
};

/* One /dev entry. */
struct rt_probe_node {
	char path[RT_PROBE_PATH_LEN];
	bool present;
	bool is_chr;
	bool readable, writable; /* for the effective user (faccessat AT_EACCESS) */
	/* VFIO device cdevs only: the PCI function behind it ("" / -1 if unknown). */
	char pci[RT_PROBE_NAME_LEN];
	int vendor, device;
};

struct rt_probe_os {
	char kernel[65]; /* uname release */
	char machine[65];
	unsigned int euid;
	bool root;
	int cap_sys_rawio; /* effective CAP_SYS_RAWIO: 1/0, -1 unknown */
	int unprivileged_userfaultfd; /* /proc/sys/vm/unprivileged_userfaultfd, -1 unknown */
	bool sys_bus_dsa; /* /sys/bus/dsa */
	bool sys_module_idxd; /* /sys/module/idxd */
	struct rt_probe_node iommu; /* /dev/iommu */
	int n_vfio; /* stored entries of /dev/vfio/devices */
	int n_vfio_seen; /* > n_vfio when the array was too small */
	struct rt_probe_node vfio[RT_PROBE_MAX_VFIO];
	int n_wq_nodes; /* stored entries of /dev/dsa and /dev/iax */
	int n_wq_nodes_seen;
	struct rt_probe_node wq_nodes[RT_PROBE_MAX_WQ_NODES];
};

struct rt_probe_wq {
	int dev; /* index into rt_probe_idxd.devs */
	char name[RT_PROBE_NAME_LEN]; /* "wq0.1" */
	char mode[12]; /* "shared", "dedicated", "unknown" */
	char type[8]; /* "user", "kernel", "none" */
	char state[12]; /* "enabled", "disabled", "quiescing", "locked", "unknown" */
	char wq_name[RT_PROBE_NAME_LEN]; /* the WQ's name attribute */
	char driver_name[RT_PROBE_NAME_LEN];
	int group_id;
	long long size;
	int priority, block_on_fault, threshold, ats_disable, clients;
	long long max_transfer_size;
	long long max_batch_size;
	char cdev[RT_PROBE_PATH_LEN]; /* "" when libaccel-config finds none */
	bool cdev_readable, cdev_writable;
	/* Enabled user WQ, cdev read+write, the CPU has the instruction for its mode. */
	bool usable;
};

struct rt_probe_dev {
	char name[RT_PROBE_NAME_LEN]; /* "dsa0" */
	char type[8]; /* "dsa", "iax", "unknown" */
	int version; /* 0x100, 0x200; -1 unknown */
	char state[12]; /* "enabled", "disabled", "unknown" */
	int numa_node; /* -1: none or unknown */
	long long max_transfer_size;
	long long max_batch_size; /* -1 on IAA (no such attribute) */
	int max_groups, max_work_queues, max_engines, max_work_queues_size;
	int configurable;
	int pasid_enabled; /* read from sysfs: libaccel-config 3.5.3 gets it wrong */
	int n_groups, n_engines, n_wqs;
	char pci[RT_PROBE_NAME_LEN]; /* "0000:6a:01.0", "" unknown */
	char pci_cpuset[RT_PROBE_CPUSET_LEN]; /* CPUs local to it (hwloc), "" unknown */
};

struct rt_probe_idxd {
	bool found; /* at least one device */
	char reason[RT_PROBE_REASON_LEN]; /* why none was found */
	char lib_error[RT_PROBE_REASON_LEN]; /* first error libaccel-config logged, or "" */
	int n_devs, n_devs_seen;
	struct rt_probe_dev devs[RT_PROBE_MAX_DEVS];
	int n_wqs, n_wqs_seen;
	struct rt_probe_wq wqs[RT_PROBE_MAX_WQS];
};

struct rt_probe_numa {
	int os_index;
	char cpuset[RT_PROBE_CPUSET_LEN]; /* list form, "0-1,4" */
	long long memory; /* local memory in bytes, -1 unknown */
};

struct rt_probe_topo {
	bool known; /* hwloc loaded a topology */
	char reason[RT_PROBE_REASON_LEN]; /* why not */
	int numa_nodes, packages, cores, pus;
	int n_numa;
	struct rt_probe_numa numa[RT_PROBE_MAX_NUMA];
	int libnuma_available; /* numa_available() == 0: 1/0 */
	int libnuma_max_node; /* -1 unless available */
};

struct rt_probe_verdict {
	bool usable;
	/* Usable: what it would use. Not usable: every missing piece, "; "-separated. */
	char reason[RT_PROBE_REASON_LEN];
};

struct rt_probe {
	struct rt_probe_cpu cpu;
	struct rt_probe_os os;
	struct rt_probe_idxd idxd;
	struct rt_probe_topo topo;
	struct rt_probe_verdict plat[RT_PROBE_NPLAT];
	enum rt_probe_plat auto_pick; /* what SVART_PLATFORM_AUTO would choose */
};

/**
 * rt_probe() - probe this host.
 * @out: filled completely (zeroed first).
 *
 * Reads CPUID, /proc, /sys and /dev, and asks libaccel-config and hwloc. Touches no device
 * beyond what libaccel-config does on enumeration (as root, 3.5.3 writes each device's
 * cmd_status, which clears it). Missing hardware, drivers or sysfs entries are recorded, not
 * returned as errors.
 *
 * Return: 0, or -EINVAL if @out is NULL.
 */
int rt_probe(struct rt_probe *out);

/**
 * rt_probe_judge() - decide the platform verdicts from the facts in a probe.
 * @p: a probe whose cpu, os and idxd parts are filled (by rt_probe(), or by hand in a test).
 *
 * Rewrites @p->plat, @p->auto_pick and each WQ's usable flag; reads nothing else.
 */
void rt_probe_judge(struct rt_probe *p);

/**
 * rt_probe_plat_name() - "sim", "idxd" or "vfio".
 * @plat: a platform.
 *
 * Return: a static string; "unknown" for a value out of range.
 */
const char *rt_probe_plat_name(enum rt_probe_plat plat);

#endif /* SVART_RUNTIME_RT_PROBE_H */
