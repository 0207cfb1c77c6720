// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PVABI_DLV_MAX_ROUNDS, the bound pvabi.ko's drain loop (kmod/deliver.c,
 * perform()) stops at, against a guest that changes critical and
 * irq_enabled between every two decisions of one drain: no drain needs
 * more rounds, the worst one needs exactly that many, and every vector is
 * delivered exactly once.  A smaller bound drops a decision and loses the
 * vector it delivered (pvabi.ko's bound was PVABI_DLV_QUEUE_LEN + 4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"

#define R1 0x00007ffff0001230ull

static struct pvabi_magic_page page __attribute__((aligned(4096)));
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The guest before decision @n: 0 alternate in/out, 1 random. */
static void guest_step(int mode, unsigned int n)
{
	int inside = mode ? !(rnd() % 3) : !(n & 1);

	pvabi_st64(PVABI_LE, &page.dlv.critical, inside ? R1 : 0);
	if (mode && !(rnd() % 16))
		pvabi_st32(PVABI_LE, &page.dlv.irq_enabled, 0);
	else
		pvabi_st32(PVABI_LE, &page.dlv.irq_enabled, 1);
}

/*
 * perform()'s loop without a bound: returns the rounds it took; *got counts
 * the deliveries per vector.
 */
static unsigned int drain(struct pvabi_dlv *d, struct pvabi_dlv_action act,
			  int mode, unsigned int *got)
{
	struct pvabi_dlv_regs regs = {.r1 = R1, .supervisor = 1};
	unsigned int round, n = 0;

	for (round = 1;; round++) {
		int again = 0;

		if (act.flags & PVABI_DLV_ARM)
			again = 1;
		if (act.flags & PVABI_DLV_DELIVER) {
			got[act.vector]++;
			again = 1;
		}
		if (act.flags & PVABI_DLV_KICK) {
			guest_step(mode, n++);
			pvabi_dlv_exit(d, &regs, 0, &act);
			continue;
		}
		if (!again)
			return round;
		guest_step(mode, n++);
		pvabi_dlv_entry(d, &regs, 0, &act);
	}
}

static unsigned int fill_and_drain(int mode, unsigned int *got)
{
	struct pvabi_dlv_config cfg;
	struct pvabi_dlv_action act, first = {0};
	struct pvabi_dlv d;
	unsigned int v;

	pvabi_dlv_config_default(&cfg);
	cfg.bound_exits = 0; /* only the time bound, and time stands still */
	assert_int_equal(pvabi_dlv_init(&d, &page, PVABI_LE, &cfg), 0);
	/* The queue fills while interrupts are off... */
	pvabi_st32(PVABI_LE, &page.dlv.irq_enabled, 0);
	for (v = 0; v < PVABI_DLV_QUEUE_LEN; v++) {
		assert_int_equal(pvabi_dlv_inject(&d, v, 0, &act), 0);
		if (!v)
			first = act;
	}
	/* ...and the first injection's kick drains it once they are on. */
	memset(got, 0, PVABI_DLV_QUEUE_LEN * sizeof(*got));
	return drain(&d, first, mode, got);
}

static void worst_case_is_the_bound(void **state)
{
	unsigned int got[PVABI_DLV_QUEUE_LEN], v;

	(void)state;
	assert_int_equal(fill_and_drain(0, got), PVABI_DLV_MAX_ROUNDS);
	for (v = 0; v < PVABI_DLV_QUEUE_LEN; v++)
		assert_int_equal(got[v], 1);
}

static void no_drain_exceeds_it(void **state)
{
	unsigned int got[PVABI_DLV_QUEUE_LEN], i, v, worst = 0, r;

	(void)state;
	for (i = 0; i < 20000; i++) {
		r = fill_and_drain(1, got);
		assert_true(r <= PVABI_DLV_MAX_ROUNDS);
		if (r > worst)
			worst = r;
		for (v = 0; v < PVABI_DLV_QUEUE_LEN; v++)
			assert_true(got[v] <= 1);
	}
	assert_true(worst > PVABI_DLV_QUEUE_LEN + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worst_case_is_the_bound),
		cmocka_unit_test(no_drain_exceeds_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
