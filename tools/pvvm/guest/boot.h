/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * boot.h - the contract between pvvm and its guests (x86, 32-bit).
 *
 * Freestanding: included by the monitor and by the guests.
 *
 * GUEST-PHYSICAL MAP
 *
 *   0x00001000  struct pvvm_boot: parameters from pvvm, results from the guest
 *   0x00010000  the guest image (flat binary, entry at its first byte)
 *   0x00100000  one PVVM_STACK_SIZE stack per vCPU
 *   0x00200000  one interrupt log per vCPU (PVVM_LOG_SIZE each)
 *   0xf0000000  where the guests put their pvabi pages: vCPU i asks for its
 *               magic page at PVVM_PV_GPA + i * 0x2000 and its notification
 *               page right after it
 *
 * ENTRY
 *
 * Every vCPU starts at PVVM_IMAGE_GPA in 32-bit protected mode, flat 4 GiB
 * code and data segments, paging off, interrupts off (EFLAGS.IF = 0), with
 * %esp at the top of its stack and %ebx = its vCPU index.
 *
 * PORTS (the x86 profile of pvabi: x86 has no user-space hypercall exit,
 * so a pvabi hypercall is a 32-bit IN from PVVM_PORT_HCALL; the status
 * comes back as the data read, so a hypercall without results costs the
 * monitor no register write)
 *
 *   PVVM_PORT_CONSOLE  8-bit OUT: one character of the vCPU's console line
 *   PVVM_PORT_HCALL    32-bit IN with %eax = PVABI_HCALL_TOKEN(nr); arguments
 *                      in %ebx, %ecx, %esi, %edi; status back in %eax
 *                      (0 or a negative PVABI_E_* code), results in %ebx,
 *                      %ecx.  PVABI_HC_NEGOTIATE takes %ebx = the address of
 *                      a struct pvvm_negotiate (six 64-bit arguments do not
 *                      fit 32-bit registers).
 *   PVVM_PORT_VMSR     32-bit OUT writes, IN reads the virtual machine-state
 *                      register (PowerPC MSR layout: PVABI_MSR_EE is bit 15):
 *                      the trapping way of mtmsr/mfmsr
 *   PVVM_PORT_EXIT     32-bit OUT: the vCPU is done, with this status
 */
#ifndef PVVM_BOOT_H
#define PVVM_BOOT_H

/* Unsigned in C; plain in assembly, where clang's assembler refuses the
 * suffix (GNU as tolerates it). */
#ifdef __ASSEMBLER__
#define PVVM_U(x) x
#else
#define PVVM_U(x) x##u
#endif

#define PVVM_BOOT_GPA	 PVVM_U(0x1000)
#define PVVM_IMAGE_GPA	 PVVM_U(0x10000)
#define PVVM_IMAGE_MAX	 PVVM_U(0xf0000)
#define PVVM_STACK_GPA	 PVVM_U(0x100000)
#define PVVM_STACK_SIZE	 PVVM_U(0x4000)
#define PVVM_LOG_GPA	 PVVM_U(0x200000)
#define PVVM_LOG_ENTRIES PVVM_U(16384)
#define PVVM_LOG_SIZE	 (PVVM_LOG_ENTRIES * PVVM_U(16))
#define PVVM_MAX_VCPUS	 8
#define PVVM_RAM_SIZE	 PVVM_U(0x800000)
#define PVVM_PV_GPA	 PVVM_U(0xf0000000)
#define PVVM_PV_STRIDE	 PVVM_U(0x2000)

#define PVVM_PORT_CONSOLE 0x00e9
#define PVVM_PORT_HCALL	  0x5056
#define PVVM_PORT_VMSR	  0x5057
#define PVVM_PORT_EXIT	  0x5058

#define PVVM_BOOT_MAGIC PVVM_U(0x4d565650) /* "PVVM" */

/* First vector pvvm injects; 0..31 are the CPU's exceptions. */
#define PVVM_VECTOR_BASE 32
#define PVVM_VECTORS	 (256 - PVVM_VECTOR_BASE)

/* pvvm_vcpu_info.phase, written by the guest so the host can aim an
 * injection; a plain store, no exit. */
#define PVVM_PHASE_SETUP   0
#define PVVM_PHASE_RUNNING 1
#define PVVM_PHASE_WINDOW  2 /* inside a critical section, after int_pending */
#define PVVM_PHASE_DONE	   3

#ifndef __ASSEMBLER__
#include <pvabi/negotiate.h> /* abi.h, and versions packed in 32 bits */

/* pvvm_boot.mode: how the guest does its privileged operations. */
enum pvvm_mode {
	PVVM_MODE_TRAP = 0, /* port I/O for every mtmsr/mfmsr */
	PVVM_MODE_PV = 1,   /* the magic page, if negotiation allows */
};

/* pvvm_boot.workload: what the guest does after its setup. */
enum pvvm_workload {
	PVVM_WORK_DEMO = 0, /* negotiate, count operations, report, exit */
	PVVM_WORK_MEASURE,  /* time hypercalls and operations, exit */
	PVVM_WORK_BUSY,	    /* toggle interrupts until told to stop */
	PVVM_WORK_IDLE,	    /* tickless idle: halt with interrupts on */
	PVVM_WORK_WINDOW,   /* idle, but linger in the seed's window */
	/* Hostile guests (docs/delivery.md, section 7); they ignore
	 * pvvm_boot.stop. */
	PVVM_WORK_RANDOM_PAGE,	    /* random bytes over the magic page */
	PVVM_WORK_CRITICAL_FOREVER, /* critical = %esp, never cleared */
	PVVM_WORK_NOTIFY_FLIP,	    /* re-point and flip the notify page */
	PVVM_WORK_BAD_NEGOTIATE,    /* bad addresses, versions, features */
	PVVM_WORK_RANDOM_LOG,	    /* random log_head: pvvm's own log */
	/* Not hostile: a page fault inside a section, whose handler runs
	 * templates under the nesting rule (PVABI_F_NESTING). */
	PVVM_WORK_EXC_SECTION,
};

/* Argument block of PVABI_HC_NEGOTIATE on x86 (%ebx points at it). */
struct pvvm_negotiate {
	pvabi_u32 min_ver; /* (major << 16) | minor */
	pvabi_u32 max_ver;
	pvabi_u64 wanted;
	pvabi_u64 required;
	pvabi_u64 magic_gpa;
	pvabi_u64 notify_gpa;
	/* out */
	pvabi_u32 version;
	pvabi_u32 pad;
	pvabi_u64 features;
};

/* One record of the interrupt log, written by the guest's handler. */
struct pvvm_log_entry {
	pvabi_u32 vector;
	pvabi_u32 flags; /* PVVM_LOG_IN_CRITICAL, PVVM_LOG_EE_OFF */
	pvabi_u64 tsc;	 /* guest TSC at handler entry */
};
#define PVVM_LOG_IN_CRITICAL                                                   \
	PVVM_U(1)		  /* interrupted inside a critical section */
#define PVVM_LOG_EE_OFF PVVM_U(2) /* interrupted with virtual EE off */

struct pvvm_vcpu_info {
	/* guest -> host */
	pvabi_u32 phase;
	pvabi_u32 status;  /* negotiation result: 0 or PVABI_E_* */
	pvabi_u32 version; /* negotiated (major << 16) | minor, or 0 */
	pvabi_u32 pad0;
	pvabi_u64 features;	/* negotiated */
	pvabi_u64 pv_ops;	/* privileged operations done in memory */
	pvabi_u64 pv_traps;	/* ... of which had to trap after all */
	pvabi_u64 trap_ops;	/* privileged operations done by trapping */
	pvabi_u64 hcall_cycles; /* PVVM_WORK_MEASURE: TSC cycles per loop */
	pvabi_u64 trap_cycles;
	pvabi_u64 pv_cycles;
	pvabi_u64 loops;
	pvabi_u32 log_head; /* guest: next log slot it writes */
	pvabi_u32 log_tail; /* host: next log slot it reads */
	pvabi_u32 interrupts;
	pvabi_u32 pad1;
	/* hostile guests: rounds of their loop; hypercall answers that were
	 * what the guest expected (the documented error), and that were not */
	pvabi_u64 hostile_rounds;
	pvabi_u32 answers_ok;
	pvabi_u32 answers_bad;
	/* PVVM_WORK_EXC_SECTION: page faults taken inside a section, and
	 * templates the fault handler ran while that section was saved */
	pvabi_u32 faults;
	pvabi_u32 at_ret; /* interrupts taken at start.S's irq_ret, so far */
	pvabi_u64 nested;
};

struct pvvm_boot {
	pvabi_u32 magic; /* PVVM_BOOT_MAGIC */
	pvabi_u32 nr_vcpus;
	pvabi_u32 mode;	    /* enum pvvm_mode */
	pvabi_u32 workload; /* enum pvvm_workload */
	pvabi_u32 min_ver;  /* guest's range: (major << 16) | minor */
	pvabi_u32 max_ver;
	pvabi_u64 wanted; /* features the guest asks for */
	pvabi_u64 required;
	pvabi_u32 iterations;  /* DEMO and MEASURE loop counts */
	pvabi_u32 work;	       /* BUSY/IDLE: operations between halts */
	pvabi_u32 stop;	       /* host -> guest: finish the workload */
	pvabi_u32 window_spin; /* WINDOW: TSC cycles to linger, / 1024 */
	pvabi_u8 reserved[64];
	struct pvvm_vcpu_info vcpu[PVVM_MAX_VCPUS];
};

_Static_assert(sizeof(struct pvvm_log_entry) == 16, "log entry size");
_Static_assert(sizeof(struct pvvm_vcpu_info) == 128, "vcpu info size");
_Static_assert(sizeof(struct pvvm_boot) <= 0x1000, "boot block size");
/* i386 aligns 64-bit fields to 4 bytes only: pin what both sides share. */
_Static_assert(__builtin_offsetof(struct pvvm_vcpu_info, features) == 16, "");
_Static_assert(__builtin_offsetof(struct pvvm_vcpu_info, log_head) == 80, "");
_Static_assert(__builtin_offsetof(struct pvvm_boot, wanted) == 24, "");
_Static_assert(__builtin_offsetof(struct pvvm_boot, vcpu) == 120, "");
_Static_assert(__builtin_offsetof(struct pvvm_negotiate, features) == 48, "");
_Static_assert(sizeof(struct pvvm_negotiate) == 56, "");
#endif /* __ASSEMBLER__ */

#endif /* PVVM_BOOT_H */
