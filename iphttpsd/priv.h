/* SPDX-License-Identifier: ISC */
/*
 * priv: the privileged half of iphttpsd (OpenBSD privsep in spirit). As root it prepares the
 * state directory, the self-signed certificate and the link prefix, opens the TUN device, the
 * listeners and the control socket of each worker, then forks the gateway workers (one, or
 * `workers N`: one /64, TUN and control socket each, the listeners shared by SO_REUSEPORT),
 * which drop to an unprivileged user. The parent stays behind, small, to read the configuration and
 * key files again on SIGHUP (the worker can no longer read a 0600 root key) and to forward signals.
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
#include "iphttpsd/gwfiles.h"

#define PRIV_PART_MAX (4u * 1024 * 1024)
#define PRIV_PARTS    (1 + GWFILES_PARTS) /* the configuration text, then the files */

enum priv_type {
	PRIV_RELOAD_REQ = 1, /* worker -> parent: please send configuration and files */
	PRIV_RELOAD = 2,     /* parent -> worker: configuration text, then struct gwfiles parts */
};

struct priv_part {
	const void *p;
	size_t len;
};

struct priv_msg {
	uint32_t type;
	uint32_t n; /* parts present, <= PRIV_PARTS */
	uint32_t len[PRIV_PARTS];
	char *part[PRIV_PARTS]; /* NUL-terminated; NULL for an empty part */
};

/* Sends n <= PRIV_PARTS parts (NULL/0 for an empty one). */
int priv_send(int fd, uint32_t type, const struct priv_part *parts, size_t n);
/* Blocking receive of one whole message (bounded sizes, 5 s timeout); -1 on EOF or error. */
int priv_recv(int fd, struct priv_msg *m);
void priv_msg_free(struct priv_msg *m);

/* The shared part, as root: state directory, prefix, self-signed certificate, files. */
int priv_setup(struct gw_setup *s);
/* Worker k's part: its share of the configuration (gwconf_worker), its TUN, listeners
   (SO_REUSEPORT with several workers) and control socket, into *w. -1 with the reason logged. */
int priv_setup_worker(struct gw_setup *w, const struct gw_setup *s, uint32_t k);
/* Drops to the configured user: groups, gid, uid, no_new_privs. */
int priv_drop(const struct gwconf *c);
/*
 * The parent's loop while the n workers live: SIGHUP re-reads the files for each, SIGTERM goes
 * to each, reload requests are answered. When one worker ends, the others are ended too.
 * Returns the exit status for main.
 */
int priv_parent(const pid_t *pids, const int *fds, size_t n, const char *conf_path);
/* Closes and forgets every descriptor of a setup; priv_setup_close also frees the files. */
void priv_setup_close_fds(struct gw_setup *s);
void priv_setup_close(struct gw_setup *s);

#endif
