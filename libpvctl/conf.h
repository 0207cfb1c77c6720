/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/pvabi/pvctld.conf: one "key = value" a line, '#' starts a comment.
 *
 *   connect  = qemu:///system    libvirt URI (default: libvirt's own,
 *                                as virConnectOpen(NULL) resolves it)
 *   versions = 1.0               this host's offer (default: libpvabi's)
 *   features = notify,booke      this host's features (default: all 1.0)
 *   group    = pvabi             group allowed to change settings when
 *                                polkit is not installed (name or number)
 */
#ifndef PVCTL_CONF_H
#define PVCTL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "pvabi/pvabi.h"

#define PVCTL_CONFIG_PATH "/etc/pvabi/pvctld.conf"
#define PVCTL_CONFIG_MAX  (64u << 10)

struct pvctl_config {
	char connect[1024]; /* "": libvirt's default */
	char group[64];
	struct pvabi_offer offer;
};

/* The built-in values: libvirt's default connection (connect ""),
 * libpvabi's offer, group pvabi. */
void pvctl_config_default(struct pvctl_config *c);

/* Parse @text over the values already in @c.  Returns 0, or PVABI_E_INVAL
 * / PVABI_E_BADVERSION / PVABI_E_MALFORMED with @why naming the line. */
int pvctl_config_parse(const char *text, size_t len, struct pvctl_config *c,
		       char *why, size_t whylen);

/* 0 if libvirt can parse @uri, else PVABI_E_INVAL with @why quoting it. */
int pvctl_config_check_uri(const char *uri, char *why, size_t whylen);

/* Read @path; a missing file is fine when !@must_exist. */
int pvctl_config_load(const char *path, bool must_exist, struct pvctl_config *c,
		      char *why, size_t whylen);

#endif
