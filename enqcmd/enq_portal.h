/* SPDX-License-Identifier: MIT */
/*
 * Submission portals: where a 64-byte descriptor goes to reach a DSA/IAA work queue.
 *
 *   HW_ENQCMD     a shared WQ's portal page mapped into the process; ENQCMD, ZF=1 = retry
 *   HW_MOVDIR64B  a dedicated WQ's portal page; MOVDIR64B, no feedback (count credits)
 *   WRITE         the idxd cdev, when mmap of the portal is refused (INTEL-SA-01084: EPERM
 *                 without CAP_SYS_RAWIO): write(fd, desc, 64), the kernel submits for us
 *   SIM           sim's device: a callback told which instruction (ENQ_SIM_HOW_*) was used
 *   INJECT        test capture: the HW_* paths with only the instruction (and the fence)
 *                 replaced by a byte-exact capture, a programmable retry pattern, an event log
 *
 * The hot paths are inline and allocation-free. The hardware kinds exist only when enq_cpu()
 * has the instruction (the init functions refuse otherwise), so the inline assembly below is
 * unreachable on a CPU without it. docs/SUBMISSION.md describes the semantics and fences.
 *
 * Encodings (written as bytes so that assemblers older than binutils 2.34 build them; both are
 * "INSN m512 source at [rdx], destination portal address in rax"), as the kernel's
 * arch/x86/include/asm/special_insns.h movdir64b()/enqcmds() and intel/dsa-perf-micros
 * src/dsa.h write them:
 *   ENQCMD     f2 0f 38 f8 02      (ENQCMDS is f3; the kernel's only)
 *   MOVDIR64B  66 0f 38 f8 02
 */
#ifndef SVART_ENQCMD_ENQ_PORTAL_H
#define SVART_ENQCMD_ENQ_PORTAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "enqcmd/idxd_hw.h"
#include "runtime/rt_os.h"

/* How a descriptor was handed over; the numbers are shared with sim (sim_wq_submit()). */
#define ENQ_SIM_HOW_ENQCMD 0u
#define ENQ_SIM_HOW_MOVDIR64B 1u
#define ENQ_SIM_HOW_WRITE 2u /* write() on the idxd cdev */

/*
 * sim's side of a SIM portal: take one 64-byte descriptor into WQ @wq.
 * Return: 0 accepted, -EAGAIN retry (what ZF=1 reports; also a full shared WQ through write()),
 * -EPERM no PASID (what a #GP / SIGSEGV would be on hardware), or another -errno.
 */
typedef int (*enq_sim_submit_fn)(void *wq, const void *desc64, unsigned int how);

enum enq_portal_kind {
	ENQ_PORTAL_NONE = 0,
	ENQ_PORTAL_HW_ENQCMD,
	ENQ_PORTAL_HW_MOVDIR64B,
	ENQ_PORTAL_WRITE,
	ENQ_PORTAL_SIM,
	ENQ_PORTAL_INJECT,
};

/*
 * Credits for a dedicated WQ: MOVDIR64B gives no feedback and a full WQ drops the descriptor,
 * so at most wq_size descriptors may be outstanding. Take one before a submission, give it
 * back when its completion is seen (or when the submission failed).
 */
struct enq_credits {
	uint32_t avail; /* atomic */
	uint32_t size;
};

/* Events an INJECT portal logs, in program order. */
enum enq_inject_ev {
	ENQ_EV_FENCE = 1, /* the store fence that precedes an instruction */
	ENQ_EV_ENQCMD, /* an ENQCMD that was accepted (ZF=0) */
	ENQ_EV_RETRY, /* an ENQCMD that was refused (ZF=1) */
	ENQ_EV_MOVDIR64B,
};

/*
 * An INJECT portal's device: the caller owns it and the buffers it points to. Capture
 * counters keep counting past the capacities (only the first cap entries are stored). Not
 * thread-safe: one submitting thread per INJECT portal.
 */
struct enq_inject {
	uint8_t (*descs)[IDXD_DESC_SIZE]; /* accepted descriptors, byte-exact, in order */
	unsigned int descs_cap;
	unsigned int n_descs;
	uint8_t *events; /* enum enq_inject_ev; NULL: not logged */
	unsigned int events_cap;
	unsigned int n_events;
	/*
	 * ENQCMD attempt k (counted from 0 in @attempts) is refused when bit (k % retry_period) of
	 * retry_pattern is set; retry_period 0 refuses nothing. MOVDIR64B is never refused.
	 */
	uint64_t retry_pattern;
	unsigned int retry_period;
	unsigned int attempts;
};

struct enq_portal {
	enum enq_portal_kind kind;
	unsigned int how; /* ENQ_SIM_HOW_*: what enq_submit() uses */
	struct enq_credits *credits; /* optional: enq_submit() takes one per descriptor */
	union {
		struct {
			void *page; /* 64-byte aligned portal address */
			bool owned; /* mapped by enq_portal_open_idxd(): unmapped by fini */
		} hw;
		int fd; /* WRITE */
		struct {
			enq_sim_submit_fn submit;
			void *wq;
		} sim;
		struct enq_inject *inj;
	};
};

/* enq_portal_open_idxd() flags */
#define ENQ_OPEN_WRITE (1u << 0) /* use write() even when the portal could be mapped */
#define ENQ_OPEN_FLAGS_ALL ENQ_OPEN_WRITE

/**
 * enq_portal_init_hw() - a portal on a mapped WQ portal page.
 * @p: the portal to set up.
 * @page: the portal (any 64-byte aligned address inside the WQ's portal page).
 * @dedicated: true for a dedicated WQ (MOVDIR64B), false for a shared one (ENQCMD).
 *
 * The caller keeps the mapping. This is the CPUID gate: no hardware portal exists without its
 * instruction.
 *
 * Return: 0; -EINVAL for a NULL or misaligned @page; -EOPNOTSUPP when enq_cpu() lacks the
 * instruction or the architecture is not x86-64.
 */
int enq_portal_init_hw(struct enq_portal *p, void *page, bool dedicated);

/**
 * enq_portal_init_write() - a portal that submits by write() of 64 bytes to @fd.
 * @p: the portal to set up.
 * @fd: an idxd WQ cdev (kernel or sim; the caller keeps it open).
 *
 * Return: 0, or -EBADF for a negative @fd.
 */
int enq_portal_init_write(struct enq_portal *p, int fd);

/**
 * enq_portal_init_sim() - a portal onto a sim WQ.
 * @p: the portal to set up.
 * @submit: sim's submission function.
 * @wq: sim's WQ, passed back to @submit.
 * @how: ENQ_SIM_HOW_ENQCMD (shared WQ), _MOVDIR64B (dedicated) or _WRITE: what enq_submit()
 *	uses.
 *
 * Return: 0, or -EINVAL for a NULL @submit or an unknown @how.
 */
int enq_portal_init_sim(struct enq_portal *p, enq_sim_submit_fn submit, void *wq, unsigned int how);

/**
 * enq_portal_init_inject() - a test portal that captures what the hardware path would store.
 * @p: the portal to set up.
 * @inj: the capture device (counters are not reset: zero it first).
 * @how: the path enq_submit() takes: ENQ_SIM_HOW_ENQCMD or ENQ_SIM_HOW_MOVDIR64B.
 *
 * Return: 0, or -EINVAL for a NULL @inj or another @how.
 */
int enq_portal_init_inject(struct enq_portal *p, struct enq_inject *inj, unsigned int how);

/**
 * enq_portal_open_idxd() - the best portal an open idxd WQ cdev allows.
 * @p: the portal to set up.
 * @fd: the open cdev (/dev/dsa/wqX.Y or /dev/iax/wqX.Y), opened O_RDWR (a shared writable
 *	mapping needs read access too: O_WRONLY gives -EACCES); kept open by the caller, also
 *	for the WRITE kind.
 * @dedicated: the WQ's mode (sysfs "mode").
 * @flags: ENQ_OPEN_*.
 *
 * Maps the portal page and uses the instruction when the CPU has it; falls back to write()
 * when the kernel refuses the mapping with EPERM (INTEL-SA-01084: no CAP_SYS_RAWIO), when the
 * CPU lacks the instruction, for a sim descriptor (sim portals cannot be mapped), or on
 * ENQ_OPEN_WRITE. Which one was chosen is @p->kind.
 *
 * Return: 0; -EBADF, -EINVAL for bad arguments; the mmap errno for any refusal but EPERM.
 */
int enq_portal_open_idxd(struct enq_portal *p, int fd, bool dedicated, unsigned int flags);

/**
 * enq_portal_fini() - unmap what enq_portal_open_idxd() mapped; the portal becomes NONE.
 * @p: the portal (any kind; file descriptors stay open).
 */
void enq_portal_fini(struct enq_portal *p);

/*
 * INJECT's stand-ins for the fence and the instructions, called from the inline paths below
 * (not for other callers). enq_inject_enqcmd() returns what ZF would be.
 */
void enq_inject_fence(struct enq_inject *inj);
bool enq_inject_enqcmd(struct enq_inject *inj, const void *desc);
void enq_inject_movdir64b(struct enq_inject *inj, const void *desc);

/* ---- Instructions ------------------------------------------------------------------------ */

#if defined(__x86_64__)
#define ENQ_HAVE_X86_INSNS 1

/*
 * The instruction helpers are always inlined: the submission path is one straight line, and
 * tests/enq_insn.c finds their bytes inside its callers at any optimisation level.
 *
 * ENQCMD and MOVDIR64B are not ordered with older stores to write-back memory (the descriptor,
 * the zeroed completion record, the source data): like the kernel's wmb() before
 * iosubmit_cmds512() / enqcmds() in drivers/dma/idxd/submit.c, fence first.
 */
static inline __attribute__((always_inline)) void enq_sfence(void)
{
	__asm__ __volatile__("sfence" ::: "memory");
}

/* One ENQCMD of @src to @dst. Return: true when the device asked to retry (ZF=1). */
static inline __attribute__((always_inline)) bool enq_insn_enqcmd(void *dst, const void *src)
{
	const struct {
		char b[IDXD_DESC_SIZE];
	} *s = src;
	struct {
		char b[IDXD_DESC_SIZE];
	} *d = dst;
	bool zf;

	/* The "m" operands only tell the compiler which 64 bytes are read and written. */
#ifdef __GCC_ASM_FLAG_OUTPUTS__
	__asm__ __volatile__(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02"
			     : "=@ccz"(zf), "+m"(*d)
			     : "m"(*s), "a"(d), "d"(s));
#else
	__asm__ __volatile__(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\tsetz %0"
			     : "=qm"(zf), "+m"(*d)
			     : "m"(*s), "a"(d), "d"(s)
			     : "cc");
#endif
	return zf;
}

/* One MOVDIR64B of @src to @dst: a 64-byte posted write, no feedback. */
static inline __attribute__((always_inline)) void enq_insn_movdir64b(void *dst, const void *src)
{
	const struct {
		char b[IDXD_DESC_SIZE];
	} *s = src;
	struct {
		char b[IDXD_DESC_SIZE];
	} *d = dst;

	__asm__ __volatile__(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
			     : "+m"(*d)
			     : "m"(*s), "a"(d), "d"(s));
}

static inline void enq_cpu_relax(void)
{
	__builtin_ia32_pause();
}
#else
#define ENQ_HAVE_X86_INSNS 0

static inline void enq_sfence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void enq_cpu_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}
#endif

/* ---- Credits ------------------------------------------------------------------------------ */

/* Sets @c to @wq_size free credits. Return: 0, or -EINVAL for a size of 0. */
static inline int enq_credits_init(struct enq_credits *c, uint32_t wq_size)
{
	if (!wq_size)
		return -EINVAL;
	c->size = wq_size;
	__atomic_store_n(&c->avail, wq_size, __ATOMIC_RELEASE);
	return 0;
}

/* Takes one credit. Return: 0, or -EAGAIN when wq_size descriptors are outstanding. */
static inline int enq_credits_acquire(struct enq_credits *c)
{
	uint32_t v = __atomic_load_n(&c->avail, __ATOMIC_RELAXED);

	do {
		if (!v)
			return -EAGAIN;
	} while (!__atomic_compare_exchange_n(&c->avail, &v, v - 1, true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return 0;
}

/*
 * Gives back @n credits. Return: 0, or -EINVAL (nothing given back) when that would exceed
 * the WQ size: more completions than submissions is a caller bug, and hiding it would let the
 * next MOVDIR64B overflow the WQ.
 */
static inline int enq_credits_release(struct enq_credits *c, uint32_t n)
{
	uint32_t v = __atomic_load_n(&c->avail, __ATOMIC_RELAXED);

	do {
		if (n > c->size - v)
			return -EINVAL;
	} while (!__atomic_compare_exchange_n(&c->avail, &v, v + n, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return 0;
}

/* Descriptors outstanding (a snapshot). */
static inline uint32_t enq_credits_in_flight(const struct enq_credits *c)
{
	return c->size - __atomic_load_n(&c->avail, __ATOMIC_RELAXED);
}

/* ---- Submission ---------------------------------------------------------------------------- */

/*
 * The fence before an instruction. sim's device runs in this process and takes descriptors
 * from a ring with acquire loads, so a release fence (free on x86) orders the caller's stores.
 */
static inline void enq_portal_fence(struct enq_portal *p)
{
	if (__builtin_expect(p->kind == ENQ_PORTAL_INJECT, 0))
		enq_inject_fence(p->inj);
	else if (p->kind == ENQ_PORTAL_SIM)
		__atomic_thread_fence(__ATOMIC_RELEASE);
	else
		enq_sfence();
}

/* The instruction, or INJECT's stand-in for it: everything around it is shared. Return: ZF. */
static inline bool enq_portal_enqcmd_insn(struct enq_portal *p, const void *desc)
{
#if ENQ_HAVE_X86_INSNS
	if (__builtin_expect(p->kind == ENQ_PORTAL_HW_ENQCMD, 1))
		return enq_insn_enqcmd(p->hw.page, desc);
#endif
	return enq_inject_enqcmd(p->inj, desc);
}

static inline void enq_portal_movdir64b_insn(struct enq_portal *p, const void *desc)
{
#if ENQ_HAVE_X86_INSNS
	if (__builtin_expect(p->kind == ENQ_PORTAL_HW_MOVDIR64B, 1)) {
		enq_insn_movdir64b(p->hw.page, desc);
		return;
	}
#endif
	enq_inject_movdir64b(p->inj, desc);
}

/**
 * enq_enqcmd() - one ENQCMD of a 64-byte descriptor (a shared WQ).
 * @p: a HW_ENQCMD, SIM or INJECT portal.
 * @desc: the descriptor; bits 31:0 (PASID, Priv) are replaced by the CPU from IA32_PASID.
 *
 * Fences, then issues the instruction once. Does not retry.
 *
 * Return: 0 accepted; -EAGAIN the WQ refused it (ZF=1: full, or disabled); -EINVAL for a
 * portal of another kind; from sim also -EPERM (no PASID) or another -errno.
 */
static inline int enq_enqcmd(struct enq_portal *p, const void *desc)
{
	if (p->kind == ENQ_PORTAL_SIM) {
		enq_portal_fence(p);
		return p->sim.submit(p->sim.wq, desc, ENQ_SIM_HOW_ENQCMD);
	}
	if (p->kind != ENQ_PORTAL_HW_ENQCMD && p->kind != ENQ_PORTAL_INJECT)
		return -EINVAL;
	if (!ENQ_HAVE_X86_INSNS && p->kind == ENQ_PORTAL_HW_ENQCMD)
		return -EOPNOTSUPP;
	enq_portal_fence(p);
	return enq_portal_enqcmd_insn(p, desc) ? -EAGAIN : 0;
}

/**
 * enq_movdir64b() - one MOVDIR64B of a 64-byte descriptor (a dedicated WQ).
 * @p: a HW_MOVDIR64B, SIM or INJECT portal.
 * @desc: the descriptor (the WQ's configured PASID applies; the descriptor's is ignored).
 *
 * Fences, then stores. The hardware gives no feedback: a full WQ drops the descriptor, so the
 * caller must hold a credit (struct enq_credits) for it.
 *
 * Return: 0; -EINVAL for a portal of another kind; from sim its -errno.
 */
static inline int enq_movdir64b(struct enq_portal *p, const void *desc)
{
	if (p->kind == ENQ_PORTAL_SIM) {
		enq_portal_fence(p);
		return p->sim.submit(p->sim.wq, desc, ENQ_SIM_HOW_MOVDIR64B);
	}
	if (p->kind != ENQ_PORTAL_HW_MOVDIR64B && p->kind != ENQ_PORTAL_INJECT)
		return -EINVAL;
	if (!ENQ_HAVE_X86_INSNS && p->kind == ENQ_PORTAL_HW_MOVDIR64B)
		return -EOPNOTSUPP;
	enq_portal_fence(p);
	enq_portal_movdir64b_insn(p, desc);
	return 0;
}

/**
 * enq_write() - submit one descriptor by write() on the idxd cdev.
 * @p: a WRITE or SIM portal.
 * @desc: the descriptor.
 *
 * The kernel (6.9.1+, idxd_cdev_write()) checks it (BATCH refused on devices not safe for
 * user submission, completion record alignment), then MOVDIR64Bs it to a dedicated WQ or, for
 * a shared WQ, overwrites PASID/Priv and ENQCMDSs it up to enqcmds_retries times.
 *
 * Return: 0; -EAGAIN shared WQ still full after the kernel's retries (or a full non-blocking
 * descriptor); -EINVAL refused by the kernel (or a kernel without idxd write()); -EPERM the
 * calling process is not the one that opened the cdev; -EIO a short write (0 to 63 bytes taken:
 * the descriptor was not submitted whole); another -errno from write().
 */
static inline int enq_write(struct enq_portal *p, const void *desc)
{
	ssize_t n;

	switch (p->kind) {
	case ENQ_PORTAL_WRITE:
		/* A syscall is no store fence for a later device read; keep the HW rule. */
		enq_sfence();
		do {
			n = rt_os_write(p->fd, desc, IDXD_DESC_SIZE);
		} while (n == -EINTR);
		if (n == IDXD_DESC_SIZE)
			return 0;
		return n < 0 ? (int)n : -EIO;
	case ENQ_PORTAL_SIM:
		enq_portal_fence(p);
		return p->sim.submit(p->sim.wq, desc, ENQ_SIM_HOW_WRITE);
	default:
		return -EINVAL;
	}
}

/**
 * enq_submit() - submit one descriptor the way the portal's WQ takes it.
 * @p: an initialised portal.
 * @desc: the 64-byte descriptor (prepared with enqcmd/enq_desc.h).
 *
 * With @p->credits set, takes a credit first and gives it back if the submission fails; the
 * caller gives it back when the descriptor's completion is seen.
 *
 * Return: 0 submitted; -EAGAIN try again (ENQCMD retry, or no credit); another -errno as
 * enq_enqcmd(), enq_movdir64b(), enq_write().
 */
static inline int enq_submit(struct enq_portal *p, const void *desc)
{
	int ret;

	if (p->credits && enq_credits_acquire(p->credits))
		return -EAGAIN;
	switch (p->how) {
	case ENQ_SIM_HOW_ENQCMD:
		ret = enq_enqcmd(p, desc);
		break;
	case ENQ_SIM_HOW_MOVDIR64B:
		ret = enq_movdir64b(p, desc);
		break;
	default:
		ret = enq_write(p, desc);
		break;
	}
	if (ret && p->credits)
		enq_credits_release(p->credits, 1);
	return ret;
}

/**
 * enq_submit_retry() - enq_submit(), retried while it reports -EAGAIN.
 * @p: an initialised portal.
 * @desc: the descriptor.
 * @retries: extra attempts after the first (the kernel's enqcmds_retries default is 32).
 *
 * Spins with PAUSE between attempts, as the kernel's idxd_enqcmds() does; no back-off beyond
 * that: a WQ that stays full is a reason to pick another WQ or the CPU, not to wait here.
 *
 * Return: as enq_submit(); -EAGAIN when every attempt was refused.
 */
static inline int enq_submit_retry(struct enq_portal *p, const void *desc, unsigned int retries)
{
	int ret;

	while ((ret = enq_submit(p, desc)) == -EAGAIN && retries--)
		enq_cpu_relax();
	return ret;
}

#endif /* SVART_ENQCMD_ENQ_PORTAL_H */
