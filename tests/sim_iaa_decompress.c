// SPDX-License-Identifier: MIT
/*
 * sim IAA DECOMPRESS: zlib's raw deflate (4 KiB window) and sim's own COMPRESS output decode to
 * the original; a 32 KiB-window stream with a longer distance is error 17; hand-made corrupt
 * streams give the spec's error codes; random corruption never writes past max_dst_size (a
 * PROT_NONE page follows it); OUTBUF_OVERFLOW resumes through the AECS and input split across
 * descriptors continues through it, both reproducing the full output; CRC-32 / CRC-32C / XOR of
 * the output; stop-on-EOB, ignore-end-bits, suppressed output, bad AECS, page faults.
 */
#include <zlib.h>

#include "sim_iaa_util.h"

#define N_TEXT (160u * 1024)
#define DAECS_SIZE 0x1500u

static uint8_t daecs[2 * DAECS_SIZE] __attribute__((aligned(64)));

static size_t z_deflate(const uint8_t *in, size_t n, uint8_t *out, size_t max, int level, int wbits)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, -wbits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)max;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		z.total_out = 0;
	deflateEnd(&z);
	return z.total_out;
}

static uint32_t ref_crc32c(uint32_t seed, const uint8_t *p, size_t n)
{
	uint32_t c = ~seed;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
	}
	return ~c;
}

static uint16_t ref_xor(const uint8_t *p, size_t n)
{
	uint16_t x = 0;

	for (size_t i = 0; i < n; i++)
		x ^= (uint16_t)(i & 1 ? p[i] << 8 : p[i]);
	return x;
}

static uint8_t dec(struct t_iaa *t, const void *in, uint32_t n, void *out, uint32_t max,
		   uint16_t df, uint32_t flags)
{
	struct iax_hw_desc d;
	uint8_t st;

	t_decompress_desc(&d, in, n, out, max, df, flags);
	if (flags & (IDXD_IAX_F_RD_SRC2_MASK | IDXD_IAX_F_WR_SRC2_MASK)) {
		d.src2_addr = (uintptr_t)daecs;
		d.src2_size = DAECS_SIZE;
	}
	st = t_iaa_run(t, &d);
	T_EQ(t_rec.status, st);
	return st;
}

/* A deflate bit writer for hand-made streams. */
struct bw {
	uint8_t b[256];
	uint32_t n;
};

static void put(struct bw *w, uint32_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, w->n++)
		w->b[w->n / 8] |= (uint8_t)(((v >> i) & 1) << (w->n % 8));
}

/* A Huffman code, most significant bit first. */
static void put_code(struct bw *w, uint32_t code, uint32_t n)
{
	for (uint32_t i = n; i--;)
		put(w, (code >> i) & 1, 1);
}

static void put_fixed_lit(struct bw *w, uint32_t s)
{
	if (s < 144)
		put_code(w, 0x30 + s, 8);
	else if (s < 256)
		put_code(w, 0x190 + s - 144, 9);
	else if (s < 280)
		put_code(w, s - 256, 7);
	else
		put_code(w, 0xc0 + s - 280, 8);
}

static uint8_t dec_bw(struct t_iaa *t, struct bw *w, uint8_t *out, uint32_t max)
{
	return dec(t, w->b, (w->n + 7) / 8, out, max, IDXD_IAX_DECOMPF_STOP_ON_EOB, 0);
}

static void test_roundtrips(struct t_iaa *t, const uint8_t *text)
{
	uint32_t cmax = N_TEXT + 1024;
	uint8_t *comp = malloc(cmax), *out = t_guarded(N_TEXT);
	static struct iaa_aecs_comp fixed __attribute__((aligned(64)));
	struct iax_hw_desc d;
	size_t n;

	/* zlib, level 6, 4 KiB window; stop and check at the final EOB (QPL's default). */
	n = z_deflate(text, N_TEXT, comp, cmax, 6, 12);
	T_CHECK(n > 0);
	T_EQ(dec(t, comp, (uint32_t)n, out, N_TEXT,
		 IDXD_IAX_DECOMPF_STOP_ON_EOB | IDXD_IAX_DECOMPF_CHECK_FOR_EOB |
			 IDXD_IAX_DECOMPF_SEL_BFINAL_EOB,
		 0),
	     IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, N_TEXT);
	T_EQ(t_rec.bytes_completed, n);
	T_CHECK(!memcmp(out, text, N_TEXT));
	T_EQ(t_rec.crc, crc32(0, text, N_TEXT));
	T_EQ(t_rec.xor_csum, ref_xor(text, N_TEXT));
	/* Stop at any EOB: the first (non-final) block only. */
	T_EQ(dec(t, comp, (uint32_t)n, out, N_TEXT, IDXD_IAX_DECOMPF_STOP_ON_EOB, 0),
	     IAX_COMP_SUCCESS);
	T_CHECK(t_rec.output_size > 0 && t_rec.output_size < N_TEXT);
	T_CHECK(t_rec.bytes_completed > 0 && t_rec.bytes_completed < n);
	T_CHECK(!memcmp(out, text, t_rec.output_size));
	/* CRC-32C of the output on request. */
	T_EQ(dec(t, comp, (uint32_t)n, out, N_TEXT, 0, IDXD_OP_FLAG_CRC_RFC3720), IAX_COMP_SUCCESS);
	T_EQ(t_rec.crc, ref_crc32c(0, text, N_TEXT));

	/* zlib stored blocks (level 0) and a fixed-code stream (Z_FIXED via level 1, small). */
	n = z_deflate(text, 70000, comp, cmax, 0, 12);
	T_EQ(dec(t, comp, (uint32_t)n, out, N_TEXT, 0, 0), IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, 70000);
	T_CHECK(!memcmp(out, text, 70000));

	/* sim's own COMPRESS output, fixed codes, decoded with ignore-end-bits for the pad. */
	memset(&fixed, 0, sizeof(fixed));
	iaa_aecs_comp_set_fixed(&fixed, true);
	t_compress_desc(&d, text, N_TEXT, comp, cmax, &fixed,
			IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1), 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_SUCCESS);
	n = t_rec.output_size;
	uint32_t bits = t_rec.output_bits;
	T_EQ(dec(t, comp, (uint32_t)n, out, N_TEXT,
		 IDXD_IAX_DECOMPF_IGNORE_END_BITS(bits ? 8 - bits : 0) |
			 IDXD_IAX_DECOMPF_CHECK_FOR_EOB,
		 0),
	     IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, N_TEXT);
	T_CHECK(!memcmp(out, text, N_TEXT));

	/* Suppressed output: checksums only, nothing written. */
	memset(out, 0, N_TEXT);
	T_EQ(dec(t, comp, (uint32_t)n, out, 0, IDXD_IAX_DECOMPF_SUPPRESS_OUTPUT, 0),
	     IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, 0);
	T_EQ(t_rec.crc, crc32(0, text, N_TEXT));
	T_EQ(out[0], 0);

	/* Stop on EOB: trailing bytes are left alone and bytes_completed says where it ended. */
	memset(comp + n, 0xff, 100);
	T_EQ(dec(t, comp, (uint32_t)n + 100, out, N_TEXT, IDXD_IAX_DECOMPF_STOP_ON_EOB, 0),
	     IAX_COMP_SUCCESS);
	T_EQ(t_rec.bytes_completed, n);
	T_EQ(t_rec.output_size, N_TEXT);
	free(comp);
	t_unguard(out, N_TEXT);
}

static void test_window(struct t_iaa *t)
{
	uint8_t *in = malloc(12000), *comp = malloc(20000), *out = t_guarded(12000);
	uint64_t s = 1;
	size_t n;

	/* Random bytes, then a copy of their start 8 KiB later: zlib (32 KiB) uses distance 8192. */
	for (int i = 0; i < 8192; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		in[i] = (uint8_t)(s >> 56);
	}
	memcpy(in + 8192, in, 3000);
	n = z_deflate(in, 11192, comp, 20000, 9, 15);
	T_CHECK(n > 0 && n < 9000);
	T_EQ(dec(t, comp, (uint32_t)n, out, 12000, 0, 0), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 17);
	T_EQ(t_rec.output_size, 0);
	/* The same data with a 4 KiB window decodes. */
	n = z_deflate(in, 11192, comp, 20000, 9, 12);
	T_EQ(dec(t, comp, (uint32_t)n, out, 12000, 0, 0), IAX_COMP_SUCCESS);
	T_CHECK(!memcmp(out, in, 11192));
	free(in);
	free(comp);
	t_unguard(out, 12000);
}

static void test_corrupt(struct t_iaa *t, const uint8_t *text)
{
	uint32_t max = 4096;
	uint8_t *out = t_guarded(max);
	struct bw w;

	/* Block type 3. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 3, 2);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 13);
	/* Stored LEN != ~NLEN. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 0, 2), put(&w, 0, 5), put(&w, 16, 16), put(&w, 0, 16);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 14);
	/* HLIT 30 (287 codes), HDIST 31 (32 codes). */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2), put(&w, 30, 5), put(&w, 0, 5), put(&w, 0, 4);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 35);
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2), put(&w, 0, 5), put(&w, 31, 5), put(&w, 0, 4);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 36);
	/* Code-length code over-subscribed: four codes of length 1. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2), put(&w, 0, 5), put(&w, 0, 5), put(&w, 0, 4);
	for (int i = 0; i < 4; i++)
		put(&w, 1, 3);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 8);
	/* First length code is 16 (repeat with nothing before): CL lengths 16:1, 17:1. */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 2, 2), put(&w, 0, 5), put(&w, 0, 5), put(&w, 0, 4);
	put(&w, 1, 3), put(&w, 1, 3), put(&w, 0, 3), put(&w, 0, 3); /* 16, 17, 18, 0 */
	put_code(&w, 0, 1); /* symbol 16 */
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 3);
	/* Fixed block: literal, then distance 2 with one byte out: before the start (18). */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_fixed_lit(&w, 'a'), put_fixed_lit(&w, 257), put_code(&w, 1, 5);
	put_fixed_lit(&w, 256);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 18);
	/* ... distance code 30 (12), literal/length 286 (11). */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_fixed_lit(&w, 'a'), put_fixed_lit(&w, 'b'), put_fixed_lit(&w, 257);
	put_code(&w, 30, 5), put_fixed_lit(&w, 256);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 12);
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_fixed_lit(&w, 'a'), put_fixed_lit(&w, 286), put_fixed_lit(&w, 256);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 11);
	/* A good fixed block decodes (the same writer, so the cases above are what they say). */
	memset(&w, 0, sizeof(w));
	put(&w, 1, 1), put(&w, 1, 2);
	put_fixed_lit(&w, 'a'), put_fixed_lit(&w, 'b'), put_fixed_lit(&w, 257), put_code(&w, 1, 5);
	put_fixed_lit(&w, 256);
	T_EQ(dec_bw(t, &w, out, max), IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, 5);
	T_CHECK(!memcmp(out, "ababa", 5));
	/* Truncated, with check-for-EOB: 15; without, success and the state goes to the AECS. */
	w.n -= 7;
	T_EQ(dec(t, w.b, w.n / 8, out, max, IDXD_IAX_DECOMPF_CHECK_FOR_EOB, 0),
	     IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 15);

	/* Random corruption of a real stream: a defined status, never a write past max_dst. */
	uint8_t *comp = malloc(40000);
	size_t n = z_deflate(text, 30000, comp, 40000, 6, 12);
	uint64_t s = 7;
	int errors = 0;

	for (int i = 0; i < 300; i++) {
		uint8_t *c2 = malloc(n);
		uint8_t st;

		memcpy(c2, comp, n);
		for (int k = 0; k < 1 + i % 4; k++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			c2[(s >> 33) % n] ^= (uint8_t)(1u << ((s >> 20) % 8));
		}
		st = dec(t, c2, (uint32_t)n, out, max, IDXD_IAX_DECOMPF_CHECK_FOR_EOB, 0);
		T_CHECK(st == IAX_COMP_SUCCESS || st == IAX_COMP_ANALYTICS_ERROR ||
			st == IAX_COMP_OUTBUF_OVERFLOW);
		errors += st == IAX_COMP_ANALYTICS_ERROR;
		if (st == IAX_COMP_ANALYTICS_ERROR)
			T_CHECK(t_rec.error_code > 0 && t_rec.error_code <= 36);
		free(c2);
	}
	T_CHECK(errors > 0);
	free(comp);
	t_unguard(out, max);
}

/* Decompress @comp with @max-byte destinations, resubmitting from the AECS on overflow. */
static size_t resume_all(struct t_iaa *t, const uint8_t *comp, size_t n, uint8_t *out, size_t cap,
			 uint32_t max, uint32_t in_step, int *rounds)
{
	size_t in = 0, got = 0;
	uint32_t sel = 0;
	bool first = true;

	memset(daecs, 0, sizeof(daecs));
	*rounds = 0;
	for (;;) {
		uint32_t len = (uint32_t)(n - in < in_step ? n - in : in_step);
		uint32_t room = (uint32_t)(cap - got < max ? cap - got : max);
		uint32_t fl = IDXD_IAX_F_WR_SRC2(IDXD_IAX_WR_SRC2_ALWAYS) |
			      (first ? 0 : IDXD_IAX_F_RD_SRC2(1)) | (sel ? IDXD_IAX_F_AECS_SEL : 0);
		uint8_t st =
			dec(t, comp + in, len, out + got, room,
			    IDXD_IAX_DECOMPF_STOP_ON_EOB | IDXD_IAX_DECOMPF_SEL_BFINAL_EOB, fl);

		(*rounds)++;
		first = false;
		sel ^= 1;
		if (st != IAX_COMP_SUCCESS && st != IAX_COMP_OUTBUF_OVERFLOW) {
			T_EQ(st, IAX_COMP_SUCCESS);
			return got;
		}
		T_CHECK(t_rec.output_size <= room);
		got += t_rec.output_size;
		in += t_rec.bytes_completed;
		if (st == IAX_COMP_SUCCESS && (in == n || t_rec.bytes_completed < len))
			return got;
		if (*rounds > 100000)
			return got;
	}
}

static void test_resume(struct t_iaa *t, const uint8_t *text)
{
	uint8_t *comp = malloc(N_TEXT), *out = malloc(N_TEXT + 64);
	size_t n, got;
	int rounds;
	static const uint32_t sizes[] = { 1, 7, 100, 259, 1000, 4095, 4097, 65536 };
	static const int levels[] = { 0, 1, 6, 9 };

	for (unsigned int l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		n = z_deflate(text, 20000, comp, N_TEXT, levels[l], 12);
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			if (sizes[i] < 100 && levels[l] != 6)
				continue;
			memset(out, 0, 20000);
			got = resume_all(t, comp, n, out, 20000, sizes[i], (uint32_t)n, &rounds);
			T_EQ(got, 20000);
			T_CHECK(!memcmp(out, text, 20000));
			T_CHECK(rounds >= (int)(20000 / sizes[i]));
			/* Input split too: 37-byte steps (headers and symbols cut anywhere). */
			memset(out, 0, 20000);
			got = resume_all(t, comp, n, out, 20000, sizes[i], 37, &rounds);
			T_EQ(got, 20000);
			T_CHECK(!memcmp(out, text, 20000));
		}
	}
	/* The CRC in the last record covers the whole stream (seeded from the AECS). */
	n = z_deflate(text, N_TEXT, comp, N_TEXT, 6, 12);
	got = resume_all(t, comp, n, out, N_TEXT, 3000, 5000, &rounds);
	T_EQ(got, N_TEXT);
	T_CHECK(!memcmp(out, text, N_TEXT));
	T_EQ(t_rec.crc, crc32(0, text, N_TEXT));
	T_EQ(t_rec.xor_csum, ref_xor(text, N_TEXT));
	free(comp);
	free(out);
}

static void test_errors(struct t_iaa *t, const uint8_t *text)
{
	uint8_t *comp = malloc(8192), *out = t_guarded(8192), *hole = t_hole(2);
	size_t n = z_deflate(text, 8192, comp, 8192, 6, 12);
	struct iax_hw_desc d;

	/* An AECS sim did not write. */
	memset(daecs, 0x5a, sizeof(daecs));
	T_EQ(dec(t, comp, (uint32_t)n, out, 8192, 0, IDXD_IAX_F_RD_SRC2(1)),
	     IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 22);
	/* A zeroed one is a fresh stream whose checksums seed from it. */
	memset(daecs, 0, sizeof(daecs));
	daecs[0] = 0x11;
	T_EQ(dec(t, comp, (uint32_t)n, out, 8192, 0, IDXD_IAX_F_RD_SRC2(1)), IAX_COMP_SUCCESS);
	T_EQ(t_rec.crc, crc32(0x11, text, 8192));
	/* AECS too small for sim's state, misaligned. */
	t_decompress_desc(&d, comp, (uint32_t)n, out, 8192, 0, IDXD_IAX_F_RD_SRC2(1));
	d.src2_addr = (uintptr_t)daecs;
	d.src2_size = 0x4e0;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_SIZE);
	d.src2_addr = (uintptr_t)daecs + 16;
	d.src2_size = DAECS_SIZE - 32;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_ADDR_ALIGN);
	d.src2_addr = (uintptr_t)daecs;
	d.src2_size = DAECS_SIZE + 8;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_ADDR_ALIGN);
	/* Decompression not enabled, BE16, indexing: flags sim rejects. */
	t_decompress_desc(&d, comp, (uint32_t)n, out, 8192, 0, 0);
	d.decompr_flags = 0;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_COMP_FLAG);
	T_EQ(dec(t, comp, (uint32_t)n, out, 8192, IDXD_IAX_DECOMPF_BE16, 0),
	     IAX_COMP_INVALID_COMP_FLAG);
	/* Faults: source 0x03, destination 0x83, both without partial completion. */
	T_EQ(dec(t, hole, 100, out, 8192, 0, 0), 0x03);
	T_EQ(t_rec.fault_addr, (uintptr_t)hole);
	T_EQ(dec(t, comp, (uint32_t)n, hole, 8192, 0, 0), 0x83);
	T_EQ(t_rec.fault_addr, (uintptr_t)hole);
	T_EQ(t_rec.bytes_completed, 0);
	T_EQ(t_rec.output_size, 0);
	/* A destination that ends at the guard page, exactly too small: overflow, no crash. */
	T_EQ(dec(t, comp, (uint32_t)n, out + 1, 8191, 0, 0), IAX_COMP_OUTBUF_OVERFLOW);
	T_EQ(t_rec.output_size, 8191);
	T_CHECK(!memcmp(out + 1, text, 8191));
	munmap(hole, 2 * T_PAGE);
	free(comp);
	t_unguard(out, 8192);
}

int main(void)
{
	struct t_iaa t;
	uint8_t *text = t_text(N_TEXT);

	t_iaa_init(&t);
	test_roundtrips(&t, text);
	test_window(&t);
	test_corrupt(&t, text);
	test_resume(&t, text);
	test_errors(&t, text);
	t_iaa_fini(&t);
	free(text);
	return t_done("sim_iaa_decompress");
}
