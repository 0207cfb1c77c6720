/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvtest.h: constants shared by the execution test's C and assembly. */
#ifndef PVTEST_H
#define PVTEST_H

#ifdef __powerpc64__
/* ppc64, ppc64le: the pages are reached through r29, which holds
 * PVT_MAGIC (user space can't map the top or bottom 32 KiB there). */
#define PVT_MAGIC    0x3f000000
#define PVT_NOTIFY   0x3f001000
#define PVT_BASE_REG 29
#else
/* ppc32: the top of the address space, absolute addressing as Linux does. */
#define PVT_MAGIC  0xffffe000
#define PVT_NOTIFY 0xffffd000
#endif
/* Raw sequence images are loaded here. */
#define PVT_CODE_BASE 0x20000000

#define PVT_INT_PENDING	   0x88 /* checked against abi.h in host.c */
#define PVT_MSR_EE	   0x8000
#define PVT_MSR_RI	   0x2
#define PVT_SPRG0	   272
#define PVT_SPRG4	   276
#define PVT_SPRG5	   277
#define PVT_SPRG6	   278
#define PVT_SPRG7	   279
#define PVT_TEMPLATE_BYTES (256 * 1024)

#endif
