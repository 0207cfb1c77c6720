// SPDX-License-Identifier: GPL-2.0-or-later
/* schemas/migration-records.json and libpvabi know the same record types. */
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
	return schema_load("migration-records.json");
}

static void test_constants(void **state)
{
	char magic[32] = "";

	for (int i = 0; i < 8; i++)
		snprintf(magic + strlen(magic), sizeof(magic) - strlen(magic),
			 "%s%02x", i ? " " : "",
			 (unsigned char)PVABI_STATE_MAGIC[i]);
	assert_string_equal(json_object_get_string(get(schema, "magic")),
			    magic);
	assert_int_equal(json_object_get_int(get(schema, "header_size")),
			 PVABI_STATE_HEADER_SIZE);
	assert_int_equal(json_object_get_int(get(schema, "oldest_version")),
			 PVABI_STATE_VERSION_OLDEST);
	assert_int_equal(json_object_get_int(get(schema, "current_version")),
			 PVABI_STATE_VERSION);
	assert_int_equal(json_object_get_int(get(schema, "max_vcpus")),
			 PVABI_STATE_MAX_VCPUS);
	assert_int_equal(json_object_get_int(get(schema, "max_pending")),
			 PVABI_STATE_MAX_PENDING);
	assert_int_equal(json_object_get_int64(get(schema, "optional_bit")),
			 PVABI_REC_OPTIONAL);
}

static void test_records_match(void **state)
{
	size_t n;
	const struct pvabi_record_info *r = pvabi_state_records(&n);
	struct json_object *arr = get(schema, "records");

	assert_int_equal(json_object_array_length(arr), n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		pvabi_u32 type =
			(pvabi_u32)json_object_get_int64(get(e, "type"));

		assert_string_equal(json_object_get_string(get(e, "name")),
				    r[i].name);
		assert_int_equal(type, r[i].type);
		assert_int_equal(json_object_get_boolean(get(e, "optional")),
				 !!(r[i].type & PVABI_REC_OPTIONAL));
		assert_int_equal(json_object_get_int(get(e, "since")),
				 r[i].since);
		assert_string_equal(json_object_get_string(get(e, "container")),
				    r[i].in_vcpu ? "vcpu" : "stream");
		assert_int_equal(json_object_get_int64(get(e, "min_length")),
				 r[i].min_length);
		assert_int_equal(json_object_get_int64(get(e, "max_length")),
				 r[i].max_length);
		assert_string_equal(pvabi_state_record_name(type), r[i].name);
		/* A type number is used once, whatever its optional bit. */
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(r[k].type & ~PVABI_REC_OPTIONAL,
					     type & ~PVABI_REC_OPTIONAL);
	}
	/* The constants of state.h name the same numbers. */
	assert_string_equal(pvabi_state_record_name(PVABI_REC_END), "END");
	assert_string_equal(pvabi_state_record_name(PVABI_REC_VCPU), "VCPU");
	assert_string_equal(pvabi_state_record_name(PVABI_REC_ABI), "ABI");
	assert_string_equal(pvabi_state_record_name(PVABI_REC_MAGIC_PAGE),
			    "MAGIC_PAGE");
	assert_string_equal(pvabi_state_record_name(PVABI_REC_DELIVERY),
			    "DELIVERY");
	assert_string_equal(pvabi_state_record_name(PVABI_REC_DEFER_BOUND),
			    "DEFER_BOUND");
	assert_null(pvabi_state_record_name(0x42));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_records_match),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
