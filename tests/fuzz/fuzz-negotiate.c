// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Negotiation on arbitrary offers and requests, against an oracle.
 *
 * The oracle states the rules of pvabi/negotiate.h directly: the host
 * supports major.0 up to each minor it lists, from its floor up; the guest
 * supports [min, max].  The highest version in both is either the guest's
 * max or one of the listed versions, so checking those candidates finds it.
 *
 * Invariants: pvabi_negotiate() returns exactly the error the oracle
 * predicts; on success the version is in both sides' ranges and no
 * candidate above it is in both, the features are offered & (wanted |
 * required) less nesting under 1.0 (the one bit 1.1 defined) and include
 * every required one; on failure the result is untouched.
 * pvabi_offer_clamp() keeps exactly the versions in [lo, hi] that were
 * offered and never adds a feature; nesting stays only beside a version
 * other than 1.0.
 */
#include <stdbool.h>

#include "pvabi/pvabi.h"
#include "fuzz.h"

/* Versions come from a small range most of the time, so that offers and
 * requests meet, and from the whole range otherwise. */
static struct pvabi_version take_version(struct fuzz_input *in)
{
	struct pvabi_version v;
	unsigned mode = (unsigned)fuzz_take(in, 1);

	if (mode & 1) {
		v.major = (pvabi_u16)fuzz_take(in, 2);
		v.minor = (pvabi_u16)fuzz_take(in, 2);
	} else {
		v.major = (pvabi_u16)((mode >> 1) & 3);
		v.minor = (pvabi_u16)((mode >> 3) & 7);
	}
	return v;
}

static void take_offer(struct fuzz_input *in, struct pvabi_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->n_versions =
		(pvabi_u32)fuzz_take(in, 1) % (PVABI_OFFER_MAX_VERSIONS + 2);
	for (pvabi_u32 i = 0; i < PVABI_OFFER_MAX_VERSIONS; i++)
		o->versions[i] = take_version(in);
	if (fuzz_take(in, 1) & 1)
		o->floor = take_version(in);
	o->features = fuzz_take(in, 8);
}

static bool host_supports(const struct pvabi_offer *o, struct pvabi_version v)
{
	if (v.major == 0 || pvabi_version_cmp(v, o->floor) < 0)
		return false;
	for (pvabi_u32 i = 0; i < o->n_versions; i++)
		if (o->versions[i].major == v.major &&
		    v.minor <= o->versions[i].minor)
			return true;
	return false;
}

static bool guest_supports(const struct pvabi_request *r,
			   struct pvabi_version v)
{
	return pvabi_version_cmp(r->min, v) <= 0 &&
	       pvabi_version_cmp(v, r->max) <= 0;
}

/* The highest version both support, if any. */
static bool oracle_version(const struct pvabi_offer *o,
			   const struct pvabi_request *r,
			   struct pvabi_version *best)
{
	bool found = false;

	for (pvabi_u32 i = 0; i <= o->n_versions; i++) {
		struct pvabi_version c =
			i < o->n_versions ? o->versions[i] : r->max;

		if (host_supports(o, c) && guest_supports(r, c) &&
		    (!found || pvabi_version_cmp(c, *best) > 0)) {
			*best = c;
			found = true;
		}
	}
	return found;
}

static bool gpa_ok(pvabi_u64 gpa)
{
	return gpa && !(gpa % PVABI_PAGE_SIZE) &&
	       gpa < (1ull << PVABI_GPA_BITS);
}

static pvabi_u64 take_gpa(struct fuzz_input *in)
{
	unsigned mode = (unsigned)fuzz_take(in, 1) & 3;

	if (mode == 0)
		return 0;
	if (mode == 1) /* a page number: mostly valid addresses */
		return fuzz_take(in, 2) << PVABI_PAGE_SHIFT;
	return fuzz_take(in, 8);
}

static void check_negotiate(const struct pvabi_offer *o,
			    const struct pvabi_request *r)
{
	struct pvabi_result res, untouched;
	struct pvabi_version best = {0, 0};
	pvabi_u64 offered = o->features, feats;
	bool common = false;
	int err, want = 0;

	memset(&untouched, 0x5a, sizeof(untouched));
	res = untouched;
	err = pvabi_negotiate(o, r, &res);

	if (pvabi_offer_check(o))
		want = pvabi_offer_check(o);
	else if (r->min.major == 0 || pvabi_version_cmp(r->min, r->max) > 0)
		want = PVABI_E_BADVERSION;
	else if (!(common = oracle_version(o, r, &best)))
		want = PVABI_E_NOVERSION;
	if (common && best.major == 1 && best.minor == 0)
		offered &= ~PVABI_F_NESTING;
	feats = offered & (r->wanted | r->required);
	if (!want && (r->required & ~offered))
		want = PVABI_E_NOFEATURE;
	if (!want && (r->magic_gpa || r->notify_gpa)) {
		if (!gpa_ok(r->magic_gpa))
			want = pvabi_gpa_check(r->magic_gpa);
		else if ((feats & PVABI_F_NOTIFY) && !gpa_ok(r->notify_gpa))
			want = pvabi_gpa_check(r->notify_gpa);
		else if ((feats & PVABI_F_NOTIFY) &&
			 r->notify_gpa == r->magic_gpa)
			want = PVABI_E_BADADDR;
	}
	FUZZ_ASSERT(err == want);
	if (err) {
		FUZZ_ASSERT(!memcmp(&res, &untouched, sizeof(res)));
		return;
	}
	FUZZ_ASSERT(common);
	FUZZ_ASSERT(host_supports(o, res.version));
	FUZZ_ASSERT(guest_supports(r, res.version));
	FUZZ_ASSERT(!pvabi_version_cmp(res.version, best));
	FUZZ_ASSERT(res.features == feats);
	FUZZ_ASSERT((res.features & r->required) == r->required);
	FUZZ_ASSERT(!(res.features & ~o->features));
}

static void check_clamp(const struct pvabi_offer *o, struct pvabi_version lo,
			struct pvabi_version hi, pvabi_u64 mask)
{
	struct pvabi_offer c = *o;
	int err = pvabi_offer_clamp(&c, lo, hi, mask);
	/* Points where "supported" can change: each listed version, its
	 * neighbours, the bounds, the floor. */
	struct pvabi_version pts[4 * PVABI_OFFER_MAX_VERSIONS + 8];
	size_t n = 0;

	if (pvabi_offer_check(o)) {
		FUZZ_ASSERT(err == pvabi_offer_check(o));
		return;
	}
	if (lo.major == 0 || pvabi_version_cmp(lo, hi) > 0) {
		FUZZ_ASSERT(err == PVABI_E_BADVERSION);
		return;
	}
	FUZZ_ASSERT(err == 0 || err == PVABI_E_NOVERSION);
	FUZZ_ASSERT(err || pvabi_offer_check(&c) == 0);
	FUZZ_ASSERT(!(c.features & ~(o->features & mask)));
	{
		bool only_1_0 = c.n_versions > 0;

		for (pvabi_u32 i = 0; i < c.n_versions; i++)
			if (c.versions[i].major != 1 || c.versions[i].minor)
				only_1_0 = false;
		FUZZ_ASSERT(c.features == (o->features & mask &
					   ~(only_1_0 ? PVABI_F_NESTING : 0)));
	}

	for (pvabi_u32 i = 0; i < o->n_versions; i++) {
		struct pvabi_version v = o->versions[i];

		pts[n++] = v;
		pts[n++] = (struct pvabi_version){v.major, 0};
		if (v.minor < 0xffff)
			pts[n++] = (struct pvabi_version){
				v.major, (pvabi_u16)(v.minor + 1)};
	}
	pts[n++] = lo;
	pts[n++] = hi;
	pts[n++] = o->floor;
	if (hi.minor < 0xffff)
		pts[n++] = (struct pvabi_version){hi.major,
						  (pvabi_u16)(hi.minor + 1)};
	if (lo.minor)
		pts[n++] = (struct pvabi_version){lo.major,
						  (pvabi_u16)(lo.minor - 1)};
	for (size_t i = 0; i < n; i++) {
		bool before = host_supports(o, pts[i]) &&
			      pvabi_version_cmp(lo, pts[i]) <= 0 &&
			      pvabi_version_cmp(pts[i], hi) <= 0;

		FUZZ_ASSERT(host_supports(&c, pts[i]) == before);
	}
	/* Nothing left means nothing was supported in [lo, hi]. */
	if (err == PVABI_E_NOVERSION)
		FUZZ_ASSERT(c.n_versions == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct pvabi_offer offer;
	struct pvabi_request req;
	struct pvabi_version lo, hi;

	take_offer(&in, &offer);
	req.min = take_version(&in);
	req.max = take_version(&in);
	req.wanted = fuzz_take(&in, 8);
	req.required = fuzz_take(&in, 1) & 1 ? fuzz_take(&in, 8) : 0;
	req.magic_gpa = take_gpa(&in);
	req.notify_gpa = take_gpa(&in);
	check_negotiate(&offer, &req);

	lo = take_version(&in);
	hi = take_version(&in);
	check_clamp(&offer, lo, hi, fuzz_take(&in, 8));
	return 0;
}
