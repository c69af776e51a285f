#!/usr/bin/env bash
# Observability overhead: the L7 benchmark (bench/l7/run.sh) with Fulcrum plain and with metrics and a
# JSON access log on (fulcrum-observed: admin API scraped for /metrics every second, every request logged
# to a file), in rounds of A B B A so drift on a shared machine hits both alike. Each adjacent A/B is a
# pair; prints the means, every pair's difference, and the median pair (what one noisy run moves least).
# The run's full table is in bench/.bench-out/l7/<stamp>/.
#
# usage: bench/l7/observability.sh [--quick] [--no-build]   (env as for run.sh: DURATION, WARMUP, ...)
# env: ROUNDS (default 1): rounds of A B B A, so 2 x ROUNDS pairs
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE/../.bench-out/l7}
ROUNDS=${ROUNDS:-1}
export OUT
ORDER=()
for ((r = 0; r < ROUNDS; r++)); do ORDER+=(fulcrum fulcrum-observed fulcrum-observed fulcrum); done
"$HERE/run.sh" "$@" "${ORDER[@]}"
RUN=$(ls -1d "$OUT"/*/ | sort | tail -1)
awk -F'\t' '
  function median(a, k,   i, j, t) {
    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  { n[$1]++; rps[$1] += $2; us[$1] += $7; name[NR] = $1; r[NR] = $2; u[NR] = $7 }
  END {
    off = rps["fulcrum"] / n["fulcrum"]; on = rps["fulcrum-observed"] / n["fulcrum-observed"]
    printf "\nobservability off: %.0f req/s (%.1f us CPU/req); on: %.0f req/s (%.1f us CPU/req); overhead %.1f%% fewer req/s, %+.1f us CPU/req\n",
      off, us["fulcrum"] / n["fulcrum"], on, us["fulcrum-observed"] / n["fulcrum-observed"], 100 * (1 - on / off),
      us["fulcrum-observed"] / n["fulcrum-observed"] - us["fulcrum"] / n["fulcrum"]
    k = 0
    for (i = 1; i + 1 <= NR; i += 2) {
      a = (name[i] == "fulcrum") ? i : i + 1; b = (a == i) ? i + 1 : i
      k++; pct[k] = 100 * (1 - r[b] / r[a]); dus[k] = u[b] - u[a]
      printf "pair %d: %.1f%% fewer req/s, %+.1f us CPU/req\n", k, pct[k], dus[k]
    }
    printf "median of %d pairs: %.1f%% fewer req/s, %+.1f us CPU/req\n", k, median(pct, k), median(dus, k)
  }' "$RUN/results.tsv" | tee "$RUN/observability.txt"
lines=$(wc -l <"$RUN/log/access.log" 2>/dev/null || echo 0)
echo "access log lines written in the run: $lines ($RUN/log/access.log)"
