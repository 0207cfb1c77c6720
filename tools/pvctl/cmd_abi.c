// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl abi show | negotiate */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"

static int abi_show(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {0}};
	const struct pvabi_field *fl;
	const struct pvabi_feature_info *ft;
	size_t nfl, nft;
	bool json = false;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return pvctl_bad_option("abi show", argv, "");
		json = true;
	}
	if (optind != argc)
		return pvctl_usage_error("abi show: unexpected '%s'",
					 argv[optind]);
	fl = pvabi_layout(&nfl);
	ft = pvabi_features(&nft);

	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *fa = json_object_new_array();
		struct json_object *fe = json_object_new_array();

		json_object_object_add(
			o, "major", json_object_new_int(PVABI_VERSION_MAJOR));
		json_object_object_add(
			o, "minor", json_object_new_int(PVABI_VERSION_MINOR));
		json_object_object_add(o, "page_size",
				       json_object_new_int(PVABI_PAGE_SIZE));
		json_object_object_add(o, "size_in_use",
				       json_object_new_int(PVABI_SIZE_1_1));
		for (size_t i = 0; i < nfl; i++) {
			struct json_object *f = json_object_new_object();
			char since[16];

			snprintf(since, sizeof(since), "%u.%u",
				 fl[i].since.major, fl[i].since.minor);
			json_object_object_add(
				f, "name", json_object_new_string(fl[i].name));
			json_object_object_add(
				f, "page",
				json_object_new_string(fl[i].notify_page
							       ? "notify"
							       : "magic"));
			json_object_object_add(
				f, "offset",
				json_object_new_int((int)fl[i].offset));
			json_object_object_add(
				f, "size",
				json_object_new_int((int)fl[i].size));
			json_object_object_add(f, "since",
					       json_object_new_string(since));
			json_object_object_add(
				f, "reserved",
				json_object_new_boolean(fl[i].reserved));
			if (fl[i].feature)
				json_object_object_add(
					f, "feature",
					pvctl_json_features(fl[i].feature));
			json_object_array_add(fa, f);
		}
		for (size_t i = 0; i < nft; i++) {
			struct json_object *f = json_object_new_object();

			json_object_object_add(
				f, "name", json_object_new_string(ft[i].name));
			json_object_object_add(
				f, "bit",
				json_object_new_int(
					__builtin_ctzll(ft[i].bit)));
			json_object_object_add(
				f, "summary",
				json_object_new_string(ft[i].summary));
			json_object_array_add(fe, f);
		}
		json_object_object_add(o, "fields", fa);
		json_object_object_add(o, "features", fe);
		pvctl_json_print(o);
		return PVCTL_OK;
	}

	printf("pvabi magic page ABI %d.%d: %u-byte pages, %u bytes in use\n\n",
	       PVABI_VERSION_MAJOR, PVABI_VERSION_MINOR, PVABI_PAGE_SIZE,
	       PVABI_SIZE_1_1);
	printf("%-7s %-6s %5s  %-20s %-6s %s\n", "PAGE", "OFFSET", "SIZE",
	       "FIELD", "SINCE", "FEATURE");
	for (size_t i = 0; i < nfl; i++) {
		char feat[64] = "";

		if (fl[i].feature)
			pvabi_features_format(fl[i].feature, feat,
					      sizeof(feat));
		printf("%-7s 0x%04x %5u  %-20s %u.%-4u %s\n",
		       fl[i].notify_page ? "notify" : "magic", fl[i].offset,
		       fl[i].size, fl[i].name, fl[i].since.major,
		       fl[i].since.minor, fl[i].reserved ? "(reserved)" : feat);
	}
	printf("\n%-4s %-12s %s\n", "BIT", "FEATURE", "MEANING");
	for (size_t i = 0; i < nft; i++)
		printf("%-4d %-12s %s\n", __builtin_ctzll(ft[i].bit),
		       ft[i].name, ft[i].summary);
	return PVCTL_OK;
}

static int abi_negotiate(int argc, char **argv)
{
	enum { HV = 1, HF, HD, GMIN, GMAX, GF, GR, MG, NG, JS };
	static const struct option opts[] = {
		{"host-versions", required_argument, NULL, HV},
		{"host-features", required_argument, NULL, HF},
		{"host-dtb", required_argument, NULL, HD},
		{"guest-min", required_argument, NULL, GMIN},
		{"guest-max", required_argument, NULL, GMAX},
		{"guest-features", required_argument, NULL, GF},
		{"guest-require", required_argument, NULL, GR},
		{"magic-gpa", required_argument, NULL, MG},
		{"notify-gpa", required_argument, NULL, NG},
		{"json", no_argument, NULL, JS},
		{0}};
	const char *hv = NULL, *hf = NULL, *hd = NULL, *gmin = "1.0",
		   *gmax = NULL, *gf = NULL, *gr = NULL;
	struct pvabi_request req = {0};
	struct pvabi_offer offer;
	struct pvabi_result res;
	bool json = false;
	char why[256];
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case HV: hv = optarg; break;
		case HF: hf = optarg; break;
		case HD: hd = optarg; break;
		case GMIN: gmin = optarg; break;
		case GMAX: gmax = optarg; break;
		case GF: gf = optarg; break;
		case GR: gr = optarg; break;
		case JS: json = true; break;
		case MG:
		case NG:
			errno = 0;
			*(c == MG ? &req.magic_gpa : &req.notify_gpa) =
				strtoull(optarg, &end, 0);
			if (errno || !*optarg || *end || *optarg == '-')
				return pvctl_usage_error(
					"--%s: '%s' is not an address",
					c == MG ? "magic-gpa" : "notify-gpa",
					optarg);
			break;
		default: return pvctl_bad_option("abi negotiate", argv, "");
		}
	}
	if (optind != argc)
		return pvctl_usage_error("abi negotiate: unexpected '%s'",
					 argv[optind]);
	if (!gmax)
		return pvctl_usage_error(
			"abi negotiate: --guest-max is required");
	err = pvctl_parse_offer_opts(hv, hf, hd, &offer);
	if (err)
		return err;
	if (pvabi_version_parse(gmin, &req.min, why, sizeof(why)))
		return pvctl_usage_error("--guest-min: %s", why);
	if (pvabi_version_parse(gmax, &req.max, why, sizeof(why)))
		return pvctl_usage_error("--guest-max: %s", why);
	if (gf && pvabi_features_parse(gf, &req.wanted, why, sizeof(why)))
		return pvctl_usage_error("--guest-features: %s", why);
	if (gr && pvabi_features_parse(gr, &req.required, why, sizeof(why)))
		return pvctl_usage_error("--guest-require: %s", why);

	err = pvabi_negotiate(&offer, &req, &res);
	if (err) {
		pvabi_negotiate_explain(&offer, &req, err, why, sizeof(why));
		return pvctl_refuse(PVCTL_REFUSED, pvabi_errname(err), NULL,
				    "%s", why);
	}
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(true));
		json_object_object_add(o, "major",
				       json_object_new_int(res.version.major));
		json_object_object_add(o, "minor",
				       json_object_new_int(res.version.minor));
		json_object_object_add(o, "features",
				       pvctl_json_features(res.features));
		pvctl_json_print(o);
		return PVCTL_OK;
	}
	pvabi_features_format(res.features, why, sizeof(why));
	printf("negotiated ABI %u.%u, features: %s\n", res.version.major,
	       res.version.minor, *why ? why : "none");
	return PVCTL_OK;
}

const struct pvctl_cmd pvctl_abi_cmds[] = {
	{"show", abi_show, "print the page layout and feature bits",
	 "abi show [--json]", NULL, NULL},
	{"negotiate", abi_negotiate,
	 "negotiate a host offer against a guest request",
	 "abi negotiate (--host-versions V,... [--host-features F,...] | "
	 "--host-dtb FILE)\n"
	 "              [--guest-min V] --guest-max V [--guest-features "
	 "F,...]\n"
	 "              [--guest-require F,...] [--magic-gpa ADDR "
	 "--notify-gpa ADDR] [--json]",
	 "  --host-versions V,...   versions the host offers, e.g. "
	 "1.0,1.2,2.0\n"
	 "  --host-features F,...   features the host offers (pvctl abi show)\n"
	 "  --host-dtb FILE         read the host offer from a device tree\n"
	 "  --guest-min V           lowest version the guest takes (1.0)\n"
	 "  --guest-max V           highest version the guest takes\n"
	 "  --guest-features F,...  features the guest understands\n"
	 "  --guest-require F,...   features the guest can't run without\n"
	 "  --magic-gpa, --notify-gpa ADDR\n"
	 "                          also check the guest's page addresses\n"
	 "  --json                  {\"ok\":true,\"major\":M,\"minor\":m,"
	 "\"features\":[...]}\n"
	 "                          or {\"ok\":false,\"error\":CODE,"
	 "\"message\":TEXT}\n"
	 "Exit status: 0 agreed, 1 refused, 2 bad usage or input.\n",
	 NULL},
	{0}};
