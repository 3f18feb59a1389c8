#!/usr/bin/env bash
# One subscriber scanning a multi-GB log stalls no one else. hookbridge (file
# log, fsync: always) takes G GiB of ~1 MiB webhooks; then a subscriber
# starts from the earliest event with a filter that matches none of them
# (`--types never.sent`), so it reads the whole log and delivers nothing.
# While it scans, every 100 ms:
#   /metrics   one scrape (it asks every stream for its position: MaxLag),
#              timed with curl;
#   subscribe  every 10th probe, a new hookbridge-tail that starts after the
#              log's last event, and one more webhook: the time from the
#              tail's start to its exit with that event (process start,
#              subscription, the append and the delivery).
# The scan is over when hookbridge_subscriber_max_lag_events is 0. The same
# probes run first with no scan, for comparison.
# With --drop-caches (root only) the page cache is dropped first, so that
# the scan reads the disk.
#
#   nice bench/scan_isolation.sh [--mib M] [--drop-caches] [--json FILE]
#
# Prints the scan's duration and rate and the probes' p50 / p99 / max;
# writes JSON (default bench-scan-isolation.json). M MiB of bodies (default
# 2048) make a log of about twice that (an event keeps its decoded payload
# and its raw body): that much must be free in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

mib=2048
drop=false
json=bench-scan-isolation.json
while [ $# -gt 0 ]; do
  case $1 in
    --mib) mib=$2; shift 2 ;;
    --drop-caches) drop=true; shift ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: bench/scan_isolation.sh [--mib M] [--drop-caches] [--json FILE]" >&2; exit 2 ;;
  esac
done
require_bins hookbridge load_gen hookbridge-tail

start_hookbridge scan file
pids+=("$hb_pid")
metric() {  # metric NAME: its value in a fresh scrape
  curl -s "http://127.0.0.1:$admin_port/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

events=$mib
echo "scan_isolation: filling the log with $events webhooks of 1 MiB"
"$bin/load_gen" --port "$http_port" --connections 4 --body_bytes $((1 << 20)) \
  --max_events "$events" --seconds 3600 --drain_seconds 10 --label fill >"$work/fill.txt"
last=$(metric hookbridge_log_last_sequence)
bytes=$(metric hookbridge_log_bytes)
[ "${last%.*}" -ge "$events" ] || { echo "only $last events stored" >&2; cat "$work/fill.txt" >&2; exit 1; }
if $drop && [ -w /proc/sys/vm/drop_caches ]; then
  sync
  echo 3 >/proc/sys/vm/drop_caches
  cache=dropped
else
  cache=warm
fi

# probe_subscribe FILE: a new subscriber after the last event, one more
# webhook, and the seconds until the subscriber has it.
probe_subscribe() {
  local after t0 tail_pid
  after=$(metric hookbridge_log_last_sequence)
  t0=$(date +%s.%N)
  HOOKBRIDGE_TOKEN=$bench_token "$bin/hookbridge-tail" --target "127.0.0.1:$grpc_port" \
    --after "${after%.*}" --count 1 >/dev/null 2>>"$work/tail.err" &
  tail_pid=$!
  "$bin/load_gen" --port "$http_port" --connections 1 --max_events 1 --seconds 1 \
    --drain_seconds 1 --label probe >/dev/null
  wait "$tail_pid"
  echo "$(date +%s.%N) $t0" | awk '{ printf "%.6f\n", $1 - $2 }' >>"$1"
}

# The same probes with no scan running, for comparison.
: >"$work/idle_metrics.txt"
: >"$work/idle_subscribe.txt"
for _ in $(seq 20); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$admin_port/metrics" \
    >>"$work/idle_metrics.txt"
  sleep 0.1
done
for _ in $(seq 5); do probe_subscribe "$work/idle_subscribe.txt"; done

HOOKBRIDGE_TOKEN=$bench_token "$bin/hookbridge-tail" --target "127.0.0.1:$grpc_port" \
  --earliest --types never.sent >/dev/null 2>"$work/scanner.err" &
scanner=$!
pids+=("$scanner")
scan_start=$(date +%s.%N)
# Until the scanner is seen behind (a short log may be scanned before).
for _ in $(seq 1000); do
  [ "$(metric hookbridge_subscriber_max_lag_events)" != "0" ] && break
  sleep 0.01
done

: >"$work/metrics.txt"
: >"$work/subscribe.txt"
probe=0
while :; do
  scrape=$(curl -s -o "$work/scrape" -w '%{time_total}' "http://127.0.0.1:$admin_port/metrics")
  lag=$(awk '$1 == "hookbridge_subscriber_max_lag_events" { print $2 }' "$work/scrape")
  [ "$lag" = "0" ] && break
  echo "$scrape" >>"$work/metrics.txt"
  probe=$((probe + 1))
  [ $((probe % 10)) -eq 1 ] && probe_subscribe "$work/subscribe.txt"
  sleep 0.1
done
scan_end=$(date +%s.%N)
stop_pid "$scanner"

summary() {  # summary FILE: count p50 p99 max, in ms
  sort -g "$1" | awk '{ v[NR] = $1 * 1000 }
    END { if (NR == 0) { print "0 0 0 0"; exit }
          p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
          printf "%d %.1f %.1f %.1f\n", NR, p50, p99, v[NR] }'
}
read -r scrapes m50 m99 mmax < <(summary "$work/metrics.txt")
read -r subs s50 s99 smax < <(summary "$work/subscribe.txt")
read -r iscrapes i50 i99 imax < <(summary "$work/idle_metrics.txt")
read -r isubs j50 j99 jmax < <(summary "$work/idle_subscribe.txt")
scan_s=$(echo "$scan_end $scan_start" | awk '{ printf "%.2f", $1 - $2 }')
rate=$(echo "$bytes $scan_s" | awk '{ printf "%.0f", $1 / 1048576 / $2 }')
echo "scan_isolation: a subscriber matching nothing scanned $((${bytes%.*} >> 20)) MiB" \
  "($((${last%.*})) events, page cache $cache) in $scan_s s ($rate MiB/s)"
echo "  /metrics during the scan     $scrapes scrapes: p50 $m50 ms, p99 $m99 ms, max $mmax ms"
echo "  /metrics, no scan            $iscrapes scrapes: p50 $i50 ms, p99 $i99 ms, max $imax ms"
echo "  new subscriber + one event   $subs probes:  p50 $s50 ms, p99 $s99 ms, max $smax ms"
echo "  the same, no scan            $isubs probes:  p50 $j50 ms, p99 $j99 ms, max $jmax ms"
cat >"$json" <<JSON
{"bench":"scan_isolation","log_bytes":${bytes%.*},"events":${last%.*},"page_cache":"$cache",
 "scan_seconds":$scan_s,
 "metrics_ms":{"count":$scrapes,"p50":$m50,"p99":$m99,"max":$mmax},
 "metrics_idle_ms":{"count":$iscrapes,"p50":$i50,"p99":$i99,"max":$imax},
 "subscribe_ms":{"count":$subs,"p50":$s50,"p99":$s99,"max":$smax},
 "subscribe_idle_ms":{"count":$isubs,"p50":$j50,"p99":$j99,"max":$jmax}}
JSON
