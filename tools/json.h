/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer for the CLI (svart info --json, svart bench --json).
 *
 * Values are written as they come; the writer tracks nesting, commas and whether a key is
 * needed (inside an object) or forbidden (inside an array, at the top). Strings are escaped
 * per RFC 8259 and bytes that are not valid UTF-8 become U+FFFD, so the output always parses.
 * Misuse (a key where none belongs, unbalanced ends, more than JSON_MAX_DEPTH levels) and
 * write errors are remembered and reported by json_end(); later calls then write nothing.
 *
 *	struct json j;
 *	json_init(&j, stdout, true);
 *	json_obj_begin(&j, NULL);
 *	json_str(&j, "name", "dsa0");
 *	json_arr_begin(&j, "wqs");
 *	json_int(&j, NULL, 0);
 *	json_arr_end(&j);
 *	json_obj_end(&j);
 *	return json_end(&j);
 */
#ifndef SVART_TOOLS_JSON_H
#define SVART_TOOLS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	bool pretty;
	int depth;
	int err; /* first error, -errno */
	bool done; /* a complete top-level value was written */
	bool in_obj[JSON_MAX_DEPTH]; /* container kind per level */
	bool has_items[JSON_MAX_DEPTH];
};

/**
 * json_init() - start a document.
 * @j: the writer.
 * @f: where to write.
 * @pretty: indent by two spaces per level, one member per line; else one line.
 */
void json_init(struct json *j, FILE *f, bool pretty);

/*
 * Every value writer takes @key: the member name inside an object, NULL in an array or for
 * the single top-level value. A NULL string value writes null.
 */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, long long val);
void json_uint(struct json *j, const char *key, unsigned long long val);
/* NaN and infinities are not JSON: they are written as null. */
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/**
 * json_end() - finish the document: a final newline, and the verdict.
 * @j: the writer.
 *
 * Return: 0 if exactly one complete value was written; -EINVAL for misuse (unbalanced,
 * missing or extra keys, too deep, nothing written); -EIO if writing failed.
 */
int json_end(struct json *j);

#endif /* SVART_TOOLS_JSON_H */
