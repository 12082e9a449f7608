// SPDX-License-Identifier: MIT
/*
 * The idxd sysfs tree as real files, for programs that walk it with libc (docs/SIM_IDXD.md).
 *
 * On first use the face makes a private directory (svart-sim-<pid>-XXXXXX in $XDG_RUNTIME_DIR,
 * $TMPDIR, /dev/shm or /tmp) laid out like the kernel's:
 *
 *   sys/bus/dsa/devices/<dsaN|iaxN|wqN.M|groupN.M|engineN.M|dsa!wqN.M>   symlinks, as the
 *                                                                        driver core makes
 *   sys/bus/dsa/drivers/{idxd,user,dmaengine}/{bind,unbind,<bound devices>}
 *   sys/devices/pci0000:f0/<bdf>/<dsaN>/{attributes,wqN.M/,groupN.M/,engineN.M/,driver}
 *   sys/module/idxd/
 *   dev/dsa/wqN.M, dev/iax/wqN.M                                         placeholders
 *
 * The interposer redirects the kernel's paths into it, so scandir(), realpath(), readlink(),
 * stat() and opendir() work on real files and symlinks. Attribute files are rewritten from the
 * model each time one is opened for reading (a new file renamed over the old one, so a reader
 * that opened it before keeps its text, as with sysfs' per-open buffer); writes to descriptors
 * opened here become stores (sim_idxd_fd_write()). Binding a device or WQ updates the driver
 * links, the cdev directories and the /dev placeholders. The /dev placeholders are plain files:
 * the interposer answers stat() and open() of /dev/dsa/wqN.M itself (sim/sim_chrdev.c).
 *
 * The directory is removed when the process that made it exits (atexit); one left behind by a
 * process that died or exec()'d is removed by the next process that makes a tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/idxd/idxd_private.h"

#define TREE_PREFIX "svart-sim-"
#define TREE_FDS 256

/* The kernel paths the tree stands for. */
static const char *const tree_paths[] = {
	"/sys/bus/dsa", SIM_IDXD_PCI_ROOT, "/sys/module/idxd", "/dev/dsa", "/dev/iax",
};

static pthread_mutex_t tree_init_mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_int tree_state; /* 0: not tried; 1: up; -1: failed */
static char tree_root[PATH_MAX];
static _Atomic size_t tree_root_len;
static pid_t tree_owner;
static unsigned int tree_tmp_seq;

/* ---- Paths ---- */

bool sim_idxd_path_ours(const char *path)
{
	if (!path || path[0] != '/' || (strncmp(path, "/sys/", 5) && strncmp(path, "/dev/", 5)))
		return false;
	for (size_t i = 0; i < sizeof(tree_paths) / sizeof(tree_paths[0]); i++) {
		size_t l = strlen(tree_paths[i]);

		if (!strncmp(path, tree_paths[i], l) && (path[l] == '\0' || path[l] == '/'))
			return true;
	}
	return false;
}

const char *sim_idxd_tree_root(void)
{
	return atomic_load_explicit(&tree_root_len, memory_order_acquire) ? tree_root : NULL;
}

bool sim_idxd_tree_contains(const char *path)
{
	size_t l = atomic_load_explicit(&tree_root_len, memory_order_acquire);

	return l && path && !strncmp(path, tree_root, l) && (path[l] == '/' || path[l] == '\0');
}

void sim_idxd_tree_unredirect(char *path)
{
	size_t l = atomic_load_explicit(&tree_root_len, memory_order_acquire);

	if (!sim_idxd_tree_contains(path))
		return;
	if (!path[l]) {
		strcpy(path, "/");
		return;
	}
	memmove(path, path + l, strlen(path + l) + 1);
}

static int tree_up(void);

int sim_idxd_tree_redirect(const char *path, char *buf, size_t len)
{
	int n;

	if (!sim_idxd_path_ours(path) || tree_up())
		return 0;
	n = snprintf(buf, len, "%s%s", tree_root, path);
	return n > 0 && (size_t)n < len;
}

int sim_idxd_tree_at(int dirfd, const char *rel, char *buf, size_t len)
{
	char link[32], target[PATH_MAX];
	ssize_t n;
	int r;

	if (!atomic_load_explicit(&tree_root_len, memory_order_acquire) || dirfd < 0 || !rel)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (!sim_idxd_tree_contains(target))
		return 0;
	r = snprintf(buf, len, "%s/%s", target, rel);
	return r > 0 && (size_t)r < len;
}

/* ---- Building ---- */

/* @fmt names a path below the root. Return: its length, or -ENAMETOOLONG. */
static int __attribute__((format(printf, 3, 4)))
tree_path(char *buf, size_t len, const char *fmt, ...)
{
	size_t l = atomic_load(&tree_root_len);
	va_list ap;
	int n;

	memcpy(buf, tree_root, l);
	va_start(ap, fmt);
	n = vsnprintf(buf + l, len - l, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - l)
		return -ENAMETOOLONG;
	return (int)l + n;
}

static int tree_mkdir(const char *path)
{
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* Writes @text to @path, replacing it in one step (see the top of the file). */
static int tree_put(const char *path, mode_t mode, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd, ret = 0;

	if (tree_path(tmp, sizeof(tmp), "/.tmp/%d.%u", (int)getpid(), tree_tmp_seq++) < 0)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (len && write(fd, text, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static int tree_symlink(const char *target, const char *path)
{
	if (symlink(target, path) && errno != EEXIST)
		return -errno;
	return 0;
}

static int tree_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static void tree_rm(const char *path)
{
	nftw(path, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The attribute files of one object, with their current text. */
static int tree_attrs(const char *dir, struct idxd_node *n)
{
	char path[PATH_MAX], text[IDXD_SYSFS_PAGE];
	const struct idxd_attr *a;
	unsigned int nr;

	a = idxd_obj_attrs(n->obj, &nr);
	for (unsigned int i = 0; i < nr; i++) {
		ssize_t len = 0;
		int ret;

		n->attr = &a[i];
		if (!idxd_attr_visible(n))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, a[i].name) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		if (a[i].show)
			len = idxd_node_show(n, text, sizeof(text));
		ret = tree_put(path, a[i].mode, text, len > 0 ? (size_t)len : 0);
		if (ret)
			return ret;
	}
	n->attr = NULL;
	return 0;
}

/* The directory of object @n (its path in @dir) with attributes and subsystem link. */
static int tree_obj(struct idxd_node *n, const char *dir, const char *subsystem)
{
	char link[PATH_MAX];
	int ret = tree_mkdir(dir);

	if (!ret)
		ret = tree_attrs(dir, n);
	if (!ret && snprintf(link, sizeof(link), "%s/subsystem", dir) < (int)sizeof(link))
		ret = tree_symlink(subsystem, link);
	return ret;
}

/* bus/dsa/devices/<name> -> the object's directory. */
static int tree_bus_link(const struct idxd_kdev *kd, const char *rel, const char *name)
{
	char link[PATH_MAX], target[PATH_MAX];

	if (tree_path(link, sizeof(link), "/sys/bus/dsa/devices/%s", name) < 0)
		return -ENAMETOOLONG;
	snprintf(target, sizeof(target), "../../../devices/%s/%s/%s%s%s",
		 strrchr(SIM_IDXD_PCI_ROOT, '/') + 1, kd->bdf, kd->name, rel[0] ? "/" : "", rel);
	return tree_symlink(target, link);
}

static int tree_dev(struct idxd_kdev *kd)
{
	const struct sim_accel_caps *caps = kd->caps;
	char pci[PATH_MAX], dir[PATH_MAX], sub[PATH_MAX], name[64], text[64];
	struct idxd_node n = { .obj = IDXD_OBJ_DEV, .kd = kd };
	int ret;

	if (tree_path(pci, sizeof(pci), "/sys/devices/%s/%s", strrchr(SIM_IDXD_PCI_ROOT, '/') + 1,
		      kd->bdf) < 0)
		return -ENAMETOOLONG;
	ret = tree_mkdir(pci);
	/* The PCI function's identity, for tools that look one level up. */
	snprintf(text, sizeof(text), "0x%04x\n", caps->pci_device);
	if (!ret)
		ret = tree_put(strcat(strcpy(dir, pci), "/device"), 0444, text, strlen(text));
	if (!ret)
		ret = tree_put(strcat(strcpy(dir, pci), "/vendor"), 0444, "0x8086\n", 7);
	snprintf(text, sizeof(text), "%d\n", sim_accel_dev_node(kd->hw));
	if (!ret)
		ret = tree_put(strcat(strcpy(dir, pci), "/numa_node"), 0444, text, strlen(text));
	if (ret)
		return ret;
	if (snprintf(dir, sizeof(dir), "%s/%s", pci, kd->name) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	ret = tree_obj(&n, dir, "../../../../bus/dsa");
	if (!ret)
		ret = tree_bus_link(kd, "", kd->name);
	for (int obj = IDXD_OBJ_WQ; obj <= IDXD_OBJ_ENGINE && !ret; obj++) {
		unsigned int nr = obj == IDXD_OBJ_WQ	? kd->nr_wqs :
				  obj == IDXD_OBJ_GROUP ? kd->nr_groups :
							  kd->nr_engines;

		for (unsigned int i = 0; i < nr && !ret; i++) {
			struct idxd_node s = { .obj = (enum idxd_obj)obj, .kd = kd, .sub = i };

			idxd_obj_name(&s, name, sizeof(name));
			if (snprintf(sub, sizeof(sub), "%s/%s", dir, name) >= (int)sizeof(sub))
				return -ENAMETOOLONG;
			ret = tree_obj(&s, sub, "../../../../../bus/dsa");
			if (!ret)
				ret = tree_bus_link(kd, name, name);
		}
	}
	if (!ret)
		idxd_tree_sync(kd);
	return ret;
}

static int tree_build(void)
{
	static const char *const dirs[] = {
		"/.tmp",
		"/sys",
		"/sys/bus",
		"/sys/bus/dsa",
		"/sys/bus/dsa/devices",
		"/sys/bus/dsa/drivers",
		"/sys/devices",
		"/sys/devices/pci0000:f0",
		"/sys/module",
		"/sys/module/idxd",
		"/dev",
	};
	char path[PATH_MAX];
	int ret = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !ret; i++)
		ret = tree_path(path, sizeof(path), "%s", dirs[i]) < 0 ? -ENAMETOOLONG :
									 tree_mkdir(path);
	for (int d = IDXD_DRV_IDXD; d < IDXD_DRV_NR && !ret; d++) {
		static const char *const files[] = { "bind", "unbind", "uevent" };

		ret = tree_path(path, sizeof(path), "/sys/bus/dsa/drivers/%s", idxd_drv_names[d]);
		if (ret >= 0)
			ret = tree_mkdir(path);
		for (size_t f = 0; f < 3 && !ret; f++) {
			ret = tree_path(path, sizeof(path), "/sys/bus/dsa/drivers/%s/%s",
					idxd_drv_names[d], files[f]);
			if (ret >= 0)
				ret = tree_put(path, 0200, "", 0);
		}
	}
	if (!ret && tree_path(path, sizeof(path), "/sys/bus/dsa/drivers_autoprobe") > 0)
		ret = tree_put(path, 0644, "1\n", 2);
	if (!ret && tree_path(path, sizeof(path), "/sys/bus/dsa/drivers_probe") > 0)
		ret = tree_put(path, 0200, "", 0);
	if (!ret && tree_path(path, sizeof(path), "/sys/bus/dsa/uevent") > 0)
		ret = tree_put(path, 0200, "", 0);
	if (!ret && tree_path(path, sizeof(path), "/sys/module/idxd/initstate") > 0)
		ret = tree_put(path, 0444, "live\n", 5);
	for (unsigned int i = 0; i < idxd_nr_devs() && !ret; i++)
		ret = tree_dev(idxd_dev_at(i));
	return ret;
}

/* ---- Keeping it in step with the drivers ---- */

static void tree_link_set(bool on, const char *target, const char *link)
{
	if (on)
		tree_symlink(target, link);
	else
		unlink(link);
}

static void tree_sync_cdev(struct idxd_kdev *kd, struct idxd_kwq *kw)
{
	const char *type = kd->iaa ? "iax" : "dsa";
	struct idxd_node n = { .obj = IDXD_OBJ_CDEV, .kd = kd, .sub = kw->id };
	char dir[PATH_MAX], node[PATH_MAX], name[64], link[PATH_MAX];

	snprintf(name, sizeof(name), "%s!wq%d.%u", type, kd->id, kw->id);
	if (tree_path(dir, sizeof(dir), "/sys/devices/%s/%s/%s/wq%d.%u/%s",
		      strrchr(SIM_IDXD_PCI_ROOT, '/') + 1, kd->bdf, kd->name, kd->id, kw->id,
		      name) < 0 ||
	    tree_path(node, sizeof(node), "/dev/%s/wq%d.%u", type, kd->id, kw->id) < 0 ||
	    tree_path(link, sizeof(link), "/sys/bus/dsa/devices/%s", name) < 0)
		return;
	if (kw->minor >= 0) {
		char wqname[96];

		tree_obj(&n, dir, "../../../../../../bus/dsa");
		if (snprintf(wqname, sizeof(wqname), "wq%d.%u/%s", kd->id, kw->id, name) <
		    (int)sizeof(wqname))
			tree_bus_link(kd, wqname, name);
		/* devtmpfs makes /dev/<type> with the first node and removes it with the last. */
		tree_path(dir, sizeof(dir), "/dev/%s", type);
		tree_mkdir(dir);
		tree_put(node, 0600, "", 0);
	} else {
		tree_rm(dir);
		unlink(link);
		unlink(node);
		tree_path(dir, sizeof(dir), "/dev/%s", type);
		rmdir(dir); /* fails while other nodes are there */
	}
}

void idxd_tree_sync(struct idxd_kdev *kd)
{
	const char *pciroot = strrchr(SIM_IDXD_PCI_ROOT, '/') + 1;
	char link[PATH_MAX], target[PATH_MAX];

	if (atomic_load(&tree_state) != 1 && !atomic_load(&tree_root_len))
		return;
	for (int d = IDXD_DRV_IDXD; d < IDXD_DRV_NR; d++) {
		bool dev_on = d == IDXD_DRV_IDXD && kd->drv == IDXD_DRV_IDXD;

		if (d == IDXD_DRV_IDXD) {
			tree_path(link, sizeof(link), "/sys/devices/%s/%s/%s/driver", pciroot,
				  kd->bdf, kd->name);
			tree_link_set(dev_on, "../../../../bus/dsa/drivers/idxd", link);
			tree_path(link, sizeof(link), "/sys/bus/dsa/drivers/idxd/%s", kd->name);
			snprintf(target, sizeof(target), "../../../../devices/%s/%s/%s", pciroot,
				 kd->bdf, kd->name);
			tree_link_set(dev_on, target, link);
			continue;
		}
		for (unsigned int i = 0; i < kd->nr_wqs; i++) {
			bool on = kd->wqs[i].drv == (enum idxd_drv)d;

			tree_path(link, sizeof(link), "/sys/bus/dsa/drivers/%s/wq%d.%u",
				  idxd_drv_names[d], kd->id, i);
			snprintf(target, sizeof(target), "../../../../devices/%s/%s/%s/wq%d.%u",
				 pciroot, kd->bdf, kd->name, kd->id, i);
			tree_link_set(on, target, link);
		}
	}
	for (unsigned int i = 0; i < kd->nr_wqs; i++) {
		struct idxd_kwq *kw = &kd->wqs[i];

		tree_path(link, sizeof(link), "/sys/devices/%s/%s/%s/wq%d.%u/driver", pciroot,
			  kd->bdf, kd->name, kd->id, i);
		unlink(link);
		if (kw->drv != IDXD_DRV_NONE) {
			snprintf(target, sizeof(target), "../../../../../bus/dsa/drivers/%s",
				 idxd_drv_names[kw->drv]);
			tree_symlink(target, link);
		}
		tree_sync_cdev(kd, kw);
	}
}

/* ---- Bring-up and removal ---- */

static void tree_remove(void)
{
	if (getpid() == tree_owner && atomic_load(&tree_root_len))
		tree_rm(tree_root);
}

/* Trees of processes that are gone (killed, or exec()'d before their exit handler). */
static void tree_collect(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		long pid;
		char *end;

		if (strncmp(e->d_name, TREE_PREFIX, strlen(TREE_PREFIX)))
			continue;
		pid = strtol(e->d_name + strlen(TREE_PREFIX), &end, 10);
		if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", base, e->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
			continue;
		tree_rm(path);
	}
	closedir(d);
}

/*
 * Where the tree goes: $XDG_RUNTIME_DIR, $TMPDIR, /dev/shm, /tmp, the first that is an
 * absolute, writable directory. A few hundred files are made per process: memory-backed
 * directories (the first and third usually are) make that take milliseconds, not a second.
 */
static const char *tree_base(void)
{
	const char *cands[] = { getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/dev/shm" };

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		const char *v = cands[i];

		if (v && v[0] == '/' && !access(v, W_OK | X_OK))
			return v;
	}
	return "/tmp";
}

static int tree_create(void)
{
	const char *base = tree_base();
	int ret;

	if (snprintf(tree_root, sizeof(tree_root), "%s/" TREE_PREFIX "%d-XXXXXX", base,
		     (int)getpid()) >= (int)sizeof(tree_root) - 256)
		return -ENAMETOOLONG;
	tree_collect(base);
	if (!mkdtemp(tree_root))
		return -errno;
	tree_owner = getpid();
	atomic_store_explicit(&tree_root_len, strlen(tree_root), memory_order_release);
	atexit(tree_remove);
	idxd_lock();
	ret = tree_build();
	idxd_unlock();
	return ret;
}

static int tree_up(void)
{
	int st = atomic_load_explicit(&tree_state, memory_order_acquire);
	int ret;

	if (st)
		return st > 0 ? 0 : -ENOENT;
	pthread_mutex_lock(&tree_init_mutex);
	st = atomic_load(&tree_state);
	if (!st) {
		ret = sim_idxd_get();
		if (ret) {
			fprintf(stderr,
				"svart sim: idxd: %s; /sys/bus/dsa and /dev/dsa are the host's\n",
				sim_idxd_error());
		} else {
			ret = tree_create();
			if (ret)
				fprintf(stderr,
					"svart sim: idxd: cannot make the sysfs tree in %s: %s\n",
					tree_root, strerror(-ret));
		}
		if (ret && atomic_load(&tree_root_len)) {
			tree_rm(tree_root);
			atomic_store(&tree_root_len, 0);
		}
		st = ret ? -1 : 1;
		atomic_store_explicit(&tree_state, st, memory_order_release);
	}
	pthread_mutex_unlock(&tree_init_mutex);
	return st > 0 ? 0 : -ENOENT;
}

/* ---- Attribute descriptors ---- */

struct tree_fd {
	int fd; /* -1: free */
	int acc; /* O_ACCMODE of the open */
	int read_err; /* -errno the show routine gave, or 0 */
	dev_t dev;
	ino_t ino;
	struct idxd_node node;
};

atomic_int sim_idxd_fds_nr;
static pthread_mutex_t tree_fds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tree_fd tree_fds[TREE_FDS];
static bool tree_fds_init;

static void tree_fds_setup(void)
{
	if (tree_fds_init)
		return;
	for (unsigned int i = 0; i < TREE_FDS; i++)
		tree_fds[i].fd = -1;
	tree_fds_init = true;
}

static int tree_fd_add(int fd, int acc, int read_err, const struct idxd_node *n)
{
	struct tree_fd *slot = NULL;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	pthread_mutex_lock(&tree_fds_lock);
	tree_fds_setup();
	for (unsigned int i = 0; i < TREE_FDS; i++) {
		if (tree_fds[i].fd == fd) {
			slot = &tree_fds[i];
			break;
		}
		if (!slot && tree_fds[i].fd < 0)
			slot = &tree_fds[i];
	}
	if (!slot) {
		pthread_mutex_unlock(&tree_fds_lock);
		return -ENFILE;
	}
	if (slot->fd < 0)
		atomic_fetch_add(&sim_idxd_fds_nr, 1);
	slot->fd = fd;
	slot->acc = acc;
	slot->read_err = read_err;
	slot->dev = st.st_dev;
	slot->ino = st.st_ino;
	slot->node = *n;
	pthread_mutex_unlock(&tree_fds_lock);
	return 0;
}

static void tree_fd_drop_locked(struct tree_fd *t)
{
	t->fd = -1;
	atomic_fetch_sub(&sim_idxd_fds_nr, 1);
}

/*
 * The registration of @fd, if it still describes the file it was made for: a descriptor closed
 * behind the interposer's back (fclose(), close_range()) and reused for another file is
 * dropped, so its writes go where they belong.
 */
static bool tree_fd_get(int fd, struct tree_fd *out)
{
	struct stat st;
	bool found = false;

	pthread_mutex_lock(&tree_fds_lock);
	tree_fds_setup();
	for (unsigned int i = 0; i < TREE_FDS; i++) {
		if (tree_fds[i].fd != fd)
			continue;
		if (fstat(fd, &st) || st.st_dev != tree_fds[i].dev ||
		    st.st_ino != tree_fds[i].ino) {
			tree_fd_drop_locked(&tree_fds[i]);
			break;
		}
		*out = tree_fds[i];
		found = true;
		break;
	}
	pthread_mutex_unlock(&tree_fds_lock);
	return found;
}

void sim_idxd_fd_forget(int fd)
{
	pthread_mutex_lock(&tree_fds_lock);
	tree_fds_setup();
	for (unsigned int i = 0; i < TREE_FDS; i++)
		if (tree_fds[i].fd == fd)
			tree_fd_drop_locked(&tree_fds[i]);
	pthread_mutex_unlock(&tree_fds_lock);
}

void sim_idxd_fd_dup(int oldfd, int newfd)
{
	struct tree_fd t;
	int ret;

	if (oldfd == newfd || newfd < 0)
		return;
	sim_idxd_fd_forget(newfd);
	if (oldfd < 0 || !tree_fd_get(oldfd, &t))
		return;
	ret = tree_fd_add(newfd, t.acc, t.read_err, &t.node);
	/* No room: @newfd's writes go to the file, as for any descriptor sim does not know. */
	(void)ret;
}

bool sim_idxd_fd_write(int fd, const void *buf, size_t count, ssize_t *ret)
{
	struct tree_fd t;

	if (fd < 0 || !tree_fd_get(fd, &t))
		return false;
	if (t.acc == O_RDONLY) {
		*ret = -EBADF;
		return true;
	}
	idxd_lock();
	*ret = idxd_node_store(&t.node, buf, count, true);
	idxd_unlock();
	return true;
}

bool sim_idxd_fd_read_fails(int fd, ssize_t *ret)
{
	struct tree_fd t;

	if (fd < 0 || !tree_fd_get(fd, &t) || !t.read_err || t.acc == O_WRONLY)
		return false;
	*ret = t.read_err;
	return true;
}

int sim_idxd_tree_open(const char *path, int flags, mode_t mode)
{
	char canon[PATH_MAX], text[IDXD_SYSFS_PAGE];
	int acc = flags & O_ACCMODE, fd, read_err = 0;
	struct idxd_node n;
	ssize_t len;

	if (!realpath(path, canon)) {
		/* sysfs makes no files: creating one fails (kernfs has no create). */
		if (errno == ENOENT && (flags & O_CREAT))
			return -EACCES;
		fd = open(path, flags, mode);
		return fd < 0 ? -errno : fd;
	}
	if (!sim_idxd_tree_contains(canon) ||
	    idxd_node_parse(canon + atomic_load(&tree_root_len), &n) || !n.attr) {
		fd = open(canon, flags, mode);
		return fd < 0 ? -errno : fd;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	/* kernfs_fop_open(): no show for a reader, no store for a writer: -EACCES. */
	if ((acc != O_WRONLY && !n.attr->show) || (acc != O_RDONLY && !n.attr->store))
		return -EACCES;
	if (acc != O_WRONLY) {
		idxd_lock();
		len = idxd_node_show(&n, text, sizeof(text));
		if (len < 0)
			read_err = (int)len;
		tree_put(canon, n.attr->mode, text, len > 0 ? (size_t)len : 0);
		idxd_unlock();
	}
	/* The file exists; truncating it would only lose the text just written. */
	fd = open(canon, flags & ~(O_CREAT | O_TRUNC), mode);
	if (fd < 0)
		return -errno;
	if (acc != O_RDONLY || read_err) {
		int ret = tree_fd_add(fd, acc, read_err, &n);

		if (ret) {
			close(fd);
			return ret;
		}
	}
	return fd;
}
