#!/bin/sh
# SPDX-License-Identifier: ISC
#
# tools/deps.sh check|demo|bench
#
# Installs the Debian 12 packages that `make check` (check), `make demo` (demo) or `make bench`
# (bench) needs, and only
# those missing according to dpkg-query. `apt-get update` runs only when something is missing.
# Not root and something missing: says what and exits 1. Nothing missing: exits 0 quietly, so it
# is cheap to run before every `make check`.
set -eu

usage() {
	echo "usage: $0 check|demo|bench" >&2
	exit 2
}

[ $# -eq 1 ] || usage

# What each package is for:
#   gcc make libc6-dev libssl-dev    the programs (build-essential pulls in g++ and dpkg-dev
#                                    we do not need)
#   libcmocka-dev                    unit tests
#   clang-format git                 make format-check (the layout of every tracked C file)
#   clang libclang-rt-14-dev         libFuzzer: on Debian 12 clang's -fsanitize=fuzzer links
#                                    libclang_rt.fuzzer-x86_64.a (and the ASan/UBSan runtimes),
#                                    shipped in libclang-rt-14-dev, which the clang package
#                                    neither depends on nor recommends
#   python3                          tests/peers/tlspeer.py (tun mode: standard library only),
#                                    the demo's web server
#   python3-scapy                    tlspeer.py raw mode (crafted packets, packet summaries)
#   iproute2 iputils-ping procps     namespaces, veth, ss, ping, sysctl, ps
#   socat                            TCP exchanges through the tunnel
#   ncat                             a second TCP tool for hand debugging (nmap's netcat)
#   openssl                          test certificates, s_client fingerprints
#   nmap                             t_nmap.sh (ip-https-discover)
#   tcpdump                          t_link_rules.sh: what reaches the intranet
#   curl                             demo: an HTTP GET through the tunnel; t_client_portproxy.sh:
#                                    an IPv4-only application through a port proxy
#   tinyproxy squid                  t_client_proxy.sh: real HTTP proxies (CONNECT, Basic auth);
#                                    squid because Debian 12's tinyproxy answers wrong credentials
#                                    with 401 instead of 407. The tests run their own instances in
#                                    network namespaces; on a machine with systemd the packages
#                                    also enable their own services (tinyproxy on 8888, squid on
#                                    3128), which the tests neither need nor touch
#   haproxy                          t_haproxy.sh: TLS offload (HTTP mode, PROXY v2 with the SSL
#                                    TLVs) and passthrough (PROXY v2) in front of iphttpsd; the
#                                    package's own service has no frontend and is not touched
#   sslscan testssl.sh               t_tlsprofile.sh: the TLS profiles audited by real scanners
#                                    (sslscan for every profile, testssl.sh as a second opinion)
#   nginx                            t_probe.sh: a web server that is not an IP-HTTPS server, in
#                                    place of the gateway (Debian 12's nginx package is the full
#                                    binary, TLS included; nginx-light only adds a module). The
#                                    test runs its own instance; the package's service, enabled on
#                                    a machine with systemd (port 80), is not touched
#   iperf3                           bench: TCP throughput and the small-packet rate
#   ocserv openconnect               bench: the open-source TLS tunnel compared side by side (the
#                                    bench runs its own ocserv in a namespace; the package's
#                                    service, enabled on a machine with systemd, is not touched)
BUILD_PKGS="gcc make libc6-dev libssl-dev"
NET_PKGS="python3 iproute2 iputils-ping procps socat openssl"

case "$1" in
check)
	PKGS="$BUILD_PKGS libcmocka-dev clang clang-format libclang-rt-14-dev git $NET_PKGS python3-scapy nmap ncat tcpdump curl tinyproxy squid haproxy sslscan testssl.sh nginx"
	;;
demo)
	PKGS="$BUILD_PKGS $NET_PKGS curl"
	;;
bench)
	PKGS="$BUILD_PKGS $NET_PKGS iperf3 ocserv openconnect"
	;;
*)
	usage
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "$0: dpkg-query not found: this script knows Debian (12) only; install by hand:" >&2
	echo "  $PKGS" >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: missing packages:$missing" >&2
	echo "$0: run as root, or: apt-get install$missing" >&2
	exit 1
fi

echo "$0: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing

# Check again: a package that apt could not find must not pass silently.
still=""
for p in $missing; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || still="$still $p"
done
if [ -n "$still" ]; then
	echo "$0: still missing after apt-get install:$still" >&2
	exit 1
fi
