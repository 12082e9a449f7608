// SPDX-License-Identifier: MIT
/*
 * vIOMMU event queues (drivers/iommu/iommufd/eventq.c, IOMMUFD_OBJ_VEVENTQ): VEVENTQ_ALLOC on a
 * vIOMMU, the driver side (sim_viommu_report_event()) and the descriptor, whose reads return
 * struct iommufd_vevent_header + data per event.
 *
 * The kernel keeps a list with a preallocated LOST_EVENTS header that moves to the tail when an
 * event is dropped and leaves it when the next event is queued; here that header is the @lost
 * flag after the tail, with the same sequence numbers. The read checks the remaining room
 * against sizeof(header) + data, as the kernel's fix of its sizeof(hdr) slip does (a short
 * buffer never gets a torn event). POLLIN while anything waits; the descriptor, an eventfd,
 * also reports POLLOUT, which the kernel's vEVENTQ does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

struct sim_vevent {
	struct sim_vevent *next;
	struct iommufd_vevent_header hdr;
	uint32_t data_len;
	uint8_t data[];
};

static struct sim_veventq *sim_viommu_find_veventq(struct sim_viommu *viommu, uint32_t type)
{
	for (struct sim_veventq *q = viommu->veventqs; q; q = q->next)
		if (q->type == type)
			return q;
	return NULL;
}

/* veventq->mutex held. */
static void sim_veventq_update_readable(struct sim_veventq *veventq)
{
	if (veventq->file)
		sim_file_set_readable(veventq->file, veventq->head || veventq->lost);
}

void sim_veventq_destroy(struct sim_iommufd_object *obj)
{
	struct sim_veventq *veventq = (struct sim_veventq *)obj;
	struct sim_viommu *viommu = veventq->viommu;
	struct sim_veventq **pp;
	struct sim_vevent *ev;

	/* Nobody can read any more (users is 0, so the descriptor is gone): no lock needed. */
	while ((ev = veventq->head)) {
		veventq->head = ev->next;
		free(ev);
	}
	for (pp = &viommu->veventqs; *pp; pp = &(*pp)->next) {
		if (*pp == veventq) {
			*pp = veventq->next;
			break;
		}
	}
	pthread_mutex_destroy(&veventq->mutex);
	atomic_fetch_sub(&viommu->obj.users, 1); /* Pairs with sim_veventq_alloc_ioctl() */
}

/*
 * The kernel's iommufd_vevent_handler(): a LOST_EVENTS header at the tail leaves it when the
 * next record (an event, or the header again) is queued; every record takes the next sequence
 * number. veventq->mutex held.
 */
static void sim_vevent_handler(struct sim_veventq *veventq, struct sim_vevent *ev)
{
	veventq->lost = false;
	if (ev) {
		ev->hdr.sequence = veventq->sequence;
		ev->next = NULL;
		if (veventq->tail)
			veventq->tail->next = ev;
		else
			veventq->head = ev;
		veventq->tail = ev;
	} else {
		veventq->lost = true;
		veventq->lost_sequence = veventq->sequence;
	}
	veventq->sequence = (veventq->sequence + 1) & INT_MAX;
	sim_veventq_update_readable(veventq);
}

int sim_viommu_report_event(struct sim_viommu *viommu, uint32_t type, const void *data, size_t len)
{
	struct sim_veventq *veventq;
	struct sim_vevent *ev = NULL;
	int rc = 0;

	if (!len || !data)
		return -EINVAL;
	veventq = sim_viommu_find_veventq(viommu, type);
	if (!veventq)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&veventq->mutex);
	if (veventq->num_events < veventq->depth) {
		ev = malloc(sizeof(*ev) + len);
		if (ev) {
			ev->hdr.flags = 0;
			ev->data_len = (uint32_t)len;
			memcpy(ev->data, data, len);
			veventq->num_events++;
		} else {
			rc = -ENOMEM; /* recorded as a lost event, as the kernel's GFP_ATOMIC miss */
		}
	}
	sim_vevent_handler(veventq, ev);
	pthread_mutex_unlock(&veventq->mutex);
	return rc;
}

/*
 * iommufd_veventq_fops_read(): whole records in order, the LOST_EVENTS header (8 bytes, no
 * data) last; a record that does not fit stays for the next read. ESPIPE at a nonzero position.
 */
static ssize_t sim_veventq_fops_read(struct sim_file *file, void *buf, size_t count, off_t *pos)
{
	const size_t hdr_size = sizeof(struct iommufd_vevent_header);
	struct sim_veventq *veventq = file->private_data;
	struct sim_vevent *ev;
	size_t done = 0;
	int rc = 0;

	if (*pos)
		return -ESPIPE;
	pthread_mutex_lock(&veventq->mutex);
	while ((ev = veventq->head)) {
		if (done >= count || hdr_size + ev->data_len > count - done)
			break;
		rc = sim_copy_to_user((char *)buf + done, &ev->hdr, hdr_size);
		if (!rc)
			rc = sim_copy_to_user((char *)buf + done + hdr_size, ev->data,
					      ev->data_len);
		if (rc)
			break;
		done += hdr_size + ev->data_len;
		veventq->head = ev->next;
		if (!veventq->head)
			veventq->tail = NULL;
		veventq->num_events--;
		free(ev);
	}
	if (!rc && !veventq->head && veventq->lost && done < count && hdr_size <= count - done) {
		const struct iommufd_vevent_header lost = {
			.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
			.sequence = veventq->lost_sequence,
		};

		rc = sim_copy_to_user((char *)buf + done, &lost, hdr_size);
		if (!rc) {
			done += hdr_size;
			veventq->lost = false;
		}
	}
	sim_veventq_update_readable(veventq);
	pthread_mutex_unlock(&veventq->mutex);
	return done == 0 ? rc : (ssize_t)done;
}

/* Readiness is driven by the queue (sim_file_set_readable): POLLIN while a record waits. */
static unsigned int sim_veventq_fops_poll(struct sim_file *file)
{
	return 0;
}

static void sim_veventq_fops_release(struct sim_file *file)
{
	struct sim_veventq *veventq = file->private_data;
	struct sim_iommufd_ctx *ictx = veventq->ictx;

	pthread_mutex_lock(&veventq->mutex);
	veventq->file = NULL;
	pthread_mutex_unlock(&veventq->mutex);
	/* Pairs with sim_veventq_alloc_ioctl(): the fd held the vEVENTQ and the context. */
	atomic_fetch_sub(&veventq->obj.users, 1);
	sim_iommufd_ctx_put(ictx);
}

/* No write op: write(2) is EINVAL, as on a file without .write. */
static const struct sim_file_ops sim_veventq_fops = {
	.name = "[iommufd-viommu-event]",
	.poll = sim_veventq_fops_poll,
	.read = sim_veventq_fops_read,
	.release = sim_veventq_fops_release,
};

int sim_veventq_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct sim_veventq *veventq;
	struct sim_viommu *viommu;
	struct sim_file *file;
	int fdno, rc;

	if (cmd->flags || cmd->__reserved || cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth)
		return -EINVAL;
	viommu = (struct sim_viommu *)sim_iommufd_get_object(ucmd->ictx, cmd->viommu_id,
							     SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	/* One per type; the kernel asks no driver whether it reports events of that type. */
	if (sim_viommu_find_veventq(viommu, cmd->type)) {
		rc = -EEXIST;
		goto out_put_viommu;
	}
	veventq = (struct sim_veventq *)sim_iommufd_object_alloc(ucmd->ictx, sizeof(*veventq),
								 SIM_OBJ_VEVENTQ);
	if (!veventq) {
		rc = -ENOMEM;
		goto out_put_viommu;
	}
	pthread_mutex_init(&veventq->mutex, NULL);
	veventq->ictx = ucmd->ictx;
	veventq->type = cmd->type;
	veventq->depth = cmd->veventq_depth;
	veventq->viommu = viommu;
	atomic_fetch_add(&viommu->obj.users, 1); /* Pairs with sim_veventq_destroy() */
	veventq->next = viommu->veventqs;
	viommu->veventqs = veventq;

	sim_iommufd_ctx_get(ucmd->ictx); /* Pairs with sim_veventq_fops_release() */
	atomic_fetch_add(&veventq->obj.users, 1); /* Pairs with sim_veventq_fops_release() */
	fdno = sim_file_create(&sim_veventq_fops, veventq, O_RDWR | O_CLOEXEC, &file);
	if (fdno < 0) {
		atomic_fetch_sub(&veventq->obj.users, 1);
		sim_iommufd_ctx_put(ucmd->ictx);
		rc = fdno;
		goto out_abort;
	}
	veventq->file = file;
	cmd->out_veventq_id = veventq->obj.id;
	cmd->out_veventq_fd = fdno;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_close;
	sim_iommufd_object_finalize(ucmd->ictx, &veventq->obj);
	goto out_put_viommu;

out_close:
	/* The fd was never reported to anyone; its release drops its references. */
	sim_file_close(fdno);
out_abort:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &veventq->obj);
out_put_viommu:
	sim_iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
