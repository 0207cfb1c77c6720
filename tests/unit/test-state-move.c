// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A guest moves between two hosts while an interrupt is held back inside
 * its critical section.  Each host runs the real delivery state machine;
 * the guest is the step interpreter of tools/sim.  The stream between them
 * is written and read by libpvabi.  The interrupt must arrive on the
 * destination exactly when the guest leaves its critical section (at its
 * doorbell store), not before and not later, in the order injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"
#include "guest.h"

#define NCPU 2
#define R1   0xc0000000017ffe90ull
#define R2   0x0000000000c0ffeeull
#define BUF  (NCPU * 8192)

struct vcpu {
	struct pvabi_magic_page page __attribute__((aligned(4096)));
	struct pvabi_notify_page np __attribute__((aligned(4096)));
	struct pvabi_dlv d;
	struct pvsim_guest g;
	bool armed;
	pvabi_u32 got[8];
	unsigned n_got;
	int got_at_pc; /* guest step at the first delivery */
	bool bad;      /* delivered where the guest could not take it */
};

struct host {
	struct vcpu cpu[NCPU];
	pvabi_u64 now;
};

static struct host src, dst;

static void host_init(struct host *h, pvabi_u64 now)
{
	struct pvabi_dlv_config cfg;

	memset(h, 0, sizeof(*h));
	h->now = now;
	pvabi_dlv_config_default(&cfg);
	for (int i = 0; i < NCPU; i++) {
		struct vcpu *c = &h->cpu[i];

		assert_int_equal(
			pvabi_dlv_init(&c->d, &c->page, PVABI_BE, &cfg), 0);
		pvsim_guest_init(&c->g, &c->page, &c->np.doorbell, PVABI_BE,
				 R1 + 0x1000 * (pvabi_u64)i, R2);
		c->got_at_pc = -1;
	}
}

static void perform(struct host *h, struct vcpu *c,
		    struct pvabi_dlv_action *act)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&c->g);

	for (;;) {
		if (act->flags & PVABI_DLV_DISARM)
			c->armed = false;
		if (act->flags & PVABI_DLV_ARM)
			c->armed = true;
		if (!(act->flags & PVABI_DLV_DELIVER))
			return;
		c->bad |= !pvsim_guest_can_take(&c->g);
		if (c->got_at_pc < 0)
			c->got_at_pc = (int)c->g.pc;
		assert_true(c->n_got < 8);
		c->got[c->n_got++] = act->vector;
		assert_int_equal(pvabi_dlv_entry(&c->d, &regs, h->now, act), 0);
	}
}

static void inject(struct host *h, struct vcpu *c, pvabi_u32 vec)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&c->g);
	struct pvabi_dlv_action act;

	assert_true(pvabi_dlv_inject(&c->d, vec, h->now, &act) >= 0);
	if (!(act.flags & PVABI_DLV_KICK))
		return;
	assert_int_equal(pvabi_dlv_exit(&c->d, &regs, h->now, &act), 0);
	perform(h, c, &act);
}

/* One guest step with the traps a CPU would take; false when done. */
static bool step(struct host *h, struct vcpu *c)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&c->g);
	struct pvabi_dlv_action act;
	enum pvsim_step s;

	if (pvsim_guest_next(&c->g) == PVSIM_DOORBELL && c->armed) {
		assert_int_equal(
			pvabi_dlv_notify_trap(&c->d, &regs, h->now, &act), 0);
		perform(h, c, &act);
	}
	s = pvsim_guest_step(&c->g);
	if (s == PVSIM_STEP_TRAP) {
		assert_int_equal(pvabi_dlv_exit(&c->d, &regs, h->now, &act), 0);
		perform(h, c, &act);
	}
	return s != PVSIM_STEP_DONE;
}

/* The source: vCPU 0 enables interrupts (wrteei 1) and is stopped after
 * it read int_pending inside the critical section; two interrupts arrive
 * and are deferred.  vCPU 1 idles with one delivered earlier. */
static void source_run(void)
{
	struct vcpu *c0 = &src.cpu[0], *c1 = &src.cpu[1];

	host_init(&src, 1000);
	inject(&src, c1, 0x900);
	assert_int_equal(c1->n_got, 1);

	pvsim_guest_start(&c0->g, pvsim_wrteei_1);
	while (pvsim_guest_next(&c0->g) != PVSIM_RESTORE)
		step(&src, c0);
	assert_true(c0->g.in_cs);
	inject(&src, c0, 0x500);
	src.now += 300;
	inject(&src, c0, 0x502);
	assert_int_equal(c0->n_got, 0);
	assert_true(c0->armed);
	src.now += 200;
}

static long save(struct host *h, pvabi_u32 version, unsigned char *out)
{
	struct pvabi_state st;
	char why[256] = "";
	long n;

	assert_int_equal(pvabi_state_init(&st, NCPU), 0);
	for (int i = 0; i < NCPU; i++) {
		struct pvabi_state_vcpu *v = &st.vcpus[i];

		memcpy(&v->page, &h->cpu[i].page, sizeof(v->page));
		v->abi = (struct pvabi_version){1, 0};
		v->features = PVABI_F_NOTIFY;
		v->page_order = PVABI_BE;
		assert_int_equal(pvabi_dlv_save(&h->cpu[i].d, h->now, &v->dlv),
				 0);
		v->has_defer_bound = true;
	}
	n = pvabi_state_write(&st, version, PVABI_LE, out, BUF, why,
			      sizeof(why));
	pvabi_state_free(&st);
	if (n < 0)
		fail_msg("save: %s", why);
	return n;
}

/* The destination's restore target: check on a scratch machine, commit
 * into the vCPU. */
static int dst_check(void *ctx, pvabi_u32 i, const struct pvabi_state_vcpu *v,
		     char *why, size_t whylen)
{
	struct host *h = ctx;
	static struct pvabi_magic_page scratch_page;
	struct pvabi_dlv scratch = h->cpu[i].d;
	struct pvabi_dlv_action act;
	int err;

	scratch.page = &scratch_page;
	err = pvabi_dlv_restore(&scratch, &v->dlv, h->now, &act);
	if (err)
		snprintf(why, whylen, "delivery state refused: %s",
			 pvabi_strerror(err));
	return err;
}

static void dst_commit(void *ctx, pvabi_u32 i, const struct pvabi_state_vcpu *v)
{
	struct host *h = ctx;
	struct vcpu *c = &h->cpu[i];
	struct pvabi_dlv_action act;

	memcpy(&c->page, &v->page, sizeof(c->page));
	assert_int_equal(pvabi_dlv_restore(&c->d, &v->dlv, h->now, &act), 0);
	/* Arm before the vCPU runs; the kick is the first entry's decision,
	 * made by the next step. */
	act.flags &= ~(PVABI_DLV_KICK | PVABI_DLV_TIMER);
	perform(h, c, &act);
}

static const struct pvabi_state_target dst_target = {dst_check, dst_commit};

static void load(struct host *h, const unsigned char *buf, long n)
{
	struct pvabi_state st;
	char why[256] = "";

	assert_int_equal(
		pvabi_state_read(buf, (size_t)n, &st, why, sizeof(why)), 0);
	if (pvabi_state_restore(&st, &dst_target, h, why, sizeof(why)))
		fail_msg("restore: %s", why);
	pvabi_state_free(&st);
	/* The guest's CPU state travels beside the stream. */
	for (int i = 0; i < NCPU; i++) {
		h->cpu[i].g = src.cpu[i].g;
		h->cpu[i].g.page = &h->cpu[i].page;
		h->cpu[i].g.doorbell = &h->cpu[i].np.doorbell;
	}
}

static void move(pvabi_u32 version)
{
	static unsigned char a[BUF], b[BUF];
	struct vcpu *c0 = &dst.cpu[0];
	long n, m;

	source_run();
	n = save(&src, version, a);
	host_init(&dst, 90000000);
	load(&dst, a, n);
	assert_true(c0->armed);
	assert_int_equal(pvabi_dlv_pending(&c0->d), 2);

	/* save -> load -> save: the same bytes (v2 keeps the deferral's
	 * age; the clocks differ, the age does not). */
	m = save(&dst, version, b);
	assert_int_equal(m, n);
	assert_memory_equal(a, b, (size_t)n);

	/* Still inside: restore the scratch registers, nothing delivered. */
	assert_int_equal(pvsim_guest_next(&c0->g), PVSIM_RESTORE);
	step(&dst, c0);
	assert_int_equal(c0->n_got, 0);
	while (step(&dst, c0))
		;
	/* Delivered at the doorbell store right after LEAVE, in order. */
	assert_false(c0->bad);
	assert_int_equal(c0->n_got, 2);
	assert_int_equal(c0->got[0], 0x500);
	assert_int_equal(c0->got[1], 0x502);
	assert_int_equal(c0->got_at_pc, (int)pvsim_wrteei_1->n - 1);
	assert_int_equal(pvsim_wrteei_1->op[c0->got_at_pc], PVSIM_DOORBELL);
	assert_int_equal(pvsim_wrteei_1->op[c0->got_at_pc - 2], PVSIM_LEAVE);
	assert_false(c0->armed);
	assert_int_equal(pvabi_ld64(PVABI_BE, &c0->page.dlv.delivered), 2);
	assert_int_equal(pvabi_ld64(PVABI_BE, &c0->page.dlv.notify_traps), 1);
	/* vCPU 1 came across with its counters. */
	assert_int_equal(pvabi_ld64(PVABI_BE, &dst.cpu[1].page.dlv.delivered),
			 1);
	assert_int_equal(dst.cpu[1].n_got, 0);
}

static void test_move_v2(void **state)
{
	move(2);
}

/* The older stream drops the deferral's age; delivery is the same. */
static void test_move_v1(void **state)
{
	move(1);
}

/* A destination that refuses one vCPU's delivery state restores none. */
static void test_refused_restores_none(void **state)
{
	static unsigned char a[BUF];
	struct pvabi_state st;
	struct pvabi_dlv before;
	char why[256] = "";
	long n;

	source_run();
	n = save(&src, 2, a);
	host_init(&dst, 5);
	before = dst.cpu[0].d;
	assert_int_equal(pvabi_state_read(a, (size_t)n, &st, NULL, 0), 0);
	/* Armed but not deferred: the format allows the bits, the machine
	 * does not. */
	st.vcpus[1].dlv.flags = PVABI_DLV_S_ARMED;
	assert_int_equal(
		pvabi_state_restore(&st, &dst_target, &dst, why, sizeof(why)),
		PVABI_E_MALFORMED);
	assert_string_equal(why,
			    "vCPU 1: delivery state refused: malformed input");
	assert_memory_equal(&dst.cpu[0].d, &before, sizeof(before));
	assert_false(dst.cpu[0].armed);
	pvabi_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_v2),
		cmocka_unit_test(test_move_v1),
		cmocka_unit_test(test_refused_restores_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
