/* SPDX-License-Identifier: ISC */
/*
 * test_sys: lib/tun, lib/nl, lib/sysctl and lib/sock against the running kernel. Root only:
 * every test first moves the process into a new network namespace and a new mount namespace
 * with its own /sys (sysfs shows the namespace of whoever mounted it, not of the reader, which
 * is why `ip netns exec` remounts it too), so nothing outside is touched and no test sees what
 * another one left. /proc/net and /proc/sys/net follow the calling thread's namespace already.
 * Without root, or where namespaces cannot be made, each test is skipped with a message.
 * Addresses are documentation ones (RFC 3849, RFC 5737).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/nl.h"
#include "lib/sock.h"
#include "lib/sysctl.h"
#include "lib/tun.h"

#define TUN_NAME  "iphttps0"
#define TUN_OTHER "plain0"
#define FIX_FDS	  16
#define POLL_MS	  2000 /* readiness waits: an upper bound, not a delay */

/* /proc/net/ipv6_route and /proc/net/if_inet6 print addresses as 32 hex digits. */
#define HEX_ROUTE  "20010db8000110000000000000000000" /* 2001:db8:1:1000::/64 */
#define HEX_ADDR1  "20010db8000000000000000000000001" /* 2001:db8::1 */
#define HEX_ADDR2  "20010db8000000000000000000000002" /* 2001:db8::2 */
#define HEX_PREFIX "20010db8000000000000000000000000" /* 2001:db8::/64 */

struct fix {
	const char *skip_reason; /* non-NULL: the environment cannot run these tests */
	int fds[FIX_FDS];	 /* closed by the teardown, even after a failed assertion */
	size_t nfds;
	char dir[64]; /* temporary directory for AF_UNIX sockets, "" if none */
};

/* ---- environment ----------------------------------------------------------------------- */

static const char *fix_enter_namespaces(void)
{
	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) == -1)
		return "unshare(CLONE_NEWNET | CLONE_NEWNS) failed";
	/* Private propagation first, so the /sys remount below stays inside this namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return "cannot make / private";
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return "cannot mount sysfs";
	if (nl_link_set("lo", 0, true) == -1)
		return "cannot bring lo up";
	return NULL;
}

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->skip_reason = fix_enter_namespaces();
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	for (size_t i = 0; i < f->nfds; i++)
		close(f->fds[i]);
	if (f->dir[0] != '\0') {
		static const char *const names[] = {"ctl.sock", "file"};
		char p[128];

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", f->dir, names[i]);
			unlink(p);
		}
		rmdir(f->dir);
	}
	free(f);
	return 0;
}

static struct fix *fix_get(void **state)
{
	struct fix *f = *state;

	if (f->skip_reason != NULL) {
		print_message("test_sys: skipped: %s\n", f->skip_reason);
		skip();
	}
	return f;
}

/* Registers fd for the teardown and returns it. */
static int fix_fd(struct fix *f, int fd)
{
	assert_true(fd >= 0);
	assert_true(f->nfds < FIX_FDS);
	f->fds[f->nfds++] = fd;
	return fd;
}

/* Closes a registered fd now (for tests that need the close to happen). */
static void fix_close(struct fix *f, int fd)
{
	for (size_t i = 0; i < f->nfds; i++)
		if (f->fds[i] == fd) {
			f->fds[i] = f->fds[--f->nfds];
			close(fd);
			return;
		}
	fail_msg("fd %d not registered", fd);
}

static int fix_tun(struct fix *f, const char *name)
{
	char actual[IFNAMSIZ];
	int fd = fix_fd(f, tun_open(name, actual));

	assert_string_equal(actual, name);
	return fd;
}

/* ---- reading the kernel's view --------------------------------------------------------- */

static void read_text(const char *path, char *out, size_t len)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	if (fgets(out, (int)len, fp) == NULL)
		out[0] = '\0';
	fclose(fp);
	out[strcspn(out, "\n")] = '\0';
}

static void sysfs_read(const char *ifname, const char *attr, char *out, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	read_text(path, out, len);
}

static unsigned long sysfs_ulong(const char *ifname, const char *attr)
{
	char v[32];

	sysfs_read(ifname, attr, v, sizeof(v));
	return strtoul(v, NULL, 0);
}

static bool sysfs_exists(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return access(path, F_OK) == 0;
}

/* Lines of /proc/net/ipv6_route for dst/plen through dev; *metric gets the last one's. */
static int route_count(const char *dst, unsigned plen, const char *dev, unsigned *metric)
{
	char line[256], d[33], s[33], nh[33], name[IFNAMSIZ];
	unsigned dl, sl, m, ref, use, flags;
	FILE *fp = fopen("/proc/net/ipv6_route", "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %15s", d, &dl, s, &sl, nh, &m,
			   &ref, &use, &flags, name) != 10)
			continue;
		if (strcmp(d, dst) == 0 && dl == plen && strcmp(name, dev) == 0) {
			n++;
			if (metric != NULL)
				*metric = m;
		}
	}
	fclose(fp);
	return n;
}

/* Lines of /proc/net/if_inet6 for addr on dev; *plen and *flags get the last one's. */
static int addr_count(const char *addr, const char *dev, unsigned *plen, unsigned *flags)
{
	char line[256], a[33], name[IFNAMSIZ];
	unsigned idx, pl, scope, fl;
	FILE *fp = fopen("/proc/net/if_inet6", "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%32s %x %x %x %x %15s", a, &idx, &pl, &scope, &fl, name) != 6)
			continue;
		if (strcmp(a, addr) == 0 && strcmp(name, dev) == 0) {
			n++;
			if (plen != NULL)
				*plen = pl;
			if (flags != NULL)
				*flags = fl;
		}
	}
	fclose(fp);
	return n;
}

/* Addresses of dev starting with fe80 (link-local). */
static int linklocal_count(const char *dev)
{
	char line[256], a[33], name[IFNAMSIZ];
	unsigned idx, pl, scope, fl;
	FILE *fp = fopen("/proc/net/if_inet6", "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%32s %x %x %x %x %15s", a, &idx, &pl, &scope, &fl, name) == 6 &&
		    strncmp(a, "fe80", 4) == 0 && strcmp(name, dev) == 0)
			n++;
	fclose(fp);
	return n;
}

static int sockopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

static void assert_nonblock_cloexec(int fd, bool nonblock)
{
	assert_int_equal(!!(fcntl(fd, F_GETFL) & O_NONBLOCK), nonblock);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void assert_fail_errno(int rc, int err)
{
	int saved = errno;

	assert_int_equal(rc, -1);
	if (saved != err)
		fail_msg("errno %d (%s), expected %d (%s)", saved, strerror(saved), err,
			 strerror(err));
}

static void wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	assert_int_equal(poll(&p, 1, POLL_MS), 1);
}

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* ---- tun ------------------------------------------------------------------------------- */

static void test_tun_open(void **state)
{
	struct fix *f = fix_get(state);
	char actual[IFNAMSIZ], v[32];
	uint8_t pkt[64];
	int fd;

	fd = fix_tun(f, TUN_NAME);
	assert_true(sysfs_exists(TUN_NAME));
	sysfs_read(TUN_NAME, "tun_flags", v, sizeof(v));
	assert_string_equal(v, "0x1001"); /* IFF_TUN | IFF_NO_PI */
	sysfs_read(TUN_NAME, "type", v, sizeof(v));
	assert_string_equal(v, "65534"); /* ARPHRD_NONE: layer 3 */
	assert_nonblock_cloexec(fd, true);
	assert_fail_errno((int)read(fd, pkt, sizeof(pkt)), EAGAIN);

	/* Attached already: a second daemon cannot take it over. */
	assert_fail_errno(tun_open(TUN_NAME, actual), EBUSY);

	/* Not persistent: closing the descriptor removes the device. */
	fix_close(f, fd);
	assert_int_equal(if_nametoindex(TUN_NAME), 0);
	assert_false(sysfs_exists(TUN_NAME));

	fd = fix_fd(f, tun_open(NULL, actual));
	assert_int_equal(strncmp(actual, "tun", 3), 0);
	assert_true(sysfs_exists(actual));
	fix_fd(f, tun_open("", NULL));

	assert_fail_errno(tun_open("0123456789abcdef", actual), ENAMETOOLONG);
	assert_fail_errno(tun_open("bad/name", actual), EINVAL);
}

/* ---- nl -------------------------------------------------------------------------------- */

static void test_nl_link_set(void **state)
{
	struct fix *f = fix_get(state);
	char v[32];

	fix_tun(f, TUN_NAME);
	assert_int_equal(nl_link_set(TUN_NAME, 1280, true), 0);
	assert_int_equal(sysfs_ulong(TUN_NAME, "mtu"), 1280);
	assert_true(sysfs_ulong(TUN_NAME, "flags") & IFF_UP);
	/* TUN keeps no RFC 2863 state of its own: "unknown" while up (or "up"), never "down". */
	sysfs_read(TUN_NAME, "operstate", v, sizeof(v));
	assert_true(strcmp(v, "unknown") == 0 || strcmp(v, "up") == 0);

	/* mtu 0 leaves the MTU alone. */
	assert_int_equal(nl_link_set(TUN_NAME, 0, false), 0);
	assert_int_equal(sysfs_ulong(TUN_NAME, "mtu"), 1280);
	assert_false(sysfs_ulong(TUN_NAME, "flags") & IFF_UP);
	sysfs_read(TUN_NAME, "operstate", v, sizeof(v));
	assert_string_equal(v, "down");

	/* The kernel's own refusal, through NLMSG_ERROR: TUN's largest MTU is 65535. */
	assert_fail_errno(nl_link_set(TUN_NAME, 70000, true), EINVAL);
	assert_int_equal(sysfs_ulong(TUN_NAME, "mtu"), 1280);

	assert_int_equal(nl_link_set(TUN_NAME, 1500, true), 0);
	assert_int_equal(sysfs_ulong(TUN_NAME, "mtu"), 1500);
	assert_true(sysfs_ulong(TUN_NAME, "flags") & IFF_UP);

	assert_fail_errno(nl_link_set("nonexist0", 1280, true), ENODEV);
	assert_fail_errno(nl_link_set("", 1280, true), ENODEV);
	assert_fail_errno(nl_link_set("0123456789abcdef", 1280, true), ENODEV);
}

static void test_nl_route6(void **state)
{
	struct fix *f = fix_get(state);
	struct in6_addr dst = in6("2001:db8:1:1000::");
	struct in6_addr host = in6("2001:db8:1:1000::5");
	unsigned metric = 0;

	fix_tun(f, TUN_NAME);
	fix_tun(f, TUN_OTHER);

	/* A route through a link that is down is refused by the kernel. */
	assert_fail_errno(nl_route6_replace(TUN_NAME, &dst, 64), ENETDOWN);
	assert_int_equal(nl_link_set(TUN_NAME, 1280, true), 0);
	assert_int_equal(nl_link_set(TUN_OTHER, 1280, true), 0);

	assert_int_equal(nl_route6_replace(TUN_NAME, &dst, 64), 0);
	assert_int_equal(route_count(HEX_ROUTE, 64, TUN_NAME, &metric), 1);
	assert_int_equal(metric, NL_ROUTE_METRIC);
	/* Replacing is idempotent; host bits are ignored. */
	assert_int_equal(nl_route6_replace(TUN_NAME, &dst, 64), 0);
	assert_int_equal(nl_route6_replace(TUN_NAME, &host, 64), 0);
	assert_int_equal(route_count(HEX_ROUTE, 64, TUN_NAME, NULL), 1);

	assert_int_equal(nl_route6_del(TUN_NAME, &host, 64), 0);
	assert_int_equal(route_count(HEX_ROUTE, 64, TUN_NAME, NULL), 0);
	assert_fail_errno(nl_route6_del(TUN_NAME, &dst, 64), ESRCH);

	/* Deleting through one device leaves the same prefix through another alone. */
	assert_int_equal(nl_route6_replace(TUN_OTHER, &dst, 64), 0);
	assert_fail_errno(nl_route6_del(TUN_NAME, &dst, 64), ESRCH);
	assert_int_equal(route_count(HEX_ROUTE, 64, TUN_OTHER, NULL), 1);

	assert_fail_errno(nl_route6_replace("nonexist0", &dst, 64), ENODEV);
	assert_fail_errno(nl_route6_del("nonexist0", &dst, 64), ENODEV);
	assert_fail_errno(nl_route6_replace(TUN_NAME, &dst, 129), EINVAL);
}

static void test_nl_addr6(void **state)
{
	struct fix *f = fix_get(state);
	struct in6_addr a1 = in6("2001:db8::1"), a2 = in6("2001:db8::2");
	unsigned plen = 0, flags = 0;

	fix_tun(f, TUN_NAME);
	assert_int_equal(nl_link_set(TUN_NAME, 1280, true), 0);

	assert_int_equal(nl_addr6_add(TUN_NAME, &a1, 64, true), 0);
	assert_int_equal(addr_count(HEX_ADDR1, TUN_NAME, &plen, &flags), 1);
	assert_int_equal(plen, 64);
	assert_true(flags & IFA_F_NODAD);
	assert_true(flags & IFA_F_PERMANENT);
	assert_false(flags & IFA_F_TENTATIVE);
	/* The kernel's prefix route for the address (metric 256, IP6_RT_PRIO_ADDRCONF). */
	assert_int_equal(route_count(HEX_PREFIX, 64, TUN_NAME, NULL), 1);

	/* Adding again replaces: a restarted daemon does not fail on its own address. */
	assert_int_equal(nl_addr6_add(TUN_NAME, &a1, 64, true), 0);
	assert_int_equal(addr_count(HEX_ADDR1, TUN_NAME, NULL, NULL), 1);

	assert_int_equal(nl_addr6_add(TUN_NAME, &a2, 64, false), 0);
	assert_int_equal(addr_count(HEX_ADDR2, TUN_NAME, NULL, &flags), 1);
	assert_false(flags & IFA_F_NODAD);

	assert_fail_errno(nl_addr6_add("nonexist0", &a1, 64, true), ENODEV);
	assert_fail_errno(nl_addr6_add(TUN_NAME, &a1, 129, true), EINVAL);
}

/* ---- sysctl ---------------------------------------------------------------------------- */

static void assert_sysctl(const char *key, const char *want)
{
	char v[64];

	if (sysctl_get(key, v, sizeof(v)) == -1)
		fail_msg("sysctl_get(%s): %s", key, strerror(errno));
	assert_string_equal(v, want);
}

static void test_sysctl_tun_setup(void **state)
{
	struct fix *f = fix_get(state);

	fix_tun(f, TUN_NAME);
	fix_tun(f, TUN_OTHER);
	assert_int_equal(sysctl_tun_ipv6_setup(TUN_NAME), 0);
	assert_sysctl("net.ipv6.conf." TUN_NAME ".addr_gen_mode", "1");
	assert_sysctl("net.ipv6.conf." TUN_NAME ".accept_ra", "0");
	assert_sysctl("net.ipv6.conf." TUN_NAME ".autoconf", "0");
	assert_sysctl("net.ipv6.conf." TUN_NAME ".forwarding", "1");

	/* Up: the prepared TUN gets no link-local; an untouched one (the control) does. */
	assert_int_equal(nl_link_set(TUN_NAME, 1280, true), 0);
	assert_int_equal(nl_link_set(TUN_OTHER, 1280, true), 0);
	assert_int_equal(linklocal_count(TUN_OTHER), 1);
	assert_int_equal(linklocal_count(TUN_NAME), 0);

	assert_fail_errno(sysctl_tun_ipv6_setup("nonexist0"), ENOENT);
	assert_fail_errno(sysctl_tun_ipv6_setup("a/b"), EINVAL);
	assert_fail_errno(sysctl_tun_ipv6_setup(""), EINVAL);
	assert_fail_errno(sysctl_tun_ipv6_setup(".."), EINVAL);
}

/* An interface name with a dot: both sysctl.d(5) spellings reach the same file. */
static void test_sysctl_dotted_ifname(void **state)
{
	struct fix *f = fix_get(state);

	fix_tun(f, "ipht.1");
	assert_int_equal(sysctl_tun_ipv6_setup("ipht.1"), 0);
	assert_sysctl("net.ipv6.conf.ipht/1.addr_gen_mode", "1");
	assert_sysctl("net/ipv6/conf/ipht.1/forwarding", "1");
	assert_int_equal(sysctl_set("net.ipv6.conf.ipht/1.accept_ra", "2"), 0);
	assert_sysctl("net/ipv6/conf/ipht.1/accept_ra", "2");
}

static void test_sysctl_get_set(void **state)
{
	char v[8];

	fix_get(state);
	assert_int_equal(sysctl_set("net.ipv6.conf.all.forwarding", "0"), 0);
	assert_false(sysctl_ipv6_forwarding_enabled());
	assert_int_equal(sysctl_set("net/ipv6/conf/all/forwarding", "1"), 0);
	assert_true(sysctl_ipv6_forwarding_enabled());

	/* "Linux\n": 6 bytes fit "Linux" and its NUL; 5 do not. */
	assert_int_equal(sysctl_get("kernel.ostype", v, 6), 0);
	assert_string_equal(v, "Linux");
	assert_fail_errno(sysctl_get("kernel.ostype", v, 5), ERANGE);
	assert_fail_errno(sysctl_get("kernel.ostype", v, 0), EINVAL);

	assert_fail_errno(sysctl_set("net.ipv6.conf.all.forwarding", "x"), EINVAL);
	assert_fail_errno(sysctl_get("net.ipv6.conf.nonexist0.accept_ra", v, sizeof(v)), ENOENT);
	assert_fail_errno(sysctl_set("net.ipv6.conf.nonexist0.accept_ra", "0"), ENOENT);
}

/* Keys cannot leave /proc/sys. */
static void test_sysctl_bad_keys(void **state)
{
	static const char *const bad[] = {
	    "",
	    ".",
	    "..",
	    "net..ipv6",
	    ".net.ipv6",
	    "net.ipv6.",
	    "../../etc/passwd",
	    "net/../../etc/passwd",
	    "net/ipv6/./conf",
	    "/etc/passwd",
	    "net//ipv6",
	    "kernel/..",
	    "kernel.../ostype",
	};
	char v[64];

	fix_get(state);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (sysctl_get(bad[i], v, sizeof(v)) != -1 || errno != EINVAL)
			fail_msg("key \"%s\" not refused with EINVAL (errno %d)", bad[i], errno);
		if (sysctl_set(bad[i], "0") != -1 || errno != EINVAL)
			fail_msg("key \"%s\" not refused with EINVAL (errno %d)", bad[i], errno);
	}
}

/* ---- sock: TCP ------------------------------------------------------------------------- */

static int listen6(struct fix *f, const char *addr, uint16_t port)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

	s6.sin6_addr = in6(addr);
	return fix_fd(f, sock_listen_tcp((struct sockaddr *)&s6, sizeof(s6), 16));
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void test_sock_listen_tcp(void **state)
{
	struct fix *f = fix_get(state);
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int l6, lany;
	uint16_t port;

	l6 = listen6(f, "::1", 0);
	assert_int_equal(sockopt_int(l6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	assert_int_equal(sockopt_int(l6, SOL_SOCKET, SO_REUSEADDR), 1);
	assert_int_equal(sockopt_int(l6, SOL_SOCKET, SO_ACCEPTCONN), 1);
	assert_nonblock_cloexec(l6, true);

	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &s4.sin_addr), 1);
	fix_fd(f, sock_listen_tcp((struct sockaddr *)&s4, sizeof(s4), 16));

	/* [::]:P and 0.0.0.0:P side by side (net.ipv6.bindv6only is 0 in a new namespace). */
	assert_int_equal(sysctl_set("net.ipv6.bindv6only", "0"), 0);
	lany = listen6(f, "::", 0);
	port = local_port(lany);
	s4.sin_addr.s_addr = htonl(INADDR_ANY);
	s4.sin_port = htons(port);
	fix_fd(f, sock_listen_tcp((struct sockaddr *)&s4, sizeof(s4), 16));
	/* ...but the same address twice is still refused. */
	assert_fail_errno(sock_listen_tcp((struct sockaddr *)&s4, sizeof(s4), 16), EADDRINUSE);

	assert_fail_errno(sock_listen_tcp((struct sockaddr *)&sun, sizeof(sun), 16), EAFNOSUPPORT);
}

/* A blocking client connected to [::1]:port; the listener completes the handshake itself. */
static int client6(struct fix *f, uint16_t port)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = fix_fd(f, socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));

	s6.sin6_addr = in6("::1");
	assert_int_equal(connect(fd, (struct sockaddr *)&s6, sizeof(s6)), 0);
	return fd;
}

static int accept_one(struct fix *f, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int fd;

	wait_readable(lfd);
	fd = fix_fd(f, sock_accept(lfd, &ss, &len));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_nonblock_cloexec(fd, true);
	return fd;
}

static void test_sock_accept_tune(void **state)
{
	struct fix *f = fix_get(state);
	int lfd, afd;
	uint16_t port;

	lfd = listen6(f, "::1", 0);
	port = local_port(lfd);
	assert_fail_errno(sock_accept(lfd, NULL, NULL), EAGAIN);
	assert_true(sock_accept_retryable(EAGAIN));
	assert_true(sock_accept_retryable(ECONNABORTED));
	assert_false(sock_accept_retryable(EMFILE));
	assert_false(sock_accept_retryable(EBADF));

	client6(f, port);
	afd = accept_one(f, lfd);
	assert_int_equal(sock_tcp_tune(afd, 60, 120), 0);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_NODELAY), 1);
	assert_int_equal(sockopt_int(afd, SOL_SOCKET, SO_KEEPALIVE), 1);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_KEEPINTVL), 10);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_KEEPCNT), SOCK_KEEPCNT);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_USER_TIMEOUT), 120000);

	/* The interval's floor; no user timeout. */
	client6(f, port);
	afd = accept_one(f, lfd);
	assert_int_equal(sock_tcp_tune(afd, 6, 0), 0);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_KEEPINTVL), SOCK_KEEPINTVL_MIN);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);

	/* 0 and 0: only TCP_NODELAY. */
	client6(f, port);
	afd = accept_one(f, lfd);
	assert_int_equal(sock_tcp_tune(afd, 0, 0), 0);
	assert_int_equal(sockopt_int(afd, IPPROTO_TCP, TCP_NODELAY), 1);
	assert_int_equal(sockopt_int(afd, SOL_SOCKET, SO_KEEPALIVE), 0);

	assert_fail_errno(sock_tcp_tune(afd, 40000, 0), EINVAL);
	assert_fail_errno(sock_tcp_tune(afd, 0, 3000000), EINVAL);
	assert_fail_errno(sock_tcp_tune(lfd + 100, 60, 120), EBADF);
}

static void test_sock_reset_close(void **state)
{
	struct fix *f = fix_get(state);
	int lfd, cfd, afd;
	uint16_t port;
	char c;

	lfd = listen6(f, "::1", 0);
	port = local_port(lfd);

	/* The control: a plain close() is an orderly FIN, read() returns 0. */
	cfd = client6(f, port);
	afd = accept_one(f, lfd);
	fix_close(f, afd);
	wait_readable(cfd);
	assert_int_equal(read(cfd, &c, 1), 0);

	cfd = client6(f, port);
	afd = accept_one(f, lfd);
	f->nfds--; /* sock_reset_close closes it: take it off the teardown list */
	assert_int_equal(f->fds[f->nfds], afd);
	assert_int_equal(sock_reset_close(afd), 0);
	wait_readable(cfd);
	assert_fail_errno((int)read(cfd, &c, 1), ECONNRESET);
}

/* ---- sock: AF_UNIX --------------------------------------------------------------------- */

static void unix_path(struct fix *f, const char *name, char *out, size_t len)
{
	if (f->dir[0] == '\0') {
		snprintf(f->dir, sizeof(f->dir), "/tmp/test_sys.XXXXXX");
		assert_non_null(mkdtemp(f->dir));
	}
	snprintf(out, len, "%s/%s", f->dir, name);
}

static void assert_socket_mode(const char *path, mode_t mode)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
}

static void test_sock_unix(void **state)
{
	struct fix *f = fix_get(state);
	char path[128], file[128], longpath[200];
	struct stat st;
	mode_t old;
	int lfd, cfd;

	unix_path(f, "ctl.sock", path, sizeof(path));
	old = umask(022);
	lfd = fix_fd(f, sock_listen_unix(path, 0600));
	assert_int_equal(umask(old), 022); /* the temporary umask was restored */
	assert_socket_mode(path, 0600);
	assert_nonblock_cloexec(lfd, true);
	assert_int_equal(sockopt_int(lfd, SOL_SOCKET, SO_ACCEPTCONN), 1);

	/* A second daemon is refused and leaves the first one's socket working. */
	assert_fail_errno(sock_listen_unix(path, 0600), EADDRINUSE);
	assert_socket_mode(path, 0600);
	cfd = fix_fd(f, sock_connect_unix(path));
	assert_nonblock_cloexec(cfd, false);
	wait_readable(lfd);
	fix_fd(f, accept4(lfd, NULL, NULL, SOCK_CLOEXEC));

	/* The first daemon dies without unlinking: the stale socket is replaced. */
	fix_close(f, lfd);
	assert_fail_errno(sock_connect_unix(path), ECONNREFUSED);
	lfd = fix_fd(f, sock_listen_unix(path, 0660));
	assert_socket_mode(path, 0660);
	fix_fd(f, sock_connect_unix(path));
	wait_readable(lfd);

	/* Anything that is not a socket is never removed. */
	unix_path(f, "file", file, sizeof(file));
	fix_fd(f, open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	assert_fail_errno(sock_listen_unix(file, 0600), EEXIST);
	assert_int_equal(lstat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_fail_errno(sock_listen_unix(longpath, 0600), ENAMETOOLONG);
	assert_fail_errno(sock_connect_unix(longpath), ENAMETOOLONG);
	unix_path(f, "none", file, sizeof(file));
	assert_fail_errno(sock_connect_unix(file), ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tun_open, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_nl_link_set, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_nl_route6, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_nl_addr6, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_tun_setup, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_dotted_ifname, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_get_set, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_bad_keys, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sock_listen_tcp, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sock_accept_tune, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sock_reset_close, fix_setup, fix_teardown),
	    cmocka_unit_test_setup_teardown(test_sock_unix, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
