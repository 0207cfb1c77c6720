/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For the unit tests that hold a schemas/ file to the code: the file, read
 * once per test program, and its keys, failing the test when one is absent.
 * Include after <cmocka.h> and <json-c/json.h>. */
#ifndef PVABI_TESTS_SCHEMA_FILE_H
#define PVABI_TESTS_SCHEMA_FILE_H

#include <stdio.h>
#include <stdlib.h>

static struct json_object *schema;

static int schema_load(const char *name)
{
	char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/schemas/%s", top ? top : ".", name);
	schema = json_object_from_file(path);
	if (!schema) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	return 0;
}

static int unload(void **state)
{
	json_object_put(schema);
	return 0;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("schema lacks '%s'", key);
	return v;
}

#endif
