/* SPDX-License-Identifier: MIT */
/* The svart CLI's commands. Exit statuses: 0 ok, 1 failure, 2 usage error. */
#ifndef SVART_TOOLS_CLI_H
#define SVART_TOOLS_CLI_H

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	const char *help;
	/* argv[0] is the command name; returns the process exit status. */
	int (*fn)(int argc, char **argv);
};

int cmd_bench(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sim(int argc, char **argv);

#endif
