# Shared by bench/l4/run.sh, bench/l7/run.sh and bench/tls/run.sh (sourced, not run): process
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

# wait_ready URL PID NAME [CURL_OPTION...]: polls until URL answers 200 (-k for a self-signed https
# proxy), the process exits, or READY_TIMEOUT seconds (default 60) pass.
wait_ready() {
  local url=$1 pid=$2 name=$3 deadline=$((SECONDS + ${READY_TIMEOUT:-60}))
  shift 3
  while [[ $SECONDS -lt $deadline ]]; do
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $name exited before it was ready (see $RUN/$name.log)" >&2; return 1; }
    if [[ $(curl -s "$@" -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: $name was not ready within ${READY_TIMEOUT:-60}s (see $RUN/$name.log)" >&2
  return 1
}

# build_release NAME CSPROJ: a Release build, its log in $RUN/build-NAME.log; exits the script on failure.
build_release() {
  local name=$1 project=$2
  dotnet build "$project" -c Release -nologo -v q >"$RUN/build-$name.log" 2>&1 \
    || { echo "run.sh: $name build failed (see $RUN/build-$name.log)" >&2; exit 1; }
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

# start_haproxy_http BIND: HAProxy in http mode on PROXY_CPU, one thread, round robin over
# BACKENDS with connection reuse. BIND is the whole bind line after "bind" (address and, for TLS,
# its options). Its pid is in PROXY_PID.
start_haproxy_http() {
  local cfg="$RUN/haproxy.cfg" b i=0
  {
    echo "global"
    echo "  nbthread 1"
    echo "  maxconn 4096"
    echo "defaults"
    echo "  mode http"
    echo "  timeout connect 5s"
    echo "  timeout client 30s"
    echo "  timeout server 30s"
    echo "frontend bench"
    echo "  bind $1"
    echo "  default_backend backends"
    echo "backend backends"
    echo "  balance roundrobin"
    echo "  http-reuse always"
    for b in "${BACKENDS[@]}"; do i=$((i + 1)); echo "  server b$i $b"; done
  } >"$cfg"
  taskset -c "$PROXY_CPU" haproxy -f "$cfg" -db >"$RUN/haproxy.log" 2>&1 &
  PROXY_PID=$!
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
  local port=$1 admin=${2:-} log=${3:-off} b
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
  echo "  - name: bench"
  echo "    bind: 127.0.0.1:$port"
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
  echo "      - pool: backends"
  echo "pools:"
  echo "  - name: backends"
  echo "    algorithm: round-robin"
  echo "    backends:"
  for b in "${BACKENDS[@]}"; do echo "      - { address: $b }"; done
}

# start_scraper ADMIN_PORT: a Prometheus-like scraper on LOAD_CPU, GET /metrics once a second until the
# script ends; its pid is in SCRAPER_PID and PIDS.
start_scraper() {
  taskset -c "$LOAD_CPU" bash -c "while sleep 1; do curl -s -o /dev/null --max-time 2 http://127.0.0.1:$1/metrics; done" &
  SCRAPER_PID=$!
  PIDS+=("$SCRAPER_PID")
}
