#!/bin/sh
# ctest's replay of a libFuzzer binary's seeds and kept crash inputs:
#
#   fuzz/replay.sh FUZZER DIR...
#
# Runs FUZZER on every file of every DIR that exists (a libFuzzer binary
# given files runs each once and exits; it fails on the first crash). As
# replay_main.cc does for the other builds, a missing directory counts as
# empty, but no input at all is an error.
set -eu
fuzzer=$1
shift
files=$(for dir in "$@"; do [ -d "$dir" ] && find "$dir" -type f; done | LC_ALL=C sort)
if [ -z "$files" ]; then
  echo "replay: no input found in $*" >&2
  exit 1
fi
# Paths without whitespace (the corpus file names are ours).
# shellcheck disable=SC2086
exec "$fuzzer" $files
