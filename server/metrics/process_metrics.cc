#include "server/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

// Fields of /proc/<pid>/stat (proc(5), numbered from 1), as indexes into
// the fields after the command name, which start with field 3.
constexpr size_t kUtime = 14 - 3;
constexpr size_t kStime = 15 - 3;
constexpr size_t kStartTime = 22 - 3;
constexpr size_t kVsize = 23 - 3;
constexpr size_t kRss = 24 - 3;

absl::StatusOr<std::string> ReadWholeFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot open ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<uint64_t> CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return absl::UnavailableError(absl::StrCat("/proc/self/fd: ", std::strerror(errno)));
  }
  // The directory's own descriptor is the counting's, not the process's.
  const std::string own = std::to_string(dirfd(dir));
  uint64_t n = 0;
  while (const dirent* entry = readdir(dir)) {
    const absl::string_view name = entry->d_name;
    if (name == "." || name == ".." || name == own) continue;
    ++n;
  }
  closedir(dir);
  return n;
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric& metric = family.metric.emplace_back();
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return family;
}

}  // namespace

absl::Status ParseProcStat(absl::string_view stat, const ProcClock& clock, ProcessStats* out) {
  // "pid (comm) state ...": comm may hold anything, so the fields start
  // after its last ')'.
  const size_t close = stat.rfind(')');
  if (close == absl::string_view::npos || clock.ticks_per_second <= 0) {
    return absl::InvalidArgumentError("not a /proc/<pid>/stat line");
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(close + 1), ' ', absl::SkipEmpty());
  uint64_t utime = 0, stime = 0, start = 0, vsize = 0;
  int64_t rss = 0;
  if (fields.size() <= kRss || !absl::SimpleAtoi(fields[kUtime], &utime) ||
      !absl::SimpleAtoi(fields[kStime], &stime) || !absl::SimpleAtoi(fields[kStartTime], &start) ||
      !absl::SimpleAtoi(fields[kVsize], &vsize) ||
      !absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(fields[kRss]), &rss)) {
    return absl::InvalidArgumentError("a /proc/<pid>/stat line without the expected fields");
  }
  const double ticks = static_cast<double>(clock.ticks_per_second);
  out->cpu_seconds = static_cast<double>(utime + stime) / ticks;
  out->virtual_memory_bytes = vsize;
  out->resident_memory_bytes = rss > 0 ? static_cast<uint64_t>(rss) * clock.page_size : 0;
  out->start_time_seconds = static_cast<double>(clock.boot_time_seconds) + start / ticks;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    int64_t seconds = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &seconds)) return seconds;
  }
  return absl::InvalidArgumentError("/proc/stat has no btime line");
}

absl::StatusOr<ProcessStats> ReadProcessStats() {
  ProcClock clock;
  clock.ticks_per_second = sysconf(_SC_CLK_TCK);
  clock.page_size = sysconf(_SC_PAGESIZE);
  absl::StatusOr<std::string> system = ReadWholeFile("/proc/stat");
  if (!system.ok()) return system.status();
  absl::StatusOr<int64_t> boot = ParseBootTime(*system);
  if (!boot.ok()) return boot.status();
  clock.boot_time_seconds = *boot;
  absl::StatusOr<std::string> stat = ReadWholeFile("/proc/self/stat");
  if (!stat.ok()) return stat.status();
  ProcessStats stats;
  if (absl::Status parsed = ParseProcStat(*stat, clock, &stats); !parsed.ok()) return parsed;
  absl::StatusOr<uint64_t> fds = CountOpenFds();
  if (!fds.ok()) return fds.status();
  stats.open_fds = *fds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::UnavailableError(absl::StrCat("getrlimit: ", std::strerror(errno)));
  }
  stats.max_fds = static_cast<double>(limit.rlim_cur);
  return stats;
}

std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessStats& stats) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  out.push_back(Family("process_cpu_seconds_total",
                       "Total user and system CPU time spent in seconds.", MetricType::Counter,
                       stats.cpu_seconds));
  out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes.",
                       MetricType::Gauge, static_cast<double>(stats.resident_memory_bytes)));
  out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                       MetricType::Gauge, static_cast<double>(stats.virtual_memory_bytes)));
  out.push_back(Family("process_start_time_seconds",
                       "Start time of the process since the Unix epoch in seconds.",
                       MetricType::Gauge, stats.start_time_seconds));
  out.push_back(Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                       static_cast<double>(stats.open_fds)));
  out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                       MetricType::Gauge, stats.max_fds));
  return out;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  absl::StatusOr<ProcessStats> stats = ReadProcessStats();
  if (!stats.ok()) {
    // Said once: without /proc (not Linux, or not mounted) every scrape
    // would fail the same way.
    if (!warned_.exchange(true)) {
      Log(LogLevel::kWarn, "process metrics unavailable",
          {{"reason", std::string(stats.status().message())}});
    }
    return {};
  }
  return ProcessFamilies(*stats);
}

}  // namespace hookbridge
