// SubscribeBatches on the real binary: the same events as Subscribe, in the
// same order and with the same bytes, grouped into EventBatch messages.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

constexpr char kSecret[] = "batch-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// An open SubscribeBatches stream, established (hookbridge-start-after
// received) when constructed.
class BatchSubscriber {
 public:
  BatchSubscriber(const std::string& target, const v1::SubscribeRequest& request,
                  const std::string& token = kTestToken)
      : stub_(v1::EventBridge::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {
    if (!token.empty()) AddBearer(&context_, token);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader_ = stub_->SubscribeBatches(&context_, request);
    reader_->WaitForInitialMetadata();
    const auto& metadata = context_.GetServerInitialMetadata();
    if (auto it = metadata.find("hookbridge-start-after"); it != metadata.end()) {
      start_after_ = std::string(it->second.data(), it->second.size());
    }
  }

  // Reads batches until `n` events arrived (or the stream ends); the sizes
  // of the batches read are appended to `sizes`.
  std::vector<v1::Event> ReadEvents(size_t n, std::vector<int>* sizes = nullptr) {
    std::vector<v1::Event> events;
    v1::EventBatch batch;
    while (events.size() < n && reader_->Read(&batch)) {
      EXPECT_GT(batch.events_size(), 0) << "an empty batch";
      if (sizes != nullptr) sizes->push_back(batch.events_size());
      for (v1::Event& event : *batch.mutable_events()) events.push_back(std::move(event));
    }
    EXPECT_EQ(events.size(), n);
    return events;
  }

  grpc::Status Finish() { return reader_->Finish(); }
  const std::string& start_after() const { return start_after_; }

 private:
  std::unique_ptr<v1::EventBridge::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::EventBatch>> reader_;
  std::string start_after_;
};

v1::SubscribeRequest FromStart() {
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  return request;
}

TEST(SubscribeBatchesTest, ReplayComesInFullBatchesWithTheSameBytesAsSubscribe) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  constexpr int kEvents = 300;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-" + std::to_string(i)), kSecret).status,
              200);
  }
  std::vector<int> sizes;
  BatchSubscriber batches(process->grpc_target(), FromStart());
  std::vector<v1::Event> batched = batches.ReadEvents(kEvents, &sizes);
  // Everything was retained before the stream started: each batch is as
  // large as allowed (64 events of ~1 KiB stay under the byte bound).
  EXPECT_THAT(sizes, ::testing::ElementsAre(64, 64, 64, 64, 44));

  Subscriber plain(process->grpc_target(), FromStart());
  std::vector<v1::Event> single = plain.ReadN(kEvents);
  ASSERT_EQ(batched.size(), single.size());
  for (size_t i = 0; i < batched.size(); ++i) {
    EXPECT_EQ(batched[i].sequence(), i + 1);
    EXPECT_EQ(batched[i].SerializeAsString(), single[i].SerializeAsString()) << i;
  }
  EXPECT_EQ(WaitForMetric(process->admin_port(),
                          "hookbridge_events_delivered_total{source=\"ckeditor\"}", 2 * kEvents),
            2 * kEvents);
}

TEST(SubscribeBatchesTest, LiveStreamAppliesFiltersAndIncludesRawBodies) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  v1::SubscribeRequest request;
  request.add_subjects("wanted");
  request.set_include_raw(true);
  BatchSubscriber batches(process->grpc_target(), request);
  EXPECT_EQ(batches.start_after(), "0");

  HttpClient http(process->http_port());
  std::vector<std::string> wanted;
  for (int i = 0; i < 10; ++i) {
    const std::string body =
        CommentAddedBody(i % 2 == 0 ? "wanted" : "other", "n" + std::to_string(i));
    ASSERT_EQ(http.PostSigned(kPath, body, kSecret).status, 200);
    if (i % 2 == 0) wanted.push_back(body);
  }
  std::vector<v1::Event> events = batches.ReadEvents(wanted.size());
  ASSERT_EQ(events.size(), wanted.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].subject(), "wanted");
    EXPECT_EQ(events[i].sequence(), 2 * i + 1);
    EXPECT_EQ(events[i].raw_body(), wanted[i]);
  }
}

TEST(SubscribeBatchesTest, NeedsATokenLikeSubscribe) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  BatchSubscriber batches(process->grpc_target(), FromStart(), /*token=*/"");
  EXPECT_EQ(batches.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace hookbridge::testing
