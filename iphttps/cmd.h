/* SPDX-License-Identifier: ISC */
/* cmd: the subcommands of iphttps, one file each. Exit codes: 0 success, 1 failure, 2 usage. */
#ifndef IPHTTPS_CMD_H
#define IPHTTPS_CMD_H

int connect_main(int argc, char **argv);
int status_main(int argc, char **argv);
int portproxy_main(int argc, char **argv);
int probe_main(int argc, char **argv);

#endif
