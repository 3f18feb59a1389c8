// A clock that never steps, for measuring durations (rate limits) where
// the wall clock would be wrong after it is set back or forward.
#ifndef HOOKBRIDGE_BRIDGE_MONOTONIC_H_
#define HOOKBRIDGE_BRIDGE_MONOTONIC_H_

#include <chrono>

#include "absl/time/time.h"

namespace hookbridge {

// The steady clock as an absl::Time: only differences between two readings
// mean anything (the origin is the steady clock's, e.g. the boot).
inline absl::Time MonotonicNow() {
  return absl::UnixEpoch() + absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_MONOTONIC_H_
