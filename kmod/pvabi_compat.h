/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels pvabi.ko builds on, and the kernel's own
 * accessors for libpvabi's freestanding files.  Kbuild includes this before
 * every file of the module (-include), so libpvabi's sources stay as they
 * are and take the hooks pvabi/access.h and delivery.c leave open.
 */
#ifndef PVABI_COMPAT_H
#define PVABI_COMPAT_H

#include <linux/compiler.h>
#include <linux/mm_types.h>
#include <asm/barrier.h>

/*
 * The magic page's fields as the kernel reads shared memory: READ_ONCE,
 * WRITE_ONCE and smp_mb(), which KCSAN and the memory model know, not the
 * compiler's __atomic builtins (poisoned below: a file of the module that
 * still reaches one fails to build).
 */
#define PVABI_LOAD_RELAXED(p) READ_ONCE(*(p))
#define PVABI_STORE_RELAXED(p, v) WRITE_ONCE(*(p), (v))
#define PVABI_DLV_MB() smp_mb() /* delivery.c: unmap, then re-check */
#pragma GCC poison __atomic_load_n __atomic_store_n __atomic_thread_fence

/*
 * vma->vm_flags became read-only in 6.3 (vm_flags_set()/vm_flags_mod(),
 * PVABI_HAVE_VM_FLAGS_SET from Kbuild); 6.1, Debian 12's kernel and a DKMS
 * target, has only the field.
 */
static inline void pvabi_vm_flags_mod(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
#ifdef PVABI_HAVE_VM_FLAGS_SET
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* PVABI_COMPAT_H */
