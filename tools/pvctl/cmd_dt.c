// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl dt write | read */
#include <getopt.h>
#include <stdlib.h>

#include "pvctl.h"

static int dt_write(int argc, char **argv)
{
	enum { HV = 1, HF, MIN };
	static const struct option opts[] = {
		{"host-versions", required_argument, NULL, HV},
		{"host-features", required_argument, NULL, HF},
		{"min-version", required_argument, NULL, MIN},
		{"output", required_argument, NULL, 'o'},
		{0}};
	const char *hv = NULL, *hf = NULL, *min = NULL, *out = NULL;
	struct pvabi_offer offer;
	char why[256], blob[4096];
	int c, n;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case HV: hv = optarg; break;
		case HF: hf = optarg; break;
		case MIN: min = optarg; break;
		case 'o': out = optarg; break;
		default: return pvctl_bad_option("dt write", argv, "o:");
		}
	}
	if (optind != argc)
		return pvctl_usage_error("dt write: unexpected '%s'",
					 argv[optind]);
	if (!out)
		return pvctl_usage_error("dt write: -o FILE is required");
	c = pvctl_parse_offer_opts(hv, hf, NULL, &offer);
	if (c)
		return c;
	if (min && pvabi_version_parse(min, &offer.floor, why, sizeof(why)))
		return pvctl_usage_error("--min-version: %s", why);
	n = pvabi_fdt_write_offer(&offer, blob, sizeof(blob));
	if (n < 0)
		return pvctl_refuse(PVCTL_USAGE, pvabi_errname(n), NULL,
				    "dt write: %s", pvabi_strerror(n));
	return pvctl_write_file(out, blob, (size_t)n);
}

static int dt_read(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {0}};
	struct pvabi_offer offer;
	char why[256], feats[256], list[PVABI_VERSION_LIST_TEXT_MAX];
	bool json = false;
	void *blob;
	size_t len;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return pvctl_bad_option("dt read", argv, "");
		json = true;
	}
	if (argc - optind != 1)
		return pvctl_usage_error("dt read: want exactly one FILE.dtb");
	err = pvctl_read_file(argv[optind], &blob, &len);
	if (err)
		return err;
	err = pvabi_fdt_read_offer(blob, len, &offer, why, sizeof(why));
	free(blob);
	if (err)
		return pvctl_refuse(PVCTL_USAGE, pvabi_errname(err), NULL,
				    "%s: %s", argv[optind], why);

	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *v = json_object_new_array();

		for (pvabi_u32 i = 0; i < offer.n_versions; i++) {
			char s[16];

			snprintf(s, sizeof(s), "%u.%u", offer.versions[i].major,
				 offer.versions[i].minor);
			json_object_array_add(v, json_object_new_string(s));
		}
		json_object_object_add(o, "versions", v);
		if (offer.floor.major) {
			char s[16];

			snprintf(s, sizeof(s), "%u.%u", offer.floor.major,
				 offer.floor.minor);
			json_object_object_add(o, "min_version",
					       json_object_new_string(s));
		}
		json_object_object_add(o, "features",
				       pvctl_json_features(offer.features));
		pvctl_json_print(o);
		return PVCTL_OK;
	}
	pvabi_version_list_format(&offer, list, sizeof(list));
	printf("versions: %s", list);
	if (offer.floor.major)
		printf("\nmin-version: %u.%u", offer.floor.major,
		       offer.floor.minor);
	pvabi_features_format(offer.features, feats, sizeof(feats));
	printf("\nfeatures: %s\n", *feats ? feats : "none");
	return PVCTL_OK;
}

const struct pvctl_cmd pvctl_dt_cmds[] = {
	{"write", dt_write, "write a host offer as a device-tree blob",
	 "dt write --host-versions V,... [--host-features F,...] "
	 "[--min-version V] -o FILE.dtb",
	 "  --host-versions V,...   versions offered, e.g. 1.0,1.2\n"
	 "  --host-features F,...   features offered (pvctl abi show)\n"
	 "  --min-version V         offer nothing below V\n"
	 "  -o, --output FILE       where to write the blob (- for stdout)\n",
	 NULL},
	{"read", dt_read, "read and validate the offer in a device-tree blob",
	 "dt read FILE.dtb [--json]",
	 "  --json   {\"versions\":[\"1.0\",...],\"features\":[...]}\n"
	 "Exit status: 0 valid, 2 malformed or unreadable.\n",
	 NULL},
	{0}};
