#include "server/http/http_stream.h"

namespace hookbridge {

bool HttpStream::Write(std::string data) {
  absl::MutexLock lock(&mu_);
  if (closing_) return false;
  if (queue_.size() + data.size() > options_.max_queued_bytes) {
    closing_ = true;
    overflowed_ = true;
    queue_.clear();
    if (wake_) wake_();
    return false;
  }
  const bool was_empty = queue_.empty();
  queue_.append(data);
  // The connection takes everything queued at once, so only the first
  // write after it has emptied the queue needs to wake it.
  if (was_empty && wake_) wake_();
  return true;
}

void HttpStream::Close() {
  absl::MutexLock lock(&mu_);
  if (closing_) return;
  closing_ = true;
  if (wake_) wake_();
}

bool HttpStream::done() const {
  absl::MutexLock lock(&mu_);
  return closing_;
}

bool HttpStream::overflowed() const {
  absl::MutexLock lock(&mu_);
  return overflowed_;
}

void HttpStream::Attach(std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  wake_ = std::move(wake);
  if (!queue_.empty() || closing_) wake_();
}

HttpStream::Pending HttpStream::Take() {
  absl::MutexLock lock(&mu_);
  Pending pending;
  pending.data.swap(queue_);
  pending.end = closing_;
  return pending;
}

void HttpStream::Detach() {
  std::function<void()> wake;
  absl::MutexLock lock(&mu_);
  closing_ = true;
  queue_.clear();
  wake.swap(wake_);
  // `wake` is destroyed after the lock is released.
}

}  // namespace hookbridge
