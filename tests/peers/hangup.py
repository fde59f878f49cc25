#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""hangup: a TCP server that reads each request head and hangs up without an HTTP answer: what
a client meets at an "HTTP proxy" that is no proxy or drops CONNECT, or at a TLS port that it
speaks plain HTTP to.

    hangup.py --listen ADDR:PORT [--reply TEXT | --reply-hex HEX] [--life SECONDS]

Each connection: read the request head (up to its blank line, RFC 9112 §2.1, at most 16 KiB or
what arrived within 3 s), write the reply when one is given, then close. TEXT: e.g. an SSH
banner, an answer that is not HTTP. HEX: e.g. "15 03 03 00 02 02 28", a fatal TLS alert record
(RFC 5246 §6.2.1, §7.2.2: handshake_failure): a TLS port that answers bytes that are no
ClientHello with an alert (an OpenSSL server closes without one). The head is read first so
that nothing unread is left in the receive queue: the close is then a FIN (RFC 9293 §3.6), not
the RST Linux sends for unread data.

Output, one flushed line each, n = connection number from 1:
  LISTEN ADDR:PORT        once listening (readiness)
  CONN n PEER             a connection was accepted
  CLOSED n BYTES          it was closed after BYTES bytes had been read

One connection at a time (a client waits in the listen backlog meanwhile). Runs until SIGTERM,
or --life seconds (default 60), so a forgotten instance cannot stay.
Standard library only.
"""

import argparse
import signal
import socket
import sys
import time

HEAD_MAX = 16384
READ_WAIT = 3.0


def split_hostport(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % s)
    return host, int(port)


def read_head(conn):
    """Reads up to the blank line that ends a request head; returns the byte count."""
    end = time.monotonic() + READ_WAIT
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < HEAD_MAX:
        left = end - time.monotonic()
        if left <= 0:
            break
        conn.settimeout(left)
        try:
            d = conn.recv(HEAD_MAX - len(buf))
        except (socket.timeout, ConnectionResetError):
            break
        if not d:
            break
        buf += d
    return len(buf)


def main():
    ap = argparse.ArgumentParser(description="read each request head, then hang up")
    ap.add_argument("--listen", required=True, type=split_hostport)
    rep = ap.add_mutually_exclusive_group()
    rep.add_argument("--reply", default="", help="text to write before closing")
    rep.add_argument("--reply-hex", default="", help="bytes, in hex, to write before closing")
    ap.add_argument("--life", type=float, default=60.0)
    a = ap.parse_args()
    try:
        reply = bytes.fromhex(a.reply_hex) if a.reply_hex else a.reply.encode()
    except ValueError:
        ap.error("--reply-hex: not hex: %r" % a.reply_hex)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    end = time.monotonic() + a.life
    srv = socket.socket(socket.AF_INET6 if ":" in a.listen[0] else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(a.listen)
    srv.listen(16)
    print("LISTEN %s:%d" % a.listen, flush=True)
    n = 0
    while time.monotonic() < end:
        srv.settimeout(max(0.1, end - time.monotonic()))
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            break
        n += 1
        print("CONN %d %s:%d" % (n, peer[0], peer[1]), flush=True)
        got = read_head(conn)
        if reply:
            try:
                conn.sendall(reply)
            except OSError:
                pass
        conn.close()
        print("CLOSED %d %d" % (n, got), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
