#!/usr/bin/env bash
# Generates the Go messages and gRPC stubs for proto/ and builds the example
# client, with Debian's Go toolchain and gRPC packages (GOPATH mode, no
# module downloads), into OUT_DIR (default build/clients/go):
#
#   clients/go/build.sh [OUT_DIR]
#   build/clients/go/bin/hookbridge-subscriber -target localhost:50051 ...
#
# OUT_DIR is a GOPATH: the stubs land in src/<go_package import path>, i.e.
# src/hookbridge/gen/hookbridge/v1/... . Does nothing when the binary is newer
# than every .proto, .go file and this script; safe to run concurrently (the
# build and the tests both call it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/clients/go}
mkdir -p "$out"
out=$(cd "$out" && pwd)
binary=$out/bin/hookbridge-subscriber

# One build at a time per output directory.
exec 9>"$out/.lock"
flock 9

if [ -x "$binary" ] &&
   [ -z "$(find "$repo/proto" "$here" -newer "$binary" \( -name '*.proto' -o -name '*.go' -o -name build.sh \) -print -quit)" ]; then
  exit 0
fi

export GO111MODULE=off
export GOPATH=$out:/usr/share/gocode   # generated stubs, then Debian's Go packages
export GOCACHE=$out/cache              # kept with the build, not in $HOME
export GOFLAGS=

stamp=$(mktemp "$out/.stamp.XXXXXX")   # taken before reading any input
trap 'rm -f "$stamp"' EXIT
rm -rf "$out/src/github.com/hookbridge"
mkdir -p "$out/src" "$out/bin"
# protoc-gen-go places each file by its go_package option under --go_out.
protoc -I "$repo/proto" -I /usr/include \
  --go_out="$out/src" --go-grpc_out="$out/src" \
  "$repo"/proto/hookbridge/v1/*.proto "$repo"/proto/hookbridge/*/v1/*.proto
(cd "$here" && go build -o "$binary.tmp" .)
touch -r "$stamp" "$binary.tmp"
mv "$binary.tmp" "$binary"
