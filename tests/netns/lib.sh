# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# tests/netns/lib.sh: helpers shared by the end-to-end scenarios (t_*.sh) and the demo.
# Sourced, never run. A scenario does:
#
#     . "$(dirname "$0")/lib.sh"
#     iph_init "$@"              # root or exit 77, BUILD dir, work dir, EXIT trap
#     topo_up c1 c2 in           # the namespaces it needs (gw always)
#     gw_start                   # iphttpsd in gw, waits until its control socket answers
#     check "something works" n c1 ping -6 -c 1 ...
#     finish                     # "N passed, M failed", exit status
#
# Topology (every role optional but gw; names are per run: iph-<run>-<pid>-<role>):
#
#   ┌──────────────────────┐ veth    ┌──────────────────────────────┐ veth    ┌───────────────────────┐
#   │ c1 (client1)         │ eth0  c1│ gw                           │c2  eth0 │ c2 (client2)          │
#   │ 192.0.2.10/24        ├─────────┤ 192.0.2.1/24 (c1)            ├─────────┤ 198.51.100.10/24      │
#   │ tun0: tlspeer.py     │         │ 198.51.100.1/24 (c2)         │         │ tun0: tlspeer.py      │
#   │  2001:db8:1:1000:x/64│         │ 2001:db8:100::1/64 (in)      │         │  2001:db8:1:1000:y/64 │
#   └──────────────────────┘         │ iphttps0: iphttpsd           │         └───────────────────────┘
#                                    │  prefix 2001:db8:1:1000::/64 │
#                                    │  listen 192.0.2.1:443        │
#                                    │         198.51.100.1:443     │
#                                    │  forwarding=1                │
#                                    └──────────────┬───────────────┘
#                                                in │ veth
#                                              eth0 │
#                                    ┌──────────────┴───────────────┐
#                                    │ in (intranet host)           │
#                                    │ 2001:db8:100::10/64          │
#                                    │ 2001:db8:1:1000::/64 via     │
#                                    │   2001:db8:100::1            │
#                                    └──────────────────────────────┘
#
# The IP-HTTPS link (every client's tun0 and the gateway's iphttps0) is one /64; the gateway is
# 2001:db8:1:1000::1 and fe80::1 on it. Only documentation addresses are used.
#
# Rules kept here: readiness is polled (wait_for, 50 ms steps, bounded), never slept for;
# every background process is started with start_bg so that cleanup kills exactly those (plus
# whatever `ip netns pids` reports in our own namespaces) and deletes the namespaces.

PY=/usr/bin/python3
LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$LIBDIR/../.." && pwd)
PEER="$TOP/tests/peers/tlspeer.py"

NPASS=0
NFAIL=0
NSKIP=0
NCHECK=0
BG_PIDS=()
declare -A BG_PID
declare -A HAVE_ROLE
NSES=()
GW_PID=

# ---------------------------------------------------------------------------------------------
# Set-up and clean-up

# iph_init BUILD_DIR: root check (exit 77), binaries, unique names, work dir, traps.
iph_init() {
	T_NAME=$(basename "$0" .sh)
	if [ "$(id -u)" -ne 0 ]; then
		echo "# $T_NAME: skipped: needs root (network namespaces)"
		exit 77
	fi
	BUILD=${1:-}
	if [ -z "$BUILD" ] || [ ! -x "$BUILD/iphttpsd" ] || [ ! -x "$BUILD/iphttpsctl" ]; then
		echo "usage: $0 BUILD_DIR   (absolute path holding iphttpsd and iphttpsctl)" >&2
		exit 2
	fi
	case "$BUILD" in /*) ;; *) BUILD=$(cd "$BUILD" && pwd) ;; esac
	# The runner passes its own id so that it can sweep up after a script it had to kill.
	ID="iph-${IPH_RUN_ID:-0}-$$"
	WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
	chmod 755 "$WORK"
	SOCK="$WORK/ctl.sock"
	trap cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	echo "# $T_NAME: namespaces $ID-*, work dir $WORK"
}

cleanup() {
	local pid ns i
	trap - EXIT
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		for ((i = 0; i < 40; i++)); do
			pid_alive "$pid" || break
			sleep 0.05
		done
		pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${NSES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${IPH_KEEP:-0}" = 1 ] || { [ "$NFAIL" -gt 0 ] && [ "${IPH_KEEP_FAILED:-0}" = 1 ]; }; then
		echo "# kept $WORK"
	else
		rm -rf "$WORK"
	fi
}

# pid_alive PID: running and not a zombie (kill -0 succeeds on zombies).
pid_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st:0:1}" != Z ]
}

# n ROLE CMD...: run CMD in the role's namespace.
n() {
	local r=$1
	shift
	ip netns exec "$ID-$r" "$@"
}

# wait_for 'CMD' TIMEOUT_S: poll CMD (eval'd, quiet) every 50 ms until it succeeds; 1 on timeout.
wait_for() {
	local cmd=$1 t=${2:-5} i max end
	max=$((${t%.*} * 20 + 20))
	end=$(($(date +%s%N) + ${t%.*} * 1000000000 + 500000000))
	for ((i = 0; i < max; i++)); do
		if eval "$cmd" >/dev/null 2>&1; then
			return 0
		fi
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.05
	done
	return 1
}

# start_bg NAME CMD...: CMD in the background, stdout to $WORK/NAME.out, stderr to NAME.err.
# Sets BG_PID[NAME]; cleanup kills it. `start_bg NAME n ROLE CMD...` is expanded here rather
# than through the n function, so that the PID recorded is the program's own (ip netns exec
# execs it), not a subshell's: signals then reach the program.
start_bg() {
	local name=$1
	shift
	if [ "$1" = n ]; then
		local role=$2
		shift 2
		set -- ip netns exec "$ID-$role" "$@"
	fi
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID[$name]=$!
	BG_PIDS+=("$!")
}

# stop_bg NAME [SIG]: signal it and wait (at most 3 s); returns its exit status (or 255).
stop_bg() {
	local pid=${BG_PID[$1]} sig=${2:-TERM} i
	kill "-$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		pid_alive "$pid" || break
		sleep 0.05
	done
	if pid_alive "$pid"; then
		return 255
	fi
	wait "$pid" 2>/dev/null
}

# bg_exit NAME: exit status of a finished background process (255 if still running).
bg_exit() {
	local pid=${BG_PID[$1]}
	pid_alive "$pid" && return 255
	wait "$pid" 2>/dev/null
}

# topo_up ROLE...: gw plus the given roles among c1 c2 in, wired as drawn above.
topo_up() {
	local r
	for r in gw "$@"; do
		ip netns add "$ID-$r" || bail "ip netns add $ID-$r"
		NSES+=("$ID-$r")
		n "$r" ip link set lo up
		# No DAD wait on the veths; the tun links skip DAD anyway (IFF_NOARP).
		n "$r" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	n gw sysctl -qw net.ipv6.conf.all.forwarding=1
	for r in "$@"; do
		HAVE_ROLE[$r]=1
		ip link add "$r" netns "$ID-gw" type veth peer name eth0 netns "$ID-$r" ||
			bail "veth gw:$r - $r:eth0"
		n gw ip link set "$r" up
		n "$r" ip link set eth0 up
		case $r in
		c1)
			n gw ip addr add 192.0.2.1/24 dev c1
			n c1 ip addr add 192.0.2.10/24 dev eth0
			;;
		c2)
			n gw ip addr add 198.51.100.1/24 dev c2
			n c2 ip addr add 198.51.100.10/24 dev eth0
			;;
		in)
			n gw ip addr add 2001:db8:100::1/64 dev in nodad
			n in ip addr add 2001:db8:100::10/64 dev eth0 nodad
			n in ip -6 route add 2001:db8:1:1000::/64 via 2001:db8:100::1
			;;
		*) bail "unknown role $r" ;;
		esac
	done
	for r in "$@"; do
		case $r in
		c1) wait_for "n c1 ping -c 1 -W 1 192.0.2.1" 5 || bail "c1 cannot ping gw" ;;
		c2) wait_for "n c2 ping -c 1 -W 1 198.51.100.1" 5 || bail "c2 cannot ping gw" ;;
		in) wait_for "n in ping -6 -c 1 -W 1 2001:db8:100::1" 5 || bail "in cannot ping gw" ;;
		esac
	done
}

# ---------------------------------------------------------------------------------------------
# The gateway

# gw_config [LINE...]: the base configuration plus extra lines, into $WORK/gw.conf.
# shellcheck disable=SC2120 # called with and without extra lines
gw_config() {
	mkdir -p "$WORK/state"
	chmod 700 "$WORK/state"
	{
		echo "# written by $T_NAME"
		# Listen only where topo_up put an address, or the bind fails.
		[ -n "${HAVE_ROLE[c1]:-}" ] && echo "listen 192.0.2.1:443"
		[ -n "${HAVE_ROLE[c2]:-}" ] && echo "listen 198.51.100.1:443"
		echo "prefix 2001:db8:1:1000::/64"
		echo "tun iphttps0"
		echo "state-dir $WORK/state"
		echo "control $SOCK"
		echo "user nobody"
		echo "log-level debug"
		echo "log-drops yes"
		echo "route 2001:db8:100::/48"
		local l
		for l in "$@"; do
			echo "$l"
		done
	} >"$WORK/gw.conf"
}

# gw_start: iphttpsd in gw with $WORK/gw.conf (gw_config first); waits until `show` answers.
gw_start() {
	[ -f "$WORK/gw.conf" ] || gw_config
	# Keep the log of an earlier daemon of this script for the sanitizer scan in finish.
	[ -f "$WORK/gw.err" ] && mv "$WORK/gw.err" "$WORK/gw.err.$GW_PID"
	start_bg gw n gw "$BUILD/iphttpsd" -c "$WORK/gw.conf"
	GW_PID=${BG_PID[gw]}
	wait_for "ctl show || ! pid_alive $GW_PID" 10
	if ! ctl show >/dev/null 2>&1; then
		pid_alive "$GW_PID" || echo "# iphttpsd exited with status $(bg_exit gw; echo $?)"
		echo "# iphttpsd did not become ready; its log:"
		gw_log 40
		bail "iphttpsd not ready"
	fi
}

# ctl ARGS...: iphttpsctl on our control socket, inside gw.
ctl() {
	n gw "$BUILD/iphttpsctl" -s "$SOCK" "$@"
}

# gw_log [N]: the last N lines of the daemon's stderr, as comments.
gw_log() {
	tail -n "${1:-30}" "$WORK/gw.err" 2>/dev/null | sed 's/^/#   gw: /'
}

# jget PATH: a value from JSON on stdin; PATH like link.drops.spoofed or 0.addresses.
# Prints numbers and strings bare, lists and objects as JSON. Fails if the path is missing.
jget() {
	"$PY" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split(".") if sys.argv[1] else []:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
' "$1"
}

# ctl_owner ADDR: the remote (ip:port) of the client owning ADDR per `clients --json`, or fail.
ctl_owner() {
	ctl --json clients | "$PY" -c '
import json, sys
own = [c["remote"] for c in json.load(sys.stdin) if sys.argv[1] in c["addresses"]]
print(own[0]) if own else sys.exit(1)
' "$1"
}

# stat_get PATH: one value of `iphttpsctl --json show`, e.g. stat_get link.drops.spoofed.
stat_get() {
	ctl --json show | jget "$1"
}

# ---------------------------------------------------------------------------------------------
# Client peers

# peer_tun NAME ROLE [ARGS...]: tlspeer.py tun in ROLE's namespace (tun0), waits for READY.
peer_tun() {
	local name=$1 role=$2
	shift 2
	local gw
	case $role in c1) gw=192.0.2.1 ;; c2) gw=198.51.100.1 ;; *) bail "no gateway for $role" ;; esac
	start_bg "$name" n "$role" "$PY" "$PEER" tun --connect "$gw:443" --tun tun0 "$@"
	if ! wait_for "grep -qx READY '$WORK/$name.out'" 10; then
		sed 's/^/#   peer: /' "$WORK/$name.out" "$WORK/$name.err"
		gw_log 20
		return 1
	fi
}

# peer_global ROLE: the role's global address in the link prefix (not tentative), or fail.
peer_global() {
	n "$1" ip -6 -o addr show dev tun0 scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:1000:/ && !/tentative/ { sub("/.*", "", $4); print $4; exit }' |
		grep .
}

# peer_ll ROLE: the role's link-local address on tun0.
peer_ll() {
	n "$1" ip -6 -o addr show dev tun0 scope link 2>/dev/null |
		awk '{ sub("/.*", "", $4); print $4; exit }' | grep .
}

# raw ROLE ARGS...: tlspeer.py raw from ROLE to its gateway address.
raw() {
	local role=$1 gw
	shift
	case $role in c1) gw=192.0.2.1 ;; c2) gw=198.51.100.1 ;; *) bail "no gateway for $role" ;; esac
	n "$role" "$PY" "$PEER" raw --connect "$gw:443" "$@"
}

# has_pkt FILE 'EXPR': some packet a raw peer printed (its JSON lines, as dict p) satisfies the
# Python expression EXPR, e.g. 'p["type"] == 136 and p["R"] == 0'. Prints the packets on failure.
has_pkt() {
	"$PY" -c '
import json, sys
ok = False
lines = open(sys.argv[1]).read().splitlines()
for l in lines:
    if l.startswith("JSON "):
        p = json.loads(l[5:])
        try:
            ok = ok or bool(eval(sys.argv[2], {"p": p}))
        except (KeyError, TypeError, IndexError):
            pass
if not ok:
    print("no packet with", sys.argv[2], "in:")
    print("\n".join(lines))
sys.exit(0 if ok else 1)
' "$1" "$2"
}

# solicited_node ADDR: the solicited-node multicast group of ADDR (RFC 4291 §2.7.1).
solicited_node() {
	"$PY" -c '
import ipaddress, sys
a = int(ipaddress.IPv6Address(sys.argv[1]))
print(ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | (a & 0xffffff)))
' "$1"
}

# make_cert NAME CN: a self-signed P-256 certificate $WORK/NAME.crt with key $WORK/NAME.key (0600).
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
		-keyout "$WORK/$1.key" -out "$WORK/$1.crt" >/dev/null 2>&1 || return 1
	chmod 600 "$WORK/$1.key"
}

# cert_fp FILE: SHA-256 fingerprint of a PEM certificate, AA:BB:... upper case.
cert_fp() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/.*=//' | tr a-f A-F
}

# served_fp ROLE ADDR:PORT: fingerprint of the certificate a new TLS connection from ROLE sees.
served_fp() {
	n "$1" timeout 5 openssl s_client -connect "$2" </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//' | tr a-f A-F
}

# raw_200 ROLE ARGS...: a raw session from ROLE gets status 200 (its output is shown).
raw_200() {
	local o
	o=$(raw "$@" 2>&1)
	printf '%s\n' "$o"
	printf '%s\n' "$o" | grep -q '^STATUS HTTP/1\.1 200 '
}

# ---------------------------------------------------------------------------------------------
# TAP-like checks

_ok() {
	NCHECK=$((NCHECK + 1))
	NPASS=$((NPASS + 1))
	echo "ok $NCHECK - $1"
}

_not_ok() {
	NCHECK=$((NCHECK + 1))
	NFAIL=$((NFAIL + 1))
	echo "not ok $NCHECK - $1"
}

# check "DESCRIPTION" CMD...: passes when CMD exits 0; its output is shown only on failure.
check() {
	local desc=$1
	shift
	if "$@" >"$WORK/check.out" 2>&1; then
		_ok "$desc"
	else
		_not_ok "$desc"
		echo "#   command: $*"
		sed 's/^/#   /' "$WORK/check.out" | head -n 40
	fi
}

# check_not "DESCRIPTION" CMD...: passes when CMD fails.
check_not() {
	local desc=$1
	shift
	if "$@" >"$WORK/check.out" 2>&1; then
		_not_ok "$desc"
		echo "#   command unexpectedly succeeded: $*"
		sed 's/^/#   /' "$WORK/check.out" | head -n 40
	else
		_ok "$desc"
	fi
}

# check_eq "DESCRIPTION" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		_ok "$1"
	else
		_not_ok "$1"
		echo "#   expected: '$2'"
		echo "#   got:      '$3'"
	fi
}

# check_gt "DESCRIPTION" ACTUAL MIN: integer ACTUAL > MIN.
check_gt() {
	if [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt "$3" ]; then
		_ok "$1"
	else
		_not_ok "$1"
		echo "#   expected a number > $3, got '$2'"
	fi
}

# check_grep "DESCRIPTION" REGEX FILE: an extended regex matches a line of FILE.
check_grep() {
	if grep -Eq -- "$2" "$3" 2>/dev/null; then
		_ok "$1"
	else
		_not_ok "$1"
		echo "#   no line matching /$2/ in:"
		sed 's/^/#   | /' "$3" 2>/dev/null | head -n 40
	fi
}

# check_match "DESCRIPTION" REGEX TEXT: an extended regex matches a line of TEXT.
check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		_ok "$1"
	else
		_not_ok "$1"
		echo "#   no line matching /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/#   | /' | head -n 40
	fi
}

# skip "DESCRIPTION" "REASON"
skip() {
	NCHECK=$((NCHECK + 1))
	NSKIP=$((NSKIP + 1))
	echo "ok $NCHECK - $1 # SKIP $2"
}

# bail "REASON": a set-up step failed; count it, show the gateway log, stop the script.
bail() {
	_not_ok "setup: $1"
	finish
}

# gw_final_check: a daemon still running must exit 0 on SIGTERM, and no daemon of this script
# may have logged a sanitizer report (ASan/UBSan builds: `make asan`).
gw_final_check() {
	[ -n "$GW_PID" ] || return 0
	if pid_alive "$GW_PID"; then
		stop_bg gw TERM
		check_eq "at the end iphttpsd exits 0 within 3 s of SIGTERM" 0 "$?"
	fi
	check_not "no sanitizer report in the gateway's log" \
		grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
		"$WORK"/gw.err*
}

# finish: the summary line, then exit 0 if nothing failed.
finish() {
	if [ -z "${IPH_FINISHING:-}" ]; then
		IPH_FINISHING=1
		gw_final_check
	fi
	if [ "$NFAIL" -gt 0 ] && [ -s "$WORK/gw.err" ]; then
		echo "# last lines of the gateway log:"
		gw_log 25
	fi
	local line="$NPASS passed, $NFAIL failed"
	[ "$NSKIP" -gt 0 ] && line="$line, $NSKIP skipped"
	if [ -n "${IPH_RESULTS:-}" ]; then
		# Under run.sh: counts go to its file and the only bare summary line is the total.
		echo "$T_NAME $NPASS $NFAIL $NSKIP" >>"$IPH_RESULTS"
		echo "# $T_NAME: $NPASS ok, $NFAIL not ok, $NSKIP skipped"
	else
		echo "$line"
	fi
	[ "$NFAIL" -eq 0 ]
	exit $?
}

# ---------------------------------------------------------------------------------------------
# The iphttps client (t_client*.sh)
#
# The client (and anything else that must resolve the test names, like a proxy) runs in a
# role's network namespace *and* a private mount namespace in which /etc/hosts is a file of the
# work dir and /etc/nsswitch.conf says `hosts: files`: names resolve from that file only, never
# through DNS, and the host's own files are never touched (unshare -m: private propagation).
# State files go to $CST (--state-dir). Certificates come from a test CA made here (openssl ca,
# so that validity dates can lie in the past without faking the clock).

GW_NAME=gw.iphttps.example # the gateway's name in the URLs (RFC 2606 .example)

# client_init: the client binary ($IPHTTPS), its state dir ($CST), a default hosts file.
client_init() {
	IPHTTPS=$BUILD/iphttps
	[ -x "$IPHTTPS" ] || bail "$IPHTTPS not built"
	CST=$WORK/cst
	mkdir -p "$CST"
	hosts_write "$WORK/cl-hosts" "192.0.2.1 $GW_NAME"
}

# hosts_write FILE LINE...: a hosts file with localhost and the given "ADDR NAME..." lines,
# and beside it FILE.nss, an nsswitch.conf that looks names up in files only.
hosts_write() {
	local f=$1
	shift
	{
		echo "127.0.0.1 localhost"
		echo "::1 localhost"
		printf '%s\n' "$@"
	} >"$f"
	echo "hosts: files" >"$f.nss"
	chmod 644 "$f" "$f.nss"
}

# with_hosts ROLE HOSTSFILE: sets the array WH to a command prefix that runs a program in ROLE's
# network namespace with HOSTSFILE as its /etc/hosts and file-only lookups. Every step execs, so
# `start_bg NAME "${WH[@]}" PROG ...` records PROG's own PID (signals reach it).
with_hosts() {
	# shellcheck disable=SC2016 # expanded by that sh
	WH=(ip netns exec "$ID-$1" unshare -m sh -c \
		'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && shift 2 &&
		exec "$@"' sh "$2" "$2.nss")
}

# client_ns ROLE CMD...: CMD in ROLE's namespace with the client's hosts file ($WORK/cl-hosts),
# in the foreground (e.g. `client_ns c1 getent hosts gw.iphttps.example`).
client_ns() {
	local role=$1
	shift
	with_hosts "$role" "$WORK/cl-hosts"
	"${WH[@]}" "$@"
}

# client_start NAME ROLE ARGS...: `iphttps connect --state-dir $CST ARGS...` in the background
# in ROLE's namespace with the client's hosts file; stdout/stderr to $WORK/NAME.out/.err.
# Environment variables for it: `client_start NAME ROLE` after `export`, or CLIENT_ENV=(VAR=x).
client_start() {
	local name=$1 role=$2
	shift 2
	with_hosts "$role" "$WORK/cl-hosts"
	start_bg "$name" "${WH[@]}" env "${CLIENT_ENV[@]}" "$IPHTTPS" connect --state-dir "$CST" "$@"
}
CLIENT_ENV=()

# client_once TUN ROLE ARGS...: `iphttps connect --once --tun TUN ...` in the foreground (at most
# 10 s: one attempt against local peers); its stderr goes to $WORK/TUN.once.err. Returns its exit
# status (124 or 137: it had to be killed).
client_once() {
	local tun=$1 role=$2
	shift 2
	with_hosts "$role" "$WORK/cl-hosts"
	timeout -k 2 25 "${WH[@]}" env "${CLIENT_ENV[@]}" "$IPHTTPS" connect --once \
		--state-dir "$CST" --tun "$tun" "$@" >"$WORK/$tun.once.out" 2>"$WORK/$tun.once.err"
}

# client_state TUN KEY: one value of $CST/TUN.status (empty if the file or key is missing).
client_state() {
	sed -n "s/^$2=//p" "$CST/$1.status" 2>/dev/null | head -n 1
}

# client_wait TUN STATE [TIMEOUT]: until the status file says state=STATE.
client_wait() {
	wait_for "[ \"\$(client_state '$1' state)\" = '$2' ]" "${3:-10}"
}

# client_wait_err TUN CODE [TIMEOUT]: until the status file says state=backoff with last_error
# CODE (compared by value). After a lost link the first backoff may carry the loss's own code;
# this waits for the attempts after it.
client_wait_err() {
	wait_for "[ \"\$(client_state '$1' state)\" = backoff ] &&
		[ \"\$((\$(client_state '$1' last_error)))\" = $(($2)) ]" "${3:-10}"
}

# client_status ARGS...: `iphttps status --state-dir $CST ARGS...`.
client_status() {
	"$IPHTTPS" status --state-dir "$CST" "$@"
}

# client_log TUN|NAME [N]: the last N lines of a client's stderr, as comments.
client_log() {
	local f=$WORK/$1.err
	[ -f "$f" ] || f=$WORK/$1.once.err
	tail -n "${2:-20}" "$f" 2>/dev/null | sed 's/^/#   client: /'
}

# check_lasterr "DESCRIPTION" TUN CODE: the state file's last_error and `iphttps status --json`'s
# last_error (hex string) and last_error_code (number) all equal CODE (e.g. 0x800B0109); hex
# digits compare by value. Shows the state file, the JSON and the client's log on failure.
check_lasterr() {
	local desc=$1 tun=$2 want=$3 st js jn json
	st=$(client_state "$tun" last_error)
	json=$(client_status --json "$tun" 2>&1)
	js=$(printf '%s\n' "$json" | jget last_error 2>/dev/null)
	jn=$(printf '%s\n' "$json" | jget last_error_code 2>/dev/null)
	if [[ "$st" =~ ^0[xX][0-9a-fA-F]+$ ]] && [[ "$js" =~ ^0[xX][0-9a-fA-F]+$ ]] &&
		[[ "$jn" =~ ^[0-9]+$ ]] && [ $((st)) -eq $((want)) ] && [ $((js)) -eq $((want)) ] &&
		[ "$jn" -eq $((want)) ]; then
		_ok "$desc"
	else
		_not_ok "$desc"
		echo "#   expected LastErrorCode $want ($((want)))"
		echo "#   got: state file last_error='$st', status --json last_error='$js'" \
			"last_error_code='$jn'"
		sed 's/^/#   | /' "$CST/$tun.status" 2>/dev/null
		printf '%s\n' "$json" | head -n 30 | sed 's/^/#   json: /'
		client_log "$tun" 10
	fi
}

# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks (getconf CLK_TCK).
cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# check_cpu "DESCRIPTION" TICKS0 TICKS1 MAX: both cpu_ticks readings exist (the process lived)
# and it used fewer than MAX ticks between them.
check_cpu() {
	if [[ "$2" =~ ^[0-9]+$ ]] && [[ "$3" =~ ^[0-9]+$ ]] && [ $(($3 - $2)) -lt "$4" ]; then
		_ok "$1 ($(($3 - $2)) ticks)"
	else
		_not_ok "$1"
		echo "#   CPU ticks before '$2', after '$3', limit $4 (getconf CLK_TCK: $(getconf CLK_TCK))"
	fi
}

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# make_ca NAME CN: a CA certificate $WORK/NAME.crt (valid from now for 30 days) with key
# $WORK/NAME.key, and $WORK/NAME.cnf for `openssl ca` (used by make_leaf).
make_ca() {
	local d=$WORK/$1.ca
	mkdir -p "$d" || return 1
	: >"$d/index.txt"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$WORK/$1.key" -out "$WORK/$1.crt" >/dev/null 2>&1 || return 1
	chmod 600 "$WORK/$1.key"
	cat >"$WORK/$1.cnf" <<-CNF
		[ca]
		default_ca = tca
		[tca]
		database = $d/index.txt
		new_certs_dir = $d
		certificate = $WORK/$1.crt
		private_key = $WORK/$1.key
		default_md = sha256
		policy = tpolicy
		rand_serial = yes
		unique_subject = no
		copy_extensions = none
		x509_extensions = leaf
		[tpolicy]
		commonName = supplied
		[leaf]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth,clientAuth
		subjectAltName = \$ENV::IPH_SAN
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	CNF
}

# make_leaf NAME CA SAN [START END]: a P-256 certificate $WORK/NAME.crt (key $WORK/NAME.key,
# 0600) issued by make_ca's CA, subjectAltName SAN (e.g. "DNS:gw.example,IP:192.0.2.1"; the CN
# is SAN's first value), EKU serverAuth and clientAuth; valid from now for 30 days, or from START
# to END (YYYYMMDDHHMMSSZ, e.g. 20200101000000Z).
make_leaf() {
	local name=$1 ca=$2 san=$3 cn
	local -a dates=(-days 30)
	[ $# -ge 5 ] && dates=(-startdate "$4" -enddate "$5")
	cn=${san%%,*}
	cn=${cn#*:}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$WORK/$name.key" -out "$WORK/$name.csr" >/dev/null 2>&1 || return 1
	chmod 600 "$WORK/$name.key"
	IPH_SAN=$san openssl ca -batch -notext -config "$WORK/$ca.cnf" "${dates[@]}" \
		-in "$WORK/$name.csr" -out "$WORK/$name.crt" >"$WORK/$name.ca.log" 2>&1 || {
		cat "$WORK/$name.ca.log" >&2
		return 1
	}
}

# tinyproxy_start NAME ROLE HOSTSFILE LISTEN PORT [CONFIG-LINE...]: Debian's tinyproxy in the
# foreground in ROLE's namespace (resolving names from HOSTSFILE only), listening on LISTEN:PORT,
# allowing 192.0.2.0/24 and 198.51.100.0/24, CONNECT to port 443 only, logging connections to
# $WORK/NAME.log; waits until the port accepts.
tinyproxy_start() {
	local name=$1 role=$2 hosts=$3 addr=$4 port=$5 l
	shift 5
	{
		echo "User nobody"
		echo "Group nogroup"
		echo "Port $port"
		echo "Listen $addr"
		echo "Timeout 30"
		echo "MaxClients 20"
		echo "Allow 192.0.2.0/24"
		echo "Allow 198.51.100.0/24"
		echo "ConnectPort 443"
		echo "LogLevel Connect"
		echo "LogFile \"$WORK/$name.log\""
		echo "DisableViaHeader Yes"
		for l in "$@"; do
			echo "$l"
		done
	} >"$WORK/$name.conf"
	: >"$WORK/$name.log"
	chown nobody "$WORK/$name.log"
	with_hosts "$role" "$hosts"
	start_bg "$name" "${WH[@]}" tinyproxy -d -c "$WORK/$name.conf"
	wait_for "n $role ss -Hltn 'src $addr and sport = :$port' | grep -q . || ! pid_alive ${BG_PID[$name]}" 5
	n "$role" ss -Hltn "src $addr and sport = :$port" | grep -q . || {
		sed 's/^/#   tinyproxy: /' "$WORK/$name.err" "$WORK/$name.log"
		return 1
	}
}

# stub_start NAME ROLE ARGS...: tests/peers/stubgw.py ARGS... in ROLE's namespace; waits for its
# LISTEN line.
stub_start() {
	local name=$1 role=$2
	shift 2
	start_bg "$name" n "$role" "$PY" "$TOP/tests/peers/stubgw.py" "$@"
	wait_for "grep -q '^LISTEN ' '$WORK/$name.out' || ! pid_alive ${BG_PID[$name]}" 5
	grep -q '^LISTEN ' "$WORK/$name.out" || {
		sed 's/^/#   stub: /' "$WORK/$name.out" "$WORK/$name.err"
		return 1
	}
}

# stub_count NAME WORD: how many lines of the stub's output start with WORD (CONN, REQ, ...).
stub_count() {
	grep -c "^$2 " "$WORK/$1.out" 2>/dev/null
}

# squid_start NAME ROLE HOSTSFILE LISTEN PORT USER PASSWORD: Debian's squid in the foreground in
# ROLE's namespace, a proxy that only tunnels (CONNECT to port 443) for 192.0.2.0/24 and
# 198.51.100.0/24 after Basic authentication as USER/PASSWORD (basic_ncsa_auth, an APR1 hash),
# resolving names from HOSTSFILE only; no cache. Logs: $WORK/NAME.access.log, NAME.cache.log.
# Waits until the port accepts. (Unlike Debian 12's tinyproxy, squid answers wrong credentials
# with 407, as RFC 9110 §15.5.8 wants of a proxy.)
squid_start() {
	local name=$1 role=$2 hosts=$3 addr=$4 port=$5
	printf '%s:%s\n' "$6" "$(openssl passwd -apr1 "$7")" >"$WORK/$name.passwd"
	: >"$WORK/$name.access.log"
	: >"$WORK/$name.cache.log"
	chown proxy "$WORK/$name.access.log" "$WORK/$name.cache.log"
	chmod 644 "$WORK/$name.passwd"
	cat >"$WORK/$name.conf" <<-CNF
		http_port $addr:$port
		visible_hostname $name.iphttps.example
		pid_filename none
		cache_effective_user proxy
		cache deny all
		cache_mem 8 MB
		coredump_dir none
		cache_log $WORK/$name.cache.log
		access_log stdio:$WORK/$name.access.log
		logfile_rotate 0
		hosts_file $hosts
		dns_nameservers 127.0.0.1
		shutdown_lifetime 0 seconds
		pinger_enable off
		auth_param basic program /usr/lib/squid/basic_ncsa_auth $WORK/$name.passwd
		auth_param basic children 1 startup=1 idle=1
		auth_param basic realm iphttps-test
		acl tls_port port 443
		acl CONNECT method CONNECT
		acl clients src 192.0.2.0/24 198.51.100.0/24
		acl authed proxy_auth REQUIRED
		http_access deny !CONNECT
		http_access deny !tls_port
		http_access deny !clients
		http_access allow authed
		http_access deny all
	CNF
	start_bg "$name" n "$role" squid -N -f "$WORK/$name.conf"
	wait_for "n $role ss -Hltn 'src $addr and sport = :$port' | grep -q . || ! pid_alive ${BG_PID[$name]}" 10
	n "$role" ss -Hltn "src $addr and sport = :$port" | grep -q . || {
		sed 's/^/#   squid: /' "$WORK/$name.err" "$WORK/$name.cache.log" | tail -n 20
		return 1
	}
}

# ---------------------------------------------------------------------------------------------
# Preauthentication, TLS profiles and load balancers (issue #4: t_auth, t_tlsprofile, t_unauth,
# t_haproxy)

# gw_mark: remember how long the gateway's log is now; gw_since prints what came after.
gw_mark() {
	GW_MARK=$(wc -l <"$WORK/gw.err" 2>/dev/null || echo 0)
}
GW_MARK=0

# gw_since: the gateway's log lines written since the last gw_mark.
gw_since() {
	tail -n "+$((GW_MARK + 1))" "$WORK/gw.err" 2>/dev/null
}

# gw_reload: SIGHUP to the daemon, then wait (10 s at most) for the worker's verdict in its log.
# 0 when it applied the new files ("reload: done"), 1 when it refused them or said nothing.
gw_reload() {
	local pat='reload: (done|.*nothing changed|keeping the previous)' before
	before=$(grep -Ec "$pat" "$WORK/gw.err")
	kill -HUP "$GW_PID" || return 1
	wait_for "[ \$(grep -Ec '$pat' '$WORK/gw.err') -gt $before ]" 10 || return 1
	grep -E "$pat" "$WORK/gw.err" | tail -n 1 | grep -q 'reload: done'
}

# gw_wait_403 REASON: the gateway logs `HTTP 403: REASON` (the whole rest of the line) after the
# last gw_mark, within 5 s.
gw_wait_403() {
	local re
	re=$(printf '%s' "$1" | sed 's/[][\.*^$/]/\\&/g')
	wait_for "gw_since | grep -q 'HTTP 403: $re\$'" 5
}

# tun_global ROLE DEV: ROLE's global address on DEV in the link prefix (not tentative), or fail.
tun_global() {
	n "$1" ip -6 -o addr show dev "$2" scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:1000:/ && !/tentative/ {
			sub("/.*", "", $4); print $4; exit }' | grep .
}

# client_start_hosts NAME ROLE HOSTSFILE ARGS...: client_start with another hosts file (a client
# in c2 must find the gateway at 198.51.100.1).
client_start_hosts() {
	local name=$1 role=$2 hosts=$3
	shift 3
	with_hosts "$role" "$hosts"
	start_bg "$name" "${WH[@]}" env "${CLIENT_ENV[@]}" "$IPHTTPS" connect \
		--state-dir "$CST" "$@"
}

# client_json_by ROLE DEV FIELD: FIELD of the `clients --json` entry that owns the global
# address ROLE has on DEV, e.g. `client_json_by c1 u1 identity`. One echo to the gateway from
# that address first: a Linux client whose namespace skips DAD sends nothing from a new address
# until it has traffic, so the gateway may not have learned it yet.
client_json_by() {
	local a
	a=$(tun_global "$1" "$2") || return 1
	n "$1" ping -6 -c 1 -W 1 -I "$2" 2001:db8:1:1000::1 >/dev/null 2>&1
	ctl --json clients | "$PY" -c '
import json, sys
own = [c for c in json.load(sys.stdin) if sys.argv[1] in c["addresses"]]
print(own[0][sys.argv[2]]) if own else sys.exit(1)
' "$a" "$3"
}

# make_leaf_rsa NAME CA SAN [START END]: as make_leaf, with an RSA-2048 key (the NULL suites
# TLS_RSA_WITH_NULL_* need an RSA certificate).
make_leaf_rsa() {
	local name=$1 ca=$2 san=$3 cn
	local -a dates=(-days 30)
	[ $# -ge 5 ] && dates=(-startdate "$4" -enddate "$5")
	cn=${san%%,*}
	cn=${cn#*:}
	openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" \
		-keyout "$WORK/$name.key" -out "$WORK/$name.csr" >/dev/null 2>&1 || return 1
	chmod 600 "$WORK/$name.key"
	IPH_SAN=$san openssl ca -batch -notext -config "$WORK/$ca.cnf" "${dates[@]}" \
		-in "$WORK/$name.csr" -out "$WORK/$name.crt" >"$WORK/$name.ca.log" 2>&1 || {
		cat "$WORK/$name.ca.log" >&2
		return 1
	}
}

# make_leaf_eku NAME CA SAN EKU: as make_leaf (30 days) but with extendedKeyUsage EKU (e.g.
# serverAuth), or without the extension at all when EKU is "none".
make_leaf_eku() {
	local name=$1 ca=$2 san=$3 eku=$4 sect cn
	sect="leaf_eku_${eku//[^A-Za-z0-9]/_}"
	if ! grep -q "^\[$sect\]" "$WORK/$ca.cnf"; then
		{
			echo "[$sect]"
			echo "basicConstraints = critical,CA:FALSE"
			echo "keyUsage = critical,digitalSignature,keyEncipherment"
			[ "$eku" != none ] && echo "extendedKeyUsage = $eku"
			echo "subjectAltName = \$ENV::IPH_SAN"
			echo "subjectKeyIdentifier = hash"
			echo "authorityKeyIdentifier = keyid"
		} >>"$WORK/$ca.cnf"
	fi
	cn=${san%%,*}
	cn=${cn#*:}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$WORK/$name.key" -out "$WORK/$name.csr" >/dev/null 2>&1 || return 1
	chmod 600 "$WORK/$name.key"
	IPH_SAN=$san openssl ca -batch -notext -config "$WORK/$ca.cnf" -days 30 \
		-extensions "$sect" -in "$WORK/$name.csr" -out "$WORK/$name.crt" \
		>"$WORK/$name.ca.log" 2>&1 || {
		cat "$WORK/$name.ca.log" >&2
		return 1
	}
}

# ca_revoke CA NAME: marks $WORK/NAME.crt revoked in make_ca's database (ca_crl then lists it).
ca_revoke() {
	# make_ca's configuration reads IPH_SAN whatever the command.
	IPH_SAN=DNS:unused openssl ca -batch -config "$WORK/$1.cnf" -revoke "$WORK/$2.crt" \
		>"$WORK/$2.revoke.log" 2>&1 || {
		cat "$WORK/$2.revoke.log" >&2
		return 1
	}
}

# ca_crl CA FILE [der]: a CRL of make_ca's CA (valid 7 days) with every revoked serial, written
# to FILE in PEM, or DER. Replaced by rename, so a reader never sees half a file.
ca_crl() {
	local ca=$1 out=$2 form=${3:-pem}
	IPH_SAN=DNS:unused openssl ca -batch -config "$WORK/$ca.cnf" -gencrl -crldays 7 \
		-out "$out.tmp.pem" >"$WORK/$ca.crl.log" 2>&1 || {
		cat "$WORK/$ca.crl.log" >&2
		return 1
	}
	if [ "$form" = der ]; then
		openssl crl -in "$out.tmp.pem" -outform DER -out "$out.tmp" || return 1
		rm -f "$out.tmp.pem"
	else
		mv "$out.tmp.pem" "$out.tmp"
	fi
	chmod 644 "$out.tmp"
	mv "$out.tmp" "$out"
}

# cert_serial FILE: the serial number of a PEM certificate, upper-case hex as openssl prints it.
cert_serial() {
	openssl x509 -noout -serial -in "$1" | sed 's/.*=//'
}

# need_tools TOOL...: bail (counted) unless every tool is installed (tools/deps.sh check).
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || bail "$t not installed (run tools/deps.sh check)"
	done
}

# haproxy_start NAME ROLE CONFIG PORT...: Debian's haproxy in the foreground (-db) in ROLE's
# namespace with CONFIG; waits until it listens on every PORT (TCP). Its log (the config's
# `log stderr`) goes to $WORK/NAME.err.
haproxy_start() {
	local name=$1 role=$2 cfg=$3 p
	shift 3
	n "$role" haproxy -c -q -f "$cfg" >"$WORK/$name.check" 2>&1 || {
		sed 's/^/#   haproxy -c: /' "$WORK/$name.check"
		return 1
	}
	start_bg "$name" n "$role" haproxy -db -f "$cfg"
	for p in "$@"; do
		wait_for "n $role ss -Hltn 'sport = :$p' | grep -q . ||
			! pid_alive ${BG_PID[$name]}" 5
		n "$role" ss -Hltn "sport = :$p" | grep -q . || {
			sed 's/^/#   haproxy: /' "$WORK/$name.err" | tail -n 20
			return 1
		}
	done
}

# tcp_probe ROLE HOST PORT [HEX]: connects from ROLE, sends the bytes HEX (if any), and prints
# how the server answered within 3 s: RESET (a TCP reset), CLOSED (FIN), DATA <hex> or OPEN
# (still open and silent). Prints REFUSED and the error when the connect itself fails.
tcp_probe() {
	n "$1" "$PY" -c '
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
data = bytes.fromhex(sys.argv[3]) if len(sys.argv) > 3 else b""
try:
    s = socket.create_connection((host, port), timeout=3)
except ConnectionResetError:
    # The reset can beat the end of a non-blocking connect (SO_ERROR).
    print("RESET")
    sys.exit(0)
except OSError as e:
    print("REFUSED %s" % e)
    sys.exit(0)
try:
    if data:
        s.sendall(data)
    d = s.recv(4096)
    print("DATA " + d[:64].hex() if d else "CLOSED")
except (ConnectionResetError, BrokenPipeError):
    print("RESET")
except socket.timeout:
    print("OPEN")
' "$2" "$3" "${4:-}"
}

# proxy2_hex SRC DST SPORT DPORT: a PROXY protocol v2 header (haproxy doc/proxy-protocol.txt
# §2.2) for TCP over IPv4 claiming SRC:SPORT -> DST:DPORT, as hex for tcp_probe.
proxy2_hex() {
	"$PY" -c '
import socket, struct, sys
sig = b"\r\n\r\n\x00\r\nQUIT\n"
addr = socket.inet_aton(sys.argv[1]) + socket.inet_aton(sys.argv[2])
addr += struct.pack("!HH", int(sys.argv[3]), int(sys.argv[4]))
print((sig + bytes([0x21, 0x11]) + struct.pack("!H", len(addr)) + addr).hex())
' "$@"
}

# ---------------------------------------------------------------------------------------------
# JSON documents in files (t_probe)

# pj FILE PATH: one value of the JSON document in FILE, PATH as for jget (tls.alert,
# findings.0.topic; "" for the whole document). Strings print bare, anything else as JSON
# (true, null, 40, lists, objects), unlike jget's Python spelling. Fails, saying why, when FILE
# is not JSON or PATH is missing.
pj() {
	"$PY" -c '
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for k in sys.argv[2].split(".") if sys.argv[2] else []:
        v = v[int(k)] if isinstance(v, list) else v[k]
except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
    sys.exit("pj %s %s: %s: %s" % (sys.argv[1], sys.argv[2], type(e).__name__, e))
print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

# pj_test FILE 'EXPR': the Python expression EXPR over the JSON document j in FILE is true, e.g.
# 'j["http"]["server"].startswith("nginx")'. Prints the expression and the document when not.
pj_test() {
	"$PY" -c '
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    ok = bool(eval(sys.argv[2], {"j": j}))
except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
    print("%s: %s" % (type(e).__name__, e))
    j, ok = None, False
if not ok:
    print("not true: %s" % sys.argv[2])
    print(json.dumps(j, indent=1))
sys.exit(0 if ok else 1)
' "$1" "$2"
}
