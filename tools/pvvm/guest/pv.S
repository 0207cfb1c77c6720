/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pv.S - mtmsr/mfmsr through the magic page, and their trapping twins.
 *
 * The paravirtual forms follow pvabi's template (pvabi/abi.h,
 * pvabi/delivery.h):
 *   1. store %esp to delivery.critical: "inside";
 *   2. save scratch registers (%ebx) to scratch[], update arch.msr and
 *      delivery.irq_enabled;
 *   3. if interrupts are now on, read int_pending;
 *   4. restore scratch registers;
 *   5. store 0 (never a stack pointer) to delivery.critical: "outside";
 *   6. with PVABI_F_NOTIFY, store to the notification page's doorbell;
 *   then, if step 3 saw int_pending (or a bit outside PVABI_MSR_SAFE_BITS
 *   changes), do the trapping mtmsr so the host delivers.
 * %esp must not move between 1 and 5: the host recognises the section by
 * critical == %esp.  One fence, a locked or before the int_pending load:
 * a host that decides while the vCPU runs (pvabi.ko) stores int_pending,
 * fences and loads irq_enabled, and TSO lets our load pass our store
 * (model check no-guest-fence).  pvvm itself decides only at exits, which
 * drain the store buffer, but the ABI asks for the fence on every host.
 * None before the doorbell: TSO keeps critical = 0 ahead of it.  Only the
 * low half of the 64-bit fields is written: the high half is zero on a
 * 32-bit guest.
 *
 * The magic page is found through struct percpu at the bottom of the stack
 * (guest.h); %ecx holds its address.  Where a template must trap it
 * tail-jumps to pv_trap(msr), which the image's transport defines (pvvm:
 * the trapping mtmsr; ivshmem: a doorbell ring).
 */
#include "boot.h"
#include "guest.h"

	.text
	.code32

/* %ecx = this vCPU's magic page; clobbers nothing else. */
.macro MAGIC_BASE
	mov %esp, %ecx
	and $-PVVM_STACK_SIZE, %ecx
	mov PERCPU_MAGIC(%ecx), %ecx
.endm

/*
 * Steps 2 and 3 after the scratch save: store %eax as the MSR and its EE
 * bit as irq_enabled; with EE on, %dl = int_pending != 0.  Ends by jumping
 * to the caller's next "1:" when EE is off.
 */
.macro STORE_MSR_READ_PENDING
	mov %eax, MP_MSR(%ecx)
	mov %eax, %ebx
	shr $15, %ebx
	and $1, %ebx
	mov %ebx, MP_IRQ_ENABLED(%ecx)
	jz 1f
	lock orl $0, (%esp)		/* full barrier: irq_enabled before int_pending */
	cmpl $0, MP_INT_PENDING(%ecx)	/* 3 */
	setnz %dl
.endm

/* int NAME(uint32_t msr) */
.macro PV_MTMSR name, notify
	.globl \name
\name:
	mov 4(%esp), %eax
	MAGIC_BASE
	xor %edx, %edx			/* edx: must trap */
	mov %esp, MP_CRITICAL(%ecx)	/* 1 */
	mov %ebx, MP_SCRATCH(0)(%ecx)	/* 2 */
	mov MP_MSR(%ecx), %ebx
	xor %eax, %ebx
	test $~MSR_SAFE, %ebx
	jnz 3f
	STORE_MSR_READ_PENDING
1:	mov MP_SCRATCH(0)(%ecx), %ebx	/* 4 */
	movl $0, MP_CRITICAL(%ecx)	/* 5 */
	.if \notify
	movl $0, NP_DOORBELL(%ecx)	/* 6 */
	.endif
	test %edx, %edx
	jnz 4f
	xor %eax, %eax
	ret
3:	inc %edx
	jmp 1b
4:	jmp pv_trap			/* int pv_trap(msr): the transport's */
.endm

	PV_MTMSR pv_mtmsr_notify, 1
	PV_MTMSR pv_mtmsr_plain, 0

/*
 * int NAME(uint32_t msr, uint32_t spin_cycles)
 *
 * pv_mtmsr for EE only, but after step 3 it tells the host (struct
 * pvvm_vcpu_info.phase = PVVM_PHASE_WINDOW, a plain store: no exit) and
 * lingers for spin_cycles TSC cycles: the seed's window, held open so that
 * a test can inject into it on purpose.  Registers live in scratch slots
 * meanwhile; pushing them would move %esp.  With touch, it also stores to
 * the page its third argument points at, inside the section (int
 * NAME(uint32_t msr, uint32_t spin_cycles, uint32_t *touch)): a page
 * fault there runs a handler that may run templates itself, which the
 * nesting rule makes safe (cpu.c).  With hold, it records in struct
 * percpu's waited whether int_pending was set at the end of its lingering,
 * still inside: a vector waited for the section (the ivshmem guest counts
 * them).
 */
.macro PV_MTMSR_WINDOW name, notify, touch=0, hold=0
	.globl \name
\name:
	mov 4(%esp), %eax
	MAGIC_BASE
	xor %edx, %edx
	mov %esp, MP_CRITICAL(%ecx)
	mov %ebx, MP_SCRATCH(0)(%ecx)
	mov %esi, MP_SCRATCH(1)(%ecx)
	mov %edi, MP_SCRATCH(2)(%ecx)
	STORE_MSR_READ_PENDING
1:	mov %edx, MP_SCRATCH(3)(%ecx)
	mov %eax, MP_SCRATCH(4)(%ecx)
	mov 8(%esp), %esi
	mov %esp, %edi
	and $-PVVM_STACK_SIZE, %edi
	mov PERCPU_INFO(%edi), %edi	/* &info->phase */
	movl $PVVM_PHASE_WINDOW, (%edi)
	.if \touch
	mov 12(%esp), %ebx
	movl $1, (%ebx)			/* may fault: not present */
	.endif
	rdtsc
	mov %eax, %ebx
2:	pause
	rdtsc
	sub %ebx, %eax
	cmp %esi, %eax
	jb 2b
	.if \hold
	mov %esp, %ebx
	and $-PVVM_STACK_SIZE, %ebx
	xor %eax, %eax
	cmpl $0, MP_INT_PENDING(%ecx)	/* still inside: did a vector wait? */
	setnz %al
	mov %eax, PERCPU_WAITED(%ebx)
	.endif
	movl $PVVM_PHASE_RUNNING, (%edi)
	mov MP_SCRATCH(3)(%ecx), %edx
	mov MP_SCRATCH(4)(%ecx), %eax
	mov MP_SCRATCH(2)(%ecx), %edi
	mov MP_SCRATCH(1)(%ecx), %esi
	mov MP_SCRATCH(0)(%ecx), %ebx
	movl $0, MP_CRITICAL(%ecx)
	.if \notify
	movl $0, NP_DOORBELL(%ecx)
	.endif
	test %edx, %edx
	jnz 4f
	xor %eax, %eax
	ret
4:	jmp pv_trap			/* int pv_trap(msr): the transport's */
.endm

	PV_MTMSR_WINDOW pv_mtmsr_window_notify, 1
	PV_MTMSR_WINDOW pv_mtmsr_window_plain, 0
	PV_MTMSR_WINDOW pv_section_touch_notify, 1, 1
	PV_MTMSR_WINDOW pv_section_touch_plain, 0, 1
	PV_MTMSR_WINDOW pv_section_hold_notify, 1, 0, 1

/* uint32_t pv_mfmsr(void): a load; no section needed */
	.globl pv_mfmsr
pv_mfmsr:
	MAGIC_BASE
	mov MP_MSR(%ecx), %eax
	ret

/* void trap_mtmsr(uint32_t msr) */
	.globl trap_mtmsr
trap_mtmsr:
	mov 4(%esp), %eax
	mov $PVVM_PORT_VMSR, %dx
	out %eax, %dx
	ret

/* uint32_t trap_mfmsr(void) */
	.globl trap_mfmsr
trap_mfmsr:
	mov $PVVM_PORT_VMSR, %dx
	in %dx, %eax
	ret

	.section .note.GNU-stack, "", @progbits
