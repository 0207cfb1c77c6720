// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ivshmem.c - the ivshmem guest, pvabi-guest.elf: pvvm's guest code (the
 * templates of pv.S, the nesting rule of cpu.c) over a stock QEMU's
 * ivshmem-doorbell device served from pvabi.ko, booted by a libvirt
 * domain's <os><kernel> (multiboot, mbstart.S).  One vCPU.
 *
 * The device (PCI 1af4:1110; the BIOS assigned its BARs): BAR0 holds the
 * registers (IVPosition at 8: our peer ID; Doorbell at 12), BAR1 the MSI-X
 * table, BAR2 pvabi.ko's region (kmod/uapi/linux/pvabi.h, "region mode":
 * the control page, then the magic and notification pages).  The guest
 * negotiates through its slot of the control page, runs paravirtual
 * critical sections on the magic page, ends each with the notification
 * page's store, and takes the host's posts on its MSI-X interrupt under
 * the header's delivery rules.  A doorbell ring is (doorbell_id << 16) |
 * vCPU, doorbell_id being the module's peer ID the control page gives.
 *
 * What it expects to be injected, in rounds: vectors 1, 2, ..., N in that
 * order, then the end vector PVABI_GUEST_END | N.  It checks each vector
 * arrives once and in order, and at the end of a round prints on COM1 one
 * line, "pvabi-guest: done " and then
 *   vectors T inorder I dup D lost L deferred F negotiated X.Y
 * (T taken, I of them in order, D repeats or steps back, L never seen, F
 * vectors that waited for a critical section: held sections that ended
 * with int_pending set, and posts declined inside one), then
 *   rearmed R stack S shadow H
 * (times the idle watchdog found a post waiting with no interrupt and
 * took it itself, idle() says why; the most bytes of its stack an
 * interrupt handler found in use; interrupts taken inside the shadow of
 * the sti that returns from one, which the hypervisor lost: start.S),
 * then starts the next round.  Without the device, or when negotiation is
 * refused, it says "pvabi-guest: not negotiated: REASON" and keeps running
 * without the magic page ("trapping": it has nothing to trap to here, so
 * it idles).
 */
#include <linux/pvabi.h>

#include "guest.h"

#define PVABI_GUEST_END 0x80000000u

#define COM1		   0x3f8
#define PCI_ADDR	   0xcf8
#define PCI_DATA	   0xcfc
#define IVSHMEM_ID	   0x11101af4u /* device << 16 | vendor */
#define IVSHMEM_IVPOSITION 8
#define IVSHMEM_DOORBELL   12
#define PCI_CAP_MSIX	   0x11
#define IRQ_VECTOR	   0x40
#define SPURIOUS_VECTOR	   0xff
#define MSR_APIC_BASE	   0x1b
#define LAPIC_ID	   0x20
#define LAPIC_TPR	   0x80
#define LAPIC_EOI	   0xb0
#define LAPIC_SVR	   0xf0
#define LAPIC_ISR	   0x100
#define LAPIC_LVT_TIMER	   0x320
#define LAPIC_TIMER_INIT   0x380
#define LAPIC_TIMER_DIV	   0x3e0
/* A priority class above IRQ_VECTOR's: the watchdog still fires while
 * IRQ_VECTOR is (wrongly) in service (idle()). */
#define TIMER_VECTOR 0x51
/* About 100 ms: QEMU's and KVM's local APIC timers count at 1 GHz, here
 * divided by 16.  Only "long after an interrupt was due" matters. */
#define WATCHDOG_COUNT 6250000u
#define MSI_ADDRESS    0xfee00000u

static struct pvvm_vcpu_info info[1];

static struct {
	uint32_t bdf;
	volatile uint32_t *regs; /* BAR0 */
	uint8_t *region;	 /* BAR2 */
	uint32_t peer;
	uint32_t msix_cap; /* config space offset of the MSI-X capability */
} dev;
static volatile uint32_t *lapic;
static volatile struct pvabi_region_slot *slot;
static uint32_t doorbell_id; /* the module's ivshmem peer ID */
static uint32_t version;
static uint64_t tsc_per_ms;

/* One round of the check (the file's comment). */
static struct {
	uint32_t expect, taken, inorder, dup, lost, deferred, rearmed;
} round = {.expect = 1};
static uint16_t taken_seq;
static uint32_t rounds;

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ------------------------------------------- the transport (guest.h) */

void console_putc(char ch)
{
	if (ch == '\n')
		console_putc('\r');
	while (!(inb(COM1 + 5) & 0x20)) /* transmitter empty */
		;
	outb(COM1, (uint8_t)ch);
}

struct pvvm_vcpu_info *vcpu_info(uint32_t id)
{
	return &info[id];
}

struct pvvm_log_entry *vcpu_log(uint32_t id)
{
	(void)id;
	return 0; /* pvvm's log: no reader here */
}

static void say(const char *s)
{
	putstr("pvabi-guest: ");
	putstr(s);
}

void guest_exit(uint32_t status)
{
	say("stopped, status ");
	puthex(status);
	putstr("\n");
	for (;;) {
		__asm__ volatile("cli");
		hlt();
	}
}

/* A doorbell ring: an exit of this vCPU for pvabi.ko. */
int32_t hcall_kick(void)
{
	dev.regs[IVSHMEM_DOORBELL / 4] = doorbell_id << 16 | this_cpu()->id;
	return 0;
}

int pv_trap(uint32_t msr)
{
	(void)msr;
	hcall_kick();
	return 1;
}

/* ------------------------------------------------ PCI, MSI-X, local APIC */

static uint32_t pci_read(uint32_t bdf, uint32_t off)
{
	outl(PCI_ADDR, 0x80000000u | bdf << 8 | (off & 0xfc));
	return inl(PCI_DATA);
}

static void pci_write(uint32_t bdf, uint32_t off, uint32_t v)
{
	outl(PCI_ADDR, 0x80000000u | bdf << 8 | (off & 0xfc));
	outl(PCI_DATA, v);
}

/* bus << 8 | device << 3 | function of the first ivshmem, or -1. */
static int32_t pci_find(void)
{
	for (uint32_t bdf = 0; bdf < 0x10000; bdf++) {
		uint32_t id = pci_read(bdf, 0);

		if (id == IVSHMEM_ID)
			return (int32_t)bdf;
		/* Function 0 absent or single-function: skip the rest. */
		if ((bdf & 7) == 0 && ((id & 0xffff) == 0xffff ||
				       !(pci_read(bdf, 0xc) & 0x800000)))
			bdf += 7;
	}
	return -1;
}

/* BAR @n's address below 4 GiB, or 0 (a 64-bit BAR placed above). */
static uint32_t pci_bar(uint32_t bdf, uint32_t n)
{
	uint32_t lo = pci_read(bdf, 0x10 + 4 * n);

	if ((lo & 6) == 4 && pci_read(bdf, 0x14 + 4 * n))
		return 0;
	return lo & ~0xfu;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}

/* The local APIC on, the 8259s masked (the BIOS left its timer there). */
static uint32_t lapic_on(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	if (!(base & 0x800))
		wrmsr(MSR_APIC_BASE, base | 0x800);
	lapic = (volatile uint32_t *)(uint32_t)(base & 0xfffff000u);
	lapic[LAPIC_TPR / 4] = 0;
	lapic[LAPIC_SVR / 4] = 0x100 | SPURIOUS_VECTOR;
	lapic[LAPIC_TIMER_DIV / 4] = 0x3;	   /* divide by 16 */
	lapic[LAPIC_LVT_TIMER / 4] = TIMER_VECTOR; /* one-shot, unmasked */
	return lapic[LAPIC_ID / 4] >> 24;
}

/* MSI-X entry @entry to IRQ_VECTOR on @apic_id, unmasked; enabled. */
static const char *msix_on(uint32_t bdf, uint32_t entry, uint32_t apic_id)
{
	uint32_t ptr;

	if (!(pci_read(bdf, 4) & 0x100000))
		return "the device has no capability list";
	for (ptr = pci_read(bdf, 0x34) & 0xfc; ptr;
	     ptr = (pci_read(bdf, ptr) >> 8) & 0xfc) {
		uint32_t h = pci_read(bdf, ptr), t = pci_read(bdf, ptr + 4);
		uint32_t bar = pci_bar(bdf, t & 7);
		volatile uint32_t *e;

		if ((h & 0xff) != PCI_CAP_MSIX)
			continue;
		if (entry > ((h >> 16) & 0x7ff))
			return "fewer MSI-X vectors than vCPUs";
		if (!bar)
			return "the MSI-X table's BAR is above 4 GiB";
		e = (volatile uint32_t *)(bar + (t & ~7u) + 16 * entry);
		e[0] = MSI_ADDRESS | apic_id << 12;
		e[1] = 0;
		e[2] = IRQ_VECTOR; /* fixed, edge */
		e[3] = 0;	   /* unmasked */
		/* Message control: enable, function mask off. */
		pci_write(bdf, ptr, (h & 0xbfffffffu) | 0x80000000u);
		dev.msix_cap = ptr;
		return 0;
	}
	return "the device has no MSI-X capability";
}

/* TSC ticks in 50 ms of the PIT's channel 2. */
static void calibrate(void)
{
	uint64_t t;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 59659 & 0xff); /* 1193182 Hz / 20 */
	outb(0x42, 59659 >> 8);
	t = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	/* 32 bits hold 50 ms of any TSC below 85 GHz; no 64-bit divide. */
	tsc_per_ms = (uint32_t)(rdtsc() - t) / 50;
	if (!tsc_per_ms)
		tsc_per_ms = 1000000;
}

static void linger_ms(uint32_t ms)
{
	uint64_t t = rdtsc();

	while (rdtsc() - t < ms * tsc_per_ms)
		__asm__ volatile("pause");
}

/* -------------------------------------------------------- negotiation */

/* The line the test looks for; @code: a PVABI_E_* code, or 0. */
static int not_negotiated(const char *why, int32_t code)
{
	say("not negotiated: ");
	putstr(why);
	if (code) {
		putstr(" -");
		putdec((uint32_t)-code);
	}
	putstr("\n");
	return 0;
}

static const char *device_setup(struct percpu *c)
{
	int32_t bdf = pci_find();
	uint32_t bar0, bar2, apic_id;
	const char *why;

	if (bdf < 0)
		return "no ivshmem device (PCI 1af4:1110)";
	dev.bdf = (uint32_t)bdf;
	/* Memory space and bus mastering (MSI-X writes are the device's). */
	pci_write(dev.bdf, 4, (pci_read(dev.bdf, 4) & 0xffff) | 0x6);
	bar0 = pci_bar(dev.bdf, 0);
	bar2 = pci_bar(dev.bdf, 2);
	if (!bar0 || !bar2)
		return "a BAR of the device is not below 4 GiB";
	dev.regs = (volatile uint32_t *)bar0;
	dev.region = (uint8_t *)bar2;
	dev.peer = dev.regs[IVSHMEM_IVPOSITION / 4];
	apic_id = lapic_on();
	why = msix_on(dev.bdf, c->id, apic_id);
	if (why)
		return why;
	say("ivshmem at ");
	putdec(dev.bdf >> 8);
	putstr(":");
	putdec((dev.bdf >> 3) & 31);
	putstr(".");
	putdec(dev.bdf & 7);
	putstr(", peer ");
	putdec(dev.peer);
	putstr(", region at ");
	puthex(bar2);
	putstr(", MSI-X vector ");
	puthex(IRQ_VECTOR);
	putstr(" to APIC ");
	putdec(apic_id);
	putstr("\n");
	return 0;
}

/* One request through the slot: the answer's status, or 1: no answer. */
static int32_t request(uint64_t *features)
{
	volatile struct pvabi_region_slot *s = slot;
	uint32_t seq = s->req_seq + 1;

	s->req_min = PVABI_VERSION_PACKED(1, 0);
	s->req_max = PVABI_VERSION_PACKED(1, 0xffff);
	s->req_wanted = PVABI_F_ALL_1_1;
	s->req_required = PVABI_F_NOTIFY | PVABI_F_NESTING;
	s->req_byte_order = PVABI_BYTE_ORDER_LITTLE;
	for (int i = 0; i < 3; i++)
		s->req_reserved[i] = 0;
	__sync_synchronize(); /* the request before its seq */
	s->req_seq = seq;
	/* Rung again each second: a ring before the module listened is
	 * lost with nobody to count it.  Ten seconds under TCG is plenty. */
	for (int i = 0; i < 10; i++) {
		uint64_t t = rdtsc();

		hcall_kick();
		while (s->ans_seq != seq && rdtsc() - t < 1000 * tsc_per_ms)
			__asm__ volatile("pause");
		if (s->ans_seq == seq) {
			__sync_synchronize(); /* its seq before the answer */
			*features = s->ans_features;
			return (int32_t)s->ans_status;
		}
	}
	return 1;
}

static int negotiate(struct percpu *c)
{
	struct pvabi_region_ctl *ctl = (struct pvabi_region_ctl *)dev.region;
	uint32_t off = (1 + 2 * c->id) * PVABI_PAGE_SIZE;
	struct pvabi_magic_page *m =
		(struct pvabi_magic_page *)(dev.region + off);
	uint64_t features = 0;
	int32_t st = PVABI_E_POLICY;

	if (ctl->magic != PVABI_REGION_MAGIC ||
	    ctl->layout != PVABI_REGION_LAYOUT)
		return not_negotiated("no pvabi region in BAR2", 0);
	if (c->id >= ctl->n_vcpus)
		return not_negotiated("no slot for this vCPU", 0);
	slot = &ctl->slot[c->id];
	doorbell_id = ctl->doorbell_id & 0xffff;
	say("host offers ");
	putver(ctl->offer_min);
	putstr("-");
	putver(ctl->offer_max);
	putstr(", features ");
	puthex(ctl->offer_features);
	putstr("\n");
	/* A VM pvctld has not given its policy yet refuses (fail closed):
	 * pvctld does at once, so try again for a while. */
	for (int i = 0; i < 10 && st == PVABI_E_POLICY; i++) {
		if (i)
			linger_ms(500);
		st = request(&features);
	}
	if (st == 1)
		return not_negotiated("the host never answered", 0);
	if (st < 0)
		return not_negotiated("refused with error", st);
	if (m->hdr.magic != PVABI_MAGIC || m->hdr.magic_gpa != off ||
	    m->hdr.notify_gpa != off + PVABI_PAGE_SIZE)
		return not_negotiated("no magic page where the layout says", 0);
	version = (uint32_t)st;
	info[c->id].version = version;
	info[c->id].features = features;
	cpu_set_pv(m, 1);
	c->nesting = 1; /* region mode grants nothing without it */
	say("negotiated ");
	putver(version);
	putstr(", features ");
	puthex(features);
	putstr("\n");
	return 1;
}

/* ------------------------------------------------------------ delivery */

static void end_round(uint32_t n)
{
	if (round.expect - 1 < n)
		round.lost += n - (round.expect - 1);
	say("done vectors ");
	putdec(round.taken);
	putstr(" inorder ");
	putdec(round.inorder);
	putstr(" dup ");
	putdec(round.dup);
	putstr(" lost ");
	putdec(round.lost);
	putstr(" deferred ");
	putdec(round.deferred);
	putstr(" negotiated ");
	putver(version);
	putstr(" rearmed ");
	putdec(round.rearmed);
	putstr(" stack ");
	putdec(this_cpu()->stack_used);
	putstr(" shadow ");
	putdec(irq_at_ret);
	putstr("\n");
	this_cpu()->stack_used = 0;
	irq_at_ret = 0;
	round.expect = 1;
	round.taken = round.inorder = round.dup = round.lost = 0;
	round.deferred = round.rearmed = 0;
	rounds++;
}

static void take(uint32_t vec)
{
	if (vec & PVABI_GUEST_END) {
		end_round(vec & ~PVABI_GUEST_END);
		return;
	}
	round.taken++;
	if (vec == round.expect)
		round.inorder++;
	else if (vec < round.expect)
		round.dup++;
	else
		round.lost += vec - round.expect;
	if (vec >= round.expect)
		round.expect = vec + 1;
}

/* The post, unless already taken (a repeat signal); 1: taken, ring. */
static int take_post(void)
{
	uint16_t seq = slot->post_seq;

	if (seq == taken_seq)
		return 0;
	barrier(); /* x86 keeps loads in order: the seq, then the vector */
	take(slot->post_vector);
	taken_seq = seq;
	slot->ack_seq = seq;
	return 1;
}

/*
 * The MSI-X interrupt, after the nesting rule's entry (n: the interrupted
 * context).  Declined inside a section or with virtual interrupts off;
 * a post already taken is a repeat signal.  Both ring when done (cpu.c,
 * once critical is back): an acknowledgement, or "not now".
 */
int irq_handle(struct percpu *c, uint32_t vector, uint32_t flags,
	       const struct nest *n)
{
	(void)flags;
	if (vector == SPURIOUS_VECTOR)
		return 0;
	lapic[LAPIC_EOI / 4] = 0;
	if (vector != IRQ_VECTOR || !slot || !c->magic)
		return 0;
	c->info->interrupts++;
	if (n->critical || !n->irq_enabled) {
		if (n->critical)
			round.deferred++;
		return 1;
	}
	return take_post();
}

/* ------------------------------------------------------------ the guest */

static void mtmsr(struct percpu *c, uint32_t msr)
{
	if (c->mtmsr(msr))
		c->info->pv_traps++;
	c->info->pv_ops++;
}

/* Whether the local APIC has @vector in service. */
static int in_service(uint32_t vector)
{
	return lapic[(LAPIC_ISR + 0x10 * (vector / 32)) / 4] >> (vector % 32) &
	       1;
}

/*
 * Halt until an interrupt, a post's or the watchdog's.  A post waiting
 * when the watchdog fires never raised its interrupt: QEMU 7.2's
 * ivshmem-doorbell connects its vectors' eventfds to KVM (irqfd) only when
 * the guest turns MSI-X on, and after an incoming migration or a restore
 * the guest's MSI-X is on from the saved state, so nothing reads them.
 * Turning MSI-X off and on again makes QEMU connect them (KVM then raises
 * what an eventfd already holds), and the post is taken here, with
 * interrupts off so its interrupt, if it comes, finds it taken.
 *
 * Two more ways an idle guest could wait forever, each undone here: an
 * interrupt the local APIC marked in service whose handler never ran (an
 * injection lost on the way in; nothing at its priority is delivered
 * until an EOI, which this line then says), and an acknowledging doorbell
 * ring the host never saw (the watchdog rings again: a ring only makes
 * the module look at the slot).
 */
static void idle(struct percpu *c)
{
	uint32_t irqs = c->info->interrupts, ctl;

	lapic[LAPIC_TIMER_INIT / 4] = WATCHDOG_COUNT;
	hlt();
	lapic[LAPIC_TIMER_INIT / 4] = 0;
	if (c->info->interrupts != irqs)
		return;
	__asm__ volatile("cli");
	if (in_service(IRQ_VECTOR)) {
		lapic[LAPIC_EOI / 4] = 0;
		say("watchdog: vector ");
		puthex(IRQ_VECTOR);
		putstr(" was in service with no handler running: EOI\n");
	}
	if (slot->post_seq != taken_seq) {
		ctl = pci_read(dev.bdf, dev.msix_cap);
		pci_write(dev.bdf, dev.msix_cap, ctl & 0x7fffffffu);
		pci_write(dev.bdf, dev.msix_cap, ctl);
		if (take_post())
			round.rearmed++;
	}
	hcall_kick();
	__asm__ volatile("sti");
}

/*
 * After each interrupt: short sections (interrupts off and on, as a
 * kernel toggles them), then one held for a millisecond with interrupts
 * on, then halt until the next interrupt.  The host posts the next vector
 * as soon as one is acknowledged, so it lands in those sections: most
 * vectors wait for one.  Halting rather than spinning leaves the CPU to
 * the host (under TCG, the same few CPUs run everything).
 */
static void __attribute__((noreturn)) run(struct percpu *c)
{
	uint32_t hold = (uint32_t)tsc_per_ms;

	taken_seq = slot->post_seq;
	__asm__ volatile("sti");
	for (;;) {
		for (int i = 0; i < 4; i++) {
			mtmsr(c, pv_mfmsr() & ~MSR_EE);
			mtmsr(c, pv_mfmsr() | MSR_EE);
		}
		c->waited = 0;
		if (pv_section_hold_notify(pv_mfmsr() | MSR_EE, hold))
			c->info->pv_traps++;
		c->info->pv_ops++;
		if (c->waited)
			round.deferred++;
		idle(c);
	}
}

void guest_main(void);

void guest_main(void)
{
	struct percpu *c = this_cpu();
	const char *why;

	calibrate();
	say("starting, vCPU ");
	putdec(c->id);
	putstr(", TSC ");
	putdec(tsc_per_ms);
	putstr(" per ms\n");
	why = device_setup(c);
	if (why)
		not_negotiated(why, 0);
	else if (negotiate(c))
		run(c);
	say("running trapping\n");
	for (;;) {
		__asm__ volatile("cli");
		hlt();
	}
}
