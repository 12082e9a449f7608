// SPDX-License-Identifier: MIT
/*
 * rt_probe_judge() on hand-built hosts: the rules for "usable" and the reasons that name
 * every missing piece, for hardware this machine does not have. The rules under test:
 *  idxd: an enabled user WQ whose cdev is readable+writable, not a dedicated WQ already in
 *        use, and the instruction for its mode (ENQCMD, also enabled by the kernel, for
 *        shared; MOVDIR64B for dedicated);
 *  vfio: /dev/iommu (char device, read+write), a VFIO device cdev (read+write), and
 *        MOVDIR64B (svart's own PASID is not IA32_PASID: dedicated WQs only);
 *  auto: idxd, else vfio, else sim.
 */
#include <stdbool.h>

#include "runtime/rt_probe.h"
#include "t_helpers.h"

static struct rt_probe probe;

static void node(struct rt_probe_node *n, const char *path, bool r, bool w)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->present = n->is_chr = true;
	n->readable = r;
	n->writable = w;
	n->vendor = n->device = -1;
}

/* A host with nothing: no driver, no nodes, a CPU without the instructions. */
static struct rt_probe *bare(void)
{
	struct rt_probe *p = &probe;

	memset(p, 0, sizeof(*p));
	snprintf(p->cpu.vendor, sizeof(p->cpu.vendor), "GenuineIntel");
	p->os.euid = 1000;
	p->os.cap_sys_rawio = 0;
	snprintf(p->os.iommu.path, sizeof(p->os.iommu.path), "/dev/iommu");
	return p;
}

static void cpu(struct rt_probe *p, bool enqcmd, int os_enqcmd, bool movdir64b)
{
	p->cpu.enqcmd = enqcmd;
	p->cpu.os_enqcmd = os_enqcmd;
	p->cpu.movdir64b = movdir64b;
	p->cpu.os_movdir64b = movdir64b;
}

/* The idxd driver with one device; WQs are added with wq(). */
static void idxd_dev(struct rt_probe *p)
{
	p->os.sys_bus_dsa = p->os.sys_module_idxd = true;
	p->idxd.found = true;
	p->idxd.n_devs = p->idxd.n_devs_seen = 1;
	snprintf(p->idxd.devs[0].name, sizeof(p->idxd.devs[0].name), "dsa0");
}

static struct rt_probe_wq *wq(struct rt_probe *p, const char *mode, const char *type,
			      const char *state, bool r, bool w)
{
	int i = p->idxd.n_wqs++;
	struct rt_probe_wq *q = &p->idxd.wqs[i];

	p->idxd.n_wqs_seen++;
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "wq0.%d", i);
	snprintf(q->mode, sizeof(q->mode), "%s", mode);
	snprintf(q->type, sizeof(q->type), "%s", type);
	snprintf(q->state, sizeof(q->state), "%s", state);
	q->group_id = 0;
	q->size = 16;
	if (!strcmp(type, "user") && !strcmp(state, "enabled")) {
		snprintf(q->cdev, sizeof(q->cdev), "/dev/dsa/wq0.%d", i);
		q->cdev_readable = r;
		q->cdev_writable = w;
		char path[RT_PROBE_PATH_LEN];

		snprintf(path, sizeof(path), "%s", q->cdev);
		node(&p->os.wq_nodes[p->os.n_wq_nodes++], path, r, w);
		p->os.n_wq_nodes_seen++;
	}
	return q;
}

static bool has(const char *reason, const char *what)
{
	if (strstr(reason, what))
		return true;
	fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", reason, what);
	return false;
}

static bool lacks(const char *reason, const char *what)
{
	if (!strstr(reason, what))
		return true;
	fprintf(stderr, "reason \"%s\" should not mention \"%s\"\n", reason, what);
	return false;
}

#define IDXD (p->plat[RT_PROBE_IDXD])
#define VFIO (p->plat[RT_PROBE_VFIO])

static void test_bare(void)
{
	struct rt_probe *p = bare();

	rt_probe_judge(p);
	T_CHECK(p->plat[RT_PROBE_SIM].usable);
	T_STREQ(p->plat[RT_PROBE_SIM].reason, "embedded simulator");
	T_CHECK(!IDXD.usable);
	T_CHECK(has(IDXD.reason, "no /sys/bus/dsa (idxd driver not loaded)"));
	T_CHECK(has(IDXD.reason, "no /dev/dsa or /dev/iax work queues"));
	T_CHECK(has(IDXD.reason, "CPU lacks ENQCMD and MOVDIR64B"));
	T_CHECK(!VFIO.usable);
	T_CHECK(has(VFIO.reason, "no /dev/iommu"));
	T_CHECK(has(VFIO.reason, "no VFIO device cdevs"));
	T_CHECK(has(VFIO.reason, "CPU lacks MOVDIR64B"));
	T_EQ(p->auto_pick, RT_PROBE_SIM);

	/* Only one instruction missing: named alone, and vfio does not need the other. */
	p = bare();
	cpu(p, false, 0, true);
	rt_probe_judge(p);
	T_CHECK(has(IDXD.reason, "CPU lacks ENQCMD"));
	T_CHECK(lacks(IDXD.reason, "MOVDIR64B"));
	T_CHECK(lacks(VFIO.reason, "CPU"));
	/* ENQCMD alone does not do for vfio: only MOVDIR64B reaches its dedicated WQs. */
	p = bare();
	cpu(p, true, 1, false);
	rt_probe_judge(p);
	T_CHECK(has(VFIO.reason, "CPU lacks MOVDIR64B"));
	T_CHECK(lacks(VFIO.reason, "ENQCMD"));

	/* Bus present, no devices. */
	p = bare();
	p->os.sys_bus_dsa = p->os.sys_module_idxd = true;
	rt_probe_judge(p);
	T_CHECK(has(IDXD.reason, "no DSA/IAA devices"));
	T_CHECK(lacks(IDXD.reason, "/sys/bus/dsa"));
}

static void test_idxd(void)
{
	struct rt_probe *p;
	struct rt_probe_wq *q;

	/* Shared user WQ, ENQCMD in CPU and kernel: usable, via write() without the cap. */
	p = bare();
	cpu(p, true, 1, false);
	idxd_dev(p);
	q = wq(p, "shared", "user", "enabled", true, true);
	rt_probe_judge(p);
	T_CHECK(IDXD.usable);
	T_CHECK(q->usable);
	T_CHECK(has(IDXD.reason, "1 usable WQ, "));
	T_CHECK(has(IDXD.reason, ": /dev/dsa/wq0.0 (shared, ENQCMD)"));
	T_CHECK(has(IDXD.reason, "by write() on the cdev"));
	T_EQ(p->auto_pick, RT_PROBE_IDXD);
	p->os.cap_sys_rawio = 1;
	rt_probe_judge(p);
	T_CHECK(has(IDXD.reason, "by portal (CAP_SYS_RAWIO)"));

	/* ENQCMD in CPUID but disabled by the kernel: a user ENQCMD would get SIGSEGV. */
	cpu(p, true, 0, false);
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_CHECK(!q->usable); /* judging again resets the flag */
	T_CHECK(has(IDXD.reason, "kernel has ENQCMD disabled"));
	T_EQ(p->auto_pick, RT_PROBE_SIM);

	/* Shared WQ, CPU with MOVDIR64B only: ENQCMD is what is missing, nothing else. */
	cpu(p, false, 0, true);
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_STREQ(IDXD.reason, "CPU lacks ENQCMD");

	/* Dedicated WQ, MOVDIR64B: usable; the same WQ with a client is busy (EBUSY on open). */
	p = bare();
	cpu(p, false, 0, true);
	idxd_dev(p);
	q = wq(p, "dedicated", "user", "enabled", true, true);
	rt_probe_judge(p);
	T_CHECK(IDXD.usable);
	T_CHECK(has(IDXD.reason, "(dedicated, MOVDIR64B)"));
	q->clients = 1;
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_CHECK(has(IDXD.reason, "in use"));

	/* cdev readable but not writable. */
	p = bare();
	cpu(p, true, 1, true);
	idxd_dev(p);
	wq(p, "shared", "user", "enabled", true, false);
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_CHECK(has(IDXD.reason, "no WQ cdev with read+write access for uid 1000"));
	T_CHECK(lacks(IDXD.reason, "CPU"));

	/* Kernel WQs and disabled user WQs do not count. */
	p = bare();
	cpu(p, true, 1, true);
	idxd_dev(p);
	wq(p, "shared", "kernel", "enabled", true, true);
	wq(p, "dedicated", "user", "disabled", true, true);
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_CHECK(has(IDXD.reason, "no /dev/dsa or /dev/iax work queues"));
	/* A node without a matching enabled user WQ in sysfs. */
	node(&p->os.wq_nodes[p->os.n_wq_nodes++], "/dev/dsa/wq9.9", true, true);
	rt_probe_judge(p);
	T_CHECK(has(IDXD.reason, "no enabled user WQ"));

	/* Mode unknown (unreadable): never usable, whatever the CPU has. */
	p = bare();
	cpu(p, true, 1, true);
	idxd_dev(p);
	q = wq(p, "unknown", "user", "enabled", true, true);
	rt_probe_judge(p);
	T_CHECK(!IDXD.usable);
	T_CHECK(!q->usable);
}

static void test_vfio(void)
{
	struct rt_probe *p;

	p = bare();
	cpu(p, false, 0, true);
	node(&p->os.iommu, "/dev/iommu", true, true);
	node(&p->os.vfio[p->os.n_vfio++], "/dev/vfio/devices/vfio0", true, true);
	p->os.vfio[0].vendor = 0x8086;
	p->os.vfio[0].device = 0x0b25;
	snprintf(p->os.vfio[0].pci, sizeof(p->os.vfio[0].pci), "0000:6a:01.0");
	rt_probe_judge(p);
	T_CHECK(VFIO.usable);
	T_CHECK(has(VFIO.reason, "/dev/vfio/devices/vfio0 (0000:6a:01.0 8086:0b25)"));
	T_CHECK(has(VFIO.reason, "MOVDIR64B"));
	T_EQ(p->auto_pick, RT_PROBE_VFIO);

	/* idxd usable as well: the kernel-managed path wins. */
	idxd_dev(p);
	wq(p, "dedicated", "user", "enabled", true, true);
	rt_probe_judge(p);
	T_CHECK(IDXD.usable && VFIO.usable);
	T_EQ(p->auto_pick, RT_PROBE_IDXD);

	/* /dev/iommu without write access, the only cdev without access, no instruction. */
	p = bare();
	node(&p->os.iommu, "/dev/iommu", true, false);
	node(&p->os.vfio[p->os.n_vfio++], "/dev/vfio/devices/vfio0", false, false);
	rt_probe_judge(p);
	T_CHECK(!VFIO.usable);
	T_CHECK(has(VFIO.reason, "/dev/iommu not readable+writable for uid 1000"));
	T_CHECK(has(VFIO.reason, "no VFIO device cdev with read+write access"));
	T_CHECK(has(VFIO.reason, "CPU lacks MOVDIR64B"));

	/* /dev/iommu that is not a character device. */
	p = bare();
	cpu(p, true, 1, true);
	node(&p->os.iommu, "/dev/iommu", true, true);
	p->os.iommu.is_chr = false;
	node(&p->os.vfio[p->os.n_vfio++], "/dev/vfio/devices/vfio0", true, true);
	rt_probe_judge(p);
	T_CHECK(!VFIO.usable);
	T_STREQ(VFIO.reason, "/dev/iommu is not a character device");
}

/* Many usable WQs: the reason is cut, stays terminated, and says so. */
static void test_overflow(void)
{
	struct rt_probe *p = bare();
	size_t len;

	cpu(p, true, 1, true);
	idxd_dev(p);
	for (int i = 0; i < 60; i++)
		wq(p, "shared", "user", "enabled", true, true);
	rt_probe_judge(p);
	T_CHECK(IDXD.usable);
	len = strnlen(IDXD.reason, sizeof(IDXD.reason));
	T_CHECK(len < sizeof(IDXD.reason));
	T_CHECK(len > 3 && !strcmp(IDXD.reason + len - 3, "..."));
	T_CHECK(has(IDXD.reason, "60 usable WQs, submission by write()"));
}

int main(void)
{
	test_bare();
	test_idxd();
	test_vfio();
	test_overflow();
	return t_done("probe_verdict");
}
