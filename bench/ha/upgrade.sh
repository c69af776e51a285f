#!/usr/bin/env bash
# The binary upgrade under load (issue 14, item 2; docs/ha.md, "Zero-downtime upgrade"): the real fulcrum serves its
# takeover socket while steady load runs through it on 127.0.0.1 (http and https keep-alive clients over HTTP/1.1 and
# HTTP/2, a new http and a new tcp connection every 10 ms, a long tcp stream, a udp session); then a new fulcrum,
# started from another copy of the build with the other of two configs, takes over with `run --takeover`, and so on,
# RUNS times in a row. Counts, per upgrade, the failed requests and the refused connections (median and worst), checks
# that the long stream ends on the old process before it exits 0, and that every listener keeps its port.
#
#   bench/ha/upgrade.sh                 # 10 upgrades
#   bench/ha/upgrade.sh --runs 3 --before 2 --after 2
#
# Output: OUT (default bench/.bench-out/ha-upgrade)/<UTC time>/: summary.txt, fulcrum-N.log (one per process),
# the two configs. Exit 0 when every upgrade lost nothing. SKIP_BUILD=1 uses the existing Release build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/bench/.bench-out/ha-upgrade}
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
mkdir -p "$RUN"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ ${SKIP_BUILD:-} != 1 ]]; then
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
  build_release upgrade "$ROOT/bench/ha/UpgradeDriver/UpgradeDriver.csproj"
fi

# Two copies of the build, so each upgrade replaces the binary the running process was started from (and a rebuild
# meanwhile cannot touch either).
mkdir -p "$RUN/bin"
cp -r "$ROOT/src/Fulcrum/bin/Release/net10.0" "$RUN/bin/fulcrum-a"
cp -r "$ROOT/src/Fulcrum/bin/Release/net10.0" "$RUN/bin/fulcrum-b"
cp -r "$ROOT/bench/ha/UpgradeDriver/bin/Release/net10.0" "$RUN/bin/driver"

echo "upgrade: output in $RUN; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
dotnet "$RUN/bin/driver/UpgradeDriver.dll" --fulcrum "$RUN/bin/fulcrum-a/fulcrum.dll" --next-fulcrum "$RUN/bin/fulcrum-b/fulcrum.dll" \
  --out "$RUN" "$@" || status=$?
rm -rf "$RUN/bin"
echo "upgrade: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
