#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_tunnel: one client through the IP-HTTPS tunnel to an intranet host and back.
#
#   c1 (tlspeer.py tun, kernel SLAAC) ==TLS==> gw (iphttpsd) ---> in (2001:db8:100::10)
#
# The client's own kernel does the IPv6 work: link-local address, RS, SLAAC from the gateway's
# RA, default route via fe80::1. Then ping, TCP both ways, the control socket's view of it, and
# the gateway's own addresses on the link.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 in
gw_start
check "gateway created its TUN iphttps0" n gw ip link show iphttps0

peer_tun p1 c1 || bail "client1 peer not READY"
check_grep "client1 got 200 to its POST" '^STATUS HTTP/1\.1 200 ' "$WORK/p1.out"
check "client1 tun0 gets a global address in 2001:db8:1:1000::/64 from the gateway's RA" \
	wait_for "peer_global c1" 10
A1=$(peer_global c1) || bail "no global address on client1"
echo "# client1: $A1"
check_match "client1 has a default route via fe80::1 on tun0 (router lifetime > 0)" \
	'^default via fe80::1 dev tun0' "$(n c1 ip -6 route show default)"

# --- ICMPv6 through the tunnel
check "ping -6 -c 3 intranet 2001:db8:100::10 from client1" \
	n c1 ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::10
check "a full-size 1280-byte packet crosses the tunnel (ping -s 1232 -M do)" \
	n c1 ping -6 -c 1 -W 2 -s 1232 -M "do" 2001:db8:100::10
check "the intranet pings client1's global address" n in ping -6 -c 2 -i 0.2 -W 2 "$A1"
n in ping -6 -c 1 -W 2 -s 1400 -M "do" "$A1" >"$WORK/ptb.out" 2>&1
check_grep "a 1448-byte packet from the intranet gets Packet Too Big, mtu 1280" \
	'[Pp]acket too big.*mtu[= ]1280' "$WORK/ptb.out"
check "then the intranet's 1448-byte ping arrives fragmented to fit" \
	n in ping -6 -c 1 -W 2 -s 1400 "$A1"

# --- TCP, client -> intranet
# shellcheck disable=SC2016 # $l is for the shell socat runs
start_bg srv_in n in socat -T 5 TCP6-LISTEN:7001,reuseaddr SYSTEM:'read l; echo "in-got-$l"'
wait_for "n in ss -Hltn 'sport = :7001' | grep -q ." 5 || bail "intranet listener not up"
got=$(n c1 sh -c 'echo hello-from-c1 | timeout 10 socat -t 5 -T 5 - "TCP6:[2001:db8:100::10]:7001"')
check_eq "TCP client1 -> intranet: line exchanged" "in-got-hello-from-c1" "$got"

# --- TCP, intranet -> client (the reply must come back through the gateway)
# shellcheck disable=SC2016 # $l is for the shell socat runs
start_bg srv_c1 n c1 socat -T 5 TCP6-LISTEN:7002,reuseaddr SYSTEM:'read l; echo "c1-got-$l"'
wait_for "n c1 ss -Hltn 'sport = :7002' | grep -q ." 5 || bail "client listener not up"
got=$(n in sh -c "echo hello-from-in | timeout 10 socat -t 5 -T 5 - 'TCP6:[$A1]:7002'")
check_eq "TCP intranet -> client1 global address: line exchanged" "c1-got-hello-from-in" "$got"

# --- bulk data both ways: packets cut across TLS records and TCP segments must survive
head -c 4194304 /dev/urandom >"$WORK/blob"
SUM=$(sha256sum <"$WORK/blob" | cut -d' ' -f1)
start_bg srv_sum n in socat -T 10 TCP6-LISTEN:7004,reuseaddr SYSTEM:sha256sum
start_bg srv_blob n in socat -T 10 TCP6-LISTEN:7005,reuseaddr "OPEN:$WORK/blob,rdonly"
wait_for "n in ss -Hltn 'sport = :7004 or sport = :7005' | grep -c . | grep -qx 2" 5 ||
	bail "intranet bulk listeners not up"
got=$(n c1 timeout 30 socat -t 10 -T 10 - "TCP6:[2001:db8:100::10]:7004" <"$WORK/blob" | cut -d' ' -f1)
check_eq "4 MiB client1 -> intranet arrive intact (sha256)" "$SUM" "$got"
got=$(n c1 timeout 30 socat -u -T 10 "TCP6:[2001:db8:100::10]:7005" - | sha256sum | cut -d' ' -f1)
check_eq "4 MiB intranet -> client1 arrive intact (sha256)" "$SUM" "$got"

# --- the control socket's view
ctl --json clients >"$WORK/clients.json" 2>&1
check "iphttpsctl clients --json is valid JSON" "$PY" -m json.tool "$WORK/clients.json"
check "clients --json lists client1 with its global address, up, bytes both ways > 0" "$PY" -c '
import json, sys
cl = json.load(open(sys.argv[1]))
me = [c for c in cl if sys.argv[2] in c["addresses"]]
assert len(me) == 1, "no client with %s in %s" % (sys.argv[2], cl)
c = me[0]
assert c["remote"].startswith("192.0.2.10:"), c["remote"]
assert c["state"] == "up", c["state"]
assert c["transport"] == "tls", c["transport"]
assert c["tls"].startswith("TLSv1."), c["tls"]
assert c["bytes_in"] > 0 and c["bytes_out"] > 0, c
assert c["packets_in"] > 0 and c["packets_out"] > 0, c
assert any(a.startswith("fe80::") for a in c["addresses"]), c["addresses"]
' "$WORK/clients.json" "$A1"
check_gt "show: link.to_tun > 0" "$(stat_get link.to_tun)" 0
check_gt "show: link.from_tun > 0" "$(stat_get link.from_tun)" 0
check_eq "show: clients = 1" 1 "$(stat_get clients)"

# --- the gateway's own addresses on the link
check "client1 pings the gateway at 2001:db8:1:1000::1" \
	n c1 ping -6 -c 2 -i 0.2 -W 2 2001:db8:1:1000::1
check "client1 pings the gateway at fe80::1%tun0" n c1 ping -6 -c 2 -i 0.2 -W 2 fe80::1%tun0
check_gt "show: link.echo > 0" "$(stat_get link.echo)" 0

# --- the client leaves: its addresses are forgotten
stop_bg p1 TERM
check "client1 peer exits 0 on SIGTERM" test $? -eq 0
check "the gateway drops client1 from its table" wait_for "[ \"\$(stat_get clients)\" = 0 ]" 5
n in ping -6 -c 1 -W 2 "$A1" >"$WORK/gone.out" 2>&1
check_grep "the intranet now gets Destination Unreachable for client1's old address" \
	'[Uu]nreachable' "$WORK/gone.out"

finish
