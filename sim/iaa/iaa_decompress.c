// SPDX-License-Identifier: MIT
/*
 * IAA DECOMPRESS: any deflate stream whose distances fit the device's 4 KiB history, decoded
 * into the destination up to max_dst_size, resumable across descriptors through the AECS.
 *
 * Division of labour. Block headers are parsed here (so every malformed header gets the
 * analytics error code the device reports, and the raw header bits are at hand to be kept in
 * the AECS); Huffman block bodies are decoded by ISA-L. ISA-L builds its decode tables from the
 * raw header bits (a stateful isal_inflate() over the header, the block's EOB and an empty final
 * stored block, with hist_bits = 12 so that distance codes beyond 4 KiB do not decode), then
 * decode_huffman_code_block_stateless() -- the body decoder isal_inflate() itself calls,
 * exported by libisal -- runs the body with the real input, BFINAL forced so it stops at this
 * block's EOB. Stored blocks are copied here.
 *
 * Output is decoded into a staging buffer that starts with the stream's last (up to) 4 KiB, so
 * ISA-L's "lookback before the buffer" check is exactly the device's reference-before-start
 * (error 18), and flushed to the destination segment by segment.
 *
 * Resuming. On OUTBUF_OVERFLOW (and at the end of the input) the state goes to the AECS in
 * sim's own layout (struct iaa_daecs): history, the current block's raw header or stored
 * length, the input bits taken but not decoded, and output decoded but not yet written (the
 * rest of a match that did not fit). bytes_completed counts every input byte taken, so the next
 * descriptor starts at src + bytes_completed with that AECS.
 *
 * Body errors (ISA-L says only "invalid symbol" or "invalid lookback") are classified by
 * re-decoding the failing stretch with a slow canonical decoder: undecodable literal/length code
 * 11, undecodable or invalid distance code 12, distance beyond 4 KiB 17, before the stream 18.
 */
#include <string.h>

#include <isa-l/igzip_lib.h>

#include "sim/iaa/iaa_priv.h"

/* libisal's body decoder: exported, but not in igzip_lib.h. */
int decode_huffman_code_block_stateless(struct inflate_state *state, uint8_t *start_out);

#define D_OUT_END (IAA_HIST + IAA_DOUT_SEG)
#define D_MAX_LL 288
#define D_MAX_D 32
#define D_HDR_MAX_BITS (8 * (IAA_HDR_MAX_BYTES - 1))

enum d_res {
	D_OK = 0,
	D_NEED_INPUT, /* the stream ran out (mid-block or mid-header) */
	D_FULL, /* the destination is full and more output is due */
	D_ERR, /* c->status / c->err set */
};

/* Where an ISA-L call started, to re-decode it when it fails. */
struct d_ckpt {
	uint64_t read_in;
	int32_t read_in_length;
	uint32_t ipos;
	uint32_t opos;
};

struct dcmp {
	struct iaa_job *job;
	struct iaa_state *st;
	struct iaa_daecs *s;
	struct inflate_state *inf;
	bool suppress;
	uint8_t status; /* a fault */
	uint8_t err; /* an analytics error */
	/* The bit stream: pre (a saved partial header), acc (saved bits), then the source. */
	const uint8_t *pre;
	uint32_t pre_pos, pre_left;
	bool pre_only; /* parsing a saved header: nothing but pre */
	uint64_t acc;
	uint32_t acc_left;
	uint8_t *ib;
	uint32_t ipos, ilen;
	uint64_t staged, src_full; /* source bytes staged / whole valid source bytes */
	uint32_t tail_n; /* valid bits of the last, partly ignored, source byte */
	bool tail_taken;
	uint64_t bb; /* bits taken from the stream, not consumed; first in bit 0 */
	uint32_t nb;
	uint64_t consumed; /* stream bits consumed this descriptor (pre and acc included) */
	uint32_t start_bits; /* pre + acc bits at the start: the source begins byte-aligned after */
	/* The header being parsed, bit for bit. */
	bool recording;
	uint32_t hrec_bits;
	uint8_t hrec[IAA_HDR_MAX_BYTES];
	/* The current Huffman block's code lengths (for classifying errors). */
	uint8_t lens[D_MAX_LL + D_MAX_D];
	uint32_t nlit, ndist;
	bool fixed;
	/* Output staging: ob[0, ostart) history, [ostart, opos) output not yet written. */
	uint8_t *ob;
	uint32_t ostart, opos;
	uint64_t written; /* output bytes written to the destination */
	uint64_t out_total; /* output bytes of this descriptor */
	uint64_t out_max; /* what the destination takes */
	struct d_ckpt ck;
	bool block_done; /* the current block just ended */
	uint8_t prebuf[IAA_HDR_MAX_BYTES + 1];
};

static inline uint64_t d_mask(uint32_t n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static int d_refill(struct dcmp *c)
{
	struct iaa_job *job = c->job;
	uint64_t n = c->src_full - c->staged;
	uint32_t keep = c->ilen - c->ipos;

	if (!n)
		return 0;
	/* Callers refill when the staging is used up; a few bytes left are moved along. */
	if (keep > 64) {
		c->status = IAX_COMP_HW_ERR1;
		return -1;
	}
	memmove(c->ib, c->ib + c->ipos, keep);
	if (n > IAA_DIN_CHUNK)
		n = IAA_DIN_CHUNK;
	if (sim_dma_read(job->x->dma, c->ib + keep, job->src1 + c->staged, n, NULL)) {
		c->status = iaa_fault(job);
		return -1;
	}
	c->staged += n;
	c->ipos = 0;
	c->ilen = keep + (uint32_t)n;
	return 1;
}

/* The last source byte, of which ignore_end_bits are not part of the stream. */
static int d_tail(struct dcmp *c, uint8_t *v)
{
	struct iaa_job *job = c->job;

	if (!c->tail_n || c->tail_taken)
		return 0;
	if (sim_dma_read(job->x->dma, v, job->src1 + c->src_full, 1, NULL)) {
		c->status = iaa_fault(job);
		return -1;
	}
	*v &= (uint8_t)d_mask(c->tail_n);
	c->tail_taken = true;
	return 1;
}

/* Take up to 8 more bits into bb. 1: got some, 0: the stream ended, -1: fault. */
static int d_pull(struct dcmp *c)
{
	uint64_t v;
	uint32_t k;
	uint8_t t;
	int r;

	if (c->pre_left) {
		uint32_t p = c->pre_pos;

		k = c->pre_left < 8 ? c->pre_left : 8;
		v = ((uint32_t)c->pre[p / 8] | (uint32_t)c->pre[p / 8 + 1] << 8) >> (p % 8);
		c->pre_pos += k;
		c->pre_left -= k;
	} else if (c->pre_only) {
		return 0;
	} else if (c->acc_left) {
		k = c->acc_left < 8 ? c->acc_left : 8;
		v = c->acc;
		c->acc >>= k;
		c->acc_left -= k;
	} else if (c->ipos < c->ilen) {
		k = 8;
		v = c->ib[c->ipos++];
	} else {
		r = d_refill(c);
		if (r)
			return r > 0 ? d_pull(c) : r;
		r = d_tail(c, &t);
		if (r <= 0)
			return r;
		k = c->tail_n;
		v = t;
	}
	c->bb |= (v & d_mask(k)) << c->nb;
	c->nb += k;
	return 1;
}

/* Make @n (<= 32) bits available. */
static int d_need(struct dcmp *c, uint32_t n)
{
	while (c->nb < n) {
		int r = d_pull(c);

		if (r <= 0)
			return r;
	}
	return 1;
}

static uint32_t d_take(struct dcmp *c, uint32_t n)
{
	uint32_t v = (uint32_t)(c->bb & d_mask(n));

	c->bb = n >= 64 ? 0 : c->bb >> n;
	c->nb -= n;
	c->consumed += n;
	if (c->recording) {
		for (uint32_t i = 0; i < n && c->hrec_bits < D_HDR_MAX_BITS; i++) {
			uint8_t *p = &c->hrec[c->hrec_bits / 8];
			uint32_t b = c->hrec_bits % 8;

			*p = (uint8_t)((*p & ~(1u << b)) | (((v >> i) & 1) << b));
			c->hrec_bits++;
		}
	}
	return v;
}

/* Bits from the stream's next bit to the next byte boundary of the source. */
static uint32_t d_align_bits(const struct dcmp *c)
{
	return (uint32_t)((8 - ((c->consumed - c->start_bits) & 7)) & 7);
}

/* ---- Header parsing ---- */

#define D_GET(c, var, n)                                      \
	do {                                                  \
		int r_ = d_need(c, n);                        \
		if (r_ <= 0)                                  \
			return r_ < 0 ? D_ERR : D_NEED_INPUT; \
		(var) = d_take(c, n);                         \
	} while (0)

/* Code lengths -> count per length; -1 over-subscribed, 0 fine (incomplete codes too). */
static int d_counts(const uint8_t *len, uint32_t n, uint16_t count[16])
{
	int left = 1;

	memset(count, 0, 16 * sizeof(count[0]));
	for (uint32_t i = 0; i < n; i++)
		count[len[i]]++;
	for (int l = 1; l < 16; l++) {
		left = left * 2 - count[l];
		if (left < 0)
			return -1;
	}
	return 0;
}

/* The code-length code: a 7-bit lookup table (length 0 = no code starts with those bits). */
struct d_cltab {
	uint8_t sym[128];
	uint8_t len[128];
};

static void d_cl_build(struct d_cltab *t, const uint8_t cl[19], const uint16_t count[16])
{
	uint32_t next[8], code = 0;

	memset(t, 0, sizeof(*t));
	for (uint32_t l = 1; l < 8; l++) {
		next[l] = code;
		code = (code + count[l]) << 1;
	}
	for (uint32_t sym = 0; sym < 19; sym++) {
		uint32_t l = cl[sym], rev = 0, v;

		if (!l)
			continue;
		v = next[l]++;
		for (uint32_t i = 0; i < l; i++)
			rev |= ((v >> i) & 1) << (l - 1 - i);
		for (uint32_t i = rev; i < 128; i += 1u << l) {
			t->sym[i] = (uint8_t)sym;
			t->len[i] = (uint8_t)l;
		}
	}
}

/* One code-length symbol: >= 0, or -1 no such code, -2 out of input, -3 fault. */
static int d_cl_sym(struct dcmp *c, const struct d_cltab *t)
{
	uint32_t avail, idx;
	int r = d_need(c, 7);

	if (r < 0)
		return -3;
	avail = c->nb < 7 ? c->nb : 7;
	idx = (uint32_t)(c->bb & d_mask(avail));
	if (!t->len[idx])
		return avail < 7 ? -2 : -1;
	if (t->len[idx] > avail)
		return -2;
	d_take(c, t->len[idx]);
	return t->sym[idx];
}

static int d_dynamic(struct dcmp *c)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
					   11, 4,  12, 3, 13, 2, 14, 1, 15 };
	uint8_t cl[19] = { 0 };
	uint16_t count[16];
	struct d_cltab clt;
	uint32_t hlit, hdist, hclen, i = 0, total;

	D_GET(c, hlit, 5);
	D_GET(c, hdist, 5);
	D_GET(c, hclen, 4);
	if (hlit > 29)
		return c->err = IAA_AE_TOO_MANY_LL_CODES, D_ERR;
	if (hdist > 29)
		return c->err = IAA_AE_TOO_MANY_D_CODES, D_ERR;
	c->nlit = hlit + 257;
	c->ndist = hdist + 1;
	total = c->nlit + c->ndist;
	for (uint32_t k = 0; k < hclen + 4; k++) {
		uint32_t v;

		D_GET(c, v, 3);
		cl[order[k]] = (uint8_t)v;
	}
	if (d_counts(cl, 19, count))
		return c->err = IAA_AE_BAD_CL_CODE_LEN, D_ERR;
	if (count[0] == 19)
		return c->err = IAA_AE_UNDEF_CL_CODE, D_ERR;
	d_cl_build(&clt, cl, count);
	memset(c->lens, 0, sizeof(c->lens));
	while (i < total) {
		int sym = d_cl_sym(c, &clt);
		uint32_t rep, v, val = 0;

		if (sym == -3)
			return D_ERR;
		if (sym == -2)
			return D_NEED_INPUT;
		if (sym < 0)
			return c->err = IAA_AE_UNDEF_CL_CODE, D_ERR;
		if (sym < 16) {
			c->lens[i < c->nlit ? i : D_MAX_LL + i - c->nlit] = (uint8_t)sym;
			i++;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return c->err = IAA_AE_FIRST_LL_CODE_16, D_ERR;
			val = c->lens[i - 1 < c->nlit ? i - 1 : D_MAX_LL + i - 1 - c->nlit];
			D_GET(c, v, 2);
			rep = 3 + v;
		} else if (sym == 17) {
			D_GET(c, v, 3);
			rep = 3 + v;
		} else {
			D_GET(c, v, 7);
			rep = 11 + v;
		}
		/* Repeats may cross from the literal/length lengths into the distance ones. */
		if (i + rep > total)
			return c->err = i < c->nlit ? IAA_AE_WRONG_NUM_LL_CODES :
						      IAA_AE_WRONG_NUM_D_CODES,
			       D_ERR;
		for (; rep; rep--, i++)
			c->lens[i < c->nlit ? i : D_MAX_LL + i - c->nlit] = (uint8_t)val;
	}
	if (d_counts(c->lens, c->nlit, count))
		return c->err = IAA_AE_BAD_LL_CODE_LEN, D_ERR;
	if (count[0] == c->nlit)
		return c->err = IAA_AE_NO_LL_CODE, D_ERR;
	if (!c->lens[IAA_AECS_EOB])
		return c->err = IAA_AE_BAD_LL_CODE_LEN, D_ERR;
	if (d_counts(c->lens + D_MAX_LL, c->ndist, count))
		return c->err = IAA_AE_BAD_D_CODE_LEN, D_ERR;
	return D_OK;
}

static void d_fixed_lens(struct dcmp *c)
{
	uint32_t s;

	for (s = 0; s < 288; s++)
		c->lens[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
	for (s = 0; s < D_MAX_D; s++)
		c->lens[D_MAX_LL + s] = 5;
	c->nlit = 288;
	c->ndist = 32;
}

/* Parse a block header at the stream's position: D_OK with s->blk set, or why not. */
static int d_header(struct dcmp *c)
{
	struct iaa_daecs *s = c->s;
	uint32_t bfinal, btype, len, nlen, skip;
	int ret;

	c->recording = true;
	c->hrec_bits = 0;
	memset(c->hrec, 0, sizeof(c->hrec));
	D_GET(c, bfinal, 1);
	D_GET(c, btype, 2);
	c->fixed = false;
	switch (btype) {
	case 0:
		skip = d_align_bits(c);
		if (skip)
			D_GET(c, len, skip);
		D_GET(c, len, 16);
		D_GET(c, nlen, 16);
		if (len != (~nlen & 0xffff))
			return c->err = IAA_AE_INVALID_STORED_LEN, D_ERR;
		s->blk = IAA_DBLK_STORED;
		s->stored_rem = len;
		break;
	case 1:
		d_fixed_lens(c);
		c->fixed = true;
		s->blk = IAA_DBLK_HUFF;
		break;
	case 2:
		ret = d_dynamic(c);
		if (ret != D_OK)
			return ret;
		s->blk = IAA_DBLK_HUFF;
		break;
	default:
		return c->err = IAA_AE_INVALID_BLOCK_TYPE, D_ERR;
	}
	if (c->hrec_bits >= D_HDR_MAX_BITS)
		return c->err = IAA_AE_BIGHDR, D_ERR;
	c->recording = false;
	s->bfinal = (uint8_t)bfinal;
	s->last_eob = 0;
	if (s->blk == IAA_DBLK_HUFF) {
		memcpy(s->hdr, c->hrec, sizeof(s->hdr));
		s->hdr_bits = (uint16_t)c->hrec_bits;
	} else {
		s->hdr_bits = 0;
	}
	return D_OK;
}

/* The code lengths of a Huffman block resumed from the AECS: re-parse its saved header. */
static int d_reparse(struct dcmp *c)
{
	struct iaa_daecs *s = c->s;
	struct dcmp save = *c;
	uint32_t bfinal, btype;
	int ret;

	c->pre = s->hdr;
	c->pre_pos = 0;
	c->pre_left = s->hdr_bits;
	c->pre_only = true;
	c->bb = 0;
	c->nb = 0;
	c->fixed = false;
	ret = D_NEED_INPUT;
	if (d_need(c, 3) > 0) {
		bfinal = d_take(c, 1);
		btype = d_take(c, 2);
		if (btype == 1) {
			d_fixed_lens(c);
			c->fixed = true;
			ret = bfinal == s->bfinal ? D_OK : D_ERR;
		} else if (btype == 2) {
			ret = d_dynamic(c);
			if (ret == D_OK && (bfinal != s->bfinal || c->pre_left))
				ret = D_ERR;
		} else {
			ret = D_ERR;
		}
	}
	memcpy(save.lens, c->lens, sizeof(c->lens));
	save.nlit = c->nlit;
	save.ndist = c->ndist;
	save.fixed = c->fixed;
	*c = save;
	return ret;
}

/* ---- Output ---- */

static bool d_flush(struct dcmp *c)
{
	struct iaa_job *job = c->job;
	uint32_t n = c->opos - c->ostart, keep;

	if (n) {
		if (!c->suppress &&
		    sim_dma_write(job->x->dma, job->dst + c->written, c->ob + c->ostart, n, NULL)) {
			c->status = iaa_fault(job);
			return false;
		}
		iaa_csum(job, c->ob + c->ostart, n);
		c->written += n;
	}
	/* Keep the stream's last 4 KiB in front for the next segment. */
	keep = c->opos < IAA_HIST ? c->opos : IAA_HIST;
	memmove(c->ob, c->ob + c->opos - keep, keep);
	c->ostart = c->opos = keep;
	return true;
}

static uint64_t d_room(const struct dcmp *c)
{
	return c->out_max - c->out_total;
}

/* Emit @n bytes already placed at ob + opos. */
static void d_emit(struct dcmp *c, uint32_t n)
{
	c->opos += n;
	c->out_total += n;
}

/* Write the pending bytes of a previous descriptor (or of this one's last ISA-L call). */
static int d_pending(struct dcmp *c)
{
	struct iaa_daecs *s = c->s;
	uint32_t n = s->pend_len;

	if (!n)
		return D_OK;
	if (c->opos + n > D_OUT_END && !d_flush(c))
		return D_ERR;
	if (d_room(c) < n)
		n = (uint32_t)d_room(c);
	memcpy(c->ob + c->opos, s->pend, n);
	d_emit(c, n);
	memmove(s->pend, s->pend + n, s->pend_len - n);
	s->pend_len = (uint16_t)(s->pend_len - n);
	return s->pend_len ? D_FULL : D_OK;
}

/* ---- Stored blocks ---- */

static int d_stored(struct dcmp *c)
{
	struct iaa_daecs *s = c->s;

	while (s->stored_rem) {
		uint64_t n;
		int r;

		if (!d_room(c))
			return D_FULL;
		if (c->opos == D_OUT_END && !d_flush(c))
			return D_ERR;
		if (c->nb || c->pre_left || c->acc_left || c->ipos == c->ilen) {
			r = d_need(c, 8);
			if (r < 0)
				return D_ERR;
			if (!r)
				return D_NEED_INPUT;
			c->ob[c->opos] = (uint8_t)d_take(c, 8);
			d_emit(c, 1);
			s->stored_rem--;
			continue;
		}
		n = s->stored_rem;
		if (n > d_room(c))
			n = d_room(c);
		if (n > D_OUT_END - c->opos)
			n = D_OUT_END - c->opos;
		if (n > c->ilen - c->ipos)
			n = c->ilen - c->ipos;
		memcpy(c->ob + c->opos, c->ib + c->ipos, n);
		c->ipos += (uint32_t)n;
		c->consumed += 8 * n;
		d_emit(c, (uint32_t)n);
		s->stored_rem -= (uint32_t)n;
	}
	return D_OK;
}

/* ---- Huffman blocks: ISA-L ---- */

static void d_put_bits(uint8_t *buf, uint32_t *at, uint32_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, (*at)++)
		buf[*at / 8] |= (uint8_t)(((v >> i) & 1) << (*at % 8));
}

/* The canonical code of literal/length symbol @sym, most significant bit first. */
static uint32_t d_code_of(const uint8_t *len, uint32_t n, uint32_t sym)
{
	uint16_t count[16];
	uint32_t next[16], code = 0;

	d_counts(len, n, count);
	count[0] = 0;
	for (uint32_t l = 1; l < 16; l++) {
		code = (code + count[l - 1]) << 1;
		next[l] = code;
	}
	for (uint32_t s = 0; s < sym; s++)
		if (len[s])
			next[len[s]]++;
	return next[len[sym]];
}

/*
 * Build ISA-L's decode tables from the block's raw header bits. ISA-L reads a stream made of
 * that header (BFINAL cleared: for a short final block ISA-L would pick slower single-symbol
 * tables), the block's EOB and an empty final stored block, so its verdict is unambiguous: the
 * stream ends (tables built) or the header is refused.
 */
static int d_isal_tables(struct dcmp *c)
{
	struct inflate_state *inf = c->inf;
	struct iaa_daecs *s = c->s;
	uint8_t hdr[IAA_HDR_MAX_BYTES + 16];
	uint32_t n = s->hdr_bits, eob_len = c->lens[IAA_AECS_EOB], eob, at;
	uint8_t dummy;
	int ret;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, s->hdr, (n + 7) / 8);
	if (n % 8)
		hdr[n / 8] &= (uint8_t)d_mask(n % 8);
	hdr[0] &= (uint8_t)~1u;
	at = n;
	eob = d_code_of(c->lens, c->nlit, IAA_AECS_EOB);
	for (uint32_t i = eob_len; i--;)
		d_put_bits(hdr, &at, (eob >> i) & 1, 1);
	d_put_bits(hdr, &at, 1, 3); /* BFINAL, stored */
	at = (at + 7) & ~7u;
	d_put_bits(hdr, &at, 0xffff0000u, 32);
	isal_inflate_init(inf);
	inf->hist_bits = 12;
	inf->next_in = hdr;
	inf->avail_in = at / 8;
	inf->next_out = &dummy;
	inf->avail_out = 0;
	ret = isal_inflate(inf);
	if (ret || inf->block_state != ISAL_BLOCK_FINISH) {
		/* The header passed our checks but not ISA-L's. */
		c->err = IAA_AE_BAD_LL_CODE_LEN;
		return D_ERR;
	}
	return D_OK;
}

/* Hand the stream's buffered bits to ISA-L (nothing may remain in pre). */
static void d_to_isal(struct dcmp *c)
{
	struct inflate_state *inf = c->inf;
	uint64_t in = c->bb;
	uint32_t n = c->nb;

	if (c->acc_left) {
		in |= n < 64 ? c->acc << n : 0;
		n += c->acc_left;
		c->acc = 0;
		c->acc_left = 0;
	}
	inf->read_in = in & d_mask(n);
	inf->read_in_length = (int32_t)n;
	c->bb = 0;
	c->nb = 0;
}

static void d_from_isal(struct dcmp *c)
{
	struct inflate_state *inf = c->inf;

	c->nb = (uint32_t)inf->read_in_length;
	c->bb = inf->read_in & d_mask(c->nb);
	inf->read_in = 0;
	inf->read_in_length = 0;
}

/* The output ISA-L decoded but could not store: literals, then the rest of a match. */
static uint32_t d_isal_pending(struct dcmp *c)
{
	struct inflate_state *inf = c->inf;
	uint32_t nl = (uint32_t)inf->write_overflow_len, len = (uint32_t)inf->copy_overflow_length;
	uint32_t dist = (uint32_t)inf->copy_overflow_distance,
		 lits = (uint32_t)inf->write_overflow_lits;
	uint8_t *p = c->ob + c->opos;

	for (uint32_t i = 0; i < nl; i++)
		p[i] = (uint8_t)(lits >> (8 * i));
	p += nl;
	for (uint32_t i = 0; i < len; i++)
		p[i] = *(p + i - dist);
	inf->write_overflow_len = 0;
	inf->write_overflow_lits = 0;
	inf->copy_overflow_length = 0;
	inf->copy_overflow_distance = 0;
	return nl + len;
}

static uint8_t d_classify(struct dcmp *c, int isal_ret);

static int d_huff(struct dcmp *c)
{
	struct inflate_state *inf = c->inf;
	struct iaa_daecs *s = c->s;
	int ret;

	ret = d_isal_tables(c);
	if (ret != D_OK)
		return ret;
	inf->block_state = ISAL_BLOCK_CODED;
	inf->bfinal = 1; /* stop at this block's EOB */
	d_to_isal(c);
	for (;;) {
		uint64_t room = d_room(c), before, used;
		uint32_t space, pend, made;
		bool progress;
		uint8_t t;
		int r;

		/* ISA-L's pending bytes can end past D_OUT_END (in the slack): flush then too. */
		if (c->opos >= D_OUT_END) {
			if (!d_flush(c))
				return D_ERR;
		}
		space = D_OUT_END - c->opos;
		c->ck.read_in = inf->read_in;
		c->ck.read_in_length = inf->read_in_length;
		c->ck.ipos = c->ipos;
		c->ck.opos = c->opos;
		inf->next_in = c->ib + c->ipos;
		inf->avail_in = c->ilen - c->ipos;
		inf->next_out = c->ob + c->opos;
		inf->avail_out = room < space ? (uint32_t)room : space;
		inf->total_out = 0;
		inf->write_overflow_len = 0;
		inf->write_overflow_lits = 0;
		before = (uint64_t)inf->read_in_length + 8ull * inf->avail_in;
		ret = decode_huffman_code_block_stateless(inf, c->ob);
		used = before - ((uint64_t)inf->read_in_length + 8ull * inf->avail_in);
		made = (uint32_t)(inf->next_out - (c->ob + c->opos));
		progress = used || made;
		c->consumed += used;
		c->ipos = (uint32_t)(inf->next_in - c->ib);
		d_emit(c, made);

		switch (ret) {
		case 0:
			/* EOB: the forced BFINAL made it INPUT_DONE. */
			d_from_isal(c);
			c->block_done = true;
			return D_OK;
		case ISAL_END_INPUT:
			if (c->ipos < c->ilen) {
				/* ISA-L leaves nothing behind when it asks for more input. */
				if (progress)
					continue;
				c->status = IAX_COMP_HW_ERR1;
				return D_ERR;
			}
			r = d_refill(c);
			if (r < 0)
				return D_ERR;
			if (r)
				continue;
			r = d_tail(c, &t);
			if (r < 0)
				return D_ERR;
			if (r) {
				inf->read_in |= (uint64_t)t << inf->read_in_length;
				inf->read_in_length += (int32_t)c->tail_n;
				continue;
			}
			d_from_isal(c);
			return D_NEED_INPUT;
		case ISAL_OUT_OVERFLOW:
			pend = d_isal_pending(c);
			room = d_room(c);
			if (pend > room) {
				/* What fits is written; the rest waits in the AECS. */
				d_emit(c, (uint32_t)room);
				memcpy(s->pend, c->ob + c->opos, pend - room);
				s->pend_len = (uint16_t)(pend - room);
			} else {
				d_emit(c, pend);
			}
			if (inf->block_state == ISAL_BLOCK_INPUT_DONE) {
				/* The EOB came with the literals that did not fit. */
				d_from_isal(c);
				c->block_done = true;
				return s->pend_len ? D_FULL : D_OK;
			}
			if (s->pend_len || (!pend && !d_room(c))) {
				d_from_isal(c);
				return D_FULL;
			}
			if (!pend && !progress && D_OUT_END - c->opos) {
				/* ISA-L stopped without a reason we know: do not spin. */
				c->status = IAX_COMP_HW_ERR1;
				return D_ERR;
			}
			continue;
		default:
			c->err = d_classify(c, ret);
			return D_ERR;
		}
	}
}

/* ---- Classifying body errors ---- */

struct d_slow {
	uint64_t pre; /* the checkpoint's buffered bits, served first */
	uint32_t pre_n;
	uint64_t bb;
	uint32_t nb;
	const uint8_t *in;
	uint32_t left;
};

static int d_slow_bit(struct d_slow *r)
{
	int b;

	if (!r->nb) {
		if (r->pre_n) {
			r->nb = r->pre_n < 8 ? r->pre_n : 8;
			r->bb = r->pre & d_mask(r->nb);
			r->pre >>= r->nb;
			r->pre_n -= r->nb;
		} else if (r->left) {
			r->bb = *r->in++;
			r->left--;
			r->nb = 8;
		} else {
			return -1;
		}
	}
	b = (int)(r->bb & 1);
	r->bb >>= 1;
	r->nb--;
	return b;
}

static int d_slow_bits(struct d_slow *r, uint32_t n, uint32_t *v)
{
	*v = 0;
	for (uint32_t i = 0; i < n; i++) {
		int b = d_slow_bit(r);

		if (b < 0)
			return -1;
		*v |= (uint32_t)b << i;
	}
	return 0;
}

static int d_slow_decode(struct d_slow *r, const uint8_t *len, uint32_t n, const uint16_t count[16])
{
	int code = 0, first = 0;

	for (int l = 1; l < 16; l++) {
		int b = d_slow_bit(r), cnt = count[l];

		if (b < 0)
			return -2;
		code |= b;
		if (code - first < cnt) {
			int want = code - first;

			for (uint32_t s = 0; s < n; s++)
				if (len[s] == l && !want--)
					return (int)s;
		}
		first = (first + cnt) << 1;
		code <<= 1;
	}
	return -1;
}

/*
 * Re-decode the failed ISA-L call from its start, slowly, to name the error. The bits in the
 * checkpoint's read_in come first (up to 64 of them), then the staged input.
 */
static uint8_t d_classify(struct dcmp *c, int isal_ret)
{
	const uint8_t *llen = c->lens, *dlen = c->lens + D_MAX_LL;
	uint16_t lcount[16], dcount[16];
	struct d_slow r = { 0 };
	uint64_t pos = c->ck.opos; /* bytes before this point in ob: the lookback available */

	d_counts(llen, c->nlit, lcount);
	d_counts(dlen, c->ndist, dcount);
	r.pre = (uint64_t)c->ck.read_in;
	r.pre_n = (uint32_t)c->ck.read_in_length;
	r.in = c->ib + c->ck.ipos;
	r.left = c->ilen - c->ck.ipos;
	for (;;) {
		int sym, dsym;
		uint32_t len, dist, v;

		sym = d_slow_decode(&r, llen, c->nlit, lcount);
		if (sym == -2)
			break;
		if (sym < 0)
			return IAA_AE_BAD_LL_CODE;
		if (sym < 256) {
			pos++;
			continue;
		}
		if (sym == 256)
			break;
		if (sym > 285)
			return IAA_AE_BAD_LL_CODE;
		if (d_slow_bits(&r, iaa_len_extra[sym - 257], &v))
			break;
		len = iaa_len_base[sym - 257] + v;
		dsym = d_slow_decode(&r, dlen, c->ndist, dcount);
		if (dsym == -2)
			break;
		if (dsym < 0 || dsym > 29)
			return IAA_AE_BAD_D_CODE;
		if (d_slow_bits(&r, iaa_dist_extra[dsym], &v))
			break;
		dist = iaa_dist_base[dsym] + v;
		if (dist > IAA_HIST)
			return IAA_AE_BAD_DIST;
		if (dist > pos)
			return IAA_AE_REF_BEFORE_START;
		pos += len;
	}
	/* Not found again (it should be): the closest reading of ISA-L's verdict. */
	return isal_ret == ISAL_INVALID_LOOKBACK ? IAA_AE_REF_BEFORE_START : IAA_AE_BAD_LL_CODE;
}

/* ---- The descriptor ---- */

/* A state read from the AECS: anything sim could not have written is an AECS error. */
static bool d_state_ok(const struct iaa_daecs *s)
{
	if (s->blk > IAA_DBLK_DONE || s->bfinal > 1 || s->acc_bits > 64 ||
	    s->hdr_bits > D_HDR_MAX_BITS || s->pend_len > sizeof(s->pend) ||
	    s->hist_len > IAA_HIST || s->stored_rem > 0xffff || s->last_eob > 3)
		return false;
	if (s->blk == IAA_DBLK_HUFF && s->hdr_bits < 3)
		return false;
	if (s->blk != IAA_DBLK_STORED && s->stored_rem)
		return false;
	if (s->blk != IAA_DBLK_NONE && s->blk != IAA_DBLK_HUFF && s->hdr_bits)
		return false;
	/* Pending output and a half-read header never coexist. */
	if (s->pend_len && s->blk == IAA_DBLK_NONE && s->hdr_bits)
		return false;
	return true;
}

static void d_block_end(struct dcmp *c, bool *stop)
{
	struct iaa_daecs *s = c->s;
	uint16_t f = c->job->opflags;

	c->block_done = false;
	s->last_eob = (uint8_t)(1 | s->bfinal << 1);
	s->blk = s->bfinal ? IAA_DBLK_DONE : IAA_DBLK_NONE;
	s->hdr_bits = 0;
	/* After the final block the stream is over, stop flag or not. */
	if (s->bfinal ||
	    ((f & IDXD_IAX_DECOMPF_STOP_ON_EOB) && !(f & IDXD_IAX_DECOMPF_SEL_BFINAL_EOB)))
		*stop = true;
}

/* Keep the first @n unconsumed bits (bb, then acc) for the next descriptor. */
static bool d_keep_bits(struct dcmp *c, uint32_t n)
{
	struct iaa_daecs *s = c->s;
	uint64_t v = c->bb & d_mask(c->nb < n ? c->nb : n);

	if (n > c->nb + c->acc_left || n > 64)
		return false;
	if (n > c->nb)
		v |= (c->acc & d_mask(n - c->nb)) << c->nb;
	s->acc = v;
	s->acc_bits = (uint16_t)n;
	return true;
}

/* A header cut short by the end of the input: keep all of it for the next descriptor. */
static bool d_keep_header(struct dcmp *c)
{
	struct iaa_daecs *s = c->s;
	uint32_t n = c->hrec_bits;

	if (n + c->nb > D_HDR_MAX_BITS)
		return false;
	memcpy(s->hdr, c->hrec, sizeof(s->hdr));
	for (uint32_t i = 0; i < c->nb; i++, n++) {
		uint8_t *p = &s->hdr[n / 8];

		*p = (uint8_t)((*p & ~(1u << (n % 8))) | ((c->bb >> i) & 1) << (n % 8));
	}
	s->hdr_bits = (uint16_t)n;
	s->acc = 0;
	s->acc_bits = 0;
	return true;
}

uint8_t iaa_decompress(struct iaa_job *job)
{
	struct iaa_state *st = job->st;
	struct iaa_daecs *s = st->daecs;
	uint16_t f = job->opflags;
	uint64_t valid_bits, ignore, src_pos;
	bool stop = false, full = false;
	struct dcmp *c, cs;
	int ret;

	if (job->aecs_read) {
		if (sim_dma_read(job->x->dma, s, job->aecs_rd, sizeof(*s), NULL))
			return iaa_fault(job);
		if (!s->magic)
			/* A fresh stream; only the checksum seeds count. */
			memset((uint8_t *)s + offsetof(struct iaa_daecs, magic), 0,
			       sizeof(*s) - offsetof(struct iaa_daecs, magic));
		else if (s->magic != IAA_DAECS_MAGIC || !d_state_ok(s))
			return iaa_analytics_error(job, IAA_AE_AECS_ERROR);
	} else {
		memset(s, 0, sizeof(*s));
	}
	job->crc = s->crc;
	job->xor_csum = (uint16_t)s->xor_checksum;
	s->magic = IAA_DAECS_MAGIC;

	c = &cs;
	memset(c, 0, sizeof(*c));
	c->job = job;
	c->st = st;
	c->s = s;
	c->inf = st->inf;
	c->ib = st->din;
	c->ob = st->dout;
	c->suppress = f & IDXD_IAX_DECOMPF_SUPPRESS_OUTPUT;
	c->out_max = c->suppress ? UINT64_MAX : job->max_dst;
	ignore = ((f >> 6) & 7) | ((f & IDXD_IAX_DECOMPF_IGNORE_END_BITS_HI) ? 8 : 0);
	valid_bits = 8ull * job->src1_size;
	valid_bits -= ignore < valid_bits ? ignore : valid_bits;
	c->src_full = valid_bits / 8;
	c->tail_n = (uint32_t)(valid_bits % 8);

	memcpy(c->ob, s->history + IAA_HIST - s->hist_len, s->hist_len);
	c->ostart = c->opos = s->hist_len;
	if (s->blk == IAA_DBLK_NONE && s->hdr_bits) {
		memcpy(c->prebuf, s->hdr, sizeof(s->hdr));
		c->pre = c->prebuf;
		c->pre_left = s->hdr_bits;
		s->hdr_bits = 0;
	}
	c->acc = s->acc;
	c->acc_left = s->acc_bits;
	s->acc = 0;
	s->acc_bits = 0;
	c->start_bits = c->pre_left + c->acc_left;
	if (s->blk == IAA_DBLK_HUFF && d_reparse(c) != D_OK)
		return iaa_analytics_error(job, IAA_AE_AECS_ERROR);

	ret = d_pending(c);
	while (ret == D_OK && !stop) {
		switch (s->blk) {
		case IAA_DBLK_NONE:
			ret = d_header(c);
			break;
		case IAA_DBLK_STORED:
			ret = d_stored(c);
			if (ret == D_OK)
				c->block_done = true;
			break;
		case IAA_DBLK_HUFF:
			ret = d_huff(c);
			break;
		default:
			stop = true;
			break;
		}
		if (c->block_done)
			d_block_end(c, &stop);
	}

	switch (ret) {
	case D_ERR:
		return c->status ? c->status : iaa_analytics_error(job, c->err);
	case D_FULL:
		full = true;
		/* Every byte taken from the source is consumed; its undecoded bits go to the AECS. */
		job->rec.bytes_completed =
			(uint32_t)(c->staged - (c->ilen - c->ipos) + (c->tail_taken ? 1 : 0));
		if (!d_keep_bits(c, c->nb + c->acc_left))
			return iaa_analytics_error(job, IAA_AE_AECS_ERROR);
		break;
	case D_NEED_INPUT:
		if ((f & IDXD_IAX_DECOMPF_CHECK_FOR_EOB) &&
		    ((s->blk != IAA_DBLK_NONE) || !(s->last_eob & 1) ||
		     ((f & IDXD_IAX_DECOMPF_SEL_BFINAL_EOB) && !(s->last_eob & 2))))
			return iaa_analytics_error(job, IAA_AE_BAD_EOF);
		job->rec.bytes_completed = job->src1_size;
		if (s->blk == IAA_DBLK_NONE) {
			if (!d_keep_header(c))
				return iaa_analytics_error(job, IAA_AE_BIGHDR);
		} else if (!d_keep_bits(c, c->nb + c->acc_left)) {
			return iaa_analytics_error(job, IAA_AE_AECS_ERROR);
		}
		break;
	default:
		/* Stopped at an EOB: the source is consumed up to the byte holding its last bit. */
		if (c->consumed <= c->start_bits) {
			job->rec.bytes_completed = 0;
			d_keep_bits(c, (uint32_t)(c->start_bits - c->consumed));
		} else {
			src_pos = c->consumed - c->start_bits;
			job->rec.bytes_completed = (uint32_t)((src_pos + 7) / 8);
			if (job->rec.bytes_completed > job->src1_size)
				job->rec.bytes_completed = job->src1_size;
			d_keep_bits(c, d_align_bits(c) < c->nb ? d_align_bits(c) : c->nb);
		}
		if (s->blk == IAA_DBLK_DONE) {
			s->acc = 0;
			s->acc_bits = 0;
		}
		break;
	}

	if (!d_flush(c))
		return c->status;
	s->hist_len = c->opos;
	memcpy(s->history + IAA_HIST - c->opos, c->ob, c->opos);
	s->total_out += c->out_total;
	s->crc = job->crc;
	s->xor_checksum = job->xor_csum;
	if (job->wr_src2 == IDXD_IAX_WR_SRC2_ALWAYS ||
	    (job->wr_src2 == IDXD_IAX_WR_SRC2_ON_OVERFLOW && full)) {
		if (sim_dma_write(job->x->dma, job->aecs_wr, s, sizeof(*s), NULL))
			return iaa_fault(job);
	}
	job->rec.output_size = c->suppress ? 0 : (uint32_t)c->written;
	job->rec.crc = job->crc;
	job->rec.xor_csum = job->xor_csum;
	return full ? IAX_COMP_OUTBUF_OVERFLOW : IAX_COMP_SUCCESS;
}
