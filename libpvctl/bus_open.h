/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which bus pvctld serves on and pvctl calls on: --system, --user,
 * --address ADDR, or a remote host's system bus over ssh. */
#ifndef PVCTL_BUS_OPEN_H
#define PVCTL_BUS_OPEN_H

#include <systemd/sd-bus.h>

enum pvctl_bus_kind {
	PVCTL_BUS_SYSTEM,
	PVCTL_BUS_USER,
	PVCTL_BUS_ADDRESS,
	PVCTL_BUS_REMOTE
};

struct pvctl_bus_opts {
	enum pvctl_bus_kind kind;
	const char *address; /* PVCTL_BUS_ADDRESS: the address; REMOTE: host */
};

/* Connect, as a bus client; returns 0 or a negative errno. */
int pvctl_bus_open(const struct pvctl_bus_opts *o, sd_bus **bus);

#endif
