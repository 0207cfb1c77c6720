// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl's daemon subcommands against a fake pvctld (client.h): what each
 * verb asks the daemon, in which order, and the exit status it makes of
 * the answers.  The verbs are compiled in from tools/pvctl/cmd_vm.c.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/pvctl/cmd_vm.c"

/* ---- what cmd_vm.c needs from pvctl.c, reduced to the essentials; the
 * refusals and pvctl_write_file are the real ones (output.c is linked in) */
const char *pvctl_prog = "pvctl";

static char printed[8192];

void pvctl_json_print(struct json_object *obj)
{
	snprintf(printed, sizeof(printed), "%s",
		 json_object_to_json_string_ext(
			 obj, JSON_C_TO_STRING_PLAIN |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

struct json_object *pvctl_json_features(pvabi_u64 mask)
{
	return json_object_new_int64((int64_t)mask);
}

int pvctl_read_file(const char *path, void **data, size_t *len)
{
	*data = strdup("dtb");
	*len = 3;
	return PVCTL_OK;
}

void pvctl_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* ---- the fake daemon: records calls, answers what the test set */
static char calls[4096];
static int answer; /* exit code every changing call returns */
static bool compatible;
static struct pvctl_vm the_vm;
static char the_patch[] = "mode=host\nexclude=0x1000-0x2000\n";

static void record(const char *fmt, ...)
{
	size_t n = strlen(calls);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(calls + n, sizeof(calls) - n, fmt, ap);
	va_end(ap);
}

static int f_list(struct pvctl_client *cl, struct pvctl_vm **vms, size_t *n)
{
	record("list;");
	*vms = calloc(2, sizeof(**vms));
	(*vms)[0] = (*vms)[1] = the_vm;
	(*vms)[0].patch = strdup(the_vm.patch);
	(*vms)[1].patch = strdup(the_vm.patch);
	*n = 2;
	return PVCTL_OK;
}

static int f_get(struct pvctl_client *cl, const char *vm, struct pvctl_vm *out)
{
	record("get %s;", vm);
	*out = the_vm;
	out->patch = strdup(the_vm.patch);
	return PVCTL_OK;
}

/* What the change calls answer, in turn ("when|note"), when set. */
static const char *const *answers;

static void answer_applies(struct pvctl_client *cl)
{
	const char *a = answers && *answers ? *answers++ : NULL;
	const char *bar = a ? strchr(a, '|') : NULL;

	if (!bar)
		return;
	snprintf(cl->applied.when, sizeof(cl->applied.when), "%.*s",
		 (int)(bar - a), a);
	snprintf(cl->applied.note, sizeof(cl->applied.note), "%s", bar + 1);
}

static int f_set_enabled(struct pvctl_client *cl, const char *vm, bool on)
{
	record("%s %s;", on ? "enable" : "disable", vm);
	answer_applies(cl);
	if (answer)
		snprintf(cl->error, sizeof(cl->error), "refused");
	return answer;
}

static int f_reset(struct pvctl_client *cl, const char *vm)
{
	record("reset %s;", vm);
	return answer;
}

static int f_set(struct pvctl_client *cl, const char *what, const char *vm,
		 const char *arg)
{
	record("%s %s %s;", what, vm, arg);
	answer_applies(cl);
	return answer;
}

static int f_set_versions(struct pvctl_client *cl, const char *vm,
			  const char *r)
{
	return f_set(cl, "versions", vm, r);
}

static int f_set_features(struct pvctl_client *cl, const char *vm,
			  const char *f)
{
	return f_set(cl, "features", vm, f);
}

static int f_set_patch(struct pvctl_client *cl, const char *vm, const char *p)
{
	return f_set(cl, "patch", vm, p);
}

static size_t offer_len = 3; /* a longer offer: "dtb" and zeros */

static int f_get_offer(struct pvctl_client *cl, struct pvctl_host_offer *o)
{
	record("offer;");
	strcpy(o->versions, "1.0");
	strcpy(o->features, "notify");
	o->dtb = calloc(1, offer_len + 1);
	memcpy(o->dtb, "dtb", 3);
	o->dtb_len = offer_len;
	return PVCTL_OK;
}

static int f_check(struct pvctl_client *cl, const char *vm, const void *dtb,
		   size_t len, bool *ok, char ***reasons)
{
	record("check %s %zu;", vm, len);
	*ok = compatible;
	*reasons = calloc(2, sizeof(char *));
	if (!compatible)
		(*reasons)[0] = strdup("no notify there");
	return PVCTL_OK;
}

static void f_close(struct pvctl_client *cl)
{
	record("close;");
	free(cl);
}

static const struct pvctl_client_ops fake_ops = {
	f_list,	     f_get,   f_set_enabled, f_set_versions, f_set_features,
	f_set_patch, f_reset, f_get_offer,   f_check,	     f_close,
};

int pvctl_client_open(const struct pvctl_bus_opts *o, struct pvctl_client **cl)
{
	record("open %d %s;", (int)o->kind, o->address ? o->address : "-");
	*cl = calloc(1, sizeof(**cl));
	(*cl)->ops = &fake_ops;
	return PVCTL_OK;
}

/* ---- the tests */
static int setup(void **state)
{
	calls[0] = printed[0] = '\0';
	answer = PVCTL_OK;
	compatible = true;
	answers = NULL;
	memset(&the_vm, 0, sizeof(the_vm));
	strcpy(the_vm.name, "vm1");
	strcpy(the_vm.versions, "1.0");
	strcpy(the_vm.features, "notify,booke");
	the_vm.patch = the_patch;
	the_vm.enabled = true;
	unsetenv("PVCTL_BUS_ADDRESS");
	return 0;
}

#define RUN(fn, ...)                                                           \
	({                                                                     \
		char *argv_[] = {__VA_ARGS__, NULL};                           \
		fn((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_);        \
	})

static void test_enable_order(void **state)
{
	assert_int_equal(RUN(vm_enable, "enable", "vm1", "--versions", "1.0",
			     "--features", "notify", "--address",
			     "unix:path=/x"),
			 PVCTL_OK);
	assert_string_equal(calls,
			    "open 2 unix:path=/x;versions vm1 1.0;"
			    "features vm1 notify;enable vm1;get vm1;close;");
}

/* Of the calls enable makes, the change applies at the latest moment one
 * names, with that one's note. */
static void test_enable_applies(void **state)
{
	static const char *const late[] = {"next-negotiation|", "when-enabled|",
					   "next-boot|no server", NULL};
	static const char *const now[] = {"when-enabled|", "now|attached",
					  NULL};

	answers = late;
	assert_int_equal(RUN(vm_enable, "enable", "vm1", "--versions", "1.0",
			     "--features", "notify", "--json"),
			 PVCTL_OK);
	assert_non_null(strstr(
		printed, "\"applies\":\"next-boot\",\"note\":\"no server\""));
	answers = now;
	assert_int_equal(RUN(vm_enable, "enable", "vm1", "--features", "notify",
			     "--json"),
			 PVCTL_OK);
	assert_non_null(
		strstr(printed, "\"applies\":\"now\",\"note\":\"attached\""));
}

static void test_enable_refused(void **state)
{
	answer = PVCTL_REFUSED;
	assert_int_equal(RUN(vm_enable, "enable", "vm1"), PVCTL_REFUSED);
	assert_string_equal(calls, "open 0 -;enable vm1;close;");
}

/* reset and disable are one call each, then the settings read back. */
static void test_reset_disable(void **state)
{
	assert_int_equal(RUN(vm_reset, "reset", "vm1"), PVCTL_OK);
	assert_int_equal(RUN(vm_disable, "disable", "vm2"), PVCTL_OK);
	assert_string_equal(calls, "open 0 -;reset vm1;get vm1;close;"
				   "open 0 -;disable vm2;get vm2;close;");
	answer = PVCTL_REFUSED;
	calls[0] = '\0';
	assert_int_equal(RUN(vm_reset, "reset", "vm1"), PVCTL_REFUSED);
	assert_string_equal(calls, "open 0 -;reset vm1;close;");
}

static void test_bad_input_never_reaches_daemon(void **state)
{
	assert_int_equal(RUN(vm_enable, "enable", "vm1", "--versions", "x"),
			 PVCTL_USAGE);
	assert_int_equal(RUN(vm_enable, "enable", "vm1", "--features", "warp"),
			 PVCTL_USAGE);
	assert_int_equal(RUN(vm_policy, "policy", "vm1", "--patch", "always"),
			 PVCTL_USAGE);
	assert_int_equal(RUN(vm_policy, "policy", "vm1", "--exclude", "1-2"),
			 PVCTL_USAGE);
	assert_int_equal(RUN(vm_show, "show"), PVCTL_USAGE);
	assert_int_equal(RUN(vm_show, "show", "a/b"), PVCTL_USAGE);
	assert_int_equal(RUN(vm_migrate_check, "migrate-check", "vm1"),
			 PVCTL_USAGE);
	assert_string_equal(calls, "");
}

static void test_policy_text(void **state)
{
	setenv("PVCTL_BUS_ADDRESS", "unix:path=/env", 1);
	assert_int_equal(RUN(vm_policy, "policy", "vm1", "--patch", "host",
			     "--exclude", "0x1000-0x2000", "--max-sites", "9",
			     "--json"),
			 PVCTL_OK);
	assert_string_equal(calls, "open 2 unix:path=/env;patch vm1 mode=host\n"
				   "exclude=0x1000-0x2000\nmax-sites=9\n;"
				   "get vm1;close;");
	assert_string_equal(printed, "{\"mode\":\"host\",\"exclude\":"
				     "[{\"start\":4096,\"end\":8192}]}");
}

static void test_list_json(void **state)
{
	assert_int_equal(RUN(vm_list, "list", "--json", "--user"), PVCTL_OK);
	assert_string_equal(calls, "open 1 -;list;close;");
	assert_non_null(strstr(printed, "\"name\":\"vm1\""));
	assert_non_null(strstr(printed, "},{"));
}

/* A refusal in JSON is the one shape, the verdict's members after it. */
static void test_migrate_check_refusal_json(void **state)
{
	compatible = false;
	pvctl_json_mode = true;
	assert_int_equal(RUN(vm_migrate_check, "migrate-check", "vm1",
			     "--to-offer", "x.dtb", "--json"),
			 PVCTL_REFUSED);
	pvctl_json_mode = false;
	assert_string_equal(printed,
			    "{\"ok\":false,\"error\":\"incompatible\","
			    "\"message\":\"vm1 cannot migrate to x.dtb: no "
			    "notify there\",\"vm\":\"vm1\",\"destination\":"
			    "\"x.dtb\",\"compatible\":false,\"reasons\":"
			    "[\"no notify there\"]}");
}

/* Open descriptors: a stream leaked on a failed write keeps one (LSan does
 * not see it, glibc's list of streams still reaches the FILE). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* offer -o: written whole, or refused without leaking a descriptor or
 * leaving a part behind.  64 KiB overflow stdio's buffer, so that a write
 * to /dev/full fails in the write itself, not only at the close. */
static void test_offer_output(void **state)
{
	char path[] = "/tmp/test-cmd-vm-XXXXXX", buf[8] = "";
	int fd = mkstemp(path), fds;
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(RUN(vm_offer, "offer", "-o", path), PVCTL_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 3);
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "dtb");

	offer_len = 64 << 10;
	fds = open_fds();
	assert_int_equal(RUN(vm_offer, "offer", "-o", "/dev/full"),
			 PVCTL_USAGE);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(RUN(vm_offer, "offer", "-o", "/nonexistent/x.dtb"),
			 PVCTL_USAGE);
	pvctl_json_mode = true;
	assert_int_equal(RUN(vm_offer, "offer", "--json", "-o", "/dev/full"),
			 PVCTL_USAGE);
	pvctl_json_mode = false;
	offer_len = 3;
	assert_string_equal(printed,
			    "{\"ok\":false,\"error\":\"io-error\",\"message\":"
			    "\"/dev/full: No space left on device\"}");
}

static void test_migrate_check(void **state)
{
	assert_int_equal(RUN(vm_migrate_check, "migrate-check", "vm1",
			     "--to-offer", "x.dtb"),
			 PVCTL_OK);
	assert_string_equal(calls, "open 0 -;check vm1 3;close;");
	calls[0] = '\0';
	compatible = false;
	pvctl_json_mode = true; /* as main() sets it for --json */
	assert_int_equal(RUN(vm_migrate_check, "migrate-check", "vm1",
			     "--to-host", "far", "--json"),
			 PVCTL_REFUSED);
	pvctl_json_mode = false;
	assert_string_equal(calls, "open 3 far;offer;close;open 0 -;"
				   "check vm1 3;close;");
	assert_non_null(strstr(printed, "\"reasons\":[\"no notify there\"]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_enable_order, setup),
		cmocka_unit_test_setup(test_enable_refused, setup),
		cmocka_unit_test_setup(test_enable_applies, setup),
		cmocka_unit_test_setup(test_reset_disable, setup),
		cmocka_unit_test_setup(test_bad_input_never_reaches_daemon,
				       setup),
		cmocka_unit_test_setup(test_policy_text, setup),
		cmocka_unit_test_setup(test_list_json, setup),
		cmocka_unit_test_setup(test_migrate_check, setup),
		cmocka_unit_test_setup(test_migrate_check_refusal_json, setup),
		cmocka_unit_test_setup(test_offer_output, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
