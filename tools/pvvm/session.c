// SPDX-License-Identifier: GPL-2.0-or-later
/* session.c - one guest run: create, boot block, wait, finish. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pvvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PVVM_EXIT_USAGE;
}

int parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max,
	      uint64_t *out)
{
	char why[128];

	if (pvabi_u64_parse(text, min, max, out, why, sizeof(why)))
		return usage_error("%s: %s", opt, why);
	return 0;
}

static const char *const workloads[] = {
	[PVVM_WORK_DEMO] = "demo",
	[PVVM_WORK_MEASURE] = "measure",
	[PVVM_WORK_BUSY] = "busy",
	[PVVM_WORK_IDLE] = "idle",
	[PVVM_WORK_WINDOW] = "window",
	[PVVM_WORK_RANDOM_PAGE] = "random-page",
	[PVVM_WORK_CRITICAL_FOREVER] = "critical-forever",
	[PVVM_WORK_NOTIFY_FLIP] = "notify-flip",
	[PVVM_WORK_BAD_NEGOTIATE] = "bad-negotiate",
	[PVVM_WORK_RANDOM_LOG] = "random-log",
	[PVVM_WORK_EXC_SECTION] = "exception-in-section",
};

#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

int session__parse_workload(const char *name, enum pvvm_workload *out)
{
	for (size_t i = 0; i < NR_WORKLOADS; i++)
		if (!strcmp(name, workloads[i])) {
			*out = (enum pvvm_workload)i;
			return 0;
		}
	return usage_error("--guest '%s': expected demo, measure, busy, idle, "
			   "window, random-page, critical-forever, "
			   "notify-flip, bad-negotiate, random-log or "
			   "exception-in-section",
			   name);
}

const char *session__workload_name(enum pvvm_workload w)
{
	return (size_t)w < NR_WORKLOADS ? workloads[w] : "?";
}

bool session__hostile(enum pvvm_workload w)
{
	return w >= PVVM_WORK_RANDOM_PAGE && w <= PVVM_WORK_RANDOM_LOG;
}

void session__default(struct session *s)
{
	memset(s, 0, sizeof(*s));
	vm_config__default(&s->cfg);
	s->mode = PVVM_MODE_PV;
	s->workload = PVVM_WORK_DEMO;
	s->guest_min.major = 1;
	s->guest_max.major = 1;
	s->guest_max.minor = 0xffff;
	s->wanted = PVABI_F_NOTIFY;
	s->iterations = 1000;
	s->work = 8;
	s->window_spin = 2048; /* x 1024 TSC cycles: about a millisecond */
}

int session__create(const struct session *s, struct vm *vm, char *why,
		    size_t len)
{
	size_t size =
		(uintptr_t)pvvm_guest_image_end - (uintptr_t)pvvm_guest_image;
	struct pvvm_boot *b;
	int r;

	vcpu__signals_init();
	r = vm__new(vm, &s->cfg, why, len);
	if (r < 0)
		return r;
	r = vm__load_image(vm, pvvm_guest_image, size);
	if (r < 0) {
		snprintf(why, len, "guest image of %zu bytes: %s", size,
			 strerror(-r));
		vm__delete(vm);
		return r;
	}
	vm->cfg.deaf = session__hostile(s->workload);
	b = vm->boot;
	b->mode = s->mode;
	b->workload = s->workload;
	b->min_ver = pvabi_version_pack(s->guest_min);
	b->max_ver = pvabi_version_pack(s->guest_max);
	b->wanted = s->wanted;
	b->required = s->required;
	b->iterations = s->iterations;
	b->work = s->work;
	b->window_spin = s->window_spin;
	return 0;
}

int session__create_status(int err)
{
	return err == -ENOENT || err == -EACCES || err == -ENOTSUP ||
			       err == -ENXIO || err == -ENODEV
		       ? PVVM_EXIT_UNAVAILABLE
		       : PVVM_EXIT_FAIL;
}

static bool vcpu_settled(struct vm *vm, int i)
{
	struct vcpu *v = &vm->vcpus[i];

	return vcpu__error(v) || vcpu__is_done(v) || !v->running ||
	       __atomic_load_n(&vm->boot->vcpu[i].phase, __ATOMIC_ACQUIRE) !=
		       PVVM_PHASE_SETUP;
}

int session__wait_running(struct vm *vm)
{
	struct timespec ts = {0, 100000};

	for (int i = 0; i < vm->nr_vcpus; i++)
		while (!vcpu_settled(vm, i))
			nanosleep(&ts, NULL);
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vcpu__error(&vm->vcpus[i]))
			return vcpu__error(&vm->vcpus[i]);
	return 0;
}

int session__finish(struct vm *vm)
{
	struct timespec ts = {0, 1000000};
	bool all_done = false;

	/* A hostile guest would not listen: stop it from outside. */
	if (vm->cfg.deaf) {
		vm__stop(vm);
		return vm__wait(vm);
	}
	__atomic_store_n(&vm->boot->stop, 1, __ATOMIC_RELEASE);
	/* Kick until every guest has seen it: one that checked the flag just
	 * before it was set halts again and needs another. */
	for (int tries = 0; !all_done && tries < 5000; tries++) {
		all_done = true;
		for (int i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = &vm->vcpus[i];

			if (vcpu__is_done(v) || vcpu__error(v) || !v->running)
				continue;
			all_done = false;
			vcpu__kick(v);
		}
		if (!all_done)
			nanosleep(&ts, NULL);
	}
	if (!all_done) {
		fprintf(stderr,
			"pvvm: the guest did not finish; stopping it\n");
		vm__stop(vm);
	}
	return vm__wait(vm);
}
