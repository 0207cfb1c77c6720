// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's libvirt connection: opening it, following its events, and
 * getting it back by itself when libvirtd restarts or is not up yet.
 *
 * libvirt's default event loop runs on a thread of its own; its callbacks
 * only queue the event and wake the sd-event loop through an eventfd, so the
 * bus is touched from one thread only.
 *
 * When the connection closes (libvirt's close callback, or a call that finds
 * it dead), pvctld drops it and answers every call that needs libvirt with
 * org.pvabi.pvctl1.LibvirtUnavailable.  A timer on the sd-event loop retries
 * with a doubling delay, 100 ms up to 5 s; each attempt runs virConnectOpen()
 * on a thread of its own, because a libvirtd that is still starting may hold
 * the connection for seconds and the bus must keep being answered.  Once
 * connected again, pvctld reads every VM's settings back and pushes them to
 * the kernel module, so the module holds what libvirt holds, including
 * changes made while pvctld was cut off.
 *
 * The first connection is no different: pvctld serves the bus whether or not
 * libvirt answers (boot order, socket activation), so a libvirtd that comes
 * later is found by the same retries.  Only the first attempt is waited for,
 * up to FIRST_WAIT_MS, so that a libvirt that answers at once (the test
 * driver, a running libvirtd) is there for the first call.  Without a
 * configured URI pvctld passes NULL, and libvirt resolves it as virsh does
 * (LIBVIRT_DEFAULT_URI, uri_default in libvirt.conf, the driver's default).
 * sd_notify's STATUS says which of the two states pvctld is in, and why.
 */
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <systemd/sd-daemon.h>

#include "metadata.h"
#include "pvctld.h"

#define RETRY_FIRST_MS 100u
#define RETRY_MAX_MS   5000u
#define FIRST_WAIT_MS  3000
/* libvirt's keepalive: a libvirtd that stops answering (SIGSTOP, a hung
 * host) is given up after about 3 s * (3 + 1), so that a call stuck on it
 * fails within D-Bus's default 25 s reply timeout. */
#define KEEPALIVE_INTERVAL_S 3
#define KEEPALIVE_COUNT	     3u

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *virt_uri_name(const struct pvctld *c)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (c->config.connect[0])
		return c->config.connect;
	if (c->uri_seen[0])
		return c->uri_seen;
	/* Only to name it: libvirt itself reads the variable. */
	return env && *env ? env : "libvirt's default URI";
}

void virt_notify_status(struct pvctld *c, const char *also)
{
	if (c->conn)
		sd_notifyf(0, "%sSTATUS=Serving %s for %s", also,
			   PVCTLD_BUS_NAME, virt_uri_name(c));
	else
		sd_notifyf(0,
			   "%sSTATUS=Serving %s; libvirt (%s) unavailable, "
			   "retrying: %s",
			   also, PVCTLD_BUS_NAME, virt_uri_name(c),
			   c->unavailable_why[0] ? c->unavailable_why
						 : "connecting");
}

static void wake(struct pvctld *c)
{
	uint64_t one = 1;

	if (write(c->wake_fd, &one, sizeof(one)) < 0)
		log_error_errno(errno, "eventfd");
}

static void queue_event(struct pvctld *c, virDomainPtr dom, const char *what,
			int event, int detail)
{
	struct pvctld_event *e = calloc(1, sizeof(*e));

	if (!e || !(e->name = strdup(virDomainGetName(dom)))) {
		free(e);
		return;
	}
	/* Known even once the domain is gone: its object's path. */
	if (virDomainGetUUIDString(dom, e->uuid) < 0)
		e->uuid[0] = 0;
	e->what = what;
	e->event = event;
	e->detail = detail;
	pthread_mutex_lock(&c->lock);
	*c->queue_tail = e;
	c->queue_tail = &e->next;
	pthread_mutex_unlock(&c->lock);
	wake(c);
}

static const char *lifecycle_name(int event, int detail)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED: return "defined";
	case VIR_DOMAIN_EVENT_UNDEFINED: return "undefined";
	case VIR_DOMAIN_EVENT_STARTED:
		return detail == VIR_DOMAIN_EVENT_STARTED_MIGRATED
			       ? "migrated-in"
			       : "started";
	case VIR_DOMAIN_EVENT_SUSPENDED: return "suspended";
	case VIR_DOMAIN_EVENT_RESUMED: return "resumed";
	case VIR_DOMAIN_EVENT_STOPPED:
		return detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED
			       ? "migrated-out"
			       : "stopped";
	case VIR_DOMAIN_EVENT_SHUTDOWN: return "shutdown";
	case VIR_DOMAIN_EVENT_PMSUSPENDED: return "pmsuspended";
	case VIR_DOMAIN_EVENT_CRASHED: return "crashed";
	default: return "changed";
	}
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
			int detail, void *opaque)
{
	queue_event(opaque, dom, lifecycle_name(event, detail), event, detail);
	return 0;
}

static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
			const char *nsuri, void *opaque)
{
	if (type == VIR_DOMAIN_METADATA_ELEMENT && nsuri &&
	    !strcmp(nsuri, PVCTL_METADATA_NS))
		queue_event(opaque, dom, "settings", -1, -1);
}

static const char *close_reason(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_ERROR: return "a socket error";
	case VIR_CONNECT_CLOSE_REASON_EOF: return "end of file";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "keepalive timeout";
	case VIR_CONNECT_CLOSE_REASON_CLIENT: return "closed by pvctld";
	default: return "unknown reason";
	}
}

/* On libvirt's thread, or on the loop when a call finds the connection
 * dead: the loop drops the connection in on_wake(). */
static void mark_closed(struct pvctld *c, const char *why)
{
	pthread_mutex_lock(&c->lock);
	if (!c->conn_closed)
		c->closed_why = why;
	c->conn_closed = true;
	pthread_mutex_unlock(&c->lock);
	wake(c);
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	mark_closed(opaque, close_reason(reason));
}

/* Register pvctld's callbacks on a fresh connection and make it current. */
static int attach(struct pvctld *c, virConnectPtr conn)
{
	c->lifecycle_id = virConnectDomainEventRegisterAny(
		conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), c, NULL);
	c->metadata_id = virConnectDomainEventRegisterAny(
		conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
		VIR_DOMAIN_EVENT_CALLBACK(on_metadata), c, NULL);
	if (c->lifecycle_id < 0 || c->metadata_id < 0) {
		log_msg("libvirt events on %s: %s", virt_uri_name(c),
			virGetLastErrorMessage());
		if (c->lifecycle_id >= 0)
			virConnectDomainEventDeregisterAny(conn,
							   c->lifecycle_id);
		if (c->metadata_id >= 0)
			virConnectDomainEventDeregisterAny(conn,
							   c->metadata_id);
		c->lifecycle_id = c->metadata_id = -1;
		virConnectClose(conn);
		return -EIO;
	}
	/* The test driver has no connection to lose: neither a close
	 * callback nor keepalive, and that is fine. */
	virConnectRegisterCloseCallback(conn, on_close, c, NULL);
	virConnectSetKeepAlive(conn, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
	pthread_mutex_lock(&c->lock);
	c->conn_closed = false;
	pthread_mutex_unlock(&c->lock);
	c->conn = conn;
	if (!c->config.connect[0]) {
		char *uri = virConnectGetURI(conn);

		snprintf(c->uri_seen, sizeof(c->uri_seen), "%s",
			 uri ? uri : "");
		free(uri);
	}
	return 0;
}

/* Drop the current connection; on a dead one the deregistrations fail
 * on the wire but are undone locally, which is all that matters. */
static void detach(struct pvctld *c)
{
	if (!c->conn)
		return;
	virConnectUnregisterCloseCallback(c->conn, on_close);
	if (c->lifecycle_id >= 0)
		virConnectDomainEventDeregisterAny(c->conn, c->lifecycle_id);
	if (c->metadata_id >= 0)
		virConnectDomainEventDeregisterAny(c->conn, c->metadata_id);
	c->lifecycle_id = c->metadata_id = -1;
	virConnectClose(c->conn);
	c->conn = NULL;
}

static void *connect_thread(void *arg)
{
	struct pvctld *c = arg;
	virConnectPtr conn =
		virConnectOpen(c->config.connect[0] ? c->config.connect : NULL);
	char why[256] = "";

	if (!conn)
		snprintf(why, sizeof(why), "%s", virGetLastErrorMessage());
	pthread_mutex_lock(&c->lock);
	c->opened = conn;
	c->open_done = true;
	snprintf(c->open_why, sizeof(c->open_why), "%s", why);
	pthread_mutex_unlock(&c->lock);
	wake(c);
	return NULL;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *data)
{
	struct pvctld *c = data;
	int r;

	c->attempts++;
	r = pthread_create(&c->connector, NULL, connect_thread, c);
	if (r) {
		log_error_errno(r, "libvirt connect thread");
		return virt_schedule_retry(c);
	}
	c->connecting = true;
	return 0;
}

int virt_schedule_retry(struct pvctld *c)
{
	int r;

	r = sd_event_source_set_time_relative(c->retry_source,
					      c->retry_ms * 1000u);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->retry_source,
						SD_EVENT_ONESHOT);
	if (r < 0)
		return log_error_errno(r, "reconnect timer");
	c->retry_ms =
		c->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : c->retry_ms * 2;
	return 0;
}

/*
 * After a reconnect: every VM's settings from libvirt to the kernel module,
 * and VMChanged(vm, "reconnected") with PropertiesChanged (InterfacesAdded
 * for a VM defined meanwhile, InterfacesRemoved for one gone) so listeners
 * re-read what they may have missed.  Returns the number of VMs, or -1.
 */
static int resync(struct pvctld *c)
{
	virDomainPtr *doms = NULL;
	int n;

	n = virConnectListAllDomains(c->conn, &doms, 0);
	if (n < 0) {
		log_msg("resynchronising: listing domains: %s",
			virGetLastErrorMessage());
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct pvctl_vm_settings s;
		sd_bus_error err = SD_BUS_ERROR_NULL;

		if (virt_read_settings(c, doms[i], &s, &err) >= 0)
			push_vm(c, doms[i], &s);
		else
			log_msg("resynchronising: %s", err.message);
		sd_bus_error_free(&err);
		char uuid[VIR_UUID_STRING_BUFLEN];

		bus_emit_vm_changed(c, virDomainGetName(doms[i]),
				    virDomainGetUUIDString(doms[i], uuid) == 0
					    ? uuid
					    : NULL,
				    "reconnected");
		virDomainFree(doms[i]);
	}
	free(doms);
	objects_resync(c);
	return n;
}

static void lost(struct pvctld *c, const char *why)
{
	detach(c);
	c->lost_usec = now_usec();
	c->retry_ms = RETRY_FIRST_MS;
	c->attempts = 0;
	log_msg("lost the connection to %s (%s): answering LibvirtUnavailable "
		"and reconnecting",
		virt_uri_name(c), why);
	snprintf(c->unavailable_why, sizeof(c->unavailable_why),
		 "connection lost (%s)", why);
	virt_notify_status(c, "");
	virt_schedule_retry(c);
}

static void connected(struct pvctld *c, virConnectPtr conn, const char *why)
{
	uint64_t ms;
	int n;

	pthread_join(c->connector, NULL);
	c->connecting = false;
	if (!conn) {
		/* One line per attempt while the delay grows, then about one a
		 * minute. */
		if (c->retry_ms < RETRY_MAX_MS || c->attempts % 12 == 0)
			log_msg("%s %s: %s (next try in %u ms)",
				c->ever_connected ? "reconnecting to"
						  : "cannot connect to",
				virt_uri_name(c), why, c->retry_ms);
		snprintf(c->unavailable_why, sizeof(c->unavailable_why), "%s",
			 why);
		virt_notify_status(c, "");
		virt_schedule_retry(c);
		return;
	}
	if (attach(c, conn) < 0) {
		virt_schedule_retry(c);
		return;
	}
	ms = (now_usec() - c->lost_usec) / 1000u;
	if (!c->ever_connected) {
		c->ever_connected = true;
		/* At start, before the bus and the module are set up, they
		 * read libvirt themselves (vmsock_open_all, kmod_setup). */
		if (!c->bus) {
			log_msg("connected to %s", virt_uri_name(c));
			return;
		}
		n = resync(c);
		log_msg("connected to %s after %llu ms (%u attempts); "
			"synchronised %d VM%s",
			virt_uri_name(c), (unsigned long long)ms, c->attempts,
			n, n == 1 ? "" : "s");
		virt_notify_status(c, "");
		return;
	}
	c->reconnects++;
	n = resync(c);
	log_msg("reconnected to %s after %llu ms (%u attempts, reconnect #%u); "
		"resynchronised %d VM%s",
		virt_uri_name(c), (unsigned long long)ms, c->attempts,
		c->reconnects, n, n == 1 ? "" : "s");
	virt_notify_status(c, "");
}

static void handle_event(struct pvctld *c, struct pvctld_event *e)
{
	virDomainPtr dom = NULL;

	bus_emit_vm_changed(c, e->name, e->uuid[0] ? e->uuid : NULL, e->what);
	if (!strcmp(e->what, "undefined"))
		vmsock_forget(c, e->name);
	else if (e->event >= 0)
		vmsock_lifecycle(c, e->name, e->event, e->detail);
	if (c->conn && strcmp(e->what, "undefined"))
		dom = virDomainLookupByName(c->conn, e->name);
	if (dom) {
		struct pvctl_vm_settings st;
		sd_bus_error err = SD_BUS_ERROR_NULL;

		if (virt_read_settings(c, dom, &st, &err) >= 0)
			push_vm(c, dom, &st);
		sd_bus_error_free(&err);
		virDomainFree(dom);
	}
}

/* On the sd-event loop: a closed connection, a finished connect attempt,
 * libvirt's events for the bus and the kernel module. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct pvctld *c = data;
	struct pvctld_event *e, *next;
	virConnectPtr opened = NULL;
	bool closed, open_done;
	const char *why;
	char open_why[sizeof(c->open_why)];
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return log_error_errno(errno, "eventfd");
	pthread_mutex_lock(&c->lock);
	e = c->queue;
	c->queue = NULL;
	c->queue_tail = &c->queue;
	closed = c->conn_closed && c->conn;
	why = c->closed_why;
	open_done = c->open_done;
	if (open_done) {
		opened = c->opened;
		c->opened = NULL;
		c->open_done = false;
		memcpy(open_why, c->open_why, sizeof(open_why));
	}
	pthread_mutex_unlock(&c->lock);

	/* Events that came before the close still go out. */
	for (; e; e = next) {
		next = e->next;
		handle_event(c, e);
		free(e->name);
		free(e);
	}
	if (closed)
		lost(c, why);
	if (open_done)
		connected(c, opened, open_why);
	return 0;
}

static void *event_thread(void *arg)
{
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			log_msg("libvirt event loop: %s",
				virGetLastErrorMessage());
	return NULL;
}

/* libvirt reports every error on stderr unless told otherwise; pvctld
 * turns them into D-Bus errors instead. */
static void quiet(void *data, virErrorPtr e)
{
}

int virt_open(struct pvctld *c)
{
	pthread_t thread;
	int r;

	virSetErrorFunc(NULL, quiet);
	if (virEventRegisterDefaultImpl() < 0)
		return log_error_errno(EIO, "libvirt event loop: %s",
				       virGetLastErrorMessage());
	r = pthread_create(&thread, NULL, event_thread, c);
	if (r)
		return log_error_errno(r, "libvirt event thread");
	pthread_detach(thread);

	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0)
		return log_error_errno(errno, "eventfd");
	r = sd_event_add_io(c->event, &c->wake_source, c->wake_fd, EPOLLIN,
			    on_wake, c);
	if (r < 0)
		return log_error_errno(r, "sd_event_add_io");
	r = sd_event_add_time(c->event, &c->retry_source, CLOCK_MONOTONIC, 0, 0,
			      on_retry, c);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->retry_source, SD_EVENT_OFF);
	if (r < 0)
		return log_error_errno(r, "reconnect timer");

	/* The first attempt, waited for a while (FIRST_WAIT_MS); a malformed
	 * URI never gets here (main.c). */
	c->lost_usec = now_usec();
	c->retry_ms = RETRY_FIRST_MS;
	c->attempts = 0;
	on_retry(c->retry_source, 0, c);
	if (poll(&(struct pollfd){.fd = c->wake_fd, .events = POLLIN}, 1,
		 FIRST_WAIT_MS) > 0)
		on_wake(c->wake_source, c->wake_fd, EPOLLIN, c);
	if (!c->conn && c->connecting)
		log_msg("%s does not answer yet: serving the bus meanwhile",
			virt_uri_name(c));
	return 0;
}

void virt_close(struct pvctld *c)
{
	if (c->connecting) {
		pthread_join(c->connector, NULL);
		c->connecting = false;
		if (c->opened)
			virConnectClose(c->opened);
		c->opened = NULL;
	}
	detach(c);
	sd_event_source_unref(c->retry_source);
	sd_event_source_unref(c->wake_source);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	free(c->parsed.xml);
	c->parsed.xml = NULL;
}

virConnectPtr virt_conn(struct pvctld *c, sd_bus_error *error)
{
	if (!c->conn)
		sd_bus_error_setf(
			error, PVCTLD_ERROR_LIBVIRT_UNAVAILABLE,
			"libvirt (%s) is unavailable; pvctld is reconnecting",
			virt_uri_name(c));
	return c->conn;
}

int virt_libvirt_error(struct pvctld *c, sd_bus_error *error, const char *what)
{
	const virError *e = virGetLastError();
	int code = e ? e->code : VIR_ERR_OK;
	char msg[512];

	snprintf(msg, sizeof(msg), "%s",
		 e && e->message ? e->message : "libvirt error");
	/* The close callback may not have run yet: a dead connection is
	 * told apart here (virConnectIsAlive resets libvirt's last error,
	 * hence the copy). */
	if (c->conn &&
	    (code == VIR_ERR_NO_CONNECT || virConnectIsAlive(c->conn) == 0)) {
		mark_closed(c, "a call failed on it");
		return sd_bus_error_setf(error,
					 PVCTLD_ERROR_LIBVIRT_UNAVAILABLE,
					 "libvirt (%s) is unavailable (%s: "
					 "%s); pvctld is reconnecting",
					 virt_uri_name(c), what, msg);
	}
	return sd_bus_error_setf(error, PVCTLD_ERROR_LIBVIRT, "%s: %s", what,
				 msg);
}
