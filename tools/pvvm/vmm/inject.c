// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inject.c - the injector thread's loop: raise interrupts at random times,
 * read the guests' interrupt logs, and account for every interrupt.
 *
 * Each vCPU gets vectors PVVM_VECTOR_BASE.. in rotation, at most
 * c->inflight undelivered at once: fewer than the 224 vectors, so no two
 * outstanding injections share one, and fewer than PVABI_DLV_QUEUE_LEN, so
 * the delivery machine never needs to coalesce.  The host stamps each
 * injection with its TSC just before handing it to the machine; the guest's
 * handler stamps its TSC first thing; the vCPU's TSC offset turns one into
 * the other.  The log must show each vector exactly once, in injection
 * order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inject.h"

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

struct drain_ctx {
	struct vm *vm;
	struct vcpu *v;
};

/* Host time from injection to the guest's handler: its TSC stamp brought
 * to the host's TSC, minus ours at injection. */
static uint64_t drain_latency(void *opaque, uint64_t guest_tsc,
			      uint64_t sent_tsc)
{
	struct drain_ctx *d = opaque;

	return vm__tsc_to_ns(d->vm, guest_tsc - d->v->tsc_offset - sent_tsc);
}

static int drain(struct vm *vm, struct vcpu *v, struct inj_lane *l,
		 struct inj_result *res, size_t *cap, bool *progress)
{
	struct pvvm_vcpu_info *info = &vm->boot->vcpu[v->id];
	const struct pvvm_log_entry *log =
		vm__gpa(vm, PVVM_LOG_GPA + (uint64_t)v->id * PVVM_LOG_SIZE,
			PVVM_LOG_SIZE);
	uint32_t head = __atomic_load_n(&info->log_head, __ATOMIC_ACQUIRE);
	struct drain_ctx d = {vm, v};
	int r;

	r = inject__read_log(l, log, head, res, cap, drain_latency, &d,
			     progress);
	if (r == -EPROTO)
		fprintf(stderr,
			"pvvm: vCPU %d: interrupt log head %u is %u entries "
			"past the %u read: more than the log holds\n",
			v->id, head, head - l->log_tail, l->log_tail);
	__atomic_store_n(&info->log_tail, l->log_tail, __ATOMIC_RELEASE);
	return r;
}

/* What a vCPU looks like when an interrupt stalls: with PVVM_DEBUG at the
 * first stall, and always when the injector gives up (racy reads of other
 * threads' state: a diagnostic, not a measurement).  The exit and loop
 * counts tell a guest that no longer runs from one that runs on without
 * telling the host. */
static void stall_report(struct vcpu *v, const char *when)
{
	const struct pvabi_delivery *d = &v->page->dlv;
	const struct pvvm_vcpu_info *info = &v->vm->boot->vcpu[v->id];
	const struct kvm_regs *regs = &v->run->s.regs.regs;
	/* The guest's paging, where it has any, is the identity. */
	const uint32_t *top = vm__gpa(v->vm, (uint32_t)regs->rsp, 16);

	if (top)
		fprintf(stderr,
			"pvvm: vCPU %d %s: rsp 0x%x, rflags 0x%x, "
			"stack 0x%x 0x%x 0x%x 0x%x\n",
			v->id, when, (uint32_t)regs->rsp,
			(uint32_t)regs->rflags, top[0], top[1], top[2], top[3]);
	else
		fprintf(stderr, "pvvm: vCPU %d %s: rsp 0x%x outside RAM\n",
			v->id, when, (uint32_t)regs->rsp);
	fprintf(stderr,
		"pvvm: %svCPU %d %s: %u pending, flags 0x%x, "
		"irq_enabled %u, int_pending %u, critical 0x%x, rip 0x%x, "
		"window %d, last exit %u; %" PRIu64 " exits, %" PRIu64
		" notification traps, guest loop %" PRIu64 "\n",
		v->vm->cfg.deaf ? "hostile " : "", v->id, when,
		pvabi_dlv_pending(&v->dlv), pvabi_dlv_flags(&v->dlv),
		pvabi_ld32(PVABI_LE, &d->irq_enabled),
		pvabi_ld32(PVABI_LE, &d->int_pending),
		(uint32_t)pvabi_ld64(PVABI_LE, &d->critical),
		(uint32_t)v->run->s.regs.regs.rip,
		v->run->request_interrupt_window, v->run->exit_reason,
		__atomic_load_n(&v->st.exits, __ATOMIC_RELAXED),
		__atomic_load_n(&v->st.notify_mmio, __ATOMIC_RELAXED),
		__atomic_load_n(&info->loops, __ATOMIC_RELAXED));
}

/* Nothing to do this round: yield the CPU the guest may need. */
static void idle_wait(void)
{
	struct timespec ts = {0, 20000};

	nanosleep(&ts, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool stop_asked(const struct inj_config *c)
{
	return c->stop && __atomic_load_n(c->stop, __ATOMIC_ACQUIRE);
}

int inject__run(struct vm *vm, const struct inj_config *c,
		struct inj_result *res)
{
	struct inj_lane *lanes;
	uint64_t rng = c->seed | 1, next_at, last_progress = now_ns();
	uint64_t stopped_at = 0;
	uint32_t inflight = c->inflight;
	size_t cap = 0;
	int r = 0;

	memset(res, 0, sizeof(*res));
	lanes = calloc(PVVM_MAX_VCPUS, sizeof(*lanes));
	if (!lanes)
		return -ENOMEM;
	res->lanes = lanes;
	/* Where a restored run's checked log ends (cmd_run.c); any value is
	 * safe: it is only compared with the head, and used modulo. */
	for (int i = 0; i < vm->nr_vcpus; i++)
		lanes[i].log_tail = __atomic_load_n(&vm->boot->vcpu[i].log_tail,
						    __ATOMIC_ACQUIRE);
	if (!inflight || inflight >= PVABI_DLV_QUEUE_LEN)
		inflight = PVABI_DLV_QUEUE_LEN - 1;
	next_at = now_ns();

	for (;;) {
		uint64_t now = now_ns(), outstanding = 0;
		bool progress = false;

		for (int i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = &vm->vcpus[i];
			struct inj_lane *l = &lanes[i];

			r = drain(vm, v, l, res, &cap, &progress);
			if (r < 0)
				goto out;
			outstanding += l->count;
			if (!l->count || !c->stall_ns)
				continue;
			/* Host TSC and CLOCK_MONOTONIC run at the same rate;
			 * only the oldest can be the first to stall. */
			if (!inj_lane_at(l, 0)->stalled &&
			    vm__tsc_to_ns(vm,
					  rdtsc() - inj_lane_at(l, 0)->tsc) >
				    c->stall_ns) {
				for (uint32_t k = 0; k < l->count; k++)
					if (!inj_lane_at(l, k)->stalled) {
						inj_lane_at(l, k)->stalled =
							true;
						res->stalled++;
					}
				if (getenv("PVVM_DEBUG"))
					stall_report(v, "stalled");
				if (c->rescue)
					vcpu__kick(v);
			}
		}
		if (progress)
			last_progress = now;
		if (res->injected == c->count && !outstanding)
			break;
		if (!stopped_at && stop_asked(c))
			stopped_at = now;
		/* Asked to stop: what is still outstanding after settle_ns is
		 * for inject__settle to find, pending or lost. */
		if (stopped_at &&
		    (!outstanding || now - stopped_at > c->settle_ns)) {
			res->outstanding = outstanding;
			break;
		}
		if (c->give_up_ns && now - last_progress > c->give_up_ns) {
			for (int i = 0; i < vm->nr_vcpus; i++)
				if (lanes[i].count)
					stall_report(&vm->vcpus[i],
						     "given up on");
			res->lost += outstanding;
			break;
		}
		for (int i = 0; i < vm->nr_vcpus; i++)
			if (vcpu__error(&vm->vcpus[i]) ||
			    vcpu__is_done(&vm->vcpus[i])) {
				r = vcpu__error(&vm->vcpus[i])
					    ? vcpu__error(&vm->vcpus[i])
					    : -ECHILD;
				res->lost += outstanding;
				goto out;
			}
		if (res->injected == c->count || stopped_at || now < next_at) {
			if (!progress)
				idle_wait();
			continue;
		}

		int id = (int)(xorshift(&rng) % (uint64_t)vm->nr_vcpus);
		struct vcpu *v = &vm->vcpus[id];
		struct inj_lane *l = &lanes[id];
		struct inj_sent *s;

		/* The window guest halts after each round: wake it for the
		 * next one. */
		if (c->aim_window && !l->count && now - l->woken > 1000000 &&
		    __atomic_load_n(&vm->boot->vcpu[id].phase,
				    __ATOMIC_ACQUIRE) != PVVM_PHASE_WINDOW) {
			l->woken = now;
			vcpu__kick(v);
		}
		if (l->count >= inflight ||
		    (c->aim_window &&
		     (l->count || __atomic_load_n(&vm->boot->vcpu[id].phase,
						  __ATOMIC_ACQUIRE) !=
					  PVVM_PHASE_WINDOW))) {
			if (!progress)
				idle_wait();
			continue;
		}
		s = inj_lane_at(l, l->count);
		s->vector = PVVM_VECTOR_BASE + l->next_vector;
		s->stalled = false;
		s->tsc = rdtsc();
		r = irq__inject(v, s->vector);
		if (r == PVABI_E_BUSY) {
			res->retried++;
			continue;
		}
		if (r != 0) {
			/* 1 would be a coalesced vector: impossible by
			 * construction, so it is a bug worth stopping for. */
			r = r > 0 ? -EEXIST : -EINVAL;
			goto out;
		}
		l->next_vector = (l->next_vector + 1) % PVVM_VECTORS;
		l->count++;
		res->injected++;
		next_at = now_ns() +
			  (c->max_gap_ns ? xorshift(&rng) % (c->max_gap_ns + 1)
					 : 0);
	}
out:
	if (res->n_lat)
		qsort(res->lat_ns, res->n_lat, sizeof(uint64_t), cmp_u64);
	return r;
}

int inject__settle(struct vm *vm, struct inj_result *res)
{
	struct inj_lane *lanes = res->lanes;
	size_t cap = res->n_lat;
	int r = 0;

	if (!lanes)
		return 0;
	for (int i = 0; i < vm->nr_vcpus && r == 0; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct inj_lane *l = &lanes[i];
		struct pvabi_dlv_state st;
		bool progress = false;

		r = drain(vm, v, l, res, &cap, &progress);
		pthread_mutex_lock(&v->lock);
		pvabi_dlv_save(&v->dlv, now_ns(), &st);
		pthread_mutex_unlock(&v->lock);
		for (uint32_t k = 0; k < l->count; k++) {
			uint32_t j;

			for (j = 0; j < st.n_pending; j++)
				if (st.pending[j] == inj_lane_at(l, k)->vector)
					break;
			if (j < st.n_pending)
				res->pending_at_stop++;
			else
				res->lost++;
		}
		l->count = 0;
	}
	res->outstanding = 0;
	if (res->n_lat)
		qsort(res->lat_ns, res->n_lat, sizeof(uint64_t), cmp_u64);
	return r;
}

int inject__merge(struct inj_result *dst, struct inj_result *src)
{
	uint64_t *p = NULL;

	if (src->n_lat) {
		p = realloc(dst->lat_ns,
			    (dst->n_lat + src->n_lat) * sizeof(*p));
		if (!p) {
			inject__result_free(src);
			return -ENOMEM;
		}
		memcpy(p + dst->n_lat, src->lat_ns, src->n_lat * sizeof(*p));
		dst->lat_ns = p;
		dst->n_lat += src->n_lat;
		qsort(dst->lat_ns, dst->n_lat, sizeof(uint64_t), cmp_u64);
	}
	dst->injected += src->injected;
	dst->delivered += src->delivered;
	dst->lost += src->lost;
	dst->dup += src->dup;
	dst->reordered += src->reordered;
	dst->in_critical += src->in_critical;
	dst->ee_off += src->ee_off;
	dst->stalled += src->stalled;
	dst->retried += src->retried;
	dst->bad_log += src->bad_log;
	dst->outstanding += src->outstanding;
	dst->pending_at_stop += src->pending_at_stop;
	inject__result_free(src);
	return 0;
}

uint64_t inject__percentile(const struct inj_result *res, unsigned int pct)
{
	size_t i;

	if (!res->n_lat)
		return 0;
	i = res->n_lat * pct / 100;
	return res->lat_ns[i < res->n_lat ? i : res->n_lat - 1];
}

void inject__result_free(struct inj_result *res)
{
	free(res->lanes);
	res->lanes = NULL;
	free(res->lat_ns);
	res->lat_ns = NULL;
	res->n_lat = 0;
}
