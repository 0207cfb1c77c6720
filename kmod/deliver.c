// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trap and delivery path: inject, defer behind the notification page,
 * deliver on the doorbell fault, on a kick or when the deferral bound fires.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "pvabi_mod.h"

static struct pvabi_magic_page *magic(struct pvabi_vcpu *v)
{
	return page_address(v->magic);
}

/* Inside a critical section: critical == r1 in supervisor state. */
static bool in_critical(struct pvabi_vcpu *v)
{
	return pvabi_ld64(v->bo, &magic(v)->dlv.critical) == v->r1 &&
	       !(v->msr & PVABI_MSR_PR);
}

static bool irqs_on(struct pvabi_vcpu *v)
{
	return pvabi_ld32(v->bo, &magic(v)->dlv.irq_enabled);
}

static bool can_deliver(struct pvabi_vcpu *v)
{
	return !v->negotiated || (irqs_on(v) && !in_critical(v));
}

static void page_add(struct pvabi_vcpu *v, pvabi_g64_t *field, u64 n)
{
	if (v->negotiated)
		pvabi_st64(v->bo, field, pvabi_ld64(v->bo, field) + n);
}

static void deliver(struct pvabi_vcpu *v)
{
	u64 n = v->st.pending;

	lockdep_assert_held(&v->lock);
	if (!n)
		return;
	v->st.pending = 0;
	v->st.delivered += n;
	if (v->negotiated)
		pvabi_st32(v->bo, &magic(v)->dlv.int_pending, 0);
	page_add(v, &magic(v)->dlv.delivered, n);
	hrtimer_try_to_cancel(&v->bound);
	if (v->efd)
		eventfd_signal(v->efd, n);
	if (v->sig_pid)
		kill_pid(v->sig_pid, v->signo, 1);
}

/* Unmap the notification page everywhere: the next doorbell store faults. */
static void zap(struct pvabi_vcpu *v)
{
	if (v->zapped || !v->mapping)
		return;
	v->zapped = true;
	v->st.zaps++;
	unmap_mapping_range(v->mapping, PVABI_MMAP_NOTIFY_OFFSET, PAGE_SIZE, 1);
}

int pvabi_inject(struct pvabi_vcpu *v)
{
	mutex_lock(&v->lock);
	if (v->dead) {
		mutex_unlock(&v->lock);
		return -ENOENT;
	}
	v->st.injected++;
	v->st.pending++;
	if (can_deliver(v)) {
		deliver(v);
		goto out;
	}
	v->st.deferred++;
	page_add(v, &magic(v)->dlv.deferred, 1);
	pvabi_st32(v->bo, &magic(v)->dlv.int_pending, 1);
	if (v->features & PVABI_F_NOTIFY) {
		zap(v);
		/* The guest may have left its critical section and stored to
		 * the doorbell before the zap took effect: look again.
		 */
		smp_mb();
		if (can_deliver(v)) {
			deliver(v);
			goto out;
		}
	}
	/* Interrupts off is the guest's right; a critical section held
	 * too long is not, and is cut short by the bound.
	 */
	if (in_critical(v) && !hrtimer_active(&v->bound))
		hrtimer_start(&v->bound, ns_to_ktime(v->defer_us * NSEC_PER_USEC),
			      HRTIMER_MODE_REL);
out:
	mutex_unlock(&v->lock);
	return 0;
}

/* PVABI_HC_KICK: the guest asks for what is pending. */
int pvabi_kick(struct pvabi_vcpu *v)
{
	mutex_lock(&v->lock);
	v->st.kicks++;
	if (can_deliver(v))
		deliver(v);
	mutex_unlock(&v->lock);
	return 0;
}

/* The notification page faulted (called with v->lock held). */
void pvabi_notify_trap(struct pvabi_vcpu *v)
{
	lockdep_assert_held(&v->lock);
	if (!v->zapped)
		return;
	v->zapped = false;
	v->st.notify_traps++;
	page_add(v, &magic(v)->dlv.notify_traps, 1);
	if (can_deliver(v))
		deliver(v);
}

static void force_work(struct work_struct *work)
{
	struct pvabi_vcpu *v = container_of(work, struct pvabi_vcpu, force_work);
	bool forced = false;

	mutex_lock(&v->lock);
	if (!v->dead && v->st.pending) {
		if (in_critical(v)) {
			v->st.forced += v->st.pending;
			page_add(v, &magic(v)->dlv.forced, v->st.pending);
			deliver(v);
			forced = true;
		} else if (can_deliver(v)) {
			deliver(v);
		}
	}
	mutex_unlock(&v->lock);
	if (forced)
		pvabi_genl_event(PVABI_EVENT_DEFER_FORCED, v->vm->id, v->index);
}

static enum hrtimer_restart bound_expired(struct hrtimer *t)
{
	struct pvabi_vcpu *v = container_of(t, struct pvabi_vcpu, bound);

	schedule_work(&v->force_work);
	return HRTIMER_NORESTART;
}

void pvabi_delivery_init(struct pvabi_vcpu *v)
{
	hrtimer_init(&v->bound, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	v->bound.function = bound_expired;
	INIT_WORK(&v->force_work, force_work);
}

/* The vCPU is dead (no more injections): stop the timer and its work. */
void pvabi_delivery_stop(struct pvabi_vcpu *v)
{
	hrtimer_cancel(&v->bound);
	cancel_work_sync(&v->force_work);
}
