// SPDX-License-Identifier: MIT
/*
 * IAA COMPRESS: the device's 4 KiB-window LZ77 matcher and its Huffman coder, driven by the
 * codes and header bits of the AECS the descriptor points to.
 *
 * Why not ISA-L's isal_deflate() here: the device's output is "the AECS header bits, then the
 * symbols coded with the AECS codes, then what end-processing asks for", and its statistics mode
 * must count exactly the symbols that COMPRESS would then code. isal_deflate() writes its own
 * block header (toggling BFINAL), appends EOB / sync-flush / final static blocks by its own rules
 * and has no way to emit a body alone; isal_update_histogram() uses a 32 KiB window and another
 * matcher than level 0's body. So the matcher and coder below are sim's own, small and
 * table-driven: one hash probe per position (as ISA-L level 0), greedy, the first positions of
 * each match entered in the hash table too (docs/SIM_DEVICES.md has the speed and ratio).
 *
 * Two-pass dynamic compression runs the matcher twice over the same bytes (statistics, then
 * COMPRESS). The matcher is a function of the input alone, so the statistics pass keeps its
 * tokens and a copy of its input (up to 2 MiB), and a COMPRESS whose input compares equal
 * (memcmp, not a hash) codes those tokens instead of matching again: the same output, faster.
 *
 * Output goes through a staging buffer that is flushed to the destination; the first byte that
 * would pass max_dst_size ends the job with ANALYTICS_ERROR 25 (the kernel's -E2BIG), and no
 * partial output is reported. Input is staged in chunks after 4 KiB of history, so the matches
 * (and the output) do not depend on how the source is mapped.
 */
#include <errno.h>
#include <string.h>

#include <isa-l/crc.h>

#include "sim/iaa/iaa_priv.h"
#include "sim/sim_guard.h"

struct cmp {
	struct iaa_job *job;
	struct iaa_state *st;
	const struct iaa_enc *enc;
	bool stats;
	bool lits_only;
	uint8_t err; /* analytics error code, 0 = none */
	uint8_t status; /* a fault's status, 0 = none */
	/* bit output */
	uint8_t *out;
	size_t opos;
	uint64_t acc;
	unsigned int nacc;
	uint64_t out_done; /* bytes already written to the destination */
	/* statistics */
	uint32_t hll[IAA_AECS_LL_SYMS];
	uint32_t hd[IAA_AECS_D_SYMS];
};

static inline uint32_t cmp_load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t cmp_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t cmp_hash(uint32_t v)
{
	return (v * 0x9e3779b1u) >> (32 - IAA_HASH_BITS);
}

/* Length of the common prefix of @a and @b, at most @max. */
static inline uint32_t cmp_extend(const uint8_t *a, const uint8_t *b, uint32_t max)
{
	uint32_t n = 0;

	while (n + 8 <= max) {
		uint64_t x = cmp_load64(a + n) ^ cmp_load64(b + n);

		if (x)
			return n + ((uint32_t)__builtin_ctzll(x) >> 3);
		n += 8;
	}
	while (n < max && a[n] == b[n])
		n++;
	return n;
}

/* Write the staged output to the destination; overflow is the device's error 25. */
static bool cmp_flush(struct cmp *c)
{
	struct iaa_job *job = c->job;

	if (!c->opos)
		return true;
	if (c->out_done + c->opos > job->max_dst) {
		c->err = IAA_AE_UNRECOVERABLE_OUTPUT_OVERFLOW;
		return false;
	}
	if (sim_dma_write(job->x->dma, job->dst + c->out_done, c->out, c->opos, NULL)) {
		c->status = iaa_fault(job);
		return false;
	}
	c->out_done += c->opos;
	c->opos = 0;
	return true;
}

/* Append @n (<= 57 - 7) bits; whole bytes go to the staging buffer (which has 8 bytes slack). */
static inline void cmp_put(struct cmp *c, uint64_t bits, unsigned int n)
{
	unsigned int adv;

	c->acc |= bits << c->nacc;
	c->nacc += n;
	memcpy(c->out + c->opos, &c->acc, sizeof(c->acc));
	adv = c->nacc >> 3;
	c->opos += adv;
	c->acc >>= adv * 8;
	c->nacc &= 7;
}

static unsigned int cmp_bitrev(unsigned int v, unsigned int n)
{
	unsigned int r = 0;

	for (unsigned int i = 0; i < n; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/*
 * Encoder tables for the AECS codes in st->caecs: a code longer than 15 bits or wider than its
 * length is an AECS error (22); a missing code (length 0) is only an error if it is used (30).
 */
static int cmp_build_enc(struct iaa_state *st)
{
	const struct iaa_aecs_comp *a = st->caecs;
	struct iaa_enc *e = st->enc;
	unsigned int s, l, d;

	if (e->valid && !memcmp(e->ll_sym, a->ll_sym, sizeof(a->ll_sym)) &&
	    !memcmp(e->d_sym, a->d_sym, sizeof(a->d_sym)))
		return 0;
	e->valid = false;
	for (s = 0; s < IAA_AECS_LL_SYMS; s++) {
		unsigned int n = iaa_aecs_code_len(a->ll_sym[s]),
			     code = iaa_aecs_code_bits(a->ll_sym[s]);

		if (n > IAA_AECS_MAX_CODE_LEN || code >> n)
			return -EINVAL;
	}
	for (s = 0; s < IAA_AECS_D_SYMS; s++) {
		unsigned int n = iaa_aecs_code_len(a->d_sym[s]),
			     code = iaa_aecs_code_bits(a->d_sym[s]);

		if (n > IAA_AECS_MAX_CODE_LEN || code >> n)
			return -EINVAL;
	}
	for (s = 0; s <= IAA_AECS_EOB; s++) {
		e->lit_n[s] = (uint8_t)iaa_aecs_code_len(a->ll_sym[s]);
		e->lit_bits[s] =
			(uint16_t)cmp_bitrev(iaa_aecs_code_bits(a->ll_sym[s]), e->lit_n[s]);
	}
	for (l = 3; l <= IAA_MAX_MATCH; l++) {
		unsigned int sym = st->len_sym[l], n = iaa_aecs_code_len(a->ll_sym[257 + sym]);
		unsigned int code = cmp_bitrev(iaa_aecs_code_bits(a->ll_sym[257 + sym]), n);

		e->len_bits[l] = code | (uint32_t)(l - iaa_len_base[sym]) << n;
		e->len_n[l] = n ? (uint8_t)(n + iaa_len_extra[sym]) : 0;
	}
	for (d = 1; d <= IAA_HIST; d++) {
		unsigned int sym = st->dist_sym[d], n = iaa_aecs_code_len(a->d_sym[sym]);
		unsigned int code = cmp_bitrev(iaa_aecs_code_bits(a->d_sym[sym]), n);

		e->dist_bits[d] = code | (uint32_t)(d - iaa_dist_base[sym]) << n;
		e->dist_n[d] = n ? (uint8_t)(n + iaa_dist_extra[sym]) : 0;
	}
	memcpy(e->ll_sym, a->ll_sym, sizeof(a->ll_sym));
	memcpy(e->d_sym, a->d_sym, sizeof(a->d_sym));
	e->valid = true;
	return 0;
}

/* A statistics-pass token; past the memo's capacity only the count goes on. */
static inline void cmp_tok(struct iaa_memo *m, uint32_t tok)
{
	if (m->ntok < IAA_MEMO_MAX_TOK)
		m->tok[m->ntok] = tok;
	m->ntok++;
}

/* One literal: counted (STATS) or coded. False on a missing code. */
static inline __attribute__((always_inline)) bool cmp_lit(struct cmp *c, uint8_t v, uint32_t *run,
							  const bool STATS)
{
	const struct iaa_enc *e = c->enc;
	unsigned int n;

	if (STATS) {
		c->hll[v]++;
		(*run)++;
		return true;
	}
	n = e->lit_n[v];
	if (__builtin_expect(!n, 0)) {
		c->err = IAA_AE_INVALID_HUFFCODE;
		return false;
	}
	cmp_put(c, e->lit_bits[v], n);
	return true;
}

/*
 * The matcher over [*@pp, @limit): buffer position b of @buf holds stream position b + @buf_abs;
 * data ends at @end (matches never read past it), matches never reach before IAA_HIST (the
 * descriptor's first byte). The hash table keeps 16-bit positions and starts empty for every
 * descriptor, so the symbols depend on the input alone. STATS counts symbols (and keeps them
 * as tokens), else codes them. Returns false to stop (error).
 */
static inline __attribute__((always_inline)) bool cmp_run(struct cmp *c, const uint8_t *buf,
							  uint32_t buf_abs, uint32_t *pp,
							  uint32_t limit, uint32_t end,
							  const bool STATS)
{
	const struct iaa_enc *e = c->enc;
	struct iaa_state *st = c->st;
	uint16_t *head = st->head;
	struct iaa_memo *m = &st->memo;
	uint32_t p = *pp, run = 0, fast = end >= IAA_MIN_MATCH ? end - IAA_MIN_MATCH + 1 : 0;
	bool ok = true;

	if (c->lits_only)
		fast = 0;
	if (fast > limit)
		fast = limit;
	while (p < fast) {
		const uint8_t *ip = buf + (p - buf_abs);
		uint32_t seq = cmp_load32(ip), h = cmp_hash(seq);
		uint32_t dist = (p - head[h]) & 0xffff, cand = p - dist;

		if (!STATS && c->opos >= IAA_COUT_FLUSH && !cmp_flush(c)) {
			ok = false;
			break;
		}
		head[h] = (uint16_t)p;
		if (dist - 1 < IAA_HIST && cand >= IAA_HIST &&
		    cmp_load32(buf + (cand - buf_abs)) == seq) {
			uint32_t max = end - p < IAA_MAX_MATCH ? end - p : IAA_MAX_MATCH;
			uint32_t len =
				IAA_MIN_MATCH + cmp_extend(ip + IAA_MIN_MATCH,
							   buf + (cand - buf_abs) + IAA_MIN_MATCH,
							   max - IAA_MIN_MATCH);
			uint32_t q, qend = p + IAA_HASH_INSERT;

			if (STATS) {
				c->hll[257 + st->len_sym[len]]++;
				c->hd[st->dist_sym[dist]]++;
				if (run)
					cmp_tok(m, run);
				run = 0;
				cmp_tok(m, IAA_TOK_MATCH | dist << 9 | len);
			} else {
				unsigned int ln = e->len_n[len], dn = e->dist_n[dist];

				if (__builtin_expect(!ln || !dn, 0)) {
					c->err = IAA_AE_INVALID_HUFFCODE;
					ok = false;
					break;
				}
				cmp_put(c, e->len_bits[len] | (uint64_t)e->dist_bits[dist] << ln,
					ln + dn);
			}
			/* The first positions of a match join the table too. */
			if (qend > p + len)
				qend = p + len;
			if (qend > fast)
				qend = fast;
			for (q = p + 1; q < qend; q++)
				head[cmp_hash(cmp_load32(buf + (q - buf_abs)))] = (uint16_t)q;
			p += len;
			continue;
		}
		if (!cmp_lit(c, *ip, &run, STATS)) {
			ok = false;
			break;
		}
		p++;
	}
	/* Too close to the end for a match, or literals only. */
	while (ok && p < limit) {
		if (!STATS && c->opos >= IAA_COUT_FLUSH && !cmp_flush(c)) {
			ok = false;
			break;
		}
		if (!cmp_lit(c, buf[p - buf_abs], &run, STATS)) {
			ok = false;
			break;
		}
		p++;
	}
	if (STATS && run)
		cmp_tok(m, run);
	*pp = p;
	return ok;
}

static bool cmp_run_stats(struct cmp *c, const uint8_t *buf, uint32_t buf_abs, uint32_t *pp,
			  uint32_t limit, uint32_t end)
{
	return cmp_run(c, buf, buf_abs, pp, limit, end, true);
}

static bool cmp_run_code(struct cmp *c, const uint8_t *buf, uint32_t buf_abs, uint32_t *pp,
			 uint32_t limit, uint32_t end)
{
	return cmp_run(c, buf, buf_abs, pp, limit, end, false);
}

/* Stage the source through the matcher; returns false with c->status or c->err set. */
static bool cmp_input(struct cmp *c)
{
	struct iaa_job *job = c->job;
	struct iaa_state *st = c->st;
	uint8_t *buf = st->cin;
	uint32_t size = job->src1_size, done = 0, n;
	uint32_t buf_abs = 0, p = IAA_HIST, end = IAA_HIST;
	bool ok = true;

	/* Positions start at IAA_HIST: the descriptor's first byte sits after a window's room. */
	memset(st->head, 0, sizeof(uint16_t) << IAA_HASH_BITS);

	if (c->stats && size <= IAA_MEMO_MAX_IN) {
		/* The statistics pass keeps its input anyway: match over that copy in one go. */
		if (size && sim_dma_read(job->x->dma, st->memo.in, job->src1, size, NULL)) {
			c->status = iaa_fault(job);
			return false;
		}
		iaa_csum(job, st->memo.in, size);
		return cmp_run_stats(c, st->memo.in, IAA_HIST, &p, IAA_HIST + size,
				     IAA_HIST + size);
	}
	for (;;) {
		uint32_t off = end - buf_abs, limit;

		n = size - done < IAA_CIN_CHUNK ? size - done : IAA_CIN_CHUNK;
		if (n && sim_dma_read(job->x->dma, buf + off, job->src1 + done, n, NULL)) {
			c->status = iaa_fault(job);
			ok = false;
			break;
		}
		iaa_csum(job, buf + off, n);
		done += n;
		end += n;
		/* Short of the end, a match must be able to run its full length. */
		limit = done == size ? end : end - IAA_MAX_MATCH;
		if (c->stats)
			ok = cmp_run_stats(c, buf, buf_abs, &p, limit, end);
		else
			ok = cmp_run_code(c, buf, buf_abs, &p, limit, end);
		if (!ok || done == size)
			break;
		/* Keep the window and the unmatched tail, then read on. */
		memmove(buf, buf + (p - IAA_HIST - buf_abs), end - (p - IAA_HIST));
		buf_abs = p - IAA_HIST;
	}
	return ok;
}

static bool cmp_put_code(struct cmp *c, unsigned int sym)
{
	unsigned int n = iaa_aecs_code_len(c->st->caecs->ll_sym[sym]);

	if (!n) {
		c->err = IAA_AE_INVALID_HUFFCODE;
		return false;
	}
	cmp_put(c, c->enc->lit_bits[sym], n);
	return true;
}

/* End processing (compr_flags 3:2): EOB, then optionally an empty stored block. */
static bool cmp_end(struct cmp *c, unsigned int end_proc)
{
	if (end_proc >= IDXD_IAX_END_PROC_EOB && !cmp_put_code(c, IAA_AECS_EOB))
		return false;
	if (end_proc >= IDXD_IAX_END_PROC_EOB_SB) {
		/* BFINAL, BTYPE 00, pad to the byte, LEN 0, NLEN 0xffff. */
		cmp_put(c, end_proc == IDXD_IAX_END_PROC_EOB_FINAL_SB ? 1 : 0, 3);
		if (c->nacc)
			cmp_put(c, 0, 8 - c->nacc);
		cmp_put(c, 0xffff0000u, 32);
	}
	return true;
}

static uint8_t cmp_write_aecs(struct cmp *c)
{
	struct iaa_job *job = c->job;
	struct iaa_aecs_comp *a = c->st->caecs;

	/* The codes stay; the accumulator holds the bits that did not make a whole byte. */
	a->crc = job->crc;
	a->xor_checksum = job->xor_csum;
	memset(a->rsvd0, 0, sizeof(a->rsvd0));
	memset(a->output_accum, 0, sizeof(a->output_accum));
	a->output_accum[0] = (uint8_t)c->acc;
	a->num_output_accum_bits = c->nacc;
	if (sim_dma_write(job->x->dma, job->aecs_wr, a, sizeof(*a), NULL))
		return iaa_fault(job);
	return 0;
}

static uint8_t cmp_stats_out(struct cmp *c)
{
	struct iaa_job *job = c->job;
	struct iaa_aecs_hist h;

	if (job->max_dst < sizeof(h))
		return iaa_analytics_error(job, IAA_AE_UNRECOVERABLE_OUTPUT_OVERFLOW);
	memset(&h, 0, sizeof(h));
	memcpy(h.ll, c->hll, sizeof(h.ll));
	memcpy(h.d, c->hd, sizeof(h.d));
	if (sim_dma_write(job->x->dma, job->dst, &h, sizeof(h), NULL))
		return iaa_fault(job);
	job->rec.output_size = sizeof(h);
	return 0;
}

/*
 * Compare the input with the statistics pass's copy. True when identical: the caller codes the
 * kept tokens. False on a difference (or a fault, with c->status set).
 */
static bool cmp_memo_match(struct cmp *c)
{
	struct iaa_job *job = c->job;
	struct iaa_memo *m = &c->st->memo;
	uint64_t done = 0, run;
	uintptr_t at;
	void *host;
	int diff;

	if (!m->valid || m->size != job->src1_size || m->lits_only != c->lits_only)
		return false;
	/* Compared in place, run by run; a fault here is the descriptor's fault. */
	while (done < job->src1_size) {
		if (sim_dma_run(job->x->dma, job->src1 + done, job->src1_size - done, SIM_DMA_READ,
				&host, &run)) {
			c->status = iaa_fault(job);
			return false;
		}
		if (sim_guard_memcmp(host, m->in + done, run, &diff, &at)) {
			job->x->dma->fault.kind = SIM_DMA_FAULT_GONE;
			job->x->dma->fault.addr =
				job->src1 + done +
				(sim_guard_probe((uintptr_t)host, (uintptr_t)host + run, at, 0) -
				 (uintptr_t)host);
			job->x->dma->fault.write = false;
			c->status = iaa_fault(job);
			return false;
		}
		if (diff)
			return false;
		done += run;
	}
	/* Equal bytes: the checksums can run over the copy. */
	iaa_csum(job, m->in, job->src1_size);
	return true;
}

static bool cmp_memo_code(struct cmp *c)
{
	const struct iaa_enc *e = c->enc;
	struct iaa_memo *m = &c->st->memo;
	const uint8_t *in = m->in;

	for (uint32_t t = 0; t < m->ntok; t++) {
		uint32_t tok = m->tok[t];

		if (c->opos >= IAA_COUT_FLUSH && !cmp_flush(c))
			return false;
		if (tok & IAA_TOK_MATCH) {
			uint32_t len = tok & 0x1ff, dist = (tok >> 9) & 0x1fff;
			unsigned int ln = e->len_n[len], dn = e->dist_n[dist];

			if (!ln || !dn) {
				c->err = IAA_AE_INVALID_HUFFCODE;
				return false;
			}
			cmp_put(c, e->len_bits[len] | (uint64_t)e->dist_bits[dist] << ln, ln + dn);
			in += len;
			continue;
		}
		for (const uint8_t *end = in + tok; in < end; in++) {
			unsigned int n = e->lit_n[*in];

			if (!n) {
				c->err = IAA_AE_INVALID_HUFFCODE;
				return false;
			}
			if (c->opos >= IAA_COUT_FLUSH && !cmp_flush(c))
				return false;
			cmp_put(c, e->lit_bits[*in], n);
		}
	}
	return true;
}

uint8_t iaa_compress(struct iaa_job *job)
{
	struct iaa_state *st = job->st;
	struct iaa_aecs_comp *a = st->caecs;
	unsigned int end_proc = (job->opflags >> 2) & 3;
	struct cmp *c, cs;
	uint32_t i, hdr_bits;
	uint8_t status;

	c = &cs;
	memset(c, 0, offsetof(struct cmp, hll));
	c->job = job;
	c->st = st;
	c->enc = st->enc;
	c->out = st->cout;
	c->stats = job->opflags & IDXD_IAX_COMPF_STATS_MODE;
	c->lits_only = job->opflags & IDXD_IAX_COMPF_LITERALS_ONLY;

	if (job->aecs_read) {
		if (sim_dma_read(job->x->dma, a, job->aecs_rd, sizeof(*a), NULL))
			return iaa_fault(job);
	} else {
		/* No AECS: no codes and no header; any symbol is an invalid code (30). */
		memset(a, 0, sizeof(*a));
	}
	job->crc = a->crc;
	job->xor_csum = (uint16_t)a->xor_checksum;

	if (c->stats) {
		struct iaa_memo *m = &st->memo;

		memset(c->hll, 0, sizeof(c->hll));
		memset(c->hd, 0, sizeof(c->hd));
		m->valid = false;
		m->ntok = 0;
		if (!cmp_input(c))
			return c->status ? c->status : iaa_analytics_error(job, c->err);
		m->valid = job->src1_size <= IAA_MEMO_MAX_IN && m->ntok <= IAA_MEMO_MAX_TOK;
		m->size = job->src1_size;
		m->lits_only = c->lits_only;
		if (end_proc >= IDXD_IAX_END_PROC_EOB)
			c->hll[IAA_AECS_EOB]++;
		status = cmp_stats_out(c);
		if (status)
			return status;
		goto out_done;
	}

	hdr_bits = a->num_output_accum_bits;
	if (hdr_bits > IAA_AECS_ACCUM_BITS || cmp_build_enc(st))
		return iaa_analytics_error(job, IAA_AE_AECS_ERROR);
	for (i = 0; i + 8 <= hdr_bits; i += 8)
		cmp_put(c, a->output_accum[i / 8], 8);
	if (i < hdr_bits)
		cmp_put(c, a->output_accum[i / 8] & ((1u << (hdr_bits - i)) - 1), hdr_bits - i);

	if (cmp_memo_match(c)) {
		if (!cmp_memo_code(c))
			return c->status ? c->status : iaa_analytics_error(job, c->err);
	} else if (c->status || !cmp_input(c)) {
		return c->status ? c->status : iaa_analytics_error(job, c->err);
	}
	if (!cmp_end(c, end_proc))
		return iaa_analytics_error(job, c->err);
	if (job->opflags & IDXD_IAX_COMPF_FLUSH_OUTPUT) {
		job->rec.output_bits = (uint8_t)c->nacc;
		if (c->nacc)
			cmp_put(c, 0, 8 - c->nacc);
	}
	if (!cmp_flush(c))
		return c->status ? c->status : iaa_analytics_error(job, c->err);
	job->rec.output_size = (uint32_t)c->out_done;
	if (job->wr_src2 == IDXD_IAX_WR_SRC2_ALWAYS) {
		status = cmp_write_aecs(c);
		if (status)
			return status;
	}
out_done:
	job->rec.bytes_completed = job->src1_size;
	job->rec.crc = job->crc;
	job->rec.xor_csum = job->xor_csum;
	return IAX_COMP_SUCCESS;
}
