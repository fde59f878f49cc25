/* SPDX-License-Identifier: ISC */
/*
 * ppconf: the client's list of v4-to-v6 port proxies (issue #3), with netsh's meaning
 * (`netsh interface portproxy add v4tov6`): listen on an IPv4 address and port, connect to an
 * IPv6 address and port, so that an application that can only dial IPv4 reaches an IPv6-only
 * intranet host through the tunnel. This module is the list, its file and its netsh-style
 * arguments; iphttps/relay serves it and iphttps/portproxy.c is the command.
 *
 * File (PPCONF_DEFAULT), read with lib/conf, one entry per line, `#` comments:
 *     v4tov6 LISTENADDR LISTENPORT CONNECTADDR CONNECTPORT
 *     v4tov6 127.0.0.1 8080 2001:db8::80 80
 * Addresses are numeric only, never host names: netsh resolves a connectaddress name, but here
 * a name resolved when the entry is added would freeze one answer into the file, and one
 * resolved per connection would need a resolver inside the client's event loop, where a
 * blocking getaddrinfo would stall the tunnel itself. An IPv6 address may be written bare
 * (2001:db8::80, as netsh takes it) or in brackets ([2001:db8::80]).
 */
#ifndef IPHTTPS_PPCONF_H
#define IPHTTPS_PPCONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PPCONF_DEFAULT	"/etc/iphttps/portproxy.conf"
#define PPCONF_MAX	64
#define PPCONF_FILE_MAX (64 * 1024) /* bytes: 64 entries and generous comments */

/*
 * The default listen address. A port proxy is an unauthenticated relay into the intranet: on
 * 0.0.0.0 anyone who can reach this machine (its LAN, a hotel network) could use the tunnel.
 * Local applications are the point, so loopback unless the administrator asks for more.
 */
#define PPCONF_LISTEN_DEFAULT "127.0.0.1"

struct ppconf_entry {
	struct sockaddr_in listen;   /* AF_INET, port non-zero */
	struct sockaddr_in6 connect; /* AF_INET6, port non-zero, no scope id */
};

struct ppconf {
	struct ppconf_entry e[PPCONF_MAX];
	size_t n;
};

/*
 * Reads path into c. A missing file (ENOENT) is an empty list and returns 0. Any other failure,
 * and every bad line of the file ("PATH:LINE: message"), is logged through log_errx; then -1
 * and c is left empty, so that a caller holding an older list keeps it (load into a scratch
 * struct) and a caller about to rewrite the file does not drop lines it could not read.
 */
int ppconf_load(const char *path, struct ppconf *c);

/*
 * Parses the file format from memory; name prefixes the messages. Returns the number of
 * errors (each logged with its line); c holds the good lines. For tests and fuzzers.
 */
int ppconf_parse(struct ppconf *c, const char *text, size_t len, const char *name);

/* Writes c in the file format, with a comment header. -1 with errno if out failed. */
int ppconf_print(const struct ppconf *c, FILE *out);

/*
 * Writes path atomically: a temporary file in the same directory (mode 0644), fsync, rename,
 * fsync of the directory; the directory is created with mode 0755 if missing (one level).
 * Errors are logged; -1 with errno.
 */
int ppconf_save(const char *path, const struct ppconf *c);

/*
 * Adds e. An entry with the same listen address and port is replaced in place (netsh's `add`
 * on an existing listener). -1 with errno ENOSPC when the list holds PPCONF_MAX entries, or
 * EADDRINUSE when another entry listens on the same port with an overlapping address (one of
 * them 0.0.0.0): the kernel would refuse to bind both (ppconf_overlap names it).
 */
int ppconf_add(struct ppconf *c, const struct ppconf_entry *e);

/* Removes the entry listening on exactly this address and port; -1 (ENOENT) if there is none. */
int ppconf_delete(struct ppconf *c, const struct sockaddr_in *listen);

/* The index of the entry whose listener overlaps `listen` without being equal, or -1. */
int ppconf_overlap(const struct ppconf *c, const struct sockaddr_in *listen);

/*
 * netsh-style arguments, the words after `add v4tov6` or `delete v4tov6`:
 *     listenport=N [listenaddress=A] connectaddress=B [connectport=M] [protocol=tcp]
 * Keys are case-insensitive, as netsh's tags; each may be given once. listenaddress defaults to
 * PPCONF_LISTEN_DEFAULT and must be an IPv4 literal; connectaddress must be an IPv6 literal
 * (no name resolution, see above); connectport defaults to listenport. need_connect false
 * (delete) takes only listenport, listenaddress and protocol, and zeroes e->connect.
 * Returns 0, or -1 with a message for the user in err.
 */
int ppconf_parse_netsh(int argc, char **argv, struct ppconf_entry *e, bool need_connect, char *err,
		       size_t errlen);

#endif
