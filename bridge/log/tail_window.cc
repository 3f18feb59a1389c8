#include "bridge/log/tail_window.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/error_info.h"

namespace hookbridge {

absl::Status NotRetainedError(uint64_t after, uint64_t oldest) {
  absl::Status status = absl::OutOfRangeError(
      absl::StrCat("events after ", after, " are no longer retained; the oldest is ", oldest));
  status = WithErrorMetadata(std::move(status), kReasonEventsNotRetained, "oldest_sequence",
                             absl::StrCat(oldest));
  return WithErrorMetadata(std::move(status), kReasonEventsNotRetained, "after_sequence",
                           absl::StrCat(after));
}

absl::Status AfterEndError(uint64_t after, uint64_t last) {
  absl::Status status = absl::OutOfRangeError(
      absl::StrCat("position ", after, " is beyond the last sequence in the log (", last, ")"));
  return WithErrorMetadata(std::move(status), kReasonPositionAfterEnd, "last_sequence",
                           absl::StrCat(last));
}

TailWindow::TailWindow(uint64_t max_bytes, uint64_t max_records)
    : max_bytes_(max_bytes), max_records_(max_records) {}

void TailWindow::Push(RecordPtr record) {
  bytes_ += record->ByteSize();
  records_.push_back(std::move(record));
  while (records_.size() > 1 && (records_.size() > max_records_ || bytes_ > max_bytes_)) {
    PopFront();
  }
}

void TailWindow::Clear() {
  if (!records_.empty()) last_evicted_at_ = records_.back()->appended_at;
  records_.clear();
  bytes_ = 0;
}

void TailWindow::DropBefore(uint64_t sequence) {
  while (!records_.empty() && records_.front()->sequence < sequence) PopFront();
}

void TailWindow::PopFront() {
  bytes_ -= records_.front()->ByteSize();
  last_evicted_at_ = records_.front()->appended_at;
  records_.pop_front();
}

bool TailWindow::Covers(uint64_t after) const {
  return !records_.empty() && records_.front()->sequence <= after + 1;
}

size_t TailWindow::Read(uint64_t after, size_t max, std::vector<RecordPtr>* out) const {
  auto it = std::upper_bound(records_.begin(), records_.end(), after,
                             [](uint64_t s, const RecordPtr& r) { return s < r->sequence; });
  size_t added = 0;
  for (; it != records_.end() && added < max; ++it, ++added) out->push_back(*it);
  return added;
}

bool TailWindow::CoversTime(absl::Time since) const {
  return !records_.empty() && records_.front()->appended_at < since;
}

uint64_t TailWindow::PositionAt(absl::Time since, uint64_t end) const {
  auto it = std::lower_bound(records_.begin(), records_.end(), since,
                             [](const RecordPtr& r, absl::Time t) { return r->appended_at < t; });
  return it == records_.end() ? end : (*it)->sequence - 1;
}

}  // namespace hookbridge
