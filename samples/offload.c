// SPDX-License-Identifier: MIT
/*
 * svart sample: the three ways to run an operation, using only svart.h.
 *   sync  - svart_memmove() / svart_crc32c() return when done;
 *   async - prepare a job, submit it, do other work, wait for it;
 *   batch - several prepared jobs submitted together.
 * Exits 0 when every result is right (it is also a test), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <svart.h>

#define LEN (1u << 20)

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, svart_strerror(err));
	return 1;
}

int main(void)
{
	struct svart_ctx_opts opts = {
		.size = sizeof(opts),
		/*
		 * AUTO: a DSA/IAA host's idxd work queues when there are some, else sim, which
		 * runs anywhere; SVART_PLATFORM=sim|idxd|cpu in the environment decides instead.
		 */
		.platform = SVART_PLATFORM_AUTO,
	};
	struct svart_stats st = { .size = sizeof(st) };
	struct svart_job *job = NULL, *bj[4] = { NULL };
	struct svart_batch *batch = NULL;
	struct svart_ctx *ctx;
	char *src, *dst;
	uint32_t crc;
	int ret, rc = 1;

	ret = svart_ctx_create(&opts, &ctx);
	if (ret)
		return fail("svart_ctx_create", ret);
	printf("%s\n", svart_ctx_describe(ctx));
	src = malloc(LEN);
	dst = malloc(LEN);
	if (!src || !dst)
		goto out_free;
	for (size_t i = 0; i < LEN; i++)
		src[i] = (char)(i * 31 + 7);

	/* ---- sync ---- */
	ret = svart_memmove(ctx, dst, src, LEN);
	if (ret || memcmp(dst, src, LEN)) {
		fail("svart_memmove", ret);
		goto out_free;
	}
	ret = svart_crc32c(ctx, "123456789", 9, 0, &crc);
	if (ret || crc != 0xE3069283u) {
		fail("svart_crc32c", ret);
		goto out_free;
	}
	printf("sync: copied %u bytes, crc32c(\"123456789\") = 0x%08x\n", LEN, crc);

	/* ---- async ---- */
	ret = svart_job_alloc(ctx, &job);
	if (ret)
		goto out_free;
	memset(dst, 0, LEN);
	ret = svart_prep_crc32c(job, src, LEN, 0);
	if (!ret)
		ret = svart_submit(job);
	/* ... the caller can do other work here ... */
	if (!ret)
		ret = svart_wait(job, -1);
	if (!ret)
		ret = svart_job_result(job)->status;
	if (ret) {
		fail("async crc32c", ret);
		goto out_job;
	}
	printf("async: crc32c of 1 MiB = 0x%08x on path %d\n",
	       (unsigned int)svart_job_result(job)->value, svart_job_result(job)->path);

	/* ---- batch: four 256 KiB copies submitted together ---- */
	ret = svart_batch_alloc(ctx, 4, &batch);
	if (ret)
		goto out_job;
	for (int i = 0; i < 4; i++) {
		size_t off = (size_t)i * (LEN / 4);

		ret = svart_job_alloc(ctx, &bj[i]);
		if (!ret)
			ret = svart_prep_memmove(bj[i], dst + off, src + off, LEN / 4);
		if (!ret)
			ret = svart_batch_add(batch, bj[i]);
		if (ret)
			goto out_batch;
	}
	ret = svart_batch_submit(batch);
	if (!ret)
		ret = svart_batch_wait(batch, -1);
	for (int i = 0; i < 4 && !ret; i++)
		ret = svart_job_result(bj[i])->status;
	if (ret || memcmp(dst, src, LEN)) {
		fail("batch memmove", ret);
		goto out_batch;
	}
	svart_ctx_stats(ctx, &st);
	printf("batch: 4 copies done; device ops %llu, cpu ops %llu\n",
	       (unsigned long long)(st.path[SVART_PATH_SIM].ops + st.path[SVART_PATH_DEVICE].ops),
	       (unsigned long long)st.path[SVART_PATH_CPU].ops);
	rc = 0;
out_batch:
	svart_batch_free(batch);
	for (int i = 0; i < 4; i++)
		svart_job_free(bj[i]);
out_job:
	svart_job_free(job);
out_free:
	free(src);
	free(dst);
	svart_ctx_destroy(ctx);
	return rc;
}
