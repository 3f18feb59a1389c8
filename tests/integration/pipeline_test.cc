// End-to-end: signed webhooks POSTed to the real hookbridge binary arrive,
// typed, at real gRPC subscribers; every rejection gets its status, reason
// and counter.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "bridge/providers/ckeditor/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "integration-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// A CKEditor event of type `type` about document `doc`; `n` makes it unique.
std::string Body(const std::string& type, const std::string& doc, int n,
                 const std::string& environment = "environment-1") {
  return absl::StrCat(
      R"({"event":")", type, R"(","environment_id":")", environment,
      R"(","payload":{"document":{"id":")", doc, R"("},"comment":{"id":"c-)", n,
      R"(","content":"text )", n,
      R"(","created_at":"2019-05-29T08:17:53.450Z","thread_id":"t-1","user":{"id":"u-1"}}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

v1::SubscribeRequest Earliest() {
  v1::SubscribeRequest request;
  request.set_earliest(true);
  return request;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    process_ = HookbridgeProcess::Start(CkeditorConfig(kSecret));
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
  }

  HttpResponse Post(const std::string& body) { return http_->PostSigned(kPath, body, kSecret); }

  double Metric(const std::string& series) { return MetricValue(process_->admin_port(), series); }

  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(PipelineTest, SignedSeedExampleArrivesTypedWithEnvelope) {
  const std::string body = ReadTestdata("ckeditor/comment.added.json");
  Subscriber subscriber(process_->grpc_target(), Earliest());
  const absl::Time before = absl::Now();
  HttpResponse response = Post(body);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("\"outcome\":\"accepted\""));
  EXPECT_THAT(response.body, HasSubstr("\"sequence\":1"));

  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  const v1::Event& e = events[0];
  EXPECT_EQ(e.sequence(), 1u);
  EXPECT_EQ(e.source(), "ckeditor");
  EXPECT_EQ(e.provider(), v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  EXPECT_EQ(e.type(), "comment.added");
  EXPECT_EQ(e.environment_id(), "environment-1");
  EXPECT_EQ(e.subject(), "doc-1");
  EXPECT_EQ(e.id().size(), 32u);
  EXPECT_THAT(response.body, HasSubstr(e.id()));
  EXPECT_EQ(e.sent_at().seconds(), 1559117873);
  EXPECT_EQ(e.sent_at().nanos(), 457000000);
  EXPECT_GE(e.received_at().seconds(), absl::ToUnixSeconds(before) - 1);
  EXPECT_TRUE(e.raw_body().empty()) << "raw body is only sent on request";
  ASSERT_TRUE(e.has_ckeditor());
  ASSERT_TRUE(e.ckeditor().has_comment_added());
  const auto& comment = e.ckeditor().comment_added().comment();
  EXPECT_EQ(comment.id(), "comment-1");
  EXPECT_EQ(comment.thread_id(), "thread-1");
  EXPECT_EQ(comment.user().id(), "user-1");
  EXPECT_EQ(comment.created_at().seconds(), 1559117873);
  EXPECT_EQ(comment.created_at().nanos(), 450000000);
}

TEST_F(PipelineTest, IncludeRawSendsTheExactBody) {
  const std::string body = ReadTestdata("ckbox/asset.uploaded.json");
  ASSERT_EQ(Post(body).status, 200);
  v1::SubscribeRequest request = Earliest();
  request.set_include_raw(true);
  Subscriber subscriber(process_->grpc_target(), request);
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].raw_body(), body);
  // A CKBox event posted to a CKEditor source is not a CKEditor type: it is
  // delivered untyped, never dropped.
  EXPECT_EQ(events[0].type(), "asset.uploaded");
  EXPECT_TRUE(events[0].has_untyped());
}

TEST_F(PipelineTest, UnknownEventTypeIsDeliveredUntypedAndCounted) {
  ASSERT_EQ(Post(Body("collaboration.document.brand.new", "doc-9", 1)).status, 200);
  Subscriber subscriber(process_->grpc_target(), Earliest());
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), "collaboration.document.brand.new");
  EXPECT_EQ(events[0].subject(), "doc-9");
  ASSERT_TRUE(events[0].has_untyped());
  EXPECT_EQ(
      events[0].untyped().fields().at("document").struct_value().fields().at("id").string_value(),
      "doc-9");
  EXPECT_EQ(Metric("hookbridge_events_appended_total{source=\"ckeditor\",type=\"collaboration."
                   "document.brand.new\"}"),
            1);
}

TEST_F(PipelineTest, TypeSourceSubjectAndEnvironmentFilters) {
  v1::SubscribeRequest comments = Earliest();
  comments.add_types("comment.*");
  v1::SubscribeRequest doc2 = Earliest();
  doc2.add_subjects("doc-2");
  doc2.add_types("*");
  v1::SubscribeRequest env2_or_removed = Earliest();
  env2_or_removed.add_environment_ids("environment-2");
  env2_or_removed.add_types("*.removed");
  env2_or_removed.add_types("suggestion.*");
  v1::SubscribeRequest other_source = Earliest();
  other_source.add_sources("not-configured");

  ASSERT_EQ(Post(Body("comment.added", "doc-1", 1)).status, 200);                      // 1
  ASSERT_EQ(Post(Body("commentthread.added", "doc-2", 2)).status, 200);                // 2
  ASSERT_EQ(Post(Body("suggestion.added", "doc-2", 3, "environment-2")).status, 200);  // 3
  ASSERT_EQ(Post(Body("comment.removed", "doc-1", 4, "environment-2")).status, 200);   // 4
  ASSERT_EQ(Post(Body("comment.updated", "doc-2", 5)).status, 200);                    // 5

  auto sequences = [](const std::vector<v1::Event>& events) {
    std::vector<uint64_t> out;
    for (const auto& e : events) out.push_back(e.sequence());
    return out;
  };
  Subscriber a(process_->grpc_target(), comments);
  EXPECT_EQ(sequences(a.ReadN(3)), (std::vector<uint64_t>{1, 4, 5}));
  Subscriber b(process_->grpc_target(), doc2);
  EXPECT_EQ(sequences(b.ReadN(3)), (std::vector<uint64_t>{2, 3, 5}));
  Subscriber c(process_->grpc_target(), env2_or_removed);
  EXPECT_EQ(sequences(c.ReadN(2)), (std::vector<uint64_t>{3, 4}));

  // Nothing else was queued for them: the next event each receives is a
  // new matching one.
  ASSERT_EQ(Post(Body("comment.removed", "doc-2", 6, "environment-2")).status, 200);  // 6
  EXPECT_EQ(sequences(a.ReadN(1)), (std::vector<uint64_t>{6}));
  EXPECT_EQ(sequences(b.ReadN(1)), (std::vector<uint64_t>{6}));
  EXPECT_EQ(sequences(c.ReadN(1)), (std::vector<uint64_t>{6}));

  // A filter on a source that sends nothing receives nothing; ending the
  // stream shows it had no event queued.
  Subscriber d(process_->grpc_target(), other_source);
  d.Cancel();
  v1::Event event;
  EXPECT_FALSE(d.Read(&event));
  EXPECT_EQ(d.Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(PipelineTest, InvalidPatternIsInvalidArgument) {
  v1::SubscribeRequest request;
  request.add_types("comment. added");
  Subscriber subscriber(process_->grpc_target(), request);
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  grpc::Status status = subscriber.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("types[0]"));
}

TEST_F(PipelineTest, StartPositions) {
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(Post(Body("comment.added", "doc-1", i)).status, 200);

  // Live: only what is appended after the stream is established.
  Subscriber live(process_->grpc_target(), v1::SubscribeRequest());
  EXPECT_EQ(live.start_after(), "3");

  v1::SubscribeRequest after;
  after.set_after_sequence(2);
  Subscriber resumed(process_->grpc_target(), after);
  EXPECT_EQ(resumed.start_after(), "2");

  const absl::Time mark = absl::Now();
  ASSERT_EQ(Post(Body("comment.added", "doc-1", 4)).status, 200);

  v1::SubscribeRequest since;
  since.mutable_since()->set_seconds(absl::ToUnixSeconds(mark));
  since.mutable_since()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(mark - absl::FromUnixSeconds(absl::ToUnixSeconds(mark)))));
  Subscriber from_time(process_->grpc_target(), since);

  Subscriber earliest(process_->grpc_target(), Earliest());

  EXPECT_EQ(live.ReadN(1)[0].sequence(), 4u);
  std::vector<v1::Event> r = resumed.ReadN(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].sequence(), 3u);
  EXPECT_EQ(r[1].sequence(), 4u);
  EXPECT_EQ(from_time.ReadN(1)[0].sequence(), 4u);
  std::vector<v1::Event> all = earliest.ReadN(4);
  ASSERT_EQ(all.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(all[i].sequence(), static_cast<uint64_t>(i + 1));

  // A cursor beyond the end of the log is an error, not a silent wait.
  v1::SubscribeRequest future;
  future.set_after_sequence(100);
  Subscriber beyond(process_->grpc_target(), future);
  v1::Event event;
  EXPECT_FALSE(beyond.Read(&event));
  grpc::Status status = beyond.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), HasSubstr("beyond the last sequence"));
}

TEST(RetentionTest, EvictedPositionIsOutOfRangeNamingTheOldest) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "log: { backend: memory, max_events: 3 }\n"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, Body("comment.added", "d", i), kSecret).status, 200);
  }
  v1::SubscribeRequest request;
  request.set_after_sequence(1);
  Subscriber subscriber(process->grpc_target(), request);
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  grpc::Status status = subscriber.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), HasSubstr("the oldest is 3"));

  Subscriber earliest(process->grpc_target(), Earliest());
  EXPECT_EQ(earliest.ReadN(1)[0].sequence(), 3u);
}

TEST_F(PipelineTest, ManyConcurrentSubscribersEachGetEveryEventInOrder) {
  constexpr int kSubscribers = 40;
  constexpr int kEvents = 30;
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  for (int i = 0; i < kSubscribers; ++i) {
    subscribers.push_back(
        std::make_unique<Subscriber>(process_->grpc_target(), v1::SubscribeRequest()));
  }
  EXPECT_EQ(Metric("hookbridge_subscribers"), kSubscribers);

  std::vector<std::thread> readers;
  std::atomic<int> complete{0};
  for (auto& s : subscribers) {
    readers.emplace_back([&s, &complete] {
      std::vector<v1::Event> events = s->ReadN(kEvents);
      std::set<std::string> ids;
      bool in_order = events.size() == kEvents;
      for (int i = 0; in_order && i < kEvents; ++i) {
        in_order = events[i].sequence() == static_cast<uint64_t>(i + 1);
        ids.insert(events[i].ckeditor().comment_added().comment().id());
      }
      if (in_order && ids.size() == kEvents) ++complete;
    });
  }
  // Two connections post concurrently: sequences follow append order, and
  // every subscriber sees every event once, in sequence order.
  std::thread second([this] {
    HttpClient http(process_->http_port());
    for (int i = 0; i < kEvents; i += 2) {
      EXPECT_EQ(http.PostSigned(kPath, Body("comment.added", "d", i), kSecret).status, 200);
    }
  });
  for (int i = 1; i < kEvents; i += 2) ASSERT_EQ(Post(Body("comment.added", "d", i)).status, 200);
  second.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(complete.load(), kSubscribers);
  EXPECT_EQ(WaitForMetric(process_->admin_port(),
                          "hookbridge_events_delivered_total{source=\"ckeditor\"}",
                          kSubscribers * kEvents),
            kSubscribers * kEvents);
}

TEST_F(PipelineTest, DisconnectedSubscriberIsCleanedUpAtOnce) {
  {
    Subscriber subscriber(process_->grpc_target(), v1::SubscribeRequest());
    EXPECT_EQ(Metric("hookbridge_subscribers"), 1);
    subscriber.Cancel();
    v1::Event event;
    EXPECT_FALSE(subscriber.Read(&event));
    EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // The server learns of the cancellation asynchronously: wait for the
  // gauge to drop, with a deadline.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Metric("hookbridge_subscribers") != 0 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(Metric("hookbridge_subscribers"), 0);
  // And the log does not try to write to it.
  ASSERT_EQ(Post(Body("comment.added", "d", 1)).status, 200);
  EXPECT_EQ(Metric("hookbridge_events_delivered_total{source=\"ckeditor\"}"), 0);
}

TEST_F(PipelineTest, SlowSubscriberLagIsExportedAndDoesNotHoldOthersBack) {
  // A subscriber that stops reading falls behind once gRPC's flow-control
  // window is full; the others (and the log) carry on.
  v1::SubscribeRequest request;
  request.set_earliest(true);
  // A small, fixed receive window, so the unread stream backs up soon.
  grpc::ChannelArguments small_window;
  small_window.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  small_window.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  Subscriber slow(process_->grpc_target(), request, small_window);
  Subscriber fast(process_->grpc_target(), request);
  constexpr int kEvents = 400;
  const std::string padding(2000, 'p');
  for (int i = 0; i < kEvents; ++i) {
    const std::string body = absl::StrReplaceAll(
        Body("comment.added", "d", i), {{"\"content\":\"text", "\"content\":\"" + padding}});
    ASSERT_EQ(Post(body).status, 200);
  }
  EXPECT_EQ(fast.ReadN(kEvents).size(), static_cast<size_t>(kEvents));
  const double lag = Metric("hookbridge_subscriber_max_lag_events");
  EXPECT_GT(lag, 0) << "the unread stream should be behind";
  EXPECT_LT(lag, kEvents + 1);
  // Once it reads everything, nobody is behind.
  EXPECT_EQ(slow.ReadN(kEvents).size(), static_cast<size_t>(kEvents));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Metric("hookbridge_subscriber_max_lag_events") != 0 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(Metric("hookbridge_subscriber_max_lag_events"), 0);
}

TEST_F(PipelineTest, RejectionsGetStatusReasonAndCounter) {
  const std::string body = Body("comment.added", "doc-1", 1);
  struct Case {
    std::string name;
    HttpResponse response;
    int status;
    std::string outcome;
    std::string reason;
  };
  std::vector<Case> cases;
  const std::string ts = std::to_string(absl::ToUnixMillis(absl::Now()));
  cases.push_back({"wrong secret", http_->PostSigned(kPath, body, "other-secret"), 401,
                   "bad_signature", "no configured secret matches"});
  cases.push_back({"no signature", http_->Send("POST", kPath, body, {{"X-CS-Timestamp", ts}}), 401,
                   "bad_signature", "missing X-CS-Signature"});
  cases.push_back({"no timestamp", http_->Send("POST", kPath, body), 401, "bad_signature",
                   "missing X-CS-Timestamp"});
  cases.push_back({"signed for another path",
                   http_->Send("POST", kPath, body,
                               {{"X-CS-Timestamp", ts},
                                {"X-CS-Signature",
                                 CkeditorSignature(kSecret, "POST", "/webhooks/other", ts, body)}}),
                   401, "bad_signature", "no configured secret matches"});
  cases.push_back({"stale",
                   http_->PostSigned(kPath, body, kSecret, absl::Now() - absl::Minutes(10)), 401,
                   "stale_timestamp", "older than tolerance 300 s"});
  cases.push_back({"future",
                   http_->PostSigned(kPath, body, kSecret, absl::Now() + absl::Minutes(10)), 401,
                   "stale_timestamp", "in the future"});
  cases.push_back({"not json", http_->PostSigned(kPath, "{not json", kSecret), 400, "malformed",
                   "not a JSON object"});
  cases.push_back({"no event name",
                   http_->PostSigned(kPath, R"({"environment_id":"e","payload":{}})", kSecret), 400,
                   "malformed", "must be a non-empty string"});
  cases.push_back({"payload not an object",
                   http_->PostSigned(kPath, R"({"event":"comment.added","payload":[1]})", kSecret),
                   400, "malformed", "must be an object"});
  cases.push_back({"unknown source", http_->PostSigned("/webhooks/nope", body, kSecret), 404,
                   "unknown_source", "no such webhook source"});
  cases.push_back({"not a webhook path", http_->PostSigned("/", body, kSecret), 404,
                   "unknown_source", "no such webhook source"});
  cases.push_back(
      {"PUT", http_->Send("PUT", kPath, body), 405, "bad_method", "method not allowed"});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.response.status, c.status) << c.response.body;
    EXPECT_THAT(c.response.body, HasSubstr("\"outcome\":\"" + c.outcome + "\""));
    EXPECT_THAT(c.response.body, HasSubstr(c.reason));
    EXPECT_EQ(c.response.headers.count("location"), 0u) << "never a redirect";
  }
  EXPECT_EQ(cases[cases.size() - 1].response.headers.at("allow"), "GET, HEAD, POST");
  EXPECT_EQ(http_->connections_opened(), 1) << "rejections keep the connection alive";

  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"bad_signature\",source="
                   "\"ckeditor\"}"),
            4);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"stale_timestamp\",source="
                   "\"ckeditor\"}"),
            2);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"malformed\",source=\"ckeditor\"}"),
            3);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"unknown_source\",source="
                   "\"_unknown\"}"),
            2);
  EXPECT_EQ(
      Metric("hookbridge_webhooks_received_total{outcome=\"bad_method\",source=\"ckeditor\"}"), 1);
  // Nothing rejected reached the log.
  EXPECT_EQ(Metric("hookbridge_log_last_sequence"), 0);
}

TEST_F(PipelineTest, DuplicateDeliveryIsAcknowledgedButAppendedOnce) {
  const std::string body = Body("comment.added", "doc-1", 1);
  HttpResponse first = Post(body);
  HttpResponse second = Post(body);  // a provider retry: new timestamp, same body
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_THAT(second.body, HasSubstr("\"outcome\":\"duplicate\""));
  EXPECT_EQ(Metric("hookbridge_log_last_sequence"), 1);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"duplicate\",source=\"ckeditor\"}"),
            1);
}

TEST_F(PipelineTest, HeadAndGetOnWebhookPathAnswer200) {
  EXPECT_EQ(http_->Send("HEAD", kPath).status, 200);
  HttpResponse get = http_->Send("GET", kPath);
  EXPECT_EQ(get.status, 200);
  EXPECT_THAT(get.body, HasSubstr("ckeditor-cloud-services"));
  EXPECT_EQ(http_->Send("HEAD", "/webhooks/nope").status, 404);
}

TEST(LimitsTest, BodyOverTheLimitIs413AndCounted) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "", "max_body_bytes: 1KiB"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  std::string big = Body("comment.added", std::string(2000, 'x'), 1);
  HttpResponse response = http.PostSigned(kPath, big, kSecret);
  EXPECT_EQ(response.status, 413);
  EXPECT_THAT(response.body, HasSubstr("too_large"));
  EXPECT_EQ(MetricValue(process->admin_port(),
                        "hookbridge_webhooks_received_total{outcome=\"too_large\",source="
                        "\"ckeditor\"}"),
            1);
  HttpClient again(process->http_port());
  EXPECT_EQ(again.PostSigned(kPath, Body("comment.added", "d", 1), kSecret).status, 200);
}

TEST(ShutdownTest, SigtermEndsStreamsWithUnavailableAndResumePosition) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, Body("comment.added", "d", 1), kSecret).status, 200);
  Subscriber subscriber(process->grpc_target(), Earliest());
  ASSERT_EQ(subscriber.ReadN(1).size(), 1u);

  std::thread stopper([&process] { EXPECT_EQ(process->Stop(SIGTERM), 0); });
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  grpc::Status status = subscriber.Finish();
  stopper.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("after_sequence = 1"));
  EXPECT_EQ(subscriber.Trailer("hookbridge-resume-after"), "1");
  EXPECT_THAT(process->Stderr(), HasSubstr("\"msg\":\"stopped\""));
}

TEST(ConfigTest, BadConfigExitsWithCode2NamingTheKey) {
  char path[] = "/tmp/hookbridge-bad-XXXXXX.yaml";
  int fd = mkstemps(path, 5);
  ASSERT_GE(fd, 0);
  const std::string yaml = LoopbackListeners() +
                           "sources:\n  - name: ckeditor\n    provider: ckeditor-cloud-services\n"
                           "    secrets: [\"s\"]\n    timestamp_tolerance: soon\n";
  ASSERT_EQ(write(fd, yaml.data(), yaml.size()), static_cast<ssize_t>(yaml.size()));
  close(fd);
  CommandResult result = RunCommand({BinaryPath("hookbridge"), "--config", path});
  unlink(path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("sources[0].timestamp_tolerance"));

  CommandResult missing_env =
      RunCommand({BinaryPath("hookbridge"), "--config",
                  std::string(HOOKBRIDGE_SOURCE_DIR) + "/config/hookbridge.yaml"},
                 {{"CKEDITOR_WEBHOOK_SECRET", ""}});
  EXPECT_EQ(missing_env.exit_code, 2);
  EXPECT_THAT(missing_env.err, HasSubstr("CKEDITOR_WEBHOOK_SECRET"));

  // The default config needs the subscriber token's hash too.
  CommandResult missing_token =
      RunCommand({BinaryPath("hookbridge"), "--config",
                  std::string(HOOKBRIDGE_SOURCE_DIR) + "/config/hookbridge.yaml"},
                 {{"CKEDITOR_WEBHOOK_SECRET", "s"}, {"HOOKBRIDGE_TOKEN_SHA256", ""}});
  EXPECT_EQ(missing_token.exit_code, 2);
  EXPECT_THAT(missing_token.err, HasSubstr("auth.tokens[0].sha256"));
  EXPECT_THAT(missing_token.err, HasSubstr("HOOKBRIDGE_TOKEN_SHA256"));

  CommandResult bad_flag = RunCommand({BinaryPath("hookbridge"), "--nope"});
  EXPECT_EQ(bad_flag.exit_code, 2);
}

TEST(TailTest, PrintsEachEventAsOneJsonLine) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, ReadTestdata("ckeditor/suggestion.added.json"), kSecret).status,
            200);
  ASSERT_EQ(http.PostSigned(kPath, ReadTestdata("ckeditor/comment.added.json"), kSecret).status,
            200);
  // The token from the environment.
  CommandResult tail =
      RunCommand({BinaryPath("hookbridge-tail"), "--target", process->grpc_target(), "--types",
                  "comment.*", "--earliest", "--count", "1"},
                 {{"HOOKBRIDGE_TOKEN", kTestToken}});
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 1);
  EXPECT_THAT(tail.out, HasSubstr("\"type\":\"comment.added\""));
  EXPECT_THAT(tail.out, HasSubstr("\"sequence\":\"2\""));
  EXPECT_THAT(tail.out, HasSubstr("\"comment_added\":{"));
  EXPECT_THAT(tail.out, HasSubstr("\"environment_id\":\"environment-1\""));

  // The token from the flag.
  CommandResult beyond =
      RunCommand({BinaryPath("hookbridge-tail"), "--target", process->grpc_target(), "--after",
                  "50", "--token", kTestToken});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_THAT(beyond.err, HasSubstr("beyond the last sequence"));

  // No token: refused, and the message says why.
  CommandResult anonymous =
      RunCommand({BinaryPath("hookbridge-tail"), "--target", process->grpc_target()});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("authorization: Bearer <token>"));
  EXPECT_THAT(anonymous.err, HasSubstr("error: UNAUTHENTICATED: "));
}

}  // namespace
}  // namespace hookbridge::testing
