#include "bridge/consumer/consumer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/error_info.h"

namespace hookbridge {
namespace {

// Records read from the log per read while filling the window.
constexpr size_t kReadBatch = 256;
// Reads of the log one Take makes at most: a filter that matches nothing
// in a long log is scanned in steps, each a bounded piece of work.
constexpr int kMaxReadsPerFill = 16;
// Gaps kept for members that have not been told yet.
constexpr size_t kMaxGaps = 64;

class MemoryJournal : public ConsumerJournal {
 public:
  MemoryJournal(std::string config, uint64_t ack_floor) {
    state_.config = std::move(config);
    state_.ack_floor = ack_floor;
  }
  void Acknowledge(std::vector<uint64_t> sequences, uint64_t ack_floor,
                   std::function<void(absl::Status)> done) override {
    done(absl::OkStatus());
  }
  void AddDeadLetter(uint64_t sequence, StoredDeadLetter letter,
                     std::function<void(absl::Status)> done) override {
    done(absl::OkStatus());
  }
  void RemoveDeadLetters(std::vector<uint64_t> sequences,
                         std::function<void(absl::Status)> done) override {
    done(absl::OkStatus());
  }
  void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) override {
    done(absl::OkStatus());
  }
  const ConsumerSnapshot& state() const override { return state_; }

 private:
  ConsumerSnapshot state_;
};

class StoreJournal : public ConsumerJournal {
 public:
  explicit StoreJournal(std::unique_ptr<ConsumerStore> store)
      : store_(std::move(store)), start_(store_->state()) {}
  void Acknowledge(std::vector<uint64_t> sequences, uint64_t ack_floor,
                   std::function<void(absl::Status)> done) override {
    store_->Acknowledge(std::move(sequences), ack_floor, std::move(done));
  }
  void AddDeadLetter(uint64_t sequence, StoredDeadLetter letter,
                     std::function<void(absl::Status)> done) override {
    store_->AddDeadLetter(sequence, std::move(letter), std::move(done));
  }
  void RemoveDeadLetters(std::vector<uint64_t> sequences,
                         std::function<void(absl::Status)> done) override {
    store_->RemoveDeadLetters(std::move(sequences), std::move(done));
  }
  void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) override {
    store_->Seek(ack_floor, std::move(done));
  }
  // The state at open: the store's own moves on as changes are recorded.
  const ConsumerSnapshot& state() const override { return start_; }
  absl::Status failure() const override { return store_->failure(); }

 private:
  std::unique_ptr<ConsumerStore> store_;
  const ConsumerSnapshot start_;
};

std::set<uint64_t> Keys(const std::map<uint64_t, StoredDeadLetter>& dead) {
  std::set<uint64_t> keys;
  for (const auto& [sequence, letter] : dead) keys.insert(sequence);
  return keys;
}

}  // namespace

std::unique_ptr<ConsumerJournal> NewMemoryJournal(std::string config, uint64_t ack_floor) {
  return std::make_unique<MemoryJournal>(std::move(config), ack_floor);
}

std::unique_ptr<ConsumerJournal> NewStoreJournal(std::unique_ptr<ConsumerStore> store) {
  return std::make_unique<StoreJournal>(std::move(store));
}

// Registered with the log when the window had room and the log had nothing
// more: wakes the members when it grows. The log holds it weakly; Close()
// stops it.
class LocalConsumer::Waker : public LogWaiter {
 public:
  explicit Waker(LocalConsumer* consumer) : consumer_(consumer) {}
  void OnLogGrew() override {
    absl::MutexLock lock(&mu_);
    if (consumer_ != nullptr) consumer_->WakeAll();
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    consumer_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  LocalConsumer* consumer_ ABSL_GUARDED_BY(mu_);
};

LocalConsumer::LocalConsumer(EventLog* log, Options options,
                             std::unique_ptr<ConsumerJournal> journal)
    : Consumer(std::move(options)),
      log_(log),
      selector_(this->options().filter.Selector()),
      journal_(std::move(journal)),
      waker_(std::make_shared<Waker>(this)),
      group_(this->options().policy, journal_->state().ack_floor, journal_->state().acknowledged,
             Keys(journal_->state().dead_letters)),
      dead_(journal_->state().dead_letters) {}

LocalConsumer::~LocalConsumer() {
  waker_->Close();
  journal_.reset();  // its writer is done before the files go
  std::function<void()> on_destroy;
  {
    absl::MutexLock lock(&mu_);
    on_destroy = std::move(on_destroy_);
  }
  if (on_destroy) on_destroy();
}

void LocalConsumer::MarkDeleted(std::function<void()> on_destroy) {
  {
    absl::MutexLock lock(&mu_);
    deleted_ = true;
    on_destroy_ = std::move(on_destroy);
  }
  WakeAll();
}

Consumer::MemberId LocalConsumer::Join(std::string name, std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  const MemberId member = next_member_++;
  group_.AddMember(member);
  wakes_.emplace(member, std::move(wake));
  members_.emplace(member, MemberState{MemberInfo{std::move(name), absl::Now(), 0}, gaps_told_});
  return member;
}

void LocalConsumer::Leave(MemberId member) {
  {
    absl::MutexLock lock(&mu_);
    group_.RemoveMember(member, absl::Now());
    wakes_.erase(member);
    members_.erase(member);
    RecordDeadLetters();
  }
  WakeAll();
}

absl::Status LocalConsumer::Fill(bool* more) {
  *more = false;
  for (int reads = 0; group_.wants_records(); ++reads) {
    if (reads == kMaxReadsPerFill) {
      *more = true;
      break;
    }
    scratch_.clear();
    uint64_t through = group_.scan_position();
    absl::Status read = log_->ReadSelected(group_.scan_position(), kReadBatch, selector_, &scratch_,
                                           &through, waker_);
    if (!read.ok()) {
      const std::optional<uint64_t> oldest = OldestRetainedSequence(read);
      if (!oldest.has_value() || *oldest <= group_.scan_position() + 1) return read;
      // Evicted before the consumer acknowledged them: counted and told
      // to the members, not hidden.
      const uint64_t unscanned = *oldest - 1 - group_.scan_position();
      const GapNotice gap{group_.ack_floor() + 1, *oldest - 1};
      counters_.lost_to_retention += group_.Skip(*oldest - 1) + unscanned;
      gaps_.push_back(gap);
      if (gaps_.size() > kMaxGaps) {
        gaps_.pop_front();
        ++gaps_base_;
      }
      gap_wake_ = true;
      continue;
    }
    if (through <= group_.scan_position()) break;  // at the end: the waker is registered
    std::vector<RecordPtr> matching;
    matching.reserve(scratch_.size());
    for (RecordPtr& record : scratch_) {
      if (options().filter.Matches(*record)) matching.push_back(std::move(record));
    }
    group_.Offer(matching, through);
  }
  scratch_.clear();
  return absl::OkStatus();
}

absl::Status LocalConsumer::Take(MemberId member, size_t max, size_t max_bytes,
                                 std::vector<ConsumerGroup::Delivery>* out, bool* more) {
  absl::MutexLock lock(&mu_);
  if (deleted_) return absl::NotFoundError(absl::StrCat("consumer \"", name(), "\" was deleted"));
  bool cut = false;
  absl::Status filled = Fill(&cut);
  std::vector<ConsumerGroup::Delivery> taken = group_.Take(member, absl::Now(), max, max_bytes);
  if (more != nullptr) *more = cut && taken.empty();
  counters_.delivered += taken.size();
  out->insert(out->end(), std::make_move_iterator(taken.begin()),
              std::make_move_iterator(taken.end()));
  // What the window held can still go out when the log fails.
  return taken.empty() ? filled : absl::OkStatus();
}

void LocalConsumer::Ack(MemberId member, const std::vector<uint64_t>& sequences,
                        std::vector<uint64_t>* rejected,
                        std::function<void(std::vector<uint64_t>, absl::Status)> confirmed) {
  ConsumerGroup::Outcome outcome;
  uint64_t floor = 0;
  {
    absl::MutexLock lock(&mu_);
    outcome = group_.Ack(member, sequences);
    floor = group_.ack_floor();
    counters_.acknowledged += outcome.accepted.size();
    counters_.rejected += outcome.rejected.size();
  }
  rejected->insert(rejected->end(), outcome.rejected.begin(), outcome.rejected.end());
  if (outcome.accepted.empty()) return;
  std::vector<uint64_t> accepted = outcome.accepted;
  journal_->Acknowledge(
      std::move(outcome.accepted), floor,
      [accepted = std::move(accepted), confirmed = std::move(confirmed)](
          absl::Status status) mutable { confirmed(std::move(accepted), std::move(status)); });
  // A window that was full may have room now.
  WakeAll();
}

void LocalConsumer::Nack(MemberId member, const std::vector<uint64_t>& sequences,
                         absl::Duration delay, const std::string& reason,
                         std::vector<uint64_t>* rejected) {
  {
    absl::MutexLock lock(&mu_);
    ConsumerGroup::Outcome outcome = group_.Nack(member, sequences, delay, reason, absl::Now());
    counters_.negative_acknowledgements += outcome.accepted.size();
    counters_.rejected += outcome.rejected.size();
    rejected->insert(rejected->end(), outcome.rejected.begin(), outcome.rejected.end());
    RecordDeadLetters();
  }
  WakeAll();
}

void LocalConsumer::Extend(MemberId member, const std::vector<uint64_t>& sequences,
                           std::vector<uint64_t>* rejected) {
  absl::MutexLock lock(&mu_);
  ConsumerGroup::Outcome outcome = group_.Extend(member, sequences, absl::Now());
  counters_.rejected += outcome.rejected.size();
  rejected->insert(rejected->end(), outcome.rejected.begin(), outcome.rejected.end());
}

void LocalConsumer::Expire(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    group_.Expire(now);
    RecordDeadLetters();
  }
  WakeAll();
}

std::optional<absl::Time> LocalConsumer::NextDue() {
  absl::MutexLock lock(&mu_);
  return group_.NextDue();
}

void LocalConsumer::Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) {
  {
    absl::MutexLock lock(&mu_);
    group_.Seek(ack_floor);
  }
  journal_->Seek(ack_floor, std::move(done));
  WakeAll();
}

std::vector<std::pair<uint64_t, StoredDeadLetter>> LocalConsumer::DeadLetters(uint64_t after,
                                                                              size_t max) {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<uint64_t, StoredDeadLetter>> out;
  for (auto it = dead_.upper_bound(after); it != dead_.end() && out.size() < max; ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

void LocalConsumer::Redrive(const std::vector<uint64_t>& sequences,
                            std::function<void(uint64_t, absl::Status)> done) {
  std::vector<uint64_t> chosen;
  {
    absl::MutexLock lock(&mu_);
    if (sequences.empty()) {
      for (const auto& [sequence, letter] : dead_) chosen.push_back(sequence);
    } else {
      for (uint64_t sequence : sequences) {
        if (dead_.count(sequence) > 0) chosen.push_back(sequence);
      }
    }
    std::vector<RecordPtr> records;
    for (uint64_t sequence : chosen) {
      dead_.erase(sequence);
      std::vector<RecordPtr> one;
      if (log_->Read(sequence - 1, 1, &one, nullptr).ok() && !one.empty() &&
          one[0]->sequence == sequence) {
        records.push_back(std::move(one[0]));
      }
    }
    group_.Redrive(records);
  }
  const uint64_t redriven = chosen.size();
  journal_->RemoveDeadLetters(std::move(chosen),
                              [redriven, done = std::move(done)](absl::Status status) {
                                done(redriven, std::move(status));
                              });
  WakeAll();
}

Consumer::Stats LocalConsumer::stats() {
  const uint64_t last = log_->Stats().last_sequence;
  // Without reading the log: /metrics and the console ask, and must not
  // wait on a scan. What is not scanned yet is counted as `unscanned`.
  absl::MutexLock lock(&mu_);
  Stats stats;
  stats.group = group_.stats();
  stats.group.dead_letters = dead_.size();
  stats.unscanned = last > group_.scan_position() ? last - group_.scan_position() : 0;
  stats.counters = counters_;
  return stats;
}

std::vector<Consumer::MemberInfo> LocalConsumer::Members() {
  absl::MutexLock lock(&mu_);
  std::vector<MemberInfo> out;
  out.reserve(members_.size());
  for (const auto& [id, member] : members_) {
    out.push_back(member.info);
    out.back().outstanding = group_.outstanding(id);
  }
  return out;
}

uint64_t LocalConsumer::RetainFrom() {
  absl::MutexLock lock(&mu_);
  const uint64_t after_floor = group_.ack_floor() + 1;
  return dead_.empty() ? after_floor : std::min(after_floor, dead_.begin()->first);
}

std::vector<Consumer::GapNotice> LocalConsumer::TakeGaps(MemberId member) {
  absl::MutexLock lock(&mu_);
  auto it = members_.find(member);
  const uint64_t end = gaps_base_ + gaps_.size();
  if (it == members_.end() || it->second.next_gap >= end) return {};
  const uint64_t from = std::max(it->second.next_gap, gaps_base_);
  std::vector<GapNotice> out(gaps_.begin() + static_cast<ptrdiff_t>(from - gaps_base_),
                             gaps_.end());
  it->second.next_gap = end;
  gaps_told_ = std::max(gaps_told_, end);
  return out;
}

void LocalConsumer::ReadAhead() {
  absl::MutexLock lock(&mu_);
  bool more = false;
  // A log that fails now is reported by the members' streams.
  if (!deleted_) Fill(&more).IgnoreError();
}

void LocalConsumer::WakeIfGaps() {
  {
    absl::MutexLock lock(&mu_);
    if (!gap_wake_) return;
    gap_wake_ = false;
  }
  WakeAll();
}

void LocalConsumer::RecordDeadLetters() {
  for (ConsumerGroup::DeadLetter& letter : group_.TakeNewDeadLetters()) {
    ++counters_.dead_lettered;
    dead_.emplace(letter.record->sequence, letter.why);
    journal_->AddDeadLetter(letter.record->sequence, std::move(letter.why), [](absl::Status) {});
  }
}

void LocalConsumer::WakeAll() {
  std::vector<std::function<void()>> wakes;
  {
    absl::MutexLock lock(&mu_);
    wakes.reserve(wakes_.size());
    for (const auto& [member, wake] : wakes_) wakes.push_back(wake);
  }
  for (const auto& wake : wakes) wake();
}

}  // namespace hookbridge
