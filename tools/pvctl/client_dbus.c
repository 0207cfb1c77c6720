// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl's D-Bus client of pvctld: the VM objects (org.pvabi.pvctl1.VM under
 * the ObjectManager on /org/pvabi/pvctl1), found by name with the Manager's
 * FindVM, and the Manager's GetOffer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "client.h"
#include "pvctl.h"

#define BUS_NAME       "org.pvabi.pvctl1"
#define OBJECT	       "/org/pvabi/pvctl1"
#define INTERFACE      "org.pvabi.pvctl1.Manager"
#define VM_IFACE       "org.pvabi.pvctl1.VM"
#define PROPERTIES     "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"

struct dbus_client {
	struct pvctl_client base;
	sd_bus *bus;
	/* The object of the VM named last (pvctl enable makes several calls
	 * on one VM). */
	char *vm, *path;
};

static sd_bus *bus_of(struct pvctl_client *cl)
{
	return ((struct dbus_client *)cl)->bus;
}

/* A D-Bus error as a pvctl exit code. */
static int map_error(struct pvctl_client *cl, const sd_bus_error *e, int r)
{
	static const struct {
		const char *name;
		int code;
		const char *refusal; /* the refusal's name (pvctl(8)) */
	} map[] = {
		{SD_BUS_ERROR_INVALID_ARGS, PVCTL_USAGE, "invalid-argument"},
		{"org.pvabi.pvctl1.NoSuchVM", PVCTL_USAGE, "no-such-vm"},
		{SD_BUS_ERROR_ACCESS_DENIED, PVCTL_REFUSED, "not-permitted"},
		{SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, PVCTL_REFUSED,
		 "not-permitted"},
		{"org.pvabi.pvctl1.BadMetadata", PVCTL_REFUSED, "bad-metadata"},
		{"org.pvabi.pvctl1.LibvirtError", PVCTL_REFUSED,
		 "libvirt-error"},
		{"org.pvabi.pvctl1.DeviceConflict", PVCTL_REFUSED,
		 "device-conflict"},
		/* pvctld runs but has lost libvirt; its message says so. */
		{"org.pvabi.pvctl1.LibvirtUnavailable", PVCTL_UNREACHABLE,
		 "libvirt-unavailable"},
	};

	if (sd_bus_error_is_set(e)) {
		snprintf(cl->error, sizeof(cl->error), "%s",
			 e->message ? e->message : e->name);
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (sd_bus_error_has_name(e, map[i].name)) {
				cl->error_name = map[i].refusal;
				return map[i].code;
			}
	} else
		snprintf(cl->error, sizeof(cl->error), "%s", strerror(-r));
	/* Anything else: no daemon, no reply, a broken connection. */
	cl->error_name = "daemon-unavailable";
	snprintf(cl->error + strlen(cl->error),
		 sizeof(cl->error) - strlen(cl->error),
		 " (is pvctld running?)");
	return PVCTL_UNREACHABLE;
}

/* @method of @iface on @path with @types arguments; the reply in @reply. */
static int call_on(struct pvctl_client *cl, sd_bus_message **reply,
		   const char *path, const char *iface, const char *method,
		   const char *types, va_list ap)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus_of(cl), &m, BUS_NAME, path,
					   iface, method);
	if (r >= 0 && types)
		r = sd_bus_message_appendv(m, types, ap);
	/* polkit may ask the user (pkttyagent, a desktop agent). */
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, 1);
	if (r >= 0)
		r = sd_bus_call(bus_of(cl), m, cl->timeout_usec, &e, reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		r = map_error(cl, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	return PVCTL_OK;
}

static int bad_reply(struct pvctl_client *cl, int r)
{
	snprintf(cl->error, sizeof(cl->error), "bad reply from pvctld: %s",
		 strerror(-r));
	cl->error_name = "daemon-unavailable";
	return PVCTL_UNREACHABLE;
}

static int call_at(struct pvctl_client *cl, sd_bus_message **reply,
		   const char *path, const char *iface, const char *method,
		   const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = call_on(cl, reply, path, iface, method, types, ap);
	va_end(ap);
	return r;
}

/* A method of the Manager. */
#define call(cl, reply, method, ...)                                           \
	call_at(cl, reply, OBJECT, INTERFACE, method, __VA_ARGS__)

/* The object of VM @vm (a name or UUID), asked of the Manager once. */
static int vm_path(struct pvctl_client *cl, const char *vm, const char **path)
{
	struct dbus_client *d = (struct dbus_client *)cl;
	sd_bus_message *reply = NULL;
	const char *p;
	int r;

	if (d->vm && !strcmp(d->vm, vm)) {
		*path = d->path;
		return PVCTL_OK;
	}
	r = call(cl, &reply, "FindVM", "s", vm);
	if (r)
		return r;
	r = sd_bus_message_read(reply, "o", &p);
	if (r >= 0) {
		free(d->vm);
		free(d->path);
		d->vm = strdup(vm);
		d->path = strdup(p);
		if (!d->vm || !d->path)
			r = -ENOMEM;
	}
	sd_bus_message_unref(reply);
	if (r < 0)
		return bad_reply(cl, r);
	*path = d->path;
	return PVCTL_OK;
}

/* A method of VM @vm's object. */
static int call_vm(struct pvctl_client *cl, sd_bus_message **reply,
		   const char *vm, const char *iface, const char *method,
		   const char *types, ...)
{
	const char *path;
	va_list ap;
	int r = vm_path(cl, vm, &path);

	if (r)
		return r;
	va_start(ap, types);
	r = call_on(cl, reply, path, iface, method, types, ap);
	va_end(ap);
	return r;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* An a(uut) of (vcpu, version, features), at the reader's position. */
static int read_negotiated(sd_bus_message *m, struct pvctl_negotiated **out,
			   size_t *n)
{
	struct pvctl_negotiated *v = NULL, one;
	size_t len = 0;
	int r = sd_bus_message_enter_container(m, 'a', "(uut)");

	while (r >= 0) {
		uint32_t vcpu, version;
		uint64_t features;
		struct pvctl_negotiated *grown;

		r = sd_bus_message_read(m, "(uut)", &vcpu, &version, &features);
		if (r <= 0)
			break;
		grown = realloc(v, (len + 1) * sizeof(*v));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		v = grown;
		one.vcpu = vcpu;
		one.version = version;
		one.features = features;
		v[len++] = one;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = len;
	return 0;
}

/* org.pvabi.pvctl1.VM's properties, an a{sv}, into @vm. */
static int read_props(sd_bus_message *m, struct pvctl_vm *vm)
{
	static const struct {
		const char *name;
		size_t offset, size;
	} text[] = {
#define TEXT(p, f) {p, offsetof(struct pvctl_vm, f), sizeof(vm->f)}
		TEXT("Name", name),	    TEXT("UUID", uuid),
		TEXT("State", state),	    TEXT("Versions", versions),
		TEXT("Features", features),
#undef TEXT
	};
	const char *key, *value;
	int r, enabled;

	/* Not a memset: at 1000 VMs of 5 KiB each, touching every page costs
	 * more than the rest of pvctl list. */
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		*((char *)vm + text[i].offset) = 0;
	vm->enabled = false;
	vm->patch = NULL;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 &&
	       (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		size_t i = 0;

		r = sd_bus_message_read(m, "s", &key);
		while (r >= 0 && i < sizeof(text) / sizeof(text[0]) &&
		       strcmp(text[i].name, key))
			i++;
		if (r < 0)
			break;
		if (i < sizeof(text) / sizeof(text[0])) {
			r = sd_bus_message_read(m, "v", "s", &value);
			if (r >= 0)
				copy((char *)vm + text[i].offset, text[i].size,
				     value);
		} else if (!strcmp(key, "Enabled")) {
			r = sd_bus_message_read(m, "v", "b", &enabled);
			vm->enabled = enabled;
		} else if (!strcmp(key, "PatchPolicy") && !vm->patch) {
			r = sd_bus_message_read(m, "v", "s", &value);
			if (r >= 0 && !(vm->patch = strdup(value)))
				r = -ENOMEM;
		} else
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0 && !vm->patch && !(vm->patch = strdup("")))
		r = -ENOMEM;
	return r;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct pvctl_vm *v = arg;

	return strcmp(v[*(const size_t *)a].name, v[*(const size_t *)b].name);
}

/* @v in name order: an index sorted, then each VM moved once along its
 * cycle (a VM is near 1 KiB, which qsort would move many times). */
static int sort_by_name(struct pvctl_vm *v, size_t n)
{
	struct pvctl_vm tmp;
	size_t *idx;

	if (!v || n < 2)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), by_name, v);
	/* Position j is to hold v[idx[j]]; idx[j] = j once it does. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (idx[i] == i)
			continue;
		tmp = v[i];
		while (idx[j] != i) {
			size_t next = idx[j];

			v[j] = v[next];
			idx[j] = j;
			j = next;
		}
		v[j] = tmp;
		idx[j] = j;
	}
	free(idx);
	return 0;
}

/* Every VM object's properties, from one GetManagedObjects, by name. */
static int d_list(struct pvctl_client *cl, struct pvctl_vm **vms, size_t *n)
{
	sd_bus_message *reply = NULL;
	struct pvctl_vm *v = NULL;
	const char *path, *iface;
	size_t cap = 0;
	int r;

	*n = 0;
	r = call_at(cl, &reply, OBJECT, OBJECT_MANAGER, "GetManagedObjects",
		    NULL);
	if (r)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(
				  reply, 'e', "oa{sa{sv}}")) > 0) {
		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'a',
							   "{sa{sv}}");
		while (r >= 0 && (r = sd_bus_message_enter_container(
					  reply, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read(reply, "s", &iface);
			if (r >= 0 && strcmp(iface, VM_IFACE))
				r = sd_bus_message_skip(reply, "a{sv}");
			else if (r >= 0 && *n == cap) {
				struct pvctl_vm *nv;

				cap = cap ? cap * 2 : 64;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					r = -ENOMEM;
				else
					v = nv;
			}
			if (r >= 0 && !strcmp(iface, VM_IFACE)) {
				r = read_props(reply, &v[*n]);
				(*n)++;
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r >= 0 && *n && sort_by_name(v, *n) < 0)
		r = -ENOMEM;
	if (r < 0) {
		pvctl_vm_list_free(v, *n);
		*n = 0;
		return bad_reply(cl, r);
	}
	*vms = v;
	return PVCTL_OK;
}

static int d_get(struct pvctl_client *cl, const char *vm, struct pvctl_vm *out)
{
	sd_bus_message *reply = NULL;
	int r;

	r = call_vm(cl, &reply, vm, PROPERTIES, "GetAll", "s", VM_IFACE);
	if (r)
		return r;
	r = read_props(reply, out);
	sd_bus_message_unref(reply);
	if (r < 0)
		pvctl_vm_clear(out);
	return r < 0 ? bad_reply(cl, r) : PVCTL_OK;
}

static int d_get_negotiated(struct pvctl_client *cl, const char *vm,
			    struct pvctl_negotiated **out, size_t *n)
{
	sd_bus_message *reply = NULL;
	int r = call_vm(cl, &reply, vm, PROPERTIES, "Get", "ss", VM_IFACE,
			"Negotiated");

	*out = NULL;
	*n = 0;
	if (r)
		return r;
	r = sd_bus_message_enter_container(reply, 'v', "a(uut)");
	if (r >= 0)
		r = read_negotiated(reply, out, n);
	sd_bus_message_unref(reply);
	return r < 0 ? bad_reply(cl, r) : PVCTL_OK;
}

/* A change method of the VM's object: ([arg]) -> (applies, note). */
static int d_simple(struct pvctl_client *cl, const char *method, const char *vm,
		    const char *arg)
{
	sd_bus_message *reply = NULL;
	const char *when, *note;
	int r = arg ? call_vm(cl, &reply, vm, VM_IFACE, method, "s", arg)
		    : call_vm(cl, &reply, vm, VM_IFACE, method, NULL);

	if (!r) {
		r = sd_bus_message_read(reply, "ss", &when, &note);
		if (r < 0)
			r = bad_reply(cl, r);
		else {
			copy(cl->applied.when, sizeof(cl->applied.when), when);
			copy(cl->applied.note, sizeof(cl->applied.note), note);
			r = PVCTL_OK;
		}
	}
	sd_bus_message_unref(reply);
	return r;
}

static int d_set_enabled(struct pvctl_client *cl, const char *vm, bool on)
{
	return d_simple(cl, on ? "Enable" : "Disable", vm, NULL);
}

static int d_reset(struct pvctl_client *cl, const char *vm)
{
	return d_simple(cl, "Reset", vm, NULL);
}

static int d_set_versions(struct pvctl_client *cl, const char *vm,
			  const char *range)
{
	return d_simple(cl, "SetVersions", vm, range);
}

static int d_set_features(struct pvctl_client *cl, const char *vm,
			  const char *features)
{
	return d_simple(cl, "SetFeatures", vm, features);
}

static int d_set_patch_policy(struct pvctl_client *cl, const char *vm,
			      const char *policy)
{
	return d_simple(cl, "SetPatchPolicy", vm, policy);
}

static int d_get_offer(struct pvctl_client *cl, struct pvctl_host_offer *out)
{
	sd_bus_message *reply = NULL;
	const char *versions, *features;
	const void *dtb;
	size_t len;
	int r;

	r = call(cl, &reply, "GetOffer", NULL);
	if (r)
		return r;
	r = sd_bus_message_read(reply, "ss", &versions, &features);
	if (r >= 0)
		r = sd_bus_message_read_array(reply, 'y', &dtb, &len);
	if (r >= 0) {
		copy(out->versions, sizeof(out->versions), versions);
		copy(out->features, sizeof(out->features), features);
		out->dtb = malloc(len ? len : 1);
		if (!out->dtb)
			r = -ENOMEM;
		else {
			memcpy(out->dtb, dtb, len);
			out->dtb_len = len;
		}
	}
	sd_bus_message_unref(reply);
	return r < 0 ? bad_reply(cl, r) : PVCTL_OK;
}

static int d_check_migration(struct pvctl_client *cl, const char *vm,
			     const void *dtb, size_t len, bool *compatible,
			     char ***reasons)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *path;
	char **v = NULL;
	int ok = 0, r;

	r = vm_path(cl, vm, &path);
	if (r)
		return r;
	r = sd_bus_message_new_method_call(bus_of(cl), &m, BUS_NAME, path,
					   VM_IFACE, "CheckMigration");
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', dtb, len);
	if (r >= 0)
		r = sd_bus_call(bus_of(cl), m, cl->timeout_usec, &e, &reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		r = map_error(cl, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	r = sd_bus_message_read(reply, "b", &ok);
	if (r >= 0)
		r = sd_bus_message_read_strv(reply, &v);
	sd_bus_message_unref(reply);
	if (r < 0)
		return bad_reply(cl, r);
	*compatible = ok;
	*reasons = v;
	return PVCTL_OK;
}

static void d_close(struct pvctl_client *cl)
{
	struct dbus_client *d = (struct dbus_client *)cl;

	sd_bus_flush_close_unref(d->bus);
	free(d->vm);
	free(d->path);
	free(cl);
}

static const struct pvctl_client_ops dbus_ops = {
	.list = d_list,
	.get = d_get,
	.set_enabled = d_set_enabled,
	.set_versions = d_set_versions,
	.set_features = d_set_features,
	.set_patch_policy = d_set_patch_policy,
	.reset = d_reset,
	.get_offer = d_get_offer,
	.check_migration = d_check_migration,
	.close = d_close,
	.get_negotiated = d_get_negotiated,
};

int pvctl_client_open(const struct pvctl_bus_opts *o, struct pvctl_client **out)
{
	struct dbus_client *cl;
	sd_bus *bus = NULL;
	int r;

	r = pvctl_bus_open(o, &bus);
	if (r < 0)
		return pvctl_refuse(PVCTL_UNREACHABLE, "daemon-unavailable",
				    NULL, "cannot connect to the %sbus%s%s: %s",
				    o->kind == PVCTL_BUS_USER ? "user "
				    : o->kind == PVCTL_BUS_REMOTE
					    ? "remote system "
				    : o->kind == PVCTL_BUS_ADDRESS ? ""
								   : "system ",
				    o->address ? " at " : "",
				    o->address ? o->address : "", strerror(-r));
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		sd_bus_unref(bus);
		return pvctl_refuse(PVCTL_UNREACHABLE, "no-memory", NULL,
				    "out of memory");
	}
	cl->base.ops = &dbus_ops;
	cl->bus = bus;
	/* base is the first member: the same pointer, which gcc 12's
	 * -fanalyzer sees escape only when it is written as cl itself. */
	*out = (struct pvctl_client *)cl;
	return PVCTL_OK;
}

void pvctl_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}
