#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_client_portproxy: `iphttps portproxy` (netsh's `interface portproxy add v4tov6`) lets an
# IPv4-only application on the client reach an IPv6-only intranet server through the tunnel.
#
#   c1: curl -4 http://127.0.0.1:8080/ -> [iphttps connect, port proxy 127.0.0.1:8080]
#        ==tunnel==> gw ---> in: python3 -m http.server --bind 2001:db8:100::10 8080
#
# The entries live in a file of the work dir (--file, --portproxy-file). The running client
# serves them while connected; `portproxy add/delete` makes it re-read the file (SIGHUP).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"
client_init

topo_up c1 in
make_ca ca "iphttps test CA" || bail "make_ca"
make_leaf gw ca "DNS:$GW_NAME" || bail "make_leaf"
gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key"
gw_start

# An IPv6-only web server on the intranet host.
mkdir -p "$WORK/www"
TOKEN="iphttps-portproxy-$$-$RANDOM"
echo "$TOKEN" >"$WORK/www/index.html"
head -c 1048576 /dev/urandom >"$WORK/www/blob"
SUM=$(sha256sum <"$WORK/www/blob" | cut -d' ' -f1)
start_bg web n in "$PY" -m http.server 8080 --bind 2001:db8:100::10 --directory "$WORK/www"
wait_for "n in ss -Hltn 'src [2001:db8:100::10] and sport = :8080' | grep -q ." 5 ||
	bail "web server not listening"
check_eq "the web server has no IPv4 socket" "" "$(n in ss -Hltn4 'sport = :8080')"

PP=$WORK/pp.conf
T=ipq0
# pp ARGS...: `iphttps portproxy` on our list; --state-dir and --tun tell it which running
# client to signal (SIGHUP) after add and delete.
pp() {
	"$IPHTTPS" portproxy --file "$PP" --state-dir "$CST" --tun "$T" "$@"
}
# shellcheck disable=SC2317 # also called through wait_for
# listening PORT: something in c1 listens on 127.0.0.1:PORT (or 0.0.0.0:PORT).
listening() {
	n c1 ss -Hltn4 "sport = :$1" | grep -q .
}
# fetch PORT [PATH]: curl -4 in c1 through the port proxy.
fetch() {
	n c1 curl -4 -sS --max-time 5 "http://127.0.0.1:$1/${2:-}"
}

check "portproxy add v4tov6 listenport=8080 connectaddress=2001:db8:100::10 connectport=8080" \
	pp add v4tov6 listenport=8080 connectaddress=2001:db8:100::10 connectport=8080
pp list >"$WORK/list1.txt" 2>&1
check_grep "portproxy list shows 127.0.0.1 8080 -> 2001:db8:100::10 8080" \
	'127\.0\.0\.1.*8080.*2001:db8:100::10.*8080' "$WORK/list1.txt"

client_start cl c1 --ca "$WORK/ca.crt" --tun "$T" --portproxy-file "$PP" "https://$GW_NAME/IPHTTPS"
client_wait "$T" up 15 || {
	client_log cl 30
	bail "the client did not come up"
}
wait_for "n c1 ip -6 route show 2001:db8:100::/48 | grep -q 'dev $T'" 10 ||
	bail "no route to the intranet over $T"
check "while connected the client listens on 127.0.0.1:8080" wait_for "listening 8080" 10
check_match "the listener is on loopback (the default listen address)" '127\.0\.0\.1:8080' \
	"$(n c1 ss -Hltn4 'sport = :8080')"
check_eq "curl -4 http://127.0.0.1:8080/ fetches the IPv6-only page" "$TOKEN" "$(fetch 8080)"
check_grep "the web server saw the request from the client's tunnel address" \
	'^2001:db8:1:1000:[0-9a-f:]+ - - .*"GET / HTTP' "$WORK/web.err"
check_eq "1 MiB through the port proxy arrives intact (sha256)" "$SUM" \
	"$(fetch 8080 blob | sha256sum | cut -d' ' -f1)"

# --- add while running: the client picks it up
check "portproxy add listenport=8081 listenaddress=127.0.0.1 ... while the client runs" \
	pp add v4tov6 listenport=8081 listenaddress=127.0.0.1 connectaddress=2001:db8:100::10 \
	connectport=8080
check "the running client starts listening on 8081" wait_for "listening 8081" 5
check_eq "curl -4 http://127.0.0.1:8081/ fetches the page" "$TOKEN" "$(fetch 8081)"

# --- delete: the port closes
check "portproxy delete v4tov6 listenport=8080" pp delete v4tov6 listenport=8080
check "after delete port 8080 closes" wait_for "! listening 8080" 5
check_not "...and curl to 8080 fails" fetch 8080
check_eq "...while 8081 still works" "$TOKEN" "$(fetch 8081)"
pp list >"$WORK/list2.txt" 2>&1
check_grep "portproxy list shows the 8081 entry" '127\.0\.0\.1.*8081.*2001:db8:100::10.*8080' \
	"$WORK/list2.txt"
check_not "portproxy list no longer shows 8080" grep -Eq '\b8080\b.*2001:db8:100::10' \
	<(grep -v '8081' "$WORK/list2.txt")

# --- the client stops: its listeners go with it
stop_bg cl TERM
check_eq "SIGTERM: the client exits 0" 0 "$?"
check_not "SIGTERM: nothing listens on 8081 any more" listening 8081
check_not "no sanitizer report in the client's log" \
	grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$WORK/cl.err"

finish
