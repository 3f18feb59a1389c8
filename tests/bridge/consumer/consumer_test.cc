// Consumer over a real (memory) log: what its members are told when the
// log's retention removes events it has not acknowledged, and the figures
// the metrics and the console read.
#include "bridge/consumer/consumer.h"

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/log/memory/memory_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/log/fault_env.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

void AppendEvents(EventLog& log, int count) {
  for (int i = 0; i < count; ++i) {
    EncodedEvent event;
    event.id = absl::StrCat("e", i);
    event.type = "comment.added";
    event.source = "ckeditor";
    event.received_at = absl::Now();
    event.body = "x";
    absl::Notification done;
    log.Append(std::move(event), [&](absl::StatusOr<uint64_t> sequence) {
      ASSERT_TRUE(sequence.ok()) << sequence.status();
      done.Notify();
    });
    done.WaitForNotification();
  }
}

std::unique_ptr<LocalConsumer> NewConsumer(EventLog* log, uint64_t ack_floor) {
  Consumer::Options options{"indexer", *EventFilter::FromRequest(v1::SubscribeRequest()),
                            ConsumerPolicy()};
  return std::make_unique<LocalConsumer>(log, std::move(options), NewMemoryJournal("", ack_floor));
}

std::vector<uint64_t> Take(Consumer& consumer, Consumer::MemberId member, size_t max) {
  std::vector<ConsumerGroup::Delivery> deliveries;
  EXPECT_TRUE(consumer.Take(member, max, SIZE_MAX, &deliveries).ok());
  std::vector<uint64_t> out;
  for (const auto& d : deliveries) out.push_back(d.record->sequence);
  return out;
}

TEST(ConsumerTest, RetentionRemovingUnacknowledgedEventsIsToldToEveryMemberAndCounted) {
  MemoryLog log(MemoryLog::Options{10, 1 << 20});
  auto consumer = NewConsumer(&log, 0);
  const Consumer::MemberId a = consumer->Join("a", [] {});
  const Consumer::MemberId b = consumer->Join("b", [] {});
  AppendEvents(log, 30);  // 1..20 evicted before the consumer read them

  EXPECT_THAT(Take(*consumer, a, 2), ElementsAre(21, 22));
  std::vector<Consumer::GapNotice> gaps = consumer->TakeGaps(a);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first, 1u);
  EXPECT_EQ(gaps[0].last, 20u);
  EXPECT_THAT(consumer->TakeGaps(a), IsEmpty());  // told once
  gaps = consumer->TakeGaps(b);                   // and to each member
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].last, 20u);
  EXPECT_EQ(consumer->stats().counters.lost_to_retention, 20u);

  // A member that joins later is not told again what others were told.
  const Consumer::MemberId c = consumer->Join("c", [] {});
  EXPECT_THAT(consumer->TakeGaps(c), IsEmpty());
}

TEST(ConsumerTest, GapFoundWhileNoMemberListenedGoesToTheNextMember) {
  MemoryLog log(MemoryLog::Options{10, 1 << 20});
  auto consumer = NewConsumer(&log, 0);
  AppendEvents(log, 25);
  EXPECT_EQ(consumer->stats().counters.lost_to_retention, 0u);  // stats() reads nothing
  consumer->ReadAhead();                                        // the set's timer does
  EXPECT_EQ(consumer->stats().counters.lost_to_retention, 15u);
  const Consumer::MemberId a = consumer->Join("a", [] {});
  std::vector<Consumer::GapNotice> gaps = consumer->TakeGaps(a);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first, 1u);
  EXPECT_EQ(gaps[0].last, 15u);
}

TEST(ConsumerTest, CountersMembersAndWhatTheLogMustKeep) {
  MemoryLog log(MemoryLog::Options{1000, 1 << 20});
  auto consumer = NewConsumer(&log, 0);
  AppendEvents(log, 10);
  const Consumer::MemberId a = consumer->Join("pod-a", [] {});
  EXPECT_EQ(consumer->RetainFrom(), 1u);
  EXPECT_THAT(Take(*consumer, a, 4), ElementsAre(1, 2, 3, 4));
  std::vector<uint64_t> rejected;
  absl::Notification confirmed;
  consumer->Ack(a, {1, 2, 9}, &rejected, [&](std::vector<uint64_t> accepted, absl::Status status) {
    EXPECT_TRUE(status.ok());
    EXPECT_THAT(accepted, ElementsAre(1, 2));
    confirmed.Notify();
  });
  confirmed.WaitForNotification();
  EXPECT_THAT(rejected, ElementsAre(9));
  rejected.clear();
  consumer->Nack(a, {3}, absl::ZeroDuration(), "bad", &rejected);
  EXPECT_THAT(rejected, IsEmpty());
  EXPECT_EQ(consumer->RetainFrom(), 3u);

  const Consumer::Stats stats = consumer->stats();
  EXPECT_EQ(stats.counters.delivered, 4u);
  EXPECT_EQ(stats.counters.acknowledged, 2u);
  EXPECT_EQ(stats.counters.negative_acknowledgements, 1u);
  EXPECT_EQ(stats.counters.rejected, 1u);
  EXPECT_EQ(stats.group.ack_floor, 2u);
  const std::vector<Consumer::MemberInfo> members = consumer->Members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].name, "pod-a");
  EXPECT_EQ(members[0].outstanding, 1u);  // 4; 3 went back
  consumer->Leave(a);
  EXPECT_THAT(consumer->Members(), IsEmpty());
}

// The lag: events after the ack floor, matching or not, up to the log's
// last sequence; it grows with appends and shrinks as acknowledgements
// move the floor.
TEST(ConsumerTest, LagIsTheEventsAfterTheAckFloor) {
  MemoryLog log(MemoryLog::Options{1000, 1 << 20});
  auto consumer = NewConsumer(&log, 0);
  auto lag = [&] { return consumer->stats().lag(log.Stats().last_sequence); };
  EXPECT_EQ(lag(), 0u);
  AppendEvents(log, 5);
  EXPECT_EQ(lag(), 5u);  // nothing read yet: all of them
  const Consumer::MemberId a = consumer->Join("a", [] {});
  EXPECT_THAT(Take(*consumer, a, 5), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(lag(), 5u);  // delivered is not acknowledged
  auto ack = [&](std::vector<uint64_t> sequences) {
    std::vector<uint64_t> rejected;
    absl::Notification confirmed;
    consumer->Ack(a, sequences, &rejected, [&](std::vector<uint64_t>, absl::Status status) {
      EXPECT_TRUE(status.ok()) << status;
      confirmed.Notify();
    });
    confirmed.WaitForNotification();
    EXPECT_THAT(rejected, IsEmpty());
  };
  ack({1, 2});
  EXPECT_EQ(lag(), 3u);
  ack({4});  // out of order: the floor stays at 2
  EXPECT_EQ(consumer->stats().group.ack_floor, 2u);
  EXPECT_EQ(lag(), 3u);
  ack({3, 5});
  EXPECT_EQ(lag(), 0u);
  AppendEvents(log, 2);
  EXPECT_EQ(lag(), 2u);
  // A last sequence the caller read before the floor moved past it.
  EXPECT_EQ(consumer->stats().lag(1), 0u);
}

TEST(ConsumerTest, NothingPendingIsNoLagWhateverTheAckFloor) {
  // A JetStream consumer's ack floor stays at the last event it
  // acknowledged while events its filter skips are appended.
  Consumer::Stats stats;
  stats.group.ack_floor = 10;
  EXPECT_EQ(stats.lag(50), 0u);
  stats.group.pending = 1;
  EXPECT_EQ(stats.lag(50), 40u);
  stats.group.pending = 0;
  stats.unscanned = 3;
  EXPECT_EQ(stats.lag(13), 3u);
}

// A consumer whose store fails (a disk error) can no longer confirm
// acknowledgements; only a restart recovers it, so its set says so (and
// /healthz fails).
TEST(ConsumerTest, AFailedStoreIsReportedForARestart) {
  char dir[] = "/tmp/hookbridge-consumer-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  testing::FaultEnv env;
  MemoryLog log(MemoryLog::Options{1000, 1 << 20});
  absl::StatusOr<std::unique_ptr<LocalConsumerSet>> set =
      LocalConsumerSet::Open({&log, std::string(dir) + "/consumers", &env});
  ASSERT_TRUE(set.ok()) << set.status();
  v1::ConsumerConfig config;
  config.set_name("indexer");
  config.set_earliest(true);
  absl::StatusOr<std::shared_ptr<Consumer>> consumer = (*set)->Create(config, false);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  AppendEvents(log, 2);
  const Consumer::MemberId member = (*consumer)->Join("a", [] {});
  std::vector<ConsumerGroup::Delivery> deliveries;
  ASSERT_TRUE((*consumer)->Take(member, 10, SIZE_MAX, &deliveries).ok());
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_TRUE((*set)->failure().ok());

  env.Inject({.op = testing::EnvOp::kSync, .error = EIO});
  std::vector<uint64_t> rejected;
  absl::Notification confirmed;
  absl::Status status;
  (*consumer)->Ack(member, {1}, &rejected, [&](std::vector<uint64_t>, absl::Status s) {
    status = s;
    confirmed.Notify();
  });
  confirmed.WaitForNotification();
  EXPECT_FALSE(status.ok());
  const absl::Status failure = (*set)->failure();
  EXPECT_EQ(failure.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failure.message()), ::testing::HasSubstr("consumer indexer: "));
  (*consumer)->Leave(member);
  consumer->reset();
  set->reset();
  std::filesystem::remove_all(dir);
}

TEST(ConsumerTest, AFilterMatchingNothingIsScannedInBoundedSteps) {
  MemoryLog log(MemoryLog::Options{100000, 256 << 20});
  v1::SubscribeRequest filter;
  filter.add_types("never.sent");
  Consumer::Options options{"picky", *EventFilter::FromRequest(filter), ConsumerPolicy()};
  LocalConsumer consumer(&log, std::move(options), NewMemoryJournal("", 0));
  const Consumer::MemberId member = consumer.Join("a", [] {});
  AppendEvents(log, 10000);
  int steps = 0;
  bool more = true;
  while (more) {
    std::vector<ConsumerGroup::Delivery> deliveries;
    ASSERT_TRUE(consumer.Take(member, 10, SIZE_MAX, &deliveries, &more).ok());
    EXPECT_THAT(deliveries, IsEmpty());
    ++steps;
    ASSERT_LT(steps, 100);
  }
  // 16 reads of 256 records a step: 10,000 records take three steps.
  EXPECT_EQ(steps, 3);
  EXPECT_EQ(consumer.stats().unscanned, 0u);
}

}  // namespace
}  // namespace hookbridge
