// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hostile.c - guests that break the pvabi protocol on purpose, so that the
 * host can be shown to stay sound (pvvm hostile, tests/kvm/hostile.sh).
 *
 * None of them honours pvvm_boot.stop: pvvm stops them from outside.  Each
 * counts the rounds of its loop in pvvm_vcpu_info.hostile_rounds; the
 * negotiating ones count every refusal with the error they expected
 * (answers_ok) and every other answer (answers_bad).
 */
#include <pvabi/error.h>

#include "guest.h"

static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static uint32_t seed(const struct percpu *c)
{
	return (uint32_t)rdtsc() ^ (c->id * 0x9e3779b9u) ^ 1u;
}

static void round_done(struct percpu *c)
{
	WRITE_ONCE(c->info->hostile_rounds, c->info->hostile_rounds + 1);
}

/* critical = %esp: "inside a critical section" from the host's view. */
static inline void enter_critical(struct pvabi_magic_page *m)
{
	__asm__ volatile("mov %%esp, (%0)"
			 :
			 : "r"(&m->dlv.critical)
			 : "memory");
}

static volatile uint32_t *doorbell(struct percpu *c)
{
	return (volatile uint32_t *)((uint32_t)c->magic + NP_DOORBELL);
}

/*
 * Random bytes over the whole magic page, header and delivery block
 * included.  One round in four then puts the real %esp into critical and
 * turns irq_enabled on, so the host also sees plausible sections begin and
 * end at random.
 */
void hostile_random_page(struct percpu *c)
{
	volatile uint32_t *w = (volatile uint32_t *)c->magic;
	uint32_t s = seed(c);

	for (;;) {
		for (uint32_t i = 0; i < PVABI_PAGE_SIZE / 4; i++)
			w[i] = rnd(&s);
		if ((rnd(&s) & 3) == 0) {
			c->magic->dlv.irq_enabled = 1;
			enter_critical(c->magic);
		}
		round_done(c);
	}
}

/* Enter a critical section with interrupts on and never leave it, nor
 * exit: only the host's deferral bound delivers to this guest. */
void hostile_critical_forever(struct percpu *c)
{
	struct pvabi_magic_page *m = c->magic;

	m->arch.msr = MSR_EE;
	m->dlv.irq_enabled = 1;
	for (;;) {
		/* Again each round: %esp is the same, the store is cheap. */
		enter_critical(m);
		round_done(c);
	}
}

static void expect(struct percpu *c, int32_t got, int32_t want)
{
	if (got == want) {
		c->info->answers_ok++;
		return;
	}
	if (!c->info->answers_bad) {
		putstr("unexpected answer ");
		puthex((uint32_t)got);
		putstr(", expected ");
		puthex((uint32_t)want);
		putstr("\n");
	}
	c->info->answers_bad++;
}

static struct pvvm_negotiate flip_args[PVVM_MAX_VCPUS];

/*
 * The notification page cannot move after negotiation, so this guest acts
 * as if it could: it rewrites the page addresses and feature bits in its
 * magic page's header, asks to negotiate again with the notification page
 * elsewhere (refused: PVABI_E_BUSY), then rings "its" doorbell at the
 * bogus address -- unassigned guest-physical space -- as well as the real
 * one, inside and outside critical sections, and reads it while armed.
 */
void hostile_notify_flip(struct percpu *c)
{
	struct pvabi_magic_page *m = c->magic;
	struct pvvm_negotiate *a = &flip_args[c->id];
	uint32_t s = seed(c), base = (uint32_t)m;

	if (!c->notify)
		guest_exit(0x203);
	m->arch.msr = MSR_EE;
	m->dlv.irq_enabled = 1;
	for (uint32_t n = 0;; n++) {
		uint32_t bogus = 0xf0100000u + (rnd(&s) & 0xff) * 0x1000u;
		uint32_t spin = rnd(&s) & 0x3ff;

		enter_critical(m);
		for (uint32_t i = 0; i < spin; i++)
			__asm__ volatile("pause");
		m->hdr.notify_gpa = bogus;
		m->hdr.magic_gpa = rnd(&s);
		m->hdr.features ^= PVABI_F_NOTIFY;
		*doorbell(c) = rnd(&s); /* traps while armed: still inside */
		m->dlv.critical = 0;
		(void)*doorbell(c);
		*doorbell(c) = 0;
		/* The first round, then one in sixteen. */
		if ((n & 15) == 0) {
			a->min_ver = PVABI_VERSION_PACKED(1, 0);
			a->max_ver = PVABI_VERSION_PACKED(1, 0xffff);
			a->wanted = (rnd(&s) & 1) ? PVABI_F_NOTIFY : 0;
			a->required = 0;
			a->magic_gpa = base;
			a->notify_gpa = bogus;
			expect(c, hcall1(PVABI_HC_NEGOTIATE, (uint32_t)a, 0, 0),
			       PVABI_E_BUSY);
			*(volatile uint32_t *)bogus = 1;
			(void)*(volatile uint32_t *)bogus;
		}
		round_done(c);
	}
}

struct bad_case {
	uint32_t min, max;
	uint64_t required;
	uint64_t magic, notify; /* 1: this vCPU's page, 2: right after it */
	int32_t want;
};

#define V(ma, mi) PVABI_VERSION_PACKED(ma, mi)
#define OK_MIN	  V(1, 0)
#define OK_MAX	  V(1, 0xffff)

static const struct bad_case bad_cases[] = {
	/* page addresses */
	{OK_MIN, OK_MAX, 0, 0, 0, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 0, 2, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 1, 0, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 0xf0000010u, 2, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 1, 0xf0001008u, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 0x2000, 2, PVABI_E_BADADDR},      /* in RAM */
	{OK_MIN, OK_MAX, 0, 1, 0x3000, PVABI_E_BADADDR},      /* in RAM */
	{OK_MIN, OK_MAX, 0, 1, 1, PVABI_E_BADADDR},	      /* one page */
	{OK_MIN, OK_MAX, 0, 0xfffbd000u, 2, PVABI_E_BADADDR}, /* KVM's TSS */
	{OK_MIN, OK_MAX, 0, 0xfffff000u, 2, PVABI_E_BADADDR}, /* reset vector */
	{OK_MIN, OK_MAX, 0, 0x100000000ull, 2, PVABI_E_BADADDR},
	{OK_MIN, OK_MAX, 0, 1ull << 60, 2, PVABI_E_RESERVED},
	{OK_MIN, OK_MAX, 0, 1, 1ull << 52, PVABI_E_RESERVED},
	{OK_MIN, OK_MAX, 0, ~0ull, 2, PVABI_E_BADADDR},
	/* versions */
	{V(0, 5), V(1, 0), 0, 1, 2, PVABI_E_BADVERSION},
	{V(0, 0), V(0, 0), 0, 1, 2, PVABI_E_BADVERSION},
	{V(2, 0), V(1, 0), 0, 1, 2, PVABI_E_BADVERSION},
	{V(99, 0), V(99, 0), 0, 1, 2, PVABI_E_NOVERSION},
	{V(1, 1), OK_MAX, 0, 1, 2, PVABI_E_NOVERSION},
	/* features */
	{OK_MIN, OK_MAX, 1ull << 63, 1, 2, PVABI_E_NOFEATURE},
	{OK_MIN, OK_MAX, PVABI_F_BOOKE, 1, 2, PVABI_E_NOFEATURE},
};

static struct pvvm_negotiate bad_args[PVVM_MAX_VCPUS];

static uint64_t page_arg(uint64_t v, uint32_t base)
{
	return v == 1 ? base : v == 2 ? base + PVABI_PAGE_SIZE : v;
}

/* Every bad request once; @negotiated: the guest has its pages, so every
 * well-placed request gets PVABI_E_BUSY instead. */
static void bad_round(struct percpu *c, uint32_t base, int negotiated)
{
	struct pvvm_negotiate *a = &bad_args[c->id];
	uint32_t n = sizeof(bad_cases) / sizeof(bad_cases[0]);

	for (uint32_t i = 0; i < n; i++) {
		const struct bad_case *b = &bad_cases[i];

		a->min_ver = b->min;
		a->max_ver = b->max;
		a->wanted = PVABI_F_NOTIFY;
		a->required = b->required;
		a->magic_gpa = page_arg(b->magic, base);
		a->notify_gpa = page_arg(b->notify, base);
		expect(c, hcall1(PVABI_HC_NEGOTIATE, (uint32_t)a, 0, 0),
		       negotiated ? PVABI_E_BUSY : b->want);
	}
	/* The argument block itself outside RAM, or running past its end. */
	expect(c, hcall1(PVABI_HC_NEGOTIATE, 0x7ffffff0u, 0, 0),
	       PVABI_E_BADADDR);
	expect(c, hcall1(PVABI_HC_NEGOTIATE, PVVM_RAM_SIZE - 8, 0, 0),
	       PVABI_E_BADADDR);
	expect(c, hcall1(PVABI_HC_GET_VERSION, 1000, 0, 0), PVABI_E_INVAL);
	expect(c, hcall1(0, 0, 0, 0), PVABI_E_UNSUPPORTED);
	expect(c, hcall1(99, 0, 0, 0), PVABI_E_UNSUPPORTED);
	expect(c, hcall1(0xdead0000u | PVABI_HC_NEGOTIATE, (uint32_t)a, 0, 0),
	       PVABI_E_UNSUPPORTED); /* another vendor's token */
}

/*
 * Every bad request, each of which must be refused with its documented
 * error; then a good one that asks for every feature bit (granted: only
 * what the host offers); then the bad ones again, forever, with the
 * interrupt-enable template in between.
 */
void hostile_bad_negotiate(struct percpu *c)
{
	uint32_t base = PVVM_PV_GPA + c->id * PVVM_PV_STRIDE, offered = 0, n;
	struct pvvm_negotiate *a = &bad_args[c->id];

	bad_round(c, base, 0);
	hcall0(PVABI_HC_GET_OFFER, &n, &offered);
	a->min_ver = OK_MIN;
	a->max_ver = OK_MAX;
	a->wanted = ~0ull;
	a->required = 0;
	a->magic_gpa = base;
	a->notify_gpa = base + PVABI_PAGE_SIZE;
	expect(c, hcall1(PVABI_HC_NEGOTIATE, (uint32_t)a, 0, 0), 0);
	expect(c, a->features == offered ? 0 : -1000, 0);
	if (c->info->answers_bad)
		guest_exit(0x204);
	cpu_set_pv((struct pvabi_magic_page *)base,
		   (a->features & PVABI_F_NOTIFY) != 0);
	putstr("bad requests refused as documented; negotiated\n");
	for (;;) {
		bad_round(c, base, 1);
		if (c->mtmsr(pv_mfmsr() & ~MSR_EE))
			c->info->pv_traps++;
		if (c->mtmsr(pv_mfmsr() | MSR_EE))
			c->info->pv_traps++;
		c->info->pv_ops += 2;
		round_done(c);
	}
}

/* pvvm's own interrupt log is guest memory too: scribble on its head. */
void hostile_random_log(struct percpu *c)
{
	uint32_t s = seed(c);

	for (;;) {
		WRITE_ONCE(c->info->log_head, rnd(&s));
		round_done(c);
	}
}
