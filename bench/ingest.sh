#!/usr/bin/env bash
# Ingest throughput, hookbridge against Debian's nginx in the same run.
#
#   nice bench/ingest.sh [--seconds S] [--connections N] [--json FILE]
#
# The same load (build/bin/load_gen, closed loop: N keep-alive HTTP/1.1
# connections POSTing signed ~1 KiB CKEditor events) against:
#   nginx    answering 204 to POST on the same path (throwaway config, pid and
#            logs in a temp dir, worker_processes = number of cores);
#   memory   hookbridge with the memory log;
#   file     hookbridge with the file log, fsync: always;
# each hookbridge with one subscriber attached and draining (load_gen's own,
# on Subscribe, which fails the run if an accepted event does not
# arrive). Prints requests/s, p50/p99 latency, the ratios hookbridge / nginx
# and the CPU per request of the server and of the client (load_gen with its
# subscriber); writes JSON (default bench-ingest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10 connections=32 json=bench-ingest.json
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--connections N] [--json FILE]" >&2; exit 2 ;;
  esac
done
. bench/common.sh  # $work, $pids (stopped on exit), start_hookbridge, $bin
require_bins load_gen hookbridge
bench/setup.sh nginx
nginx=$(command -v nginx || echo /usr/sbin/nginx)

load() {  # load NAME PORT [load_gen flags...]
  local name=$1 port=$2
  shift 2
  "$bin/load_gen" --label "$name" --port "$port" --connections "$connections" \
    --seconds "$seconds" --json "$work/$name.json" "$@"
}

# nginx: a free loopback port, everything it writes under $work/nginx.
mkdir -p "$work/nginx"
nginx_port=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /webhooks/ckeditor { return 204; }
  }
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break
  sleep 0.1
done
load nginx "$nginx_port"
echo "{\"server\": $(cpu_s $(pgrep -P "$nginx_pid") "$nginx_pid")}" > "$work/nginx.cpu"
stop_pid "$nginx_pid"

for backend in memory file; do
  start_hookbridge "$backend" "$backend"
  pids+=("$hb_pid")
  # load_gen's own subscriber drains the stream (Subscribe) and
  # checks that every accepted event arrived; it is in load_gen's CPU.
  HOOKBRIDGE_TOKEN=$bench_token load "$backend" "$http_port" --subscribe "127.0.0.1:$grpc_port"
  echo "{\"server\": $(cpu_s "$hb_pid")}" > "$work/$backend.cpu"
  stop_pid "$hb_pid"
done

python3 - "$work" "$json" "$seconds" "$connections" <<'PY'
import json, sys
work, out, seconds, connections = sys.argv[1:]
runs = {n: json.load(open(f"{work}/{n}.json")) for n in ("nginx", "memory", "file")}
for n, r in runs.items():
    r["cpu_s"] = json.load(open(f"{work}/{n}.cpu"))
    r["cpu_s"]["load_gen"] = r["load_gen_cpu_s"]
base = runs["nginx"]["requests_per_s"]
print()
print(f"ingest, closed loop, {connections} connections, {seconds} s per run, ~1 KiB signed CKEditor events")
print(f"{'server':<28}{'requests/s':>12}{'p50 us':>10}{'p99 us':>10}{'/ nginx':>9}"
      f"{'CPU us/req: server':>20}{'client':>8}")
names = {"nginx": "nginx (204)", "memory": "hookbridge memory log",
         "file": "hookbridge file log always"}
for n, r in runs.items():
    lat = r["http_latency_us"]
    print(f"{names[n]:<28}{r['requests_per_s']:>12.0f}{lat['p50']:>10.1f}{lat['p99']:>10.1f}"
          f"{r['requests_per_s'] / base:>9.3f}"
          + "".join(f"{1e6 * r['cpu_s'][k] / max(r['answered'], 1):>{w}.1f}"
                    for k, w in (("server", 20), ("load_gen", 8))))
    if set(r["status"]) != {"204" if n == "nginx" else "200"} or r["errors"]:
        print(f"  unexpected answers: {r['status']}, {r['errors']} lost")
json.dump({"scenario": "ingest", "runs": runs,
           "ratio_to_nginx": {n: runs[n]["requests_per_s"] / base for n in ("memory", "file")}},
          open(out, "w"), indent=1)
print(f"\nJSON: {out}")
PY
