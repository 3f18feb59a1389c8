#!/usr/bin/env bash
# Installs what the benchmarks need beyond the build: Debian's nginx (the
# ingest baseline). Idempotent; benchmarks are run by hand, so this is not
# part of scripts/setup.sh.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# nginx-light is enough (a static 204); fall back to nginx where it is not packaged.
$sudo apt-get install -y -qq --no-install-recommends nginx-light \
  || $sudo apt-get install -y -qq --no-install-recommends nginx
# The package starts a system nginx on port 80; the benchmarks run their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $sudo systemctl stop nginx || true
fi
