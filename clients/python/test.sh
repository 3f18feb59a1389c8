#!/usr/bin/env bash
# Runs the Python client's unit tests (unittest, no hookbridge server needed)
# with Debian's /usr/bin/python3 against the sources: the library and the
# modules protoc generates from proto/ are staged in a temporary directory.
#
#   clients/python/test.sh [unittest arguments, e.g. -k cursor]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
stage=$(mktemp -d "${TMPDIR:-/tmp}/hookbridge-python-test.XXXXXX")
trap 'rm -rf "$stage"' EXIT
"$python" "$here/build_backend/hookbridge_build.py" stage "$stage"
cd "$here/tests"
PYTHONPATH="$stage:$here/tests:$here/build_backend" PYTHONDONTWRITEBYTECODE=1 \
  "$python" -m unittest discover -s . -p 'test_*.py' "$@"
