#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_daemon: the daemon as an administrator meets it.
#   1. No configuration at all: iphttpsd alone, with its built-in defaults (port 443 on IPv4 and
#      IPv6, /IPHTTPS, a self-signed certificate and a ULA /64 generated into
#      /var/lib/iphttpsd, TUN iphttps0, /run/iphttpsd.sock). It runs in a private mount
#      namespace with tmpfs over /var/lib and /run, so the host's directories are never touched.
#   2. Privilege separation: the parent stays root, the worker runs as an unprivileged user.
#   4. Faults found in review: a certificate and key that do not match are refused by -n and end
#      the daemon cleanly; a SIGHUP during start-up does not kill it; a worker stopped and
#      continued does not wedge the parent; losing the TUN device stops the daemon (non-zero)
#      instead of spinning.
#   3. The plain-HTTP listener for use behind a TLS-terminating balancer ([MS-IPHTTPS] §1.3,
#      §5.1): a client speaking plain HTTP reaches the intranet through it.
#
#   c1 192.0.2.10 ---- gw 192.0.2.1 [iphttpsd] 2001:db8:100::1 ---- in 2001:db8:100::10
#
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 in

# ---- 1. no configuration ----

start_bg gwdef n gw unshare -m sh -c \
	'mount -t tmpfs tmpfs /var/lib && mount -t tmpfs tmpfs /run && exec "$0"' "$BUILD/iphttpsd"
P=${BG_PID[gwdef]}
GW_PID=$P
cp /dev/null "$WORK/gw.err"
# The daemon's own view of the file system (its mount namespace) and its control socket.
inmnt() { nsenter -t "$P" -m -n "$@"; }
ROOTFS=/proc/$P/root
# Only once sh has mounted the tmpfs and exec'd the daemon: entering its mount namespace
# earlier would see the host's /run (and any iphttpsd running there).
wait_for "[ \"\$(cat /proc/$P/comm 2>/dev/null)\" = iphttpsd ] || ! pid_alive $P" 5
wait_for "inmnt '$BUILD/iphttpsctl' show || ! pid_alive $P" 15
check "iphttpsd starts with no configuration and answers on /run/iphttpsd.sock" \
	inmnt "$BUILD/iphttpsctl" show
check_grep "it warns loudly about the self-signed certificate" 'SELF-SIGNED' "$WORK/gwdef.err"
check_eq "the key it generated is mode 600" 600 "$(stat -c %a "$ROOTFS/var/lib/iphttpsd/key.pem")"
check "the certificate it generated parses" \
	openssl x509 -noout -in "$ROOTFS/var/lib/iphttpsd/cert.pem"
PFX=$(cat "$ROOTFS/var/lib/iphttpsd/prefix" 2>/dev/null)
check_match "the generated prefix is a ULA /64 (RFC 4193)" '^fd[0-9a-f]{2}:[0-9a-f:]+::/64$' "$PFX"
check_eq "show reports that prefix" "$PFX" "$(inmnt "$BUILD/iphttpsctl" --json show | jget prefix)"
check_grep "it listens on 0.0.0.0:443" '0\.0\.0\.0:443' <(n gw ss -Hltn)
check_grep "it listens on [::]:443" '\[::\]:443' <(n gw ss -Hltn)
check_grep "TUN iphttps0 is up with MTU 1280" 'mtu 1280' <(n gw ip link show dev iphttps0 up)
check_grep "the prefix is routed to iphttps0" "^${PFX%/64}/64 dev iphttps0" <(n gw ip -6 route)
check_grep "the TUN has no address of its own (the daemon is the router)" '^$' \
	<(n gw ip -6 -o addr show dev iphttps0; echo)
raw c1 --path /IPHTTPS >"$WORK/def-raw.out" 2>&1
check_grep "a client gets 200 on /IPHTTPS" '^STATUS HTTP/1.1 200' "$WORK/def-raw.out"
raw c1 --path /IPTLS >"$WORK/def-iptls.out" 2>&1
check_grep "and on the spec's /IPTLS" '^STATUS HTTP/1.1 200' "$WORK/def-iptls.out"

# ---- 2. privilege separation ----

WORKER=$(pgrep -P "$P" -x iphttpsd | head -n 1)
check_eq "the parent runs as root" root "$(ps -o user= -p "$P" | tr -d ' ')"
check_eq "the worker runs as an unprivileged user" nobody "$(ps -o user= -p "$WORKER" | tr -d ' ')"
check_eq "the worker cannot gain privileges (NoNewPrivs)" 1 \
	"$(awk '/^NoNewPrivs/ { print $2 }' "/proc/$WORKER/status")"
check_eq "the worker has no capabilities" 0000000000000000 \
	"$(awk '/^CapEff/ { print $2 }' "/proc/$WORKER/status")"
check_not "the worker cannot read the private key" \
	nsenter -t "$WORKER" -m -S "$(stat -c %u "/proc/$WORKER")" -G nogroup \
	cat /var/lib/iphttpsd/key.pem

stop_bg gwdef TERM
check_eq "SIGTERM: exit status 0" 0 "$?"
check_not "SIGTERM: iphttps0 is gone" n gw ip link show dev iphttps0
GW_PID=

# ---- 3. plain HTTP behind a balancer ----

gw_config "listen-http 192.0.2.1:8080"
gw_start
n c1 "$PY" "$PEER" raw --connect 192.0.2.1:8080 --tcp-only >"$WORK/http-raw.out" 2>&1
check_grep "plain HTTP on listen-http gets 200" '^STATUS HTTP/1.1 200' "$WORK/http-raw.out"
n c1 "$PY" "$PEER" raw --connect 192.0.2.1:8080 >"$WORK/http-tls.out" 2>&1
check_not "TLS on the plain-HTTP listener gets no 200" grep -q '^STATUS HTTP/1.1 200' "$WORK/http-tls.out"
start_bg p1 n c1 "$PY" "$PEER" tun --connect 192.0.2.1:8080 --tcp-only --tun tun0
check "a plain-HTTP client brings its link up" wait_for "grep -qx READY '$WORK/p1.out'" 10
check "it autoconfigures an address from the RA" wait_for "peer_global c1" 10
check "it reaches the intranet host through the gateway" \
	n c1 ping -6 -c 2 -W 2 2001:db8:100::10
check_eq "the gateway lists it with transport http" http \
	"$(ctl --json clients | jget 0.transport)"
stop_bg gw TERM
GW_PID=

# ---- 4. faults ----

make_cert a a.example.test && make_cert b b.example.test || bail "openssl req"
gw_config "certificate $WORK/a.crt" "key $WORK/b.key"
n gw "$BUILD/iphttpsd" -n -c "$WORK/gw.conf" >"$WORK/n.out" 2>&1
check_eq "-n refuses a key that does not match the certificate" 1 "$?"
check_grep "and says why" 'mismatch' "$WORK/n.out"
start_bg bad n gw "$BUILD/iphttpsd" -c "$WORK/gw.conf"
wait_for "! pid_alive ${BG_PID[bad]}" 10
bg_exit bad
check_eq "started anyway, it exits 1 (no crash)" 1 "$?"
check_not "its worker was not killed by a signal" grep -q 'killed by signal' "$WORK/bad.err"

gw_config
# A fresh self-signed key makes setup take a while (RSA key generation): the window to hit.
rm -f "$WORK/state/cert.pem" "$WORK/state/key.pem" "$SOCK"
start_bg gw n gw "$BUILD/iphttpsd" -c "$WORK/gw.conf"
GW_PID=${BG_PID[gw]}
# Signal once iphttpsd itself runs (not `ip netns exec` before its exec) and has blocked SIGHUP
# (main's first line, bit 0 of SigBlk), but before it is ready: during setup.
sighup_blocked() {
	[ "$(cat "/proc/$GW_PID/comm" 2>/dev/null)" = iphttpsd ] &&
		(($(printf '%d' "0x$(awk '/^SigBlk/ { print $2 }' "/proc/$GW_PID/status")") & 1))
}
for ((i = 0; i < 200000; i++)); do # tight and bounded: the window is milliseconds wide
	sighup_blocked && break
done
kill -HUP "$GW_PID"
check_not "the SIGHUP arrived during setup (no control socket yet)" test -S "$SOCK"
wait_for "ctl show || ! pid_alive $GW_PID" 10
check "a SIGHUP during start-up does not kill it" ctl show
WORKER=$(pgrep -P "$GW_PID" -x iphttpsd | head -n 1)
kill -STOP "$WORKER"
kill -CONT "$WORKER"
kill -HUP "$GW_PID"
check "after the worker was stopped and continued, the parent still relays SIGHUP" \
	wait_for "grep -q 'reload: done' '$WORK/gw.err'" 5
check "and the gateway still answers" ctl show
n gw ip link del iphttps0
check "losing the TUN device stops the daemon" wait_for "! pid_alive $GW_PID" 5
bg_exit gw
check_eq "with a non-zero exit status" 1 "$?"
check "without flooding its log" test "$(grep -c 'device lost' "$WORK/gw.err")" -eq 1
GW_PID=

finish
