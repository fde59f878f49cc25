/* SPDX-License-Identifier: ISC */
/*
 * sock: socket(7), tcp(7), ipv6(7) and unix(7) plumbing. Every function returns -1 with the
 * errno of the call that failed and closes what it opened on the way.
 */
#include "lib/sock.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SOCK_UNIX_BACKLOG 16 /* the control socket has one or two clients at a time */

static int sock_close_fail(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

static int sock_set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

int sock_listen_tcp(const struct sockaddr *sa, socklen_t len, int backlog)
{
	return sock_listen_tcp_shared(sa, len, backlog, false);
}

int sock_listen_tcp_shared(const struct sockaddr *sa, socklen_t len, int backlog, bool reuseport)
{
	int fd;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return -1;
	if (sock_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) == -1)
		return sock_close_fail(fd);
	/* SO_REUSEPORT: the kernel spreads connections over the sockets of several processes
	   bound to the same address by a hash of the 4-tuple (socket(7)). */
	if (reuseport && sock_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) == -1)
		return sock_close_fail(fd);
	if (sa->sa_family == AF_INET6 && sock_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) == -1)
		return sock_close_fail(fd);
	if (bind(fd, sa, len) == -1 || listen(fd, backlog) == -1)
		return sock_close_fail(fd);
	return fd;
}

int sock_accept(int lfd, struct sockaddr_storage *ss, socklen_t *len)
{
	socklen_t dummy;

	if (ss == NULL)
		return accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (len == NULL)
		len = &dummy;
	*len = sizeof(*ss);
	return accept4(lfd, (struct sockaddr *)ss, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

bool sock_accept_retryable(int err)
{
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	/* accept(2) "Error handling": network errors already pending on the new socket. */
	case ENETDOWN:
	case EPROTO:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
	case EPERM: /* a firewall (LSM or netfilter socket hook) refused this one connection */
		return true;
	default:
		return false;
	}
}

/* Seconds as the int setsockopt wants; values past INT_MAX are refused by the kernel anyway. */
static int sock_secs(unsigned s)
{
	return s > INT_MAX ? INT_MAX : (int)s;
}

static int sock_keepalive(int fd, unsigned idle_s)
{
	unsigned intvl = idle_s / 6;

	if (intvl < SOCK_KEEPINTVL_MIN)
		intvl = SOCK_KEEPINTVL_MIN;
	/* tcp(7): TCP_KEEPIDLE and TCP_KEEPINTVL take 1..32767 s, TCP_KEEPCNT 1..127. */
	if (sock_set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1) == -1 ||
	    sock_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, sock_secs(idle_s)) == -1 ||
	    sock_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, sock_secs(intvl)) == -1 ||
	    sock_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, SOCK_KEEPCNT) == -1)
		return -1;
	return 0;
}

static int sock_user_timeout(int fd, unsigned user_timeout_s)
{
	/* tcp(7): an unsigned int of milliseconds; the kernel refuses more than INT_MAX. */
	if (user_timeout_s > INT_MAX / 1000) {
		errno = EINVAL;
		return -1;
	}
	return sock_set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)user_timeout_s * 1000);
}

int sock_tcp_tune(int fd, unsigned keepalive_idle_s, unsigned user_timeout_s)
{
	if (sock_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) == -1)
		return -1;
	if (keepalive_idle_s > 0 && sock_keepalive(fd, keepalive_idle_s) == -1)
		return -1;
	if (user_timeout_s > 0 && sock_user_timeout(fd, user_timeout_s) == -1)
		return -1;
	return 0;
}

int sock_reset_close(int fd)
{
	/* l_linger 0: close() discards unsent data and sends RST (socket(7) SO_LINGER). */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int rc = 0, saved = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == -1) {
		rc = -1;
		saved = errno;
	}
	if (close(fd) == -1)
		return -1;
	if (rc == -1)
		errno = saved;
	return rc;
}

static int sock_unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun->sun_path)) {
		errno = path[0] == '\0' ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/*
 * Makes path free for bind: absent already, or a socket nobody listens on (removed).
 * Never removes anything else.
 */
static int sock_unix_clear(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	/* Non-blocking: a live listener with a full backlog answers EAGAIN instead of hanging. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == -1 && (errno == ECONNREFUSED || errno == ENOENT)) {
		close(fd);
		if (unlink(sun->sun_path) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS)
		errno = EADDRINUSE;
	return sock_close_fail(fd);
}

int sock_listen_unix(const char *path, mode_t mode)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc;

	if (sock_unix_addr(path, &sun) == -1 || sock_unix_clear(&sun) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* unix(7): the socket file gets 0777 & ~umask; fchmod on the socket does not reach it. */
	old = umask(~mode & 0777);
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1)
		return sock_close_fail(fd);
	if (listen(fd, SOCK_UNIX_BACKLOG) == -1) {
		rc = errno;
		unlink(path);
		close(fd);
		errno = rc;
		return -1;
	}
	return fd;
}

int sock_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (sock_unix_addr(path, &sun) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) == -1)
		return sock_close_fail(fd);
	return fd;
}
