/* SPDX-License-Identifier: MIT */
/*
 * svart: a runtime for Shared Virtual Addressing accelerators (Intel DSA and IAA class
 * devices): binds process address spaces to device PASIDs, submits 64-byte descriptors with
 * ENQCMD / MOVDIR64B, resolves I/O page faults, and falls back to the CPU when it must.
 *
 * Conventions (every function below):
 *  - returns 0, a count, or a negative error code: -errno, or -SVART_E* for device
 *    statuses; errno is never part of the contract;
 *  - svart_strerror() turns any of those codes into readable text.
 */
#ifndef SVART_H
#define SVART_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SVART_BUILDING)
#define SVART_API __attribute__((visibility("default")))
#else
#define SVART_API
#endif

#define SVART_VERSION_MAJOR 0
#define SVART_VERSION_MINOR 1
#define SVART_VERSION_PATCH 0

/*
 * Error codes beyond errno. Linux errno values are below 4096; svart's own codes start at
 * 0x1000 and are returned negated, like errno values.
 *
 * A device that ends a descriptor with an error status the runtime cannot resolve reports it
 * as -SVART_EDSA(status) or -SVART_EIAA(status), status being the completion record's status
 * with the write-fault bit (0x80) removed; svart_strerror() names the status as the DSA/IAA
 * specifications do.
 */
#define SVART_EBASE 0x1000
#define SVART_EDSA(status) (SVART_EBASE + 0x000 + ((status) & 0x7f))
#define SVART_EIAA(status) (SVART_EBASE + 0x100 + ((status) & 0x7f))
/* IAA analytics error: the completion record's error_code (e.g. 17 = distance too far). */
#define SVART_EIAA_ANALYTICS(code) (SVART_EBASE + 0x200 + ((code) & 0xff))
#define SVART_EMAX (SVART_EBASE + 0x300)

/**
 * svart_version() - the library's version, as a string "MAJOR.MINOR.PATCH".
 *
 * Return: a static string; never NULL.
 */
SVART_API const char *svart_version(void);

/**
 * svart_strerror() - text for an error code returned by svart.
 * @err: a code as returned (negative) or its absolute value; 0 gives "Success".
 *
 * Return: a static string; never NULL, thread-safe. Unknown codes give "Unknown error".
 */
SVART_API const char *svart_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SVART_H */
