#include "bridge/log/tail_window.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// Record `sequence`, appended at kT0 + `second` s, with a body of `size`.
RecordPtr Record(uint64_t sequence, int second = 0, size_t size = 10) {
  EncodedEvent event;
  event.id = absl::StrCat("id-", sequence);
  event.body = std::string(size, 'x');
  return MakeRecord(std::move(event), sequence, kT0 + absl::Seconds(second));
}

std::vector<uint64_t> ReadAll(const TailWindow& window, uint64_t after, size_t max = 100) {
  std::vector<RecordPtr> out;
  window.Read(after, max, &out);
  std::vector<uint64_t> sequences;
  for (const RecordPtr& r : out) sequences.push_back(r->sequence);
  return sequences;
}

TEST(TailWindowTest, EmptyWindow) {
  TailWindow window(1 << 20);
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.size(), 0u);
  EXPECT_EQ(window.bytes(), 0u);
  EXPECT_EQ(window.first_sequence(), 0u);
  EXPECT_FALSE(window.last_evicted_at().has_value());
  EXPECT_FALSE(window.Covers(0));
  EXPECT_FALSE(window.CoversTime(absl::InfiniteFuture()));
  EXPECT_THAT(ReadAll(window, 0), IsEmpty());
  EXPECT_EQ(window.PositionAt(kT0, 7), 7u);
}

TEST(TailWindowTest, CountsBytesAndEvictsTheOldestByBytes) {
  const uint64_t record_bytes = Record(1)->ByteSize();
  // Room for two records and a half.
  TailWindow window(record_bytes * 5 / 2);
  for (uint64_t s = 1; s <= 4; ++s) window.Push(Record(s, static_cast<int>(s)));
  EXPECT_EQ(window.size(), 2u);
  EXPECT_EQ(window.bytes(), 2 * record_bytes);
  EXPECT_EQ(window.first_sequence(), 3u);
  EXPECT_EQ(window.front()->sequence, 3u);
  // Record 2, appended at kT0 + 2 s, was the last to go.
  EXPECT_EQ(window.last_evicted_at(), kT0 + absl::Seconds(2));
}

TEST(TailWindowTest, EvictsTheOldestByCount) {
  TailWindow window(1ull << 30, 3);
  for (uint64_t s = 1; s <= 5; ++s) window.Push(Record(s));
  EXPECT_EQ(window.size(), 3u);
  EXPECT_EQ(window.first_sequence(), 3u);
  EXPECT_EQ(window.bytes(), 3 * Record(1)->ByteSize());
}

TEST(TailWindowTest, KeepsTheNewestRecordWhateverItsSize) {
  TailWindow window(1);
  window.Push(Record(1));
  window.Push(Record(2, 0, 1000));
  EXPECT_EQ(window.size(), 1u);
  EXPECT_EQ(window.first_sequence(), 2u);
  EXPECT_EQ(window.bytes(), Record(2, 0, 1000)->ByteSize());
}

TEST(TailWindowTest, ReadsAfterAPositionUpToMax) {
  TailWindow window(1 << 20);
  for (uint64_t s = 5; s <= 9; ++s) window.Push(Record(s));
  EXPECT_THAT(ReadAll(window, 4), ElementsAre(5, 6, 7, 8, 9));
  EXPECT_THAT(ReadAll(window, 6), ElementsAre(7, 8, 9));
  EXPECT_THAT(ReadAll(window, 6, 2), ElementsAre(7, 8));
  EXPECT_THAT(ReadAll(window, 6, 0), IsEmpty());
  EXPECT_THAT(ReadAll(window, 9), IsEmpty());
  // Read appends to what `out` holds and says how many it added.
  std::vector<RecordPtr> out = {Record(1)};
  EXPECT_EQ(window.Read(7, 10, &out), 2u);
  EXPECT_EQ(out.size(), 3u);
}

TEST(TailWindowTest, CoversPositionsFromJustBeforeItsOldestRecord) {
  TailWindow window(1 << 20);
  for (uint64_t s = 5; s <= 9; ++s) window.Push(Record(s));
  EXPECT_FALSE(window.Covers(3));  // record 4 is not here
  EXPECT_TRUE(window.Covers(4));
  EXPECT_TRUE(window.Covers(9));
  EXPECT_TRUE(window.Covers(100));
}

TEST(TailWindowTest, ReadsAcrossAGapInSequences) {
  TailWindow window(1 << 20);
  for (uint64_t s : {2, 3, 7, 8}) window.Push(Record(s));
  EXPECT_THAT(ReadAll(window, 3), ElementsAre(7, 8));
  EXPECT_THAT(ReadAll(window, 5), ElementsAre(7, 8));
}

TEST(TailWindowTest, PositionAtFindsTheFirstRecordAtOrAfterATime) {
  TailWindow window(1 << 20);
  window.Push(Record(11, 1));
  window.Push(Record(12, 2));
  window.Push(Record(13, 2));
  window.Push(Record(14, 3));
  EXPECT_FALSE(window.CoversTime(kT0 + absl::Seconds(1)));
  EXPECT_TRUE(window.CoversTime(kT0 + absl::Seconds(1) + absl::Nanoseconds(1)));
  EXPECT_EQ(window.PositionAt(kT0, 14), 10u);
  EXPECT_EQ(window.PositionAt(kT0 + absl::Seconds(1), 14), 10u);
  EXPECT_EQ(window.PositionAt(kT0 + absl::Seconds(2), 14), 11u);
  EXPECT_EQ(window.PositionAt(kT0 + absl::Seconds(3), 14), 13u);
  // Nothing at or after: the end the caller gave.
  EXPECT_EQ(window.PositionAt(kT0 + absl::Seconds(4), 14), 14u);
}

TEST(TailWindowTest, ClearAndDropBeforeRemoveRecordsAndTheirBytes) {
  const uint64_t record_bytes = Record(1)->ByteSize();
  TailWindow window(1 << 20);
  for (uint64_t s = 1; s <= 5; ++s) window.Push(Record(s, static_cast<int>(s)));
  window.DropBefore(3);
  EXPECT_EQ(window.first_sequence(), 3u);
  EXPECT_EQ(window.bytes(), 3 * record_bytes);
  EXPECT_EQ(window.last_evicted_at(), kT0 + absl::Seconds(2));
  window.DropBefore(1);  // nothing below 1 is left
  EXPECT_EQ(window.size(), 3u);
  window.Clear();
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.bytes(), 0u);
  EXPECT_EQ(window.last_evicted_at(), kT0 + absl::Seconds(5));
  window.Push(Record(9));
  EXPECT_EQ(window.bytes(), record_bytes);
  EXPECT_THAT(ReadAll(window, 0), ElementsAre(9));
}

TEST(TailWindowTest, NotRetainedErrorNamesThePositionAndTheOldest) {
  const absl::Status status = NotRetainedError(4, 17);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(status.message(), "events after 4 are no longer retained; the oldest is 17");
}

}  // namespace
}  // namespace hookbridge
