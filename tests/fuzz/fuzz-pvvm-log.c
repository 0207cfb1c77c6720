// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-pvvm-log.c - pvvm's reader of a guest's interrupt log
 * (tools/pvvm/vmm/inject_log.c) on arbitrary log contents and head.
 *
 * Input: what was sent (count, vectors), where the lane's ring and the
 * host's tail start, the head as the guest wrote it, then log entries.
 * Invariants: a head more than the log's size past the tail is refused and
 * nothing is read; otherwise every entry up to the head is read once, as a
 * delivery or a duplicate, and every vector sent is either delivered or
 * still outstanding: the reader loses nothing.
 */
#include <errno.h>

#include "fuzz.h"
#include "vmm/inject.h"

static uint64_t no_latency(void *opaque, uint64_t guest_tsc, uint64_t sent)
{
	(void)opaque;
	return guest_tsc - sent;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvvm_log_entry log[PVVM_LOG_ENTRIES];
	struct fuzz_input in = {data, size};
	struct inj_result res = {0};
	struct inj_lane l = {0};
	uint32_t n, head, tail;
	size_t cap = 0, bytes;
	bool progress = false;
	int r;

	n = (uint32_t)fuzz_take(&in, 1) % PVABI_DLV_QUEUE_LEN;
	l.head = (uint32_t)fuzz_take(&in, 1) % PVABI_DLV_QUEUE_LEN;
	for (uint32_t i = 0; i < n; i++) {
		/* Distinct vectors, as the injector sends them. */
		inj_lane_at(&l, i)->vector =
			PVVM_VECTOR_BASE + i +
			PVABI_DLV_QUEUE_LEN * ((uint32_t)fuzz_take(&in, 1) % 7);
		inj_lane_at(&l, i)->tsc = i;
	}
	l.count = n;
	tail = (uint32_t)fuzz_take(&in, 4);
	/* Mostly a head near the tail, sometimes anything at all. */
	if (fuzz_take(&in, 1) & 1)
		head = (uint32_t)fuzz_take(&in, 4);
	else
		head = tail + (uint32_t)fuzz_take(&in, 1);
	l.log_tail = tail;
	memset(log, 0, sizeof(log));
	bytes = in.left < sizeof(log) ? in.left : sizeof(log);
	memcpy(log, in.p, bytes);

	r = inject__read_log(&l, log, head, &res, &cap, no_latency, NULL,
			     &progress);
	if (head - tail > PVVM_LOG_ENTRIES) {
		FUZZ_ASSERT(r == -EPROTO && res.bad_log == 1);
		FUZZ_ASSERT(l.log_tail == tail && l.count == n && !progress);
	} else {
		FUZZ_ASSERT(r == 0 && l.log_tail == head);
		FUZZ_ASSERT(res.delivered + res.dup == head - tail);
		FUZZ_ASSERT(res.delivered + l.count == n);
		FUZZ_ASSERT(res.n_lat == res.delivered);
	}
	free(res.lat_ns);
	return 0;
}
