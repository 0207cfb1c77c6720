// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The patch policy's text form (pvabi_patch_policy_parse) on arbitrary
 * bytes, NULs included.  The first byte sizes the @why buffer.
 *
 * Invariants: a refusal is PVABI_E_MALFORMED with a NUL-terminated message
 * naming the line; what is accepted passes pvabi_patch_policy_check(),
 * formats, and parses back to the same policy.
 */
#include "fuzz.h"
#include "pvabi/pvabi.h"
#include "pvabi/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	size_t wl = (size_t)fuzz_take(&in, 1);
	struct pvabi_patch_policy pol, again;
	char *why = malloc(wl + 1), *text = malloc(in.left + 1), buf[8192];
	size_t len = in.left;
	int err, n;

	FUZZ_ASSERT(why && text);
	memcpy(text, in.p, len);
	err = pvabi_patch_policy_parse(text, len, &pol, why, wl);
	if (err) {
		FUZZ_ASSERT(err == PVABI_E_MALFORMED);
		fuzz_check_why(why, wl);
		if (wl > 8)
			FUZZ_ASSERT(!strncmp(why, "line ", wl < 5 ? wl : 5));
	} else {
		FUZZ_ASSERT(pvabi_patch_policy_check(&pol) == 0);
		n = pvabi_patch_policy_format(&pol, buf, sizeof(buf));
		FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(buf));
		FUZZ_ASSERT(pvabi_patch_policy_parse(buf, (size_t)n, &again,
						     NULL, 0) == 0);
		FUZZ_ASSERT(!memcmp(&pol, &again, sizeof(pol)));
	}
	free(why);
	free(text);
	return 0;
}
