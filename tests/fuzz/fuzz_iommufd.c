// SPDX-License-Identifier: MIT
/*
 * Fuzz target: random command words and struct bytes into sim's iommufd dispatcher.
 *
 * Property: whatever arrives, sim answers with a result or the kernel's errno, never a crash,
 * a leak or a write outside what the command may write (the sanitizers check all three).
 *
 * Each input is a sequence of commands on one fresh /dev/iommu. Struct bytes come from the
 * input; user-pointer fields (and IOAS_MAP_FILE's fd) are then replaced by one of a few
 * harness-owned targets chosen by the input: NULL, a writable scratch page, a read-only
 * page, an unmapped page, or a misaligned scratch address. Leaving them raw would let the
 * fuzzer aim sim's copy-to-user at the harness's own heap, which real processes may do to
 * themselves but which would turn the fuzzer's memory into noise.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svart/sim.h"
#include "pasid/iommufd_uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_target_unavailable(void);

#define FZ_PAGE 4096

static uint8_t *fz_scratch; /* 4 pages read/write */
static uint8_t *fz_ro; /* 1 page read-only */
static uint8_t *fz_none; /* 1 page PROT_NONE */

struct fz_in {
	const uint8_t *p;
	size_t len;
};

static uint64_t fz_take(struct fz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->len; i++, in->p++, in->len--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static void fz_init(void)
{
	uint8_t *m;

	if (fz_scratch)
		return;
	m = mmap(NULL, 6 * FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		__builtin_trap();
	fz_scratch = m;
	fz_ro = m + 4 * FZ_PAGE;
	fz_none = m + 5 * FZ_PAGE;
	memset(fz_ro, 0x5a, FZ_PAGE);
	mprotect(fz_ro, FZ_PAGE, PROT_READ);
	mprotect(fz_none, FZ_PAGE, PROT_NONE);
}

static uint64_t fz_pointer(struct fz_in *in)
{
	switch (fz_take(in, 1) % 6) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)fz_scratch;
	case 2:
		return (uintptr_t)fz_ro;
	case 3:
		return (uintptr_t)fz_none;
	case 4:
		return (uintptr_t)fz_scratch + 1 + fz_take(in, 1);
	default:
		/* Near the end of scratch, so an array runs into the read-only page. */
		return (uintptr_t)fz_scratch + 4 * FZ_PAGE - 8 * (1 + fz_take(in, 1) % 8);
	}
}

static void fz_put64(uint8_t *buf, size_t off, uint64_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

/* Byte offsets of the user-pointer fields of each command's struct. */
static void fz_fix_pointers(unsigned int nr, uint8_t *buf, struct fz_in *in)
{
	switch (nr) {
	case IOMMUFD_CMD_IOAS_ALLOW_IOVAS:
		fz_put64(buf, offsetof(struct iommu_ioas_allow_iovas, allowed_iovas),
			 fz_pointer(in));
		break;
	case IOMMUFD_CMD_IOAS_IOVA_RANGES:
		fz_put64(buf, offsetof(struct iommu_ioas_iova_ranges, allowed_iovas),
			 fz_pointer(in));
		break;
	case IOMMUFD_CMD_IOAS_MAP:
		fz_put64(buf, offsetof(struct iommu_ioas_map, user_va), fz_pointer(in));
		break;
	case IOMMUFD_CMD_IOAS_MAP_FILE: {
		int32_t fd = -1 - (int32_t)(fz_take(in, 1) & 1);

		memcpy(buf + offsetof(struct iommu_ioas_map_file, fd), &fd, sizeof(fd));
		break;
	}
	case IOMMUFD_CMD_GET_HW_INFO:
		fz_put64(buf, offsetof(struct iommu_hw_info, data_uptr), fz_pointer(in));
		break;
	case IOMMUFD_CMD_HWPT_ALLOC:
		fz_put64(buf, offsetof(struct iommu_hwpt_alloc, data_uptr), fz_pointer(in));
		break;
	case IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP:
		fz_put64(buf, offsetof(struct iommu_hwpt_get_dirty_bitmap, data), fz_pointer(in));
		break;
	case IOMMUFD_CMD_HWPT_INVALIDATE:
		fz_put64(buf, offsetof(struct iommu_hwpt_invalidate, data_uptr), fz_pointer(in));
		break;
	case IOMMUFD_CMD_VIOMMU_ALLOC:
		fz_put64(buf, offsetof(struct iommu_viommu_alloc, data_uptr), fz_pointer(in));
		break;
	default:
		break;
	}
}

/* For the replay driver: a reason when this target cannot run here, else NULL. */
const char *fuzz_target_unavailable(void)
{
	int fd = svart_sim_iommufd_open();

	if (fd < 0)
		return "sim's /dev/iommu cannot be opened";
	svart_sim_close(fd);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	int fd;

	fz_init();
	fd = svart_sim_iommufd_open();
	if (fd < 0)
		return 0;
	for (int n = 0; n < 32 && in.len >= 2; n++) {
		_Alignas(8) uint8_t buf[256] = { 0 };
		unsigned int sel = (unsigned int)fz_take(&in, 1);
		unsigned int nr = 0x7e + sel % 0x1a; /* 0x7e..0x97: around the command range */
		unsigned long cmd = _IO(IOMMUFD_TYPE, nr);
		size_t len = (size_t)fz_take(&in, 1) % 96;
		uint32_t sz;
		void *arg = buf;

		/* Now and then a command word with the wrong type or with size/dir bits. */
		if (sel >= 0xf8)
			cmd = (unsigned long)fz_take(&in, 4);
		if (len > in.len)
			len = in.len;
		memcpy(buf, in.p, len);
		in.p += len;
		in.len -= len;
		/* The size field: as fuzzed, or the struct's bytes given (most useful). */
		if (!(fz_take(&in, 1) & 3)) {
			sz = (uint32_t)len;
			memcpy(buf, &sz, sizeof(sz));
		}
		fz_fix_pointers(nr, buf, &in);
		if (sel == 0xf7)
			arg = NULL;
		else if (sel == 0xf6)
			arg = fz_none;
		svart_sim_ioctl(fd, cmd, arg);
	}
	svart_sim_close(fd);
	return 0;
}
