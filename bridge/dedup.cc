#include "bridge/dedup.h"

#include <algorithm>

#include "absl/base/internal/endian.h"
#include "bridge/byte_io.h"
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

std::string DedupWindow::Save() {
  absl::MutexLock lock(&mu_);
  std::string out;
  out.reserve(16 + recent_.size() * 16 + 8 + timed_.size() * 24 + 16);
  PutU64(&out, recent_.size());
  for (const Digest& d : recent_) {
    PutU64(&out, d.hi);
    PutU64(&out, d.lo);
  }
  PutU64(&out, timed_.size());
  for (const auto& [at, d] : timed_) {
    PutU64(&out, static_cast<uint64_t>(absl::ToUnixNanos(at)));
    PutU64(&out, d.hi);
    PutU64(&out, d.lo);
  }
  PutU64(&out, static_cast<uint64_t>(newest_ == absl::InfinitePast() ? INT64_MIN
                                                                     : absl::ToUnixNanos(newest_)));
  PutU64(&out, forgotten_early_);
  return out;
}

bool DedupWindow::Load(absl::string_view data) {
  ByteReader in(data);
  absl::flat_hash_map<Digest, Entry> keys;
  std::deque<Digest> recent;
  std::deque<std::pair<absl::Time, Digest>> timed;
  const uint64_t recent_count = in.U64();
  if (!in.ok() || recent_count > in.left() / 16 || recent_count > max_entries_) return false;
  for (uint64_t i = 0; i < recent_count; ++i) {
    Digest d;
    d.hi = in.U64();
    d.lo = in.U64();
    Entry& e = keys[d];
    if (e.recent) return false;  // each key once
    e.committed = e.recent = true;
    recent.push_back(d);
  }
  const uint64_t timed_count = in.U64();
  if (!in.ok() || timed_count > in.left() / 24 || timed_count > window_max_entries_) return false;
  for (uint64_t i = 0; i < timed_count; ++i) {
    const absl::Time at = absl::FromUnixNanos(static_cast<int64_t>(in.U64()));
    Digest d;
    d.hi = in.U64();
    d.lo = in.U64();
    Entry& e = keys[d];
    if (e.timed) return false;
    e.committed = e.timed = true;
    timed.emplace_back(at, d);
  }
  const int64_t newest = static_cast<int64_t>(in.U64());
  const uint64_t forgotten_early = in.U64();
  if (!in.ok() || in.left() != 0) return false;
  absl::MutexLock lock(&mu_);
  if (!keys_.empty()) return false;
  keys_ = std::move(keys);
  recent_ = std::move(recent);
  timed_ = std::move(timed);
  newest_ = newest == INT64_MIN ? absl::InfinitePast() : absl::FromUnixNanos(newest);
  forgotten_early_ = forgotten_early;
  return true;
}

}  // namespace hookbridge
