// SPDX-License-Identifier: MIT
/*
 * Op implementations platform backends share.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <sys/mman.h>

#include "sim/sim_guard.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int rt_plat_eopnotsupp_service(struct svart_ctx *ctx)
{
	return -EOPNOTSUPP;
}

int rt_plat_eopnotsupp_invalidate(struct svart_ctx *ctx, const void *addr, size_t len)
{
	return -EOPNOTSUPP;
}

int rt_plat_eopnotsupp_assist(struct svart_ctx *ctx, struct rt_wq *wq, enum rt_assist step)
{
	return -EOPNOTSUPP;
}

struct touch {
	uintptr_t start, end;
	bool write;
};

/* Fault pages in by touching them: a read, or an atomic add of 0 (keeps concurrent writes). */
static void touch_pages(void *arg)
{
	struct touch *t = arg;

	for (uintptr_t p = t->start; p < t->end; p += 4096) {
		if (t->write)
			__atomic_fetch_add((volatile char *)p, 0, __ATOMIC_RELAXED);
		else
			(void)*(volatile const char *)p;
	}
}

/*
 * What the kernel's SVA fault handler does for the device: fault the pages in for the process.
 * MADV_POPULATE_* (Linux 5.14) checks the mapping and its permission and never signals; older
 * kernels get a guarded touch.
 */
int rt_plat_populate(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
		     bool write)
{
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)4095;
	uintptr_t end = ((uintptr_t)addr + len + 4095) & ~(uintptr_t)4095;
	struct touch t = { start, end, write };
	uintptr_t at;

	if (!madvise((void *)start, end - start, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ))
		return 0;
	if (errno == EFAULT || errno == ENOMEM || errno == EHWPOISON)
		return -EFAULT;
	if (errno != EINVAL)
		return -errno;
	if (sim_guard_init())
		return -EFAULT;
	return sim_guard_call(touch_pages, &t, &at) ? -EFAULT : 0;
}
