# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# bench/tunnels.sh: measurements 4-6 of the benchmark (issue #6), with the C load generator
# build/loadgen (bench/loadgen*.c) in c1 and iphttpsd in gw. Sourced by bench/run.sh after
# tests/netns/lib.sh (iph_init, topo_up c1 in), never run. It provides:
#
#   tunnels_all       runs the three measurements below, one gateway each (RSA-2048 certificate
#                     from make_ca's CA "ca", tls-profile modern), and writes $RES/tunnels.json:
#     4 handshakes    BENCH_HANDSHAKES (default 5000) new tunnels as fast as --inflight 400
#                     allows, the gateway's CPU time (utime + stime of every iphttpsd process)
#                     over the run beside `openssl speed rsa2048` signing on one core;
#     5 idle          for each N in BENCH_TUNNELS (default "1000 10000 50000 100000"), N tunnels
#                     held idle: the gateway's memory (VmRSS of every iphttpsd process, minus the
#                     same before any tunnel) per tunnel, the kernel's TCP memory, the load
#                     generator's own memory;
#     6 storm         BENCH_STORM (default 10000) tunnels kept up with --reconnect, the gateway
#                     restarted: how long until all are back (loadgen's back_ms).
#                     BENCH_QUICK=1 makes it 1000 tunnels for 4 and 6 and "1000 5000" for 5.
#
# The shape of tunnels.json is what bench/report.py reads (tunnel_rows, target_rows):
#   {"handshakes": {key, up, elapsed_ms, rate_per_s, gw_cpu_s, per_core_per_s,
#                   openssl_sign_per_s, ...},
#    "idle": [{target, up, gw_rss_kib, gw_bytes_per_tunnel, tcp_mem_pages, loadgen_rss_kib,
#              ...}, ...],
#    "storm": {target, up, failed, back_ms, ...}, "notes": ["...", ...]}
# Extra members (workers, failures, baselines) are for the raw results file only.
#
# Limits of this machine that shape the runs: a process may hold fewer descriptors than
# RLIMIT_NOFILE's hard limit (20000 in the container, and it cannot be raised), so large counts
# take several loadgen processes (TUNNELS_PER_PROC tunnels each, each from its own eight source
# addresses in 192.0.2.0/24 added to c1's eth0) and a gateway with several worker processes
# (`workers N`, one /64 of a shorter `prefix` each, connections spread by SO_REUSEPORT) when the
# daemon accepts that key; when it does not, one worker holds what its descriptors allow and
# the notes say so. max-clients, which the workers share (N / workers each), is set so that each
# worker's share is just below its descriptor limit: a worker that is full then resets the
# connection at once instead of leaving it in the accept queue until loadgen's step timeout.
#
# It does not: carry traffic through the tunnels, test TLS 1.2 or NULL suites here, or tune the
# kernel (sysctls stay as the namespaces have them).

TUNNELS_GW=192.0.2.1   # c1's side of gw (tests/netns/lib.sh topo_up)
TUNNELS_SRC_NET=192.0.2 # extra source addresses for loadgen, .TUNNELS_SRC_BASE upwards
TUNNELS_SRC_BASE=20
TUNNELS_SRC_PER_PROC=8 # per loadgen process: ~2,250 tunnels per address, far below the ports
TUNNELS_SRC_MAX=254    # the /24's last host address
TUNNELS_PER_WORKER=15000 # gateway workers wanted: ceil(N / this), headroom for SO_REUSEPORT's hash
TUNNELS_INFLIGHT=400   # handshakes in flight, all loadgen processes together
TUNNELS_KEY=RSA-2048
TUNNELS_SRC_ADDED=0 # source addresses added to c1 so far
TUNNELS_WORKERS_OK= # "yes" or "no" once asked
TUNNELS_WANT=1      # tunnels_workers' answer
TUNNELS_W=1         # workers of the gateway running now
TUNNELS_D=          # per-measurement results, set by tunnels_all

# ---------------------------------------------------------------------------------------------
# Limits and notes

# tunnels_nofile: RLIMIT_NOFILE's hard limit of this shell (what loadgen and iphttpsd inherit),
# 1048576 when unlimited.
tunnels_nofile() {
	local l
	l=$(ulimit -Hn)
	[ "$l" = unlimited ] && l=1048576
	echo "$l"
}

# tunnels_per_proc: tunnels per loadgen process, 18000 or fewer when descriptors are scarcer.
tunnels_per_proc() {
	local l
	l=$(($(tunnels_nofile) - 2000))
	[ "$l" -gt 18000 ] && l=18000
	[ "$l" -lt 100 ] && l=100
	echo "$l"
}

# tunnels_max_clients: the tunnels one worker may hold: below the descriptor limit by the
# daemon's own descriptors (listeners, TUN, epoll, control, log).
tunnels_max_clients() {
	echo $(($(tunnels_nofile) - 128))
}

# tunnels_note TEXT: one line for the report's notes.
tunnels_note() {
	echo "# note: $1"
	printf '%s\n' "$1" >>"$TUNNELS_D/notes"
}

# ---------------------------------------------------------------------------------------------
# The gateway

# tunnels_prefix W: the link prefix for W workers: the /64 of the other tests alone, else the
# shortest aligned prefix holding W /64s (worker k gets its /64 number k).
tunnels_prefix() {
	local w=$1 bits=0
	while [ $((1 << bits)) -lt "$w" ]; do
		bits=$((bits + 1))
	done
	echo "2001:db8:1:1000::/$((64 - bits))"
}

# tunnels_gw_conf W [LINE...]: $WORK/gw.conf for W workers (the key only when W > 1, so that a
# daemon without it still starts with one). Keys once each: iphttpsd refuses duplicates.
tunnels_gw_conf() {
	local w=$1 l
	shift
	mkdir -p "$WORK/state"
	chmod 700 "$WORK/state"
	{
		echo "# written by bench/tunnels.sh"
		echo "listen $TUNNELS_GW:443"
		echo "prefix $(tunnels_prefix "$w")"
		echo "tun iphttps0"
		echo "state-dir $WORK/state"
		echo "control $SOCK"
		echo "user nobody"
		echo "log-level notice"
		echo "route 2001:db8:100::/48"
		echo "certificate $WORK/tungw.crt"
		echo "key $WORK/tungw.key"
		echo "handshake-rate 0"
		echo "max-conn-per-source 0"
		# The workers' shares: max-clients / workers each (iphttpsd.conf(5)).
		echo "max-clients $((w * $(tunnels_max_clients)))"
		[ "$w" -gt 1 ] && echo "workers $w"
		for l in "$@"; do
			echo "$l"
		done
	} >"$WORK/gw.conf"
}

# tunnels_workers_ok: whether this iphttpsd accepts `workers 2` (asked once, `iphttpsd -n`).
# When it does not, a note says so, with the daemon's own words.
tunnels_workers_ok() {
	local why
	if [ -z "$TUNNELS_WORKERS_OK" ]; then
		tunnels_gw_conf 2
		if "$BUILD/iphttpsd" -n -c "$WORK/gw.conf" >"$WORK/tun-workers.check" 2>&1; then
			TUNNELS_WORKERS_OK=yes
		else
			TUNNELS_WORKERS_OK=no
			# Its first error without the time stamp and FILE:LINE.
			why=$(sed -n '1{s/.*]: //;s/^[^:]*:[0-9]*: //;p}' "$WORK/tun-workers.check")
			tunnels_note "This iphttpsd refuses \`workers 2\` ($why): the gateway runs one \
worker process, which holds at most $(tunnels_max_clients) tunnels (its max-clients is set below \
RLIMIT_NOFILE's hard limit of $(tunnels_nofile) descriptors)."
		fi
	fi
	[ "$TUNNELS_WORKERS_OK" = yes ]
}

# tunnels_workers N: sets TUNNELS_WANT to the gateway workers for N tunnels (1 without the
# key; at most 64). Not for $(...): tunnels_workers_ok keeps its answer in this shell.
tunnels_workers() {
	local w=$((($1 + TUNNELS_PER_WORKER - 1) / TUNNELS_PER_WORKER))
	[ "$w" -lt 1 ] && w=1
	[ "$w" -gt 64 ] && w=64
	if [ "$w" -gt 1 ] && ! tunnels_workers_ok; then
		w=1
	fi
	TUNNELS_WANT=$w
}

# tunnels_ctl K ARGS...: iphttpsctl on worker K's control socket.
tunnels_ctl() {
	local k=$1 s=$SOCK
	shift
	[ "$k" -gt 0 ] && s=$SOCK.$k
	n gw "$BUILD/iphttpsctl" -s "$s" "$@"
}

# tunnels_gw_start W: iphttpsd in gw with $WORK/gw.conf; waits (bounded) until every worker's
# control socket answers. Unlike lib.sh's gw_start it does not bail: 1 on failure, so the
# other measurements still run.
tunnels_gw_start() {
	local w=$1 k
	[ -f "$WORK/gw.err" ] && mv "$WORK/gw.err" "$WORK/gw.err.$GW_PID"
	start_bg gw n gw "$BUILD/iphttpsd" -c "$WORK/gw.conf"
	GW_PID=${BG_PID[gw]}
	TUNNELS_W=$w
	for ((k = 0; k < w; k++)); do
		wait_for "tunnels_ctl $k show || ! pid_alive $GW_PID" 20
		if ! tunnels_ctl "$k" show >/dev/null 2>&1; then
			echo "# iphttpsd worker $k did not become ready; its log:"
			gw_log 20
			tunnels_gw_stop
			return 1
		fi
	done
}

# tunnels_gw_pids: every iphttpsd process in gw (the privileged parent and the workers).
tunnels_gw_pids() {
	local pid
	for pid in $(ip netns pids "$ID-gw" 2>/dev/null); do
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		iphttpsd*) echo "$pid" ;;
		esac
	done
}

# tunnels_gw_stop: SIGTERM to the daemon; it may take a while to close many thousand tunnels,
# so 30 s before SIGKILL; then its workers must be gone too (10 s, else SIGKILL by PID).
tunnels_gw_stop() {
	local pid
	[ -n "${BG_PID[gw]:-}" ] || return 0
	stop_bg gw TERM
	if pid_alive "$GW_PID"; then
		wait_for "! pid_alive $GW_PID" 30 || stop_bg gw KILL
	fi
	if ! wait_for "[ -z \"\$(tunnels_gw_pids)\" ]" 10; then
		for pid in $(tunnels_gw_pids); do
			kill -KILL "$pid" 2>/dev/null
		done
	fi
}

# tunnels_gw_rss: the sum of VmRSS (KiB) of every iphttpsd process in gw.
tunnels_gw_rss() {
	local pid s=0 v
	for pid in $(tunnels_gw_pids); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# tunnels_gw_ticks: the sum of utime + stime (clock ticks) of every iphttpsd process in gw.
tunnels_gw_ticks() {
	local pid s=0 v
	for pid in $(tunnels_gw_pids); do
		v=$(cpu_ticks "$pid")
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# tunnels_sockstat FIELD: a field of the TCP line of /proc/net/sockstat, read in gw: "mem"
# (pages, counted for the whole kernel) or "inuse" (sockets of gw's namespace).
tunnels_sockstat() {
	# shellcheck disable=SC2016 # awk's own fields
	n gw awk -v f="$1" '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' \
		/proc/net/sockstat
}

# tunnels_gw_show TAG: every worker's `show --json` into $WORK/TAG.show.K.json (the counters:
# clients, rejected_max, handshake failures), for the notes.
tunnels_gw_show() {
	local k
	for ((k = 0; k < TUNNELS_W; k++)); do
		tunnels_ctl "$k" --json show >"$WORK/$1.show.$k.json" 2>/dev/null
	done
}

# ---------------------------------------------------------------------------------------------
# The load generator

# tunnels_src_up P: source addresses for P loadgen processes on c1's eth0 (documentation range
# 192.0.2.0/24, TUNNELS_SRC_PER_PROC each); 1 when the /24 has too few.
tunnels_src_up() {
	local want=$(($1 * TUNNELS_SRC_PER_PROC)) i
	[ $((TUNNELS_SRC_BASE + want - 1)) -le "$TUNNELS_SRC_MAX" ] || return 1
	[ "$want" -le "$TUNNELS_SRC_ADDED" ] && return 0
	for ((i = TUNNELS_SRC_ADDED; i < want; i++)); do
		echo "addr add $TUNNELS_SRC_NET.$((TUNNELS_SRC_BASE + i))/24 dev eth0"
	done >"$WORK/tun-src.batch"
	n c1 ip -batch "$WORK/tun-src.batch" || return 1
	TUNNELS_SRC_ADDED=$want
}

# tunnels_src_down: removes them again.
tunnels_src_down() {
	local i
	for ((i = 0; i < TUNNELS_SRC_ADDED; i++)); do
		echo "addr del $TUNNELS_SRC_NET.$((TUNNELS_SRC_BASE + i))/24 dev eth0"
	done >"$WORK/tun-src.batch"
	[ "$TUNNELS_SRC_ADDED" -gt 0 ] && n c1 ip -force -batch "$WORK/tun-src.batch"
	TUNNELS_SRC_ADDED=0
}

# tunnels_procs N: loadgen processes for N tunnels.
tunnels_procs() {
	local per
	per=$(tunnels_per_proc)
	echo $((($1 + per - 1) / per))
}

# tunnels_lg_start TAG N ARGS...: N tunnels to the gateway from ceil(N / TUNNELS_PER_PROC)
# loadgen processes in c1 (background names TAG.0, TAG.1, ...), each from its own source
# addresses, TUNNELS_INFLIGHT handshakes in flight between them, a stats line every 5 s, the
# ready file $WORK/TAG.P.ready; ARGS (--hold, --reconnect, --max-time) go to each. Sets
# TUNNELS_P[TAG]. 1 when the source addresses run out.
tunnels_lg_start() {
	local tag=$1 n=$2 p procs cnt lo hi inflight
	shift 2
	procs=$(tunnels_procs "$n")
	tunnels_src_up "$procs" || {
		tunnels_note "$n tunnels need $procs loadgen processes and $((procs * \
TUNNELS_SRC_PER_PROC)) source addresses from $TUNNELS_SRC_NET.$TUNNELS_SRC_BASE; the /24 \
has too few."
		return 1
	}
	TUNNELS_P[$tag]=$procs
	inflight=$(((TUNNELS_INFLIGHT + procs - 1) / procs))
	for ((p = 0; p < procs; p++)); do
		cnt=$((n / procs + (p < n % procs ? 1 : 0)))
		lo=$((TUNNELS_SRC_BASE + p * TUNNELS_SRC_PER_PROC))
		hi=$((lo + TUNNELS_SRC_PER_PROC - 1))
		rm -f "$WORK/$tag.$p.ready"
		start_bg "$tag.$p" n c1 "$BUILD/loadgen" -c "$TUNNELS_GW:443" -n "$cnt" \
			--src-range "$TUNNELS_SRC_NET.$lo-$TUNNELS_SRC_NET.$hi" --name "$GW_NAME" \
			--ca "$WORK/ca.crt" --inflight "$inflight" --stats-every 5 \
			--ready-file "$WORK/$tag.$p.ready" "$@"
	done
}
declare -gA TUNNELS_P

# tunnels_lg_settled TAG: every process of TAG has written its ready file or has ended.
tunnels_lg_settled() {
	local p
	for ((p = 0; p < TUNNELS_P[$1]; p++)); do
		[ -f "$WORK/$1.$p.ready" ] || ! pid_alive "${BG_PID[$1.$p]}" || return 1
	done
}

# tunnels_lg_back TAG: every process of TAG has reported all its tunnels back after an outage
# (a back_ms number in its ready file) or has ended.
tunnels_lg_back() {
	local p
	for ((p = 0; p < TUNNELS_P[$1]; p++)); do
		grep -q '"back_ms":[0-9]' "$WORK/$1.$p.ready" 2>/dev/null ||
			! pid_alive "${BG_PID[$1.$p]}" || return 1
	done
}

# tunnels_lg_stop TAG: SIGTERM to every process of TAG (each prints its "end" line and closes
# its tunnels), 20 s each at most, then SIGKILL.
tunnels_lg_stop() {
	local p name
	for ((p = 0; p < TUNNELS_P[$1]; p++)); do
		kill -TERM "${BG_PID[$1.$p]}" 2>/dev/null
	done
	for ((p = 0; p < TUNNELS_P[$1]; p++)); do
		name=$1.$p
		wait_for "! pid_alive ${BG_PID[$name]}" 20 || stop_bg "$name" KILL
		wait "${BG_PID[$name]}" 2>/dev/null
	done
}

# tunnels_lg_sum TAG: one JSON object summing the processes of TAG, each read from its ready
# file or, without one, from the last JSON line of its output: procs, up, failed, failures by
# step, dropped, rss_kb, ramp_ms and elapsed_ms (the slowest process), rate_per_s (the sum),
# back_ms (the longest), settled (every process had its ready file), and the first warnings
# loadgen printed.
tunnels_lg_sum() {
	"$PY" - "$WORK" "$1" "${TUNNELS_P[$1]}" <<-'PY'
		import json, os, sys
		work, tag, procs = sys.argv[1], sys.argv[2], int(sys.argv[3])
		s = {"procs": procs, "up": 0, "target": 0, "failed": 0, "dropped": 0, "rss_kb": 0,
		     "rss_base_kb": 0, "ramp_ms": 0, "elapsed_ms": 0, "rate_per_s": 0.0,
		     "back_ms": None, "settled": True, "failures": {}, "warnings": []}
		for p in range(procs):
		    base = os.path.join(work, "%s.%d" % (tag, p))
		    line = None
		    if os.path.exists(base + ".ready"):
		        line = open(base + ".ready").read().strip()
		    else:
		        s["settled"] = False
		        lines = [l for l in open(base + ".out").read().splitlines() if l.startswith("{")]
		        line = lines[-1] if lines else None
		    try:
		        for w in open(base + ".err").read().splitlines()[:3]:
		            s["warnings"].append(w.strip())
		    except OSError:
		        pass
		    if not line:
		        continue
		    j = json.loads(line)
		    for k in ("up", "target", "failed", "dropped", "rss_kb", "rss_base_kb"):
		        s[k] += j.get(k) or 0
		    for k in ("ramp_ms", "elapsed_ms"):
		        s[k] = max(s[k], j.get(k) or 0)
		    s["rate_per_s"] += j.get("rate_per_s") or 0
		    for k, v in (j.get("failures") or {}).items():
		        s["failures"][k] = s["failures"].get(k, 0) + v
		    if j.get("back_ms") is not None:
		        s["back_ms"] = max(s["back_ms"] or 0, j["back_ms"])
		print(json.dumps(s))
	PY
}

# ---------------------------------------------------------------------------------------------
# The measurements

# tunnels_openssl_sign: RSA-2048 signatures per second on one core (`openssl speed`'s sign/s).
tunnels_openssl_sign() {
	timeout 60 openssl speed -seconds 2 rsa2048 2>/dev/null |
		awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { print $6; exit }'
}

# tunnels_handshakes N NAME PROFILE TLS [LOADGEN-ARGS...]: measurement 4 into
# $TUNNELS_D/NAME.json: TLS 1.3 (ECDHE and an RSA-PSS signature per tunnel) or TLS 1.2
# NULL-SHA256 (RSA key transport: one RSA decryption, what Windows 8+ clients negotiate first).
tunnels_handshakes() {
	local n=$1 name=$2 profile=$3 tls=$4 sign t0 t1=0 hz sum="" bound=$((60 + $1 / 50))
	shift 4
	echo "# tunnels: $n new tunnels, $TUNNELS_KEY, $tls"
	sign=$(tunnels_openssl_sign)
	tunnels_gw_conf 1 "tls-profile $profile"
	tunnels_gw_start 1 || {
		tunnels_note "handshakes: the gateway did not start"
		return 1
	}
	t0=$(tunnels_gw_ticks)
	if tunnels_lg_start hs "$n" --hold "$((bound + 60))" --max-time "$((bound + 120))" "$@"; then
		wait_for "tunnels_lg_settled hs" "$bound" ||
			tunnels_note "handshakes: not all $n settled within $bound s"
		t1=$(tunnels_gw_ticks)
		tunnels_gw_show hs
		sum=$(tunnels_lg_sum hs)
		tunnels_lg_stop hs
	fi
	tunnels_gw_stop
	[ -n "$sum" ] || return 1
	hz=$(getconf CLK_TCK)
	"$PY" - "$sum" "$((t1 - t0))" "$hz" "${sign:-0}" "$TUNNELS_KEY" "$TUNNELS_INFLIGHT" "$tls" \
		>"$TUNNELS_D/$name.json" <<-'PY'
			import json, sys
			s, ticks, hz = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
			sign = float(sys.argv[4])
			cpu = ticks / hz
			print(json.dumps({
			    "key": sys.argv[5], "target": s["target"], "up": s["up"], "failed": s["failed"],
			    "failures": s["failures"], "elapsed_ms": s["ramp_ms"],
			    "rate_per_s": round(s["rate_per_s"], 1), "gw_cpu_s": round(cpu, 2),
			    "per_core_per_s": round(s["up"] / cpu, 1) if cpu > 0 else None,
			    "openssl_sign_per_s": sign or None, "inflight": int(sys.argv[6]),
			    "tls": sys.argv[7],
			}))
		PY
	cat "$TUNNELS_D/$name.json"
}

# tunnels_idle_note N SUM: why fewer than N tunnels came up, from loadgen's counters and the
# gateway's (rejected_max: a worker at its share of max-clients, i.e. at its descriptor limit).
tunnels_idle_note() {
	"$PY" - "$1" "$2" "$TUNNELS_W" "$(tunnels_max_clients)" "$(tunnels_nofile)" \
		"$WORK/idle-$1.show" <<-'PY'
			import json, os, sys
			n, s, show = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[6]
			w, maxc, nofile = (int(x) for x in sys.argv[3:6])
			rej = 0
			for k in range(w):
			    try:
			        rej += json.load(open("%s.%d.json" % (show, k)))["connections"]["rejected_max"]
			    except (OSError, ValueError, KeyError):
			        pass
			why = []
			if n > w * maxc:
			    why.append("descriptor limit: %d gateway worker(s) x %d tunnels each (RLIMIT_NOFILE hard "
			               "limit %d, which cannot be raised here) < %d" % (w, maxc, nofile, n))
			if rej:
			    why.append("the gateway reset %d connections at max-clients" % rej)
			f = {k: v for k, v in s["failures"].items() if v}
			if f:
			    why.append("loadgen failures by step: %s" % ", ".join(
			        "%s %d" % kv for kv in sorted(f.items())))
			if not s["settled"]:
			    why.append("not all loadgen processes settled in time")
			if s["warnings"] and not why:
			    why.append("loadgen said: %s" % " | ".join(s["warnings"][:3]))
			print("idle %d: %d up (%s)." % (n, s["up"], "; ".join(why) or "no reason reported"))
		PY
}

# tunnels_idle_one N: measurement 5 for N tunnels into $TUNNELS_D/idle-N.json.
tunnels_idle_one() {
	local n=$1 w rss0 rss1 mem0 mem1 inuse sum="" bound=$((120 + $1 / 100))
	tunnels_workers "$n"
	w=$TUNNELS_WANT
	echo "# tunnels: $n idle tunnels, $w gateway worker(s)"
	tunnels_gw_conf "$w"
	tunnels_gw_start "$w" || {
		tunnels_note "idle $n: the gateway did not start with $w worker(s)"
		return 1
	}
	rss0=$(tunnels_gw_rss)
	mem0=$(tunnels_sockstat mem)
	if tunnels_lg_start "idle-$n" "$n" --hold "$((bound + 120))" \
		--max-time "$((bound + 180))"; then
		wait_for "tunnels_lg_settled idle-$n" "$bound"
		rss1=$(tunnels_gw_rss)
		mem1=$(tunnels_sockstat mem)
		inuse=$(tunnels_sockstat inuse)
		tunnels_gw_show "idle-$n"
		sum=$(tunnels_lg_sum "idle-$n")
		tunnels_lg_stop "idle-$n"
	fi
	tunnels_gw_stop
	[ -n "$sum" ] || return 1
	"$PY" - "$n" "$w" "$sum" "$rss0" "$rss1" "$mem0" "$mem1" "$inuse" \
		>"$TUNNELS_D/idle-$n.json" <<-'PY'
		import json, sys
		n, w, s = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
		rss0, rss1, mem0, mem1, inuse = (int(x) for x in sys.argv[4:9])
		up = s["up"]
		print(json.dumps({
		    "target": n, "up": up, "failed": s["failed"], "failures": s["failures"],
		    "gw_workers": w, "loadgen_procs": s["procs"], "ramp_ms": s["ramp_ms"],
		    "gw_rss_kib": rss1, "gw_rss_base_kib": rss0,
		    "gw_bytes_per_tunnel": round((rss1 - rss0) * 1024 / up) if up else None,
		    "tcp_mem_pages": mem1, "tcp_mem_base_pages": mem0, "gw_tcp_inuse": inuse,
		    "loadgen_rss_kib": s["rss_kb"], "loadgen_rss_base_kib": s["rss_base_kb"],
		}))
	PY
	cat "$TUNNELS_D/idle-$n.json"
	if [ "$(pj "$TUNNELS_D/idle-$n.json" up)" -lt "$n" ]; then
		tunnels_note "$(tunnels_idle_note "$n" "$sum")"
	fi
}

# tunnels_storm N: measurement 6 into $TUNNELS_D/storm.json: N tunnels kept up (--reconnect),
# then the gateway stopped and started again with the same configuration; back_ms is loadgen's
# (the first drop while all N were up, to all N up again: it includes the gateway's restart,
# which restart_ms measures from our SIGTERM to every worker answering on its control socket).
tunnels_storm() {
	local n=$1 w t0 t1 sum="" restart=null bound=$((120 + $1 / 50)) first="{}"
	tunnels_workers "$n"
	w=$TUNNELS_WANT
	echo "# tunnels: reconnect storm, $n tunnels, $w gateway worker(s)"
	tunnels_gw_conf "$w"
	tunnels_gw_start "$w" || {
		tunnels_note "storm: the gateway did not start"
		return 1
	}
	tunnels_lg_start storm "$n" --reconnect --max-time "$((2 * bound + 300))" || {
		tunnels_gw_stop
		return 1
	}
	if ! wait_for "tunnels_lg_settled storm" "$bound"; then
		tunnels_note "storm: $n tunnels were not all up within $bound s; gateway not restarted"
	else
		first=$(tunnels_lg_sum storm)
		t0=$(now_ms)
		tunnels_gw_stop
		if tunnels_gw_start "$w"; then
			t1=$(now_ms)
			restart=$((t1 - t0))
			wait_for "tunnels_lg_back storm" 300 ||
				tunnels_note "storm: not all $n tunnels back within 300 s of the restart"
		else
			tunnels_note "storm: the gateway did not start again"
		fi
	fi
	sum=$(tunnels_lg_sum storm)
	tunnels_lg_stop storm
	tunnels_gw_stop
	"$PY" - "$n" "$w" "$sum" "$first" "$restart" >"$TUNNELS_D/storm.json" <<-'PY'
		import json, sys
		n, w = int(sys.argv[1]), int(sys.argv[2])
		s, first = json.loads(sys.argv[3]), json.loads(sys.argv[4])
		print(json.dumps({
		    "target": n, "up": s["up"], "failed": s["failed"] - first.get("failed", 0),
		    "back_ms": s["back_ms"], "restart_ms": json.loads(sys.argv[5]), "gw_workers": w,
		    "loadgen_procs": s["procs"], "ramp_ms": first.get("ramp_ms"),
		}))
	PY
	cat "$TUNNELS_D/storm.json"
}

# tunnels_write: $RES/tunnels.json from the pieces measured so far.
tunnels_write() {
	"$PY" - "$TUNNELS_D" "$RES/tunnels.json" <<-'PY'
		import glob, json, os, sys
		d, out = sys.argv[1], sys.argv[2]
		r = {}
		for name in ("handshakes", "handshakes_null", "storm"):
		    p = os.path.join(d, name + ".json")
		    if os.path.exists(p):
		        r[name] = json.load(open(p))
		r["idle"] = sorted((json.load(open(p)) for p in glob.glob(os.path.join(d, "idle-*.json"))),
		                   key=lambda e: e["target"])
		p = os.path.join(d, "notes")
		r["notes"] = open(p).read().splitlines() if os.path.exists(p) else []
		json.dump(r, open(out, "w"), indent=1)
	PY
}

# tunnels_all: measurements 4-6 and $RES/tunnels.json. Needs topo_up c1 (and client_init's
# GW_NAME); makes the CA "ca" if run.sh has not, and its own RSA-2048 gateway certificate.
tunnels_all() {
	local sizes hs=${BENCH_HANDSHAKES:-5000} storm=${BENCH_STORM:-10000} n
	sizes=${BENCH_TUNNELS:-1000 10000 50000 100000}
	if [ "${BENCH_QUICK:-0}" = 1 ]; then
		sizes=${BENCH_TUNNELS:-1000 5000}
		hs=${BENCH_HANDSHAKES:-1000}
		storm=${BENCH_STORM:-1000}
	fi
	TUNNELS_D=$WORK/tunnels
	mkdir -p "$TUNNELS_D" "$RES"
	: >"$TUNNELS_D/notes"
	if [ ! -f "$WORK/ca.crt" ]; then
		make_ca ca "iphttps bench CA" || bail "make_ca"
	fi
	make_leaf_rsa tungw ca "DNS:$GW_NAME,IP:$TUNNELS_GW" || bail "make_leaf_rsa tungw"
	tunnels_note "Tunnels: build/loadgen in c1 (at most $(tunnels_per_proc) tunnels per process: \
RLIMIT_NOFILE's hard limit is $(tunnels_nofile) here), TLS 1.3 to iphttpsd with an $TUNNELS_KEY \
certificate (tls-profile modern); loadgen, gateway and kernel share this machine's cores. Kernel \
TCP memory is /proc/net/sockstat's TCP mem while the tunnels are held: socket buffer pages, \
counted for all namespaces together (both ends of every tunnel), which idle tunnels barely use, \
and which Linux 6.x reserves per CPU in steps of 256 pages, so small values are noise; the \
sockets themselves (slab) are not in it."

	tunnels_workers_ok
	tunnels_handshakes "$hs" handshakes modern "TLS 1.3 AES-128-GCM, ECDHE + RSA-PSS" --tls 1.3
	tunnels_handshakes "$hs" handshakes_null compat "TLS 1.2 NULL-SHA256, RSA key transport" \
		--tls 1.2 --cipher NULL-SHA256
	tunnels_write
	for n in $sizes; do
		tunnels_idle_one "$n"
		tunnels_write
	done
	tunnels_storm "$storm"
	tunnels_src_down
	tunnels_write
	echo "# tunnels: $RES/tunnels.json"
}
