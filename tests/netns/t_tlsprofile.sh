#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_tlsprofile: the TLS profiles compat, modern and strict as a scanner from Debian sees them,
# the Windows NULL-only ClientHello (reset, never an alert, where NULL is refused), RSA and ECDSA
# certificates served side by side, and the warning for a certificate that expires soon.
#
#   c1 [sslscan, testssl, openssl s_client, nullhello.py, iphttps] ----> gw 192.0.2.1
#        :443   iphttpsd: RSA-2048 certificate (400 days) + ECDSA P-256 (expires in 10 days),
#               tls-profile compat, then modern, then strict (SIGHUP between them)
#        :4440  openssl s_server offering TLS 1.0, DHE, CBC and NULL: the scanner's control,
#               proving the audit below can fail
#
# The audit (issue #4): never SSLv3, TLS 1.0 or 1.1, never finite-field DHE, no CBC; NULL
# (exactly TLS_RSA_WITH_NULL_SHA256 and TLS_RSA_WITH_NULL_SHA) only in compat; modern's TLS 1.2
# suites all ECDHE with AEAD; strict TLS 1.3 only. sslscan audits every profile (well under a
# second each); testssl.sh, slower (~12 s), audits compat as a second opinion.
# The gateway's per-source handshake rate limit (default 20/s) would refuse part of a scanner's
# burst and make it miss suites: it is off here, and every scan checks nothing was refused.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init
need_tools sslscan testssl openssl

topo_up c1
NULLHELLO=$TOP/tests/peers/nullhello.py
make_ca ca "iphttps test CA" || bail "make_ca ca"
make_leaf_rsa gwr ca "DNS:$GW_NAME,IP:192.0.2.1" "$(date -u +%Y%m%d%H%M%SZ)" \
	"$(date -u -d '+400 days' +%Y%m%d%H%M%SZ)" || bail "make_leaf_rsa gwr"
make_leaf gwe ca "DNS:$GW_NAME,IP:192.0.2.1" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
	"$(date -u -d '+10 days' +%Y%m%d%H%M%SZ)" || bail "make_leaf gwe"
FP_RSA=$(cert_fp "$WORK/gwr.crt")
FP_EC=$(cert_fp "$WORK/gwe.crt")

# conf PROFILE: the gateway's configuration with that profile.
conf() {
	gw_config "certificate $WORK/gwr.crt" "key $WORK/gwr.key" \
		"certificate $WORK/gwe.crt" "key $WORK/gwe.key" \
		"tls-profile $1" "handshake-rate 0" "max-conn-per-source 0"
}
conf compat
gw_start

# sslscan_summary XML: what the audit looks at, one key=value per line (sorted, "none" if empty):
#   protocols  enabled SSL/TLS versions
#   dhe        accepted suites with finite-field Diffie-Hellman (DHE-/EDH- names, or a DH size)
#   null       IANA ids of accepted suites without encryption
#   notaead    accepted TLS 1.0-1.2 suites that are neither AEAD nor NULL (CBC, RC4, 3DES...)
#   notecdhe   accepted TLS 1.2 encrypting suites without ECDHE (no forward secrecy)
#   tls13      accepted TLS 1.3 suites
sslscan_summary() {
	"$PY" - "$1" <<-'PY'
		import sys, xml.etree.ElementTree as ET
		t = ET.parse(sys.argv[1]).getroot().find("ssltest")
		if t is None:
		    sys.exit("no ssltest element: the scan did not connect")
		names = {("ssl", "2"): "SSLv2", ("ssl", "3"): "SSLv3", ("tls", "1.0"): "TLSv1.0",
		         ("tls", "1.1"): "TLSv1.1", ("tls", "1.2"): "TLSv1.2",
		         ("tls", "1.3"): "TLSv1.3"}
		protos = [names[(p.get("type"), p.get("version"))] for p in t.iter("protocol")
		          if p.get("enabled") == "1"]
		out = {"protocols": protos, "dhe": [], "null": [], "notaead": [], "notecdhe": [],
		       "tls13": []}
		for c in t.iter("cipher"):
		    if c.get("status") not in ("accepted", "preferred"):
		        continue
		    name, ver = c.get("cipher"), c.get("sslversion")
		    cid = "0x%04X" % int(c.get("id"), 16)
		    if ver == "TLSv1.3":
		        out["tls13"].append(name)
		        continue
		    if name.startswith(("DHE-", "EDH-")) or c.get("dhebits"):
		        out["dhe"].append(name)
		    if c.get("strength") == "null" or "NULL" in name:
		        out["null"].append(cid)
		        continue
		    if not any(a in name for a in ("GCM", "CHACHA20", "CCM")):
		        out["notaead"].append(name)
		    if ver == "TLSv1.2" and not name.startswith("ECDHE-"):
		        out["notecdhe"].append(name)
		for k, v in out.items():
		    print("%s=%s" % (k, " ".join(sorted(set(v))) or "none"))
	PY
}

# testssl_summary JSON: the same keys from testssl.sh's flat JSON (-p -E).
testssl_summary() {
	"$PY" - "$1" <<-'PY'
		import json, sys
		j = json.load(open(sys.argv[1]))
		ids = {e["id"]: e["finding"] for e in j}
		names = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1",
		         "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
		missing = [k for k in names if k not in ids]
		if missing:
		    sys.exit("testssl reported no verdict for %s" % missing)
		protos = [v for k, v in names.items() if ids[k].startswith("offered")]
		out = {"protocols": protos, "dhe": [], "null": [], "notaead": [], "notecdhe": [],
		       "tls13": []}
		for k, f in ids.items():
		    if not k.startswith("cipher-tls") and not k.startswith("cipher-ssl"):
		        continue
		    # "TLS 1.2   xc02f   ECDHE-RSA-AES128-GCM-SHA256   ECDH 253   AESGCM ..."
		    w = f.split()
		    hexid, name = w[2], w[3]
		    cid = "0x%04X" % int(hexid[1:], 16)
		    if k.startswith("cipher-tls1_3"):
		        out["tls13"].append(name)
		        continue
		    if name.startswith(("DHE-", "EDH-")) or " DH " in " %s " % f:
		        out["dhe"].append(name)
		    if "NULL" in name:
		        out["null"].append(cid)
		        continue
		    if not any(a in name for a in ("GCM", "CHACHA20", "CCM")):
		        out["notaead"].append(name)
		    if k.startswith("cipher-tls1_2") and not name.startswith("ECDHE-"):
		        out["notecdhe"].append(name)
		for k, v in out.items():
		    print("%s=%s" % (k, " ".join(sorted(set(v))) or "none"))
	PY
}

# scan NAME ADDR:PORT: sslscan from c1 into $WORK/NAME.xml, its summary into $WORK/NAME.sum.
scan() {
	local t0
	t0=$(now_ms)
	n c1 timeout 60 sslscan --no-colour --no-heartbleed --no-renegotiation --no-compression \
		--no-fallback --no-groups --no-check-certificate --show-cipher-ids \
		--xml="$WORK/$1.xml" "$2" >"$WORK/$1.txt" 2>&1
	echo "# sslscan $2: $(($(now_ms) - t0)) ms"
	sslscan_summary "$WORK/$1.xml" >"$WORK/$1.sum" 2>&1
}

# sum_get NAME KEY: one value of a summary.
sum_get() {
	sed -n "s/^$2=//p" "$WORK/$1.sum"
}

# audit NAME PROFILE SCANNER: the checks every profile must pass, plus the profile's own, on the
# summary NAME that SCANNER made.
audit() {
	local s=$1 p=$2 by=$3
	check_eq "$p: $by sees no finite-field DHE suite" none "$(sum_get "$s" dhe)"
	check_eq "$p: $by sees no CBC or other non-AEAD encrypting suite" none \
		"$(sum_get "$s" notaead)"
	case $p in
	compat)
		check_eq "$p: $by sees TLS 1.2 and 1.3 only (no SSLv2/v3, TLS 1.0/1.1)" \
			"TLSv1.2 TLSv1.3" "$(sum_get "$s" protocols)"
		check_eq "$p: $by sees exactly NULL_SHA (0x0002) and NULL_SHA256 (0x003B)" \
			"0x0002 0x003B" "$(sum_get "$s" null)"
		;;
	modern)
		check_eq "$p: $by sees TLS 1.2 and 1.3 only (no SSLv2/v3, TLS 1.0/1.1)" \
			"TLSv1.2 TLSv1.3" "$(sum_get "$s" protocols)"
		check_eq "$p: $by sees no NULL suite" none "$(sum_get "$s" null)"
		check_eq "$p: $by sees only ECDHE suites in TLS 1.2" none "$(sum_get "$s" notecdhe)"
		;;
	strict)
		check_eq "$p: $by sees TLS 1.3 only" TLSv1.3 "$(sum_get "$s" protocols)"
		check_eq "$p: $by sees no NULL suite" none "$(sum_get "$s" null)"
		;;
	esac
	check_match "$p: $by sees TLS 1.3 suites" '^TLS_' "$(sum_get "$s" tls13)"
}

# refused_none: the scan was not cut short by the gateway's per-source limits.
refused_none() {
	local rate conn
	rate=$(stat_get connections.refused_source_rate)
	conn=$(stat_get connections.refused_source_conn)
	check_eq "$1: the gateway refused none of the scanner's connections" "0 0" "$rate $conn"
}

# --- the scanner's control: a server offering what the audit forbids must fail it
start_bg weak n gw openssl s_server -quiet -accept 192.0.2.1:4440 -cert "$WORK/gwr.crt" \
	-key "$WORK/gwr.key" -min_protocol TLSv1 -max_protocol TLSv1.2 \
	-cipher 'DHE-RSA-AES128-GCM-SHA256:AES128-SHA:NULL-SHA256:@SECLEVEL=0'
wait_for "n gw ss -Hltn 'sport = :4440' | grep -q ." 5 || bail "openssl s_server not listening"
scan weak 192.0.2.1:4440
check_match "control: sslscan sees TLS 1.0 on the weak server" 'TLSv1\.0' \
	"$(sum_get weak protocols)"
check_eq "control: sslscan sees its DHE suite" DHE-RSA-AES128-GCM-SHA256 "$(sum_get weak dhe)"
check_eq "control: sslscan sees its NULL suite" 0x003B "$(sum_get weak null)"
check_eq "control: sslscan sees its CBC suite" AES128-SHA "$(sum_get weak notaead)"
stop_bg weak

# --- certificates: RSA and ECDSA side by side, the ECDSA one expiring in 10 days
ctl --json show >"$WORK/show.json" 2>&1
check "show --json: two certificates, RSA and EC, only the EC one expiring" "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
c = s["certificates"]
assert len(c) == 2, c
assert c[0]["key"].startswith("RSA") and not c[0]["expiring"], c[0]
assert c[1]["key"].startswith("EC") and c[1]["expiring"], c[1]
assert c[1]["days_left"] in (9, 10), c[1]
assert len(s["warnings"]) == 1 and "expires in" in s["warnings"][0], s["warnings"]
assert s["tls_profile"] == "compat", s["tls_profile"]
' "$WORK/show.json"
ctl show >"$WORK/show.txt" 2>&1
check_grep "show: a warning that the certificate expires in 9-10 days" \
	'^WARNING +certificate CN=gw\.iphttps\.example expires in (9|10) days' "$WORK/show.txt"
check_eq "show: one warning only (the RSA certificate has 400 days)" 1 \
	"$(grep -c '^WARNING' "$WORK/show.txt")"
check_grep "the log warned about it at start" \
	'\[warn\].*certificate CN=gw\.iphttps\.example expires in (9|10) days' "$WORK/gw.err"
got=$(n c1 timeout 5 openssl s_client -connect 192.0.2.1:443 -servername "$GW_NAME" \
	-sigalgs ECDSA+SHA256 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 |
	sed 's/.*=//')
check_eq "a client offering only ECDSA signatures gets the ECDSA certificate" "$FP_EC" "$got"
got=$(n c1 timeout 5 openssl s_client -connect 192.0.2.1:443 -servername "$GW_NAME" \
	-sigalgs RSA-PSS+SHA256:RSA+SHA256 </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
check_eq "a client offering only RSA signatures gets the RSA certificate" "$FP_RSA" "$got"

# --- compat
scan compat 192.0.2.1:443
audit compat compat sslscan
refused_none "compat (sslscan)"
t0=$(now_ms)
n c1 timeout 60 testssl --quiet --color 0 --warnings off --nodns none -p -E \
	--jsonfile "$WORK/testssl.json" 192.0.2.1:443 >"$WORK/testssl.txt" 2>&1
echo "# testssl -p -E: $(($(now_ms) - t0)) ms"
testssl_summary "$WORK/testssl.json" >"$WORK/tcompat.sum" 2>&1
audit tcompat compat testssl
refused_none "compat (testssl)"
check_eq "compat: testssl and sslscan agree on the TLS 1.3 suites" "$(sum_get compat tls13)" \
	"$(sum_get tcompat tls13)"
check_eq "compat: a Windows-like NULL-only ClientHello gets a ServerHello choosing NULL_SHA256" \
	"SERVERHELLO version=0x0303 cipher=0x003b" \
	"$(n c1 "$PY" "$NULLHELLO" --connect 192.0.2.1:443 --sni "$GW_NAME")"
check_eq "compat: null_reset counted nothing" 0 "$(stat_get connections.null_reset)"

# --- modern
conf modern
check "SIGHUP to profile modern: reload done" gw_reload
check_eq "show --json: tls_profile modern" modern "$(stat_get tls_profile)"
scan modern 192.0.2.1:443
audit modern modern sslscan
refused_none modern
check_eq "modern: a Windows-like NULL-only ClientHello gets a TCP reset, not an alert" RESET \
	"$(n c1 "$PY" "$NULLHELLO" --connect 192.0.2.1:443 --sni "$GW_NAME")"
check_eq "modern: the reset is counted (connections.null_reset)" 1 \
	"$(stat_get connections.null_reset)"
check_grep "modern: the log says why" 'offered only NULL suites, which profile modern refuses' \
	"$WORK/gw.err"
client_start nc c1 --ca "$WORK/ca.crt" --null-ciphers --tun tn --retry-base 1 \
	"https://$GW_NAME/IPHTTPS"
check "modern: iphttps --null-ciphers (Windows' order) still comes up, on an encrypted suite" \
	client_wait tn up 10
tls=$(ctl --json clients | jget 0.tls 2>&1)
check_match "...the gateway lists it with a suite that encrypts ($tls)" '^TLSv1\.[23] ' \
	"${tls//*NULL*/}"
stop_bg nc

# --- strict
conf strict
check "SIGHUP to profile strict: reload done" gw_reload
check_eq "show --json: tls_profile strict" strict "$(stat_get tls_profile)"
scan strict 192.0.2.1:443
audit strict strict sslscan
refused_none strict
check_eq "strict: a NULL-only ClientHello gets a TCP reset" RESET \
	"$(n c1 "$PY" "$NULLHELLO" --connect 192.0.2.1:443 --sni "$GW_NAME")"
check_not "strict: openssl s_client -tls1_2 cannot connect" \
	n c1 timeout 5 openssl s_client -connect 192.0.2.1:443 -tls1_2 </dev/null
check "strict: tlspeer (TLS 1.3) still gets 200" raw_200 c1 --sni "$GW_NAME" --read-timeout 0.5

finish
