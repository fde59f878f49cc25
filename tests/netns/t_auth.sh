#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_auth: Authentication Mode Certificates ([MS-IPHTTPS] §3.2.1, issue #4). The gateway asks
# for a client certificate in the handshake, lets the handshake finish whatever the client
# sends, and answers the request of a client without a valid certificate with 403 (Windows then
# tries its next certificate), logging `HTTP 403: <reason>`. Each way a certificate can be
# wrong is one case below, with the client's LastErrorCode (0x80190193, HTTP_E_STATUS_FORBIDDEN)
# and the gateway's reason; good certificates bring the link up and show their identity.
#
#   c1 [iphttps connect --cert ..., openssl s_client] ==TLS==> gw 192.0.2.1:443 ---> in
#        iphttpsd: RSA + ECDSA certificates, tls-profile compat (NULL suites with preauth),
#        auth certificates, client-ca = test CA + second CA, CRLs: the test CA's in DER, the
#        second CA's in PEM; client-name client*.iphttps.example; client-names allow.txt
#
# Then SIGHUP: a CRL that newly lists a connected client's certificate refuses new connections
# with it while the connected one stays; a changed `auth` drops every client.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init
topo_up c1 in

URL="https://$GW_NAME/IPHTTPS"
make_ca ca "iphttps test CA" || bail "make_ca ca"
make_ca ca2 "iphttps second CA" || bail "make_ca ca2"
make_ca other "some other CA" || bail "make_ca other"
make_leaf gwe ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf gwe"
make_leaf_rsa gwr ca "DNS:$GW_NAME,IP:192.0.2.1" || bail "make_leaf_rsa gwr"
cat "$WORK/ca.crt" "$WORK/ca2.crt" >"$WORK/client-cas.pem"

# Client certificates, one per case. make_leaf's CN is the first subjectAltName value.
NOW=$(date -u +%s)
ts() { date -u -d "@$((NOW + $1 * 86400))" +%Y%m%d%H%M%SZ; }
make_leaf good ca "DNS:client1.iphttps.example" || bail "make_leaf good"
make_leaf late ca "DNS:client3.iphttps.example" || bail "make_leaf late"
make_leaf san ca "DNS:host9.elsewhere.example,DNS:client9.iphttps.example" || bail "make_leaf san"
make_leaf listed ca2 "DNS:laptop7.branch.example" || bail "make_leaf listed"
make_leaf expired ca "DNS:client2.iphttps.example" 20200101000000Z 20200102000000Z ||
	bail "make_leaf expired"
make_leaf future ca "DNS:client2.iphttps.example" "$(ts 10)" "$(ts 20)" || bail "make_leaf future"
make_leaf revoked ca2 "DNS:client4.iphttps.example" || bail "make_leaf revoked"
make_cert selfsigned client5.iphttps.example || bail "make_cert selfsigned"
make_leaf foreign other "DNS:client6.iphttps.example" || bail "make_leaf foreign"
make_leaf_eku noeku ca "DNS:client7.iphttps.example" none || bail "make_leaf_eku noeku"
make_leaf_eku srveku ca "DNS:client8.iphttps.example" serverAuth || bail "make_leaf_eku srveku"
make_leaf intruder ca "DNS:intruder.iphttps.example" || bail "make_leaf intruder"
ca_revoke ca2 revoked || bail "revoke"
ca_crl ca "$WORK/ca.crl.der" der || bail "CRL of ca"
ca_crl ca2 "$WORK/ca2.crl.pem" || bail "CRL of ca2"
openssl crl -in "$WORK/ca2.crl.pem" -noout -text >"$WORK/ca2.crl.txt" 2>&1
check_grep "the second CA's CRL lists the revoked serial" \
	"Serial Number: $(cert_serial "$WORK/revoked.crt")" "$WORK/ca2.crl.txt"
printf '# machines allowed besides client*.iphttps.example\n\nlaptop7.branch.example\n' \
	>"$WORK/allow.txt"

# conf AUTH: the configuration, with `auth AUTH`. The per-source handshake rate is off: this
# script connects from one address many times a second (t_unauth tests the limit).
conf() {
	gw_config "certificate $WORK/gwr.crt" "key $WORK/gwr.key" \
		"certificate $WORK/gwe.crt" "key $WORK/gwe.key" "tls-profile compat" \
		"auth $1" "client-ca $WORK/client-cas.pem" \
		"client-crl $WORK/ca.crl.der" "client-crl $WORK/ca2.crl.pem" \
		"client-name client*.iphttps.example" "client-names $WORK/allow.txt" \
		"handshake-rate 0"
}
conf certificates
gw_start
check_eq "show --json: auth certificates" certificates "$(stat_get auth)"

# refused TUN 'WHAT' REASON CERT [ARGS...]: one attempt with make_leaf's certificate CERT ("-":
# none) and ARGS gets 403: --once exits 1 with LastErrorCode 0x80190193, and the gateway logs
# exactly `HTTP 403: REASON`.
NREFUSED=0
refused() {
	local tun=$1 what=$2 reason=$3 cert=$4 rc
	shift 4
	[ "$cert" != - ] && set -- --cert "$WORK/$cert.crt" --key "$WORK/$cert.key" "$@"
	gw_mark
	client_once "$tun" c1 --ca "$WORK/ca.crt" "$@" "$URL"
	rc=$?
	NREFUSED=$((NREFUSED + 1))
	check_eq "$what: --once exits 1" 1 "$rc"
	check_lasterr "$what: LastErrorCode 0x80190193 (403)" "$tun" 0x80190193
	if gw_wait_403 "$reason"; then
		_ok "$what: the gateway logs 'HTTP 403: $reason'"
	else
		_not_ok "$what: the gateway logs 'HTTP 403: $reason'"
		gw_since | grep -E 'HTTP|refused|client' | tail -n 8 | sed 's/^/#   gw: /'
	fi
}

# up NAME TUN CERT [ARGS...]: `iphttps connect` in c1 with make_leaf's certificate CERT and
# ARGS on TUN (reconnecting after 1 s); waits for the link and for a global address on TUN.
# shellcheck disable=SC2317 # called through check
up() {
	local name=$1 tun=$2 cert=$3
	shift 3
	client_start "$name" c1 --ca "$WORK/ca.crt" --cert "$WORK/$cert.crt" \
		--key "$WORK/$cert.key" --tun "$tun" --retry-base 1 "$@" "$URL"
	client_wait "$tun" up 10 && wait_for "tun_global c1 $tun" 5
}

refused e0 "no client certificate" "no client certificate" -
refused e1 "expired certificate" "certificate has expired" expired
refused e2 "certificate not yet valid" "certificate is not yet valid" future
refused e3 "revoked certificate (second CA, PEM CRL)" "certificate revoked" revoked
refused e4 "self-signed certificate" "untrusted: self-signed certificate" selfsigned
refused e5 "certificate from another CA" "untrusted: unable to get local issuer certificate" \
	foreign
refused e6 "certificate without extendedKeyUsage" \
	"wrong key usage: no TLS client authentication EKU" noeku
refused e7 "certificate for serverAuth only" "wrong key usage: unsuitable certificate purpose" \
	srveku
refused e8 "certificate whose names match no client-name rule nor the allow-list" \
	"identity not allowed: intruder.iphttps.example" intruder
refused e9 "NULL suites (compat) without a certificate" "no client certificate" - --null-ciphers
check_eq "show --json: connections.auth_refused counts every 403" "$NREFUSED" \
	"$(stat_get connections.auth_refused)"
check_eq "show --json: nobody authenticated so far" 0 "$(stat_get connections.authenticated)"

# The same refusal over TLS 1.2 with OpenSSL's client: the handshake completes, 403 follows.
printf 'POST /IPHTTPS HTTP/1.1\r\nHost: %s\r\nContent-Length: 18446744073709551615\r\n\r\n' \
	"$GW_NAME" >"$WORK/post.txt"
got=$(n c1 timeout 5 openssl s_client -quiet -ign_eof -tls1_2 -connect 192.0.2.1:443 \
	-servername "$GW_NAME" -CAfile "$WORK/ca.crt" -cert "$WORK/expired.crt" \
	-key "$WORK/expired.key" <"$WORK/post.txt" 2>/dev/null |
	head -n 1 | tr -d '\r')
check_match "TLS 1.2 (openssl s_client) with an expired certificate: handshake, then 403" \
	'^HTTP/1\.1 403 ' "$got"

# --- good certificates
check "a valid certificate (client1.iphttps.example): link up" up good g1 good
check_eq "...clients --json: auth certificate" certificate "$(client_json_by c1 g1 auth)"
check_eq "...clients --json: identity from the certificate" client1.iphttps.example \
	"$(client_json_by c1 g1 identity)"
check "...ping -6 the intranet through it" n c1 ping -6 -c 2 -i 0.2 -W 2 -I g1 2001:db8:100::10
check_grep "...the gateway logs the identity at link up" \
	'link up .*identity client1\.iphttps\.example by certificate' "$WORK/gw.err"
check "CN matching no rule, second subjectAltName matching client*: link up" up san s1 san
check_eq "...identity is the matching SAN name" client9.iphttps.example \
	"$(client_json_by c1 s1 identity)"
stop_bg san
check "a name on the client-names allow-list (second CA, PEM CRL checked): link up" \
	up listed a1 listed
check_eq "...identity laptop7.branch.example" laptop7.branch.example \
	"$(client_json_by c1 a1 identity)"
stop_bg listed

# --- preauthentication and the NULL suites together (Windows cannot do both)
check "--null-ciphers with a valid certificate (compat): link up" up nul n1 good --null-ciphers
check_match "...on a NULL suite" 'NULL' "$(client_json_by c1 n1 tls)"
check_eq "...authenticated by the certificate" certificate "$(client_json_by c1 n1 auth)"
check "...ping -6 the intranet through it" n c1 ping -6 -c 2 -i 0.2 -W 2 -I n1 2001:db8:100::10
stop_bg nul

# --- SIGHUP with a CRL that now lists a connected client's certificate
check "client3 (certificate to be revoked) up" up late l1 late
LATE_ID=$(client_json_by c1 l1 id)
ca_revoke ca late || bail "revoke late"
ca_crl ca "$WORK/ca.crl.der" der || bail "new CRL of ca"
check "SIGHUP with the new CRL (DER): reload done" gw_reload
check_eq "...the connected client3 stays (same client id)" "$LATE_ID" "$(client_json_by c1 l1 id)"
check "...and its tunnel still works" n c1 ping -6 -c 1 -W 2 -I l1 2001:db8:100::10
refused l2 "after SIGHUP a new connection with the newly revoked certificate" \
	"certificate revoked" late

# --- SIGHUP with another authentication mode drops every client
GOOD_ID=$(client_json_by c1 g1 id)
# shellcheck disable=SC2016 # wait_for evaluates it
check "two clients connected (client1, client3)" wait_for '[ "$(stat_get clients)" = 2 ]' 5
conf none
gw_mark
check "SIGHUP with auth none: reload done" gw_reload
check_eq "show --json: auth none" none "$(stat_get auth)"
check "...the log says the clients were dropped" \
	wait_for "gw_since | grep -q 'authentication mode changed to none: 2 clients dropped'" 5
check "...client1 reconnects (a new client id)" \
	wait_for "id=\$(client_json_by c1 g1 id) && [ \"\$id\" != '$GOOD_ID' ]" 10
check_eq "...client1's valid certificate still counts in mode none" certificate \
	"$(client_json_by c1 g1 auth)"
check "...client3 reconnects too" \
	wait_for "id=\$(client_json_by c1 l1 id) && [ \"\$id\" != '$LATE_ID' ]" 10
check_eq "...unauthenticated now (revoked certificate, mode none), without an identity" "none/" \
	"$(client_json_by c1 l1 auth)/$(client_json_by c1 l1 identity)"
stop_bg late
stop_bg good

check_not "no sanitizer report in the clients' logs" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK"/*.once.err "$WORK/good.err" "$WORK/late.err" "$WORK/nul.err"
finish
