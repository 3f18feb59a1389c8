#!/usr/bin/env bash
# Tests the Go client offline (no hookbridge server, no network):
#
#   clients/go/test.sh [OUT_DIR]     # OUT_DIR holds the Go build cache (default build/clients/go)
#
# 1. the committed generated code (gen/) is what generate.sh makes from
#    proto/ now (the version comment of the generator is not compared);
# 2. gofmt, go vet ./...;
# 3. go test ./... (HOOKBRIDGE_GO_RACE=1 adds -race).
# Builds like build.sh: with Debian's Go packages through vendor/ when they
# are installed, HOOKBRIDGE_GO_MODE=mod for plain module mode. Exits
# non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/clients/go}
mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "== generated code is current"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/generate.sh" "$tmp"
if ! diff -ru -I '^//.*protoc.* v[0-9]' "$here/gen" "$tmp/gen"; then
  echo "test.sh: clients/go/gen is stale: run clients/go/generate.sh and commit the result" >&2
  exit 1
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
  *) echo "test.sh: HOOKBRIDGE_GO_MODE must be vendor or mod, not $mode" >&2; exit 2 ;;
esac
export GOWORK=off GO111MODULE=on
export GOCACHE=${GOCACHE:-$out/cache}
cd "$here"

echo "== gofmt"
unformatted=$(gofmt -l $(find . -path ./vendor -prune -o -name '*.go' -print))
if [ -n "$unformatted" ]; then
  echo "test.sh: not gofmt'ed:" $unformatted >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
race=()
if [ "${HOOKBRIDGE_GO_RACE:-}" = 1 ]; then race=(-race); fi
go test "${race[@]}" -count=1 ./...
