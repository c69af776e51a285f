#!/usr/bin/env bash
# Memory a response costs while Fulcrum encodes it: N responses (default 200) held open mid-body, each after 1 MiB of
# text, per coding; the growth of Fulcrum's resident memory divided by N. Bounded: each coding's responses end after
# HOLD seconds (default 20), and the whole run after about a minute and a half.
#
# usage: bench/compression/memory.sh [--no-build]
# env: N (200), HOLD (s, 20), OUT (default bench/.bench-out/compression-memory)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
N=${N:-200}
HOLD=${HOLD:-20}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/compression-memory}
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
require_tools curl python3 dotnet ss
[[ ${1:-} == --no-build ]] || build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"

mapfile -t P < <(python3 "$ROOT/bench/l7/free-ports.py" 5)
# The backend: 1 MiB of text at once, then nothing until HOLD seconds have passed, then the end of the chunked body.
python3 - "${P[0]}" "$HOLD" >"$RUN/backend.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, time
block = b"".join(b"line %d: the quick brown fox %d jumps over the lazy dog %d\n" % (i, i * 7919 % 1000, i % 13) for i in range(20000))[:1 << 20]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block)); self.wfile.flush()
        time.sleep(float(sys.argv[2]))
        self.wfile.write(b"0\r\n\r\n"); self.wfile.flush()
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
PIDS+=("$!")

declare -A PORT=([plain]=${P[1]} [gzip]=${P[2]} [br]=${P[3]} [zstd]=${P[4]})
{
  echo "listeners:"
  for v in plain gzip br zstd; do
    echo "  - name: $v"
    echo "    bind: 127.0.0.1:${PORT[$v]}"
    if [[ $v == plain ]]; then echo "    routes: [ { pool: b } ]"; else echo "    routes: [ { pool: b, compress: { encodings: [ $v ] } } ]"; fi
  done
  echo "pools: [ { name: b, backends: [ { address: 127.0.0.1:${P[0]} } ] } ]"
} >"$RUN/fulcrum.yaml"
env "${DOTNET_BENCH_ENV[@]}" dotnet "$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll" run -c "$RUN/fulcrum.yaml" >"$RUN/fulcrum.log" 2>&1 &
FULCRUM=$!
PIDS+=("$FULCRUM")
READY_TIMEOUT=60 wait_ready "http://127.0.0.1:${PORT[plain]}/" "$FULCRUM" fulcrum --max-time "$((HOLD + 5))"

backend_streams() { ss -Htn state established "( sport = :${P[0]} )" | wc -l; }
for v in plain gzip br zstd; do
  before=$(proc_rss_kib "$FULCRUM")
  clients=()
  for ((i = 0; i < N; i++)); do
    curl -s -o /dev/null -H "Accept-Encoding: $v" --max-time "$((HOLD + 30))" "http://127.0.0.1:${PORT[$v]}/" & clients+=("$!")
  done
  # Every response has reached the backend and its first MiB has gone through the encoder once the client has
  # read it; waiting for the backend's N connections, then a second for the last bytes, bounded by HOLD.
  deadline=$((SECONDS + HOLD))
  while [[ $(backend_streams) -lt $N && $SECONDS -lt $deadline ]]; do sleep 0.2; done
  sleep 1
  during=$(proc_rss_kib "$FULCRUM")
  printf '%-6s %4d held: resident %6d KiB -> %6d KiB, %5d KiB per response\n' "$v" "$N" "$before" "$during" $(((during - before) / N)) | tee -a "$RUN/summary.txt"
  wait "${clients[@]}" || true
done
echo "results: $RUN/summary.txt"
