/* SPDX-License-Identifier: ISC */
/*
 * portproxy: `iphttps portproxy`, netsh's `interface portproxy` for the v4tov6 case: edits
 * and shows the port-proxy list (iphttps/ppconf) and tells a running client to reload it.
 * It serves nothing itself; `iphttps connect` does, through iphttps/relay, while the link is
 * up. Changes are serialised by a lock on the file's directory (flock), so two commands at
 * once cannot lose one another's change, and written atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "iphttps/cmd.h"
#include "iphttps/ppconf.h"
#include "iphttps/stfile.h"
#include "lib/addr.h"

#define PORTPROXY_TUN	 "iphttps0"
#define PORTPROXY_CLIENT "iphttps" /* the client's /proc/PID/comm */

struct portproxy_opts {
	const char *file, *state_dir, *tun;
	bool json;
	int argc; /* the words that are not options, command first */
	char **argv;
};

static void portproxy_usage(FILE *out)
{
	fprintf(out,
		"usage: iphttps portproxy [OPTIONS] add v4tov6 listenport=PORT "
		"[listenaddress=IPV4]\n"
		"                                   connectaddress=IPV6 [connectport=PORT]\n"
		"       iphttps portproxy [OPTIONS] delete v4tov6 listenport=PORT "
		"[listenaddress=IPV4]\n"
		"       iphttps portproxy [OPTIONS] list | show [--json]\n"
		"\n"
		"v4-to-v6 port proxies, as `netsh interface portproxy`: an application that can "
		"only dial\n"
		"IPv4 connects to listenaddress:listenport and is relayed through the tunnel to\n"
		"[connectaddress]:connectport. `iphttps connect` serves the list while the link is "
		"up;\n"
		"add and delete make a running client reload it at once (SIGHUP).\n"
		"\n"
		"  listenaddress   IPv4 address to listen on; default 127.0.0.1, this machine's "
		"own\n"
		"                  applications only (0.0.0.0 would let any host that reaches "
		"this one\n"
		"                  into the intranet)\n"
		"  connectaddress  numeric IPv6 address (host names are not resolved)\n"
		"  connectport     default: listenport\n"
		"  Keys are case-insensitive. add on an existing listenaddress and listenport "
		"replaces it.\n"
		"\n"
		"options:\n"
		"  --file FILE       port-proxy list (default " PPCONF_DEFAULT ")\n"
		"  --state-dir DIR   the client's status files (default " STFILE_DIR ")\n"
		"  --tun NAME        the client's interface (default " PORTPROXY_TUN ")\n"
		"  --json            list: machine-readable output\n"
		"\n"
		"example: iphttps portproxy add v4tov6 listenport=8080 "
		"connectaddress=2001:db8::80 connectport=80\n"
		"exit status: 0 done, 1 failed, 2 usage\n");
}

__attribute__((format(printf, 1, 2))) static int portproxy_usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iphttps portproxy: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(`iphttps portproxy --help` for usage)\n");
	return 2;
}

/* A value option, as "--name VALUE" or "--name=VALUE"; 1 if argv[*i] was it, -1 if no value. */
static int portproxy_optval(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* Options may come anywhere (netsh words never start with "-"); the rest is kept in order. */
static int portproxy_opts(int argc, char **argv, struct portproxy_opts *o)
{
	static const char *const names[] = {"--file", "--state-dir", "--tun"};

	*o = (struct portproxy_opts){PPCONF_DEFAULT, STFILE_DIR, PORTPROXY_TUN, false, 0, argv + 1};
	for (int i = 1; i < argc; i++) {
		const char **dst[] = {&o->file, &o->state_dir, &o->tun};
		int rc = 0;

		if (argv[i][0] != '-') {
			o->argv[o->argc++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
			continue;
		}
		for (size_t k = 0; k < 3 && rc == 0; k++)
			rc = portproxy_optval(argc, argv, &i, names[k], dst[k]);
		if (rc == -1)
			return portproxy_usage_err("%s needs a value", argv[i]);
		if (rc == 0)
			return portproxy_usage_err("unknown option '%s'", argv[i]);
	}
	if (o->file[0] == '\0' || o->state_dir[0] == '\0' || o->tun[0] == '\0')
		return portproxy_usage_err("an option's value is empty");
	if (strlen(o->tun) >= IFNAMSIZ)
		return portproxy_usage_err("--tun: '%s' is too long for an interface name", o->tun);
	return 0;
}

/* ---- the running client ---- */

/* pid is an iphttps process: a stale status file must not make us signal someone else. */
static bool portproxy_is_client(int pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, PORTPROXY_CLIENT) == 0;
}

/* "No client running" on o->tun; names the other interfaces with a status file, if any. */
static void portproxy_no_client(const struct portproxy_opts *o)
{
	DIR *d = opendir(o->state_dir);
	struct dirent *de;
	int n = 0;

	printf("No client running on %s: `iphttps connect` serves the list when it starts.\n",
	       o->tun);
	while (d && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 7 || strcmp(de->d_name + len - 7, ".status") != 0 ||
		    (len - 7 == strlen(o->tun) && strncmp(de->d_name, o->tun, len - 7) == 0))
			continue;
		printf("%s %.*s", n++ ? "," : "(status files in this directory: --tun",
		       (int)(len - 7), de->d_name);
	}
	if (n)
		printf(")\n");
	if (d)
		closedir(d);
}

/*
 * SIGHUP to the client on o->tun, so it reloads the list at once. Its pid comes from its
 * status file. Nothing to signal is not an error: the file is what counts, and a client
 * started later reads it.
 */
static void portproxy_notify(const struct portproxy_opts *o)
{
	struct stfile st;

	memset(&st, 0, sizeof(st));
	if (stfile_read(o->state_dir, o->tun, &st) == -1) {
		if (errno == ENOENT)
			portproxy_no_client(o);
		else
			fprintf(stderr,
				"iphttps portproxy: warning: %s/%s.status: %s: a running client "
				"serves the change after a SIGHUP\n",
				o->state_dir, o->tun, strerror(errno));
		return;
	}
	if (st.state == STFILE_STOPPED || st.pid <= 0 ||
	    (kill(st.pid, 0) == -1 && errno == ESRCH)) {
		portproxy_no_client(o);
		return;
	}
	if (!portproxy_is_client(st.pid)) {
		fprintf(stderr,
			"iphttps portproxy: warning: %s/%s.status names pid %d, which is not an "
			"iphttps process (a stale file?): not signalled\n",
			o->state_dir, o->tun, st.pid);
		return;
	}
	if (kill(st.pid, SIGHUP) == -1) {
		fprintf(stderr,
			"iphttps portproxy: warning: cannot signal the client on %s (pid %d): %s: "
			"it serves the change after a SIGHUP or a restart\n",
			o->tun, st.pid, strerror(errno));
		return;
	}
	printf("The client on %s (pid %d) was told to reload (SIGHUP): %s.\n", o->tun, st.pid,
	       st.state == STFILE_UP ? "it serves the change now"
				     : "it serves the list as soon as the link is up");
}

/* ---- editing ---- */

/*
 * Locks the file's directory (created 0755 for add, as ppconf_save would). Returns the
 * descriptor, or -1 after a message; -2 when the directory is missing and create is false
 * (nothing to lock: there is no file either).
 */
static int portproxy_lock(const char *file, bool create)
{
	char copy[PATH_MAX];
	const char *dir;
	int fd;

	if (snprintf(copy, sizeof(copy), "%s", file) >= (int)sizeof(copy)) {
		fprintf(stderr, "iphttps portproxy: %s: path too long\n", file);
		return -1;
	}
	dir = dirname(copy);
	if (create && mkdir(dir, 0755) == 0) {
		(void)chmod(dir, 0755); /* exactly, whatever the umask */
	} else if (create && errno != EEXIST) {
		fprintf(stderr, "iphttps portproxy: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && !create)
		return -2;
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		fprintf(stderr, "iphttps portproxy: %s: %s\n", dir, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static const char *portproxy_fmt(const struct ppconf_entry *e, char *buf, size_t len)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	snprintf(buf, len, "%s -> %s",
		 addr_format_sockaddr((const struct sockaddr *)&e->listen, a, sizeof(a)),
		 addr_format_sockaddr((const struct sockaddr *)&e->connect, b, sizeof(b)));
	return buf;
}

/* The words after add/delete: "v4tov6" then netsh's KEY=VALUE arguments. */
static int portproxy_entry(const struct portproxy_opts *o, bool add, struct ppconf_entry *e)
{
	char err[256];

	if (o->json)
		return portproxy_usage_err("--json applies to list and show");
	if (o->argc < 2 || strcasecmp(o->argv[1], "v4tov6") != 0) {
		if (o->argc >= 2 && (strcasecmp(o->argv[1], "v4tov4") == 0 ||
				     strcasecmp(o->argv[1], "v6tov4") == 0 ||
				     strcasecmp(o->argv[1], "v6tov6") == 0))
			return portproxy_usage_err("%s: only v4tov6 proxies are served (IPv4 "
						   "applications to IPv6 hosts through the tunnel)",
						   o->argv[1]);
		return portproxy_usage_err("%s: expected v4tov6 after the command",
					   o->argc >= 2 ? o->argv[1] : "(nothing)");
	}
	if (ppconf_parse_netsh(o->argc - 2, o->argv + 2, e, add, err, sizeof(err)) == -1)
		return portproxy_usage_err("%s", err);
	return 0;
}

static bool portproxy_loopback(const struct sockaddr_in *sin)
{
	return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

/*
 * Applies the change to c: 0 done, 1 failed (message printed), 3 nothing to change. For add,
 * *old receives the entry replaced, if any (old->listen.sin_family is 0 otherwise).
 */
static int portproxy_apply(const struct portproxy_opts *o, struct ppconf *c, bool add,
			   const struct ppconf_entry *e, struct ppconf_entry *old)
{
	char a[2 * ADDR_STRLEN + 8], b[2 * ADDR_STRLEN + 8];
	int i;

	memset(old, 0, sizeof(*old));
	if (!add && ppconf_delete(c, &e->listen) == -1) {
		fprintf(stderr, "iphttps portproxy: no v4tov6 port proxy listens on %s in %s\n",
			addr_format_sockaddr((const struct sockaddr *)&e->listen, a, sizeof(a)),
			o->file);
		return 1;
	}
	if (!add)
		return 0;
	for (size_t k = 0; k < c->n; k++) {
		if (memcmp(&c->e[k], e, sizeof(*e)) == 0)
			return 3;
		if (memcmp(&c->e[k].listen, &e->listen, sizeof(e->listen)) == 0)
			*old = c->e[k];
	}
	if ((i = ppconf_overlap(c, &e->listen)) >= 0) {
		fprintf(stderr,
			"iphttps portproxy: %s overlaps %s (0.0.0.0 takes the port on every "
			"address): delete that one first\n",
			portproxy_fmt(e, a, sizeof(a)), portproxy_fmt(&c->e[i], b, sizeof(b)));
		return 1;
	}
	if (ppconf_add(c, e) == -1) {
		fprintf(stderr, "iphttps portproxy: %s already holds %d port proxies\n", o->file,
			PPCONF_MAX);
		return 1;
	}
	return 0;
}

/* "Added v4tov6 A -> B", "Replaced v4tov6 A -> B (was -> C)", "Deleted v4tov6 A". */
static void portproxy_done(const struct portproxy_opts *o, bool add, const struct ppconf_entry *e,
			   const struct ppconf_entry *old)
{
	char what[2 * ADDR_STRLEN + 8], was[ADDR_STRLEN];

	if (!add)
		printf(
		    "Deleted v4tov6 %s from %s.\n",
		    addr_format_sockaddr((const struct sockaddr *)&e->listen, what, sizeof(what)),
		    o->file);
	else if (old->listen.sin_family == 0)
		printf("Added v4tov6 %s to %s.\n", portproxy_fmt(e, what, sizeof(what)), o->file);
	else
		printf(
		    "Replaced v4tov6 %s (was -> %s) in %s.\n", portproxy_fmt(e, what, sizeof(what)),
		    addr_format_sockaddr((const struct sockaddr *)&old->connect, was, sizeof(was)),
		    o->file);
	if (add && !portproxy_loopback(&e->listen))
		fprintf(
		    stderr,
		    "iphttps portproxy: note: %s accepts connections from other hosts and "
		    "relays them into the intranet without asking who they are\n",
		    addr_format_sockaddr((const struct sockaddr *)&e->listen, what, sizeof(what)));
}

static int portproxy_edit(const struct portproxy_opts *o, bool add)
{
	struct ppconf *c = malloc(sizeof(*c));
	struct ppconf_entry e, old;
	char what[2 * ADDR_STRLEN + 8];
	int lock = -1, rc;

	if (c == NULL) {
		perror("iphttps portproxy");
		return 1;
	}
	if ((rc = portproxy_entry(o, add, &e)) != 0)
		goto done;
	rc = 1;
	if ((lock = portproxy_lock(o->file, add)) == -1)
		goto done;
	if (ppconf_load(o->file, c) == -1) {
		fprintf(stderr, "iphttps portproxy: %s: fix or remove it first; nothing changed\n",
			o->file);
		goto done;
	}
	rc = portproxy_apply(o, c, add, &e, &old);
	if (rc == 3) {
		/* Still a reload: a listener that could not bind before is tried again. */
		printf("Unchanged: v4tov6 %s is already in %s.\n",
		       portproxy_fmt(&e, what, sizeof(what)), o->file);
		portproxy_notify(o);
		rc = 0;
		goto done;
	}
	if (rc != 0 || ppconf_save(o->file, c) == -1) {
		rc = 1;
		goto done;
	}
	portproxy_done(o, add, &e, &old);
	portproxy_notify(o);
done:
	if (lock >= 0)
		close(lock);
	free(c);
	return rc;
}

/* ---- listing ---- */

static void portproxy_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void portproxy_print_json(const struct portproxy_opts *o, const struct ppconf *c)
{
	char la[INET_ADDRSTRLEN], ca[INET6_ADDRSTRLEN];

	printf("{\n  \"file\": ");
	portproxy_json_str(o->file);
	printf(",\n  \"v4tov6\": [");
	for (size_t i = 0; i < c->n; i++) {
		inet_ntop(AF_INET, &c->e[i].listen.sin_addr, la, sizeof(la));
		inet_ntop(AF_INET6, &c->e[i].connect.sin6_addr, ca, sizeof(ca));
		printf("%s\n    {\"listenaddress\": \"%s\", \"listenport\": %u, "
		       "\"connectaddress\": \"%s\", \"connectport\": %u}",
		       i ? "," : "", la, (unsigned)ntohs(c->e[i].listen.sin_port), ca,
		       (unsigned)ntohs(c->e[i].connect.sin6_port));
	}
	printf("%s]\n}\n", c->n ? "\n  " : "");
}

/* netsh's layout; the IPv6 column widens for long addresses instead of running over. */
static void portproxy_print_table(const struct ppconf *c)
{
	char la[INET_ADDRSTRLEN], ca[INET6_ADDRSTRLEN], dashes[INET6_ADDRSTRLEN + 1];
	int w = 15;

	if (c->n == 0)
		return; /* netsh prints nothing either */
	for (size_t i = 0; i < c->n; i++) {
		inet_ntop(AF_INET6, &c->e[i].connect.sin6_addr, ca, sizeof(ca));
		if ((int)strlen(ca) > w)
			w = (int)strlen(ca);
	}
	memset(dashes, '-', (size_t)w);
	dashes[w] = '\0';
	printf("\nListen on ipv4:             Connect to ipv6:\n\n");
	printf("%-15s %-10s  %-*s %s\n", "Address", "Port", w, "Address", "Port");
	printf("--------------- ----------  %s ----------\n", dashes);
	for (size_t i = 0; i < c->n; i++) {
		inet_ntop(AF_INET, &c->e[i].listen.sin_addr, la, sizeof(la));
		inet_ntop(AF_INET6, &c->e[i].connect.sin6_addr, ca, sizeof(ca));
		printf("%-15s %-10u  %-*s %u\n", la, (unsigned)ntohs(c->e[i].listen.sin_port), w,
		       ca, (unsigned)ntohs(c->e[i].connect.sin6_port));
	}
	printf("\n");
}

static int portproxy_list(const struct portproxy_opts *o)
{
	struct ppconf *c;

	/* netsh's `show all` and `show v4tov6` read the same here. */
	if (o->argc > 2 || (o->argc == 2 && strcasecmp(o->argv[1], "all") != 0 &&
			    strcasecmp(o->argv[1], "v4tov6") != 0))
		return portproxy_usage_err("%s: list takes no argument but --json", o->argv[1]);
	if ((c = malloc(sizeof(*c))) == NULL) {
		perror("iphttps portproxy");
		return 1;
	}
	if (ppconf_load(o->file, c) == -1) {
		free(c);
		return 1;
	}
	if (o->json)
		portproxy_print_json(o, c);
	else
		portproxy_print_table(c);
	free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}

int portproxy_main(int argc, char **argv)
{
	struct portproxy_opts o;
	int rc = portproxy_opts(argc, argv, &o);

	if (rc == 1) {
		portproxy_usage(stdout);
		return 0;
	}
	if (rc != 0)
		return rc;
	if (o.argc == 0) {
		portproxy_usage(stderr);
		return 2;
	}
	if (strcasecmp(o.argv[0], "add") == 0)
		return portproxy_edit(&o, true);
	if (strcasecmp(o.argv[0], "delete") == 0)
		return portproxy_edit(&o, false);
	if (strcasecmp(o.argv[0], "list") == 0 || strcasecmp(o.argv[0], "show") == 0)
		return portproxy_list(&o);
	if (strcasecmp(o.argv[0], "help") == 0) {
		portproxy_usage(stdout);
		return 0;
	}
	return portproxy_usage_err("unknown command '%s'", o.argv[0]);
}
