#include "bridge/log/jetstream/jetstream_consumers.h"

#include <nats/nats.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bridge/log/jetstream/jetstream_record.h"
#include "bridge/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace hookbridge {
namespace {

// How long one pull waits for messages before the puller looks around
// (members gone, shutdown) and asks again.
constexpr int64_t kPullWaitMs = 500;
// How long binding to the durable may wait for its server: a request
// made while the consumer elects a leader (its server died) must not hold
// back the next one.
constexpr int64_t kBindWaitMs = 1000;
// How often a puller with room looks at the redrive stream.
constexpr absl::Duration kRedriveInterval = absl::Seconds(1);
// Messages asked for per pull at most.
constexpr int kMaxPull = 256;
// How long the bucket of nack reasons keeps one (a reason matters only
// until the event is acknowledged or dead).
constexpr absl::Duration kNackReasonTtl = absl::Hours(24 * 7);
// The original sequence of a redriven event.
constexpr char kSequenceHeader[] = "Hookbridge-Sequence";

int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

std::string Durable(const std::string& name) {
  return absl::StrCat("hb_", absl::StrReplaceAll(name, {{".", "_"}}));
}

std::string SerializedConfig(const v1::ConsumerConfig& config) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  config.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// The key of `sequence` of consumer `name` in the buckets, and back.
std::string Key(const std::string& name, uint64_t sequence) {
  return absl::StrCat(name, ".", sequence);
}
bool ParseKey(absl::string_view key, const std::string& name, uint64_t* sequence) {
  return absl::ConsumePrefix(&key, name) && absl::ConsumePrefix(&key, ".") && !key.empty() &&
         std::all_of(key.begin(), key.end(), absl::ascii_isdigit) &&
         absl::SimpleAtoi(key, sequence);
}

v1::DeadLetter ToProto(const StoredDeadLetter& letter) {
  v1::DeadLetter out;
  out.set_deliveries(letter.deliveries);
  out.set_deadline_expiries(letter.deadline_expiries);
  out.set_negative_acknowledgements(letter.negative_acknowledgements);
  out.set_last_reason(letter.last_reason);
  const int64_t nanos = absl::ToUnixNanos(letter.dead_at);
  out.mutable_dead_at()->set_seconds(nanos / 1000000000);
  out.mutable_dead_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

StoredDeadLetter FromProto(const v1::DeadLetter& letter) {
  StoredDeadLetter out;
  out.deliveries = letter.deliveries();
  out.deadline_expiries = letter.deadline_expiries();
  out.negative_acknowledgements = letter.negative_acknowledgements();
  out.last_reason = letter.last_reason();
  out.dead_at = absl::FromUnixSeconds(letter.dead_at().seconds()) +
                absl::Nanoseconds(letter.dead_at().nanos());
  return out;
}

}  // namespace

// The connection the consumers share, and where they keep what JetStream
// does not.
struct JetStreamConsumerSet::Nats {
  JetStreamLog::Options options;
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  kvStore* dead = nullptr;   // <stream>_DEAD
  kvStore* nacks = nullptr;  // <stream>_NACKS
  std::string redrive_stream;
  std::string redrive_prefix;  // "<prefix>_redrive"

  ~Nats() {
    if (dead != nullptr) kvStore_Destroy(dead);
    if (nacks != nullptr) kvStore_Destroy(nacks);
    if (js != nullptr) jsCtx_Destroy(js);
    if (conn != nullptr) {
      natsConnection_Close(conn);
      natsConnection_Destroy(conn);
    }
  }

  jsOptions Wait() const {
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = absl::ToInt64Milliseconds(options.request_timeout);
    return o;
  }

  absl::Status OpenBucket(const std::string& bucket, absl::Duration ttl, kvStore** out) {
    natsStatus s = js_KeyValue(out, js, bucket.c_str());
    if (s == NATS_OK) return absl::OkStatus();
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = bucket.c_str();
    config.History = 1;
    config.Replicas = options.replicas;
    config.StorageType = js_FileStorage;
    config.TTL = ttl == absl::InfiniteDuration() ? 0 : Nanos(ttl);
    s = js_CreateKeyValue(out, js, &config);
    if (s != NATS_OK) {
      return absl::FailedPreconditionError(
          NatsError(absl::StrCat("cannot create the key-value bucket ", bucket), s));
    }
    return absl::OkStatus();
  }

  absl::Status EnsureRedriveStream() {
    const std::string subjects = absl::StrCat(redrive_prefix, ".>");
    const char* list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = redrive_stream.c_str();
    config.Subjects = list;
    config.SubjectsLen = 1;
    config.Retention = js_WorkQueuePolicy;
    config.Storage = js_FileStorage;
    config.Replicas = options.replicas;
    jsStreamInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js, redrive_stream.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND) s = js_AddStream(&info, js, &config, nullptr, &jerr);
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (s != NATS_OK) {
      return absl::FailedPreconditionError(
          NatsError(absl::StrCat("cannot create the stream ", redrive_stream), s));
    }
    return absl::OkStatus();
  }

  // The durable's info; NotFound when there is none.
  absl::StatusOr<jsConsumerInfo*> Info(const std::string& stream, const std::string& durable) {
    jsConsumerInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    jsOptions o = Wait();
    natsStatus s = js_GetConsumerInfo(&info, js, stream.c_str(), durable.c_str(), &o, &jerr);
    if (s == NATS_NOT_FOUND) return absl::NotFoundError(absl::StrCat("no consumer ", durable));
    if (s != NATS_OK) {
      return absl::UnavailableError(NatsError(absl::StrCat("cannot look up ", durable), s));
    }
    return info;
  }
};

// One consumer as this replica serves it: the members connected here and
// the messages pulled for them. A puller thread pulls while members have
// room; a worker thread does what waits for the server (acknowledgements,
// dead letters, redrives, seeks), so a member's stream never blocks on NATS.
class JetStreamConsumer : public Consumer {
 public:
  JetStreamConsumer(std::shared_ptr<JetStreamConsumerSet::Nats> nats,
                    const v1::ConsumerConfig& config)
      : Consumer(ConsumerOptions(config)),
        nats_(std::move(nats)),
        config_(SerializedConfig(config)),
        durable_(Durable(config.name())),
        redrive_subject_(absl::StrCat(nats_->redrive_prefix, ".", Durable(config.name()))) {}

  ~JetStreamConsumer() override {
    std::thread puller;
    std::thread worker;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      puller = std::move(puller_);
      worker = std::move(worker_);
    }
    if (puller.joinable()) puller.join();
    if (worker.joinable()) worker.join();
    for (auto& [sequence, held] : held_) natsMsg_Destroy(held.msg);
    for (natsSubscription* sub : subscriptions_) natsSubscription_Destroy(sub);
    if (on_destroy_) on_destroy_();
  }

  const std::string& config() const override { return config_; }
  const std::string& durable() const { return durable_; }

  // The JetStream consumer config of the durable on the log's stream,
  // starting after `floor` (0: from the start) or as `config` says.
  static jsConsumerConfig DurableConfig(const std::string& durable, const std::string& description,
                                        const std::string& filter, const ConsumerPolicy& policy) {
    jsConsumerConfig c;
    jsConsumerConfig_Init(&c);
    c.Durable = durable.c_str();
    c.Description = description.c_str();
    c.AckPolicy = js_AckExplicit;
    c.AckWait = Nanos(policy.ack_deadline);
    c.MaxDeliver = -1;  // max_deliveries is enforced here, to keep dead letters
    c.FilterSubject = filter.c_str();
    c.MaxAckPending = std::max<int64_t>(20000, int64_t{policy.max_outstanding} * 16);
    return c;
  }

  // ---- Consumer --------------------------------------------------------

  MemberId Join(std::string name, std::function<void()> wake) override {
    absl::MutexLock lock(&mu_);
    // The puller runs once a member is here (a replica lists many
    // consumers it serves no member of).
    if (!puller_.joinable()) puller_ = std::thread([this] { Pull(); });
    // Without members the puller did not pull: a failure it met before is
    // stale (NATS may be back). It reports the next one it meets.
    if (members_.empty()) failure_ = absl::OkStatus();
    const MemberId id = next_member_++;
    Member& m = members_[id];
    m.info = MemberInfo{std::move(name), absl::Now(), 0};
    m.wake = std::move(wake);
    return id;
  }

  void Leave(MemberId member) override {
    std::vector<natsMsg*> back;
    {
      absl::MutexLock lock(&mu_);
      for (auto it = held_.begin(); it != held_.end();) {
        if (it->second.member == member) {
          back.push_back(it->second.msg);
          it = EraseHeldLocked(it);
        } else {
          ++it;
        }
      }
      members_.erase(member);
    }
    // Back to JetStream at once, for the other members (here or elsewhere).
    for (natsMsg* msg : back) {
      natsMsg_Nak(msg, nullptr);
      natsMsg_Destroy(msg);
    }
  }

  absl::Status Take(MemberId member, size_t max, size_t max_bytes,
                    std::vector<ConsumerGroup::Delivery>* out, bool* more = nullptr) override {
    // Never reads the stream itself: the pull loop fills `ready`.
    if (more != nullptr) *more = false;
    absl::MutexLock lock(&mu_);
    if (deleted_) return absl::NotFoundError(absl::StrCat("consumer \"", name(), "\" was deleted"));
    auto it = members_.find(member);
    if (it == members_.end()) return absl::OkStatus();
    Member& m = it->second;
    if (m.ready.empty() && !failure_.ok()) return failure_;
    const absl::Time deadline = absl::Now() + options().policy.ack_deadline;
    size_t taken = 0;
    size_t bytes = 0;
    while (!m.ready.empty() && taken < max) {
      const size_t size = m.ready.front().record->event_bytes.size();
      if (taken > 0 && bytes + size > max_bytes) break;
      ConsumerGroup::Delivery d = std::move(m.ready.front());
      m.ready.pop_front();
      auto held = held_.find(d.record->sequence);
      if (held == held_.end() || held->second.member != member) continue;  // taken back
      held->second.delivered = true;
      held->second.deadline = deadline;
      out->push_back(std::move(d));
      bytes += size;
      ++taken;
    }
    counters_.delivered += taken;
    return absl::OkStatus();
  }

  void Ack(MemberId member, const std::vector<uint64_t>& sequences, std::vector<uint64_t>* rejected,
           std::function<void(std::vector<uint64_t>, absl::Status)> confirmed) override {
    std::vector<uint64_t> accepted;
    std::vector<natsMsg*> msgs;
    {
      absl::MutexLock lock(&mu_);
      Release(member, sequences, &accepted, &msgs, rejected);
      counters_.acknowledged += accepted.size();
      counters_.rejected += sequences.size() - accepted.size();
    }
    if (accepted.empty()) return;
    Post([this, accepted = std::move(accepted), msgs = std::move(msgs),
          confirmed = std::move(confirmed)]() mutable {
      // Pipelined, then one synchronous acknowledgement: the server handles
      // a connection's acknowledgements in order, so its answer to the last
      // confirms them all.
      absl::Status status;
      jsOptions o = nats_->Wait();
      for (size_t i = 0; i < msgs.size(); ++i) {
        natsStatus s = NATS_OK;
        if (i + 1 < msgs.size()) {
          s = natsMsg_Ack(msgs[i], &o);
        } else {
          jsErrCode jerr = static_cast<jsErrCode>(0);
          s = natsMsg_AckSync(msgs[i], &o, &jerr);
        }
        if (s != NATS_OK && status.ok()) {
          status = absl::UnavailableError(NatsError("the acknowledgement was not stored", s));
        }
        natsMsg_Destroy(msgs[i]);
      }
      confirmed(std::move(accepted), status);
    });
    Room();
  }

  void Nack(MemberId member, const std::vector<uint64_t>& sequences, absl::Duration delay,
            const std::string& reason, std::vector<uint64_t>* rejected) override {
    std::vector<uint64_t> accepted;
    std::vector<natsMsg*> msgs;
    {
      absl::MutexLock lock(&mu_);
      Release(member, sequences, &accepted, &msgs, rejected);
      counters_.negative_acknowledgements += accepted.size();
      counters_.rejected += sequences.size() - accepted.size();
    }
    if (accepted.empty()) return;
    Post([this, accepted, msgs, delay, reason] {
      // The reason first, so that whoever gets the next delivery finds it.
      for (uint64_t sequence : accepted) RecordNack(sequence, reason);
      for (natsMsg* msg : msgs) {
        if (delay > absl::ZeroDuration()) {
          natsMsg_NakWithDelay(msg, absl::ToInt64Milliseconds(delay), nullptr);
        } else {
          natsMsg_Nak(msg, nullptr);
        }
        natsMsg_Destroy(msg);
      }
    });
    Room();
  }

  void Extend(MemberId member, const std::vector<uint64_t>& sequences,
              std::vector<uint64_t>* rejected) override {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + options().policy.ack_deadline;
    for (uint64_t sequence : sequences) {
      auto it = held_.find(sequence);
      if (it == held_.end() || it->second.member != member || !it->second.delivered) {
        rejected->push_back(sequence);
        ++counters_.rejected;
        continue;
      }
      natsMsg_InProgress(it->second.msg, nullptr);
      it->second.deadline = deadline;
    }
  }

  void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) override {
    Post([this, ack_floor, done = std::move(done)] {
      DropHeld();
      v1::ConsumerConfig config;
      config.ParseFromString(config_);
      const std::string description = absl::Base64Escape(config_);
      const std::string filter = Filter();
      jsConsumerConfig c = DurableConfig(durable_, description, filter, options().policy);
      c.DeliverPolicy = ack_floor == 0 ? js_DeliverAll : js_DeliverByStartSequence;
      c.OptStartSeq = ack_floor == 0 ? 0 : ack_floor + 1;
      jsErrCode jerr = static_cast<jsErrCode>(0);
      jsOptions o = nats_->Wait();
      js_DeleteConsumer(nats_->js, nats_->options.stream.c_str(), durable_.c_str(), &o, &jerr);
      jsConsumerInfo* info = nullptr;
      natsStatus s = js_AddConsumer(&info, nats_->js, nats_->options.stream.c_str(), &c, &o, &jerr);
      if (info != nullptr) jsConsumerInfo_Destroy(info);
      done(s == NATS_OK ? absl::OkStatus()
                        : absl::UnavailableError(NatsError("cannot move the consumer", s)));
    });
  }

  std::vector<std::pair<uint64_t, StoredDeadLetter>> DeadLetters(uint64_t after,
                                                                 size_t max) override {
    std::vector<std::pair<uint64_t, StoredDeadLetter>> out;
    for (uint64_t sequence : DeadSequences()) {
      if (sequence <= after) continue;
      if (out.size() >= max) break;
      kvEntry* entry = nullptr;
      if (kvStore_Get(&entry, nats_->dead, Key(name(), sequence).c_str()) != NATS_OK) continue;
      v1::DeadLetter letter;
      letter.ParseFromArray(kvEntry_Value(entry), kvEntry_ValueLen(entry));
      kvEntry_Destroy(entry);
      out.emplace_back(sequence, FromProto(letter));
    }
    return out;
  }

  void Redrive(const std::vector<uint64_t>& sequences,
               std::function<void(uint64_t, absl::Status)> done) override {
    Post([this, sequences, done = std::move(done)] {
      std::vector<uint64_t> chosen;
      const std::vector<uint64_t> dead = DeadSequences();
      if (sequences.empty()) {
        chosen = dead;
      } else {
        for (uint64_t s : sequences) {
          if (std::binary_search(dead.begin(), dead.end(), s)) chosen.push_back(s);
        }
      }
      uint64_t redriven = 0;
      absl::Status status;
      jsOptions o = nats_->Wait();
      for (uint64_t sequence : chosen) {
        natsMsg* stored = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        natsStatus s =
            js_GetMsg(&stored, nats_->js, nats_->options.stream.c_str(), sequence, &o, &jerr);
        if (s == NATS_OK) {
          // The stored event again, under this consumer's redrive subject.
          natsMsg* copy = nullptr;
          s = natsMsg_Create(&copy, redrive_subject_.c_str(), nullptr, natsMsg_GetData(stored),
                             natsMsg_GetDataLength(stored));
          const char* bytes = nullptr;
          if (s == NATS_OK) s = natsMsgHeader_Get(stored, kEventBytesHeader, &bytes);
          if (s == NATS_OK) s = natsMsgHeader_Set(copy, kEventBytesHeader, bytes);
          const std::string seq = absl::StrCat(sequence);
          if (s == NATS_OK) s = natsMsgHeader_Set(copy, kSequenceHeader, seq.c_str());
          jsPubAck* ack = nullptr;
          if (s == NATS_OK) s = js_PublishMsg(&ack, nats_->js, copy, nullptr, &jerr);
          if (ack != nullptr) jsPubAck_Destroy(ack);
          if (copy != nullptr) natsMsg_Destroy(copy);
          natsMsg_Destroy(stored);
        }
        if (s == NATS_NOT_FOUND) {
          // Retention removed the event: nothing to deliver, the letter stays.
          continue;
        }
        if (s != NATS_OK) {
          status = absl::UnavailableError(NatsError("cannot redrive", s));
          break;
        }
        kvStore_Delete(nats_->dead, Key(name(), sequence).c_str());
        ++redriven;
      }
      done(redriven, status);
    });
  }

  Stats stats() override {
    Stats stats;
    {
      absl::MutexLock lock(&mu_);
      stats.counters = counters_;
      stats.group.members = static_cast<uint32_t>(members_.size());
    }
    absl::StatusOr<jsConsumerInfo*> info = nats_->Info(nats_->options.stream, durable_);
    if (info.ok()) {
      stats.group.ack_floor = (*info)->AckFloor.Stream;
      stats.group.scan_position = (*info)->Delivered.Stream;
      stats.group.outstanding = static_cast<uint64_t>((*info)->NumAckPending);
      stats.group.pending = (*info)->NumPending + stats.group.outstanding;
      stats.group.redeliveries = static_cast<uint64_t>((*info)->NumRedelivered);
      jsConsumerInfo_Destroy(*info);
    }
    absl::StatusOr<jsConsumerInfo*> redrive = nats_->Info(nats_->redrive_stream, durable_);
    if (redrive.ok()) {
      stats.group.pending +=
          (*redrive)->NumPending + static_cast<uint64_t>((*redrive)->NumAckPending);
      jsConsumerInfo_Destroy(*redrive);
    }
    if (stats.group.pending > 0) {
      // The first message after the ack floor was appended at or before the
      // oldest pending event.
      natsMsg* next = nullptr;
      jsOptions o = nats_->Wait();
      if (js_GetMsg(&next, nats_->js, nats_->options.stream.c_str(), stats.group.ack_floor + 1, &o,
                    nullptr) == NATS_OK) {
        stats.group.oldest_pending_appended_at = absl::FromUnixNanos(natsMsg_GetTime(next));
        natsMsg_Destroy(next);
      }
    }
    stats.group.dead_letters = DeadSequences().size();
    return stats;
  }

  std::vector<MemberInfo> Members() override {
    absl::MutexLock lock(&mu_);
    std::vector<MemberInfo> out;
    for (const auto& [id, m] : members_) {
      out.push_back(m.info);
      out.back().outstanding = 0;
    }
    for (const auto& [sequence, held] : held_) {
      if (!held.delivered) continue;
      size_t index = 0;
      for (const auto& [id, m] : members_) {
        if (id == held.member) ++out[index].outstanding;
        ++index;
      }
    }
    return out;
  }

  std::vector<GapNotice> TakeGaps(MemberId member) override { return {}; }

  void MarkDeleted(std::function<void()> on_destroy) override {
    std::vector<std::function<void()>> wakes;
    {
      absl::MutexLock lock(&mu_);
      deleted_ = true;
      on_destroy_ = std::move(on_destroy);
      for (const auto& [id, m] : members_) wakes.push_back(m.wake);
    }
    for (const auto& wake : wakes) wake();
  }

  // Whether NATS says this durable is gone (another replica deleted it).
  void NoteDeleted() { MarkDeleted(nullptr); }

  // Asks the threads to end (the destructor waits for them).
  void BeginStop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }

 private:
  struct Member {
    MemberInfo info;
    std::function<void()> wake;
    std::deque<ConsumerGroup::Delivery> ready;  // pulled for it, not taken yet
    size_t held = 0;                            // its entries in held_ (ready or delivered)
  };
  struct Held {
    MemberId member = 0;
    natsMsg* msg = nullptr;
    bool delivered = false;  // taken by the member's stream
    absl::Time deadline = absl::InfiniteFuture();
  };

  std::string Filter() const {
    return JetStreamLog::SelectorSubject(nats_->options.subject_prefix,
                                         options().filter.Selector());
  }

  // Takes `sequences` back from `member`: the accepted ones' messages.
  void Release(MemberId member, const std::vector<uint64_t>& sequences,
               std::vector<uint64_t>* accepted, std::vector<natsMsg*>* msgs,
               std::vector<uint64_t>* rejected) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (uint64_t sequence : sequences) {
      auto it = held_.find(sequence);
      if (it == held_.end() || it->second.member != member || !it->second.delivered) {
        rejected->push_back(sequence);
        continue;
      }
      accepted->push_back(sequence);
      msgs->push_back(it->second.msg);
      EraseHeldLocked(it);
    }
  }

  // Erases a held message, keeping its member's count.
  std::map<uint64_t, Held>::iterator EraseHeldLocked(std::map<uint64_t, Held>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (auto m = members_.find(it->second.member); m != members_.end()) --m->second.held;
    return held_.erase(it);
  }

  // What `member` may still be given.
  size_t RoomOf(const Member& member) const {
    const size_t limit = options().policy.max_outstanding;
    return member.held < limit ? limit - member.held : 0;
  }

  // Members may have room again: releasing the lock has the puller's
  // condition looked at again.
  void Room() { absl::MutexLock lock(&mu_); }

  void Post(std::function<void()> job) {
    absl::MutexLock lock(&mu_);
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
    jobs_.push_back(std::move(job));
  }

  // Room for more pulled messages over all members here.
  size_t RoomLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t room = 0;
    for (const auto& [id, m] : members_) room += RoomOf(m);
    return room;
  }

  void DropHeld() {
    std::vector<natsMsg*> drop;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [sequence, held] : held_) drop.push_back(held.msg);
      held_.clear();
      for (auto& [id, m] : members_) {
        m.ready.clear();
        m.held = 0;
      }
      retire_ = true;
    }
    for (natsMsg* msg : drop) natsMsg_Destroy(msg);
  }

  // Sorted sequences of this consumer's dead letters.
  std::vector<uint64_t> DeadSequences() {
    std::vector<uint64_t> out;
    kvKeysList keys = {nullptr, 0};
    if (kvStore_Keys(&keys, nats_->dead, nullptr) != NATS_OK) return out;
    for (int i = 0; i < keys.Count; ++i) {
      uint64_t sequence = 0;
      if (ParseKey(keys.Keys[i], name(), &sequence)) out.push_back(sequence);
    }
    kvKeysList_Destroy(&keys);
    std::sort(out.begin(), out.end());
    return out;
  }

  v1::DeadLetter NackRecord(uint64_t sequence) {
    v1::DeadLetter record;
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, nats_->nacks, Key(name(), sequence).c_str()) == NATS_OK) {
      record.ParseFromArray(kvEntry_Value(entry), kvEntry_ValueLen(entry));
      kvEntry_Destroy(entry);
    }
    return record;
  }

  void RecordNack(uint64_t sequence, const std::string& reason) {
    v1::DeadLetter record = NackRecord(sequence);
    record.set_negative_acknowledgements(record.negative_acknowledgements() + 1);
    if (!reason.empty()) record.set_last_reason(reason);
    const std::string value = record.SerializeAsString();
    uint64_t revision = 0;
    kvStore_Put(&revision, nats_->nacks, Key(name(), sequence).c_str(), value.data(),
                static_cast<int>(value.size()));
  }

  // Worker: `msg` (event `sequence`, delivered `deliveries` times) is
  // dead; recorded, then ended on its stream.
  void Bury(uint64_t sequence, uint64_t deliveries, natsMsg* msg, bool redriven) {
    const v1::DeadLetter nacks = NackRecord(sequence);
    StoredDeadLetter letter;
    letter.deliveries = static_cast<uint32_t>(deliveries);
    letter.negative_acknowledgements = nacks.negative_acknowledgements();
    letter.deadline_expiries = letter.deliveries > letter.negative_acknowledgements
                                   ? letter.deliveries - letter.negative_acknowledgements
                                   : 0;
    letter.last_reason = nacks.last_reason();
    letter.dead_at = absl::Now();
    const std::string value = ToProto(letter).SerializeAsString();
    uint64_t revision = 0;
    if (kvStore_Put(&revision, nats_->dead, Key(name(), sequence).c_str(), value.data(),
                    static_cast<int>(value.size())) != NATS_OK) {
      // Not recorded: left to come back and be buried again.
      natsMsg_Destroy(msg);
      return;
    }
    kvStore_Purge(nats_->nacks, Key(name(), sequence).c_str(), nullptr);
    jsOptions o = nats_->Wait();
    if (redriven) {
      natsMsg_AckSync(msg, &o, nullptr);  // out of the work queue
    } else {
      natsMsg_Term(msg, &o);
    }
    natsMsg_Destroy(msg);
    absl::MutexLock lock(&mu_);
    ++counters_.dead_lettered;
  }

  void Work() {
    for (;;) {
      std::function<void()> job;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !jobs_.empty(); };
        mu_.Await(absl::Condition(&ready));
        if (jobs_.empty()) return;  // stopping, nothing left
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  // Binds a pull subscription to the durable `durable_` on `stream`.
  natsSubscription* Subscribe(const std::string& stream, const std::string& subject,
                              natsStatus* status) {
    jsSubOptions sub_opts;
    jsSubOptions_Init(&sub_opts);
    sub_opts.Stream = stream.c_str();
    sub_opts.Consumer = durable_.c_str();
    sub_opts.ManualAck = true;
    jsOptions js_opts;
    jsOptions_Init(&js_opts);
    js_opts.Wait = std::min(kBindWaitMs, absl::ToInt64Milliseconds(nats_->options.request_timeout));
    natsSubscription* sub = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    *status = js_PullSubscribe(&sub, nats_->js, subject.c_str(), durable_.c_str(), &js_opts,
                               &sub_opts, &jerr);
    if (*status != NATS_OK) return nullptr;
    absl::MutexLock lock(&mu_);
    subscriptions_.push_back(sub);
    return sub;
  }

  // Hands pulled messages to the members with room.
  void Deliver(natsMsgList* list, bool redriven) {
    std::vector<std::function<void()>> wakes;
    for (int i = 0; i < list->Count; ++i) {
      natsMsg* msg = list->Msgs[i];
      list->Msgs[i] = nullptr;
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
        natsMsg_Destroy(msg);
        continue;
      }
      const uint64_t deliveries = meta->NumDelivered;
      uint64_t sequence = meta->Sequence.Stream;
      const absl::Time at = absl::FromUnixNanos(meta->Timestamp);
      jsMsgMetaData_Destroy(meta);
      const char* original = nullptr;
      if (redriven && (natsMsgHeader_Get(msg, kSequenceHeader, &original) != NATS_OK ||
                       !absl::SimpleAtoi(original, &sequence))) {
        natsMsg_AckSync(msg, nullptr, nullptr);
        natsMsg_Destroy(msg);
        continue;
      }
      absl::StatusOr<std::shared_ptr<LogRecord>> record =
          RecordFromStoredMessage(msg, sequence, at);
      if (!record.ok() || !options().filter.Matches(**record)) {
        // Not an event of this consumer (the subject filter is wider than
        // its filter): done with it.
        natsMsg_Ack(msg, nullptr);
        natsMsg_Destroy(msg);
        continue;
      }
      const uint32_t max = options().policy.max_deliveries;
      if (max > 0 && deliveries > max) {
        Post([this, sequence, deliveries, msg, redriven] {
          Bury(sequence, deliveries - 1, msg, redriven);
        });
        continue;
      }
      absl::MutexLock lock(&mu_);
      // The member with the most room.
      MemberId best = 0;
      size_t best_room = 0;
      for (const auto& [id, m] : members_) {
        const size_t room = RoomOf(m);
        if (room > best_room) {
          best = id;
          best_room = room;
        }
      }
      if (best == 0) {
        natsMsg_Nak(msg, nullptr);  // nobody here wants it now
        natsMsg_Destroy(msg);
        continue;
      }
      if (auto old = held_.find(sequence); old != held_.end()) {
        // Redelivered by JetStream after the deadline: the new delivery
        // replaces the old one.
        natsMsg_Destroy(old->second.msg);
        EraseHeldLocked(old);
      }
      held_[sequence] = Held{best, msg, false, absl::InfiniteFuture()};
      ++members_[best].held;
      members_[best].ready.push_back(ConsumerGroup::Delivery{
          std::const_pointer_cast<const LogRecord>(*record), static_cast<uint32_t>(deliveries)});
      wakes.push_back(members_[best].wake);
    }
    for (const auto& wake : wakes) wake();
  }

  // Events held past their deadline go back (JetStream redelivers them
  // after AckWait, here or on another replica).
  void ExpireHeld() {
    std::vector<natsMsg*> expired;
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->second.delivered && it->second.deadline <= now) {
        expired.push_back(it->second.msg);
        it = EraseHeldLocked(it);
      } else {
        ++it;
      }
    }
    for (natsMsg* msg : expired) natsMsg_Destroy(msg);
  }

  void Pull() {
    natsSubscription* main = nullptr;
    natsSubscription* redrive = nullptr;
    absl::Time next_redrive = absl::InfinitePast();
    bool idle = true;
    int missing = 0;  // pulls that found the durable gone
    for (;;) {
      size_t room = 0;
      {
        absl::MutexLock lock(&mu_);
        auto wanted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || (!deleted_ && !members_.empty() && RoomLocked() > 0);
        };
        mu_.AwaitWithTimeout(absl::Condition(&wanted), absl::Milliseconds(kPullWaitMs));
        if (stopping_) return;
        if (retire_) {
          main = nullptr;  // the durable was replaced: bind again
          redrive = nullptr;
          retire_ = false;
        }
        if (deleted_ || members_.empty()) continue;
        room = RoomLocked();
      }
      ExpireHeld();
      if (room == 0) continue;
      natsStatus s = NATS_OK;
      if (main == nullptr) {
        main = Subscribe(nats_->options.stream, Filter(), &s);
        if (main == nullptr) {
          if (s == NATS_NOT_FOUND && ++missing >= 2) {
            NoteDeleted();
          } else {
            SetFailure(absl::UnavailableError(NatsError("cannot pull from the consumer", s)));
          }
          absl::SleepFor(absl::Milliseconds(kPullWaitMs));
          continue;
        }
        // Bound: the durable is there and its server answers (also after a
        // leader change, with nothing new to pull).
        ClearFailure();
        missing = 0;
      }
      if (absl::Now() >= next_redrive) {
        next_redrive = absl::Now() + kRedriveInterval;
        if (redrive == nullptr) redrive = Subscribe(nats_->redrive_stream, redrive_subject_, &s);
        if (redrive != nullptr) {
          natsMsgList list = {nullptr, 0};
          jsFetchRequest request;
          jsFetchRequest_Init(&request);
          request.Batch = static_cast<int>(std::min<size_t>(room, kMaxPull));
          request.NoWait = true;
          if (natsSubscription_FetchRequest(&list, redrive, &request) == NATS_OK) {
            Deliver(&list, /*redriven=*/true);
          }
          natsMsgList_Destroy(&list);
        }
      }
      // After an empty pull, wait for one message (returned as it comes),
      // then take what is there in bigger pulls.
      const int batch = idle ? 1 : static_cast<int>(std::min<size_t>(room, kMaxPull));
      natsMsgList list = {nullptr, 0};
      jsErrCode jerr = static_cast<jsErrCode>(0);
      s = natsSubscription_Fetch(&list, main, batch, kPullWaitMs, &jerr);
      if (s == NATS_TIMEOUT && natsConnection_Status(nats_->conn) != NATS_CONN_STATUS_CONNECTED) {
        // A pull made while the connection is down waits in the client's
        // reconnect buffer and only times out: NATS is unreachable, and the
        // members are told so (as when the disconnection fails the pull)
        // rather than left waiting without a word.
        s = NATS_CONNECTION_DISCONNECTED;
      }
      idle = s == NATS_TIMEOUT;
      if (s == NATS_OK) {
        ClearFailure();
        Deliver(&list, /*redriven=*/false);
      } else if (s != NATS_TIMEOUT) {
        // The durable may have been replaced (a seek) or deleted elsewhere,
        // or NATS is unreachable: bind again next round.
        main = nullptr;
        if (s != NATS_NOT_FOUND && jerr != JSConsumerNotFoundErr) {
          SetFailure(absl::UnavailableError(NatsError("cannot pull from the consumer", s)));
        }
      }
      natsMsgList_Destroy(&list);
    }
  }

  void SetFailure(absl::Status status) {
    std::vector<std::function<void()>> wakes;
    {
      absl::MutexLock lock(&mu_);
      failure_ = std::move(status);
      for (const auto& [id, m] : members_) wakes.push_back(m.wake);
    }
    for (const auto& wake : wakes) wake();
  }
  void ClearFailure() {
    absl::MutexLock lock(&mu_);
    failure_ = absl::OkStatus();
  }

  const std::shared_ptr<JetStreamConsumerSet::Nats> nats_;
  const std::string config_;
  const std::string durable_;
  const std::string redrive_subject_;

  absl::Mutex mu_;
  std::map<MemberId, Member> members_ ABSL_GUARDED_BY(mu_);
  MemberId next_member_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Held> held_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<natsSubscription*> subscriptions_ ABSL_GUARDED_BY(mu_);
  Counters counters_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool retire_ ABSL_GUARDED_BY(mu_) = false;
  bool deleted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> on_destroy_ ABSL_GUARDED_BY(mu_);
  std::thread puller_ ABSL_GUARDED_BY(mu_);
  std::thread worker_ ABSL_GUARDED_BY(mu_);
};

// ---- the set -------------------------------------------------------------

absl::StatusOr<std::unique_ptr<JetStreamConsumerSet>> JetStreamConsumerSet::Open(
    const JetStreamLog::Options& options, EventLog* log) {
  auto nats = std::make_shared<Nats>();
  nats->options = options;
  nats->redrive_stream = absl::StrCat(options.stream, "_REDRIVE");
  nats->redrive_prefix = absl::StrCat(options.subject_prefix, "_redrive");
  natsOptions* opts = nullptr;
  HB_ASSIGN_OR_RETURN(
      opts,
      NewNatsOptions(options, absl::StrCat(options.connection_name, "-consumers"), "consumers"));
  natsStatus s = natsConnection_Connect(&nats->conn, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    nats->conn = nullptr;
    return absl::UnavailableError(NatsError(absl::StrCat("cannot connect to ", options.url), s));
  }
  jsOptions js_opts = nats->Wait();
  s = natsConnection_JetStream(&nats->js, nats->conn, &js_opts);
  if (s != NATS_OK) return absl::UnavailableError(NatsError("cannot use JetStream", s));
  HB_RETURN_IF_ERROR(nats->EnsureRedriveStream());
  HB_RETURN_IF_ERROR(nats->OpenBucket(absl::StrCat(options.stream, "_DEAD"),
                                      absl::InfiniteDuration(), &nats->dead));
  HB_RETURN_IF_ERROR(
      nats->OpenBucket(absl::StrCat(options.stream, "_NACKS"), kNackReasonTtl, &nats->nacks));
  return std::unique_ptr<JetStreamConsumerSet>(new JetStreamConsumerSet(std::move(nats), log));
}

JetStreamConsumerSet::JetStreamConsumerSet(std::shared_ptr<Nats> nats, EventLog* log)
    : nats_(std::move(nats)), log_(log) {}

JetStreamConsumerSet::~JetStreamConsumerSet() {
  std::map<std::string, std::shared_ptr<JetStreamConsumer>> cache;
  {
    absl::MutexLock lock(&mu_);
    cache.swap(cache_);
  }
  // All pullers told first: each may be waiting for a pull to return.
  for (auto& [name, consumer] : cache) consumer->BeginStop();
}

absl::Status JetStreamConsumerSet::CheckSupported(const v1::ConsumerConfig& config) {
  if (config.ordering() == v1::CONSUMER_ORDERING_PER_SUBJECT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", config.name(),
        ": ordering: per_subject is not available with the jetstream log backend (JetStream "
        "cannot hold one event per subject outstanding across the replicas' members); use "
        "ordering: none, or the file backend"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<JetStreamConsumer>> JetStreamConsumerSet::Load(
    const std::string& name) {
  absl::StatusOr<jsConsumerInfo*> info = nats_->Info(nats_->options.stream, Durable(name));
  if (!info.ok()) {
    absl::MutexLock lock(&mu_);
    if (auto it = cache_.find(name); it != cache_.end() && absl::IsNotFound(info.status())) {
      it->second->NoteDeleted();
      cache_.erase(it);
    }
    if (absl::IsNotFound(info.status())) return nullptr;
    return info.status();
  }
  std::string config_bytes;
  const char* description = (*info)->Config->Description;
  const bool ours = description != nullptr && absl::Base64Unescape(description, &config_bytes);
  jsConsumerInfo_Destroy(*info);
  v1::ConsumerConfig config;
  if (!ours || !config.ParseFromString(config_bytes) || config.name() != name) return nullptr;
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(name);
  if (it != cache_.end() && it->second->config() == config_bytes) return it->second;
  if (it != cache_.end()) {
    // Deleted and created again with another config elsewhere.
    it->second->NoteDeleted();
    cache_.erase(it);
  }
  auto consumer = std::make_shared<JetStreamConsumer>(nats_, config);
  cache_.emplace(name, consumer);
  return consumer;
}

absl::StatusOr<std::shared_ptr<Consumer>> JetStreamConsumerSet::Create(
    const v1::ConsumerConfig& config, bool declared) {
  HB_RETURN_IF_ERROR(ValidateConsumerConfig(config));
  HB_RETURN_IF_ERROR(CheckSupported(config));
  std::shared_ptr<JetStreamConsumer> existing;
  HB_ASSIGN_OR_RETURN(existing, Load(config.name()));
  const std::string bytes = SerializedConfig(config);
  if (existing != nullptr) {
    if (existing->config() != bytes) {
      return absl::AlreadyExistsError(absl::StrCat(
          "consumer ", config.name(),
          declared ? " exists with another config; a declared consumer's config cannot change "
                     "(delete it first, or give the new one another name)"
                   : " exists with another config"));
    }
    if (declared) {
      absl::MutexLock lock(&mu_);
      declared_.insert(config.name());
    }
    return std::shared_ptr<Consumer>(existing);
  }
  {
    absl::MutexLock lock(&mu_);
    if (cache_.size() >= kMaxConsumers) {
      return absl::ResourceExhaustedError(
          absl::StrCat("there are ", cache_.size(), " consumers, the most a server keeps"));
    }
  }
  const LogStats log_stats = log_->Stats();
  const std::string durable = Durable(config.name());
  const std::string description = absl::Base64Escape(bytes);
  const Consumer::Options options = ConsumerOptions(config);
  const std::string filter =
      JetStreamLog::SelectorSubject(nats_->options.subject_prefix, options.filter.Selector());
  jsConsumerConfig c =
      JetStreamConsumer::DurableConfig(durable, description, filter, options.policy);
  switch (config.start_case()) {
    case v1::ConsumerConfig::kEarliest:
      c.DeliverPolicy = js_DeliverAll;
      break;
    case v1::ConsumerConfig::kAfterSequence:
      if (config.after_sequence() > log_stats.last_sequence) {
        return absl::OutOfRangeError(absl::StrCat("after_sequence: ", config.after_sequence(),
                                                  " is beyond the last sequence in the log (",
                                                  log_stats.last_sequence, ")"));
      }
      c.DeliverPolicy = config.after_sequence() == 0 ? js_DeliverAll : js_DeliverByStartSequence;
      c.OptStartSeq = config.after_sequence() + 1;
      break;
    case v1::ConsumerConfig::kSince:
      c.DeliverPolicy = js_DeliverByStartTime;
      c.OptStartTime = config.since().seconds() * 1000000000 + config.since().nanos();
      break;
    default:
      c.DeliverPolicy = js_DeliverNew;
      break;
  }
  jsOptions o = nats_->Wait();
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&info, nats_->js, nats_->options.stream.c_str(), &c, &o, &jerr);
  if (info != nullptr) jsConsumerInfo_Destroy(info);
  if (s != NATS_OK) {
    return absl::UnavailableError(
        NatsError(absl::StrCat("cannot create consumer ", config.name()), s));
  }
  // Its redrive durable, on the work-queue stream.
  const std::string redrive_filter = absl::StrCat(nats_->redrive_prefix, ".", durable);
  jsConsumerConfig r =
      JetStreamConsumer::DurableConfig(durable, description, redrive_filter, options.policy);
  r.DeliverPolicy = js_DeliverAll;
  s = js_AddConsumer(&info, nats_->js, nats_->redrive_stream.c_str(), &r, &o, &jerr);
  if (info != nullptr) jsConsumerInfo_Destroy(info);
  if (s != NATS_OK) {
    return absl::UnavailableError(
        NatsError(absl::StrCat("cannot create the redrive consumer of ", config.name()), s));
  }
  if (declared) {
    absl::MutexLock lock(&mu_);
    declared_.insert(config.name());
  }
  std::shared_ptr<JetStreamConsumer> created;
  HB_ASSIGN_OR_RETURN(created, Load(config.name()));
  if (created == nullptr) {
    return absl::UnavailableError(absl::StrCat("consumer ", config.name(), " vanished"));
  }
  return std::shared_ptr<Consumer>(created);
}

std::shared_ptr<Consumer> JetStreamConsumerSet::Find(const std::string& name) {
  absl::StatusOr<std::shared_ptr<JetStreamConsumer>> consumer = Load(name);
  if (consumer.ok()) return *consumer;
  // NATS unreachable: what this replica knows.
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(name);
  return it == cache_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Consumer>> JetStreamConsumerSet::List() {
  std::vector<std::string> names;
  jsConsumerNamesList* list = nullptr;
  jsOptions o = nats_->Wait();
  if (js_ConsumerNames(&list, nats_->js, nats_->options.stream.c_str(), &o, nullptr) == NATS_OK) {
    for (int i = 0; i < list->Count; ++i) {
      if (absl::StartsWith(list->List[i], "hb_")) names.emplace_back(list->List[i]);
    }
    jsConsumerNamesList_Destroy(list);
  } else {
    absl::MutexLock lock(&mu_);
    std::vector<std::shared_ptr<Consumer>> cached;
    for (const auto& [name, consumer] : cache_) cached.push_back(consumer);
    return cached;
  }
  std::map<std::string, std::shared_ptr<Consumer>> found;
  for (const std::string& durable : names) {
    absl::StatusOr<jsConsumerInfo*> info = nats_->Info(nats_->options.stream, durable);
    if (!info.ok()) continue;
    std::string config_bytes;
    const char* description = (*info)->Config->Description;
    v1::ConsumerConfig config;
    const bool ours = description != nullptr && absl::Base64Unescape(description, &config_bytes) &&
                      config.ParseFromString(config_bytes);
    jsConsumerInfo_Destroy(*info);
    if (!ours) continue;
    absl::StatusOr<std::shared_ptr<JetStreamConsumer>> consumer = Load(config.name());
    if (consumer.ok() && *consumer != nullptr) found.emplace(config.name(), *consumer);
  }
  std::vector<std::shared_ptr<Consumer>> out;
  for (auto& [name, consumer] : found) out.push_back(std::move(consumer));
  return out;
}

absl::Status JetStreamConsumerSet::Delete(const std::string& name) {
  if (IsDeclared(name)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", name, " is declared in the config: remove it from `consumers:` instead"));
  }
  std::shared_ptr<JetStreamConsumer> consumer;
  HB_ASSIGN_OR_RETURN(consumer, Load(name));
  if (consumer == nullptr) return absl::NotFoundError(absl::StrCat("no consumer ", name));
  const std::string durable = Durable(name);
  jsOptions o = nats_->Wait();
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s =
      js_DeleteConsumer(nats_->js, nats_->options.stream.c_str(), durable.c_str(), &o, &jerr);
  if (s != NATS_OK && s != NATS_NOT_FOUND) {
    return absl::UnavailableError(NatsError(absl::StrCat("cannot delete consumer ", name), s));
  }
  js_DeleteConsumer(nats_->js, nats_->redrive_stream.c_str(), durable.c_str(), &o, &jerr);
  // Its dead letters go with it.
  kvKeysList keys = {nullptr, 0};
  if (kvStore_Keys(&keys, nats_->dead, nullptr) == NATS_OK) {
    for (int i = 0; i < keys.Count; ++i) {
      uint64_t sequence = 0;
      if (ParseKey(keys.Keys[i], name, &sequence))
        kvStore_Purge(nats_->dead, keys.Keys[i], nullptr);
    }
    kvKeysList_Destroy(&keys);
  }
  consumer->MarkDeleted(nullptr);
  absl::MutexLock lock(&mu_);
  cache_.erase(name);
  return absl::OkStatus();
}

bool JetStreamConsumerSet::IsDeclared(const std::string& name) {
  absl::MutexLock lock(&mu_);
  return declared_.count(name) > 0;
}

absl::Status JetStreamConsumerSet::Declare(const std::vector<v1::ConsumerConfig>& declared) {
  for (const v1::ConsumerConfig& config : declared) {
    HB_RETURN_IF_ERROR(ValidateConsumerConfig(config));
    HB_RETURN_IF_ERROR(CheckSupported(config));
    std::shared_ptr<JetStreamConsumer> existing;
    HB_ASSIGN_OR_RETURN(existing, Load(config.name()));
    if (existing != nullptr && existing->config() != SerializedConfig(config)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "consumers: ", config.name(),
          " exists with another config; a declared consumer's config cannot change (give the "
          "new one another name, or delete the old one after removing it from the config)"));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    declared_.clear();
  }
  for (const v1::ConsumerConfig& config : declared) {
    HB_RETURN_IF_ERROR(Create(config, /*declared=*/true).status());
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
