#!/usr/bin/env bash
# Generates the Python messages and gRPC stubs for proto/ into OUT_DIR
# (default build/clients/python), the directory to put on PYTHONPATH:
#
#   clients/python/generate.sh [OUT_DIR]
#   PYTHONPATH=build/clients/python /usr/bin/python3 clients/python/subscriber.py ...
#
# Does nothing when the stubs are newer than every .proto file and this
# script; safe to run concurrently (the build and the tests both call it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/build/clients/python}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# One generator at a time per output directory.
exec 9>"$out/.lock"
flock 9

stamp=$out/.generated
if [ -f "$stamp" ] &&
   [ -z "$(find "$repo/proto" "$0" -newer "$stamp" \( -name '*.proto' -o -name generate.sh \) -print -quit)" ]; then
  exit 0
fi

# Generate aside, then move into place, so no client ever imports a
# half-written package. protoc reads the well-known types
# (google/protobuf/*.proto) from /usr/include; their Python modules come
# with python3-protobuf, so they are not generated here.
tmp=$(mktemp -d "$out/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/.generated"  # before protoc: a .proto edited meanwhile is newer
protoc -I "$repo/proto" -I /usr/include \
  --python_out="$tmp" --grpc_out="$tmp" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  "$repo"/proto/hookbridge/v1/*.proto "$repo"/proto/hookbridge/*/v1/*.proto
rm -rf "$out/hookbridge"
mv "$tmp/hookbridge" "$out/hookbridge"
mv "$tmp/.generated" "$stamp"
