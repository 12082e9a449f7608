// SPDX-License-Identifier: MIT
/*
 * CPU CRCs: CRC-32C as DSA CRCGEN computes it, and IAA's CRC64 operation.
 *
 * CRC-32C. ISA-L's crc32_iscsi is the baseline and stays the choice on CPUs without AVX-512
 * VPCLMULQDQ. Where that instruction exists svart uses its own code at every size, because it
 * measured faster than ISA-L's (which on such CPUs is itself a VPCLMULQDQ fold, by16_10):
 *  - under 128 bytes, the CRC32 instruction, 8 bytes at a time: ISA-L's fold has a fixed
 *    set-up cost that dominates there;
 *  - from 128 bytes, a fold of 16 128-bit lanes (four zmm registers) with VPCLMULQDQ, reduced
 *    to 32 bits with two CRC32 instructions instead of a Barrett step;
 *  - from RT_CPU_CRC_HYBRID_MIN to RT_CPU_CRC_HYBRID_MAX, the same fold over most of the
 *    buffer while three CRC32-instruction streams take the rest, so both units work at
 *    once; the four partial CRCs are merged with carry-less multiplications by x^n mod P.
 *    Larger buffers, which come from memory rather than cache, go back to the plain fold.
 * docs/CPU_PATH.md has the measurements behind these choices.
 *
 * Conventions. The reflected CRC-32C register R starts as ~crc and the result is ~R (RFC
 * 3720: crc 0 over "123456789" is 0xE3069283). ISA-L's crc32_iscsi(buf, len, seed) takes and
 * returns the raw register (it starts from seed and inverts nothing), so the CRC here is
 * ~crc32_iscsi(buf, len, ~crc); tests/rt_cpu_crc.c pins that.
 *
 * Folding in the reflected domain: bit k of a 128-bit lane holds the coefficient of x^(127-k)
 * times x^(8 * bytes that follow the lane). Moving a lane D bits forward multiplies its low
 * 64 bits by x^(D+32) mod P and its high 64 bits by x^(D-32) mod P (the 32 accounts for the
 * carry-less product's placement), each constant stored bit-reflected and shifted left by
 * one. The CRC32 instruction on 16 bytes from a zero register then yields R(x)·x^32 mod P,
 * the register after the data.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/crc64.h>

#include "enqcmd/idxd_hw.h"
#include "runtime/rt_cpu.h"

_Static_assert(RT_CPU_CRC64_INVERT == IDXD_IAX_CRC64F_INVERT, "IAA CRC64 invert flag");
_Static_assert(RT_CPU_CRC64_REFLECT == IDXD_IAX_CRC64F_BIT_ORDER, "IAA CRC64 bit-order flag");

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RT_CPU_CRC_X86 1
#include <immintrin.h>
#else
#define RT_CPU_CRC_X86 0
#endif

/* ---- CRC-32C ---- */

/* Sizes (bytes) at which AUTO switches implementation on AVX-512 VPCLMULQDQ CPUs. */
#define RT_CPU_CRC_FOLD_MIN 128
#define RT_CPU_CRC_HYBRID_MIN (32u * 1024)
/* Above this the data comes from memory rather than cache, where the hybrid's four streams
 * lost to the plain fold (0.83x of ISA-L against 1.04x at 16 MiB). */
#define RT_CPU_CRC_HYBRID_MAX (8u << 20)

/* ISA-L takes an int length; feed it in pieces well below INT_MAX. */
#define RT_CPU_CRC_ISAL_CHUNK (1u << 30)

static uint32_t crc32c_isal(uint32_t crc, const uint8_t *p, size_t len)
{
	uint32_t r = ~crc;

	while (len) {
		size_t n = len < RT_CPU_CRC_ISAL_CHUNK ? len : RT_CPU_CRC_ISAL_CHUNK;

		/* ISA-L does not write through the pointer; its prototype lacks the const. */
		r = crc32_iscsi((unsigned char *)p, (int)n, r);
		p += n;
		len -= n;
	}
	return ~r;
}

#if RT_CPU_CRC_X86

#define RT_CPU_TARGET_CRC __attribute__((target("sse4.2")))
#define RT_CPU_TARGET_FOLD \
	__attribute__((target("sse4.2,pclmul,avx,avx2,avx512f,avx512vl,vpclmulqdq")))

/* Fold constants (x^n mod P bit-reflected, << 1), as pairs {low-half, high-half}. */
#define K128_LO 0x0f20c0dfeull /* x^160 */
#define K128_HI 0x14cd00bd6ull /* x^96 */
#define K256_LO 0x1384aa63aull /* x^288 */
#define K256_HI 0x0ba4fc28eull /* x^224 */
#define K384_LO 0x01c291d04ull /* x^416 */
#define K384_HI 0x1d82c63daull /* x^352 */
#define K512_LO 0x0740eef02ull /* x^544 */
#define K512_HI 0x09e4addf8ull /* x^480 */
#define K2048_LO 0x0dcb17aa4ull /* x^2080 */
#define K2048_HI 0x0b9e02b86ull /* x^2016 */

static uint64_t rt_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Raw register @st over @len bytes with the CRC32 instruction. */
RT_CPU_TARGET_CRC static uint32_t crc32c_insn(uint32_t st, const uint8_t *p, size_t len)
{
	uint64_t r = st;

	for (; len >= 8; p += 8, len -= 8)
		r = _mm_crc32_u64(r, rt_load64(p));
	for (; len; p++, len--)
		r = _mm_crc32_u8((uint32_t)r, *p);
	return (uint32_t)r;
}

#define FOLD128(x, k, d)                                                                           \
	_mm_ternarylogic_epi64(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11), \
			       d, 0x96)
#define FOLD512(x, k, d)                                                \
	_mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), \
				  _mm512_clmulepi64_epi128(x, k, 0x11), d, 0x96)

/* The raw register after a lane that ends the data: two CRC32 instructions from zero. */
RT_CPU_TARGET_FOLD static uint32_t fold_finish(__m128i x)
{
	uint64_t r = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));

	return (uint32_t)_mm_crc32_u64(r, (uint64_t)_mm_extract_epi64(x, 1));
}

/*
 * Fold @len >= 64 bytes starting from raw register @st; returns the raw register. 256 bytes
 * and up go through four zmm accumulators (16 lanes, folded 2048 bits per step), the rest
 * through 16-byte lanes.
 */
RT_CPU_TARGET_FOLD static uint32_t crc32c_fold_raw(uint32_t st, const uint8_t *p, size_t len)
{
	const __m128i k128 = _mm_set_epi64x(K128_HI, K128_LO);
	__m128i x;

	if (len >= 256) {
		const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(K2048_HI, K2048_LO));
		const __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x(K512_HI, K512_LO));
		const __m512i klanes = _mm512_set_epi64(0, 0, K128_HI, K128_LO, K256_HI, K256_LO,
							K384_HI, K384_LO);
		__m512i a0 = _mm512_loadu_si512(p), a1 = _mm512_loadu_si512(p + 64);
		__m512i a2 = _mm512_loadu_si512(p + 128), a3 = _mm512_loadu_si512(p + 192);
		__m512i t;

		/* The initial register XORed into the first four bytes is the CRC's seed. */
		a0 = _mm512_xor_si512(a0, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)st)));
		for (p += 256, len -= 256; len >= 256; p += 256, len -= 256) {
			a0 = FOLD512(a0, k2048, _mm512_loadu_si512(p));
			a1 = FOLD512(a1, k2048, _mm512_loadu_si512(p + 64));
			a2 = FOLD512(a2, k2048, _mm512_loadu_si512(p + 128));
			a3 = FOLD512(a3, k2048, _mm512_loadu_si512(p + 192));
		}
		a0 = FOLD512(a0, k512, a1);
		a0 = FOLD512(a0, k512, a2);
		a0 = FOLD512(a0, k512, a3);
		for (; len >= 64; p += 64, len -= 64)
			a0 = FOLD512(a0, k512, _mm512_loadu_si512(p));
		/* Lanes 0-2 move 384, 256 and 128 bits forward onto lane 3. */
		t = _mm512_xor_si512(_mm512_clmulepi64_epi128(a0, klanes, 0x00),
				     _mm512_clmulepi64_epi128(a0, klanes, 0x11));
		x = _mm_ternarylogic_epi64(_mm512_extracti32x4_epi32(a0, 3),
					   _mm512_castsi512_si128(t),
					   _mm512_extracti32x4_epi32(t, 1), 0x96);
		x = _mm_xor_si128(x, _mm512_extracti32x4_epi32(t, 2));
	} else {
		const __m128i k512 = _mm_set_epi64x(K512_HI, K512_LO);
		__m128i x1 = _mm_loadu_si128((const void *)(p + 16));
		__m128i x2 = _mm_loadu_si128((const void *)(p + 32));
		__m128i x3 = _mm_loadu_si128((const void *)(p + 48));

		x = _mm_xor_si128(_mm_loadu_si128((const void *)p), _mm_cvtsi32_si128((int)st));
		for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
			x = FOLD128(x, k512, _mm_loadu_si128((const void *)p));
			x1 = FOLD128(x1, k512, _mm_loadu_si128((const void *)(p + 16)));
			x2 = FOLD128(x2, k512, _mm_loadu_si128((const void *)(p + 32)));
			x3 = FOLD128(x3, k512, _mm_loadu_si128((const void *)(p + 48)));
		}
		x = FOLD128(x, k128, x1);
		x = FOLD128(x, k128, x2);
		x = FOLD128(x, k128, x3);
	}
	for (; len >= 16; p += 16, len -= 16)
		x = FOLD128(x, k128, _mm_loadu_si128((const void *)p));
	return crc32c_insn(fold_finish(x), p, len);
}

/* Reflected 32-bit product @a * @b * x^33 mod P: the carry-less product, then CRC32. */
RT_CPU_TARGET_FOLD static uint32_t clmul_reduce(uint32_t a, uint32_t b, bool times_x)
{
	__m128i m = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b), 0);
	uint64_t v = (uint64_t)_mm_cvtsi128_si64(m);

	/* The 63-bit product sits one bit low for the CRC32 instruction's x^63..x^0 reading:
	 * shifting it up removes the extra factor x. */
	return (uint32_t)_mm_crc32_u64(0, times_x ? v : v << 1);
}

/*
 * x^n mod P, reflected, in O(log n): x^n = (x^m)^2 * x^(32+b) with n = 2m + 32 + b, and
 * clmul_reduce() squares with that very factor x^32 (x^33 without the shift).
 */
RT_CPU_TARGET_FOLD static uint32_t xpow_mod(uint64_t n)
{
	uint64_t path = 0;
	unsigned int depth = 0;
	uint32_t acc;

	while (n >= 64) {
		uint64_t b = n & 1;

		path |= b << depth++;
		n = (n - 32 - b) >> 1;
	}
	/* Reflected x^n for n < 32 is one bit; for 32..63 one CRC32 step multiplies by x^32. */
	acc = n < 32 ? 0x80000000u >> n : _mm_crc32_u32(0x80000000u >> (n - 32), 0);
	while (depth--)
		acc = clmul_reduce(acc, acc, (path >> depth) & 1);
	return acc;
}

/* Three CRC32-instruction streams of this many bytes run beside each 256 folded bytes: the
 * split that measured fastest (docs/CPU_PATH.md). */
#define HYB_SCALAR 16
#define HYB_STEP (256 + 3 * HYB_SCALAR)

RT_CPU_TARGET_FOLD static uint32_t crc32c_hybrid_raw(uint32_t st, const uint8_t *p, size_t len)
{
	size_t iters = len / HYB_STEP, span = HYB_SCALAR * iters;
	const uint8_t *base = p;
	const uint8_t *s0 = p + 256 * iters, *s1 = s0 + span, *s2 = s1 + span, *end = s2 + span;
	const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(K2048_HI, K2048_LO));
	const __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x(K512_HI, K512_LO));
	const __m512i klanes =
		_mm512_set_epi64(0, 0, K128_HI, K128_LO, K256_HI, K256_LO, K384_HI, K384_LO);
	uint64_t c0 = 0, c1 = 0, c2 = 0;
	__m512i a0, a1, a2, a3, t;
	uint32_t cv, k;
	__m128i x;

	if (iters < 2)
		return len >= 64 ? crc32c_fold_raw(st, p, len) : crc32c_insn(st, p, len);

	a0 = _mm512_xor_si512(_mm512_loadu_si512(p),
			      _mm512_castsi128_si512(_mm_cvtsi32_si128((int)st)));
	a1 = _mm512_loadu_si512(p + 64);
	a2 = _mm512_loadu_si512(p + 128);
	a3 = _mm512_loadu_si512(p + 192);
	p += 256;
	for (size_t i = 0;;) {
		for (size_t j = 0; j < HYB_SCALAR; j += 8) {
			c0 = _mm_crc32_u64(c0, rt_load64(s0 + j));
			c1 = _mm_crc32_u64(c1, rt_load64(s1 + j));
			c2 = _mm_crc32_u64(c2, rt_load64(s2 + j));
		}
		s0 += HYB_SCALAR;
		s1 += HYB_SCALAR;
		s2 += HYB_SCALAR;
		if (++i == iters)
			break;
		a0 = FOLD512(a0, k2048, _mm512_loadu_si512(p));
		a1 = FOLD512(a1, k2048, _mm512_loadu_si512(p + 64));
		a2 = FOLD512(a2, k2048, _mm512_loadu_si512(p + 128));
		a3 = FOLD512(a3, k2048, _mm512_loadu_si512(p + 192));
		p += 256;
	}
	a0 = FOLD512(a0, k512, a1);
	a0 = FOLD512(a0, k512, a2);
	a0 = FOLD512(a0, k512, a3);
	t = _mm512_xor_si512(_mm512_clmulepi64_epi128(a0, klanes, 0x00),
			     _mm512_clmulepi64_epi128(a0, klanes, 0x11));
	x = _mm_ternarylogic_epi64(_mm512_extracti32x4_epi32(a0, 3), _mm512_castsi512_si128(t),
				   _mm512_extracti32x4_epi32(t, 1), 0x96);
	x = _mm_xor_si128(x, _mm512_extracti32x4_epi32(t, 2));
	cv = fold_finish(x);

	/* Horner over the three scalar spans: each step moves the CRC so far one span on. */
	k = xpow_mod(8 * (uint64_t)span - 33);
	cv = clmul_reduce(cv, k, true) ^ (uint32_t)c0;
	cv = clmul_reduce(cv, k, true) ^ (uint32_t)c1;
	cv = clmul_reduce(cv, k, true) ^ (uint32_t)c2;

	len -= (size_t)(end - base);
	return len >= 64 ? crc32c_fold_raw(cv, end, len) : crc32c_insn(cv, end, len);
}

static int crc_fold_ok(void)
{
	/* 0 unknown, 1 yes, -1 no; computing it twice in a race is harmless. */
	static int ok;
	int v = __atomic_load_n(&ok, __ATOMIC_RELAXED);

	if (!v) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
				    __builtin_cpu_supports("avx2") &&
				    __builtin_cpu_supports("avx512f") &&
				    __builtin_cpu_supports("avx512vl") &&
				    __builtin_cpu_supports("vpclmulqdq") ?
			    1 :
			    -1;
		__atomic_store_n(&ok, v, __ATOMIC_RELAXED);
	}
	return v > 0;
}

static int crc_insn_ok(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sse4.2");
}

#else /* !RT_CPU_CRC_X86 */

static int crc_fold_ok(void)
{
	return 0;
}

static int crc_insn_ok(void)
{
	return 0;
}

#endif

uint32_t rt_cpu_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if RT_CPU_CRC_X86
	const uint8_t *p = buf;

	if (crc_fold_ok()) {
		if (len < RT_CPU_CRC_FOLD_MIN)
			return ~crc32c_insn(~crc, p, len);
		if (len < RT_CPU_CRC_HYBRID_MIN || len > RT_CPU_CRC_HYBRID_MAX)
			return ~crc32c_fold_raw(~crc, p, len);
		return ~crc32c_hybrid_raw(~crc, p, len);
	}
#endif
	return crc32c_isal(crc, buf, len);
}

int rt_cpu_crc32c_impl(enum rt_cpu_crc32c_impl impl, uint32_t crc, const void *buf, size_t len,
		       uint32_t *out)
{
	if (!out || (!buf && len))
		return -EINVAL;
	switch (impl) {
	case RT_CPU_CRC32C_AUTO:
		*out = rt_cpu_crc32c(crc, buf, len);
		return 0;
	case RT_CPU_CRC32C_ISAL:
		*out = crc32c_isal(crc, buf, len);
		return 0;
	case RT_CPU_CRC32C_CRC32:
		if (!crc_insn_ok())
			return -EOPNOTSUPP;
#if RT_CPU_CRC_X86
		*out = ~crc32c_insn(~crc, buf, len);
#endif
		return 0;
	case RT_CPU_CRC32C_FOLD:
	case RT_CPU_CRC32C_HYBRID:
		if (!crc_fold_ok())
			return -EOPNOTSUPP;
#if RT_CPU_CRC_X86
		if (len < 64)
			*out = ~crc32c_insn(~crc, buf, len);
		else if (impl == RT_CPU_CRC32C_FOLD)
			*out = ~crc32c_fold_raw(~crc, buf, len);
		else
			*out = ~crc32c_hybrid_raw(~crc, buf, len);
#endif
		return 0;
	default:
		return -EINVAL;
	}
}

const char *rt_cpu_crc32c_impl_name(enum rt_cpu_crc32c_impl impl)
{
	static const char *const names[RT_CPU_CRC32C_NIMPL] = {
		[RT_CPU_CRC32C_AUTO] = "auto",	   [RT_CPU_CRC32C_ISAL] = "isal",
		[RT_CPU_CRC32C_CRC32] = "crc32",   [RT_CPU_CRC32C_FOLD] = "fold",
		[RT_CPU_CRC32C_HYBRID] = "hybrid",
	};

	return (unsigned int)impl < RT_CPU_CRC32C_NIMPL ? names[impl] : "?";
}

/* ---- CRC-64 (IAA CRC64) ---- */

/*
 * ISA-L has folding implementations for three 64-bit polynomials; its functions invert the
 * seed on entry and the result on exit, so seed 0 gives the inverted CRC and seed ~0 (then
 * inverting the result) the plain one.
 */
struct crc64_isal {
	uint64_t poly;
	uint64_t (*norm)(uint64_t seed, const uint8_t *buf, uint64_t len);
	uint64_t (*refl)(uint64_t seed, const uint8_t *buf, uint64_t len);
};

static const struct crc64_isal crc64_isal_polys[] = {
	{ 0x42f0e1eba9ea3693ull, crc64_ecma_norm, crc64_ecma_refl }, /* ECMA-182 */
	{ 0x000000000000001bull, crc64_iso_norm, crc64_iso_refl }, /* ISO 3309 */
	{ 0xad93d23594c935a9ull, crc64_jones_norm, crc64_jones_refl }, /* Jones (Redis) */
};

/* Any other polynomial: slicing-by-8 tables, built for the last polynomial a thread used. */
struct crc64_tables {
	uint64_t poly;
	bool refl;
	uint64_t t[8][256];
};

static pthread_key_t crc64_key;
static pthread_once_t crc64_once = PTHREAD_ONCE_INIT;
static int crc64_key_err;

static void crc64_key_create(void)
{
	crc64_key_err = pthread_key_create(&crc64_key, free);
}

static uint64_t bitrev64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
	v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
	return __builtin_bswap64(v);
}

static void crc64_build(struct crc64_tables *tb, uint64_t poly, bool refl)
{
	uint64_t rpoly = bitrev64(poly);

	for (unsigned int i = 0; i < 256; i++) {
		uint64_t c;

		if (refl) {
			c = i;
			for (int b = 0; b < 8; b++)
				c = (c >> 1) ^ (rpoly & -(c & 1));
		} else {
			c = (uint64_t)i << 56;
			for (int b = 0; b < 8; b++)
				c = (c << 1) ^ (poly & -(c >> 63));
		}
		tb->t[0][i] = c;
	}
	for (unsigned int i = 0; i < 256; i++)
		for (int s = 1; s < 8; s++) {
			uint64_t c = tb->t[s - 1][i];

			tb->t[s][i] =
				refl ? (c >> 8) ^ tb->t[0][c & 0xff] : (c << 8) ^ tb->t[0][c >> 56];
		}
	tb->poly = poly;
	tb->refl = refl;
}

static uint64_t crc64_slice(const struct crc64_tables *tb, uint64_t crc, const uint8_t *p,
			    size_t len)
{
	const uint64_t(*t)[256] = tb->t;

	if (tb->refl) {
		for (; len >= 8; p += 8, len -= 8) {
			uint64_t v;

			memcpy(&v, p, 8);
			v = crc ^ le64toh(v);
			crc = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^
			      t[4][(v >> 24) & 0xff] ^ t[3][(v >> 32) & 0xff] ^
			      t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
		}
		for (; len; p++, len--)
			crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xff];
	} else {
		for (; len >= 8; p += 8, len -= 8) {
			uint64_t v;

			memcpy(&v, p, 8);
			v = crc ^ be64toh(v); /* byte 0 on top */
			crc = t[7][v >> 56] ^ t[6][(v >> 48) & 0xff] ^ t[5][(v >> 40) & 0xff] ^
			      t[4][(v >> 32) & 0xff] ^ t[3][(v >> 24) & 0xff] ^
			      t[2][(v >> 16) & 0xff] ^ t[1][(v >> 8) & 0xff] ^ t[0][v & 0xff];
		}
		for (; len; p++, len--)
			crc = (crc << 8) ^ t[0][(crc >> 56) ^ *p];
	}
	return crc;
}

static struct crc64_tables *crc64_tables_get(uint64_t poly, bool refl)
{
	struct crc64_tables *tb;

	pthread_once(&crc64_once, crc64_key_create);
	if (crc64_key_err)
		return NULL;
	tb = pthread_getspecific(crc64_key);
	if (!tb) {
		tb = malloc(sizeof(*tb));
		if (!tb)
			return NULL;
		if (pthread_setspecific(crc64_key, tb)) {
			free(tb);
			return NULL;
		}
		tb->poly = 0;
	}
	if (tb->poly != poly || tb->refl != refl)
		crc64_build(tb, poly, refl);
	return tb;
}

int rt_cpu_crc64(uint64_t poly, unsigned int flags, const void *buf, size_t len, uint64_t *out)
{
	bool refl = flags & RT_CPU_CRC64_REFLECT, inv = flags & RT_CPU_CRC64_INVERT;
	struct crc64_tables stack_tb, *tb;
	uint64_t mask;

	if (!poly || (flags & ~(RT_CPU_CRC64_REFLECT | RT_CPU_CRC64_INVERT)) || !out ||
	    (!buf && len))
		return -EINVAL;

	for (size_t i = 0; i < sizeof(crc64_isal_polys) / sizeof(crc64_isal_polys[0]); i++) {
		const struct crc64_isal *c = &crc64_isal_polys[i];

		if (c->poly != poly)
			continue;
		if (refl)
			*out = inv ? c->refl(0, buf, len) : ~c->refl(~0ull, buf, len);
		else
			*out = inv ? c->norm(0, buf, len) : ~c->norm(~0ull, buf, len);
		return 0;
	}

	/* All ones from the polynomial's lowest set bit up: the CRC's width, MSB-aligned. */
	mask = ~((poly & -poly) - 1);
	if (refl)
		mask = bitrev64(mask);
	tb = crc64_tables_get(poly, refl);
	if (!tb) {
		/* No per-thread table: build one on the stack for this call. */
		crc64_build(&stack_tb, poly, refl);
		tb = &stack_tb;
	}
	*out = crc64_slice(tb, inv ? mask : 0, buf, len) ^ (inv ? mask : 0);
	return 0;
}
