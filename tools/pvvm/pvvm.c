// SPDX-License-Identifier: GPL-2.0-or-later
/* pvvm: a small KVM monitor for pvabi guests; main and the command table. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int cmd_help(int argc, char **argv);

static const struct pvvm_cmd commands[] = {
	{"run", cmd_run, "run a guest", cmd_run_usage, cmd_run_help},
	{"bench", cmd_bench,
	 "measure exits, privileged operations and "
	 "interrupt latency",
	 cmd_bench_usage, cmd_bench_help},
	{"hostile", cmd_hostile,
	 "a hostile guest beside a well-behaved one: the host holds",
	 cmd_hostile_usage, cmd_hostile_help},
	{"help", cmd_help, "show help for a command", "help [COMMAND]", NULL},
	{0}};

static void usage(FILE *f)
{
	fprintf(f, "Usage: pvvm <command> [<args>]\n\nCommands:\n");
	for (const struct pvvm_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'pvvm help <command>' for its options.  Exit "
		   "status: 0 ok, 1 failed, 2 bad usage, 3 no usable KVM.\n");
}

static const struct pvvm_cmd *find(const char *name)
{
	for (const struct pvvm_cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int help_for(const struct pvvm_cmd *c)
{
	printf("Usage: pvvm %s\n\n%s\n", c->usage, c->summary);
	if (c->help)
		printf("\n%s", c->help);
	return PVVM_EXIT_OK;
}

static int cmd_help(int argc, char **argv)
{
	const struct pvvm_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return PVVM_EXIT_OK;
	}
	c = find(argv[1]);
	if (!c)
		return usage_error("'%s' is not a command; see 'pvvm help'",
				   argv[1]);
	return help_for(c);
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
	const struct pvvm_cmd *c;

	if (argc < 2 || is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PVVM_EXIT_USAGE : PVVM_EXIT_OK;
	}
	c = find(argv[1]);
	if (!c)
		return usage_error("'%s' is not a command; see 'pvvm help'",
				   argv[1]);
	for (int i = 2; i < argc; i++)
		if (is_help(argv[i]))
			return help_for(c);
	return c->run(argc - 1, argv + 1);
}
