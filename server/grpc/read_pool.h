// Threads that read the event log for gRPC streams. A stream's next events
// may be a file read, a NATS fetch or a long scan past records its filter
// does not match: none of that runs on gRPC's reaction threads (which every
// stream and unary call share) or on the log's notifier thread, and none of
// it under a lock that /metrics or the console take. Tasks run in the order
// scheduled; a stream scanning a long log schedules one bounded step at a
// time, so others' steps come in between.
#ifndef HOOKBRIDGE_SERVER_GRPC_READ_POOL_H_
#define HOOKBRIDGE_SERVER_GRPC_READ_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace hookbridge {

class ReadPool {
 public:
  explicit ReadPool(int threads);
  // Runs the tasks still queued, then joins.
  ~ReadPool();
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  void Schedule(std::function<void()> task);

  // Tasks queued, not yet running.
  size_t queued();

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_GRPC_READ_POOL_H_
