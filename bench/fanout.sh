#!/usr/bin/env bash
# Fan-out: every event to N subscribers, hookbridge against core NATS in the
# same run.
#
#   nice bench/fanout.sh [--subscribers 1,100,1000] [--events E] [--channels C]
#                        [--seconds-limit S] [--json FILE]
#
# hookbridge (memory log, one process on loopback), with build/bin/fanout_sub
# holding N Subscribe streams over C HTTP/2 connections:
#   replay  E events are posted first (load_gen, closed loop); N subscribers
#           then attach from after_sequence 0 at once and drain all E.
#   live    N subscribers attach and are confirmed live (the
#           hookbridge-start-after initial metadata), then load_gen posts E
#           events (closed loop); until every subscriber has all E.
# Subscribe responses carry whatever events are ready, up to 64.
# nats     nats-server (a throwaway config in the temp dir) and
#          build/bin/nats_fanout: N subscriptions over C connections, one
#          publisher publishing E messages of the size of a serialized
#          hookbridge Event (taken from the replay run), until every
#          subscription has all E. Skipped, saying so, when nats-server or
#          nats_fanout (built only where libnats is installed) is missing.
# Each subscriber must get every event exactly once and in order, or the run
# fails. Prints deliveries/s (subscribers x events / elapsed) and the CPU per
# delivery of the server and of the subscriber process; writes JSON (default
# bench-fanout.json). Every step is bounded by --seconds-limit (whole seconds,
# default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=1,100,1000 events=2000 channels=16 limit=60 json=bench-fanout.json
usage="usage: $0 [--subscribers N1,N2..] [--events E] [--channels C] [--seconds-limit S] [--json FILE]"
while [ $# -gt 0 ]; do
  case $1 in
    --subscribers) subscribers=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --channels) channels=$2; shift 2 ;;
    --seconds-limit) limit=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, metric, $bin
require_bins hookbridge load_gen fanout_sub
# load_gen's keep-alive connections; each also posts one warm-up event, so
# it is asked for E - connections events and the log grows by exactly E.
post_connections=8
[ "$events" -gt "$post_connections" ] || { echo "--events must exceed $post_connections" >&2; exit 2; }
# Each stream and NATS subscription is no file descriptor of its own, but
# raise the soft limit anyway (as far as the hard limit).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

status=0
# The tools give up after --seconds-limit themselves; timeout leaves them
# time to report, then ends them.
hard_limit=$((limit + 15))
post() {  # post LABEL: E events into the running hookbridge, closed loop
  timeout "$hard_limit" "$bin/load_gen" --label "$1" --port "$http_port" \
    --connections "$post_connections" --seconds "$limit" \
    --max_events $((events - post_connections)) --json "$work/$1.load.json" >"$work/$1.load.out" \
    || { cat "$work/$1.load.out" >&2; echo "load_gen failed ($1)" >&2; return 1; }
}
# subscribers_cmd ARGS...: sets sub_cmd, a fanout_sub run against the hookbridge.
subscribers_cmd() {
  sub_cmd=(timeout "$hard_limit" "$bin/fanout_sub" --target "127.0.0.1:$grpc_port"
    --channels "$channels" --server_pid "$hb_pid" --timeout_seconds "$limit" "$@")
}

start_hookbridge fanout memory "max_subscribers: 20000, max_streams_per_token: 20000"
pids+=("$hb_pid")

# Replay: one batch of E events, then each N drains all of it from the start.
post prepost
last=$(metric hookbridge_log_last_sequence)
for n in ${subscribers//,/ }; do
  subscribers_cmd --mode replay --subscribers "$n" --after_sequence 0 --last_sequence "$last" \
    --label "hookbridge-replay-$n" --json "$work/hookbridge-replay-$n.json"
  HOOKBRIDGE_TOKEN=$bench_token "${sub_cmd[@]}" || status=1
done

# Live: N streams live first, then E events posted while they listen.
for n in ${subscribers//,/ }; do
  rm -f "$work/ready" "$work/last"
  subscribers_cmd --mode live --subscribers "$n" --ready_file "$work/ready" \
    --last_sequence_file "$work/last" \
    --label "hookbridge-live-$n" --json "$work/hookbridge-live-$n.json"
  HOOKBRIDGE_TOKEN=$bench_token "${sub_cmd[@]}" &
  sub_pid=$!
  pids+=("$sub_pid")
  while [ ! -e "$work/ready" ] && kill -0 "$sub_pid" 2>/dev/null; do sleep 0.02; done
  if [ -e "$work/ready" ]; then
    post "live-$n" || status=1
    metric hookbridge_log_last_sequence > "$work/last.tmp"
    mv "$work/last.tmp" "$work/last"
  fi
  wait "$sub_pid" || status=1
done
stop_pid "$hb_pid"

# The NATS baseline: messages the size of a serialized Event of this run.
bytes=$(python3 -c 'import json, sys
try: print(round(json.load(open(sys.argv[1]))["event_bytes"]) or 1300)
except Exception: print(1300)' "$work/hookbridge-replay-${subscribers%%,*}.json")
bench/setup.sh nats-server || echo "could not install nats-server" >&2
nats_server=$(command -v nats-server || true)
nats_attempted=0
if [ -z "$nats_server" ]; then
  echo "nats-server is not installed (bench/setup.sh installs it): no NATS baseline"
elif [ ! -x "$bin/nats_fanout" ]; then
  echo "$bin/nats_fanout was not built (libnats-dev missing at configure time): no NATS baseline"
else
  nats_attempted=1
  nats_port=$(free_port) nats_monitor=$(free_port)
  mkdir -p "$work/nats"
  # Generous per-connection buffers and write deadline: the server must not
  # cut off subscribers that are slow only because they share 2 cores.
  cat > "$work/nats/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
http: 127.0.0.1:$nats_monitor
max_pending: 1073741824
write_deadline: "60s"
pid_file: "$work/nats/nats.pid"
CONF
  "$nats_server" -c "$work/nats/nats.conf" -l "$work/nats/nats.log" &
  nats_pid=$!
  pids+=("$nats_pid")
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break
    sleep 0.1
  done
  for n in ${subscribers//,/ }; do
    timeout "$hard_limit" "$bin/nats_fanout" --url "nats://127.0.0.1:$nats_port" --subscribers "$n" \
      --connections "$channels" --events "$events" --bytes "$bytes" --server_pid "$nats_pid" \
      --timeout_seconds "$limit" --label "nats-$n" --json "$work/nats-$n.json" || status=1
  done
  curl -sf "http://127.0.0.1:$nats_monitor/varz" > "$work/nats/varz.json" || true
  stop_pid "$nats_pid"
fi

python3 - "$work" "$json" "$subscribers" "$events" "$channels" "$nats_attempted" <<'PY' || status=1
import json, sys
work, out, subscribers, events, channels, nats_attempted = sys.argv[1:]
ns = [int(n) for n in subscribers.split(",")]
def load(name):
    try:
        return json.load(open(f"{work}/{name}.json"))
    except (OSError, ValueError):
        return None
rows = []  # (system, mode, subscribers, file name)
for system, mode in [("hookbridge", "replay"), ("hookbridge", "live"), ("nats", "live")]:
    for n in ns:
        rows.append((system, mode, n, f"nats-{n}" if system == "nats" else f"hookbridge-{mode}-{n}"))
runs = {name: load(name) for *_, name in rows}
nats_ran = nats_attempted == "1"
try:
    varz = json.load(open(f"{work}/nats/varz.json"))
except (OSError, ValueError):
    varz = None
print()
print(f"fan-out, {events} events (~1 KiB CKEditor webhooks) to every subscriber, "
      f"subscribers over up to {channels} connections")
print(f"{'system':<12}{'mode':<10}{'subscribers':>12}{'events':>8}{'deliveries/s':>14}"
      f"{'server us/dlv':>15}{'subscr. us/dlv':>16}{'hb / nats':>11}")
failed = []
for system, mode, n, name in rows:
    r = runs[name]
    if system == "nats" and not nats_ran:
        continue
    if r is None:
        failed.append(name)
        print(f"{system:<12}{mode:<10}{n:>12}  failed: no result")
        continue
    if not r["ok"]:
        failed.append(name)
    d = max(r["deliveries"], 1)
    base = runs.get(f"nats-{n}")
    ratio = ""
    if system == "hookbridge" and base and base["deliveries_per_s"] > 0:
        ratio = f"{r['deliveries_per_s'] / base['deliveries_per_s']:.3f}"
    print(f"{system:<12}{mode:<10}{n:>12}{r['events']:>8}{r['deliveries_per_s']:>14.0f}"
          f"{1e6 * r['server_cpu_s'] / d:>15.2f}{1e6 * r['subscriber_cpu_s'] / d:>16.2f}"
          f"{ratio:>11}" + ("" if r["ok"] else "  FAILED"))
    for e in r.get("errors", []):
        print(f"    {e}")
    if system == "nats" and (r["dropped"] or r["slow_consumer_errors"]):
        print(f"    dropped {r['dropped']}, slow-consumer errors {r['slow_consumer_errors']}")
if nats_ran:
    size = next((runs[f"nats-{n}"]["event_bytes"] for n in ns if runs[f"nats-{n}"]), "?")
    slow = varz.get("slow_consumers", "?") if varz else "?"
    print(f"\nNATS messages: {size} bytes; nats-server slow consumers: {slow}")
for n in ns:
    r = runs.get(f"hookbridge-live-{n}")
    try:
        lg = json.load(open(f"{work}/live-{n}.load.json"))
    except (OSError, ValueError):
        lg = None
    if r is not None and lg is not None:
        r["load_gen"] = {"requests_per_s": lg["requests_per_s"], "cpu_s": lg["load_gen_cpu_s"]}
summary = {"scenario": "fanout", "events": int(events), "channels": int(channels),
           "nats_baseline": "ran" if nats_ran else "skipped",
           "runs": {k: r for k, r in runs.items() if nats_ran or not k.startswith("nats")},
           "nats_slow_consumers": varz.get("slow_consumers") if varz else None,
           "ratio_to_nats": {}}
for mode in ("replay", "live"):
    for n in ns:
        r, b = runs.get(f"hookbridge-{mode}-{n}"), runs.get(f"nats-{n}")
        if r and b and b["deliveries_per_s"] > 0:
            summary["ratio_to_nats"][f"{mode}-{n}"] = r["deliveries_per_s"] / b["deliveries_per_s"]
json.dump(summary, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
sys.exit(1 if failed else 0)
PY
exit $status
