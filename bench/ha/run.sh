#!/usr/bin/env bash
# The HA benchmark (issue 14, docs/performance.md "Failover"): active-passive Fulcrum behind keepalived in network
# namespaces (a client, two nodes, nginx backends on one bridge; bench/ha/HaDriver builds it), each fault RUNS times:
#   kill        SIGKILL to the master's fulcrum (keepalived's track_process)
#   link-cut    the master's port on the bridge goes down (the master-down timer)
#   switchover  SIGTERM to the master's fulcrum (the state file yields; shutdown.accept-grace 2s)
#   upgrade     no VIP move: bench/ha/upgrade.sh measures the binary upgrade (run --takeover) on one node
# and, when named in SCENARIOS, anycast (docs/gslb.md "Anycast": two nodes announce one /32 over eBGP with BFD to a
# BIRD router with ECMP, each through `fulcrum anycast`; the time until the router's route loses node a):
#   anycast-kill      SIGKILL to node a's fulcrum (the hook's checks are refused)
#   anycast-drain     SIGTERM to node a's fulcrum (/healthz 503 during the accept grace)
#   anycast-link-cut  node a's port on the bridge goes down (BFD, 5 x 100 ms)
# Failover is the time from the fault to the end of the first request the backup answered, at the client; failed
# requests count from the fault until 50 requests in a row succeeded again (a switchover: until the old node exited).
# Between runs node a comes back and takes the VIP again (preemption). Needs root (ip netns), keepalived and nginx.
#
#   bench/ha/run.sh                       # 10 runs of each
#   RUNS=3 SCENARIOS=kill,switchover bench/ha/run.sh
#   LOOPBACK_VIP=false bench/ha/run.sh    # the virtual IP only where keepalived puts it (docs/ha.md: why not)
#   SECOND_CHANCE=false bench/ha/run.sh   # without the nftables rules that hand stray packets to the other node
#   RUNS=10 SCENARIOS=anycast-kill,anycast-drain,anycast-link-cut bench/ha/run.sh     # needs bird2 too
#
# Output: OUT (default bench/.bench-out/ha)/<UTC time>/: runs.csv (anycast-runs.csv), summary.txt, each scenario's configs and logs.
# SKIP_BUILD=1 uses the existing Release build; HA_DEBUG=1 prints the nodes' TCP counters around each fault.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/bench/.bench-out/ha}
RUN="$OUT/$(date -u +%Y%m%dT%H%M%SZ)"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
require_tools ip keepalived nginx nft dotnet
[[ $(id -u) -eq 0 ]] || { echo "run.sh: network namespaces need root" >&2; exit 1; }
mkdir -p "$RUN"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ ${SKIP_BUILD:-} != 1 ]]; then
  build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"
  build_release ha "$ROOT/bench/ha/HaDriver/HaDriver.csproj"
fi

# Run from a copy: a rebuild meanwhile (the suite, another branch) would replace the assemblies under the nodes.
mkdir -p "$RUN/bin"
cp -r "$ROOT/src/Fulcrum/bin/Release/net10.0" "$RUN/bin/fulcrum"
cp -r "$ROOT/bench/ha/HaDriver/bin/Release/net10.0" "$RUN/bin/driver"

echo "ha: output in $RUN; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
dotnet "$RUN/bin/driver/HaDriver.dll" --fulcrum "$RUN/bin/fulcrum/fulcrum.dll" --out "$RUN" \
  --runs "${RUNS:-10}" --scenarios "${SCENARIOS:-kill,link-cut,switchover,upgrade}" --loopback-vip "${LOOPBACK_VIP:-true}" --second-chance "${SECOND_CHANCE:-true}" || status=$?
rm -rf "$RUN/bin"
echo "ha: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
