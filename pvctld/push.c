// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctld -> pvabi.ko: PVABI_CMD_GET_VMS to find the VM, then
 * PVABI_CMD_SET_POLICY. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "genl_client.h"
#include "patch_mode.h"
#include "push.h"

struct find {
	const struct push_policy *p;
	uint32_t id;
};

static int match(const struct pvctl_genl_vm *vm, void *arg)
{
	struct find *f = arg;

	if ((vm->has_uuid && !memcmp(vm->uuid, f->p->uuid, PVABI_UUID_LEN)) ||
	    (!vm->has_uuid && !strcmp(vm->name, f->p->name))) {
		f->id = vm->id;
		return 1;
	}
	return 0;
}

int push_policy(const struct push_policy *p, char *why, size_t whylen)
{
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_MIN_VERSION |
			   1u << PVABI_POLICY_A_MAX_VERSION |
			   1u << PVABI_POLICY_A_FEATURES |
			   1u << PVABI_POLICY_A_PATCH_MODE,
		.min_version = p->min_version,
		.max_version = p->max_version,
		.features = p->features,
		.patch_mode = pvctl_patch_mode_to_nl(p->patch_mode),
	};
	struct find f = {p, 0};
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
	err = pvctl_genl_dump(g, 0, match, &f);
	if (err >= 0 && !f.id)
		err = -ESRCH;
	else if (err >= 0)
		err = pvctl_genl_set_policy(g, f.id, 0, &pol);
	if (err < 0 && err != -ESRCH)
		snprintf(why, whylen, "%s",
			 *pvctl_genl_errmsg(g) ? pvctl_genl_errmsg(g)
					       : strerror(-err));
	pvctl_genl_close(g);
	return err < 0 ? err : 0;
}
