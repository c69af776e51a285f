#!/usr/bin/env bash
# HTTP/2 over TLS only, interleaved: Fulcrum (this tree's Release build), optionally a baseline build of Fulcrum
# (BASELINE_DLL), and nginx, each pinned to PROXY_CPU (1), h2load and the nginx backends on LOAD_CPU (0). The same
# load as bench/compare.sh's h2 path (h2load -t1 -c10 -m10, ALPN h2, HTTP/1.1 keep-alive to 3 nginx backends), for
# measuring one change to the h2 path against the build before it: all proxies up at once, the idle ones stopped
# with SIGSTOP, ROUNDS rounds of one DURATION-second run each in an order that rotates every round. Per proxy: median
# req/s and median proxy CPU µs per request (CPU time from /proc over requests done, which holds on a busy machine);
# per pair, the median of the per-round ratios.
#
# usage: bench/h2/run.sh [--no-build] PROXY...     PROXY: fulcrum | fulcrum-baseline | nginx
# env: DURATION (s, default 8), WARMUP (s per proxy, default 20), ROUNDS (default 6), BASELINE_DLL (fulcrum-baseline's
#      fulcrum.dll), FULCRUM_ENV / BASELINE_ENV ("KEY=VALUE ..." added to that Fulcrum's environment, for experiments),
#      PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/h2), PROFILE (1: after the rounds, one more run per
#      proxy under `perf stat -e raw_syscalls:sys_enter,context-switches` and one under `perf record -g`; give the
#      Fulcrums DOTNET_PerfMapEnabled=1 in FULCRUM_ENV / BASELINE_ENV so JIT frames resolve)
# writes: OUT/<stamp>/summary.md (also on stdout) and segments.tsv (round, proxy, req/s, CPU µs/req); with PROFILE,
#      NAME.perf-stat.txt (per-request syscalls and context switches in summary.md), NAME.syscalls.txt (perf trace -s)
#      and NAME.perf.data (bench/perf-components.py --us-per-request turns it into a table by component)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-6}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/h2}
BUILD=1
PROXIES=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    fulcrum|fulcrum-baseline|nginx) PROXIES+=("$1") ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 0 ;;
    *) echo "h2/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#PROXIES[@]} -gt 0 ]] || PROXIES=(fulcrum nginx)
require_tools nginx h2load taskset curl openssl python3 dotnet timeout

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
make_bench_cert
mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" $((3 + ${#PROXIES[@]})))
BACKENDS=("127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}")
declare -A PORT_OF PID_OF
i=3
for name in "${PROXIES[@]}"; do PORT_OF[$name]=${PORTS[i]}; i=$((i + 1)); done

start_fulcrum() {
  local name=$1 dll="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll" extra=()
  if [[ $name == fulcrum-baseline ]]; then
    dll=${BASELINE_DLL:?fulcrum-baseline needs BASELINE_DLL, the fulcrum.dll of the build to compare with}
    # shellcheck disable=SC2206 # "KEY=VALUE ..." split on purpose
    [[ -n ${BASELINE_ENV:-} ]] && extra=($BASELINE_ENV)
  else
    # shellcheck disable=SC2206
    [[ -n ${FULCRUM_ENV:-} ]] && extra=($FULCRUM_ENV)
  fi
  {
    echo "listeners:"
    FULCRUM_TLS_CERT=$CERT FULCRUM_TLS_KEY=$KEY fulcrum_http_listener https "${PORT_OF[$name]}"
    echo "pools:"
    fulcrum_pool backends "${BACKENDS[@]}"
  } >"$RUN/$name.yaml"
  env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production "${extra[@]}" \
    taskset -c "$PROXY_CPU" dotnet "$dll" run -c "$RUN/$name.yaml" --log-level Warning >"$RUN/$name.log" 2>&1 &
  PROXY_PID=$!
}

start_nginx() {
  local dir="$RUN/nginx"
  mkdir -p "$dir/tmp"
  {
    echo "worker_processes 1;"
    echo "worker_rlimit_nofile $(ulimit -n);"
    echo "pid $dir/nginx.pid;"
    echo "events { worker_connections 8192; }"
    echo "http {"
    nginx_common "$dir"
    echo "  keepalive_requests 1000000; keepalive_timeout 75s;"
    nginx_upstream backends "${BACKENDS[@]}"
    nginx_proxy_server "127.0.0.1:${PORT_OF[nginx]} ssl http2" backends "$CERT" "$KEY"
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$PROXY_CPU" "$dir" nginx
  PROXY_PID=$!
}

load() {
  taskset -c "$LOAD_CPU" timeout $(($2 + 30)) h2load -t1 -c10 -m10 -D "$2" "https://127.0.0.1:${PORT_OF[$1]}/" >"$3" 2>&1 || true
}

if [[ $BUILD -eq 1 ]]; then build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"; fi
start_nginx_backends 8192 300s "${BACKENDS[@]}"
trap 'for name in "${!PID_OF[@]}"; do signal_tree CONT "${PID_OF[$name]}"; done; cleanup' EXIT
for name in "${PROXIES[@]}"; do
  PROXY_PID=""
  case "$name" in nginx) start_nginx ;; *) start_fulcrum "$name" ;; esac
  PIDS+=("$PROXY_PID")
  wait_ready "https://127.0.0.1:${PORT_OF[$name]}/" "$PROXY_PID" "$name" -k || exit 1
  PID_OF[$name]=$PROXY_PID
  echo "== $name: pid $PROXY_PID, port ${PORT_OF[$name]}" >&2
  load "$name" "$WARMUP" "$RUN/$name.warmup.log"
  signal_tree STOP "$PROXY_PID"
done

: >"$RUN/segments.tsv"
n=${#PROXIES[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < n; k++)); do
    name=${PROXIES[(k + r) % n]}
    log="$RUN/$name.$r.log"
    signal_tree CONT "${PID_OF[$name]}"
    t0=$(proc_ticks "${PID_OF[$name]}")
    load "$name" "$DURATION" "$log"
    t1=$(proc_ticks "${PID_OF[$name]}")
    signal_tree STOP "${PID_OF[$name]}"
    rps=$(awk '/^finished in/ { gsub(/,/, ""); printf "%.0f", $4 }' "$log")
    ok=$(awk '/^status codes:/ { gsub(/,/, ""); print $3 }' "$log")
    grep -q '^Application protocol: h2$' "$log" || ok=0
    printf '%s\t%s\t%s\t%s\n' "$r" "$name" "${rps:-0}" "$(cpu_us_per "$t0" "$t1" "${ok:-0}")" >>"$RUN/segments.tsv"
    echo "== round $((r + 1)): $name ${rps:-0} req/s, $(cpu_us_per "$t0" "$t1" "${ok:-0}") µs/req" >&2
  done
done

# profile NAME: one DURATION run of NAME under perf stat, then one under perf record -g; per-request syscalls and
# context switches (of the whole process, every thread) appended to profile.tsv.
profile() {
  local name=$1 pid=${PID_OF[$1]} ok pids
  signal_tree CONT "$pid"
  # shellcheck disable=SC2046 # nginx: the master and its worker
  pids=$(echo "$pid" $(pgrep -P "$pid" || true) | tr ' ' ,)
  perf stat -e raw_syscalls:sys_enter,context-switches -p "$pids" -o "$RUN/$name.perf-stat.txt" \
    -- sleep "$DURATION" & local stat=$!
  load "$name" "$DURATION" "$RUN/$name.stat.log"; wait "$stat" || true
  ok=$(awk '/^status codes:/ { gsub(/,/, ""); print $3 }' "$RUN/$name.stat.log")
  awk -v n="${ok:-0}" -v name="$name" '/raw_syscalls:sys_enter/ { gsub(/,/, ""); s = $1 } /context-switches/ { gsub(/,/, ""); c = $1 }
    END { if (n > 0) printf "%s\t%.2f\t%.3f\n", name, s / n, c / n }' "$RUN/$name.perf-stat.txt" >>"$RUN/profile.tsv"
  # Which system calls, per thread (perf trace's summary), to match against the requests of the same run.
  perf trace -s -p "$pids" -o "$RUN/$name.syscalls.txt" -- sleep "$DURATION" >/dev/null 2>&1 & local trace=$!
  load "$name" "$DURATION" "$RUN/$name.trace.log"; wait "$trace" || true
  perf record -g -o "$RUN/$name.perf.data" -p "$pids" -- sleep "$DURATION" >/dev/null 2>&1 & local rec=$!
  load "$name" "$DURATION" "$RUN/$name.record.log"; wait "$rec" || true
  signal_tree STOP "$pid"
}
if [[ ${PROFILE:-0} == 1 ]]; then
  require_tools perf
  : >"$RUN/profile.tsv"
  for name in "${PROXIES[@]}"; do profile "$name"; done
fi

{
  echo "bench/h2/run.sh: $ROUNDS rounds of ${DURATION}s, warm-up ${WARMUP}s; proxies on CPU $PROXY_CPU, load on CPU $LOAD_CPU;"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after."
  echo
  echo "| proxy | req/s (median) | CPU µs/req (median) | req/s vs ${PROXIES[0]} (median per-round ratio) | CPU/req vs ${PROXIES[0]} |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  awk -F'\t' -v proxies="${PROXIES[*]}" "$AWK_MEDIAN"'
    { k = ++n[$2]; rps[$2, k] = $3; us[$2, k] = $4; R[$1, $2] = $3; U[$1, $2] = $4; if ($1 + 1 > rounds) rounds = $1 + 1 }
    END {
      nx = split(proxies, X, " "); first = X[1]
      for (b = 1; b <= nx; b++) {
        p = X[b]; delete a; delete c; delete q; delete w
        for (i = 1; i <= n[p]; i++) { a[i] = rps[p, i]; c[i] = us[p, i] }
        m = 0
        for (r = 0; r < rounds; r++) if (R[r, p] > 0 && R[r, first] > 0) { m++; q[m] = R[r, first] / R[r, p]; w[m] = U[r, first] / U[r, p] }
        printf "| %s | %.0f | %.1f | %s | %s |\n", p, median(a, n[p]), median(c, n[p]),
          p == first || !m ? "-" : sprintf("%.2f", median(q, m)), p == first || !m ? "-" : sprintf("%.2f", median(w, m))
      }
    }' "$RUN/segments.tsv"
  if [[ -s $RUN/profile.tsv ]]; then
    echo
    echo "| proxy | syscalls per request | context switches per request |"
    echo "| --- | ---: | ---: |"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$RUN/profile.tsv"
  fi
} | tee "$RUN/summary.md"
