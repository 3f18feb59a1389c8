#include "bridge/dedup.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using State = DedupWindow::State;

TEST(DedupWindowTest, NewKeyIsReservedThenInFlightThenDuplicate) {
  DedupWindow window(10);
  EXPECT_EQ(window.Reserve("a"), State::kNew);
  EXPECT_EQ(window.Reserve("a"), State::kInFlight);
  EXPECT_EQ(window.size(), 0u);
  window.Commit("a");
  EXPECT_EQ(window.size(), 1u);
  EXPECT_EQ(window.Reserve("a"), State::kDuplicate);
  EXPECT_EQ(window.Reserve("a"), State::kDuplicate);
}

TEST(DedupWindowTest, KeysAreIndependent) {
  DedupWindow window(10);
  EXPECT_EQ(window.Reserve("a"), State::kNew);
  EXPECT_EQ(window.Reserve("b"), State::kNew);
  window.Commit("b");
  EXPECT_EQ(window.Reserve("a"), State::kInFlight);
  EXPECT_EQ(window.Reserve("b"), State::kDuplicate);
  EXPECT_EQ(window.Reserve("c"), State::kNew);
}

TEST(DedupWindowTest, ReleaseAllowsARetry) {
  DedupWindow window(10);
  ASSERT_EQ(window.Reserve("a"), State::kNew);
  window.Release("a");
  EXPECT_EQ(window.size(), 0u);
  EXPECT_EQ(window.Reserve("a"), State::kNew);
  window.Commit("a");
  EXPECT_EQ(window.Reserve("a"), State::kDuplicate);
}

TEST(DedupWindowTest, ForgetsTheOldestBeyondMaxEntries) {
  DedupWindow window(3);
  for (const char* key : {"k1", "k2", "k3", "k4"}) {
    ASSERT_EQ(window.Reserve(key), State::kNew) << key;
    window.Commit(key);
  }
  EXPECT_EQ(window.size(), 3u);
  EXPECT_EQ(window.Reserve("k2"), State::kDuplicate);
  EXPECT_EQ(window.Reserve("k3"), State::kDuplicate);
  EXPECT_EQ(window.Reserve("k4"), State::kDuplicate);
  // k1 was forgotten: a redelivery this late is accepted again.
  EXPECT_EQ(window.Reserve("k1"), State::kNew);
}

TEST(DedupWindowTest, InFlightKeysAreNotEvictedNorCounted) {
  DedupWindow window(2);
  ASSERT_EQ(window.Reserve("pending"), State::kNew);
  for (int i = 0; i < 5; ++i) {
    const std::string key = absl::StrCat("k", i);
    ASSERT_EQ(window.Reserve(key), State::kNew);
    window.Commit(key);
  }
  EXPECT_EQ(window.size(), 2u);
  EXPECT_EQ(window.Reserve("pending"), State::kInFlight);
  window.Commit("pending");
  EXPECT_EQ(window.Reserve("pending"), State::kDuplicate);
  EXPECT_EQ(window.Reserve("k3"), State::kNew);  // pushed out by "pending"
  EXPECT_EQ(window.Reserve("k4"), State::kDuplicate);
}

TEST(DedupWindowTest, KeysCommittedForTheWindowAreKeptByTimeBeyondMaxEntries) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  DedupWindow window(2, absl::Hours(24), 100);
  ASSERT_EQ(window.Reserve("github"), State::kNew);
  window.CommitForWindow("github", t0);
  for (int i = 0; i < 5; ++i) {
    const std::string key = absl::StrCat("k", i);
    ASSERT_EQ(window.Reserve(key), State::kNew);
    window.Commit(key);
  }
  EXPECT_EQ(window.size(), 2u);
  EXPECT_EQ(window.window_size(), 1u);
  EXPECT_EQ(window.Reserve("k0"), State::kNew);  // only the last two
  window.Release("k0");
  EXPECT_EQ(window.Reserve("github"), State::kDuplicate);

  // Forgotten once a key committed a window later arrives: the window goes
  // by the times committed, not by a clock that could be set forward.
  ASSERT_EQ(window.Reserve("later"), State::kNew);
  window.CommitForWindow("later", t0 + absl::Hours(23));
  EXPECT_EQ(window.Reserve("github"), State::kDuplicate);
  ASSERT_EQ(window.Reserve("latest"), State::kNew);
  window.CommitForWindow("latest", t0 + absl::Hours(24) + absl::Seconds(1));
  EXPECT_EQ(window.window_size(), 2u);
  EXPECT_EQ(window.Reserve("github"), State::kNew);
  EXPECT_EQ(window.forgotten_early(), 0u);
}

TEST(DedupWindowTest, TheWindowIsBoundedAndSaysWhatItForgotEarly) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  DedupWindow window(1, absl::Hours(24), 3);
  for (int i = 0; i < 5; ++i) {
    const std::string key = absl::StrCat("k", i);
    ASSERT_EQ(window.Reserve(key), State::kNew);
    window.CommitForWindow(key, t0 + absl::Seconds(i));
  }
  EXPECT_EQ(window.window_size(), 3u);
  EXPECT_EQ(window.forgotten_early(), 2u);
  EXPECT_EQ(window.Reserve("k0"), State::kNew);
  EXPECT_EQ(window.Reserve("k2"), State::kDuplicate);
}

TEST(DedupWindowTest, WithoutAWindowKeysAreKeptOnlyAmongTheLastMaxEntries) {
  DedupWindow window(1);
  ASSERT_EQ(window.Reserve("a"), State::kNew);
  window.CommitForWindow("a", absl::FromUnixSeconds(1));
  ASSERT_EQ(window.Reserve("b"), State::kNew);
  window.Commit("b");
  EXPECT_EQ(window.window_size(), 0u);
  EXPECT_EQ(window.Reserve("a"), State::kNew);
}

}  // namespace
}  // namespace hookbridge
