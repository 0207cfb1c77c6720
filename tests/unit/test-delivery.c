// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The delivery state machine against every template, exhaustively: one
 * injection before every step, two injections before every pair of steps,
 * both byte orders, with and without the notification page.  Plus the
 * queue, the bound, and save/restore.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"
#include "guest.h"

#define R1 0x00007ffff0001230ull
#define R2 0x0000000000c0ffeeull
/* Guest steps a deferred vector may wait after the guest left its critical
 * section with interrupts on: the trap step and the doorbell store. */
#define LAG_BOUND 2
#define MAX_VEC	  40

struct rig {
	struct pvabi_magic_page page __attribute__((aligned(4096)));
	struct pvabi_notify_page np __attribute__((aligned(4096)));
	struct pvabi_dlv d;
	struct pvsim_guest g;
	bool armed;
	pvabi_u32 got[MAX_VEC];
	unsigned n_got;
	unsigned forced;
	unsigned bad; /* delivered where the guest could not take it */
	unsigned lag, max_lag;
	pvabi_u64 now;
};

static struct rig rig;
/* The memory-only predicate's runs: its flag, and the guest leaves its
 * sections by storing 0 (PVABI_F_NESTING). */
static pvabi_u32 rig_cfg_extra;
static pvabi_u64 rig_r2 = R2;

static void rig_init(struct rig *r, enum pvabi_byte_order bo, bool notify)
{
	struct pvabi_dlv_config cfg;

	memset(r, 0, sizeof(*r));
	pvabi_dlv_config_default(&cfg);
	cfg.flags |= rig_cfg_extra;
	if (!notify)
		cfg.flags &= ~PVABI_DLV_CFG_NOTIFY;
	assert_int_equal(pvabi_dlv_init(&r->d, &r->page, bo, &cfg), 0);
	pvsim_guest_init(&r->g, &r->page, &r->np.doorbell, bo, R1, rig_r2);
}

static void perform(struct rig *r, struct pvabi_dlv_action *act)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&r->g);

	for (;;) {
		if (act->flags & PVABI_DLV_DISARM)
			r->armed = false;
		if (act->flags & PVABI_DLV_ARM)
			r->armed = true;
		if (!(act->flags & PVABI_DLV_DELIVER))
			return;
		if (act->flags & PVABI_DLV_FORCED)
			r->forced++;
		else if (!pvsim_guest_can_take(&r->g))
			r->bad++;
		assert_true(r->n_got < MAX_VEC);
		r->got[r->n_got++] = act->vector;
		/* The interrupt handler returns at once: drain. */
		assert_int_equal(pvabi_dlv_entry(&r->d, &regs, r->now, act), 0);
	}
}

static void exit_now(struct rig *r)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&r->g);
	struct pvabi_dlv_action act;

	assert_int_equal(pvabi_dlv_exit(&r->d, &regs, r->now, &act), 0);
	perform(r, &act);
}

static void inject(struct rig *r, pvabi_u32 vec)
{
	struct pvabi_dlv_action act;

	assert_int_equal(pvabi_dlv_inject(&r->d, vec, r->now, &act), 0);
	/* A kick lands on the instruction boundary where the guest is. */
	if (act.flags & PVABI_DLV_KICK)
		exit_now(r);
}

/* One guest step, with the traps a real CPU would take. */
static bool step(struct rig *r)
{
	struct pvsim_guest *g = &r->g;
	enum pvsim_step s;

	if (pvsim_guest_next(g) == PVSIM_DOORBELL && r->armed) {
		struct pvabi_dlv_regs regs = pvsim_guest_regs(g);
		struct pvabi_dlv_action act;

		assert_int_equal(
			pvabi_dlv_notify_trap(&r->d, &regs, r->now, &act), 0);
		perform(r, &act);
		assert_false(r->armed); /* the store now goes through */
	}
	s = pvsim_guest_step(g);
	if (s == PVSIM_STEP_TRAP)
		exit_now(r);
	if (pvabi_dlv_pending(&r->d) && g->ee && !g->in_cs) {
		if (++r->lag > r->max_lag)
			r->max_lag = r->lag;
	} else {
		r->lag = 0;
	}
	return s != PVSIM_STEP_DONE;
}

/*
 * Run template t, injecting vector k+1 before step at[k] (at[k] == t->n:
 * after the last step).  Then, if the template left interrupts off, the
 * guest turns them on (wrteei 1) and idles: no more exits.
 */
static void run(struct rig *r, const struct pvsim_template *t,
		const unsigned *at, unsigned n_at)
{
	unsigned pc = 0, k = 0;
	bool more = true;

	pvsim_guest_start(&r->g, t);
	while (more) {
		while (k < n_at && at[k] == pc)
			inject(r, ++k);
		more = step(r);
		pc++;
	}
	while (k < n_at)
		inject(r, ++k);
	if (!r->g.ee) {
		pvsim_guest_start(&r->g, pvsim_wrteei_1);
		while (step(r))
			;
	}
}

static void expect_all(struct rig *r, unsigned n, const char *what)
{
	if (r->n_got != n || r->bad || r->forced || r->max_lag > LAG_BOUND)
		fail_msg("%s: delivered %u of %u, %u where the guest could "
			 "not take it, %u forced, lag %u",
			 what, r->n_got, n, r->bad, r->forced, r->max_lag);
	for (unsigned i = 0; i < n; i++)
		if (r->got[i] != i + 1)
			fail_msg("%s: delivery %u was vector %u", what, i,
				 r->got[i]);
	assert_int_equal(pvabi_dlv_pending(&r->d), 0);
	assert_int_equal(pvabi_dlv_flags(&r->d), 0);
	assert_false(r->armed);
	assert_int_equal(pvabi_ld32(r->d.bo, &r->page.dlv.int_pending), 0);
	assert_int_equal(pvabi_ld64(r->d.bo, &r->page.dlv.delivered), n);
}

static void each_template(enum pvabi_byte_order bo, bool start_ee)
{
	char what[128];

	for (unsigned ti = 0; ti < pvsim_n_templates; ti++) {
		const struct pvsim_template *t = &pvsim_templates[ti];

		for (unsigned a = 0; a <= t->n; a++) {
			unsigned at[1] = {a};

			rig_init(&rig, bo, true);
			if (!start_ee) {
				pvsim_guest_start(&rig.g, &pvsim_templates[1]);
				while (step(&rig))
					;
			}
			snprintf(what, sizeof(what), "%s, EE %d, inject at %u",
				 t->name, start_ee, a);
			run(&rig, t, at, 1);
			expect_all(&rig, 1, what);
		}
		for (unsigned a = 0; a <= t->n; a++)
			for (unsigned b = a; b <= t->n; b++) {
				unsigned at[2] = {a, b};

				rig_init(&rig, bo, true);
				if (!start_ee) {
					pvsim_guest_start(&rig.g,
							  &pvsim_templates[1]);
					while (step(&rig))
						;
				}
				snprintf(what, sizeof(what),
					 "%s, EE %d, inject at %u and %u",
					 t->name, start_ee, a, b);
				run(&rig, t, at, 2);
				expect_all(&rig, 2, what);
			}
	}
}

static void test_every_step_le(void **state)
{
	each_template(PVABI_LE, true);
	each_template(PVABI_LE, false);
}

static void test_every_step_be(void **state)
{
	each_template(PVABI_BE, true);
	each_template(PVABI_BE, false);
}

/* The memory-only predicate (a backend without the guest's registers)
 * with a guest that leaves by storing 0: the same guarantees at every
 * step of every template. */
static void test_every_step_memory(void **state)
{
	rig_cfg_extra = PVABI_DLV_CFG_MEMORY;
	rig_r2 = 0;
	each_template(PVABI_LE, true);
	each_template(PVABI_LE, false);
	each_template(PVABI_BE, true);
	each_template(PVABI_BE, false);
	rig_cfg_extra = 0;
	rig_r2 = R2;
}

/* Under the memory-only predicate the registers do not matter: critical
 * != 0 is inside even in problem state or with another r1, and 0 is
 * outside whatever r1 is; a 1.0 guest that leaves with r2 stays "inside"
 * until the bound forces, which is why the host asks for PVABI_F_NESTING. */
static void test_memory_predicate(void **state)
{
	struct pvabi_dlv_config cfg = {.flags = PVABI_DLV_CFG_NOTIFY |
						PVABI_DLV_CFG_MEMORY,
				       .bound_exits = 3};
	struct pvabi_dlv_regs user = {.r1 = 0x999, .supervisor = 0};
	struct pvabi_dlv_action act;

	memset(&rig, 0, sizeof(rig));
	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, PVABI_LE, &cfg), 0);
	pvabi_st32(PVABI_LE, &rig.page.dlv.irq_enabled, 1);
	pvabi_st64(PVABI_LE, &rig.page.dlv.critical, R2);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 7, 0, &act), 0);
	assert_int_equal(pvabi_dlv_exit(&rig.d, &user, 0, &act), 0);
	assert_int_equal(act.flags, PVABI_DLV_ARM);
	int held = 0;
	for (; held < 10; held++) {
		assert_int_equal(pvabi_dlv_exit(&rig.d, &user, 0, &act), 0);
		if (act.flags & PVABI_DLV_DELIVER)
			break;
	}
	assert_int_equal(held, 2);
	assert_int_equal(act.flags & (PVABI_DLV_DELIVER | PVABI_DLV_FORCED),
			 PVABI_DLV_DELIVER | PVABI_DLV_FORCED);

	pvabi_st64(PVABI_LE, &rig.page.dlv.critical, 0);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 8, 0, &act), 0);
	assert_int_equal(pvabi_dlv_exit(&rig.d, &user, 0, &act), 0);
	assert_int_equal(act.flags & PVABI_DLV_DELIVER, PVABI_DLV_DELIVER);
	assert_int_equal(act.vector, 8);
	assert_false(act.flags & PVABI_DLV_FORCED);
}

/* Without the notification page the seed's race is there: an injection
 * after the int_pending load and before critical = r2 is stranded on an
 * idle guest; everywhere else it is delivered. */
static void test_seed_race_without_notify(void **state)
{
	const struct pvsim_template *t = pvsim_wrteei_1;
	unsigned stranded = 0;

	for (unsigned a = 0; a <= t->n; a++) {
		unsigned at[1] = {a};
		/* CHECK (step 3) has run, LEAVE (step 5) has not. */
		bool after_check = a == 4 || a == 5;

		rig_init(&rig, PVABI_LE, false);
		run(&rig, t, at, 1);
		assert_false(rig.armed);
		if (after_check) {
			assert_int_equal(rig.n_got, 0);
			assert_int_equal(pvabi_dlv_pending(&rig.d), 1);
			assert_int_equal(pvabi_dlv_flags(&rig.d),
					 PVABI_DLV_S_DEFERRED);
			stranded++;
		} else {
			assert_int_equal(rig.n_got, 1);
		}
	}
	assert_int_equal(t->op[3], PVSIM_CHECK);
	assert_int_equal(t->op[4], PVSIM_RESTORE);
	assert_int_equal(t->op[5], PVSIM_LEAVE);
	assert_int_equal(stranded, 2);
}

static void test_queue_order_coalesce_full(void **state)
{
	struct pvabi_dlv_action act;
	struct pvabi_dlv_stats st;

	rig_init(&rig, PVABI_LE, true);
	pvabi_st32(PVABI_LE, &rig.page.dlv.irq_enabled, 0);
	rig.g.ee = 0;
	for (pvabi_u32 v = 100; v < 100 + PVABI_DLV_QUEUE_LEN; v++) {
		assert_int_equal(pvabi_dlv_inject(&rig.d, v, 0, &act), 0);
		assert_int_equal(act.flags, v == 100 ? PVABI_DLV_KICK : 0);
	}
	assert_int_equal(pvabi_dlv_inject(&rig.d, 117, 0, &act), 1);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 999, 0, &act), PVABI_E_BUSY);
	assert_int_equal(pvabi_dlv_pending(&rig.d), PVABI_DLV_QUEUE_LEN);
	exit_now(&rig); /* masked: nothing */
	assert_int_equal(rig.n_got, 0);
	assert_int_equal(pvabi_ld32(PVABI_LE, &rig.page.dlv.int_pending), 1);
	pvabi_st32(PVABI_LE, &rig.page.dlv.irq_enabled, 1);
	rig.g.ee = 1;
	exit_now(&rig);
	assert_int_equal(rig.n_got, PVABI_DLV_QUEUE_LEN);
	pvabi_dlv_get_stats(&rig.d, &st);
	assert_int_equal(st.coalesced, 1);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.injected, PVABI_DLV_QUEUE_LEN);
	assert_int_equal(st.masked, 1);
	for (unsigned i = 0; i < PVABI_DLV_QUEUE_LEN; i++)
		assert_int_equal(rig.got[i], 100 + i);
}

static void test_bad_args(void **state)
{
	struct pvabi_dlv_config cfg = {.flags = 1u << 31};
	struct pvabi_dlv_action act;
	struct pvabi_dlv_regs regs = {0};

	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, PVABI_LE, &cfg),
			 PVABI_E_INVAL);
	cfg.flags = 0;
	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, 3, &cfg),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_init(NULL, &rig.page, PVABI_LE, &cfg),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_init(&rig.d, NULL, PVABI_LE, &cfg),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, PVABI_LE, &cfg), 0);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 1, 0, NULL), PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_exit(&rig.d, NULL, 0, &act), PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_entry(NULL, &regs, 0, &act), PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_notify_trap(&rig.d, &regs, 0, NULL),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_tick(NULL, 0, &act), PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_save(&rig.d, 0, NULL), PVABI_E_INVAL);
	assert_int_equal(pvabi_dlv_restore(&rig.d, NULL, 0, &act),
			 PVABI_E_INVAL);
}

/* A guest that enters a critical section and never leaves. */
static void hold_critical(struct rig *r)
{
	pvsim_guest_start(&r->g, pvsim_wrteei_1);
	assert_int_equal(pvsim_guest_step(&r->g), PVSIM_STEP_NEXT);
	assert_true(r->g.in_cs);
}

static void test_bound_exits(void **state)
{
	struct pvabi_dlv_stats st;

	rig_init(&rig, PVABI_BE, true);
	hold_critical(&rig);
	inject(&rig, 7); /* kick, exit: deferred, armed */
	assert_true(rig.armed);
	for (unsigned i = 1; i < 64; i++)
		exit_now(&rig);
	assert_int_equal(rig.n_got, 0);
	exit_now(&rig); /* the 64th exit while deferred */
	assert_int_equal(rig.n_got, 1);
	assert_int_equal(rig.forced, 1);
	assert_false(rig.armed);
	pvabi_dlv_get_stats(&rig.d, &st);
	assert_int_equal(st.forced, 1);
	assert_int_equal(st.deferred, 1);
	assert_int_equal(pvabi_ld64(PVABI_BE, &rig.page.dlv.forced), 1);
	assert_int_equal(pvabi_ld64(PVABI_BE, &rig.page.dlv.deferred), 1);
}

static void test_bound_time(void **state)
{
	struct pvabi_dlv_config cfg = {.flags = PVABI_DLV_CFG_NOTIFY,
				       .bound_ns = 1000};
	struct pvabi_dlv_action act;

	rig_init(&rig, PVABI_LE, true);
	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, PVABI_LE, &cfg), 0);
	hold_critical(&rig);
	rig.now = 5000;
	inject(&rig, 1);
	assert_int_equal(pvabi_dlv_tick(&rig.d, 5999, &act), 0);
	assert_int_equal(act.flags, PVABI_DLV_TIMER);
	assert_int_equal(act.deadline_ns, 6000);
	/* A clock that went backwards is no reason to force. */
	rig.now = 10;
	exit_now(&rig);
	assert_int_equal(rig.n_got, 0);
	assert_int_equal(pvabi_dlv_tick(&rig.d, 6000, &act), 0);
	assert_int_equal(act.flags, PVABI_DLV_KICK);
	rig.now = 6000;
	exit_now(&rig);
	assert_int_equal(rig.n_got, 1);
	assert_int_equal(rig.forced, 1);
	assert_int_equal(pvabi_dlv_tick(&rig.d, 7000, &act), 0);
	assert_int_equal(act.flags, 0);
}

/* Garbage in the guest's fields: only ever compared. */
static void test_hostile_fields(void **state)
{
	struct pvabi_dlv_regs user = {.r1 = R1, .supervisor = 0};
	struct pvabi_dlv_action act;

	rig_init(&rig, PVABI_LE, true);
	pvabi_st32(PVABI_LE, &rig.page.dlv.irq_enabled, 0xdeadbeef);
	pvabi_st64(PVABI_LE, &rig.page.dlv.critical, ~0ull);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 1, 0, &act), 0);
	exit_now(&rig);
	assert_int_equal(rig.n_got, 1);
	/* critical == r1 means nothing in user mode. */
	pvabi_st64(PVABI_LE, &rig.page.dlv.critical, R1);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 2, 0, &act), 0);
	assert_int_equal(pvabi_dlv_exit(&rig.d, &user, 0, &act), 0);
	assert_int_equal(act.flags, PVABI_DLV_DELIVER);
	assert_int_equal(act.vector, 2);
}

static void test_guest32(void **state)
{
	struct pvabi_dlv_config cfg = {.flags = PVABI_DLV_CFG_NOTIFY |
						PVABI_DLV_CFG_GUEST32};
	struct pvabi_dlv_regs regs = {.r1 = 0x1234, .supervisor = 1};
	struct pvabi_dlv_action act;

	assert_int_equal(pvabi_dlv_init(&rig.d, &rig.page, PVABI_BE, &cfg), 0);
	pvabi_st32(PVABI_BE, &rig.page.dlv.irq_enabled, 1);
	pvabi_st64(PVABI_BE, &rig.page.dlv.critical, 0xffffffff00001234ull);
	assert_int_equal(pvabi_dlv_inject(&rig.d, 1, 0, &act), 0);
	assert_int_equal(pvabi_dlv_exit(&rig.d, &regs, 0, &act), 0);
	assert_int_equal(act.flags, PVABI_DLV_ARM);
}

/* Migrate in the middle of a deferral: the destination arms its page and
 * the guest's doorbell store delivers there. */
static void test_save_restore(void **state)
{
	static struct rig dst;
	struct pvabi_dlv_state st, st2;
	struct pvabi_dlv_action act;

	rig_init(&rig, PVABI_BE, true);
	pvsim_guest_start(&rig.g, pvsim_wrteei_1);
	for (unsigned i = 0; i < 4; i++) /* through CHECK */
		pvsim_guest_step(&rig.g);
	rig.now = 1000;
	inject(&rig, 1);
	inject(&rig, 2);
	assert_true(rig.armed);
	assert_int_equal(pvabi_dlv_save(&rig.d, 1500, &st), 0);
	assert_int_equal(st.n_pending, 2);
	assert_int_equal(st.pending[0], 1);
	assert_int_equal(st.pending[1], 2);
	assert_int_equal(st.flags, PVABI_DLV_S_DEFERRED | PVABI_DLV_S_ARMED);
	assert_int_equal(st.deferred_ns, 500);
	assert_int_equal(st.stats.deferred, 1);

	rig_init(&dst, PVABI_BE, true);
	memcpy(&dst.page, &rig.page, sizeof(dst.page));
	dst.g = rig.g;
	dst.g.page = &dst.page;
	dst.g.doorbell = &dst.np.doorbell;
	assert_int_equal(pvabi_dlv_restore(&dst.d, &st, 90000, &act), 0);
	assert_int_equal(act.flags,
			 PVABI_DLV_ARM | PVABI_DLV_TIMER | PVABI_DLV_KICK);
	assert_int_equal(act.deadline_ns, 90000 - 500 + 10000000);
	perform(&dst, &act);
	assert_true(dst.armed);
	assert_int_equal(pvabi_dlv_save(&dst.d, 90000, &st2), 0);
	assert_memory_equal(&st, &st2, sizeof(st));
	while (step(&dst))
		;
	assert_int_equal(dst.n_got, 2);
	assert_int_equal(dst.got[0], 1);
	assert_int_equal(dst.got[1], 2);
	assert_false(dst.armed);
}

static void test_restore_refuses(void **state)
{
	struct pvabi_dlv_state good, bad;
	struct pvabi_dlv_action act;
	struct pvabi_dlv before;

	rig_init(&rig, PVABI_LE, true);
	memset(&good, 0, sizeof(good));
	good.n_pending = 2;
	good.pending[0] = 5;
	good.pending[1] = 6;
	good.flags = PVABI_DLV_S_DEFERRED;
	good.deferred_exits = 3;
	before = rig.d;
#define REFUSE(mutate)                                                         \
	do {                                                                   \
		bad = good;                                                    \
		mutate;                                                        \
		assert_int_equal(pvabi_dlv_restore(&rig.d, &bad, 0, &act),     \
				 PVABI_E_MALFORMED);                           \
		assert_memory_equal(&rig.d, &before, sizeof(before));          \
	} while (0)
	REFUSE(bad.n_pending = PVABI_DLV_QUEUE_LEN + 1);
	REFUSE(bad.pending[1] = 5);
	REFUSE(bad.pending[2] = 9);
	REFUSE(bad.flags |= 1u << 7);
	REFUSE(bad.reserved = 1);
	REFUSE(bad.flags = PVABI_DLV_S_ARMED);
	REFUSE((bad.n_pending = 0, bad.pending[0] = bad.pending[1] = 0));
	REFUSE(bad.flags = 0);
#undef REFUSE
	assert_int_equal(pvabi_dlv_restore(&rig.d, &good, 0, &act), 0);
	assert_int_equal(pvabi_dlv_pending(&rig.d), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_step_le),
		cmocka_unit_test(test_every_step_be),
		cmocka_unit_test(test_every_step_memory),
		cmocka_unit_test(test_memory_predicate),
		cmocka_unit_test(test_seed_race_without_notify),
		cmocka_unit_test(test_queue_order_coalesce_full),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_bound_exits),
		cmocka_unit_test(test_bound_time),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_guest32),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_restore_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
