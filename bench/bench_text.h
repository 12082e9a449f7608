/* SPDX-License-Identifier: MIT */
/*
 * Compression input for the benchmarks: real text, not random bytes or zeros (docs/BENCHMARKS.md).
 */
#ifndef SVART_BENCH_TEXT_H
#define SVART_BENCH_TEXT_H

#include <stddef.h>
#include <stdint.h>

/**
 * sb_text_fill() - fill @dst with @cap bytes of text.
 * @dst: the buffer.
 * @cap: its size.
 * @who: the program, named in the note printed when the fallback is used.
 *
 * The licence texts under /usr/share/common-licenses and /usr/share/doc/<*>/copyright, in
 * sorted order, repeated to @cap; generated words when the machine has none (said on stderr).
 * Deterministic for a given machine.
 *
 * Return: @cap.
 */
size_t sb_text_fill(uint8_t *dst, size_t cap, const char *who);

#endif /* SVART_BENCH_TEXT_H */
