/* SPDX-License-Identifier: ISC */
/*
 * gwctl: the gateway's control socket. A client (iphttpsctl) sends one request line; the
 * gateway answers "OK" or "ERR <reason>" on the first line, then the body, then closes.
 * Requests: "show [json]", "clients [json]", "disconnect ID". The socket is mode 0600 and owned
 * by root, so only root may look at or disconnect clients.
 */
#ifndef IPHTTPSD_GWCTL_H
#define IPHTTPSD_GWCTL_H

#include "iphttpsd/gw.h"
#include "lib/sbuf.h"

#define GWCTL_MAX_CONNS	 16
#define GWCTL_REQ_MAX	 256
#define GWCTL_TIMEOUT_MS 5000

struct gwctl_conn {
	struct gw *gw;
	int fd;
	struct ev_io io;
	struct ev_timer timer;
	char req[GWCTL_REQ_MAX];
	size_t reqlen;
	struct sbuf out;
	size_t off;
	struct gwctl_conn *prev, *next;
};

void gwctl_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events);
void gwctl_close_all(struct gw *gw);
/* Re-enables control accepts after an EMFILE pause (timer callback). */
void gwctl_resume(struct ev_loop *loop, struct ev_timer *t);
/* Renders the reply to one request line into out; exposed for tests. */
void gwctl_handle(struct gw *gw, const char *req, struct sbuf *out);

#endif
