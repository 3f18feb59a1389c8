// A durable consumer at run time. LocalConsumer: its ConsumerGroup fed from
// the event log, its members, and the journal that makes its
// acknowledgements and dead letters durable. Thread-safe: the gRPC streams
// of its members call in from their threads, the log wakes it from an
// appending thread, and a timer (LocalConsumerSet) expires deadlines.
#ifndef HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_H_
#define HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/consumer/consumer_group.h"
#include "bridge/consumer/consumer_store.h"
#include "bridge/filter.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

// Where a consumer's progress is made durable. Each call's `done` runs once
// the change is durable (OK) or cannot be (an error), possibly on another
// thread.
class ConsumerJournal {
 public:
  virtual ~ConsumerJournal() = default;
  virtual void Acknowledge(std::vector<uint64_t> sequences, uint64_t ack_floor,
                           std::function<void(absl::Status)> done) = 0;
  virtual void AddDeadLetter(uint64_t sequence, StoredDeadLetter letter,
                             std::function<void(absl::Status)> done) = 0;
  virtual void RemoveDeadLetters(std::vector<uint64_t> sequences,
                                 std::function<void(absl::Status)> done) = 0;
  virtual void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) = 0;
  // The state to start from.
  virtual const ConsumerSnapshot& state() const = 0;
  // Not OK once changes can no longer be made durable (see ConsumerStore).
  virtual absl::Status failure() const { return absl::OkStatus(); }
};

// A journal that keeps nothing beyond the process (the memory log's
// consumers, which are lost on restart like their events).
std::unique_ptr<ConsumerJournal> NewMemoryJournal(std::string config, uint64_t ack_floor);
// A journal over a ConsumerStore (the file log's consumers).
std::unique_ptr<ConsumerJournal> NewStoreJournal(std::unique_ptr<ConsumerStore> store);

// A durable consumer as the Consume stream and the consumer RPCs see it.
// LocalConsumer keeps its group in this process (file and memory logs);
// JetStreamConsumer leaves it to a JetStream durable consumer shared by
// every replica. Thread-safe.
class Consumer {
 public:
  using MemberId = ConsumerGroup::MemberId;

  struct Options {
    std::string name;
    EventFilter filter;
    ConsumerPolicy policy;
  };

  // Running totals since the consumer was opened in this process (the
  // hookbridge_consumer_*_total counters).
  struct Counters {
    uint64_t delivered = 0;     // deliveries, first ones and redeliveries
    uint64_t acknowledged = 0;  // acknowledgements accepted
    uint64_t negative_acknowledgements = 0;
    // Acks, nacks and extensions of events not outstanding at the member.
    uint64_t rejected = 0;
    uint64_t dead_lettered = 0;
    // Matching events (at most: unscanned ones all counted) the log's
    // retention removed before they were acknowledged.
    uint64_t lost_to_retention = 0;
  };

  struct Stats {
    ConsumerGroup::Stats group;
    // Matching events not yet read from the log, at most: the log's last
    // sequence minus the scan position (every event counted as matching).
    uint64_t unscanned = 0;
    Counters counters;

    // What GetConsumer, the metrics and the console call pending: in the
    // window and not yet read.
    uint64_t pending() const { return group.pending + unscanned; }
    // How far behind the end of a log whose last sequence is
    // `last_sequence` the consumer is (hookbridge_consumer_lag_events):
    // the events after its ack floor, matching its filter or not; 0 when
    // nothing is pending (a JetStream consumer's ack floor stays at the
    // last matching event it acknowledged while others are appended).
    uint64_t lag(uint64_t last_sequence) const {
      if (pending() == 0 || last_sequence <= group.ack_floor) return 0;
      return last_sequence - group.ack_floor;
    }
    // How long ago the oldest pending event was appended (0: none pending).
    double oldest_pending_age_seconds(absl::Time now) const {
      if (!group.oldest_pending_appended_at.has_value()) return 0;
      return std::max(0.0, absl::ToDoubleSeconds(now - *group.oldest_pending_appended_at));
    }
  };

  struct MemberInfo {
    std::string name;
    absl::Time joined_at;
    uint32_t outstanding = 0;
  };

  // Sequences the log's retention removed before the consumer acknowledged
  // them, told to the members in a Gap.
  struct GapNotice {
    uint64_t first = 0;
    uint64_t last = 0;
  };

  explicit Consumer(Options options) : options_(std::move(options)) {}
  virtual ~Consumer() = default;

  const std::string& name() const { return options_.name; }
  const Options& options() const { return options_; }
  // The config it was created with (a serialized hookbridge.v1.ConsumerConfig).
  virtual const std::string& config() const = 0;

  // A member joins; `wake` is called (from any thread, never under the
  // consumer's lock) whenever it may have events to take or acknowledgement
  // confirmations to send. Returns its id.
  virtual MemberId Join(std::string name, std::function<void()> wake) = 0;
  // The member leaves: its outstanding events go to the others.
  virtual void Leave(MemberId member) = 0;

  // Up to `max` events for `member` now, no more once their event bytes
  // reach `max_bytes` (the first whatever its size). Never blocks on the
  // network, and reads a bounded part of the log: `*more` (if not null) is
  // set when it stopped before finding what the group could take, so that
  // the caller calls again (nothing else will wake it for that). An error
  // when the log fails (NOT_FOUND once the consumer is deleted).
  virtual absl::Status Take(MemberId member, size_t max, size_t max_bytes,
                            std::vector<ConsumerGroup::Delivery>* out, bool* more = nullptr) = 0;

  // Acknowledgements. `rejected` gets the sequences not outstanding at the
  // member; `confirmed` runs (from any thread) with the accepted ones once
  // they are durable, or with an error.
  virtual void Ack(MemberId member, const std::vector<uint64_t>& sequences,
                   std::vector<uint64_t>* rejected,
                   std::function<void(std::vector<uint64_t>, absl::Status)> confirmed) = 0;
  virtual void Nack(MemberId member, const std::vector<uint64_t>& sequences, absl::Duration delay,
                    const std::string& reason, std::vector<uint64_t>* rejected) = 0;
  virtual void Extend(MemberId member, const std::vector<uint64_t>& sequences,
                      std::vector<uint64_t>* rejected) = 0;

  // Moves the consumer (SeekConsumer) to after `ack_floor`.
  virtual void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) = 0;
  // The dead letters, oldest first: at most `max` above `after`.
  virtual std::vector<std::pair<uint64_t, StoredDeadLetter>> DeadLetters(uint64_t after,
                                                                         size_t max) = 0;
  // Delivers dead letters again (all when `sequences` is empty); `done`
  // gets how many once that is durable.
  virtual void Redrive(const std::vector<uint64_t>& sequences,
                       std::function<void(uint64_t, absl::Status)> done) = 0;

  virtual Stats stats() = 0;
  // Members connected to this server, in join order.
  virtual std::vector<MemberInfo> Members() = 0;
  // Gaps found since the member last asked (a member that joins gets those
  // no member has been told of yet).
  virtual std::vector<GapNotice> TakeGaps(MemberId member) = 0;

  // DeleteConsumer: members' streams end with NOT_FOUND, and `on_destroy`
  // runs once the consumer is destroyed (its state closed), to remove what
  // it kept.
  virtual void MarkDeleted(std::function<void()> on_destroy) = 0;

  // Not OK once its progress can no longer be stored (a disk error): only
  // a restart recovers it.
  virtual absl::Status failure() { return absl::OkStatus(); }

 private:
  const Options options_;
};

// A consumer whose group lives in this process, fed from the event log,
// its progress made durable by a ConsumerJournal.
class LocalConsumer : public Consumer {
 public:
  // Starts from `journal`'s state. `log` must outlive the consumer.
  LocalConsumer(EventLog* log, Options options, std::unique_ptr<ConsumerJournal> journal);
  ~LocalConsumer() override;

  const std::string& config() const override { return journal_->state().config; }

  // A member joins; `wake` is called (from any thread, never under the
  // consumer's lock) whenever it may have events to take or acknowledgement
  // confirmations to send. Returns its id.
  MemberId Join(std::string name, std::function<void()> wake) override;
  // The member leaves: its outstanding events go to the others.
  void Leave(MemberId member) override;

  // Up to `max` events for `member` now (reading the log as needed).
  // An error only when the log fails.
  absl::Status Take(MemberId member, size_t max, size_t max_bytes,
                    std::vector<ConsumerGroup::Delivery>* out, bool* more = nullptr) override;

  // Acknowledgements. `rejected` gets the sequences not outstanding at the
  // member; `confirmed` runs (from any thread) with the accepted ones once
  // they are durable, or with an error.
  void Ack(MemberId member, const std::vector<uint64_t>& sequences, std::vector<uint64_t>* rejected,
           std::function<void(std::vector<uint64_t>, absl::Status)> confirmed) override;
  void Nack(MemberId member, const std::vector<uint64_t>& sequences, absl::Duration delay,
            const std::string& reason, std::vector<uint64_t>* rejected) override;
  void Extend(MemberId member, const std::vector<uint64_t>& sequences,
              std::vector<uint64_t>* rejected) override;

  // Deadlines passed by `now` take events back; members are woken.
  void Expire(absl::Time now);
  std::optional<absl::Time> NextDue();

  // Moves the consumer (SeekConsumer) to after `ack_floor`.
  void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) override;
  // The dead letters, oldest first: at most `max` above `after`.
  std::vector<std::pair<uint64_t, StoredDeadLetter>> DeadLetters(uint64_t after,
                                                                 size_t max) override;
  // Delivers dead letters again (all when `sequences` is empty); `done`
  // gets how many once that is durable.
  void Redrive(const std::vector<uint64_t>& sequences,
               std::function<void(uint64_t, absl::Status)> done) override;

  // Reads ahead into the window first, so that the oldest pending event is
  // known even while no member is connected.
  Stats stats() override;
  // Connected members, in join order.
  std::vector<MemberInfo> Members() override;
  // The oldest sequence the consumer still needs from the log: after the
  // ack floor, or its oldest dead letter (kept to be listed and redriven).
  uint64_t RetainFrom();

  // Gaps found since the member last asked (a member that joins gets those
  // no member has been told of yet).
  std::vector<GapNotice> TakeGaps(MemberId member) override;
  // Wakes the members if a gap was found since the last call (a gap found
  // while one member's Take read the log reaches the others this way).
  void WakeIfGaps();
  // Reads a bounded part of the log ahead into the group, as a member's
  // Take would: so that events retention removes before anyone reads them
  // are found and counted while no member is connected. The set's timer
  // calls it, off every request path; stats() never reads the log.
  void ReadAhead();

  // DeleteConsumer: members' streams end with NOT_FOUND, and `on_destroy`
  // runs once the consumer is destroyed (its journal closed), to remove
  // its files.
  void MarkDeleted(std::function<void()> on_destroy) override;
  absl::Status failure() override { return journal_->failure(); }

 private:
  class Waker;
  // Reads the log into the group while the window has room, at most
  // kMaxReadsPerFill reads; `*more` tells whether it stopped there.
  absl::Status Fill(bool* more) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Persists the dead letters the group made since the last call.
  void RecordDeadLetters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls every member's wake, outside the lock.
  void WakeAll() ABSL_LOCKS_EXCLUDED(mu_);

  EventLog* const log_;
  const ReadSelector selector_;
  std::unique_ptr<ConsumerJournal> journal_;  // reset only by the destructor
  const std::shared_ptr<Waker> waker_;

  absl::Mutex mu_;
  ConsumerGroup group_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, StoredDeadLetter> dead_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<MemberId, std::function<void()>> wakes_ ABSL_GUARDED_BY(mu_);
  struct MemberState {
    MemberInfo info;
    uint64_t next_gap = 0;  // id of the first gap not told to this member
  };
  std::map<MemberId, MemberState> members_ ABSL_GUARDED_BY(mu_);
  MemberId next_member_ ABSL_GUARDED_BY(mu_) = 1;
  Counters counters_ ABSL_GUARDED_BY(mu_);
  // The last kMaxGaps gaps; gaps_.front() has id gaps_base_.
  std::deque<GapNotice> gaps_ ABSL_GUARDED_BY(mu_);
  uint64_t gaps_base_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t gaps_told_ ABSL_GUARDED_BY(mu_) = 0;  // ids below were told to someone
  bool gap_wake_ ABSL_GUARDED_BY(mu_) = false;
  bool deleted_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> on_destroy_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordPtr> scratch_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_H_
