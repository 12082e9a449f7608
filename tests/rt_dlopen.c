// SPDX-License-Identifier: MIT
/*
 * libsvart.so loaded with dlopen(), as an FFI binding (Python ctypes, a JNI library) or a
 * plugin loads it: it must not need static TLS (an initial-exec TLS variable anywhere in the
 * library makes all of its TLS static, and dlopen() then fails with "cannot allocate memory
 * in static TLS block"), and its public entry points must work from there: a sim context
 * does a memmove and a CRC-32C with the RFC 3720 check value.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svart.h"
#include "tests/t_helpers.h"

int main(void)
{
	const char *dir = getenv("SVART_BINARY_DIR");
	int (*ctx_create)(const struct svart_ctx_opts *, struct svart_ctx **);
	void (*ctx_destroy)(struct svart_ctx *);
	int (*memmove_fn)(struct svart_ctx *, void *, const void *, size_t);
	int (*crc_fn)(struct svart_ctx *, const void *, size_t, uint32_t, uint32_t *);
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	char path[4096], src[4096], dst[4096];
	struct svart_ctx *ctx = NULL;
	uint32_t crc = 0;
	void *h;

	if (!dir) {
		printf("SKIP: SVART_BINARY_DIR is not set (run through ctest)\n");
		return T_EXIT_SKIP;
	}
	snprintf(path, sizeof(path), "%s/libsvart.so", dir);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		T_CHECK(!"dlopen libsvart.so");
		return t_done("rt_dlopen");
	}
	*(void **)&ctx_create = dlsym(h, "svart_ctx_create");
	*(void **)&ctx_destroy = dlsym(h, "svart_ctx_destroy");
	*(void **)&memmove_fn = dlsym(h, "svart_memmove");
	*(void **)&crc_fn = dlsym(h, "svart_crc32c");
	T_CHECK(ctx_create && ctx_destroy && memmove_fn && crc_fn);
	if (ctx_create && ctx_destroy && memmove_fn && crc_fn) {
		T_RET(0, ctx_create(&o, &ctx));
		if (ctx) {
			for (size_t i = 0; i < sizeof(src); i++)
				src[i] = (char)(i * 7 + 1);
			T_RET(0, memmove_fn(ctx, dst, src, sizeof(src)));
			T_CHECK(!memcmp(dst, src, sizeof(src)));
			T_RET(0, crc_fn(ctx, "123456789", 9, 0, &crc));
			T_EQ(crc, 0xE3069283u);
			ctx_destroy(ctx);
		}
	}
	/*
	 * No dlclose(): sim's process-lifetime tables live as long as the library, and unmapping
	 * it would turn them into what LeakSanitizer reports as leaks (FFI hosts such as Python
	 * never unload a library either).
	 */
	(void)h;
	return t_done("rt_dlopen");
}
