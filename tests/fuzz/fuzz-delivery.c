// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The delivery state machine against a hostile guest: arbitrary page
 * contents and arbitrary sequences of injections, exits, entries, doorbell
 * traps, timer ticks, migrations and hostile migration states.
 *
 * The input is a configuration (4 bytes) and then events, one opcode byte
 * each plus what the opcode takes; see the switch below.  The page and the
 * machine live in allocations of their own size, so ASan stops any access
 * that a guest-written value steers outside them.
 *
 * A model keeps the pending vectors in injection order.  Invariants:
 *  - nothing is lost: pvabi_dlv_pending() equals the model after every
 *    call, every DELIVER names the model's oldest vector, and at the end a
 *    well-behaved guest receives every vector still pending, in order;
 *  - inject queues, coalesces (returns 1) or refuses a 33rd distinct vector
 *    (PVABI_E_BUSY) exactly as the model says, with KICK only when the
 *    queue was empty;
 *  - the machine writes only dlv.int_pending and the four dlv counters of
 *    the page, and int_pending is 0 whenever nothing is pending;
 *  - a guest that stays inside its critical section with interrupts on is
 *    forced after at most bound_exits exits, or once bound_ns has passed;
 *  - pvabi_dlv_restore() accepts every state pvabi_dlv_save() writes and
 *    refuses a malformed one without changing the machine.
 */
#include <stdbool.h>

#include "pvabi/pvabi.h"
#include "pvabi/delivery.h"
#include "fuzz.h"

#define GUEST_R1 0x00007ffff0001230ull
#define GUEST_R2 0x0000000000c0ffeeull

struct model {
	pvabi_u32 q[PVABI_DLV_QUEUE_LEN];
	pvabi_u32 n;
	/* The running deferral episode, as the guest's behaviour defines it. */
	bool episode;
	pvabi_u32 episode_exits;
	pvabi_u64 episode_start;
};

struct rig {
	struct pvabi_magic_page *page;
	struct pvabi_dlv *d;
	enum pvabi_byte_order bo;
	struct pvabi_dlv_config cfg;
	struct model m;
	pvabi_u64 now;
};

static bool model_has(const struct model *m, pvabi_u32 v)
{
	for (pvabi_u32 i = 0; i < m->n; i++)
		if (m->q[i] == v)
			return true;
	return false;
}

static void model_pop(struct model *m, pvabi_u32 v)
{
	FUZZ_ASSERT(m->n > 0 && m->q[0] == v);
	memmove(m->q, m->q + 1, (m->n - 1) * sizeof(m->q[0]));
	m->n--;
}

/* Bytes the machine may write: dlv.int_pending and dlv.delivered ..
 * dlv.forced. */
static bool machine_owned(size_t off)
{
	size_t ip = offsetof(struct pvabi_magic_page, dlv.int_pending);
	size_t c0 = offsetof(struct pvabi_magic_page, dlv.delivered);
	size_t c1 = offsetof(struct pvabi_magic_page, dlv.forced) + 8;

	return (off >= ip && off < ip + 4) || (off >= c0 && off < c1);
}

static void check_page_writes(const struct rig *r, const uint8_t *before)
{
	const uint8_t *now = (const uint8_t *)r->page;

	if (!memcmp(now, before, PVABI_PAGE_SIZE))
		return;
	for (size_t i = 0; i < PVABI_PAGE_SIZE; i++)
		if (now[i] != before[i])
			FUZZ_ASSERT(machine_owned(i));
}

static void check_state(const struct rig *r)
{
	FUZZ_ASSERT(pvabi_dlv_pending(r->d) == r->m.n);
	FUZZ_ASSERT(!(pvabi_dlv_flags(r->d) & ~PVABI_DLV_S_ALL));
}

/* After a call that decides or restores: the page says what is pending
 * (the guest may have scribbled on it since the last such call). */
static void check_int_pending(const struct rig *r)
{
	check_state(r);
	if (!r->m.n)
		FUZZ_ASSERT(pvabi_ld32(r->bo, &r->page->dlv.int_pending) == 0);
}

static void end_episode(struct model *m)
{
	m->episode = false;
	m->episode_exits = 0;
}

/* An exit, entry or doorbell trap, checked against the model. */
static void decision(struct rig *r, int kind, const struct pvabi_dlv_regs *regs)
{
	uint8_t before[PVABI_PAGE_SIZE];
	struct pvabi_dlv_action act;
	bool masked = !pvabi_ld32(r->bo, &r->page->dlv.irq_enabled);
	pvabi_u64 crit = pvabi_ld64(r->bo, &r->page->dlv.critical);
	pvabi_u64 r1 = regs->r1;
	bool inside, was_empty = r->m.n == 0;
	int err;

	if (r->cfg.flags & PVABI_DLV_CFG_GUEST32) {
		crit &= 0xffffffffull;
		r1 &= 0xffffffffull;
	}
	/* PVABI_DLV_CFG_MEMORY: critical != 0 alone, whatever the registers. */
	if (r->cfg.flags & PVABI_DLV_CFG_MEMORY)
		inside = crit != 0;
	else
		inside = regs->supervisor && crit == r1;
	memcpy(before, r->page, sizeof(before));
	if (kind == 0)
		err = pvabi_dlv_exit(r->d, regs, r->now, &act);
	else if (kind == 1)
		err = pvabi_dlv_entry(r->d, regs, r->now, &act);
	else
		err = pvabi_dlv_notify_trap(r->d, regs, r->now, &act);
	FUZZ_ASSERT(err == 0);
	check_page_writes(r, before);
	FUZZ_ASSERT(!(act.flags & PVABI_DLV_ARM) ||
		    !(act.flags & PVABI_DLV_DISARM));

	if (act.flags & PVABI_DLV_DELIVER) {
		FUZZ_ASSERT(!was_empty && !masked);
		/* Delivered inside a section only when the bound forced it. */
		FUZZ_ASSERT(!inside || (act.flags & PVABI_DLV_FORCED));
		model_pop(&r->m, act.vector);
		end_episode(&r->m);
	} else if (was_empty || masked) {
		end_episode(&r->m);
	} else {
		/* Pending, interrupts on, not delivered: the guest is inside
		 * its section and the machine defers. */
		FUZZ_ASSERT(inside);
		if (!r->m.episode) {
			r->m.episode = true;
			r->m.episode_start = r->now;
			r->m.episode_exits = 0;
		} else if (kind != 1) {
			r->m.episode_exits++;
		}
		if (r->cfg.bound_exits)
			FUZZ_ASSERT(r->m.episode_exits < r->cfg.bound_exits);
		if (r->cfg.bound_ns)
			FUZZ_ASSERT(r->now - r->m.episode_start <
				    r->cfg.bound_ns);
	}
	check_int_pending(r);
}

static void inject(struct rig *r, pvabi_u32 vector)
{
	uint8_t before[PVABI_PAGE_SIZE];
	struct pvabi_dlv_action act;
	int err;

	memcpy(before, r->page, sizeof(before));
	err = pvabi_dlv_inject(r->d, vector, r->now, &act);
	check_page_writes(r, before);
	if (model_has(&r->m, vector)) {
		FUZZ_ASSERT(err == 1 && !act.flags);
	} else if (r->m.n == PVABI_DLV_QUEUE_LEN) {
		FUZZ_ASSERT(err == PVABI_E_BUSY && !act.flags);
	} else {
		FUZZ_ASSERT(err == 0);
		FUZZ_ASSERT(act.flags == (r->m.n ? 0u : PVABI_DLV_KICK));
		r->m.q[r->m.n++] = vector;
		FUZZ_ASSERT(pvabi_ld32(r->bo, &r->page->dlv.int_pending) == 1);
	}
	check_state(r);
}

/* Migrate to a fresh machine on the same page: save, init, restore. */
static void migrate(struct rig *r)
{
	struct pvabi_dlv_state st;
	struct pvabi_dlv_action act;
	struct pvabi_dlv_stats a, b;

	FUZZ_ASSERT(pvabi_dlv_save(r->d, r->now, &st) == 0);
	FUZZ_ASSERT(st.n_pending == r->m.n && !st.reserved);
	for (pvabi_u32 i = 0; i < PVABI_DLV_QUEUE_LEN; i++)
		FUZZ_ASSERT(st.pending[i] == (i < r->m.n ? r->m.q[i] : 0));
	pvabi_dlv_get_stats(r->d, &a);
	FUZZ_ASSERT(pvabi_dlv_init(r->d, r->page, r->bo, &r->cfg) == 0);
	FUZZ_ASSERT(pvabi_dlv_restore(r->d, &st, r->now, &act) == 0);
	pvabi_dlv_get_stats(r->d, &b);
	FUZZ_ASSERT(!memcmp(&a, &b, sizeof(a)));
	FUZZ_ASSERT(!!(act.flags & PVABI_DLV_KICK) == (r->m.n > 0));
	check_int_pending(r);
}

/* What pvabi_dlv_restore() documents as malformed. */
static bool state_valid(const struct pvabi_dlv_state *st)
{
	if (st->n_pending > PVABI_DLV_QUEUE_LEN || st->reserved ||
	    (st->flags & ~PVABI_DLV_S_ALL))
		return false;
	if (st->flags && !st->n_pending)
		return false;
	if ((st->flags & PVABI_DLV_S_ARMED) &&
	    !(st->flags & PVABI_DLV_S_DEFERRED))
		return false;
	for (pvabi_u32 i = 0; i < st->n_pending; i++)
		for (pvabi_u32 j = 0; j < i; j++)
			if (st->pending[i] == st->pending[j])
				return false;
	return true;
}

/* A hostile migration state. */
static void restore_hostile(struct rig *r, struct fuzz_input *in)
{
	struct pvabi_dlv_state st;
	struct pvabi_dlv_action act;
	struct pvabi_dlv copy = *r->d;
	int err;

	memset(&st, 0, sizeof(st));
	st.n_pending = (pvabi_u32)fuzz_take(in, 1) % (PVABI_DLV_QUEUE_LEN + 3);
	st.flags = (pvabi_u32)fuzz_take(in, 1);
	st.flags &= st.flags & 0x80 ? ~0u : PVABI_DLV_S_ALL;
	for (pvabi_u32 i = 0; i < PVABI_DLV_QUEUE_LEN; i++)
		st.pending[i] = i < st.n_pending || fuzz_take(in, 1) == 0xff
					? (pvabi_u32)fuzz_take(in, 1)
					: 0;
	st.deferred_exits = (pvabi_u32)fuzz_take(in, 1);
	st.deferred_ns = fuzz_take(in, 2) * 1000;
	st.reserved = fuzz_take(in, 1) == 0xff;
	st.stats.delivered = fuzz_take(in, 8);

	err = pvabi_dlv_restore(r->d, &st, r->now, &act);
	if (err) {
		FUZZ_ASSERT(err == PVABI_E_MALFORMED);
		FUZZ_ASSERT(!memcmp(&copy, r->d, sizeof(copy)));
		return;
	}
	FUZZ_ASSERT(state_valid(&st));
	r->m.n = st.n_pending;
	memcpy(r->m.q, st.pending, sizeof(r->m.q));
	/* The restored deferral may be older than the model can know. */
	end_episode(&r->m);
	r->m.episode = pvabi_dlv_flags(r->d) & PVABI_DLV_S_DEFERRED;
	r->m.episode_start =
		r->now >= st.deferred_ns ? r->now - st.deferred_ns : 0;
	r->m.episode_exits = st.deferred_exits;
	check_int_pending(r);
}

/* At the end a well-behaved guest (interrupts on, outside any section)
 * takes every vector still pending, oldest first. */
static void drain(struct rig *r)
{
	struct pvabi_dlv_regs regs = {GUEST_R1, 1, 0};

	pvabi_st32(r->bo, &r->page->dlv.irq_enabled, 1);
	/* 0: outside under either predicate, as a PVABI_F_NESTING guest
	 * leaves (GUEST_R2 would be inside under PVABI_DLV_CFG_MEMORY). */
	pvabi_st64(r->bo, &r->page->dlv.critical, 0);
	for (int i = 0; i <= PVABI_DLV_QUEUE_LEN && r->m.n; i++)
		decision(r, 1, &regs);
	FUZZ_ASSERT(r->m.n == 0 && pvabi_dlv_pending(r->d) == 0);
}

static struct pvabi_dlv_regs take_regs(struct rig *r, unsigned op,
				       struct fuzz_input *in)
{
	struct pvabi_dlv_regs regs = {0, 0, 0};

	if (op & 0x40)
		regs.r1 = fuzz_take(in, 8);
	else
		regs.r1 = op & 0x08 ? GUEST_R2 : GUEST_R1;
	regs.supervisor = !(op & 0x10);
	r->now += fuzz_take(in, 1) * 50000ull; /* up to 12.75 ms a step */
	return regs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct pvabi_dlv_action act;
	struct pvabi_dlv_regs regs;
	struct rig r = {0};
	unsigned c = (unsigned)fuzz_take(&in, 1);
	int steps = 0;

	r.page = aligned_alloc(PVABI_PAGE_SIZE, sizeof(*r.page));
	r.d = malloc(sizeof(*r.d));
	if (!r.page || !r.d)
		abort();
	memset(r.page, 0, sizeof(*r.page));
	r.bo = c & 4 ? PVABI_BE : PVABI_LE;
	r.cfg.flags = c & PVABI_DLV_CFG_ALL;
	r.cfg.bound_exits = (pvabi_u32)fuzz_take(&in, 1) % 16;
	r.cfg.bound_ns = fuzz_take(&in, 2) * 1000;
	r.now = fuzz_take(&in, 1) << 20;
	FUZZ_ASSERT(pvabi_dlv_init(r.d, r.page, r.bo, &r.cfg) == 0);
	pvabi_st32(r.bo, &r.page->dlv.irq_enabled, 1);

	while (in.left && steps++ < 1024) {
		unsigned op = (unsigned)fuzz_take(&in, 1);
		unsigned len, off;

		switch (op & 7) {
		case 0: /* the guest scribbles over its page */
			off = (unsigned)fuzz_take(&in, 2) % PVABI_PAGE_SIZE;
			len = (unsigned)fuzz_take(&in, 1) % 17;
			for (unsigned i = 0;
			     i < len && off + i < PVABI_PAGE_SIZE; i++)
				((uint8_t *)r.page)[off + i] =
					(uint8_t)fuzz_take(&in, 1);
			break;
		case 1:
			inject(&r, op & 0x80 ? (pvabi_u32)fuzz_take(&in, 4)
					     : (op >> 3) & 15);
			break;
		case 2:
		case 3:
		case 4:
			regs = take_regs(&r, op, &in);
			decision(&r, (int)(op & 7) - 2, &regs);
			break;
		case 5:
			r.now += fuzz_take(&in, 1) * 50000ull;
			FUZZ_ASSERT(pvabi_dlv_tick(r.d, r.now, &act) == 0);
			check_state(&r);
			break;
		case 6:
			if (op & 0x08)
				restore_hostile(&r, &in);
			else
				migrate(&r);
			break;
		default: /* the guest's own protocol stores */
			pvabi_st64(r.bo, &r.page->dlv.critical,
				   op & 0x08 ? GUEST_R1 : GUEST_R2);
			pvabi_st32(r.bo, &r.page->dlv.irq_enabled,
				   !(op & 0x10));
			break;
		}
	}
	drain(&r);
	free(r.d);
	free(r.page);
	return 0;
}
