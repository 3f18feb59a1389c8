#!/usr/bin/env bash
# Builds the hookbridge-subscribe CLI of the Go client into OUT_DIR (default
# build/clients/go):
#
#   clients/go/build.sh [OUT_DIR]
#   OUT_DIR/bin/hookbridge-subscribe --target localhost:50051 --types 'comment.*' ...
#
# Offline with Debian's Go packages when they are installed (the module's
# requirements as vendor/ links into /usr/share/gocode, made by
# vendor-debian.sh; -mod=vendor, GOPROXY=off), else in plain module mode
# (which downloads the requirements, or finds them in the module cache).
# HOOKBRIDGE_GO_MODE=vendor or =mod forces either. The generated code is
# committed (gen/), so no protoc is needed here; test.sh checks it is
# current.
#
# Does nothing when the binary is newer than every input; safe to run
# concurrently (flock on OUT_DIR/.lock; vendor/ has its own lock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/clients/go}
mkdir -p "$out"
out=$(cd "$out" && pwd)
binary=$out/bin/hookbridge-subscribe

exec 9>"$out/.lock"
flock 9

# Newer inputs than the binary: Go sources, go.mod/go.sum, these scripts.
if [ -x "$binary" ] &&
   [ -z "$(find "$here" -path "$here/vendor" -prune -o -newer "$binary" \
      \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' \) -print -quit)" ]; then
  exit 0
fi

mode=${HOOKBRIDGE_GO_MODE:-}
if [ -z "$mode" ]; then
  if [ -d "${GOCODE:-/usr/share/gocode/src}/google.golang.org/grpc" ]; then mode=vendor; else mode=mod; fi
fi
case $mode in
  vendor)
    "$here/vendor-debian.sh"
    export GOFLAGS=-mod=vendor GOPROXY=off ;;
  mod)
    export GOFLAGS=-mod=mod ;;
  *) echo "build.sh: HOOKBRIDGE_GO_MODE must be vendor or mod, not $mode" >&2; exit 2 ;;
esac
export GOWORK=off GO111MODULE=on
export GOCACHE=${GOCACHE:-$out/cache} # with the build, not in $HOME

stamp=$(mktemp "$out/.stamp.XXXXXX") # taken before reading any input
trap 'rm -f "$stamp" "$binary.tmp"' EXIT
mkdir -p "$out/bin"
(cd "$here" && go build -trimpath -o "$binary.tmp" ./cmd/hookbridge-subscribe)
touch -r "$stamp" "$binary.tmp"
mv "$binary.tmp" "$binary"
