/* SPDX-License-Identifier: ISC */
/* proxyenv: the proxy for a server URL from --proxy or the environment (see proxyenv.h). */
#include "iphttps/proxyenv.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"

static int proxyenv_parse(const char *s, const char *from, struct url *proxy, bool *have, char *err,
			  size_t errlen)
{
	const char *why;

	if (url_parse_proxy(s, proxy, &why) == -1) {
		snprintf(err, errlen, "%s: %s", from, why);
		return -1;
	}
	*have = true;
	return 0;
}

int proxyenv_pick(const struct url *server, const char *opt, bool no_proxy, struct url *proxy,
		  bool *have, char *err, size_t errlen)
{
	const char *name = server->scheme == URL_HTTPS ? "https_proxy" : "http_proxy";
	const char *v = getenv(name), *np;

	*have = false;
	if (opt)
		return proxyenv_parse(opt, "--proxy", proxy, have, err, errlen);
	if (no_proxy)
		return 0;
	if ((!v || !*v) && server->scheme == URL_HTTPS && (v = getenv("HTTPS_PROXY")))
		name = "HTTPS_PROXY";
	if (!v || !*v)
		return 0;
	np = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
	if (url_no_proxy(np, server->host)) {
		log_info("%s is set, but no_proxy exempts %s", name, server->host);
		return 0;
	}
	return proxyenv_parse(v, name, proxy, have, err, errlen);
}
