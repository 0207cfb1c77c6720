// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_bench.c - pvvm bench (to be written). */
#include "cmd.h"

const char cmd_bench_usage[] = "bench [--json]\n";

int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
