#include "bridge/rate_limit.h"

#include <algorithm>
#include <cmath>

#include "bridge/check.h"

namespace hookbridge {

TokenBucket::TokenBucket(RateLimit limit) : limit_(limit), tokens_(limit.burst) {
  HB_CHECK(limit_.unlimited() || limit_.burst >= 1);
}

absl::Duration TokenBucket::TryTake(absl::Time now) {
  if (limit_.unlimited()) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  if (last_ == absl::InfinitePast()) {
    last_ = now;
  } else if (now > last_) {
    tokens_ =
        std::min(limit_.burst, tokens_ + absl::ToDoubleSeconds(now - last_) * limit_.per_second);
    last_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return absl::ZeroDuration();
  }
  // Never zero: a caller must be able to tell a refusal from a grant.
  return std::max(absl::Nanoseconds(1), absl::Seconds((1 - tokens_) / limit_.per_second));
}

int RetryAfterSeconds(absl::Duration wait) {
  const int64_t seconds = absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1)));
  return static_cast<int>(std::clamp<int64_t>(seconds, 1, 86400));
}

}  // namespace hookbridge
