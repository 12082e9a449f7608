// SPDX-License-Identifier: MIT
/*
 * svart: the command-line tool. `svart <command> [options]`; each command lives in its own
 * file (tools/cmd_<name>.c) and is listed in the table below.
 */
#include <stdio.h>
#include <string.h>

#include "svart.h"
#include "tools/cli.h"

static const struct cli_cmd cli_cmds[] = {
	{ "bench", "benchmark the operations against their CPU baselines (GB/s, ratios, plot)",
	  cmd_bench },
	{ "info",
	  "show this host's platform: CPU features, devices, work queues, which "
	  "platforms can run",
	  cmd_info },
	{ "sim", "run a program on the simulated platform (LD_PRELOAD, no recompiling)", cmd_sim },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: svart <command> [options]\n       svart --version | --help\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].help);
	fprintf(f, "\n'svart <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("svart %s\n", svart_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (!strcmp(argv[1], cli_cmds[i].name))
			return cli_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "svart: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
