/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the sim_iaa_* tests: an executor context on the identity address space,
 * guarded buffers (a PROT_NONE page right after the usable bytes), descriptor builders and a
 * deterministic English text corpus.
 */
#ifndef SIM_IAA_UTIL_H
#define SIM_IAA_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "enqcmd/idxd_hw.h"
#include "sim/accel/sim_exec.h"
#include "sim/iaa/iaa_aecs.h"
#include "sim/sim_guard.h"
#include "t_helpers.h"

#define T_PAGE 4096ul

struct t_iaa {
	struct sim_dma dma;
	struct sim_exec_cfg cfg;
	struct sim_exec_env env;
	struct sim_exec x;
	int swerrs;
	struct sim_swerr last_swerr;
	int interrupts;
};

static void t_iaa_swerr(void *arg, const struct sim_swerr *err)
{
	struct t_iaa *t = arg;

	t->swerrs++;
	t->last_swerr = *err;
}

static bool t_iaa_interrupt(void *arg, uint16_t handle)
{
	struct t_iaa *t = arg;

	t->interrupts++;
	return handle != 0xffff;
}

static inline void t_iaa_opcap(struct sim_exec_cfg *cfg, unsigned int op)
{
	cfg->opcap[op / 8] |= (uint8_t)(1u << (op % 8));
}

static inline void t_iaa_init(struct t_iaa *t)
{
	void *state = NULL;

	memset(t, 0, sizeof(*t));
	if (sim_guard_init())
		T_SKIP("cannot install the SIGSEGV guard");
	T_EQ(sim_iaa_state_create(&state), 0);
	if (!state)
		exit(T_EXIT_FAIL);
	t->cfg.version = IDXD_VERSION_1;
	t->cfg.max_xfer_shift = 31;
	t->cfg.cache_ctl = true;
	t_iaa_opcap(&t->cfg, IAX_OPCODE_NOOP);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_DRAIN);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_MEMMOVE);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_DECOMPRESS);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_COMPRESS);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_CRC64);
	t_iaa_opcap(&t->cfg, IAX_OPCODE_SCAN);
	t->env.swerr = t_iaa_swerr;
	t->env.interrupt = t_iaa_interrupt;
	t->env.arg = t;
	t->x.cfg = &t->cfg;
	t->x.env = &t->env;
	t->x.state = state;
	t->x.dma = &t->dma;
}

static inline void t_iaa_fini(struct t_iaa *t)
{
	sim_iaa_state_destroy(t->x.state);
}

/* Run one descriptor with a fresh address-space view (what the device core does). */
static inline uint8_t t_iaa_run(struct t_iaa *t, const struct iax_hw_desc *d)
{
	sim_dma_init(&t->dma, &sim_dma_identity_ops, NULL);
	return sim_iaa_exec(&t->x, d);
}

/* @len usable bytes ending exactly at a PROT_NONE page; the start is page aligned if @len is. */
static inline uint8_t *t_guarded(size_t len)
{
	size_t pages = (len + T_PAGE - 1) / T_PAGE + 1;
	uint8_t *m = mmap(NULL, pages * T_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	mprotect(m + (pages - 1) * T_PAGE, T_PAGE, PROT_NONE);
	return m + (pages - 1) * T_PAGE - len;
}

static inline void t_unguard(uint8_t *p, size_t len)
{
	size_t pages = (len + T_PAGE - 1) / T_PAGE + 1;
	uint8_t *m = p + len - (pages - 1) * T_PAGE;

	munmap(m, pages * T_PAGE);
}

/* @pages inaccessible pages: every access the descriptor makes must stay inside them. */
static inline uint8_t *t_hole(size_t pages)
{
	uint8_t *m = mmap(NULL, pages * T_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* 64-byte aligned completion records. */
static struct iax_completion_record t_rec __attribute__((aligned(64)));

static inline void t_desc(struct iax_hw_desc *d, uint8_t opcode, uint32_t flags)
{
	memset(d, 0, sizeof(*d));
	d->opcode = opcode;
	d->flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | flags;
	d->completion_addr = (uintptr_t)&t_rec;
	memset(&t_rec, 0, sizeof(t_rec));
}

static inline void t_compress_desc(struct iax_hw_desc *d, const void *src, uint32_t n, void *dst,
				   uint32_t max, void *aecs, uint16_t compr_flags, uint32_t flags)
{
	t_desc(d, IAX_OPCODE_COMPRESS, flags | (aecs ? IDXD_IAX_F_RD_SRC2(1) : 0));
	d->src1_addr = (uintptr_t)src;
	d->src1_size = n;
	d->dst_addr = (uintptr_t)dst;
	d->max_dst_size = max;
	d->src2_addr = (uintptr_t)aecs;
	d->src2_size = aecs ? IDXD_IAX_AECS_COMP_SIZE : 0;
	d->compr_flags = compr_flags;
}

static inline void t_decompress_desc(struct iax_hw_desc *d, const void *src, uint32_t n, void *dst,
				     uint32_t max, uint16_t decompr_flags, uint32_t flags)
{
	t_desc(d, IAX_OPCODE_DECOMPRESS, flags);
	d->src1_addr = (uintptr_t)src;
	d->src1_size = n;
	d->dst_addr = (uintptr_t)dst;
	d->max_dst_size = max;
	d->decompr_flags = decompr_flags | IDXD_IAX_DECOMPF_ENABLE;
}

/*
 * Deterministic English text of @len bytes: the system's license texts, concatenated in name
 * order and repeated; a small word generator where they are missing.
 */
static inline uint8_t *t_text(size_t len)
{
	static const char *words[] = {
		"the",	    "of",      "and",	  "to",	       "in",	     "a",     "is",
		"that",	    "for",     "it",	  "as",	       "was",	     "with",  "be",
		"by",	    "on",      "not",	  "he",	       "this",	     "are",   "or",
		"his",	    "from",    "at",	  "which",     "but",	     "have",  "an",
		"had",	    "they",    "you",	  "were",      "their",	     "one",   "all",
		"we",	    "can",     "her",	  "has",       "there",	     "been",  "if",
		"more",	    "when",    "will",	  "would",     "who",	     "so",    "no",
		"software", "license", "program", "copyright", "distribute", "modify"
	};
	uint8_t *buf = malloc(len + 1), *corpus = NULL;
	size_t have = 0, cap = 0;
	struct dirent **names = NULL;
	int n = scandir("/usr/share/common-licenses", &names, NULL, alphasort);
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < n; i++) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "/usr/share/common-licenses/%s", names[i]->d_name);
		f = names[i]->d_name[0] != '.' ? fopen(path, "rb") : NULL;
		if (f) {
			size_t got;

			do {
				if (have + 65536 > cap) {
					cap = cap * 2 + 65536;
					corpus = realloc(corpus, cap);
				}
				got = fread(corpus + have, 1, 65536, f);
				have += got;
			} while (got);
			fclose(f);
		}
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; i < len;) {
		if (have > 4096) {
			size_t k = have < len - i ? have : len - i;

			memcpy(buf + i, corpus, k);
			i += k;
			continue;
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		const char *w = words[(seed >> 33) % (sizeof(words) / sizeof(words[0]))];
		for (size_t k = 0; w[k] && i < len; k++)
			buf[i++] = (uint8_t)w[k];
		if (i < len)
			buf[i++] = (seed >> 60) == 0 ? '\n' : ' ';
	}
	free(corpus);
	return buf;
}

#endif /* SIM_IAA_UTIL_H */
