// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl sim: the delivery stress test on real threads (tools/sim/stress.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "stress.h"

const char pvctl_sim_help[] =
	"  --vcpus N         guest threads, 1..64 (1)\n"
	"  --injections N    interrupts to inject, 1..4294967295 (100000)\n"
	"  --no-notify       no notification page: the host of the seed\n"
	"  --seed S          random seed (1)\n"
	"  --json            {\"injected\":N,\"delivered\":N,\"lost\":N,"
	"\"duplicated\":N,\n"
	"                    \"stalled\":N,\"in_critical\":N,\"deferred\":N,"
	"\"notify_traps\":N,\n"
	"                    \"max_delay_us\":N}\n"
	"stalled: delivered 100 ms or more late to a guest idling with\n"
	"interrupts on, by the exit the deferral bound (100 ms) kicked: "
	"nothing\n"
	"else brought the host back.  in_critical: delivered inside a "
	"critical\n"
	"section or with interrupts off.  max_delay_us includes the "
	"scheduler's\n"
	"delay in running a kicked thread (the text output shows it apart).\n"
	"Exit status: 0 every interrupt delivered once, in order, never "
	"inside\n"
	"a critical section (and, with the notification page, none stalled);\n"
	"1 otherwise; 2 bad usage.\n";

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char why[128];

	if (pvabi_u64_parse(s, min, max, out, why, sizeof(why)))
		return pvctl_usage_error("%s: %s", opt, why);
	return 0;
}

int pvctl_sim_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vcpus", required_argument, NULL, 'v'},
		{"injections", required_argument, NULL, 'n'},
		{"no-notify", no_argument, NULL, 'N'},
		{"seed", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{0}};
	struct pvsim_opts o = {
		.vcpus = 1, .injections = 100000, .notify = true, .seed = 1};
	struct json_object *j = NULL;
	struct pvsim_result r;
	uint64_t v;
	bool json = false, bad;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (parse_u64("--vcpus", optarg, 1, PVSIM_MAX_VCPUS,
				      &v))
				return PVCTL_USAGE;
			o.vcpus = (unsigned)v;
			break;
		case 'n':
			if (parse_u64("--injections", optarg, 1, UINT32_MAX,
				      &o.injections))
				return PVCTL_USAGE;
			break;
		case 'N': o.notify = false; break;
		case 's':
			if (parse_u64("--seed", optarg, 0, UINT64_MAX, &o.seed))
				return PVCTL_USAGE;
			break;
		case 'j': json = true; break;
		default: return pvctl_bad_option("sim", argv, "");
		}
	}
	if (optind != argc)
		return pvctl_usage_error("sim: unexpected '%s'", argv[optind]);

	err = pvsim_run(&o, &r);
	if (err)
		return pvctl_error(PVCTL_REFUSED, "sim: %s", strerror(-err));

	bad = r.lost || r.duplicated || r.reordered || r.in_critical ||
	      (o.notify && r.stalled);
	if (json) {
		const struct {
			const char *key;
			uint64_t val;
		} keys[] = {
			{"injected", r.injected},
			{"delivered", r.delivered},
			{"lost", r.lost},
			{"duplicated", r.duplicated},
			{"stalled", r.stalled},
			{"in_critical", r.in_critical},
			{"deferred", r.deferred},
			{"notify_traps", r.notify_traps},
			{"max_delay_us", r.max_delay_ns / 1000},
		};

		j = json_object_new_object();
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_object_add(
				j, keys[i].key,
				json_object_new_int64((int64_t)keys[i].val));
		if (!bad)
			pvctl_json_print(j);
	} else {
		printf("notification page: %s\n"
		       "injected:     %" PRIu64 "\n"
		       "delivered:    %" PRIu64 "\n"
		       "lost:         %" PRIu64 "\n"
		       "duplicated:   %" PRIu64 "\n"
		       "out of order: %" PRIu64 "\n"
		       "stalled:      %" PRIu64
		       "  (>= 100 ms late, guest idle)\n"
		       "in_critical:  %" PRIu64 "\n"
		       "forced:       %" PRIu64 "\n"
		       "deferred:     %" PRIu64 "\n"
		       "notify_traps: %" PRIu64 "  (real SIGSEGVs)\n"
		       "kicks:        %" PRIu64 "\n"
		       "max delay:    %" PRIu64 " us\n"
		       "max kick:     %" PRIu64 " us  (signal to handler: the "
		       "scheduler's share)\n"
		       "time:         %.2f s\n",
		       o.notify ? "on" : "off", r.injected, r.delivered, r.lost,
		       r.duplicated, r.reordered, r.stalled, r.in_critical,
		       r.forced, r.deferred, r.notify_traps, r.kicks,
		       r.max_delay_ns / 1000, r.max_kick_ns / 1000, r.seconds);
	}
	/* A failed run is a refusal; with --json its counters go with it. */
	if (bad)
		return pvctl_refuse(
			PVCTL_REFUSED, "delivery-failed", j,
			"sim: %" PRIu64 " lost, %" PRIu64
			" duplicated, %" PRIu64 " out of order, %" PRIu64
			" inside a critical section, %" PRIu64 " stalled",
			r.lost, r.duplicated, r.reordered, r.in_critical,
			r.stalled);
	return PVCTL_OK;
}
