// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pushing a VM's settings to the kernel module over generic netlink.
 *
 * The module registers the "pvabi" family.  Without it pvctld works the
 * same; libvirt still holds every setting, and a module loaded later is
 * told each VM's settings at the VM's next lifecycle event or change.
 */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "pvctld.h"

#define PVABI_GENL_NAME "pvabi"

void push_vm(struct pvctld *c, const char *name,
	     const struct pvctl_vm_settings *s)
{
	struct nl_sock *sk = nl_socket_alloc();
	int family = -1;

	if (sk && genl_connect(sk) == 0)
		family = genl_ctrl_resolve(sk, PVABI_GENL_NAME);
	nl_socket_free(sk);
	if (family < 0) {
		if (!c->netlink_absent_logged)
			log_msg("generic netlink family '%s' absent (kernel module not loaded): settings stay in libvirt only",
				PVABI_GENL_NAME);
		c->netlink_absent_logged = true;
		return;
	}
	c->netlink_absent_logged = false;
	/* The family's commands are defined by the module's uapi header;
	 * until it is part of this tree there is nothing to send. */
	log_msg("VM '%s': module family present, no policy command known yet",
		name);
}
