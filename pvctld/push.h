/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pushing a VM's settings to pvabi.ko over its generic netlink family
 * (kmod/uapi/linux/pvabi.h, through libpvctl/genl_client.h).  The settings
 * arrive in libpvabi's terms; push.c turns them into the module's
 * (libpvctl/patch_mode.h for the patch mode).
 */
#ifndef PVCTLD_PUSH_H
#define PVCTLD_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvabi/patch.h"

struct push_policy {
	const unsigned char *uuid; /* 16 bytes */
	uint32_t vm_id; /* not 0: the module VM by its id, not by @uuid */
	const char *name;
	uint32_t min_version, max_version; /* pvabi_version_pack() */
	uint64_t features;
	enum pvabi_patch_mode patch_mode;
	bool enabled; /* false: the module refuses every negotiation */
};

/*
 * push_policy - set the policy of the module's VM with @p->uuid (or id)
 * Returns 0, -ENOENT when the family is absent (module not loaded), -ESRCH
 * when the module has no such VM (its VMM has not created it), -EINVAL with
 * @why for a patch mode libpvabi does not define (nothing is sent), or the
 * kernel's negative errno with its message in @why.
 */
int push_policy(const struct push_policy *p, char *why, size_t whylen);

#endif
