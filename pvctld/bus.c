// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.pvabi.pvctl1.Manager on /org/pvabi/pvctl1 (schemas/org.pvabi.pvctl1.xml),
 * and the change paths it shares with the VM objects (objects.c).
 *
 * Every method goes: read arguments, validate them (InvalidArgs quoting the
 * bad value), authorize, and only then look the VM up, so that a caller who
 * may not learns nothing of which VMs exist or what they hold.  A change then
 * replies at once when nothing would change, or writes to libvirt, emits
 * VMChanged and replies.  Authorizing may take a polkit round trip: the
 * handler returns 1 meanwhile and runs again, from the top, with the answer
 * (auth.c).
 */
#include <stddef.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "migrate.h"
#include "pvctld.h"

/* A device tree holding an offer is a few hundred bytes. */
#define OFFER_BLOB_MAX (64u << 10)

static int invalid(sd_bus_error *error, const char *what, const char *why)
{
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: %s",
				 what, why);
}

static int check_name(const char *name, sd_bus_error *error)
{
	char why[256];

	if (pvctl_vm_name_check(name, why, sizeof(why)))
		return invalid(error, "VM", why);
	return 0;
}

static void free_domain(virDomainPtr *d)
{
	if (*d)
		virDomainFree(*d);
}
#define _cleanup_domain_ __attribute__((cleanup(free_domain)))

/* (name, uuid, state, enabled, versions, features, patch) */
#define VM_SIGNATURE "sssbsss"

int bus_settings_text(const struct pvctl_vm_settings *s, struct vm_text *t)
{
	pvabi_version_range_format(s->lo, s->hi, t->versions,
				   sizeof(t->versions));
	if (pvabi_features_format(s->features, t->features,
				  sizeof(t->features)) < 0)
		return -ENOBUFS;
	pvctl_patch_policy_text(&s->patch, t->patch, sizeof(t->patch));
	return 0;
}

static int append_vm(sd_bus_message *m, virDomainPtr dom,
		     const struct pvctl_vm_settings *s)
{
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	struct vm_text t;
	int r = bus_settings_text(s, &t);

	if (r < 0)
		return r;
	virDomainGetUUIDString(dom, uuid);
	return sd_bus_message_append(m, VM_SIGNATURE, virDomainGetName(dom),
				     uuid, virt_state(dom), (int)s->enabled,
				     t.versions, t.features, t.patch);
}

static int method_list(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctld *c = data;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	virConnectPtr conn;
	virDomainPtr *doms = NULL;
	int n, r;

	r = auth_check(c, m, AUTH_ACTION_READ, error);
	if (r)
		return r;
	conn = virt_conn(c, error);
	if (!conn)
		return -EAGAIN;
	n = virConnectListAllDomains(conn, &doms, 0);
	if (n < 0)
		return virt_libvirt_error(c, error, "listing domains");
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a',
						  "(" VM_SIGNATURE ")");
	for (int i = 0; i < n; i++) {
		struct pvctl_vm_settings s;
		sd_bus_error e = SD_BUS_ERROR_NULL;

		if (r >= 0 && virt_read_settings(c, doms[i], &s, &e) < 0) {
			/* One bad VM does not hide the others. */
			log_msg("%s", e.message);
			pvctl_settings_default(&s, &c->config.offer);
		}
		sd_bus_error_free(&e);
		if (r >= 0)
			r = sd_bus_message_open_container(reply, 'r',
							  VM_SIGNATURE);
		if (r >= 0)
			r = append_vm(reply, doms[i], &s);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

int bus_lookup(struct pvctld *c, const struct vm_key *k, virDomainPtr *dom,
	       sd_bus_error *error)
{
	virConnectPtr conn;

	if (!k->uuid)
		return virt_lookup(c, k->text, dom, error);
	*dom = NULL;
	conn = virt_conn(c, error);
	if (!conn)
		return -EAGAIN;
	*dom = virDomainLookupByUUIDString(conn, k->text);
	if (*dom)
		return 0;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
		return sd_bus_error_setf(error, PVCTLD_ERROR_NO_SUCH_VM,
					 "no VM with UUID %s", k->text);
	return virt_libvirt_error(c, error, k->text);
}

/* A VM and its settings, or a D-Bus error. */
static int lookup_vm(struct pvctld *c, const struct vm_key *k,
		     virDomainPtr *dom, struct pvctl_vm_settings *s,
		     sd_bus_error *error)
{
	int r = bus_lookup(c, k, dom, error);

	return r < 0 ? r : virt_read_settings(c, *dom, s, error);
}

/* The VM argument of a method that takes only that, validated, then the
 * caller authorized for @action: 0 to go on, else what the method returns. */
static int vm_arg(sd_bus_message *m, struct pvctld *c, const char *action,
		  const char **name, sd_bus_error *error)
{
	int r = sd_bus_message_read(m, "s", name);

	if (r < 0)
		return r;
	r = check_name(*name, error);
	if (r < 0)
		return r;
	return auth_check(c, m, action, error);
}

static int method_get(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctld *c = data;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct pvctl_vm_settings s;
	struct vm_key k = {0};
	int r;

	r = vm_arg(m, c, AUTH_ACTION_READ, &k.text, error);
	if (r)
		return r;
	r = lookup_vm(c, &k, &dom, &s, error);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = append_vm(reply, dom, &s);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

/*
 * What the vCPUs of the VM's pvabi.ko VM negotiated, as the module's events
 * told kmod.c: (vcpu, version, features) each, none when nothing did.
 */
int bus_append_negotiated(sd_bus_message *m, const struct kmod_vm *vm)
{
	int r = sd_bus_message_open_container(m, 'a', "(uut)");

	for (uint32_t i = 0; r >= 0 && vm && i < 64; i++)
		if (vm->negotiated >> i & 1)
			r = sd_bus_message_append(m, "(uut)", i, vm->version[i],
						  vm->features[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int method_get_negotiated(sd_bus_message *m, void *data,
				 sd_bus_error *error)
{
	struct pvctld *c = data;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_domain_ virDomainPtr dom = NULL;
	unsigned char uuid[VIR_UUID_BUFLEN];
	const struct kmod_vm *vm = NULL;
	const char *name;
	int r;

	r = vm_arg(m, c, AUTH_ACTION_READ, &name, error);
	if (r)
		return r;
	r = virt_lookup(c, name, &dom, error);
	if (r < 0)
		return r;
	if (virDomainGetUUID(dom, uuid) == 0)
		vm = kmod_find(c, uuid, virDomainGetName(dom));
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = bus_append_negotiated(reply, vm);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

/* FindVM(vm): the object of the VM with that name (or UUID). */
static int method_find(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctld *c = data;
	_cleanup_domain_ virDomainPtr dom = NULL;
	char uuid[VIR_UUID_STRING_BUFLEN] = "", *path = NULL;
	struct vm_key k = {0};
	int r;

	r = vm_arg(m, c, AUTH_ACTION_READ, &k.text, error);
	if (r)
		return r;
	r = bus_lookup(c, &k, &dom, error);
	if (r < 0)
		return r;
	if (virDomainGetUUIDString(dom, uuid) < 0)
		return virt_libvirt_error(c, error, k.text);
	r = objects_path(uuid, &path);
	if (r >= 0)
		r = sd_bus_reply_method_return(m, "o", path);
	free(path);
	return r;
}

/* Write @s as @dom's settings and do @want with pvabi's device (shmem.c),
 * tell the bus and the module, and reply when it applies. */
static int store_vm(struct pvctld *c, sd_bus_message *m, virDomainPtr dom,
		    const struct pvctl_vm_settings *old,
		    const struct pvctl_vm_settings *s,
		    enum pvctl_shmem_want want, sd_bus_error *error)
{
	struct vm_applies a;
	int r = shmem_store(c, dom, old, s, want, &a, error);

	if (r < 0)
		return r;
	if (strcmp(a.when, VM_APPLIES_UNCHANGED)) {
		char uuid[VIR_UUID_STRING_BUFLEN] = "";

		virDomainGetUUIDString(dom, uuid);
		bus_emit_vm_changed(c, virDomainGetName(dom), uuid, "settings");
		push_vm(c, dom, s);
	}
	return sd_bus_reply_method_return(m, "ss", a.when, a.note);
}

/* The part every change method shares once its arguments are valid and the
 * caller is authorized.  Enable and Disable also put in or take out pvabi's
 * device, which may be missing or edited by hand when the settings say
 * nothing changed. */
static int change_vm(struct pvctld *c, sd_bus_message *m,
		     const struct vm_key *k, const struct pvctl_change *ch,
		     sd_bus_error *error)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct pvctl_vm_settings old, s;
	enum pvctl_shmem_want want = PVCTL_SHMEM_LEAVE;
	int r;

	r = lookup_vm(c, k, &dom, &old, error);
	if (r < 0)
		return r;
	s = old;
	pvctl_change_apply(&s, ch);
	if (ch->what == PVCTL_SET_ENABLED)
		want = ch->enabled ? PVCTL_SHMEM_ENSURE : PVCTL_SHMEM_REMOVE;
	else if (pvctl_settings_equal(&s, &old))
		return sd_bus_reply_method_return(m, "ss", VM_APPLIES_UNCHANGED,
						  "");
	return store_vm(c, m, dom, &old, &s, want, error);
}

int bus_change(struct pvctld *c, sd_bus_message *m, const struct vm_key *k,
	       struct pvctl_change *ch, const char *text, const char *action,
	       sd_bus_error *error)
{
	char why[256];
	int r;

	if (pvctl_change_parse(ch, text, &c->config.offer, why, sizeof(why)))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, why);
	r = auth_check(c, m, action, error);
	if (r)
		return r;
	return change_vm(c, m, k, ch, error);
}

/* Read (VM[, text]), check the name, then bus_change(). */
static int change_method(sd_bus_message *m, struct pvctld *c,
			 struct pvctl_change *ch, const char *action,
			 sd_bus_error *error)
{
	struct vm_key k = {0};
	const char *text = "";
	int r;

	r = ch->what == PVCTL_SET_ENABLED
		    ? sd_bus_message_read(m, "s", &k.text)
		    : sd_bus_message_read(m, "ss", &k.text, &text);
	if (r < 0)
		return r;
	r = check_name(k.text, error);
	if (r < 0)
		return r;
	return bus_change(c, m, &k, ch, text, action, error);
}

static int method_enable(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_ENABLED, .enabled = true};

	return change_method(m, data, &ch, AUTH_ACTION_MANAGE, error);
}

static int method_disable(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_ENABLED};

	return change_method(m, data, &ch, AUTH_ACTION_MANAGE, error);
}

static int method_set_versions(sd_bus_message *m, void *data,
			       sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_VERSIONS};

	return change_method(m, data, &ch, AUTH_ACTION_MANAGE, error);
}

static int method_set_features(sd_bus_message *m, void *data,
			       sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_FEATURES};

	return change_method(m, data, &ch, AUTH_ACTION_MANAGE, error);
}

static int method_set_patch(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctl_change ch = {.what = PVCTL_SET_PATCH};

	return change_method(m, data, &ch, AUTH_ACTION_PATCH, error);
}

/*
 * Reset(vm): the settings back to the defaults (disabled), written over
 * whatever the metadata holds, which is not read: the way to repair
 * metadata that no longer parses.  pvabi's device goes with it.
 */
int bus_reset(struct pvctld *c, sd_bus_message *m, const struct vm_key *k,
	      sd_bus_error *error)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct pvctl_vm_settings s;
	int r;

	r = auth_check(c, m, AUTH_ACTION_MANAGE, error);
	if (r)
		return r;
	r = bus_lookup(c, k, &dom, error);
	if (r < 0)
		return r;
	pvctl_settings_default(&s, &c->config.offer);
	return store_vm(c, m, dom, NULL, &s, PVCTL_SHMEM_REMOVE, error);
}

static int method_reset(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct vm_key k = {0};
	int r = sd_bus_message_read(m, "s", &k.text);

	if (r < 0)
		return r;
	r = check_name(k.text, error);
	if (r < 0)
		return r;
	return bus_reset(data, m, &k, error);
}

static int method_get_offer(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct pvctld *c = data;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	char list[16 * PVABI_OFFER_MAX_VERSIONS], features[512];
	uint8_t blob[4096];
	int n, r;

	r = auth_check(c, m, AUTH_ACTION_READ, error);
	if (r)
		return r;
	n = pvabi_fdt_write_offer(&c->config.offer, blob, sizeof(blob));
	if (n < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
					 "cannot write the offer: %s",
					 pvabi_strerror(n));
	pvabi_version_list_format(&c->config.offer, list, sizeof(list));
	pvabi_features_format(c->config.offer.features, features,
			      sizeof(features));
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "ss", list, features);
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 'y', blob, (size_t)n);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

int bus_check_migration(struct pvctld *c, sd_bus_message *m,
			const struct vm_key *k, const void *blob, size_t len,
			sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct pvctl_migration_verdict v;
	struct pvctl_vm_settings s;
	struct pvabi_offer dest;
	char why[256];
	int r;

	if (len > OFFER_BLOB_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "offer: %zu bytes, at most %u", len,
					 OFFER_BLOB_MAX);
	/* A D-Bus byte array need not be aligned; the reader copies it if so.
	 */
	r = pvabi_fdt_read_offer(blob, len, &dest, why, sizeof(why));
	if (r)
		return invalid(error, "offer", why);
	r = auth_check(c, m, AUTH_ACTION_READ, error);
	if (r)
		return r;
	r = lookup_vm(c, k, &dom, &s, error);
	if (r < 0)
		return r;
	pvctl_migration_check(&s, &c->config.offer, &dest, &v);

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "b", (int)v.compatible);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "s");
	for (unsigned int i = 0; r >= 0 && i < v.n_reasons; i++)
		r = sd_bus_message_append(reply, "s", v.reasons[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static int method_check_migration(sd_bus_message *m, void *data,
				  sd_bus_error *error)
{
	struct vm_key k = {0};
	const void *blob;
	size_t len;
	int r;

	r = sd_bus_message_read(m, "s", &k.text);
	if (r >= 0)
		r = sd_bus_message_read_array(m, 'y', &blob, &len);
	if (r < 0)
		return r;
	r = check_name(k.text, error);
	if (r < 0)
		return r;
	return bus_check_migration(data, m, &k, blob, len, error);
}

/* What every change method answers (shmem.c's struct vm_applies). */
#define CHANGE_RESULT SD_BUS_RESULT("s", applies, "s", note)

#define VM_RESULT                                                              \
	SD_BUS_RESULT("s", name, "s", uuid, "s", state, "b", enabled, "s",     \
		      versions, "s", features, "s", patch_policy)

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Connection", "s", NULL, offsetof(struct pvctld, uri),
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_METHOD_WITH_ARGS("ListVMs", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(" VM_SIGNATURE ")", vms),
				method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetVM", SD_BUS_ARGS("s", vm), VM_RESULT,
				method_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("FindVM", SD_BUS_ARGS("s", vm),
				SD_BUS_RESULT("o", object), method_find,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetNegotiated", SD_BUS_ARGS("s", vm),
				SD_BUS_RESULT("a(uut)", vcpus),
				method_get_negotiated,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Enable", SD_BUS_ARGS("s", vm), CHANGE_RESULT,
				method_enable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Disable", SD_BUS_ARGS("s", vm), CHANGE_RESULT,
				method_disable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
		"SetVersions", SD_BUS_ARGS("s", vm, "s", versions),
		CHANGE_RESULT, method_set_versions, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
		"SetFeatures", SD_BUS_ARGS("s", vm, "s", features),
		CHANGE_RESULT, method_set_features, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
		"SetPatchPolicy", SD_BUS_ARGS("s", vm, "s", policy),
		CHANGE_RESULT, method_set_patch, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_ARGS("s", vm), CHANGE_RESULT,
				method_reset, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
		"GetOffer", SD_BUS_NO_ARGS,
		SD_BUS_RESULT("s", versions, "s", features, "ay", dtb),
		method_get_offer, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
		"CheckMigration", SD_BUS_ARGS("s", vm, "ay", offer),
		SD_BUS_RESULT("b", compatible, "as", reasons),
		method_check_migration, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("VMChanged", SD_BUS_ARGS("s", vm, "s", what),
				0),
	SD_BUS_VTABLE_END};

int bus_emit_vm_changed(struct pvctld *c, const char *name, const char *uuid,
			const char *what)
{
	int r = sd_bus_emit_signal(c->bus, PVCTLD_OBJECT, PVCTLD_INTERFACE,
				   "VMChanged", "ss", name, what);

	if (r < 0)
		log_error_errno(r, "VMChanged");
	objects_changed(c, uuid, name, what);
	return r;
}

int bus_setup(struct pvctld *c)
{
	int r;

	r = sd_bus_add_object_vtable(c->bus, NULL, PVCTLD_OBJECT,
				     PVCTLD_INTERFACE, manager_vtable, c);
	if (r < 0)
		return log_error_errno(r, "cannot add the object");
	r = objects_setup(c);
	if (r < 0)
		return r;
	r = auth_setup(c);
	if (r < 0)
		return r;
	r = sd_bus_request_name(c->bus, PVCTLD_BUS_NAME, 0);
	if (r < 0)
		return log_error_errno(r, "cannot own %s", PVCTLD_BUS_NAME);
	r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "sd_bus_attach_event");
	return 0;
}
