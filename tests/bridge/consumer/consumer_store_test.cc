// ConsumerStore: its state through reopens, group commit, and what it
// recovers after injected faults (FaultEnv) and power cuts (PowerCutEnv,
// below). Every fault test checks that the fault it injected was hit.
#include "bridge/consumer/consumer_store.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/log/fault_env.h"
#include "tests/bridge/log/power_cut_env.h"

namespace hookbridge {

bool operator==(const StoredDeadLetter& a, const StoredDeadLetter& b) {
  return a.deliveries == b.deliveries && a.deadline_expiries == b.deadline_expiries &&
         a.negative_acknowledgements == b.negative_acknowledgements &&
         a.last_reason == b.last_reason && a.dead_at == b.dead_at;
}

bool operator==(const ConsumerSnapshot& a, const ConsumerSnapshot& b) {
  return a.config == b.config && a.ack_floor == b.ack_floor && a.acknowledged == b.acknowledged &&
         a.dead_letters == b.dead_letters;
}

void PrintTo(const ConsumerSnapshot& s, std::ostream* os) {
  *os << "{config=" << s.config << " floor=" << s.ack_floor << " acknowledged=[";
  for (uint64_t a : s.acknowledged) *os << a << " ";
  *os << "] dead=[";
  for (const auto& [seq, letter] : s.dead_letters) *os << seq << ":" << letter.last_reason << " ";
  *os << "]}";
}

namespace {

using ::hookbridge::testing::EnvOp;
using ::hookbridge::testing::FaultEnv;
using ::hookbridge::testing::PowerCutEnv;
using ::hookbridge::testing::ReadBytes;
using ::hookbridge::testing::WriteBytes;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

// How long a test waits for a callback before it fails (never a sleep).
constexpr absl::Duration kWait = absl::Seconds(30);

// The results of `done` callbacks, in the order they ran.
class Dones {
 public:
  std::function<void(absl::Status)> Callback() {
    return [this](absl::Status status) {
      absl::MutexLock lock(&mu_);
      results_.push_back(std::move(status));
    };
  }
  // Waits until `n` callbacks ran (false after kWait).
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() { return results_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }
  std::vector<absl::Status> results() {
    absl::MutexLock lock(&mu_);
    return results_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return results_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::Status> results_ ABSL_GUARDED_BY(mu_);
};

StoredDeadLetter Letter(int n) {
  StoredDeadLetter letter;
  letter.deliveries = n;
  letter.deadline_expiries = n + 1;
  letter.negative_acknowledgements = n + 2;
  letter.last_reason = absl::StrCat("reason ", n);
  letter.dead_at = absl::FromUnixNanos(1700000000123456789 + n);
  return letter;
}

class ConsumerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-consumer-store-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  ConsumerStore::Options Options(std::string name = "orders") {
    ConsumerStore::Options options;
    options.env = &env_;
    options.dir = dir_;
    options.name = std::move(name);
    options.compact_bytes = 1 << 20;
    return options;
  }

  std::unique_ptr<ConsumerStore> Create(const ConsumerStore::Options& options,
                                        uint64_t ack_floor = 0) {
    absl::StatusOr<std::unique_ptr<ConsumerStore>> store =
        ConsumerStore::Create(options, "config-bytes", ack_floor);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::unique_ptr<ConsumerStore> Open(const ConsumerStore::Options& options) {
    absl::StatusOr<std::unique_ptr<ConsumerStore>> store = ConsumerStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // Each records and waits for `done`'s status.
  static absl::Status Ack(ConsumerStore& store, std::vector<uint64_t> sequences, uint64_t floor) {
    Dones dones;
    store.Acknowledge(std::move(sequences), floor, dones.Callback());
    return dones.WaitFor(1) ? dones.results()[0] : absl::DeadlineExceededError("no callback");
  }
  static absl::Status AddDead(ConsumerStore& store, uint64_t sequence, StoredDeadLetter letter) {
    Dones dones;
    store.AddDeadLetter(sequence, std::move(letter), dones.Callback());
    return dones.WaitFor(1) ? dones.results()[0] : absl::DeadlineExceededError("no callback");
  }
  static absl::Status RemoveDead(ConsumerStore& store, std::vector<uint64_t> sequences) {
    Dones dones;
    store.RemoveDeadLetters(std::move(sequences), dones.Callback());
    return dones.WaitFor(1) ? dones.results()[0] : absl::DeadlineExceededError("no callback");
  }
  static absl::Status Seek(ConsumerStore& store, uint64_t floor) {
    Dones dones;
    store.Seek(floor, dones.Callback());
    return dones.WaitFor(1) ? dones.results()[0] : absl::DeadlineExceededError("no callback");
  }

  std::string SnapshotPath(const std::string& name = "orders") {
    return (fs::path(dir_) / (name + ".snapshot")).string();
  }
  std::string JournalPath(const std::string& name = "orders") {
    return (fs::path(dir_) / (name + ".journal")).string();
  }
  std::vector<std::string> Files() {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path().filename());
    std::sort(files.begin(), files.end());
    return files;
  }

  PowerCutEnv power_;
  FaultEnv env_{&power_};
  std::string dir_;
};

TEST_F(ConsumerStoreTest, CreateThenOpenRoundTrip) {
  {
    auto store = Create(Options(), 41);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->state().config, "config-bytes");
    EXPECT_EQ(store->state().ack_floor, 41u);
    EXPECT_THAT(store->state().acknowledged, IsEmpty());
    EXPECT_THAT(store->state().dead_letters, IsEmpty());
  }
  EXPECT_THAT(Files(), ElementsAre("orders.journal", "orders.snapshot"));
  auto store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().config, "config-bytes");
  EXPECT_EQ(store->state().ack_floor, 41u);

  EXPECT_EQ(ConsumerStore::Create(Options(), "other", 0).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ConsumerStore::Open(Options("missing")).status().code(), absl::StatusCode::kNotFound);
  ConsumerStore::Options elsewhere = Options();
  elsewhere.dir = dir_ + "/no/such/dir";
  EXPECT_EQ(ConsumerStore::Open(elsewhere).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ConsumerStoreTest, NamesAreValidated) {
  for (const std::string& name :
       std::vector<std::string>{"", "Orders", "-x", ".x", "_x", "a/b", "a b", "..",
                                std::string(64, 'a'), std::string("a\0b", 3)}) {
    EXPECT_EQ(ConsumerStore::Create(Options(name), "", 0).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(ConsumerStore::Open(Options(name)).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ConsumerStore::Remove(Options(name)).code(), absl::StatusCode::kInvalidArgument);
  }
  for (const std::string& name :
       std::vector<std::string>{"a", "0", "orders-v2.eu_west", std::string(63, 'z')}) {
    EXPECT_NE(Create(Options(name)), nullptr) << name;
  }
  EXPECT_THAT(Files(), ::testing::SizeIs(8));
}

TEST_F(ConsumerStoreTest, AcknowledgeAdvancesTheFloorAndDropsWhatIsAtOrBelowIt) {
  auto store = Create(Options(), 10);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Ack(*store, {12, 15, 11, 9}, 10).ok());  // 9 is below the floor
  EXPECT_EQ(store->state().ack_floor, 10u);
  EXPECT_THAT(store->state().acknowledged, ElementsAre(11, 12, 15));
  ASSERT_TRUE(Ack(*store, {13}, 12).ok());
  EXPECT_EQ(store->state().ack_floor, 12u);
  EXPECT_THAT(store->state().acknowledged, ElementsAre(13, 15));
  // The floor never goes down.
  ASSERT_TRUE(Ack(*store, {17, 3}, 5).ok());
  EXPECT_EQ(store->state().ack_floor, 12u);
  EXPECT_THAT(store->state().acknowledged, ElementsAre(13, 15, 17));
  ASSERT_TRUE(Ack(*store, {}, 15).ok());
  EXPECT_THAT(store->state().acknowledged, ElementsAre(17));
  const ConsumerSnapshot before = store->state();

  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), before);
  EXPECT_EQ(store->state().ack_floor, 15u);
}

TEST_F(ConsumerStoreTest, DeadLettersAreAddedAndRemoved) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  for (int n : {4, 7, 9}) ASSERT_TRUE(AddDead(*store, n, Letter(n)).ok());
  ASSERT_TRUE(Ack(*store, {}, 8).ok());  // dead letters stay below the floor
  ASSERT_TRUE(RemoveDead(*store, {7, 100}).ok());
  ASSERT_TRUE(AddDead(*store, 9, Letter(90)).ok());  // replaced
  ASSERT_EQ(store->state().dead_letters.size(), 2u);
  EXPECT_EQ(store->state().dead_letters.at(4), Letter(4));
  EXPECT_EQ(store->state().dead_letters.at(9), Letter(90));
  const ConsumerSnapshot before = store->state();

  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), before);
  EXPECT_EQ(store->state().dead_letters.at(9).dead_at, Letter(90).dead_at);
}

TEST_F(ConsumerStoreTest, SeekMovesTheFloorEitherWayAndClearsTheAcknowledged) {
  auto store = Create(Options(), 10);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Ack(*store, {12, 14}, 11).ok());
  ASSERT_TRUE(AddDead(*store, 13, Letter(13)).ok());
  ASSERT_TRUE(Seek(*store, 3).ok());
  EXPECT_EQ(store->state().ack_floor, 3u);
  EXPECT_THAT(store->state().acknowledged, IsEmpty());
  EXPECT_EQ(store->state().dead_letters.count(13), 1u);
  ASSERT_TRUE(Ack(*store, {5}, 3).ok());
  const ConsumerSnapshot back = store->state();

  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), back);
  ASSERT_TRUE(Seek(*store, 100).ok());
  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().ack_floor, 100u);
  EXPECT_THAT(store->state().acknowledged, IsEmpty());
}

TEST_F(ConsumerStoreTest, RecordsMadeDuringASyncShareTheNextOne) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  const int syncs_before = env_.calls(EnvOp::kSync);
  power_.HoldSyncs(".journal");
  Dones dones;
  store->Acknowledge({1}, 0, dones.Callback());
  ASSERT_TRUE(power_.WaitForHeldSyncs(1));  // the first record's sync started
  store->Acknowledge({2}, 0, dones.Callback());
  store->AddDeadLetter(3, Letter(3), dones.Callback());
  store->Acknowledge({4}, 0, dones.Callback());
  store->RemoveDeadLetters({3}, dones.Callback());
  store->Seek(10, dones.Callback());
  EXPECT_EQ(dones.size(), 0u);  // nothing is durable yet
  power_.ReleaseSyncs();
  ASSERT_TRUE(dones.WaitFor(6));
  for (const absl::Status& status : dones.results()) EXPECT_TRUE(status.ok()) << status;
  // One sync for the first record, one for the five made during it.
  EXPECT_EQ(env_.calls(EnvOp::kSync) - syncs_before, 2);
  const ConsumerSnapshot state = store->state();
  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), state);
}

TEST_F(ConsumerStoreTest, ManyRecordsInFlightAllBecomeDurable) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  Dones dones;
  constexpr int kRecords = 500;
  for (int i = 1; i <= kRecords; ++i) store->Acknowledge({uint64_t(i) * 2}, 0, dones.Callback());
  ASSERT_TRUE(dones.WaitFor(kRecords));
  for (const absl::Status& status : dones.results()) ASSERT_TRUE(status.ok()) << status;
  EXPECT_LE(env_.calls(EnvOp::kSync), kRecords + 2);
  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().acknowledged.size(), size_t{kRecords});
}

TEST_F(ConsumerStoreTest, PowerCutKeepsEveryConfirmedRecord) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Ack(*store, {5, 6}, 2).ok());
  ASSERT_TRUE(AddDead(*store, 4, Letter(4)).ok());
  const ConsumerSnapshot confirmed = store->state();
  power_.PowerCut();
  store.reset();
  power_.Restart();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), confirmed);
}

// A power cut while a record's sync is in progress, keeping 0 .. all of the
// unsynced bytes: the reopened store has every confirmed record, and the
// unconfirmed one whole or not at all.
TEST_F(ConsumerStoreTest, PowerCutBeforeTheSyncLosesAtMostUnconfirmedRecordsWhole) {
  for (size_t torn : {0, 1, 8, 9, 12, 20, 33, 1000}) {
    SCOPED_TRACE(absl::StrCat("torn bytes: ", torn));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    power_.Forget();
    auto store = Create(Options(), 0);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(Ack(*store, {5, 6}, 2).ok());
    const ConsumerSnapshot confirmed = store->state();
    power_.HoldSyncs(".journal");
    Dones dones;
    store->Acknowledge({7, 8, 9}, 3, dones.Callback());
    ASSERT_TRUE(power_.WaitForHeldSyncs(1));
    const ConsumerSnapshot unconfirmed = store->state();
    power_.PowerCut(torn);
    power_.ReleaseSyncs();
    ASSERT_TRUE(dones.WaitFor(1));
    EXPECT_EQ(dones.results()[0].code(), absl::StatusCode::kUnavailable);
    store.reset();
    power_.Restart();

    store = Open(Options());
    ASSERT_NE(store, nullptr);
    if (torn >= 1000) {
      EXPECT_EQ(store->state(), unconfirmed);
    } else {
      EXPECT_EQ(store->state(), confirmed);
    }
    // The torn bytes are gone: what is recorded now is found again.
    ASSERT_TRUE(Ack(*store, {20}, 3).ok());
    const ConsumerSnapshot after = store->state();
    store.reset();
    store = Open(Options());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->state(), after);
  }
}

TEST_F(ConsumerStoreTest, TornJournalTailIsCutOff) {
  std::vector<uintmax_t> ends;  // the journal's size after each record
  std::vector<ConsumerSnapshot> states;
  {
    auto store = Create(Options(), 0);
    ASSERT_NE(store, nullptr);
    for (uint64_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(Ack(*store, {10 + i}, i).ok());
      ends.push_back(fs::file_size(JournalPath()));
      states.push_back(store->state());
    }
  }
  const std::string journal = ReadBytes(JournalPath());

  // Cut inside the last record, header or payload.
  for (uintmax_t cut : {ends[1] + 1, ends[1] + 8, ends[1] + 9, ends[2] - 1}) {
    SCOPED_TRACE(absl::StrCat("cut at ", cut));
    WriteBytes(JournalPath(), journal.substr(0, cut));
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->state(), states[1]);
    EXPECT_EQ(fs::file_size(JournalPath()), ends[1]);  // truncated away
  }

  // A bad CRC in the very last record.
  std::string bad = journal;
  bad[ends[2] - 1] ^= 0x40;
  WriteBytes(JournalPath(), bad);
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->state(), states[1]);
    EXPECT_EQ(fs::file_size(JournalPath()), ends[1]);
    // New records go where the torn one was, and are found again.
    ASSERT_TRUE(Ack(*store, {30}, 3).ok());
  }
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->state().ack_floor, 3u);
    EXPECT_THAT(store->state().acknowledged, ElementsAre(11, 12, 30));
  }

  // Zeros after the last record (a crash after the file grew).
  WriteBytes(JournalPath(), journal + std::string(4096, '\0'));
  auto store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), states[2]);
  EXPECT_EQ(fs::file_size(JournalPath()), ends[2]);
}

TEST_F(ConsumerStoreTest, CorruptRecordBeforeTheEndIsDataLoss) {
  std::vector<uintmax_t> ends;
  {
    auto store = Create(Options(), 0);
    ASSERT_NE(store, nullptr);
    for (uint64_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(Ack(*store, {10 + i}, i).ok());
      ends.push_back(fs::file_size(JournalPath()));
    }
  }
  std::string journal = ReadBytes(JournalPath());
  journal[ends[0] + 12] ^= 0x01;  // inside the second record's payload
  WriteBytes(JournalPath(), journal);
  const absl::StatusOr<std::unique_ptr<ConsumerStore>> store = ConsumerStore::Open(Options());
  ASSERT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  EXPECT_THAT(std::string(store.status().message()),
              AllOf(HasSubstr(JournalPath()), HasSubstr(absl::StrCat("offset ", ends[0]))));
  EXPECT_EQ(ReadBytes(JournalPath()), journal);  // left as it was

  // A corrupt snapshot too.
  std::string snapshot = ReadBytes(SnapshotPath());
  snapshot[snapshot.size() - 2] ^= 0x01;
  WriteBytes(SnapshotPath(), snapshot);
  const absl::Status status = ConsumerStore::Open(Options()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(SnapshotPath()));
}

TEST_F(ConsumerStoreTest, FailedSyncFailsItsRecordAndEveryLaterOne) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(Ack(*store, {5}, 1).ok());
  const ConsumerSnapshot confirmed = store->state();

  env_.Inject({.op = EnvOp::kSync, .error = EIO, .path_contains = ".journal"});
  const absl::Status failed = Ack(*store, {6}, 1);
  EXPECT_EQ(env_.injected(EnvOp::kSync), 1);
  ASSERT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(std::string(failed.message()),
              AllOf(HasSubstr("records nothing more until reopened"), HasSubstr("cannot fdatasync"),
                    HasSubstr(JournalPath()), HasSubstr("Input/output error")));
  // Fail-stop: later records are refused without touching the disk, though
  // the state has them.
  env_.ClearFaults();
  const int writes = env_.calls(EnvOp::kWrite);
  const int syncs = env_.calls(EnvOp::kSync);
  EXPECT_EQ(AddDead(*store, 7, Letter(7)), failed);
  EXPECT_EQ(Seek(*store, 0), failed);
  EXPECT_EQ(env_.calls(EnvOp::kWrite), writes);
  EXPECT_EQ(env_.calls(EnvOp::kSync), syncs);
  EXPECT_EQ(store->state().ack_floor, 0u);
  EXPECT_EQ(store->state().dead_letters.count(7), 1u);

  // A reopen has every confirmed record; the failed one was written before
  // its sync failed, so it is there too.
  store.reset();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().ack_floor, 1u);
  EXPECT_THAT(store->state().acknowledged, ElementsAre(5, 6));
  EXPECT_THAT(store->state().dead_letters, IsEmpty());
  ASSERT_TRUE(Ack(*store, {8}, 1).ok());
}

TEST_F(ConsumerStoreTest, FailedWriteFailsTheRecordAndShortWritesAreCompleted) {
  auto store = Create(Options(), 0);
  ASSERT_NE(store, nullptr);
  env_.Inject({.op = EnvOp::kWrite, .error = 0, .short_write = 3, .times = 20});
  ASSERT_TRUE(Ack(*store, {5, 6, 7}, 1).ok());
  EXPECT_GT(env_.injected(EnvOp::kWrite), 1);
  const ConsumerSnapshot confirmed = store->state();

  env_.Inject({.op = EnvOp::kWrite, .error = ENOSPC});
  const absl::Status failed = Ack(*store, {8}, 1);
  ASSERT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(std::string(failed.message()),
              AllOf(HasSubstr("cannot write"), HasSubstr("No space left on device")));
  EXPECT_EQ(Ack(*store, {9}, 1), failed);

  store.reset();
  env_.ClearFaults();
  store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), confirmed);
}

TEST_F(ConsumerStoreTest, CompactionKeepsTheJournalSmallAndTheStateWhole) {
  ConsumerStore::Options options = Options();
  options.compact_bytes = 300;
  auto store = Create(options, 0);
  ASSERT_NE(store, nullptr);
  const std::string first_snapshot = ReadBytes(SnapshotPath());
  for (uint64_t i = 1; i <= 100; ++i) {
    ASSERT_TRUE(Ack(*store, {i * 3 + 1, i * 3 + 2}, i * 3).ok());
    if (i % 10 == 0) {
      ASSERT_TRUE(AddDead(*store, i, Letter(static_cast<int>(i))).ok());
    }
    if (i % 25 == 0) {
      ASSERT_TRUE(RemoveDead(*store, {i - 10}).ok());
    }
    if (i == 50) {
      ASSERT_TRUE(Seek(*store, 10).ok());
    }
  }
  const ConsumerSnapshot state = store->state();
  // A compaction runs after the record that triggered it is confirmed; the
  // destructor waits for it.
  store.reset();
  EXPECT_LE(fs::file_size(JournalPath()), 300u + 64u);
  EXPECT_NE(ReadBytes(SnapshotPath()), first_snapshot);
  EXPECT_THAT(Files(), ElementsAre("orders.journal", "orders.snapshot"));
  store = Open(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), state);
}

// Compaction's crash window: the new snapshot is renamed into place, and
// the power goes before the journal is started afresh. The old journal,
// whose records the snapshot already holds, is discarded on reopen.
TEST_F(ConsumerStoreTest, CrashBetweenTheSnapshotRenameAndTheJournalReset) {
  ConsumerStore::Options options = Options();
  options.compact_bytes = 200;
  auto store = Create(options, 0);
  ASSERT_NE(store, nullptr);
  // The journal's replacement cannot even be created.
  env_.Inject({.op = EnvOp::kNewWritableFile, .error = EIO, .path_contains = ".journal.tmp"});
  // Records until one fails: the one after the record that triggered the
  // compaction (which is confirmed before the compaction starts).
  ConsumerSnapshot confirmed = store->state();
  absl::Status failed;
  for (uint64_t i = 1; failed.ok(); ++i) {
    ASSERT_LT(i, 100u) << "no compaction";
    failed = i % 2 == 0   ? AddDead(*store, i, Letter(static_cast<int>(i)))
             : i % 5 == 0 ? Seek(*store, 1)
                          : Ack(*store, {i * 2 + 1}, i * 2);
    if (failed.ok()) confirmed = store->state();
  }
  EXPECT_EQ(env_.injected(EnvOp::kNewWritableFile), 1);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(std::string(failed.message()), HasSubstr(".journal.tmp"));
  EXPECT_NE(ReadBytes(SnapshotPath()).size(), 0u);
  const std::string stale_journal = ReadBytes(JournalPath());
  power_.PowerCut();
  store.reset();
  power_.Restart();
  env_.ClearFaults();
  EXPECT_EQ(ReadBytes(JournalPath()), stale_journal);

  store = Open(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), confirmed);
  EXPECT_LT(fs::file_size(JournalPath()), 64u);  // started afresh
  ASSERT_TRUE(Ack(*store, {2000}, 0).ok());
  const ConsumerSnapshot after = store->state();
  store.reset();
  store = Open(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state(), after);
}

// A power cut at every step of a compaction (and of the records around it):
// the reopened store is the state after some record at or after the last
// confirmed one, never anything else.
TEST_F(ConsumerStoreTest, PowerCutAtAnyStepOfACompaction) {
  ConsumerStore::Options options = Options();
  options.compact_bytes = 150;
  bool cut = true;
  for (int step = 0; cut; ++step) {
    SCOPED_TRACE(absl::StrCat("power cut at step ", step));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    power_.Forget();
    auto store = Create(options, 0);
    ASSERT_NE(store, nullptr);
    const std::string created = ReadBytes(SnapshotPath());
    std::vector<ConsumerSnapshot> states = {store->state()};
    size_t confirmed = 0;
    power_.CutAfter(step, /*torn_bytes=*/5);
    for (uint64_t i = 1; i <= 12; ++i) {
      absl::Status status = i % 4 == 0 ? AddDead(*store, i, Letter(static_cast<int>(i)))
                            : i == 6   ? Seek(*store, 2)
                                       : Ack(*store, {i + 10}, i);
      states.push_back(store->state());
      if (status.ok()) confirmed = states.size() - 1;
    }
    cut = power_.cut();
    power_.PowerCut();
    store.reset();
    power_.Restart();
    // The last run, without a cut, compacted (twice): every step of it was
    // a place to cut.
    if (!cut) {
      EXPECT_NE(ReadBytes(SnapshotPath()), created);
    }

    store = Open(options);
    ASSERT_NE(store, nullptr);
    bool found = false;
    for (size_t k = confirmed; k < states.size(); ++k) found |= store->state() == states[k];
    EXPECT_TRUE(found) << ::testing::PrintToString(store->state()) << " confirmed "
                       << ::testing::PrintToString(states[confirmed]);
    ASSERT_LT(step, 500);
  }
}

TEST_F(ConsumerStoreTest, ListAndRemove) {
  EXPECT_THAT(*ConsumerStore::List(&env_, dir_), IsEmpty());
  EXPECT_THAT(*ConsumerStore::List(&env_, dir_ + "/missing"), IsEmpty());
  for (const char* name : {"b", "a", "c-1"}) ASSERT_NE(Create(Options(name)), nullptr);
  // Not consumers: temp files, journals alone, invalid names.
  WriteBytes(dir_ + "/d.snapshot.tmp", "x");
  WriteBytes(dir_ + "/e.journal", "x");
  WriteBytes(dir_ + "/Bad.snapshot", "x");
  EXPECT_THAT(*ConsumerStore::List(&env_, dir_), ElementsAre("a", "b", "c-1"));

  ASSERT_TRUE(ConsumerStore::Remove(Options("b")).ok());
  EXPECT_THAT(*ConsumerStore::List(&env_, dir_), ElementsAre("a", "c-1"));
  EXPECT_FALSE(fs::exists(SnapshotPath("b")));
  EXPECT_FALSE(fs::exists(JournalPath("b")));
  EXPECT_EQ(ConsumerStore::Open(Options("b")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ConsumerStore::Remove(Options("b")).code(), absl::StatusCode::kNotFound);
  // A removed consumer can be created again, from nothing.
  auto store = Create(Options("b"), 7);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().ack_floor, 7u);
  EXPECT_THAT(store->state().acknowledged, IsEmpty());

  env_.Inject({.op = EnvOp::kGetChildren, .error = EACCES});
  EXPECT_EQ(ConsumerStore::List(&env_, dir_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(env_.injected(EnvOp::kGetChildren), 1);
}

// A journal left by a Remove interrupted after the snapshot went does not
// leak into a consumer created later under the same name.
TEST_F(ConsumerStoreTest, LeftoverJournalOfARemovedConsumerIsNotReplayed) {
  {
    auto store = Create(Options(), 0);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(Ack(*store, {50}, 40).ok());
  }
  const std::string journal = ReadBytes(JournalPath());
  ASSERT_TRUE(ConsumerStore::Remove(Options()).ok());
  WriteBytes(JournalPath(), journal);
  EXPECT_THAT(*ConsumerStore::List(&env_, dir_), IsEmpty());
  {
    auto store = Create(Options(), 3);
    ASSERT_NE(store, nullptr);
  }
  auto store = Open(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->state().ack_floor, 3u);
  EXPECT_THAT(store->state().acknowledged, IsEmpty());
}

}  // namespace
}  // namespace hookbridge
