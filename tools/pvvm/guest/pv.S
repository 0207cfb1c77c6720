/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pv.S - mtmsr/mfmsr through the magic page, and their trapping twins.
 *
 * The paravirtual forms follow pvabi's template (pvabi/abi.h):
 *   1. store %esp to delivery.critical: "inside";
 *   2. save scratch registers to scratch[], update arch.msr and
 *      delivery.irq_enabled;
 *   3. if interrupts are now on, read int_pending;
 *   4. restore scratch registers;
 *   5. store 0 (never a stack pointer) to delivery.critical: "outside";
 *   6. store to the notification page's doorbell (when negotiated);
 *   then, if step 3 saw int_pending (or a bit outside PVABI_MSR_SAFE_BITS
 *   changes), do the trapping mtmsr so the host delivers.
 * %esp must not move between 1 and 5: the host recognises the section by
 * critical == %esp.  x86 is TSO, so the stores need no barriers.  Only
 * the low half of the 64-bit fields is written: the high half is zero on
 * a 32-bit guest.
 *
 * %fs covers this vCPU's magic page and, right after it, its notification
 * page; %gs its struct percpu.
 */
#include "boot.h"
#include "guest.h"

	.text
	.code32

/* int pv_mtmsr(uint32_t msr) */
	.globl pv_mtmsr
pv_mtmsr:
	mov 4(%esp), %eax
	xor %edx, %edx			/* edx: must trap */
	mov %esp, %fs:MP_CRITICAL	/* 1 */
	mov %ecx, %fs:MP_SCRATCH(0)	/* 2 */
	mov %fs:MP_MSR, %ecx
	xor %eax, %ecx
	test $~MSR_SAFE, %ecx
	jnz 3f
	mov %eax, %fs:MP_MSR
	mov %eax, %ecx
	shr $15, %ecx
	and $1, %ecx
	mov %ecx, %fs:MP_IRQ_ENABLED
	jz 1f
	cmpl $0, %fs:MP_INT_PENDING	/* 3 */
	setnz %dl
1:	mov %fs:MP_SCRATCH(0), %ecx	/* 4 */
	movl $0, %fs:MP_CRITICAL	/* 5 */
	cmpl $0, %gs:PERCPU_NOTIFY
	je 2f
	movl $0, %fs:NP_DOORBELL	/* 6 */
2:	test %edx, %edx
	jnz 4f
	xor %eax, %eax
	ret
3:	inc %edx
	jmp 1b
4:	mov $PVVM_PORT_VMSR, %dx
	out %eax, %dx
	mov $1, %eax
	ret

/*
 * int pv_mtmsr_window(uint32_t msr, uint32_t spin_cycles)
 *
 * pv_mtmsr, but after step 3 it tells the host (struct pvvm_vcpu_info
 * .phase = PVVM_PHASE_WINDOW, a plain store: no exit) and lingers for
 * spin_cycles TSC cycles: the seed's window, held open so that a test can
 * inject into it on purpose.  Registers live in scratch slots meanwhile;
 * pushing them would move %esp.
 */
	.globl pv_mtmsr_window
pv_mtmsr_window:
	mov 4(%esp), %eax
	xor %edx, %edx
	mov %esp, %fs:MP_CRITICAL
	mov %ecx, %fs:MP_SCRATCH(0)
	mov %ebx, %fs:MP_SCRATCH(1)
	mov %esi, %fs:MP_SCRATCH(2)
	mov %eax, %fs:MP_MSR
	mov %eax, %ecx
	shr $15, %ecx
	and $1, %ecx
	mov %ecx, %fs:MP_IRQ_ENABLED
	jz 1f
	cmpl $0, %fs:MP_INT_PENDING
	setnz %dl
1:	mov %edx, %fs:MP_SCRATCH(3)
	mov %eax, %fs:MP_SCRATCH(4)
	mov 8(%esp), %esi
	mov %gs:PERCPU_INFO, %ecx
	movl $PVVM_PHASE_WINDOW, (%ecx)
	rdtsc
	mov %eax, %ebx
2:	pause
	rdtsc
	sub %ebx, %eax
	cmp %esi, %eax
	jb 2b
	movl $PVVM_PHASE_RUNNING, (%ecx)
	mov %fs:MP_SCRATCH(3), %edx
	mov %fs:MP_SCRATCH(4), %eax
	mov %fs:MP_SCRATCH(2), %esi
	mov %fs:MP_SCRATCH(1), %ebx
	mov %fs:MP_SCRATCH(0), %ecx
	movl $0, %fs:MP_CRITICAL
	cmpl $0, %gs:PERCPU_NOTIFY
	je 3f
	movl $0, %fs:NP_DOORBELL
3:	test %edx, %edx
	jnz 4f
	xor %eax, %eax
	ret
4:	mov $PVVM_PORT_VMSR, %dx
	out %eax, %dx
	mov $1, %eax
	ret

/* uint32_t pv_mfmsr(void): a load; no section needed */
	.globl pv_mfmsr
pv_mfmsr:
	mov %fs:MP_MSR, %eax
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
