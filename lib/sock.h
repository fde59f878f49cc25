/* SPDX-License-Identifier: ISC */
/*
 * sock: the gateway's sockets: TCP listeners and accepted connections (non-blocking, for the
 * event loop), their TCP options, an abortive close, and the control socket (AF_UNIX).
 * Every descriptor is close-on-exec. Address parsing and formatting live in lib/addr.
 */
#ifndef LIB_SOCK_H
#define LIB_SOCK_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SOCK_KEEPCNT	   4 /* unanswered keepalive probes before the kernel gives up */
#define SOCK_KEEPINTVL_MIN 5 /* seconds: the floor of the probe interval */

/*
 * A non-blocking TCP listener on sa (AF_INET or AF_INET6, else EAFNOSUPPORT), with SO_REUSEADDR
 * (a restart rebinds while old connections sit in TIME_WAIT) and, for AF_INET6, IPV6_V6ONLY=1
 * (RFC 3493 §5.3) so that [::]:443 and 0.0.0.0:443 are two independent listeners whatever
 * net.ipv6.bindv6only says. Returns the descriptor or -1 with errno.
 */
int sock_listen_tcp(const struct sockaddr *sa, socklen_t len, int backlog);
/* The same, with SO_REUSEPORT when reuseport: one listener per worker process on one address. */
int sock_listen_tcp_shared(const struct sockaddr *sa, socklen_t len, int backlog, bool reuseport);

/*
 * accept4() returning a non-blocking, close-on-exec connection; ss and len may be NULL.
 * -1 with errno. As accept(2) says, Linux passes pending network errors of the new connection
 * to accept: sock_accept_retryable() tells those (and EAGAIN) from errors of the listener.
 */
int sock_accept(int lfd, struct sockaddr_storage *ss, socklen_t *len);

/*
 * err after a failed sock_accept concerns only that one connection, or nothing was pending:
 * try again later. EMFILE and ENFILE are not retryable at once: the caller must back off.
 */
bool sock_accept_retryable(int err);

/*
 * TCP options of an accepted connection:
 *   TCP_NODELAY      always: each write is a TLS record of whole IPv6 packets, often small
 *                    (inner TCP ACKs, ICMPv6); Nagle would delay them behind unacked data and
 *                    stack its delay on the inner connections' own (RFC 1122 §4.2.3.4).
 *   keepalive_idle_s > 0: SO_KEEPALIVE, TCP_KEEPIDLE = idle, TCP_KEEPINTVL =
 *                    max(idle / 6, SOCK_KEEPINTVL_MIN), TCP_KEEPCNT = SOCK_KEEPCNT: without a
 *                    user timeout a silent peer is dropped after about idle * 5 / 3 (100 s for
 *                    the default 60 s). [MS-IPHTTPS] has no keepalive of its own: only TCP can
 *                    notice a client that vanished, and the idle time should stay under common
 *                    NAT and proxy timeouts.
 *   user_timeout_s   > 0: TCP_USER_TIMEOUT (RFC 5482), in ms: sent data unacknowledged for this
 *                    long kills the connection, so a dead client cannot hold its queue forever.
 *                    When set, Linux also uses it instead of TCP_KEEPCNT to end keepalive: a
 *                    silent peer is dropped at the first probe after user_timeout_s of silence.
 * 0 disables either. The kernel refuses idle > 32767 s (EINVAL). -1 with errno.
 */
int sock_tcp_tune(int fd, unsigned keepalive_idle_s, unsigned user_timeout_s);

/*
 * Closes fd with an RST instead of a FIN (SO_LINGER {1, 0}: RFC 9293 §3.10.5 ABORT); the
 * descriptor is closed in every case. Used so that a Windows client retries its TLS handshake
 * with its other cipher list (ms-iphttps.md §3.4). Returns -1 with errno if the RST could not be
 * requested or close failed.
 */
int sock_reset_close(int fd);

/*
 * A non-blocking, close-on-exec AF_UNIX stream listener at path, created with exactly `mode`
 * (a temporary umask covers bind, so no window with wider permissions). An existing socket file
 * is removed only if it is stale: connect() to it is refused. If another process answers there
 * (it will see a connection closed at once) the call fails with EADDRINUSE; a file that is not
 * a socket is never removed (EEXIST). ENAMETOOLONG if path does not fit in sun_path.
 * Two daemons starting at the same instant can still race; a lock file is the caller's job.
 */
int sock_listen_unix(const char *path, mode_t mode);

/* A blocking, close-on-exec connection to the AF_UNIX stream socket at path. -1 with errno. */
int sock_connect_unix(const char *path);

#endif
