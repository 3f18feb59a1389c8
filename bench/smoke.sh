#!/usr/bin/env bash
# Smoke test of every benchmark scenario, for CI: each runs for seconds with
# tiny parameters. Fails if a scenario fails or does not write parseable
# JSON; no assertion on the figures themselves.
#
#   bench/smoke.sh
#
# Uses the binaries in $HOOKBRIDGE_BUILD_DIR/bin (default build/bin), like
# the scenarios themselves.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failed=()
run() {  # run NAME COMMAND...: the scenario must succeed and write $out/NAME.json
  local name=$1
  shift
  echo "== $name: $*"
  local start=$SECONDS
  if ! "$@" --json "$out/$name.json"; then
    failed+=("$name (exit status)")
  elif ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/$name.json"; then
    failed+=("$name (no parseable JSON)")
  fi
  echo "== $name: $((SECONDS - start)) s"
}

run ingest bench/ingest.sh --seconds 1 --connections 8
run latency bench/latency.sh --rates 500 --seconds 1 --connections 8
# Where its NATS baseline can run (nats-server installed, nats_latency
# built), it must have run.
if command -v nats-server >/dev/null 2>&1 && [ -x "${HOOKBRIDGE_BUILD_DIR:-build}/bin/nats_latency" ] &&
  ! python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
sys.exit(0 if r["nats_baseline"] == "ran" and "nats-500" in r["runs"] else 1)' \
    "$out/latency.json" 2>/dev/null; then
  failed+=("latency (no NATS baseline)")
fi
run fanout bench/fanout.sh --subscribers 1,10 --events 200 --seconds-limit 30
run memory bench/memory.sh --streams 100 --events 500 --seconds-limit 30
run scaleout bench/scaleout.sh --seconds 1 --connections 8 --subscribers 10 --events 200
run consume bench/consume.sh --members 1,3 --events 2000 --seconds-limit 30
run scan_isolation bench/scan_isolation.sh --mib 64
run replay bench/replay.sh --events 2000
run restart bench/restart.sh --events 500,2000

echo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'smoke: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "smoke: every scenario ran and wrote its JSON"
