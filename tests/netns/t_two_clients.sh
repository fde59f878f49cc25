#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_two_clients: two clients on the one IP-HTTPS link reach each other directly.
#
#   c1 (192.0.2.10) ==TLS==> gw 192.0.2.1:443 / 198.51.100.1:443 <==TLS== c2 (198.51.100.10)
#
# Both share 2001:db8:1:1000::/64 with random interface identifiers; the gateway steers a
# packet for one client's address down that client's connection (peer_to_peer), never through
# its TUN.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 c2
gw_start

peer_tun p1 c1 || bail "client1 peer not READY"
peer_tun p2 c2 || bail "client2 peer not READY"
check "client1 gets a global address" wait_for "peer_global c1" 10
check "client2 gets a global address" wait_for "peer_global c2" 10
A1=$(peer_global c1) || bail "no global address on client1"
A2=$(peer_global c2) || bail "no global address on client2"
echo "# client1: $A1  client2: $A2"
check "the two clients chose different addresses" test "$A1" != "$A2"

# A Linux client on a TUN device never does DAD (IFF_NOARP), so the gateway learns a client's
# global address from the first packet it sends from it: each pings the gateway first.
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
