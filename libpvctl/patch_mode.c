// SPDX-License-Identifier: GPL-2.0-or-later
/* libpvabi's patch modes and the module's, one table. */
#include "patch_mode.h"

static const struct {
	enum pvabi_patch_mode mode;
	uint32_t nl;
} modes[] = {
	{PVABI_PATCH_OFF, PVABI_NL_PATCH_OFF},
	{PVABI_PATCH_GUEST, PVABI_NL_PATCH_GUEST},
	{PVABI_PATCH_HOST, PVABI_NL_PATCH_HOST},
};

#define N_MODES (sizeof(modes) / sizeof(modes[0]))

uint32_t pvctl_patch_mode_to_nl(enum pvabi_patch_mode mode)
{
	for (size_t i = 0; i < N_MODES; i++)
		if (modes[i].mode == mode)
			return modes[i].nl;
	return PVABI_NL_PATCH_UNSPEC;
}

int pvctl_patch_mode_from_nl(uint32_t nl, enum pvabi_patch_mode *mode)
{
	for (size_t i = 0; i < N_MODES; i++)
		if (modes[i].nl == nl) {
			*mode = modes[i].mode;
			return 0;
		}
	return PVABI_E_INVAL;
}

const char *pvctl_patch_mode_nl_name(uint32_t nl)
{
	enum pvabi_patch_mode mode;

	if (pvctl_patch_mode_from_nl(nl, &mode))
		return "unknown";
	return pvabi_patch_mode_name(mode);
}
