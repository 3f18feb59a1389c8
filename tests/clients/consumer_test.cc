// The C++ client's consumer (hookbridge::client::Consumer) against an
// in-process fake of EventBridgeService whose Consume calls run a script
// per test: messages and delivery attempts, acknowledgements batched into
// ranges and confirmed, Flush, nack and extend, settling once, stale
// messages and acknowledgements dropped across a reconnect, statuses that
// end the consumer, rejections and gaps, Cancel flushing first.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hookbridge/client.h"

namespace hookbridge::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Stream = grpc::ServerReaderWriter<v1::ConsumeResponse, v1::ConsumeRequest>;

// One Consume call as the script sees it.
struct Call {
  int index = 0;
  v1::ConsumeStart start;
  grpc::ServerContext* context = nullptr;
  Stream* stream = nullptr;

  // As the server establishes a stream: its initial metadata names the
  // member.
  void Established() {
    context->AddInitialMetadata("hookbridge-member-id",
                                start.member_id().empty() ? "ipv4:127.0.0.1:1" : start.member_id());
    stream->SendInitialMetadata();
  }
  void Events(uint32_t attempt, const std::vector<uint64_t>& sequences) {
    v1::ConsumeResponse response;
    for (uint64_t s : sequences) {
      v1::ConsumedEvent* consumed = response.add_events();
      consumed->mutable_event()->set_sequence(s);
      consumed->mutable_event()->set_type("comment.added");
      consumed->set_delivery_attempt(attempt);
    }
    stream->Write(response);
  }
  void Acknowledged(uint64_t first, uint64_t last) {
    v1::ConsumeResponse response;
    v1::SequenceRange* range = response.mutable_acknowledged()->add_ranges();
    range->set_first(first);
    range->set_last(last);
    stream->Write(response);
  }
  // The next request; an empty one when the client stopped sending.
  v1::ConsumeRequest Request() {
    v1::ConsumeRequest request;
    if (!stream->Read(&request)) request.Clear();
    return request;
  }
  // Blocks until the client ends the call.
  grpc::Status Wait() {
    v1::ConsumeRequest ignored;
    while (stream->Read(&ignored)) {
    }
    return grpc::Status::CANCELLED;
  }
};

// The sequences an Acknowledge names, ranges expanded.
std::vector<uint64_t> Acked(const v1::ConsumeRequest& request) {
  std::vector<uint64_t> out(request.ack().sequences().begin(), request.ack().sequences().end());
  for (const v1::SequenceRange& range : request.ack().ranges()) {
    for (uint64_t s = range.first(); s <= range.last(); ++s) out.push_back(s);
  }
  return out;
}

class FakeService final : public v1::EventBridgeService::Service {
 public:
  std::function<grpc::Status(Call&)> script;

  grpc::Status GetServerInfo(grpc::ServerContext* context, const v1::GetServerInfoRequest*,
                             v1::GetServerInfoResponse* response) override {
    Note(context);
    response->set_max_response_bytes(1 << 20);
    response->mutable_heartbeat_interval()->set_seconds(10);
    return grpc::Status::OK;
  }

  grpc::Status Consume(grpc::ServerContext* context, Stream* stream) override {
    Note(context);
    v1::ConsumeRequest first;
    if (!stream->Read(&first)) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no start");
    Call call;
    {
      std::lock_guard<std::mutex> lock(mu_);
      call.index = static_cast<int>(starts_.size());
      starts_.push_back(first.start());
    }
    call.start = first.start();
    call.context = context;
    call.stream = stream;
    return script(call);
  }

  std::vector<v1::ConsumeStart> starts() {
    std::lock_guard<std::mutex> lock(mu_);
    return starts_;
  }
  std::vector<std::string> authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }

 private:
  void Note(grpc::ServerContext* context) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = context->client_metadata().find("authorization");
    authorization_.emplace_back(it == context->client_metadata().end()
                                    ? ""
                                    : std::string(it->second.data(), it->second.size()));
  }

  std::mutex mu_;
  std::vector<v1::ConsumeStart> starts_;
  std::vector<std::string> authorization_;
};

// What the consumer reported through its callbacks, in order.
class Reports {
 public:
  void Add(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(line);
    changed_.notify_all();
  }
  // Waits until a line contains `needle` (at most 10 s).
  bool WaitFor(const std::string& needle) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const std::string& line : lines_) {
        if (line.find(needle) != std::string::npos) return true;
      }
      return false;
    });
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

class ConsumerTest : public ::testing::Test {
 protected:
  void Start(std::function<grpc::Status(Call&)> script) {
    service_.script = std::move(script);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    Options options;
    options.target = "127.0.0.1:" + std::to_string(port);
    options.token = "s3cret";
    ASSERT_TRUE(Client::Create(options, &client_).ok());
  }

  // A consumer of "indexer" whose callbacks report to reports_.
  std::unique_ptr<Consumer> Consume(
      const std::string& member = "pod-1",
      std::chrono::milliseconds close_timeout = std::chrono::seconds(5)) {
    ConsumeOptions options;
    options.consumer = "indexer";
    options.member_id = member;
    options.initial_backoff = std::chrono::milliseconds(1);
    options.max_backoff = std::chrono::milliseconds(5);
    options.close_timeout = close_timeout;
    options.on_status = [this](const std::string& line) { reports_.Add(line); };
    options.on_rejected = [this](const std::vector<uint64_t>& sequences,
                                 const std::string& reason) {
      reports_.Add("rejected " + std::to_string(sequences.size()) + ": " + reason);
    };
    options.on_gap = [this](const v1::Gap& gap) {
      reports_.Add("gap " + std::to_string(gap.first_sequence()) + ".." +
                   std::to_string(gap.last_sequence()));
    };
    return client_->Consume(options);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  FakeService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Client> client_;
  Reports reports_;
};

TEST_F(ConsumerTest, HandsOutMessagesAndConfirmsAcknowledgementsSentAsRanges) {
  std::mutex mu;
  std::vector<v1::ConsumeRequest> acks;
  Start([&](Call& call) {
    call.Established();
    call.Events(1, {1, 2, 3, 4});
    call.Events(2, {5});
    std::set<uint64_t> seen;
    while (seen.size() < 5) {
      v1::ConsumeRequest request = call.Request();
      if (!request.has_ack()) break;
      for (uint64_t s : Acked(request)) seen.insert(s);
      std::lock_guard<std::mutex> lock(mu);
      acks.push_back(request);
    }
    call.Acknowledged(1, 5);
    return call.Wait();
  });
  std::unique_ptr<Consumer> consumer = Consume();
  for (uint64_t want = 1; want <= 5; ++want) {
    Message message;
    ASSERT_TRUE(consumer->Next(&message)) << consumer->status().error_message();
    EXPECT_EQ(message.sequence(), want);
    EXPECT_EQ(message.event().type(), "comment.added");
    EXPECT_EQ(message.delivery_attempt(), want <= 4 ? 1u : 2u);
    message.Ack();
    message.Ack();  // settled: nothing more
  }
  ASSERT_TRUE(consumer->Flush(std::chrono::seconds(10)));
  EXPECT_EQ(consumer->confirmed(), 5u);
  std::lock_guard<std::mutex> lock(mu);
  std::vector<uint64_t> all;
  for (const v1::ConsumeRequest& request : acks) {
    const std::vector<uint64_t> these = Acked(request);
    all.insert(all.end(), these.begin(), these.end());
    // Consecutive sequences travel as ranges.
    for (int i = 1; i < request.ack().sequences_size(); ++i) {
      EXPECT_NE(request.ack().sequences(i), request.ack().sequences(i - 1) + 1)
          << request.ShortDebugString();
    }
  }
  std::sort(all.begin(), all.end());
  EXPECT_THAT(all, ElementsAre(1, 2, 3, 4, 5));
  ASSERT_EQ(service_.starts().size(), 1u);
  EXPECT_EQ(service_.starts()[0].consumer(), "indexer");
  EXPECT_EQ(service_.starts()[0].member_id(), "pod-1");
  EXPECT_THAT(reports_.lines(), ElementsAre("consuming: indexer as member pod-1"));
  for (const std::string& a : service_.authorization()) EXPECT_EQ(a, "Bearer s3cret");
}

TEST_F(ConsumerTest, NackAndExtendAndSettlingOnce) {
  std::mutex mu;
  std::condition_variable got;
  std::vector<v1::ConsumeRequest> requests;
  Start([&](Call& call) {
    call.Established();
    call.Events(1, {1, 2, 3});
    for (int i = 0; i < 4; ++i) {
      v1::ConsumeRequest request = call.Request();
      std::lock_guard<std::mutex> lock(mu);
      requests.push_back(request);
      got.notify_all();
    }
    return call.Wait();
  });
  auto next_request = [&](size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(got.wait_for(lock, std::chrono::seconds(10), [&] { return requests.size() > n; }));
    return requests.size() > n ? requests[n] : v1::ConsumeRequest();
  };
  std::unique_ptr<Consumer> consumer = Consume("", std::chrono::milliseconds(0));
  Message m1, m2, m3;
  ASSERT_TRUE(consumer->Next(&m1));
  ASSERT_TRUE(consumer->Next(&m2));
  ASSERT_TRUE(consumer->Next(&m3));

  m1.Extend();
  EXPECT_THAT(next_request(0).extend().sequences(), ElementsAre(1));
  m1.Ack();  // an extended message is still acknowledged
  EXPECT_THAT(Acked(next_request(1)), ElementsAre(1));
  m2.Nack(std::chrono::milliseconds(1500), "bad payload");
  v1::ConsumeRequest nack = next_request(2);
  EXPECT_THAT(nack.nack().sequences(), ElementsAre(2));
  EXPECT_EQ(nack.nack().delay().seconds(), 1);
  EXPECT_EQ(nack.nack().delay().nanos(), 500000000);
  EXPECT_EQ(nack.nack().reason(), "bad payload");
  // Settled: neither a second nack, nor an ack or an extension, is sent.
  Message copy = m2;
  copy.Nack();
  m2.Ack();
  m2.Extend();
  m3.Nack();
  v1::ConsumeRequest after = next_request(3);
  EXPECT_THAT(after.nack().sequences(), ElementsAre(3)) << after.ShortDebugString();
  EXPECT_FALSE(after.nack().has_delay());
  EXPECT_EQ(service_.starts()[0].member_id(), "");
  EXPECT_TRUE(reports_.WaitFor("consuming: indexer as member (server-chosen)"));
}

TEST_F(ConsumerTest, AReconnectDropsStaleMessagesAndAcknowledgements) {
  std::mutex mu;
  std::condition_variable got;
  std::vector<v1::ConsumeRequest> second;
  Start([&](Call& call) {
    call.Established();
    if (call.index == 0) {
      call.Events(1, {1, 2, 3});
      call.Request();  // the acknowledgement of 1
      call.Acknowledged(1, 1);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down");
    }
    call.Events(2, {5});
    v1::ConsumeRequest request = call.Request();
    {
      std::lock_guard<std::mutex> lock(mu);
      second.push_back(request);
      got.notify_all();
    }
    return call.Wait();
  });
  std::unique_ptr<Consumer> consumer = Consume("pod-1", std::chrono::milliseconds(0));
  Message m1, m2;
  ASSERT_TRUE(consumer->Next(&m1));
  ASSERT_TRUE(consumer->Next(&m2));
  m1.Ack();
  ASSERT_TRUE(reports_.WaitFor("reconnecting in"));
  Message m;
  ASSERT_TRUE(consumer->Next(&m));
  EXPECT_EQ(m.sequence(), 5u) << "3 was delivered by the stream that ended";
  EXPECT_EQ(m.delivery_attempt(), 2u);
  m2.Ack();  // its stream ended: dropped, not sent on the new one
  m.Ack();
  // The second stream's first request is the acknowledgement of 5 alone.
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(got.wait_for(lock, std::chrono::seconds(10), [&] { return !second.empty(); }));
  EXPECT_THAT(Acked(second[0]), ElementsAre(5)) << second[0].ShortDebugString();
  EXPECT_EQ(consumer->confirmed(), 1u);
  std::vector<v1::ConsumeStart> starts = service_.starts();
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].member_id(), "pod-1");
  EXPECT_THAT(reports_.lines()[1], HasSubstr("ms: UNAVAILABLE: shutting down"));
}

TEST_F(ConsumerTest, AStatusThatIsNotRetriedEndsTheConsumer) {
  Start([](Call&) { return grpc::Status(grpc::StatusCode::NOT_FOUND, "no consumer \"indexer\""); });
  std::unique_ptr<Consumer> consumer = Consume();
  Message message;
  EXPECT_FALSE(consumer->Next(&message));
  EXPECT_EQ(consumer->status().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(consumer->status().error_message(), "no consumer \"indexer\"");
  EXPECT_FALSE(consumer->Next(&message));
  // Refused before it was established, and not retried.
  EXPECT_TRUE(reports_.lines().empty()) << reports_.lines()[0];
  EXPECT_EQ(service_.starts().size(), 1u);
}

TEST_F(ConsumerTest, RejectionsAndGapsAreReported) {
  Start([](Call& call) {
    call.Established();
    call.Events(1, {4});
    call.Request();
    v1::ConsumeResponse rejected;
    rejected.mutable_rejected()->add_sequences(4);
    rejected.mutable_rejected()->set_reason("not outstanding at this member");
    call.stream->Write(rejected);
    v1::ConsumeResponse gap;
    gap.mutable_gap()->set_first_sequence(5);
    gap.mutable_gap()->set_last_sequence(9);
    call.stream->Write(gap);
    call.Events(1, {10});
    return call.Wait();
  });
  std::unique_ptr<Consumer> consumer = Consume();
  Message message;
  ASSERT_TRUE(consumer->Next(&message));
  message.Ack();
  ASSERT_TRUE(consumer->Next(&message));
  EXPECT_EQ(message.sequence(), 10u);
  EXPECT_TRUE(consumer->Flush(std::chrono::seconds(10)));  // the rejection resolved it
  EXPECT_EQ(consumer->confirmed(), 0u);
  EXPECT_THAT(reports_.lines(),
              ElementsAre("consuming: indexer as member pod-1",
                          "rejected 1: not outstanding at this member", "gap 5..9"));
}

TEST_F(ConsumerTest, CancelFlushesFirst) {
  Start([](Call& call) {
    call.Established();
    call.Events(1, {1, 2});
    call.Request();
    call.Acknowledged(1, 1);
    return call.Wait();
  });
  std::unique_ptr<Consumer> consumer = Consume();
  Message message;
  ASSERT_TRUE(consumer->Next(&message));
  message.Ack();
  consumer->Cancel();
  EXPECT_EQ(consumer->confirmed(), 1u);
  EXPECT_FALSE(consumer->Next(&message));
  EXPECT_TRUE(consumer->status().ok()) << consumer->status().error_message();
  message.Ack();  // after the end: nothing
}

}  // namespace
}  // namespace hookbridge::client
