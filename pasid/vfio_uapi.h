/* SPDX-License-Identifier: MIT */
/*
 * The VFIO device-cdev calls svart makes on top of iommufd: bind a /dev/vfio/devices/vfioN fd
 * to an iommufd, then attach its RID or one of its PASIDs to an IOAS or HWPT, and detach it.
 * Everything else VFIO (VFIO_TYPE, VFIO_DEVICE_GET_INFO, ...) comes from <linux/vfio.h>.
 *
 * <linux/vfio.h> gained these in steps: Debian 12's (Linux 6.1) has none of them; later ones
 * have the three ioctls with shorter structs (no pasid, no token_uuid_ptr: 16, 12 and 8
 * bytes); the newest have the layouts below. svart needs the newest on every build host,
 * because what the running kernel accepts does not depend on the headers svart was built
 * with. So the system's three structs are renamed out of the way while <linux/vfio.h> is read
 * (and, where it has them, checked below to agree with ours on the fields both have); svart
 * then defines its own under the kernel's names. Only the ioctl numbers and flags the system
 * lacks are defined here.
 *
 * Including <linux/vfio.h> before this header defeats the renaming. That works when the
 * system's structs already have the newest layout, or none at all; otherwise it is refused.
 */
#ifndef PASID_VFIO_UAPI_H
#define PASID_VFIO_UAPI_H

#include <stddef.h>
#include <linux/types.h>

#if defined(VFIO_H) || defined(_UAPIVFIO_H)
/* <linux/vfio.h> came first: its structs, if any, stand under the kernel's names. */
#if defined(VFIO_DEVICE_BIND_FLAG_TOKEN) && defined(VFIO_DEVICE_ATTACH_PASID) && \
	defined(VFIO_DEVICE_DETACH_PASID)
#define PASID_VFIO_SYS_STRUCTS 1
#elif !defined(VFIO_DEVICE_BIND_IOMMUFD) && !defined(VFIO_DEVICE_ATTACH_IOMMUFD_PT) && \
	!defined(VFIO_DEVICE_DETACH_IOMMUFD_PT)
#define PASID_VFIO_SYS_STRUCTS 0
#else
#error "<linux/vfio.h> was included before pasid/vfio_uapi.h and its VFIO cdev structs lack " \
	"the PASID and token fields svart needs: include pasid/vfio_uapi.h first"
#endif
#else
#define vfio_device_bind_iommufd pasid_sys_vfio_device_bind_iommufd
#define vfio_device_attach_iommufd_pt pasid_sys_vfio_device_attach_iommufd_pt
#define vfio_device_detach_iommufd_pt pasid_sys_vfio_device_detach_iommufd_pt
#include <linux/vfio.h>
#undef vfio_device_bind_iommufd
#undef vfio_device_attach_iommufd_pt
#undef vfio_device_detach_iommufd_pt
#define PASID_VFIO_SYS_STRUCTS 0
/* What the system header had, before the fallbacks below fill the gaps. */
#ifdef VFIO_DEVICE_BIND_IOMMUFD
#define PASID_VFIO_SYS_HAS_CDEV 1
#else
#define PASID_VFIO_SYS_HAS_CDEV 0
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
#define PASID_VFIO_SYS_HAS_PASID 1
#else
#define PASID_VFIO_SYS_HAS_PASID 0
#endif
#ifdef VFIO_DEVICE_BIND_FLAG_TOKEN
#define PASID_VFIO_SYS_HAS_TOKEN 1
#else
#define PASID_VFIO_SYS_HAS_TOKEN 0
#endif
#endif

#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

#define VFIO_ABI_OFFSETOFEND(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#define VFIO_ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), "struct " #type " must be " #size " bytes")
#define VFIO_ABI_CHECK(type, field, off, size)                              \
	_Static_assert(offsetof(struct type, field) == (off) &&             \
			       sizeof(((struct type *)0)->field) == (size), \
		       "struct " #type ": " #field " must be at offset " #off ", " #size " bytes")

#ifndef VFIO_DEVICE_BIND_IOMMUFD
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif
#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
#ifndef VFIO_DEVICE_DETACH_IOMMUFD_PT
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)
#endif
#ifndef VFIO_DEVICE_BIND_FLAG_TOKEN
#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0) /* @token_uuid_ptr is set: a PF/VF token */
#endif
#ifndef VFIO_DEVICE_ATTACH_PASID
#define VFIO_DEVICE_ATTACH_PASID (1 << 0) /* attach @pasid rather than the RID */
#endif
#ifndef VFIO_DEVICE_DETACH_PASID
#define VFIO_DEVICE_DETACH_PASID (1 << 0) /* detach @pasid rather than the RID */
#endif

#if !PASID_VFIO_SYS_STRUCTS
/* Bind the device fd to @iommufd; @out_devid is the device's ID in iommufd commands. */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr; /* 16-byte UUID, with VFIO_DEVICE_BIND_FLAG_TOKEN */
};

/*
 * Attach the RID (or @pasid, with VFIO_DEVICE_ATTACH_PASID) to @pt_id: an IOAS, a HWPT or a
 * vIOMMU. With an IOAS the automatic HWPT's ID comes back in @pt_id. Attaching again
 * replaces the current attachment.
 */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};
#endif

VFIO_ABI_SIZE(vfio_device_bind_iommufd, 24);
VFIO_ABI_CHECK(vfio_device_bind_iommufd, argsz, 0, 4);
VFIO_ABI_CHECK(vfio_device_bind_iommufd, flags, 4, 4);
VFIO_ABI_CHECK(vfio_device_bind_iommufd, iommufd, 8, 4);
VFIO_ABI_CHECK(vfio_device_bind_iommufd, out_devid, 12, 4);
VFIO_ABI_CHECK(vfio_device_bind_iommufd, token_uuid_ptr, 16, 8);

VFIO_ABI_SIZE(vfio_device_attach_iommufd_pt, 16);
VFIO_ABI_CHECK(vfio_device_attach_iommufd_pt, argsz, 0, 4);
VFIO_ABI_CHECK(vfio_device_attach_iommufd_pt, flags, 4, 4);
VFIO_ABI_CHECK(vfio_device_attach_iommufd_pt, pt_id, 8, 4);
VFIO_ABI_CHECK(vfio_device_attach_iommufd_pt, pasid, 12, 4);

VFIO_ABI_SIZE(vfio_device_detach_iommufd_pt, 12);
VFIO_ABI_CHECK(vfio_device_detach_iommufd_pt, argsz, 0, 4);
VFIO_ABI_CHECK(vfio_device_detach_iommufd_pt, flags, 4, 4);
VFIO_ABI_CHECK(vfio_device_detach_iommufd_pt, pasid, 8, 4);

/* The renamed system structs must agree with ours on every field they have. */
#if defined(PASID_VFIO_SYS_HAS_CDEV) && PASID_VFIO_SYS_HAS_CDEV
VFIO_ABI_CHECK(pasid_sys_vfio_device_bind_iommufd, argsz, 0, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_bind_iommufd, flags, 4, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_bind_iommufd, iommufd, 8, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_bind_iommufd, out_devid, 12, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_attach_iommufd_pt, argsz, 0, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_attach_iommufd_pt, flags, 4, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_attach_iommufd_pt, pt_id, 8, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_detach_iommufd_pt, argsz, 0, 4);
VFIO_ABI_CHECK(pasid_sys_vfio_device_detach_iommufd_pt, flags, 4, 4);
#if PASID_VFIO_SYS_HAS_TOKEN
VFIO_ABI_SIZE(pasid_sys_vfio_device_bind_iommufd, 24);
VFIO_ABI_CHECK(pasid_sys_vfio_device_bind_iommufd, token_uuid_ptr, 16, 8);
#else
VFIO_ABI_SIZE(pasid_sys_vfio_device_bind_iommufd, 16);
#endif
#if PASID_VFIO_SYS_HAS_PASID
VFIO_ABI_SIZE(pasid_sys_vfio_device_attach_iommufd_pt, 16);
VFIO_ABI_CHECK(pasid_sys_vfio_device_attach_iommufd_pt, pasid, 12, 4);
VFIO_ABI_SIZE(pasid_sys_vfio_device_detach_iommufd_pt, 12);
VFIO_ABI_CHECK(pasid_sys_vfio_device_detach_iommufd_pt, pasid, 8, 4);
#else
VFIO_ABI_SIZE(pasid_sys_vfio_device_attach_iommufd_pt, 12);
VFIO_ABI_SIZE(pasid_sys_vfio_device_detach_iommufd_pt, 8);
#endif
#endif

/*
 * The smallest argsz each call accepts (smaller: EINVAL): the end of the first released
 * layout, or of @pasid when the PASID flag is set. A bind with VFIO_DEVICE_BIND_FLAG_TOKEN
 * passes the whole struct: a shorter argsz hides @token_uuid_ptr from the kernel.
 */
#define VFIO_MIN_ARGSZ_BIND_IOMMUFD 16
#define VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT 12
#define VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT_PASID 16
#define VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT 8
#define VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT_PASID 12

_Static_assert(VFIO_MIN_ARGSZ_BIND_IOMMUFD ==
		       VFIO_ABI_OFFSETOFEND(struct vfio_device_bind_iommufd, out_devid),
	       "BIND_IOMMUFD's min argsz ends at out_devid");
_Static_assert(VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT ==
		       VFIO_ABI_OFFSETOFEND(struct vfio_device_attach_iommufd_pt, pt_id),
	       "ATTACH_IOMMUFD_PT's min argsz ends at pt_id");
_Static_assert(VFIO_MIN_ARGSZ_ATTACH_IOMMUFD_PT_PASID ==
		       VFIO_ABI_OFFSETOFEND(struct vfio_device_attach_iommufd_pt, pasid),
	       "ATTACH_IOMMUFD_PT with a PASID needs argsz through pasid");
_Static_assert(VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT ==
		       VFIO_ABI_OFFSETOFEND(struct vfio_device_detach_iommufd_pt, flags),
	       "DETACH_IOMMUFD_PT's min argsz ends at flags");
_Static_assert(VFIO_MIN_ARGSZ_DETACH_IOMMUFD_PT_PASID ==
		       VFIO_ABI_OFFSETOFEND(struct vfio_device_detach_iommufd_pt, pasid),
	       "DETACH_IOMMUFD_PT with a PASID needs argsz through pasid");

#endif /* PASID_VFIO_UAPI_H */
