#!/usr/bin/env bash
# L4 (TCP) benchmark: Fulcrum, HAProxy (mode tcp) and nginx (stream), one after the other, each pinned
# to one CPU (PROXY_CPU, default 1); load generators and backends share the other (LOAD_CPU, default 0).
#   (a) wrk -t1 -c32 keep-alive through the tcp listener to two nginx backends (round-robin)
#   (b) the same with `Connection: close`: one proxied TCP connection per request (connection rate)
#   (c) iperf3 bulk throughput through a second tcp listener to an iperf3 server
#   (d) RSS per idle proxied connection: 10,000 idle connections held open (idle-clients.py)
#
# usage: bench/l4/run.sh [--quick] [--no-build] [PROXY...]
#   PROXY: fulcrum fulcrum-thread-pool haproxy nginx (default: fulcrum haproxy nginx). fulcrum-thread-pool is
#   Fulcrum with FULCRUM_IO=thread-pool: .NET's default socket I/O (every completion handed to a thread-pool
#   thread) instead of Fulcrum's event loops (docs/design.md "Event-loop I/O"), to compare the two.
# env: DURATION (s, default 10), WARMUP (s, default 3), CONNECTIONS (32), IDLE (10000),
#      PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/l4),
#      DOTNET_EXTRA_ENV ("KEY=VALUE ..." added to Fulcrum's environment, for experiments)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/l4"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-32}
IDLE=${IDLE:-10000}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/l4}
BUILD=1
PROXIES=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=1; IDLE=${IDLE_QUICK:-1000} ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    fulcrum|fulcrum-thread-pool|haproxy|nginx) PROXIES+=("$1") ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#PROXIES[@]} -gt 0 ]] || PROXIES=(fulcrum haproxy nginx)

require_tools nginx haproxy wrk iperf3 taskset curl python3 dotnet
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
[[ -f $STREAM_MODULE ]] || { echo "run.sh: nginx stream module missing ($STREAM_MODULE)" >&2; exit 1; }

# 10,000 idle connections need 20,000+ descriptors in the proxy (client side and backend side).
# Raise the soft limit as far as the hard one allows; where the hard limit is lower (a container),
# hold as many idle connections as fit and say so.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
if [[ $((IDLE * 2 + 200)) -gt $NOFILE ]]; then
  IDLE=$(((NOFILE - 200) / 2))
  echo "run.sh: ulimit -n is $NOFILE here, so (d) holds $IDLE idle connections" >&2
fi
# HAProxy refuses to start if maxconn needs more descriptors than the limit (about 2 per connection).
HAPROXY_MAXCONN=$(((NOFILE - 50) / 2))

FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
RESULTS="$RUN/results.tsv"

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 5)
B1=${PORTS[0]}; B2=${PORTS[1]}; IPERF=${PORTS[2]}; PP=${PORTS[3]}; PI=${PORTS[4]}
PROXY_URL="http://127.0.0.1:$PP/"

start_backends() {
  start_nginx_backends $((NOFILE - 100)) 300s "127.0.0.1:$B1" "127.0.0.1:$B2"
  taskset -c "$LOAD_CPU" iperf3 -s -B 127.0.0.1 -p "$IPERF" >"$RUN/iperf3-server.log" 2>&1 &
  PIDS+=("$!")
}

start_fulcrum() {
  local name=${1:-fulcrum} runtime=(DOTNET_ProcessorCount=1)
  cat >"$RUN/fulcrum.yaml" <<CONF
listeners:
  - { name: web, bind: 127.0.0.1:$PP, protocol: tcp, pool: web }
  - { name: iperf, bind: 127.0.0.1:$PI, protocol: tcp, pool: iperf }
pools:
  - name: web
    algorithm: round-robin
    backends: [ { address: 127.0.0.1:$B1 }, { address: 127.0.0.1:$B2 } ]
  - name: iperf
    backends: [ { address: 127.0.0.1:$IPERF } ]
CONF
  [[ -f $FULCRUM_DLL ]] || { echo "run.sh: $FULCRUM_DLL is missing (build without --no-build)" >&2; return 1; }
  [[ $name == fulcrum-thread-pool ]] && runtime+=(FULCRUM_IO=thread-pool)
  dotnet_extra_env
  env "${DOTNET_BENCH_ENV[@]}" "${runtime[@]}" "${DOTNET_EXTRA[@]}" \
    taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$RUN/fulcrum.yaml" >"$RUN/$name.log" 2>&1 &
  PROXY_PID=$!
}

start_haproxy() {
  {
    haproxy_head tcp "$HAPROXY_MAXCONN" 10m
    HAPROXY_MODE=tcp haproxy_proxy web "127.0.0.1:$PP" "127.0.0.1:$B1" "127.0.0.1:$B2"
    HAPROXY_MODE=tcp haproxy_proxy iperf "127.0.0.1:$PI" "127.0.0.1:$IPERF"
  } >"$RUN/haproxy.cfg"
  run_haproxy "$RUN/haproxy.cfg" haproxy
}

start_nginx() {
  local dir="$RUN/nginx-stream"
  mkdir -p "$dir/tmp"
  {
    echo "load_module $STREAM_MODULE;"
    echo "worker_processes 1;"
    echo "worker_rlimit_nofile $NOFILE;"
    echo "pid $dir/nginx.pid;"
    echo "events { worker_connections $((NOFILE - 100)); }"
    echo "stream {"
    nginx_stream_proxy web "127.0.0.1:$PP backlog=4096" "127.0.0.1:$B1" "127.0.0.1:$B2"
    nginx_stream_proxy iperf "127.0.0.1:$PI" "127.0.0.1:$IPERF"
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$PROXY_CPU" "$dir" nginx
  PROXY_PID=$!
}

# ---- measuring ---------------------------------------------------------------------------------
# wrk run: prints "requests/s  proxy-CPU-µs-per-request  errors"
wrk_run() {
  local name=$1 pid=$2 tag=$3; shift 3
  local log="$RUN/$name.$tag.wrk" t0 t1 rps
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$@" "$PROXY_URL" >"$RUN/$name.$tag.warmup" 2>&1 || true
  t0=$(proc_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$@" "$PROXY_URL" >"$log" 2>&1 || true
  t1=$(proc_ticks "$pid")
  rps=$(wrk_rps "$log")
  printf '%s\t%s\t%s\n' "${rps:-0}" "$(cpu_us_per "$t0" "$t1" "$(wrk_requests "$log")")" "$(wrk_errors "$log")"
}

iperf_run() {
  local name=$1 json="$RUN/$name.iperf.json"
  taskset -c "$LOAD_CPU" timeout $((DURATION + 30)) iperf3 -c 127.0.0.1 -p "$PI" -t "$DURATION" -J >"$json" 2>&1 || true
  python3 - "$json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("nan")
PY
}

# RSS per idle proxied connection in bytes: (RSS holding IDLE connections - RSS before) / IDLE.
idle_run() {
  local name=$1 pid=$2 before after fifo="$RUN/$name.idle.in" out="$RUN/$name.idle.out" deadline client
  before=$(proc_rss_kib "$pid")
  rm -f "$fifo"; mkfifo "$fifo"
  taskset -c "$LOAD_CPU" python3 "$HERE/idle-clients.py" "$IDLE" 127.0.0.1 "$PP" 120 <"$fifo" >"$out" 2>"$RUN/$name.idle.err" &
  client=$!
  PIDS+=("$client")
  exec 9>"$fifo"
  deadline=$((SECONDS + 120))
  while [[ $SECONDS -lt $deadline ]] && kill -0 "$client" 2>/dev/null && ! grep -q '^ready' "$out"; do sleep 0.2; done
  if grep -q '^ready' "$out"; then
    sleep 3 # let the proxy finish its backend connects and settle
    after=$(proc_rss_kib "$pid")
    awk -v a="$before" -v b="$after" -v n="$IDLE" 'BEGIN { printf "%.0f\t%d\t%d\n", (b - a) * 1024 / n, a, b }'
  else
    printf 'nan\t%s\tnan\n' "$before"
  fi
  exec 9>&-
  stop_pid "$client"
}

run_proxy() {
  local name=$1 a b c d
  PROXY_PID=""
  case "$name" in
    fulcrum|fulcrum-thread-pool) start_fulcrum "$name" ;;
    *) "start_$name" ;;
  esac || { printf '%s\t0\tnan\t0\t0\tnan\t0\tnan\tnan\tnan\tnan\n' "$name" >>"$RESULTS"; return 0; }
  PIDS+=("$PROXY_PID")
  if ! wait_ready "$PROXY_URL" "$PROXY_PID" "$name"; then
    printf '%s\t0\tnan\t0\t0\tnan\t0\tnan\tnan\tnan\tnan\n' "$name" >>"$RESULTS"
    stop_pid "$PROXY_PID"
    return 0
  fi
  echo "== $name: (a) keep-alive" >&2; a=$(wrk_run "$name" "$PROXY_PID" keepalive)
  echo "== $name: (b) Connection: close" >&2; b=$(wrk_run "$name" "$PROXY_PID" close -H "Connection: close")
  echo "== $name: (c) iperf3" >&2; c=$(iperf_run "$name")
  echo "== $name: (d) $IDLE idle connections" >&2; d=$(idle_run "$name" "$PROXY_PID")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$a" "$b" "$c" "$d" >>"$RESULTS"
  stop_pid "$PROXY_PID"
}

# ---- main --------------------------------------------------------------------------------------
if [[ $BUILD -eq 1 && " ${PROXIES[*]} " == *" fulcrum"* ]]; then
  echo "== building Fulcrum (Release)" >&2
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
fi

echo "== backends: nginx 127.0.0.1:$B1,$B2, iperf3 127.0.0.1:$IPERF (CPU $LOAD_CPU); proxies 127.0.0.1:$PP,$PI (CPU $PROXY_CPU); output $RUN" >&2
start_backends
: >"$RESULTS"
for proxy in "${PROXIES[@]}"; do run_proxy "$proxy"; done

# ---- report ------------------------------------------------------------------------------------
# results.tsv: name, (a) rps us/req errors, (b) rps us/req errors, (c) Gbit/s, (d) B/conn rss-before rss-after
{
  echo "(a) wrk -t1 -c$CONNECTIONS -d${DURATION}s keep-alive; (b) the same with Connection: close; (c) iperf3 -t $DURATION;"
  echo "(d) RSS growth per idle proxied connection, $IDLE held open. Proxy on CPU $PROXY_CPU, load and backends on CPU $LOAD_CPU."
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'). Ratios are Fulcrum/peer (for (d) lower is better, so peer/Fulcrum is shown as 'better-is-higher')."
  echo
  awk -F'\t' '
    { n[NR] = $1; a[NR] = $2; au[NR] = $3; ae[NR] = $4; b[NR] = $5; bu[NR] = $6; be[NR] = $7; c[NR] = $8; d[NR] = $9
      if ($1 == "fulcrum") { fa = $2; fb = $5; fc = $8; fd = $9 } }
    function r(x, y) { return (x + 0 > 0 && y + 0 > 0) ? sprintf("%.2f", x / y) : "-" }
    END {
      print "| proxy | (a) req/s keep-alive | µs CPU/req | (b) req/s close | µs CPU/req | (c) iperf3 Gbit/s | (d) bytes/idle conn | (a) F/peer | (b) F/peer | (c) F/peer | (d) peer/F |"
      print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= NR; i++)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n[i], a[i] (ae[i] > 0 ? " (" ae[i] " err)" : ""), au[i],
          b[i] (be[i] > 0 ? " (" be[i] " err)" : ""), bu[i], c[i], d[i], r(fa, a[i]), r(fb, b[i]), r(fc, c[i]), r(d[i], fd)
    }' "$RESULTS"
} | tee "$RUN/table.md"
