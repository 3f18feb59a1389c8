#include "bridge/config_reload.h"

#include "bridge/log/file/file_log.h"
#include "bridge/log/memory/memory_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Config Base() {
  Config config;
  SourceConfig docs;
  docs.name = "docs";
  docs.provider = "ckeditor-cloud-services";
  docs.secrets = {"one"};
  config.sources = {docs};
  return config;
}

TEST(MergeForReloadTest, LiveChangesPassAndNothingNeedsARestart) {
  const Config running = Base();
  Config next = Base();
  next.sources[0].secrets = {"two"};
  next.sources.push_back(next.sources[0]);
  next.sources[1].name = "more";
  next.http.rate_limit = RateLimit{5, 5};
  next.http.max_json_depth = 8;
  next.admin.console = false;
  next.admin.console_deliveries = 7;
  next.admin.allowed_hosts = {"console.example"};
  next.admin.console_token_sha256 = std::string(64, 'a');
  next.log_level = "debug";
  next.shutdown_timeout = absl::Seconds(3);
  next.auth.enabled = false;
  next.http.tls.cert_file = "";
  std::vector<std::string> restart;
  const Config merged = MergeForReload(running, next, &restart);
  EXPECT_THAT(restart, IsEmpty());
  ASSERT_EQ(merged.sources.size(), 2u);
  EXPECT_EQ(merged.sources[0].secrets, std::vector<std::string>{"two"});
  EXPECT_EQ(merged.http.rate_limit, (RateLimit{5, 5}));
  EXPECT_EQ(merged.http.max_json_depth, 8);
  EXPECT_FALSE(merged.admin.console);
  EXPECT_EQ(merged.admin.console_deliveries, 7u);
  EXPECT_EQ(merged.admin.allowed_hosts, std::vector<std::string>{"console.example"});
  EXPECT_EQ(merged.admin.console_token_sha256, std::string(64, 'a'));
  EXPECT_EQ(merged.log_level, "debug");
  EXPECT_EQ(merged.shutdown_timeout, absl::Seconds(3));
  EXPECT_FALSE(merged.auth.enabled);
}

TEST(MergeForReloadTest, RestartOnlyChangesAreKeptAndNamed) {
  Config running = Base();
  running.grpc.tls.cert_file = "a.crt";
  running.grpc.tls.key_file = "a.key";
  Config next = Base();
  next.http.listen = ListenAddress{"127.0.0.1", 1};
  next.http.max_body_bytes = 1;
  next.grpc.max_subscribers = 1;
  next.grpc.tls.cert_file = "b.crt";  // a new file: live
  next.grpc.tls.key_file = "b.key";
  next.grpc.tls.client_ca_file = "ca.pem";  // asking for client certificates: not live
  FileLog::Options log;
  log.dir = "elsewhere";
  log.retention_age = absl::Hours(1);
  next.log.options = log;
  next.dedup.max_entries = 1;
  next.sources[0].secrets = {"two"};
  std::vector<std::string> restart;
  const Config merged = MergeForReload(running, next, &restart);
  EXPECT_THAT(restart, ElementsAre("http.listen", "http.max_body_bytes", "grpc.max_subscribers",
                                   "grpc.tls.client_ca_file", "log.dir", "log.retention.age",
                                   "dedup.max_entries"));
  EXPECT_EQ(merged.http.listen.port, running.http.listen.port);
  EXPECT_EQ(merged.http.max_body_bytes, running.http.max_body_bytes);
  EXPECT_EQ(merged.grpc.max_subscribers, running.grpc.max_subscribers);
  EXPECT_EQ(merged.grpc.tls.cert_file, "b.crt");
  EXPECT_EQ(merged.grpc.tls.client_ca_file, "");
  EXPECT_FALSE(merged.log.options.has_value());  // the running one: defaults
  EXPECT_EQ(merged.dedup.max_entries, running.dedup.max_entries);
  // The live part still applies.
  EXPECT_EQ(merged.sources[0].secrets, std::vector<std::string>{"two"});
}

TEST(MergeForReloadTest, AnotherBackendOrItsKeysNeedARestart) {
  Config running = Base();
  Config next = Base();
  next.log.backend = "memory";
  MemoryLog::Options memory;
  memory.max_events = 5;
  next.log.options = memory;
  std::vector<std::string> restart;
  const Config merged = MergeForReload(running, next, &restart);
  // Every key of either backend that differs, each once.
  EXPECT_EQ(restart.front(), "log.backend");
  EXPECT_THAT(restart, ::testing::Contains("log.max_events"));
  EXPECT_THAT(restart, ::testing::Contains("log.dir"));
  EXPECT_EQ(merged.log.backend, "file");
  // The same values written out, or left to the defaults: no change.
  running.log.options = FileLog::Options();
  restart.clear();
  MergeForReload(running, Base(), &restart);
  EXPECT_THAT(restart, IsEmpty());
}

TEST(MergeForReloadTest, TurningTlsOnOrOffNeedsARestart) {
  const Config running = Base();
  Config next = Base();
  next.http.tls.cert_file = "c.crt";
  next.http.tls.key_file = "c.key";
  next.grpc.tls = next.http.tls;
  std::vector<std::string> restart;
  const Config merged = MergeForReload(running, next, &restart);
  EXPECT_THAT(restart, ElementsAre("http.tls", "grpc.tls"));
  EXPECT_FALSE(merged.http.tls.enabled());
  EXPECT_FALSE(merged.grpc.tls.enabled());
}

}  // namespace
}  // namespace hookbridge
