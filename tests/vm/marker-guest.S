/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The smallest guest a libvirt domain boots through <os><kernel>: a
 * multiboot (v1) ELF32 that prints one line on COM1,
 *   PVABI-TESTBED-GUEST hypervisor=SIGNATURE
 * with the 12 bytes of CPUID leaf 0x40000000 (KVMKVMKVM under KVM; bytes
 * outside printable ASCII as '.'), and halts.  tests/vm/libvirt-boot.sh
 * reads the line from the domain's serial log.
 */
	.code32
	.section .text
	.globl start
	.align 4
	/* The multiboot header: magic, flags (none needed for an ELF), checksum. */
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002

start:
	cli
	mov $stack_top, %esp
	mov $msg, %esi
	call puts
	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, sig
	mov %ecx, sig + 4
	mov %edx, sig + 8
	mov $sig, %esi
	mov $12, %ecx
1:	lodsb
	cmp $0x20, %al
	jb 2f
	cmp $0x7e, %al
	jbe 3f
2:	mov $'.', %al
3:	call putc
	loop 1b
	mov $nl, %esi
	call puts
4:	hlt
	jmp 4b

/* puts: the NUL-terminated string at %esi to COM1. */
puts:
	lodsb
	test %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* putc: %al to COM1, once its transmitter holds nothing. */
putc:
	push %eax
	push %edx
	mov %al, %ah
	mov $0x3fd, %dx
1:	in %dx, %al
	test $0x20, %al
	jz 1b
	mov $0x3f8, %dx
	mov %ah, %al
	out %al, %dx
	pop %edx
	pop %eax
	ret

	.section .data
msg:	.asciz "PVABI-TESTBED-GUEST hypervisor="
nl:	.asciz "\r\n"
sig:	.space 12

	.section .bss
	.align 16
	.space 4096
stack_top:
