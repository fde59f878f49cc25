/* SPDX-License-Identifier: ISC */
/*
 * iphttpsd: the IP-HTTPS gateway. Reads the configuration, checks it (-n) or prints it (-nv),
 * sets up as root, forks the unprivileged gateway worker and stays behind as its small
 * privileged parent. See doc/design.md.
 */
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iphttpsd/gw.h"
#include "iphttpsd/gwconf.h"
#include "iphttpsd/gwfiles.h"
#include "iphttpsd/gwtls.h"
#include "iphttpsd/priv.h"
#include "lib/log.h"
#include "lib/tls.h"

struct main_opts {
	const char *conf_path;
	bool check;
	int verbose;
	bool debug;
};

static void main_usage(FILE *out)
{
	fprintf(out, "usage: iphttpsd [-dhnv] [-c FILE]\n"
		     "  -c FILE  configuration file (default: built-in defaults)\n"
		     "  -n       check the configuration and exit; with -v print it normalised\n"
		     "  -v       more verbose logging (repeatable)\n"
		     "  -d       debug logging\n"
		     "  -h       this help\n");
}

static int main_args(int argc, char **argv, struct main_opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "c:dhnv")) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'n':
			o->check = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			main_usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		main_usage(stderr);
		return -1;
	}
	return 0;
}

static int main_load(const struct main_opts *o, struct gwconf *c)
{
	char *text;
	size_t len;
	int errors;

	gwconf_defaults(c);
	if (!o->conf_path)
		return 0;
	text = gwconf_read_file(o->conf_path, &len);
	if (!text) {
		log_warn("%s", o->conf_path);
		return -1;
	}
	errors = gwconf_parse(c, text, len, o->conf_path);
	free(text);
	return errors ? -1 : 0;
}

static void main_check_warnings(const struct gwconf *c, const struct tls_server_opts *o)
{
	time_t now = time(NULL);

	if (c->tls_profile == TLS_PROFILE_COMPAT && !tls_server_null_possible(o))
		log_warnx(
		    "tls-profile compat without an RSA certificate: the NULL suites cannot be "
		    "negotiated (they need TLS_RSA key exchange)");
	for (size_t i = 0; i < o->ncert; i++) {
		struct tls_cert_info info;
		long days;

		if (tls_cert_info_pem(o->cert[i].p, o->cert[i].len, &info) == -1)
			continue;
		days = tls_cert_days_left(&info, now);
		if (days < 0)
			log_warnx("certificate %s has expired", info.subject);
		else if (days < GWTLS_EXPIRY_WARN_DAYS)
			log_warnx("certificate %s expires in %ld days", info.subject, days);
	}
}

/*
 * Everything the worker will load must load now: certificate/key pairs (matching), the client
 * CA, CRLs and identity rules, under the configured profile. Warnings for a compat profile
 * that cannot offer NULL and for certificates close to expiry.
 */
static int main_check_tls(const struct gwconf *c)
{
	struct tls_server_opts o;
	struct ident_rules rules;
	struct gwfiles f;
	char err[512];
	SSL_CTX *ctx;
	int rc = -1;

	if (c->ncert == 0) {
		char cp[PATH_MAX], kp[PATH_MAX];

		/* The self-signed pair is made at the first start; until then there is no
		   context to build (gwconf_check_files has checked the other files exist). */
		gwfiles_cert_paths(c, 0, cp, kp, sizeof(cp));
		if (access(cp, F_OK) != 0 || access(kp, F_OK) != 0)
			return 0;
	}
	if (gwfiles_read(&f, c) == -1)
		return -1;
	gwfiles_tls_opts(&f, c, &o);
	if (gwfiles_ident(&f, c, &rules, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		goto out;
	}
	ident_free(&rules);
	ctx = tls_server_ctx_new(&o, err, sizeof(err));
	if (!ctx) {
		log_errx("tls: %s", err);
		goto out;
	}
	SSL_CTX_free(ctx);
	main_check_warnings(c, &o);
	rc = 0;
out:
	gwfiles_free(&f);
	return rc;
}

static int main_check(const struct main_opts *o, const struct gwconf *c)
{
	if (gwconf_check_files(c) > 0 || main_check_tls(c) == -1)
		return 1;
	if (o->verbose)
		gwconf_print(c, stdout);
	else
		printf("configuration OK\n");
	return 0;
}

static int main_worker(struct gw_setup *s)
{
	struct gw *gw;
	int rc = 1;

	if (priv_drop(&s->conf) == -1) {
		priv_setup_close(s);
		return 1;
	}
	gw = malloc(sizeof(*gw));
	if (gw && gw_init(gw, s) == 0) {
		priv_setup_close(s); /* gw took the descriptors; this cleanses the key copy */
		rc = gw_run(gw) == 0 ? 0 : 1;
	}
	priv_setup_close(s);
	if (gw)
		gw_free(gw);
	free(gw);
	return rc;
}

/* The parent's side of the workers started so far. */
struct main_workers {
	pid_t pid[GWCONF_MAX_WORKERS];
	int fd[GWCONF_MAX_WORKERS];
	char control[GWCONF_MAX_WORKERS][PATH_MAX];
	size_t n;
};

/* In worker k: the parent's ends to the earlier workers are not ours. */
static void main_child(struct main_workers *mw, struct gw_setup *w, int fd)
{
	char ident[32]; /* log_init keeps the pointer: alive until _exit */

	for (size_t i = 0; i < mw->n; i++)
		close(mw->fd[i]);
	w->priv_fd = fd;
	if (w->conf.workers > 1) {
		snprintf(ident, sizeof(ident), "iphttpsd-w%u", w->worker);
		log_init(ident, w->conf.log_syslog, (enum log_level)log_get_level());
	}
	_exit(main_worker(w));
}

/* Sets up worker k as root and forks it. 0, or -1 (logged; started workers keep running). */
static int main_start_worker(struct main_workers *mw, const struct gw_setup *s, uint32_t k)
{
	struct gw_setup *w = calloc(1, sizeof(*w));
	int sv[2] = {-1, -1}, rc = -1;
	pid_t pid;

	if (!w || priv_setup_worker(w, s, k) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warnx("worker %u: setup failed", k);
		goto out;
	}
	if ((pid = fork()) == -1) {
		log_warn("fork");
		goto out;
	}
	if (pid == 0) {
		close(sv[0]);
		main_child(mw, w, sv[1]);
	}
	mw->pid[mw->n] = pid;
	mw->fd[mw->n] = sv[0];
	snprintf(mw->control[mw->n++], sizeof(mw->control[0]), "%s", w->conf.control);
	sv[0] = -1;
	rc = 0;
out:
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	if (w)
		priv_setup_close_fds(w); /* the parent keeps no worker descriptor; files are s's */
	free(w);
	return rc;
}

static void main_stop_workers(struct main_workers *mw)
{
	for (size_t i = 0; i < mw->n; i++)
		kill(mw->pid[i], SIGTERM);
	for (size_t i = 0; i < mw->n; i++)
		waitpid(mw->pid[i], NULL, 0);
}

static int main_daemon(const struct main_opts *o, struct gw_setup *s)
{
	struct main_workers *mw = calloc(1, sizeof(*mw));
	int rc = 1;

	if (!mw || priv_setup(s) == -1) {
		priv_setup_close(s);
		log_errx("setup failed; exiting");
		free(mw);
		return 1;
	}
	for (uint32_t k = 0; k < s->conf.workers; k++)
		if (main_start_worker(mw, s, k) == -1)
			break;
	priv_setup_close(s);
	if (mw->n == s->conf.workers)
		rc = priv_parent(mw->pid, mw->fd, mw->n, o->conf_path);
	else
		main_stop_workers(mw); /* a gateway with some of its workers is not started */
	for (size_t i = 0; i < mw->n; i++)
		unlink(mw->control[i]);
	log_notice("exiting (%d)", rc);
	free(mw);
	return rc;
}

/*
 * Signals are blocked from the first instruction and handled through signalfd later, so a
 * SIGHUP from systemd's ExecReload during start-up cannot kill us; dispositions inherited as
 * SIG_IGN (nohup) are reset, or the signals would never reach the signalfd.
 */
static void main_signals(void)
{
	const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		signal(sigs[i], SIG_DFL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Every client is a descriptor: take the hard limit, not the soft 1024 of a default session. */
static void main_nofile(const struct gwconf *c)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)(c->max_clients / c->workers) + 64)
		log_warnx("max-clients %u exceeds the descriptor limit %llu; raise LimitNOFILE",
			  c->max_clients, (unsigned long long)rl.rlim_cur);
}

/* After the arguments: check (-n) or run. s is freed by the caller, whatever happens. */
static int main_run(const struct main_opts *o, struct gw_setup *s)
{
	enum log_level lvl;

	log_init("iphttpsd", false, LOG_LVL_INFO);
	if (main_load(o, &s->conf) == -1)
		return 1;
	if (o->check)
		return main_check(o, &s->conf);
	lvl = (enum log_level)s->conf.log_level;
	if (o->debug || o->verbose > 1)
		lvl = LOG_LVL_DEBUG;
	else if (o->verbose && lvl < LOG_LVL_INFO)
		lvl = LOG_LVL_INFO;
	log_init("iphttpsd", s->conf.log_syslog, lvl);
	main_nofile(&s->conf);
	return main_daemon(o, s);
}

int main(int argc, char **argv)
{
	struct main_opts o = {0};
	struct gw_setup *s;
	int rc;

	main_signals();
	if (main_args(argc, argv, &o) == -1)
		return 2;
	if (!(s = calloc(1, sizeof(*s))))
		return 1;
	rc = main_run(&o, s);
	free(s);
	return rc;
}
