#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t_ctl: the control tool and the daemon's signals.
#
#   c1 (tun) ==TLS==> gw (iphttpsd, iphttpsctl -s $WORK/ctl.sock) <==TLS== c2 (tun)
#
# show and clients (human and --json), disconnect, SIGHUP with a replaced certificate (the
# connected client stays, a new connection sees the new certificate), SIGTERM (exit 0, the TUN
# goes away, clients are disconnected).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
iph_init "$@"

topo_up c1 c2
make_cert a iphttps-a.example.test || bail "openssl req"
make_cert b iphttps-b.example.test || bail "openssl req"
cp "$WORK/a.crt" "$WORK/gw.crt"
cp -p "$WORK/a.key" "$WORK/gw.key"
gw_config "certificate $WORK/gw.crt" "key $WORK/gw.key"
gw_start

# --- show
check "iphttpsctl show exits 0" ctl show
check_match "show (human) names the prefix" '2001:db8:1:1000::/64' "$(ctl show 2>&1)"
ctl --json show >"$WORK/show.json" 2>&1
check "show --json is valid JSON" "$PY" -m json.tool "$WORK/show.json"
check "show --json: prefix, mtu 1280, tun, pid, version, no clients, every counter present" "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["prefix"] == "2001:db8:1:1000::/64", s["prefix"]
assert s["mtu"] == 1280 and s["tun"] == "iphttps0" and s["clients"] == 0, s
assert isinstance(s["pid"], int) and s["pid"] > 0 and s["version"], s
assert isinstance(s["uptime"], (int, float)) and s["uptime"] >= 0, s
link = ["to_tun", "from_tun", "peer_to_peer", "rs", "ra", "dad_conflicts", "echo",
        "icmp_errors", "learned", "evicted"]
drops = ["malformed", "spoofed", "foreign_src", "unspec_src", "ll_not_gw", "mcast", "rogue_nd",
         "nd_invalid", "too_big", "no_neighbor", "queue_full", "tun", "tun_mcast", "tun_offlink",
         "gw_unhandled", "icmp_rate"]
conns = ["accepted", "handshake_failed", "handshake_timeout", "head_timeout", "http_errors",
         "not_ipv6", "closed", "rejected_max"]
missing = [k for k in link if not isinstance(s["link"].get(k), int)]
missing += ["drops." + k for k in drops if not isinstance(s["link"]["drops"].get(k), int)]
missing += ["connections." + k for k in conns if not isinstance(s["connections"].get(k), int)]
assert not missing, "missing or not integers: %s" % missing
' "$WORK/show.json"
check_eq "show --json: certificate.sha256 is the configured certificate's" \
	"$(cert_fp "$WORK/a.crt")" "$(jget certificate.sha256 <"$WORK/show.json" | tr a-f A-F)"
check_match "show --json: certificate.subject has its CN" 'iphttps-a\.example\.test' \
	"$(jget certificate.subject <"$WORK/show.json")"
check_eq "clients --json with nobody connected is []" "[]" "$(ctl --json clients | tr -d ' \n')"

# --- clients
peer_tun p1 c1 || bail "client1 peer not READY"
peer_tun p2 c2 || bail "client2 peer not READY"
check "client1 is up (global address)" wait_for "peer_global c1" 10
check "client2 is up (global address)" wait_for "peer_global c2" 10
n c1 ping -6 -c 1 -W 2 2001:db8:1:1000::1 >/dev/null 2>&1
n c2 ping -6 -c 1 -W 2 2001:db8:1:1000::1 >/dev/null 2>&1
ctl --json clients >"$WORK/clients.json" 2>&1
check "clients --json is valid JSON" "$PY" -m json.tool "$WORK/clients.json"
check "clients --json: two clients, fields as documented" "$PY" -c '
import json, sys
cl = json.load(open(sys.argv[1]))
assert len(cl) == 2, cl
remotes = sorted(c["remote"].rsplit(":", 1)[0] for c in cl)
assert remotes == ["192.0.2.10", "198.51.100.10"], remotes
for c in cl:
    assert isinstance(c["id"], int), c
    assert c["transport"] == "tls" and c["state"] == "up", c
    assert c["tls"].startswith("TLSv1."), c
    for k in ("bytes_in", "bytes_out", "packets_in", "packets_out"):
        assert isinstance(c[k], int) and c[k] > 0, (k, c)
    assert isinstance(c["uptime"], (int, float)), c
    assert all(isinstance(a, str) for a in c["addresses"]), c
' "$WORK/clients.json"
ctl clients >"$WORK/clients.txt" 2>&1
check "clients (human) exits 0" test $? -eq 0
check_grep "clients (human) shows client1's remote address" '192\.0\.2\.10' "$WORK/clients.txt"
check_grep "clients (human) shows client2's remote address" '198\.51\.100\.10' "$WORK/clients.txt"
check_gt "show --json: clients = 2" "$(stat_get clients)" 1

# --- disconnect
ID1=$("$PY" -c '
import json, sys
print([c["id"] for c in json.load(open(sys.argv[1])) if c["remote"].startswith("192.0.2.10:")][0])
' "$WORK/clients.json")
ID2=$("$PY" -c '
import json, sys
print([c["id"] for c in json.load(open(sys.argv[1])) if c["remote"].startswith("198.51.100.10:")][0])
' "$WORK/clients.json")
check_eq "disconnect $ID1 prints 'disconnected $ID1'" "disconnected $ID1" "$(ctl disconnect "$ID1" 2>&1)"
check "client1's peer exits" wait_for "! pid_alive ${BG_PID[p1]}" 5
bg_exit p1
check_eq "client1's peer exit status says the server closed (3)" 3 "$?"
check_grep "client1's peer printed 'server closed'" '^server closed$' "$WORK/p1.out"
check "the gateway lists client1 no more" wait_for "[ \"\$(stat_get clients)\" = 1 ]" 5
check_not "disconnect of an unknown id fails" ctl disconnect 999999
check "client2 still works" n c2 ping -6 -c 1 -W 2 2001:db8:1:1000::1

# --- SIGHUP with a replaced certificate
FPA=$(cert_fp "$WORK/a.crt")
FPB=$(cert_fp "$WORK/b.crt")
check_eq "before SIGHUP a new connection sees certificate A" "$FPA" "$(served_fp c1 192.0.2.1:443)"
check "before SIGHUP a client verifying against A (SNI iphttps-a.example.test) gets 200" \
	raw_200 c1 --ca "$WORK/a.crt" --sni iphttps-a.example.test --read-timeout 0.3
check_not "before SIGHUP a client verifying against B fails the handshake" \
	raw_200 c1 --ca "$WORK/b.crt" --sni iphttps-b.example.test --read-timeout 0.3
cp -p "$WORK/b.key" "$WORK/gw.key.new" && mv "$WORK/gw.key.new" "$WORK/gw.key"
cp "$WORK/b.crt" "$WORK/gw.crt.new" && mv "$WORK/gw.crt.new" "$WORK/gw.crt"
kill -HUP "$GW_PID"
check "after SIGHUP show reports certificate B" \
	wait_for "[ \"\$(stat_get certificate.sha256 | tr a-f A-F)\" = '$FPB' ]" 5
check_eq "after SIGHUP a new connection sees certificate B" "$FPB" "$(served_fp c1 192.0.2.1:443)"
check "after SIGHUP a client verifying against B (SNI iphttps-b.example.test) gets 200" \
	raw_200 c1 --ca "$WORK/b.crt" --sni iphttps-b.example.test --read-timeout 0.3
check "after SIGHUP the daemon still runs" pid_alive "$GW_PID"
check "client2's peer is still running" pid_alive "${BG_PID[p2]}"
check_match "client2 is still listed under the same id" "^$ID2\$" \
	"$(ctl --json clients | "$PY" -c 'import json,sys; print("\n".join(str(c["id"]) for c in json.load(sys.stdin)))')"
check "client2's tunnel still carries traffic" n c2 ping -6 -c 2 -i 0.2 -W 2 2001:db8:1:1000::1

# --- SIGTERM
stop_bg gw TERM
rc=$?
check_eq "iphttpsd exits 0 within 3 s of SIGTERM" 0 "$rc"
check_not "the TUN iphttps0 is gone" n gw ip link show iphttps0
check "client2's peer sees the server close" wait_for "! pid_alive ${BG_PID[p2]}" 5
bg_exit p2
check_eq "client2's peer exit status says the server closed (3)" 3 "$?"

finish
