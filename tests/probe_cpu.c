// SPDX-License-Identifier: MIT
/*
 * rt_probe() on this host, checked against independent references: the CPU flags the kernel
 * prints in /proc/cpuinfo, stat() of the device nodes, uname(), /proc/self/status. Assertions
 * about what is missing are conditional on what this host really lacks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "runtime/rt_probe.h"
#include "t_helpers.h"

static char cpuinfo_flags[8192];
static char cpuinfo_vendor[64];

/* The first "flags" and "vendor_id" lines of /proc/cpuinfo; false if there is no flags line. */
static bool read_cpuinfo(void)
{
	char line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		if (!strncmp(line, "vendor_id", 9) && !cpuinfo_vendor[0])
			sscanf(colon + 1, " %63s", cpuinfo_vendor);
		if (!strncmp(line, "flags", 5) && !found) {
			/* Pad with spaces so " name " matches whole words only. */
			snprintf(cpuinfo_flags, sizeof(cpuinfo_flags), " %s ", colon + 1);
			for (char *c = cpuinfo_flags; *c; c++)
				if (*c == '\n' || *c == '\t')
					*c = ' ';
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool has_flag(const char *name)
{
	char word[64];

	snprintf(word, sizeof(word), " %s ", name);
	return strstr(cpuinfo_flags, word) != NULL;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Entries other than . and .. in @dir (0 if it does not exist). */
static int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* CapEff from /proc/self/status, bit 17 (CAP_SYS_RAWIO); -1 if unreadable. */
static int capeff_rawio(void)
{
	char line[256];
	unsigned long long eff;
	FILE *f = fopen("/proc/self/status", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			ret = (eff >> 17) & 1;
	fclose(f);
	return ret;
}

static void check_cpu(const struct rt_probe *p)
{
	static const struct {
		const char *flag;
		size_t off;
	} feats[] = {
		{ "enqcmd", offsetof(struct rt_probe_cpu, enqcmd) },
		{ "movdir64b", offsetof(struct rt_probe_cpu, movdir64b) },
		{ "movdiri", offsetof(struct rt_probe_cpu, movdiri) },
		{ "waitpkg", offsetof(struct rt_probe_cpu, waitpkg) },
	};
	const int os[] = { p->cpu.os_enqcmd, p->cpu.os_movdir64b, p->cpu.os_movdiri,
			   p->cpu.os_waitpkg };

	T_STREQ(p->cpu.vendor, cpuinfo_vendor);
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		bool cpuid = *(const bool *)((const char *)&p->cpu + feats[i].off);
		bool kernel = has_flag(feats[i].flag);

		printf("%-10s CPUID %d, /proc/cpuinfo %d\n", feats[i].flag, cpuid, kernel);
		/* The probe's own reading of the kernel's flags. */
		T_EQ(os[i], kernel);
		/* The kernel never reports a feature CPUID lacks. */
		if (kernel)
			T_CHECK(cpuid);
		/*
		 * The converse holds too, except for ENQCMD: the kernel clears it when it cannot
		 * support it (no IOMMU SVA, or kernels that disabled it outright).
		 */
		if (cpuid && !kernel && strcmp(feats[i].flag, "enqcmd"))
			T_CHECK(!"CPUID reports a feature the kernel does not");
	}
}

static void check_os(const struct rt_probe *p)
{
	struct utsname uts;
	char buf[32];
	FILE *f;

	T_CHECK(!uname(&uts));
	T_STREQ(p->os.kernel, uts.release);
	T_EQ(p->os.euid, geteuid());
	T_EQ(p->os.root, geteuid() == 0);
	T_EQ(p->os.cap_sys_rawio, capeff_rawio());
	T_EQ(p->os.iommu.present, exists("/dev/iommu"));
	T_EQ(p->os.sys_bus_dsa, exists("/sys/bus/dsa"));
	T_EQ(p->os.sys_module_idxd, exists("/sys/module/idxd"));
	T_EQ(p->os.n_vfio_seen, count_entries("/dev/vfio/devices"));
	T_EQ(p->os.n_wq_nodes_seen, count_entries("/dev/dsa") + count_entries("/dev/iax"));
	f = fopen("/proc/sys/vm/unprivileged_userfaultfd", "r");
	if (f) {
		T_CHECK(fgets(buf, sizeof(buf), f) != NULL);
		T_EQ(p->os.unprivileged_userfaultfd, atoi(buf));
		fclose(f);
	} else {
		T_EQ(p->os.unprivileged_userfaultfd, -1);
	}
}

static void check_verdicts(const struct rt_probe *p)
{
	const struct rt_probe_verdict *sim = &p->plat[RT_PROBE_SIM];
	const struct rt_probe_verdict *idxd = &p->plat[RT_PROBE_IDXD];
	const struct rt_probe_verdict *vfio = &p->plat[RT_PROBE_VFIO];
	bool no_enq = !has_flag("enqcmd"), no_mov = !has_flag("movdir64b");

	T_CHECK(sim->usable);
	T_STREQ(sim->reason, "embedded simulator");
	for (int i = 0; i < RT_PROBE_NPLAT; i++)
		T_CHECK(p->plat[i].reason[0]); /* usable or not, there is always a reason */

	if (!exists("/dev/iommu")) {
		T_CHECK(!vfio->usable);
		T_CHECK(strstr(vfio->reason, "no /dev/iommu"));
	}
	if (!count_entries("/dev/vfio/devices")) {
		T_CHECK(!vfio->usable);
		T_CHECK(strstr(vfio->reason, "no VFIO device cdevs"));
	}
	if (!count_entries("/dev/dsa") && !count_entries("/dev/iax")) {
		T_CHECK(!idxd->usable);
		T_CHECK(strstr(idxd->reason, "no /dev/dsa or /dev/iax work queues"));
	}
	if (!exists("/sys/bus/dsa")) {
		T_CHECK(!p->idxd.found);
		T_EQ(p->idxd.n_devs, 0);
		T_CHECK(strstr(p->idxd.reason, "/sys/bus/dsa"));
		T_CHECK(strstr(idxd->reason, "/sys/bus/dsa"));
	}
	if (no_enq && no_mov) {
		T_CHECK(!idxd->usable);
		T_CHECK(!vfio->usable);
		T_CHECK(strstr(idxd->reason, "ENQCMD and MOVDIR64B"));
		T_CHECK(strstr(vfio->reason, "CPU lacks MOVDIR64B")); /* vfio needs only that */
	}
	if (idxd->usable)
		T_EQ(p->auto_pick, RT_PROBE_IDXD);
	else if (vfio->usable)
		T_EQ(p->auto_pick, RT_PROBE_VFIO);
	else
		T_EQ(p->auto_pick, RT_PROBE_SIM);
}

static void check_topology(const struct rt_probe *p)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);

	if (!p->topo.known) {
		/* hwloc can fail in odd sandboxes; then it must say why. */
		T_CHECK(p->topo.reason[0]);
		return;
	}
	T_CHECK(p->topo.pus >= 1);
	if (conf > 0)
		T_CHECK(p->topo.pus <= conf);
	T_CHECK(p->topo.cores >= 1 && p->topo.cores <= p->topo.pus);
	T_CHECK(p->topo.numa_nodes >= 1);
	T_EQ(p->topo.n_numa,
	     p->topo.numa_nodes < RT_PROBE_MAX_NUMA ? p->topo.numa_nodes : RT_PROBE_MAX_NUMA);
	for (int i = 0; i < p->topo.n_numa; i++)
		printf("numa node %d: cpus %s\n", p->topo.numa[i].os_index, p->topo.numa[i].cpuset);
}

int main(void)
{
	struct rt_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return T_EXIT_FAIL;
	if (!read_cpuinfo())
		T_SKIP("/proc/cpuinfo has no flags line (not x86?)");

	T_RET(EINVAL, rt_probe(NULL));
	T_EQ(rt_probe(p), 0);
	printf("idxd: %s\nvfio: %s\n", p->plat[RT_PROBE_IDXD].reason,
	       p->plat[RT_PROBE_VFIO].reason);
	check_cpu(p);
	check_os(p);
	check_verdicts(p);
	check_topology(p);

	T_STREQ(rt_probe_plat_name(RT_PROBE_SIM), "sim");
	T_STREQ(rt_probe_plat_name(RT_PROBE_IDXD), "idxd");
	T_STREQ(rt_probe_plat_name(RT_PROBE_VFIO), "vfio");
	T_STREQ(rt_probe_plat_name(RT_PROBE_NPLAT), "unknown");
	T_STREQ(rt_probe_plat_name((enum rt_probe_plat) - 1), "unknown");
	free(p);
	return t_done("probe_cpu");
}
