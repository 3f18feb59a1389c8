#!/usr/bin/env bash
# End-to-end latency at fixed offered rates: hookbridge on the memory log and
# on the file log (fsync: always), POST due -> event received by a gRPC
# subscriber; and, in the same run, core NATS publish -> subscriber at the
# same rates and this disk's fdatasync latency, the baselines the targets are
# stated against.
#
#   nice bench/latency.sh [--rates 1000,5000,20000] [--seconds S] [--connections N]
#                         [--sched-rate R] [--json FILE]
#
# build/bin/load_gen runs open loop: request i is due at t0 + i / rate on one
# of N keep-alive connections, and its own gRPC subscriber (in the same
# process, with a token) timestamps each event's arrival. Latency counts from
# when a request was due, so a server that falls behind shows it (a due
# request waiting for a free connection is waiting). build/bin/nats_latency
# does the same with core NATS (one publisher connection, one subscriber,
# messages the size of this run's serialized events) against a nats-server
# the script starts on loopback; without nats-server or nats_latency (built
# where libnats-dev is installed) the script says so and runs without it.
#
# The three servers are started first and stay up; each rate is then run on
# memory, file and NATS back to back, so the rows a ratio compares are
# seconds apart. The targets, checked at 5,000/s (reported, never failed on):
#   memory p99 <= 2 x NATS p99;
#   file p99   <= memory p99 + 2 x this disk's fdatasync p99.
# Each run also reports where its latency went (stages from load_gen, the
# server's own histograms scraped around the run) and the CPU the rest of
# the machine used meanwhile. --sched-rate R records the scheduler (perf
# sched, system-wide; needs root and linux-perf) during the runs at rate R
# and reports, per process and thread, wake-ups and run-queue delay (see
# bench/latency_report.py, which prints the report). Writes JSON
# (default bench-latency.json); exits 1 if a run fails (missing events).
set -euo pipefail
cd "$(dirname "$0")/.."
rates=1000,5000,20000 seconds=5 connections=64 json=bench-latency.json sched_rate=""
usage="usage: $0 [--rates R1,R2..] [--seconds S] [--connections N] [--sched-rate R] [--json FILE]"
while [ $# -gt 0 ]; do
  case $1 in
    --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --sched-rate) sched_rate=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, $bin
require_bins load_gen hookbridge bench_log_append
if [ -n "$sched_rate" ] && ! perf sched record -o "$work/perf-probe.data" -- true >/dev/null 2>&1; then
  echo "--sched-rate: perf sched cannot record here (needs root and linux-perf): not recorded" >&2
  sched_rate=""
fi

# fdatasync WHEN: the disk under the file log ($work), fdatasync of a 1 KiB
# append for 1 s; measured before and after the runs, which it brackets.
fdatasync() {
  mkdir -p "$work/sync"
  "$bin/bench_log_append" --threads= --dir "$work/sync" --json "$work/fdatasync-$1.json" \
    | grep fdatasync
  rm -rf "$work/sync"
}
fdatasync before

# The NATS baseline's server: loopback, a free port, a throwaway config.
bench/setup.sh nats-server || echo "could not install nats-server" >&2
nats_server=$(command -v nats-server || true)
nats=0 nats_pid=0
if [ -z "$nats_server" ]; then
  echo "nats-server is not installed (bench/setup.sh installs it): no NATS baseline"
elif [ ! -x "$bin/nats_latency" ]; then
  echo "$bin/nats_latency was not built (libnats-dev missing at configure time): no NATS baseline"
else
  nats=1
  nats_port=$(free_port)
  mkdir -p "$work/nats"
  cat > "$work/nats/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
pid_file: "$work/nats/nats.pid"
CONF
  "$nats_server" -c "$work/nats/nats.conf" -l "$work/nats/nats.log" &
  nats_pid=$!
  pids+=("$nats_pid")
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break
    sleep 0.1
  done
fi

# Both hookbridge servers, each with its ports kept by backend.
declare -A hb_pids http_ports grpc_ports admin_ports
for backend in memory file; do
  start_hookbridge "$backend" "$backend"
  pids+=("$hb_pid")
  hb_pids[$backend]=$hb_pid http_ports[$backend]=$http_port grpc_ports[$backend]=$grpc_port
  admin_ports[$backend]=$admin_port
done

# sched_start NAME RATE / sched_stop: perf sched around a run at --sched-rate.
sched_pid=""
sched_start() {
  [ "$2" = "$sched_rate" ] || return 0
  perf sched record -a -o "$work/$1.sched.data" >/dev/null 2>"$work/$1.sched.log" &
  sched_pid=$!
  # Recording starts once perf has written the file's header.
  for _ in $(seq 50); do [ -s "$work/$1.sched.data" ] && break; sleep 0.1; done
}
sched_stop() {
  [ -n "$sched_pid" ] || return 0
  kill -INT "$sched_pid" 2>/dev/null || true
  wait "$sched_pid" 2>/dev/null || true
  sched_pid=""
}
# sched_summary NAME SERVER_PID CLIENT_PID: keeps the run's scheduler events
# as text, and which processes were the server and the client, for the report.
sched_summary() {
  local name=$1
  shift
  [ -s "$work/$name.sched.data" ] || return 0
  perf sched timehist --state -i "$work/$name.sched.data" 2>/dev/null \
    > "$work/$name.sched.txt" || true
  echo "$*" > "$work/$name.sched.pids"
  rm -f "$work/$name.sched.data"
}

status=0
nats_bytes=""
for rate in ${rates//,/ }; do
  for backend in memory file; do
    name=$backend-$rate
    curl -sf "http://127.0.0.1:${admin_ports[$backend]}/metrics" > "$work/$name.metrics0" || true
    sched_start "$name" "$rate"
    HOOKBRIDGE_TOKEN=$bench_token "$bin/load_gen" --label "$name" \
      --port "${http_ports[$backend]}" --subscribe "127.0.0.1:${grpc_ports[$backend]}" \
      --rate "$rate" --seconds "$seconds" --connections "$connections" \
      --server_pid "${hb_pids[$backend]}" --json "$work/$name.json" &
    client=$!
    wait "$client" || status=1
    sched_stop
    sched_summary "$name" "${hb_pids[$backend]}" "$client"
    curl -sf "http://127.0.0.1:${admin_ports[$backend]}/metrics" > "$work/$name.metrics1" || true
  done
  [ "$nats" = 1 ] || continue
  # Messages the size of this run's serialized events.
  if [ -z "$nats_bytes" ]; then
    nats_bytes=$(python3 -c 'import json, sys
try: print(round(json.load(open(sys.argv[1]))["event_bytes"]) or 700)
except Exception: print(700)' "$work/memory-$rate.json")
  fi
  name=nats-$rate
  sched_start "$name" "$rate"
  "$bin/nats_latency" --url "nats://127.0.0.1:$nats_port" --label "$name" --rate "$rate" \
    --seconds "$seconds" --bytes "$nats_bytes" --server_pid "$nats_pid" \
    --json "$work/$name.json" &
  client=$!
  wait "$client" || status=1
  sched_stop
  sched_summary "$name" "$nats_pid" "$client"
done
for backend in memory file; do stop_pid "${hb_pids[$backend]}"; done
[ "$nats" = 0 ] || stop_pid "$nats_pid"
fdatasync after

python3 bench/latency_report.py "$work" "$json" "$rates" "$seconds" "$connections" "$nats" \
  || status=1
exit $status
