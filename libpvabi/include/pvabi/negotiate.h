/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/negotiate.h - agreeing on an ABI version and features.
 *
 * Freestanding: the kernel module compiles negotiate.c unchanged.
 *
 * The host *offers* a set of versions and a feature mask, already clamped by
 * the VM's policy.  Offering major.minor implies every minor below it of the
 * same major (minors only add fields).  The guest *requests* a version range
 * [min, max] (inclusive, ordered as major then minor), the features it
 * understands (wanted) and those it can't run without (required).
 *
 * A policy may set a floor below which nothing is offered.
 *
 * The result is the highest major both support, the highest minor of that
 * major both support, and offered & (wanted | required), less the bits
 * defined after that version: a host never grants a bit under a version
 * older than the one that defined it (pvabi_features_after()).
 */
#ifndef PVABI_NEGOTIATE_H
#define PVABI_NEGOTIATE_H

#include "abi.h"
#include "error.h"

/* An offer lists at most this many versions (a DT property or a netlink
 * attribute with more is refused as PVABI_E_MALFORMED).
 */
#define PVABI_OFFER_MAX_VERSIONS 16

struct pvabi_version {
	pvabi_u16 major;
	pvabi_u16 minor;
};

struct pvabi_offer {
	pvabi_u32 n_versions;
	struct pvabi_version versions[PVABI_OFFER_MAX_VERSIONS];
	/* Lowest version offered at all, for a policy that allows only
	 * [floor, ...]; {0, 0} means no floor.
	 */
	struct pvabi_version floor;
	pvabi_u64 features;
};

struct pvabi_request {
	struct pvabi_version min;
	struct pvabi_version max;
	pvabi_u64 wanted;
	pvabi_u64 required;
	/* Guest-physical page addresses.  magic_gpa is always checked;
	 * notify_gpa only when PVABI_F_NOTIFY is negotiated.  Pass both as 0
	 * to negotiate versions and features alone (an offline query): then
	 * neither is checked.
	 */
	pvabi_u64 magic_gpa;
	pvabi_u64 notify_gpa;
};

struct pvabi_result {
	struct pvabi_version version;
	pvabi_u64 features;
};

/**
 * pvabi_version_cmp - order two versions (major, then minor)
 * @a: one version
 * @b: the other
 *
 * Return: <0, 0 or >0 as @a is below, equal to or above @b.  Since 1.0.
 */
static inline int pvabi_version_cmp(struct pvabi_version a,
				    struct pvabi_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

/*
 * A version as one 32-bit word, the form hypercalls (abi.h) and pvabi.ko's
 * ioctls and netlink attributes (linux/pvabi.h) carry: the major in the high
 * 16 bits, the minor in the low 16.  PVABI_VERSION_PACKED() is the same for
 * constant expressions (static tables); code uses the functions below.
 */
#define PVABI_VERSION_PACKED(major, minor)                                     \
	((pvabi_u32)(major) << 16 | (pvabi_u32)(minor))

/**
 * pvabi_version_pack - a version as one 32-bit word
 * @v: the version
 *
 * Return: (@v.major << 16) | @v.minor.  Since 1.1.
 */
static inline pvabi_u32 pvabi_version_pack(struct pvabi_version v)
{
	return PVABI_VERSION_PACKED(v.major, v.minor);
}

/**
 * pvabi_version_unpack - a version from its 32-bit word
 * @packed: (major << 16) | minor
 *
 * Nothing is checked: a packed 0 gives major 0, which negotiation refuses.
 *
 * Return: the version.  Since 1.1.
 */
static inline struct pvabi_version pvabi_version_unpack(pvabi_u32 packed)
{
	struct pvabi_version v = {
		.major = (pvabi_u16)(packed >> 16),
		.minor = (pvabi_u16)(packed & 0xffff),
	};

	return v;
}

/**
 * pvabi_features_after - the feature bits a version predates
 * @v: a version
 *
 * The defined PVABI_F_* bits whose "since" (abi.h) is above @v: negotiation
 * never grants them under @v and an offer listing nothing newer never
 * carries them.  Bits no version defines yet are not among them.
 *
 * Return: the mask (PVABI_F_NESTING for 1.0, 0 from 1.1 on).  Since 1.1.
 */
static inline pvabi_u64 pvabi_features_after(struct pvabi_version v)
{
	if (v.major == 1 && v.minor == 0)
		return PVABI_F_ALL_1_1 & ~PVABI_F_ALL_1_0;
	return 0;
}

/**
 * pvabi_offer_check - validate an offer
 * @offer: the host's offer (possibly read from an untrusted blob)
 *
 * An offer is valid when it lists 1..PVABI_OFFER_MAX_VERSIONS versions, none
 * with major 0, with no version listed twice.
 *
 * Return: 0, or PVABI_E_INVAL (NULL), PVABI_E_MALFORMED (count out of range,
 * duplicate), PVABI_E_BADVERSION (major 0).  Since 1.0.
 */
int pvabi_offer_check(const struct pvabi_offer *offer);

/**
 * pvabi_gpa_check - validate a guest page address
 * @gpa: the guest-physical address of a page
 *
 * Return: 0, PVABI_E_BADADDR (zero or not page aligned) or PVABI_E_RESERVED
 * (bits at or above PVABI_GPA_BITS set).  Never "fixes" the address.
 * Since 1.0.
 */
int pvabi_gpa_check(pvabi_u64 gpa);

/**
 * pvabi_negotiate - agree on a version and features
 * @offer: the host's offer
 * @req: the guest's request
 * @res: filled on success; untouched on failure
 *
 * Return: 0 on success, or
 *  PVABI_E_INVAL       a NULL pointer;
 *  PVABI_E_MALFORMED,
 *  PVABI_E_BADVERSION  the offer is invalid (see pvabi_offer_check), or the
 *                      request's min is above its max or has major 0;
 *  PVABI_E_BADADDR,
 *  PVABI_E_RESERVED    a page address is refused (see pvabi_gpa_check), or
 *                      both pages are at the same address;
 *  PVABI_E_NOVERSION   no version is in both the offer and [min, max];
 *  PVABI_E_NOFEATURE   a required feature is not offered, or is newer
 *                      than the version agreed on (since 1.1).
 *
 * Since 1.0.
 */
int pvabi_negotiate(const struct pvabi_offer *offer,
		    const struct pvabi_request *req, struct pvabi_result *res);

/**
 * pvabi_offer_clamp - apply a VM's policy to a host's offer
 * @offer: in/out; versions above @hi are lowered to @hi where the major
 *         matches and dropped otherwise, the floor is raised to @lo, and
 *         features are masked with @features and, since 1.1, cleared of
 *         the bits every version left predates (pvabi_features_after())
 * @lo: the lowest version the policy allows
 * @hi: the highest version the policy allows
 * @features: the features the policy allows
 *
 * Return: 0, or PVABI_E_BADVERSION when @lo > @hi, or PVABI_E_NOVERSION when
 * nothing is left.  Since 1.0.
 */
int pvabi_offer_clamp(struct pvabi_offer *offer, struct pvabi_version lo,
		      struct pvabi_version hi, pvabi_u64 features);

#endif /* PVABI_NEGOTIATE_H */
