// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inject_log.c - read a guest's interrupt log: the injector's one parser of
 * guest memory (pvvm_vcpu_info.log_head and the log entries), kept apart so
 * that tests/fuzz/fuzz-pvvm-log.c can feed it anything.
 */
#include <errno.h>
#include <stdlib.h>

#include "inject.h"

static void lane_remove(struct inj_lane *l, uint32_t k)
{
	for (uint32_t i = k; i > 0; i--)
		*inj_lane_at(l, i) = *inj_lane_at(l, i - 1);
	l->head = (l->head + 1) % PVABI_DLV_QUEUE_LEN;
	l->count--;
}

static int lat_push(struct inj_result *res, uint64_t ns, size_t *cap)
{
	if (res->n_lat == *cap) {
		size_t n = *cap ? *cap * 2 : 4096;
		uint64_t *p = realloc(res->lat_ns, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		res->lat_ns = p;
		*cap = n;
	}
	res->lat_ns[res->n_lat++] = ns;
	return 0;
}

int inject__read_log(struct inj_lane *l, const struct pvvm_log_entry *log,
		     uint32_t head, struct inj_result *res, size_t *cap,
		     uint64_t (*lat)(void *opaque, uint64_t guest_tsc,
				     uint64_t sent_tsc),
		     void *opaque, bool *progress)
{
	uint32_t tail = l->log_tail;
	int r = 0;

	/* A head scribbled on is an error, not a walk over 2^32 slots. */
	if (head - tail > PVVM_LOG_ENTRIES) {
		res->bad_log++;
		return -EPROTO;
	}
	for (; tail != head && r == 0; tail++) {
		struct pvvm_log_entry e = log[tail % PVVM_LOG_ENTRIES];
		uint32_t k;

		*progress = true;
		if (e.flags & PVVM_LOG_IN_CRITICAL)
			res->in_critical++;
		if (e.flags & PVVM_LOG_EE_OFF)
			res->ee_off++;
		for (k = 0; k < l->count; k++)
			if (inj_lane_at(l, k)->vector == e.vector)
				break;
		if (k == l->count) {
			res->dup++;
			continue;
		}
		if (k)
			res->reordered++;
		res->delivered++;
		r = lat_push(res, lat(opaque, e.tsc, inj_lane_at(l, k)->tsc),
			     cap);
		lane_remove(l, k);
	}
	l->log_tail = tail;
	return r;
}
