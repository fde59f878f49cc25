#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_nmap: nmap's ip-https-discover script recognises the gateway (ms-iphttps.md §6.1).
#
#   c1 (nmap -Pn -p 443 --script ip-https-discover 192.0.2.1) ---> gw 192.0.2.1:443
#
# Scanned by IP, the script takes the Host from the certificate's CN and needs "HTTP/1.1 200"
# and "HTTPAPI/2.0" in the first TLS record. Run twice: with an operator's certificate, and with
# the self-signed one the daemon generates in its state-dir.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1

# scan DESCRIPTION: nmap from client1, the verdict, and a count of the probe at the gateway.
scan() {
	local a0
	a0=$(stat_get connections.accepted)
	n c1 timeout 60 nmap -n -Pn -p 443 --script ip-https-discover 192.0.2.1 >"$WORK/nmap.out" 2>&1
	check_grep "$1: nmap reports IP-HTTPS is supported" 'IP-HTTPS is supported' "$WORK/nmap.out"
	check_gt "$1: the gateway accepted nmap's connections" \
		$(($(stat_get connections.accepted) - a0)) 0
}

make_cert op iphttps.example.test || bail "openssl req"
gw_config "certificate $WORK/op.crt" "key $WORK/op.key"
gw_start
scan "operator certificate CN=iphttps.example.test"
check_eq "show: the served certificate is the operator's" "$(cert_fp "$WORK/op.crt")" \
	"$(stat_get certificate.sha256 | tr a-f A-F)"
stop_bg gw TERM
check "iphttpsd exits 0 on SIGTERM" test $? -eq 0

gw_config
gw_start
scan "self-signed certificate generated in state-dir"
check_match "the generated certificate has a CN" 'CN *= *[^ ,]' "$(stat_get certificate.subject)"

finish
