#include "bridge/dedup.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/ordering.h"
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

TEST(DedupWindowTest, SavedAndLoadedItRemembersWhatItRemembered) {
  DedupWindow window(3, absl::Hours(1), 10);
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < 5; ++i) {
    const std::string key = absl::StrCat("docs\n", i);
    ASSERT_EQ(window.Reserve(key), DedupWindow::State::kNew);
    window.Commit(key);
  }
  for (int i = 0; i < 4; ++i) {
    const std::string key = absl::StrCat("gh\n", i);
    ASSERT_EQ(window.Reserve(key), DedupWindow::State::kNew);
    window.CommitForWindow(key, t0 + absl::Minutes(i));
  }
  ASSERT_EQ(window.Reserve("docs\nin-flight"), DedupWindow::State::kNew);  // not saved
  const std::string saved = window.Save();

  DedupWindow loaded(3, absl::Hours(1), 10);
  ASSERT_TRUE(loaded.Load(saved));
  EXPECT_EQ(loaded.size(), window.size());
  EXPECT_EQ(loaded.window_size(), window.window_size());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(loaded.Reserve(absl::StrCat("gh\n", i)), DedupWindow::State::kDuplicate) << i;
  }
  EXPECT_EQ(loaded.Reserve("docs\n0"), DedupWindow::State::kNew);  // forgotten before
  EXPECT_EQ(loaded.Reserve("docs\nin-flight"), DedupWindow::State::kNew);
  // It goes on as the original would: the window follows the newest time.
  ASSERT_EQ(loaded.Reserve("gh\nlate"), DedupWindow::State::kNew);
  loaded.CommitForWindow("gh\nlate", t0 + absl::Minutes(61) + absl::Seconds(30));
  EXPECT_EQ(loaded.Reserve("gh\n0"), DedupWindow::State::kNew);
  EXPECT_EQ(loaded.Reserve("gh\n2"), DedupWindow::State::kDuplicate);

  // Refused, and nothing changed: not empty, torn, over the limits.
  EXPECT_FALSE(loaded.Load(saved));
  DedupWindow fresh(3, absl::Hours(1), 10);
  EXPECT_FALSE(fresh.Load(saved.substr(0, saved.size() - 1)));
  EXPECT_FALSE(fresh.Load(saved + "x"));
  DedupWindow smaller(2, absl::Hours(1), 10);
  EXPECT_FALSE(smaller.Load(saved));
  EXPECT_EQ(fresh.size(), 0u);
  EXPECT_TRUE(fresh.Load(saved));
}

TEST(OrderingGuardTest, SavedAndLoadedItKnowsTheLatestTimes) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  OrderingGuard guard(2);
  EXPECT_FALSE(guard.IsSuperseded("docs", "a", t0));
  EXPECT_FALSE(guard.IsSuperseded("docs", "b", t0 + absl::Seconds(5)));
  const std::string saved = guard.Save();
  OrderingGuard loaded(2);
  ASSERT_TRUE(loaded.Load(saved));
  EXPECT_TRUE(loaded.IsSuperseded("docs", "b", t0));
  EXPECT_FALSE(loaded.IsSuperseded("docs", "a", t0 + absl::Seconds(1)));
  // "a" was the oldest: a third subject pushes it out, as in the original.
  EXPECT_FALSE(loaded.IsSuperseded("docs", "c", t0));
  EXPECT_FALSE(loaded.IsSuperseded("docs", "a", t0 - absl::Hours(1)));
  OrderingGuard too_small(1);
  EXPECT_FALSE(too_small.Load(saved));
  EXPECT_FALSE(loaded.Load(saved));  // not empty
  OrderingGuard torn(2);
  EXPECT_FALSE(torn.Load(saved.substr(0, saved.size() - 3)));
}

}  // namespace
}  // namespace hookbridge
