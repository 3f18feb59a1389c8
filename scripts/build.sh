#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds
# hookbridge into build/ (executables in build/bin/). Incremental: a second
# run only rebuilds what changed.
#
#   scripts/build.sh [extra cmake args...]
#
# HOOKBRIDGE_TARGETS="hookbridge hookbridge-tail" builds only those targets.
set -euo pipefail
cd "$(dirname "$0")/.."

# Images and run.sh only need the build packages; tests need the rest.
if [ -n "${HOOKBRIDGE_TARGETS:-}" ]; then scripts/setup.sh --build-only; else scripts/setup.sh; fi
build_dir=${HOOKBRIDGE_BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@"
fi
targets=()
for t in ${HOOKBRIDGE_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}"
