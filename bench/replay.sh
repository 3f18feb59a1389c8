#!/usr/bin/env bash
# Replay from disk against replay from memory: one subscriber reads E events
# from the start of the log, once from the memory log and once from the
# file log just restarted (with --drop-caches: from a cold page cache), the
# events posted the same way (load_gen, closed loop, ~1 KiB CKEditor
# bodies). Reports events/s and the server's CPU per event of each, and the
# file log's time from process start to ready.
#
#   nice bench/replay.sh [--events E] [--drop-caches] [--include-raw] [--compare BIN_DIR]
#                        [--json FILE]
#
# --include-raw: the subscriber asks for raw bodies (include_raw), which the
# file log then reads back too; by default it asks for none.
#
# --compare runs the same steps with the hookbridge of another build (e.g.
# the one before a change, built in a worktree) against the same file log,
# so that both sides of a before/after come from one run. Writes JSON
# (default bench-replay.json).
set -euo pipefail
cd "$(dirname "$0")/.."
events=200000 drop=false compare="" json=bench-replay.json raw=false
while [ $# -gt 0 ]; do
  case $1 in
    --events) events=$2; shift 2 ;;
    --drop-caches) drop=true; shift ;;
    --include-raw) raw=true; shift ;;
    --compare) compare=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: $0 [--events E] [--drop-caches] [--include-raw] [--compare BIN_DIR] [--json FILE]" >&2
       exit 2 ;;
  esac
done
. bench/common.sh
require_bins hookbridge load_gen fanout_sub
# The memory log must hold every event (its defaults evict beyond 256MiB).
memory_log_keys="max_events: $((events * 2)), max_bytes: $((events * 8))KiB"
[ -z "$compare" ] || [ -x "$compare/hookbridge" ] || { echo "no $compare/hookbridge" >&2; exit 2; }

# fill LABEL: posts $events webhooks (a few more may arrive: the
# connections' last requests) to the running hookbridge; sets $filled to
# the log's last sequence.
fill() {
  "$bin/load_gen" --port "$http_port" --connections 16 --max_events "$events" --seconds 3600 \
    --drain_seconds 10 --label "$1" >"$work/$1.txt"
  filled=$(metric hookbridge_log_last_sequence)
  filled=${filled%.*}
  [ "$filled" -ge "$events" ] || { echo "only $filled events stored" >&2; cat "$work/$1.txt" >&2; exit 1; }
}

drop_caches() {
  if $drop && [ -w /proc/sys/vm/drop_caches ]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
  fi
}

# replay LABEL LAST: one subscriber drains the log, 1 .. LAST; its JSON in
# $work.
replay() {
  HOOKBRIDGE_TOKEN=$bench_token timeout 900 "$bin/fanout_sub" --target "127.0.0.1:$grpc_port" \
    --channels 1 --subscribers 1 --mode replay --after_sequence 0 --last_sequence "$2" \
    --server_pid "$hb_pid" --timeout_seconds 600 --include_raw="$raw" --label "$1" \
    --json "$work/$1.json"
}

# restart HOOKBRIDGE LABEL: starts HOOKBRIDGE on the file log's config and
# records the seconds from exec to its "listening" line (it is ready then).
restart() {
  local t0 t1
  : >"$work/file/stderr"
  t0=$(date +%s.%N)
  "$1" --config "$work/file/config.yaml" 2>"$work/file/stderr" &
  hb_pid=$!
  until grep -q '"msg":"listening"' "$work/file/stderr"; do
    kill -0 "$hb_pid" 2>/dev/null || { cat "$work/file/stderr" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s.%N)
  echo "$t1 $t0" | awk '{ printf "%.3f\n", $1 - $2 }' >"$work/$2.ready"
  local line
  line=$(grep '"msg":"listening"' "$work/file/stderr")
  grpc_port=$(echo "$line" | sed -E 's/.*"grpc_port":([0-9]+).*/\1/')
  admin_port=$(echo "$line" | sed -E 's/.*"admin_port":([0-9]+).*/\1/')
  until curl -sf "http://127.0.0.1:$admin_port/readyz" >/dev/null; do sleep 0.01; done
}

# The file log, filled once and read by every build.
echo "replay: filling the file log with $events webhooks"
start_hookbridge file file
fill fill-file
file_last=$filled
stop_pid "$hb_pid"
# Its pages written back now, not during the measurements.
sync

builds=("after:$bin/hookbridge")
[ -n "$compare" ] && builds+=("before:$compare/hookbridge")
for entry in "${builds[@]}"; do
  side=${entry%%:*} exe=${entry#*:}
  # Memory: the same number of events, posted to a fresh process.
  saved_bin=$bin
  bin=$(dirname "$exe")
  start_hookbridge "memory-$side" memory
  bin=$saved_bin
  pids+=("$hb_pid")
  fill "fill-memory-$side"
  replay "$side-memory" "$filled"
  stop_pid "$hb_pid"
  # File: restarted on the filled log.
  drop_caches
  restart "$exe" "$side-file"
  pids+=("$hb_pid")
  replay "$side-file" "$file_last"
  stop_pid "$hb_pid"
done

python3 - "$work" "$json" "$events" "$drop" "$raw" "${builds[@]}" <<'PY'
import json, sys
work, out, events, drop, raw, builds = (sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4],
                                        sys.argv[5] == "true", sys.argv[6:])
rows = []
for entry in builds:
    side = entry.split(":", 1)[0]
    for log in ("memory", "file"):
        r = json.load(open(f"{work}/{side}-{log}.json"))
        row = {"build": side, "log": log, "events": events, "ok": r["ok"],
               "events_per_s": r["deliveries_per_s"],
               "server_cpu_us_per_event": 1e6 * r["server_cpu_s"] / max(r["deliveries"], 1),
               "event_bytes": r["event_bytes"]}
        if log == "file":
            row["ready_s"] = float(open(f"{work}/{side}-file.ready").read())
            row["page_cache"] = "dropped" if drop == "true" else "warm"
        rows.append(row)
    mem = next(x for x in rows if x["build"] == side and x["log"] == "memory")
    fil = next(x for x in rows if x["build"] == side and x["log"] == "file")
    print(f"{side}: memory {mem['events_per_s']:,.0f} events/s ({mem['server_cpu_us_per_event']:.2f} us CPU/event), "
          f"file {fil['events_per_s']:,.0f} events/s ({fil['server_cpu_us_per_event']:.2f} us CPU/event, "
          f"{fil['page_cache']} cache), file/memory {fil['events_per_s'] / mem['events_per_s']:.2f}; "
          f"ready after {fil['ready_s']:.2f} s" + ("; with raw bodies" if raw else ""))
json.dump({"events": events, "include_raw": raw, "rows": rows}, open(out, "w"), indent=1)
if not all(r["ok"] for r in rows):
    sys.exit(1)
PY
