/* SPDX-License-Identifier: ISC */
/*
 * test_portproxy: iphttps/ppconf, the port-proxy list behind `iphttps portproxy`: netsh-style
 * arguments (defaults, case, every refusal and its message), add replacing and refusing,
 * delete, the file's save/load round trip (atomic write, modes, directory) and bad files, whose
 * every error is reported with its line. Log output is captured by pointing glibc's `stderr` at
 * a memory stream, as test_gwconf does, and compared without the timestamp and ident.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iphttps/ppconf.h"
#include "lib/log.h"
#include "tests/unit/logcap.h"

/* ---- helpers ---- */

/* Splits a line of words into argv (at most 16), in place. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *w = strtok(line, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	return argc;
}

static int netsh(const char *args, bool need_connect, struct ppconf_entry *e, char *err)
{
	char line[512], *argv[16];
	int argc;

	snprintf(line, sizeof(line), "%s", args);
	argc = split(line, argv);
	err[0] = '\0';
	return ppconf_parse_netsh(argc, argv, e, need_connect, err, 256);
}

static void expect_entry(const struct ppconf_entry *e, const char *laddr, unsigned lport,
			 const char *caddr, unsigned cport)
{
	char a[INET6_ADDRSTRLEN];

	assert_int_equal(e->listen.sin_family, AF_INET);
	inet_ntop(AF_INET, &e->listen.sin_addr, a, sizeof(a));
	assert_string_equal(a, laddr);
	assert_int_equal(ntohs(e->listen.sin_port), lport);
	assert_int_equal(e->connect.sin6_family, AF_INET6);
	inet_ntop(AF_INET6, &e->connect.sin6_addr, a, sizeof(a));
	assert_string_equal(a, caddr);
	assert_int_equal(ntohs(e->connect.sin6_port), cport);
	assert_int_equal(e->connect.sin6_scope_id, 0);
	assert_int_equal(e->connect.sin6_flowinfo, 0);
}

static struct ppconf_entry mk(const char *laddr, unsigned lport, const char *caddr, unsigned cport)
{
	struct ppconf_entry e;

	memset(&e, 0, sizeof(e));
	e.listen.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, laddr, &e.listen.sin_addr), 1);
	e.listen.sin_port = htons((uint16_t)lport);
	e.connect.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, caddr, &e.connect.sin6_addr), 1);
	e.connect.sin6_port = htons((uint16_t)cport);
	return e;
}

/* ---- netsh-style arguments ---- */

static void test_netsh_defaults(void **state)
{
	struct ppconf_entry e;
	char err[256];

	(void)state;
	/* listenaddress 127.0.0.1 (loopback unless asked), connectport = listenport. */
	assert_int_equal(netsh("listenport=8080 connectaddress=2001:db8::80", true, &e, err), 0);
	expect_entry(&e, "127.0.0.1", 8080, "2001:db8::80", 8080);
	assert_int_equal(netsh("connectaddress=2001:db8::80 connectport=80 listenport=8080 "
			       "listenaddress=0.0.0.0",
			       true, &e, err),
			 0);
	expect_entry(&e, "0.0.0.0", 8080, "2001:db8::80", 80);
	/* Brackets are accepted around the IPv6 address; ports may have leading zeros. */
	assert_int_equal(netsh("listenport=00443 connectaddress=[::1]", true, &e, err), 0);
	expect_entry(&e, "127.0.0.1", 443, "::1", 443);
	assert_int_equal(
	    netsh("listenport=65535 connectaddress=2001:db8::1 connectport=1", true, &e, err), 0);
	expect_entry(&e, "127.0.0.1", 65535, "2001:db8::1", 1);
}

static void test_netsh_case(void **state)
{
	struct ppconf_entry e;
	char err[256];

	(void)state;
	/* netsh's tags ignore case; so do the values that have letters (hex, "tcp"). */
	assert_int_equal(netsh("LISTENPORT=80 ListenAddress=192.0.2.10 ConnectAddress=2001:DB8::A "
			       "CONNECTPORT=8080 Protocol=TCP",
			       true, &e, err),
			 0);
	expect_entry(&e, "192.0.2.10", 80, "2001:db8::a", 8080);
	/* delete: the listener only; the connect side is zeroed. */
	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(netsh("lIsTeNpOrT=80 protocol=tcp", false, &e, err), 0);
	assert_int_equal(e.listen.sin_family, AF_INET);
	assert_int_equal(e.listen.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(ntohs(e.listen.sin_port), 80);
	for (size_t i = 0; i < sizeof(e.connect); i++)
		assert_int_equal(((const unsigned char *)&e.connect)[i], 0);
}

struct netsh_bad {
	const char *args;
	bool need_connect;
	const char *err;
};

static const struct netsh_bad netsh_bad[] = {
    {"", true, "listenport=PORT is required"},
    {"connectaddress=2001:db8::1", true, "listenport=PORT is required"},
    {"listenport=80", true, "connectaddress=IPV6 is required"},
    {"listenport=0 connectaddress=2001:db8::1", true,
     "listenport: '0' is not a port number from 1 to 65535"},
    {"listenport=65536 connectaddress=2001:db8::1", true,
     "listenport: '65536' is not a port number from 1 to 65535"},
    {"listenport=123456 connectaddress=2001:db8::1", true,
     "listenport: '123456' is not a port number from 1 to 65535"},
    {"listenport=-1 connectaddress=2001:db8::1", true,
     "listenport: '-1' is not a port number from 1 to 65535"},
    {"listenport=80x connectaddress=2001:db8::1", true,
     "listenport: '80x' is not a port number from 1 to 65535"},
    {"listenport= connectaddress=2001:db8::1", true,
     "listenport: '' is not a port number from 1 to 65535"},
    {"listenport=http connectaddress=2001:db8::1", true,
     "listenport: 'http' is not a port number from 1 to 65535"},
    {"listenport=80 connectaddress=2001:db8::1 connectport=0", true,
     "connectport: '0' is not a port number from 1 to 65535"},
    {"listenport=80 connectaddress=192.0.2.1", true,
     "connectaddress: '192.0.2.1' is IPv4: a v4tov6 proxy connects to IPv6, through the "
     "tunnel"},
    {"listenport=80 connectaddress=intranet.example", true,
     "connectaddress: 'intranet.example' is not an IPv6 address (numeric only, as "
     "2001:db8::80: host names are not resolved)"},
    {"listenport=80 connectaddress=[2001:db8::1", true,
     "connectaddress: '[2001:db8::1' is not an IPv6 address (numeric only, as 2001:db8::80: "
     "host names are not resolved)"},
    {"listenport=80 connectaddress=[2001:db8::1]:80", true,
     "connectaddress: '[2001:db8::1]:80' is not an IPv6 address (numeric only, as "
     "2001:db8::80: host names are not resolved)"},
    {"listenport=80 connectaddress=::", true, "connectaddress: '::' is the unspecified address"},
    {"listenport=80 connectaddress=ff02::1", true,
     "connectaddress: 'ff02::1' is a multicast address"},
    {"listenport=80 connectaddress=fe80::1", true,
     "connectaddress: 'fe80::1' is link-local, which needs a zone (scope id)"},
    {"listenport=80 connectaddress=fe80::1%eth0", true,
     "connectaddress: 'fe80::1%eth0' is not an IPv6 address (numeric only, as 2001:db8::80: "
     "host names are not resolved)"},
    {"listenport=80 connectaddress=::ffff:192.0.2.1", true,
     "connectaddress: '::ffff:192.0.2.1' is IPv4-mapped: it would be reached over IPv4, not "
     "through the tunnel"},
    {"listenport=80 listenaddress=2001:db8::1 connectaddress=2001:db8::1", true,
     "listenaddress: '2001:db8::1' is IPv6: a v4tov6 proxy listens on IPv4 (its connect side "
     "is IPv6)"},
    {"listenport=80 listenaddress=localhost connectaddress=2001:db8::1", true,
     "listenaddress: 'localhost' is not an IPv4 address (numeric only, as 127.0.0.1)"},
    {"listenport=80 listenaddress=127.1 connectaddress=2001:db8::1", true,
     "listenaddress: '127.1' is not an IPv4 address (numeric only, as 127.0.0.1)"},
    {"listenport=80 listenaddress=224.0.0.1 connectaddress=2001:db8::1", true,
     "listenaddress: '224.0.0.1' is a multicast or broadcast address, which cannot be "
     "listened on"},
    {"listenport=80 listenaddress=255.255.255.255 connectaddress=2001:db8::1", true,
     "listenaddress: '255.255.255.255' is a multicast or broadcast address, which cannot be "
     "listened on"},
    {"listenport=80 connectaddress=2001:db8::1 protocol=udp", true,
     "protocol: only tcp is supported"},
    {"listenport=80 ListenPort=81 connectaddress=2001:db8::1", true, "listenport given twice"},
    {"listenport=80 connectaddress=2001:db8::1 colour=blue", true,
     "'colour=blue': unknown key (listenport, listenaddress, connectaddress, connectport, "
     "protocol)"},
    {"listenport=80 connectaddress=2001:db8::1 listenp=80", true,
     "'listenp=80': unknown key (listenport, listenaddress, connectaddress, connectport, "
     "protocol)"},
    {"80 2001:db8::1", true, "'80': expected KEY=VALUE, as in listenport=8080"},
    {"listenport=80 listenaddress=127.0.0.1\x1b[2J connectaddress=2001:db8::1", true,
     "listenaddress: '127.0.0.1\\x1b[2J' is not an IPv4 address (numeric only, as "
     "127.0.0.1)"},
    {"listenport=80 connectaddress=2001:db8::1", false,
     "delete takes only listenport= and listenaddress="},
    {"listenport=80 connectport=80", false, "delete takes only listenport= and listenaddress="},
};

static void test_netsh_errors(void **state)
{
	struct ppconf_entry e;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(netsh_bad) / sizeof(netsh_bad[0]); i++) {
		const struct netsh_bad *b = &netsh_bad[i];

		if (netsh(b->args, b->need_connect, &e, err) != -1 || strcmp(err, b->err) != 0)
			fail_msg("args '%s':\n got  '%s'\n want '%s'", b->args, err, b->err);
	}
}

/* ---- the list ---- */

static void test_add_replaces(void **state)
{
	struct ppconf c = {.n = 0};
	struct ppconf_entry a = mk("127.0.0.1", 8080, "2001:db8::80", 80);
	struct ppconf_entry b = mk("127.0.0.1", 8443, "2001:db8::80", 443);
	struct ppconf_entry a2 = mk("127.0.0.1", 8080, "2001:db8::81", 8080);
	struct ppconf_entry other = mk("127.0.0.2", 8080, "2001:db8::82", 80);

	(void)state;
	assert_int_equal(ppconf_add(&c, &a), 0);
	assert_int_equal(ppconf_add(&c, &b), 0);
	assert_int_equal(c.n, 2);
	/* Same listen address and port: replaced in place, as netsh does. */
	assert_int_equal(ppconf_add(&c, &a2), 0);
	assert_int_equal(c.n, 2);
	expect_entry(&c.e[0], "127.0.0.1", 8080, "2001:db8::81", 8080);
	expect_entry(&c.e[1], "127.0.0.1", 8443, "2001:db8::80", 443);
	/* Same port on another address is another listener. */
	assert_int_equal(ppconf_add(&c, &other), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(ppconf_overlap(&c, &other.listen), -1);
}

static void test_add_overlap_and_full(void **state)
{
	struct ppconf c = {.n = 0};
	struct ppconf_entry lo = mk("127.0.0.1", 8080, "2001:db8::80", 80);
	struct ppconf_entry any = mk("0.0.0.0", 8080, "2001:db8::80", 80);
	struct ppconf_entry any2 = mk("0.0.0.0", 8081, "2001:db8::80", 80);

	(void)state;
	assert_int_equal(ppconf_add(&c, &lo), 0);
	/* 0.0.0.0:8080 and 127.0.0.1:8080 cannot both be bound. */
	errno = 0;
	assert_int_equal(ppconf_add(&c, &any), -1);
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(ppconf_overlap(&c, &any.listen), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(ppconf_add(&c, &any2), 0);
	assert_int_equal(ppconf_add(&c, &any2), 0); /* replaced, not an overlap with itself */
	lo.listen.sin_port = htons(8081);
	assert_int_equal(ppconf_add(&c, &lo), -1);
	assert_int_equal(errno, EADDRINUSE);

	c.n = 0;
	for (unsigned i = 0; i < PPCONF_MAX; i++) {
		struct ppconf_entry e = mk("127.0.0.1", 1000 + i, "2001:db8::1", 80);

		assert_int_equal(ppconf_add(&c, &e), 0);
	}
	any = mk("127.0.0.1", 999, "2001:db8::1", 80);
	assert_int_equal(ppconf_add(&c, &any), -1);
	assert_int_equal(errno, ENOSPC);
	any = mk("127.0.0.1", 1000, "2001:db8::2", 80);
	assert_int_equal(ppconf_add(&c, &any), 0); /* a full list still takes a replacement */
	assert_int_equal(c.n, PPCONF_MAX);
}

static void test_delete(void **state)
{
	struct ppconf c = {.n = 0};
	struct ppconf_entry e[3] = {mk("127.0.0.1", 1, "2001:db8::1", 1),
				    mk("127.0.0.1", 2, "2001:db8::2", 2),
				    mk("127.0.0.1", 3, "2001:db8::3", 3)};
	struct ppconf_entry gone = mk("127.0.0.2", 2, "2001:db8::2", 2);

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(ppconf_add(&c, &e[i]), 0);
	errno = 0;
	assert_int_equal(ppconf_delete(&c, &gone.listen), -1); /* another address */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ppconf_delete(&c, &e[1].listen), 0);
	assert_int_equal(c.n, 2);
	expect_entry(&c.e[0], "127.0.0.1", 1, "2001:db8::1", 1); /* order kept */
	expect_entry(&c.e[1], "127.0.0.1", 3, "2001:db8::3", 3);
	assert_int_equal(ppconf_delete(&c, &e[1].listen), -1);
	assert_int_equal(ppconf_delete(&c, &e[2].listen), 0);
	assert_int_equal(ppconf_delete(&c, &e[0].listen), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(ppconf_delete(&c, &e[0].listen), -1);
}

/* ---- the file ---- */

static char *tmpdir(void)
{
	char *d = strdup("/tmp/test_portproxy.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 8192);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 8191, f) < 8191);
	fclose(f);
	return buf;
}

static void test_save_load_round_trip(void **state)
{
	char *dir = tmpdir(), sub[512], path[600];
	struct ppconf c = {.n = 0}, back;
	struct ppconf_entry e[3] = {mk("127.0.0.1", 8080, "2001:db8::80", 80),
				    mk("0.0.0.0", 1433, "2001:db8:0:1::1433", 1433),
				    mk("192.0.2.10", 443, "::1", 8443)};
	struct stat st;
	char *text;
	mode_t um = umask(077); /* the modes must not depend on the caller's umask */

	(void)state;
	snprintf(sub, sizeof(sub), "%s/iphttps", dir);
	snprintf(path, sizeof(path), "%s/portproxy.conf", sub);
	/* Missing file (and directory): an empty list, not an error. */
	back.n = 5;
	assert_int_equal(ppconf_load(path, &back), 0);
	assert_int_equal(back.n, 0);

	for (int i = 0; i < 3; i++)
		assert_int_equal(ppconf_add(&c, &e[i]), 0);
	assert_int_equal(ppconf_save(path, &c), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(count_entries(sub), 1); /* no temporary file left behind */
	text = slurp(path);
	assert_string_equal(text,
			    "# iphttps v4-to-v6 port proxies, served while the tunnel is up.\n"
			    "# Rewritten by `iphttps portproxy add|delete`: other comments are not "
			    "kept.\n"
			    "# v4tov6 LISTENADDR LISTENPORT CONNECTADDR CONNECTPORT\n"
			    "v4tov6 127.0.0.1 8080 2001:db8::80 80\n"
			    "v4tov6 0.0.0.0 1433 2001:db8:0:1::1433 1433\n"
			    "v4tov6 192.0.2.10 443 ::1 8443\n");
	free(text);
	assert_int_equal(ppconf_load(path, &back), 0);
	assert_int_equal(back.n, 3);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(&back.e[i], &c.e[i], sizeof(c.e[i]));

	/* Saving again replaces the file; an empty list is a file with only the header. */
	c.n = 0;
	assert_int_equal(ppconf_save(path, &c), 0);
	assert_int_equal(count_entries(sub), 1);
	assert_int_equal(ppconf_load(path, &back), 0);
	assert_int_equal(back.n, 0);

	umask(um);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	free(dir);
}

static void test_save_errors(void **state)
{
	char *dir = tmpdir(), path[600], *msgs;
	struct ppconf c = {.n = 0};
	struct logcap cap;

	(void)state;
	/* The parent of the directory is missing: one level is created, not a whole path. */
	snprintf(path, sizeof(path), "%s/a/b/portproxy.conf", dir);
	logcap_begin(&cap);
	assert_int_equal(ppconf_save(path, &c), -1);
	msgs = logcap_end(&cap);
	assert_non_null(strstr(msgs, "cannot create its directory: No such file or directory"));
	free(msgs);
	assert_int_equal(count_entries(dir), 0);
	rmdir(dir);
	free(dir);
}

/* Parses text, returning the error count and the messages. */
static int parse(const char *text, struct ppconf *c, char **msgs)
{
	struct logcap cap;
	int n;

	logcap_begin(&cap);
	n = ppconf_parse(c, text, strlen(text), "pp.conf");
	*msgs = logcap_end(&cap);
	return n;
}

static void test_parse_good(void **state)
{
	struct ppconf c;
	char *msgs;

	(void)state;
	assert_int_equal(parse("# comment\n"
			       "\n"
			       "   v4tov6 127.0.0.1 8080 2001:db8::80 80   # trailing\r\n"
			       "v4tov6\t0.0.0.0\t1433\t[2001:db8::1433]\t1433\n"
			       "v4tov6 \"127.0.0.2\" 8080 2001:db8::81 80",
			       &c, &msgs),
			 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_int_equal(c.n, 3);
	expect_entry(&c.e[0], "127.0.0.1", 8080, "2001:db8::80", 80);
	expect_entry(&c.e[1], "0.0.0.0", 1433, "2001:db8::1433", 1433);
	expect_entry(&c.e[2], "127.0.0.2", 8080, "2001:db8::81", 80);
}

static void test_parse_bad_lines(void **state)
{
	static const char text[] = "v4tov6 127.0.0.1 8080 2001:db8::80 80\n" /* 1 good */
				   "v4tov6 127.0.0.1 0 2001:db8::80 80\n"    /* 2 */
				   "v4tov6 localhost 99999 192.0.2.1 x\n"    /* 3: four errors */
				   "v4tov6 127.0.0.1 8080 2001:db8::81 81\n" /* 4: duplicate of 1 */
				   "v4tov6 0.0.0.0 8080 2001:db8::82 82\n"   /* 5: overlaps 1 */
				   "v4tov4 127.0.0.1 80 192.0.2.1 80\n"	     /* 6 */
				   "v4tov6 127.0.0.1 81 2001:db8::1\n"	     /* 7 */
				   "v4tov6 127.0.0.1 82 fe80::1 80\n"	     /* 8 */
				   "v4tov6 127.0.0.1 83 \"2001:db8::1 80\n"  /* 9 */
				   "v4tov6 127.0.0.1 84 2001:db8::84 84\n";  /* 10 good */
	static const char want[] =
	    "pp.conf:2: v4tov6: listen port '0' is not a number from 1 to 65535\n"
	    "pp.conf:3: v4tov6: listen address 'localhost' is not an IPv4 address (numeric only, "
	    "as 127.0.0.1)\n"
	    "pp.conf:3: v4tov6: listen port '99999' is not a number from 1 to 65535\n"
	    "pp.conf:3: v4tov6: connect address '192.0.2.1' is IPv4: a v4tov6 proxy connects to "
	    "IPv6, through the tunnel\n"
	    "pp.conf:3: v4tov6: connect port 'x' is not a number from 1 to 65535\n"
	    "pp.conf:4: v4tov6: 127.0.0.1:8080 already given on line 1\n"
	    "pp.conf:5: v4tov6: 0.0.0.0:8080 overlaps 127.0.0.1:8080 of line 1 (0.0.0.0 takes the "
	    "port on every address)\n"
	    "pp.conf:6: unknown key 'v4tov4'\n"
	    "pp.conf:7: v4tov6: takes 4 arguments, got 3\n"
	    "pp.conf:8: v4tov6: connect address 'fe80::1' is link-local, which needs a zone (scope "
	    "id)\n"
	    "pp.conf:9: unterminated quoted word\n";
	struct ppconf c;
	char *msgs;
	int n = parse(text, &c, &msgs);

	(void)state;
	if (strcmp(msgs, want) != 0)
		fail_msg("got:\n%swant:\n%s", msgs, want);
	free(msgs);
	assert_int_equal(n, 11);
	assert_int_equal(c.n, 2); /* the good lines, for a caller that wants to say more */
}

static void test_load_bad_file(void **state)
{
	char *dir = tmpdir(), path[600], *msgs;
	struct ppconf c;
	struct logcap cap;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/portproxy.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("v4tov6 127.0.0.1 8080 2001:db8::80 80\nv4tov6 127.0.0.1 8081 2001:db8::80\n", f);
	fclose(f);
	c.n = 7;
	logcap_begin(&cap);
	assert_int_equal(ppconf_load(path, &c), -1);
	msgs = logcap_end(&cap);
	assert_int_equal(c.n, 0); /* nothing half-loaded */
	{
		char want[700];

		snprintf(want, sizeof(want), "%s:2: v4tov6: takes 4 arguments, got 3\n", path);
		assert_string_equal(msgs, want);
	}
	free(msgs);

	/* Too many entries, then a file over the size limit. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i <= PPCONF_MAX; i++)
		fprintf(f, "v4tov6 127.0.0.1 %d 2001:db8::1 80\n", 1000 + i);
	fclose(f);
	logcap_begin(&cap);
	assert_int_equal(ppconf_load(path, &c), -1);
	msgs = logcap_end(&cap);
	assert_non_null(strstr(msgs, ":65: v4tov6: more than 64 port proxies\n"));
	free(msgs);

	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < PPCONF_FILE_MAX / 8 + 1; i++)
		fputs("#comment", f);
	fclose(f);
	logcap_begin(&cap);
	assert_int_equal(ppconf_load(path, &c), -1);
	msgs = logcap_end(&cap);
	assert_non_null(strstr(msgs, "portproxy.conf: File too large\n"));
	free(msgs);

	/* A directory where the file should be: an error, not an empty list. */
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	logcap_begin(&cap);
	assert_int_equal(ppconf_load(path, &c), -1);
	msgs = logcap_end(&cap);
	assert_non_null(strstr(msgs, "portproxy.conf: Is a directory\n"));
	free(msgs);
	rmdir(path);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netsh_defaults),	 cmocka_unit_test(test_netsh_case),
	    cmocka_unit_test(test_netsh_errors),	 cmocka_unit_test(test_add_replaces),
	    cmocka_unit_test(test_add_overlap_and_full), cmocka_unit_test(test_delete),
	    cmocka_unit_test(test_save_load_round_trip), cmocka_unit_test(test_save_errors),
	    cmocka_unit_test(test_parse_good),		 cmocka_unit_test(test_parse_bad_lines),
	    cmocka_unit_test(test_load_bad_file),
	};

	log_init("test_portproxy", false, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
