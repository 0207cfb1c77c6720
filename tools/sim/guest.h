/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest side of the delivery protocol, one step at a time.
 *
 * Each patch template (docs/delivery.md) is a list of steps; one step is one
 * guest instruction (or a short run of them that nothing can split, such as
 * "fence; load").  pvsim_guest_step() performs the next step on a real magic
 * page with the same single-copy-atomic accesses a guest makes, so a caller
 * can stop between any two steps: the exhaustive tests inject there, the
 * stress test lets a real signal land there.
 *
 * The guest also keeps the truth a checker needs: whether it is inside a
 * critical section and whether its virtual interrupts are on, both written
 * only by the guest's own thread (and read by handlers on that thread).
 */
#ifndef PVSIM_GUEST_H
#define PVSIM_GUEST_H

#include <signal.h>
#include <stdbool.h>

#include "pvabi/pvabi.h"

enum pvsim_op {
	PVSIM_ENTER,	  /* store r1 -> dlv.critical */
	PVSIM_SAVE,	  /* store the borrowed registers to scratch[] */
	PVSIM_STATE,	  /* load msr, change EE, store msr and irq_enabled */
	PVSIM_CHECK,	  /* full barrier, load int_pending */
	PVSIM_RESTORE,	  /* load the borrowed registers back */
	PVSIM_LEAVE,	  /* store r2 -> dlv.critical */
	PVSIM_TRAP,	  /* if int_pending was set and EE is on: trap */
	PVSIM_DOORBELL,	  /* store-store barrier, store to the doorbell */
	PVSIM_LOAD_MSR,	  /* mfmsr: one load */
	PVSIM_LOAD_SPRG,  /* mfspr: one load */
	PVSIM_STORE_SPRG, /* mtspr: one store */
};

#define PVSIM_MAX_STEPS 9

struct pvsim_template {
	const char *name; /* "wrteei 1" */
	int ee;		  /* EE it leaves: 1, 0, or -1 = unchanged */
	unsigned n;
	enum pvsim_op op[PVSIM_MAX_STEPS];
};

/* Every template, once per EE value it can set. */
extern const struct pvsim_template pvsim_templates[];
extern const unsigned pvsim_n_templates;

/* The one that turns interrupts on; the guest runs it before idling. */
extern const struct pvsim_template *const pvsim_wrteei_1;

enum pvsim_step {
	PVSIM_STEP_NEXT, /* more steps follow */
	PVSIM_STEP_TRAP, /* the step trapped: make an exit now, then go on */
	PVSIM_STEP_DONE, /* the template has finished */
};

struct pvsim_guest {
	struct pvabi_magic_page *page;
	pvabi_g64_t *doorbell;
	enum pvabi_byte_order bo;
	pvabi_u64 r1; /* the guest's stack pointer: critical == r1 is inside */
	pvabi_u64 r2; /* what it stores to leave */
	const struct pvsim_template *t;
	unsigned pc;
	pvabi_u64 reg[2]; /* the registers a template borrows */
	pvabi_u32 pending_seen;
	/* The truth, for checkers. */
	volatile sig_atomic_t in_cs;
	volatile sig_atomic_t ee;
};

/* Attach to a page: critical = r2 (outside), interrupts on. */
void pvsim_guest_init(struct pvsim_guest *g, struct pvabi_magic_page *page,
		      pvabi_g64_t *doorbell, enum pvabi_byte_order bo,
		      pvabi_u64 r1, pvabi_u64 r2);
void pvsim_guest_start(struct pvsim_guest *g, const struct pvsim_template *t);
/* The step pvsim_guest_step() would perform next. */
enum pvsim_op pvsim_guest_next(const struct pvsim_guest *g);
enum pvsim_step pvsim_guest_step(struct pvsim_guest *g);
/* What the host sees at an exit now. */
struct pvabi_dlv_regs pvsim_guest_regs(const struct pvsim_guest *g);
/* May an interrupt be delivered now without breaking the guest? */
bool pvsim_guest_can_take(const struct pvsim_guest *g);
const char *pvsim_op_name(enum pvsim_op op);

#endif
