// SPDX-License-Identifier: MIT
/*
 * sim's idxd WQ character devices (sim/idxd/idxd_cdev.c) and the SVA backend behind them
 * (sim/idxd/idxd_sva.c), through svart_sim_open()/_write() as svart's OS layer uses them:
 *  - the nodes' metadata without an open (major/minor as sysfs shows them, ENOENT for WQs
 *    not bound to the user driver, strict names);
 *  - write() with the kernel's checks (len / 64 descriptors, BATCH and a misaligned record
 *    EINVAL, an unreadable buffer EFAULT, the count submitted before an error), mmap EPERM,
 *    no read or ioctl;
 *  - SVA: a populated page translates, a mapped but untouched page faults (partial completion
 *    0x83 with bytes_completed and fault_addr) or, with block on fault, is faulted in by the
 *    page request; an unmapped or read-only page gets Invalid Request (0x84); an explicit
 *    invalidation drops a cached translation;
 *  - a dedicated WQ: one opener (EBUSY), its WQCFG PASID from the open;
 *  - poll(): a fault with no completion record to report it in;
 *  - no descriptor lost: a WQ disabled with work in flight completes every accepted
 *    descriptor, then write() fails with ENXIO; a device disabled under an open file too.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "enqcmd/enq_desc.h"
#include "sim/idxd/sim_idxd.h"
#include "sim/sim_file.h"
#include "svart/sim.h"
#include "t_helpers.h"

#define PAGE 4096u
#define NR_INFLIGHT 64
#define INFLIGHT_LEN (64u * 1024)

/* wq0.0 shared with BOF, wq0.1 dedicated with BOF, wq0.2 shared without. */
static const char config[] = "dsa engines=1 wq=shared:32:bof=1 wq=dedicated:16:bof=1 "
			     "wq=shared:16\n"
			     "iax engines=1 wq=shared:32\n";

static struct dsa_completion_record crs[NR_INFLIGHT] __attribute__((aligned(32)));
static unsigned char src[2 * PAGE] __attribute__((aligned(PAGE)));

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

/* munmap() and what the interposer does after it: drop the devices' cached translations. */
static void unmap(void *p, size_t len)
{
	munmap(p, len);
	sim_idxd_sva_invalidate((uintptr_t)p, len);
}

static unsigned char *fresh(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(T_EXIT_FAIL);
	}
	return p;
}

/* One MEMMOVE through @fd; the record's status (0: write failed or no completion). */
static uint8_t copy(int fd, void *dst, const void *s, uint32_t len, uint32_t flags,
		    struct dsa_completion_record *cr)
{
	struct dsa_hw_desc d __attribute__((aligned(64)));

	enq_cr_reset(cr);
	enq_prep_memmove(&d, (uintptr_t)dst, (uintptr_t)s, len, flags, cr);
	if (svart_sim_write(fd, &d, sizeof(d)) != 64)
		return 0;
	return cr_wait(cr);
}

static void test_nodes(void)
{
	mode_t mode;
	dev_t rdev;

	T_EQ(sim_idxd_cdev_getattr("/dev/dsa/wq0.1", &mode, &rdev), 0);
	T_EQ(mode, S_IFCHR | 0600);
	T_EQ(major(rdev), SIM_IDXD_DSA_MAJOR);
	T_EQ(minor(rdev), 1);
	T_EQ(sim_idxd_cdev_getattr("/dev/iax/wq1.0", &mode, &rdev), 0);
	T_EQ(major(rdev), SIM_IDXD_IAX_MAJOR);
	T_EQ(minor(rdev), 0);
	T_RET(ENOENT, sim_idxd_cdev_getattr("/dev/dsa/wq0.3", &mode, &rdev));
	T_RET(ENOENT, sim_idxd_cdev_getattr("/dev/iax/wq0.0", &mode, &rdev));
	T_RET(ENOENT, sim_idxd_cdev_getattr("/dev/dsa/wq00.1", &mode, &rdev));
	T_RET(ENOENT, sim_idxd_cdev_getattr("/dev/dsa/wq0.1x", &mode, &rdev));
	T_ERRNO(ENOENT, svart_sim_open("/dev/dsa/wq0.3", O_RDWR));
	T_ERRNO(ENOENT, svart_sim_open("/dev/dsa/wq1.0", O_RDWR));
}

static void test_write_rules(int fd)
{
	struct dsa_hw_desc d[2] __attribute__((aligned(64)));
	struct sim_file *file;
	unsigned char *none;
	void *addr = NULL;
	char c;

	/* The kernel's write(): BATCH refused, the record 32-byte aligned. */
	enq_prep_batch(&d[0], (uintptr_t)src, 2, 0, &crs[0]);
	T_ERRNO(EINVAL, svart_sim_write(fd, &d[0], 64));
	enq_prep_noop(&d[0], 0, NULL);
	d[0].flags |= IDXD_OP_FLAG_CRAV;
	d[0].completion_addr = (uintptr_t)&crs[0] + 16;
	T_ERRNO(EINVAL, svart_sim_write(fd, &d[0], 64));
	/* len / 64 descriptors: nothing for less, the trailing bytes ignored. */
	T_EQ(svart_sim_write(fd, &d[0], 63), 0);
	enq_prep_noop(&d[0], 0, &crs[0]);
	enq_prep_noop(&d[1], 0, &crs[1]);
	enq_cr_reset(&crs[0]);
	enq_cr_reset(&crs[1]);
	T_EQ(svart_sim_write(fd, d, 100), 64);
	T_EQ(cr_wait(&crs[0]), DSA_COMP_SUCCESS);
	T_EQ(crs[1].status, 0);
	/* Submitted, then refused: the count of what went in. */
	enq_prep_batch(&d[1], (uintptr_t)src, 2, 0, NULL);
	enq_cr_reset(&crs[0]);
	T_EQ(svart_sim_write(fd, d, sizeof(d)), 64);
	T_EQ(cr_wait(&crs[0]), DSA_COMP_SUCCESS);
	/* copy_from_user() of an unreadable buffer. */
	none = fresh(PAGE, PROT_NONE);
	T_ERRNO(EFAULT, svart_sim_write(fd, none, 64));
	munmap(none, PAGE);
	/* No read, no ioctl, no portal mapping (INTEL-SA-01084, without CAP_SYS_RAWIO). */
	T_ERRNO(EINVAL, svart_sim_read(fd, &c, 1));
	T_ERRNO(ENOTTY, svart_sim_ioctl(fd, 0x1234, NULL));
	file = sim_file_get(fd);
	T_CHECK(file && file->ops->mmap);
	if (file && file->ops->mmap) {
		T_EQ(file->ops->mmap(file, PAGE, PROT_WRITE, MAP_SHARED, 0, &addr), -EPERM);
		sim_file_put(file);
	}
}

static void test_sva(int fd)
{
	struct sim_idxd_sva_stats before, after;
	unsigned char *dst;

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);

	/* Populated: plain success. */
	dst = fresh(2 * PAGE, PROT_READ | PROT_WRITE);
	memset(dst, 0, 2 * PAGE);
	T_EQ(copy(fd, dst, src, 2 * PAGE, 0, &crs[0]), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, src, 2 * PAGE));

	/* Dropped and invalidated (what the interposer does after madvise): a fault again. */
	sim_idxd_sva_stats(&before);
	T_EQ(madvise(dst, 2 * PAGE, MADV_DONTNEED), 0);
	sim_idxd_sva_invalidate((uintptr_t)dst, 2 * PAGE);
	T_EQ(copy(fd, dst, src, 2 * PAGE, 0, &crs[0]),
	     DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(crs[0].bytes_completed, 0);
	T_EQ(crs[0].fault_addr, (uintptr_t)dst);
	sim_idxd_sva_stats(&after);
	T_EQ(after.invalidations, before.invalidations + 1);
	T_CHECK(after.not_present > before.not_present);

	/* Block on fault: the page request populates them for the process. */
	T_EQ(copy(fd, dst, src, 2 * PAGE, IDXD_OP_FLAG_BOF, &crs[0]), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, src, 2 * PAGE));
	sim_idxd_sva_stats(&before);
	T_CHECK(before.pr_success >= after.pr_success + 2);
	unmap(dst, 2 * PAGE);

	/* Half populated, no BOF: partial completion at the second page. */
	dst = fresh(2 * PAGE, PROT_READ | PROT_WRITE);
	dst[0] = 0;
	T_EQ(copy(fd, dst, src, 2 * PAGE, 0, &crs[0]),
	     DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
	T_EQ(crs[0].bytes_completed, PAGE);
	T_EQ(crs[0].fault_addr, (uintptr_t)dst + PAGE);
	T_CHECK(!memcmp(dst, src, PAGE));
	unmap(dst, 2 * PAGE);

	/* Unmapped: the page request is answered Invalid Request. */
	dst = fresh(PAGE, PROT_READ | PROT_WRITE);
	unmap(dst, PAGE);
	T_EQ(copy(fd, dst, src, 64, IDXD_OP_FLAG_BOF, &crs[0]),
	     DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
	T_EQ(crs[0].fault_addr, (uintptr_t)dst);
	/* Read-only: no write access for the device either. */
	dst = fresh(PAGE, PROT_READ);
	T_EQ(copy(fd, dst, src, 64, IDXD_OP_FLAG_BOF, &crs[0]),
	     DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
	/* ... but it is a fine source once populated. */
	T_EQ(dst[0], 0);
	T_EQ(copy(fd, src + PAGE, dst, 64, 0, &crs[0]), DSA_COMP_SUCCESS);
	T_EQ(src[PAGE], 0);
	unmap(dst, PAGE);
}

static void test_poll(int fd)
{
	struct dsa_hw_desc d __attribute__((aligned(64)));
	unsigned char *dst = fresh(PAGE, PROT_READ | PROT_WRITE);
	char text[128];
	int ev = 0;

	T_EQ(svart_sim_poll_events(fd) & POLLIN, 0);
	/* A fault and no record to report it in: the device's software error register. */
	enq_prep_memmove(&d, (uintptr_t)dst, (uintptr_t)src, 64, 0, NULL);
	T_EQ(svart_sim_write(fd, &d, 64), 64);
	for (int i = 0; i < 500 && !(ev & POLLIN); i++) {
		usleep(1000);
		ev = svart_sim_poll_events(fd);
	}
	T_CHECK(ev & POLLIN);
	T_CHECK(ev & POLLRDNORM);
	/*
	 * errors shows the register: its last word is valid | desc_valid | wq_idx_valid |
	 * fault_rw (0x2d), the page-fault status 0x03 in bits 15:8 (the write is fault_rw's)
	 * and WQ 0 in bits 23:16.
	 */
	T_EQ(sim_idxd_sysfs_read("/sys/bus/dsa/devices/dsa0/errors", text, sizeof(text)), 72);
	text[72] = '\0';
	T_STREQ(text + 63, "0000032d\n");
	unmap(dst, PAGE);
}

static void test_dedicated(void)
{
	struct dsa_hw_desc d __attribute__((aligned(64)));
	unsigned char dst[PAGE];
	int fd, fd2;

	fd = svart_sim_open("/dev/dsa/wq0.1", O_RDWR | O_CLOEXEC);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	T_ERRNO(EBUSY, fd2 = svart_sim_open("/dev/dsa/wq0.1", O_RDWR));
	(void)fd2;
	memset(dst, 0, sizeof(dst));
	T_EQ(copy(fd, dst, src, sizeof(dst), 0, &crs[0]), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(dst, src, sizeof(dst)));
	T_EQ(svart_sim_close(fd), 0);
	fd = svart_sim_open("/dev/dsa/wq0.1", O_RDWR);
	T_CHECK(fd >= 0);
	/* The device goes away under the open file: writes fail, close still works. */
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/drivers/idxd/unbind", "dsa0", 4), 4);
	enq_prep_noop(&d, 0, &crs[0]);
	T_ERRNO(ENXIO, svart_sim_write(fd, &d, 64));
	T_EQ(svart_sim_close(fd), 0);
}

/* WQ disabled with descriptors in flight: each accepted one completes. */
static void test_disable_in_flight(void)
{
	unsigned char *dst = fresh(NR_INFLIGHT * (size_t)INFLIGHT_LEN, PROT_READ | PROT_WRITE);
	unsigned char *big = fresh(INFLIGHT_LEN, PROT_READ | PROT_WRITE);
	struct dsa_hw_desc d __attribute__((aligned(64)));
	bool in[NR_INFLIGHT] = { false };
	int fd, accepted = 0, done = 0;

	memset(dst, 0, NR_INFLIGHT * (size_t)INFLIGHT_LEN);
	memset(big, 0x5a, INFLIGHT_LEN);
	fd = svart_sim_open("/dev/dsa/wq0.2", O_RDWR);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	for (int i = 0; i < NR_INFLIGHT; i++) {
		enq_cr_reset(&crs[i]);
		enq_prep_memmove(&d, (uintptr_t)dst + (size_t)i * INFLIGHT_LEN, (uintptr_t)big,
				 INFLIGHT_LEN, 0, &crs[i]);
		/* A full WQ answers EAGAIN after the retries: not accepted, not lost. */
		in[i] = svart_sim_write(fd, &d, 64) == 64;
		accepted += in[i];
	}
	T_CHECK(accepted > 0);
	/* disable-wq: returns once the WQ has drained. */
	T_EQ(sim_idxd_sysfs_write("/sys/bus/dsa/drivers/user/unbind", "wq0.2", 5), 5);
	for (int i = 0; i < NR_INFLIGHT; i++) {
		if (!in[i])
			continue;
		if (__atomic_load_n(&crs[i].status, __ATOMIC_ACQUIRE) == DSA_COMP_SUCCESS &&
		    !memcmp(dst + (size_t)i * INFLIGHT_LEN, big, INFLIGHT_LEN))
			done++;
	}
	T_EQ(done, accepted);
	T_ERRNO(ENXIO, svart_sim_write(fd, &d, 64));
	T_ERRNO(ENOENT, svart_sim_open("/dev/dsa/wq0.2", O_RDWR));
	T_EQ(svart_sim_close(fd), 0);
	unmap(dst, NR_INFLIGHT * (size_t)INFLIGHT_LEN);
	unmap(big, INFLIGHT_LEN);
}

int main(void)
{
	int fd;

	setenv("SVART_SIM_CONFIG", config, 1);
	unsetenv(SIM_IDXD_STATE_ENV);
	if (sim_idxd_get()) {
		fprintf(stderr, "sim_idxd_get: %s\n", sim_idxd_error());
		return T_EXIT_FAIL;
	}
	test_nodes();
	fd = svart_sim_open("/dev/dsa/wq0.0", O_RDWR | O_CLOEXEC);
	T_CHECK(fd >= 0);
	if (fd >= 0) {
		test_write_rules(fd);
		test_sva(fd);
		test_poll(fd);
		T_EQ(svart_sim_close(fd), 0);
	}
	test_disable_in_flight();
	test_dedicated();
	return t_done("sim_idxd_cdev");
}
