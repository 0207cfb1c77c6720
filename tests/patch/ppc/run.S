/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.S: the trampoline that runs one instruction sequence with every
 * register taken from (and given back to) a struct pvt_regs, and the
 * hand-written sequences of the execution test.  Assembled for ppc32
 * (big-endian, absolute magic-page addressing), ppc64 (big-endian, ELFv1)
 * and ppc64le (r29 holds the magic page's address on both).  Built by
 * tests/patch/exec.sh.
 *
 * struct pvt_regs { unsigned long gpr[32], cr; }
 */
#include "pvtest.h"

#ifdef __powerpc64__
#define LL ld
#define STL std
#define W 8
#define FRAME 320
#define SLOTS 48 /* past the ELFv1 linkage area (ELFv2's is 32) */
#else
#define LL lwz
#define STL stw
#define W 4
#define FRAME 192
#define SLOTS 16
#endif
#define GPR(n) ((n) * W)
#define CR (32 * W)
/* Frame slots: the regs pointer, the caller's CR, a temporary, r14-r31. */
#define S_REGS (SLOTS)
#define S_CR (SLOTS + 8)
#define S_TMP (SLOTS + 16)
#define S_SAVE(n) (SLOTS + 24 + ((n) - 14) * 8)

/* A magic-page field, as the sequences themselves reach it. */
#ifdef __powerpc64__
#define MP(off) (off)(29)
#else
#define MP(off) (PVT_MAGIC - 0x100000000 + (off))(0)
#endif

	.machine any
	.text
	.globl pvt_run
/* void pvt_run(struct pvt_regs *r, void *code) */
#if defined(__powerpc64__) && _CALL_ELF != 2
	/* ELFv1 (ppc64 big-endian): C calls through a function descriptor. */
	.section .opd, "aw"
	.balign 8
pvt_run:
	.quad .pvt_run, .TOC.@tocbase, 0
	.previous
	.type .pvt_run, @function
.pvt_run:
#else
	.type pvt_run, @function
pvt_run:
#endif
#ifdef __powerpc64__
	mflr 0
	std 0, 16(1)
	stdu 1, -FRAME(1)
#else
	stwu 1, -FRAME(1)
	mflr 0
	stw 0, FRAME + 4(1)
#endif
	.irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STL \n, S_SAVE(\n)(1)
	.endr
	mfcr 0
	STL 0, S_CR(1)
	STL 3, S_REGS(1)
	mtctr 4
	LL 0, CR(3)
	mtcr 0
	LL 0, GPR(0)(3)
	.irp n, 4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LL \n, GPR(\n)(3)
	.endr
	LL 3, GPR(3)(3)
	bctrl
	/* r3 and cr first, through the frame. */
	STL 3, S_TMP(1)
	LL 3, S_REGS(1)
	STL 0, GPR(0)(3)
	mfcr 0
	STL 0, CR(3)
	LL 0, S_TMP(1)
	STL 0, GPR(3)(3)
	.irp n, 4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STL \n, GPR(\n)(3)
	.endr
	.irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LL \n, S_SAVE(\n)(1)
	.endr
	LL 0, S_CR(1)
	mtcr 0
	addi 1, 1, FRAME
#ifdef __powerpc64__
	ld 0, 16(1)
#else
	lwz 0, 4(1)
#endif
	mtlr 0
	blr

/* "An interrupt arrives": the host raises int_pending (the sequence plays
 * the host's side of the page, so both runs see it at the same point). */
.macro irq_arrives
	li 0, 1
	stw 0, MP(PVT_INT_PENDING)
.endm

.macro seq name
	.globl \name
	.type \name, @function
\name:
.endm

/* The hand-written sequences: every kind of site, r30/r31 as operands
 * (the templates' scratch registers), and interrupts that wait. */
	.globl pvt_code_start
pvt_code_start:
seq pvt_seq_msr
	mfmsr 3
	ori 4, 3, PVT_MSR_EE
	mtmsr 4
	mfmsr 5
	xori 6, 5, PVT_MSR_EE
	mtmsr 6
	mfmsr 30
	mfmsr 31
	ori 30, 30, PVT_MSR_RI
	mtmsr 30
	mfmsr 7
	oris 8, 7, 0x0200   /* an unsafe bit: falls back */
	mtmsr 8
	mfmsr 9
	mtmsr 7
#ifdef __powerpc64__
	mtmsrd 4
	mfmsr 10
	li 11, 0
	mtmsrd 11, 1
	mfmsr 12
	mtmsrd 4, 1
	mfmsr 14
	mtmsrd 31, 1
#endif
	blr

seq pvt_seq_wrtee
	wrteei 0
	mfmsr 3
	wrteei 1
	mfmsr 4
	li 5, 0
	wrtee 5
	mfmsr 6
	li 31, 0
	ori 31, 31, PVT_MSR_EE
	wrtee 31
	mfmsr 7
	wrtee 30
	blr

seq pvt_seq_spr
	mtsprg 0, 3
	mtsprg 1, 4
	mtsprg 2, 30
	mtsprg 3, 31
	mfsprg 5, 0
	mfsprg 6, 1
	mfsprg 30, 2
	mfsprg 31, 3
	mtspr PVT_SPRG4, 7
	mtspr PVT_SPRG5, 8
	mtspr PVT_SPRG6, 9
	mtspr PVT_SPRG7, 10
	mfspr 11, PVT_SPRG7
	mfspr 12, PVT_SPRG4
	mtsrr0 14
	mtsrr1 15
	mfsrr0 16
	mfsrr1 17
#ifdef PVT_BOOKE
	mtspr 61, 18         /* DEAR: book-E's DAR; no DSISR there */
	mfspr 20, 61
#else
	mtdar 18
	mtdsisr 19
	mfdar 20
	mfdsisr 21
#endif
	mfspr 0, PVT_SPRG0
	blr

seq pvt_seq_misc
	mtsrin 3, 4
	mtsrin 30, 31
	mtsrin 31, 30
	tlbsync
	mtsrin 5, 0
	blr

seq pvt_seq_irq
	wrteei 1
	irq_arrives
	mfsprg 3, 0          /* EE on, pending: falls back, delivered */
	wrteei 0
	irq_arrives
	mfsprg 4, 1          /* EE off: stays pending */
	mtsprg 1, 4
	wrteei 1             /* enabling delivers */
	irq_arrives
	tlbsync
	mfmsr 5
	xori 5, 5, PVT_MSR_EE
	mtmsr 5
	irq_arrives
	mfmsr 6
	ori 6, 6, PVT_MSR_EE
	mtmsr 6
	blr

#ifdef PVT_BOOKE
/* Book-E registers (PVABI_F_BOOKE): MAS3 and MAS7 are the two halves of
 * arch.mas7_3. */
seq pvt_seq_booke
	mtspr 624, 3
	mtspr 625, 4
	mtspr 626, 5
	mtspr 627, 6
	mtspr 628, 7
	mtspr 630, 8
	mtspr 944, 9
	mfspr 10, 624
	mfspr 11, 625
	mfspr 12, 626
	mfspr 30, 627
	mfspr 31, 944
	mfspr 14, 628
	mfspr 16, 630
	mtspr 62, 17
	mfspr 18, 62
	mfspr 19, 286        /* PIR, read-only */
	mtspr 277, 20
	mfspr 21, 261        /* SPRG5R: the user-readable alias of SPRG5 */
	blr
#endif

/* Run last: whatever interrupt still waits is taken. */
seq pvt_seq_drain
	wrteei 1
	blr
	.globl pvt_code_end
pvt_code_end:

	.section .rodata
	.globl pvt_seqs
	.balign W
pvt_seqs:
#ifdef __powerpc64__
	.quad pvt_seq_msr, pvt_seq_wrtee, pvt_seq_spr, pvt_seq_misc
	.quad pvt_seq_irq, 0
#else
	.long pvt_seq_msr, pvt_seq_wrtee, pvt_seq_spr, pvt_seq_misc
	.long pvt_seq_irq
#ifdef PVT_BOOKE
	.long pvt_seq_booke
#endif
	.long 0
#endif

/* The template area that 'pvctl patch apply' fills, as Linux's kvm_tmp[]. */
	.section .pvabi_templates, "ax", @progbits
	.balign 4096
	.globl pvt_templates
pvt_templates:
	.space PVT_TEMPLATE_BYTES

	.section .note.GNU-stack, "", @progbits
