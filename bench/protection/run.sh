#!/usr/bin/env bash
# What a protection costs: Fulcrum with a rate limit on every request and with JWT validation on every request,
# each against the same Fulcrum without it; and nginx with limit_req against the same nginx without it. All five
# are up at once, each pinned to PROXY_CPU and stopped (SIGSTOP) while another is measured; after a warm-up each,
# ROUNDS rounds of one DURATION-second wrk run each, in an order that rotates every round, so a machine whose speed
# drifts hits each variant and its baseline alike. The per-round ratios (variant/baseline requests per second) and
# their medians are the result; requests/s per core is the requests/s of one pinned core.
#
# The limits never refuse (1000000/s, burst 1000000): what is measured is the counting, not answering 429.
# Every request, to every proxy, carries the same `Authorization: Bearer` token (a real RS256 JWT, openssl-signed):
# Fulcrum-jwt verifies it; the others ignore it. Fulcrum remembers tokens it verified (ValidatedTokens), so after
# the first request this measures a repeated token: the parse-free lookup and lifetime check, not RSA.
#
# usage: bench/protection/run.sh [--no-build] [ROUNDS]     (default ROUNDS 6)
# env: DURATION (s, default 10), WARMUP (s, default 20), CONNECTIONS (64), PROXY_CPU (1), LOAD_CPU (0),
#      OUT (default bench/.bench-out/protection)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/protection"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/protection}
BUILD=1
ROUNDS=6
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    [0-9]*) ROUNDS=$1 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

require_tools nginx wrk taskset curl python3 openssl dotnet
VARIANTS=(fulcrum fulcrum-rate-limit fulcrum-jwt nginx nginx-limit-req)
FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" $((3 + ${#VARIANTS[@]})))
BACKENDS=("127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}")

# ---- the token and its key set ----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$RUN/key.pem" 2>/dev/null
python3 "$HERE/token.py" "$RUN/key.pem" "$RUN/jwks.json" "$RUN/token"
TOKEN=$(cat "$RUN/token")

# ---- configs ----
fulcrum_config() { # NAME PORT: the benchmarks' config, with the variant's protection on its one route
  local name=$1 port=$2
  fulcrum_http_config "$port" | awk -v name="$name" -v jwks="$RUN/jwks.json" '
    { print }
    /^      - pool: backends$/ {
      if (name == "fulcrum-rate-limit") print "        rate-limit: { key: client-ip, rate: 1000000/s, burst: 1000000, nodelay: true }"
      if (name == "fulcrum-jwt") print "        auth: { jwt: { issuer: https://id.example, audience: api, jwks: " jwks " } }"
    }'
}

nginx_config() { # NAME PORT
  local name=$1 port=$2 dir=$3 b
  echo "worker_processes 1;"
  echo "pid $dir/nginx.pid;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  nginx_common "$dir"
  echo "  keepalive_requests 1000000;"
  [[ $name == nginx-limit-req ]] && echo "  limit_req_zone \$binary_remote_addr zone=bench:10m rate=1000000r/s;"
  echo "  upstream backends {"
  for b in "${BACKENDS[@]}"; do echo "    server $b;"; done
  echo "    keepalive 64;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$port;"
  echo "    location / {"
  [[ $name == nginx-limit-req ]] && echo "      limit_req zone=bench burst=1000000 nodelay;"
  echo "      proxy_pass http://backends;"
  echo "      proxy_http_version 1.1;"
  echo "      proxy_set_header Connection \"\";"
  echo "    }"
  echo "  }"
  echo "}"
}

declare -A PID_OF URL_OF
start_variant() { # NAME PORT
  local name=$1 port=$2 dir="$RUN/$1"
  mkdir -p "$dir/tmp"
  case "$name" in
    fulcrum*)
      fulcrum_config "$name" "$port" >"$dir/fulcrum.yaml"
      env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 taskset -c "$PROXY_CPU" \
        dotnet "$FULCRUM_DLL" run -c "$dir/fulcrum.yaml" >"$RUN/$name.log" 2>&1 &
      ;;
    nginx*)
      nginx_config "$name" "$port" "$dir" >"$dir/nginx.conf"
      run_nginx "$PROXY_CPU" "$dir" "$name"
      ;;
  esac
  PID_OF[$name]=$!; URL_OF[$name]="http://127.0.0.1:$port/"
  PIDS+=("${PID_OF[$name]}")
}

signal() { # SIG NAME: the proxy and its children (nginx's worker)
  kill "-$1" "${PID_OF[$2]}" $(pgrep -P "${PID_OF[$2]}" || true) 2>/dev/null || true
}

wrk_run() { # NAME SECONDS LOG
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${2}s" -H "Authorization: Bearer $TOKEN" "${URL_OF[$1]}" >"$3" 2>&1 || true
}

# ---- main ----
if [[ $BUILD -eq 1 ]]; then echo "== building Release" >&2; build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"; fi
start_nginx_backends 4096 75s "${BACKENDS[@]}"
trap 'for n in "${!PID_OF[@]}"; do signal CONT "$n"; done; cleanup' EXIT
i=3
for name in "${VARIANTS[@]}"; do
  start_variant "$name" "${PORTS[i]}"; i=$((i + 1))
  # A refused token or limit would make every run measure 401s or 429s: each must answer 200 before it counts.
  READY_TIMEOUT=90 wait_ready "${URL_OF[$name]}" "${PID_OF[$name]}" "$name" -H "Authorization: Bearer $TOKEN" || exit 1
  echo "== $name: warm-up ${WARMUP}s" >&2
  wrk_run "$name" "$WARMUP" "$RUN/$name.warmup"
  signal STOP "$name"
done

: >"$RUN/segments.tsv"
n=${#VARIANTS[@]}
for ((r = 0; r < ROUNDS; r++)); do
  echo "== round $((r + 1)) of $ROUNDS" >&2
  for ((k = 0; k < n; k++)); do
    name=${VARIANTS[(k + r) % n]}
    signal CONT "$name"
    t0=$(proc_ticks "${PID_OF[$name]}")
    wrk_run "$name" "$DURATION" "$RUN/$name.$r.wrk"
    t1=$(proc_ticks "${PID_OF[$name]}")
    signal STOP "$name"
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$(wrk_rps "$RUN/$name.$r.wrk")" "$(wrk_errors "$RUN/$name.$r.wrk")" \
      "$(cpu_us_per "$t0" "$t1" "$(wrk_requests "$RUN/$name.$r.wrk")")" >>"$RUN/segments.tsv"
  done
done

# ---- report: each variant's median req/s and CPU µs/request, and the median of its per-round ratios ----
{
  echo "bench/protection/run.sh: wrk -t1 -c$CONNECTIONS, ${DURATION}s runs, $ROUNDS interleaved rounds, warm-up ${WARMUP}s;"
  echo "each proxy pinned to CPU $PROXY_CPU (one core: requests/s is per core), wrk and 3 nginx backends on CPU $LOAD_CPU; $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  awk -F'\t' "$AWK_MEDIAN"'
    { rps[$1, $2] = $3; us[$1, $2] = $5; err[$2] += $4; if (!($2 in seen)) { seen[$2] = 1; order[++names] = $2 } if ($1 + 1 > rounds) rounds = $1 + 1 }
    END {
      base["fulcrum-rate-limit"] = "fulcrum"; base["fulcrum-jwt"] = "fulcrum"; base["nginx-limit-req"] = "nginx"
      print "| variant | requests/s per core (median) | CPU µs/request (median) | errors | req/s ratio to its baseline (median of rounds) | cost |"
      print "| --- | ---: | ---: | ---: | ---: | ---: |"
      for (o = 1; o <= names; o++) {
        p = order[o]; k = 0; m = 0
        for (r = 0; r < rounds; r++) { a[++k] = rps[r, p]; c[k] = us[r, p]; if (p in base && rps[r, base[p]] > 0) ratio[++m] = rps[r, p] / rps[r, base[p]] }
        line = sprintf("| %s | %.0f | %.1f | %d |", p, median(a, k), median(c, k), err[p])
        if (m > 0) { q = median(ratio, m); line = line sprintf(" %.3f | %.1f%% |", q, (1 - q) * 100) } else line = line " - | - |"
        print line
      }
    }' "$RUN/segments.tsv"
} | tee "$RUN/table.md"
