// The gRPC service in process, over a real gRPC server and client, with a
// log whose reads for one filter block: what a subscriber scanning a
// multi-GB log, or waiting on a NATS fetch, looks like to everyone else.
#include "server/grpc/event_bridge_service.h"

#include <grpcpp/grpcpp.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bridge/log/memory/memory_log.h"
#include "gtest/gtest.h"
#include "hookbridge/v1/service.grpc.pb.h"
#include "tests/testing/eventually.h"

namespace hookbridge {
namespace {

using testing::Eventually;

constexpr char kBlockedType[] = "blocked.type";

// Reads selecting kBlockedType wait until Release(); the first one says so.
class BlockingLog : public MemoryLog {
 public:
  BlockingLog() : MemoryLog(Options()) {}

  absl::Status ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                            std::vector<RecordPtr>* out, uint64_t* through,
                            const std::shared_ptr<LogWaiter>& waiter) override {
    for (const std::string& type : selector.type_patterns) {
      if (type != kBlockedType) continue;
      if (!entered_.HasBeenNotified()) entered_.Notify();
      released_.WaitForNotification();
    }
    return MemoryLog::ReadSelected(after, max, selector, out, through, waiter);
  }

  void AwaitBlockedRead() { entered_.WaitForNotification(); }
  void Release() {
    if (!released_.HasBeenNotified()) released_.Notify();
  }

 private:
  absl::Notification entered_;
  absl::Notification released_;
};

class EventBridgeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthConfig auth;
    auth.enabled = false;
    absl::StatusOr<std::unique_ptr<Authorizer>> authorizer = Authorizer::Create(auth);
    ASSERT_TRUE(authorizer.ok()) << authorizer.status();
    service_ = std::make_unique<EventBridgeService>(
        &log_, &metrics_, std::vector<SourceInfo>{},
        std::shared_ptr<const Authorizer>(*std::move(authorizer)), SubscribeLimits());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::EventBridgeService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    log_.Release();
    for (auto& context : contexts_) context->TryCancel();
    for (auto& reader : readers_) reader->Finish().ok();
    service_->Shutdown(absl::Now() + absl::Seconds(10));
    server_->Shutdown(std::chrono::system_clock::now());
  }

  uint64_t Append(const std::string& type) {
    v1::Event event;
    event.set_id(absl::StrCat("id-", ++appended_));
    event.set_source("docs");
    event.set_type(type);
    uint64_t sequence = 0;
    log_.Append(EncodeEvent(std::move(event)), [&](absl::StatusOr<uint64_t> s) {
      ASSERT_TRUE(s.ok()) << s.status();
      sequence = *s;
    });
    return sequence;
  }

  grpc::ClientReader<v1::SubscribeResponse>* Subscribe(const std::string& type) {
    v1::SubscribeRequest request;
    request.set_earliest(true);
    request.add_types(type);
    contexts_.push_back(std::make_unique<grpc::ClientContext>());
    readers_.push_back(stub_->Subscribe(contexts_.back().get(), request));
    return readers_.back().get();
  }

  // The sequences of the next `n` events `reader` receives (heartbeats
  // and gaps skipped).
  static std::vector<uint64_t> ReadEvents(grpc::ClientReader<v1::SubscribeResponse>* reader,
                                          size_t n) {
    std::vector<uint64_t> sequences;
    v1::SubscribeResponse response;
    while (sequences.size() < n && reader->Read(&response)) {
      for (const v1::Event& event : response.events()) sequences.push_back(event.sequence());
    }
    return sequences;
  }

  BlockingLog log_;
  Metrics metrics_{std::vector<SourceInfo>{}};
  std::unique_ptr<EventBridgeService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts_;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>> readers_;
  int appended_ = 0;
};

TEST_F(EventBridgeServiceTest, AStreamStuckReadingTheLogStallsNoOneElse) {
  for (int i = 0; i < 5; ++i) Append("a");
  grpc::ClientReader<v1::SubscribeResponse>* stuck = Subscribe(kBlockedType);
  log_.AwaitBlockedRead();

  // What /metrics and the console ask of every stream answers meanwhile.
  // (The wait only keeps a regression from hanging the test run.)
  auto lag = std::async(std::launch::async, [&] { return service_->MaxLag(5); });
  ASSERT_EQ(lag.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "MaxLag waits for a stream's log read";
  EXPECT_EQ(lag.get(), 5u);  // the stuck stream has examined nothing yet
  auto listed = std::async(std::launch::async, [&] { return service_->Subscribers().size(); });
  ASSERT_EQ(listed.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(listed.get(), 1u);

  // New streams start and get their events; new events reach them live.
  grpc::ClientReader<v1::SubscribeResponse>* other = Subscribe("a");
  EXPECT_EQ(ReadEvents(other, 5), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  Append("a");
  EXPECT_EQ(ReadEvents(other, 1), (std::vector<uint64_t>{6}));

  // Released, the stuck stream goes on from where it was.
  log_.Release();
  Append(kBlockedType);
  EXPECT_EQ(ReadEvents(stuck, 1), (std::vector<uint64_t>{7}));
  EXPECT_TRUE(Eventually([&] { return service_->MaxLag(7) == 0; }));
}

TEST_F(EventBridgeServiceTest, AFilterMatchingNothingStillReachesTheEndAndGoesLive) {
  // Many bounded steps' worth of records, none of them matching.
  const int total = Subscription::kMaxReadsPerNext * 256 * 3;
  for (int i = 0; i < total; ++i) Append("a");
  grpc::ClientReader<v1::SubscribeResponse>* none = Subscribe("b");
  grpc::ClientReader<v1::SubscribeResponse>* all = Subscribe("a");
  EXPECT_EQ(ReadEvents(all, total).size(), static_cast<size_t>(total));
  EXPECT_TRUE(Eventually([&] { return service_->MaxLag(total) == 0; }));
  const uint64_t wanted = Append("b");
  EXPECT_EQ(ReadEvents(none, 1), (std::vector<uint64_t>{wanted}));
}

}  // namespace
}  // namespace hookbridge
