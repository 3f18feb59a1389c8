// What Prometheus on Kubernetes sees of the process itself, from the real
// binary: hookbridge_build_info (the version and the git commit it was
// built from) and the process_* metrics every client library exports.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "observability-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

std::string Scrape(int admin_port) {
  HttpClient admin(admin_port);
  HttpResponse response = admin.Send("GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  return response.body;
}

// The labels of the first sample of `metric` in `text` ({} if none), e.g.
// {"revision", "..."}, {"version", "..."}.
std::map<std::string, std::string> Labels(const std::string& text, const std::string& metric) {
  std::map<std::string, std::string> labels;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, metric + "{")) continue;
    line = line.substr(0, line.find('}'));
    for (absl::string_view pair : absl::StrSplit(line, ',', absl::SkipEmpty())) {
      std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
      if (kv.size() == 2)
        labels[kv[0]] = std::string(absl::StripSuffix(absl::StripPrefix(kv[1], "\""), "\""));
    }
    break;
  }
  return labels;
}

// The commit the sources are at, as the build saw it: "unknown" outside a
// git checkout.
std::string SourceRevision() {
  CommandResult git = RunCommand(
      {"/bin/sh", "-c",
       absl::StrCat("git -C '", HOOKBRIDGE_SOURCE_DIR, "' rev-parse --verify --quiet HEAD")});
  const std::string revision(absl::StripAsciiWhitespace(git.out));
  return git.exit_code == 0 && !revision.empty() ? revision : "unknown";
}

TEST(ObservabilityTest, BuildInfoNamesTheVersionAndTheCommitBuilt) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  const std::string text = Scrape(process->admin_port());
  EXPECT_THAT(text, HasSubstr("# TYPE hookbridge_build_info gauge"));
  const std::map<std::string, std::string> labels = Labels(text, "hookbridge_build_info");
  ASSERT_EQ(labels.size(), 2u) << text;
  const std::string& version = labels.at("version");
  const std::string& revision = labels.at("revision");
  EXPECT_EQ(version, HOOKBRIDGE_PROJECT_VERSION);
  // Built in a checkout: the commit of HEAD (after a new commit, rebuild
  // before testing); otherwise "unknown".
  EXPECT_EQ(revision, SourceRevision());
  EXPECT_EQ(
      MetricValue(process->admin_port(), absl::StrCat("hookbridge_build_info{revision=\"", revision,
                                                      "\",version=\"", version, "\"}")),
      1);

  // The same in --version and in the start-up line.
  CommandResult printed = RunCommand({BinaryPath("hookbridge"), "--version"});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, absl::StrCat("hookbridge ", version, " (revision ", revision, ")\n"));
  EXPECT_THAT(process->Stderr(), HasSubstr(absl::StrCat("\"revision\":\"", revision, "\"")));
}

TEST(ObservabilityTest, ProcessMetricsDescribeTheRunningProcess) {
  const absl::Time before = absl::Now();
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  const absl::Time started = absl::Now();
  const int admin = process->admin_port();
  const std::string text = Scrape(admin);
  for (const char* family :
       {"process_cpu_seconds_total counter", "process_resident_memory_bytes gauge",
        "process_virtual_memory_bytes gauge", "process_open_fds gauge", "process_max_fds gauge",
        "process_start_time_seconds gauge"}) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", family, "\n")));
  }

  const double rss = MetricValue(admin, "process_resident_memory_bytes");
  EXPECT_GT(rss, 1 << 20);  // the binary and its threads take more than a MiB
  EXPECT_GE(MetricValue(admin, "process_virtual_memory_bytes"), rss);
  const double open_fds = MetricValue(admin, "process_open_fds");
  EXPECT_GT(open_fds, 3);  // stdio and the listening sockets at least
  EXPECT_GE(MetricValue(admin, "process_max_fds"), open_fds);
  // Started while this test ran. /proc/stat's boot time is whole seconds
  // and the start is in clock ticks: up to a second early.
  const double start = MetricValue(admin, "process_start_time_seconds");
  EXPECT_GE(start, absl::ToUnixMicros(before) / 1e6 - 1.0);
  EXPECT_LE(start, absl::ToUnixMicros(started) / 1e6);

  // CPU time never goes back, whatever the process does in between.
  const double cpu = MetricValue(admin, "process_cpu_seconds_total");
  EXPECT_GE(cpu, 0);
  HttpClient http(process->http_port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody(absl::StrCat("doc-", i)), kSecret).status,
              200);
  }
  EXPECT_GE(MetricValue(admin, "process_cpu_seconds_total"), cpu);
  EXPECT_EQ(MetricValue(admin, "process_start_time_seconds"), start);

  // Each connection the process holds is a descriptor: 20 more are counted,
  // and no more once they are closed. (Scrapes share one connection, so
  // they add none of their own; connections of earlier scrapes the server
  // has yet to see closed only lower the count later.)
  HttpClient scraper(admin);
  auto open_fds_now = [&] {
    HttpResponse response = scraper.Send("GET", "/metrics");
    for (absl::string_view line : absl::StrSplit(response.body, '\n')) {
      double value = -1;
      if (absl::ConsumePrefix(&line, "process_open_fds ") && absl::SimpleAtod(line, &value)) {
        return value;
      }
    }
    return -1.0;
  };
  constexpr int kConnections = 20;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<HttpClient>(admin));
    ASSERT_EQ(clients.back()->Send("GET", "/healthz").status, 200);  // accepted and kept open
  }
  const double busy = open_fds_now();
  EXPECT_GE(busy, kConnections + 3);
  clients.clear();
  double after = busy;
  EXPECT_TRUE(Eventually([&] {
    after = open_fds_now();
    return after <= busy - kConnections;
  })) << busy
      << " open with " << kConnections << " more connections, " << after << " after they closed";
}

}  // namespace
}  // namespace hookbridge::testing
