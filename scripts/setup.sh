#!/usr/bin/env bash
# Installs what hookbridge needs to build and test on Debian 12, idempotently:
# Debian packages that are missing (apt-get runs only then), and the npm
# packages of the Node.js parts (the Node client, the deployment checks)
# when their package.json changed. Needs root (or sudo) only to install.
#
#   scripts/setup.sh               everything: build, run and test
#   scripts/setup.sh --build-only  what building the binaries needs (images)
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

packages=(
  # build
  build-essential cmake pkg-config ninja-build
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost-dev libssl-dev libabsl-dev prometheus-cpp-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev
  # the JSON parser of webhook bodies (bridge/json_document.cc)
  libsimdjson-dev
  # the NATS C client: the jetstream log backend (and bench/'s NATS baseline)
  libnats-dev
  # scripts/run.sh makes a throwaway secret with it
  openssl ca-certificates
)
if ! $build_only; then
  packages+=(
    # scripts and tests
    curl unzip python3
    # a compiler cache (scripts/build.sh): the test run's first-hour check
    # builds a fresh clone, which then compiles from what build/ compiled
    ccache
    # clients in other languages, run by the tests
    python3-grpcio python3-protobuf python3-venv
    golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
    protoc-gen-go protoc-gen-go-grpc
    # a real Prometheus (and promtool) for the metrics tests
    prometheus
    # the container image, built and run without a daemon (scripts/image.sh)
    mmdebstrap buildah podman uidmap gpg libdpkg-perl fuse-overlayfs
    # the sanitizer builds and libFuzzer (scripts/test.sh, scripts/fuzz.sh):
    # clang 14 and its runtimes (ASan, UBSan, TSan, libFuzzer)
    clang libclang-rt-14-dev
    # nats-server: the jetstream log's tests start one; the benchmarks'
    # baselines, which the test run smoke-tests (bench/smoke.sh): nginx and
    # nats-server
    nginx-light nats-server
    # the console's browser test (tests/console) drives Debian's Chromium;
    # a test tool's own browser download cannot work here
    chromium
  )
  # Node.js may come from elsewhere (e.g. NodeSource); install Debian's only
  # when there is none.
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  # The prometheus package would start its service where there is an init
  # system; the tests start their own instance.
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

$build_only && exit 0

# npm packages, per directory with a package.json; reinstalled when the
# package.json or lock file is newer than the installed tree.
for dir in clients/node tests/deploy tests/console tests/proto tests/signatures; do
  [ -f "$dir/package.json" ] || continue
  stamp="$dir/node_modules/.installed"
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ] ||
     { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$stamp" ]; }; then
    echo "setup: npm install in $dir"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    touch "$stamp"
  fi
done
