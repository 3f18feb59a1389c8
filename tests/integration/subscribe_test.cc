// The Subscribe envelope on the real binary: events in batches of whatever
// is ready, Heartbeats on an idle stream, Gap notices for clients that
// allow them; GetServerInfo; and the maximum event size, which the ingress
// enforces (413) and the stream never exceeds.
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/integration/raw_connection.h"

namespace hookbridge::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSecret[] = "subscribe-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

v1::SubscribeRequest FromStart() {
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  return request;
}

TEST(SubscribeTest, ReplayComesInFullBatchesInSequenceOrder) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  constexpr int kEvents = 300;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-" + std::to_string(i)), kSecret).status,
              200);
  }
  Subscriber subscriber(process->grpc_target(), FromStart());
  std::vector<int> sizes;
  std::vector<v1::Event> events;
  v1::SubscribeResponse response;
  while (events.size() < kEvents && subscriber.ReadResponse(&response)) {
    ASSERT_GT(response.events_size(), 0) << response.ShortDebugString();
    sizes.push_back(response.events_size());
    for (v1::Event& event : *response.mutable_events()) events.push_back(std::move(event));
  }
  // Everything was retained before the stream started: each response is as
  // large as allowed (64 events of ~1 KiB stay under the byte bound).
  EXPECT_THAT(sizes, ElementsAre(64, 64, 64, 64, 44));
  ASSERT_EQ(events.size(), kEvents);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), i + 1);
    EXPECT_EQ(events[i].subject(), "doc-" + std::to_string(i));
    EXPECT_TRUE(events[i].has_ckeditor()) << i;
  }
  EXPECT_EQ(WaitForMetric(process->admin_port(),
                          "hookbridge_events_delivered_total{source=\"ckeditor\"}", kEvents),
            kEvents);
}

TEST(SubscribeTest, LiveStreamAppliesFiltersAndIncludesRawBodies) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  v1::SubscribeRequest request;
  request.add_subjects("wanted");
  request.set_include_raw(true);
  Subscriber subscriber(process->grpc_target(), request);
  EXPECT_EQ(subscriber.start_after(), "0");

  HttpClient http(process->http_port());
  std::vector<std::string> wanted;
  for (int i = 0; i < 10; ++i) {
    const std::string body =
        CommentAddedBody(i % 2 == 0 ? "wanted" : "other", "n" + std::to_string(i));
    ASSERT_EQ(http.PostSigned(kPath, body, kSecret).status, 200);
    if (i % 2 == 0) wanted.push_back(body);
  }
  std::vector<v1::Event> events = subscriber.ReadN(static_cast<int>(wanted.size()));
  ASSERT_EQ(events.size(), wanted.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].subject(), "wanted");
    EXPECT_EQ(events[i].sequence(), 2 * i + 1);
    EXPECT_EQ(events[i].raw_body(), wanted[i]);
  }
}

TEST(SubscribeTest, AnIdleStreamGetsHeartbeatsWithTheHeadAndItsPosition) {
  auto process =
      HookbridgeProcess::Start(CkeditorConfig(kSecret, "", "", "heartbeat_interval: 1s"));
  ASSERT_NE(process, nullptr);
  v1::SubscribeRequest request;
  request.add_subjects("nothing-matches-this");
  Subscriber subscriber(process->grpc_target(), request);
  ASSERT_EQ(subscriber.start_after(), "0");
  HttpClient http(process->http_port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-" + std::to_string(i)), kSecret).status,
              200);
  }
  // No event matches, yet the stream says it is alive, where the log's
  // head is, and that it has looked at everything up to it.
  v1::SubscribeResponse response;
  bool caught_up = false;
  while (!caught_up && subscriber.ReadResponse(&response)) {
    ASSERT_EQ(response.events_size(), 0) << response.ShortDebugString();
    ASSERT_TRUE(response.has_heartbeat()) << response.ShortDebugString();
    EXPECT_LE(response.heartbeat().resume_after(), response.heartbeat().head_sequence());
    caught_up =
        response.heartbeat().head_sequence() == 3 && response.heartbeat().resume_after() == 3;
  }
  EXPECT_TRUE(caught_up);
  // Events still come as soon as they match.
  v1::SubscribeRequest all = FromStart();
  Subscriber everything(process->grpc_target(), all);
  EXPECT_EQ(everything.ReadN(3).back().sequence(), 3u);
  EXPECT_TRUE(everything.heartbeats().empty());
}

TEST(SubscribeTest, AllowGapsReportsEvictedEventsAndGoesOn) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "log: { backend: memory, max_events: 4 }\n"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 1; i <= 10; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-" + std::to_string(i)), kSecret).status,
              200);
  }
  // Without allow_gaps, a start before retention is OUT_OF_RANGE.
  {
    Subscriber strict(process->grpc_target(), FromStart());
    v1::Event event;
    EXPECT_FALSE(strict.Read(&event));
    EXPECT_EQ(strict.Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);
  }
  v1::SubscribeRequest request = FromStart();
  request.set_allow_gaps(true);
  Subscriber subscriber(process->grpc_target(), request);
  v1::SubscribeResponse first;
  ASSERT_TRUE(subscriber.ReadResponse(&first));
  ASSERT_TRUE(first.has_gap()) << first.ShortDebugString();
  EXPECT_EQ(first.gap().first_sequence(), 1u);
  EXPECT_EQ(first.gap().last_sequence(), 6u);
  EXPECT_EQ(first.events_size(), 0);
  std::vector<v1::Event> events = subscriber.ReadN(4);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.front().sequence(), 7u);
  EXPECT_EQ(events.back().sequence(), 10u);
}

TEST(SubscribeTest, GetServerInfoSaysVersionBackendAndLimits) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "log: { backend: memory }\n", "",
                     "max_event_bytes: 2MiB, heartbeat_interval: 5s, max_filter_patterns: 9"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc"), kSecret).status, 200);
  v1::GetServerInfoResponse info;
  grpc::Status status = GetServerInfo(process->grpc_target(), &info);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(info.version().empty());
  EXPECT_EQ(info.log_backend(), "memory");
  EXPECT_EQ(info.max_event_bytes(), 2u << 20);
  EXPECT_GT(info.max_response_bytes(), info.max_event_bytes());
  EXPECT_LT(info.max_response_bytes(), info.max_event_bytes() + 64);
  EXPECT_EQ(info.max_batch_events(), 64u);
  EXPECT_EQ(info.heartbeat_interval().seconds(), 5);
  EXPECT_EQ(info.max_filter_patterns(), 9u);
  EXPECT_EQ(info.max_subscribers(), 10000u);
  EXPECT_EQ(info.first_sequence(), 1u);
  EXPECT_EQ(info.last_sequence(), 1u);

  EXPECT_EQ(GetServerInfo(process->grpc_target(), &info, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// A comment whose content is `bytes` long: the event holds it twice (the
// raw body and the typed payload).
std::string BigComment(const std::string& doc, size_t bytes) {
  return CommentAddedBody(doc, std::string(bytes, 'x'));
}

TEST(SubscribeTest, AnEventOverTheMaximumIsRefusedWith413AndNeverStored) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "", "max_body_bytes: 1MiB", "max_event_bytes: 1MiB"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, BigComment("fits", 400 << 10), kSecret).status, 200);
  // Its body is under http.max_body_bytes, but twice its content is not
  // under grpc.max_event_bytes.
  HttpResponse refused = http.PostSigned(kPath, BigComment("too-big", 600 << 10), kSecret);
  EXPECT_EQ(refused.status, 413);
  EXPECT_THAT(refused.body, HasSubstr("too_large"));
  EXPECT_THAT(refused.body, HasSubstr("grpc.max_event_bytes"));
  EXPECT_EQ(WebhookCount(process->admin_port(), "ckeditor", "too_large"), 1);
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("after"), kSecret).status, 200);

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(1 << 20);  // what GetServerInfo would say, rounded down
  v1::SubscribeRequest request = FromStart();
  request.set_include_raw(true);
  Subscriber subscriber(process->grpc_target(), request, args);
  std::vector<v1::Event> events = subscriber.ReadN(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].subject(), "fits");
  EXPECT_EQ(events[1].subject(), "after");
  EXPECT_EQ(events[1].sequence(), 2u);
}

TEST(SubscribeTest, A5MiBEventReachesAClientThatTakesItsLimitFromGetServerInfo) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, BigComment("big", 5 << 20), kSecret).status, 200);

  // gRPC's default receive limit (4 MiB) cannot take it.
  {
    Subscriber defaults(process->grpc_target(), FromStart());
    v1::Event event;
    EXPECT_FALSE(defaults.Read(&event));
    EXPECT_EQ(defaults.Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  v1::GetServerInfoResponse info;
  ASSERT_TRUE(GetServerInfo(process->grpc_target(), &info).ok());
  EXPECT_EQ(info.max_event_bytes(), 32u << 20);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(info.max_response_bytes()));
  v1::SubscribeRequest request = FromStart();
  request.set_include_raw(true);
  Subscriber subscriber(process->grpc_target(), request, args);
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ckeditor().comment_added().comment().content().size(), 5u << 20);
  EXPECT_EQ(events[0].raw_body().size(), BigComment("big", 5 << 20).size());
}

TEST(SubscribeTest, AStoredEventOverALoweredMaximumGoesOutWithoutItsPayload) {
  char dir[] = "/tmp/hookbridge-subscribe-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string log = absl::StrCat("log: { backend: file, dir: \"", dir, "\" }\n");
  {
    auto before = HookbridgeProcess::Start(CkeditorConfig(kSecret, log, "max_body_bytes: 4MiB"));
    ASSERT_NE(before, nullptr);
    HttpClient http(before->http_port());
    ASSERT_EQ(http.PostSigned(kPath, BigComment("big", 1 << 20), kSecret).status, 200);
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("small"), kSecret).status, 200);
  }
  auto after = HookbridgeProcess::Start(CkeditorConfig(kSecret, log, "", "max_event_bytes: 1MiB"));
  ASSERT_NE(after, nullptr);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(1 << 20);
  v1::SubscribeRequest request = FromStart();
  request.set_include_raw(true);
  Subscriber subscriber(after->grpc_target(), request, args);
  std::vector<v1::Event> events = subscriber.ReadN(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].sequence(), 1u);
  EXPECT_EQ(events[0].subject(), "big");
  EXPECT_FALSE(events[0].has_ckeditor());
  EXPECT_TRUE(events[0].raw_body().empty());
  EXPECT_THAT(events[0].decode_error(), HasSubstr("grpc.max_event_bytes"));
  EXPECT_EQ(events[1].subject(), "small");
  EXPECT_TRUE(events[1].has_ckeditor());
  after.reset();
  std::filesystem::remove_all(dir);
}

TEST(SubscribeTest, ReplayFromDiskCarriesTheRawBodyExactlyToThoseWhoAskForIt) {
  char dir[] = "/tmp/hookbridge-subscribe-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string log = absl::StrCat("log: { backend: file, dir: \"", dir, "\" }\n");
  const std::string first = CommentAddedBody("one");
  const std::string second = CommentAddedBody("two");
  {
    auto before = HookbridgeProcess::Start(CkeditorConfig(kSecret, log));
    ASSERT_NE(before, nullptr);
    HttpClient http(before->http_port());
    ASSERT_EQ(http.PostSigned(kPath, first, kSecret).status, 200);
    ASSERT_EQ(http.PostSigned(kPath, second, kSecret).status, 200);
  }
  // Restarted: the events are read from the segment, not from memory.
  auto after = HookbridgeProcess::Start(CkeditorConfig(kSecret, log));
  ASSERT_NE(after, nullptr);
  v1::SubscribeRequest with_raw = FromStart();
  with_raw.set_include_raw(true);
  Subscriber raw(after->grpc_target(), with_raw);
  Subscriber plain(after->grpc_target(), FromStart());
  std::vector<v1::Event> raw_events = raw.ReadN(2);
  std::vector<v1::Event> plain_events = plain.ReadN(2);
  ASSERT_EQ(raw_events.size(), 2u);
  ASSERT_EQ(plain_events.size(), 2u);
  EXPECT_EQ(raw_events[0].raw_body(), first);
  EXPECT_EQ(raw_events[1].raw_body(), second);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(plain_events[i].raw_body().empty());
    // Everything but the raw body is the same event.
    v1::Event stripped = raw_events[i];
    stripped.clear_raw_body();
    EXPECT_EQ(stripped.SerializeAsString(), plain_events[i].SerializeAsString());
    EXPECT_TRUE(plain_events[i].has_ckeditor());
  }
  after.reset();
  std::filesystem::remove_all(dir);
}

TEST(SubscribeTest, NeedsAToken) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  Subscriber subscriber(process->grpc_target(), FromStart(), grpc::ChannelArguments(),
                        /*token=*/"");
  EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace hookbridge::testing
