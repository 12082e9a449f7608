/* SPDX-License-Identifier: MIT */
/*
 * The fake device node of the interposer's test library (libsvart-sim-preload-fake.so): its
 * path and ioctls, shared by the node (fake_chrdev.c, inside the library) and the program
 * that drives it (preload_mech.c, plain libc).
 *
 * /dev/svart-fake0 is a character device whose read returns "0123456789" from the file
 * position; /dev/svart-fakeN for any other N does not exist (open gives ENOENT).
 */
#ifndef SVART_TESTS_FAKE_CHRDEV_H
#define SVART_TESTS_FAKE_CHRDEV_H

#include <linux/ioctl.h>
#include <stdint.h>

#define FAKE_PREFIX "/dev/svart-fake"
#define FAKE_PATH FAKE_PREFIX "0"
#define FAKE_DATA "0123456789"

struct fake_echo {
	uint64_t in;
	uint64_t out; /* in + 1 */
};

struct fake_last_write {
	int64_t pos; /* the position the write op was given */
	uint64_t count; /* its count; 0 if there was none */
};

#define FAKE_IOC_ECHO _IOWR('Z', 1, struct fake_echo)
/* arg 0/1: make the descriptor poll readable (through the eventfd) or not. */
#define FAKE_IOC_SET_READABLE _IO('Z', 2)
/* The file's poll op reports POLLHUP from now on (the eventfd knows nothing of it). */
#define FAKE_IOC_SET_HUP _IO('Z', 3)
#define FAKE_IOC_LAST_WRITE _IOR('Z', 4, struct fake_last_write)
/* Returns a new descriptor for an anonymous sim file that only answers FAKE_IOC_ECHO. */
#define FAKE_IOC_NEW_FD _IO('Z', 5)

#endif
