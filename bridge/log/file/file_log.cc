#include "bridge/log/file/file_log.h"

#include <algorithm>
#include <filesystem>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "bridge/check.h"
#include "bridge/log/file/record_format.h"
#include "bridge/status_macros.h"
#include "bridge/thread_name.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kSegmentPrefix = "segment-";
constexpr absl::string_view kSegmentSuffix = ".log";
// How often retention by age is applied when nothing is appended.
constexpr absl::Duration kRetentionCheckInterval = absl::Seconds(10);
// Bytes read at a time by catch-up readers.
constexpr size_t kReadChunk = 256 << 10;
// Catch-up readers ask the OS to read this far ahead of them (posix_fadvise
// WILLNEED), so that reading from disk overlaps with sending.
constexpr uint64_t kPrefetchStep = 1 << 20;
constexpr size_t kPrefetchBytes = 8 << 20;

// "<what> <path>: <reason>", from an Env error ("<path>: <reason>").
std::string Failed(absl::string_view what, const absl::Status& status) {
  return absl::StrCat(what, " ", status.message());
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// How long until `every` has passed since `last`, by a clock that reads
// `now`; nothing is left when the clock was set back behind `last`, so that
// a jump back does not hold periodic work back for as long as it jumped.
absl::Duration TimeLeft(absl::Time now, absl::Time last, absl::Duration every) {
  return now < last ? absl::ZeroDuration() : last + every - now;
}

std::string SegmentName(uint64_t first_sequence) {
  return absl::StrFormat("%s%020d%s", kSegmentPrefix, first_sequence, kSegmentSuffix);
}

constexpr absl::string_view kSummarySuffix = ".idx";

// The summary file beside the segment at `segment_path`.
std::string SummaryPath(absl::string_view segment_path) {
  absl::ConsumeSuffix(&segment_path, kSegmentSuffix);
  return absl::StrCat(segment_path, kSummarySuffix);
}

// Writes all of `data`, continuing after short writes.
absl::Status WriteAll(WritableFile& file, absl::string_view data) {
  while (!data.empty()) {
    absl::StatusOr<size_t> n = file.Write(data);
    if (!n.ok()) return absl::UnavailableError(Failed("cannot write", n.status()));
    HB_CHECK(*n > 0 && *n <= data.size());  // the Env's contract
    data.remove_prefix(*n);
  }
  return absl::OkStatus();
}

// Reads exactly `size` bytes at `offset` of `file` (at `path`) into `out`.
// OUT_OF_RANGE if the file ends first.
absl::Status ReadAt(const RandomAccessFile& file, const std::string& path, uint64_t offset,
                    size_t size, std::string* out) {
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    absl::StatusOr<size_t> n = file.Read(offset + done, size - done, out->data() + done);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::OutOfRangeError(absl::StrCat(path, ": unexpected end of file"));
    done += *n;
  }
  return absl::OkStatus();
}

// Reads exactly `size` bytes at `offset` of `file` into `out`.
absl::Status ReadExactly(const RandomAccessFile& file, const std::string& path, uint64_t offset,
                         size_t size, char* out) {
  size_t done = 0;
  while (done < size) {
    absl::StatusOr<size_t> n = file.Read(offset + done, size - done, out + done);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::OutOfRangeError(absl::StrCat(path, ": unexpected end of file"));
    done += *n;
  }
  return absl::OkStatus();
}

// A reader thread's buffer for segment reads, kept from one read to the
// next, so that a catch-up read neither allocates nor clears its chunk.
// One grown for a large record is given back after the read.
class ReadBuffer {
 public:
  char* Reserve(size_t size) {
    if (size > capacity_) {
      data_.reset(new char[size]);
      capacity_ = size;
    }
    return data_.get();
  }
  void Trim() {
    if (capacity_ > 4 * kReadChunk) {
      data_.reset();
      capacity_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};
thread_local ReadBuffer read_buffer;

// The offset of the next valid frame at or after `from` whose sequence is
// above `last_sequence`, or npos.
size_t Resync(absl::string_view data, size_t from, uint64_t last_sequence, uint64_t max_payload) {
  for (size_t p = from; p + kFrameHeaderSize <= data.size(); ++p) {
    const FrameHeader h = DecodeFrameHeader(data.substr(p));
    // Cheap plausibility checks before the CRC.
    if (h.sequence <= last_sequence || h.payload_size > max_payload ||
        h.event_size > h.payload_size || p + kFrameHeaderSize + h.payload_size > data.size()) {
      continue;
    }
    FrameHeader checked;
    if (CheckFrame(data.substr(p), max_payload, &checked) == FrameStatus::kOk) return p;
  }
  return absl::string_view::npos;
}

}  // namespace

struct FileLog::Segment {
  struct IndexEntry {
    uint64_t sequence;
    uint64_t offset;
    absl::Time appended_at;
  };

  std::string path;
  // The sequence in its file name: that of the first record written to it
  // (which recovery may have found corrupt and skipped).
  uint64_t name_sequence = 0;
  std::unique_ptr<RandomAccessFile> file;  // for readers
  // The rest is guarded by FileLog::mu_ once the segment is published.
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t records = 0;
  uint64_t size = 0;  // readable bytes, magic included
  absl::Time first_appended_at;
  absl::Time last_appended_at;
  std::vector<IndexEntry> index;
  // Corrupt byte ranges found by recovery, skipped by readers.
  std::vector<std::pair<uint64_t, uint64_t>> skips;

  void Add(uint64_t sequence, uint64_t offset, uint64_t frame_size, absl::Time appended_at,
           uint64_t index_interval) {
    if (records == 0) {
      first_sequence = sequence;
      first_appended_at = appended_at;
    }
    if (index.empty() || offset - index.back().offset >= index_interval) {
      index.push_back({sequence, offset, appended_at});
    }
    last_sequence = sequence;
    last_appended_at = appended_at;
    ++records;
    size = offset + frame_size;
  }

  SegmentSummary Summary() const {
    SegmentSummary out;
    out.segment = name_sequence;
    out.size = size;
    out.records = records;
    out.first_sequence = first_sequence;
    out.last_sequence = last_sequence;
    out.first_appended_at_nanos = absl::ToUnixNanos(first_appended_at);
    out.last_appended_at_nanos = absl::ToUnixNanos(last_appended_at);
    out.index.reserve(index.size());
    for (const IndexEntry& e : index) {
      out.index.push_back({e.sequence, e.offset, absl::ToUnixNanos(e.appended_at)});
    }
    out.skips = skips;
    return out;
  }

  void Restore(const SegmentSummary& summary) {
    size = summary.size;
    records = summary.records;
    first_sequence = summary.first_sequence;
    last_sequence = summary.last_sequence;
    first_appended_at = absl::FromUnixNanos(summary.first_appended_at_nanos);
    last_appended_at = absl::FromUnixNanos(summary.last_appended_at_nanos);
    index.clear();
    index.reserve(summary.index.size());
    for (const SegmentSummary::Entry& e : summary.index) {
      index.push_back({e.sequence, e.offset, absl::FromUnixNanos(e.appended_at_nanos)});
    }
    skips = summary.skips;
  }

  // The offset to start reading at to find the first record after `after`.
  uint64_t SeekAfter(uint64_t after) const {
    auto it = std::upper_bound(index.begin(), index.end(), after + 1,
                               [](uint64_t s, const IndexEntry& e) { return s < e.sequence; });
    return it == index.begin() ? kSegmentMagic.size() : std::prev(it)->offset;
  }
};

absl::StatusOr<std::unique_ptr<FileLog>> FileLog::Open(Options options) {
  std::unique_ptr<FileLog> log(new FileLog(std::move(options)));
  if (absl::Status s = log->Recover(); !s.ok()) return s;
  log->notifier_ = std::thread([raw = log.get()] {
    NameThisThread("hb-log-notify");
    raw->NotifierLoop();
  });
  log->writer_ = std::thread([raw = log.get(), start = log->env_->NowMonotonic()] {
    NameThisThread("hb-log-write");
    raw->WriterLoop(start);
  });
  return log;
}

FileLog::FileLog(Options options)
    : options_(std::move(options)),
      env_(EnvOrDefault(options_.env)),
      wall_anchor_(env_->NowTime()),
      monotonic_anchor_(env_->NowMonotonic()),
      cache_(options_.tail_cache_bytes) {}

FileLog::~FileLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    writer_wake_.Signal();
  }
  if (writer_.joinable()) writer_.join();
  {
    absl::MutexLock lock(&notify_mu_);
    notify_stop_ = true;
    notify_wake_.Signal();
  }
  if (notifier_.joinable()) notifier_.join();
}

absl::Status FileLog::Recover() {
  if (absl::Status s = env_->CreateDirs(options_.dir); !s.ok()) {
    return absl::FailedPreconditionError(Failed("log.dir: cannot create", s));
  }
  absl::StatusOr<std::unique_ptr<Directory>> dir = env_->NewDirectory(options_.dir);
  if (!dir.ok()) {
    return absl::FailedPreconditionError(Failed("log.dir: cannot open", dir.status()));
  }
  dir_ = *std::move(dir);

  // Filled without the lock (no other thread exists yet), then published
  // under it.
  std::deque<std::shared_ptr<Segment>> recovered;
  std::vector<std::pair<uint64_t, std::string>> files;
  absl::StatusOr<std::vector<std::string>> children = env_->GetChildren(options_.dir);
  if (!children.ok()) {
    return absl::FailedPreconditionError(Failed("log.dir: cannot list", children.status()));
  }
  for (const std::string& filename : *children) {
    absl::string_view name = filename;
    uint64_t base = 0;
    if (absl::ConsumePrefix(&name, kSegmentPrefix) && absl::ConsumeSuffix(&name, kSegmentSuffix) &&
        name.size() == 20 && absl::SimpleAtoi(name, &base)) {
      files.emplace_back(base, JoinPath(options_.dir, filename));
    }
  }
  std::sort(files.begin(), files.end());

  // Summaries without their segment (a crash between the removals) go.
  {
    absl::flat_hash_set<std::string> segment_paths;
    for (const auto& [base, path] : files) segment_paths.insert(SummaryPath(path));
    for (const std::string& filename : *children) {
      if (!absl::EndsWith(filename, kSummarySuffix) && !absl::EndsWith(filename, ".idx.tmp")) {
        continue;
      }
      const std::string path = JoinPath(options_.dir, filename);
      if (!segment_paths.contains(path)) env_->RemoveFile(path).IgnoreError();
    }
  }

  uint64_t last_sequence = 0;
  // Whether appends may continue in the last segment recovered: only if it
  // is the last file and was read without finding corrupt data. Otherwise
  // (files after it were set aside, or it has corrupt data) a new record
  // written after that data could be taken for part of it by the next
  // recovery: appends start a new segment.
  bool continue_last = false;
  std::string data;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i].second;
    const bool last_file = i + 1 == files.size();
    absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env_->NewRandomAccessFile(path);
    absl::StatusOr<uint64_t> size = file.ok() ? (*file)->Size() : file.status();
    if (!size.ok()) return absl::FailedPreconditionError(Failed("log: cannot read", size.status()));
    // A closed segment with a summary that matches it is not read again.
    if (!last_file) {
      SegmentSummary summary;
      // Its own (the name gives the first sequence), its size, and after
      // the segments before it.
      if (ReadSummary(path, &summary) && summary.segment == files[i].first &&
          summary.size == *size && summary.first_sequence > last_sequence) {
        auto segment = std::make_shared<Segment>();
        segment->path = path;
        segment->name_sequence = files[i].first;
        segment->file = *std::move(file);
        segment->Restore(summary);
        last_sequence = segment->last_sequence;
        // Corrupt ranges found when it was read are still skipped, and
        // still reported.
        for (const auto& [begin, end] : segment->skips) {
          ++recovery_.corrupt_records;
          recovery_.corrupt_bytes += end - begin;
          recovery_.findings.push_back(absl::StrCat("corrupt data in ", path, " at offset ", begin,
                                                    ": skipped ", end - begin, " bytes"));
        }
        ++recovery_.segments;
        ++recovery_.summaries_used;
        recovery_.records += segment->records;
        recovered.push_back(std::move(segment));
        continue_last = false;
        continue;
      }
    }
    const absl::Status read = ReadAt(**file, path, 0, static_cast<size_t>(*size), &data);
    if (!read.ok()) return absl::FailedPreconditionError(Failed("log: cannot read", read));
    if (data.size() < kSegmentMagic.size() || !absl::StartsWith(data, kSegmentMagic)) {
      file->reset();
      // Failures to remove or rename are left for the next recovery.
      if (last_file && absl::StartsWith(kSegmentMagic, data)) {
        // Created but not even its header written before a crash.
        recovery_.truncated_bytes += data.size();
        recovery_.findings.push_back(absl::StrCat("removed empty segment ", path));
        env_->RemoveFile(path).IgnoreError();
      } else {
        ++recovery_.corrupt_records;
        recovery_.corrupt_bytes += data.size();
        recovery_.findings.push_back(
            absl::StrCat(path, " is not a hookbridge log segment; renamed to .corrupt"));
        env_->RenameFile(path, path + ".corrupt").IgnoreError();
      }
      continue;
    }

    auto segment = std::make_shared<Segment>();
    segment->path = path;
    segment->name_sequence = files[i].first;
    segment->file = *std::move(file);
    segment->size = kSegmentMagic.size();
    size_t pos = kSegmentMagic.size();
    while (pos < data.size()) {
      FrameHeader h;
      const FrameStatus status =
          CheckFrame(absl::string_view(data).substr(pos), options_.max_record_bytes, &h);
      if (status == FrameStatus::kOk && h.sequence > last_sequence) {
        segment->Add(h.sequence, pos, kFrameHeaderSize + h.payload_size,
                     absl::FromUnixNanos(h.appended_at_nanos), options_.index_interval_bytes);
        last_sequence = h.sequence;
        pos += kFrameHeaderSize + h.payload_size;
        continue;
      }
      const size_t next = Resync(data, pos + 1, last_sequence, options_.max_record_bytes);
      if (next == absl::string_view::npos && last_file) {
        // A write cut short by a crash: never acknowledged, so cut it off.
        const uint64_t cut = data.size() - pos;
        recovery_.truncated_bytes += cut;
        recovery_.findings.push_back(absl::StrCat("torn record at the end of ", path,
                                                  ": truncated ", cut, " bytes at offset ", pos));
        if (absl::Status s = env_->TruncateFile(path, pos); !s.ok()) {
          return absl::FailedPreconditionError(Failed("log: cannot truncate", s));
        }
        break;
      }
      const size_t end = next == absl::string_view::npos ? data.size() : next;
      ++recovery_.corrupt_records;
      recovery_.corrupt_bytes += end - pos;
      recovery_.findings.push_back(absl::StrCat("corrupt data in ", path, " at offset ", pos,
                                                ": skipped ", end - pos, " bytes after sequence ",
                                                last_sequence));
      segment->skips.emplace_back(pos, end);
      segment->size = end;
      pos = end;
    }
    if (segment->records == 0) {
      // Nothing readable; a new segment is created on the next append.
      recovery_.findings.push_back(absl::StrCat("removed segment without records ", path));
      env_->RemoveFile(path).IgnoreError();
      continue;
    }
    ++recovery_.segments;
    recovery_.records += segment->records;
    // Read in full; closed, it will not change: the next start need not.
    if (!last_file) WriteSummary(*segment);
    continue_last = last_file && segment->skips.empty();
    recovered.push_back(std::move(segment));
  }

  // A segment named after a sequence above its first record (only files
  // that were tampered with) takes the name of its first record: the next
  // segment is named after the next sequence, which must never be an
  // existing file's name. Names and first records rise together, so in
  // order no new name is taken.
  for (const std::shared_ptr<Segment>& segment : recovered) {
    if (segment->name_sequence <= segment->first_sequence) continue;
    const std::string renamed = JoinPath(options_.dir, SegmentName(segment->first_sequence));
    if (absl::Status s = env_->RenameFile(segment->path, renamed); !s.ok()) {
      return absl::FailedPreconditionError(Failed("log: cannot rename", s));
    }
    env_->RemoveFile(SummaryPath(segment->path)).IgnoreError();
    recovery_.findings.push_back(
        absl::StrCat("renamed ", segment->path, " to ", renamed, ", after its first record"));
    segment->path = renamed;
    segment->name_sequence = segment->first_sequence;
    if (segment != recovered.back()) WriteSummary(*segment);
  }

  absl::MutexLock lock(&mu_);
  segments_ = std::move(recovered);
  next_sequence_ = last_sequence + 1;
  committed_ = last_sequence;
  for (const auto& segment : segments_) {
    total_bytes_ += segment->size;
    total_records_ += segment->records;
  }
  if (!segments_.empty()) last_appended_at_ = segments_.back()->last_appended_at;
  if (continue_last) {
    active_ = segments_.back();
    absl::StatusOr<std::unique_ptr<WritableFile>> active = env_->NewAppendableFile(active_->path);
    if (!active.ok()) {
      return absl::FailedPreconditionError(Failed("log: cannot open", active.status()));
    }
    active_file_ = *std::move(active);
    active_size_ = active_->size;
  }
  return absl::OkStatus();
}

void FileLog::Append(EncodedEvent event, AppendCallback done) {
  absl::Status rejected;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      rejected = failure_;
    } else if (stopping_) {
      rejected = absl::UnavailableError("the event log is closing");
    } else if (next_sequence_ > kMaxSequence) {
      // Only a log whose files were made to claim such sequences gets here.
      rejected = absl::UnavailableError("the event log has no sequence numbers left");
    } else {
      const uint64_t sequence = next_sequence_++;
      last_appended_at_ = std::max(last_appended_at_, std::min(event.received_at, LogClock()));
      queue_.push_back(Pending{MakeRecord(std::move(event), sequence, last_appended_at_),
                               std::move(done), nullptr, 0});
      writer_wake_.Signal();
      return;
    }
  }
  done(rejected);
}

void FileLog::WriterLoop(absl::Time start) {
  std::vector<Pending> batch;
  std::vector<Pending> unsynced;  // fsync: interval, written but not synced
  // When the last periodic sync (fsync: interval) and retention check were,
  // by the Env's clock.
  absl::Time last_sync = start;
  absl::Time last_retention = start;
  for (;;) {
    bool stopping = false;
    std::vector<std::shared_ptr<Segment>> removed;
    {
      absl::MutexLock lock(&mu_);
      // The wait is by the real clock, for as long as the Env's clock says
      // is left.
      while (queue_.empty() && !stopping_) {
        const absl::Time now = env_->NowMonotonic();
        absl::Duration wait = TimeLeft(now, last_retention, kRetentionCheckInterval);
        if (!unsynced.empty()) {
          wait = std::min(wait, TimeLeft(now, last_sync, options_.fsync_interval));
        }
        // While failed, the recovery time is looked at often (by the Env's
        // clock, which may be stepped).
        if (!failure_.ok()) {
          wait = std::min({wait, next_recovery_ - now, absl::Milliseconds(100)});
        }
        if (wait <= absl::ZeroDuration()) break;
        writer_wake_.WaitWithTimeout(&mu_, wait);
      }
      stopping = stopping_;
      if (stopping && queue_.empty() && unsynced.empty()) break;
      batch.swap(queue_);
      const absl::Time now = env_->NowMonotonic();
      if (TimeLeft(now, last_retention, kRetentionCheckInterval) <= absl::ZeroDuration()) {
        ApplyRetentionLocked(&removed);
        last_retention = now;
      }
    }
    // A segment that cannot be removed is no longer the log's; it is left.
    for (const auto& segment : removed) RemoveSegment(segment->path);
    if (!stopping) TryRecovery(env_->NowMonotonic());

    if (!batch.empty()) {
      absl::Status status = WriteBatch(&batch);
      if (status.ok() && options_.fsync == Fsync::kAlways) status = SyncActive();
      if (!status.ok()) {
        batch.insert(batch.end(), std::make_move_iterator(unsynced.begin()),
                     std::make_move_iterator(unsynced.end()));
        unsynced.clear();
        Fail(&batch, status);
        continue;
      }
      if (options_.fsync == Fsync::kInterval) {
        unsynced.insert(unsynced.end(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
        batch.clear();
      } else {
        Publish(&batch);
      }
    }
    if (!unsynced.empty() &&
        (stopping || TimeLeft(env_->NowMonotonic(), last_sync, options_.fsync_interval) <=
                         absl::ZeroDuration())) {
      const absl::Status status = SyncActive();
      last_sync = env_->NowMonotonic();
      if (!status.ok()) {
        Fail(&unsynced, status);
      } else {
        Publish(&unsynced);
      }
    }
  }
}

absl::Status FileLog::WriteBatch(std::vector<Pending>* batch) {
  frame_buffer_.clear();
  auto flush = [this]() -> absl::Status {
    absl::Status s = WriteAll(*active_file_, frame_buffer_);
    if (s.ok()) active_size_ += frame_buffer_.size();
    frame_buffer_.clear();
    return s;
  };
  for (Pending& p : *batch) {
    const size_t size = FrameSize(*p.record);
    const uint64_t end = active_size_ + frame_buffer_.size() + size;
    const bool has_records =
        active_ != nullptr && active_size_ + frame_buffer_.size() > kSegmentMagic.size();
    if (active_ == nullptr || (has_records && end > options_.segment_bytes)) {
      // Roll: finish the current segment durably, then start a new one.
      if (active_ != nullptr) {
        if (absl::Status s = flush(); !s.ok()) return s;
        if (options_.fsync != Fsync::kNever) {
          if (absl::Status s = SyncActive(); !s.ok()) return s;
        }
        active_file_.reset();
      }
      auto segment = std::make_shared<Segment>();
      segment->path = JoinPath(options_.dir, SegmentName(p.record->sequence));
      segment->name_sequence = p.record->sequence;
      absl::StatusOr<std::unique_ptr<WritableFile>> created = env_->NewWritableFile(segment->path);
      if (!created.ok()) return absl::UnavailableError(Failed("cannot create", created.status()));
      active_file_ = *std::move(created);
      unpublished_.push_back(segment->path);
      absl::StatusOr<std::unique_ptr<RandomAccessFile>> reader =
          env_->NewRandomAccessFile(segment->path);
      if (!reader.ok()) return absl::UnavailableError(Failed("cannot open", reader.status()));
      segment->file = *std::move(reader);
      segment->size = kSegmentMagic.size();
      active_ = std::move(segment);
      active_size_ = 0;
      frame_buffer_.append(kSegmentMagic.data(), kSegmentMagic.size());
      if (options_.fsync != Fsync::kNever) {
        if (absl::Status s = dir_->Sync(); !s.ok()) {
          return absl::UnavailableError(Failed("cannot sync", s));
        }
      }
    }
    p.segment = active_;
    p.offset = active_size_ + frame_buffer_.size();
    AppendFrame(*p.record, &frame_buffer_);
  }
  return flush();
}

absl::Status FileLog::SyncActive() {
  if (active_file_ == nullptr) return absl::OkStatus();
  if (absl::Status s = active_file_->Sync(); !s.ok()) {
    return absl::UnavailableError(Failed("cannot fdatasync", s));
  }
  syncs_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void FileLog::Publish(std::vector<Pending>* batch) {
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  std::vector<std::shared_ptr<Segment>> removed;
  std::vector<std::pair<std::string, SegmentSummary>> closed;
  {
    absl::MutexLock lock(&mu_);
    for (Pending& p : *batch) {
      const LogRecord& record = *p.record;
      if (segments_.empty() || segments_.back() != p.segment) {
        // The last segment is complete: nothing is ever written to it
        // again.
        if (!segments_.empty()) {
          closed.emplace_back(segments_.back()->path, segments_.back()->Summary());
        }
        segments_.push_back(p.segment);
        total_bytes_ += p.segment->size;
      }
      const uint64_t old_size = p.segment->size;
      p.segment->Add(record.sequence, p.offset, FrameSize(record), record.appended_at,
                     options_.index_interval_bytes);
      total_bytes_ += p.segment->size - old_size;
      ++total_records_;
      committed_ = record.sequence;
      cache_.Push(p.record);
    }
    ApplyRetentionLocked(&removed);
    to_wake = waiters_.TakeAll();
  }
  for (const auto& segment : removed) RemoveSegment(segment->path);
  for (const auto& [path, summary] : closed) WriteSummary(path, summary);
  // Every record written so far is acknowledged now.
  unpublished_.clear();
  failures_in_a_row_ = 0;
  for (Pending& p : *batch) p.done(p.record->sequence);
  batch->clear();
  if (!to_wake.empty()) {
    absl::MutexLock lock(&notify_mu_);
    to_notify_.insert(to_notify_.end(), std::make_move_iterator(to_wake.begin()),
                      std::make_move_iterator(to_wake.end()));
    notify_wake_.Signal();
  }
}

void FileLog::NotifierLoop() {
  for (;;) {
    std::vector<std::shared_ptr<LogWaiter>> waiters;
    {
      absl::MutexLock lock(&notify_mu_);
      while (to_notify_.empty() && !notify_stop_) notify_wake_.Wait(&notify_mu_);
      if (to_notify_.empty()) return;  // stopping, nothing left
      waiters.swap(to_notify_);
    }
    LogWaiters::WakeAll(waiters);
  }
}

void FileLog::Fail(std::vector<Pending>* batch, const absl::Status& status) {
  ++failures_in_a_row_;
  const absl::Duration pause =
      std::min(absl::Seconds(1) * (1 << std::min(failures_in_a_row_ - 1, 5)), absl::Seconds(30));
  const absl::Status failure = absl::UnavailableError(
      absl::StrCat("the event log failed (", status.message(),
                   "); it takes events again once the fault clears (next try in ",
                   absl::FormatDuration(pause), ")"));
  {
    absl::MutexLock lock(&mu_);
    failure_ = failure;
    batch->insert(batch->end(), std::make_move_iterator(queue_.begin()),
                  std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  // What this group wrote goes first, before its senders hear of the
  // failure (and retry) and before anything else can happen, a restart
  // included.
  discard_attempts_ = 0;
  discarded_ = Discard().ok();
  if (!discarded_) ++discard_attempts_;
  next_recovery_ = env_->NowMonotonic() + pause;
  for (Pending& p : *batch) p.done(failure);
  batch->clear();
}

absl::Status FileLog::Discard() {
  active_file_.reset();
  std::shared_ptr<Segment> last;
  uint64_t keep = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!segments_.empty()) {
      last = segments_.back();
      keep = last->size;
    }
  }
  if (last != nullptr) {
    // Back to what was acknowledged, durably; a summary written for more
    // is wrong now (the size check would refuse it anyway).
    env_->RemoveFile(SummaryPath(last->path)).IgnoreError();
    HB_RETURN_IF_ERROR(env_->TruncateFile(last->path, keep));
    absl::StatusOr<std::unique_ptr<WritableFile>> file = env_->NewAppendableFile(last->path);
    if (!file.ok()) return file.status();
    HB_RETURN_IF_ERROR((*file)->Sync());
  }
  for (const std::string& path : unpublished_) {
    if (last != nullptr && path == last->path) continue;
    absl::Status removed = env_->RemoveFile(path);
    if (!removed.ok() && !absl::IsNotFound(removed)) return removed;
  }
  HB_RETURN_IF_ERROR(dir_->Sync());
  unpublished_.clear();
  // The next append starts a new segment, with the sequence after the
  // last acknowledged one.
  active_.reset();
  active_size_ = 0;
  absl::MutexLock lock(&mu_);
  next_sequence_ = committed_ + 1;
  return absl::OkStatus();
}

void FileLog::TryRecovery(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok() || now < next_recovery_) return;
  }
  if (!discarded_) {
    discarded_ = Discard().ok();
    if (!discarded_) {
      ++discard_attempts_;
      next_recovery_ = now + absl::Seconds(1) * std::min(discard_attempts_, 30);
      if (discard_attempts_ >= kMaxDiscardAttempts) {
        // Only a restart (recovery from the files) can make it consistent.
        absl::MutexLock lock(&mu_);
        restart_needed_ = true;
      }
      return;
    }
  }
  absl::MutexLock lock(&mu_);
  failure_ = absl::OkStatus();
  restart_needed_ = false;
  next_recovery_ = absl::InfiniteFuture();
}

absl::Time FileLog::LogClock() const {
  return wall_anchor_ + (env_->NowMonotonic() - monotonic_anchor_);
}

void FileLog::ApplyRetentionLocked(std::vector<std::shared_ptr<Segment>>* removed) {
  const absl::Time now = LogClock();
  while (segments_.size() > 1) {
    const Segment& oldest = *segments_.front();
    const bool too_big = options_.retention_bytes > 0 && total_bytes_ > options_.retention_bytes;
    // By age only what no durable consumer still needs (HoldFrom).
    const bool too_old = options_.retention_age != absl::InfiniteDuration() &&
                         oldest.last_appended_at < now - options_.retention_age &&
                         oldest.last_sequence < hold_from_.load(std::memory_order_relaxed);
    if (!too_big && !too_old) break;
    total_bytes_ -= oldest.size;
    total_records_ -= oldest.records;
    last_evicted_at_ = oldest.last_appended_at;
    removed->push_back(segments_.front());
    segments_.pop_front();
  }
}

uint64_t FileLog::FirstSequenceLocked() const {
  return segments_.empty() ? committed_ + 1 : segments_.front()->first_sequence;
}

std::optional<absl::Status> FileLog::ReadFromMemoryLocked(
    uint64_t after, size_t max, std::vector<RecordPtr>* out,
    const std::shared_ptr<LogWaiter>& waiter) {
  if (after > committed_) return AfterEndError(after, committed_);
  const uint64_t first = FirstSequenceLocked();
  if (after + 1 < first) return NotRetainedError(after, first);
  if (after == committed_) {
    if (waiter != nullptr) waiters_.Add(waiter);
    return absl::OkStatus();
  }
  if (max == 0) return absl::OkStatus();
  if (cache_.Covers(after)) {
    cache_.Read(after, max, out);
    return absl::OkStatus();
  }
  return std::nullopt;
}

std::optional<absl::Status> FileLog::ReadIfCached(uint64_t after, size_t max,
                                                  std::vector<RecordPtr>* out,
                                                  const std::shared_ptr<LogWaiter>& waiter) {
  absl::MutexLock lock(&mu_);
  return ReadFromMemoryLocked(after, max, out, waiter);
}

absl::Status FileLog::Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                           const std::shared_ptr<LogWaiter>& waiter) {
  return ReadRecords(after, max, /*raw_bodies=*/true, out, waiter);
}

absl::Status FileLog::ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                                   std::vector<RecordPtr>* out, uint64_t* through,
                                   const std::shared_ptr<LogWaiter>& waiter) {
  const size_t before = out->size();
  absl::Status status = ReadRecords(after, max, selector.raw_bodies, out, waiter);
  *through = out->size() > before ? out->back()->sequence : after;
  return status;
}

absl::Status FileLog::ReadRecords(uint64_t after, size_t max, bool raw_bodies,
                                  std::vector<RecordPtr>* out,
                                  const std::shared_ptr<LogWaiter>& waiter) {
  std::shared_ptr<Segment> segment;
  uint64_t offset = 0;
  uint64_t end = 0;
  std::vector<std::pair<uint64_t, uint64_t>> skips;
  {
    absl::MutexLock lock(&mu_);
    if (std::optional<absl::Status> served = ReadFromMemoryLocked(after, max, out, waiter)) {
      return *served;
    }
    // The first segment holding a record after `after`.
    auto it = std::upper_bound(
        segments_.begin(), segments_.end(), after,
        [](uint64_t s, const std::shared_ptr<Segment>& seg) { return s < seg->last_sequence; });
    HB_CHECK(it != segments_.end());  // after < committed_ == last segment's last sequence
    segment = *it;
    // Where a previous read of this segment ended, if it ended at `after`:
    // a reader catching up continues there instead of seeking from the
    // sparse index and passing over the records it already has.
    const ReadHint& hint = hints_[after % kReadHints];
    const bool same = !hint.segment.owner_before(segment) && !segment.owner_before(hint.segment);
    offset = same && hint.after == after ? hint.offset : segment->SeekAfter(after);
    end = segment->size;
    skips = segment->skips;
  }
  uint64_t last = after;
  uint64_t next = offset;
  HB_RETURN_IF_ERROR(
      ReadSegment(*segment, offset, end, skips, after, max, raw_bodies, out, &last, &next));
  if (last > after) {
    absl::MutexLock lock(&mu_);
    hints_[last % kReadHints] = ReadHint{segment, last, next};
  }
  return absl::OkStatus();
}

absl::Status FileLog::ReadSegment(const Segment& segment, uint64_t offset, uint64_t end,
                                  const std::vector<std::pair<uint64_t, uint64_t>>& skips,
                                  uint64_t after, size_t max, bool raw_bodies,
                                  std::vector<RecordPtr>* out, uint64_t* last,
                                  uint64_t* next) const {
  absl::string_view buffer;
  uint64_t buffer_offset = 0;
  absl::Cleanup trim = [] { read_buffer.Trim(); };
  // Makes [at, at + size) available in `buffer`.
  auto load = [&](uint64_t at, size_t size) -> bool {
    if (at >= buffer_offset && at + size <= buffer_offset + buffer.size()) return true;
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(std::max(size, kReadChunk), end - at));
    if (want < size) return false;
    char* data = read_buffer.Reserve(want);
    if (!ReadExactly(*segment.file, segment.path, at, want, data).ok()) return false;
    // The window ahead: all of it from the segment's start, then the MiB
    // at its far end each time a MiB boundary is crossed (asking again for
    // what is cached already costs a page cache lookup per page).
    if (at < kPrefetchStep) {
      segment.file->Prefetch(at + want, kPrefetchBytes);
    } else if (const uint64_t crossed = (at + want) / kPrefetchStep * kPrefetchStep; crossed > at) {
      segment.file->Prefetch(crossed + kPrefetchBytes - kPrefetchStep, kPrefetchStep);
    }
    buffer = absl::string_view(data, want);
    buffer_offset = at;
    return true;
  };
  size_t added = 0;
  while (offset < end && added < max) {
    auto skip = std::find_if(skips.begin(), skips.end(), [offset](const auto& range) {
      return offset >= range.first && offset < range.second;
    });
    if (skip != skips.end()) {
      offset = skip->second;
      continue;
    }
    const auto corrupt = [&] {
      // A restart then reads this segment in full and skips what is bad.
      env_->RemoveFile(SummaryPath(segment.path)).IgnoreError();
      return absl::DataLossError(absl::StrCat("the event log record at offset ", offset, " of ",
                                              segment.path,
                                              " is unreadable; restart hookbridge to recover"));
    };
    if (!load(offset, kFrameHeaderSize)) return corrupt();
    const FrameHeader header = DecodeFrameHeader(buffer.substr(offset - buffer_offset));
    const uint64_t frame_size = kFrameHeaderSize + uint64_t{header.payload_size};
    if (header.payload_size > options_.max_record_bytes || offset + frame_size > end) {
      return corrupt();
    }
    if (header.sequence <= after) {
      // Already read: passed over by its length alone.
      offset += frame_size;
      continue;
    }
    if (!load(offset, static_cast<size_t>(frame_size))) return corrupt();
    const absl::string_view frame =
        buffer.substr(offset - buffer_offset, static_cast<size_t>(frame_size));
    FrameHeader checked;
    if (CheckFrame(frame, options_.max_record_bytes, &checked) != FrameStatus::kOk) {
      return corrupt();
    }
    RecordPtr record;
    if (!RecordFromFrame(frame, checked, &record, raw_bodies)) return corrupt();
    out->push_back(std::move(record));
    ++added;
    offset += frame_size;
    *last = checked.sequence;
    *next = offset;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FileLog::PositionAt(absl::Time since) {
  std::shared_ptr<Segment> segment;
  uint64_t after = 0;
  {
    absl::MutexLock lock(&mu_);
    if (last_evicted_at_.has_value() && *last_evicted_at_ >= since) {
      return absl::OutOfRangeError(absl::StrCat("events since ", absl::FormatTime(since),
                                                " are no longer all retained; the oldest is ",
                                                FirstSequenceLocked()));
    }
    if (cache_.CoversTime(since)) return cache_.PositionAt(since, committed_);
    auto it = std::find_if(segments_.begin(), segments_.end(),
                           [since](const auto& seg) { return seg->last_appended_at >= since; });
    if (it == segments_.end()) return committed_;
    segment = *it;
    if (segment->first_appended_at >= since) return segment->first_sequence - 1;
    after = segment->index.empty() ? 0 : segment->index.front().sequence - 1;
    auto entry = std::lower_bound(
        segment->index.begin(), segment->index.end(), since,
        [](const Segment::IndexEntry& e, absl::Time t) { return e.appended_at < t; });
    if (entry != segment->index.begin()) after = std::prev(entry)->sequence - 1;
  }
  // Scan from the index entry to the first record at or after `since`.
  std::vector<RecordPtr> records;
  for (;;) {
    records.clear();
    absl::Status status = Read(after, 256, &records, nullptr);
    if (!status.ok()) return status;
    if (records.empty()) return after;
    for (const RecordPtr& r : records) {
      if (r->appended_at >= since) return r->sequence - 1;
      after = r->sequence;
    }
  }
}

LogStats FileLog::Stats() {
  absl::MutexLock lock(&mu_);
  LogStats stats;
  stats.first_sequence = segments_.empty() ? 0 : segments_.front()->first_sequence;
  stats.last_sequence = committed_;
  stats.events = total_records_;
  stats.bytes = total_bytes_;
  stats.corrupt_records = recovery_.corrupt_records;
  stats.syncs = syncs_.load(std::memory_order_relaxed);
  stats.failure = failure_;
  stats.restart_needed = restart_needed_;
  return stats;
}

bool FileLog::ReadSummary(const std::string& segment_path, SegmentSummary* summary) const {
  const std::string path = SummaryPath(segment_path);
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env_->NewRandomAccessFile(path);
  if (!file.ok()) return false;
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok() || *size > (uint64_t{1} << 30)) return false;
  std::string data;
  if (!ReadAt(**file, path, 0, static_cast<size_t>(*size), &data).ok()) return false;
  return DecodeSegmentSummary(data, summary);
}

void FileLog::WriteSummary(const std::string& segment_path, const SegmentSummary& summary) {
  // Not synced: a summary lost or torn by a crash does not decode, and the
  // segment is read in full instead.
  const std::string path = SummaryPath(segment_path);
  const std::string tmp = path + ".tmp";
  absl::StatusOr<std::unique_ptr<WritableFile>> file = env_->NewWritableFile(tmp);
  if (!file.ok()) return;
  const bool written = WriteAll(**file, EncodeSegmentSummary(summary)).ok();
  file->reset();
  if (!written || !env_->RenameFile(tmp, path).ok()) env_->RemoveFile(tmp).IgnoreError();
}

void FileLog::WriteSummary(const Segment& segment) {
  WriteSummary(segment.path, segment.Summary());
}

void FileLog::RemoveSegment(const std::string& path) {
  env_->RemoveFile(SummaryPath(path)).IgnoreError();
  env_->RemoveFile(path).IgnoreError();
}

absl::Status FileLog::SaveState(absl::string_view name, absl::string_view bytes) {
  const std::string path = JoinPath(options_.dir, absl::StrCat(name, ".state"));
  const std::string tmp = path + ".tmp";
  absl::StatusOr<std::unique_ptr<WritableFile>> file = env_->NewWritableFile(tmp);
  if (!file.ok()) return file.status();
  absl::Status s = WriteAll(**file, bytes);
  if (s.ok()) s = (*file)->Sync();
  file->reset();
  if (s.ok()) s = env_->RenameFile(tmp, path);
  if (s.ok()) s = dir_->Sync();
  if (!s.ok()) env_->RemoveFile(tmp).IgnoreError();
  return s;
}

absl::StatusOr<std::string> FileLog::LoadState(absl::string_view name) {
  const std::string path = JoinPath(options_.dir, absl::StrCat(name, ".state"));
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env_->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  if (*size > (uint64_t{1} << 30)) return absl::DataLossError(absl::StrCat(path, ": too large"));
  std::string data;
  HB_RETURN_IF_ERROR(ReadAt(**file, path, 0, static_cast<size_t>(*size), &data));
  return data;
}

}  // namespace hookbridge
