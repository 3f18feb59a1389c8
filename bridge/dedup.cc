#include "bridge/dedup.h"

#include "bridge/check.h"

namespace hookbridge {

DedupWindow::DedupWindow(size_t max_entries) : max_entries_(max_entries) {
  HB_CHECK(max_entries_ > 0);
}

DedupWindow::State DedupWindow::Reserve(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = keys_.try_emplace(key, false);
  if (inserted) return State::kNew;
  return it->second ? State::kDuplicate : State::kInFlight;
}

void DedupWindow::Commit(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(key);
  HB_CHECK(it != keys_.end() && !it->second);
  it->second = true;
  committed_order_.push_back(key);
  while (committed_order_.size() > max_entries_) {
    keys_.erase(committed_order_.front());
    committed_order_.pop_front();
  }
}

void DedupWindow::Release(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(key);
  HB_CHECK(it != keys_.end() && !it->second);
  keys_.erase(it);
}

size_t DedupWindow::size() {
  absl::MutexLock lock(&mu_);
  return committed_order_.size();
}

}  // namespace hookbridge
