// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * irq.c - the user-space interrupt controller: pvabi's delivery state
 * machine (pvabi/delivery.h, used unchanged) driving KVM_INTERRUPT.
 *
 * Every vCPU has one struct pvabi_dlv.  The injector calls it from its own
 * thread under the vCPU's lock and kicks when told to; the vCPU thread asks
 * it at every exit and before every entry, and performs what it answers:
 * ARM and DISARM through pvpage.c, DELIVER by queueing the vector for
 * KVM_INTERRUPT, TIMER through one timer thread per VM.
 *
 * KVM takes one external interrupt per entry, and only while the guest can
 * take it (kvm_run.ready_for_interrupt_injection).  So the machine is asked
 * only at an exit where the guest can take an interrupt and none has been
 * injected yet, and what it delivers is injected before the guest runs
 * again: at the very instruction where the machine saw the guest outside a
 * critical section.  Holding a vector for a later entry would not do: the
 * guest may have entered a critical section by then (an interrupt window can
 * open instructions later than asked, under an emulating KVM).  When the
 * guest cannot take one, or one was just injected and more wait, pvvm asks
 * KVM for an interrupt window and decides again there.
 *
 * A trapping guest has no magic page: its machine reads a host-private
 * page whose irq_enabled pvvm keeps from the guest's machine-state
 * register, and whose critical is never set.  On negotiation the machine
 * moves, pending vectors and all, to the guest's page (save, init,
 * restore: the same path migration takes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vmm.h"

int irq__init(struct vcpu *v)
{
	struct pvabi_dlv_config cfg = v->vm->cfg.dlv;

	v->private_page = aligned_alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE);
	if (!v->private_page)
		return -ENOMEM;
	memset(v->private_page, 0, PVABI_PAGE_SIZE);
	v->page = v->private_page;
	cfg.flags = PVABI_DLV_CFG_GUEST32;
	if (pvabi_dlv_init(&v->dlv, v->page, PVABI_LE, &cfg))
		return -EINVAL;
	pvpage__write_msr(v, 0);
	return 0;
}

static void irq__set_timer(struct vcpu *v, uint64_t deadline)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->timer_lock);
	v->deadline_ns = deadline;
	pthread_cond_signal(&vm->timer_cond);
	pthread_mutex_unlock(&vm->timer_lock);
}

/*
 * An interrupt window pvvm asks for should open within microseconds; an
 * emulating KVM may open it late or, with the guest halted inside it, not
 * at all.  If it has not opened after PVVM_WINDOW_NS, the timer thread
 * kicks the vCPU, which is a decision point too.
 */
#define PVVM_WINDOW_NS 1000000ull

static void irq__set_window_timer(struct vcpu *v, bool on)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->timer_lock);
	if (on || v->window_ns) {
		v->window_ns = on ? now_ns() + PVVM_WINDOW_NS : 0;
		if (on)
			pthread_cond_signal(&vm->timer_cond);
	}
	pthread_mutex_unlock(&vm->timer_lock);
}

/* Perform the machine's answer.  ARM, DISARM and DELIVER come only from
 * exit, entry and notify-trap decisions, which run on the vCPU thread. */
static int irq__apply(struct vcpu *v, const struct pvabi_dlv_action *a)
{
	int r = 0;

	if (a->flags & PVABI_DLV_DISARM)
		r = pvpage__disarm(v);
	if (!r && (a->flags & PVABI_DLV_ARM))
		r = pvpage__arm(v);
	if (!r && (a->flags & PVABI_DLV_DELIVER)) {
		struct kvm_interrupt irq = {.irq = a->vector};

		/* Decided only when KVM can take it (irq__can_take). */
		if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0)
			r = -errno;
		v->injected = true;
		v->st.delivered++;
	}
	if (a->flags & PVABI_DLV_TIMER)
		irq__set_timer(v, a->deadline_ns);
	if (a->flags & PVABI_DLV_KICK)
		vcpu__kick(v);
	return r;
}

/* Move the machine, pending vectors and all, onto the guest's magic page. */
int irq__attach_page(struct vcpu *v, struct pvabi_magic_page *page, bool notify)
{
	struct pvabi_dlv_config cfg = v->vm->cfg.dlv;
	struct pvabi_dlv_action a;
	struct pvabi_dlv_state st;
	uint64_t now;
	int r;

	cfg.flags = PVABI_DLV_CFG_GUEST32 |
		    (notify ? PVABI_DLV_CFG_NOTIFY : 0) |
		    (v->vm->cfg.dlv.flags & PVABI_DLV_CFG_MEMORY);
	pthread_mutex_lock(&v->lock);
	now = now_ns();
	pvabi_dlv_save(&v->dlv, now, &st);
	r = pvabi_dlv_init(&v->dlv, page, PVABI_LE, &cfg);
	if (!r)
		r = pvabi_dlv_restore(&v->dlv, &st, now, &a);
	if (!r)
		v->page = page;
	pthread_mutex_unlock(&v->lock);
	return r ? -EINVAL : irq__apply(v, &a);
}

/* A restored vCPU: rebuild its machine on its page from the saved state
 * (validated by pvabi_dlv_restore).  What that asks for waits for
 * irq__resume. */
int irq__restore(struct vcpu *v, const struct pvabi_dlv_state *st)
{
	struct pvabi_dlv_config cfg = v->vm->cfg.dlv;
	struct pvabi_dlv_action a;
	int r;

	cfg.flags = PVABI_DLV_CFG_GUEST32 |
		    (v->notify.hva ? PVABI_DLV_CFG_NOTIFY : 0) |
		    (v->vm->cfg.dlv.flags & PVABI_DLV_CFG_MEMORY);
	pthread_mutex_lock(&v->lock);
	v->restored_ns = now_ns();
	r = pvabi_dlv_init(&v->dlv, v->page, PVABI_LE, &cfg);
	if (!r)
		r = pvabi_dlv_restore(&v->dlv, st, v->restored_ns, &a);
	pthread_mutex_unlock(&v->lock);
	return r ? -EINVAL : 0;
}

/*
 * The restored vCPU's thread, before its first entry.  The deferral bound
 * counts time the guest could run: not the time this process took to
 * create the VM and schedule the thread, which under load alone can pass
 * the bound and force what the armed page was to deliver.  So the machine
 * is saved as of the restore (keeping anything injected since) and
 * restored as of now, and its actions -- ARM first -- are performed here,
 * before the guest runs.
 */
int irq__resume(struct vcpu *v)
{
	struct pvabi_dlv_action a;
	struct pvabi_dlv_state st;
	int r;

	pthread_mutex_lock(&v->lock);
	pvabi_dlv_save(&v->dlv, v->restored_ns, &st);
	r = pvabi_dlv_restore(&v->dlv, &st, now_ns(), &a);
	v->restored_ns = 0;
	pthread_mutex_unlock(&v->lock);
	return r ? -EINVAL : irq__apply(v, &a);
}

int irq__inject(struct vcpu *v, uint32_t vector)
{
	struct pvabi_dlv_action a;
	int r;

	pthread_mutex_lock(&v->lock);
	r = pvabi_dlv_inject(&v->dlv, vector, now_ns(), &a);
	/* A halted vCPU looks again: this one may make it runnable. */
	if (v->halted)
		pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
	if (r >= 0 && (a.flags & PVABI_DLV_KICK))
		vcpu__kick(v);
	return r;
}

typedef int (*decide_fn)(struct pvabi_dlv *, const struct pvabi_dlv_regs *,
			 pvabi_u64, struct pvabi_dlv_action *);

static int irq__decide(struct vcpu *v, decide_fn fn)
{
	struct pvabi_dlv_regs regs = vcpu__dlv_regs(v);
	struct pvabi_dlv_action a;

	pthread_mutex_lock(&v->lock);
	fn(&v->dlv, &regs, now_ns(), &a);
	pthread_mutex_unlock(&v->lock);
	return irq__apply(v, &a);
}

/* The guest can take an interrupt at this exit, and none is queued yet. */
static bool irq__can_take(const struct vcpu *v)
{
	return v->run->ready_for_interrupt_injection && !v->injected;
}

int irq__exit(struct vcpu *v, bool decide)
{
	v->injected = false;
	return decide && irq__can_take(v) ? irq__decide(v, pvabi_dlv_exit) : 0;
}

/* A doorbell store that traps while the guest cannot take an interrupt
 * (only a guest breaking the protocol does that) leaves the page armed;
 * the interrupt window pvvm asks for brings the decision. */
int irq__notify_trap(struct vcpu *v)
{
	return irq__can_take(v) ? irq__decide(v, pvabi_dlv_notify_trap) : 0;
}

int irq__entry(struct vcpu *v)
{
	uint32_t pending;
	int r = 0;

	if (irq__can_take(v))
		r = irq__decide(v, pvabi_dlv_entry);
	if (r < 0)
		return r;
	pthread_mutex_lock(&v->lock);
	pending = pvabi_dlv_pending(&v->dlv);
	pthread_mutex_unlock(&v->lock);
	v->run->request_interrupt_window =
		pending &&
		(v->injected || !v->run->ready_for_interrupt_injection);
	irq__set_window_timer(v, v->run->request_interrupt_window);
	return 0;
}

static void *irq__timer_thread(void *arg)
{
	struct vm *vm = arg;

	pthread_mutex_lock(&vm->timer_lock);
	while (vm->timer_running) {
		uint64_t next = 0, now = now_ns();
		bool fired = false;
		struct timespec ts;

		for (int i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = &vm->vcpus[i];
			struct pvabi_dlv_action a;

			if (v->window_ns && v->window_ns <= now) {
				/* KVM did not open the window: a kick does. */
				v->window_ns = 0;
				fired = true;
				pthread_mutex_unlock(&vm->timer_lock);
				vcpu__kick(v);
				pthread_mutex_lock(&vm->timer_lock);
			} else if (v->window_ns &&
				   (!next || v->window_ns < next)) {
				next = v->window_ns;
			}
			if (!v->deadline_ns)
				continue;
			if (v->deadline_ns > now) {
				if (!next || v->deadline_ns < next)
					next = v->deadline_ns;
				continue;
			}
			v->deadline_ns = 0;
			fired = true;
			pthread_mutex_unlock(&vm->timer_lock);
			pthread_mutex_lock(&v->lock);
			pvabi_dlv_tick(&v->dlv, now, &a);
			pthread_mutex_unlock(&v->lock);
			irq__apply(v, &a);
			pthread_mutex_lock(&vm->timer_lock);
		}
		if (fired)
			continue;
		if (!next) {
			pthread_cond_wait(&vm->timer_cond, &vm->timer_lock);
			continue;
		}
		ts.tv_sec = (time_t)(next / 1000000000ull);
		ts.tv_nsec = (long)(next % 1000000000ull);
		pthread_cond_timedwait(&vm->timer_cond, &vm->timer_lock, &ts);
	}
	pthread_mutex_unlock(&vm->timer_lock);
	return NULL;
}

int irq__timer_start(struct vm *vm)
{
	pthread_condattr_t attr;
	int r;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&vm->timer_cond);
	pthread_cond_init(&vm->timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	vm->timer_running = true;
	r = pthread_create(&vm->timer_thread, NULL, irq__timer_thread, vm);
	if (r)
		vm->timer_running = false;
	return -r;
}

void irq__timer_stop(struct vm *vm)
{
	if (!vm->timer_running)
		return;
	pthread_mutex_lock(&vm->timer_lock);
	vm->timer_running = false;
	pthread_cond_signal(&vm->timer_cond);
	pthread_mutex_unlock(&vm->timer_lock);
	pthread_join(vm->timer_thread, NULL);
}
