// SPDX-License-Identifier: MIT
/*
 * sim_dma and sim_guard: device memory access over the identity backend and over a test
 * backend with 4 KiB pages scattered in host memory (runs, holes, page requests and each of
 * their outcomes); memory that faults when touched (PROT_NONE: SIGSEGV, a file mapping beyond
 * EOF: SIGBUS) gives -EFAULT with the right address and bytes done, on any thread; a SIGSEGV
 * outside a guard still reaches the handler installed before svart's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/sim_dma.h"
#include "sim/sim_guard.h"
#include "t_helpers.h"

#define PAGE 4096UL
#define NPAGES 8

/* ---- a test backend: I/O page i at host page map[i] (0: not mapped) --------------------- */

struct scatter {
	uint8_t *map[NPAGES];
	uint8_t *fix[NPAGES]; /* what a successful page request installs */
	int pr_ret; /* page_request result */
	unsigned int pr_calls;
};

#define SC_BASE 0x100000ULL /* I/O address of page 0 */

static int sc_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			struct sim_dma_xlate *out)
{
	struct scatter *sc = dma->priv;
	uint64_t i = (iova - SC_BASE) / PAGE;

	if (iova < SC_BASE || i >= NPAGES)
		return -ENXIO;
	if (!sc->map[i])
		return -EFAULT;
	out->host = (uintptr_t)sc->map[i] + (iova & (PAGE - 1));
	out->len = PAGE - (iova & (PAGE - 1));
	return 0;
}

static int sc_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	struct scatter *sc = dma->priv;
	uint64_t i = (iova - SC_BASE) / PAGE;

	sc->pr_calls++;
	if (!sc->pr_ret)
		sc->map[i] = sc->fix[i];
	return sc->pr_ret;
}

static const struct sim_dma_ops sc_ops = {
	.translate = sc_translate,
	.page_request = sc_page_request,
};

/* ---- the handler installed before svart's ----------------------------------------------- */

static uint8_t *chain_page;
static volatile sig_atomic_t chain_hits;

static void chain_handler(int sig, siginfo_t *si, void *uc)
{
	if ((uint8_t *)si->si_addr >= chain_page && (uint8_t *)si->si_addr < chain_page + PAGE) {
		chain_hits++;
		mprotect(chain_page, PAGE, PROT_READ | PROT_WRITE);
		return; /* the access runs again and succeeds */
	}
	signal(sig, SIG_DFL);
}

static void test_chain(void)
{
	volatile uint8_t *p = chain_page;

	mprotect(chain_page, PAGE, PROT_NONE);
	chain_hits = 0;
	p[5] = 7; /* outside any guard: the old handler gets it */
	T_EQ(1, chain_hits);
	T_EQ(7, p[5]);
}

static uint8_t *pages(size_t n)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_CHECK(p != MAP_FAILED);
	return p;
}

static void test_guard(void)
{
	uint8_t *a = pages(3), dst[3 * PAGE];
	uintptr_t at = 0;
	int cmp = 0;

	memset(a, 'x', 3 * PAGE);
	mprotect(a + 2 * PAGE, PAGE, PROT_NONE);
	T_EQ(0, sim_guard_memcpy(dst, a, 2 * PAGE, &at));
	T_EQ(-EFAULT, sim_guard_memcpy(dst, a + PAGE, 2 * PAGE, &at));
	T_CHECK(at >= (uintptr_t)a + 2 * PAGE && at < (uintptr_t)a + 3 * PAGE);
	at = 0;
	T_EQ(-EFAULT, sim_guard_memset(a + 2 * PAGE + 100, 0, 10, &at));
	T_EQ((uintptr_t)a + 2 * PAGE + 100, at);
	T_EQ(-EFAULT, sim_guard_memmove(a + 2 * PAGE, a, 16, &at));
	T_EQ(0, sim_guard_memcmp(a, a + PAGE, 64, &cmp, &at));
	T_EQ(0, cmp);
	T_EQ(-EFAULT, sim_guard_memcmp(a, a + 2 * PAGE, 64, &cmp, &at));
	/* Read-only memory: reads fine, writes fault. */
	mprotect(a + PAGE, PAGE, PROT_READ);
	T_EQ(0, sim_guard_memcpy(dst, a + PAGE, 8, &at));
	T_EQ(-EFAULT, sim_guard_memset(a + PAGE + 8, 0, 8, &at));
	T_EQ((uintptr_t)a + PAGE + 8, at);
	T_EQ('x', a[PAGE + 8]);
	/* Many faults in a row: the thread keeps taking them (SA_NODEFER). */
	for (int i = 0; i < 100; i++)
		T_EQ(-EFAULT, sim_guard_memcpy(dst, a + 2 * PAGE, 1, &at));
	munmap(a, 3 * PAGE);
}

/* SIGBUS: a shared file mapping past the end of its file. */
static void test_sigbus(void)
{
	int fd = memfd_create("sim_dma", 0);
	uint8_t dst[64], *m;
	uintptr_t at = 0;

	T_CHECK(fd >= 0);
	T_EQ(0, ftruncate(fd, PAGE));
	m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(m != MAP_FAILED);
	T_EQ(0, sim_guard_memcpy(dst, m + PAGE - 64, 64, &at));
	T_EQ(-EFAULT, sim_guard_memcpy(dst, m + PAGE + 64, 64, &at));
	T_CHECK(at >= (uintptr_t)m + PAGE && at < (uintptr_t)m + 2 * PAGE);
	munmap(m, 2 * PAGE);
	close(fd);
}

static void *thread_guard(void *arg)
{
	uint8_t *p = arg, dst[16];
	uintptr_t at = 0;
	intptr_t ok = sim_guard_memcpy(dst, p, 16, &at) == -EFAULT && at == (uintptr_t)p;

	return (void *)ok;
}

static void test_threads(void)
{
	uint8_t *p = pages(1);
	pthread_t t[2];
	void *r[2];

	mprotect(p, PAGE, PROT_NONE);
	for (int i = 0; i < 2; i++)
		T_EQ(0, pthread_create(&t[i], NULL, thread_guard, p));
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], &r[i]);
		T_CHECK(r[i] != NULL);
	}
	munmap(p, PAGE);
}

static void test_identity(void)
{
	uint8_t *a = pages(4), *b = pages(4), rec[32];
	struct sim_dma dma;
	uint64_t done = 7, run = 0;
	void *host = NULL;

	sim_dma_init(&dma, &sim_dma_identity_ops, NULL);
	for (size_t i = 0; i < 4 * PAGE; i++)
		a[i] = (uint8_t)(i * 7);
	T_EQ(0, sim_dma_copy(&dma, (uintptr_t)b + 3, (uintptr_t)a + 1, 3 * PAGE, &done));
	T_EQ(3 * PAGE, done);
	T_EQ(0, memcmp(b + 3, a + 1, 3 * PAGE));
	T_EQ(0, sim_dma_run(&dma, (uintptr_t)a, 2 * PAGE, SIM_DMA_READ, &host, &run));
	T_EQ((uintptr_t)a, (uintptr_t)host);
	T_EQ(2 * PAGE, run);

	/* The identity backend gives one long run: a fault inside it leaves done = 0. */
	mprotect(a + 3 * PAGE, PAGE, PROT_NONE);
	T_EQ(-EFAULT, sim_dma_read(&dma, b, (uintptr_t)a + PAGE, 3 * PAGE, &done));
	T_EQ(0, done);
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_CHECK(dma.fault.addr >= (uintptr_t)a + 3 * PAGE &&
		dma.fault.addr < (uintptr_t)a + 4 * PAGE);
	T_CHECK(!dma.fault.write);
	T_EQ(-EFAULT, sim_dma_write(&dma, (uintptr_t)a + 3 * PAGE + 8, b, 8, &done));
	T_EQ((uintptr_t)a + 3 * PAGE + 8, dma.fault.addr);
	T_CHECK(dma.fault.write);
	T_EQ(2, dma.faults);

	/* Completion record: bytes 1..31 then the status byte. */
	for (int i = 0; i < 32; i++)
		rec[i] = (uint8_t)(0x80 + i);
	memset(b, 0, 64);
	T_EQ(0, sim_dma_write_record(&dma, (uintptr_t)b, rec, 32));
	T_EQ(0, memcmp(b, rec, 32));
	T_EQ(0, b[32]);
	T_EQ(-EFAULT, sim_dma_write_record(&dma, (uintptr_t)a + 3 * PAGE, rec, 32));
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_CHECK(dma.fault.write);
	munmap(a, 4 * PAGE);
	munmap(b, 4 * PAGE);
}

static void test_scatter(void)
{
	uint8_t *h = pages(NPAGES), out[NPAGES * PAGE];
	struct scatter sc = { .pr_ret = 0 };
	struct sim_dma dma;
	uint64_t done = 0, run = 0;
	void *host = NULL;

	/* I/O page i -> host page (i * 3) % 8: never two neighbours in a row. */
	for (unsigned int i = 0; i < NPAGES; i++) {
		sc.map[i] = h + ((i * 3) % NPAGES) * PAGE;
		memset(sc.map[i], 'a' + i, PAGE);
	}
	sim_dma_init(&dma, &sc_ops, &sc);
	T_EQ(0, sim_dma_run(&dma, SC_BASE + 0x10, 3 * PAGE, SIM_DMA_READ, &host, &run));
	T_EQ((uintptr_t)sc.map[0] + 0x10, (uintptr_t)host);
	T_EQ(PAGE - 0x10, run);
	T_EQ(0, sim_dma_read(&dma, out, SC_BASE + 0x10, 3 * PAGE, &done));
	T_EQ(3 * PAGE, done);
	T_CHECK(out[0] == 'a' && out[PAGE - 0x10] == 'b' && out[3 * PAGE - 1] == 'd');

	/* A hole at page 2: XLATE at its first byte, the two runs before it done. */
	sc.fix[2] = sc.map[2];
	sc.map[2] = NULL;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(2 * PAGE, done);
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	T_EQ(SC_BASE + 2 * PAGE, dma.fault.addr);
	T_EQ(0, sc.pr_calls);
	/* BOF: each page-request outcome. */
	dma.block_on_fault = true;
	sc.pr_ret = -EFAULT;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(SIM_DMA_FAULT_IR, dma.fault.kind);
	sc.pr_ret = -ETIMEDOUT;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(SIM_DMA_FAULT_TIMEOUT, dma.fault.kind);
	sc.pr_ret = -EIO;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(SIM_DMA_FAULT_RF, dma.fault.kind);
	sc.pr_ret = -EOPNOTSUPP;
	dma.page_requests = 0;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(SIM_DMA_FAULT_XLATE, dma.fault.kind);
	T_EQ(0, dma.page_requests); /* none was made */
	/* A success that does not fix anything: bounded retries, then RF. */
	sc.pr_ret = 0;
	sc.fix[2] = NULL;
	sc.pr_calls = 0;
	dma.max_page_requests = 3;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE + 2 * PAGE, 8, &done));
	T_EQ(SIM_DMA_FAULT_RF, dma.fault.kind);
	T_EQ(3, sc.pr_calls);
	/* A success that maps the page: the access completes. */
	sc.fix[2] = h + 6 * PAGE;
	T_EQ(0, sim_dma_read(&dma, out, SC_BASE, 4 * PAGE, &done));
	T_EQ(4 * PAGE, done);
	T_EQ('c', out[2 * PAGE]);
	/* Beyond the backend: nothing attached -> RF, no page request. */
	sc.pr_calls = 0;
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE + NPAGES * PAGE, 8, &done));
	T_EQ(SIM_DMA_FAULT_RF, dma.fault.kind);
	T_EQ(0, sc.pr_calls);

	/*
	 * Host memory gone under page 3: GONE, whole runs before it done, both directions. The
	 * address is where memcpy touched first, somewhere in the page (not always its start).
	 */
#define IN_PAGE3(a) ((a) >= SC_BASE + 3 * PAGE && (a) < SC_BASE + 4 * PAGE)
	mprotect(sc.map[3], PAGE, PROT_NONE);
	T_EQ(-EFAULT, sim_dma_read(&dma, out, SC_BASE + 0x100, 4 * PAGE, &done));
	T_EQ(3 * PAGE - 0x100, done);
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_CHECK(IN_PAGE3(dma.fault.addr));
	T_EQ(-EFAULT, sim_dma_copy(&dma, SC_BASE + 4 * PAGE, SC_BASE + 2 * PAGE, 2 * PAGE, &done));
	T_EQ(PAGE, done);
	T_EQ(SIM_DMA_FAULT_GONE, dma.fault.kind);
	T_CHECK(!dma.fault.write);
	T_CHECK(IN_PAGE3(dma.fault.addr));
	T_EQ(-EFAULT, sim_dma_copy(&dma, SC_BASE + 2 * PAGE, SC_BASE + 5 * PAGE, 2 * PAGE, &done));
	T_EQ(PAGE, done);
	T_CHECK(dma.fault.write);
	T_CHECK(IN_PAGE3(dma.fault.addr));
	munmap(h, NPAGES * PAGE);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = chain_handler, .sa_flags = SA_SIGINFO };

	/* A handler of the program's own, installed before svart's. */
	sigemptyset(&sa.sa_mask);
	T_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	chain_page = pages(1);
	T_EQ(0, sim_guard_init());
	T_EQ(0, sim_guard_init()); /* idempotent */
	test_chain();
	test_guard();
	test_sigbus();
	test_threads();
	test_identity();
	test_scatter();
	test_chain(); /* still chained after many guarded faults */
	munmap(chain_page, PAGE);
	return t_done("sim_dma");
}
