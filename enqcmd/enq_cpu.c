// SPDX-License-Identifier: MIT
/*
 * CPU features for the submission layer (see enq_cpu.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "enqcmd/enq_cpu.h"

#define ENQ_CPUID_7_ECX_WAITPKG (1u << 5)
#define ENQ_CPUID_7_ECX_MOVDIR64B (1u << 28)
#define ENQ_CPUID_7_ECX_ENQCMD (1u << 29)

static struct enq_cpu enq_cpu_detected;
static pthread_once_t enq_cpu_once = PTHREAD_ONCE_INIT;
static const struct enq_cpu *enq_cpu_forced;

void enq_cpu_judge(struct enq_cpu *c)
{
	c->enqcmd = c->cpuid_enqcmd && c->os_enqcmd != 0;
	c->movdir64b = c->cpuid_movdir64b && c->os_movdir64b != 0;
	c->waitpkg = c->cpuid_waitpkg && c->os_waitpkg != 0;
}

static void enq_cpu_read_cpuid(struct enq_cpu *c)
{
#if defined(__x86_64__)
	unsigned int a, b, ecx, d;

	/* Leaf 7 must exist: CPUID above the maximum leaf returns the highest leaf's data. */
	if (__get_cpuid_max(0, NULL) < 7)
		return;
	__cpuid_count(7, 0, a, b, ecx, d);
	c->cpuid_enqcmd = ecx & ENQ_CPUID_7_ECX_ENQCMD;
	c->cpuid_movdir64b = ecx & ENQ_CPUID_7_ECX_MOVDIR64B;
	c->cpuid_waitpkg = ecx & ENQ_CPUID_7_ECX_WAITPKG;
#else
	(void)c;
#endif
}

/* The kernel's view: whole words of the first "flags" line of /proc/cpuinfo. */
static void enq_cpu_read_cpuinfo(struct enq_cpu *c)
{
	char *line = NULL, *save, *tok;
	size_t cap = 0;
	FILE *f;

	c->os_enqcmd = c->os_movdir64b = c->os_waitpkg = -1;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *colon;

		if (strncmp(line, "flags", 5) || !(colon = strchr(line, ':')))
			continue;
		c->os_enqcmd = c->os_movdir64b = c->os_waitpkg = 0;
		for (tok = strtok_r(colon + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(tok, "enqcmd"))
				c->os_enqcmd = 1;
			else if (!strcmp(tok, "movdir64b"))
				c->os_movdir64b = 1;
			else if (!strcmp(tok, "waitpkg"))
				c->os_waitpkg = 1;
		}
		break;
	}
	free(line);
	fclose(f);
}

int enq_cpu_detect(struct enq_cpu *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	enq_cpu_read_cpuid(out);
	enq_cpu_read_cpuinfo(out);
	enq_cpu_judge(out);
	return 0;
}

static void enq_cpu_init_once(void)
{
	enq_cpu_detect(&enq_cpu_detected);
}

const struct enq_cpu *enq_cpu(void)
{
	const struct enq_cpu *forced = __atomic_load_n(&enq_cpu_forced, __ATOMIC_ACQUIRE);

	if (forced)
		return forced;
	pthread_once(&enq_cpu_once, enq_cpu_init_once);
	return &enq_cpu_detected;
}

void enq_cpu_force(const struct enq_cpu *c)
{
	__atomic_store_n(&enq_cpu_forced, c, __ATOMIC_RELEASE);
}
