// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device-tree offer reader on arbitrary blobs.
 *
 * Invariants: pvabi_fdt_read_offer() never reads past the blob; it succeeds
 * only with an offer that pvabi_offer_check() accepts, and that offer
 * survives pvabi_fdt_write_offer() -> pvabi_fdt_read_offer() unchanged; when
 * it refuses, it says why in one line and leaves the caller's offer alone.
 * pvabi_fdt_add_offer() on the same (hostile) blob either refuses it or
 * leaves a tree from which the added offer reads back.
 */
#include <stdbool.h>

#include "pvabi/pvabi.h"
#include "fuzz.h"

static bool offer_equal(const struct pvabi_offer *a,
			const struct pvabi_offer *b)
{
	if (a->n_versions != b->n_versions ||
	    pvabi_version_cmp(a->floor, b->floor) || a->features != b->features)
		return false;
	for (pvabi_u32 i = 0; i < a->n_versions; i++)
		if (pvabi_version_cmp(a->versions[i], b->versions[i]))
			return false;
	return true;
}

static void check_read(const uint8_t *data, size_t size)
{
	static const struct pvabi_offer untouched = {.n_versions = 0xdead};
	struct pvabi_offer offer = untouched, again;
	char why[128], buf[1024];
	int err, n;

	why[0] = '\0';
	err = pvabi_fdt_read_offer(data, size, &offer, why, sizeof(why));
	if (err) {
		FUZZ_ASSERT(err < 0);
		FUZZ_ASSERT(why[0] && !strchr(why, '\n'));
		FUZZ_ASSERT(!memcmp(&offer, &untouched, sizeof(offer)));
		return;
	}
	FUZZ_ASSERT(pvabi_offer_check(&offer) == 0);

	n = pvabi_fdt_write_offer(&offer, buf, sizeof(buf));
	FUZZ_ASSERT(n > 0 && (size_t)n <= sizeof(buf));
	FUZZ_ASSERT(pvabi_fdt_read_offer(buf, (size_t)n, &again, NULL, 0) == 0);
	FUZZ_ASSERT(offer_equal(&offer, &again));
}

static void check_add(const uint8_t *data, size_t size)
{
	const struct pvabi_offer add = {
		.n_versions = 2,
		.versions = {{1, 0}, {1, 3}},
		.floor = {1, 0},
		.features = PVABI_F_NOTIFY | PVABI_F_BOOKE,
	};
	struct pvabi_offer back;
	size_t len = size + 1024;
	uint8_t *tree = malloc(len);

	if (!tree)
		abort();
	memcpy(tree, data, size);
	memset(tree + size, 0, len - size);
	if (pvabi_fdt_add_offer(tree, len, &add) == 0) {
		FUZZ_ASSERT(pvabi_fdt_read_offer(tree, len, &back, NULL, 0) ==
			    0);
		FUZZ_ASSERT(offer_equal(&add, &back));
	}
	free(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_read(data, size);
	check_add(data, size);
	return 0;
}
