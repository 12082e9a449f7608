/* SPDX-License-Identifier: MIT */
/*
 * Independent references for tests: plain bitwise/table definitions, never svart's code.
 */
#ifndef T_REF_H
#define T_REF_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table built from the definition. */
static uint32_t t_crc32c_tab[256];

static inline void t_crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		t_crc32c_tab[i] = c;
	}
}

/* svart's (and RFC 3720's) convention: seed 0 to start, a previous result to continue. */
static inline uint32_t t_crc32c(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t c = ~seed;

	while (n--)
		c = t_crc32c_tab[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

#endif /* T_REF_H */
