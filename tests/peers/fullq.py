#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""fullq: a TCP listener that drops every SYN, as a firewall that drops (not rejects) does.

    fullq.py --listen ADDR:PORT [--life SECONDS]

It listens with a backlog of 0 and never accepts, then connects to itself once: that connection
fills the accept queue, and Linux drops the SYNs that arrive while the queue is full
(tcp_v4_syn_recv_sock / inet_csk_reqsk_queue_is_full), so a client sees no answer at all and its
connect times out. No firewall rules needed (the machines have no nftables).

Output: "LISTEN ADDR:PORT" once the queue is full (readiness). Runs until SIGTERM or --life
seconds (default 60). Standard library only.
"""

import argparse
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description="a listener whose accept queue stays full")
    ap.add_argument("--listen", required=True)
    ap.add_argument("--life", type=float, default=60.0)
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = socket.socket(socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(0)
    filler = socket.socket(socket.AF_INET)
    filler.settimeout(5)
    filler.connect((host, int(port)))  # completes: the queue takes one; the next SYN is dropped
    print("LISTEN %s:%s" % (host, port), flush=True)
    time.sleep(a.life)


if __name__ == "__main__":
    main()
