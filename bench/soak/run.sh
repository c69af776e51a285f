#!/usr/bin/env bash
# The chaos soak (issue 18): the real fulcrum process under steady mixed load (http, https over HTTP/1.1 and HTTP/2,
# tcp, udp; all on 127.0.0.1) for a set time while backends are killed and restarted, the config is rewritten and
# reloaded every 10 s, backends are drained and returned through the admin API and the https certificate is
# rotated. Samples RSS, threads, descriptors, GC heap and leases every second; fails (exit 1) if an idempotent request
# failed, a lease was not released, or RSS or descriptors grew past the bound. docs/security.md, "The chaos soak".
#
#   bench/soak/run.sh --minutes 30          # minute 5 against the end, growth under 10%
#   bench/soak/run.sh --seconds 90          # short mode: second half against first after warm-up, under 15%
#   bench/soak/run.sh --seconds 30 --no-growth-check --rate 2
#
# Output: OUT (default bench/.bench-out/soak)/<UTC time>/: soak.csv, soak.svg, summary.txt, fulcrum.log, config/.
# SKIP_BUILD=1 uses the existing Release build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/bench/.bench-out/soak}
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

if [[ $# -eq 0 ]]; then
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
mkdir -p "$RUN"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ ${SKIP_BUILD:-} != 1 ]]; then
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
  build_release soak "$ROOT/bench/soak/SoakDriver/SoakDriver.csproj"
fi

# Run from a copy of both builds: a rebuild during a long soak (the suite, another branch) would otherwise replace
# the assemblies under the running processes.
mkdir -p "$RUN/bin"
cp -r "$ROOT/src/Fulcrum/bin/Release/net10.0" "$RUN/bin/fulcrum"
cp -r "$ROOT/bench/soak/SoakDriver/bin/Release/net10.0" "$RUN/bin/driver"

echo "soak: output in $RUN; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
# The driver starts and stops fulcrum itself (SIGTERM, then its exit code); the backends live in the driver's process.
status=0
dotnet "$RUN/bin/driver/SoakDriver.dll" --fulcrum "$RUN/bin/fulcrum/fulcrum.dll" --out "$RUN" "$@" || status=$?
rm -rf "$RUN/bin"
echo "soak: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
