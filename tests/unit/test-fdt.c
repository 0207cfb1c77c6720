// SPDX-License-Identifier: GPL-2.0-or-later
/* Device-tree offer: write/read round trip, and untrusted blobs refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "pvabi/pvabi.h"

static const struct pvabi_offer sample = {
	.n_versions = 3,
	.versions = {{1, 0}, {1, 2}, {2, 0}},
	.floor = {1, 0},
	.features = PVABI_F_NOTIFY | PVABI_F_SEGREGS | (1ull << 40),
};

static void assert_offer_equal(const struct pvabi_offer *a,
			       const struct pvabi_offer *b)
{
	assert_int_equal(a->n_versions, b->n_versions);
	assert_memory_equal(a->versions, b->versions,
			    a->n_versions * sizeof(a->versions[0]));
	assert_memory_equal(&a->floor, &b->floor, sizeof(a->floor));
	assert_int_equal(a->features, b->features);
}

static void test_round_trip(void **state)
{
	char blob[1024];
	struct pvabi_offer got;
	int n = pvabi_fdt_write_offer(&sample, blob, sizeof(blob));

	assert_true(n > 0);
	assert_int_equal(fdt_check_full(blob, (size_t)n), 0);
	assert_int_equal(pvabi_fdt_read_offer(blob, (size_t)n, &got, NULL, 0),
			 0);
	assert_offer_equal(&got, &sample);
	/* A blob at an odd address (a D-Bus byte array) reads the same. */
	{
		char *odd = malloc((size_t)n + 1);

		memcpy(odd + 1, blob, (size_t)n);
		memset(&got, 0, sizeof(got));
		assert_int_equal(
			pvabi_fdt_read_offer(odd + 1, (size_t)n, &got, NULL, 0),
			0);
		assert_offer_equal(&got, &sample);
		free(odd);
	}
	assert_int_equal(pvabi_fdt_write_offer(&sample, blob, 64),
			 PVABI_E_NOSPACE);
}

static void test_add_to_existing_tree(void **state)
{
	char blob[2048];
	struct pvabi_offer got, other = sample;

	assert_int_equal(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	assert_true(fdt_add_subnode(blob, 0, "cpus") >= 0);
	assert_int_equal(pvabi_fdt_add_offer(blob, sizeof(blob), &sample), 0);
	/* Adding again replaces the node rather than adding a second. */
	other.n_versions = 1;
	assert_int_equal(pvabi_fdt_add_offer(blob, sizeof(blob), &other), 0);
	assert_int_equal(
		pvabi_fdt_read_offer(blob, sizeof(blob), &got, NULL, 0), 0);
	assert_offer_equal(&got, &other);
	assert_true(fdt_path_offset(blob, "/cpus") >= 0);
	assert_int_equal(pvabi_fdt_add_offer(blob, sizeof(blob), NULL),
			 PVABI_E_INVAL);
	memset(blob, 0, 16);
	assert_int_equal(pvabi_fdt_add_offer(blob, sizeof(blob), &sample),
			 PVABI_E_MALFORMED);
}

/* Every prefix of a valid blob, and every single-byte corruption of its
 * header and structure, is refused or read consistently: never a crash,
 * never a half-filled offer. */
static void test_damage(void **state)
{
	char blob[1024], *copy;
	struct pvabi_offer got;
	int n = pvabi_fdt_write_offer(&sample, blob, sizeof(blob));
	unsigned refused = 0, accepted = 0;

	assert_true(n > 0);
	for (int len = 0; len < n; len++) {
		copy = malloc((size_t)len + 1);
		memcpy(copy, blob, (size_t)len);
		memset(&got, 0xa5, sizeof(got));
		assert_true(pvabi_fdt_read_offer(copy, (size_t)len, &got, NULL,
						 0) < 0);
		/* Untouched on failure. */
		assert_int_equal(got.n_versions, 0xa5a5a5a5);
		free(copy);
	}
	for (int off = 0; off < n; off++) {
		for (int bit = 0; bit < 8; bit++) {
			char why[256] = "";
			int err;

			copy = malloc((size_t)n);
			memcpy(copy, blob, (size_t)n);
			copy[off] ^= (char)(1 << bit);
			err = pvabi_fdt_read_offer(copy, (size_t)n, &got, why,
						   sizeof(why));
			if (err) {
				assert_true(err <= PVABI_E_BADMAGIC);
				assert_true(why[0] != 0);
				refused++;
			} else {
				assert_int_equal(pvabi_offer_check(&got), 0);
				accepted++;
			}
			free(copy);
		}
	}
	assert_true(refused > 0);
	assert_true(accepted > 0); /* flips inside values stay valid */
}

/* A tree whose header is sound but whose reservation map runs to the end of
 * the blob without its terminating entry: refused, not handed to
 * fdt_open_into() (which would memmove a negative size). */
static void test_add_unterminated_rsvmap(void **state)
{
	/* libfdt refuses a tree that is not 8-byte aligned. */
	static char tree[4096] __attribute__((aligned(8)));
	struct fdt_reserve_entry *re;
	uint32_t rsv;

	assert_int_equal(fdt_create_empty_tree(tree, 512), 0);
	rsv = fdt_off_mem_rsvmap(tree);
	for (re = (void *)(tree + rsv); (char *)(re + 1) <= tree + 512; re++)
		re->size = cpu_to_fdt64(~0ull);
	assert_int_equal(pvabi_fdt_add_offer(tree, sizeof(tree), &sample),
			 PVABI_E_MALFORMED);
}

/* A sound tree relabelled as an old layout (version 15, last compatible 2):
 * refused, not handed to fdt_check_full() (which crashes on it). */
static void test_old_version(void **state)
{
	static char tree[4096] __attribute__((aligned(8)));
	struct fdt_header *h = (void *)tree;
	struct pvabi_offer got;
	int n = pvabi_fdt_write_offer(&sample, tree, 1024);

	assert_true(n > 0);
	h->version = cpu_to_fdt32(15);
	h->last_comp_version = cpu_to_fdt32(2);
	assert_int_equal(pvabi_fdt_read_offer(tree, (size_t)n, &got, NULL, 0),
			 PVABI_E_MALFORMED);
	assert_int_equal(pvabi_fdt_add_offer(tree, sizeof(tree), &sample),
			 PVABI_E_MALFORMED);
}

/* A property whose length wraps the offset backwards (0xfffffff4): refused,
 * where libfdt 1.6.1's fdt_check_full() alone loops forever. */
static void test_wrapping_prop_len(void **state)
{
	static char tree[4096] __attribute__((aligned(8)));
	struct pvabi_offer got;
	int n = pvabi_fdt_write_offer(&sample, tree, 1024), off;
	fdt32_t *lenp;

	assert_true(n > 0);
	off = fdt_first_property_offset(tree,
					fdt_path_offset(tree, "/hypervisor"));
	assert_true(off >= 0);
	lenp = (fdt32_t *)(tree + fdt_off_dt_struct(tree) + off + 4);
	*lenp = cpu_to_fdt32(0xfffffff4);
	alarm(10); /* without the check this never returns */
	assert_int_equal(pvabi_fdt_read_offer(tree, (size_t)n, &got, NULL, 0),
			 PVABI_E_MALFORMED);
	assert_int_equal(pvabi_fdt_add_offer(tree, sizeof(tree), &sample),
			 PVABI_E_MALFORMED);
	alarm(0);
}

static void test_bad_args(void **state)
{
	struct pvabi_offer bad = sample, got;
	char blob[256];

	bad.n_versions = 0;
	assert_int_equal(pvabi_fdt_write_offer(&bad, blob, sizeof(blob)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_fdt_write_offer(NULL, blob, sizeof(blob)),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_fdt_read_offer(NULL, 10, &got, NULL, 0),
			 PVABI_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_add_to_existing_tree),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_add_unterminated_rsvmap),
		cmocka_unit_test(test_old_version),
		cmocka_unit_test(test_wrapping_prop_len),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
