/* SPDX-License-Identifier: ISC */
/*
 * priv: root-side setup, the privilege drop, and the small parent process that survives it.
 * See priv.h for the process model.
 */
#include "iphttpsd/priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "lib/sock.h"
#include "lib/sysctl.h"
#include "lib/tls.h"
#include "lib/tun.h"

/* ---- messages ---- */

static int priv_write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = send(fd, b, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int priv_read_all(int fd, void *p, size_t len)
{
	uint8_t *b = p;

	while (len > 0) {
		ssize_t n = recv(fd, b, len, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int priv_send(int fd, uint32_t type, const struct priv_part *parts, size_t n)
{
	uint32_t h[2 + PRIV_PARTS] = {type, (uint32_t)n};

	if (n > PRIV_PARTS) {
		errno = EMSGSIZE;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len > PRIV_PART_MAX) {
			errno = EMSGSIZE;
			return -1;
		}
		h[2 + i] = (uint32_t)parts[i].len;
	}
	if (priv_write_all(fd, h, (2 + n) * sizeof(h[0])) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (parts[i].len > 0 && priv_write_all(fd, parts[i].p, parts[i].len) == -1)
			return -1;
	return 0;
}

void priv_msg_free(struct priv_msg *m)
{
	for (size_t i = 0; i < PRIV_PARTS; i++) {
		if (m->part[i]) {
			OPENSSL_cleanse(m->part[i], m->len[i]);
			free(m->part[i]);
		}
		m->part[i] = NULL;
	}
}

int priv_recv(int fd, struct priv_msg *m)
{
	struct timeval tv = {5, 0};

	memset(m, 0, sizeof(*m));
	/* The sender writes the whole message at once; a stalled peer must not hang us. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (priv_read_all(fd, &m->type, sizeof(m->type)) == -1 ||
	    priv_read_all(fd, &m->n, sizeof(m->n)) == -1 || m->n > PRIV_PARTS ||
	    priv_read_all(fd, m->len, m->n * sizeof(m->len[0])) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->len[i] > PRIV_PART_MAX)
			goto fail;
		if (m->len[i] == 0)
			continue;
		/* NUL-terminated for the parsers; the length excludes it. */
		m->part[i] = malloc((size_t)m->len[i] + 1);
		if (!m->part[i] || priv_read_all(fd, m->part[i], m->len[i]) == -1)
			goto fail;
		m->part[i][m->len[i]] = '\0';
	}
	return 0;
fail:
	priv_msg_free(m);
	return -1;
}

/* ---- state directory, certificate, prefix ---- */

static int priv_state_dir(const struct gwconf *c)
{
	if (mkdir(c->state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("state-dir %s", c->state_dir);
		return -1;
	}
	return 0;
}

static int priv_selfsigned(const struct gwconf *c)
{
	char cert[PATH_MAX], key[PATH_MAX], host[256] = "", err[256];

	gwfiles_cert_paths(c, 0, cert, key, sizeof(cert));
	if (access(cert, F_OK) == 0 && access(key, F_OK) == 0)
		return 0;
	/* nmap's ip-https-discover takes the host name from the certificate CN when scanned
	   by address (ms-iphttps.md §6.1), so the certificate names this host. */
	if (gethostname(host, sizeof(host) - 1) == -1 || !tls_selfsigned_name_ok(host))
		snprintf(host, sizeof(host), "iphttps.invalid");
	if (tls_selfsigned_create(cert, key, host, err, sizeof(err)) == -1) {
		log_warnx("self-signed certificate: %s", err);
		return -1;
	}
	log_warnx("**********************************************************************");
	log_warnx("NO CERTIFICATE CONFIGURED: generated a SELF-SIGNED one for \"%s\" in %s.", host,
		  cert);
	log_warnx("Clients will not trust it (Windows: 0x800B0109). Configure `certificate`");
	log_warnx("and `key` with a certificate from a CA your clients trust.");
	log_warnx("**********************************************************************");
	return 0;
}

static int priv_write_prefix(const char *path, const struct in6_addr *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int n;

	if (fd == -1)
		return -1;
	inet_ntop(AF_INET6, p, buf, INET6_ADDRSTRLEN);
	n = (int)strlen(buf);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "/64\n");
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

/* RFC 4193 §3.2: a random ULA /64, kept in the state directory so clients keep their
   addresses' prefix across restarts. */
static int priv_prefix(struct gwconf *c)
{
	char path[PATH_MAX + 8], *text;
	size_t len;
	uint8_t plen, rnd[7];

	if (c->have_prefix)
		return 0;
	snprintf(path, sizeof(path), "%s/prefix", c->state_dir);
	text = gwconf_read_file(path, &len);
	if (text) {
		text[strcspn(text, "\r\n")] = '\0';
		if (addr_parse_prefix6(text, &c->prefix, &plen) == 0 && plen == 64) {
			free(text);
			c->have_prefix = true;
			return 0;
		}
		log_warnx("%s: not a /64 prefix; remove it to generate a new one", path);
		free(text);
		return -1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	addr_random_ula64(&c->prefix, rnd);
	if (priv_write_prefix(path, &c->prefix) == -1) {
		log_warn("%s", path);
		return -1;
	}
	c->have_prefix = true;
	log_notice("no prefix configured: generated the ULA prefix in %s", path);
	return 0;
}

/* ---- devices and sockets ---- */

/* With tun-offload (the default) TCP super-packets come up; a refusal means plain packets. */
static int priv_tun_open(struct gw_setup *s, char name[IFNAMSIZ])
{
	struct tun_offload off;
	int fd;

	s->tun_vnet = false;
	if (!s->conf.tun_offload)
		return tun_open(s->conf.tun, name);
	fd = tun_open_offload(s->conf.tun, name, &off);
	if (fd != -1 && !off.on)
		log_notice("tun %s: the kernel refused %s (%s): tun-offload off, one packet per "
			   "read",
			   s->conf.tun, off.refused, strerror(off.err));
	s->tun_vnet = fd != -1 && off.on;
	if (s->tun_vnet)
		log_info("tun %s: TCP offloads on: reads of up to 64 KiB, cut to mtu %u here",
			 s->conf.tun, s->conf.mtu);
	return fd;
}

static int priv_tun(struct gw_setup *s)
{
	struct gwconf *c = &s->conf;
	char name[IFNAMSIZ];

	s->tun_fd = priv_tun_open(s, name);
	if (s->tun_fd == -1) {
		log_warn("tun %s", c->tun);
		return -1;
	}
	if (sysctl_tun_ipv6_setup(name) == -1) {
		log_warn("tun %s: IPv6 settings", name);
		return -1;
	}
	if (nl_link_set(name, c->mtu, true) == -1) {
		log_warn("tun %s: mtu and up", name);
		return -1;
	}
	/* The link prefix is routed to the TUN so intranet replies come back to us (issue #2). */
	if (nl_route6_replace(name, &c->prefix, 64) == -1) {
		log_warn("tun %s: route to the link prefix", name);
		return -1;
	}
	if (!sysctl_ipv6_forwarding_enabled())
		log_warnx("IPv6 forwarding is off (net.ipv6.conf.all.forwarding=0): clients will "
			  "reach the gateway but not the intranet. Enable it with sysctl.");
	return 0;
}

static int priv_listen(struct gw_setup *s, const struct gwconf_listen *l,
		       enum gw_transport transport)
{
	char a[64];
	int fd = sock_listen_tcp_shared((const struct sockaddr *)&l->ss, l->len, 1024,
					s->conf.workers > 1);

	addr_format_sockaddr((const struct sockaddr *)&l->ss, a, sizeof(a));
	if (fd == -1) {
		log_warn("listen %s", a);
		return -1;
	}
	s->listen_fd[s->nlisten] = fd;
	s->listen_proxy[s->nlisten] = l->proxy_protocol;
	s->listen_transport[s->nlisten++] = transport;
	log_info("listening on %s (%s%s)", a, transport == GW_TLS ? "tls" : "plain http",
		 l->proxy_protocol ? ", PROXY v2 from trusted proxies" : "");
	return 0;
}

static int priv_sockets(struct gw_setup *s)
{
	const struct gwconf *c = &s->conf;

	for (size_t i = 0; i < c->nlisten; i++)
		if (priv_listen(s, &c->listen[i], GW_TLS) == -1)
			return -1;
	for (size_t i = 0; i < c->nlisten_http; i++)
		if (priv_listen(s, &c->listen_http[i], GW_HTTP) == -1)
			return -1;
	s->ctl_fd = sock_listen_unix(c->control, 0600);
	if (s->ctl_fd == -1) {
		log_warn("control socket %s", c->control);
		return -1;
	}
	return 0;
}

int priv_setup(struct gw_setup *s)
{
	s->tun_fd = s->ctl_fd = s->priv_fd = -1;
	s->nlisten = 0;
	if (priv_state_dir(&s->conf) == -1 || priv_prefix(&s->conf) == -1)
		return -1;
	if (s->conf.ncert == 0 && priv_selfsigned(&s->conf) == -1)
		return -1;
	if (gwfiles_read(&s->files, &s->conf) == -1)
		return -1;
	return 0;
}

int priv_setup_worker(struct gw_setup *w, const struct gw_setup *s, uint32_t k)
{
	w->conf = s->conf;
	w->files = s->files; /* shared with the parent until the fork: never freed through w */
	w->worker = k;
	w->tun_fd = w->ctl_fd = w->priv_fd = -1;
	w->nlisten = 0;
	gwconf_worker(&w->conf, k);
	if (priv_sockets(w) == -1 || priv_tun(w) == -1)
		return -1;
	return 0;
}

void priv_setup_close_fds(struct gw_setup *s)
{
	for (size_t i = 0; i < s->nlisten; i++)
		if (s->listen_fd[i] != -1)
			close(s->listen_fd[i]);
	s->nlisten = 0;
	if (s->tun_fd != -1)
		close(s->tun_fd);
	if (s->ctl_fd != -1)
		close(s->ctl_fd);
	s->tun_fd = s->ctl_fd = -1;
}

void priv_setup_close(struct gw_setup *s)
{
	priv_setup_close_fds(s);
	gwfiles_free(&s->files);
}

static const struct passwd *priv_user(const struct gwconf *c)
{
	const struct passwd *pw;

	if (c->user[0])
		return getpwnam(c->user);
	pw = getpwnam("iphttpsd");
	return pw ? pw : getpwnam("nobody");
}

int priv_drop(const struct gwconf *c)
{
	const struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = priv_user(c);
	if (!pw) {
		log_warnx("user %s: no such user", c->user[0] ? c->user : "iphttpsd/nobody");
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("dropping privileges to %s", pw->pw_name);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		log_warn("no_new_privs");
	if (setuid(0) == 0) {
		log_warnx("privileges could be regained after dropping them");
		return -1;
	}
	log_info("running as %s (uid %u)", pw->pw_name, (unsigned)pw->pw_uid);
	return 0;
}

/* ---- the parent ---- */

static void priv_reload_send(int fd, const char *text, size_t tlen, const struct gwfiles *f)
{
	struct priv_part parts[PRIV_PARTS] = {{text, tlen}};

	for (size_t i = 0; i < GWFILES_PARTS; i++)
		parts[1 + i] = (struct priv_part){f->part[i].p, f->part[i].len};
	if (priv_send(fd, PRIV_RELOAD, parts, PRIV_PARTS) == -1)
		log_warn("reload: sending to the gateway");
}

static void priv_reload(int fd, const char *conf_path)
{
	struct gwconf *c = malloc(sizeof(*c));
	struct gwfiles f;
	char *text = NULL;
	size_t tlen = 0;

	if (!c)
		return;
	gwconf_defaults(c);
	if (conf_path) {
		text = gwconf_read_file(conf_path, &tlen);
		if (!text) {
			log_warn("reload: %s", conf_path);
			goto out;
		}
		if (gwconf_parse(c, text, tlen, conf_path) > 0) {
			log_warnx("reload: %s has errors; nothing changed", conf_path);
			goto out;
		}
	}
	if (gwfiles_read(&f, c) == -1) {
		log_warnx("reload: keeping the previous configuration and files");
		goto out;
	}
	priv_reload_send(fd, text, tlen, &f);
	gwfiles_free(&f);
out:
	free(text);
	free(c);
}

static int priv_exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	log_warnx("gateway worker killed by signal %d", WTERMSIG(st));
	return 1;
}

/* SIGCHLD also reports a worker stopped or continued: only an exit counts. Returns the exit
   status of the first worker found gone, or -1 while all live. */
static int priv_children_exited(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int st;
		pid_t r = waitpid(pids[i], &st, WNOHANG);

		if (r == pids[i])
			return priv_exit_status(st);
		if (r == -1)
			return 1;
	}
	return -1;
}

/* One worker is gone or broke the protocol: the gateway stops whole (a load balancer sees the
   address go, rather than a part of the clients failing). Ends and collects every worker; rc is
   a status already known, or -1. Any worker's failure makes the exit status non-zero. */
static int priv_children_end(const pid_t *pids, size_t n, int rc)
{
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (size_t i = 0; i < n; i++) {
		int st, one;

		if (waitpid(pids[i], &st, 0) != pids[i])
			continue;
		one = priv_exit_status(st);
		if (rc <= 0)
			rc = one;
	}
	return rc < 0 ? 1 : rc;
}

static int priv_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
		return -1;
	return signalfd(-1, set, SFD_CLOEXEC);
}

/* A signal: >= 0 the exit status (a worker ended), -1 to go on. */
static int priv_parent_signal(int sfd, const pid_t *pids, const int *fds, size_t n,
			      const char *conf_path)
{
	struct signalfd_siginfo si;
	int rc;

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return -1;
	if (si.ssi_signo == SIGCHLD) {
		rc = priv_children_exited(pids, n);
		return rc < 0 ? -1 : priv_children_end(pids, n, rc);
	}
	for (size_t i = 0; i < n; i++) {
		if (si.ssi_signo == SIGHUP)
			priv_reload(fds[i], conf_path);
		else
			kill(pids[i], SIGTERM);
	}
	return -1;
}

int priv_parent(const pid_t *pids, const int *fds, size_t n, const char *conf_path)
{
	struct pollfd p[1 + GWCONF_MAX_WORKERS];
	sigset_t set;
	int sfd = priv_signals(&set), rc;

	if (sfd == -1)
		log_fatal("signalfd");
	for (;;) {
		p[0] = (struct pollfd){sfd, POLLIN, 0};
		for (size_t i = 0; i < n; i++)
			p[1 + i] = (struct pollfd){fds[i], POLLIN, 0};
		if (poll(p, 1 + n, -1) == -1 && errno != EINTR)
			log_fatal("poll");
		if (p[0].revents & POLLIN &&
		    (rc = priv_parent_signal(sfd, pids, fds, n, conf_path)) >= 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			struct priv_msg m;

			if (!(p[1 + i].revents & (POLLIN | POLLHUP)))
				continue;
			if (priv_recv(fds[i], &m) == -1)
				return priv_children_end(pids, n, -1);
			if (m.type == PRIV_RELOAD_REQ)
				priv_reload(fds[i], conf_path);
			priv_msg_free(&m);
		}
	}
}
