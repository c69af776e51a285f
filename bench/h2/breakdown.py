#!/usr/bin/env python3
"""Where a proxy's CPU goes, by component, from `perf script` of a `perf record -g` profile (bench/h2/run.sh PROFILE=1).

usage: perf script -i NAME.perf.data -F ip,sym,dso | bench/h2/breakdown.py [US_PER_REQUEST]
Each sample goes to one component: the runtime's own work (JIT, GC) and TLS by any frame of the stack; otherwise the
innermost frame that names a component (kernel and libc time go to the managed code that made the call). With
US_PER_REQUEST (the run's CPU µs per request), each share is also given in µs per request.
"""
import re
import sys

# (component, pattern on "sym (dso)"). JIT and GC win wherever they are on the stack; a sample whose innermost frame is
# the kernel's goes to the system call it is in; any other goes to the innermost frame that names a component.
ANYWHERE = [
    ("runtime: JIT compiling", re.compile(r"libclrjit")),
    ("runtime: GC", re.compile(r"WKS::|gc_heap|GCHeap|SVR::")),
]
KERNEL = [
    ("kernel: send (sendmsg, TCP transmit)", re.compile(r"__send|__libc_send|sendmsg|sendto")),
    ("kernel: recv", re.compile(r"__libc_recv|recvmsg|recvfrom")),
    ("kernel: epoll_wait", re.compile(r"epoll_wait")),
    ("kernel: futex (thread wake-ups and waits)", re.compile(r"futex")),
    ("kernel: poll", re.compile(r"__poll")),
]
INNERMOST = [
    ("TLS: OpenSSL and SslStream", re.compile(r"libssl|libcrypto|System\.Net\.Security|SslStream|Interop\+Ssl|Cryptography\.Native")),
    ("Fulcrum: backend leg (BackendHttp)", re.compile(r"Fulcrum\.L7\.BackendHttp")),
    ("Fulcrum: exchange, route, filters, forwarder", re.compile(r"\[Fulcrum|Fulcrum\.")),
    ("Kestrel HTTP/2 connection: frames, HPACK, flow control, frame writer",
     re.compile(r"Http2FrameWriter|Http2Connection|HPack|Http2FrameReader|FlowControl|Http2Frame\b|Http2PeerSettings|HuffmanDecoder|Http2HeadersEnumerator")),
    ("Kestrel per stream: Http2Stream, HttpProtocol, output producer, headers, HttpContext",
     re.compile(r"Http2Stream|Http2OutputProducer|HttpProtocol|HttpResponseHeaders|HttpRequestHeaders|HttpHeaders|DefaultHttpContext|"
                r"Http2MessageBody|MessageBody|Microsoft\.AspNetCore\.Http|KestrelConnection|HttpConnection|StreamPool|PooledStreamStack")),
    ("pipes (System.IO.Pipelines, Kestrel's pipe writers)", re.compile(r"System\.IO\.Pipelines|PipeWriterHelpers|TimingPipeFlusher")),
    ("socket transport (Kestrel sockets, System.Net.Sockets)", re.compile(r"Transport\.Sockets|System\.Net\.Sockets|SocketAsyncEngine")),
    ("scheduling: thread pool, channels, tasks, timers", re.compile(r"ThreadPool|System\.Threading\.Channels|PortableThreadPool|WorkerThread|"
                                                                   r"System\.Threading\.Tasks|TimerQueue|LowLevelLifoSemaphore|ExecutionContext|CancellationToken")),
]


def classify(stack):
    for name, pattern in ANYWHERE:
        if any(pattern.search(f) for f in stack):
            return name
    if stack and "[kernel" in stack[0]:
        for name, pattern in KERNEL:
            if any(pattern.search(f) for f in stack):
                return name
        return "kernel: other (interrupts, softirq, scheduler)"
    for frame in stack:
        for name, pattern in INNERMOST:
            if pattern.search(frame):
                return name
    if stack and "libcoreclr" in stack[0]: return "runtime: other (libcoreclr: allocation, stubs, casts)"
    return "other (libc, unresolved)"


def main():
    us = float(sys.argv[1]) if len(sys.argv) > 1 else None
    counts, total, stack = {}, 0, []

    def flush():
        nonlocal total
        if stack:
            name = classify(stack)
            counts[name] = counts.get(name, 0) + 1
            total += 1

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            flush(); stack.clear(); continue
        if line.startswith((" ", "\t")):
            stack.append(line.strip())
        else:
            flush(); stack.clear()
    flush()
    print("| component | share of CPU |" + (" µs per request |" if us else ""))
    print("| --- | ---: |" + (" ---: |" if us else ""))
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        share = n / total
        print(f"| {name} | {share * 100:.1f}% |" + (f" {share * us:.1f} |" if us else ""))
    print(f"| total ({total} samples) | 100% |" + (f" {us:.1f} |" if us else ""))


main()
