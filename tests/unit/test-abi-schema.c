// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * schemas/abi-v1.json and pvabi/abi.h describe the same pages, field by
 * field; the field table covers each page exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "pvabi/pvabi.h"

#include "schema-file.h"

static int load(void **state)
{
	return schema_load("abi-v1.json");
}

static void test_fields_match(void **state)
{
	size_t n, k = 0;
	const struct pvabi_field *f = pvabi_layout(&n);
	const char *pages[] = {"magic", "notify"};

	assert_int_equal(json_object_get_int(get(schema, "major")),
			 PVABI_VERSION_MAJOR);
	assert_int_equal(json_object_get_int(get(schema, "page_size")),
			 PVABI_PAGE_SIZE);
	assert_int_equal(json_object_get_int(get(schema, "size_1_0")),
			 PVABI_SIZE_1_0);
	assert_int_equal(json_object_get_int(get(schema, "size_1_1")),
			 PVABI_SIZE_1_1);
	for (int p = 0; p < 2; p++) {
		struct json_object *arr = get(get(schema, "pages"), pages[p]);

		for (size_t i = 0; i < json_object_array_length(arr);
		     i++, k++) {
			struct json_object *e =
				json_object_array_get_idx(arr, i);
			char since[16];
			struct json_object *feat;

			assert_true(k < n);
			assert_string_equal(
				json_object_get_string(get(e, "name")),
				f[k].name);
			assert_int_equal(json_object_get_int(get(e, "offset")),
					 f[k].offset);
			assert_int_equal(json_object_get_int(get(e, "size")),
					 f[k].size);
			snprintf(since, sizeof(since), "%u.%u",
				 f[k].since.major, f[k].since.minor);
			assert_string_equal(
				json_object_get_string(get(e, "since")), since);
			assert_int_equal(f[k].notify_page, p == 1);
			assert_int_equal(
				json_object_get_boolean(get(e, "reserved")),
				f[k].reserved);
			if (json_object_object_get_ex(e, "feature", &feat)) {
				pvabi_u64 m;

				assert_int_equal(
					pvabi_features_parse(
						json_object_get_string(feat),
						&m, NULL, 0),
					0);
				assert_int_equal(m, f[k].feature);
			} else {
				assert_int_equal(f[k].feature, 0);
			}
		}
	}
	assert_int_equal(k, n);
}

static void test_table_tiles_pages(void **state)
{
	size_t n;
	const struct pvabi_field *f = pvabi_layout(&n);
	pvabi_u32 next[2] = {0, 0};

	for (size_t i = 0; i < n; i++) {
		int p = f[i].notify_page;

		if (f[i].offset != next[p])
			fail_msg("%s at 0x%x, expected 0x%x: gap or overlap",
				 f[i].name, f[i].offset, next[p]);
		/* Natural alignment of every scalar or array element. */
		if (!f[i].reserved)
			assert_int_equal(
				f[i].offset % (f[i].size >= 8 ? 8 : f[i].size),
				0);
		next[p] += f[i].size;
	}
	assert_int_equal(next[0], PVABI_PAGE_SIZE);
	assert_int_equal(next[1], PVABI_PAGE_SIZE);
}

static void test_features_match(void **state)
{
	size_t n;
	const struct pvabi_feature_info *f = pvabi_features(&n);
	struct json_object *arr = get(schema, "features");
	pvabi_u64 all = 0, all_1_0 = 0;

	assert_int_equal(json_object_array_length(arr), n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		char since[16];

		assert_string_equal(json_object_get_string(get(e, "name")),
				    f[i].name);
		assert_int_equal(1ull << json_object_get_int(get(e, "bit")),
				 f[i].bit);
		snprintf(since, sizeof(since), "%u.%u", f[i].since.major,
			 f[i].since.minor);
		assert_string_equal(json_object_get_string(get(e, "since")),
				    since);
		/* Negotiation withholds exactly the bits newer than 1.0. */
		assert_int_equal(
			!!(pvabi_features_after((struct pvabi_version){1, 0}) &
			   f[i].bit),
			f[i].since.minor > 0);
		assert_false(all & f[i].bit); /* never reused */
		all |= f[i].bit;
		if (!f[i].since.minor)
			all_1_0 |= f[i].bit;
	}
	assert_int_equal(all_1_0, PVABI_F_ALL_1_0);
	assert_int_equal(all, PVABI_F_ALL_1_1);
	assert_int_equal(pvabi_features_after((struct pvabi_version){1, 1}), 0);
}

static void test_hypercalls_match(void **state)
{
	static const struct {
		const char *name;
		int nr;
	} hc[] = {
		{"negotiate", PVABI_HC_NEGOTIATE},
		{"get_offer", PVABI_HC_GET_OFFER},
		{"get_version", PVABI_HC_GET_VERSION},
		{"kick", PVABI_HC_KICK},
		{"patch_request", PVABI_HC_PATCH_REQUEST},
	};
	struct json_object *arr = get(schema, "hypercalls");

	assert_int_equal(json_object_array_length(arr),
			 sizeof(hc) / sizeof(hc[0]));
	for (size_t i = 0; i < sizeof(hc) / sizeof(hc[0]); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		assert_string_equal(json_object_get_string(get(e, "name")),
				    hc[i].name);
		assert_int_equal(json_object_get_int(get(e, "nr")), hc[i].nr);
	}
	assert_int_equal(json_object_get_int(get(schema, "hcall_vendor")),
			 PVABI_HCALL_VENDOR);
	assert_int_equal(json_object_get_int64(get(schema, "magic")),
			 PVABI_MAGIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_match),
		cmocka_unit_test(test_table_tiles_pages),
		cmocka_unit_test(test_features_match),
		cmocka_unit_test(test_hypercalls_match),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
