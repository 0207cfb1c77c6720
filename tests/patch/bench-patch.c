// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-patch (make bench): how fast the patcher scans a real Debian
 * ppc64el kernel, against `objdump -d | grep` on the same file in the same
 * run.  Prints a table, writes bench/patch.json, and says PASS when both
 * the library scan and the whole `pvctl patch scan` are at least 200
 * times faster than the baseline (issue 18's target).
 *
 *   bench-patch [VMLINUX]     default: tests/patch/fetch-kernel.sh's kernel
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"

#define TARGET 200.0
#define RUNS   9

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Wall time of a shell command, its first output line in @out. */
static double time_cmd(const char *cmd, char *out, size_t outlen)
{
	double t0 = now();
	FILE *p = popen(cmd, "r");

	out[0] = 0;
	if (!p)
		return -1;
	if (!fgets(out, (int)outlen, p))
		out[0] = 0;
	while (fgetc(p) != EOF)
		;
	if (pclose(p))
		return -1;
	out[strcspn(out, "\n")] = 0;
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *pvctl = BUILDDIR "/tools/pvctl/pvctl";
	char path[4096], line[256], cmd[8192];
	struct pvabi_elf_info info;
	double lib[RUNS], cli[RUNS], dump, t_lib, t_cli, mb;
	unsigned char *img;
	struct stat st;
	long sites = 0;
	FILE *f;
	bool pass;

	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else if (time_cmd(SRCDIR "/tests/patch/fetch-kernel.sh", path,
			    sizeof(path)) < 0 ||
		   !path[0]) {
		printf("bench-patch: SKIP: can't fetch the kernel package\n");
		return 0;
	}
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "bench-patch: %s: %s\n", path, strerror(errno));
		return 1;
	}
	img = malloc((size_t)st.st_size);
	if (!img ||
	    fread(img, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "bench-patch: %s: read error\n", path);
		return 1;
	}
	fclose(f);

	for (int i = 0; i < RUNS; i++) {
		double t0 = now();

		sites = pvabi_elf_scan(img, (unsigned long)st.st_size,
				       PVABI_F_ALL_1_0 & ~PVABI_F_BOOKE, NULL,
				       NULL, &info);
		lib[i] = now() - t0;
	}
	if (sites < 0) {
		fprintf(stderr, "bench-patch: %s\n",
			pvabi_strerror((int)sites));
		return 1;
	}
	/* The program as installed: in the build tree tools/pvctl/pvctl is
	 * libtool's wrapper script (a shell, sed, then this exec), which no
	 * user runs; it only adds libpvabi's build directory to the path. */
	if (!access(BUILDDIR "/tools/pvctl/.libs/pvctl", X_OK)) {
		pvctl = BUILDDIR "/tools/pvctl/.libs/pvctl";
		setenv("LD_LIBRARY_PATH", BUILDDIR "/libpvabi/.libs", 1);
	}
	for (int i = 0; i < RUNS; i++) {
		snprintf(cmd, sizeof(cmd), "%s patch scan --json '%s'", pvctl,
			 path);
		cli[i] = time_cmd(cmd, line, sizeof(line));
		if (cli[i] < 0) {
			fprintf(stderr,
				"bench-patch: pvctl patch scan failed\n");
			return 1;
		}
	}
	snprintf(cmd, sizeof(cmd),
		 "%s -d '%s' | grep -cE "
		 "'[[:space:]](mfmsr|mtmsrd?|m[ft]sprg[0-7]?|"
		 "m[ft]srr[01]|m[ft]dar|m[ft]dsisr|tlbsync|wrteei?|mtsrin)([[:"
		 "space:]]|$)'",
		 PPC64LE_OBJDUMP, path);
	dump = time_cmd(cmd, line, sizeof(line));
	if (dump < 0) {
		fprintf(stderr, "bench-patch: %s\n", cmd);
		return 1;
	}
	t_lib = median(lib, RUNS);
	t_cli = median(cli, RUNS);
	mb = (double)info.text_bytes / 1e6;
	pass = dump / t_lib >= TARGET && dump / t_cli >= TARGET;

	printf("scan of %s: %.1f MB of code (%.1f MB file), %ld sites "
	       "(objdump|grep counted %s lines)\n\n",
	       path, mb, (double)st.st_size / 1e6, sites, line);
	printf("%-28s %10s %10s %10s\n", "method", "seconds", "MB/s",
	       "vs objdump");
	printf("%-28s %10.4f %10.0f %9.0fx\n", "libpvabi pvabi_elf_scan()",
	       t_lib, mb / t_lib, dump / t_lib);
	printf("%-28s %10.4f %10.0f %9.0fx\n", "pvctl patch scan (process)",
	       t_cli, mb / t_cli, dump / t_cli);
	printf("%-28s %10.4f %10.1f %9.0fx\n", "objdump -d | grep (baseline)",
	       dump, mb / dump, 1.0);
	printf("\ntarget: >= %.0fx faster than objdump -d | grep: %s\n", TARGET,
	       pass ? "PASS" : "FAIL");

	if (mkdir("bench", 0755) && errno != EEXIST)
		return 1;
	f = fopen("bench/patch.json", "w");
	if (!f)
		return 1;
	fprintf(f,
		"{\"file\":\"%s\",\"file_bytes\":%lld,\"text_bytes\":%lu,"
		"\"sites\":%ld,\"runs\":%d,"
		"\"lib_seconds\":%.6f,\"lib_mb_per_s\":%.1f,\"lib_ratio\":%.1f,"
		"\"cli_seconds\":%.6f,\"cli_mb_per_s\":%.1f,\"cli_ratio\":%.1f,"
		"\"objdump_seconds\":%.6f,\"objdump_mb_per_s\":%.2f,"
		"\"target_ratio\":%.0f,\"pass\":%s}\n",
		path, (long long)st.st_size, info.text_bytes, sites, RUNS,
		t_lib, mb / t_lib, dump / t_lib, t_cli, mb / t_cli,
		dump / t_cli, dump, mb / dump, TARGET, pass ? "true" : "false");
	fclose(f);
	free(img);
	return pass ? 0 : 1;
}
