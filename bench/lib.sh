# Shared by bench/compare.sh, bench/l4/run.sh, bench/l7/run.sh and bench/tls/run.sh (sourced, not run): process
# bookkeeping, readiness polling, CPU and memory accounting, nginx configs and the Release build.
# The caller sets RUN (its output folder) and LOAD_CPU before it starts anything.

# ---- process bookkeeping: everything a script starts goes into PIDS and is stopped at exit --------
PIDS=()
stop_pid() {
  local pid=$1 deadline
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
  done
}

# wait_until PID NAME PROBE...: runs PROBE (a command) every 0.1 s until it succeeds, the process PID exits, or
# READY_TIMEOUT seconds (default 60) pass.
wait_until() {
  local pid=$1 name=$2 deadline=$((SECONDS + ${READY_TIMEOUT:-60}))
  shift 2
  while [[ $SECONDS -lt $deadline ]]; do
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $name exited before it was ready (see $RUN/$name.log)" >&2; return 1; }
    "$@" && return 0
    sleep 0.1
  done
  echo "run.sh: $name was not ready within ${READY_TIMEOUT:-60}s (see $RUN/$name.log)" >&2
  return 1
}

# answers_200 URL [CURL_OPTION...]: whether URL answers 200 within a second.
answers_200() {
  local url=$1
  shift
  [[ $(curl -s "$@" -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]
}

# wait_ready URL PID NAME [CURL_OPTION...]: polls until URL answers 200 (-k for a self-signed https
# proxy), the process exits, or READY_TIMEOUT seconds (default 60) pass.
wait_ready() {
  local url=$1 pid=$2 name=$3
  shift 3
  wait_until "$pid" "$name" answers_200 "$url" "$@"
}

# build_release NAME CSPROJ: a Release build, its log in $RUN/build-NAME.log; exits the script on failure.
build_release() {
  local name=$1 project=$2
  dotnet build "$project" -c Release -nologo -v q >"$RUN/build-$name.log" 2>&1 \
    || { echo "run.sh: $name build failed (see $RUN/build-$name.log)" >&2; exit 1; }
}

# make_bench_cert: a self-signed ECDSA P-256 certificate for bench.test in $RUN/certs: CERT and KEY (PEM), BUNDLE
# (both in one file, as HAProxy wants them). A directory of their own: Fulcrum watches the certificates' directory,
# and the logs written in $RUN during a run (h2load's, one line per request) would wake its watcher on every write.
make_bench_cert() {
  mkdir -p "$RUN/certs"
  CERT="$RUN/certs/bench.test.pem"; KEY="$RUN/certs/bench.test.key"; BUNDLE="$RUN/certs/bench.test.bundle.pem"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench.test" \
    -addext "subjectAltName=DNS:bench.test" -keyout "$KEY" -out "$CERT" 2>/dev/null
  cat "$CERT" "$KEY" >"$BUNDLE"
}

# ---- measuring ---------------------------------------------------------------------------------
# proc_sum PID FILE AWK: the sum of what AWK prints for /proc/P/FILE over a process and its children
# (nginx's worker is a child).
proc_sum() {
  local total=0 p v
  for p in "$1" $(pgrep -P "$1" || true); do
    v=$(awk "$3" "/proc/$p/$2" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
# CPU ticks (user + system) and RSS (KiB) of a process and its children.
proc_ticks() { proc_sum "$1" stat '{ print $14 + $15 }'; }
proc_rss_kib() { proc_sum "$1" status '/^VmRSS:/ { print $2 }'; }
# cpu_ticks CPU: that CPU's ticks from /proc/stat as "busy steal total" (busy: user, nice, system, irq, softirq;
# steal: time the hypervisor ran something else while this CPU wanted to run).
cpu_ticks() {
  awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4 + $7 + $8, $9, t }' /proc/stat
}
# tcp_segments: the host's TCP segments sent so far. On loopback each costs a CPU the packet's work; a request relayed
# with no ACK sent apart from its data takes four (client to proxy to backend and back).
tcp_segments() {
  awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $12 }' /proc/net/snmp
}
# cpu_percent T0 T1 SECONDS: share of one CPU the ticks between T0 and T1 are.
cpu_percent() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v d="$3" 'BEGIN { printf "%.0f", (b - a) / hz / d * 100 }'
}
# cpu_us_per T0 T1 COUNT: CPU µs per request (or handshake). Unlike a rate, it barely moves when other
# processes compete for the CPU, so it is the number to compare on a busy machine.
cpu_us_per() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v n="${3:-0}" 'BEGIN {
    if (n > 0) printf "%.1f", (b - a) / hz / n * 1e6; else print "nan" }'
}
# AWK_MEDIAN: an awk function, median(a, k), of a[1..k] (sorts a in place); put it before an awk program.
AWK_MEDIAN='
  function median(a, k,   i, j, t) {
    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }'
# wrk_rps LOG, wrk_requests LOG: requests per second (rounded) and requests done in one wrk run.
wrk_rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
wrk_requests() { awk '/requests in/ { print $1 }' "$1"; }
# wrk_errors LOG: non-2xx/3xx answers plus socket errors of one wrk run.
wrk_errors() {
  awk '/Non-2xx or 3xx responses:/ { n += $NF }
       /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
       END { print n + 0 }' "$1"
}

# to_ms V: wrk's latency ("805.00us", "1.20ms", "1.01s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}
# wrk_p99 LOG: the 99th percentile latency (ms) of a wrk --latency run.
wrk_p99() { to_ms "$(awk '$1 == "99%" { print $2 }' "$1")"; }

# signal_tree SIGNAL PID...: SIGNAL (STOP, CONT) to each PID and its children (nginx's worker). Interleaved
# runs keep every proxy up and stop the idle ones, so proxies measured seconds apart share the machine's drift.
signal_tree() {
  local sig=$1 pids=() p
  shift
  for p in "$@"; do pids+=("$p" $(pgrep -P "$p" || true)); done
  kill "-$sig" "${pids[@]}" 2>/dev/null || true
}

# ---- CPU quota -----------------------------------------------------------------------------------
# cpu_quota_group PERCENT: a new cgroup whose processes may use PERCENT of one CPU between them (a CFS quota over a
# 5 ms period, short so that a throttled proxy stalls for at most a few ms), on cgroup v2 or v1's `cpu` hierarchy.
# Prints its folder; the EXIT trap of the caller removes it with cpu_quota_remove once its processes are gone.
cpu_quota_group() {
  local percent=$1 dir period=5000
  local quota=$((period * percent / 100))
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
    dir=/sys/fs/cgroup/fulcrum-bench-$$
    mkdir -p "$dir" && echo "$quota $period" >"$dir/cpu.max" || return 1
  else
    dir=/sys/fs/cgroup/cpu/fulcrum-bench-$$
    mkdir -p "$dir" && echo "$period" >"$dir/cpu.cfs_period_us" && echo "$quota" >"$dir/cpu.cfs_quota_us" || return 1
  fi
  echo "$dir"
}
# cpu_quota_add DIR PID...: moves each process (all its threads) and its children into the group.
cpu_quota_add() {
  local dir=$1 p c
  shift
  for p in "$@"; do
    echo "$p" >"$dir/cgroup.procs"
    for c in $(pgrep -P "$p" || true); do echo "$c" >"$dir/cgroup.procs"; done
  done
}
cpu_quota_remove() { [[ -z ${1:-} ]] || rmdir "$1" 2>/dev/null || true; }

# ---- nginx ---------------------------------------------------------------------------------------
# http-block lines every nginx here needs: no access log, temp paths inside DIR (never /var/lib/nginx).
nginx_common() {
  local dir=$1 t
  echo "  access_log off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $dir/tmp/${t#client_};"; done
}

# run_nginx CPU DIR NAME: nginx with DIR/nginx.conf in the foreground, pinned to CPU, output in
# $RUN/NAME.log; $! is its pid afterwards.
run_nginx() {
  local cpu=$1 dir=$2 name=$3
  taskset -c "$cpu" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' >"$RUN/$name.log" 2>&1 &
}

# start_nginx_backends CONNECTIONS KEEPALIVE_TIMEOUT ADDRESS...: one nginx on LOAD_CPU answering
# 200 "ok\n" on each address; returns once every one answers. Its pid is in BACKENDS_PID and PIDS.
start_nginx_backends() {
  local connections=$1 timeout=$2 dir="$RUN/backends" b
  shift 2
  mkdir -p "$dir/tmp"
  {
    echo "worker_processes 1;"
    echo "worker_rlimit_nofile $(ulimit -n);"
    echo "pid $dir/nginx.pid;"
    echo "events { worker_connections $connections; }"
    echo "http {"
    nginx_common "$dir"
    # keepalive_requests high so no proxy pays for reconnects every 1000 requests (nginx's default);
    # long timeouts so idle proxied connections (bench/l4 (d)) stay open.
    echo "  keepalive_requests 1000000;"
    echo "  keepalive_timeout $timeout;"
    echo "  client_header_timeout $timeout;"
    for b in "$@"; do
      echo "  server { listen $b; location / { default_type text/plain; return 200 \"ok\\n\"; } }"
    done
    echo "}"
  } >"$dir/nginx.conf"
  run_nginx "$LOAD_CPU" "$dir" backends
  BACKENDS_PID=$!
  PIDS+=("$BACKENDS_PID")
  for b in "$@"; do wait_ready "http://$b/" "$BACKENDS_PID" backends; done
}

# haproxy_head MODE MAXCONN CLIENT_TIMEOUT: HAProxy's global section (one thread) and a defaults section for MODE
# (http or tcp); the frontends and backends printed after it take those defaults. A second haproxy_defaults
# further down switches the sections after it to another mode.
haproxy_head() {
  echo "global"
  echo "  nbthread 1"
  echo "  maxconn $2"
  haproxy_defaults "$1" "$3"
}
haproxy_defaults() {
  echo "defaults"
  echo "  mode $1"
  echo "  timeout connect 5s"
  echo "  timeout client $2"
  echo "  timeout server $2"
}

# haproxy_proxy NAME BIND ADDRESS...: a frontend NAME on BIND (the whole bind line after "bind": address
# and, for TLS, its options) and its backend, round robin over ADDRESS...; with connection reuse to the
# backends unless HAPROXY_MODE=tcp (the mode of the defaults above it).
haproxy_proxy() {
  local name=$1 bind=$2 b i=0
  shift 2
  echo "frontend $name"
  echo "  bind $bind"
  echo "  default_backend $name"
  echo "backend $name"
  echo "  balance roundrobin"
  [[ ${HAPROXY_MODE:-http} == tcp ]] || echo "  http-reuse always"
  for b in "$@"; do i=$((i + 1)); echo "  server b$i $b"; done
}

# run_haproxy CFG NAME: HAProxy with CFG in the foreground on PROXY_CPU, output in $RUN/NAME.log; its pid in
# PROXY_PID.
run_haproxy() {
  taskset -c "$PROXY_CPU" haproxy -f "$1" -db >"$RUN/$2.log" 2>&1 &
  PROXY_PID=$!
}

# start_haproxy_http BIND: HAProxy in http mode on PROXY_CPU, one thread, round robin over
# BACKENDS with connection reuse. BIND is the whole bind line after "bind" (address and, for TLS,
# its options). Its pid is in PROXY_PID.
start_haproxy_http() {
  {
    haproxy_head http 4096 30s
    haproxy_proxy bench "$1" "${BACKENDS[@]}"
  } >"$RUN/haproxy.cfg"
  run_haproxy "$RUN/haproxy.cfg" haproxy
}

# ---- nginx as the proxy ------------------------------------------------------------------------
# nginx_upstream NAME ADDRESS...: an http upstream with idle connections kept to the backends.
nginx_upstream() {
  local name=$1 b
  shift
  echo "  upstream $name {"
  for b in "$@"; do echo "    server $b;"; done
  echo "    keepalive 64;"
  echo "    keepalive_requests 1000000;"
  echo "  }"
}

# nginx_proxy_server LISTEN UPSTREAM [CERT KEY]: a server on LISTEN (address and flags, e.g. "127.0.0.1:80"
# or "127.0.0.1:443 ssl http2") proxying everything to UPSTREAM over HTTP/1.1 keep-alive; with CERT and KEY,
# TLS 1.2-1.3 with that certificate. "listen ... ssl http2" works on every nginx since 1.9.5 (newer ones
# prefer "http2 on;").
nginx_proxy_server() {
  echo "  server {"
  echo "    listen $1;"
  if [[ -n ${3:-} ]]; then
    echo "    ssl_certificate $3; ssl_certificate_key $4;"
    echo "    ssl_protocols TLSv1.2 TLSv1.3;"
  fi
  echo "    location / { proxy_pass http://$2; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
  echo "  }"
}

# nginx_stream_proxy NAME LISTEN ADDRESS...: (inside a stream block) an upstream NAME, round robin over
# ADDRESS..., and a server on LISTEN passing TCP to it.
nginx_stream_proxy() {
  local name=$1 listen=$2 b
  shift 2
  echo "  upstream $name {"
  for b in "$@"; do echo "    server $b;"; done
  echo "  }"
  echo "  server { listen $listen; proxy_pass $name; }"
}

# ---- .NET proxies --------------------------------------------------------------------------------
# Workstation, non-concurrent GC (as src/Fulcrum's csproj): one CPU, one heap, no background GC thread.
DOTNET_BENCH_ENV=(DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_TieredPGO=1)

# DOTNET_EXTRA_ENV ("KEY=VALUE ...", for experiments) as an array, in DOTNET_EXTRA.
dotnet_extra_env() {
  DOTNET_EXTRA=()
  # shellcheck disable=SC2206 # word splitting intended: "KEY=VALUE KEY=VALUE"
  [[ -n ${DOTNET_EXTRA_ENV:-} ]] && DOTNET_EXTRA+=($DOTNET_EXTRA_ENV)
  return 0
}

# ---- Fulcrum -------------------------------------------------------------------------------------
# fulcrum_http_config PORT [ADMIN_PORT [ACCESS_LOG]]: prints the benchmarks' Fulcrum config: one http
# listener on 127.0.0.1:PORT, one route, a round-robin pool of BACKENDS, every default on. With ADMIN_PORT,
# the admin API (and /metrics) on it; with ACCESS_LOG (a path; "off" for none), a JSON access log there:
# keep it out of the config's folder, which the config reloader watches (every write would wake it).
# FULCRUM_LISTENER_KEYS: extra listener keys, e.g. "forwarded-headers: false; request-id: false".
# FULCRUM_TLS_CERT and FULCRUM_TLS_KEY (PEM paths): an https listener with that certificate instead.
fulcrum_http_config() {
  local port=$1 admin=${2:-} log=${3:-off}
  if [[ -n $admin ]]; then
    echo "admin:"
    echo "  bind: 127.0.0.1:$admin"
  fi
  if [[ $log != off ]]; then
    echo "access-log:"
    echo "  path: $log"
    echo "  format: json"
  fi
  echo "listeners:"
  fulcrum_http_listener bench "$port"
  echo "pools:"
  fulcrum_pool backends "${BACKENDS[@]}"
}

# fulcrum_http_listener NAME PORT [POOL]: one entry of a Fulcrum config's listeners list: http on
# 127.0.0.1:PORT (https with FULCRUM_TLS_CERT and FULCRUM_TLS_KEY), FULCRUM_LISTENER_KEYS added, one route
# to POOL (default backends).
fulcrum_http_listener() {
  echo "  - name: $1"
  echo "    bind: 127.0.0.1:$2"
  if [[ -n ${FULCRUM_TLS_CERT:-} ]]; then
    echo "    protocol: https"
    echo "    tls:"
    echo "      certificates:"
    echo "        - { cert: $FULCRUM_TLS_CERT, key: ${FULCRUM_TLS_KEY:?FULCRUM_TLS_KEY goes with FULCRUM_TLS_CERT} }"
  else
    echo "    protocol: http"
  fi
  if [[ -n ${FULCRUM_LISTENER_KEYS:-} ]]; then
    tr ';' '\n' <<<"$FULCRUM_LISTENER_KEYS" | sed 's/^ *//; s/^/    /'
  fi
  echo "    routes:"
  echo "      - pool: ${3:-backends}"
}

# fulcrum_pool NAME ADDRESS...: one entry of a Fulcrum config's pools list, round robin over ADDRESS...
fulcrum_pool() {
  local b
  echo "  - name: $1"
  echo "    algorithm: round-robin"
  echo "    backends:"
  shift
  for b in "$@"; do echo "      - { address: $b }"; done
}

# start_scraper ADMIN_PORT: a Prometheus-like scraper on LOAD_CPU, GET /metrics once a second until the
# script ends; its pid is in SCRAPER_PID and PIDS.
start_scraper() {
  taskset -c "$LOAD_CPU" bash -c "while sleep 1; do curl -s -o /dev/null --max-time 2 http://127.0.0.1:$1/metrics; done" &
  SCRAPER_PID=$!
  PIDS+=("$SCRAPER_PID")
}
