// SPDX-License-Identifier: MIT
/*
 * A stand-in for libFuzzer's main() so fuzz targets run as ordinary CTest tests (under the
 * sanitizer build in CI): replays files named on the command line, or, with none, feeds a
 * fixed-seed stream of random inputs for FUZZ_ITERATIONS (default 20000) iterations. The
 * coverage-guided run is the clang build (-DSVART_FUZZ=ON); this one proves the property on
 * every CI run and replays crashes the fuzzer found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Each target says why it cannot run here (NULL when it can): a run of no-ops is no test. */
const char *fuzz_target_unavailable(void);

static uint64_t fz_state = 0x9e3779b97f4a7c15ull;

static uint64_t fz_rand(void)
{
	/* xorshift64*: deterministic, so a failure reproduces with the same iteration number. */
	fz_state ^= fz_state >> 12;
	fz_state ^= fz_state << 25;
	fz_state ^= fz_state >> 27;
	return fz_state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	long iters = getenv("FUZZ_ITERATIONS") ? atol(getenv("FUZZ_ITERATIONS")) : 20000;

	const char *why = fuzz_target_unavailable();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");
			size_t n;

			if (!f) {
				perror(argv[i]);
				return 1;
			}
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, n);
		}
		printf("replayed %d input(s)\n", argc - 1);
		return 0;
	}
	for (long i = 0; i < iters; i++) {
		size_t n = (size_t)(fz_rand() % 600);

		for (size_t j = 0; j < n; j++)
			buf[j] = (uint8_t)fz_rand();
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%ld random inputs, no crash\n", iters);
	return 0;
}
