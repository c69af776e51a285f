#!/usr/bin/env bash
# One table: Fulcrum, nginx and HAProxy on every path the per-core comparison covers, interleaved.
# All three proxies are up at once, each pinned to the same CPU (PROXY_CPU, default 1) and each serving
# every path on ports of its own; only the one being measured runs, the others are stopped with SIGSTOP.
# The load and the nginx backends share the other CPU (LOAD_CPU, default 0), as in bench/l7, bench/tls
# and bench/l4, whose proxy setups (lib.sh) this reuses.
#
#   l7        wrk -t1 -c64 --latency, HTTP/1.1 keep-alive, 3 nginx backends
#   https     the same over TLS (ECDSA P-256, TLS 1.2-1.3, the proxies' default ciphers)
#   h2        h2load -t1 -c10 -m10 over TLS (ALPN h2): 100 streams in flight on 10 connections;
#             HTTP/1.1 keep-alive to the backends
#   l4        32 HTTP/1.1 keep-alive connections through a TCP listener to 2 backends, from bench/l4/load-and-backends.c:
#             the load generator and both backends in one thread (L4_LOAD=wrk: wrk -t1 -c32 --latency to the nginx
#             backends instead; at a whole core, wrk and nginx cost the load CPU more per request than any proxy costs
#             its own, so the load CPU set every proxy's rate)
#   l4-close  the same with `Connection: close`: one proxied TCP connection per request
#
# Each proxy is warmed up on each path (WARMUP seconds), then ROUNDS rounds: in each round every path,
# and in each path every proxy for DURATION seconds, in an order that rotates every round and every path.
# Per path the table gives each proxy's median requests/s, median p99, median proxy CPU µs per request,
# errors summed, and Fulcrum's median per-round ratio against nginx and against HAProxy: proxies measured
# seconds apart share the shared machine's drift, so the ratio is the figure to quote.
#
# usage: bench/compare.sh [--quick] [--rounds R] [--breakdown] [--strace] [--no-build]
#   --quick      3 s runs, 2 s warm-ups, 2 rounds (unless --rounds): a few minutes, to see the script work
#   --rounds R   rounds (default 5; 0 with --breakdown or --strace: only those)
#   --breakdown  after the rounds, one more run per path and proxy under `perf stat` (user and system µs,
#                system calls and context switches per request; how busy each CPU was, the hypervisor's steal,
#                and the load CPU's µs per request; the host's TCP segments sent per request), and for
#                Fulcrum under `perf record -g`,
#                split into the request's components by bench/perf-components.py: OUT/<stamp>/breakdown.md
#   --strace     after the rounds (and the breakdown), one more run per path of Fulcrum (and baseline) under
#                `strace -f -c`: which system calls, per request (strace slows the proxy a lot: the counts per
#                request hold, its times do not): OUT/<stamp>/strace.md
#   --no-build   use the Release build of Fulcrum already there
# env: DURATION (s, default 10), WARMUP (s per proxy and path, default 30: measured on the https path, Fulcrum's tiered JIT
#      still compiled hundreds of methods between 30 and 40 s of load and was done only after about 70 s; the
#      paths share most code, so 30 s on each settles it before the rounds), PATHS (default
#      "l7 https h2 l4 l4-close"), PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/compare),
#      BASELINE_DLL (another build's fulcrum.dll, measured as proxy "baseline": before/after a change),
#      FULCRUM_ENV ("KEY=VALUE ..." for the fulcrum proxy only, e.g. FULCRUM_FRONT_END=fulcrum),
#      BASELINE_ENV (the same for the baseline proxy), PROXY_QUOTA (percent of one CPU each proxy may use, e.g. 50: a
#      CFS quota, so that the proxy sets the rate instead of the load's CPU, and the ratio compares what each proxy
#      does with the same share of a core; default none), L4_LOAD (load-and-backends, the default, or wrk: the l4
#      paths' load, above)
# writes: OUT/<stamp>/summary.md (the table, also on stdout), segments.tsv (every run), *.log (each tool's output)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-30}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/compare}
read -r -a PATHS <<<"${PATHS:-l7 https h2 l4 l4-close}"
L4_LOAD=${L4_LOAD:-load-and-backends}
PROXIES=(fulcrum nginx haproxy)
# BASELINE_DLL: another build of Fulcrum (say main's, from a git worktree) measured as one more proxy, so a change is
# judged by the same interleaved ratio as the peers.
BASELINE_DLL=${BASELINE_DLL:-}
[[ -z $BASELINE_DLL ]] || PROXIES+=(baseline)
BUILD=1
ROUNDS=""
BREAKDOWN=0
STRACE=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=2; ROUNDS=${ROUNDS:-2} ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --breakdown) BREAKDOWN=1 ;;
    --strace) STRACE=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,46p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
ROUNDS=${ROUNDS:-5}
[[ $ROUNDS =~ ^[1-9][0-9]*$ || ( $BREAKDOWN -eq 1 || $STRACE -eq 1 ) && $ROUNDS == 0 ]] ||
  { echo "compare.sh: --rounds wants a positive number (0 only with --breakdown or --strace), not '$ROUNDS'" >&2; exit 2; }
for path in "${PATHS[@]}"; do
  case "$path" in l7|https|h2|l4|l4-close) ;; *) echo "compare.sh: unknown path '$path' in PATHS" >&2; exit 2 ;; esac
done
case "$L4_LOAD" in load-and-backends|wrk) ;; *) echo "compare.sh: L4_LOAD is load-and-backends or wrk, not '$L4_LOAD'" >&2; exit 2 ;; esac

require_tools nginx haproxy wrk h2load taskset curl openssl python3 dotnet timeout
[[ $BREAKDOWN -eq 0 ]] || require_tools perf
[[ $STRACE -eq 0 ]] || require_tools strace
[[ $L4_LOAD == wrk ]] || require_tools cc
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
[[ -f $STREAM_MODULE ]] || { echo "compare.sh: nginx stream module missing ($STREAM_MODULE)" >&2; exit 1; }
# Connection: close runs leave thousands of sockets in TIME_WAIT; three proxies each hold their own.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
make_bench_cert

# ---- ports and backends: 3 http backends (l7, https, h2), 2 for l4; 4 ports per proxy ----------
mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" $((5 + 4 * ${#PROXIES[@]})))
BACKENDS=("127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}")
TCP_BACKENDS=("127.0.0.1:${PORTS[3]}" "127.0.0.1:${PORTS[4]}")
# HTTPS1_PORT: Fulcrum's https listener for the https path, offering only http/1.1 (wrk offers no ALPN, so
# every proxy serves it HTTP/1.1 anyway), so that `front-end: fulcrum` (FULCRUM_FRONT_END) can take it.
declare -A HTTP_PORT HTTPS_PORT HTTPS1_PORT TCP_PORT PID_OF
i=5
for name in "${PROXIES[@]}"; do
  HTTP_PORT[$name]=${PORTS[i]}; HTTPS_PORT[$name]=${PORTS[i + 1]}; TCP_PORT[$name]=${PORTS[i + 2]}
  HTTPS1_PORT[$name]=${PORTS[i + 1]}
  [[ $name != fulcrum && $name != baseline ]] || HTTPS1_PORT[$name]=${PORTS[i + 3]}
  i=$((i + 4))
done

# ---- the proxies: each serves http, https (h2 and HTTP/1.1 by ALPN) and tcp; PROXY_PID set ----------
start_fulcrum() {
  # shellcheck disable=SC2206 # word splitting intended: "KEY=VALUE KEY=VALUE"
  PROXY_ENV=(${FULCRUM_ENV:-})
  start_fulcrum_build fulcrum "$FULCRUM_DLL"
  PROXY_ENV=()
}
start_baseline() {
  # shellcheck disable=SC2206 # word splitting intended
  PROXY_ENV=(${BASELINE_ENV:-})
  start_fulcrum_build baseline "$BASELINE_DLL"
  PROXY_ENV=()
}
PROXY_ENV=()

# start_fulcrum_build NAME DLL: a Fulcrum build serving NAME's ports.
# The config sits in a folder of its own: Fulcrum's config reloader watches the config's folder, and every write
# into RUN (perf record's perf.data during a breakdown, the load generators' logs) would wake it and its thread pool.
start_fulcrum_build() {
  local name=$1 dll=$2 cfg="$RUN/$1-config/$1.yaml"
  mkdir -p "$RUN/$1-config"
  {
    echo "listeners:"
    fulcrum_http_listener http "${HTTP_PORT[$name]}"
    FULCRUM_TLS_CERT=$CERT FULCRUM_TLS_KEY=$KEY fulcrum_http_listener https "${HTTPS_PORT[$name]}"
    echo "  - name: https1"
    echo "    bind: 127.0.0.1:${HTTPS1_PORT[$name]}"
    echo "    protocol: https"
    echo "    tls: { certificates: [ { cert: $CERT, key: $KEY } ], alpn: [ http/1.1 ] }"
    echo "    routes:"
    echo "      - pool: backends"
    echo "  - { name: tcp, bind: 127.0.0.1:${TCP_PORT[$name]}, protocol: tcp, pool: tcp }"
    echo "pools:"
    fulcrum_pool backends "${BACKENDS[@]}"
    fulcrum_pool tcp "${TCP_BACKENDS[@]}"
  } >"$cfg"
  [[ -f $dll ]] || { echo "compare.sh: $dll is missing (run without --no-build)" >&2; return 1; }
  local profiling=()
  # A perf map names JIT frames; W^X off so JIT code is not behind a double mapping perf cannot match to it.
  # ReadyToRun off: precompiled framework code has no symbols perf can read; jitted, it is named.
  [[ $BREAKDOWN -eq 0 ]] || profiling=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0)
  env "${DOTNET_BENCH_ENV[@]}" "${profiling[@]}" "${PROXY_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production \
    taskset -c "$PROXY_CPU" dotnet "$dll" run -c "$cfg" --log-level Warning >"$RUN/$name.log" 2>&1 &
  PROXY_PID=$!
}

start_nginx() {
  local dir="$RUN/nginx"
  mkdir -p "$dir/tmp"
  {
    echo "load_module $STREAM_MODULE;"
    echo "worker_processes 1;"
    echo "worker_rlimit_nofile $(ulimit -n);"
    echo "pid $dir/nginx.pid;"
    echo "events { worker_connections 8192; }"
    echo "http {"
    nginx_common "$dir"
    echo "  keepalive_requests 1000000; keepalive_timeout 75s;"
    nginx_upstream backends "${BACKENDS[@]}"
    nginx_proxy_server "127.0.0.1:${HTTP_PORT[nginx]}" backends
    nginx_proxy_server "127.0.0.1:${HTTPS_PORT[nginx]} ssl http2" backends "$CERT" "$KEY"
    echo "}"
    echo "stream {"
    nginx_stream_proxy tcp "127.0.0.1:${TCP_PORT[nginx]} backlog=4096" "${TCP_BACKENDS[@]}"
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$PROXY_CPU" "$dir" nginx
  PROXY_PID=$!
}

start_haproxy() {
  {
    haproxy_head http 8192 30s
    haproxy_proxy http "127.0.0.1:${HTTP_PORT[haproxy]}" "${BACKENDS[@]}"
    haproxy_proxy https "127.0.0.1:${HTTPS_PORT[haproxy]} ssl crt $BUNDLE alpn h2,http/1.1 ssl-min-ver TLSv1.2" "${BACKENDS[@]}"
    haproxy_defaults tcp 10m
    HAPROXY_MODE=tcp haproxy_proxy tcp "127.0.0.1:${TCP_PORT[haproxy]}" "${TCP_BACKENDS[@]}"
  } >"$RUN/haproxy.cfg"
  run_haproxy "$RUN/haproxy.cfg" haproxy
}

pause() { signal_tree STOP "${PID_OF[$1]}"; }
resume() { signal_tree CONT "${PID_OF[$1]}"; }

# ---- load ------------------------------------------------------------------------------------------
# load PATH NAME SECONDS LOG: one run of PATH's load generator against proxy NAME, on LOAD_CPU, bounded by
# timeout in case a proxy stops answering.
load() {
  local path=$1 name=$2 seconds=$3 log=$4 limit=$(($3 + 30))
  case "$path" in
    l7) taskset -c "$LOAD_CPU" timeout "$limit" wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:${HTTP_PORT[$name]}/" ;;
    https) taskset -c "$LOAD_CPU" timeout "$limit" wrk -t1 -c64 -d"${seconds}s" --latency "https://127.0.0.1:${HTTPS1_PORT[$name]}/" ;;
    # --log-file: one line per request (start, status, duration in µs), for the p99 h2load does not print.
    h2) taskset -c "$LOAD_CPU" timeout "$limit" h2load -t1 -c10 -m10 -D "$seconds" --log-file="$log.requests" \
          "https://127.0.0.1:${HTTPS_PORT[$name]}/" ;;
    l4|l4-close) l4_load "$path" "$name" "$seconds" "$limit" ;;
  esac >"$log" 2>&1 || true
}

# l4_load PATH NAME SECONDS LIMIT: the l4 paths' load (L4_LOAD); both print wrk's lines.
l4_load() {
  local close=()
  if [[ $L4_LOAD == wrk ]]; then
    [[ $1 == l4 ]] || close=(-H "Connection: close")
    taskset -c "$LOAD_CPU" timeout "$4" wrk -t1 -c32 -d"$3s" --latency "${close[@]}" "http://127.0.0.1:${TCP_PORT[$2]}/"
  else
    [[ $1 == l4 ]] || close=(--close)
    taskset -c "$LOAD_CPU" timeout "$4" "$LOAD_AND_BACKENDS" -c 32 -d "$3" "${close[@]}" "127.0.0.1:${TCP_PORT[$2]}" \
      "${TCP_BACKENDS[@]}"
  fi
}

# tcp_answers NAME: whether one request through NAME's tcp listener is answered, load-and-backends serving the backends
# (it serves them only while it runs, so curl through the proxy would find none).
tcp_answers() {
  [[ $("$LOAD_AND_BACKENDS" -c 1 -d 1 -n 1 "127.0.0.1:${TCP_PORT[$1]}" "${TCP_BACKENDS[@]}" 2>/dev/null || true) == *$'\n  1 requests in '* ]]
}

# wait_tcp_ready NAME: returns once NAME's tcp listener answers a request through to L4_LOAD's backends.
wait_tcp_ready() {
  if [[ $L4_LOAD == wrk ]]; then wait_ready "http://127.0.0.1:${TCP_PORT[$1]}/" "$PROXY_PID" "$1"
  else wait_until "$PROXY_PID" "$1" tcp_answers "$1"; fi
}

# h2load_result LOG: "req/s p99-ms errors" of one h2load run; errors are failed, errored and timed-out
# requests plus answers other than 2xx, or every request if ALPN did not give h2.
h2load_result() {
  local log=$1 rps p99 errors
  rps=$(awk '/^finished in/ { gsub(/,/, ""); printf "%.0f", $4 }' "$log")
  p99=$(awk '{ print $3 }' "$log.requests" 2>/dev/null | sort -n |
        awk '{ d[NR] = $1 } END { if (NR) printf "%.3f", d[int(NR * 0.99 + 0.999999)] / 1000; else print "nan" }')
  errors=$(awk '/^requests:/ { gsub(/,/, ""); done = $6; ok = $8; bad = $10 + $12 + $14 }
                /^status codes:/ { gsub(/,/, ""); two = $3 }
                END { print bad + (ok - two) }' "$log")
  grep -q '^Application protocol: h2$' "$log" || errors=$(awk '/^requests:/ { gsub(/,/, ""); print $2 }' "$log")
  rm -f "$log.requests"   # a few MB per run; the p99 is what was wanted from it
  echo "${rps:-0} ${p99:-nan} ${errors:-0}"
}

# measure ROUND PATH NAME: one measured run; appends round, path, proxy, req/s, p99 ms, errors, proxy CPU
# µs/req, load CPU busy % to segments.tsv.
measure() {
  local r=$1 path=$2 name=$3 log="$RUN/$2.$3.$1.log" t0 t1 rps p99 errors requests lb0 lt0 lb1 lt1
  echo "== round $((r + 1)) of $ROUNDS: $path, $name, ${DURATION}s" >&2
  t0=$(proc_ticks "${PID_OF[$name]}"); read -r lb0 _ lt0 < <(cpu_ticks "$LOAD_CPU")
  load "$path" "$name" "$DURATION" "$log"
  t1=$(proc_ticks "${PID_OF[$name]}"); read -r lb1 _ lt1 < <(cpu_ticks "$LOAD_CPU")
  if [[ $path == h2 ]]; then
    read -r rps p99 errors < <(h2load_result "$log")
    requests=$(awk '/^requests:/ { print $8 }' "$log")
  else
    rps=$(wrk_rps "$log"); p99=$(wrk_p99 "$log"); errors=$(wrk_errors "$log"); requests=$(wrk_requests "$log")
  fi
  [[ -n $rps ]] || { echo "compare.sh: no result for $path/$name (see $log)" >&2; rps=0; p99=nan; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$path" "$name" "${rps:-0}" "${p99:-nan}" "${errors:-0}" \
    "$(cpu_us_per "$t0" "$t1" "${requests:-0}")" "$(awk -v b=$((lb1 - lb0)) -v t=$((lt1 - lt0)) 'BEGIN { printf "%.0f", (t > 0 ? b / t * 100 : 0) }')" \
    >>"$RUN/segments.tsv"
}

# breakdown PATH NAME: one more run of PATH against NAME under `perf stat` (and `perf record -g` for Fulcrum);
# appends its row to breakdown.tsv and, for Fulcrum, writes breakdown.PATH.md (the components).
breakdown() {
  local path=$1 name=$2 log="$RUN/$1.$2.breakdown.log" pids stat="$RUN/$1.$2.stat" rec="" t0 t1 u0 u1 requests hz
  local lb0 ls0 lt0 lb1 ls1 lt1 pb0 ps0 pt0 pb1 ps1 pt1 sg0 sg1
  pids=$(echo "${PID_OF[$name]}" $(pgrep -P "${PID_OF[$name]}" || true) | tr ' ' ',')
  echo "== breakdown: $path, $name, ${DURATION}s" >&2
  taskset -c "$LOAD_CPU" perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$pids" -o "$stat" \
    -- sleep "$DURATION" >/dev/null 2>&1 &
  local stat_pid=$!
  if [[ $name == fulcrum || $name == baseline ]]; then
    taskset -c "$LOAD_CPU" perf record -e cpu-clock -F 999 -g -p "$pids" -o "$RUN/$path.$name.perf.data" \
      -- sleep "$DURATION" >"$RUN/$path.$name.perf.log" 2>&1 &
    rec=$!
  fi
  t0=$(proc_ticks "${PID_OF[$name]}"); u0=$(proc_sum "${PID_OF[$name]}" stat '{ print $14 }')
  read -r lb0 ls0 lt0 < <(cpu_ticks "$LOAD_CPU"); read -r pb0 ps0 pt0 < <(cpu_ticks "$PROXY_CPU"); sg0=$(tcp_segments)
  load "$path" "$name" "$DURATION" "$log"
  t1=$(proc_ticks "${PID_OF[$name]}"); u1=$(proc_sum "${PID_OF[$name]}" stat '{ print $14 }')
  read -r lb1 ls1 lt1 < <(cpu_ticks "$LOAD_CPU"); read -r pb1 ps1 pt1 < <(cpu_ticks "$PROXY_CPU"); sg1=$(tcp_segments)
  wait "$stat_pid" || true
  if [[ $path == h2 ]]; then requests=$(awk '/^requests:/ { print $8 }' "$log"); rm -f "$log.requests"
  else requests=$(wrk_requests "$log"); fi
  hz=$(getconf CLK_TCK)
  # perf stat counts over its own DURATION, the load over its own: close enough for per-request counts.
  # The CPUs as a whole, besides the proxy's own time: when the load's CPU is busy all the time, the rate is set there
  # (by the load generator, the backends and the packets they send), and proxies differ only by what they cost it.
  awk -F, -v name="$name" -v path="$path" -v n="${requests:-0}" -v t0="$t0" -v t1="$t1" -v u0="$u0" -v u1="$u1" -v hz="$hz" \
    -v lb="$((lb1 - lb0))" -v ls="$((ls1 - ls0))" -v lt="$((lt1 - lt0))" -v pb="$((pb1 - pb0))" -v ps="$((ps1 - ps0))" -v pt="$((pt1 - pt0))" -v sg="$((sg1 - sg0))" '
    $3 == "raw_syscalls:sys_enter" { sys = $1 } $3 == "context-switches" { cs = $1 }
    END { if (n > 0 && lt > 0 && pt > 0) printf "%s\t%s\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.0f\t%.0f\t%.1f\t%.1f\t%.2f\n", path, name,
            (t1 - t0) / hz / n * 1e6, (u1 - u0) / hz / n * 1e6, ((t1 - t0) - (u1 - u0)) / hz / n * 1e6, sys / n, cs / n,
            lb / lt * 100, pb / pt * 100, (ls + ps) / (lt + pt) * 100, lb / hz / n * 1e6, sg / n }' "$stat" >>"$RUN/breakdown.tsv"
  if [[ -n $rec ]]; then
    wait "$rec" || true
    perf script -i "$RUN/$path.$name.perf.data" -F comm,tid,period,ip,sym,dso 2>/dev/null |
      python3 "$ROOT/bench/perf-components.py" --requests "${requests:-0}" \
        --cpu-us "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { print (b - a) / hz * 1e6 }')" \
        --title "$name, $path: where the CPU goes" >"$RUN/breakdown.$path.$name.md" || true
    [[ -n ${KEEP_PERF:-} ]] || rm -f "$RUN/$path.$name.perf.data"
  fi
}

# strace_run PATH NAME: one run of PATH against NAME under `strace -f -c`; appends NAME's calls per request to
# strace.md. h2load counts requests itself; wrk's count is read from its output.
strace_run() {
  local path=$1 name=$2 log="$RUN/$1.$2.strace.log" out="$RUN/$1.$2.strace" requests strace_pid
  echo "== strace: $path, $name, ${DURATION}s" >&2
  strace -f -c -o "$out" -p "${PID_OF[$name]}" >/dev/null 2>&1 &
  strace_pid=$!
  # strace attaches to every thread before it counts; its first line of output would be too late a signal.
  sleep 1
  load "$path" "$name" "$DURATION" "$log"
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  if [[ $path == h2 ]]; then requests=$(awk '/^requests:/ { print $8 }' "$log"); rm -f "$log.requests"
  else requests=$(wrk_requests "$log"); fi
  {
    echo
    echo "$name, $path: ${requests:-0} requests under strace; system calls per request (at least 0.01):"
    echo
    echo "| call | per request |"
    echo "| --- | ---: |"
    awk -v q="${requests:-0}" '$1 ~ /^[0-9.]+$/ && NF >= 5 { n = $4; name = $NF; if (q > 0 && n / q >= 0.01) printf "| %s | %.2f |\n", name, n / q }' \
      "$out" | sort -t'|' -k3 -rn
  } >>"$RUN/strace.md"
}

# ---- main --------------------------------------------------------------------------------------------
if [[ $BUILD -eq 1 ]]; then
  echo "== building Fulcrum (Release)" >&2
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
fi

echo "== backends ${BACKENDS[*]} ${TCP_BACKENDS[*]} (CPU $LOAD_CPU); proxies on CPU $PROXY_CPU; output in $RUN" >&2
if [[ $L4_LOAD == wrk ]]; then start_nginx_backends 8192 300s "${BACKENDS[@]}" "${TCP_BACKENDS[@]}"
else
  LOAD_AND_BACKENDS="$RUN/load-and-backends"
  cc -O2 -Wall -o "$LOAD_AND_BACKENDS" "$ROOT/bench/l4/load-and-backends.c" || exit 1
  start_nginx_backends 8192 300s "${BACKENDS[@]}"
fi

# A stopped process cannot take SIGTERM's exit path: continue them all before cleanup stops them.
QUOTA_DIR=""
trap 'for name in "${!PID_OF[@]}"; do resume "$name"; done; cleanup; cpu_quota_remove "$QUOTA_DIR"' EXIT
if [[ -n ${PROXY_QUOTA:-} ]]; then
  [[ $PROXY_QUOTA =~ ^[1-9][0-9]?$ ]] || { echo "compare.sh: PROXY_QUOTA wants a percent from 1 to 99, not '$PROXY_QUOTA'" >&2; exit 2; }
  QUOTA_DIR=$(cpu_quota_group "$PROXY_QUOTA") || { echo "compare.sh: cannot make a cgroup for PROXY_QUOTA" >&2; exit 1; }
fi
for name in "${PROXIES[@]}"; do
  PROXY_PID=""
  "start_$name" || exit 1
  PIDS+=("$PROXY_PID")
  wait_ready "http://127.0.0.1:${HTTP_PORT[$name]}/" "$PROXY_PID" "$name" || exit 1
  wait_ready "https://127.0.0.1:${HTTPS_PORT[$name]}/" "$PROXY_PID" "$name" -k || exit 1
  wait_tcp_ready "$name" || exit 1
  PID_OF[$name]=$PROXY_PID
  # Only the proxy being measured runs, so the group's quota is that proxy's alone.
  [[ -z $QUOTA_DIR ]] || cpu_quota_add "$QUOTA_DIR" "$PROXY_PID"
  pause "$name"
done

for path in "${PATHS[@]}"; do
  for name in "${PROXIES[@]}"; do
    echo "== warm-up: $path, $name, ${WARMUP}s" >&2
    resume "$name"; load "$path" "$name" "$WARMUP" "$RUN/$path.$name.warmup.log"; pause "$name"
    rm -f "$RUN/$path.$name.warmup.log.requests"
  done
done

: >"$RUN/segments.tsv"
n=${#PROXIES[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((p = 0; p < ${#PATHS[@]}; p++)); do
    for ((k = 0; k < n; k++)); do
      name=${PROXIES[(k + r + p) % n]}
      resume "$name"; measure "$r" "${PATHS[p]}" "$name"; pause "$name"
    done
  done
done

# ---- the table -----------------------------------------------------------------------------------------
[[ $ROUNDS -eq 0 ]] || {
  echo "bench/compare.sh: rounds $ROUNDS, ${DURATION}s runs, warm-up ${WARMUP}s per proxy and path; each proxy alone on CPU $PROXY_CPU"
  [[ -z ${PROXY_QUOTA:-} ]] || echo "each proxy limited to ${PROXY_QUOTA}% of that CPU (a CFS quota over 5 ms periods)"
  echo "(the others stopped), load and backends on CPU $LOAD_CPU; $(nproc) CPUs; commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?');"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after."
  echo "Each figure is the proxy's median over the rounds; ratios are the median of the per-round ratios Fulcrum/peer (req/s),"
  echo "in brackets the middle half of them (a ratio whose bracket holds 1.00 is a tie on this machine). Load CPU busy: the"
  echo "share of CPU $LOAD_CPU in use during that proxy's runs; near 100 % the load side sets the rate, not the proxy."
  echo
  echo "| path | load | proxy | requests/s | p99 ms | proxy CPU µs/req | load CPU busy % | errors | Fulcrum/peer req/s |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk -F'\t' -v paths="${PATHS[*]}" -v proxies="${PROXIES[*]}" -v l4load="$L4_LOAD" "$AWK_MEDIAN"'
    { k = ++n[$2, $3]; rps[$2, $3, k] = $4; p99[$2, $3, k] = $5; us[$2, $3, k] = $7; busy[$2, $3, k] = $8 == "" ? "nan" : $8
      err[$2, $3] += $6
      round_rps[$1, $2, $3] = $4; if ($1 + 1 > rounds) rounds = $1 + 1 }
    function med(arr, path, proxy,   i, m, col) {
      m = 0
      for (i = 1; i <= n[path, proxy]; i++) if (arr[path, proxy, i] != "nan") col[++m] = arr[path, proxy, i]
      return m ? median(col, m) : "nan"
    }
    END {
      load["l7"] = "wrk -c64, HTTP/1.1 keep-alive"; load["https"] = "wrk -c64, HTTPS keep-alive"
      load["h2"] = "h2load -c10 -m10, h2 over TLS"; load["l4"] = l4load " -c32 via TCP, keep-alive"
      load["l4-close"] = l4load " -c32 via TCP, Connection: close"
      np = split(paths, P, " "); nx = split(proxies, X, " ")
      for (a = 1; a <= np; a++) for (b = 1; b <= nx; b++) {
        path = P[a]; proxy = X[b]; ratio = "-"
        if (proxy != "fulcrum") {
          m = 0
          for (r = 0; r < rounds; r++)
            if (round_rps[r, path, proxy] > 0 && (r, path, "fulcrum") in round_rps) q[++m] = round_rps[r, path, "fulcrum"] / round_rps[r, path, proxy]
          # median() sorts q: its quartiles are then at a quarter of the way in from each end.
          if (m) { ratio = sprintf("%.2f", median(q, m)); lo = int((m + 3) / 4); ratio = ratio sprintf(" (%.2f-%.2f)", q[lo], q[m + 1 - lo]) }
        }
        v = med(p99, path, proxy); p = v == "nan" ? "-" : sprintf("%.2f", v)
        v = med(us, path, proxy); u = v == "nan" ? "-" : sprintf("%.1f", v)
        v = med(busy, path, proxy); c = v == "nan" ? "-" : sprintf("%.0f", v)
        printf "| %s | %s | %s | %.0f | %s | %s | %s | %d | %s |\n", path, load[path], proxy, med(rps, path, proxy), p, u, c, err[path, proxy], ratio
      }
    }' "$RUN/segments.tsv"
} | tee "$RUN/summary.md"

if [[ $BREAKDOWN -eq 1 ]]; then
  : >"$RUN/breakdown.tsv"
  for path in "${PATHS[@]}"; do
    for name in "${PROXIES[@]}"; do resume "$name"; breakdown "$path" "$name"; pause "$name"; done
  done
  {
    echo "bench/compare.sh --breakdown: one ${DURATION}s run per path and proxy, each alone on CPU $PROXY_CPU;"
    echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| path | proxy | CPU µs/req | user µs/req | system µs/req | system calls/req | context switches/req | load CPU busy % | proxy CPU busy % | steal % | load CPU µs/req | TCP segments/req |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$RUN/breakdown.tsv"
    for path in "${PATHS[@]}"; do
      for name in fulcrum baseline; do
        [[ -s $RUN/breakdown.$path.$name.md ]] || continue
        echo; cat "$RUN/breakdown.$path.$name.md"
      done
    done
  } | tee "$RUN/breakdown.md"
fi

[[ $STRACE -eq 1 ]] || exit 0
: >"$RUN/strace.md"
for path in "${PATHS[@]}"; do
  for name in fulcrum baseline; do
    [[ -n ${PID_OF[$name]:-} ]] || continue
    resume "$name"; strace_run "$path" "$name"; pause "$name"
  done
done
cat "$RUN/strace.md"
