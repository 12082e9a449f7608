// SPDX-License-Identifier: MIT
/*
 * A plain idxd user: libaccel-config to find and configure the DSA, then the WQ character
 * devices with open/write/poll, written against the kernel (Linux 6.9.1+) and libc only.
 * tests/sim_idxd_accel_config.sh runs it under `svart sim --`, where the sysfs tree and the
 * /dev/dsa nodes are sim's.
 *
 * It expects sim's default platform (dsa0 and iax1, SVART_SIM_CONFIG unset) and checks:
 *  - enumeration: dsa0 and iax1, their WQ counts, op_cap in the 6.1+ format;
 *  - configuration through libaccel-config: disable dsa0, one engine in group 0, wq0.2
 *    dedicated and wq0.3 shared (both block-on-fault capable), enable all; a driver_name that
 *    does not match refuses the bind (ENODEV, cmd_status 0x80200000);
 *  - the dedicated WQ: MEMMOVE by write() completes (status 1, data copied), a second open is
 *    EBUSY, mmap of the portal is EPERM (INTEL-SA-01084);
 *  - the shared WQ: a never-touched destination completes with BOF (page request) and stops
 *    with status 0x83, bytes_completed and fault_addr at the first untouched page without it;
 *    BATCH and a misaligned completion record are EINVAL; a faulting descriptor without a
 *    record reports through poll();
 *  - a WQ that is not enabled has no node (ENOENT), also after disable-wq.
 * Exit 0 pass, 1 fail, 77 skip (no dsa0: not run under sim).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <accel-config/libaccel_config.h>

#include "enqcmd/enq_desc.h"
#include "t_helpers.h"

#define PAGE 4096u

static struct accfg_wq *wq_get(struct accfg_device *dev, int id)
{
	struct accfg_wq *wq = accfg_device_wq_get_by_id(dev, id);

	if (!wq) {
		fprintf(stderr, "no wq%d in %s\n", id, accfg_device_get_devname(dev));
		exit(T_EXIT_FAIL);
	}
	return wq;
}

/* config-wq: what `accel-config config-wq` writes, in its order. */
static int wq_config(struct accfg_wq *wq, const char *mode, int size, int thresh, const char *name)
{
	int rc = 0;

	rc |= accfg_wq_set_str_mode(wq, mode);
	rc |= accfg_wq_set_str_type(wq, "user");
	rc |= accfg_wq_set_str_name(wq, name);
	rc |= accfg_wq_set_str_driver_name(wq, "user");
	rc |= accfg_wq_set_size(wq, size);
	rc |= accfg_wq_set_group_id(wq, 0);
	rc |= accfg_wq_set_priority(wq, 10);
	rc |= accfg_wq_set_block_on_fault(wq, 1);
	if (thresh)
		rc |= accfg_wq_set_threshold(wq, thresh);
	return rc;
}

/* Waits (5 s at most) for the record's status; 0 if it never came. */
static uint8_t cr_wait(struct dsa_completion_record *cr)
{
	struct timespec ts = { .tv_nsec = 100000 };

	for (int i = 0; i < 50000; i++) {
		uint8_t st = __atomic_load_n(&cr->status, __ATOMIC_ACQUIRE);

		if (st)
			return st;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* A fresh anonymous mapping: mapped, never touched (not resident). */
static unsigned char *fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(T_EXIT_FAIL);
	}
	return p;
}

static void pattern(unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

/* write(2) of a sysfs attribute: 0 or -errno. */
static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -errno;
	close(fd);
	return rc;
}

/* A "0x..." attribute's value, or -1. */
static long long sysfs_read_hex(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 16);
}

static void check_enumeration(struct accfg_ctx *ctx)
{
	struct accfg_device *dev, *dsa = NULL, *iax = NULL;
	struct accfg_wq *wq;
	unsigned int nwq = 0;

	accfg_device_foreach(ctx, dev)
	{
		if (!strcmp(accfg_device_get_devname(dev), "dsa0"))
			dsa = dev;
		if (!strcmp(accfg_device_get_devname(dev), "iax1"))
			iax = dev;
	}
	T_CHECK(dsa && iax);
	if (!dsa || !iax)
		return;
	T_EQ(accfg_device_get_max_work_queues(dsa), 8);
	T_EQ(accfg_device_get_max_groups(dsa), 4);
	T_EQ(accfg_device_get_state(dsa), ACCFG_DEVICE_ENABLED);
	accfg_wq_foreach(dsa, wq) nwq++;
	T_EQ(nwq, 8);
	/* Default platform: wq0.0 shared 64, wq0.1 dedicated 32, both enabled. */
	wq = wq_get(dsa, 0);
	T_EQ(accfg_wq_get_mode(wq), ACCFG_WQ_SHARED);
	T_EQ(accfg_wq_get_size(wq), 64);
	T_EQ(accfg_wq_get_state(wq), ACCFG_WQ_ENABLED);
	T_EQ(accfg_wq_get_mode(wq_get(dsa, 1)), ACCFG_WQ_DEDICATED);
	T_EQ(accfg_wq_get_size(wq_get(dsa, 1)), 32);
}

/* op_cap in the kernel's %*pb form, read with plain libc (fopen through the interposer). */
static void check_op_cap(void)
{
	FILE *f = fopen("/sys/bus/dsa/devices/dsa0/op_cap", "r");
	char line[128] = "";

	T_CHECK(f != NULL);
	if (!f)
		return;
	T_CHECK(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	/* NOOP..DUALCAST, CRC..DIF, CFLUSH (bit 32), BATCH (bit 1) hidden by 6.9.1+. */
	T_STREQ(line, "00000000,00000000,00000000,00000000,00000000,00000000,00000001,003f03fd\n");
}

static void check_dedicated(const char *path)
{
	static unsigned char src[2 * PAGE], dst[2 * PAGE];
	static struct dsa_completion_record cr __attribute__((aligned(32)));
	struct dsa_hw_desc d __attribute__((aligned(64)));
	int fd, fd2, dfd;
	void *p;

	fd = open(path, O_RDWR);
	T_CHECK(fd >= 0);
	if (fd < 0) {
		perror(path);
		return;
	}
	/* One opener on a dedicated WQ, however the node is reached. */
	T_ERRNO(EBUSY, fd2 = open(path, O_RDWR));
	dfd = open("/dev/dsa", O_RDONLY | O_DIRECTORY);
	T_CHECK(dfd >= 0);
	T_ERRNO(EBUSY, fd2 = openat(dfd, strrchr(path, '/') + 1, O_RDWR));
	close(dfd);
	/* The portal is refused without CAP_SYS_RAWIO (6.9.1+): clients use write(). */
	errno = 0;
	p = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(p == MAP_FAILED && errno == EPERM);

	pattern(src, sizeof(src), 7);
	memset(dst, 0, sizeof(dst));
	enq_cr_reset(&cr);
	enq_prep_memmove(&d, (uintptr_t)dst, (uintptr_t)src, sizeof(src), 0, &cr);
	T_EQ(write(fd, &d, sizeof(d)), 64);
	T_EQ(cr_wait(&cr), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, src, sizeof(src)));
	/* Less than a descriptor submits nothing. */
	T_EQ(write(fd, &d, 63), 0);
	close(fd);
	/* The slot is free again. */
	fd = open(path, O_RDWR);
	T_CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	(void)fd2;
}

static void check_shared(const char *path)
{
	static unsigned char src[2 * PAGE];
	static struct dsa_completion_record cr __attribute__((aligned(32)));
	struct dsa_hw_desc d[2] __attribute__((aligned(64)));
	struct pollfd pfd;
	unsigned char *dst;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	T_CHECK(fd >= 0);
	if (fd < 0) {
		perror(path);
		return;
	}
	pattern(src, sizeof(src), 3);

	/* Block on fault: the device's page request faults the pages in, the copy completes. */
	dst = fresh(2 * PAGE);
	enq_cr_reset(&cr);
	enq_prep_memmove(&d[0], (uintptr_t)dst, (uintptr_t)src, 2 * PAGE, IDXD_OP_FLAG_BOF, &cr);
	T_EQ(write(fd, &d[0], 64), 64);
	T_EQ(cr_wait(&cr), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, src, 2 * PAGE));
	munmap(dst, 2 * PAGE);

	/* Without BOF: partial completion at the first page that is not present. */
	dst = fresh(2 * PAGE);
	dst[0] = 1; /* only the first page is populated */
	enq_cr_reset(&cr);
	enq_prep_memmove(&d[0], (uintptr_t)dst, (uintptr_t)src, 2 * PAGE, 0, &cr);
	T_EQ(write(fd, &d[0], 64), 64);
	T_EQ(cr_wait(&cr), DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(cr.bytes_completed, PAGE);
	T_EQ(cr.fault_addr, (uintptr_t)dst + PAGE);
	T_CHECK(!memcmp(dst, src, PAGE));
	munmap(dst, 2 * PAGE);

	/* The kernel's write() checks: BATCH refused, the record must be 32-byte aligned. */
	enq_prep_batch(&d[0], (uintptr_t)src, 2, 0, &cr);
	T_ERRNO(EINVAL, write(fd, &d[0], 64));
	enq_prep_memmove(&d[0], (uintptr_t)src, (uintptr_t)src + PAGE, 64, 0, NULL);
	d[0].flags |= IDXD_OP_FLAG_CRAV;
	d[0].completion_addr = (uintptr_t)&cr + 8;
	T_ERRNO(EINVAL, write(fd, &d[0], 64));
	/* A good descriptor then a bad one: the count of what was submitted. */
	enq_cr_reset(&cr);
	enq_prep_noop(&d[0], 0, &cr);
	enq_prep_batch(&d[1], (uintptr_t)src, 2, 0, NULL);
	T_EQ(write(fd, d, sizeof(d)), 64);
	T_EQ(cr_wait(&cr), DSA_COMP_SUCCESS);

	/* No record to report a fault in: the device records it, poll() says so. */
	dst = fresh(PAGE);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	T_EQ(poll(&pfd, 1, 0), 0);
	enq_prep_memmove(&d[0], (uintptr_t)dst, (uintptr_t)src, 64, 0, NULL);
	T_EQ(write(fd, &d[0], 64), 64);
	for (int i = 0; i < 500 && !pfd.revents; i++)
		poll(&pfd, 1, 10);
	T_CHECK(pfd.revents & POLLIN);
	munmap(dst, PAGE);
	close(fd);
}

int main(void)
{
	struct accfg_device *dsa;
	struct accfg_ctx *ctx;
	char path[64];

	if (access("/sys/bus/dsa/devices/dsa0", F_OK)) {
		printf("SKIP: no dsa0 (run under `svart sim --`)\n");
		return T_EXIT_SKIP;
	}
	if (accfg_new(&ctx)) {
		fprintf(stderr, "accfg_new failed\n");
		return T_EXIT_FAIL;
	}
	check_enumeration(ctx);
	check_op_cap();
	dsa = accfg_ctx_device_get_by_name(ctx, "dsa0");
	if (!dsa)
		return t_done("idxd_client");

	/* Reconfigure dsa0 as `accel-config` would. */
	T_EQ(accfg_device_disable(dsa, false), 0);
	T_EQ(accfg_device_get_state(dsa), ACCFG_DEVICE_DISABLED);
	T_EQ(accfg_engine_set_group_id(accfg_device_engine_get_by_id(dsa, 0), 0), 0);
	T_EQ(wq_config(wq_get(dsa, 2), "dedicated", 16, 0, "ded"), 0);
	T_EQ(wq_config(wq_get(dsa, 3), "shared", 16, 16, "shr"), 0);
	T_EQ(wq_config(wq_get(dsa, 4), "shared", 8, 8, "x"), 0);
	T_EQ(accfg_device_enable(dsa), 0);
	T_EQ(accfg_device_get_state(dsa), ACCFG_DEVICE_ENABLED);

	/*
	 * The user driver refuses a WQ whose driver_name is not "user" (6.7+): bind by hand, as
	 * libaccel-config would pick the dmaengine driver from the name.
	 */
	T_EQ(accfg_wq_set_str_driver_name(wq_get(dsa, 4), "dmaengine"), 0);
	T_EQ(sysfs_write("/sys/bus/dsa/drivers/user/bind", "wq0.4"), -ENODEV);
	T_EQ(sysfs_read_hex("/sys/bus/dsa/devices/dsa0/cmd_status"), 0x80200000);
	/* Any write clears cmd_status. */
	T_EQ(sysfs_write("/sys/bus/dsa/devices/dsa0/cmd_status", "1"), 0);
	T_EQ(sysfs_read_hex("/sys/bus/dsa/devices/dsa0/cmd_status"), 0);
	/* A WQ that is enabled takes no configuration. */
	T_EQ(sysfs_write("/sys/bus/dsa/devices/wq0.0/size", "4"), -EPERM);

	T_EQ(accfg_wq_enable(wq_get(dsa, 2)), 0);
	T_EQ(accfg_wq_enable(wq_get(dsa, 3)), 0);
	T_EQ(accfg_wq_get_state(wq_get(dsa, 2)), ACCFG_WQ_ENABLED);
	T_EQ(accfg_wq_get_user_dev_path(wq_get(dsa, 2), path, sizeof(path)), 0);
	T_STREQ(path, "/dev/dsa/wq0.2");
	check_dedicated(path);
	T_EQ(accfg_wq_get_user_dev_path(wq_get(dsa, 3), path, sizeof(path)), 0);
	T_STREQ(path, "/dev/dsa/wq0.3");
	check_shared(path);

	/* No node for a WQ that is not enabled, before and after disable-wq. */
	T_ERRNO(ENOENT, open("/dev/dsa/wq0.4", O_RDWR));
	T_EQ(accfg_wq_disable(wq_get(dsa, 3), false), 0);
	T_ERRNO(ENOENT, open("/dev/dsa/wq0.3", O_RDWR));
	T_ERRNO(ENOENT, access("/dev/dsa/wq0.3", F_OK));
	T_EQ(access("/dev/dsa/wq0.2", F_OK), 0);
	accfg_unref(ctx);
	return t_done("idxd_client");
}
