// The process_* metrics every Prometheus client library exports, with the
// names and meanings of client_golang's process collector (prometheus-cpp
// has none), read from /proc when scraped: CPU time, resident and virtual
// memory, open and maximum file descriptors, start time. Linux only.
#ifndef HOOKBRIDGE_SERVER_METRICS_PROCESS_METRICS_H_
#define HOOKBRIDGE_SERVER_METRICS_PROCESS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hookbridge {

struct ProcessStats {
  double cpu_seconds = 0;  // user + system, since the process started
  uint64_t resident_memory_bytes = 0;
  uint64_t virtual_memory_bytes = 0;
  double start_time_seconds = 0;  // since the Unix epoch
  uint64_t open_fds = 0;
  double max_fds = 0;  // the soft RLIMIT_NOFILE
};

// What turns /proc/<pid>/stat's units into seconds and bytes.
struct ProcClock {
  int64_t ticks_per_second = 100;  // sysconf(_SC_CLK_TCK)
  int64_t page_size = 4096;        // sysconf(_SC_PAGESIZE)
  int64_t boot_time_seconds = 0;   // "btime" of /proc/stat
};

// Sets cpu_seconds, resident_memory_bytes, virtual_memory_bytes and
// start_time_seconds of `out` from the content of /proc/<pid>/stat (whose
// command name may hold spaces and parentheses). InvalidArgument if it is
// not such a line.
absl::Status ParseProcStat(absl::string_view stat, const ProcClock& clock, ProcessStats* out);

// The boot time ("btime", seconds since the Unix epoch) in the content of
// /proc/stat. InvalidArgument without one.
absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat);

// This process's figures now. An error if /proc cannot be read.
absl::StatusOr<ProcessStats> ReadProcessStats();

// The families, as a scrape of a client_golang process shows them:
// process_cpu_seconds_total (counter), process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds,
// process_open_fds, process_max_fds (gauges).
std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessStats& stats);

// Collects ProcessFamilies(ReadProcessStats()) at each Collect; none when
// /proc cannot be read, which the first such Collect logs as a warning.
// Thread-safe.
class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::atomic<bool> warned_{false};
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_METRICS_PROCESS_METRICS_H_
