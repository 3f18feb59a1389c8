// The facts of OUT_OF_RANGE and UNAVAILABLE in the gRPC richer error model,
// on the real binary: the google.rpc.Status in grpc-status-details-bin
// carries an ErrorInfo (reason, domain "hookbridge", facts such as the
// oldest retained sequence and the sequence to resume after) and, for
// UNAVAILABLE, a RetryInfo; the message text and the resume trailer stay
// as they were.
#include <signal.h>

#include <map>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "details-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// What a client library reads from a finished call's details.
struct Details {
  bool present = false;
  int code = 0;
  google::rpc::ErrorInfo info;
  bool has_info = false;
  google::rpc::RetryInfo retry;
  bool has_retry = false;
};

Details Decode(const grpc::Status& status) {
  Details out;
  if (status.error_details().empty()) return out;
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details()));
  out.present = true;
  out.code = rpc.code();
  EXPECT_EQ(rpc.message(), status.error_message());
  for (const google::protobuf::Any& any : rpc.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) out.has_info = any.UnpackTo(&out.info);
    if (any.Is<google::rpc::RetryInfo>()) out.has_retry = any.UnpackTo(&out.retry);
  }
  return out;
}

grpc::Status FinishedWith(const std::string& target, const v1::SubscribeRequest& request) {
  Subscriber subscriber(target, request);
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  return subscriber.Finish();
}

TEST(ErrorDetailsTest, NotRetainedSaysTheOldestSequence) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "log: { backend: memory, max_events: 3 }\n"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody(absl::StrCat("doc-", i)), kSecret).status,
              200);
  }
  v1::SubscribeRequest request;
  request.set_after_sequence(1);
  const grpc::Status status = FinishedWith(process->grpc_target(), request);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), HasSubstr("the oldest is 3"));  // as before
  const Details details = Decode(status);
  ASSERT_TRUE(details.present);
  EXPECT_EQ(details.code, grpc::StatusCode::OUT_OF_RANGE);
  ASSERT_TRUE(details.has_info);
  EXPECT_EQ(details.info.reason(), "EVENTS_NOT_RETAINED");
  EXPECT_EQ(details.info.domain(), "hookbridge");
  EXPECT_EQ(details.info.metadata().at("oldest_sequence"), "3");
  EXPECT_EQ(details.info.metadata().at("after_sequence"), "1");
  EXPECT_FALSE(details.has_retry);  // retrying the same request cannot help
}

TEST(ErrorDetailsTest, APositionAfterTheEndSaysTheLastSequence) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  v1::SubscribeRequest request;
  request.set_after_sequence(100);
  const grpc::Status status = FinishedWith(process->grpc_target(), request);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  const Details details = Decode(status);
  ASSERT_TRUE(details.has_info);
  EXPECT_EQ(details.info.reason(), "POSITION_AFTER_END");
  EXPECT_EQ(details.info.metadata().at("last_sequence"), "1");
}

TEST(ErrorDetailsTest, ShutdownSaysWhereToResumeAndWhenToRetry) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-2"), kSecret).status, 200);
  v1::SubscribeRequest request;
  request.set_earliest(true);
  Subscriber subscriber(process->grpc_target(), request);
  ASSERT_EQ(subscriber.ReadN(2).size(), 2u);

  std::thread stopper([&process] { EXPECT_EQ(process->Stop(SIGTERM), 0); });
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  const grpc::Status status = subscriber.Finish();
  stopper.join();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(subscriber.Trailer("hookbridge-resume-after"), "2");  // as before
  const Details details = Decode(status);
  ASSERT_TRUE(details.has_info);
  EXPECT_EQ(details.info.reason(), "SERVER_SHUTTING_DOWN");
  EXPECT_EQ(details.info.metadata().at("resume_after"), "2");
  ASSERT_TRUE(details.has_retry);
  EXPECT_EQ(details.retry.retry_delay().seconds(), 1);
}

TEST(ErrorDetailsTest, OtherErrorsCarryNone) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  v1::SubscribeRequest request;
  request.set_earliest(true);
  Subscriber anonymous(process->grpc_target(), request, grpc::ChannelArguments(), /*token=*/"");
  v1::Event event;
  EXPECT_FALSE(anonymous.Read(&event));
  const grpc::Status status = anonymous.Finish();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(Decode(status).present);
}

}  // namespace
}  // namespace hookbridge::testing
