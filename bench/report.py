#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""report: the results of one `make bench` run into bench/results/<date>.json and BENCHMARKS.md.

    report.py RESULT_DIR OUT_JSON BENCHMARKS_MD

RESULT_DIR holds what bench/run.sh measured: machine.json, path-<name>.json (throughput, packet
rate, round-trip time per data path), tunnels.json (bench/tunnels.sh: handshake rate, idle
tunnels and memory, reconnect storm) and abuse.json (bench/abuse.sh: a slow reader, a client
that stops reading and a handshake flood under idle load) when those ran. The report sets every
target of issue #6 beside its measured value and ratio, met or not, and the abuses' effects
beside each other. Standard library only.
"""

import json
import os
import sys

PATHS = [
    ("bare", "bare veth path, no tunnel"),
    ("iphttps-tls13-aes128gcm", "iphttps, TLS 1.3 AES-128-GCM"),
    ("iphttps-tls12-aes128gcm", "iphttps, TLS 1.2 AES-128-GCM"),
    ("iphttps-tls12-null-sha256", "iphttps, TLS 1.2 NULL-SHA256"),
    ("ocserv", "ocserv + openconnect (TCP)"),
]


def load(d):
    r = {"paths": {}}
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if f == "machine.json":
            r["machine"] = json.load(open(p))
        elif f.startswith("path-") and f.endswith(".json"):
            r["paths"][f[5:-5]] = json.load(open(p))
        elif f == "tunnels.json":
            r["tunnels"] = json.load(open(p))
        elif f == "abuse.json":
            r["abuse"] = json.load(open(p))
    return r


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d


def gbit(v):
    return "-" if v is None else "%.2f" % (v / 1e9)


def num(v, fmt="%d"):
    return "-" if v is None else fmt % v


def paths_table(r):
    rows = ["| path | TLS | TCP 1 stream Gbit/s | TCP 4 streams Gbit/s | UDP 64 B kpps received |"
            " RTT median µs | RTT p99 µs |", "|---|---|---|---|---|---|---|"]
    for key, label in PATHS:
        p = r["paths"].get(key)
        if p is None:
            rows.append("| %s | not measured | | | | | |" % label)
            continue
        udp = get(p, "udp64", "received_pps")
        rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, get(p, "info", "tls") or "-",
            gbit(get(p, "tcp1", "receiver_bps")), gbit(get(p, "tcp4", "receiver_bps")),
            num(None if udp is None else udp / 1000, "%.0f"),
            num(get(p, "rtt", "median_us"), "%.0f") + (
                "" if get(p, "rtt", "n") in (None, 500) else " (%s of 500 replies)" % get(
                    p, "rtt", "n")),
            num(get(p, "rtt", "p99_us"), "%.0f")))
    return rows


def ratio(a, b):
    return None if a is None or not b else a / b


def target_rows(r):
    """(target, measured, ratio to target, met) for each of issue #6's four targets."""
    out = []
    best = None
    for key in ("iphttps-tls13-aes128gcm", "iphttps-tls12-aes128gcm", "iphttps-tls12-null-sha256"):
        v = get(r["paths"].get(key, {}), "tcp1", "receiver_bps")
        if v is not None and (best is None or v > best[1]):
            best = (key, v)
    oc = get(r["paths"].get("ocserv", {}), "tcp1", "receiver_bps")
    if best and oc:
        x = best[1] / oc
        out.append(("single-stream TCP >= 2x ocserv", "%s Gbit/s (%s) vs %s Gbit/s" % (
            gbit(best[1]), best[0], gbit(oc)), "%.2fx of ocserv (target 2x)" % x, x >= 2))
    else:
        out.append(("single-stream TCP >= 2x ocserv", "not measured", "-", False))
    t = r.get("tunnels", {})
    idle = t.get("idle", [])
    top = max(idle, key=lambda e: e.get("up", 0)) if idle else None
    if top:
        per = top.get("gw_bytes_per_tunnel")
        out.append(("100,000 idle tunnels", "%d up of %d" % (top["up"], top["target"]),
                    "%.0f%% of 100,000" % (100.0 * top["up"] / 100000), top["up"] >= 100000))
        out.append(("<= 16 KB gateway memory per idle tunnel",
                    "%s bytes at %d tunnels" % (num(per), top["up"]),
                    "-" if per is None else "%.2fx of 16 KB" % (per / 16384.0),
                    per is not None and per <= 16384))
    else:
        out.append(("100,000 idle tunnels", "not measured", "-", False))
        out.append(("<= 16 KB gateway memory per idle tunnel", "not measured", "-", False))
    for key in ("handshakes", "handshakes_null"):
        hs = t.get(key) or {}
        rate, sign = hs.get("per_core_per_s"), hs.get("openssl_sign_per_s")
        name = "new tunnels/s per core >= 70%% of openssl speed signing (%s)" % (
            hs.get("tls") or ("TLS 1.2 NULL" if key.endswith("null") else "TLS 1.3"))
        if rate and sign:
            out.append((name, "%.0f/s per gateway CPU-second vs %.0f signs/s (%s)" % (
                rate, sign, hs.get("key", "?")), "%.0f%% (target 70%%)" % (100.0 * rate / sign),
                rate >= 0.7 * sign))
        else:
            out.append((name, "not measured", "-", False))
    bare = get(r["paths"].get("bare", {}), "rtt", "median_us")
    tun = get(r["paths"].get("iphttps-tls13-aes128gcm", {}), "rtt", "median_us")
    if bare is not None and tun is not None:
        add = tun - bare
        out.append(("added round-trip time <= 50 µs median", "%.0f µs (%.0f - %.0f bare)" % (
            add, tun, bare), "%.2fx of 50 µs" % (add / 50.0), add <= 50))
    else:
        out.append(("added round-trip time <= 50 µs median", "not measured", "-", False))
    return out


def tunnel_rows(r):
    t = r.get("tunnels")
    if not t:
        return ["Tunnel measurements (4-6) did not run."]
    rows = []
    for key in ("handshakes", "handshakes_null"):
        hs = t.get(key)
        if not hs:
            continue
        # Members are null when nothing was measured (no tunnel up, no CPU time, no openssl).
        rows += ["", "New tunnels (TLS + HTTP + RS/RA), %s, key %s: %s tunnels in %s s = %s/s; "
                 "gateway CPU %s s = %s tunnels per gateway CPU-second; `openssl speed` "
                 "signing on this machine: %s/s per core." % (
                     hs.get("tls", "?"), hs.get("key", "?"), num(hs.get("up")),
                     num(None if hs.get("elapsed_ms") is None else hs["elapsed_ms"] / 1000.0,
                         "%.1f"), num(hs.get("rate_per_s"), "%.0f"),
                     num(hs.get("gw_cpu_s"), "%.1f"), num(hs.get("per_core_per_s"), "%.0f"),
                     num(hs.get("openssl_sign_per_s"), "%.0f"))]
    idle = t.get("idle", [])
    if idle:
        rows += ["", "| idle tunnels asked | up | gateway RSS MiB | bytes per tunnel | "
                 "kernel TCP memory MiB | loadgen RSS MiB |", "|---|---|---|---|---|---|"]
        for e in idle:
            rows.append("| %d | %d | %s | %s | %s | %s |" % (
                e["target"], e.get("up", 0), num(e.get("gw_rss_kib"), "%d") if e.get(
                    "gw_rss_kib") is None else "%.0f" % (e["gw_rss_kib"] / 1024.0),
                num(e.get("gw_bytes_per_tunnel")),
                "-" if e.get("tcp_mem_pages") is None else "%.0f" % (
                    e["tcp_mem_pages"] * 4096 / 2**20),
                "-" if e.get("loadgen_rss_kib") is None else "%.0f" % (
                    e["loadgen_rss_kib"] / 1024.0)))
    st = t.get("storm")
    if st:
        back = st.get("back_ms")
        restart = st.get("restart_ms")
        rows += ["", "Reconnect storm: %d clients kept up, the gateway restarted%s: %s "
                 "(%d up at the end, %d failed attempts while it was down or busy)." % (
                     st.get("target", 0),
                     "" if restart is None else " (stopped and ready again in %.1f s)" % (
                         restart / 1000.0),
                     "not all back" if back is None else
                     "all back %.1f s after the first drop" % (back / 1000.0),
                     st.get("up", 0), st.get("failed", 0))]
    for note in t.get("notes", []):
        rows += ["", note]
    return rows


# The counters (deltas over all workers, bench/abuse.sh) that are drops or refusals; every
# link.drops.* member is one too.
REFUSALS = ("rejected_max", "refused_source_conn", "refused_source_rate", "refused_source_full",
            "handshake_failed", "handshake_timeout", "head_timeout", "http_errors", "not_ipv6",
            "null_reset")


def mib(kib):
    return "-" if kib is None else "%.0f" % (kib / 1024.0)


def ms(us):
    if us is None:
        return "-"
    return "%.2f" % (us / 1000.0) if us < 10000 else "%.0f" % (us / 1000.0)


def rtt_text(x):
    if not x or not x.get("received"):
        return "no replies"
    t = "%s / %s" % (ms(x.get("median_us")), ms(x.get("p99_us")))
    if x.get("loss_pct"):
        t += " (%.1f%% lost)" % x["loss_pct"]
    return t


def refusals(c):
    out = []
    for k, v in sorted((c or {}).items()):
        name = k.rsplit(".", 1)[-1]
        if v and (k.startswith("link.drops.") or name in REFUSALS):
            out.append("%s %d" % (name, v))
    return ", ".join(out) or "none"


def abuse_rows(r):
    a = r.get("abuse")
    if not a:
        return ["The abuse measurements did not run."]
    load = a.get("load") or {}
    rows = ["", "Background load: %s of %s idle tunnels up (%s gateway worker(s), %s loadgen "
            "process(es)), plus two `iphttps connect` clients: the observer in c1, whose "
            "round-trip time to the intranet host is measured, and the victim in c2." % (
                num(load.get("up")), num(load.get("target")), num(load.get("gw_workers")),
                num(load.get("loadgen_procs")))]
    cl = a.get("clients") or {}
    if cl.get("observer") and cl.get("victim"):
        # Each worker has its own /64: the first four groups tell which.
        same = cl["observer"].split(":")[:4] == cl["victim"].split(":")[:4]
        rows[-1] += " Observer %s and victim %s are on %s gateway worker%s." % (
            cl["observer"], cl["victim"], "the same" if same else "different",
            "" if same else "s")
    if a.get("abuses"):
        rows += ["", "| abuse | gateway RSS before/peak/after MiB | drops/refusals | observer RTT "
                 "median/p99 ms before → during | tunnels still up |", "|---|---|---|---|---|"]
    for e in a.get("abuses", []):
        m, bg, v = e.get("gw_rss_kib") or {}, e.get("background") or {}, e.get("victim") or {}
        up = "%s of %s background (%s dropped)" % (num(bg.get("up_after")), num(
            bg.get("up_before")), num(bg.get("dropped")))
        if v.get("recovered"):
            t = v["recover_ms"]
            up += "; victim passes a ping %s after%s" % (
                "%d ms" % t if t < 1000 else "%.1f s" % (t / 1000.0),
                ", reconnected" if v.get("reconnected") else "")
        else:
            up += "; victim **not** reachable again within 30 s"
        rows.append("| %s | %s / %s / %s | %s | %s → %s | %s |" % (
            e.get("label", e.get("name")), mib(m.get("before")), mib(m.get("peak")),
            mib(m.get("after")), refusals(e.get("counters")), rtt_text(e.get("rtt_before")),
            rtt_text(e.get("rtt_during")), up))
    for e in a.get("abuses", []):
        b, f = e.get("blast"), e.get("flood")
        line = "%s: the gateway's control socket answered within %s ms at worst" % (
            e.get("label", e.get("name")), num(e.get("ctl_ms_max")))
        if b:
            line += "; %s UDP datagrams sent (%s Mbit/s), %s reached the victim" % (
                num(b.get("sent")), num(b.get("mbit_per_s"), "%.0f"),
                num((e.get("victim") or {}).get("udp_received")))
        if f:
            fail = ", ".join("%s %d" % kv for kv in sorted((f.get("failures") or {}).items())
                             if kv[1])
            line += "; %s new tunnels came up in %.1f s (%s/s), %s attempts failed%s" % (
                num(f.get("completed")), (f.get("elapsed_ms") or 0) / 1000.0,
                num(f.get("rate_per_s"), "%.0f"), num(f.get("failed")),
                " (%s)" % fail if fail else "")
        rows += ["", line + "."]
    for note in a.get("notes", []):
        rows += ["", note]
    return rows


def markdown(r, stamp):
    m = r.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.sh, bench/report.py); the raw numbers of this run are",
        "in `bench/results/%s`. Nothing here is hand-edited." % stamp,
        "",
        "Machine: %s, %s cores, %s GiB, Linux %s, Debian %s, %s." % (
            m.get("cpu", "?"), m.get("cores", "?"), m.get("mem_gib", "?"), m.get("kernel", "?"),
            m.get("os", "?"), m.get("openssl", "?")),
        "Everything runs on this one machine: the client, the gateway and the intranet host are",
        "network namespaces joined by veth pairs, so client and gateway share the same cores.",
        "",
        "## Targets (issue #6)",
        "",
        "| target | measured | ratio | met |",
        "|---|---|---|---|",
    ]
    for name, meas, rat, met in target_rows(r):
        lines.append("| %s | %s | %s | %s |" % (name, meas, rat, "yes" if met else "**no**"))
    lines += ["", "## Data path (1-3)", ""] + paths_table(r)
    lines += ["", "TCP: iperf3 receiver rate over %s. UDP: iperf3 `-u -l 64 -b 0`, packets per"
              " second received. RTT: 500 pings 2 ms apart from the client to the intranet host."
              % "the run", "", "## Tunnels (4-6)"] + tunnel_rows(r)
    lines += ["", "## Bad input under load"] + abuse_rows(r)
    return "\n".join(lines) + "\n"


def main():
    d, out_json, md = sys.argv[1:4]
    r = load(d)
    r["targets"] = [{"target": a, "measured": b, "ratio": c, "met": e}
                    for a, b, c, e in target_rows(r)]
    json.dump(r, open(out_json, "w"), indent=1)
    open(md, "w").write(markdown(r, os.path.basename(out_json)))


if __name__ == "__main__":
    main()
