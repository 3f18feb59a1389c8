#!/usr/bin/env bash
# Server instructions per ingested webhook, counted by callgrind: a figure
# that repeats from run to run (to a fraction of a percent), unlike CPU time
# on a shared machine, and where they go.
#
#   bench/ingest_callgrind.sh [--requests N] [--connections C] [--top K] [--out FILE]
#
# Starts hookbridge (memory log) under valgrind --tool=callgrind with
# instrumentation off, attaches load_gen's subscriber (Subscribe, as in
# bench/ingest.sh), posts N/4 requests to warm up, then counts the
# instructions of every server thread while load_gen posts N more signed
# ~1 KiB CKEditor comment.added webhooks over C keep-alive connections (and
# the subscriber receives them). Prints instructions per request and the K
# functions with the most inclusive instructions; keeps the callgrind file
# (default bench-ingest.callgrind) for callgrind_annotate.
#
# Valgrind's CPU hides some extensions (SHA, AVX-512): OpenSSL's SHA-256 and
# HMAC take their generic code here, so those count more instructions than
# they run natively. Compare builds with this, not with perf's counts.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=2000 connections=8 top=40 out=bench-ingest.callgrind
while [ $# -gt 0 ]; do
  case $1 in
    --requests) requests=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--requests N] [--connections C] [--top K] [--out FILE]" >&2; exit 2 ;;
  esac
done
. bench/common.sh
require_bins load_gen hookbridge
command -v callgrind_control >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }

hb_wrapper="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$work/callgrind.out"
start_hookbridge memory memory
pids+=("$hb_pid")
post() {  # post N: N requests, closed loop, with the subscriber
  HOOKBRIDGE_TOKEN=$bench_token "$bin/load_gen" --port "$http_port" --connections "$connections" \
    --seconds 3600 --max_events "$1" --subscribe "127.0.0.1:$grpc_port" --drain_seconds 30 \
    --json "$work/load.json" >"$work/load.out"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["answered"]); sys.exit(0 if r["answered"] == int(sys.argv[2]) and set(r["status"]) == {"200"} else 1)' \
    "$work/load.json" "$1"
}
post $((requests / 4)) >/dev/null || { echo "warm-up failed" >&2; cat "$work/load.out" >&2; exit 1; }
callgrind_control -i on "$hb_pid" >/dev/null 2>&1
callgrind_control -z "$hb_pid" >/dev/null 2>&1
answered=$(post "$requests") || { echo "run failed" >&2; cat "$work/load.out" >&2; exit 1; }
callgrind_control -d "$hb_pid" >/dev/null 2>&1
stop_pid "$hb_pid"
# The dump taken after the run (the file written at exit holds nothing).
cp "$work/callgrind.out.1" "$out"
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "requests: $answered; server instructions: $total; per request: $((total / answered))"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk -v n="$answered" -v top="$top" '
  /^-+$/ { section++ } section >= 4 && /^ *[0-9,]+ / && shown < top {
    ir = $1; gsub(",", "", ir); line = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", line);
    printf "%9d  %s\n", ir / n, substr(line, 1, 150); shown++ }'
echo "callgrind file: $out"
