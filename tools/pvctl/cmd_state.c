// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl state show | convert | check: migration state streams. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"

static const char *order_name(enum pvabi_byte_order o)
{
	return o == PVABI_BE ? "big" : "little";
}

/* Read and check a stream file; exit 2 with one line when it is refused. */
static int load(const char *path, struct pvabi_state *st, size_t *size)
{
	char why[512];
	void *buf;
	size_t len;
	int err = pvctl_read_file(path, &buf, &len);

	if (err)
		return err;
	err = pvabi_state_read(buf, len, st, why, sizeof(why));
	free(buf);
	if (err)
		return pvctl_refuse(PVCTL_USAGE, pvabi_errname(err), NULL,
				    "%s: %s", path, why);
	if (size)
		*size = len;
	return PVCTL_OK;
}

static int parse_common(const char *cmd, int argc, char **argv,
			const struct option *opts, bool *json)
{
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return -pvctl_bad_option(cmd, argv, "");
		*json = true;
	}
	return optind;
}

static struct json_object *json_u64(pvabi_u64 v)
{
	return json_object_new_uint64(v);
}

/* The counters of struct pvabi_dlv_stats, in its order. */
static const char *const stat_names[] = {
	"delivered", "deferred", "notify_traps", "forced", "injected",
	"coalesced", "refused",	 "masked",	 "kicks",  "exits",
};
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) * 8 ==
		       sizeof(struct pvabi_dlv_stats),
	       "a name for every counter");

static struct json_object *vcpu_json(pvabi_u32 i,
				     const struct pvabi_state_vcpu *v)
{
	const struct pvabi_dlv_state *d = &v->dlv;
	pvabi_u64 stats[sizeof(d->stats) / 8];
	const struct pvabi_magic_page *pg = &v->page;
	enum pvabi_byte_order bo = v->page_order;
	struct json_object *o = json_object_new_object();
	struct json_object *pend = json_object_new_array();
	struct json_object *cnt = json_object_new_object();
	struct json_object *page = json_object_new_object();
	char abi[16];

	memcpy(stats, &d->stats, sizeof(stats));
	snprintf(abi, sizeof(abi), "%u.%u", v->abi.major, v->abi.minor);
	json_object_object_add(o, "vcpu", json_object_new_int((int)i));
	json_object_object_add(o, "abi", json_object_new_string(abi));
	json_object_object_add(o, "features", pvctl_json_features(v->features));
	json_object_object_add(o, "page_byte_order",
			       json_object_new_string(order_name(bo)));
	json_object_object_add(
		o, "deferred",
		json_object_new_boolean(d->flags & PVABI_DLV_S_DEFERRED));
	json_object_object_add(
		o, "notify_armed",
		json_object_new_boolean(d->flags & PVABI_DLV_S_ARMED));
	for (pvabi_u32 k = 0; k < d->n_pending; k++)
		json_object_array_add(pend,
				      json_object_new_int64(d->pending[k]));
	json_object_object_add(o, "pending", pend);
	for (size_t k = 0; k < sizeof(stat_names) / sizeof(stat_names[0]); k++)
		json_object_object_add(cnt, stat_names[k], json_u64(stats[k]));
	json_object_object_add(o, "counters", cnt);
	if (v->has_defer_bound) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(
			b, "exits", json_object_new_int64(d->deferred_exits));
		json_object_object_add(b, "ns", json_u64(d->deferred_ns));
		json_object_object_add(o, "defer_bound", b);
	}
	json_object_object_add(page, "critical",
			       json_u64(pvabi_ld64(bo, &pg->dlv.critical)));
	json_object_object_add(page, "int_pending",
			       json_u64(pvabi_ld32(bo, &pg->dlv.int_pending)));
	json_object_object_add(page, "irq_enabled",
			       json_u64(pvabi_ld32(bo, &pg->dlv.irq_enabled)));
	json_object_object_add(page, "msr",
			       json_u64(pvabi_ld64(bo, &pg->arch.msr)));
	json_object_object_add(o, "page", page);
	return o;
}

static void vcpu_text(pvabi_u32 i, const struct pvabi_state_vcpu *v)
{
	const struct pvabi_dlv_state *d = &v->dlv;
	pvabi_u64 stats[sizeof(d->stats) / 8];
	enum pvabi_byte_order bo = v->page_order;
	char feats[256];

	memcpy(stats, &d->stats, sizeof(stats));
	pvabi_features_format(v->features, feats, sizeof(feats));
	printf("vCPU %u: ABI %u.%u, features %s, page %s endian\n", i,
	       v->abi.major, v->abi.minor, *feats ? feats : "none",
	       order_name(bo));
	printf("  delivery: %s, notification page %s, pending",
	       d->flags & PVABI_DLV_S_DEFERRED ? "deferred" : "not deferred",
	       d->flags & PVABI_DLV_S_ARMED ? "armed" : "mapped");
	if (!d->n_pending)
		printf(" none");
	for (pvabi_u32 k = 0; k < d->n_pending; k++)
		printf("%s0x%x", k ? "," : " ", d->pending[k]);
	printf("\n  counters:");
	for (size_t k = 0; k < sizeof(stat_names) / sizeof(stat_names[0]); k++)
		printf("%s %s %llu", k ? "," : "", stat_names[k],
		       (unsigned long long)stats[k]);
	printf("\n");
	if (v->has_defer_bound)
		printf("  deferral bound: running for %u exits, %llu ns\n",
		       d->deferred_exits, (unsigned long long)d->deferred_ns);
	printf("  page: critical 0x%llx, int_pending %u, irq_enabled %u, msr "
	       "0x%llx\n",
	       (unsigned long long)pvabi_ld64(bo, &v->page.dlv.critical),
	       pvabi_ld32(bo, &v->page.dlv.int_pending),
	       pvabi_ld32(bo, &v->page.dlv.irq_enabled),
	       (unsigned long long)pvabi_ld64(bo, &v->page.arch.msr));
}

static int state_show(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {0}};
	struct pvabi_state st;
	bool json = false;
	size_t size;
	int i = parse_common("state show", argc, argv, opts, &json), err;

	if (i < 0)
		return -i;
	if (argc - i != 1)
		return pvctl_usage_error("state show: want exactly one FILE");
	err = load(argv[i], &st, &size);
	if (err)
		return err;
	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		json_object_object_add(o, "version",
				       json_object_new_int((int)st.version));
		json_object_object_add(
			o, "byte_order",
			json_object_new_string(order_name(st.order)));
		json_object_object_add(o, "bytes", json_u64(size));
		for (pvabi_u32 k = 0; k < st.n_vcpus; k++)
			json_object_array_add(arr, vcpu_json(k, &st.vcpus[k]));
		json_object_object_add(o, "vcpus", arr);
		pvctl_json_print(o);
	} else {
		printf("stream version %u, %s endian, %u vCPU%s, %zu bytes\n",
		       st.version, order_name(st.order), st.n_vcpus,
		       st.n_vcpus == 1 ? "" : "s", size);
		for (pvabi_u32 k = 0; k < st.n_vcpus; k++)
			vcpu_text(k, &st.vcpus[k]);
	}
	pvabi_state_free(&st);
	return PVCTL_OK;
}

static int state_convert(int argc, char **argv)
{
	enum { TO = 1, ORDER };
	static const struct option opts[] = {
		{"to-version", required_argument, NULL, TO},
		{"byte-order", required_argument, NULL, ORDER},
		{"json", no_argument, NULL, 'j'},
		{0}};
	const char *to = NULL, *order = NULL;
	enum pvabi_byte_order bo;
	struct pvabi_state st;
	unsigned dropped = 0;
	bool json = false;
	char why[512], *end;
	unsigned long version;
	void *out;
	long n;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case TO: to = optarg; break;
		case ORDER: order = optarg; break;
		case 'j': json = true; break;
		default: return pvctl_bad_option("state convert", argv, "");
		}
	}
	if (argc - optind != 2)
		return pvctl_usage_error("state convert: want IN and OUT");
	if (!to)
		return pvctl_usage_error(
			"state convert: --to-version N is required");
	errno = 0;
	version = strtoul(to, &end, 10);
	if (errno || *end || !*to || version < PVABI_STATE_VERSION_OLDEST ||
	    version > PVABI_STATE_VERSION)
		return pvctl_usage_error("--to-version: '%s' is not a stream "
					 "version this build writes (%u to %u)",
					 to, PVABI_STATE_VERSION_OLDEST,
					 PVABI_STATE_VERSION);
	if (order && strcmp(order, "little") && strcmp(order, "big"))
		return pvctl_usage_error(
			"--byte-order: '%s' is neither little nor big", order);
	err = load(argv[optind], &st, NULL);
	if (err)
		return err;
	bo = !order ? st.order : !strcmp(order, "big") ? PVABI_BE : PVABI_LE;
	n = pvabi_state_size(&st, (pvabi_u32)version);
	if (n < 0) {
		pvabi_state_fits(&st, (pvabi_u32)version, why, sizeof(why));
		pvabi_state_free(&st);
		return pvctl_refuse(PVCTL_REFUSED, pvabi_errname((int)n), NULL,
				    "%s: refused: %s", argv[optind], why);
	}
	for (pvabi_u32 k = 0; k < st.n_vcpus; k++)
		dropped += version < 2 && st.vcpus[k].has_defer_bound;
	out = malloc((size_t)n);
	if (!out) {
		pvabi_state_free(&st);
		return pvctl_refuse(PVCTL_USAGE, "no-memory", NULL,
				    "out of memory");
	}
	n = pvabi_state_write(&st, (pvabi_u32)version, bo, out, (size_t)n, why,
			      sizeof(why));
	pvabi_state_free(&st);
	err = n < 0 ? pvctl_refuse(PVCTL_USAGE, pvabi_errname((int)n), NULL,
				   "state convert: %s", why)
		    : pvctl_write_file(argv[optind + 1], out, (size_t)n);
	free(out);
	if (err)
		return err;
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(true));
		json_object_object_add(o, "version",
				       json_object_new_int((int)version));
		json_object_object_add(o, "byte_order",
				       json_object_new_string(order_name(bo)));
		json_object_object_add(o, "bytes", json_object_new_int64(n));
		json_object_object_add(o, "dropped_defer_bound",
				       json_object_new_int((int)dropped));
		pvctl_json_print(o);
	} else if (strcmp(argv[optind + 1], "-")) {
		printf("wrote %s: stream version %lu, %s endian, %ld bytes\n",
		       argv[optind + 1], version, order_name(bo), n);
		if (dropped)
			printf("dropped the deferral-bound counters of %u "
			       "vCPU%s (v2 only; restart at load)\n",
			       dropped, dropped == 1 ? "" : "s");
	}
	return PVCTL_OK;
}

static int state_check(int argc, char **argv)
{
	enum { OFFER = 1 };
	static const struct option opts[] = {
		{"to-offer", required_argument, NULL, OFFER},
		{"json", no_argument, NULL, 'j'},
		{0}};
	const char *dtb = NULL;
	struct pvabi_offer offer;
	struct pvabi_state st;
	pvabi_u32 vcpu = 0;
	bool json = false;
	char why[512];
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OFFER: dtb = optarg; break;
		case 'j': json = true; break;
		default: return pvctl_bad_option("state check", argv, "");
		}
	}
	if (argc - optind != 1)
		return pvctl_usage_error("state check: want exactly one FILE");
	if (!dtb)
		return pvctl_usage_error(
			"state check: --to-offer OFFER.dtb is required");
	err = pvctl_parse_offer_opts(NULL, NULL, dtb, &offer);
	if (err)
		return err;
	err = load(argv[optind], &st, NULL);
	if (err)
		return err;
	err = pvabi_state_check_offer(&st, &offer, &vcpu, why, sizeof(why));
	if (err) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "vcpus",
				       json_object_new_int((int)st.n_vcpus));
		json_object_object_add(o, "vcpu",
				       json_object_new_int((int)vcpu));
		err = pvctl_refuse(PVCTL_REFUSED, pvabi_errname(err), o,
				   "would not load: %s", why);
	} else if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(true));
		json_object_object_add(o, "vcpus",
				       json_object_new_int((int)st.n_vcpus));
		pvctl_json_print(o);
	} else {
		printf("would load: all %u vCPU%s fit the offer\n", st.n_vcpus,
		       st.n_vcpus == 1 ? "" : "s");
	}
	pvabi_state_free(&st);
	return err;
}

const struct pvctl_cmd pvctl_state_cmds[] = {
	{"show", state_show, "show a migration state stream",
	 "state show FILE [--json]",
	 "  --json   "
	 "{\"version\":2,\"byte_order\":\"big\",\"bytes\":N,\"vcpus\":[...]}\n"
	 "Exit status: 0 valid, 2 refused (one line: the record and offset) or "
	 "unreadable.\n",
	 NULL},
	{"convert", state_convert,
	 "rewrite a stream as another stream version or byte order",
	 "state convert --to-version N [--byte-order little|big] IN OUT "
	 "[--json]",
	 "  --to-version N        stream version to write (1 or 2)\n"
	 "  --byte-order ORDER    the stream's byte order (default: IN's)\n"
	 "  OUT may be - for stdout.  Version 1 takes ABI 1.0 only and drops\n"
	 "  the deferral bound.\n"
	 "Exit status: 0 written, 1 the state does not fit version N, 2 bad "
	 "input.\n",
	 NULL},
	{"check", state_check,
	 "would this state load on a host with that offer?",
	 "state check FILE --to-offer OFFER.dtb [--json]",
	 "  --to-offer FILE   the host's offer (pvctl dt write)\n"
	 "  --json            {\"ok\":true,\"vcpus\":2}, or the refusal with\n"
	 "                    \"vcpus\":2,\"vcpu\":0 added (pvctl(8))\n"
	 "Exit status: 0 every vCPU fits, 1 refused (the negotiation's "
	 "reason), 2 bad input.\n",
	 NULL},
	{0}};
