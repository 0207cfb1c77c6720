/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The ioctl numbers of kmod/uapi/linux/pvabi.h mean nothing to a guest. */
#ifndef PVVM_GUEST_SHIM_LINUX_IOCTL_H
#define PVVM_GUEST_SHIM_LINUX_IOCTL_H
#define _IO(t, n)      0
#define _IOR(t, n, a)  0
#define _IOW(t, n, a)  0
#define _IOWR(t, n, a) 0
#endif
