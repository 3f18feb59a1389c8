#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests of bridge/ and the
# integration tests that start the real binary. This is what CI runs.
#
#   scripts/test.sh [ctest args...]     e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
scripts/build.sh
built=$(date +%s)
echo "build: $((built - start)) s"

ctest --test-dir "${HOOKBRIDGE_BUILD_DIR:-build}" --output-on-failure \
  --parallel "$(nproc)" --timeout 300 "$@"
echo "tests: $(($(date +%s) - built)) s"
