/* SPDX-License-Identifier: ISC */
/*
 * relay: serves the port-proxy list (iphttps/ppconf) on the client's event loop while the
 * tunnel is up. Each entry is a non-blocking IPv4 TCP listener; each accepted connection gets
 * a non-blocking connection to the entry's IPv6 address (through the tunnel's routes) and the
 * bytes are copied both ways:
 *   - one bounded buffer per direction (RELAY_BUF_SIZE), allocated only while it holds bytes,
 *     and a side is not read while its buffer is full: backpressure, never unbounded memory;
 *   - bytes a side sent before it connected are held until the IPv6 connection is up;
 *   - a FIN is passed on as shutdown(SHUT_WR) once the bytes before it are delivered, so
 *     half-closed protocols (a request ended by shutdown, then the answer) work;
 *   - a reset or error on either side, a failed or timed-out connect, the idle timeout and
 *     relay_stop reset the other side too (RST, not FIN), so an application never takes a
 *     truncated transfer for a complete one;
 *   - a cap on simultaneous connections per listener (and in all): the excess is accepted and
 *     reset at once, and counted.
 * No thread, no global, no signal (writes use MSG_NOSIGNAL); a socket is registered with epoll
 * only for what it waits for, and not at all when it waits for nothing, so no event can repeat
 * without progress.
 */
#ifndef IPHTTPS_RELAY_H
#define IPHTTPS_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "iphttps/ppconf.h"
#include "lib/ev.h"

#define RELAY_BUF_SIZE	      (64 * 1024) /* bytes held per direction of one connection */
#define RELAY_MAX_CONNS	      256	  /* per listener */
#define RELAY_MAX_TOTAL	      512	  /* all listeners: 2 descriptors and up to 128 KiB each */
#define RELAY_CONNECT_TIMEOUT (10 * 1000) /* ms for the IPv6 connect */
#define RELAY_IDLE_TIMEOUT    (2 * 3600 * 1000) /* ms without a byte either way */
#define RELAY_BACKLOG	      128
#define RELAY_PAUSE_MS	      1000 /* accept paused this long when out of descriptors */

struct relay;

struct relay_limits {
	unsigned max_conns;  /* per listener */
	unsigned max_total;  /* across listeners */
	uint64_t connect_ms; /* connect timeout */
	uint64_t idle_ms;    /* idle timeout */
};

struct relay_stats {
	size_t listeners;	 /* listening now */
	size_t active;		 /* relayed connections open now */
	size_t buffered;	 /* bytes held in buffers now (at most 2 * RELAY_BUF_SIZE each) */
	uint64_t accepted;	 /* connections relayed (accepted under the cap) */
	uint64_t refused;	 /* accepted over the cap and reset at once */
	uint64_t connect_failed; /* IPv6 connect refused, unreachable or timed out */
	uint64_t reset;		 /* ended by a reset or an error on either side */
	uint64_t idle;		 /* ended by the idle timeout */
	uint64_t bytes_out;	 /* IPv4 application to IPv6 server */
	uint64_t bytes_in;	 /* IPv6 server to IPv4 application */
};

/*
 * Opens one listener per entry of c (SO_REUSEADDR, IPv4) on loop and serves it. A listener
 * that cannot be opened (port taken, address not local, no permission for a port under 1024)
 * is logged and skipped; the others run. Returns the relay even if nothing could be opened
 * (relay_stats tells; the caller's link is up regardless and relay_reload may do better
 * later), NULL only if memory ran out. c is copied: the caller may free or change it.
 */
struct relay *relay_start(struct ev_loop *loop, const struct ppconf *c);

/*
 * Applies a changed list (SIGHUP) without touching what did not change: listeners whose
 * entry is still there, same listen and connect address and port, keep their connections;
 * removed or changed ones are closed (their connections reset) before new ones are opened, so
 * a listen port can move to a new target at once. Errors are logged as in relay_start.
 */
void relay_reload(struct relay *r, const struct ppconf *c);

/* Closes every listener and resets every relayed connection; frees r. NULL is a no-op. */
void relay_stop(struct relay *r);

/* Applies to connections accepted and timers armed afterwards (tests; later maybe a config). */
void relay_set_limits(struct relay *r, const struct relay_limits *lim);

void relay_stats(const struct relay *r, struct relay_stats *st);

#endif
