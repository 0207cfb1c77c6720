// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl list | show | enable | disable | policy | offer | migrate-check: the
 * daemon subcommands, all through pvctld (client.h).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "kernel.h"
#include "pvctl.h"

/* Options every daemon subcommand takes. */
enum { OPT_JSON = 1000, OPT_SYSTEM, OPT_USER, OPT_ADDRESS };
#define COMMON_OPTIONS                                                         \
	{"json", no_argument, NULL, OPT_JSON},                                 \
		{"system", no_argument, NULL, OPT_SYSTEM},                     \
		{"user", no_argument, NULL, OPT_USER},                         \
	{                                                                      \
		"address", required_argument, NULL, OPT_ADDRESS                \
	}
#define COMMON_HELP                                                            \
	"  --json          machine-readable output\n"                          \
	"  --system        talk to pvctld on the system bus (default)\n"       \
	"  --user          ... on the user bus\n"                              \
	"  --address ADDR  ... on the bus at ADDR (or $PVCTL_BUS_ADDRESS)\n"

struct common {
	bool json;
	struct pvctl_bus_opts bus;
};

static void common_init(struct common *c)
{
	const char *env = getenv("PVCTL_BUS_ADDRESS");

	memset(c, 0, sizeof(*c));
	if (env && *env) {
		c->bus.kind = PVCTL_BUS_ADDRESS;
		c->bus.address = env;
	}
}

/* true when @opt was one of the common options */
static bool common_opt(struct common *c, int opt)
{
	switch (opt) {
	case OPT_JSON: c->json = true; return true;
	case OPT_SYSTEM: c->bus.kind = PVCTL_BUS_SYSTEM; return true;
	case OPT_USER: c->bus.kind = PVCTL_BUS_USER; return true;
	case OPT_ADDRESS:
		c->bus.kind = PVCTL_BUS_ADDRESS;
		c->bus.address = optarg;
		return true;
	}
	return false;
}

/* For the verbs that take the common options and nothing else. */
static int common_only(int argc, char **argv, struct common *c)
{
	static const struct option opts[] = {COMMON_OPTIONS, {0}};
	int opt;

	common_init(c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!common_opt(c, opt))
			return pvctl_bad_option(argv[0], argv, "");
	return PVCTL_OK;
}

/* The VM argument: exactly one positional argument left. */
static int one_vm(const char *verb, int argc, char **argv, const char **vm)
{
	char why[256];

	if (optind >= argc)
		return pvctl_usage_error("%s: which VM?", verb);
	if (optind + 1 < argc)
		return pvctl_usage_error("%s: unexpected '%s'", verb,
					 argv[optind + 1]);
	*vm = argv[optind];
	if (pvctl_vm_name_check(*vm, why, sizeof(why)))
		return pvctl_usage_error("%s: %s", verb, why);
	return PVCTL_OK;
}

static int no_args(const char *verb, int argc, char **argv)
{
	if (optind < argc)
		return pvctl_usage_error("%s: unexpected '%s'", verb,
					 argv[optind]);
	return PVCTL_OK;
}

static int open_client(const struct common *c, struct pvctl_client **cl)
{
	return pvctl_client_open(&c->bus, cl);
}

static int daemon_error(struct pvctl_client *cl, int code)
{
	return pvctl_refuse(code, cl->error_name, NULL, "%s", cl->error);
}

/* The policy's key=value lines as an object; excludes as a list. */
static struct json_object *json_patch(const char *text)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ex = json_object_new_array();
	char *copy = strdup(text), *line, *save = NULL;

	for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *dash;
		struct json_object *r;

		if (!eq)
			continue;
		*eq = '\0';
		dash = strchr(eq + 1, '-');
		if (strcmp(line, "exclude") || !dash) {
			for (char *k = line; *k; k++)
				if (*k == '-')
					*k = '_';
			json_object_object_add(o, line,
					       json_object_new_string(eq + 1));
			continue;
		}
		*dash = '\0';
		r = json_object_new_object();
		json_object_object_add(
			r, "start",
			json_object_new_uint64(strtoull(eq + 1, NULL, 0)));
		json_object_object_add(
			r, "end",
			json_object_new_uint64(strtoull(dash + 1, NULL, 0)));
		json_object_array_add(ex, r);
	}
	free(copy);
	json_object_object_add(o, "exclude", ex);
	return o;
}

/* The policy on one line, for tables: "mode=guest classes=all ...". */
static void one_line(const char *text, char *buf, size_t len)
{
	size_t n = 0;

	for (; *text && n + 1 < len; text++)
		buf[n++] = *text == '\n' ? ' ' : *text;
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

static struct json_object *json_features_text(const char *text)
{
	pvabi_u64 mask = 0;

	pvabi_features_parse(text, &mask, NULL, 0);
	return pvctl_json_features(mask);
}

/* The JSON of a VM's features or patch policy by their text.  A list of
 * 1000 VMs holds a handful of each: every distinct one is built once and
 * shared (json-c counts references). */
#define MEMO_SLOTS 8

struct json_memo {
	const char *text[MEMO_SLOTS];
	struct json_object *obj[MEMO_SLOTS];
	size_t n, next;
};

static struct json_object *memo(struct json_memo *m, const char *text,
				struct json_object *(*make)(const char *))
{
	struct json_object *o;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->text[i], text))
			return json_object_get(m->obj[i]);
	o = make(text);
	i = m->n < MEMO_SLOTS ? m->n++ : m->next++ % MEMO_SLOTS;
	json_object_put(m->obj[i]);
	m->text[i] = text;
	m->obj[i] = json_object_get(o);
	return o;
}

static void memo_free(struct json_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		json_object_put(m->obj[i]);
}

/* @features, @patch: the memos of the VMs printed together. */
static struct json_object *json_vm(const struct pvctl_vm *vm,
				   struct json_memo *features,
				   struct json_memo *patch)
{
	struct json_object *o = json_object_new_object();
	/* Literal keys, each once: neither copied nor looked for first (a
	 * list of a thousand VMs adds seven thousand). */
	const unsigned add =
		JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT;

	json_object_object_add_ex(o, "name", json_object_new_string(vm->name),
				  add);
	json_object_object_add_ex(o, "uuid", json_object_new_string(vm->uuid),
				  add);
	json_object_object_add_ex(o, "state", json_object_new_string(vm->state),
				  add);
	json_object_object_add_ex(o, "enabled",
				  json_object_new_boolean(vm->enabled), add);
	json_object_object_add_ex(o, "versions",
				  json_object_new_string(vm->versions), add);
	json_object_object_add_ex(
		o, "features", memo(features, vm->features, json_features_text),
		add);
	json_object_object_add_ex(o, "patch",
				  memo(patch, vm->patch, json_patch), add);
	return o;
}

static int vm_list(int argc, char **argv)
{
	struct pvctl_client *cl;
	struct pvctl_vm *vms = NULL;
	struct common c;
	size_t n = 0;
	int r;

	if ((r = common_only(argc, argv, &c)) ||
	    (r = no_args("list", argc, argv)) || (r = open_client(&c, &cl)))
		return r;
	r = cl->ops->list(cl, &vms, &n);
	if (r) {
		daemon_error(cl, r);
	} else if (c.json) {
		struct json_object *a = json_object_new_array_ext((int)n);
		struct json_memo features = {0}, patch = {0};

		for (size_t i = 0; i < n; i++)
			json_object_array_add(
				a, json_vm(&vms[i], &features, &patch));
		memo_free(&features);
		memo_free(&patch);
		pvctl_json_print(a);
	} else {
		char patch[PVCTL_PATCH_TEXT_MAX];

		printf("%-20s %-10s %-5s %-9s %s\n", "NAME", "STATE", "PVABI",
		       "VERSIONS", "PATCH POLICY");
		for (size_t i = 0; i < n; i++) {
			one_line(vms[i].patch, patch, sizeof(patch));
			printf("%-20s %-10s %-5s %-9s %s\n", vms[i].name,
			       vms[i].state, vms[i].enabled ? "yes" : "no",
			       vms[i].versions, patch);
		}
	}
	pvctl_vm_list_free(vms, n);
	cl->ops->close(cl);
	return r;
}

static void print_vm(const struct pvctl_vm *vm)
{
	char patch[PVCTL_PATCH_TEXT_MAX];

	one_line(vm->patch, patch, sizeof(patch));
	printf("name:     %s\nuuid:     %s\nstate:    %s\npvabi:    %s\n"
	       "versions: %s\nfeatures: %s\npatch:    %s\n",
	       vm->name, vm->uuid, vm->state,
	       vm->enabled ? "enabled" : "disabled", vm->versions,
	       *vm->features ? vm->features : "none", patch);
}

/* The vCPUs from @i on that negotiated what vCPU @i did: one group. */
static size_t same_as(const struct pvctl_negotiated *v, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && v[j].version == v[i].version &&
	       v[j].features == v[i].features)
		j++;
	return j;
}

/*
 * "negotiated 1.0 [notify,booke] on vCPUs 0-3", groups of vCPUs that
 * agree apart by "; ", or "not negotiated".
 */
static void print_negotiated(const struct pvctl_negotiated *v, size_t n)
{
	char features[512];

	printf("guest:    ");
	if (!n)
		printf("not negotiated");
	for (size_t i = 0, end; i < n; i = end) {
		end = same_as(v, n, i);
		if (pvabi_features_format(v[i].features, features,
					  sizeof(features)) < 0)
			snprintf(features, sizeof(features), "%#llx",
				 v[i].features);
		printf("%snegotiated %u.%u [%s] on vCPU%s ", i ? "; " : "",
		       v[i].version >> 16, v[i].version & 0xffff, features,
		       end - i > 1 ? "s" : "");
		/* Runs of consecutive indexes as ranges: 0-3,5. */
		for (size_t k = i; k < end;) {
			size_t run = k;

			while (run + 1 < end &&
			       v[run + 1].vcpu == v[run].vcpu + 1)
				run++;
			printf("%s%u", k > i ? "," : "", v[k].vcpu);
			if (run > k)
				printf("-%u", v[run].vcpu);
			k = run + 1;
		}
	}
	putchar('\n');
}

/* [{"version": "1.0", "features": [...], "vcpus": [0, 1]}, ...]; []. */
static struct json_object *json_negotiated(const struct pvctl_negotiated *v,
					   size_t n)
{
	struct json_object *a = json_object_new_array();
	char version[16];

	for (size_t i = 0, end; i < n; i = end) {
		struct json_object *g = json_object_new_object();
		struct json_object *vcpus = json_object_new_array();

		end = same_as(v, n, i);
		snprintf(version, sizeof(version), "%u.%u", v[i].version >> 16,
			 v[i].version & 0xffff);
		json_object_object_add(g, "version",
				       json_object_new_string(version));
		json_object_object_add(g, "features",
				       pvctl_json_features(v[i].features));
		for (size_t k = i; k < end; k++)
			json_object_array_add(vcpus,
					      json_object_new_int64(v[k].vcpu));
		json_object_object_add(g, "vcpus", vcpus);
		json_object_array_add(a, g);
	}
	return a;
}

/* The moments a change can apply, earliest first, and how text says it. */
static const struct {
	const char *when, *text;
} moments[] = {
	{"unchanged", "nothing changed"},
	{"when-enabled", "once pvabi is enabled"},
	{"now", "now"},
	{"next-negotiation", "at the guest's next negotiation"},
	{"next-boot", "at the next boot"},
};
#define N_MOMENTS (sizeof(moments) / sizeof(moments[0]))

static size_t moment(const char *when)
{
	size_t i = 0;

	while (i < N_MOMENTS && strcmp(moments[i].when, when))
		i++;
	return i;
}

/* Of several calls, the change applies at the latest moment one names. */
static void applies_add(struct pvctl_applies *acc,
			const struct pvctl_client *cl)
{
	size_t a = moment(acc->when), b = moment(cl->applied.when);

	if (!*cl->applied.when)
		return;
	if (!*acc->when || (b < N_MOMENTS && (a == N_MOMENTS || b > a)))
		*acc = cl->applied;
	else if (a == b && !*acc->note)
		snprintf(acc->note, sizeof(acc->note), "%s", cl->applied.note);
}

static void json_applies(struct json_object *o, const struct pvctl_applies *a)
{
	if (!a || !*a->when)
		return;
	json_object_object_add(o, "applies", json_object_new_string(a->when));
	json_object_object_add(o, "note", json_object_new_string(a->note));
}

static void print_applies(const char *prefix, const struct pvctl_applies *a)
{
	size_t i;

	if (!a || !*a->when)
		return;
	i = moment(a->when);
	printf("%sapplies:%s%s%s%s%s\n", prefix, *prefix ? " " : "  ",
	       i < N_MOMENTS ? moments[i].text : a->when, *a->note ? " (" : "",
	       a->note, *a->note ? ")" : "");
}

/* The VM's settings; after a change, @applied says when it applies. */
/*
 * What the libvirt hook last did to the VM's direct-boot kernel under patch
 * policy "host" (tools/pvctl/hook_kernel.c writes it, as root, where the
 * copy is): NULL when the policy is not "host" or the VM has not started
 * since.  pvctld does not know it: the hook, not the daemon, patches.
 */
static struct json_object *kernel_report(const struct pvctl_vm *vm)
{
	char path[PVCTL_KERNEL_PATH_MAX];
	struct json_object *o;

	if (!strstr(vm->patch, "mode=host"))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.json", PVCTL_KERNEL_DIR, vm->uuid);
	if (access(path, R_OK))
		return NULL;
	o = json_object_from_file(path);
	return json_object_is_type(o, json_type_object) ? o : NULL;
}

static const char *report_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
						     : "";
}

static void print_kernel(struct json_object *k)
{
	struct json_object *by = NULL;
	char classes[256] = "", one[64];

	json_object_object_get_ex(k, "by_class", &by);
	if (json_object_is_type(by, json_type_object)) {
		json_object_object_foreach(by, cls, n)
		{
			if (!json_object_get_int64(n))
				continue;
			snprintf(one, sizeof(one), "%s %" PRId64, cls,
				 json_object_get_int64(n));
			pvctl_append(classes, sizeof(classes), ", ", one);
		}
	}
	printf("kernel:   %s patched from %s: %s of %s sites (%s)%s%s\n"
	       "          sha256 %s\n",
	       report_str(k, "copy"), report_str(k, "source"),
	       report_str(k, "patched"), report_str(k, "sites"),
	       *classes ? classes : "none", *report_str(k, "note") ? "; " : "",
	       report_str(k, "note"), report_str(k, "sha256"));
}

static int show_vm(struct pvctl_client *cl, const char *name, bool json,
		   bool policy_only, const struct pvctl_applies *applied)
{
	struct json_object *kernel = NULL;
	struct pvctl_negotiated *neg = NULL;
	struct pvctl_vm vm;
	size_t n_neg = 0;
	struct json_object *o;
	int r = cl->ops->get(cl, name, &vm);

	if (r)
		return daemon_error(cl, r);
	/* What the guest negotiated: show alone says it. */
	if (!policy_only && cl->ops->get_negotiated) {
		r = cl->ops->get_negotiated(cl, name, &neg, &n_neg);
		if (r) {
			pvctl_vm_clear(&vm);
			return daemon_error(cl, r);
		}
	}
	if (!policy_only)
		kernel = kernel_report(&vm);
	if (json) {
		struct json_memo features = {0}, patch = {0};

		o = policy_only ? json_patch(vm.patch)
				: json_vm(&vm, &features, &patch);
		memo_free(&features);
		memo_free(&patch);
		if (!policy_only)
			json_object_object_add(o, "negotiated",
					       json_negotiated(neg, n_neg));
		if (kernel)
			json_object_object_add(o, "kernel",
					       json_object_get(kernel));
		json_applies(o, applied);
		pvctl_json_print(o);
	} else if (policy_only) {
		/* A comment keeps the output the policy's text form. */
		printf("%s", vm.patch);
		print_applies("# ", applied);
	} else {
		print_vm(&vm);
		print_negotiated(neg, n_neg);
		if (kernel)
			print_kernel(kernel);
		print_applies("", applied);
	}
	json_object_put(kernel);
	free(neg);
	pvctl_vm_clear(&vm);
	return PVCTL_OK;
}

static int vm_show(int argc, char **argv)
{
	struct pvctl_client *cl;
	struct common c;
	const char *vm;
	int r;

	if ((r = common_only(argc, argv, &c)) ||
	    (r = one_vm("show", argc, argv, &vm)) || (r = open_client(&c, &cl)))
		return r;
	r = show_vm(cl, vm, c.json, false, NULL);
	cl->ops->close(cl);
	return r;
}

static int vm_enable(int argc, char **argv)
{
	enum { OPT_VERSIONS = 1, OPT_FEATURES };
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"versions", required_argument, NULL, OPT_VERSIONS},
		{"features", required_argument, NULL, OPT_FEATURES},
		{0}};
	const char *versions = NULL, *features = NULL, *vm;
	struct pvctl_applies applied = {"", ""};
	struct pvabi_version lo, hi;
	struct pvctl_client *cl;
	struct common c;
	pvabi_u64 mask;
	char why[256];
	int opt, r;

	common_init(&c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_VERSIONS)
			versions = optarg;
		else if (opt == OPT_FEATURES)
			features = optarg;
		else if (!common_opt(&c, opt))
			return pvctl_bad_option(argv[0], argv, "");
	}
	if ((r = one_vm("enable", argc, argv, &vm)))
		return r;
	if (versions &&
	    pvabi_version_range_parse(versions, &lo, &hi, why, sizeof(why)))
		return pvctl_usage_error("--versions: %s", why);
	if (features && pvabi_features_parse(features, &mask, why, sizeof(why)))
		return pvctl_usage_error("--features: %s", why);
	if ((r = open_client(&c, &cl)))
		return r;
	if (versions && !(r = cl->ops->set_versions(cl, vm, versions)))
		applies_add(&applied, cl);
	if (!r && features && !(r = cl->ops->set_features(cl, vm, features)))
		applies_add(&applied, cl);
	if (!r && !(r = cl->ops->set_enabled(cl, vm, true)))
		applies_add(&applied, cl);
	if (r)
		daemon_error(cl, r);
	else
		r = show_vm(cl, vm, c.json, false, &applied);
	cl->ops->close(cl);
	return r;
}

/* VERB VM [--json]: one call that changes the VM, then its settings. */
static int vm_change(const char *verb, int argc, char **argv,
		     int (*change)(struct pvctl_client *cl, const char *vm))
{
	struct pvctl_client *cl;
	struct common c;
	const char *vm;
	int r;

	if ((r = common_only(argc, argv, &c)) ||
	    (r = one_vm(verb, argc, argv, &vm)) || (r = open_client(&c, &cl)))
		return r;
	r = change(cl, vm);
	if (r)
		daemon_error(cl, r);
	else
		r = show_vm(cl, vm, c.json, false, &cl->applied);
	cl->ops->close(cl);
	return r;
}

static int disable(struct pvctl_client *cl, const char *vm)
{
	return cl->ops->set_enabled(cl, vm, false);
}

static int vm_disable(int argc, char **argv)
{
	return vm_change("disable", argc, argv, disable);
}

static int reset(struct pvctl_client *cl, const char *vm)
{
	return cl->ops->reset(cl, vm);
}

static int vm_reset(int argc, char **argv)
{
	return vm_change("reset", argc, argv, reset);
}

static int vm_policy(int argc, char **argv)
{
	enum { OPT_PATCH = 1, OPT_EXCLUDE, OPT_CLASSES, OPT_MAX_SITES };
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"patch", required_argument, NULL, OPT_PATCH},
		{"exclude", required_argument, NULL, OPT_EXCLUDE},
		{"classes", required_argument, NULL, OPT_CLASSES},
		{"max-sites", required_argument, NULL, OPT_MAX_SITES},
		{0}};
	static const char *const keys[] = {
		[OPT_PATCH] = "mode",
		[OPT_EXCLUDE] = "exclude",
		[OPT_CLASSES] = "classes",
		[OPT_MAX_SITES] = "max-sites",
	};
	char text[PVCTL_PATCH_TEXT_MAX] = "", why[300];
	struct pvabi_patch_policy p;
	struct pvctl_client *cl;
	const char *vm;
	struct common c;
	size_t len = 0;
	bool mode = false, any = false;
	int opt, r;

	common_init(&c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt >= OPT_PATCH && opt <= OPT_MAX_SITES) {
			/* Each option is one line of the policy's text form. */
			if (strchr(optarg, '\n'))
				return pvctl_usage_error(
					"policy: '%s' spans lines", optarg);
			r = snprintf(text + len, sizeof(text) - len, "%s=%s\n",
				     keys[opt], optarg);
			if (r < 0 || (size_t)r >= sizeof(text) - len)
				return pvctl_usage_error("policy: too long");
			len += (size_t)r;
			mode |= opt == OPT_PATCH;
			any = true;
		} else if (!common_opt(&c, opt))
			return pvctl_bad_option(argv[0], argv, "");
	}
	if ((r = one_vm("policy", argc, argv, &vm)))
		return r;
	if (any && !mode)
		return pvctl_usage_error("policy: --exclude, --classes and "
					 "--max-sites need --patch");
	/* The same parser pvctld uses, for the exit status and message. */
	if (any && pvabi_patch_policy_parse(text, len, &p, why, sizeof(why)))
		return pvctl_usage_error("policy: %s", why);
	if ((r = open_client(&c, &cl)))
		return r;
	if (any)
		r = cl->ops->set_patch_policy(cl, vm, text);
	if (r)
		daemon_error(cl, r);
	else
		r = show_vm(cl, vm, c.json, true, any ? &cl->applied : NULL);
	cl->ops->close(cl);
	return r;
}

static int vm_offer(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS, {"output", required_argument, NULL, 'o'}, {0}};
	struct pvctl_host_offer offer = {0};
	struct pvctl_client *cl;
	const char *output = NULL;
	struct common c;
	int opt, r;

	common_init(&c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (opt == 'o')
			output = optarg;
		else if (!common_opt(&c, opt))
			return pvctl_bad_option(argv[0], argv, "o:");
	}
	if ((r = no_args("offer", argc, argv)) || (r = open_client(&c, &cl)))
		return r;
	r = cl->ops->get_offer(cl, &offer);
	if (r)
		daemon_error(cl, r);
	cl->ops->close(cl);
	if (!r && output)
		r = pvctl_write_file(output, offer.dtb, offer.dtb_len);
	free(offer.dtb);
	if (r)
		return r;
	if (c.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *vs = json_object_new_array();
		pvabi_u64 mask = 0;
		char *save = NULL, *tok;

		for (tok = strtok_r(offer.versions, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(vs, json_object_new_string(tok));
		pvabi_features_parse(offer.features, &mask, NULL, 0);
		json_object_object_add(o, "versions", vs);
		json_object_object_add(o, "features",
				       pvctl_json_features(mask));
		pvctl_json_print(o);
	} else
		printf("versions: %s\nfeatures: %s\n", offer.versions,
		       *offer.features ? offer.features : "none");
	return PVCTL_OK;
}

/* The destination's offer as a device tree: from its pvctld, or a file. */
static int destination_offer(const char *host, const char *file, void **dtb,
			     size_t *len)
{
	struct pvctl_bus_opts remote = {PVCTL_BUS_REMOTE, host};
	struct pvctl_host_offer offer = {0};
	struct pvctl_client *cl;
	int r;

	if (file)
		return pvctl_read_file(file, dtb, len);
	r = pvctl_client_open(&remote, &cl);
	if (r)
		return r;
	r = cl->ops->get_offer(cl, &offer);
	if (r)
		pvctl_refuse_print(r, cl->error_name, NULL, "%s: %s", host,
				   cl->error);
	cl->ops->close(cl);
	*dtb = offer.dtb;
	*len = offer.dtb_len;
	return r;
}

/* The verdict's members: its JSON when it can, the refusal's extra when not. */
static struct json_object *migration_json(const char *vm, const char *dest,
					  bool compatible, char **reasons)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();

	for (char **p = reasons; p && *p; p++)
		json_object_array_add(a, json_object_new_string(*p));
	json_object_object_add(o, "vm", json_object_new_string(vm));
	json_object_object_add(o, "destination", json_object_new_string(dest));
	json_object_object_add(o, "compatible",
			       json_object_new_boolean(compatible));
	json_object_object_add(o, "reasons", a);
	return o;
}

/* Exit 1 with every reason: in the message, "; "-separated, and listed. */
static int refuse_migration(const char *vm, const char *dest, char **reasons)
{
	char msg[1024] = "";

	for (char **p = reasons; p && *p; p++)
		pvctl_append(msg, sizeof(msg), "; ", *p);
	return pvctl_refuse(PVCTL_REFUSED, "incompatible",
			    migration_json(vm, dest, false, reasons),
			    "%s cannot migrate to %s: %s", vm, dest, msg);
}

static int vm_migrate_check(int argc, char **argv)
{
	enum { OPT_TO_HOST = 1, OPT_TO_OFFER };
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"to-host", required_argument, NULL, OPT_TO_HOST},
		{"to-offer", required_argument, NULL, OPT_TO_OFFER},
		{0}};
	const char *host = NULL, *file = NULL, *vm;
	struct pvctl_client *cl;
	struct common c;
	char **reasons = NULL;
	bool compatible = false;
	void *dtb = NULL;
	size_t len = 0;
	int opt, r;

	common_init(&c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_TO_HOST)
			host = optarg;
		else if (opt == OPT_TO_OFFER)
			file = optarg;
		else if (!common_opt(&c, opt))
			return pvctl_bad_option(argv[0], argv, "");
	}
	if ((r = one_vm("migrate-check", argc, argv, &vm)))
		return r;
	if (!host == !file)
		return pvctl_usage_error("migrate-check: give one of --to-host "
					 "HOST and --to-offer FILE");
	if ((r = destination_offer(host, file, &dtb, &len)))
		return r;
	if ((r = open_client(&c, &cl))) {
		free(dtb);
		return r;
	}
	r = cl->ops->check_migration(cl, vm, dtb, len, &compatible, &reasons);
	free(dtb);
	if (r) {
		daemon_error(cl, r);
		cl->ops->close(cl);
		return r;
	}
	cl->ops->close(cl);
	if (!compatible)
		r = refuse_migration(vm, host ? host : file, reasons);
	else if (c.json)
		pvctl_json_print(
			migration_json(vm, host ? host : file, true, reasons));
	else
		printf("%s can migrate to %s\n", vm, host ? host : file);
	pvctl_strv_free(reasons);
	return r;
}

const struct pvctl_cmd pvctl_vm_cmds[] = {
	{"list", vm_list, "list the VMs and their pvabi settings",
	 "list [--json]", COMMON_HELP, NULL},
	{"show", vm_show, "show one VM's pvabi settings", "show VM [--json]",
	 COMMON_HELP, NULL},
	{"enable", vm_enable, "let a VM use pvabi",
	 "enable VM [--versions 1.0-1.3] [--features A,B] [--json]",
	 "  --versions LO-HI  ABI versions the VM may negotiate\n"
	 "  --features A,B    features it may use ('pvctl abi show' lists "
	 "them)\n" COMMON_HELP,
	 NULL},
	{"disable", vm_disable, "stop offering pvabi to a VM",
	 "disable VM [--json]", COMMON_HELP, NULL},
	{"reset", vm_reset, "put a VM's pvabi settings back to the defaults",
	 "reset VM [--json]",
	 "Writes the defaults (disabled) over the VM's pvabi metadata without\n"
	 "reading it: repairs metadata pvctld refuses as BadMetadata.\n"
	 "Needs the right to change settings.\n" COMMON_HELP,
	 NULL},
	{"policy", vm_policy, "show or set a VM's patch policy",
	 "policy VM [--patch off|guest|host [--exclude START-END]... "
	 "[--classes C,...] [--max-sites N]] [--json]",
	 "  --patch MODE         off, guest (the guest patches itself) or "
	 "host\n"
	 "  --exclude START-END  guest addresses never patched, END exclusive\n"
	 "                       (repeatable)\n"
	 "  --classes C,...      instruction classes patched (default all)\n"
	 "  --max-sites N        at most N sites (default unlimited)\n"
	 "The policy's text form is schemas/patch-policy.txt.\n" COMMON_HELP,
	 NULL},
	{"offer", vm_offer, "show this host's pvabi offer",
	 "offer [-o FILE.dtb] [--json]",
	 "  -o, --output FILE  also write it as a device tree\n" COMMON_HELP,
	 NULL},
	{"migrate-check", vm_migrate_check, "can a VM migrate to another host?",
	 "migrate-check VM (--to-host SSH_HOST | --to-offer FILE.dtb) [--json]",
	 "  --to-host HOST   ask HOST's pvctld over ssh "
	 "(sd_bus_open_system_remote)\n"
	 "  --to-offer FILE  a device tree holding the destination's "
	 "offer\n" COMMON_HELP
	 "Exit status 1: the VM cannot migrate (reasons listed).\n",
	 NULL},
	{0}};
