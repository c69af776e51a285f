#!/usr/bin/env bash
# Installs the Debian packages Fulcrum's tests, benchmarks and docs use. Idempotent: when every
# package is already installed it touches nothing and needs no network. Append packages to PACKAGES.
set -euo pipefail

PACKAGES=(
  # peers for benchmarks and interop tests
  haproxy nginx libnginx-mod-stream
  # nginx with Brotli, the peer of bench/compression/run.sh
  libnginx-mod-http-brotli-filter
  # load generators and clients (gcc builds bench/l4/load-and-backends.c, the L4 comparison's load)
  wrk nghttp2-client iperf3 curl openssl gcc
  # cluster state and the virtual IP
  redis-server keepalived
  # second-chance rules for a planned VIP switchover (docs/ha.md)
  nftables
  # tools the tests and docs call (apache2-utils: htpasswd -B for the basic-auth tests)
  iproute2 tmux procps apache2-utils
  # the Debian package and its unit (dpkg-deb, systemd-analyze, systemd-sysusers; setpriv runs the unit's User=)
  dpkg systemd util-linux
  # metrics scraping and the dashboard's browser tests
  prometheus chromium
  # HTTP/2 frames for the hardening tests (for /usr/bin/python3)
  python3-h2
  # coverage-guided fuzzing of the parsers (fuzz/run.sh; the suite's short mode runs without it)
  afl++
  # the WAF: ModSecurity v3 (loaded by P/Invoke, no headers needed) and the OWASP Core Rule Set 3.3
  libmodsecurity3 modsecurity-crs
  # the dns listener's tests: dig asks it; MaxMind::DB::Writer builds the small geo databases they read
  bind9-dnsutils libmaxmind-db-writer-perl
  # anycast: BGP (with BFD) between the lab's nodes and its router (docs/gslb.md)
  bird2
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
