// SPDX-License-Identifier: GPL-2.0-or-later
/* The patch policy's text form: parse, refuse with the line, round-trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"

static int parse(const char *text, struct pvabi_patch_policy *p, char *why)
{
	return pvabi_patch_policy_parse(text, strlen(text), p, why, 256);
}

static void defaults(void **state)
{
	struct pvabi_patch_policy p;
	char why[256];

	assert_int_equal(parse("", &p, why), 0);
	assert_int_equal(p.mode, PVABI_PATCH_GUEST);
	assert_int_equal(p.classes, PVABI_PC_ALL);
	assert_int_equal(p.max_sites, PVABI_PATCH_NO_CAP);
	assert_int_equal(p.n_exclude, 0);
	assert_int_equal(parse("# only a comment\n\n   \n", &p, why), 0);
	assert_int_equal(p.mode, PVABI_PATCH_GUEST);
}

static void full(void **state)
{
	struct pvabi_patch_policy p;
	char why[256];

	assert_int_equal(parse("mode=host\n"
			       "exclude=0xc0000000-0xc0001000\n"
			       "  exclude = 4096-8192  \r\n"
			       "classes=msr,sprg\n"
			       "max-sites=1000",
			       &p, why),
			 0);
	assert_int_equal(p.mode, PVABI_PATCH_HOST);
	assert_int_equal(p.classes, PVABI_PC_MSR | PVABI_PC_SPRG);
	assert_int_equal(p.max_sites, 1000);
	assert_int_equal(p.n_exclude, 2);
	assert_true(p.exclude[0].start == 0xc0000000u &&
		    p.exclude[0].end == 0xc0001000u);
	assert_true(p.exclude[1].start == 4096 && p.exclude[1].end == 8192);
	assert_int_equal(
		parse("mode=off\nclasses=none\nmax-sites=unlimited", &p, why),
		0);
	assert_int_equal(p.mode, PVABI_PATCH_OFF);
	assert_int_equal(p.classes, 0);
}

static void refused(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"mode=hots", "line 1 'mode=hots': unknown mode 'hots'"},
		{"mode=host\nmode=guest",
		 "line 2 'mode=guest': mode given twice"},
		{"\n\nfoo=bar", "line 3 'foo=bar': unknown key 'foo'"},
		{"classes=msr,sprgg", "unknown class 'sprgg'"},
		{"classes=", "no value"},
		{"exclude=0x2000-0x1000", "empty or reversed range"},
		{"exclude=0x1000-0x1000", "empty or reversed range"},
		{"exclude=0x1000", "exclude wants START-END"},
		{"exclude=0x1000-0x3000\nexclude=0x2000-0x4000",
		 "line 2 'exclude=0x2000-0x4000': overlaps 0x1000-0x3000"},
		{"exclude=0x10000000000000000-0x1", "exclude wants START-END"},
		{"max-sites=-1", "max-sites wants a number"},
		{"max-sites=4294967295", "max-sites wants a number"},
		{"just words", "not KEY=VALUE"},
	};
	struct pvabi_patch_policy p;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		assert_int_equal(parse(bad[i].text, &p, why),
				 PVABI_E_MALFORMED);
		if (!strstr(why, bad[i].want))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, why,
				 bad[i].want);
	}
	assert_int_equal(pvabi_patch_policy_parse("mode=off\0x", 10, &p, why,
						  sizeof(why)),
			 PVABI_E_MALFORMED);
	assert_non_null(strstr(why, "NUL"));
	assert_int_equal(pvabi_patch_policy_parse(NULL, 0, &p, why, 256),
			 PVABI_E_INVAL);
}

static void too_many_ranges(void **state)
{
	char text[8192] = "", line[64];
	struct pvabi_patch_policy p;
	char why[256];

	for (unsigned int i = 0; i <= PVABI_PATCH_MAX_EXCLUDES; i++) {
		snprintf(line, sizeof(line), "exclude=%u-%u\n", i * 16,
			 i * 16 + 8);
		strcat(text, line);
	}
	assert_int_equal(parse(text, &p, why), PVABI_E_MALFORMED);
	assert_non_null(strstr(why, "line 65"));
	assert_non_null(strstr(why, "more than 64"));
}

static void round_trip(void **state)
{
	struct pvabi_patch_policy p, q;
	char buf[4096], why[256];
	int n;

	assert_int_equal(parse("mode=host\nclasses=srr,tlbsync\n"
			       "exclude=0x100-0x200\nmax-sites=7\n",
			       &p, why),
			 0);
	n = pvabi_patch_policy_format(&p, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "mode=host\nclasses=srr,tlbsync\n"
				 "exclude=0x100-0x200\nmax-sites=7\n");
	assert_int_equal(parse(buf, &q, why), 0);
	assert_memory_equal(&p, &q, sizeof(p));
	assert_int_equal(pvabi_patch_policy_format(&p, buf, 10),
			 PVABI_E_NOSPACE);
	p.mode = 9;
	assert_int_equal(pvabi_patch_policy_format(&p, buf, sizeof(buf)),
			 PVABI_E_INVAL);
}

/* The mode's names: one table, read both ways. */
static void mode_names(void **state)
{
	enum pvabi_patch_mode m = PVABI_PATCH_GUEST;
	char why[128];

	for (int i = PVABI_PATCH_OFF; i <= PVABI_PATCH_HOST; i++) {
		const char *name =
			pvabi_patch_mode_name((enum pvabi_patch_mode)i);

		assert_non_null(name);
		assert_int_equal(pvabi_patch_mode_parse(name, &m, NULL, 0), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(pvabi_patch_mode_parse("hots", &m, why, sizeof(why)),
			 PVABI_E_INVAL);
	assert_string_equal(why, "unknown mode 'hots' (off, guest or host)");
	assert_int_equal(m, PVABI_PATCH_HOST); /* untouched */
	assert_int_equal(pvabi_patch_mode_parse("Host", &m, NULL, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_patch_mode_parse("", &m, NULL, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_patch_mode_parse(NULL, &m, NULL, 0),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_patch_mode_parse("off", NULL, NULL, 0),
			 PVABI_E_INVAL);
	assert_null(pvabi_patch_mode_name((enum pvabi_patch_mode)9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),   cmocka_unit_test(full),
		cmocka_unit_test(refused),    cmocka_unit_test(too_many_ranges),
		cmocka_unit_test(round_trip), cmocka_unit_test(mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
