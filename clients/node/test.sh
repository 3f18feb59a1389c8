#!/usr/bin/env bash
# Runs the Node.js client's tests (no hookbridge server needed): the unit
# tests (node --test, with an in-process fake server), the type check of
# the declarations (tsc --noEmit), a check that types/generated matches
# proto/, and `npm pack` installed into a scratch project (require, import,
# the bin, the .proto files inside). Exits non-zero on any failure.
#
#   clients/node/test.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/build.sh" >/dev/null
cd "$here"

status=0

echo "== types: tsc --noEmit"
if ! node_modules/.bin/tsc --noEmit -p tsconfig.json; then
  echo "test.sh: the type check failed" >&2
  status=1
fi

echo "== types: generated declarations up to date with proto/"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
node scripts/generate-types.js "$fresh/generated"
if ! diff -r types/generated "$fresh/generated" >/dev/null; then
  echo "test.sh: types/generated is stale: run 'npm run generate-types' in clients/node" >&2
  status=1
fi

echo "== package: npm pack, installed into a scratch project"
scratch="$(mktemp -d)"
trap 'rm -rf "$fresh" "$scratch"' EXIT
if tarball="$(npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -1)" &&
   (cd "$scratch" && npm init -y >/dev/null &&
    npm install --prefer-offline --no-audit --no-fund --loglevel=error "./$tarball" >/dev/null) &&
   (cd "$scratch" && node -e "const h = require('@hookbridge/client'); if (typeof h.Client !== 'function') process.exit(1)" &&
    node --input-type=module -e "import { Client } from '@hookbridge/client'; if (typeof Client !== 'function') process.exit(1)" &&
    test -f node_modules/@hookbridge/client/proto/hookbridge/v1/service.proto &&
    node_modules/.bin/hookbridge-subscribe --help >/dev/null); then
  :
else
  echo "test.sh: the packed tarball does not install or load" >&2
  status=1
fi

echo "== unit tests: node --test"
if ! node --test test/*.test.js; then
  status=1
fi

exit "$status"
