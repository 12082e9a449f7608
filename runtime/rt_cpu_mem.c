// SPDX-License-Identifier: MIT
/*
 * CPU memory kernels: MEMMOVE, MEMFILL, COMPARE and DUALCAST as DSA defines them.
 *
 * memmove is glibc's (rt_cpu_memmove() is inline in rt_cpu.h): its ERMS/AVX copies, with
 * non-temporal stores for large sizes, are what any hand-written loop would have to match. A
 * fill with one repeated byte is glibc's memset; other patterns need their own loop, since
 * libc has no 8-byte-pattern fill. A compare of up to 4 KiB is one AVX2 pass; larger ones
 * run glibc's memcmp() over 16 KiB pieces and look for the exact offset only inside a piece
 * that differs, since memcmp() gives only the sign.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/idxd.h>

#include "svart.h"
#include "runtime/rt_cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RT_CPU_MEM_X86 1
#include <immintrin.h>
#define RT_CPU_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define RT_CPU_MEM_X86 0
#endif

/* One-byte patterns from this size go to memset(). */
#define RT_CPU_FILL_MEMSET_MIN 4096u
/* Fills of at least this many bytes bypass the caches, like memset() at such sizes. */
#define RT_CPU_FILL_NT_MIN (32u << 20)
/* COMPARE scans up to this many bytes itself... */
#define RT_CPU_CMP_DIRECT 4096u
/* ...and asks memcmp() about larger buffers in pieces this size: the exact offset costs at most one more
 * pass over a piece, and the calls stay cheap next to the bytes they compare. */
#define RT_CPU_CMP_CHUNK (16u * 1024)
/* DUALCAST copies in pieces this size, so the second copy reads the source from cache. */
#define RT_CPU_DUALCAST_CHUNK (16u * 1024)

static bool ranges_overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return alen && blen && x < y + blen && y < x + alen;
}

#if RT_CPU_MEM_X86
static bool cpu_avx2(void)
{
	/* 0 unknown, 1 yes, -1 no; computing it twice in a race is harmless. */
	static int ok;
	int v = __atomic_load_n(&ok, __ATOMIC_RELAXED);

	if (!v) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("avx2") ? 1 : -1;
		__atomic_store_n(&ok, v, __ATOMIC_RELAXED);
	}
	return v > 0;
}
#endif

/* One repeated byte: memset, whose large-size paths (rep stosb) beat a store loop. */
__attribute__((noinline)) static int fill_memset(void *d, int c, size_t len)
{
	memset(d, c, len);
	return 0;
}

/* The pattern as seen from @off bytes into the fill: rotated so its byte 0 lands there. */
static uint64_t pattern_at(uint64_t pattern, uintptr_t off)
{
	unsigned int sh = (unsigned int)(off & 7) * 8;

	return sh ? (pattern >> sh) | (pattern << (64 - sh)) : pattern;
}

static void fill_small(uint8_t *d, uint64_t pattern, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		memcpy(d + i, &pattern, 8);
	for (; i < len; i++)
		d[i] = (uint8_t)(pattern >> (8 * (i & 7)));
}

#if RT_CPU_MEM_X86
/* @len >= 32. Returns 0, so that callers can make it a tail call. */
RT_CPU_TARGET_AVX2 __attribute__((noinline)) static int fill_avx2(uint8_t *d, uint64_t pattern,
								  size_t len)
{
	uint8_t *a = (uint8_t *)(((uintptr_t)d + 31) & ~(uintptr_t)31), *end = d + len;
	const __m256i v = _mm256_set1_epi64x((long long)pattern);
	__m256i va;

	if (len <= 256) {
		/* No loop, as memset does it: stores from the start with the pattern as is, and
		 * from the end with the pattern at offset len (every offset len - 32k has the
		 * same phase), overlapping in the middle. */
		const __m256i vt = _mm256_set1_epi64x((long long)pattern_at(pattern, len));

		_mm256_storeu_si256((void *)d, v);
		_mm256_storeu_si256((void *)(end - 32), vt);
		if (len <= 64)
			return 0;
		_mm256_storeu_si256((void *)(d + 32), v);
		_mm256_storeu_si256((void *)(end - 64), vt);
		if (len <= 128)
			return 0;
		_mm256_storeu_si256((void *)(d + 64), v);
		_mm256_storeu_si256((void *)(d + 96), v);
		_mm256_storeu_si256((void *)(end - 128), vt);
		_mm256_storeu_si256((void *)(end - 96), vt);
		return 0;
	}
	if (len <= 512) {
		/* Unaligned stores 32 bytes apart keep the pattern's phase; the last one
		 * overlaps, shifted to its offset. */
		for (size_t i = 0; i + 32 <= len; i += 32)
			_mm256_storeu_si256((void *)(d + i), v);
		_mm256_storeu_si256((void *)(end - 32),
				    _mm256_set1_epi64x((long long)pattern_at(pattern, len - 32)));
		return 0;
	}
	/* An unaligned head and tail, aligned 32-byte stores between. */
	va = _mm256_set1_epi64x((long long)pattern_at(pattern, (uintptr_t)(a - d)));
	_mm256_storeu_si256((void *)d, v);
	if (len >= RT_CPU_FILL_NT_MIN) {
		for (; a + 128 <= end; a += 128) {
			_mm256_stream_si256((void *)a, va);
			_mm256_stream_si256((void *)(a + 32), va);
			_mm256_stream_si256((void *)(a + 64), va);
			_mm256_stream_si256((void *)(a + 96), va);
		}
		_mm_sfence();
	} else {
		for (; a + 128 <= end; a += 128) {
			_mm256_store_si256((void *)a, va);
			_mm256_store_si256((void *)(a + 32), va);
			_mm256_store_si256((void *)(a + 64), va);
			_mm256_store_si256((void *)(a + 96), va);
		}
	}
	for (; a + 32 <= end; a += 32)
		_mm256_store_si256((void *)a, va);
	_mm256_storeu_si256((void *)(end - 32),
			    _mm256_set1_epi64x((long long)pattern_at(pattern, len - 32)));
	return 0;
}
#endif

/* Without AVX2: a 64-byte block, then doubling copies of what is already written. */
__attribute__((noinline)) static int fill_generic(uint8_t *d, uint64_t pattern, size_t len)
{
	size_t done = 64;

	if (len < 64) {
		fill_small(d, pattern, len);
		return 0;
	}
	fill_small(d, pattern, 64);
	while (done < len) {
		/* The period (8) divides every copy's offset, so each copy continues it. */
		size_t n = done < len - done ? done : len - done;

		if (n > (1u << 20))
			n = 1u << 20;
		memcpy(d + done, d, n);
		done += n;
	}
	return 0;
}

int rt_cpu_memfill(void *dst, uint64_t pattern, size_t len)
{
	/* Every path ends in a tail call: a stack frame here cost more than the 256-byte
	 * fill itself. */
	if (!len)
		return 0;
	if (!dst)
		return -EINVAL;
	if (len >= RT_CPU_FILL_MEMSET_MIN && pattern == (pattern & 0xff) * 0x0101010101010101ull)
		return fill_memset(dst, (int)(pattern & 0xff), len);
#if RT_CPU_MEM_X86
	if (len >= 32 && cpu_avx2())
		return fill_avx2(dst, pattern, len);
#endif
	return fill_generic(dst, pattern, len);
}

static size_t first_diff_scalar(const uint8_t *a, const uint8_t *b, size_t from, size_t len)
{
	size_t i = from;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)__builtin_ctzll(x ^ y) / 8; /* little-endian */
	}
	for (; i < len; i++)
		if (a[i] != b[i])
			return i;
	return len;
}

#if RT_CPU_MEM_X86
/* Offset of the first differing byte, or @len. */
RT_CPU_TARGET_AVX2 static size_t first_diff_avx2(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i = 0;

	for (; i + 128 <= len; i += 128) {
		__m256i e0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(a + i)),
					       _mm256_loadu_si256((const void *)(b + i)));
		__m256i e1 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(a + i + 32)),
					       _mm256_loadu_si256((const void *)(b + i + 32)));
		__m256i e2 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(a + i + 64)),
					       _mm256_loadu_si256((const void *)(b + i + 64)));
		__m256i e3 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(a + i + 96)),
					       _mm256_loadu_si256((const void *)(b + i + 96)));
		__m256i all = _mm256_and_si256(_mm256_and_si256(e0, e1), _mm256_and_si256(e2, e3));

		if ((unsigned int)_mm256_movemask_epi8(all) != 0xffffffffu)
			break; /* the exact byte is found below */
	}
	for (; i + 32 <= len; i += 32) {
		unsigned int m = (unsigned int)_mm256_movemask_epi8(
			_mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(a + i)),
					  _mm256_loadu_si256((const void *)(b + i))));

		if (m != 0xffffffffu)
			return i + (size_t)__builtin_ctz(~m);
	}
	return first_diff_scalar(a, b, i, len);
}
#endif

static int cmp_result(size_t at, size_t len, size_t *mismatch)
{
	if (mismatch)
		*mismatch = at < len ? at : 0;
	return at < len;
}

#if RT_CPU_MEM_X86
/* Up to RT_CPU_CMP_DIRECT bytes: one AVX2 pass, no calls (a frame cost more than the
 * compare). */
RT_CPU_TARGET_AVX2 __attribute__((noinline)) static int
cmp_direct_avx2(const uint8_t *a, const uint8_t *b, size_t len, size_t *mismatch)
{
	return cmp_result(first_diff_avx2(a, b, len), len, mismatch);
}
#endif

/* Offset of the first differing byte of @a and @b, which differ somewhere in @len. */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
#if RT_CPU_MEM_X86
	if (len >= 32 && cpu_avx2())
		return first_diff_avx2(a, b, len);
#endif
	return first_diff_scalar(a, b, 0, len);
}

__attribute__((noinline)) static int cmp_chunked(const uint8_t *a, const uint8_t *b, size_t len,
						 size_t *mismatch)
{
	for (size_t off = 0; off < len; off += RT_CPU_CMP_CHUNK) {
		size_t n = len - off < RT_CPU_CMP_CHUNK ? len - off : RT_CPU_CMP_CHUNK;

		if (memcmp(a + off, b + off, n))
			return cmp_result(off + first_diff(a + off, b + off, n), len, mismatch);
	}
	return cmp_result(len, len, mismatch);
}

int rt_cpu_memcmp(const void *a, const void *b, size_t len, size_t *mismatch)
{
	if (len && (!a || !b))
		return -EINVAL;
#if RT_CPU_MEM_X86
	if (len <= RT_CPU_CMP_DIRECT && cpu_avx2())
		return cmp_direct_avx2(a, b, len, mismatch);
#endif
	return cmp_chunked(a, b, len, mismatch);
}

int rt_cpu_dualcast(void *dst1, void *dst2, const void *src, size_t len)
{
	uint8_t *d1 = dst1, *d2 = dst2;
	const uint8_t *s = src;

	if (!len)
		return 0;
	if (!dst1 || !dst2 || !src)
		return -EINVAL;
	if (((uintptr_t)dst1 ^ (uintptr_t)dst2) & 0xfff)
		return -SVART_EDSA(DSA_COMP_DCAST_ERR);
	if (ranges_overlap(dst1, len, dst2, len) || ranges_overlap(dst1, len, src, len) ||
	    ranges_overlap(dst2, len, src, len))
		return -SVART_EDSA(DSA_COMP_OVERLAP_BUFFERS);
	for (size_t off = 0; off < len; off += RT_CPU_DUALCAST_CHUNK) {
		size_t n = len - off < RT_CPU_DUALCAST_CHUNK ? len - off : RT_CPU_DUALCAST_CHUNK;

		memcpy(d1 + off, s + off, n);
		memcpy(d2 + off, s + off, n);
	}
	return 0;
}
