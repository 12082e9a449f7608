// SPDX-License-Identifier: MIT
/*
 * sim IOMMU page requests and the device's memory access through it: page-request groups of
 * several pages delivered through the iommufd fault fd (40-byte records, one cookie, LAST_PAGE
 * on the last), SUCCESS -> the retried walk succeeds, INVALID -> fault, timeout and the late
 * response ignored, detach answering a waiting device, no fault queue; sim_dma over
 * sim_iommu_dma_ops with and without block-on-fault; memory unmapped behind the model's back
 * (a data buffer, a page-table page) -> fault status, no crash.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "sim_translate_util.h"

#define VA1 0x00007f1234567000ULL
#define REC sizeof(struct iommu_hwpt_pgfault)
#define DATA(n) (48u + (n))

static int fault_alloc(int fd, uint32_t *id)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };

	T_EQ(0, svart_sim_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd));
	*id = cmd.out_fault_id;
	return (int)cmd.out_fault_fd;
}

/* Wait (up to ~10 s) for a group on the fault fd and read up to @max records of it. */
static int read_records(int ffd, struct iommu_hwpt_pgfault *recs, unsigned int max)
{
	for (int i = 0; i < 10000; i++) {
		if (svart_sim_poll_events(ffd) & POLLIN) {
			ssize_t n = svart_sim_read(ffd, recs, max * REC);

			return n > 0 ? (int)(n / REC) : 0;
		}
		usleep(1000);
	}
	return 0;
}

static int respond(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return (int)svart_sim_write(ffd, &r, sizeof(r));
}

/* A device thread: a page-request group, or a sim_dma access. */
struct job {
	struct t_env *e;
	uint32_t pasid;
	struct sim_iommu_prq_page pages[4];
	unsigned int n, timeout_ms;
	struct sim_dma *dma; /* set: sim_dma_read/write of len bytes at pages[0].iova */
	void *buf;
	uint64_t len, done;
	int ret;
	atomic_bool finished;
	pthread_t thread;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	if (!j->dma)
		j->ret = sim_iommu_page_group(j->e->dev, j->pasid, true, j->pages, j->n,
					      j->timeout_ms);
	else if (j->pages[0].access & SIM_DMA_WRITE)
		j->ret = sim_dma_write(j->dma, j->pages[0].iova, j->buf, j->len, &j->done);
	else
		j->ret = sim_dma_read(j->dma, j->buf, j->pages[0].iova, j->len, &j->done);
	atomic_store(&j->finished, true);
	return NULL;
}

static void job_start(struct job *j)
{
	atomic_init(&j->finished, false);
	T_EQ(0, pthread_create(&j->thread, NULL, job_main, j));
}

static int job_join(struct job *j)
{
	pthread_join(j->thread, NULL);
	return j->ret;
}

struct fixture {
	struct t_env e;
	int ffd;
	uint32_t fault_id, nf, nn;
	unsigned int top;
};

/* PASID 7: nested HWPT with a fault queue; PASID 8: nested without one (same tables). */
static void fixture_init(struct fixture *fx)
{
	t_env_init(&fx->e, "0000:6a:01.0", true, 64);
	fx->ffd = fault_alloc(fx->e.fd, &fx->fault_id);
	fx->top = t_page(&fx->e);
	fx->nf = t_nested(&fx->e, fx->top, 48, fx->fault_id);
	fx->nn = t_nested(&fx->e, fx->top, 48, 0);
	t_attach(&fx->e, fx->nf, 7);
	t_attach(&fx->e, fx->nn, 8);
}

static void fixture_fini(struct fixture *fx)
{
	T_EQ(0, svart_sim_close(fx->ffd));
	t_env_fini(&fx->e);
}

static void test_groups(void)
{
	struct iommu_hwpt_pgfault recs[4];
	struct sim_iommu_stats s0, s1;
	struct fixture fx;
	struct t_env *e = &fx.e;
	struct job j = { .e = e, .pasid = 7, .n = 3, .timeout_ms = 10000 };
	int n;

	fixture_init(&fx);
	j.pages[0] = (struct sim_iommu_prq_page){ VA1 + 0x10, 0 };
	j.pages[1] = (struct sim_iommu_prq_page){ VA1 + PAGE, SIM_DMA_WRITE };
	j.pages[2] = (struct sim_iommu_prq_page){ VA1 + 2 * PAGE + 0x800, 0 };
	t_xlate(e, 7, VA1, 0, &n);
	T_EQ(-EFAULT, n);

	/* A group of three: all under one grpid and one cookie, LAST_PAGE only on the last. */
	s0 = t_stats(e);
	job_start(&j);
	n = read_records(fx.ffd, recs, 4);
	T_EQ(3, n);
	for (int i = 0; i < 3 && i < n; i++) {
		T_EQ(7, recs[i].pasid);
		T_EQ(e->dev_id, recs[i].dev_id);
		T_EQ(recs[0].grpid, recs[i].grpid);
		T_EQ(recs[0].cookie, recs[i].cookie);
		T_CHECK(recs[i].grpid < 512);
		T_CHECK(recs[i].flags & IOMMU_PGFAULT_FLAGS_PASID_VALID);
		T_EQ(i == 2, !!(recs[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE));
	}
	T_EQ(VA1, recs[0].addr);
	T_EQ(VA1 + PAGE, recs[1].addr);
	T_EQ(VA1 + 2 * PAGE, recs[2].addr);
	T_EQ(IOMMU_PGFAULT_PERM_READ, recs[0].perm);
	T_EQ(IOMMU_PGFAULT_PERM_WRITE, recs[1].perm);
	T_CHECK(!atomic_load(&j.finished)); /* the device waits for the response */
	/* The handler fixes the tables, then answers: the device's retries succeed. */
	for (int i = 0; i < 3; i++)
		t_set(e, fx.top, 4, VA1 + i * PAGE, 1, t_gpa(DATA(i)) | FS_P | FS_RW | FS_US);
	T_EQ(sizeof(struct iommu_hwpt_page_response), respond(fx.ffd, recs[0].cookie, 0));
	T_EQ(0, job_join(&j));
	for (int i = 0; i < 3; i++)
		T_EQ((uintptr_t)e->g + DATA(i) * PAGE,
		     t_xlate(e, 7, VA1 + i * PAGE, i == 1 ? SIM_DMA_WRITE : 0, NULL));
	s1 = t_stats(e);
	T_EQ(3, s1.page_requests - s0.page_requests);
	T_EQ(1, s1.prq_groups - s0.prq_groups);
	T_EQ(1, s1.prq_success - s0.prq_success);

	/* INVALID: the device gets a fault. */
	j = (struct job){ .e = e, .pasid = 7, .n = 1, .timeout_ms = 10000 };
	j.pages[0] = (struct sim_iommu_prq_page){ VA1 + 3 * PAGE, SIM_DMA_WRITE };
	job_start(&j);
	T_EQ(1, read_records(fx.ffd, recs, 4));
	T_EQ(VA1 + 3 * PAGE, recs[0].addr);
	T_CHECK(recs[0].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	T_EQ(sizeof(struct iommu_hwpt_page_response),
	     respond(fx.ffd, recs[0].cookie, IOMMUFD_PAGE_RESP_INVALID));
	T_EQ(-EFAULT, job_join(&j));
	T_EQ(1, t_stats(e).prq_invalid - s1.prq_invalid);

	/* Timeout: -ETIMEDOUT; the late response is ignored; the next group is unaffected. */
	s0 = t_stats(e);
	T_EQ(-ETIMEDOUT, sim_iommu_page_request(e->dev, 7, true, VA1 + 4 * PAGE, 0, 30));
	T_EQ(1, t_stats(e).prq_timeouts - s0.prq_timeouts);
	T_EQ(1, read_records(fx.ffd, recs, 4));
	T_EQ(VA1 + 4 * PAGE, recs[0].addr);
	{
		struct iommu_hwpt_pgfault late = recs[0];

		j = (struct job){ .e = e, .pasid = 7, .n = 1, .timeout_ms = 10000 };
		j.pages[0] = (struct sim_iommu_prq_page){ VA1 + 5 * PAGE, 0 };
		job_start(&j);
		T_EQ(1, read_records(fx.ffd, recs, 4));
		T_EQ(VA1 + 5 * PAGE, recs[0].addr);
		T_CHECK(recs[0].grpid != late.grpid); /* the abandoned index is still taken */
		T_EQ(sizeof(struct iommu_hwpt_page_response), respond(fx.ffd, late.cookie, 0));
		T_EQ(1, t_stats(e).prq_late - s0.prq_late);
		usleep(20000);
		T_CHECK(!atomic_load(&j.finished)); /* not woken by someone else's response */
		T_EQ(sizeof(struct iommu_hwpt_page_response),
		     respond(fx.ffd, recs[0].cookie, IOMMUFD_PAGE_RESP_INVALID));
		T_EQ(-EFAULT, job_join(&j));
	}

	/* Detach while the device waits: the automatic INVALID answers it. */
	j = (struct job){ .e = e, .pasid = 7, .n = 2, .timeout_ms = 10000 };
	j.pages[0] = (struct sim_iommu_prq_page){ VA1 + 6 * PAGE, 0 };
	j.pages[1] = (struct sim_iommu_prq_page){ VA1 + 7 * PAGE, 0 };
	job_start(&j);
	for (int i = 0; i < 10000 && !(svart_sim_poll_events(fx.ffd) & POLLIN); i++)
		usleep(1000);
	T_EQ(0, t_vfio_detach(e->vfd, true, 7));
	T_EQ(-EFAULT, job_join(&j));
	t_attach(e, fx.nf, 7);

	/* No fault queue at the PASID, nothing attached, bad arguments: nothing is sent. */
	s0 = t_stats(e);
	T_EQ(-EIO, sim_iommu_page_request(e->dev, 8, true, VA1 + 8 * PAGE, 0, 10));
	T_EQ(-EIO, sim_iommu_page_request(e->dev, 9, true, VA1 + 8 * PAGE, 0, 10));
	T_EQ(-EIO, sim_iommu_page_request(e->dev, 1u << 20, true, VA1, 0, 10));
	T_EQ(-EIO, sim_iommu_page_request(e->dev, 0, false, VA1, 0, 10));
	T_EQ(-EINVAL, sim_iommu_page_group(e->dev, 7, true, j.pages, 0, 10));
	T_EQ(-EINVAL,
	     sim_iommu_page_request(e->dev, 7, true, VA1, SIM_DMA_WRITE | SIM_XLATE_EXEC, 10));
	T_EQ(s0.page_requests, t_stats(e).page_requests);
	T_CHECK(!(svart_sim_poll_events(fx.ffd) & POLLIN));
	fixture_fini(&fx);
}

/* sim_dma through the IOMMU: BOF page requests, their outcomes, and the faults without. */
static void test_dma(void)
{
	struct iommu_hwpt_pgfault recs[4];
	struct fixture fx;
	struct t_env *e = &fx.e;
	struct sim_dma dma;
	uint8_t out[3 * PAGE], in[PAGE];
	uint64_t done = 0;
	struct job j;

	fixture_init(&fx);
	for (int i = 0; i < 4; i++)
		memset(e->g + DATA(i) * PAGE, 'A' + i, PAGE);
	t_set(e, fx.top, 4, VA1, 1, t_gpa(DATA(0)) | FS_P | FS_RW | FS_US);
	t_set(e, fx.top, 4, VA1 + 2 * PAGE, 1, t_gpa(DATA(2)) | FS_P | FS_RW | FS_US);
	t_set(e, fx.top, 4, VA1 + 3 * PAGE, 1, t_gpa(DATA(3)) | FS_P | FS_US); /* read-only */
	sim_dma_init(&dma, &sim_iommu_dma_ops, e->dev);
	dma.pasid = 7;
	dma.pasid_valid = true;

	/* Without BOF: a translation fault at the hole, whole runs before it done. */
	T_EQ(-EFAULT, sim_dma_read(&dma, out, VA1 + 0x800, 2 * PAGE, &done));
	T_EQ(PAGE - 0x800, done);
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	T_EQ(VA1 + PAGE, dma.fault.addr);
	T_EQ(0, dma.page_requests);

	/* BOF: the hole becomes a page request; the handler maps it and answers SUCCESS. */
	dma.block_on_fault = true;
	j = (struct job){ .e = e, .dma = &dma, .buf = out, .len = 3 * PAGE };
	j.pages[0].iova = VA1;
	job_start(&j);
	T_EQ(1, read_records(fx.ffd, recs, 4));
	T_EQ(VA1 + PAGE, recs[0].addr);
	T_EQ(IOMMU_PGFAULT_PERM_READ, recs[0].perm);
	t_set(e, fx.top, 4, VA1 + PAGE, 1, t_gpa(DATA(1)) | FS_P | FS_RW | FS_US);
	respond(fx.ffd, recs[0].cookie, 0);
	T_EQ(0, job_join(&j));
	T_EQ(3 * PAGE, j.done);
	T_CHECK(out[0] == 'A' && out[PAGE] == 'B' && out[2 * PAGE + PAGE - 1] == 'C');
	T_EQ(1, dma.page_requests);

	/* BOF write to a read-only page: a write page request, INVALID -> IR fault. */
	memset(in, 'z', sizeof(in));
	j = (struct job){ .e = e, .dma = &dma, .buf = in, .len = PAGE };
	j.pages[0] = (struct sim_iommu_prq_page){ VA1 + 3 * PAGE, SIM_DMA_WRITE };
	job_start(&j);
	T_EQ(1, read_records(fx.ffd, recs, 4));
	T_EQ(VA1 + 3 * PAGE, recs[0].addr);
	T_EQ(IOMMU_PGFAULT_PERM_WRITE, recs[0].perm);
	respond(fx.ffd, recs[0].cookie, IOMMUFD_PAGE_RESP_INVALID);
	T_EQ(-EFAULT, job_join(&j));
	T_EQ(SIM_DMA_FAULT_IR, dma.fault.kind);
	T_CHECK(dma.fault.write);
	T_EQ(0, j.done);
	T_EQ('D', e->g[DATA(3) * PAGE]); /* untouched */

	/* BOF, but a fault no page request can fix (reserved bit): no request, XLATE. */
	t_set(e, fx.top, 4, 0x00007f1234800000ULL, 2,
	      t_gpa(0) | FS_P | FS_RW | FS_US | FS_PS | (1ULL << 14));
	dma.page_requests = 0;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, 0x00007f1234800000ULL, 64, &done));
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	T_EQ(0, dma.page_requests);
	T_CHECK(!(svart_sim_poll_events(fx.ffd) & POLLIN));
	/* BOF on a PASID without a fault queue: a translation fault. */
	dma.pasid = 8;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, VA1 + 4 * PAGE, 8, &done));
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	/* Nothing attached: RF. */
	dma.pasid = 9;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, VA1, 8, &done));
	T_EQ(SIM_DMA_FAULT_RF, dma.fault.kind);
	/* Timeout: TIMEOUT; the late answer is then drained. */
	dma.pasid = 7;
	sim_iommu_dev_set_prq_timeout(e->dev, 30);
	T_EQ(-EFAULT, sim_dma_read(&dma, out, VA1 + 4 * PAGE, 8, &done));
	T_EQ(SIM_DMA_FAULT_TIMEOUT, dma.fault.kind);
	T_EQ(1, read_records(fx.ffd, recs, 4));
	respond(fx.ffd, recs[0].cookie, 0);
	sim_iommu_dev_set_prq_timeout(e->dev, 0);
	fixture_fini(&fx);
}

/* Memory that the process unmapped behind the model's back: a fault, never a crash. */
static void test_gone(void)
{
	const uint64_t va_buf = 0x00007f1240000000ULL, va_tbl = 0x00007f1250000000ULL;
	const uint64_t biova = 0x60000000ULL;
	uint8_t *b = t_buffer(2 * PAGE), out[2 * PAGE];
	struct sim_xlate_fault f;
	struct sim_dma_xlate x;
	struct fixture fx;
	struct t_env *e = &fx.e;
	struct sim_dma dma;
	uint64_t done = 1;
	uint64_t *pte;
	unsigned int pt_page;

	fixture_init(&fx);
	memset(b, 'q', 2 * PAGE);
	T_EQ(0, t_map_fixed(e->fd, e->ioas, b, 2 * PAGE, biova));
	t_set(e, fx.top, 4, va_buf, 1, biova | FS_P | FS_RW | FS_US);
	t_set(e, fx.top, 4, va_buf + PAGE, 1, (biova + PAGE) | FS_P | FS_RW | FS_US);
	sim_dma_init(&dma, &sim_iommu_dma_ops, e->dev);
	dma.pasid = 7;
	dma.pasid_valid = true;
	dma.block_on_fault = true;
	T_EQ(0, sim_dma_read(&dma, out, va_buf, 2 * PAGE, &done));
	T_EQ('q', out[2 * PAGE - 1]);

	/* The buffer goes; the IOAS still maps it and the caches still hold it. */
	T_EQ(0, munmap(b, 2 * PAGE));
	T_EQ(-EFAULT, sim_dma_read(&dma, out, va_buf + 0x10, 2 * PAGE - 0x10, &done));
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_EQ(va_buf + 0x10, dma.fault.addr);
	T_EQ(0, done);
	T_EQ(-EFAULT, sim_dma_write(&dma, va_buf + PAGE, out, 16, &done));
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_CHECK(dma.fault.write);
	T_EQ(0, dma.page_requests);

	/* A page-table page goes: the walk itself faults (GONE), not recoverable, no request. */
	pte = t_set(e, fx.top, 4, va_tbl, 1, t_gpa(DATA(0)) | FS_P | FS_RW | FS_US);
	T_EQ((uintptr_t)e->g + DATA(0) * PAGE, t_xlate(e, 7, va_tbl, 0, NULL));
	pt_page = (unsigned int)(((uintptr_t)pte - (uintptr_t)e->g) / PAGE);
	T_EQ(0, munmap(e->g + pt_page * PAGE, PAGE));
	sim_iommu_inv_global();
	sim_iommu_inv_devtlb(e->dev, 7, 0, UINT64_MAX);
	T_EQ(-EFAULT, sim_iommu_translate(e->dev, 7, true, va_tbl, 0, &x, &f));
	T_EQ(SIM_XLATE_GONE, f.reason);
	T_EQ((uintptr_t)e->g + pt_page * PAGE, f.addr & ~(PAGE - 1));
	T_CHECK(!f.recoverable);
	T_EQ(-EFAULT, sim_dma_read(&dma, out, va_tbl, 8, &done));
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	T_EQ(0, dma.page_requests);
	T_CHECK(!(svart_sim_poll_events(fx.ffd) & POLLIN));
	fixture_fini(&fx);
}

/* Several engines fault at once: each waits for its own group's answer. */
static void test_concurrent(void)
{
	struct iommu_hwpt_pgfault recs[16];
	unsigned int seen = 0, groups = 0;
	struct fixture fx;
	struct job j[4];

	fixture_init(&fx);
	for (int i = 0; i < 4; i++) {
		j[i] = (struct job){ .e = &fx.e, .pasid = 7, .n = 2, .timeout_ms = 10000 };
		j[i].pages[0] = (struct sim_iommu_prq_page){ VA1 + (2 * i) * PAGE, 0 };
		j[i].pages[1] = (struct sim_iommu_prq_page){ VA1 + (2 * i + 1) * PAGE, 0 };
		job_start(&j[i]);
	}
	/* Groups arrive whole, in any order, with distinct PRG indexes; odd ones get INVALID. */
	while (groups < 4) {
		int n = read_records(fx.ffd, recs, 16);

		T_CHECK(n > 0 && n % 2 == 0);
		if (n <= 0)
			break;
		for (int k = 0; k + 1 < n; k += 2) {
			unsigned int i = (unsigned int)((recs[k].addr - VA1) / PAGE / 2) & 3;

			T_EQ(recs[k].grpid, recs[k + 1].grpid);
			T_EQ(recs[k].addr + PAGE, recs[k + 1].addr);
			T_CHECK(recs[k + 1].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
			T_CHECK(!(seen & (1u << i)));
			seen |= 1u << i;
			groups++;
			respond(fx.ffd, recs[k].cookie, i % 2 ? IOMMUFD_PAGE_RESP_INVALID : 0);
		}
	}
	for (int i = 0; i < 4; i++)
		T_EQ(i % 2 ? -EFAULT : 0, job_join(&j[i]));
	fixture_fini(&fx);
}

int main(void)
{
	test_groups();
	test_dma();
	test_gone();
	test_concurrent();
	return t_done("sim_translate_prq");
}
