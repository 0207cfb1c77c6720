// SPDX-License-Identifier: GPL-2.0-or-later
/* A VM's pvabi settings: defaults, comparison, validation and text forms. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

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
	s->patch.mode = PVCTL_PATCH_OFF;
}

bool pvctl_settings_equal(const struct pvctl_vm_settings *a,
			  const struct pvctl_vm_settings *b)
{
	if (a->enabled != b->enabled || a->features != b->features ||
	    pvabi_version_cmp(a->lo, b->lo) || pvabi_version_cmp(a->hi, b->hi) ||
	    a->patch.mode != b->patch.mode ||
	    a->patch.n_exclude != b->patch.n_exclude)
		return false;
	for (unsigned int i = 0; i < a->patch.n_exclude; i++)
		if (a->patch.exclude[i].start != b->patch.exclude[i].start ||
		    a->patch.exclude[i].end != b->patch.exclude[i].end)
			return false;
	return true;
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
		return fail(PVABI_E_INVAL, why, whylen, "empty VM name");
	n = strnlen(name, PVCTL_VM_NAME_MAX + 1);
	if (n > PVCTL_VM_NAME_MAX)
		return fail(PVABI_E_INVAL, why, whylen,
			    "VM name '%.32s...' is longer than %d bytes", name,
			    PVCTL_VM_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '/')
			return fail(PVABI_E_INVAL, why, whylen,
				    "VM name '%s' contains '/' or a control character",
				    name);
	return 0;
}

static const char *const mode_names[] = {
	[PVCTL_PATCH_OFF] = "off",
	[PVCTL_PATCH_GUEST] = "guest",
	[PVCTL_PATCH_HOST] = "host",
};

const char *pvctl_patch_mode_name(enum pvctl_patch_mode mode)
{
	return (unsigned int)mode < 3 ? mode_names[mode] : "invalid";
}

int pvctl_patch_mode_parse(const char *text, enum pvctl_patch_mode *mode,
			   char *why, size_t whylen)
{
	for (unsigned int i = 0; i < 3; i++)
		if (!strcmp(text, mode_names[i])) {
			*mode = (enum pvctl_patch_mode)i;
			return 0;
		}
	return fail(PVABI_E_INVAL, why, whylen,
		    "'%s' is not a patch mode (want off, guest or host)", text);
}

/* Decimal or 0x hex, the whole of [s, end), no sign, no overflow. */
static bool parse_u64(const char *s, const char *end, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return false;
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

int pvctl_addr_parse(const char *text, uint64_t *v, char *why, size_t whylen)
{
	if (!parse_u64(text, text + strlen(text), v))
		return fail(PVABI_E_INVAL, why, whylen,
			    "'%s' is not an address (want decimal or 0x hex)",
			    text);
	return 0;
}

int pvctl_range_parse(const char *text, struct pvctl_range *r, char *why,
		      size_t whylen)
{
	const char *dash = strchr(text, '-');
	const char *end = text + strlen(text);
	struct pvctl_range v;

	if (!dash || !parse_u64(text, dash, &v.start) ||
	    !parse_u64(dash + 1, end, &v.end))
		return fail(PVABI_E_INVAL, why, whylen,
			    "'%s' is not an address range (want START-END, e.g. 0x1000-0x1fff)",
			    text);
	if (v.start > v.end)
		return fail(PVABI_E_INVAL, why, whylen,
			    "'%s': start is above end", text);
	*r = v;
	return 0;
}

int pvctl_patch_policy_check(const struct pvctl_patch_policy *p, char *why,
			     size_t whylen)
{
	if ((unsigned int)p->mode > PVCTL_PATCH_HOST)
		return fail(PVABI_E_INVAL, why, whylen, "invalid patch mode %d",
			    (int)p->mode);
	if (p->n_exclude > PVCTL_PATCH_MAX_EXCLUDES)
		return fail(PVABI_E_INVAL, why, whylen,
			    "%u exclude ranges, at most %d allowed",
			    p->n_exclude, PVCTL_PATCH_MAX_EXCLUDES);
	if (p->mode == PVCTL_PATCH_OFF && p->n_exclude)
		return fail(PVABI_E_INVAL, why, whylen,
			    "exclude ranges make no sense with patch mode off");
	for (unsigned int i = 0; i < p->n_exclude; i++) {
		const struct pvctl_range *a = &p->exclude[i];

		if (a->start > a->end)
			return fail(PVABI_E_INVAL, why, whylen,
				    "exclude 0x%" PRIx64 "-0x%" PRIx64
				    ": start is above end",
				    a->start, a->end);
		for (unsigned int j = 0; j < i; j++) {
			const struct pvctl_range *b = &p->exclude[j];

			if (a->start <= b->end && b->start <= a->end)
				return fail(PVABI_E_INVAL, why, whylen,
					    "exclude 0x%" PRIx64 "-0x%" PRIx64
					    " overlaps 0x%" PRIx64 "-0x%" PRIx64,
					    a->start, a->end, b->start,
					    b->end);
		}
	}
	return 0;
}

int pvctl_patch_policy_parse(const char *text, struct pvctl_patch_policy *out,
			     char *why, size_t whylen)
{
	struct pvctl_patch_policy p = { 0 };
	char buf[PVCTL_PATCH_TEXT_MAX + 1];
	char *save = NULL, *tok;
	int err;

	if (strlen(text) > PVCTL_PATCH_TEXT_MAX)
		return fail(PVABI_E_INVAL, why, whylen,
			    "patch policy '%.32s...' is too long", text);
	strcpy(buf, text);
	tok = strtok_r(buf, " ", &save);
	if (!tok)
		return fail(PVABI_E_INVAL, why, whylen,
			    "empty patch policy (want off, guest or host)");
	err = pvctl_patch_mode_parse(tok, &p.mode, why, whylen);
	if (err)
		return err;
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (strncmp(tok, "exclude=", 8))
			return fail(PVABI_E_INVAL, why, whylen,
				    "'%s' in patch policy '%s' is not exclude=START-END",
				    tok, text);
		if (p.n_exclude == PVCTL_PATCH_MAX_EXCLUDES)
			return fail(PVABI_E_INVAL, why, whylen,
				    "patch policy '%.32s...' has more than %d exclude ranges",
				    text, PVCTL_PATCH_MAX_EXCLUDES);
		err = pvctl_range_parse(tok + 8, &p.exclude[p.n_exclude++],
					why, whylen);
		if (err)
			return err;
	}
	err = pvctl_patch_policy_check(&p, why, whylen);
	if (err)
		return err;
	*out = p;
	return 0;
}

void pvctl_patch_policy_format(const struct pvctl_patch_policy *p, char *buf,
			       size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s",
				    pvctl_patch_mode_name(p->mode));

	for (unsigned int i = 0; i < p->n_exclude && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n,
				      " exclude=0x%" PRIx64 "-0x%" PRIx64,
				      p->exclude[i].start, p->exclude[i].end);
}

void pvctl_version_range_format(struct pvabi_version lo,
				struct pvabi_version hi, char *buf, size_t len)
{
	if (!pvabi_version_cmp(lo, hi))
		snprintf(buf, len, "%u.%u", lo.major, lo.minor);
	else
		snprintf(buf, len, "%u.%u-%u.%u", lo.major, lo.minor,
			 hi.major, hi.minor);
}

void pvctl_version_list_format(const struct pvabi_offer *offer, char *buf,
			       size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (pvabi_u32 i = 0; i < offer->n_versions && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u.%u",
				      i ? "," : "", offer->versions[i].major,
				      offer->versions[i].minor);
}

int pvctl_change_parse(struct pvctl_change *ch, const char *text,
		       const struct pvabi_offer *host, char *why,
		       size_t whylen)
{
	char sub[200], list[16 * PVABI_OFFER_MAX_VERSIONS];
	struct pvabi_offer o;
	int err;

	switch (ch->what) {
	case PVCTL_SET_ENABLED:
		return 0;
	case PVCTL_SET_VERSIONS:
		err = pvabi_version_range_parse(text, &ch->lo, &ch->hi, sub,
						sizeof(sub));
		if (err)
			return fail(err, why, whylen, "versions: %s", sub);
		o = *host;
		if (pvabi_offer_clamp(&o, ch->lo, ch->hi, ~0ull)) {
			pvctl_version_list_format(host, list, sizeof(list));
			return fail(PVABI_E_NOVERSION, why, whylen,
				    "versions: '%s' leaves nothing of this host's offer %s",
				    text, list);
		}
		return 0;
	case PVCTL_SET_FEATURES:
		err = pvabi_features_parse(text, &ch->features, sub,
					   sizeof(sub));
		if (err)
			return fail(err, why, whylen, "features: %s", sub);
		return 0;
	case PVCTL_SET_PATCH:
		err = pvctl_patch_policy_parse(text, &ch->patch, sub,
					       sizeof(sub));
		if (err)
			return fail(err, why, whylen, "patch policy: %s", sub);
		return 0;
	}
	return fail(PVABI_E_INVAL, why, whylen, "unknown change");
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
