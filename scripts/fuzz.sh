#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer + UBSan)
# into build-fuzz/ and runs each for a bounded time; docs/SECURITY.md,
# "Fuzzing and sanitizers".
#
#   scripts/fuzz.sh [--build-dir DIR] [seconds-per-target] [target...]
#
# Default: 60 s for each target. --build-dir runs the libFuzzer binaries of
# another clang build instead (scripts/test.sh uses build-asan/, configured
# with -DHOOKBRIDGE_LIBFUZZER=ON); otherwise build-fuzz/ is configured and
# built here.
#
# Each target starts from its committed seeds (fuzz/corpus/<target>/) and
# kept crash inputs (fuzz/regressions/<target>/); what it learns goes to
# build-fuzz/corpus/<target>/ (not committed). A crash, sanitizer report,
# leak, timeout or out-of-memory input is copied into
# fuzz/regressions/<target>/, which ctest replays in every build from then
# on, and the script fails. Prints, per target at the end, the executions
# and libFuzzer's final coverage: `cov` (code edges covered) and `ft`
# (features: edges with hit counts, comparisons), from the run's last
# status line (`#N DONE cov: ... ft: ...`).
#
# HOOKBRIDGE_FUZZ_JOBS: build parallelism, and how many targets run at once
# (default: the number of cores).
# HOOKBRIDGE_FUZZ_NO_BUILD=1: run the binaries as they are, without building.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh [--build-dir DIR] [seconds-per-target] [target...]" >&2
  exit 2
}
build_dir=build-fuzz
own_build=true
if [ "${1:-}" = "--build-dir" ]; then
  [ $# -ge 2 ] || usage
  build_dir=$2
  own_build=false
  shift 2
fi
seconds=${1:-60}
shift || true
case "$seconds" in
  '' | *[!0-9]*) usage ;;
esac

jobs=${HOOKBRIDGE_FUZZ_JOBS:-$(nproc)}
if [ -n "${HOOKBRIDGE_FUZZ_NO_BUILD:-}" ]; then
  :
elif $own_build; then
  scripts/setup.sh >/dev/null
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DHOOKBRIDGE_FUZZ=ON
  fi
  cmake --build "$build_dir" --parallel "$jobs"
else
  cmake --build "$build_dir" --parallel "$jobs" --target hookbridge_fuzzers
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build_dir"/bin/*_fuzzer; do targets+=("$(basename "$bin")"); done
fi

# Leaks are findings too (libFuzzer checks after each input that allocated
# more than it freed); UBSan reports carry a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for target in "${targets[@]}"; do
  [ -x "$build_dir/bin/$target" ] || { echo "fuzz: no such target: $target" >&2; exit 2; }
done

# Runs one target; its summary line goes to $build_dir/logs/<target>.result,
# "ok" or "FAILED" last.
fuzz_one() {
  local target=$1
  local bin="$build_dir/bin/$target"
  local work="$build_dir/corpus/$target"
  local artifacts="$build_dir/artifacts/$target"
  local log="$build_dir/logs/$target.log"
  local result="$build_dir/logs/$target.result"
  rm -rf "$artifacts" "$result"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  local dirs=("$work" "fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && dirs+=("fuzz/regressions/$target")

  # Dictionaries (fuzz/dict/): the config keys for the config loader, HTTP
  # syntax and header fields for the request path, JSON and the providers'
  # keys and headers for the provider targets and the JSON decoder's.
  local dict=()
  case "$target" in
    config_fuzzer) dict=(-dict=fuzz/dict/config.dict) ;;
    http_request_fuzzer) dict=(-dict=fuzz/dict/http.dict) ;;
    filter_fuzzer | log_record_fuzzer) ;;
    *) dict=(-dict=fuzz/dict/provider.dict) ;;
  esac

  echo "fuzz: $target for ${seconds} s (log: $log)"
  local status=0
  # New inputs land in the first directory only: the committed seeds stay
  # as they are. -timeout: one input taking 10 s is a finding (a hang).
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2560 \
    -artifact_prefix="$artifacts/" "${dict[@]}" "${dirs[@]}" >"$log" 2>&1 || status=$?

  local execs status_line cov ft figures
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  # The last status line (DONE, or pulse/NEW/REDUCE if the run was cut
  # short), e.g. "#123456  DONE   cov: 2345 ft: 6789 corp: ...".
  status_line=$(grep -E '^#[0-9]+[[:space:]].*cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status_line")
  figures=$(printf '%-30s %12s executions  cov %6s  ft %7s' "$target" "${execs:-?}" "${cov:-?}" \
    "${ft:-?}")
  local found=() f
  for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
    [ -e "$f" ] && found+=("$f")
  done
  if [ "$status" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    for f in "${found[@]}"; do
      mkdir -p "fuzz/regressions/$target"
      cp "$f" "fuzz/regressions/$target/"
    done
    {
      echo "fuzz: $target FAILED (exit $status); the report:"
      local report='^==[0-9]+== ?ERROR|runtime error|check failed'
      if grep -qE "$report" "$log"; then
        { grep -E -B 2 -A 30 "$report" "$log" || true; } | head -n 60
      else
        tail -n 40 "$log"
      fi
      for f in "${found[@]}"; do echo "fuzz: kept fuzz/regressions/$target/$(basename "$f")"; done
    } >&2
    echo "$figures  FAILED" >"$result"
  else
    echo "$figures  ok" >"$result"
  fi
}

# HOOKBRIDGE_FUZZ_JOBS targets at a time (each libFuzzer run uses one core).
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait

failed=()
summary=()
for target in "${targets[@]}"; do
  line=$(cat "$build_dir/logs/$target.result" 2>/dev/null || echo "$target  FAILED (no result)")
  summary+=("$line")
  [[ "$line" == *FAILED* ]] && failed+=("$target")
done

echo "fuzz: ${seconds} s per target"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs kept in fuzz/regressions/; commit them with the fix)" >&2
  exit 1
fi
