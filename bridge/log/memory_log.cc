#include "bridge/log/memory_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hookbridge {

MemoryLog::MemoryLog(Options options) : options_(options) {}

void MemoryLog::Append(EncodedEvent event, AppendCallback done) {
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  uint64_t sequence = 0;
  {
    absl::MutexLock lock(&mu_);
    sequence = next_sequence_++;
    last_appended_at_ = std::max(last_appended_at_, event.received_at);
    RecordPtr record = MakeRecord(std::move(event), sequence, last_appended_at_);
    bytes_ += record->ByteSize();
    records_.push_back(std::move(record));
    // Evict from the front, always keeping the record just appended.
    while (records_.size() > 1 &&
           (records_.size() > options_.max_events || bytes_ > options_.max_bytes)) {
      bytes_ -= records_.front()->ByteSize();
      last_evicted_at_ = records_.front()->appended_at;
      records_.pop_front();
    }
    to_wake = waiters_.TakeAll();
  }
  done(sequence);
  LogWaiters::WakeAll(to_wake);
}

absl::Status MemoryLog::Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                             const std::shared_ptr<LogWaiter>& waiter) {
  absl::MutexLock lock(&mu_);
  const uint64_t last = next_sequence_ - 1;
  if (after > last) {
    return absl::OutOfRangeError(
        absl::StrCat("position ", after, " is beyond the last sequence in the log (", last, ")"));
  }
  const uint64_t first = records_.empty() ? next_sequence_ : records_.front()->sequence;
  if (after + 1 < first) {
    return absl::OutOfRangeError(
        absl::StrCat("events after ", after, " are no longer retained; the oldest is ", first));
  }
  if (after == last) {
    if (waiter != nullptr) waiters_.Add(waiter);
    return absl::OkStatus();
  }
  const size_t begin = after + 1 - first;
  const size_t end = std::min(records_.size(), begin + max);
  out->insert(out->end(), records_.begin() + begin, records_.begin() + end);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryLog::PositionAt(absl::Time since) {
  absl::MutexLock lock(&mu_);
  // Eviction always keeps the newest record, so records_ is not empty here.
  if (last_evicted_at_.has_value() && *last_evicted_at_ >= since) {
    return absl::OutOfRangeError(absl::StrCat("events since ", absl::FormatTime(since),
                                              " are no longer all retained; the oldest is ",
                                              records_.front()->sequence, ", appended at ",
                                              absl::FormatTime(records_.front()->appended_at)));
  }
  auto it = std::lower_bound(records_.begin(), records_.end(), since,
                             [](const RecordPtr& r, absl::Time t) { return r->appended_at < t; });
  if (it == records_.end()) return next_sequence_ - 1;
  return (*it)->sequence - 1;
}

LogStats MemoryLog::Stats() {
  absl::MutexLock lock(&mu_);
  LogStats stats;
  stats.first_sequence = records_.empty() ? 0 : records_.front()->sequence;
  stats.last_sequence = next_sequence_ - 1;
  stats.events = records_.size();
  stats.bytes = bytes_;
  return stats;
}

}  // namespace hookbridge
