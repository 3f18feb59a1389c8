#!/usr/bin/env bash
# Makes clients/go/vendor from the Go packages Debian installs under
# /usr/share/gocode/src (golang-google-grpc-dev, golang-google-protobuf-dev,
# golang-github-golang-protobuf-1-5-dev, golang-google-genproto-dev,
# golang-golang-x-{net,sys,text}-dev), so that the module builds in module
# mode with no download:
#
#   clients/go/vendor-debian.sh
#   cd clients/go && GOFLAGS=-mod=vendor GOPROXY=off go build ./...
#
# Every requirement of go.mod becomes vendor/<module path>, a symbolic link
# to Debian's copy, and vendor/modules.txt lists it under the version go.mod
# names (with go.mod's `go` version of Debian's copy, so each package is
# compiled with its own language version). The go command checks only that
# modules.txt agrees with go.mod; go.sum is not used with -mod=vendor.
# vendor/ is not committed (.gitignore): it points into this machine.
#
# Does nothing when vendor/modules.txt is already what it would write; safe
# to run concurrently (flock on go.mod). GOCODE overrides the source root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gocode=${GOCODE:-/usr/share/gocode/src}

exec 8<"$here/go.mod"
flock 8

# module path and version of every requirement, direct or indirect.
requirements=$(awk '
  /^require \(/ { block = 1; next }
  block && /^\)/ { block = 0; next }
  block && NF >= 2 && $1 !~ /^\/\// { print $1, $2; next }
  /^require [^(]/ { print $2, $3 }
' "$here/go.mod")

expected=$(mktemp)
trap 'rm -f "$expected"' EXIT
while read -r path version; do
  [ -n "$path" ] || continue
  src=$gocode/$path
  if [ ! -f "$src/go.mod" ] && [ ! -d "$src" ]; then
    echo "vendor-debian.sh: $src is missing (install the Debian package that ships $path)" >&2
    exit 1
  fi
  go_version=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$src/go.mod" 2>/dev/null | head -1)
  echo "# $path $version"
  echo "## explicit${go_version:+; go $go_version}"
  # Every directory with non-test Go files is a package of the module
  # (nested modules excluded: Debian ships none inside these).
  (cd "$src" && find -L . -name testdata -prune -o -name '*.go' ! -name '*_test.go' -printf '%h\n' |
    LC_ALL=C sort -u | sed "s|^\.\$|$path|; s|^\./|$path/|")
done <<<"$requirements" >"$expected"

vendor=$here/vendor
if [ -f "$vendor/modules.txt" ] && cmp -s "$expected" "$vendor/modules.txt"; then
  exit 0
fi

# Debian's grpc and protobuf should be the versions go.mod names.
check_version() { # module, version in go.mod, version Debian ships
  if [ -n "$3" ] && [ "v$3" != "$2" ]; then
    echo "vendor-debian.sh: warning: $gocode/$1 is $3, go.mod says $2" >&2
  fi
}
while read -r path version; do
  case $path in
    google.golang.org/grpc)
      check_version "$path" "$version" \
        "$(sed -n 's/^const Version = "\(.*\)"/\1/p' "$gocode/$path/version.go" 2>/dev/null)" ;;
    google.golang.org/protobuf)
      check_version "$path" "$version" "$(awk '/^\tMajor *=/ {M=$3} /^\tMinor *=/ {m=$3} /^\tPatch *=/ {p=$3}
        END {if (M != "") print M "." m "." p}' "$gocode/$path/internal/version/version.go" 2>/dev/null)" ;;
  esac
done <<<"$requirements"

new=$(mktemp -d "$here/.vendor.XXXXXX")
while read -r path version; do
  [ -n "$path" ] || continue
  mkdir -p "$new/$(dirname "$path")"
  ln -s "$gocode/$path" "$new/$path"
done <<<"$requirements"
cp "$expected" "$new/modules.txt"
chmod 644 "$new/modules.txt"
chmod 755 "$new"
rm -rf "$vendor.old"
if [ -e "$vendor" ]; then mv "$vendor" "$vendor.old"; fi
mv "$new" "$vendor"
rm -rf "$vendor.old"
