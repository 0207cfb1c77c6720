// SPDX-License-Identifier: GPL-2.0-or-later
/* A VM's pvabi settings: defaults, comparison, validation and text forms. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

void pvctl_offer_bounds(const struct pvabi_offer *offer,
			struct pvabi_version *lo, struct pvabi_version *hi)
{
	*lo = *hi = offer->versions[0];
	for (pvabi_u32 i = 1; i < offer->n_versions; i++) {
		if (pvabi_version_cmp(offer->versions[i], *lo) < 0)
			*lo = offer->versions[i];
		if (pvabi_version_cmp(offer->versions[i], *hi) > 0)
			*hi = offer->versions[i];
	}
	/* Offering 1.2 implies 1.0 and 1.1 (negotiate.h). */
	lo->minor = 0;
}

void pvctl_settings_default(struct pvctl_vm_settings *s,
			    const struct pvabi_offer *host)
{
	memset(s, 0, sizeof(*s));
	pvctl_offer_bounds(host, &s->lo, &s->hi);
	s->features = host->features;
	pvabi_patch_policy_init(&s->patch);
}

static bool patch_equal(const struct pvabi_patch_policy *a,
			const struct pvabi_patch_policy *b)
{
	if (a->mode != b->mode || a->classes != b->classes ||
	    a->max_sites != b->max_sites || a->n_exclude != b->n_exclude)
		return false;
	for (unsigned int i = 0;
	     i < a->n_exclude && i < PVABI_PATCH_MAX_EXCLUDES; i++)
		if (a->exclude[i].start != b->exclude[i].start ||
		    a->exclude[i].end != b->exclude[i].end)
			return false;
	return true;
}

bool pvctl_settings_equal(const struct pvctl_vm_settings *a,
			  const struct pvctl_vm_settings *b)
{
	if (a->enabled != b->enabled || a->features != b->features ||
	    pvabi_version_cmp(a->lo, b->lo) || pvabi_version_cmp(a->hi, b->hi))
		return false;
	return patch_equal(&a->patch, &b->patch);
}

int pvctl_settings_clamp(const struct pvctl_vm_settings *s,
			 const struct pvabi_offer *host,
			 struct pvabi_offer *out)
{
	*out = *host;
	return pvabi_offer_clamp(out, s->lo, s->hi, s->features);
}

int pvctl_vm_name_check(const char *name, char *why, size_t whylen)
{
	size_t n;

	if (!name || !*name)
		return pvabi_why(PVABI_E_INVAL, why, whylen, "empty VM name");
	n = strnlen(name, PVCTL_VM_NAME_MAX + 1);
	if (n > PVCTL_VM_NAME_MAX)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "VM name '%.32s...' is longer than %d bytes",
				 name, PVCTL_VM_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '/')
			return pvabi_why(PVABI_E_INVAL, why, whylen,
					 "VM name '%s' contains '/' or a "
					 "control character",
					 name);
	return 0;
}

void pvctl_patch_policy_text(const struct pvabi_patch_policy *p, char *buf,
			     size_t len)
{
	if (pvabi_patch_policy_format(p, buf, len) < 0 && len)
		buf[0] = '\0';
}

int pvctl_change_parse(struct pvctl_change *ch, const char *text,
		       const struct pvabi_offer *host, char *why, size_t whylen)
{
	char sub[200], list[PVABI_VERSION_LIST_TEXT_MAX];
	struct pvabi_offer o;
	int err;

	switch (ch->what) {
	case PVCTL_SET_ENABLED: return 0;
	case PVCTL_SET_VERSIONS:
		err = pvabi_version_range_parse(text, &ch->lo, &ch->hi, sub,
						sizeof(sub));
		if (err)
			return pvabi_why(err, why, whylen, "versions: %s", sub);
		o = *host;
		if (pvabi_offer_clamp(&o, ch->lo, ch->hi, ~0ull)) {
			pvabi_version_list_format(host, list, sizeof(list));
			return pvabi_why(PVABI_E_NOVERSION, why, whylen,
					 "versions: '%s' leaves nothing of "
					 "this host's offer %s",
					 text, list);
		}
		return 0;
	case PVCTL_SET_FEATURES:
		err = pvabi_features_parse(text, &ch->features, sub,
					   sizeof(sub));
		if (err)
			return pvabi_why(err, why, whylen, "features: %s", sub);
		return 0;
	case PVCTL_SET_PATCH:
		err = pvabi_patch_policy_parse(text, strlen(text), &ch->patch,
					       sub, sizeof(sub));
		if (err)
			return pvabi_why(err, why, whylen, "patch policy: %s",
					 sub);
		return 0;
	}
	return pvabi_why(PVABI_E_INVAL, why, whylen, "unknown change");
}

void pvctl_change_apply(struct pvctl_vm_settings *s,
			const struct pvctl_change *ch)
{
	switch (ch->what) {
	case PVCTL_SET_ENABLED: s->enabled = ch->enabled; break;
	case PVCTL_SET_VERSIONS:
		s->lo = ch->lo;
		s->hi = ch->hi;
		break;
	case PVCTL_SET_FEATURES: s->features = ch->features; break;
	case PVCTL_SET_PATCH: s->patch = ch->patch; break;
	}
}
