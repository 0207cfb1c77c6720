/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM's direct-boot kernel under patch policy "host" (pvctld(8), HOST
 * PATCHING).  libvirt's qemu hook cannot change the domain XML before a
 * start ("prepare begin" only reads it), so the path QEMU boots is fixed
 * beforehand: when a VM's policy becomes "host", pvctld points its
 * persistent <os><kernel> at pvabi's copy, PVCTL_KERNEL_DIR/<uuid>.vmlinux,
 * and keeps the original path in <metadata> under PVCTL_KERNEL_NS; when the
 * policy leaves "host", the original path goes back.  At every start the
 * hook (pvctl hook ... prepare begin) patches the original into the copy
 * and writes what it did beside it (PVCTL_KERNEL_DIR/<uuid>.json).
 */
#ifndef PVCTL_KERNEL_H
#define PVCTL_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* Where the copies and their reports live; root's, written by the hook. */
#define PVCTL_KERNEL_DIR "/var/lib/pvabi/kernels"
/* <metadata><kernel:kernel source="ORIGINAL"/> (schemas/libvirt-kernel.rng). */
#define PVCTL_KERNEL_NS	      "https://pvabi.org/xmlns/libvirt/pvabi-kernel/1"
#define PVCTL_KERNEL_PATH_MAX 4096

struct pvctl_kernel_paths {
	char uuid[40];			    /* the domain's, with dashes */
	char kernel[PVCTL_KERNEL_PATH_MAX]; /* <os><kernel>, "" without */
	char source[PVCTL_KERNEL_PATH_MAX]; /* the recorded original, "" */
	char copy[PVCTL_KERNEL_PATH_MAX]; /* PVCTL_KERNEL_DIR/<uuid>.vmlinux */
	char report[PVCTL_KERNEL_PATH_MAX]; /* PVCTL_KERNEL_DIR/<uuid>.json */
};

/*
 * pvctl_kernel_paths - the kernel paths of a libvirt <domain> document
 * Returns 0, or PVABI_E_MALFORMED (not a domain with a UUID) with @why;
 * then @p->kernel and @p->source are still set if the domain has them.
 */
int pvctl_kernel_paths(const char *xml, size_t len,
		       struct pvctl_kernel_paths *p, char *why, size_t whylen);

/*
 * pvctl_kernel_edit - point <os><kernel> at pvabi's copy (@host) or back
 * at the original.  @host: a domain with a <kernel> that is not the copy
 * gets the copy's path, its original recorded; !@host: a recorded original
 * goes back and the record goes.  Returns 1 with the new document in
 * *@out (free()), 0 when nothing changes, or PVABI_E_MALFORMED,
 * PVABI_E_NOMEM with @why.
 */
int pvctl_kernel_edit(const char *xml, size_t len, bool host, char **out,
		      char *why, size_t whylen);

/* SHA-256 of @data as 64 lowercase hex digits and a NUL into @hex. */
void pvctl_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
