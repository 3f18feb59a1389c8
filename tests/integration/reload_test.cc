// Live config reload on the real binary: sources added and secrets rotated
// under a steady webhook load with a stream open (on SIGHUP, and on a
// rewritten file without a signal); tokens revoked and narrowed (their
// streams end, others go on); an invalid config refused whole and counted;
// what needs a restart reported and kept; `--check-config`.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kLoadSecret[] = "load-secret";
constexpr char kOldSecret[] = "docs-old-secret";
constexpr char kNewSecret[] = "docs-new-secret";
constexpr char kReloaded[] = "\"msg\":\"config reloaded\"";
constexpr char kRejected[] = "\"msg\":\"config reload rejected";

// Sources: `load` (the steady load's, never changed), `docs` with
// `docs_secret`, and `extra_yaml` (more sources, as YAML list items).
std::string SourcesConfig(const std::string& docs_secret, const std::string& extra_sources = "",
                          const std::string& top = "") {
  // No rate limit: the steady load posts as fast as it can.
  return absl::StrCat(LoopbackListeners("rate_limit: { per_second: 0 }"), top,
                      "sources:\n"
                      "  - name: load\n"
                      "    provider: ckeditor-cloud-services\n"
                      "    secrets: [\"",
                      kLoadSecret,
                      "\"]\n"
                      "  - name: docs\n"
                      "    provider: ckeditor-cloud-services\n"
                      "    secrets: [\"",
                      docs_secret, "\"]\n", extra_sources);
}

// POSTs signed webhooks to /webhooks/load over one keep-alive connection
// until stopped, counting answers by status.
class SteadyLoad {
 public:
  explicit SteadyLoad(int port) : thread_([this, port] { Run(port); }) {}
  ~SteadyLoad() { Stop(); }

  // Waits until at least `n` more requests have been answered.
  bool WaitForMore(int n) {
    const int target = answered() + n;
    return Eventually([&] { return answered() >= target; });
  }

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  int answered() {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const auto& [status, count] : statuses_) n += count;
    return n;
  }
  std::map<int, int> statuses() {
    absl::MutexLock lock(&mu_);
    return statuses_;
  }

 private:
  void Run(int port) {
    HttpClient client(port);
    for (int i = 0; !stop_.load(); ++i) {
      const HttpResponse response = client.TrySend(
          "POST", "/webhooks/load", CommentAddedBody(absl::StrCat("load-", i)),
          HttpClient::CkeditorHeaders("/webhooks/load", CommentAddedBody(absl::StrCat("load-", i)),
                                      kLoadSecret));
      absl::MutexLock lock(&mu_);
      ++statuses_[response.status];
    }
  }

  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::map<int, int> statuses_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

class ReloadTest : public ::testing::Test {
 protected:
  double Metric(const std::string& series) { return MetricValue(process_->admin_port(), series); }

  // Checks the load got only 200s (no 5xx, nothing refused), and that the
  // stream, open all along, delivers every accepted event in order.
  void ExpectLoadUnbroken(SteadyLoad* load, Subscriber* stream, int other_events) {
    load->Stop();
    const std::map<int, int> statuses = load->statuses();
    ASSERT_FALSE(statuses.empty());
    std::string seen;
    for (const auto& [status, count] : statuses) absl::StrAppend(&seen, " ", status, "x", count);
    EXPECT_EQ(statuses.size(), 1u) << "statuses other than 200 under reload:" << seen;
    EXPECT_GT(statuses.count(200), 0u);
    const int events = (statuses.count(200) ? statuses.at(200) : 0) + other_events;
    std::vector<v1::Event> delivered = stream->ReadN(events);
    ASSERT_EQ(static_cast<int>(delivered.size()), events);
    for (size_t i = 1; i < delivered.size(); ++i) {
      ASSERT_EQ(delivered[i].sequence(), delivered[i - 1].sequence() + 1);
    }
    // Still open: one more event arrives on it.
    HttpClient http(process_->http_port());
    ASSERT_EQ(http.PostSigned("/webhooks/load", CommentAddedBody("after"), kLoadSecret).status,
              200);
    EXPECT_EQ(stream->ReadN(1).at(0).subject(), "after");
  }

  // Adds source `added` and rotates docs' secret (by `apply`), then checks
  // both under the load.
  void AddSourceAndRotateSecret(const std::function<void()>& apply, const std::string& trigger) {
    process_ = HookbridgeProcess::Start(SourcesConfig(kOldSecret));
    ASSERT_NE(process_, nullptr);
    HttpClient http(process_->http_port());
    v1::SubscribeRequest request;
    request.set_earliest(true);
    Subscriber stream(process_->grpc_target(), request);
    ASSERT_NE(stream.start_after(), "");
    EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d1"), kOldSecret).status, 200);
    EXPECT_EQ(http.PostSigned("/webhooks/added", CommentAddedBody("a0"), kNewSecret).status, 404);

    SteadyLoad load(process_->http_port());
    ASSERT_TRUE(load.WaitForMore(20));
    process_->RewriteConfig(SourcesConfig(kNewSecret,
                                          "  - name: added\n"
                                          "    provider: ckeditor-cloud-services\n"
                                          "    secrets: [\"added-secret\"]\n"));
    apply();
    ASSERT_TRUE(process_->WaitForStderr(kReloaded)) << process_->Stderr();
    EXPECT_THAT(process_->Stderr(), HasSubstr(absl::StrCat("\"trigger\":\"", trigger, "\"")));
    EXPECT_THAT(process_->Stderr(), HasSubstr("added (ckeditor-cloud-services)"));
    ASSERT_TRUE(load.WaitForMore(20));

    // The new source answers; docs takes only the new secret.
    EXPECT_EQ(http.Send("GET", "/webhooks/added").status, 200);
    EXPECT_EQ(http.PostSigned("/webhooks/added", CommentAddedBody("a1"), "added-secret").status,
              200);
    EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d2"), kOldSecret).status, 401);
    EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d3"), kNewSecret).status, 200);
    EXPECT_EQ(Metric("hookbridge_config_reloads_total{result=\"applied\"}"), 1);
    EXPECT_EQ(Metric("hookbridge_config_generation"), 2);
    EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"accepted\",source=\"added\"}"),
              1);
    EXPECT_EQ(
        Metric("hookbridge_webhooks_received_total{outcome=\"bad_signature\",source=\"docs\"}"), 1);
    // d1, a1 and d3 besides the load.
    ExpectLoadUnbroken(&load, &stream, 3);
  }

  std::unique_ptr<HookbridgeProcess> process_;
};

TEST_F(ReloadTest, SighupAddsASourceAndRotatesASecretUnderLoad) {
  AddSourceAndRotateSecret([this] { ASSERT_EQ(kill(process_->pid(), SIGHUP), 0); }, "SIGHUP");
}

TEST_F(ReloadTest, ARewrittenFileIsPickedUpWithoutASignal) {
  AddSourceAndRotateSecret([] {}, "file changed");
}

TEST_F(ReloadTest, ARemovedSourceIsUnknownAndItsCountsStay) {
  process_ = HookbridgeProcess::Start(SourcesConfig(kOldSecret));
  ASSERT_NE(process_, nullptr);
  HttpClient http(process_->http_port());
  ASSERT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d1"), kOldSecret).status, 200);
  // Only `load` is left.
  process_->RewriteConfig(absl::StrCat(LoopbackListeners(),
                                       "sources:\n"
                                       "  - name: load\n"
                                       "    provider: ckeditor-cloud-services\n"
                                       "    secrets: [\"",
                                       kLoadSecret, "\"]\n"));
  ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
  ASSERT_TRUE(process_->WaitForStderr(kReloaded)) << process_->Stderr();
  EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d2"), kOldSecret).status, 404);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"accepted\",source=\"docs\"}"), 1);
  EXPECT_EQ(http.PostSigned("/webhooks/load", CommentAddedBody("l1"), kLoadSecret).status, 200);
}

TEST_F(ReloadTest, ARevokedTokenEndsItsStreamAndANarrowedOneItsWiderStream) {
  const auto config = [](const std::vector<TestToken>& tokens) {
    return SourcesConfig(kOldSecret, "", AuthSection(tokens));
  };
  process_ = HookbridgeProcess::Start(
      config({{"keep", "keep-token"}, {"revoke", "revoke-token"}, {"narrow", "narrow-token"}}));
  ASSERT_NE(process_, nullptr);
  v1::SubscribeRequest all;
  all.set_earliest(true);
  v1::SubscribeRequest comments = all;
  comments.add_types("comment.*");
  Subscriber keep(process_->grpc_target(), all, grpc::ChannelArguments(), "keep-token");
  Subscriber revoke(process_->grpc_target(), all, grpc::ChannelArguments(), "revoke-token");
  Subscriber narrow_all(process_->grpc_target(), all, grpc::ChannelArguments(), "narrow-token");
  Subscriber narrow_comments(process_->grpc_target(), comments, grpc::ChannelArguments(),
                             "narrow-token");
  for (Subscriber* s : {&keep, &revoke, &narrow_all, &narrow_comments}) {
    ASSERT_NE(s->start_after(), "");
  }
  HttpClient http(process_->http_port());
  ASSERT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("before"), kOldSecret).status, 200);
  for (Subscriber* s : {&keep, &revoke, &narrow_all, &narrow_comments}) {
    EXPECT_EQ(s->ReadN(1).at(0).subject(), "before");
  }

  // `revoke` is gone; `narrow` may read comments only.
  process_->RewriteConfig(
      config({{"keep", "keep-token"}, {"narrow", "narrow-token", "[\"*\"]", "[\"comment.*\"]"}}));
  ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
  ASSERT_TRUE(process_->WaitForStderr(kReloaded)) << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr("\"streams_ended\":2"));

  v1::Event event;
  EXPECT_FALSE(revoke.Read(&event));
  grpc::Status revoked = revoke.Finish();
  EXPECT_EQ(revoked.error_code(), grpc::StatusCode::UNAUTHENTICATED) << revoked.error_message();
  EXPECT_THAT(revoked.error_message(), HasSubstr("config reloaded"));
  EXPECT_NE(revoke.Trailer("hookbridge-resume-after"), "");
  EXPECT_FALSE(narrow_all.Read(&event));
  grpc::Status narrowed = narrow_all.Finish();
  EXPECT_EQ(narrowed.error_code(), grpc::StatusCode::PERMISSION_DENIED) << narrowed.error_message();

  // The others go on.
  ASSERT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("after"), kOldSecret).status, 200);
  EXPECT_EQ(keep.ReadN(1).at(0).subject(), "after");
  EXPECT_EQ(narrow_comments.ReadN(1).at(0).subject(), "after");
  // And the revoked token is refused from now on.
  Subscriber again(process_->grpc_target(), all, grpc::ChannelArguments(), "revoke-token");
  EXPECT_EQ(again.start_after(), "");
  EXPECT_EQ(again.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A token added by the reload is counted under its own name.
  process_->RewriteConfig(config({{"keep", "keep-token"}, {"added", "added-token"}}));
  ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
  ASSERT_TRUE(process_->WaitForStderr(kReloaded, 2)) << process_->Stderr();
  Subscriber added(process_->grpc_target(), all, grpc::ChannelArguments(), "added-token");
  EXPECT_NE(added.start_after(), "");
  EXPECT_EQ(Metric("hookbridge_subscriber_auth_total{outcome=\"ok\",token=\"added\"}"), 1);
}

TEST_F(ReloadTest, AnInvalidConfigIsRefusedWholeAndCounted) {
  process_ = HookbridgeProcess::Start(SourcesConfig(kOldSecret));
  ASSERT_NE(process_, nullptr);
  HttpClient http(process_->http_port());
  struct Case {
    std::string name;
    std::string yaml;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"not yaml", "sources: [", "not valid YAML"},
      {"unknown key", SourcesConfig(kNewSecret) + "typo: 1\n", "typo: unknown key"},
      // Valid YAML whose new source cannot be built: nothing of it applies,
      // not even docs' new secret before it.
      {"source without secret", SourcesConfig(kNewSecret, "  - name: bad\n    provider: ckbox\n"),
       "sources[2].secrets"},
      {"bad token hash",
       SourcesConfig(kNewSecret, "",
                     "auth:\n  tokens:\n    - name: x\n"
                     "      sha256: \"abc\"\n"
                     "      sources: [\"*\"]\n"
                     "      types: [\"*\"]\n"),
       "sha256"},
  };
  int rejected = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    process_->RewriteConfig(c.yaml);
    ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
    ++rejected;
    ASSERT_TRUE(process_->WaitForStderr(kRejected, rejected)) << process_->Stderr();
    EXPECT_THAT(process_->Stderr(), HasSubstr(c.reason));
    EXPECT_EQ(Metric("hookbridge_config_reloads_total{result=\"rejected\"}"), rejected);
    EXPECT_EQ(Metric("hookbridge_config_last_reload_successful"), 0);
    EXPECT_EQ(Metric("hookbridge_config_generation"), 1);
    // The running config serves on: the old secret, and no `bad` source.
    EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody(c.name), kOldSecret).status, 200);
    EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody(c.name), kNewSecret).status, 401);
    EXPECT_EQ(http.Send("GET", "/webhooks/bad").status, 404);
  }
  EXPECT_EQ(Metric("hookbridge_config_reloads_total{result=\"applied\"}"), 0);
  // The console says so, with the reason.
  HttpClient admin(process_->admin_port());
  const std::string rejected_status = admin.Send("GET", "/api/sources").body;
  EXPECT_THAT(rejected_status,
              HasSubstr("\"config\":{\"generation\":1,\"last_reload\":\"rejected\""));
  EXPECT_THAT(rejected_status, HasSubstr("\"last_reload_error\":\"config: auth.tokens[0].sha256"));
  // A good one afterwards applies.
  process_->RewriteConfig(SourcesConfig(kNewSecret));
  ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
  ASSERT_TRUE(process_->WaitForStderr(kReloaded)) << process_->Stderr();
  EXPECT_EQ(Metric("hookbridge_config_last_reload_successful"), 1);
  EXPECT_EQ(Metric("hookbridge_config_generation"), 2);
  EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("new"), kNewSecret).status, 200);
  EXPECT_THAT(admin.Send("GET", "/api/sources").body,
              HasSubstr("\"config\":{\"generation\":2,\"last_reload\":\"applied\""));
}

TEST_F(ReloadTest, WhatNeedsARestartIsReportedAndKept) {
  process_ = HookbridgeProcess::Start(SourcesConfig(kOldSecret));
  ASSERT_NE(process_, nullptr);
  const int http_port = process_->http_port();
  // A listen address and a log key change (not live), with a new secret
  // and the console turned off (live).
  process_->RewriteConfig(
      absl::StrCat("http: { listen: \"127.0.0.1:1\" }\n"
                   "grpc: { listen: \"127.0.0.1:0\" }\n"
                   "admin: { listen: \"127.0.0.1:0\", console: false }\n"
                   "logging: { level: debug }\n"
                   "dedup: { max_entries: 5 }\n"
                   "sources:\n"
                   "  - name: docs\n"
                   "    provider: ckeditor-cloud-services\n"
                   "    secrets: [\"",
                   kNewSecret, "\"]\n"));
  ASSERT_EQ(kill(process_->pid(), SIGHUP), 0);
  ASSERT_TRUE(process_->WaitForStderr(kReloaded)) << process_->Stderr();
  ASSERT_TRUE(process_->WaitForStderr("need a restart")) << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr("\"keys\":\"http.listen, dedup.max_entries\""));
  HttpClient http(http_port);
  EXPECT_EQ(http.PostSigned("/webhooks/docs", CommentAddedBody("d"), kNewSecret).status, 200);
  HttpClient admin(process_->admin_port());
  EXPECT_EQ(admin.Send("GET", "/api/sources").status, 404);
  EXPECT_EQ(admin.Send("GET", "/metrics").status, 200);
}

TEST_F(ReloadTest, CheckConfigValidatesAsAStartWould) {
  char dir[] = "/tmp/hookbridge-check-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/hookbridge.yaml";
  const auto check = [&](const std::string& yaml, const std::map<std::string, std::string>& env) {
    std::ofstream(path) << yaml;
    return RunCommand({BinaryPath("hookbridge"), "--check-config", path}, env);
  };
  const std::string with_env = absl::StrCat(LoopbackListeners(),
                                            "sources:\n"
                                            "  - name: docs\n"
                                            "    provider: ckeditor-cloud-services\n"
                                            "    secrets: [\"${DOCS_SECRET}\"]\n");
  CommandResult ok = check(with_env, {{"DOCS_SECRET", "s"}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("the config is valid"));

  CommandResult unset = check(with_env, {});
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_THAT(unset.err, HasSubstr("environment variable DOCS_SECRET is not set"));

  CommandResult typo = check(absl::StrCat(with_env, "typo: 1\n"), {{"DOCS_SECRET", "s"}});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("typo: unknown key"));

  const std::string tls = absl::StrCat(
      "http: { listen: \"127.0.0.1:0\", tls: { cert_file: \"", dir, "/absent.crt\", key_file: \"",
      dir, "/absent.key\" } }\n",
      "sources:\n  - name: docs\n    provider: ckeditor-cloud-services\n    secrets: [\"s\"]\n");
  CommandResult absent = check(tls, {});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_THAT(absent.err, HasSubstr("http.tls.cert_file"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hookbridge::testing
