// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trap and delivery path around libpvabi's delivery state machine
 * (pvabi/delivery.h, compiled in unchanged): this file only performs the
 * actions the machine asks for.
 *
 * A vCPU here is a thread of the VMM running on the mmap'd pages, not a
 * guest stopped in a hypervisor exit, so every input that would be an exit
 * (an injection, PVABI_VCPU_KICK, a doorbell fault, the bound's timer) is
 * handed to the machine as one, under v->lock.  ARM unmaps the notification
 * page from every process, then the machine decides again: the guest may
 * have left its critical section and stored to the doorbell before the
 * unmap took effect, and that store did not trap.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>

#include "pvabi_mod.h"

/*
 * Whoever asked for the signal may still send it to @t: the test
 * sigio_perm() makes for F_SETOWN's owner.  A registrant that has since
 * exec'd a set-user-ID program and become another user gets nothing from
 * the deliveries another user's injections cause.
 */
static bool sig_perm(const struct pvabi_vcpu *v, struct task_struct *t)
{
	const struct cred *tc;
	bool ok;

	rcu_read_lock();
	tc = __task_cred(t);
	ok = uid_eq(v->sig_euid, GLOBAL_ROOT_UID) ||
	     uid_eq(v->sig_euid, tc->suid) || uid_eq(v->sig_euid, tc->uid) ||
	     uid_eq(v->sig_uid, tc->suid) || uid_eq(v->sig_uid, tc->uid);
	rcu_read_unlock();
	return ok;
}

static void notify_vmm(struct pvabi_vcpu *v, u32 vector)
{
	if (v->efd)
		eventfd_signal(v->efd, 1);
	if (v->sig_pid) {
		struct kernel_siginfo info = {
			.si_signo = v->signo,
			.si_code = SI_QUEUE,
		};
		struct task_struct *t = get_pid_task(v->sig_pid, PIDTYPE_PID);

		info.si_int = vector;
		if (t) {
			if (sig_perm(v, t))
				send_sig_info(v->signo, &info, t);
			put_task_struct(t);
		}
	}
}

/* Unmap the notification page everywhere: the next doorbell store faults. */
void pvabi_zap(struct pvabi_vcpu *v)
{
	v->zapped = true;
	v->zaps++;
	if (v->mapping)
		unmap_mapping_range(v->mapping, v->notify_off, PAGE_SIZE, 1);
}

/*
 * Perform @act and whatever the decisions it leads to ask for.  In region
 * mode a delivery is a post, and one post is outstanding at a time: the
 * drain stops there, and a KICK decides only once the guest took it (its
 * acknowledging doorbell ring decides again).
 */
void pvabi_perform(struct pvabi_vcpu *v, struct pvabi_dlv_action act)
{
	int round;

	lockdep_assert_held(&v->lock);
	for (round = 0;; round++) {
		bool again = false;

		/* The machine's own bound: past it @act would be dropped. */
		if (WARN_ON_ONCE(round == PVABI_DLV_MAX_ROUNDS))
			break;
		/*
		 * DISARM needs nothing: the page is mapped back lazily, on
		 * the next fault, which finds the machine disarmed.
		 */
		if (act.flags & PVABI_DLV_ARM) {
			pvabi_zap(v);
			smp_mb(); /* the unmap before the re-check's loads */
			again = true;
		}
		if (act.flags & PVABI_DLV_DELIVER) {
			if (v->region)
				pvabi_region_post(v, act.vector);
			else
				notify_vmm(v, act.vector);
			if (act.flags & PVABI_DLV_FORCED)
				schedule_work(&v->tick_work);
			again = !v->region;	/* drain what else is pending */
		}
		if (act.flags & PVABI_DLV_TIMER)
			hrtimer_start(&v->bound, ns_to_ktime(act.deadline_ns),
				      HRTIMER_MODE_ABS);
		if (act.flags & PVABI_DLV_KICK) {
			if (v->region && !pvabi_region_acked(v))
				break;
			pvabi_dlv_exit(&v->dlv, &v->regs, ktime_get_ns(), &act);
			continue;
		}
		if (!again)
			break;
		pvabi_dlv_entry(&v->dlv, &v->regs, ktime_get_ns(), &act);
	}
	if (!pvabi_dlv_flags(&v->dlv))
		hrtimer_try_to_cancel(&v->bound);
}

/* PVABI_VCPU_INJECT and PVABI_CMD_INJECT: 0 queued, 1 coalesced, -errno. */
int pvabi_inject(struct pvabi_vcpu *v, u32 vector)
{
	struct pvabi_dlv_action act;
	int ret;

	mutex_lock(&v->lock);
	if (v->dead) {
		ret = -ENOENT;
	} else if (!v->negotiated) {
		ret = -ENOTCONN;
	} else {
		ret = pvabi_dlv_inject(&v->dlv, vector, ktime_get_ns(), &act);
		if (ret == PVABI_E_BUSY)
			ret = -EBUSY;
		else if (ret >= 0)
			pvabi_perform(v, act);
		else
			ret = -EINVAL;
	}
	mutex_unlock(&v->lock);
	return ret;
}

/* PVABI_VCPU_KICK: the guest exits (PVABI_HC_KICK, or any trap). */
int pvabi_kick(struct pvabi_vcpu *v)
{
	struct pvabi_dlv_action act;
	int ret = 0;

	mutex_lock(&v->lock);
	if (!v->negotiated) {
		ret = -ENOTCONN;
	} else {
		pvabi_dlv_exit(&v->dlv, &v->regs, ktime_get_ns(), &act);
		pvabi_perform(v, act);
	}
	mutex_unlock(&v->lock);
	return ret;
}

/*
 * The notification page faulted (v->lock held).  Returns whether to map
 * it: not while the machine keeps it armed (the guest stores from inside a
 * critical section; each such fault counts towards the exit bound).
 */
bool pvabi_notify_trap(struct pvabi_vcpu *v)
{
	struct pvabi_dlv_action act;

	lockdep_assert_held(&v->lock);
	if (!v->zapped || !v->negotiated)
		return true;	/* first touch after mmap */
	pvabi_dlv_notify_trap(&v->dlv, &v->regs, ktime_get_ns(), &act);
	pvabi_perform(v, act);
	if (pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_ARMED)
		return false;
	v->zapped = false;
	return true;
}

void pvabi_delivery_stats(struct pvabi_vcpu *v, struct pvabi_vcpu_stats *st)
{
	struct pvabi_dlv_stats ds;

	lockdep_assert_held(&v->lock);
	memset(st, 0, sizeof(*st));
	if (!v->negotiated)
		return;
	pvabi_dlv_get_stats(&v->dlv, &ds);
	st->injected = ds.injected;
	st->coalesced = ds.coalesced;
	st->refused = ds.refused;
	st->delivered = ds.delivered;
	st->deferred = ds.deferred;
	st->notify_traps = ds.notify_traps;
	st->forced = ds.forced;
	st->masked = ds.masked;
	st->kicks = ds.kicks;
	st->exits = ds.exits;
	st->zaps = v->zaps;
	st->pending = pvabi_dlv_pending(&v->dlv);
}

/* At negotiation (v->lock held): start the machine on the magic page. */
int pvabi_delivery_start(struct pvabi_vcpu *v, u32 defer_us)
{
	struct pvabi_dlv_config cfg;

	lockdep_assert_held(&v->lock);
	pvabi_dlv_config_default(&cfg);
	if (!(v->features & PVABI_F_NOTIFY))
		cfg.flags &= ~PVABI_DLV_CFG_NOTIFY;
	/* No registers in region mode: the page alone says "inside". */
	if (v->region)
		cfg.flags |= PVABI_DLV_CFG_MEMORY;
	cfg.bound_ns = (u64)defer_us * NSEC_PER_USEC;
	return pvabi_dlv_init(&v->dlv, page_address(v->magic), v->bo, &cfg);
}

/*
 * The bound's timer: hand the machine a tick in process context (it may
 * unmap pages and signal).  Also runs after a forced delivery, to tell the
 * events group.
 */
static void tick_work(struct work_struct *work)
{
	struct pvabi_vcpu *v = container_of(work, struct pvabi_vcpu, tick_work);
	struct pvabi_dlv_action act;
	struct pvabi_dlv_stats ds;
	bool report;

	mutex_lock(&v->lock);
	if (v->dead || !v->negotiated) {
		mutex_unlock(&v->lock);
		return;
	}
	pvabi_dlv_tick(&v->dlv, ktime_get_ns(), &act);
	pvabi_perform(v, act);
	pvabi_dlv_get_stats(&v->dlv, &ds);
	report = ds.forced != v->forced_reported;
	v->forced_reported = ds.forced;
	mutex_unlock(&v->lock);
	if (report)
		pvabi_genl_event(PVABI_EVENT_DEFER_FORCED, v->vm->id, v->index);
}

static enum hrtimer_restart bound_expired(struct hrtimer *t)
{
	struct pvabi_vcpu *v = container_of(t, struct pvabi_vcpu, bound);

	schedule_work(&v->tick_work);
	return HRTIMER_NORESTART;
}

void pvabi_delivery_init(struct pvabi_vcpu *v)
{
	hrtimer_init(&v->bound, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	v->bound.function = bound_expired;
	INIT_WORK(&v->tick_work, tick_work);
}

/* The vCPU is dead (no more injections): stop the timer and its work. */
void pvabi_delivery_stop(struct pvabi_vcpu *v)
{
	hrtimer_cancel(&v->bound);
	cancel_work_sync(&v->tick_work);
	if (v->region) {
		cancel_work_sync(&v->exit_work);
		cancel_work_sync(&v->rezap_work);
	}
}
