/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject.h - the injector: interrupts at random times, and their fate. */
#ifndef PVVM_INJECT_H
#define PVVM_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm.h"

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

/* What the injector sent one vCPU and has not seen delivered yet, oldest
 * first, in a ring. */
struct inj_sent {
	uint32_t vector;
	bool stalled;
	uint64_t tsc; /* host TSC at injection */
};

struct inj_lane {
	struct inj_sent q[PVABI_DLV_QUEUE_LEN];
	uint32_t head, count;
	uint32_t log_tail; /* next log slot to read: ours, not the guest's */
	uint32_t next_vector;
	uint64_t woken; /* last kick to bring the window guest round */
};

static inline struct inj_sent *inj_lane_at(struct inj_lane *l, uint32_t i)
{
	return &l->q[(l->head + i) % PVABI_DLV_QUEUE_LEN];
}

/*
 * inject_log.c: match the guest's log entries [l->log_tail, @head) against
 * what @l holds, count them in @res (delivered, dup, reordered, ...) and
 * push one latency per delivery, @lat(@opaque, guest TSC stamp, host TSC at
 * injection), growing res->lat_ns (*@cap entries allocated).  The log and
 * @head are guest memory: @head is only compared with l->log_tail, entries
 * are read modulo PVVM_LOG_ENTRIES, vectors only compared.  *@progress is
 * set when an entry was read.  Returns 0; -EPROTO (res->bad_log counted,
 * nothing read) when @head is more than PVVM_LOG_ENTRIES past the tail;
 * -ENOMEM.
 */
int inject__read_log(struct inj_lane *l, const struct pvvm_log_entry *log,
		     uint32_t head, struct inj_result *res, size_t *cap,
		     uint64_t (*lat)(void *opaque, uint64_t guest_tsc,
				     uint64_t sent_tsc),
		     void *opaque, bool *progress);

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
