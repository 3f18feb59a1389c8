#!/usr/bin/env bash
# Durable consumers: E events consumed by a group of M members, each event
# acknowledged exactly once over the group. For now only the NATS JetStream
# baseline; hookbridge's own durable consumers (the Consume stream) are to be
# measured in the same run, in the section marked below, once they exist.
#
#   nice bench/consume.sh [--members 1,3] [--events E] [--bytes B] [--batch N]
#                         [--acks async,sync] [--seconds-limit S] [--json FILE]
#
# nats     nats-server with JetStream (a throwaway config in the temp dir,
#          file store there) and build/bin/nats_consume: a fresh stream (file
#          storage, one subject) filled with E messages of B bytes
#          (asynchronous publishes, every PubAck awaited), then a durable
#          pull consumer (explicit acks) and M members at once, each with its
#          own connection and pull subscription, fetching N messages at a time
#          and acknowledging each, until the consumer's state on the server
#          shows every message acknowledged. Per ack mode:
#            async  natsMsg_Ack: the ack is sent, not confirmed;
#            sync   natsMsg_AckSync: one round trip per message, the server
#                   has confirmed every ack before the member goes on.
#          Skipped, saying so, when nats-server or nats_consume (built only
#          where libnats is installed) is missing.
# Every message must be acknowledged once over all members (no duplicate, no
# redelivery) and every member must get a share, or the run fails. Prints
# events/s (E / time to the last acknowledgement the server has) and the CPU
# per event of the server and of the client process (all members); writes
# JSON (default bench-consume.json). Each run is bounded by --seconds-limit
# (whole seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
members=1,3 events=20000 bytes=1024 batch=100 acks=async,sync limit=60 json=bench-consume.json
usage="usage: $0 [--members M1,M2..] [--events E] [--bytes B] [--batch N] [--acks async,sync] [--seconds-limit S] [--json FILE]"
while [ $# -gt 0 ]; do
  case $1 in
    --members) members=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --bytes) bytes=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --acks) acks=$2; shift 2 ;;
    --seconds-limit) limit=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for a in ${acks//,/ }; do
  case $a in async|sync) ;; *) echo "--acks: async and/or sync, not $a" >&2; exit 2 ;; esac
done
. bench/common.sh  # $work, $pids (stopped on exit), free_port, stop_pid, $bin

status=0
# The tools give up after --seconds-limit themselves; timeout leaves them
# time to report, then ends them.
hard_limit=$((limit + 15))

# ---- hookbridge: durable consumers (NOT YET MEASURED) ----------------------
# To be added here, before the NATS baseline, once the server's durable
# consumers are in: one hookbridge (file log, fsync: always, as
# start_hookbridge sets up) takes E ~1 KiB webhooks (load_gen, closed loop,
# as in fanout.sh), a consumer is created on it from the earliest event, and
# a consume tool (like fanout_sub, one process) opens M Consume streams on
# it at once, each member acknowledging the events it is handed on its
# stream, until the server has confirmed every acknowledgement (they are
# durable when confirmed) and the consumer's ack floor is the log's last
# sequence. Same checks as nats_consume (each event acknowledged once over
# the group, no redelivery, every member with a share), the same JSON fields
# (events_per_s, server_cpu_s, client_cpu_s, member_counts, ok) in
# $work/hookbridge-M.json, and the messages of the NATS runs the size of a
# serialized Event of that run, as fanout.sh does. The table below then
# prints those rows first and a ratio to the NATS row of the same M; which
# NATS ack mode is the like-for-like one depends on how the consume tool
# acknowledges (confirmed acks, pipelined: between nats async and sync).
# No hookbridge figure is produced until then.
hookbridge_ran=0

# ---- NATS JetStream baseline ------------------------------------------------
bench/setup.sh nats-server || echo "could not install nats-server" >&2
nats_server=$(command -v nats-server || true)
nats_attempted=0
if [ -z "$nats_server" ]; then
  echo "nats-server is not installed (bench/setup.sh installs it): no NATS baseline"
elif [ ! -x "$bin/nats_consume" ]; then
  echo "$bin/nats_consume was not built (libnats-dev missing at configure time): no NATS baseline"
else
  nats_attempted=1
  nats_port=$(free_port) nats_monitor=$(free_port)
  mkdir -p "$work/nats"
  # The JetStream file store in the temp dir. nats-server 2.9 writes it
  # without an fsync per message or per ack (it syncs in the background,
  # every 60 s by default).
  cat > "$work/nats/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
http: 127.0.0.1:$nats_monitor
pid_file: "$work/nats/nats.pid"
jetstream {
  store_dir: "$work/nats/store"
}
CONF
  "$nats_server" -c "$work/nats/nats.conf" -l "$work/nats/nats.log" &
  nats_pid=$!
  pids+=("$nats_pid")
  until grep -q "Server is ready" "$work/nats/nats.log" 2>/dev/null; do
    kill -0 "$nats_pid" 2>/dev/null || { cat "$work/nats/nats.log" >&2; exit 1; }
    sleep 0.1
  done
  for m in ${members//,/ }; do
    for a in ${acks//,/ }; do
      # A fresh stream per run (nats_consume deletes it at the end).
      timeout "$hard_limit" "$bin/nats_consume" --url "nats://127.0.0.1:$nats_port" \
        --stream "CONSUME_${a}_$m" --subject "bench.consume.$a.$m" --members "$m" \
        --events "$events" --bytes "$bytes" --batch "$batch" --ack "$a" \
        --server_pid "$nats_pid" --timeout_seconds "$limit" --label "nats-$a-$m" \
        --json "$work/nats-$a-$m.json" || status=1
    done
  done
  curl -sf "http://127.0.0.1:$nats_monitor/jsz" > "$work/nats/jsz.json" || true
  stop_pid "$nats_pid"
fi

python3 - "$work" "$json" "$members" "$events" "$bytes" "$batch" "$acks" \
  "$hookbridge_ran" "$nats_attempted" <<'PY' || status=1
import json, sys
work, out, members, events, size, batch, acks, hookbridge_ran, nats_attempted = sys.argv[1:]
ms = [int(m) for m in members.split(",")]
ack_modes = acks.split(",")
def load(name):
    try:
        return json.load(open(f"{work}/{name}.json"))
    except (OSError, ValueError):
        return None
rows = []  # (system, ack, members, file name)
if hookbridge_ran == "1":  # the hookbridge section above, once it exists
    rows += [("hookbridge", "confirmed", m, f"hookbridge-{m}") for m in ms]
if nats_attempted == "1":
    rows += [("nats", a, m, f"nats-{a}-{m}") for m in ms for a in ack_modes]
runs = {name: load(name) for *_, name in rows}
print()
print(f"durable consumer, {events} events of {size} bytes, each acknowledged once "
      f"over M members; NATS fetch batch {batch}")
if hookbridge_ran != "1":
    print("hookbridge: not measured yet (its durable consumers are not in this build)")
if nats_attempted != "1":
    print("nats: skipped (see above)")
print(f"{'system':<12}{'ack':<11}{'members':>8}{'events':>8}{'seconds':>9}{'events/s':>10}"
      f"{'server us/ev':>14}{'client us/ev':>14}  per member")
failed = []
for system, ack, m, name in rows:
    r = runs[name]
    if r is None:
        failed.append(name)
        print(f"{system:<12}{ack:<11}{m:>8}  failed: no result")
        continue
    if not r["ok"]:
        failed.append(name)
    e = max(r["events"], 1)
    print(f"{system:<12}{ack:<11}{m:>8}{r['events']:>8}{r['seconds']:>9.3f}"
          f"{r['events_per_s']:>10.0f}{1e6 * r['server_cpu_s'] / e:>14.2f}"
          f"{1e6 * r['client_cpu_s'] / e:>14.2f}  "
          + "/".join(str(c) for c in r["member_counts"]) + ("" if r["ok"] else "  FAILED"))
    for err in r.get("errors", []):
        print(f"    {err}")
pubs = [r for s, *_ , name in rows if s == "nats" and (r := runs[name])]
if pubs:
    print(f"\nNATS publish into the stream (async, every PubAck awaited): "
          f"{min(p['publish_per_s'] for p in pubs):.0f} - {max(p['publish_per_s'] for p in pubs):.0f}"
          f" messages/s over the runs")
summary = {"scenario": "consume", "events": int(events), "event_bytes": int(size),
           "batch": int(batch), "members": ms, "acks": ack_modes,
           "hookbridge": "ran" if hookbridge_ran == "1" else "not measured yet",
           "nats_baseline": "ran" if nats_attempted == "1" else "skipped",
           "runs": runs, "ratio_to_nats": {}}
for m in ms:
    r = runs.get(f"hookbridge-{m}")
    for a in ack_modes:
        b = runs.get(f"nats-{a}-{m}")
        if r and b and b["events_per_s"] > 0:
            summary["ratio_to_nats"][f"{a}-{m}"] = r["events_per_s"] / b["events_per_s"]
json.dump(summary, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
sys.exit(1 if failed else 0)
PY
exit $status
