#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""stubgw: misbehaving IP-HTTPS servers and proxies for the client's end-to-end tests.

    stubgw.py --listen ADDR:PORT --mode MODE [--cert FILE --key FILE] [--client-ca FILE]
              [--status N] [--hold SECONDS]

Modes (TLS on the accepted connection unless said otherwise):
  ok               answer the request head with 200 (Date, Server), then read and discard the
                   client's IPv6 stream: a passive gateway. With --client-ca the TLS handshake
                   requires a client certificate issued by that CA.
  status           answer the request head with --status N (a small HTML body, Content-Length,
                   Connection: close) and close.
  junk             answer the request head with bytes that are not HTTP at all (ending in a
                   blank line, so a client that waits for the end of a head gets one), then keep
                   the connection open.
  notipv6          answer 200 like `ok`, then send an IPv4 packet (0x45...) where the IPv6 stream
                   should begin, and keep the connection open.
  silent           plain TCP: read whatever comes (RECV n BYTES once, at the first data) and
                   never answer: a TLS server that hangs in mid-handshake.
  proxy-200-reset  plain TCP, an HTTP proxy that reads a CONNECT head, answers
                   "200 Connection established", waits for the first bytes of the client's TLS
                   handshake (its ClientHello) and then resets the connection (SO_LINGER 0):
                   a proxy dying in mid-handshake, the same way every time.

Output, one flushed line each, n = connection number from 1:
  LISTEN ADDR:PORT            once listening (readiness)
  CONN n PEER                 a connection was accepted
  TLS n VERSION CIPHER        its handshake completed
  REQ n REQUEST-LINE          the first line of the request head it read
  SENT n WHAT                 what it answered
  RECV n BYTES                (silent) the first data that arrived
  PEERCLOSED n t=S how=eof|reset   the client ended the connection, S seconds after the accept
  HOLDEND n                   --hold ran out with the connection still open (then it closes)
  ERR n MESSAGE               anything else that ended the connection (handshake failures...)

Runs until SIGTERM. Every connection has its own thread and lasts at most --hold seconds
(default 20); every read is bounded by it.
"""

import argparse
import email.utils
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

HEAD_MAX = 16384
LOCK = threading.Lock()

OK_HEAD = b"HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: %s\r\n\r\n"
JUNK = (b"SSH-2.0-not-http\r\n\x00\x01\x02\x03\xfe\xff garbage \x7f\r\n\r\n" + bytes(range(256)))
# An IPv4 ICMP echo request, 192.0.2.1 -> 192.0.2.10, 60 bytes (more than an IPv6 header, so a
# de-framer that waits for 40 bytes before looking at the version still gets to look).
IPV4_PKT = (bytes.fromhex("4500003c000040004001" "0000" "c0000201" "c000020a") +
            bytes.fromhex("0800f7ff00000000") + bytes(32))


def out(line):
    with LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def split_hostport(s):
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % s)
    return host, int(port)


def read_head(sock):
    """Reads up to the end of a request head (blank line); returns its bytes or None on EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        if len(buf) > HEAD_MAX:
            raise ValueError("request head longer than %d bytes" % HEAD_MAX)
        d = sock.recv(4096)
        if not d:
            return None
        buf += d
    return buf


def first_line(head):
    return head.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")


def http_date():
    return email.utils.formatdate(usegmt=True).encode()


def drain(n, sock, t0):
    """Reads and discards until the peer ends the connection or the socket times out."""
    try:
        while True:
            d = sock.recv(65536)
            if not d:
                out("PEERCLOSED %d t=%.3f how=eof" % (n, time.monotonic() - t0))
                return
    except socket.timeout:
        out("HOLDEND %d" % n)
    except (ConnectionResetError, BrokenPipeError):
        out("PEERCLOSED %d t=%.3f how=reset" % (n, time.monotonic() - t0))
    except ssl.SSLError as e:
        # An EOF without close_notify, or a reset under TLS, is the client going away too.
        out("PEERCLOSED %d t=%.3f how=%s" % (n, time.monotonic() - t0,
                                              "eof" if "EOF" in str(e) else "reset"))


def handle(args, ctx, n, conn, peer):
    t0 = time.monotonic()
    conn.settimeout(args.hold)
    sock = conn
    try:
        if args.mode == "proxy-200-reset":
            head = read_head(conn)
            if head is None:
                out("PEERCLOSED %d t=%.3f how=eof" % (n, time.monotonic() - t0))
                return
            out("REQ %d %s" % (n, first_line(head)))
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            # A client that did not wait for the 200 may have sent its ClientHello already.
            hello = head.partition(b"\r\n\r\n")[2] or conn.recv(5)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            out("SENT %d 200 then reset after %d bytes of handshake" % (n, len(hello)))
            return
        if args.mode == "silent":
            d = conn.recv(65536)
            if d:
                out("RECV %d %d" % (n, len(d)))
                drain(n, conn, t0)
            else:
                out("PEERCLOSED %d t=%.3f how=eof" % (n, time.monotonic() - t0))
            return
        sock = ctx.wrap_socket(conn, server_side=True)
        out("TLS %d %s %s" % (n, sock.version(), sock.cipher()[0]))
        head = read_head(sock)
        if head is None:
            out("PEERCLOSED %d t=%.3f how=eof" % (n, time.monotonic() - t0))
            return
        out("REQ %d %s" % (n, first_line(head)))
        if args.mode == "ok":
            sock.sendall(OK_HEAD % http_date())
            out("SENT %d 200" % n)
        elif args.mode == "status":
            body = b"<html><body>stub status %d</body></html>\r\n" % args.status
            sock.sendall(b"HTTP/1.1 %d Stub\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: %s\r\n"
                         b"Content-Type: text/html\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n%s"
                         % (args.status, http_date(), len(body), body))
            out("SENT %d status %d" % (n, args.status))
            return
        elif args.mode == "junk":
            sock.sendall(JUNK)
            out("SENT %d junk %d bytes" % (n, len(JUNK)))
        elif args.mode == "notipv6":
            sock.sendall(OK_HEAD % http_date())
            sock.sendall(IPV4_PKT)
            out("SENT %d 200 then ipv4 %d bytes" % (n, len(IPV4_PKT)))
        drain(n, sock, t0)
    except socket.timeout:
        out("HOLDEND %d" % n)
    except (OSError, ValueError) as e:
        out("ERR %d %s" % (n, str(e).replace("\n", " ")))
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", type=split_hostport, required=True)
    ap.add_argument("--mode", required=True,
                    choices=["ok", "status", "junk", "notipv6", "silent", "proxy-200-reset"])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--status", type=int, default=503)
    ap.add_argument("--hold", type=float, default=20.0)
    args = ap.parse_args()

    ctx = None
    if args.mode not in ("proxy-200-reset", "silent"):
        if not args.cert or not args.key:
            ap.error("--cert and --key are needed for TLS modes")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    host, port = args.listen
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(16)
    out("LISTEN %s:%d" % (host, port))
    n = 0
    while True:
        conn, peer = ls.accept()
        n += 1
        out("CONN %d %s:%d" % (n, peer[0], peer[1]))
        threading.Thread(target=handle, args=(args, ctx, n, conn, peer), daemon=True).start()


if __name__ == "__main__":
    main()
