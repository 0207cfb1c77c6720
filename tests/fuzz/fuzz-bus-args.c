// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's validation of D-Bus arguments (pvctld/settings.c,
 * pvabi_fdt_read_offer for CheckMigration) on arbitrary values.
 *
 * The first byte picks the argument (VM name, Enable, SetVersions,
 * SetFeatures, SetPatchPolicy, CheckMigration's offer); the second sizes
 * the @why buffer; the rest is the value.
 *
 * Invariants: a refusal says why; an accepted change leaves valid settings
 * (versions ordered and meeting this host's offer, patch policy passing
 * its check) whose metadata reads back the same; an accepted offer blob
 * gives a valid offer and a verdict with at most its maximum of reasons.
 */
#include "../../libpvctl/metadata.h"
#include "../../libpvctl/migrate.h"
#include "fuzz.h"

static const struct pvabi_offer host = {
	.n_versions = 2,
	.versions = {{1, 0}, {1, 2}},
	.features = PVABI_F_ALL_1_0,
};

static void check_settings(const struct pvctl_vm_settings *s)
{
	struct pvctl_vm_settings back;
	struct pvabi_offer clamped;
	char *xml;

	FUZZ_ASSERT(pvabi_version_cmp(s->lo, s->hi) <= 0);
	/* SetVersions refuses a range that leaves nothing of the offer. */
	FUZZ_ASSERT(pvctl_settings_clamp(s, &host, &clamped) == 0);
	FUZZ_ASSERT(pvabi_patch_policy_check(&s->patch) == 0);
	xml = pvctl_metadata_format(s, false);
	FUZZ_ASSERT(xml);
	pvctl_settings_default(&back, &host);
	FUZZ_ASSERT(pvctl_metadata_parse(xml, strlen(xml), &back, NULL, 0) ==
		    0);
	FUZZ_ASSERT(pvctl_settings_equal(s, &back));
	free(xml);
}

static void offer_blob(const uint8_t *p, size_t len, char *why, size_t wl)
{
	struct pvctl_migration_verdict v;
	struct pvctl_vm_settings s;
	struct pvabi_offer dest;
	/* pvctld copies the blob out of the D-Bus message, whose byte arrays
	 * carry no alignment, because libfdt wants 4-byte alignment. */
	void *blob = malloc(len ? len : 1);
	int err;

	FUZZ_ASSERT(blob);
	memcpy(blob, p, len);
	err = pvabi_fdt_read_offer(blob, len, &dest, why, wl);
	free(blob);
	if (err) {
		fuzz_check_why(why, wl);
		return;
	}
	FUZZ_ASSERT(pvabi_offer_check(&dest) == 0);
	pvctl_settings_default(&s, &host);
	s.enabled = true;
	pvctl_migration_check(&s, &host, &dest, &v);
	FUZZ_ASSERT(v.n_reasons <= PVCTL_MIGRATION_MAX_REASONS);
	FUZZ_ASSERT(v.compatible == (v.n_reasons == 0));
	pvctl_migration_check(&s, NULL, &dest, &v);
	FUZZ_ASSERT(v.compatible == (v.n_reasons == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	unsigned int kind = (unsigned int)fuzz_take(&in, 1) % 6;
	size_t wl = (size_t)fuzz_take(&in, 1) % 300;
	char *why = malloc(wl ? wl : 1), *text;
	struct pvctl_change ch = {0};
	struct pvctl_vm_settings s;
	int err;

	if (kind == 5) {
		offer_blob(in.p, in.left, wl ? why : NULL, wl);
		free(why);
		return 0;
	}
	text = fuzz_take_string(&in);
	if (kind == 0) {
		err = pvctl_vm_name_check(text, wl ? why : NULL, wl);
		if (err)
			fuzz_check_why(why, wl);
		else
			FUZZ_ASSERT(*text &&
				    strlen(text) <= PVCTL_VM_NAME_MAX &&
				    !strchr(text, '/'));
	} else {
		ch.what = kind - 1;
		ch.enabled = true;
		err = pvctl_change_parse(&ch, text, &host, wl ? why : NULL, wl);
		if (err) {
			fuzz_check_why(why, wl);
		} else {
			pvctl_settings_default(&s, &host);
			pvctl_change_apply(&s, &ch);
			check_settings(&s);
		}
	}
	free(text);
	free(why);
	return 0;
}
