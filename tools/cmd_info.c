// SPDX-License-Identifier: MIT
/* svart info: placeholder until the platform probe lands (issue 2, in progress). */
#include <stdio.h>

#include "tools/cli.h"

int cmd_info(int argc, char **argv)
{
	printf("svart info: platform probe not built yet\n");
	return CLI_EXIT_OK;
}
