/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Symbols libpvabi exports; everything else is hidden (-fvisibility=hidden).
 * In the kernel module the same files build with PVABI_EXPORT empty. */
#ifndef PVABI_EXPORT_H
#define PVABI_EXPORT_H

#if defined(__KERNEL__)
#define PVABI_EXPORT
#else
#define PVABI_EXPORT __attribute__((visibility("default")))
#endif

#endif
