// A token bucket: the per-source rate limit of the ingest path.
//
// The bucket holds up to `burst` tokens and gains `per_second` tokens a
// second; each request takes one. Time is passed in by the caller (the
// ingest path uses the receive time by the clock that never steps,
// MonotonicNow()), so the bucket has no clock of its own and tests drive
// it with made-up times.
#ifndef HOOKBRIDGE_BRIDGE_RATE_LIMIT_H_
#define HOOKBRIDGE_BRIDGE_RATE_LIMIT_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

// A rate as configured: `per_second` tokens a second, at most `burst` saved
// up. per_second == 0 means unlimited.
struct RateLimit {
  double per_second = 0;
  double burst = 0;

  bool unlimited() const { return per_second <= 0; }
  friend bool operator==(const RateLimit& a, const RateLimit& b) {
    return a.per_second == b.per_second && a.burst == b.burst;
  }
  friend bool operator!=(const RateLimit& a, const RateLimit& b) { return !(a == b); }
};

// Thread-safe.
class TokenBucket {
 public:
  // The bucket starts full. `limit.burst` must be at least 1 unless the
  // limit is unlimited.
  explicit TokenBucket(RateLimit limit);

  // Takes one token at time `now` and returns zero, or, when the bucket is
  // empty, takes nothing and returns how long until a token will be there
  // (always positive). A `now` earlier than a previous call (the wall clock
  // stepped back) adds no tokens and is otherwise treated as that call's
  // time.
  absl::Duration TryTake(absl::Time now);

  const RateLimit& limit() const { return limit_; }

 private:
  const RateLimit limit_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// Whole seconds to announce in Retry-After for a wait of `wait`: rounded up,
// at least 1.
int RetryAfterSeconds(absl::Duration wait);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_RATE_LIMIT_H_
