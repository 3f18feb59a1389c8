#include "bridge/ordering.h"

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

}  // namespace hookbridge
