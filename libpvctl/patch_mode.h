/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patch mode between libpvabi's enum pvabi_patch_mode (the policy's text
 * form, the libvirt metadata) and the uapi's enum pvabi_nl_patch_mode (what
 * pvabi.ko is told over generic netlink; its values differ).  The names are
 * libpvabi's: pvabi_patch_mode_name() and pvabi_patch_mode_parse().
 */
#ifndef PVCTL_PATCH_MODE_H
#define PVCTL_PATCH_MODE_H

#include <stdint.h>

#include <linux/pvabi.h>

#include "pvabi/patch.h"

/* The module's PVABI_NL_PATCH_* for @mode; PVABI_NL_PATCH_UNSPEC for a value
 * libpvabi does not define, which no caller may send. */
uint32_t pvctl_patch_mode_to_nl(enum pvabi_patch_mode mode);

/* libpvabi's mode for the module's @nl.  Returns 0, or PVABI_E_INVAL for
 * PVABI_NL_PATCH_UNSPEC or a value this build does not know. */
int pvctl_patch_mode_from_nl(uint32_t nl, enum pvabi_patch_mode *mode);

/* "off", "guest" or "host" for the module's @nl; "unknown" otherwise. */
const char *pvctl_patch_mode_nl_name(uint32_t nl);

#endif
