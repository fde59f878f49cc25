#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_client_errors: every way `iphttps connect` can fail to bring the link up, and the Windows
# LastErrorCode it must report for each ([MS-IPHTTPS] client, ms-iphttps.md §5.5) in its state
# file and in `iphttps status --json`; the reconnect schedule (§4.1) measured with a small base;
# misbehaving servers must cost a reconnect, never a hang or a busy loop.
#
#   c1 [iphttps connect --once ...] ----> gw 192.0.2.1
#        :443   iphttpsd, certificate for gw.iphttps.example from the test CA
#        :4441  openssl s_server with an expired certificate (2020-01-01 .. 2020-01-02)
#        :4442  stubgw.py junk      (TLS fine, then bytes that are not HTTP)
#        :4443  stubgw.py notipv6   (200, then an IPv4 packet where IPv6 should be)
#        :4444  openssl s_server -Verify 1 (client certificate required), TLS 1.3
#        :4445  the same, TLS 1.2
#        :4446  stubgw.py status 503
#        :4447  stubgw.py ok, client certificate from the test CA required
#        :4400  nothing
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init

topo_up c1
hosts_write "$WORK/cl-hosts" "192.0.2.1 $GW_NAME" "192.0.2.1 other.iphttps.example"
make_ca ca "iphttps test CA" || bail "make_ca ca"
make_ca bad "some other CA" || bail "make_ca bad"
make_leaf gw ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf gw"
make_leaf old ca "DNS:$GW_NAME" 20200101000000Z 20200102000000Z || bail "make_leaf old"
make_leaf cli ca "DNS:client.iphttps.example" || bail "make_leaf cli"
gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key"
gw_start

S=(--cert "$WORK/gw.crt" --key "$WORK/gw.key")
start_bg s_old n gw openssl s_server -quiet -accept 192.0.2.1:4441 -cert "$WORK/old.crt" \
	-key "$WORK/old.key"
start_bg s_cc13 n gw openssl s_server -quiet -accept 192.0.2.1:4444 "${S[@]}" -Verify 1 \
	-CAfile "$WORK/ca.crt" -tls1_3
start_bg s_cc12 n gw openssl s_server -quiet -accept 192.0.2.1:4445 "${S[@]}" -Verify 1 \
	-CAfile "$WORK/ca.crt" -tls1_2
stub_start junk gw --listen 192.0.2.1:4442 --mode junk "${S[@]}" || bail "junk stub"
stub_start v4 gw --listen 192.0.2.1:4443 --mode notipv6 "${S[@]}" || bail "notipv6 stub"
stub_start st503 gw --listen 192.0.2.1:4446 --mode status --status 503 "${S[@]}" ||
	bail "status stub"
stub_start okcc gw --listen 192.0.2.1:4447 --mode ok --client-ca "$WORK/ca.crt" "${S[@]}" ||
	bail "client-certificate stub"
wait_for "[ \$(n gw ss -Hltn 'sport >= :4441 and sport <= :4445' | wc -l) -eq 5 ]" 5 ||
	bail "s_server stubs not listening"

# once TUN 'WHAT' CODE NAME URL [ARGS...]: one attempt (--once) must fail (exit status 1) with
# LastErrorCode CODE, Windows name NAME in `status --json` ("" skips that), a detail, and
# `iphttps status` exiting non-zero.
once() {
	local tun=$1 what=$2 code=$3 name=$4 url=$5 rc
	shift 5
	client_once "$tun" c1 "$@" "$url"
	rc=$?
	if [ "$rc" -eq 1 ]; then
		_ok "$what: --once exits 1"
	else
		_not_ok "$what: --once exits 1 (got $rc; 124/137: killed after 10 s)"
		client_log "$tun" 10
	fi
	check_lasterr "$what: LastErrorCode $code" "$tun" "$code"
	[ -n "$name" ] && check_eq "$what: status --json name $name" "$name" \
		"$(client_status --json "$tun" 2>/dev/null | jget name 2>/dev/null)"
	check_match "$what: the state file has a detail" '.' "$(client_state "$tun" detail)"
	check_not "$what: iphttps status exits non-zero" client_status "$tun"
}

CA=(--ca "$WORK/ca.crt")
once e1 "server certificate from an untrusted CA" 0x800B0109 CERT_E_UNTRUSTEDROOT \
	"https://$GW_NAME/IPHTTPS" --ca "$WORK/bad.crt"
once e2 "expired server certificate" 0x800B0101 CERT_E_EXPIRED "https://$GW_NAME:4441/IPHTTPS" \
	"${CA[@]}"
check_match "expired: the detail says so" '[Ee]xpired' "$(client_state e2 detail)"
once e3 "certificate name does not match the URL host" 0x800B010F CERT_E_CN_NO_MATCH \
	"https://other.iphttps.example/IPHTTPS" "${CA[@]}"
once e4 "nothing listening" 0x274D WSAECONNREFUSED "https://$GW_NAME:4400/IPHTTPS" "${CA[@]}"
once e5 "unresolvable name" 0x2AF9 WSAHOST_NOT_FOUND "https://nothere.iphttps.example/IPHTTPS" \
	"${CA[@]}"
once e6 "wrong path (the gateway answers 404)" 0x80190194 "" "https://$GW_NAME/wrong" "${CA[@]}"
once e7 "a server answering 503" 0x801901F7 "" "https://$GW_NAME:4446/IPHTTPS" "${CA[@]}"
once e8 "client certificate required, none given (TLS 1.3)" 0x90320 SEC_I_INCOMPLETE_CREDENTIALS \
	"https://$GW_NAME:4444/IPHTTPS" "${CA[@]}"
once e9 "client certificate required, none given (TLS 1.2)" 0x90320 SEC_I_INCOMPLETE_CREDENTIALS \
	"https://$GW_NAME:4445/IPHTTPS" "${CA[@]}"

# --- the same server with the client certificate given: up
client_start cc c1 --ca "$WORK/ca.crt" --cert "$WORK/cli.crt" --key "$WORK/cli.key" --tun ecc \
	"https://$GW_NAME:4447/IPHTTPS"
check "client certificate required and given (--cert/--key): state=up" client_wait ecc up 10
check_grep "...the server saw the request after verifying the client certificate" '^REQ 1 POST ' \
	"$WORK/okcc.out"
stop_bg cc TERM
check_eq "...SIGTERM: exit 0" 0 "$?"

# --- the reconnect schedule ([MS-IPHTTPS] §3.1.2.1 with base 1 s, cap 4 s): attempts at +1 s,
# then the time since the first failure (+1 s, +2 s), then the cap (+4 s). Measured by polling
# the state file every 20 ms and noting when `failures` changes.
client_start sched c1 --ca "$WORK/ca.crt" --tun esch --retry-base 1 --retry-max 4 \
	"https://$GW_NAME:4400/IPHTTPS"
declare -A AT
declare -A NEXT
seen=""
cpu0=$(cpu_ticks "${BG_PID[sched]}")
end=$(($(now_ms) + 15000))
# One read of the (atomically replaced) file per poll, so that its values belong together.
kv() { sed -n "s/^$1=//p" <<<"$st"; }
for ((i = 0; i < 1000; i++)); do
	st=$(cat "$CST/esch.status" 2>/dev/null)
	f=$(kv failures)
	if [ -n "$f" ] && [ -z "${AT[$f]:-}" ]; then
		AT[$f]=$(now_ms)
		seen="$seen $f"
		na=$(kv next_attempt)
		si=$(kv since)
		[[ "$na$si" =~ ^[0-9]+$ ]] && NEXT[$f]=$((na - si))
	fi
	[ -n "${AT[5]:-}" ] && break
	[ "$(now_ms)" -lt "$end" ] || break
	sleep 0.02
done
cpu1=$(cpu_ticks "${BG_PID[sched]}")
check_eq "schedule: failures counted 1 to 5, one at a time (no extra attempts)" \
	" 1 2 3 4 5" "${seen// 0/}"
check_lasterr "schedule: LastErrorCode 0x274D while retrying" esch 0x274D
check_eq "schedule: state=backoff between attempts" backoff "$(client_state esch state)"
# gap K WANT_MS: failure K to failure K+1 took WANT_MS (-100 ms / +500 ms).
gap() {
	local k=$1 want=$2 got
	if [ -n "${AT[$k]:-}" ] && [ -n "${AT[$((k + 1))]:-}" ]; then
		got=$((AT[$((k + 1))] - AT[$k]))
	else
		got=missing
	fi
	if [[ "$got" =~ ^[0-9]+$ ]] && [ "$got" -ge $((want - 100)) ] && [ "$got" -le $((want + 500)) ]
	then
		_ok "schedule: failure $k -> $((k + 1)) after ${got} ms (want ~$want)"
	else
		_not_ok "schedule: failure $k -> $((k + 1)) after ${got} ms (want $want -100/+500)"
		client_log sched 12
	fi
}
gap 1 1000
gap 2 1000
gap 3 2000
gap 4 4000
# Whole seconds in the file: the rounding of since and next_attempt may add one.
check_match "schedule: after failure 1 next_attempt - since is the base, 1 s" '^[12]$' \
	"${NEXT[1]:-}"
check_match "schedule: after failure 5 next_attempt - since is the cap, 4 s" '^[45]$' \
	"${NEXT[5]:-}"
check_cpu "schedule: the client used < 0.5 s of CPU over ~8 s of retries" "$cpu0" "$cpu1" 50
stop_bg sched TERM
check_eq "schedule: SIGTERM while in backoff: exit 0" 0 "$?"
check_eq "schedule: state=stopped" stopped "$(client_state esch state)"

# quiet_cpu NAME STUB 'WHAT': over 3 s the client NAME uses < 0.3 s CPU and the stub STUB sees at
# most 4 new connections (base 1 s: a reconnect loop, not a busy one).
quiet_cpu() {
	local pid=${BG_PID[$1]} c0 c1 n0 n1
	c0=$(cpu_ticks "$pid")
	n0=$(stub_count "$2" CONN)
	wait_for "! pid_alive $pid" 3
	c1=$(cpu_ticks "$pid")
	n1=$(stub_count "$2" CONN)
	check "$3: the client is still running" pid_alive "$pid"
	check_cpu "$3: < 0.3 s of CPU over 3 s" "$c0" "$c1" 30
	check_match "$3: at most 4 new connections in 3 s ($((n1 - n0)))" '^[0-4]$' "$((n1 - n0))"
}

# --- a server that answers garbage after the handshake
client_start cjunk c1 --ca "$WORK/ca.crt" --tun ejunk --retry-base 1 --retry-max 2 \
	"https://$GW_NAME:4442/IPHTTPS"
check "garbage answer: the client reconnects (the stub sees a second connection)" \
	wait_for "[ \"\$(stub_count junk CONN)\" -ge 2 ]" 10
check_grep "garbage answer: the client itself closed the first connection within 2 s" \
	'^PEERCLOSED 1 t=(0|1)\.' "$WORK/junk.out"
check_not "garbage answer: not state=up" grep -q '^state=up' "$CST/ejunk.status"
check "garbage answer: backoff with LastErrorCode 0x80190001 (HTTP_E_STATUS_UNEXPECTED)" \
	client_wait_err ejunk 0x80190001 5
check_lasterr "garbage answer: status file and status --json agree" ejunk 0x80190001
client_status --json ejunk >"$WORK/ejunk.json" 2>&1
check "garbage answer: a code the client can explain (known name, meaning, fix)" "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["name"] and j["name"] != "unknown", j
assert j["meaning"] and j["fix"], j
' "$WORK/ejunk.json"
quiet_cpu cjunk junk "garbage answer"
stop_bg cjunk TERM
check_eq "garbage answer: SIGTERM: exit 0" 0 "$?"

# --- a server that sends a non-IPv6 stream after its 200
client_start cv4 c1 --ca "$WORK/ca.crt" --tun ev4 --retry-base 1 --retry-max 2 \
	"https://$GW_NAME:4443/IPHTTPS"
check "non-IPv6 stream: the client reconnects (the stub sees a second connection)" \
	wait_for "[ \"\$(stub_count v4 CONN)\" -ge 2 ]" 10
check_grep "non-IPv6 stream: the client itself closed the first connection within 2 s" \
	'^PEERCLOSED 1 t=(0|1)\.' "$WORK/v4.out"
# After the 200 the link is up and last_error 0x0; the stream that is not IPv6 ends it.
check "non-IPv6 stream: backoff with LastErrorCode 0x80190001 (HTTP_E_STATUS_UNEXPECTED)" \
	client_wait_err ev4 0x80190001 10
quiet_cpu cv4 v4 "non-IPv6 stream"
stop_bg cv4 TERM
check_eq "non-IPv6 stream: SIGTERM: exit 0" 0 "$?"

check_not "no sanitizer report in the clients' logs" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK"/*.once.err "$WORK/cc.err" "$WORK/sched.err" "$WORK/cjunk.err" "$WORK/cv4.err"

finish
