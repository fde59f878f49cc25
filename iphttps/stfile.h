/* SPDX-License-Identifier: ISC */
/*
 * stfile: the client's state as `iphttps connect` publishes it and `iphttps status` reads it:
 * one small `key=value` text file per interface, STFILE_DIR/<interface>.status, replaced
 * atomically (temporary file + rename) at every state change, so a reader never sees half of
 * one. The fields mirror Windows' MSFT_NetIpHTTPsState (InterfaceStatus, LastErrorCode) plus what
 * an administrator needs to act on them (ms-iphttps.md §5.4, §5.5).
 */
#ifndef IPHTTPS_STFILE_H
#define IPHTTPS_STFILE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define STFILE_DIR "/run/iphttps"

enum stfile_state {
	STFILE_CONNECTING =
	    0,		/* LinkDown/Established: resolving, connecting, TLS, waiting for 200 */
	STFILE_UP,	/* LinkUp: the 200 arrived, packets flow */
	STFILE_BACKOFF, /* failed; waiting for the next attempt ([MS-IPHTTPS] §3.1.2.1) */
	STFILE_STOPPED, /* the client exited (it writes this on SIGTERM) */
};

struct stfile {
	char interface[IFNAMSIZ];
	char url[512];
	enum stfile_state state;
	uint32_t last_error;  /* Windows LastErrorCode, 0 when up */
	char detail[256];     /* what exactly failed, e.g. OpenSSL's verify message */
	int64_t since;	      /* UNIX time of the last state change */
	int64_t next_attempt; /* UNIX time of the next attempt in STFILE_BACKOFF, else 0 */
	uint32_t failures;    /* consecutive failures since the last success */
	char server[80];      /* the address connected to, "192.0.2.1:443" */
	char proxy[256];      /* the proxy used, "" for none */
	char tls[96];	      /* "TLSv1.3 TLS_AES_128_GCM_SHA256" when up */
	int pid;	      /* of the iphttps connect process */
};

const char *stfile_state_name(enum stfile_state st); /* "connecting", "up", "backoff", "stopped" */
/* Writes dir/<s->interface>.status atomically (mode 0644; dir created 0755 if missing). */
/* The kernel's rule for interface names (dev_valid_name) plus "not a path": it names a file. */
bool stfile_ifname_ok(const char *n);
int stfile_write(const char *dir, const struct stfile *s);
/* Reads dir/<ifname>.status; unknown keys are ignored, bad lines make it fail (-1, errno EINVAL).
 */
int stfile_read(const char *dir, const char *ifname, struct stfile *s);

#endif
