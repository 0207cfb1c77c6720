// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The per-vCPU interrupt delivery state machine (pvabi/delivery.h).
 * Freestanding: compiled unchanged into the kernel module.
 */
#include "pvabi/delivery.h"
#include "export.h"

/* A full barrier: the kernel module may define it as smp_mb(). */
#ifndef PVABI_DLV_MB
#define PVABI_DLV_MB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#define NS_PER_MS 1000000ull

static void zero(void *p, unsigned long n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = 0;
}

static void mirror_counters(struct pvabi_dlv *d)
{
	struct pvabi_delivery *dlv = &d->page->dlv;

	pvabi_st64(d->bo, &dlv->delivered, d->stats.delivered);
	pvabi_st64(d->bo, &dlv->deferred, d->stats.deferred);
	pvabi_st64(d->bo, &dlv->notify_traps, d->stats.notify_traps);
	pvabi_st64(d->bo, &dlv->forced, d->stats.forced);
}

static void set_int_pending(struct pvabi_dlv *d, pvabi_u32 v)
{
	pvabi_st32(d->bo, &d->page->dlv.int_pending, v);
}

static pvabi_u32 slot(const struct pvabi_dlv *d, pvabi_u32 i)
{
	return (d->head + i) % PVABI_DLV_QUEUE_LEN;
}

PVABI_EXPORT void pvabi_dlv_config_default(struct pvabi_dlv_config *cfg)
{
	if (!cfg)
		return;
	cfg->flags = PVABI_DLV_CFG_NOTIFY;
	cfg->bound_exits = 64;
	cfg->bound_ns = 10 * NS_PER_MS;
}

PVABI_EXPORT int pvabi_dlv_init(struct pvabi_dlv *d,
				struct pvabi_magic_page *page,
				enum pvabi_byte_order bo,
				const struct pvabi_dlv_config *cfg)
{
	if (!d || !page || !cfg || (bo != PVABI_LE && bo != PVABI_BE) ||
	    (cfg->flags & ~PVABI_DLV_CFG_ALL))
		return PVABI_E_INVAL;
	zero(d, sizeof(*d));
	d->page = page;
	d->bo = bo;
	d->cfg = *cfg;
	set_int_pending(d, 0);
	mirror_counters(d);
	return 0;
}

static void clear(struct pvabi_dlv_action *act)
{
	act->flags = 0;
	act->vector = 0;
	act->deadline_ns = 0;
}

PVABI_EXPORT int pvabi_dlv_inject(struct pvabi_dlv *d, pvabi_u32 vector,
				  pvabi_u64 now_ns,
				  struct pvabi_dlv_action *act)
{
	(void)now_ns;
	if (!d || !act)
		return PVABI_E_INVAL;
	clear(act);
	for (pvabi_u32 i = 0; i < d->count; i++)
		if (d->queue[slot(d, i)] == vector) {
			d->stats.coalesced++;
			return 1;
		}
	if (d->count == PVABI_DLV_QUEUE_LEN) {
		d->stats.refused++;
		return PVABI_E_BUSY;
	}
	d->queue[slot(d, d->count)] = vector;
	d->count++;
	d->stats.injected++;
	set_int_pending(d, 1);
	/* int_pending must be visible before anyone looks at the guest's
	 * irq_enabled or critical on the strength of this injection (the
	 * guest's side of the pair: store state, sync, load int_pending).
	 */
	PVABI_DLV_MB();
	if (d->count == 1) {
		act->flags |= PVABI_DLV_KICK;
		d->stats.kicks++;
	}
	return 0;
}

static int inside(const struct pvabi_dlv *d, const struct pvabi_dlv_regs *r)
{
	pvabi_u64 crit = pvabi_ld64(d->bo, &d->page->dlv.critical);
	pvabi_u64 r1 = r->r1;

	if (d->cfg.flags & PVABI_DLV_CFG_GUEST32) {
		crit &= 0xffffffffull;
		r1 &= 0xffffffffull;
	}
	if (d->cfg.flags & PVABI_DLV_CFG_MEMORY)
		return crit != 0;
	if (!r->supervisor)
		return 0;
	return crit == r1;
}

static int bound_reached(const struct pvabi_dlv *d, pvabi_u64 now_ns)
{
	if (!(d->flags & PVABI_DLV_S_DEFERRED))
		return 0;
	if (d->cfg.bound_exits && d->deferred_exits >= d->cfg.bound_exits)
		return 1;
	/* A clock that went backwards never counts as time passing. */
	return d->cfg.bound_ns && now_ns >= d->deferred_since_ns &&
	       now_ns - d->deferred_since_ns >= d->cfg.bound_ns;
}

static void disarm(struct pvabi_dlv *d, struct pvabi_dlv_action *act)
{
	if (d->flags & PVABI_DLV_S_ARMED)
		act->flags |= PVABI_DLV_DISARM;
	d->flags &= ~(PVABI_DLV_S_ARMED | PVABI_DLV_S_DEFERRED);
	d->deferred_exits = 0;
}

static void deliver(struct pvabi_dlv *d, struct pvabi_dlv_action *act,
		    int forced)
{
	act->flags |= PVABI_DLV_DELIVER;
	act->vector = d->queue[d->head];
	d->queue[d->head] = 0;
	d->head = slot(d, 1);
	d->count--;
	d->stats.delivered++;
	if (forced) {
		act->flags |= PVABI_DLV_FORCED;
		d->stats.forced++;
	}
	disarm(d, act);
	if (!d->count)
		set_int_pending(d, 0);
}

static void defer(struct pvabi_dlv *d, pvabi_u64 now_ns,
		  struct pvabi_dlv_action *act)
{
	if (!(d->flags & PVABI_DLV_S_DEFERRED)) {
		d->flags |= PVABI_DLV_S_DEFERRED;
		d->deferred_since_ns = now_ns;
		d->deferred_exits = 0;
		d->stats.deferred++;
	}
	if ((d->cfg.flags & PVABI_DLV_CFG_NOTIFY) &&
	    !(d->flags & PVABI_DLV_S_ARMED)) {
		d->flags |= PVABI_DLV_S_ARMED;
		act->flags |= PVABI_DLV_ARM;
	}
	if (d->cfg.bound_ns) {
		act->flags |= PVABI_DLV_TIMER;
		act->deadline_ns = d->deferred_since_ns + d->cfg.bound_ns;
	}
}

static void decide(struct pvabi_dlv *d, const struct pvabi_dlv_regs *regs,
		   pvabi_u64 now_ns, struct pvabi_dlv_action *act)
{
	if (!d->count) {
		set_int_pending(d, 0);
		disarm(d, act);
	} else if (!pvabi_ld32(d->bo, &d->page->dlv.irq_enabled)) {
		d->stats.masked++;
		disarm(d, act);
	} else if (!inside(d, regs)) {
		deliver(d, act, 0);
	} else if (bound_reached(d, now_ns)) {
		deliver(d, act, 1);
	} else {
		defer(d, now_ns, act);
	}
	mirror_counters(d);
}

PVABI_EXPORT int pvabi_dlv_exit(struct pvabi_dlv *d,
				const struct pvabi_dlv_regs *regs,
				pvabi_u64 now_ns, struct pvabi_dlv_action *act)
{
	if (!d || !regs || !act)
		return PVABI_E_INVAL;
	clear(act);
	d->stats.exits++;
	if (d->flags & PVABI_DLV_S_DEFERRED)
		d->deferred_exits++;
	decide(d, regs, now_ns, act);
	return 0;
}

PVABI_EXPORT int pvabi_dlv_entry(struct pvabi_dlv *d,
				 const struct pvabi_dlv_regs *regs,
				 pvabi_u64 now_ns, struct pvabi_dlv_action *act)
{
	if (!d || !regs || !act)
		return PVABI_E_INVAL;
	clear(act);
	decide(d, regs, now_ns, act);
	return 0;
}

PVABI_EXPORT int pvabi_dlv_notify_trap(struct pvabi_dlv *d,
				       const struct pvabi_dlv_regs *regs,
				       pvabi_u64 now_ns,
				       struct pvabi_dlv_action *act)
{
	if (!d || !regs || !act)
		return PVABI_E_INVAL;
	clear(act);
	d->stats.notify_traps++;
	if (d->flags & PVABI_DLV_S_DEFERRED)
		d->deferred_exits++;
	decide(d, regs, now_ns, act);
	/* A stale trap (armed by a backend that raced a DISARM) must still
	 * leave the page writable, or the guest would fault forever.
	 */
	if (!(d->flags & PVABI_DLV_S_ARMED))
		act->flags |= PVABI_DLV_DISARM;
	return 0;
}

PVABI_EXPORT int pvabi_dlv_tick(struct pvabi_dlv *d, pvabi_u64 now_ns,
				struct pvabi_dlv_action *act)
{
	if (!d || !act)
		return PVABI_E_INVAL;
	clear(act);
	if (!(d->flags & PVABI_DLV_S_DEFERRED) || !d->cfg.bound_ns)
		return 0;
	if (bound_reached(d, now_ns)) {
		act->flags |= PVABI_DLV_KICK;
		d->stats.kicks++;
	} else {
		act->flags |= PVABI_DLV_TIMER;
		act->deadline_ns = d->deferred_since_ns + d->cfg.bound_ns;
	}
	return 0;
}

PVABI_EXPORT pvabi_u32 pvabi_dlv_pending(const struct pvabi_dlv *d)
{
	return d ? d->count : 0;
}

PVABI_EXPORT pvabi_u32 pvabi_dlv_flags(const struct pvabi_dlv *d)
{
	return d ? d->flags : 0;
}

PVABI_EXPORT void pvabi_dlv_get_stats(const struct pvabi_dlv *d,
				      struct pvabi_dlv_stats *stats)
{
	if (d && stats)
		*stats = d->stats;
}

PVABI_EXPORT int pvabi_dlv_save(const struct pvabi_dlv *d, pvabi_u64 now_ns,
				struct pvabi_dlv_state *st)
{
	if (!d || !st)
		return PVABI_E_INVAL;
	zero(st, sizeof(*st));
	st->n_pending = d->count;
	st->flags = d->flags;
	for (pvabi_u32 i = 0; i < d->count; i++)
		st->pending[i] = d->queue[slot(d, i)];
	if (d->flags & PVABI_DLV_S_DEFERRED) {
		st->deferred_exits = d->deferred_exits;
		if (now_ns > d->deferred_since_ns)
			st->deferred_ns = now_ns - d->deferred_since_ns;
	}
	st->stats = d->stats;
	return 0;
}

static int state_check(const struct pvabi_dlv_state *st)
{
	if (st->n_pending > PVABI_DLV_QUEUE_LEN || st->reserved ||
	    (st->flags & ~PVABI_DLV_S_ALL))
		return PVABI_E_MALFORMED;
	if (st->flags && !st->n_pending)
		return PVABI_E_MALFORMED;
	if ((st->flags & PVABI_DLV_S_ARMED) &&
	    !(st->flags & PVABI_DLV_S_DEFERRED))
		return PVABI_E_MALFORMED;
	if (!(st->flags & PVABI_DLV_S_DEFERRED) &&
	    (st->deferred_exits || st->deferred_ns))
		return PVABI_E_MALFORMED;
	for (pvabi_u32 i = 0; i < PVABI_DLV_QUEUE_LEN; i++) {
		if (i >= st->n_pending) {
			if (st->pending[i])
				return PVABI_E_MALFORMED;
			continue;
		}
		for (pvabi_u32 j = 0; j < i; j++)
			if (st->pending[j] == st->pending[i])
				return PVABI_E_MALFORMED;
	}
	return 0;
}

PVABI_EXPORT int pvabi_dlv_restore(struct pvabi_dlv *d,
				   const struct pvabi_dlv_state *st,
				   pvabi_u64 now_ns,
				   struct pvabi_dlv_action *act)
{
	int err;

	if (!d || !st || !act)
		return PVABI_E_INVAL;
	clear(act);
	err = state_check(st);
	if (err)
		return err;
	zero(d->queue, sizeof(d->queue));
	d->head = 0;
	d->count = st->n_pending;
	for (pvabi_u32 i = 0; i < st->n_pending; i++)
		d->queue[i] = st->pending[i];
	d->flags = st->flags;
	/* An armed state from a host that had no notification page to arm
	 * cannot arise; one restored onto such a host stays merely deferred.
	 */
	if (!(d->cfg.flags & PVABI_DLV_CFG_NOTIFY))
		d->flags &= ~PVABI_DLV_S_ARMED;
	d->deferred_exits = st->deferred_exits;
	d->deferred_since_ns = now_ns >= st->deferred_ns ?
				       now_ns - st->deferred_ns : 0;
	d->stats = st->stats;
	if (d->flags & PVABI_DLV_S_ARMED)
		act->flags |= PVABI_DLV_ARM;
	if ((d->flags & PVABI_DLV_S_DEFERRED) && d->cfg.bound_ns) {
		act->flags |= PVABI_DLV_TIMER;
		act->deadline_ns = d->deferred_since_ns + d->cfg.bound_ns;
	}
	if (d->count)
		act->flags |= PVABI_DLV_KICK;
	set_int_pending(d, d->count ? 1 : 0);
	mirror_counters(d);
	return 0;
}
