// SPDX-License-Identifier: MIT
/*
 * CPU deflate: one-call compression and decompression with ISA-L (igzip), full 32 KiB
 * window, raw / zlib / gzip framing. ISA-L is the baseline IAA's software path uses too; svart
 * adds the level mapping, stored blocks for level 0 (ISA-L has no store-only level) and errno
 * results.
 *
 * Level mapping (zlib level -> ISA-L level), chosen by compression ratio on text
 * (docs/CPU_PATH.md): 0 stored, 1 -> 0, 2 -> 1, 3 -> 2, 4..9 -> 3 (ISA-L's densest).
 *
 * ISA-L's stateless calls need work areas (the stream, the level buffer, the inflate state:
 * about 500 KiB together). Each thread allocates its own on first use and keeps it until it
 * exits, so the calls after the first allocate nothing.
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "runtime/rt_cpu.h"

#define RT_CPU_STORED_MAX 65535u /* bytes in one stored block */
#define RT_CPU_GZIP_HDR 10
#define RT_CPU_GZIP_TRL 8
#define RT_CPU_ZLIB_HDR 2
#define RT_CPU_ZLIB_TRL 4

struct zwork {
	struct isal_zstream *z;
	uint8_t *level_buf;
	struct inflate_state *inf;
};

static const uint32_t level_buf_size[ISAL_DEF_MAX_LEVEL + 1] = {
	ISAL_DEF_LVL0_DEFAULT,
	ISAL_DEF_LVL1_DEFAULT,
	ISAL_DEF_LVL2_DEFAULT,
	ISAL_DEF_LVL3_DEFAULT,
};
#define LEVEL_BUF_MAX ISAL_DEF_LVL3_DEFAULT

static pthread_key_t zwork_key;
static pthread_once_t zwork_once = PTHREAD_ONCE_INIT;
static int zwork_key_err;

static void zwork_free(void *p)
{
	struct zwork *w = p;

	free(w->z);
	free(w->level_buf);
	free(w->inf);
	free(w);
}

static void zwork_key_create(void)
{
	zwork_key_err = pthread_key_create(&zwork_key, zwork_free);
}

static struct zwork *zwork_get(void)
{
	struct zwork *w;

	pthread_once(&zwork_once, zwork_key_create);
	if (zwork_key_err)
		return NULL;
	w = pthread_getspecific(zwork_key);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (pthread_setspecific(zwork_key, w)) {
		free(w);
		return NULL;
	}
	return w;
}

int rt_cpu_isal_level(int level)
{
	static const int map[10] = { -EINVAL, 0, 1, 2, 3, 3, 3, 3, 3, 3 };

	if (level == RT_CPU_LEVEL_DEFAULT)
		level = 6;
	if (level < 0 || level > 9)
		return -EINVAL;
	return map[level];
}

size_t rt_cpu_compress_bound(size_t src_len, enum rt_cpu_framing framing)
{
	/* Stored blocks bound every level: ISA-L falls back to them when compression expands
	 * the data. Five bytes of header per block, at most 65535 bytes each. */
	size_t wrap = framing == RT_CPU_GZIP ? RT_CPU_GZIP_HDR + RT_CPU_GZIP_TRL :
		      framing == RT_CPU_ZLIB ? RT_CPU_ZLIB_HDR + RT_CPU_ZLIB_TRL :
					       0;

	return src_len + 5 * (src_len / RT_CPU_STORED_MAX + 1) + wrap;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Level 0: deflate stored blocks in the requested framing. */
static int compress_stored(uint8_t *dst, size_t dst_len, const uint8_t *src, size_t src_len,
			   enum rt_cpu_framing framing, size_t *out)
{
	size_t need = rt_cpu_compress_bound(src_len, framing), o = 0, i = 0;

	if (src_len && src_len % RT_CPU_STORED_MAX == 0)
		need -= 5; /* no empty final block needed */
	if (dst_len < need)
		return -ENOSPC;
	if (framing == RT_CPU_GZIP) {
		/* ID1 ID2, CM=8, no flags, no mtime, XFL 0, OS unknown (RFC 1952). */
		static const uint8_t hdr[RT_CPU_GZIP_HDR] = {
			0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255
		};

		memcpy(dst, hdr, sizeof(hdr));
		o = sizeof(hdr);
	} else if (framing == RT_CPU_ZLIB) {
		/* CM=8, CINFO=7 (32 KiB window), FLEVEL 0; FCHECK makes 0x7801 % 31 == 0. */
		dst[0] = 0x78;
		dst[1] = 0x01;
		o = RT_CPU_ZLIB_HDR;
	}
	do {
		size_t n = src_len - i < RT_CPU_STORED_MAX ? src_len - i : RT_CPU_STORED_MAX;

		dst[o] = i + n == src_len; /* BFINAL, BTYPE 00 */
		dst[o + 1] = (uint8_t)n;
		dst[o + 2] = (uint8_t)(n >> 8);
		dst[o + 3] = (uint8_t)~n;
		dst[o + 4] = (uint8_t)(~n >> 8);
		memcpy(dst + o + 5, src + i, n);
		o += 5 + n;
		i += n;
	} while (i < src_len);
	if (framing == RT_CPU_GZIP) {
		put_le32(dst + o, crc32_gzip_refl(0, src, src_len));
		put_le32(dst + o + 4, (uint32_t)src_len);
		o += RT_CPU_GZIP_TRL;
	} else if (framing == RT_CPU_ZLIB) {
		uint32_t a = isal_adler32(1, src, src_len);

		dst[o] = (uint8_t)(a >> 24);
		dst[o + 1] = (uint8_t)(a >> 16);
		dst[o + 2] = (uint8_t)(a >> 8);
		dst[o + 3] = (uint8_t)a;
		o += RT_CPU_ZLIB_TRL;
	}
	*out = o;
	return 0;
}

/* One ISA-L compression of the whole input; STATELESS_OVERFLOW when @dst is too small. */
static int deflate_run(struct zwork *w, bool stateless, uint8_t *dst, size_t dst_len,
		       const uint8_t *src, size_t src_len, int level, uint16_t gzip_flag)
{
	struct isal_zstream *z = w->z;
	int ret;

	if (stateless)
		isal_deflate_stateless_init(z);
	else
		isal_deflate_init(z);
	z->level = (uint32_t)level;
	z->level_buf = w->level_buf;
	z->level_buf_size = level_buf_size[level];
	z->gzip_flag = gzip_flag;
	z->hist_bits = ISAL_DEF_MAX_HIST_BITS; /* the full 32 KiB window */
	z->flush = NO_FLUSH;
	z->end_of_stream = 1;
	z->next_in = (uint8_t *)src; /* ISA-L only reads it */
	z->avail_in = (uint32_t)src_len;
	z->next_out = dst;
	z->avail_out = dst_len > UINT32_MAX ? UINT32_MAX : (uint32_t)dst_len;
	if (stateless)
		return isal_deflate_stateless(z);
	do {
		uint32_t before = z->avail_out;

		ret = isal_deflate(z);
		if (ret != COMP_OK)
			return ret;
		if (z->internal_state.state == ZSTATE_END)
			return COMP_OK;
		if (!z->avail_out || z->avail_out == before)
			return STATELESS_OVERFLOW;
	} while (1);
}

static bool framing_ok(enum rt_cpu_framing framing)
{
	return framing == RT_CPU_RAW || framing == RT_CPU_ZLIB || framing == RT_CPU_GZIP;
}

int rt_cpu_compress(void *dst, size_t dst_len, const void *src, size_t src_len, int level,
		    enum rt_cpu_framing framing, size_t *out)
{
	static const uint16_t gzip_flag[] = {
		[RT_CPU_RAW] = IGZIP_DEFLATE,
		[RT_CPU_ZLIB] = IGZIP_ZLIB,
		[RT_CPU_GZIP] = IGZIP_GZIP,
	};
	int isal_level = rt_cpu_isal_level(level);
	struct zwork *w;
	int ret;

	if (!out || !framing_ok(framing) || (!dst && dst_len) || (!src && src_len) ||
	    src_len > UINT32_MAX || (isal_level < 0 && level != 0))
		return -EINVAL;
	if (level == 0)
		return compress_stored(dst, dst_len, src, src_len, framing, out);

	w = zwork_get();
	if (!w)
		return -ENOMEM;
	if (!w->z)
		w->z = malloc(sizeof(*w->z));
	if (!w->level_buf)
		w->level_buf = malloc(LEVEL_BUF_MAX);
	if (!w->z || !w->level_buf)
		return -ENOMEM;

	ret = deflate_run(w, true, dst, dst_len, src, src_len, isal_level, gzip_flag[framing]);
	if (ret == STATELESS_OVERFLOW) {
		/*
		 * The one-call compressor needs a few bytes of room beyond its output. The
		 * streaming one fills @dst exactly, so a tight buffer gets a second try with it
		 * (and a buffer that is really too small costs two passes before -ENOSPC).
		 */
		ret = deflate_run(w, false, dst, dst_len, src, src_len, isal_level,
				  gzip_flag[framing]);
	}
	if (ret == STATELESS_OVERFLOW)
		return -ENOSPC;
	if (ret != COMP_OK)
		return -EINVAL;
	*out = w->z->total_out;
	return 0;
}

int rt_cpu_decompress(void *dst, size_t dst_len, const void *src, size_t src_len,
		      enum rt_cpu_framing framing, size_t *out)
{
	static const uint32_t crc_flag[] = {
		[RT_CPU_RAW] = ISAL_DEFLATE,
		[RT_CPU_ZLIB] = ISAL_ZLIB,
		[RT_CPU_GZIP] = ISAL_GZIP,
	};
	struct inflate_state *st;
	struct zwork *w;
	int ret;

	if (!out || !framing_ok(framing) || (!dst && dst_len) || (!src && src_len) ||
	    src_len > UINT32_MAX)
		return -EINVAL;

	w = zwork_get();
	if (!w)
		return -ENOMEM;
	if (!w->inf)
		w->inf = malloc(sizeof(*w->inf));
	if (!w->inf)
		return -ENOMEM;

	st = w->inf;
	isal_inflate_init(st);
	st->crc_flag = crc_flag[framing];
	st->next_in = (uint8_t *)src; /* ISA-L only reads it */
	st->avail_in = (uint32_t)src_len;
	st->next_out = dst;
	st->avail_out = dst_len > UINT32_MAX ? UINT32_MAX : (uint32_t)dst_len;

	ret = isal_inflate_stateless(st);
	switch (ret) {
	case ISAL_DECOMP_OK:
		*out = st->total_out;
		return 0;
	case ISAL_OUT_OVERFLOW:
		return -ENOSPC;
	default:
		/* END_INPUT (truncated), INVALID_*, UNSUPPORTED_METHOD, NEED_DICT,
		 * INCORRECT_CHECKSUM. */
		return -EBADMSG;
	}
}
