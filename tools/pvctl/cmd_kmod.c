// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl kmod status: what pvabi.ko holds, over generic netlink. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genl_client.h"
#include "patch_mode.h"
#include "pvctl.h"

static void version_str(uint32_t v, char *buf, size_t len)
{
	struct pvabi_version ver = pvabi_version_unpack(v);

	if (v)
		snprintf(buf, len, "%u.%u", ver.major, ver.minor);
	else
		snprintf(buf, len, "-");
}

static void uuid_str(const uint8_t *u, char *buf)
{
	static const int dash[] = {4, 6, 8, 10};
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
#define STAT(f)                                                                \
	{                                                                      \
#f, offsetof(struct pvabi_vcpu_stats, f)                       \
	}
	STAT(injected), STAT(coalesced),    STAT(refused), STAT(delivered),
	STAT(deferred), STAT(notify_traps), STAT(forced),  STAT(masked),
	STAT(kicks),	STAT(exits),	    STAT(zaps),	   STAT(pending),
#undef STAT
};

static uint64_t stat_of(const struct pvabi_vcpu_stats *st, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)st + stat_fields[i].off, sizeof(v));
	return v;
}

static struct json_object *vm_json(const struct pvctl_genl_vm *vm)
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
	json_object_object_add(pol, "patch_mode",
			       json_object_new_string(pvctl_patch_mode_nl_name(
				       vm->policy.patch_mode)));
	json_object_object_add(pol, "defer_us",
			       json_object_new_int64(vm->policy.defer_us));
	json_object_object_add(pol, "enabled",
			       json_object_new_boolean(vm->policy.enabled));
	json_object_object_add(o, "policy", pol);
	json_object_object_add(o, "policy_pushed",
			       json_object_new_boolean(vm->policy_pushed));
	for (uint32_t i = 0; i < vm->n_vcpus; i++) {
		const struct pvctl_genl_vcpu *v = &vm->vcpus[i];
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
		for (size_t k = 0;
		     k < sizeof(stat_fields) / sizeof(*stat_fields); k++)
			json_object_object_add(
				st, stat_fields[k].name,
				json_object_new_uint64(stat_of(&v->stats, k)));
		json_object_object_add(vo, "stats", st);
		json_object_array_add(vcpus, vo);
	}
	json_object_object_add(o, "vcpus", vcpus);
	return o;
}

static void vm_text(const struct pvctl_genl_vm *vm)
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
	       ", patching %s, deferral bound %u us, %s, %s, %u vCPU(s)\n",
	       lo, hi, vm->policy.features,
	       pvctl_patch_mode_nl_name(vm->policy.patch_mode),
	       vm->policy.defer_us, vm->policy.enabled ? "enabled" : "disabled",
	       vm->policy_pushed ? "policy pushed" : "no policy pushed",
	       vm->n_vcpus);
	for (uint32_t i = 0; i < vm->n_vcpus; i++) {
		const struct pvctl_genl_vcpu *v = &vm->vcpus[i];

		version_str(v->version, lo, sizeof(lo));
		printf("  vcpu %u: version %s, features %#" PRIx64, v->index,
		       lo, v->features);
		for (size_t k = 0;
		     k < sizeof(stat_fields) / sizeof(*stat_fields); k++)
			printf(", %s %" PRIu64, stat_fields[k].name,
			       stat_of(&v->stats, k));
		putchar('\n');
	}
}

/* The host offer the module holds: "1.0,1.1" and its features. */
static void offer_strings(const struct pvabi_offer *o, char *versions,
			  size_t vlen, char *features, size_t flen)
{
	size_t n = 0;

	versions[0] = 0;
	for (uint32_t i = 0; i < o->n_versions && n < vlen; i++)
		n += (size_t)snprintf(versions + n, vlen - n, "%s%u.%u",
				      i ? "," : "", o->versions[i].major,
				      o->versions[i].minor);
	if (pvabi_features_format(o->features, features, flen) < 0)
		snprintf(features, flen, "%#" PRIx64, o->features);
}

static struct json_object *offer_json(const struct pvabi_offer *o,
				      uint32_t flags)
{
	struct json_object *j = json_object_new_object();
	char versions[16 * PVABI_OFFER_MAX_VERSIONS], features[512];

	offer_strings(o, versions, sizeof(versions), features,
		      sizeof(features));
	json_object_object_add(j, "versions", json_object_new_string(versions));
	json_object_object_add(j, "features", pvctl_json_features(o->features));
	json_object_object_add(
		j, "pushed",
		json_object_new_boolean(flags & PVABI_HOST_F_OFFER_SET));
	return j;
}

static void offer_text(const struct pvabi_offer *o, uint32_t flags)
{
	char versions[16 * PVABI_OFFER_MAX_VERSIONS], features[512];

	offer_strings(o, versions, sizeof(versions), features,
		      sizeof(features));
	printf("offer: versions %s, features %s (%s)\n", versions,
	       *features ? features : "none",
	       flags & PVABI_HOST_F_OFFER_SET ? "pushed by the control plane"
					      : "the module's own: not pushed");
	printf("standalone: %s\n",
	       flags & PVABI_HOST_F_STANDALONE
		       ? "yes (VMs negotiate without a pushed policy)"
		       : "no (a VM negotiates once its policy is pushed)");
}

/* Connect, or say (exit 3) that the module is not there. */
static int kmod_open(struct pvctl_genl **g)
{
	int err = pvctl_genl_open(g);

	if (err == -ENOENT)
		return pvctl_refuse(
			PVCTL_UNREACHABLE, "module-unavailable",
			json_tokener_parse("{\"loaded\":false}"),
			"kernel module pvabi is not loaded (no generic netlink "
			"family \"%s\"; try 'modprobe pvabi')",
			PVABI_GENL_NAME);
	if (err)
		return pvctl_refuse(PVCTL_UNREACHABLE, "module-unavailable",
				    NULL, "cannot reach generic netlink: %s",
				    strerror(-err));
	return PVCTL_OK;
}

/* A refusal from the kernel: privilege is 1, a bad value 2. */
static int kmod_refused(struct pvctl_genl *g, const char *what, int err)
{
	const char *msg = pvctl_genl_errmsg(g);
	int code = err == -EPERM ? PVCTL_REFUSED : PVCTL_USAGE;

	if (err == -EPERM)
		msg = "needs CAP_NET_ADMIN";
	return pvctl_refuse(code,
			    err == -EPERM    ? "not-permitted"
			    : err == -ENOENT ? "no-such-vm"
					     : "invalid-argument",
			    NULL, "kmod %s: %s%s%s", what, strerror(-err),
			    *msg ? ": " : "", msg);
}

static int parse_u32(const char *opt, const char *arg, uint32_t min,
		     uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || !*arg || arg[0] == '-' || v < min || v > max)
		return pvctl_usage_error("%s: bad value '%s' (%u..%u)", opt,
					 arg, min, max);
	*out = (uint32_t)v;
	return PVCTL_OK;
}

struct status {
	bool json;
	struct json_object *vms;
	unsigned int n;
};

static int on_vm(const struct pvctl_genl_vm *vm, void *arg)
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
		{"json", no_argument, NULL, 'j'},
		{"vm", required_argument, NULL, 'v'},
		{0}};
	struct status s = {0};
	struct pvabi_offer offer;
	struct pvctl_genl *g;
	unsigned long only = 0;
	uint32_t flags;
	char *end;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': s.json = true; break;
		case 'v':
			errno = 0;
			only = strtoul(optarg, &end, 0);
			if (errno || *end || !only || only > UINT32_MAX ||
			    optarg[0] == '-')
				return pvctl_usage_error(
					"kmod status: bad VM id '%s'", optarg);
			break;
		default: return pvctl_bad_option("kmod status", argv, "");
		}
	}
	if (optind != argc)
		return pvctl_usage_error("kmod status: unexpected '%s'",
					 argv[optind]);

	err = kmod_open(&g);
	if (err)
		return err;
	err = pvctl_genl_get_offer(g, &offer, &flags);
	if (!err && s.json) {
		s.vms = json_object_new_array();
	} else if (!err) {
		printf("pvabi.ko: loaded (generic netlink family \"%s\")\n",
		       PVABI_GENL_NAME);
		offer_text(&offer, flags);
	}
	if (!err)
		err = pvctl_genl_dump(g, (uint32_t)only, on_vm, &s);
	if (err) {
		const char *msg = pvctl_genl_errmsg(g);

		json_object_put(s.vms);
		/* The dump is CAP_NET_ADMIN's: a refusal, exit 1. */
		err = err == -EPERM ? kmod_refused(g, "status", err)
				    : pvctl_refuse(PVCTL_UNREACHABLE,
						   "module-unavailable", NULL,
						   "kmod status: %s%s%s",
						   strerror(-err),
						   *msg ? ": " : "", msg);
		pvctl_genl_close(g);
		return err;
	}
	pvctl_genl_close(g);
	if (s.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "loaded", json_object_new_boolean(1));
		json_object_object_add(o, "offer", offer_json(&offer, flags));
		json_object_object_add(
			o, "standalone",
			json_object_new_boolean(flags &
						PVABI_HOST_F_STANDALONE));
		json_object_object_add(o, "vms", s.vms);
		pvctl_json_print(o);
	} else if (!s.n) {
		printf("no VMs\n");
	}
	return PVCTL_OK;
}

static int kmod_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vm", required_argument, NULL, 'v'},
		{"versions", required_argument, NULL, 'V'},
		{"features", required_argument, NULL, 'f'},
		{"patch-mode", required_argument, NULL, 'p'},
		{"defer-us", required_argument, NULL, 'd'},
		{"reset", no_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{0}};
	struct pvctl_genl_policy pol = {0};
	struct pvabi_version lo, hi;
	enum pvabi_patch_mode mode;
	struct status s = {0};
	struct pvctl_genl *g;
	uint32_t vm = 0, flags = 0;
	pvabi_u64 features;
	char why[128];
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			err = parse_u32("--vm", optarg, 1, UINT32_MAX, &vm);
			if (err)
				return err;
			break;
		case 'V':
			if (pvabi_version_range_parse(optarg, &lo, &hi, why,
						      sizeof(why)))
				return pvctl_usage_error("--versions: %s", why);
			pol.min_version = pvabi_version_pack(lo);
			pol.max_version = pvabi_version_pack(hi);
			pol.present |= 1u << PVABI_POLICY_A_MIN_VERSION |
				       1u << PVABI_POLICY_A_MAX_VERSION;
			break;
		case 'f':
			if (pvabi_features_parse(optarg, &features, why,
						 sizeof(why)))
				return pvctl_usage_error("--features: %s", why);
			pol.features = features;
			pol.present |= 1u << PVABI_POLICY_A_FEATURES;
			break;
		case 'p':
			if (pvabi_patch_mode_parse(optarg, &mode, why,
						   sizeof(why)))
				return pvctl_usage_error("--patch-mode: %s",
							 why);
			pol.patch_mode = pvctl_patch_mode_to_nl(mode);
			pol.present |= 1u << PVABI_POLICY_A_PATCH_MODE;
			break;
		case 'd':
			err = parse_u32("--defer-us", optarg,
					PVABI_DEFER_US_MIN, PVABI_DEFER_US_MAX,
					&pol.defer_us);
			if (err)
				return err;
			pol.present |= 1u << PVABI_POLICY_A_DEFER_US;
			break;
		case 'r': flags |= PVABI_SET_POLICY_F_RESET; break;
		case 'j': s.json = true; break;
		default: return pvctl_bad_option("kmod policy", argv, "");
		}
	}
	if (optind != argc)
		return pvctl_usage_error("kmod policy: unexpected '%s'",
					 argv[optind]);
	if (!vm)
		return pvctl_usage_error("kmod policy: --vm is required");
	if (!pol.present && !flags)
		return pvctl_usage_error("kmod policy: nothing to change");

	err = kmod_open(&g);
	if (err)
		return err;
	err = pvctl_genl_set_policy(g, vm, flags, &pol);
	if (err) {
		err = kmod_refused(g, "policy", err);
		pvctl_genl_close(g);
		return err;
	}
	/* Show the VM as the kernel now has it. */
	if (s.json)
		s.vms = json_object_new_array();
	err = pvctl_genl_dump(g, vm, on_vm, &s);
	pvctl_genl_close(g);
	if (s.json) {
		if (!err && json_object_array_length(s.vms) == 1)
			pvctl_json_print(json_object_get(
				json_object_array_get_idx(s.vms, 0)));
		json_object_put(s.vms);
	}
	if (err)
		return pvctl_refuse(PVCTL_UNREACHABLE, "module-unavailable",
				    NULL, "kmod policy: %s", strerror(-err));
	return PVCTL_OK;
}

/*
 * One injection; while the vCPU's queue is full (EBUSY: 32 vectors wait),
 * try again every 200 us for up to 30 s: a guest that takes vectors makes
 * room long before, one that stopped taking them gets the refusal.
 */
static int inject_wait(struct pvctl_genl *g, uint32_t vm, uint32_t vcpu,
		       uint32_t vector)
{
	const struct timespec pause = {0, 200000};

	for (int tries = 0;; tries++) {
		int err = pvctl_genl_inject(g, vm, vcpu, vector);

		if (err != -EBUSY || tries == 150000)
			return err;
		nanosleep(&pause, NULL);
	}
}

static int kmod_inject(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vm", required_argument, NULL, 'v'},
		{"vcpu", required_argument, NULL, 'c'},
		{"vector", required_argument, NULL, 'n'},
		{"count", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{0}};
	uint32_t vm = 0, vcpu = UINT32_MAX, vector = 0, count = 1, i;
	struct pvctl_genl *g;
	bool json = false;
	int c, err = PVCTL_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			err = parse_u32("--vm", optarg, 1, UINT32_MAX, &vm);
			break;
		case 'c':
			err = parse_u32("--vcpu", optarg, 0,
					PVABI_MAX_VCPUS - 1, &vcpu);
			break;
		case 'n':
			err = parse_u32("--vector", optarg, 0, UINT32_MAX,
					&vector);
			break;
		case 'k':
			err = parse_u32("--count", optarg, 1, 10000000, &count);
			break;
		case 'j': json = true; break;
		default: return pvctl_bad_option("kmod inject", argv, "");
		}
		if (err)
			return err;
	}
	if (optind != argc)
		return pvctl_usage_error("kmod inject: unexpected '%s'",
					 argv[optind]);
	if (!vm || vcpu == UINT32_MAX)
		return pvctl_usage_error(
			"kmod inject: --vm and --vcpu are required");
	if (count - 1 > UINT32_MAX - vector)
		return pvctl_usage_error("kmod inject: --vector %" PRIu32
					 " --count %" PRIu32
					 " runs past 4294967295",
					 vector, count);
	err = kmod_open(&g);
	if (err)
		return err;
	for (i = 0; i < count && !err; i++)
		err = inject_wait(g, vm, vcpu, vector + i);
	if (err) {
		if (count > 1)
			fprintf(stderr,
				"pvctl: kmod inject: %" PRIu32 " of %" PRIu32
				" injected\n",
				i - 1, count);
		err = kmod_refused(g, "inject", err);
	} else if (json) {
		pvctl_json_print(json_tokener_parse("{\"ok\":true}"));
	}
	pvctl_genl_close(g);
	return err;
}

const struct pvctl_cmd pvctl_kmod_cmds[] = {
	{"status", kmod_status,
	 "show pvabi.ko's VMs, vCPUs, policies and counters",
	 "kmod status [--vm ID] [--json]",
	 "  --vm ID    only this VM (its netlink id)\n"
	 "  --json     one JSON object: {\"loaded\":..., \"vms\":[...]}\n"
	 "Exits 3 when the module is not loaded.\n",
	 NULL},
	{"policy", kmod_policy,
	 "set a VM's policy in pvabi.ko (needs CAP_NET_ADMIN)",
	 "kmod policy --vm ID [--versions LO-HI] [--features LIST] "
	 "[--patch-mode guest|host|off] [--defer-us N] [--reset] [--json]",
	 "  --vm ID              the VM (its netlink id, see kmod status)\n"
	 "  --versions LO-HI     allowed ABI versions, e.g. 1.0-1.0\n"
	 "  --features LIST      allowed features, e.g. notify,booke, or all\n"
	 "  --patch-mode MODE    guest (default), host (may ask the host) or "
	 "off\n"
	 "  --defer-us N         deferral bound, 10..1000000 microseconds\n"
	 "  --reset              start from the defaults\n"
	 "  --json               print the VM afterwards as JSON\n"
	 "Applies to vCPUs that negotiate afterwards.  Exits 1 without\n"
	 "privilege, 2 for a bad value or an unknown VM, 3 without the "
	 "module.\n",
	 NULL},
	{"inject", kmod_inject,
	 "raise an interrupt vector on a vCPU (for tests; needs CAP_NET_ADMIN)",
	 "kmod inject --vm ID --vcpu N [--vector V] [--count N] [--json]",
	 "  --vm ID      the VM (its netlink id)\n"
	 "  --vcpu N     the vCPU index\n"
	 "  --vector V   the vector (default 0)\n"
	 "  --count N    inject V, V+1, ..., V+N-1 in that order, each once;\n"
	 "               a full queue is waited for (up to 30 s a vector)\n",
	 NULL},
	{0}};
