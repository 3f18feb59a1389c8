#include "bridge/consumer/consumer_group.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace hookbridge {

ConsumerGroup::ConsumerGroup(ConsumerPolicy policy, uint64_t ack_floor,
                             std::set<uint64_t> acknowledged, std::set<uint64_t> dead)
    : policy_(policy), scan_position_(ack_floor), skip_(std::move(acknowledged)) {
  skip_.insert(dead.begin(), dead.end());
  skip_.erase(skip_.begin(), skip_.upper_bound(ack_floor));
}

void ConsumerGroup::Offer(const std::vector<RecordPtr>& matching, uint64_t through) {
  for (const RecordPtr& record : matching) {
    if (record->sequence <= scan_position_) continue;  // offered before
    scan_position_ = record->sequence;
    if (skip_.erase(record->sequence) > 0) continue;
    entries_.emplace(record->sequence, Entry(record));
    ready_.insert(ready_.end(), record->sequence);
  }
  if (through > scan_position_) scan_position_ = through;
  skip_.erase(skip_.begin(), skip_.upper_bound(scan_position_));
}

void ConsumerGroup::Seek(uint64_t ack_floor) {
  for (auto& [member, m] : members_) m.outstanding = 0;
  entries_.clear();
  ready_.clear();
  deadlines_.clear();
  delayed_.clear();
  skip_.clear();
  scan_position_ = ack_floor;
}

void ConsumerGroup::Redrive(const std::vector<RecordPtr>& records) {
  for (const RecordPtr& record : records) {
    // Above the scan position it will be offered again by the scan.
    if (record->sequence > scan_position_) {
      skip_.erase(record->sequence);
      continue;
    }
    if (entries_.try_emplace(record->sequence, record).second) {
      ready_.insert(record->sequence);
    }
  }
}

uint64_t ConsumerGroup::Skip(uint64_t through) {
  uint64_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end() && it->first <= through;) {
    if (it->second.member != 0) {
      deadlines_.erase({it->second.deadline, it->first});
      members_[it->second.member].outstanding--;
    }
    delayed_.erase({it->second.not_before, it->first});
    it = entries_.erase(it);
    ++dropped;
  }
  ready_.erase(ready_.begin(), ready_.upper_bound(through));
  if (through > scan_position_) scan_position_ = through;
  skip_.erase(skip_.begin(), skip_.upper_bound(scan_position_));
  return dropped;
}

void ConsumerGroup::AddMember(MemberId member) { members_.try_emplace(member); }

void ConsumerGroup::RemoveMember(MemberId member, absl::Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.member == member) {
      Release(it->first, it->second);
      it->second.last_reason = "the member holding it left";
      GoBack(it, now, now);
    }
    it = next;
  }
  members_.erase(member);
}

std::vector<ConsumerGroup::Delivery> ConsumerGroup::Take(MemberId member, absl::Time now,
                                                         size_t max, size_t max_bytes) {
  std::vector<Delivery> out;
  auto m = members_.find(member);
  if (m == members_.end()) return out;
  const size_t room = m->second.outstanding >= policy_.max_outstanding
                          ? 0
                          : policy_.max_outstanding - m->second.outstanding;
  max = std::min(max, room);
  if (max == 0) return out;
  // Whether `entry` may go to this member now, within `max_bytes` (the
  // first whatever its size).
  size_t bytes = 0;
  auto may_take = [&](const Entry& entry) {
    if (entry.member != 0 || entry.not_before > now) return false;
    return entry.last_member != member || members_.size() == 1;  // else another's turn
  };
  auto fits = [&](const Entry& entry) {
    const size_t size = entry.record->event_bytes.size();
    if (!out.empty() && bytes + size > max_bytes) return false;
    bytes += size;
    return true;
  };
  if (!policy_.per_subject) {
    for (auto r = ready_.begin(); r != ready_.end() && out.size() < max;) {
      Entry& entry = entries_.find(*r)->second;
      if (!may_take(entry)) {
        ++r;
        continue;
      }
      if (!fits(entry)) break;
      out.push_back(HandOut(*r, entry, member, now));
      r = ready_.erase(r);
    }
  } else {
    // Only the oldest entry of each subject may go out, and only when none
    // of its subject is outstanding.
    absl::flat_hash_set<absl::string_view> seen_subjects;
    for (auto& [seq, entry] : entries_) {
      if (out.size() >= max) break;
      if (!entry.record->subject.empty() && !seen_subjects.insert(entry.record->subject).second) {
        continue;
      }
      if (!may_take(entry)) continue;
      if (!fits(entry)) break;
      out.push_back(HandOut(seq, entry, member, now));
      ready_.erase(seq);
    }
  }
  m->second.outstanding += static_cast<uint32_t>(out.size());
  return out;
}

ConsumerGroup::Delivery ConsumerGroup::HandOut(uint64_t seq, Entry& entry, MemberId member,
                                               absl::Time now) {
  delayed_.erase({entry.not_before, seq});
  entry.not_before = absl::InfinitePast();
  if (entry.deliveries > 0) ++redeliveries_;
  ++entry.deliveries;
  entry.member = member;
  entry.deadline = now + policy_.ack_deadline;
  deadlines_.emplace(entry.deadline, seq);
  return Delivery{entry.record, entry.deliveries};
}

ConsumerGroup::Outcome ConsumerGroup::Ack(MemberId member, const std::vector<uint64_t>& sequences) {
  Outcome outcome;
  for (uint64_t seq : sequences) {
    auto it = entries_.find(seq);
    if (it == entries_.end() || it->second.member != member) {
      outcome.rejected.push_back(seq);
      continue;
    }
    Release(seq, it->second);
    entries_.erase(it);
    outcome.accepted.push_back(seq);
  }
  return outcome;
}

ConsumerGroup::Outcome ConsumerGroup::Nack(MemberId member, const std::vector<uint64_t>& sequences,
                                           absl::Duration delay, absl::string_view reason,
                                           absl::Time now) {
  Outcome outcome;
  for (uint64_t seq : sequences) {
    auto it = entries_.find(seq);
    if (it == entries_.end() || it->second.member != member) {
      outcome.rejected.push_back(seq);
      continue;
    }
    Release(seq, it->second);
    ++it->second.nacks;
    it->second.last_reason = reason.empty() ? "negatively acknowledged" : std::string(reason);
    GoBack(it, now + std::max(delay, absl::ZeroDuration()), now);
    outcome.accepted.push_back(seq);
  }
  return outcome;
}

ConsumerGroup::Outcome ConsumerGroup::Extend(MemberId member,
                                             const std::vector<uint64_t>& sequences,
                                             absl::Time now) {
  Outcome outcome;
  for (uint64_t seq : sequences) {
    auto it = entries_.find(seq);
    if (it == entries_.end() || it->second.member != member) {
      outcome.rejected.push_back(seq);
      continue;
    }
    deadlines_.erase({it->second.deadline, seq});
    it->second.deadline = now + policy_.ack_deadline;
    deadlines_.emplace(it->second.deadline, seq);
    outcome.accepted.push_back(seq);
  }
  return outcome;
}

void ConsumerGroup::Expire(absl::Time now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const uint64_t seq = deadlines_.begin()->second;
    auto it = entries_.find(seq);
    Release(seq, it->second);
    ++it->second.expiries;
    it->second.last_reason = "the ack deadline passed";
    GoBack(it, now, now);
  }
}

std::optional<absl::Time> ConsumerGroup::NextDue() const {
  std::optional<absl::Time> due;
  if (!deadlines_.empty()) due = deadlines_.begin()->first;
  if (!delayed_.empty() && (!due.has_value() || delayed_.begin()->first < *due)) {
    due = delayed_.begin()->first;
  }
  return due;
}

void ConsumerGroup::Release(uint64_t seq, Entry& entry) {
  deadlines_.erase({entry.deadline, seq});
  if (auto m = members_.find(entry.member); m != members_.end() && m->second.outstanding > 0) {
    m->second.outstanding--;
  }
  entry.last_member = entry.member;
  entry.member = 0;
}

void ConsumerGroup::GoBack(std::map<uint64_t, Entry>::iterator it, absl::Time ready_at,
                           absl::Time now) {
  Entry& entry = it->second;
  if (policy_.max_deliveries != 0 && entry.deliveries >= policy_.max_deliveries) {
    StoredDeadLetter why;
    why.deliveries = entry.deliveries;
    why.deadline_expiries = entry.expiries;
    why.negative_acknowledgements = entry.nacks;
    why.last_reason = entry.last_reason;
    why.dead_at = now;
    new_dead_.push_back(DeadLetter{entry.record, std::move(why)});
    ++dead_count_;
    entries_.erase(it);
    return;
  }
  entry.not_before = ready_at;
  if (ready_at > now) delayed_.emplace(ready_at, it->first);
  ready_.insert(it->first);
}

uint64_t ConsumerGroup::ack_floor() const {
  if (entries_.empty()) return scan_position_;
  return std::min(scan_position_, entries_.begin()->first - 1);
}

ConsumerGroup::Stats ConsumerGroup::stats() const {
  Stats stats;
  stats.ack_floor = ack_floor();
  stats.scan_position = scan_position_;
  stats.pending = entries_.size();
  stats.outstanding = deadlines_.size();
  if (!entries_.empty())
    stats.oldest_pending_appended_at = entries_.begin()->second.record->appended_at;
  stats.redeliveries = redeliveries_;
  stats.dead_letters = dead_count_;
  stats.members = static_cast<uint32_t>(members_.size());
  return stats;
}

uint32_t ConsumerGroup::outstanding(MemberId member) const {
  auto it = members_.find(member);
  return it == members_.end() ? 0 : it->second.outstanding;
}

std::optional<ConsumerGroup::MemberId> ConsumerGroup::holder(uint64_t sequence) const {
  auto it = entries_.find(sequence);
  if (it == entries_.end() || it->second.member == 0) return std::nullopt;
  return it->second.member;
}

}  // namespace hookbridge
