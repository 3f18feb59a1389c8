#!/usr/bin/env bash
# Regenerates the Go code for proto/ into clients/go/gen (committed, so that
# `go get` of the module works), or into DIR/gen when a directory is given
# (test.sh does that to check that the committed files are up to date):
#
#   clients/go/generate.sh [DIR]
#
# Needs protoc, protoc-gen-go and protoc-gen-go-grpc (Debian:
# protobuf-compiler, libprotobuf-dev for the well-known .proto files,
# protoc-gen-go, protoc-gen-go-grpc). Each file lands under its go_package
# import path with the module prefix stripped: gen/hookbridge/v1 (package
# hookbridgev1) and gen/hookbridge/<provider>/v1 (package <provider>v1).
#
# proto/io/cloudevents/v1 (the CloudEvents spec's cloudevents.proto, which
# service.proto imports) is generated into gen/io/cloudevents/v1 (package
# cloudeventsv1): its own go_package, cloudevents.io/genproto/v1, is not a
# module anyone can fetch, and the vendored file is not edited, so an M
# option maps it here.
#
# proto/google/rpc is not generated: its go_package is genproto's
# (google.golang.org/genproto/googleapis/rpc/...), which grpc-go itself links;
# a second copy of the same message names would be a registration conflict.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dest=${1:-$here}
module=github.com/hookbridge/hookbridge/clients/go

# The directory with the well-known types (google/protobuf/*.proto).
include=
for dir in /usr/include /usr/local/include; do
  if [ -f "$dir/google/protobuf/timestamp.proto" ]; then include=$dir; break; fi
done
if [ -z "$include" ]; then
  echo "generate.sh: google/protobuf/timestamp.proto not found (install libprotobuf-dev)" >&2
  exit 1
fi

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$repo/proto" && find hookbridge io -name '*.proto' | LC_ALL=C sort) > "$tmp/files"
mapfile -t files < "$tmp/files"
cloudevents=Mio/cloudevents/v1/cloudevents.proto=$module/gen/io/cloudevents/v1\;cloudeventsv1
(cd "$repo/proto" &&
  protoc -I . -I "$include" \
    --go_out="$tmp" --go_opt=module=$module,paths=import,$cloudevents \
    --go-grpc_out="$tmp" --go-grpc_opt=module=$module,paths=import,$cloudevents \
    "${files[@]}")
rm -rf "$dest/gen"
mv "$tmp/gen" "$dest/gen"
