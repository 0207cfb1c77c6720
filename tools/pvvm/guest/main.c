// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - the pvvm guest: negotiate pvabi, then run the workload pvvm
 * asked for in struct pvvm_boot.
 *
 * Discovery and negotiation use the hypercalls (PVABI_HC_GET_OFFER,
 * PVABI_HC_GET_VERSION, PVABI_HC_NEGOTIATE), which return the same offer the
 * device-tree /hypervisor node carries: a freestanding 32-bit libfdt is not
 * something Debian ships, and the hypercalls are what a guest without a
 * device tree uses anyway.
 */
#include "guest.h"

void guest_main(void);

static struct pvvm_boot *const boot = (struct pvvm_boot *)PVVM_BOOT_GPA;
static struct pvvm_negotiate args[PVVM_MAX_VCPUS];

/* ------------------------------------------- the transport (guest.h) */

struct pvvm_vcpu_info *vcpu_info(uint32_t id)
{
	return &boot->vcpu[id];
}

struct pvvm_log_entry *vcpu_log(uint32_t id)
{
	return (struct pvvm_log_entry *)(PVVM_LOG_GPA + id * PVVM_LOG_SIZE);
}

void guest_exit(uint32_t status)
{
	WRITE_ONCE(this_cpu()->info->phase, PVVM_PHASE_DONE);
	for (;;) {
		outl(PVVM_PORT_EXIT, status);
		hlt();
	}
}

/* Every interrupt goes to the log pvvm reads. */
int irq_handle(struct percpu *c, uint32_t vector, uint32_t flags,
	       const struct nest *n)
{
	struct pvvm_vcpu_info *info = c->info;
	uint64_t tsc = rdtsc();
	uint32_t head = info->log_head;
	struct pvvm_log_entry *e = &c->log[head % PVVM_LOG_ENTRIES];

	(void)n;
	e->vector = vector;
	e->flags = flags;
	e->tsc = tsc;
	barrier();
	WRITE_ONCE(info->log_head, head + 1);
	info->interrupts++;
	info->at_ret = irq_at_ret;
	return 0;
}

/* ---------------------------------------------------------- the guest */

static void say(const char *s)
{
	putstr(s);
}

static void report_offer(void)
{
	uint32_t n = 0, lo = 0, v;

	if (hcall0(PVABI_HC_GET_OFFER, &n, &lo))
		return;
	say("host offers");
	for (uint32_t i = 0; i < n; i++) {
		if (hcall1(PVABI_HC_GET_VERSION, i, &v, 0))
			break;
		say(" ");
		putver(v);
	}
	say(", features ");
	puthex(lo);
	say("\n");
}

static void negotiate(struct percpu *c)
{
	struct pvvm_negotiate *a = &args[c->id];
	uint32_t gpa = PVVM_PV_GPA + c->id * PVVM_PV_STRIDE;
	struct pvabi_magic_page *magic = (struct pvabi_magic_page *)gpa;
	int32_t r;

	if (c->id == 0)
		report_offer();
	a->min_ver = boot->min_ver;
	a->max_ver = boot->max_ver;
	a->wanted = boot->wanted;
	a->required = boot->required;
	a->magic_gpa = gpa;
	a->notify_gpa = gpa + PVABI_PAGE_SIZE;
	r = hcall1(PVABI_HC_NEGOTIATE, (uint32_t)a, 0, 0);
	c->info->status = (uint32_t)r;
	if (r) {
		say("negotiation refused: error ");
		putdec((uint32_t)-r);
		say("; trapping instead\n");
		return;
	}
	if (magic->hdr.magic != PVABI_MAGIC) {
		say("no magic page after negotiation; trapping instead\n");
		c->info->status = (uint32_t)-1;
		return;
	}
	c->info->version = a->version;
	c->info->features = a->features;
	cpu_set_pv(magic, (a->features & PVABI_F_NOTIFY) != 0);
	c->nesting = (a->features & PVABI_F_NESTING) != 0;
	say("negotiated pvabi ");
	putver(a->version);
	say(", features ");
	puthex(a->features);
	say(c->notify ? " (notification page on)\n"
		      : " (no notification page)\n");
}

static void mtmsr(struct percpu *c, uint32_t msr)
{
	if (c->magic) {
		if (c->mtmsr(msr))
			c->info->pv_traps++;
		c->info->pv_ops++;
	} else {
		c->msr = msr;
		trap_mtmsr(msr);
		c->info->trap_ops++;
	}
}

static uint32_t mfmsr(struct percpu *c)
{
	return c->magic ? pv_mfmsr() : trap_mfmsr();
}

static void irq_on(struct percpu *c)
{
	mtmsr(c, mfmsr(c) | MSR_EE);
}

static void irq_off(struct percpu *c)
{
	mtmsr(c, mfmsr(c) & ~MSR_EE);
}

/* Some work that is not a privileged operation. */
static void compute(uint32_t n)
{
	uint32_t x = n;

	for (uint32_t i = 0; i < n; i++)
		x = x * 1103515245u + 12345u;
	__asm__ volatile("" : : "r"(x));
}

static int stopping(void)
{
	return READ_ONCE(boot->stop) != 0;
}

static void busy(struct percpu *c)
{
	while (!stopping()) {
		irq_off(c);
		compute(boot->work);
		irq_on(c);
		compute(boot->work);
		c->info->loops++;
	}
}

/*
 * Tickless idle: a short idle-entry path with interrupts toggled (as a
 * kernel's idle entry does), then halt with interrupts on.  Nothing but an
 * interrupt wakes it: there is no timer.
 */
static void idle(struct percpu *c, int window)
{
	while (!stopping()) {
		for (uint32_t i = 0; i < boot->work; i++) {
			irq_off(c);
			irq_on(c);
		}
		irq_off(c);
		if (stopping())
			break;
		if (window && c->magic) {
			if (c->mtmsr_window(pv_mfmsr() | MSR_EE,
					    boot->window_spin << 10))
				c->info->pv_traps++;
			c->info->pv_ops++;
		} else {
			irq_on(c);
		}
		hlt();
		c->info->loops++;
	}
	irq_on(c);
}

static void measure(struct percpu *c)
{
	uint32_t n = boot->iterations, msr = mfmsr(c);
	struct pvvm_vcpu_info *info = c->info;
	uint64_t t;

	t = rdtsc();
	for (uint32_t i = 0; i < n; i++)
		hcall_kick();
	info->hcall_cycles = rdtsc() - t;

	t = rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		trap_mtmsr(msr & ~MSR_EE);
		trap_mtmsr(msr | MSR_EE);
	}
	info->trap_cycles = rdtsc() - t;
	info->trap_ops += 2ull * n;

	if (c->magic) {
		/* work times as many: they are short. */
		uint32_t m = n * (boot->work ? boot->work : 1);

		t = rdtsc();
		for (uint32_t i = 0; i < m; i++) {
			c->mtmsr(msr & ~MSR_EE);
			c->mtmsr(msr | MSR_EE);
		}
		info->pv_cycles = rdtsc() - t;
		info->pv_ops += 2ull * m;
	}
	info->loops = n;
}

static void summary(struct percpu *c)
{
	struct pvvm_vcpu_info *info = c->info;

	say("privileged operations: ");
	putdec(info->pv_ops - info->pv_traps);
	say(" without exiting, ");
	putdec(info->pv_traps + info->trap_ops);
	say(" trapped; interrupts handled: ");
	putdec(info->interrupts);
	say("\n");
}

void guest_main(void)
{
	struct percpu *c = this_cpu();

	if (boot->magic != PVVM_BOOT_MAGIC)
		guest_exit(0x200);
	/* The bad-negotiate guest does its own negotiating. */
	if (boot->mode == PVVM_MODE_PV &&
	    boot->workload != PVVM_WORK_BAD_NEGOTIATE)
		negotiate(c);
	__asm__ volatile("sti");
	WRITE_ONCE(c->info->phase, PVVM_PHASE_RUNNING);

	switch (boot->workload) {
	case PVVM_WORK_DEMO:
		for (uint32_t i = 0; i < boot->iterations; i++) {
			irq_off(c);
			irq_on(c);
		}
		irq_on(c);
		idle(c, 0);
		summary(c);
		break;
	case PVVM_WORK_MEASURE: measure(c); break;
	case PVVM_WORK_BUSY:
		irq_on(c);
		busy(c);
		break;
	case PVVM_WORK_IDLE:
	case PVVM_WORK_WINDOW:
		idle(c, boot->workload == PVVM_WORK_WINDOW);
		break;
	case PVVM_WORK_RANDOM_PAGE:
	case PVVM_WORK_CRITICAL_FOREVER:
	case PVVM_WORK_NOTIFY_FLIP:
		if (!c->magic)
			guest_exit(0x202);
		if (boot->workload == PVVM_WORK_RANDOM_PAGE)
			hostile_random_page(c);
		else if (boot->workload == PVVM_WORK_CRITICAL_FOREVER)
			hostile_critical_forever(c);
		else
			hostile_notify_flip(c);
		break;
	case PVVM_WORK_BAD_NEGOTIATE: hostile_bad_negotiate(c); break;
	case PVVM_WORK_EXC_SECTION: exc_section(c); break;
	case PVVM_WORK_RANDOM_LOG: hostile_random_log(c); break;
	default: guest_exit(0x201);
	}
	guest_exit(0);
}
