// SPDX-License-Identifier: MIT
/*
 * rt_cpu_crc32c() and rt_cpu_crc64() against bitwise references written from the CRC
 * definitions and against published check values (the CRC catalogue's "123456789" checks).
 * Every CRC-32C implementation runs over every length 0..4096 at two alignments, over large
 * and odd sizes, and with continuation across split points.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>

#include "runtime/rt_cpu.h"
#include "tests/t_helpers.h"

static const char check9[] = "123456789";

/* Bitwise reflected CRC-32C register update (polynomial 0x1EDC6F41 reflected). */
static uint32_t ref32_raw(uint32_t r, const uint8_t *p, size_t n)
{
	while (n--) {
		r ^= *p++;
		for (int i = 0; i < 8; i++)
			r = (r >> 1) ^ (0x82f63b78u & -(r & 1));
	}
	return r;
}

static uint32_t ref32(uint32_t crc, const uint8_t *p, size_t n)
{
	return ~ref32_raw(~crc, p, n);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(xorshift(&s) >> 24);
}

static const enum rt_cpu_crc32c_impl impls[] = {
	RT_CPU_CRC32C_AUTO, RT_CPU_CRC32C_ISAL,	  RT_CPU_CRC32C_CRC32,
	RT_CPU_CRC32C_FOLD, RT_CPU_CRC32C_HYBRID,
};
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

static bool impl_present[NIMPLS];

static void test_crc32c_check_values(void)
{
	uint32_t v;

	/* RFC 3720 / the catalogue's CRC-32/ISCSI check value. */
	T_EQ(ref32(0, (const uint8_t *)check9, 9), 0xe3069283u);
	T_EQ(rt_cpu_crc32c(0, check9, 9), 0xe3069283u);
	/* ISA-L's convention, which rt_cpu_crc.c relies on: raw register in, raw out. */
	T_EQ(crc32_iscsi((unsigned char *)check9, 9, 0xffffffffu), ~0xe3069283u);
	T_EQ(rt_cpu_crc32c(0, NULL, 0), 0);
	T_EQ(rt_cpu_crc32c(0x12345678, NULL, 0), 0x12345678);

	for (size_t i = 0; i < NIMPLS; i++) {
		int ret = rt_cpu_crc32c_impl(impls[i], 0, check9, 9, &v);

		impl_present[i] = ret == 0;
		if (ret == -EOPNOTSUPP) {
			printf("crc32c %s: not on this CPU\n", rt_cpu_crc32c_impl_name(impls[i]));
			continue;
		}
		T_EQ(ret, 0);
		T_EQ(v, 0xe3069283u);
	}
	/* Bad input. */
	T_RET(EINVAL, rt_cpu_crc32c_impl(RT_CPU_CRC32C_NIMPL, 0, check9, 9, &v));
	T_RET(EINVAL, rt_cpu_crc32c_impl(RT_CPU_CRC32C_AUTO, 0, check9, 9, NULL));
	T_RET(EINVAL, rt_cpu_crc32c_impl(RT_CPU_CRC32C_AUTO, 0, NULL, 9, &v));
	T_STREQ(rt_cpu_crc32c_impl_name(RT_CPU_CRC32C_HYBRID), "hybrid");
	T_STREQ(rt_cpu_crc32c_impl_name(RT_CPU_CRC32C_NIMPL), "?");
}

/* Every length 0..4096 at offsets 0 and 3 (odd alignment), each implementation. */
static void test_crc32c_all_lengths(const uint8_t *buf)
{
	static const size_t offs[] = { 0, 3 };
	const uint32_t seed = 0x9e3779b9u;

	for (size_t o = 0; o < 2; o++) {
		const uint8_t *p = buf + offs[o];
		uint32_t r = ~seed; /* reference register, extended one byte per length */
		bool ok = true;

		for (size_t len = 0; len <= 4096 && ok; len++) {
			if (len)
				r = ref32_raw(r, p + len - 1, 1);
			for (size_t i = 0; i < NIMPLS; i++) {
				uint32_t v = 0;

				if (!impl_present[i])
					continue;
				rt_cpu_crc32c_impl(impls[i], seed, p, len, &v);
				if (v != ~r) {
					fprintf(stderr, "crc32c %s len %zu off %zu: %08x != %08x\n",
						rt_cpu_crc32c_impl_name(impls[i]), len, offs[o], v,
						~r);
					ok = false;
				}
			}
		}
		T_CHECK(ok);
	}
}

/* Large and awkward sizes: around the fold and hybrid block sizes, odd alignments. */
static void test_crc32c_big(const uint8_t *buf, size_t bufsz)
{
	static const size_t lens[] = {
		255,	256,	257,	303,	304,	 607,		608,	 609,
		912,	913,	1215,	4097,	32767,	 32768,		32769,	 65536 + 17,
		131071, 262144, 262147, 999983, 1 << 20, (1 << 20) + 7, 3 << 20,
	};

	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t off = l % 8, len = lens[l];
		uint32_t want;

		if (off + len > bufsz)
			continue;
		want = ref32(0x01020304u * (uint32_t)l, buf + off, len);
		for (size_t i = 0; i < NIMPLS; i++) {
			uint32_t v = 0;

			if (!impl_present[i])
				continue;
			rt_cpu_crc32c_impl(impls[i], 0x01020304u * (uint32_t)l, buf + off, len, &v);
			if (v != want)
				fprintf(stderr, "crc32c %s len %zu off %zu\n",
					rt_cpu_crc32c_impl_name(impls[i]), len, off);
			T_EQ(v, want);
		}
	}
}

/* Above 8 MiB AUTO goes back to the plain fold: checked against ISA-L (itself checked
 * against the bitwise reference above), which is quicker than the bitwise loop. */
static void test_crc32c_huge(void)
{
	const size_t len = (9u << 20) + 3;
	uint8_t *p = malloc(len + 1);
	uint32_t want = 0;

	if (!p)
		T_SKIP("no memory for %zu bytes", len);
	fill_random(p, len + 1, 0xb16);
	T_EQ(rt_cpu_crc32c_impl(RT_CPU_CRC32C_ISAL, 7, p + 1, len, &want), 0);
	T_EQ(rt_cpu_crc32c(7, p + 1, len), want);
	free(p);
}

/* crc(A‖B) == crc(B, crc(A)), split anywhere, mixing implementations. */
static void test_crc32c_continuation(const uint8_t *buf)
{
	const size_t len = 200000;
	const uint32_t whole = ref32(0, buf, len);
	uint64_t s = 42;

	for (int k = 0; k < 40; k++) {
		size_t cut = (size_t)(xorshift(&s) % (len + 1));
		size_t ia = (size_t)k % NIMPLS, ib = (size_t)(k / 3) % NIMPLS;
		uint32_t a = 0, b = 0;

		if (!impl_present[ia] || !impl_present[ib])
			continue;
		rt_cpu_crc32c_impl(impls[ia], 0, buf, cut, &a);
		rt_cpu_crc32c_impl(impls[ib], a, buf + cut, len - cut, &b);
		T_EQ(b, whole);
	}
	T_EQ(rt_cpu_crc32c(rt_cpu_crc32c(0, check9, 4), check9 + 4, 5), 0xe3069283u);
}

/*
 * IAA CRC64 from its definition: a register as wide as the polynomial (lowest set bit of the
 * MSB-aligned @poly), fed one bit at a time, MSB-first or (reflected) LSB-first, optionally
 * starting from and ending with all ones.
 */
static uint64_t ref64(uint64_t poly, bool refl, bool inv, const uint8_t *p, size_t n)
{
	unsigned int width = 64 - (unsigned int)__builtin_ctzll(poly);
	uint64_t top = 1ull << (width - 1);
	uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
	uint64_t P = poly >> (64 - width); /* the polynomial in the low bits */
	uint64_t r = inv ? mask : 0;

	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++) {
			unsigned int bit = refl ? (p[i] >> b) & 1 : (p[i] >> (7 - b)) & 1;
			unsigned int fb = ((r & top) != 0) ^ bit;

			r = ((r << 1) & mask) ^ (fb ? P : 0);
		}
	if (inv)
		r ^= mask;
	if (refl) {
		/* Reflected results come out bit-reversed over the width, in the low bits. */
		uint64_t v = 0;

		for (unsigned int b = 0; b < width; b++)
			if (r & (1ull << b))
				v |= 1ull << (width - 1 - b);
		return v;
	}
	return r << (64 - width); /* MSB-aligned */
}

static uint64_t crc64(uint64_t poly, unsigned int flags, const void *p, size_t n)
{
	uint64_t v = 0xdeadbeef;
	int ret = rt_cpu_crc64(poly, flags, p, n, &v);

	T_EQ(ret, 0);
	return v;
}

static void test_crc64(const uint8_t *buf)
{
	const unsigned int R = RT_CPU_CRC64_REFLECT, I = RT_CPU_CRC64_INVERT;
	static const uint64_t polys[] = {
		0x42f0e1eba9ea3693ull, /* ECMA-182 (ISA-L) */
		0x000000000000001bull, /* ISO (ISA-L) */
		0xad93d23594c935a9ull, /* Jones, as Redis and ISA-L have it */
		0xad93d23594c93659ull, /* CRC-64/NVME */
		0x04c11db700000000ull, /* CRC-32 */
		0x8bb7000000000000ull, /* T10-DIF */
		0x1021000000000000ull, /* CCITT */
		0x0700000000000000ull, /* CRC-8 */
		0x9a6c9329ac4bc9b5ull, /* an arbitrary 64-bit poly */
		0x000000af00000000ull, /* a 32-bit poly with a sparse top */
		0x8000000000000000ull, /* width 1: x + 1 */
	};
	uint64_t v;

	/* Catalogue check values for "123456789". */
	T_EQ(crc64(0x42f0e1eba9ea3693ull, R | I, check9, 9), 0x995dc9bbdf1939faull); /* XZ */
	T_EQ(crc64(0x42f0e1eba9ea3693ull, I, check9, 9), 0x62ec59e3f1a4f00aull); /* WE */
	T_EQ(crc64(0x42f0e1eba9ea3693ull, 0, check9, 9), 0x6c40df5f0b497347ull); /* ECMA-182 */
	T_EQ(crc64(0x000000000000001bull, R | I, check9, 9), 0xb90956c775a41001ull); /* GO-ISO */
	T_EQ(crc64(0xad93d23594c935a9ull, R, check9, 9), 0xe9c6d914c4b8d9caull); /* REDIS */
	T_EQ(crc64(0xad93d23594c93659ull, R | I, check9, 9), 0xae8b14860a799888ull); /* NVME */
	T_EQ(crc64(0x04c11db700000000ull, R | I, check9, 9), 0xcbf43926ull); /* CRC-32 (gzip) */
	T_EQ(crc64(0x04c11db700000000ull, I, check9, 9), 0xfc891918ull << 32); /* CRC-32/BZIP2 */
	T_EQ(crc64(0x8bb7000000000000ull, 0, check9, 9), 0xd0dbull << 48); /* CRC-16/T10-DIF */
	T_EQ(crc64(0x1021000000000000ull, R | I, check9, 9), 0x906eull); /* CRC-16/IBM-SDLC */
	T_EQ(crc64(0x1021000000000000ull, 0, check9, 9), 0x31c3ull << 48); /* CRC-16/XMODEM */
	T_EQ(crc64(0x0700000000000000ull, 0, check9, 9), 0xf4ull << 56); /* CRC-8/SMBUS */

	/* Every polynomial and flag combination against the bitwise definition. */
	for (size_t pi = 0; pi < sizeof(polys) / sizeof(polys[0]); pi++)
		for (unsigned int f = 0; f < 4; f++) {
			unsigned int flags = (f & 1 ? R : 0) | (f & 2 ? I : 0);
			bool bad = false;

			for (size_t len = 0; len < 70 && !bad; len++)
				if (crc64(polys[pi], flags, buf + 1, len) !=
				    ref64(polys[pi], f & 1, f & 2, buf + 1, len))
					bad = true;
			for (size_t len = 1000; len < 5000 && !bad; len += 997)
				if (crc64(polys[pi], flags, buf + 5, len) !=
				    ref64(polys[pi], f & 1, f & 2, buf + 5, len))
					bad = true;
			if (bad)
				fprintf(stderr, "crc64 poly %016llx flags %x\n",
					(unsigned long long)polys[pi], flags);
			T_CHECK(!bad);
		}

	/* Switching polynomials within a thread rebuilds the cached tables. */
	T_EQ(crc64(0x8bb7000000000000ull, 0, check9, 9), 0xd0dbull << 48);
	T_EQ(crc64(0x1021000000000000ull, 0, check9, 9), 0x31c3ull << 48);
	T_EQ(crc64(0x1021000000000000ull, R | I, check9, 9), 0x906eull);

	/* Bad input. */
	T_RET(EINVAL, rt_cpu_crc64(0, I, check9, 9, &v));
	T_RET(EINVAL, rt_cpu_crc64(0x1021000000000000ull, 1u << 13, check9, 9, &v));
	T_RET(EINVAL, rt_cpu_crc64(0x1021000000000000ull, 0, check9, 9, NULL));
	T_RET(EINVAL, rt_cpu_crc64(0x1021000000000000ull, 0, NULL, 9, &v));
	T_EQ(rt_cpu_crc64(0x1021000000000000ull, I, NULL, 0, &v), 0);
	T_EQ(v, 0); /* all ones in, all ones inverted out */
}

int main(void)
{
	const size_t bufsz = (3 << 20) + 64;
	uint8_t *buf = malloc(bufsz);

	if (!buf)
		T_SKIP("no memory for %zu bytes", bufsz);
	fill_random(buf, bufsz, 0x5eed);

	test_crc32c_check_values();
	test_crc32c_all_lengths(buf);
	test_crc32c_big(buf, bufsz);
	test_crc32c_continuation(buf);
	test_crc32c_huge();
	test_crc64(buf);

	free(buf);
	return t_done("rt_cpu_crc");
}
