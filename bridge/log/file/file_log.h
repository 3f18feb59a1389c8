// The durable event log: append-only segment files in one directory, for a
// single node. The default backend.
//
// Writes: Append assigns the sequence and queues the record; one writer
// thread writes whatever is queued with one write and, with `fsync: always`,
// one fdatasync for the whole group (group commit), then acknowledges every
// append of the group. A record becomes visible to readers when it is
// acknowledged, so a subscriber never sees an event that a crash could
// still take back.
//
// Readers waiting for more are told by a thread of their own, never by the
// writer: however many there are (and however slowly one reacts), group
// commit does not wait for them.
//
// Reads: the most recent records are served from memory; older ones are
// read from the segment files with pread, starting from a sparse index, so
// catch-up readers seek without scanning and never hold the lock that
// appends need for more than a lookup.
//
// Faults: a write or fdatasync error fails the appends of its group (503 to
// their senders, who retry) and every later one, and what the group wrote
// is removed at once (the last acknowledged segment truncated back to what
// was acknowledged, segments started since deleted): after a failed
// fdatasync the kernel may report the pages clean without them being on
// disk, so nothing written since the last good sync is trusted, and a
// retried delivery is never answered `duplicate` for a record that may be
// lost. The log then takes appends again after a pause (1 s, doubling with
// each failure in a row up to 30 s), in a new segment, so it recovers by
// itself once the fault clears (disk space freed, a transient EIO). If the
// failed bytes cannot be removed, it keeps trying and after
// kMaxDiscardAttempts asks for a restart (LogStats.restart_needed: /healthz
// fails).
//
// Retention deletes whole segments (never the one being written), by total
// size and by age. Ages and records' appended_at times are by the log's
// clock: the wall clock when the log was opened, advanced by the clock that
// never steps, so a wall clock set forward (and back again) neither deletes
// every closed segment at once nor leaves appended_at pinned in the
// future; a record's appended_at is its receive time, but never later than
// the log's clock and never earlier than the record before it. Pauses
// (interval syncs, retention checks, recovery) go by the clock that never
// steps. Recovery at Open() checks every frame's CRC: a torn last
// record is truncated away; a corrupt record elsewhere is skipped, counted
// and reported, and the sequences of the records around it are kept (they
// are stored in the frames), so nothing is ever renumbered.
#ifndef HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_LOG_H_
#define HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_LOG_H_

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"
#include "bridge/log/event_log.h"
#include "bridge/log/file/record_format.h"
#include "bridge/log/tail_window.h"

namespace hookbridge {

class FileLog : public EventLog {
 public:
  enum class Fsync {
    kAlways,    // acknowledge after fdatasync (group commit)
    kInterval,  // acknowledge after the next periodic fdatasync
    kNever,     // acknowledge after write(2); for tests and throwaway data
  };

  // The `file` backend's options: what `log:` configures (its keys are in
  // file_backend.h) with their defaults, which are hookbridge's defaults.
  struct Options {
    // The directory of the segment files (`log.dir`).
    std::string dir = "data/log";
    // Every file operation and clock reading goes through it; null means
    // Env::Default(). Not owned; must outlive the log.
    Env* env = nullptr;
    Fsync fsync = Fsync::kAlways;
    absl::Duration fsync_interval = absl::Milliseconds(100);
    // A new segment file is started when the current one would grow past
    // this.
    uint64_t segment_bytes = 64ull << 20;
    // Retention (`log.retention.bytes`, `.age`): whole segments beyond
    // these are deleted, oldest first; 0 / InfiniteDuration() mean no limit.
    uint64_t retention_bytes = 10ull << 30;
    absl::Duration retention_age = absl::Hours(24 * 7);
    // Recent records kept in memory for readers.
    uint64_t tail_cache_bytes = 64ull << 20;
    // One sparse index entry per this many bytes of segment.
    uint64_t index_interval_bytes = 64 << 10;
    // Largest record accepted when reading (bigger lengths are corruption),
    // and so the largest the ingress lets through (max_record_bytes()).
    uint64_t max_record_bytes = 256ull << 20;
  };

  // What recovery found.
  struct Recovery {
    uint64_t segments = 0;
    uint64_t records = 0;
    // Corrupt regions skipped inside the log, and their bytes.
    uint64_t corrupt_records = 0;
    uint64_t corrupt_bytes = 0;
    // Bytes cut from the end of the last segment (a torn final write).
    uint64_t truncated_bytes = 0;
    // Closed segments taken from their summary (.idx) instead of read.
    uint64_t summaries_used = 0;
    // Human-readable findings, one per problem, for the process log.
    std::vector<std::string> findings;
  };

  // Opens (creating if needed) the log in options.dir and recovers it.
  // FailedPrecondition if the directory cannot be used or a segment cannot
  // be read.
  static absl::StatusOr<std::unique_ptr<FileLog>> Open(Options options);

  // Attempts at removing what a failure wrote before the log asks for a
  // restart.
  static constexpr int kMaxDiscardAttempts = 5;

  // Completes every queued append, then stops the writer.
  ~FileLog() override;

  const Recovery& recovery() const { return recovery_; }

  void Append(EncodedEvent event, AppendCallback done) override;
  // Serves reads the tail cache covers, and those at or past the end.
  std::optional<absl::Status> ReadIfCached(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                                           const std::shared_ptr<LogWaiter>& waiter) override;
  // Selects nothing itself; without selector.raw_bodies, the records read
  // from a segment come without their raw body (no copy of it is made).
  absl::Status ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                            std::vector<RecordPtr>* out, uint64_t* through,
                            const std::shared_ptr<LogWaiter>& waiter) override;
  absl::Status Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                    const std::shared_ptr<LogWaiter>& waiter) override;
  absl::StatusOr<uint64_t> PositionAt(absl::Time since) override;
  LogStats Stats() override;
  // Retention by age spares segments holding `sequence` or later.
  void HoldFrom(uint64_t sequence) override {
    hold_from_.store(sequence, std::memory_order_relaxed);
  }
  // State files: <dir>/<name>.state, written aside, synced and renamed.
  absl::Status SaveState(absl::string_view name, absl::string_view bytes) override;
  absl::StatusOr<std::string> LoadState(absl::string_view name) override;
  // Options::max_record_bytes: recovery reads a longer record as corrupt.
  uint64_t max_record_bytes() const override { return options_.max_record_bytes; }

 private:
  struct Segment;
  struct Pending {
    RecordPtr record;
    AppendCallback done;
    std::shared_ptr<Segment> segment;  // set by the writer
    uint64_t offset = 0;               // frame offset in the segment
  };

  explicit FileLog(Options options);
  absl::Status Recover();
  // The writer thread; its periodic work is scheduled from `start` (by the
  // Env's monotonic clock).
  void WriterLoop(absl::Time start);
  // The wall clock at Open, advanced by the monotonic clock since.
  absl::Time LogClock() const;
  // Writes `batch` to the segment files (rolling as needed). Writer thread.
  absl::Status WriteBatch(std::vector<Pending>* batch);
  absl::Status SyncActive();
  // Makes written (and synced) records visible and acknowledges them.
  void Publish(std::vector<Pending>* batch);
  // Fails `batch`, everything queued and every later append with
  // `status` until the log recovers, and removes what was written since the
  // last acknowledged record. Writer thread.
  void Fail(std::vector<Pending>* batch, const absl::Status& status);
  // Removes what was written and not acknowledged. Writer thread.
  absl::Status Discard();
  // Takes appends again once what failed is discarded. Writer thread.
  void TryRecovery(absl::Time now);
  // The summary beside a closed segment (record_format.h): read (false if
  // there is none or it does not decode), written (best effort).
  bool ReadSummary(const std::string& segment_path, SegmentSummary* summary) const;
  void WriteSummary(const std::string& segment_path, const SegmentSummary& summary);
  void WriteSummary(const Segment& segment);
  // Removes a segment (retention) and its summary.
  void RemoveSegment(const std::string& path);
  void ApplyRetentionLocked(std::vector<std::shared_ptr<Segment>>* removed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t FirstSequenceLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The part of a read that needs no segment: its checks, the end of the
  // log and the tail cache. nullopt when the records must be read from a
  // segment.
  std::optional<absl::Status> ReadFromMemoryLocked(uint64_t after, size_t max,
                                                   std::vector<RecordPtr>* out,
                                                   const std::shared_ptr<LogWaiter>& waiter)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads records after `after` from `segment` between `offset` and `end`;
  // `*last` and `*next` are set to the last record's sequence and the
  // offset after it. `raw_bodies`: as ReadSelector::raw_bodies.
  absl::Status ReadSegment(const Segment& segment, uint64_t offset, uint64_t end,
                           const std::vector<std::pair<uint64_t, uint64_t>>& skips, uint64_t after,
                           size_t max, bool raw_bodies, std::vector<RecordPtr>* out, uint64_t* last,
                           uint64_t* next) const;
  // Read, with or without raw bodies for what comes from a segment.
  absl::Status ReadRecords(uint64_t after, size_t max, bool raw_bodies, std::vector<RecordPtr>* out,
                           const std::shared_ptr<LogWaiter>& waiter);

  const Options options_;
  Env* const env_;
  // LogClock()'s anchor: the wall and monotonic clocks at Open.
  const absl::Time wall_anchor_;
  const absl::Time monotonic_anchor_;
  Recovery recovery_;
  // options_.dir, kept open to sync the creation of segments.
  std::unique_ptr<Directory> dir_;

  absl::Mutex mu_;
  absl::CondVar writer_wake_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_appended_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::optional<absl::Time> last_evicted_at_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Segment>> segments_ ABSL_GUARDED_BY(mu_);
  // Where reads from the segment files ended, by the last sequence read
  // (slot sequence % kReadHints), for the next read after it. `segment`
  // only identifies a segment (one deleted since matches none).
  struct ReadHint {
    std::weak_ptr<const Segment> segment;
    uint64_t after = 0;
    uint64_t offset = 0;
  };
  static constexpr size_t kReadHints = 256;
  std::array<ReadHint, kReadHints> hints_ ABSL_GUARDED_BY(mu_);
  // The newest committed records, for readers.
  TailWindow cache_ ABSL_GUARDED_BY(mu_);
  LogWaiters waiters_ ABSL_GUARDED_BY(mu_);
  uint64_t total_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t total_records_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> hold_from_{UINT64_MAX};
  // Set by a write or sync error; every append gets it until the log
  // recovers.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool restart_needed_ ABSL_GUARDED_BY(mu_) = false;

  // Writer thread only.
  // Failures since the last acknowledged append (the pause before taking
  // appends again doubles with each), and whether what the last one wrote
  // is discarded, tries at that, and when to try again.
  int failures_in_a_row_ = 0;
  bool discarded_ = true;
  int discard_attempts_ = 0;
  absl::Time next_recovery_ = absl::InfiniteFuture();
  // Segment files created since the last acknowledged append.
  std::vector<std::string> unpublished_;
  std::shared_ptr<Segment> active_;
  std::unique_ptr<WritableFile> active_file_;
  uint64_t active_size_ = 0;
  std::string frame_buffer_;
  std::thread writer_;

  // Waiters to tell that the log grew, for the notifier thread.
  absl::Mutex notify_mu_;
  absl::CondVar notify_wake_;
  std::vector<std::shared_ptr<LogWaiter>> to_notify_ ABSL_GUARDED_BY(notify_mu_);
  bool notify_stop_ ABSL_GUARDED_BY(notify_mu_) = false;
  std::thread notifier_;
  void NotifierLoop();
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_LOG_H_
