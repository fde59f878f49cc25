#!/bin/bash
# SPDX-License-Identifier: ISC
#
# tests/netns/demo.sh BUILD_DIR: shows a person, step by step, an IP-HTTPS client reaching an
# intranet host through iphttpsd, in throw-away network namespaces (root). Every command is
# printed before it runs; any failing step stops the demo with a non-zero exit.
#
#   client (192.0.2.10) ==HTTPS 443==> gateway (192.0.2.1, iphttpsd) ---> intranet host
#   tun0: 2001:db8:1:1000:<random>/64       iphttps0: 2001:db8:1:1000::1     2001:db8:100::10
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

BOLD=
PLAIN=
if [ -t 1 ]; then
	BOLD=$(tput bold 2>/dev/null || true)
	PLAIN=$(tput sgr0 2>/dev/null || true)
fi
STEP=0

say() {
	STEP=$((STEP + 1))
	printf '\n%s== %d. %s%s\n' "$BOLD" "$STEP" "$*" "$PLAIN"
}

# show ROLE CMD...: print the command as typed in that machine, run it, stop the demo on failure.
show() {
	local role=$1
	shift
	local who
	case $role in c1) who=client ;; gw) who=gateway ;; in) who=intranet ;; *) who=$role ;; esac
	printf '%s[%s]$ %s%s\n' "$BOLD" "$who" "$*" "$PLAIN"
	if ! n "$role" "$@"; then
		echo "demo: this step failed" >&2
		gw_log 20
		exit 1
	fi
}

say "Three network namespaces: a client on the Internet side, the gateway, an intranet host."
topo_up c1 in
echo "client 192.0.2.10 --- 192.0.2.1 gateway 2001:db8:100::1 --- 2001:db8:100::10 intranet"

say "The gateway's configuration (a self-signed certificate is made in its state-dir)."
gw_config
sed -n '/^[a-z]/p' "$WORK/gw.conf"

say "Start iphttpsd in the gateway namespace and wait for its control socket."
gw_start
show gw "$BUILD/iphttpsctl" -s "$SOCK" show

say "The client connects: TLS to 192.0.2.1:443, POST /IPHTTPS, 200 OK, then a TUN device."
echo "${BOLD}[client]$ tests/peers/tlspeer.py tun --connect 192.0.2.1:443 --tun tun0 &${PLAIN}"
peer_tun p1 c1 || { echo "demo: the client did not connect" >&2; exit 1; }
sed 's/^/  /' "$WORK/p1.out"

say "The client's kernel autoconfigures an address from the gateway's Router Advertisement."
wait_for "peer_global c1" 10 || { echo "demo: no address from the RA" >&2; exit 1; }
show c1 ip -6 addr show dev tun0
show c1 ip -6 route show dev tun0

say "Ping the intranet host through the tunnel."
show c1 ping -6 -c 3 -i 0.3 2001:db8:100::10

say "An HTTP GET from the client to a web server on the intranet host."
mkdir -p "$WORK/www"
echo "hello from the intranet host 2001:db8:100::10" >"$WORK/www/index.html"
echo "${BOLD}[intranet]$ python3 -m http.server --bind 2001:db8:100::10 8080 &${PLAIN}"
start_bg www n in "$PY" -m http.server --bind 2001:db8:100::10 --directory "$WORK/www" 8080
wait_for "n in ss -Hltn 'sport = :8080' | grep -q ." 5 || { echo "demo: web server" >&2; exit 1; }
show c1 curl -sS --max-time 5 "http://[2001:db8:100::10]:8080/"

say "What the gateway knows about its clients."
show gw "$BUILD/iphttpsctl" -s "$SOCK" clients

say "The gateway's log of this session."
grep -E 'link up|listening|closed' "$WORK/gw.err" | sed 's/^/  /'

say "Done: the namespaces, processes and files are removed on exit."
