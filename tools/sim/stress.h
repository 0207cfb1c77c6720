/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delivery stress test behind `pvctl sim` and tests/stress.
 *
 * Real threads on this machine.  Each vCPU has a guest thread that runs the
 * patch templates (guest.h) on a real magic page, with the truth about its
 * critical sections, and goes idle in a futex wait: tickless, no exits.
 * The notification page is a real mmap'd page; arming it is mprotect
 * (PROT_READ), so the guest's doorbell store takes a real SIGSEGV whose
 * handler is the notification trap.  A kick is a real signal (SIGUSR1) to
 * the guest thread; its handler is the exit.  One host thread injects at
 * random times (and, a quarter of the time, right when it sees the guest
 * inside a critical section), and runs the machine's timers.  Every call
 * into a vCPU's pvabi_dlv happens under that vCPU's lock.
 *
 * The deferral bound is PVSIM_STALL_NS: a vector the notification page did
 * not bring back is delivered by the bound at the earliest (the exit its
 * timer kicks), and counts as stalled if the guest sat idle with
 * interrupts on until then.
 */
#ifndef PVSIM_STRESS_H
#define PVSIM_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PVSIM_STALL_NS	100000000ull /* 100 ms */
#define PVSIM_MAX_VCPUS 64

struct pvsim_opts {
	unsigned vcpus;	     /* 1..PVSIM_MAX_VCPUS */
	uint64_t injections; /* 1..UINT32_MAX */
	bool notify;	     /* use the notification page */
	uint64_t seed;
};

struct pvsim_result {
	uint64_t injected;     /* vectors the machine accepted */
	uint64_t delivered;    /* distinct vectors delivered */
	uint64_t lost;	       /* injected, never delivered */
	uint64_t duplicated;   /* deliveries of a vector already delivered */
	uint64_t reordered;    /* deliveries older than one before them */
	uint64_t stalled;      /* delivered >= 100 ms late to an idle guest,
				  by the exit the bound's timer kicked */
	uint64_t in_critical;  /* delivered inside a critical section or
				  with interrupts off (forced ones aside) */
	uint64_t forced;       /* deliveries the bound forced */
	uint64_t deferred;     /* deferral episodes */
	uint64_t notify_traps; /* doorbell stores that took SIGSEGV */
	uint64_t kicks;	       /* SIGUSR1 exits requested */
	uint64_t refused;      /* injections refused (queue full), retried */
	uint64_t max_delay_ns; /* injection to delivery, worst */
	uint64_t max_kick_ns;  /* signal sent to handler running, worst: the
				  part of the delay that is the scheduler's */
	double seconds;
};

/* Run it.  Returns 0, or a negative errno if the machine could not be set
 * up (mmap, threads, signals). */
int pvsim_run(const struct pvsim_opts *opts, struct pvsim_result *res);

#endif
