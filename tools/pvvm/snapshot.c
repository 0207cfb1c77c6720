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

/* vCPU 0's thread, after each exit and the decision at it. */
static bool snapshot__should_stop(struct vcpu *v, void *opaque)
{
	const struct stop_point *p = opaque;
	struct pvabi_dlv_regs regs;
	bool inside;

	if (v->id != 0)
		return false;
	if (p->at == PVVM_SNAP_AT_EXITS)
		return v->st.exits >= p->exits;
	if (!v->pv)
		return false;
	regs = vcpu__dlv_regs(v);
	inside = regs.supervisor &&
		 (uint32_t)pvabi_ld64(PVABI_LE, &v->page->dlv.critical) ==
			 (uint32_t)regs.r1;
	if (p->at == PVVM_SNAP_AT_CRITICAL)
		return inside;
	return inside && (pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_DEFERRED);
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

static int vcpu_state(struct vcpu *v, struct pvvm_snap_vcpu *s)
{
	memset(s, 0, sizeof(*s));
	s->id = (uint32_t)v->id;
	if (v->pv) {
		s->flags |= PVVM_SNAP_PV;
		s->magic_gpa = v->magic.gpa;
		s->version = v->negotiated.version;
		s->features = v->negotiated.features;
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
	pthread_mutex_lock(&v->lock);
	pvabi_dlv_save(&v->dlv, now_ns(), &s->dlv);
	memcpy(s->page, v->page, PVABI_PAGE_SIZE);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static int snapshot__write(struct vm *vm, const char *path)
{
	struct pvvm_snap_header h;
	struct pvvm_snap_vcpu *s = malloc(sizeof(*s));
	FILE *f;
	int r = 0;

	if (!s)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PVVM_SNAP_MAGIC, sizeof(h.magic));
	h.version = PVVM_SNAP_VERSION;
	h.nr_vcpus = (uint32_t)vm->nr_vcpus;
	h.ram_size = vm->ram.size;
	h.vcpu_size = sizeof(*s);
	h.point = stop_point.at;
	h.offer = vm->cfg.offer;
	h.dlv_cfg = vm->cfg.dlv;
	h.arm = vm->cfg.arm;
	f = fopen(path, "wb");
	if (!f) {
		free(s);
		return -errno;
	}
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		r = -EIO;
	for (int i = 0; !r && i < vm->nr_vcpus; i++) {
		r = vcpu_state(&vm->vcpus[i], s);
		if (!r && fwrite(s, sizeof(*s), 1, f) != 1)
			r = -EIO;
	}
	if (!r && fwrite(vm->ram.hva, vm->ram.size, 1, f) != 1)
		r = -EIO;
	if (fclose(f) && !r)
		r = -EIO;
	free(s);
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

static int vcpu_load(struct vcpu *v, const struct pvvm_snap_vcpu *s, char *why,
		     size_t len)
{
#define bad(why, len, ...) (snprintf(why, len, __VA_ARGS__), -EINVAL)
	struct pvabi_result res = {s->version, s->features};
	int r;

	if (ioctl(v->fd, KVM_SET_SREGS, &s->sregs) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &s->regs) < 0 ||
	    ioctl(v->fd, KVM_SET_VCPU_EVENTS, &s->events) < 0)
		return bad(why, len, "vCPU %d: KVM refuses its registers",
			   v->id);
	if (s->flags & PVVM_SNAP_PV) {
		r = pvpage__restore(v, s->magic_gpa, s->notify_gpa, &res);
		if (r)
			return bad(why, len,
				   "vCPU %d: cannot map its pvabi pages",
				   v->id);
	}
	memcpy(v->page, s->page, PVABI_PAGE_SIZE);
	v->done = s->flags & PVVM_SNAP_DONE;
	r = irq__restore(v, &s->dlv);
	if (r)
		return bad(why, len, "vCPU %d: invalid delivery state", v->id);
	return 0;
#undef bad
}

int snapshot__load(const char *path, struct vm *vm, struct vm_config *cfg,
		   char *why, size_t len)
{
	struct pvvm_snap_header h;
	struct pvvm_snap_vcpu *s = NULL;
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	int r;

	if (!f) {
		snprintf(why, len, "%s", strerror(errno));
		return -EINVAL; /* bad input, not a KVM problem */
	}
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
	r = snapshot__check(buf, size, why, len);
	if (r)
		goto out;
	memcpy(&h, buf, sizeof(h));
	cfg->nr_vcpus = (int)h.nr_vcpus;
	cfg->offer = h.offer;
	cfg->dlv = h.dlv_cfg;
	cfg->arm = (enum pvvm_arm_mode)h.arm;
	r = vm__new(vm, cfg, why, len);
	if (r)
		goto out;
	memcpy(vm->ram.hva, buf + sizeof(h) + (size_t)h.nr_vcpus * h.vcpu_size,
	       h.ram_size);
	s = malloc(sizeof(*s));
	r = s ? 0 : -ENOMEM;
	for (uint32_t i = 0; !r && i < h.nr_vcpus; i++) {
		memcpy(s, buf + sizeof(h) + (size_t)i * h.vcpu_size,
		       sizeof(*s));
		r = vcpu_load(&vm->vcpus[i], s, why, len);
	}
	if (r)
		vm__delete(vm);
out:
	free(s);
	free(buf);
	return r;
}
