#!/usr/bin/env bash
# End-to-end latency: POST sent -> event received by a subscriber, at fixed
# offered rates, on the memory log and the file log (fsync: always), with
# this disk's fdatasync latency measured in the same run.
#
#   nice bench/latency.sh [--rates 1000,5000,20000] [--seconds S] [--connections N] [--json FILE]
#
# build/bin/load_gen runs open loop: request i is due at t0 + i / rate on one
# of N keep-alive connections, and its own gRPC subscriber (in the same
# process, with a token) timestamps each event's arrival. Latency counts from
# when a request was due, so a server that falls behind shows it (a due
# request waiting for a free connection is waiting). Writes JSON (default
# bench-latency.json).
set -euo pipefail
cd "$(dirname "$0")/.."
rates=1000,5000,20000 seconds=5 connections=64 json=bench-latency.json
while [ $# -gt 0 ]; do
  case $1 in
    --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: $0 [--rates R1,R2..] [--seconds S] [--connections N] [--json FILE]" >&2
       exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, $bin
require_bins load_gen hookbridge bench_log_append

# The disk under the file log ($work): fdatasync of a 1 KiB append, 1 s.
mkdir -p "$work/sync"
"$bin/bench_log_append" --threads= --dir "$work/sync" --json "$work/fdatasync.json" \
  | grep fdatasync

status=0
for backend in memory file; do
  start_hookbridge "$backend" "$backend"
  pids+=("$hb_pid")
  for rate in ${rates//,/ }; do
    HOOKBRIDGE_TOKEN=$bench_token "$bin/load_gen" --label "$backend-$rate" \
      --port "$http_port" --subscribe "127.0.0.1:$grpc_port" --rate "$rate" \
      --seconds "$seconds" --connections "$connections" \
      --json "$work/$backend-$rate.json" || status=1
  done
  stop_pid "$hb_pid"
done

python3 - "$work" "$json" "$rates" "$seconds" "$connections" <<'PY'
import json, sys
work, out, rates, seconds, connections = sys.argv[1:]
sync = json.load(open(f"{work}/fdatasync.json"))
runs = {}
for backend in ("memory", "file"):
    for rate in rates.split(","):
        runs[f"{backend}-{rate}"] = json.load(open(f"{work}/{backend}-{rate}.json"))
print()
print(f"end-to-end latency (POST due -> received by a subscriber), open loop, {seconds} s per rate, "
      f"{connections} connections")
print(f"this disk's fdatasync: p50 {sync['fdatasync_p50_us']:.0f} us, "
      f"p99 {sync['fdatasync_p99_us']:.0f} us")
print(f"{'log':<8}{'offered/s':>10}{'answered/s':>11}{'sent':>8}{'missing':>8}"
      f"{'p50 us':>10}{'p99 us':>10}{'p99.9 us':>10}{'max us':>10}")
for name, r in runs.items():
    e = r["e2e_latency_us"]
    print(f"{name.split('-')[0]:<8}{r['offered_rate']:>10.0f}{r['requests_per_s']:>11.0f}"
          f"{r['sent']:>8}{r['e2e_missing'] + r['unanswered']:>8}"
          f"{e['p50']:>10.1f}{e['p99']:>10.1f}{e['p99_9']:>10.1f}{e['max']:>10.1f}")
m5, f5 = runs.get("memory-5000"), runs.get("file-5000")
if m5 and f5:
    print(f"\n5k/s: memory p99 {m5['e2e_latency_us']['p99']:.0f} us (target <= 1000); "
          f"file p99 / fdatasync p99 = "
          f"{f5['e2e_latency_us']['p99'] / sync['fdatasync_p99_us']:.2f} (target <= 2)")
json.dump({"scenario": "latency", "fdatasync_p50_us": sync["fdatasync_p50_us"],
           "fdatasync_p99_us": sync["fdatasync_p99_us"], "runs": runs}, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
PY
exit $status
