#include "bridge/ordering.h"

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"
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
  auto put = [&out](uint64_t v) {
    char b[8];
    absl::little_endian::Store64(b, v);
    out.append(b, 8);
  };
  put(order_.size());
  for (const std::string& key : order_) {
    put(key.size());
    out.append(key);
    put(static_cast<uint64_t>(absl::ToUnixNanos(latest_.at(key))));
  }
  return out;
}

bool OrderingGuard::Load(absl::string_view data) {
  bool ok = true;
  auto get = [&data, &ok]() -> uint64_t {
    if (data.size() < 8) {
      ok = false;
      return 0;
    }
    const uint64_t v = absl::little_endian::Load64(data.data());
    data.remove_prefix(8);
    return v;
  };
  const uint64_t count = get();
  if (!ok || count > max_subjects_ || count > data.size() / 16) return false;
  absl::flat_hash_map<std::string, absl::Time> latest;
  std::deque<std::string> order;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t size = get();
    if (!ok || size > data.size()) return false;
    std::string key(data.substr(0, size));
    data.remove_prefix(size);
    const absl::Time time = absl::FromUnixNanos(static_cast<int64_t>(get()));
    if (!ok || !latest.emplace(key, time).second) return false;
    order.push_back(std::move(key));
  }
  if (!data.empty()) return false;
  absl::MutexLock lock(&mu_);
  if (!latest_.empty()) return false;
  latest_ = std::move(latest);
  order_ = std::move(order);
  return true;
}

}  // namespace hookbridge
