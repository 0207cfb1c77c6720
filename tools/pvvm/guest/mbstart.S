/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mbstart.S - the ivshmem guest's multiboot (v1) header and entry.
 *
 * A boot loader that speaks multiboot (QEMU's, for a libvirt domain's
 * <os><kernel>) enters mb_start in flat 32-bit protected mode, paging
 * off, interrupts off, with %ebx = its information block and no stack or
 * GDT we may rely on.  It gets vCPU 0's stack (PVVM_STACK_SIZE-aligned:
 * struct percpu sits at its bottom, guest.h) and joins start.S's _start
 * with %ebx = 0, its vCPU index.
 */
#include "boot.h"
#include "guest.h"

	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002		/* magic */
	.long 0				/* flags: an ELF needs none */
	.long -0x1BADB002		/* checksum */

	.text
	.code32
	.globl mb_start
mb_start:
	cli
	mov $mb_stack + PVVM_STACK_SIZE, %esp
	xor %ebx, %ebx
	jmp _start

	.section .bss
	.align PVVM_STACK_SIZE
mb_stack:
	.space PVVM_STACK_SIZE
	.section .note.GNU-stack, "", @progbits
