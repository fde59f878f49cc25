#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""fakeiphttps: a TLS server that answers the IP-HTTPS POST with "200" and then no tunnel, as
two kinds of device a client may meet at an IP-HTTPS URL do.

    fakeiphttps.py --listen ADDR:PORT --cert CRT --key KEY --mode ended|page [--life SECONDS]

Each connection: the TLS handshake (TLS 1.2 or 1.3, the encrypted suites and, as a Windows
IP-HTTPS server with an RSA certificate has them, TLS_RSA_WITH_NULL_SHA256 and _SHA, so that a
Windows 8+ NULL-only ClientHello gets through, ms-iphttps.md §3.4), then the request head (up to
its blank line, RFC 9112 §2.1; its body, 2^64-1 bytes long, never comes). Then, by --mode:

  ended  "HTTP/1.1 200 OK" with "Server: Microsoft-HTTPAPI/2.0", no length, in one TLS record,
         and at once a TCP close without close_notify (FIN): an IP-HTTPS server whose tunnel
         dies right after the 200. nmap's ip-https-discover matches that one read
         ("HTTP/1.1 200%s.+HTTPAPI/2.0", §6.1) and reports IP-HTTPS.
  page   "HTTP/1.1 200 OK" from "nginx/1.22.1", no length, then an HTML page
         ("<html>captive portal</html>") in the same record, and the connection kept open until
         the client closes (at most HOLD s): a captive portal. Its body is not a stream of IPv6
         packets ([MS-IPHTTPS] §3.1.5.2), and nmap finds no HTTPAPI/2.0 in it.

Output, one flushed line each, n = connection number from 1:
  LISTEN ADDR:PORT        once listening (readiness)
  CONN n PEER             a connection was accepted
  HEAD n BYTES            its request head was read (BYTES with the blank line)
  ANSWERED n MODE         the answer was written
  FAILED n WHY            the handshake or the connection failed (OpenSSL's reason, e.g. to
                          the probe's audit hellos)
  DONE n                  the connection is closed

One thread per connection, so that a held one (page) never stalls the next; at most MAX_CONNS.
Runs until SIGTERM, or --life seconds (default 60), so a forgotten instance cannot stay.
Standard library only; every read bounded in time and size.
"""

import argparse
import signal
import socket
import ssl
import sys
import threading
import time

HEAD_MAX = 16384  # a request head longer than this is not waited for
READ_WAIT = 3.0  # for the handshake and the head
HOLD = 10.0  # page mode: how long an open connection is kept at most
MAX_CONNS = 32

ANSWERS = {
    "ended": b"HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n",
    "page": b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n\r\n"
    b"<html>captive portal</html>\r\n",
}

LOCK = threading.Lock()


def say(line):
    with LOCK:
        print(line, flush=True)


def split_hostport(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % s)
    return host, int(port)


def read_head(conn):
    """Reads up to the blank line that ends a request head; returns the bytes read."""
    end = time.monotonic() + READ_WAIT
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < HEAD_MAX:
        left = end - time.monotonic()
        if left <= 0:
            break
        conn.settimeout(left)
        d = conn.recv(HEAD_MAX - len(buf))
        if not d:
            break
        buf += d
    return buf


def hold(conn):
    """Keeps the connection until the client closes it or HOLD seconds pass."""
    end = time.monotonic() + HOLD
    while time.monotonic() < end:
        conn.settimeout(max(0.05, end - time.monotonic()))
        try:
            if not conn.recv(4096):
                return
        except socket.timeout:
            return


def serve(ctx, raw, n, mode):
    conn = raw
    try:
        raw.settimeout(READ_WAIT)
        conn = ctx.wrap_socket(raw, server_side=True)  # takes over raw's descriptor
        head = read_head(conn)
        say("HEAD %d %d" % (n, len(head)))
        conn.sendall(ANSWERS[mode])
        if mode == "page":
            say("ANSWERED %d %s" % (n, mode))
            hold(conn)
        else:
            # At once, and without unwrap(): no close_notify, the TCP connection just ends
            # (FIN). What the client writes next meets a closed socket and gets a RST.
            conn.close()
            say("ANSWERED %d %s" % (n, mode))
    except (OSError, ssl.SSLError) as e:
        say("FAILED %d %s" % (n, getattr(e, "reason", None) or type(e).__name__))
    finally:
        conn.close()
        say("DONE %d" % n)


def main():
    ap = argparse.ArgumentParser(description="answer the IP-HTTPS POST with 200, no tunnel")
    ap.add_argument("--listen", required=True, type=split_hostport)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", required=True, choices=sorted(ANSWERS))
    ap.add_argument("--life", type=float, default=60.0)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    # TLS 1.2: ECDHE with AES-GCM or ChaCha20, and the two NULL suites (security level 0 admits
    # them in OpenSSL 3); TLS 1.3 keeps its own suites. The client's order decides.
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20:NULL-SHA256:NULL-SHA:@SECLEVEL=0")
    ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    end = time.monotonic() + a.life
    srv = socket.socket(socket.AF_INET6 if ":" in a.listen[0] else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(a.listen)
    srv.listen(16)
    say("LISTEN %s:%d" % a.listen)
    n = 0
    while time.monotonic() < end:
        srv.settimeout(max(0.1, end - time.monotonic()))
        try:
            raw, peer = srv.accept()
        except socket.timeout:
            break
        n += 1
        say("CONN %d %s:%d" % (n, peer[0], peer[1]))
        if threading.active_count() > MAX_CONNS:
            say("FAILED %d too many connections" % n)
            raw.close()
            continue
        threading.Thread(target=serve, args=(ctx, raw, n, a.mode), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
