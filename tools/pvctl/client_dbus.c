// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl's D-Bus client of pvctld (org.pvabi.pvctl1.Manager). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "client.h"
#include "pvctl.h"

#define BUS_NAME  "org.pvabi.pvctl1"
#define OBJECT	  "/org/pvabi/pvctl1"
#define INTERFACE "org.pvabi.pvctl1.Manager"

struct dbus_client {
	struct pvctl_client base;
	sd_bus *bus;
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

static int call(struct pvctl_client *cl, sd_bus_message **reply,
		const char *method, const char *types, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus_of(cl), &m, BUS_NAME, OBJECT,
					   INTERFACE, method);
	if (r >= 0 && types) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
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

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static int read_vm(sd_bus_message *m, struct pvctl_vm *vm)
{
	const char *name, *uuid, *state, *versions, *features, *patch;
	int enabled, r;

	r = sd_bus_message_read(m, "sssbsss", &name, &uuid, &state, &enabled,
				&versions, &features, &patch);
	if (r <= 0)
		return r;
	copy(vm->name, sizeof(vm->name), name);
	copy(vm->uuid, sizeof(vm->uuid), uuid);
	copy(vm->state, sizeof(vm->state), state);
	vm->enabled = enabled;
	copy(vm->versions, sizeof(vm->versions), versions);
	copy(vm->features, sizeof(vm->features), features);
	copy(vm->patch, sizeof(vm->patch), patch);
	return 1;
}

static int d_list(struct pvctl_client *cl, struct pvctl_vm **vms, size_t *n)
{
	sd_bus_message *reply = NULL;
	struct pvctl_vm *v = NULL;
	size_t cap = 0;
	int r;

	*n = 0;
	r = call(cl, &reply, "ListVMs", NULL);
	if (r)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "(sssbsss)");
	while (r >= 0) {
		r = sd_bus_message_enter_container(reply, 'r', "sssbsss");
		if (r <= 0)
			break;
		if (*n == cap) {
			struct pvctl_vm *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		r = read_vm(reply, &v[*n]);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		(*n)++;
	}
	sd_bus_message_unref(reply);
	if (r < 0) {
		free(v);
		return bad_reply(cl, r);
	}
	*vms = v;
	return PVCTL_OK;
}

static int d_get(struct pvctl_client *cl, const char *vm, struct pvctl_vm *out)
{
	sd_bus_message *reply = NULL;
	int r;

	r = call(cl, &reply, "GetVM", "s", vm);
	if (r)
		return r;
	r = read_vm(reply, out);
	sd_bus_message_unref(reply);
	return r < 0 ? bad_reply(cl, r) : PVCTL_OK;
}

static int d_get_negotiated(struct pvctl_client *cl, const char *vm,
			    struct pvctl_negotiated **out, size_t *n)
{
	sd_bus_message *reply = NULL;
	struct pvctl_negotiated *v = NULL, one;
	size_t len = 0;
	int r = call(cl, &reply, "GetNegotiated", "s", vm);

	*out = NULL;
	*n = 0;
	if (r)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "(uut)");
	while (r >= 0) {
		uint32_t vcpu, version;
		uint64_t features;
		struct pvctl_negotiated *grown;

		r = sd_bus_message_read(reply, "(uut)", &vcpu, &version,
					&features);
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
	sd_bus_message_unref(reply);
	if (r < 0) {
		free(v);
		return bad_reply(cl, r);
	}
	*out = v;
	*n = len;
	return PVCTL_OK;
}

/* A change method: (VM[, arg]) -> (applies, note). */
static int d_simple(struct pvctl_client *cl, const char *method, const char *vm,
		    const char *arg)
{
	sd_bus_message *reply = NULL;
	const char *when, *note;
	int r = arg ? call(cl, &reply, method, "ss", vm, arg)
		    : call(cl, &reply, method, "s", vm);

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
	char **v = NULL;
	int ok = 0, r;

	r = sd_bus_message_new_method_call(bus_of(cl), &m, BUS_NAME, OBJECT,
					   INTERFACE, "CheckMigration");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", vm);
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
	sd_bus_flush_close_unref(bus_of(cl));
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
