// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's libvirt side: the connection, settings in domain metadata, and
 * lifecycle events.
 *
 * libvirt's default event loop runs on a thread of its own; its callbacks
 * only queue the event and wake the sd-event loop through an eventfd, so the
 * bus is touched from one thread only.
 */
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "metadata.h"
#include "push.h"
#include "pvctld.h"

int virt_libvirt_error(sd_bus_error *error, const char *what)
{
	const virError *e = virGetLastError();

	return sd_bus_error_setf(error, PVCTLD_ERROR_LIBVIRT, "%s: %s", what,
				 e && e->message ? e->message :
						   "libvirt error");
}

static void queue_event(struct pvctld *c, const char *name, const char *what)
{
	struct pvctld_event *e = calloc(1, sizeof(*e));
	uint64_t one = 1;

	if (!e || !(e->name = strdup(name))) {
		free(e);
		return;
	}
	e->what = what;
	pthread_mutex_lock(&c->lock);
	*c->queue_tail = e;
	c->queue_tail = &e->next;
	pthread_mutex_unlock(&c->lock);
	if (write(c->wake_fd, &one, sizeof(one)) < 0)
		log_error_errno(errno, "eventfd");
}

static const char *lifecycle_name(int event, int detail)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED: return "defined";
	case VIR_DOMAIN_EVENT_UNDEFINED: return "undefined";
	case VIR_DOMAIN_EVENT_STARTED:
		return detail == VIR_DOMAIN_EVENT_STARTED_MIGRATED ?
			       "migrated-in" :
			       "started";
	case VIR_DOMAIN_EVENT_SUSPENDED: return "suspended";
	case VIR_DOMAIN_EVENT_RESUMED: return "resumed";
	case VIR_DOMAIN_EVENT_STOPPED:
		return detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED ?
			       "migrated-out" :
			       "stopped";
	case VIR_DOMAIN_EVENT_SHUTDOWN: return "shutdown";
	case VIR_DOMAIN_EVENT_PMSUSPENDED: return "pmsuspended";
	case VIR_DOMAIN_EVENT_CRASHED: return "crashed";
	default: return "changed";
	}
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
			int detail, void *opaque)
{
	queue_event(opaque, virDomainGetName(dom), lifecycle_name(event, detail));
	return 0;
}

static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
			const char *nsuri, void *opaque)
{
	if (type == VIR_DOMAIN_METADATA_ELEMENT && nsuri &&
	    !strcmp(nsuri, PVCTL_METADATA_NS))
		queue_event(opaque, virDomainGetName(dom), "settings");
}

/* On the sd-event loop: tell the bus, and the kernel module. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct pvctld *c = data;
	struct pvctld_event *e, *next;
	bool closed;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return log_error_errno(errno, "eventfd");
	pthread_mutex_lock(&c->lock);
	e = c->queue;
	c->queue = NULL;
	c->queue_tail = &c->queue;
	closed = c->conn_closed;
	pthread_mutex_unlock(&c->lock);
	/* libvirtd went away: exit non-zero and let systemd restart pvctld
	 * (Restart=on-failure), which reconnects; nothing is lost, libvirt
	 * holds every setting. */
	if (closed) {
		log_msg("the connection to %s closed", c->config.connect);
		return sd_event_exit(c->event, -ECONNRESET);
	}
	for (; e; e = next) {
		virDomainPtr dom;

		next = e->next;
		bus_emit_vm_changed(c, e->name, e->what);
		dom = strcmp(e->what, "undefined") ?
			      virDomainLookupByName(c->conn, e->name) :
			      NULL;
		if (dom) {
			struct pvctl_vm_settings st;
			sd_bus_error err = SD_BUS_ERROR_NULL;

			if (virt_read_settings(c, dom, &st, &err) >= 0)
				push_vm(c, dom, &st);
			sd_bus_error_free(&err);
			virDomainFree(dom);
		}
		free(e->name);
		free(e);
	}
	return 0;
}

/*
 * A disabled VM is pushed with no features and patching off, the closest
 * the module's policy comes to "no pvabi".  A module without the VM (its
 * VMM has not created it yet) is not an error.
 */
void push_vm(struct pvctld *c, virDomainPtr dom,
	     const struct pvctl_vm_settings *s)
{
	unsigned char uuid[VIR_UUID_BUFLEN] = { 0 };
	struct push_policy p = {
		.uuid = uuid,
		.name = virDomainGetName(dom),
		.min_version = (uint32_t)s->lo.major << 16 | s->lo.minor,
		.max_version = (uint32_t)s->hi.major << 16 | s->hi.minor,
		.features = s->enabled ? s->features : 0,
		.patch_mode = s->enabled ? pvabi_patch_mode_name(s->patch.mode) :
					   "off",
	};
	char why[256] = "";
	int r;

	virDomainGetUUID(dom, uuid);
	r = push_policy(&p, why, sizeof(why));
	if (r == -ENOENT) {
		if (!c->netlink_absent_logged)
			log_msg("generic netlink family 'pvabi' absent (kernel module not loaded): settings stay in libvirt only");
		c->netlink_absent_logged = true;
		return;
	}
	c->netlink_absent_logged = false;
	if (r < 0 && r != -ESRCH)
		log_msg("VM '%s': pushing the policy to pvabi.ko: %s", p.name,
			why);
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct pvctld *c = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	c->conn_closed = true;
	pthread_mutex_unlock(&c->lock);
	if (write(c->wake_fd, &one, sizeof(one)) < 0)
		log_error_errno(errno, "eventfd");
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

	c->conn = virConnectOpen(c->config.connect);
	if (!c->conn)
		return log_error_errno(EIO, "cannot connect to %s: %s",
				       c->config.connect,
				       virGetLastErrorMessage());
	c->lifecycle_id = virConnectDomainEventRegisterAny(
		c->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), c, NULL);
	c->metadata_id = virConnectDomainEventRegisterAny(
		c->conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
		VIR_DOMAIN_EVENT_CALLBACK(on_metadata), c, NULL);
	if (c->lifecycle_id < 0 || c->metadata_id < 0)
		return log_error_errno(EIO, "libvirt events: %s",
				       virGetLastErrorMessage());
	/* The test driver has no connection to lose: no close callback. */
	virConnectRegisterCloseCallback(c->conn, on_close, c, NULL);
	return 0;
}

void virt_close(struct pvctld *c)
{
	if (c->conn) {
		virConnectUnregisterCloseCallback(c->conn, on_close);
		if (c->lifecycle_id >= 0)
			virConnectDomainEventDeregisterAny(c->conn,
							   c->lifecycle_id);
		if (c->metadata_id >= 0)
			virConnectDomainEventDeregisterAny(c->conn,
							   c->metadata_id);
		virConnectClose(c->conn);
		c->conn = NULL;
	}
	sd_event_source_unref(c->wake_source);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
}

/* By name, or by UUID when no domain has that name. */
int virt_lookup(struct pvctld *c, const char *name, virDomainPtr *dom,
		sd_bus_error *error)
{
	*dom = virDomainLookupByName(c->conn, name);
	if (!*dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
		*dom = virDomainLookupByUUIDString(c->conn, name);
	if (*dom)
		return 0;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
		return sd_bus_error_setf(error, PVCTLD_ERROR_NO_SUCH_VM,
					 "no VM '%s'", name);
	return virt_libvirt_error(error, name);
}

int virt_read_settings(struct pvctld *c, virDomainPtr dom,
		       struct pvctl_vm_settings *s, sd_bus_error *error)
{
	const char *name = virDomainGetName(dom);
	char why[256], *xml;
	int r;

	pvctl_settings_default(s, &c->config.offer);
	xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
				   PVCTL_METADATA_NS, VIR_DOMAIN_AFFECT_CURRENT);
	if (!xml) {
		if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_METADATA)
			return 0;
		return virt_libvirt_error(error, name);
	}
	r = pvctl_metadata_parse(xml, strlen(xml), s, why, sizeof(why));
	free(xml);
	if (r < 0)
		return sd_bus_error_setf(error, PVCTLD_ERROR_BAD_METADATA,
					 "VM '%s': pvabi metadata: %s", name,
					 why);
	return 0;
}

/*
 * libvirt writes the persistent config atomically (a new file renamed over
 * the old), so a crash leaves either the old settings or the new ones.
 */
int virt_write_settings(struct pvctld *c, virDomainPtr dom,
			const struct pvctl_vm_settings *s, sd_bus_error *error)
{
	const char *name = virDomainGetName(dom);
	unsigned int flags = 0;
	char *xml;
	int r;

	if (virDomainIsPersistent(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_CONFIG;
	if (virDomainIsActive(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	xml = pvctl_metadata_format(s, false);
	if (!xml)
		return sd_bus_error_set_errno(error, -ENOMEM);
	r = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
				 PVCTL_METADATA_PREFIX, PVCTL_METADATA_NS,
				 flags);
	if (r < 0)
		r = virt_libvirt_error(error, name);
	free(xml);
	return r < 0 ? r : 0;
}

const char *virt_state(virDomainPtr dom)
{
	int state, reason;

	if (virDomainGetState(dom, &state, &reason, 0) < 0)
		return "unknown";
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting-down";
	case VIR_DOMAIN_SHUTOFF: return "shut-off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
	default: return "unknown";
	}
}
