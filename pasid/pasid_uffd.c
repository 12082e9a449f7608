// SPDX-License-Identifier: MIT
/*
 * The process-wide userfaultfd monitor. See pasid_uffd.h.
 *
 * The userfaultfd, the eventfd that stops the reader, and the threads are process resources,
 * not device nodes: they are used through libc directly, on sim as on hardware.
 *
 * Two threads. The reader only reads events and queues their ranges: it never allocates and
 * never takes a lock that is held across anything that could unmap memory, so it always
 * comes back to read(). The worker delivers the queued ranges to the subscribers, whose
 * callbacks take their binding's lock and make iommufd calls (which allocate and free; a free
 * can trim the heap, which is an unmap, which is an event). Were both jobs on one thread, that
 * thread could wait for itself, or for a binding lock held by a thread that waits for the read.
 *
 * The queue is a fixed ring; when it is full the reader records "everything" instead, and the
 * worker then tells every subscriber that all of memory went (a full invalidation: correct,
 * just costly, and only under an event storm).
 *
 * Locking: mon.lock serialises start/stop and the subscriber count; mon.subs_lock (rwlock)
 * protects the subscriber list (the worker reads it while delivering, (un)subscribe write it);
 * mon.q_lock guards the ring and is held for a few instructions at a time. Registration takes
 * none: the descriptor is fixed while anyone is subscribed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pasid/pasid_uffd.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define UFFD_EVENTS \
	(UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_REMAP)
/* Events read per read(2); the unmapping threads of all of them resume at once. */
#define UFFD_BATCH 16
#define UFFD_RING 256

struct uffd_range {
	uint64_t start;
	uint64_t end;
};

static struct {
	pthread_mutex_t lock;
	pthread_rwlock_t subs_lock;
	struct pasid_uffd_sub *subs;
	unsigned int refs;
	int uffd;
	int stop_fd;
	pthread_t reader, worker;

	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct uffd_range ring[UFFD_RING];
	unsigned int head, count;
	bool q_all; /* the ring overflowed: everything is gone */
	bool q_stop;
} mon = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.subs_lock = PTHREAD_RWLOCK_INITIALIZER,
	.uffd = -1,
	.stop_fd = -1,
	.q_lock = PTHREAD_MUTEX_INITIALIZER,
	.q_cond = PTHREAD_COND_INITIALIZER,
};

static int uffd_open(void)
{
	/* User-mode-only first: allowed without privilege where the full mode is not. */
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd < 0 && errno == EINVAL) /* before Linux 5.11 */
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/*
 * The UFFDIO_API handshake can be made once per descriptor, so the features are asked of a
 * first descriptor and enabled on a second one.
 */
static int uffd_create(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	uint64_t want = UFFD_EVENTS;
	int fd = uffd_open();

	if (fd < 0)
		return fd;
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		close(fd);
		return -EOPNOTSUPP;
	}
	close(fd);
	/* Write-protect registration is what lets us watch without taking the faults. */
	if ((api.features & UFFD_EVENTS) != UFFD_EVENTS ||
	    !(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP))
		return -EOPNOTSUPP;
	/* Optional: lets shmem (memfd, MAP_SHARED|MAP_ANONYMOUS) be watched too. */
	want |= api.features & UFFD_FEATURE_WP_HUGETLBFS_SHMEM;

	fd = uffd_open();
	if (fd < 0)
		return fd;
	api = (struct uffdio_api){ .api = UFFD_API, .features = want };
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		close(fd);
		return -EOPNOTSUPP;
	}
	return fd;
}

/* Reader side: queue [start, end), merged into the newest entry when they touch. */
static void queue(uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&mon.q_lock);
	if (mon.count) {
		struct uffd_range *last = &mon.ring[(mon.head + mon.count - 1) % UFFD_RING];

		if (start <= last->end && end >= last->start) {
			last->start = start < last->start ? start : last->start;
			last->end = end > last->end ? end : last->end;
			goto out_signal;
		}
	}
	if (mon.count == UFFD_RING)
		mon.q_all = true;
	else
		mon.ring[(mon.head + mon.count++) % UFFD_RING] = (struct uffd_range){ start, end };
out_signal:
	pthread_cond_signal(&mon.q_cond);
	pthread_mutex_unlock(&mon.q_lock);
}

static void *reader(void *arg)
{
	int uffd = (int)(intptr_t)arg;
	struct uffd_msg msg[UFFD_BATCH];

	for (;;) {
		struct pollfd p[2] = { { .fd = uffd, .events = POLLIN },
				       { .fd = mon.stop_fd, .events = POLLIN } };
		ssize_t n;

		/*
		 * Never give up reading while running: a thread that unmaps watched memory would
		 * wait for us forever. Errors other than EINTR/EAGAIN do not happen on these
		 * descriptors; if one did, retrying slowly beats stopping.
		 */
		if (poll(p, 2, -1) < 0) {
			if (errno != EINTR)
				usleep(1000);
			continue;
		}
		if (p[1].revents)
			break;
		/* Reading is what lets the unmapping threads go on. */
		n = read(uffd, msg, sizeof(msg));
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				usleep(1000);
			continue;
		}
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(msg[0]); i++) {
			const struct uffd_msg *m = &msg[i];

			if (m->event == UFFD_EVENT_UNMAP || m->event == UFFD_EVENT_REMOVE)
				queue(m->arg.remove.start, m->arg.remove.end);
			else if (m->event == UFFD_EVENT_REMAP) /* the old range is gone */
				queue(m->arg.remap.from, m->arg.remap.from + m->arg.remap.len);
		}
	}
	/*
	 * Closed here, by the last thread using it, and before this thread exits: the close
	 * unregisters every range, and a thread's exit unmaps memory of its own (stack caches,
	 * sanitizer data) that may lie in a registered range; unmapped while still registered,
	 * that would wait for a reader, which is this thread.
	 */
	close(uffd);
	return NULL;
}

static void deliver(uint64_t start, uint64_t len)
{
	pthread_rwlock_rdlock(&mon.subs_lock);
	for (struct pasid_uffd_sub *s = mon.subs; s; s = s->next)
		s->gone(s->arg, start, len);
	pthread_rwlock_unlock(&mon.subs_lock);
}

static void *worker(void *arg)
{
	pthread_mutex_lock(&mon.q_lock);
	for (;;) {
		struct uffd_range r = { 0, UINT64_MAX };

		while (!mon.count && !mon.q_all && !mon.q_stop)
			pthread_cond_wait(&mon.q_cond, &mon.q_lock);
		if (mon.q_stop)
			break;
		if (mon.q_all) {
			mon.q_all = false;
			mon.count = 0;
		} else {
			r = mon.ring[mon.head];
			mon.head = (mon.head + 1) % UFFD_RING;
			mon.count--;
		}
		/* Delivery takes binding locks and may unmap memory: never under q_lock. */
		pthread_mutex_unlock(&mon.q_lock);
		deliver(r.start, r.end - r.start);
		pthread_mutex_lock(&mon.q_lock);
	}
	pthread_mutex_unlock(&mon.q_lock);
	return NULL;
}

static void stop_worker(void)
{
	pthread_mutex_lock(&mon.q_lock);
	mon.q_stop = true;
	pthread_cond_signal(&mon.q_cond);
	pthread_mutex_unlock(&mon.q_lock);
	pthread_join(mon.worker, NULL);
}

static int monitor_start(void)
{
	sigset_t all, old;
	int fd, rc;

	fd = uffd_create();
	if (fd < 0)
		return fd;
	mon.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mon.stop_fd < 0) {
		rc = -errno;
		goto out_close_uffd;
	}
	__atomic_store_n(&mon.uffd, fd, __ATOMIC_RELEASE);
	mon.head = 0;
	mon.count = 0;
	mon.q_all = false;
	mon.q_stop = false;
	/* Library threads take none of the application's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&mon.worker, NULL, worker, NULL);
	if (!rc) {
		rc = -pthread_create(&mon.reader, NULL, reader, (void *)(intptr_t)fd);
		if (rc)
			stop_worker();
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto out_close_stop;
	return 0;

out_close_stop:
	close(mon.stop_fd);
	mon.stop_fd = -1;
	__atomic_store_n(&mon.uffd, -1, __ATOMIC_RELEASE);
out_close_uffd:
	close(fd);
	return rc;
}

static void monitor_stop(void)
{
	uint64_t one = 1;

	/*
	 * No subscriber is left, so the worker waits for nobody, and nobody registers any more.
	 * The reader reads on until told, then closes the userfaultfd itself (see reader()).
	 */
	stop_worker();
	__atomic_store_n(&mon.uffd, -1, __ATOMIC_RELEASE);
	if (write(mon.stop_fd, &one, sizeof(one)) != sizeof(one))
		return; /* cannot happen on an eventfd below its maximum; keep reading */
	pthread_join(mon.reader, NULL);
	close(mon.stop_fd);
	mon.stop_fd = -1;
}

int pasid_uffd_subscribe(struct pasid_uffd_sub *sub)
{
	int rc = 0;

	pthread_mutex_lock(&mon.lock);
	if (!mon.refs)
		rc = monitor_start();
	if (!rc) {
		mon.refs++;
		pthread_rwlock_wrlock(&mon.subs_lock);
		sub->next = mon.subs;
		mon.subs = sub;
		pthread_rwlock_unlock(&mon.subs_lock);
	}
	pthread_mutex_unlock(&mon.lock);
	return rc;
}

void pasid_uffd_unsubscribe(struct pasid_uffd_sub *sub)
{
	pthread_mutex_lock(&mon.lock);
	/* Pairs with the read lock of deliver(): waits out a delivery to @sub. */
	pthread_rwlock_wrlock(&mon.subs_lock);
	for (struct pasid_uffd_sub **p = &mon.subs; *p; p = &(*p)->next) {
		if (*p == sub) {
			*p = sub->next;
			break;
		}
	}
	pthread_rwlock_unlock(&mon.subs_lock);
	if (!--mon.refs)
		monitor_stop();
	pthread_mutex_unlock(&mon.lock);
}

int pasid_uffd_register(uint64_t start, uint64_t len)
{
	struct uffdio_register reg = {
		.range = { .start = start, .len = len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int fd = __atomic_load_n(&mon.uffd, __ATOMIC_ACQUIRE);

	if (fd < 0)
		return -ENODEV;
	return ioctl(fd, UFFDIO_REGISTER, &reg) < 0 ? -errno : 0;
}
