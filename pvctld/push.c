// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctld -> pvabi.ko: PVABI_CMD_SET_POLICY addressed by the VM's UUID. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "genl_client.h"
#include "patch_mode.h"
#include "push.h"

int push_policy(const struct push_policy *p, char *why, size_t whylen)
{
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_MIN_VERSION |
			   1u << PVABI_POLICY_A_MAX_VERSION |
			   1u << PVABI_POLICY_A_FEATURES |
			   1u << PVABI_POLICY_A_PATCH_MODE |
			   1u << PVABI_POLICY_A_ENABLED,
		.min_version = p->min_version,
		.max_version = p->max_version,
		.features = p->features,
		.patch_mode = pvctl_patch_mode_to_nl(p->patch_mode),
		.enabled = p->enabled,
	};
	struct pvctl_genl *g;
	int err;

	if (pol.patch_mode == PVABI_NL_PATCH_UNSPEC) {
		snprintf(why, whylen, "unknown patch mode %d",
			 (int)p->patch_mode);
		return -EINVAL;
	}
	err = pvctl_genl_open(&g);
	if (err)
		return err;
	/* By UUID, in one request: no id to look up first and go stale.  By
	 * id for a module VM that has a name only (kmod.c knows its id). */
	err = p->vm_id ? pvctl_genl_set_policy(g, p->vm_id, 0, &pol)
		       : pvctl_genl_set_policy_uuid(g, p->uuid, 0, &pol);
	if (err == -ENOENT)
		err = -ESRCH;
	if (err < 0 && err != -ESRCH)
		snprintf(why, whylen, "%s",
			 *pvctl_genl_errmsg(g) ? pvctl_genl_errmsg(g)
					       : strerror(-err));
	pvctl_genl_close(g);
	return err < 0 ? err : 0;
}
