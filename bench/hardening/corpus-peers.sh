#!/usr/bin/env bash
# The hostile-input corpus (tests/Fulcrum.L7.Tests/Hardening) against Fulcrum, nginx and HAProxy, each in front of a
# backend that records every byte: prints the table docs/security.md shows (each proxy's verdict; a verdict in bold
# is not one of the right ones; "backend got ..." names an ambiguous request that reached the backend).
#
# usage: bench/hardening/corpus-peers.sh [--no-build] [OUT]     (OUT default bench/.bench-out/corpus-peers.md)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=1
if [[ ${1:-} == --no-build ]]; then BUILD=0; shift; fi
OUT=${1:-$ROOT/bench/.bench-out/corpus-peers.md}
mkdir -p "$(dirname "$OUT")"
command -v nginx >/dev/null && command -v haproxy >/dev/null || { echo "corpus-peers: needs nginx and haproxy (scripts/install-deps.sh)" >&2; exit 2; }
if [[ $BUILD -eq 1 ]]; then dotnet build "$ROOT/tests/Fulcrum.L7.Tests" -c Release -nologo -clp:ErrorsOnly >&2; fi
rm -f "$OUT"
FULCRUM_CORPUS_TABLE="$OUT" dotnet test "$ROOT/tests/Fulcrum.L7.Tests" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~CorpusAgainstPeers" --logger "console;verbosity=minimal" >&2
cat "$OUT"
