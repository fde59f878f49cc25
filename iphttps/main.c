/* SPDX-License-Identifier: ISC */
/*
 * iphttps: the IP-HTTPS client and tool. A subcommand table (wireguard-tools' wg.c in spirit):
 * each subcommand is a *_main(argc, argv) in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "iphttps/cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} main_cmds[] = {
    {"connect", connect_main, "connect to an IP-HTTPS server and bring the link up"},
    {"status", status_main, "show the interface status and LastErrorCode, as Windows does"},
    {"portproxy", portproxy_main, "v4-to-v6 port proxies for IPv4-only applications"},
    {"probe", probe_main, "tell what answers at an IP-HTTPS URL, audit its TLS, explain failures"},
};

static void main_usage(FILE *out)
{
	fprintf(out, "usage: iphttps COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		fprintf(out, "  %-10s %s\n", main_cmds[i].name, main_cmds[i].help);
	fprintf(out, "\n`iphttps COMMAND --help` describes each.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		main_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (strcmp(argv[1], main_cmds[i].name) == 0)
			return main_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "iphttps: unknown command '%s'\n", argv[1]);
	main_usage(stderr);
	return 2;
}
