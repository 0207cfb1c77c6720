// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench: what a hostile guest's negotiation request costs the host,
 * against an ordinary request measured in the same run.  The kernel module
 * runs pvabi_negotiate() for every PVABI_HC_NEGOTIATE hypercall, so the
 * widest range a guest can ask for must cost about what an ordinary one
 * does.  Target: every hostile case within 10 times the baseline.
 * Writes bench/negotiate-hostile.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "pvabi/pvabi.h"

#define TARGET_RATIO 10.0

struct bench_case {
	const char *name;
	struct pvabi_request req;
};

/* Nanoseconds per call, the best of five runs of @n calls. */
static double measure(const struct pvabi_offer *o,
		      const struct pvabi_request *r, long n)
{
	double best = 0;

	for (int run = 0; run < 5; run++) {
		struct pvabi_result res;
		volatile int sink = 0;
		double t0 = now_ns(), t;

		for (long i = 0; i < n; i++)
			sink += pvabi_negotiate(o, r, &res);
		t = (now_ns() - t0) / (double)n;
		if (!run || t < best)
			best = t;
		(void)sink;
	}
	return best;
}

int main(void)
{
	struct pvabi_offer offer = {.n_versions = PVABI_OFFER_MAX_VERSIONS,
				    .features = PVABI_F_ALL_1_0};
	const struct bench_case cases[] = {
		{"ordinary: 1.0-1.9", {{1, 0}, {1, 9}, 1, 0, 0, 0}},
		{"hostile: 1.0-65535.65535",
		 {{1, 0}, {65535, 65535}, ~0ull, 0, 0, 0}},
		{"hostile: 1.100-65535.65535, no match",
		 {{1, 100}, {65535, 65535}, ~0ull, 0, 0, 0}},
		{"hostile: 2.0-65535.65535, no match",
		 {{2, 0}, {65535, 65535}, 0, 0, 0, 0}},
	};
	const int n = sizeof(cases) / sizeof(cases[0]);
	double ns[sizeof(cases) / sizeof(cases[0])], worst = 0;
	FILE *f;
	int ok;

	/* The largest offer: sixteen minors of major 1. */
	for (int i = 0; i < PVABI_OFFER_MAX_VERSIONS; i++)
		offer.versions[i] = (struct pvabi_version){1, (pvabi_u16)i};
	for (int i = 0; i < n; i++)
		ns[i] = measure(&offer, &cases[i].req, 20000);

	printf("%-40s %12s %8s\n", "negotiation request", "ns/call", "ratio");
	for (int i = 0; i < n; i++) {
		double ratio = ns[i] / ns[0];

		if (ratio > worst)
			worst = ratio;
		printf("%-40s %12.1f %8.2f\n", cases[i].name, ns[i], ratio);
	}
	ok = worst <= TARGET_RATIO;
	printf("worst hostile/ordinary ratio %.2f, target <= %.0f: %s\n", worst,
	       TARGET_RATIO, ok ? "pass" : "FAIL");

	f = fopen("bench/negotiate-hostile.json", "w");
	if (!f) {
		perror("bench/negotiate-hostile.json");
		return 1;
	}
	fprintf(f,
		"{\"bench\":\"negotiate-hostile\",\"target_ratio\":%.1f,"
		"\"worst_ratio\":%.3f,\"pass\":%s,\"cases\":[",
		TARGET_RATIO, worst, ok ? "true" : "false");
	for (int i = 0; i < n; i++)
		fprintf(f,
			"%s{\"name\":\"%s\",\"ns_per_call\":%.1f,\"ratio\":%."
			"3f}",
			i ? "," : "", cases[i].name, ns[i], ns[i] / ns[0]);
	fprintf(f, "]}\n");
	fclose(f);
	return ok ? 0 : 1;
}
