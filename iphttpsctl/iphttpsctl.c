/* SPDX-License-Identifier: ISC */
/*
 * iphttpsctl: shows the gateway's state and clients and disconnects one, over iphttpsd's
 * control socket. Sends one request line, prints the reply body, and exits 0 when the gateway
 * answered "OK", 1 when it answered "ERR ...", 2 when it could not be reached.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/sock.h"

#define CTL_DEFAULT_SOCK "/run/iphttpsd.sock"
#define CTL_REPLY_MAX	 (256u * 1024 * 1024)

static void ctl_usage(FILE *out)
{
	fprintf(out, "usage: iphttpsctl [-s SOCKET] [--json] show | clients | disconnect ID\n"
		     "  -s SOCKET  control socket of iphttpsd (default " CTL_DEFAULT_SOCK ")\n"
		     "  --json     machine-readable output\n");
}

static int ctl_send(int fd, const char *req)
{
	size_t len = strlen(req);

	while (len > 0) {
		ssize_t n = send(fd, req, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		req += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the whole reply; bounded by CTL_REPLY_MAX. */
static char *ctl_recv(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap + 1);

	*len = 0;
	while (buf) {
		ssize_t n;

		if (*len == cap) {
			char *nb = cap >= CTL_REPLY_MAX ? NULL : realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	if (buf)
		buf[*len] = '\0';
	return buf;
}

static int ctl_print(const char *reply)
{
	const char *body = strchr(reply, '\n');

	if (strncmp(reply, "OK\n", 3) == 0) {
		fputs(body + 1, stdout);
		return 0;
	}
	if (strncmp(reply, "ERR ", 4) == 0) {
		fprintf(stderr, "iphttpsctl: %s", reply + 4);
		return 1;
	}
	fprintf(stderr, "iphttpsctl: unexpected reply from the gateway\n");
	return 2;
}

static int ctl_request(const char *path, const char *req)
{
	int fd = sock_connect_unix(path);
	size_t len;
	char *reply;
	int rc;

	if (fd == -1) {
		fprintf(stderr, "iphttpsctl: %s: %s (is iphttpsd running?)\n", path,
			strerror(errno));
		return 2;
	}
	if (ctl_send(fd, req) == -1 || !(reply = ctl_recv(fd, &len))) {
		fprintf(stderr, "iphttpsctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);
	rc = ctl_print(reply);
	free(reply);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCK, *cmd = NULL, *arg = NULL;
	bool json = false;
	char req[256];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			json = true;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			ctl_usage(stdout);
			return 0;
		} else if (!cmd)
			cmd = argv[i];
		else if (!arg)
			arg = argv[i];
		else {
			ctl_usage(stderr);
			return 2;
		}
	}
	if (!cmd)
		cmd = "show";
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "clients") == 0) {
		if (arg) {
			ctl_usage(stderr);
			return 2;
		}
		snprintf(req, sizeof(req), "%s%s\n", cmd, json ? " json" : "");
	} else if (strcmp(cmd, "disconnect") == 0 && arg && strlen(arg) < 32) {
		snprintf(req, sizeof(req), "disconnect %s\n", arg);
	} else {
		ctl_usage(stderr);
		return 2;
	}
	return ctl_request(path, req);
}
