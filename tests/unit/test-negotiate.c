// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Negotiation against a brute-force oracle over versions 1.0-3.9: every
 * offer of one or two versions, with and without a floor, against every
 * guest range; every (offered, wanted, required) feature subset; and every
 * refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"

#define NV 30 /* 1.0 .. 3.9 */
static struct pvabi_version ver(int i)
{
	return (struct pvabi_version){(pvabi_u16)(1 + i / 10),
				      (pvabi_u16)(i % 10)};
}

/* Does the host support @v?  Listing M.m means M.0..M.m; floor cuts below. */
static bool host_has(const struct pvabi_offer *o, struct pvabi_version v)
{
	if (o->floor.major && pvabi_version_cmp(v, o->floor) < 0)
		return false;
	for (pvabi_u32 i = 0; i < o->n_versions; i++)
		if (o->versions[i].major == v.major &&
		    o->versions[i].minor >= v.minor)
			return true;
	return false;
}

/* The expected answer by enumeration: the highest version both take. */
static int oracle(const struct pvabi_offer *o, const struct pvabi_request *r,
		  struct pvabi_version *out)
{
	for (int i = NV - 1; i >= 0; i--) {
		struct pvabi_version v = ver(i);

		if (pvabi_version_cmp(v, r->min) >= 0 &&
		    pvabi_version_cmp(v, r->max) <= 0 && host_has(o, v)) {
			*out = v;
			return 0;
		}
	}
	return PVABI_E_NOVERSION;
}

static void check(const struct pvabi_offer *o, const struct pvabi_request *r,
		  unsigned long *agreed, unsigned long *refused)
{
	struct pvabi_result res;
	struct pvabi_version want;
	int exp = oracle(o, r, &want);
	int got = pvabi_negotiate(o, r, &res);

	if (got != exp)
		fail_msg("offer %u.%u(+%u) floor %u.%u, range %u.%u-%u.%u: got "
			 "%d want %d",
			 o->versions[0].major, o->versions[0].minor,
			 o->n_versions, o->floor.major, o->floor.minor,
			 r->min.major, r->min.minor, r->max.major, r->max.minor,
			 got, exp);
	if (exp == 0) {
		assert_int_equal(res.version.major, want.major);
		assert_int_equal(res.version.minor, want.minor);
		++*agreed;
	} else {
		++*refused;
	}
}

static void test_version_matrix(void **state)
{
	unsigned long agreed = 0, refused = 0;
	struct pvabi_version floors[] = {{0, 0}, {1, 5}, {2, 0}, {3, 3}};

	for (size_t f = 0; f < sizeof(floors) / sizeof(floors[0]); f++)
		for (int a = 0; a < NV; a++)
			for (int b = a; b < NV; b++) {
				struct pvabi_offer o = {0};

				o.versions[o.n_versions++] = ver(a);
				if (b != a)
					o.versions[o.n_versions++] = ver(b);
				o.floor = floors[f];
				for (int lo = 0; lo < NV; lo++)
					for (int hi = lo; hi < NV; hi++) {
						struct pvabi_request r = {
							.min = ver(lo),
							.max = ver(hi)};
						check(&o, &r, &agreed,
						      &refused);
					}
			}
	/* Both outcomes must actually occur in the matrix. */
	assert_true(agreed > 100000);
	assert_true(refused > 100000);
	print_message("# %lu agreements, %lu refusals checked\n", agreed,
		      refused);
}

/*
 * Every (offered, wanted, required) subset of bits [0, nbits) -- required
 * in steps of @step -- against an offer of @offer_max and a guest range
 * 1.0-@guest_max: the result is offered & (wanted | required) within
 * @usable, the bits the agreed version has; a required bit outside that is
 * refused.  Returns the number of combinations checked.
 */
static unsigned long feature_matrix(struct pvabi_version offer_max,
				    struct pvabi_version guest_max,
				    unsigned nbits, unsigned step,
				    unsigned usable)
{
	struct pvabi_offer o = {.n_versions = 1, .versions = {offer_max}};
	struct pvabi_request r = {.min = {1, 0}, .max = guest_max};
	unsigned long n = 0;

	for (unsigned off = 0; off < 1u << nbits; off++)
		for (unsigned want = 0; want < 1u << nbits; want++)
			for (unsigned req = 0; req < 1u << nbits; req += step) {
				struct pvabi_result res;
				int err;

				o.features = off;
				r.wanted = want;
				r.required = req;
				err = pvabi_negotiate(&o, &r, &res);
				n++;
				if (req & ~(off & usable)) {
					assert_int_equal(err,
							 PVABI_E_NOFEATURE);
					continue;
				}
				assert_int_equal(err, 0);
				assert_int_equal(res.version.minor,
						 guest_max.minor);
				assert_int_equal(res.features,
						 off & usable & (want | req));
			}
	return n;
}

static void test_feature_matrix(void **state)
{
	assert_int_equal(feature_matrix((struct pvabi_version){1, 0},
					(struct pvabi_version){1, 0}, 6, 1,
					0x3f),
			 64 * 64 * 64);
}

/* Bits 0-6 under 1.0 and 1.1: nesting (1.1) is granted only under 1.1,
 * and a guest requiring it at 1.0 is refused. */
static void test_feature_since(void **state)
{
	for (pvabi_u16 minor = 0; minor <= 1; minor++)
		assert_true(feature_matrix((struct pvabi_version){1, 1},
					   (struct pvabi_version){1, minor}, 7,
					   3, minor ? 0x7f : 0x3f) > 100000);
}

static struct pvabi_offer offer_1_0(void)
{
	return (struct pvabi_offer){.n_versions = 1,
				    .versions = {{1, 0}},
				    .features = PVABI_F_NOTIFY};
}

static struct pvabi_request req_1_0(void)
{
	return (struct pvabi_request){.min = {1, 0},
				      .max = {1, 0},
				      .wanted = PVABI_F_NOTIFY,
				      .magic_gpa = 0x10000,
				      .notify_gpa = 0x11000};
}

static void test_refusals(void **state)
{
	struct pvabi_offer o = offer_1_0();
	struct pvabi_request r = req_1_0();
	struct pvabi_result res = {{7, 7}, 7};

	assert_int_equal(pvabi_negotiate(&o, &r, &res), 0);
	assert_int_equal(res.features, PVABI_F_NOTIFY);

	assert_int_equal(pvabi_negotiate(NULL, &r, &res), PVABI_E_INVAL);
	assert_int_equal(pvabi_negotiate(&o, NULL, &res), PVABI_E_INVAL);
	assert_int_equal(pvabi_negotiate(&o, &r, NULL), PVABI_E_INVAL);

	o.n_versions = 0;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_MALFORMED);
	o.n_versions = PVABI_OFFER_MAX_VERSIONS + 1;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_MALFORMED);
	o = offer_1_0();
	o.versions[0].major = 0;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADVERSION);
	o = offer_1_0();
	o.versions[1] = o.versions[0];
	o.n_versions = 2;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_MALFORMED);

	o = offer_1_0();
	r.min = (struct pvabi_version){1, 1};
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADVERSION);
	r = req_1_0();
	r.min.major = 0;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADVERSION);

	r = req_1_0();
	r.magic_gpa = 0x10008;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADADDR);
	r.magic_gpa = 0;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADADDR);
	r.magic_gpa = 1ull << 52;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_RESERVED);
	r.magic_gpa = 0x10000;
	r.notify_gpa = 0x10000;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADADDR);
	r.notify_gpa = 0x11800;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_BADADDR);
	/* Without the notify feature its page is not looked at. */
	r.wanted = 0;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), 0);

	r = req_1_0();
	r.required = PVABI_F_BOOKE;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_NOFEATURE);

	r = req_1_0();
	r.min = (struct pvabi_version){2, 0};
	r.max = (struct pvabi_version){2, 9};
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_NOVERSION);

	/* A refusal leaves the result alone. */
	assert_int_equal(res.version.major, 1);
}

static void test_gpa_check(void **state)
{
	assert_int_equal(pvabi_gpa_check(0x1000), 0);
	assert_int_equal(pvabi_gpa_check((1ull << 52) - 0x1000), 0);
	assert_int_equal(pvabi_gpa_check(0), PVABI_E_BADADDR);
	assert_int_equal(pvabi_gpa_check(0xfff), PVABI_E_BADADDR);
	assert_int_equal(pvabi_gpa_check(1ull << 63), PVABI_E_RESERVED);
}

static void test_clamp(void **state)
{
	struct pvabi_offer o = {.n_versions = 3,
				.versions = {{1, 0}, {1, 5}, {2, 1}},
				.features = PVABI_F_NOTIFY | PVABI_F_BOOKE};
	struct pvabi_request r = {.min = {1, 0}, .max = {3, 0}};
	struct pvabi_result res;

	/* Policy 1.2-1.3: 1.5 lowers to 1.3, 2.1 goes, 1.0 is under the
	 * floor, features are masked. */
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 2},
					   (struct pvabi_version){1, 3},
					   PVABI_F_NOTIFY),
			 0);
	assert_int_equal(o.n_versions, 1);
	assert_int_equal(o.versions[0].major, 1);
	assert_int_equal(o.versions[0].minor, 3);
	assert_int_equal(o.floor.minor, 2);
	assert_int_equal(o.features, PVABI_F_NOTIFY);
	r.wanted = PVABI_F_NOTIFY | PVABI_F_BOOKE;
	assert_int_equal(pvabi_negotiate(&o, &r, &res), 0);
	assert_int_equal(res.version.minor, 3);
	assert_int_equal(res.features, PVABI_F_NOTIFY);
	r.max = (struct pvabi_version){1, 1};
	assert_int_equal(pvabi_negotiate(&o, &r, &res), PVABI_E_NOVERSION);

	o = (struct pvabi_offer){.n_versions = 2, .versions = {{1, 4}, {1, 6}}};
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 0},
					   (struct pvabi_version){1, 3}, 0),
			 0);
	assert_int_equal(o.n_versions, 1); /* both lowered to 1.3: one left */

	/* A policy of 1.0 leaves no room for a 1.1 bit; 1.0-1.1 keeps it. */
	o = (struct pvabi_offer){.n_versions = 1,
				 .versions = {{1, 1}},
				 .features = PVABI_F_ALL_1_1};
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 0},
					   (struct pvabi_version){1, 0},
					   PVABI_F_ALL_1_1),
			 0);
	assert_int_equal(o.features, PVABI_F_ALL_1_0);
	o = (struct pvabi_offer){.n_versions = 2,
				 .versions = {{1, 0}, {1, 1}},
				 .features = PVABI_F_ALL_1_1};
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 0},
					   (struct pvabi_version){1, 1},
					   PVABI_F_ALL_1_1),
			 0);
	assert_int_equal(o.features, PVABI_F_ALL_1_1);

	o = (struct pvabi_offer){.n_versions = 1, .versions = {{2, 0}}};
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 0},
					   (struct pvabi_version){1, 9}, 0),
			 PVABI_E_NOVERSION);
	o = (struct pvabi_offer){.n_versions = 1, .versions = {{1, 0}}};
	assert_int_equal(pvabi_offer_clamp(&o, (struct pvabi_version){1, 3},
					   (struct pvabi_version){1, 2}, 0),
			 PVABI_E_BADVERSION);
}

/* The 32-bit form of hypercalls, ioctls and netlink attributes. */
static void test_version_pack(void **state)
{
	static const pvabi_u32 packed = PVABI_VERSION_PACKED(2, 7);
	struct pvabi_version v = {1, 0xffff}, back;

	assert_int_equal(pvabi_version_pack(v), 0x1ffff);
	assert_int_equal(packed, 0x20007);
	back = pvabi_version_unpack(0x20007);
	assert_int_equal(back.major, 2);
	assert_int_equal(back.minor, 7);
	back = pvabi_version_unpack(pvabi_version_pack(v));
	assert_int_equal(pvabi_version_cmp(back, v), 0);
	back = pvabi_version_unpack(0xffffffffu);
	assert_int_equal(back.major, 0xffff);
	assert_int_equal(back.minor, 0xffff);
	/* Packing keeps the order: a word compare is a version compare. */
	assert_true(pvabi_version_pack((struct pvabi_version){1, 0xffff}) <
		    pvabi_version_pack((struct pvabi_version){2, 0}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_matrix),
		cmocka_unit_test(test_feature_matrix),
		cmocka_unit_test(test_feature_since),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_gpa_check),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_version_pack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
