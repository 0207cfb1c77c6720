/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pushing a VM's settings to pvabi.ko over its generic netlink family
 * (kmod/uapi/linux/pvabi.h, through tools/common/genl_client).
 *
 * Kept to plain types: the uapi header and libpvabi's pvabi/patch.h each
 * define an enum pvabi_patch_mode (with different values), so no file
 * includes both; the patch mode crosses this boundary by name.
 */
#ifndef PVCTLD_PUSH_H
#define PVCTLD_PUSH_H

#include <stddef.h>
#include <stdint.h>

struct push_policy {
	const unsigned char *uuid; /* 16 bytes */
	const char *name;
	uint32_t min_version, max_version; /* (major << 16) | minor */
	uint64_t features;
	const char *patch_mode; /* "off", "guest" or "host" */
};

/*
 * push_policy - find the module's VM by UUID (or name) and set its policy
 * Returns 0, -ENOENT when the family is absent (module not loaded), -ESRCH
 * when the module has no such VM (its VMM has not created it), or the
 * kernel's negative errno with its message in @why.
 */
int push_policy(const struct push_policy *p, char *why, size_t whylen);

#endif
