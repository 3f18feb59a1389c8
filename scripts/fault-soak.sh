#!/usr/bin/env bash
# The file log's fault sweeps, long: a write error (ENOSPC, EIO, a short
# write then ENOSPC), a failed fdatasync, a failed directory fsync or EMFILE
# at every disk operation of a workload in turn, and a power cut (with and
# without torn writes) before every one, each followed by the checks that
# no acknowledged event is lost or duplicated and sequences stay intact,
# live and after a restart. The tests run the same sweeps with 16 events.
#
#   scripts/fault-soak.sh [EVENTS] [ROUNDS]     (defaults 400 and 3)
#
# Needs build/bin/bridge_tests (cmake --build build --target bridge_tests).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-400}
rounds=${2:-3}
[ -x build/bin/bridge_tests ] || { echo "build/bin/bridge_tests is not built" >&2; exit 2; }
start=$(date +%s)
HOOKBRIDGE_SWEEP_EVENTS=$events build/bin/bridge_tests \
  --gtest_filter='FileLogFaultTest.AWriteErrorOrFailedSyncAtAnyPointLosesAndDuplicatesNothing:FileLogFaultTest.APowerCutAtAnyPointKeepsEveryAcknowledgedEventOnceInOrder' \
  --gtest_repeat="$rounds" --gtest_brief=1 | grep -E 'sweep:|FAILED|PASSED'
echo "fault soak: $rounds rounds of $events events in $(( $(date +%s) - start )) s"
