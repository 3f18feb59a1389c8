// Scale-out on NATS JetStream through the real binary: two hookbridge
// processes share one stream on a real nats-server (started by the test on
// loopback). Skipped when nats-server is not installed.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/testing/nats_server.h"

namespace hookbridge::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr char kSecret[] = "jetstream-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// The gRPC health status of `service` ("" for the server), or UNKNOWN when
// the call fails.
grpc::health::v1::HealthCheckResponse::ServingStatus Health(const HookbridgeProcess& process,
                                                            const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(process.grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  if (!stub->Check(&context, request, &response).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

constexpr auto kServing = grpc::health::v1::HealthCheckResponse::SERVING;
constexpr auto kNotServing = grpc::health::v1::HealthCheckResponse::NOT_SERVING;
constexpr char kEventBridge[] = "hookbridge.v1.EventBridgeService";

class JetStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (NatsServer::Binary().empty()) {
      GTEST_SKIP() << "nats-server is not installed (scripts/setup.sh installs it): "
                      "the jetstream backend is not tested";
    }
    ASSERT_TRUE(nats_.Start().ok());
  }

  std::string LogSection() const {
    return absl::StrCat("log: { backend: jetstream, url: \"", nats_.url(),
                        "\", stream: IT, subject_prefix: it, ack_timeout: 5s }\n");
  }

  std::unique_ptr<HookbridgeProcess> StartReplica() {
    return HookbridgeProcess::Start(CkeditorConfig(kSecret, LogSection(), kBodyLimit));
  }

  // The largest body a default nats-server (max_payload 1MiB) stores.
  static constexpr char kBodyLimit[] = "max_body_bytes: 509KiB";

  static v1::SubscribeRequest Live() { return v1::SubscribeRequest(); }

  NatsServer nats_;
};

TEST_F(JetStreamTest, AWebhookTakenByOneReplicaReachesASubscriberOfTheOther) {
  auto a = StartReplica();
  auto b = StartReplica();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Subscriber on_b(b->grpc_target(), Live());
  HttpClient http_a(a->http_port());
  HttpResponse response = http_a.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("\"sequence\":1"));
  std::vector<v1::Event> events = on_b.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence(), 1u);
  EXPECT_EQ(events[0].source(), "ckeditor");
  EXPECT_EQ(events[0].type(), "comment.added");
}

TEST_F(JetStreamTest, ABodyLimitWhoseEventsTheNatsServerCannotStoreIsRefusedAtStart) {
  // nats-server's default max_payload is 1MiB; http.max_body_bytes is
  // 10MiB by default, and such a body would be stored with its decoded
  // event: a webhook that could only ever be refused. The config is.
  char dir[] = "/tmp/hookbridge-jetstream-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/hookbridge.yaml";
  std::ofstream(path) << CkeditorConfig(kSecret, LogSection());
  // (Bounded: a hookbridge that started would run until stopped.)
  CommandResult start =
      RunCommand({"/usr/bin/timeout", "20", BinaryPath("hookbridge"), "--config", path});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(start.exit_code, 2) << start.err;
  EXPECT_THAT(start.err, HasSubstr("http.max_body_bytes is 10MiB"));
  EXPECT_THAT(start.err, HasSubstr("the NATS server's max_payload is 1MiB"));
  EXPECT_THAT(start.err, HasSubstr("Raise max_payload to 21MB or more"));
  EXPECT_THAT(start.err, HasSubstr("or lower http.max_body_bytes to 509KiB or less"));
}

TEST_F(JetStreamTest, AWebhookAsLargeAsTheBodyLimitIsStored) {
  auto a = StartReplica();
  ASSERT_NE(a, nullptr);
  v1::GetServerInfoResponse info;
  ASSERT_TRUE(GetServerInfo(a->grpc_target(), &info).ok());
  EXPECT_EQ(info.log_backend(), "jetstream");
  EXPECT_EQ(info.max_event_bytes(), (1u << 20) - 1024);

  HttpClient http(a->http_port());
  const size_t frame = CommentAddedBody("big", "").size();
  HttpResponse big = http.PostSigned(
      kPath, CommentAddedBody("big", std::string((509 << 10) - frame, 'x')), kSecret);
  EXPECT_EQ(big.status, 200) << big.body;
  EXPECT_THAT(big.body, HasSubstr("\"sequence\":1"));
  v1::SubscribeRequest earliest;
  earliest.set_earliest(true);
  earliest.set_include_raw(true);
  Subscriber on_a(a->grpc_target(), earliest);
  std::vector<v1::Event> events = on_a.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].raw_body().size(), 509u << 10);
}

TEST_F(JetStreamTest, TheSameDeliverySentToBothReplicasIsAppendedOnce) {
  auto a = StartReplica();
  auto b = StartReplica();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  HttpClient http_a(a->http_port());
  HttpClient http_b(b->http_port());
  const std::string body = CommentAddedBody("doc-1");
  const absl::Time at = absl::Now();
  HttpResponse first = http_a.PostSigned(kPath, body, kSecret, at);
  HttpResponse second = http_b.PostSigned(kPath, body, kSecret, at);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_THAT(first.body, HasSubstr("\"sequence\":1"));
  // Stored once by JetStream's duplicate window (the answer names the
  // first sequence), or recognised by B from A's event already.
  EXPECT_THAT(second.body,
              AnyOf(HasSubstr("\"sequence\":1"), HasSubstr("\"outcome\":\"duplicate\"")));

  // The next distinct event is 2 on either replica: nothing was stored twice.
  HttpResponse other = http_b.PostSigned(kPath, CommentAddedBody("doc-2"), kSecret);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_THAT(other.body, HasSubstr("\"sequence\":2"));
  v1::SubscribeRequest earliest;
  earliest.set_earliest(true);
  Subscriber on_a(a->grpc_target(), earliest);
  std::vector<v1::Event> events = on_a.ReadN(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].sequence(), 1u);
  EXPECT_EQ(events[1].sequence(), 2u);
}

TEST_F(JetStreamTest, AnOlderVersionReachingTheOtherReplicaIsFlaggedSuperseded) {
  auto a = StartReplica();
  auto b = StartReplica();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  HttpClient http_a(a->http_port());
  HttpClient http_b(b->http_port());
  Subscriber on_b(b->grpc_target(), Live());
  // A takes the newest export of doc-7.
  ASSERT_EQ(
      http_a.PostSigned(kPath, ExportBody("doc-7", "2024-01-01T10:00:00.000Z"), kSecret).status,
      200);
  std::vector<v1::Event> events = on_b.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].superseded());
  // Older exports then reach B, each a distinct delivery, oldest first, so
  // B's own events never supersede each other. Once B has learned A's
  // event from the stream (moments later), they are flagged.
  bool flagged = false;
  for (int i = 0; i < 200 && !flagged; ++i) {
    const std::string removed_at = absl::StrCat("2024-01-01T09:00:00.", 100 + i, "Z");
    HttpResponse r = http_b.PostSigned(kPath, ExportBody("doc-7", removed_at), kSecret);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_THAT(r.body, HasSubstr("\"outcome\":\"accepted\""));
    events = on_b.ReadN(1);
    ASSERT_EQ(events.size(), 1u);
    flagged = events[0].superseded();
  }
  EXPECT_TRUE(flagged) << "B never learned of A's newer export";
  // A newer one is not flagged, on either replica.
  ASSERT_EQ(
      http_b.PostSigned(kPath, ExportBody("doc-7", "2024-01-01T11:00:00.000Z"), kSecret).status,
      200);
  events = on_b.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].superseded());
}

TEST_F(JetStreamTest, NatsDownMeans503AndNotReadyThenBothRecover) {
  auto a = StartReplica();
  ASSERT_NE(a, nullptr);
  HttpClient http(a->http_port());
  HttpClient admin(a->admin_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  EXPECT_EQ(admin.Send("GET", "/readyz").status, 200);

  EXPECT_EQ(Health(*a, kEventBridge), kServing);

  nats_.Stop();
  ASSERT_TRUE(Eventually([&] { return admin.Send("GET", "/readyz").status == 503; }));
  // The NATS client's news are lines of the process log.
  EXPECT_TRUE(a->WaitForStderr(
      "\"level\":\"warn\",\"msg\":\"nats connection lost; reconnecting\",\"component\":\"nats\","
      "\"connection\":\"log\""))
      << a->Stderr();
  // gRPC health says the same: the EventBridge does not serve; the server
  // itself (what a liveness probe asks) is alive, as /healthz says.
  EXPECT_TRUE(Eventually([&] { return Health(*a, kEventBridge) == kNotServing; }));
  EXPECT_EQ(Health(*a, ""), kServing);
  EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = http.PostSigned(kPath, CommentAddedBody(absl::StrCat("down-", i)), kSecret);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_FALSE(r.headers["retry-after"].empty());
  }

  ASSERT_TRUE(nats_.Start().ok());
  ASSERT_TRUE(Eventually([&] { return admin.Send("GET", "/readyz").status == 200; }));
  EXPECT_TRUE(a->WaitForStderr(
      "\"level\":\"info\",\"msg\":\"nats connection restored\",\"component\":\"nats\","
      "\"connection\":\"log\",\"server\":\"nats://"))
      << a->Stderr();
  EXPECT_TRUE(Eventually([&] { return Health(*a, kEventBridge) == kServing; }));
  int status = 0;
  ASSERT_TRUE(Eventually([&] {
    status = http.PostSigned(kPath, CommentAddedBody("after"), kSecret).status;
    return status == 200;
  })) << status;
  // The log's connection is closed on the way out (the log waits for the
  // client's closed callback), and says so.
  EXPECT_EQ(a->Stop(SIGTERM), 0);
  EXPECT_THAT(a->Stderr(), HasSubstr("\"msg\":\"nats connection closed\",\"component\":\"nats\","
                                     "\"connection\":\"log\""));
}

TEST_F(JetStreamTest, AStreamDeletedUnderARunningReplicaAsksForARestart) {
  auto a = StartReplica();
  ASSERT_NE(a, nullptr);
  HttpClient http(a->http_port());
  HttpClient admin(a->admin_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  Subscriber live(a->grpc_target(), Live());
  EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);

  ASSERT_TRUE(nats_.DeleteStream("IT").ok());
  ASSERT_TRUE(Eventually([&] { return admin.Send("GET", "/healthz").status == 503; }));
  HttpResponse health = admin.Send("GET", "/healthz");
  EXPECT_THAT(health.body, HasSubstr("restart needed"));
  EXPECT_THAT(health.body, HasSubstr("IT was deleted"));
  EXPECT_TRUE(Eventually([&] { return Health(*a, "") == kNotServing; }));
  EXPECT_EQ(admin.Send("GET", "/readyz").status, 503);
  HttpResponse r = http.PostSigned(kPath, CommentAddedBody("doc-2"), kSecret);
  EXPECT_EQ(r.status, 503) << r.body;
  // The open stream ends, naming where it got to.
  v1::Event event;
  EXPECT_FALSE(live.Read(&event));
  EXPECT_EQ(live.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(live.Trailer("hookbridge-resume-after"), "1");

  // A restarted replica creates the stream again and works.
  a.reset();
  auto again = StartReplica();
  ASSERT_NE(again, nullptr);
  HttpClient http_again(again->http_port());
  EXPECT_EQ(http_again.PostSigned(kPath, CommentAddedBody("doc-3"), kSecret).status, 200);
}

TEST_F(JetStreamTest, ASubscriberCutOffByANatsOutageResumesOnTheOtherReplica) {
  auto a = StartReplica();
  auto b = StartReplica();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  HttpClient http_a(a->http_port());
  v1::SubscribeRequest earliest;
  earliest.set_earliest(true);
  Subscriber on_a(a->grpc_target(), earliest);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(http_a.PostSigned(kPath, CommentAddedBody(absl::StrCat("doc-", i)), kSecret).status,
              200);
  }
  ASSERT_EQ(on_a.ReadN(3).size(), 3u);

  // The outage ends the stream with UNAVAILABLE and the position reached.
  nats_.Stop();
  v1::Event extra;
  EXPECT_FALSE(on_a.Read(&extra));
  grpc::Status status = on_a.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  const std::string resume = on_a.Trailer("hookbridge-resume-after");
  EXPECT_EQ(resume, "3");

  ASSERT_TRUE(nats_.Start().ok());
  HttpClient admin_b(b->admin_port());
  ASSERT_TRUE(Eventually([&] { return admin_b.Send("GET", "/readyz").status == 200; }));
  int posted = 0;
  ASSERT_TRUE(Eventually([&] {
    posted = http_a.PostSigned(kPath, CommentAddedBody("doc-4"), kSecret).status;
    return posted == 200;
  })) << posted;

  // On the other replica, from that position: no gap, no duplicate.
  v1::SubscribeRequest from;
  from.set_after_sequence(std::stoull(resume));
  Subscriber on_b(b->grpc_target(), from);
  std::vector<v1::Event> events = on_b.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence(), 4u);
}

}  // namespace
}  // namespace hookbridge::testing
