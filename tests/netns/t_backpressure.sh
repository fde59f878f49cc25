#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_backpressure: a client that stops reading while the intranet floods it.
#
#   c1 (tun, keeps working) ==TLS==> gw <==TLS, window 4 KiB, not reading== c2 (raw, --stall)
#                                     ^
#                                     in: UDP flood to c2's address, 3 s
#
# The gateway's queue toward the stalled client fills and further packets are counted drops
# (link.drops.queue_full): its memory stays flat, its control socket answers, the other client
# is not slowed down, and the stalled connection survives to read again.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 c2 in
gw_start
peer_tun p1 c1 || bail "client1 peer not READY"
wait_for "peer_global c1" 10 || bail "no global address on client1"

S=2001:db8:1:1000::57
start_bg stall n c2 "$PY" "$PEER" raw --connect 198.51.100.1:443 --rcvbuf 4096 --stall 6 \
	--read-timeout 2 --send-scapy "IPv6(src='$S',dst='2001:db8:1:1000::1')/ICMPv6EchoRequest()"
wait_for "grep -q '^STALL' '$WORK/stall.out'" 5 || bail "stalling peer did not connect"
wait_for "ctl_owner $S" 5 || bail "the gateway did not learn $S"

# gw_rss: resident KiB of the daemon and its children (privilege-separated processes).
gw_rss() {
	ps -o rss= -p "$GW_PID" --ppid "$GW_PID" | awk '{ s += $1 } END { print s }'
}
rss0=$(gw_rss)
q0=$(stat_get link.drops.queue_full)
start_bg flood n in timeout 3 socat -u -b 1200 OPEN:/dev/zero "UDP6-SENDTO:[$S]:9"
check "while flooded: the gateway's queue toward the stalled client overflows (queue_full)" \
	wait_for "[ \$(stat_get link.drops.queue_full) -gt $((q0 + 1000)) ]" 3
t0=$(date +%s%N)
ctl show >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
check "while flooded: iphttpsctl show answers within 500 ms (took $ms ms)" test "$ms" -lt 500
check "while flooded: client1 pings the intranet" n c1 ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::10
wait_for "! pid_alive ${BG_PID[flood]}" 5
rss1=$(gw_rss)
echo "# gateway RSS before ${rss0} KiB, after ${rss1} KiB"
check "the gateway's memory stayed flat (grew $((rss1 - rss0)) KiB, limit 8192)" \
	test $((rss1 - rss0)) -lt 8192

# The stalled client reads again: its connection is still up and the queued packets arrive.
check "the stalled client's peer finishes" wait_for "! pid_alive ${BG_PID[stall]}" 15
check_grep "the stalled client was not disconnected" '^OPEN ' "$WORK/stall.out"
check "the stalled client then receives the queued UDP packets" \
	has_pkt "$WORK/stall.out" 'p["nh"] == 17 and p["dst"] == "'"$S"'"'

finish
