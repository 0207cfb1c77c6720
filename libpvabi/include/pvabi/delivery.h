/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/delivery.h - the per-vCPU interrupt delivery state machine.
 *
 * Freestanding, like pvabi/abi.h: no libc, no operating system, no
 * allocation, no clock.  The kernel module compiles delivery.c unchanged;
 * user-space backends (tools/pvvm, the simulator behind `pvctl sim`) link it
 * from libpvabi.  Time is an argument in nanoseconds from any monotonic
 * clock the backend likes; only differences are used.
 *
 * WHAT IT DECIDES
 *
 * A backend (KVM monitor, kernel module, simulator) owns one
 * struct pvabi_dlv per vCPU and feeds it five inputs:
 *
 *   pvabi_dlv_inject()       an interrupt vector is raised for the vCPU
 *   pvabi_dlv_exit()         the vCPU left guest mode (any exit, a kick too)
 *   pvabi_dlv_entry()        the vCPU is about to enter guest mode
 *   pvabi_dlv_notify_trap()  the guest's store to the doorbell faulted
 *   pvabi_dlv_tick()         the host timer the machine asked for fired
 *
 * and performs the actions each returns in a struct pvabi_dlv_action:
 *
 *   PVABI_DLV_DISARM   map the notification page writable again
 *   PVABI_DLV_ARM      unmap / write-protect the notification page, so the
 *                      guest's next doorbell store traps
 *   PVABI_DLV_DELIVER  deliver act->vector to the guest now, before it runs
 *                      again (PVABI_DLV_FORCED says the bound forced it)
 *   PVABI_DLV_KICK     bring the vCPU out of guest mode (IPI, signal) and
 *                      call pvabi_dlv_exit() there
 *   PVABI_DLV_TIMER    call pvabi_dlv_tick() at act->deadline_ns
 *
 * in that order (DISARM/ARM before DELIVER before re-entering the guest).
 * The machine itself never touches page tables, timers or other threads.
 *
 * The decision at an exit, entry or notify trap, for the oldest pending
 * vector:
 *
 *   1. nothing pending                  -> int_pending = 0, DISARM if armed
 *   2. dlv.irq_enabled == 0             -> "masked": int_pending stays 1;
 *                                          the guest's interrupt-enable
 *                                          template sees it and traps.
 *                                          DISARM if armed.  Never forced:
 *                                          holding interrupts with EE off is
 *                                          the guest's architectural right.
 *   3. inside a critical section        -> "deferred": ARM the notification
 *      (supervisor && critical == r1;      page (if PVABI_F_NOTIFY), ask for
 *      with PVABI_DLV_CFG_MEMORY
 *      critical != 0)
 *                                          a TIMER at the time bound, count
 *                                          dlv.deferred once per episode --
 *                                          unless the bound is reached: then
 *                                          DELIVER | FORCED (see BOUND).
 *   4. otherwise                        -> DELIVER the oldest vector, once;
 *                                          DISARM if armed.
 *
 * One call delivers at most one vector.  Delivering an interrupt normally
 * clears the guest's EE (the backend writes MSR and dlv.irq_enabled as the
 * architecture says), so the next call answers "masked" until the guest
 * re-enables; a backend that wants to drain calls pvabi_dlv_entry() again
 * after each delivery.
 *
 * The guest's fields (dlv.critical, dlv.irq_enabled) are read only through
 * pvabi/access.h with the byte order given to pvabi_dlv_init(), only
 * compared, never used as an index or a pointer.  The machine writes
 * dlv.int_pending and the four dlv counters; it never reads them back: the
 * host-side struct pvabi_dlv_stats is the truth, the page is a mirror.
 *
 * PENDING VECTORS
 *
 * Up to PVABI_DLV_QUEUE_LEN distinct vectors wait in injection order and are
 * delivered oldest first, each exactly once.  Injecting a vector that is
 * already pending *coalesces* with it, like a level-triggered line raised
 * twice before the guest took it: one delivery, pvabi_dlv_inject() returns
 * 1 and counts stats.coalesced.  When PVABI_DLV_QUEUE_LEN distinct vectors
 * are pending, pvabi_dlv_inject() refuses with PVABI_E_BUSY and does not
 * queue: nothing is dropped silently; the caller keeps the interrupt
 * asserted in its device model and injects it again after the next
 * PVABI_DLV_DELIVER.
 *
 * KICKS
 *
 * pvabi_dlv_inject() runs on any host thread while the vCPU may be in guest
 * mode.  It stores int_pending = 1, issues a full barrier, and asks for a
 * KICK only when the queue was empty.  While vectors are pending the machine
 * has already arranged to run again: a kick is in flight, or the
 * notification page is armed, or int_pending is set for the guest's
 * interrupt-enable template, or a TIMER is due.  That guarantee is exactly
 * what the notification page provides: without PVABI_F_NOTIFY a vector
 * deferred after the guest read int_pending waits for an unrelated exit or
 * the time bound (the seed's race; docs/delivery.md).
 *
 * BOUND
 *
 * A guest that keeps critical == r1 (broken or hostile) cannot hold a
 * vector back forever.  A deferral episode starts at the first decision
 * that defers.  When the episode has
 * seen bound_exits exits (pvabi_dlv_exit and pvabi_dlv_notify_trap count;
 * 0 = no exit bound) or lasted bound_ns (0 = no time bound), the next
 * decision delivers anyway with PVABI_DLV_FORCED and counts dlv.forced.
 * The episode ends at the first decision that does not defer (a delivery,
 * or "masked": then nothing is owed until the guest re-enables, and its
 * interrupt-enable template traps).
 * Forcing is sound for the host and fair to the guest: the only state a
 * forced interrupt can clobber is the guest's own scratch registers, which
 * only a guest that broke the protocol (held a section for longer than any
 * template takes, by orders of magnitude) can lose; the host and the other
 * guests are never affected, whereas never delivering would let one guest
 * pin a host timer and its queue forever.  pvabi_dlv_config_default() gives
 * 64 exits or 10 ms.  Interrupts held back by dlv.irq_enabled == 0 are not
 * bounded (rule 2).
 *
 * THE GUEST SIDE (full step lists and barriers: docs/delivery.md)
 *
 * mtmsr/mtmsrd (EE, RI only), wrtee, wrteei 1:
 *   store r1 -> critical; save scratch; store msr and irq_enabled;
 *   full barrier (PowerPC sync; x86 mfence or a locked op): a host that
 *   decides while the vCPU runs (pvabi.ko at an injection) stores
 *   int_pending, fences and loads irq_enabled, and without the guest's
 *   half of that pair both miss each other's store;
 *   load int_pending; restore scratch; store 0 -> critical (any value
 *   but r1 under 1.0; 0 with PVABI_F_NESTING);
 *   if int_pending && new EE: trap (the original instruction);
 *   store-store barrier (PowerPC lwsync; x86 none, TSO keeps store order):
 *   the unmap that arms makes the doorbell store visible, and the re-check
 *   after it must then see critical = 0;
 *   store to the doorbell.
 * wrteei 0: the same without the int_pending check.
 * mfmsr, mfspr, mtspr (SPRGs): one load or store, no critical section.
 * Every exception, inside a section or not (the nesting rule,
 * PVABI_F_NESTING): its entry saves critical and the scratch slots on its
 * own stack and stores 0 to critical, with virtual interrupts off; its
 * exit restores them.  No other barrier: the entry rings no doorbell (EE
 * is off) and the exit's restore is read only after a stop.  Each of
 * these barriers and rules is one seeded bug the spin model catches
 * (tests/model/run-model.sh).
 *
 * LOCKING
 *
 * None inside.  The backend serialises all calls on one struct pvabi_dlv
 * (a spinlock in the kernel; a mutex or spinlock in user space).  Calls on
 * different vCPUs are independent.
 *
 * MIGRATION
 *
 * pvabi_dlv_save() fills a struct pvabi_dlv_state: plain host-order
 * integers that the migration stream serialises field by field (pending
 * vectors oldest first, the deferred and armed flags, the exits and
 * nanoseconds the current deferral has lasted -- relative, because clocks
 * differ between hosts -- and every counter).  The magic page itself
 * travels separately.  pvabi_dlv_restore() validates a state as hostile
 * input and rebuilds the machine; if it was armed, the destination must
 * arm its notification page before the vCPU runs (the action says so).
 *
 * Since 1.0 for everything in this header.
 */
#ifndef PVABI_DELIVERY_H
#define PVABI_DELIVERY_H

#include "abi.h"
#include "access.h"
#include "error.h"

/* Distinct vectors that can wait at once; the state record carries as many. */
#define PVABI_DLV_QUEUE_LEN 32

/*
 * The most actions one input can lead to when a backend drains: performs
 * each action, calls pvabi_dlv_exit() after a KICK and pvabi_dlv_entry()
 * after an ARM or a DELIVER, until an action asks for neither (that last
 * one counted).  A KICK, then per queued vector at most one ARM (one per
 * deferral episode; a delivery ends the episode) and its DELIVER, then the
 * last.  A guest flipping critical between every two decisions reaches it;
 * a backend that stops earlier drops a decision, and with it a delivery.
 */
#define PVABI_DLV_MAX_ROUNDS (2 * PVABI_DLV_QUEUE_LEN + 2)

/* struct pvabi_dlv_config.flags */
/* PVABI_F_NOTIFY was negotiated: arm the notification page on deferral. */
#define PVABI_DLV_CFG_NOTIFY (1u << 0)
/* A 32-bit guest: compare only the low 32 bits of critical and r1. */
#define PVABI_DLV_CFG_GUEST32 (1u << 1)
/*
 * The backend has no guest registers (pvabi.ko serving QEMU): "inside" is
 * critical != 0, regardless of r1 and problem state.  Sound only for a
 * guest that negotiated PVABI_F_NESTING (it leaves every section by
 * storing 0 and follows the nesting rule); since 1.1.
 */
#define PVABI_DLV_CFG_MEMORY (1u << 2)
#define PVABI_DLV_CFG_ALL                                                      \
	(PVABI_DLV_CFG_NOTIFY | PVABI_DLV_CFG_GUEST32 | PVABI_DLV_CFG_MEMORY)

struct pvabi_dlv_config {
	pvabi_u32 flags;       /* PVABI_DLV_CFG_* */
	/* force after this many exits while deferred; 0 = no exit bound */
	pvabi_u32 bound_exits;
	pvabi_u64 bound_ns;    /* force after this long deferred; 0 = none */
};

/* What the host knows about the vCPU at an exit, entry or trap. */
struct pvabi_dlv_regs {
	pvabi_u64 r1;         /* the guest's stack pointer now */
	pvabi_u32 supervisor; /* non-zero: MSR[PR] == 0 */
	pvabi_u32 reserved;   /* zero */
};

/* Host-side counters; the first four are mirrored into the page's dlv.*. */
struct pvabi_dlv_stats {
	pvabi_u64 delivered;    /* vectors delivered (forced ones included) */
	pvabi_u64 deferred;     /* deferral episodes (critical section) */
	pvabi_u64 notify_traps; /* doorbell stores that trapped */
	pvabi_u64 forced;       /* deliveries the bound forced */
	pvabi_u64 injected;     /* pvabi_dlv_inject calls that queued */
	pvabi_u64 coalesced;    /* injections merged with a pending vector */
	pvabi_u64 refused;      /* injections refused, queue full */
	pvabi_u64 masked;       /* decisions held back by irq_enabled == 0 */
	pvabi_u64 kicks;        /* KICK actions requested */
	pvabi_u64 exits;        /* pvabi_dlv_exit calls */
};

/* struct pvabi_dlv_action.flags */
#define PVABI_DLV_DISARM (1u << 0)
#define PVABI_DLV_ARM (1u << 1)
#define PVABI_DLV_DELIVER (1u << 2)
#define PVABI_DLV_FORCED (1u << 3)
#define PVABI_DLV_KICK (1u << 4)
#define PVABI_DLV_TIMER (1u << 5)

struct pvabi_dlv_action {
	pvabi_u32 flags;       /* PVABI_DLV_*, performed in the order listed */
	pvabi_u32 vector;      /* with PVABI_DLV_DELIVER */
	pvabi_u64 deadline_ns; /* with PVABI_DLV_TIMER: call tick then */
};

/* struct pvabi_dlv_state.flags (and the machine's own) */
#define PVABI_DLV_S_DEFERRED (1u << 0) /* a deferral episode is running */
#define PVABI_DLV_S_ARMED (1u << 1)    /* the notification page is armed */
#define PVABI_DLV_S_ALL (PVABI_DLV_S_DEFERRED | PVABI_DLV_S_ARMED)

/* The machine's host-side state for migration: host byte order, no
 * pointers.  The stream serialises every field; n_pending entries of
 * pending[] are meaningful, oldest first, the rest zero.
 */
struct pvabi_dlv_state {
	pvabi_u32 n_pending;
	pvabi_u32 flags; /* PVABI_DLV_S_* */
	pvabi_u32 pending[PVABI_DLV_QUEUE_LEN];
	pvabi_u32 deferred_exits; /* exits the running deferral has seen */
	pvabi_u32 reserved;       /* zero */
	pvabi_u64 deferred_ns;    /* how long it has lasted at save time */
	struct pvabi_dlv_stats stats;
};

/* One vCPU's machine.  Plain so that a kernel vCPU struct can embed it;
 * the fields are private: use the functions below.
 */
struct pvabi_dlv {
	struct pvabi_magic_page *page;
	enum pvabi_byte_order bo;
	struct pvabi_dlv_config cfg;
	pvabi_u32 queue[PVABI_DLV_QUEUE_LEN];
	pvabi_u32 head;
	pvabi_u32 count;
	pvabi_u32 flags; /* PVABI_DLV_S_* */
	pvabi_u32 deferred_exits;
	pvabi_u64 deferred_since_ns;
	struct pvabi_dlv_stats stats;
};

/**
 * pvabi_dlv_config_default - the recommended configuration
 * @cfg: filled with PVABI_DLV_CFG_NOTIFY, bound_exits 64, bound_ns 10 ms
 * Since 1.0.
 */
void pvabi_dlv_config_default(struct pvabi_dlv_config *cfg);

/**
 * pvabi_dlv_init - start a vCPU's machine
 * @d: the machine (any contents; fully overwritten)
 * @page: the vCPU's magic page as the host maps it
 * @bo: the guest's byte order, as recorded at negotiation
 * @cfg: configuration, copied
 *
 * Nothing pending, not armed.  Writes int_pending = 0 and zero counters to
 * the page.
 *
 * Returns 0, or PVABI_E_INVAL if a pointer is NULL, @bo is neither PVABI_LE
 * nor PVABI_BE, or @cfg->flags has bits outside PVABI_DLV_CFG_ALL.
 */
int pvabi_dlv_init(struct pvabi_dlv *d, struct pvabi_magic_page *page,
		   enum pvabi_byte_order bo, const struct pvabi_dlv_config *cfg);

/**
 * pvabi_dlv_inject - raise @vector for the vCPU
 * @d: the machine
 * @vector: any value the backend uses to name an interrupt
 * @now_ns: current time
 * @act: receives PVABI_DLV_KICK when the vCPU must be brought out of guest
 *	 mode (the queue was empty), else no flags
 *
 * Safe to call while the vCPU runs (under the backend's lock).  Stores
 * int_pending = 1 followed by a full barrier before returning.
 *
 * Returns 0 when queued, 1 when @vector was already pending (coalesced; not
 * queued twice), PVABI_E_BUSY when PVABI_DLV_QUEUE_LEN distinct vectors are
 * pending (not queued: the caller must inject again later), PVABI_E_INVAL
 * for a NULL pointer.
 */
int pvabi_dlv_inject(struct pvabi_dlv *d, pvabi_u32 vector, pvabi_u64 now_ns,
		     struct pvabi_dlv_action *act);

/**
 * pvabi_dlv_exit - the vCPU left guest mode; decide
 * @d: the machine
 * @regs: the guest's r1 and privilege now
 * @now_ns: current time
 * @act: receives the actions (see the decision above)
 *
 * Counts towards the exit bound while a deferral is running.
 *
 * Returns 0, or PVABI_E_INVAL for a NULL pointer.
 */
int pvabi_dlv_exit(struct pvabi_dlv *d, const struct pvabi_dlv_regs *regs,
		   pvabi_u64 now_ns, struct pvabi_dlv_action *act);

/**
 * pvabi_dlv_entry - the vCPU is about to enter guest mode; decide
 * @d: the machine
 * @regs: the guest's r1 and privilege now
 * @now_ns: current time
 * @act: receives the actions, as for pvabi_dlv_exit()
 *
 * The same decision as pvabi_dlv_exit() without counting an exit: for the
 * re-check right before entry and for draining after a delivery.
 *
 * Returns 0, or PVABI_E_INVAL for a NULL pointer.
 */
int pvabi_dlv_entry(struct pvabi_dlv *d, const struct pvabi_dlv_regs *regs,
		    pvabi_u64 now_ns, struct pvabi_dlv_action *act);

/**
 * pvabi_dlv_notify_trap - the guest's doorbell store trapped
 * @d: the machine
 * @regs: the guest's r1 and privilege at the store
 * @now_ns: current time
 * @act: receives the actions; DISARM unless the guest is still inside a
 *	 critical section (then the page stays armed and the store will
 *	 trap again: each trap counts towards the exit bound)
 *
 * Counts dlv.notify_traps.  A trap while the machine is not armed (a stale
 * fault racing a DISARM) is counted too and is harmless.
 *
 * Returns 0, or PVABI_E_INVAL for a NULL pointer.
 */
int pvabi_dlv_notify_trap(struct pvabi_dlv *d,
			  const struct pvabi_dlv_regs *regs, pvabi_u64 now_ns,
			  struct pvabi_dlv_action *act);

/**
 * pvabi_dlv_tick - the timer asked for with PVABI_DLV_TIMER fired
 * @d: the machine
 * @now_ns: current time
 * @act: PVABI_DLV_KICK when the time bound is reached (the forced delivery
 *	 happens at the exit the kick causes), else PVABI_DLV_TIMER with the
 *	 remaining deadline while a deferral runs, else nothing
 *
 * Returns 0, or PVABI_E_INVAL for a NULL pointer.
 */
int pvabi_dlv_tick(struct pvabi_dlv *d, pvabi_u64 now_ns,
		   struct pvabi_dlv_action *act);

/**
 * pvabi_dlv_pending - how many distinct vectors wait
 * @d: the machine
 *
 * Returns 0..PVABI_DLV_QUEUE_LEN.
 */
pvabi_u32 pvabi_dlv_pending(const struct pvabi_dlv *d);

/**
 * pvabi_dlv_flags - PVABI_DLV_S_* of the machine now
 * @d: the machine
 */
pvabi_u32 pvabi_dlv_flags(const struct pvabi_dlv *d);

/**
 * pvabi_dlv_get_stats - copy the host-side counters
 * @d: the machine
 * @stats: receives them
 */
void pvabi_dlv_get_stats(const struct pvabi_dlv *d,
			 struct pvabi_dlv_stats *stats);

/**
 * pvabi_dlv_save - the machine's state for migration
 * @d: the machine (not changed)
 * @now_ns: current time, to make the deferral age relative
 * @st: filled completely (unused entries and reserved fields zero)
 *
 * Returns 0, or PVABI_E_INVAL for a NULL pointer.
 */
int pvabi_dlv_save(const struct pvabi_dlv *d, pvabi_u64 now_ns,
		   struct pvabi_dlv_state *st);

/**
 * pvabi_dlv_restore - rebuild a machine from a saved state
 * @d: a machine set up with pvabi_dlv_init() on the destination
 * @st: the state; hostile input, validated before anything changes
 * @now_ns: current time on the destination
 * @act: receives PVABI_DLV_ARM if the state was armed (arm before the vCPU
 *	 runs), PVABI_DLV_TIMER if a deferral runs, PVABI_DLV_KICK if vectors
 *	 are pending (decide at the first entry)
 *
 * Mirrors int_pending and the counters into the page.
 *
 * Returns 0; PVABI_E_INVAL for a NULL pointer; PVABI_E_MALFORMED (and @d
 * unchanged) if n_pending > PVABI_DLV_QUEUE_LEN, a vector appears twice,
 * a flag or reserved field is set that this version does not know,
 * ARMED or DEFERRED is set with nothing pending, ARMED without DEFERRED,
 * deferred_exits or deferred_ns is non-zero without DEFERRED, or an entry
 * of pending[] at or past n_pending is non-zero.
 */
int pvabi_dlv_restore(struct pvabi_dlv *d, const struct pvabi_dlv_state *st,
		      pvabi_u64 now_ns, struct pvabi_dlv_action *act);

#endif /* PVABI_DELIVERY_H */
