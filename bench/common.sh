# Sourced by the bench scripts (from the repo root): $bin, the binaries'
# directory ($HOOKBRIDGE_BUILD_DIR/bin, by default build/bin); a temp dir
# $work, removed on exit with every process listed in $pids stopped; and
# start_hookbridge, which runs hookbridge on loopback with a subscriber
# token for this run only.

bin=${HOOKBRIDGE_BUILD_DIR:-build}/bin

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A subscriber token for this run only (it may also create consumers).
bench_token=$(openssl rand -hex 32)
bench_token_sha256=$(printf %s "$bench_token" | sha256sum | cut -d' ' -f1)

# start_hookbridge NAME memory|file|jetstream [GRPC_KEYS]: starts
# $bin/hookbridge, sets hb_pid, http_port, grpc_port, admin_port. GRPC_KEYS:
# more keys of the grpc section, e.g. "max_subscribers: 20000". jetstream
# uses the stream $jetstream_stream on the NATS server $jetstream_url;
# memory adds $memory_log_keys (e.g. "max_events: 2000000") if set.
# $hb_wrapper, if set, is a command (and arguments) the binary runs under,
# e.g. valgrind.
start_hookbridge() {
  local name=$1 backend=$2 grpc_keys=${3:+, $3} log http_keys=""
  mkdir -p "$work/$name"
  case $backend in
    memory) log="{ backend: memory${memory_log_keys:+, $memory_log_keys} }" ;;
    file) log="{ backend: file, dir: \"$work/$name/log\", fsync: always }" ;;
    jetstream)
      # Bodies whose events fit a default nats-server's max_payload (1MiB).
      http_keys=", max_body_bytes: 509KiB"
      log="{ backend: jetstream, url: \"$jetstream_url\", stream: \"$jetstream_stream\", subject_prefix: \"$jetstream_stream\", replicas: 1 }" ;;
    *) echo "start_hookbridge: no backend $backend" >&2; return 2 ;;
  esac
  cat > "$work/$name/config.yaml" <<YAML
http: { listen: "127.0.0.1:0", max_requests_per_connection: 1000000, rate_limit: { per_second: 0 }$http_keys }
grpc: { listen: "127.0.0.1:0"$grpc_keys }
admin: { listen: "127.0.0.1:0" }
log: $log
sources:
  - { name: ckeditor, provider: ckeditor-cloud-services, secrets: ["bench-secret"] }
auth:
  tokens: [ { name: bench, sha256: "$bench_token_sha256", sources: ["*"], types: ["*"], manage_consumers: true } ]
YAML
  ${hb_wrapper:-} "$bin/hookbridge" --config "$work/$name/config.yaml" 2>"$work/$name/stderr" &
  hb_pid=$!
  until grep -q '"msg":"listening"' "$work/$name/stderr" 2>/dev/null; do
    kill -0 "$hb_pid" 2>/dev/null || { cat "$work/$name/stderr" >&2; return 1; }
    sleep 0.1
  done
  local line
  line=$(grep '"msg":"listening"' "$work/$name/stderr")
  http_port=$(echo "$line" | sed -E 's/.*"http_port":([0-9]+).*/\1/')
  grpc_port=$(echo "$line" | sed -E 's/.*"grpc_port":([0-9]+).*/\1/')
  admin_port=$(echo "$line" | sed -E 's/.*"admin_port":([0-9]+).*/\1/')
}

# require_bins NAME...: exits unless each is built in $bin.
require_bins() {
  local b
  for b in "$@"; do
    [ -x "$bin/$b" ] || { echo "build first: $bin/$b is missing" >&2; exit 1; }
  done
}

# free_port: a TCP port free on loopback now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# stop_pid PID: ends a process this script started and waits for it.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# cpu_s PID...: CPU seconds (user + system) used so far by these processes.
cpu_s() {
  local ticks=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# metric NAME: the value of an unlabelled sample on the running hookbridge's
# /metrics (admin_port), e.g. hookbridge_log_last_sequence.
metric() {
  curl -sf "http://127.0.0.1:$admin_port/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}

# rss_kib PID: resident set size of a process, KiB.
rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
