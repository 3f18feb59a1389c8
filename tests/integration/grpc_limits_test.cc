// The gRPC port's limits, against the real binary: grpc.max_connections
// (idle connections over it are closed, the oldest first; streams are never
// cut), grpc.handshake_timeout, grpc.idle_timeout, grpc.max_connection_age
// with its grace, grpc.max_streams_per_token, and the descriptor budget the
// connection limits must fit at start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "grpc-limits-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// A TCP connection to 127.0.0.1:port that sends nothing.
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ADD_FAILURE() << "connect: " << errno;
    close(fd);
    return -1;
  }
  return fd;
}

// Whether the server has closed `fd` (end of stream or a reset), reading
// and dropping whatever it sent before (a TLS or HTTP/2 greeting).
bool ClosedByServer(int fd) {
  char buffer[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

// A channel of its own (not sharing a connection with the test's other
// channels to the same target).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

grpc::Status ServerInfoOn(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::EventBridgeService::NewStub(channel);
  grpc::ClientContext context;
  AddBearer(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::GetServerInfoRequest request;
  v1::GetServerInfoResponse response;
  return stub->GetServerInfo(&context, request, &response);
}

v1::SubscribeRequest Earliest() {
  v1::SubscribeRequest request;
  request.set_earliest(true);
  return request;
}

TEST(GrpcLimitsTest, ConnectionsOverTheLimitAreClosedOldestIdleFirstAndStreamsKeepGoing) {
  constexpr int kMax = 4;
  constexpr int kFlood = 40;
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "", "", absl::StrCat("max_connections: ", kMax)));
  ASSERT_NE(process, nullptr);
  const int admin = process->admin_port();
  // A subscriber, connected before the flood.
  grpc::ChannelArguments own;
  own.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  Subscriber subscriber(process->grpc_target(), Earliest(), own);
  ASSERT_EQ(subscriber.start_after(), "0");

  // Connections of one burst are dated by the limiter's pass that first
  // sees them, and closed in no particular order among themselves. So,
  // first, one more than the limit leaves room for: once the limiter has
  // closed the excess, the survivors have been dated.
  auto closed_of = [](const std::vector<int>& fds, std::vector<bool>* is_closed) {
    int closed = 0;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(*is_closed)[i] && ClosedByServer(fds[i])) (*is_closed)[i] = true;
      closed += (*is_closed)[i] ? 1 : 0;
    }
    return closed;
  };
  std::vector<int> early;
  for (int i = 0; i < kMax + 1; ++i) early.push_back(Connect(process->grpc_port()));
  std::vector<bool> early_closed(early.size(), false);
  ASSERT_TRUE(Eventually([&] { return closed_of(early, &early_closed) >= 2; }));
  EXPECT_EQ(closed_of(early, &early_closed), 2);  // back at the limit: 3 and the subscriber's

  // Then the flood: the limiter brings the listener back to the limit,
  // older connections first. Every flood connection but kMax - 1 is
  // closed, and the early ones before them.
  std::vector<int> flood;
  for (int i = 0; i < kFlood; ++i) flood.push_back(Connect(process->grpc_port()));
  std::vector<bool> is_closed(kFlood, false);
  int closed = 0;
  EXPECT_TRUE(Eventually([&] {
    closed = closed_of(flood, &is_closed);
    return closed >= kFlood - (kMax - 1);
  })) << closed
      << " of " << kFlood << " closed";
  EXPECT_LE(WaitForMetric(admin, "hookbridge_grpc_connections", kMax), kMax);
  EXPECT_GE(MetricValue(admin, "hookbridge_grpc_connections_closed_total{reason=\"limit\"}"),
            2 + kFlood);
  // The oldest went first: none of the early ones is left.
  closed_of(early, &early_closed);
  for (size_t i = 0; i < early.size(); ++i) {
    EXPECT_TRUE(early_closed[i]) << "early connection " << i << " is still open";
  }

  // The stream was never cut, and the service takes webhooks and new
  // clients: a new connection pushes out the oldest idle one, not itself.
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("after-flood"), kSecret).status, 200);
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject(), "after-flood");
  EXPECT_TRUE(ServerInfoOn(OwnChannel(process->grpc_target())).ok());
  for (int fd : flood) close(fd);
  for (int fd : early) close(fd);
}

TEST(GrpcLimitsTest, AConnectionThatNeverHandshakesIsClosedAfterTheHandshakeTimeout) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "", "", "handshake_timeout: 1s"));
  ASSERT_NE(process, nullptr);
  const absl::Time start = absl::Now();
  const int fd = Connect(process->grpc_port());
  // Bounded well above the 1 s; gRPC's default (120 s) would not close it.
  EXPECT_TRUE(Eventually([&] { return ClosedByServer(fd); }, absl::Seconds(20)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  close(fd);
}

TEST(GrpcLimitsTest, AConnectionWithoutCallsIsClosedAfterTheIdleTimeout) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "", "", "idle_timeout: 1s"));
  ASSERT_NE(process, nullptr);
  std::shared_ptr<grpc::Channel> channel = OwnChannel(process->grpc_target());
  ASSERT_TRUE(ServerInfoOn(channel).ok());
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  // The server's GOAWAY takes the channel out of READY; nothing else
  // would (the client sends no keepalive pings by default).
  EXPECT_TRUE(channel->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::seconds(20)));
  EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY);
  // A new call reconnects.
  EXPECT_TRUE(ServerInfoOn(channel).ok());
}

TEST(GrpcLimitsTest, AStreamOnAConnectionPastItsMaximumAgeEndsAfterTheGraceAndResumes) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "", "", "max_connection_age: 1s, max_connection_age_grace: 1s"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("first"), kSecret).status, 200);
  Subscriber subscriber(process->grpc_target(), Earliest());
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  const absl::Time start = absl::Now();
  v1::Event more;
  EXPECT_FALSE(subscriber.Read(&more));  // bounded by the call's 60 s deadline
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  // Resuming after the last event read gets the next one.
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("second"), kSecret).status, 200);
  v1::SubscribeRequest resume;
  resume.set_after_sequence(events[0].sequence());
  Subscriber resumed(process->grpc_target(), resume);
  std::vector<v1::Event> next = resumed.ReadN(1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].subject(), "second");
}

constexpr char kOtherToken[] = "hookbridge-integration-other-token";

TEST(GrpcLimitsTest, StreamsPerTokenAreLimitedAcrossSubscribeAndConsume) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(
      kSecret,
      absl::StrCat(
          AuthSection({{"reader", kTestToken, "[\"*\"]", "[\"*\"]", ", manage_consumers: true"},
                       {"other", kOtherToken}}),
          "consumers:\n  - { name: workers, start: earliest }\n"),
      "", "max_streams_per_token: 2"));
  ASSERT_NE(process, nullptr);
  const std::string target = process->grpc_target();
  auto reject_reason = [&] {
    return MetricValue(process->admin_port(),
                       "hookbridge_subscriptions_rejected_total{reason=\"too_many_streams_for_"
                       "token\"}");
  };

  // One Subscribe and one Consume stream of "reader".
  auto subscriber = std::make_unique<Subscriber>(target, Earliest());
  ASSERT_EQ(subscriber->start_after(), "0");
  auto stub = v1::EventBridgeService::NewStub(OwnChannel(target));
  grpc::ClientContext consume_context;
  AddBearer(&consume_context);
  auto consume = stub->Consume(&consume_context);
  v1::ConsumeRequest start;
  start.mutable_start()->set_consumer("workers");
  ASSERT_TRUE(consume->Write(start));
  consume->WaitForInitialMetadata();
  ASSERT_EQ(consume_context.GetServerInitialMetadata().count("hookbridge-member-id"), 1u);

  // A third stream of "reader" is refused, with the key to raise.
  Subscriber refused(target, Earliest());
  EXPECT_EQ(refused.start_after(), "");
  grpc::Status status = refused.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("grpc.max_streams_per_token"));
  EXPECT_THAT(status.error_message(), HasSubstr("\"reader\""));
  EXPECT_EQ(reject_reason(), 1);
  // A Consume stream of "reader" too.
  grpc::ClientContext second_context;
  AddBearer(&second_context);
  auto second = stub->Consume(&second_context);
  ASSERT_TRUE(second->Write(start));
  second->WritesDone();
  v1::ConsumeResponse ignored;
  while (second->Read(&ignored)) {
  }
  EXPECT_EQ(second->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Another token is not affected.
  Subscriber other(target, Earliest(), grpc::ChannelArguments(), kOtherToken);
  EXPECT_EQ(other.start_after(), "0");

  // A stream that ends gives its place back.
  subscriber->Cancel();
  subscriber->Finish();
  subscriber.reset();
  std::unique_ptr<Subscriber> admitted;
  EXPECT_TRUE(Eventually([&] {
    admitted = std::make_unique<Subscriber>(target, Earliest());
    if (admitted->start_after() == "0") return true;
    admitted->Finish();
    return false;
  }));
  admitted->Cancel();
  other.Cancel();
  consume_context.TryCancel();
  consume->Finish();
}

TEST(GrpcLimitsTest, ConnectionLimitsThatDoNotFitTheDescriptorLimitAreRefusedAtStart) {
  char dir[] = "/tmp/hookbridge-fds-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/hookbridge.yaml";
  std::ofstream(path) << CkeditorConfig(
      kSecret, absl::StrCat("log: { backend: file, dir: ", dir, "/log }\n"));
  // Defaults: 1024 (ingress) + 1024 (admin) + 1024 (gRPC) + 512 reserved.
  CommandResult start =
      RunCommand({"/bin/sh", "-c", "ulimit -n 1000 && exec \"$0\" --config \"$1\"",
                  BinaryPath("hookbridge"), path});
  EXPECT_EQ(start.exit_code, 1) << start.err;
  EXPECT_THAT(start.err, HasSubstr("need 3584 file descriptors"));
  EXPECT_THAT(start.err, HasSubstr("grpc.max_connections 1024"));
  EXPECT_THAT(start.err, HasSubstr("may open 1000"));
  EXPECT_THAT(start.err, HasSubstr("ulimit -n"));

  // Lowered to fit, it starts.
  std::ofstream(path) << CkeditorConfig(
      kSecret, absl::StrCat("log: { backend: file, dir: ", dir, "/log }\n"), "max_connections: 128",
      "max_connections: 128");
  BackgroundCommand fits({"/bin/sh", "-c", "ulimit -n 1000 && exec \"$0\" --config \"$1\"",
                          BinaryPath("hookbridge"), path},
                         {}, std::string(dir) + "/out", std::string(dir) + "/err");
  EXPECT_TRUE(Eventually([&] {
    return absl::StrContains(ReadText(std::string(dir) + "/err"), "\"listening\"");
  })) << ReadText(std::string(dir) + "/err");
  EXPECT_EQ(fits.Stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hookbridge::testing
