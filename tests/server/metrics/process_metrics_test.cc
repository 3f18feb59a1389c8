#include "server/metrics/process_metrics.h"

#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

// When this test binary's static objects were made: after the process
// started, before any test ran.
const absl::Time kLoaded = absl::Now();

// A /proc/<pid>/stat line (proc(5)) whose command name holds spaces and a
// parenthesis: utime 250, stime 50, starttime 12345 ticks after boot,
// vsize 1 GiB, rss 2000 pages.
constexpr char kStat[] =
    "4242 (hook bridge) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 7 0 12345 "
    "1073741824 2000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesProcStat) {
  ProcClock clock;
  clock.ticks_per_second = 100;
  clock.page_size = 4096;
  clock.boot_time_seconds = 1700000000;
  ProcessStats stats;
  ASSERT_TRUE(ParseProcStat(kStat, clock, &stats).ok());
  EXPECT_DOUBLE_EQ(stats.cpu_seconds, 3.0);
  EXPECT_EQ(stats.virtual_memory_bytes, 1073741824u);
  EXPECT_EQ(stats.resident_memory_bytes, 2000u * 4096);
  EXPECT_DOUBLE_EQ(stats.start_time_seconds, 1700000000 + 123.45);
}

TEST(ProcessMetricsTest, ALineWithoutTheFieldsIsRefused) {
  ProcessStats stats;
  EXPECT_EQ(ParseProcStat("4242 (short) S 1 2 3", ProcClock(), &stats).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseProcStat("no command name", ProcClock(), &stats).code(),
            absl::StatusCode::kInvalidArgument);
  std::string bad_rss = kStat;
  bad_rss.replace(bad_rss.find(" 2000 "), 6, " lots ");
  EXPECT_EQ(ParseProcStat(bad_rss, ProcClock(), &stats).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProcessMetricsTest, ParsesTheBootTime) {
  absl::StatusOr<int64_t> boot =
      ParseBootTime("cpu  1 2 3\nintr 5\nctxt 77\nbtime 1699990000\nprocesses 9\n");
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(*boot, 1699990000);
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3\n").ok());
}

TEST(ProcessMetricsTest, ThisProcessFiguresAreReadFromProc) {
  absl::StatusOr<ProcessStats> before = ReadProcessStats();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_GT(before->resident_memory_bytes, 0u);
  EXPECT_GE(before->virtual_memory_bytes, before->resident_memory_bytes);
  EXPECT_GT(before->open_fds, 0u);
  EXPECT_GE(before->max_fds, static_cast<double>(before->open_fds));
  // /proc/stat's btime is whole seconds, hence the second of slack.
  const double loaded = absl::ToUnixMicros(kLoaded) / 1e6;
  EXPECT_LE(before->start_time_seconds, loaded + 1);
  EXPECT_GT(before->start_time_seconds, loaded - 60);

  // Two more descriptors are counted, and CPU time does not go back.
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  absl::StatusOr<ProcessStats> after = ReadProcessStats();
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->open_fds, before->open_fds + 2);
  EXPECT_GE(after->cpu_seconds, before->cpu_seconds);
  EXPECT_EQ(after->start_time_seconds, before->start_time_seconds);
}

TEST(ProcessMetricsTest, FamiliesHaveTheNamesAndTypesOfTheClientLibraries) {
  ProcessStats stats;
  stats.cpu_seconds = 1.5;
  stats.resident_memory_bytes = 10;
  stats.virtual_memory_bytes = 20;
  stats.start_time_seconds = 30;
  stats.open_fds = 40;
  stats.max_fds = 50;
  std::vector<std::string> seen;
  for (const prometheus::MetricFamily& family : ProcessFamilies(stats)) {
    ASSERT_EQ(family.metric.size(), 1u) << family.name;
    const prometheus::ClientMetric& m = family.metric[0];
    EXPECT_TRUE(m.label.empty());
    const bool counter = family.type == prometheus::MetricType::Counter;
    seen.push_back(family.name + "=" + std::to_string(counter ? m.counter.value : m.gauge.value) +
                   (counter ? " counter" : ""));
  }
  EXPECT_THAT(seen,
              ::testing::ElementsAre("process_cpu_seconds_total=1.500000 counter",
                                     "process_resident_memory_bytes=10.000000",
                                     "process_virtual_memory_bytes=20.000000",
                                     "process_start_time_seconds=30.000000",
                                     "process_open_fds=40.000000", "process_max_fds=50.000000"));
}

}  // namespace
}  // namespace hookbridge
