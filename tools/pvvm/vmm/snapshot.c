// SPDX-License-Identifier: GPL-2.0-or-later
/* snapshot.c - stop a VM at a chosen point, save it, load it (snapshot.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "snapshot.h"

struct stop_point {
	enum pvvm_snap_point at;
	uint64_t exits;
};

static struct stop_point stop_point;

static bool snapshot__reached(struct vcpu *v, void *opaque)
{
	const struct stop_point *p = opaque;
	struct pvabi_dlv_regs regs;
	bool inside;

	if (v->id != 0)
		return false;
	if (p->at == PVVM_SNAP_AT_EXITS)
		return v->st.exits >= p->exits;
	/* With a vector queued in KVM the thread runs the guest on before it
	 * parks (vcpu.c), maybe out of the section: not a stop point. */
	if (!v->pv || v->injected || v->entry_injected)
		return false;
	regs = vcpu__dlv_regs(v);
	inside = regs.supervisor &&
		 (uint32_t)pvabi_ld64(PVABI_LE, &v->page->dlv.critical) ==
			 (uint32_t)regs.r1;
	if (p->at == PVVM_SNAP_AT_CRITICAL)
		return inside;
	return inside && (pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_DEFERRED);
}

/* vCPU 0's thread, after each exit and the decision at it. */
static bool snapshot__should_stop(struct vcpu *v, void *opaque)
{
	/* Not with a vector handed to KVM: the thread would run the guest
	 * on to deliver it, past the point, before it stops. */
	if (v->injected || v->entry_injected || !snapshot__reached(v, opaque))
		return false;
	return true;
}

int snapshot__arm_stop(struct vm *vm, const char *point)
{
	char *end;

	if (!strcmp(point, "critical")) {
		stop_point.at = PVVM_SNAP_AT_CRITICAL;
	} else if (!strcmp(point, "deferred")) {
		stop_point.at = PVVM_SNAP_AT_DEFERRED;
	} else if (!strncmp(point, "exits:", 6)) {
		errno = 0;
		stop_point.exits = strtoull(point + 6, &end, 10);
		if (errno || end == point + 6 || *end || !stop_point.exits)
			return -EINVAL;
		stop_point.at = PVVM_SNAP_AT_EXITS;
	} else {
		return -EINVAL;
	}
	vm->stop_fn = snapshot__should_stop;
	vm->stop_opaque = &stop_point;
	return 0;
}

static int vcpu_state(struct vcpu *v, struct pvvm_snap_vcpu *s,
		      struct pvabi_state_vcpu *pv)
{
	memset(s, 0, sizeof(*s));
	s->id = (uint32_t)v->id;
	pv->abi.major = PVABI_VERSION_MAJOR;
	pv->abi.minor = 0;
	pv->features = 0;
	if (v->pv) {
		s->flags |= PVVM_SNAP_PV;
		s->magic_gpa = v->magic.gpa;
		pv->abi = v->negotiated.version;
		pv->features = v->negotiated.features;
		if (v->notify.hva) {
			s->flags |= PVVM_SNAP_NOTIFY;
			s->notify_gpa = v->notify.gpa;
		}
	}
	if (v->done)
		s->flags |= PVVM_SNAP_DONE;
	if (ioctl(v->fd, KVM_GET_REGS, &s->regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s->sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_VCPU_EVENTS, &s->events) < 0)
		return -errno;
	pv->page_order = PVABI_LE;
	pv->has_defer_bound = true;
	pthread_mutex_lock(&v->lock);
	/* A deferral lasts while the guest runs, not while it is saved. */
	pvabi_dlv_save(&v->dlv, v->stopped_ns, &pv->dlv);
	memcpy(&pv->page, v->page, PVABI_PAGE_SIZE);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static int snapshot__write(struct vm *vm, const char *path)
{
	struct pvvm_snap_header h;
	struct pvvm_snap_vcpu s[PVVM_MAX_VCPUS];
	struct pvabi_state st;
	void *stream = NULL;
	char why[256];
	long len = 0;
	FILE *f;
	int r;

	if (pvabi_state_init(&st, (pvabi_u32)vm->nr_vcpus))
		return -ENOMEM;
	r = 0;
	for (int i = 0; !r && i < vm->nr_vcpus; i++)
		r = vcpu_state(&vm->vcpus[i], &s[i], &st.vcpus[i]);
	if (!r) {
		len = pvabi_state_size(&st, PVABI_STATE_VERSION);
		stream = len > 0 ? malloc((size_t)len) : NULL;
		if (!stream || pvabi_state_write(&st, PVABI_STATE_VERSION,
						 PVABI_LE, stream, (size_t)len,
						 why, sizeof(why)) != len) {
			fprintf(stderr, "pvvm: the pvabi state: %s\n",
				stream ? why : "out of memory");
			r = -EINVAL;
		}
	}
	pvabi_state_free(&st);
	if (r) {
		free(stream);
		return r;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PVVM_SNAP_MAGIC, sizeof(h.magic));
	h.version = PVVM_SNAP_VERSION;
	h.nr_vcpus = (uint32_t)vm->nr_vcpus;
	h.ram_size = vm->ram.size;
	h.vcpu_size = sizeof(s[0]);
	h.point = stop_point.at;
	h.offer = vm->cfg.offer;
	h.dlv_cfg = vm->cfg.dlv;
	h.arm = vm->cfg.arm;
	h.pvabi_len = (uint64_t)len;
	f = fopen(path, "wb");
	if (!f) {
		free(stream);
		return -errno;
	}
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    fwrite(s, sizeof(s[0]), (size_t)vm->nr_vcpus, f) !=
		    (size_t)vm->nr_vcpus ||
	    fwrite(stream, (size_t)len, 1, f) != 1 ||
	    fwrite(vm->ram.hva, vm->ram.size, 1, f) != 1)
		r = -EIO;
	if (fclose(f) && !r)
		r = -EIO;
	free(stream);
	return r;
}

/*
 * Bring vCPU 0 to the stop point: kick it (an exit) while the window guest
 * lingers inside its critical section, or inject for "deferred"; any other
 * guest gets kicks at random until one lands inside a section.
 */
int snapshot__save_when_stopped(struct vm *vm, const char *path,
				uint64_t injections)
{
	struct vcpu *v = &vm->vcpus[0];
	struct timespec ts = {0, 200000};
	uint64_t deadline = now_ns() + 10000000000ull;
	uint32_t k = 0;
	int r;

	(void)injections;
	while (!vcpu__is_paused(v) && !vcpu__error(v) && !vcpu__is_done(v) &&
	       now_ns() < deadline) {
		bool window =
			__atomic_load_n(&vm->boot->vcpu[0].phase,
					__ATOMIC_ACQUIRE) == PVVM_PHASE_WINDOW;

		if (stop_point.at == PVVM_SNAP_AT_DEFERRED &&
		    (window || !pvabi_dlv_pending(&v->dlv)))
			irq__inject(v, PVVM_VECTOR_BASE + k++ % PVVM_VECTORS);
		else
			vcpu__kick(v); /* an exit, and a halted guest goes on */
		nanosleep(&ts, NULL);
	}
	if (!vcpu__is_paused(v)) {
		fprintf(stderr, "pvvm: the guest never reached the stop point "
				"(try --guest window)\n");
		vm__stop(vm);
		vm__wait(vm);
		return -ETIMEDOUT;
	}
	r = vm__wait(vm);
	if (!r)
		r = snapshot__write(vm, path);
	if (r)
		fprintf(stderr, "pvvm: saving to %s: %s\n", path, strerror(-r));
	else
		fprintf(stderr,
			"pvvm: saved to %s (vCPU 0 at rip 0x%llx, "
			"%u interrupts pending)\n",
			path, (unsigned long long)v->run->s.regs.regs.rip,
			pvabi_dlv_pending(&v->dlv));
	return r;
}

struct loader {
	struct vm *vm;
	const struct pvvm_snap_vcpu *s;
	const struct pvvm_snap_header *h;
	int error; /* a vCPU that could not be restored after all checks */
	char *why;
	size_t len;
};

/* Would vCPU @i take this?  Asked of every vCPU before any is restored;
 * the rest was checked with the file (snapshot_check.c). */
static int load_check(void *ctx, pvabi_u32 i, const struct pvabi_state_vcpu *pv,
		      char *why, size_t len)
{
	struct loader *l = ctx;
	struct pvabi_magic_page *scratch;
	struct pvabi_dlv d;
	struct pvabi_dlv_action a;
	int r;

	scratch = aligned_alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE);
	if (!scratch)
		return PVABI_E_NOMEM;
	memcpy(scratch, &pv->page, PVABI_PAGE_SIZE);
	r = pvabi_dlv_init(&d, scratch, PVABI_LE, &l->h->dlv_cfg);
	if (!r)
		r = pvabi_dlv_restore(&d, &pv->dlv, 0, &a);
	free(scratch);
	if (r)
		snprintf(why, len, "delivery state refused: %s",
			 pvabi_strerror(r));
	return r;
}

static void load_commit(void *ctx, pvabi_u32 i,
			const struct pvabi_state_vcpu *pv)
{
	struct loader *l = ctx;
	const struct pvvm_snap_vcpu *s = &l->s[i];
	struct vcpu *v = &l->vm->vcpus[i];
	struct pvabi_result res = {pv->abi, pv->features};
	int r;

	if (l->error)
		return;
	if (ioctl(v->fd, KVM_SET_SREGS, &s->sregs) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &s->regs) < 0 ||
	    ioctl(v->fd, KVM_SET_VCPU_EVENTS, &s->events) < 0) {
		l->error = snapshot__refuse(l->why, l->len,
					    "vCPU %d: KVM refuses its "
					    "registers",
					    v->id);
		return;
	}
	if (s->flags & PVVM_SNAP_PV) {
		r = pvpage__restore(v, s->magic_gpa, s->notify_gpa, &res);
		if (r) {
			l->error = snapshot__refuse(l->why, l->len,
						    "vCPU %d: cannot map its "
						    "pvabi pages",
						    v->id);
			return;
		}
	}
	memcpy(v->page, &pv->page, PVABI_PAGE_SIZE);
	v->done = s->flags & PVVM_SNAP_DONE;
	if (irq__restore(v, &pv->dlv))
		l->error = snapshot__refuse(l->why, l->len,
					    "vCPU %d: invalid delivery state",
					    v->id);
}

static const struct pvabi_state_target load_target = {load_check, load_commit};

static void expect(struct vm *vm, const struct pvabi_state *st,
		   struct pvvm_snap_expect *exp)
{
	memset(exp, 0, sizeof(*exp));
	for (int i = 0; i < vm->nr_vcpus; i++) {
		const struct pvabi_dlv_state *d = &st->vcpus[i].dlv;

		exp->n_pending[i] = d->n_pending;
		memcpy(exp->pending[i], d->pending, sizeof(exp->pending[i]));
		exp->log_head[i] = vm->boot->vcpu[i].log_head;
		exp->interrupts[i] = vm->boot->vcpu[i].interrupts;
		exp->forced[i] = d->stats.forced;
	}
}

int snapshot__load(const char *path, struct vm *vm, struct vm_config *cfg,
		   struct pvvm_snap_expect *exp, char *why, size_t len)
{
	struct pvvm_snap_header h;
	struct pvabi_state st;
	struct loader l = {NULL, NULL, &h, 0, why, len};
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	char text[256];
	int r;

	if (!f)
		return snapshot__refuse(why, len, "%s", strerror(errno));
	/* Read it whole, to check every size against the real length. */
	do {
		if (size == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 1 << 20;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + size, 1, cap - size, f);
		size += n;
	} while (n && size < (64u << 20));
	fclose(f);
	r = snapshot__check_state(buf, size, &st, why, len);
	if (r) {
		free(buf);
		return r;
	}
	memcpy(&h, buf, sizeof(h));
	l.s = (const struct pvvm_snap_vcpu *)(buf + sizeof(h));
	cfg->nr_vcpus = (int)h.nr_vcpus;
	cfg->offer = h.offer;
	cfg->dlv = h.dlv_cfg;
	cfg->arm = (enum pvvm_arm_mode)h.arm;
	r = vm__new(vm, cfg, why, len);
	if (r)
		goto out;
	l.vm = vm;
	memcpy(vm->ram.hva,
	       buf + sizeof(h) + (size_t)h.nr_vcpus * h.vcpu_size + h.pvabi_len,
	       h.ram_size);
	/* Every vCPU checked first, then all restored; a failure after the
	 * checks (KVM, mappings) drops the whole VM before it ran. */
	r = pvabi_state_restore(&st, &load_target, &l, text, sizeof(text));
	if (r)
		r = snapshot__refuse(why, len, "%s", text);
	else
		r = l.error;
	if (r)
		vm__delete(vm);
	else
		expect(vm, &st, exp);
out:
	pvabi_state_free(&st);
	free(buf);
	return r;
}

/* The guest logs in its handler, after the machine handed the vector to
 * KVM: give every vCPU up to 5 s to log what was pending at the save. */
static void wait_logged(struct vm *vm, const struct pvvm_snap_expect *exp)
{
	struct timespec ts = {0, 1000000};

	for (int tries = 0; tries < 5000; tries++) {
		bool all = true;

		for (int i = 0; i < vm->nr_vcpus; i++)
			all &= __atomic_load_n(&vm->boot->vcpu[i].log_head,
					       __ATOMIC_ACQUIRE) -
				       exp->log_head[i] >=
			       exp->n_pending[i];
		if (all)
			return;
		nanosleep(&ts, NULL);
	}
}

void snapshot__verify(struct vm *vm, const struct pvvm_snap_expect *exp,
		      struct pvvm_snap_verdict *c)
{
	memset(c, 0, sizeof(*c));
	c->ok = true;
	wait_logged(vm, exp);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct pvvm_vcpu_info *info = &vm->boot->vcpu[i];
		struct pvvm_log_entry *log =
			vm__gpa(vm, PVVM_LOG_GPA + (uint64_t)i * PVVM_LOG_SIZE,
				PVVM_LOG_SIZE);
		uint32_t head =
			__atomic_load_n(&info->log_head, __ATOMIC_ACQUIRE);
		uint32_t n = exp->n_pending[i], got = head - exp->log_head[i];
		uint32_t forced;

		pthread_mutex_lock(&v->lock);
		forced = (uint32_t)(v->dlv.stats.forced - exp->forced[i]);
		pthread_mutex_unlock(&v->lock);
		/* This process's count: doorbell stores that trapped here. */
		c->doorbell += (uint32_t)v->st.notify_mmio;
		c->pending += n;
		c->forced += forced;
		c->counted += info->interrupts - exp->interrupts[i];
		/* The guest's log: the saved vectors first, in order. */
		for (uint32_t k = 0; k < n && k < got; k++) {
			struct pvvm_log_entry e =
				log[(exp->log_head[i] + k) % PVVM_LOG_ENTRIES];

			if (e.vector != exp->pending[i][k])
				break;
			c->in_order++;
			if (e.flags & PVVM_LOG_IN_CRITICAL)
				c->in_critical++;
		}
		/* Inside a section only what the bound forced. */
		c->ok &= c->in_critical <= c->forced;
		/* The guest counted what it logged. */
		c->ok &= info->interrupts - exp->interrupts[i] == got;
	}
	c->ok &= c->in_order == c->pending;
}
