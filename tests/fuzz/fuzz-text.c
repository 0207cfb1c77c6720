// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The text forms of pvabi/pvabi.h on arbitrary strings: versions, version
 * lists, ranges, integers, feature lists, and the formatters that print
 * them.
 *
 * The first byte picks the function and the size of the @why buffer (each
 * buffer is its own heap block, so ASan sees any write past it); the rest
 * of the input is the text.
 *
 * Invariants: parse -> format -> parse gives the same value; a formatter
 * returns the length it wrote or PVABI_E_NOSPACE (PVABI_E_INVAL for a NULL
 * buffer), never more than the buffer; a refusal leaves a NUL-terminated
 * message in @why.
 */
#include <stdbool.h>

#include "pvabi/pvabi.h"
#include "fuzz.h"

static void check_version(const char *s, char *why, size_t wl)
{
	struct pvabi_version v, again;
	char buf[16];

	if (pvabi_version_parse(s, &v, why, wl)) {
		fuzz_check_why(why, wl);
		return;
	}
	FUZZ_ASSERT(v.major != 0);
	snprintf(buf, sizeof(buf), "%u.%u", v.major, v.minor);
	FUZZ_ASSERT(pvabi_version_parse(buf, &again, NULL, 0) == 0);
	FUZZ_ASSERT(!pvabi_version_cmp(v, again));
}

static void check_list(const char *s, char *why, size_t wl)
{
	struct pvabi_offer o = {.features = 0x1234}, again = {0};
	char buf[PVABI_VERSION_LIST_TEXT_MAX];
	int n;

	if (pvabi_version_list_parse(s, &o, why, wl)) {
		fuzz_check_why(why, wl);
		FUZZ_ASSERT(o.n_versions == 0 && o.features == 0x1234);
		return;
	}
	/* What the list parser accepts is a valid offer (given features). */
	FUZZ_ASSERT(pvabi_offer_check(&o) == 0);
	FUZZ_ASSERT(o.features == 0x1234);
	n = pvabi_version_list_format(&o, buf, sizeof(buf));
	FUZZ_ASSERT(n >= 0 && (size_t)n == strlen(buf));
	FUZZ_ASSERT(pvabi_version_list_parse(buf, &again, NULL, 0) == 0);
	FUZZ_ASSERT(again.n_versions == o.n_versions);
	for (pvabi_u32 i = 0; i < o.n_versions; i++)
		FUZZ_ASSERT(
			!pvabi_version_cmp(o.versions[i], again.versions[i]));
}

static void check_range(const char *s, char *why, size_t wl)
{
	struct pvabi_version lo, hi, lo2, hi2;
	char buf[PVABI_VERSION_RANGE_TEXT_MAX];
	int n;

	if (pvabi_version_range_parse(s, &lo, &hi, why, wl)) {
		fuzz_check_why(why, wl);
		return;
	}
	FUZZ_ASSERT(pvabi_version_cmp(lo, hi) <= 0);
	n = pvabi_version_range_format(lo, hi, buf, sizeof(buf));
	FUZZ_ASSERT(n >= 0 && (size_t)n == strlen(buf));
	FUZZ_ASSERT(pvabi_version_range_parse(buf, &lo2, &hi2, NULL, 0) == 0);
	FUZZ_ASSERT(!pvabi_version_cmp(lo, lo2) && !pvabi_version_cmp(hi, hi2));
}

static void check_features(const char *s, char *why, size_t wl)
{
	pvabi_u64 mask, again;
	char buf[512];
	int n;

	if (pvabi_features_parse(s, &mask, why, wl)) {
		fuzz_check_why(why, wl);
		return;
	}
	n = pvabi_features_format(mask, buf, sizeof(buf));
	FUZZ_ASSERT(n >= 0 && (size_t)n == strlen(buf));
	FUZZ_ASSERT(pvabi_features_parse(buf, &again, NULL, 0) == 0);
	FUZZ_ASSERT(again == mask);
}

static void check_u64(const char *s, char *why, size_t wl)
{
	pvabi_u64 v, again;
	char buf[24];

	if (pvabi_u64_parse(s, 0, UINT64_MAX, &v, why, wl)) {
		fuzz_check_why(why, wl);
		return;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	FUZZ_ASSERT(pvabi_u64_parse(buf, 0, UINT64_MAX, &again, NULL, 0) == 0);
	FUZZ_ASSERT(again == v);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	FUZZ_ASSERT(pvabi_u64_parse(buf, v, v, &again, NULL, 0) == 0);
	FUZZ_ASSERT(again == v);
}

/* Any mask into a buffer of any size. */
static void check_format(struct fuzz_input *in)
{
	pvabi_u64 mask = fuzz_take(in, 8);
	size_t len = (size_t)fuzz_take(in, 2) % 600;
	char *buf = malloc(len ? len : 1);
	int n;

	if (!buf)
		abort();
	n = pvabi_features_format(mask, len ? buf : NULL, len);
	/* len 0 passes NULL: a bad parameter, not a short buffer. */
	FUZZ_ASSERT(n >= 0 || n == (len ? PVABI_E_NOSPACE : PVABI_E_INVAL));
	if (n >= 0)
		FUZZ_ASSERT((size_t)n < len && strlen(buf) == (size_t)n);
	free(buf);
}

/* Any offer, request and error code into a buffer of any size. */
static void check_explain(struct fuzz_input *in)
{
	struct pvabi_offer o;
	struct pvabi_request r;
	size_t len = (size_t)fuzz_take(in, 2) % 600;
	int err = -(int)fuzz_take(in, 1);
	char *buf = malloc(len ? len : 1);
	int n;

	if (!buf)
		abort();
	memset(&o, 0, sizeof(o));
	o.n_versions = (pvabi_u32)fuzz_take(in, 4);
	for (int i = 0; i < PVABI_OFFER_MAX_VERSIONS; i++) {
		o.versions[i].major = (pvabi_u16)fuzz_take(in, 2);
		o.versions[i].minor = (pvabi_u16)fuzz_take(in, 2);
	}
	o.floor.major = (pvabi_u16)fuzz_take(in, 2);
	o.features = fuzz_take(in, 8);
	r.min.major = (pvabi_u16)fuzz_take(in, 2);
	r.min.minor = (pvabi_u16)fuzz_take(in, 2);
	r.max.major = (pvabi_u16)fuzz_take(in, 2);
	r.max.minor = (pvabi_u16)fuzz_take(in, 2);
	r.wanted = fuzz_take(in, 8);
	r.required = fuzz_take(in, 8);
	r.magic_gpa = fuzz_take(in, 8);
	r.notify_gpa = fuzz_take(in, 8);
	n = pvabi_negotiate_explain(&o, &r, err, len ? buf : NULL, len);
	FUZZ_ASSERT(n >= 0 || n == (len ? PVABI_E_NOSPACE : PVABI_E_INVAL));
	if (n >= 0)
		FUZZ_ASSERT((size_t)n < len && strlen(buf) == (size_t)n);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	unsigned sel = (unsigned)fuzz_take(&in, 1);
	size_t wl = sel >> 3; /* 0..31: short buffers truncate messages */
	char *why, *s;

	switch (sel & 7) {
	case 5: check_format(&in); return 0;
	case 6:
	case 7: check_explain(&in); return 0;
	}
	why = malloc(wl ? wl : 1);
	s = fuzz_take_string(&in);
	if (!why)
		abort();
	switch (sel & 7) {
	case 0: check_version(s, wl ? why : NULL, wl); break;
	case 1: check_list(s, wl ? why : NULL, wl); break;
	case 2: check_range(s, wl ? why : NULL, wl); break;
	case 3: check_u64(s, wl ? why : NULL, wl); break;
	default: check_features(s, wl ? why : NULL, wl); break;
	}
	free(s);
	free(why);
	return 0;
}
