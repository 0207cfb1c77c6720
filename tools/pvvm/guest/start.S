/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * start.S - entry and interrupt stubs of the pvvm guest.
 *
 * pvvm enters every vCPU here in flat 32-bit protected mode with %esp at
 * the top of its own stack and %ebx = its index (see boot.h).
 */
#include "boot.h"
#include "guest.h"

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	cld
	push %ebx
	call cpu_setup		/* GDT, IDT, %gs; cpu_setup(id) */
	call guest_main		/* guest_main(id), never returns */
1:	hlt
	jmp 1b

/*
 * One stub per vector: push the vector and join irq_common.  Vectors that
 * come with a CPU error code are only the exceptions below 32, which the
 * guest treats as fatal, so the frame layout past the vector does not
 * matter for them.
 */
	.text
	.align 16
	.globl irq_stubs
irq_stubs:
	.set vec, 0
	.rept 256
	.align 16
	push $vec
	jmp irq_common
	.set vec, vec + 1
	.endr

/*
 * An interrupt gate cleared EFLAGS.IF; the handler runs on the interrupted
 * stack (no privilege change), so the interrupted %esp is just past the
 * hardware frame.  irq_entry(frame) gets the saved registers.
 *
 * The return is popf; sti; ret rather than iret: for a return to the same
 * privilege level they do the same, and some KVM implementations (kvm-pvm,
 * which runs the guest's kernel mode in hardware ring 3 and emulates what
 * faults) cannot emulate a protected-mode iret.  The flags are popped with
 * IF clear and sti sets it: sti's one-instruction shadow (only an sti that
 * changes IF from 0 has one) covers the ret.  A popf that set IF itself
 * would take the next interrupt before the ret, leaving the return address
 * on the stack: a 4-byte leak per interrupt taken there, which back-to-back
 * vectors under KVM (each posted when the last is acknowledged, injected
 * at the first instruction with IF set) ran up to a stack overflow.
 */
irq_common:
	pushal
	push %esp
	call irq_entry
	add $4, %esp
	popal
irq_return:
	add $4, %esp		/* the vector (#PF: the error code); now eip, cs, eflags */
	cmpl $irq_ret, (%esp)
	je 3f
	push %eax
	mov 4(%esp), %eax	/* eip */
	xchg %eax, 12(%esp)	/* eflags <-> eip */
	mov %eax, 8(%esp)	/* eflags over cs */
	pop %eax		/* now junk, eflags, eip */
	lea 4(%esp), %esp	/* lea: leaves the flags alone */
2:	btrl $9, (%esp)		/* IF out of the image; CF: it was set */
	jnc 1f
	popf
	sti
irq_ret:
	ret
1:	popf
	ret

/*
 * An interrupt taken at irq_ret, inside the sti's shadow, which a
 * hypervisor can lose: QEMU 7.2's TCG SVM saves the shadow into the VMCB
 * at #VMEXIT but never loads it at VMRUN, so under KVM nested in it an
 * exit at the sti lets KVM inject at the ret.  Returning there would keep
 * the outer return address below this frame, one more for every vector
 * that lands there back to back, up to a stack overflow.  The frame's
 * eflags lies just below that address: pop both, as the interrupted ret
 * was about to.
 */
3:	lock incl irq_at_ret
	lea 8(%esp), %esp	/* eflags, then what irq_ret was to pop */
	jmp 2b

/* Vector 14, a page fault of PVVM_WORK_EXC_SECTION: the CPU pushed an
 * error code where irq_common has the vector.  pf_entry(frame) (cpu.c). */
	.globl pf_stub
pf_stub:
	pushal
	push %esp
	call pf_entry
	add $4, %esp
	popal
	jmp irq_return

	.data
	.align 4
	.globl irq_at_ret
irq_at_ret:
	.long 0

	.section .note.GNU-stack, "", @progbits
