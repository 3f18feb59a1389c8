#include "bridge/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace hookbridge {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

TEST(TokenBucketTest, UnlimitedAlwaysGrants) {
  TokenBucket bucket(RateLimit{0, 0});
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
}

TEST(TokenBucketTest, StartsFullThenRefusesWithTheWaitForOneToken) {
  TokenBucket bucket(RateLimit{2, 3});  // 2 a second, 3 saved up
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration()) << i;
  EXPECT_EQ(bucket.TryTake(kStart), absl::Milliseconds(500));
  // A refusal takes nothing: still half a second to wait.
  EXPECT_EQ(bucket.TryTake(kStart), absl::Milliseconds(500));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(400)), absl::Milliseconds(100));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(500)), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kStart + absl::Milliseconds(500)), absl::ZeroDuration());
}

TEST(TokenBucketTest, RefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket(RateLimit{10, 5});
  for (int i = 0; i < 5; ++i) ASSERT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  // An hour idle saves up only `burst` tokens.
  const absl::Time later = kStart + absl::Hours(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.TryTake(later), absl::ZeroDuration()) << i;
  EXPECT_GT(bucket.TryTake(later), absl::ZeroDuration());
  // Then exactly `per_second` a second.
  int granted = 0;
  for (int ms = 1; ms <= 1000; ++ms) {
    if (bucket.TryTake(later + absl::Milliseconds(ms)) == absl::ZeroDuration()) ++granted;
  }
  EXPECT_EQ(granted, 10);
}

TEST(TokenBucketTest, FractionalRates) {
  TokenBucket bucket(RateLimit{0.5, 1});  // one every two seconds
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(kStart), absl::Seconds(2));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Seconds(1)), absl::Seconds(1));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Seconds(2)), absl::ZeroDuration());
}

TEST(TokenBucketTest, ClockSteppingBackAddsNothing) {
  TokenBucket bucket(RateLimit{1, 1});
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(kStart - absl::Hours(1)), absl::Seconds(1));
  // Time is measured from the latest time seen, not from the step back.
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(500)), absl::Milliseconds(500));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Seconds(1)), absl::ZeroDuration());
}

TEST(TokenBucketTest, FirstCallOnlySetsTheReferenceTime) {
  // The first call only sets the reference time; a full bucket stays full.
  TokenBucket bucket(RateLimit{1, 2});
  EXPECT_EQ(bucket.TryTake(absl::UnixEpoch()), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(absl::UnixEpoch()), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(absl::UnixEpoch()), absl::Seconds(1));
}

TEST(TokenBucketTest, ConcurrentTakersShareTheBurst) {
  TokenBucket bucket(RateLimit{1, 1000});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (bucket.TryTake(kStart) == absl::ZeroDuration()) ++granted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1000);
}

TEST(RetryAfterSecondsTest, RoundsUpToWholeSecondsAtLeastOne) {
  EXPECT_EQ(RetryAfterSeconds(absl::Nanoseconds(1)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(500)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(1)), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Milliseconds(1001)), 2);
  EXPECT_EQ(RetryAfterSeconds(absl::Seconds(59) + absl::Milliseconds(1)), 60);
  EXPECT_EQ(RetryAfterSeconds(absl::ZeroDuration()), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::Hours(1000)), 86400);
}

}  // namespace
}  // namespace hookbridge
