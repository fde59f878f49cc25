/* SPDX-License-Identifier: ISC */
/*
 * status: `iphttps status [--json] [--state-dir DIR] [INTERFACE]`. Shows what `iphttps connect`
 * last published in DIR/<INTERFACE>.status (see stfile.h) the way Windows' Get-NetIPHttpsState
 * does (InterfaceStatus, LastErrorCode; ms-iphttps.md §5.2, §5.4, §5.5), plus what an
 * administrator needs to act on it: the error's name, meaning and usual fix, OpenSSL's or the
 * system's own words, the next attempt, the server, proxy and TLS suite, and whether the client
 * is still running.
 *
 * It does not talk to the client or the network: it reads one file and checks one pid.
 * Exit: 0 when the link is up, 1 otherwise, 2 on a usage error or when there is no state.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "iphttps/cmd.h"
#include "iphttps/stfile.h"
#include "lib/sbuf.h"
#include "proto/winerr.h"

#define STATUS_DEFAULT_IF "iphttps0"

struct status_opts {
	bool json;
	const char *dir;
	const char *ifname; /* NULL: the only interface in dir, else STATUS_DEFAULT_IF */
};

/* Everything both output forms show, worked out once. */
struct status_view {
	const struct stfile *s;
	bool running;
	const char *iface_status;
	const struct winerr_info *err;
	char err_name[32];
	char err_hex[16];
};

static void status_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: iphttps status [--json] [--state-dir DIR] [INTERFACE]\n"
	    "  --json           one JSON object instead of the text form\n"
	    "  --state-dir DIR  where `iphttps connect` keeps its state (default " STFILE_DIR ")\n"
	    "  INTERFACE        default: the only interface in DIR, else " STATUS_DEFAULT_IF "\n"
	    "Exit status: 0 link up, 1 not up, 2 usage error or no state.\n");
}

/* Returns 0 to go on, 1 after --help, -1 on a usage error. */
static int status_args(int argc, char **argv, struct status_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	o->json = false;
	o->dir = STFILE_DIR;
	o->ifname = NULL;
	optind = 0; /* glibc: start over, status_main may run more than once (tests) */
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = true;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'h':
			status_usage(stdout);
			return 1;
		default:
			status_usage(stderr);
			return -1;
		}
	}
	if (argc - optind > 1) {
		status_usage(stderr);
		return -1;
	}
	if (optind < argc)
		o->ifname = argv[optind];
	return 0;
}

/* "iphttps0.status" -> "iphttps0" in name; false for anything else, dot files included. */
static bool status_is_stfile(const char *fname, char *name, size_t len)
{
	static const char suffix[] = ".status";
	size_t n = strlen(fname), sl = sizeof(suffix) - 1;

	if (fname[0] == '.' || n <= sl || n - sl >= len || n - sl >= IFNAMSIZ ||
	    strcmp(fname + n - sl, suffix) != 0)
		return false;
	memcpy(name, fname, n - sl);
	name[n - sl] = '\0';
	return true;
}

/*
 * The interface to show when none was named: the only one with a status file in dir, else
 * STATUS_DEFAULT_IF. Returns 0, or 2 (after a message) when dir holds several.
 */
static int status_default_if(const char *dir, char *name, size_t len)
{
	char cand[IFNAMSIZ], first[IFNAMSIZ] = "";
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(name, len, "%s", STATUS_DEFAULT_IF);
	d = opendir(dir);
	if (!d)
		return 0; /* the read that follows reports it */
	while ((de = readdir(d)) != NULL) {
		if (!status_is_stfile(de->d_name, cand, sizeof(cand)))
			continue;
		if (count == 0)
			snprintf(first, sizeof(first), "%s", cand);
		else if (count == 1)
			fprintf(stderr, "iphttps status: several interfaces in %s: %s %s", dir,
				first, cand);
		else
			fprintf(stderr, " %s", cand);
		count++;
	}
	closedir(d);
	if (count > 1) {
		fprintf(stderr, "; name one\n");
		return 2;
	}
	if (count == 1)
		snprintf(name, len, "%s", first);
	return 0;
}

/* Returns 0 with *s filled, or the exit status after a message. */
static int status_load(const struct status_opts *o, struct stfile *s)
{
	char ifname[IFNAMSIZ];
	int rc, err;

	if (o->ifname) {
		if (!stfile_ifname_ok(o->ifname)) {
			fprintf(stderr, "iphttps status: '%s' is not an interface name\n",
				o->ifname);
			return 2;
		}
		snprintf(ifname, sizeof(ifname), "%s", o->ifname);
	} else if ((rc = status_default_if(o->dir, ifname, sizeof(ifname))) != 0) {
		return rc;
	}
	if (stfile_read(o->dir, ifname, s) == 0)
		return 0;
	err = errno;
	if (err == ENOENT || err == ENOTDIR) {
		fprintf(stderr,
			"iphttps status: no IP-HTTPS client state in %s (is `iphttps connect` "
			"running?)\n",
			o->dir);
		return 2;
	}
	fprintf(stderr, "iphttps status: %s/%s.status: %s\n", o->dir, ifname,
		err == EINVAL ? "malformed status file" : strerror(err));
	return 1;
}

/* Whether the process that wrote s is alive. A pid reused since is a false "yes"; acceptable. */
static bool status_running(const struct stfile *s)
{
	if (s->state == STFILE_STOPPED || s->pid <= 0)
		return false;
	return kill(s->pid, 0) == 0 || errno == EPERM;
}

/*
 * InterfaceStatus: Windows' own strings where Windows has one (ms-iphttps.md §5.4), ours for the
 * states Windows does not show (Get-NetIPHttpsState shows nothing when IP-HTTPS is inactive).
 */
static const char *status_iface_text(const struct stfile *s, bool running)
{
	const char *w = winerr_interface_status(s->last_error);

	if (!running && s->state != STFILE_STOPPED)
		return "IPHTTPS client not running";
	if (s->state == STFILE_UP)
		return winerr_interface_status(WINERR_SUCCESS);
	if (w && s->last_error != WINERR_SUCCESS)
		return w;
	switch (s->state) {
	case STFILE_STOPPED:
		return "IPHTTPS client stopped";
	case STFILE_BACKOFF:
		return "Failed to connect to the IPHTTPS server; waiting to reconnect";
	default:
		return "Connecting to the IPHTTPS server";
	}
}

static void status_view_init(struct status_view *v, const struct stfile *s)
{
	v->s = s;
	v->running = status_running(s);
	v->iface_status = status_iface_text(s, v->running);
	v->err = winerr_lookup(s->last_error);
	winerr_name(s->last_error, v->err_name, sizeof(v->err_name));
	snprintf(v->err_hex, sizeof(v->err_hex), "0x%" PRIX32, s->last_error);
}

/* ------------------------------------------------------------------------------------------ */
/* Text form */

/* Prints s for a terminal: anything but printable ASCII (escape sequences from a server's
   reason phrase, say) is shown as \xHH. */
static void status_put_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			putchar(*p);
		else
			printf("\\x%02x", *p);
	}
}

static void status_line(const char *label, const char *value)
{
	printf("%-15s : ", label);
	status_put_safe(value);
	putchar('\n');
}

static void status_duration(char *buf, size_t len, int64_t secs)
{
	if (secs < 60)
		snprintf(buf, len, "%" PRId64 " s", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%" PRId64 " min %" PRId64 " s", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%" PRId64 " h %" PRId64 " min", secs / 3600, secs % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 " d %" PRId64 " h", secs / 86400,
			 secs % 86400 / 3600);
}

/* "backoff since 2026-11-22 04:18:53 +0000 (2 min 5 s ago)" */
static void status_print_state(const struct stfile *s, int64_t now)
{
	char when[64] = "", ago[48];
	time_t t = (time_t)s->since;
	struct tm tm;

	printf("%-15s : %s", "State", stfile_state_name(s->state));
	if (s->since > 0 && localtime_r(&t, &tm) && strftime(when, sizeof(when), "%F %T %z", &tm)) {
		status_duration(ago, sizeof(ago), now > s->since ? now - s->since : 0);
		printf(" since %s (%s ago)", when, ago);
	}
	putchar('\n');
}

static void status_print_attempts(const struct stfile *s, int64_t now)
{
	const char *plural = s->failures == 1 ? "" : "s";
	char in[48];

	if (s->state == STFILE_BACKOFF && s->next_attempt > 0) {
		if (s->next_attempt > now) {
			status_duration(in, sizeof(in), s->next_attempt - now);
			printf("%-15s : in %s (%" PRIu32 " failure%s)\n", "Next attempt", in,
			       s->failures, plural);
		} else {
			printf("%-15s : due now (%" PRIu32 " failure%s)\n", "Next attempt",
			       s->failures, plural);
		}
	} else if (s->failures > 0) {
		printf("%-15s : %" PRIu32 " since the last success\n", "Failures", s->failures);
	}
}

static void status_print_text(const struct status_view *v, int64_t now)
{
	const struct stfile *s = v->s;

	status_line("Interface", s->interface);
	status_line("URL", s->url);
	status_line("InterfaceStatus", v->iface_status);
	printf("%-15s : %s (%s)\n", "LastErrorCode", v->err_hex, v->err_name);
	if (s->last_error != WINERR_SUCCESS) {
		status_line("Meaning", v->err->meaning);
		status_line("Fix", v->err->fix);
	}
	if (s->detail[0])
		status_line("Detail", s->detail);
	status_print_attempts(s, now);
	status_print_state(s, now);
	if (s->server[0])
		status_line("Server", s->server);
	if (s->proxy[0])
		status_line("Proxy", s->proxy);
	if (s->tls[0])
		status_line("TLS", s->tls);
	printf("%-15s : pid %d, %s\n", "Process", s->pid,
	       s->state == STFILE_STOPPED ? "stopped"
	       : v->running		  ? "running"
					  : "not running");
}

/* ------------------------------------------------------------------------------------------ */
/* JSON form (RFC 8259), the same fields under stable names */

static void status_json_kv(struct sbuf *b, const char *key, const char *val)
{
	sbuf_printf(b, ",\"%s\":", key);
	sbuf_json_str(b, val);
}

static int status_print_json(const struct status_view *v)
{
	const struct stfile *s = v->s;
	struct sbuf b;
	int rc = 0;

	sbuf_init(&b);
	sbuf_printf(&b, "{\"interface\":");
	sbuf_json_str(&b, s->interface);
	status_json_kv(&b, "url", s->url);
	status_json_kv(&b, "state", stfile_state_name(s->state));
	status_json_kv(&b, "interface_status", v->iface_status);
	sbuf_printf(&b, ",\"last_error_code\":%" PRIu32, s->last_error);
	status_json_kv(&b, "last_error", v->err_hex);
	status_json_kv(&b, "name", v->err_name);
	status_json_kv(&b, "meaning", v->err->meaning);
	status_json_kv(&b, "fix", v->err->fix);
	status_json_kv(&b, "detail", s->detail);
	sbuf_printf(&b, ",\"since\":%" PRId64 ",\"next_attempt\":%" PRId64 ",\"failures\":%" PRIu32,
		    s->since, s->next_attempt, s->failures);
	status_json_kv(&b, "server", s->server);
	status_json_kv(&b, "proxy", s->proxy);
	status_json_kv(&b, "tls", s->tls);
	sbuf_printf(&b, ",\"pid\":%d,\"running\":%s}\n", s->pid, v->running ? "true" : "false");
	if (b.err || fwrite(b.p, 1, b.len, stdout) != b.len)
		rc = -1;
	sbuf_free(&b);
	return rc;
}

int status_main(int argc, char **argv)
{
	struct status_opts o;
	struct status_view v;
	struct stfile s;
	int rc;

	rc = status_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	rc = status_load(&o, &s);
	if (rc != 0)
		return rc;
	status_view_init(&v, &s);
	if (o.json) {
		if (status_print_json(&v) == -1)
			return 1;
	} else {
		status_print_text(&v, (int64_t)time(NULL));
	}
	if (fflush(stdout) == EOF)
		return 1;
	return s.state == STFILE_UP && v.running ? 0 : 1;
}
