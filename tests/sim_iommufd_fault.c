// SPDX-License-Identifier: MIT
/*
 * sim fault queues: FAULT_QUEUE_ALLOC, the fault fd (POLLIN, whole-group reads, cookies,
 * responses, ESPIPE/EINVAL rules), grouping by grpid with LAST_PAGE, routing by PASID,
 * immediate INVALID without a fault queue, auto-INVALID on replace/detach/destroy, and the
 * lifetime order of the selftest's nested IOPF test.
 */
#include <poll.h>
#include <string.h>

#include "sim_iommufd_util.h"

#define REC sizeof(struct iommu_hwpt_pgfault)

struct resp_log {
	int n;
	uint32_t pasid[8], grpid[8], code[8];
	bool pasid_valid[8];
};

static void on_response(struct sim_pdev *pdev, void *priv, uint32_t pasid, bool pasid_valid,
			uint32_t grpid, uint32_t code)
{
	struct resp_log *log = priv;

	if (log->n < 8) {
		log->pasid[log->n] = pasid;
		log->pasid_valid[log->n] = pasid_valid;
		log->grpid[log->n] = grpid;
		log->code[log->n] = code;
	}
	log->n++;
}

static const struct sim_pdev_ops resp_ops = { .page_response = on_response };

static int fault_alloc(int fd, uint32_t *id)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };

	T_EQ(0, svart_sim_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd));
	*id = cmd.out_fault_id;
	return (int)cmd.out_fault_fd;
}

static int respond(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return (int)svart_sim_write(ffd, &r, sizeof(r));
}

static void test_fault(void)
{
	int fd = svart_sim_iommufd_open(), idx, vfd, ffd;
	struct resp_log log = {};
	struct sim_pdev_info info = {
		.name = "0000:6a:01.0",
		.max_pasid_log2 = 20,
		.ats = true,
		.ops = &resp_ops,
		.priv = &log,
	};
	struct sim_pdev *pdev = NULL;
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x1000, .addr_width = 48 };
	struct iommu_hwpt_pgfault recs[4];
	uint32_t ioas, dev_id, fault_id, s2 = 0, iopf_hwpt = 0, plain_hwpt = 0, pt;
	const uint32_t pasid = 7;

	idx = sim_pdev_create(&info, &pdev);
	T_CHECK(idx >= 0);
	ioas = t_ioas_alloc(fd);
	vfd = t_vfio_open(idx);
	dev_id = t_vfio_bind(vfd, fd);
	{
		struct iommu_fault_alloc bad = { .size = sizeof(bad), .flags = 1 };

		T_ERRNO(EOPNOTSUPP, svart_sim_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &bad));
	}
	ffd = fault_alloc(fd, &fault_id);
	T_CHECK(svart_sim_is_fd(ffd));
	T_EQ(POLLOUT | POLLWRNORM, svart_sim_poll_events(ffd));
	T_EQ(0, svart_sim_read(ffd, recs, sizeof(recs))); /* nothing queued */

	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID, dev_id,
			     ioas, 0, NULL, 0, &s2));
	T_EQ(0, t_hwpt_alloc_fault(fd, IOMMU_HWPT_ALLOC_PASID, dev_id, s2, &s1, sizeof(s1),
				   fault_id, &iopf_hwpt));
	T_EQ(0, t_hwpt_alloc(fd, IOMMU_HWPT_ALLOC_PASID, dev_id, s2, IOMMU_HWPT_DATA_VTD_S1, &s1,
			     sizeof(s1), &plain_hwpt));
	/* The FAULT is held by its HWPT and its fd. */
	T_ERRNO(EBUSY, t_destroy(fd, fault_id));

	/* No HWPT on the PASID: INVALID at once. */
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x5000, IOMMU_PGFAULT_PERM_READ, 1, true));
	T_EQ(1, log.n);
	T_EQ(IOMMUFD_PAGE_RESP_INVALID, log.code[0]);
	/* A HWPT without a fault queue: INVALID at once too. */
	pt = s2;
	T_EQ(0, t_vfio_attach(vfd, &pt, false, 0));
	pt = plain_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x5000, IOMMU_PGFAULT_PERM_READ, 1, true));
	T_EQ(2, log.n);

	/* Onto the IOPF HWPT (replace), then a two-request group and a single one. */
	pt = iopf_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x1000, IOMMU_PGFAULT_PERM_READ, 3, false));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x9000, IOMMU_PGFAULT_PERM_WRITE, 4, true));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x2000, IOMMU_PGFAULT_PERM_WRITE, 3, true));
	T_EQ(2, log.n);
	T_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, svart_sim_poll_events(ffd));
	{
		struct pollfd p = { .fd = ffd, .events = POLLIN };

		T_EQ(1, poll(&p, 1, 0)); /* the real descriptor polls readable too */
	}
	/* Bad reads: position / size rules. */
	T_ERRNO(ESPIPE, svart_sim_read(ffd, recs, REC + 1));
	T_ERRNO(EFAULT, svart_sim_read(ffd, NULL, REC));
	/* One record's room: the first group (grpid 4, one request) fits. */
	T_EQ(REC, svart_sim_read(ffd, recs, REC));
	T_EQ(4, recs[0].grpid);
	T_EQ(dev_id, recs[0].dev_id);
	T_EQ(pasid, recs[0].pasid);
	T_EQ(0x9000, recs[0].addr);
	T_EQ(IOMMU_PGFAULT_PERM_WRITE, recs[0].perm);
	T_EQ(0, recs[0].length);
	T_EQ(1, recs[0].cookie);
	/* VT-d reports PASID_VALID with its NEEDS_PASID bit (8) next to LAST_PAGE. */
	T_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE | 8, recs[0].flags);
	/* The next group has two records: one record's room is not enough. */
	T_EQ(0, svart_sim_read(ffd, recs, REC));
	memset(recs, 0, sizeof(recs));
	T_EQ(2 * REC, svart_sim_read(ffd, recs, sizeof(recs)));
	T_EQ(3, recs[0].grpid);
	T_EQ(3, recs[1].grpid);
	T_EQ(0x1000, recs[0].addr);
	T_EQ(0x2000, recs[1].addr);
	T_EQ(2, recs[0].cookie);
	T_EQ(2, recs[1].cookie);
	T_EQ(0, recs[0].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	T_CHECK(recs[1].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	T_EQ(POLLOUT | POLLWRNORM, svart_sim_poll_events(ffd));

	/* Responses. */
	T_ERRNO(ESPIPE, svart_sim_write(ffd, recs, 7));
	T_ERRNO(EINVAL, respond(ffd, 1, 2));
	T_ERRNO(EINVAL, respond(ffd, 9, 0));
	T_EQ(8, respond(ffd, 1, IOMMUFD_PAGE_RESP_SUCCESS));
	T_EQ(3, log.n);
	T_EQ(IOMMUFD_PAGE_RESP_SUCCESS, log.code[2]);
	T_EQ(4, log.grpid[2]);
	T_EQ(pasid, log.pasid[2]);
	T_CHECK(log.pasid_valid[2]);
	T_ERRNO(EINVAL, respond(ffd, 1, 0)); /* used cookie */
	/* Cookie 1 is free again and reused. */
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x3000, IOMMU_PGFAULT_PERM_READ, 5, true));
	T_EQ(REC, svart_sim_read(ffd, recs, sizeof(recs)));
	T_EQ(1, recs[0].cookie);
	/* Two responses in one write, the second bad: 8 bytes done. */
	{
		struct iommu_hwpt_page_response r[2] = { { 2, 0 }, { 77, 0 } };

		T_EQ(8, svart_sim_write(ffd, r, sizeof(r)));
		T_EQ(4, log.n);
		T_EQ(3, log.grpid[3]);
	}

	/* Replace answers pending groups (read or not) INVALID. */
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x4000, IOMMU_PGFAULT_PERM_READ, 6, true));
	pt = plain_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(6, log.n); /* cookie 1 (grpid 5, read) and grpid 6 (queued) */
	T_EQ(IOMMUFD_PAGE_RESP_INVALID, log.code[4]);
	T_EQ(IOMMUFD_PAGE_RESP_INVALID, log.code[5]);
	T_EQ(POLLOUT | POLLWRNORM, svart_sim_poll_events(ffd));
	T_ERRNO(EINVAL, respond(ffd, 1, 0));

	/* Parked requests wait for their LAST_PAGE; RID requests route to the RID HWPT. */
	pt = iopf_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x1000, IOMMU_PGFAULT_PERM_READ, 9, false));
	T_EQ(0, svart_sim_read(ffd, recs, sizeof(recs)));
	T_EQ(0, sim_iopf_report(pdev, 0, false, 0x1000, IOMMU_PGFAULT_PERM_READ, 8, true));
	T_EQ(7, log.n); /* the RID's s2 has no fault queue */
	T_CHECK(!log.pasid_valid[6]);
	/* Detach answers the queued group. */
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x2000, IOMMU_PGFAULT_PERM_READ, 9, true));
	T_EQ(0, t_vfio_detach(vfd, true, pasid));
	T_EQ(8, log.n);
	T_EQ(9, log.grpid[7]);

	/* Destroying the FAULT answers what it still holds; lifetime order first. */
	pt = iopf_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x2000, IOMMU_PGFAULT_PERM_READ, 10, true));
	T_EQ(0, t_vfio_detach(vfd, true, pasid));
	T_EQ(9, log.n);
	T_EQ(0, t_destroy(fd, iopf_hwpt));
	T_ERRNO(EBUSY, t_destroy(fd, fault_id)); /* the fd still holds it */
	T_EQ(0, svart_sim_close(ffd));
	T_EQ(0, t_destroy(fd, fault_id));

	/* A FAULT left with a pending group is answered when the iommufd closes. */
	ffd = fault_alloc(fd, &fault_id);
	T_EQ(0, t_hwpt_alloc_fault(fd, IOMMU_HWPT_ALLOC_PASID, dev_id, s2, &s1, sizeof(s1),
				   fault_id, &iopf_hwpt));
	pt = iopf_hwpt;
	T_EQ(0, t_vfio_attach(vfd, &pt, true, pasid));
	T_EQ(0, sim_iopf_report(pdev, pasid, true, 0x2000, IOMMU_PGFAULT_PERM_READ, 11, true));
	T_EQ(0, svart_sim_close(vfd)); /* detach: answered */
	T_EQ(10, log.n);
	T_EQ(0, svart_sim_close(ffd));
	T_EQ(0, svart_sim_close(fd));
	sim_pdev_destroy(pdev);
}

int main(void)
{
	test_fault();
	return t_done("sim_iommufd_fault");
}
