/*
 * The pvabi interrupt delivery protocol (pvabi/delivery.h, docs/delivery.md)
 * as a Promela model for spin: the machine that runs.
 *
 * One vCPU.  The guest's main context runs the patch templates step by step
 * in a loop, toggles its interrupt enable, and goes idle (tickless: no
 * exits; it waits for an interrupt).  At any instruction boundary of the
 * main context the guest may take an exception (a page fault, say); its
 * handler runs in a second context on its own stack, may run a template
 * itself, may wait there for an interrupt, and returns.  The host injects
 * MAXINJ vectors at any point.
 *
 * Two kinds of host decision (pvabi_dlv_exit/_entry/_notify_trap):
 *   - at a stop of the vCPU (the exit a kick causes, a doorbell trap, the
 *     template's trapping instruction): the guest's stores have drained
 *     (an exit or a fault is taken after them, on their CPU), and a
 *     DELIVER lands at this very boundary.  The backend drains: after a
 *     delivery or an ARM it decides again, one vector per round, at most
 *     MAXR rounds (PVABI_DLV_MAX_ROUNDS for a queue of MAXINJ).
 *   - remote, on another CPU while the guest runs (pvabi.ko: an injection
 *     decides at once on the injecting thread; the bound's timer): it reads
 *     the page as that CPU sees it, so it misses stores still in the
 *     guest's store buffer.  A remote decision never delivers: if the
 *     vector looks deliverable it kicks, and the stop decides again.  If it
 *     defers it ARMs: the unmap takes effect some guest steps later (the
 *     TLB shootdown drains the doorbell store and what is ordered before
 *     it), and then the module decides again (kmod/deliver.c).
 * -DSTOP_ONLY: every decision is at a stop (pvvm on KVM: the injector only
 * kicks; the vCPU thread decides at the exit and arms while stopped).
 *
 * Memory (-DMEM=0 SC, 1 x86-TSO, 2 PowerPC).  Under TSO each side's stores
 * go through a FIFO store buffer that drains at any later step; loads read
 * memory and may pass buffered stores; mfence (or a stop) drains.  Under
 * PowerPC the guest's buffer drains out of order: only stores to the same
 * field, or separated by lwsync, keep their order; sync drains.  The host
 * has one buffered store, int_pending = 1, drained by its full barrier.
 *
 * "Inside" (-DPRED=0 the stack-pointer predicate: critical == r1 of the
 * running context; -DPRED=1 memory only: critical != 0, all that a host
 * without the guest's registers can use).
 *
 * The nesting rule (docs/delivery.md): an exception handler's entry saves
 * critical and the scratch slots on its own stack, stores 0 to critical
 * and rings the doorbell; its exit restores them.  Without it
 * (-DNO_NEST) a handler's template clobbers the interrupted section.
 *
 * Checked (assertions; build with -DLIVE for the ltl claim):
 *   - no unforced delivery into a running critical section, nor with
 *     interrupts off; without the nesting rule, none while an interrupted
 *     section is exposed either (a real handler could run a template);
 *   - each vector exactly once, in injection order;
 *   - the guest never goes idle, interrupts on and outside any section,
 *     while a vector waits and nothing is in flight to bring it (a kick,
 *     an unmap, the bound): a stranded interrupt;
 *   - a deferred vector is delivered within LAG guest steps after the
 *     guest could take it, counted while nothing is in flight;
 *   - a drain takes at most MAXR rounds;
 *   - ltl "live": every injected vector is delivered (weak fairness).
 *
 * Seeded bugs (each must make spin report a violation; run-model.sh):
 *   NO_RECHECK       no decision after the unmap takes effect
 *   NO_NEST          exception entry/exit ignore the nesting rule
 *   NO_RESTORE       the handler clears critical but never restores it
 *   NO_GUEST_FENCE   no full barrier between the irq_enabled store and the
 *                    int_pending load (TSO or PowerPC)
 *   LWSYNC_FOR_SYNC  PowerPC: lwsync there instead of sync
 *   NO_LWSYNC        PowerPC: no lwsync between critical = r2 and the
 *                    doorbell store
 *   NO_HOST_FENCE    no full barrier after the host's int_pending store
 *   NO_NOTIFY        no notification page: the seed's host
 *   NO_BOUND         with HOSTILE: no deferral bound
 *   ROUNDS1          the backend stops after one round
 * Variants kept from the first model: GRAF (write-protect the whole magic
 * page), TRAP_LIMIT (bound the traps of one deferral episode), HOSTILE (the
 * guest may enter a section and never leave it).  Time is not modelled.
 *
 * EV lines (printf) are only printed when a trail is replayed.
 */

#ifndef MAXINJ
#define MAXINJ 2
#endif
#ifndef MAXEXC
#define MAXEXC 1
#endif
#ifndef MEM
#define MEM 0
#endif
#ifndef PRED
#define PRED 0
#endif
#ifndef LAG
#define LAG 4
#endif
/* PVABI_DLV_MAX_ROUNDS for a queue of MAXINJ */
#define MAXR (2 * MAXINJ + 2)
/* Templates in a row before the guest idles again. */
#define BUSY 3

#define SC 0
#define TSO 1
#define PPC 2

/* The page as memory holds it (not the guest's store buffer). */
byte critical;       /* 0 outside; 1 main's r1; 2 the handler's r1 */
bit irq_enabled = 1;
bit int_pending;

/* The guest's store buffer: field, value, lwsync epoch. */
#define F_CRIT 1
#define F_EE 2
#define F_BELL 3
#define GB 5
byte ba[GB];
byte bv[GB];
byte be[GB];
byte bn;
byte bep;
bit hbuf;            /* the host's int_pending = 1, not yet visible */

/* The machine and the backend. */
byte q[MAXINJ];      /* pending vectors, oldest first */
byte qn;
bit deferred;
bit armed;           /* the unmap has taken effect: the doorbell traps */
bit arming;          /* ARM decided, the unmap not yet in effect */
bit wp;              /* GRAF: whole magic page write-protected */
bit kick;            /* a kick is on its way: a stop will follow */
bit bound;           /* the deferral bound is reached: force */
byte rounds;

/* The guest's truth. */
bit in_exc;          /* the handler context runs */
bit main_cs;         /* main is inside a critical section */
bit h_cs;            /* the handler is inside one */
bit main_saved;      /* the handler's entry saved main's section away */
bit g_ee = 1;        /* virtual EE as the guest's program last set it */
byte nexc;

/* The checker's view. */
byte ninj;
byte ndlv;
byte lag;
byte ep_traps;
byte di;
byte bi;
byte bj;

#ifdef NO_NEST
#define NESTED_OK 0
#else
#define NESTED_OK 1
#endif

/* Could the guest take an interrupt here?  The running context is outside
 * its section with interrupts on, and no interrupted section is exposed. */
#define RUN_CS (in_exc && h_cs || !in_exc && main_cs)
#define TAKEABLE (g_ee && !RUN_CS && (NESTED_OK || !(in_exc && main_cs)))
/* Something already on its way will decide again. */
#ifdef HOSTILE
#define IN_FLIGHT (kick || arming || deferred)
#else
#define IN_FLIGHT (kick || arming)
#endif

#if PRED == 0
#define INSIDE (critical != 0 && critical == (in_exc -> 2 : 1))
#else
#define INSIDE (critical != 0)
#endif

/* ------------------------------------------------------ store buffers */

inline mem_apply(f, v)
{
	if
	:: f == F_CRIT -> critical = v
	:: f == F_EE -> irq_enabled = v
	:: else
	fi
}

inline buf_remove(i)
{
	bj = i;
	do
	:: bj + 1 < bn -> ba[bj] = ba[bj + 1]; bv[bj] = bv[bj + 1];
		be[bj] = be[bj + 1]; bj++
	:: else -> break
	od;
	bn--;
	ba[bn] = 0; bv[bn] = 0; be[bn] = 0;
	bj = 0;
	if
	:: bn == 0 -> bep = 0
	:: else
	fi
}

inline buf_drain_all()
{
	do
	:: bn > 0 -> mem_apply(ba[0], bv[0]); buf_remove(0)
	:: else -> break
	od
}

/* A guest store to field f. */
inline gstore(f, v)
{
#if MEM == SC
	mem_apply(f, v)
#else
	if
	:: bn == GB -> mem_apply(ba[0], bv[0]); buf_remove(0)
	:: else
	fi;
	ba[bn] = f; bv[bn] = v; be[bn] = bep; bn++
#endif
}

/* The guest's own load of critical: its latest store, buffered or not. */
inline gload_crit(dst)
{
	dst = critical;
	bi = 0;
	do
	:: bi < bn -> if :: ba[bi] == F_CRIT -> dst = bv[bi] :: else fi; bi++
	:: else -> break
	od;
	bi = 0
}

/* sync / mfence: drain; lwsync: stores after it wait for those before. */
inline full_fence()
{
	buf_drain_all()
}

inline lwsync()
{
#if MEM == PPC
	if
	:: bn > 0 -> bep++
	:: else
	fi
#endif
	skip
}

/* The TLB shootdown of an unmap: the doorbell stores that got through the
 * old mapping are performed, and with them every store ordered before them
 * (TSO: all older stores; PowerPC: older stores across an lwsync). */
inline shootdown()
{
#if MEM == PPC
	bj = 255;	/* the last doorbell store */
	bi = 0;
	do
	:: bi < bn -> if :: ba[bi] == F_BELL -> bj = bi :: else fi; bi++
	:: else -> break
	od;
	if
	:: bj != 255 ->
		bi = bj;	/* the doorbell's epoch; drain what precedes it */
		bj = be[bi];
		bi = 0;
		do
		:: bi < bn && (be[bi] < bj || ba[bi] == F_BELL) ->
			mem_apply(ba[bi], bv[bi]); buf_remove(bi)
		:: bi < bn && !(be[bi] < bj || ba[bi] == F_BELL) -> bi++
		:: else -> break
		od
	:: else
	fi;
	bi = 0; bj = 0
#else
	buf_drain_all()
#endif
}

/* --------------------------------------------------------- the host */

inline deliver()
{
	if
	:: !bound -> assert(TAKEABLE)
	:: else -> assert(g_ee)
	fi;
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

inline start_deferral()
{
	if
	:: !deferred -> printf("EV defer %d\n", q[0]); ep_traps = 0
	:: else
	fi;
	deferred = 1
}

/* A decision at a stop: the guest's stores are visible, the host's too. */
inline stop_decide()
{
	buf_drain_all();
	if
	:: hbuf -> int_pending = 1; hbuf = 0
	:: else
	fi;
	rounds = 0;
	do
	:: true ->
		rounds++;
		assert(rounds <= MAXR);
		if
		:: qn == 0 ->
			int_pending = 0; deferred = 0; armed = 0; wp = 0;
			bound = 0; break
		:: qn > 0 && !irq_enabled ->
			deferred = 0; armed = 0; wp = 0; bound = 0; break
		:: qn > 0 && irq_enabled && (!INSIDE || bound) ->
			deliver()
#ifdef ROUNDS1
			; break
#endif
		:: qn > 0 && irq_enabled && INSIDE && !bound ->
			start_deferral();
#if defined(GRAF)
			wp = 1;
			break
#elif defined(NO_NOTIFY)
			break
#else
			if
			:: !armed -> armed = 1	/* stopped: at once; decide again */
			:: else -> break
			fi
#endif
		fi
	od;
	rounds = 0
}

/* A decision on another CPU while the guest runs: reads memory only. */
inline remote_decide()
{
	if
	:: qn == 0 -> skip
	:: qn > 0 && !irq_enabled -> deferred = 0; armed = 0
	:: qn > 0 && irq_enabled && (!INSIDE || bound) -> kick = 1
	:: qn > 0 && irq_enabled && INSIDE && !bound ->
		start_deferral();
#if !defined(NO_NOTIFY) && !defined(GRAF)
		if
		:: !armed -> arming = 1
		:: else
		fi
#endif
	fi
}

inline trapped()
{
	ep_traps++;
#ifdef TRAP_LIMIT
	assert(ep_traps <= TRAP_LIMIT);
#endif
	skip
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
#if MEM != SC
		hbuf = 1;
#else
		int_pending = 1;
#endif
#ifndef NO_HOST_FENCE
		if
		:: hbuf -> int_pending = 1; hbuf = 0
		:: else
		fi;
#endif
		if
		:: qn == 1 ->
#ifdef STOP_ONLY
			kick = 1
#else
			printf("EV exit\n");
			remote_decide()
#endif
		:: else
		fi
	   }
	:: atomic { kick -> printf("EV exit\n"); kick = 0; stop_decide() }
	:: atomic { arming -> printf("EV unmapped\n"); arming = 0;
		armed = 1; shootdown();
#ifndef NO_RECHECK
		printf("EV exit\n");
		remote_decide()
#endif
	   }
	:: atomic { hbuf -> int_pending = 1; hbuf = 0 }
#if defined(HOSTILE) && !defined(NO_BOUND)
	/* pvabi_dlv_tick at the deadline: the bound is reached, kick */
	:: atomic { deferred && !bound -> printf("EV bound\n"); bound = 1;
		kick = 1 }
#endif
	od
}

#if MEM != SC
/* The guest's store buffer drains at any step. */
active proctype drain()
{
end:
	do
	:: atomic {
		bn > 0 ->
#if MEM == PPC
		/* any store in the oldest epoch; the oldest to its field */
		bi = 0;
		do
		:: bi + 1 < bn && be[bi + 1] == be[0] -> bi++
		:: break
		od;
		bj = 0;
		do
		:: ba[bj] != ba[bi] -> bj++
		:: else -> break
		od;
		mem_apply(ba[bj], bv[bj]);
		buf_remove(bj);
		bi = 0
#else
		mem_apply(ba[0], bv[0]);
		buf_remove(0)
#endif
	   }
	od
}
#endif

/* ---------------------------------------------------------- the guest */

/* After every guest step: how long has a vector waited that the guest
 * could take, with nothing in flight to deliver it? */
inline step_done()
{
	if
	:: qn > 0 && TAKEABLE && !IN_FLIGHT -> lag++
	:: else -> lag = 0
	fi;
	assert(lag <= LAG)
}

/* Going idle, tickless: nothing may be owed that nothing will bring. */
inline idle_check()
{
#ifndef LIVE	/* there the liveness claim judges it, with a trail */
	assert(!(qn > 0 && TAKEABLE && !IN_FLIGHT))
#endif
	skip
}

/* An exception may be taken before this step of the main context. */
inline exc_point(ctx)
{
	if
	:: ctx == 1 && nexc < MAXEXC && !in_exc ->
		atomic { printf("EV exception\n"); nexc++; in_exc = 1 };
		(in_exc == 0)
	:: skip
	fi
}

#define CS_SET(ctx, v) if :: ctx == 1 -> main_cs = v :: else -> h_cs = v fi

/* One guest store to the magic page.  Under GRAF it traps while the page is
 * write-protected: the host emulates it and decides. */
#ifdef GRAF
#define STORE(ctx, what, eff) \
	exc_point(ctx); \
	atomic { printf(what); \
		if \
		:: wp -> trapped(); eff; stop_decide() \
		:: else -> eff \
		fi; step_done() }
#else
#define STORE(ctx, what, eff) \
	exc_point(ctx); atomic { printf(what); eff; step_done() }
#endif
#define STEP(ctx, what, eff) \
	exc_point(ctx); atomic { printf(what); eff; step_done() }

/* The unconditional store to the notification page after every critical
 * section; it traps while the unmap is in effect. */
inline doorbell(ctx)
{
#ifndef GRAF
	exc_point(ctx);
	atomic {
		printf("EV doorbell %d\n", armed);
		if
		:: armed -> trapped(); stop_decide()
		:: else -> gstore(F_BELL, 1)
		fi;
		step_done()
	}
#else
	skip
#endif
}

/* Between the irq_enabled store and the int_pending load. */
#if defined(NO_GUEST_FENCE)
#define GUEST_FENCE skip
#elif defined(LWSYNC_FOR_SYNC)
#define GUEST_FENCE lwsync()
#else
#define GUEST_FENCE full_fence()
#endif

/* mtmsr/mtmsrd/wrtee/wrteei setting EE to e, in context ctx (its r1). */
inline set_ee(ctx, e)
{
	STORE(ctx, "EV enter\n", gstore(F_CRIT, ctx); CS_SET(ctx, 1));
#ifdef GRAF
	STORE(ctx, "EV save r31\n", skip);
	STORE(ctx, "EV save r30\n", skip);
	STORE(ctx, "EV store msr\n", skip);
#else
	STEP(ctx, "EV save\n", skip);
#endif
	STORE(ctx, "EV store irq_enabled\n", gstore(F_EE, e); g_ee = e);
	exc_point(ctx);
	atomic {
		GUEST_FENCE;
		seen = int_pending;
		printf("EV check %d\n", seen);
		step_done()
	};
	STEP(ctx, "EV restore\n", skip);
	STORE(ctx, "EV leave\n", CS_SET(ctx, 0); gstore(F_CRIT, 0));
	exc_point(ctx);
	atomic {
		printf("EV trap? %d\n", seen && e);
		if
		:: seen && e -> stop_decide()
		:: else
		fi;
		seen = 0;
#ifndef NO_LWSYNC
		lwsync();
#endif
		step_done()
	};
	doorbell(ctx)
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
		set_ee(1, 1)
	:: busy < BUSY -> busy++;
		/* an interrupts-off region: wrteei 0 (or mtmsr with EE
		 * clear), one access, then interrupts on again */
		set_ee(1, 0);
		STEP(1, "EV mfmsr\n", skip);
		set_ee(1, 1)
	:: busy < BUSY -> busy++;
		/* mfmsr, mfspr, mtspr: one access, no critical section */
		if
		:: STEP(1, "EV mfmsr\n", skip)
		:: STORE(1, "EV mtspr\n", skip)
		fi
#ifdef HOSTILE
	:: g_ee ->
		/* enter a critical section and never leave it */
		STORE(1, "EV enter, for ever\n", gstore(F_CRIT, 1); main_cs = 1);
		do
		:: atomic { printf("EV spin\n"); step_done() }
		od
#endif
	:: g_ee ->
		/* idle, tickless: no exits; wait for an interrupt */
		busy = 0;
		atomic { printf("EV idle\n"); idle_check(); mark = ndlv };
end_idle:
		(ndlv != mark);
		printf("EV wake\n")
	od
}

/*
 * The exception handler: its own stack (r1 = 2).  Taking the exception
 * clears virtual EE, as the architecture's interrupt entry does (the host
 * writes it when it reflects the exception); the handler may turn
 * interrupts on with a template, run one with them off, or wait.  Its
 * return (rfi) puts EE back; one that turns EE on traps, and the host
 * decides there, in the interrupted context.
 */
active proctype handler()
{
	bit seen;
	bit h_ee;
	byte saved;
	byte mark;

end:
	do
	:: atomic { in_exc -> printf("EV handler\n"); h_ee = g_ee; g_ee = 0;
		gstore(F_EE, 0); step_done() };
#ifndef NO_NEST
		/* entry: save critical and the scratch slots, "outside".  No
		 * doorbell here: with EE off the handler can take nothing
		 * until a template turns EE on (its doorbell comes after) or
		 * its rfi traps.  (NO_ENTRY_BELL, a doorbell store here left
		 * out, was a seeded bug spin did not catch: it is not one.) */
		atomic {
			printf("EV entry save\n");
			gload_crit(saved);
			main_saved = main_cs;
			gstore(F_CRIT, 0);
			step_done()
		};
#endif
		if
		:: set_ee(2, 1)		/* wrteei 1 */
		:: set_ee(2, 0)		/* a template with interrupts off */
		:: skip
		fi;
		if
		:: g_ee ->		/* wait for an interrupt here */
			atomic { printf("EV handler idle\n"); idle_check();
				mark = ndlv };
end_hidle:
			(ndlv != mark)
		:: skip
		fi;
#if !defined(NO_NEST) && !defined(NO_RESTORE)
		atomic {
			printf("EV exit restore\n");
			gstore(F_CRIT, saved);
			main_saved = 0;
			step_done()
		};
#endif
		atomic {
			printf("EV return %d\n", h_ee);
			main_saved = 0;
			saved = 0;
			in_exc = 0;
			g_ee = h_ee;
			gstore(F_EE, h_ee);
			if
			:: h_ee -> stop_decide()
			:: else
			fi;
			h_ee = 0;
			step_done()
		}
	od
}

#ifdef LIVE
ltl live { [] <> (ndlv == ninj) }
#endif
