#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_link_rules: the Authentication-Mode-None receive rules of [MS-IPHTTPS] §3.2.5.2.2 and the
# gateway's router duties, driven by a scripted raw peer (scapy packets) from client2 while
# client1 is a real kernel client on the same link.
#
#   c1 (tun, owns A1) ==TLS==> gw <==TLS== c2 (tlspeer.py raw: crafted packets)
#                               |
#                               in (tcpdump: what reaches the intranet)
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 c2 in
gw_start
peer_tun p1 c1 || bail "client1 peer not READY"
wait_for "peer_global c1" 10 || bail "no global address on client1"
A1=$(peer_global c1)
LL1=$(peer_ll c1)
echo "# client1: $A1 $LL1"
check "client1 pings the gateway from A1 (so the gateway learns it)" \
	n c1 ping -6 -c 1 -W 2 -I "$A1" 2001:db8:1:1000::1
check "clients --json: client1 owns A1" wait_for "ctl_owner $A1 | grep -q '^192\.0\.2\.10:'" 3

C2G=2001:db8:1:1000::c2 # the raw peer's own global address
C2L=fe80::c2            # and link-local
IN=2001:db8:100::10

# rawc2 NAME [tlspeer raw args]: one raw session from client2, output in $WORK/NAME.out.
rawc2() {
	local name=$1
	shift
	raw c2 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	sed "s/^/#   $name: /" "$WORK/$name.err"
}

# --- source address rules: spoofed, foreign, unspecified; one legitimate packet as control
start_bg cap n in tcpdump -n -l -i eth0 'icmp6 and ip6[40] == 128'
wait_for "grep -q 'listening on' '$WORK/cap.err'" 5 || bail "tcpdump not listening"
s0=$(stat_get link.drops.spoofed)
f0=$(stat_get link.drops.foreign_src)
u0=$(stat_get link.drops.unspec_src)
rawc2 src --read-timeout 1.5 \
	--send-scapy "IPv6(src='$A1',dst='$IN')/ICMPv6EchoRequest(id=0x5101)" \
	--send-scapy "IPv6(src='2001:db8:ffff::1',dst='$IN')/ICMPv6EchoRequest(id=0x5102)" \
	--send-scapy "IPv6(src='::',dst='$IN')/ICMPv6EchoRequest(id=0x5103)" \
	--send-scapy "IPv6(src='$C2G',dst='$IN')/ICMPv6EchoRequest(id=0x5104)"
check "control: client2's echo from its own address is answered by the intranet" \
	has_pkt "$WORK/src.out" 'p["type"] == 129 and p["id"] == 0x5104 and p["dst"] == "'"$C2G"'"'
check_not "no answer to the spoofed, foreign or unspecified sources" \
	has_pkt "$WORK/src.out" 'p["type"] == 129 and p["id"] in (0x5101, 0x5102, 0x5103)'
check_eq "drops.spoofed +1 (source A1 owned by client1)" $((s0 + 1)) "$(stat_get link.drops.spoofed)"
check_eq "drops.foreign_src +1 (source outside the prefix)" $((f0 + 1)) \
	"$(stat_get link.drops.foreign_src)"
check_eq "drops.unspec_src +1 (source :: on an echo request)" $((u0 + 1)) \
	"$(stat_get link.drops.unspec_src)"
wait_for "grep -q 'IP6 $C2G > $IN' '$WORK/cap.out'" 3
stop_bg cap INT
check_grep "control: the intranet saw client2's legitimate echo request" "IP6 $C2G > $IN" "$WORK/cap.out"
check_not "the intranet saw nothing from A1, 2001:db8:ffff::1 or ::" \
	grep -E "IP6 ($A1|2001:db8:ffff::1|::) > " "$WORK/cap.out"

# --- DAD: a probe for client1's address is answered for it; a probe for a free one is not
d0=$(stat_get link.dad_conflicts)
SN1=$(solicited_node "$A1")
rawc2 dad --read-timeout 1.5 \
	--send-scapy "IPv6(src='::',dst='$SN1',hlim=255)/ICMPv6ND_NS(tgt='$A1')" \
	--send-scapy "IPv6(src='::',dst='ff02::1:ff00:dad',hlim=255)/ICMPv6ND_NS(tgt='2001:db8:1:1000::dad')"
check "DAD NS for A1 gets an NA for A1: R=0, S=0, to ff02::1, no TLLA option" \
	has_pkt "$WORK/dad.out" 'p["type"] == 136 and p["target"] == "'"$A1"'" and p["R"] == 0 and p["S"] == 0 and p["dst"] == "ff02::1" and 2 not in p["opts"] and p["hlim"] == 255'
check_not "DAD NS for a free address gets no NA" \
	has_pkt "$WORK/dad.out" 'p["type"] == 136 and p["target"] == "2001:db8:1:1000::dad"'
check_eq "link.dad_conflicts +1" $((d0 + 1)) "$(stat_get link.dad_conflicts)"

# --- RS gets an RA: prefix L=1 A=1, MTU 1280, the configured route
r0=$(stat_get link.rs)
rawc2 rs --read-timeout 1 \
	--send-scapy "IPv6(src='$C2L',dst='ff02::2',hlim=255)/ICMPv6ND_RS()"
check "RS gets an RA from fe80::1 (hop limit 255, router lifetime > 0)" \
	has_pkt "$WORK/rs.out" 'p["type"] == 134 and p["src"] == "fe80::1" and p["hlim"] == 255 and p["routerlifetime"] > 0 and p["dst"] in ("'"$C2L"'", "ff02::1")'
check "the RA carries 2001:db8:1:1000::/64 with L=1 A=1" \
	has_pkt "$WORK/rs.out" 'p["type"] == 134 and any(q["prefix"] == "2001:db8:1:1000::/64" and q["L"] == 1 and q["A"] == 1 for q in p["prefixes"])'
check "the RA carries MTU 1280" has_pkt "$WORK/rs.out" 'p["type"] == 134 and p["mtu"] == 1280'
check "the RA carries the configured route 2001:db8:100::/48 (RFC 4191)" \
	has_pkt "$WORK/rs.out" 'p["type"] == 134 and "2001:db8:100::/48" in p["routes"]'
check_eq "link.rs +1" $((r0 + 1)) "$(stat_get link.rs)"

# --- a client may not be a router: its RA is dropped and client1 never sees it
g0=$(stat_get link.drops.rogue_nd)
rawc2 ra --read-timeout 1 \
	--send-scapy "IPv6(src='$C2L',dst='ff02::1',hlim=255)/ICMPv6ND_RA(routerlifetime=1800)/ICMPv6NDOptPrefixInfo(prefix='2001:db8:bad::',prefixlen=64,L=1,A=1)"
check_eq "drops.rogue_nd +1 (RA from a client)" $((g0 + 1)) "$(stat_get link.drops.rogue_nd)"
check_not "client1 took no address from the rogue prefix 2001:db8:bad::/64" \
	grep -q 2001:db8:bad: <(n c1 ip -6 addr show dev tun0)
check_not "client1 has no route via the rogue router" \
	grep -q "via $C2L" <(n c1 ip -6 route show)

# --- link-local unicast: to another client dropped, to the gateway answered
l0=$(stat_get link.drops.ll_not_gw)
rawc2 ll --read-timeout 1 \
	--send-scapy "IPv6(src='$C2L',dst='$LL1')/ICMPv6EchoRequest(id=0x5105)" \
	--send-scapy "IPv6(src='$C2L',dst='fe80::1')/ICMPv6EchoRequest(id=0x5106)"
check_eq "drops.ll_not_gw +1 (link-local unicast to client1)" $((l0 + 1)) \
	"$(stat_get link.drops.ll_not_gw)"
check_not "no echo reply from client1's link-local" \
	has_pkt "$WORK/ll.out" 'p["type"] == 129 and p["id"] == 0x5105'
check "the gateway answers an echo to fe80::1" \
	has_pkt "$WORK/ll.out" 'p["type"] == 129 and p["id"] == 0x5106 and p["src"] == "fe80::1"'

# --- a packet over the link MTU: dropped, Packet Too Big back
t0=$(stat_get link.drops.too_big)
rawc2 big --read-timeout 1 \
	--send-scapy "IPv6(src='$C2G',dst='$IN')/ICMPv6EchoRequest(id=0x5107,data=b'x'*1352)"
check "a 1400-byte packet from a client gets Packet Too Big with MTU 1280" \
	has_pkt "$WORK/big.out" 'p["type"] == 2 and p["mtu_or_ptr"] == 1280 and p["dst"] == "'"$C2G"'"'
check_eq "drops.too_big +1" $((t0 + 1)) "$(stat_get link.drops.too_big)"

# --- a stream that is not IPv6 ends the session ([MS-IPHTTPS] §3.2.5.2.2: SHOULD end it)
n0=$(stat_get connections.not_ipv6)
rawc2 http --read-timeout 3 \
	--send-hex "$(printf 'GET / HTTP/1.1\r\nHost: gw.example.test\r\nUser-Agent: t\r\n\r\n' | od -An -tx1 | tr -d ' \n')"
check_grep "an HTTP request after the 200 makes the gateway close the connection" \
	'^CLOSED t=[0-2]\.' "$WORK/http.out"
# IPv4 ICMP echo 192.0.2.10 -> 192.0.2.1 with a 22-byte payload (50 bytes, first byte 0x45).
rawc2 ipv4 --read-timeout 3 \
	--send-hex 45000032000100004001f6bec000020ac00002010800752e00010001697068747470732d6e6f742d697076362d7465737421
check_grep "an IPv4 packet after the 200 makes the gateway close the connection" \
	'^CLOSED t=[0-2]\.' "$WORK/ipv4.out"
check_eq "connections.not_ipv6 +2" $((n0 + 2)) "$(stat_get connections.not_ipv6)"
check "client1 is still connected and working" n c1 ping -6 -c 1 -W 2 "$IN"

finish
