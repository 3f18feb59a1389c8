// Scale-out on a three-node NATS cluster through the real binary: two
// hookbridge replicas on a `replicas: 3` stream take webhooks from senders
// that retry as providers do, while the stream's leader is killed. Nothing
// acknowledged may be lost or stored twice, and both replicas must recover
// by themselves. Skipped when nats-server is not installed.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/testing/nats_server.h"

namespace hookbridge::testing {
namespace {

constexpr char kSecret[] = "cluster-secret";
constexpr char kPath[] = "/webhooks/ckeditor";
constexpr char kStream[] = "HA";
constexpr int kSenders = 4;

// The string value of `"key":"..."` or the number of `"key":N` in a
// webhook answer ("" when absent).
std::string AnswerField(const std::string& body, const std::string& key) {
  const std::string quoted = absl::StrCat("\"", key, "\":");
  size_t at = body.find(quoted);
  if (at == std::string::npos) return "";
  at += quoted.size();
  if (body[at] == '"') {
    const size_t end = body.find('"', at + 1);
    return body.substr(at + 1, end - at - 1);
  }
  return body.substr(at, body.find_first_of(",}", at) - at);
}

// What a sender saw: each delivery's id and the sequence its 200 named (0
// for a 200 `duplicate`, which names none), and when each attempt ended.
struct SenderLog {
  std::map<std::string, uint64_t> acknowledged;
  std::vector<absl::Time> failures;  // a 5xx, 409 or connection error
  std::vector<std::pair<absl::Time, uint64_t>> successes;
};

// Posts distinct deliveries to one replica until `stop`, each retried (the
// same body, so the same delivery id, signed anew) on 5xx, 409 and
// connection errors until it gets 200, as a provider does. Counts the
// 200s in `progress`.
void Send(int sender, int http_port, const std::atomic<bool>* stop, std::atomic<size_t>* progress,
          SenderLog* log) {
  HttpClient http(http_port);
  for (int k = 0; !stop->load(); ++k) {
    const std::string body = CommentAddedBody(absl::StrCat("s", sender, "-", k));
    for (;;) {
      HttpResponse r =
          http.TrySend("POST", kPath, body, HttpClient::CkeditorHeaders(kPath, body, kSecret));
      const absl::Time now = absl::Now();
      if (r.status == 200) {
        uint64_t sequence = 0;
        if (!absl::SimpleAtoi(AnswerField(r.body, "sequence"), &sequence)) sequence = 0;
        log->acknowledged[AnswerField(r.body, "id")] = sequence;
        log->successes.emplace_back(now, sequence);
        ++*progress;
        break;
      }
      if (r.timed_out) {
        ADD_FAILURE() << "sender " << sender
                      << ": hookbridge kept a webhook 30 s without an answer";
      } else if (r.status != 0 && r.status != 409 && r.status < 500) {
        ADD_FAILURE() << "sender " << sender << " got " << r.status << ": " << r.body;
        return;
      }
      log->failures.push_back(now);
      absl::SleepFor(absl::Milliseconds(100));  // a provider's back-off, shortened
    }
  }
}

// Follows one replica's Subscribe stream from the start, resubscribing
// after the last event it got whenever the stream ends, and records when
// each event arrived.
class Collector {
 public:
  explicit Collector(std::string target) : target_(std::move(target)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Collector() { Stop(); }

  void Stop() {
    stop_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (current_ != nullptr) current_->Cancel();
    }
    if (thread_.joinable()) thread_.join();
  }

  struct Received {
    uint64_t sequence;
    std::string id;
    absl::Time at;
  };
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  uint64_t last() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_.empty() ? 0 : received_.back().sequence;
  }
  // Subscribe streams that ended (the last one too, once stopped).
  int resubscribed() {
    std::lock_guard<std::mutex> lock(mu_);
    return streams_;
  }

 private:
  void Run() {
    while (!stop_) {
      v1::SubscribeRequest request;
      const uint64_t after = last();
      if (after == 0) {
        request.set_earliest(true);
      } else {
        request.set_after_sequence(after);
      }
      auto subscriber = std::make_shared<Subscriber>(target_, request);
      {
        std::lock_guard<std::mutex> lock(mu_);
        current_ = subscriber;
      }
      v1::Event event;
      while (!stop_ && subscriber->Read(&event)) {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back({event.sequence(), event.id(), absl::Now()});
      }
      subscriber->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        current_ = nullptr;
        ++streams_;
      }
      if (!stop_) absl::SleepFor(absl::Milliseconds(100));  // as a client backs off
    }
  }

  const std::string target_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::shared_ptr<Subscriber> current_;
  std::vector<Received> received_;
  int streams_ = 0;
};

// A member of durable consumer `consumer` on one replica: acknowledges
// every event it gets and records its sequence; reconnects whenever its
// stream ends.
class ConsumerMember {
 public:
  ConsumerMember(std::string target, std::string consumer)
      : target_(std::move(target)), consumer_(std::move(consumer)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ConsumerMember() { Stop(); }

  void Stop() {
    stop_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  // When each sequence was first delivered.
  std::map<uint64_t, absl::Time> delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 private:
  void Run() {
    auto stub = v1::EventBridgeService::NewStub(
        grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
    while (!stop_) {
      auto context = std::make_shared<grpc::ClientContext>();
      AddBearer(context.get());
      {
        std::lock_guard<std::mutex> lock(mu_);
        context_ = context;
      }
      auto stream = stub->Consume(context.get());
      v1::ConsumeRequest start;
      start.mutable_start()->set_consumer(consumer_);
      stream->Write(start);
      v1::ConsumeResponse response;
      while (!stop_ && stream->Read(&response)) {
        v1::ConsumeRequest ack;
        for (const v1::ConsumedEvent& e : response.events()) {
          ack.mutable_ack()->add_sequences(e.event().sequence());
          std::lock_guard<std::mutex> lock(mu_);
          delivered_.emplace(e.event().sequence(), absl::Now());
        }
        if (ack.has_ack()) stream->Write(ack);
      }
      context->TryCancel();
      stream->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        context_ = nullptr;
      }
      if (!stop_) absl::SleepFor(absl::Milliseconds(200));  // as a client backs off
    }
  }

  const std::string target_;
  const std::string consumer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::shared_ptr<grpc::ClientContext> context_;
  std::map<uint64_t, absl::Time> delivered_;
};

TEST(JetStreamClusterTest, NothingAcknowledgedIsLostWhenTheStreamLeaderIsKilled) {
  if (NatsServer::Binary().empty()) {
    GTEST_SKIP() << "nats-server is not installed (scripts/setup.sh installs it): "
                    "failover on a NATS cluster is not tested";
  }
  const absl::Time test_start = absl::Now();
  // Each phase says when it is reached, so that a run killed by ctest's
  // timeout shows where it stood.
  auto phase = [&](absl::string_view what) {
    std::cout << "[ cluster  ] +" << absl::ToInt64Milliseconds(absl::Now() - test_start)
              << " ms: " << what << std::endl;
  };
  NatsCluster cluster(3);
  ASSERT_TRUE(cluster.Start().ok());
  phase("the NATS cluster is up");
  const std::string config = CkeditorConfig(
      kSecret,
      absl::StrCat("log: { backend: jetstream, url: \"", cluster.urls(), "\", stream: ", kStream,
                   ", subject_prefix: ha, replicas: 3, ack_timeout: 2s }\n",
                   "consumers:\n  - { name: all, start: earliest, ack_deadline: 5s }\n"),
      "rate_limit: { per_second: 0 }, max_body_bytes: 509KiB");
  auto a = HookbridgeProcess::Start(config);
  ASSERT_NE(a, nullptr);
  auto b = HookbridgeProcess::Start(config);
  ASSERT_NE(b, nullptr);
  HookbridgeProcess* replicas[] = {a.get(), b.get()};
  phase("both replicas are up");

  Collector on_a(a->grpc_target());
  Collector on_b(b->grpc_target());
  ConsumerMember member(b->grpc_target(), "all");
  std::atomic<bool> stop{false};
  std::atomic<size_t> acknowledged{0};
  SenderLog logs[kSenders];
  std::vector<std::thread> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.emplace_back(Send, i, replicas[i % 2]->http_port(), &stop, &acknowledged, &logs[i]);
  }

  // Load first, then the stream's leader dies mid-load.
  ASSERT_TRUE(Eventually([&] { return acknowledged >= 200; }, absl::Seconds(20)));
  absl::StatusOr<NatsCluster::StreamPlacement> placement = cluster.Placement(kStream);
  ASSERT_TRUE(placement.ok()) << placement.status();
  const int leader = placement->leader;
  phase("200 webhooks acknowledged; killing the stream leader");
  const absl::Time killed_at = absl::Now();
  cluster.server(leader).Kill();

  // The senders keep going for a while after the election.
  const size_t before = acknowledged;
  EXPECT_TRUE(Eventually([&] { return acknowledged >= before + 600; }, absl::Seconds(30)));
  phase("600 more acknowledged (or 30 s passed); stopping the senders");
  stop = true;
  for (std::thread& t : senders) t.join();
  phase("the senders stopped");
  HttpClient admin_a(a->admin_port());
  HttpClient admin_b(b->admin_port());

  // Both replicas are ready again by themselves.
  EXPECT_TRUE(Eventually([&] { return admin_a.TrySend("GET", "/readyz").status == 200; }));
  EXPECT_TRUE(Eventually([&] { return admin_b.TrySend("GET", "/readyz").status == 200; }));

  // Every acknowledged event reaches the subscribers of both replicas, once
  // each, at the sequence its 200 named.
  std::map<std::string, uint64_t> sent;
  for (const SenderLog& l : logs) sent.insert(l.acknowledged.begin(), l.acknowledged.end());
  uint64_t last = 0;
  for (const auto& [id, sequence] : sent) last = std::max(last, sequence);
  phase("both replicas ready");
  ASSERT_TRUE(Eventually([&] { return on_a.last() >= last && on_b.last() >= last; }));
  phase("both subscribers got every acknowledged event");
  on_a.Stop();
  on_b.Stop();
  // The durable consumer delivers each of them too (at least once: an
  // acknowledgement lost with the leader means a redelivery).
  std::set<uint64_t> acknowledged_sequences;
  for (const auto& [id, sequence] : sent) {
    if (sequence != 0) acknowledged_sequences.insert(sequence);
  }
  std::map<uint64_t, absl::Time> consumed;
  EXPECT_TRUE(Eventually([&] {
    consumed = member.delivered();
    for (uint64_t s : acknowledged_sequences) {
      if (!consumed.count(s)) return false;
    }
    return true;
  })) << "the durable consumer did not deliver every event";
  member.Stop();
  for (Collector* on : {&on_a, &on_b}) {
    const char* name = on == &on_a ? "A" : "B";
    std::map<std::string, std::vector<uint64_t>> stored;
    uint64_t expected = 1;
    for (const Collector::Received& r : on->received()) {
      EXPECT_EQ(r.sequence, expected) << "replica " << name << ": a gap or a repeat";
      expected = r.sequence + 1;
      stored[r.id].push_back(r.sequence);
    }
    for (const auto& [id, sequence] : sent) {
      auto it = stored.find(id);
      if (it == stored.end()) {
        ADD_FAILURE() << "replica " << name << ": acknowledged event " << id << " (sequence "
                      << sequence << ") was lost";
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u)
          << "replica " << name << ": event " << id << " stored more than once";
      if (sequence != 0) {
        EXPECT_EQ(it->second[0], sequence) << "replica " << name << ": " << id;
      }
    }
    EXPECT_EQ(stored.size(), sent.size()) << "replica " << name << ": events nobody sent";
  }

  // How long webhooks were refused, and how long after the stream took
  // them again each replica's subscribers got them.
  absl::Time first_failure = absl::InfiniteFuture();
  absl::Time last_failure = absl::InfinitePast();
  size_t failures = 0;
  for (const SenderLog& l : logs) {
    for (absl::Time t : l.failures) {
      if (t < killed_at) continue;
      first_failure = std::min(first_failure, t);
      last_failure = std::max(last_failure, t);
      ++failures;
    }
  }
  // When the stream took webhooks again: the first 200 after a refusal
  // that names a sequence (not a duplicate answered from a replica's own
  // window).
  absl::Time writable_at = absl::InfiniteFuture();
  for (const SenderLog& l : logs) {
    for (const auto& [t, sequence] : l.successes) {
      if (t > first_failure && sequence != 0) writable_at = std::min(writable_at, t);
    }
  }
  ASSERT_GT(failures, 0u) << "no webhook was refused: did the kill do anything?";
  auto ms = [](absl::Duration d) { return absl::ToInt64Milliseconds(d); };
  std::cout << "[ cluster  ] killed the stream leader " << NatsCluster::Name(leader)
            << "; webhooks refused (503 or connection error) from +"
            << ms(first_failure - killed_at) << " ms after the kill; taken again from +"
            << ms(writable_at - killed_at) << " ms (unavailable for "
            << ms(writable_at - first_failure) << " ms; last refusal at +"
            << ms(last_failure - killed_at) << " ms; " << failures << " refused attempts)\n";
  // How late each replica's subscriber got the events acknowledged since
  // the first refusal: the longest wait, from the 200 to the delivery. (A
  // retry answered with the sequence the dead leader had already stored
  // and replicated comes after the delivery: no wait.)
  auto latest = [&](const std::map<uint64_t, absl::Time>& got) {
    absl::Duration worst = absl::ZeroDuration();
    for (const SenderLog& l : logs) {
      for (const auto& [t, sequence] : l.successes) {
        if (t <= first_failure || sequence == 0) continue;
        auto it = got.find(sequence);
        worst = std::max(worst, it == got.end() ? absl::InfiniteDuration() : it->second - t);
      }
    }
    return worst;
  };
  for (Collector* on : {&on_a, &on_b}) {
    const char* name = on == &on_a ? "A" : "B";
    std::map<uint64_t, absl::Time> got;
    for (const Collector::Received& r : on->received()) got.emplace(r.sequence, r.at);
    const absl::Duration late = latest(got);
    std::cout << "[ cluster  ] replica " << name << ": its subscriber got the events taken since "
              << "then at most " << ms(late) << " ms after their 200 (its stream ended "
              << on->resubscribed() - 1 << " times)\n";
    // A stalled follower is noticed within a second behind the stream and
    // replaced at once; the client library alone takes 10 to 20 s. The
    // replacement is a new consumer, which the cluster's meta leader
    // creates: when the kill took that leader too, its election (not the
    // stream's, which made the stream writable) is waited for as well, and
    // on a loaded 2-core CI machine that was once seen to take the
    // delivery to 7.7 s.
    EXPECT_LT(late, absl::Seconds(9)) << "replica " << name;
  }
  std::cout << "[ cluster  ] the durable consumer's member on B got them at most "
            << ms(latest(consumed)) << " ms after their 200\n";
  std::cout << "[ cluster  ] follower replacements: A "
            << MetricValue(a->admin_port(), "hookbridge_log_follower_restarts") << ", B "
            << MetricValue(b->admin_port(), "hookbridge_log_follower_restarts") << "\n";

  // The killed node comes back and rejoins the stream.
  const int back = leader;
  ASSERT_TRUE(cluster.server(back).Start().ok());
  EXPECT_TRUE(Eventually(
      [&] {
        placement = cluster.Placement(kStream);
        return placement.ok() && placement->replicas_current;
      },
      absl::Seconds(20)))
      << NatsCluster::Name(back) << " did not rejoin the stream";
  // Its copy of the stream catches up with the leader's.
  absl::StatusOr<NatsCluster::StreamCopy> theirs;
  absl::StatusOr<NatsCluster::StreamCopy> its;
  const bool same = Eventually(
      [&] {
        placement = cluster.Placement(kStream);
        if (!placement.ok()) return false;
        theirs = cluster.CopyOf(placement->leader, kStream);
        its = cluster.CopyOf(back, kStream);
        return theirs.ok() && its.ok() && *its == *theirs;
      },
      absl::Seconds(10));
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  ASSERT_TRUE(its.ok()) << its.status();
  if (!same) {
    // nats-server 2.9.10 may keep on a restarted former leader messages it
    // stored just before the kill without a quorum (docs/SCALING.md): its
    // copy differs, while what hookbridge acknowledged, read through the
    // other two above, is complete.
    std::cout << "[ cluster  ] " << NatsCluster::Name(back)
              << "'s copy of the stream diverged: " << its->messages << " messages, sequences "
              << its->first_sequence << " to " << its->last_sequence << ", " << its->bytes
              << " bytes; the leader's: " << theirs->messages << ", " << theirs->first_sequence
              << " to " << theirs->last_sequence << ", " << theirs->bytes
              << " (a known nats-server issue, not a loss)\n";
  }
  std::cout << "[ cluster  ] whole test: " << ms(absl::Now() - test_start) << " ms\n";
}

}  // namespace
}  // namespace hookbridge::testing
