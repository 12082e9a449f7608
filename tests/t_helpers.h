/* SPDX-License-Identifier: MIT */
/*
 * Test helpers. Each test is one program: exit 0 pass, 1 fail, 77 skip (with the reason
 * printed). Checks keep going after a failure so one run shows every broken assertion.
 */
#ifndef T_HELPERS_H
#define T_HELPERS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_EXIT_PASS 0
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

static int t_failures;
static int t_checks;

#define T_CHECK(cond)                                                                            \
	do {                                                                                     \
		t_checks++;                                                                      \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			t_failures++;                                                            \
		}                                                                                \
	} while (0)

/* Integer equality, printing both values on failure. */
#define T_EQ(a, b)                                                                          \
	do {                                                                                \
		long long _a = (long long)(a), _b = (long long)(b);                         \
		t_checks++;                                                                 \
		if (_a != _b) {                                                             \
			fprintf(stderr,                                                     \
				"%s:%d: %s == %s failed: %lld (0x%llx) != %lld (0x%llx)\n", \
				__FILE__, __LINE__, #a, #b, _a, (unsigned long long)_a, _b, \
				(unsigned long long)_b);                                    \
			t_failures++;                                                       \
		}                                                                           \
	} while (0)

#define T_STREQ(a, b)                                                                           \
	do {                                                                                    \
		const char *_a = (a), *_b = (b);                                                \
		t_checks++;                                                                     \
		if (!_a || !_b || strcmp(_a, _b)) {                                             \
			fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
				__LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");      \
			t_failures++;                                                           \
		}                                                                               \
	} while (0)

/* ioctl-style call expected to fail with errno @e: (ret == -1 && errno == e). */
#define T_ERRNO(e, call)                                                                     \
	do {                                                                                 \
		errno = 0;                                                                   \
		long _r = (long)(call);                                                      \
		int _e = errno;                                                              \
		t_checks++;                                                                  \
		if (_r != -1 || _e != (e)) {                                                 \
			fprintf(stderr, "%s:%d: %s: expected -1/%s, got %ld/%s\n", __FILE__, \
				__LINE__, #call, strerrorname_np(e), _r,                     \
				_e ? strerrorname_np(_e) : "0");                             \
			t_failures++;                                                        \
		}                                                                            \
	} while (0)

/* svart-style call expected to return -e. */
#define T_RET(e, call)                                                                            \
	do {                                                                                      \
		long _r = (long)(call);                                                           \
		t_checks++;                                                                       \
		if (_r != -(long)(e)) {                                                           \
			fprintf(stderr, "%s:%d: %s: expected %ld, got %ld\n", __FILE__, __LINE__, \
				#call, -(long)(e), _r);                                           \
			t_failures++;                                                             \
		}                                                                                 \
	} while (0)

#define T_SKIP(...)                  \
	do {                         \
		printf("SKIP: ");    \
		printf(__VA_ARGS__); \
		printf("\n");        \
		exit(T_EXIT_SKIP);   \
	} while (0)

/* Ends a test: prints a summary and returns the exit status for main(). */
static inline int t_done(const char *name)
{
	if (t_checks == 0) {
		fprintf(stderr, "%s: no checks ran: a test that cannot fail is a defect\n", name);
		return T_EXIT_FAIL;
	}
	printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
	return t_failures ? T_EXIT_FAIL : T_EXIT_PASS;
}

#endif /* T_HELPERS_H */
