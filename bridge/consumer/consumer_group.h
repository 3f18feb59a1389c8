// The in-memory heart of a durable consumer: which of its events are
// outstanding at which member of its group, their deadlines, redeliveries,
// per-subject ordering and dead letters, and how far it is acknowledged.
//
// The owner feeds it the matching records of the log in sequence order
// (Offer), asks it for events to send to a member (Take), and passes it
// the members' acknowledgements; it persists what Ack and the dead letters
// report through a ConsumerStore. No threads, no clock: the owner
// serializes the calls and passes the time.
//
// Rules:
// - An event is outstanding at one member at a time. It goes back when its
//   deadline passes, when the member negatively acknowledges it (after the
//   nack's delay), or when the member leaves; then it goes to another
//   member if the group has one (the member that had it may be stuck), or
//   to the same one again.
// - Each hand-out is a delivery. An event that goes back after
//   `max_deliveries` deliveries (0: unlimited) becomes a dead letter
//   instead, and no longer holds anything up.
// - With per-subject ordering, of the events of one subject only the
//   oldest not yet acknowledged (nor dead) may be outstanding, and it is
//   handed out before any later one: events of a subject are delivered in
//   sequence order, one at a time across the group. Events without a
//   subject are unordered.
// - A member holds at most `max_outstanding` events.
// - The ack floor is the highest sequence up to which every matching event
//   is acknowledged or dead.
#ifndef HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_GROUP_H_
#define HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_GROUP_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/consumer/consumer_store.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

struct ConsumerPolicy {
  absl::Duration ack_deadline = absl::Seconds(30);
  // Deliveries before an event becomes a dead letter; 0: unlimited.
  uint32_t max_deliveries = 5;
  bool per_subject = false;
  uint32_t max_outstanding = 1000;
  // Matching events held ahead of their acknowledgement, at most: the
  // owner stops offering records past it (wants_records()).
  size_t window = 10000;
};

class ConsumerGroup {
 public:
  using MemberId = uint64_t;

  struct Delivery {
    RecordPtr record;
    uint32_t attempt = 0;  // 1 for the first delivery
  };

  struct DeadLetter {
    RecordPtr record;
    StoredDeadLetter why;
  };

  // What became of a batch of acknowledgements (or nacks, or extensions):
  // the sequences that were outstanding at the member, and the others.
  struct Outcome {
    std::vector<uint64_t> accepted;
    std::vector<uint64_t> rejected;
  };

  struct Stats {
    uint64_t ack_floor = 0;
    uint64_t scan_position = 0;
    // Scanned, matching, neither acknowledged nor dead.
    uint64_t pending = 0;
    uint64_t outstanding = 0;
    std::optional<absl::Time> oldest_pending_appended_at;
    uint64_t redeliveries = 0;
    uint64_t dead_letters = 0;  // since the group was made
    uint32_t members = 0;
  };

  // Starts after `ack_floor`, skipping the sequences in `acknowledged` and
  // `dead` (the store's state after a restart).
  ConsumerGroup(ConsumerPolicy policy, uint64_t ack_floor, std::set<uint64_t> acknowledged,
                std::set<uint64_t> dead);

  // ---- the log --------------------------------------------------------
  // The last sequence examined: the owner reads after it.
  uint64_t scan_position() const { return scan_position_; }
  // Whether the window has room for more records.
  bool wants_records() const { return entries_.size() < policy_.window; }
  // Matching records after scan_position(), in sequence order, and the
  // sequence the read examined up to (at least the last record's).
  void Offer(const std::vector<RecordPtr>& matching, uint64_t through);
  // Moves the consumer (SeekConsumer): everything up to `ack_floor` counts
  // as acknowledged, everything after it as new; outstanding events are
  // taken back from the members, whose later acknowledgements of them are
  // rejected.
  void Seek(uint64_t ack_floor);
  // Dead letters delivered again as new: their records, read back from
  // the log by the owner.
  void Redrive(const std::vector<RecordPtr>& records);
  // Records lost to retention before they were acknowledged: the scan
  // moves past `through`, and what was pending up to it is dropped.
  // Returns how many pending events were dropped.
  uint64_t Skip(uint64_t through);

  // ---- members --------------------------------------------------------
  void AddMember(MemberId member);
  // Takes back every event outstanding at `member`, at `now`: ready again,
  // or dead if it had its last delivery.
  void RemoveMember(MemberId member, absl::Time now);

  // Up to `max` events for `member` now, oldest first: each becomes
  // outstanding at it with a deadline of now + ack_deadline.
  // At most `max` events, and no more once their event bytes reach
  // `max_bytes` (the first is taken whatever its size).
  std::vector<Delivery> Take(MemberId member, absl::Time now, size_t max,
                             size_t max_bytes = SIZE_MAX);

  // Acknowledgements: accepted ones are done (persist them with the new
  // ack_floor()).
  Outcome Ack(MemberId member, const std::vector<uint64_t>& sequences);
  // Negative acknowledgements: the events go back, ready after `delay`
  // (or die, after their last delivery).
  Outcome Nack(MemberId member, const std::vector<uint64_t>& sequences, absl::Duration delay,
               absl::string_view reason, absl::Time now);
  // Restarts the deadline of events outstanding at `member`.
  Outcome Extend(MemberId member, const std::vector<uint64_t>& sequences, absl::Time now);

  // Deadlines passed by `now`: those events go back or die.
  void Expire(absl::Time now);
  // When the next deadline passes or a delayed event becomes ready.
  std::optional<absl::Time> NextDue() const;

  // Events that died since the last call, for the store.
  std::vector<DeadLetter> TakeNewDeadLetters() { return std::exchange(new_dead_, {}); }

  uint64_t ack_floor() const;
  Stats stats() const;
  // Events outstanding at `member`.
  uint32_t outstanding(MemberId member) const;
  // The member `sequence` is outstanding at, if it is.
  std::optional<MemberId> holder(uint64_t sequence) const;

 private:
  struct Entry {
    explicit Entry(RecordPtr r) : record(std::move(r)) {}
    RecordPtr record;
    uint32_t deliveries = 0;
    uint32_t expiries = 0;
    uint32_t nacks = 0;
    std::string last_reason;
    MemberId member = 0;       // 0: not outstanding
    MemberId last_member = 0;  // who had it last
    absl::Time deadline;       // while outstanding
    absl::Time not_before;     // while waiting after a nack
  };
  struct Member {
    uint32_t outstanding = 0;
  };

  // Makes the outstanding `seq` not outstanding.
  void Release(uint64_t seq, Entry& entry);
  // After a release: the event dies if it had its last delivery, else it
  // is ready at `ready_at`.
  void GoBack(std::map<uint64_t, Entry>::iterator it, absl::Time ready_at, absl::Time now);
  // Hands the entry out to `member` (Take).
  Delivery HandOut(uint64_t seq, Entry& entry, MemberId member, absl::Time now);

  const ConsumerPolicy policy_;
  uint64_t scan_position_;
  std::set<uint64_t> skip_;  // acknowledged or dead above the scan position
  std::map<uint64_t, Entry> entries_;
  // The entries not outstanding (some waiting out a nack's delay): what
  // Take looks through (without per-subject ordering) rather than every
  // entry.
  std::set<uint64_t> ready_;
  std::set<std::pair<absl::Time, uint64_t>> deadlines_;  // outstanding
  std::set<std::pair<absl::Time, uint64_t>> delayed_;    // nacked with a delay
  absl::flat_hash_map<MemberId, Member> members_;
  std::vector<DeadLetter> new_dead_;
  uint64_t redeliveries_ = 0;
  uint64_t dead_count_ = 0;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_GROUP_H_
