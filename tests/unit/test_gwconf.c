/* SPDX-License-Identifier: ISC */
/*
 * test_gwconf: the lib/conf lexer (through a small directive table of its own) and the gateway
 * configuration: defaults, every key, every error message, whole-file checks, the normalised
 * printout and its round trip, reload classification and the file helpers.
 * Log output is captured by pointing glibc's `stderr` at a memory stream, so messages are
 * compared exactly (without the timestamp and ident prefix).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iphttpsd/gwconf.h"
#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "tests/unit/logcap.h"

static struct gwconf *conf_new(void)
{
	struct gwconf *c = malloc(sizeof(*c));

	assert_non_null(c);
	gwconf_defaults(c);
	return c;
}

/* Parses text over fresh defaults; returns the error count, the messages in *msgs. */
static int parse_msgs(struct gwconf *c, const char *text, char **msgs)
{
	struct logcap cap;
	int n;

	gwconf_defaults(c);
	logcap_begin(&cap);
	n = gwconf_parse(c, text, strlen(text), "t.conf");
	*msgs = logcap_end(&cap);
	return n;
}

static char *print_str(const struct gwconf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	gwconf_print(c, f);
	fclose(f);
	return buf;
}

/* Expects text to parse with exactly the message `want` ("" for none). */
static void expect(const char *text, const char *want)
{
	struct gwconf *c = conf_new();
	char *msgs;
	int n = parse_msgs(c, text, &msgs);
	int lines = 0;

	for (const char *p = want; *p; p++)
		lines += *p == '\n';
	if (strcmp(msgs, want) != 0 || n != lines)
		fail_msg("input:\n%s\ngot %d error(s):\n%swant:\n%s", text, n, msgs, want);
	free(msgs);
	free(c);
}

/* ---- lib/conf lexer ---- */

struct rec {
	char out[8192]; /* "key|arg|arg\n" per dispatched line */
	int fail_silently;
};

static int rec_fn(void *ctx, struct conf_line *l)
{
	struct rec *r = ctx;
	size_t o = strlen(r->out);

	o += (size_t)snprintf(r->out + o, sizeof(r->out) - o, "%u:%s", l->lineno, l->key);
	for (int i = 0; i < l->argc; i++)
		o += (size_t)snprintf(r->out + o, sizeof(r->out) - o, "|%s", l->argv[i]);
	snprintf(r->out + o, sizeof(r->out) - o, "\n");
	return r->fail_silently ? -1 : 0;
}

static const struct conf_directive rec_table[] = {
    {"a", 0, CONF_MAX_WORDS - 1, true, rec_fn},
    {"one", 1, 1, false, rec_fn},
    {"two", 1, 2, true, rec_fn},
    {"none", 0, 0, false, rec_fn},
};

/* Lexes text with rec_table; returns the error count, dispatched lines and messages. */
static int lex(const char *text, size_t len, struct rec *r, char **msgs)
{
	struct conf cf;
	struct logcap cap;
	int n;

	conf_init(&cf, "x.conf", rec_table, sizeof(rec_table) / sizeof(rec_table[0]));
	logcap_begin(&cap);
	n = conf_parse(&cf, text, len, r);
	*msgs = logcap_end(&cap);
	assert_int_equal(n, conf_errors(&cf));
	return n;
}

static void lex_expect(const char *text, const char *want_out, const char *want_msgs)
{
	struct rec r = {.out = ""};
	char *msgs;

	lex(text, strlen(text), &r, &msgs);
	if (strcmp(r.out, want_out) != 0 || strcmp(msgs, want_msgs) != 0)
		fail_msg("input:\n%s\ngot:\n%s%swant:\n%s%s", text, r.out, msgs, want_out,
			 want_msgs);
	free(msgs);
}

static void test_conf_words(void **state)
{
	(void)state;
	lex_expect("", "", "");
	lex_expect("\n\n   \n\t\n# only a comment\n   # indented\n", "", "");
	lex_expect("a", "1:a\n", "");
	lex_expect("a x y\n", "1:a|x|y\n", "");
	lex_expect("  a\tx  \t y  \n", "1:a|x|y\n", "");
	lex_expect("a x # comment \"unterminated\n", "1:a|x\n", "");
	lex_expect("a x#comment\n", "1:a|x\n", "");
	lex_expect("a \"x y\" \"#not a comment\"\n", "1:a|x y|#not a comment\n", "");
	lex_expect("a \"q\\\"q\" \"b\\\\s\"\n", "1:a|q\"q|b\\s\n", "");
	lex_expect("a \"\" z\n", "1:a||z\n", "");
	lex_expect("a back\\slash\n", "1:a|back\\slash\n", "");
	lex_expect("a x\r\n\r\na y\r\n", "1:a|x\n3:a|y\n", "");
	lex_expect("a \"tab\there\"\n", "1:a|tab\there\n", "");
	lex_expect("a caf\xc3\xa9\n", "1:a|caf\xc3\xa9\n", "");
	lex_expect("\"a\" x\n", "1:a|x\n", "");
	lex_expect("a x\na y", "1:a|x\n2:a|y\n", "");
	lex_expect("a \"x\"# c\n", "1:a|x\n", "");
}

static void test_conf_errors(void **state)
{
	(void)state;
	lex_expect("b\n", "", "x.conf:1: unknown key 'b'\n");
	lex_expect("\n\nzz 1\n", "", "x.conf:3: unknown key 'zz'\n");
	lex_expect("un\\x01\n", "", "x.conf:1: unknown key 'un\\x01'\n");
	lex_expect("one\n", "", "x.conf:1: one: takes 1 argument, got 0\n");
	lex_expect("one a b\n", "", "x.conf:1: one: takes 1 argument, got 2\n");
	lex_expect("two\n", "", "x.conf:1: two: takes 1 to 2 arguments, got 0\n");
	lex_expect("none x\n", "", "x.conf:1: none: takes 0 arguments, got 1\n");
	lex_expect(
	    "one a\n\none b\none c\n", "1:one|a\n",
	    "x.conf:3: one: already given on line 1\nx.conf:4: one: already given on line 1\n");
	lex_expect("two a\ntwo b c\n", "1:two|a\n2:two|b|c\n", "");
	lex_expect("a \"open\n", "", "x.conf:1: unterminated quoted word\n");
	lex_expect("a \"open\\\n", "", "x.conf:1: unterminated quoted word\n");
	lex_expect("a \"x\\n\"\n", "",
		   "x.conf:1: unknown escape in a quoted word: only \\\" and \\\\ are allowed\n");
	lex_expect("a x\"y\"\n", "", "x.conf:1: '\"' inside a word: quote the whole word\n");
	lex_expect("a \"x\"y\n", "", "x.conf:1: a quoted word must be followed by a space\n");
	lex_expect("a x\x01y\n", "", "x.conf:1: control character 0x01 in line\n");
	lex_expect("a x\x7f\n", "", "x.conf:1: control character 0x7f in line\n");
	lex_expect("a \"x\ry\"\n", "", "x.conf:1: control character 0x0d in line\n");
	lex_expect("a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",
		   "1:a|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15\n", "");
	lex_expect("a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "",
		   "x.conf:1: more than 16 words in line\n");
	/* Lexing goes on after an error, and line numbers stay right. */
	lex_expect("a \"x\nq\na ok\n", "3:a|ok\n",
		   "x.conf:1: unterminated quoted word\nx.conf:2: unknown key 'q'\n");
}

static void test_conf_nul_and_long_lines(void **state)
{
	static const char nul[] = "a x\na \0y\na z\n";
	struct rec r = {.out = ""};
	char *msgs, *big;
	size_t n;

	(void)state;
	assert_int_equal(lex(nul, sizeof(nul) - 1, &r, &msgs), 1);
	assert_string_equal(r.out, "1:a|x\n3:a|z\n");
	assert_string_equal(msgs, "x.conf:2: NUL byte in line\n");
	free(msgs);

	/* Exactly CONF_LINE_MAX bytes is fine; one more is not. */
	big = malloc(3 * CONF_LINE_MAX);
	assert_non_null(big);
	memset(big, 'z', 3 * CONF_LINE_MAX);
	memcpy(big, "a ", 2);
	big[CONF_LINE_MAX] = '\n';
	memcpy(big + CONF_LINE_MAX + 1, "a ", 2);
	big[2 * CONF_LINE_MAX + 2] = '\n';
	n = 2 * CONF_LINE_MAX + 3;
	r.out[0] = '\0';
	assert_int_equal(lex(big, n, &r, &msgs), 1);
	assert_int_equal(strncmp(r.out, "1:a|zzz", 7), 0);
	assert_int_equal(strlen(r.out), 4 + (CONF_LINE_MAX - 2) + 1);
	assert_string_equal(msgs, "x.conf:2: line longer than 4096 bytes\n");
	free(msgs);

	/* The longest word the buffer must hold: a quoted empty word is two bytes in, one out. */
	memset(big, ' ', CONF_LINE_MAX);
	memcpy(big, "a", 1);
	for (size_t i = 2; i < 2 + 3 * 14; i += 3)
		memcpy(big + i, "\"\"", 2);
	r.out[0] = '\0';
	assert_int_equal(lex(big, CONF_LINE_MAX, &r, &msgs), 0);
	free(msgs);
	free(big);
}

static void test_conf_fn_failure_counts(void **state)
{
	struct rec r = {.out = "", .fail_silently = 1};
	char *msgs;

	(void)state;
	assert_int_equal(lex("a x\none y\n", 10, &r, &msgs), 2);
	assert_string_equal(msgs, "x.conf:1: a: invalid value\nx.conf:2: one: invalid value\n");
	free(msgs);
}

static void test_conf_key_line_and_error(void **state)
{
	struct conf cf;
	struct rec r = {.out = ""};
	struct logcap cap;
	char *msgs;
	const char *text = "\ntwo x\none y\ntwo z\n";

	(void)state;
	conf_init(&cf, "k.conf", rec_table, sizeof(rec_table) / sizeof(rec_table[0]));
	logcap_begin(&cap);
	assert_int_equal(conf_parse(&cf, text, strlen(text), &r), 0);
	assert_int_equal(conf_key_line(&cf, "two"), 2);
	assert_int_equal(conf_key_line(&cf, "one"), 3);
	assert_int_equal(conf_key_line(&cf, "none"), 0);
	assert_int_equal(conf_key_line(&cf, "nope"), 0);
	assert_false(conf_key_failed(&cf, "two"));
	assert_int_equal(conf_parse(&cf, "none 1\n", 7, &r), 1);
	assert_true(conf_key_failed(&cf, "none"));
	assert_false(conf_key_failed(&cf, "one"));
	assert_false(conf_key_failed(&cf, "nope"));
	assert_int_equal(conf_error(&cf, 7, "seven %d", 7), -1);
	assert_int_equal(conf_error(&cf, 0, "whole file"), -1);
	msgs = logcap_end(&cap);
	assert_int_equal(conf_errors(&cf), 3);
	assert_string_equal(msgs, "k.conf:1: none: takes 0 arguments, got 1\nk.conf:7: seven 7\n"
				  "k.conf: whole file\n");
	free(msgs);
}

static void test_conf_vis(void **state)
{
	char buf[CONF_VIS_MAX], small[8];

	(void)state;
	assert_string_equal(conf_vis("plain", buf, sizeof(buf)), "plain");
	assert_string_equal(conf_vis("a\tb\xff", buf, sizeof(buf)), "a\\x09b\\xff");
	assert_string_equal(conf_vis("1234567", small, sizeof(small)), "1234567");
	assert_string_equal(conf_vis("12345678", small, sizeof(small)), "1234...");
	assert_string_equal(conf_vis("\x01\x02", small, sizeof(small)), "\\x01...");
	assert_string_equal(conf_vis("", small, sizeof(small)), "");
	assert_string_equal(conf_vis("abcdef", small, 3), "ab");
}

static void test_conf_print_word_round_trip(void **state)
{
	static const char *const words[] = {
	    "plain",	   "",		 "with space", "#hash",	      "mid#hash",   "\"quoted\"",
	    "back\\slash", "both \\ \"", "tab\there",  "caf\xc3\xa9", "trailing\\",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct rec r = {.out = ""};
		char *text = NULL, *msgs, want[256];
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		assert_non_null(f);
		fputs("a ", f);
		assert_int_equal(conf_print_word(words[i], f), 0);
		fputc('\n', f);
		fclose(f);
		assert_int_equal(lex(text, len, &r, &msgs), 0);
		snprintf(want, sizeof(want), "1:a|%s\n", words[i]);
		if (strcmp(r.out, want) != 0)
			fail_msg("printed %s read back as %s", text, r.out);
		free(msgs);
		free(text);
	}
	assert_false(conf_needs_quotes("/IPHTTPS"));
	assert_true(conf_needs_quotes("a b"));
	assert_true(conf_needs_quotes(""));
}

static void secrecy_case(const char *path, mode_t mode, int rc, const char *want)
{
	char err[128] = "";

	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(conf_check_secrecy(path, err, sizeof(err)), rc);
	if (want)
		assert_string_equal(err, want);
}

static void test_conf_secrecy(void **state)
{
	char path[] = "/tmp/test_gwconf_keyXXXXXX", dir[] = "/tmp/test_gwconf_dirXXXXXX";
	char err[128];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	secrecy_case(path, 0600, 0, NULL);
	secrecy_case(path, 0400, 0, NULL);
	secrecy_case(path, 0644, -1, "mode 0644 lets group or others read it");
	secrecy_case(path, 0604, -1, "mode 0604 lets group or others read it");
	secrecy_case(path, 0620, -1, "mode 0620 lets group or others write it");
	secrecy_case(path, 0602, -1, "mode 0602 lets group or others write it");
	secrecy_case(path, 0610, -1, "mode 0610 lets group or others execute it");
	secrecy_case(path, 0601, -1, "mode 0601 lets group or others execute it");
	unlink(path);
	assert_int_equal(conf_check_secrecy(path, err, sizeof(err)), -1);
	assert_string_equal(err, strerror(ENOENT));
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0700);
	assert_int_equal(conf_check_secrecy(dir, err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	rmdir(dir);
}

/* ---- gwconf ---- */

static const char defaults_text[] = "listen 0.0.0.0:443\n"
				    "listen [::]:443\n"
				    "listen-http none\n"
				    "path /IPHTTPS\n"
				    "accept-iptls yes\n"
				    "server-header Microsoft-HTTPAPI/2.0\n"
				    "certificate auto\n"
				    "key auto\n"
				    "tls-profile modern\n"
				    "state-dir /var/lib/iphttpsd\n"
				    "auth none\n"
				    "client-ca none\n"
				    "client-crl none\n"
				    "client-name any\n"
				    "client-names none\n"
				    "trusted-proxy none\n"
				    "identity-header X-Client-Identity\n"
				    "prefix auto\n"
				    "mtu 1280\n"
				    "tun iphttps0\n"
				    "workers 1\n"
				    "tun-offload yes\n"
				    "route none\n"
				    "router-lifetime 1800\n"
				    "valid-lifetime 86400\n"
				    "preferred-lifetime 14400\n"
				    "ra-interval 600\n"
				    "unauth-allow any\n"
				    "client-isolation no\n"
				    "user auto\n"
				    "control /run/iphttpsd.sock\n"
				    "log stderr\n"
				    "log-level info\n"
				    "log-drops no\n"
				    "max-clients 100000\n"
				    "max-conn-per-source 64\n"
				    "handshake-rate 20\n"
				    "handshake-timeout 10\n"
				    "head-timeout 10\n"
				    "client-queue 65536\n"
				    "icmp-error-rate 100\n"
				    "client-icmp-rate 100\n"
				    "nd-resolve-rate 10\n"
				    "tcp-keepalive 60\n"
				    "tcp-user-timeout 120\n";

static void test_defaults(void **state)
{
	struct gwconf *c = conf_new();
	char *text = print_str(c), buf[ADDR_STRLEN];

	(void)state;
	assert_string_equal(text, defaults_text);
	assert_int_equal(c->nlisten, 2);
	assert_string_equal(
	    addr_format_sockaddr((struct sockaddr *)&c->listen[1].ss, buf, sizeof(buf)),
	    "[::]:443");
	assert_int_equal(c->listen[1].len, sizeof(struct sockaddr_in6));
	assert_int_equal(c->nlisten_http, 0);
	assert_false(c->have_prefix);
	assert_int_equal(c->log_level, LOG_LVL_INFO);
	assert_true(c->accept_iptls);
	assert_string_equal(c->user, "");
	assert_int_equal(c->ncert, 0);
	assert_int_equal(c->nd_resolve_rate, 10);
	assert_false(c->listen[0].proxy_protocol);
	assert_false(c->listen[1].proxy_protocol);
	assert_int_equal(c->tls_profile, TLS_PROFILE_MODERN);
	assert_int_equal(c->auth, GWCONF_AUTH_NONE);
	assert_string_equal(c->client_ca, "");
	assert_int_equal(c->ncrl, 0);
	assert_int_equal(c->nclient_name, 0);
	assert_string_equal(c->client_names, "");
	assert_int_equal(c->max_conn_per_source, 64);
	assert_int_equal(c->handshake_rate, 20);
	assert_int_equal(c->client_icmp_rate, 100);
	assert_false(c->client_isolation);
	assert_int_equal(c->unauth_allow.n, 0);
	assert_int_equal(c->ntrusted_proxy, 0);
	assert_string_equal(c->identity_header, "X-Client-Identity");
	free(text);
	free(c);
}

/* The printed defaults parse back to the same printout, with no messages. */
static void test_defaults_round_trip(void **state)
{
	(void)state;
	expect(defaults_text, "");
	expect("", "");
}

static const char full_text[] = "# every key, none at its default\n"
				"listen 192.0.2.1:8443   # comment after a value\n"
				"listen [2001:db8::443] proxy-protocol\n"
				"listen-http 127.0.0.1:8080\n"
				"listen-http [::1]:8080 proxy-protocol\n"
				"path /iphttps/v1\n"
				"accept-iptls no\n"
				"server-header \"Microsoft-HTTPAPI/2.0 (\\\"test\\\")\"\n"
				"certificate \"/etc/iphttpsd/my cert.pem\"\n"
				"key /etc/iphttpsd/#key.pem\n"
				"certificate /etc/iphttpsd/ecdsa.pem\n"
				"key /etc/iphttpsd/ecdsa.key\n"
				"tls-profile compat\n"
				"state-dir /srv/iphttpsd\n"
				"auth certificates\n"
				"client-ca /etc/iphttpsd/clients-ca.pem\n"
				"client-crl /etc/iphttpsd/a.crl\n"
				"client-crl /etc/iphttpsd/b.crl\n"
				"client-name *.corp.example.com\n"
				"client-name GW1.Example.Com\n"
				"client-names /etc/iphttpsd/allowed.txt\n"
				"trusted-proxy 192.0.2.10\n"
				"trusted-proxy 2001:DB8:F::/48\n"
				"trusted-proxy ::ffff:198.51.100.0/120\n"
				"identity-header X-SSL-Client-CN\n"
				"prefix 2001:DB8:1:1000:0::/64\n"
				"mtu 1400\n"
				"tun ip-https.1\n"
				"tun-offload no\n"
				"route 2001:db8:2::/48 lifetime infinity preference high\n"
				"route ::/0 preference low\n"
				"route 2001:db8:3::/56 lifetime 0\n"
				"router-lifetime 0\n"
				"valid-lifetime infinity\n"
				"preferred-lifetime 4294967295\n"
				"ra-interval 4\n"
				"unauth-allow to 2001:db8:100::1/128 proto udp port 500\n"
				"unauth-allow proto icmpv6 type 1-4\n"
				"client-isolation yes\n"
				"user _iphttpsd\n"
				"control /run/iphttpsd/ctl.sock\n"
				"log syslog\n"
				"log-level debug\n"
				"log-drops yes\n"
				"max-clients 1\n"
				"max-conn-per-source 0\n"
				"handshake-rate 1000000\n"
				"handshake-timeout 300\n"
				"head-timeout 1\n"
				"client-queue 16777216\n"
				"icmp-error-rate 0\n"
				"client-icmp-rate 0\n"
				"nd-resolve-rate 0\n"
				"tcp-keepalive 0\n"
				"tcp-user-timeout 3600\n";

static const char full_printed[] = "listen 192.0.2.1:8443\n"
				   "listen [2001:db8::443]:443 proxy-protocol\n"
				   "listen-http 127.0.0.1:8080\n"
				   "listen-http [::1]:8080 proxy-protocol\n"
				   "path /iphttps/v1\n"
				   "accept-iptls no\n"
				   "server-header \"Microsoft-HTTPAPI/2.0 (\\\"test\\\")\"\n"
				   "certificate \"/etc/iphttpsd/my cert.pem\"\n"
				   "certificate /etc/iphttpsd/ecdsa.pem\n"
				   "key \"/etc/iphttpsd/#key.pem\"\n"
				   "key /etc/iphttpsd/ecdsa.key\n"
				   "tls-profile compat\n"
				   "state-dir /srv/iphttpsd\n"
				   "auth certificates\n"
				   "client-ca /etc/iphttpsd/clients-ca.pem\n"
				   "client-crl /etc/iphttpsd/a.crl\n"
				   "client-crl /etc/iphttpsd/b.crl\n"
				   "client-name *.corp.example.com\n"
				   "client-name GW1.Example.Com\n"
				   "client-names /etc/iphttpsd/allowed.txt\n"
				   "trusted-proxy 192.0.2.10\n"
				   "trusted-proxy 2001:db8:f::/48\n"
				   "trusted-proxy 198.51.100.0/24\n"
				   "identity-header X-SSL-Client-CN\n"
				   "prefix 2001:db8:1:1000::/64\n"
				   "mtu 1400\n"
				   "tun ip-https.1\n"
				   "workers 1\n"
				   "tun-offload no\n"
				   "route 2001:db8:2::/48 preference high lifetime infinity\n"
				   "route ::/0 preference low lifetime 1800\n"
				   "route 2001:db8:3::/56 preference medium lifetime 0\n"
				   "router-lifetime 0\n"
				   "valid-lifetime infinity\n"
				   "preferred-lifetime infinity\n"
				   "ra-interval 4\n"
				   "unauth-allow to 2001:db8:100::1/128 proto udp port 500\n"
				   "unauth-allow proto icmpv6 type 1-4\n"
				   "client-isolation yes\n"
				   "user _iphttpsd\n"
				   "control /run/iphttpsd/ctl.sock\n"
				   "log syslog\n"
				   "log-level debug\n"
				   "log-drops yes\n"
				   "max-clients 1\n"
				   "max-conn-per-source 0\n"
				   "handshake-rate 1000000\n"
				   "handshake-timeout 300\n"
				   "head-timeout 1\n"
				   "client-queue 16777216\n"
				   "icmp-error-rate 0\n"
				   "client-icmp-rate 0\n"
				   "nd-resolve-rate 0\n"
				   "tcp-keepalive 0\n"
				   "tcp-user-timeout 3600\n";

static void test_full(void **state)
{
	struct gwconf *c = conf_new(), *d = conf_new();
	char *msgs, *text, *again, pfx[ADDR_STRLEN];

	(void)state;
	/* "key /etc/iphttpsd/#key.pem" is a comment after the path: that is how # works. */
	assert_int_equal(parse_msgs(c, full_text, &msgs), 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_string_equal(c->key[0], "/etc/iphttpsd/");
	snprintf(c->key[0], sizeof(c->key[0]), "/etc/iphttpsd/#key.pem");
	text = print_str(c);
	assert_string_equal(text, full_printed);
	assert_int_equal(c->nlisten, 2);
	assert_int_equal(c->nlisten_http, 2);
	assert_true(c->have_prefix);
	assert_string_equal(addr_format_prefix6(&c->prefix, 64, pfx, sizeof(pfx)),
			    "2001:db8:1:1000::/64");
	assert_int_equal(c->nroutes, 3);
	assert_int_equal(c->routes[0].pref, 1);
	assert_int_equal(c->routes[0].lifetime, 0xffffffffu);
	assert_int_equal(c->routes[1].pref, -1);
	assert_int_equal(c->routes[1].plen, 0);
	assert_int_equal(c->routes[2].lifetime, 0);
	assert_int_equal(c->router_lifetime, 0);
	assert_true(c->log_syslog);
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_string_equal(c->server_header, "Microsoft-HTTPAPI/2.0 (\"test\")");
	assert_int_equal(c->ncert, 2);
	assert_string_equal(c->certificate[0], "/etc/iphttpsd/my cert.pem");
	assert_string_equal(c->certificate[1], "/etc/iphttpsd/ecdsa.pem");
	assert_string_equal(c->key[1], "/etc/iphttpsd/ecdsa.key");
	assert_int_equal(c->nd_resolve_rate, 0);
	assert_false(c->listen[0].proxy_protocol);
	assert_true(c->listen[1].proxy_protocol);
	assert_false(c->listen_http[0].proxy_protocol);
	assert_true(c->listen_http[1].proxy_protocol);
	assert_int_equal(c->tls_profile, TLS_PROFILE_COMPAT);
	assert_int_equal(c->auth, GWCONF_AUTH_CERTIFICATES);
	assert_string_equal(c->client_ca, "/etc/iphttpsd/clients-ca.pem");
	assert_int_equal(c->ncrl, 2);
	assert_string_equal(c->client_crl[1], "/etc/iphttpsd/b.crl");
	assert_int_equal(c->nclient_name, 2);
	assert_string_equal(c->client_name[0], "*.corp.example.com");
	assert_string_equal(c->client_name[1], "GW1.Example.Com");
	assert_string_equal(c->client_names, "/etc/iphttpsd/allowed.txt");
	assert_int_equal(c->ntrusted_proxy, 3);
	assert_int_equal(c->trusted_proxy[0].plen, 128);
	assert_int_equal(c->trusted_proxy[1].plen, 48);
	assert_int_equal(c->trusted_proxy[2].plen, 120);
	assert_string_equal(c->identity_header, "X-SSL-Client-CN");
	assert_int_equal(c->unauth_allow.n, 2);
	assert_int_equal(c->unauth_allow.rules[0].proto, 17);
	assert_int_equal(c->unauth_allow.rules[0].port_lo, 500);
	assert_int_equal(c->unauth_allow.rules[0].port_hi, 500);
	assert_int_equal(c->unauth_allow.rules[0].to_len, 128);
	assert_int_equal(c->unauth_allow.rules[1].proto, 58);
	assert_int_equal(c->unauth_allow.rules[1].type_lo, 1);
	assert_int_equal(c->unauth_allow.rules[1].type_hi, 4);
	assert_true(c->client_isolation);
	assert_int_equal(c->max_conn_per_source, 0);
	assert_int_equal(c->handshake_rate, 1000000);
	assert_int_equal(c->client_icmp_rate, 0);

	/* Round trip: the printout parses and prints the same. */
	assert_int_equal(parse_msgs(d, text, &msgs), 0);
	assert_string_equal(msgs, "");
	again = print_str(d);
	assert_string_equal(again, text);
	free(msgs);
	free(again);
	free(text);
	free(c);
	free(d);
}

static void test_listen_lists(void **state)
{
	struct gwconf *c = conf_new();
	char *msgs, *text;

	(void)state;
	/* Any listen line replaces both defaults. */
	assert_int_equal(parse_msgs(c, "listen [::]\n", &msgs), 0);
	text = print_str(c);
	assert_non_null(strstr(text, "listen [::]:443\nlisten-http none\n"));
	assert_null(strstr(text, "0.0.0.0"));
	free(text);
	free(msgs);

	/* Behind a balancer: no TLS listener at all. */
	assert_int_equal(parse_msgs(c, "listen none\nlisten-http 192.0.2.80:80\n", &msgs), 0);
	assert_int_equal(c->nlisten, 0);
	assert_int_equal(c->nlisten_http, 1);
	text = print_str(c);
	assert_non_null(strstr(text, "listen none\nlisten-http 192.0.2.80:80\n"));
	free(text);
	free(msgs);

	/* 16 listeners fit. */
	{
		char buf[1024] = "";

		for (int i = 1; i <= GWCONF_MAX_LISTEN; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "listen 192.0.2.%d\n", i);
		assert_int_equal(parse_msgs(c, buf, &msgs), 0);
		assert_int_equal(c->nlisten, GWCONF_MAX_LISTEN);
		free(msgs);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "listen 192.0.2.99\n");
		assert_int_equal(parse_msgs(c, buf, &msgs), 1);
		assert_string_equal(msgs, "t.conf:17: listen: more than 16 addresses\n");
		free(msgs);
	}
	free(c);
}

static void test_listen_errors(void **state)
{
	(void)state;
	expect("listen *:443\n",
	       "t.conf:1: listen: '*:443': '*' is not an address: write 0.0.0.0 or [::]\n");
	expect("listen *\n",
	       "t.conf:1: listen: '*': '*' is not an address: write 0.0.0.0 or [::]\n");
	expect("listen ::\n", "t.conf:1: listen: '::': an IPv6 address must be written in "
			      "brackets, as in [2001:db8::1]:443\n");
	expect("listen 192.0.2.1:0\n",
	       "t.conf:1: listen: '192.0.2.1:0': the port must be a number from 1 to 65535\n");
	expect("listen 192.0.2.1:65536\n",
	       "t.conf:1: listen: '192.0.2.1:65536': the port must be a number from 1 to 65535\n");
	expect("listen example.com\n",
	       "t.conf:1: listen: 'example.com': not a numeric IPv4 or IPv6 address\n");
	expect("listen\n", "t.conf:1: listen: takes 1 to 2 arguments, got 0\n");
	expect("listen-http 0.0.0.0:80\n",
	       "t.conf:1: listen-http must name a specific address, not 0.0.0.0:80\n");
	expect("listen-http [::]:80\n",
	       "t.conf:1: listen-http must name a specific address, not [::]:80\n");
	expect("listen-http 192.0.2.1\n",
	       "t.conf:1: listen-http: '192.0.2.1': a port is required, as in 192.0.2.1:80\n");
	expect("listen none\n",
	       "t.conf:1: listen none leaves no listener: add a listen or listen-http address\n");
	expect("listen none\nlisten 192.0.2.1\n",
	       "t.conf:2: listen: none cannot be combined with values (line 1)\n");
	expect("listen 192.0.2.1\nlisten none\n",
	       "t.conf:2: listen: none cannot be combined with values (line 1)\n");
	expect("listen-http none\nlisten-http 192.0.2.1:80\n",
	       "t.conf:2: listen-http: none cannot be combined with values (line 1)\n");
	/* A bad listen line is reported once, without a second "no listener" message. */
	expect("listen bad\n", "t.conf:1: listen: 'bad': not a numeric IPv4 or IPv6 address\n");
}

static void test_listen_collisions(void **state)
{
	(void)state;
	expect("listen 192.0.2.1\nlisten 192.0.2.1:443\n",
	       "t.conf:2: listen: 192.0.2.1:443 collides with listen 192.0.2.1:443 (line 1)\n");
	expect("listen 0.0.0.0\nlisten 192.0.2.1\n",
	       "t.conf:2: listen: 192.0.2.1:443 collides with listen 0.0.0.0:443 (line 1)\n");
	expect("listen-http 127.0.0.1:443\n", "t.conf:1: listen-http: 127.0.0.1:443 collides "
					      "with listen 0.0.0.0:443 (default)\n");
	expect("listen-http [::1]:443\n",
	       "t.conf:1: listen-http: [::1]:443 collides with listen [::]:443 (default)\n");
	expect("listen [::1]\nlisten-http [::1]:443\n",
	       "t.conf:2: listen-http: [::1]:443 collides with listen [::1]:443 (line 1)\n");
	expect("listen-http 127.0.0.1:80\nlisten-http 127.0.0.1:80\n",
	       "t.conf:2: listen-http: "
	       "127.0.0.1:80 collides with listen-http 127.0.0.1:80 (line 1)\n");
	/* Different ports, different addresses, different families: fine. */
	expect("listen-http 127.0.0.1:80\nlisten-http 127.0.0.2:80\nlisten [::1]:80\n"
	       "listen 0.0.0.0\n",
	       "");
}

static void test_http_keys(void **state)
{
	char buf[512];

	(void)state;
	expect("path /IPHTTPS/x-y_z.~!$&'()*+,;=:@\n", "");
	expect("path IPHTTPS\n", "t.conf:1: path: 'IPHTTPS' must start with '/'\n");
	expect("path \"/a b\"\n", "t.conf:1: path: ' ' is not allowed (RFC 3986 path characters, "
				  "no %-escapes)\n");
	expect("path /a%20b\n", "t.conf:1: path: '%' is not allowed (RFC 3986 path characters, "
				"no %-escapes)\n");
	expect("path /a?b\n",
	       "t.conf:1: path: '?' is not allowed (RFC 3986 path characters, no %-escapes)\n");
	expect("path /\xc3\xa9\n", "t.conf:1: path: '\\xc3' is not allowed (RFC 3986 path "
				   "characters, no %-escapes)\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "path /", 6);
	memset(buf + 6, 'a', 126);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'a';
	strcat(buf, "\n");
	expect(buf, "t.conf:1: path: 128 bytes, the limit is 127\n");

	expect("accept-iptls yes\n", "");
	expect("accept-iptls true\n", "t.conf:1: accept-iptls: 'true' is not yes or no\n");
	expect("accept-iptls yes\naccept-iptls no\n",
	       "t.conf:2: accept-iptls: already given on line 1\n");

	expect("server-header \"nginx/1.25 (Unix)\"\n", "");
	expect("server-header \"\"\n", "t.conf:1: server-header: must not be empty\n");
	expect("server-header \" x\"\n", "t.conf:1: server-header: leading or trailing space\n");
	expect("server-header \"x \"\n", "t.conf:1: server-header: leading or trailing space\n");
	expect("server-header \"a\tb\"\n",
	       "t.conf:1: server-header: only printable ASCII is allowed\n");
	expect("server-header caf\xc3\xa9\n",
	       "t.conf:1: server-header: only printable ASCII is allowed\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "server-header ", 14);
	memset(buf + 14, 'h', 128);
	strcat(buf, "\n");
	expect(buf, "t.conf:1: server-header: 128 bytes, the limit is 127\n");
}

static void test_file_keys(void **state)
{
	char buf[PATH_MAX + 64];

	(void)state;
	expect("certificate /c.pem\nkey /k.pem\n", "");
	expect("certificate auto\nkey auto\n", "");
	expect("certificate /c.pem\n", "t.conf:1: certificate and key must be given together\n");
	expect("\nkey /k.pem\n", "t.conf:2: certificate and key must be given together\n");
	expect("certificate /c.pem\nkey auto\n",
	       "t.conf:1: certificate and key must be given together\n");
	/* A refused value does not also trip the checks across keys. */
	expect("certificate c.pem\nkey /k.pem\n",
	       "t.conf:1: certificate: 'c.pem' is not an absolute path\n");
	expect("valid-lifetime 1x\npreferred-lifetime 100000\n",
	       "t.conf:1: valid-lifetime: '1x' is not a number or infinity\n");
	expect("mtu 9000\nclient-queue 1\n",
	       "t.conf:2: client-queue: 1 is below the minimum 4096\n");
	expect("router-lifetime 600 600\nra-interval 600\n",
	       "t.conf:1: router-lifetime: takes 1 argument, got 2\n");
	expect("state-dir var/lib\n", "t.conf:1: state-dir: 'var/lib' is not an absolute path\n");
	expect("state-dir auto\n", "t.conf:1: state-dir: 'auto' is not an absolute path\n");
	/* A line holds at most 4096 bytes, so that limits paths before PATH_MAX does. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "state-dir /", 11);
	memset(buf + 11, 'd', CONF_LINE_MAX - 11);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'd';
	strcat(buf, "\n");
	expect(buf, "t.conf:1: line longer than 4096 bytes\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "control /", 9);
	memset(buf + 9, 'c', 106);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'c';
	strcat(buf, "\n");
	expect(buf, "t.conf:1: control: path is 108 bytes; a unix socket path must be under 108\n");
	expect("control run/x.sock\n", "t.conf:1: control: 'run/x.sock' is not an absolute path\n");
}

static void test_prefix(void **state)
{
	struct gwconf *c = conf_new();
	char *msgs;

	(void)state;
	expect("prefix 2001:db8:1:1000::/64\n", "");
	expect("prefix fd12:3456:789a:1::/64\n", "");
	expect("prefix auto\n", "");
	/* Shorter than /64 only with workers (one /64 each); checked once the file is read. */
	expect("prefix 2001:db8::/48\n",
	       "t.conf:1: prefix: a /48 needs workers: one worker serves one /64\n");
	expect("prefix 2001:db8:1:1000::/63\nworkers 2\n", "");
	expect("prefix 2001:db8:1:1000::/63\nworkers 3\n",
	       "t.conf:1: prefix: a /63 holds 2 /64s, fewer than workers 3 (a /62 at most)\n");
	expect("prefix 2001:db8::/47\n",
	       "t.conf:1: prefix: 2001:db8::/47 must be a /64 (/48 to /63 with workers)\n");
	expect("prefix 2001:db8::/128\n",
	       "t.conf:1: prefix: 2001:db8::/128 must be a /64 (/48 to /63 with workers)\n");
	expect("prefix 2001:db8::1/64\n", "t.conf:1: prefix: 2001:db8::1/64 has bits set past "
					  "/64 (did you mean 2001:db8::/64?)\n");
	expect("prefix ff05:1::/64\n", "t.conf:1: prefix: ff05:1::/64 is multicast "
				       "(RFC 4291 §2.7)\n");
	expect("prefix fe80::/64\n",
	       "t.conf:1: prefix: fe80::/64 is link-local (RFC 4291 §2.5.6)\n");
	expect("prefix febf:0:0:1::/64\n",
	       "t.conf:1: prefix: febf:0:0:1::/64 is link-local (RFC 4291 §2.5.6)\n");
	expect("prefix ::/64\n", "t.conf:1: prefix: ::/64 holds the unspecified, loopback and "
				 "IPv4-mapped addresses (RFC 4291 §2.5)\n");
	expect("prefix 2001:db8::\n",
	       "t.conf:1: prefix: '2001:db8::': a prefix needs a length, as in 2001:db8::/48\n");
	expect("prefix 2001:db8::/65x\n", "t.conf:1: prefix: '2001:db8::/65x': the prefix length "
					  "must be a number from 0 to 128\n");
	expect("prefix 192.0.2.0/24\n",
	       "t.conf:1: prefix: '192.0.2.0/24': not a numeric IPv4 or IPv6 address\n");

	/* "prefix auto" after a prefix in the base clears it. */
	gwconf_defaults(c);
	assert_int_equal(gwconf_parse(c, "prefix 2001:db8::/64\n", 21, "t"), 0);
	assert_true(c->have_prefix);
	assert_int_equal(parse_msgs(c, "prefix auto\n", &msgs), 0);
	assert_false(c->have_prefix);
	free(msgs);
	free(c);
}

static void test_link_numbers(void **state)
{
	(void)state;
	expect("mtu 1280\n", "");
	expect("mtu 65535\n", "");
	expect("mtu 1279\n", "t.conf:1: mtu: 1279 is below the IPv6 minimum 1280\n");
	expect("mtu 0\n", "t.conf:1: mtu: 0 is below the IPv6 minimum 1280\n");
	expect("mtu 65536\n", "t.conf:1: mtu: 65536 is above the maximum 65535\n");
	expect("mtu 99999999999999999999999999\n",
	       "t.conf:1: mtu: 99999999999999999999999999 is above the maximum 65535\n");
	expect("mtu 1500x\n", "t.conf:1: mtu: '1500x' is not a number\n");
	expect("mtu -1280\n", "t.conf:1: mtu: '-1280' is not a number\n");
	expect("mtu +1280\n", "t.conf:1: mtu: '+1280' is not a number\n");
	expect("mtu 0x500\n", "t.conf:1: mtu: '0x500' is not a number\n");
	expect("mtu \"\"\n", "t.conf:1: mtu: '' is not a number\n");
	expect("mtu 1280 1500\n", "t.conf:1: mtu: takes 1 argument, got 2\n");
	expect("mtu 9000\nclient-queue 8192\n",
	       "t.conf:2: client-queue 8192 cannot hold one packet of mtu 9000\n");

	expect("router-lifetime 9000\n", "");
	expect("router-lifetime 9001\n",
	       "t.conf:1: router-lifetime: 9001 is above the maximum 9000\n");
	expect("ra-interval 3\n", "t.conf:1: ra-interval: 3 is below the minimum 4\n");
	expect("ra-interval 1801\n", "t.conf:1: ra-interval: 1801 is above the maximum 1800\n");
	expect("ra-interval 1800\n", "t.conf:1: ra-interval 1800 must be shorter than "
				     "router-lifetime 1800 (RFC 4861 §6.2.1)\n");
	expect("router-lifetime 0\nra-interval 1800\n", "");
	expect("preferred-lifetime 86401\n",
	       "t.conf:1: preferred-lifetime 86401 is longer than valid-lifetime 86400\n");
	expect("preferred-lifetime infinity\nvalid-lifetime infinity\n", "");
	expect("valid-lifetime 3600\npreferred-lifetime 3600\n", "");
	expect("valid-lifetime 600\npreferred-lifetime 0\n",
	       "t.conf:1: valid-lifetime 600 must be longer than ra-interval 600\n");
	expect("valid-lifetime 4294967296\n",
	       "t.conf:1: valid-lifetime: 4294967296 is above the maximum 4294967295\n");
	expect("valid-lifetime forever\n",
	       "t.conf:1: valid-lifetime: 'forever' is not a number or infinity\n");
}

static void test_tun(void **state)
{
	(void)state;
	expect("tun a\n", "");
	expect("tun 123456789012345\n", "");
	expect("tun 1234567890123456\n",
	       "t.conf:1: tun: '1234567890123456' is longer than 15 characters (IFNAMSIZ)\n");
	expect("tun \"\"\n", "t.conf:1: tun: an interface name cannot be empty\n");
	expect("tun .\n", "t.conf:1: tun: '.' is not an interface name\n");
	expect("tun ..\n", "t.conf:1: tun: '..' is not an interface name\n");
	expect("tun ...\n", "");
	expect("tun a/b\n", "t.conf:1: tun: 'a/b': interface names take printable ASCII without "
			    "'/', ':', '%' or spaces\n");
	expect("tun a:1\n", "t.conf:1: tun: 'a:1': interface names take printable ASCII without "
			    "'/', ':', '%' or spaces\n");
	expect("tun tun%d\n", "t.conf:1: tun: 'tun%d': interface names take printable ASCII "
			      "without '/', ':', '%' or spaces\n");
	expect("tun \"a b\"\n", "t.conf:1: tun: 'a b': interface names take printable ASCII "
				"without '/', ':', '%' or spaces\n");
}

static void test_routes(void **state)
{
	struct gwconf *c = conf_new();
	char buf[4096] = "", *msgs;

	(void)state;
	expect("route 2001:db8::/32\n", "");
	expect("route 2001:db8::/32 preference high lifetime 60\n", "");
	expect("route 2001:db8::/32 lifetime 60 preference low\n", "");
	expect("route 2001:db8::/32 preference\n", "t.conf:1: route: preference needs a value\n");
	expect("route 2001:db8::/32 lifetime 1 lifetime 2\n",
	       "t.conf:1: route: lifetime given twice\n");
	expect("route 2001:db8::/32 preference top\n",
	       "t.conf:1: route: preference 'top' is not high, medium or low\n");
	expect("route 2001:db8::/32 metric 5\n",
	       "t.conf:1: route: unknown option 'metric' (preference, lifetime)\n");
	expect("route 2001:db8::/32 lifetime -1\n",
	       "t.conf:1: route lifetime: '-1' is not a number or infinity\n");
	expect("route 2001:db8::/32 lifetime 1 x\n",
	       "t.conf:1: route: unknown option 'x' (preference, lifetime)\n");
	expect("route 2001:db8::1/32\n", "t.conf:1: route: 2001:db8::1/32 has bits set past /32 "
					 "(did you mean 2001:db8::/32?)\n");
	expect("route ff00::/8\n", "t.conf:1: route: ff00::/8 is multicast (RFC 4291 §2.7)\n");
	expect("route fe80::/10\n", "t.conf:1: route: fe80::/10 is link-local (RFC 4191 §3.1)\n");
	expect("route fe00::/7\n", "");
	expect("route 2001:db8::/32\nroute 2001:db8::/32 preference high\n",
	       "t.conf:2: route: 2001:db8::/32 is already given on line 1\n");
	expect("route 2001:db8::/32\nroute 2001:db8::/33\n", "");
	expect("route none\nroute ::/0\n",
	       "t.conf:2: route: none cannot be combined with values (line 1)\n");
	expect("route none preference high\n", "t.conf:1: route: none takes no other arguments\n");
	expect("route\n", "t.conf:1: route: takes 1 to 5 arguments, got 0\n");
	expect("route ::/0 preference high lifetime 1 x\n",
	       "t.conf:1: route: takes 1 to 5 arguments, got 6\n");

	for (int i = 0; i < LINK_MAX_ROUTES; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "route 2001:db8:%x::/48\n",
			 i);
	assert_int_equal(parse_msgs(c, buf, &msgs), 0);
	assert_int_equal(c->nroutes, LINK_MAX_ROUTES);
	free(msgs);
	strcat(buf, "route 2001:db8:ffff::/48\n");
	assert_int_equal(parse_msgs(c, buf, &msgs), 1);
	assert_string_equal(msgs, "t.conf:33: route: more than 32 routes (one Router "
				  "Advertisement carries at most 32)\n");
	assert_int_equal(c->nroutes, LINK_MAX_ROUTES);
	free(msgs);
	free(c);
}

static void test_process_keys(void **state)
{
	char buf[64];

	(void)state;
	expect("user nobody\n", "");
	expect("user auto\n", "");
	expect("user a.b_c-d\n", "");
	expect("user -x\n", "t.conf:1: user: '-x' is not a user name (up to 32 letters, digits, "
			    "'.', '_' or '-', not starting with '-')\n");
	expect("user \"a b\"\n", "t.conf:1: user: 'a b' is not a user name (up to 32 letters, "
				 "digits, '.', '_' or '-', not starting with '-')\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "user ", 5);
	memset(buf + 5, 'u', 32);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'u';
	strcat(buf, "\n");
	expect(buf, "t.conf:1: user: 'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu' is not a user name (up "
		    "to 32 letters, digits, '.', '_' or '-', not starting with '-')\n");
	expect("log syslog\n", "");
	expect("log file\n", "t.conf:1: log: 'file' is not stderr or syslog\n");
	expect("log-level warn\n", "");
	expect("log-level warning\n",
	       "t.conf:1: log-level: 'warning' is not err, warn, notice, info or debug\n");
	expect("log-drops maybe\n", "t.conf:1: log-drops: 'maybe' is not yes or no\n");
}

static void test_limits(void **state)
{
	(void)state;
	expect("max-clients 10000000\n", "");
	expect("max-clients 0\n", "t.conf:1: max-clients: 0 is below the minimum 1\n");
	expect("max-clients 10000001\n",
	       "t.conf:1: max-clients: 10000001 is above the maximum 10000000\n");
	expect("handshake-timeout 0\n", "t.conf:1: handshake-timeout: 0 is below the minimum 1\n");
	expect("head-timeout 301\n", "t.conf:1: head-timeout: 301 is above the maximum 300\n");
	expect("client-queue 4095\n", "t.conf:1: client-queue: 4095 is below the minimum 4096\n");
	expect("client-queue 16777217\n",
	       "t.conf:1: client-queue: 16777217 is above the maximum 16777216\n");
	expect("icmp-error-rate 100000\n", "");
	expect("icmp-error-rate 100001\n",
	       "t.conf:1: icmp-error-rate: 100001 is above the maximum 100000\n");
	expect("nd-resolve-rate 0\n", "");
	expect("nd-resolve-rate 10000\n", "");
	expect("nd-resolve-rate 10001\n",
	       "t.conf:1: nd-resolve-rate: 10001 is above the maximum 10000\n");
	expect("nd-resolve-rate -1\n", "t.conf:1: nd-resolve-rate: '-1' is not a number\n");
	expect("tcp-keepalive 0\ntcp-user-timeout 0\n", "");
	expect("tcp-keepalive 10\ntcp-user-timeout 10\n", "");
	expect("tcp-keepalive 9\n", "t.conf:1: tcp-keepalive: 9 is below the minimum 10 "
				    "(0 disables)\n");
	expect("tcp-keepalive 7201\n", "t.conf:1: tcp-keepalive: 7201 is above the maximum 7200\n");
	expect("tcp-user-timeout 9\n",
	       "t.conf:1: tcp-user-timeout: 9 is below the minimum 10 (0 disables)\n");
	expect("tcp-user-timeout 3601\n",
	       "t.conf:1: tcp-user-timeout: 3601 is above the maximum 3600\n");
}

/* ---- issue #4 keys ---- */

static void test_cert_pairs(void **state)
{
	struct gwconf *c = conf_new();
	char *msgs, *text;

	(void)state;
	assert_int_equal(parse_msgs(c,
				    "certificate /rsa.pem\nkey /rsa.key\ncertificate /ec.pem\n"
				    "key /ec.key\n",
				    &msgs),
			 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_int_equal(c->ncert, 2);
	assert_string_equal(c->certificate[0], "/rsa.pem");
	assert_string_equal(c->key[0], "/rsa.key");
	assert_string_equal(c->certificate[1], "/ec.pem");
	assert_string_equal(c->key[1], "/ec.key");
	text = print_str(c);
	assert_non_null(strstr(text, "certificate /rsa.pem\ncertificate /ec.pem\nkey /rsa.key\n"
				     "key /ec.key\ntls-profile modern\n"));
	free(text);

	/* Pairs are by order, whatever the interleaving. */
	assert_int_equal(
	    parse_msgs(c, "key /a.key\nkey /b.key\ncertificate /a\ncertificate /b\n", &msgs), 0);
	free(msgs);
	assert_string_equal(c->certificate[1], "/b");
	assert_string_equal(c->key[1], "/b.key");

	expect("certificate auto\nkey auto\ncertificate auto\n", "");
	expect("certificate /a\ncertificate /b\nkey /k\n",
	       "t.conf:1: 2 certificate(s) but 1 key(s): each certificate needs its key, in the "
	       "same order\n");
	expect("certificate /a\ncertificate /b\ncertificate /c\nkey /k\nkey /l\n",
	       "t.conf:3: certificate: more than 2 (one RSA and one ECDSA pair)\n");
	expect("key /a\nkey /b\nkey /c\n", "t.conf:3: key: more than 2 (one RSA and one ECDSA "
					   "pair)\n");
	expect("certificate /a\ncertificate /a\nkey /k\nkey /l\n",
	       "t.conf:2: certificate: /a is already given on line 1\n");
	expect("certificate /a\ncertificate /b\nkey /k\nkey /k\n",
	       "t.conf:4: key: /k is already given on line 3\n");
	expect("certificate auto\ncertificate /a\nkey /k\n",
	       "t.conf:2: certificate: auto cannot be combined with values (line 1)\n");
	expect("certificate /a\nkey /k\nkey auto\n",
	       "t.conf:3: key: auto cannot be combined with values (line 2)\n");
	expect("certificate /a\nkey\n", "t.conf:2: key: takes 1 argument, got 0\n");
	expect("certificate /a\nkey /k x\n", "t.conf:2: key: takes 1 argument, got 2\n");

	/* Parsing over a configuration with pairs: a file without them keeps them. */
	assert_int_equal(gwconf_parse(c, "mtu 1400\n", 9, "t"), 0);
	assert_int_equal(c->ncert, 2);
	assert_int_equal(gwconf_parse(c, "certificate auto\nkey auto\n", 26, "t"), 0);
	assert_int_equal(c->ncert, 0);
	free(c);
}

static void test_tls_profile_and_auth(void **state)
{
	struct gwconf *c = conf_new();
	char *msgs;

	(void)state;
	assert_int_equal(parse_msgs(c, "tls-profile strict\n", &msgs), 0);
	free(msgs);
	assert_int_equal(c->tls_profile, TLS_PROFILE_STRICT);
	assert_int_equal(parse_msgs(c, "tls-profile compat\n", &msgs), 0);
	free(msgs);
	assert_int_equal(c->tls_profile, TLS_PROFILE_COMPAT);
	expect("tls-profile modern\n", "");
	expect("tls-profile Modern\n",
	       "t.conf:1: tls-profile: 'Modern' is not compat, modern or strict\n");
	expect("tls-profile legacy\n",
	       "t.conf:1: tls-profile: 'legacy' is not compat, modern or strict\n");
	expect("tls-profile modern\ntls-profile strict\n",
	       "t.conf:2: tls-profile: already given on line 1\n");

	expect("auth none\n", "");
	expect("auth certificates\nclient-ca /ca.pem\n", "");
	assert_int_equal(parse_msgs(c, "auth certificates\nclient-ca /ca.pem\n", &msgs), 0);
	free(msgs);
	assert_int_equal(c->auth, GWCONF_AUTH_CERTIFICATES);
	assert_string_equal(gwconf_auth_name(c->auth), "certificates");
	assert_string_equal(gwconf_auth_name(GWCONF_AUTH_NONE), "none");
	expect("auth certificate\n", "t.conf:1: auth: 'certificate' is not none or certificates\n");
	expect("auth yes\n", "t.conf:1: auth: 'yes' is not none or certificates\n");

	/* Certificates mode needs a CA on the TLS listeners... */
	expect("auth certificates\n",
	       "t.conf:1: auth certificates needs client-ca: TLS listeners verify client "
	       "certificates against that CA bundle\n");
	expect("auth certificates\nclient-ca none\n",
	       "t.conf:1: auth certificates needs client-ca: TLS listeners verify client "
	       "certificates against that CA bundle\n");
	/* ...and a trusted balancer on the plain-HTTP ones. */
	expect("listen none\nlisten-http 192.0.2.1:80\nauth certificates\n",
	       "t.conf:3: auth certificates with listen-http needs a trusted-proxy: clients there "
	       "are identified only by identity-header from a balancer\n");
	expect("listen none\nlisten-http 192.0.2.1:80\nauth certificates\n"
	       "trusted-proxy 192.0.2.2\n",
	       "");
	/* A refused client-ca or auth line is reported once. */
	expect("auth certificates\nclient-ca ca.pem\n",
	       "t.conf:2: client-ca: 'ca.pem' is not an absolute path\n");
	expect("auth maybe\n", "t.conf:1: auth: 'maybe' is not none or certificates\n");
	free(c);
}

static void test_client_identity(void **state)
{
	struct gwconf *c = conf_new();
	char buf[512], *msgs, *text;

	(void)state;
	expect("client-ca /ca.pem\nclient-crl /a.crl\nclient-crl /b.crl\n", "");
	expect("client-ca /ca.pem\nclient-crl none\n", "");
	expect("client-crl none\n", "");
	expect("client-ca none\nclient-names none\nclient-name any\n", "");
	expect("client-ca relative.pem\n",
	       "t.conf:1: client-ca: 'relative.pem' is not an absolute path\n");
	expect("client-ca /ca.pem\nclient-crl a.crl\n",
	       "t.conf:2: client-crl: 'a.crl' is not an absolute path\n");
	expect("client-ca /ca.pem\nclient-crl /a.crl\nclient-crl /a.crl\n",
	       "t.conf:3: client-crl: /a.crl is already given on line 2\n");
	expect("client-ca /ca.pem\nclient-crl none\nclient-crl /a.crl\n",
	       "t.conf:3: client-crl: none cannot be combined with values (line 2)\n");
	memset(buf, 0, sizeof(buf));
	strcat(buf, "client-ca /ca.pem\n");
	for (int i = 0; i < GWCONF_MAX_CRLS; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "client-crl /%d.crl\n", i);
	assert_int_equal(parse_msgs(c, buf, &msgs), 0);
	free(msgs);
	assert_int_equal(c->ncrl, GWCONF_MAX_CRLS);
	strcat(buf, "client-crl /x.crl\n");
	expect(buf, "t.conf:18: client-crl: more than 16 files\n");

	/* Names: what proto/ident accepts, kept as written. */
	assert_int_equal(parse_msgs(c,
				    "client-ca /ca.pem\nclient-name *.corp.example.com\n"
				    "client-name PC1.example.com\nclient-name \"a#b\"\n",
				    &msgs),
			 0);
	free(msgs);
	assert_int_equal(c->nclient_name, 3);
	assert_string_equal(c->client_name[1], "PC1.example.com");
	text = print_str(c);
	assert_non_null(strstr(text, "client-name *.corp.example.com\nclient-name PC1.example.com\n"
				     "client-name \"a#b\"\nclient-names none\n"));
	free(text);
	expect("client-ca /ca.pem\nclient-name \"pc 1\"\n",
	       "t.conf:2: client-name: 'pc 1': space in name\n");
	expect("client-ca /ca.pem\nclient-name \"\"\n", "t.conf:2: client-name: '': empty name\n");
	expect("client-ca /ca.pem\nclient-name caf\xc3\xa9\n",
	       "t.conf:2: client-name: 'caf\\xc3\\xa9': non-ASCII character in name\n");
	expect("client-ca /ca.pem\nclient-name any\nclient-name pc1\n",
	       "t.conf:3: client-name: any cannot be combined with values (line 2)\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "client-ca /ca.pem\nclient-name ", 30);
	memset(buf + 30, 'n', 253);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'n';
	strcat(buf, "\n");
	expect(buf, "t.conf:2: client-name: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...': "
		    "name longer than 253 characters\n");
	{
		char big[8192] = "client-ca /ca.pem\n";

		for (int i = 0; i < GWCONF_MAX_NAMES; i++)
			snprintf(big + strlen(big), sizeof(big) - strlen(big),
				 "client-name pc%d.example.com\n", i);
		assert_int_equal(parse_msgs(c, big, &msgs), 0);
		free(msgs);
		assert_int_equal(c->nclient_name, GWCONF_MAX_NAMES);
		strcat(big, "client-name one-more\n");
		expect(big, "t.conf:66: client-name: more than 64 patterns (put long lists in a "
			    "client-names file)\n");
	}
	expect("client-ca /ca.pem\nclient-names /etc/iphttpsd/allowed\n", "");
	expect("client-ca /ca.pem\nclient-names allowed\n",
	       "t.conf:2: client-names: 'allowed' is not an absolute path\n");

	/* Without a CA they would change nothing: errors, each at its first line. */
	expect("client-crl /a.crl\n", "t.conf:1: client-crl has no effect without client-ca\n");
	expect("client-name pc1\nclient-name pc2\n",
	       "t.conf:1: client-name has no effect without client-ca or listen-http\n");
	expect("\nclient-names /n.txt\n",
	       "t.conf:2: client-names has no effect without client-ca or listen-http\n");
	/* Behind a TLS-terminating balancer names apply to identity-header; CRLs still do not. */
	expect("listen-http 192.0.2.1:80\nclient-name pc1\nclient-names /n.txt\n", "");
	expect("listen-http 192.0.2.1:80\nclient-crl /a.crl\n",
	       "t.conf:2: client-crl has no effect without client-ca\n");
	/* A refused client-ca is reported once. */
	expect("client-ca x\nclient-crl /a.crl\nclient-name pc1\n",
	       "t.conf:1: client-ca: 'x' is not an absolute path\n");
	free(c);
}

static void test_trusted_proxy(void **state)
{
	struct gwconf *c = conf_new();
	char buf[1024] = "", *msgs, *text;
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_int_equal(parse_msgs(c,
				    "trusted-proxy 192.0.2.5\ntrusted-proxy 198.51.100.0/24\n"
				    "trusted-proxy 2001:db8::5\ntrusted-proxy 2001:db8:1::/64\n",
				    &msgs),
			 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_int_equal(c->ntrusted_proxy, 4);
	assert_int_equal(c->trusted_proxy[0].plen, 128);
	assert_int_equal(c->trusted_proxy[0].addr.s6_addr[10], 0xff);
	assert_int_equal(c->trusted_proxy[0].addr.s6_addr[15], 5);
	assert_int_equal(c->trusted_proxy[1].plen, 120);
	assert_int_equal(c->trusted_proxy[3].plen, 64);
	text = print_str(c);
	assert_non_null(strstr(text, "trusted-proxy 192.0.2.5\ntrusted-proxy 198.51.100.0/24\n"
				     "trusted-proxy 2001:db8::5\ntrusted-proxy 2001:db8:1::/64\n"
				     "identity-header"));
	free(text);

	/* gwconf_trusted_proxy: the check the daemon makes on each peer. */
	assert_int_equal(addr_parse_sockaddr("198.51.100.77:40000", 0, &ss, &len), 0);
	assert_true(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));
	assert_int_equal(addr_parse_sockaddr("[::ffff:192.0.2.5]:1", 0, &ss, &len), 0);
	assert_true(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));
	assert_int_equal(addr_parse_sockaddr("192.0.2.6:1", 0, &ss, &len), 0);
	assert_false(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));
	assert_int_equal(addr_parse_sockaddr("[2001:db8:1::99]:1", 0, &ss, &len), 0);
	assert_true(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));
	assert_int_equal(addr_parse_sockaddr("[2001:db8:2::99]:1", 0, &ss, &len), 0);
	assert_false(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));
	gwconf_defaults(c);
	assert_int_equal(addr_parse_sockaddr("192.0.2.5:1", 0, &ss, &len), 0);
	assert_false(gwconf_trusted_proxy(c, (struct sockaddr *)&ss));

	expect("trusted-proxy none\n", "");
	expect("trusted-proxy 198.51.100.1/24\n",
	       "t.conf:1: trusted-proxy: 198.51.100.1/24 has bits set past the prefix length (did "
	       "you mean 198.51.100.0/24?)\n");
	expect("trusted-proxy 2001:db8::1/64\n",
	       "t.conf:1: trusted-proxy: 2001:db8::1/64 has bits set past the prefix length (did "
	       "you mean 2001:db8::/64?)\n");
	expect("trusted-proxy 192.0.2.0/33\n", "t.conf:1: trusted-proxy: '192.0.2.0/33': the IPv4 "
					       "prefix length must be a number from 0 to 32\n");
	expect("trusted-proxy 2001:db8::/129\n", "t.conf:1: trusted-proxy: '2001:db8::/129': the "
						 "prefix length must be a number from 0 to 128\n");
	expect("trusted-proxy [2001:db8::5]\n", "t.conf:1: trusted-proxy: '[2001:db8::5]': not a "
						"numeric IPv4 or IPv6 address\n");
	expect("trusted-proxy lb.example.com\n", "t.conf:1: trusted-proxy: 'lb.example.com': not "
						 "a numeric IPv4 or IPv6 address\n");
	expect("trusted-proxy 0.0.0.0/0\n", "t.conf:1: trusted-proxy: 0.0.0.0/0 would let every "
					    "address claim client identities; name the "
					    "balancers\n");
	expect("trusted-proxy ::/0\n", "t.conf:1: trusted-proxy: ::/0 would let every address "
				       "claim client identities; name the balancers\n");
	expect("trusted-proxy 192.0.2.5\ntrusted-proxy ::ffff:192.0.2.5\n",
	       "t.conf:2: trusted-proxy: 192.0.2.5 is already given on line 1\n");
	expect("trusted-proxy 192.0.2.5\ntrusted-proxy none\n",
	       "t.conf:2: trusted-proxy: none cannot be combined with values (line 1)\n");
	for (int i = 0; i < GWCONF_MAX_PROXIES; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "trusted-proxy 192.0.2.%d\n",
			 i + 1);
	expect(buf, "");
	strcat(buf, "trusted-proxy 192.0.2.200\n");
	expect(buf, "t.conf:17: trusted-proxy: more than 16 networks\n");
	free(c);
}

static void test_identity_header(void **state)
{
	char buf[128];

	(void)state;
	expect("identity-header X-SSL-Client-S-DN-CN\n", "");
	expect("identity-header \"x!#$%&'*+-.^_`|~9\"\n", "");
	expect("identity-header \"\"\n", "t.conf:1: identity-header: must not be empty\n");
	expect("identity-header X-Client:\n", "t.conf:1: identity-header: 'X-Client:' is not a "
					      "header field name (RFC 9110 §5.1 token "
					      "characters)\n");
	expect("identity-header \"X Client\"\n", "t.conf:1: identity-header: 'X Client' is not a "
						 "header field name (RFC 9110 §5.1 token "
						 "characters)\n");
	expect("identity-header X-Caf\xc3\xa9\n", "t.conf:1: identity-header: 'X-Caf\\xc3\\xa9' is "
						  "not a header field name (RFC 9110 §5.1 token "
						  "characters)\n");
	expect("identity-header host\n",
	       "t.conf:1: identity-header: Host is a field the request itself needs\n");
	expect("identity-header CONTENT-LENGTH\n",
	       "t.conf:1: identity-header: Content-Length is a field the request itself needs\n");
	expect(
	    "identity-header Transfer-Encoding\n",
	    "t.conf:1: identity-header: Transfer-Encoding is a field the request itself needs\n");
	expect("identity-header connection\n",
	       "t.conf:1: identity-header: Connection is a field the request itself needs\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "identity-header ", 16);
	memset(buf + 16, 'h', 63);
	strcat(buf, "\n");
	expect(buf, "");
	buf[strlen(buf) - 1] = 'h';
	strcat(buf, "\n");
	expect(buf, "t.conf:1: identity-header: 64 characters, the limit is 63\n");
}

static void test_unauth_allow(void **state)
{
	struct gwconf *c = conf_new();
	char buf[4096] = "", *msgs, *text;

	(void)state;
	assert_int_equal(parse_msgs(c,
				    "unauth-allow to 2001:db8:100::1/128 proto udp port 500\n"
				    "unauth-allow to 2001:db8:100::1/128 proto udp port 4500\n"
				    "unauth-allow to 2001:db8:100::1/128 proto esp\n"
				    "unauth-allow proto icmpv6 type 1-4\n",
				    &msgs),
			 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_int_equal(c->unauth_allow.n, 4);
	assert_int_equal(c->unauth_allow.rules[2].proto, 50);
	assert_int_equal(c->unauth_allow.rules[1].port_lo, 4500);
	text = print_str(c);
	assert_non_null(strstr(text, "ra-interval 600\n"
				     "unauth-allow to 2001:db8:100::1/128 proto udp port 500\n"
				     "unauth-allow to 2001:db8:100::1/128 proto udp port 4500\n"
				     "unauth-allow to 2001:db8:100::1/128 proto esp\n"
				     "unauth-allow proto icmpv6 type 1-4\n"
				     "client-isolation no\n"));
	free(text);
	/* "any" alone is the empty list: no restriction. */
	assert_int_equal(parse_msgs(c, "unauth-allow any\n", &msgs), 0);
	free(msgs);
	assert_int_equal(c->unauth_allow.n, 0);

	expect("unauth-allow none\n",
	       "t.conf:1: unauth-allow: 'none' is ambiguous: 'unauth-allow any' lets "
	       "unauthenticated clients reach everything; to admit no unauthenticated client use "
	       "auth certificates\n");
	expect("unauth-allow any\nunauth-allow proto esp\n",
	       "t.conf:2: unauth-allow: any cannot be combined with values (line 1)\n");
	expect("unauth-allow any proto esp\n",
	       "t.conf:1: unauth-allow: any takes no other arguments\n");
	expect("unauth-allow to ::/0\n", "t.conf:1: unauth-allow: this rule matches every packet; "
					 "write 'unauth-allow any' alone for no restriction\n");
	expect("unauth-allow proto esp\nunauth-allow to ::/0\n",
	       "t.conf:2: unauth-allow: this rule matches every packet; write 'unauth-allow any' "
	       "alone for no restriction\n");
	expect("unauth-allow from 2001:db8::/32\n",
	       "t.conf:1: unauth-allow: unknown word 'from' (expected to, proto, port or type)\n");
	expect("unauth-allow proto udp port\n", "t.conf:1: unauth-allow: 'port' needs a value\n");
	expect("unauth-allow\n", "t.conf:1: unauth-allow: takes 1 to 15 arguments, got 0\n");
	for (int i = 0; i < ACL_MAX_RULES; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "unauth-allow proto udp port %d\n", i + 1);
	expect(buf, "");
	strcat(buf, "unauth-allow proto esp\n");
	expect(buf, "t.conf:65: unauth-allow: more than 64 rules\n");

	expect("client-isolation yes\n", "");
	expect("client-isolation on\n", "t.conf:1: client-isolation: 'on' is not yes or no\n");
	free(c);
}

static void test_source_limits(void **state)
{
	(void)state;
	expect("max-conn-per-source 0\nhandshake-rate 0\nclient-icmp-rate 0\n", "");
	expect("max-conn-per-source 1000000\nhandshake-rate 1000000\nclient-icmp-rate 1000000\n",
	       "");
	expect("max-conn-per-source 1000001\n",
	       "t.conf:1: max-conn-per-source: 1000001 is above the maximum 1000000\n");
	expect("handshake-rate 1000001\n",
	       "t.conf:1: handshake-rate: 1000001 is above the maximum 1000000\n");
	expect("client-icmp-rate 1000001\n",
	       "t.conf:1: client-icmp-rate: 1000001 is above the maximum 1000000\n");
	expect("handshake-rate 2.5\n", "t.conf:1: handshake-rate: '2.5' is not a number\n");
	expect("max-conn-per-source unlimited\n",
	       "t.conf:1: max-conn-per-source: 'unlimited' is not a number\n");
	expect("client-icmp-rate -1\n", "t.conf:1: client-icmp-rate: '-1' is not a number\n");
}

static void test_listen_proxy_protocol(void **state)
{
	struct gwconf *c = conf_new();
	char *msgs;

	(void)state;
	assert_int_equal(parse_msgs(c,
				    "listen 192.0.2.1 proxy-protocol\nlisten [2001:db8::1]\n"
				    "listen-http 192.0.2.1:80 proxy-protocol\n"
				    "trusted-proxy 192.0.2.9\n",
				    &msgs),
			 0);
	assert_string_equal(msgs, "");
	free(msgs);
	assert_true(c->listen[0].proxy_protocol);
	assert_false(c->listen[1].proxy_protocol);
	assert_true(c->listen_http[0].proxy_protocol);
	expect("listen 192.0.2.1 proxy\n",
	       "t.conf:1: listen: unknown option 'proxy' (proxy-protocol)\n");
	expect("listen 192.0.2.1 proxy-protocol x\n", "t.conf:1: listen: takes 1 to 2 arguments, "
						      "got 3\n");
	expect("listen none proxy-protocol\n", "t.conf:1: listen: none takes no other arguments\n");
	expect("listen 192.0.2.1\nlisten 192.0.2.2 proxy-protocol\n",
	       "t.conf:2: listen: proxy-protocol needs a trusted-proxy (the balancer's address)\n");
	expect("listen none\nlisten-http 192.0.2.1:80\nlisten-http 192.0.2.1:81 proxy-protocol\n",
	       "t.conf:3: listen-http: proxy-protocol needs a trusted-proxy (the balancer's "
	       "address)\n");
	/* The option does not change what collides. */
	expect("trusted-proxy 192.0.2.9\nlisten 192.0.2.1 proxy-protocol\nlisten 192.0.2.1\n",
	       "t.conf:3: listen: 192.0.2.1:443 collides with listen 192.0.2.1:443 (line 2)\n");
	/* A refused trusted-proxy line is reported once. */
	expect("listen 192.0.2.1 proxy-protocol\ntrusted-proxy x\n",
	       "t.conf:2: trusted-proxy: 'x': not a numeric IPv4 or IPv6 address\n");
	free(c);
}

/* Several mistakes in one file: all reported, in order, lines then whole-file checks. */
static void test_collected(void **state)
{
	(void)state;
	expect("mtu 1279\n"
	       "bogus\n"
	       "mtu 1300\n"
	       "preferred-lifetime 90000\n"
	       "log-level loud\n",
	       "t.conf:1: mtu: 1279 is below the IPv6 minimum 1280\n"
	       "t.conf:2: unknown key 'bogus'\n"
	       "t.conf:3: mtu: already given on line 1\n"
	       "t.conf:5: log-level: 'loud' is not err, warn, notice, info or debug\n"
	       "t.conf:4: preferred-lifetime 90000 is longer than valid-lifetime 86400\n");
	expect("k\xff\x01y\n", "t.conf:1: control character 0x01 in line\n");
	expect("k\xffy\n", "t.conf:1: unknown key 'k\\xffy'\n");
}

/* Parsing the same text again, over used or fresh structs, is clean and gives the same. */
static void test_repeat_and_limits(void **state)
{
	struct gwconf *c = conf_new();
	char *first, *msgs, *again;
	struct logcap cap;
	char *huge;

	(void)state;
	assert_int_equal(parse_msgs(c, full_text, &msgs), 0);
	free(msgs);
	first = print_str(c);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(gwconf_parse(c, full_text, strlen(full_text), "t"), 0);
		again = print_str(c);
		assert_string_equal(again, first);
		free(again);
	}
	free(first);

	huge = calloc(1, GWCONF_FILE_MAX + 1);
	assert_non_null(huge);
	gwconf_defaults(c);
	logcap_begin(&cap);
	assert_int_equal(gwconf_parse(c, huge, GWCONF_FILE_MAX + 1, "big.conf"), 1);
	msgs = logcap_end(&cap);
	assert_string_equal(msgs, "big.conf: larger than 1048576 bytes\n");
	free(msgs);
	free(huge);

	logcap_begin(&cap);
	assert_int_equal(gwconf_parse(c, "mtu 1\n", 6, NULL), 1);
	msgs = logcap_end(&cap);
	assert_string_equal(msgs, "(configuration):1: mtu: 1 is below the IPv6 minimum 1280\n");
	free(msgs);
	free(c);
}

/* Issue #6: worker k's /64, TUN, control socket and client share (gwconf_worker). */
static void test_worker(void **state)
{
	static const char text[] = "workers 4\nprefix 2001:db8:1:1000::/62\ntun gw0\n"
				   "control /run/gw.sock\nmax-clients 10001\n";
	struct gwconf *c = malloc(sizeof(*c));
	char buf[ADDR_STRLEN];

	(void)state;
	assert_non_null(c);
	for (uint32_t k = 0; k < 4; k++) {
		char want[64];

		gwconf_defaults(c);
		assert_int_equal(gwconf_parse(c, text, strlen(text), "t"), 0);
		gwconf_worker(c, k);
		snprintf(want, sizeof(want), "2001:db8:1:100%u::/64", k);
		assert_string_equal(
		    addr_format_prefix6(&c->prefix, c->prefix_len, buf, sizeof(buf)), want);
		assert_int_equal(c->max_clients, 2501); /* 10001 / 4, rounded up */
		snprintf(want, sizeof(want), k ? "gw0w%u" : "gw0", k);
		assert_string_equal(c->tun, want);
		snprintf(want, sizeof(want), k ? "/run/gw.sock.%u" : "/run/gw.sock", k);
		assert_string_equal(c->control, want);
	}
	/* A kept /64 (prefix auto): its low subnet bits become the worker's number. */
	gwconf_defaults(c);
	assert_int_equal(gwconf_parse(c, "workers 2\n", 10, "t"), 0);
	c->have_prefix = true;
	assert_int_equal(addr_parse_prefix6("fd00:1:2:3::/64", &c->prefix, &c->prefix_len), 0);
	gwconf_worker(c, 0);
	assert_string_equal(addr_format_prefix6(&c->prefix, 64, buf, sizeof(buf)),
			    "fd00:1:2:2::/64");
	/* One worker: nothing changes. */
	gwconf_defaults(c);
	assert_int_equal(gwconf_parse(c, "prefix 2001:db8::/64\n", 21, "t"), 0);
	gwconf_worker(c, 0);
	assert_string_equal(addr_format_prefix6(&c->prefix, 64, buf, sizeof(buf)), "2001:db8::/64");
	assert_string_equal(c->tun, "iphttps0");
	assert_int_equal(gwconf_worker_bits(1), 0);
	assert_int_equal(gwconf_worker_bits(2), 1);
	assert_int_equal(gwconf_worker_bits(3), 2);
	assert_int_equal(gwconf_worker_bits(64), 6);
	free(c);
}

static void test_key_names(void **state)
{
	const char *p = defaults_text;
	size_t i = 0;

	(void)state;
	/* Print order, the directive table and the key table all agree. */
	while (*p) {
		const char *name = gwconf_key_name(i);
		size_t n = strlen(name);

		assert_non_null(name);
		assert_string_not_equal(name, "?");
		assert_int_equal(strncmp(p, name, n), 0);
		assert_int_equal(p[n], ' ');
		while (strncmp(p, name, n) == 0 && p[n] == ' ')
			p = strchr(p, '\n') + 1;
		i++;
	}
	assert_null(gwconf_key_name(i));
	assert_true(gwconf_key_reloadable("route"));
	assert_true(gwconf_key_reloadable("certificate"));
	assert_true(gwconf_key_reloadable("nd-resolve-rate"));
	assert_false(gwconf_key_reloadable("prefix"));
	assert_false(gwconf_key_reloadable("workers"));
	assert_false(gwconf_key_reloadable("tun-offload"));
	assert_false(gwconf_key_reloadable("listen"));
	assert_false(gwconf_key_reloadable("listen-http"));
	assert_false(gwconf_key_reloadable("nope"));
	/* Every key of issue #4 applies on SIGHUP. */
	{
		static const char *const sec[] = {
		    "key",
		    "tls-profile",
		    "auth",
		    "client-ca",
		    "client-crl",
		    "client-name",
		    "client-names",
		    "trusted-proxy",
		    "identity-header",
		    "unauth-allow",
		    "client-isolation",
		    "max-conn-per-source",
		    "handshake-rate",
		    "client-icmp-rate",
		};

		for (size_t k = 0; k < sizeof(sec) / sizeof(sec[0]); k++)
			if (!gwconf_key_reloadable(sec[k]))
				fail_msg("%s should be reloadable", sec[k]);
	}
	assert_int_equal(i, 44);
}

static void test_restart_changes(void **state)
{
	struct gwconf *a = conf_new(), *b = conf_new();
	const char *keys[4];

	(void)state;
	assert_int_equal(gwconf_restart_changes(a, b, keys, 4), 0);
	{
		/* The new keys reload; a listener's proxy-protocol option is a restart. */
		const char *text = "auth certificates\nclient-ca /ca.pem\nunauth-allow proto esp\n"
				   "tls-profile strict\ntrusted-proxy 192.0.2.9\n"
				   "listen 0.0.0.0 proxy-protocol\nlisten [::]\n";

		assert_int_equal(gwconf_parse(b, text, strlen(text), "t"), 0);
		assert_int_equal(gwconf_restart_changes(a, b, keys, 4), 1);
		assert_string_equal(keys[0], "listen");
		gwconf_defaults(b);
	}
	{
		const char *text =
		    "mtu 1400\nroute ::/0\nlog-level debug\nlisten 192.0.2.1\ntun t9\n"
		    "user x\n";

		assert_int_equal(gwconf_parse(b, text, strlen(text), "t"), 0);
		assert_int_equal(gwconf_restart_changes(a, b, keys, 2), 4);
		assert_string_equal(keys[0], "listen");
		assert_string_equal(keys[1], "mtu");
		assert_int_equal(gwconf_restart_changes(a, b, keys, 4), 4);
		assert_string_equal(keys[2], "tun");
		assert_string_equal(keys[3], "user");
	}
	free(a);
	free(b);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_read_file(void **state)
{
	char dir[] = "/tmp/test_gwconfXXXXXX", path[128], *t, *big;
	size_t len = 99;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	write_file(path, "mtu 1400\n", 9, 0600);
	t = gwconf_read_file(path, &len);
	assert_non_null(t);
	assert_int_equal(len, 9);
	assert_string_equal(t, "mtu 1400\n");
	free(t);

	write_file(path, "", 0, 0600);
	t = gwconf_read_file(path, &len);
	assert_non_null(t);
	assert_int_equal(len, 0);
	assert_string_equal(t, "");
	free(t);

	big = malloc(GWCONF_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, '\n', GWCONF_FILE_MAX + 1);
	write_file(path, big, GWCONF_FILE_MAX, 0600);
	t = gwconf_read_file(path, &len);
	assert_non_null(t);
	assert_int_equal(len, GWCONF_FILE_MAX);
	free(t);
	write_file(path, big, GWCONF_FILE_MAX + 1, 0600);
	errno = 0;
	assert_null(gwconf_read_file(path, &len));
	assert_int_equal(errno, EFBIG);
	free(big);

	unlink(path);
	errno = 0;
	assert_null(gwconf_read_file(path, &len));
	assert_int_equal(errno, ENOENT);
	rmdir(dir);
}

static void test_check_files(void **state)
{
	char dir[] = "/tmp/test_gwconfXXXXXX", text[512], want[512], *msgs;
	struct gwconf *c = conf_new();
	struct logcap cap;
	char cert[128], key[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	write_file(cert, "c", 1, 0644);
	write_file(key, "k", 1, 0600);
	snprintf(text, sizeof(text), "certificate %s\nkey %s\n", cert, key);
	assert_int_equal(gwconf_parse(c, text, strlen(text), "t"), 0);
	assert_int_equal(gwconf_check_files(c), 0);

	chmod(key, 0640);
	logcap_begin(&cap);
	assert_int_equal(gwconf_check_files(c), 1);
	msgs = logcap_end(&cap);
	snprintf(want, sizeof(want), "key: %s: mode 0640 lets group or others read it\n", key);
	assert_string_equal(msgs, want);
	free(msgs);

	unlink(cert);
	logcap_begin(&cap);
	assert_int_equal(gwconf_check_files(c), 2);
	msgs = logcap_end(&cap);
	snprintf(want, sizeof(want),
		 "certificate: %s: No such file or directory\n"
		 "key: %s: mode 0640 lets group or others read it\n",
		 cert, key);
	assert_string_equal(msgs, want);
	free(msgs);

	/* Defaults name no files: nothing to check. */
	gwconf_defaults(c);
	assert_int_equal(gwconf_check_files(c), 0);
	unlink(key);
	rmdir(dir);
	free(c);
}

/* Two pairs, the client CA, CRLs and the allow-list: each file checked, one message each. */
static void test_check_sec_files(void **state)
{
	char dir[] = "/tmp/test_gwconfXXXXXX", p[8][128], text[2048], want[2048], *msgs;
	static const char *const names[8] = {"rsa.pem", "rsa.key", "ec.pem", "ec.key",
					     "ca.pem",	"a.crl",   "b.crl",  "allowed.txt"};
	struct gwconf *c = conf_new();
	struct logcap cap;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 8; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir, names[i]);
		write_file(p[i], "x", 1, (i == 1 || i == 3) ? 0600 : 0644);
	}
	snprintf(text, sizeof(text),
		 "certificate %s\nkey %s\ncertificate %s\nkey %s\nclient-ca %s\n"
		 "client-crl %s\nclient-crl %s\nclient-names %s\n",
		 p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
	assert_int_equal(gwconf_parse(c, text, strlen(text), "t"), 0);
	assert_int_equal(gwconf_check_files(c), 0);

	/* The second key readable by others, a CRL missing, the CA a directory, the list gone. */
	chmod(p[3], 0604);
	unlink(p[6]);
	unlink(p[4]);
	assert_int_equal(mkdir(p[4], 0700), 0);
	unlink(p[7]);
	logcap_begin(&cap);
	assert_int_equal(gwconf_check_files(c), 4);
	msgs = logcap_end(&cap);
	snprintf(want, sizeof(want),
		 "key: %s: mode 0604 lets group or others read it\n"
		 "client-ca: %s: not a regular file\n"
		 "client-crl: %s: No such file or directory\n"
		 "client-names: %s: No such file or directory\n",
		 p[3], p[4], p[6], p[7]);
	assert_string_equal(msgs, want);
	free(msgs);

	/* A file this process cannot open (meaningless as root, which opens everything). */
	if (geteuid() != 0) {
		chmod(p[5], 0);
		logcap_begin(&cap);
		assert_int_equal(gwconf_check_files(c), 5);
		msgs = logcap_end(&cap);
		snprintf(want, sizeof(want), "client-crl: %s: Permission denied\n", p[5]);
		assert_non_null(strstr(msgs, want));
		free(msgs);
	}
	rmdir(p[4]);
	for (int i = 0; i < 8; i++)
		unlink(p[i]);
	rmdir(dir);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_words),
	    cmocka_unit_test(test_conf_errors),
	    cmocka_unit_test(test_conf_nul_and_long_lines),
	    cmocka_unit_test(test_conf_fn_failure_counts),
	    cmocka_unit_test(test_conf_key_line_and_error),
	    cmocka_unit_test(test_conf_vis),
	    cmocka_unit_test(test_conf_print_word_round_trip),
	    cmocka_unit_test(test_conf_secrecy),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_defaults_round_trip),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_listen_lists),
	    cmocka_unit_test(test_listen_errors),
	    cmocka_unit_test(test_listen_collisions),
	    cmocka_unit_test(test_http_keys),
	    cmocka_unit_test(test_file_keys),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_link_numbers),
	    cmocka_unit_test(test_tun),
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_process_keys),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_cert_pairs),
	    cmocka_unit_test(test_tls_profile_and_auth),
	    cmocka_unit_test(test_client_identity),
	    cmocka_unit_test(test_trusted_proxy),
	    cmocka_unit_test(test_identity_header),
	    cmocka_unit_test(test_unauth_allow),
	    cmocka_unit_test(test_source_limits),
	    cmocka_unit_test(test_listen_proxy_protocol),
	    cmocka_unit_test(test_collected),
	    cmocka_unit_test(test_repeat_and_limits),
	    cmocka_unit_test(test_key_names),
	    cmocka_unit_test(test_worker),
	    cmocka_unit_test(test_restart_changes),
	    cmocka_unit_test(test_read_file),
	    cmocka_unit_test(test_check_files),
	    cmocka_unit_test(test_check_sec_files),
	};

	log_init("test_gwconf", false, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
