// SPDX-License-Identifier: GPL-2.0-or-later
/* pvvm: a small KVM monitor for pvabi guests; main and the command table. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int cmd_help(int argc, char **argv);

static const struct pvvm_cmd commands[] = {
	{"run", cmd_run, "run a guest", cmd_run_usage},
	{"bench", cmd_bench,
	 "measure exits, privileged operations and "
	 "interrupt latency",
	 cmd_bench_usage},
	{"hostile", cmd_hostile,
	 "a hostile guest beside a well-behaved one: the host holds",
	 cmd_hostile_usage},
	{"help", cmd_help, "show help for a command", "help [COMMAND]\n"},
	{0}};

static void usage(FILE *f)
{
	fprintf(f, "Usage: pvvm <command> [<args>]\n\nCommands:\n");
	for (const struct pvvm_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'pvvm help <command>' for its options.  Exit "
		   "status: 0 ok, 1 failed, 2 bad usage, 77 no usable KVM.\n");
}

static const struct pvvm_cmd *find(const char *name)
{
	for (const struct pvvm_cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct pvvm_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "pvvm: '%s' is not a command\n", argv[1]);
		return PVVM_EXIT_USAGE;
	}
	printf("Usage: pvvm %s", c->usage);
	return 0;
}

int main(int argc, char **argv)
{
	const struct pvvm_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return PVVM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr,
			"pvvm: '%s' is not a command; see 'pvvm help'\n",
			argv[1]);
		return PVVM_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
