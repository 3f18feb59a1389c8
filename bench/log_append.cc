// Appends per second and acknowledgement latency of the event log backends,
// measured in one run on this machine: the memory log, the file log with
// fsync: always (group commit), interval and never, and, for reference, this
// disk's own fdatasync latency.
//
//   build/bin/bench_log_append [--seconds 3] [--event_bytes 1024]
//                              [--threads 1,8,64] [--dir /tmp/...] [--json FILE]
//
// Each appender thread appends an event and waits for its acknowledgement,
// then appends the next (closed loop), so concurrency = threads.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bridge/log/file/file_log.h"
#include "bridge/log/memory/memory_log.h"

ABSL_FLAG(double, seconds, 3, "duration of each measurement");
ABSL_FLAG(int, event_bytes, 1024, "size of each event's raw body");
ABSL_FLAG(std::vector<std::string>, threads, std::vector<std::string>({"1", "8", "64"}),
          "concurrent appenders, one measurement each");
ABSL_FLAG(std::string, dir, "", "directory for the file log (default: a temporary one)");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace hookbridge {
namespace {

struct Result {
  std::string backend;
  int threads = 0;
  uint64_t appends = 0;
  double seconds = 0;
  double p50_us = 0;
  double p99_us = 0;
  uint64_t syncs = 0;
  double rate() const { return appends / seconds; }
};

EncodedEvent MakeEvent(uint64_t n, int bytes) {
  v1::Event event;
  event.set_id(absl::StrCat("bench-", n));
  event.set_type("comment.added");
  event.set_source("bench");
  event.set_subject("doc-1");
  event.set_raw_body(std::string(static_cast<size_t>(bytes), 'x'));
  const int64_t nanos = absl::ToUnixNanos(absl::Now());
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return EncodeEvent(std::move(event));
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

Result Measure(const std::string& name, EventLog& log, int threads, absl::Duration duration,
               int event_bytes) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> counter{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
  const uint64_t syncs_before = log.Stats().syncs;
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        EncodedEvent event = MakeEvent(counter.fetch_add(1), event_bytes);
        absl::Notification done;
        const absl::Time sent = absl::Now();
        log.Append(std::move(event), [&](absl::StatusOr<uint64_t> s) {
          if (!s.ok()) std::fprintf(stderr, "append failed: %s\n", s.status().ToString().c_str());
          done.Notify();
        });
        done.WaitForNotification();
        latencies[static_cast<size_t>(t)].push_back(absl::ToDoubleMicroseconds(absl::Now() - sent));
      }
    });
  }
  absl::SleepFor(duration);  // the measurement window itself
  stop = true;
  for (auto& w : workers) w.join();
  Result r;
  r.backend = name;
  r.threads = threads;
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  r.appends = all.size();
  r.p50_us = Percentile(all, 0.50);
  r.p99_us = Percentile(all, 0.99);
  r.syncs = log.Stats().syncs - syncs_before;
  return r;
}

// This disk's fdatasync latency for a 1 KiB append, p50 and p99 (µs).
// With `prezeroed`, the 1 KiB writes go over a file of zeros written and
// synced beforehand, so that fdatasync has no size change or block
// allocation to journal: what a log whose segments are preallocated this
// way would wait for (the file log appends).
std::pair<double, double> FdatasyncLatency(const std::string& dir, absl::Duration duration,
                                           bool prezeroed) {
  const std::string path = dir + "/fdatasync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (fd < 0) return {0, 0};
  if (prezeroed) {
    const std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 64; ++i) {
      if (::write(fd, zeros.data(), zeros.size()) < 0) break;
    }
    ::fdatasync(fd);
  }
  std::string block(1024, 'x');
  std::vector<double> samples;
  off_t offset = 0;
  const absl::Time end = absl::Now() + duration;
  while (absl::Now() < end && offset + 1024 <= (off_t{64} << 20)) {
    if (::pwrite(fd, block.data(), block.size(), offset) < 0) break;
    offset += 1024;
    const absl::Time t = absl::Now();
    ::fdatasync(fd);
    samples.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
  }
  ::close(fd);
  ::unlink(path.c_str());
  return {Percentile(samples, 0.5), Percentile(samples, 0.99)};
}

int Run() {
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const int event_bytes = absl::GetFlag(FLAGS_event_bytes);
  std::string dir = absl::GetFlag(FLAGS_dir);
  bool temporary = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/hookbridge-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
    temporary = true;
  }
  std::vector<Result> results;
  const auto [sync_p50, sync_p99] = FdatasyncLatency(dir, absl::Seconds(1), false);
  const auto [zeroed_p50, zeroed_p99] = FdatasyncLatency(dir, absl::Seconds(1), true);
  for (const std::string& t : absl::GetFlag(FLAGS_threads)) {
    const int threads = std::stoi(t);
    {
      MemoryLog log(MemoryLog::Options{1000000, 1ull << 30});
      results.push_back(Measure("memory", log, threads, duration, event_bytes));
    }
    for (auto [name, policy] : {std::pair{"file fsync=always", FileLog::Fsync::kAlways},
                                std::pair{"file fsync=interval", FileLog::Fsync::kInterval},
                                std::pair{"file fsync=never", FileLog::Fsync::kNever}}) {
      std::filesystem::remove_all(dir + "/log");
      FileLog::Options options;
      options.dir = dir + "/log";
      options.fsync = policy;
      absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
      if (!log.ok()) {
        std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
        return 1;
      }
      results.push_back(Measure(name, **log, threads, duration, event_bytes));
    }
  }
  if (temporary) std::filesystem::remove_all(dir);

  std::printf("event log appends, %d-byte events, %.0f s each, closed loop\n", event_bytes,
              absl::ToDoubleSeconds(duration));
  std::printf(
      "this disk's fdatasync: p50 %.0f us, p99 %.0f us (appending); over pre-zeroed blocks p50 "
      "%.0f us, p99 %.0f us\n\n",
      sync_p50, sync_p99, zeroed_p50, zeroed_p99);
  std::printf("%-22s %8s %14s %12s %12s %12s\n", "backend", "threads", "appends/s", "p50 us",
              "p99 us", "appends/sync");
  for (const Result& r : results) {
    std::printf("%-22s %8d %14.0f %12.1f %12.1f %12s\n", r.backend.c_str(), r.threads, r.rate(),
                r.p50_us, r.p99_us,
                r.syncs > 0 ? absl::StrCat(static_cast<double>(r.appends) / r.syncs).c_str() : "-");
  }
  for (const std::string& t : absl::GetFlag(FLAGS_threads)) {
    double memory = 0, always = 0;
    for (const Result& r : results) {
      if (r.threads != std::stoi(t)) continue;
      if (r.backend == "memory") memory = r.rate();
      if (r.backend == "file fsync=always") always = r.rate();
    }
    std::printf("\n%s threads: file fsync=always / memory = %.3f", t.c_str(), always / memory);
  }
  std::printf("\n");

  if (const std::string path = absl::GetFlag(FLAGS_json); !path.empty()) {
    std::ofstream out(path);
    out << "{\n  \"event_bytes\": " << event_bytes
        << ",\n  \"seconds\": " << absl::ToDoubleSeconds(duration)
        << ",\n  \"fdatasync_p50_us\": " << sync_p50 << ",\n  \"fdatasync_p99_us\": " << sync_p99
        << ",\n  \"fdatasync_prezeroed_p50_us\": " << zeroed_p50
        << ",\n  \"fdatasync_prezeroed_p99_us\": " << zeroed_p99 << ",\n  \"results\": [\n";
    for (size_t i = 0; i < results.size(); ++i) {
      const Result& r = results[i];
      out << "    {\"backend\": \"" << r.backend << "\", \"threads\": " << r.threads
          << ", \"appends_per_second\": " << r.rate() << ", \"p50_us\": " << r.p50_us
          << ", \"p99_us\": " << r.p99_us << ", \"appends\": " << r.appends
          << ", \"syncs\": " << r.syncs << "}" << (i + 1 < results.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
  }
  return 0;
}

}  // namespace
}  // namespace hookbridge

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return hookbridge::Run();
}
