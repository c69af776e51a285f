#!/usr/bin/env bash
# Observability overhead: the L7 benchmark's Fulcrum (wrk -t1 -c64 keep-alive, three nginx backends, the
# proxy pinned to PROXY_CPU) plain, with metrics and access logs off ("off"), against Fulcrum with both on
# ("on": the admin API's /metrics scraped once a second, a JSON access log of every request to a file).
#
# It is `bench/l7/run.sh --together PAIRS fulcrum fulcrum-observed`: both start pinned to the same CPU, each in
# a cpu cgroup of its own so they split it evenly, and both are loaded at once, one wrk each: warm-up, then
# PAIRS rounds of SEGMENT seconds; each round is a pair. Why at once: on a shared machine the CPU a process
# gets drifts by tens of percent within seconds, far more than the effect; two processes loaded in the same
# seconds see the same drift, and their ratio keeps only the difference (--same: pairs within about 1%).
# The script reports every pair and the median pair.
#
# usage: bench/l7/observability.sh [--quick] [--no-build] [--same] [--turns]
#   --quick     2 pairs of 2 s after a 2 s warm-up: a smoke test
#   --same      "on" is configured as "off" too: what the method reads when there is nothing to find
#   --turns     take turns instead (run.sh --interleave), the method before 2026-12-02 20:35: the idle one
#               stopped, pairs in off on on off order; on a drifting host its pairs spread by +-20%
# env: PAIRS (10), SEGMENT (s, 5), WARMUP (s, 60: "on" has more code to bring to the optimised tier,
#      and its scrape path, run once a second, gets there only after about a minute), CONNECTIONS (64),
#      PROXY_CPU (1), LOAD_CPU (0), OUT (bench/.bench-out/observability), DOTNET_EXTRA_ENV,
#      FULCRUM_LISTENER_KEYS, OBSERVED_LOG ("on"'s access log path, default the run's log/access.log;
#      "off": none), OBSERVED_SCRAPE (0: no /metrics scraper); as bench/l7/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
PAIRS=${PAIRS:-10}
SEGMENT=${SEGMENT:-5}
WARMUP=${WARMUP:-60}
export OUT=${OUT:-$ROOT/bench/.bench-out/observability}
RUN_ARGS=()
MODE=--together
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) PAIRS=2; SEGMENT=2; WARMUP=2 ;;
    --no-build) RUN_ARGS+=(--no-build) ;;
    --same) export OBSERVED=off ;;
    --turns) MODE=--interleave ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "observability.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

DURATION=$SEGMENT WARMUP=$WARMUP "$ROOT/bench/l7/run.sh" "${RUN_ARGS[@]}" "$MODE" "$PAIRS" fulcrum fulcrum-observed >/dev/null
RUN=$(ls -1d "$OUT"/*/ | sort | tail -1)
RUN=${RUN%/}
LOG=${OBSERVED_LOG:-$RUN/log/access.log}

# segments.tsv (run.sh's columns: name, req/s, p50, p99, errors, proxy CPU %, CPU µs/req, load CPU %), one
# line per run, a round's two runs next to each other.
{
  if [[ $MODE == --together ]]; then
    echo "wrk -t1 -c${CONNECTIONS:-64} each, $PAIRS rounds of ${SEGMENT}s after ${WARMUP}s warm-up, both Fulcrums loaded at once, sharing CPU ${PROXY_CPU:-1} (a cpu cgroup each), two wrk + 3 nginx backends on CPU ${LOAD_CPU:-0}; $(date -u '+%Y-%m-%d %H:%M UTC')"
  else
    echo "wrk -t1 -c${CONNECTIONS:-64}, $PAIRS pairs of ${SEGMENT}s runs after ${WARMUP}s warm-up each; both Fulcrums on CPU ${PROXY_CPU:-1} (the idle one stopped), wrk + 3 nginx backends on CPU ${LOAD_CPU:-0}; $(date -u '+%Y-%m-%d %H:%M UTC')"
  fi
  if [[ ${OBSERVED:-on} == off ]]; then echo "on: configured as off (--same)"
  else echo "on: /metrics scraped every second$([[ ${OBSERVED_SCRAPE:-1} == 1 ]] || echo ' (off: OBSERVED_SCRAPE=0)'), JSON access log to $LOG"; fi
  awk -F'\t' "$AWK_MEDIAN"'
    { name[NR] = ($1 == "fulcrum") ? "off" : "on"; r[NR] = $2; u[NR] = $7; n[name[NR]]++; rps[name[NR]] += $2; us[name[NR]] += $7; errors += $5 }
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
  # What "on" said of its access log at the end (the exporter's names, docs/metrics.md).
  if [[ -s $RUN/fulcrum-observed.metrics ]]; then
    written=$(awk '/^fulcrum_access_log_lines_total/ { print $2 }' "$RUN/fulcrum-observed.metrics")
    dropped=$(awk '/^fulcrum_access_log_dropped_total/ { print $2 }' "$RUN/fulcrum-observed.metrics")
    echo "access log: ${written:-?} lines written, ${dropped:-?} dropped ($LOG)"
  fi
} | tee "$RUN/observability.txt"
