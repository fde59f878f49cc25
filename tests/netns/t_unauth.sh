#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_unauth: the protections for a link anyone may join (Authentication Mode None, issue #4):
# the access policy for unauthenticated tunnels (unauth-allow), client isolation, the ICMPv6
# rate per client, and the per-source limits on connections and handshakes.
#
#   c1 [iphttps, no certificate: unauthenticated] ==TLS==> gw 192.0.2.1    ---> in
#   c2 [iphttps, valid certificate: authenticated] ==TLS==> gw 198.51.100.1     2001:db8:100::10
#        iphttpsd: auth none, client-ca (a certificate is optional and, when valid, lifts the
#        policy), unauth-allow: UDP 500 and ESP to the intranet host, ICMPv6 errors (types 1-4)
#
# An unauthenticated client's scan of the intranet (nmap TCP and UDP, ping) is stopped and
# counted (link.drops.policy) while UDP 500 and ESP reach the host and ICMPv6 errors pass; the
# authenticated client is not restricted. Then, one SIGHUP each: client-to-client traffic with
# and without client-isolation; a ping flood against client-icmp-rate 100; max-conn-per-source 3;
# handshake-rate 20 against a flood of TLS connections, while the other source is unaffected.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init
need_tools nmap socat
topo_up c1 c2 in

URL="https://$GW_NAME/IPHTTPS"
hosts_write "$WORK/cl2-hosts" "198.51.100.1 $GW_NAME"
make_ca ca "iphttps test CA" || bail "make_ca ca"
make_leaf gw ca "DNS:$GW_NAME,IP:192.0.2.1,IP:198.51.100.1" || bail "make_leaf gw"
make_leaf cl2 ca "DNS:client2.iphttps.example" || bail "make_leaf cl2"

# conf LINE...: the base of every phase plus LINEs.
conf() {
	gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key" "auth none" \
		"client-ca $WORK/ca.crt" "client-icmp-rate 100" "$@"
}
POLICY=("unauth-allow to 2001:db8:100::10 proto udp port 500"
	"unauth-allow to 2001:db8:100::10 proto esp"
	"unauth-allow proto icmpv6 type 1-4")
conf "${POLICY[@]}"
gw_start

# --- intranet services: TCP 7001, UDP 500 (IKE), ESP (a raw socket printing what arrives)
start_bg tcp7001 n in socat -T 5 TCP6-LISTEN:7001,reuseaddr,fork SYSTEM:'echo in-7001'
start_bg udp500 n in socat -u UDP6-RECV:500 -
start_bg esp n in "$PY" -u -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50)
s.settimeout(60)
print("LISTEN")
for _ in range(100):
    d, a = s.recvfrom(2048)
    print("ESP %s %s" % (a[0], d[8:].decode("ascii", "replace")))
'
wait_for "n in ss -Hltn 'sport = :7001' | grep -q . && n in ss -Hlun 'sport = :500' | grep -q . &&
	grep -q LISTEN '$WORK/esp.out'" 5 || bail "intranet listeners not up"

# --- the clients
client_start u1 c1 --ca "$WORK/ca.crt" --tun u1 --retry-base 1 "$URL"
client_start_hosts u2 c2 "$WORK/cl2-hosts" --ca "$WORK/ca.crt" --cert "$WORK/cl2.crt" \
	--key "$WORK/cl2.key" --tun u2 --retry-base 1 "$URL"
check "client1 (no certificate) up" client_wait u1 up 10
check "client2 (valid certificate) up" client_wait u2 up 10
check "both have global addresses" wait_for "tun_global c1 u1 && tun_global c2 u2" 10
A1=$(tun_global c1 u1)
A2=$(tun_global c2 u2)
check_eq "clients --json: client1 unauthenticated" "none/" \
	"$(client_json_by c1 u1 auth)/$(client_json_by c1 u1 identity)"
check_eq "clients --json: client2 authenticated by its certificate" \
	"certificate/client2.iphttps.example" \
	"$(client_json_by c2 u2 auth)/$(client_json_by c2 u2 identity)"

# nmap_ports ROLE ARGS...: nmap -6 from ROLE against the intranet host; prints PORT/STATE...
nmap_ports() {
	local role=$1
	shift
	n "$role" nmap -6 -n -Pn --max-retries 0 --max-rtt-timeout 500ms --host-timeout 20s -oG - \
		"$@" 2001:db8:100::10 2>&1 |
		sed -n 's/.*Ports: //p' | tr ',' '\n' |
		awk -F/ '{ gsub(/ /, "", $1); printf "%s/%s ", $1, $2 }' | sed 's/ $//'
}

# esp_send ROLE TEXT: one ESP packet (SPI 0x1000, sequence 1, then TEXT) to the intranet host.
esp_send() {
	n "$1" "$PY" -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50)
s.sendto(struct.pack("!II", 0x1000, 1) + sys.argv[1].encode(), ("2001:db8:100::10", 0))
' "$2"
}

# --- client1, unauthenticated: only what the policy allows passes
P0=$(stat_get link.drops.policy)
echo "ike-from-c1" | n c1 socat -u - "UDP6-SENDTO:[2001:db8:100::10]:500"
check "client1: UDP to port 500 reaches the intranet host (allowed)" \
	wait_for "grep -q ike-from-c1 '$WORK/udp500.out'" 5
esp_send c1 esp-from-c1
check "client1: ESP reaches the intranet host (allowed)" \
	wait_for "grep -q 'ESP $A1 esp-from-c1' '$WORK/esp.out'" 5
check_eq "client1: nmap -sT finds every TCP port filtered, even the open 7001" \
	"22/filtered 80/filtered 7001/filtered" "$(nmap_ports c1 -sT -p 22,80,7001)"
check_eq "client1: nmap -sU finds UDP 53 open|filtered (no port unreachable comes back)" \
	"53/open|filtered" "$(nmap_ports c1 -sU -p 53)"
check_not "client1: ping -6 the intranet host fails (echo is not allowed)" \
	n c1 ping -6 -c 2 -i 0.2 -W 1 2001:db8:100::10
P1=$(stat_get link.drops.policy)
check_gt "client1: drops counted as policy ($P0 -> $P1: 3 TCP + 1 UDP probes + 2 pings)" \
	"$((P1 - P0))" 5
check "client1: still pings the gateway itself (not subject to the policy)" \
	n c1 ping -6 -c 1 -W 2 2001:db8:1:1000::1
got=$(n in "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], 9))
s.send(b"x")
try:
    s.recv(10)
    print("DATA")
except ConnectionRefusedError:
    print("REFUSED")
except socket.timeout:
    print("TIMEOUT")
' "$A1")
check_eq "client1's ICMPv6 Port Unreachable (type 1) reaches the intranet (allowed)" REFUSED "$got"

# --- client2, authenticated: not restricted
check_eq "client2: nmap -sT finds 7001 open, 22 and 80 closed" "22/closed 80/closed 7001/open" \
	"$(nmap_ports c2 -sT -p 22,80,7001)"
check_eq "client2: nmap -sU finds UDP 53 closed" "53/closed" "$(nmap_ports c2 -sU -p 53)"
check "client2: ping -6 the intranet host" n c2 ping -6 -c 2 -i 0.2 -W 2 2001:db8:100::10
got=$(n c2 sh -c 'timeout 5 socat -T 3 - "TCP6:[2001:db8:100::10]:7001" </dev/null')
check_eq "client2: TCP to 7001 answers" in-7001 "$got"
check_eq "client2's traffic added no policy drop" "$P1" "$(stat_get link.drops.policy)"

# --- client isolation
conf "client-isolation no"
check "SIGHUP: no policy, client-isolation no: reload done" gw_reload
check "client1 pings client2's address (client to client)" \
	n c1 ping -6 -c 2 -i 0.2 -W 2 -I u1 "$A2"
conf "client-isolation yes"
check "SIGHUP: client-isolation yes: reload done" gw_reload
I0=$(stat_get link.drops.isolated)
check_not "client1 can no longer reach client2" n c1 ping -6 -c 2 -i 0.2 -W 1 -I u1 "$A2"
check_gt "...counted as isolated" "$(($(stat_get link.drops.isolated) - I0))" 1
check "client1 still reaches the intranet" n c1 ping -6 -c 1 -W 2 -I u1 2001:db8:100::10

# --- ICMPv6 rate per client (100/s): a ping flood from client1 is cut, client2 is not
R0=$(stat_get link.drops.client_icmp_rate)
start_bg flood2 n c2 ping -6 -q -c 20 -i 0.05 -W 2 -I u2 2001:db8:1:1000::1
n c1 ping -6 -q -c 500 -i 0.002 -W 1 -I u1 2001:db8:1:1000::1 >"$WORK/flood1.out" 2>&1
R1=$(stat_get link.drops.client_icmp_rate)
read -r sent recvd ms < <(awk '/packets transmitted/ { t = $1; r = $4
	for (i = 1; i <= NF; i++) if ($i == "time") m = $(i + 1)
	sub("ms", "", m); print t, r, m }' "$WORK/flood1.out")
echo "# ping flood: $sent sent, $recvd answered in ${ms} ms; client_icmp_rate drops $R0 -> $R1"
# A bucket of 100 tokens refilled at 100/s: at most 100 + 100 per second of the flood pass
# (+20 for rounding and ping's own clock); at least half the refill rate passes (the limit is
# not a block).
max=$((100 + ${ms:-0} / 10 + 20))
check "client1's flood: at most 100 + 100/s answered ($recvd of $sent in ${ms} ms, max $max)" \
	test "${recvd:-0}" -le "$max" -a "${recvd:-0}" -ge $((${ms:-0} / 20))
check "...the rest dropped as client_icmp_rate ($((R1 - R0)) >= $((${sent:-0} - ${recvd:-0})))" \
	test $((R1 - R0)) -ge $((${sent:-0} - ${recvd:-0})) -a "${sent:-0}" -eq 500
wait_for "! pid_alive ${BG_PID[flood2]}" 5
check_grep "...while client2's 20 pings all came back" '20 packets transmitted, 20 received' \
	"$WORK/flood2.out"

# --- per-source limits: connections
stop_bg u1
conf "max-conn-per-source 3" "handshake-rate 0"
check "SIGHUP: max-conn-per-source 3: reload done" gw_reload
check "client1's own client is gone" wait_for "[ \"\$(stat_get clients)\" = 1 ]" 5
C0=$(stat_get connections.refused_source_conn)
# Four connections from client1, opened in order (the gateway accepts them in that order); each
# then waits 1 s for the gateway: OPEN (silent, waiting for a ClientHello) or RESET. Then they
# stay open until this script stops the holder.
start_bg hold n c1 "$PY" -u -c '
import socket, time
socks = []
for _ in range(4):
    try:
        socks.append(socket.create_connection(("192.0.2.1", 443), timeout=3))
    except ConnectionResetError:  # the reset can beat the end of a non-blocking connect
        socks.append(None)
res = []
for s in socks:
    if s is None:
        res.append("RESET")
        continue
    s.settimeout(1)
    try:
        res.append("CLOSED" if s.recv(1) == b"" else "DATA")
    except ConnectionResetError:
        res.append("RESET")
    except socket.timeout:
        res.append("OPEN")
print(" ".join(res))
print("HELD")
time.sleep(20)
'
wait_for "grep -q HELD '$WORK/hold.out'" 10
check_eq "client1's 4th connection is reset, the first 3 stay" "OPEN OPEN OPEN RESET" \
	"$(head -n 1 "$WORK/hold.out")"
check_eq "...counted in connections.refused_source_conn" 1 \
	"$(($(stat_get connections.refused_source_conn) - C0))"
check "...while client2 (another source) still gets 200" \
	raw_200 c2 --sni "$GW_NAME" --read-timeout 0.5
stop_bg hold

# --- per-source limits: handshakes per second
conf "handshake-rate 20"
check "SIGHUP: handshake-rate 20: reload done" gw_reload
H0=$(stat_get connections.refused_source_rate)
# TLS connections from client1 as fast as it can for 2 s (thousands; at most 20000).
start_bg hflood n c1 "$PY" -u -c '
import socket, ssl, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ok = reset = other = 0
t0 = time.monotonic()
while time.monotonic() - t0 < 2.0 and ok + reset + other < 20000:
    try:
        with socket.create_connection(("192.0.2.1", 443), timeout=2) as s:
            with ctx.wrap_socket(s, server_hostname="gw.iphttps.example"):
                ok += 1
    except (ConnectionResetError, BrokenPipeError):
        reset += 1
    except (OSError, ssl.SSLError):
        other += 1
print("%d %d %d %d" % (ok, reset, other, (time.monotonic() - t0) * 1000))
'
client_start_hosts u3 c2 "$WORK/cl2-hosts" --ca "$WORK/ca.crt" --tun u3 --retry-base 1 "$URL"
check "during client1's handshake flood a new client from client2 comes up" client_wait u3 up 10
check "...and client2's first tunnel stays up" test "$(client_state u2 state)" = up
wait_for "! pid_alive ${BG_PID[hflood]}" 10
read -r hok hreset hother hms <"$WORK/hflood.out"
H1=$(stat_get connections.refused_source_rate)
echo "# handshake flood: $hok completed, $hreset reset, $hother other errors in ${hms} ms"
hmax=$((20 + ${hms:-0} * 20 / 1000 + 3))
check "flood: at most 20 + 20/s handshakes completed ($hok in ${hms} ms, max $hmax)" \
	test "${hok:-999}" -le "$hmax" -a "${hok:-0}" -ge 20
check_gt "flood: most attempts were reset" "${hreset:-0}" $((${hok:-0} * 2))
check_eq "flood: every reset counted in connections.refused_source_rate" "$hreset" "$((H1 - H0))"
check_eq "flood: no other errors" 0 "$hother"
client_start u1b c1 --ca "$WORK/ca.crt" --tun u1 --retry-base 1 "$URL"
check "after the flood client1 connects again" client_wait u1 up 10

check_not "no sanitizer report in the clients' logs" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK/u1.err" "$WORK/u2.err" "$WORK/u3.err" "$WORK/u1b.err"
finish
