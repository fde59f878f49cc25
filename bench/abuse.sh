# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# shellcheck disable=SC2153 # TUNNELS_* are bench/tunnels.sh's
#
# bench/abuse.sh: the "bad input" part of the benchmark (issue #6): under a large idle load, a
# slow reader, a client that stops reading and a handshake flood must neither grow the
# gateway's memory without bound nor stall the other clients. Sourced by bench/run.sh after
# tests/netns/lib.sh (iph_init, topo_up c1 c2 in, client_init), bench/ocserv.sh and
# bench/tunnels.sh (whose gateway and loadgen helpers it uses), never run. It provides:
#
#   abuse_all   one run, bounded in time, into $RES/abuse.json:
#     load      N idle tunnels held by build/loadgen in c1 (N = BENCH_ABUSE_TUNNELS, default
#               100000; 2000 with BENCH_QUICK=1) to a gateway with tunnels.sh's configuration
#               (workers, max-clients, handshake-rate 0, max-conn-per-source 0) listening on
#               c2's side too; fewer when fewer come up (a note says so);
#     clients   two real `iphttps connect`: the observer in c1 (TUN probe0), whose round-trip
#               time to the intranet host is measured before and during each abuse, and the
#               victim in c2 (TUN victim0), at whom the abuses aim;
#     abuse 1   slow reader: gw's veth toward c2 shaped to 1 Mbit/s (tbf), 200 Mbit/s of UDP
#               from the intranet to the victim's tunnel address for 10 s;
#     abuse 2   a client that stops reading: the victim's client SIGSTOPped (its TUN stays, its
#               TCP receive window fills), the same UDP for 10 s, then SIGCONT;
#     abuse 3   a handshake flood: loadgen processes in c1, from tunnels.sh's source addresses,
#               open as many new tunnels as they can for 15 s (2 s per step), with the load's
#               configuration, i.e. unprotected (handshake-rate 0, max-conn-per-source 0).
#
# For each abuse: the gateway's memory (VmRSS of every iphttpsd process) before, at the peak
# (sampled every 0.2 s) and after; the gateway's counters that grew (every worker's `show
# --json`, summed: link.drops.*, connections.*); the observer's ping round-trip time before
# and during; the background tunnels still up afterwards (loadgen's own count, from a stats
# line written after the abuse, and the gateway's client count); whether the victim passes a
# ping again and how soon; the slowest control-socket answer during the abuse.
#
# The shape of abuse.json is what bench/report.py reads (abuse_rows):
#   {"load": {target, up, gw_workers, loadgen_procs, ramp_ms}, "clients": {observer, victim},
#    "abuses": [{name, label, seconds, gw_rss_kib: {before, peak, after}, counters: {...},
#                rtt_before, rtt_during: {sent, received, loss_pct, median_us, p99_us, max_us},
#                background: {up_before, up_after, dropped}, gw_clients: {before, after},
#                victim: {recovered, recover_ms, reconnected, udp_received}, ctl_ms_max,
#                blast: {sent, errors, seconds, mbit_per_s, payload} |
#                flood: {procs, asked, completed, failed, failures, elapsed_ms, rate_per_s}}, ...],
#    "notes": ["...", ...]}
#
# It does not: test the gateway's per-source limits (handshake-rate, max-conn-per-source: the
# flood runs once, unprotected), send anything but UDP at the victim, or tune the kernel.

ABUSE_INTRA=2001:db8:100::10 # the intranet host (topo_up in)
ABUSE_C2_GW=198.51.100.1     # c2's side of gw
ABUSE_MBIT=200               # the UDP blast's rate (payload), Mbit/s
ABUSE_PAYLOAD=1200           # its datagrams' payload: with the headers below the link MTU 1280
ABUSE_BLAST_S=10             # abuses 1 and 2
ABUSE_FLOOD_S=15             # abuse 3
ABUSE_FLOOD_PROCS=2          # loadgen processes of the flood
ABUSE_FLOOD_INFLIGHT=2000    # their handshakes in flight together
ABUSE_PING_I=0.01            # the observer's ping interval, s
ABUSE_D=                     # per-abuse results, set by abuse_all
ABUSE_PEAK=0                 # abuse_watch's answers
ABUSE_CTL_MS=0
ABUSE_B_RSS=0 # abuse_before's state for abuse_after: memory, loadgen, clients, UDP, since
ABUSE_B_BG={}
ABUSE_B_CL=0
ABUSE_B_RX=0
ABUSE_B_SINCE=

# ---------------------------------------------------------------------------------------------
# Helpers

# abuse_addr ROLE DEV: ROLE's global address on DEV in one of the workers' /64s (the link
# prefix 2001:db8:1:1000::/58 at most: up to 64 workers), not tentative; or fail.
abuse_addr() {
	n "$1" ip -6 -o addr show dev "$2" scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:10[0-3][0-9a-f]:/ && !/tentative/ {
			sub("/.*", "", $4); print $4; exit }' | grep .
}

# abuse_victim_ping: the intranet host reaches the victim's current address (it may have a new
# one after a reconnect).
abuse_victim_ping() {
	local a
	a=$(abuse_addr c2 victim0) || return 1
	n in ping -6 -n -c 1 -W 1 "$a" >/dev/null 2>&1
}

# abuse_ping NAME SECONDS: the observer's pings to the intranet host, one every ABUSE_PING_I
# s for SECONDS, in the background (NAME, output $WORK/NAME.out); abuse_rtt reads them.
abuse_ping() {
	local c
	c=$(awk -v s="$2" -v i="$ABUSE_PING_I" 'BEGIN { printf "%d", s / i }')
	start_bg "$1" n c1 ping -6 -n -i "$ABUSE_PING_I" -c "$c" -w "$2" -W 1 "$ABUSE_INTRA"
}

# abuse_ping_wait NAME: waits (bounded) for abuse_ping's ping to end.
abuse_ping_wait() {
	wait_for "! pid_alive ${BG_PID[$1]}" 30 || stop_bg "$1" KILL
	wait "${BG_PID[$1]}" 2>/dev/null
	return 0
}

# abuse_gw_clients: the gateway's clients, all workers together.
abuse_gw_clients() {
	local k s=0 c
	for ((k = 0; k < TUNNELS_W; k++)); do
		c=$(tunnels_ctl "$k" --json show 2>/dev/null | jget clients 2>/dev/null)
		s=$((s + ${c:-0}))
	done
	echo "$s"
}

# abuse_lg_fresh TAG: waits (12 s at most each) until every loadgen process of TAG has written
# a stats line after this call (they write one every 5 s), or has ended.
abuse_lg_fresh() {
	local tag=$1 p
	local -a before=()
	for ((p = 0; p < ${TUNNELS_P[$tag]}; p++)); do
		before[p]=$(wc -l <"$WORK/$tag.$p.out")
	done
	for ((p = 0; p < ${TUNNELS_P[$tag]}; p++)); do
		wait_for "[ \$(wc -l <'$WORK/$tag.$p.out') -gt ${before[p]} ] ||
			! pid_alive ${BG_PID[$tag.$p]}" 12
	done
}

# abuse_lg_now TAG: {up, dropped, failed, procs} from the last stats line of each loadgen
# process of TAG (tunnels_lg_sum prefers the ready file, which is older).
abuse_lg_now() {
	"$PY" - "$WORK" "$1" "${TUNNELS_P[$1]}" <<-'PY'
		import json, os, sys
		work, tag, procs = sys.argv[1], sys.argv[2], int(sys.argv[3])
		s = {"up": 0, "dropped": 0, "failed": 0, "procs": procs}
		for p in range(procs):
		    try:
		        lines = open(os.path.join(work, "%s.%d.out" % (tag, p))).read().splitlines()
		    except OSError:
		        continue
		    for l in reversed([l for l in lines if l.startswith("{")]):
		        try:
		            j = json.loads(l)
		        except ValueError:
		            continue
		        for k in ("up", "dropped", "failed"):
		            s[k] += j.get(k) or 0
		        break
		print(json.dumps(s))
	PY
}

# abuse_watch SECONDS PID...: until every PID has ended (at most SECONDS), samples the
# gateway's memory and the time worker 0's control socket takes to answer, every 0.2 s: their
# maxima in ABUSE_PEAK (KiB) and ABUSE_CTL_MS. Not for $(...).
abuse_watch() {
	local max=$(($1 * 5)) i pid alive r t0 ms
	shift
	ABUSE_PEAK=$(tunnels_gw_rss)
	ABUSE_CTL_MS=0
	for ((i = 0; i < max; i++)); do
		alive=0
		for pid in "$@"; do
			pid_alive "$pid" && alive=1
		done
		[ "$alive" = 1 ] || break
		r=$(tunnels_gw_rss)
		[ "$r" -gt "$ABUSE_PEAK" ] && ABUSE_PEAK=$r
		t0=$(now_ms)
		tunnels_ctl 0 show >/dev/null 2>&1
		ms=$(($(now_ms) - t0))
		[ "$ms" -gt "$ABUSE_CTL_MS" ] && ABUSE_CTL_MS=$ms
		# A sampling interval, not a wait for readiness.
		sleep 0.2
	done
}

# abuse_udp_noports: UDP datagrams c2's kernel received for a port nobody listens on (the
# blast's), i.e. what reached the victim through its tunnel.
abuse_udp_noports() {
	# shellcheck disable=SC2016 # awk's own fields
	n c2 awk '$1 == "Udp6NoPorts" { print $2 }' /proc/net/snmp6
}

# abuse_blast_script: $WORK/abuse-blast.py DST PORT MBIT SECONDS PAYLOAD: UDP to DST:PORT at
# MBIT Mbit/s of payload for SECONDS, paced every millisecond; prints {sent, errors, seconds}.
abuse_blast_script() {
	cat >"$WORK/abuse-blast.py" <<-'PY'
		import json, socket, sys, time
		dst, port, mbit, secs, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
		    float(sys.argv[4]), int(sys.argv[5])
		s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
		pps, data, sent, err = mbit * 1e6 / 8 / size, bytes(size), 0, 0
		t0 = time.monotonic()
		while True:
		    t = time.monotonic() - t0
		    if t >= secs:
		        break
		    # Catch up at most 50 ms of packets at once: a stalled sender does not burst.
		    due = min(int(t * pps) + 1, sent + err + int(pps / 20) + 1)
		    while sent + err < due:
		        try:
		            s.sendto(data, (dst, port))
		            sent += 1
		        except OSError:
		            err += 1
		    time.sleep(0.001)
		el = time.monotonic() - t0
		print(json.dumps({"sent": sent, "errors": err, "seconds": round(el, 2),
		                  "mbit_per_s": round(sent * size * 8 / el / 1e6, 1), "payload": size}))
	PY
}

# abuse_blast NAME: the UDP blast from the intranet host to the victim's address (port 9),
# in the background; 1 when the victim has no address.
abuse_blast() {
	local a
	a=$(abuse_addr c2 victim0) || return 1
	start_bg "$1" n in "$PY" "$WORK/abuse-blast.py" "$a" 9 "$ABUSE_MBIT" "$ABUSE_BLAST_S" \
		"$ABUSE_PAYLOAD"
}

# ---------------------------------------------------------------------------------------------
# One abuse: the common frame

# abuse_before NAME: the state before: observer's pings (3 s), memory, counters, client
# counts; into ABUSE_B_* and $WORK/NAME-0.show.K.json.
abuse_before() {
	echo "# abuse $1: before"
	abuse_ping "$1-rtt0" 3
	abuse_ping_wait "$1-rtt0"
	abuse_lg_fresh abg
	ABUSE_B_BG=$(abuse_lg_now abg)
	ABUSE_B_CL=$(abuse_gw_clients)
	ABUSE_B_RX=$(abuse_udp_noports)
	ABUSE_B_SINCE=$(client_state victim0 since)
	tunnels_gw_show "$1-0"
	ABUSE_B_RSS=$(tunnels_gw_rss)
}

# abuse_after NAME LABEL SECONDS EXTRA-JSON: the state after (the victim's recovery, memory,
# counters, background tunnels from a fresh stats line) and $ABUSE_D/NAME.json.
abuse_after() {
	local name=$1 t0 rec=null rss1 bg1 cl1 rx1
	t0=$(now_ms)
	if wait_for abuse_victim_ping 30; then
		rec=$(($(now_ms) - t0))
	fi
	abuse_lg_fresh abg
	bg1=$(abuse_lg_now abg)
	cl1=$(abuse_gw_clients)
	rx1=$(abuse_udp_noports)
	tunnels_gw_show "$name-1"
	rss1=$(tunnels_gw_rss)
	"$PY" - "$WORK" "$name" "$2" "$3" "$TUNNELS_W" "$ABUSE_B_RSS" "$ABUSE_PEAK" "$rss1" \
		"$ABUSE_B_BG" "$bg1" "$ABUSE_B_CL" "$cl1" "$rec" "$ABUSE_B_SINCE" \
		"$(client_state victim0 since)" "$ABUSE_CTL_MS" "$((${rx1:-0} - ${ABUSE_B_RX:-0}))" \
		"$4" >"$ABUSE_D/$name.json" <<-'PY'
			import json, re, sys
			a = sys.argv
			work, name, w = a[1], a[2], int(a[5])

			def rtt(f):
			    try:
			        s = open(f).read()
			    except OSError:
			        return None
			    t = sorted(float(x) * 1000 for x in re.findall(r"time=([0-9.]+) ms", s))
			    m = re.search(r"(\d+) packets transmitted", s)
			    sent = int(m.group(1)) if m else None
			    pick = lambda q: round(t[min(len(t) - 1, int(q * len(t)))]) if t else None
			    return {"sent": sent, "received": len(t),
			            "loss_pct": round(100.0 * (sent - len(t)) / sent, 1) if sent else None,
			            "median_us": pick(0.5), "p99_us": pick(0.99),
			            "max_us": round(t[-1]) if t else None}

			def flat(j, pre, out):
			    for k, v in j.items():
			        if isinstance(v, dict):
			            flat(v, pre + k + ".", out)
			        elif isinstance(v, int) and not isinstance(v, bool):
			            out[pre + k] = out.get(pre + k, 0) + v

			def counters(tag):
			    out = {}
			    for k in range(w):
			        try:
			            j = json.load(open("%s/%s.show.%d.json" % (work, tag, k)))
			        except (OSError, ValueError):
			            continue
			        flat({"link": j.get("link", {}), "connections": j.get("connections", {})},
			             "", out)
			    return out

			c0, c1 = counters(name + "-0"), counters(name + "-1")
			# What grew: drops, refusals, connections; the link's gauges (addresses) are left out.
			grew = {k: c1[k] - c0.get(k, 0) for k in sorted(c1)
			        if c1[k] != c0.get(k, 0) and k != "link.addresses"}
			bg0, bg1 = json.loads(a[9]), json.loads(a[10])
			rec = json.loads(a[13])
			r = {"name": name, "label": a[3], "seconds": int(a[4]),
			     "gw_rss_kib": {"before": int(a[6]), "peak": max(int(a[7]), int(a[6]), int(a[8])),
			                    "after": int(a[8])},
			     "counters": grew,
			     "rtt_before": rtt("%s/%s-rtt0.out" % (work, name)),
			     "rtt_during": rtt("%s/%s-rtt1.out" % (work, name)),
			     "background": {"up_before": bg0["up"], "up_after": bg1["up"],
			                    "dropped": bg1["dropped"] - bg0["dropped"]},
			     "gw_clients": {"before": int(a[11]), "after": int(a[12])},
			     "victim": {"recovered": rec is not None, "recover_ms": rec,
			                "reconnected": a[14] != a[15], "udp_received": int(a[17])},
			     "ctl_ms_max": int(a[16])}
			r.update(json.loads(a[18]))
			print(json.dumps(r))
		PY
	cat "$ABUSE_D/$name.json"
}

# ---------------------------------------------------------------------------------------------
# The abuses

# abuse_slow: abuse 1, the slow reader.
abuse_slow() {
	local name=slow_reader blast=null
	abuse_before "$name"
	echo "# abuse $name: c2's link at 1 Mbit/s, $ABUSE_MBIT Mbit/s of UDP at the victim"
	n gw tc qdisc add dev c2 root tbf rate 1mbit burst 32kbit latency 400ms ||
		tunnels_note "slow reader: tc tbf on gw's c2 failed; the victim's link was not slowed"
	abuse_ping "$name-rtt1" "$ABUSE_BLAST_S"
	if abuse_blast "$name-blast"; then
		abuse_watch "$((ABUSE_BLAST_S + 10))" "${BG_PID[$name-blast]}"
		stop_bg "$name-blast" KILL
		blast=$(grep '^{' "$WORK/$name-blast.out" | tail -n 1)
	else
		tunnels_note "slow reader: the victim had no address; nothing was sent"
	fi
	abuse_ping_wait "$name-rtt1"
	n gw tc qdisc del dev c2 root 2>/dev/null
	abuse_after "$name" "slow reader (victim's link at 1 Mbit/s, $ABUSE_MBIT Mbit/s UDP at it)" \
		"$ABUSE_BLAST_S" "{\"blast\": ${blast:-null}}"
}

# abuse_stopped: abuse 2, the client that stops reading.
abuse_stopped() {
	local name=stopped_reader blast=null pid=${BG_PID[victim0]} st
	abuse_before "$name"
	echo "# abuse $name: the victim's client SIGSTOPped, $ABUSE_MBIT Mbit/s of UDP at it"
	kill -STOP "$pid"
	st=$(ps -o stat= -p "$pid" 2>/dev/null)
	abuse_ping "$name-rtt1" "$ABUSE_BLAST_S"
	if abuse_blast "$name-blast"; then
		abuse_watch "$((ABUSE_BLAST_S + 10))" "${BG_PID[$name-blast]}"
		stop_bg "$name-blast" KILL
		blast=$(grep '^{' "$WORK/$name-blast.out" | tail -n 1)
	else
		tunnels_note "stopped reader: the victim had no address; nothing was sent"
	fi
	abuse_ping_wait "$name-rtt1"
	kill -CONT "$pid"
	abuse_after "$name" "client stops reading (SIGSTOP, $ABUSE_MBIT Mbit/s UDP at it)" \
		"$ABUSE_BLAST_S" "{\"blast\": ${blast:-null}, \"victim_state\": \"${st// /}\"}"
}

# abuse_flood: abuse 3, the handshake flood. TUNNELS_INFLIGHT is tunnels_lg_start's total of
# handshakes in flight; here it is the flood's.
abuse_flood() {
	# shellcheck disable=SC2034 # TUNNELS_INFLIGHT is for tunnels_lg_start
	local name=handshake_flood per sum=null p procs pids=() TUNNELS_INFLIGHT=$ABUSE_FLOOD_INFLIGHT
	per=$(tunnels_per_proc)
	abuse_before "$name"
	echo "# abuse $name: $ABUSE_FLOOD_PROCS loadgen processes, $ABUSE_FLOOD_INFLIGHT in" \
		"flight, for $ABUSE_FLOOD_S s"
	abuse_ping "$name-rtt1" "$ABUSE_FLOOD_S"
	if tunnels_lg_start aflood "$((ABUSE_FLOOD_PROCS * per))" --timeout 2 \
		--hold "$ABUSE_FLOOD_S" --max-time "$ABUSE_FLOOD_S"; then
		procs=${TUNNELS_P[aflood]}
		for ((p = 0; p < procs; p++)); do
			pids+=("${BG_PID[aflood.$p]}")
		done
		abuse_watch "$((ABUSE_FLOOD_S + 30))" "${pids[@]}"
		tunnels_lg_stop aflood
		sum=$(tunnels_lg_sum aflood)
	fi
	abuse_ping_wait "$name-rtt1"
	# The flood's tunnels closed: until the gateway has let them all go (bounded).
	wait_for "[ \$(abuse_gw_clients) -le $ABUSE_B_CL ]" 60 ||
		tunnels_note "handshake flood: the gateway still had more clients than before 60 s later"
	abuse_after "$name" "handshake flood ($ABUSE_FLOOD_PROCS loadgen, $ABUSE_FLOOD_INFLIGHT in \
flight, 2 s per step, no per-source limits)" "$ABUSE_FLOOD_S" "$(abuse_flood_json "$sum")"
}

# abuse_flood_json SUM: {"flood": ...} from tunnels_lg_sum's summary of the flood (or null):
# the tunnels that came up (up at the end, or dropped by the gateway before) and the failures.
abuse_flood_json() {
	"$PY" - "$1" <<-'PY'
		import json, sys
		s = json.loads(sys.argv[1])
		if s is None:
		    print(json.dumps({"flood": None}))
		    sys.exit(0)
		print(json.dumps({"flood": {
		    "procs": s["procs"], "asked": s["target"], "completed": s["up"] + s["dropped"],
		    "failed": s["failed"], "failures": s["failures"], "elapsed_ms": s["elapsed_ms"],
		    "rate_per_s": round(s["rate_per_s"], 1)}}))
	PY
}

# ---------------------------------------------------------------------------------------------
# Set-up, the run, $RES/abuse.json

# abuse_clients: the observer (c1, probe0) and the victim (c2, victim0), reconnecting after
# 1-5 s rather than the default 30-900 s, so that a victim the gateway let go comes back within
# the run. Each sends from its tunnel address once so that the gateway knows it (no neighbour
# resolution toward every client later). 1 when either does not come up.
abuse_clients() {
	local t a
	hosts_write "$WORK/abuse-c2-hosts" "$ABUSE_C2_GW $GW_NAME"
	client_start probe0 c1 --ca "$WORK/ca.crt" --tun probe0 --retry-base 1 --retry-max 5 \
		"https://$GW_NAME/IPHTTPS"
	client_start_hosts victim0 c2 "$WORK/abuse-c2-hosts" --ca "$WORK/ca.crt" --tun victim0 \
		--retry-base 1 --retry-max 5 "https://$GW_NAME/IPHTTPS"
	for t in probe0:c1 victim0:c2; do
		if ! client_wait "${t%:*}" up 60 || ! wait_for "abuse_addr ${t#*:} ${t%:*}" 10; then
			client_log "${t%:*}" 10
			tunnels_note "the ${t%:*} client did not come up; abuses skipped"
			return 1
		fi
		a=$(abuse_addr "${t#*:}" "${t%:*}")
		if ! wait_for "n ${t#*:} ping -6 -n -c 1 -W 1 -I $a $ABUSE_INTRA" 15; then
			tunnels_note "the ${t%:*} client ($a) does not reach the intranet; abuses skipped"
			return 1
		fi
		echo "# abuse: ${t%:*} up at $a"
	done
	wait_for abuse_victim_ping 10 || {
		tunnels_note "the intranet host does not reach the victim; abuses skipped"
		return 1
	}
	# Their addresses tell their workers apart (one /64 each): on the same worker the victim's
	# abuse shares the observer's event loop.
	printf '{"observer": "%s", "victim": "%s"}\n' "$(abuse_addr c1 probe0)" \
		"$(abuse_addr c2 victim0)" >"$ABUSE_D/clients.json"
}

# abuse_load N: the gateway (tunnels.sh's configuration, also on c2's side) and N idle
# tunnels from loadgen (tag abg) held for the whole run; $ABUSE_D/load.json. 1 when the gateway
# or loadgen does not start.
abuse_load() {
	local n=$1 w bound=$((120 + $1 / 100)) s
	tunnels_workers "$n"
	w=$TUNNELS_WANT
	echo "# abuse: gateway with $w worker(s), $n idle tunnels"
	tunnels_gw_conf "$w" "listen $ABUSE_C2_GW:443"
	tunnels_gw_start "$w" || {
		tunnels_note "the gateway did not start with $w worker(s); abuses skipped"
		return 1
	}
	# Each worker's /64 of the link prefix (tunnels_prefix) is routed through gw.
	n in ip -6 route replace "$(tunnels_prefix "$w")" via 2001:db8:100::1
	tunnels_lg_start abg "$n" --hold "$((bound + 900))" --max-time "$((bound + 1000))" ||
		return 1
	wait_for "tunnels_lg_settled abg" "$bound" ||
		tunnels_note "load: not all $n tunnels settled within $bound s"
	s=$(tunnels_lg_sum abg)
	"$PY" - "$n" "$w" "$s" >"$ABUSE_D/load.json" <<-'PY'
		import json, sys
		s = json.loads(sys.argv[3])
		print(json.dumps({"target": int(sys.argv[1]), "up": s["up"], "failed": s["failed"],
		                  "failures": s["failures"], "gw_workers": int(sys.argv[2]),
		                  "loadgen_procs": s["procs"], "ramp_ms": s["ramp_ms"]}))
	PY
	cat "$ABUSE_D/load.json"
	if [ "$(pj "$ABUSE_D/load.json" up)" -lt "$n" ]; then
		tunnels_note "load: $(pj "$ABUSE_D/load.json" up) of $n idle tunnels came up \
(failures by step: $(pj "$ABUSE_D/load.json" failures)); the abuses ran with those."
	fi
}

# abuse_down: everything abuse_all started, by PID, and its routes and addresses.
abuse_down() {
	local w=$TUNNELS_W
	[ -n "${BG_PID[victim0]:-}" ] && kill -CONT "${BG_PID[victim0]}" 2>/dev/null
	n gw tc qdisc del dev c2 root 2>/dev/null
	[ -n "${BG_PID[probe0]:-}" ] && stop_bg probe0 TERM
	[ -n "${BG_PID[victim0]:-}" ] && stop_bg victim0 TERM
	[ -n "${TUNNELS_P[abg]:-}" ] && tunnels_lg_stop abg
	tunnels_gw_stop
	[ "$w" -gt 1 ] && n in ip -6 route del "$(tunnels_prefix "$w")" via 2001:db8:100::1
	tunnels_src_down
	return 0
}

# abuse_write: $RES/abuse.json from the pieces measured.
abuse_write() {
	"$PY" - "$ABUSE_D" "$RES/abuse.json" <<-'PY'
		import json, os, sys
		d, out = sys.argv[1], sys.argv[2]
		r = {"abuses": []}
		for name in ("load", "clients"):
		    p = os.path.join(d, name + ".json")
		    if os.path.exists(p):
		        r[name] = json.load(open(p))
		for name in ("slow_reader", "stopped_reader", "handshake_flood"):
		    p = os.path.join(d, name + ".json")
		    if os.path.exists(p):
		        r["abuses"].append(json.load(open(p)))
		p = os.path.join(d, "notes")
		r["notes"] = open(p).read().splitlines() if os.path.exists(p) else []
		json.dump(r, open(out, "w"), indent=1)
	PY
}

# abuse_all: the run and $RES/abuse.json. Needs topo_up c1 c2 in and client_init; makes the
# CA "ca" and tunnels.sh's gateway certificate "tungw" if tunnels_all has not. tunnels.sh's
# notes go to this run's own notes (TUNNELS_D).
abuse_all() {
	# shellcheck disable=SC2034 # TUNNELS_D is for tunnels_note
	local n=${BENCH_ABUSE_TUNNELS:-100000} TUNNELS_D=$WORK/abuse
	[ "${BENCH_QUICK:-0}" = 1 ] && n=${BENCH_ABUSE_TUNNELS:-2000}
	ABUSE_D=$TUNNELS_D
	mkdir -p "$ABUSE_D" "$RES"
	: >"$ABUSE_D/notes"
	if [ ! -f "$WORK/ca.crt" ]; then
		make_ca ca "iphttps bench CA" || bail "make_ca"
	fi
	if [ ! -f "$WORK/tungw.crt" ]; then
		make_leaf_rsa tungw ca "DNS:$GW_NAME,IP:$TUNNELS_GW" || bail "make_leaf_rsa tungw"
	fi
	abuse_blast_script
	tunnels_note "Bad input: $n idle tunnels held by build/loadgen in c1 while two real clients \
run, the observer in c1 and the victim in c2 (\`iphttps connect\`, reconnecting after 1-5 s). \
Observer RTT: ping to the intranet host every $ABUSE_PING_I s, 3 s before and all through \
each abuse. The UDP blast (${ABUSE_PAYLOAD}-byte payloads, \
$ABUSE_MBIT Mbit/s, $ABUSE_BLAST_S s) comes from the intranet host; the flood from c1, which \
the observer shares. Gateway memory is the VmRSS of every iphttpsd process, sampled every \
0.2 s; the victim is 'recovered' when the intranet host pings it again (30 s at most)."
	if abuse_load "$n" && abuse_clients; then
		abuse_slow
		abuse_write
		abuse_stopped
		abuse_write
		abuse_flood
	fi
	abuse_down
	abuse_write
	echo "# abuse: $RES/abuse.json"
}
