#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests of bridge/ and the
# integration tests that start the real binary, then the same under
# AddressSanitizer + UBSan and a short fuzz run. This is what CI runs.
#
#   scripts/test.sh                     everything (CI)
#   scripts/test.sh --quick             the build stage only
#   scripts/test.sh [ctest args...]     the build stage only, e.g. -L unit or -R Pipeline
#
# Stages, each timed:
#   build   build/ (scripts/build.sh) and ctest; ctest args apply here
#   bench   every benchmark scenario for a few seconds against build/
#           (bench/smoke.sh): the harness keeps working; figures unchecked
#   first-hour
#           the README's quick start in a fresh clone of HEAD, built there
#           by its own scripts/run.sh, followed as written and stopped
#           (tests/readme/readme_test.py with HOOKBRIDGE_README_FRESH_CLONE)
#   image   the container image from the real Dockerfile with the executables
#           of build/ (scripts/image.sh --prebuilt), run in its own root
#           filesystem as its user (tests/image/image_test.py)
#   asan    build-asan/: clang, ASan + UBSan, the fuzz targets as libFuzzer
#           binaries; the unit and integration tests under it
#   fuzz    each fuzz target of build-asan/ for HOOKBRIDGE_FUZZ_SECONDS (6)
#           seconds (scripts/fuzz.sh); a crash fails and is kept in
#           fuzz/regressions/
#
# HOOKBRIDGE_TEST_STAGES="build asan" picks stages. docs/SECURITY.md,
# "Fuzzing and sanitizers", has the details.
set -euo pipefail
cd "$(dirname "$0")/.."

# ctest args select tests of the build stage, so they also mean --quick.
stages=${HOOKBRIDGE_TEST_STAGES:-build bench first-hour image asan fuzz}
if [ "${1:-}" = "--quick" ]; then
  stages=build
  shift
elif [ $# -gt 0 ] && [ -z "${HOOKBRIDGE_TEST_STAGES:-}" ]; then
  stages=build
fi
has_stage() { [[ " $stages " == *" $1 "* ]]; }
jobs=$(nproc)
timings=()
stage_start=0
begin() { stage_start=$(date +%s); echo "== $1"; }
done_stage() { timings+=("$1: $(($(date +%s) - stage_start)) s"); echo "${timings[-1]}"; }

if has_stage build; then
  begin "build"
  scripts/build.sh
  done_stage "build"
  begin "tests"
  ctest --test-dir "${HOOKBRIDGE_BUILD_DIR:-build}" --output-on-failure \
    --parallel "$jobs" --timeout 300 "$@"
  done_stage "tests"
fi

if has_stage bench; then
  begin "bench smoke"
  bench/smoke.sh
  done_stage "bench smoke"
fi

if has_stage first-hour; then
  begin "first hour"
  HOOKBRIDGE_README_FRESH_CLONE=1 python3 tests/readme/readme_test.py -v TryItTest
  done_stage "first hour"
fi

if has_stage image; then
  begin "image"
  scripts/image.sh --prebuilt
  python3 tests/image/image_test.py -v
  done_stage "image"
fi

# The sanitizer runtimes: every finding fails the process that has it (the
# integration tests see the server's exit code). Leak checking is on.
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

if has_stage asan || has_stage fuzz; then
  begin "asan build"
  scripts/setup.sh >/dev/null
  if [ ! -f build-asan/build.ninja ]; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DHOOKBRIDGE_SANITIZE=address,undefined \
      -DHOOKBRIDGE_LIBFUZZER=ON
  fi
  # What the tests run, not the benchmarks or the other languages' clients.
  cmake --build build-asan --parallel "$jobs" --target hookbridge hookbridge-tail hookbridge-ctl \
    bridge_tests client_tests console_tests server_tests integration_tests hookbridge_fuzzers
  done_stage "asan build"
fi

if has_stage asan; then
  begin "asan tests"
  # Not under ASan: the tests whose subject is another process (the client
  # libraries' CLIs and the installed C++ client package; a real Prometheus
  # scraping /metrics) and the
  # deployment checks and the console's browser test. The server paths they
  # reach (Subscribe, /metrics, /ui and /api/*) are what the C++ integration
  # tests drive as well.
  ctest --test-dir build-asan --output-on-failure --parallel "$jobs" --timeout 300 \
    -L 'unit|integration' -E 'ClientsTest|PrometheusTest|cpp_client_package'
  done_stage "asan tests"
fi

if has_stage fuzz; then
  begin "fuzz smoke"
  scripts/fuzz.sh --build-dir build-asan "${HOOKBRIDGE_FUZZ_SECONDS:-6}"
  done_stage "fuzz smoke"
fi

printf '%s\n' "${timings[@]}"
