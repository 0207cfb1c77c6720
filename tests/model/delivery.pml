/*
 * The pvabi interrupt delivery protocol (pvabi/delivery.h, docs/delivery.md)
 * as a Promela model for spin.
 *
 * One vCPU.  The guest process runs the patch templates step by step in a
 * loop, toggles its interrupt enable, and goes idle (tickless: no exits;
 * it waits for an interrupt).  The host process injects MAXINJ vectors at
 * any point; an injection into an empty queue kicks the vCPU, and the
 * exit the kick causes lands on any later guest instruction boundary.  The
 * host's decision (decide) is pvabi_dlv_exit's.
 *
 * Checked:
 *   - no delivery inside a critical section or with virtual interrupts off,
 *     each vector exactly once, in injection order (assertions);
 *   - a deferred vector is delivered within LAG guest steps after the guest
 *     left its critical section with interrupts on (assertion);
 *   - every injected vector is delivered (ltl "live", with weak fairness;
 *     build with -DLIVE).
 *
 * Variants (spin -D...):
 *   NO_NOTIFY   no notification page: the seed's host.  Must fail, and the
 *               liveness counterexample is the seed's interleaving.
 *   GRAF        the alternative from the seed: write-protect the whole magic
 *               page on deferral; every guest store to it traps until the
 *               store that leaves the critical section.
 *   TRAP_LIMIT  assert that no deferral episode takes more than this many
 *               traps (tests/model/run-model.sh finds the maximum).
 *   HOSTILE     the guest may also enter a critical section and never
 *               leave it.  The deferral bound (pvabi_dlv_tick, then a
 *               forced delivery at the exit it kicks) still delivers;
 *               with -DNO_BOUND as well, liveness must fail.  Time is not
 *               modelled: the bound's timer fires at some point after the
 *               deferral, which is all liveness needs.
 *
 * EV lines (printf) are only printed when a trail is replayed.
 */

#ifndef MAXINJ
#define MAXINJ 2
#endif
/* Steps a guest may take outside a deferring critical section, interrupts
 * on, before the vector is delivered: the trap step and the doorbell. */
#ifndef LAG
#define LAG 2
#endif
/* Templates in a row before the guest idles again. */
#define BUSY 3

/* The magic page, as the guest writes it. */
bit critical;        /* 1: critical == r1, supervisor */
bit irq_enabled = 1;
bit int_pending;

/* The machine (pvabi_dlv) and the backend. */
byte q[MAXINJ];      /* pending vectors, oldest first */
byte qn;
bit deferred;
bit armed;           /* notification page write-protected */
bit wp;              /* GRAF: whole magic page write-protected */
bit kick;            /* a kick is on its way: an exit will follow */
bit bound;           /* the deferral bound is reached: force */

/* The checker's view. */
byte ninj;           /* vectors injected: 1..ninj */
byte ndlv;           /* vectors delivered */
bit in_cs;           /* the guest's truth: inside a critical section */
byte lag;
byte ep_traps;       /* traps in the current deferral episode */
byte di;             /* scratch index for deliver(), always 0 between steps */

inline deliver()
{
	/* never in a critical section, unless the bound forced it */
	assert((!in_cs || bound) && irq_enabled);
	assert(q[0] == ndlv + 1);          /* in order, exactly once */
	printf("EV deliver %d\n", q[0]);
	ndlv++;
	do
	:: di + 1 < qn -> q[di] = q[di + 1]; di++
	:: else -> break
	od;
	qn--;
	q[qn] = 0;
	di = 0;
	deferred = 0;
	armed = 0;
	wp = 0;
	bound = 0;
	ep_traps = 0;
	lag = 0
}

/* pvabi_dlv_exit / _entry / _notify_trap: decide, and drain (the guest's
 * handler returns at once). */
inline decide()
{
	do
	:: qn == 0 ->
		int_pending = 0; deferred = 0; armed = 0; wp = 0; bound = 0;
		break
	:: qn > 0 && !irq_enabled ->
		deferred = 0; armed = 0; wp = 0; bound = 0; break
	:: qn > 0 && irq_enabled && (!critical || bound) ->
		deliver()
	:: qn > 0 && irq_enabled && critical && !bound ->
		if
		:: !deferred -> printf("EV defer %d\n", q[0]); ep_traps = 0
		:: else
		fi;
		deferred = 1;
#if defined(GRAF)
		wp = 1;
#elif !defined(NO_NOTIFY)
		armed = 1;
#endif
		break
	od
}

inline trapped()
{
	ep_traps++;
#ifdef TRAP_LIMIT
	assert(ep_traps <= TRAP_LIMIT);
#endif
	skip
}

/* One guest store to the magic page.  Under GRAF it traps while the page is
 * write-protected: the host emulates it and decides. */
#ifdef GRAF
#define STORE(what, eff) \
	atomic { printf(what); \
		if \
		:: wp -> trapped(); eff; decide() \
		:: else -> eff \
		fi; step_done() }
#else
#define STORE(what, eff) atomic { printf(what); eff; step_done() }
#endif

/* After every guest step: how long has a deferred vector waited since the
 * guest could have taken it? */
inline step_done()
{
	if
	:: qn > 0 && deferred && !in_cs && irq_enabled -> lag++
	:: else -> lag = 0
	fi;
	assert(lag <= LAG)
}

/* mtmsr/mtmsrd/wrtee/wrteei setting EE to e (the int_pending check only
 * matters when e is 1; the steps are the same). */
inline set_ee(e)
{
	STORE("EV enter\n", critical = 1; in_cs = 1);
	STORE("EV save r31\n", skip);
	STORE("EV save r30\n", skip);
	STORE("EV store msr\n", skip);
	STORE("EV store irq_enabled\n", irq_enabled = e);
	atomic { seen = int_pending; printf("EV check %d\n", seen); step_done() };
	atomic { printf("EV restore\n"); step_done() };
	STORE("EV leave\n", in_cs = 0; critical = 0);
	atomic {
		printf("EV trap? %d\n", seen && irq_enabled);
		if
		:: seen && irq_enabled -> decide()
		:: else
		fi;
		seen = 0;
		step_done()
	};
	doorbell()
}

/* The unconditional store to the notification page after every critical
 * section; it traps while armed. */
inline doorbell()
{
#ifndef GRAF
	atomic {
		printf("EV doorbell %d\n", armed);
		if
		:: armed -> trapped(); decide()
		:: else
		fi;
		step_done()
	}
#else
	skip
#endif
}

active proctype host()
{
end:
	do
	:: atomic {
		ninj < MAXINJ ->
		ninj++;
		printf("EV inject %d\n", ninj);
		q[qn] = ninj;
		qn++;
		int_pending = 1;
		if
		:: qn == 1 -> kick = 1
		:: else
		fi
	   }
	:: atomic { kick -> printf("EV exit\n"); kick = 0; decide() }
#if defined(HOSTILE) && !defined(NO_BOUND)
	/* pvabi_dlv_tick at the deadline: the bound is reached, kick */
	:: atomic { deferred && !bound -> printf("EV bound\n"); bound = 1;
		kick = 1 }
#endif
	od
}

active proctype guest()
{
	bit seen;
	byte mark;
	byte busy;

end:
	do
	:: busy < BUSY -> busy++;
		/* interrupts on: mtmsr, mtmsrd, wrtee, wrteei 1 */
		set_ee(1)
	:: busy < BUSY -> busy++;
		/* an interrupts-off region: wrteei 0 (or mtmsr with EE
		 * clear), one access, then interrupts on again */
		set_ee(0);
		atomic { printf("EV mfmsr\n"); step_done() };
		set_ee(1)
	:: busy < BUSY -> busy++;
		/* mfmsr, mfspr, mtspr: one access, no critical section */
		if
		:: atomic { printf("EV mfmsr\n"); step_done() }
		:: STORE("EV mtspr\n", skip)
		fi
#ifdef HOSTILE
	:: irq_enabled ->
		/* enter a critical section and never leave it */
		STORE("EV enter, for ever\n", critical = 1; in_cs = 1);
		do
		:: atomic { printf("EV spin\n"); step_done() }
		od
#endif
	:: irq_enabled ->
		/* idle, tickless: no exits; wait for an interrupt */
		busy = 0;
		atomic { printf("EV idle\n"); mark = ndlv };
end_idle:
		(ndlv != mark);
		printf("EV wake\n")
	od
}

#ifdef LIVE
ltl live { [] <> (ndlv == ninj) }
#endif
