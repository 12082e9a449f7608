// SPDX-License-Identifier: MIT
/*
 * Submission portals (enqcmd/enq_portal.h): the INJECT portal runs the hardware paths with
 * only the instruction replaced, so it shows what the CPU would be handed (byte-exact), that a
 * fence precedes every instruction, how ZF=1 becomes -EAGAIN and how credits bound a dedicated
 * WQ; the WRITE portal runs against pipes and files, with the kernel's errno for a full WQ
 * (-EAGAIN) and a short write turned into -EIO; the SIM portal passes the fixed "how" numbers;
 * the CPUID gate refuses hardware portals without the instruction, and enq_portal_open_idxd()
 * picks write() when the kernel refuses the mapping with EPERM (INTEL-SA-01084).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "enqcmd/enq_cpu.h"
#include "enqcmd/enq_desc.h"
#include "enqcmd/enq_portal.h"
#include "t_helpers.h"

static struct dsa_completion_record cr __attribute__((aligned(32)));

/* A MEMMOVE written out from the reference's byte table: what the capture must hold. */
static void memmove_bytes(uint8_t *b, uint64_t dst, uint64_t src, uint32_t len)
{
	uint64_t c = (uintptr_t)&cr;

	memset(b, 0, 64);
	b[4] = 0x0c; /* CRAV | RCR */
	b[7] = 0x03;
	for (int i = 0; i < 8; i++) {
		b[8 + i] = (uint8_t)(c >> (8 * i));
		b[16 + i] = (uint8_t)(src >> (8 * i));
		b[24 + i] = (uint8_t)(dst >> (8 * i));
	}
	for (int i = 0; i < 4; i++)
		b[32 + i] = (uint8_t)(len >> (8 * i));
}

static void test_inject_capture(void)
{
	uint8_t descs[4][64], events[16], exp[64];
	struct enq_inject inj = {
		.descs = descs, .descs_cap = 4, .events = events, .events_cap = 16
	};
	struct enq_portal p;
	struct dsa_hw_desc d;
	struct iax_hw_desc x;

	T_EQ(enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_ENQCMD), 0);
	T_EQ(p.kind, ENQ_PORTAL_INJECT);

	enq_prep_memmove(&d, 0x1000, 0x2000, 4096, 0, &cr);
	T_EQ(enq_submit(&p, &d), 0);
	enq_iax_prep_crc64(&x, 0x3000, 64, 0x42f0e1eba9ea3693ull, 0, 0, NULL);
	T_EQ(enq_submit(&p, &x), 0);

	T_EQ(inj.n_descs, 2);
	memmove_bytes(exp, 0x1000, 0x2000, 4096);
	T_EQ(memcmp(descs[0], exp, 64), 0);
	/* The IAA CRC64: opcode 0x44, no record, poly at byte 56 (reference §5). */
	T_EQ(descs[1][7], 0x44);
	T_EQ(descs[1][4] | descs[1][5] | descs[1][6], 0);
	T_EQ(descs[1][56], 0x93);
	T_EQ(descs[1][63], 0x42);
	/* Each instruction preceded by its fence. */
	T_EQ(inj.n_events, 4);
	T_EQ(events[0], ENQ_EV_FENCE);
	T_EQ(events[1], ENQ_EV_ENQCMD);
	T_EQ(events[2], ENQ_EV_FENCE);
	T_EQ(events[3], ENQ_EV_ENQCMD);

	/* Capacities bound the stores, not the counts. */
	for (int i = 0; i < 7; i++)
		enq_submit(&p, &d);
	T_EQ(inj.n_descs, 9);
	T_EQ(inj.n_events, 18);
	T_EQ(events[15], ENQ_EV_ENQCMD);
	T_EQ(memcmp(descs[3], exp, 64), 0);

	/* Bad set-up. */
	T_RET(EINVAL, enq_portal_init_inject(&p, NULL, ENQ_SIM_HOW_ENQCMD));
	T_RET(EINVAL, enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_WRITE));
	T_RET(EINVAL, enq_portal_init_inject(&p, &inj, 7));
}

static void test_inject_retry(void)
{
	uint8_t descs[8][64], events[64];
	/* Attempts 0, 1 and 3 of every 5 are refused. */
	struct enq_inject inj = { .descs = descs,
				  .descs_cap = 8,
				  .events = events,
				  .events_cap = 64,
				  .retry_pattern = 0x0b,
				  .retry_period = 5 };
	static const int expect[10] = { -EAGAIN, -EAGAIN, 0, -EAGAIN, 0,
					-EAGAIN, -EAGAIN, 0, -EAGAIN, 0 };
	struct enq_portal p;
	struct dsa_hw_desc d;
	unsigned int accepted = 0;

	T_EQ(enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_ENQCMD), 0);
	for (int i = 0; i < 10; i++) {
		enq_prep_noop(&d, 0, &cr);
		d.xfer_size = (uint32_t)i; /* tag the attempt */
		T_EQ(enq_enqcmd(&p, &d), expect[i]);
		if (!expect[i]) {
			T_EQ(descs[accepted][32], i);
			accepted++;
		}
	}
	T_EQ(inj.attempts, 10);
	T_EQ(inj.n_descs, 4);
	T_EQ(inj.n_descs, accepted);
	/* FENCE before each attempt, RETRY for each refusal. */
	for (int i = 0; i < 10; i++) {
		T_EQ(events[2 * i], ENQ_EV_FENCE);
		T_EQ(events[2 * i + 1], expect[i] ? ENQ_EV_RETRY : ENQ_EV_ENQCMD);
	}

	/* enq_submit_retry(): attempts 10 and 11 are refused (pattern bits 0, 1), 12 accepted. */
	T_EQ(enq_submit_retry(&p, &d, 5), 0);
	T_EQ(inj.attempts, 13);
	/* Retries exhausted: attempts 15 and 16 (pattern bits 0, 1) are refused, and one retry
	 * allows no third. */
	inj.attempts = 15;
	T_RET(EAGAIN, enq_submit_retry(&p, &d, 1));
	T_EQ(inj.attempts, 17);

	/* Pattern periods beyond 64 attempts accept the attempts without a pattern bit. */
	inj.retry_pattern = ~0ull;
	inj.retry_period = 100;
	inj.attempts = 70;
	T_EQ(enq_enqcmd(&p, &d), 0);
	inj.attempts = 63;
	T_RET(EAGAIN, enq_enqcmd(&p, &d));
}

/* ENQCMD / MOVDIR64B on a portal of another kind never reach an instruction. */
static void test_wrong_kind(void)
{
	struct enq_inject inj = { 0 };
	struct enq_portal p;
	struct dsa_hw_desc d;
	int fds[2];

	enq_prep_noop(&d, 0, &cr);
	memset(&p, 0, sizeof(p));
	T_RET(EINVAL, enq_enqcmd(&p, &d));
	T_RET(EINVAL, enq_movdir64b(&p, &d));
	T_RET(EINVAL, enq_write(&p, &d));

	T_EQ(pipe(fds), 0);
	T_EQ(enq_portal_init_write(&p, fds[1]), 0);
	T_RET(EINVAL, enq_enqcmd(&p, &d));
	T_RET(EINVAL, enq_movdir64b(&p, &d));
	close(fds[0]);
	close(fds[1]);

	/* An INJECT portal has no write() path. */
	T_EQ(enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_MOVDIR64B), 0);
	T_RET(EINVAL, enq_write(&p, &d));
	T_EQ(inj.n_events, 0);
}

static void test_credits_basic(void)
{
	uint8_t descs[8][64];
	struct enq_inject inj = { .descs = descs, .descs_cap = 8 };
	struct enq_credits c;
	struct enq_portal p;
	struct dsa_hw_desc d;

	T_RET(EINVAL, enq_credits_init(&c, 0));
	T_EQ(enq_credits_init(&c, 4), 0);
	T_EQ(enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_MOVDIR64B), 0);
	p.credits = &c;
	enq_prep_noop(&d, 0, &cr);

	/* A dedicated WQ of 4 entries takes 4; the 5th waits for a completion. */
	for (int i = 0; i < 4; i++)
		T_EQ(enq_submit(&p, &d), 0);
	T_EQ(enq_credits_in_flight(&c), 4);
	T_RET(EAGAIN, enq_submit(&p, &d));
	T_EQ(inj.n_descs, 4);
	T_EQ(enq_credits_release(&c, 1), 0);
	T_EQ(enq_submit(&p, &d), 0);
	T_EQ(inj.n_descs, 5);

	/* More completions than submissions is refused, and changes nothing. */
	T_EQ(enq_credits_release(&c, 4), 0);
	T_EQ(enq_credits_in_flight(&c), 0);
	T_RET(EINVAL, enq_credits_release(&c, 1));
	T_EQ(enq_credits_in_flight(&c), 0);

	/* A refused submission gives its credit back: ENQCMD retry on a credited portal. */
	inj.retry_pattern = 1;
	inj.retry_period = 1;
	T_EQ(enq_portal_init_inject(&p, &inj, ENQ_SIM_HOW_ENQCMD), 0);
	p.credits = &c;
	T_RET(EAGAIN, enq_submit(&p, &d));
	T_EQ(enq_credits_in_flight(&c), 0);
}

/* Two submitters, one completer: the outstanding count never exceeds the WQ size. */
#define CRED_WQ 3
#define CRED_PER_THREAD 20000

struct cred_shared {
	struct enq_credits c;
	int outstanding; /* what the "device" holds */
	int max_seen;
	int done_threads;
	int submitted;
};

static void *cred_submitter(void *arg)
{
	struct cred_shared *s = arg;

	for (int n = 0; n < CRED_PER_THREAD;) {
		if (enq_credits_acquire(&s->c)) {
			sched_yield();
			continue;
		}
		/* What MOVDIR64B would add to the WQ. */
		int now = __atomic_add_fetch(&s->outstanding, 1, __ATOMIC_SEQ_CST);
		int max = __atomic_load_n(&s->max_seen, __ATOMIC_RELAXED);

		while (now > max &&
		       !__atomic_compare_exchange_n(&s->max_seen, &max, now, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
		__atomic_add_fetch(&s->submitted, 1, __ATOMIC_SEQ_CST);
		n++;
	}
	__atomic_add_fetch(&s->done_threads, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *cred_completer(void *arg)
{
	struct cred_shared *s = arg;
	int completed = 0;

	while (completed < 2 * CRED_PER_THREAD) {
		int o = __atomic_load_n(&s->outstanding, __ATOMIC_SEQ_CST);

		if (!o) {
			sched_yield();
			continue;
		}
		/* The device finishes one: it leaves the WQ before the credit is returned. */
		__atomic_sub_fetch(&s->outstanding, 1, __ATOMIC_SEQ_CST);
		if (enq_credits_release(&s->c, 1))
			break;
		completed++;
	}
	return NULL;
}

static void test_credits_threads(void)
{
	struct cred_shared s = { 0 };
	pthread_t t[3];

	T_EQ(enq_credits_init(&s.c, CRED_WQ), 0);
	T_EQ(pthread_create(&t[0], NULL, cred_submitter, &s), 0);
	T_EQ(pthread_create(&t[1], NULL, cred_submitter, &s), 0);
	T_EQ(pthread_create(&t[2], NULL, cred_completer, &s), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	T_EQ(s.submitted, 2 * CRED_PER_THREAD);
	T_CHECK(s.max_seen <= CRED_WQ);
	T_CHECK(s.max_seen >= 1);
	T_EQ(s.outstanding, 0);
	T_EQ(enq_credits_in_flight(&s.c), 0);
}

/* ---- WRITE ---------------------------------------------------------------------------- */

static void test_write_pipe(void)
{
	uint8_t got[3 * 64], exp[64];
	struct enq_portal p;
	struct dsa_hw_desc d[3];
	int fds[2];

	T_RET(EBADF, enq_portal_init_write(&p, -1));
	T_EQ(pipe2(fds, O_NONBLOCK), 0);
	T_EQ(enq_portal_init_write(&p, fds[1]), 0);
	T_EQ(p.kind, ENQ_PORTAL_WRITE);
	T_EQ(p.how, ENQ_SIM_HOW_WRITE);

	for (int i = 0; i < 3; i++) {
		enq_prep_memmove(&d[i], 0x1000 * (i + 1), 0x100000 + i, 64 + i, 0, &cr);
		T_EQ(enq_submit(&p, &d[i]), 0);
	}
	/* Exactly three whole descriptors went through the fd. */
	T_EQ(read(fds[0], got, sizeof(got)), (ssize_t)sizeof(got));
	for (int i = 0; i < 3; i++) {
		memmove_bytes(exp, 0x1000 * (i + 1), 0x100000 + i, 64 + i);
		T_EQ(memcmp(got + 64 * i, exp, 64), 0);
	}

	/* A full non-blocking pipe: -EAGAIN, what the kernel gives for a shared WQ that stays
	 * full through its ENQCMDS retries. Writes of 64 <= PIPE_BUF bytes are all or nothing. */
	int n = 0;

	while (enq_submit(&p, &d[0]) == 0 && n < 100000)
		n++;
	T_CHECK(n > 0 && n < 100000);
	T_RET(EAGAIN, enq_submit(&p, &d[0]));

	/* No reader: EPIPE (SIGPIPE ignored) is passed through. */
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	T_RET(EPIPE, enq_submit(&p, &d[0]));
	close(fds[1]);

	/* A closed descriptor. */
	T_RET(EBADF, enq_submit(&p, &d[0]));
}

/* A short write (some but not all 64 bytes): -EIO. RLIMIT_FSIZE cuts a file write short. */
static void test_write_short(void)
{
	struct rlimit old, lim;
	struct enq_portal p;
	struct dsa_hw_desc d;
	int fd = memfd_create("enq_short", 0);

	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	T_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 100;
	T_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);

	enq_prep_noop(&d, 0, &cr);
	T_EQ(enq_portal_init_write(&p, fd), 0);
	T_EQ(enq_submit(&p, &d), 0); /* bytes 0-63 */
	T_RET(EIO, enq_submit(&p, &d)); /* 36 of 64 bytes fit under the limit */
	T_RET(EFBIG, enq_submit(&p, &d)); /* at the limit: the write() errno itself */
	T_EQ(lseek(fd, 0, SEEK_END), 100);

	T_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	close(fd);
}

/* ---- SIM ------------------------------------------------------------------------------ */

struct fake_sim {
	unsigned int calls;
	unsigned int how[8];
	const void *desc[8];
	int ret;
};

static int fake_sim_submit(void *wq, const void *desc64, unsigned int how)
{
	struct fake_sim *s = wq;

	if (s->calls < 8) {
		s->how[s->calls] = how;
		s->desc[s->calls] = desc64;
	}
	s->calls++;
	return s->ret;
}

static void test_sim(void)
{
	struct fake_sim s = { 0 };
	struct enq_credits c;
	struct enq_portal p;
	struct dsa_hw_desc d;

	/* The fixed numbers sim uses. */
	T_EQ(ENQ_SIM_HOW_ENQCMD, 0);
	T_EQ(ENQ_SIM_HOW_MOVDIR64B, 1);
	T_EQ(ENQ_SIM_HOW_WRITE, 2);

	T_RET(EINVAL, enq_portal_init_sim(&p, NULL, &s, ENQ_SIM_HOW_ENQCMD));
	T_RET(EINVAL, enq_portal_init_sim(&p, fake_sim_submit, &s, 3));

	enq_prep_noop(&d, 0, &cr);
	for (unsigned int how = 0; how <= 2; how++) {
		T_EQ(enq_portal_init_sim(&p, fake_sim_submit, &s, how), 0);
		T_EQ(enq_submit(&p, &d), 0);
	}
	/* The explicit entry points say which instruction, whatever the portal's default. */
	T_EQ(enq_enqcmd(&p, &d), 0);
	T_EQ(enq_movdir64b(&p, &d), 0);
	T_EQ(enq_write(&p, &d), 0);
	T_EQ(s.calls, 6);
	T_EQ(s.how[0], 0);
	T_EQ(s.how[1], 1);
	T_EQ(s.how[2], 2);
	T_EQ(s.how[3], 0);
	T_EQ(s.how[4], 1);
	T_EQ(s.how[5], 2);
	T_CHECK(s.desc[0] == &d);

	/* sim's answers come back unchanged, and a failed submission returns its credit. */
	T_EQ(enq_credits_init(&c, 2), 0);
	T_EQ(enq_portal_init_sim(&p, fake_sim_submit, &s, ENQ_SIM_HOW_ENQCMD), 0);
	p.credits = &c;
	s.ret = -EAGAIN;
	T_RET(EAGAIN, enq_submit(&p, &d));
	s.ret = -EPERM;
	T_RET(EPERM, enq_submit(&p, &d));
	T_EQ(enq_credits_in_flight(&c), 0);
	s.ret = 0;
	T_EQ(enq_submit(&p, &d), 0);
	T_EQ(enq_credits_in_flight(&c), 1);
}

/* ---- CPUID gate and enq_portal_open_idxd() --------------------------------------------- */

static bool mapped(void *addr)
{
	/* msync() on an unmapped range fails with ENOMEM. */
	return msync(addr, 4096, MS_ASYNC) == 0;
}

static void test_gate(void)
{
	struct enq_cpu none = { .os_enqcmd = -1, .os_movdir64b = -1, .os_waitpkg = -1 };
	struct enq_cpu all = { .cpuid_enqcmd = true,
			       .cpuid_movdir64b = true,
			       .cpuid_waitpkg = true,
			       .os_enqcmd = 1,
			       .os_movdir64b = 1,
			       .os_waitpkg = 1 };
	const struct enq_cpu *real = enq_cpu();
	void *page = aligned_alloc(4096, 4096);
	struct enq_portal p;

	enq_cpu_judge(&none);
	enq_cpu_judge(&all);

	/* The real CPU: a hardware portal exists exactly when the instruction does. */
	T_EQ(enq_portal_init_hw(&p, page, false), real->enqcmd ? 0 : -EOPNOTSUPP);
	T_EQ(enq_portal_init_hw(&p, page, true), real->movdir64b ? 0 : -EOPNOTSUPP);

	enq_cpu_force(&none);
	T_RET(EOPNOTSUPP, enq_portal_init_hw(&p, page, false));
	T_RET(EOPNOTSUPP, enq_portal_init_hw(&p, page, true));

	enq_cpu_force(&all);
	T_EQ(enq_portal_init_hw(&p, page, false), 0);
	T_EQ(p.kind, ENQ_PORTAL_HW_ENQCMD);
	T_EQ(p.how, ENQ_SIM_HOW_ENQCMD);
	T_CHECK(p.hw.page == page);
	/* The other instruction on it is refused before anything executes. */
	T_RET(EINVAL, enq_movdir64b(&p, page));
	T_RET(EINVAL, enq_write(&p, page));
	T_EQ(enq_portal_init_hw(&p, (uint8_t *)page + 64, true), 0);
	T_EQ(p.kind, ENQ_PORTAL_HW_MOVDIR64B);
	T_RET(EINVAL, enq_enqcmd(&p, page));
	/* ENQCMD / MOVDIR64B need a 64-byte aligned destination (#GP otherwise). */
	T_RET(EINVAL, enq_portal_init_hw(&p, (uint8_t *)page + 32, true));
	T_RET(EINVAL, enq_portal_init_hw(&p, NULL, false));
	enq_cpu_force(NULL);
	free(page);
}

static void test_open_idxd(void)
{
	struct enq_cpu none = { .os_enqcmd = -1, .os_movdir64b = -1, .os_waitpkg = -1 };
	struct enq_cpu all = { .cpuid_enqcmd = true,
			       .cpuid_movdir64b = true,
			       .cpuid_waitpkg = true,
			       .os_enqcmd = 1,
			       .os_movdir64b = 1,
			       .os_waitpkg = 1 };
	struct enq_portal p;
	int fds[2], sv[2], mfd, sealed;

	enq_cpu_judge(&none);
	enq_cpu_judge(&all);
	T_EQ(pipe(fds), 0);

	T_RET(EBADF, enq_portal_open_idxd(&p, -1, false, 0));
	T_RET(EINVAL, enq_portal_open_idxd(&p, fds[1], false, 0x80));

	/* No instruction: write(), without trying to map (a pipe could not be mapped). */
	enq_cpu_force(&none);
	T_EQ(enq_portal_open_idxd(&p, fds[1], false, 0), 0);
	T_EQ(p.kind, ENQ_PORTAL_WRITE);
	T_EQ(p.fd, fds[1]);
	T_EQ(enq_portal_open_idxd(&p, fds[1], true, 0), 0);
	T_EQ(p.kind, ENQ_PORTAL_WRITE);

	/* With the instruction, a mapping refusal other than EPERM is the caller's to see: a
	 * socket has no mmap (ENODEV); a shared writable mapping needs a descriptor open for
	 * reading and writing (EACCES for the write-only end of a pipe; open the cdev O_RDWR). */
	enq_cpu_force(&all);
	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	T_RET(ENODEV, enq_portal_open_idxd(&p, sv[0], false, 0));
	close(sv[0]);
	close(sv[1]);
	T_RET(EACCES, enq_portal_open_idxd(&p, fds[1], false, 0));
	/* ... unless write() was asked for. */
	T_EQ(enq_portal_open_idxd(&p, fds[1], false, ENQ_OPEN_WRITE), 0);
	T_EQ(p.kind, ENQ_PORTAL_WRITE);

	/* EPERM, as 6.9.1+ kernels answer without CAP_SYS_RAWIO: fall back to write(). A
	 * write-sealed memfd refuses a shared writable mapping with EPERM. */
	sealed = memfd_create("enq_sealed", MFD_ALLOW_SEALING);
	T_CHECK(sealed >= 0);
	T_EQ(ftruncate(sealed, 4096), 0);
	T_EQ(fcntl(sealed, F_ADD_SEALS, F_SEAL_WRITE), 0);
	T_EQ(enq_portal_open_idxd(&p, sealed, false, 0), 0);
	T_EQ(p.kind, ENQ_PORTAL_WRITE);
	T_EQ(p.fd, sealed);

	/* A mappable fd: the hardware kind, owning one page, unmapped by fini. Nothing is
	 * submitted: the forced instruction does not exist here. */
	mfd = memfd_create("enq_portal", 0);
	T_CHECK(mfd >= 0);
	T_EQ(ftruncate(mfd, 4096), 0);
	T_EQ(enq_portal_open_idxd(&p, mfd, true, 0), 0);
	T_EQ(p.kind, ENQ_PORTAL_HW_MOVDIR64B);
	T_CHECK(p.hw.owned);
	void *page = p.hw.page;

	T_CHECK(mapped(page));
	enq_portal_fini(&p);
	T_EQ(p.kind, ENQ_PORTAL_NONE);
	T_CHECK(!mapped(page));

	T_EQ(enq_portal_open_idxd(&p, mfd, false, 0), 0);
	T_EQ(p.kind, ENQ_PORTAL_HW_ENQCMD);
	enq_portal_fini(&p);

	enq_cpu_force(NULL);
	close(mfd);
	close(sealed);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	test_inject_capture();
	test_inject_retry();
	test_wrong_kind();
	test_credits_basic();
	test_credits_threads();
	test_write_pipe();
	test_write_short();
	test_sim();
	test_gate();
	test_open_idxd();
	return t_done("enq_portal");
}
