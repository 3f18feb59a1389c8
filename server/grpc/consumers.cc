// The durable consumers' side of EventBridgeService: the Consume stream
// (one ConsumeReactor per member) and the consumer RPCs.
#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bridge/check.h"
#include "bridge/cloudevents.h"
#include "bridge/error_info.h"
#include "bridge/status_macros.h"
#include "server/grpc/event_bridge_service.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

void ReleaseRecord(void* record) { delete static_cast<RecordPtr*>(record); }
void ReleaseString(void* bytes) { delete static_cast<std::string*>(bytes); }

// A slice that owns `bytes` (moved, not copied) until gRPC is done with it.
grpc::Slice SliceOwning(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  return grpc::Slice(owned->data(), owned->size(), &ReleaseString, owned);
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(time);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::Duration FromDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// The sequences of an Acknowledge (ranges expanded, at most `limit`).
std::vector<uint64_t> Expand(const google::protobuf::RepeatedField<uint64_t>& sequences,
                             const google::protobuf::RepeatedPtrField<v1::SequenceRange>& ranges,
                             size_t limit) {
  std::vector<uint64_t> out(sequences.begin(), sequences.end());
  for (const v1::SequenceRange& range : ranges) {
    for (uint64_t s = range.first(); s <= range.last() && out.size() < limit; ++s) {
      out.push_back(s);
      if (s == UINT64_MAX) break;
    }
  }
  return out;
}

}  // namespace

// One member of a consumer's group: reads the member's requests, writes
// events, acknowledgement confirmations and rejections. Discipline as in
// SubscribeReactor: one write in flight, one Finish, OnDone deletes.
//
// The state that other threads reach (the consumer's wake-ups, the
// journal's confirmations) is in a Shared, which outlives the reactor:
// `reactor` is cleared in OnDone under `mu`, so a late callback finds
// nothing to do. Lock order: Shared::mu, then the consumer's lock. Calls
// into the consumer that may call back (Ack, Nack, Leave) are made
// without Shared::mu.
//
// Take, which may read the log, runs on the service's ReadPool (TakeStep),
// one at a time per member and without Shared::mu, as SubscribeReactor's
// reads do; the reactor is deleted by whichever of OnDone and the last
// TakeStep ends later.
class ConsumeReactor : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  struct Shared {
    absl::Mutex mu;
    ConsumeReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
  };

  ConsumeReactor(EventBridgeService* service, grpc::CallbackServerContext* context)
      : service_(service),
        context_(context),
        peer_(context->peer()),
        shared_(std::make_shared<Shared>()) {
    absl::MutexLock lock(&shared_->mu);
    shared_->reactor = this;
    StartRead(&in_);
  }

  const std::string& peer() const { return peer_; }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the member is done sending: it leaves
      absl::MutexLock lock(&shared_->mu);
      reads_done_ = true;
      Pump();
      return;
    }
    v1::ConsumeRequest request;
    grpc::ByteBuffer copy = in_;
    if (!grpc::SerializationTraits<v1::ConsumeRequest>::Deserialize(&copy, &request).ok()) {
      End(absl::InvalidArgumentError("ConsumeRequest could not be parsed"));
      return;
    }
    if (consumer_ == nullptr) {
      Start(request);
    } else {
      Handle(request);
    }
    absl::MutexLock lock(&shared_->mu);
    if (!finished_) StartRead(&in_);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&shared_->mu);
    write_in_flight_ = false;
    in_flight_.clear();
    if (!ok) return FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&shared_->mu);
    cancelled_ = true;
    if (!write_in_flight_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    bool destroy = false;
    {
      absl::MutexLock lock(&shared_->mu);
      shared_->reactor = nullptr;
      done_ = true;
      destroy = !taking_;  // else TakeStep destroys it when it ends
    }
    if (destroy) Destroy();
  }

  // After OnDone, with no TakeStep queued or running.
  void Destroy() {
    if (consumer_ != nullptr) consumer_->Leave(member_);
    if (registered_) service_->UnregisterConsume(this, token_);
    delete this;
  }

  // On the read pool: the member's next events.
  void TakeStep() {
    std::vector<ConsumerGroup::Delivery> deliveries;
    bool more = false;
    const absl::Status taken =
        consumer_->Take(member_, kMaxBatchEvents, kMaxBatchBytes, &deliveries, &more);
    // The read may have found a gap: it goes before the events after it.
    std::vector<Consumer::GapNotice> gaps;
    if (taken.ok() && !deliveries.empty()) gaps = consumer_->TakeGaps(member_);
    // A member that asked for CloudEvents: converted here, without the lock.
    std::vector<std::string> converted;
    if (cloud_events_) {
      converted.reserve(deliveries.size());
      for (const ConsumerGroup::Delivery& d : deliveries) {
        converted.push_back(
            CloudEventBytes(*d.record, /*include_raw=*/false, service_->limits_.max_event_bytes));
      }
    }
    bool destroy = false;
    {
      absl::MutexLock lock(&shared_->mu);
      taking_ = false;
      if (done_) {
        destroy = true;
      } else {
        if (!taken.ok()) {
          if (end_.ok()) {
            end_ = taken.code() == absl::StatusCode::kNotFound
                       ? taken
                       : absl::UnavailableError(
                             absl::StrCat("the event log failed: ", taken.message()));
          }
        } else {
          gaps_.insert(gaps_.end(), gaps.begin(), gaps.end());
          held_ = std::move(deliveries);
          held_cloud_events_ = std::move(converted);
          if (!held_.empty() || more) want_take_ = true;
        }
        PumpInner();
      }
    }
    if (destroy) Destroy();
  }

  void BeginShutdown() {
    absl::MutexLock lock(&shared_->mu);
    shutting_down_ = true;
    Pump();
  }

  // Writes a Heartbeat (the log's head, the consumer's ack floor) if the
  // stream has been silent since `silent_since` and has nothing to write.
  void MaybeHeartbeat(absl::Time silent_since, uint64_t head) {
    absl::MutexLock lock(&shared_->mu);
    if (consumer_ == nullptr || finished_ || write_in_flight_ || cancelled_ || shutting_down_ ||
        !end_.ok() || last_write_ > silent_since) {
      return;
    }
    v1::ConsumeResponse response;
    const uint64_t floor = consumer_->stats().group.ack_floor;
    response.mutable_heartbeat()->set_resume_after(floor);
    response.mutable_heartbeat()->set_head_sequence(std::max(head, floor));
    WriteMessage(response);
  }

 private:
  // The first request: which consumer, as which member.
  void Start(const v1::ConsumeRequest& request) {
    if (!request.has_start() || request.start().consumer().empty()) {
      End(absl::InvalidArgumentError(
          "the first ConsumeRequest must be a start naming the consumer"));
      return;
    }
    if (absl::Status format = CheckEventFormat(request.start().format()); !format.ok()) {
      End(format);
      return;
    }
    absl::StatusOr<std::shared_ptr<Consumer>> consumer = service_->AuthorizedConsumer(
        context_, request.start().consumer(), /*manage=*/false, &token_);
    if (!consumer.ok()) {
      End(consumer.status());
      return;
    }
    if (absl::Status registered = service_->RegisterConsume(this, token_); !registered.ok()) {
      End(registered);
      return;
    }
    registered_ = true;
    std::weak_ptr<Shared> weak = shared_;
    const std::string member_name =
        request.start().member_id().empty() ? context_->peer() : request.start().member_id();
    const Consumer::MemberId member = (*consumer)->Join(member_name, [weak] {
      if (std::shared_ptr<Shared> shared = weak.lock()) {
        absl::MutexLock lock(&shared->mu);
        if (shared->reactor != nullptr) shared->reactor->Pump();
      }
    });
    {
      // Pumps before this found no consumer and did nothing: the caller
      // pumps next. The initial metadata goes first, before any write a
      // wake-up may start once consumer_ is set.
      absl::MutexLock lock(&shared_->mu);
      // The member's name: the client sees that its stream is established,
      // and which name the server chose when it gave none.
      context_->AddInitialMetadata("hookbridge-member-id", member_name);
      StartSendInitialMetadata();
      consumer_ = *std::move(consumer);
      member_ = member;
      cloud_events_ = request.start().format() == v1::EVENT_FORMAT_CLOUDEVENTS;
    }
    Log(LogLevel::kDebug, "consumer member joined",
        {{"consumer", consumer_->name()}, {"peer", context_->peer()}});
  }

  void Handle(const v1::ConsumeRequest& request) {
    std::vector<uint64_t> rejected;
    std::string why;
    switch (request.request_case()) {
      case v1::ConsumeRequest::kAck: {
        const std::vector<uint64_t> sequences =
            Expand(request.ack().sequences(), request.ack().ranges(), 100000);
        std::weak_ptr<Shared> weak = shared_;
        consumer_->Ack(member_, sequences, &rejected,
                       [weak](std::vector<uint64_t> accepted, absl::Status status) {
                         std::shared_ptr<Shared> shared = weak.lock();
                         if (shared == nullptr) return;
                         absl::MutexLock lock(&shared->mu);
                         ConsumeReactor* reactor = shared->reactor;
                         if (reactor == nullptr) return;
                         if (!status.ok()) {
                           reactor->end_ = absl::UnavailableError(absl::StrCat(
                               "acknowledgements could not be stored: ", status.message()));
                         } else {
                           reactor->confirmed_.insert(reactor->confirmed_.end(), accepted.begin(),
                                                      accepted.end());
                         }
                         reactor->Pump();
                       });
        why = "not outstanding at this member (already acknowledged, or redelivered elsewhere)";
        break;
      }
      case v1::ConsumeRequest::kNack:
        consumer_->Nack(member_,
                        std::vector<uint64_t>(request.nack().sequences().begin(),
                                              request.nack().sequences().end()),
                        FromDuration(request.nack().delay()), request.nack().reason(), &rejected);
        why = "negatively acknowledged but not outstanding at this member";
        break;
      case v1::ConsumeRequest::kExtend:
        consumer_->Extend(member_,
                          std::vector<uint64_t>(request.extend().sequences().begin(),
                                                request.extend().sequences().end()),
                          &rejected);
        why = "deadline extended but not outstanding at this member";
        break;
      default:
        End(
            absl::InvalidArgumentError("a ConsumeRequest after the first must be ack, nack or "
                                       "extend"));
        return;
    }
    if (!rejected.empty()) {
      absl::MutexLock lock(&shared_->mu);
      std::vector<uint64_t>& list = rejected_[why];
      list.insert(list.end(), rejected.begin(), rejected.end());
    }
  }

  void End(absl::Status status) {
    absl::MutexLock lock(&shared_->mu);
    if (end_.ok()) end_ = std::move(status);
    Pump();
  }

  // Something changed (a wake-up, a confirmation, a write done, a request):
  // the consumer may have events for the member now.
  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    want_take_ = true;
    PumpInner();
  }

  // Writes what is due, in this order: confirmations, rejections, events.
  void PumpInner() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    if (finished_ || write_in_flight_) return;
    if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
    if (!end_.ok()) return FinishLocked(ToGrpcStatus(end_));
    if (shutting_down_) {
      return FinishLocked(ToGrpcStatus(WithRetryDelay(
          absl::UnavailableError("server is shutting down; reconnect: unacknowledged events "
                                 "go to the other members or come back"),
          absl::Seconds(1))));
    }
    if (consumer_ == nullptr) {  // not started
      if (reads_done_) {
        FinishLocked(ToGrpcStatus(absl::InvalidArgumentError(
            "the stream ended before a ConsumeRequest named the consumer")));
      }
      return;
    }
    if (!confirmed_.empty()) {
      v1::ConsumeResponse response;
      for (uint64_t s : confirmed_) response.mutable_acknowledged()->add_sequences(s);
      confirmed_.clear();
      return WriteMessage(response);
    }
    if (!rejected_.empty()) {  // one response per reason
      v1::ConsumeResponse response;
      auto first = rejected_.begin();
      for (uint64_t s : first->second) response.mutable_rejected()->add_sequences(s);
      response.mutable_rejected()->set_reason(first->first);
      rejected_.erase(first);
      return WriteMessage(response);
    }
    if (reads_done_) return FinishLocked(grpc::Status::OK);
    if (WriteGap()) return;
    std::vector<ConsumerGroup::Delivery> deliveries = std::move(held_);
    held_.clear();
    std::vector<std::string> converted = std::move(held_cloud_events_);
    held_cloud_events_.clear();
    if (deliveries.empty()) {
      // Woken (Pump) when there is more; one TakeStep at a time.
      if (taking_ || !want_take_) return;
      want_take_ = false;
      taking_ = true;
      service_->read_pool_.Schedule([this] { TakeStep(); });
      return;
    }
    slices_.clear();
    if (cloud_events_) return WriteCloudEvents(std::move(deliveries), std::move(converted));
    for (ConsumerGroup::Delivery& d : deliveries) {
      // ConsumeResponse.events (1) = ConsumedEvent { event (1), attempt (2) }.
      const std::string& event = d.record->event_bytes;
      const size_t inner = 1 + VarintSize(event.size()) + event.size() + 1 + VarintSize(d.attempt);
      std::string header;
      header.push_back(0x0a);
      AppendVarint(inner, &header);
      header.push_back(0x0a);
      AppendVarint(event.size(), &header);
      slices_.emplace_back(header);
      slices_.push_back(grpc::Slice(const_cast<char*>(event.data()), event.size(), &ReleaseRecord,
                                    new RecordPtr(d.record)));
      std::string attempt;
      attempt.push_back(0x10);
      AppendVarint(d.attempt, &attempt);
      slices_.emplace_back(attempt);
      in_flight_.push_back(std::move(d.record));
    }
    buffer_ = grpc::ByteBuffer(slices_.data(), slices_.size());
    write_in_flight_ = true;
    last_write_ = absl::Now();
    StartWrite(&buffer_);
  }

  // Writes `deliveries` as CloudEvents (`converted`, one each):
  // ConsumeResponse.events (1) = ConsumedEvent { cloud_event (3), attempt
  // (2) }, as many as fit kMaxBatchBytes of CloudEvents (at least one). The
  // consumer's Take bounded the batch by the stored sizes; what the
  // conversion made too large for one response stays held for the next.
  void WriteCloudEvents(std::vector<ConsumerGroup::Delivery> deliveries,
                        std::vector<std::string> converted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    HB_CHECK(converted.size() == deliveries.size());
    size_t batch_bytes = 0;
    size_t i = 0;
    for (; i < deliveries.size(); ++i) {
      std::string& cloud_event = converted[i];
      if (i > 0 && batch_bytes + cloud_event.size() > kMaxBatchBytes) break;
      ConsumerGroup::Delivery& d = deliveries[i];
      const size_t inner =
          1 + VarintSize(cloud_event.size()) + cloud_event.size() + 1 + VarintSize(d.attempt);
      std::string header;
      header.push_back(0x0a);
      AppendVarint(inner, &header);
      header.push_back(0x1a);
      AppendVarint(cloud_event.size(), &header);
      std::string attempt;
      attempt.push_back(0x10);
      AppendVarint(d.attempt, &attempt);
      batch_bytes += header.size() + cloud_event.size() + attempt.size();
      slices_.emplace_back(header);
      slices_.push_back(SliceOwning(std::move(cloud_event)));
      slices_.emplace_back(attempt);
      in_flight_.push_back(std::move(d.record));
    }
    held_.assign(std::make_move_iterator(deliveries.begin() + i),
                 std::make_move_iterator(deliveries.end()));
    held_cloud_events_.assign(std::make_move_iterator(converted.begin() + i),
                              std::make_move_iterator(converted.end()));
    buffer_ = grpc::ByteBuffer(slices_.data(), slices_.size());
    write_in_flight_ = true;
    last_write_ = absl::Now();
    StartWrite(&buffer_);
  }

  // Writes the next Gap the consumer found (retention removed events it
  // had not acknowledged), if any.
  bool WriteGap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    if (gaps_.empty()) {
      for (const Consumer::GapNotice& gap : consumer_->TakeGaps(member_)) gaps_.push_back(gap);
      if (gaps_.empty()) return false;
    }
    v1::ConsumeResponse response;
    response.mutable_gap()->set_first_sequence(gaps_.front().first);
    response.mutable_gap()->set_last_sequence(gaps_.front().last);
    gaps_.pop_front();
    WriteMessage(response);
    return true;
  }

  void WriteMessage(const v1::ConsumeResponse& response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    slices_.clear();
    slices_.emplace_back(response.SerializeAsString());
    buffer_ = grpc::ByteBuffer(slices_.data(), slices_.size());
    write_in_flight_ = true;
    last_write_ = absl::Now();
    StartWrite(&buffer_);
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  EventBridgeService* const service_;
  grpc::CallbackServerContext* const context_;
  const std::string peer_;
  const std::shared_ptr<Shared> shared_;
  // Set by the first request (under the lock); constant afterwards, so the
  // gRPC thread reads them without it.
  std::shared_ptr<Consumer> consumer_;
  Consumer::MemberId member_ = 0;
  // The ConsumeStart's format is EVENT_FORMAT_CLOUDEVENTS.
  bool cloud_events_ = false;
  bool registered_ = false;
  // The token's name for grpc.max_streams_per_token; empty with
  // authentication off.
  std::string token_;
  grpc::ByteBuffer in_;  // the read in flight

  std::vector<uint64_t> confirmed_ ABSL_GUARDED_BY(shared_->mu);
  // Rejected sequences by the reason sent with them.
  std::map<std::string, std::vector<uint64_t>> rejected_ ABSL_GUARDED_BY(shared_->mu);
  std::deque<Consumer::GapNotice> gaps_ ABSL_GUARDED_BY(shared_->mu);
  // Taken from the consumer, to be written after the gaps before them.
  std::vector<ConsumerGroup::Delivery> held_ ABSL_GUARDED_BY(shared_->mu);
  // With cloud_events_: the serialized CloudEvent of each of held_.
  std::vector<std::string> held_cloud_events_ ABSL_GUARDED_BY(shared_->mu);
  std::vector<RecordPtr> in_flight_ ABSL_GUARDED_BY(shared_->mu);
  std::vector<grpc::Slice> slices_ ABSL_GUARDED_BY(shared_->mu);
  grpc::ByteBuffer buffer_ ABSL_GUARDED_BY(shared_->mu);
  bool write_in_flight_ ABSL_GUARDED_BY(shared_->mu) = false;
  absl::Time last_write_ ABSL_GUARDED_BY(shared_->mu) = absl::Now();
  bool reads_done_ ABSL_GUARDED_BY(shared_->mu) = false;
  bool cancelled_ ABSL_GUARDED_BY(shared_->mu) = false;
  bool shutting_down_ ABSL_GUARDED_BY(shared_->mu) = false;
  bool finished_ ABSL_GUARDED_BY(shared_->mu) = false;
  // A TakeStep is queued or running.
  bool taking_ ABSL_GUARDED_BY(shared_->mu) = false;
  // Taking again may find events: see Pump.
  bool want_take_ ABSL_GUARDED_BY(shared_->mu) = false;
  // gRPC is done with the call (OnDone ran).
  bool done_ ABSL_GUARDED_BY(shared_->mu) = false;
  absl::Status end_ ABSL_GUARDED_BY(shared_->mu);
};

void BeginShutdown(ConsumeReactor* reactor) { reactor->BeginShutdown(); }

const std::string& PeerOf(const ConsumeReactor* reactor) { return reactor->peer(); }

void MaybeHeartbeat(ConsumeReactor* reactor, absl::Time silent_since, uint64_t head) {
  reactor->MaybeHeartbeat(silent_since, head);
}

absl::Status EventBridgeService::RegisterConsume(ConsumeReactor* reactor,
                                                 const std::string& token) {
  absl::MutexLock lock(&mu_);
  HB_RETURN_IF_ERROR(AdmitLocked(token, nullptr));
  consume_reactors_.insert(reactor);
  return absl::OkStatus();
}

void EventBridgeService::UnregisterConsume(ConsumeReactor* reactor, const std::string& token) {
  absl::MutexLock lock(&mu_);
  if (consume_reactors_.erase(reactor) > 0) ReleaseLocked(token);
}

absl::StatusOr<std::shared_ptr<Consumer>> EventBridgeService::AuthorizedConsumer(
    grpc::CallbackServerContext* context, const std::string& name, bool manage,
    std::string* stream_token) {
  Grant grant;
  std::shared_ptr<const Authorizer> used;
  HB_ASSIGN_OR_RETURN(grant, Authenticate(context, &used));
  if (stream_token != nullptr && used->enabled()) *stream_token = grant.name;
  std::shared_ptr<Consumer> consumer = consumers_ == nullptr ? nullptr : consumers_->Find(name);
  if (consumer == nullptr) return absl::NotFoundError(absl::StrCat("no consumer \"", name, "\""));
  v1::ConsumerConfig config;
  config.ParseFromString(consumer->config());
  HB_RETURN_IF_ERROR(
      Authorizer::AuthorizeConsumer(grant, name, ConsumerFilterRequest(config), manage));
  return consumer;
}

v1::Consumer EventBridgeService::Describe(Consumer& consumer) {
  v1::Consumer out;
  out.mutable_config()->ParseFromString(consumer.config());
  out.set_declared(consumers_->IsDeclared(consumer.name()));
  const Consumer::Stats stats = consumer.stats();
  out.set_ack_floor(stats.group.ack_floor);
  out.set_pending(stats.pending());
  out.set_outstanding(stats.group.outstanding);
  if (stats.group.oldest_pending_appended_at.has_value()) {
    *out.mutable_oldest_pending_appended_at() =
        ToTimestamp(*stats.group.oldest_pending_appended_at);
  }
  out.set_redeliveries(stats.group.redeliveries);
  out.set_dead_letters(stats.group.dead_letters);
  out.set_members(stats.group.members);
  out.set_lost_to_retention(stats.counters.lost_to_retention);
  return out;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EventBridgeService::Consume(
    grpc::CallbackServerContext* context) {
  return new ConsumeReactor(this, context);
}

grpc::ServerUnaryReactor* EventBridgeService::CreateConsumer(
    grpc::CallbackServerContext* context, const v1::CreateConsumerRequest* request,
    v1::CreateConsumerResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = [&]() -> absl::Status {
    Grant grant;
    HB_ASSIGN_OR_RETURN(grant, Authenticate(context, nullptr));
    HB_RETURN_IF_ERROR(Authorizer::AuthorizeConsumer(grant, request->config().name(),
                                                     ConsumerFilterRequest(request->config()),
                                                     /*manage=*/true));
    if (consumers_ == nullptr) return absl::UnavailableError("this server keeps no consumers");
    std::shared_ptr<Consumer> consumer;
    HB_ASSIGN_OR_RETURN(consumer, consumers_->Create(request->config(), /*declared=*/false));
    *response->mutable_consumer() = Describe(*consumer);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::GetConsumer(grpc::CallbackServerContext* context,
                                                          const v1::GetConsumerRequest* request,
                                                          v1::GetConsumerResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<Consumer>> consumer =
      AuthorizedConsumer(context, request->name(), /*manage=*/false);
  if (consumer.ok()) *response->mutable_consumer() = Describe(**consumer);
  reactor->Finish(ToGrpcStatus(consumer.status()));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::ListConsumers(grpc::CallbackServerContext* context,
                                                            const v1::ListConsumersRequest* request,
                                                            v1::ListConsumersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Grant> grant = Authenticate(context, nullptr);
  if (grant.ok() && consumers_ != nullptr) {
    // Those the token may use.
    for (const std::shared_ptr<Consumer>& consumer : consumers_->List()) {
      v1::ConsumerConfig config;
      config.ParseFromString(consumer->config());
      if (Authorizer::AuthorizeConsumer(*grant, consumer->name(), ConsumerFilterRequest(config),
                                        /*manage=*/false)
              .ok()) {
        *response->add_consumers() = Describe(*consumer);
      }
    }
  }
  reactor->Finish(ToGrpcStatus(grant.status()));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::DeleteConsumer(
    grpc::CallbackServerContext* context, const v1::DeleteConsumerRequest* request,
    v1::DeleteConsumerResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = AuthorizedConsumer(context, request->name(), /*manage=*/true).status();
  if (status.ok()) status = consumers_->Delete(request->name());
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::SeekConsumer(grpc::CallbackServerContext* context,
                                                           const v1::SeekConsumerRequest* request,
                                                           v1::SeekConsumerResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<Consumer>> consumer =
      AuthorizedConsumer(context, request->name(), /*manage=*/true);
  if (!consumer.ok()) {
    reactor->Finish(ToGrpcStatus(consumer.status()));
    return reactor;
  }
  const LogStats stats = log_->Stats();
  const uint64_t oldest = stats.events == 0 ? stats.last_sequence : stats.first_sequence - 1;
  uint64_t floor = stats.last_sequence;
  absl::Status status;
  switch (request->position_case()) {
    case v1::SeekConsumerRequest::kEarliest:
      floor = oldest;
      break;
    case v1::SeekConsumerRequest::kAfterSequence:
      floor = request->after_sequence();
      if (floor > stats.last_sequence) {
        status = absl::OutOfRangeError(absl::StrCat(
            "after_sequence: beyond the last sequence in the log (", stats.last_sequence, ")"));
      }
      break;
    case v1::SeekConsumerRequest::kSince: {
      absl::StatusOr<uint64_t> position = log_->PositionAt(FromTimestamp(request->since()));
      if (position.ok()) {
        floor = *position;
      } else if (position.status().code() == absl::StatusCode::kOutOfRange) {
        floor = oldest;
      } else {
        status = position.status();
      }
      break;
    }
    default:
      break;  // latest
  }
  if (!status.ok()) {
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  std::shared_ptr<Consumer> target = *consumer;
  target->Seek(floor, [this, reactor, response, target](absl::Status stored) {
    if (stored.ok()) *response->mutable_consumer() = Describe(*target);
    reactor->Finish(ToGrpcStatus(stored));
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::ListDeadLetters(
    grpc::CallbackServerContext* context, const v1::ListDeadLettersRequest* request,
    v1::ListDeadLettersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<Consumer>> consumer =
      AuthorizedConsumer(context, request->consumer(), /*manage=*/false);
  if (consumer.ok()) {
    const size_t max = request->page_size() == 0 ? 100 : std::min(request->page_size(), 1000u);
    for (const auto& [sequence, letter] :
         (*consumer)->DeadLetters(request->after_sequence(), max)) {
      v1::DeadLetter* out = response->add_dead_letters();
      std::vector<RecordPtr> one;
      if (log_->Read(sequence - 1, 1, &one, nullptr).ok() && !one.empty() &&
          one[0]->sequence == sequence) {
        out->mutable_event()->ParseFromString(one[0]->event_bytes);
      } else {
        out->mutable_event()->set_sequence(sequence);  // evicted since
      }
      out->set_deliveries(letter.deliveries);
      out->set_deadline_expiries(letter.deadline_expiries);
      out->set_negative_acknowledgements(letter.negative_acknowledgements);
      out->set_last_reason(letter.last_reason);
      *out->mutable_dead_at() = ToTimestamp(letter.dead_at);
    }
  }
  reactor->Finish(ToGrpcStatus(consumer.status()));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::RedriveDeadLetters(
    grpc::CallbackServerContext* context, const v1::RedriveDeadLettersRequest* request,
    v1::RedriveDeadLettersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<Consumer>> consumer =
      AuthorizedConsumer(context, request->consumer(), /*manage=*/true);
  if (!consumer.ok()) {
    reactor->Finish(ToGrpcStatus(consumer.status()));
    return reactor;
  }
  (*consumer)->Redrive(
      std::vector<uint64_t>(request->sequences().begin(), request->sequences().end()),
      [reactor, response](uint64_t redriven, absl::Status stored) {
        response->set_redriven(redriven);
        reactor->Finish(ToGrpcStatus(stored));
      });
  return reactor;
}

}  // namespace hookbridge
