/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* guest.h - what the pvvm guest's C and assembly share. */
#ifndef PVVM_GUEST_H
#define PVVM_GUEST_H

#define SEL_CODE    0x08
#define SEL_DATA    0x10
#define GDT_ENTRIES 3

/*
 * Each vCPU keeps its struct percpu at the bottom of its own stack (the
 * stacks are PVVM_STACK_SIZE-aligned), so %esp alone finds it: no segment
 * override, which some KVM implementations (kvm-pvm) can only emulate.
 * Offsets for pv.S:
 */
#define PERCPU_INFO   0
#define PERCPU_ID     4
#define PERCPU_MAGIC  8
#define PERCPU_NOTIFY 12
#define PERCPU_WAITED 36

/* Magic-page offsets the templates use, from abi.h. */
#define MP_CRITICAL    0x080
#define MP_INT_PENDING 0x088
#define MP_IRQ_ENABLED 0x08c
#define MP_MSR	       0x100
#define MP_SCRATCH(n)  (0x200 + 8 * (n))
#define NP_DOORBELL                                                            \
	0x1000 /* the guest puts its notification page right                   \
		 after its magic page */

#define MSR_EE	 0x8000
#define MSR_SAFE 0x8002 /* EE | RI */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "boot.h"

struct percpu {
	struct pvvm_vcpu_info *info;
	uint32_t id;
	struct pvabi_magic_page *magic; /* NULL: trapping guest */
	uint32_t notify; /* the notification page was negotiated */
	uint32_t msr;	 /* trapping guest: what it last wrote */
	struct pvvm_log_entry *log;
	int (*mtmsr)(uint32_t msr); /* the template negotiation chose */
	int (*mtmsr_window)(uint32_t msr, uint32_t spin_cycles);
	uint32_t nesting;    /* PVABI_F_NESTING was negotiated */
	uint32_t waited;     /* pv_section_hold: int_pending at its end */
	uint32_t stack_used; /* most bytes in use under an interrupt frame */
};
_Static_assert(__builtin_offsetof(struct percpu, waited) == PERCPU_WAITED,
	       "PERCPU_WAITED");

static inline struct percpu *this_cpu(void)
{
	uint32_t sp;

	__asm__("mov %%esp, %0" : "=r"(sp));
	return (struct percpu *)(sp & -PVVM_STACK_SIZE);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

#define barrier()	 __asm__ volatile("" ::: "memory")
#define READ_ONCE(x)	 (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* pv.S: the magic-page templates and their trapping twins.  The pv_
 * forms return 1 when they had to trap after all; the _notify forms end
 * with the doorbell store, for guests that negotiated PVABI_F_NOTIFY. */
/* Interrupts start.S took at the ret after its sti (the shadow lost). */
extern volatile uint32_t irq_at_ret;

int pv_mtmsr_notify(uint32_t msr);
int pv_mtmsr_plain(uint32_t msr);
int pv_mtmsr_window_notify(uint32_t msr, uint32_t spin_cycles);
int pv_mtmsr_window_plain(uint32_t msr, uint32_t spin_cycles);
/* pv_mtmsr_window that also stores to *touch while inside the section */
int pv_section_touch_notify(uint32_t msr, uint32_t spin_cycles,
			    volatile uint32_t *touch);
int pv_section_touch_plain(uint32_t msr, uint32_t spin_cycles,
			   volatile uint32_t *touch);
/* pv_mtmsr_window_notify that also sets this_cpu()->waited when
 * int_pending is set as it leaves: a vector waited for the section. */
int pv_section_hold_notify(uint32_t msr, uint32_t spin_cycles);
uint32_t pv_mfmsr(void);
void trap_mtmsr(uint32_t msr);
uint32_t trap_mfmsr(void);

/* hcall.c */
int32_t hcall0(uint32_t nr, uint32_t *r1, uint32_t *r2);
int32_t hcall1(uint32_t nr, uint32_t a1, uint32_t *r1, uint32_t *r2);

/*
 * The transport: what the shared code (start.S, pv.S, cpu.c, console.c,
 * section.c) asks of the image it is linked into.  pvvm's guest (main.c,
 * hcall.c: I/O ports to pvvm) and the ivshmem guest (ivshmem.c: COM1 and
 * the ivshmem-doorbell device) each define them.
 */
/* PVABI_HC_KICK: an exit on which the host decides (pvvm: the hypercall
 * port; ivshmem: a doorbell ring). */
int32_t hcall_kick(void);
/* The templates' fallback when they must trap, with their own argument:
 * returns 1.  Reached by a tail jump from pv.S. */
int pv_trap(uint32_t msr);
void console_putc(char ch);
struct pvvm_vcpu_info *vcpu_info(uint32_t id);
struct pvvm_log_entry *vcpu_log(uint32_t id);
struct nest;
/* An interrupt >= PVVM_VECTOR_BASE, between the nesting rule's entry and
 * exit; flags as in struct pvvm_log_entry.  Returns 1 when the host must
 * be told once the interrupted state is back (a doorbell ring). */
int irq_handle(struct percpu *c, uint32_t vector, uint32_t flags,
	       const struct nest *n);
void __attribute__((noreturn)) guest_exit(uint32_t status);

/* hostile.c: never return */
void hostile_random_page(struct percpu *c);
void hostile_critical_forever(struct percpu *c);
void hostile_notify_flip(struct percpu *c);
void hostile_bad_negotiate(struct percpu *c);
void hostile_random_log(struct percpu *c);

/* console.c */
void putstr(const char *s);
void putdec(uint64_t v);
void puthex(uint64_t v);
void putver(uint32_t v);

/* cpu.c */
void cpu_setup(uint32_t id);
void cpu_set_pv(struct pvabi_magic_page *magic, int notify);
/* The nesting rule's saved state, on the handler's stack (cpu.c). */
struct nest {
	uint32_t critical; /* low half: a 32-bit guest owns only that */
	uint32_t msr;
	uint32_t irq_enabled;
	uint64_t scratch[PVABI_SCRATCH_SLOTS];
};
void nest_enter(struct percpu *c, struct nest *n);
/* Returns 1 when it kicked the host. */
int nest_exit(struct percpu *c, const struct nest *n);

/* section.c: the workload PVVM_WORK_EXC_SECTION and its fault handler. */
void exc_section(struct percpu *c);
#endif

#endif /* PVVM_GUEST_H */
