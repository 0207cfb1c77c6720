// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Version and feature negotiation.  Freestanding: compiled unchanged into
 * the kernel module, so no libc here.
 */
#include "pvabi/negotiate.h"
#include "export.h"

PVABI_EXPORT int pvabi_offer_check(const struct pvabi_offer *offer)
{
	pvabi_u32 i, j;

	if (!offer)
		return PVABI_E_INVAL;
	if (offer->n_versions == 0 ||
	    offer->n_versions > PVABI_OFFER_MAX_VERSIONS)
		return PVABI_E_MALFORMED;
	for (i = 0; i < offer->n_versions; i++) {
		if (offer->versions[i].major == 0)
			return PVABI_E_BADVERSION;
		for (j = 0; j < i; j++)
			if (!pvabi_version_cmp(offer->versions[i],
					       offer->versions[j]))
				return PVABI_E_MALFORMED;
	}
	return 0;
}

PVABI_EXPORT int pvabi_gpa_check(pvabi_u64 gpa)
{
	if (gpa == 0 || (gpa & (PVABI_PAGE_SIZE - 1)))
		return PVABI_E_BADADDR;
	if (gpa >> PVABI_GPA_BITS)
		return PVABI_E_RESERVED;
	return 0;
}

PVABI_EXPORT int pvabi_offer_clamp(struct pvabi_offer *offer,
				   struct pvabi_version lo,
				   struct pvabi_version hi, pvabi_u64 features)
{
	pvabi_u32 i, n = 0;
	pvabi_u64 too_new;
	int err = pvabi_offer_check(offer);

	if (err)
		return err;
	if (lo.major == 0 || pvabi_version_cmp(lo, hi) > 0)
		return PVABI_E_BADVERSION;
	for (i = 0; i < offer->n_versions; i++) {
		struct pvabi_version v = offer->versions[i];

		if (pvabi_version_cmp(v, hi) > 0) {
			/* Offering v.major.x implies every lower minor. */
			if (v.major != hi.major)
				continue;
			v = hi;
		}
		if (pvabi_version_cmp(v, lo) < 0)
			continue;
		offer->versions[n++] = v;
	}
	/* Lowering two entries to hi can make a duplicate: drop it. */
	for (i = 0; i < n; i++) {
		pvabi_u32 j;

		for (j = i + 1; j < n;) {
			if (!pvabi_version_cmp(offer->versions[i],
					       offer->versions[j]))
				offer->versions[j] = offer->versions[--n];
			else
				j++;
		}
	}
	offer->n_versions = n;
	if (pvabi_version_cmp(lo, offer->floor) > 0)
		offer->floor = lo;
	/* A bit stays only if some version left is new enough for it. */
	too_new = n ? ~0ull : 0;
	for (i = 0; i < n; i++)
		too_new &= pvabi_features_after(offer->versions[i]);
	offer->features &= features & ~too_new;
	return n ? 0 : PVABI_E_NOVERSION;
}

/*
 * The highest version of @major that both sides support, or minor -1.
 * The host supports major.0 up to the highest minor it lists for @major,
 * cut below at its floor; the guest supports its [min, max].
 */
static int common_minor(const struct pvabi_offer *offer,
			const struct pvabi_request *req, pvabi_u16 major)
{
	int host_hi = -1, lo = 0, hi;
	pvabi_u32 i;

	for (i = 0; i < offer->n_versions; i++)
		if (offer->versions[i].major == major &&
		    offer->versions[i].minor > host_hi)
			host_hi = offer->versions[i].minor;
	if (host_hi < 0)
		return -1;
	hi = host_hi;
	if (major == req->max.major && req->max.minor < hi)
		hi = req->max.minor;
	if (major == req->min.major)
		lo = req->min.minor;
	if (major == offer->floor.major && offer->floor.minor > lo)
		lo = offer->floor.minor;
	if (major < offer->floor.major)
		return -1;
	return hi >= lo ? hi : -1;
}

PVABI_EXPORT int pvabi_negotiate(const struct pvabi_offer *offer,
				 const struct pvabi_request *req,
				 struct pvabi_result *res)
{
	pvabi_u32 i, major = 0;
	int err, minor = -1;
	struct pvabi_version agreed;
	pvabi_u64 features;

	if (!offer || !req || !res)
		return PVABI_E_INVAL;
	err = pvabi_offer_check(offer);
	if (err)
		return err;
	if (req->min.major == 0 || pvabi_version_cmp(req->min, req->max) > 0)
		return PVABI_E_BADVERSION;

	/*
	 * Only a major the host lists can be agreed on: try those, keeping
	 * the highest that works.  Walking every major of the guest's range
	 * instead would let a guest asking for 1.0-65535.x cost the host
	 * 65535 passes per hypercall.
	 */
	for (i = 0; i < offer->n_versions; i++) {
		pvabi_u16 m = offer->versions[i].major;
		int mi;

		if (m < req->min.major || m > req->max.major || m <= major)
			continue;
		mi = common_minor(offer, req, m);
		if (mi >= 0) {
			major = m;
			minor = mi;
		}
	}
	if (minor < 0)
		return PVABI_E_NOVERSION;

	agreed.major = (pvabi_u16)major;
	agreed.minor = (pvabi_u16)minor;
	features = offer->features & ~pvabi_features_after(agreed);
	if (req->required & ~features)
		return PVABI_E_NOFEATURE;
	features &= req->wanted | req->required;

	if (req->magic_gpa || req->notify_gpa) {
		err = pvabi_gpa_check(req->magic_gpa);
		if (err)
			return err;
		if (features & PVABI_F_NOTIFY) {
			err = pvabi_gpa_check(req->notify_gpa);
			if (err)
				return err;
			if (req->notify_gpa == req->magic_gpa)
				return PVABI_E_BADADDR;
		}
	}

	res->version = agreed;
	res->features = features;
	return 0;
}
