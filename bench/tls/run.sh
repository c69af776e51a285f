#!/usr/bin/env bash
# TLS benchmark: HTTPS keep-alive requests/s and new TLS handshakes/s through Fulcrum, nginx and
# HAProxy, each terminating TLS (TLS 1.2-1.3, their default ciphers, session tickets and caches)
# with the same ECDSA P-256 certificate in front of the same three
# plain-http nginx backends. Pinned like bench/l7: the proxy on PROXY_CPU (default 1), wrk and the
# backends on LOAD_CPU (default 0).
#
#   keep-alive   wrk -t1 -c64 over https: one handshake per connection, then requests (AES-GCM)
#   handshakes   openssl s_time -new (4 clients): every connection a new TCP + full TLS handshake,
#                never a resumed session, no HTTP request
#
# usage: bench/tls/run.sh [--quick] [--no-build] [PROXY...]     PROXY: fulcrum nginx haproxy
# env: DURATION (s, default 15), WARMUP (s, default 20: Fulcrum's JIT needs about that to reach its optimised code), CONNECTIONS (64), HANDSHAKE_CLIENTS (4),
#      PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/tls)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/tls}
BUILD=1
PROXIES=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
    fulcrum|nginx|haproxy) PROXIES+=("$1") ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#PROXIES[@]} -gt 0 ]] || PROXIES=(fulcrum nginx haproxy)

require_tools nginx haproxy wrk taskset curl openssl python3 dotnet

FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
RESULTS="$RUN/results.tsv"

# ---- certificate, ports, backends ---------------------------------------------------------------
make_bench_cert

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 4)
B1=${PORTS[0]}; B2=${PORTS[1]}; B3=${PORTS[2]}; PP=${PORTS[3]}
BACKENDS=("127.0.0.1:$B1" "127.0.0.1:$B2" "127.0.0.1:$B3")
PROXY_URL="https://127.0.0.1:$PP/"

start_backends() {
  start_nginx_backends 4096 75s "${BACKENDS[@]}"
}

start_fulcrum() {
  local cfg="$RUN/fulcrum.yaml"
  FULCRUM_TLS_CERT=$CERT FULCRUM_TLS_KEY=$KEY fulcrum_http_config "$PP" >"$cfg"
  [[ -f $FULCRUM_DLL ]] || { echo "run.sh: $FULCRUM_DLL is missing (build without --no-build)" >&2; return 1; }
  dotnet_extra_env
  env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 "${DOTNET_EXTRA[@]}" \
    taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$cfg" --log-level Warning >"$RUN/fulcrum.log" 2>&1 &
  PROXY_PID=$!
}

start_nginx_proxy() {
  local dir="$RUN/nginx"
  mkdir -p "$dir/tmp"
  {
    echo "worker_processes 1; pid $dir/nginx.pid; events { worker_connections 4096; }"
    echo "http {"
    nginx_common "$dir"
    echo "  keepalive_requests 1000000; keepalive_timeout 75s;"
    nginx_upstream backends "${BACKENDS[@]}"
    nginx_proxy_server "127.0.0.1:$PP ssl http2" backends "$CERT" "$KEY"
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$PROXY_CPU" "$dir" nginx
  PROXY_PID=$!
}

start_haproxy() { start_haproxy_http "127.0.0.1:$PP ssl crt $BUNDLE alpn h2,http/1.1 ssl-min-ver TLSv1.2"; }

# ---- measuring -----------------------------------------------------------------------------------
# measure NAME PID MODE: MODE keepalive (wrk) or handshakes (openssl s_time -new). Appends
# name, mode, per second, errors, proxy CPU %, proxy CPU µs per request or handshake.
measure() {
  local name=$1 pid=$2 mode=$3
  local log="$RUN/$name.$mode.log" t0 t1 rate count errors
  echo "== $name $mode: warm-up ${WARMUP}s, measuring ${DURATION}s" >&2
  if [[ $mode == keepalive ]]; then
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$PROXY_URL" >"$RUN/$name.$mode.warmup" 2>&1 || true
    t0=$(proc_ticks "$pid")
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$PROXY_URL" >"$log" 2>&1 || true
    t1=$(proc_ticks "$pid")
    rate=$(wrk_rps "$log")
    count=$(wrk_requests "$log")
    errors=$(wrk_errors "$log")
  else
    # Full handshakes only: -new never resumes a session. HANDSHAKE_CLIENTS processes in parallel
    # (default 4) keep the proxy busy while each waits for its round trips.
    handshakes() {
      local seconds=$1 prefix=$2 i pids=()
      for ((i = 1; i <= ${HANDSHAKE_CLIENTS:-4}; i++)); do
        taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:$PP" -new -time "$seconds" >"$prefix.$i" 2>&1 &
        pids+=($!)
      done
      wait "${pids[@]}" || true
    }
    handshakes "$WARMUP" "$RUN/$name.$mode.warmup"
    t0=$(proc_ticks "$pid")
    handshakes "$DURATION" "$log"
    t1=$(proc_ticks "$pid")
    # "N connections in T real seconds" per client.
    count=$(cat "$log".* | awk '/connections in [0-9.]+ real seconds/ { n += $1 } END { print n + 0 }')
    rate=$(awk -v n="$count" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')
    errors=$(cat "$log".* | grep -c -i 'error' || true)
  fi
  local proxy_cpu us
  proxy_cpu=$(cpu_percent "$t0" "$t1" "$DURATION")
  us=$(cpu_us_per "$t0" "$t1" "$count")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mode" "${rate:-0}" "${errors:-0}" "$proxy_cpu" "$us" >>"$RESULTS"
}

run_proxy() {
  local name=$1
  PROXY_PID=""
  case "$name" in
    fulcrum) start_fulcrum ;;
    nginx) start_nginx_proxy ;;
    haproxy) start_haproxy ;;
  esac || return 0
  PIDS+=("$PROXY_PID")
  if wait_ready "$PROXY_URL" "$PROXY_PID" "$name" -k; then
    curl -sk --http2 -o /dev/null -w "$name: HTTP/%{http_version} via ALPN\n" "$PROXY_URL" >&2 || true
    measure "$name" "$PROXY_PID" keepalive
    measure "$name" "$PROXY_PID" handshakes
  fi
  stop_pid "$PROXY_PID"
}

if [[ $BUILD -eq 1 && " ${PROXIES[*]} " == *" fulcrum "* ]]; then
  echo "== building Release" >&2
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
fi

echo "== backends on ${BACKENDS[*]} (CPU $LOAD_CPU); proxies on 127.0.0.1:$PP (CPU $PROXY_CPU); output in $RUN" >&2
start_backends
: >"$RESULTS"
for proxy in "${PROXIES[@]}"; do run_proxy "$proxy"; done

{
  echo "keep-alive: wrk -t1 -c$CONNECTIONS -d${DURATION}s over https; handshakes: ${HANDSHAKE_CLIENTS:-4} x openssl s_time -new -time $DURATION;"
  echo "warm-up ${WARMUP}s each; ECDSA P-256 certificate; 3 nginx backends;"
  echo "proxy on CPU $PROXY_CPU, wrk + backends on CPU $LOAD_CPU; $(date -u '+%Y-%m-%d %H:%M UTC'); ratios are Fulcrum/peer"
  echo
  awk -F'\t' '
    { key = $1 "/" $2; rps[key] = $3; err[key] = $4; pc[key] = $5; us[key] = $6; names[$1] = 1; order[NR] = $1 }
    function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
    END {
      print "| proxy | keep-alive req/s | µs CPU/req | new handshakes/s | µs CPU/handshake | errors | req/s Fulcrum/peer | handshakes/s Fulcrum/peer |"
      print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= NR; i++) {
        n = order[i]; if (seen[n]++) continue
        k = n "/keepalive"; h = n "/handshakes"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", n, rps[k], us[k], rps[h], us[h], err[k] + err[h],
          ratio(rps["fulcrum/keepalive"], rps[k]), ratio(rps["fulcrum/handshakes"], rps[h])
      }
    }' "$RESULTS"
} | tee "$RUN/table.md"
