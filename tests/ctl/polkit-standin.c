// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for polkit on a test's private bus: it owns
 * org.freedesktop.PolicyKit1 and answers CheckAuthorization from a table
 * given on the command line, so tests/ctl/polkit.sh can make polkit say yes,
 * no, fail, or take its time.
 *
 *   polkit-standin [--address ADDR] [--log FILE] ACTION=VERDICT...
 *
 * VERDICT: yes, no, challenge (not without authentication), interactive
 * (yes when the caller allows interactive authorization, else challenge),
 * error (a polkit error), slow:MS (yes, MS milliseconds later; other calls
 * are answered meanwhile).  An action not in the table gets no.  The bus is
 * ADDR, else $DBUS_STARTER_ADDRESS (when the bus activated it).  Each
 * question is one line in FILE: "action=A subject=NAME flags=F verdict=V".
 * Exits when the bus goes away or on SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus_open.h"
#include <systemd/sd-event.h>

#define MAX_RULES 16

static struct {
	const char *action;
	const char *verdict;
} rules[MAX_RULES];
static int n_rules;
static FILE *log_file;

static const char *verdict_of(const char *action)
{
	for (int i = 0; i < n_rules; i++)
		if (!strcmp(rules[i].action, action))
			return rules[i].verdict;
	return "no";
}

static int answer(sd_bus_message *m, int authorized, int challenge)
{
	return sd_bus_reply_method_return(m, "(bba{ss})", authorized, challenge,
					  0);
}

static int later(sd_event_source *s, uint64_t usec, void *data)
{
	sd_bus_message *m = data;

	(void)usec;
	(void)s;
	answer(m, 1, 0);
	sd_bus_message_unref(m);
	return 0;
}

static int check(sd_bus_message *m, void *data, sd_bus_error *error)
{
	const char *kind, *key, *subject = "?", *action, *verdict;
	unsigned int flags;
	int r;

	(void)data;
	r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &kind);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 &&
	       (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r >= 0 && !strcmp(key, "name"))
			r = sd_bus_message_read(m, "v", "s", &subject);
		else if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &action);
	if (r >= 0)
		r = sd_bus_message_skip(m, "a{ss}");
	if (r >= 0)
		r = sd_bus_message_read(m, "u", &flags);
	if (r < 0)
		return r;
	verdict = verdict_of(action);
	if (log_file) {
		fprintf(log_file, "action=%s subject=%s flags=%u verdict=%s\n",
			action, subject, flags, verdict);
		fflush(log_file);
	}
	if (!strcmp(verdict, "yes"))
		return answer(m, 1, 0);
	if (!strcmp(verdict, "challenge"))
		return answer(m, 0, 1);
	if (!strcmp(verdict, "interactive"))
		return answer(m, flags & 1, !(flags & 1));
	if (!strcmp(verdict, "error"))
		return sd_bus_error_set(
			error, "org.freedesktop.PolicyKit1.Error.Failed",
			"the stand-in fails as asked");
	if (!strncmp(verdict, "slow:", 5)) {
		uint64_t now;

		sd_event_now(sd_bus_get_event(sd_bus_message_get_bus(m)),
			     CLOCK_MONOTONIC, &now);
		r = sd_event_add_time(
			sd_bus_get_event(sd_bus_message_get_bus(m)), NULL,
			CLOCK_MONOTONIC,
			now + strtoull(verdict + 5, NULL, 10) * 1000, 0, later,
			sd_bus_message_ref(m));
		return r < 0 ? r : 1;
	}
	return answer(m, 0, 0);
}

static const sd_bus_vtable authority_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
		      check, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END};

int main(int argc, char **argv)
{
	const char *address = getenv("DBUS_STARTER_ADDRESS");
	sd_event *event = NULL;
	sd_bus *bus = NULL;
	sigset_t ss;
	int r;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "--address") && i + 1 < argc)
			address = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			log_file = fopen(argv[++i], "a");
		else if (eq && n_rules < MAX_RULES) {
			*eq = '\0';
			rules[n_rules].action = argv[i];
			rules[n_rules++].verdict = eq + 1;
		} else {
			fprintf(stderr, "polkit-standin: bad argument '%s'\n",
				argv[i]);
			return 2;
		}
	}
	if (!address) {
		fputs("polkit-standin: no bus address\n", stderr);
		return 2;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&event);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = pvctl_bus_open(
			&(struct pvctl_bus_opts){PVCTL_BUS_ADDRESS, address},
			&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(
			bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
			"org.freedesktop.PolicyKit1.Authority",
			authority_vtable, NULL);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0);
	if (r >= 0)
		r = sd_bus_attach_event(bus, event, 0);
	if (r >= 0)
		r = sd_bus_set_exit_on_disconnect(bus, 1);
	if (r >= 0)
		r = sd_event_loop(event);
	if (r < 0)
		fprintf(stderr, "polkit-standin: %s\n", strerror(-r));
	sd_bus_flush_close_unref(bus);
	sd_event_unref(event);
	return r < 0 ? 1 : 0;
}
