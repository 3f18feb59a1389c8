// Follows a shared event log (JetStream) from a position on a thread of its
// own and hands every record appended after it, by any replica, to a
// callback: how each replica's de-duplication window and ordering guard
// learn what the other replicas took.
#ifndef HOOKBRIDGE_BRIDGE_FOLLOWER_H_
#define HOOKBRIDGE_BRIDGE_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bridge/log/event_log.h"
#include "bridge/subscription.h"

namespace hookbridge {

class LogFollower {
 public:
  // Called on the follower's thread, once per record, in log order.
  using RecordCallback = std::function<void(const LogRecord& record)>;

  // Starts following `log` after sequence `after`. `log` must outlive the
  // follower. Records removed before they were read are skipped (the
  // follower continues from the end); while the log cannot be read (its
  // connection is down) it tries again every second.
  static absl::StatusOr<std::unique_ptr<LogFollower>> Start(EventLog* log, uint64_t after,
                                                            RecordCallback on_record);

  // Stops the thread; no callback runs after this returns.
  ~LogFollower();

 private:
  LogFollower(EventLog* log, RecordCallback on_record)
      : log_(log), on_record_(std::move(on_record)) {}

  void Wake();
  void Run();
  // Continues from the end of the log.
  absl::Status Restart();

  EventLog* const log_;
  const RecordCallback on_record_;
  std::unique_ptr<Subscription> subscription_;  // used by the thread only
  std::thread thread_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = true;  // read once to arm the wake-up
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_FOLLOWER_H_
