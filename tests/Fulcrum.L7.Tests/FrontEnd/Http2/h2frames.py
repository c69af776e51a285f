#!/usr/bin/python3
"""Raw HTTP/2 frames against a TLS listener, one case per run, for Http2FrameConformanceTests.

usage: h2frames.py CASE HOST PORT
Speaks HTTP/2 with hyperframe and hpack (Debian's python3-h2), sends what the case says after the preface, and prints
one JSON line: the server's SETTINGS, the GOAWAY error code if one came, the RST_STREAM codes by stream, the statuses
and body lengths of the responses, and whether the connection is still usable (a GET after the case answered).
Bounded: 10 s per case.
"""
import json
import socket
import ssl
import sys
import time

from hpack import Decoder, Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Conn:
    def __init__(self, host, port, settings=None):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["h2"])
        raw = socket.create_connection((host, port), timeout=10)
        self.tls = context.wrap_socket(raw, server_hostname="a.test")
        if self.tls.selected_alpn_protocol() != "h2":
            raise SystemExit("the server did not agree to h2")
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.buffer = b""
        self.closed = False
        self.goaway = None
        self.server_settings = {}
        self.resets = {}
        self.responses = {}
        self.data = {}
        self.bodies = {}
        self.ended = set()
        self.pings = []
        frame = SettingsFrame(0)
        for key, value in (settings or {}).items():
            frame.settings[key] = value
        self.tls.sendall(PREFACE + frame.serialize())

    def send(self, *frames):
        self.tls.sendall(b"".join(f.serialize() for f in frames))

    def block(self, path="/", method="GET", extra=()):
        return self.encoder.encode([(":method", method), (":scheme", "https"), (":authority", "a.test"), (":path", path)] + list(extra))

    def get(self, stream, path="/"):
        self.send(HeadersFrame(stream, data=self.block(path), flags=["END_HEADERS", "END_STREAM"]))

    def read_until(self, done, seconds=5):
        end = time.monotonic() + seconds
        while not done() and not self.closed and time.monotonic() < end:
            try:
                self.tls.settimeout(max(0.05, end - time.monotonic()))
                chunk = self.tls.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            self.buffer += chunk
            while len(self.buffer) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
                if len(self.buffer) < 9 + length:
                    break
                body, self.buffer = self.buffer[9:9 + length], self.buffer[9 + length:]
                frame.parse_body(memoryview(body))
                self.on_frame(frame)
        return done()

    def on_frame(self, frame):
        if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
            self.server_settings.update(frame.settings)
            self.send(SettingsFrame(0, flags=["ACK"]))
        elif isinstance(frame, GoAwayFrame):
            self.goaway = frame.error_code
        elif isinstance(frame, RstStreamFrame):
            self.resets[frame.stream_id] = frame.error_code
        elif isinstance(frame, PingFrame) and "ACK" in frame.flags:
            self.pings.append(frame.opaque_data)
        elif isinstance(frame, HeadersFrame):
            headers = dict(self.decoder.decode(frame.data))
            if ":status" in headers:
                self.responses.setdefault(frame.stream_id, int(headers[":status"]))
            if "END_STREAM" in frame.flags:
                self.ended.add(frame.stream_id)
        elif isinstance(frame, DataFrame):
            self.data[frame.stream_id] = self.data.get(frame.stream_id, 0) + len(frame.data)
            self.bodies[frame.stream_id] = self.bodies.get(frame.stream_id, b"") + bytes(frame.data)
            if "END_STREAM" in frame.flags:
                self.ended.add(frame.stream_id)
            if frame.flow_controlled_length:
                self.send(WindowUpdateFrame(0, window_increment=frame.flow_controlled_length))

    def usable(self, stream):
        """A GET on a new stream still gets its whole answer."""
        if self.closed or self.goaway is not None:
            return False
        try:
            self.get(stream)
        except (OSError, ssl.SSLError):
            return False
        return self.read_until(lambda: stream in self.ended) and self.responses.get(stream) == 200


def run(case, host, port):
    small = case in ("small-window", "many-streams-small-window")
    c = Conn(host, port, {SettingsFrame.INITIAL_WINDOW_SIZE: 10} if small else None)
    c.read_until(lambda: c.server_settings)
    next_stream = 101
    if case == "get":
        c.get(1)
        c.read_until(lambda: 1 in c.ended)
    elif case == "ping":
        c.send(PingFrame(0, opaque_data=b"abcdefgh"))
        c.read_until(lambda: c.pings)
    elif case == "data-on-stream-0":
        c.tls.sendall(b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x")
        c.read_until(lambda: False, 3)
    elif case == "frame-too-large":
        c.send(HeadersFrame(1, data=c.block("/", "POST"), flags=["END_HEADERS"]), DataFrame(1, data=b"x" * 16385))
        c.read_until(lambda: False, 3)
    elif case == "even-stream":
        c.send(HeadersFrame(2, data=c.block(), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: False, 3)
    elif case == "uppercase-name":
        c.send(HeadersFrame(1, data=c.block(extra=[("X-Upper", "1")]), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "connection-header":
        c.send(HeadersFrame(1, data=c.block(extra=[("connection", "keep-alive")]), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "te-gzip":
        c.send(HeadersFrame(1, data=c.block(extra=[("te", "gzip")]), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "no-path":
        c.send(HeadersFrame(1, data=c.encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a.test")]),
                            flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "pseudo-after-regular":
        c.send(HeadersFrame(1, data=c.encoder.encode([(":method", "GET"), (":scheme", "https"), ("x-a", "1"), (":path", "/")]),
                            flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "protocol-not-connect":
        c.send(HeadersFrame(1, data=c.block(extra=[(":protocol", "websocket")]), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "protocol-unknown":
        c.send(HeadersFrame(1, data=c.encoder.encode([(":method", "CONNECT"), (":protocol", "other"), (":scheme", "https"),
                                                      (":authority", "a.test"), (":path", "/")]), flags=["END_HEADERS"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "connect-plain":
        c.send(HeadersFrame(1, data=c.encoder.encode([(":method", "CONNECT"), (":authority", "a.test:443")]), flags=["END_HEADERS"]))
        c.read_until(lambda: 1 in c.resets)
    elif case == "window-update-zero":
        c.send(WindowUpdateFrame(0, window_increment=0))
        c.read_until(lambda: False, 3)
    elif case == "window-overflow":
        c.send(WindowUpdateFrame(0, window_increment=2 ** 31 - 1))
        c.read_until(lambda: False, 3)
    elif case == "continuation-alone":
        c.send(ContinuationFrame(1, data=c.block(), flags=["END_HEADERS"]))
        c.read_until(lambda: False, 3)
    elif case == "bad-hpack":
        c.send(HeadersFrame(1, data=b"\x80", flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: False, 3)
    elif case == "settings-bad-length":
        c.tls.sendall(b"\x00\x00\x05\x04\x00\x00\x00\x00\x00" + b"\x00" * 5)
        c.read_until(lambda: False, 3)
    elif case == "settings-window-too-large":
        frame = SettingsFrame(0)
        frame.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = 2 ** 31
        c.send(frame)
        c.read_until(lambda: False, 3)
    elif case == "small-window":
        # The client's streams may take 10 bytes at first: the answer waits for WINDOW_UPDATE, then comes whole.
        c.get(1, "/echo/small")
        c.read_until(lambda: c.data.get(1, 0) >= 10, 3)
        c.read_until(lambda: False, 0.5)
        before = c.data.get(1, 0)
        c.send(WindowUpdateFrame(1, window_increment=100000))
        c.read_until(lambda: 1 in c.ended)
        c.responses["before-window-update"] = before
    elif case in ("many-streams", "many-streams-small-window"):
        # Fifty GETs in one write, so they arrive in one read and their answers leave together: each stream must get
        # the answer to its own path, whole. With 10-byte stream windows, none may get more than 10 bytes before its
        # WINDOW_UPDATE.
        ids = list(range(1, 100, 2))
        c.send(*[HeadersFrame(i, data=c.block(f"/echo/s{i}"), flags=["END_HEADERS", "END_STREAM"]) for i in ids])
        if small:
            c.read_until(lambda: all(c.data.get(i, 0) >= 10 for i in ids), 5)
            c.read_until(lambda: False, 0.5)
            c.responses["most-before-window-update"] = max(c.data.get(i, 0) for i in ids)
            c.send(*[WindowUpdateFrame(i, window_increment=100000) for i in ids])
        c.read_until(lambda: all(i in c.ended for i in ids), 8)
        for i in ids:
            try:
                echoed = json.loads(c.bodies.get(i, b"{}")).get("path")
            except ValueError:
                echoed = None
            c.responses[f"path-{i}"] = 1 if echoed == f"/echo/s{i}" and c.responses.get(i) == 200 else 0
    elif case == "padded-body-with-trailers":
        body = c.block("/echo/post", "POST", [("content-length", "5")])
        c.send(HeadersFrame(1, data=body, flags=["END_HEADERS", "PADDED"], pad_length=7),
               DataFrame(1, data=b"hello", flags=["PADDED"], pad_length=20),
               HeadersFrame(1, data=c.encoder.encode([("x-trailer", "1")]), flags=["END_HEADERS", "END_STREAM"]))
        c.read_until(lambda: 1 in c.ended)
    elif case == "length-mismatch":
        body = c.block("/echo/post", "POST", [("content-length", "10")])
        c.send(HeadersFrame(1, data=body, flags=["END_HEADERS"]), DataFrame(1, data=b"hello", flags=["END_STREAM"]))
        c.read_until(lambda: 1 in c.ended or 1 in c.resets)
    elif case == "client-goaway":
        c.get(1)
        c.send(GoAwayFrame(0, last_stream_id=0, error_code=0))
        c.read_until(lambda: 1 in c.ended)
        c.read_until(lambda: False, 3)
        next_stream = None
    else:
        raise SystemExit("unknown case " + case)
    usable = c.usable(next_stream) if next_stream else None
    print(json.dumps({"case": case, "settings": {str(k): v for k, v in c.server_settings.items()}, "goaway": c.goaway,
                      "closed": c.closed, "resets": {str(k): v for k, v in c.resets.items()},
                      "responses": {str(k): v for k, v in c.responses.items()}, "data": {str(k): v for k, v in c.data.items()},
                      "pings": [p.decode() for p in c.pings], "usable": usable}))


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], int(sys.argv[3]))
