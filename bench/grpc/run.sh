#!/usr/bin/env bash
# gRPC benchmark: unary calls per second from a Grpc.Net.Client load (bench/grpc/GrpcBench) straight to a
# Grpc.AspNetCore backend on h2c, then through Fulcrum (an h2c listener, a pool with backend-protocol: h2c), and the
# ratio. Fulcrum is pinned to PROXY_CPU; the backend and the load share LOAD_CPU. Bounded: each run is WARMUP + DURATION
# seconds and the load stops itself (and `timeout` stops it regardless); everything started is stopped at exit.
#
# usage: bench/grpc/run.sh [--no-build]
# env: DURATION (s, default 10), WARMUP (s, default 10), CONCURRENCY (64 calls in flight), CONNECTIONS (4 HTTP/2
#      connections from the load), PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/grpc)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/l7"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONCURRENCY=${CONCURRENCY:-64}
CONNECTIONS=${CONNECTIONS:-4}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/grpc}
RUN="$OUT/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
source "$ROOT/bench/lib.sh"
require_tools taskset python3 dotnet

if [[ ${1:-} != --no-build ]]; then
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
  build_release grpcbench "$ROOT/bench/grpc/GrpcBench/GrpcBench.csproj"
fi
FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
BENCH_DLL="$ROOT/bench/grpc/GrpcBench/bin/Release/net10.0/grpcbench.dll"

mapfile -t PORTS < <(python3 "$HERE/free-ports.py" 3)
BACKEND_PORT=${PORTS[0]} PROXY_PORT=${PORTS[1]} ADMIN_PORT=${PORTS[2]}

# wait_line FILE PATTERN PID NAME: until the process prints PATTERN (60 s at most).
wait_line() {
  local deadline=$((SECONDS + 60))
  while ! grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { echo "run.sh: $4 exited before it was ready (see $1)" >&2; exit 1; }
    [[ $SECONDS -lt $deadline ]] || { echo "run.sh: $4 was not ready within 60 s (see $1)" >&2; exit 1; }
    sleep 0.1
  done
}

DOTNET_NOLOGO=1 taskset -c "$LOAD_CPU" dotnet "$BENCH_DLL" server "$BACKEND_PORT" >"$RUN/backend.log" 2>&1 &
PIDS+=($!)
wait_line "$RUN/backend.log" "listening on" "${PIDS[-1]}" backend

cat >"$RUN/fulcrum.yaml" <<YAML
admin:
  bind: 127.0.0.1:$ADMIN_PORT
listeners:
  - name: grpc
    bind: 127.0.0.1:$PROXY_PORT
    protocol: http
    h2c: true
    access-log: { enabled: false }
    routes: [ { pool: echo } ]
pools:
  - name: echo
    backend-protocol: h2c
    backends: [ { address: 127.0.0.1:$BACKEND_PORT } ]
YAML
DOTNET_NOLOGO=1 DOTNET_ProcessorCount=1 taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$RUN/fulcrum.yaml" >"$RUN/fulcrum.log" 2>&1 &
PIDS+=($!)
FULCRUM_PID=${PIDS[-1]}
wait_line "$RUN/fulcrum.log" "listener grpc serving" "$FULCRUM_PID" fulcrum

# load NAME URL: one bounded run; prints its result line.
load() {
  local limit=$((WARMUP + DURATION + 30))
  taskset -c "$LOAD_CPU" timeout "$limit" dotnet "$BENCH_DLL" client "$2" "$DURATION" "$WARMUP" "$CONCURRENCY" "$CONNECTIONS" >"$RUN/$1.txt" 2>&1 \
    || { echo "run.sh: the $1 load failed (see $RUN/$1.txt)" >&2; exit 1; }
  tail -1 "$RUN/$1.txt"
}

cpu_before=$(awk '{print $14 + $15}' "/proc/$FULCRUM_PID/stat")
direct=$(load direct "http://127.0.0.1:$BACKEND_PORT")
cpu_mid=$(awk '{print $14 + $15}' "/proc/$FULCRUM_PID/stat")
through=$(load fulcrum "http://127.0.0.1:$PROXY_PORT")
cpu_after=$(awk '{print $14 + $15}' "/proc/$FULCRUM_PID/stat")

rps() { awk '{for (i = 1; i < NF; i++) if ($i == "rps") print $(i + 1)}' <<<"$1"; }
calls() { awk '{for (i = 1; i < NF; i++) if ($i == "calls") print $(i + 1)}' <<<"$1"; }
ticks=$(getconf CLK_TCK)
# Fulcrum's CPU over its run (warm-up included), per measured call: an upper bound on its cost per call.
cpu_us=$(awk -v t="$((cpu_after - cpu_mid))" -v hz="$ticks" -v c="$(calls "$through")" -v w="$WARMUP" -v d="$DURATION" \
  'BEGIN { if (c > 0) printf "%.1f", t / hz * 1e6 / (c * (w + d) / d); else print "n/a" }')
echo "direct:  $direct"
echo "fulcrum: $through   (fulcrum CPU ~${cpu_us} us/call; idle during the direct run: $((cpu_mid - cpu_before)) ticks)"
awk -v a="$(rps "$through")" -v b="$(rps "$direct")" 'BEGIN { if (b > 0) printf "ratio fulcrum/direct: %.2f\n", a / b }'
echo "results in $RUN"
