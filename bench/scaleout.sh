#!/usr/bin/env bash
# Scale-out: hookbridge on the JetStream log, one replica and then two
# sharing one stream, on a nats-server started here (JetStream, loopback,
# store in the temp dir).
#
#   nice bench/scaleout.sh [--replicas 1,2] [--seconds S] [--connections N]
#                          [--subscribers M] [--events E] [--json FILE]
#
# For each replica count R, on a fresh stream:
#   ingest   one load_gen per replica at once, closed loop, N / R connections
#            each, S seconds, POSTing to its replica; each load_gen's
#            subscriber (Subscribe) sits on the NEXT replica, so every
#            event must cross from the replica that took it to another one
#            through the stream, and the run fails if one does not arrive.
#   fanout   M live subscribers (Subscribe) spread over the R replicas
#            (one fanout_sub per replica), then E events POSTed to replica 1;
#            every subscriber must get every event once and in order.
#            deliveries/s = M x E / the longest replica's elapsed time.
# Prints a table (requests/s, server CPU per request: all replicas plus
# nats-server; deliveries/s) and writes JSON (default bench-scaleout.json).
# On one machine the replicas share its cores with nats-server and the
# clients: the figures show what the scale-out path costs, not what more
# machines would add.
set -euo pipefail
cd "$(dirname "$0")/.."
replicas_list=1,2 seconds=5 connections=32 subscribers=200 events=2000 json=bench-scaleout.json
usage="usage: $0 [--replicas 1,2] [--seconds S] [--connections N] [--subscribers M] [--events E] [--json FILE]"
while [ $# -gt 0 ]; do
  case $1 in
    --replicas) replicas_list=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --subscribers) subscribers=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, metric, $bin
require_bins hookbridge load_gen fanout_sub
bench/setup.sh nats-server
nats_server=$(command -v nats-server)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

nats_port=$(free_port)
"$nats_server" -js -a 127.0.0.1 -p "$nats_port" -sd "$work/nats" -l "$work/nats.log" &
nats_pid=$!
pids+=("$nats_pid")
until grep -q "Server is ready" "$work/nats.log" 2>/dev/null; do
  kill -0 "$nats_pid" 2>/dev/null || { cat "$work/nats.log" >&2; exit 1; }
  sleep 0.1
done
export HOOKBRIDGE_TOKEN=$bench_token
post_connections=8  # fan-out posting; load_gen posts one warm-up event per connection

status=0
for r in ${replicas_list//,/ }; do
  for phase in ingest fanout; do
    # Fresh replicas on a fresh stream for each measurement.
    stream="BENCH_${phase}_$r"
    hb_pids=() http_ports=() grpc_ports=() admin_ports=()
    for i in $(seq 1 "$r"); do
      jetstream_url="nats://127.0.0.1:$nats_port" jetstream_stream=$stream \
        start_hookbridge "$phase-$r-$i" jetstream "max_subscribers: 20000, max_streams_per_token: 20000"
      pids+=("$hb_pid")
      hb_pids+=("$hb_pid") http_ports+=("$http_port") grpc_ports+=("$grpc_port")
      admin_ports+=("$admin_port")
    done
    cpu0=$(cpu_s "${hb_pids[@]}" "$nats_pid")
    if [ "$phase" = ingest ]; then
      lg=()
      for i in $(seq 0 $((r - 1))); do
        next=$(((i + 1) % r))
        "$bin/load_gen" --label "ingest-$r-$i" --port "${http_ports[$i]}" \
          --connections $((connections / r)) --seconds "$seconds" \
          --subscribe "127.0.0.1:${grpc_ports[$next]}" \
          --json "$work/ingest-$r-$i.json" > "$work/ingest-$r-$i.out" &
        lg+=($!)
      done
      for p in "${lg[@]}"; do wait "$p" || status=1; done
    else
      rm -f "$work"/ready-* "$work/last"
      subs=()
      for i in $(seq 0 $((r - 1))); do
        n=$((subscribers / r))
        [ "$i" -eq 0 ] && n=$((subscribers - (r - 1) * (subscribers / r)))
        "$bin/fanout_sub" --target "127.0.0.1:${grpc_ports[$i]}" --subscribers "$n" \
          --channels 16 --mode live --ready_file "$work/ready-$i" \
          --last_sequence_file "$work/last" --server_pid "${hb_pids[$i]}" \
          --timeout_seconds 60 --label "fanout-$r-$i" --json "$work/fanout-$r-$i.json" \
          > "$work/fanout-$r-$i.out" &
        subs+=($!)
        pids+=($!)
      done
      for i in $(seq 0 $((r - 1))); do
        while [ ! -e "$work/ready-$i" ] && kill -0 "${subs[$i]}" 2>/dev/null; do sleep 0.02; done
      done
      "$bin/load_gen" --label "fanout-post-$r" --port "${http_ports[0]}" \
        --connections "$post_connections" --seconds 60 \
        --max_events $((events - post_connections)) --json "$work/fanout-post-$r.json" \
        > "$work/fanout-post-$r.out" || status=1
      # Every replica reads the same stream: the last sequence is the same.
      admin_port=${admin_ports[0]}
      metric hookbridge_log_last_sequence > "$work/last.tmp"
      mv "$work/last.tmp" "$work/last"
      for p in "${subs[@]}"; do wait "$p" || status=1; done
    fi
    echo "{\"cpu_s\": $(awk -v a="$cpu0" -v b="$(cpu_s "${hb_pids[@]}" "$nats_pid")" \
      'BEGIN { print b - a }')}" > "$work/$phase-$r.cpu"
    for p in "${hb_pids[@]}"; do stop_pid "$p"; done
  done
done

python3 - "$work" "$json" "$replicas_list" "$subscribers" "$events" "$connections" "$seconds" \
  <<'PY' || status=1
import glob, json, sys
work, out, replicas_list, subscribers, events, connections, seconds = sys.argv[1:]
rs = [int(r) for r in replicas_list.split(",")]
rows, failed = [], []
for r in rs:
    row = {"replicas": r}
    try:
        ing = [json.load(open(f"{work}/ingest-{r}-{i}.json")) for i in range(r)]
        answered = sum(x["answered"] for x in ing)
        row["ingest_requests_per_s"] = sum(x["requests_per_s"] for x in ing)
        row["ingest_missing"] = sum(x.get("e2e_missing", 0) for x in ing)
        row["ingest_cpu_us_per_request"] = (
            1e6 * json.load(open(f"{work}/ingest-{r}.cpu"))["cpu_s"] / max(answered, 1))
        row["ingest_e2e_p99_us"] = max(x["e2e_latency_us"]["p99"] for x in ing)
    except (OSError, ValueError, KeyError) as e:
        failed.append(f"ingest {r}: {e}")
    try:
        fan = [json.load(open(f"{work}/fanout-{r}-{i}.json")) for i in range(r)]
        deliveries = sum(x["deliveries"] for x in fan)
        row["fanout_deliveries_per_s"] = deliveries / max(x["elapsed_s"] for x in fan)
        row["fanout_ok"] = all(x["ok"] for x in fan)
        row["fanout_cpu_us_per_delivery"] = (
            1e6 * json.load(open(f"{work}/fanout-{r}.cpu"))["cpu_s"] / max(deliveries, 1))
        if not row["fanout_ok"]:
            failed.append(f"fanout {r}: " + "; ".join(e for x in fan for e in x["errors"]))
    except (OSError, ValueError, KeyError) as e:
        failed.append(f"fanout {r}: {e}")
    rows.append(row)
print()
print(f"scale-out on one nats-server (JetStream), all on this machine's cores; ingest: {connections}"
      f" connections, {seconds} s, events cross replicas; fan-out: {subscribers} live"
      f" subscribers (Subscribe), {events} events")
print(f"{'replicas':>8}{'ingest/s':>11}{'e2e p99 us':>12}{'CPU us/req':>12}"
      f"{'deliveries/s':>14}{'CPU us/dlv':>12}")
for row in rows:
    def f(k, fmt):
        return format(row[k], fmt) if k in row else "-"
    print(f"{row['replicas']:>8}{f('ingest_requests_per_s', '.0f'):>11}"
          f"{f('ingest_e2e_p99_us', '.0f'):>12}{f('ingest_cpu_us_per_request', '.1f'):>12}"
          f"{f('fanout_deliveries_per_s', '.0f'):>14}{f('fanout_cpu_us_per_delivery', '.2f'):>12}")
print("CPU: every replica and nats-server together")
for e in failed:
    print(f"  FAILED: {e}")
json.dump({"scenario": "scaleout", "rows": rows, "failed": failed}, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
sys.exit(1 if failed else 0)
PY
exit $status
