// SPDX-License-Identifier: MIT
/*
 * The instructions themselves, as far as this machine allows:
 *  - enq_cpu() against CPUID and the kernel's /proc/cpuinfo flags, and the judge's rules;
 *  - the bytes of every inline-assembly helper, as compiled here, against the encodings
 *    (kernel special_insns.h / mwait.h, Intel SDM), and decoded by objdump when present;
 *  - the full hardware submission path run up to the instruction: where this CPU lacks it,
 *    the instruction raises SIGILL and the handler checks that it is the expected encoding
 *    with the portal address in rax and the descriptor address in rdx (UMWAIT / TPAUSE: the
 *    control in ecx, the TSC deadline in edx:eax); where the CPU has MOVDIR64B, it runs into
 *    an ordinary page and the page must hold the descriptor. ENQCMD is never executed on a
 *    CPU that has it (without a portal and a PASID it would end in SIGSEGV).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "enqcmd/enq_cpu.h"
#include "enqcmd/enq_desc.h"
#include "enqcmd/enq_portal.h"
#include "enqcmd/enq_wait.h"
#include "t_helpers.h"

static const uint8_t op_enqcmd[] = { 0xf2, 0x0f, 0x38, 0xf8, 0x02 };
static const uint8_t op_movdir64b[] = { 0x66, 0x0f, 0x38, 0xf8, 0x02 };
static const uint8_t op_sfence[] = { 0x0f, 0xae, 0xf8 };
static const uint8_t op_umonitor[] = { 0xf3, 0x0f, 0xae, 0xf0 };
static const uint8_t op_umwait[] = { 0xf2, 0x0f, 0xae, 0xf1 };
static const uint8_t op_tpause[] = { 0x66, 0x0f, 0xae, 0xf1 };

/* ---- enq_cpu ------------------------------------------------------------------------------ */

static int cpuinfo_flag(const char *name)
{
	char line[16384], word[64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = -1;

	if (!f)
		return -1;
	snprintf(word, sizeof(word), " %s ", name);
	while (fgets(line, sizeof(line), f)) {
		char padded[16400];

		char *colon = strchr(line, ':');

		if (strncmp(line, "flags", 5) || !colon)
			continue;
		snprintf(padded, sizeof(padded), " %s ", colon + 1);
		for (char *c = padded; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		found = strstr(padded, word) != NULL;
		break;
	}
	fclose(f);
	return found;
}

static void test_cpu(void)
{
	struct enq_cpu c;

	T_RET(EINVAL, enq_cpu_detect(NULL));
	T_EQ(enq_cpu_detect(&c), 0);
	T_EQ(c.os_enqcmd, cpuinfo_flag("enqcmd"));
	T_EQ(c.os_movdir64b, cpuinfo_flag("movdir64b"));
	T_EQ(c.os_waitpkg, cpuinfo_flag("waitpkg"));
#if defined(__x86_64__)
	{
		unsigned int a = 0, b = 0, ecx = 0, d = 0;

		if (__get_cpuid_count(7, 0, &a, &b, &ecx, &d)) {
			T_EQ(c.cpuid_enqcmd, (ecx >> 29) & 1);
			T_EQ(c.cpuid_movdir64b, (ecx >> 28) & 1);
			T_EQ(c.cpuid_waitpkg, (ecx >> 5) & 1);
		}
	}
#endif
	/* The cached set is the detected one. */
	T_EQ(enq_cpu()->enqcmd, c.enqcmd);
	T_EQ(enq_cpu()->movdir64b, c.movdir64b);
	T_EQ(enq_cpu()->waitpkg, c.waitpkg);

	/* The kernel's veto: CPUID yes, /proc/cpuinfo no -> not usable; unknown trusts CPUID. */
	memset(&c, 0, sizeof(c));
	c.cpuid_enqcmd = c.cpuid_movdir64b = c.cpuid_waitpkg = true;
	c.os_enqcmd = 0;
	c.os_movdir64b = -1;
	c.os_waitpkg = 1;
	enq_cpu_judge(&c);
	T_EQ(c.enqcmd, false);
	T_EQ(c.movdir64b, true);
	T_EQ(c.waitpkg, true);
	/* The kernel cannot add what the CPU lacks. */
	memset(&c, 0, sizeof(c));
	c.os_enqcmd = c.os_movdir64b = c.os_waitpkg = 1;
	enq_cpu_judge(&c);
	T_EQ(c.enqcmd || c.movdir64b || c.waitpkg, false);

	/* The test hook. */
	enq_cpu_force(&c);
	T_CHECK(enq_cpu() == &c);
	enq_cpu_force(NULL);
	T_CHECK(enq_cpu() != &c);
}

#if defined(__x86_64__)

/* ---- Bytes of the compiled helpers ----------------------------------------------------------- */

static __attribute__((noinline, used)) bool t_enqcmd(void *dst, const void *src)
{
	return enq_insn_enqcmd(dst, src);
}

static __attribute__((noinline, used)) void t_movdir64b(void *dst, const void *src)
{
	enq_insn_movdir64b(dst, src);
}

static __attribute__((noinline, used)) void t_sfence(void)
{
	enq_sfence();
}

/* Offset of @op within the first @len bytes of code at @fn, or -1. */
static long find_op(const void *fn, size_t len, const uint8_t *op, size_t oplen)
{
	const uint8_t *code = fn;

	for (size_t i = 0; i + oplen <= len; i++)
		if (!memcmp(code + i, op, oplen))
			return (long)i;
	return -1;
}

static void test_bytes(void)
{
	T_CHECK(find_op((const void *)t_enqcmd, 256, op_enqcmd, sizeof(op_enqcmd)) >= 0);
	T_CHECK(find_op((const void *)t_movdir64b, 256, op_movdir64b, sizeof(op_movdir64b)) >= 0);
	T_CHECK(find_op((const void *)t_sfence, 64, op_sfence, sizeof(op_sfence)) >= 0);
	T_CHECK(find_op((const void *)enq_wait_insn_real.umonitor, 256, op_umonitor,
			sizeof(op_umonitor)) >= 0);
	T_CHECK(find_op((const void *)enq_wait_insn_real.umwait, 256, op_umwait,
			sizeof(op_umwait)) >= 0);
	T_CHECK(find_op((const void *)enq_wait_insn_real.tpause, 256, op_tpause,
			sizeof(op_tpause)) >= 0);
}

/* objdump's decoding of one function must name @mnemonic with @operands. */
static int objdump_says(const char *exe, const char *sym, const char *want)
{
	char cmd[8192], line[512];
	FILE *f;
	int found = 0;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --disassemble=%s '%s' 2>/dev/null", sym, exe);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want))
			found = 1;
	pclose(f);
	if (!found)
		fprintf(stderr, "objdump: %s has no \"%s\"\n", sym, want);
	return found;
}

static void test_objdump(void)
{
	char exe[4096];
	ssize_t n;

	if (system("objdump --version >/dev/null 2>&1") != 0) {
		printf("objdump not found: the encodings are checked as bytes only\n");
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	T_CHECK(n > 0);
	if (n <= 0)
		return;
	exe[n] = '\0';
	/* AT&T operand order: the descriptor in memory at (%rdx), the portal address in %rax. */
	T_EQ(objdump_says(exe, "t_enqcmd", "enqcmd (%rdx),%rax"), 1);
	T_EQ(objdump_says(exe, "t_movdir64b", "movdir64b (%rdx),%rax"), 1);
	T_EQ(objdump_says(exe, "t_sfence", "sfence"), 1);
	T_EQ(objdump_says(exe, "enq_real_umonitor", "umonitor %rax"), 1);
	T_EQ(objdump_says(exe, "enq_real_umwait", "umwait %ecx"), 1);
	T_EQ(objdump_says(exe, "enq_real_tpause", "tpause %ecx"), 1);
}

/* ---- Running the paths up to the instruction ------------------------------------------------- */

static sigjmp_buf trap_env;
static volatile sig_atomic_t trapped;
static uint64_t trap_rip, trap_rax, trap_rdx, trap_rcx;

static void on_sigill(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	trap_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	trap_rax = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];
	trap_rdx = (uint64_t)uc->uc_mcontext.gregs[REG_RDX];
	trap_rcx = (uint64_t)uc->uc_mcontext.gregs[REG_RCX];
	trapped = 1;
	siglongjmp(trap_env, 1);
}

/* Runs @fn(@arg); true when it stopped on SIGILL at an instruction starting with @op. */
static bool runs_into(void (*fn)(void *), void *arg, const uint8_t *op, size_t oplen)
{
	struct sigaction sa = { .sa_sigaction = on_sigill, .sa_flags = SA_SIGINFO }, old;

	trapped = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, &old);
	if (!sigsetjmp(trap_env, 1))
		fn(arg);
	sigaction(SIGILL, &old, NULL);
	if (!trapped)
		return false;
	return !memcmp((const void *)(uintptr_t)trap_rip, op, oplen);
}

struct submit_call {
	struct enq_portal *p;
	const void *desc;
	int ret;
};

static void do_submit(void *arg)
{
	struct submit_call *c = arg;

	c->ret = enq_submit(c->p, c->desc);
}

static void test_hw_paths(void)
{
	struct enq_cpu all = { .cpuid_enqcmd = true,
			       .cpuid_movdir64b = true,
			       .cpuid_waitpkg = true,
			       .os_enqcmd = 1,
			       .os_movdir64b = 1,
			       .os_waitpkg = 1 };
	const struct enq_cpu *real = enq_cpu();
	uint8_t *page = aligned_alloc(4096, 4096);
	struct dsa_completion_record cr __attribute__((aligned(32)));
	struct dsa_hw_desc d __attribute__((aligned(64)));
	struct enq_portal p;
	struct submit_call call = { .p = &p, .desc = &d, .ret = 12345 };

	enq_cpu_judge(&all);
	enq_cr_reset(&cr);
	enq_prep_memmove(&d, 0x1000, 0x2000, 64, 0, &cr);

	/* MOVDIR64B: the descriptor's 64 bytes stored at the portal address. */
	memset(page, 0, 4096);
	if (real->movdir64b) {
		T_EQ(enq_portal_init_hw(&p, page + 128, true), 0);
		T_EQ(enq_submit(&p, &d), 0);
		T_EQ(memcmp(page + 128, &d, 64), 0);
	} else {
		enq_cpu_force(&all);
		T_EQ(enq_portal_init_hw(&p, page + 128, true), 0);
		T_CHECK(runs_into(do_submit, &call, op_movdir64b, sizeof(op_movdir64b)));
		T_EQ(trap_rax, (uintptr_t)(page + 128));
		T_EQ(trap_rdx, (uintptr_t)&d);
		T_EQ(call.ret, 12345); /* it stopped at the instruction */
		enq_cpu_force(NULL);
	}

	/* ENQCMD: only where the CPU lacks it (see the header comment). */
	if (!real->enqcmd) {
		enq_cpu_force(&all);
		T_EQ(enq_portal_init_hw(&p, page + 64, false), 0);
		T_CHECK(runs_into(do_submit, &call, op_enqcmd, sizeof(op_enqcmd)));
		T_EQ(trap_rax, (uintptr_t)(page + 64));
		T_EQ(trap_rdx, (uintptr_t)&d);
		T_EQ(call.ret, 12345);
		enq_cpu_force(NULL);
	} else {
		printf("this CPU has ENQCMD: its execution is not exercised here\n");
	}
	free(page);
}

struct wait_call {
	uint32_t ctrl;
	uint64_t deadline;
	const volatile void *addr;
};

static void do_umonitor(void *arg)
{
	struct wait_call *c = arg;

	enq_wait_insn_real.umonitor(c->addr);
}

static void do_umwait(void *arg)
{
	struct wait_call *c = arg;

	enq_wait_insn_real.umwait(c->ctrl, c->deadline);
}

static void do_tpause(void *arg)
{
	struct wait_call *c = arg;

	enq_wait_insn_real.tpause(c->ctrl, c->deadline);
}

static void test_wait_insns(void)
{
	static volatile uint8_t line[64] __attribute__((aligned(64)));
	struct wait_call c = { .ctrl = ENQ_WAIT_CTRL_C01,
			       .deadline = 0x0123456789abcdefull,
			       .addr = line };

	if (enq_cpu()->waitpkg) {
		/* A deadline already in the past: each returns at once. */
		c.deadline = enq_wait_insn_real.rdtsc();
		enq_wait_insn_real.umonitor(line);
		enq_wait_insn_real.umwait(c.ctrl, c.deadline);
		enq_wait_insn_real.tpause(c.ctrl, c.deadline);
		T_CHECK(enq_wait_insn_real.rdtsc() >= c.deadline);
		return;
	}
	T_CHECK(runs_into(do_umonitor, &c, op_umonitor, sizeof(op_umonitor)));
	T_EQ(trap_rax, (uintptr_t)line);
	T_CHECK(runs_into(do_umwait, &c, op_umwait, sizeof(op_umwait)));
	T_EQ(trap_rcx & 0xffffffff, ENQ_WAIT_CTRL_C01);
	T_EQ(trap_rax & 0xffffffff, 0x89abcdef);
	T_EQ(trap_rdx & 0xffffffff, 0x01234567);
	c.ctrl = ENQ_WAIT_CTRL_C02;
	T_CHECK(runs_into(do_tpause, &c, op_tpause, sizeof(op_tpause)));
	T_EQ(trap_rcx & 0xffffffff, ENQ_WAIT_CTRL_C02);
	T_EQ(trap_rax & 0xffffffff, 0x89abcdef);
	T_EQ(trap_rdx & 0xffffffff, 0x01234567);
}
#endif /* __x86_64__ */

int main(void)
{
	test_cpu();
#if defined(__x86_64__)
	test_bytes();
	test_objdump();
	test_hw_paths();
	test_wait_insns();
#else
	printf("not x86-64: hardware kinds are refused (checked in enq_portal)\n");
#endif
	return t_done("enq_insn");
}
