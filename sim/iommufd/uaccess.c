// SPDX-License-Identifier: MIT
/*
 * User-memory access for the model: the kernel's copy_{from,to}_user() never crash on a bad
 * pointer, they return an error, and programs (and the selftest) rely on EFAULT. We go through
 * process_vm_readv()/process_vm_writev() on our own process, which the kernel checks page by
 * page and fails with EFAULT instead of delivering SIGSEGV.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim/iommufd/fork.h"
#include "sim/iommufd/iommufd_private.h"

/*
 * "User" is the calling process: our own, or a forked child whose request a fork.c thread is
 * serving (sim_fork_uaccess_pid, thread-local).
 */
int sim_copy_from_user(void *dst, const void *src, size_t n)
{
	return sim_process_rw(sim_fork_uaccess_pid, (uintptr_t)src, dst, n, false);
}

int sim_copy_to_user(void *dst, const void *src, size_t n)
{
	return sim_process_rw(sim_fork_uaccess_pid, (uintptr_t)dst, (void *)src, n, true);
}

int sim_clear_user(void *dst, size_t n)
{
	static const char zeros[256];

	while (n) {
		size_t chunk = n < sizeof(zeros) ? n : sizeof(zeros);

		if (sim_copy_to_user(dst, zeros, chunk))
			return -EFAULT;
		dst = (char *)dst + chunk;
		n -= chunk;
	}
	return 0;
}

/* Whether user bytes [@src, @src + @n) are all zero: 1, 0, or -EFAULT. */
static int sim_check_zeroed_user(const void *src, size_t n)
{
	unsigned char buf[256];

	while (n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);

		if (sim_copy_from_user(buf, src, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (buf[i])
				return 0;
		src = (const char *)src + chunk;
		n -= chunk;
	}
	return 1;
}

int sim_copy_struct_from_user(void *dst, size_t ksize, const void *src, size_t usize)
{
	size_t size = usize < ksize ? usize : ksize;

	if (usize < ksize) {
		memset((char *)dst + size, 0, ksize - size);
	} else if (usize > ksize) {
		int ret = sim_check_zeroed_user((const char *)src + ksize, usize - ksize);

		if (ret <= 0)
			return ret ? ret : -E2BIG;
	}
	return sim_copy_from_user(dst, src, size);
}

int sim_copy_struct_from_user_data(void *dst, size_t ksize, size_t min_len,
				   const struct sim_user_data *data, uint32_t type)
{
	if (data->type != type)
		return -EINVAL;
	if (data->len < min_len || ksize < data->len)
		return -EINVAL;
	return sim_copy_struct_from_user(dst, ksize, sim_u64_to_user_ptr(data->uptr), data->len);
}

int sim_copy_struct_from_user_array(void *dst, size_t ksize, size_t min_len,
				    const struct sim_user_data_array *array, uint32_t type,
				    uint32_t index)
{
	struct sim_user_data one;

	if (!array->entry_num || index >= array->entry_num)
		return -EINVAL;
	one.uptr = array->uptr + (uint64_t)array->entry_len * index;
	one.len = array->entry_len;
	one.type = array->type;
	return sim_copy_struct_from_user_data(dst, ksize, min_len, &one, type);
}
