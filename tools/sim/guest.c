// SPDX-License-Identifier: GPL-2.0-or-later
/* The guest side of the delivery protocol, one step at a time. */
#include "guest.h"

#define SET_EE                                                                 \
	8,                                                                     \
	{                                                                      \
		PVSIM_ENTER, PVSIM_SAVE, PVSIM_STATE, PVSIM_CHECK,             \
			PVSIM_RESTORE, PVSIM_LEAVE, PVSIM_TRAP, PVSIM_DOORBELL \
	}
/* Turning interrupts off needs no int_pending check. */
#define CLEAR_EE                                                               \
	6,                                                                     \
	{                                                                      \
		PVSIM_ENTER, PVSIM_SAVE, PVSIM_STATE, PVSIM_RESTORE,           \
			PVSIM_LEAVE, PVSIM_DOORBELL                            \
	}

/* mtmsr, mtmsrd and wrtee take EE from a register: one entry per value. */
const struct pvsim_template pvsim_templates[] = {
	{"wrteei 1", 1, SET_EE},
	{"wrteei 0", 0, CLEAR_EE},
	{"wrtee (EE=1)", 1, SET_EE},
	{"wrtee (EE=0)", 0, SET_EE},
	{"mtmsr (EE=1)", 1, SET_EE},
	{"mtmsr (EE=0)", 0, SET_EE},
	{"mtmsrd (EE=1)", 1, SET_EE},
	{"mtmsrd (EE=0)", 0, SET_EE},
	{"mfmsr", -1, 1, {PVSIM_LOAD_MSR}},
	{"mfspr", -1, 1, {PVSIM_LOAD_SPRG}},
	{"mtspr", -1, 1, {PVSIM_STORE_SPRG}},
};
const unsigned pvsim_n_templates =
	sizeof(pvsim_templates) / sizeof(pvsim_templates[0]);
const struct pvsim_template *const pvsim_wrteei_1 = &pvsim_templates[0];

static const char *const op_names[] = {
	[PVSIM_ENTER] = "enter",
	[PVSIM_SAVE] = "save",
	[PVSIM_STATE] = "state",
	[PVSIM_CHECK] = "check",
	[PVSIM_RESTORE] = "restore",
	[PVSIM_LEAVE] = "leave",
	[PVSIM_TRAP] = "trap",
	[PVSIM_DOORBELL] = "doorbell",
	[PVSIM_LOAD_MSR] = "load msr",
	[PVSIM_LOAD_SPRG] = "load sprg",
	[PVSIM_STORE_SPRG] = "store sprg",
};

const char *pvsim_op_name(enum pvsim_op op)
{
	return op_names[op];
}

/* The truth flags must change on the right side of the page store, as seen
 * by a signal handler on this thread. */
#define ORDER() __atomic_signal_fence(__ATOMIC_SEQ_CST)

void pvsim_guest_init(struct pvsim_guest *g, struct pvabi_magic_page *page,
		      pvabi_g64_t *doorbell, enum pvabi_byte_order bo,
		      pvabi_u64 r1, pvabi_u64 r2)
{
	g->page = page;
	g->doorbell = doorbell;
	g->bo = bo;
	g->r1 = r1;
	g->r2 = r2;
	g->t = NULL;
	g->pc = 0;
	g->reg[0] = g->reg[1] = 0;
	g->pending_seen = 0;
	pvabi_st64(bo, &page->dlv.critical, r2);
	pvabi_st64(bo, &page->arch.msr, PVABI_MSR_EE);
	pvabi_st32(bo, &page->dlv.irq_enabled, 1);
	g->in_cs = 0;
	g->ee = 1;
}

void pvsim_guest_start(struct pvsim_guest *g, const struct pvsim_template *t)
{
	g->t = t;
	g->pc = 0;
	g->pending_seen = 0;
}

enum pvsim_op pvsim_guest_next(const struct pvsim_guest *g)
{
	return g->t->op[g->pc];
}

enum pvsim_step pvsim_guest_step(struct pvsim_guest *g)
{
	struct pvabi_magic_page *pg = g->page;
	enum pvabi_byte_order bo = g->bo;
	bool trap = false;
	pvabi_u64 msr;

	switch (g->t->op[g->pc]) {
	case PVSIM_ENTER:
		pvabi_st64(bo, &pg->dlv.critical, g->r1);
		ORDER();
		g->in_cs = 1;
		break;
	case PVSIM_SAVE:
		pvabi_st64(bo, &pg->scratch[0], g->reg[0]);
		pvabi_st64(bo, &pg->scratch[1], g->reg[1]);
		break;
	case PVSIM_STATE:
		msr = pvabi_ld64(bo, &pg->arch.msr);
		msr = g->t->ee ? msr | PVABI_MSR_EE : msr & ~PVABI_MSR_EE;
		pvabi_st64(bo, &pg->arch.msr, msr);
		pvabi_st32(bo, &pg->dlv.irq_enabled, g->t->ee);
		g->ee = g->t->ee;
		break;
	case PVSIM_CHECK:
		/* PowerPC: sync.  x86: mfence.  The store above must be
		 * visible before this load (docs/delivery.md). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		g->pending_seen = pvabi_ld32(bo, &pg->dlv.int_pending);
		break;
	case PVSIM_RESTORE:
		g->reg[0] = pvabi_ld64(bo, &pg->scratch[0]);
		g->reg[1] = pvabi_ld64(bo, &pg->scratch[1]);
		break;
	case PVSIM_LEAVE:
		g->in_cs = 0;
		ORDER();
		pvabi_st64(bo, &pg->dlv.critical, g->r2);
		break;
	case PVSIM_TRAP: trap = g->pending_seen && g->ee; break;
	case PVSIM_DOORBELL:
		/* PowerPC: lwsync, so that critical = r2 is visible first.
		 * x86 keeps stores in order. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		pvabi_st64(bo, g->doorbell, g->r2);
		break;
	case PVSIM_LOAD_MSR: g->reg[0] = pvabi_ld64(bo, &pg->arch.msr); break;
	case PVSIM_LOAD_SPRG:
		g->reg[0] = pvabi_ld64(bo, &pg->arch.sprg[0]);
		break;
	case PVSIM_STORE_SPRG:
		pvabi_st64(bo, &pg->arch.sprg[0], g->reg[0] + 1);
		break;
	}
	g->pc++;
	if (trap)
		return PVSIM_STEP_TRAP;
	return g->pc == g->t->n ? PVSIM_STEP_DONE : PVSIM_STEP_NEXT;
}

struct pvabi_dlv_regs pvsim_guest_regs(const struct pvsim_guest *g)
{
	struct pvabi_dlv_regs r = {.r1 = g->r1, .supervisor = 1};

	return r;
}

bool pvsim_guest_can_take(const struct pvsim_guest *g)
{
	return !g->in_cs && g->ee;
}
