#!/usr/bin/env bash
# Restart time against the log's size: the time from exec to ready (the
# "listening" line, then /readyz 200) of hookbridge on a file log of each
# size, filled the same way (load_gen, closed loop, ~1 KiB CKEditor bodies),
# three restarts each, the median reported. A restart rebuilds the segment
# index, the de-duplication window and the ordering guard.
#
#   nice bench/restart.sh [--events 10000,1000000] [--drop-caches] [--compare BIN_DIR] [--json FILE]
#
# --drop-caches empties the page cache before each restart (root only).
# --compare restarts the hookbridge of another build on the same logs too.
# Writes JSON (default bench-restart.json). 1M events make a log of about
# 2 GiB in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=10000,1000000 drop=false compare="" json=bench-restart.json
while [ $# -gt 0 ]; do
  case $1 in
    --events) sizes=$2; shift 2 ;;
    --drop-caches) drop=true; shift ;;
    --compare) compare=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: $0 [--events N1,N2..] [--drop-caches] [--compare BIN_DIR] [--json FILE]" >&2
       exit 2 ;;
  esac
done
. bench/common.sh
require_bins hookbridge load_gen
[ -z "$compare" ] || [ -x "$compare/hookbridge" ] || { echo "no $compare/hookbridge" >&2; exit 2; }

for n in ${sizes//,/ }; do
  echo "restart: filling a file log with $n webhooks"
  start_hookbridge "log-$n" file
  "$bin/load_gen" --port "$http_port" --connections 16 --max_events "$n" --seconds 3600 \
    --drain_seconds 10 --label "fill-$n" >"$work/fill-$n.txt"
  last=$(metric hookbridge_log_last_sequence)
  [ "${last%.*}" -ge "$n" ] || { echo "only $last events stored" >&2; exit 1; }
  stop_pid "$hb_pid"
done

# ready EXE NAME: seconds from exec to ready on log-NAME's config.
ready() {
  local t0 t1 pid line admin
  if $drop && [ -w /proc/sys/vm/drop_caches ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  : >"$work/$2/stderr"
  t0=$(date +%s.%N)
  "$1" --config "$work/$2/config.yaml" 2>"$work/$2/stderr" &
  pid=$!
  until grep -q '"msg":"listening"' "$work/$2/stderr"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$2/stderr" >&2; exit 1; }
    sleep 0.005
  done
  line=$(grep '"msg":"listening"' "$work/$2/stderr")
  admin=$(echo "$line" | sed -E 's/.*"admin_port":([0-9]+).*/\1/')
  until curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null; do sleep 0.005; done
  t1=$(date +%s.%N)
  stop_pid "$pid"
  echo "$t1 $t0" | awk '{ printf "%.3f\n", $1 - $2 }'
}

builds=("after:$bin/hookbridge")
[ -n "$compare" ] && builds+=("before:$compare/hookbridge")
: >"$work/results.txt"
for entry in "${builds[@]}"; do
  side=${entry%%:*} exe=${entry#*:}
  for n in ${sizes//,/ }; do
    for run in 1 2 3; do
      echo "$side $n $(ready "$exe" "log-$n")" >>"$work/results.txt"
    done
  done
done

python3 - "$work/results.txt" "$json" "$drop" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    side, n, s = line.split()
    rows.setdefault((side, int(n)), []).append(float(s))
out = []
for (side, n), times in sorted(rows.items()):
    out.append({"build": side, "events": n, "ready_s": times, "median_s": statistics.median(times),
                "page_cache": "dropped" if sys.argv[3] == "true" else "warm"})
    print(f"{side}: {n:,} events: ready after {statistics.median(times):.3f} s (median of {times})")
for side in sorted({r["build"] for r in out}):
    mine = sorted((r for r in out if r["build"] == side), key=lambda r: r["events"])
    if len(mine) > 1:
        print(f"{side}: {mine[-1]['events']:,} / {mine[0]['events']:,} events: "
              f"{mine[-1]['median_s'] / mine[0]['median_s']:.2f}x")
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
