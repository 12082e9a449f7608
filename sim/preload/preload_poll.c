// SPDX-License-Identifier: MIT
/*
 * poll(2) and ppoll(2) with sim's events merged in.
 *
 * A sim descriptor is an eventfd that sim keeps readable exactly while the file has data, so
 * the kernel's own poll already sees most of its readiness. What it cannot see is what the
 * file's poll op adds (POLLHUP, or POLLIN on a file that polls readable without data, as
 * iommufd's default mask does). So: poll without waiting, merge sim's events in for sim
 * descriptors (restricted to the requested events plus POLLHUP and POLLERR, which poll
 * always reports); if nothing is ready, poll again with the caller's timeout and merge again.
 * An event sim raises through its poll op while a thread already sleeps in poll() does not
 * wake it; one raised through the eventfd does.
 *
 * select(), pselect() and epoll are not interposed: they see the eventfd's readiness only.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <poll.h>

#include "sim/preload/preload.h"

/* Merges sim's events into @fds. Return: the number of entries with events. */
static int sim_preload_poll_merge(struct pollfd *fds, nfds_t nfds)
{
	int ready = 0;

	for (nfds_t i = 0; i < nfds; i++) {
		if (fds[i].fd >= 0) {
			int ev =
				sim_poll_events(fds[i].fd); /* -EBADF for others; errno untouched */

			if (ev > 0)
				fds[i].revents |= (short)(ev & (fds[i].events | POLLHUP | POLLERR));
		}
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* ppoll() with an optional timeout, shared by both entry points. */
static int sim_preload_do_poll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
			       const sigset_t *sigmask, bool is_ppoll, int timeout_ms)
{
	static const struct timespec zero;
	int rc;

	rc = is_ppoll ? sim_preload_real_ppoll(fds, nfds, &zero, sigmask) :
			sim_preload_real_poll(fds, nfds, 0);
	if (rc < 0)
		return rc;
	rc = sim_preload_poll_merge(fds, nfds);
	if (rc > 0 || (is_ppoll ? timeout && !timeout->tv_sec && !timeout->tv_nsec : !timeout_ms))
		return rc;
	rc = is_ppoll ? sim_preload_real_ppoll(fds, nfds, timeout, sigmask) :
			sim_preload_real_poll(fds, nfds, timeout_ms);
	if (rc < 0)
		return rc;
	return sim_preload_poll_merge(fds, nfds);
}

SIM_PRELOAD_EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (!sim_preload_active())
		return sim_preload_real_poll(fds, nfds, timeout);
	return sim_preload_do_poll(fds, nfds, NULL, NULL, false, timeout);
}

SIM_PRELOAD_EXPORT int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
			     const sigset_t *sigmask)
{
	if (!sim_preload_active())
		return sim_preload_real_ppoll(fds, nfds, timeout, sigmask);
	return sim_preload_do_poll(fds, nfds, timeout, sigmask, true, 0);
}

/* The fortified variants: glibc's bounds check first, then the plain call. */
SIM_PRELOAD_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	if (!sim_preload_active() || fdslen / sizeof(*fds) < nfds)
		return sim_preload_real___poll_chk(fds, nfds, timeout, fdslen);
	return sim_preload_do_poll(fds, nfds, NULL, NULL, false, timeout);
}

SIM_PRELOAD_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
				   const sigset_t *sigmask, size_t fdslen)
{
	if (!sim_preload_active() || fdslen / sizeof(*fds) < nfds)
		return sim_preload_real___ppoll_chk(fds, nfds, timeout, sigmask, fdslen);
	return sim_preload_do_poll(fds, nfds, timeout, sigmask, true, 0);
}
