#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds
# hookbridge into build/ (executables in build/bin/). Incremental: a second
# run only rebuilds what changed.
#
#   scripts/build.sh [extra cmake args...]
#
# HOOKBRIDGE_TARGETS="hookbridge hookbridge-tail" builds only those targets.
# HOOKBRIDGE_NO_CCACHE=1 configures a new build directory without ccache.
set -euo pipefail
cd "$(dirname "$0")/.."

# Images and run.sh only need the build packages; tests need the rest.
if [ -n "${HOOKBRIDGE_TARGETS:-}" ]; then scripts/setup.sh --build-only; else scripts/setup.sh; fi
build_dir=${HOOKBRIDGE_BUILD_DIR:-build}
# ccache, where installed (scripts/setup.sh installs it for tests): paths
# under the checkout are hashed relative to it, so that another checkout of
# the same sources (the test run's first-hour check builds a fresh clone)
# compiles from the cache.
launcher=()
if command -v ccache >/dev/null 2>&1 && [ -z "${HOOKBRIDGE_NO_CCACHE:-}" ]; then
  # (pch_defines,time_macros: what ccache needs to cache the compiles that
  # use a precompiled header.)
  launcher=("-DCMAKE_CXX_COMPILER_LAUNCHER=env;CCACHE_BASEDIR=$PWD;CCACHE_NOHASHDIR=1;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;ccache")
fi
if [ ! -f "$build_dir/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
    "${launcher[@]}" "$@"
fi
targets=()
for t in ${HOOKBRIDGE_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}"
