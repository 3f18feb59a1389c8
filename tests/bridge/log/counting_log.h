// A memory log for tests that counts the records its reads hand out (every
// read goes through Read: ReadSelected's default and ReadIfCached too).
#ifndef HOOKBRIDGE_TESTS_BRIDGE_LOG_COUNTING_LOG_H_
#define HOOKBRIDGE_TESTS_BRIDGE_LOG_COUNTING_LOG_H_

#include <memory>
#include <vector>

#include "bridge/log/memory/memory_log.h"

namespace hookbridge {

class CountingLog : public MemoryLog {
 public:
  CountingLog() : MemoryLog(MemoryLog::Options{}) {}

  absl::Status Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                    const std::shared_ptr<LogWaiter>& waiter) override {
    const size_t before = out->size();
    absl::Status status = MemoryLog::Read(after, max, out, waiter);
    records_read += out->size() - before;
    return status;
  }

  size_t records_read = 0;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_TESTS_BRIDGE_LOG_COUNTING_LOG_H_
