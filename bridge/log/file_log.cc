#include "bridge/log/file_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bridge/check.h"
#include "bridge/log/record_format.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kSegmentPrefix = "segment-";
constexpr absl::string_view kSegmentSuffix = ".log";
// How often retention by age is applied when nothing is appended.
constexpr absl::Duration kRetentionCheckInterval = absl::Seconds(10);
// Bytes read at a time by catch-up readers.
constexpr size_t kReadChunk = 256 << 10;

std::string Errno(absl::string_view what, absl::string_view path) {
  return absl::StrCat(what, " ", path, ": ", std::strerror(errno));
}

std::string SegmentName(uint64_t first_sequence) {
  return absl::StrFormat("%s%020d%s", kSegmentPrefix, first_sequence, kSegmentSuffix);
}

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(Errno("cannot write", path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

bool ReadAt(int fd, uint64_t offset, size_t size, std::string* out) {
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

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

  ~Segment() {
    if (fd >= 0) ::close(fd);
  }

  std::string path;
  int fd = -1;  // read-only
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
  log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

FileLog::FileLog(Options options)
    : options_(std::move(options)), cache_(options_.tail_cache_bytes) {}

FileLog::~FileLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    writer_wake_.Signal();
  }
  if (writer_.joinable()) writer_.join();
  if (active_fd_ >= 0) ::close(active_fd_);
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

absl::Status FileLog::Recover() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("log.dir: cannot create ", options_.dir, ": ", ec.message()));
  }
  dir_fd_ = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) {
    return absl::FailedPreconditionError(Errno("log.dir: cannot open", options_.dir));
  }

  // Filled without the lock (no other thread exists yet), then published
  // under it.
  std::deque<std::shared_ptr<Segment>> recovered;
  std::vector<std::pair<uint64_t, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    const std::string filename = entry.path().filename().string();
    absl::string_view name = filename;
    uint64_t base = 0;
    if (absl::ConsumePrefix(&name, kSegmentPrefix) && absl::ConsumeSuffix(&name, kSegmentSuffix) &&
        name.size() == 20 && absl::SimpleAtoi(name, &base)) {
      files.emplace_back(base, entry.path().string());
    }
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("log.dir: cannot list ", options_.dir, ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());

  uint64_t last_sequence = 0;
  std::string data;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i].second;
    const bool last_file = i + 1 == files.size();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0 || !ReadAt(fd, 0, static_cast<size_t>(st.st_size), &data)) {
      if (fd >= 0) ::close(fd);
      return absl::FailedPreconditionError(Errno("log: cannot read", path));
    }
    if (data.size() < kSegmentMagic.size() || !absl::StartsWith(data, kSegmentMagic)) {
      ::close(fd);
      if (last_file && absl::StartsWith(kSegmentMagic, data)) {
        // Created but not even its header written before a crash.
        recovery_.truncated_bytes += data.size();
        recovery_.findings.push_back(absl::StrCat("removed empty segment ", path));
        ::unlink(path.c_str());
      } else {
        ++recovery_.corrupt_records;
        recovery_.corrupt_bytes += data.size();
        recovery_.findings.push_back(
            absl::StrCat(path, " is not a hookbridge log segment; renamed to .corrupt"));
        std::filesystem::rename(path, path + ".corrupt", ec);
      }
      continue;
    }

    auto segment = std::make_shared<Segment>();
    segment->path = path;
    segment->fd = fd;
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
        if (::truncate(path.c_str(), static_cast<off_t>(pos)) != 0) {
          return absl::FailedPreconditionError(Errno("log: cannot truncate", path));
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
      ::unlink(path.c_str());
      continue;
    }
    ++recovery_.segments;
    recovery_.records += segment->records;
    recovered.push_back(std::move(segment));
  }

  absl::MutexLock lock(&mu_);
  segments_ = std::move(recovered);
  next_sequence_ = last_sequence + 1;
  committed_ = last_sequence;
  for (const auto& segment : segments_) {
    total_bytes_ += segment->size;
    total_records_ += segment->records;
  }
  if (!segments_.empty()) {
    last_appended_at_ = segments_.back()->last_appended_at;
    active_ = segments_.back();
    active_fd_ = ::open(active_->path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (active_fd_ < 0)
      return absl::FailedPreconditionError(Errno("log: cannot open", active_->path));
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
    } else {
      const uint64_t sequence = next_sequence_++;
      last_appended_at_ = std::max(last_appended_at_, event.received_at);
      queue_.push_back(Pending{MakeRecord(std::move(event), sequence, last_appended_at_),
                               std::move(done), nullptr, 0});
      writer_wake_.Signal();
      return;
    }
  }
  done(rejected);
}

void FileLog::WriterLoop() {
  std::vector<Pending> batch;
  std::vector<Pending> unsynced;  // fsync: interval, written but not synced
  absl::Time next_sync = absl::Now() + options_.fsync_interval;
  absl::Time next_retention = absl::Now() + kRetentionCheckInterval;
  for (;;) {
    bool stopping = false;
    std::vector<std::shared_ptr<Segment>> removed;
    {
      absl::MutexLock lock(&mu_);
      absl::Time deadline = next_retention;
      if (!unsynced.empty()) deadline = std::min(deadline, next_sync);
      while (queue_.empty() && !stopping_ && absl::Now() < deadline) {
        writer_wake_.WaitWithDeadline(&mu_, deadline);
      }
      stopping = stopping_;
      if (stopping && queue_.empty() && unsynced.empty()) break;
      batch.swap(queue_);
      if (absl::Now() >= next_retention) {
        ApplyRetentionLocked(&removed);
        next_retention = absl::Now() + kRetentionCheckInterval;
      }
    }
    for (const auto& segment : removed) ::unlink(segment->path.c_str());

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
    if (!unsynced.empty() && (stopping || absl::Now() >= next_sync)) {
      if (absl::Status status = SyncActive(); !status.ok()) {
        Fail(&unsynced, status);
      } else {
        Publish(&unsynced);
      }
      next_sync = absl::Now() + options_.fsync_interval;
    }
  }
}

absl::Status FileLog::WriteBatch(std::vector<Pending>* batch) {
  frame_buffer_.clear();
  auto flush = [this]() -> absl::Status {
    absl::Status s = WriteAll(active_fd_, frame_buffer_, active_->path);
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
        ::close(active_fd_);
        active_fd_ = -1;
      }
      auto segment = std::make_shared<Segment>();
      segment->path =
          (std::filesystem::path(options_.dir) / SegmentName(p.record->sequence)).string();
      active_fd_ =
          ::open(segment->path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
      if (active_fd_ < 0) return absl::UnavailableError(Errno("cannot create", segment->path));
      segment->fd = ::open(segment->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (segment->fd < 0) return absl::UnavailableError(Errno("cannot open", segment->path));
      segment->size = kSegmentMagic.size();
      active_ = std::move(segment);
      active_size_ = 0;
      frame_buffer_.append(kSegmentMagic.data(), kSegmentMagic.size());
      if (options_.fsync != Fsync::kNever && ::fsync(dir_fd_) != 0) {
        return absl::UnavailableError(Errno("cannot sync", options_.dir));
      }
    }
    p.segment = active_;
    p.offset = active_size_ + frame_buffer_.size();
    AppendFrame(*p.record, &frame_buffer_);
  }
  return flush();
}

absl::Status FileLog::SyncActive() {
  if (active_fd_ < 0) return absl::OkStatus();
  if (::fdatasync(active_fd_) != 0) {
    return absl::UnavailableError(Errno("cannot fdatasync", active_->path));
  }
  syncs_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void FileLog::Publish(std::vector<Pending>* batch) {
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  std::vector<std::shared_ptr<Segment>> removed;
  {
    absl::MutexLock lock(&mu_);
    for (Pending& p : *batch) {
      const LogRecord& record = *p.record;
      if (segments_.empty() || segments_.back() != p.segment) {
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
  for (const auto& segment : removed) ::unlink(segment->path.c_str());
  for (Pending& p : *batch) p.done(p.record->sequence);
  batch->clear();
  LogWaiters::WakeAll(to_wake);
}

void FileLog::Fail(std::vector<Pending>* batch, const absl::Status& status) {
  // Fail-stop, as databases do on a write or fsync error: nothing written
  // after it could be trusted. Records of the failed batch that did reach
  // the disk are found by recovery after a restart; their senders got an
  // error and retry, and the rebuilt de-duplication window recognises them.
  const absl::Status failure = absl::UnavailableError(absl::StrCat(
      "the event log failed and takes no more events until restarted: ", status.message()));
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) failure_ = failure;
    batch->insert(batch->end(), std::make_move_iterator(queue_.begin()),
                  std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  for (Pending& p : *batch) p.done(failure);
  batch->clear();
}

void FileLog::ApplyRetentionLocked(std::vector<std::shared_ptr<Segment>>* removed) {
  const absl::Time now = absl::Now();
  while (segments_.size() > 1) {
    const Segment& oldest = *segments_.front();
    const bool too_big = options_.retention_bytes > 0 && total_bytes_ > options_.retention_bytes;
    const bool too_old = options_.retention_age != absl::InfiniteDuration() &&
                         oldest.last_appended_at < now - options_.retention_age;
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

absl::Status FileLog::Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                           const std::shared_ptr<LogWaiter>& waiter) {
  std::shared_ptr<Segment> segment;
  uint64_t offset = 0;
  uint64_t end = 0;
  std::vector<std::pair<uint64_t, uint64_t>> skips;
  {
    absl::MutexLock lock(&mu_);
    if (after > committed_) {
      return absl::OutOfRangeError(absl::StrCat(
          "position ", after, " is beyond the last sequence in the log (", committed_, ")"));
    }
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
    // The first segment holding a record after `after`.
    auto it = std::upper_bound(
        segments_.begin(), segments_.end(), after,
        [](uint64_t s, const std::shared_ptr<Segment>& seg) { return s < seg->last_sequence; });
    HB_CHECK(it != segments_.end());  // after < committed_ == last segment's last sequence
    segment = *it;
    offset = segment->SeekAfter(after);
    end = segment->size;
    skips = segment->skips;
  }
  return ReadSegment(*segment, offset, end, skips, after, max, out);
}

absl::Status FileLog::ReadSegment(const Segment& segment, uint64_t offset, uint64_t end,
                                  const std::vector<std::pair<uint64_t, uint64_t>>& skips,
                                  uint64_t after, size_t max, std::vector<RecordPtr>* out) const {
  std::string buffer;
  uint64_t buffer_offset = 0;
  // Makes [at, at + size) available in `buffer`.
  auto load = [&](uint64_t at, size_t size) -> bool {
    if (at >= buffer_offset && at + size <= buffer_offset + buffer.size()) return true;
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(std::max(size, kReadChunk), end - at));
    if (want < size || !ReadAt(segment.fd, at, want, &buffer)) return false;
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
      return absl::DataLossError(absl::StrCat("the event log record at offset ", offset, " of ",
                                              segment.path,
                                              " is unreadable; restart hookbridge to recover"));
    };
    if (!load(offset, kFrameHeaderSize)) return corrupt();
    const FrameHeader header =
        DecodeFrameHeader(absl::string_view(buffer).substr(offset - buffer_offset));
    const uint64_t frame_size = kFrameHeaderSize + uint64_t{header.payload_size};
    if (header.payload_size > options_.max_record_bytes || offset + frame_size > end ||
        !load(offset, static_cast<size_t>(frame_size))) {
      return corrupt();
    }
    const absl::string_view frame =
        absl::string_view(buffer).substr(offset - buffer_offset, static_cast<size_t>(frame_size));
    FrameHeader checked;
    if (CheckFrame(frame, options_.max_record_bytes, &checked) != FrameStatus::kOk) {
      return corrupt();
    }
    if (checked.sequence > after) {
      RecordPtr record;
      if (!RecordFromFrame(frame, checked, &record)) return corrupt();
      out->push_back(std::move(record));
      ++added;
    }
    offset += frame_size;
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
  return stats;
}

}  // namespace hookbridge
