#!/usr/bin/env bash
# Observability overhead: the L7 benchmark's Fulcrum (bench/l7/run.sh: wrk -t1 -c64 keep-alive, three
# nginx backends, the proxy pinned to PROXY_CPU) plain, with metrics and access logs off ("off"), against
# Fulcrum with both on ("on": the admin API's /metrics scraped once a second, a JSON access log of every
# request to a file).
#
# Both run at once, pinned to the same CPU, and are warmed up; then PAIRS pairs of SEGMENT-second wrk runs
# in off on on off order. While one is measured the other (and its scraper) is stopped with SIGSTOP, so it
# takes no CPU. Why not one long run each: on a shared machine the CPU a process gets drifts by tens of
# percent from minute to minute, more than the effect; short segments side by side see the same drift,
# and the median pair is what a slow spell moves least.
#
# usage: bench/l7/observability.sh [--quick] [--no-build] [--same]
#   --quick     2 pairs of 2 s after a 2 s warm-up: a smoke test
#   --same      "on" is configured as "off" too: what the method reads when there is nothing to find
# env: PAIRS (10), SEGMENT (s, 5), WARMUP (s, 60 each: "on" has more code to bring to the optimised tier,
#      and its scrape path, run once a second, gets there only after about a minute), CONNECTIONS (64), PROXY_CPU (1), LOAD_CPU (0),
#      OUT (bench/.bench-out/observability), DOTNET_EXTRA_ENV, FULCRUM_LISTENER_KEYS (as run.sh),
#      OBSERVED_LOG ("on"'s access log path, default the run's log/access.log; "off": none),
#      OBSERVED_SCRAPE (0: no /metrics scraper)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/l7"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
PAIRS=${PAIRS:-10}
SEGMENT=${SEGMENT:-5}
WARMUP=${WARMUP:-60}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/observability}
BUILD=1
SAME=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) PAIRS=2; SEGMENT=2; WARMUP=2 ;;
    --no-build) BUILD=0 ;;
    --same) SAME=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "observability.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
require_tools nginx wrk taskset curl python3 dotnet

RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
[[ $BUILD -eq 1 ]] && build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
[[ -f $FULCRUM_DLL ]] || { echo "observability.sh: $FULCRUM_DLL is missing (build without --no-build)" >&2; exit 1; }

mapfile -t PORTS < <(python3 "$HERE/free-ports.py" 6)
BACKENDS=("127.0.0.1:${PORTS[0]}" "127.0.0.1:${PORTS[1]}" "127.0.0.1:${PORTS[2]}")
OFF_PORT=${PORTS[3]}; ON_PORT=${PORTS[4]}; ADMIN_PORT=${PORTS[5]}
LOG=${OBSERVED_LOG:-$RUN/log/access.log}
start_nginx_backends 4096 75s "${BACKENDS[@]}"

fulcrum_http_config "$OFF_PORT" >"$RUN/off.yaml"
if [[ $SAME -eq 1 ]]; then
  fulcrum_http_config "$ON_PORT" >"$RUN/on.yaml"; LOG=off; OBSERVED_SCRAPE=0
else
  fulcrum_http_config "$ON_PORT" "$ADMIN_PORT" "$LOG" >"$RUN/on.yaml"
fi
dotnet_extra_env
for name in off on; do
  env "${DOTNET_BENCH_ENV[@]}" DOTNET_ProcessorCount=1 ASPNETCORE_ENVIRONMENT=Production "${DOTNET_EXTRA[@]}" \
    taskset -c "$PROXY_CPU" dotnet "$FULCRUM_DLL" run -c "$RUN/$name.yaml" >"$RUN/$name.log" 2>&1 &
  PIDS+=("$!")
  declare "PID_$name=$!"
done
wait_ready "http://127.0.0.1:$OFF_PORT/" "$PID_off" off
wait_ready "http://127.0.0.1:$ON_PORT/" "$PID_on" on
SCRAPER_PID=""
[[ ${OBSERVED_SCRAPE:-1} == 1 ]] && start_scraper "$ADMIN_PORT"
# Whoever is not being measured is stopped; a stopped process must be continued before the script ends.
trap 'kill -CONT "$PID_off" "$PID_on" ${SCRAPER_PID:+"$SCRAPER_PID"} 2>/dev/null || true; cleanup' EXIT

# only NAME: continues NAME (and, for "on", the scraper) and stops the other.
only() {
  if [[ $1 == on ]]; then
    kill -STOP "$PID_off"; kill -CONT "$PID_on" ${SCRAPER_PID:+"$SCRAPER_PID"}
  else
    kill -STOP "$PID_on" ${SCRAPER_PID:+"$SCRAPER_PID"}; kill -CONT "$PID_off"
  fi
}
port_of() { if [[ $1 == on ]]; then echo "$ON_PORT"; else echo "$OFF_PORT"; fi; }
pid_of() { if [[ $1 == on ]]; then echo "$PID_on"; else echo "$PID_off"; fi; }

for name in off on; do
  echo "== $name: warm-up ${WARMUP}s" >&2
  only "$name"
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$(port_of "$name")/" >"$RUN/$name.warmup" 2>&1 || true
done

# segment NAME INDEX: one measured wrk run; appends "NAME rps cpu-us/req errors" to segments.tsv.
segment() {
  local name=$1 log="$RUN/$1.$2.wrk" pid t0 t1
  pid=$(pid_of "$name")
  only "$name"
  t0=$(proc_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${SEGMENT}s" "http://127.0.0.1:$(port_of "$name")/" >"$log" 2>&1 || true
  t1=$(proc_ticks "$pid")
  printf '%s\t%s\t%s\t%s\n' "$name" "$(wrk_rps "$log")" "$(cpu_us_per "$t0" "$t1" "$(wrk_requests "$log")")" "$(wrk_errors "$log")" >>"$RUN/segments.tsv"
}
echo "== $PAIRS pairs of ${SEGMENT}s segments, off on on off ..." >&2
: >"$RUN/segments.tsv"
for ((i = 0; i < PAIRS; i++)); do
  if ((i % 2 == 0)); then segment off "$i"; segment on "$i"; else segment on "$i"; segment off "$i"; fi
done
only on
# What "on" says of its access log: lines written and dropped (the exporter's names, docs/metrics.md).
metrics=$(curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" || true)
written=$(awk '/^fulcrum_access_log_lines_total/ { print $2 }' <<<"$metrics")
dropped=$(awk '/^fulcrum_access_log_dropped_total/ { print $2 }' <<<"$metrics")

{
  echo "wrk -t1 -c$CONNECTIONS, $PAIRS pairs of ${SEGMENT}s segments after ${WARMUP}s warm-up each; both Fulcrums on CPU $PROXY_CPU (the idle one stopped), wrk + 3 nginx backends on CPU $LOAD_CPU; $(date -u '+%Y-%m-%d %H:%M UTC')"
  if [[ $SAME -eq 1 ]]; then echo "on: configured as off (--same)"
  else echo "on: /metrics scraped every second$([[ ${OBSERVED_SCRAPE:-1} == 1 ]] || echo ' (off: OBSERVED_SCRAPE=0)'), JSON access log to $LOG"; fi
  awk -F'\t' '
    function median(a, k,   i, j, t) {
      for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    { name[NR] = $1; r[NR] = $2; u[NR] = $3; n[$1]++; rps[$1] += $2; us[$1] += $3; errors += $4 }
    END {
      k = 0
      for (i = 1; i + 1 <= NR; i += 2) {
        a = (name[i] == "off") ? i : i + 1; b = (a == i) ? i + 1 : i
        k++; pct[k] = 100 * (1 - r[b] / r[a]); dus[k] = u[b] - u[a]
        printf "pair %2d: off %6d req/s %6.1f us/req, on %6d req/s %6.1f us/req: %5.1f%% fewer req/s, %+5.1f us CPU/req\n", k, r[a], u[a], r[b], u[b], pct[k], dus[k]
      }
      printf "means: off %.0f req/s (%.1f us CPU/req), on %.0f req/s (%.1f us CPU/req): %.1f%% fewer req/s\n",
        rps["off"] / n["off"], us["off"] / n["off"], rps["on"] / n["on"], us["on"] / n["on"], 100 * (1 - rps["on"] / rps["off"])
      printf "wrk errors (non-2xx and socket errors): %d\n", errors
      printf "observability overhead: %.1f%% fewer requests/s, %+.1f us CPU/req (median of %d pairs)\n", median(pct, k), median(dus, k), k
    }' "$RUN/segments.tsv"
  echo "access log: ${written:-?} lines written, ${dropped:-?} dropped ($LOG)"
} | tee "$RUN/observability.txt"
