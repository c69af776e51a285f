#!/usr/bin/env python3
"""Splits a proxy's CPU samples into the components of a request, for docs/performance.md's breakdown.

Reads `perf script -F comm,tid,period,ip,sym,dso` output (samples recorded with -g) on stdin and prints a
Markdown table: each component's share of the samples and, given --requests N and --cpu-us T (the proxy's
CPU time over the recording), its microseconds per request.

A sample in the kernel is filed under the system call it is in (send, recv, epoll_wait...), because on
loopback the receiver's TCP work runs inside the sender's send: the syscall is what the proxy chose to do.
A sample in user code is filed under its *owner*: the first frame, walking from the leaf towards the root,
that belongs to a component of the request path (Kestrel, Fulcrum's routing, the backend leg, TLS...).
Generic frames (the async machinery, libc, the runtime's stubs) thus count for whoever called them; what
no owner called (the thread pool's own loop, the GC's background work, the JIT) stays in its own row.
"""
import argparse
import re
import sys

# (component, pattern on a managed or native symbol), first match wins; order matters (specific first).
OWNERS = [
    ("Fulcrum: backend leg (HTTP/1.1 to the backend)", r"^Fulcrum\.L7\.BackendHttp\.|^Fulcrum\.L7\.Forwarding\."),
    ("Fulcrum: routing and the pick", r"^Fulcrum\.L7\.Routing\.|^Fulcrum\.Core\.(Balancing|Affinity|Hashing|Model)\."),
    ("Fulcrum: filters (X-Forwarded-*, X-Request-ID, header edits)", r"^Fulcrum\.L7\.Filters\."),
    ("Fulcrum: logging and metrics hooks", r"^Fulcrum\.(L7|Core)\.Observability\.|^Fulcrum\.L7\.Diagnostics\."),
    ("Fulcrum: front end (own HTTP/1.1)", r"^Fulcrum\.L7\.FrontEnd\."),
    ("Fulcrum: L4 pump", r"^Fulcrum\.L4\."),
    ("Fulcrum: exchange and data plane", r"^Fulcrum\.L7\.(Exchange|Hosting|HttpDataPlane)"),
    ("Fulcrum: other", r"^Fulcrum\."),
    ("Kestrel HTTP/2 per stream (Http2Stream, output producer, message body)",
     r"^Microsoft\.AspNetCore\.Server\.Kestrel\.Core\.Internal\.Http2\.(Http2Stream|Http2OutputProducer|Http2MessageBody)"),
    ("Kestrel HTTP/2 connection (frames, HPACK, flow control, frame writer)",
     r"^Microsoft\.AspNetCore\.Server\.Kestrel\.Core\.Internal\.Http2\.|^System\.Net\.Http\.HPack\."),
    # TLS in two rows: OpenSSL's own work (a sample whose leaf side is in libssl or libcrypto, TLS_LIBRARIES below)
    # and what .NET adds around it (SslStream's record layer, its state machines and their allocations, the interop).
    ("TLS: SslStream (record layer, its async state machines and allocations, interop)",
     r"^System\.Net\.Security\.|^Interop\+OpenSsl|^Interop\+Ssl|^Interop\+Crypto|^Microsoft\.AspNetCore\.Server\.Kestrel\.Https\."),
    ("Kestrel socket transport", r"^Microsoft\.AspNetCore\.Server\.Kestrel\.Transport\.Sockets\."),
    ("Kestrel HTTP/1.1 (parser, HttpContext, pipes)", r"^Microsoft\.AspNetCore\.|^System\.IO\.Pipelines\."),
    ("YARP", r"^Yarp\."),
    ("HttpClient", r"^System\.Net\.Http\."),
]
OWNER_PATTERNS = [(name, re.compile(pattern)) for name, pattern in OWNERS]
TLS_LIBRARIES = re.compile(r"libssl|libcrypto|Cryptography\.Native\.OpenSsl")

SYSCALLS = [
    ("kernel: send (incl. loopback delivery to the peer)", r"__x64_sys_(sendto|sendmsg|write|writev|sendfile64|splice)\b"),
    ("kernel: recv", r"__x64_sys_(recvfrom|recvmsg|read|readv)\b"),
    ("kernel: epoll_wait", r"__x64_sys_epoll_(wait|pwait|pwait2)\b"),
    ("kernel: io_uring", r"__x64_sys_io_uring_enter\b|io_uring|io_wq"),
    ("kernel: futex and sched_yield (thread sleep and wake)", r"__x64_sys_(futex|sched_yield)\b"),
    ("kernel: accept, connect, close, shutdown", r"__x64_sys_(accept4?|connect|close|shutdown|socket|setsockopt|getsockopt)\b"),
    ("kernel: other system calls", r"__x64_sys_|__ia32_sys_"),
    ("kernel: interrupts and softirq", r"irq|softirq"),
]
SYSCALL_PATTERNS = [(name, re.compile(pattern)) for name, pattern in SYSCALLS]


def classify(frames):
    """frames: [(symbol, dso)] from leaf to root."""
    if not frames:
        return "unknown"
    leaf_dso = frames[0][1]
    if "kernel" in leaf_dso:
        # The system call's entry is near the root of the kernel part; softirq work on the way (loopback delivery)
        # belongs to the call that raised it, so look for the entry first and file as interrupts only without one.
        kernel = [symbol for symbol, dso in frames if "kernel" in dso]
        for name, pattern in SYSCALL_PATTERNS:
            if any(pattern.search(symbol) for symbol in kernel):
                return name
        return "kernel: other (scheduler, page faults)"
    for symbol, dso in frames:
        if TLS_LIBRARIES.search(dso):
            return "TLS: OpenSSL (libssl, libcrypto: record encryption, BIOs)"
        for name, pattern in OWNER_PATTERNS:
            if pattern.search(symbol):
                return name
    symbol, dso = frames[0]
    if "libclrjit" in dso:
        return "runtime: JIT"
    if "libcoreclr" in dso and re.search(r"gc_heap|GCHeap|WKS::|SVR::|gc\b", symbol):
        return "runtime: GC"
    if re.search(r"^System\.Threading\.|ThreadPool", symbol) or any(re.search(r"ThreadPoolWorkQueue|PortableThreadPool", s) for s, _ in frames):
        return "runtime: thread pool and async machinery (no owner)"
    if re.search(r"^System\.Net\.Sockets\.", symbol) or any(s.startswith("System.Net.Sockets.SocketAsyncEngine") for s, _ in frames):
        return "runtime: socket engine (epoll loop)"
    return "runtime: other (no owner)"


def frame_name(symbol, dso):
    """A managed frame's declaring type (perf map: `instance void [Asm] Ns.Type::Method(...)[Tier]`), or for
    precompiled code perf cannot name, its assembly (`Ns.Asm.dll` gives `Ns.Asm.`); native symbols as they are."""
    declared = re.search(r"\[[\w.]+\] ([^\s(]+?)::", symbol)
    if declared:
        return declared.group(1) + "::"
    if symbol.startswith("[unknown]") and dso.endswith(".dll"):
        return dso.rsplit("/", 1)[-1][:-len("dll")]
    return re.sub(r"\+0x[0-9a-f]+$", "", symbol)


def read_samples(stream):
    frames, weight = [], 1
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield frames, weight
            frames, weight = [], 1
            continue
        if not line.startswith((" ", "\t")):
            if frames:
                yield frames, weight
            frames = []
            fields = line.split()
            weight = int(fields[-1]) if fields and fields[-1].isdigit() else 1
            continue
        match = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if match:
            frames.append((frame_name(match.group(1), match.group(2)), match.group(2)))
    if frames:
        yield frames, weight


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=float, default=0, help="requests served during the recording")
    parser.add_argument("--cpu-us", type=float, default=0, help="the proxy's CPU time during the recording, µs")
    parser.add_argument("--us-per-request", type=float, default=0, help="instead of the two above: the CPU µs per request measured")
    parser.add_argument("--title", default="component")
    args = parser.parse_args()

    totals, all_weight = {}, 0
    for frames, weight in read_samples(sys.stdin):
        name = classify(frames)
        totals[name] = totals.get(name, 0) + weight
        all_weight += weight
    if not all_weight:
        print("perf-components.py: no samples", file=sys.stderr)
        return 1
    if args.us_per_request > 0:
        args.requests, args.cpu_us = 1, args.us_per_request
    per_request = args.requests > 0 and args.cpu_us > 0
    print(f"| {args.title} | share | µs/req |" if per_request else f"| {args.title} | share |")
    print("| --- | ---: | ---: |" if per_request else "| --- | ---: |")
    rows = sorted(totals.items(), key=lambda kv: (kv[0].startswith("kernel"), -kv[1]))
    for name, weight in rows:
        share = weight / all_weight
        if per_request:
            print(f"| {name} | {share * 100:.1f} % | {share * args.cpu_us / args.requests:.1f} |")
        else:
            print(f"| {name} | {share * 100:.1f} % |")
    if per_request:
        print(f"| **all** | 100 % | {args.cpu_us / args.requests:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
