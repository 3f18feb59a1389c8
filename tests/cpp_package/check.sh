#!/usr/bin/env bash
# Installs the C++ client from BUILD_DIR into a temporary prefix
# (cmake --install --component client), builds tests/cpp_package against it
# with find_package(hookbridge), and runs the result.
#
#   tests/cpp_package/check.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
work=$(mktemp -d /tmp/hookbridge-cpp-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" --component client >"$work/install.log"
test -f "$work/prefix/lib/cmake/hookbridge/hookbridgeConfig.cmake"
test -f "$work/prefix/include/hookbridge/client.h"
test -f "$work/prefix/include/hookbridge/v1/service.proto"
# The vendored CloudEvents schema that service.proto imports, and its code.
test -f "$work/prefix/include/io/cloudevents/v1/cloudevents.proto"
test -f "$work/prefix/include/io/cloudevents/v1/cloudevents.pb.h"
test -x "$work/prefix/bin/hookbridge-tail"
test -x "$work/prefix/bin/hookbridge-ctl"
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
mkdir "$work/run"
"$work/consumer/consumer" "$work/run"
