// SPDX-License-Identifier: MIT
/*
 * IOAS objects and their commands (drivers/iommu/iommufd/ioas.c): ALLOC, ALLOW_IOVAS,
 * IOVA_RANGES, MAP, COPY, UNMAP, the HUGE_PAGES and RLIMIT_MODE options and VFIO_IOAS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

#define SIM_ULONG_MAX UINT64_MAX

void sim_ioas_destroy(struct sim_iommufd_object *obj)
{
	struct sim_ioas *ioas = (struct sim_ioas *)obj;

	sim_iopt_unmap_all(&ioas->iopt, NULL);
	sim_iopt_destroy(&ioas->iopt);
	free(ioas->hwpts);
}

struct sim_ioas *sim_ioas_alloc(struct sim_iommufd_ctx *ictx)
{
	struct sim_ioas *ioas;

	ioas = (struct sim_ioas *)sim_iommufd_object_alloc(ictx, sizeof(*ioas), SIM_OBJ_IOAS);
	if (!ioas)
		return NULL;
	sim_iopt_init(&ioas->iopt);
	return ioas;
}

struct sim_ioas *sim_iommufd_get_ioas(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_ioas *)sim_iommufd_get_object(ictx, id, SIM_OBJ_IOAS);
}

int sim_ioas_add_hwpt(struct sim_ioas *ioas, struct sim_hwpt_paging *hwpt)
{
	if (ioas->nr_hwpts == ioas->cap_hwpts) {
		size_t cap = ioas->cap_hwpts ? ioas->cap_hwpts * 2 : 4;
		struct sim_hwpt_paging **h = realloc(ioas->hwpts, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		ioas->hwpts = h;
		ioas->cap_hwpts = cap;
	}
	ioas->hwpts[ioas->nr_hwpts++] = hwpt;
	return 0;
}

void sim_ioas_del_hwpt(struct sim_ioas *ioas, struct sim_hwpt_paging *hwpt)
{
	for (size_t i = 0; i < ioas->nr_hwpts; i++) {
		if (ioas->hwpts[i] == hwpt) {
			memmove(&ioas->hwpts[i], &ioas->hwpts[i + 1],
				(ioas->nr_hwpts - i - 1) * sizeof(*ioas->hwpts));
			ioas->nr_hwpts--;
			return;
		}
	}
}

int sim_ioas_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct sim_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = sim_ioas_alloc(ucmd->ictx);
	if (!ioas)
		return -ENOMEM;
	cmd->out_ioas_id = ioas->obj.id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_table;
	sim_iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;

out_table:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
	return rc;
}

int sim_ioas_iova_ranges(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range *ranges = NULL;
	struct sim_ioas *ioas;
	uint32_t max_iovas, total;
	uint64_t align;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	max_iovas = cmd->num_iovas;
	/* Count first, then fill what fits (the reserved set cannot change under ictx->mutex). */
	total = sim_iopt_iova_ranges(&ioas->iopt, NULL, 0, &align);
	if (total && max_iovas) {
		uint32_t n = total < max_iovas ? total : max_iovas;

		ranges = calloc(n, sizeof(*ranges));
		if (!ranges) {
			rc = -ENOMEM;
			goto out_put;
		}
		sim_iopt_iova_ranges(&ioas->iopt, ranges, n, &align);
		rc = sim_copy_to_user(sim_u64_to_user_ptr(cmd->allowed_iovas), ranges,
				      n * sizeof(*ranges));
		if (rc)
			goto out_put;
	}
	cmd->num_iovas = total;
	cmd->out_iova_alignment = align;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_put;
	if (total > max_iovas)
		rc = -EMSGSIZE;
out_put:
	free(ranges);
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int sim_range_start_cmp(const void *a, const void *b)
{
	const struct sim_iopt_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Reads the ranges one by one as the kernel does (iommufd_ioas_load_iovas()), so memory grows
 * with what the caller really supplied: a huge num_iovas over a short buffer is EFAULT at the
 * first unreadable entry, never a giant allocation. The kernel's first error by index is kept:
 * both a bad range and an overlap are EINVAL, so an overlap anywhere before an unreadable
 * entry wins over its EFAULT, and overlaps can be found after sorting (O(n log n)).
 */
int sim_ioas_allow_iovas(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	const struct iommu_iova_range *uranges = sim_u64_to_user_ptr(cmd->allowed_iovas);
	struct sim_iopt_range *ranges = NULL;
	uint32_t n = 0, cap = 0;
	struct sim_ioas *ioas;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	for (; n < cmd->num_iovas; n++) {
		struct iommu_iova_range range;

		rc = sim_copy_from_user(&range, uranges + n, sizeof(range));
		if (rc)
			break;
		if (range.start >= range.last) {
			rc = -EINVAL;
			break;
		}
		if (n == cap) {
			uint32_t ncap = cap ? (cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2) : 16;
			struct sim_iopt_range *nr = realloc(ranges, (size_t)ncap * sizeof(*nr));

			if (!nr) {
				rc = -ENOMEM;
				break;
			}
			ranges = nr;
			cap = ncap;
		}
		ranges[n] = (struct sim_iopt_range){ range.start, range.last, NULL };
	}
	if (n > 1) {
		qsort(ranges, n, sizeof(*ranges), sim_range_start_cmp);
		for (uint32_t i = 1; i < n; i++) {
			if (ranges[i].start <= ranges[i - 1].last) {
				rc = -EINVAL;
				break;
			}
		}
	}
	if (rc)
		goto out_free;
	rc = sim_iopt_set_allow_iova(&ioas->iopt, ranges, n);
	if (!rc)
		ranges = NULL; /* now the io_pagetable's */
out_free:
	free(ranges);
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int sim_conv_iommu_prot(uint32_t map_flags)
{
	int prot = 0;

	if (map_flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= SIM_IOMMU_WRITE;
	if (map_flags & IOMMU_IOAS_MAP_READABLE)
		prot |= SIM_IOMMU_READ;
	return prot;
}

#define SIM_MAP_FLAGS \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)

int sim_ioas_map(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	uint64_t iova = cmd->iova;
	struct sim_ioas *ioas;
	int rc;

	if ((cmd->flags & ~SIM_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	rc = sim_iopt_map_user(&ioas->iopt, &iova, cmd->user_va, cmd->length,
			       sim_conv_iommu_prot(cmd->flags),
			       !(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA));
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int sim_ioas_map_file(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	uint64_t iova = cmd->iova;
	struct sim_ioas *ioas;
	int rc;

	if (cmd->flags & ~SIM_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	rc = sim_iopt_map_file(&ioas->iopt, &iova, cmd->fd, cmd->start, cmd->length,
			       sim_conv_iommu_prot(cmd->flags),
			       !(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA));
	if (rc)
		goto out_put;
	cmd->iova = iova;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int sim_ioas_copy(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct sim_iopt_pages_elm *elms = NULL;
	struct sim_ioas *src_ioas, *dst_ioas;
	size_t nr = 0;
	uint64_t iova;
	int rc;

	if (cmd->flags & ~SIM_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= SIM_ULONG_MAX || cmd->src_iova >= SIM_ULONG_MAX ||
	    cmd->dst_iova >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;

	src_ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (!src_ioas)
		return -ENOENT;
	rc = sim_iopt_get_pages(&src_ioas->iopt, cmd->src_iova, cmd->length, &elms, &nr);
	sim_iommufd_put_object(ucmd->ictx, &src_ioas->obj);
	if (rc)
		return rc;

	dst_ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (!dst_ioas) {
		rc = -ENOENT;
		goto out_pages;
	}
	iova = cmd->dst_iova;
	rc = sim_iopt_map_pages(&dst_ioas->iopt, elms, nr, cmd->length, &iova,
				sim_conv_iommu_prot(cmd->flags),
				!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA));
	if (rc)
		goto out_put_dst;
	cmd->dst_iova = iova;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put_dst:
	sim_iommufd_put_object(ucmd->ictx, &dst_ioas->obj);
out_pages:
	sim_iopt_put_pages_list(elms, nr);
	return rc;
}

int sim_ioas_unmap(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	uint64_t unmapped = 0;
	struct sim_ioas *ioas;
	int rc;

	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = sim_iopt_unmap_all(&ioas->iopt, &unmapped);
		if (rc)
			goto out_put;
	} else {
		if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX) {
			rc = -EOVERFLOW;
			goto out_put;
		}
		rc = sim_iopt_unmap(&ioas->iopt, cmd->iova, cmd->length, &unmapped);
		if (rc)
			goto out_put;
	}
	cmd->length = unmapped;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* capable(CAP_SYS_RESOURCE), from the effective set in /proc/self/status. */
static bool sim_capable_sys_resource(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	char line[256];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 24); /* CAP_SYS_RESOURCE */
}

int sim_option_rlimit_mode(struct iommu_option *cmd, struct sim_iommufd_ctx *ictx)
{
	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mm;
		return 0;
	}
	if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (!sim_capable_sys_resource())
			return -EPERM;
		if (ictx->nr_objects)
			return -EBUSY;
		if (cmd->val64 > 1)
			return -EINVAL;
		ictx->account_mm = cmd->val64;
		return 0;
	}
	return -EOPNOTSUPP;
}

int sim_ioas_option(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct sim_ioas *ioas;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->object_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
	} else if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0)
			rc = sim_iopt_disable_large_pages(&ioas->iopt);
		else if (cmd->val64 == 1)
			sim_iopt_enable_large_pages(&ioas->iopt);
		else
			rc = -EINVAL;
	} else {
		rc = -EOPNOTSUPP;
	}
	sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int sim_vfio_ioas(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct sim_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		if (!ucmd->ictx->vfio_ioas)
			return -ENODEV;
		cmd->ioas_id = ucmd->ictx->vfio_ioas->obj.id;
		return sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = sim_iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
		if (!ioas)
			return -ENOENT;
		/* Not a reference: destroying the IOAS clears it (object removal). */
		ucmd->ictx->vfio_ioas = ioas;
		sim_iommufd_put_object(ucmd->ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS moves the pin accounting of file-backed maps to the calling
 * process. sim has one process per context (a fork gets its own copy of sim), so only the
 * kernel's precondition is left to check: every map of every IOAS must be of a file.
 */
int sim_ioas_change_process(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct sim_iommufd_ctx *ictx = ucmd->ictx;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	for (uint32_t i = 1; i < ictx->nr_slots; i++) {
		struct sim_ioas *ioas = sim_iommufd_get_ioas(ictx, i);
		bool ok;

		if (!ioas)
			continue;
		ok = sim_iopt_all_file_backed(&ioas->iopt);
		sim_iommufd_put_object(ictx, &ioas->obj);
		if (!ok)
			return -EINVAL;
	}
	return 0;
}
