#!/usr/bin/env bash
# Fuzzes each of Fulcrum's parsers with AFL++ through SharpFuzz, one target after another, and prints per target the
# executions, executions per second, paths (AFL++'s corpus_count), crashes and hangs.
#
#   fuzz/run.sh                  every target for 600 s (the documented run: docs/security.md, Fuzzing)
#   fuzz/run.sh --seconds 60     every target for 60 s
#   fuzz/run.sh --quick          every target for 5 s (does the pipeline work?)
#   fuzz/run.sh --targets config,values --seconds 120
#   fuzz/run.sh --keep           continue from the findings of the last run instead of the seed corpus
#
# Steps: publish fuzz/Fulcrum.Fuzz to fuzz/.work/bin, instrument the parsers' assemblies there with sharpfuzz (the
# NuGet tool SharpFuzz.CommandLine, pinned in fuzz/dotnet-tools.json), then afl-fuzz -V SECONDS per target with
# fuzz/corpus/NAME as seeds and fuzz/dict/NAME.dict as dictionary. Findings stay in fuzz/.work/findings/NAME; each
# crash or hang is replayed once with its exception printed. Needs afl-fuzz (Debian: apt-get install afl++).
# Exits 1 when any target crashed or hung, 2 on a usage or setup error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz="$root/fuzz"
work="${FUZZ_WORK:-$fuzz/.work}"
seconds=600
keep=0
targets=()  # default: every target the harness lists (Fulcrum.Fuzz --list)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --quick) seconds=5; shift ;;
    --targets) IFS=, read -r -a targets <<<"$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

if ! command -v afl-fuzz >/dev/null; then
  echo "run.sh: afl-fuzz not found; install AFL++ (Debian: apt-get install afl++, or scripts/install-deps.sh)" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# dotnet itself carries no AFL instrumentation (the managed code does, through sharpfuzz), so afl-fuzz's binary check
# must be skipped. The CPU governor and core_pattern are the machine's, not ours to change; on a shared 2-core machine
# afl-fuzz must not pin itself to a core other work is using. Plain status lines instead of the curses screen.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
# A .NET child starts in about a second; calibrating each seed eight times would eat a short run.
export AFL_FAST_CAL=1

echo "== build and instrument ($work/bin)"
rm -rf "$work/bin" "$work/plain"
mkdir -p "$work"
dotnet publish "$fuzz/Fulcrum.Fuzz/Fulcrum.Fuzz.csproj" -c Release -o "$work/bin" -nologo -clp:ErrorsOnly >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; echo "run.sh: publish failed" >&2; exit 2; }
# An uninstrumented copy for replaying findings: instrumented code writes AFL's coverage map, which exists only
# under afl-fuzz, and outside it dies with an access violation.
cp -r "$work/bin" "$work/plain"
(cd "$fuzz" && dotnet tool restore >/dev/null)
# Only the parsers' namespaces (and all of YamlDotNet and Core's configuration), so AFL++'s coverage map is about them
# and not about the rest of L4 and L7, which the targets never run.
instrument() {
  local dll="$1"; shift
  (cd "$fuzz" && dotnet tool run sharpfuzz "$work/bin/$dll" "$@") >>"$work/instrument.log" 2>&1 \
    || { cat "$work/instrument.log"; echo "run.sh: sharpfuzz failed on $dll" >&2; exit 2; }
}
: >"$work/instrument.log"
instrument YamlDotNet.dll
instrument Fulcrum.Core.dll Fulcrum.Core.Configuration Fulcrum.Core.Proxy
instrument Fulcrum.L4.dll Fulcrum.L4.Tls
instrument Fulcrum.L7.dll Fulcrum.L7.BackendHttp Fulcrum.L7.Hosting.ContinuationGuard

if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(dotnet "$work/plain/Fulcrum.Fuzz.dll" --list | awk '{ print $1 }')
fi

stat_of() { sed -n "s/^$2 *: *//p" "$1" | head -n1; }
count_files() { find "$1" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l; }

status=0
rows=()
for target in "${targets[@]}"; do
  if [[ ! -d "$fuzz/corpus/$target" ]]; then
    echo "run.sh: no seed corpus fuzz/corpus/$target" >&2
    exit 2
  fi

  findings="$work/findings/$target"
  seeds="$fuzz/corpus/$target"
  if [[ $keep -eq 1 && -d "$findings/default/queue" ]]; then
    seeds=-  # afl-fuzz: resume from the previous run's queue
  else
    rm -rf "$findings"
  fi
  mkdir -p "$findings"
  dict=()
  [[ -f "$fuzz/dict/$target.dict" ]] && dict=(-x "$fuzz/dict/$target.dict")

  echo "== $target: afl-fuzz for ${seconds}s (log: $findings/afl.log)"
  # -t: a parser given at most a few KiB that runs for 5 s is hung (the first runs include the JIT's warm-up).
  # -V: stop after SECONDS of fuzzing. SharpFuzz's out-of-process server restarts the .NET child after a crash or hang.
  set +e
  afl-fuzz -i "$seeds" -o "$findings" "${dict[@]}" -t 5000 -V "$seconds" -- dotnet "$work/bin/Fulcrum.Fuzz.dll" "$target" \
    >"$findings/afl.log" 2>&1
  rc=$?
  set -e
  stats="$findings/default/fuzzer_stats"
  if [[ ! -f "$stats" ]]; then
    tail -n 30 "$findings/afl.log"
    echo "run.sh: afl-fuzz wrote no fuzzer_stats for $target (exit $rc)" >&2
    status=1
    rows+=("$target - - - - -")
    continue
  fi

  execs=$(stat_of "$stats" execs_done)
  run_time=$(stat_of "$stats" run_time)
  per_sec=$(awk -v e="$execs" -v t="$run_time" 'BEGIN { if (t > 0) printf "%.0f", e / t; else print 0 }')
  paths=$(stat_of "$stats" corpus_count)
  [[ -n "$paths" ]] || paths=$(stat_of "$stats" paths_total)
  crashes=$(count_files "$findings/default/crashes")
  hangs=$(count_files "$findings/default/hangs")
  rows+=("$target $execs $per_sec $paths $crashes $hangs")

  if [[ $crashes -gt 0 || $hangs -gt 0 ]]; then
    status=1
    echo "-- $target: replaying $crashes crash(es) and $hangs hang(s) (inputs in $findings/default/{crashes,hangs})"
    # One process per input, since a stack overflow ends the process; repeated frames shown once, so the frames
    # below a recursion are seen; a hang replays under a bound of its own, so this report cannot hang.
    for input in "$findings"/default/{crashes,hangs}/id:*; do
      [[ -f "$input" ]] || continue
      echo "-- ${input#"$findings"/default/}"
      timeout 30 dotnet "$work/plain/Fulcrum.Fuzz.dll" "$target" --replay "$input" 2>&1 | awk '!seen[$0]++' | head -n 30 || true
    done
  fi
done

echo
echo "fuzzed $(date -u +%Y-%m-%dT%H:%MZ), ${seconds}s per target, $(afl-fuzz -h 2>&1 | sed -n 's/.*afl-fuzz++\([0-9.a-z]*\).*/AFL++ \1/p' | head -n1)"
printf '%-14s %12s %9s %7s %8s %6s\n' target executions execs/s paths crashes hangs
for row in "${rows[@]}"; do
  # shellcheck disable=SC2086
  printf '%-14s %12s %9s %7s %8s %6s\n' $row
done
exit $status
