#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_client: the real client, `iphttps connect`, against the real gateway.
#
#   c1 [iphttps connect, TUN ipc0] ==TLS, CA-verified==> gw [iphttpsd] ---> in 2001:db8:100::10
#
# 1. By name: the URL names gw.iphttps.example, which only the client's private hosts file
#    resolves (192.0.2.1); the gateway's certificate, from a test CA given with --ca, has that
#    name in its subjectAltName. The link comes up; status (file, human, JSON) says so; the
#    gateway lists the client; the RA's Route Information (2001:db8:100::/48 via fe80::1)
#    arrives, and no default route without --default-route; ping and TCP reach the intranet.
# 2. The gateway restarts: the client sees the link go, fails against the closed port
#    (WSAECONNREFUSED) and comes back on its own (--retry-base 1 --retry-max 3); traffic flows.
# 3. SIGTERM: exit 0, state stopped, the TUN is gone, the gateway drops the client.
# 4. By IP literal (certificate with an IP SAN) with --default-route: up, default via fe80::1.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init

topo_up c1 in
make_ca ca "iphttps test CA" || bail "make_ca"
make_leaf gw ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf gw"
gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key"
gw_start

check "setup: $GW_NAME resolves in the client's view (private hosts file, files only)" \
	client_ns c1 getent hosts "$GW_NAME"
check_not "setup: the host's /etc/hosts is not touched" grep -q 'iphttps\.example' /etc/hosts

URL=https://$GW_NAME/IPHTTPS
T=ipc0
client_start cl c1 --ca "$WORK/ca.crt" --tun "$T" --retry-base 1 --retry-max 3 -v "$URL"
if ! client_wait "$T" up 15; then
	client_log cl 30
	bail "the client did not come up"
fi
_ok "the client reaches state=up by name ($URL, certificate verified against --ca)"

# --- what the client says about itself
check_eq "status file: interface" "$T" "$(client_state "$T" interface)"
check_eq "status file: url" "$URL" "$(client_state "$T" url)"
check_eq "status file: server is the address the name resolved to" 192.0.2.1:443 \
	"$(client_state "$T" server)"
check_lasterr "status file and status --json: LastErrorCode 0x0" "$T" 0x0
check_eq "status file: failures 0" 0 "$(client_state "$T" failures)"
check_eq "status file: no proxy" "" "$(client_state "$T" proxy)"
check_match "status file: tls names the protocol and suite" '^TLSv1\.[23] [A-Z0-9_-]+$' \
	"$(client_state "$T" tls)"
check_eq "status file: pid is the client's" "${BG_PID[cl]}" "$(client_state "$T" pid)"
check "iphttps status exits 0 when up" client_status "$T"
client_status "$T" >"$WORK/status.txt" 2>&1
check_grep "iphttps status says 'IPHTTPS interface active'" 'IPHTTPS interface active' \
	"$WORK/status.txt"
check_grep "iphttps status shows LastErrorCode 0x0" '0x0\b' "$WORK/status.txt"
client_status --json "$T" >"$WORK/status.json" 2>&1
check "iphttps status --json: up, 0x0, 'IPHTTPS interface active', running" "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["interface"] == sys.argv[2], j
assert j["state"] == "up", j
assert j["interface_status"] == "IPHTTPS interface active", j
assert j["last_error_code"] == 0 and int(j["last_error"], 16) == 0, j
assert j["running"] is True, j
assert j["url"] == sys.argv[3], j
assert j["failures"] == 0, j
' "$WORK/status.json" "$T" "$URL"

# --- the link as the kernel sees it
check_grep "TUN $T is up with MTU 1280" 'mtu 1280' <(n c1 ip link show dev "$T" up)
# global_addr: the client's global address in the link prefix on $T (not tentative), or fail.
global_addr() {
	n c1 ip -6 -o addr show dev "$T" scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:1000:/ && !/tentative/ { sub("/.*", "", $4); print $4; exit }' |
		grep .
}
check "$T gets a global address in 2001:db8:1:1000::/64 from the gateway's RA" \
	wait_for global_addr 10
check "the RA's route 2001:db8:100::/48 via fe80::1 dev $T is installed" \
	wait_for "n c1 ip -6 route show 2001:db8:100::/48 | grep -q 'via fe80::1 dev $T'" 10
check_eq "no default route without --default-route" "" "$(n c1 ip -6 route show default)"
ctl --json clients >"$WORK/clients.json" 2>&1
check "the gateway lists the client (from 192.0.2.10, up, tls)" "$PY" -c '
import json, sys
cl = json.load(open(sys.argv[1]))
me = [c for c in cl if c["remote"].startswith("192.0.2.10:")]
assert len(me) == 1, cl
assert me[0]["state"] == "up" and me[0]["transport"] == "tls", me
' "$WORK/clients.json"

# --- traffic to the intranet
check "ping -6 the intranet host 2001:db8:100::10 through the tunnel" \
	n c1 ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::10
# shellcheck disable=SC2016 # $l is for the shell socat runs
start_bg srv_in n in socat -T 5 TCP6-LISTEN:7001,reuseaddr,fork SYSTEM:'read l; echo "in-got-$l"'
wait_for "n in ss -Hltn 'sport = :7001' | grep -q ." 5 || bail "intranet listener not up"
# tcp_line WORD: WORD sent from c1 to the intranet's line server, its answer printed.
tcp_line() {
	n c1 sh -c "echo $1 | timeout 5 socat -t 2 -T 2 - 'TCP6:[2001:db8:100::10]:7001'"
}
check_eq "TCP client -> intranet: a line each way" "in-got-hello-from-c1" \
	"$(tcp_line hello-from-c1)"
A1=$(global_addr)
check "the intranet pings the client's global address $A1" n in ping -6 -c 2 -i 0.2 -W 2 "$A1"

# --- the gateway restarts: the client notices, fails, and comes back on its own
stop_bg gw TERM
check "while the gateway is down the client retries and is refused: backoff, 0x274D" \
	client_wait_err "$T" 0x274D 10
check_lasterr "...status file and status --json: LastErrorCode 0x274D (WSAECONNREFUSED)" "$T" 0x274D
check_gt "...and failures counted" "$(client_state "$T" failures)" 0
check_not "...and iphttps status exits non-zero" client_status "$T"
gw_start
check "after the gateway restarts the client is up again on its own" client_wait "$T" up 15
check_eq "...with failures back to 0" 0 "$(client_state "$T" failures)"
check_lasterr "...and LastErrorCode back to 0x0" "$T" 0x0
check "...and the intranet host answers again" \
	wait_for "n c1 ping -6 -c 1 -W 1 2001:db8:100::10" 15
# shellcheck disable=SC2016 # wait_for evaluates it
check "...TCP too" wait_for '[ "$(tcp_line again)" = in-got-again ]' 10

# --- SIGTERM
stop_bg cl TERM
check_eq "SIGTERM: the client exits 0" 0 "$?"
check_eq "SIGTERM: state=stopped" stopped "$(client_state "$T" state)"
check_not "SIGTERM: TUN $T is gone" n c1 ip link show dev "$T"
check_not "SIGTERM: iphttps status exits non-zero" client_status "$T"
check "SIGTERM: the gateway drops the client" wait_for "[ \"\$(stat_get clients)\" = 0 ]" 5

# --- by IP literal, with --default-route
T=ipc1
client_start cl2 c1 --ca "$WORK/ca.crt" --tun "$T" --default-route --retry-base 1 \
	--retry-max 3 https://192.0.2.1/IPHTTPS
client_wait "$T" up 15 || client_log cl2 20
check_eq "by IP literal (certificate with IP SAN 192.0.2.1): state=up" up \
	"$(client_state "$T" state)"
check_grep "by IP literal: the client warns about it (Windows refuses IP literals, 0x4BE)" \
	'\[warn[a-z]*\].*192\.0\.2\.1' "$WORK/cl2.err"
check "--default-route: default via fe80::1 dev $T" \
	wait_for "n c1 ip -6 route show default | grep -q '^default via fe80::1 dev $T'" 10
check "--default-route: the RA's 2001:db8:100::/48 route is there too" \
	wait_for "n c1 ip -6 route show 2001:db8:100::/48 | grep -q 'via fe80::1 dev $T'" 10
check "ping -6 the intranet host by IP-literal URL" \
	wait_for "n c1 ping -6 -c 1 -W 1 2001:db8:100::10" 10
stop_bg cl2 TERM
check_eq "SIGTERM: exit 0" 0 "$?"
check_not "SIGTERM: TUN $T and its default route are gone" n c1 ip link show dev "$T"
check_eq "no default route is left behind" "" "$(n c1 ip -6 route show default)"

# --null-ciphers: offer only TLS_RSA_WITH_NULL_SHA256/NULL_SHA first, as Windows 8+ clients do.
# This gateway runs the default profile (modern, no NULL suites), which resets the connection
# rather than sending an alert, and the client must retry AT ONCE with its encrypted list
# (ms-iphttps.md §3.4), not after the 30 s backoff it is given here. (The profiles themselves
# are t_tlsprofile's.)
client_start cl3 c1 --ca "$WORK/ca.crt" --tun "$T" --null-ciphers --retry-base 30 -v "$URL"
check "--null-ciphers: up within 5 s although the 30 s backoff would apply" client_wait "$T" up 5
check_grep "--null-ciphers: the NULL attempt was reset (0x2746), not refused by an alert" \
	'0x2746' "$WORK/cl3.err"
check_not "--null-ciphers: no 0x80090326/0x80090331 alert error on the way" \
	grep -qE '0x8009032[6]|0x80090331' "$WORK/cl3.err"
check_not "--null-ciphers: the link runs on an encrypted suite" \
	grep -q NULL <<<"$(client_state "$T" tls)"
stop_bg cl3 TERM
check_eq "--null-ciphers: SIGTERM, exit 0" 0 "$?"

check_not "no sanitizer report in the client's log" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK/cl.err" "$WORK/cl2.err" "$WORK/cl3.err"

finish
