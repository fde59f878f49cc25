/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for iphttps/url: server URLs (schemes, default ports, IPv4 and bracketed IPv6
 * literals, paths and queries, the fragment dropped), proxy URLs (optional scheme, curl's
 * default port 1080, user information with percent-decoding, the last '@' ending it), the
 * authority and display forms, curl's no_proxy rules, and inputs that must be refused: each
 * with the rule it breaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "iphttps/url.h"

static struct url parse_ok(const char *s)
{
	struct url u;
	const char *why = NULL;

	if (url_parse(s, &u, &why) != 0)
		fail_msg("url_parse(%s): %s", s, why);
	return u;
}

static void parse_bad(const char *s)
{
	struct url u;
	const char *why = NULL;

	if (url_parse(s, &u, &why) != -1)
		fail_msg("url_parse(%s) accepted", s);
	assert_non_null(why);
	assert_true(why[0] != '\0');
}

static void test_server_urls(void **state)
{
	struct url u;

	(void)state;
	u = parse_ok("https://da.example.com/IPHTTPS");
	assert_int_equal(u.scheme, URL_HTTPS);
	assert_string_equal(u.host, "da.example.com");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/IPHTTPS");
	assert_false(u.ip_literal);
	assert_false(u.has_cred);

	u = parse_ok("https://da.example.com:44500/IPHTTPS?x=1#frag");
	assert_int_equal(u.port, 44500);
	assert_string_equal(u.path, "/IPHTTPS?x=1");

	u = parse_ok("HTTP://gw");
	assert_int_equal(u.scheme, URL_HTTP);
	assert_int_equal(u.port, 80);
	assert_string_equal(u.path, "/");

	u = parse_ok("https://gw?q");
	assert_string_equal(u.path, "/?q");

	u = parse_ok("https://192.0.2.1/IPHTTPS");
	assert_true(u.ip_literal);
	assert_false(u.ipv6);
	assert_string_equal(u.host, "192.0.2.1");

	u = parse_ok("https://[2001:db8::1]:443/IPHTTPS");
	assert_true(u.ip_literal);
	assert_true(u.ipv6);
	assert_string_equal(u.host, "2001:db8::1");
	assert_int_equal(u.port, 443);

	u = parse_ok("https://[2001:db8::1]");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/");

	u = parse_ok("https://gw_1.example~x:65535/a%20b");
	assert_int_equal(u.port, 65535);
	assert_string_equal(u.path, "/a%20b");
}

static void test_server_urls_refused(void **state)
{
	char longname[400];

	(void)state;
	parse_bad("");
	parse_bad("gw.example.com/IPHTTPS");	/* no scheme */
	parse_bad("ftp://gw/IPHTTPS");		/* other scheme */
	parse_bad("https://");			/* no host */
	parse_bad("https:///IPHTTPS");		/* empty host */
	parse_bad("https://gw:0/");		/* port 0 */
	parse_bad("https://gw:65536/");		/* port too large */
	parse_bad("https://gw:443x/");		/* port not a number */
	parse_bad("https://gw:/");		/* empty port */
	parse_bad("https://gw:-1/");		/* sign */
	parse_bad("https://[2001:db8::1/");	/* unclosed bracket */
	parse_bad("https://[gw.example]/");	/* not IPv6 in brackets */
	parse_bad("https://[fe80::1%25eth0]/"); /* zone identifiers are not supported */
	parse_bad("https://2001:db8::1/");	/* IPv6 without brackets */
	parse_bad("https://user@gw/");		/* no user information for the server */
	parse_bad("https://user:pw@gw/");
	parse_bad("https://g w/");	      /* space in the host */
	parse_bad("https://gw/a b");	      /* space in the path */
	parse_bad("https://gw/a\r\nHost: x"); /* header injection */
	parse_bad("https://gw/\x7f");
	parse_bad("https://gw/\xc3\xa9"); /* non-ASCII path: percent-encode it */
	parse_bad("https://g%41w/");	  /* percent-encoded host */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "https://", 8);
	parse_bad(longname); /* host over 253 characters */
}

static void test_authority(void **state)
{
	struct url u;
	char b[300];

	(void)state;
	u = parse_ok("https://gw.example/IPHTTPS");
	assert_int_equal(url_authority(&u, false, b, sizeof(b)), strlen("gw.example"));
	assert_string_equal(b, "gw.example");
	assert_int_equal(url_authority(&u, true, b, sizeof(b)), strlen("gw.example:443"));
	assert_string_equal(b, "gw.example:443");

	u = parse_ok("https://gw.example:8443/");
	url_authority(&u, false, b, sizeof(b));
	assert_string_equal(b, "gw.example:8443");

	u = parse_ok("http://gw.example:80/");
	url_authority(&u, false, b, sizeof(b));
	assert_string_equal(b, "gw.example");

	u = parse_ok("https://[2001:db8::1]/");
	url_authority(&u, false, b, sizeof(b));
	assert_string_equal(b, "[2001:db8::1]");
	url_authority(&u, true, b, sizeof(b));
	assert_string_equal(b, "[2001:db8::1]:443");

	/* Too small: 0, never an overflow. */
	assert_int_equal(url_authority(&u, true, b, 5), 0);
	assert_int_equal(url_authority(&u, true, b, strlen("[2001:db8::1]:443")), 0);
	assert_int_equal(url_authority(&u, true, b, strlen("[2001:db8::1]:443") + 1),
			 strlen("[2001:db8::1]:443"));
}

static void test_format(void **state)
{
	struct url u;
	const char *why;
	char b[600];

	(void)state;
	u = parse_ok("HTTPS://gw.example:443/IPHTTPS#x");
	assert_true(url_format(&u, b, sizeof(b)) > 0);
	assert_string_equal(b, "https://gw.example/IPHTTPS");
	assert_int_equal(url_parse_proxy("http://alice:secret@proxy.example:3128", &u, &why), 0);
	assert_true(url_format(&u, b, sizeof(b)) > 0);
	assert_string_equal(b, "http://alice@proxy.example:3128/"); /* never the password */
	assert_null(strstr(b, "secret"));
	assert_int_equal(url_format(&u, b, 10), 0);
}

static struct url proxy_ok(const char *s)
{
	struct url u;
	const char *why = NULL;

	if (url_parse_proxy(s, &u, &why) != 0)
		fail_msg("url_parse_proxy(%s): %s", s, why);
	return u;
}

static void proxy_bad(const char *s)
{
	struct url u;
	const char *why = NULL;

	if (url_parse_proxy(s, &u, &why) != -1)
		fail_msg("url_parse_proxy(%s) accepted", s);
	assert_non_null(why);
}

static void test_proxy_urls(void **state)
{
	struct url u;

	(void)state;
	u = proxy_ok("http://proxy.example:3128");
	assert_int_equal(u.scheme, URL_HTTP);
	assert_string_equal(u.host, "proxy.example");
	assert_int_equal(u.port, 3128);
	assert_false(u.has_cred);

	u = proxy_ok("proxy.example:8080/"); /* no scheme, as in many https_proxy values */
	assert_int_equal(u.port, 8080);

	u = proxy_ok("http://proxy.example"); /* curl's default proxy port */
	assert_int_equal(u.port, 1080);

	u = proxy_ok("http://[2001:db8::3]:3128");
	assert_true(u.ipv6);
	assert_string_equal(u.host, "2001:db8::3");

	u = proxy_ok("http://alice:s%40cr%3At@proxy:3128");
	assert_true(u.has_cred);
	assert_string_equal(u.user, "alice");
	assert_string_equal(u.pass, "s@cr:t");

	u = proxy_ok("http://alice@proxy:3128"); /* a user without a password */
	assert_true(u.has_cred);
	assert_string_equal(u.pass, "");

	u = proxy_ok("http://alice:p@ss@proxy:3128"); /* the last '@' ends the user information */
	assert_string_equal(u.user, "alice");
	assert_string_equal(u.pass, "p@ss");
	assert_string_equal(u.host, "proxy");

	u = proxy_ok("http://%61lice:%E2%82%AC@proxy:1"); /* UTF-8 passes through as bytes */
	assert_string_equal(u.user, "alice");
	assert_string_equal(u.pass, "\xe2\x82\xac");
}

static void test_proxy_urls_refused(void **state)
{
	(void)state;
	proxy_bad("");
	proxy_bad("https://proxy:3128");  /* TLS to the proxy */
	proxy_bad("socks5://proxy:1080"); /* SOCKS */
	proxy_bad("http://proxy:3128/path");
	proxy_bad("http://proxy:99999");
	proxy_bad("http://:pw@proxy:1");	     /* empty user */
	proxy_bad("http://al%3Aice:pw@proxy:1");     /* colon in the user (RFC 7617 §2) */
	proxy_bad("http://alice:%0d%0aX:y@proxy:1"); /* control characters */
	proxy_bad("http://alice:%4@proxy:1");	     /* bad escape */
	proxy_bad("http://alice:%@proxy:1");
	proxy_bad("http://alice:%zz@proxy:1");
	proxy_bad("http://alice:pw@"); /* no host */
	proxy_bad("http://pro xy:1");
}

static void test_no_proxy(void **state)
{
	(void)state;
	assert_false(url_no_proxy(NULL, "gw.example.com"));
	assert_false(url_no_proxy("", "gw.example.com"));
	assert_true(url_no_proxy("*", "gw.example.com"));
	assert_true(url_no_proxy("example.com", "gw.example.com"));
	assert_true(url_no_proxy("example.com", "example.com"));
	assert_true(url_no_proxy(".example.com", "gw.example.com"));
	assert_true(url_no_proxy(".example.com", "example.com"));
	assert_true(url_no_proxy("EXAMPLE.com", "GW.Example.COM"));
	assert_false(url_no_proxy("example.com", "badexample.com"));
	assert_false(url_no_proxy("gw.example.com", "example.com"));
	assert_true(url_no_proxy("localhost, 10.0.0.1 ,example.com", "gw.example.com"));
	assert_true(url_no_proxy("localhost example.com", "gw.example.com"));
	assert_false(url_no_proxy("localhost,,, ", "gw.example.com"));
	assert_true(url_no_proxy("[2001:db8::1]", "2001:db8::1"));
	assert_true(url_no_proxy("2001:db8::1", "2001:db8::1"));
	assert_true(url_no_proxy("192.0.2.1", "192.0.2.1"));
	assert_false(url_no_proxy("192.0.2.1", "192.0.2.10"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_urls), cmocka_unit_test(test_server_urls_refused),
	    cmocka_unit_test(test_authority),	cmocka_unit_test(test_format),
	    cmocka_unit_test(test_proxy_urls),	cmocka_unit_test(test_proxy_urls_refused),
	    cmocka_unit_test(test_no_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
