#include "bridge/follower.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace hookbridge {

absl::StatusOr<std::unique_ptr<LogFollower>> LogFollower::Start(EventLog* log, uint64_t after,
                                                                RecordCallback on_record) {
  std::unique_ptr<LogFollower> follower(new LogFollower(log, std::move(on_record)));
  v1::SubscribeRequest request;
  request.set_after_sequence(after);
  LogFollower* f = follower.get();
  absl::StatusOr<std::unique_ptr<Subscription>> sub =
      Subscription::Create(log, request, [f] { f->Wake(); });
  if (!sub.ok()) {
    return absl::Status(sub.status().code(),
                        absl::StrCat("following the shared event log: ", sub.status().message()));
  }
  follower->subscription_ = *std::move(sub);
  follower->thread_ = std::thread([f] { f->Run(); });
  return follower;
}

LogFollower::~LogFollower() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  subscription_->Close();
}

void LogFollower::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void LogFollower::Run() {
  std::vector<RecordPtr> records;
  bool retry = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this] { return woken_ || stop_; };
      // After a failed read (the log's connection is down) try again
      // now and then: the log wakes readers, not failed ones.
      if (retry) {
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
      } else {
        mu_.Await(absl::Condition(&ready));
      }
      if (stop_) return;
      woken_ = false;
    }
    retry = false;
    for (;;) {
      records.clear();
      absl::Status status = subscription_->Next(256, &records);
      if (absl::IsOutOfRange(status)) {
        // Removed before this replica read them: nothing to remember.
        status = Restart();
      }
      if (!status.ok()) {
        retry = true;
        break;
      }
      if (records.empty() && !subscription_->more()) break;  // a wake-up is armed
      for (const RecordPtr& record : records) on_record_(*record);
    }
  }
}

absl::Status LogFollower::Restart() {
  v1::SubscribeRequest request;  // no start: the end
  absl::StatusOr<std::unique_ptr<Subscription>> sub =
      Subscription::Create(log_, request, [this] { Wake(); });
  if (!sub.ok()) return sub.status();
  subscription_->Close();
  subscription_ = *std::move(sub);
  return absl::OkStatus();
}

}  // namespace hookbridge
