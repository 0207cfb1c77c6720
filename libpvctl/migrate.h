/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Can a VM move to another host?  The VM's settings clamp the source host's
 * offer to what the guest may have negotiated; the destination's offer,
 * clamped by the same settings, must provide that version and every one of
 * those features.
 */
#ifndef PVCTL_MIGRATE_H
#define PVCTL_MIGRATE_H

#include "settings.h"

#define PVCTL_MIGRATION_MAX_REASONS 8
#define PVCTL_REASON_MAX	    256

struct pvctl_migration_verdict {
	bool compatible;
	unsigned int n_reasons;
	char reasons[PVCTL_MIGRATION_MAX_REASONS][PVCTL_REASON_MAX];
};

/*
 * pvctl_migration_check - fill @v for moving a VM with settings @s from
 * @source to @dest
 * @source: the source host's offer, or NULL when it is not known (a libvirt
 *          hook on the destination): then the guest is assumed to use the
 *          most its settings allow
 * @dest: the destination's offer, already checked with pvabi_offer_check()
 * A VM that is not enabled, or whose settings leave it nothing on the
 * source, is compatible with any destination.
 */
void pvctl_migration_check(const struct pvctl_vm_settings *s,
			   const struct pvabi_offer *source,
			   const struct pvabi_offer *dest,
			   struct pvctl_migration_verdict *v);

#endif
