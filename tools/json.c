// SPDX-License-Identifier: MIT
/* Streaming JSON writer (see json.h). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tools/json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void json_fail(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void json_indent(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 if the bytes there are not one. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void json_write_string(struct json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);

	fputc('"', j->f);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\b':
			fputs("\\b", j->f);
			break;
		case '\f':
			fputs("\\f", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\r':
			fputs("\\r", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		default:
			if (c < 0x20) {
				fprintf(j->f, "\\u%04x", c);
				break;
			}
			n = utf8_len(s + i, len - i);
			if (!n) {
				fputs("\\ufffd", j->f);
				break;
			}
			fwrite(s + i, 1, n, j->f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', j->f);
}

/* Separator, indentation and key before a value; false when the value must not be written. */
static bool json_pre(struct json *j, const char *key)
{
	if (j->err)
		return false;
	if (!j->depth) {
		if (key || j->done) {
			json_fail(j, -EINVAL);
			return false;
		}
		return true;
	}
	if (j->in_obj[j->depth - 1] != (key != NULL)) {
		json_fail(j, -EINVAL);
		return false;
	}
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	json_indent(j);
	if (key) {
		json_write_string(j, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
	return true;
}

/* After a scalar or a closed container: a top-level value completes the document. */
static void json_post(struct json *j)
{
	if (!j->depth)
		j->done = true;
}

static void json_begin(struct json *j, const char *key, bool obj)
{
	if (!json_pre(j, key))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		json_fail(j, -EINVAL);
		return;
	}
	fputc(obj ? '{' : '[', j->f);
	j->in_obj[j->depth] = obj;
	j->has_items[j->depth] = false;
	j->depth++;
}

static void json_close(struct json *j, bool obj)
{
	if (j->err)
		return;
	if (!j->depth || j->in_obj[j->depth - 1] != obj) {
		json_fail(j, -EINVAL);
		return;
	}
	j->depth--;
	if (j->has_items[j->depth])
		json_indent(j);
	fputc(obj ? '}' : ']', j->f);
	json_post(j);
}

void json_obj_begin(struct json *j, const char *key)
{
	json_begin(j, key, true);
}

void json_obj_end(struct json *j)
{
	json_close(j, true);
}

void json_arr_begin(struct json *j, const char *key)
{
	json_begin(j, key, false);
}

void json_arr_end(struct json *j)
{
	json_close(j, false);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!json_pre(j, key))
		return;
	if (val)
		json_write_string(j, val);
	else
		fputs("null", j->f);
	json_post(j);
}

void json_int(struct json *j, const char *key, long long val)
{
	if (!json_pre(j, key))
		return;
	fprintf(j->f, "%lld", val);
	json_post(j);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	if (!json_pre(j, key))
		return;
	fprintf(j->f, "%llu", val);
	json_post(j);
}

void json_double(struct json *j, const char *key, double val)
{
	if (!json_pre(j, key))
		return;
	if (isfinite(val))
		/* 17 significant digits round-trip any double. */
		fprintf(j->f, "%.17g", val);
	else
		fputs("null", j->f);
	json_post(j);
}

void json_bool(struct json *j, const char *key, bool val)
{
	if (!json_pre(j, key))
		return;
	fputs(val ? "true" : "false", j->f);
	json_post(j);
}

void json_null(struct json *j, const char *key)
{
	if (!json_pre(j, key))
		return;
	fputs("null", j->f);
	json_post(j);
}

int json_end(struct json *j)
{
	if (!j->err && (j->depth || !j->done))
		json_fail(j, -EINVAL);
	if (!j->err) {
		fputc('\n', j->f);
		if (fflush(j->f) || ferror(j->f))
			json_fail(j, -EIO);
	}
	return j->err;
}
