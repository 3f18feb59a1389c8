#include "bridge/consumer/consumer_group.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

RecordPtr Record(uint64_t sequence, std::string subject = "") {
  auto record = std::make_shared<LogRecord>();
  record->sequence = sequence;
  record->subject = std::move(subject);
  record->appended_at = kT0 + absl::Seconds(sequence);
  return record;
}

std::vector<RecordPtr> Records(uint64_t first, uint64_t last) {
  std::vector<RecordPtr> out;
  for (uint64_t s = first; s <= last; ++s) out.push_back(Record(s));
  return out;
}

std::vector<uint64_t> Sequences(const std::vector<ConsumerGroup::Delivery>& deliveries) {
  std::vector<uint64_t> out;
  for (const auto& d : deliveries) out.push_back(d.record->sequence);
  return out;
}

ConsumerPolicy Policy() {
  ConsumerPolicy policy;
  policy.ack_deadline = absl::Seconds(30);
  policy.max_deliveries = 3;
  policy.max_outstanding = 4;
  return policy;
}

TEST(ConsumerGroupTest, MembersShareEventsEachOutstandingAtOneUpToItsLimit) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.AddMember(2);
  group.Offer(Records(1, 10), 10);
  EXPECT_THAT(Sequences(group.Take(1, kT0, 100)), ElementsAre(1, 2, 3, 4));  // max_outstanding
  EXPECT_THAT(Sequences(group.Take(2, kT0, 2)), ElementsAre(5, 6));
  EXPECT_THAT(Sequences(group.Take(2, kT0, 100)), ElementsAre(7, 8));
  EXPECT_THAT(group.Take(1, kT0, 100), IsEmpty());
  EXPECT_EQ(group.outstanding(1), 4u);
  EXPECT_EQ(group.stats().outstanding, 8u);
  EXPECT_EQ(group.stats().pending, 10u);
  // An unknown member gets nothing.
  EXPECT_THAT(group.Take(9, kT0, 100), IsEmpty());
}

TEST(ConsumerGroupTest, AcksAreAcceptedOnlyFromTheMemberHoldingTheEvent) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.AddMember(2);
  group.Offer(Records(1, 4), 4);
  group.Take(1, kT0, 2);  // 1, 2
  group.Take(2, kT0, 2);  // 3, 4
  ConsumerGroup::Outcome outcome = group.Ack(1, {2, 3, 9});
  EXPECT_THAT(outcome.accepted, ElementsAre(2));
  EXPECT_THAT(outcome.rejected, ElementsAre(3, 9));
  EXPECT_EQ(group.ack_floor(), 0u);  // 1 is still outstanding
  EXPECT_THAT(group.Ack(1, {1}).accepted, ElementsAre(1));
  EXPECT_EQ(group.ack_floor(), 2u);
  EXPECT_THAT(group.Ack(1, {1}).rejected, ElementsAre(1));  // done already
  group.Ack(2, {3, 4});
  EXPECT_EQ(group.ack_floor(), 4u);
  EXPECT_EQ(group.outstanding(1), 0u);
  EXPECT_EQ(group.stats().pending, 0u);
}

TEST(ConsumerGroupTest, AnEventWhoseDeadlinePassedGoesToAnotherMember) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.Offer(Records(1, 1), 1);
  ASSERT_THAT(Sequences(group.Take(1, kT0, 10)), ElementsAre(1));
  EXPECT_EQ(group.NextDue(), kT0 + absl::Seconds(30));
  group.Expire(kT0 + absl::Seconds(29));
  EXPECT_EQ(group.outstanding(1), 1u);
  group.Extend(1, {1}, kT0 + absl::Seconds(20));  // deadline now T0+50
  group.Expire(kT0 + absl::Seconds(30));
  EXPECT_EQ(group.outstanding(1), 1u);
  group.Expire(kT0 + absl::Seconds(50));
  EXPECT_EQ(group.outstanding(1), 0u);
  group.AddMember(2);
  // Not back to the member that let it expire while another is there.
  EXPECT_THAT(group.Take(1, kT0 + absl::Seconds(51), 10), IsEmpty());
  std::vector<ConsumerGroup::Delivery> again = group.Take(2, kT0 + absl::Seconds(51), 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 2u);
  EXPECT_EQ(group.stats().redeliveries, 1u);
  // The first member's late ack is rejected: the event is at member 2.
  EXPECT_THAT(group.Ack(1, {1}).rejected, ElementsAre(1));
  EXPECT_THAT(group.Ack(2, {1}).accepted, ElementsAre(1));
}

TEST(ConsumerGroupTest, ANackedEventComesBackAfterItsDelay) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.Offer(Records(1, 2), 2);
  group.Take(1, kT0, 10);
  EXPECT_THAT(group.Nack(1, {1}, absl::Seconds(5), "busy", kT0).accepted, ElementsAre(1));
  EXPECT_EQ(group.NextDue(), kT0 + absl::Seconds(5));
  EXPECT_THAT(group.Take(1, kT0 + absl::Seconds(4), 10), IsEmpty());
  EXPECT_THAT(Sequences(group.Take(1, kT0 + absl::Seconds(5), 10)), ElementsAre(1));
  // A nack without a delay: ready at once.
  group.Nack(1, {2}, absl::ZeroDuration(), "", kT0 + absl::Seconds(6));
  EXPECT_THAT(Sequences(group.Take(1, kT0 + absl::Seconds(6), 10)), ElementsAre(2));
}

TEST(ConsumerGroupTest, AfterItsLastDeliveryAnEventBecomesADeadLetter) {
  ConsumerGroup group(Policy(), 0, {}, {});  // max_deliveries 3
  group.AddMember(1);
  group.Offer(Records(1, 2), 2);
  absl::Time now = kT0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::vector<ConsumerGroup::Delivery> d = group.Take(1, now, 1);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].record->sequence, 1u);
    EXPECT_EQ(d[0].attempt, static_cast<uint32_t>(attempt));
    if (attempt == 2) {
      now += absl::Seconds(31);
      group.Expire(now);
    } else {
      group.Nack(1, {1}, absl::ZeroDuration(), absl::StrCat("failed ", attempt), now);
    }
  }
  std::vector<ConsumerGroup::DeadLetter> dead = group.TakeNewDeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].record->sequence, 1u);
  EXPECT_EQ(dead[0].why.deliveries, 3u);
  EXPECT_EQ(dead[0].why.negative_acknowledgements, 2u);
  EXPECT_EQ(dead[0].why.deadline_expiries, 1u);
  EXPECT_EQ(dead[0].why.last_reason, "failed 3");
  EXPECT_EQ(dead[0].why.dead_at, now);
  EXPECT_THAT(group.TakeNewDeadLetters(), IsEmpty());
  // It no longer holds the floor up.
  EXPECT_EQ(group.ack_floor(), 1u);
  EXPECT_THAT(Sequences(group.Take(1, now, 10)), ElementsAre(2));
  EXPECT_EQ(group.stats().dead_letters, 1u);

  // Redriven, it is delivered again as new.
  group.Redrive({Record(1)});
  std::vector<ConsumerGroup::Delivery> again = group.Take(1, now, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].record->sequence, 1u);
  EXPECT_EQ(again[0].attempt, 1u);
}

TEST(ConsumerGroupTest, PerSubjectOrderingHandsOutOneEventPerSubjectInSequenceOrder) {
  ConsumerPolicy policy = Policy();
  policy.per_subject = true;
  ConsumerGroup group(policy, 0, {}, {});
  group.AddMember(1);
  group.AddMember(2);
  group.Offer({Record(1, "a"), Record(2, "b"), Record(3, "a"), Record(4, ""), Record(5, "b"),
               Record(6, "")},
              6);
  EXPECT_THAT(Sequences(group.Take(1, kT0, 10)), ElementsAre(1, 2, 4, 6));
  EXPECT_THAT(group.Take(2, kT0, 10), IsEmpty());  // 3 waits for 1, 5 for 2
  group.Nack(1, {1}, absl::Seconds(10), "later", kT0);
  // 1 is not outstanding but still the oldest of "a": 3 must wait for it.
  EXPECT_THAT(group.Take(2, kT0, 10), IsEmpty());
  group.Ack(1, {2});
  EXPECT_THAT(Sequences(group.Take(2, kT0, 10)), ElementsAre(5));
  EXPECT_THAT(Sequences(group.Take(2, kT0 + absl::Seconds(10), 10)), ElementsAre(1));
  group.Ack(2, {1});
  EXPECT_THAT(Sequences(group.Take(1, kT0 + absl::Seconds(10), 10)), ElementsAre(3));
}

TEST(ConsumerGroupTest, AMemberLeavingGivesItsEventsBack) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.AddMember(2);
  group.Offer(Records(1, 3), 3);
  group.Take(1, kT0, 2);  // 1, 2
  group.RemoveMember(1, kT0);
  EXPECT_EQ(group.stats().members, 1u);
  EXPECT_THAT(Sequences(group.Take(2, kT0, 10)), ElementsAre(1, 2, 3));
}

TEST(ConsumerGroupTest, AfterARestartAcknowledgedAndDeadEventsAreNotDeliveredAgain) {
  ConsumerGroup group(Policy(), 2, {4, 6}, {5});
  group.AddMember(1);
  EXPECT_EQ(group.scan_position(), 2u);
  group.Offer(Records(1, 8), 8);  // 1 and 2 are below the floor
  EXPECT_THAT(Sequences(group.Take(1, kT0, 10)), ElementsAre(3, 7, 8));
  group.Ack(1, {3});
  EXPECT_EQ(group.ack_floor(), 6u);
}

TEST(ConsumerGroupTest, SeekStartsOverAndRejectsAcksOfTakenBackEvents) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.Offer(Records(1, 5), 5);
  group.Take(1, kT0, 2);
  group.Seek(3);
  EXPECT_EQ(group.ack_floor(), 3u);
  EXPECT_EQ(group.outstanding(1), 0u);
  EXPECT_THAT(group.Ack(1, {1}).rejected, ElementsAre(1));
  group.Offer(Records(4, 5), 5);
  EXPECT_THAT(Sequences(group.Take(1, kT0, 10)), ElementsAre(4, 5));
}

TEST(ConsumerGroupTest, EventsLostToRetentionAreDroppedAndCounted) {
  ConsumerGroup group(Policy(), 0, {}, {});
  group.AddMember(1);
  group.Offer(Records(1, 4), 4);
  group.Take(1, kT0, 1);  // 1
  EXPECT_EQ(group.Skip(2), 2u);
  EXPECT_EQ(group.outstanding(1), 0u);
  EXPECT_EQ(group.ack_floor(), 2u);
  EXPECT_THAT(Sequences(group.Take(1, kT0, 10)), ElementsAre(3, 4));
  EXPECT_EQ(group.Skip(9), 2u);
  EXPECT_EQ(group.scan_position(), 9u);
}

TEST(ConsumerGroupTest, TheWindowBoundsWhatIsHeld) {
  ConsumerPolicy policy = Policy();
  policy.window = 3;
  ConsumerGroup group(policy, 0, {}, {});
  group.Offer(Records(1, 2), 2);
  EXPECT_TRUE(group.wants_records());
  group.Offer(Records(3, 3), 3);
  EXPECT_FALSE(group.wants_records());
}

// Three members with random processing: acks, nacks, deadlines passing,
// a member leaving and coming back. Whatever happens, with per-subject
// ordering at most one event per subject is outstanding and the events of
// a subject are first delivered in sequence order; with or without it, in
// the end every event is acknowledged exactly once or dead.
TEST(ConsumerGroupTest, RandomisedGroupKeepsItsGuarantees) {
  ConsumerPolicy policy = Policy();
  policy.max_deliveries = 4;
  policy.max_outstanding = 8;
  policy.window = 50;
  for (uint32_t run = 0; run < 40; ++run) {
    const uint32_t seed = 1 + run / 2;
    policy.per_subject = run % 2 == 0;
    SCOPED_TRACE(absl::StrCat("seed ", seed, policy.per_subject ? ", per subject" : ""));
    std::mt19937 random(seed);
    ConsumerGroup group(policy, 0, {}, {});
    constexpr uint64_t kEvents = 400;
    uint64_t offered = 0;
    for (ConsumerGroup::MemberId m = 1; m <= 3; ++m) group.AddMember(m);
    std::map<ConsumerGroup::MemberId, std::vector<uint64_t>> held;
    std::map<uint64_t, std::string> subject_of;
    std::map<std::string, uint64_t> last_first_delivery;  // per subject
    std::multiset<uint64_t> acked;
    std::set<uint64_t> dead;
    absl::Time now = kT0;
    for (int step = 0; step < 20000 && acked.size() + dead.size() < kEvents; ++step) {
      now += absl::Milliseconds(random() % 2000);
      if (group.wants_records() && offered < kEvents) {
        std::vector<RecordPtr> batch;
        for (int i = 0; i < 10 && offered < kEvents; ++i) {
          ++offered;
          subject_of[offered] = absl::StrCat("s", random() % 7);
          batch.push_back(Record(offered, subject_of[offered]));
        }
        group.Offer(batch, offered);
      }
      group.Expire(now);
      for (const auto& d : group.TakeNewDeadLetters()) dead.insert(d.record->sequence);
      const ConsumerGroup::MemberId member = 1 + random() % 3;
      for (const auto& d : group.Take(member, now, 1 + random() % 4)) {
        const std::string& subject = subject_of[d.record->sequence];
        if (d.attempt == 1 && policy.per_subject) {
          EXPECT_LT(last_first_delivery[subject], d.record->sequence) << subject;
          last_first_delivery[subject] = d.record->sequence;
        }
        // Taken back by a deadline and taken again: listed once.
        std::vector<uint64_t>& mine = held[member];
        if (std::find(mine.begin(), mine.end(), d.record->sequence) == mine.end()) {
          mine.push_back(d.record->sequence);
        }
      }
      // Drop what the group took back; then at most one event per subject
      // is outstanding across the group.
      std::map<std::string, int> outstanding;
      for (auto& [m, seqs] : held) {
        std::erase_if(seqs, [&, m = m](uint64_t s) { return group.holder(s) != m; });
        for (uint64_t s : seqs) {
          if (++outstanding[subject_of[s]] > 1 && policy.per_subject) {
            ADD_FAILURE() << "subject " << subject_of[s] << " outstanding twice";
          }
        }
      }
      // Process some of what the member holds.
      std::vector<uint64_t>& mine = held[member];
      std::shuffle(mine.begin(), mine.end(), random);
      while (!mine.empty() && random() % 3 != 0) {
        const uint64_t s = mine.back();
        mine.pop_back();
        switch (random() % 6) {
          case 0:
            group.Nack(member, {s}, absl::Milliseconds(random() % 3000), "retry", now);
            break;
          case 1:
            break;  // forgotten: its deadline will pass
          default:
            for (uint64_t a : group.Ack(member, {s}).accepted) acked.insert(a);
        }
      }
      if (random() % 500 == 0) {
        group.RemoveMember(member, now);
        held[member].clear();
        group.AddMember(member);
      }
      for (const auto& d : group.TakeNewDeadLetters()) dead.insert(d.record->sequence);
    }
    EXPECT_EQ(acked.size() + dead.size(), kEvents);
    for (uint64_t s = 1; s <= kEvents; ++s) {
      EXPECT_EQ(acked.count(s) + dead.count(s), 1u) << s;
    }
    EXPECT_EQ(group.ack_floor(), kEvents);
  }
}

}  // namespace
}  // namespace hookbridge
