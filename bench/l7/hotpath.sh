#!/usr/bin/env bash
# What one L7 keep-alive request costs each proxy in CPU time and system calls: Fulcrum, an earlier Fulcrum build
# (BASELINE_DLL) and nginx, all up at once in front of one nginx backend, each pinned to PROXY_CPU, the idle ones
# stopped (SIGSTOP); after a warm-up each, ROUNDS rounds of one DURATION-second wrk -c64 run per proxy, in an order
# that rotates every round. Per run: requests, CPU µs per request (/proc), and system calls and context switches per
# request (perf stat -e raw_syscalls:sys_enter,context-switches on the proxy's process). Prints every run and the
# medians. docs/performance.md, "The hot path".
#
# usage: bench/l7/hotpath.sh [--no-build] [--strace PROXY] [PROXY...]
#   PROXY          any of: fulcrum fulcrum-baseline nginx (default: fulcrum nginx, plus fulcrum-baseline with BASELINE_DLL)
#   --strace P     after the rounds, one more run of proxy P under `strace -f -c`: which calls, per request
#                  (strace slows the proxy a lot; the counts per request hold, the times do not)
# env: DURATION (s, default 4), WARMUP (s, default 20), ROUNDS (default 5), CONNECTIONS (64), PROXY_CPU (1),
#      LOAD_CPU (0), BASELINE_DLL (fulcrum-baseline's fulcrum.dll), OUT (default bench/.bench-out/hotpath)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/l7"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/hotpath}
BUILD=1
STRACE=""
PROXIES=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --strace) STRACE=${2:?--strace needs a proxy name}; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    fulcrum|fulcrum-baseline|nginx) PROXIES+=("$1") ;;
    *) echo "hotpath.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ ${#PROXIES[@]} -eq 0 ]]; then
  PROXIES=(fulcrum nginx)
  [[ -n ${BASELINE_DLL:-} ]] && PROXIES+=(fulcrum-baseline)
fi

require_tools nginx wrk taskset curl python3 dotnet perf
[[ -n $STRACE ]] && require_tools strace

FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
[[ $BUILD -eq 1 ]] && build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"

mapfile -t PORTS < <(python3 "$HERE/free-ports.py" $((1 + ${#PROXIES[@]})))
BACKENDS=("127.0.0.1:${PORTS[0]}")
start_nginx_backends 4096 75s "${BACKENDS[@]}"

# Stopped proxies ignore SIGTERM: let them run again before lib.sh's cleanup stops everything.
trap 'for p in "${PIDS[@]}"; do signal_tree CONT "$p"; done; cleanup' EXIT

declare -A PID URL
i=1
for name in "${PROXIES[@]}"; do
  port=${PORTS[$i]}; i=$((i + 1))
  URL[$name]="http://127.0.0.1:$port/"
  case $name in
    fulcrum|fulcrum-baseline)
      dll=$FULCRUM_DLL
      [[ $name == fulcrum-baseline ]] && dll=${BASELINE_DLL:?fulcrum-baseline needs BASELINE_DLL}
      fulcrum_http_config "$port" >"$RUN/$name.yaml"
      env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production \
        taskset -c "$PROXY_CPU" dotnet "$dll" run -c "$RUN/$name.yaml" >"$RUN/$name.log" 2>&1 &
      PID[$name]=$! ;;
    nginx)
      dir="$RUN/nginx-proxy"; mkdir -p "$dir/tmp"
      {
        echo "worker_processes 1;"; echo "pid $dir/nginx.pid;"; echo "events { worker_connections 4096; }"; echo "http {"
        nginx_common "$dir"; echo "  keepalive_requests 1000000;"
        nginx_upstream backends "${BACKENDS[@]}"; nginx_proxy_server "127.0.0.1:$port" backends; echo "}"
      } >"$dir/nginx.conf"
      run_nginx "$PROXY_CPU" "$dir" nginx
      PID[$name]=$! ;;
  esac
  PIDS+=("${PID[$name]}")
  wait_ready "${URL[$name]}" "${PID[$name]}" "$name"
done

# The process whose calls count: nginx's worker (its child), the dotnet process itself.
target_pid() {
  local p=${PID[$1]}
  [[ $1 == nginx ]] && p=$(pgrep -P "$p" | head -1)
  echo "$p"
}

for name in "${PROXIES[@]}"; do signal_tree STOP "${PID[$name]}"; done
for name in "${PROXIES[@]}"; do
  echo "== $name: warm-up ${WARMUP}s" >&2
  signal_tree CONT "${PID[$name]}"
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "${URL[$name]}" >/dev/null 2>&1 || true
  signal_tree STOP "${PID[$name]}"
done

RESULTS="$RUN/results.tsv"
printf 'round\tproxy\trequests\trps\tcpu_us_per_req\tsyscalls_per_req\tcs_per_req\n' >"$RESULTS"
# one_run ROUND NAME: a measured run with perf stat on the proxy; appends a line to RESULTS.
one_run() {
  local round=$1 name=$2 pid t0 t1 perf_pid requests
  pid=$(target_pid "$name")
  signal_tree CONT "${PID[$name]}"
  sleep 0.5
  perf stat -e raw_syscalls:sys_enter,context-switches -x, -o "$RUN/$name.$round.perf" -p "$pid" &
  perf_pid=$!
  t0=$(proc_ticks "${PID[$name]}")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "${URL[$name]}" >"$RUN/$name.$round.wrk" 2>&1 || true
  t1=$(proc_ticks "${PID[$name]}")
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  signal_tree STOP "${PID[$name]}"
  requests=$(wrk_requests "$RUN/$name.$round.wrk")
  awk -F, -v r="$round" -v n="$name" -v q="${requests:-0}" -v rps="$(wrk_rps "$RUN/$name.$round.wrk")" \
      -v cpu="$(cpu_us_per "$t0" "$t1" "${requests:-0}")" '
    $3 == "raw_syscalls:sys_enter" { s = $1 }
    $3 == "context-switches" { c = $1 }
    END { printf "%s\t%s\t%s\t%s\t%s\t%.2f\t%.3f\n", r, n, q, rps, cpu, (q > 0 ? s / q : 0), (q > 0 ? c / q : 0) }' \
    "$RUN/$name.$round.perf" >>"$RESULTS"
  tail -1 "$RESULTS" >&2
}

count=${#PROXIES[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < count; k++)); do one_run "$round" "${PROXIES[$(((k + round) % count))]}"; done
done

echo
echo "medians over $ROUNDS rounds (DURATION=${DURATION}s, wrk -c$CONNECTIONS, proxy on CPU $PROXY_CPU):"
awk -F'\t' "$AWK_MEDIAN"'
  NR > 1 { k = ++n[$2]; rps[$2, k] = $4; cpu[$2, k] = $5; sys[$2, k] = $6; cs[$2, k] = $7 }
  END {
    printf "%-18s %10s %14s %14s %12s\n", "proxy", "req/s", "CPU us/req", "syscalls/req", "cs/req"
    for (p in n) {
      for (i = 1; i <= n[p]; i++) { a[i] = rps[p, i]; b[i] = cpu[p, i]; c[i] = sys[p, i]; d[i] = cs[p, i] }
      r = median(a, n[p]); u = median(b, n[p]); s = median(c, n[p]); w = median(d, n[p])
      printf "%-18s %10.0f %14.1f %14.2f %12.3f\n", p, r, u, s, w
    }
  }' "$RESULTS" | tee "$RUN/summary.txt"

if [[ -n $STRACE ]]; then
  pid=$(target_pid "$STRACE")
  signal_tree CONT "${PID[$STRACE]}"
  strace -f -c -o "$RUN/$STRACE.strace" -p "$pid" &
  strace_pid=$!
  sleep 1
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "${URL[$STRACE]}" >"$RUN/$STRACE.strace.wrk" 2>&1 || true
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  requests=$(wrk_requests "$RUN/$STRACE.strace.wrk")
  echo
  echo "$STRACE under strace: $requests requests; calls per request:"
  awk -v q="$requests" '$1 ~ /^[0-9.]+$/ && NF >= 5 { n = $4; name = $NF; if (q > 0 && n / q >= 0.01) printf "  %-20s %8.2f\n", name, n / q }' \
    "$RUN/$STRACE.strace" | sort -k2 -rn | tee "$RUN/$STRACE.strace.summary"
fi
echo "(runs in $RESULTS)"
