// SPDX-License-Identifier: MIT
/*
 * sim iommufd: the /dev/iommu file, its object table and the command dispatcher.
 *
 * Mirrors drivers/iommu/iommufd/main.c: objects get IDs from 1 (lowest free reused, 31 bits),
 * are reserved while being created, and are destroyed only when nobody else holds them. The
 * dispatcher applies the kernel's size rules before any command runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "pasid/iommufd_uapi.h"
#include "sim/iommufd/fork.h"
#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

/* xa_limit_31b: IDs are positive ints. */
#define SIM_IOMMUFD_MAX_ID 0x7fffffffu

/* Marks a reserved ID whose object is not published yet (XA_ZERO_ENTRY). */
static struct sim_iommufd_object sim_obj_reserved;

static int sim_iommufd_fops_release_objects(struct sim_iommufd_ctx *ictx);

/* ---- object table ----------------------------------------------------------------------- */

static int sim_iommufd_reserve_id(struct sim_iommufd_ctx *ictx, uint32_t *id)
{
	uint32_t i;

	for (i = 1; i < ictx->nr_slots; i++)
		if (!ictx->objs[i])
			break;
	if (i >= ictx->nr_slots) {
		uint32_t nr = ictx->nr_slots ? ictx->nr_slots * 2 : 64;
		struct sim_iommufd_object **objs;

		if (i > SIM_IOMMUFD_MAX_ID)
			return -EBUSY;
		objs = realloc(ictx->objs, nr * sizeof(*objs));
		if (!objs)
			return -ENOMEM;
		memset(objs + ictx->nr_slots, 0, (nr - ictx->nr_slots) * sizeof(*objs));
		ictx->objs = objs;
		ictx->nr_slots = nr;
	}
	ictx->objs[i] = &sim_obj_reserved;
	ictx->nr_objects++;
	*id = i;
	return 0;
}

struct sim_iommufd_object *sim_iommufd_object_alloc(struct sim_iommufd_ctx *ictx, size_t size,
						    enum sim_iommufd_object_type type)
{
	struct sim_iommufd_object *obj;

	obj = calloc(1, size);
	if (!obj)
		return NULL;
	if (sim_iommufd_reserve_id(ictx, &obj->id)) {
		free(obj);
		return NULL;
	}
	obj->type = type;
	atomic_init(&obj->users, 1); /* Pairs with sim_iommufd_object_remove() */
	atomic_init(&obj->shortterm, 0);
	return obj;
}

void sim_iommufd_object_finalize(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj)
{
	ictx->objs[obj->id] = obj;
}

void sim_iommufd_object_abort(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj)
{
	ictx->objs[obj->id] = NULL;
	ictx->nr_objects--;
	free(obj);
}

void sim_iommufd_object_abort_and_destroy(struct sim_iommufd_ctx *ictx,
					  struct sim_iommufd_object *obj)
{
	const struct sim_iommufd_object_ops *ops = &sim_iommufd_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	sim_iommufd_object_abort(ictx, obj);
}

struct sim_iommufd_object *sim_iommufd_get_object(struct sim_iommufd_ctx *ictx, uint32_t id,
						  enum sim_iommufd_object_type type)
{
	struct sim_iommufd_object *obj;

	if (id >= ictx->nr_slots)
		return NULL;
	obj = ictx->objs[id];
	if (!obj || obj == &sim_obj_reserved || (type != SIM_OBJ_ANY && obj->type != type))
		return NULL;
	atomic_fetch_add(&obj->users, 1); /* Pairs with sim_iommufd_put_object() */
	return obj;
}

void sim_iommufd_put_object(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj)
{
	atomic_fetch_sub(&obj->users, 1);
}

void sim_iommufd_object_wait_shortterm(struct sim_iommufd_object *obj)
{
	/*
	 * Device-side holders (a translation, a page request being routed) keep an object for
	 * a few instructions; yielding beats a condition variable on this rare path.
	 */
	while (atomic_load(&obj->shortterm))
		sched_yield();
}

static void sim_iommufd_object_free(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *obj)
{
	ictx->objs[obj->id] = NULL;
	ictx->nr_objects--;
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	sim_iommufd_object_wait_shortterm(obj);
	sim_iommufd_object_ops[obj->type].destroy(obj);
	free(obj);
}

int sim_iommufd_object_remove(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *to_destroy,
			      uint32_t id)
{
	struct sim_iommufd_object *obj;
	int expected = 1;

	if (id >= ictx->nr_slots)
		return -ENOENT;
	obj = ictx->objs[id];
	if (to_destroy) {
		/* The caller's reference goes whatever happens next. */
		atomic_fetch_sub(&to_destroy->users, 1);
		if (obj != to_destroy)
			return -ENOENT;
	} else if (!obj || obj == &sim_obj_reserved) {
		return -ENOENT;
	}
	if (!atomic_compare_exchange_strong(&obj->users, &expected, 0))
		return -EBUSY;
	sim_iommufd_object_free(ictx, obj);
	return 0;
}

/* ---- the context ------------------------------------------------------------------------ */

void sim_iommufd_ctx_get(struct sim_iommufd_ctx *ictx)
{
	atomic_fetch_add(&ictx->file->users, 1); /* Pairs with sim_iommufd_ctx_put() */
}

void sim_iommufd_ctx_put(struct sim_iommufd_ctx *ictx)
{
	sim_file_put(ictx->file);
}

static const struct sim_file_ops sim_iommufd_fops;

struct sim_iommufd_ctx *sim_iommufd_ctx_from_fd(int fd, int *err)
{
	struct sim_file *file = sim_file_get(fd);

	if (!file) {
		/* A live descriptor that is not sim's is "not an iommufd", like a pipe would be. */
		*err = fd >= 0 && fcntl(fd, F_GETFD) >= 0 ? -EBADFD : -EBADF;
		return NULL;
	}
	if (file->ops != &sim_iommufd_fops) {
		sim_file_put(file);
		*err = -EBADFD;
		return NULL;
	}
	/* The file reference from sim_file_get() is the context reference. */
	return file->private_data;
}

int sim_iommufd_ucmd_respond(struct sim_iommufd_ucmd *ucmd, size_t size)
{
	size_t n = ucmd->user_size < size ? ucmd->user_size : size;

	return sim_copy_to_user(ucmd->ubuffer, ucmd->cmd, n);
}

static int sim_iommufd_destroy(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return sim_iommufd_object_remove(ucmd->ictx, NULL, cmd->id);
}

static int sim_iommufd_option(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = sim_option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = sim_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only val64 is written back, as the kernel does. */
	return sim_copy_to_user(&((struct iommu_option *)ucmd->ubuffer)->val64, &cmd->val64,
				sizeof(cmd->val64));
}

union sim_ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu;
	struct iommu_vdevice_alloc vdev;
	struct iommu_ioas_change_process change_process;
	struct iommu_veventq_alloc veventq;
	struct iommu_hw_queue_alloc hw_queue;
	struct iommu_test_cmd test;
	uint8_t pad[128];
};

struct sim_iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned long ioctl_num;
	int (*execute)(struct sim_iommufd_ucmd *ucmd);
};

#define SIM_IOCTL_OP(_ioctl, _fn, _struct, _last)        \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {         \
		.size = sizeof(_struct),                 \
		.min_size = offsetofend(_struct, _last), \
		.ioctl_num = _ioctl,                     \
		.execute = _fn,                          \
	}

/*
 * The table runs to IOMMU_TEST_CMD (0xa0), as the kernel's does with CONFIG_IOMMUFD_TEST:
 * numbers between the last real command and it are ENOTTY, numbers past it go to the VFIO
 * compat handler.
 */
#define SIM_IOMMUFD_LAST_NR IOMMUFD_CMD_TEST
static const struct sim_iommufd_ioctl_op sim_iommufd_ioctl_ops[SIM_IOMMUFD_LAST_NR -
							       IOMMUFD_CMD_BASE + 1] = {
	SIM_IOCTL_OP(IOMMU_DESTROY, sim_iommufd_destroy, struct iommu_destroy, id),
	SIM_IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, sim_fault_alloc_ioctl, struct iommu_fault_alloc,
		     out_fault_fd),
	SIM_IOCTL_OP(IOMMU_GET_HW_INFO, sim_get_hw_info, struct iommu_hw_info, __reserved),
	SIM_IOCTL_OP(IOMMU_HWPT_ALLOC, sim_hwpt_alloc_ioctl, struct iommu_hwpt_alloc, __reserved),
	SIM_IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, sim_hwpt_get_dirty_bitmap,
		     struct iommu_hwpt_get_dirty_bitmap, data),
	SIM_IOCTL_OP(IOMMU_HWPT_INVALIDATE, sim_hwpt_invalidate, struct iommu_hwpt_invalidate,
		     __reserved),
	SIM_IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, sim_hwpt_set_dirty_tracking,
		     struct iommu_hwpt_set_dirty_tracking, __reserved),
	SIM_IOCTL_OP(IOMMU_IOAS_ALLOC, sim_ioas_alloc_ioctl, struct iommu_ioas_alloc, out_ioas_id),
	SIM_IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, sim_ioas_allow_iovas, struct iommu_ioas_allow_iovas,
		     allowed_iovas),
	SIM_IOCTL_OP(IOMMU_IOAS_COPY, sim_ioas_copy, struct iommu_ioas_copy, src_iova),
	SIM_IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, sim_ioas_iova_ranges, struct iommu_ioas_iova_ranges,
		     out_iova_alignment),
	SIM_IOCTL_OP(IOMMU_IOAS_MAP, sim_ioas_map, struct iommu_ioas_map, iova),
	SIM_IOCTL_OP(IOMMU_IOAS_MAP_FILE, sim_ioas_map_file, struct iommu_ioas_map_file, iova),
	SIM_IOCTL_OP(IOMMU_IOAS_UNMAP, sim_ioas_unmap, struct iommu_ioas_unmap, length),
	SIM_IOCTL_OP(IOMMU_OPTION, sim_iommufd_option, struct iommu_option, val64),
	SIM_IOCTL_OP(IOMMU_VFIO_IOAS, sim_vfio_ioas, struct iommu_vfio_ioas, __reserved),
	SIM_IOCTL_OP(IOMMU_VIOMMU_ALLOC, sim_viommu_alloc_ioctl, struct iommu_viommu_alloc,
		     out_viommu_id),
	SIM_IOCTL_OP(IOMMU_VDEVICE_ALLOC, sim_vdevice_alloc_ioctl, struct iommu_vdevice_alloc,
		     virt_id),
	SIM_IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, sim_ioas_change_process,
		     struct iommu_ioas_change_process, __reserved),
	SIM_IOCTL_OP(IOMMU_VEVENTQ_ALLOC, sim_veventq_alloc_ioctl, struct iommu_veventq_alloc,
		     __reserved),
	SIM_IOCTL_OP(IOMMU_HW_QUEUE_ALLOC, sim_hw_queue_alloc_ioctl, struct iommu_hw_queue_alloc,
		     length),
	/* The kernel selftest's test ABI and its mock driver (selftest.c). */
	SIM_IOCTL_OP(IOMMU_TEST_CMD, sim_iommufd_test, struct iommu_test_cmd, last),
};

/* VFIO container compatibility (iommufd/vfio_compat.c, sim's vfio_compat.c). */
#define SIM_VFIO_GET_API_VERSION _IO(';', 100)
#define SIM_VFIO_CHECK_EXTENSION _IO(';', 101)
#define SIM_VFIO_SET_IOMMU _IO(';', 102)
#define SIM_VFIO_IOMMU_GET_INFO _IO(';', 112)
#define SIM_VFIO_IOMMU_MAP_DMA _IO(';', 113)
#define SIM_VFIO_IOMMU_UNMAP_DMA _IO(';', 114)

static long sim_iommufd_vfio_ioctl(struct sim_iommufd_ctx *ictx, unsigned long cmd,
				   unsigned long arg)
{
	switch (cmd) {
	case SIM_VFIO_GET_API_VERSION:
		return 0; /* VFIO_API_VERSION */
	case SIM_VFIO_CHECK_EXTENSION:
		switch (arg) {
		case 1: /* VFIO_TYPE1_IOMMU */
		case 3: /* VFIO_TYPE1v2_IOMMU */
		case 9: /* VFIO_UNMAP_ALL */
			return 1;
		case 4: /* VFIO_DMA_CC_IOMMU: sim devices are always coherent */
			return ictx->vfio_ioas ? 1 : -ENODEV;
		default:
			return 0;
		}
	case SIM_VFIO_SET_IOMMU:
		return sim_vfio_compat_set_iommu(ictx, arg);
	case SIM_VFIO_IOMMU_GET_INFO:
		return sim_vfio_compat_get_info(ictx, (void *)arg);
	case SIM_VFIO_IOMMU_MAP_DMA:
		return sim_vfio_compat_map_dma(ictx, (void *)arg);
	case SIM_VFIO_IOMMU_UNMAP_DMA:
		return sim_vfio_compat_unmap_dma(ictx, (void *)arg);
	default:
		/* Dirty-page logging and the SPAPR calls are not modelled. */
		return -ENOTTY;
	}
}

static long sim_iommufd_fops_ioctl(struct sim_file *file, unsigned long cmd, void *arg)
{
	struct sim_iommufd_ctx *ictx = file->private_data;
	const struct sim_iommufd_ioctl_op *op;
	struct sim_iommufd_ucmd ucmd = {};
	union sim_ucmd_buffer buf;
	unsigned int nr;
	long ret;

	nr = _IOC_NR(cmd);
	pthread_mutex_lock(&ictx->mutex);
	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= sizeof(sim_iommufd_ioctl_ops) / sizeof(*op)) {
		ret = sim_iommufd_vfio_ioctl(ictx, cmd, (unsigned long)arg);
		goto out_unlock;
	}
	ucmd.ictx = ictx;
	ucmd.ubuffer = arg;
	ret = sim_copy_from_user(&ucmd.user_size, arg, sizeof(ucmd.user_size));
	if (ret)
		goto out_unlock;
	op = &sim_iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (op->ioctl_num != cmd) {
		ret = -ENOTTY;
		goto out_unlock;
	}
	if (ucmd.user_size < op->min_size) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ucmd.cmd = &buf;
	ret = sim_copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer, ucmd.user_size);
	if (ret)
		goto out_unlock;
	ret = op->execute(&ucmd);
out_unlock:
	pthread_mutex_unlock(&ictx->mutex);
	return ret;
}

/*
 * close(): destroy the leaves (objects only the table holds) repeatedly; each pass frees the
 * references they held on interior objects. Returns the number left (a refcount bug if > 0).
 */
static int sim_iommufd_fops_release_objects(struct sim_iommufd_ctx *ictx)
{
	while (ictx->nr_objects) {
		unsigned int destroyed = 0;

		for (uint32_t i = 1; i < ictx->nr_slots; i++) {
			struct sim_iommufd_object *obj = ictx->objs[i];
			int expected = 1;

			if (!obj || obj == &sim_obj_reserved)
				continue;
			if (!atomic_compare_exchange_strong(&obj->users, &expected, 0))
				continue;
			destroyed++;
			sim_iommufd_object_free(ictx, obj);
		}
		if (!destroyed)
			break;
	}
	return (int)ictx->nr_objects;
}

static void sim_iommufd_fops_release(struct sim_file *file)
{
	struct sim_iommufd_ctx *ictx = file->private_data;
	int left;

	pthread_mutex_lock(&ictx->mutex);
	left = sim_iommufd_fops_release_objects(ictx);
	pthread_mutex_unlock(&ictx->mutex);
	if (left)
		fprintf(stderr, "sim iommufd: %d objects leaked at close (refcount bug)\n", left);
	free(ictx->objs);
	pthread_mutex_destroy(&ictx->mutex);
	free(ictx);
}

static const struct sim_file_ops sim_iommufd_fops = {
	.name = "iommufd",
	.ioctl = sim_iommufd_fops_ioctl,
	.mmap = sim_iommufd_fops_mmap,
	.release = sim_iommufd_fops_release,
};

int sim_iommufd_fops_open(const char *path, int flags)
{
	struct sim_iommufd_ctx *ictx;
	pthread_mutexattr_t attr;
	struct sim_file *file;
	int fd;

	ictx = calloc(1, sizeof(*ictx));
	if (!ictx)
		return -ENOMEM;
	/* A child forked from now on shares this context with us, as in the kernel. */
	sim_fork_init();
	/*
	 * Recursive: a fault fd's release (which can run inside an ioctl when the last
	 * reference drops there) re-enters the context.
	 */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ictx->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	fd = sim_file_create(&sim_iommufd_fops, ictx, flags, &file);
	if (fd < 0) {
		pthread_mutex_destroy(&ictx->mutex);
		free(ictx);
		return fd;
	}
	ictx->file = file;
	return fd;
}

const struct sim_iommufd_object_ops sim_iommufd_object_ops[SIM_OBJ_MAX] = {
	[SIM_OBJ_DEVICE] = { .destroy = sim_idev_destroy },
	[SIM_OBJ_IOAS] = { .destroy = sim_ioas_destroy },
	[SIM_OBJ_HWPT_PAGING] = {
		.destroy = sim_hwpt_paging_destroy,
		.abort = sim_hwpt_paging_abort,
	},
	[SIM_OBJ_HWPT_NESTED] = { .destroy = sim_hwpt_nested_destroy },
	[SIM_OBJ_FAULT] = { .destroy = sim_fault_destroy },
	[SIM_OBJ_SELFTEST] = { .destroy = sim_selftest_destroy },
	[SIM_OBJ_ACCESS] = { .destroy = sim_access_object_destroy },
	[SIM_OBJ_VIOMMU] = { .destroy = sim_viommu_destroy },
	[SIM_OBJ_VDEVICE] = { .destroy = sim_vdevice_destroy },
	[SIM_OBJ_VEVENTQ] = { .destroy = sim_veventq_destroy },
	[SIM_OBJ_HW_QUEUE] = { .destroy = sim_hw_queue_destroy },
};
