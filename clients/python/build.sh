#!/usr/bin/env bash
# Installs the Python client into a virtual environment in OUT_DIR (default
# build/clients/python), offline: the venv sees Debian's python3-grpcio and
# python3-protobuf (--system-site-packages) and the package's build backend
# needs only protoc, so pip downloads nothing.
#
#   clients/python/build.sh [OUT_DIR]
#   OUT_DIR/venv/bin/hookbridge-subscribe --target HOST:PORT ...
#   OUT_DIR/venv/bin/python -c 'import hookbridge'
#
# Does nothing when the package sources, proto/ and the interpreter are as
# they were at the last install; safe to run concurrently (flock on
# OUT_DIR/.lock). $PYTHON picks the interpreter (default /usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/clients/python}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
out=$(cd "$out" && pwd)
venv=$out/venv

exec 9>"$out/.lock"
flock 9

# Everything the installed package is made of.
inputs() {
  (cd "$here" && find pyproject.toml README.md build_backend src -type f \
     ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  (cd "$repo/proto" && find . -name '*.proto' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  command -v protoc grpc_python_plugin || true
  "$python" -c 'import sys; print(sys.version)'
}
stamp=$(inputs | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/hookbridge-subscribe" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
rm -f "$out/.stamp"

# A venv of another interpreter (or a broken one) is made anew.
want=$("$python" -c 'import sys; print(sys.version)')
have=$("$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  rm -rf "$venv"
  "$python" -m venv --system-site-packages "$venv"
fi

# --no-deps: grpcio and protobuf come from the system (checked below);
# --force-reinstall: the version is the same, the contents are not.
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
  "$venv/bin/python" -m pip install --quiet --no-index --no-deps --force-reinstall "$here"
(cd "$out" && "$venv/bin/python" -c 'import grpc, google.protobuf, hookbridge, hookbridge.v1.service_pb2_grpc') || {
  echo "build.sh: hookbridge does not import in $venv: are python3-grpcio and python3-protobuf installed?" >&2
  exit 1
}
echo "$stamp" >"$out/.stamp"
