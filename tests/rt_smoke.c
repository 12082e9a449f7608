// SPDX-License-Identifier: MIT
/* Quick runtime smoke: a sim context, a few operations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "svart.h"
#include "tests/t_helpers.h"

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	struct svart_stats st = { .size = sizeof(st) };
	struct svart_ctx *ctx;
	size_t n = 1 << 20, mis;
	char *a, *b;
	uint32_t crc;
	int ret;

	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		fprintf(stderr, "ctx: %s\n", svart_strerror(ret));
		return 1;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	a = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < n; i++)
		a[i] = (char)(i * 7 + 3);
	T_RET(0, svart_memmove(ctx, b, a, n));
	T_CHECK(!memcmp(a, b, n));
	T_EQ(svart_memcmp(ctx, a, b, n, &mis), 0);
	b[12345] ^= 1;
	T_EQ(svart_memcmp(ctx, a, b, n, &mis), 1);
	T_EQ(mis, 12345);
	T_RET(0, svart_crc32c(ctx, "123456789", 9, 0, &crc));
	T_EQ(crc, 0xE3069283u);
	T_RET(0, svart_memfill(ctx, b, 0x0807060504030201ull, 1000));
	T_EQ(b[0], 1);
	T_EQ(b[999], 8);
	svart_ctx_stats(ctx, &st);
	printf("sim ops %llu cpu ops %llu faults %llu descs %llu fallbacks %llu\n",
	       (unsigned long long)st.path[SVART_PATH_SIM].ops,
	       (unsigned long long)st.path[SVART_PATH_CPU].ops, (unsigned long long)st.page_faults,
	       (unsigned long long)st.descriptors, (unsigned long long)st.cpu_fallbacks);
	svart_ctx_destroy(ctx);
	return t_done("rt_smoke");
}
