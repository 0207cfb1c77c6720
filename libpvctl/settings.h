/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM's pvabi settings: what pvctld keeps in the domain's libvirt metadata,
 * what the D-Bus methods change and what the migration check compares.
 * Shared by pvctld, pvctl (hook, migrate-check) and the fuzz harnesses.
 */
#ifndef PVCTL_SETTINGS_H
#define PVCTL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"

/* libvirt accepts longer names, but nothing sane needs more, and the bus
 * must not make pvctld look up megabyte-long names. */
#define PVCTL_VM_NAME_MAX 255
/* The patch policy's canonical text form (pvabi/patch.h) at its longest. */
#define PVCTL_PATCH_TEXT_MAX 4096

struct pvctl_vm_settings {
	bool enabled;
	struct pvabi_version lo, hi; /* allowed ABI versions, inclusive */
	pvabi_u64 features;	     /* allowed features */
	struct pvabi_patch_policy patch;
};

/* A VM nobody configured: disabled, and allowed all of @host's offer. */
void pvctl_settings_default(struct pvctl_vm_settings *s,
			    const struct pvabi_offer *host);

bool pvctl_settings_equal(const struct pvctl_vm_settings *a,
			  const struct pvctl_vm_settings *b);

/* Lowest and highest version @offer lists. */
void pvctl_offer_bounds(const struct pvabi_offer *offer,
			struct pvabi_version *lo, struct pvabi_version *hi);

/* @host clamped by @s's versions and features (pvabi_offer_clamp).
 * Returns 0 or what pvabi_offer_clamp returns. */
int pvctl_settings_clamp(const struct pvctl_vm_settings *s,
			 const struct pvabi_offer *host,
			 struct pvabi_offer *out);

/*
 * Validation of outside input (D-Bus arguments, metadata, CLI).  Each returns
 * 0 or a negative PVABI_E_* code and writes one line quoting the bad value
 * into @why.
 */
int pvctl_vm_name_check(const char *name, char *why, size_t whylen);

/* The policy's canonical text (pvabi_patch_policy_format) into @buf of
 * PVCTL_PATCH_TEXT_MAX bytes; "" if @p is invalid. */
void pvctl_patch_policy_text(const struct pvabi_patch_policy *p, char *buf,
			     size_t len);

/*
 * One change to a VM's settings, as a D-Bus method asks for it.
 * pvctl_change_parse validates the method's text argument (@host: this
 * host's offer, which a version range must meet); pvctl_change_apply
 * applies it.  A patch policy is in the text form of pvabi/patch.h
 * (pvabi_patch_policy_parse), lines of key=value.
 */
struct pvctl_change {
	enum {
		PVCTL_SET_ENABLED,
		PVCTL_SET_VERSIONS,
		PVCTL_SET_FEATURES,
		PVCTL_SET_PATCH
	} what;
	bool enabled;
	struct pvabi_version lo, hi;
	pvabi_u64 features;
	struct pvabi_patch_policy patch;
};

int pvctl_change_parse(struct pvctl_change *ch, const char *text,
		       const struct pvabi_offer *host, char *why,
		       size_t whylen);
void pvctl_change_apply(struct pvctl_vm_settings *s,
			const struct pvctl_change *ch);

#endif
