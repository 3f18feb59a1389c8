// FileLog under injected faults and clock jumps, through a FaultEnv: what is
// acknowledged, what is refused, what the log reports, and what a reopen
// recovers. Every test checks that the fault it injected was hit.
#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/log/file/file_log.h"
#include "bridge/log/file/record_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/log/fault_env.h"
#include "tests/bridge/log/power_cut_env.h"
#include "tests/testing/eventually.h"

namespace hookbridge {
namespace {

using ::hookbridge::testing::EnvOp;
using ::hookbridge::testing::Eventually;
using ::hookbridge::testing::FaultEnv;
using ::hookbridge::testing::FaultRule;
using ::hookbridge::testing::PowerCutEnv;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
// How long a test waits for a callback before it fails (never a sleep).
constexpr absl::Duration kWait = absl::Seconds(30);
// Events of the fault sweeps' workload: 16, or $HOOKBRIDGE_SWEEP_EVENTS
// (scripts/fault-soak.sh runs them long).
const int kSweepEvents = [] {
  const char* events = std::getenv("HOOKBRIDGE_SWEEP_EVENTS");
  return events != nullptr && std::atoi(events) > 0 ? std::atoi(events) : 16;
}();

EncodedEvent Encoded(int n, absl::Time received_at = kT0, size_t raw_size = 100) {
  v1::Event event;
  event.set_id(absl::StrCat("id-", n));
  event.set_type("comment.added");
  event.set_source("docs");
  event.set_raw_body(std::string(raw_size, static_cast<char>('a' + n % 26)));
  const int64_t nanos = absl::ToUnixNanos(received_at);
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return EncodeEvent(std::move(event));
}

// The results of appends started without waiting, in callback order.
class Appends {
 public:
  void Start(EventLog& log, EncodedEvent event) {
    log.Append(std::move(event), [this](absl::StatusOr<uint64_t> result) {
      absl::MutexLock lock(&mu_);
      results_.push_back(std::move(result));
    });
  }
  // Waits until `n` callbacks ran (false after kWait).
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    want_ = n;
    return mu_.AwaitWithTimeout(absl::Condition(this, &Appends::Reached), kWait);
  }
  std::vector<absl::StatusOr<uint64_t>> results() {
    absl::MutexLock lock(&mu_);
    return results_;
  }

 private:
  bool Reached() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return results_.size() >= want_; }

  absl::Mutex mu_;
  std::vector<absl::StatusOr<uint64_t>> results_ ABSL_GUARDED_BY(mu_);
  size_t want_ ABSL_GUARDED_BY(mu_) = 0;
};

class FileLogFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-file-log-fault-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileLog::Options Options() {
    FileLog::Options options;
    options.dir = dir_;
    options.env = &env_;
    options.fsync = FileLog::Fsync::kAlways;
    return options;
  }

  std::unique_ptr<FileLog> Open(FileLog::Options options) {
    absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(std::move(options));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Appends and waits for the callback's result.
  static absl::StatusOr<uint64_t> Append(EventLog& log, EncodedEvent event) {
    Appends appends;
    appends.Start(log, std::move(event));
    if (!appends.WaitFor(1)) return absl::DeadlineExceededError("the append callback never ran");
    return appends.results()[0];
  }

  // Every record after `after`, by sequence, checking each one's id.
  static std::vector<uint64_t> ReadAll(EventLog& log, uint64_t after) {
    std::vector<uint64_t> out;
    for (;;) {
      std::vector<RecordPtr> records;
      absl::Status status = log.Read(after, 7, &records, nullptr);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok() || records.empty()) return out;
      for (const RecordPtr& r : records) {
        EXPECT_EQ(r->id, absl::StrCat("id-", r->sequence));
        out.push_back(r->sequence);
      }
      after = records.back()->sequence;
    }
  }

  // Events 1..kSweepEvents, each retried as a provider retries (the same event
  // again after a 503) once the log's pause has passed. Each must end
  // acknowledged with its own number as sequence: nothing lost, nothing
  // twice, no sequence skipped.
  void SweepWorkload(FileLog& log) {
    for (int i = 1; i <= kSweepEvents; ++i) {
      absl::StatusOr<uint64_t> result;
      for (int attempt = 0; attempt < 4 && !result.ok(); ++attempt) {
        if (attempt > 0) {
          env_.AdvanceTime(absl::Seconds(31));
          ASSERT_TRUE(Eventually([&] { return log.Stats().failure.ok(); }))
              << "event " << i << ": the log did not recover: " << log.Stats().failure;
        }
        result = Append(log, Encoded(i, kT0, 250));
      }
      ASSERT_TRUE(result.ok()) << "event " << i << ": " << result.status();
      ASSERT_EQ(*result, static_cast<uint64_t>(i));
    }
  }

  // A log with 4 KiB segments and retention by age of an hour, holding
  // events 1..30 appended at kT0 (the clock's time).
  std::unique_ptr<FileLog> OpenWithAnHourOfRetention() {
    env_.SetTime(kT0);
    FileLog::Options options = Options();
    options.segment_bytes = 4096;
    options.retention_age = absl::Hours(1);
    auto log = Open(options);
    for (int i = 1; log != nullptr && i <= 30; ++i) {
      EXPECT_EQ(*Append(*log, Encoded(i, kT0, 300)), static_cast<uint64_t>(i));
    }
    return log;
  }

  size_t SegmentFiles() {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) n += e.path().extension() == ".log";
    return n;
  }

  FaultEnv env_;
  std::string dir_;
};

TEST_F(FileLogFaultTest, FailedFdatasyncDiscardsTheGroupRefusesAppendsThenRecoversByItself) {
  env_.SetTime(kT0);
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));

  env_.Inject({.op = EnvOp::kSync, .error = EIO});
  const absl::StatusOr<uint64_t> failed = Append(*log, Encoded(6));
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()),
              AllOf(HasSubstr("the event log failed"), HasSubstr("cannot fdatasync"),
                    HasSubstr("Input/output error"),
                    HasSubstr("takes events again once the fault clears")));
  // Record 6 was written, and its sync failed: the kernel may say its pages
  // are clean without them being on disk, so it is cut off at once, and a
  // restart does not find it either (a retried delivery must not be
  // answered `duplicate` for a record that may be lost).
  EXPECT_EQ(env_.calls(EnvOp::kTruncateFile), 1);

  // While it lasts, appends are refused without touching the disk.
  const int writes_before = env_.calls(EnvOp::kWrite);
  const absl::StatusOr<uint64_t> later = Append(*log, Encoded(7));
  EXPECT_EQ(later.status(), failed.status());
  EXPECT_EQ(env_.calls(EnvOp::kWrite), writes_before);
  LogStats stats = log->Stats();
  EXPECT_EQ(stats.failure, failed.status());
  EXPECT_FALSE(stats.restart_needed);
  EXPECT_EQ(stats.last_sequence, 5u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5}));

  // The fault clears: after the pause the log takes events again, the
  // retried delivery getting the next sequence, in a new segment.
  env_.ClearFaults();
  const size_t segments = SegmentFiles();
  env_.AdvanceTime(absl::Seconds(2));
  ASSERT_TRUE(Eventually([&] { return log->Stats().failure.ok(); }));
  EXPECT_EQ(*Append(*log, Encoded(6)), 6u);
  EXPECT_EQ(SegmentFiles(), segments + 1);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));

  log.reset();
  log = Open(Options());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 6u);
  EXPECT_EQ(log->recovery().corrupt_records, 0u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(FileLogFaultTest, ARestartAfterAFailedFdatasyncDoesNotFindTheUnsyncedRecord) {
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));
  env_.Inject({.op = EnvOp::kSync, .error = EIO, .times = 1});
  ASSERT_FALSE(Append(*log, Encoded(6)).ok());
  log.reset();
  env_.ClearFaults();
  log = Open(Options());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 5u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(*Append(*log, Encoded(6)), 6u);
}

TEST_F(FileLogFaultTest, WhatAFailureWroteThatCannotBeRemovedAsksForARestart) {
  env_.SetTime(kT0);
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));
  env_.Inject({.op = EnvOp::kSync, .error = EIO});
  env_.Inject({.op = EnvOp::kTruncateFile, .error = EIO});
  ASSERT_FALSE(Append(*log, Encoded(4)).ok());
  for (int attempt = 1; attempt < FileLog::kMaxDiscardAttempts; ++attempt) {
    EXPECT_FALSE(log->Stats().restart_needed) << attempt;
    const int truncates = env_.calls(EnvOp::kTruncateFile);
    env_.AdvanceTime(absl::Seconds(60));
    ASSERT_TRUE(Eventually([&] { return env_.calls(EnvOp::kTruncateFile) > truncates; }));
  }
  ASSERT_TRUE(Eventually([&] { return log->Stats().restart_needed; }));
  EXPECT_FALSE(log->Stats().failure.ok());
  // Should it pass after all, the log takes events again.
  env_.ClearFaults();
  env_.AdvanceTime(absl::Seconds(60));
  ASSERT_TRUE(Eventually([&] { return log->Stats().failure.ok(); }));
  EXPECT_FALSE(log->Stats().restart_needed);
  EXPECT_EQ(*Append(*log, Encoded(4)), 4u);
}

TEST_F(FileLogFaultTest, NoSpaceRefusesTheAppendAndKeepsWhatWasAcknowledged) {
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));

  env_.Inject({.op = EnvOp::kWrite, .error = ENOSPC});
  const absl::StatusOr<uint64_t> failed = Append(*log, Encoded(4));
  EXPECT_EQ(env_.injected(EnvOp::kWrite), 1);
  // ENOSPC comes back as UNAVAILABLE, as any write error: the sender retries.
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()),
              AllOf(HasSubstr("the event log failed"), HasSubstr("cannot write"),
                    HasSubstr("No space left on device")));
  EXPECT_EQ(Append(*log, Encoded(5)).status(), failed.status());
  EXPECT_EQ(env_.injected(EnvOp::kWrite), 1);  // the refused append wrote nothing
  EXPECT_EQ(log->Stats().failure, failed.status());
  EXPECT_FALSE(log->Stats().restart_needed);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3}));

  log.reset();
  env_.ClearFaults();
  log = Open(Options());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 3u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_THAT(log->recovery().findings, IsEmpty());
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(*Append(*log, Encoded(4)), 4u);
}

TEST_F(FileLogFaultTest, DiskFullInsideARecordLeavesNoTornTail) {
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));

  // The disk fills after 10 bytes of the next frame.
  env_.Inject({.op = EnvOp::kWrite, .error = 0, .short_write = 10, .times = 1});
  env_.Inject({.op = EnvOp::kWrite, .error = ENOSPC});
  const absl::StatusOr<uint64_t> failed = Append(*log, Encoded(4));
  EXPECT_EQ(env_.injected(EnvOp::kWrite), 2);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("No space left on device"));
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3}));

  // The 10 bytes are cut off at once, not left for recovery.
  log.reset();
  env_.ClearFaults();
  log = Open(Options());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 3u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_THAT(log->recovery().findings, IsEmpty());
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(*Append(*log, Encoded(4)), 4u);
}

TEST_F(FileLogFaultTest, ShortWritesAreCompleted) {
  FileLog::Options options = Options();
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  env_.Inject({.op = EnvOp::kWrite, .error = 0, .short_write = 7, .times = 50});
  for (int i = 1; i <= 10; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));
  // 50 writes of 7 bytes are fewer bytes than ten records: all were cut.
  EXPECT_EQ(env_.injected(EnvOp::kWrite), 50);
  EXPECT_TRUE(log->Stats().failure.ok());

  log.reset();
  options.tail_cache_bytes = 1;  // read back from the file
  log = Open(options);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 10u);
  EXPECT_EQ(log->recovery().corrupt_records, 0u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_F(FileLogFaultTest, FailedDirectorySyncForANewSegmentRefusesTheAppend) {
  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  env_.Inject({.op = EnvOp::kSyncDir, .error = EIO});
  const absl::StatusOr<uint64_t> failed = Append(*log, Encoded(1));
  // The segment's creation, then its removal (the log asks again later).
  EXPECT_EQ(env_.injected(EnvOp::kSyncDir), 2);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()),
              HasSubstr(absl::StrCat("cannot sync ", dir_, ": Input/output error")));
  EXPECT_EQ(log->Stats().failure, failed.status());

  // The segment it created is removed at once.
  log.reset();
  env_.ClearFaults();
  log = Open(Options());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 0u);
  EXPECT_THAT(log->recovery().findings, IsEmpty());
  EXPECT_EQ(SegmentFiles(), 0u);
  EXPECT_EQ(*Append(*log, Encoded(1)), 1u);
}

TEST_F(FileLogFaultTest, AWriteErrorOrFailedSyncAtAnyPointLosesAndDuplicatesNothing) {
  env_.SetTime(kT0);
  FileLog::Options options = Options();
  options.segment_bytes = 2048;  // several segments: rolls are points too
  std::vector<uint64_t> expected;
  for (int i = 1; i <= kSweepEvents; ++i) expected.push_back(i);
  // How many operations of each kind a clean run makes.
  std::map<EnvOp, int> points;
  {
    auto log = Open(options);
    ASSERT_NE(log, nullptr);
    const std::array<EnvOp, 4> ops = {EnvOp::kWrite, EnvOp::kSync, EnvOp::kSyncDir,
                                      EnvOp::kNewWritableFile};
    std::map<EnvOp, int> before;
    for (EnvOp op : ops) before[op] = env_.calls(op);
    SweepWorkload(*log);
    for (EnvOp op : ops) points[op] = env_.calls(op) - before[op];
  }
  ASSERT_GT(points[EnvOp::kNewWritableFile], 2);
  struct Fault {
    const char* name;
    std::vector<FaultRule> rules;  // `skip` set per point
  };
  const std::vector<Fault> faults = {
      {"ENOSPC on write", {{.op = EnvOp::kWrite, .error = ENOSPC, .times = 1}}},
      {"EIO on write", {{.op = EnvOp::kWrite, .error = EIO, .times = 1}}},
      {"a short write, then ENOSPC",
       {{.op = EnvOp::kWrite, .error = 0, .short_write = 9, .times = 1},
        {.op = EnvOp::kWrite, .error = ENOSPC, .times = 1}}},
      {"EIO on fdatasync", {{.op = EnvOp::kSync, .error = EIO, .times = 1}}},
      {"EIO on the directory's fsync", {{.op = EnvOp::kSyncDir, .error = EIO, .times = 1}}},
      {"EMFILE creating a segment", {{.op = EnvOp::kNewWritableFile, .error = EMFILE, .times = 1}}},
  };
  int scenarios = 0;
  for (const Fault& fault : faults) {
    const EnvOp op = fault.rules[0].op;
    for (int point = 0; point < points[op]; ++point) {
      SCOPED_TRACE(absl::StrCat(fault.name, ", at operation ", point + 1, " of its kind"));
      fs::remove_all(dir_);
      // The first rule skips to the point; a second one (of the same kind)
      // fails the operation right after the first one's.
      env_.ClearFaults();
      FaultRule first = fault.rules[0];
      first.skip = point;
      env_.Inject(first);
      for (size_t r = 1; r < fault.rules.size(); ++r) env_.Inject(fault.rules[r]);
      {
        auto log = Open(options);
        ASSERT_NE(log, nullptr);
        SweepWorkload(*log);
        if (HasFatalFailure()) return;
        EXPECT_EQ(ReadAll(*log, 0), expected);
      }
      // And what a restart finds.
      env_.ClearFaults();
      auto log = Open(options);
      ASSERT_NE(log, nullptr);
      EXPECT_EQ(log->recovery().records, static_cast<uint64_t>(kSweepEvents));
      EXPECT_EQ(log->recovery().corrupt_records, 0u);
      EXPECT_EQ(ReadAll(*log, 0), expected);
      ++scenarios;
    }
  }
  EXPECT_GT(scenarios, 40);
  std::printf("fault sweep: %d scenarios of %d events\n", scenarios, kSweepEvents);
}

TEST_F(FileLogFaultTest, APowerCutAtAnyPointKeepsEveryAcknowledgedEventOnceInOrder) {
  std::vector<uint64_t> all;
  int cuts = 0;
  for (int point = 0;; ++point) {
    SCOPED_TRACE(absl::StrCat("power cut before disk operation ", point + 1));
    fs::remove_all(dir_);
    PowerCutEnv power;
    // Odd points keep a few bytes of each unsynced tail: a torn write.
    power.CutAfter(point, point % 2 == 1 ? 7 : 0);
    FileLog::Options options = Options();
    options.env = &power;
    options.segment_bytes = 2048;
    options.retention_age = absl::InfiniteDuration();  // its clock is the real one
    uint64_t acknowledged = 0;
    {
      absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
      for (int i = 1; log.ok() && i <= kSweepEvents; ++i) {
        const absl::StatusOr<uint64_t> result = Append(**log, Encoded(i, kT0, 250));
        if (!result.ok()) break;
        ASSERT_EQ(*result, static_cast<uint64_t>(i));
        acknowledged = *result;
      }
    }
    if (!power.cut()) break;  // the workload ended before the point
    ++cuts;
    power.Restart();
    auto log = Open(options);
    ASSERT_NE(log, nullptr);
    // Every acknowledged event, each once, in order (ReadAll checks that
    // record n is event n); of the rest, at most a prefix of what followed.
    const std::vector<uint64_t> found = ReadAll(*log, 0);
    ASSERT_GE(found.size(), acknowledged)
        << "first " << log->Stats().first_sequence << ", last " << log->Stats().last_sequence
        << ", findings: " << absl::StrJoin(log->recovery().findings, "; ");
    for (size_t n = 0; n < found.size(); ++n) EXPECT_EQ(found[n], n + 1);
    EXPECT_EQ(log->recovery().corrupt_records, 0u);
    // And the log goes on from there.
    EXPECT_EQ(*Append(*log, Encoded(static_cast<int>(found.size()) + 1, kT0, 250)),
              found.size() + 1);
  }
  EXPECT_GT(cuts, 30);
  std::printf("power-cut sweep: %d cuts in a workload of %d events\n", cuts, kSweepEvents);
}

TEST_F(FileLogFaultTest, ReadErrorIsDataLossForTheReaderOnly) {
  FileLog::Options options = Options();
  options.tail_cache_bytes = 1;  // readers go to the file
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(*Append(*log, Encoded(i)), static_cast<uint64_t>(i));

  env_.Inject({.op = EnvOp::kRead, .error = EIO, .times = 1});
  std::vector<RecordPtr> records;
  const absl::Status status = log->Read(0, 10, &records, nullptr);
  EXPECT_EQ(env_.injected(EnvOp::kRead), 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()), HasSubstr("restart hookbridge to recover"));
  // The log itself still works.
  EXPECT_TRUE(log->Stats().failure.ok());
  EXPECT_EQ(*Append(*log, Encoded(6)), 6u);
  EXPECT_EQ(ReadAll(*log, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(FileLogFaultTest, OpenFailsWhenTheDirectoryOrASegmentCannotBeRead) {
  {
    auto log = Open(Options());
    ASSERT_NE(log, nullptr);
    ASSERT_EQ(*Append(*log, Encoded(1)), 1u);
  }
  env_.Inject({.op = EnvOp::kGetChildren, .error = EIO, .times = 1});
  absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(Options());
  EXPECT_EQ(env_.injected(EnvOp::kGetChildren), 1);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(log.status().message()),
              HasSubstr(absl::StrCat("log.dir: cannot list ", dir_, ": Input/output error")));

  env_.Inject({.op = EnvOp::kRead, .error = EIO, .path_contains = "segment-", .times = 1});
  log = FileLog::Open(Options());
  EXPECT_EQ(env_.injected(EnvOp::kRead), 1);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(log.status().message()),
              AllOf(HasSubstr("log: cannot read"), HasSubstr("Input/output error")));

  log = FileLog::Open(Options());  // the faults are spent
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->recovery().records, 1u);
}

TEST_F(FileLogFaultTest, IntervalSyncFailureFailsEveryAppendWaitingForIt) {
  env_.SetTime(kT0);
  FileLog::Options options = Options();
  options.fsync = FileLog::Fsync::kInterval;
  options.fsync_interval = absl::Milliseconds(50);
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  env_.Inject({.op = EnvOp::kSync, .error = EIO});

  Appends appends;
  for (int i = 1; i <= 3; ++i) appends.Start(*log, Encoded(i));
  // The clock stands still: no sync is due, so nothing can be acknowledged.
  EXPECT_THAT(appends.results(), IsEmpty());
  env_.AdvanceTime(options.fsync_interval);
  ASSERT_TRUE(appends.WaitFor(3));
  EXPECT_EQ(env_.injected(EnvOp::kSync), 1);
  for (const absl::StatusOr<uint64_t>& result : appends.results()) {
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(result.status().message()), HasSubstr("cannot fdatasync"));
  }
  EXPECT_EQ(log->Stats().last_sequence, 0u);
  EXPECT_EQ(log->Stats().failure.code(), absl::StatusCode::kUnavailable);
}

TEST_F(FileLogFaultTest, ClockSetBackDoesNotHoldBackIntervalSyncs) {
  env_.SetTime(kT0);
  FileLog::Options options = Options();
  options.fsync = FileLog::Fsync::kInterval;
  options.fsync_interval = absl::Milliseconds(50);
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  Appends first;
  first.Start(*log, Encoded(1));
  env_.AdvanceTime(options.fsync_interval);
  ASSERT_TRUE(first.WaitFor(1));
  EXPECT_EQ(*first.results()[0], 1u);
  const int syncs = env_.calls(EnvOp::kSync);
  EXPECT_GE(syncs, 1);

  // The clock is set back an hour: the next sync is due one interval later
  // at the most, not once the clock has come back to where it was.
  env_.AdvanceTime(-absl::Hours(1));
  Appends second;
  second.Start(*log, Encoded(2));
  env_.AdvanceTime(options.fsync_interval);
  ASSERT_TRUE(second.WaitFor(1));
  EXPECT_EQ(*second.results()[0], 2u);
  EXPECT_GT(env_.calls(EnvOp::kSync), syncs);
}

TEST_F(FileLogFaultTest, TimePassingAppliesRetentionByAge) {
  auto log = OpenWithAnHourOfRetention();
  ASSERT_NE(log, nullptr);
  const size_t segments = SegmentFiles();
  ASSERT_GT(segments, 2u);
  // Nothing is an hour old by the log's clock.
  EXPECT_EQ(log->Stats().first_sequence, 1u);
  EXPECT_EQ(env_.calls(EnvOp::kRemoveFile), 0);

  env_.AdvanceTime(absl::Hours(2));
  ASSERT_EQ(*Append(*log, Encoded(31, kT0 + absl::Hours(2), 300)), 31u);
  // Every segment but the one being written is now too old: each goes with
  // its summary.
  EXPECT_EQ(env_.calls(EnvOp::kRemoveFile), 2 * (static_cast<int>(segments) - 1));
  EXPECT_EQ(SegmentFiles(), 1u);
  const LogStats stats = log->Stats();
  EXPECT_GT(stats.first_sequence, 1u);
  EXPECT_EQ(stats.last_sequence, 31u);
  std::vector<RecordPtr> records;
  const absl::Status status = log->Read(0, 10, &records, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(absl::StrCat("no longer retained; the oldest is ", stats.first_sequence)));
  EXPECT_EQ(log->PositionAt(kT0).status().code(), absl::StatusCode::kOutOfRange);
}

// ---- Summaries of closed segments: a restart reads only the last segment ----

class SegmentSummaryTest : public FileLogFaultTest {
 protected:
  FileLog::Options SmallSegments() {
    FileLog::Options options = Options();
    options.segment_bytes = 4096;
    options.index_interval_bytes = 512;
    options.tail_cache_bytes = 1;
    options.retention_bytes = 0;
    options.retention_age = absl::InfiniteDuration();
    return options;
  }

  // What a log says about itself: figures, every record, time positions.
  struct State {
    uint64_t first = 0, last = 0, events = 0, bytes = 0;
    std::vector<uint64_t> records;
    std::vector<uint64_t> positions;
    bool operator==(const State&) const = default;
  };
  State StateOf(FileLog& log) {
    State s;
    const LogStats stats = log.Stats();
    s.first = stats.first_sequence;
    s.last = stats.last_sequence;
    s.events = stats.events;
    s.bytes = stats.bytes;
    s.records = ReadAll(log, 0);
    for (int i = 0; i <= 101; i += 7) {
      s.positions.push_back(*log.PositionAt(kT0 + absl::Seconds(i) + absl::Milliseconds(1)));
    }
    return s;
  }

  std::vector<fs::path> Files(const std::string& extension) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == extension) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // A log of 100 records over many segments, closed; its state.
  State Fill() {
    auto log = Open(SmallSegments());
    for (int i = 1; i <= 100; ++i) {
      EXPECT_EQ(*Append(*log, Encoded(i, kT0 + absl::Seconds(i), 200)), static_cast<uint64_t>(i));
    }
    return StateOf(*log);
  }
};

TEST_F(SegmentSummaryTest, ARestartTakesClosedSegmentsFromTheirSummariesWithTheSameState) {
  const State written = Fill();
  const size_t segments = Files(".log").size();
  ASSERT_GT(segments, 5u);
  // Every closed segment got its summary when the next one was published.
  EXPECT_EQ(Files(".idx").size(), segments - 1);

  auto log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, segments - 1);
  EXPECT_EQ(log->recovery().records, 100u);
  EXPECT_TRUE(StateOf(*log) == written);
  // It goes on as before: appends continue the sequence.
  EXPECT_EQ(*Append(*log, Encoded(101, kT0 + absl::Seconds(101), 200)), 101u);
  log.reset();

  // Without summaries the segments are read in full: the same state, and
  // the summaries are written again.
  for (const fs::path& p : Files(".idx")) fs::remove(p);
  log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, 0u);
  EXPECT_EQ(Files(".idx").size(), Files(".log").size() - 1);
  log.reset();
  log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, Files(".log").size() - 1);
  EXPECT_EQ(log->Stats().last_sequence, 101u);
}

TEST_F(SegmentSummaryTest, ATornWrongOrForeignSummaryIsNotUsed) {
  const State written = Fill();
  const std::vector<fs::path> summaries = Files(".idx");
  ASSERT_GT(summaries.size(), 4u);
  auto contents = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto replace = [](const fs::path& p, const std::string& data) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  };
  // Torn (a crash while it was written), a flipped byte, another segment's
  // (same size, good CRC), and garbage.
  const std::string first = contents(summaries[0]);
  replace(summaries[0], first.substr(0, first.size() / 2));
  std::string flipped = contents(summaries[1]);
  flipped[flipped.size() / 2] ^= 0x20;
  replace(summaries[1], flipped);
  replace(summaries[2], contents(summaries[3]));
  replace(summaries[4], "HBIDXv1\n not a summary");

  auto log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, summaries.size() - 4);
  EXPECT_TRUE(StateOf(*log) == written);
}

TEST_F(SegmentSummaryTest, ACorruptRecordBehindASummaryIsUnreadableThenSkippedAfterARestart) {
  Fill();
  const std::vector<fs::path> segments = Files(".log");
  // A flipped byte in the payload of the second segment's first record.
  {
    std::fstream f(segments[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kSegmentMagic.size() + kFrameHeaderSize + 10);
    f.put('!');
  }
  auto log = Open(SmallSegments());
  const size_t used = log->recovery().summaries_used;
  EXPECT_EQ(used, segments.size() - 1);  // the summary still matches its size
  const uint64_t bad = log->Stats().first_sequence;
  std::vector<RecordPtr> records;
  uint64_t before_bad = 0;
  // Read up to the corrupt record: DATA_LOSS, and its segment's summary
  // is dropped, so that a restart reads that segment again.
  for (uint64_t after = bad; after < 100; ++after) {
    records.clear();
    const absl::Status status = log->Read(after, 1, &records, nullptr);
    if (!status.ok()) {
      EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
      before_bad = after;
      break;
    }
  }
  ASSERT_GT(before_bad, 0u);
  EXPECT_FALSE(fs::exists(fs::path(segments[1]).replace_extension(".idx")));
  log.reset();

  log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, used - 1);
  EXPECT_EQ(log->recovery().corrupt_records, 1u);
  const std::vector<uint64_t> all = ReadAll(*log, 0);
  EXPECT_EQ(all.size(), 99u);
  EXPECT_EQ(std::count(all.begin(), all.end(), before_bad + 1), 0);
  // Reported again by every restart, though the summary now holds the skip.
  log.reset();
  log = Open(SmallSegments());
  EXPECT_EQ(log->recovery().summaries_used, used);
  EXPECT_EQ(log->recovery().corrupt_records, 1u);
  EXPECT_EQ(ReadAll(*log, 0).size(), 99u);
}

// Durable consumers hold what they have not acknowledged (HoldFrom):
// retention by age spares the segments holding it, retention by size does
// not.
TEST_F(FileLogFaultTest, HoldFromSparesUnacknowledgedSegmentsFromRetentionByAgeOnly) {
  env_.SetTime(kT0);
  FileLog::Options options = Options();
  options.segment_bytes = 4096;
  options.retention_age = absl::Hours(1);
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  log->HoldFrom(12);  // a consumer has acknowledged up to 11
  for (int i = 1; i <= 30; ++i) {
    ASSERT_EQ(*Append(*log, Encoded(i, kT0, 300)), static_cast<uint64_t>(i));
  }
  env_.AdvanceTime(absl::Hours(2));
  ASSERT_EQ(*Append(*log, Encoded(31, kT0 + absl::Hours(2), 300)), 31u);
  // Segments wholly before 12 went; the one holding 12 and later stay.
  const uint64_t first = log->Stats().first_sequence;
  EXPECT_GT(first, 1u);
  EXPECT_LE(first, 12u);
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(11, 100, &records, nullptr).ok());
  EXPECT_EQ(records.size(), 20u);

  // The consumer catches up: the next check deletes what it no longer needs.
  log->HoldFrom(UINT64_MAX);
  env_.AdvanceTime(absl::Seconds(11));
  ASSERT_EQ(*Append(*log, Encoded(32, kT0 + absl::Hours(2), 300)), 32u);
  EXPECT_GT(log->Stats().first_sequence, 12u);

  // Size still wins over a hold.
  FileLog::Options sized = Options();
  sized.dir = dir_ + "/sized";
  sized.segment_bytes = 4096;
  sized.retention_bytes = 3 * 4096;
  auto small = Open(sized);
  ASSERT_NE(small, nullptr);
  small->HoldFrom(1);
  for (int i = 1; i <= 100; ++i) {
    ASSERT_EQ(*Append(*small, Encoded(i, kT0, 300)), static_cast<uint64_t>(i));
  }
  EXPECT_GT(small->Stats().first_sequence, 1u);
  EXPECT_LE(small->Stats().bytes, sized.retention_bytes);
}

// The wall clock set forward (a bad NTP step, a VM resumed with a wrong
// clock) is not time passing: retention by age deletes nothing for it, and
// records appended meanwhile are not stamped in the future.
TEST_F(FileLogFaultTest, WallClockSetForwardDeletesNothingAndStampsNothingInTheFuture) {
  auto log = OpenWithAnHourOfRetention();
  ASSERT_NE(log, nullptr);
  ASSERT_GT(SegmentFiles(), 2u);

  env_.StepWallClock(absl::Hours(24));
  // Senders' receive times follow the wall clock.
  ASSERT_EQ(*Append(*log, Encoded(31, kT0 + absl::Hours(24), 300)), 31u);
  EXPECT_EQ(env_.calls(EnvOp::kRemoveFile), 0);
  EXPECT_EQ(log->Stats().first_sequence, 1u);

  // The clock is corrected; appends go on with times that make sense.
  env_.StepWallClock(-absl::Hours(24));
  env_.AdvanceTime(absl::Seconds(1));
  ASSERT_EQ(*Append(*log, Encoded(32, kT0 + absl::Seconds(1), 300)), 32u);
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(30, 10, &records, nullptr).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_LE(records[0]->appended_at, kT0 + absl::Seconds(1));
  EXPECT_LE(records[1]->appended_at, kT0 + absl::Seconds(1));
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Hours(1)), 32u);

  // An hour really passing deletes what is an hour old.
  env_.AdvanceTime(absl::Hours(2));
  ASSERT_EQ(*Append(*log, Encoded(33, kT0 + absl::Hours(2), 300)), 33u);
  EXPECT_GT(log->Stats().first_sequence, 1u);
}

TEST_F(FileLogFaultTest, ClockSetBackKeepsRecordsAndTimeOrder) {
  env_.SetTime(kT0 + absl::Hours(24));
  FileLog::Options options = Options();
  options.segment_bytes = 4096;
  options.retention_age = absl::Hours(1);
  auto log = Open(options);
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 20; ++i) {
    ASSERT_EQ(*Append(*log, Encoded(i, kT0 + absl::Hours(24), 300)), static_cast<uint64_t>(i));
  }
  // The clock (and the senders' receive times with it) go back a day.
  env_.AdvanceTime(-absl::Hours(24));
  for (int i = 21; i <= 40; ++i) {
    ASSERT_EQ(*Append(*log, Encoded(i, kT0, 300)), static_cast<uint64_t>(i));
  }
  EXPECT_EQ(env_.calls(EnvOp::kRemoveFile), 0);
  EXPECT_EQ(log->Stats().first_sequence, 1u);
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log->Read(0, 100, &records, nullptr).ok());
  ASSERT_EQ(records.size(), 40u);
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_GE(records[i]->appended_at, records[i - 1]->appended_at) << i;
  }
  // So time positions still work: everything was appended "at" kT0 + 24 h.
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Hours(24)), 0u);
  EXPECT_EQ(*log->PositionAt(kT0 + absl::Hours(25)), 40u);
}

}  // namespace
}  // namespace hookbridge
