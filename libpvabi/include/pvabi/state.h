/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvabi/state.h - migration state: versioned record streams.
 *
 * A VM's pvabi state (per vCPU: the negotiated ABI, the magic page, the
 * delivery state machine) travels between hosts as one *stream*.  The
 * format is specified in schemas/migration-stream.md; the record types are
 * listed in schemas/migration-records.json and tests/unit/test-state-schema.c
 * proves that table and pvabi_state_records() agree.
 *
 *   stream     header (24 bytes: magic, byte order, version, vCPU count)
 *              VCPU record  x n_vcpus      (a container, ids 0..n-1 in order)
 *                  ABI, MAGIC_PAGE, DELIVERY   (mandatory, once each)
 *                  DEFER_BOUND                 (optional, stream v2)
 *              END record                  (CRC32C of everything before it)
 *
 * Every record is { u32 type; u32 length; body; zero padding to 8 bytes }.
 * Bit 31 of the type marks the record optional: a reader skips an optional
 * record it does not know and refuses a mandatory one.
 *
 * Versions: this build writes stream versions 1 and 2 and reads both.
 *   v1  ABI 1.0 only; no deferral-bound state.
 *   v2  ABI 1.x (any minor: MAGIC_PAGE carries the whole page, so later
 *       minors travel unchanged); adds the optional DEFER_BOUND record: how
 *       many exits and nanoseconds the running deferral has lasted (the
 *       delivery machine's bound counters).  A v1 reader restarts them at
 *       zero, which is safe: a held-back interrupt is then forced at most
 *       one bound later than it would have been.
 *
 * Reading is all or nothing: pvabi_state_read() checks the whole stream
 * (checksum first) before it fills the caller's state, and
 * pvabi_state_restore() checks every vCPU against the target before it
 * commits any.
 *
 * Every function appeared in libpvabi 1.0 (LIBPVABI_1) unless it says
 * otherwise.
 */
#ifndef PVABI_STATE_H
#define PVABI_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "abi.h"
#include "access.h"
#include "delivery.h"
#include "error.h"
#include "negotiate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stream versions this build reads and writes. */
#define PVABI_STATE_VERSION	   2 /* written unless asked otherwise */
#define PVABI_STATE_VERSION_OLDEST 1 /* the oldest still read and written */

#define PVABI_STATE_MAGIC	"\x89PVSTATE" /* 8 bytes, no NUL in the stream */
#define PVABI_STATE_HEADER_SIZE 24
#define PVABI_STATE_MAX_VCPUS	1024
/* Interrupts waiting on one vCPU, oldest first; more is refused.  The
 * delivery machine's queue fits exactly. */
#define PVABI_STATE_MAX_PENDING 32
_Static_assert(PVABI_STATE_MAX_PENDING == PVABI_DLV_QUEUE_LEN,
	       "the DELIVERY record carries the delivery queue");

/* Record types.  Bit 31 marks a record a reader may skip. */
#define PVABI_REC_OPTIONAL    0x80000000u
#define PVABI_REC_END	      0x00000000u /* last; body: CRC32C */
#define PVABI_REC_VCPU	      0x00000001u /* container of one vCPU */
#define PVABI_REC_ABI	      0x00000002u /* in VCPU */
#define PVABI_REC_MAGIC_PAGE  0x00000003u /* in VCPU */
#define PVABI_REC_DELIVERY    0x00000004u /* in VCPU */
#define PVABI_REC_DEFER_BOUND 0x80000005u /* in VCPU, optional, v2 */

struct pvabi_record_info {
	const char *name;     /* "MAGIC_PAGE" */
	pvabi_u32 type;	      /* PVABI_REC_*, optional bit included */
	pvabi_u32 since;      /* first stream version that has it */
	bool in_vcpu;	      /* inside a VCPU container, else top level */
	pvabi_u32 min_length; /* body bytes */
	pvabi_u32 max_length;
};

/**
 * pvabi_state_records - every record type this build knows, in the order a
 * writer writes them
 * @n: receives the number of entries
 * Returns a static table.  Since 1.0.
 */
const struct pvabi_record_info *pvabi_state_records(size_t *n);

/**
 * pvabi_state_record_name - "DELIVERY" for PVABI_REC_DELIVERY; NULL for a
 * type this build does not know.  Since 1.0.
 */
const char *pvabi_state_record_name(pvabi_u32 type);

struct pvabi_state_vcpu {
	struct pvabi_magic_page page; /* verbatim, in the guest's byte order */
	struct pvabi_version abi;     /* negotiated */
	pvabi_u64 features;	      /* negotiated PVABI_F_* */
	enum pvabi_byte_order page_order;
	/* The delivery machine (pvabi_dlv_save/restore): DELIVERY carries
	 * flags, pending and stats; DEFER_BOUND deferred_exits and
	 * deferred_ns, which are 0 when the stream had no DEFER_BOUND. */
	struct pvabi_dlv_state dlv;
	bool has_defer_bound; /* the stream had DEFER_BOUND (v2) */
};

struct pvabi_state {
	pvabi_u32 version;	     /* stream version it was read from */
	enum pvabi_byte_order order; /* byte order it was read in */
	pvabi_u32 n_vcpus;
	struct pvabi_state_vcpu *vcpus;
};

/**
 * pvabi_state_init - allocate a state of @n_vcpus zeroed vCPUs
 * @st: filled; version PVABI_STATE_VERSION, order the host's
 * Returns 0, PVABI_E_INVAL (NULL, or @n_vcpus 0 or above
 * PVABI_STATE_MAX_VCPUS) or PVABI_E_NOMEM.  Free with pvabi_state_free().
 * Since 1.0.
 */
int pvabi_state_init(struct pvabi_state *st, pvabi_u32 n_vcpus);

/**
 * pvabi_state_free - release what pvabi_state_init() or pvabi_state_read()
 * allocated; @st may be NULL or already freed.  Since 1.0.
 */
void pvabi_state_free(struct pvabi_state *st);

/**
 * pvabi_state_fits - can @st be written as stream @version without loss
 * that matters?
 * @why: receives one line naming the vCPU and what does not fit
 *
 * v1 takes only ABI 1.0 with features defined by 1.0; the deferral-bound
 * counters are dropped (see above).  Both versions take every valid state
 * otherwise.
 *
 * Returns 0, PVABI_E_INVAL (NULL), PVABI_E_BADVERSION (@version not one
 * this build writes), PVABI_E_MALFORMED (the state itself is invalid:
 * too many pending vectors, an unknown byte order, ABI major 0), or
 * PVABI_E_UNSUPPORTED (valid, but not in @version).  Since 1.0.
 */
int pvabi_state_fits(const struct pvabi_state *st, pvabi_u32 version, char *why,
		     size_t whylen);

/**
 * pvabi_state_size - bytes pvabi_state_write() needs for @st as @version
 * Returns the size, or the errors of pvabi_state_fits().  Since 1.0.
 */
long pvabi_state_size(const struct pvabi_state *st, pvabi_u32 version);

/**
 * pvabi_state_write - serialise @st as stream @version
 * @order: the stream's byte order (the page is copied as it is)
 * @buf, @len: output
 *
 * The output depends on nothing but @st, @version and @order, so a stream
 * read and written again is byte-identical.
 *
 * Returns the number of bytes written, PVABI_E_NOSPACE (the buffer's
 * contents are then undefined; pvabi_state_size() says what is needed), or
 * the errors of pvabi_state_fits() (then @why says why).  Since 1.0.
 */
long pvabi_state_write(const struct pvabi_state *st, pvabi_u32 version,
		       enum pvabi_byte_order order, void *buf, size_t len,
		       char *why, size_t whylen);

/**
 * pvabi_state_read - parse and check an untrusted stream
 * @buf, @len: the whole stream; nothing past @len is read
 * @st: on success, a new state (free with pvabi_state_free()); untouched
 *      on failure
 * @why: one line naming the record and its offset, e.g. "record DELIVERY
 *       (0x00000004) of vCPU 1 at offset 0x10f0: 80 bytes run past its VCPU
 *       container, which ends at 0x1128"
 *
 * Unknown optional records are skipped.  Returns 0, or
 *  PVABI_E_INVAL        a NULL pointer;
 *  PVABI_E_NOMEM        out of memory;
 *  PVABI_E_TRUNCATED    the stream ends inside its header or a record, or
 *                       a record is longer than its container;
 *  PVABI_E_BADMAGIC     not a pvabi state stream;
 *  PVABI_E_BADVERSION   a stream version this reader does not take, or an
 *                       ABI version the stream version can't carry;
 *  PVABI_E_CHECKSUM     the END record's CRC32C does not match;
 *  PVABI_E_UNSUPPORTED  an unknown mandatory record;
 *  PVABI_E_NOTFOUND     a vCPU lacks a mandatory record, or no END;
 *  PVABI_E_RESERVED     a reserved field, flag or padding byte is set;
 *  PVABI_E_MALFORMED    anything else inconsistent (bad byte order, a
 *                       record twice or in the wrong place, a length that
 *                       does not fit its type, vCPU ids out of order,
 *                       bytes after END).
 * Since 1.0.
 */
int pvabi_state_read(const void *buf, size_t len, struct pvabi_state *st,
		     char *why, size_t whylen);

/**
 * pvabi_state_check_offer - would every vCPU of @st load on a host that
 * makes @offer?
 * @vcpu: on refusal, the first vCPU refused (may be NULL)
 * @why: one line, the reason pvabi_negotiate_explain() gives
 *
 * Each vCPU's negotiated version and features are put to pvabi_negotiate()
 * as a guest that takes exactly that version and requires those features.
 * Returns 0, or pvabi_negotiate()'s refusals (PVABI_E_NOVERSION,
 * PVABI_E_NOFEATURE, PVABI_E_MALFORMED, PVABI_E_BADVERSION) and
 * PVABI_E_INVAL.  Since 1.0.
 */
int pvabi_state_check_offer(const struct pvabi_state *st,
			    const struct pvabi_offer *offer, pvabi_u32 *vcpu,
			    char *why, size_t whylen);

/* A place to restore into: a VMM's vCPUs, a kernel module's contexts. */
struct pvabi_state_target {
	/* Would vCPU @i take @v?  0 or a negative PVABI_E_* with @why. */
	int (*check)(void *ctx, pvabi_u32 i, const struct pvabi_state_vcpu *v,
		     char *why, size_t whylen);
	/* Take it.  Called only after check() passed for every vCPU; it
	 * cannot fail. */
	void (*commit)(void *ctx, pvabi_u32 i,
		       const struct pvabi_state_vcpu *v);
};

/**
 * pvabi_state_restore - restore every vCPU of @st into @target, or none
 * @ctx: passed to the target's callbacks
 *
 * Calls check() for every vCPU, then commit() for every vCPU only if all
 * passed.  Returns 0, PVABI_E_INVAL (NULL) or the first error check()
 * returned (@why then starts with "vCPU N: ").  Since 1.0.
 */
int pvabi_state_restore(const struct pvabi_state *st,
			const struct pvabi_state_target *target, void *ctx,
			char *why, size_t whylen);

#ifdef __cplusplus
}
#endif

#endif /* PVABI_STATE_H */
