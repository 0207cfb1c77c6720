// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The golden streams in tests/data/state/ load, field by field, into the
 * state they were written from (state-golden.h), and this release writes
 * them again byte for byte.  Every stream in tests/data/state/bad/ is
 * refused with the error and reason listed in bad/expected.tsv.
 *
 *   test-state-golden            run the tests (TAP)
 *   test-state-golden --write D  write the golden streams into D (done once
 *                                per stream version; never rewrite one)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"
#include "state-golden.h"

struct golden {
	const char *file;
	pvabi_u32 version;
	enum pvabi_byte_order order;
};

static const struct golden goldens[] = {
	{"v1-le.pvstate", 1, PVABI_LE},
	{"v2-be.pvstate", 2, PVABI_BE},
};

static char *path_of(const char *rel)
{
	const char *top = getenv("top_srcdir");
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/state/%s", top ? top : ".",
		 rel);
	return path;
}

static void *slurp(const char *rel, size_t *len)
{
	FILE *f = fopen(path_of(rel), "rb");
	void *buf;
	long n;

	if (!f) {
		fail_msg("cannot open %s", path_of(rel));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Field by field, so a failure names the field. */
static void assert_vcpu_equal(const struct pvabi_state_vcpu *got,
			      const struct pvabi_state_vcpu *want)
{
	const struct pvabi_dlv_state *g = &got->dlv, *w = &want->dlv;
	size_t nf;
	const struct pvabi_field *f = pvabi_layout(&nf);

	assert_int_equal(got->abi.major, want->abi.major);
	assert_int_equal(got->abi.minor, want->abi.minor);
	assert_int_equal(got->features, want->features);
	assert_int_equal(got->page_order, want->page_order);
	for (size_t i = 0; i < nf; i++) {
		if (f[i].notify_page)
			continue;
		if (memcmp((const char *)&got->page + f[i].offset,
			   (const char *)&want->page + f[i].offset, f[i].size))
			fail_msg("page field %s differs", f[i].name);
	}
	assert_int_equal(g->n_pending, w->n_pending);
	for (pvabi_u32 k = 0; k < PVABI_DLV_QUEUE_LEN; k++)
		assert_int_equal(g->pending[k], w->pending[k]);
	assert_int_equal(g->flags, w->flags);
	assert_int_equal(g->reserved, 0);
	assert_int_equal(g->stats.delivered, w->stats.delivered);
	assert_int_equal(g->stats.deferred, w->stats.deferred);
	assert_int_equal(g->stats.notify_traps, w->stats.notify_traps);
	assert_int_equal(g->stats.forced, w->stats.forced);
	assert_int_equal(g->stats.injected, w->stats.injected);
	assert_int_equal(g->stats.coalesced, w->stats.coalesced);
	assert_int_equal(g->stats.refused, w->stats.refused);
	assert_int_equal(g->stats.masked, w->stats.masked);
	assert_int_equal(g->stats.kicks, w->stats.kicks);
	assert_int_equal(g->stats.exits, w->stats.exits);
	assert_int_equal(got->has_defer_bound, want->has_defer_bound);
	assert_int_equal(g->deferred_exits, w->deferred_exits);
	assert_int_equal(g->deferred_ns, w->deferred_ns);
}

static void expected(struct pvabi_state *st, pvabi_u32 version)
{
	assert_int_equal(pvabi_state_init(st, 2), 0);
	golden_state(st, version >= 2);
}

static void load_and_check(const char *file, pvabi_u32 version,
			   enum pvabi_byte_order order, struct pvabi_state *got)
{
	struct pvabi_state want;
	char why[256] = "";
	size_t len;
	void *buf = slurp(file, &len);
	int err = pvabi_state_read(buf, len, got, why, sizeof(why));

	free(buf);
	if (err)
		fail_msg("%s: %s (%s)", file, pvabi_errname(err), why);
	assert_int_equal(got->version, version);
	assert_int_equal(got->order, order);
	assert_int_equal(got->n_vcpus, 2);
	expected(&want, version);
	for (pvabi_u32 i = 0; i < 2; i++)
		assert_vcpu_equal(&got->vcpus[i], &want.vcpus[i]);
	pvabi_state_free(&want);
}

static void test_goldens_load(void **state)
{
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct pvabi_state st;

		load_and_check(goldens[i].file, goldens[i].version,
			       goldens[i].order, &st);
		pvabi_state_free(&st);
	}
}

/* Written again in the version and order it came in: the same bytes. */
static void test_goldens_rewrite(void **state)
{
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct pvabi_state st;
		size_t len;
		void *buf = slurp(goldens[i].file, &len);
		unsigned char out[16384];

		assert_int_equal(pvabi_state_read(buf, len, &st, NULL, 0), 0);
		assert_int_equal(pvabi_state_write(&st, st.version, st.order,
						   out, sizeof(out), NULL, 0),
				 (long)len);
		assert_memory_equal(out, buf, len);
		pvabi_state_free(&st);
		free(buf);
	}
}

/* v2 (big-endian) written as v1 little-endian is the v1 golden; back to
 * v2 it keeps everything but the v2-only DEFER_BOUND. */
static void test_goldens_convert(void **state)
{
	struct pvabi_state v2, v1, again, want;
	size_t len1, len2;
	void *g1 = slurp("v1-le.pvstate", &len1);
	void *g2 = slurp("v2-be.pvstate", &len2);
	unsigned char out[16384], back[16384];
	long n;

	assert_int_equal(pvabi_state_read(g2, len2, &v2, NULL, 0), 0);
	n = pvabi_state_write(&v2, 1, PVABI_LE, out, sizeof(out), NULL, 0);
	assert_int_equal(n, (long)len1);
	assert_memory_equal(out, g1, len1);

	assert_int_equal(pvabi_state_read(out, (size_t)n, &v1, NULL, 0), 0);
	n = pvabi_state_write(&v1, 2, PVABI_BE, back, sizeof(back), NULL, 0);
	assert_true(n > 0);
	assert_int_equal(pvabi_state_read(back, (size_t)n, &again, NULL, 0), 0);
	expected(&want, 1);
	for (pvabi_u32 i = 0; i < 2; i++)
		assert_vcpu_equal(&again.vcpus[i], &want.vcpus[i]);
	pvabi_state_free(&want);
	pvabi_state_free(&again);
	pvabi_state_free(&v1);
	pvabi_state_free(&v2);
	free(g1);
	free(g2);
}

/* A v2 stream with unknown optional records, at the top level and inside
 * a vCPU, loads as if they were not there. */
static void test_unknown_optional_skipped(void **state)
{
	struct pvabi_state st;

	load_and_check("v2-unknown-optional.pvstate", 2, PVABI_BE, &st);
	pvabi_state_free(&st);
}

static int errcode(const char *name)
{
	for (int e = -1; e > PVABI_E_MIN; e--)
		if (!strcmp(pvabi_errname(e), name))
			return e;
	fail_msg("unknown error name %s", name);
	return 0;
}

static void test_bad_refused(void **state)
{
	FILE *f = fopen(path_of("bad/expected.tsv"), "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *file = strtok(line, "\t"), *err = strtok(NULL, "\t");
		char *reason = strtok(NULL, "\n"), rel[300], why[512] = "";
		struct pvabi_state st = {0};
		size_t len;
		void *buf;
		int got;

		if (!file || *file == '#' || !err || !reason)
			continue;
		snprintf(rel, sizeof(rel), "bad/%s", file);
		buf = slurp(rel, &len);
		got = pvabi_state_read(buf, len, &st, why, sizeof(why));
		free(buf);
		if (got != errcode(err) || !strstr(why, reason))
			fail_msg("%s: got %s \"%s\", want %s \"%s\"", file,
				 pvabi_errname(got), why, err, reason);
		assert_null(st.vcpus); /* nothing half-filled */
		print_message("# %s: %s\n", file, why);
		n++;
	}
	fclose(f);
	assert_true(n >= 6);
}

static int write_goldens(const char *dir)
{
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct pvabi_state st;
		unsigned char out[16384];
		char path[4096], why[256];
		long n;
		FILE *f;

		if (pvabi_state_init(&st, 2))
			return 1;
		golden_state(&st, goldens[i].version >= 2);
		n = pvabi_state_write(&st, goldens[i].version, goldens[i].order,
				      out, sizeof(out), why, sizeof(why));
		pvabi_state_free(&st);
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", goldens[i].file, why);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, goldens[i].file);
		f = fopen(path, "wb");
		if (!f || fwrite(out, 1, (size_t)n, f) != (size_t)n ||
		    fclose(f))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens_load),
		cmocka_unit_test(test_goldens_rewrite),
		cmocka_unit_test(test_goldens_convert),
		cmocka_unit_test(test_unknown_optional_skipped),
		cmocka_unit_test(test_bad_refused),
	};

	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_goldens(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
