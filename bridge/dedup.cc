#include "bridge/dedup.h"

#include <algorithm>

#include "absl/base/internal/endian.h"
#include "bridge/check.h"
#include "bridge/crypto.h"

namespace hookbridge {

DedupWindow::DedupWindow(size_t max_entries, absl::Duration window, size_t window_max_entries)
    : max_entries_(max_entries), window_(window), window_max_entries_(window_max_entries) {
  HB_CHECK(max_entries_ > 0);
}

DedupWindow::Digest DedupWindow::DigestOf(absl::string_view key) {
  const Sha256Digest sha = Sha256({key});
  Digest d;
  d.hi = absl::big_endian::Load64(sha.data());
  d.lo = absl::big_endian::Load64(sha.data() + 8);
  return d;
}

DedupWindow::State DedupWindow::Reserve(absl::string_view key) {
  const Digest digest = DigestOf(key);
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = keys_.try_emplace(digest);
  if (inserted) return State::kNew;
  return it->second.committed ? State::kDuplicate : State::kInFlight;
}

void DedupWindow::Commit(absl::string_view key) {
  const Digest digest = DigestOf(key);
  absl::MutexLock lock(&mu_);
  CommitLocked(digest, false, absl::InfinitePast());
}

void DedupWindow::CommitForWindow(absl::string_view key, absl::Time at) {
  const Digest digest = DigestOf(key);
  absl::MutexLock lock(&mu_);
  CommitLocked(digest, window_ > absl::ZeroDuration() && window_max_entries_ > 0, at);
}

void DedupWindow::CommitLocked(const Digest& digest, bool timed, absl::Time at) {
  auto it = keys_.find(digest);
  HB_CHECK(it != keys_.end() && !it->second.committed);
  it->second.committed = true;
  it->second.recent = true;
  recent_.push_back(digest);
  if (timed) {
    it->second.timed = true;
    timed_.emplace_back(at, digest);
    newest_ = std::max(newest_, at);
  }
  while (recent_.size() > max_entries_) {
    const Digest old = recent_.front();
    recent_.pop_front();
    Forget(old, false);
  }
  // By the newest time committed, not the wall clock: a clock set forward
  // must not empty the window (records carry the log's time, which never
  // goes back).
  while (!timed_.empty() && timed_.front().first < newest_ - window_) {
    const Digest old = timed_.front().second;
    timed_.pop_front();
    Forget(old, true);
  }
  while (timed_.size() > window_max_entries_) {
    const Digest old = timed_.front().second;
    timed_.pop_front();
    ++forgotten_early_;
    Forget(old, true);
  }
}

void DedupWindow::Forget(const Digest& digest, bool timed) {
  auto it = keys_.find(digest);
  HB_CHECK(it != keys_.end());
  (timed ? it->second.timed : it->second.recent) = false;
  if (!it->second.timed && !it->second.recent) keys_.erase(it);
}

void DedupWindow::Release(absl::string_view key) {
  const Digest digest = DigestOf(key);
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(digest);
  HB_CHECK(it != keys_.end() && !it->second.committed);
  keys_.erase(it);
}

size_t DedupWindow::size() {
  absl::MutexLock lock(&mu_);
  return recent_.size();
}

size_t DedupWindow::window_size() {
  absl::MutexLock lock(&mu_);
  return timed_.size();
}

uint64_t DedupWindow::forgotten_early() {
  absl::MutexLock lock(&mu_);
  return forgotten_early_;
}

}  // namespace hookbridge
