#!/usr/bin/env bash
# Durable consumers: E events consumed by a group of M members, each event
# acknowledged exactly once over the group; hookbridge against NATS
# JetStream in the same run.
#
#   nice bench/consume.sh [--members 1,3] [--events E] [--bytes B] [--batch N]
#                         [--acks async,sync] [--seconds-limit S] [--json FILE]
#
# hookbridge  one hookbridge (file log, fsync: always) takes E ~1 KiB
#          webhooks (load_gen, closed loop); then, per M, a fresh consumer
#          from the earliest event (CreateConsumer) and build/bin/consume_members:
#          M Consume streams at once, one connection each, each member
#          acknowledging every event it is handed as it reads it, without
#          waiting for confirmations (what piled up during the previous
#          write goes out as one Acknowledge, in ranges), until the server
#          has confirmed every acknowledgement (durable: fsynced) and
#          GetConsumer shows the ack floor at the log's last sequence.
# nats     nats-server with JetStream (a throwaway config in the temp dir,
#          file store there) and build/bin/nats_consume: a fresh stream (file
#          storage, one subject) filled with E messages of B bytes (default:
#          the size of a serialized Event of the hookbridge run)
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
# hookbridge's members acknowledge like NATS async ones (sent without
# waiting, the member never stalls on them) and learn, like sync ones, when
# each is stored: the ratio printed is to async, the faster of the two, and
# to sync for reference.
# Every event must be acknowledged once over all members (no duplicate, no
# redelivery) and every member must get a share, or the run fails. Prints
# events/s (E / time to the last acknowledgement the server has) and the CPU
# per event of the server and of the client process (all members); writes
# JSON (default bench-consume.json). Each run is bounded by --seconds-limit
# (whole seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
members=1,3 events=20000 bytes= batch=100 acks=async,sync limit=60 json=bench-consume.json
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

# ---- hookbridge: durable consumers ------------------------------------------
# One hookbridge (file log, fsync: always, as start_hookbridge sets up)
# takes E ~1 KiB webhooks (load_gen, closed loop, as in fanout.sh); then per
# M a fresh consumer (bench-M, from the earliest event) and
# build/bin/consume_members with M Consume streams on it at once, each
# member acknowledging the events it is handed (pipelined, confirmed),
# until the server has confirmed every acknowledgement and the consumer's
# ack floor is the log's last sequence. Results in $work/hookbridge-M.json.
require_bins hookbridge load_gen consume_members
# load_gen's keep-alive connections; each also posts one warm-up event, so
# it is asked for E - connections events and the log grows by exactly E.
post_connections=8
[ "$events" -gt "$post_connections" ] || { echo "--events must exceed $post_connections" >&2; exit 2; }
start_hookbridge consume file
pids+=("$hb_pid")
timeout "$hard_limit" "$bin/load_gen" --label consume-post --port "$http_port" \
  --connections "$post_connections" --seconds "$limit" \
  --max_events $((events - post_connections)) --json "$work/post.load.json" >"$work/post.load.out" \
  || { cat "$work/post.load.out" >&2; echo "load_gen failed" >&2; exit 1; }
last=$(metric hookbridge_log_last_sequence)
for m in ${members//,/ }; do
  # The server's default max_outstanding (1,000 per member), but at most
  # half a member's share: the first members to join must not take it all.
  outstanding=$((events / (2 * m) < 1000 ? events / (2 * m) : 1000))
  HOOKBRIDGE_TOKEN=$bench_token timeout "$hard_limit" "$bin/consume_members" \
    --target "127.0.0.1:$grpc_port" --consumer "bench-$m" --members "$m" --last_sequence "$last" \
    --max_outstanding "$((outstanding > 0 ? outstanding : 1))" --server_pid "$hb_pid" \
    --timeout_seconds "$limit" --label "hookbridge-$m" --json "$work/hookbridge-$m.json" || status=1
done
stop_pid "$hb_pid"
# The NATS messages: the size of a serialized Event of this run, unless
# --bytes says otherwise.
if [ -z "$bytes" ]; then
  bytes=$(python3 -c 'import json, sys
try: print(round(json.load(open(sys.argv[1]))["event_bytes"]) or 1024)
except Exception: print(1024)' "$work/hookbridge-${members%%,*}.json")
fi

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

python3 - "$work" "$json" "$members" "$events" "$bytes" "$batch" "$acks" "$nats_attempted" <<'PY' || status=1
import json, sys
work, out, members, events, size, batch, acks, nats_attempted = sys.argv[1:]
ms = [int(m) for m in members.split(",")]
ack_modes = acks.split(",")
def load(name):
    try:
        return json.load(open(f"{work}/{name}.json"))
    except (OSError, ValueError):
        return None
rows = [("hookbridge", "confirmed", m, f"hookbridge-{m}") for m in ms]  # (system, ack, members, file)
if nats_attempted == "1":
    rows += [("nats", a, m, f"nats-{a}-{m}") for m in ms for a in ack_modes]
runs = {name: load(name) for *_, name in rows}
def ratio(r, m, a):
    b = runs.get(f"nats-{a}-{m}")
    return r["events_per_s"] / b["events_per_s"] if r and b and b["events_per_s"] > 0 else None
print()
print(f"durable consumer, {events} events ({size} bytes for NATS: a serialized Event), each "
      f"acknowledged once over M members; NATS fetch batch {batch}")
print("hookbridge acks: pipelined like NATS async, confirmed (and fsynced) like NATS sync; "
      "the like-for-like ratio is to async")
if nats_attempted != "1":
    print("nats: skipped (see above)")
ratio_heads = "".join(f"{'/ nats ' + a:>14}" for a in ack_modes)
print(f"{'system':<12}{'ack':<11}{'members':>8}{'events':>8}{'seconds':>9}{'events/s':>10}"
      f"{'server us/ev':>14}{'client us/ev':>14}{ratio_heads}  per member")
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
    ratios = ""
    for a in ack_modes:
        x = ratio(r, m, a) if system == "hookbridge" else None
        ratios += f"{x:>14.3f}" if x is not None else f"{'':>14}"
    print(f"{system:<12}{ack:<11}{m:>8}{r['events']:>8}{r['seconds']:>9.3f}"
          f"{r['events_per_s']:>10.0f}{1e6 * r['server_cpu_s'] / e:>14.2f}"
          f"{1e6 * r['client_cpu_s'] / e:>14.2f}{ratios}  "
          + "/".join(str(c) for c in r["member_counts"]) + ("" if r["ok"] else "  FAILED"))
    for err in r.get("errors", []):
        print(f"    {err}")
try:
    post = json.load(open(f"{work}/post.load.json"))
    print(f"\nhookbridge took the {events} webhooks at {post['requests_per_s']:.0f}/s "
          f"(load_gen, closed loop; file log, fsync: always)")
except (OSError, ValueError, KeyError):
    post = None
pubs = [r for s, *_ , name in rows if s == "nats" and (r := runs[name])]
if pubs:
    print(f"NATS publish into the stream (async, every PubAck awaited): "
          f"{min(p['publish_per_s'] for p in pubs):.0f} - {max(p['publish_per_s'] for p in pubs):.0f}"
          f" messages/s over the runs")
summary = {"scenario": "consume", "events": int(events), "event_bytes": int(size),
           "batch": int(batch), "members": ms, "acks": ack_modes,
           "nats_baseline": "ran" if nats_attempted == "1" else "skipped",
           "hookbridge_post_per_s": post["requests_per_s"] if post else None,
           "runs": runs, "ratio_to_nats": {}}
for m in ms:
    for a in ack_modes:
        x = ratio(runs.get(f"hookbridge-{m}"), m, a)
        if x is not None:
            summary["ratio_to_nats"][f"{a}-{m}"] = x
json.dump(summary, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
sys.exit(1 if failed else 0)
PY
exit $status
