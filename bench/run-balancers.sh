#!/usr/bin/env bash
# Measures ns and bytes per balancer pick for every algorithm x 3, 30, 300 backends (BenchmarkDotNet,
# short in-process job: a few minutes on 2 cores). Extra arguments go to BenchmarkDotNet, e.g.
#   bench/run-balancers.sh --filter '*Pick*' --allCategories ...   or   bench/run-balancers.sh --list flat
# The results table is printed at the end and written under bench/Fulcrum.Benchmarks/BenchmarkDotNet.Artifacts/.
set -euo pipefail
cd "$(dirname "$0")/Fulcrum.Benchmarks"
if [ "$#" -eq 0 ]; then set -- --filter '*BalancerPickBenchmarks*'; fi
exec dotnet run -c Release -- "$@"
