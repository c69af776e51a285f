#!/usr/bin/env bash
# What the WAF costs: requests/s per core of Fulcrum with `waf: { mode: block }` (the OWASP CRS 3.3 in
# ModSecurity v3, Debian's packages) as a ratio to the same Fulcrum without it, in interleaved rounds.
# Both are up at once, each pinned to PROXY_CPU (so req/s is per core) and the idle one stopped with SIGSTOP;
# wrk and three nginx backends share LOAD_CPU, as in bench/l7/run.sh. Every request is an ordinary one a
# browser or an API client sends (a page with a query string and browser headers, or a JSON POST), so the
# WAF inspects it fully and lets it through: the price every request pays, not the price of an attack.
#
# usage: bench/protection/waf.sh [--no-build] [--quick]
#   --no-build   use the Release build already there
#   --quick      DURATION=3, WARMUP=3, ROUNDS=2: a smoke test, not a figure
# env: DURATION (s a run, default 10), WARMUP (s each, default 20), ROUNDS (default 6), CONNECTIONS (default 32),
#      REQUEST (get | json, default get), PARANOIA (1-4, default 1), PROXY_CPU (1), LOAD_CPU (0),
#      OUT (default bench/.bench-out/protection)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-6}
CONNECTIONS=${CONNECTIONS:-32}
REQUEST=${REQUEST:-get}
PARANOIA=${PARANOIA:-1}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/protection}
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --quick) DURATION=3; WARMUP=3; ROUNDS=2 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "waf.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$REQUEST" in get|json) ;; *) echo "waf.sh: REQUEST must be get or json" >&2; exit 2 ;; esac

require_tools nginx wrk taskset curl python3 dotnet
[[ -e /usr/lib/x86_64-linux-gnu/libmodsecurity.so.3 || -n ${FULCRUM_MODSECURITY_LIBRARY:-} ]] \
  || { echo "waf.sh: libmodsecurity3 is not installed (scripts/install-deps.sh)" >&2; exit 1; }
FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"

if [[ $BUILD -eq 1 ]]; then
  echo "== building Release" >&2
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
fi

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 5)
BACKENDS=("127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}")
declare -A PORT_OF=([plain]=${PORTS[3]} [waf]=${PORTS[4]}) PID_OF
echo "== backends on ${BACKENDS[*]} (CPU $LOAD_CPU); Fulcrum on CPU $PROXY_CPU; output in $RUN" >&2
start_nginx_backends 4096 75s "${BACKENDS[@]}"

# The same config twice; the second's route has the WAF.
for name in plain waf; do
  fulcrum_http_config "${PORT_OF[$name]}" >"$RUN/$name.yaml"
  if [[ $name == waf ]]; then
    sed -i "s/^      - pool: backends\$/      - pool: backends\n        waf: { mode: block, paranoia: $PARANOIA }/" "$RUN/$name.yaml"
  fi
  env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production \
    taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$RUN/$name.yaml" >"$RUN/$name.log" 2>&1 &
  PID_OF[$name]=$!
  PIDS+=("${PID_OF[$name]}")
  wait_ready "http://127.0.0.1:${PORT_OF[$name]}/" "${PID_OF[$name]}" "$name" || exit 1
done

# The requests wrk sends: what a browser or an API client sends, so no rule fires on them.
cat >"$RUN/request.lua" <<LUA
wrk.headers["Host"] = "shop.example"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9,de;q=0.8"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
if "$REQUEST" == "json" then
  wrk.method = "POST"
  wrk.path = "/api/orders"
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"user":{"id":42,"name":"Jane Doe","email":"jane@example.com"},"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}],"note":"Please deliver after 5pm, thanks!"}'
else
  wrk.path = "/products?page=3&sort=price_asc&category=shoes"
  wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
end
LUA

# The WAF is on (an attack is refused) and the benchmark's own request passes both.
attack=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT_OF[waf]}/?id=1'%20OR%20'1'='1")
[[ $attack == 403 ]] || { echo "waf.sh: the WAF instance answered $attack to an SQL injection, not 403" >&2; exit 1; }

pause() { kill -STOP "${PID_OF[$1]}"; }
resume() { kill -CONT "${PID_OF[$1]}"; }
trap 'resume plain 2>/dev/null || true; resume waf 2>/dev/null || true; cleanup' EXIT
run_wrk() { taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$2s" --latency -s "$RUN/request.lua" "http://127.0.0.1:${PORT_OF[$1]}/" >"$3" 2>&1 || true; }

pause waf
for name in plain waf; do
  resume "$name"; echo "== $name: warm-up ${WARMUP}s" >&2; run_wrk "$name" "$WARMUP" "$RUN/$name.warmup"
  errors=$(wrk_errors "$RUN/$name.warmup")
  [[ $errors -eq 0 ]] || { echo "waf.sh: $name answered $errors requests with an error or a non-2xx status (see $RUN/$name.warmup)" >&2; exit 1; }
  pause "$name"
done

: >"$RUN/rounds.tsv"
for ((r = 0; r < ROUNDS; r++)); do
  echo "== round $((r + 1)) of $ROUNDS" >&2
  order=(plain waf); ((r % 2)) && order=(waf plain)
  for name in "${order[@]}"; do
    resume "$name"
    t0=$(proc_ticks "${PID_OF[$name]}")
    run_wrk "$name" "$DURATION" "$RUN/$name.$r.wrk"
    t1=$(proc_ticks "${PID_OF[$name]}")
    pause "$name"
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$(wrk_rps "$RUN/$name.$r.wrk")" "$(cpu_us_per "$t0" "$t1" "$(wrk_requests "$RUN/$name.$r.wrk")")" \
      "$(wrk_errors "$RUN/$name.$r.wrk")" >>"$RUN/rounds.tsv"
  done
done

{
  echo "Fulcrum with and without \`waf: { mode: block, paranoia: $PARANOIA }\`, $REQUEST requests; each pinned to CPU $PROXY_CPU,"
  echo "wrk -t1 -c$CONNECTIONS and 3 nginx backends on CPU $LOAD_CPU; $ROUNDS interleaved rounds of ${DURATION}s after ${WARMUP}s warm-ups;"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(dpkg-query -W -f '${Package} ${Version}' libmodsecurity3 modsecurity-crs 2>/dev/null | tr '\n' ' ')"
  echo
  awk -F'\t' "$AWK_MEDIAN"'
    { rps[$1, $2] = $3; us[$1, $2] = $4; err[$2] += $5; rounds = $1 + 1 }
    END {
      for (r = 0; r < rounds; r++) { a[r + 1] = rps[r, "plain"]; b[r + 1] = rps[r, "waf"]; c[r + 1] = us[r, "plain"]; d[r + 1] = us[r, "waf"]
                                     ratio[r + 1] = rps[r, "waf"] / rps[r, "plain"]; extra[r + 1] = us[r, "waf"] - us[r, "plain"] }
      print "| Fulcrum | requests/s per core (median) | CPU µs/request (median) | errors |"
      print "| --- | ---: | ---: | ---: |"
      printf "| without the WAF | %.0f | %.1f | %d |\n", median(a, rounds), median(c, rounds), err["plain"]
      printf "| waf: block | %.0f | %.1f | %d |\n", median(b, rounds), median(d, rounds), err["waf"]
      printf "\nreq/s with the WAF / without: median of %d per-round ratios %.3f; the WAF adds %.0f µs of CPU a request (median of the per-round differences)\n",
        rounds, median(ratio, rounds), median(extra, rounds)
    }' "$RUN/rounds.tsv"
} | tee "$RUN/table.md"
