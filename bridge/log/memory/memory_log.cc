#include "bridge/log/memory/memory_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hookbridge {

MemoryLog::MemoryLog(Options options) : records_(options.max_bytes, options.max_events) {}

void MemoryLog::Append(EncodedEvent event, AppendCallback done) {
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  uint64_t sequence = 0;
  {
    absl::MutexLock lock(&mu_);
    sequence = next_sequence_++;
    last_appended_at_ = std::max(last_appended_at_, event.received_at);
    // Evicts from the front, always keeping the record just appended.
    records_.Push(MakeRecord(std::move(event), sequence, last_appended_at_));
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
    return AfterEndError(after, last);
  }
  const uint64_t first = records_.empty() ? next_sequence_ : records_.first_sequence();
  if (after + 1 < first) return NotRetainedError(after, first);
  if (after == last) {
    if (waiter != nullptr) waiters_.Add(waiter);
    return absl::OkStatus();
  }
  records_.Read(after, max, out);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryLog::PositionAt(absl::Time since) {
  absl::MutexLock lock(&mu_);
  // Eviction always keeps the newest record, so records_ is not empty here.
  const std::optional<absl::Time> last_evicted_at = records_.last_evicted_at();
  if (last_evicted_at.has_value() && *last_evicted_at >= since) {
    return absl::OutOfRangeError(absl::StrCat("events since ", absl::FormatTime(since),
                                              " are no longer all retained; the oldest is ",
                                              records_.front()->sequence, ", appended at ",
                                              absl::FormatTime(records_.front()->appended_at)));
  }
  return records_.PositionAt(since, next_sequence_ - 1);
}

LogStats MemoryLog::Stats() {
  absl::MutexLock lock(&mu_);
  LogStats stats;
  stats.first_sequence = records_.first_sequence();
  stats.last_sequence = next_sequence_ - 1;
  stats.events = records_.size();
  stats.bytes = records_.bytes();
  return stats;
}

}  // namespace hookbridge
