// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dbus-concurrent ADDRESS VM CALLS CONNECTIONS ROUNDS: put CALLS method
 * calls to pvctld in flight at once, spread over CONNECTIONS bus
 * connections, and wait for every reply; ROUNDS times.
 *
 * The calls are a fixed mix of reads, writes and invalid arguments, each
 * with the reply it must get: a method return or one named error.  A
 * dbus-daemon lets one connection wait for at most max_replies_per_connection
 * replies (128 on a system bus), so CALLS / CONNECTIONS must stay under it.
 *
 * Prints one line of key=value figures; exits 0 when every call got the
 * reply it should, 1 otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define DEST	   "org.pvabi.pvctl1"
#define PATH	   "/org/pvabi/pvctl1"
#define IFACE	   "org.pvabi.pvctl1.Manager"
#define INVALID	   SD_BUS_ERROR_INVALID_ARGS
#define NO_SUCH_VM "org.pvabi.pvctl1.NoSuchVM"
/* Far above what pvctld needs; a call still unanswered then is a failure. */
#define CALL_TIMEOUT_USEC (120u * 1000000u)

struct totals {
	unsigned int sent, answered, returns, errors_expected, wrong, timeouts;
	unsigned int pending;
	sd_event *event;
};

struct call {
	struct totals *t;
	unsigned int index;
	const char *expect; /* error name, or NULL for a method return */
};

static int on_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct call *c = data;
	struct totals *t = c->t;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *got = e ? e->name : NULL;

	t->answered++;
	if (got && (sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) ||
		    sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY)))
		t->timeouts++;
	if (!got != !c->expect || (got && strcmp(got, c->expect))) {
		t->wrong++;
		if (t->wrong <= 5)
			fprintf(stderr, "call %u: expected %s, got %s%s%s\n",
				c->index, c->expect ? c->expect : "a return",
				got ? got : "a return", got ? ": " : "",
				got && e->message ? e->message : "");
	} else if (got) {
		t->errors_expected++;
	} else {
		t->returns++;
	}
	if (--t->pending == 0)
		sd_event_exit(t->event, 0);
	return 0;
}

static int method(sd_bus *bus, sd_bus_message **m, const char *name)
{
	return sd_bus_message_new_method_call(bus, m, DEST, PATH, IFACE, name);
}

/* Call @i of the mix: its message on @bus, and the reply it must get. */
static int make_call(sd_bus *bus, unsigned int i, const char *vm,
		     sd_bus_message **m, const char **expect)
{
	static const unsigned char junk[] = {0xd0, 0x0d, 0xfe, 0xed, 1, 2};
	char other[64];
	int r;

	snprintf(other, sizeof(other), "no-such-vm-%u", i);
	*expect = NULL;
	switch (i % 10) {
	case 0: r = method(bus, m, "ListVMs"); break;
	case 1:
	case 2:
		r = method(bus, m, "GetVM");
		if (r >= 0)
			r = sd_bus_message_append(*m, "s", vm);
		break;
	case 3: r = method(bus, m, "GetOffer"); break;
	case 4: /* a write that changes something every other time */
		r = method(bus, m, "SetFeatures");
		if (r >= 0)
			r = sd_bus_message_append(*m, "ss", vm,
						  i % 20 ? "notify"
							 : "notify,booke");
		break;
	case 5:
		r = method(bus, m, "SetPatchPolicy");
		if (r >= 0)
			r = sd_bus_message_append(
				*m, "ss", vm,
				i % 20 == 5
					? "mode=guest\nexclude=0x1000-0x2000"
					: "mode=host");
		break;
	case 6:
		r = method(bus, m, "GetVM");
		if (r >= 0)
			r = sd_bus_message_append(*m, "s", other);
		*expect = NO_SUCH_VM;
		break;
	case 7:
		r = method(bus, m, "SetVersions");
		if (r >= 0)
			r = sd_bus_message_append(*m, "ss", vm, "9.9-1.0");
		*expect = INVALID;
		break;
	case 8:
		r = method(bus, m, "Enable");
		if (r >= 0)
			r = sd_bus_message_append(*m, "s", "bad/name");
		*expect = INVALID;
		break;
	default:
		r = method(bus, m, "CheckMigration");
		if (r >= 0)
			r = sd_bus_message_append(*m, "s", vm);
		if (r >= 0)
			r = sd_bus_message_append_array(*m, 'y', junk,
							sizeof(junk));
		*expect = INVALID;
		break;
	}
	return r;
}

static int open_bus(const char *address, sd_event *event, sd_bus **bus)
{
	int r = sd_bus_new(bus);

	if (r >= 0)
		r = sd_bus_set_address(*bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	if (r >= 0)
		r = sd_bus_start(*bus);
	if (r >= 0)
		r = sd_bus_attach_event(*bus, event, 0);
	return r;
}

static int round_of(const char *address, const char *vm, unsigned int n,
		    unsigned int nconn, struct totals *t)
{
	sd_bus **bus = calloc(nconn, sizeof(*bus));
	struct call *calls = calloc(n, sizeof(*calls));
	sd_event *event = NULL;
	int r;

	if (!bus || !calls) {
		r = -ENOMEM;
		goto out;
	}
	r = sd_event_new(&event);
	for (unsigned int k = 0; r >= 0 && k < nconn; k++)
		r = open_bus(address, event, &bus[k]);
	if (r < 0) {
		fprintf(stderr, "cannot connect to %s: %s\n", address,
			strerror(-r));
		goto out;
	}
	t->event = event;
	/* Every call is queued before the loop runs: all in flight at once. */
	for (unsigned int i = 0; i < n; i++) {
		sd_bus_message *m = NULL;

		calls[i] = (struct call){.t = t, .index = i};
		r = make_call(bus[i % nconn], i, vm, &m, &calls[i].expect);
		if (r >= 0)
			r = sd_bus_call_async(bus[i % nconn], NULL, m, on_reply,
					      &calls[i], CALL_TIMEOUT_USEC);
		sd_bus_message_unref(m);
		if (r < 0) {
			fprintf(stderr, "call %u: %s\n", i, strerror(-r));
			goto out;
		}
		t->sent++;
		t->pending++;
	}
	r = sd_event_loop(event);
out:
	for (unsigned int k = 0; bus && k < nconn; k++)
		sd_bus_flush_close_unref(bus[k]);
	sd_event_unref(event);
	free(calls);
	free(bus);
	return r;
}

static unsigned int number(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || !v || v > 100000) {
		fprintf(stderr, "dbus-concurrent: bad %s '%s'\n", what, s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	struct totals t = {0};
	unsigned int n, nconn, rounds;

	if (argc != 6) {
		fprintf(stderr, "usage: dbus-concurrent ADDRESS VM CALLS "
				"CONNECTIONS ROUNDS\n");
		return 2;
	}
	n = number(argv[3], "CALLS");
	nconn = number(argv[4], "CONNECTIONS");
	rounds = number(argv[5], "ROUNDS");
	for (unsigned int k = 0; k < rounds; k++)
		if (round_of(argv[1], argv[2], n, nconn, &t) < 0)
			return 1;
	printf("calls=%u answered=%u returns=%u errors_expected=%u wrong=%u "
	       "timeouts=%u\n",
	       t.sent, t.answered, t.returns, t.errors_expected, t.wrong,
	       t.timeouts);
	return t.answered == t.sent && !t.wrong && !t.timeouts ? 0 : 1;
}
