// SPDX-License-Identifier: MIT
/*
 * sim's idxd sysfs attributes (sim/idxd/idxd_sysfs.c) against the kernel's formats and store
 * rules (drivers/dma/idxd/sysfs.c, Linux 6.12; docs/reference idxd-sysfs-cdev.md), on the
 * default platform (dsa0 and iax1):
 *  - show formats: "%#x" with the kernel's "0x0", the 256-bit bitmaps, gen_cap computed by
 *    hand from the capability bits, empty group lists as 0 bytes, hidden attributes (ENOENT),
 *    show errors (cdev_minor ENXIO, enqcmds_retries on a dedicated WQ and occupancy
 *    EOPNOTSUPP);
 *  - stores: kstrto*() parsing, each attribute's state and range errno (EPERM, ENXIO, EINVAL,
 *    EOPNOTSUPP), side effects (dedicated clears threshold, a new type clears the name,
 *    sizes rounded up to a power of two, retries capped);
 *  - bind and unbind: driver matching (ENODEV), EBUSY, the probe's checks with the kernel's
 *    cmd_status codes, idxd_device_clear_state() on unbind, disable-wq's cleanup;
 *  - the state file records what succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/idxd/idxd_private.h"
#include "sim/idxd/sim_idxd.h"
#include "t_helpers.h"

static char buf[4096];

/* The attribute's text (NUL-terminated), or "" with the error in @ret. */
static const char *rd(const char *path)
{
	ssize_t n = sim_idxd_sysfs_read(path, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static long rd_err(const char *path)
{
	return (long)sim_idxd_sysfs_read(path, buf, sizeof(buf) - 1);
}

/* write(2)'s result: the length, or -errno. */
static long wr(const char *path, const char *val)
{
	return (long)sim_idxd_sysfs_write(path, val, strlen(val));
}

#define DEV "/sys/bus/dsa/devices/"
#define T_WR_OK(path, val) T_EQ(wr(path, val), (long)strlen(val))

static void test_show(void)
{
	T_STREQ(rd(DEV "dsa0/version"), "0x100\n");
	T_STREQ(rd(DEV "dsa0/max_groups"), "4\n");
	T_STREQ(rd(DEV "dsa0/max_work_queues"), "8\n");
	T_STREQ(rd(DEV "dsa0/max_work_queues_size"), "128\n");
	T_STREQ(rd(DEV "dsa0/max_engines"), "4\n");
	T_STREQ(rd(DEV "dsa0/numa_node"), "0\n");
	T_STREQ(rd(DEV "dsa0/max_batch_size"), "1024\n");
	T_STREQ(rd(DEV "dsa0/max_transfer_size"), "2147483648\n");
	/*
	 * GENCAP: BOF, overlap, cache control (bits 0-2), destination readback (8),
	 * max_xfer_shift 31 << 16, max_batch_shift 10 << 21, IMS 8 << 25, configurable (31).
	 */
	T_STREQ(rd(DEV "dsa0/gen_cap"), "0x915f0107\n");
	/* Opcodes 0,2-9 (BATCH, bit 1, hidden by 6.9.1+), 0x10-0x15, CFLUSH 0x20. */
	T_STREQ(rd(DEV "dsa0/op_cap"),
		"00000000,00000000,00000000,00000000,00000000,00000000,00000001,003f03fd\n");
	T_STREQ(rd(DEV "dsa0/errors"),
		"00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000\n");
	T_STREQ(rd(DEV "dsa0/configurable"), "1\n");
	T_STREQ(rd(DEV "dsa0/pasid_enabled"), "1\n");
	T_STREQ(rd(DEV "dsa0/state"), "enabled\n");
	T_STREQ(rd(DEV "dsa0/clients"), "0\n");
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x0\n");
	T_STREQ(rd(DEV "dsa0/cdev_major"), "236\n");
	T_STREQ(rd(DEV "dsa0/max_read_buffers"), "96\n");
	T_STREQ(rd(DEV "dsa0/max_tokens"), "96\n");
	T_STREQ(rd(DEV "dsa0/read_buffer_limit"), "0\n");
	/* The PCI path and the driver link name the same attribute files. */
	T_STREQ(rd(SIM_IDXD_PCI_ROOT "/0000:f0:01.0/dsa0/version"), "0x100\n");
	T_STREQ(rd(SIM_IDXD_PCI_ROOT "/0000:f0:01.0/dsa0/wq0.1/mode"), "dedicated\n");
	T_EQ(rd_err(SIM_IDXD_PCI_ROOT "/0000:f0:02.0/dsa0/version"), -ENOENT);

	/* IAA: no batches, no read buffers; iaa_cap only from version 2. */
	T_STREQ(rd(DEV "iax1/cdev_major"), "235\n");
	T_EQ(rd_err(DEV "iax1/max_batch_size"), -ENOENT);
	T_EQ(rd_err(DEV "iax1/read_buffer_limit"), -ENOENT);
	T_EQ(rd_err(DEV "iax1/iaa_cap"), -ENOENT);
	T_EQ(rd_err(DEV "wq1.0/max_batch_size"), -ENOENT);
	T_EQ(rd_err(DEV "group1.0/read_buffers_reserved"), -ENOENT);
	T_EQ(rd_err(DEV "dsa0/event_log_size"), -ENOENT);
	T_EQ(rd_err(DEV "dsa0/nonexistent"), -ENOENT);
	T_EQ(rd_err(DEV "dsa2/version"), -ENOENT);
	T_EQ(rd_err(DEV "wq0.8/size"), -ENOENT);

	/* WQs of the default platform. */
	T_STREQ(rd(DEV "wq0.0/mode"), "shared\n");
	T_STREQ(rd(DEV "wq0.0/size"), "64\n");
	T_STREQ(rd(DEV "wq0.0/threshold"), "64\n");
	T_STREQ(rd(DEV "wq0.0/state"), "enabled\n");
	T_STREQ(rd(DEV "wq0.0/type"), "user\n");
	T_STREQ(rd(DEV "wq0.0/name"), "svart\n");
	T_STREQ(rd(DEV "wq0.0/driver_name"), "user\n");
	T_STREQ(rd(DEV "wq0.0/cdev_minor"), "0\n");
	T_STREQ(rd(DEV "wq0.1/cdev_minor"), "1\n");
	T_STREQ(rd(DEV "wq1.0/cdev_minor"), "0\n"); /* minors are per type */
	T_STREQ(rd(DEV "wq0.0/group_id"), "0\n");
	T_STREQ(rd(DEV "wq0.0/max_transfer_size"), "2097152\n");
	T_STREQ(rd(DEV "wq0.0/max_batch_size"), "32\n");
	T_STREQ(rd(DEV "wq0.0/enqcmds_retries"), "32\n");
	T_STREQ(rd(DEV "wq0.2/group_id"), "-1\n");
	T_STREQ(rd(DEV "wq0.2/state"), "disabled\n");
	/* An unset name is just the newline (trap 3: never 0 bytes). */
	T_STREQ(rd(DEV "wq0.2/name"), "\n");
	T_EQ(rd_err(DEV "wq0.2/cdev_minor"), -ENXIO);
	T_EQ(rd_err(DEV "wq0.1/enqcmds_retries"), -EOPNOTSUPP);
	T_EQ(rd_err(DEV "wq0.0/occupancy"), -EOPNOTSUPP);
	T_EQ(rd_err(DEV "wq0.0/op_config"), -ENOENT); /* WQCAP.op_config is a DSA 2 feature */
	T_EQ(rd_err(DEV "wq0.0/prs_disable"), -ENOENT);
	T_STREQ(rd(DEV "wq0.0/ats_disable"), "0\n");

	/* Groups list their members, or show nothing at all. */
	T_STREQ(rd(DEV "group0.0/work_queues"), "wq0.0 wq0.1\n");
	T_STREQ(rd(DEV "group0.0/engines"), "engine0.0\n");
	T_EQ(rd_err(DEV "group0.1/work_queues"), 0);
	T_STREQ(rd(DEV "group0.0/traffic_class_a"), "1\n");
	T_STREQ(rd(DEV "group0.0/read_buffers_allowed"), "96\n");
	T_STREQ(rd(DEV "engine0.0/group_id"), "0\n");
	T_STREQ(rd(DEV "engine0.1/group_id"), "-1\n");

	/* The cdev device and the driver link. */
	T_STREQ(rd(DEV "dsa!wq0.1/dev"), "236:1\n");
	T_STREQ(rd(DEV "dsa!wq0.1/uevent"), "MAJOR=236\nMINOR=1\nDEVNAME=dsa/wq0.1\n");
	T_EQ(rd_err(DEV "dsa!wq0.2/dev"), -ENOENT);
	T_EQ(rd_err(DEV "iax!wq0.1/dev"), -ENOENT);
	T_EQ(rd_err("/sys/bus/dsa/drivers/idxd/bind"), -EACCES);
	T_EQ(wr(DEV "dsa0/version", "1"), -EACCES);
	T_EQ(wr(DEV "dsa0/driver/unbind", "dsa9"), -ENODEV);
	T_EQ(wr(DEV "wq0.2/driver/unbind", "wq0.2"), -ENOENT); /* not bound: no link */
}

static void test_store_enabled(void)
{
	/* Sizes need the device disabled; WQ settings the WQ. */
	T_EQ(wr(DEV "wq0.2/size", "8"), -EPERM);
	T_EQ(wr(DEV "wq0.0/mode", "dedicated"), -EPERM);
	T_EQ(wr(DEV "wq0.0/priority", "3"), -EPERM);
	T_EQ(wr(DEV "wq0.0/block_on_fault", "1"), -ENXIO);
	T_EQ(wr(DEV "wq0.0/threshold", "8"), -ENXIO);
	T_EQ(wr(DEV "wq0.0/type", "kernel"), -EPERM);
	T_EQ(wr(DEV "wq0.0/name", "z"), -EPERM);
	T_EQ(wr(DEV "wq0.0/driver_name", "z"), -EPERM);
	T_EQ(wr(DEV "wq0.0/group_id", "1"), -EPERM);
	T_EQ(wr(DEV "wq0.0/max_transfer_size", "4096"), -EPERM);
	T_EQ(wr(DEV "dsa0/read_buffer_limit", "4"), -EPERM);
	T_EQ(wr(DEV "group0.0/read_buffers_reserved", "4"), -EPERM);
	/* No state check on these two. */
	T_WR_OK(DEV "wq0.0/enqcmds_retries", "100\n");
	T_STREQ(rd(DEV "wq0.0/enqcmds_retries"), "64\n"); /* capped */
	T_EQ(wr(DEV "wq0.1/enqcmds_retries", "1"), -EOPNOTSUPP);
	T_EQ(wr(DEV "engine0.1/group_id", "7"), -EINVAL);
	T_WR_OK(DEV "engine0.1/group_id", "1");
	T_STREQ(rd(DEV "group0.1/engines"), "engine0.1\n");
	T_WR_OK(DEV "engine0.1/group_id", "-1");
	/* Traffic classes are fixed up to version 2 (tc_override is off). */
	T_EQ(wr(DEV "group0.0/traffic_class_a", "3"), -EPERM);

	/* A disabled WQ of an enabled device: everything but its size. */
	T_EQ(wr(DEV "wq0.2/priority", "16"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/priority", "abc"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/priority", " 1"), -EINVAL); /* kstrtoul: no leading blanks */
	T_EQ(wr(DEV "wq0.2/priority", "1\n\n"), -EINVAL);
	T_WR_OK(DEV "wq0.2/priority", "15\n");
	T_STREQ(rd(DEV "wq0.2/priority"), "15\n");
	T_EQ(wr(DEV "wq0.2/group_id", "4"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/group_id", "-2"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/threshold", "0"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/threshold", "1"), -EINVAL); /* above its size, 0 */
	T_EQ(wr(DEV "wq0.2/mode", "bogus"), -EINVAL);
	T_WR_OK(DEV "wq0.2/mode", "dedicated\n");
	T_STREQ(rd(DEV "wq0.2/mode"), "dedicated\n");
	T_EQ(wr(DEV "wq0.2/enqcmds_retries", "1"), -EOPNOTSUPP);
	T_EQ(wr(DEV "wq0.2/block_on_fault", "maybe"), -EINVAL);
	T_WR_OK(DEV "wq0.2/block_on_fault", "on");
	T_STREQ(rd(DEV "wq0.2/block_on_fault"), "1\n");
	T_WR_OK(DEV "wq0.2/type", "user");
	T_WR_OK(DEV "wq0.2/name", "  spaced  \n");
	T_STREQ(rd(DEV "wq0.2/name"), "spaced\n"); /* strim() */
	T_WR_OK(DEV "wq0.2/type", "kernel");
	T_STREQ(rd(DEV "wq0.2/name"), "\n"); /* a new type clears the name */
	T_EQ(wr(DEV "wq0.2/type", "usr"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/name", ""), 0); /* nothing written: no store */
	T_WR_OK(DEV "wq0.2/max_transfer_size", "3000");
	T_STREQ(rd(DEV "wq0.2/max_transfer_size"), "4096\n"); /* rounded up */
	T_WR_OK(DEV "wq0.2/max_transfer_size", "0x80000000");
	T_EQ(wr(DEV "wq0.2/max_transfer_size", "0x100000000"), -EINVAL);
	T_EQ(wr(DEV "wq0.2/max_transfer_size", "0"), -EINVAL);
	T_WR_OK(DEV "wq0.2/max_batch_size", "33");
	T_STREQ(rd(DEV "wq0.2/max_batch_size"), "64\n");
	T_EQ(wr(DEV "wq0.2/max_batch_size", "2048"), -EINVAL);
	T_EQ(wr(DEV "wq1.2/max_batch_size", "8"), -ENOENT);

	/* cmd_status: any write clears it. */
	T_EQ(wr("/sys/bus/dsa/drivers/idxd/bind", "dsa0"), -EBUSY);
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.2"), -ENODEV); /* driver_name "" */
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x80200000\n");
	T_WR_OK(DEV "dsa0/cmd_status", "whatever");
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x0\n");
}

static void test_bind(void)
{
	/* Driver matching and the driver core's answers. */
	T_EQ(wr("/sys/bus/dsa/drivers/idxd/bind", "nosuch"), -ENODEV);
	T_EQ(wr("/sys/bus/dsa/drivers/idxd/bind", "wq0.2"), -ENODEV);
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "dsa0"), -ENODEV);
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.0"), -EBUSY);
	T_EQ(wr("/sys/bus/dsa/drivers/user/unbind", "wq0.5"), -ENODEV);
	T_EQ(wr("/sys/bus/dsa/drivers/dmaengine/unbind", "wq0.0"), -ENODEV);

	/* disable-wq: the WQ is reset as idxd_wq_disable_cleanup() does; size and group stay. */
	T_WR_OK("/sys/bus/dsa/drivers/user/unbind", "wq0.1\n");
	T_STREQ(rd(DEV "wq0.1/state"), "disabled\n");
	T_STREQ(rd(DEV "wq0.1/mode"), "shared\n");
	T_STREQ(rd(DEV "wq0.1/name"), "\n");
	T_STREQ(rd(DEV "wq0.1/type"), "none\n");
	T_STREQ(rd(DEV "wq0.1/priority"), "0\n");
	T_STREQ(rd(DEV "wq0.1/size"), "32\n");
	T_STREQ(rd(DEV "wq0.1/group_id"), "0\n");
	T_EQ(rd_err(DEV "wq0.1/cdev_minor"), -ENXIO);
	T_EQ(rd_err(DEV "dsa!wq0.1/dev"), -ENOENT);
	/* Re-enabling needs a name, then a threshold (it is shared now). */
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.1"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x80040000\n");
	T_WR_OK(DEV "wq0.1/name", "again");
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.1"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x80060000\n");
	T_WR_OK(DEV "wq0.1/threshold", "8");
	/* The hardware refuses priority 0: its CMDSTS byte comes back. */
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.1"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x23\n");
	T_WR_OK(DEV "wq0.1/priority", "5");
	T_WR_OK("/sys/bus/dsa/drivers/user/bind", "wq0.1");
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x0\n");
	T_STREQ(rd(DEV "wq0.1/state"), "enabled\n");
	T_STREQ(rd(DEV "wq0.1/type"), "user\n");
	T_STREQ(rd(DEV "wq0.1/cdev_minor"), "1\n");
	/* Write-only, reached through the driver link. */
	T_EQ(rd_err(DEV "wq0.1/driver/bind"), -EACCES);

	/* disable-device: its WQs go first, then the configuration is cleared. */
	T_WR_OK(DEV "dsa0/driver/unbind", "dsa0");
	T_STREQ(rd(DEV "dsa0/state"), "disabled\n");
	T_STREQ(rd(DEV "wq0.0/state"), "disabled\n");
	T_STREQ(rd(DEV "wq0.0/size"), "0\n");
	T_STREQ(rd(DEV "wq0.0/group_id"), "-1\n");
	T_STREQ(rd(DEV "engine0.0/group_id"), "-1\n");
	T_EQ(rd_err(DEV "group0.0/work_queues"), 0);
	T_EQ(wr(DEV "dsa0/driver/unbind", "dsa0"), -ENOENT); /* the link is gone */
	/* Nothing configured: the probe fails as idxd_wqs_setup() does. */
	T_EQ(wr("/sys/bus/dsa/drivers/idxd/bind", "dsa0"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x800d0000\n");

	/* Device-level settings, now that it is disabled. */
	T_EQ(wr(DEV "wq0.0/size", "129"), -EINVAL);
	T_WR_OK(DEV "wq0.0/size", "100");
	T_EQ(wr(DEV "wq0.1/size", "29"), -EINVAL); /* 100 + 29 > 128 */
	T_WR_OK(DEV "wq0.1/size", "28");
	T_EQ(wr(DEV "dsa0/read_buffer_limit", "97"), -EINVAL);
	T_EQ(wr(DEV "group0.0/use_read_buffer_limit", "1"), -EPERM); /* limit is 0 */
	T_WR_OK(DEV "dsa0/read_buffer_limit", "8");
	T_WR_OK(DEV "group0.0/use_read_buffer_limit", "1");
	T_EQ(wr(DEV "group0.0/read_buffers_reserved", "97"), -EINVAL);
	T_WR_OK(DEV "group0.0/read_buffers_reserved", "90");
	T_EQ(wr(DEV "group0.1/read_buffers_reserved", "7"), -EINVAL); /* 6 left */
	T_WR_OK(DEV "group0.1/read_buffers_reserved", "6");

	/* A group with a WQ but no engine: the hardware's group check (0x15). */
	T_WR_OK(DEV "wq0.0/group_id", "0");
	T_EQ(wr("/sys/bus/dsa/drivers/idxd/bind", "dsa0"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x15\n");
	T_WR_OK(DEV "engine0.0/group_id", "0");
	T_WR_OK("/sys/bus/dsa/drivers/idxd/bind", "dsa0");
	T_STREQ(rd(DEV "dsa0/state"), "enabled\n");
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x0\n");

	/* A dedicated user WQ from scratch. */
	T_WR_OK(DEV "wq0.0/mode", "dedicated");
	T_WR_OK(DEV "wq0.0/priority", "9");
	T_WR_OK(DEV "wq0.0/type", "user");
	T_WR_OK(DEV "wq0.0/name", "mine");
	T_WR_OK(DEV "wq0.0/driver_name", "user");
	T_WR_OK("/sys/bus/dsa/drivers/user/bind", "wq0.0");
	T_STREQ(rd(DEV "wq0.0/state"), "enabled\n");
	T_STREQ(rd(DEV "wq0.0/cdev_minor"), "0\n");
	T_STREQ(rd(DEV "dsa!wq0.0/dev"), "236:0\n");
	/* A WQ without a group: the kernel's own check, before any hardware command. */
	T_WR_OK(DEV "wq0.1/name", "n");
	T_WR_OK(DEV "wq0.1/driver_name", "user");
	T_EQ(wr("/sys/bus/dsa/drivers/user/bind", "wq0.1"), -ENXIO);
	T_STREQ(rd(DEV "dsa0/cmd_status"), "0x80030000\n");
}

/*
 * Unexpected values into every writable attribute of every object, binds and unbinds among
 * them: each write either takes the whole buffer (at most a page) or fails with an errno a
 * store can give, and every attribute still reads afterwards.
 */
static void test_garbage(void)
{
	static const char *const objs[] = {
		"dsa0",	     "iax1",	  "wq0.0",     "wq0.1",	    "wq0.2",	"wq0.7",
		"wq1.0",     "wq1.3",	  "group0.0",  "group0.3",  "group1.1", "engine0.0",
		"engine0.3", "engine1.7", "dsa!wq0.0", "iax!wq1.0",
	};
	static char big[IDXD_SYSFS_PAGE + 100];
	const char *vals[] = {
		"",	"\n",	  "-1",	       "18446744073709551616",
		"0x",	"1 2",	  "\xff\xfe",  "1\0x",
		"+3",	"0x10\n", "dedicated", "user",
		"dsa0", "wq0.1",  "wq1.0",     "iax1",
		big,
	};
	unsigned int bad = 0, nr;

	memset(big, 'a', sizeof(big) - 1);
	for (int round = 0; round < 2; round++) {
		for (size_t o = 0; o < sizeof(objs) / sizeof(objs[0]); o++) {
			struct idxd_node n;
			const struct idxd_attr *a;

			idxd_lock();
			if (idxd_obj_by_name(objs[o], strlen(objs[o]), &n)) {
				idxd_unlock();
				continue; /* a cdev that went away */
			}
			idxd_unlock();
			a = idxd_obj_attrs(n.obj, &nr);
			for (unsigned int i = 0; i < nr; i++) {
				char path[256];

				if (!a[i].store)
					continue;
				snprintf(path, sizeof(path), DEV "%s/%s", objs[o], a[i].name);
				for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
					size_t len = strlen(vals[v]) + (v == 7 ? 2 : 0);
					long r = wr(path, vals[v]);

					if (v == 7)
						r = (long)sim_idxd_sysfs_write(path, vals[v], len);
					if (r >= 0 ? r != (long)(len < IDXD_SYSFS_PAGE ?
									 len :
									 IDXD_SYSFS_PAGE) :
						     (r != -EINVAL && r != -EPERM && r != -ENXIO &&
						      r != -ENODEV && r != -EBUSY &&
						      r != -EOPNOTSUPP && r != -ERANGE &&
						      r != -EOVERFLOW && r != -ENOENT &&
						      r != -ENOSPC)) {
						fprintf(stderr, "%s <- value %zu: %ld\n", path, v,
							r);
						bad++;
					}
				}
			}
		}
		/* Everything still reads. */
		for (size_t o = 0; o < 2; o++) {
			char path[256];

			snprintf(path, sizeof(path), DEV "%s/state", objs[o]);
			T_CHECK(!strcmp(rd(path), "enabled\n") || !strcmp(rd(path), "disabled\n"));
		}
	}
	T_EQ(bad, 0);
	/* And the device can be brought back from whatever state that left. */
	wr("/sys/bus/dsa/drivers/idxd/unbind", "dsa0");
	T_WR_OK(DEV "wq0.0/size", "16");
	T_WR_OK(DEV "wq0.0/group_id", "0");
	T_WR_OK(DEV "engine0.0/group_id", "0");
	T_WR_OK("/sys/bus/dsa/drivers/idxd/bind", "dsa0");
	T_STREQ(rd(DEV "dsa0/state"), "enabled\n");
}

static void test_state_file(const char *file)
{
	char text[4096];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	/* What succeeded, escaped; not the failures, not cmd_status. */
	T_CHECK(strstr(text, "/sys/bus/dsa/devices/wq0.2/priority 15%0a\n") != NULL);
	T_CHECK(strstr(text, "/sys/bus/dsa/devices/wq0.2/name %20%20spaced%20%20%0a\n") != NULL);
	T_CHECK(strstr(text, "/sys/bus/dsa/drivers/idxd/unbind dsa0\n") != NULL);
	T_CHECK(strstr(text, "/sys/bus/dsa/drivers/user/bind wq0.0\n") != NULL);
	T_CHECK(strstr(text, "priority 16") == NULL);
	T_CHECK(strstr(text, "cmd_status") == NULL);
}

int main(void)
{
	char file[] = "/tmp/svart-idxd-state-XXXXXX";
	int fd = mkstemp(file);

	if (fd < 0) {
		perror("mkstemp");
		return T_EXIT_FAIL;
	}
	close(fd);
	unlink(file);
	/* The default platform, recording into a fresh state file. */
	unsetenv("SVART_SIM_CONFIG");
	setenv(SIM_IDXD_STATE_ENV, file, 1);
	if (sim_idxd_get()) {
		fprintf(stderr, "sim_idxd_get: %s\n", sim_idxd_error());
		return T_EXIT_FAIL;
	}
	test_show();
	test_store_enabled();
	test_bind();
	test_state_file(file);
	test_garbage();
	unlink(file);
	return t_done("sim_idxd_sysfs");
}
