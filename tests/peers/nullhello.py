#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""nullhello: send a Windows-like NULL-only TLS 1.2 ClientHello and say how the server answers.

Windows 8 and later IP-HTTPS clients first offer only the NULL cipher suites
TLS_RSA_WITH_NULL_SHA256 (0x003B) and TLS_RSA_WITH_NULL_SHA (0x0002); a server that refuses
them must reset the TCP connection rather than send an alert, so that the client retries at once
with its encrypted suites (ms-iphttps.md §3.4). Python's ssl module cannot offer NULL suites at
OpenSSL 3's security levels, so the ClientHello is built by hand (RFC 5246 §7.4.1.2) and sent
over a plain socket.

Prints exactly one line:
  RESET                                    recv raised ConnectionResetError (TCP RST)
  ALERT level=<n> description=<n>          the first record is an alert (content type 21)
  SERVERHELLO version=0x0303 cipher=0x003b the first record holds a ServerHello (handshake type 2)
  HANDSHAKE type=<n>                       a handshake record that is not a ServerHello
  CLOSED                                   the server closed (FIN) before a whole record came
  TIMEOUT                                  nothing complete within --timeout seconds
  OTHER <hex>                              the first bytes, when they are none of the above
Exit status: 0 when one of those lines was printed, 1 on a usage or connection error.
Standard library only; every read bounded in time and size.
"""

import argparse
import os
import socket
import struct
import sys
import time

# RFC 5246 §6.2.1 content types, §7.4 handshake types.
CT_ALERT, CT_HANDSHAKE = 21, 22
HS_CLIENT_HELLO, HS_SERVER_HELLO = 1, 2
TLS12 = 0x0303
RECORD_MAX = 16384 + 2048  # TLSCiphertext.length limit (RFC 5246 §6.2.3)

# RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3 SignatureScheme values Windows offers first.
SIGALGS = [0x0401, 0x0804, 0x0403, 0x0501, 0x0805, 0x0201]


def ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def client_hello(suites, sni):
    """A TLS 1.2 ClientHello record offering exactly `suites`, no compression."""
    exts = b""
    if sni:
        name = sni.encode("ascii")
        # RFC 6066 §3: ServerNameList of one host_name (type 0).
        entry = struct.pack("!BH", 0, len(name)) + name
        exts += ext(0x0000, struct.pack("!H", len(entry)) + entry)
    algs = b"".join(struct.pack("!H", a) for a in SIGALGS)
    exts += ext(0x000D, struct.pack("!H", len(algs)) + algs)  # signature_algorithms
    exts += ext(0x0017, b"")  # extended_master_secret (RFC 7627)
    exts += ext(0xFF01, b"\x00")  # renegotiation_info, initial handshake (RFC 5746 §3.4)
    cs = b"".join(struct.pack("!H", s) for s in suites)
    body = (struct.pack("!H", TLS12) + os.urandom(32) + b"\x00"  # version, random, no session
            + struct.pack("!H", len(cs)) + cs + b"\x01\x00"  # suites; compression: null only
            + struct.pack("!H", len(exts)) + exts)
    hs = struct.pack("!B", HS_CLIENT_HELLO) + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHH", CT_HANDSHAKE, TLS12, len(hs)) + hs


def read_record(sock, deadline):
    """The first record: ('record', type, body), or ('reset'|'closed'|'timeout'|'other', data)."""
    buf = b""
    need = 5
    while len(buf) < need:
        left = deadline - time.monotonic()
        if left <= 0:
            return ("timeout", buf)
        sock.settimeout(left)
        try:
            chunk = sock.recv(min(need - len(buf), 4096))
        except ConnectionResetError:
            return ("reset", buf)
        except socket.timeout:
            return ("timeout", buf)
        if not chunk:
            return ("closed", buf)
        buf += chunk
        if len(buf) >= 5 and need == 5:
            ctype, _, length = struct.unpack("!BHH", buf[:5])
            if ctype not in (20, 21, 22, 23) or length > RECORD_MAX:
                return ("other", buf)
            need = 5 + length
    return ("record", buf[0], buf[5:need])


def describe(rec):
    kind = rec[0]
    if kind == "reset":
        return "RESET"
    if kind == "closed":
        return "CLOSED" if not rec[1] else "OTHER " + rec[1][:32].hex()
    if kind == "timeout":
        return "TIMEOUT" if not rec[1] else "OTHER " + rec[1][:32].hex()
    if kind == "other":
        return "OTHER " + rec[1][:32].hex()
    _, ctype, body = rec
    if ctype == CT_ALERT and len(body) >= 2:
        return "ALERT level=%d description=%d" % (body[0], body[1])
    if ctype == CT_HANDSHAKE and len(body) >= 4:
        if body[0] != HS_SERVER_HELLO:
            return "HANDSHAKE type=%d" % body[0]
        # RFC 5246 §7.4.1.3: version(2) random(32) session_id<0..32> cipher_suite(2) ...
        off = 4
        if len(body) < off + 2 + 32 + 1:
            return "OTHER " + body[:32].hex()
        version = struct.unpack("!H", body[off:off + 2])[0]
        off += 34
        sid_len = body[off]
        off += 1 + sid_len
        if sid_len > 32 or len(body) < off + 2:
            return "OTHER " + body[:32].hex()
        cipher = struct.unpack("!H", body[off:off + 2])[0]
        return "SERVERHELLO version=0x%04x cipher=0x%04x" % (version, cipher)
    return "OTHER %02x %s" % (ctype, body[:32].hex())


def parse_suites(s):
    out = []
    for part in s.split(","):
        v = int(part, 16)
        if not 0 <= v <= 0xFFFF:
            raise ValueError(part)
        out.append(v)
    if not out:
        raise ValueError(s)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connect", required=True, metavar="HOST:PORT")
    ap.add_argument("--sni", help="server_name to send (default: none, like an IP-literal URL)")
    ap.add_argument("--suites", default="003b,0002",
                    help="cipher suites to offer, hex, comma-separated (default 003b,0002)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds for the connect and for the answer (default 5)")
    a = ap.parse_args()
    host, _, port = a.connect.rpartition(":")
    host = host.strip("[]")
    try:
        suites = parse_suites(a.suites)
        port = int(port)
    except ValueError:
        print("nullhello: bad --suites or port", file=sys.stderr)
        return 1
    try:
        sock = socket.create_connection((host, port), timeout=a.timeout)
    except ConnectionResetError:
        print("RESET")  # at once (a per-source limit): it can beat the end of the connect
        return 0
    except OSError as e:
        print("nullhello: connect %s: %s" % (a.connect, e), file=sys.stderr)
        return 1
    try:
        sock.sendall(client_hello(suites, a.sni))
        print(describe(read_record(sock, time.monotonic() + a.timeout)))
    except ConnectionResetError:
        print("RESET")  # before or during the send
    except OSError as e:
        print("nullhello: %s" % e, file=sys.stderr)
        return 1
    finally:
        sock.close()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
