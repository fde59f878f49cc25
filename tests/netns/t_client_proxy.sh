#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_client_proxy: `iphttps connect` through real HTTP proxies from Debian ([MS-IPHTTPS] §1.3,
# §3.1.5.1: CONNECT, then the usual exchange; proxy authentication).
#
#   c1 192.0.2.10 ---- gw 192.0.2.1
#                        :3128 tinyproxy, open              (Allow, ConnectPort 443)
#                        :3129 tinyproxy, BasicAuth iphuser s3cret
#                        :3131 squid, Basic auth iphuser s3cret (407 on wrong credentials)
#                        :3130 stubgw.py proxy-200-reset (200, then a reset in mid-handshake)
#                        :443  iphttpsd on 192.0.2.1 and on 203.0.113.1 (lo)
#          203.0.113.2:443  stubgw.py silent (a TLS server that never answers), behind tinyproxy
#
# The proxies resolve gw.iphttps.example to 203.0.113.1, which c1 cannot reach (no route), and
# the client resolves it to 192.0.2.1. So the gateway sees a proxied client coming from
# 203.0.113.1 and a direct one from 192.0.2.10: its client list tells which way the client went.
# proxyonly.iphttps.example is known to the proxies only: the client must leave resolution to
# the proxy.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init

topo_up c1
n gw ip addr add 203.0.113.1/32 dev lo || bail "203.0.113.1 on gw"
n gw ip addr add 203.0.113.2/32 dev lo || bail "203.0.113.2 on gw"
make_ca ca "iphttps test CA" || bail "make_ca"
make_leaf gw ca "DNS:$GW_NAME,DNS:proxyonly.iphttps.example,IP:192.0.2.1" || bail "make_leaf"
gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key" "listen 203.0.113.1:443"
gw_start

hosts_write "$WORK/px-hosts" "203.0.113.1 $GW_NAME proxyonly.iphttps.example" \
	"203.0.113.2 silent.iphttps.example"
tinyproxy_start px gw "$WORK/px-hosts" 192.0.2.1 3128 || bail "tinyproxy (open)"
tinyproxy_start pxa gw "$WORK/px-hosts" 192.0.2.1 3129 "BasicAuth iphuser s3cret" ||
	bail "tinyproxy (auth)"
squid_start sq gw "$WORK/px-hosts" 192.0.2.1 3131 iphuser s3cret || bail "squid"
stub_start prst gw --listen 192.0.2.1:3130 --mode proxy-200-reset || bail "stub proxy"
stub_start silent gw --listen 203.0.113.2:443 --mode silent || bail "silent stub"
check_not "c1 has no route to 203.0.113.1 (only a proxy gets there)" \
	n c1 ip route get 203.0.113.1

URL=https://$GW_NAME/IPHTTPS
CA=(--ca "$WORK/ca.crt")
PX=http://192.0.2.1:3128

# shellcheck disable=SC2317 # called through wait_for
# remotes: the remote address:port of every client the gateway lists, one a line.
remotes() {
	ctl --json clients | "$PY" -c '
import json, sys
for c in json.load(sys.stdin):
    print(c["remote"])'
}

# up_via NAME TUN 'WHAT' REMOTE-REGEX: the client NAME (started already) reaches state=up and the
# gateway lists one client, from REMOTE-REGEX.
up_via() {
	local name=$1 tun=$2 what=$3 re=$4
	if client_wait "$tun" up 15; then
		_ok "$what: state=up"
	else
		_not_ok "$what: state=up"
		sed 's/^/#   | /' "$CST/$tun.status" 2>/dev/null
		client_log "$name" 15
	fi
	check "$what: the gateway sees the client from $re" \
		wait_for "remotes | grep -Eq '^$re:[0-9]+\$'" 5
}

# stop_client NAME: SIGTERM, exit 0, and the gateway has no client left.
stop_client() {
	stop_bg "$1" TERM
	check_eq "$1: SIGTERM: exit 0" 0 "$?"
	wait_for "[ \"\$(stat_get clients)\" = 0 ]" 5 || echo "# the gateway still lists a client"
}

# --- an open proxy (--proxy)
client_start p1 c1 "${CA[@]}" --proxy "$PX" --tun ipp1 --retry-base 1 --retry-max 2 "$URL"
up_via p1 ipp1 "--proxy (tinyproxy, open)" '203\.0\.113\.1'
check_match "--proxy: the state file names the proxy" '192\.0\.2\.1:3128' \
	"$(client_state ipp1 proxy)"
check_grep "--proxy: tinyproxy logged the CONNECT to $GW_NAME:443" \
	"Request .*CONNECT $GW_NAME:443 " "$WORK/px.log"
check "--proxy: the gateway's link address 2001:db8:1:1000::1 answers through the tunnel" \
	wait_for "n c1 ping -6 -c 1 -W 1 2001:db8:1:1000::1" 10

# --- the proxy dies: the tunnel goes, the client retries against the dead proxy (refused),
# and comes back by itself when the proxy does.
{ stop_bg px KILL; } 2>/dev/null # no "Killed" line from bash
check "proxy killed: the client retries and is refused: backoff, 0x274D" \
	client_wait_err ipp1 0x274D 10
check_lasterr "proxy killed: status file and status --json: LastErrorCode 0x274D" ipp1 0x274D
tinyproxy_start px gw "$WORK/px-hosts" 192.0.2.1 3128 || bail "tinyproxy restart"
check "proxy back: the client is up again on its own" client_wait ipp1 up 10
check_lasterr "proxy back: LastErrorCode 0x0" ipp1 0x0
stop_client p1

# --- a name only the proxy can resolve
client_start p2 c1 "${CA[@]}" --proxy "$PX" --tun ipp2 https://proxyonly.iphttps.example/IPHTTPS
up_via p2 ipp2 "a URL name only the proxy resolves" '203\.0\.113\.1'
stop_client p2

# --- authentication
client_start p3 c1 "${CA[@]}" --proxy http://iphuser:s3cret@192.0.2.1:3129 --tun ipp3 "$URL"
up_via p3 ipp3 "tinyproxy BasicAuth, right credentials" '203\.0\.113\.1'
check_not "the password is not in the (world-readable) state file" grep -q s3cret "$CST/ipp3.status"
check_not "...nor in iphttps status --json" grep -q s3cret <(client_status --json ipp3 2>&1)
stop_client p3

client_once ipp4 c1 "${CA[@]}" --proxy http://192.0.2.1:3129 "$URL"
check_lasterr "tinyproxy BasicAuth, no credentials (407): LastErrorCode 0x80190197" ipp4 0x80190197

client_once ipp5 c1 "${CA[@]}" --proxy http://iphuser:wrong@192.0.2.1:3131 "$URL"
check_grep "squid answered the wrong credentials with 407" 'TCP_DENIED/407 .*CONNECT' \
	"$WORK/sq.access.log"
check_lasterr "squid Basic auth, wrong credentials (407): LastErrorCode 0x80190197" ipp5 0x80190197

client_start p6 c1 "${CA[@]}" --proxy http://iphuser:s3cret@192.0.2.1:3131 --tun ipp6 "$URL"
up_via p6 ipp6 "squid Basic auth, right credentials" '203\.0\.113\.1'
stop_client p6

# Debian 12's tinyproxy (1.11.1) answers wrong credentials with 401, not 407 (tinyproxy issue
# #532, fixed upstream after 1.11.1): any status S other than 200 and 407 is 0x80190000 | S.
client_once ipp7 c1 "${CA[@]}" --proxy http://iphuser:wrong@192.0.2.1:3129 "$URL"
check_lasterr "tinyproxy BasicAuth, wrong credentials (its 401): LastErrorCode 0x80190191" \
	ipp7 0x80190191

# --- a proxy that resets the connection in the middle of the TLS handshake
client_start p8 c1 "${CA[@]}" --proxy http://192.0.2.1:3130 --tun ipp8 --retry-base 1 \
	--retry-max 2 "$URL"
check "proxy reset in mid-handshake: the client retries (a second CONNECT)" \
	wait_for "[ \"\$(stub_count prst REQ)\" -ge 2 ]" 10
check_grep "...the stub did reset after the client's first handshake bytes" \
	'^SENT 1 200 then reset after [1-9][0-9]* bytes' "$WORK/prst.out"
client_wait ipp8 backoff 5
check_lasterr "proxy reset in mid-handshake: LastErrorCode 0x2746 (WSAECONNRESET)" ipp8 0x2746
stop_client p8

# --- tinyproxy killed while the client's TLS handshake through it hangs (the server behind it
# never answers): the client must notice at once, not at a handshake timeout, then retry
# against the dead proxy (refused) and come back when it does.
client_start p12 c1 "${CA[@]}" --proxy "$PX" --tun ipp12 --retry-base 1 --retry-max 2 \
	https://silent.iphttps.example/IPHTTPS
check "killed mid-handshake: the ClientHello went through tinyproxy to the silent server" \
	wait_for "grep -q '^RECV 1 ' '$WORK/silent.out'" 10
check_eq "killed mid-handshake: the client is still connecting" connecting \
	"$(client_state ipp12 state)"
{ stop_bg px KILL; } 2>/dev/null # no "Killed" line from bash
check "killed mid-handshake: the client notices within 2 s (state=backoff)" \
	client_wait ipp12 backoff 1.5
check_lasterr "killed mid-handshake: LastErrorCode 0x2746 (WSAECONNRESET)" ipp12 0x2746
check "killed mid-handshake: then the retries are refused: 0x274D" \
	client_wait_err ipp12 0x274D 10
stop_client p12
tinyproxy_start px gw "$WORK/px-hosts" 192.0.2.1 3128 || bail "tinyproxy restart"

# --- the environment: https_proxy honoured, --no-proxy and no_proxy ignoring it
CLIENT_ENV=(https_proxy="$PX")
client_start p9 c1 "${CA[@]}" --tun ipp9 "$URL"
up_via p9 ipp9 "https_proxy=$PX in the environment" '203\.0\.113\.1'
check_match "https_proxy: the state file names the proxy" '192\.0\.2\.1:3128' \
	"$(client_state ipp9 proxy)"
stop_client p9

nconnect=$(grep -c 'Request .*CONNECT' "$WORK/px.log")
client_start p10 c1 "${CA[@]}" --no-proxy --tun ipp10 "$URL"
up_via p10 ipp10 "https_proxy set and --no-proxy: direct" '192\.0\.2\.10'
check_eq "--no-proxy: the state file names no proxy" "" "$(client_state ipp10 proxy)"
check_eq "--no-proxy: tinyproxy saw no new CONNECT" "$nconnect" \
	"$(grep -c 'Request .*CONNECT' "$WORK/px.log")"
stop_client p10

CLIENT_ENV=(https_proxy="$PX" no_proxy="localhost,.iphttps.example")
client_start p11 c1 "${CA[@]}" --tun ipp11 "$URL"
up_via p11 ipp11 "https_proxy set and no_proxy=.iphttps.example: direct" '192\.0\.2\.10'
stop_client p11
CLIENT_ENV=()

check_not "no sanitizer report in the clients' logs" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK"/p[0-9]*.err "$WORK"/*.once.err

finish
