// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One D-Bus object per libvirt domain, as systemd-machined and libvirt-dbus
 * serve theirs: /org/pvabi/pvctl1/vm/<sd_bus_path_encode(UUID)> with
 * org.pvabi.pvctl1.VM (schemas/org.pvabi.pvctl1.xml), under an
 * org.freedesktop.DBus.ObjectManager on /org/pvabi/pvctl1.
 *
 * pvctld keeps no copy of a VM: libvirt holds the settings.  A fallback
 * vtable's find() looks the domain up once per message and fills c->view,
 * which the property getters then read, so GetManagedObjects costs what
 * ListVMs does.  A VM method is the exception: find() only notes the UUID,
 * and the handler authorizes before it looks anything up, as the Manager's
 * methods do (bus.c's change paths serve both).
 *
 * Reading is the Manager's org.pvabi.pvctl1.read: a bus filter authorizes
 * Properties, Introspectable and GetManagedObjects calls on the VM objects
 * before sd-bus answers them, with auth.c's asynchronous check (a call
 * waiting for polkit is dispatched again once the answer is in).
 *
 * Changes reach the bus from bus_emit_vm_changed(), whatever their source:
 * PropertiesChanged for a VM that exists and the bus knows of, and
 * InterfacesAdded or InterfacesRemoved when it came or went.  c->known is
 * what the bus was told exists, so a domain undefined while running (still
 * there, transient) or renamed (the same UUID) is no removal.
 */
#include <stddef.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "pvctld.h"

#define PROPERTIES_INTERFACE	 "org.freedesktop.DBus.Properties"
#define INTROSPECTABLE_INTERFACE "org.freedesktop.DBus.Introspectable"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

int objects_path(const char *uuid, char **path)
{
	return sd_bus_path_encode(PVCTLD_VM_PREFIX, uuid, path);
}

/* The canonical form libvirt prints, so that one path names one VM. */
static bool uuid_string(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23
			    ? s[i] != '-'
			    : !strchr("0123456789abcdef", s[i]))
			return false;
	return i == VIR_UUID_STRING_BUFLEN - 1;
}

static void free_domain(virDomainPtr *d)
{
	if (*d)
		virDomainFree(*d);
}
#define _cleanup_domain_ __attribute__((cleanup(free_domain)))

struct listed_domain {
	unsigned char uuid[VIR_UUID_BUFLEN];
	virDomainPtr dom;
};

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, VIR_UUID_BUFLEN);
}

static void drop_listed(struct pvctld *c)
{
	for (size_t i = 0; i < c->n_listed; i++)
		virDomainFree(c->listed[i].dom);
	free(c->listed);
	c->listed = NULL;
	c->n_listed = 0;
	c->listed_for = NULL;
}

static int on_listed_drop(sd_event_source *s, void *data)
{
	drop_listed(data);
	return 0;
}

/* The domain with @raw from the enumerator's list, if it was made for the
 * message being answered (GetManagedObjects: one list, then a find() per
 * object), else NULL. */
static virDomainPtr listed_domain(struct pvctld *c, const unsigned char *raw)
{
	sd_bus_message *m = sd_bus_get_current_message(c->bus);
	const struct listed_domain *d;
	uint64_t cookie = 0;

	if (!c->listed || !m || m != c->listed_for ||
	    sd_bus_message_get_cookie(m, &cookie) < 0 ||
	    cookie != c->listed_cookie)
		return NULL;
	d = bsearch(raw, c->listed, c->n_listed, sizeof(*c->listed), cmp_uuid);
	return d ? d->dom : NULL;
}

static void hex_uuid(const unsigned char *u, char *out)
{
	static const char digits[] = "0123456789abcdef";

	/* libvirt's virUUIDFormat is a g_snprintf per UUID: at 1000 domains
	 * the largest cost of GetManagedObjects. */
	for (int i = 0; i < VIR_UUID_BUFLEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*out++ = '-';
		*out++ = digits[u[i] >> 4];
		*out++ = digits[u[i] & 15];
	}
	*out = 0;
}

static void uuid_parse(const char *s, unsigned char *raw);

/* c->view from the domain with @uuid: 1, 0 when there is none, or -errno
 * with @error set.  @strict: metadata that does not parse is that error,
 * else the VM shows the defaults. */
static int load(struct pvctld *c, const char *uuid, bool strict,
		sd_bus_error *error)
{
	struct vm_view *v = &c->view;
	_cleanup_domain_ virDomainPtr looked_up = NULL;
	virDomainPtr dom;
	const struct vm_key k = {.text = uuid, .uuid = true};
	unsigned char raw[VIR_UUID_BUFLEN];
	struct pvctl_vm_settings s;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	uuid_parse(uuid, raw);
	/* Borrowed from the list, which holds it until the loop is idle: a
	 * reference taken and dropped is two more of libvirt's UUID
	 * formattings per object. */
	dom = listed_domain(c, raw);
	if (!dom) {
		r = bus_lookup(c, &k, &looked_up, error);
		if (r < 0)
			return sd_bus_error_has_name(error,
						     PVCTLD_ERROR_NO_SUCH_VM)
				       ? (sd_bus_error_free(error), 0)
				       : r;
		dom = looked_up;
	}
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	snprintf(v->name, sizeof(v->name), "%s", virDomainGetName(dom));
	snprintf(v->state, sizeof(v->state), "%s", virt_state(dom));
	/* As ListVMs: one VM's bad metadata does not fail the whole tree;
	 * as GetVM: reading that one VM says what is wrong. */
	if (strict)
		r = virt_read_settings(c, dom, &s, error);
	else if ((r = virt_read_settings(c, dom, &s, &e)) < 0) {
		log_msg("%s", e.message);
		pvctl_settings_default(&s, &c->config.offer);
		r = 0;
	}
	sd_bus_error_free(&e);
	if (r < 0)
		return r;
	v->enabled = s.enabled;
	r = bus_settings_text(&s, &v->text);
	if (r < 0)
		return r;
	v->kmod = kmod_find(c, raw, v->name); /* raw: the domain's, by lookup */
	v->loaded = true;
	return 1;
}

static int find(sd_bus *bus, const char *path, const char *interface,
		void *data, void **found, sd_bus_error *error)
{
	struct pvctld *c = data;
	sd_bus_message *m = sd_bus_get_current_message(bus);
	char *uuid = NULL;
	int r;

	r = sd_bus_path_decode(path, PVCTLD_VM_PREFIX, &uuid);
	if (r <= 0)
		return r;
	if (!uuid_string(uuid)) {
		free(uuid);
		return 0;
	}
	c->view.c = c;
	c->view.loaded = false;
	snprintf(c->view.uuid, sizeof(c->view.uuid), "%s", uuid);
	if (!c->emitting && m &&
	    sd_bus_message_is_method_call(m, PVCTLD_VM_INTERFACE, NULL))
		r = 1; /* the method authorizes, then looks it up */
	else
		r = load(c, uuid,
			 !c->emitting && m &&
				 sd_bus_message_is_method_call(
					 m, PROPERTIES_INTERFACE, NULL) > 0,
			 error);
	free(uuid);
	if (r > 0)
		*found = &c->view;
	return r;
}

static int enumerate(sd_bus *bus, const char *prefix, void *data, char ***nodes,
		     sd_bus_error *error)
{
	struct pvctld *c = data;
	virConnectPtr conn = virt_conn(c, error);
	sd_bus_message *m = sd_bus_get_current_message(bus);
	virDomainPtr *doms = NULL;
	char **paths;
	int n, r = 0, k = 0;

	if (!conn)
		return -EAGAIN;
	n = virConnectListAllDomains(conn, &doms, 0);
	if (n < 0)
		return virt_libvirt_error(c, error, "listing domains");
	drop_listed(c);
	paths = calloc((size_t)n + 1, sizeof(*paths));
	c->listed = calloc((size_t)n + 1, sizeof(*c->listed));
	for (int i = 0; i < n; i++) {
		struct listed_domain *d = c->listed ? &c->listed[k] : NULL;
		char uuid[VIR_UUID_STRING_BUFLEN];

		if (!paths || !d || r < 0 ||
		    virDomainGetUUID(doms[i], d->uuid) < 0) {
			virDomainFree(doms[i]);
			continue;
		}
		hex_uuid(d->uuid, uuid);
		r = objects_path(uuid, &paths[k]);
		d->dom = doms[i];
		k++;
	}
	free(doms);
	c->n_listed = (size_t)k;
	if (!paths || !c->listed || r < 0) {
		for (int i = 0; paths && i < k; i++)
			free(paths[i]);
		free(paths);
		drop_listed(c);
		return r < 0 ? r : -ENOMEM;
	}
	qsort(c->listed, c->n_listed, sizeof(*c->listed), cmp_uuid);
	/* Kept for the find() calls answering this message, and dropped once
	 * the loop is idle. */
	c->listed_for = m;
	if (!m || sd_bus_message_get_cookie(m, &c->listed_cookie) < 0)
		c->listed_for = NULL;
	if (c->listed_drop)
		sd_event_source_set_enabled(c->listed_drop, SD_EVENT_ONESHOT);
	*nodes = paths;
	return 1;
}

static int get_string(sd_bus *bus, const char *path, const char *interface,
		      const char *property, sd_bus_message *reply, void *data,
		      sd_bus_error *error)
{
	return sd_bus_message_append_basic(reply, 's', data);
}

static int get_bool(sd_bus *bus, const char *path, const char *interface,
		    const char *property, sd_bus_message *reply, void *data,
		    sd_bus_error *error)
{
	return sd_bus_message_append_basic(reply, 'b', data);
}

static int get_negotiated(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply,
			  void *data, sd_bus_error *error)
{
	const struct vm_view *v = data;

	return bus_append_negotiated(reply, v->kmod);
}

/* The VM a method was sent to, by UUID (copied: a change emits signals,
 * which reload c->view). */
struct vm_call {
	char uuid[VIR_UUID_STRING_BUFLEN];
	struct vm_key k;
};

static struct pvctld *vm_call(void *data, struct vm_call *call)
{
	const struct vm_view *v = data;

	memcpy(call->uuid, v->uuid, sizeof(call->uuid));
	call->k.text = call->uuid;
	call->k.uuid = true;
	return v->c;
}

static int vm_enable(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_ENABLED, .enabled = true};
	struct vm_call call;
	struct pvctld *c = vm_call(data, &call);

	return bus_change(c, m, &call.k, &ch, "", AUTH_ACTION_MANAGE, error);
}

static int vm_disable(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_ENABLED};
	struct vm_call call;
	struct pvctld *c = vm_call(data, &call);

	return bus_change(c, m, &call.k, &ch, "", AUTH_ACTION_MANAGE, error);
}

/* SetVersions, SetFeatures, SetPatchPolicy: (text) -> (applies, note). */
static int vm_set(sd_bus_message *m, void *data, struct pvctl_change ch,
		  const char *action, sd_bus_error *error)
{
	struct vm_call call;
	struct pvctld *c = vm_call(data, &call);
	const char *text;
	int r = sd_bus_message_read(m, "s", &text);

	if (r < 0)
		return r;
	return bus_change(c, m, &call.k, &ch, text, action, error);
}

static int vm_set_versions(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_VERSIONS};

	return vm_set(m, data, ch, AUTH_ACTION_MANAGE, error);
}

static int vm_set_features(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_FEATURES};

	return vm_set(m, data, ch, AUTH_ACTION_MANAGE, error);
}

static int vm_set_patch(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_PATCH};

	return vm_set(m, data, ch, AUTH_ACTION_PATCH, error);
}

static int vm_reset(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct vm_call call;
	struct pvctld *c = vm_call(data, &call);

	return bus_reset(c, m, &call.k, error);
}

static int vm_check_migration(sd_bus_message *m, void *data,
			      sd_bus_error *error)
{
	struct vm_call call;
	struct pvctld *c = vm_call(data, &call);
	const void *blob;
	size_t len;
	int r = sd_bus_message_read_array(m, 'y', &blob, &len);

	if (r < 0)
		return r;
	return bus_check_migration(c, m, &call.k, blob, len, error);
}

#define CHANGE_RESULT SD_BUS_RESULT("s", applies, "s", note)
#define VIEW(field)   offsetof(struct vm_view, field)
#define EMITS	      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable vm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", get_string, VIEW(name), EMITS),
	SD_BUS_PROPERTY("UUID", "s", get_string, VIEW(uuid), EMITS),
	SD_BUS_PROPERTY("State", "s", get_string, VIEW(state), EMITS),
	SD_BUS_PROPERTY("Enabled", "b", get_bool, VIEW(enabled), EMITS),
	SD_BUS_PROPERTY("Versions", "s", get_string, VIEW(text.versions),
			EMITS),
	SD_BUS_PROPERTY("Features", "s", get_string, VIEW(text.features),
			EMITS),
	SD_BUS_PROPERTY("PatchPolicy", "s", get_string, VIEW(text.patch),
			EMITS),
	SD_BUS_PROPERTY("Negotiated", "a(uut)", get_negotiated, 0, EMITS),
	SD_BUS_METHOD_WITH_ARGS("Enable", SD_BUS_NO_ARGS, CHANGE_RESULT,
				vm_enable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Disable", SD_BUS_NO_ARGS, CHANGE_RESULT,
				vm_disable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetVersions", SD_BUS_ARGS("s", versions),
				CHANGE_RESULT, vm_set_versions,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetFeatures", SD_BUS_ARGS("s", features),
				CHANGE_RESULT, vm_set_features,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetPatchPolicy", SD_BUS_ARGS("s", policy),
				CHANGE_RESULT, vm_set_patch,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_NO_ARGS, CHANGE_RESULT,
				vm_reset, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CheckMigration", SD_BUS_ARGS("ay", offer),
				SD_BUS_RESULT("b", compatible, "as", reasons),
				vm_check_migration, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END};

/* Is @path the VM prefix or below it? */
static bool vm_path(const char *path)
{
	size_t n = strlen(PVCTLD_VM_PREFIX);

	return !strncmp(path, PVCTLD_VM_PREFIX, n) &&
	       (!path[n] || path[n] == '/');
}

/* The reads sd-bus answers by itself, authorized as the Manager's reads
 * are: 0 lets sd-bus go on, 1 holds the call until polkit answered, an
 * error is the reply. */
static int read_filter(sd_bus_message *m, void *data, sd_bus_error *error)
{
	const char *path = sd_bus_message_get_path(m);
	const char *iface = sd_bus_message_get_interface(m);

	if (sd_bus_message_is_method_call(m, NULL, NULL) <= 0 || !path ||
	    !iface)
		return 0;
	if (vm_path(path) ? strcmp(iface, PROPERTIES_INTERFACE) &&
				    strcmp(iface, INTROSPECTABLE_INTERFACE)
			  : strcmp(path, PVCTLD_OBJECT) ||
				    strcmp(iface, OBJECT_MANAGER_INTERFACE))
		return 0;
	return auth_check(data, m, AUTH_ACTION_READ, error);
}

/* c->known: sorted, searched with bsearch. */
static ptrdiff_t known_index(struct pvctld *c, const unsigned char *uuid)
{
	const unsigned char(*p)[VIR_UUID_BUFLEN] =
		c->n_known ? bsearch(uuid, c->known, c->n_known,
				     sizeof(*c->known), cmp_uuid)
			   : NULL;

	return p ? p - c->known : -1;
}

static int known_add(struct pvctld *c, const unsigned char *uuid)
{
	size_t i = 0;

	if (c->n_known == c->cap_known) {
		size_t cap = c->cap_known ? 2 * c->cap_known : 64;
		void *grown = realloc(c->known, cap * sizeof(*c->known));

		if (!grown)
			return -ENOMEM;
		c->known = grown;
		c->cap_known = cap;
	}
	while (i < c->n_known && cmp_uuid(c->known[i], uuid) < 0)
		i++;
	memmove(c->known + i + 1, c->known + i,
		(c->n_known - i) * sizeof(*c->known));
	memcpy(c->known[i], uuid, VIR_UUID_BUFLEN);
	c->n_known++;
	return 0;
}

static void known_remove(struct pvctld *c, size_t i)
{
	memmove(c->known + i, c->known + i + 1,
		(c->n_known - i - 1) * sizeof(*c->known));
	c->n_known--;
}

static unsigned int hex(char ch)
{
	return ch <= '9' ? (unsigned int)(ch - '0')
			 : (unsigned int)(ch - 'a' + 10);
}

/* The 16 bytes of a UUID string that uuid_string() accepted. */
static void uuid_parse(const char *s, unsigned char *raw)
{
	/* Only strings uuid_string() accepted reach here. */
	for (int i = 0; i < VIR_UUID_BUFLEN; i++, s += 2) {
		if (*s == '-')
			s++;
		raw[i] = (unsigned char)(hex(s[0]) << 4 | hex(s[1]));
	}
}

/* Which properties a VMChanged word may have changed. */
static const char *const settings_props[] = {"Enabled", "Versions", "Features",
					     "PatchPolicy", NULL};
static const char *const state_props[] = {"State", NULL};
static const char *const negotiated_props[] = {"Negotiated", NULL};
static const char *const all_props[] = {"Name",	       "UUID",	     "State",
					"Enabled",     "Versions",   "Features",
					"PatchPolicy", "Negotiated", NULL};

static const char *const *props_for(const char *what)
{
	if (!strcmp(what, "settings"))
		return settings_props;
	if (!strcmp(what, "negotiated"))
		return negotiated_props;
	/* A definition (re)written, or events missed while cut off. */
	if (!strcmp(what, "defined") || !strcmp(what, "reconnected"))
		return all_props;
	return state_props;
}

/* Does the domain with @uuid exist?  1, 0, or -errno when libvirt cannot
 * say (then nothing is announced). */
static int exists(struct pvctld *c, const char *uuid)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const struct vm_key k = {.text = uuid, .uuid = true};
	int r = bus_lookup(c, &k, &dom, &e);

	if (r < 0 && sd_bus_error_has_name(&e, PVCTLD_ERROR_NO_SUCH_VM))
		r = 0;
	else if (r >= 0)
		r = 1;
	sd_bus_error_free(&e);
	return r;
}

/* Tell the bus about the VM with @uuid, which exists or not (@there). */
static void announce(struct pvctld *c, const char *uuid, bool there,
		     const char *what)
{
	unsigned char raw[VIR_UUID_BUFLEN];
	char *path = NULL;
	ptrdiff_t i;
	int r;

	uuid_parse(uuid, raw);
	i = known_index(c, raw);
	if (objects_path(uuid, &path) < 0)
		return;
	c->emitting = true;
	if (there && i < 0) {
		r = sd_bus_emit_interfaces_added(c->bus, path,
						 PVCTLD_VM_INTERFACE, NULL);
		if (r >= 0)
			r = known_add(c, raw);
	} else if (!there && i >= 0) {
		r = sd_bus_emit_interfaces_removed(c->bus, path,
						   PVCTLD_VM_INTERFACE, NULL);
		known_remove(c, (size_t)i);
	} else if (there)
		r = sd_bus_emit_properties_changed_strv(
			c->bus, path, PVCTLD_VM_INTERFACE,
			(char **)props_for(what));
	else
		r = 0;
	c->emitting = false;
	if (r < 0)
		log_error_errno(r, "VM %s: telling the bus (%s)", uuid, what);
	free(path);
}

void objects_changed(struct pvctld *c, const char *uuid, const char *name,
		     const char *what)
{
	char found[VIR_UUID_STRING_BUFLEN];
	int there;

	if (!uuid) {
		virDomainPtr dom =
			c->conn ? virDomainLookupByName(c->conn, name) : NULL;

		if (!dom)
			return;
		if (virDomainGetUUIDString(dom, found) < 0)
			found[0] = 0;
		virDomainFree(dom);
		uuid = found;
	}
	if (!uuid_string(uuid))
		return;
	there = exists(c, uuid);
	if (there >= 0)
		announce(c, uuid, there, what);
}

void objects_resync(struct pvctld *c)
{
	/* From the end: announce() removes the entry it is given. */
	for (size_t i = c->n_known; i-- > 0;) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		const unsigned char *u = c->known[i];

		hex_uuid(u, uuid);
		if (exists(c, uuid) == 0)
			announce(c, uuid, false, "undefined");
	}
}

/* What the bus has been told exists: every domain there is at start. */
static int know_all(struct pvctld *c)
{
	virDomainPtr *doms = NULL;
	int n = c->conn ? virConnectListAllDomains(c->conn, &doms, 0) : 0;

	for (int i = 0; i < n; i++) {
		unsigned char raw[VIR_UUID_BUFLEN];

		if (virDomainGetUUID(doms[i], raw) == 0 &&
		    known_index(c, raw) < 0)
			known_add(c, raw);
		virDomainFree(doms[i]);
	}
	free(doms);
	return n < 0 ? -EIO : 0;
}

int objects_setup(struct pvctld *c)
{
	int r;

	r = sd_bus_add_fallback_vtable(c->bus, NULL, PVCTLD_VM_PREFIX,
				       PVCTLD_VM_INTERFACE, vm_vtable, find, c);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(c->bus, NULL, PVCTLD_VM_PREFIX,
					       enumerate, c);
	if (r >= 0)
		r = sd_bus_add_object_manager(c->bus, NULL, PVCTLD_OBJECT);
	if (r >= 0)
		r = sd_bus_add_filter(c->bus, NULL, read_filter, c);
	if (r >= 0)
		r = sd_event_add_defer(c->event, &c->listed_drop,
				       on_listed_drop, c);
	if (r >= 0)
		r = sd_event_source_set_priority(c->listed_drop,
						 SD_EVENT_PRIORITY_IDLE);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->listed_drop, SD_EVENT_OFF);
	if (r < 0)
		return log_error_errno(r, "cannot add the VM objects");
	if (know_all(c) < 0)
		log_msg("listing domains: %s", virGetLastErrorMessage());
	return 0;
}

void objects_done(struct pvctld *c)
{
	drop_listed(c);
	c->listed_drop = sd_event_source_disable_unref(c->listed_drop);
	free(c->known);
	c->known = NULL;
	c->n_known = c->cap_known = 0;
}
