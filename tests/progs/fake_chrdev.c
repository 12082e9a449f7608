// SPDX-License-Identifier: MIT
/*
 * A fake sim device node for testing the interposer without depending on any real sim model
 * (tests/progs/fake_chrdev.h describes it). Linked only into libsvart-sim-preload-fake.so,
 * where it fills the interposer's test hook, sim_preload_test_chrdev_find().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "sim/preload/preload.h"
#include "fake_chrdev.h"

struct fake_state {
	bool hup;
	struct fake_last_write last;
};

static long fake_echo(void *arg)
{
	struct fake_echo *e = arg;

	if (!e)
		return -EFAULT;
	e->out = e->in + 1;
	return 0;
}

static long fake_anon_ioctl(struct sim_file *file, unsigned long cmd, void *arg)
{
	return cmd == FAKE_IOC_ECHO ? fake_echo(arg) : -ENOTTY;
}

static const struct sim_file_ops fake_anon_ops = {
	.name = "svart-fake-anon",
	.ioctl = fake_anon_ioctl,
};

static long fake_ioctl(struct sim_file *file, unsigned long cmd, void *arg)
{
	struct fake_state *st = file->private_data;
	struct sim_file *anon;

	switch (cmd) {
	case FAKE_IOC_ECHO:
		return fake_echo(arg);
	case FAKE_IOC_SET_READABLE:
		sim_file_set_readable(file, arg != NULL);
		return 0;
	case FAKE_IOC_SET_HUP:
		st->hup = true;
		return 0;
	case FAKE_IOC_LAST_WRITE:
		if (!arg)
			return -EFAULT;
		memcpy(arg, &st->last, sizeof(st->last));
		return 0;
	case FAKE_IOC_NEW_FD:
		return sim_file_create(&fake_anon_ops, NULL, O_RDWR | O_CLOEXEC, &anon);
	default:
		return -ENOTTY;
	}
}

static ssize_t fake_read(struct sim_file *file, void *buf, size_t count, off_t *pos)
{
	size_t len = strlen(FAKE_DATA);

	if (*pos >= (off_t)len)
		return 0;
	if (count > len - (size_t)*pos)
		count = len - (size_t)*pos;
	memcpy(buf, FAKE_DATA + *pos, count);
	*pos += (off_t)count;
	return (ssize_t)count;
}

static ssize_t fake_write(struct sim_file *file, const void *buf, size_t count, off_t *pos)
{
	struct fake_state *st = file->private_data;

	st->last.pos = *pos;
	st->last.count = count;
	*pos += (off_t)count;
	return (ssize_t)count;
}

static unsigned int fake_poll(struct sim_file *file)
{
	struct fake_state *st = file->private_data;

	return st->hup ? POLLHUP : 0;
}

static void fake_release(struct sim_file *file)
{
	free(file->private_data);
}

static const struct sim_file_ops fake_ops = {
	.name = "svart-fake",
	.ioctl = fake_ioctl,
	.read = fake_read,
	.write = fake_write,
	.poll = fake_poll,
	.release = fake_release,
};

static int fake_open(const char *path, int flags)
{
	struct fake_state *st;
	struct sim_file *file;
	int fd;

	if (strcmp(path, FAKE_PATH))
		return -ENOENT;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	fd = sim_file_create(&fake_ops, st, flags, &file);
	if (fd < 0)
		free(st);
	return fd;
}

static const struct sim_chrdev fake_chrdev = {
	.path = FAKE_PREFIX,
	.prefix = true,
	.open = fake_open,
};

const struct sim_chrdev *sim_preload_test_chrdev_find(const char *path)
{
	return strncmp(path, FAKE_PREFIX, strlen(FAKE_PREFIX)) ? NULL : &fake_chrdev;
}
