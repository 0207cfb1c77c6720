// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl: the one command-line front door to pvabi.
 *
 * Built three times, each program linking only what its commands need,
 * as loading and relocating a shared library is most of a short command's
 * cost: pvctl, what the user runs, has the offline commands (abi, dt,
 * state, patch: libpvabi and json-c; a patch scan, issue 18); pvctl-bus
 * (PVCTL_BUS_PROG) adds the VM commands, pvctld's clients (sd-bus; a list
 * of a thousand VMs, issue 22); pvctl-host (PVCTL_HOST) has every command
 * and links libpvctl, libnl and libxml2 too, for the kernel-module and
 * hook ones.  pvctl and pvctl-bus hand a command line they do not serve,
 * help included, unchanged to the next (exec); both others are installed
 * in pkglibexecdir.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvctl.h"

const char *pvctl_prog = "pvctl";

#ifdef PVCTL_HOST
static int cmd_help(int argc, char **argv);
#endif

/* Every command: groups point at their verbs, leaves have a run function. */
static const struct pvctl_cmd commands[] = {
	{"abi", NULL, "show the magic-page ABI and negotiate versions",
	 "abi <verb> ...", NULL, pvctl_abi_cmds},
	{"dt", NULL, "write and read the device-tree offer", "dt <verb> ...",
	 NULL, pvctl_dt_cmds},
	{"state", NULL, "show, convert and check migration state streams",
	 "state <verb> ...", NULL, pvctl_state_cmds},
	{"patch", NULL, "find and rewrite privileged PowerPC instructions",
	 "patch <verb> ...", NULL, pvctl_patch_cmds},
#ifdef PVCTL_HOST
	{"kmod", NULL, "look at the pvabi.ko kernel module", "kmod <verb> ...",
	 NULL, pvctl_kmod_cmds},
	{"sim", pvctl_sim_run,
	 "stress the interrupt delivery protocol on real threads and traps",
	 "sim [--vcpus N] [--injections N] [--no-notify] [--seed S] [--json]",
	 pvctl_sim_help, NULL},
	{"help", cmd_help, "show help for a command", "help [COMMAND [VERB]]",
	 NULL, NULL},
#endif
	{0}};

/* Top-level verbs that belong to no group, from their own files. */
static const struct pvctl_cmd *const top_level[] = {
	commands,
#if defined(PVCTL_HOST) || defined(PVCTL_BUS_PROG)
	pvctl_vm_cmds,
#endif
#ifdef PVCTL_HOST
	pvctl_hook_cmds,
#endif
};
#define N_TOP (sizeof(top_level) / sizeof(top_level[0]))

static void list(FILE *f, const struct pvctl_cmd *table)
{
	for (const struct pvctl_cmd *c = table; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s <command> [<args>] [--json]\n\n"
		"Available commands:\n",
		pvctl_prog);
	for (size_t i = 0; i < N_TOP; i++)
		list(f, top_level[i]);
	fprintf(f,
		"\nRun '%s help <command>' for the options of one.\n"
		"Exit status: 0 ok, 1 refused, 2 bad usage or input, "
		"3 daemon or kernel module unreachable.\n",
		pvctl_prog);
}

static const struct pvctl_cmd *find(const struct pvctl_cmd *table,
				    const char *name)
{
	if (table == commands) {
		for (size_t i = 1; i < N_TOP; i++) {
			const struct pvctl_cmd *c = find(top_level[i], name);

			if (c)
				return c;
		}
	}
	for (const struct pvctl_cmd *c = table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int pvctl_help_for(const struct pvctl_cmd *cmd, const char *group)
{
	if (cmd->verbs) {
		printf("Usage: %s %s <verb> ...\n\n%s\n\nVerbs:\n", pvctl_prog,
		       cmd->name, cmd->summary);
		list(stdout, cmd->verbs);
		printf("\nRun '%s help %s <verb>' for the options of one.\n",
		       pvctl_prog, cmd->name);
		return PVCTL_OK;
	}
	/* A verb's usage already starts with its group ("dt write ..."). */
	printf("Usage: %s %s\n\n%s\n", pvctl_prog, cmd->usage, cmd->summary);
	if (cmd->help)
		printf("\n%s", cmd->help);
	return PVCTL_OK;
}

#ifdef PVCTL_HOST
static int cmd_help(int argc, char **argv)
{
	const struct pvctl_cmd *c, *v;

	if (argc < 2) {
		usage(stdout);
		return PVCTL_OK;
	}
	c = find(commands, argv[1]);
	if (!c)
		return pvctl_usage_error("'%s' is not a command; see '%s help'",
					 argv[1], pvctl_prog);
	if (argc < 3 || !c->verbs)
		return pvctl_help_for(c, NULL);
	v = find(c->verbs, argv[2]);
	if (!v)
		return pvctl_usage_error(
			"'%s %s' is not a command; see '%s help %s'", argv[1],
			argv[2], pvctl_prog, argv[1]);
	return pvctl_help_for(v, c->name);
}
#endif

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int pvctl_dispatch(const struct pvctl_cmd *table, const char *group, int argc,
		   char **argv)
{
	const struct pvctl_cmd *c;

	if (argc < 2 || is_help(argv[1])) {
		FILE *f = argc < 2 ? stderr : stdout;

		if (!group)
			usage(f);
		else {
			fprintf(f, "Usage: %s %s <verb> ...\n\nVerbs:\n",
				pvctl_prog, group);
			list(f, table);
		}
		return argc < 2 ? PVCTL_USAGE : PVCTL_OK;
	}
	c = find(table, argv[1]);
	if (!c)
		return pvctl_usage_error(
			"'%s%s%s' is not a command; see '%s help%s%s'",
			group ? group : "", group ? " " : "", argv[1],
			pvctl_prog, group ? " " : "", group ? group : "");
	if (c->verbs)
		return pvctl_dispatch(c->verbs, c->name, argc - 1, argv + 1);
	for (int i = 2; i < argc; i++)
		if (is_help(argv[i]))
			return pvctl_help_for(c, group);
	return c->run(argc - 1, argv + 1);
}

void pvctl_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

struct json_object *pvctl_json_features(pvabi_u64 mask)
{
	struct json_object *arr = json_object_new_array();
	size_t nf;
	const struct pvabi_feature_info *f = pvabi_features(&nf);

	for (size_t i = 0; i < nf; i++)
		if (mask & f[i].bit)
			json_object_array_add(
				arr, json_object_new_string(f[i].name));
	for (unsigned bit = 0; bit < 64; bit++) {
		char name[8];
		bool known = false;

		if (!(mask & (1ull << bit)))
			continue;
		for (size_t i = 0; i < nf; i++)
			known |= f[i].bit == 1ull << bit;
		if (known)
			continue;
		snprintf(name, sizeof(name), "bit%u", bit);
		json_object_array_add(arr, json_object_new_string(name));
	}
	return arr;
}

/* All of @f into memory; the caller frees *data.  At most 64 MiB: nothing
 * pvctl reads (device trees, offers, state streams) comes near that. */
static int read_stream(FILE *f, const char *path, void **data, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), *nb;

	if (!buf)
		return pvctl_refuse(PVCTL_USAGE, "no-memory", NULL,
				    "%s: out of memory", path);
	while ((got = fread(buf + n, 1, cap - n, f))) {
		n += got;
		if (n < cap)
			continue;
		nb = cap >= 64u << 20 ? NULL : realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			return pvctl_refuse(PVCTL_USAGE, "too-large", NULL,
					    "%s: larger than 64 MiB", path);
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		return pvctl_refuse(PVCTL_USAGE, "io-error", NULL,
				    "%s: read error", path);
	}
	*data = buf;
	*len = n;
	return PVCTL_OK;
}

/* A whole file, or standard input for "-"; the caller frees *data. */
int pvctl_read_file(const char *path, void **data, size_t *len)
{
	FILE *opened = NULL;
	int r;

	if (strcmp(path, "-") && !(opened = fopen(path, "rb")))
		return pvctl_refuse(PVCTL_USAGE, "io-error", NULL, "%s: %s",
				    path, strerror(errno));
	r = read_stream(opened ? opened : stdin, path, data, len);
	if (opened)
		fclose(opened);
	return r;
}

int pvctl_parse_offer_opts(const char *versions, const char *features,
			   const char *dtb, struct pvabi_offer *offer)
{
	char why[256];
	int err;

	memset(offer, 0, sizeof(*offer));
	if (dtb) {
		void *blob;
		size_t len;

		if (versions || features)
			return pvctl_usage_error(
				"--host-dtb replaces --host-versions and "
				"--host-features");
		err = pvctl_read_file(dtb, &blob, &len);
		if (err)
			return err;
		err = pvabi_fdt_read_offer(blob, len, offer, why, sizeof(why));
		free(blob);
		if (err)
			return pvctl_refuse(PVCTL_USAGE, pvabi_errname(err),
					    NULL, "%s: %s", dtb, why);
		return PVCTL_OK;
	}
	if (!versions)
		return pvctl_usage_error("--host-versions is required");
	if (pvabi_version_list_parse(versions, offer, why, sizeof(why)))
		return pvctl_usage_error("--host-versions: %s", why);
	if (features &&
	    pvabi_features_parse(features, &offer->features, why, sizeof(why)))
		return pvctl_usage_error("--host-features: %s", why);
	return PVCTL_OK;
}

#ifndef PVCTL_HOST
/* The next program (PVCTL_NEXT_PATH: pvctl-bus after pvctl, pvctl-host
 * after pvctl-bus) beside this one (the build tree), else the installed
 * one.  Returns only when neither could be run. */
static void exec_next(char **argv)
{
	const char *name = strrchr(PVCTL_NEXT_PATH, '/');
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n > 0) {
		path[n] = 0;
		slash = strrchr(path, '/');
		if (slash &&
		    (size_t)(slash - path) + strlen(name) < sizeof(path)) {
			strcpy(slash, name);
			execv(path, argv);
		}
	}
	execv(PVCTL_NEXT_PATH, argv);
}
#endif

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("pvctl %s (ABI %d.%d)\n", PACKAGE_VERSION,
		       PVABI_VERSION_MAJOR, PVABI_VERSION_MINOR);
		return PVCTL_OK;
	}
#ifndef PVCTL_HOST
	if (argc < 2 || !find(commands, argv[1])) {
		exec_next(argv);
		fprintf(stderr, "%s: %s: %s\n", pvctl_prog, PVCTL_NEXT_PATH,
			strerror(errno));
		return PVCTL_UNREACHABLE;
	}
#endif
	/* Decided before any parsing, so that a bad option or an unknown verb
	 * is refused in JSON too (output.c); "--" ends the options. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		pvctl_json_mode |= !strcmp(argv[i], "--json");
	/* getopt's own messages are not one refusal: pvctl_bad_option is. */
	opterr = 0;
	return pvctl_dispatch(commands, NULL, argc, argv);
}
