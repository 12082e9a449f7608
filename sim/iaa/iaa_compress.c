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

/*
 * The bit writer. The hot loops keep it in locals (struct cmp_bits on the stack, its fields in
 * registers): with -fno-strict-aliasing every byte stored to the output would otherwise force
 * the compiler to reload the whole state from struct cmp.
 */
struct cmp_bits {
	uint8_t *out;
	size_t opos;
	uint64_t acc;
	unsigned int nacc;
};

/* Append @n (<= 57 - 7) bits; whole bytes go to the staging buffer (which has 8 bytes slack). */
static inline __attribute__((always_inline)) void cmp_bits_put(struct cmp_bits *b, uint64_t bits,
							       unsigned int n)
{
	b->acc |= bits << b->nacc;
	b->nacc += n;
	memcpy(b->out + b->opos, &b->acc, sizeof(b->acc));
	b->opos += b->nacc >> 3;
	b->acc >>= b->nacc & ~7u;
	b->nacc &= 7;
}

static inline struct cmp_bits cmp_bits_get(const struct cmp *c)
{
	return (struct cmp_bits){ .out = c->out, .opos = c->opos, .acc = c->acc, .nacc = c->nacc };
}

static inline void cmp_bits_set(struct cmp *c, const struct cmp_bits *b)
{
	c->opos = b->opos;
	c->acc = b->acc;
	c->nacc = b->nacc;
}

/* Flush when the staging holds IAA_COUT_FLUSH bytes (its 1 KiB slack takes what comes next). */
static inline bool cmp_bits_room(struct cmp *c, struct cmp_bits *b)
{
	bool ok;

	if (__builtin_expect(b->opos < IAA_COUT_FLUSH, 1))
		return true;
	cmp_bits_set(c, b);
	ok = cmp_flush(c);
	b->opos = c->opos;
	return ok;
}

static void cmp_put(struct cmp *c, uint64_t bits, unsigned int n)
{
	struct cmp_bits b = cmp_bits_get(c);

	cmp_bits_put(&b, bits, n);
	cmp_bits_set(c, &b);
}

/*
 * A literal run, up to three literals per put (3 x 15 bits and 7 pending fit 57), the flush
 * checked every 64 literals (at most 120 bytes, inside the slack). False with c->err 30 at a
 * literal without a code, or on a flush error.
 */
static inline __attribute__((always_inline)) bool cmp_lits(struct cmp *c, struct cmp_bits *b,
							   const uint32_t *lit, const uint8_t *in,
							   const uint8_t *end)
{
	while (in < end) {
		const uint8_t *stop = end - in > 64 ? in + 64 : end;

		if (!cmp_bits_room(c, b))
			return false;
		for (; in + 3 <= stop; in += 3) {
			uint32_t l0 = lit[in[0]], l1 = lit[in[1]], l2 = lit[in[2]];
			unsigned int n0 = l0 >> 16, n1 = l1 >> 16, n2 = l2 >> 16;

			if (__builtin_expect(!n0 || !n1 || !n2, 0))
				goto out_nocode;
			cmp_bits_put(b,
				     (l0 & 0xffff) | (uint64_t)(l1 & 0xffff) << n0 |
					     (uint64_t)(l2 & 0xffff) << (n0 + n1),
				     n0 + n1 + n2);
		}
		for (; in < stop; in++) {
			uint32_t l = lit[*in];

			if (__builtin_expect(!(l >> 16), 0))
				goto out_nocode;
			cmp_bits_put(b, l & 0xffff, l >> 16);
		}
	}
	return true;

out_nocode:
	c->err = IAA_AE_INVALID_HUFFCODE;
	return false;
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
		unsigned int n = iaa_aecs_code_len(a->ll_sym[s]);

		e->lit[s] = cmp_bitrev(iaa_aecs_code_bits(a->ll_sym[s]), n) | n << 16;
	}
	/* Per symbol, then its range of lengths / distances: no bit reversal per entry. */
	for (s = 0; s < 29; s++) {
		unsigned int n = iaa_aecs_code_len(a->ll_sym[257 + s]);
		unsigned int code = cmp_bitrev(iaa_aecs_code_bits(a->ll_sym[257 + s]), n);
		unsigned int top = s == 28 ? IAA_MAX_MATCH : iaa_len_base[s + 1] - 1u;

		for (l = iaa_len_base[s]; l <= top; l++) {
			e->len_bits[l] = code | (uint32_t)(l - iaa_len_base[s]) << n;
			e->len_n[l] = n ? (uint8_t)(n + iaa_len_extra[s]) : 0;
		}
	}
	for (s = 0; s < IAA_AECS_D_SYMS && iaa_dist_base[s] <= IAA_HIST; s++) {
		unsigned int n = iaa_aecs_code_len(a->d_sym[s]);
		unsigned int code = cmp_bitrev(iaa_aecs_code_bits(a->d_sym[s]), n);
		unsigned int top = iaa_dist_base[s + 1] - 1u;

		if (top > IAA_HIST)
			top = IAA_HIST;
		for (d = iaa_dist_base[s]; d <= top; d++) {
			e->dist_bits[d] = code | (uint32_t)(d - iaa_dist_base[s]) << n;
			e->dist_n[d] = n ? (uint8_t)(n + iaa_dist_extra[s]) : 0;
		}
	}
	memcpy(e->ll_sym, a->ll_sym, sizeof(a->ll_sym));
	memcpy(e->d_sym, a->d_sym, sizeof(a->d_sym));
	e->valid = true;
	return 0;
}

/*
 * The matcher over [*@pp, @limit): buffer position b of @buf holds stream position b + @buf_abs;
 * data ends at @end (matches never read past it), matches never reach before IAA_HIST (the
 * descriptor's first byte). The hash table keeps 16-bit positions and starts empty for every
 * descriptor, so the symbols depend on the input alone. STATS counts symbols (and keeps them
 * as tokens), else codes them. Returns false to stop (error).
 *
 * Everything the loop touches is in locals: with -fno-strict-aliasing each store to the hash
 * table, the histogram or the output would otherwise reload struct cmp's fields.
 */
static inline __attribute__((always_inline)) bool cmp_run(struct cmp *c, const uint8_t *buf,
							  uint32_t buf_abs, uint32_t *pp,
							  uint32_t limit, uint32_t end,
							  const bool STATS)
{
	const struct iaa_enc *e = c->enc;
	struct iaa_state *st = c->st;
	uint16_t *const head = st->head;
	const uint8_t *const len_sym = st->len_sym, *const dist_sym = st->dist_sym;
	uint32_t *const hll = c->hll, *const hd = c->hd;
	uint32_t *const tok = st->memo.tok;
	const uint32_t *const lit = e->lit;
	uint32_t ntok = st->memo.ntok;
	uint32_t p = *pp, lit_from = p, fast = end >= IAA_MIN_MATCH ? end - IAA_MIN_MATCH + 1 : 0;
	struct cmp_bits b = cmp_bits_get(c);
	bool ok = true;

/* A statistics-pass token; past the memo's capacity only the count goes on. */
#define CMP_TOK(t)                           \
	do {                                 \
		if (ntok < IAA_MEMO_MAX_TOK) \
			tok[ntok] = (t);     \
		ntok++;                      \
	} while (0)

	if (c->lits_only)
		fast = 0;
	if (fast > limit)
		fast = limit;
	while (p < fast) {
		const uint8_t *ip = buf + (p - buf_abs);
		uint32_t seq = cmp_load32(ip), h = cmp_hash(seq);
		uint32_t dist = (p - head[h]) & 0xffff, cand = p - dist;
		const uint8_t *cp;
		uint32_t max, len, q, qend;

		head[h] = (uint16_t)p;
		cp = buf + (cand - buf_abs);
		if (!(dist - 1 < IAA_HIST && cand >= IAA_HIST && cmp_load32(cp) == seq)) {
			/* A literal; counted now, coded with its run at the next match. */
			if (STATS)
				hll[*ip]++;
			p++;
			continue;
		}
		max = end - p < IAA_MAX_MATCH ? end - p : IAA_MAX_MATCH;
		len = IAA_MIN_MATCH +
		      cmp_extend(ip + IAA_MIN_MATCH, cp + IAA_MIN_MATCH, max - IAA_MIN_MATCH);
		/* The literals before the match. */
		if (STATS) {
			if (p > lit_from)
				CMP_TOK(p - lit_from);
			hll[257 + len_sym[len]]++;
			hd[dist_sym[dist]]++;
			CMP_TOK(IAA_TOK_MATCH | dist << 9 | len);
		} else {
			unsigned int ln = e->len_n[len], dn = e->dist_n[dist];

			if (p > lit_from && !cmp_lits(c, &b, lit, buf + (lit_from - buf_abs),
						      buf + (p - buf_abs))) {
				ok = false;
				lit_from = p;
				break;
			}
			if (__builtin_expect(!ln || !dn, 0)) {
				c->err = IAA_AE_INVALID_HUFFCODE;
				ok = false;
				lit_from = p;
				break;
			}
			if (!cmp_bits_room(c, &b)) {
				ok = false;
				lit_from = p;
				break;
			}
			cmp_bits_put(&b, e->len_bits[len] | (uint64_t)e->dist_bits[dist] << ln,
				     ln + dn);
		}
		/* The first positions of a match join the table too. */
		qend = p + IAA_HASH_INSERT;
		if (qend > p + len)
			qend = p + len;
		if (qend > fast)
			qend = fast;
		for (q = p + 1; q < qend; q++)
			head[cmp_hash(cmp_load32(buf + (q - buf_abs)))] = (uint16_t)q;
		p += len;
		lit_from = p;
	}
	/* Too close to the end for a match, or literals only: the rest up to limit are literals. */
	if (ok && p < limit) {
		if (STATS) {
			for (uint32_t q = p; q < limit; q++)
				hll[buf[q - buf_abs]]++;
		}
		p = limit;
	}
	if (ok && p > lit_from) {
		if (STATS) {
			CMP_TOK(p - lit_from);
		} else if (!cmp_lits(c, &b, lit, buf + (lit_from - buf_abs), buf + (p - buf_abs))) {
			ok = false;
		}
	}
#undef CMP_TOK
	if (STATS)
		st->memo.ntok = ntok;
	else
		cmp_bits_set(c, &b);
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
	cmp_put(c, c->enc->lit[sym] & 0xffff, n);
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
	const struct iaa_memo *m = &c->st->memo;
	const uint32_t *tok = m->tok, *tend = m->tok + m->ntok;
	const uint8_t *in = m->in;
	struct cmp_bits b = cmp_bits_get(c);
	bool ok = true;

	for (; tok < tend; tok++) {
		uint32_t t = *tok;

		if (t & IAA_TOK_MATCH) {
			uint32_t len = t & 0x1ff, dist = (t >> 9) & 0x1fff;
			unsigned int ln = e->len_n[len], dn = e->dist_n[dist];

			if (__builtin_expect(!ln || !dn, 0)) {
				c->err = IAA_AE_INVALID_HUFFCODE;
				ok = false;
				break;
			}
			if (!cmp_bits_room(c, &b)) {
				ok = false;
				break;
			}
			cmp_bits_put(&b, e->len_bits[len] | (uint64_t)e->dist_bits[dist] << ln,
				     ln + dn);
			in += len;
			continue;
		}
		if (!cmp_lits(c, &b, e->lit, in, in + t)) {
			ok = false;
			break;
		}
		in += t;
	}
	cmp_bits_set(c, &b);
	return ok;
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
