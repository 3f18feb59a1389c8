#!/usr/bin/env bash
# Memory: hookbridge's resident set per idle subscriber and per retained
# event.
#
#   nice bench/memory.sh [--streams N] [--events K] [--channels C]
#                        [--seconds-limit S] [--json FILE]
#
# RSS is VmRSS from /proc/PID/status. Three fresh servers on loopback, each
# measured idle (1 s after start) and then loaded:
#   streams   N idle Subscribe streams (build/bin/fanout_sub, over C HTTP/2
#             connections, every stream confirmed live; nothing is posted):
#             (RSS with streams - RSS idle) / N, target <= 20 KiB;
#   memory    K ~1 KiB CKEditor events posted (load_gen, closed loop) into
#             the memory log: (RSS after - RSS idle) / events retained;
#   file      the same into the file log (fsync: always): what its in-memory
#             cache of recent events and indexes cost per event.
# Next to each: the log's own count of retained bytes (hookbridge_log_bytes).
# Writes JSON (default bench-memory.json). Every step is bounded by
# --seconds-limit (whole seconds, default 120).
set -euo pipefail
cd "$(dirname "$0")/.."
streams=10000 events=20000 channels=16 limit=120 json=bench-memory.json
usage="usage: $0 [--streams N] [--events K] [--channels C] [--seconds-limit S] [--json FILE]"
while [ $# -gt 0 ]; do
  case $1 in
    --streams) streams=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --channels) channels=$2; shift 2 ;;
    --seconds-limit) limit=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, metric, rss_kib, $bin
require_bins hookbridge load_gen fanout_sub
post_connections=8  # load_gen posts one warm-up event per connection, then K - 8
[ "$events" -gt "$post_connections" ] || { echo "--events must exceed $post_connections" >&2; exit 2; }
# Streams share the C connections, but a client or server with many
# connections must not hit the descriptor limit: raise it to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# grpc.max_subscribers (default 10000) and max_streams_per_token (1000; the
# streams share one token) above the number of streams.
max_subscribers=$((streams * 2 > 20000 ? streams * 2 : 20000))

status=0
# The tools give up after --seconds-limit themselves; timeout leaves them
# time to report, then ends them.
hard_limit=$((limit + 15))
idle_rss() {  # idle_rss: the running server's RSS once it has settled
  sleep 1
  rss_kib "$hb_pid"
}

# Idle streams.
start_hookbridge streams memory "max_subscribers: $max_subscribers, max_streams_per_token: $max_subscribers"
pids+=("$hb_pid")
streams_idle=$(idle_rss)
HOOKBRIDGE_TOKEN=$bench_token timeout "$hard_limit" "$bin/fanout_sub" --target "127.0.0.1:$grpc_port" \
  --mode live --subscribers "$streams" --channels "$channels" --ready_file "$work/ready" \
  --last_sequence_file "$work/last" --timeout_seconds "$limit" --label "idle-streams" \
  --json "$work/streams.json" > "$work/streams.out" &
sub_pid=$!
pids+=("$sub_pid")
while [ ! -e "$work/ready" ] && kill -0 "$sub_pid" 2>/dev/null; do sleep 0.05; done
streams_open=0 streams_rss=0 client_rss=0
if [ -e "$work/ready" ]; then
  sleep 1
  streams_rss=$(rss_kib "$hb_pid")
  client_rss=$(rss_kib "$(pgrep -P "$sub_pid" | head -1)")  # fanout_sub, under timeout
  streams_open=$(metric hookbridge_subscribers)
  # Nothing was posted: every stream must end having received nothing.
  metric hookbridge_log_last_sequence > "$work/last.tmp"
  mv "$work/last.tmp" "$work/last"
fi
wait "$sub_pid" || { status=1; cat "$work/streams.out" >&2; }
stop_pid "$hb_pid"

# Retained events, memory log and file log.
for backend in memory file; do
  start_hookbridge "$backend" "$backend"
  pids+=("$hb_pid")
  before=$(idle_rss)
  timeout "$hard_limit" "$bin/load_gen" --label "$backend" --port "$http_port" \
    --connections "$post_connections" --seconds "$limit" \
    --max_events $((events - post_connections)) --json "$work/$backend.load.json" \
    > "$work/$backend.load.out" || { status=1; cat "$work/$backend.load.out" >&2; }
  after=$(idle_rss)
  echo "{\"rss_before_kib\": $before, \"rss_after_kib\": $after," \
    "\"log_events\": $(metric hookbridge_log_events), \"log_bytes\": $(metric hookbridge_log_bytes)}" \
    > "$work/$backend.rss.json"
  stop_pid "$hb_pid"
done

python3 - "$work" "$json" "$streams" "$streams_idle" "$streams_rss" "$streams_open" \
  "$client_rss" "$channels" <<'PY' || status=1
import json, sys
work, out, streams, idle, with_streams, open_, client, channels = sys.argv[1:]
streams, idle, with_streams, client = int(streams), int(idle), int(with_streams), int(client)
open_ = int(float(open_))
target_kib = 20
ok = True
result = {"scenario": "memory", "streams": {
    "count": streams, "channels": int(channels), "open_on_server": open_,
    "rss_idle_kib": idle, "rss_with_streams_kib": with_streams,
    "kib_per_stream": (with_streams - idle) / streams if with_streams else None,
    "target_kib_per_stream": target_kib, "subscriber_process_rss_kib": client}}
print()
print(f"hookbridge resident set (VmRSS), each measurement on a fresh server")
print(f"{'measurement':<24}{'count':>8}{'RSS idle KiB':>14}{'RSS loaded KiB':>16}"
      f"{'per item':>16}{'log bytes/event':>17}")
s = result["streams"]
if s["kib_per_stream"] is None or open_ != streams:
    ok = False
    print(f"{'idle streams':<24}{streams:>8}{idle:>14}  failed: {open_} streams open on the server")
else:
    s["target_met"] = s["kib_per_stream"] <= target_kib
    print(f"{'idle streams':<24}{streams:>8}{idle:>14}{with_streams:>16}"
          f"{s['kib_per_stream']:>11.2f} KiB{'':>17}")
for backend, name in (("memory", "memory log events"), ("file", "file log events")):
    try:
        r = json.load(open(f"{work}/{backend}.rss.json"))
    except (OSError, ValueError):
        ok = False
        print(f"{name:<24}  failed: no result")
        continue
    r["bytes_per_event"] = 1024 * (r["rss_after_kib"] - r["rss_before_kib"]) / max(r["log_events"], 1)
    r["log_bytes_per_event"] = r["log_bytes"] / max(r["log_events"], 1)
    result[f"{backend}_log"] = r
    print(f"{name:<24}{int(r['log_events']):>8}{r['rss_before_kib']:>14}{r['rss_after_kib']:>16}"
          f"{r['bytes_per_event']:>10.0f} bytes{r['log_bytes_per_event']:>17.0f}")
if s.get("kib_per_stream") is not None:
    verdict = "met" if s.get("target_met") else "MISSED"
    print(f"\nper idle subscriber: {s['kib_per_stream']:.2f} KiB (target <= {target_kib} KiB: "
          f"{verdict}); the subscriber process held {client} KiB for {streams} streams "
          f"({client / streams:.2f} KiB each)")
json.dump(result, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
sys.exit(0 if ok else 1)
PY
exit $status
