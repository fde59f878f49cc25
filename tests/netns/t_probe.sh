#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_probe: `iphttps probe` (issue #5) against every kind of server a client may meet at an
# IP-HTTPS URL: the verdict, the exit status (0 ok, 1 failed, 3 not IP-HTTPS), the Windows
# LastErrorCode a client would most likely show (ms-iphttps.md §5.5) and the facts behind them,
# from --json; and nmap's ip-https-discover agreeing with the probe's "iphttps".
#
#   c1 192.0.2.10 [iphttps probe, nmap] ----> gw
#     192.0.2.1:443   iphttpsd, tls-profile compat (NULL suites), RSA certificate for
#                     gw.iphttps.example from the test CA; later (SIGHUP) one for
#                     other.iphttps.example, an expired one, then auth certificates
#     192.0.2.1:3128  tinyproxy (the proxy case only)
#     192.0.2.1:4400  nothing
#     192.0.2.2:443   nginx, TLS, a minimal server block, same certificate
#     192.0.2.3:443   in turn: helloreset.py (reads the ClientHello, then resets), fullq.py
#                     (drops SYNs), fakeiphttps.py (200, then FIN; 200 and a captive page),
#                     hangup.py answering with a TLS alert
#     192.0.2.3:3128  hangup.py: a "proxy" that hangs up; :3129 one that answers SSH
#     192.0.2.4:443   HAProxy terminating TLS (OpenSSL's default suites: no NULL), mode http
#                     ──> 203.0.113.1:8080 (lo), iphttpsd's listen-http
#
# Every server is probed by the one name gw.iphttps.example, which a hosts file per server
# (lib.sh with_hosts) points at its address: a probe sees what a client of that URL would.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init
need_tools nginx haproxy tinyproxy nmap openssl
"$IPHTTPS" probe --help >"$WORK/help.out" 2>&1 || {
	sed 's/^/#   /' "$WORK/help.out" | head -n 5
	bail "'iphttps probe --help' fails: no probe subcommand in $IPHTTPS"
}
topo_up c1
LB=203.0.113.1
n gw ip addr add "$LB/32" dev lo || bail "$LB on gw"
for a in 192.0.2.2 192.0.2.3 192.0.2.4; do
	n gw ip addr add "$a/24" dev c1 || bail "$a on gw"
done
hosts_write "$WORK/h-gw" "192.0.2.1 $GW_NAME"
hosts_write "$WORK/h-ngx" "192.0.2.2 $GW_NAME"
hosts_write "$WORK/h-rst" "192.0.2.3 $GW_NAME"
hosts_write "$WORK/h-hap" "192.0.2.4 $GW_NAME"

CA_CN="iphttps test CA"
make_ca ca "$CA_CN" || bail "make_ca ca"
# RSA: the compat profile's NULL suites are TLS_RSA_WITH_NULL_* (RFC 5246 §7.4.7.1).
make_leaf_rsa gw ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf_rsa gw"
make_leaf_rsa other ca "DNS:other.iphttps.example" || bail "make_leaf_rsa other"
make_leaf_rsa old ca "DNS:$GW_NAME" 20200101000000Z 20200102000000Z || bail "make_leaf_rsa old"
make_leaf cli ca "DNS:client1.iphttps.example" || bail "make_leaf cli"
cat "$WORK/gw.crt" "$WORK/gw.key" >"$WORK/hap.pem"
chmod 600 "$WORK/hap.pem"

# conf CERT [LINE...]: the gateway with $WORK/CERT.crt, compat, no per-source handshake rate
# (each probe with its audit makes eight connections in a row), the plain listener HAProxy
# forwards to (a start key, so there from the start), and LINEs.
conf() {
	local c=$1
	shift
	gw_config "certificate $WORK/$c.crt" "key $WORK/$c.key" "tls-profile compat" \
		"handshake-rate 0" "listen-http $LB:8080" "trusted-proxy $LB" "$@"
}
conf gw
gw_start

declare -A RC
# probe NAME HOSTS ARGS...: `iphttps probe --json ARGS...` from c1 with $WORK/HOSTS as its hosts
# file: the JSON to $WORK/NAME.json, stderr to NAME.err, the exit status to RC[NAME].
probe() {
	local name=$1 hosts=$2
	shift 2
	with_hosts c1 "$WORK/$hosts"
	timeout -k 2 40 "${WH[@]}" "$IPHTTPS" probe --json "$@" >"$WORK/$name.json" \
		2>"$WORK/$name.err"
	RC[$name]=$?
}

# expect NAME 'WHAT' EXIT VERDICT CODE [PATH=VALUE...]: the probe NAME exited EXIT (and its JSON
# says so), its verdict is VERDICT, its windows.code CODE (hex, compared by value), and every
# PATH (pj) has VALUE.
expect() {
	local name=$1 what=$2 want=$3 verdict=$4 code=$5 f=$WORK/$1.json kv got
	shift 5
	if ! pj_test "$f" 'isinstance(j, dict)' >/dev/null; then
		_not_ok "$what: --json prints one JSON object (exit status ${RC[$name]})"
		sed 's/^/#   stderr: /' "$WORK/$name.err" | head -n 10
		sed 's/^/#   stdout: /' "$f" | head -n 10
		return
	fi
	got="${RC[$name]}/$(pj "$f" exit 2>/dev/null)"
	if [ "$got" = "$want/$want" ]; then
		_ok "$what: exit $want"
	else
		_not_ok "$what: exit $want (got status/JSON exit $got; 124/137: killed after 40 s)"
		sed 's/^/#   stderr: /' "$WORK/$name.err" | head -n 10
		pj "$f" summary 2>&1 | sed 's/^/#   summary: /'
		pj "$f" findings 2>&1 | head -n 30 | sed 's/^/#   /'
	fi
	check_eq "$what: verdict $verdict" "$verdict" "$(pj "$f" verdict 2>&1)"
	got=$(pj "$f" windows.code 2>&1)
	if [[ "$got" =~ ^0x[0-9A-Fa-f]{1,8}$ ]] && [ $((got)) -eq $((code)) ]; then
		_ok "$what: windows.code $code"
	else
		_not_ok "$what: windows.code $code"
		echo "#   got: '$got' ($(pj "$f" windows.name 2>&1))"
	fi
	for kv in "$@"; do
		check_eq "$what: ${kv%%=*} = ${kv#*=}" "${kv#*=}" "$(pj "$f" "${kv%%=*}" 2>&1)"
	done
}

# nmap_agrees NAME HOSTS 'WHAT': nmap's ip-https-discover from c1, scanning $GW_NAME as HOSTS
# resolves it (by name: the script needs one, or the certificate's CN), reports "IP-HTTPS is
# supported" exactly when the probe NAME said iphttps "yes".
nmap_agrees() {
	local name=$1 hosts=$2 what=$3 said=no want=no
	with_hosts c1 "$WORK/$hosts"
	timeout -k 2 60 "${WH[@]}" nmap -n -Pn -p 443 --script ip-https-discover "$GW_NAME" \
		>"$WORK/$name.nmap" 2>&1
	check_grep "$what: nmap found 443/tcp open" '^443/tcp +open' "$WORK/$name.nmap"
	grep -q 'IP-HTTPS is supported' "$WORK/$name.nmap" && said=yes
	[ "$(pj "$WORK/$name.json" iphttps 2>/dev/null)" = yes ] && want=yes
	if [ "$said" = "$want" ]; then
		_ok "$what: nmap's ip-https-discover agrees with the probe (supported: $want)"
	else
		_not_ok "$what: nmap's ip-https-discover agrees with the probe"
		echo "#   probe iphttps '$(pj "$WORK/$name.json" iphttps 2>&1)', nmap:"
		sed 's/^/#   | /' "$WORK/$name.nmap"
	fi
}

# shellcheck disable=SC2317 # called through check
# no_finding NAME TOPIC WORD: no finding of TOPIC whose text contains WORD (any case).
no_finding() {
	pj_test "$WORK/$1.json" "not [x for x in j['findings'] if x['topic'] == '$2' and
		'$3' in x['text'].lower()]"
}

# shellcheck disable=SC2317 # called through check
# has_finding NAME TOPIC WORD: some finding of TOPIC says WORD (lower case: the text is lowered).
has_finding() {
	pj_test "$WORK/$1.json" "[x for x in j['findings'] if x['topic'] == '$2' and
		'$3' in x['text'].lower()]"
}

CA=(--ca "$WORK/ca.crt")

# --- 1. a healthy iphttpsd
probe ok h-gw "${CA[@]}" "$GW_NAME"
expect ok "healthy" 0 ok 0x0 "target=https://$GW_NAME/IPHTTPS" iphttps=yes resolve.ok=true \
	'resolve.addresses=["192.0.2.1"]' tcp.result=ok tcp.peer=192.0.2.1:443 proxy=null \
	tls.result=accepted tls.null_cipher=false tls.client_cert_requested=false \
	certificate.trusted=true "certificate.cn=$GW_NAME" certificate.expired=false \
	certificate.name_mismatch=false http.status=200 http.server=Microsoft-HTTPAPI/2.0 \
	http.body_open=true http.router_advertisement=true http.prefix=2001:db8:1:1000::/64 \
	audit.null.result=accepted
check "healthy: the audit finds SSLv3 not accepted" \
	pj_test "$WORK/ok.json" 'j["audit"]["versions"]["SSLv3"] != "accepted"'
check "healthy: the audit finds TLS 1.2 and 1.3 accepted" pj_test "$WORK/ok.json" \
	'[j["audit"]["versions"][v] for v in ("TLSv1.2", "TLSv1.3")] == ["accepted"] * 2'
check "healthy: no error finding" pj_test "$WORK/ok.json" \
	'not [x for x in j["findings"] if x["level"] == "error"]'

with_hosts c1 "$WORK/h-gw"
timeout -k 2 40 "${WH[@]}" "$IPHTTPS" probe "${CA[@]}" "$GW_NAME" >"$WORK/human.out" \
	2>"$WORK/human.err"
check_eq "healthy, human report: exit 0" 0 "$?"
check_grep "healthy, human report: the verdict line" '^Verdict: OK( |$)' "$WORK/human.out"
check_grep "healthy, human report: the Windows code" '^Windows LastErrorCode: 0x0 ' \
	"$WORK/human.out"

probe iss_ok h-gw "${CA[@]}" --no-audit --expect-issuer "$CA_CN" "$GW_NAME"
expect iss_ok "--expect-issuer '$CA_CN' (the real issuer)" 0 ok 0x0 audit=null
check "--expect-issuer, the real issuer: no interception finding" \
	no_finding iss_ok cert intercept
probe iss_bad h-gw "${CA[@]}" --no-audit --expect-issuer "Corp Inspection CA" "$GW_NAME"
# A client that trusts the re-signing CA connects (code 0): the verdict is the probe's own.
expect iss_bad "--expect-issuer of another CA" 1 failed 0x0 iphttps=yes
check "--expect-issuer of another CA: a cert finding about interception" \
	has_finding iss_bad cert intercept

# --pin in both spellings: openssl's (AB:CD:..., what an operator pastes) and bare lower-case hex.
probe pin_ok h-gw "${CA[@]}" --no-audit --pin "$(cert_fp "$WORK/gw.crt")" "$GW_NAME"
expect pin_ok "--pin of the served certificate" 0 ok 0x0
check "--pin of the served certificate: no interception finding" no_finding pin_ok cert intercept
probe pin_bad h-gw "${CA[@]}" --no-audit --pin "$(cert_fp "$WORK/ca.crt" | tr -d : | tr A-F a-f)" \
	"$GW_NAME"
expect pin_bad "--pin of another certificate" 1 failed 0x0
check "--pin of another certificate: a cert finding about interception" \
	has_finding pin_bad cert intercept

tinyproxy_start px gw "$WORK/h-gw" 192.0.2.1 3128 || bail "tinyproxy"
probe px h-gw "${CA[@]}" --proxy http://192.0.2.1:3128 "$GW_NAME"
expect px "through tinyproxy" 0 ok 0x0 iphttps=yes proxy.status=200 http.status=200 \
	http.router_advertisement=true
check_grep "through tinyproxy: it logged the CONNECT to $GW_NAME:443" \
	"Request .*CONNECT $GW_NAME:443 " "$WORK/px.log"
stop_bg px

# --- 2. the same gateway, its CA not trusted (the test CA is not in the system store)
probe untr h-gw --no-audit "$GW_NAME"
expect untr "no --ca (untrusted root)" 1 failed 0x800B0109 iphttps=yes \
	certificate.untrusted=true certificate.trusted=false

nmap_agrees ok h-gw "healthy"

# --- 10. HAProxy terminating TLS without the NULL suites in front of iphttpsd
cat >"$WORK/haproxy.cfg" <<CFG
global
	log stderr format raw local0 info
	maxconn 100
	nbthread 1

defaults
	log global
	mode http
	option http-no-delay
	timeout connect 5s
	timeout client 30s
	timeout server 30s
	timeout tunnel 30s

frontend iphttps_tls
	bind 192.0.2.4:443 ssl crt $WORK/hap.pem
	default_backend iphttpsd_http

backend iphttpsd_http
	server gw $LB:8080
CFG
haproxy_start hap gw "$WORK/haproxy.cfg" 443 || bail "haproxy not listening"
# haproxy_start waits for port 443, where the gateway listens already: wait for HAProxy's own.
wait_for "n gw ss -Hltn 'src 192.0.2.4 and sport = :443' | grep -q ." 5 ||
	bail "haproxy not listening on 192.0.2.4:443"
check_eq "control: HAProxy answers a Windows-like NULL-only ClientHello with alert 40" \
	"ALERT level=2 description=40" \
	"$(n c1 "$PY" "$TOP/tests/peers/nullhello.py" --connect 192.0.2.4:443 --sni "$GW_NAME")"
probe hapn h-hap "${CA[@]}" --null-only --no-audit "$GW_NAME"
expect hapn "HAProxy without NULL, --null-only" 1 failed 0x80090326 tls.result=alert \
	tls.failed_after=client-hello tls.alert=40
probe hap h-hap "${CA[@]}" "$GW_NAME"
expect hap "HAProxy without NULL" 1 failed 0x80090326 iphttps=yes tls.result=accepted \
	http.status=200 audit.null.result=alert audit.null.alert=40
nmap_agrees hap h-hap "HAProxy without NULL"
stop_bg hap

# --- 6. nginx in place of the gateway
mkdir -p "$WORK/ngx"
cat >"$WORK/ngx.conf" <<CONF
user nobody nogroup;
worker_processes 1;
pid $WORK/ngx.pid;
error_log $WORK/ngx.log info;
events {
	worker_connections 64;
}
http {
	access_log $WORK/ngx.access.log;
	client_body_temp_path $WORK/ngx/body;
	proxy_temp_path $WORK/ngx/proxy;
	fastcgi_temp_path $WORK/ngx/fastcgi;
	uwsgi_temp_path $WORK/ngx/uwsgi;
	scgi_temp_path $WORK/ngx/scgi;
	server {
		listen 192.0.2.2:443 ssl;
		server_name $GW_NAME;
		ssl_certificate $WORK/gw.crt;
		ssl_certificate_key $WORK/gw.key;
		# A weak old web server for the audit: TLS 1.0 (needs security level 0 in OpenSSL
		# 3) and finite-field DHE with a 1024-bit group (Logjam range).
		ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
		ssl_ciphers DEFAULT:DHE-RSA-AES128-SHA:@SECLEVEL=0;
		ssl_dhparam $WORK/dh1024.pem;
		location / {
			return 200 "a web site\n";
		}
	}
}
CONF
openssl dhparam -out "$WORK/dh1024.pem" 1024 >/dev/null 2>&1 || bail "openssl dhparam"
NGX=(nginx -p "$WORK/ngx/" -e "$WORK/ngx.log" -c "$WORK/ngx.conf")
n gw "${NGX[@]}" -t >"$WORK/ngx.check" 2>&1 || {
	sed 's/^/#   nginx -t: /' "$WORK/ngx.check"
	bail "nginx configuration"
}
start_bg ngx n gw "${NGX[@]}" -g 'daemon off;'
wait_for "n gw ss -Hltn 'src 192.0.2.2 and sport = :443' | grep -q . ||
	! pid_alive ${BG_PID[ngx]}" 5
n gw ss -Hltn 'src 192.0.2.2 and sport = :443' | grep -q . || {
	sed 's/^/#   nginx: /' "$WORK/ngx.err" "$WORK/ngx.log" | tail -n 20
	bail "nginx not listening"
}
probe ngx h-ngx "${CA[@]}" --no-audit "$GW_NAME"
# nginx cannot hold Content-Length 18446744073709551615 in an off_t: "client sent invalid
# "Content-Length" header", 400; HTTP_E_STATUS_BAD_REQUEST is 0x80190000 | 400.
expect ngx "nginx, --no-audit" 3 not-iphttps 0x80190190 iphttps=no tls.result=accepted \
	certificate.trusted=true http.status=400
check "nginx: http.server starts with nginx" pj_test "$WORK/ngx.json" \
	'j["http"]["server"].startswith("nginx")'
# With the audit, the NULL-only ClientHello a Windows 8+ client sends first gets nginx's alert
# 40 (no NULL in its suites): that is the code such a client shows (0x80090326, proto/probe.c:
# the first failure on its way), while the verdict still names the device.
probe ngxa h-ngx "${CA[@]}" "$GW_NAME"
expect ngxa "nginx" 3 not-iphttps 0x80090326 iphttps=no http.status=400 \
	audit.null.result=alert audit.null.alert=40 audit.dhe.result=accepted audit.dhe.bits=1024 \
	audit.rating=weak
check "nginx: the audit finds TLS 1.0 accepted and SSLv3 not" pj_test "$WORK/ngxa.json" \
	'j["audit"]["versions"]["TLSv1.0"] == "accepted" and j["audit"]["versions"]["SSLv3"] != "accepted"'
check "nginx: the audit warns of Logjam" has_finding ngxa audit logjam
check "nginx: the audit warns of TLS 1.0" has_finding ngxa audit "tls 1.0"
nmap_agrees ngxa h-ngx "nginx"
stop_bg ngx
check_grep "nginx: it logged the invalid Content-Length" 'client sent invalid "Content-Length"' \
	"$WORK/ngx.log"

# --- 7. a listener that resets after the ClientHello
start_bg rst n gw "$PY" "$TOP/tests/peers/helloreset.py" --listen 192.0.2.3:443 --life 60
wait_for "grep -q '^LISTEN ' '$WORK/rst.out' || ! pid_alive ${BG_PID[rst]}" 5 ||
	bail "helloreset.py not listening"
probe rst h-rst "${CA[@]}" "$GW_NAME"
expect rst "reset after the ClientHello" 3 not-iphttps 0x2746 tcp.result=ok tls.result=reset \
	tls.failed_after=client-hello
check_grep "reset after the ClientHello: the listener read a whole record first" \
	'^RESET 1 [1-9][0-9]*$' "$WORK/rst.out"
nmap_agrees rst h-rst "reset after the ClientHello"
stop_bg rst

# --- 8. nothing listening
probe refused h-gw "${CA[@]}" "$GW_NAME:4400"
expect refused "nothing listening on 4400" 1 failed 0x274D tcp.result=refused \
	"target=https://$GW_NAME:4400/IPHTTPS"

# --- 8a. http:// to the gateway's own TLS port: OpenSSL closes on plain HTTP without a byte of
# TLS, so the probe asks the port a ClientHello of its own to tell it
probe h2g h-gw "${CA[@]}" --no-audit "http://$GW_NAME:443/IPHTTPS"
expect h2g "http:// to the gateway's TLS port" 1 failed 0x80190001 http.port_speaks_tls=true

# --- 8b. a port whose SYNs are dropped: a timeout, not a refusal (0x274C vs 0x274D)
start_bg fullq n gw "$PY" "$TOP/tests/peers/fullq.py" --listen 192.0.2.3:443 --life 60
wait_for "grep -q '^LISTEN ' '$WORK/fullq.out' || ! pid_alive ${BG_PID[fullq]}" 5 ||
	bail "fullq.py not listening"
probe tmo h-rst "${CA[@]}" --timeout 2 "$GW_NAME"
expect tmo "SYNs dropped" 1 failed 0x274C tcp.result=timeout tcp.peer=192.0.2.3:443

# --- 8c. two addresses for the name, the first dropping SYNs: the probe moves on to the second
# after --timeout, says which address failed, and its audit dials the one that answered (each
# of its ~7 connections trying the silent address first would take 7 x 2 s more). glibc keeps
# a hosts file's order for one name (both addresses equal under RFC 6724): the JSON shows it.
hosts_write "$WORK/h-two" "192.0.2.3 $GW_NAME" "192.0.2.1 $GW_NAME"
t0=$(now_ms)
probe two h-two "${CA[@]}" --timeout 2 "$GW_NAME"
t1=$(now_ms)
expect two "two addresses, the first drops SYNs" 0 ok 0x0 iphttps=yes \
	'resolve.addresses=["192.0.2.3", "192.0.2.1"]' tcp.result=ok tcp.peer=192.0.2.1:443 \
	"tcp.failed_before=192.0.2.3:443 timeout" audit.rating=good
check "two addresses: a tcp warning names the silent address" has_finding two tcp \
	"192.0.2.3:443 timeout"
check "two addresses: the audit reached the server (TLS 1.2 and 1.3 accepted)" \
	pj_test "$WORK/two.json" \
	'[j["audit"]["versions"][v] for v in ("TLSv1.2", "TLSv1.3")] == ["accepted"] * 2'
check "two addresses: the whole probe with its audit took under 8 s ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -lt 8000
stop_bg fullq

# --- 8d. "proxies" that take the connection but give no HTTP answer to CONNECT
start_bg hup n gw "$PY" "$TOP/tests/peers/hangup.py" --listen 192.0.2.3:3128 --life 60
start_bg hupssh n gw "$PY" "$TOP/tests/peers/hangup.py" --listen 192.0.2.3:3129 \
	--reply $'SSH-2.0-OpenSSH_9.2p1\r\n' --life 60
wait_for "grep -q '^LISTEN ' '$WORK/hup.out' && grep -q '^LISTEN ' '$WORK/hupssh.out'" 5 ||
	bail "hangup.py not listening"
probe pxc h-gw "${CA[@]}" --proxy http://192.0.2.3:3128 "$GW_NAME"
expect pxc "a proxy that hangs up on CONNECT" 1 failed 0x2746 proxy.tcp=ok proxy.answer=closed \
	proxy.status=null iphttps=unknown
check_grep "a proxy that hangs up: it read the whole CONNECT head first (so FIN, not RST)" \
	'^CLOSED 1 [1-9][0-9]*$' "$WORK/hup.out"
probe pxs h-gw "${CA[@]}" --proxy http://192.0.2.3:3129 "$GW_NAME"
expect pxs "a 'proxy' that answers with an SSH banner" 1 failed 0x2746 proxy.tcp=ok \
	proxy.answer=not-tls proxy.status=null
check "an SSH banner for a proxy: the finding says it is not HTTP" has_finding pxs proxy \
	"not http"
stop_bg hup
stop_bg hupssh

# --- 8e. an IP-HTTPS server whose tunnel ends right after "200" from HTTPAPI/2.0 (FIN at once):
# the probe's Router Solicitation meets a closed socket (RST back); the probe must still report,
# not die of SIGPIPE (exit 141). nmap's one read matches, so "iphttps" stays "yes".
start_bg fke n gw "$PY" "$TOP/tests/peers/fakeiphttps.py" --listen 192.0.2.3:443 \
	--cert "$WORK/gw.crt" --key "$WORK/gw.key" --mode ended --life 60
wait_for "grep -q '^LISTEN ' '$WORK/fke.out' || ! pid_alive ${BG_PID[fke]}" 5 ||
	bail "fakeiphttps.py --mode ended not listening"
probe fke h-rst "${CA[@]}" "$GW_NAME"
expect fke "200 from HTTPAPI/2.0, then FIN" 1 failed 0x2746 iphttps=yes nmap=true \
	tls.result=accepted http.status=200 http.server=Microsoft-HTTPAPI/2.0 \
	http.body_ended=true http.body_open=false audit.null.result=accepted
check "200, then FIN: the http finding says nmap reports IP-HTTPS here" has_finding fke http \
	"nmap reports ip-https here"
check_grep "200, then FIN: the server answered the probe's POST" '^ANSWERED 1 ended$' \
	"$WORK/fke.out"
nmap_agrees fke h-rst "200 from HTTPAPI/2.0, then FIN"
stop_bg fke

# --- 8f. a captive portal: 200 without a length, an HTML page, the connection left open
start_bg fkp n gw "$PY" "$TOP/tests/peers/fakeiphttps.py" --listen 192.0.2.3:443 \
	--cert "$WORK/gw.crt" --key "$WORK/gw.key" --mode page --life 60
wait_for "grep -q '^LISTEN ' '$WORK/fkp.out' || ! pid_alive ${BG_PID[fkp]}" 5 ||
	bail "fakeiphttps.py --mode page not listening"
probe fkp h-rst "${CA[@]}" --no-audit "$GW_NAME"
expect fkp "200 and a captive portal's page" 3 not-iphttps 0x80190001 iphttps=no nmap=false \
	http.status=200 http.server=nginx/1.22.1 http.body_not_ipv6=true http.body_ended=false \
	http.body_open=false
check "captive portal: the snippet has its page" pj_test "$WORK/fkp.json" \
	'"captive" in j["http"]["snippet"]'
nmap_agrees fkp h-rst "captive portal"
stop_bg fkp

# --- 8g. http:// to a TLS port that answers the plain POST with a TLS alert record
start_bg h2t n gw "$PY" "$TOP/tests/peers/hangup.py" --listen 192.0.2.3:443 \
	--reply-hex "15 03 03 00 02 02 28" --life 60
wait_for "grep -q '^LISTEN ' '$WORK/h2t.out' || ! pid_alive ${BG_PID[h2t]}" 5 ||
	bail "hangup.py --reply-hex not listening"
probe h2t h-rst "http://$GW_NAME:443/IPHTTPS"
expect h2t "http:// to a TLS port" 1 failed 0x80190001 http.port_speaks_tls=true \
	"target=http://$GW_NAME:443/IPHTTPS"
check "http:// to a TLS port: the fix says https://" pj_test "$WORK/h2t.json" \
	'"https://" in j["fix"]'
stop_bg h2t

# --- 9. a name that does not resolve
probe nxd h-gw "${CA[@]}" nowhere.invalid
expect nxd "unresolvable name" 1 failed 0x2AF9 resolve.tried=true resolve.ok=false \
	tcp.result=not-tried

# --- 4. a certificate for another name
conf other
check "SIGHUP with a certificate for other.iphttps.example: reload done" gw_reload
probe name h-gw "${CA[@]}" --no-audit "$GW_NAME"
expect name "certificate for another name" 1 failed 0x800B010F certificate.name_mismatch=true \
	certificate.cn=other.iphttps.example certificate.untrusted=false certificate.expired=false

# --- 3. an expired certificate
conf old
gw_mark
check "SIGHUP with an expired certificate: reload done (the gateway serves it)" gw_reload
check "...with a warning in the log" wait_for "gw_since | grep -q 'HAS EXPIRED'" 2
probe old h-gw "${CA[@]}" "$GW_NAME"
expect old "expired certificate" 1 failed 0x800B0101 certificate.expired=true \
	certificate.name_mismatch=false
nmap_agrees old h-gw "expired certificate"

# --- 5. a gateway that requires client certificates
conf gw "auth certificates" "client-ca $WORK/ca.crt"
check "SIGHUP to auth certificates: reload done" gw_reload
probe cc0 h-gw "${CA[@]}" --no-audit "$GW_NAME"
expect cc0 "auth certificates, no --cert" 1 failed 0x103 tls.client_cert_requested=true \
	tls.client_cert_sent=false http.status=403
nmap_agrees cc0 h-gw "auth certificates, no client certificate"
probe cc1 h-gw "${CA[@]}" --cert "$WORK/cli.crt" --key "$WORK/cli.key" "$GW_NAME"
expect cc1 "auth certificates, a valid --cert" 0 ok 0x0 iphttps=yes \
	tls.client_cert_requested=true tls.client_cert_sent=true http.status=200 \
	http.router_advertisement=true

check_not "no sanitizer report in the probes' stderr" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK"/*.err
finish
