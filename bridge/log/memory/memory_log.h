// An event log held in memory: for tests, demos and deployments that accept
// losing events on restart. Bounded by event count and bytes; the oldest
// records are evicted first, and a reader that falls behind them gets
// OUT_OF_RANGE instead of a silent gap.
#ifndef HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_LOG_H_
#define HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_LOG_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bridge/log/event_log.h"
#include "bridge/log/tail_window.h"

namespace hookbridge {

class MemoryLog : public EventLog {
 public:
  // The `memory` backend's options (`log.max_events`, `log.max_bytes`):
  // retention by count and by size, oldest evicted first.
  struct Options {
    uint64_t max_events = 100000;
    uint64_t max_bytes = 256ull << 20;
  };

  explicit MemoryLog(Options options);

  void Append(EncodedEvent event, AppendCallback done) override;
  // Every record is in memory: serves every read.
  std::optional<absl::Status> ReadIfCached(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                                           const std::shared_ptr<LogWaiter>& waiter) override {
    return Read(after, max, out, waiter);
  }
  absl::Status Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                    const std::shared_ptr<LogWaiter>& waiter) override;
  absl::StatusOr<uint64_t> PositionAt(absl::Time since) override;
  LogStats Stats() override;

 private:
  absl::Mutex mu_;
  // Every retained record: the log is its tail window.
  TailWindow records_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  absl::Time last_appended_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  LogWaiters waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_LOG_H_
