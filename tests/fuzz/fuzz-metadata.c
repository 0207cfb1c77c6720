// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's libvirt metadata reader (pvctld/metadata.c) on arbitrary bytes:
 * the element alone, in pvabi's namespace or none, or a whole domain.
 *
 * The first byte sizes the @why buffer; the rest is the XML.
 *
 * Invariants: a refusal leaves the settings untouched and a message in
 * @why; what is accepted is valid (versions ordered, patch policy passes
 * its check) and survives format -> parse unchanged, in both forms.
 */
#include "../../libpvctl/metadata.h"
#include "fuzz.h"

static void roundtrip(const struct pvctl_vm_settings *s, bool with_ns)
{
	struct pvabi_offer host = {.n_versions = 1, .versions = {{1, 0}}};
	struct pvctl_vm_settings back;
	char *xml = pvctl_metadata_format(s, with_ns);

	FUZZ_ASSERT(xml);
	pvctl_settings_default(&back, &host);
	FUZZ_ASSERT(pvctl_metadata_parse(xml, strlen(xml), &back, NULL, 0) ==
		    0);
	FUZZ_ASSERT(pvctl_settings_equal(s, &back));
	free(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvabi_offer host = {.n_versions = 1,
				   .versions = {{1, 0}},
				   .features = PVABI_F_ALL_1_0};
	struct fuzz_input in = {data, size};
	size_t wl = (size_t)fuzz_take(&in, 1) % 300;
	struct pvctl_vm_settings s, orig;
	char *why = malloc(wl ? wl : 1);
	int err;

	pvctl_settings_default(&orig, &host);
	s = orig;
	err = pvctl_metadata_parse((const char *)in.p, in.left, &s,
				   wl ? why : NULL, wl);
	if (err) {
		FUZZ_ASSERT(err < 0);
		FUZZ_ASSERT(pvctl_settings_equal(&s, &orig));
		fuzz_check_why(why, wl);
	} else {
		FUZZ_ASSERT(pvabi_version_cmp(s.lo, s.hi) <= 0);
		FUZZ_ASSERT(pvabi_patch_policy_check(&s.patch) == 0);
		roundtrip(&s, true);
		roundtrip(&s, false);
	}
	free(why);
	return 0;
}
