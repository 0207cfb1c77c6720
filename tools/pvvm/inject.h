/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject.h - the injector: interrupts at random times, and their fate. */
#ifndef PVVM_INJECT_H
#define PVVM_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "pvvm.h"

struct inj_config {
	uint64_t count;	     /* injections in all */
	uint64_t max_gap_ns; /* gap before each: uniform in [0, max_gap_ns] */
	uint32_t inflight;   /* most undelivered per vCPU (<= 31) */
	bool aim_window;     /* inject only while the guest lingers in the
				seed's window (PVVM_WORK_WINDOW) */
	uint64_t stall_ns;   /* "stalled": not delivered within this */
	bool rescue;	     /* kick a stalled vCPU (an unrelated exit) */
	uint64_t give_up_ns; /* no delivery for this long: the rest are lost */
	uint64_t seed;
};

struct inj_result {
	uint64_t injected;    /* accepted by the delivery machine */
	uint64_t delivered;   /* seen in the guest's log, in order */
	uint64_t lost;	      /* injected, never seen */
	uint64_t dup;	      /* seen with nothing outstanding to match */
	uint64_t reordered;   /* seen ahead of an older one */
	uint64_t in_critical; /* taken inside a critical section */
	uint64_t ee_off;      /* taken with virtual interrupts off */
	uint64_t stalled;     /* not delivered within stall_ns */
	uint64_t retried;     /* refused by a full queue, injected again */
	uint64_t *lat_ns;     /* one latency per delivery, sorted at the end */
	size_t n_lat;
};

int inject__run(struct vm *vm, const struct inj_config *c,
		struct inj_result *res);
void inject__result_free(struct inj_result *res);
uint64_t inject__percentile(const struct inj_result *res, unsigned int pct);

#endif /* PVVM_INJECT_H */
