// SPDX-License-Identifier: MIT
/*
 * sim iommufd across fork() (fork.h has the why).
 *
 * At fork() (pthread_atfork): prepare collects the sim files a child would share with us
 * (iommufd, its fault and access files, VFIO device cdevs), each with a reference, and makes a
 * socketpair. The parent keeps one end and starts a thread that serves the child; the child
 * turns its copies of those files into forwarders: every ioctl, read, write, poll and the last
 * close go over the socket, one request at a time, and the parent's thread runs them on the
 * real files with the child as the current process (sim_fork_uaccess_pid, sim_mm_get_current()).
 * The references taken at prepare keep the parent's context alive while the child has it,
 * as the kernel's shared struct file does; the child's exit (end of file on the socket) or
 * its close drops them.
 *
 * Nothing here runs unless a process that has such files forks: a process that never forks
 * pays one thread-local load per user copy and per IOAS_MAP.
 *
 * Limits (docs/SIM_IOMMUFD.md, "fork()"): a forwarded file cannot be inherited once more (a
 * grandchild's calls fail with EOPNOTSUPP and a message), commands that create descriptors
 * (FAULT_QUEUE_ALLOC, VEVENTQ_ALLOC, the selftest's CREATE_ACCESS) are EOPNOTSUPP from a
 * child, mmap() of a forwarded file is ENODEV, and the files do not survive exec().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim/iommufd/fork.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

__thread pid_t sim_fork_uaccess_pid;

struct sim_mm {
	atomic_int refs;
	pid_t pid;
	int pidfd; /* -1 without pidfd_open(2): liveness then comes from kill(pid, 0) */
};

/* ---- user memory of a process ----------------------------------------------------------- */

int sim_process_rw(pid_t pid, uintptr_t va, void *buf, size_t n, bool write)
{
	struct iovec local = { .iov_base = buf, .iov_len = n };
	struct iovec remote = { .iov_base = (void *)va, .iov_len = n };
	ssize_t got;

	if (!n)
		return 0;
	if (!va)
		return -EFAULT;
	if (!pid)
		pid = getpid();
	got = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0) :
		      process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return got == (ssize_t)n ? 0 : -EFAULT;
}

/* ---- another process's mm --------------------------------------------------------------- */

static struct sim_mm *sim_mm_new(pid_t pid)
{
	struct sim_mm *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	atomic_init(&mm->refs, 1);
	mm->pid = pid;
	/* A pidfd says "exited" even after the pid is reused; O_CLOEXEC is implied. */
	mm->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return mm;
}

void sim_mm_put(struct sim_mm *mm)
{
	if (atomic_fetch_sub(&mm->refs, 1) != 1)
		return;
	if (mm->pidfd >= 0)
		close(mm->pidfd);
	free(mm);
}

/* The process exited: its mm is gone (the task drops it before it becomes a zombie). */
static bool sim_mm_gone(const struct sim_mm *mm)
{
	struct pollfd p = { .fd = mm->pidfd, .events = POLLIN };

	if (mm->pidfd < 0)
		return kill(mm->pid, 0) && errno == ESRCH;
	return poll(&p, 1, 0) != 0;
}

/* ---- connections (parent side) ---------------------------------------------------------- */

enum sim_fork_op {
	SIM_FORK_HELLO, /* the child's pid, first message */
	SIM_FORK_IOCTL,
	SIM_FORK_READ,
	SIM_FORK_WRITE,
	SIM_FORK_POLL,
	SIM_FORK_CLOSE,
};

struct sim_fork_req {
	uint32_t op;
	uint32_t handle; /* index into the connection's files */
	int32_t pid;
	uint32_t pad;
	uint64_t cmd;
	uint64_t arg; /* ioctl argument or buffer, a child address */
	uint64_t count;
	int64_t pos;
};

struct sim_fork_rsp {
	int64_t ret;
	int64_t pos;
};

/* One child's view of our files. */
struct sim_fork_conn {
	struct sim_fork_conn *next;
	atomic_int refs; /* the list's and the serving thread's */
	int sock;
	int child_sock; /* between prepare and the fork handlers only */
	pthread_mutex_t lock; /* held while a request runs, and to disconnect */
	bool dead;
	struct sim_mm *mm;
	size_t nr_files;
	struct sim_file **files; /* NULL once the child closed it */
	int *fds; /* descriptor numbers at the fork */
};

/* Guards the connection list and sim_mm_resolve_pages(). */
static pthread_mutex_t sim_fork_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_fork_conn *sim_fork_conns;
static atomic_int sim_fork_nr_conns;
/* Made in prepare, handed on in the parent or child handler. */
static struct sim_fork_conn *sim_fork_pending;
/* The connection this thread is serving a request of. */
static __thread struct sim_fork_conn *sim_fork_serving;

static const char *const sim_fork_shared_files[] = {
	"iommufd",
	"[iommufd-pgfault]",
	"[iommufd_test_staccess]",
	"vfio-device",
};

static bool sim_fork_shares(const struct sim_file *file)
{
	for (size_t i = 0; i < sizeof(sim_fork_shared_files) / sizeof(*sim_fork_shared_files); i++)
		if (!strcmp(file->ops->name, sim_fork_shared_files[i]))
			return true;
	return false;
}

static void sim_fork_conn_drop_files(struct sim_fork_conn *conn)
{
	for (size_t i = 0; i < conn->nr_files; i++) {
		if (conn->files[i])
			sim_file_put(conn->files[i]); /* Pairs with sim_fork_collect() */
		conn->files[i] = NULL;
	}
}

static void sim_fork_conn_free(struct sim_fork_conn *conn)
{
	sim_fork_conn_drop_files(conn);
	if (conn->mm)
		sim_mm_put(conn->mm);
	if (conn->sock >= 0)
		close(conn->sock);
	pthread_mutex_destroy(&conn->lock);
	free(conn->files);
	free(conn->fds);
	free(conn);
}

static void sim_fork_conn_put(struct sim_fork_conn *conn)
{
	if (atomic_fetch_sub(&conn->refs, 1) == 1)
		sim_fork_conn_free(conn);
}

/* The child is gone (or closed its end): its references go. conn->lock held. */
static void sim_fork_conn_disconnect_locked(struct sim_fork_conn *conn)
{
	if (conn->dead)
		return;
	conn->dead = true;
	sim_fork_conn_drop_files(conn);
}

static void sim_fork_conn_unlist(struct sim_fork_conn *conn)
{
	bool found = false;

	pthread_mutex_lock(&sim_fork_lock);
	for (struct sim_fork_conn **p = &sim_fork_conns; *p; p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sim_fork_lock);
	if (found) {
		atomic_fetch_sub(&sim_fork_nr_conns, 1);
		sim_fork_conn_put(conn); /* The list's reference */
	}
}

void sim_fork_reap(void)
{
	struct sim_fork_conn *dead[16];
	size_t n = 0;

	if (!atomic_load_explicit(&sim_fork_nr_conns, memory_order_relaxed))
		return;
	pthread_mutex_lock(&sim_fork_lock);
	for (struct sim_fork_conn *c = sim_fork_conns; c && n < 16; c = c->next) {
		struct pollfd p = { .fd = c->sock, .events = POLLIN };

		/* POLLHUP: every copy of the child's end is closed, nothing more can come. */
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLHUP))
			continue;
		/* Busy: the serving thread finishes the request and then sees the end itself. */
		if (pthread_mutex_trylock(&c->lock))
			continue;
		atomic_fetch_add(&c->refs, 1); /* Pairs with the put below */
		dead[n++] = c;
	}
	pthread_mutex_unlock(&sim_fork_lock);
	for (size_t i = 0; i < n; i++) {
		sim_fork_conn_disconnect_locked(dead[i]);
		pthread_mutex_unlock(&dead[i]->lock);
		sim_fork_conn_put(dead[i]);
	}
}

struct sim_mm *sim_mm_get_current(void)
{
	struct sim_fork_conn *conn = sim_fork_serving;

	if (!conn || !conn->mm)
		return NULL;
	atomic_fetch_add(&conn->mm->refs, 1); /* Pairs with sim_mm_put() */
	return conn->mm;
}

int sim_fork_dup_user_fd(int fd)
{
	struct sim_fork_conn *conn = sim_fork_serving;
	int dupfd;

	if (!conn || !conn->mm) {
		dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return dupfd < 0 ? -EBADF : dupfd;
	}
	if (conn->mm->pidfd < 0)
		return -EBADF;
	/* The new descriptor is close-on-exec. */
	dupfd = (int)syscall(SYS_pidfd_getfd, conn->mm->pidfd, fd, 0);
	return dupfd < 0 ? -EBADF : dupfd;
}

/*
 * Commands that install a new descriptor: the kernel puts it in the caller's table, sim would
 * put it in ours, where the child cannot use it. Refused before they run.
 */
static bool sim_fork_creates_fd(struct sim_file *file, unsigned long cmd, uint64_t arg)
{
	uint32_t hdr[2];

	if (strcmp(file->ops->name, "iommufd"))
		return false;
	if (cmd == IOMMU_FAULT_QUEUE_ALLOC || cmd == IOMMU_VEVENTQ_ALLOC)
		return true;
	if (cmd != IOMMU_TEST_CMD)
		return false;
	/* struct iommu_test_cmd starts with size and op; an unreadable one fails as usual. */
	if (sim_process_rw(sim_fork_uaccess_pid, arg, hdr, sizeof(hdr), false))
		return false;
	return hdr[1] == IOMMU_TEST_OP_CREATE_ACCESS;
}

static long sim_fork_execute(struct sim_fork_conn *conn, const struct sim_fork_req *req,
			     int64_t *pos)
{
	struct sim_file *file;
	off_t p = (off_t)req->pos;
	long rc;

	if (req->handle >= conn->nr_files || !conn->files[req->handle])
		return -EBADF;
	file = conn->files[req->handle];
	switch (req->op) {
	case SIM_FORK_IOCTL:
		if (sim_fork_creates_fd(file, req->cmd, req->arg))
			return -EOPNOTSUPP;
		return file->ops->ioctl ? file->ops->ioctl(file, req->cmd, (void *)req->arg) :
					  -ENOTTY;
	case SIM_FORK_READ:
		rc = file->ops->read ? file->ops->read(file, (void *)req->arg, req->count, &p) :
				       -EINVAL;
		*pos = p;
		return rc;
	case SIM_FORK_WRITE:
		rc = file->ops->write ?
			     file->ops->write(file, (const void *)req->arg, req->count, &p) :
			     -EINVAL;
		*pos = p;
		return rc;
	case SIM_FORK_POLL:
		rc = atomic_load(&file->readable) ? POLLIN | POLLRDNORM : 0;
		if (file->ops->poll)
			rc |= file->ops->poll(file);
		return rc;
	case SIM_FORK_CLOSE:
		conn->files[req->handle] = NULL;
		sim_file_put(file); /* Pairs with sim_fork_collect() */
		return 0;
	default:
		return -EINVAL;
	}
}

/* The thread serving one child: requests until the child's end closes. */
static void *sim_fork_serve(void *arg)
{
	struct sim_fork_conn *conn = arg;

	for (;;) {
		struct sim_fork_rsp rsp = { 0 };
		struct sim_fork_req req;
		ssize_t n = recv(conn->sock, &req, sizeof(req), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (n != sizeof(req)) {
			rsp.ret = -EINVAL;
		} else if (req.op == SIM_FORK_HELLO) {
			if (!conn->mm)
				conn->mm = sim_mm_new(req.pid);
			rsp.ret = conn->mm ? 0 : -ENOMEM;
		} else {
			pthread_mutex_lock(&conn->lock);
			if (conn->dead || !conn->mm) {
				rsp.ret = -EBADF;
			} else {
				rsp.pos = req.pos;
				sim_fork_serving = conn;
				sim_fork_uaccess_pid = conn->mm->pid;
				rsp.ret = sim_fork_execute(conn, &req, &rsp.pos);
				sim_fork_uaccess_pid = 0;
				sim_fork_serving = NULL;
			}
			pthread_mutex_unlock(&conn->lock);
		}
		if (send(conn->sock, &rsp, sizeof(rsp), MSG_NOSIGNAL) != sizeof(rsp))
			break;
	}
	pthread_mutex_lock(&conn->lock);
	sim_fork_conn_disconnect_locked(conn);
	pthread_mutex_unlock(&conn->lock);
	sim_fork_conn_unlist(conn);
	sim_fork_conn_put(conn); /* The thread's reference */
	return NULL;
}

/* ---- the child's forwarders ------------------------------------------------------------- */

struct sim_fork_client {
	int sock;
	pthread_mutex_t lock; /* one request in flight */
	bool orphan; /* inherited once more: no parent serves this process */
};

struct sim_fork_fwd {
	struct sim_fork_client *client;
	uint32_t handle;
	/* The parent's file state as copied by fork(): kept reachable, never used. */
	const struct sim_file_ops *orig_ops;
	void *orig_priv;
};

/* This process's connection to its parent, when it is a forked child. */
static struct sim_fork_client *sim_fork_client;

static long sim_fork_call(struct sim_file *file, struct sim_fork_req *req, off_t *pos)
{
	struct sim_fork_fwd *fwd = file->private_data;
	struct sim_fork_client *client = fwd->client;
	struct sim_fork_rsp rsp;
	long rc = -EIO;

	if (client->orphan) {
		static atomic_bool warned;

		if (!atomic_exchange(&warned, true))
			fprintf(stderr,
				"sim: a sim iommufd/VFIO descriptor inherited over two fork()s "
				"is not supported (docs/SIM_IOMMUFD.md)\n");
		return -EOPNOTSUPP;
	}
	req->handle = fwd->handle;
	req->pid = (int32_t)getpid();
	req->pos = pos ? (int64_t)*pos : 0;
	pthread_mutex_lock(&client->lock);
	/* The parent gone: the file went with it (the kernel would have kept it). */
	if (send(client->sock, req, sizeof(*req), MSG_NOSIGNAL) == sizeof(*req) &&
	    recv(client->sock, &rsp, sizeof(rsp), 0) == sizeof(rsp)) {
		rc = (long)rsp.ret;
		if (pos)
			*pos = (off_t)rsp.pos;
	}
	pthread_mutex_unlock(&client->lock);
	return rc;
}

static long sim_fork_fwd_ioctl(struct sim_file *file, unsigned long cmd, void *arg)
{
	struct sim_fork_req req = { .op = SIM_FORK_IOCTL, .cmd = cmd, .arg = (uintptr_t)arg };

	return sim_fork_call(file, &req, NULL);
}

static ssize_t sim_fork_fwd_read(struct sim_file *file, void *buf, size_t count, off_t *pos)
{
	struct sim_fork_req req = { .op = SIM_FORK_READ, .arg = (uintptr_t)buf, .count = count };

	return sim_fork_call(file, &req, pos);
}

static ssize_t sim_fork_fwd_write(struct sim_file *file, const void *buf, size_t count, off_t *pos)
{
	struct sim_fork_req req = { .op = SIM_FORK_WRITE, .arg = (uintptr_t)buf, .count = count };

	return sim_fork_call(file, &req, pos);
}

static unsigned int sim_fork_fwd_poll(struct sim_file *file)
{
	struct sim_fork_req req = { .op = SIM_FORK_POLL };
	long rc = sim_fork_call(file, &req, NULL);

	return rc < 0 ? POLLERR : (unsigned int)rc;
}

static void sim_fork_fwd_release(struct sim_file *file)
{
	struct sim_fork_fwd *fwd = file->private_data;
	struct sim_fork_req req = { .op = SIM_FORK_CLOSE };

	if (!fwd->client->orphan)
		sim_fork_call(file, &req, NULL);
	free(fwd);
}

/* Files with a poll op drive their readiness themselves; the parent's answer is the truth. */
static const struct sim_file_ops sim_fork_fwd_fops_poll = {
	.name = "forwarded to the parent",
	.ioctl = sim_fork_fwd_ioctl,
	.read = sim_fork_fwd_read,
	.write = sim_fork_fwd_write,
	.poll = sim_fork_fwd_poll,
	.release = sim_fork_fwd_release,
};

static const struct sim_file_ops sim_fork_fwd_fops = {
	.name = "forwarded to the parent",
	.ioctl = sim_fork_fwd_ioctl,
	.read = sim_fork_fwd_read,
	.write = sim_fork_fwd_write,
	.release = sim_fork_fwd_release,
};

/* ---- the fork handlers ------------------------------------------------------------------ */

static int sim_fork_collect(int fd, struct sim_file *file, void *data)
{
	struct sim_fork_conn *conn = data;
	size_t n = conn->nr_files;
	struct sim_file **files;
	int *fds;

	if (!sim_fork_shares(file))
		return 0;
	files = realloc(conn->files, (n + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	conn->files = files;
	fds = realloc(conn->fds, (n + 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	conn->fds = fds;
	atomic_fetch_add(&file->users, 1); /* Pairs with sim_fork_conn_drop_files() */
	conn->files[n] = file;
	conn->fds[n] = fd;
	conn->nr_files++;
	return 0;
}

static void sim_fork_prepare(void)
{
	struct sim_fork_conn *conn = calloc(1, sizeof(*conn));
	int sv[2];

	sim_fork_pending = NULL;
	if (!conn)
		return;
	conn->sock = conn->child_sock = -1;
	pthread_mutex_init(&conn->lock, NULL);
	if (sim_file_for_each(sim_fork_collect, conn) || !conn->nr_files)
		goto out_free;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		fprintf(stderr,
			"sim: no connection for the child of fork(): %s; its sim "
			"descriptors stay private copies\n",
			strerror(errno));
		goto out_free;
	}
	conn->sock = sv[0];
	conn->child_sock = sv[1];
	atomic_init(&conn->refs, 1);
	sim_fork_pending = conn;
	return;

out_free:
	sim_fork_conn_free(conn);
}

static void sim_fork_parent(void)
{
	struct sim_fork_conn *conn = sim_fork_pending;
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	int rc;

	if (!conn)
		return;
	sim_fork_pending = NULL;
	close(conn->child_sock);
	conn->child_sock = -1;
	atomic_fetch_add(&conn->refs, 1); /* The thread's, pairs with sim_fork_serve() */
	pthread_mutex_lock(&sim_fork_lock);
	conn->next = sim_fork_conns;
	sim_fork_conns = conn;
	pthread_mutex_unlock(&sim_fork_lock);
	atomic_fetch_add(&sim_fork_nr_conns, 1);
	/* The program's signals are for its own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, sim_fork_serve, conn);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		/* The child's calls fail with EIO once our end is closed. */
		fprintf(stderr, "sim: cannot serve the child of fork(): %s\n", strerror(rc));
		sim_fork_conn_unlist(conn);
		sim_fork_conn_put(conn);
	}
}

static void sim_fork_child(void)
{
	struct sim_fork_conn *conn = sim_fork_pending, *c;
	struct sim_fork_req hello = { .op = SIM_FORK_HELLO };
	struct sim_fork_client *client;
	struct sim_fork_rsp rsp;

	sim_fork_pending = NULL;
	/*
	 * Forwarders inherited from our parent's parent have nobody to talk to here, and our
	 * copy of their socket must not keep that parent's end open once our parent exits.
	 */
	if (sim_fork_client && !sim_fork_client->orphan) {
		sim_fork_client->orphan = true;
		close(sim_fork_client->sock);
		sim_fork_client->sock = -1;
	}
	/* The parent's serving threads did not come along: forget their connections. */
	while ((c = sim_fork_conns)) {
		sim_fork_conns = c->next;
		/* Their file references are the parent's, copied: not ours to drop. */
		c->nr_files = 0;
		sim_fork_conn_free(c);
	}
	atomic_store(&sim_fork_nr_conns, 0);
	if (!conn)
		return;
	close(conn->sock);
	conn->sock = -1;
	client = calloc(1, sizeof(*client));
	if (!client)
		goto out_close;
	client->sock = conn->child_sock;
	pthread_mutex_init(&client->lock, NULL);
	hello.pid = (int32_t)getpid();
	if (send(client->sock, &hello, sizeof(hello), MSG_NOSIGNAL) != sizeof(hello) ||
	    recv(client->sock, &rsp, sizeof(rsp), 0) != sizeof(rsp) || rsp.ret)
		goto out_free;
	for (size_t i = 0; i < conn->nr_files; i++) {
		struct sim_file *file = conn->files[i], *now = sim_file_get(conn->fds[i]);
		struct sim_fork_fwd *fwd;

		if (now)
			sim_file_put(now);
		/* Closed by another thread between prepare and fork(). */
		if (now != file)
			continue;
		fwd = calloc(1, sizeof(*fwd));
		if (!fwd)
			continue;
		fwd->client = client;
		fwd->handle = (uint32_t)i;
		fwd->orig_ops = file->ops;
		fwd->orig_priv = file->private_data;
		file->private_data = fwd;
		file->ops = fwd->orig_ops->poll ? &sim_fork_fwd_fops_poll : &sim_fork_fwd_fops;
		/*
		 * The descriptor is the only holder here: references of the copied objects
		 * belong to a sim that no longer runs, and the last close must reach the parent.
		 */
		atomic_store(&file->users, 1);
	}
	sim_fork_client = client;
	/* Our copies of the references taken at prepare were reset above. */
	conn->nr_files = 0;
	conn->child_sock = -1;
	sim_fork_conn_free(conn);
	return;

out_free:
	pthread_mutex_destroy(&client->lock);
	free(client);
out_close:
	fprintf(stderr, "sim: the child of fork() could not reach its parent's sim; its sim "
			"descriptors stay private copies\n");
	close(conn->child_sock);
	conn->child_sock = -1;
	conn->nr_files = 0;
	sim_fork_conn_free(conn);
}

static pthread_once_t sim_fork_once = PTHREAD_ONCE_INIT;

static void sim_fork_register(void)
{
	pthread_atfork(sim_fork_prepare, sim_fork_parent, sim_fork_child);
}

void sim_fork_init(void)
{
	pthread_once(&sim_fork_once, sim_fork_register);
}

/* ---- pages from another process --------------------------------------------------------- */

struct sim_vma {
	uintptr_t lo, hi;
	char perms[5];
	uint64_t off;
	char dev[16];
	uint64_t inode;
};

/* /proc/<pid>/maps (pid 0: ours) as an array; NULL on failure. */
static struct sim_vma *sim_read_maps(pid_t pid, size_t *nr)
{
	struct sim_vma *v = NULL;
	size_t n = 0, cap = 0;
	char path[64], line[512];
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		struct sim_vma e;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %" SCNx64 " %15s %" SCNu64, &e.lo,
			   &e.hi, e.perms, &e.off, e.dev, &e.inode) != 6)
			continue;
		if (n == cap) {
			struct sim_vma *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				return NULL;
			}
			v = nv;
		}
		v[n++] = e;
	}
	fclose(f);
	*nr = n;
	return v ? v : calloc(1, sizeof(*v));
}

/*
 * [@va, @end) of the source lies in source VMA @s; whether our own VMA at the same address
 * maps the same shared object at the same offset (fork() copied the mapping, or both mapped
 * the same file): then our address reaches the very pages the kernel would pin.
 */
static bool sim_vma_aliased(const struct sim_vma *s, uintptr_t va, uintptr_t end,
			    const struct sim_vma *self, size_t nr_self)
{
	if (s->perms[3] != 's' || !s->inode)
		return false;
	for (size_t i = 0; i < nr_self; i++) {
		const struct sim_vma *m = &self[i];

		if (m->lo > va || m->hi <= va)
			continue;
		return m->hi >= end && m->perms[3] == 's' && m->inode == s->inode &&
		       !strcmp(m->dev, s->dev) && m->off - m->lo == s->off - s->lo;
	}
	return false;
}

/*
 * What pinning [@start, @start + @len) of @mm needs: every byte mapped readable (and writable
 * for @write), as get_user_pages() requires. *@aliased: all of it is aliased here.
 */
static int sim_mm_check_range(const struct sim_mm *mm, uintptr_t start, size_t len, bool write,
			      bool *aliased)
{
	size_t nr_src = 0, nr_self = 0;
	struct sim_vma *src, *self;
	uintptr_t cur = start, end = start + len;
	int rc = 0;

	src = sim_read_maps(mm->pid, &nr_src);
	if (!src)
		return -EFAULT;
	self = sim_read_maps(0, &nr_self);
	if (!self) {
		free(src);
		return -ENOMEM;
	}
	*aliased = true;
	for (size_t i = 0; i < nr_src && cur < end; i++) {
		const struct sim_vma *s = &src[i];
		uintptr_t piece_end;

		if (s->hi <= cur)
			continue;
		if (s->lo > cur || s->perms[0] != 'r' || (write && s->perms[1] != 'w'))
			break;
		piece_end = s->hi < end ? s->hi : end;
		if (!sim_vma_aliased(s, cur, piece_end, self, nr_self))
			*aliased = false;
		cur = piece_end;
	}
	if (cur < end)
		rc = -EFAULT;
	free(self);
	free(src);
	return rc;
}

int sim_mm_resolve_pages(struct sim_iopt_pages *pages)
{
	size_t len = (pages->length + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1);
	struct sim_mm *mm;
	bool aliased;
	void *copy;
	int rc;

	pthread_mutex_lock(&sim_fork_lock);
	mm = pages->src_mm;
	if (!mm) {
		rc = 0;
		goto out_unlock;
	}
	/* get_user_pages_remote() on an mm whose users are gone: the kernel's EFAULT. */
	if (sim_mm_gone(mm)) {
		rc = -EFAULT;
		goto out_unlock;
	}
	rc = sim_mm_check_range(mm, pages->uptr, len, pages->writable, &aliased);
	if (rc)
		goto out_unlock;
	if (!aliased) {
		copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (copy == MAP_FAILED) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		rc = sim_process_rw(mm->pid, pages->uptr, copy, len, false);
		if (rc) {
			munmap(copy, len);
			goto out_unlock;
		}
		pages->uptr = (uintptr_t)copy;
		pages->snap_len = len;
	}
	__atomic_store_n(&pages->src_mm, NULL, __ATOMIC_RELEASE);
	sim_mm_put(mm); /* Pairs with sim_mm_get_current() at the map */
out_unlock:
	pthread_mutex_unlock(&sim_fork_lock);
	return rc;
}

int sim_mm_pages_rw(struct sim_iopt_pages *pages, uint64_t offset, void *data, size_t len,
		    bool write)
{
	pid_t pid = 0;
	int rc;

	/* Resolved pages (and never-foreign ones) stay ours for good: no lock needed. */
	if (!__atomic_load_n(&pages->src_mm, __ATOMIC_ACQUIRE))
		return sim_process_rw(0, pages->uptr + offset, data, len, write);
	pthread_mutex_lock(&sim_fork_lock);
	if (pages->src_mm) {
		if (sim_mm_gone(pages->src_mm)) {
			rc = -EFAULT;
			goto out_unlock;
		}
		pid = pages->src_mm->pid;
	}
	rc = sim_process_rw(pid, pages->uptr + offset, data, len, write);
out_unlock:
	pthread_mutex_unlock(&sim_fork_lock);
	return rc;
}
