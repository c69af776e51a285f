#!/usr/bin/env python3
"""Print N free TCP ports on 127.0.0.1, one per line.

Binds N sockets to port 0 at the same time (so the OS hands out N distinct ports), reads the
ports back, then closes them. There is a small window before the caller binds them; on a
machine where nothing else grabs ephemeral ports in that window this is the usual way to pick
ports for a script.
"""
import socket
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
sockets = []
try:
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    for s in sockets:
        print(s.getsockname()[1])
finally:
    for s in sockets:
        s.close()
