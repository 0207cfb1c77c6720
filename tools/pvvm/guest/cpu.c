// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cpu.c - descriptor tables, per-CPU data, the nesting rule and the
 * interrupt entry; shared by pvvm's guest and the ivshmem guest, which
 * differ in what they do with an interrupt (irq_handle, guest.h).
 */
#include "guest.h"

struct irq_frame {
	uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
	uint32_t vector;
	uint32_t eip, cs, eflags; /* pushed by the CPU */
};

extern char irq_stubs[], pf_stub[];
void irq_entry(struct irq_frame *f);

static uint64_t gdt[GDT_ENTRIES];
static uint64_t idt[256];

static uint64_t gate(uint32_t off)
{
	return (uint64_t)(off & 0xffff) | (uint64_t)SEL_CODE << 16 |
	       (uint64_t)0x8e << 40 | (uint64_t)(off >> 16) << 48;
}

static uint64_t descriptor(uint32_t base, uint32_t limit, uint32_t access,
			   uint32_t flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static void load_tables(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} g = {sizeof(gdt) - 1, (uint32_t)gdt},
	  i = {sizeof(idt) - 1, (uint32_t)idt};

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "lidt %3"
			 :
			 : "m"(g), "i"(SEL_CODE), "r"(SEL_DATA), "m"(i)
			 : "memory");
}

void cpu_setup(uint32_t id)
{
	struct percpu *c = this_cpu();

	/* Every vCPU writes the same tables: harmless. */
	gdt[1] = descriptor(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = descriptor(0, 0xfffff, 0x92, 0xc);
	for (int v = 0; v < 256; v++)
		idt[v] = gate((uint32_t)irq_stubs + 16 * v);
	idt[14] = gate((uint32_t)pf_stub); /* page faults: section.c */
	c->id = id;
	c->info = vcpu_info(id);
	c->log = vcpu_log(id);
	load_tables();
}

void cpu_set_pv(struct pvabi_magic_page *magic, int notify)
{
	struct percpu *c = this_cpu();

	c->mtmsr = notify ? pv_mtmsr_notify : pv_mtmsr_plain;
	c->mtmsr_window =
		notify ? pv_mtmsr_window_notify : pv_mtmsr_window_plain;
	c->notify = notify;
	c->magic = magic;
}

/*
 * The nesting rule (docs/delivery.md), for a guest that negotiated
 * PVABI_F_NESTING: every exception entry saves critical and the scratch
 * slots on its own stack, turns virtual interrupts off and stores 0 to
 * critical; its exit puts them back and, as an rfi that turns EE on would
 * trap, exits to the host if an interrupt waits (the host decides there,
 * in the interrupted context).  Real interrupts are off throughout (an
 * interrupt gate), so nothing lands between these stores.
 */
void nest_enter(struct percpu *c, struct nest *n)
{
	struct pvabi_magic_page *m = c->magic;

	n->critical = 0;
	/* nesting is only ever set with a page (cpu_set_pv before it); the
	 * test of m says so to the analyzer. */
	if (!c->nesting || !m)
		return;
	n->critical = (uint32_t)READ_ONCE(m->dlv.critical);
	n->msr = (uint32_t)READ_ONCE(m->arch.msr);
	n->irq_enabled = READ_ONCE(m->dlv.irq_enabled);
	for (int i = 0; i < PVABI_SCRATCH_SLOTS; i++)
		n->scratch[i] = READ_ONCE(m->scratch[i]);
	WRITE_ONCE(m->arch.msr, n->msr & ~MSR_EE);
	WRITE_ONCE(m->dlv.irq_enabled, 0);
	WRITE_ONCE(m->dlv.critical, 0);
}

int nest_exit(struct percpu *c, const struct nest *n)
{
	struct pvabi_magic_page *m = c->magic;

	if (!c->nesting || !m)
		return 0;
	for (int i = 0; i < PVABI_SCRATCH_SLOTS; i++)
		WRITE_ONCE(m->scratch[i], n->scratch[i]);
	WRITE_ONCE(m->arch.msr, n->msr);
	WRITE_ONCE(m->dlv.irq_enabled, n->irq_enabled);
	WRITE_ONCE(m->dlv.critical, n->critical);
	/* A full barrier, as in the templates: irq_enabled before the load. */
	__sync_synchronize();
	if (!n->irq_enabled || !READ_ONCE(m->dlv.int_pending))
		return 0;
	hcall_kick();
	return 1;
}

void irq_entry(struct irq_frame *f)
{
	struct nest n;
	struct percpu *c = this_cpu();
	uint32_t flags = 0, used;
	int kick;

	if (f->vector < PVVM_VECTOR_BASE) {
		putstr("fatal: exception ");
		putdec(f->vector);
		putstr(" at ");
		puthex(f->eip);
		putstr("\n");
		guest_exit(0x100 | f->vector);
	}
	if (c->magic) {
		/* The interrupted %esp is just past the CPU's frame. */
		uint32_t sp = (uint32_t)&f->eflags + 4;

		uint32_t crit = (uint32_t)c->magic->dlv.critical;

		/* With PVABI_F_NESTING, critical is 0 outside every section
		 * that runs: any other value is inside one. */
		if (crit == sp || (c->nesting && crit))
			flags |= PVVM_LOG_IN_CRITICAL;
		if (!((uint32_t)c->magic->arch.msr & MSR_EE))
			flags |= PVVM_LOG_EE_OFF;
	} else if (!(c->msr & MSR_EE)) {
		flags |= PVVM_LOG_EE_OFF;
	}
	used = (uint32_t)c + PVVM_STACK_SIZE - (uint32_t)f;
	if (used > c->stack_used)
		c->stack_used = used;
	nest_enter(c, &n);
	kick = irq_handle(c, f->vector, flags, &n);
	if (!nest_exit(c, &n) && kick)
		hcall_kick();
}
