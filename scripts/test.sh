#!/usr/bin/env bash
# Builds Fulcrum once (Release) and runs every test project. The last line is the tally,
# `N passed, N failed` (`, N skipped` when any were), computed from the TRX results.
# Exits non-zero when a test failed, a project could not run, or no test ran at all.
# FULCRUM_SKIP_DEPS=1 skips installing Debian packages.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ "${FULCRUM_SKIP_DEPS:-}" != 1 ]]; then
  bash scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }
fi

if ! dotnet build Fulcrum.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

# Every test project of Fulcrum.slnx, one at a time: the end-to-end tests time reloads and drains on
# real sockets, and on a 2-core machine they stay dependable only when other test assemblies are not
# competing for the CPU.
status=0
projects=()
while IFS= read -r project; do projects+=("$project"); done < <(grep -o 'Path="[^"]*\.Tests\.csproj"' Fulcrum.slnx | sed 's/^Path="//; s/"$//')
if [[ ${#projects[@]} -eq 0 ]]; then
  echo "no test project in Fulcrum.slnx"
  echo "0 passed, 1 failed"
  exit 1
fi
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" --blame-hang-timeout 5m; then
    status=1
  fi
done

# Tally from the TRX files' <Counters .../> element, not from console text.
read -r passed failed skipped runs < <(
  find "$results" -name '*.trx' -print0 | xargs -0 -r cat | tr '\n' ' ' | grep -o '<Counters [^>]*>' | awk '
    function attr(name,   m) { if (match($0, name "=\"[0-9]+\"")) { m = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0 } return 0 }
    { p += attr("passed"); f += attr("failed") + attr("error") + attr("timeout") + attr("aborted"); s += attr("notExecuted"); n++ }
    END { printf "%d %d %d %d\n", p, f, s, n }')

if [[ $runs -lt ${#projects[@]} && $status -eq 0 ]]; then
  echo "a test project produced no results"
  status=1
fi
if [[ $failed -gt 0 || $passed -eq 0 ]]; then
  status=1
fi

tally="$passed passed, $failed failed"
if [[ $skipped -gt 0 ]]; then
  tally="$tally, $skipped skipped"
fi
echo "$tally"
exit $status
