// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl kmod status: what pvabi.ko holds, over generic netlink. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "genl-client.h"
#include "pvctl.h"

static const char *const patch_modes[] = {
	[PVABI_PATCH_GUEST] = "guest",
	[PVABI_PATCH_HOST] = "host",
	[PVABI_PATCH_OFF] = "off",
};

static const char *patch_mode_name(uint32_t m)
{
	return m <= PVABI_PATCH_MAX && patch_modes[m] ? patch_modes[m] :
							 "unknown";
}

static void version_str(uint32_t v, char *buf, size_t len)
{
	if (v)
		snprintf(buf, len, "%u.%u", v >> 16, v & 0xffff);
	else
		snprintf(buf, len, "-");
}

static void uuid_str(const uint8_t *u, char *buf)
{
	static const int dash[] = { 4, 6, 8, 10 };
	int i, d = 0, o = 0;

	for (i = 0; i < PVABI_UUID_LEN; i++) {
		if (d < 4 && i == dash[d]) {
			buf[o++] = '-';
			d++;
		}
		o += sprintf(buf + o, "%02x", u[i]);
	}
}

static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
#define STAT(f) { #f, offsetof(struct pvabi_vcpu_stats, f) }
	STAT(injected), STAT(coalesced), STAT(refused), STAT(delivered),
	STAT(deferred), STAT(notify_traps), STAT(forced), STAT(masked),
	STAT(kicks), STAT(exits), STAT(zaps), STAT(pending),
#undef STAT
};

static uint64_t stat_of(const struct pvabi_vcpu_stats *st, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)st + stat_fields[i].off, sizeof(v));
	return v;
}

static struct json_object *vm_json(const struct pvabi_genl_vm *vm)
{
	struct json_object *o = json_object_new_object();
	struct json_object *pol = json_object_new_object();
	struct json_object *vcpus = json_object_new_array();
	char buf[40];

	json_object_object_add(o, "id", json_object_new_int64(vm->id));
	if (vm->name[0])
		json_object_object_add(o, "name",
				       json_object_new_string(vm->name));
	if (vm->has_uuid) {
		uuid_str(vm->uuid, buf);
		json_object_object_add(o, "uuid", json_object_new_string(buf));
	}
	version_str(vm->policy.min_version, buf, sizeof(buf));
	json_object_object_add(pol, "min_version", json_object_new_string(buf));
	version_str(vm->policy.max_version, buf, sizeof(buf));
	json_object_object_add(pol, "max_version", json_object_new_string(buf));
	json_object_object_add(pol, "features",
			       pvctl_json_features(vm->policy.features));
	json_object_object_add(
		pol, "patch_mode",
		json_object_new_string(patch_mode_name(vm->policy.patch_mode)));
	json_object_object_add(pol, "defer_us",
			       json_object_new_int64(vm->policy.defer_us));
	json_object_object_add(o, "policy", pol);
	for (uint32_t i = 0; i < vm->n_vcpus; i++) {
		const struct pvabi_genl_vcpu *v = &vm->vcpus[i];
		struct json_object *vo = json_object_new_object();
		struct json_object *st = json_object_new_object();

		json_object_object_add(vo, "index",
				       json_object_new_int64(v->index));
		if (v->version) {
			version_str(v->version, buf, sizeof(buf));
			json_object_object_add(vo, "version",
					       json_object_new_string(buf));
		} else {
			json_object_object_add(vo, "version", NULL);
		}
		json_object_object_add(vo, "features",
				       pvctl_json_features(v->features));
		for (size_t k = 0; k < sizeof(stat_fields) / sizeof(*stat_fields);
		     k++)
			json_object_object_add(
				st, stat_fields[k].name,
				json_object_new_uint64(stat_of(&v->stats, k)));
		json_object_object_add(vo, "stats", st);
		json_object_array_add(vcpus, vo);
	}
	json_object_object_add(o, "vcpus", vcpus);
	return o;
}

static void vm_text(const struct pvabi_genl_vm *vm)
{
	char lo[16], hi[16], uuid[40];

	version_str(vm->policy.min_version, lo, sizeof(lo));
	version_str(vm->policy.max_version, hi, sizeof(hi));
	printf("vm %u", vm->id);
	if (vm->name[0])
		printf(" \"%s\"", vm->name);
	if (vm->has_uuid) {
		uuid_str(vm->uuid, uuid);
		printf(" %s", uuid);
	}
	printf(": versions %s-%s, features %#" PRIx64
	       ", patching %s, deferral bound %u us, %u vCPU(s)\n",
	       lo, hi, vm->policy.features,
	       patch_mode_name(vm->policy.patch_mode), vm->policy.defer_us,
	       vm->n_vcpus);
	for (uint32_t i = 0; i < vm->n_vcpus; i++) {
		const struct pvabi_genl_vcpu *v = &vm->vcpus[i];

		version_str(v->version, lo, sizeof(lo));
		printf("  vcpu %u: version %s, features %#" PRIx64, v->index,
		       lo, v->features);
		for (size_t k = 0; k < sizeof(stat_fields) / sizeof(*stat_fields);
		     k++)
			printf(", %s %" PRIu64, stat_fields[k].name,
			       stat_of(&v->stats, k));
		putchar('\n');
	}
}

struct status {
	bool json;
	struct json_object *vms;
	unsigned int n;
};

static int on_vm(const struct pvabi_genl_vm *vm, void *arg)
{
	struct status *s = arg;

	s->n++;
	if (s->json)
		json_object_array_add(s->vms, vm_json(vm));
	else
		vm_text(vm);
	return 0;
}

static int kmod_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vm", required_argument, NULL, 'v' },
		{ 0 }
	};
	struct status s = { 0 };
	struct pvabi_genl *g;
	unsigned long only = 0;
	char *end;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			s.json = true;
			break;
		case 'v':
			errno = 0;
			only = strtoul(optarg, &end, 0);
			if (errno || *end || !only || only > UINT32_MAX ||
			    optarg[0] == '-')
				return pvctl_usage_error(
					"kmod status: bad VM id '%s'", optarg);
			break;
		default:
			return PVCTL_USAGE;
		}
	}
	if (optind != argc)
		return pvctl_usage_error("kmod status: unexpected '%s'",
					 argv[optind]);

	err = pvabi_genl_open(&g);
	if (err == -ENOENT) {
		if (s.json)
			pvctl_json_print(json_tokener_parse("{\"loaded\":false}"));
		return pvctl_error(PVCTL_UNREACHABLE,
				   "kernel module pvabi is not loaded (no generic netlink family \"%s\"; try 'modprobe pvabi')",
				   PVABI_GENL_NAME);
	}
	if (err)
		return pvctl_error(PVCTL_UNREACHABLE,
				   "cannot reach generic netlink: %s",
				   strerror(-err));
	if (s.json)
		s.vms = json_object_new_array();
	else
		printf("pvabi.ko: loaded (generic netlink family \"%s\")\n",
		       PVABI_GENL_NAME);
	err = pvabi_genl_dump(g, (uint32_t)only, on_vm, &s);
	if (err) {
		const char *msg = pvabi_genl_errmsg(g);

		json_object_put(s.vms);
		pvabi_genl_close(g);
		return pvctl_error(PVCTL_UNREACHABLE, "kmod status: %s%s%s",
				   strerror(-err), *msg ? ": " : "", msg);
	}
	pvabi_genl_close(g);
	if (s.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "loaded", json_object_new_boolean(1));
		json_object_object_add(o, "vms", s.vms);
		pvctl_json_print(o);
	} else if (!s.n) {
		printf("no VMs\n");
	}
	return PVCTL_OK;
}

const struct pvctl_cmd pvctl_kmod_cmds[] = {
	{ "status", kmod_status, "show pvabi.ko's VMs, vCPUs, policies and counters",
	  "status [--vm ID] [--json]",
	  "  --vm ID    only this VM (its netlink id)\n"
	  "  --json     one JSON object: {\"loaded\":..., \"vms\":[...]}\n"
	  "Exits 3 when the module is not loaded.\n",
	  NULL },
	{ 0 }
};
