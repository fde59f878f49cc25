/* SPDX-License-Identifier: ISC */
/*
 * proxyenv: which HTTP proxy a subcommand uses for a server URL, as curl decides it: --proxy
 * first, --no-proxy to ignore the environment, else https_proxy / HTTPS_PROXY (http_proxy for
 * an http:// URL; HTTP_PROXY in capitals never, a CGI environment sets it from a request
 * header), minus the hosts no_proxy exempts. Shared by `iphttps connect` and `iphttps probe`.
 */
#ifndef IPHTTPS_PROXYENV_H
#define IPHTTPS_PROXYENV_H

#include <stdbool.h>
#include <stddef.h>

#include "iphttps/url.h"

/*
 * Fills *proxy and sets *have when a proxy applies to server. opt is --proxy or NULL. Returns
 * 0, or -1 with a one-line reason in err ("https_proxy: port must be a number ...").
 */
int proxyenv_pick(const struct url *server, const char *opt, bool no_proxy, struct url *proxy,
		  bool *have, char *err, size_t errlen);

#endif
