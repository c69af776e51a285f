#!/usr/bin/env bash
# Compression benchmark: CPU per MB of response body that Fulcrum's `compress` spends against nginx's gzip (and its
# Brotli filter, libnginx-mod-http-brotli-filter) at the same level, proxying the same file from one nginx backend.
# Every proxy is up at once, pinned to PROXY_CPU (default 1); the backend and wrk share LOAD_CPU (default 0). Each
# round loads each proxy in turn for DURATION seconds, in an order that rotates every round (as bench/l7/run.sh
# --interleave does), so a machine whose speed drifts from minute to minute weighs on every proxy alike. The figure
# is the proxy's CPU time (user + system, from /proc) over the run divided by the uncompressed megabytes it sent, and
# the plain (no compression) proxies give the cost of proxying alone.
#
# usage: bench/compression/run.sh [--quick] [--no-build] [--rounds N]
#   --quick      2 rounds of 3 s after a 2 s warm-up, for smoke tests
#   --no-build   use the Release build already there
#   --rounds N   rounds (default 5)
# env: DURATION (s, default 10), WARMUP (s, default 10), LEVEL (gzip level, default 6), BR_LEVEL (Brotli quality,
#      default 4), SIZE (the body's bytes, default 262144), CONNECTIONS (default 8), PROXY_CPU (1), LOAD_CPU (0),
#      OUT (default bench/.bench-out/compression)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
ROUNDS=5
LEVEL=${LEVEL:-6}
BR_LEVEL=${BR_LEVEL:-4}
SIZE=${SIZE:-262144}
CONNECTIONS=${CONNECTIONS:-8}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/compression}
BUILD=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=2; ROUNDS=2 ;;
    --no-build) BUILD=0 ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

require_tools nginx wrk taskset curl python3 dotnet
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so
[[ -f $BROTLI_MODULE ]] || { echo "run.sh: $BROTLI_MODULE is missing: run scripts/install-deps.sh" >&2; exit 1; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
RESULTS="$RUN/results.tsv"
FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
if [[ $BUILD -eq 1 ]]; then build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"; fi
[[ -f $FULCRUM_DLL ]] || { echo "run.sh: $FULCRUM_DLL is missing (build without --no-build)" >&2; exit 1; }

# ---- the body: text that compresses as pages do (about 5:1 with gzip), the same bytes every run -------------
mkdir -p "$RUN/www"
python3 - "$SIZE" >"$RUN/www/page.txt" <<'PY'
import random, sys
size = int(sys.argv[1])
words = "the quick brown fox jumps over lazy dog load balancer route pool backend listener request answer".split()
rng = random.Random(42)
out = []
total = 0
while total < size:
    line = " ".join(rng.choice(words) for _ in range(12)) + f" {rng.randrange(100000)}\n"
    out.append(line)
    total += len(line)
sys.stdout.write("".join(out)[:size])
PY

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 6)
BACKEND=127.0.0.1:${PORTS[0]}
declare -A PORT=([fulcrum-plain]=${PORTS[1]} [fulcrum-gzip]=${PORTS[2]} [fulcrum-br]=${PORTS[3]} [nginx-plain]=${PORTS[4]} [nginx-gzip]=${PORTS[4]} [nginx-br]=${PORTS[5]})
# nginx-plain and nginx-gzip are one server: what the client accepts decides (gzip_vary, as Fulcrum's Vary).
declare -A ACCEPT=([fulcrum-plain]=gzip [fulcrum-gzip]=gzip [fulcrum-br]=br [nginx-plain]=identity [nginx-gzip]=gzip [nginx-br]=br)

# ---- the backend: nginx serving the file, no compression --------------------------------------------------
mkdir -p "$RUN/backend/tmp"
{
  echo "worker_processes 1; pid $RUN/backend/nginx.pid; events { worker_connections 1024; }"
  echo "http {"; nginx_common "$RUN/backend"
  echo "  keepalive_requests 1000000; server { listen $BACKEND; root $RUN/www; default_type text/plain; }"
  echo "}"
} >"$RUN/backend/nginx.conf"
run_nginx "$LOAD_CPU" "$RUN/backend" backend
PIDS+=("$!")
wait_ready "http://$BACKEND/page.txt" "$!" backend

# ---- nginx as the proxy: gzip at LEVEL on one port, Brotli at BR_LEVEL on another -------------------------
mkdir -p "$RUN/nginx/tmp"
{
  echo "load_module $BROTLI_MODULE;"
  echo "worker_processes 1; pid $RUN/nginx/nginx.pid; events { worker_connections 1024; }"
  echo "http {"; nginx_common "$RUN/nginx"
  echo "  keepalive_requests 1000000;"
  echo "  upstream backend { server $BACKEND; keepalive 32; }"
  echo "  server { listen 127.0.0.1:${PORT[nginx-gzip]};"
  echo "    gzip on; gzip_comp_level $LEVEL; gzip_types text/plain; gzip_min_length 1024; gzip_proxied any; gzip_vary on;"
  echo "    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  echo "  server { listen 127.0.0.1:${PORT[nginx-br]};"
  echo "    brotli on; brotli_comp_level $BR_LEVEL; brotli_types text/plain; brotli_min_length 1024;"
  echo "    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  echo "}"
} >"$RUN/nginx/nginx.conf"
run_nginx "$PROXY_CPU" "$RUN/nginx" nginx
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_ready "http://127.0.0.1:${PORT[nginx-gzip]}/page.txt" "$NGINX_PID" nginx

# ---- Fulcrum: one listener per variant, one process --------------------------------------------------------
listener() { # NAME PORT COMPRESS
  echo "  - name: $1"
  echo "    bind: 127.0.0.1:$2"
  echo "    protocol: http"
  echo "    routes:"
  echo "      - pool: backend"
  [[ -n $3 ]] && echo "        compress: $3"
  return 0
}
{
  echo "listeners:"
  listener plain "${PORT[fulcrum-plain]}" ""
  listener gzip "${PORT[fulcrum-gzip]}" "{ encodings: [ gzip ], gzip-level: $LEVEL, types: [ text/plain ] }"
  listener br "${PORT[fulcrum-br]}" "{ encodings: [ br ], br-level: $BR_LEVEL, types: [ text/plain ] }"
  echo "pools:"
  echo "  - name: backend"
  echo "    backends: [ { address: $BACKEND } ]"
} >"$RUN/fulcrum.yaml"
env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$RUN/fulcrum.yaml" >"$RUN/fulcrum.log" 2>&1 &
FULCRUM_PID=$!
PIDS+=("$FULCRUM_PID")
wait_ready "http://127.0.0.1:${PORT[fulcrum-gzip]}/page.txt" "$FULCRUM_PID" fulcrum

pid_of() { [[ $1 == fulcrum-* ]] && echo "$FULCRUM_PID" || echo "$NGINX_PID"; }

# Each variant answers with the coding it is measured for, or the bench would compare the wrong work.
for v in "${!PORT[@]}"; do
  got=$(curl -s -o /dev/null -D - -H "Accept-Encoding: ${ACCEPT[$v]}" "http://127.0.0.1:${PORT[$v]}/page.txt" | tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
  want=${ACCEPT[$v]}; [[ $v == *plain ]] && want=""
  [[ $got == "$want" ]] || { echo "run.sh: $v answered Content-Encoding '$got', not '$want'" >&2; exit 1; }
done

# The encoded size each proxy sends for the file: the same level in two libraries need not give the same bytes.
SIZES="$RUN/sizes.tsv"
for v in "${!PORT[@]}"; do
  printf '%s\t%s\n' "$v" "$(curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: ${ACCEPT[$v]}" "http://127.0.0.1:${PORT[$v]}/page.txt")"
done | sort >"$SIZES"

# run_load VARIANT SECONDS: wrk against it; prints "requests cpu_ticks".
run_load() {
  local v=$1 seconds=$2 pid t0 t1 log="$RUN/wrk-$1.log"
  pid=$(pid_of "$v")
  t0=$(proc_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" -H "Accept-Encoding: ${ACCEPT[$v]}" "http://127.0.0.1:${PORT[$v]}/page.txt" >"$log" 2>&1
  t1=$(proc_ticks "$pid")
  [[ $(wrk_errors "$log") -eq 0 ]] || { echo "run.sh: $v had errors (see $log)" >&2; exit 1; }
  echo "$(wrk_requests "$log") $((t1 - t0))"
}

VARIANTS=(fulcrum-gzip nginx-gzip fulcrum-br nginx-br fulcrum-plain nginx-plain)
echo "warming up ${WARMUP}s each"
for v in "${VARIANTS[@]}"; do run_load "$v" "$WARMUP" >/dev/null; done

HZ=$(getconf CLK_TCK)
printf 'round\tvariant\trequests\tcpu_s\tcpu_ms_per_mb\n' >"$RESULTS"
for ((r = 0; r < ROUNDS; r++)); do
  for ((i = 0; i < ${#VARIANTS[@]}; i++)); do
    v=${VARIANTS[$(((i + r) % ${#VARIANTS[@]}))]}
    read -r requests ticks < <(run_load "$v" "$DURATION")
    awk -v r="$r" -v v="$v" -v n="$requests" -v t="$ticks" -v hz="$HZ" -v size="$SIZE" 'BEGIN {
      mb = n * size / 1048576; per = mb > 0 ? t / hz * 1000 / mb : 0; printf "%d\t%s\t%d\t%.2f\t%.3f\n", r, v, n, t / hz, per }' >>"$RESULTS"
  done
done

# Medians per variant, and the ratios that answer the question: Fulcrum's CPU per MB over nginx's, for the whole
# proxy and for compression alone (the variant minus its own plain proxying).
awk -F'\t' "$AWK_MEDIAN"'
  NR > 1 { k[$2]++; v[$2, k[$2]] = $5 }
  END {
    split("fulcrum-gzip nginx-gzip fulcrum-br nginx-br fulcrum-plain nginx-plain", names, " ")
    printf "%-14s %s\n", "variant", "CPU ms per MB of body (median)"
    for (i = 1; i <= 6; i++) { n = names[i]; for (j = 1; j <= k[n]; j++) a[j] = v[n, j]; m[n] = median(a, k[n]); printf "%-14s %.2f\n", n, m[n] }
    printf "\ngzip   fulcrum/nginx: %.2f (compression alone: %.2f)\n", m["fulcrum-gzip"] / m["nginx-gzip"], (m["fulcrum-gzip"] - m["fulcrum-plain"]) / (m["nginx-gzip"] - m["nginx-plain"])
    printf "brotli fulcrum/nginx: %.2f (compression alone: %.2f)\n", m["fulcrum-br"] / m["nginx-br"], (m["fulcrum-br"] - m["fulcrum-plain"]) / (m["nginx-br"] - m["nginx-plain"])
  }' "$RESULTS" | tee "$RUN/summary.txt"
echo "encoded bytes of the $SIZE-byte file:" | tee -a "$RUN/summary.txt"
sed 's/^/  /' "$SIZES" | tee -a "$RUN/summary.txt"
echo "results: $RESULTS"
