// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cpu.c - descriptor tables, per-CPU data and the interrupt handler. */
#include "guest.h"

struct irq_frame {
	uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
	uint32_t vector;
	uint32_t eip, cs, eflags; /* pushed by the CPU */
};

extern char irq_stubs[];
void irq_entry(struct irq_frame *f);

static uint64_t gdt[GDT_ENTRIES];
static uint64_t idt[256];

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
	struct pvvm_boot *boot = (struct pvvm_boot *)PVVM_BOOT_GPA;
	struct percpu *c = this_cpu();

	/* Every vCPU writes the same tables: harmless. */
	gdt[1] = descriptor(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = descriptor(0, 0xfffff, 0x92, 0xc);
	for (int v = 0; v < 256; v++) {
		uint32_t off = (uint32_t)irq_stubs + 16 * v;

		idt[v] = (uint64_t)(off & 0xffff) | (uint64_t)SEL_CODE << 16 |
			 (uint64_t)0x8e << 40 | (uint64_t)(off >> 16) << 48;
	}
	c->id = id;
	c->info = &boot->vcpu[id];
	c->log = (struct pvvm_log_entry *)(PVVM_LOG_GPA + id * PVVM_LOG_SIZE);
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

void guest_exit(uint32_t status)
{
	WRITE_ONCE(this_cpu()->info->phase, PVVM_PHASE_DONE);
	for (;;) {
		outl(PVVM_PORT_EXIT, status);
		hlt();
	}
}

void irq_entry(struct irq_frame *f)
{
	uint64_t tsc = rdtsc();
	struct percpu *c = this_cpu();
	struct pvvm_vcpu_info *info = c->info;
	uint32_t flags = 0, head;
	struct pvvm_log_entry *e;

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

		if ((uint32_t)c->magic->dlv.critical == sp)
			flags |= PVVM_LOG_IN_CRITICAL;
		if (!((uint32_t)c->magic->arch.msr & MSR_EE))
			flags |= PVVM_LOG_EE_OFF;
	} else if (!(c->msr & MSR_EE)) {
		flags |= PVVM_LOG_EE_OFF;
	}
	head = info->log_head;
	e = &c->log[head % PVVM_LOG_ENTRIES];
	e->vector = f->vector;
	e->flags = flags;
	e->tsc = tsc;
	barrier();
	WRITE_ONCE(info->log_head, head + 1);
	info->interrupts++;
}
