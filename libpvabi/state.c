// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Migration state streams: writer, reader, version rules.
 * The format is schemas/migration-stream.md; keep the two in step.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "pvabi/state.h"
#include "crc32c.h"
#include "export.h"
#include "simd.h"

#define REC_HDR	    8u
#define VCPU_PREFIX 8u	/* u32 id, u32 reserved */
#define ABI_LEN	    16u /* u16 major, u16 minor, u8 order, 3 reserved, u64 */
#define N_STATS	    10u /* struct pvabi_dlv_stats, in its order */
#define DLV_FIXED   (8u + 8u * N_STATS) /* u32 flags, u32 n, u64 stats[] */
#define BOUND_LEN   16u			/* u32 exits, u32 reserved, u64 ns */
#define END_LEN	    8u			/* u32 crc32c, u32 reserved */

_Static_assert(sizeof(struct pvabi_dlv_stats) == 8 * N_STATS,
	       "DELIVERY carries every counter of pvabi_dlv_stats");

/* The table's rows, by name: record_info() and read_vcpu() index it. */
enum { R_END, R_VCPU, R_ABI, R_MAGIC_PAGE, R_DELIVERY, R_DEFER_BOUND };

static const struct pvabi_record_info records[] = {
	[R_END] = {"END", PVABI_REC_END, 1, false, END_LEN, END_LEN},
	[R_VCPU] = {"VCPU", PVABI_REC_VCPU, 1, false, VCPU_PREFIX, 0xfffffff8u},
	[R_ABI] = {"ABI", PVABI_REC_ABI, 1, true, ABI_LEN, ABI_LEN},
	[R_MAGIC_PAGE] = {"MAGIC_PAGE", PVABI_REC_MAGIC_PAGE, 1, true, 0,
			  PVABI_PAGE_SIZE},
	[R_DELIVERY] = {"DELIVERY", PVABI_REC_DELIVERY, 1, true, DLV_FIXED,
			DLV_FIXED + 4 * PVABI_STATE_MAX_PENDING},
	[R_DEFER_BOUND] = {"DEFER_BOUND", PVABI_REC_DEFER_BOUND, 2, true,
			   BOUND_LEN, BOUND_LEN},
};
#define N_RECORDS (sizeof(records) / sizeof(records[0]))

PVABI_EXPORT const struct pvabi_record_info *pvabi_state_records(size_t *n)
{
	if (n)
		*n = N_RECORDS;
	return records;
}

/* A switch, not a walk of the table: the reader looks up every record it
 * meets (issue 18). */
static const struct pvabi_record_info *record_info(pvabi_u32 type)
{
	switch (type) {
	case PVABI_REC_END: return &records[R_END];
	case PVABI_REC_VCPU: return &records[R_VCPU];
	case PVABI_REC_ABI: return &records[R_ABI];
	case PVABI_REC_MAGIC_PAGE: return &records[R_MAGIC_PAGE];
	case PVABI_REC_DELIVERY: return &records[R_DELIVERY];
	case PVABI_REC_DEFER_BOUND: return &records[R_DEFER_BOUND];
	}
	return NULL;
}

PVABI_EXPORT const char *pvabi_state_record_name(pvabi_u32 type)
{
	const struct pvabi_record_info *r = record_info(type);

	return r ? r->name : NULL;
}

/* ------------------------------------------------ stream byte order */

static pvabi_u16 get16(enum pvabi_byte_order o, const unsigned char *p)
{
	pvabi_u16 v;

	memcpy(&v, p, sizeof(v));
	return o == PVABI_HOST_ORDER ? v : __builtin_bswap16(v);
}

static pvabi_u32 get32(enum pvabi_byte_order o, const unsigned char *p)
{
	pvabi_u32 v;

	memcpy(&v, p, sizeof(v));
	return o == PVABI_HOST_ORDER ? v : __builtin_bswap32(v);
}

static pvabi_u64 get64(enum pvabi_byte_order o, const unsigned char *p)
{
	pvabi_u64 v;

	memcpy(&v, p, sizeof(v));
	return o == PVABI_HOST_ORDER ? v : __builtin_bswap64(v);
}

static void put16(enum pvabi_byte_order o, unsigned char *p, pvabi_u16 v)
{
	if (o != PVABI_HOST_ORDER)
		v = __builtin_bswap16(v);
	memcpy(p, &v, sizeof(v));
}

static void put32(enum pvabi_byte_order o, unsigned char *p, pvabi_u32 v)
{
	if (o != PVABI_HOST_ORDER)
		v = __builtin_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(enum pvabi_byte_order o, unsigned char *p, pvabi_u64 v)
{
	if (o != PVABI_HOST_ORDER)
		v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof(v));
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static bool order_ok(unsigned o)
{
	return o == PVABI_LE || o == PVABI_BE;
}

/* ------------------------------------------------------ the state */

PVABI_EXPORT int pvabi_state_init(struct pvabi_state *st, pvabi_u32 n_vcpus)
{
	if (!st || n_vcpus == 0 || n_vcpus > PVABI_STATE_MAX_VCPUS)
		return PVABI_E_INVAL;
	st->vcpus = calloc(n_vcpus, sizeof(*st->vcpus));
	if (!st->vcpus)
		return PVABI_E_NOMEM;
	st->version = PVABI_STATE_VERSION;
	st->order = PVABI_HOST_ORDER;
	st->n_vcpus = n_vcpus;
	return 0;
}

PVABI_EXPORT void pvabi_state_free(struct pvabi_state *st)
{
	if (!st)
		return;
	free(st->vcpus);
	st->vcpus = NULL;
	st->n_vcpus = 0;
}

PVABI_EXPORT int pvabi_state_fits(const struct pvabi_state *st,
				  pvabi_u32 version, char *why, size_t whylen)
{
	if (!st || !st->vcpus || !st->n_vcpus ||
	    st->n_vcpus > PVABI_STATE_MAX_VCPUS)
		return pvabi_why(PVABI_E_INVAL, why, whylen, "no state");
	if (version < PVABI_STATE_VERSION_OLDEST ||
	    version > PVABI_STATE_VERSION)
		return pvabi_why(
			PVABI_E_BADVERSION, why, whylen,
			"stream version %u: this build writes %u to %u",
			version, PVABI_STATE_VERSION_OLDEST,
			PVABI_STATE_VERSION);
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++) {
		const struct pvabi_state_vcpu *v = &st->vcpus[i];

		if (!order_ok(v->page_order))
			return pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"vCPU %u: page byte order %u is neither 1 "
				"(little) nor 2 (big)",
				i, v->page_order);
		if (v->dlv.n_pending > PVABI_STATE_MAX_PENDING)
			return pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"vCPU %u: %u pending vectors, at most %u", i,
				v->dlv.n_pending, PVABI_STATE_MAX_PENDING);
		if ((v->dlv.flags & ~PVABI_DLV_S_ALL) || v->dlv.reserved)
			return pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"vCPU %u: delivery flags 0x%x or reserved "
				"field 0x%x not known",
				i, v->dlv.flags, v->dlv.reserved);
		if (v->abi.major != PVABI_VERSION_MAJOR)
			return pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"vCPU %u: ABI %u.%u is not of major %u, "
				"the one this build knows",
				i, v->abi.major, v->abi.minor,
				PVABI_VERSION_MAJOR);
		if (v->features & pvabi_features_after(v->abi))
			return pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"vCPU %u: features 0x%llx under ABI %u.%u, "
				"which predates some of them",
				i, (unsigned long long)v->features,
				v->abi.major, v->abi.minor);
		if (version >= 2)
			continue;
		if (v->abi.minor != 0)
			return pvabi_why(
				PVABI_E_UNSUPPORTED, why, whylen,
				"vCPU %u negotiated ABI %u.%u; stream v1 "
				"carries ABI 1.0 only",
				i, v->abi.major, v->abi.minor);
		if (v->features & ~PVABI_F_ALL_1_0)
			return pvabi_why(
				PVABI_E_UNSUPPORTED, why, whylen,
				"vCPU %u negotiated features 0x%llx beyond "
				"ABI 1.0's; stream v1 can't carry them",
				i, (unsigned long long)v->features);
	}
	return 0;
}

/* page_used() and zero_tail() work in 64-byte blocks (simd.h), rather
 * than memcmp against a zero buffer, which loads every byte twice
 * (issue 18). */
#define OR_IN(acc, p)                                                          \
	do {                                                                   \
		block64 b_;                                                    \
		memcpy(&b_, (p), sizeof(b_));                                  \
		(acc) |= b_;                                                   \
	} while (0)

/*
 * The page's address modulo 64, the misalignment its vector loops step
 * over first: a struct pvabi_state_vcpu is 4360 bytes, so the pages of a
 * vcpus array sit 8 bytes further from a cache line each, and a 64-byte
 * access that is not aligned touches two lines (issue 18).
 */
static size_t end_misalign(const void *pg)
{
	return (uintptr_t)((const unsigned char *)pg + PVABI_PAGE_SIZE) & 63;
}

/*
 * Bytes of the page up to its last non-zero 8-byte word: MAGIC_PAGE leaves
 * out the zero tail (the reserved space a well-behaved guest never writes),
 * the way Xen's stream leaves out zero pages.  Lossless, and it keeps the
 * checksum from reading 3.4 KiB of zeros twice per vCPU.
 */
WIDEST_CLONES static size_t page_used(const struct pvabi_magic_page *pg)
{
	const unsigned char *p = (const unsigned char *)pg;
	size_t n = PVABI_PAGE_SIZE, mis = end_misalign(pg);
	pvabi_u64 w;

	/* A word at a time to a cache line boundary (the page is 8-byte
	 * aligned). */
	for (; mis >= 8; mis -= 8, n -= 8) {
		memcpy(&w, p + n - 8, 8);
		if (w)
			return n;
	}
	/* 1 KiB steps, then 128 bytes: the horizontal OR at the end of each
	 * step costs as much as the loads of a few blocks. */
	for (; n >= 1024; n -= 1024) {
		block64 acc = {0}, acc2 = {0}; /* two chains of ORs */

		for (size_t k = 128; k <= 1024; k += 128) {
			OR_IN(acc, p + n - k);
			OR_IN(acc2, p + n - k + 64);
		}
		acc |= acc2;
		if (!BLOCK_ZERO(acc))
			break;
	}
	for (; n >= 128; n -= 128) {
		block64 acc = {0};

		OR_IN(acc, p + n - 64);
		OR_IN(acc, p + n - 128);
		if (!BLOCK_ZERO(acc))
			break;
	}
	for (; n >= 8; n -= 8) {
		memcpy(&w, p + n - 8, 8);
		if (w)
			break;
	}
	return n;
}

/* The page past @used (a multiple of 8) zeroed, as page_used() reads it:
 * 64-byte stores to whole cache lines in the clone for the widest
 * registers. */
WIDEST_CLONES static void zero_tail(struct pvabi_magic_page *pg, size_t used)
{
	unsigned char *p = (unsigned char *)pg;
	const block64 zero = {0};
	const pvabi_u64 z = 0;
	size_t n = PVABI_PAGE_SIZE, mis = end_misalign(pg);

	for (; mis >= 8 && n > used; mis -= 8, n -= 8)
		memcpy(p + n - 8, &z, 8);
	for (; n >= used + 64; n -= 64)
		memcpy(p + n - 64, &zero, sizeof(zero));
	for (; n > used; n -= 8)
		memcpy(p + n - 8, &z, 8);
}

static size_t dlv_len(const struct pvabi_dlv_state *d)
{
	return DLV_FIXED + 4 * (size_t)d->n_pending;
}

/* The VCPU record of @v, header included, with a page of @page bytes. */
static size_t vcpu_rec_len(const struct pvabi_state_vcpu *v, size_t page,
			   pvabi_u32 version)
{
	size_t n = REC_HDR + VCPU_PREFIX + REC_HDR + ABI_LEN + REC_HDR + page +
		   REC_HDR + pad8(dlv_len(&v->dlv));

	if (version >= 2 && v->has_defer_bound)
		n += REC_HDR + BOUND_LEN;
	return n;
}

PVABI_EXPORT long pvabi_state_size(const struct pvabi_state *st,
				   pvabi_u32 version)
{
	size_t n = PVABI_STATE_HEADER_SIZE + REC_HDR + END_LEN;
	int err = pvabi_state_fits(st, version, NULL, 0);

	if (err)
		return err;
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++) {
		const struct pvabi_state_vcpu *v = &st->vcpus[i];

		n += vcpu_rec_len(v, page_used(&v->page), version);
	}
	return (long)n;
}

/* ---------------------------------------------------------- writer */

static unsigned char *put_rec(enum pvabi_byte_order o, unsigned char *p,
			      pvabi_u32 type, size_t len)
{
	put32(o, p, type);
	put32(o, p + 4, (pvabi_u32)len);
	/* At most 7 bytes, mostly none: not worth a call to memset. */
	for (size_t k = len; k < pad8(len); k++)
		p[REC_HDR + k] = 0;
	return p + REC_HDR;
}

static unsigned char *write_vcpu(enum pvabi_byte_order o, unsigned char *p,
				 pvabi_u32 id, const struct pvabi_state_vcpu *v,
				 size_t used, pvabi_u32 version)
{
	const struct pvabi_dlv_state *d = &v->dlv;
	pvabi_u64 stats[N_STATS];
	size_t dl = dlv_len(d);

	memcpy(stats, &d->stats, sizeof(stats));
	p = put_rec(o, p, PVABI_REC_VCPU,
		    vcpu_rec_len(v, used, version) - REC_HDR);
	put32(o, p, id);
	put32(o, p + 4, 0);
	p += VCPU_PREFIX;

	p = put_rec(o, p, PVABI_REC_ABI, ABI_LEN);
	put16(o, p, v->abi.major);
	put16(o, p + 2, v->abi.minor);
	p[4] = (unsigned char)v->page_order;
	p[5] = p[6] = p[7] = 0;
	put64(o, p + 8, v->features);
	p += ABI_LEN;

	p = put_rec(o, p, PVABI_REC_MAGIC_PAGE, used);
	memcpy(p, &v->page, used);
	p += used;

	p = put_rec(o, p, PVABI_REC_DELIVERY, dl);
	put32(o, p, d->flags);
	put32(o, p + 4, d->n_pending);
	for (unsigned k = 0; k < N_STATS; k++)
		put64(o, p + 8 + 8 * k, stats[k]);
	for (pvabi_u32 k = 0; k < d->n_pending; k++)
		put32(o, p + DLV_FIXED + 4 * k, d->pending[k]);
	p += pad8(dl);

	if (version >= 2 && v->has_defer_bound) {
		p = put_rec(o, p, PVABI_REC_DEFER_BOUND, BOUND_LEN);
		put32(o, p, d->deferred_exits);
		put32(o, p + 4, 0);
		put64(o, p + 8, d->deferred_ns);
		p += BOUND_LEN;
	}
	return p;
}

PVABI_EXPORT long pvabi_state_write(const struct pvabi_state *st,
				    pvabi_u32 version,
				    enum pvabi_byte_order order, void *buf,
				    size_t len, char *why, size_t whylen)
{
	unsigned char *start = buf, *p = buf, *end;
	long size;
	int err;

	if (!order_ok(order))
		return pvabi_why(
			PVABI_E_INVAL, why, whylen,
			"stream byte order %u is neither 1 (little) nor 2 "
			"(big)",
			order);
	err = pvabi_state_fits(st, version, why, whylen);
	if (err)
		return err;
	if (!buf || len < PVABI_STATE_HEADER_SIZE + REC_HDR + END_LEN)
		goto nospace;
	end = start + len - REC_HDR - END_LEN;

	memcpy(p, PVABI_STATE_MAGIC, 8);
	p[8] = (unsigned char)order;
	p[9] = p[10] = p[11] = 0;
	put32(order, p + 12, version);
	put32(order, p + 16, st->n_vcpus);
	put32(order, p + 20, 0);
	p += PVABI_STATE_HEADER_SIZE;
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++) {
		const struct pvabi_state_vcpu *v = &st->vcpus[i];
		size_t used = page_used(&v->page);

		if ((size_t)(end - p) < vcpu_rec_len(v, used, version))
			goto nospace;
		p = write_vcpu(order, p, i, v, used, version);
	}
	p = put_rec(order, p, PVABI_REC_END, END_LEN);
	put32(order, p, pvabi_crc32c(0, start, (size_t)(p - start)));
	put32(order, p + 4, 0);
	return (long)(p + END_LEN - start);
nospace:
	size = pvabi_state_size(st, version);
	return pvabi_why(PVABI_E_NOSPACE, why, whylen,
			 "the stream needs %ld bytes, the buffer has %zu", size,
			 buf ? len : 0);
}

/* ---------------------------------------------------------- reader */

struct reader {
	const unsigned char *buf;
	size_t len;
	enum pvabi_byte_order o;
	pvabi_u32 version;
	char *why;
	size_t whylen;
};

struct rec {
	pvabi_u32 type;
	pvabi_u32 len; /* body bytes */
	size_t off;    /* of the record header */
	size_t end;    /* past the padding */
	const unsigned char *body;
};

/* "record DELIVERY (0x00000004)" or "record 0x00000042" */
static const char *rec_name(pvabi_u32 type, char *buf, size_t len)
{
	const char *name = pvabi_state_record_name(type);

	if (name)
		snprintf(buf, len, "record %s (0x%08x)", name, type);
	else
		snprintf(buf, len, "record 0x%08x", type);
	return buf;
}

/* "" at top level, " of vCPU 3" inside one */
static const char *where(int vcpu, char *buf, size_t len)
{
	if (vcpu < 0)
		*buf = 0;
	else
		snprintf(buf, len, " of vCPU %d", vcpu);
	return buf;
}

/* next_rec()'s refusals, out of its way: it runs for every record. */
static __attribute__((cold, noinline)) int rec_refused(struct reader *r,
						       const struct rec *rec,
						       size_t off, size_t limit,
						       int vcpu, size_t bad)
{
	char n[48], w[24];

	if (limit - off < REC_HDR) {
		if (vcpu < 0)
			return pvabi_why(
				PVABI_E_TRUNCATED, r->why, r->whylen,
				"stream ends at offset 0x%zx, inside a "
				"record header, before any END record",
				off);
		return pvabi_why(
			PVABI_E_TRUNCATED, r->why, r->whylen,
			"record header at offset 0x%zx runs past its VCPU "
			"container%s, which ends at 0x%zx",
			off, where(vcpu, w, sizeof(w)), limit);
	}
	if (!bad) {
		if (vcpu < 0)
			return pvabi_why(
				PVABI_E_TRUNCATED, r->why, r->whylen,
				"%s at offset 0x%zx: %u bytes run past the "
				"end of the stream (%zu bytes)",
				rec_name(rec->type, n, sizeof(n)), off,
				rec->len, r->len);
		return pvabi_why(
			PVABI_E_TRUNCATED, r->why, r->whylen,
			"%s%s at offset 0x%zx: %u bytes run past its VCPU "
			"container, which ends at 0x%zx",
			rec_name(rec->type, n, sizeof(n)),
			where(vcpu, w, sizeof(w)), off, rec->len, limit);
	}
	return pvabi_why(PVABI_E_RESERVED, r->why, r->whylen,
			 "%s%s at offset 0x%zx: padding byte at "
			 "0x%zx is not zero",
			 rec_name(rec->type, n, sizeof(n)),
			 where(vcpu, w, sizeof(w)), off, bad);
}

/* The record at @off, which must end by @limit (the end of the stream or
 * of the VCPU container it sits in). */
static inline int next_rec(struct reader *r, size_t off, size_t limit, int vcpu,
			   struct rec *rec)
{
	if (limit - off < REC_HDR)
		return rec_refused(r, rec, off, limit, vcpu, 0);
	rec->off = off;
	rec->type = get32(r->o, r->buf + off);
	rec->len = get32(r->o, r->buf + off + 4);
	rec->body = r->buf + off + REC_HDR;
	/* limit - off - REC_HDR can't underflow; compare without overflow. */
	if (pad8(rec->len) > limit - off - REC_HDR)
		return rec_refused(r, rec, off, limit, vcpu, 0);
	rec->end = off + REC_HDR + pad8(rec->len);
	for (size_t k = rec->len; k < pad8(rec->len); k++)
		if (rec->body[k])
			return rec_refused(r, rec, off, limit, vcpu,
					   off + REC_HDR + k);
	return 0;
}

/* Known to a reader of this stream's version?  A record newer than the
 * stream is read as a reader of that version would: as unknown. */
static const struct pvabi_record_info *known(struct reader *r, pvabi_u32 type)
{
	const struct pvabi_record_info *info = record_info(type);

	return info && info->since <= r->version ? info : NULL;
}

static int unknown_rec(struct reader *r, const struct rec *rec, int vcpu)
{
	char n[48], w[24];

	if (rec->type & PVABI_REC_OPTIONAL)
		return 0;
	return pvabi_why(
		PVABI_E_UNSUPPORTED, r->why, r->whylen,
		"%s%s at offset 0x%zx is mandatory and unknown to a stream "
		"v%u reader",
		rec_name(rec->type, n, sizeof(n)), where(vcpu, w, sizeof(w)),
		rec->off, r->version);
}

static int bad_len(struct reader *r, const struct rec *rec, int vcpu,
		   size_t want)
{
	char n[48], w[24];

	return pvabi_why(PVABI_E_MALFORMED, r->why, r->whylen,
			 "%s%s at offset 0x%zx: length %u, want %zu",
			 rec_name(rec->type, n, sizeof(n)),
			 where(vcpu, w, sizeof(w)), rec->off, rec->len, want);
}

static int read_abi(struct reader *r, const struct rec *rec, pvabi_u32 i,
		    struct pvabi_state_vcpu *v)
{
	const unsigned char *b = rec->body;

	v->abi.major = get16(r->o, b);
	v->abi.minor = get16(r->o, b + 2);
	v->page_order = b[4];
	v->features = get64(r->o, b + 8);
	if (b[5] || b[6] || b[7])
		return pvabi_why(PVABI_E_RESERVED, r->why, r->whylen,
				 "record ABI (0x00000002) of vCPU %u at offset "
				 "0x%zx: reserved bytes are not zero",
				 i, rec->off);
	if (!order_ok(v->page_order))
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record ABI (0x00000002) of vCPU %u at offset 0x%zx: "
			"page byte order %u is neither 1 (little) nor 2 (big)",
			i, rec->off, v->page_order);
	if (v->abi.major != PVABI_VERSION_MAJOR)
		return pvabi_why(
			PVABI_E_BADVERSION, r->why, r->whylen,
			"record ABI (0x00000002) of vCPU %u at offset "
			"0x%zx: ABI %u.%u is not of major %u, the one this "
			"reader knows",
			i, rec->off, v->abi.major, v->abi.minor,
			PVABI_VERSION_MAJOR);
	if (r->version == 1 && v->abi.minor != 0)
		return pvabi_why(
			PVABI_E_BADVERSION, r->why, r->whylen,
			"record ABI (0x00000002) of vCPU %u at offset 0x%zx: "
			"ABI %u.%u in a v1 stream, which carries 1.0 only",
			i, rec->off, v->abi.major, v->abi.minor);
	if (v->features & pvabi_features_after(v->abi))
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record ABI (0x00000002) of vCPU %u at offset 0x%zx: "
			"features 0x%llx under ABI %u.%u, which predates "
			"some of them",
			i, rec->off, (unsigned long long)v->features,
			v->abi.major, v->abi.minor);
	if (r->version == 1 && (v->features & ~PVABI_F_ALL_1_0))
		return pvabi_why(
			PVABI_E_RESERVED, r->why, r->whylen,
			"record ABI (0x00000002) of vCPU %u at offset 0x%zx: "
			"features 0x%llx beyond ABI 1.0's in a v1 stream",
			i, rec->off, (unsigned long long)v->features);
	return 0;
}

static int read_delivery(struct reader *r, const struct rec *rec, pvabi_u32 i,
			 struct pvabi_dlv_state *d)
{
	const unsigned char *b = rec->body;
	pvabi_u32 flags, n;

	if (rec->len < DLV_FIXED)
		return bad_len(r, rec, (int)i, DLV_FIXED);
	flags = get32(r->o, b);
	n = get32(r->o, b + 4);
	if (n > PVABI_STATE_MAX_PENDING)
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record DELIVERY (0x00000004) of vCPU %u at offset "
			"0x%zx: %u pending vectors, at most %u",
			i, rec->off, n, PVABI_STATE_MAX_PENDING);
	if (rec->len != DLV_FIXED + 4 * n)
		return bad_len(r, rec, (int)i, DLV_FIXED + 4 * n);
	if (flags & ~PVABI_DLV_S_ALL)
		return pvabi_why(
			PVABI_E_RESERVED, r->why, r->whylen,
			"record DELIVERY (0x00000004) of vCPU %u at offset "
			"0x%zx: unknown flags 0x%x",
			i, rec->off, flags & ~PVABI_DLV_S_ALL);
	d->flags = flags;
	d->n_pending = n;
	/* Each counter stored in place: gathering them in an array and
	 * copying that with wider loads stalled on store forwarding, a fifth
	 * of the read's time. */
	for (unsigned k = 0; k < N_STATS; k++) {
		pvabi_u64 x = get64(r->o, b + 8 + 8 * k);

		memcpy((unsigned char *)&d->stats + 8 * k, &x, sizeof(x));
	}
	for (pvabi_u32 k = 0; k < n; k++)
		d->pending[k] = get32(r->o, b + DLV_FIXED + 4 * k);
	/* pvabi_dlv_restore() wants the unused entries zero. */
	memset(&d->pending[n], 0, (PVABI_STATE_MAX_PENDING - n) * 4);
	return 0;
}

/* The page's leading bytes; the rest is zero.  One encoding only: whole
 * 8-byte words, the last of them not zero. */
static int read_page(struct reader *r, const struct rec *rec, pvabi_u32 i,
		     struct pvabi_magic_page *pg)
{
	pvabi_u64 last = 0;

	if (rec->len >= 8)
		memcpy(&last, rec->body + rec->len - 8, 8);
	if (rec->len % 8 || (rec->len && !last))
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record MAGIC_PAGE (0x00000003) of vCPU %u at "
			"offset 0x%zx: length %u is not whole 8-byte words "
			"ending in a non-zero one",
			i, rec->off, rec->len);
	memcpy(pg, rec->body, rec->len);
	zero_tail(pg, rec->len);
	return 0;
}

static int read_vcpu(struct reader *r, const struct rec *vr, pvabi_u32 i,
		     struct pvabi_state_vcpu *v)
{
	static const unsigned char mandatory[] = {R_ABI, R_MAGIC_PAGE,
						  R_DELIVERY};
	size_t off = vr->off + REC_HDR + VCPU_PREFIX, limit = vr->end;
	bool seen[N_RECORDS] = {false};
	char n[48];
	int err;

	if (vr->len < VCPU_PREFIX || vr->len % 8)
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record VCPU at offset 0x%zx: length %u is not a "
			"multiple of 8 of at least 8",
			vr->off, vr->len);
	if (get32(r->o, vr->body) != i)
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"record VCPU at offset 0x%zx: vCPU id %u where %u "
			"comes next",
			vr->off, get32(r->o, vr->body), i);
	if (get32(r->o, vr->body + 4))
		return pvabi_why(
			PVABI_E_RESERVED, r->why, r->whylen,
			"record VCPU at offset 0x%zx: reserved field is "
			"not zero",
			vr->off);
	/* DELIVERY fills the rest; without DEFER_BOUND the age is zero. */
	v->dlv.deferred_exits = 0;
	v->dlv.reserved = 0;
	v->dlv.deferred_ns = 0;
	v->has_defer_bound = false;

	while (off < limit) {
		const struct pvabi_record_info *info;
		struct rec rec;

		err = next_rec(r, off, limit, (int)i, &rec);
		if (err)
			return err;
		off = rec.end;
		info = known(r, rec.type);
		if (!info) {
			err = unknown_rec(r, &rec, (int)i);
			if (err)
				return err;
			continue;
		}
		if (!info->in_vcpu)
			return pvabi_why(
				PVABI_E_MALFORMED, r->why, r->whylen,
				"%s at offset 0x%zx sits inside the VCPU "
				"record of vCPU %u",
				rec_name(rec.type, n, sizeof(n)), rec.off, i);
		if (seen[info - records])
			return pvabi_why(
				PVABI_E_MALFORMED, r->why, r->whylen,
				"%s of vCPU %u at offset 0x%zx: a second one",
				rec_name(rec.type, n, sizeof(n)), i, rec.off);
		seen[info - records] = true;
		if (rec.len < info->min_length || rec.len > info->max_length ||
		    (rec.len != info->min_length &&
		     rec.type != PVABI_REC_DELIVERY &&
		     rec.type != PVABI_REC_MAGIC_PAGE))
			return bad_len(r, &rec, (int)i, info->min_length);
		switch (rec.type) {
		case PVABI_REC_ABI: err = read_abi(r, &rec, i, v); break;
		case PVABI_REC_MAGIC_PAGE:
			err = read_page(r, &rec, i, &v->page);
			break;
		case PVABI_REC_DELIVERY:
			err = read_delivery(r, &rec, i, &v->dlv);
			break;
		case PVABI_REC_DEFER_BOUND:
			if (get32(r->o, rec.body + 4))
				return pvabi_why(
					PVABI_E_RESERVED, r->why, r->whylen,
					"record DEFER_BOUND (0x80000005) "
					"of vCPU %u at offset 0x%zx: "
					"reserved field is not zero",
					i, rec.off);
			v->has_defer_bound = true;
			v->dlv.deferred_exits = get32(r->o, rec.body);
			v->dlv.deferred_ns = get64(r->o, rec.body + 8);
			break;
		}
		if (err)
			return err;
	}
	for (size_t k = 0; k < sizeof(mandatory) / sizeof(mandatory[0]); k++)
		if (!seen[mandatory[k]])
			return pvabi_why(
				PVABI_E_NOTFOUND, r->why, r->whylen,
				"vCPU %u (record VCPU at offset 0x%zx) has "
				"no %s record",
				i, vr->off, records[mandatory[k]].name);
	return 0;
}

static int read_header(struct reader *r, pvabi_u32 *n_vcpus)
{
	const unsigned char *b = r->buf;

	if (r->len < PVABI_STATE_HEADER_SIZE)
		return pvabi_why(
			PVABI_E_TRUNCATED, r->why, r->whylen,
			"stream of %zu bytes is shorter than its %u-byte "
			"header",
			r->len, PVABI_STATE_HEADER_SIZE);
	if (memcmp(b, PVABI_STATE_MAGIC, 8))
		return pvabi_why(
			PVABI_E_BADMAGIC, r->why, r->whylen,
			"header at offset 0x0: not a pvabi state stream "
			"(bad magic)");
	if (!order_ok(b[8]))
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"header at offset 0x8: byte order %u is neither 1 "
			"(little) nor 2 (big)",
			b[8]);
	r->o = b[8];
	r->version = get32(r->o, b + 12);
	*n_vcpus = get32(r->o, b + 16);
	if (b[9] || b[10] || b[11] || get32(r->o, b + 20))
		return pvabi_why(
			PVABI_E_RESERVED, r->why, r->whylen,
			"header: reserved bytes at offset 0x9 or 0x14 are "
			"not zero");
	if (r->version < PVABI_STATE_VERSION_OLDEST ||
	    r->version > PVABI_STATE_VERSION)
		return pvabi_why(
			PVABI_E_BADVERSION, r->why, r->whylen,
			"header at offset 0xc: stream version %u; this "
			"reader takes %u to %u",
			r->version, PVABI_STATE_VERSION_OLDEST,
			PVABI_STATE_VERSION);
	if (*n_vcpus == 0 || *n_vcpus > PVABI_STATE_MAX_VCPUS)
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"header at offset 0x10: %u vCPUs, want 1 to %u",
			*n_vcpus, PVABI_STATE_MAX_VCPUS);
	return 0;
}

/* Walk the top level to END and check the checksum, before trusting any
 * record's contents.  *end_off receives END's offset. */
static int check_frame(struct reader *r, size_t *end_off)
{
	size_t off = PVABI_STATE_HEADER_SIZE;
	pvabi_u32 want, got;
	struct rec rec;
	int err;

	for (;;) {
		err = next_rec(r, off, r->len, -1, &rec);
		if (err)
			return err;
		if (rec.type == PVABI_REC_END)
			break;
		off = rec.end;
	}
	if (rec.len != END_LEN)
		return bad_len(r, &rec, -1, END_LEN);
	want = get32(r->o, rec.body);
	got = pvabi_crc32c(0, r->buf, rec.off + REC_HDR);
	if (want != got)
		return pvabi_why(
			PVABI_E_CHECKSUM, r->why, r->whylen,
			"record END (0x00000000) at offset 0x%zx: checksum "
			"0x%08x, but the %zu bytes before it sum to 0x%08x",
			rec.off, want, rec.off + REC_HDR, got);
	if (get32(r->o, rec.body + 4))
		return pvabi_why(
			PVABI_E_RESERVED, r->why, r->whylen,
			"record END (0x00000000) at offset 0x%zx: reserved "
			"field is not zero",
			rec.off);
	if (rec.end != r->len)
		return pvabi_why(
			PVABI_E_MALFORMED, r->why, r->whylen,
			"%zu bytes after the END record at offset 0x%zx",
			r->len - rec.end, rec.off);
	*end_off = rec.off;
	return 0;
}

PVABI_EXPORT int pvabi_state_read(const void *buf, size_t len,
				  struct pvabi_state *st, char *why,
				  size_t whylen)
{
	struct reader r = {buf, len, PVABI_LE, 0, why, whylen};
	struct pvabi_state_vcpu *vcpus;
	pvabi_u32 n_vcpus = 0, count = 0;
	size_t off = PVABI_STATE_HEADER_SIZE, end_off = 0;
	char n[48];
	int err;

	if (!buf || !st)
		return pvabi_why(PVABI_E_INVAL, why, whylen, "no stream");
	err = read_header(&r, &n_vcpus);
	if (!err)
		err = check_frame(&r, &end_off);
	if (err)
		return err;
	/* Every byte of every vCPU is written below: no need to zero. */
	vcpus = malloc(n_vcpus * sizeof(*vcpus));
	if (!vcpus)
		return pvabi_why(PVABI_E_NOMEM, why, whylen, "out of memory");

	while (off < end_off) {
		const struct pvabi_record_info *info;
		struct rec rec;

		err = next_rec(&r, off, end_off, -1, &rec);
		if (err)
			goto out;
		off = rec.end;
		info = known(&r, rec.type);
		if (!info) {
			err = unknown_rec(&r, &rec, -1);
			if (err)
				goto out;
			continue;
		}
		if (rec.type != PVABI_REC_VCPU) {
			err = pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"%s at offset 0x%zx sits at the top level, "
				"outside any VCPU record",
				rec_name(rec.type, n, sizeof(n)), rec.off);
			goto out;
		}
		if (count == n_vcpus) {
			err = pvabi_why(
				PVABI_E_MALFORMED, why, whylen,
				"record VCPU at offset 0x%zx: more vCPUs "
				"than the header's %u",
				rec.off, n_vcpus);
			goto out;
		}
		err = read_vcpu(&r, &rec, count, &vcpus[count]);
		if (err)
			goto out;
		count++;
	}
	if (count < n_vcpus) {
		err = pvabi_why(PVABI_E_NOTFOUND, why, whylen,
				"record END (0x00000000) at offset 0x%zx: the "
				"header promises %u vCPUs, the stream has %u",
				end_off, n_vcpus, count);
		goto out;
	}
	st->version = r.version;
	st->order = r.o;
	st->n_vcpus = n_vcpus;
	st->vcpus = vcpus;
	return 0;
out:
	free(vcpus);
	return err;
}

/* -------------------------------------------------- offers, restore */

PVABI_EXPORT int pvabi_state_check_offer(const struct pvabi_state *st,
					 const struct pvabi_offer *offer,
					 pvabi_u32 *vcpu, char *why,
					 size_t whylen)
{
	if (!st || !st->vcpus || !offer)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "no state or offer");
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++) {
		const struct pvabi_state_vcpu *v = &st->vcpus[i];
		struct pvabi_request req = {
			.min = v->abi,
			.max = v->abi,
			.wanted = v->features,
			.required = v->features,
		};
		struct pvabi_result res;
		char text[256];
		int err = pvabi_negotiate(offer, &req, &res);

		if (!err)
			continue;
		if (vcpu)
			*vcpu = i;
		pvabi_negotiate_explain(offer, &req, err, text, sizeof(text));
		return pvabi_why(err, why, whylen, "vCPU %u: %s", i, text);
	}
	return 0;
}

PVABI_EXPORT int pvabi_state_restore(const struct pvabi_state *st,
				     const struct pvabi_state_target *target,
				     void *ctx, char *why, size_t whylen)
{
	if (!st || !st->vcpus || !target || !target->check || !target->commit)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "no state or target");
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++) {
		char text[256] = "";
		int err = target->check(ctx, i, &st->vcpus[i], text,
					sizeof(text));

		if (err)
			return pvabi_why(err, why, whylen, "vCPU %u: %s", i,
					 *text ? text : pvabi_strerror(err));
	}
	for (pvabi_u32 i = 0; i < st->n_vcpus; i++)
		target->commit(ctx, i, &st->vcpus[i]);
	return 0;
}
