#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_workers: iphttpsd with `workers 2` (issue #6): two gateway processes behind one listening
# address (SO_REUSEPORT), one /64 each out of a /63 as a Windows cluster has one /64 per server,
# their own TUN (iphttps0, iphttps0w1) and control socket (SOCK, SOCK.1).
#
#   c1: iphttps connect t1, t2, ... ==> 192.0.2.1:443 ==> worker 0: 2001:db8:1:1000::/64
#                                                     ==> worker 1: 2001:db8:1:1001::/64
#   in: 2001:db8:100::10, routes to both /64s via gw
#
# Clients are added until both workers serve one (the kernel picks the worker by a hash of the
# connection's addresses and ports), at most 16. Each reaches the intranet; reload reaches both
# workers; SIGTERM ends both and removes their devices and sockets; a worker that dies takes the
# gateway down with it, so that a balancer in front notices.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 in
client_init
n in ip -6 route add 2001:db8:1:1001::/64 via 2001:db8:100::1
make_ca ca "iphttps test CA" || bail "make_ca"
make_leaf gw ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf"

mkdir -p "$WORK/state"
chmod 700 "$WORK/state"
cat >"$WORK/gw.conf" <<EOF
listen 192.0.2.1:443
workers 2
prefix 2001:db8:1:1000::/63
tun iphttps0
state-dir $WORK/state
control $SOCK
user nobody
log-level info
route 2001:db8:100::/48
certificate $WORK/gw.crt
key $WORK/gw.key
handshake-rate 0
EOF
check_grep "-nv accepts and prints workers 2" '^workers 2$' \
	<("$BUILD/iphttpsd" -nv -c "$WORK/gw.conf" 2>&1)
check_grep "-nv prints the /63" '^prefix 2001:db8:1:1000::/63$' \
	<("$BUILD/iphttpsd" -nv -c "$WORK/gw.conf" 2>&1)
ctl1() {
	n gw "$BUILD/iphttpsctl" -s "$SOCK.1" "$@"
}

gw_start
check "worker 1's control socket answers" wait_for "ctl1 show >/dev/null" 5

W=$(pgrep -P "$GW_PID" -x iphttpsd | wc -l)
check_eq "two worker processes under the parent" 2 "$W"
check_grep "worker 0 has iphttps0" 'mtu 1280' <(n gw ip link show dev iphttps0 up)
check_grep "worker 1 has iphttps0w1" 'mtu 1280' <(n gw ip link show dev iphttps0w1 up)
check_grep "2001:db8:1:1000::/64 is routed to iphttps0" '^2001:db8:1:1000::/64 dev iphttps0 ' \
	<(n gw ip -6 route)
check_grep "2001:db8:1:1001::/64 is routed to iphttps0w1" \
	'^2001:db8:1:1001::/64 dev iphttps0w1 ' <(n gw ip -6 route)
check_eq "worker 0 reports its /64" "2001:db8:1:1000::/64" "$(stat_get prefix)"
check_eq "worker 1 reports its /64" "2001:db8:1:1001::/64" \
	"$(ctl1 --json show | jget prefix)"
check_eq "both listen on 192.0.2.1:443 (two sockets)" 2 \
	"$(n gw ss -Hltn 'src 192.0.2.1 and sport = :443' | wc -l)"

# tun_prefix NS DEV: the /64 (4th group) of DEV's global address, "" before it has one.
tun_group() {
	n c1 ip -6 -o addr show dev "$1" scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:100[01]:/ && !/tentative/ {
			split($4, g, ":"); print g[4]; exit }'
}

declare -A SEEN
for ((k = 1; k <= 16; k++)); do
	client_start "t$k" c1 --ca "$WORK/ca.crt" --tun "t$k" --retry-base 1 --retry-max 3 \
		"https://$GW_NAME/IPHTTPS"
	client_wait "t$k" up 10 || bail "client t$k did not come up"
	wait_for "[ -n \"\$(tun_group t$k)\" ]" 10 || bail "client t$k got no address"
	g=$(tun_group "t$k")
	[ -z "${SEEN[$g]:-}" ] && SEEN[$g]=t$k
	[ -n "${SEEN[1000]:-}" ] && [ -n "${SEEN[1001]:-}" ] && break
done
echo "# clients started: $k; worker 0 serves ${SEEN[1000]:-none}, worker 1 ${SEEN[1001]:-none}"
check "a client lands on worker 0 (2001:db8:1:1000::/64)" test -n "${SEEN[1000]:-}"
check "a client lands on worker 1 (2001:db8:1:1001::/64)" test -n "${SEEN[1001]:-}"
for g in 1000 1001; do
	t=${SEEN[$g]:-}
	[ -n "$t" ] || continue
	# By device: every tunnel has a route to the intranet, the kernel would pick one.
	check "the client on 2001:db8:1:$g::/64 pings the intranet host" \
		n c1 ping -6 -c 2 -i 0.2 -W 2 -I "$t" 2001:db8:100::10
done
check_eq "the workers count every client between them" "$k" \
	$(($(stat_get clients) + $(ctl1 --json show | jget clients)))

gw_mark
kill -HUP "$GW_PID"
check "SIGHUP: both workers reload" \
	wait_for "[ \"\$(gw_since | grep -c 'reload: done')\" = 2 ]" 5
check_not "SIGHUP: no worker complains about its own /64, TUN or socket" \
	grep -q 'changes only at restart' <(gw_since)

stop_bg gw TERM
check_eq "SIGTERM: exit status 0" 0 "$?"
check_not "SIGTERM: iphttps0 is gone" n gw ip link show dev iphttps0
check_not "SIGTERM: iphttps0w1 is gone" n gw ip link show dev iphttps0w1
check_not "SIGTERM: the control sockets are removed" test -e "$SOCK" -o -e "$SOCK.1"
for ((i = 1; i <= k; i++)); do
	stop_bg "t$i"
done

gw_start
W1=$(pgrep -P "$GW_PID" -x iphttpsd | tail -n 1)
kill -KILL "$W1"
check "a worker killed: the parent ends the gateway" wait_for "! pid_alive $GW_PID" 5
bg_exit gw
check "and exits non-zero" test $? -ne 0

finish
