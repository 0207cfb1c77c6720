// SPDX-License-Identifier: GPL-2.0-or-later
/* Text forms: versions, version lists and ranges, feature names, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"

static void test_version(void **state)
{
	struct pvabi_version v;
	char why[128];
	static const char *bad[] = {"",	       "1",	  "1.",	  ".1",
				    "1.2.3",   "a.b",	  "0.1",  "65536.0",
				    "1.65536", "-1.0",	  " 1.0", "1.0 ",
				    "+1.0",    "123456.1"};

	assert_int_equal(pvabi_version_parse("1.2", &v, NULL, 0), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 2);
	assert_int_equal(pvabi_version_parse("65535.65535", &v, NULL, 0), 0);
	assert_int_equal(v.major, 65535);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (pvabi_version_parse(bad[i], &v, why, sizeof(why)) !=
		    PVABI_E_BADVERSION)
			fail_msg("'%s' accepted", bad[i]);
		/* The message quotes the value. */
		assert_non_null(strstr(why, bad[i]));
	}
	assert_int_equal(pvabi_version_parse(NULL, &v, NULL, 0), PVABI_E_INVAL);
}

static void test_version_list(void **state)
{
	struct pvabi_offer o = {0};
	char why[128];
	char many[256] = "";

	assert_int_equal(pvabi_version_list_parse("1.0,1.2,2.0", &o, NULL, 0),
			 0);
	assert_int_equal(o.n_versions, 3);
	assert_int_equal(o.versions[2].major, 2);
	assert_int_equal(
		pvabi_version_list_parse("1.0,,2.0", &o, why, sizeof(why)),
		PVABI_E_MALFORMED);
	assert_int_equal(pvabi_version_list_parse("1.0,", &o, why, sizeof(why)),
			 PVABI_E_MALFORMED);
	assert_int_equal(
		pvabi_version_list_parse("1.0,1.0", &o, why, sizeof(why)),
		PVABI_E_MALFORMED);
	assert_string_equal(why, "'1.0' is listed twice");
	assert_int_equal(
		pvabi_version_list_parse("1.0,x", &o, why, sizeof(why)),
		PVABI_E_BADVERSION);
	for (int i = 0; i <= PVABI_OFFER_MAX_VERSIONS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "%s1.%d", i ? "," : "", i);
	assert_int_equal(pvabi_version_list_parse(many, &o, why, sizeof(why)),
			 PVABI_E_MALFORMED);
	/* A failed parse leaves the offer as it was. */
	assert_int_equal(o.n_versions, 3);
}

static void test_range(void **state)
{
	struct pvabi_version lo, hi;
	char why[128];

	assert_int_equal(
		pvabi_version_range_parse("1.0-1.3", &lo, &hi, NULL, 0), 0);
	assert_int_equal(lo.minor, 0);
	assert_int_equal(hi.minor, 3);
	assert_int_equal(pvabi_version_range_parse("2.1", &lo, &hi, NULL, 0),
			 0);
	assert_int_equal(lo.major, 2);
	assert_int_equal(hi.minor, 1);
	assert_int_equal(pvabi_version_range_parse("1.3-1.0", &lo, &hi, why,
						   sizeof(why)),
			 PVABI_E_MALFORMED);
	assert_int_equal(
		pvabi_version_range_parse("1.0-", &lo, &hi, why, sizeof(why)),
		PVABI_E_BADVERSION);
	assert_int_equal(
		pvabi_version_range_parse("-1.0", &lo, &hi, why, sizeof(why)),
		PVABI_E_BADVERSION);
}

static void test_format(void **state)
{
	struct pvabi_offer o = {0}, back = {0};
	struct pvabi_version lo, hi;
	char buf[PVABI_VERSION_LIST_TEXT_MAX];

	assert_int_equal(
		pvabi_version_range_format((struct pvabi_version){1, 0},
					   (struct pvabi_version){1, 3}, buf,
					   sizeof(buf)),
		7);
	assert_string_equal(buf, "1.0-1.3");
	assert_int_equal(
		pvabi_version_range_format((struct pvabi_version){1, 2},
					   (struct pvabi_version){1, 2}, buf,
					   sizeof(buf)),
		3);
	assert_string_equal(buf, "1.2");
	/* The longest range fits the documented size, and reads back. */
	lo = hi = (struct pvabi_version){65535, 65535};
	lo.minor = 65534;
	assert_int_equal(pvabi_version_range_format(
				 lo, hi, buf, PVABI_VERSION_RANGE_TEXT_MAX),
			 PVABI_VERSION_RANGE_TEXT_MAX - 1);
	assert_int_equal(pvabi_version_range_parse(buf, &lo, &hi, NULL, 0), 0);
	assert_int_equal(lo.minor, 65534);
	assert_int_equal(pvabi_version_range_format(lo, hi, buf, 8),
			 PVABI_E_NOSPACE);
	assert_string_equal(buf, "");
	assert_int_equal(pvabi_version_range_format(lo, hi, buf, 0),
			 PVABI_E_NOSPACE);
	assert_int_equal(pvabi_version_range_format(lo, hi, NULL, 8),
			 PVABI_E_INVAL);

	assert_int_equal(pvabi_version_list_format(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(pvabi_version_list_parse("1.0,1.2,2.0", &o, NULL, 0),
			 0);
	assert_int_equal(pvabi_version_list_format(&o, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "1.0,1.2,2.0");
	assert_int_equal(pvabi_version_list_format(&o, buf, 11),
			 PVABI_E_NOSPACE);
	assert_string_equal(buf, "");
	/* The longest list fits the documented size, and reads back. */
	o.n_versions = PVABI_OFFER_MAX_VERSIONS;
	for (int i = 0; i < PVABI_OFFER_MAX_VERSIONS; i++)
		o.versions[i] =
			(struct pvabi_version){65535, (pvabi_u16)(65535 - i)};
	assert_int_equal(pvabi_version_list_format(&o, buf, sizeof(buf)),
			 (int)sizeof(buf) - 1);
	assert_int_equal(pvabi_version_list_parse(buf, &back, NULL, 0), 0);
	assert_memory_equal(back.versions, o.versions, sizeof(o.versions));
	o.n_versions = PVABI_OFFER_MAX_VERSIONS + 1;
	assert_int_equal(pvabi_version_list_format(&o, buf, sizeof(buf)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_version_list_format(NULL, buf, sizeof(buf)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_version_list_format(&o, NULL, sizeof(buf)),
			 PVABI_E_INVAL);
}

static void test_u64(void **state)
{
	pvabi_u64 v = 7;
	char why[128];
	static const char *bad[] = {"",
				    "x",
				    "-1",
				    "+1",
				    " 1",
				    "1 ",
				    "0x",
				    "0xg",
				    "1x",
				    "12x",
				    "1.0",
				    "0b1",
				    "1e3",
				    "0x-1",
				    "18446744073709551616",
				    "0x10000000000000000"};

	assert_int_equal(pvabi_u64_parse("42", 0, 100, &v, NULL, 0), 0);
	assert_int_equal(v, 42);
	assert_int_equal(pvabi_u64_parse("0x2A", 0, 100, &v, NULL, 0), 0);
	assert_int_equal(v, 42);
	assert_int_equal(pvabi_u64_parse("0xff", 0, 255, &v, NULL, 0), 0);
	assert_int_equal(v, 255);
	/* A leading 0 is decimal, not octal. */
	assert_int_equal(pvabi_u64_parse("010", 0, 100, &v, NULL, 0), 0);
	assert_int_equal(v, 10);
	assert_int_equal(pvabi_u64_parse("18446744073709551615", 0, UINT64_MAX,
					 &v, NULL, 0),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(pvabi_u64_parse("0xffffffffffffffff", 0, UINT64_MAX,
					 &v, NULL, 0),
			 0);
	assert_true(v == UINT64_MAX);
	/* The bounds are inclusive; outside them the message names both. */
	assert_int_equal(pvabi_u64_parse("1", 1, 64, &v, NULL, 0), 0);
	assert_int_equal(pvabi_u64_parse("64", 1, 64, &v, NULL, 0), 0);
	v = 7;
	assert_int_equal(pvabi_u64_parse("0", 1, 64, &v, why, sizeof(why)),
			 PVABI_E_INVAL);
	assert_string_equal(why, "'0' is not a number in 1..64");
	assert_int_equal(pvabi_u64_parse("65", 1, 64, &v, why, sizeof(why)),
			 PVABI_E_INVAL);
	assert_int_equal(v, 7); /* untouched on failure */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (pvabi_u64_parse(bad[i], 0, UINT64_MAX, &v, why,
				    sizeof(why)) != PVABI_E_INVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(why, bad[i]));
	}
	assert_int_equal(v, 7);
	assert_int_equal(pvabi_u64_parse(NULL, 0, 1, &v, NULL, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_u64_parse("1", 0, 1, NULL, NULL, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_u64_parse("1", 2, 1, &v, NULL, 0),
			 PVABI_E_INVAL);
}

/* The reason helper: cut to fit, NULL or 0 writes nothing, yields @err. */
static void test_why(void **state)
{
	char why[8] = "x";

	assert_int_equal(pvabi_why(PVABI_E_MALFORMED, why, sizeof(why),
				   "'%s' is bad", "long value"),
			 PVABI_E_MALFORMED);
	assert_string_equal(why, "'long v");
	assert_int_equal(pvabi_why(PVABI_E_INVAL, NULL, 8, "%d", 1),
			 PVABI_E_INVAL);
	why[0] = 'x';
	pvabi_why_printf(why, 0, "%d", 1);
	assert_int_equal(why[0], 'x');
	pvabi_why_printf(why, sizeof(why), "%d", 42);
	assert_string_equal(why, "42");
}

/* A reason quotes untrusted input: its control characters do not reach
 * the reader, whatever parser wrote it. */
static void test_why_control(void **state)
{
	char why[64];

	pvabi_why_printf(why, sizeof(why), "'%s'", "a\nb\r\x1b[2J\x7f\tz");
	assert_string_equal(why, "'a?b??[2J??z'");
	assert_int_equal(pvabi_version_parse("1.\x1b]0;x\a",
					     &(struct pvabi_version){0}, why,
					     sizeof(why)),
			 PVABI_E_BADVERSION);
	for (const char *p = why; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void test_features(void **state)
{
	pvabi_u64 m;
	char buf[128], why[128];

	assert_int_equal(pvabi_features_parse("notify,booke", &m, NULL, 0), 0);
	assert_int_equal(m, PVABI_F_NOTIFY | PVABI_F_BOOKE);
	assert_int_equal(pvabi_features_parse("", &m, NULL, 0), 0);
	assert_int_equal(m, 0);
	assert_int_equal(pvabi_features_parse("none", &m, NULL, 0), 0);
	assert_int_equal(pvabi_features_parse("all", &m, NULL, 0), 0);
	assert_int_equal(m, PVABI_F_ALL_1_1);
	assert_int_equal(pvabi_features_parse("nesting", &m, NULL, 0), 0);
	assert_int_equal(m, PVABI_F_NESTING);
	assert_int_equal(
		pvabi_features_parse("notify,bogus", &m, why, sizeof(why)),
		PVABI_E_INVAL);
	assert_non_null(strstr(why, "'bogus'"));
	assert_int_equal(pvabi_features_parse("notif", &m, why, sizeof(why)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_features_parse("notify,", &m, why, sizeof(why)),
			 PVABI_E_INVAL);

	assert_int_equal(pvabi_features_format(PVABI_F_NOTIFY | (1ull << 42),
					       buf, sizeof(buf)),
			 (int)strlen("notify,bit42"));
	assert_string_equal(buf, "notify,bit42");
	assert_int_equal(pvabi_features_format(PVABI_F_ALL_1_0, buf, 8),
			 PVABI_E_NOSPACE);
	/* A NULL buffer is a bad parameter (error.h), not a short one. */
	assert_int_equal(pvabi_features_format(PVABI_F_NOTIFY, NULL, 8),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_features_format(PVABI_F_NOTIFY, buf, 0),
			 PVABI_E_NOSPACE);
	/* Every name round-trips. */
	assert_true(pvabi_features_format(PVABI_F_ALL_1_1, buf, sizeof(buf)) >
		    0);
	assert_string_equal(buf, "notify,booke,segregs,host-patch,"
				 "tlbsync-nop,sprg4-7,nesting");
	assert_int_equal(pvabi_features_parse(buf, &m, NULL, 0), 0);
	assert_int_equal(m, PVABI_F_ALL_1_1);
}

static void test_explain(void **state)
{
	struct pvabi_offer o = {.n_versions = 2,
				.versions = {{1, 0}, {1, 2}},
				.features = PVABI_F_NOTIFY};
	struct pvabi_request r = {.min = {2, 0}, .max = {2, 9}};
	char buf[128];
	int n;

	n = pvabi_negotiate_explain(&o, &r, PVABI_E_NOVERSION, buf,
				    sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "guest range 2.0-2.9 and host offer 1.0,1.2 "
				 "share no version");
	assert_int_equal(
		pvabi_negotiate_explain(&o, &r, PVABI_E_NOVERSION, buf, 10),
		PVABI_E_NOSPACE);
	assert_int_equal(
		pvabi_negotiate_explain(&o, &r, PVABI_E_NOVERSION, buf, 0),
		PVABI_E_NOSPACE);
	/* NULL pointers are bad parameters (error.h), not short buffers. */
	assert_int_equal(pvabi_negotiate_explain(&o, &r, PVABI_E_NOVERSION,
						 NULL, sizeof(buf)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_negotiate_explain(NULL, &r, PVABI_E_NOVERSION,
						 buf, sizeof(buf)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_negotiate_explain(&o, NULL, PVABI_E_NOVERSION,
						 buf, sizeof(buf)),
			 PVABI_E_INVAL);

	/* Not offered at all, and offered but newer than the agreed 1.0. */
	r = (struct pvabi_request){
		.min = {1, 0}, .max = {1, 0}, .required = PVABI_F_BOOKE};
	assert_int_equal(pvabi_negotiate(&o, &r, &(struct pvabi_result){0}),
			 PVABI_E_NOFEATURE);
	assert_true(pvabi_negotiate_explain(&o, &r, PVABI_E_NOFEATURE, buf,
					    sizeof(buf)) > 0);
	assert_string_equal(buf, "guest requires feature(s) booke that the "
				 "host does not offer");
	o = (struct pvabi_offer){.n_versions = 1,
				 .versions = {{1, 1}},
				 .features = PVABI_F_NESTING};
	r.required = PVABI_F_NESTING;
	assert_int_equal(pvabi_negotiate(&o, &r, &(struct pvabi_result){0}),
			 PVABI_E_NOFEATURE);
	assert_true(pvabi_negotiate_explain(&o, &r, PVABI_E_NOFEATURE, buf,
					    sizeof(buf)) > 0);
	assert_string_equal(buf, "guest requires feature(s) nesting, newer "
				 "than ABI 1.0, the highest version both "
				 "take");
}

static void test_errors(void **state)
{
	/* Every code has a distinct name and a sentence. */
	for (int a = PVABI_E_MIN + 1; a < 0; a++) {
		if (!strcmp(pvabi_errname(a), "unknown"))
			continue;
		assert_string_not_equal(pvabi_strerror(a), "unknown error");
		for (int b = a + 1; b < 0; b++)
			assert_string_not_equal(pvabi_errname(a),
						pvabi_errname(b));
	}
	assert_string_equal(pvabi_errname(PVABI_E_NOVERSION),
			    "no-common-version");
	assert_string_equal(pvabi_errname(-999), "unknown");
	assert_string_equal(pvabi_strerror(-999), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_version_list),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_why_control),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
