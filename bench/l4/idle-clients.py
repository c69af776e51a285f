#!/usr/bin/env python3
"""Open N TCP connections to HOST:PORT and hold them idle.

usage: idle-clients.py N HOST PORT MAX_SECONDS

Prints "ready N" once every connection is established, then holds them until stdin closes or
MAX_SECONDS pass (whichever is first), so a caller can measure the proxy in between. Exits 1 if
not every connection could be opened within MAX_SECONDS.
"""
import select
import socket
import sys
import time

n, host, port, limit = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + limit
conns = []
while len(conns) < n and time.monotonic() < deadline:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        s.connect((host, port))
    except OSError as e:
        print(f"connect {len(conns)} failed: {e}", file=sys.stderr)
        s.close()
        time.sleep(0.01)
        continue
    conns.append(s)

if len(conns) < n:
    print(f"only {len(conns)} of {n} connections", flush=True)
    sys.exit(1)

print(f"ready {len(conns)}", flush=True)
# Hold until the caller closes our stdin or the time limit passes.
while time.monotonic() < deadline:
    r, _, _ = select.select([sys.stdin], [], [], min(1.0, max(0.0, deadline - time.monotonic())))
    if r and not sys.stdin.read(1):
        break
for s in conns:
    s.close()
