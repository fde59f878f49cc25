# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# bench/ocserv.sh: the comparison points of the benchmark (issue #6). Sourced by bench/run.sh
# after tests/netns/lib.sh (iph_init, topo_up c1 in), never run. It provides:
#
#   ocserv_up [CA]    ocserv (Debian 12) in gw and openconnect in c1, TLS over TCP only (no
#                     DTLS), so that c1 reaches the intranet host through an AnyConnect-style
#                     tunnel; prints "DEV ADDR" (the client's tunnel interface and address)
#   ocserv_down       stops openconnect and ocserv by PID
#   ocserv_addr       the intranet address to target through that tunnel
#   bare_up           plain IPv6 routing c1 -> gw -> in, no tunnel (the upper bound)
#   bare_down         removes it again
#   bare_addr         the intranet address to target on the bare path
#   iperf_tcp NAME NS TARGET STREAMS SECONDS
#                     iperf3 TCP from NS to TARGET, prints {"sender_bps", "receiver_bps", ...}
#   iperf_udp_pps NAME NS TARGET SECONDS
#                     iperf3 UDP, 64-byte payloads at full speed, prints the packets/s received
#                     and the loss
#
# It does not start iphttpsd or its client, and it does not tune either side: ocserv keeps
# Debian's defaults except where a test needs its own files (config, socket, pid file, no occtl,
# no systemd) or where the topology needs it (addresses, routes, no UDP).
#
# Addresses (documentation only):
#
#   c1 oc0 2001:db8:2::x/128 ==TLS 192.0.2.10 -> 192.0.2.1:4443==> gw ocserv (tun ocs0)
#          route 2001:db8:100::/64 pushed by ocserv                  |
#                                                                    v
#                                               in 2001:db8:100::10, 2001:db8:2::/64 via gw
#   bare:  c1 eth0 2001:db8:3::10/64 -> gw c1 2001:db8:3::1/64 -> in, 2001:db8:3::/64 via gw
#
# The bare route has a higher metric than the tunnel's, so both may be up at once: the tunnel
# then wins, and bare numbers must be taken with ocserv down (ocserv_up checks that the route to
# the intranet really is its tunnel's).

OC_PORT=4443                  # not 443: iphttpsd may listen on 192.0.2.1:443 at the same time
OC_GW=192.0.2.1               # c1's side of gw (tests/netns/lib.sh topo_up)
OC_POOL6=2001:db8:2::/64      # ocserv's lease pool
OC_DEV=oc0                    # openconnect's tun in c1
OC_INTRA=2001:db8:100::10     # the intranet host (topo_up in)
OC_INTRA_NET=2001:db8:100::/64
OC_ADDR=                      # the client's tunnel address, set by ocserv_up
# Debian 12's /etc/ocserv/ocserv.conf priorities: TLS 1.2 only (it negotiates AES-256-GCM here).
OC_PRIO=NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.3
BARE_NET=2001:db8:3::/64
BARE_GW6=2001:db8:3::1
BARE_C1=2001:db8:3::10
BARE_METRIC=4096
IPERF_PORT=${IPERF_PORT:-5301} # iperf3 servers listen on the first free port from here
IPERF_SERVER_NS=${IPERF_SERVER_NS:-in}

# ---------------------------------------------------------------------------------------------
# ocserv + openconnect

# ocserv_config CA: ocserv.conf for the benchmark on stdout. Certificate authentication (the
# client's CN is its user name): nothing to type, nothing on stdin.
ocserv_config() {
	cat <<-CNF
		# written by bench/ocserv.sh
		auth = "certificate"
		ca-cert = $WORK/$1.crt
		cert-user-oid = 2.5.4.3
		server-cert = $WORK/ocsrv.crt
		server-key = $WORK/ocsrv.key
		listen-host = $OC_GW
		tcp-port = $OC_PORT
		socket-file = $WORK/ocserv.sock
		pid-file = $WORK/ocserv.pid
		use-occtl = false
		run-as-user = nobody
		run-as-group = nogroup
		isolate-workers = true
		max-clients = 16
		max-same-clients = 4
		keepalive = 32400
		dpd = 90
		tls-priorities = "$OC_PRIO"
		log-level = 1
		device = ocs
		predictable-ips = true
		ipv6-network = $OC_POOL6
		route = $OC_INTRA_NET
	CNF
}

# ocserv_script: openconnect's --script, $WORK/oc-script.sh. Debian's vpnc-script would rewrite
# the host's /etc/resolv.conf (the namespaces share the file system); this one only sets the
# link, the address and the routes ocserv pushed (vpnc-script's environment: INTERNAL_IP6_*,
# CISCO_IPV6_SPLIT_INC_*) and keeps that environment in $WORK/oc-script.env.REASON.
ocserv_script() {
	cat >"$WORK/oc-script.sh" <<-'SH'
		#!/bin/sh
		# shellcheck disable=SC2154 # set by openconnect (reason, TUNDEV, ...) or eval
		env | sort >"${0%.sh}.env.$reason"
		[ "$reason" = connect ] || exit 0
		ip link set dev "$TUNDEV" up mtu "${INTERNAL_IP4_MTU:-1280}" || exit 1
		a=${INTERNAL_IP6_NETMASK:-$INTERNAL_IP6_ADDRESS/128}
		ip -6 addr add "$a" dev "$TUNDEV" nodad || exit 1
		i=0
		while [ "$i" -lt "${CISCO_IPV6_SPLIT_INC:-0}" ] && [ "$i" -lt 64 ]; do
			eval "net=\$CISCO_IPV6_SPLIT_INC_${i}_ADDR"
			eval "len=\$CISCO_IPV6_SPLIT_INC_${i}_MASKLEN"
			ip -6 route add "$net/$len" dev "$TUNDEV" || exit 1
			i=$((i + 1))
		done
	SH
	chmod 755 "$WORK/oc-script.sh"
}

# ocserv_log: the last lines of both sides' logs, as comments.
ocserv_log() {
	tail -n 15 "$WORK/ocserv.err" "$WORK/ocserv.out" 2>/dev/null | sed 's/^/#   ocserv: /'
	tail -n 15 "$WORK/openconnect.err" "$WORK/openconnect.out" 2>/dev/null |
		sed 's/^/#   openconnect: /'
}

# ocserv_up [CA]: a server certificate (RSA-2048, IP:192.0.2.1) and a client certificate from
# make_ca's CA named CA (default "ca", made if missing), ocserv in gw, openconnect in c1; waits
# (bounded) until a ping crosses the tunnel. Prints "DEV ADDR"; sets OC_ADDR. Call it in the
# script's own shell, not in $(...): ocserv_down needs the PIDs start_bg records.
ocserv_up() {
	local ca=${1:-ca} srv cl
	if [ "$BASH_SUBSHELL" -gt 0 ]; then
		echo "# ocserv_up: called in a subshell; ocserv_down could not stop it" >&2
		return 1
	fi
	need_tools ocserv openconnect
	if [ ! -f "$WORK/$ca.crt" ]; then
		make_ca "$ca" "iphttps bench CA" || return 1
	fi
	make_leaf_rsa ocsrv "$ca" "DNS:vpn.iphttps.example,IP:$OC_GW" || return 1
	make_leaf occl "$ca" "DNS:bench.iphttps.example" || return 1
	ocserv_config "$ca" >"$WORK/ocserv.conf"
	ocserv_script
	if ! n gw ocserv -t -c "$WORK/ocserv.conf" >"$WORK/ocserv.test" 2>&1; then
		sed 's/^/#   ocserv -t: /' "$WORK/ocserv.test"
		return 1
	fi
	# The intranet host's way back to the lease pool.
	n in ip -6 route replace "$OC_POOL6" via 2001:db8:100::1 || return 1
	start_bg ocserv n gw ocserv -f -c "$WORK/ocserv.conf"
	srv=${BG_PID[ocserv]}
	wait_for "n gw ss -Hltn 'src $OC_GW and sport = :$OC_PORT' | grep -q . ||
		! pid_alive $srv" 10
	n gw ss -Hltn "src $OC_GW and sport = :$OC_PORT" | grep -q . || {
		echo "# ocserv does not listen on $OC_GW:$OC_PORT"
		ocserv_log
		return 1
	}
	start_bg openconnect n c1 openconnect --non-inter --no-dtls --protocol=anyconnect \
		--cafile "$WORK/$ca.crt" -c "$WORK/occl.crt" -k "$WORK/occl.key" \
		--interface "$OC_DEV" --script "$WORK/oc-script.sh" "https://$OC_GW:$OC_PORT/"
	cl=${BG_PID[openconnect]}
	# The route to the intranet must be the tunnel's, not bare_up's.
	wait_for "n c1 ip -6 route get $OC_INTRA | grep -q ' dev $OC_DEV ' || ! pid_alive $cl" 20
	if ! n c1 ip -6 route get "$OC_INTRA" | grep -q " dev $OC_DEV "; then
		echo "# no route to $OC_INTRA through $OC_DEV"
		ocserv_log
		return 1
	fi
	if ! wait_for "n c1 ping -6 -c 1 -W 1 $OC_INTRA" 10; then
		echo "# no ping to $OC_INTRA through $OC_DEV"
		ocserv_log
		return 1
	fi
	OC_ADDR=$(n c1 ip -6 -o addr show dev "$OC_DEV" scope global |
		awk '{ sub("/.*", "", $4); print $4; exit }')
	echo "$OC_DEV $OC_ADDR"
}

# ocserv_down: openconnect first (it says goodbye to the server), then ocserv; 1 if either had
# to be left running (lib.sh's cleanup kills it then).
ocserv_down() {
	local rc=0
	if [ -n "${BG_PID[openconnect]:-}" ]; then
		stop_bg openconnect TERM
		[ $? -eq 255 ] && rc=1
	fi
	if [ -n "${BG_PID[ocserv]:-}" ]; then
		stop_bg ocserv TERM
		[ $? -eq 255 ] && rc=1
	fi
	n in ip -6 route del "$OC_POOL6" 2>/dev/null
	return "$rc"
}

# ocserv_addr: the target through the tunnel.
ocserv_addr() {
	echo "$OC_INTRA"
}

# ---------------------------------------------------------------------------------------------
# The bare path: the same hosts, plain IPv6 forwarding in gw

# bare_up: an IPv6 subnet on the c1 - gw veth, c1's route to the intranet via gw (metric
# BARE_METRIC, below a tunnel's), the intranet's route back; waits until a ping passes.
bare_up() {
	n gw ip -6 addr replace "$BARE_GW6/64" dev c1 nodad || return 1
	n c1 ip -6 addr replace "$BARE_C1/64" dev eth0 nodad || return 1
	n c1 ip -6 route replace "$OC_INTRA_NET" via "$BARE_GW6" metric "$BARE_METRIC" || return 1
	n in ip -6 route replace "$BARE_NET" via 2001:db8:100::1 || return 1
	wait_for "n c1 ping -6 -c 1 -W 1 -I $BARE_C1 $OC_INTRA" 10 || {
		echo "# bare path: no ping $BARE_C1 -> $OC_INTRA"
		return 1
	}
}

# bare_down: undoes bare_up.
bare_down() {
	n c1 ip -6 route del "$OC_INTRA_NET" via "$BARE_GW6" metric "$BARE_METRIC" 2>/dev/null
	n in ip -6 route del "$BARE_NET" 2>/dev/null
	n c1 ip -6 addr del "$BARE_C1/64" dev eth0 2>/dev/null
	n gw ip -6 addr del "$BARE_GW6/64" dev c1 2>/dev/null
	return 0
}

# bare_addr: the target on the bare path.
bare_addr() {
	echo "$OC_INTRA"
}

# ---------------------------------------------------------------------------------------------
# iperf3

# iperf_server NAME: a one-off (-1) iperf3 server in IPERF_SERVER_NS on the first free port from
# IPERF_PORT on; waits until it listens. Sets IPERF_CUR_PORT. Probing rather than counting, so
# that callers may run the iperf_* functions in $(...) subshells.
iperf_server() {
	local name=$1 port
	for ((port = IPERF_PORT; port < IPERF_PORT + 100; port++)); do
		n "$IPERF_SERVER_NS" ss -Hltn "sport = :$port" | grep -q . || break
	done
	start_bg "$name-srv" n "$IPERF_SERVER_NS" iperf3 -s -1 -p "$port"
	wait_for "n $IPERF_SERVER_NS ss -Hltn 'sport = :$port' | grep -q . ||
		! pid_alive ${BG_PID[$name-srv]}" 5
	n "$IPERF_SERVER_NS" ss -Hltn "sport = :$port" | grep -q . || {
		sed 's/^/#   iperf3 -s: /' "$WORK/$name-srv.out" "$WORK/$name-srv.err"
		return 1
	}
	IPERF_CUR_PORT=$port
}

# iperf_client NAME NS TARGET SECONDS ARGS...: iperf3 --json from NS to the server iperf_server
# just started, its report in $WORK/NAME.json; then waits for that one-off server to end.
iperf_client() {
	local name=$1 ns=$2 target=$3 secs=$4 rc
	shift 4
	timeout -k 5 "$((secs + 30))" ip netns exec "$ID-$ns" iperf3 --json -c "$target" \
		-p "$IPERF_CUR_PORT" -t "$secs" --connect-timeout 5000 "$@" \
		>"$WORK/$name.json" 2>"$WORK/$name.client.err"
	rc=$?
	wait_for "! pid_alive ${BG_PID[$name-srv]}" 5 || stop_bg "$name-srv" TERM
	if [ "$rc" -ne 0 ]; then
		echo "# iperf3 $name exited $rc" >&2
		iperf_error "$WORK/$name.json" >&2
		sed 's/^/#   /' "$WORK/$name.client.err" >&2
		return 1
	fi
}

# iperf_error FILE: iperf3's own "error" member, if any, as a comment.
iperf_error() {
	"$PY" -c '
import json, sys
try:
    print("#   iperf3: %s" % json.load(open(sys.argv[1])).get("error", "no error member"))
except (OSError, ValueError) as e:
    print("#   iperf3 report unreadable: %s" % e)
' "$1"
}

# iperf_tcp NAME NS_CLIENT TARGET STREAMS SECONDS: TCP from NS_CLIENT to TARGET with STREAMS
# parallel streams for SECONDS. Prints one JSON object: sender_bps and receiver_bps (sums over the
# streams, iperf3's end.sum_sent / end.sum_received), retransmits, and both hosts' CPU use (%).
iperf_tcp() {
	local name=$1 ns=$2 target=$3 streams=$4 secs=$5
	iperf_server "$name" || return 1
	iperf_client "$name" "$ns" "$target" "$secs" -P "$streams" || return 1
	"$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
cpu = e.get("cpu_utilization_percent", {})
print(json.dumps({
    "sender_bps": round(e["sum_sent"]["bits_per_second"]),
    "receiver_bps": round(e["sum_received"]["bits_per_second"]),
    "retransmits": e["sum_sent"].get("retransmits", 0),
    "cpu_client": round(cpu.get("host_total", 0), 1),
    "cpu_server": round(cpu.get("remote_total", 0), 1),
}))
' "$WORK/$name.json"
}

# iperf_udp_pps NAME NS_CLIENT TARGET SECONDS: UDP from NS_CLIENT to TARGET, 64-byte payloads as
# fast as the sender can (-b 0) for SECONDS. Prints one JSON object: sent_pps (what iperf3
# handed to the kernel, over the sender's time), received_pps (what the server counted, over
# the server's time, which includes draining a tunnel's buffers), lost_packets and loss_percent
# (the server's view: drops anywhere on the path, the sender's own queues included).
iperf_udp_pps() {
	local name=$1 ns=$2 target=$3 secs=$4
	iperf_server "$name" || return 1
	iperf_client "$name" "$ns" "$target" "$secs" -u -l 64 -b 0 || return 1
	"$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
tx, rx = e["sum_sent"], e["sum_received"]
print(json.dumps({
    "sent_pps": round(tx["packets"] / (tx["seconds"] or 1)),
    "received_pps": round((rx["packets"] - rx["lost_packets"]) / (rx["seconds"] or 1)),
    "lost_packets": rx["lost_packets"],
    "loss_percent": round(rx["lost_percent"], 2),
}))
' "$WORK/$name.json"
}
