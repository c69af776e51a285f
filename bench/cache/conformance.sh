#!/usr/bin/env bash
# RFC 9111 conformance yardstick: the npm package http-cache-tests (its server plays the origin, its CLI drives the
# cache under test) run against Fulcrum's cache and against nginx's proxy_cache, one after the other, on this machine.
# Prints both summaries (summary.mjs: passed, failed by kind, and every failed required test) and keeps the raw
# results in OUT.
#
# usage: bench/cache/conformance.sh [--no-build] [fulcrum|nginx ...]   (default: both)
# env: OUT (default bench/.bench-out/cache-conformance), CACHE_TESTS_DIR (where the npm package is installed;
#      default $OUT/npm, installed there with `npm install http-cache-tests` on first use),
#      CACHE_TESTS_VERSION (default 0.4.5)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/cache"
OUT=${OUT:-$ROOT/bench/.bench-out/cache-conformance}
RUN="$OUT/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
require_tools node npm nginx curl python3 dotnet

BUILD=1
TARGETS=()
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    fulcrum|nginx) TARGETS+=("$arg") ;;
    *) echo "usage: $0 [--no-build] [fulcrum|nginx ...]" >&2; exit 2 ;;
  esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(fulcrum nginx)

SUITE=${CACHE_TESTS_DIR:-$OUT/npm}
if [[ ! -f $SUITE/node_modules/http-cache-tests/cli.mjs ]]; then
  mkdir -p "$SUITE"
  (cd "$SUITE" && npm install --no-audit --no-fund "http-cache-tests@${CACHE_TESTS_VERSION:-0.4.5}" >"$RUN/npm.log" 2>&1) \
    || { echo "conformance.sh: npm install http-cache-tests failed (see $RUN/npm.log)" >&2; exit 1; }
fi
PKG="$SUITE/node_modules/http-cache-tests"

mapfile -t PORTS < <(python3 "$ROOT/bench/l7/free-ports.py" 3)
ORIGIN=${PORTS[0]}

# The origin. It listens on every address (the package's own choice); the caches reach it on 127.0.0.1 only.
(cd "$PKG" && npm_config_port=$ORIGIN npm_config_protocol=http npm_config_pidfile="$RUN/origin.pid" exec node server/server.mjs) >"$RUN/origin.log" 2>&1 &
ORIGIN_PID=$!
PIDS+=("$ORIGIN_PID")
deadline=$((SECONDS + 30))
until curl -s -o /dev/null "http://127.0.0.1:$ORIGIN/"; do
  kill -0 "$ORIGIN_PID" 2>/dev/null || { echo "conformance.sh: the origin exited (see $RUN/origin.log)" >&2; exit 1; }
  [[ $SECONDS -lt $deadline ]] || { echo "conformance.sh: the origin did not start" >&2; exit 1; }
  sleep 0.2
done

# run_suite NAME PORT: the whole suite through the cache on PORT; results in $RUN/NAME.json.
run_suite() {
  local name=$1 port=$2
  # The CLI runs every test once; bounded so a cache that hangs cannot stall the script.
  (cd "$PKG" && timeout 900 env npm_config_base="http://127.0.0.1:$port" npm_config_id="" npm_package_config_id="" node --no-warnings cli.mjs) >"$RUN/$name.json" 2>"$RUN/$name.err" \
    || { echo "conformance.sh: the suite against $name failed (see $RUN/$name.err)" >&2; return 1; }
  echo "== $name"
  node "$HERE/summary.mjs" "$PKG" "$RUN/$name.json" | tee "$RUN/$name.summary"
}

for target in "${TARGETS[@]}"; do
  case "$target" in
    fulcrum)
      if [[ $BUILD == 1 ]]; then build_release fulcrum "$ROOT/src/Fulcrum/Fulcrum.csproj"; fi
      port=${PORTS[1]}
      cat >"$RUN/fulcrum.yaml" <<YAML
listeners:
  - name: cache-tests
    bind: 127.0.0.1:$port
    protocol: http
    routes:
      - pool: origin
        cache: { max-size: 64MiB }
pools:
  - name: origin
    backends: [ { address: 127.0.0.1:$ORIGIN } ]
YAML
      dotnet "$ROOT/src/Fulcrum/bin/Release/net10.0/fulcrum.dll" run -c "$RUN/fulcrum.yaml" >"$RUN/fulcrum.log" 2>&1 &
      pid=$!
      PIDS+=("$pid")
      wait_ready "http://127.0.0.1:$port/" "$pid" fulcrum || true
      run_suite fulcrum "$port"
      stop_pid "$pid"
      ;;
    nginx)
      port=${PORTS[2]}
      dir="$RUN/nginx"
      mkdir -p "$dir/tmp" "$dir/cache"
      # proxy_cache as its documentation sets it up, with revalidation on (conditional requests for stale entries).
      cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
$(nginx_common "$dir")
  proxy_cache_path $dir/cache levels=1:2 keys_zone=cachetests:8m max_size=64m inactive=600m;
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://127.0.0.1:$ORIGIN;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache cachetests;
      proxy_cache_revalidate on;
    }
  }
}
NGINX
      run_nginx 0 "$dir" nginx
      pid=$!
      PIDS+=("$pid")
      sleep 0.5
      run_suite nginx "$port"
      stop_pid "$pid"
      ;;
  esac
done
echo "results in $RUN"
