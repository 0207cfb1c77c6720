// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Migration state streams: checksum, round trips, version rules, damage,
 * offers, and restoring all vCPUs or none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"
#include "crc32c.h"
#include "state-golden.h"

#define BUF 16384

static void sample(struct pvabi_state *st)
{
	assert_int_equal(pvabi_state_init(st, 2), 0);
	golden_state(st, true);
}

static long write_to(const struct pvabi_state *st, pvabi_u32 version,
		     enum pvabi_byte_order order, unsigned char *out)
{
	char why[256] = "";
	long n = pvabi_state_write(st, version, order, out, BUF, why,
				   sizeof(why));

	if (n < 0)
		fail_msg("write v%u: %s", version, why);
	return n;
}

static void test_crc32c(void **state)
{
	static unsigned char buf[9000];
	pvabi_u32 a, b;

	/* The CRC32C check value (RFC 3720's polynomial, "123456789"). */
	assert_int_equal(pvabi_crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(pvabi_crc32c_sw(0, "123456789", 9), 0xe3069283);
	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rand();
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len < sizeof(buf) - 16; len += 997)
			assert_int_equal(pvabi_crc32c(0, buf + off, len),
					 pvabi_crc32c_sw(0, buf + off, len));
	a = pvabi_crc32c(pvabi_crc32c(0, buf, 1000), buf + 1000, 3000);
	b = pvabi_crc32c_sw(0, buf, 4000);
	assert_int_equal(a, b);
}

static void assert_same_state(const struct pvabi_state *a,
			      const struct pvabi_state *b, bool bound)
{
	assert_int_equal(a->n_vcpus, b->n_vcpus);
	for (pvabi_u32 i = 0; i < a->n_vcpus; i++) {
		const struct pvabi_state_vcpu *x = &a->vcpus[i],
					      *y = &b->vcpus[i];
		struct pvabi_dlv_state dx = x->dlv, dy = y->dlv;

		assert_memory_equal(&x->page, &y->page, sizeof(x->page));
		assert_int_equal(x->abi.major, y->abi.major);
		assert_int_equal(x->abi.minor, y->abi.minor);
		assert_int_equal(x->features, y->features);
		assert_int_equal(x->page_order, y->page_order);
		if (!bound) {
			dx.deferred_exits = dy.deferred_exits = 0;
			dx.deferred_ns = dy.deferred_ns = 0;
		} else {
			assert_int_equal(x->has_defer_bound,
					 y->has_defer_bound);
		}
		assert_memory_equal(&dx, &dy, sizeof(dx));
	}
}

/* save -> load -> save is byte-identical, in each version and order. */
static void test_round_trip(void **state)
{
	static const enum pvabi_byte_order orders[] = {PVABI_LE, PVABI_BE};
	struct pvabi_state st;

	sample(&st);
	for (pvabi_u32 v = PVABI_STATE_VERSION_OLDEST; v <= PVABI_STATE_VERSION;
	     v++) {
		for (int o = 0; o < 2; o++) {
			unsigned char a[BUF], b[BUF];
			struct pvabi_state back;
			long n = write_to(&st, v, orders[o], a);

			assert_int_equal(n, pvabi_state_size(&st, v));
			assert_int_equal(
				pvabi_state_read(a, (size_t)n, &back, NULL, 0),
				0);
			assert_int_equal(back.version, v);
			assert_int_equal(back.order, orders[o]);
			assert_same_state(&st, &back, v >= 2);
			if (v < 2) {
				assert_false(back.vcpus[0].has_defer_bound);
				assert_int_equal(back.vcpus[0].dlv.deferred_ns,
						 0);
			}
			assert_int_equal(write_to(&back, v, orders[o], b), n);
			assert_memory_equal(a, b, (size_t)n);
			pvabi_state_free(&back);
		}
	}
	pvabi_state_free(&st);
}

/* MAGIC_PAGE leaves out the page's zero tail and nothing else. */
static void test_page_tails(void **state)
{
	static const size_t last[] = {0, 1, 0x287, 4095}; /* 0: all zero */
	struct pvabi_state st, back;
	unsigned char a[4 * 4608], b[4 * 4608];
	long n;

	assert_int_equal(pvabi_state_init(&st, 4), 0);
	for (int i = 0; i < 4; i++) {
		struct pvabi_state_vcpu *v = &st.vcpus[i];

		v->abi.major = 1;
		v->page_order = PVABI_LE;
		if (last[i])
			((unsigned char *)&v->page)[last[i]] = 0xa5;
	}
	n = pvabi_state_write(&st, 2, PVABI_LE, a, sizeof(a), NULL, 0);
	/* Header, 4 x (VCPU, ABI, MAGIC_PAGE header, DELIVERY), the pages
	 * (0, 8, 0x288 and 4096 bytes), END. */
	assert_int_equal(n, 24 + 4 * (8 + 8 + 8 + 16 + 8 + 8 + 88) + 0 + 8 +
				    0x288 + 4096 + 16);
	assert_int_equal(n, pvabi_state_size(&st, 2));
	assert_int_equal(pvabi_state_read(a, (size_t)n, &back, NULL, 0), 0);
	assert_same_state(&st, &back, true);
	assert_int_equal(
		pvabi_state_write(&back, 2, PVABI_LE, b, sizeof(b), NULL, 0),
		n);
	assert_memory_equal(a, b, (size_t)n);
	/* Too small by one byte, whatever the pages hold. */
	assert_int_equal(
		pvabi_state_write(&st, 2, PVABI_LE, b, (size_t)n - 1, NULL, 0),
		PVABI_E_NOSPACE);
	pvabi_state_free(&back);
	pvabi_state_free(&st);
}

/* 2 -> 1 -> 2 keeps every field both versions have. */
static void test_convert_down_up(void **state)
{
	struct pvabi_state st, v1, v2;
	unsigned char a[BUF], b[BUF];
	long n;

	sample(&st);
	n = write_to(&st, 1, PVABI_BE, a);
	assert_int_equal(pvabi_state_read(a, (size_t)n, &v1, NULL, 0), 0);
	n = write_to(&v1, 2, PVABI_LE, b);
	assert_int_equal(pvabi_state_read(b, (size_t)n, &v2, NULL, 0), 0);
	assert_same_state(&st, &v2, false);
	assert_false(v2.vcpus[0].has_defer_bound);
	pvabi_state_free(&v2);
	pvabi_state_free(&v1);
	pvabi_state_free(&st);
}

static void expect_fits(struct pvabi_state *st, pvabi_u32 v, int err,
			const char *reason)
{
	char why[256] = "";
	unsigned char out[BUF];

	assert_int_equal(pvabi_state_fits(st, v, why, sizeof(why)), err);
	if (reason && !strstr(why, reason))
		fail_msg("reason \"%s\" lacks \"%s\"", why, reason);
	assert_int_equal(
		pvabi_state_write(st, v, PVABI_LE, out, sizeof(out), NULL, 0),
		err ? err : pvabi_state_size(st, v));
}

static void test_version_rules(void **state)
{
	struct pvabi_state st;

	sample(&st);
	expect_fits(&st, 1, 0, NULL);
	expect_fits(&st, 2, 0, NULL);
	expect_fits(&st, 0, PVABI_E_BADVERSION, "this build writes 1 to 2");
	expect_fits(&st, 3, PVABI_E_BADVERSION, "stream version 3");

	/* A 1.1 guest travels in v2, not in v1. */
	st.vcpus[1].abi.minor = 1;
	expect_fits(&st, 2, 0, NULL);
	expect_fits(
		&st, 1, PVABI_E_UNSUPPORTED,
		"vCPU 1 negotiated ABI 1.1; stream v1 carries ABI 1.0 only");
	st.vcpus[1].abi.minor = 0;
	st.vcpus[0].features |= 1ull << 40;
	expect_fits(&st, 1, PVABI_E_UNSUPPORTED, "vCPU 0 negotiated features");
	expect_fits(&st, 2, 0, NULL);
	st.vcpus[0].features &= ~(1ull << 40);
	/* nesting is 1.1's: a 1.1 record carries it, a 1.0 one never. */
	st.vcpus[0].features |= PVABI_F_NESTING;
	expect_fits(&st, 2, PVABI_E_MALFORMED,
		    "vCPU 0: features 0x61 under ABI 1.0, which predates");
	st.vcpus[0].abi.minor = 1;
	expect_fits(&st, 2, 0, NULL);
	{
		unsigned char out[BUF];
		struct pvabi_state back;
		long n = write_to(&st, 2, PVABI_BE, out);

		assert_int_equal(
			pvabi_state_read(out, (size_t)n, &back, NULL, 0), 0);
		assert_int_equal(back.vcpus[0].abi.minor, 1);
		assert_int_equal(back.vcpus[0].features,
				 PVABI_F_NOTIFY | PVABI_F_SPRG4_7 |
					 PVABI_F_NESTING);
		pvabi_state_free(&back);
	}
	st.vcpus[0].abi.minor = 0;
	st.vcpus[0].features &= ~PVABI_F_NESTING;

	st.vcpus[0].dlv.n_pending = PVABI_STATE_MAX_PENDING + 1;
	expect_fits(&st, 2, PVABI_E_MALFORMED, "33 pending vectors");
	st.vcpus[0].dlv.n_pending = 2;
	st.vcpus[0].dlv.flags |= 1u << 5;
	expect_fits(&st, 2, PVABI_E_MALFORMED, "delivery flags 0x23");
	st.vcpus[0].dlv.flags &= ~(1u << 5);
	st.vcpus[0].abi.major = 2;
	expect_fits(&st, 2, PVABI_E_MALFORMED, "ABI 2.0 is not of major 1");
	st.vcpus[0].abi.major = 1;
	st.vcpus[0].page_order = 0;
	expect_fits(&st, 2, PVABI_E_MALFORMED, "page byte order 0");
	pvabi_state_free(&st);
}

static void test_write_space(void **state)
{
	struct pvabi_state st;
	unsigned char out[BUF];
	long need;
	char why[128];

	sample(&st);
	need = pvabi_state_size(&st, 2);
	assert_int_equal(pvabi_state_write(&st, 2, PVABI_LE, out,
					   (size_t)need - 1, why, sizeof(why)),
			 PVABI_E_NOSPACE);
	assert_int_equal(
		pvabi_state_write(&st, 2, 7, out, sizeof(out), NULL, 0),
		PVABI_E_INVAL);
	assert_int_equal(pvabi_state_init(&(struct pvabi_state){0}, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_state_init(&(struct pvabi_state){0},
					  PVABI_STATE_MAX_VCPUS + 1),
			 PVABI_E_INVAL);
	pvabi_state_free(&st);
}

/* Every prefix is refused as truncated; every one-byte change is refused;
 * the caller's state is never touched. */
static void test_damage(void **state)
{
	struct pvabi_state st, out = {.n_vcpus = 77};
	unsigned char a[BUF];
	long n;

	sample(&st);
	n = write_to(&st, 2, PVABI_LE, a);
	for (long len = 0; len < n; len++) {
		char why[256] = "";

		assert_int_equal(pvabi_state_read(a, (size_t)len, &out, why,
						  sizeof(why)),
				 PVABI_E_TRUNCATED);
		assert_true(*why);
	}
	for (long off = 0; off < n; off++) {
		a[off] ^= 0x10;
		assert_true(pvabi_state_read(a, (size_t)n, &out, NULL, 0) < 0);
		a[off] ^= 0x10;
	}
	assert_int_equal(out.n_vcpus, 77);
	assert_null(out.vcpus);
	pvabi_state_free(&st);
}

static void test_check_offer(void **state)
{
	struct pvabi_state st;
	struct pvabi_offer offer = {.n_versions = 1,
				    .versions = {{1, 0}},
				    .features = PVABI_F_ALL_1_0};
	pvabi_u32 vcpu = 99;
	char why[256] = "";

	sample(&st);
	assert_int_equal(
		pvabi_state_check_offer(&st, &offer, &vcpu, why, sizeof(why)),
		0);
	offer.features = PVABI_F_NOTIFY;
	assert_int_equal(
		pvabi_state_check_offer(&st, &offer, &vcpu, why, sizeof(why)),
		PVABI_E_NOFEATURE);
	assert_int_equal(vcpu, 0);
	assert_string_equal(why, "vCPU 0: guest requires feature(s) sprg4-7 "
				 "that the host does not offer");
	st.vcpus[0].features = PVABI_F_NOTIFY;
	st.vcpus[1].abi.minor = 2;
	offer.versions[0].minor = 1;
	assert_int_equal(
		pvabi_state_check_offer(&st, &offer, &vcpu, why, sizeof(why)),
		PVABI_E_NOVERSION);
	assert_int_equal(vcpu, 1);
	assert_string_equal(why, "vCPU 1: guest range 1.2-1.2 and host offer "
				 "1.1 share no version");
	offer.versions[0].minor = 3;
	assert_int_equal(pvabi_state_check_offer(&st, &offer, NULL, NULL, 0),
			 0);
	pvabi_state_free(&st);
}

struct fake {
	pvabi_u32 refuse; /* vCPU whose check fails, or ~0 */
	int checked, committed;
	pvabi_u32 order[4];
};

static int fake_check(void *ctx, pvabi_u32 i, const struct pvabi_state_vcpu *v,
		      char *why, size_t whylen)
{
	struct fake *f = ctx;

	f->checked++;
	if (i != f->refuse)
		return 0;
	snprintf(why, whylen, "no room");
	return PVABI_E_UNSUPPORTED;
}

static void fake_commit(void *ctx, pvabi_u32 i,
			const struct pvabi_state_vcpu *v)
{
	struct fake *f = ctx;

	f->order[f->committed++] = i;
}

static void test_restore_all_or_none(void **state)
{
	static const struct pvabi_state_target target = {fake_check,
							 fake_commit};
	struct pvabi_state st;
	struct fake f = {.refuse = 1};
	char why[128];

	sample(&st);
	assert_int_equal(
		pvabi_state_restore(&st, &target, &f, why, sizeof(why)),
		PVABI_E_UNSUPPORTED);
	assert_string_equal(why, "vCPU 1: no room");
	assert_int_equal(f.checked, 2);
	assert_int_equal(f.committed, 0);

	f = (struct fake){.refuse = ~0u};
	assert_int_equal(pvabi_state_restore(&st, &target, &f, NULL, 0), 0);
	assert_int_equal(f.committed, 2);
	assert_int_equal(f.order[0], 0);
	assert_int_equal(f.order[1], 1);
	pvabi_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_page_tails),
		cmocka_unit_test(test_convert_down_up),
		cmocka_unit_test(test_version_rules),
		cmocka_unit_test(test_write_space),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_check_offer),
		cmocka_unit_test(test_restore_all_or_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
