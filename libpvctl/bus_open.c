// SPDX-License-Identifier: GPL-2.0-or-later
/* Opening the bus for pvctld and pvctl alike. */
#include "bus_open.h"

int pvctl_bus_open(const struct pvctl_bus_opts *o, sd_bus **bus)
{
	int r;

	switch (o->kind) {
	case PVCTL_BUS_SYSTEM: return sd_bus_open_system(bus);
	case PVCTL_BUS_USER: return sd_bus_open_user(bus);
	case PVCTL_BUS_REMOTE:
		return sd_bus_open_system_remote(bus, o->address);
	case PVCTL_BUS_ADDRESS: break;
	}
	r = sd_bus_new(bus);
	if (r < 0)
		return r;
	r = sd_bus_set_address(*bus, o->address);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	if (r >= 0)
		r = sd_bus_start(*bus);
	if (r < 0)
		*bus = sd_bus_unref(*bus);
	return r;
}
