#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/run.sh BUILD_DIR: `make bench` (issue #6). Builds nothing; runs every measurement in
# one go in namespaces of its own and writes bench/results/<date>.json, then BENCHMARKS.md
# (bench/report.py). Root, like the end-to-end tests; the topology is theirs
# (tests/netns/lib.sh: c1 192.0.2.10 -- gw 192.0.2.1 -- in 2001:db8:100::10).
#
#   1-3  TCP throughput (iperf3, 1 and 4 streams), 64-byte UDP packet rate and added round-trip
#        time, side by side: the bare veth path, iphttpsd + `iphttps connect` with TLS 1.3
#        AES-128-GCM, TLS 1.2 AES-128-GCM and TLS 1.2 NULL-SHA256, and ocserv + openconnect
#        (bench/ocserv.sh), all with RSA-2048 server certificates from one test CA;
#   4-6  new tunnels per second, idle tunnels and memory per tunnel, the reconnect storm
#        (bench/tunnels.sh, with the C load generator build/loadgen).
#
# BENCH_SECONDS (default 5) is the length of each iperf3 run; BENCH_TUNNELS (default
# "1000 10000 50000 100000") the idle counts; BENCH_QUICK=1 runs a small subset to test the
# script itself. Nothing here is a pass/fail test: numbers are recorded, and the report sets
# them beside the targets.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/../tests/netns/lib.sh"
# shellcheck source=bench/ocserv.sh
. "$(dirname "$0")/ocserv.sh"
iph_init "$@"

SECS=${BENCH_SECONDS:-5}
RES=$WORK/res
OUT_DIR=$TOP/bench/results
mkdir -p "$RES" "$OUT_DIR"
need_tools iperf3 ocserv openconnect

# The machine, for the report: what was measured on what.
bench_machine() {
	"$PY" - "$RES/machine.json" <<-'PY'
		import json, os, platform, re, subprocess, sys
		cpu = "?"
		for line in open("/proc/cpuinfo"):
		    if line.startswith("model name"):
		        cpu = line.split(":", 1)[1].strip()
		        break
		mem = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
		ssl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
		json.dump({"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(mem / 2**20, 1),
		           "kernel": platform.release(), "openssl": ssl,
		           "os": open("/etc/debian_version").read().strip()}, open(sys.argv[1], "w"))
	PY
}

# bench_gw PROFILE [LINE...]: the gateway for the throughput runs, quiet logging.
bench_gw() {
	local profile=$1 l
	shift
	mkdir -p "$WORK/state"
	chmod 700 "$WORK/state"
	{
		echo "listen 192.0.2.1:443"
		echo "prefix 2001:db8:1:1000::/64"
		echo "tun iphttps0"
		echo "state-dir $WORK/state"
		echo "control $SOCK"
		echo "user nobody"
		echo "log-level notice"
		echo "route 2001:db8:100::/48"
		echo "certificate $WORK/gw.crt"
		echo "key $WORK/gw.key"
		echo "tls-profile $profile"
		echo "handshake-rate 0"
		for l in "$@"; do
			echo "$l"
		done
	} >"$WORK/gw.conf"
	gw_start
}

# rtt NAME NS TARGET: 500 pings 2 ms apart; median and 99th percentile in microseconds.
rtt() {
	n "$2" ping -6 -n -c 500 -i 0.002 -W 1 "$3" >"$WORK/$1.ping" 2>&1
	"$PY" - "$WORK/$1.ping" <<-'PY'
		import json, re, sys
		t = sorted(float(x) * 1000 for x in re.findall(r"time=([0-9.]+) ms", open(sys.argv[1]).read()))
		if not t:
		    print(json.dumps({"n": 0}))
		    sys.exit(0)
		pick = lambda q: round(t[min(len(t) - 1, int(q * len(t)))], 1)
		print(json.dumps({"n": len(t), "median_us": pick(0.5), "p99_us": pick(0.99)}))
	PY
}

# path NAME NS TARGET: the three data-path measurements into $RES/path-NAME.json.
path() {
	local name=$1 ns=$2 target=$3 t1 t4 udp r extra=${4:-"{}"}
	echo "# $name: TCP 1 stream"
	t1=$(iperf_tcp "$name-1" "$ns" "$target" 1 "$SECS") || t1=null
	echo "# $name: TCP 4 streams"
	t4=$(iperf_tcp "$name-4" "$ns" "$target" 4 "$SECS") || t4=null
	echo "# $name: UDP 64-byte packets"
	udp=$(iperf_udp_pps "$name-u" "$ns" "$target" "$SECS") || udp=null
	echo "# $name: round-trip time"
	r=$(rtt "$name" "$ns" "$target")
	echo "{\"tcp1\": $t1, \"tcp4\": $t4, \"udp64\": $udp, \"rtt\": $r, \"info\": $extra}" \
		>"$RES/path-$name.json"
	cat "$RES/path-$name.json"
}

# iphttps_path NAME PROFILE CLIENT-ARGS...: gateway and client up, path measured, both down.
iphttps_path() {
	local name=$1 profile=$2 tls
	shift 2
	# client-icmp-rate 0: 500 pings/s exceed the per-client ICMPv6 default of 100/s, and the
	# drops would distort the round-trip times (fewer round trips, CPUs idling between them).
	bench_gw "$profile" "client-icmp-rate 0"
	# The state file is named after the TUN: call both "iphttps0" (client_state reads it).
	client_start iphttps0 c1 --ca "$WORK/ca.crt" --tun iphttps0 --once "$@" \
		"https://$GW_NAME/IPHTTPS"
	if ! client_wait iphttps0 up 20 || ! wait_for "tun_global c1 iphttps0 >/dev/null" 10 ||
		! wait_for "n c1 ping -6 -c 1 -W 1 2001:db8:100::10 >/dev/null" 10; then
		client_log iphttps0 20
		echo "# $name: the tunnel did not come up; skipped"
		stop_bg iphttps0
		stop_bg gw
		return 0
	fi
	tls=$(client_state iphttps0 tls)
	path "$name" c1 2001:db8:100::10 "{\"tls\": \"$tls\"}"
	stop_bg iphttps0
	stop_bg gw
}

topo_up c1 c2 in
client_init
bench_machine
make_ca ca "iphttps bench CA" || bail "make_ca"
make_leaf_rsa gw ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf_rsa"

bare_up
path bare c1 "$(bare_addr)"
bare_down

iphttps_path iphttps-tls13-aes128gcm strict
iphttps_path iphttps-tls12-aes128gcm modern --tls-max 1.2
iphttps_path iphttps-tls12-null-sha256 compat --null-ciphers

ocserv_up >/dev/null
path ocserv c1 "$(ocserv_addr)" "{\"tls\": \"ocserv defaults, TCP only\"}"
ocserv_down

if [ -x "$BUILD/loadgen" ] && [ -f "$TOP/bench/tunnels.sh" ]; then
	# shellcheck source=bench/tunnels.sh
	. "$TOP/bench/tunnels.sh"
	tunnels_all
	# shellcheck source=bench/abuse.sh
	. "$TOP/bench/abuse.sh" && abuse_all
else
	echo "# build/loadgen or bench/tunnels.sh missing: tunnel measurements skipped"
fi

STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
"$PY" "$TOP/bench/report.py" "$RES" "$OUT_DIR/$STAMP.json" "$TOP/BENCHMARKS.md" ||
	bail "report"
echo "# results: bench/results/$STAMP.json, BENCHMARKS.md"
