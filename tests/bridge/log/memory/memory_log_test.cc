#include "bridge/log/memory/memory_log.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

EncodedEvent Encoded(absl::string_view id, absl::Time received_at = kT0,
                     absl::string_view type = "comment.added") {
  v1::Event event;
  event.set_id(std::string(id));
  event.set_type(std::string(type));
  event.set_source("docs");
  const int64_t nanos = absl::ToUnixNanos(received_at);
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return EncodeEvent(std::move(event));
}

// Appends and returns the sequence the callback reported (0 on error).
uint64_t Append(EventLog& log, EncodedEvent event) {
  uint64_t sequence = 0;
  int calls = 0;
  log.Append(std::move(event), [&](absl::StatusOr<uint64_t> s) {
    ++calls;
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) sequence = *s;
  });
  EXPECT_EQ(calls, 1);
  return sequence;
}

std::vector<uint64_t> Sequences(const std::vector<RecordPtr>& records) {
  std::vector<uint64_t> out;
  for (const RecordPtr& r : records) out.push_back(r->sequence);
  return out;
}

std::vector<uint64_t> ReadAll(EventLog& log, uint64_t after) {
  std::vector<RecordPtr> out;
  absl::Status status = log.Read(after, 1000, &out, nullptr);
  EXPECT_TRUE(status.ok()) << status;
  return Sequences(out);
}

class CountingWaiter : public LogWaiter {
 public:
  void OnLogGrew() override { ++calls; }
  std::atomic<int> calls{0};
};

TEST(MemoryLogTest, EmptyLogStats) {
  MemoryLog log({});
  LogStats stats = log.Stats();
  EXPECT_EQ(stats.first_sequence, 0u);
  EXPECT_EQ(stats.last_sequence, 0u);
  EXPECT_EQ(stats.events, 0u);
  EXPECT_EQ(stats.bytes, 0u);
}

TEST(MemoryLogTest, AssignsSequencesFromOne) {
  MemoryLog log({});
  EXPECT_EQ(Append(log, Encoded("a")), 1u);
  EXPECT_EQ(Append(log, Encoded("b")), 2u);
  EXPECT_EQ(Append(log, Encoded("c")), 3u);
  LogStats stats = log.Stats();
  EXPECT_EQ(stats.first_sequence, 1u);
  EXPECT_EQ(stats.last_sequence, 3u);
  EXPECT_EQ(stats.events, 3u);
  EXPECT_GT(stats.bytes, 0u);
}

TEST(MemoryLogTest, ReadReturnsRecordsAfterThePositionInOrder) {
  MemoryLog log({});
  for (const char* id : {"a", "b", "c", "d"}) Append(log, Encoded(id));
  EXPECT_THAT(ReadAll(log, 0), ::testing::ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(ReadAll(log, 2), ::testing::ElementsAre(3, 4));
  EXPECT_THAT(ReadAll(log, 4), ::testing::IsEmpty());

  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 1, &out, nullptr).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->id, "a");
  EXPECT_EQ(out[0]->type, "comment.added");
  EXPECT_EQ(out[0]->source, "docs");
  // Read appends to what the caller already holds.
  ASSERT_TRUE(log.Read(1, 2, &out, nullptr).ok());
  EXPECT_THAT(Sequences(out), ::testing::ElementsAre(1, 2, 3));
  ASSERT_TRUE(log.Read(0, 0, &out, nullptr).ok());
  EXPECT_EQ(out.size(), 3u);
}

TEST(MemoryLogTest, ReadOfAnEmptyLog) {
  MemoryLog log({});
  EXPECT_THAT(ReadAll(log, 0), ::testing::IsEmpty());
  std::vector<RecordPtr> out;
  EXPECT_EQ(log.Read(1, 10, &out, nullptr).code(), absl::StatusCode::kOutOfRange);
}

TEST(MemoryLogTest, ReadBeyondTheEndIsOutOfRange) {
  MemoryLog log({});
  Append(log, Encoded("a"));
  Append(log, Encoded("b"));
  std::vector<RecordPtr> out;
  absl::Status status = log.Read(3, 10, &out, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr("beyond"));
  EXPECT_EQ(log.Read(1000, 10, &out, nullptr).code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(out.empty());
}

TEST(MemoryLogTest, EvictsTheOldestByCount) {
  MemoryLog log({.max_events = 3, .max_bytes = 1ull << 30});
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(Append(log, Encoded(absl::StrCat("e", i))), i);
  LogStats stats = log.Stats();
  EXPECT_EQ(stats.first_sequence, 3u);
  EXPECT_EQ(stats.last_sequence, 5u);
  EXPECT_EQ(stats.events, 3u);
  EXPECT_THAT(ReadAll(log, 2), ::testing::ElementsAre(3, 4, 5));
}

TEST(MemoryLogTest, ReadOfEvictedRecordsIsOutOfRangeNamingTheOldest) {
  MemoryLog log({.max_events = 3, .max_bytes = 1ull << 30});
  for (int i = 1; i <= 5; ++i) Append(log, Encoded(absl::StrCat("e", i)));
  std::vector<RecordPtr> out;
  for (uint64_t after : {0, 1}) {
    absl::Status status = log.Read(after, 10, &out, nullptr);
    EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << after;
    EXPECT_THAT(status.message(), HasSubstr("oldest is 3")) << after;
  }
  EXPECT_TRUE(out.empty());
}

TEST(MemoryLogTest, EvictsTheOldestByBytes) {
  const size_t record_bytes = MakeRecord(Encoded("e1"), 1, kT0)->ByteSize();
  // Room for two records and a half.
  MemoryLog log({.max_events = 1000, .max_bytes = record_bytes * 5 / 2});
  for (int i = 1; i <= 4; ++i) Append(log, Encoded(absl::StrCat("e", i)));
  LogStats stats = log.Stats();
  EXPECT_EQ(stats.events, 2u);
  EXPECT_EQ(stats.first_sequence, 3u);
  EXPECT_EQ(stats.bytes, 2 * record_bytes);
  EXPECT_THAT(ReadAll(log, 2), ::testing::ElementsAre(3, 4));
}

TEST(MemoryLogTest, KeepsTheNewestRecordEvenWhenOverTheByteLimit) {
  MemoryLog log({.max_events = 1000, .max_bytes = 1});
  Append(log, Encoded("e1"));
  Append(log, Encoded("e2"));
  LogStats stats = log.Stats();
  EXPECT_EQ(stats.events, 1u);
  EXPECT_EQ(stats.first_sequence, 2u);
  EXPECT_THAT(ReadAll(log, 1), ::testing::ElementsAre(2));
}

TEST(MemoryLogTest, AppendedAtNeverGoesBackwards) {
  MemoryLog log({});
  Append(log, Encoded("a", kT0 + absl::Seconds(10)));
  Append(log, Encoded("b", kT0));  // a sender with an earlier receive time
  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 10, &out, nullptr).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->appended_at, kT0 + absl::Seconds(10));
  EXPECT_EQ(out[1]->appended_at, kT0 + absl::Seconds(10));
}

TEST(MemoryLogTest, PositionAtFindsTheFirstRecordAtOrAfterATime) {
  MemoryLog log({});
  EXPECT_EQ(*log.PositionAt(kT0), 0u);  // empty log
  Append(log, Encoded("a", kT0 + absl::Seconds(1)));
  Append(log, Encoded("b", kT0 + absl::Seconds(2)));
  Append(log, Encoded("c", kT0 + absl::Seconds(2)));
  Append(log, Encoded("d", kT0 + absl::Seconds(3)));

  const std::pair<absl::Time, uint64_t> kCases[] = {
      {kT0, 0},
      {kT0 + absl::Seconds(1), 0},
      {kT0 + absl::Seconds(1) + absl::Nanoseconds(1), 1},
      {kT0 + absl::Seconds(2), 1},
      {kT0 + absl::Seconds(3), 3},
      {kT0 + absl::Seconds(4), 4},  // nothing yet: live
  };
  for (const auto& [since, position] : kCases) {
    absl::StatusOr<uint64_t> p = log.PositionAt(since);
    ASSERT_TRUE(p.ok()) << since << ": " << p.status();
    EXPECT_EQ(*p, position) << since;
  }
}

// BUG (bridge/log/memory/memory_log.cc, PositionAt): "nothing evicted yet" is
// represented by last_evicted_at_ == InfinitePast(), so `since` =
// InfinitePast() compares as evicted. On an empty log the error path then
// calls records_.front() on an empty deque (undefined behaviour), which is
// why only the non-empty case is tested here.
TEST(MemoryLogTest, PositionAtInfinitePastWithNothingEvictedIsTheStart) {
  MemoryLog log({});
  Append(log, Encoded("a", kT0));
  absl::StatusOr<uint64_t> p = log.PositionAt(absl::InfinitePast());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, 0u);
}

TEST(MemoryLogTest, PositionAtIsOutOfRangeWhenRecordsSinceWereEvicted) {
  MemoryLog log({.max_events = 2, .max_bytes = 1ull << 30});
  Append(log, Encoded("a", kT0 + absl::Seconds(1)));
  Append(log, Encoded("b", kT0 + absl::Seconds(2)));
  Append(log, Encoded("c", kT0 + absl::Seconds(3)));  // evicts a
  for (absl::Time since : {kT0, kT0 + absl::Seconds(1), absl::InfinitePast()}) {
    absl::StatusOr<uint64_t> p = log.PositionAt(since);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kOutOfRange) << since;
    EXPECT_THAT(p.status().message(), HasSubstr("oldest is 2")) << since;
  }
  absl::StatusOr<uint64_t> p = log.PositionAt(kT0 + absl::Seconds(1) + absl::Nanoseconds(1));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, 1u);
  EXPECT_THAT(ReadAll(log, *p), ::testing::ElementsAre(2, 3));
}

TEST(MemoryLogTest, WaiterIsCalledOnceAfterTheNextAppend) {
  MemoryLog log({});
  auto waiter = std::make_shared<CountingWaiter>();
  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 10, &out, waiter).ok());
  EXPECT_EQ(waiter->calls, 0);
  Append(log, Encoded("a"));
  EXPECT_EQ(waiter->calls, 1);
  Append(log, Encoded("b"));
  EXPECT_EQ(waiter->calls, 1);

  // Registering again at the new end arms it once more.
  ASSERT_TRUE(log.Read(2, 10, &out, waiter).ok());
  EXPECT_TRUE(out.empty());
  Append(log, Encoded("c"));
  EXPECT_EQ(waiter->calls, 2);
}

TEST(MemoryLogTest, WaiterIsNotRegisteredWhenRecordsAreReturned) {
  MemoryLog log({});
  Append(log, Encoded("a"));
  auto waiter = std::make_shared<CountingWaiter>();
  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 10, &out, waiter).ok());
  EXPECT_EQ(out.size(), 1u);
  Append(log, Encoded("b"));
  EXPECT_EQ(waiter->calls, 0);
}

TEST(MemoryLogTest, ExpiredWaiterIsNotCalled) {
  MemoryLog log({});
  auto calls = std::make_shared<std::atomic<int>>(0);
  class Waiter : public LogWaiter {
   public:
    explicit Waiter(std::shared_ptr<std::atomic<int>> calls) : calls_(std::move(calls)) {}
    void OnLogGrew() override { ++*calls_; }

   private:
    std::shared_ptr<std::atomic<int>> calls_;
  };
  auto waiter = std::make_shared<Waiter>(calls);
  auto kept = std::make_shared<Waiter>(calls);
  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 10, &out, waiter).ok());
  ASSERT_TRUE(log.Read(0, 10, &out, kept).ok());
  waiter.reset();  // the subscriber went away
  Append(log, Encoded("a"));
  EXPECT_EQ(*calls, 1);  // only `kept`
}

TEST(MemoryLogTest, WaiterIsCalledOutsideTheLogsLock) {
  MemoryLog log({});
  class ReadingWaiter : public LogWaiter {
   public:
    explicit ReadingWaiter(EventLog* log) : log_(log) {}
    void OnLogGrew() override {
      // Would deadlock if called under the log's lock.
      seen = log_->Stats().last_sequence;
      std::vector<RecordPtr> out;
      read_ok = log_->Read(0, 10, &out, nullptr).ok() && out.size() == 1;
    }
    uint64_t seen = 0;
    bool read_ok = false;

   private:
    EventLog* log_;
  };
  auto waiter = std::make_shared<ReadingWaiter>(&log);
  std::vector<RecordPtr> out;
  ASSERT_TRUE(log.Read(0, 10, &out, waiter).ok());
  Append(log, Encoded("a"));
  EXPECT_EQ(waiter->seen, 1u);
  EXPECT_TRUE(waiter->read_ok);
}

TEST(MemoryLogTest, ConcurrentAppendsGetDistinctConsecutiveSequences) {
  MemoryLog log({});
  constexpr int kPerThread = 500;
  std::vector<std::vector<uint64_t>> seen(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&log, &seen, t] {
      for (int i = 0; i < kPerThread; ++i) {
        log.Append(Encoded(absl::StrCat(t, "-", i)),
                   [&seen, t](absl::StatusOr<uint64_t> s) { seen[t].push_back(s.value_or(0)); });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<uint64_t> all(seen[0].begin(), seen[0].end());
  all.insert(seen[1].begin(), seen[1].end());
  ASSERT_EQ(all.size(), 2u * kPerThread);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), 2u * kPerThread);
  // Each thread saw its own appends in increasing order.
  for (const auto& s : seen) EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  std::vector<uint64_t> read = ReadAll(log, 0);
  EXPECT_EQ(read.size(), 2u * kPerThread);
  EXPECT_TRUE(std::is_sorted(read.begin(), read.end()));
}

}  // namespace
}  // namespace hookbridge
