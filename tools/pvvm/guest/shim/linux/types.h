/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What kmod/uapi/linux/pvabi.h takes from <linux/types.h>, for the
 * freestanding ivshmem guest (little-endian x86: __le* are plain).
 */
#ifndef PVVM_GUEST_SHIM_LINUX_TYPES_H
#define PVVM_GUEST_SHIM_LINUX_TYPES_H
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;
#endif
