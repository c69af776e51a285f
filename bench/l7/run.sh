#!/usr/bin/env bash
# L7 HTTP/1.1 benchmark: Fulcrum, a plain YARP host, nginx and HAProxy in front of the same three
# nginx backends, one after the other. Each proxy is pinned to one CPU (PROXY_CPU, default 1);
# wrk and the backends share the other (LOAD_CPU, default 0). wrk -t1 -c64, keep-alive, tiny bodies.
#
# usage: bench/l7/run.sh [--quick] [--breakdown] [--no-build] [--profile PROXY] [--interleave ROUNDS] [PROXY...]
#   PROXY        any of: fulcrum yarp nginx haproxy kestrel-empty yarp-direct fulcrum-observed fulcrum-thread-pool
#                fulcrum-baseline fulcrum-front fulcrum-kestrel
#                (fulcrum-front: FULCRUM_FRONT_END=fulcrum, Fulcrum's own HTTP/1.1 and HTTP/2 front end, the default
#                now and named for older builds, e.g. BASELINE_ENV; fulcrum-kestrel: FULCRUM_FRONT_END=kestrel, Kestrel in front)
#                (fulcrum-thread-pool: FULCRUM_IO=thread-pool, .NET's default socket I/O instead of event loops)
#                (fulcrum-baseline: the fulcrum.dll that BASELINE_DLL names, e.g. a Release build of an earlier
#                commit in a git worktree, with the same config: a change against what it changes, interleaved)
#                (fulcrum-observed: Fulcrum with the admin API scraped for /metrics every second and a
#                JSON access log to a file; bench/l7/observability.sh measures what that costs, with
#                both configurations up at once)
#                (default: fulcrum yarp nginx haproxy; --breakdown adds kestrel-empty yarp-direct)
#   --quick      3 s runs after a 1 s warm-up, for smoke tests
#   --breakdown  also run Kestrel alone (200, tiny body) and Kestrel + IHttpForwarder with a bare
#                round robin: splits Fulcrum's time into server, forwarder and Fulcrum's own work
#   --no-build   use the Release builds already there
#   --profile P  record a perf profile (cpu-clock, call graphs) of proxy P during its measured run;
#                .NET proxies get DOTNET_PerfMapEnabled=1 so JIT frames have names
#   --interleave R  all proxies up at once (each on its port, the idle ones stopped with SIGSTOP), each warmed
#                up, then R rounds of one DURATION-second run each, in an order that rotates every round;
#                reports each proxy's median and the median of the per-round ratios. On a shared machine
#                whose speed drifts from minute to minute, proxies measured seconds apart compare fairly
#                (e.g. DURATION=5 bench/l7/run.sh --interleave 8)
#   --together R all proxies up at once on PROXY_CPU, each in a cpu cgroup of its own so they split the CPU
#                per process, and loaded at once, one wrk each, for the warm-up and then R rounds of
#                DURATION seconds; the host's drift hits every proxy in the same instant. Reports as
#                --interleave does. Compares proxies whose load CPU has room: two wrk share LOAD_CPU
# env: DURATION (s, default 15), WARMUP (s, default 20: Fulcrum's JIT needs about that to reach its optimised code), CONNECTIONS (64), PROXY_CPU (1),
#      LOAD_CPU (0), OUT (default bench/.bench-out/l7),
#      DOTNET_EXTRA_ENV ("KEY=VALUE ..." added to the .NET proxies' environment, for experiments),
#      FULCRUM_LISTENER_KEYS ("key: value; key: value" added to Fulcrum's listener),
#      OBSERVED_LOG (fulcrum-observed's access log path; "off" for none), OBSERVED_SCRAPE (0: no /metrics scraper),
#      OBSERVED (off: fulcrum-observed runs as plain fulcrum, to see a method's noise floor),
#      BASELINE_DLL (fulcrum-baseline's fulcrum.dll)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/l7"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
OUT=${OUT:-$ROOT/bench/.bench-out/l7}
BUILD=1
BREAKDOWN=0
PROFILE=""
INTERLEAVE=0
TOGETHER=0
PROXIES=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=1 ;;
    --breakdown) BREAKDOWN=1 ;;
    --no-build) BUILD=0 ;;
    --profile) PROFILE=${2:?--profile needs a proxy name}; shift ;;
    --interleave) INTERLEAVE=${2:?--interleave needs a number of rounds}; shift ;;
    --together) TOGETHER=${2:?--together needs a number of rounds}; shift ;;
    -h|--help) sed -n '2,37p' "${BASH_SOURCE[0]}"; exit 0 ;;
    fulcrum|yarp|nginx|haproxy|kestrel-empty|yarp-direct|fulcrum-observed|fulcrum-thread-pool|fulcrum-baseline|fulcrum-front|fulcrum-kestrel) PROXIES+=("$1") ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ ${#PROXIES[@]} -eq 0 ]]; then
  PROXIES=(fulcrum yarp nginx haproxy)
  [[ $BREAKDOWN -eq 1 ]] && PROXIES+=(kestrel-empty yarp-direct)
fi

require_tools nginx haproxy wrk taskset curl python3 dotnet
if [[ -n $PROFILE ]]; then require_tools perf; fi

FULCRUM_DLL="$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll"
YARPHOST_DLL="$ROOT/bench/YarpHost/bin/Release/net10.0/yarphost.dll"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/$STAMP"
mkdir -p "$RUN"
RESULTS="$RUN/results.tsv"

# ---- ports and backends ----------------------------------------------------------------------
mapfile -t PORTS < <(python3 "$HERE/free-ports.py" 5)
B1=${PORTS[0]}; B2=${PORTS[1]}; B3=${PORTS[2]}; PP=${PORTS[3]}; AP=${PORTS[4]}
BACKENDS=("127.0.0.1:$B1" "127.0.0.1:$B2" "127.0.0.1:$B3")
PROXY_URL="http://127.0.0.1:$PP/"

start_backends() {
  start_nginx_backends 4096 75s "${BACKENDS[@]}"
}

# ---- proxies: each writes its config, starts pinned to PROXY_CPU, sets PROXY_PID ---------------
DOTNET_ENV=(
  "${DOTNET_BENCH_ENV[@]}"
  DOTNET_ProcessorCount=1      # what taskset gives it; sizes the thread pool and Kestrel's IO queues
  ASPNETCORE_ENVIRONMENT=Production
)

start_dotnet() {
  local name=$1; shift
  dotnet_extra_env
  local extra=("${DOTNET_EXTRA[@]}")
  # Profiling only: a perf map names JIT frames; W^X off so JIT code is not behind a memfd double
  # mapping that perf cannot match to the map.
  # ReadyToRun off: precompiled framework code has no symbols perf can read; jitted, it is named.
  [[ $PROFILE == "$name" ]] && extra+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0)
  [[ $name == fulcrum-thread-pool ]] && extra+=(FULCRUM_IO=thread-pool)
  [[ $name == fulcrum-front ]] && extra+=(FULCRUM_FRONT_END=fulcrum)
  [[ $name == fulcrum-kestrel ]] && extra+=(FULCRUM_FRONT_END=kestrel)
  env "${DOTNET_ENV[@]}" "${extra[@]}" taskset -c "$PROXY_CPU" dotnet "$@" >"$RUN/$name.log" 2>&1 &
  PROXY_PID=$!
}

# start_fulcrum NAME: fulcrum, fulcrum-thread-pool or fulcrum-baseline (the same config), or fulcrum-observed.
start_fulcrum() {
  local name=$1 cfg="$RUN/$1.yaml" dll=$FULCRUM_DLL
  # OBSERVED_LOG: where the access log goes (default the run's log/access.log); "off": no access log.
  # OBSERVED=off: fulcrum-observed runs plain, like fulcrum (bench/l7/observability.sh --same).
  if [[ $name == fulcrum-observed && ${OBSERVED:-on} != off ]]; then
    fulcrum_http_config "$PP" "$AP" "${OBSERVED_LOG:-$RUN/log/access.log}" >"$cfg"
  else
    fulcrum_http_config "$PP" >"$cfg"
  fi
  if [[ $name == fulcrum-baseline ]]; then
    dll=${BASELINE_DLL:?fulcrum-baseline needs BASELINE_DLL, the fulcrum.dll of the build to compare with}
  fi
  [[ -f $dll ]] || { echo "run.sh: $dll is missing (build without --no-build)" >&2; return 1; }
  start_dotnet "$name" "$dll" run -c "$cfg"
  if [[ $name == fulcrum-observed && ${OBSERVED:-on} != off && ${OBSERVED_SCRAPE:-1} == 1 ]]; then
    start_scraper "$AP"
  fi
}

yarphost_json() {
  local b i=0 sep=""
  echo '{'
  echo '  "Logging": { "LogLevel": { "Default": "Warning" } },'
  echo "  \"Kestrel\": { \"Endpoints\": { \"http\": { \"Url\": \"http://127.0.0.1:$PP\" } } },"
  echo '  "ReverseProxy": {'
  echo '    "Routes": { "all": { "ClusterId": "backends", "Match": { "Path": "{**catch-all}" } } },'
  echo '    "Clusters": { "backends": { "LoadBalancingPolicy": "RoundRobin", "Destinations": {'
  for b in "${BACKENDS[@]}"; do
    i=$((i + 1)); echo "      $sep\"b$i\": { \"Address\": \"http://$b/\" }"; sep=","
  done
  echo '    } } }'
  echo '  },'
  sep=""; printf '  "Backends": ['
  for b in "${BACKENDS[@]}"; do printf '%s"http://%s/"' "$sep" "$b"; sep=", "; done
  echo ']'
  echo '}'
}

start_yarphost() {
  local name=$1 mode=$2
  yarphost_json >"$RUN/$name.json"
  [[ -f $YARPHOST_DLL ]] || { echo "run.sh: $YARPHOST_DLL is missing (build without --no-build)" >&2; return 1; }
  start_dotnet "$name" "$YARPHOST_DLL" "$mode" --config "$RUN/$name.json"
}

start_nginx_proxy() {
  local dir="$RUN/nginx-proxy"
  mkdir -p "$dir/tmp"
  {
    echo "worker_processes 1;"
    echo "pid $dir/nginx.pid;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    nginx_common "$dir"
    echo "  keepalive_requests 1000000;"
    nginx_upstream backends "${BACKENDS[@]}"
    nginx_proxy_server "127.0.0.1:$PP" backends
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$PROXY_CPU" "$dir" nginx
  PROXY_PID=$!
}

start_haproxy() { start_haproxy_http "127.0.0.1:$PP"; }

# ---- measuring ---------------------------------------------------------------------------------
# Busy and total jiffies of one CPU, from /proc/stat.
cpu_ticks() {
  awk -v cpu="cpu$1" '$1 == cpu { busy = $2 + $3 + $4 + $7 + $8; total = busy + $5 + $6; print busy, total }' /proc/stat
}

warm_up() {
  echo "== $1: warm-up ${WARMUP}s" >&2
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$PROXY_URL" >"$RUN/$1.warmup" 2>&1 || true
}

measure() {
  warm_up "$1"
  measured_run "$1" "$2" "$RUN/$1.wrk" "$RESULTS"
}

# measured_run NAME PID WRK_LOG OUT: one measured wrk run against PROXY_URL; appends its TSV line to OUT.
measured_run() {
  local name=$1 pid=$2 log=$3 out=$4 t0 t1 l0 l1 perf_pid=""
  echo "== $name: measuring ${DURATION}s" >&2
  if [[ $PROFILE == "$name" ]]; then
    taskset -c "$LOAD_CPU" perf record -e cpu-clock -F 999 -g -p "$pid" -o "$RUN/$name.perf.data" \
      -- sleep "$DURATION" >"$RUN/$name.perf.log" 2>&1 &
    perf_pid=$!
    PIDS+=("$perf_pid")
  fi
  t0=$(proc_ticks "$pid"); l0=$(cpu_ticks "$LOAD_CPU")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$PROXY_URL" >"$log" 2>&1 || true
  t1=$(proc_ticks "$pid"); l1=$(cpu_ticks "$LOAD_CPU")
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || true
    # Report now, while /tmp/perf-PID.map exists, then remove the map.
    perf report -i "$RUN/$name.perf.data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.3 \
      2>/dev/null | sed 's/ *- *- *$//' >"$RUN/$name.perf-flat.txt" || true
    perf report -i "$RUN/$name.perf.data" --children --sort symbol --stdio -g caller,0.5,callee --percent-limit 2 \
      >"$RUN/$name.perf-tree.txt" 2>/dev/null || true
    perf report -i "$RUN/$name.perf.data" --no-children --sort dso --stdio -g none \
      >"$RUN/$name.perf-dso.txt" 2>/dev/null || true
    perf report -i "$RUN/$name.perf.data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0 \
      2>/dev/null | awk -f "$HERE/perf-modules.awk" | sort -rn >"$RUN/$name.perf-modules.txt" || true
    # Inclusive time under each libc system-call wrapper (send, recv, epoll_wait, sched_yield, futex...).
    perf report -i "$RUN/$name.perf.data" --children --sort dso,symbol --stdio -g none --percent-limit 0.2 \
      2>/dev/null | awk '$3 == "libc.so.6" && $5 != "start_thread" && $5 !~ /^0x/ { print $1, $5 }' \
      >"$RUN/$name.perf-syscalls.txt" || true
    # Keep the map with the data: `cp $RUN/perf-PID.map /tmp/` before another perf report.
    mv -f "/tmp/perf-$pid.map" "$RUN/" 2>/dev/null || true
  fi

  write_result "$name" "$log" "$t0" "$t1" "$l0" "$l1" "$DURATION" >>"$out"
}

# write_result NAME WRK_LOG T0 T1 L0 L1 SECONDS: a run's TSV line (name, req/s, p50, p99, errors, proxy CPU %,
# CPU µs/req, load CPU %) from its wrk output and the proxy's (T) and load CPU's (L) ticks around it.
write_result() {
  local name=$1 log=$2 t0=$3 t1=$4 l0=$5 l1=$6 seconds=$7
  local rps p50 p99 errors proxy_cpu load_cpu us_per_req
  rps=$(wrk_rps "$log")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")
  p99=$(wrk_p99 "$log")
  errors=$(wrk_errors "$log")
  proxy_cpu=$(cpu_percent "$t0" "$t1" "$seconds")
  load_cpu=$(awk -v a="$l0" -v b="$l1" 'BEGIN { split(a, x, " "); split(b, y, " ");
                 if (y[2] > x[2]) printf "%.0f", (y[1] - x[1]) / (y[2] - x[2]) * 100; else print "nan" }')
  us_per_req=$(cpu_us_per "$t0" "$t1" "$(wrk_requests "$log")")
  [[ -n $rps ]] || { echo "run.sh: no result from wrk for $name (see $log)" >&2; rps=0; p50=nan; p99=nan; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rps" "$p50" "$p99" "$errors" "$proxy_cpu" "$us_per_req" "$load_cpu"
}

# start_proxy NAME: starts proxy NAME on PP; its pid in PROXY_PID.
start_proxy() {
  PROXY_PID=""
  case "$1" in
    fulcrum|fulcrum-observed|fulcrum-thread-pool|fulcrum-baseline|fulcrum-front|fulcrum-kestrel) start_fulcrum "$1" ;;
    yarp) start_yarphost yarp config ;;
    yarp-direct) start_yarphost yarp-direct direct ;;
    kestrel-empty) start_yarphost kestrel-empty empty ;;
    nginx) start_nginx_proxy ;;
    haproxy) start_haproxy ;;
  esac
}

run_proxy() {
  local name=$1
  start_proxy "$name" || { printf '%s\t0\tnan\tnan\tnan\tnan\tnan\tnan\n' "$name" >>"$RESULTS"; return 0; }
  PIDS+=("$PROXY_PID")
  if wait_ready "$PROXY_URL" "$PROXY_PID" "$name"; then
    measure "$name" "$PROXY_PID"
  else
    printf '%s\t0\tnan\tnan\tnan\tnan\tnan\tnan\n' "$name" >>"$RESULTS"
  fi
  stop_pid "$PROXY_PID"
}

# ---- interleaved rounds (--interleave) -----------------------------------------------------------
declare -A PID_OF URL_OF
# pause NAME / resume NAME: SIGSTOP / SIGCONT the proxy and its children (nginx's worker), and
# fulcrum-observed's scraper with it (a scrape of a stopped process would only wait for its timeout).
pause() { signal_proxy STOP "$1"; }
resume() { signal_proxy CONT "$1"; }
signal_proxy() {
  signal_tree "$1" "${PID_OF[$2]}"
  if [[ $2 == fulcrum-observed && -n ${SCRAPER_PID:-} ]]; then signal_tree "$1" "$SCRAPER_PID"; fi
}

# start_all HOOK: every proxy up, each on a port of its own (PID_OF, URL_OF); then `HOOK NAME PID` for it.
start_all() {
  local hook=$1 name i=0 ports
  mapfile -t ports < <(python3 "$HERE/free-ports.py" "${#PROXIES[@]}")
  for name in "${PROXIES[@]}"; do
    PP=${ports[i]}; i=$((i + 1)); PROXY_URL="http://127.0.0.1:$PP/"
    start_proxy "$name" || { echo "run.sh: $name did not start" >&2; exit 1; }
    PIDS+=("$PROXY_PID")
    wait_ready "$PROXY_URL" "$PROXY_PID" "$name" || exit 1
    PID_OF[$name]=$PROXY_PID; URL_OF[$name]=$PROXY_URL
    "$hook" "$name" "$PROXY_PID"
  done
}

run_interleaved() {
  local name r k n=${#PROXIES[@]}
  start_all pause
  # A stopped process cannot take SIGTERM's exit path: continue them all before cleanup stops them.
  trap 'for name in "${!PID_OF[@]}"; do resume "$name"; done; cleanup' EXIT
  for name in "${PROXIES[@]}"; do
    PROXY_URL=${URL_OF[$name]}; resume "$name"; warm_up "$name"; pause "$name"
  done
  : >"$RUN/segments.tsv"
  for ((r = 0; r < INTERLEAVE; r++)); do
    echo "== round $((r + 1)) of $INTERLEAVE" >&2
    for ((k = 0; k < n; k++)); do
      name=${PROXIES[(k + r) % n]}
      PROXY_URL=${URL_OF[$name]}; resume "$name"
      measured_run "$name" "${PID_OF[$name]}" "$RUN/$name.$r.wrk" "$RUN/segments.tsv"
      pause "$name"
    done
  done
  [[ -n ${PID_OF[fulcrum-observed]:-} ]] && resume fulcrum-observed
  save_observed_metrics
  summarize_rounds "$n"
}

# save_observed_metrics: fulcrum-observed's own account of its access log (lines written, dropped), while it
# still runs.
save_observed_metrics() {
  if [[ -n ${PID_OF[fulcrum-observed]:-} && ${OBSERVED:-on} != off ]]; then
    curl -s --max-time 5 "http://127.0.0.1:$AP/metrics" >"$RUN/fulcrum-observed.metrics" || true
  fi
}

# summarize_rounds N: segments.tsv holds rounds of N lines, one per proxy.
summarize_rounds() {
  local n=$1
  # Each proxy's medians go to results.tsv (the table below); the per-round ratios to ratios.txt.
  awk -F'\t' -v OFS='\t' "$AWK_MEDIAN"'
    { k = ++n[$1]; if (k == 1) order[++names] = $1
      for (f = 2; f <= 8; f++) v[$1, f, k] = $f; err[$1] += $5 }
    END {
      for (o = 1; o <= names; o++) {
        p = order[o]; line = p
        for (f = 2; f <= 8; f++) {
          if (f == 5) { line = line OFS err[p]; continue }
          for (k = 1; k <= n[p]; k++) col[k] = v[p, f, k]
          line = line OFS (f == 2 || f == 6 || f == 8 ? sprintf("%.0f", median(col, n[p])) : sprintf("%.3f", median(col, n[p])))
        }
        print line
      }
    }' "$RUN/segments.tsv" >"$RESULTS"
  awk -F'\t' -v n="$n" "$AWK_MEDIAN"'
    { round = int((NR - 1) / n); rps[round, $1] = $2; seen[$1] = 1 }
    END {
      if (!("fulcrum" in seen)) exit
      for (p in seen) {
        if (p == "fulcrum") continue
        k = 0
        for (r = 0; (r, "fulcrum") in rps; r++) if (rps[r, p] > 0) ratio[++k] = rps[r, "fulcrum"] / rps[r, p]
        if (k > 0) printf "req/s Fulcrum/%s: median of %d per-round ratios %.2f\n", p, k, median(ratio, k)
      }
    }' "$RUN/segments.tsv" >"$RUN/ratios.txt"
}

# ---- side by side (--together) ------------------------------------------------------------------
# cpu_group NAME PID: the proxy and its children into a cpu cgroup of their own, so the proxies sharing
# PROXY_CPU split it per process; without groups the scheduler splits it per thread, and the proxy with
# more busy threads would get more of it.
CGROUPS=()
cpu_group() {
  local dir pid
  if [[ -w /sys/fs/cgroup/cpu ]]; then dir=/sys/fs/cgroup/cpu/fulcrum-bench-$$-$1
  elif [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then dir=/sys/fs/cgroup/fulcrum-bench-$$-$1
  else
    echo "run.sh: no cpu cgroup for $1: the CPU is split per thread" >&2
    return 0
  fi
  mkdir -p "$dir" || return 0
  CGROUPS+=("$dir")
  for pid in "$2" $(pgrep -P "$2" || true); do echo "$pid" >"$dir/cgroup.procs" 2>/dev/null || true; done
}

# together_round TAG SECONDS [OUT]: one wrk per proxy, all at once; with OUT, a result line per proxy.
together_round() {
  local tag=$1 seconds=$2 out=${3:-} name l0 l1 wrks=()
  local -A t0
  for name in "${PROXIES[@]}"; do t0[$name]=$(proc_ticks "${PID_OF[$name]}"); done
  l0=$(cpu_ticks "$LOAD_CPU")
  for name in "${PROXIES[@]}"; do
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency "${URL_OF[$name]}" >"$RUN/$name.$tag.wrk" 2>&1 &
    wrks+=($!)
  done
  wait "${wrks[@]}" || true
  l1=$(cpu_ticks "$LOAD_CPU")
  [[ -n $out ]] || return 0
  for name in "${PROXIES[@]}"; do
    write_result "$name" "$RUN/$name.$tag.wrk" "${t0[$name]}" "$(proc_ticks "${PID_OF[$name]}")" "$l0" "$l1" "$seconds" >>"$out"
  done
}

run_together() {
  local r n=${#PROXIES[@]}
  trap 'cleanup; for d in "${CGROUPS[@]}"; do rmdir "$d" 2>/dev/null || true; done' EXIT
  start_all cpu_group
  echo "== ${PROXIES[*]}: warm-up ${WARMUP}s, together" >&2
  together_round warmup "$WARMUP"
  : >"$RUN/segments.tsv"
  for ((r = 0; r < TOGETHER; r++)); do
    echo "== round $((r + 1)) of $TOGETHER" >&2
    together_round "$r" "$DURATION" "$RUN/segments.tsv"
  done
  save_observed_metrics
  summarize_rounds "$n"
}

# ---- main --------------------------------------------------------------------------------------
if [[ $BUILD -eq 1 ]]; then
  echo "== building Release" >&2
  for proxy in "${PROXIES[@]}"; do
    case "$proxy" in
      fulcrum|fulcrum-observed|fulcrum-thread-pool|fulcrum-baseline|fulcrum-front|fulcrum-kestrel)
        [[ -f $RUN/build-fulcrum.log ]] || build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj" ;;
      yarp|yarp-direct|kestrel-empty)
        [[ -f $RUN/build-yarphost.log ]] || build_release yarphost "$ROOT/bench/YarpHost/YarpHost.csproj" ;;
    esac
  done
fi

echo "== backends on ${BACKENDS[*]} (CPU $LOAD_CPU); proxies on 127.0.0.1:$PP (CPU $PROXY_CPU); output in $RUN" >&2
start_backends
: >"$RESULTS"
if [[ $TOGETHER -gt 0 ]]; then
  run_together
elif [[ $INTERLEAVE -gt 0 ]]; then
  run_interleaved
else
  for proxy in "${PROXIES[@]}"; do run_proxy "$proxy"; done
fi

# ---- report ------------------------------------------------------------------------------------
{
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), HTTP/1.1 keep-alive, 3 nginx backends;"
  echo "proxy on CPU $PROXY_CPU, wrk + backends on CPU $LOAD_CPU; $(date -u '+%Y-%m-%d %H:%M UTC'); ratios are Fulcrum/peer"
  if [[ $INTERLEAVE -gt 0 ]]; then
    echo "interleaved: all proxies up at once, $INTERLEAVE rounds, each row the proxy's median run (segments.tsv has every run)"
  elif [[ $TOGETHER -gt 0 ]]; then
    echo "together: all proxies up and loaded at once, sharing CPU $PROXY_CPU, $TOGETHER rounds, each row the proxy's median run (segments.tsv has every run)"
  fi
  echo
  awk -F'\t' '
    { name[NR] = $1; rps[NR] = $2; p50[NR] = $3; p99[NR] = $4; err[NR] = $5; pc[NR] = $6; us[NR] = $7; lc[NR] = $8
      if ($1 == "fulcrum") { frps = $2; fp50 = $3; fp99 = $4; fus = $7 } }
    function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
    END {
      print "| proxy | requests/s | p50 ms | p99 ms | errors | proxy CPU % | proxy CPU µs/req | load CPU % | req/s Fulcrum/peer | p50 Fulcrum/peer | p99 Fulcrum/peer | µs/req Fulcrum/peer |"
      print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= NR; i++)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[i], rps[i], p50[i], p99[i], err[i], pc[i], us[i], lc[i],
          ratio(frps, rps[i]), ratio(fp50, p50[i]), ratio(fp99, p99[i]), ratio(fus, us[i])
    }' "$RESULTS"
  if [[ -s $RUN/ratios.txt ]]; then echo; cat "$RUN/ratios.txt"; fi
} | tee "$RUN/table.md"
if [[ -n $PROFILE && -f $RUN/$PROFILE.perf.data ]]; then
  echo >&2
  echo "profile of $PROFILE: $RUN/$PROFILE.perf-{modules,syscalls,dso,flat,tree}.txt" >&2
fi
