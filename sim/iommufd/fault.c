// SPDX-License-Identifier: MIT
/*
 * Fault queues (drivers/iommu/iommufd/eventq.c, IOMMUFD_OBJ_FAULT): IOMMU_FAULT_QUEUE_ALLOC,
 * the fault descriptor (read page-request groups, write responses, POLLIN while a group waits),
 * and the device side: sim_iopf_report() builds groups and routes them to the HWPT attached at
 * the request's PASID; responses reach the device through its ops->page_response.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"

/* The kernel's IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID: VT-d sets it on PASID requests. */
#define SIM_FAULT_PAGE_RESPONSE_NEEDS_PASID (1u << 3)

static void sim_iopf_free_group(struct sim_iopf_group *group)
{
	struct sim_iopf *f;

	while ((f = group->faults)) {
		group->faults = f->next;
		free(f);
	}
	sim_pdev_put(group->pdev); /* Pairs with sim_iopf_report() */
	free(group);
}

void sim_iopf_group_respond(struct sim_iopf_group *group, uint32_t code)
{
	struct sim_pdev *pdev = group->pdev;

	if (pdev->ops && pdev->ops->page_response)
		pdev->ops->page_response(pdev, pdev->priv, group->last_pasid,
					 group->last_pasid_valid, group->last_grpid, code);
	sim_iopf_free_group(group);
}

static void sim_respond_list(struct sim_iopf_group *list, uint32_t code)
{
	while (list) {
		struct sim_iopf_group *next = list->next;

		sim_iopf_group_respond(list, code);
		list = next;
	}
}

/* fault->mutex held. */
static void sim_fault_update_readable(struct sim_fault *fault)
{
	if (fault->file)
		sim_file_set_readable(fault->file, fault->deliver != NULL);
}

void sim_fault_auto_response(struct sim_hwpt *hwpt, struct sim_attach_handle *handle)
{
	struct sim_fault *fault = hwpt->fault;
	struct sim_iopf_group *answer = NULL, **pp, *g;

	if (!fault)
		return;
	pthread_mutex_lock(&fault->mutex);
	fault->deliver_tail = NULL;
	for (pp = &fault->deliver; (g = *pp);) {
		if (g->handle == handle) {
			*pp = g->next;
			g->next = answer;
			answer = g;
		} else {
			fault->deliver_tail = g;
			pp = &g->next;
		}
	}
	for (uint32_t i = 0; i < fault->nr_response; i++) {
		g = fault->response[i];
		if (g && g->handle == handle) {
			fault->response[i] = NULL;
			g->next = answer;
			answer = g;
		}
	}
	sim_fault_update_readable(fault);
	pthread_mutex_unlock(&fault->mutex);
	sim_respond_list(answer, IOMMUFD_PAGE_RESP_INVALID);
}

void sim_fault_destroy(struct sim_iommufd_object *obj)
{
	struct sim_fault *fault = (struct sim_fault *)obj;
	struct sim_iopf_group *answer = fault->deliver;

	/* Nobody else can reach the object now (users is 0): no lock needed. */
	for (uint32_t i = 0; i < fault->nr_response; i++) {
		if (fault->response[i]) {
			fault->response[i]->next = answer;
			answer = fault->response[i];
		}
	}
	fault->deliver = NULL;
	free(fault->response);
	pthread_mutex_destroy(&fault->mutex);
	sim_respond_list(answer, IOMMUFD_PAGE_RESP_INVALID);
}

struct sim_fault *sim_iommufd_get_fault(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_fault *)sim_iommufd_get_object(ictx, id, SIM_OBJ_FAULT);
}

/* Lowest free cookie >= 1 (xa_alloc with ALLOC1). fault->mutex held. */
static int sim_fault_alloc_cookie(struct sim_fault *fault, struct sim_iopf_group *group)
{
	uint32_t i;

	for (i = 0; i < fault->nr_response; i++)
		if (!fault->response[i])
			break;
	if (i == fault->nr_response) {
		uint32_t nr = fault->nr_response ? fault->nr_response * 2 : 16;
		struct sim_iopf_group **r = realloc(fault->response, nr * sizeof(*r));

		if (!r)
			return -ENOMEM;
		memset(r + fault->nr_response, 0, (nr - fault->nr_response) * sizeof(*r));
		fault->response = r;
		fault->nr_response = nr;
	}
	fault->response[i] = group;
	group->cookie = i + 1;
	return 0;
}

static ssize_t sim_fault_fops_read(struct sim_file *file, void *buf, size_t count, off_t *pos)
{
	const size_t fault_size = sizeof(struct iommu_hwpt_pgfault);
	struct sim_fault *fault = file->private_data;
	struct sim_iopf_group *group;
	size_t done = 0;
	int rc = 0;

	if (*pos || count % fault_size)
		return -ESPIPE;
	pthread_mutex_lock(&fault->mutex);
	while ((group = fault->deliver)) {
		size_t start = done;
		struct sim_iopf *f;

		/* Whole groups only: a group that does not fit stays for the next read. */
		if (done >= count || group->fault_count * fault_size > count - done)
			break;
		rc = sim_fault_alloc_cookie(fault, group);
		if (rc)
			break;
		for (f = group->faults; f; f = f->next) {
			struct iommu_hwpt_pgfault rec = f->rec;

			rec.cookie = group->cookie;
			rc = sim_copy_to_user((char *)buf + done, &rec, fault_size);
			if (rc)
				break;
			done += fault_size;
		}
		if (rc) {
			/* Back to the head of the queue, cookie released. */
			fault->response[group->cookie - 1] = NULL;
			done = start;
			break;
		}
		fault->deliver = group->next;
		if (!fault->deliver)
			fault->deliver_tail = NULL;
		group->next = NULL;
	}
	sim_fault_update_readable(fault);
	pthread_mutex_unlock(&fault->mutex);
	return done == 0 ? rc : (ssize_t)done;
}

static ssize_t sim_fault_fops_write(struct sim_file *file, const void *buf, size_t count,
				    off_t *pos)
{
	const size_t response_size = sizeof(struct iommu_hwpt_page_response);
	struct sim_fault *fault = file->private_data;
	struct sim_iopf_group *answered = NULL, **tail = &answered;
	size_t done = 0;
	int rc = 0;

	if (*pos || count % response_size)
		return -ESPIPE;
	pthread_mutex_lock(&fault->mutex);
	while (count > done) {
		struct iommu_hwpt_page_response response;
		struct sim_iopf_group *group;

		rc = sim_copy_from_user(&response, (const char *)buf + done, response_size);
		if (rc)
			break;
		if (response.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    response.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		if (!response.cookie || response.cookie > fault->nr_response ||
		    !fault->response[response.cookie - 1]) {
			rc = -EINVAL;
			break;
		}
		group = fault->response[response.cookie - 1];
		fault->response[response.cookie - 1] = NULL;
		/* The code rides in the cookie field once the cookie is spent. */
		group->cookie = response.code;
		group->next = NULL;
		*tail = group;
		tail = &group->next;
		done += response_size;
	}
	pthread_mutex_unlock(&fault->mutex);
	while (answered) {
		struct sim_iopf_group *next = answered->next;

		sim_iopf_group_respond(answered, answered->cookie);
		answered = next;
	}
	return done == 0 ? rc : (ssize_t)done;
}

static void sim_fault_fops_release(struct sim_file *file)
{
	struct sim_fault *fault = file->private_data;
	struct sim_iommufd_ctx *ictx = fault->ictx;

	pthread_mutex_lock(&fault->mutex);
	fault->file = NULL;
	pthread_mutex_unlock(&fault->mutex);
	/* Pairs with sim_fault_alloc_ioctl(): the fd held the FAULT and the context. */
	atomic_fetch_sub(&fault->obj.users, 1);
	sim_iommufd_ctx_put(ictx);
}

/* Readiness is driven by the queue (sim_file_set_readable): POLLIN while a group waits. */
static unsigned int sim_fault_fops_poll(struct sim_file *file)
{
	return 0;
}

static const struct sim_file_ops sim_fault_fops = {
	.name = "[iommufd-pgfault]",
	.poll = sim_fault_fops_poll,
	.read = sim_fault_fops_read,
	.write = sim_fault_fops_write,
	.release = sim_fault_fops_release,
};

int sim_fault_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct sim_file *file;
	struct sim_fault *fault;
	int fdno, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = (struct sim_fault *)sim_iommufd_object_alloc(ucmd->ictx, sizeof(*fault),
							     SIM_OBJ_FAULT);
	if (!fault)
		return -ENOMEM;
	pthread_mutex_init(&fault->mutex, NULL);
	fault->ictx = ucmd->ictx;

	sim_iommufd_ctx_get(ucmd->ictx); /* Pairs with sim_fault_fops_release() */
	atomic_fetch_add(&fault->obj.users, 1); /* Pairs with sim_fault_fops_release() */
	fdno = sim_file_create(&sim_fault_fops, fault, O_RDWR | O_CLOEXEC, &file);
	if (fdno < 0) {
		atomic_fetch_sub(&fault->obj.users, 1);
		sim_iommufd_ctx_put(ucmd->ictx);
		rc = fdno;
		goto out_abort;
	}
	fault->file = file;
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fdno;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_close;
	sim_iommufd_object_finalize(ucmd->ictx, &fault->obj);
	return 0;

out_close:
	/* The fd was never reported to anyone; its release drops its references. */
	sim_file_close(fdno);
out_abort:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &fault->obj);
	return rc;
}

void sim_fault_queue_group(struct sim_fault *fault, struct sim_iopf_group *group)
{
	pthread_mutex_lock(&fault->mutex);
	group->next = NULL;
	if (fault->deliver_tail)
		fault->deliver_tail->next = group;
	else
		fault->deliver = group;
	fault->deliver_tail = group;
	sim_fault_update_readable(fault);
	pthread_mutex_unlock(&fault->mutex);
}

int sim_iopf_report(struct sim_pdev *pdev, uint32_t pasid, bool pasid_valid, uint64_t addr,
		    uint32_t perm, uint32_t grpid, bool last_page)
{
	struct sim_iopf *iopf, **pp, **tail;
	struct sim_attach_handle *handle = NULL;
	struct sim_iopf_group *group;
	unsigned int lo, hi;
	uint32_t key;

	iopf = calloc(1, sizeof(*iopf));
	if (!iopf)
		return -ENOMEM;
	if (pasid_valid) {
		iopf->rec.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
		if (pdev->iommu == &sim_vtd_ops)
			iopf->rec.flags |= SIM_FAULT_PAGE_RESPONSE_NEEDS_PASID;
	}
	if (last_page)
		iopf->rec.flags |= IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	iopf->rec.pasid = pasid;
	iopf->rec.grpid = grpid;
	iopf->rec.perm = perm;
	iopf->rec.addr = addr;

	pthread_mutex_lock(&pdev->iopf_lock);
	if (!last_page) {
		for (pp = &pdev->partial; *pp; pp = &(*pp)->next)
			;
		*pp = iopf;
		pthread_mutex_unlock(&pdev->iopf_lock);
		return 0;
	}
	group = calloc(1, sizeof(*group));
	if (!group) {
		pthread_mutex_unlock(&pdev->iopf_lock);
		free(iopf);
		return -ENOMEM;
	}
	/* The group: every parked request with this grpid, in order, then the last one. */
	tail = &group->faults;
	for (pp = &pdev->partial; *pp;) {
		struct sim_iopf *f = *pp;

		if (f->rec.grpid == grpid) {
			*pp = f->next;
			f->next = NULL;
			*tail = f;
			tail = &f->next;
			group->fault_count++;
		} else {
			pp = &f->next;
		}
	}
	*tail = iopf;
	group->fault_count++;
	pthread_mutex_unlock(&pdev->iopf_lock);
	sim_pdev_get(pdev); /* Pairs with sim_iopf_free_group() */
	group->pdev = pdev;
	group->last_pasid = pasid;
	group->last_pasid_valid = pasid_valid;
	group->last_grpid = grpid;

	/*
	 * VT-d routes by the request's PASID only. A driver whose PASID table belongs to the
	 * user (iommu_ops.user_pasid_table, the mock driver) falls back to the RID's domain.
	 */
	key = pasid_valid ? pasid : SIM_IOMMU_NO_PASID;
	pthread_rwlock_rdlock(&pdev->lock);
again:
	lo = 0;
	hi = pdev->nr_attach;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pdev->attach[mid].pasid < key) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo < pdev->nr_attach && pdev->attach[lo].pasid == key)
		handle = pdev->attach[lo].handle;
	if (!handle && key != SIM_IOMMU_NO_PASID && pdev->iommu->user_pasid_table) {
		key = SIM_IOMMU_NO_PASID;
		goto again;
	}
	if (!handle || !handle->hwpt->fault) {
		pthread_rwlock_unlock(&pdev->lock);
		sim_iopf_group_respond(group, IOMMUFD_PAGE_RESP_INVALID);
		return 0;
	}
	group->handle = handle;
	for (struct sim_iopf *f = group->faults; f; f = f->next)
		f->rec.dev_id = handle->idev->obj.id;
	/* Queued under the device lock: a detach waits, then answers it. */
	sim_fault_queue_group(handle->hwpt->fault, group);
	pthread_rwlock_unlock(&pdev->lock);
	return 0;
}
