#include "bridge/log/file/file_log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bridge/log/file/record_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

EncodedEvent Encoded(int n, absl::Time received_at = kT0, size_t raw_size = 100) {
  v1::Event event;
  event.set_id(absl::StrCat("id-", n));
  event.set_type(n % 2 == 0 ? "comment.added" : "suggestion.added");
  event.set_source("docs");
  event.set_subject(absl::StrCat("doc-", n % 3));
  event.set_raw_body(std::string(raw_size, static_cast<char>('a' + n % 26)));
  const int64_t nanos = absl::ToUnixNanos(received_at);
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return EncodeEvent(std::move(event));
}

class FileLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-file-log-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileLog::Options Options() {
    FileLog::Options options;
    options.dir = dir_;
    options.fsync = FileLog::Fsync::kAlways;
    // The records' times are years old: no retention unless a test sets it.
    options.retention_bytes = 0;
    options.retention_age = absl::InfiniteDuration();
    return options;
  }

  // A log whose tail cache keeps only the newest record: reads of the
  // others go to the segment files.
  std::unique_ptr<FileLog> OpenWithATailCacheOfOne() {
    FileLog::Options options = Options();
    options.tail_cache_bytes = 1;
    return Open(std::move(options));
  }

  std::unique_ptr<FileLog> Open(FileLog::Options options) {
    absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(std::move(options));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Appends and waits for the acknowledgement; returns the sequence.
  static uint64_t Append(EventLog& log, EncodedEvent event) {
    absl::Notification done;
    uint64_t sequence = 0;
    log.Append(std::move(event), [&](absl::StatusOr<uint64_t> s) {
      EXPECT_TRUE(s.ok()) << s.status();
      if (s.ok()) sequence = *s;
      done.Notify();
    });
    done.WaitForNotification();
    return sequence;
  }

  static std::vector<uint64_t> ReadAll(EventLog& log, uint64_t after) {
    std::vector<uint64_t> out;
    for (;;) {
      std::vector<RecordPtr> records;
      absl::Status status = log.Read(after, 7, &records, nullptr);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok() || records.empty()) return out;
      for (const RecordPtr& r : records) out.push_back(r->sequence);
      after = records.back()->sequence;
    }
  }

  std::vector<fs::path> Segments() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".log") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

TEST_F(FileLogTest, AppendsReadBackIdenticallyFromMemoryAndFromDisk) {
  FileLog::Options options = Options();
  options.tail_cache_bytes = 1;  // force reads from the files
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 20; ++i) EXPECT_EQ(Append(*log, Encoded(i)), static_cast<uint64_t>(i));

  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(4, 3, &records, nullptr).ok());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]->sequence, 5u);
  EXPECT_EQ(records[0]->id, "id-5");
  EXPECT_EQ(records[0]->type, "suggestion.added");
  EXPECT_EQ(records[0]->subject, "doc-2");
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(records[0]->event_bytes + records[0]->raw_body_field));
  EXPECT_EQ(event.sequence(), 5u);
  EXPECT_EQ(event.raw_body(), std::string(100, 'f'));

  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.first_sequence, 1u);
  EXPECT_EQ(stats.last_sequence, 20u);
  EXPECT_EQ(stats.events, 20u);
  EXPECT_EQ(stats.bytes, fs::file_size(Segments().at(0)));
}

TEST_F(FileLogTest, ReadIfCachedServesOnlyWhatNeedsNoSegmentRead) {
  auto log = OpenWithATailCacheOfOne();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) Append(*log, Encoded(i));

  // Older records are on disk only: nothing read, nothing registered.
  struct Waiter : LogWaiter {
    void OnLogGrew() override { woken.Notify(); }
    absl::Notification woken;
  };
  auto waiter = std::make_shared<Waiter>();
  std::vector<RecordPtr> records;
  EXPECT_EQ(log->ReadIfCached(2, 10, &records, waiter), std::nullopt);
  EXPECT_TRUE(records.empty());
  // The newest is in the tail cache.
  std::optional<absl::Status> served = log->ReadIfCached(4, 10, &records, waiter);
  ASSERT_TRUE(served.has_value());
  EXPECT_TRUE(served->ok()) << *served;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]->sequence, 5u);
  // At the end: served, and the waiter registered for the next append.
  records.clear();
  served = log->ReadIfCached(5, 10, &records, waiter);
  ASSERT_TRUE(served.has_value());
  EXPECT_TRUE(served->ok()) << *served;
  EXPECT_TRUE(records.empty());
  EXPECT_FALSE(waiter->woken.HasBeenNotified());
  Append(*log, Encoded(6));
  EXPECT_TRUE(waiter->woken.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // Positions past the end are refused as Read refuses them.
  served = log->ReadIfCached(9, 10, &records, nullptr);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->code(), absl::StatusCode::kOutOfRange);
}

TEST_F(FileLogTest, ReadersThatSendNoRawBodyGetNoneCopiedFromDisk) {
  auto log = OpenWithATailCacheOfOne();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) Append(*log, Encoded(i));
  ReadSelector selector;
  selector.raw_bodies = false;
  std::vector<RecordPtr> without;
  uint64_t through = 0;
  ASSERT_TRUE(log->ReadSelected(0, 10, selector, &without, &through, nullptr).ok());
  ASSERT_EQ(without.size(), 3u);
  EXPECT_EQ(through, 3u);
  selector.raw_bodies = true;
  std::vector<RecordPtr> with;
  ASSERT_TRUE(log->ReadSelected(0, 10, selector, &with, &through, nullptr).ok());
  ASSERT_EQ(with.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(without[i]->sequence, with[i]->sequence);
    EXPECT_EQ(without[i]->event_bytes, with[i]->event_bytes);
    EXPECT_EQ(without[i]->id, with[i]->id);
    EXPECT_FALSE(with[i]->raw_body_field.empty());
  }
  // From disk (a read that starts before the cache): none copied.
  for (const RecordPtr& r : without) EXPECT_TRUE(r->raw_body_field.empty());
  // From the tail cache: the record as it is.
  selector.raw_bodies = false;
  std::vector<RecordPtr> cached;
  ASSERT_TRUE(log->ReadSelected(2, 10, selector, &cached, &through, nullptr).ok());
  ASSERT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached[0]->raw_body_field, with[2]->raw_body_field);
}

TEST_F(FileLogTest, ReopenKeepsEveryRecordAndContinuesTheSequence) {
  {
    auto log = Open(Options());
    for (int i = 1; i <= 5; ++i) Append(*log, Encoded(i));
  }
  auto log = Open(Options());
  EXPECT_EQ(log->recovery().records, 5u);
  EXPECT_EQ(log->recovery().corrupt_records, 0u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(Append(*log, Encoded(6)), 6u);
}

// Recovery takes a longer record for corruption, so the log says how long
// a record may be: the ingress refuses larger events up front.
TEST_F(FileLogTest, AdvertisesTheLargestRecordItReadsBack) {
  FileLog::Options options = Options();
  options.max_record_bytes = 4096;
  {
    auto log = Open(options);
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->max_record_bytes(), 4096u);
    Append(*log, Encoded(1, kT0, 3900));
  }
  auto log = Open(options);
  EXPECT_EQ(log->recovery().corrupt_records, 0u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1}));
  EXPECT_EQ(FileLog::Options().max_record_bytes, 256u << 20);
}

TEST_F(FileLogTest, ConcurrentAppendsShareSyncs) {
  auto log = Open(Options());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kPerThread; ++i) Append(*log, Encoded(t * kPerThread + i));
    });
  }
  for (auto& t : threads) t.join();
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.last_sequence, uint64_t{kThreads * kPerThread});
  // Each append waited for its sync, yet syncs were shared.
  EXPECT_LT(stats.syncs, uint64_t{kThreads * kPerThread});
  EXPECT_GT(stats.syncs, 0u);
  std::vector<uint64_t> all = ReadAll(*log, 0);
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);
}

TEST_F(FileLogTest, TornTailIsTruncatedAndTheSequenceContinues) {
  {
    auto log = Open(Options());
    for (int i = 1; i <= 10; ++i) Append(*log, Encoded(i));
  }
  const fs::path segment = Segments().at(0);
  const uintmax_t size = fs::file_size(segment);
  fs::resize_file(segment, size - 40);  // cut the last record in the middle
  auto log = Open(Options());
  EXPECT_EQ(log->recovery().records, 9u);
  EXPECT_GT(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(log->recovery().corrupt_records, 0u);
  EXPECT_THAT(log->recovery().findings, ElementsAre(HasSubstr("torn record")));
  EXPECT_EQ(ReadAll(*log, 0).size(), 9u);
  EXPECT_EQ(Append(*log, Encoded(10)), 10u);
  EXPECT_EQ(ReadAll(*log, 8), (std::vector<uint64_t>{9, 10}));
}

TEST_F(FileLogTest, CorruptRecordInTheMiddleIsSkippedWithoutRenumbering) {
  {
    auto log = Open(Options());
    for (int i = 1; i <= 10; ++i) Append(*log, Encoded(i));
  }
  // Flip a byte inside record 5's payload.
  const fs::path segment = Segments().at(0);
  std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
  std::stringstream content;
  content << f.rdbuf();
  std::string data = content.str();
  size_t pos = kSegmentMagic.size();
  for (int i = 1; i < 5; ++i)
    pos += kFrameHeaderSize + DecodeFrameHeader(data.substr(pos)).payload_size;
  f.seekp(static_cast<std::streamoff>(pos + kFrameHeaderSize + 10));
  f.put(static_cast<char>(data[pos + kFrameHeaderSize + 10] ^ 0x5a));
  f.close();

  auto log = Open(Options());
  EXPECT_EQ(log->recovery().corrupt_records, 1u);
  EXPECT_EQ(log->recovery().records, 9u);
  EXPECT_THAT(log->recovery().findings, ElementsAre(HasSubstr("after sequence 4")));
  EXPECT_EQ(log->Stats().corrupt_records, 1u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 6, 7, 8, 9, 10}));
  EXPECT_EQ(ReadAll(*log, 4), (std::vector<uint64_t>{6, 7, 8, 9, 10}));
  EXPECT_EQ(Append(*log, Encoded(11)), 11u);
}

// Found by log_record_fuzzer: a frame with a good CRC claiming sequence
// 2^64 - 1 was recovered as the last record, and the next append was
// numbered 0 (and reads after it failed).
TEST_F(FileLogTest, FrameClaimingASequenceBeyondTheLastIsCorrupt) {
  {
    auto log = Open(Options());
    for (int i = 1; i <= 3; ++i) Append(*log, Encoded(i));
  }
  const fs::path segment = Segments().at(0);
  auto append_frame = [&](uint64_t sequence) {
    LogRecord record;
    record.sequence = sequence;
    record.appended_at = kT0;
    record.event_bytes = Encoded(9).body;
    std::string frame;
    AppendFrame(record, &frame);
    std::ofstream(segment, std::ios::binary | std::ios::app) << frame;
  };
  append_frame(UINT64_MAX);
  {
    auto log = Open(Options());
    EXPECT_EQ(log->recovery().records, 3u);
    EXPECT_GT(log->recovery().truncated_bytes, 0u);  // the last one: a torn tail
    EXPECT_EQ(Append(*log, Encoded(4)), 4u);
    EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4}));
  }
  // The largest sequence there is: recovered, and the log takes no more.
  append_frame(kMaxSequence);
  auto log = Open(Options());
  EXPECT_EQ(log->recovery().records, 5u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, kMaxSequence}));
  absl::Notification done;
  log->Append(Encoded(6), [&](absl::StatusOr<uint64_t> sequence) {
    EXPECT_EQ(sequence.status().code(), absl::StatusCode::kUnavailable);
    done.Notify();
  });
  done.WaitForNotification();
}

TEST_F(FileLogTest, SegmentsRollAndReadsSeekAcrossThem) {
  FileLog::Options options = Options();
  options.segment_bytes = 4096;
  options.index_interval_bytes = 512;
  options.tail_cache_bytes = 1;
  auto log = Open(options);
  for (int i = 1; i <= 100; ++i) Append(*log, Encoded(i, kT0 + absl::Seconds(i), 300));
  EXPECT_GT(Segments().size(), 5u);
  for (uint64_t after : {0, 1, 17, 50, 98, 99}) {
    std::vector<RecordPtr> records;
    ASSERT_TRUE(log->Read(after, 1, &records, nullptr).ok());
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0]->sequence, after + 1);
  }
  EXPECT_EQ(ReadAll(*log, 0).size(), 100u);
  // Time positions: the record appended at kT0 + 42 s is sequence 42.
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Seconds(42)), 41u);
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Seconds(41) + absl::Milliseconds(1)), 41u);
  EXPECT_EQ(*log->PositionAt(kT0), 0u);
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Hours(1)), 100u);
  // Reopening rebuilds the index from the files.
  log.reset();
  log = Open(options);
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Seconds(77)), 76u);
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(63, 2, &records, nullptr).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]->sequence, 65u);
}

TEST_F(FileLogTest, ReadersCatchingUpContinueWhereTheyStoppedWhateverElseReads) {
  FileLog::Options options = Options();
  options.segment_bytes = 8192;
  options.index_interval_bytes = 1 << 20;  // one index entry per segment: seeks scan
  options.tail_cache_bytes = 1;
  auto log = Open(options);
  for (int i = 1; i <= 300; ++i) Append(*log, Encoded(i, kT0, 50 + i % 7));
  // Three readers in turn, each from its own position with its own batch
  // size, and a stranger reading at random between their steps: each must
  // get every record once, in order, with its own keys.
  struct Reader {
    uint64_t after;
    size_t max;
    std::vector<uint64_t> got;
  };
  std::vector<Reader> readers = {{0, 7, {}}, {100, 1, {}}, {299, 3, {}}};
  for (int step = 0; step < 400; ++step) {
    for (Reader& r : readers) {
      std::vector<RecordPtr> records;
      ASSERT_TRUE(log->Read(r.after, r.max, &records, nullptr).ok());
      for (const RecordPtr& record : records) {
        EXPECT_EQ(record->id, absl::StrCat("id-", record->sequence));
        r.got.push_back(record->sequence);
        r.after = record->sequence;
      }
    }
    std::vector<RecordPtr> stray;
    const uint64_t after = (step * 37) % 300;
    ASSERT_TRUE(log->Read(after, 2, &stray, nullptr).ok());
    ASSERT_FALSE(stray.empty());
    EXPECT_EQ(stray[0]->sequence, after + 1);
  }
  for (const Reader& r : readers) {
    std::vector<uint64_t> want;
    for (uint64_t s = r.got.empty() ? 1 : r.got.front(); s <= 300; ++s) want.push_back(s);
    EXPECT_EQ(r.got, want);
  }
  EXPECT_EQ(readers[0].got.front(), 1u);
  EXPECT_EQ(readers[1].got.front(), 101u);
  EXPECT_EQ(readers[2].got, std::vector<uint64_t>{300});
}

TEST_F(FileLogTest, ARecordWhoseEventIsNotWellFormedIsUnreadable) {
  FileLog::Options options = Options();
  options.tail_cache_bytes = 1;
  {
    auto log = Open(options);
    Append(*log, Encoded(1));
    // A frame with a good CRC around event bytes that are not protobuf: a
    // length-delimited field running past the end.
    LogRecord bad;
    bad.sequence = 2;
    bad.appended_at = kT0;
    bad.event_bytes = std::string("\x0a\x7f", 2) + "short";
    std::string frame;
    AppendFrame(bad, &frame);
    log.reset();
    std::ofstream(Segments().back(), std::ios::app | std::ios::binary) << frame;
  }
  auto log = Open(options);
  std::vector<RecordPtr> records;
  EXPECT_EQ(log->Read(1, 1, &records, nullptr).code(), absl::StatusCode::kDataLoss);
}

TEST(ScanEventKeysTest, ReadsTheKeysAFullParseReadsAndRefusesMalformedBytes) {
  v1::Event event;
  event.set_id("id-1");
  event.set_source("docs");
  event.set_type("comment.added");
  event.set_environment_id("env");
  event.set_subject("doc-1");
  event.set_sequence(9);
  event.mutable_ckeditor()->mutable_comment_added()->mutable_comment()->set_content("x");
  event.set_decode_error("kept apart");
  std::string bytes = event.SerializeAsString();
  LogRecord record;
  ASSERT_TRUE(ScanEventKeys(bytes, &record));
  EXPECT_EQ(record.id, "id-1");
  EXPECT_EQ(record.source, "docs");
  EXPECT_EQ(record.type, "comment.added");
  EXPECT_EQ(record.environment_id, "env");
  EXPECT_EQ(record.subject, "doc-1");
  // Cut anywhere inside a field: refused, as a full parse refuses it.
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    v1::Event parsed;
    LogRecord scanned;
    const std::string prefix = bytes.substr(0, cut);
    if (!parsed.ParseFromString(prefix)) {
      EXPECT_FALSE(ScanEventKeys(prefix, &scanned)) << "cut at " << cut;
    }
  }
  LogRecord zero_tag;
  EXPECT_FALSE(ScanEventKeys(std::string("\0\0", 2), &zero_tag));
}

TEST_F(FileLogTest, AppendsNeverFollowCorruptDataInTheSameSegment) {
  FileLog::Options options = Options();
  options.tail_cache_bytes = 1;
  {
    auto log = Open(options);
    for (int i = 1; i <= 3; ++i) Append(*log, Encoded(i));
  }
  // Garbage at the end of the segment, and a later segment that holds
  // nothing readable: recovery skips the first and removes the second.
  std::ofstream(Segments().back(), std::ios::app | std::ios::binary) << std::string(200, '\x5a');
  std::ofstream(fs::path(dir_) / "segment-00000000000000000009.log", std::ios::binary)
      << kSegmentMagic << std::string(300, '\x11');
  {
    auto log = Open(options);
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->recovery().corrupt_records, 1u);
    EXPECT_EQ(Append(*log, Encoded(4)), 4u);
  }
  // The new record went to a segment of its own, not after the garbage
  // (where the next recovery could take it for part of that garbage).
  ASSERT_EQ(Segments().size(), 2u);
  auto log = Open(options);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_F(FileLogTest, ANewSegmentNeverReplacesAFileNamedAfterALaterSequence) {
  FileLog::Options options = Options();
  options.tail_cache_bytes = 1;
  {
    auto log = Open(options);
    for (int i = 1; i <= 3; ++i) Append(*log, Encoded(i));
  }
  // Records 1..3 in a file named after sequence 4 (tampered with), with
  // garbage at its end: the next append starts a new segment, which is
  // named after sequence 4.
  const fs::path tampered = fs::path(dir_) / "segment-00000000000000000004.log";
  fs::rename(Segments().back(), tampered);
  std::ofstream(tampered, std::ios::app | std::ios::binary) << std::string(200, '\x5a');
  {
    auto log = Open(options);
    ASSERT_NE(log, nullptr);
    EXPECT_THAT(absl::StrJoin(log->recovery().findings, "\n"), HasSubstr("after its first record"));
    EXPECT_EQ(Append(*log, Encoded(4)), 4u);
  }
  auto log = Open(options);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_F(FileLogTest, RetentionDeletesWholeOldSegmentsAndReportsOutOfRange) {
  FileLog::Options options = Options();
  options.segment_bytes = 4096;
  options.retention_bytes = 3 * 4096;
  auto log = Open(options);
  for (int i = 1; i <= 100; ++i) Append(*log, Encoded(i, kT0 + absl::Seconds(i), 300));
  const LogStats stats = log->Stats();
  EXPECT_LE(stats.bytes, options.retention_bytes);
  EXPECT_GT(stats.first_sequence, 1u);
  EXPECT_EQ(stats.last_sequence, 100u);
  uint64_t on_disk = 0;
  for (const fs::path& p : Segments()) on_disk += fs::file_size(p);
  EXPECT_EQ(on_disk, stats.bytes);

  std::vector<RecordPtr> records;
  absl::Status status = log->Read(0, 10, &records, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("the oldest is ", stats.first_sequence)));
  EXPECT_EQ(log->PositionAt(kT0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ReadAll(*log, stats.first_sequence - 1).size(), 100 - stats.first_sequence + 1);
}

TEST_F(FileLogTest, RetentionByAge) {
  FileLog::Options options = Options();
  options.segment_bytes = 4096;
  options.retention_age = absl::Hours(1);
  auto log = Open(options);
  // Old events (appended "two hours ago" by their receive time), then new.
  for (int i = 1; i <= 30; ++i) Append(*log, Encoded(i, absl::Now() - absl::Hours(2), 300));
  for (int i = 31; i <= 60; ++i) Append(*log, Encoded(i, absl::Now(), 300));
  const LogStats stats = log->Stats();
  EXPECT_GT(stats.first_sequence, 1u);
  EXPECT_LE(stats.first_sequence, 31u);
}

TEST_F(FileLogTest, WaiterIsWokenOnlyOnceTheAppendIsDurable) {
  auto log = Open(Options());
  struct Waiter : LogWaiter {
    void OnLogGrew() override { woken.Notify(); }
    absl::Notification woken;
  };
  auto waiter = std::make_shared<Waiter>();
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(0, 10, &records, waiter).ok());
  EXPECT_TRUE(records.empty());
  Append(*log, Encoded(1));
  EXPECT_TRUE(waiter->woken.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(log->Read(0, 10, &records, nullptr).ok());
  EXPECT_EQ(records.size(), 1u);
}

TEST_F(FileLogTest, ASlowWaiterDoesNotHoldUpAppends) {
  auto log = Open(Options());
  // A reader whose wake-up blocks until released (a stream that takes its
  // time): the writer must not wait for it.
  struct Stuck : LogWaiter {
    void OnLogGrew() override {
      woken.Notify();
      release.WaitForNotification();
    }
    absl::Notification woken;
    absl::Notification release;
  };
  auto stuck = std::make_shared<Stuck>();
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(0, 10, &records, stuck).ok());
  Append(*log, Encoded(1));
  ASSERT_TRUE(stuck->woken.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // It is still in its wake-up; appends go on.
  for (int i = 2; i <= 20; ++i) {
    absl::Notification done;
    log->Append(Encoded(i), [&](absl::StatusOr<uint64_t> s) {
      EXPECT_EQ(s.value_or(0), static_cast<uint64_t>(i));
      done.Notify();
    });
    ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)))
        << "append " << i << " waits for the stuck reader";
  }
  stuck->release.Notify();
}

TEST_F(FileLogTest, IntervalAndNeverPoliciesAcknowledge) {
  for (FileLog::Fsync policy : {FileLog::Fsync::kInterval, FileLog::Fsync::kNever}) {
    fs::remove_all(dir_);
    FileLog::Options options = Options();
    options.fsync = policy;
    options.fsync_interval = absl::Milliseconds(5);
    auto log = Open(options);
    for (int i = 1; i <= 10; ++i) EXPECT_EQ(Append(*log, Encoded(i)), static_cast<uint64_t>(i));
    EXPECT_EQ(ReadAll(*log, 0).size(), 10u);
    if (policy == FileLog::Fsync::kNever) {
      EXPECT_EQ(log->Stats().syncs, 0u);
    }
  }
}

TEST_F(FileLogTest, ForeignFileIsSetAsideNotTrusted) {
  {
    auto log = Open(Options());
    Append(*log, Encoded(1));
  }
  std::ofstream(fs::path(dir_) / "segment-00000000000000000500.log") << "not a segment";
  auto log = Open(Options());
  EXPECT_EQ(log->recovery().corrupt_records, 1u);
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "segment-00000000000000000500.log.corrupt"));
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Append(*log, Encoded(2)), 2u);
}

TEST_F(FileLogTest, UnusableDirectoryIsAnError) {
  const std::string file = dir_ + "/plain-file";
  std::ofstream(file) << "x";
  FileLog::Options options = Options();
  options.dir = file;
  absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(log.status().message(), HasSubstr("log.dir"));
}

}  // namespace
}  // namespace hookbridge
