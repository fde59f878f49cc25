#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_http: the request head and the timers ([MS-IPHTTPS] §3.2.5.1, notes §1.3 and §1.4).
#
#   c1 (tlspeer.py raw: hand-written heads) ==TLS==> gw 192.0.2.1:443
#
# Refused heads get their status and then the connection closes; every form real senders use
# (LF-only, HTTP/1.0, /IPTLS, any case of the path, data in the head's segment) gets 200; a head
# that never ends and a handshake that never starts are cut off by head-timeout and
# handshake-timeout (2 s here).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1
gw_config "head-timeout 2" "handshake-timeout 2"
gw_start

CL="Content-Length: 18446744073709551615"
RT=(--read-timeout 2) # a refused head must be closed well before this

# refused NAME STATUS DESCRIPTION [tlspeer raw args]: STATUS line, then CLOSED.
refused() {
	local name=$1 status=$2 desc=$3
	shift 3
	raw c1 "${RT[@]}" "$@" >"$WORK/$name.out" 2>&1
	check_grep "$desc: $status" "^STATUS HTTP/1\\.1 $status " "$WORK/$name.out"
	check_grep "$desc: then the connection closes" '^CLOSED ' "$WORK/$name.out"
}

# accepted NAME DESCRIPTION [tlspeer raw args]: 200 and the connection stays open.
accepted() {
	local name=$1 desc=$2
	shift 2
	raw c1 --read-timeout 0.5 "$@" >"$WORK/$name.out" 2>&1
	check_grep "$desc: 200" '^STATUS HTTP/1\.1 200 ' "$WORK/$name.out"
	check_grep "$desc: the connection stays open" '^OPEN ' "$WORK/$name.out"
}

e0=$(stat_get connections.http_errors)
refused path 404 "POST to a wrong path" --path /nope
refused method 405 "GET /IPHTTPS" --head 'GET /IPHTTPS HTTP/1.1\r\nHost: gw.example.test\r\n\r\n'
check_grep "405 names the allowed method (Allow: POST)" '^HEADER Allow: *POST' "$WORK/method.out"
refused garbage 400 "a request line that is not HTTP" --head 'HELLO\r\n\r\n'
refused nocolon 400 "a header line without a colon" \
	--head "POST /IPHTTPS HTTP/1.1\\r\\nHost gw.example.test\\r\\n$CL\\r\\n\\r\\n"
refused spacecolon 400 "whitespace before a header's colon" \
	--head "POST /IPHTTPS HTTP/1.1\\r\\nContent-Length : 18446744073709551615\\r\\n\\r\\n"
refused chunked 400 "Transfer-Encoding: chunked" \
	--head "POST /IPHTTPS HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
refused overflow 400 "Content-Length 2^64 (overflows uint64)" \
	--head 'POST /IPHTTPS HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n'
refused nolength 411 "no Content-Length" --head 'POST /IPHTTPS HTTP/1.1\r\nHost: x\r\n\r\n'
refused version 505 "HTTP/2.0 in the request line" \
	--head "POST /IPHTTPS HTTP/2.0\\r\\nHost: x\\r\\n$CL\\r\\n\\r\\n"

# Over 8 KiB: one huge header line, and many small headers.
{
	printf 'POST /IPHTTPS HTTP/1.1\r\nHost: x\r\n%s\r\nX-Pad: ' "$CL"
	head -c 9000 /dev/zero | tr '\0' a
	printf '\r\n\r\n'
} >"$WORK/bighead"
refused bighead 431 "a 9000-byte header line" --head-file "$WORK/bighead"
{
	printf 'POST /IPHTTPS HTTP/1.1\r\nHost: x\r\n%s\r\n' "$CL"
	for i in $(seq 1 150); do printf 'X-H%d: v\r\n' "$i"; done
	printf '\r\n'
} >"$WORK/manyhead"
refused manyhead 431 "150 header lines (over 100), head under 8 KiB" --head-file "$WORK/manyhead"
{
	printf 'POST /IPHTTPS HTTP/1.1\r\nHost: x\r\n%s\r\n' "$CL"
	for i in $(seq 1 60); do printf 'X-H%02d: %0150d\r\n' "$i" 0; done
	printf '\r\n'
} >"$WORK/longhead"
check "the 60-header head is over 8 KiB" test "$(stat -c %s "$WORK/longhead")" -gt 8192
refused longhead 431 "60 header lines of 150 bytes (head over 8 KiB)" --head-file "$WORK/longhead"
check_gt "connections.http_errors counted them" $(($(stat_get connections.http_errors) - e0)) 10

accepted default "the standard POST /IPHTTPS"
check_grep "200 has a Server header with HTTPAPI/2.0 (nmap's detector)" \
	'^HEADER Server: .*HTTPAPI/2\.0' "$WORK/default.out"
check_grep "200 has a Date header" '^HEADER Date: [A-Z][a-z][a-z], [0-9]{2} [A-Z][a-z][a-z] [0-9]{4} [0-9:]{8} GMT$' "$WORK/default.out"
check_not "200 has no Content-Length, Transfer-Encoding or Connection header" \
	grep -Eiq '^HEADER (Content-Length|Transfer-Encoding|Connection):' "$WORK/default.out"
accepted lfonly "LF-only line ends" \
	--head "POST /IPHTTPS HTTP/1.1\\nHost: vpn1.contoso.com\\n$CL\\n\\n"
accepted http10 "HTTP/1.0" --head "POST /IPHTTPS HTTP/1.0\\r\\n$CL\\r\\n\\r\\n"
accepted iptls "the spec's /IPTLS" --path /IPTLS
accepted lower "/iphttps in lower case" --path /iphttps
accepted extra "extra headers in any order, foreign Host" \
	--head "POST /IPHTTPS HTTP/1.1\\r\\n$CL\\r\\nUser-Agent: t\\r\\nConnection: Keep-Alive\\r\\nHost: nowhere.example\\r\\nCache-Control: no-cache\\r\\n\\r\\n"

# IPv6 data in the same write as the head: an RS right behind the blank line gets its RA.
rs0=$(stat_get link.rs)
raw c1 --read-timeout 1.5 --no-wait \
	--send-scapy "IPv6(src='fe80::c1',dst='ff02::2',hlim=255)/ICMPv6ND_RS()" >"$WORK/early.out" 2>&1
check_grep "an RS sent right behind the head: 200" '^STATUS HTTP/1\.1 200 ' "$WORK/early.out"
check_eq "an RS sent right behind the head is processed (link.rs +1)" $((rs0 + 1)) \
	"$(stat_get link.rs)"
check "an RS sent right behind the head gets an RA" has_pkt "$WORK/early.out" 'p["type"] == 134'

# A head that never ends: one byte every 0.3 s; head-timeout 2 closes it.
h0=$(stat_get connections.head_timeout)
raw c1 --slow-head 0.3 --read-timeout 8 >"$WORK/slow.out" 2>&1
check_grep "a slow head is closed by the gateway" '^CLOSED ' "$WORK/slow.out"
t=$(sed -n 's/^CLOSED t=//p' "$WORK/slow.out")
check "a slow head is closed 1.8-4 s after the handshake (head-timeout 2), got ${t:-none}" \
	"$PY" -c 'import sys; sys.exit(0 if 1.8 <= float(sys.argv[1]) <= 4.0 else 1)' "${t:-99}"
check_eq "connections.head_timeout +1" $((h0 + 1)) "$(stat_get connections.head_timeout)"

# A TLS handshake that never starts: TCP connect, send nothing; handshake-timeout 2.
k0=$(stat_get connections.handshake_timeout)
raw c1 --tcp-only --no-head --read-timeout 8 >"$WORK/nohs.out" 2>&1
t=$(sed -n 's/^CLOSED t=//p' "$WORK/nohs.out")
check "a silent TCP connection is closed 1.8-4 s after connect (handshake-timeout 2), got ${t:-none}" \
	"$PY" -c 'import sys; sys.exit(0 if 1.8 <= float(sys.argv[1]) <= 4.0 else 1)' "${t:-99}"
check_eq "connections.handshake_timeout +1" $((k0 + 1)) "$(stat_get connections.handshake_timeout)"

# Plain HTTP on the TLS port is a failed handshake, not a hang.
f0=$(stat_get connections.handshake_failed)
raw c1 --tcp-only --read-timeout 3 >"$WORK/plain.out" 2>&1
check_grep "plain HTTP on the TLS port: closed" '^CLOSED t=[0-2]\.' "$WORK/plain.out"
check_eq "connections.handshake_failed +1" $((f0 + 1)) "$(stat_get connections.handshake_failed)"

finish
