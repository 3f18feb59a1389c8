#include "server/grpc/read_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/thread_name.h"

namespace hookbridge {

ReadPool::ReadPool(int threads) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      NameThisThread(absl::StrCat("hb-read-", i));
      Run();
    });
  }
}

ReadPool::~ReadPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void ReadPool::Schedule(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

size_t ReadPool::queued() {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void ReadPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace hookbridge
