#!/usr/bin/env bash
# Observability overhead: the L7 benchmark (bench/l7/run.sh) with Fulcrum plain and with metrics and a
# JSON access log on (fulcrum-observed: admin API scraped for /metrics every second, every request logged
# to a file), in the order A B B A so drift on a shared machine hits both alike. Prints the mean
# requests/s of each and the overhead; the run's full table is in bench/.bench-out/l7/<stamp>/.
#
# usage: bench/l7/observability.sh [--quick] [--no-build]   (env as for run.sh: DURATION, WARMUP, ...)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE/../.bench-out/l7}
export OUT
"$HERE/run.sh" "$@" fulcrum fulcrum-observed fulcrum-observed fulcrum
RUN=$(ls -1d "$OUT"/*/ | sort | tail -1)
awk -F'\t' '
  { n[$1]++; rps[$1] += $2; us[$1] += $7 }
  END {
    off = rps["fulcrum"] / n["fulcrum"]; on = rps["fulcrum-observed"] / n["fulcrum-observed"]
    printf "\nobservability off: %.0f req/s (%.1f us CPU/req); on: %.0f req/s (%.1f us CPU/req); overhead %.1f%% fewer req/s\n",
      off, us["fulcrum"] / n["fulcrum"], on, us["fulcrum-observed"] / n["fulcrum-observed"], 100 * (1 - on / off)
  }' "$RUN/results.tsv" | tee "$RUN/observability.txt"
lines=$(wc -l <"$RUN/access.log" 2>/dev/null || echo 0)
echo "access log lines written in the run: $lines ($RUN/access.log)"
