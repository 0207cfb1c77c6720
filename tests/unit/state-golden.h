/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM state behind the golden streams in tests/data/state/.  FROZEN: the
 * committed streams were written from it and must load into exactly these
 * values in every later release.  Change nothing here; add a new function
 * for a new golden stream.
 *
 * Two vCPUs of a big-endian PowerPC guest (the usual case: the host is
 * little-endian).  vCPU 0 sits inside a critical section with two
 * interrupts held back and the notification page armed; vCPU 1 is idle.
 */
#ifndef PVABI_TEST_STATE_GOLDEN_H
#define PVABI_TEST_STATE_GOLDEN_H

#include <string.h>

#include "pvabi/pvabi.h"

static inline void golden_page(struct pvabi_magic_page *pg, unsigned cpu,
			       pvabi_u64 features)
{
	const enum pvabi_byte_order bo = PVABI_BE;

	memset(pg, 0, sizeof(*pg));
	pvabi_st32(bo, &pg->hdr.magic, PVABI_MAGIC);
	pvabi_st16(bo, &pg->hdr.major, 1);
	pvabi_st16(bo, &pg->hdr.minor, 0);
	pvabi_st32(bo, &pg->hdr.size, PVABI_SIZE_1_0);
	pg->hdr.byte_order = PVABI_BYTE_ORDER_BIG;
	pvabi_st32(bo, &pg->hdr.generation, 6 + 2 * cpu);
	pvabi_st64(bo, &pg->hdr.features, features);
	pvabi_st64(bo, &pg->hdr.magic_gpa, 0x7ff00000ull + 0x2000 * cpu);
	pvabi_st64(bo, &pg->hdr.notify_gpa, 0x7ff01000ull + 0x2000 * cpu);
	pvabi_st64(bo, &pg->dlv.critical, cpu ? 0 : 0xc0000000017ffe90ull);
	pvabi_st32(bo, &pg->dlv.int_pending, cpu ? 0 : 1);
	pvabi_st32(bo, &pg->dlv.irq_enabled, 1);
	pvabi_st64(bo, &pg->dlv.delivered, cpu ? 1000 : 41);
	pvabi_st64(bo, &pg->dlv.deferred, cpu ? 3 : 7);
	pvabi_st64(bo, &pg->dlv.notify_traps, cpu ? 3 : 6);
	pvabi_st64(bo, &pg->dlv.forced, cpu ? 0 : 1);
	pvabi_st64(bo, &pg->arch.msr, 0x8000000000009032ull);
	pvabi_st64(bo, &pg->arch.srr0, 0xc000000000012345ull + cpu);
	pvabi_st64(bo, &pg->arch.srr1, 0x8000000000001032ull);
	pvabi_st64(bo, &pg->arch.dar, 0xdead0000ull + cpu);
	for (unsigned k = 0; k < 8; k++)
		pvabi_st64(bo, &pg->arch.sprg[k],
			   0x5350524700000000ull | (cpu << 8) | k);
	pvabi_st32(bo, &pg->arch.dsisr, 0x42000000);
	for (unsigned k = 0; k < PVABI_SCRATCH_SLOTS; k++)
		pvabi_st64(bo, &pg->scratch[k], 0x5c00000000000000ull | k);
}

/* @with_bound: the DEFER_BOUND counters only a v2 stream carries. */
static inline void golden_state(struct pvabi_state *st, bool with_bound)
{
	static const pvabi_u64 features[2] = {
		PVABI_F_NOTIFY | PVABI_F_SPRG4_7,
		PVABI_F_NOTIFY,
	};
	static const struct pvabi_dlv_stats stats[2] = {
		{.delivered = 41,
		 .deferred = 7,
		 .notify_traps = 6,
		 .forced = 1,
		 .injected = 45,
		 .coalesced = 2,
		 .refused = 0,
		 .masked = 5,
		 .kicks = 30,
		 .exits = 900},
		{.delivered = 1000,
		 .deferred = 3,
		 .notify_traps = 3,
		 .forced = 0,
		 .injected = 1000,
		 .coalesced = 0,
		 .refused = 1,
		 .masked = 12,
		 .kicks = 700,
		 .exits = 5000},
	};

	for (unsigned cpu = 0; cpu < 2; cpu++) {
		struct pvabi_state_vcpu *v = &st->vcpus[cpu];
		struct pvabi_dlv_state *d = &v->dlv;

		golden_page(&v->page, cpu, features[cpu]);
		v->abi.major = 1;
		v->abi.minor = 0;
		v->features = features[cpu];
		v->page_order = PVABI_BE;
		memset(d, 0, sizeof(*d));
		if (cpu == 0) {
			d->n_pending = 2;
			d->pending[0] = 0x500; /* external */
			d->pending[1] = 0x900; /* decrementer */
			d->flags = PVABI_DLV_S_DEFERRED | PVABI_DLV_S_ARMED;
		}
		d->stats = stats[cpu];
		v->has_defer_bound = with_bound;
		if (with_bound && cpu == 0) {
			d->deferred_exits = 3;
			d->deferred_ns = 250000;
		}
	}
}

#endif
