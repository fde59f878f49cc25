#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""helloreset: a TCP server that reads each client's first TLS record (its ClientHello) and
then resets the connection: what a firewall or an IPS that kills TLS looks like to a client.

    helloreset.py --listen ADDR:PORT [--life SECONDS]

Each connection: read one whole TLS record (5-byte header, then the length it gives, at most
2^14 + 2048 bytes, RFC 5246 §6.2.1), or whatever arrived within 3 s, then close with SO_LINGER
{on, 0}, which makes the kernel send a RST instead of a FIN (RFC 9293 §3.6: abort). The answer
is the same every time, whatever the client sent: there is no TLS here at all.

Output, one flushed line each, n = connection number from 1:
  LISTEN ADDR:PORT        once listening (readiness)
  CONN n PEER             a connection was accepted
  RESET n BYTES           it was reset after BYTES bytes had been read (0: nothing came)

One connection at a time (a client waits in the listen backlog meanwhile). Runs until SIGTERM,
or --life seconds (default 120), so a forgotten instance cannot stay.
Standard library only.
"""

import argparse
import signal
import socket
import struct
import sys
import time

RECORD_MAX = 16384 + 2048
READ_WAIT = 3.0


def split_hostport(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % s)
    return host, int(port)


def read_record(conn):
    """Reads one TLS record, or what came before EOF or the deadline; returns the byte count."""
    end = time.monotonic() + READ_WAIT
    buf = b""
    want = 5
    while len(buf) < want:
        left = end - time.monotonic()
        if left <= 0:
            break
        conn.settimeout(left)
        try:
            d = conn.recv(want - len(buf))
        except (socket.timeout, ConnectionResetError):
            break
        if not d:
            break
        buf += d
        if want == 5 and len(buf) == 5:
            want = 5 + min(struct.unpack("!H", buf[3:5])[0], RECORD_MAX)
    return len(buf)


def main():
    ap = argparse.ArgumentParser(description="reset every connection after its first record")
    ap.add_argument("--listen", required=True, type=split_hostport)
    ap.add_argument("--life", type=float, default=120.0)
    a = ap.parse_args()
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
        got = read_record(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        print("RESET %d %d" % (n, got), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
