// A real Prometheus (Debian's) scrapes the real binary's admin port; the
// counters are read back through the Prometheus HTTP API. promtool checks
// the exposition.
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kSecret[] = "prometheus-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// A port the kernel reports free now. Prometheus cannot be given port 0.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Body(int n) {
  return absl::StrCat(
      R"({"event":"comment.added","environment_id":"e","payload":{"document":{"id":"d"},"comment":{"id":"c-)",
      n, R"("}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-prometheus-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (prometheus_pid_ > 0) {
      kill(prometheus_pid_, SIGTERM);
      waitpid(prometheus_pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  // The value of the first series of an instant query, or -1.
  double Query(const std::string& promql) {
    HttpClient http(prometheus_port_);
    std::string encoded;
    for (char c : promql) {
      if (isalnum(static_cast<unsigned char>(c)) || c == '_') {
        encoded.push_back(c);
      } else {
        absl::StrAppend(&encoded, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
      }
    }
    HttpResponse r = http.TrySend("GET", "/api/v1/query?query=" + encoded);
    if (r.status != 200) return -1;
    google::protobuf::Struct json;
    if (!google::protobuf::util::JsonStringToMessage(r.body, &json).ok()) return -1;
    const auto& result = json.fields().at("data").struct_value().fields().at("result").list_value();
    if (result.values_size() == 0) return -1;
    const auto& value = result.values(0).struct_value().fields().at("value").list_value();
    double v = -1;
    if (!absl::SimpleAtod(value.values(1).string_value(), &v)) return -1;
    return v;
  }

  // Polls `promql` until it equals `want` or 60 s pass (Prometheus scrapes
  // every second). Returns the last value seen.
  double WaitFor(const std::string& promql, double want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    double v = -1;
    while (absl::Now() < deadline) {
      v = Query(promql);
      if (v == want) return v;
      absl::SleepFor(absl::Milliseconds(200));  // polling an external server
    }
    return v;
  }

  std::string dir_;
  int prometheus_port_ = 0;
  pid_t prometheus_pid_ = -1;
};

TEST_F(PrometheusTest, ScrapedCountersMatchWhatWasSent) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(http.PostSigned(kPath, Body(i), kSecret).status, 200);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http.PostSigned(kPath, Body(i), "wrong").status, 401);

  // promtool accepts the exposition as is.
  HttpClient admin(process->admin_port());
  const std::string metrics_file = dir_ + "/metrics.txt";
  std::ofstream(metrics_file) << admin.Send("GET", "/metrics").body;
  CommandResult check = RunCommand({"/bin/sh", "-c", "promtool check metrics < " + metrics_file});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  prometheus_port_ = FreePort();
  std::ofstream(dir_ + "/prometheus.yml")
      << "global:\n  scrape_interval: 1s\n"
      << "scrape_configs:\n  - job_name: hookbridge\n    static_configs:\n"
      << "      - targets: [\"127.0.0.1:" << process->admin_port() << "\"]\n";
  CommandResult config_check =
      RunCommand({"/usr/bin/promtool", "check", "config", dir_ + "/prometheus.yml"});
  ASSERT_EQ(config_check.exit_code, 0) << config_check.out << config_check.err;
  prometheus_pid_ =
      SpawnBackground({"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                       "--storage.tsdb.path=" + dir_ + "/data",
                       absl::StrCat("--web.listen-address=127.0.0.1:", prometheus_port_)},
                      dir_ + "/prometheus.log");
  ASSERT_GT(prometheus_pid_, 0);

  EXPECT_EQ(WaitFor("up{job=\"hookbridge\"}", 1), 1);
  EXPECT_EQ(
      WaitFor("hookbridge_webhooks_received_total{outcome=\"accepted\",source=\"ckeditor\"}", 5),
      5);
  EXPECT_EQ(
      Query("hookbridge_webhooks_received_total{outcome=\"bad_signature\",source=\"ckeditor\"}"),
      3);
  EXPECT_EQ(Query("hookbridge_events_appended_total{source=\"ckeditor\",type=\"comment.added\"}"),
            5);
  EXPECT_EQ(Query("hookbridge_log_last_sequence"), 5);
  EXPECT_EQ(Query("hookbridge_ingest_duration_seconds_count"), 8);
}

}  // namespace
}  // namespace hookbridge::testing
