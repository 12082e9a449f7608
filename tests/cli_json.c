// SPDX-License-Identifier: MIT
/*
 * The CLI's JSON writer (tools/json.c, built into this test directly): exact output for
 * hand-written documents, RFC 8259 escapes, U+FFFD for bytes that are not UTF-8, and the
 * misuse and write errors json_end() must report.
 */
#include <errno.h>
#include <math.h>

#include "tools/json.c"
#include "t_helpers.h"

static char *buf;
static size_t buf_len;

static struct json *start(bool pretty)
{
	static struct json j;
	FILE *f = open_memstream(&buf, &buf_len);

	if (!f) {
		perror("open_memstream");
		exit(T_EXIT_FAIL);
	}
	json_init(&j, f, pretty);
	return &j;
}

/* Finishes the document; returns json_end()'s verdict, the text is in buf. */
static int finish(struct json *j)
{
	int ret = json_end(j);

	fclose(j->f);
	return ret;
}

static void test_compact(void)
{
	struct json *j = start(false);

	json_obj_begin(j, NULL);
	json_int(j, "i", -42);
	json_uint(j, "u", 18446744073709551615ull);
	json_str(j, "s", "a\"b\\c/\n\t\r\b\f\x01\x1f");
	json_str(j, "null_str", NULL);
	json_arr_begin(j, "a");
	json_bool(j, NULL, true);
	json_bool(j, NULL, false);
	json_null(j, NULL);
	json_double(j, NULL, 0.5);
	json_double(j, NULL, NAN);
	json_double(j, NULL, INFINITY);
	json_arr_end(j);
	json_obj_begin(j, "empty");
	json_obj_end(j);
	json_arr_begin(j, "empty_a");
	json_arr_end(j);
	json_obj_end(j);
	T_EQ(finish(j), 0);
	T_STREQ(buf, "{\"i\":-42,\"u\":18446744073709551615,"
		     "\"s\":\"a\\\"b\\\\c/\\n\\t\\r\\b\\f\\u0001\\u001f\",\"null_str\":null,"
		     "\"a\":[true,false,null,0.5,null,null],\"empty\":{},\"empty_a\":[]}\n");
	free(buf);
}

static void test_pretty(void)
{
	struct json *j = start(true);

	json_obj_begin(j, NULL);
	json_str(j, "k", "v");
	json_arr_begin(j, "a");
	json_int(j, NULL, 1);
	json_obj_begin(j, NULL);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
	T_EQ(finish(j), 0);
	T_STREQ(buf, "{\n  \"k\": \"v\",\n  \"a\": [\n    1,\n    {}\n  ]\n}\n");
	free(buf);
}

static void test_utf8(void)
{
	struct json *j = start(false);

	json_arr_begin(j, NULL);
	/* Valid: 2, 3 and 4 bytes (é, €, U+1F600) pass through unchanged. */
	json_str(j, NULL, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* Invalid lead byte, lone continuation, truncated sequence at the end. */
	json_str(j, NULL, "a\xffz\x80\xe2\x82");
	/* Overlong "/" (C0 AF), a UTF-16 surrogate (ED A0 80), beyond U+10FFFF (F4 90 80 80). */
	json_str(j, NULL, "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80");
	/* A key is escaped like a value. */
	json_obj_begin(j, NULL);
	json_int(j, "k\"\xff", 1);
	json_obj_end(j);
	json_arr_end(j);
	T_EQ(finish(j), 0);
	T_STREQ(buf, "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
		     "\"a\\ufffdz\\ufffd\\ufffd\\ufffd\","
		     "\"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd\","
		     "{\"k\\\"\\ufffd\":1}]\n");
	free(buf);
}

static void test_misuse(void)
{
	struct json *j;

	/* A value in an object without a key. */
	j = start(false);
	json_obj_begin(j, NULL);
	json_int(j, NULL, 1);
	json_obj_end(j);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* A key in an array. */
	j = start(false);
	json_arr_begin(j, NULL);
	json_int(j, "k", 1);
	json_arr_end(j);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* A key at the top. */
	j = start(false);
	json_int(j, "k", 1);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* Unclosed, and closed with the wrong kind. */
	j = start(false);
	json_obj_begin(j, NULL);
	T_EQ(finish(j), -EINVAL);
	free(buf);
	j = start(false);
	json_obj_begin(j, NULL);
	json_arr_end(j);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* Closing more than was opened. */
	j = start(false);
	json_arr_begin(j, NULL);
	json_arr_end(j);
	json_arr_end(j);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* Two top-level values; none at all. */
	j = start(false);
	json_int(j, NULL, 1);
	json_int(j, NULL, 2);
	T_EQ(finish(j), -EINVAL);
	T_STREQ(buf, "1"); /* the second value was not written */
	free(buf);
	j = start(false);
	T_EQ(finish(j), -EINVAL);
	free(buf);

	/* JSON_MAX_DEPTH levels are fine, one more is not. */
	j = start(false);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(j, NULL);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(j);
	T_EQ(finish(j), 0);
	free(buf);
	j = start(false);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_begin(j, NULL);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_end(j);
	T_EQ(finish(j), -EINVAL);
	free(buf);
}

/* /dev/full: every write fails with ENOSPC, which json_end() must notice. */
static void test_write_error(void)
{
	struct json j;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		printf("no /dev/full: write-error check not run\n");
		return;
	}
	json_init(&j, f, false);
	json_str(&j, NULL, "x");
	T_EQ(json_end(&j), -EIO);
	fclose(f);
}

int main(void)
{
	test_compact();
	test_pretty();
	test_utf8();
	test_misuse();
	test_write_error();
	return t_done("cli_json");
}
