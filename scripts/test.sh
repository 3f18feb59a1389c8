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
#   build   build/ (scripts/build.sh) and ctest; ctest args apply here. In
#           the full run, build/ gets the service, its tools, the clients and
#           the benchmarks, and ctest runs the tests of the product from
#           outside (clients, deployment, README, signature schemes end to
#           end, browser); the unit and integration tests run once, in asan
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
#           binaries; every unit and integration test under it
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

# With the asan stage and no ctest arguments (the full run, CI), the unit
# and integration tests are built and run once, under the sanitizers
# (build-asan/); this build makes what the other stages and the tests of
# the product from outside run: the service, its tools, the client
# libraries and the benchmarks.
sanitized_only=false
if has_stage asan && [ $# -eq 0 ]; then sanitized_only=true; fi

if has_stage build; then
  begin "build"
  if $sanitized_only; then
    # Everything the tests need first: with HOOKBRIDGE_TARGETS, build.sh
    # installs only what building needs.
    scripts/setup.sh
    HOOKBRIDGE_TARGETS="hookbridge_product hookbridge_benchmarks" scripts/build.sh
  else
    scripts/build.sh
  fi
  done_stage "build"
  begin "tests"
  if $sanitized_only; then
    # The clients, the deployment checks, the README, the signature
    # schemes end to end, the console in a browser, the C++ client package.
    # (The test binaries this build did not make stand for their tests as
    # <binary>_NOT_BUILT.)
    ctest --test-dir "${HOOKBRIDGE_BUILD_DIR:-build}" --output-on-failure \
      --parallel "$jobs" --timeout 300 -LE '^(unit|gtest-unit|integration)$' -E '_NOT_BUILT$'
  else
    ctest --test-dir "${HOOKBRIDGE_BUILD_DIR:-build}" --output-on-failure \
      --parallel "$jobs" --timeout 300 "$@"
  fi
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
# Leaks inside Debian's own (uninstrumented) libraries, freed by nobody at
# exit; tests/lsan.supp says which and why.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

if has_stage asan || has_stage fuzz; then
  begin "asan build"
  scripts/setup.sh >/dev/null
  if [ ! -f build-asan/build.ninja ]; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DHOOKBRIDGE_SANITIZE=address,undefined \
      -DHOOKBRIDGE_LIBFUZZER=ON
  fi
  # What the unit and integration tests run (ClientsTest runs the other
  # languages' prepared clients), not the benchmarks.
  # The Go client is the same program in both builds: its compile cache is
  # build/'s (clients/go/build.sh keeps it with the build).
  GOCACHE="${GOCACHE:-$PWD/${HOOKBRIDGE_BUILD_DIR:-build}/clients/go/cache}" \
    cmake --build build-asan --parallel "$jobs" --target hookbridge_product \
      bridge_tests client_tests console_tests server_tests integration_tests hookbridge_fuzzers
  done_stage "asan build"
fi

if has_stage asan; then
  begin "asan tests"
  # Every unit and integration test, each run once in the full run: the
  # server they start is the sanitized one. (The tests of the product from
  # outside ran against build/ in the tests stage.) The unit test binaries
  # run whole, one process each (their tests' label, gtest-unit, is left
  # out of the ctest run: a process per test costs more under the
  # sanitizers than most of their tests take); the rest through ctest, a
  # process per test.
  printf '%s\n' bridge_tests client_tests console_tests server_tests |
    xargs -P "$jobs" -n 1 sh -c 'exec build-asan/bin/"$1" --gtest_brief=1' run
  ctest --test-dir build-asan --output-on-failure --parallel "$jobs" --timeout 300 \
    -L '^(unit|integration)$'
  done_stage "asan tests"
fi

if has_stage fuzz; then
  begin "fuzz smoke"
  scripts/fuzz.sh --build-dir build-asan "${HOOKBRIDGE_FUZZ_SECONDS:-6}"
  done_stage "fuzz smoke"
fi

printf '%s\n' "${timings[@]}"
