#!/usr/bin/env bash
# Cache hits: Fulcrum's route cache against nginx's proxy_cache, both answering the same stored response (BODY bytes,
# Cache-Control: max-age=3600) from an nginx origin. Each proxy is pinned to PROXY_CPU (default 1); wrk and the origin
# share LOAD_CPU (default 0). Both proxies are up at once, the idle one stopped with SIGSTOP; after a warm-up each,
# ROUNDS rounds of one DURATION-second wrk run per proxy, in an order that alternates every round, so the machine's
# drift hits both alike. Reports each proxy's median req/s and hits per CPU-second (hits/s per core: requests over
# the proxy's own CPU time), and the median of the per-round ratios Fulcrum/nginx of both.
#
# usage: bench/cache/run.sh [--no-build] [--quick]
# env: ROUNDS (8), DURATION (s, 5), WARMUP (s, 20: Fulcrum's JIT needs about that), CONNECTIONS (64), BODY (bytes, 1024),
#      PROXY_CPU (1), LOAD_CPU (0), OUT (default bench/.bench-out/cache)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-8}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
BODY=${BODY:-1024}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/cache}
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --quick) ROUNDS=2; DURATION=2; WARMUP=3 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
require_tools nginx wrk taskset curl python3 dotnet
[[ $BUILD == 1 ]] && build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 3)
ORIGIN=${PORTS[0]}; FP=${PORTS[1]}; NP=${PORTS[2]}

# ---- the origin: one nginx on LOAD_CPU, a BODY-byte file with an hour of freshness -----------------
dir="$RUN/origin"; mkdir -p "$dir/tmp" "$dir/www"
head -c "$BODY" /dev/zero | tr '\0' 'x' >"$dir/www/object"
cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
$(nginx_common "$dir")
  server { listen 127.0.0.1:$ORIGIN; root $dir/www; location / { expires 1h; } }
}
NGINX
run_nginx "$LOAD_CPU" "$dir" origin
PIDS+=($!)
wait_ready "http://127.0.0.1:$ORIGIN/object" "$!" origin

# ---- the proxies -----------------------------------------------------------------------------------
cat >"$RUN/fulcrum.yaml" <<YAML
listeners:
  - name: bench
    bind: 127.0.0.1:$FP
    protocol: http
    routes:
      - pool: origin
        cache: { max-size: 64MiB }
pools:
  - name: origin
    backends: [ { address: 127.0.0.1:$ORIGIN } ]
YAML
env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production \
  taskset -c "$PROXY_CPU" dotnet "$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll" run -c "$RUN/fulcrum.yaml" >"$RUN/fulcrum.log" 2>&1 &
FULCRUM_PID=$!
PIDS+=("$FULCRUM_PID")

dir="$RUN/nginx"; mkdir -p "$dir/tmp" "$dir/cache"
# As nginx's proxy_cache is usually set up: one worker (one core, as Fulcrum gets), keep-alive to the origin.
cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
$(nginx_common "$dir")
  keepalive_requests 1000000;
  proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:8m max_size=64m inactive=600m;
  upstream origin { server 127.0.0.1:$ORIGIN; keepalive 32; }
  server {
    listen 127.0.0.1:$NP;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      add_header X-Cache-Status \$upstream_cache_status;
    }
  }
}
NGINX
run_nginx "$PROXY_CPU" "$dir" nginx
NGINX_PID=$!
PIDS+=("$NGINX_PID")

wait_ready "http://127.0.0.1:$FP/object" "$FULCRUM_PID" fulcrum
wait_ready "http://127.0.0.1:$NP/object" "$NGINX_PID" nginx
# Both must be answering from their caches before anything is measured.
curl -s -D - -o /dev/null "http://127.0.0.1:$FP/object" | grep -qi '^cache-status: fulcrum; hit' \
  || { echo "run.sh: Fulcrum does not answer from its cache" >&2; exit 1; }
curl -s -D - -o /dev/null "http://127.0.0.1:$NP/object" | grep -qi '^x-cache-status: HIT' \
  || { echo "run.sh: nginx does not answer from its cache" >&2; exit 1; }

declare -A PID_OF=([fulcrum]=$FULCRUM_PID [nginx]=$NGINX_PID) URL_OF=([fulcrum]="http://127.0.0.1:$FP/object" [nginx]="http://127.0.0.1:$NP/object")
signal() { kill "-$1" "${PID_OF[$2]}" $(pgrep -P "${PID_OF[$2]}" || true) 2>/dev/null || true; }
trap 'signal CONT fulcrum; signal CONT nginx; cleanup' EXIT

# run_wrk NAME SECONDS LOG: one wrk run; prints "req/s hits-per-cpu-second cpu-us-per-hit errors".
run_wrk() {
  local name=$1 seconds=$2 log=$3 t0 t1 n
  signal CONT "$name"
  t0=$(proc_ticks "${PID_OF[$name]}")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" "${URL_OF[$name]}" >"$log" 2>&1 || true
  t1=$(proc_ticks "${PID_OF[$name]}")
  signal STOP "$name"
  n=$(wrk_requests "$log")
  awk -v rps="$(wrk_rps "$log")" -v n="${n:-0}" -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" -v e="$(wrk_errors "$log")" \
    'BEGIN { cpu = (b - a) / hz; printf "%s %.0f %.1f %d\n", rps, (cpu > 0 ? n / cpu : 0), (n > 0 ? cpu / n * 1e6 : 0), e }'
}

signal STOP nginx
for name in fulcrum nginx; do
  echo "== $name: warm-up ${WARMUP}s" >&2
  run_wrk "$name" "$WARMUP" "$RUN/$name.warmup" >/dev/null
done
: >"$RUN/rounds.tsv"
for ((r = 0; r < ROUNDS; r++)); do
  order=(fulcrum nginx); ((r % 2)) && order=(nginx fulcrum)
  for name in "${order[@]}"; do
    printf '%s\t%s\t%s\n' "$r" "$name" "$(run_wrk "$name" "$DURATION" "$RUN/$name.$r.wrk" | tr ' ' '\t')" >>"$RUN/rounds.tsv"
  done
  echo "== round $((r + 1)) of $ROUNDS" >&2
done
signal CONT fulcrum; signal CONT nginx

echo "round	proxy	req/s	hits/cpu-s	cpu-us/hit	errors" >"$RUN/results.tsv"
cat "$RUN/rounds.tsv" >>"$RUN/results.tsv"
awk -F'\t' "$AWK_MEDIAN"'
  { rps[$1, $2] = $3; per[$1, $2] = $4; us[$1, $2] = $5; err[$2] += $6; rounds = $1 + 1 }
  END {
    for (p = 1; p <= 2; p++) {
      name = p == 1 ? "fulcrum" : "nginx"
      for (r = 0; r < rounds; r++) { a[r + 1] = rps[r, name]; b[r + 1] = per[r, name]; c[r + 1] = us[r, name] }
      printf "%-8s median %.0f req/s, %.0f hits per CPU-second (%.1f us CPU per hit), %d errors\n", name, median(a, rounds), median(b, rounds), median(c, rounds), err[name]
    }
    for (r = 0; r < rounds; r++) { x[r + 1] = rps[r, "fulcrum"] / rps[r, "nginx"]; y[r + 1] = per[r, "fulcrum"] / per[r, "nginx"] }
    printf "Fulcrum/nginx, median of %d per-round ratios: req/s %.2f, hits per CPU-second %.2f\n", rounds, median(x, rounds), median(y, rounds)
  }' "$RUN/rounds.tsv" | tee "$RUN/summary.txt"
echo "results in $RUN"
