#include "bridge/subscription.h"

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/log/memory/memory_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/log/counting_log.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

class SubscriptionTest : public ::testing::Test {
 protected:
  explicit SubscriptionTest(MemoryLog::Options options = {}) : log_(options) {}

  // Appends an event and returns its sequence.
  uint64_t Append(absl::string_view type, absl::string_view subject = "doc-1",
                  absl::Time received_at = kT0) {
    v1::Event event;
    event.set_id(absl::StrCat("id-", ++appended_));
    event.set_type(std::string(type));
    event.set_source("docs");
    event.set_subject(std::string(subject));
    event.mutable_received_at()->set_seconds(absl::ToUnixSeconds(received_at));
    uint64_t sequence = 0;
    log_.Append(EncodeEvent(std::move(event)), [&](absl::StatusOr<uint64_t> s) {
      ASSERT_TRUE(s.ok()) << s.status();
      sequence = *s;
    });
    return sequence;
  }

  // Subscribes with `request`, counting wake-ups in wakes_.
  std::unique_ptr<Subscription> Subscribe(const v1::SubscribeRequest& request) {
    absl::StatusOr<std::unique_ptr<Subscription>> sub =
        Subscription::Create(&log_, request, [this] { ++wakes_; });
    EXPECT_TRUE(sub.ok()) << sub.status();
    return sub.ok() ? *std::move(sub) : nullptr;
  }

  absl::Status SubscribeError(const v1::SubscribeRequest& request) {
    absl::StatusOr<std::unique_ptr<Subscription>> sub =
        Subscription::Create(&log_, request, [this] { ++wakes_; });
    return sub.status();
  }

  // The sequences Next returns.
  std::vector<uint64_t> Next(Subscription& sub, size_t max = 100) {
    std::vector<RecordPtr> out;
    absl::Status status = sub.Next(max, &out);
    EXPECT_TRUE(status.ok()) << status;
    std::vector<uint64_t> sequences;
    for (const RecordPtr& r : out) sequences.push_back(r->sequence);
    return sequences;
  }

  MemoryLog log_;
  int appended_ = 0;
  int wakes_ = 0;
};

v1::SubscribeRequest After(uint64_t sequence) {
  v1::SubscribeRequest request;
  request.set_after_sequence(sequence);
  return request;
}

v1::SubscribeRequest Since(absl::Time time) {
  v1::SubscribeRequest request;
  request.mutable_since()->set_seconds(absl::ToUnixSeconds(time));
  return request;
}

v1::SubscribeRequest Earliest() {
  v1::SubscribeRequest request;
  request.set_earliest(true);
  return request;
}

// ---- start positions -----------------------------------------------------------

TEST_F(SubscriptionTest, LiveStartsAfterTheCurrentEnd) {
  Append("a");
  Append("b");
  std::unique_ptr<Subscription> sub = Subscribe(v1::SubscribeRequest());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->cursor(), 2u);
  EXPECT_THAT(Next(*sub), IsEmpty());
  Append("c");
  EXPECT_THAT(Next(*sub), ElementsAre(3));
  EXPECT_EQ(sub->cursor(), 3u);
}

TEST_F(SubscriptionTest, LiveOnAnEmptyLog) {
  std::unique_ptr<Subscription> sub = Subscribe(v1::SubscribeRequest());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->cursor(), 0u);
  Append("a");
  EXPECT_THAT(Next(*sub), ElementsAre(1));
}

TEST_F(SubscriptionTest, AfterSequenceResumesExactly) {
  for (int i = 0; i < 4; ++i) Append("a");
  std::unique_ptr<Subscription> sub = Subscribe(After(2));
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), ElementsAre(3, 4));
  std::unique_ptr<Subscription> all = Subscribe(After(0));
  ASSERT_NE(all, nullptr);
  EXPECT_THAT(Next(*all), ElementsAre(1, 2, 3, 4));
  std::unique_ptr<Subscription> at_end = Subscribe(After(4));
  ASSERT_NE(at_end, nullptr);
  EXPECT_THAT(Next(*at_end), IsEmpty());
}

TEST_F(SubscriptionTest, AfterSequenceBeyondTheEndIsOutOfRange) {
  Append("a");
  EXPECT_EQ(SubscribeError(After(2)).code(), absl::StatusCode::kOutOfRange);
}

TEST_F(SubscriptionTest, SinceStartsAtTheFirstRecordAtOrAfterTheTime) {
  Append("a", "d", kT0 + absl::Seconds(1));
  Append("b", "d", kT0 + absl::Seconds(2));
  Append("c", "d", kT0 + absl::Seconds(3));
  std::unique_ptr<Subscription> sub = Subscribe(Since(kT0 + absl::Seconds(2)));
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->cursor(), 1u);
  EXPECT_THAT(Next(*sub), ElementsAre(2, 3));

  std::unique_ptr<Subscription> future = Subscribe(Since(kT0 + absl::Hours(1)));
  ASSERT_NE(future, nullptr);
  EXPECT_THAT(Next(*future), IsEmpty());
  Append("d", "d", kT0 + absl::Seconds(4));
  EXPECT_THAT(Next(*future), ElementsAre(4));
}

TEST_F(SubscriptionTest, SinceTheBeginningOfTime) {
  Append("a", "d", kT0);
  v1::SubscribeRequest request;
  request.mutable_since()->set_seconds(-62135596800);  // 0001-01-01T00:00:00Z
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), ElementsAre(1));
}

// BUG (bridge/subscription.cc, Create): `since` is not validated. A
// Timestamp outside google.protobuf.Timestamp's range (here one that
// saturates to absl::InfinitePast()) reaches MemoryLog::PositionAt, which
// answers OUT_OF_RANGE on a log that evicted nothing (and reads
// records_.front() of an empty deque when the log is empty).
TEST_F(SubscriptionTest, InvalidSinceTimestampIsInvalidArgument) {
  Append("a", "d", kT0);
  v1::SubscribeRequest request;
  request.mutable_since()->set_seconds(std::numeric_limits<int64_t>::min());
  request.mutable_since()->set_nanos(-1);
  absl::Status status = SubscribeError(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("since"));
}

TEST_F(SubscriptionTest, EarliestOnAnEmptyLogStartsAtTheBeginning) {
  std::unique_ptr<Subscription> sub = Subscribe(Earliest());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->cursor(), 0u);
  Append("a");
  EXPECT_THAT(Next(*sub), ElementsAre(1));
}

TEST_F(SubscriptionTest, EarliestMustBeTrue) {
  v1::SubscribeRequest request;
  request.set_earliest(false);
  absl::Status status = SubscribeError(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("earliest"));
}

class SmallLogSubscriptionTest : public SubscriptionTest {
 protected:
  SmallLogSubscriptionTest() : SubscriptionTest({.max_events = 3, .max_bytes = 1ull << 30}) {}
};

TEST_F(SmallLogSubscriptionTest, EarliestStartsAtTheOldestRetained) {
  for (int i = 0; i < 5; ++i) Append("a", "d", kT0 + absl::Seconds(i));
  std::unique_ptr<Subscription> sub = Subscribe(Earliest());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->cursor(), 2u);
  EXPECT_THAT(Next(*sub), ElementsAre(3, 4, 5));
}

TEST_F(SmallLogSubscriptionTest, EvictedStartPositionsAreOutOfRange) {
  for (int i = 0; i < 5; ++i) Append("a", "d", kT0 + absl::Seconds(i));
  absl::Status status = SubscribeError(After(0));
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr("oldest is 3"));
  EXPECT_EQ(SubscribeError(After(1)).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(SubscribeError(Since(kT0)).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(SubscribeError(Since(kT0 + absl::Seconds(1))).code(), absl::StatusCode::kOutOfRange);
  std::unique_ptr<Subscription> sub = Subscribe(Since(kT0 + absl::Seconds(2)));
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), ElementsAre(3, 4, 5));
}

TEST_F(SmallLogSubscriptionTest, CursorEvictedWhileLaggingIsOutOfRange) {
  std::unique_ptr<Subscription> sub = Subscribe(After(0));
  ASSERT_NE(sub, nullptr);
  for (int i = 0; i < 4; ++i) Append("a");  // evicts 1 before it was read
  std::vector<RecordPtr> out;
  absl::Status status = sub->Next(10, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr("oldest is 2"));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(sub->cursor(), 0u);
}

TEST_F(SmallLogSubscriptionTest, WithGapsAllowedALaggingCursorStepsOverTheEvictedOnce) {
  v1::SubscribeRequest request = After(0);
  request.set_allow_gaps(true);
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  Append("a");
  EXPECT_THAT(Next(*sub), ElementsAre(1));
  for (int i = 0; i < 5; ++i) Append("a");  // 2..6; 2 and 3 are evicted unread
  // The gap first, alone: nothing delivered with it and no wake-up needed.
  EXPECT_THAT(Next(*sub), IsEmpty());
  std::optional<Subscription::Gap> gap = sub->TakeGap();
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->first, 2u);
  EXPECT_EQ(gap->last, 3u);
  EXPECT_EQ(sub->cursor(), 3u);
  EXPECT_FALSE(sub->TakeGap().has_value());
  EXPECT_THAT(Next(*sub), ElementsAre(4, 5, 6));
  EXPECT_FALSE(sub->TakeGap().has_value());
}

TEST_F(SmallLogSubscriptionTest, WithGapsAllowedAnEvictedStartIsAGapNotAnError) {
  for (int i = 0; i < 5; ++i) Append("a", "d", kT0 + absl::Seconds(i));
  for (v1::SubscribeRequest request : {After(1), Since(kT0)}) {
    request.set_allow_gaps(true);
    std::unique_ptr<Subscription> sub = Subscribe(request);
    ASSERT_NE(sub, nullptr);
    EXPECT_THAT(Next(*sub), IsEmpty());
    std::optional<Subscription::Gap> gap = sub->TakeGap();
    ASSERT_TRUE(gap.has_value());
    EXPECT_EQ(gap->last, 2u);
    EXPECT_THAT(Next(*sub), ElementsAre(3, 4, 5));
  }
  // A position after the end stays an error.
  v1::SubscribeRequest beyond = After(9);
  beyond.set_allow_gaps(true);
  EXPECT_EQ(SubscribeError(beyond).code(), absl::StatusCode::kOutOfRange);
}

// ---- batching and filters --------------------------------------------------------

TEST_F(SubscriptionTest, NextReturnsAtMostMax) {
  for (int i = 0; i < 5; ++i) Append("a");
  std::unique_ptr<Subscription> sub = Subscribe(After(0));
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub, 2), ElementsAre(1, 2));
  EXPECT_EQ(sub->cursor(), 2u);
  EXPECT_THAT(Next(*sub, 2), ElementsAre(3, 4));
  EXPECT_THAT(Next(*sub, 2), ElementsAre(5));
  EXPECT_THAT(Next(*sub, 2), IsEmpty());
}

TEST_F(SubscriptionTest, ReadsPastTheLogsReadBatch) {
  for (int i = 0; i < 600; ++i) Append("a");
  std::unique_ptr<Subscription> sub = Subscribe(After(0));
  ASSERT_NE(sub, nullptr);
  std::vector<uint64_t> got = Next(*sub, 1000);
  ASSERT_EQ(got.size(), 600u);
  EXPECT_EQ(got.front(), 1u);
  EXPECT_EQ(got.back(), 600u);
}

TEST_F(SubscriptionTest, FiltersByTypeAndSubject) {
  Append("comment.added", "doc-1");        // 1
  Append("commentthread.added", "doc-1");  // 2
  Append("comment.removed", "doc-2");      // 3
  Append("comment.updated", "doc-1");      // 4
  Append("suggestion.added", "doc-1");     // 5
  v1::SubscribeRequest request = After(0);
  request.add_types("comment.*");
  request.add_subjects("doc-1");
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), ElementsAre(1, 4));
  // The cursor moved past every record examined, matching or not.
  EXPECT_EQ(sub->cursor(), 5u);
}

TEST_F(SubscriptionTest, CursorStopsAtTheLastRecordReturnedWhenFull) {
  Append("comment.added");  // 1
  Append("other");          // 2
  Append("comment.added");  // 3
  Append("other");          // 4
  v1::SubscribeRequest request = After(0);
  request.add_types("comment.*");
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub, 2), ElementsAre(1, 3));
  EXPECT_EQ(sub->cursor(), 3u);
  EXPECT_THAT(Next(*sub, 2), IsEmpty());
  EXPECT_EQ(sub->cursor(), 4u);
}

// Appends an event of `type` from source "docs" to `log`.
void AppendEvent(EventLog& log, const std::string& id, const std::string& type) {
  v1::Event event;
  event.set_id(id);
  event.set_type(type);
  event.set_source("docs");
  log.Append(EncodeEvent(std::move(event)),
             [](absl::StatusOr<uint64_t> s) { ASSERT_TRUE(s.ok()) << s.status(); });
}

// A subscription to `log` from its start, for events of `type`.
std::unique_ptr<Subscription> SubscribeFromStart(
    EventLog& log, const std::string& type, std::function<void()> on_wake = [] {}) {
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  request.add_types(type);
  absl::StatusOr<std::unique_ptr<Subscription>> sub =
      Subscription::Create(&log, request, std::move(on_wake));
  EXPECT_TRUE(sub.ok()) << sub.status();
  return sub.ok() ? *std::move(sub) : nullptr;
}

// A log that selects records itself, as JetStream does on the server:
// ReadSelected returns only records whose type is one of the selector's
// patterns (taken literally) and says how far it looked.
class SelectingLog : public MemoryLog {
 public:
  SelectingLog() : MemoryLog(MemoryLog::Options{}) {}

  absl::Status ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                            std::vector<RecordPtr>* out, uint64_t* through,
                            const std::shared_ptr<LogWaiter>& waiter) override {
    last_selector = selector;
    std::vector<RecordPtr> all;
    absl::Status status = Read(after, max, &all, waiter);
    *through = all.empty() ? after : all.back()->sequence;
    for (RecordPtr& r : all) {
      for (const std::string& type : selector.type_patterns) {
        if (r->type == type) out->push_back(r);
      }
    }
    return status;
  }

  ReadSelector last_selector;
};

TEST(SubscriptionSelectingLogTest, SkipsWhatTheLogLeftOutAndHandsItTheFilter) {
  SelectingLog log;
  for (const char* type : {"comment.added", "other", "other", "comment.added", "other"}) {
    AppendEvent(log, type, type);
  }
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  request.add_types("comment.added");
  request.add_sources("docs");
  int wakes = 0;
  absl::StatusOr<std::unique_ptr<Subscription>> sub =
      Subscription::Create(&log, request, [&wakes] { ++wakes; });
  ASSERT_TRUE(sub.ok()) << sub.status();

  std::vector<RecordPtr> out;
  ASSERT_TRUE((*sub)->Next(1, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->sequence, 1u);
  EXPECT_EQ((*sub)->cursor(), 1u);  // full: stops at the record returned
  EXPECT_THAT(log.last_selector.sources, ElementsAre("docs"));
  EXPECT_THAT(log.last_selector.type_patterns, ElementsAre("comment.added"));

  out.clear();
  ASSERT_TRUE((*sub)->Next(10, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->sequence, 4u);
  EXPECT_EQ((*sub)->cursor(), 5u);  // past the records left out
  EXPECT_EQ(wakes, 0);
}

TEST(SubscriptionCountingLogTest, CallsSmallerThanAReadTakeEachRecordFromTheLogOnce) {
  CountingLog log;
  for (int i = 0; i < 1000; ++i)
    AppendEvent(log, absl::StrCat("e", i), i % 2 == 0 ? "comment.added" : "comment.removed");
  std::unique_ptr<Subscription> sub = SubscribeFromStart(log, "comment.added");
  ASSERT_NE(sub, nullptr);
  std::vector<uint64_t> got;
  for (int calls = 0; calls < 100; ++calls) {
    std::vector<RecordPtr> out;
    ASSERT_TRUE(sub->Next(7, &out).ok());
    if (out.empty()) break;
    EXPECT_LE(out.size(), 7u);
    for (const RecordPtr& r : out) got.push_back(r->sequence);
    // A full call stops at the last record returned: resuming at the
    // cursor continues exactly after it.
    if (out.size() == 7) {
      EXPECT_EQ(sub->cursor(), out.back()->sequence);
    }
  }
  ASSERT_EQ(got.size(), 500u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], 2 * i + 1);
  EXPECT_EQ(sub->cursor(), 1000u);
  // Not read again for every call that stopped inside a read.
  EXPECT_EQ(log.records_read, 1000u);
}

// A memory log that pretends its records older than `cached_from` are on
// disk: ReadIfCached refuses reads that would need them.
class PartlyCachedLog : public CountingLog {
 public:
  std::optional<absl::Status> ReadIfCached(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                                           const std::shared_ptr<LogWaiter>& waiter) override {
    if (after + 1 < cached_from) return std::nullopt;
    ++cached_reads;
    return MemoryLog::ReadIfCached(after, max, out, waiter);
  }

  uint64_t cached_from = 0;
  int cached_reads = 0;
};

TEST(SubscriptionCachedTest, NextIfCachedReadsOnceFromMemoryAndLeavesDiskReadsToNext) {
  PartlyCachedLog log;
  for (int i = 0; i < 600; ++i)
    AppendEvent(log, absl::StrCat("e", i), i < 300 ? "comment.removed" : "comment.added");
  log.cached_from = 550;
  int wakes = 0;
  std::unique_ptr<Subscription> sub =
      SubscribeFromStart(log, "comment.added", [&wakes] { ++wakes; });
  ASSERT_NE(sub, nullptr);
  std::vector<RecordPtr> out;

  // Record 1 is "on disk": nothing done, for Next to do.
  EXPECT_EQ(sub->NextIfCached(10, &out), std::nullopt);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(sub->cursor(), 0u);
  EXPECT_EQ(log.records_read, 0u);

  // Next reads from disk; it stops inside its second read (257 .. 512),
  // keeping the rest of it.
  ASSERT_TRUE(sub->Next(10, &out).ok());
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(out.front()->sequence, 301u);
  EXPECT_EQ(sub->cursor(), 310u);

  // What Next kept is handed out without a read; the read after it would
  // need the disk: the call returns what it found.
  out.clear();
  std::optional<absl::Status> status = sub->NextIfCached(500, &out);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << *status;
  ASSERT_EQ(out.size(), 202u);
  EXPECT_EQ(out.back()->sequence, 512u);
  EXPECT_EQ(sub->cursor(), 512u);
  EXPECT_EQ(log.cached_reads, 0);
  out.clear();
  EXPECT_EQ(sub->NextIfCached(500, &out), std::nullopt);
  ASSERT_TRUE(sub->Next(500, &out).ok());
  EXPECT_EQ(out.size(), 88u);
  EXPECT_EQ(sub->cursor(), 600u);

  // At the end, from memory: nothing, and the wake-up armed as Next arms it.
  out.clear();
  status = sub->NextIfCached(500, &out);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << *status;
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(sub->more());
  EXPECT_EQ(log.cached_reads, 1);
  EXPECT_EQ(wakes, 0);
  AppendEvent(log, "late", "comment.added");
  EXPECT_EQ(wakes, 1);
  // Each record was taken from the log once.
  EXPECT_EQ(log.records_read, 600u);
}

TEST(SubscriptionCachedTest, NextIfCachedStopsAfterOneReadWithoutAMatch) {
  CountingLog log;
  for (int i = 0; i < 1000; ++i) AppendEvent(log, absl::StrCat("e", i), "other");
  std::unique_ptr<Subscription> sub = SubscribeFromStart(log, "comment.*");
  ASSERT_NE(sub, nullptr);
  std::vector<RecordPtr> out;
  std::optional<absl::Status> status = sub->NextIfCached(10, &out);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok());
  EXPECT_TRUE(out.empty());
  // One read of 256, and more to scan: the caller hands it to Next.
  EXPECT_EQ(log.records_read, 256u);
  EXPECT_EQ(sub->cursor(), 256u);
  EXPECT_TRUE(sub->more());
}

TEST_F(SubscriptionTest, InvalidFilterIsInvalidArgument) {
  v1::SubscribeRequest request;
  request.add_types("comment added");
  absl::Status status = SubscribeError(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("types[0]"));
}

TEST_F(SubscriptionTest, ExposesItsFilter) {
  v1::SubscribeRequest request;
  request.add_types("comment.*");
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->filter().ToString(), "types=comment.*");
}

// ---- wake-ups ----------------------------------------------------------------------

TEST_F(SubscriptionTest, WakesOnceWhenTheLogGrowsAfterAnEmptyNext) {
  std::unique_ptr<Subscription> sub = Subscribe(v1::SubscribeRequest());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(wakes_, 0);
  Append("a");  // no Next yet: nobody asked to be woken
  EXPECT_EQ(wakes_, 0);
  EXPECT_THAT(Next(*sub), ElementsAre(1));
  EXPECT_THAT(Next(*sub), IsEmpty());
  EXPECT_EQ(wakes_, 0);
  Append("b");
  EXPECT_EQ(wakes_, 1);
  Append("c");
  EXPECT_EQ(wakes_, 1);
  EXPECT_THAT(Next(*sub), ElementsAre(2, 3));
}

TEST_F(SubscriptionTest, DoesNotArmAWakeUpWhenNextFoundRecords) {
  Append("a");
  std::unique_ptr<Subscription> sub = Subscribe(After(0));
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), ElementsAre(1));
  Append("b");
  EXPECT_EQ(wakes_, 0);
}

TEST_F(SubscriptionTest, WakesWhenOnlyFilteredOutRecordsWereFound) {
  Append("other");
  v1::SubscribeRequest request = After(0);
  request.add_types("comment.*");
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), IsEmpty());
  Append("other");
  EXPECT_EQ(wakes_, 1);
  EXPECT_THAT(Next(*sub), IsEmpty());
  Append("comment.added");
  EXPECT_EQ(wakes_, 2);
  EXPECT_THAT(Next(*sub), ElementsAre(3));
}

TEST_F(SubscriptionTest, NoWakeUpAfterClose) {
  std::unique_ptr<Subscription> sub = Subscribe(v1::SubscribeRequest());
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), IsEmpty());
  sub->Close();
  sub->Close();  // idempotent
  Append("a");
  EXPECT_EQ(wakes_, 0);
}

TEST_F(SubscriptionTest, NoWakeUpAfterDestruction) {
  std::unique_ptr<Subscription> sub = Subscribe(v1::SubscribeRequest());
  ASSERT_NE(sub, nullptr);
  EXPECT_THAT(Next(*sub), IsEmpty());
  sub.reset();
  Append("a");
  EXPECT_EQ(wakes_, 0);
}

TEST_F(SubscriptionTest, AFilterMatchingNothingScansALongLogInBoundedSteps) {
  // More records than one Next() may read, none of them matching.
  const int total = Subscription::kMaxReadsPerNext * 256 * 2 + 10;
  for (int i = 0; i < total; ++i) Append("other");
  v1::SubscribeRequest request;
  request.set_earliest(true);
  request.add_types("wanted");
  std::unique_ptr<Subscription> sub = Subscribe(request);
  ASSERT_NE(sub, nullptr);
  int calls = 0;
  do {
    EXPECT_THAT(Next(*sub), IsEmpty());
    ++calls;
    // Each step covers a bounded part of the log, and says whether to go on.
    EXPECT_LE(sub->cursor(), static_cast<uint64_t>(calls) * Subscription::kMaxReadsPerNext * 256);
  } while (sub->more());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(sub->cursor(), static_cast<uint64_t>(total));
  // At the end, a wake-up is arranged as before.
  EXPECT_EQ(wakes_, 0);
  Append("wanted");
  EXPECT_EQ(wakes_, 1);
  EXPECT_THAT(Next(*sub), ElementsAre(static_cast<uint64_t>(total + 1)));
}

}  // namespace
}  // namespace hookbridge
