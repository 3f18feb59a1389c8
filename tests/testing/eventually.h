// Waiting for state another thread or process reaches asynchronously.
#ifndef HOOKBRIDGE_TESTS_TESTING_EVENTUALLY_H_
#define HOOKBRIDGE_TESTS_TESTING_EVENTUALLY_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hookbridge::testing {

// Polls `condition` until it holds or `timeout` passes; whether it held.
// A bound on a wait, not a timing assumption.
template <typename F>
bool Eventually(F condition, absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return condition();
}

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_TESTING_EVENTUALLY_H_
