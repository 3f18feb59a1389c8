#include "bridge/ordering.h"

#include "absl/strings/str_cat.h"
#include "bridge/byte_io.h"
#include "bridge/check.h"

namespace hookbridge {

OrderingGuard::OrderingGuard(size_t max_subjects) : max_subjects_(max_subjects) {
  HB_CHECK(max_subjects_ > 0);
}

bool OrderingGuard::IsSuperseded(absl::string_view source, absl::string_view subject,
                                 absl::Time time) {
  std::string key = absl::StrCat(source, "\n", subject);
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = latest_.try_emplace(key, time);
  if (inserted) {
    order_.push_back(std::move(key));
    if (order_.size() > max_subjects_) {
      latest_.erase(order_.front());
      order_.pop_front();
    }
    return false;
  }
  if (time < it->second) return true;
  it->second = time;
  return false;
}

void OrderingGuard::Clear() {
  absl::MutexLock lock(&mu_);
  latest_.clear();
  order_.clear();
}

std::string OrderingGuard::Save() {
  absl::MutexLock lock(&mu_);
  std::string out;
  PutU64(&out, order_.size());
  for (const std::string& key : order_) {
    PutBytes(&out, key);
    PutU64(&out, static_cast<uint64_t>(absl::ToUnixNanos(latest_.at(key))));
  }
  return out;
}

bool OrderingGuard::Load(absl::string_view data) {
  ByteReader in(data);
  const uint64_t count = in.U64();
  if (!in.ok() || count > max_subjects_ || count > in.left() / 16) return false;
  absl::flat_hash_map<std::string, absl::Time> latest;
  std::deque<std::string> order;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key(in.Bytes());
    const absl::Time time = absl::FromUnixNanos(static_cast<int64_t>(in.U64()));
    if (!in.ok() || !latest.emplace(key, time).second) return false;
    order.push_back(std::move(key));
  }
  if (in.left() != 0) return false;
  absl::MutexLock lock(&mu_);
  if (!latest_.empty()) return false;
  latest_ = std::move(latest);
  order_ = std::move(order);
  return true;
}

}  // namespace hookbridge
