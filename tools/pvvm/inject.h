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
	uint64_t give_up_ns; /* no delivery for this long: the rest are lost
				(0: never) */
	uint64_t seed;
	/* Set by another thread: inject no more, wait up to settle_ns for
	 * what is outstanding, and leave the rest to inject__settle. */
	const bool *stop;
	uint64_t settle_ns;
};

struct inj_result {
	uint64_t injected;	  /* accepted by the delivery machine */
	uint64_t delivered;	  /* seen in the guest's log, in order */
	uint64_t lost;		  /* injected, never seen */
	uint64_t dup;		  /* seen with nothing outstanding to match */
	uint64_t reordered;	  /* seen ahead of an older one */
	uint64_t in_critical;	  /* taken inside a critical section */
	uint64_t ee_off;	  /* taken with virtual interrupts off */
	uint64_t stalled;	  /* not delivered within stall_ns */
	uint64_t retried;	  /* refused by a full queue, injected again */
	uint64_t bad_log;	  /* the guest's log head was out of range */
	uint64_t outstanding;	  /* left when stopped: for inject__settle */
	uint64_t pending_at_stop; /* still queued in the delivery machine */
	uint64_t *lat_ns; /* one latency per delivery, sorted at the end */
	size_t n_lat;
	struct inj_lane *lanes; /* the injector's bookkeeping per vCPU */
};

int inject__run(struct vm *vm, const struct inj_config *c,
		struct inj_result *res);
/*
 * After a stopped injection (inj_config.stop) and with the VM's vCPU
 * threads joined: read the logs a last time, then sort each interrupt
 * still outstanding into pending_at_stop (in the vCPU's delivery queue)
 * or lost (neither delivered nor queued).
 */
int inject__settle(struct vm *vm, struct inj_result *res);
/* Add @src's counts and latencies to @dst (kept sorted); frees @src.
 * 0 or -ENOMEM (then @src is freed and @dst lacks its latencies). */
int inject__merge(struct inj_result *dst, struct inj_result *src);
void inject__result_free(struct inj_result *res);
uint64_t inject__percentile(const struct inj_result *res, unsigned int pct);

#endif /* PVVM_INJECT_H */
