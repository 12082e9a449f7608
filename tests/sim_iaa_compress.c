// SPDX-License-Identifier: MIT
/*
 * sim IAA COMPRESS: fixed and dynamic AECS (built as iaa_crypto and QPL build them) give raw
 * deflate that zlib inflates back to the input; statistics mode counts exactly the symbols
 * COMPRESS then codes (checked by decoding fixed-code output independently); end processing,
 * flush, multi-descriptor streams through the AECS accumulator, CRC-32 / CRC-32C / XOR against
 * references; overflow (error 25, nothing past max_dst_size), AECS errors (22), missing codes
 * (30), flag and alignment errors, and page faults without partial completion.
 */
#include <errno.h>
#include <zlib.h>

#include "sim_iaa_util.h"

#define N_TEXT (192u * 1024)

static struct iaa_aecs_comp aecs_fixed __attribute__((aligned(64)));
static struct iaa_aecs_comp aecs_two[2] __attribute__((aligned(64)));
static struct iaa_aecs_hist hist __attribute__((aligned(64)));

/* zlib, raw deflate with the full 32 KiB window: the independent decoder. */
static int z_inflate(const uint8_t *in, size_t n, uint8_t *out, size_t max, size_t *got)
{
	z_stream z;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return Z_MEM_ERROR;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)max;
	ret = inflate(&z, Z_FINISH);
	*got = z.total_out;
	inflateEnd(&z);
	return ret;
}

/* Bitwise CRC-32C (Castagnoli, reflected), the IAA convention ~R(~seed). */
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

/* An independent reader of fixed-Huffman deflate: counts symbols until EOB. */
struct bits {
	const uint8_t *p;
	size_t n, pos;
};

static int bit(struct bits *b)
{
	if (b->pos >= 8 * b->n)
		return -1;
	int v = (b->p[b->pos / 8] >> (b->pos % 8)) & 1;
	b->pos++;
	return v;
}

static uint32_t bits_lsb(struct bits *b, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint32_t)bit(b) << i;
	return v;
}

static int count_fixed(const uint8_t *p, size_t n, uint32_t *ll, uint32_t *d, uint64_t *bytes)
{
	static const uint8_t lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
					  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
	static const uint16_t lbase[29] = { 3,	4,  5,	6,   7,	  8,   9,   10,	 11, 13,
					    15, 17, 19, 23,  27,  31,  35,  43,	 51, 59,
					    67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const uint8_t dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
					  6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
	struct bits b = { p, n, 3 }; /* after BFINAL, BTYPE */

	for (;;) {
		uint32_t code = 0;
		int len = 0, sym = -1, ds;

		while (sym < 0 && len < 9) {
			int v = bit(&b);

			if (v < 0)
				return -1;
			code = code << 1 | (uint32_t)v;
			len++;
			if (len == 7 && code <= 0x17)
				sym = 256 + (int)code;
			else if (len == 8 && code >= 0x30 && code <= 0xbf)
				sym = (int)code - 0x30;
			else if (len == 8 && code >= 0xc0 && code <= 0xc7)
				sym = 280 + (int)code - 0xc0;
			else if (len == 9 && code >= 0x190)
				sym = 144 + (int)code - 0x190;
		}
		if (sym < 0)
			return -1;
		ll[sym]++;
		if (sym < 256) {
			(*bytes)++;
			continue;
		}
		if (sym == 256)
			return 0;
		*bytes += lbase[sym - 257] + bits_lsb(&b, lext[sym - 257]);
		for (ds = 0, len = 0; len < 5; len++)
			ds = ds << 1 | bit(&b);
		d[ds]++;
		bits_lsb(&b, dext[ds]);
	}
}

static void test_fixed_aecs_matches_kernel(void)
{
	/* iaa_crypto_comp_fixed.c's table at its boundaries, and its FIXED_HDR | bfinal. */
	memset(&aecs_fixed, 0, sizeof(aecs_fixed));
	T_EQ(iaa_aecs_comp_set_fixed(&aecs_fixed, true), 0);
	T_EQ(aecs_fixed.ll_sym[0], 0x40030);
	T_EQ(aecs_fixed.ll_sym[143], 0x400bf);
	T_EQ(aecs_fixed.ll_sym[144], 0x48190);
	T_EQ(aecs_fixed.ll_sym[255], 0x481ff);
	T_EQ(aecs_fixed.ll_sym[256], 0x38000);
	T_EQ(aecs_fixed.ll_sym[279], 0x38017);
	T_EQ(aecs_fixed.ll_sym[280], 0x400c0);
	T_EQ(aecs_fixed.ll_sym[285], 0x400c5);
	T_EQ(aecs_fixed.d_sym[0], 0x28000);
	T_EQ(aecs_fixed.d_sym[29], 0x2801d);
	T_EQ(aecs_fixed.num_output_accum_bits, 3);
	T_EQ(aecs_fixed.output_accum[0], 0x3);
}

static size_t iaa_comp(struct t_iaa *t, const uint8_t *in, uint32_t n, void *out, uint32_t max,
		       void *aecs, uint16_t cf, uint32_t flags, uint8_t *status)
{
	struct iax_hw_desc d;

	t_compress_desc(&d, in, n, out, max, aecs, cf, flags);
	*status = t_iaa_run(t, &d);
	T_EQ(t_rec.status, *status);
	return t_rec.output_size;
}

static void test_fixed_and_dynamic(struct t_iaa *t, const uint8_t *text)
{
	uint32_t max = N_TEXT + N_TEXT / 8 + 1024;
	uint8_t *out = t_guarded(max), *back = malloc(N_TEXT + 16);
	uint32_t ll[IAA_AECS_LL_SYMS] = { 0 }, d[IAA_AECS_D_SYMS] = { 0 };
	uint64_t sum_ll = 0, sum_len = 0, sum_d = 0, bytes = 0;
	uint16_t cf = IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1);
	size_t fixed_size, dyn_size, got;
	uint8_t st;

	/* Fixed codes, as iaa_crypto's fixed mode: header, symbols, EOB, flush. */
	fixed_size = iaa_comp(t, text, N_TEXT, out, max, &aecs_fixed, cf, 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(t_rec.bytes_completed, N_TEXT);
	T_EQ(t_rec.crc, crc32(0, text, N_TEXT));
	T_EQ(t_rec.xor_csum, ref_xor(text, N_TEXT));
	T_CHECK(t_rec.output_bits < 8);
	T_EQ(z_inflate(out, fixed_size, back, N_TEXT + 16, &got), Z_STREAM_END);
	T_EQ(got, N_TEXT);
	T_CHECK(!memcmp(back, text, N_TEXT));
	T_EQ(count_fixed(out, fixed_size, ll, d, &bytes), 0);
	T_EQ(bytes, N_TEXT);

	/* Statistics mode: the histogram of exactly those symbols (EOB counted with end proc). */
	memset(&hist, 0xa5, sizeof(hist));
	iaa_comp(t, text, N_TEXT, &hist, sizeof(hist), NULL,
		 IDXD_IAX_COMPF_STATS_MODE | IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(t_rec.output_size, sizeof(hist));
	T_EQ(t_rec.crc, crc32(0, text, N_TEXT));
	T_CHECK(!memcmp(hist.ll, ll, sizeof(ll)));
	T_CHECK(!memcmp(hist.d, d, sizeof(d)));
	T_EQ(hist.rsvd0[0] | hist.rsvd0[1] | hist.rsvd1[0] | hist.rsvd1[1], 0);
	for (int s = 0; s < IAA_AECS_LL_SYMS; s++)
		sum_ll += hist.ll[s];
	for (int s = 257; s < IAA_AECS_LL_SYMS; s++)
		sum_len += hist.ll[s];
	for (int s = 0; s < IAA_AECS_D_SYMS; s++)
		sum_d += hist.d[s];
	T_EQ(sum_len, sum_d); /* one distance per length */
	T_EQ(hist.ll[256], 1);
	T_CHECK(sum_ll < N_TEXT / 2); /* text compresses */
	/* The device's window is 4 KiB: no distance symbol beyond 23 (3073..4096). */
	for (int s = 24; s < IAA_AECS_D_SYMS; s++)
		T_EQ(hist.d[s], 0);

	/* Dynamic codes from the histogram (QPL's two-pass): smaller, and zlib agrees. */
	memset(aecs_two, 0, sizeof(aecs_two));
	T_EQ(iaa_aecs_comp_set_dynamic(&aecs_two[0], &hist, true), 0);
	dyn_size = iaa_comp(t, text, N_TEXT, out, max, &aecs_two[0], cf, 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(z_inflate(out, dyn_size, back, N_TEXT + 16, &got), Z_STREAM_END);
	T_EQ(got, N_TEXT);
	T_CHECK(!memcmp(back, text, N_TEXT));
	T_CHECK(dyn_size < fixed_size);
	printf("text %u B: fixed %zu B (%.2fx), dynamic %zu B (%.2fx)\n", N_TEXT, fixed_size,
	       (double)N_TEXT / fixed_size, dyn_size, (double)N_TEXT / dyn_size);

	/* Literals only (Huffman-only coding): still deflate, larger. */
	got = iaa_comp(t, text, 4096, out, max, &aecs_two[0], cf | IDXD_IAX_COMPF_LITERALS_ONLY, 0,
		       &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(z_inflate(out, got, back, N_TEXT, &got), Z_STREAM_END);
	T_EQ(got, 4096);
	T_CHECK(!memcmp(back, text, 4096));

	/* CRC-32C on request (op flag 21), seeded from the AECS. */
	aecs_fixed.crc = 0x12345678;
	aecs_fixed.xor_checksum = 0x5a5a;
	iaa_comp(t, text, N_TEXT, out, max, &aecs_fixed, cf, IDXD_OP_FLAG_CRC_RFC3720, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(t_rec.crc, ref_crc32c(0x12345678, text, N_TEXT));
	T_EQ(t_rec.xor_csum, 0x5a5a ^ ref_xor(text, N_TEXT));
	T_EQ(ref_crc32c(0, (const uint8_t *)"123456789", 9), 0xe3069283);
	aecs_fixed.crc = 0;
	aecs_fixed.xor_checksum = 0;

	t_unguard(out, max);
	free(back);
}

static void test_end_processing(struct t_iaa *t, const uint8_t *text)
{
	uint32_t max = 8192;
	uint8_t *out = t_guarded(max), back[4096 + 16], st;
	struct iaa_aecs_comp *a = &aecs_two[0];
	size_t n, got;
	z_stream z;

	/* Non-final header; EOB then a final empty stored block ends the stream. */
	memset(a, 0, sizeof(*a));
	T_EQ(iaa_aecs_comp_set_fixed(a, false), 0);
	n = iaa_comp(t, text, 4096, out, max, a,
		     IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(3), 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_CHECK(n > 5 && !memcmp(out + n - 4, "\x00\x00\xff\xff", 4));
	T_EQ(out[n - 5] & 0x07, 0); /* stored block header bits end the byte before LEN */
	T_EQ(z_inflate(out, n, back, sizeof(back), &got), Z_STREAM_END);
	T_EQ(got, 4096);
	T_CHECK(!memcmp(back, text, 4096));

	/* Non-final stored block (sync flush): all the data, stream not over. */
	n = iaa_comp(t, text, 4096, out, max, a,
		     IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(2), 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(z_inflate(out, n, back, sizeof(back), &got), Z_BUF_ERROR);
	T_EQ(got, 4096);

	/* No EOB: the symbols only; zlib decodes them and waits for more. */
	n = iaa_comp(t, text, 4096, out, max, a, IDXD_IAX_COMPF_FLUSH_OUTPUT, 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	memset(&z, 0, sizeof(z));
	T_EQ(inflateInit2(&z, -15), Z_OK);
	z.next_in = out;
	z.avail_in = (uInt)n;
	z.next_out = back;
	z.avail_out = sizeof(back);
	T_CHECK(inflate(&z, Z_SYNC_FLUSH) == Z_OK);
	T_EQ(z.total_out, 4096);
	inflateEnd(&z);

	/* Empty input with EOB: header and EOB only (3 + 7 bits -> 2 bytes, 2 valid bits). */
	n = iaa_comp(t, text, 0, out, max, &aecs_fixed,
		     IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	T_EQ(n, 2);
	T_EQ(t_rec.output_bits, 2);
	T_EQ(z_inflate(out, n, back, sizeof(back), &got), Z_STREAM_END);
	T_EQ(got, 0);
	t_unguard(out, max);
}

/* Two descriptors, one block: the first leaves its odd bits and CRC in the AECS it writes. */
static void test_multi_descriptor(struct t_iaa *t, const uint8_t *text)
{
	uint32_t max = 3 * 8192;
	uint8_t *out = t_guarded(max), back[12288], st;
	size_t n1, n2, got;
	struct iax_hw_desc d;

	memset(aecs_two, 0, sizeof(aecs_two));
	T_EQ(iaa_aecs_comp_set_fixed(&aecs_two[0], true), 0);
	aecs_two[0].crc = 0;
	/* Chunk 1: read copy 0, write copy 1 always, no flush, no EOB. */
	t_compress_desc(&d, text, 5000, out, max, aecs_two, 0, IDXD_IAX_F_WR_SRC2(1));
	st = t_iaa_run(t, &d);
	T_EQ(st, IAX_COMP_SUCCESS);
	n1 = t_rec.output_size;
	T_EQ(aecs_two[1].crc, crc32(0, text, 5000));
	T_CHECK(aecs_two[1].num_output_accum_bits < 8);
	T_CHECK(!memcmp(aecs_two[1].ll_sym, aecs_two[0].ll_sym, sizeof(aecs_two[0].ll_sym)));
	/* Chunk 2: the toggle reads copy 1; EOB and flush. */
	t_compress_desc(&d, text + 5000, 7000, out + n1, max - (uint32_t)n1, aecs_two,
			IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1),
			IDXD_IAX_F_AECS_SEL);
	st = t_iaa_run(t, &d);
	T_EQ(st, IAX_COMP_SUCCESS);
	n2 = t_rec.output_size;
	T_EQ(t_rec.crc, crc32(0, text, 12000));
	T_EQ(z_inflate(out, n1 + n2, back, sizeof(back), &got), Z_STREAM_END);
	T_EQ(got, 12000);
	T_CHECK(!memcmp(back, text, 12000));
	t_unguard(out, max);
}

static void test_errors(struct t_iaa *t, const uint8_t *text)
{
	uint32_t max = 1000;
	uint8_t *out = t_guarded(max), st;
	struct iaa_aecs_comp *a = &aecs_two[0];
	struct iax_hw_desc d;
	uint8_t *hole;

	/* Too small a destination: error 25, and nothing written past max_dst_size (guard). */
	iaa_comp(t, text, N_TEXT, out, max, &aecs_fixed,
		 IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 25);
	T_EQ(t_rec.output_size, 0);
	/* Statistics need 1280 bytes. */
	iaa_comp(t, text, 100, out, max, NULL, IDXD_IAX_COMPF_STATS_MODE, 0, &st);
	T_EQ(st, IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 25);

	/* A code that cannot be: 16 bits long, or wider than its length: AECS error 22. */
	*a = aecs_fixed;
	a->ll_sym['e'] = IAA_AECS_CODE(16, 1);
	iaa_comp(t, text, 100, out, max, a, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 22);
	*a = aecs_fixed;
	a->d_sym[3] = IAA_AECS_CODE(2, 4);
	iaa_comp(t, text, 100, out, max, a, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(t_rec.error_code, 22);
	*a = aecs_fixed;
	a->num_output_accum_bits = 2049;
	iaa_comp(t, text, 100, out, max, a, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(t_rec.error_code, 22);
	/* A symbol without a code, used: 30; unused, fine. */
	*a = aecs_fixed;
	a->ll_sym['e'] = 0;
	iaa_comp(t, text, 100, out, max, a, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_ANALYTICS_ERROR);
	T_EQ(t_rec.error_code, 30);
	a->ll_sym['e'] = aecs_fixed.ll_sym['e'];
	a->ll_sym[0] = 0;
	iaa_comp(t, text, 100, out, max, a, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, IAX_COMP_SUCCESS);
	/* No AECS at all: no codes. */
	iaa_comp(t, text, 100, out, max, NULL, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(t_rec.error_code, 30);

	/* Flags sim does not model, AECS alignment and size, overlap. */
	iaa_comp(t, text, 100, out, max, &aecs_fixed, IDXD_IAX_COMPF_BE16, 0, &st);
	T_EQ(st, IAX_COMP_INVALID_COMP_FLAG);
	t_compress_desc(&d, text, 100, out, max, (uint8_t *)&aecs_fixed + 16, 0, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_ADDR_ALIGN);
	T_EQ(t_rec.status, IAX_COMP_ADDR_ALIGN);
	t_compress_desc(&d, text, 100, out, max, &aecs_fixed, 0, 0);
	d.src2_size = 0x600;
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_SIZE);
	t_compress_desc(&d, text, 100, out, max, &aecs_fixed, 0, IDXD_IAX_F_RD_SRC2(2));
	T_EQ(t_iaa_run(t, &d), IAX_COMP_INVALID_FLAGS);
	T_EQ(t_rec.invalid_flags, IDXD_IAX_F_RD_SRC2(3));
	t_compress_desc(&d, out, 100, out + 50, max - 50, &aecs_fixed, 0, 0);
	T_EQ(t_iaa_run(t, &d), IAX_COMP_OVERLAP_BUFFERS);

	/* Page faults: a read fault is 0x03, a write fault 0x83; no partial completion. */
	hole = t_hole(1);
	iaa_comp(t, hole, 100, out, max, &aecs_fixed, IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, 0x03);
	T_EQ(t_rec.fault_addr, (uintptr_t)hole);
	T_EQ(t_rec.bytes_completed, 0);
	T_EQ(t_rec.output_size, 0);
	iaa_comp(t, text, 100, hole, max, &aecs_fixed,
		 IDXD_IAX_COMPF_FLUSH_OUTPUT | IDXD_IAX_COMPF_END_PROC(1), 0, &st);
	T_EQ(st, 0x83);
	T_EQ(t_rec.fault_addr, (uintptr_t)hole);
	t_compress_desc(&d, text, 100, out, max, hole, 0, 0);
	d.src2_size = IDXD_IAX_AECS_COMP_SIZE;
	T_EQ(t_iaa_run(t, &d), 0x03);
	munmap(hole, T_PAGE);
	t_unguard(out, max);
}

int main(void)
{
	struct t_iaa t;
	uint8_t *text = t_text(N_TEXT);

	t_iaa_init(&t);
	test_fixed_aecs_matches_kernel();
	test_fixed_and_dynamic(&t, text);
	test_end_processing(&t, text);
	test_multi_descriptor(&t, text);
	test_errors(&t, text);
	t_iaa_fini(&t);
	free(text);
	return t_done("sim_iaa_compress");
}
