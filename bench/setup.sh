#!/usr/bin/env bash
# Installs what the benchmarks need beyond the build: Debian's nginx (the
# ingest baseline) and nats-server (the fan-out baseline).
#
#   bench/setup.sh [nginx] [nats-server]     # no argument: both
#
# Idempotent; benchmarks are run by hand, so this is not part of
# scripts/setup.sh. The fan-out baseline's client, nats_fanout, also needs
# the NATS C client's headers when the project is configured (libnats-dev,
# found with pkg-config); without them it is not built and bench/fanout.sh
# runs without its baseline.
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(nginx nats-server)
missing=()
for tool in "${wanted[@]}"; do
  case $tool in
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx) ;;
    nats-server) command -v nats-server >/dev/null 2>&1 || missing+=(nats-server) ;;
    *) echo "usage: $0 [nginx] [nats-server]" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -gt 0 ] || exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
for tool in "${missing[@]}"; do
  case $tool in
    nginx)
      # nginx-light is enough (a static 204); fall back to nginx where it is not packaged.
      $sudo apt-get install -y -qq --no-install-recommends nginx-light \
        || $sudo apt-get install -y -qq --no-install-recommends nginx
      # The package starts a system nginx on port 80; the benchmarks run their own.
      if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
        $sudo systemctl stop nginx || true
      fi
      ;;
    nats-server)
      # The benchmark starts its own server on a free loopback port.
      $sudo apt-get install -y -qq --no-install-recommends nats-server
      ;;
  esac
done
