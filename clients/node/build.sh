#!/usr/bin/env bash
# Prepares the Node.js client for use from the source tree: installs its npm
# dependencies (npm ci, only when package.json or package-lock.json changed)
# and writes OUT_DIR/bin/hookbridge-subscribe, a launcher for
# `node clients/node/bin/hookbridge-subscribe.js`.
#
#   clients/node/build.sh [OUT_DIR]      # default: build/clients/node
#
# Idempotent, quick when up to date, and safe to run concurrently (flock).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo/build/clients/node}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v node >/dev/null || { echo "build.sh: node is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "build.sh: npm is not installed" >&2; exit 1; }

exec 9>"$here/.build.lock"
flock 9

# The same stamp as scripts/setup.sh: node_modules/.installed, newer than
# the manifest and the lock file.
stamp="$here/node_modules/.installed"
if [ ! -f "$stamp" ] || [ "$here/package.json" -nt "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
  echo "build.sh: npm ci in clients/node" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
  touch "$stamp"
fi

launcher="$out/bin/hookbridge-subscribe"
content="#!/bin/sh
# Runs the hookbridge Node.js client's CLI from the source tree.
exec node \"$here/bin/hookbridge-subscribe.js\" \"\$@\"
"
if [ ! -f "$launcher" ] || [ "$(cat "$launcher")" != "${content%$'\n'}" ]; then
  mkdir -p "$out/bin"
  printf '%s' "$content" >"$launcher.tmp.$$"
  chmod +x "$launcher.tmp.$$"
  mv -f "$launcher.tmp.$$" "$launcher"
fi
