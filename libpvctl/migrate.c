// SPDX-License-Identifier: GPL-2.0-or-later
/* The migration check: what the guest may use here, offered there? */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "migrate.h"

static void reason(struct pvctl_migration_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct pvctl_migration_verdict *v, const char *fmt, ...)
{
	va_list ap;

	v->compatible = false;
	if (v->n_reasons == PVCTL_MIGRATION_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(v->reasons[v->n_reasons++], PVCTL_REASON_MAX, fmt, ap);
	va_end(ap);
}

void pvctl_migration_check(const struct pvctl_vm_settings *s,
			   const struct pvabi_offer *source,
			   const struct pvabi_offer *dest,
			   struct pvctl_migration_verdict *v)
{
	struct pvabi_offer src, dst;
	struct pvabi_request req = {0};
	struct pvabi_result used, there;
	char range[PVABI_VERSION_RANGE_TEXT_MAX],
		list[PVABI_VERSION_LIST_TEXT_MAX];
	char feats[512];
	int err;

	memset(v, 0, sizeof(*v));
	v->compatible = true;
	if (!s->enabled)
		return;

	if (source) {
		if (pvctl_settings_clamp(s, source, &src))
			return;
	} else {
		memset(&src, 0, sizeof(src));
		src.n_versions = 1;
		src.versions[0] = s->hi;
		src.floor = s->lo;
		src.features = s->features;
	}
	/* The guest's own range is unknown: take the VM's, and suppose it
	 * wanted every feature it was allowed. */
	req.min = s->lo;
	req.max = s->hi;
	req.wanted = s->features;
	if (pvabi_negotiate(&src, &req, &used))
		return;

	pvabi_version_range_format(s->lo, s->hi, range, sizeof(range));
	pvabi_version_list_format(dest, list, sizeof(list));
	err = pvctl_settings_clamp(s, dest, &dst);
	if (err) {
		reason(v,
		       "the destination offers ABI %s, nothing in the VM's "
		       "allowed range %s",
		       list, range);
		return;
	}

	req.min = req.max = used.version;
	req.wanted = used.features;
	err = pvabi_negotiate(&dst, &req, &there);
	if (err == PVABI_E_NOVERSION)
		reason(v,
		       "the guest may run ABI %u.%u, which the destination "
		       "(offering %s) does not offer",
		       used.version.major, used.version.minor, list);
	else if (err)
		reason(v, "the destination's offer is refused: %s",
		       pvabi_strerror(err));

	if (used.features & ~dst.features) {
		pvabi_features_format(used.features & ~dst.features, feats,
				      sizeof(feats));
		reason(v,
		       "the guest may use feature(s) %s, which the destination "
		       "does not offer",
		       feats);
	}
}
