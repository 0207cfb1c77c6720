// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctld's settings: metadata XML, patch policy, changes, migration check,
 * pvctld.conf. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "conf.h"
#include "metadata.h"
#include "migrate.h"
#include "patch_mode.h"

#define NS "xmlns:pvabi=\"" PVCTL_METADATA_NS "\""

static struct pvabi_offer host_offer(const char *versions, pvabi_u64 features)
{
	struct pvabi_offer o = {0};

	assert_int_equal(pvabi_version_list_parse(versions, &o, NULL, 0), 0);
	o.features = features;
	return o;
}

static struct pvctl_vm_settings sample(void)
{
	struct pvctl_vm_settings s;
	struct pvabi_offer o = host_offer("1.0", PVABI_F_ALL_1_0);

	pvctl_settings_default(&s, &o);
	s.enabled = true;
	s.features = PVABI_F_NOTIFY | PVABI_F_BOOKE;
	s.patch.mode = PVABI_PATCH_HOST;
	s.patch.classes = PVABI_PC_MSR | PVABI_PC_SPRG;
	s.patch.max_sites = 1000;
	s.patch.n_exclude = 2;
	s.patch.exclude[0] = (struct pvabi_patch_range){0x1000, 0x2000};
	s.patch.exclude[1] = (struct pvabi_patch_range){0x10000, UINT64_MAX};
	return s;
}

static void roundtrip(bool with_ns)
{
	struct pvctl_vm_settings s = sample(), back;
	struct pvabi_offer o = host_offer("1.0", PVABI_F_ALL_1_0);
	char *xml = pvctl_metadata_format(&s, with_ns);
	char why[256];

	assert_non_null(xml);
	pvctl_settings_default(&back, &o);
	assert_int_equal(
		pvctl_metadata_parse(xml, strlen(xml), &back, why, sizeof(why)),
		0);
	assert_true(pvctl_settings_equal(&s, &back));
	free(xml);
}

static void test_roundtrip_stored(void **state)
{
	roundtrip(true);
}

static void test_roundtrip_plain(void **state)
{
	roundtrip(false);
}

/* What libvirt stores validates against schemas/libvirt-metadata.rng. */
static void test_rng(void **state)
{
	char path[4096];
	struct pvctl_vm_settings s = sample();
	xmlRelaxNGParserCtxtPtr pc;
	xmlRelaxNGPtr rng;
	xmlRelaxNGValidCtxtPtr vc;
	char *xml;
	xmlDocPtr doc;

	snprintf(path, sizeof(path), "%s/schemas/libvirt-metadata.rng",
		 getenv("top_srcdir") ? getenv("top_srcdir") : ".");
	pc = xmlRelaxNGNewParserCtxt(path);
	rng = xmlRelaxNGParse(pc);
	assert_non_null(rng);
	vc = xmlRelaxNGNewValidCtxt(rng);
	for (int i = 0; i < 3; i++) {
		if (i == 1)
			pvabi_patch_policy_init(&s.patch);
		if (i == 2) {
			s.enabled = false;
			s.features = 0;
		}
		xml = pvctl_metadata_format(&s, true);
		doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
		assert_non_null(doc);
		assert_int_equal(xmlRelaxNGValidateDoc(vc, doc), 0);
		xmlFreeDoc(doc);
		free(xml);
	}
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(rng);
	xmlRelaxNGFreeParserCtxt(pc);
}

static void test_domain_xml(void **state)
{
	const char *with = "<domain type='kvm'><name>a</name><metadata>"
			   "<other:x xmlns:other='urn:x'/>"
			   "<pvabi:pvabi " NS " enabled='yes'>"
			   "<pvabi:features>segregs</pvabi:features>"
			   "</pvabi:pvabi></metadata></domain>";
	/* An element this version does not know is refused, not skipped. */
	const char *unknown = "<domain type='kvm'><name>a</name><metadata>"
			      "<pvabi:pvabi " NS " enabled='yes'>"
			      "<pvabi:future-thing/></pvabi:pvabi>"
			      "</metadata></domain>";
	const char *without = "<domain type='kvm'><name>a</name></domain>";
	struct pvabi_offer o = host_offer("1.0", PVABI_F_ALL_1_0);
	struct pvctl_vm_settings s;

	pvctl_settings_default(&s, &o);
	assert_int_equal(pvctl_metadata_parse(with, strlen(with), &s, NULL, 0),
			 0);
	assert_true(s.enabled);
	assert_int_equal(s.features, PVABI_F_SEGREGS);
	/* what the element leaves out keeps the defaults */
	assert_int_equal(s.hi.major, 1);
	assert_int_equal(
		pvctl_metadata_parse(without, strlen(without), &s, NULL, 0),
		PVABI_E_NOTFOUND);
	assert_int_equal(
		pvctl_metadata_parse(unknown, strlen(unknown), &s, NULL, 0),
		PVABI_E_MALFORMED);
}

/* Every file in tests/data/bad-metadata is refused with a reason, and the
 * settings are left alone. */
static void test_bad_metadata(void **state)
{
	char dir[4096], path[8192], buf[65536], why[256];
	struct pvabi_offer o = host_offer("1.0", PVABI_F_ALL_1_0);
	struct pvctl_vm_settings s, orig;
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/data/bad-metadata",
		 getenv("top_srcdir") ? getenv("top_srcdir") : ".");
	d = opendir(dir);
	assert_non_null(d);
	pvctl_settings_default(&orig, &o);
	while ((de = readdir(d))) {
		FILE *f;
		size_t len;
		int err;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		s = orig;
		why[0] = '\0';
		err = pvctl_metadata_parse(buf, len, &s, why, sizeof(why));
		print_message("# %s: %d %s\n", de->d_name, err, why);
		assert_true(err < 0);
		assert_int_not_equal(err, PVABI_E_NOTFOUND);
		assert_true(why[0] != '\0');
		for (const char *p = why; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		assert_true(pvctl_settings_equal(&s, &orig));
		n++;
	}
	closedir(d);
	assert_true(n >= 31);
}

/* A patch policy reaches the metadata through the library's text form. */
static void test_patch_policy(void **state)
{
	struct pvabi_offer o = host_offer("1.0", PVABI_F_ALL_1_0);
	struct pvctl_change ch = {.what = PVCTL_SET_PATCH};
	struct pvctl_vm_settings s;
	char why[300], text[PVCTL_PATCH_TEXT_MAX];
	static const char *const bad[] = {
		"",
		"mode=sometimes\n",
		"mode=guest\nexclude=\n",
		"mode=guest\nexclude=0x10-0x1\n",
		"mode=guest\nexclude=1-3\nexclude=2-4\n",
		"include=1-2\n",
		"mode=guest\nmode=host\n",
		"classes=msr,warp\n",
	};

	pvctl_settings_default(&s, &o);
	assert_int_equal(
		pvctl_change_parse(&ch, "mode=host\nexclude=0x1000-0x2000\n",
				   &o, why, sizeof(why)),
		0);
	pvctl_change_apply(&s, &ch);
	assert_int_equal(s.patch.mode, PVABI_PATCH_HOST);
	assert_int_equal(s.patch.n_exclude, 1);
	pvctl_patch_policy_text(&s.patch, text, sizeof(text));
	assert_non_null(strstr(text, "mode=host\n"));
	assert_non_null(strstr(text, "exclude=0x1000-0x2000\n"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ch.what = PVCTL_SET_PATCH;
		if (!*bad[i])
			continue; /* "" is the default policy */
		assert_int_not_equal(
			pvctl_change_parse(&ch, bad[i], &o, why, sizeof(why)),
			0);
		assert_non_null(strstr(why, "patch policy: "));
	}
}

static void test_change(void **state)
{
	struct pvabi_offer o = host_offer("1.0,1.2", PVABI_F_ALL_1_0);
	struct pvctl_change ch = {.what = PVCTL_SET_VERSIONS};
	struct pvctl_vm_settings s;
	char why[256];

	pvctl_settings_default(&s, &o);
	assert_int_equal(
		pvctl_change_parse(&ch, "1.1-1.2", &o, why, sizeof(why)), 0);
	pvctl_change_apply(&s, &ch);
	assert_int_equal(s.lo.minor, 1);
	assert_int_not_equal(
		pvctl_change_parse(&ch, "2.0-2.3", &o, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "'2.0-2.3'"));
	ch.what = PVCTL_SET_FEATURES;
	assert_int_not_equal(
		pvctl_change_parse(&ch, "notify,nope", &o, why, sizeof(why)),
		0);
	assert_non_null(strstr(why, "'nope'"));
	assert_int_equal(pvctl_vm_name_check("vm-1", NULL, 0), 0);
	assert_int_not_equal(pvctl_vm_name_check("", NULL, 0), 0);
	assert_int_not_equal(pvctl_vm_name_check("a/b", NULL, 0), 0);
	assert_int_not_equal(pvctl_vm_name_check("a\nb", NULL, 0), 0);
}

static void test_migration(void **state)
{
	struct pvabi_offer here = host_offer("1.0", PVABI_F_ALL_1_0);
	struct pvabi_offer booke = host_offer("1.0", PVABI_F_BOOKE);
	struct pvabi_offer two = host_offer("2.0", PVABI_F_ALL_1_0);
	struct pvctl_migration_verdict v;
	struct pvctl_vm_settings s;

	pvctl_settings_default(&s, &here);
	pvctl_migration_check(&s, &here, &booke, &v);
	assert_true(v.compatible); /* disabled */
	s.enabled = true;
	pvctl_migration_check(&s, &here, &here, &v);
	assert_true(v.compatible);
	pvctl_migration_check(&s, &here, &booke, &v);
	assert_false(v.compatible);
	assert_int_equal(v.n_reasons, 1);
	assert_non_null(strstr(v.reasons[0], "notify"));
	/* allowed only booke: the booke-only host is fine */
	s.features = PVABI_F_BOOKE;
	pvctl_migration_check(&s, &here, &booke, &v);
	assert_true(v.compatible);
	pvctl_migration_check(&s, NULL, &booke, &v);
	assert_true(v.compatible);
	pvctl_migration_check(&s, &here, &two, &v);
	assert_false(v.compatible);
	assert_non_null(strstr(v.reasons[0], "2.0"));
}

static void test_conf(void **state)
{
	struct pvctl_config c;
	char why[256];
	const char *good = "# comment\n\nconnect = qemu:///system\n"
			   "versions=1.0,1.1\n features = booke \ngroup=kvm\n";
	static const char *const bad[] = {
		"connect\n",
		"colour = blue\n",
		"versions = 1.x\n",
		"features = warp\n",
		"versions = 1.0,1.0\n",
		"connect =\n",
		"connect = qemu:///sys tem\n",
	};

	pvctl_config_default(&c);
	assert_string_equal(c.connect, ""); /* libvirt's default */
	assert_int_equal(
		pvctl_config_parse(good, strlen(good), &c, why, sizeof(why)),
		0);
	assert_string_equal(c.connect, "qemu:///system");
	assert_string_equal(c.group, "kvm");
	assert_int_equal(c.offer.n_versions, 2);
	assert_int_equal(c.offer.features, PVABI_F_BOOKE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pvctl_config before = c;

		assert_int_not_equal(pvctl_config_parse(bad[i], strlen(bad[i]),
							&c, why, sizeof(why)),
				     0);
		assert_non_null(strstr(why, "line 1"));
		assert_memory_equal(&before, &c, sizeof(c));
	}
}

/* libpvabi's patch modes and the module's: every mode maps both ways, and
 * nothing else maps at all (pvctld refuses to push it). */
static void test_patch_mode(void **state)
{
	enum pvabi_patch_mode back;

	for (int i = PVABI_PATCH_OFF; i <= PVABI_PATCH_HOST; i++) {
		uint32_t nl = pvctl_patch_mode_to_nl((enum pvabi_patch_mode)i);

		assert_int_not_equal(nl, PVABI_NL_PATCH_UNSPEC);
		assert_true(nl <= PVABI_NL_PATCH_MAX);
		assert_int_equal(pvctl_patch_mode_from_nl(nl, &back), 0);
		assert_int_equal(back, i);
		assert_string_equal(pvctl_patch_mode_nl_name(nl),
				    pvabi_patch_mode_name(back));
	}
	assert_int_equal(pvctl_patch_mode_to_nl(PVABI_PATCH_HOST),
			 PVABI_NL_PATCH_HOST);
	assert_int_equal(pvctl_patch_mode_to_nl(PVABI_PATCH_OFF),
			 PVABI_NL_PATCH_OFF);
	assert_int_equal(pvctl_patch_mode_to_nl((enum pvabi_patch_mode)7),
			 PVABI_NL_PATCH_UNSPEC);
	assert_int_equal(pvctl_patch_mode_from_nl(PVABI_NL_PATCH_UNSPEC, &back),
			 PVABI_E_INVAL);
	assert_int_equal(
		pvctl_patch_mode_from_nl(PVABI_NL_PATCH_MAX + 1, &back),
		PVABI_E_INVAL);
	assert_string_equal(pvctl_patch_mode_nl_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_stored),
		cmocka_unit_test(test_roundtrip_plain),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_bad_metadata),
		cmocka_unit_test(test_patch_policy),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_migration),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_patch_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
