#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tlspeer: a scripted IP-HTTPS client peer for the end-to-end tests ([MS-IPHTTPS] §3.1).

Modes:
  tun  connect (TCP + TLS), send the IP-HTTPS POST, require 200, then create a TUN device in the
       current network namespace and shuttle IPv6 packets between it and the TLS stream. The
       kernel's own IPv6 stack does the rest (link-local address, RS, SLAAC from the gateway's RA).
       Prints READY once the 200 arrived and the TUN is up.
  raw  connect, send a request head (default POST, custom, slow or none), then bytes or scapy
       packets, then read for a while and print what came back, one line each:
         TLS <version> <cipher>             after the handshake (not with --tcp-only)
         STATUS <status line>               the response status line
         HEADER <line>                      each response header line
         BODY <n>                           bytes of an error response body (Content-Length)
         PKT <scapy summary>                each IPv6 packet received after a 200
         JSON {...}                         key fields of that packet
         BADSTREAM <hex>                    bytes after the 200 that are not IPv6
         CLOSED t=<s> | OPEN t=<s>          whether the server closed the connection, and when
                                            (seconds since the handshake, or since the TCP
                                            connect with --tcp-only)

Exit codes: 0 normal end (tun: SIGTERM; raw: finished), 1 usage or connection error,
2 the response was not 200 (tun), 3 the server closed the connection (tun), 4 the server sent
something that is not IPv6 (tun).

Only the standard library is used, except scapy for --send-scapy and for packet summaries.
Everything is bounded: connect, handshake and head reads have timeouts; raw reads end at
--read-timeout.
"""

import argparse
import errno
import fcntl
import json
import os
import selectors
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

DEFAULT_PATH = "/IPHTTPS"
CONTENT_LENGTH = "18446744073709551615"  # 2^64-1: the never-ending body [MS-IPHTTPS] §3.1.5.2
HEAD_MAX = 65536
IPV6_HDR = 40
TX_MAX = 1 << 20  # bytes from the TUN waiting for the TLS socket, at most

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

EXIT_OK, EXIT_ERR, EXIT_STATUS, EXIT_CLOSED, EXIT_NOT_IPV6 = 0, 1, 2, 3, 4


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def err(line):
    sys.stderr.write("tlspeer: " + line + "\n")
    sys.stderr.flush()


def unescape(s):
    """\\r \\n \\t \\\\ and \\xHH escapes, as a shell test would write them."""
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def split_hostport(s):
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("expected HOST:PORT or [V6]:PORT, got %r" % s)
    return host, int(port)


def default_head(args):
    host = args.host if args.host is not None else (args.sni or split_hostport(args.connect)[0])
    return ("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %s\r\n\r\n"
            % (args.path, host, CONTENT_LENGTH)).encode()


def connect(args):
    """TCP connect, then TLS unless --tcp-only. Returns (sock, t0) where t0 is when the
    handshake (or the TCP connect) completed."""
    host, port = split_hostport(args.connect)
    if args.rcvbuf:
        # A small receive window, set before connect so that it is what TCP advertises.
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(fam, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
        sock.settimeout(args.timeout)
        sock.connect((host, port))
    else:
        sock = socket.create_connection((host, port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.tcp_only:
        return sock, time.monotonic()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.ca:
        ctx.load_verify_locations(cafile=args.ca)
        ctx.check_hostname = bool(args.sni)
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    tls = ctx.wrap_socket(sock, server_hostname=args.sni or None)
    tls.settimeout(args.timeout)
    t0 = time.monotonic()
    out("TLS %s %s" % (tls.version(), tls.cipher()[0]))
    return tls, t0


def recv_some(sock, n=65536):
    """One read: bytes, or b'' when the peer closed (cleanly or not)."""
    try:
        return sock.recv(n)
    except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError, BrokenPipeError):
        return b""
    except ssl.SSLError as e:
        err("TLS error: %s" % e)
        return b""


def find_head_end(buf):
    """Index just past the blank line ending a head (CRLF or bare LF), or -1."""
    best = -1
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = buf.find(sep)
        if i >= 0 and (best < 0 or i + len(sep) < best):
            best = i + len(sep)
    return best


def read_response_head(sock, deadline):
    """Reads a response head. Returns (head_bytes or None, leftover, closed)."""
    buf = b""
    while len(buf) < HEAD_MAX:
        end = find_head_end(buf)
        if end >= 0:
            return buf[:end], buf[end:], False
        left = deadline - time.monotonic()
        if left <= 0:
            return None, buf, False
        sock.settimeout(left)
        try:
            d = recv_some(sock)
        except socket.timeout:
            return None, buf, False
        if not d:
            return None, buf, True
        buf += d
    return None, buf, False


def parse_head(head):
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    code = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
    headers = [l for l in lines[1:] if l]
    return status_line, code, headers


def content_length(headers):
    for h in headers:
        k, _, v = h.partition(":")
        if k.strip().lower() == "content-length" and v.strip().isdigit():
            return int(v.strip())
    return None


# ---------------------------------------------------------------------------------------------
# tun mode


def sysctl_set(key, value):
    with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
        f.write(str(value))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))


def tun_open(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    # Random interface identifiers: the kernel only autoconfigures ARPHRD_NONE (TUN) devices with
    # random or stable-privacy IIDs (no EUI-64 without a MAC). Set through rtnetlink while the
    # device is down: setting the sysctl on a down device works too, but then this kernel (6.18)
    # sends its first RS only after router_solicitation_interval (4 s) instead of at once.
    run(["ip", "link", "set", "dev", name, "mtu", "1280"])
    run(["ip", "link", "set", "dev", name, "addrgenmode", "random"])
    sysctl_set("net.ipv6.conf.%s.accept_ra" % name, 1)
    sysctl_set("net.ipv6.conf.%s.autoconf" % name, 1)
    with open("/proc/sys/net/ipv6/conf/%s/addr_gen_mode" % name) as f:
        mode = f.read().strip()
    if mode != "3":
        raise RuntimeError("addr_gen_mode of %s is %s, wanted 3 (random)" % (name, mode))
    run(["ip", "link", "set", "dev", name, "up"])
    os.set_blocking(fd, False)
    return fd


class Deframer:
    """The IPv6 stream de-framer ([MS-IPHTTPS] §3.1.5.3): packets back to back, each delimited
    by 40 + Payload Length. A first nibble other than 6 is fatal: a stream cannot resync."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        pkts = []
        while len(self.buf) >= 1:
            if self.buf[0] >> 4 != 6:
                return pkts, bytes(self.buf)
            if len(self.buf) < IPV6_HDR:
                break
            n = IPV6_HDR + struct.unpack_from("!H", self.buf, 4)[0]
            if len(self.buf) < n:
                break
            pkts.append(bytes(self.buf[:n]))
            del self.buf[:n]
        return pkts, None


def mode_tun(args):
    stop = {"sig": None}

    def on_sig(signum, _frame):
        stop["sig"] = signum

    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    try:
        sock, _ = connect(args)
        sock.sendall(default_head(args) if not args.head else unescape(args.head))
        head, leftover, closed = read_response_head(sock, time.monotonic() + args.timeout)
    except (OSError, ssl.SSLError, ValueError) as e:
        err("connect to %s: %s" % (args.connect, e))
        return EXIT_ERR
    if head is None:
        out("server closed" if closed else "no response head")
        return EXIT_STATUS
    status_line, code, _ = parse_head(head)
    out("STATUS " + status_line)
    if code != 200:
        return EXIT_STATUS

    try:
        tun = tun_open(args.tun)
    except (OSError, RuntimeError) as e:
        err("tun %s: %s" % (args.tun, e))
        return EXIT_ERR
    out("READY")

    sock.setblocking(False)
    de = Deframer()
    tx = bytearray()  # TUN -> TLS, waiting to be written
    rx = []           # TLS -> TUN, de-framed packets
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    sel.register(tun, selectors.EVENT_READ)
    want_write = False
    pending = 0  # length of a TLS write to retry, after SSLWantWriteError

    def deliver(data):
        pkts, bad = de.feed(data)
        rx.extend(pkts)
        for p in rx:
            try:
                os.write(tun, p)
            except OSError as e:
                if e.errno not in (errno.EINVAL, errno.EAGAIN, errno.ENOBUFS):
                    raise
        rx.clear()
        return bad

    if leftover:
        bad = deliver(leftover)
        if bad is not None:
            out("not IPv6 from server: %s" % bad[:16].hex())
            return EXIT_NOT_IPV6

    while stop["sig"] is None:
        events = sel.select(timeout=0.5)
        for key, mask in events:
            if key.fileobj is sock and mask & selectors.EVENT_READ:
                while True:
                    try:
                        d = sock.recv(65536)
                    except (ssl.SSLWantReadError, BlockingIOError):
                        break
                    except ssl.SSLWantWriteError:
                        break
                    except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError):
                        d = b""
                    except ssl.SSLError as e:
                        err("TLS error: %s" % e)
                        d = b""
                    if not d:
                        out("server closed")
                        return EXIT_CLOSED
                    bad = deliver(d)
                    if bad is not None:
                        out("not IPv6 from server: %s" % bad[:16].hex())
                        return EXIT_NOT_IPV6
            if key.fileobj == tun:
                for _ in range(256):  # bounded burst, then let the socket side run
                    try:
                        p = os.read(tun, 65536)
                    except BlockingIOError:
                        break
                    if len(tx) < TX_MAX:  # else dropped, as a full interface queue would
                        tx += p
            if tx or (key.fileobj is sock and mask & selectors.EVENT_WRITE):
                try:
                    while tx:
                        # OpenSSL wants a retried write to have the same length as before.
                        chunk = tx[:pending] if pending else tx[:16384]
                        pending = len(chunk)
                        n = sock.send(chunk)
                        pending = 0
                        del tx[:n]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                    pass
                except (OSError, ssl.SSLError):
                    out("server closed")
                    return EXIT_CLOSED
        need = bool(tx)
        if need != want_write:
            sel.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if need else 0))
            want_write = need
    out("stopped by signal %d" % stop["sig"])
    try:
        sock.close()
    except OSError:
        pass
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# raw mode


def scapy_ns():
    import scapy.layers.inet6 as l6
    import scapy.packet as pk
    ns = {k: getattr(l6, k) for k in dir(l6) if not k.startswith("_")}
    ns["Raw"] = pk.Raw
    return ns


def icmp_fields(p, l6):
    """Key fields of a received packet, for tests to assert on."""
    from scapy.packet import NoPayload
    ip = p[l6.IPv6]
    d = {"src": ip.src, "dst": ip.dst, "nh": ip.nh, "hlim": ip.hlim, "plen": ip.plen,
         "len": len(ip)}
    if ip.nh != 58:
        return d
    icmp = bytes(ip.payload)
    if len(icmp) < 4:
        return d
    d["type"], d["code"] = icmp[0], icmp[1]
    t = icmp[0]
    if t in (128, 129) and len(icmp) >= 8:
        d["id"], d["seq"] = struct.unpack_from("!HH", icmp, 4)
    if t == 136 and l6.ICMPv6ND_NA in p:
        na = p[l6.ICMPv6ND_NA]
        d.update(R=int(na.R), S=int(na.S), O=int(na.O), target=na.tgt)
    if t == 135 and l6.ICMPv6ND_NS in p:
        d["target"] = p[l6.ICMPv6ND_NS].tgt
    if t == 134 and l6.ICMPv6ND_RA in p:
        ra = p[l6.ICMPv6ND_RA]
        d.update(M=int(ra.M), O=int(ra.O), routerlifetime=ra.routerlifetime,
                 chlim=ra.chlim, prefixes=[], routes=[])
        o = ra.payload
        while o is not None and not isinstance(o, NoPayload) and o.name != "Raw":
            if isinstance(o, l6.ICMPv6NDOptPrefixInfo):
                d["prefixes"].append({"prefix": "%s/%d" % (o.prefix, o.prefixlen),
                                      "L": int(o.L), "A": int(o.A),
                                      "valid": o.validlifetime,
                                      "preferred": o.preferredlifetime})
            elif isinstance(o, l6.ICMPv6NDOptMTU):
                d["mtu"] = o.mtu
            elif isinstance(o, l6.ICMPv6NDOptRouteInfo):
                d["routes"].append("%s/%d" % (o.prefix, o.plen))
            o = o.payload
    if t in (1, 2, 3, 4) and len(icmp) >= 8:
        d["mtu_or_ptr"] = struct.unpack_from("!I", icmp, 4)[0]
    # ND options: (type, len) pairs after the fixed part, to assert e.g. "no TLLA in the NA".
    fixed = {133: 8, 134: 16, 135: 24, 136: 24, 137: 40}.get(t)
    if fixed is not None:
        opts, i = [], fixed
        while i + 2 <= len(icmp) and icmp[i + 1] > 0 and len(opts) < 64:
            opts.append(icmp[i])
            i += icmp[i + 1] * 8
        d["opts"] = opts
    return d


def print_packets(pkts):
    import scapy.layers.inet6 as l6
    for raw in pkts:
        p = l6.IPv6(raw)
        out("PKT " + p.summary())
        out("JSON " + json.dumps(icmp_fields(p, l6), sort_keys=True))


def build_sends(args):
    """The --send-hex and --send-scapy items, in command-line order, as bytes."""
    items = []
    ns = None
    for kind, val in args.send or []:
        if kind == "hex":
            items.append(bytes.fromhex(val.replace(":", "").replace(" ", "")))
        else:
            if ns is None:
                ns = scapy_ns()
            pkt = eval(val, ns)  # test-authored expression, on the tester's own command line
            items.append(bytes(pkt))
    return items


class AppendSend(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        lst = getattr(namespace, "send", None) or []
        lst.append(("hex" if option_string == "--send-hex" else "scapy", values))
        namespace.send = lst


def finish_raw(sock, t0, closed):
    out("%s t=%.2f" % ("CLOSED" if closed else "OPEN", time.monotonic() - t0))
    try:
        sock.close()
    except OSError:
        pass
    return EXIT_OK


def slow_head(args, sock, t0, head):
    """One byte of the head (never its blank line) every args.slow_head seconds, until the
    server answers or closes, or --read-timeout."""
    body = head.rstrip(b"\r\n") + b"\r\n"
    deadline = t0 + args.read_timeout
    i = 0
    buf = b""
    while time.monotonic() < deadline:
        try:
            sock.sendall(body[i % len(body):i % len(body) + 1])
        except (OSError, ssl.SSLError):
            return finish_raw(sock, t0, True)
        i += 1
        end = time.monotonic() + args.slow_head
        while True:
            left = min(end, deadline) - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                d = recv_some(sock)
            except socket.timeout:
                break
            if not d:
                report_head(buf)
                out("SENT %d" % i)
                return finish_raw(sock, t0, True)
            buf += d
    report_head(buf)
    out("SENT %d" % i)
    return finish_raw(sock, t0, False)


def report_head(buf):
    end = find_head_end(buf)
    if end < 0:
        if buf:
            out("PARTIAL %r" % buf[:200])
        return None, []
    status_line, code, headers = parse_head(buf[:end])
    out("STATUS " + status_line)
    for h in headers:
        out("HEADER " + h)
    return code, headers


def mode_raw(args):
    try:
        sends = build_sends(args)
    except Exception as e:  # a bad scapy expression or hex string is a usage error
        err("bad --send item: %s" % e)
        return EXIT_ERR
    try:
        sock, t0 = connect(args)
    except (OSError, ssl.SSLError, ValueError) as e:
        err("connect to %s: %s" % (args.connect, e))
        return EXIT_ERR

    if args.head_file:
        with open(args.head_file, "rb") as f:
            head = f.read()
    elif args.head is not None:
        head = unescape(args.head)
    elif args.no_head:
        head = b""
    else:
        head = default_head(args)

    if args.slow_head:
        return slow_head(args, sock, t0, head)

    deadline = t0 + args.read_timeout
    try:
        # --no-wait: the IPv6 stream follows the head at once, as a client that does not wait
        # for the 200 would send it (possibly in the same TLS record).
        if args.no_wait:
            sock.sendall(head + b"".join(sends))
        elif head:
            sock.sendall(head)
        buf = b""
        code = None
        if head:
            rh, buf, closed = read_response_head(sock, time.monotonic() + args.timeout)
            if rh is None:
                if buf:
                    out("PARTIAL %r" % buf[:200])
                return finish_raw(sock, t0, closed)
            code, headers = report_head(rh)
            deadline = time.monotonic() + args.read_timeout
        if not args.no_wait:
            for s in sends:
                sock.sendall(s)
    except (OSError, ssl.SSLError) as e:
        err("send: %s" % e)
        return finish_raw(sock, t0, True)

    if args.stall:
        # A client that stops reading: the gateway's queue toward it must fill and drop, not
        # grow. Woken early only by a signal.
        out("STALL %.1f" % args.stall)
        time.sleep(args.stall)
        deadline = time.monotonic() + args.read_timeout

    closed = False
    body_left = None
    if code is not None and code != 200:
        body_left = content_length(headers) or 0
    de = Deframer()
    npkts = 0
    pending_bad = None
    while True:
        if body_left is not None and buf:
            take = buf[:body_left]
            body_left -= len(take)
            buf = buf[len(take):]
            if body_left == 0:
                out("BODY %d" % (content_length(headers) or 0))
                body_left = None
                if buf:
                    out("EXTRA %r" % buf[:200])
                    buf = b""
        elif code == 200 and buf and pending_bad is None:
            pkts, bad = de.feed(buf)
            buf = b""
            print_packets(pkts)
            npkts += len(pkts)
            if bad is not None:
                pending_bad = bad
                out("BADSTREAM " + bad[:32].hex())
        if args.expect and npkts >= args.expect:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            d = recv_some(sock)
        except socket.timeout:
            break
        if not d:
            closed = True
            break
        buf += d
    if body_left:
        out("BODY %d (short)" % ((content_length(headers) or 0) - body_left))
    if code is None and buf:
        out("DATA " + buf[:256].hex())
    return finish_raw(sock, t0, closed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["tun", "raw"])
    ap.add_argument("--connect", required=True, metavar="HOST:PORT",
                    help="gateway address, e.g. 192.0.2.1:443 or [2001:db8::1]:443")
    ap.add_argument("--sni", help="TLS server name (also the default Host header)")
    ap.add_argument("--ca", help="verify the server certificate against this CA file")
    ap.add_argument("--host", help="Host header value (default: --sni, else the address)")
    ap.add_argument("--path", default=DEFAULT_PATH, help="request path (default /IPHTTPS)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="connect, handshake and response-head timeout, s (default 5)")
    ap.add_argument("--tun", default="tun0", help="tun mode: TUN device name (default tun0)")
    ap.add_argument("--tcp-only", action="store_true", help="raw: no TLS at all")
    ap.add_argument("--head", help="raw/tun: request head, with \\r \\n \\xHH escapes")
    ap.add_argument("--head-file", help="raw: request head read from this file")
    ap.add_argument("--no-head", action="store_true", help="raw: send no request head")
    ap.add_argument("--no-wait", action="store_true",
                    help="raw: send the --send items with the head (one write), before the response")
    ap.add_argument("--send-hex", action=AppendSend, metavar="HEX", dest="send",
                    help="raw: bytes to send (repeatable, in order with --send-scapy)")
    ap.add_argument("--send-scapy", action=AppendSend, metavar="EXPR", dest="send",
                    help="raw: a scapy expression, e.g. \"IPv6(dst='ff02::2')/ICMPv6ND_RS()\"")
    ap.add_argument("--read-timeout", type=float, default=2.0,
                    help="raw: read for at most this long after sending, s (default 2)")
    ap.add_argument("--expect", type=int, default=0,
                    help="raw: stop reading once this many IPv6 packets arrived")
    ap.add_argument("--slow-head", type=float, default=0.0, metavar="SECONDS",
                    help="raw: send the head one byte every SECONDS, never finishing it")
    ap.add_argument("--stall", type=float, default=0.0, metavar="SECONDS",
                    help="raw: after sending, read nothing for SECONDS, then read as usual")
    ap.add_argument("--rcvbuf", type=int, default=0, metavar="BYTES",
                    help="SO_RCVBUF before connecting (small: the server's writes block sooner)")
    args = ap.parse_args()
    if args.read_timeout <= 0 or args.read_timeout > 120 or args.timeout <= 0 or args.timeout > 60:
        ap.error("timeouts must be in (0, 120] s and (0, 60] s")
    if args.stall < 0 or args.stall > 60:
        ap.error("--stall must be in [0, 60] s")
    return mode_tun(args) if args.mode == "tun" else mode_raw(args)


if __name__ == "__main__":
    sys.exit(main())
