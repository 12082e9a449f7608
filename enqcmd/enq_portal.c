// SPDX-License-Identifier: MIT
/*
 * Portal set-up and the INJECT capture device (see enq_portal.h). The submission hot paths
 * are inline in the header; nothing here runs per descriptor except INJECT's stand-ins.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "enqcmd/enq_cpu.h"
#include "enqcmd/enq_portal.h"
#include "runtime/rt_os.h"

int enq_portal_init_hw(struct enq_portal *p, void *page, bool dedicated)
{
	const struct enq_cpu *cpu = enq_cpu();

	if (!page || ((uintptr_t)page & (IDXD_PORTAL_SUBMIT_STRIDE - 1)))
		return -EINVAL;
	/* The CPUID gate: the instruction below is unreachable without it. */
	if (!ENQ_HAVE_X86_INSNS || !(dedicated ? cpu->movdir64b : cpu->enqcmd))
		return -EOPNOTSUPP;
	memset(p, 0, sizeof(*p));
	p->kind = dedicated ? ENQ_PORTAL_HW_MOVDIR64B : ENQ_PORTAL_HW_ENQCMD;
	p->how = dedicated ? ENQ_SIM_HOW_MOVDIR64B : ENQ_SIM_HOW_ENQCMD;
	p->hw.page = page;
	return 0;
}

int enq_portal_init_write(struct enq_portal *p, int fd)
{
	if (fd < 0)
		return -EBADF;
	memset(p, 0, sizeof(*p));
	p->kind = ENQ_PORTAL_WRITE;
	p->how = ENQ_SIM_HOW_WRITE;
	p->fd = fd;
	return 0;
}

int enq_portal_init_sim(struct enq_portal *p, enq_sim_submit_fn submit, void *wq, unsigned int how)
{
	if (!submit || how > ENQ_SIM_HOW_WRITE)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = ENQ_PORTAL_SIM;
	p->how = how;
	p->sim.submit = submit;
	p->sim.wq = wq;
	return 0;
}

int enq_portal_init_inject(struct enq_portal *p, struct enq_inject *inj, unsigned int how)
{
	if (!inj || (how != ENQ_SIM_HOW_ENQCMD && how != ENQ_SIM_HOW_MOVDIR64B))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = ENQ_PORTAL_INJECT;
	p->how = how;
	p->inj = inj;
	return 0;
}

int enq_portal_open_idxd(struct enq_portal *p, int fd, bool dedicated, unsigned int flags)
{
	const struct enq_cpu *cpu = enq_cpu();
	void *page;
	int ret;

	if (fd < 0)
		return -EBADF;
	if (flags & ~ENQ_OPEN_FLAGS_ALL)
		return -EINVAL;
	/*
	 * write() needs no instruction of ours (the kernel issues ENQCMDS / MOVDIR64B), and it is
	 * the only way into a sim cdev: a sim portal page could not trap the 64-byte store.
	 */
	if ((flags & ENQ_OPEN_WRITE) || !ENQ_HAVE_X86_INSNS ||
	    !(dedicated ? cpu->movdir64b : cpu->enqcmd) || rt_os_is_sim(fd))
		return enq_portal_init_write(p, fd);

	/* The kernel maps one page, the WQ's limited portal, whatever the offset (cdev.c). */
	page = mmap(NULL, IDXD_PORTAL_PAGE_SIZE, PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (page == MAP_FAILED) {
		/* INTEL-SA-01084: 6.9.1+ refuse the mapping without CAP_SYS_RAWIO. */
		if (errno == EPERM)
			return enq_portal_init_write(p, fd);
		return -errno;
	}
	ret = enq_portal_init_hw(p, page, dedicated);
	if (ret)
		goto out_unmap;
	p->hw.owned = true;
	return 0;

out_unmap:
	munmap(page, IDXD_PORTAL_PAGE_SIZE);
	return ret;
}

void enq_portal_fini(struct enq_portal *p)
{
	if ((p->kind == ENQ_PORTAL_HW_ENQCMD || p->kind == ENQ_PORTAL_HW_MOVDIR64B) && p->hw.owned)
		munmap(p->hw.page, IDXD_PORTAL_PAGE_SIZE);
	memset(p, 0, sizeof(*p));
}

/* ---- INJECT ------------------------------------------------------------------------------ */

static void enq_inject_log(struct enq_inject *inj, enum enq_inject_ev ev)
{
	if (inj->events && inj->n_events < inj->events_cap)
		inj->events[inj->n_events] = ev;
	inj->n_events++;
}

static void enq_inject_capture(struct enq_inject *inj, const void *desc)
{
	if (inj->descs && inj->n_descs < inj->descs_cap)
		memcpy(inj->descs[inj->n_descs], desc, IDXD_DESC_SIZE);
	inj->n_descs++;
}

void enq_inject_fence(struct enq_inject *inj)
{
	enq_inject_log(inj, ENQ_EV_FENCE);
}

bool enq_inject_enqcmd(struct enq_inject *inj, const void *desc)
{
	unsigned int k = inj->attempts++;
	unsigned int bit = inj->retry_period ? k % inj->retry_period : 64;

	/* Periods beyond 64 attempts read the missing pattern bits as 0 (accept). */
	if (bit < 64 && ((inj->retry_pattern >> bit) & 1)) {
		enq_inject_log(inj, ENQ_EV_RETRY);
		return true;
	}
	enq_inject_capture(inj, desc);
	enq_inject_log(inj, ENQ_EV_ENQCMD);
	return false;
}

void enq_inject_movdir64b(struct enq_inject *inj, const void *desc)
{
	enq_inject_capture(inj, desc);
	enq_inject_log(inj, ENQ_EV_MOVDIR64B);
}
