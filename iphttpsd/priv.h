/* SPDX-License-Identifier: ISC */
/*
 * priv: the privileged half of iphttpsd (OpenBSD privsep in spirit). As root it prepares the
 * state directory, the self-signed certificate and the link prefix, opens the TUN device, the
 * listeners and the control socket, then forks the gateway worker, which drops to an
 * unprivileged user. The parent stays behind, small, to read the configuration and key files
 * again on SIGHUP (the worker can no longer read a 0600 root key) and to forward signals.
 * Functions that run as root carry the priv_ prefix.
 *
 * Messages on the socketpair: a header {type, len[3]} then up to three byte strings.
 */
#ifndef IPHTTPSD_PRIV_H
#define IPHTTPSD_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iphttpsd/gw.h"

#define PRIV_PART_MAX (4u * 1024 * 1024)

enum priv_type {
	PRIV_RELOAD_REQ = 1, /* worker -> parent: please send configuration and certificates */
	PRIV_RELOAD = 2,     /* parent -> worker: configuration text, certificate PEM, key PEM */
};

struct priv_msg {
	uint32_t type;
	uint32_t len[3];
	char *part[3];
};

int priv_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen,
	      const void *c, size_t clen);
/* Blocking receive of one whole message (bounded sizes, 5 s timeout); -1 on EOF or error. */
int priv_recv(int fd, struct priv_msg *m);
void priv_msg_free(struct priv_msg *m);

/* Resolves the prefix, certificate, TUN, sockets into *s (root). -1 with the reason logged. */
int priv_setup(struct gw_setup *s);
/* Reads the certificate and key named by the configuration (key secrecy checked). */
int priv_read_tls(const struct gwconf *c, char **cert, size_t *cert_len, char **key,
		  size_t *key_len);
/* Drops to the configured user: groups, gid, uid, no_new_privs. */
int priv_drop(const struct gwconf *c);
/* The parent's loop until the worker exits; returns the exit status for main. */
int priv_parent(pid_t child, int fd, const char *conf_path);
/* Closes and forgets every descriptor of the setup (the parent after fork). */
void priv_setup_close(struct gw_setup *s);

#endif
