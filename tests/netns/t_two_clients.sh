#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_two_clients: two clients on the one IP-HTTPS link reach each other directly.
#
#   c1 (192.0.2.10) ==TLS==> gw 192.0.2.1:443 / 198.51.100.1:443 <==TLS== c2 (198.51.100.10)
#                             |
#                             in (2001:db8:100::10, the intranet)
#
# Both share 2001:db8:1:1000::/64 with random interface identifiers; the gateway steers a
# packet for one client's address down that client's connection (peer_to_peer), never through
# its TUN. A client's global address is reachable before the client has sent anything from it:
# the gateway holds the first packet and finds the owner with a unicast NS to every client
# (RFC 4861 §7.2.2; a Linux client on a TUN device skips DAD, so nothing announced it).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 c2 in
gw_start

peer_tun p1 c1 || bail "client1 peer not READY"
peer_tun p2 c2 || bail "client2 peer not READY"
check "client1 gets a global address" wait_for "peer_global c1" 10
check "client2 gets a global address" wait_for "peer_global c2" 10
A1=$(peer_global c1) || bail "no global address on client1"
A2=$(peer_global c2) || bail "no global address on client2"
echo "# client1: $A1  client2: $A2"
check "the two clients chose different addresses" test "$A1" != "$A2"

# --- neighbour resolution: before either client has sent from its global address
check_not "the gateway does not know client1's global address yet" ctl_owner "$A1"
check_not "the gateway does not know client2's global address yet" ctl_owner "$A2"
nn0=$(stat_get link.drops.no_neighbor)
# client2 first (client1 must stay silent on A1 for the next check): its echo reply is the
# first packet it sends from A2.
check "the intranet pings client2's global address before client2 sent from it" \
	n in ping -6 -c 1 -W 5 "$A2"
check "client2 pings client1's global address before client1 sent from it" \
	n c2 ping -6 -c 1 -W 5 -I "$A2" "$A1"
check "now the gateway maps client1's global address to client1" \
	wait_for "ctl_owner $A1 | grep -q '^192\.0\.2\.10:'" 3
check "now the gateway maps client2's global address to client2" \
	wait_for "ctl_owner $A2 | grep -q '^198\.51\.100\.10:'" 3
check_eq "show: no Address Unreachable meanwhile (link.drops.no_neighbor unchanged)" "$nn0" \
	"$(stat_get link.drops.no_neighbor)"

# Each pings the gateway from its global address (already known by now, see above).
check "client1 pings the gateway from its global address" \
	n c1 ping -6 -c 1 -W 2 -I "$A1" 2001:db8:1:1000::1
check "client2 pings the gateway from its global address" \
	n c2 ping -6 -c 1 -W 2 -I "$A2" 2001:db8:1:1000::1
check "the gateway lists both clients" wait_for "[ \"\$(stat_get clients)\" = 2 ]" 5

p2p0=$(stat_get link.peer_to_peer)
tun0=$(stat_get link.to_tun)
check "client1 pings client2's global address" n c1 ping -6 -c 3 -i 0.2 -W 2 "$A2"
check "client2 pings client1's global address" n c2 ping -6 -c 3 -i 0.2 -W 2 "$A1"
p2p1=$(stat_get link.peer_to_peer)
check "show: link.peer_to_peer grew by the 12 echo packets (at least)" \
	test $((p2p1 - p2p0)) -ge 12
check_eq "show: nothing went to the TUN meanwhile (link.to_tun unchanged)" "$tun0" \
	"$(stat_get link.to_tun)"

# TCP between the two clients, over the link.
# shellcheck disable=SC2016 # $l is for the shell socat runs
start_bg srv_c2 n c2 socat -T 5 TCP6-LISTEN:7003,reuseaddr SYSTEM:'read l; echo "c2-got-$l"'
wait_for "n c2 ss -Hltn 'sport = :7003' | grep -q ." 5 || bail "client2 listener not up"
got=$(n c1 sh -c "echo hi | timeout 10 socat -t 5 -T 5 - 'TCP6:[$A2]:7003'")
check_eq "TCP client1 -> client2: line exchanged" "c2-got-hi" "$got"

ctl --json clients >"$WORK/clients.json" 2>&1
check "clients --json: each client owns its own global address" "$PY" -c '
import json, sys
cl = json.load(open(sys.argv[1]))
own = {c["remote"].split(":")[0]: c["addresses"] for c in cl}
assert sys.argv[2] in own.get("192.0.2.10", []), own
assert sys.argv[3] in own.get("198.51.100.10", []), own
assert sys.argv[3] not in own["192.0.2.10"] and sys.argv[2] not in own["198.51.100.10"], own
' "$WORK/clients.json" "$A1" "$A2"

finish
