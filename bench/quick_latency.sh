#!/usr/bin/env bash
# Ingest-to-subscriber latency, quick look: starts build/bin/hookbridge on
# loopback with the given log backend, one hookbridge-tail subscriber, posts
# N signed webhooks one after the other, and prints the server's own
# histograms (hookbridge_ingest_duration_seconds: request read -> answered;
# hookbridge_delivery_latency_seconds: received -> written to the
# subscriber).
#
#   bench/quick_latency.sh [memory|file] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-memory}
n=${2:-3000}
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, $bin
start_hookbridge quick "$backend"
pids+=("$hb_pid")

HOOKBRIDGE_TOKEN=$bench_token "$bin/hookbridge-tail" --target "127.0.0.1:$grpc_port" --count "$n" >/dev/null &
tail_pid=$!
sleep 0.3  # let the subscription start before posting (a quick look, not a test)
echo "== log backend: $backend"
bench/post_signed.py "$http_port" "$n" bench-secret
wait $tail_pid
curl -s "http://127.0.0.1:$admin_port/metrics" | awk '
  /^hookbridge_(ingest_duration|delivery_latency)_seconds_(sum|count)/ { v[$1] = $2 }
  /^hookbridge_(ingest_duration|delivery_latency)_seconds_bucket/ { print }
  END {
    for (m in v) if (m ~ /_sum$/) {
      base = m; sub(/_sum$/, "", base)
      printf "%s mean %.3f ms\n", base, 1000 * v[m] / v[base "_count"]
    }
  }' | grep -E 'mean|le="0.0005"|le="0.001"|le="0.0025"|le="0.005"'
