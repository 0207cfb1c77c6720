// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * section.c - PVVM_WORK_EXC_SECTION: a real page fault inside a critical
 * section, and a fault handler that runs templates of its own.
 *
 * Each round makes this vCPU's probe page not present and runs
 * pv_section_touch: a template that lingers inside its section (the host
 * aims its injections there) and stores to the probe page on the way.
 * The fault handler follows the nesting rule (cpu.c: nest_enter,
 * nest_exit), maps the page, and turns interrupts on and off with the
 * templates, lingering in between with interrupts on: an interrupt the
 * host held back because of the interrupted section is delivered there.
 * The log's "inside" flag (cpu.c, irq_entry) says whether any delivery
 * landed inside a running section.
 */
#include "guest.h"

static struct pvvm_boot *const boot = (struct pvvm_boot *)PVVM_BOOT_GPA;

#define PG_P	 0x1u
#define PG_RW	 0x2u
#define PG_PS	 0x80u
#define CR0_PG	 0x80000000u
#define CR4_PSE	 0x10u
#define BIG_PAGE 0x400000u

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[1024] __attribute__((aligned(4096)));
static uint32_t probe[PVVM_MAX_VCPUS][1024] __attribute__((aligned(4096)));
static uint32_t built; /* 0, 1 building, 2 built */

void pf_entry(uint32_t *frame);

/* Identity paging: 4 MiB pages, but 4 KiB ones where the probes are. */
static void paging_on(void)
{
	uint32_t base = (uint32_t)probe & -BIG_PAGE, v;

	if (__sync_bool_compare_and_swap(&built, 0, 1)) {
		for (uint32_t i = 0; i < 1024; i++) {
			pgdir[i] = i * BIG_PAGE | PG_PS | PG_RW | PG_P;
			pgtab[i] = (base + i * PVABI_PAGE_SIZE) | PG_RW | PG_P;
		}
		pgdir[base / BIG_PAGE] = (uint32_t)pgtab | PG_RW | PG_P;
		__atomic_store_n(&built, 2, __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&built, __ATOMIC_ACQUIRE) != 2)
		__asm__ volatile("pause");
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	__asm__ volatile("mov %0, %%cr4" : : "r"(v | CR4_PSE));
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)pgdir) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	__asm__ volatile("mov %0, %%cr0" : : "r"(v | CR0_PG) : "memory");
}

static void probe_map(uint32_t id, int present)
{
	uint32_t a = (uint32_t)probe[id];

	pgtab[(a / PVABI_PAGE_SIZE) % 1024] = a | PG_RW | (present ? PG_P : 0);
	__asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
}

static void linger(uint32_t cycles)
{
	uint64_t t = rdtsc();

	while (rdtsc() - t < cycles)
		__asm__ volatile("pause");
}

/* frame: pushal's eight registers, the error code, eip, cs, eflags. */
void pf_entry(uint32_t *frame)
{
	struct percpu *c = this_cpu();
	struct nest n;
	uint32_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (!c->magic || cr2 - (uint32_t)probe[c->id] >= PVABI_PAGE_SIZE) {
		putstr("fatal: page fault at ");
		puthex(frame[9]);
		putstr(", address ");
		puthex(cr2);
		putstr("\n");
		guest_exit(0x10e);
	}
	nest_enter(c, &n);
	probe_map(c->id, 1);
	c->info->faults++;
	/* A kernel's fault handler: interrupts on, some work, off again. */
	__asm__ volatile("sti");
	if (c->mtmsr(pv_mfmsr() | MSR_EE))
		c->info->pv_traps++;
	linger(boot->window_spin << 9);
	if (c->mtmsr(pv_mfmsr() & ~MSR_EE))
		c->info->pv_traps++;
	__asm__ volatile("cli");
	c->info->pv_ops += 2;
	if (n.critical)
		c->info->nested += 2;
	nest_exit(c, &n);
}

void exc_section(struct percpu *c)
{
	int (*touch)(uint32_t, uint32_t, volatile uint32_t *) =
		c->notify ? pv_section_touch_notify : pv_section_touch_plain;

	if (!c->magic)
		guest_exit(0x203);
	paging_on();
	while (!READ_ONCE(boot->stop)) {
		probe_map(c->id, 0);
		if (touch(pv_mfmsr() | MSR_EE, boot->window_spin << 10,
			  probe[c->id]))
			c->info->pv_traps++;
		c->info->pv_ops++;
		c->info->loops++;
	}
}
